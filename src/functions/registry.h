// FunctionRegistry: the functions stator serves. Their configuration and deployment packages
// live in the store, so that every node of a cluster sharing one store sees every function; each
// node unpacks the code it hands out into its own CodeCache (code_cache.h).
//
// Records (store.h; kinds listed in docs/store.md):
//   "lambda.function"  NAME          the FunctionConfig as JSON text (FunctionConfig::ToJson)
//   "lambda.package"   NAME/CODE_ID  the deployment package as uploaded (the zip's bytes)
// CODE_ID (FunctionConfig::code_id) is a UUID per code upload: it names the package record and
// the function's directory in the cache, so a node never confuses two uploads (a function deleted
// and created again by another node, with the same revision number, gets a new one).
//
// Writes are conditional, so that nodes racing get Lambda's errors and never lose an update:
// Create writes the function record only where there is none (else ResourceConflictException);
// UpdateCode, Update and Delete compare-and-set against the record they read, and on a lost race
// read it again and retry (Update applies its edit to the newer configuration). A code update
// writes the new package and deletes the previous one in the same batch.
//
// Reads go through the store: a function created, changed or deleted on another node is seen by
// the next Get. Get costs one record read; while the record's text is unchanged it returns the
// snapshot it built before (no parsing, no file system access). The first Get of a code upload on
// a node fetches the package and unpacks it into the cache.
//
// Upgrade: a data directory of an earlier build kept functions as files
// (DIR/NAME/meta.json, DIR/NAME/package-REV.zip). Open imports such a directory
// (RegistryOptions::legacy_dir) into the store once and renames it to DIR.imported.
//
// Ownership: the store is not owned and must outlive the registry. Function snapshots are
// immutable and shared (std::shared_ptr<const Function>); a caller may keep one while the
// registry moves on.
// Thread-safety: all methods may be called from any thread (one internal mutex around the
// snapshot cache; store calls and unpacking happen outside it).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "common/result.h"
#include "common/thread_annotations.h"
#include "functions/code_cache.h"
#include "functions/function_config.h"
#include "store/store.h"

namespace stator::functions {

inline constexpr const char* kFunctionRecordKind = "lambda.function";
inline constexpr const char* kPackageRecordKind = "lambda.package";
// The key of a package record.
inline std::string PackageRecordKey(const std::string& name, const std::string& code_id) {
  return name + "/" + code_id;
}

struct Function {
  FunctionConfig config;
  std::string code_dir;  // absolute path of the unpacked code (exists when handed out)
};

using FunctionPtr = std::shared_ptr<const Function>;

struct RegistryOptions {
  std::string cache_dir;         // where this node unpacks code (emptied at open)
  bool temporary_cache = false;  // remove cache_dir in the destructor
  // A directory of functions as an earlier build kept them, imported into the store at open and
  // then renamed to legacy_dir + ".imported"; "" or a missing directory: nothing to import.
  std::string legacy_dir;
};

class FunctionRegistry {
 public:
  static Result<std::unique_ptr<FunctionRegistry>> Open(store::Store* store,
                                                        const RegistryOptions& options);
  FunctionRegistry(const FunctionRegistry&) = delete;
  FunctionRegistry& operator=(const FunctionRegistry&) = delete;

  const std::string& cache_dir() const { return cache_->dir(); }

  // The function with its code unpacked; nullptr when there is no such function. Errors:
  // "ServiceException" (the store failed, the package cannot be unpacked).
  Result<FunctionPtr> Find(const std::string& name) EXCLUDES(mu_);
  // Find, with nullptr for an error as well as for a missing function.
  FunctionPtr Get(const std::string& name) EXCLUDES(mu_);
  // Whether the function exists (one record read; nothing is unpacked).
  Result<bool> Exists(const std::string& name);
  // The configurations of all functions, by name (nothing is unpacked).
  Result<std::vector<FunctionConfig>> List() EXCLUDES(mu_);
  // The function's current deployment package. Errors: "ResourceNotFoundException",
  // "ServiceException".
  Result<std::string> Package(const std::string& name) EXCLUDES(mu_);

  // Creates a function from config (name, handler, ... set by the caller; code fields are
  // filled in here) and zip. Errors: "ResourceConflictException" (exists),
  // "InvalidParameterValueException" (bad zip), "ServiceException" (I/O).
  Result<FunctionPtr> Create(FunctionConfig config, const std::string& zip, int64_t now_ms)
      EXCLUDES(mu_);
  // Replaces the code. Errors: "ResourceNotFoundException", as Create.
  Result<FunctionPtr> UpdateCode(const std::string& name, const std::string& zip, int64_t now_ms)
      EXCLUDES(mu_);
  // Applies edit to a copy of the configuration and stores it (name and code fields are kept).
  // edit may fail (its Error is returned and nothing changes); it may be called more than once
  // (again on the newer configuration when another writer got in first).
  Result<FunctionPtr> Update(const std::string& name,
                             const std::function<Status(FunctionConfig*)>& edit, int64_t now_ms,
                             bool touch = true) EXCLUDES(mu_);
  // Errors: "ResourceNotFoundException".
  Status Delete(const std::string& name) EXCLUDES(mu_);

 private:
  struct Cached {
    std::string text;  // the function record this snapshot was built from
    FunctionPtr function;
  };

  FunctionRegistry(store::Store* store, std::unique_ptr<CodeCache> cache)
      : store_(store), cache_(std::move(cache)) {}
  // The function record's text, or nullopt.
  Result<std::optional<std::string>> ReadRecord(const std::string& name);
  // The configuration a record holds (the cached snapshot's when the text is the same).
  Result<FunctionConfig> Parse(const std::string& name, const std::string& text) EXCLUDES(mu_);
  // The snapshot of record `text` with its code unpacked; "lambda.PackageGone" when the package
  // was replaced meanwhile (the caller reads the record again).
  Result<FunctionPtr> Snapshot(const std::string& name, const std::string& text) EXCLUDES(mu_);
  Result<FunctionPtr> Remember(const std::string& text, FunctionConfig c,
                               const std::string& code_dir) EXCLUDES(mu_);

  store::Store* const store_;
  const std::unique_ptr<CodeCache> cache_;
  mutable Mutex mu_;
  std::map<std::string, Cached> snapshots_ GUARDED_BY(mu_);
};

}  // namespace stator::functions
