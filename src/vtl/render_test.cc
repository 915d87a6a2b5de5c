#include <gtest/gtest.h>

#include "appsync/vtl/vtl.h"

namespace stator::appsync::vtl {
namespace {

json::Value J(std::string_view text) { return *json::Parse(text); }

// Renders text with $ctx.arguments = args; fails the test on a parse error.
RenderResult RenderWith(std::string_view text, std::string_view args = "{}") {
  ParseResult parsed = Parse(text);
  EXPECT_TRUE(parsed.tmpl) << parsed.error;
  if (!parsed.tmpl) return {};
  Context ctx;
  ctx.arguments = J(args);
  return Render(*parsed.tmpl, ctx);
}

std::string Out(std::string_view text, std::string_view args = "{}") {
  return RenderWith(text, args).output;
}

TEST(VtlRender, References) {
  EXPECT_EQ(Out("id=$ctx.args.id", R"({"id":"a1"})"), "id=a1");
  EXPECT_EQ(Out("id=${ctx.arguments.id}x", R"({"id":"a1"})"), "id=a1x");
  EXPECT_EQ(Out("$ctx.args.get(\"id\")", R"({"id":7})"), "7");
  EXPECT_EQ(Out("[$ctx.args.missing]"), "[$ctx.args.missing]");
  EXPECT_EQ(Out("[$!ctx.args.missing]"), "[]");
  EXPECT_EQ(Out("[$!{ctx.args.missing}]"), "[]");
  EXPECT_EQ(Out("$undefined and ${alsoUndefined}"), "$undefined and ${alsoUndefined}");
  EXPECT_EQ(Out("cost: $5 and $ alone"), "cost: $5 and $ alone");
  EXPECT_EQ(Out("$ctx.args.list[1]", R"({"list":[1,2,3]})"), "2");
  EXPECT_EQ(Out("$ctx.args.m[\"k\"]", R"({"m":{"k":"v"}})"), "v");
}

}  // namespace
}  // namespace stator::appsync::vtl
