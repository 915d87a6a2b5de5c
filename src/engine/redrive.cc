#include "engine/redrive.h"

#include <string_view>

#include "engine/event_type.h"

namespace stator::engine {
namespace {

bool Opens(std::string_view type) {
  return type == "ParallelStateStarted" || type == "MapStateStarted";
}

bool Closes(std::string_view type) {
  return type == "ParallelStateSucceeded" || type == "ParallelStateFailed" ||
         type == "ParallelStateAborted" || type == "MapStateSucceeded" ||
         type == "MapStateFailed" || type == "MapStateAborted";
}

// The id of the event before the last top-level state's Entered event in `effective` (the
// events of the current attempt chain, in order), or of the last event when none was entered.
int64_t CutAfter(const std::vector<const HistoryEvent*>& effective) {
  int depth = 0;
  size_t last_entered = effective.size();
  for (size_t i = 0; i < effective.size(); ++i) {
    std::string_view type = effective[i]->type;
    if (Opens(type)) {
      ++depth;
    } else if (Closes(type)) {
      if (depth > 0) --depth;
    } else if (depth == 0 && type.ends_with("StateEntered")) {
      last_entered = i;
    }
  }
  if (last_entered == effective.size() || last_entered == 0) {
    return effective.empty() ? 0 : effective.front()->id;  // after ExecutionStarted
  }
  return effective[last_entered - 1]->id;
}

void Truncate(std::vector<const HistoryEvent*>* effective, int64_t after) {
  while (!effective->empty() && effective->back()->id != after) effective->pop_back();
}

}  // namespace

std::vector<ExecutionOptions::RedriveCut> RedriveCuts(const std::vector<HistoryEvent>& history,
                                                      bool redrive_now) {
  std::vector<ExecutionOptions::RedriveCut> cuts;
  std::vector<const HistoryEvent*> effective;
  for (const HistoryEvent& e : history) {
    if (e.type == event_types::kExecutionRedriven.type) {
      const int64_t after = CutAfter(effective);
      Truncate(&effective, after);
      cuts.push_back({after, e.id});
    }
    effective.push_back(&e);
  }
  if (redrive_now && !history.empty()) {
    const int64_t after = CutAfter(effective);
    cuts.push_back({after, history.back().id + 1});
  }
  return cuts;
}

}  // namespace stator::engine
