// stator function create|update-code|invoke|logs|list|delete (over the Lambda API of a running
// server), and stator export|import (bare function names <-> Lambda ARNs in a definition).
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <optional>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/http_client.h"
#include "common/arn.h"
#include "common/base64.h"
#include "common/json.h"
#include "common/percent_encoding.h"
#include "functions/function_config.h"
#include "functions/zip_package.h"
#include "knix/workflow_definition.h"
#include "knix/workflow_translation.h"

namespace stator::cli {
namespace {

constexpr const char* kFunctionUsage =
    "usage: stator function COMMAND [options]   (talks to a running 'stator serve')\n"
    "\n"
    "  create NAME --code DIR|ZIP [--handler MODULE.FUNCTION] [--env K=V]... [--timeout S]\n"
    "         [--memory MB] [--runtime python3.x] [--role ARN] [--description TEXT]\n"
    "                          create a function (no --handler: KNIX style, NAME.py's handle)\n"
    "  update-code NAME --code DIR|ZIP\n"
    "  invoke NAME [--payload JSON | --payload-file FILE] [--log]\n"
    "                          print the result; --log also prints the log tail on stderr\n"
    "  logs NAME               print the function's recent logs\n"
    "  list                    print the function names\n"
    "  delete NAME\n"
    "\n"
    "  --endpoint URL          the server (default: $STATOR_ENDPOINT, else http://127.0.0.1:8080)\n"
    "\n"
    "exit codes: 0 ok, 1 the server refused or the function failed, 64 bad usage\n";

constexpr const char* kExportUsage =
    "usage: stator export --lambda-prefix arn:aws:lambda:REGION:ACCOUNT:function: DEFINITION\n"
    "       stator import --lambda-prefix arn:aws:lambda:REGION:ACCOUNT:function: DEFINITION\n"
    "\n"
    "export rewrites Task Resources that are bare function names (KNIX style) into Lambda\n"
    "function ARNs for AWS; import strips the prefix back off. The definition ('-' = stdin) is\n"
    "printed on stdout.\n";

struct Args {
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> options;  // in order (repeatable)
  std::vector<std::string> flags;
};

// Options with values: everything listed in `valued`; the rest are flags.
Result<Args> Split(const std::vector<std::string>& args, const std::vector<std::string>& valued,
                   const std::vector<std::string>& flags) {
  Args a;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string opt = args[i];
    if (!opt.starts_with("--") || opt == "-") {
      a.positional.push_back(opt);
      continue;
    }
    std::optional<std::string> inline_value;
    if (size_t eq = opt.find('='); eq != std::string::npos) {
      inline_value = opt.substr(eq + 1);
      opt = opt.substr(0, eq);
    }
    if (std::find(valued.begin(), valued.end(), opt) != valued.end()) {
      if (inline_value) {
        a.options.emplace_back(opt, *inline_value);
      } else if (i + 1 < args.size()) {
        a.options.emplace_back(opt, args[++i]);
      } else {
        return Error{"Usage", "option " + opt + " needs a value"};
      }
    } else if (std::find(flags.begin(), flags.end(), opt) != flags.end() && !inline_value) {
      a.flags.push_back(opt);
    } else {
      return Error{"Usage", "unknown option '" + opt + "'"};
    }
  }
  return a;
}

std::optional<std::string> Opt(const Args& a, const std::string& name) {
  std::optional<std::string> v;
  for (const auto& [k, val] : a.options) {
    if (k == name) v = val;
  }
  return v;
}

bool Flag(const Args& a, const std::string& name) {
  return std::find(a.flags.begin(), a.flags.end(), name) != a.flags.end();
}

std::string Endpoint(const Args& a) {
  if (auto e = Opt(a, "--endpoint")) return *e;
  if (const char* env = getenv("STATOR_ENDPOINT"); env && *env) return env;
  return "http://127.0.0.1:8080";
}

// The zip bytes of a directory or a zip file.
Result<std::string> CodeZip(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return Error{"Usage", "cannot read '" + path + "'"};
  if (S_ISDIR(st.st_mode)) {
    auto z = functions::ZipDirectory(path);
    if (!z.ok()) return Error{"Usage", z.error().cause};
    return z;
  }
  return ReadTextFile(path);
}

// Prints the server's error; returns 1.
int ApiFailure(const HttpReply& r, std::ostream& err) {
  std::string type = r.Header("x-amzn-ErrorType");
  std::string message = r.body;
  if (auto v = json::Parse(r.body); v.ok() && v->is_object()) {
    if (const json::Value* m = v->Find("message"); m && m->is_string()) message = m->as_string();
  }
  err << "stator: " << (type.empty() ? "HTTP " + std::to_string(r.status) : type) << ": " << message
      << "\n";
  return kExitExecutionFailed;
}

int Call(const Args& a, const std::string& method, const std::string& path, const std::string& body,
         HttpReply* reply, std::ostream& err,
         const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  auto r = HttpCall(Endpoint(a), method, path, body, headers);
  if (!r.ok()) {
    err << "stator: " << r.error().cause << "\n";
    return kExitExecutionFailed;
  }
  *reply = std::move(r).value();
  if (reply->status >= 300) return ApiFailure(*reply, err);
  return kExitSucceeded;
}

int Create(const Args& a, bool update, std::ostream& out, std::ostream& err) {
  if (a.positional.size() != 1) return err << kFunctionUsage, kExitUsage;
  const std::string& name = a.positional[0];
  auto code_path = Opt(a, "--code");
  if (!code_path) return err << "stator: --code DIR|ZIP is required\n", kExitUsage;
  auto zip = CodeZip(*code_path);
  if (!zip.ok()) return err << "stator: " << zip.error().cause << "\n", kExitUsage;
  std::string b64 = Base64Encode(*zip);
  HttpReply reply;
  if (update) {
    json::Value body = json::Value::MakeObject({{"ZipFile", json::Value::String(b64)}});
    int rc = Call(a, "PUT", "/2015-03-31/functions/" + PercentEncode(name) + "/code", body.Dump(),
                  &reply, err);
    if (rc == 0) out << reply.body << "\n";
    return rc;
  }
  json::Object o = {
      {"FunctionName", json::Value::String(name)},
      {"Runtime", json::Value::String(Opt(a, "--runtime").value_or("python3.11"))},
      {"Role", json::Value::String(
                   Opt(a, "--role").value_or("arn:aws:iam::123456789012:role/stator-function"))},
      {"Code", json::Value::MakeObject({{"ZipFile", json::Value::String(b64)}})}};
  if (auto h = Opt(a, "--handler")) o.emplace_back("Handler", json::Value::String(*h));
  if (auto d = Opt(a, "--description")) o.emplace_back("Description", json::Value::String(*d));
  for (const char* num : {"--timeout", "--memory"}) {
    if (auto v = Opt(a, num)) {
      char* end = nullptr;
      long long n = strtoll(v->c_str(), &end, 10);
      if (v->empty() || *end != '\0') {
        return err << "stator: " << num << " needs a whole number\n", kExitUsage;
      }
      o.emplace_back(std::string(num) == "--timeout" ? "Timeout" : "MemorySize",
                     json::Value::Int(n));
    }
  }
  json::Object vars;
  for (const auto& [k, v] : a.options) {
    if (k != "--env") continue;
    size_t eq = v.find('=');
    if (eq == std::string::npos || eq == 0) {
      return err << "stator: --env takes KEY=VALUE\n", kExitUsage;
    }
    vars.emplace_back(v.substr(0, eq), json::Value::String(v.substr(eq + 1)));
  }
  if (!vars.empty()) {
    o.emplace_back("Environment", json::Value::MakeObject(
                                      {{"Variables", json::Value::MakeObject(std::move(vars))}}));
  }
  int rc = Call(a, "POST", "/2015-03-31/functions", json::Value::MakeObject(std::move(o)).Dump(),
                &reply, err);
  if (rc == 0) out << reply.body << "\n";
  return rc;
}

int Invoke(const Args& a, std::ostream& out, std::ostream& err) {
  if (a.positional.size() != 1) return err << kFunctionUsage, kExitUsage;
  std::string payload = "{}";
  if (auto p = Opt(a, "--payload")) payload = *p;
  if (auto f = Opt(a, "--payload-file")) {
    auto text = ReadTextFile(*f);
    if (!text.ok()) return err << "stator: " << text.error().cause << "\n", kExitUsage;
    payload = *text;
  }
  if (!json::Parse(payload).ok()) {
    return err << "stator: the payload is not JSON\n", kExitUsage;
  }
  bool log = Flag(a, "--log");
  HttpReply reply;
  int rc =
      Call(a, "POST", "/2015-03-31/functions/" + PercentEncode(a.positional[0]) + "/invocations",
           payload, &reply, err, {{"X-Amz-Log-Type", log ? "Tail" : "None"}});
  if (rc != 0) return rc;
  out << reply.body << "\n";
  if (log) {
    auto text = Base64Decode(reply.Header("X-Amz-Log-Result"));
    if (text.ok()) err << *text;
  }
  return reply.Header("X-Amz-Function-Error").empty() ? kExitSucceeded : kExitExecutionFailed;
}

int List(const Args& a, std::ostream& out, std::ostream& err) {
  std::string marker;
  for (;;) {
    HttpReply reply;
    std::string path = "/2015-03-31/functions/?MaxItems=50";
    if (!marker.empty()) path += "&Marker=" + PercentEncode(marker);
    int rc = Call(a, "GET", path, "", &reply, err);
    if (rc != 0) return rc;
    auto v = json::Parse(reply.body);
    if (!v.ok() || !v->Find("Functions")) return err << "stator: bad answer\n", 1;
    for (const auto& f : v->Find("Functions")->as_array()) {
      out << f.Find("FunctionName")->as_string() << "\n";
    }
    const json::Value* next = v->Find("NextMarker");
    if (next == nullptr || !next->is_string()) return kExitSucceeded;
    marker = next->as_string();
  }
}

}  // namespace

int FunctionCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    (args.empty() ? err : out) << kFunctionUsage;
    return args.empty() ? kExitUsage : kExitSucceeded;
  }
  std::string sub = args[0];
  auto a = Split({args.begin() + 1, args.end()},
                 {"--endpoint", "--code", "--handler", "--env", "--timeout", "--memory",
                  "--runtime", "--role", "--description", "--payload", "--payload-file"},
                 {"--log", "--help"});
  if (!a.ok()) return err << "stator: " << a.error().cause << "\n", kExitUsage;
  if (Flag(*a, "--help")) return out << kFunctionUsage, kExitSucceeded;
  if (sub == "create") return Create(*a, false, out, err);
  if (sub == "update-code") return Create(*a, true, out, err);
  if (sub == "invoke") return Invoke(*a, out, err);
  if (sub == "list") return List(*a, out, err);
  if (a->positional.size() != 1) return err << kFunctionUsage, kExitUsage;
  const std::string path = "/2015-03-31/functions/" + PercentEncode(a->positional[0]);
  HttpReply reply;
  if (sub == "logs") {
    int rc = Call(*a, "GET", path + "/logs", "", &reply, err);
    if (rc == 0) out << reply.body;
    return rc;
  }
  if (sub == "delete") return Call(*a, "DELETE", path, "", &reply, err);
  err << "stator: unknown function command '" << sub << "'\n" << kFunctionUsage;
  return kExitUsage;
}

int ExportImportCommand(const std::vector<std::string>& args, bool importing, std::ostream& out,
                        std::ostream& err) {
  auto a = Split(args, {"--lambda-prefix"}, {"--help"});
  if (!a.ok()) return err << "stator: " << a.error().cause << "\n", kExitUsage;
  if (Flag(*a, "--help")) return out << kExportUsage, kExitSucceeded;
  auto prefix = Opt(*a, "--lambda-prefix");
  if (!prefix || a->positional.size() != 1) return err << kExportUsage, kExitUsage;
  // arn:PARTITION:lambda:REGION:ACCOUNT:function:
  auto arn = ParseArn(*prefix + "x");
  if (!prefix->ends_with(":function:") || !arn.ok() || arn->service != "lambda" ||
      arn->region.empty() || arn->account.empty()) {
    return err << "stator: --lambda-prefix must look like "
                  "arn:aws:lambda:REGION:ACCOUNT:function:\n",
           kExitUsage;
  }
  auto text = ReadTextFile(a->positional[0]);
  if (!text.ok()) return err << "stator: " << text.error().cause << "\n", kExitUsage;
  // The KNIX translations (knix/workflow_translation.h): export turns function names into
  // ARNs under the prefix's partition, region and account; import turns every Lambda function
  // ARN back into its name.
  Result<json::Value> translated = Error{"", ""};
  if (importing) {
    translated = knix::ImportFromAws(*text);
  } else {
    ArnScope scope;
    scope.partition = arn->partition;
    scope.region = arn->region;
    scope.account = arn->account;
    auto workflow = knix::ParseWorkflowDefinition(*text);
    translated = workflow.ok() ? knix::ExportToAws(*workflow, scope)
                               : Result<json::Value>(std::move(workflow).error());
  }
  if (!translated.ok()) {
    return err << "stator: " << translated.error().cause << "\n", kExitInvalidDefinition;
  }
  out << translated->Dump() << "\n";
  return kExitSucceeded;
}

}  // namespace stator::cli
