// Allocator tuning for processes that run executions.
//
// An execution's history is many small allocations (event details, strings) that are all freed
// together when the result is dropped. glibc's default policy hands the top of the heap back to
// the kernel on such frees (M_TRIM_THRESHOLD) and maps large vectors fresh each time
// (M_MMAP_THRESHOLD), so the next execution pays page faults to grow the heap again; with a
// 1000-state Pass chain that costs more than the execution itself. TuneAllocatorOnce raises
// both thresholds (memory stays with the process and is reused by the next execution).
//
// Called by Execution::Create; idempotent; a no-op outside glibc.
// Thread-safety: safe to call from any thread.
#pragma once

namespace stator::engine {

void TuneAllocatorOnce();

}  // namespace stator::engine
