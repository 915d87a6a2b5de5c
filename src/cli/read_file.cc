#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <cstdio>
#include <iostream>
#include <iterator>

#include "cli/commands.h"

namespace stator::cli {

Result<std::string> ReadTextFile(const std::string& path) {
  if (path == "-") {
    std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    if (std::cin.bad()) return Error{"Usage", "cannot read standard input"};
    return text;
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return Error{"Usage", "cannot read '" + path + "': " + strerror(errno)};
  }
  if (S_ISDIR(st.st_mode)) return Error{"Usage", "cannot read '" + path + "': it is a directory"};
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return Error{"Usage", "cannot read '" + path + "': " + strerror(errno)};
  std::string text;
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  bool failed = std::ferror(f) != 0;
  int err = errno;
  std::fclose(f);
  if (failed) return Error{"Usage", "cannot read '" + path + "': " + strerror(err)};
  return text;
}

}  // namespace stator::cli
