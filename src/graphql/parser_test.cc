#include "graphql/parser.h"

#include <gtest/gtest.h>

namespace stator::graphql {
namespace {

std::string SyntaxError(std::string_view text) {
  ParseResult r = ParseDocument(text);
  if (r.ok()) return "OK";
  const Error& e = r.errors[0];
  return e.message + " @" + std::to_string(e.locations[0].line) + ":" +
         std::to_string(e.locations[0].column);
}

TEST(ParserTest, ParsesQueryWithEverything) {
  ParseResult r = ParseDocument(R"(
    query Q($a: [Int!]! = [1, 2] @d, $b: In) @x {
      alias: field(x: {a: 1, b: ["s", $a]}, y: """blk""") @skip(if: true) {
        c
        ... on T @y { d }
        ...F
        ... @include(if: $b) { e }
      }
    }
    fragment F on T { g }
  )");
  ASSERT_TRUE(r.ok()) << r.errors[0].message;
  const Document& d = *r.document;
  ASSERT_EQ(d.operations.size(), 1u);
  ASSERT_EQ(d.fragments.size(), 1u);
  const OperationDefinition& op = d.operations[0];
  EXPECT_EQ(op.name, "Q");
  ASSERT_EQ(op.variable_definitions.size(), 2u);
  EXPECT_EQ(op.variable_definitions[0].type.ToString(), "[Int!]!");
  EXPECT_EQ(PrintValue(*op.variable_definitions[0].default_value), "[1, 2]");
  const Field* f = op.selection_set[0].field();
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->alias, "alias");
  EXPECT_EQ(f->response_key(), "alias");
  EXPECT_EQ(f->location.line, 3);
  EXPECT_EQ(f->location.column, 7);
  EXPECT_EQ(PrintSelectionSet(f->selection_set),
            "{\n  c\n  ... on T @y {\n    d\n  }\n  ...F\n  ... @include(if: $b) {\n    e\n  }\n}");
  EXPECT_EQ(PrintValue(f->arguments[0].value), "{a: 1, b: [\"s\", $a]}");
  EXPECT_EQ(PrintValue(f->arguments[1].value), "\"\"\"blk\"\"\"");
}

TEST(ParserTest, StringEscapesAndBlockStrings) {
  ParseResult r = ParseDocument(
      "{ f(a: \"x\\n\\\"\\u0041\\u{1F600}\\uD83D\\uDE00\", b: \"\"\"\n    hello\n      world\n  "
      "\\\"\"\"\n\"\"\") }");
  ASSERT_TRUE(r.ok()) << r.errors[0].message;
  const Field* f = r.document->operations[0].selection_set[0].field();
  EXPECT_EQ(f->arguments[0].value.text, "x\n\"A\xF0\x9F\x98\x80\xF0\x9F\x98\x80");
  EXPECT_EQ(f->arguments[1].value.text, "  hello\n    world\n\"\"\"");
}

TEST(ParserTest, SyntaxErrorsMatchGraphqlJs) {
  EXPECT_EQ(SyntaxError("{"), "Syntax Error: Expected Name, found <EOF>. @1:2");
  EXPECT_EQ(SyntaxError("{ a(x: ) }"), "Syntax Error: Unexpected \")\". @1:8");
  EXPECT_EQ(SyntaxError("?"), "Syntax Error: Unexpected character: \"?\". @1:1");
  EXPECT_EQ(SyntaxError("{ a }}"), "Syntax Error: Unexpected \"}\". @1:6");
  EXPECT_EQ(SyntaxError("{ a(x: 01) }"),
            "Syntax Error: Invalid number, unexpected digit after 0: \"1\". @1:9");
  EXPECT_EQ(SyntaxError("{ a(x: 1.) }"),
            "Syntax Error: Invalid number, expected digit but got: \")\". @1:10");
  EXPECT_EQ(SyntaxError("{a(x:\"abc"), "Syntax Error: Unterminated string. @1:10");
  EXPECT_EQ(SyntaxError("{a(x:\"a\\x\")}"),
            "Syntax Error: Invalid character escape sequence: \"\\x\". @1:8");
  EXPECT_EQ(SyntaxError("{a(x:\"\\u12\")}"),
            "Syntax Error: Invalid Unicode escape sequence: \"\\u12\")\". @1:7");
  EXPECT_EQ(SyntaxError("\x07"), "Syntax Error: Unexpected character: U+0007. @1:1");
  EXPECT_EQ(SyntaxError("fragment on on T {a}"), "Syntax Error: Unexpected Name \"on\". @1:10");
  EXPECT_EQ(SyntaxError("query Q($a: Int = $b) {a}"),
            "Syntax Error: Unexpected variable \"$b\" in constant value. @1:19");
  EXPECT_EQ(SyntaxError("extend type A"), "Syntax Error: Unexpected <EOF>. @1:14");
  EXPECT_EQ(SyntaxError("subscription"), "Syntax Error: Expected \"{\", found <EOF>. @1:13");
  EXPECT_EQ(SyntaxError("{a(x: {b})}"), "Syntax Error: Expected \":\", found \"}\". @1:9");
  EXPECT_EQ(SyntaxError("directive @a on FOO"), "Syntax Error: Unexpected Name \"FOO\". @1:17");
  EXPECT_EQ(SyntaxError("\"\"\"abc"), "Syntax Error: Unterminated string. @1:7");
  EXPECT_EQ(SyntaxError("\n\n  { a(x: é) }"), "Syntax Error: Unexpected character: U+00E9. @3:10");
  EXPECT_EQ(SyntaxError("\"desc\" query { a }"),
            "Syntax Error: Unexpected description, descriptions are supported only on type "
            "definitions. @1:1");
  EXPECT_EQ(SyntaxError("enum E { true }"),
            "Syntax Error: Name \"true\" is reserved and cannot be used for an enum value. @1:10");
}

TEST(ParserTest, NestingIsLimited) {
  std::string deep = std::string(300, '{') + "a" + std::string(300, '}');
  std::string deep_field;
  for (int i = 0; i < 300; ++i) deep_field += "a { ";
  deep_field += "b" + std::string(300, '}');
  EXPECT_EQ(SyntaxError("{ " + deep_field + " }"),
            "Syntax Error: Document nesting exceeds 256 levels. @1:1025");
  EXPECT_EQ(SyntaxError("{ f(a: " + std::string(300, '[') + std::string(300, ']') + ") }"),
            "Syntax Error: Document nesting exceeds 256 levels. @1:263");
  std::string ok;
  for (int i = 0; i < 200; ++i) ok += "a { ";
  ok += "b" + std::string(200, '}');
  EXPECT_EQ(SyntaxError("{ " + ok + " }"), "OK");
  ParseOptions unlimited;
  unlimited.max_depth = 0;
  EXPECT_TRUE(ParseDocument("{ " + ok + " }", unlimited).ok());
}

TEST(ParserTest, ParsesSdl) {
  ParseResult r = ParseDocument(R"(
    """The schema"""
    schema { query: Q mutation: M }
    "A thing"
    type Thing implements A & B @aws_api_key {
      "the id" id: ID!
      items(first: Int = 10, after: String): [Item!]! @deprecated(reason: "no")
    }
    extend type Thing { more: Int }
    interface A { id: ID! }
    union U = | X | Y
    enum E { ONE @deprecated TWO }
    input I { a: Int = 1, b: [String!] }
    scalar S @specifiedBy(url: "u")
    directive @d(a: Int) repeatable on FIELD_DEFINITION | OBJECT
    extend schema @d
  )");
  ASSERT_TRUE(r.ok()) << r.errors[0].message;
  const Document& d = *r.document;
  EXPECT_EQ(d.schema_definitions.size(), 2u);
  EXPECT_EQ(d.schema_definitions[0].description, "The schema");
  ASSERT_EQ(d.types.size(), 7u);
  EXPECT_EQ(d.types[0].interfaces, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(d.types[0].fields[1].type.ToString(), "[Item!]!");
  EXPECT_TRUE(d.types[1].is_extension);
  EXPECT_EQ(d.types[3].union_members, (std::vector<std::string>{"X", "Y"}));
  EXPECT_TRUE(d.directive_definitions[0].repeatable);
  EXPECT_EQ(d.directive_definitions[0].locations.size(), 2u);
  EXPECT_EQ(d.definitions.size(), 10u);
}

}  // namespace
}  // namespace stator::graphql
