// Helpers for the tests of every layer (not part of any library).
#pragma once

#include <gtest/gtest.h>

#include <string_view>

#include "common/json.h"

namespace stator::testing {

// text parsed as JSON; null (and a failure of the calling test) when it is not JSON.
inline json::Value J(std::string_view text) {
  Result<json::Value> r = json::Parse(text);
  EXPECT_TRUE(r.ok()) << text;
  return r.ok() ? std::move(r).value() : json::Value();
}

}  // namespace stator::testing
