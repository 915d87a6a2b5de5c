// Timestamps as Step Functions reads and writes them.
//
// FormatTimestamp: the ISO 8601 form AWS uses in the context object and in Wait/Timestamp
// output, always UTC with milliseconds: "2024-03-06T10:24:13.123Z".
// ParseTimestamp: RFC 3339 as AWS accepts it in Wait "Timestamp", TimestampPath and the
// Timestamp* Choice operators: "2016-03-14T01:59:00Z", fractional seconds, "+01:00" offsets;
// uppercase T and Z required. Returns milliseconds since the epoch, or nullopt if invalid.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace stator {

std::string FormatTimestamp(int64_t epoch_millis);
std::optional<int64_t> ParseTimestamp(std::string_view text);

}  // namespace stator
