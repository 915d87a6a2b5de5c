// Allocator tuning for processes that run executions.
//
// An execution's history is many small allocations (event details, strings) that are all freed
// together when the result is dropped. glibc's default policy hands the top of the heap back to
// the kernel on such frees (M_TRIM_THRESHOLD) and maps large vectors fresh each time
// (M_MMAP_THRESHOLD), so the next execution pays page faults to grow the heap again; with a
// 1000-state Pass chain that costs more than the execution itself. TuneAllocatorOnce raises
// both thresholds (memory stays with the process and is reused by the next execution), and
// advises the next 16 MiB the main heap grows into as transparent huge pages (where the kernel
// allows them on request): a page fault costs 15-35 us on the project VM, and the first touch
// of each 2 MiB is then one fault instead of 512.
//
// Called by Execution::Create, and by `stator run` and `stator serve` before they read their
// input; idempotent; a no-op outside glibc.
// Thread-safety: safe to call from any thread.
#pragma once

namespace stator::engine {

void TuneAllocatorOnce();

}  // namespace stator::engine
