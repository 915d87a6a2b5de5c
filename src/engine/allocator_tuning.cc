#include "engine/allocator_tuning.h"

#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#endif

namespace stator::engine {

void TuneAllocatorOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
#if defined(__GLIBC__)
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_TOP_PAD, 4 << 20);
    // The main heap grows by sbrk; ask for transparent huge pages on what it will grow into, so
    // that the first touch of each 2 MiB costs one fault instead of 512.
    constexpr uintptr_t kHuge = 2 << 20;
    constexpr size_t kAhead = 16 << 20;
    auto start = reinterpret_cast<uintptr_t>(sbrk(0));
    if (void* p = malloc(kAhead)) {
      auto end = reinterpret_cast<uintptr_t>(sbrk(0));
      uintptr_t from = (start + kHuge - 1) & ~(kHuge - 1);
      if (end > from) madvise(reinterpret_cast<void*>(from), end - from, MADV_HUGEPAGE);
      free(p);
    }
#endif
  });
}

}  // namespace stator::engine
