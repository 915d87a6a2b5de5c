#include "functions/registry.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "common/base64.h"
#include "common/hash.h"
#include "common/uuid.h"
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

std::string NewRevisionId() { return NewUuid(); }

Status WriteFileAtomically(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error{"ServiceException", "cannot write " + tmp + ": " + strerror(errno)};
  const char* p = content.data();
  size_t n = content.size();
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      close(fd);
      return Error{"ServiceException", "cannot write " + tmp + ": " + strerror(errno)};
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  fsync(fd);
  close(fd);
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    return Error{"ServiceException", "cannot rename " + tmp + ": " + strerror(errno)};
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<FunctionRegistry>> FunctionRegistry::Open(const std::string& root,
                                                                 bool temporary) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return Io("cannot create the function directory " + root, ec);
  std::string abs = fs::absolute(root, ec).lexically_normal().string();
  if (ec) return Io("cannot resolve " + root, ec);
  while (abs.size() > 1 && abs.back() == '/') abs.pop_back();
  std::unique_ptr<FunctionRegistry> r(new FunctionRegistry(abs, temporary));
  STATOR_RETURN_IF_ERROR(r->Load());
  return r;
}

FunctionRegistry::~FunctionRegistry() {
  if (temporary_) {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
}

Status FunctionRegistry::Load() {
  MutexLock lock(&mu_);  // (nobody else has the registry yet)
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root_, ec)) {
    std::string name = entry.path().filename().string();
    if (name.starts_with(".staging-")) {
      fs::remove_all(entry.path(), ec);
      continue;
    }
    if (!entry.is_directory() || !IsValidFunctionName(name)) continue;
    std::ifstream in(entry.path() / "meta.json");
    if (!in) continue;  // a function whose creation never finished
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = json::Parse(text.str());
    if (!parsed.ok()) {
      return Error{"ServiceException", "corrupt " + (entry.path() / "meta.json").string() + ": " +
                                           parsed.error().cause};
    }
    STATOR_TRY(FunctionConfig c, FunctionConfig::FromJson(*parsed));
    if (c.name != name) continue;
    // Remove revisions that are neither the current one nor the one before.
    for (const auto& f : fs::directory_iterator(entry.path(), ec)) {
      std::string fname = f.path().filename().string();
      std::string cur = std::to_string(c.code_revision);
      std::string prev = std::to_string(c.code_revision - 1);
      bool code = fname.starts_with("code-"), pkg = fname.starts_with("package-");
      if (!code && !pkg) continue;
      std::string rev = code ? fname.substr(5) : fname.substr(8, fname.size() - 12);
      if (rev != cur && rev != prev) fs::remove_all(f.path(), ec);
    }
    functions_[name] = Snapshot(c);
  }
  if (ec) return Io("cannot list " + root_, ec);
  return Status::Ok();
}

FunctionPtr FunctionRegistry::Snapshot(const FunctionConfig& c) const {
  auto f = std::make_shared<Function>();
  f->config = c;
  f->code_dir = Dir(c.name) + "/code-" + std::to_string(c.code_revision);
  f->package_path = Dir(c.name) + "/package-" + std::to_string(c.code_revision) + ".zip";
  return f;
}

FunctionPtr FunctionRegistry::Get(const std::string& name) const {
  MutexLock lock(&mu_);
  auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : it->second;
}

std::vector<FunctionPtr> FunctionRegistry::List() const {
  MutexLock lock(&mu_);
  std::vector<FunctionPtr> out;
  out.reserve(functions_.size());
  for (const auto& [name, f] : functions_) out.push_back(f);
  return out;
}

Result<std::string> FunctionRegistry::Stage(const std::string& zip) {
  std::string dir = root_ + "/.staging-" + RandomHex(8);
  std::error_code ec;
  fs::create_directories(dir + "/code", ec);
  if (ec) return Io("cannot create " + dir, ec);
  auto unzipped = ExtractZip(zip, dir + "/code");
  if (!unzipped.ok()) {
    fs::remove_all(dir, ec);
    return Error{"InvalidParameterValueException", unzipped.error().cause};
  }
  std::ofstream out(dir + "/package.zip", std::ios::binary);
  out.write(zip.data(), static_cast<std::streamsize>(zip.size()));
  out.close();
  if (!out) {
    fs::remove_all(dir, ec);
    return Error{"ServiceException", "cannot store the package"};
  }
  return dir;
}

Status FunctionRegistry::WriteMeta(const FunctionConfig& c) const {
  return WriteFileAtomically(Dir(c.name) + "/meta.json", c.ToJson().Dump());
}

Result<FunctionPtr> FunctionRegistry::Create(FunctionConfig c, const std::string& zip,
                                             int64_t now_ms) {
  if (Get(c.name)) {
    return Error{"ResourceConflictException", "Function already exist: " + c.name};
  }
  STATOR_TRY(std::string staged, Stage(zip));
  std::error_code ec;
  MutexLock lock(&mu_);
  if (functions_.count(c.name)) {
    fs::remove_all(staged, ec);
    return Error{"ResourceConflictException", "Function already exist: " + c.name};
  }
  std::string dir = Dir(c.name);
  fs::remove_all(dir, ec);  // leftovers of an unfinished create or delete
  fs::create_directories(dir, ec);
  if (ec) return Io("cannot create " + dir, ec);
  c.code_revision = 1;
  c.code_size = static_cast<int64_t>(zip.size());
  c.code_sha256 = Base64Encode(hash::Digest(hash::Algorithm::kSha256, zip));
  c.last_modified = LambdaTimestamp(now_ms);
  c.revision_id = NewRevisionId();
  fs::rename(staged + "/code", dir + "/code-1", ec);
  if (!ec) fs::rename(staged + "/package.zip", dir + "/package-1.zip", ec);
  fs::remove_all(staged, ec);
  if (ec) {
    fs::remove_all(dir, ec);
    return Io("cannot store the code of " + c.name, ec);
  }
  Status s = WriteMeta(c);
  if (!s.ok()) {
    fs::remove_all(dir, ec);
    return std::move(s).error();
  }
  FunctionPtr f = Snapshot(c);
  functions_[c.name] = f;
  return f;
}

Result<FunctionPtr> FunctionRegistry::UpdateCode(const std::string& name, const std::string& zip,
                                                 int64_t now_ms) {
  if (!Get(name)) return Error{"ResourceNotFoundException", ""};
  STATOR_TRY(std::string staged, Stage(zip));
  std::error_code ec;
  MutexLock lock(&mu_);
  auto it = functions_.find(name);
  if (it == functions_.end()) {
    fs::remove_all(staged, ec);
    return Error{"ResourceNotFoundException", ""};
  }
  FunctionConfig c = it->second->config;
  int64_t old_rev = c.code_revision;
  c.code_revision = old_rev + 1;
  c.code_size = static_cast<int64_t>(zip.size());
  c.code_sha256 = Base64Encode(hash::Digest(hash::Algorithm::kSha256, zip));
  c.last_modified = LambdaTimestamp(now_ms);
  c.revision_id = NewRevisionId();
  std::string dir = Dir(name), rev = std::to_string(c.code_revision);
  fs::remove_all(dir + "/code-" + rev, ec);
  fs::rename(staged + "/code", dir + "/code-" + rev, ec);
  if (!ec) fs::rename(staged + "/package.zip", dir + "/package-" + rev + ".zip", ec);
  fs::remove_all(staged, ec);
  if (ec) return Io("cannot store the code of " + name, ec);
  STATOR_RETURN_IF_ERROR(WriteMeta(c));
  // Keep the revision before (instances may still run it); drop the one before that.
  std::string older = std::to_string(old_rev - 1);
  fs::remove_all(dir + "/code-" + older, ec);
  fs::remove(dir + "/package-" + older + ".zip", ec);
  FunctionPtr f = Snapshot(c);
  it->second = f;
  return f;
}

Result<FunctionPtr> FunctionRegistry::Update(const std::string& name,
                                             const std::function<Status(FunctionConfig*)>& edit,
                                             int64_t now_ms, bool touch) {
  MutexLock lock(&mu_);
  auto it = functions_.find(name);
  if (it == functions_.end()) return Error{"ResourceNotFoundException", ""};
  FunctionConfig c = it->second->config;
  STATOR_RETURN_IF_ERROR(edit(&c));
  const FunctionConfig& old = it->second->config;
  c.name = old.name;
  c.code_revision = old.code_revision;
  c.code_sha256 = old.code_sha256;
  c.code_size = old.code_size;
  if (touch) {
    c.last_modified = LambdaTimestamp(now_ms);
    c.revision_id = NewRevisionId();
  }
  STATOR_RETURN_IF_ERROR(WriteMeta(c));
  FunctionPtr f = Snapshot(c);
  it->second = f;
  return f;
}

Status FunctionRegistry::Delete(const std::string& name) {
  MutexLock lock(&mu_);
  auto it = functions_.find(name);
  if (it == functions_.end()) return Error{"ResourceNotFoundException", ""};
  std::error_code ec;
  // meta.json first: a crash half-way leaves a directory Load ignores.
  fs::remove(Dir(name) + "/meta.json", ec);
  if (ec) return Io("cannot delete " + name, ec);
  fs::remove_all(Dir(name), ec);
  functions_.erase(it);
  return Status::Ok();
}

}  // namespace stator::functions
