// Fuzzes json::Parse on arbitrary bytes. For every text it accepts, checks the round trip:
// Dump(Parse(text)) parses again to an equal value that dumps to the same text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/json.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  stator::Result<stator::json::Value> v = stator::json::Parse(text);
  if (!v.ok()) {
    FUZZ_CHECK(!v.error().cause.empty(), "a parse error without a cause");
    return 0;
  }
  std::string dumped = v->Dump();
  stator::Result<stator::json::Value> again = stator::json::Parse(dumped);
  FUZZ_CHECK(again.ok(), "Dump output does not parse: %s -> %s", dumped.c_str(),
             again.error().cause.c_str());
  FUZZ_CHECK(*again == *v, "round trip changed the value: %s -> %s", dumped.c_str(),
             again->Dump().c_str());
  FUZZ_CHECK(again->Dump() == dumped, "Dump is not stable: %s -> %s", dumped.c_str(),
             again->Dump().c_str());
  return 0;
}
