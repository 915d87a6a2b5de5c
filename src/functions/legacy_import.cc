#include "functions/legacy_import.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "common/uuid.h"
#include "functions/function_config.h"
#include "functions/registry.h"

namespace stator::functions {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

void Skip(const fs::path& dir, const std::string& why) {
  std::cerr << "stator: warning: not importing the function in " << dir.string() << ": " << why
            << "\n";
}

}  // namespace

Status ImportLegacyFunctions(store::Store* store, const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::Ok();
  int imported = 0;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (!entry.is_directory() || !IsValidFunctionName(name)) continue;  // .runtime, .staging-*
    std::optional<std::string> meta = ReadFile(entry.path() / "meta.json");
    if (!meta) continue;  // a function whose creation never finished
    auto parsed = json::Parse(*meta);
    if (!parsed.ok()) {
      Skip(entry.path(), "corrupt meta.json: " + parsed.error().cause);
      continue;
    }
    auto config = FunctionConfig::FromJson(*parsed);
    if (!config.ok() || config->name != name) {
      Skip(entry.path(), "meta.json is not this function's configuration");
      continue;
    }
    FunctionConfig c = std::move(config).value();
    fs::path package = entry.path() / ("package-" + std::to_string(c.code_revision) + ".zip");
    std::optional<std::string> zip = ReadFile(package);
    if (!zip) {
      Skip(entry.path(), "cannot read " + package.filename().string());
      continue;
    }
    c.code_id = NewUuid();
    Status s = store->WriteRecords(
        {store::RecordWrite::Put(kFunctionRecordKind, name, c.ToJson().Dump(),
                                 store::RecordWrite::Condition::kAbsent),
         store::RecordWrite::Put(kPackageRecordKind, PackageRecordKey(name, c.code_id), *zip)});
    if (!s.ok() && s.error().error == store::kConditionFailed) continue;  // imported before
    if (!s.ok()) return Error{"ServiceException", "importing " + name + ": " + s.error().cause};
    ++imported;
  }
  if (ec) return Error{"ServiceException", "cannot list " + dir + ": " + ec.message()};
  std::string target = dir + ".imported";
  for (int i = 2; fs::exists(target, ec); ++i) target = dir + ".imported-" + std::to_string(i);
  fs::rename(dir, target, ec);
  if (ec) {
    return Error{"ServiceException",
                 "cannot rename " + dir + " to " + target + " after importing it: " + ec.message()};
  }
  std::cerr << "stator: imported " << imported << " function(s) from " << dir
            << " into the store; the directory is now " << target << "\n";
  return Status::Ok();
}

}  // namespace stator::functions
