#include "functions/registry.h"

#include "common/base64.h"
#include "common/hash.h"
#include "common/uuid.h"
#include "functions/legacy_import.h"

namespace stator::functions {
namespace {

// A package record gone because its function's code was replaced after the function record
// was read (internal: the reader reads the record again).
constexpr const char* kPackageGone = "lambda.PackageGone";
// Attempts of a read-modify-write that keeps losing its compare-and-set to other writers.
constexpr int kMaxAttempts = 50;

Error StoreError(const Error& e) { return Error{"ServiceException", e.cause}; }

Error Busy() {
  return Error{"ResourceConflictException",
               "The operation cannot be performed at this time. An update is in progress for "
               "resource: the function"};
}

Error NotFound() { return Error{"ResourceNotFoundException", ""}; }

// Sets the code fields of c for a new upload of zip.
void NewCode(FunctionConfig* c, const std::string& zip, int64_t revision, int64_t now_ms) {
  c->code_revision = revision;
  c->code_id = NewUuid();
  c->code_size = static_cast<int64_t>(zip.size());
  c->code_sha256 = Base64Encode(hash::Digest(hash::Algorithm::kSha256, zip));
  c->last_modified = LambdaTimestamp(now_ms);
  c->revision_id = NewUuid();
}

bool ConditionFailed(const Status& s) {
  return !s.ok() && s.error().error == store::kConditionFailed;
}

}  // namespace

Result<std::unique_ptr<FunctionRegistry>> FunctionRegistry::Open(store::Store* store,
                                                                 const RegistryOptions& options) {
  STATOR_TRY(std::unique_ptr<CodeCache> cache,
             CodeCache::Open(options.cache_dir, options.temporary_cache));
  if (!options.legacy_dir.empty()) {
    STATOR_RETURN_IF_ERROR(ImportLegacyFunctions(store, options.legacy_dir));
  }
  return std::unique_ptr<FunctionRegistry>(new FunctionRegistry(store, std::move(cache)));
}

Result<std::optional<std::string>> FunctionRegistry::ReadRecord(const std::string& name) {
  auto text = store_->GetRecord(kFunctionRecordKind, name);
  if (!text.ok()) return StoreError(text.error());
  return std::move(text).value();
}

Result<FunctionConfig> FunctionRegistry::Parse(const std::string& name, const std::string& text) {
  {
    MutexLock lock(&mu_);
    auto it = snapshots_.find(name);
    if (it != snapshots_.end() && it->second.text == text) return it->second.function->config;
  }
  auto parsed = json::Parse(text);
  if (!parsed.ok()) {
    return Error{"ServiceException",
                 "corrupt function record " + name + ": " + parsed.error().cause};
  }
  auto c = FunctionConfig::FromJson(*parsed);
  if (!c.ok() || c->name != name || c->code_id.empty()) {
    return Error{"ServiceException", "corrupt function record " + name};
  }
  return std::move(c).value();
}

Result<FunctionPtr> FunctionRegistry::Remember(const std::string& text, FunctionConfig c,
                                               const std::string& code_dir) {
  auto f = std::make_shared<Function>();
  f->config = std::move(c);
  f->code_dir = code_dir;
  MutexLock lock(&mu_);
  snapshots_[f->config.name] = Cached{text, f};
  return FunctionPtr(f);
}

Result<FunctionPtr> FunctionRegistry::Snapshot(const std::string& name, const std::string& text) {
  {
    MutexLock lock(&mu_);
    auto it = snapshots_.find(name);
    if (it != snapshots_.end() && it->second.text == text) return it->second.function;
  }
  STATOR_TRY(FunctionConfig c, Parse(name, text));
  std::string dir = cache_->Find(name, c.code_id);
  if (dir.empty()) {
    auto zip = store_->GetRecord(kPackageRecordKind, PackageRecordKey(name, c.code_id));
    if (!zip.ok()) return StoreError(zip.error());
    if (!zip->has_value()) return Error{kPackageGone, name};
    auto staged = cache_->Stage(**zip);
    if (!staged.ok()) {
      return Error{"ServiceException",
                   "cannot unpack the code of " + name + ": " + staged.error().cause};
    }
    STATOR_TRY(dir, cache_->Install(name, c.code_id, *staged));
  }
  return Remember(text, std::move(c), dir);
}

Result<FunctionPtr> FunctionRegistry::Find(const std::string& name) {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    STATOR_TRY(std::optional<std::string> text, ReadRecord(name));
    if (!text) {
      std::string code_id;
      {
        MutexLock lock(&mu_);
        auto it = snapshots_.find(name);
        if (it != snapshots_.end()) {
          code_id = it->second.function->config.code_id;
          snapshots_.erase(it);
        }
      }
      if (!code_id.empty()) cache_->Remove(name, code_id);  // deleted (by another node)
      return FunctionPtr();
    }
    auto f = Snapshot(name, *text);
    if (f.ok() || f.error().error != kPackageGone) return f;
  }
  return Busy();
}

FunctionPtr FunctionRegistry::Get(const std::string& name) {
  auto f = Find(name);
  return f.ok() ? *f : nullptr;
}

Result<bool> FunctionRegistry::Exists(const std::string& name) {
  STATOR_TRY(std::optional<std::string> text, ReadRecord(name));
  return text.has_value();
}

Result<std::vector<FunctionConfig>> FunctionRegistry::List() {
  std::vector<FunctionConfig> out;
  std::string after;
  for (;;) {
    auto page = store_->ListRecords(kFunctionRecordKind, "", after, 100);
    if (!page.ok()) return StoreError(page.error());
    for (const store::Record& r : page->items) {
      STATOR_TRY(FunctionConfig c, Parse(r.key, r.value));
      out.push_back(std::move(c));
    }
    if (page->next.empty()) break;
    after = page->next;
  }
  return out;
}

Result<std::string> FunctionRegistry::Package(const std::string& name) {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    STATOR_TRY(std::optional<std::string> text, ReadRecord(name));
    if (!text) return NotFound();
    STATOR_TRY(FunctionConfig c, Parse(name, *text));
    auto zip = store_->GetRecord(kPackageRecordKind, PackageRecordKey(name, c.code_id));
    if (!zip.ok()) return StoreError(zip.error());
    if (zip->has_value()) return std::move(**zip);
  }
  return Busy();
}

Result<FunctionPtr> FunctionRegistry::Create(FunctionConfig c, const std::string& zip,
                                             int64_t now_ms) {
  const std::string name = c.name;
  auto conflict = [&name] {
    return Error{"ResourceConflictException", "Function already exist: " + name};
  };
  STATOR_TRY(bool exists, Exists(name));
  if (exists) return conflict();
  STATOR_TRY(std::string staged, cache_->Stage(zip));
  NewCode(&c, zip, 1, now_ms);
  std::string text = c.ToJson().Dump();
  Status s = store_->WriteRecords(
      {store::RecordWrite::Put(kFunctionRecordKind, name, text,
                               store::RecordWrite::Condition::kAbsent),
       store::RecordWrite::Put(kPackageRecordKind, PackageRecordKey(name, c.code_id), zip)});
  if (!s.ok()) {
    cache_->Discard(staged);
    if (ConditionFailed(s)) return conflict();
    return StoreError(s.error());
  }
  STATOR_TRY(std::string dir, cache_->Install(name, c.code_id, staged));
  return Remember(text, std::move(c), dir);
}

Result<FunctionPtr> FunctionRegistry::UpdateCode(const std::string& name, const std::string& zip,
                                                 int64_t now_ms) {
  STATOR_TRY(std::optional<std::string> text, ReadRecord(name));
  if (!text) return NotFound();
  STATOR_TRY(std::string staged, cache_->Stage(zip));
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    auto old = Parse(name, *text);
    if (!old.ok()) {
      cache_->Discard(staged);
      return std::move(old).error();
    }
    FunctionConfig c = *old;
    NewCode(&c, zip, old->code_revision + 1, now_ms);
    std::string updated = c.ToJson().Dump();
    Status s = store_->WriteRecords(
        {store::RecordWrite::IfEquals(kFunctionRecordKind, name, updated, *text),
         store::RecordWrite::Put(kPackageRecordKind, PackageRecordKey(name, c.code_id), zip),
         store::RecordWrite::Delete(kPackageRecordKind, PackageRecordKey(name, old->code_id))});
    if (s.ok()) {
      STATOR_TRY(std::string dir, cache_->Install(name, c.code_id, staged));
      return Remember(updated, std::move(c), dir);
    }
    if (!ConditionFailed(s)) {
      cache_->Discard(staged);
      return StoreError(s.error());
    }
    // Another writer got in first: apply the new code on top of what it wrote.
    auto again = ReadRecord(name);
    if (!again.ok() || !*again) {
      cache_->Discard(staged);
      if (!again.ok()) return std::move(again).error();
      return NotFound();
    }
    text = std::move(*again);
  }
  cache_->Discard(staged);
  return Busy();
}

Result<FunctionPtr> FunctionRegistry::Update(const std::string& name,
                                             const std::function<Status(FunctionConfig*)>& edit,
                                             int64_t now_ms, bool touch) {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    STATOR_TRY(std::optional<std::string> text, ReadRecord(name));
    if (!text) return NotFound();
    STATOR_TRY(FunctionConfig old, Parse(name, *text));
    FunctionConfig c = old;
    STATOR_RETURN_IF_ERROR(edit(&c));
    c.name = old.name;
    c.code_revision = old.code_revision;
    c.code_id = old.code_id;
    c.code_sha256 = old.code_sha256;
    c.code_size = old.code_size;
    if (touch) {
      c.last_modified = LambdaTimestamp(now_ms);
      c.revision_id = NewUuid();
    }
    std::string updated = c.ToJson().Dump();
    Status s = store_->WriteRecords(
        {store::RecordWrite::IfEquals(kFunctionRecordKind, name, updated, *text)});
    if (ConditionFailed(s)) continue;  // another writer got in first: edit its configuration
    if (!s.ok()) return StoreError(s.error());
    for (int unpack = 0; unpack < kMaxAttempts; ++unpack) {
      auto f = Snapshot(name, updated);
      if (f.ok() || f.error().error != kPackageGone) return f;
      // The code was replaced since: hand out the function as it is now.
      auto now = ReadRecord(name);
      if (!now.ok()) return std::move(now).error();
      if (!*now) return NotFound();
      updated = std::move(**now);
    }
    return Busy();
  }
  return Busy();
}

Status FunctionRegistry::Delete(const std::string& name) {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    STATOR_TRY(std::optional<std::string> text, ReadRecord(name));
    if (!text) return NotFound();
    STATOR_TRY(FunctionConfig c, Parse(name, *text));
    Status s = store_->WriteRecords(
        {store::RecordWrite::IfEquals(kFunctionRecordKind, name, std::nullopt, *text),
         store::RecordWrite::Delete(kPackageRecordKind, PackageRecordKey(name, c.code_id))});
    if (ConditionFailed(s)) continue;
    if (!s.ok()) return StoreError(s.error());
    {
      MutexLock lock(&mu_);
      snapshots_.erase(name);
    }
    cache_->Remove(name, c.code_id);
    return Status::Ok();
  }
  return Busy();
}

}  // namespace stator::functions
