// stator knix export|import: a workflow of a server's KNIX management API to an AWS Step
// Functions definition and Lambda zips, and an AWS definition back into a KNIX workflow
// (issue 13 §4; the translations are knix/workflow_translation.h, docs/cli.md documents the
// command).
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "cli/commands.h"
#include "cli/deploy_server.h"
#include "cli/exit_codes.h"
#include "cli/knix_client.h"
#include "common/base64.h"
#include "common/json.h"
#include "deploy/partitions.h"
#include "functions/function_config.h"
#include "knix/function_package.h"
#include "knix/workflow_definition.h"
#include "knix/workflow_translation.h"

namespace stator::cli {
namespace {

using json::Value;

constexpr const char* kKnixUsage =
    "usage: stator knix export WORKFLOW [--account ID] [--region R] [-o DIR] [connection]\n"
    "       stator knix import DEFINITION.json [--name NAME] [connection]\n"
    "\n"
    "Moves workflows between the KNIX management API of a running 'stator serve' and AWS Step\n"
    "Functions.\n"
    "\n"
    "export  writes DIR/WORKFLOW.asl.json, the Step Functions definition (Task Resources as\n"
    "        arn:aws:lambda:REGION:ACCOUNT:function:NAME), and DIR/FUNCTION.zip for each KNIX\n"
    "        function the workflow uses (handler FUNCTION.handle); prints what it wrote.\n"
    "        WORKFLOW is a workflow's name or id.\n"
    "import  reads a Step Functions definition, turns Lambda function ARNs back into function\n"
    "        names, and creates the KNIX workflow NAME or replaces the JSON of the one of that\n"
    "        name; prints the workflow's id.\n"
    "\n"
    "  --account ID, --region R  export: account and region in the Lambda ARNs (default: the\n"
    "                            server's own, as its Lambda API reports them)\n"
    "  -o, --output DIR          export: where to write (default: the current directory)\n"
    "  --name NAME               import: the workflow's name (default: the file's name without\n"
    "                            .asl.json or .json)\n"
    "connection:\n"
    "  --endpoint URL            the server (default: $STATOR_ENDPOINT, else\n"
    "                            http://127.0.0.1:8080)\n"
    "  --email EMAIL             the KNIX user (default: $STATOR_KNIX_EMAIL)\n"
    "  --password PASSWORD       its password (default: $STATOR_KNIX_PASSWORD)\n"
    "\n"
    "exit codes: 0 done, 1 the server refused or could not be reached, 2 the definition cannot\n"
    "            be translated, 64 bad usage\n";

struct KnixOptions {
  std::string command;  // "export" or "import"
  std::vector<std::string> positional;
  std::optional<std::string> endpoint, email, password, account, region, output, name;
  bool help = false;
};

Result<KnixOptions> ParseKnixOptions(const std::vector<std::string>& args) {
  KnixOptions o;
  struct Valued {
    const char* name;
    std::optional<std::string> KnixOptions::*field;
  };
  static const Valued kValued[] = {
      {"--endpoint", &KnixOptions::endpoint}, {"--email", &KnixOptions::email},
      {"--password", &KnixOptions::password}, {"--account", &KnixOptions::account},
      {"--region", &KnixOptions::region},     {"--output", &KnixOptions::output},
      {"-o", &KnixOptions::output},           {"--name", &KnixOptions::name}};
  for (size_t i = 0; i < args.size(); ++i) {
    std::string opt = args[i];
    if (opt == "-h" || opt == "--help") {
      o.help = true;
      continue;
    }
    if (opt == "-" || !opt.starts_with("-")) {
      (o.command.empty() ? o.command : o.positional.emplace_back()) = opt;
      continue;
    }
    std::optional<std::string> value;
    if (size_t eq = opt.find('='); opt.starts_with("--") && eq != std::string::npos) {
      value = opt.substr(eq + 1);
      opt.resize(eq);
    }
    const Valued* found = nullptr;
    for (const Valued& v : kValued) {
      if (opt == v.name) found = &v;
    }
    if (found == nullptr) return Error{"Usage", "unknown option '" + opt + "'"};
    if (!value) {
      if (i + 1 >= args.size()) return Error{"Usage", "option " + opt + " needs a value"};
      value = args[++i];
    }
    o.*(found->field) = *value;
  }
  if (o.help) return o;
  if (o.command != "export" && o.command != "import") {
    return Error{"Usage", o.command.empty() ? "stator knix needs a command: export or import"
                                            : "unknown knix command '" + o.command + "'"};
  }
  if (o.positional.size() != 1) {
    return Error{"Usage", o.command == "export" ? "stator knix export takes one WORKFLOW"
                                                : "stator knix import takes one DEFINITION file"};
  }
  bool exporting = o.command == "export";
  if (exporting && o.name) return Error{"Usage", "--name is an option of import"};
  if (!exporting && (o.account || o.region || o.output)) {
    return Error{"Usage", "--account, --region and --output are options of export"};
  }
  if (o.account && (o.account->size() != 12 ||
                    o.account->find_first_not_of("0123456789") != std::string::npos)) {
    return Error{"Usage", "--account must be 12 digits"};
  }
  if (o.region &&
      (o.region->empty() ||
       o.region->find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos)) {
    return Error{"Usage", "--region must be a region name such as us-east-1"};
  }
  for (auto [value, env, what] : {std::tuple{&o.email, "STATOR_KNIX_EMAIL", "--email"},
                                  std::tuple{&o.password, "STATOR_KNIX_PASSWORD", "--password"}}) {
    if (!*value) {
      if (const char* e = getenv(env); e && *e) *value = e;
    }
    if (!*value) {
      return Error{"Usage", std::string("no KNIX credentials: give ") + what + " or set $" + env};
    }
  }
  if (!o.endpoint) {
    const char* env = getenv("STATOR_ENDPOINT");
    o.endpoint = env && *env ? env : "http://127.0.0.1:8080";
  }
  return o;
}

int Complain(std::ostream& err, const std::string& message, int code) {
  err << "stator: " << message << "\n";
  return code;
}

// Indented JSON (two spaces), for files people read.
void Pretty(const Value& v, size_t indent, std::string* out) {
  bool object = v.is_object() && !v.as_object().empty();
  bool array = v.is_array() && !v.as_array().empty();
  if (!object && !array) return v.DumpTo(out);
  *out += object ? "{\n" : "[\n";
  size_t n = object ? v.as_object().size() : v.as_array().size();
  for (size_t i = 0; i < n; ++i) {
    out->append(indent + 2, ' ');
    if (object) {
      Value::String(v.as_object()[i].first).DumpTo(out);
      *out += ": ";
    }
    Pretty(object ? v.as_object()[i].second : v.as_array()[i], indent + 2, out);
    *out += i + 1 < n ? ",\n" : "\n";
  }
  out->append(indent, ' ');
  *out += object ? "}" : "]";
}

std::string PrettyText(const Value& v) {
  std::string out;
  Pretty(v, 0, &out);
  return out + "\n";
}

// The string member `key` of `object` ("" when absent or not a string).
std::string StringOf(const Value& object, std::string_view key) {
  const Value* v = object.is_object() ? object.Find(key) : nullptr;
  return v && v->is_string() ? v->as_string() : std::string();
}

// A base64 field as KNIX stores it (form encoding may have turned '+' into ' ').
Result<std::string> DecodeField(std::string text, const std::string& what) {
  for (char& c : text) {
    if (c == ' ') c = '+';
  }
  auto bytes = Base64Decode(text, Base64Padding::kOptional);
  if (!bytes.ok()) return Error{kKnixProtocol, what + " is not base64"};
  return bytes;
}

// {"id": id[, "chunk": chunk]}: the `function` / `workflow` argument of an action.
Value IdArg(const std::string& id, std::optional<int64_t> chunk = {}) {
  json::Object o = {{"id", Value::String(id)}};
  if (chunk) o.emplace_back("chunk", Value::Int(*chunk));
  return Value::MakeObject(std::move(o));
}

// The `list` array member of a successful answer's data (empty when absent).
json::Array ListOf(const Value& data, std::string_view list) {
  const Value* v = data.Find(list);
  return v && v->is_array() ? v->as_array() : json::Array{};
}

// The user's workflows whose id is `key`, else those named `key`.
Result<std::vector<Value>> FindWorkflows(KnixClient& client, const std::string& key) {
  STATOR_TRY(Value data, client.Call("getWorkflows"));
  std::vector<Value> by_id, by_name;
  for (const Value& w : ListOf(data, "workflows")) {
    if (StringOf(w, "id") == key) by_id.push_back(w);
    if (StringOf(w, "name") == key) by_name.push_back(w);
  }
  return by_id.empty() ? by_name : by_id;
}

// One function's Lambda package, built from its KNIX uploads as the server builds it
// (knix/function_package.h).
Result<std::string> FunctionZip(KnixClient& client, const std::string& id,
                                const std::string& name) {
  STATOR_TRY(Value meta, client.Call("getFunctionZipMetadata", {{"function", IdArg(id)}}));
  const Value* f = meta.Find("function");
  const Value* chunks_v = f && f->is_object() ? f->Find("chunks") : nullptr;
  int64_t chunks = chunks_v && chunks_v->is_int() ? chunks_v->as_int() : -1;
  knix::PackageSources sources;
  sources.name = name;
  if (chunks > 0) {
    std::string text;
    for (int64_t i = 0; i < chunks; ++i) {
      STATOR_TRY(Value chunk, client.Call("getFunctionZip", {{"function", IdArg(id, i)}}));
      text += StringOf(chunk.Find("function") ? *chunk.Find("function") : chunk, "code");
    }
    STATOR_TRY(sources.zip, DecodeField(std::move(text), "the zip of " + name));
  }
  STATOR_TRY(Value code_data, client.Call("getFunctionCode", {{"function", IdArg(id)}}));
  const Value* code_f = code_data.Find("function");
  STATOR_TRY(sources.code, DecodeField(code_f ? StringOf(*code_f, "code") : std::string(),
                                       "the code of " + name));
  auto zip = knix::BuildPackage(sources);
  if (!zip.ok()) return Error{"Local", "cannot pack " + name + ": " + zip.error().cause};
  return zip;
}

// A workflow name as a file name: characters other than letters, digits, '.', '_' and '-'
// become '_'.
std::string FileNameOf(const std::string& name) {
  std::string out;
  for (char c : name)
    out += isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ? c : '_';
  return out.empty() || out == "." || out == ".." ? "workflow" : out;
}

Status WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  out.close();
  if (!out) return Error{"Local", "cannot write " + path};
  return Status::Ok();
}

int Export(const KnixOptions& o, std::ostream& out, std::ostream& err) {
  KnixClient client(*o.endpoint);
  if (Status s = client.LogIn(*o.email, *o.password); !s.ok()) {
    return Complain(err, s.error().cause, kExitExecutionFailed);
  }
  const std::string& key = o.positional[0];
  auto found = FindWorkflows(client, key);
  if (!found.ok()) return Complain(err, found.error().cause, kExitExecutionFailed);
  if (found->empty()) {
    return Complain(err, "no KNIX workflow named '" + key + "' (or with that id)",
                    kExitExecutionFailed);
  }
  if (found->size() > 1) {
    std::string ids;
    for (const Value& w : *found) ids += " " + StringOf(w, "id");
    return Complain(err, "several KNIX workflows are named '" + key + "'; give one's id:" + ids,
                    kExitExecutionFailed);
  }
  const std::string id = StringOf((*found)[0], "id");
  const std::string name = StringOf((*found)[0], "name");
  auto data = client.Call("getWorkflowJSON", {{"workflow", IdArg(id)}});
  if (!data.ok()) return Complain(err, data.error().cause, kExitExecutionFailed);
  const Value* wf = data->Find("workflow");
  std::string b64 = wf ? StringOf(*wf, "json") : std::string();
  if (b64.empty()) {
    return Complain(err, "workflow '" + name + "' has no workflow JSON yet", kExitExecutionFailed);
  }
  auto text = DecodeField(b64, "the workflow JSON");
  if (!text.ok()) return Complain(err, text.error().cause, kExitExecutionFailed);
  auto parsed = knix::ParseWorkflowDefinition(*text);
  if (!parsed.ok()) {
    return Complain(err, "workflow '" + name + "' cannot be exported: " + parsed.error().cause,
                    kExitInvalidDefinition);
  }

  // The ARNs' account and region: as given, the rest from the server.
  ArnScope scope;
  if (!o.account || !o.region) {
    DeployServer server(*o.endpoint);
    auto asked = AskArnScope(server);
    if (!asked.ok()) return Complain(err, asked.error().cause, kExitExecutionFailed);
    scope = *asked;
  }
  if (o.account) scope.account = *o.account;
  if (o.region) {
    scope.region = *o.region;
    scope.partition = deploy::PartitionOfRegion(*o.region);
  }
  auto definition = knix::ExportToAws(*parsed, scope);
  if (!definition.ok()) {
    return Complain(err, "workflow '" + name + "' cannot be exported: " + definition.error().cause,
                    kExitInvalidDefinition);
  }

  // Every file is built before any is written.
  auto functions = client.Call("getFunctions");
  if (!functions.ok()) return Complain(err, functions.error().cause, kExitExecutionFailed);
  struct Package {
    std::string function, zip;
  };
  std::vector<Package> packages;
  std::vector<std::string> not_mine;
  for (const std::string& fn : knix::UsedFunctions(*parsed)) {
    std::string fid;
    for (const Value& f : ListOf(*functions, "functions")) {
      if (StringOf(f, "name") == fn) fid = StringOf(f, "id");
    }
    if (fid.empty()) {
      not_mine.push_back(fn);
      continue;
    }
    auto zip = FunctionZip(client, fid, fn);
    if (!zip.ok()) return Complain(err, zip.error().cause, kExitExecutionFailed);
    packages.push_back({fn, std::move(zip).value()});
  }

  const std::string dir = o.output.value_or(".");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Complain(err, "cannot create " + dir + ": " + ec.message(), kExitUsage);
  std::string base = dir == "." ? "" : (dir.back() == '/' ? dir : dir + "/");
  std::string asl_path = base + FileNameOf(name) + ".asl.json";
  if (Status s = WriteFile(asl_path, PrettyText(*definition)); !s.ok()) {
    return Complain(err, s.error().cause, kExitUsage);
  }
  out << "wrote " << asl_path << ": the Step Functions definition of KNIX workflow '" << name
      << "' (Resources " << scope.Of("lambda", "function:") << "NAME)\n";
  for (const Package& p : packages) {
    std::string path = base + p.function + ".zip";
    if (Status s = WriteFile(path, p.zip); !s.ok()) {
      return Complain(err, s.error().cause, kExitUsage);
    }
    out << "wrote " << path << ": function " << p.function << ", handler " << p.function
        << ".handle\n";
  }
  for (const std::string& fn : not_mine) {
    err << "stator: note: " << fn
        << " is not one of your KNIX functions: no zip written (the definition names "
        << scope.Of("lambda", "function:" + fn) << ")\n";
  }
  return kExitSucceeded;
}

// The default workflow name of an import: the file's name without .asl.json or .json.
std::string NameOfFile(const std::string& path) {
  std::string name = std::filesystem::path(path).filename().string();
  for (std::string_view ext : {".asl.json", ".json"}) {
    if (name.size() > ext.size() && name.ends_with(ext)) {
      name.resize(name.size() - ext.size());
      break;
    }
  }
  return name;
}

int Import(const KnixOptions& o, std::ostream& out, std::ostream& err) {
  const std::string& path = o.positional[0];
  std::string name = o.name.value_or(path == "-" ? "" : NameOfFile(path));
  if (name.empty()) return Complain(err, "give the workflow's --name", kExitUsage);
  auto text = ReadTextFile(path);
  if (!text.ok()) return Complain(err, text.error().cause, kExitUsage);
  auto document = knix::ImportFromAws(*text);
  if (!document.ok()) {
    return Complain(err, path + ": " + document.error().cause, kExitInvalidDefinition);
  }

  KnixClient client(*o.endpoint);
  if (Status s = client.LogIn(*o.email, *o.password); !s.ok()) {
    return Complain(err, s.error().cause, kExitExecutionFailed);
  }
  auto found = FindWorkflows(client, name);
  if (!found.ok()) return Complain(err, found.error().cause, kExitExecutionFailed);
  std::vector<Value> named;
  for (const Value& w : *found) {
    if (StringOf(w, "name") == name) named.push_back(w);
  }
  if (named.size() > 1) {
    return Complain(err, "several KNIX workflows are named '" + name + "': rename one first",
                    kExitExecutionFailed);
  }
  std::string id, status;
  if (named.empty()) {
    auto added = client.Call("addWorkflow",
                             {{"workflow", Value::MakeObject({{"name", Value::String(name)}})}});
    if (!added.ok()) return Complain(err, added.error().cause, kExitExecutionFailed);
    const Value* w = added->Find("workflow");
    id = w ? StringOf(*w, "id") : std::string();
    if (id.empty())
      return Complain(err, "addWorkflow answered without an id", kExitExecutionFailed);
  } else {
    id = StringOf(named[0], "id");
    status = StringOf(named[0], "status");
  }
  std::string json_b64 = Base64Encode(PrettyText(*document));
  auto uploaded =
      client.Call("uploadWorkflowJSON",
                  {{"workflow", Value::MakeObject({{"id", Value::String(id)},
                                                   {"json", Value::String(json_b64)},
                                                   {"ASL_type", Value::String("unknown")}})}});
  if (!uploaded.ok()) return Complain(err, uploaded.error().cause, kExitExecutionFailed);
  err << "stator: " << (named.empty() ? "created" : "updated") << " KNIX workflow '" << name
      << "' from " << path << "\n";
  if (status == "deployed" || status == "deploying") {
    err << "stator: note: the workflow is deployed with its previous JSON: deploy it again to "
           "run this one\n";
  }

  // Functions the definition names that the user does not have.
  auto parsed = knix::ParseWorkflowDefinition(*document);
  auto functions = client.Call("getFunctions");
  if (parsed.ok() && functions.ok()) {
    DeployServer server(*o.endpoint);
    for (const std::string& fn : knix::UsedFunctions(*parsed)) {
      bool mine = false;
      for (const Value& f : ListOf(*functions, "functions")) mine |= StringOf(f, "name") == fn;
      if (mine) continue;
      bool lambda =
          functions::IsValidFunctionName(fn) &&
          server.Rest("GET", "/2015-03-31/functions/" + fn + "/configuration", nullptr).ok();
      err << "stator: warning: function " << fn << " is not one of your KNIX functions"
          << (lambda ? " (a Lambda function of that name exists on the server: deploy uses it "
                       "unless another KNIX user owns it)"
                     : ": deploying the workflow fails until you add it")
          << "\n";
    }
  }
  out << id << "\n";
  return kExitSucceeded;
}

}  // namespace

int KnixCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto o = ParseKnixOptions(args);
  if (!o.ok()) {
    return Complain(err, o.error().cause + " (try 'stator knix --help')", kExitUsage);
  }
  if (o->help) return out << kKnixUsage, kExitSucceeded;
  return o->command == "export" ? Export(*o, out, err) : Import(*o, out, err);
}

}  // namespace stator::cli
