// Templates that would make a naive renderer recurse without end or without bound: cycles,
// huge sharing, deep nesting. They must fail (or print a cut value), never crash.
#include <gtest/gtest.h>

#include "vtl/test_util.h"
#include "vtl/vtl.h"

namespace stator::vtl {
namespace {

using testing::Out;
using testing::RenderWith;

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

TEST(VtlLimits, ContainerInsideItself) {
  EXPECT_EQ(Out("#set($m = {})$util.qr($m.put('self', $m))$m"), "{self=(this Map)}");
  EXPECT_EQ(Out("#set($l = [])$util.qr($l.add($l))$l"), "[(this Collection)]");
  RenderResult r = RenderWith(
      "#set($m = {})$util.qr($m.put('a', $m))$util.qr($m.put('b', $m))"
      "$util.toJson($m)");
  EXPECT_EQ(r.error_message, "Direct self-reference leading to cycle");
  EXPECT_EQ(Out("#set($m = {})$util.qr($m.put('a', $m))$util.dynamodb.toDynamoDBJson($m)"),
            R"({"M":{"a":{"NULL":null}}})");
  EXPECT_EQ(Out("#set($a = {})#set($b = {})$util.qr($a.put('x', $a))$util.qr($b.put('x', $b))"
                "#if($a == $b)eq#{else}ne#end"),
            "ne");
  r = RenderWith(
      "#set($m = {})$util.qr($m.put('and', [$m]))"
      "$util.transform.toDynamoDBFilterExpression($m)");
  EXPECT_TRUE(r.error_message);
  // The stash can hold a cycle too: it comes back cut.
  r = RenderWith("$util.qr($ctx.stash.put('me', $ctx.stash))");
  EXPECT_EQ(r.stash.Dump(), R"({"me":null})");
}

TEST(VtlLimits, SharingThatDoublesEachStep) {
  RenderResult r =
      RenderWith("#set($a = [1])#foreach($i in [1..60])#set($a = [$a, $a])#end$util.toJson($a)");
  EXPECT_EQ(r.error_message, "The value is too deeply nested or too large to convert to JSON");
}

TEST(VtlLimits, DeepNestingIsCutAndFreedWithoutRecursion) {
  RenderResult r = RenderWith(
      "#set($a = [])#foreach($i in [1..200000])#set($a = [$a])#end$a.size()"
      "#set($m = {})#foreach($i in [1..200000])#set($m = {'m': $m})#end$m.size()");
  EXPECT_EQ(r.output, "11");
  r = RenderWith("#set($a = [])#foreach($i in [1..5000])#set($a = [$a])#end$util.toJson($a)");
  EXPECT_EQ(r.error_message, "The value is too deeply nested or too large to convert to JSON");
}

TEST(VtlLimits, HugeRanges) {
  EXPECT_TRUE(RenderWith("#set($r = [-9223372036854775807..9223372036854775807])").error_message);
  EXPECT_TRUE(RenderWith("#set($r = [0..1000000])").error_message);
  EXPECT_EQ(Out("#set($r = [1..1000000])$r.size()"), "1000000");
}

TEST(VtlLimits, DeepExpressionsAreSyntaxErrors) {
  for (const std::string& t :
       {"#set($x = " + Repeat("(", 100000) + "1" + Repeat(")", 100000) + ")",
        "#set($x = " + Repeat("!", 100000) + "true)", "#set($x = 1" + Repeat(" + 1", 100000) + ")",
        "#set($x = " + Repeat("[", 100000) + Repeat("]", 100000) + ")",
        "$util.toJson(" + Repeat("{'a': ", 100000) + "1" + Repeat("}", 100000) + ")",
        Repeat("#if(true)", 150) + Repeat("#end", 150)}) {
    ParseResult p = Parse(t);
    EXPECT_FALSE(p.tmpl) << t.substr(0, 40);
    EXPECT_NE(p.error.find("nested more than"), std::string::npos) << p.error;
  }
  // Within the bounds all is well.
  EXPECT_EQ(Out("#set($x = 1" + Repeat(" + 1", 150) + ")$x"), "151");
  EXPECT_EQ(Out(Repeat("#if(true)", 90) + "in" + Repeat("#end", 90)), "in");
}

}  // namespace
}  // namespace stator::vtl
