// Fuzzes JSONPath: asl::JsonPath::Compile on arbitrary text, then Evaluate on fixed documents
// (an object with nested arrays, objects, numbers, odd keys; an array root; a scalar root).
//
// Checks: a reference path is definite; an indefinite path evaluates to an array; a definite
// path yields at most its node. For reference paths, ApplyResultPath either fails with an Error
// or places the value so that evaluating the same path on its output gives the value back.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "asl/path.h"
#include "common/json.h"
#include "fuzz/fuzz_check.h"

namespace {

using stator::json::Value;

const Value& Doc(int i) {
  static const Value docs[] = {
      *stator::json::Parse(R"({
        "store": {"book": [
          {"category": "reference", "author": "Nigel Rees", "title": "Sayings", "price": 8.95},
          {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword", "price": 12.99,
           "isbn": "0-553-21311-3"},
          {"category": "fiction", "price": 22, "tags": ["a", "b"], "nested": {"x": [[1, 2], [3]]}}
        ], "bicycle": {"color": "red", "price": 19.95}},
        "a": 1, "b": -2, "c": 1.5e300, "d": true, "e": null, "f": "str", "g": [], "h": {},
        "dots.key": 1, "sp ace": 2, "q'uote": 3, "ü": 4, "0": 5, "": 6,
        "arr": [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], "deep": {"deep": {"deep": {"deep": 1}}}
      })"),
      *stator::json::Parse(R"([{"a": 1}, {"a": 2, "b": [1, 2]}, 3, "s", null, [4, [5]]])"),
      Value::Int(7),
  };
  return docs[i];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  stator::Result<stator::asl::JsonPath> p = stator::asl::JsonPath::Compile(text);
  if (!p.ok()) {
    FUZZ_CHECK(!p.error().cause.empty(), "a compile error without a cause");
    return 0;
  }
  const stator::asl::JsonPath& path = *p;
  if (path.is_reference()) FUZZ_CHECK(path.is_definite(), "reference but not definite");
  if (path.is_root()) FUZZ_CHECK(path.is_definite(), "root but not definite");
  for (int i = 0; i < 3; ++i) {
    const Value& doc = Doc(i);
    std::optional<Value> v = path.Evaluate(doc);
    if (!path.is_definite()) {
      FUZZ_CHECK(v.has_value() && v->is_array(), "indefinite path %s did not give an array",
                 path.text().c_str());
    }
    if (path.is_root() && !path.is_context()) {
      FUZZ_CHECK(v.has_value() && *v == doc, "$ did not give the document");
    }
    if (path.is_reference() && !path.is_context()) {
      Value marker = Value::String("fuzz-marker");
      stator::Result<Value> placed = stator::asl::ApplyResultPath(path, doc, marker);
      if (placed.ok()) {
        std::optional<Value> back = path.Evaluate(*placed);
        FUZZ_CHECK(back.has_value() && *back == marker,
                   "ResultPath %s placed the value where the path does not find it: %s",
                   path.text().c_str(), placed->Dump().c_str());
      } else {
        FUZZ_CHECK(!placed.error().error.empty(), "ApplyResultPath error without a name");
      }
    }
  }
  return 0;
}
