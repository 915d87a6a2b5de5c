#include "common/read_file.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <cstdio>

namespace stator {

Result<std::string> ReadWholeFile(const std::string& path, const std::string& error_code) {
  auto fail = [&](const std::string& why) {
    return Error{error_code, "cannot read '" + path + "': " + why};
  };
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return fail(strerror(errno));
  if (S_ISDIR(st.st_mode)) return fail("it is a directory");
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return fail(strerror(errno));
  std::string text;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (failed) return fail(strerror(err));
  return text;
}

}  // namespace stator
