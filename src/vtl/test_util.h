// Helpers shared by the vtl tests: parse-and-render in one call, a context with a fixed
// clock and id. Thread-safety: plain functions over values the caller owns.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "vtl/vtl.h"

namespace stator::vtl::testing {

inline json::Value J(std::string_view text) {
  Result<json::Value> v = json::Parse(text);
  EXPECT_TRUE(v.ok()) << text;
  return v.ok() ? *v : json::Value();
}

// A context with fixed time and ids, and the given arguments.
inline Context MakeContext(std::string_view args = "{}") {
  Context ctx;
  ctx.arguments = J(args);
  ctx.now_ms = 1517943695750;  // 2018-02-06T19:01:35.750Z
  ctx.uuid = [] { return std::string("0a1b2c3d-0000-4000-8000-000000000001"); };
  ctx.info = J(R"({"fieldName":"getPost","parentTypeName":"Query"})");
  return ctx;
}

inline RenderResult RenderIn(std::string_view text, Context& ctx) {
  ParseResult parsed = Parse(text);
  EXPECT_TRUE(parsed.tmpl) << parsed.error;
  if (!parsed.tmpl) return {};
  return Render(*parsed.tmpl, ctx);
}

inline RenderResult RenderWith(std::string_view text, std::string_view args = "{}") {
  Context ctx = MakeContext(args);
  return RenderIn(text, ctx);
}

inline std::string Out(std::string_view text, std::string_view args = "{}") {
  return RenderWith(text, args).output;
}

}  // namespace stator::vtl::testing
