// FunctionRegistry: the functions stator serves, their configuration and their unpacked code,
// kept under one root directory (DATA_DIR/functions, or a temporary directory removed at
// shutdown when the server keeps no data):
//
//   ROOT/NAME/meta.json          the FunctionConfig (written atomically: tmp file + rename)
//   ROOT/NAME/package-REV.zip    the deployment package as uploaded (CodeSha256, GetFunction)
//   ROOT/NAME/code-REV/          the package unpacked: the function's code directory
//   ROOT/.staging-*/             uploads being unpacked (removed at open)
//
// A code update unpacks a new revision next to the old one and switches meta.json to it; the
// revision before is kept (instances still running it may read it) and older ones are removed.
//
// Ownership: Function snapshots are immutable and shared (std::shared_ptr<const Function>); a
// caller may keep one while the registry moves on.
// Thread-safety: all methods may be called from any thread (one internal mutex; unpacking a
// package happens outside it).
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
#include "functions/function_config.h"

namespace stator::functions {

struct Function {
  FunctionConfig config;
  std::string code_dir;      // absolute path of the unpacked code
  std::string package_path;  // absolute path of the zip
};

using FunctionPtr = std::shared_ptr<const Function>;

class FunctionRegistry {
 public:
  // Opens (creating it if needed) the registry at root and loads the functions found there.
  // With temporary, root is removed by the destructor.
  static Result<std::unique_ptr<FunctionRegistry>> Open(const std::string& root, bool temporary);
  ~FunctionRegistry();
  FunctionRegistry(const FunctionRegistry&) = delete;
  FunctionRegistry& operator=(const FunctionRegistry&) = delete;

  const std::string& root() const { return root_; }

  // nullptr when there is no such function.
  FunctionPtr Get(const std::string& name) const EXCLUDES(mu_);
  // All functions by name.
  std::vector<FunctionPtr> List() const EXCLUDES(mu_);

  // Creates a function from config (name, handler, ... set by the caller; code fields are
  // filled in here) and zip. Errors: "ResourceConflictException" (exists),
  // "InvalidParameterValueException" (bad zip), "ServiceException" (I/O).
  Result<FunctionPtr> Create(FunctionConfig config, const std::string& zip, int64_t now_ms)
      EXCLUDES(mu_);
  // Replaces the code. Errors: "ResourceNotFoundException", as Create.
  Result<FunctionPtr> UpdateCode(const std::string& name, const std::string& zip, int64_t now_ms)
      EXCLUDES(mu_);
  // Applies edit to a copy of the configuration and stores it (name and code fields are kept).
  // edit may fail (its Error is returned and nothing changes).
  Result<FunctionPtr> Update(const std::string& name,
                             const std::function<Status(FunctionConfig*)>& edit, int64_t now_ms,
                             bool touch = true) EXCLUDES(mu_);
  // Errors: "ResourceNotFoundException".
  Status Delete(const std::string& name) EXCLUDES(mu_);

 private:
  FunctionRegistry(std::string root, bool temporary)
      : root_(std::move(root)), temporary_(temporary) {}
  Status Load() EXCLUDES(mu_);
  // Unpacks zip into a fresh staging directory; returns its path.
  Result<std::string> Stage(const std::string& zip);
  Status WriteMeta(const FunctionConfig& c) const;
  FunctionPtr Snapshot(const FunctionConfig& c) const;
  std::string Dir(const std::string& name) const { return root_ + "/" + name; }

  const std::string root_;
  const bool temporary_;
  mutable Mutex mu_;
  std::map<std::string, FunctionPtr> functions_ GUARDED_BY(mu_);
};

}  // namespace stator::functions
