// AWS Step Functions' additions to JSONata: the functions every expression of a JSONata state
// can call besides JSONata 2.0.6's built-ins ($partition, $range, $hash, $random with an
// optional seed, $uuid, $parse), and the built-in AWS takes away ($eval).
//
// The functions that draw random numbers ($random without a seed, $uuid) draw from the
// generator of the evaluation running on the calling thread (ScopedJsonataRandom, set by
// JsonataTemplate::Evaluate from the engine's JsonataScope), so that an execution re-run from
// its input draws the same values; without one, from a per-thread generator.
//
// Thread-safety: the extension list is immutable and shared; ScopedJsonataRandom is per thread.
#pragma once

#include <random>
#include <span>
#include <string_view>

#include "jsonata/jsonata.h"

namespace stator::asl {

// The extensions, and the names of the built-ins they remove, for Expression::Compile.
std::span<const jsonata::Extension> AwsJsonataExtensions();
std::span<const std::string_view> AwsJsonataRemoved();

// Makes `rng` the random source of the extensions on this thread while it lives (nullptr: the
// per-thread generator). Nests.
class ScopedJsonataRandom {
 public:
  explicit ScopedJsonataRandom(std::mt19937_64* rng);
  ~ScopedJsonataRandom();
  ScopedJsonataRandom(const ScopedJsonataRandom&) = delete;
  ScopedJsonataRandom& operator=(const ScopedJsonataRandom&) = delete;

 private:
  std::mt19937_64* previous_;
};

}  // namespace stator::asl
