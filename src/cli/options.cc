#include "cli/options.h"

#include <cmath>
#include <cstdlib>
#include <string_view>

namespace stator::cli {
namespace {

Error Usage(std::string message) { return Error{"Usage", std::move(message)}; }

// Walks argv, handing out "--name value" and "--name=value" pairs.
class ArgReader {
 public:
  explicit ArgReader(const std::vector<std::string>& args) : args_(args) {}

  bool Done() const { return i_ >= args_.size(); }

  // The next option's name (without an "=value" part). Sets *inline_value when present.
  std::string NextOption() {
    const std::string& a = args_[i_++];
    size_t eq = a.find('=');
    if (a.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value_ = a.substr(eq + 1);
      return a.substr(0, eq);
    }
    inline_value_.reset();
    return a;
  }

  Result<std::string> Value(const std::string& option) {
    if (inline_value_) {
      std::string v = std::move(*inline_value_);
      inline_value_.reset();
      return v;
    }
    if (Done()) return Usage("option " + option + " needs a value");
    return args_[i_++];
  }

  bool HasInlineValue() const { return inline_value_.has_value(); }

 private:
  const std::vector<std::string>& args_;
  size_t i_ = 0;
  std::optional<std::string> inline_value_;
};

Status NoValue(const ArgReader& reader, const std::string& option) {
  if (reader.HasInlineValue()) return Usage("option " + option + " takes no value");
  return Status::Ok();
}

bool AllDigits(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool IsRegion(const std::string& s) {
  if (s.empty() || s.size() > 50) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

Result<double> ParseTimeScale(const std::string& v) {
  char* end = nullptr;
  double scale = std::strtod(v.c_str(), &end);
  if (v.empty() || end != v.c_str() + v.size() || !std::isfinite(scale) || scale < 0) {
    return Usage("invalid --time-scale '" + v +
                 "': a number >= 0 (0 = virtual time, 1 = real time)");
  }
  return scale;
}

// An integer option within [min, max].
Result<int> ParseInt(const std::string& option, const std::string& v, int min, int max) {
  char* end = nullptr;
  long n = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || end != v.c_str() + v.size() || n < min || n > max) {
    return Usage("invalid " + option + " '" + v + "': an integer from " + std::to_string(min) +
                 " to " + std::to_string(max));
  }
  return static_cast<int>(n);
}

Error UnknownOption(const std::string& command, const std::string& option) {
  if (option.rfind("-", 0) == 0) {
    return Usage("unknown option " + option + " for '" + command + "' (see 'stator " + command +
                 " --help')");
  }
  return Usage("unexpected argument '" + option + "' for '" + command +
               "' (the definition is given with -f FILE)");
}

}  // namespace

bool IsValidResourceName(const std::string& name) {
  if (name.empty()) return false;
  // Length in characters (code points), not bytes.
  size_t chars = 0;
  for (unsigned char c : name) {
    if ((c & 0xC0) != 0x80) ++chars;
  }
  if (chars > 80) return false;
  static constexpr std::string_view kForbidden = "<>{}[]?*\"#%\\^|~`$&,;:/";
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = name[i];
    if (c <= 0x20 || c == 0x7F) return false;  // control characters and space
    if (kForbidden.find(static_cast<char>(c)) != std::string_view::npos) return false;
    // U+0080..U+009F (C1 controls) are encoded as C2 80..C2 9F.
    if (c == 0xC2 && i + 1 < name.size()) {
      unsigned char d = name[i + 1];
      if (d >= 0x80 && d <= 0x9F) return false;
    }
  }
  return true;
}

Result<RunOptions> ParseRunOptions(const std::vector<std::string>& args) {
  RunOptions o;
  bool have_file = false;
  ArgReader r(args);
  while (!r.Done()) {
    std::string opt = r.NextOption();
    if (opt == "-f" || opt == "--file" || opt == "--definition") {
      STATOR_TRY(o.definition_file, r.Value(opt));
      have_file = true;
    } else if (opt == "--input") {
      STATOR_TRY(std::string v, r.Value(opt));
      o.input_json = std::move(v);
    } else if (opt == "--input-file") {
      STATOR_TRY(std::string v, r.Value(opt));
      o.input_file = std::move(v);
    } else if (opt == "--history") {
      STATOR_RETURN_IF_ERROR(NoValue(r, opt));
      o.history = true;
    } else if (opt == "--json") {
      STATOR_RETURN_IF_ERROR(NoValue(r, opt));
      o.json = true;
    } else if (opt == "--name") {
      STATOR_TRY(o.execution_name, r.Value(opt));
      if (!IsValidResourceName(o.execution_name)) {
        return Usage("invalid execution name '" + o.execution_name +
                     "': 1-80 characters without spaces, control characters or any of "
                     "<>{}[]?*\"#%\\^|~`$&,;:/");
      }
    } else if (opt == "--state-machine-name") {
      STATOR_TRY(std::string v, r.Value(opt));
      if (!IsValidResourceName(v)) {
        return Usage("invalid state machine name '" + v +
                     "': 1-80 characters without spaces, control characters or any of "
                     "<>{}[]?*\"#%\\^|~`$&,;:/");
      }
      o.state_machine_name = std::move(v);
    } else if (opt == "--account") {
      STATOR_TRY(o.account, r.Value(opt));
      if (o.account.size() != 12 || !AllDigits(o.account)) {
        return Usage("invalid account '" + o.account + "': an AWS account id has 12 digits");
      }
    } else if (opt == "--region") {
      STATOR_TRY(o.region, r.Value(opt));
      if (!IsRegion(o.region)) {
        return Usage("invalid region '" + o.region + "' (expected a name like us-east-1)");
      }
    } else if (opt == "--role-arn") {
      STATOR_TRY(o.role_arn, r.Value(opt));
      if (o.role_arn.rfind("arn:", 0) != 0) {
        return Usage("invalid role ARN '" + o.role_arn + "' (expected arn:aws:iam::...)");
      }
    } else if (opt == "--time-scale") {
      STATOR_TRY(std::string v, r.Value(opt));
      STATOR_TRY(o.time_scale, ParseTimeScale(v));
    } else if (opt == "--mock-config") {
      STATOR_TRY(std::string v, r.Value(opt));
      o.mock_config = std::move(v);
    } else if (opt == "--test-case") {
      STATOR_TRY(std::string v, r.Value(opt));
      o.test_case = std::move(v);
    } else if (opt == "--task-command") {
      STATOR_TRY(std::string v, r.Value(opt));
      size_t eq = v.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == v.size()) {
        return Usage("invalid --task-command '" + v + "': expected STATE=COMMAND");
      }
      std::string state = v.substr(0, eq);
      for (const auto& [s, c] : o.task_commands) {
        if (s == state) return Usage("two --task-command options for state '" + state + "'");
      }
      o.task_commands.emplace_back(std::move(state), v.substr(eq + 1));
    } else {
      return UnknownOption("run", opt);
    }
  }
  if (!have_file) return Usage("missing -f FILE (the state machine definition)");
  if (o.definition_file.empty()) return Usage("-f needs a file name");
  if (o.input_json && o.input_file) return Usage("--input and --input-file are exclusive");
  if (o.input_file && *o.input_file == "-" && o.definition_file == "-") {
    return Usage("the definition and the input cannot both come from standard input");
  }
  if (o.mock_config.has_value() != o.test_case.has_value()) {
    return Usage(o.mock_config ? "--mock-config needs --test-case NAME"
                               : "--test-case needs --mock-config FILE");
  }
  return o;
}

Result<ServeOptions> ParseServeOptions(const std::vector<std::string>& args) {
  ServeOptions o;
  ArgReader r(args);
  while (!r.Done()) {
    std::string opt = r.NextOption();
    if (opt == "--host") {
      STATOR_TRY(o.host, r.Value(opt));
      if (o.host.empty()) return Usage("--host needs a host name or address");
    } else if (opt == "--port") {
      STATOR_TRY(std::string v, r.Value(opt));
      STATOR_TRY(o.port, ParseInt(opt, v, 0, 65535));
    } else if (opt == "--data-dir") {
      STATOR_TRY(o.data_dir, r.Value(opt));
      if (o.data_dir.empty()) return Usage("--data-dir needs a directory");
    } else if (opt == "--store") {
      STATOR_TRY(o.store_uri, r.Value(opt));
      if (!o.store_uri.starts_with("postgresql://") && !o.store_uri.starts_with("postgres://")) {
        return Usage("--store needs a PostgreSQL connection URI (postgresql://USER@HOST:PORT/DB)");
      }
    } else if (opt == "--node-id") {
      STATOR_TRY(o.node_id, r.Value(opt));
      if (o.node_id.empty() || o.node_id.size() > 64) {
        return Usage("--node-id needs a name of 1 to 64 characters");
      }
    } else if (opt == "--lease-seconds") {
      STATOR_TRY(std::string v, r.Value(opt));
      STATOR_TRY(o.lease_seconds, ParseInt(opt, v, 1, 3600));
    } else if (opt == "--activity-poll-seconds") {
      STATOR_TRY(std::string v, r.Value(opt));
      STATOR_TRY(o.activity_poll_seconds, ParseInt(opt, v, 1, 60));
    } else if (opt == "--account") {
      STATOR_TRY(o.account, r.Value(opt));
      if (o.account.size() != 12 || !AllDigits(o.account)) {
        return Usage("invalid account '" + o.account + "': an AWS account id has 12 digits");
      }
    } else if (opt == "--region") {
      STATOR_TRY(o.region, r.Value(opt));
      if (!IsRegion(o.region)) {
        return Usage("invalid region '" + o.region + "' (expected a name like us-east-1)");
      }
    } else if (opt == "--time-scale") {
      STATOR_TRY(std::string v, r.Value(opt));
      STATOR_TRY(o.time_scale, ParseTimeScale(v));
    } else if (opt == "--threads") {
      STATOR_TRY(std::string v, r.Value(opt));
      STATOR_TRY(o.threads, ParseInt(opt, v, 1, 256));
    } else if (opt == "--execution-threads") {
      STATOR_TRY(std::string v, r.Value(opt));
      STATOR_TRY(o.execution_threads, ParseInt(opt, v, 1, 256));
    } else if (opt == "--mock-config") {
      STATOR_TRY(o.mock_config, r.Value(opt));
      if (o.mock_config.empty()) return Usage("--mock-config needs a file");
    } else if (opt == "--function-concurrency") {
      STATOR_TRY(std::string v, r.Value(opt));
      STATOR_TRY(o.function_concurrency, ParseInt(opt, v, 1, 1000));
    } else if (opt == "--function-spares") {
      STATOR_TRY(std::string v, r.Value(opt));
      STATOR_TRY(o.function_spares, ParseInt(opt, v, 0, 1000));
    } else if (opt == "--function-idle-timeout") {
      STATOR_TRY(std::string v, r.Value(opt));
      STATOR_TRY(o.function_idle_seconds, ParseInt(opt, v, 1, 86400));
    } else if (opt == "--no-function-sandbox") {
      STATOR_RETURN_IF_ERROR(NoValue(r, opt));
      o.function_sandbox = false;
    } else {
      if (opt.rfind("-", 0) != 0) {
        return Usage("unexpected argument '" + opt + "' for 'serve' (see 'stator serve --help')");
      }
      return UnknownOption("serve", opt);
    }
  }
  if (!o.data_dir.empty() && !o.store_uri.empty()) {
    return Usage("--data-dir (SQLite) and --store (PostgreSQL) are exclusive");
  }
  return o;
}

Result<ValidateOptions> ParseValidateOptions(const std::vector<std::string>& args) {
  ValidateOptions o;
  bool have_file = false;
  ArgReader r(args);
  while (!r.Done()) {
    std::string opt = r.NextOption();
    if (opt == "-f" || opt == "--file" || opt == "--definition") {
      STATOR_TRY(o.definition_file, r.Value(opt));
      have_file = true;
    } else if (opt == "--json") {
      STATOR_RETURN_IF_ERROR(NoValue(r, opt));
      o.json = true;
    } else {
      return UnknownOption("validate", opt);
    }
  }
  if (!have_file) return Usage("missing -f FILE (the state machine definition)");
  if (o.definition_file.empty()) return Usage("-f needs a file name");
  return o;
}

}  // namespace stator::cli
