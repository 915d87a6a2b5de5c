#include "common/read_file.h"

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
  return ReadWholeFile(path, "Usage");
}

}  // namespace stator::cli
