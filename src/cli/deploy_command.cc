// stator deploy TEMPLATE / stator delete-stack NAME: the options, and the two commands over
// deploy::MakePlan (the plan), deploy_stack.h (a stack's resources on the server),
// deploy_apply.h (carrying the plan out) and deploy_report.h (printing) (docs/deploy.md).
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>

#include "cli/commands.h"
#include "cli/deploy_apply.h"
#include "cli/deploy_report.h"
#include "cli/deploy_server.h"
#include "cli/deploy_stack.h"
#include "cli/exit_codes.h"
#include "common/json.h"
#include "deploy/partitions.h"
#include "deploy/stack.h"
#include "deploy/template.h"

namespace stator::cli {
namespace {

using json::Value;

constexpr const char* kDeployUsage =
    "usage: stator deploy TEMPLATE [--stack-name NAME] [--parameter-overrides K=V ...]\n"
    "                     [--endpoint URL] [--account ID --region REGION] [--json]\n"
    "       stator delete-stack NAME [--endpoint URL] [--json]\n"
    "\n"
    "deploy creates or updates, in a running 'stator serve', the functions, state machines and\n"
    "DynamoDB tables of a SAM / CloudFormation template (YAML or JSON); other resource types are\n"
    "listed as skipped. delete-stack removes what a stack deployed. See docs/deploy.md.\n"
    "\n"
    "  --stack-name NAME          default: the template directory's name\n"
    "  --parameter-overrides K=V  template parameters (several may follow one flag;\n"
    "                             ParameterKey=K,ParameterValue=V works too)\n"
    "  --endpoint URL             the server (default: $STATOR_ENDPOINT, else\n"
    "                             http://127.0.0.1:8080)\n"
    "  --account ID, --region R   the server's account and region for ARNs and pseudo\n"
    "                             parameters (default: asked from the server)\n"
    "  --json                     print a JSON summary instead of the table\n"
    "\n"
    "exit codes: 0 done, 1 the server refused something, 2 invalid template, 64 bad usage\n";

struct Options {
  std::vector<std::string> positional;
  std::optional<std::string> stack_name, endpoint, account, region;
  std::vector<std::pair<std::string, std::string>> overrides;
  bool json = false;
  bool help = false;
};

Result<Options> ParseArgs(const std::vector<std::string>& args) {
  Options o;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    std::optional<std::string> inline_value;
    if (a.starts_with("--")) {
      if (size_t eq = a.find('='); eq != std::string::npos) {
        inline_value = a.substr(eq + 1);
        a = a.substr(0, eq);
      }
    }
    auto value = [&](const std::string& name) -> Result<std::string> {
      if (inline_value) return *inline_value;
      if (i + 1 >= args.size()) return Error{"Usage", "option " + name + " needs a value"};
      return args[++i];
    };
    if (a == "--help" || a == "-h") {
      o.help = true;
    } else if (a == "--json") {
      o.json = true;
    } else if (a == "--stack-name") {
      STATOR_TRY(o.stack_name, value(a));
    } else if (a == "--endpoint" || a == "--endpoint-url") {
      STATOR_TRY(o.endpoint, value(a));
    } else if (a == "--account") {
      STATOR_TRY(o.account, value(a));
    } else if (a == "--region") {
      STATOR_TRY(o.region, value(a));
    } else if (a == "--parameter-overrides") {
      std::vector<std::string> items;
      if (inline_value) items.push_back(*inline_value);
      while (i + 1 < args.size() && !args[i + 1].starts_with("--")) items.push_back(args[++i]);
      if (items.empty()) return Error{"Usage", "--parameter-overrides needs KEY=VALUE"};
      for (const std::string& item : items) {
        std::string k, v;
        if (item.starts_with("ParameterKey=")) {
          size_t comma = item.find(",ParameterValue=");
          if (comma == std::string::npos) {
            return Error{"Usage", "expected ParameterKey=K,ParameterValue=V, got '" + item + "'"};
          }
          k = item.substr(13, comma - 13);
          v = item.substr(comma + 16);
        } else {
          size_t eq = item.find('=');
          if (eq == std::string::npos || eq == 0) {
            return Error{"Usage", "--parameter-overrides takes KEY=VALUE, got '" + item + "'"};
          }
          k = item.substr(0, eq);
          v = item.substr(eq + 1);
        }
        o.overrides.emplace_back(k, v);
      }
    } else if (a.starts_with("--")) {
      return Error{"Usage", "unknown option '" + a + "'"};
    } else {
      o.positional.push_back(a);
    }
  }
  if (o.account.has_value() != o.region.has_value()) {
    return Error{"Usage", "--account and --region go together"};
  }
  return o;
}

// The account, region and partition of the server's ARNs: from --account and --region (the
// partition follows the region, as on AWS), else asked from the server.
Result<ArnScope> ScopeOf(const Options& o, DeployServer& server) {
  if (o.account) return ArnScope{deploy::PartitionOfRegion(*o.region), *o.region, *o.account};
  return AskArnScope(server);
}

std::string EndpointOf(const Options& o) {
  if (o.endpoint) return *o.endpoint;
  if (const char* env = getenv("STATOR_ENDPOINT"); env && *env) return env;
  return "http://127.0.0.1:8080";
}

std::string DefaultStackName(const std::string& template_path) {
  std::string dir;
  size_t slash = template_path.rfind('/');
  if (slash != std::string::npos) {
    dir = template_path.substr(0, slash);
  }
  char buf[4096];
  if (dir.empty() || dir == ".") dir = getcwd(buf, sizeof buf) ? buf : "stack";
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  std::string base = dir.substr(dir.rfind('/') + 1);
  std::string name;
  for (char c : base) name += isalnum(static_cast<unsigned char>(c)) ? c : '-';
  if (name.empty() || !isalpha(static_cast<unsigned char>(name[0]))) name = "stack-" + name;
  return name.substr(0, 128);
}

}  // namespace

int DeployCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto o = ParseArgs(args);
  if (!o.ok()) return err << "stator: " << o.error().cause << "\n", kExitUsage;
  if (o->help) return out << kDeployUsage, kExitSucceeded;
  if (o->positional.size() != 1) return err << kDeployUsage, kExitUsage;
  const std::string& path = o->positional[0];
  auto tmpl = deploy::LoadTemplate(path);
  if (!tmpl.ok()) return err << "stator: " << tmpl.error().cause << "\n", kExitInvalidDefinition;
  DeployServer server(EndpointOf(*o));
  deploy::PlanOptions po;
  po.stack_name = o->stack_name.value_or(DefaultStackName(path));
  po.parameter_overrides = o->overrides;
  auto scope = ScopeOf(*o, server);
  if (!scope.ok()) return err << "stator: " << scope.error().cause << "\n", kExitExecutionFailed;
  po.account = scope->account;
  po.region = scope->region;
  po.partition = scope->partition;
  auto plan = deploy::MakePlan(*tmpl, po);
  if (!plan.ok()) return err << "stator: " << plan.error().cause << "\n", kExitInvalidDefinition;
  auto existing = FindStack(server, plan->stack_name, *scope);
  if (!existing.ok()) {
    return err << "stator: " << ErrorText(existing.error()) << "\n", kExitExecutionFailed;
  }
  bool update = !existing->empty();
  if (!o->json) {
    out << (update ? "Updating" : "Creating") << " stack " << plan->stack_name << " from " << path
        << " on " << server.endpoint() << " (account " << plan->account << ", region "
        << plan->region << ")\n";
    out.flush();
  }
  std::vector<Row> rows;
  Status st = ApplyPlan(server, *plan, std::move(existing).value(), &rows, &plan->outputs);
  if (!st.ok()) {
    if (!o->json) PrintRows(rows, out);
    err << "stator: deploy failed at " << st.error().cause << "\n"
        << "stator: what was deployed before stays (tagged with the stack): fix the template and "
           "deploy again, or run 'stator delete-stack "
        << plan->stack_name << "'\n";
    return kExitExecutionFailed;
  }
  if (o->json) {
    json::Object outputs;
    for (const auto& [k, v] : plan->outputs)
      outputs.emplace_back(k, Value::String(deploy::DisplayText(v)));
    out << Value::MakeObject({{"StackName", Value::String(plan->stack_name)},
                              {"StackId", Value::String(plan->stack_id)},
                              {"Account", Value::String(plan->account)},
                              {"Region", Value::String(plan->region)},
                              {"Resources", RowsJson(rows)},
                              {"Outputs", Value::MakeObject(std::move(outputs))}})
               .Dump()
        << "\n";
    return kExitSucceeded;
  }
  PrintRows(rows, out);
  if (!plan->outputs.empty()) {
    out << "Outputs:\n";
    for (const auto& [k, v] : plan->outputs)
      out << "  " << k << " = " << deploy::DisplayText(v) << "\n";
  }
  std::map<std::string, int> counts;
  for (const Row& r : rows) counts[r.status]++;
  out << "Stack " << plan->stack_name << " " << (update ? "updated" : "created") << ":";
  bool first = true;
  for (const auto& [status, n] : counts) {
    std::string s = status;
    std::transform(s.begin(), s.end(), s.begin(), ::tolower);
    out << (first ? " " : ", ") << n << " " << s;
    first = false;
  }
  out << "\n";
  return kExitSucceeded;
}

int DeleteStackCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto o = ParseArgs(args);
  if (!o.ok()) return err << "stator: " << o.error().cause << "\n", kExitUsage;
  if (o->help) return out << kDeployUsage, kExitSucceeded;
  if (o->positional.size() != 1 || !o->overrides.empty() || o->stack_name) {
    return err << kDeployUsage, kExitUsage;
  }
  const std::string& stack = o->positional[0];
  if (!deploy::IsValidStackName(stack)) {
    return err << "stator: invalid stack name '" << stack << "'\n", kExitUsage;
  }
  DeployServer server(EndpointOf(*o));
  auto scope = ScopeOf(*o, server);
  if (!scope.ok()) return err << "stator: " << scope.error().cause << "\n", kExitExecutionFailed;
  auto found = FindStack(server, stack, *scope);
  if (!found.ok())
    return err << "stator: " << ErrorText(found.error()) << "\n", kExitExecutionFailed;
  std::vector<Deployed> list = std::move(found).value();
  std::stable_sort(list.begin(), list.end(), [](const Deployed& a, const Deployed& b) {
    return DeleteRank(a.kind) < DeleteRank(b.kind);
  });
  std::vector<Row> rows;
  for (const Deployed& d : list) {
    Status st = DeleteResource(server, d);
    if (!st.ok()) {
      if (!o->json) PrintRows(rows, out);
      return err << "stator: deleting " << d.name << ": " << ErrorText(st.error()) << "\n",
             kExitExecutionFailed;
    }
    rows.push_back({"DELETED", KindType(d.kind), d.logical_id, d.name, ""});
  }
  if (o->json) {
    out << Value::MakeObject({{"StackName", Value::String(stack)}, {"Resources", RowsJson(rows)}})
               .Dump()
        << "\n";
    return kExitSucceeded;
  }
  if (rows.empty()) {
    out << "Stack " << stack << " has no resources on " << server.endpoint()
        << ": nothing to delete\n";
    return kExitSucceeded;
  }
  PrintRows(rows, out);
  out << "Stack " << stack << " deleted: " << rows.size() << " resources\n";
  return kExitSucceeded;
}

}  // namespace stator::cli
