// The Java behaviours that Step Functions' intrinsic functions show (Java runs underneath), done
// the same way here so that results match AWS to the byte: Map/List toString, String.length and
// String.hashCode over UTF-16, new String(bytes, UTF_8), Math.round, java.util.Random,
// java.util.HashMap iteration order and StringTokenizer. Strings are UTF-8 (json::Value's).
// Used by the intrinsics (intrinsics_eval.cc); not part of the public interface.
//
// Thread-safety: pure functions; a JavaRandom is used by one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/json.h"

namespace stator::asl::java_compat {

// Appends v as Java's toString renders it (States.Format): strings raw, arrays "[a, b]",
// objects "{k=v, k2=v2}", numbers and the rest as JSON prints them (doubles in Java form).
void AppendJavaString(const json::Value& v, std::string* out);

// Length in UTF-16 code units (Java's String.length()).
size_t Utf16Length(std::string_view s);

// Replaces invalid UTF-8 sequences with U+FFFD, as Java's new String(bytes, UTF_8) does.
std::string SanitizeUtf8(std::string_view s);

// Java's String.hashCode over the UTF-16 form of s.
int32_t JavaHashCode(std::string_view s);

// Orders members as iterating a java.util.HashMap filled in this order would.
json::Object InJavaHashMapOrder(json::Object members);

// Java's Math.round of a number (ties go up); nullopt for a non-number or one out of range.
std::optional<int64_t> RoundLikeJava(const json::Value& v);

// StringTokenizer(s, delims): every character of delims separates (multi-byte characters
// whole); empty pieces are dropped. Returns the array of pieces.
json::Value SplitLikeStringTokenizer(const std::string& s, const std::string& delims);

// java.util.Random, so a seeded States.MathRandom repeats across runs and machines.
class JavaRandom {
 public:
  explicit JavaRandom(int64_t seed)
      : seed_((static_cast<uint64_t>(seed) ^ 0x5DEECE66DULL) & ((1ULL << 48) - 1)) {}
  int32_t Next(int bits) {
    seed_ = (seed_ * 0x5DEECE66DULL + 0xBULL) & ((1ULL << 48) - 1);
    return static_cast<int32_t>(seed_ >> (48 - bits));
  }
  int32_t NextInt(int32_t bound) {  // bound > 0
    int32_t r = Next(31);
    int32_t m = bound - 1;
    if ((bound & m) == 0) return static_cast<int32_t>((int64_t{bound} * r) >> 31);
    for (int32_t u = r; u - (r = u % bound) + m < 0; u = Next(31)) {
    }
    return r;
  }

 private:
  uint64_t seed_;
};

}  // namespace stator::asl::java_compat
