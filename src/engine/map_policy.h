// The pure rules of a Map state that do not depend on running it: when failed iterations are
// tolerated (ToleratedFailureCount / ToleratedFailurePercentage, and distributed mode's default),
// and how ItemBatcher groups items into batches. The executor (executor_map_parallel.cc) resolves
// the fields (paths, templates) and applies these.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "common/json.h"

namespace stator::engine {

// A Map state's tolerated-failure threshold.
struct MapFailureTolerance {
  // False: no threshold applies (an inline Map without ToleratedFailure* fields), and the first
  // failed iteration fails the state with its own error.
  bool applies = false;
  int64_t max_failed = 0;         // tolerated failed iterations (ToleratedFailureCount)
  double max_failed_percent = 0;  // tolerated share of failed iterations, 0..100

  // The threshold a Map state sets: count and percent are its resolved ToleratedFailureCount
  // and ToleratedFailurePercentage, when given. Either alone bounds only what it names; a
  // distributed Map without either tolerates no failure (but still fails with
  // States.ExceedToleratedFailureThreshold).
  static MapFailureTolerance For(std::optional<int64_t> count, std::optional<double> percent,
                                 bool distributed);

  // Whether `failed` failed iterations out of `total` are within the threshold (when it
  // applies).
  bool Tolerates(size_t failed, size_t total) const;
};

// ItemBatcher's limits, resolved: MaxItemsPerBatch and MaxInputBytesPerBatch (no limit when
// absent), and the evaluated BatchInput.
struct MapBatchLimits {
  int64_t max_items = INT64_MAX;
  int64_t max_bytes = INT64_MAX;
  std::optional<json::Value> batch_input;
};

// Groups items (after their ItemSelector) into batches, in order: {"BatchInput": ..., "Items":
// [...]} (BatchInput left out when absent). A batch is closed before an item that would take it
// past max_items items or past max_bytes bytes of items' JSON; an item larger than max_bytes on
// its own still gets a batch. No items: no batches.
std::vector<json::Value> BatchMapItems(std::vector<json::Value> items,
                                       const MapBatchLimits& limits);

}  // namespace stator::engine
