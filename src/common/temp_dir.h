// TempDir: a fresh directory under the system's temporary directory, removed with everything in
// it when the object goes out of scope.
//
// Thread-safety: one object per thread; distinct objects are independent.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace stator {

class TempDir {
 public:
  // Creates PREFIX-XXXXXX under the temporary directory; path() is empty when it could not.
  explicit TempDir(const std::string& prefix = "stator") {
    std::error_code ec;
    std::filesystem::path base = std::filesystem::temp_directory_path(ec);
    if (ec) base = "/tmp";
    std::string tmpl = (base / (prefix + "-XXXXXX")).string();
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace stator
