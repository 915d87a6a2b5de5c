#include "functions/code_cache.h"

#include <algorithm>
#include <filesystem>
#include <random>

#include "functions/zip_package.h"

namespace stator::functions {
namespace {

namespace fs = std::filesystem;

Error Io(const std::string& what, const std::error_code& ec) {
  return Error{"ServiceException", what + ": " + ec.message()};
}

std::string RandomHex(int bytes) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < bytes; ++i) {
    unsigned v = static_cast<unsigned>(rng() & 0xFF);
    s += kHex[v >> 4];
    s += kHex[v & 15];
  }
  return s;
}

}  // namespace

Result<std::unique_ptr<CodeCache>> CodeCache::Open(const std::string& dir, bool temporary) {
  std::error_code ec;
  std::string abs = fs::absolute(dir, ec).lexically_normal().string();
  if (ec) return Io("cannot resolve " + dir, ec);
  while (abs.size() > 1 && abs.back() == '/') abs.pop_back();
  fs::create_directories(abs, ec);
  if (ec) return Io("cannot create the function code cache " + abs, ec);
  // What an earlier run unpacked: no instance uses it any more.
  for (const auto& entry : fs::directory_iterator(abs, ec)) {
    std::error_code ignored;
    fs::remove_all(entry.path(), ignored);
  }
  if (ec) return Io("cannot list " + abs, ec);
  return std::unique_ptr<CodeCache>(new CodeCache(abs, temporary));
}

CodeCache::~CodeCache() {
  if (temporary_) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
}

std::string CodeCache::Find(const std::string& name, const std::string& code_id) const {
  MutexLock lock(&mu_);
  auto it = installed_.find(name);
  if (it == installed_.end()) return "";
  const auto& ids = it->second;
  return std::find(ids.begin(), ids.end(), code_id) == ids.end() ? "" : CodeDir(name, code_id);
}

Result<std::string> CodeCache::Stage(const std::string& zip) const {
  std::string dir = dir_ + "/.staging-" + RandomHex(8);
  std::error_code ec;
  fs::create_directories(dir + "/code", ec);
  if (ec) return Io("cannot create " + dir, ec);
  auto unzipped = ExtractZip(zip, dir + "/code");
  if (!unzipped.ok()) {
    fs::remove_all(dir, ec);
    return Error{"InvalidParameterValueException", unzipped.error().cause};
  }
  return dir;
}

void CodeCache::Discard(const std::string& staged) const {
  std::error_code ec;
  fs::remove_all(staged, ec);
}

Result<std::string> CodeCache::Install(const std::string& name, const std::string& code_id,
                                       const std::string& staged) {
  std::string target = CodeDir(name, code_id);
  std::error_code ec;
  MutexLock lock(&mu_);
  std::vector<std::string>& ids = installed_[name];
  if (std::find(ids.begin(), ids.end(), code_id) != ids.end()) {
    fs::remove_all(staged, ec);
    return target;
  }
  fs::create_directories(dir_ + "/" + name, ec);
  if (!ec) fs::remove_all(target, ec);  // leftovers of an install that failed half-way
  if (!ec) fs::rename(staged + "/code", target, ec);
  std::error_code ignored;
  fs::remove_all(staged, ignored);
  if (ec) return Io("cannot store the code of " + name, ec);
  ids.push_back(code_id);
  if (ids.size() > 2) ids.erase(ids.begin(), ids.end() - 2);
  // Remove every other code directory of the function (older revisions, and code ids this
  // node installed before the function was deleted and created again elsewhere).
  std::vector<fs::path> stale;
  for (const auto& entry : fs::directory_iterator(dir_ + "/" + name, ignored)) {
    std::string fname = entry.path().filename().string();
    if (!fname.starts_with("code-")) continue;
    if (std::find(ids.begin(), ids.end(), fname.substr(5)) == ids.end()) {
      stale.push_back(entry.path());
    }
  }
  for (const fs::path& p : stale) fs::remove_all(p, ignored);
  return target;
}

void CodeCache::Remove(const std::string& name, const std::string& code_id) {
  MutexLock lock(&mu_);
  auto it = installed_.find(name);
  if (it == installed_.end()) return;
  std::vector<std::string>& ids = it->second;
  auto last = std::find(ids.begin(), ids.end(), code_id);
  if (last == ids.end()) return;
  std::error_code ec;
  for (auto id = ids.begin(); id <= last; ++id) fs::remove_all(CodeDir(name, *id), ec);
  ids.erase(ids.begin(), last + 1);
  if (ids.empty()) {
    installed_.erase(it);
    fs::remove(dir_ + "/" + name, ec);  // only when empty
  }
}

}  // namespace stator::functions
