// A KNIX function's Lambda package, built from what KNIX uploaded (KnixService::BuildLambda).
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/base64.h"
#include "functions/function_config.h"
#include "functions/zip_package.h"
#include "knix/service.h"

namespace stator::knix {
namespace {

// Runs `command` with sh, returning its exit status and what it printed (stdout and stderr).
int RunCommand(const std::string& command, std::string* output) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) output->append(buffer, n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

// A temporary directory removed when this goes out of scope.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "stator-knix-XXXXXX").string();
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace

Status KnixService::BuildLambda(const User& user, const FunctionRecord& f,
                                bool install_requirements, const std::string* code_override) {
  auto fail = [](std::string why) { return Error{"KnixFunction", std::move(why)}; };
  std::string code_b64;
  if (code_override != nullptr) {
    code_b64 = *code_override;
  } else {
    STATOR_TRY(code_b64, catalog_.Code(user.id, f.id));
  }
  auto code = Base64Decode(code_b64);
  if (!code.ok()) return fail("the function code is not base64");
  TempDir dir;
  if (dir.path().empty()) return fail("cannot create a temporary directory");
  if (f.zip_chunks > 0) {
    std::string text;
    for (int64_t i = 0; i < f.zip_chunks; ++i) {
      STATOR_TRY(std::optional<std::string> chunk, catalog_.ZipChunk(user.id, f.id, i));
      if (!chunk) {
        return Error{kIncompleteZip, "zip chunk " + std::to_string(i) + " of " +
                                         std::to_string(f.zip_chunks) + " has not been uploaded"};
      }
      text += *chunk;
    }
    auto zip = Base64Decode(text);
    if (!zip.ok()) return fail("the uploaded zip is not base64");
    auto extracted = functions::ExtractZip(*zip, dir.path());
    if (!extracted.ok())
      return fail("the uploaded zip cannot be unpacked: " + extracted.error().cause);
  }
  // The text code is the function's module (over one of the same name in the zip), as KNIX
  // writes it beside the unpacked zip.
  if (!code->empty() || f.zip_chunks <= 0) {
    std::ofstream out(dir.path() + "/" + f.name + ".py", std::ios::binary | std::ios::trunc);
    out << *code;
    if (!out) return fail("cannot write the function code");
  }
  if (install_requirements && !f.requirements.empty()) {
    auto requirements = Base64Decode(f.requirements);
    if (!requirements.ok()) return fail("the requirements are not base64");
    std::string file = dir.path() + "/.requirements.txt";
    {
      std::ofstream out(file, std::ios::binary | std::ios::trunc);
      out << *requirements;
    }
    std::string output;
    int status = RunCommand(
        "python3 -m pip install --no-input --disable-pip-version-check --retries 0 --timeout 10 "
        "-r " +
            ShellQuote(file) + " -t " + ShellQuote(dir.path()),
        &output);
    std::filesystem::remove(file);
    if (status != 0) return fail(output);
  }
  STATOR_TRY(std::string package, functions::ZipDirectory(dir.path()));
  if (registry_->Get(f.name) != nullptr) {
    STATOR_TRY(auto updated, registry_->UpdateCode(f.name, package, NowMillis()));
    (void)updated;
    runtime_->Retire(f.name);
    return Status::Ok();
  }
  functions::FunctionConfig config;
  config.name = f.name;
  config.handler = f.name + ".handle";
  config.context = "knix";  // context.log(...) as KNIX's functions call it
  config.description = "KNIX function " + f.id + " of " + user.email;
  config.timeout_seconds = 300;  // KNIX's get_remaining_time_in_millis() says 300000
  config.memory_mb = 1024;
  STATOR_TRY(auto created, registry_->Create(std::move(config), package, NowMillis()));
  (void)created;
  return Status::Ok();
}

}  // namespace stator::knix
