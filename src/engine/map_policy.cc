#include "engine/map_policy.h"

#include <utility>

#include "engine/payload_io.h"

namespace stator::engine {

MapFailureTolerance MapFailureTolerance::For(std::optional<int64_t> count,
                                             std::optional<double> percent, bool distributed) {
  MapFailureTolerance t;
  if (count) {
    t.applies = true;
    t.max_failed = *count;
    t.max_failed_percent = 100;
  }
  if (percent) {
    if (!t.applies) t.max_failed = INT64_MAX;
    t.applies = true;
    t.max_failed_percent = *percent;
  }
  if (distributed && !t.applies) {
    t.applies = true;
    t.max_failed = 0;
    t.max_failed_percent = 0;
  }
  return t;
}

bool MapFailureTolerance::Tolerates(size_t failed, size_t total) const {
  if (!applies) return false;
  const double percent = 100.0 * static_cast<double>(failed) / static_cast<double>(total);
  return static_cast<int64_t>(failed) <= max_failed && percent <= max_failed_percent;
}

std::vector<json::Value> BatchMapItems(std::vector<json::Value> items,
                                       const MapBatchLimits& limits) {
  std::vector<json::Value> batches;
  json::Array current;
  int64_t current_bytes = 0;
  auto close_batch = [&] {
    json::Object batch;
    if (limits.batch_input) batch.emplace_back("BatchInput", *limits.batch_input);
    batch.emplace_back("Items", json::Value::MakeArray(std::move(current)));
    batches.push_back(json::Value::MakeObject(std::move(batch)));
    current.clear();
    current_bytes = 0;
  };
  for (json::Value& item : items) {
    const int64_t bytes = static_cast<int64_t>(JsonSize(item, SIZE_MAX));
    if (!current.empty() && (static_cast<int64_t>(current.size()) >= limits.max_items ||
                             current_bytes + bytes > limits.max_bytes)) {
      close_batch();
    }
    current.push_back(std::move(item));
    current_bytes += bytes;
  }
  if (!current.empty()) close_batch();
  return batches;
}

}  // namespace stator::engine
