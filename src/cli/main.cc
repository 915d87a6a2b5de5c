// The stator executable: wiring only; everything happens in cli::Main.
#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  int code = stator::cli::Main(args, std::cout, std::cerr);
  std::cout.flush();
  return code;
}
