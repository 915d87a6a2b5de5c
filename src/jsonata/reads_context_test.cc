// Expression::reads_context: whether an expression reads its input implicitly at the top level
// (what asl/ refuses, as AWS does, in an ASL JSONata expression).
#include <gtest/gtest.h>

#include "jsonata/jsonata.h"

namespace stator::jsonata {
namespace {

bool Reads(std::string_view expr) {
  auto e = Expression::Compile(expr);
  EXPECT_TRUE(e.ok()) << expr;
  return e.ok() && e->reads_context();
}

TEST(JsonataReadsContext, TopLevelNamesAndTheContextRead) {
  EXPECT_TRUE(Reads("title"));
  EXPECT_TRUE(Reads("Account.Price"));
  EXPECT_TRUE(Reads("$sum(Account.Price)"));
  EXPECT_TRUE(Reads("$"));
  EXPECT_TRUE(Reads("$.a"));
  EXPECT_TRUE(Reads("$$"));
  EXPECT_TRUE(Reads("$count(*)"));
  EXPECT_TRUE(Reads("**.a"));
  EXPECT_TRUE(Reads("{\"total\": $sum(items.price)}"));
  EXPECT_TRUE(Reads("[1, a]"));
  EXPECT_TRUE(Reads("(title).x"));
  EXPECT_TRUE(Reads("($x := a; $x)"));
  EXPECT_TRUE(Reads("x ? 1 : 2"));
  EXPECT_TRUE(Reads("1 + -a"));
  EXPECT_TRUE(Reads("a ~> $uppercase()"));
  EXPECT_TRUE(Reads("\"x\" ~> $substring(n)"));
  EXPECT_TRUE(Reads("$substring(?, n)"));
  EXPECT_TRUE(Reads("$states.input[$$.x]"));  // $$ is the input anywhere
  EXPECT_TRUE(Reads("$map([1], function($v){$$})"));
}

TEST(JsonataReadsContext, NamesInTheirOwnContextDoNotCount) {
  EXPECT_FALSE(Reads("1 + 2"));
  EXPECT_FALSE(Reads("\"title\""));
  EXPECT_FALSE(Reads("$now()"));
  EXPECT_FALSE(Reads("$states.input.title"));
  EXPECT_FALSE(Reads("$sum($states.input.items.price)"));
  EXPECT_FALSE(Reads("$states.input.items[price > 50].sku"));
  EXPECT_FALSE(Reads("$states.input.items^(>price).sku"));
  EXPECT_FALSE(Reads("$states.input.items{sku: price}"));
  EXPECT_FALSE(Reads("$states.input.(a + b)"));
  EXPECT_FALSE(Reads("$states.input.items#$i[$i > 1].sku"));
  EXPECT_FALSE(Reads("$map($states.input.items, function($v){ $v.price * qty })"));
  EXPECT_FALSE(Reads("function($v){ title }"));
  EXPECT_FALSE(Reads("$states.input ~> |items|{\"seen\": true}, [\"old\"]|"));
  EXPECT_FALSE(Reads("[1, 2][$ > 1]"));
  EXPECT_FALSE(Reads("($x := $states.input; $x.a & $states.context.Execution.Id)"));
  EXPECT_FALSE(Reads("$x.a"));
}

}  // namespace
}  // namespace stator::jsonata
