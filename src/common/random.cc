#include "common/random.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "common/hash.h"

namespace stator {

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  size_t got = 0;
  while (got < n) {
    ssize_t r = getrandom(out.data() + got, n - got, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      std::perror("stator: getrandom");
      std::abort();
    }
    got += static_cast<size_t>(r);
  }
  return out;
}

std::string RandomHex(size_t n) { return hash::ToHex(RandomBytes(n)); }

}  // namespace stator
