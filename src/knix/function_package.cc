#include "knix/function_package.h"

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/temp_dir.h"
#include "functions/zip_package.h"

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

}  // namespace

Result<std::string> BuildPackage(const PackageSources& sources) {
  auto fail = [](std::string why) { return Error{"KnixFunction", std::move(why)}; };
  TempDir dir("stator-knix");
  if (dir.path().empty()) return fail("cannot create a temporary directory");
  if (sources.zip) {
    auto extracted = functions::ExtractZip(*sources.zip, dir.path());
    if (!extracted.ok()) {
      return fail("the uploaded zip cannot be unpacked: " + extracted.error().cause);
    }
  }
  if (!sources.code.empty() || !sources.zip) {
    std::ofstream out(dir.path() + "/" + sources.name + ".py", std::ios::binary | std::ios::trunc);
    out << sources.code;
    if (!out) return fail("cannot write the function code");
  }
  if (!sources.requirements.empty()) {
    std::string file = dir.path() + "/.requirements.txt";
    {
      std::ofstream out(file, std::ios::binary | std::ios::trunc);
      out << sources.requirements;
      if (!out) return fail("cannot write the requirements");
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
  return functions::ZipDirectory(dir.path());
}

}  // namespace stator::knix
