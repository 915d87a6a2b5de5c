// CodeCache: this node's unpacked function code. The configuration and packages of functions
// live in the store (FunctionRegistry); each node unpacks a package the first time it hands out
// that code, under one directory of its own:
//
//   DIR/NAME/code-CODE_ID/   a package unpacked: a Function's code_dir (CODE_ID: one upload)
//   DIR/.staging-*/          packages being unpacked, renamed into place once complete
//
// The directory is emptied when opened (no instance of an earlier run uses it) and, when
// temporary, removed by the destructor. Per function it keeps the code installed last and the
// one installed before it (instances of the previous revision may still be finishing on it);
// installing a newer one removes the others.
//
// Thread-safety: all methods may be called from any thread (one mutex; unpacking a package
// happens outside it).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "common/result.h"
#include "common/thread_annotations.h"

namespace stator::functions {

class CodeCache {
 public:
  // Opens dir (creating it, removing what an earlier run left in it).
  static Result<std::unique_ptr<CodeCache>> Open(const std::string& dir, bool temporary);
  ~CodeCache();
  CodeCache(const CodeCache&) = delete;
  CodeCache& operator=(const CodeCache&) = delete;

  const std::string& dir() const { return dir_; }

  // Where (name, code_id) is unpacked; "" when it is not installed.
  std::string Find(const std::string& name, const std::string& code_id) const EXCLUDES(mu_);

  // Unpacks zip into a new staging directory and returns it. Errors:
  // "InvalidParameterValueException" (not a zip this server can unpack), "ServiceException".
  Result<std::string> Stage(const std::string& zip) const;
  // Removes a staged directory that will not be installed.
  void Discard(const std::string& staged) const;
  // Moves a staged package into place as (name, code_id) and returns its directory; when
  // (name, code_id) is already installed, staged is removed and the installed one returned.
  Result<std::string> Install(const std::string& name, const std::string& code_id,
                              const std::string& staged) EXCLUDES(mu_);
  // The function was deleted: removes the directory of (name, code_id) and of the code ids of
  // name installed before it (not those installed since: the function created again).
  void Remove(const std::string& name, const std::string& code_id) EXCLUDES(mu_);

 private:
  CodeCache(std::string dir, bool temporary) : dir_(std::move(dir)), temporary_(temporary) {}
  std::string CodeDir(const std::string& name, const std::string& code_id) const {
    return dir_ + "/" + name + "/code-" + code_id;
  }

  const std::string dir_;
  const bool temporary_;
  mutable Mutex mu_;
  // Per function, the code ids installed, oldest first (at most two).
  std::map<std::string, std::vector<std::string>> installed_ GUARDED_BY(mu_);
};

}  // namespace stator::functions
