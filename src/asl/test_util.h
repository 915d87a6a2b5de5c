// Helpers shared by the asl layer's tests (not part of the library): JSON from text and the
// recorded test data under src/asl/testdata/, each failing the calling test when it cannot be
// read or parsed.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "common/json.h"
#include "common/test_util.h"

namespace stator::asl::testing {

using stator::testing::J;  // text parsed as JSON

// src/asl/testdata/<name>, parsed; null (and a test failure) when it is missing or not JSON.
inline json::Value LoadTestData(const char* name) {
  std::ifstream f(std::string(STATOR_SOURCE_DIR "/src/asl/testdata/") + name);
  EXPECT_TRUE(f) << name;
  std::stringstream ss;
  ss << f.rdbuf();
  Result<json::Value> r = json::Parse(ss.str());
  EXPECT_TRUE(r.ok()) << name << ": " << (r.ok() ? "" : r.error().cause);
  return r.ok() ? std::move(r).value() : json::Value();
}

}  // namespace stator::asl::testing
