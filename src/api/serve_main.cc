// stator-serve: a temporary stand-alone entry point for `stator serve` until the CLI wires the
// subcommand (src/cli). Same flags:
//   stator-serve [--host H] [--port P] [--data-dir D] [--account A] [--region R]
//                [--time-scale S] [--threads N]
#include <cstdlib>
#include <iostream>
#include <string>

#include "api/serve.h"

int main(int argc, char** argv) {
  stator::api::ServeOptions o;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    std::string value;
    size_t eq = flag.find('=');
    if (eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      std::cerr << "stator-serve: " << flag << " needs a value\n";
      return 2;
    }
    char* end = nullptr;
    if (flag == "--host") {
      o.host = value;
    } else if (flag == "--port") {
      long p = std::strtol(value.c_str(), &end, 10);
      if (*end || p < 0 || p > 65535) {
        std::cerr << "stator-serve: bad --port " << value << "\n";
        return 2;
      }
      o.port = static_cast<uint16_t>(p);
    } else if (flag == "--data-dir") {
      o.data_dir = value;
    } else if (flag == "--account") {
      o.account = value;
    } else if (flag == "--region") {
      o.region = value;
    } else if (flag == "--time-scale") {
      o.time_scale = std::strtod(value.c_str(), &end);
      if (*end || !(o.time_scale > 0)) {
        std::cerr << "stator-serve: bad --time-scale " << value << "\n";
        return 2;
      }
    } else if (flag == "--threads") {
      o.threads = static_cast<int>(std::strtol(value.c_str(), &end, 10));
      if (*end || o.threads < 1) {
        std::cerr << "stator-serve: bad --threads " << value << "\n";
        return 2;
      }
    } else {
      std::cerr << "stator-serve: unknown flag " << flag << "\n";
      return 2;
    }
  }
  return stator::api::Serve(o);
}
