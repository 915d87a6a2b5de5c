// RedriveCuts: where a redrive cuts an execution's stored history (ExecutionOptions::redrives).
//
// A redrive continues an execution from the top-level state that did not complete: the events
// up to that state's Entered event stay (they are replayed, their tasks not run again), the
// rest of the failed attempt is skipped, and the state runs again after an ExecutionRedriven
// event. A top-level state is one entered outside any Parallel or Map (events between a
// Parallel/MapStateStarted and its Succeeded/Failed/Aborted belong to branches and iterations),
// so a failed Parallel or Map runs again as a whole.
//
// Thread-safety: a pure function.
#pragma once

#include <vector>

#include "engine/execution.h"

namespace stator::engine {

// The cuts of every ExecutionRedriven in `history` (the stored events, ids 1..n in order),
// and, with `redrive_now`, of a new redrive whose ExecutionRedriven will be event n + 1.
std::vector<ExecutionOptions::RedriveCut> RedriveCuts(const std::vector<HistoryEvent>& history,
                                                      bool redrive_now);

}  // namespace stator::engine
