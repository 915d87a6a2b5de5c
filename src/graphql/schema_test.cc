#include "graphql/schema.h"

#include <gtest/gtest.h>

#include "common/read_file.h"
#include "graphql/execute.h"

namespace stator::graphql {
namespace {

std::string TestData(const std::string& name) {
  auto text = ReadWholeFile(std::string(STATOR_SOURCE_DIR) + "/src/graphql/testdata/" + name, "x");
  EXPECT_TRUE(text.ok()) << name;
  return text.ok() ? text.value() : "";
}

std::vector<std::string> SchemaCases() {
  std::string all = TestData("schema_cases.graphql");
  std::vector<std::string> out;
  size_t start = 0;
  const std::string sep = "# ---\n";
  for (;;) {
    size_t at = all.find(sep, start);
    out.push_back(all.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) break;
    start = at + sep.size();
  }
  return out;
}

std::string Errors(std::string_view sdl, const SchemaOptions& options = {}) {
  SchemaResult r = BuildSchema(sdl, options);
  std::string out;
  for (const Error& e : r.errors) {
    if (!out.empty()) out += "\n";
    out += e.message;
  }
  return out;
}

// PrintSchema and the introspection result equal graphql-core's for the same SDL
// (testdata/make_goldens.py regenerates the goldens).
TEST(SchemaTest, PrintAndIntrospectionMatchGraphqlCore) {
  std::vector<std::string> cases = SchemaCases();
  auto printed = json::Parse(TestData("schema_cases.printed.json"));
  auto introspection = json::Parse(TestData("schema_cases.introspection.json"));
  ASSERT_TRUE(printed.ok() && introspection.ok());
  ASSERT_EQ(printed.value().as_array().size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    SchemaResult r = BuildSchema(cases[i]);
    ASSERT_TRUE(r.ok()) << r.errors[0].message;
    EXPECT_EQ(PrintSchema(*r.schema), printed.value().as_array()[i].as_string());
    json::Value got = IntrospectionResult(*r.schema);
    const json::Value& want = introspection.value().as_array()[i];
    EXPECT_EQ(got, want) << got.Dump() << "\n\n" << want.Dump();
  }
}

TEST(SchemaTest, RootTypesAndLookups) {
  SchemaResult r = BuildSchema(
      "type Query { a: Int } type Mutation { b: Int } interface I { x: Int } "
      "type A implements I { x: Int } type B implements I { x: Int } union U = A | B");
  ASSERT_TRUE(r.ok()) << r.errors[0].message;
  const Schema& s = *r.schema;
  EXPECT_EQ(s.query_type()->name, "Query");
  EXPECT_EQ(s.mutation_type()->name, "Mutation");
  EXPECT_EQ(s.subscription_type(), nullptr);
  const NamedType* i = s.FindType("I");
  ASSERT_EQ(s.PossibleTypes(*i).size(), 2u);
  EXPECT_TRUE(s.IsPossibleType(*s.FindType("U"), *s.FindType("B")));
  EXPECT_NE(s.FindField(*s.FindType("A"), "__typename"), nullptr);
  EXPECT_NE(s.FindField(*s.query_type(), "__schema"), nullptr);
  EXPECT_EQ(s.FindField(*s.FindType("A"), "__schema"), nullptr);
  EXPECT_EQ(s.FindType("Float"), nullptr);  // unreferenced built-ins are not in the schema
  EXPECT_EQ(PrintType(s, *s.FindType("A")), "type A implements I {\n  x: Int\n}");
  EXPECT_NE(s.FindType("Boolean"), nullptr);
}

TEST(SchemaTest, RootTypesFromExtensionsAndDefaults) {
  SchemaResult a = BuildSchema(
      "type Query { a: Int } type M { b: Int } type Mutation { c: Int } extend schema { mutation: "
      "M }");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a.schema->mutation_type()->name, "Mutation");  // as graphql-js's buildASTSchema
  SchemaResult b =
      BuildSchema("type Query { a: Int } type M { b: Int } extend schema { mutation: M }");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.schema->mutation_type()->name, "M");
  SchemaResult c = BuildSchema("schema { query: Q } type Q { a: Int } type Mutation { c: Int }");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c.schema->mutation_type(), nullptr);
}

TEST(SchemaTest, SdlErrorsUseGraphqlJsMessages) {
  EXPECT_EQ(Errors("type Query { a: Foo }"), "Unknown type \"Foo\".");
  EXPECT_EQ(Errors("type Query { a: Strin }"), "Unknown type \"Strin\". Did you mean \"String\"?");
  EXPECT_EQ(Errors("type Query { a: Int } type Query { b: Int }"),
            "There can be only one type named \"Query\".");
  EXPECT_EQ(Errors("type Query { a: Int a: Int }"), "Field \"Query.a\" can only be defined once.");
  EXPECT_EQ(Errors("type Query { a(x: Int, x: Int): Int }"),
            "Argument \"Query.a(x:)\" can only be defined once.");
  EXPECT_EQ(Errors("enum E { A A } type Query { a: E }"),
            "Enum value \"E.A\" can only be defined once.");
  EXPECT_EQ(Errors("type Query { a: Int @foo }"), "Unknown directive \"@foo\".");
  EXPECT_EQ(Errors("type Query @deprecated { a: Int }"),
            "Directive \"@deprecated\" may not be used on OBJECT.");
  EXPECT_EQ(Errors("extend type Nope { a: Int } type Query { a: Int }"),
            "Cannot extend type \"Nope\" because it is not defined.");
  EXPECT_EQ(Errors("scalar S extend type S { a: Int } type Query { a: Int }"),
            "Cannot extend non-object type \"S\".");
  EXPECT_EQ(
      Errors("type Query { a: Int } schema { query: Query } schema { query: Query }"),
      "Must provide only one schema definition.\nThere can be only one query type in schema.");
  EXPECT_EQ(Errors("type Query { a: Int @deprecated @deprecated }"),
            "The directive \"@deprecated\" can only be used once at this location.");
  EXPECT_EQ(Errors("type Query { a: Int @deprecated(foo: 1) }"),
            "Unknown argument \"foo\" on directive \"@deprecated\".");
  EXPECT_EQ(Errors("directive @d(a: Int!) on FIELD_DEFINITION type Query { a: Int @d }"),
            "Directive \"@d\" argument \"a\" of type \"Int!\" is required, but it was not "
            "provided.");
  EXPECT_EQ(Errors("type Query { a: Int } extend type Query { a: Int }"),
            "Field \"Query.a\" can only be defined once.");
  EXPECT_EQ(Errors("type Query { a: Int } query { a }"),
            "The anonymous operation definition is not executable.");
}

TEST(SchemaTest, TypeSystemValidationUsesGraphqlJsMessages) {
  EXPECT_EQ(Errors("type Mutation { a: Int }"), "Query root type must be provided.");
  EXPECT_EQ(Errors("schema { query: Q } input Q { a: Int }"),
            "Query root type must be Object type, it cannot be Q.");
  EXPECT_EQ(Errors("type Query"), "Type Query must define one or more fields.");
  EXPECT_EQ(Errors("type Query { a: In } input In { a: Int }"),
            "The type of Query.a must be Output Type but got: In.");
  EXPECT_EQ(Errors("type Query { a(x: Query): Int }"),
            "The type of Query.a(x:) must be Input Type but got: Query.");
  EXPECT_EQ(Errors("interface I { a: Int } type Query implements I { b: Int }"),
            "Interface field I.a expected but Query does not provide it.");
  EXPECT_EQ(Errors("interface I { a: Int } type Query implements I { a: String }"),
            "Interface field I.a expects type Int but Query.a is type String.");
  EXPECT_EQ(Errors("interface I { a(x: Int): Int } type Query implements I { a: Int }"),
            "Interface field argument I.a(x:) expected but Query.a does not provide it.");
  EXPECT_EQ(Errors("interface I { a: Int } type Query implements I & I { a: Int }"),
            "Type Query can only implement I once.");
  EXPECT_EQ(Errors("interface I { a: Int } interface J implements I { a: Int } "
                   "type Query implements J { a: Int }"),
            "Type Query must implement I because it is implemented by J.");
  EXPECT_EQ(Errors("union U = Query | Int type Query { a: U }"),
            "Union type U can only include Object types, it cannot include Int.");
  EXPECT_EQ(Errors("union U type Query { a: U }"),
            "Union type U must define one or more member types.");
  EXPECT_EQ(Errors("enum E type Query { a: E }"), "Enum type E must define one or more values.");
  EXPECT_EQ(Errors("input In { a: In! } type Query { a(x: In): Int }"),
            "Cannot reference Input Object \"In\" within itself through a series of non-null "
            "fields: \"a\".");
  EXPECT_EQ(Errors("type Query { __a: Int }"),
            "Name \"__a\" must not begin with \"__\", which is reserved by GraphQL "
            "introspection.");
  EXPECT_EQ(Errors("interface I { a(x: Int): Int } type Query implements I { a(x: Int, y: Int!): "
                   "Int }"),
            "Object field Query.a includes required argument y that is missing from the "
            "Interface field I.a.");
  EXPECT_EQ(Errors("type Query { a(x: Int! @deprecated): Int }"),
            "Required argument Query.a(x:) cannot be deprecated.");
  EXPECT_EQ(Errors("union U = Query | Query type Query { a: U }"),
            "Union type U can only include type Query once.");
  EXPECT_EQ(Errors("type Query { a: Int } schema { query: Query mutation: Query }"),
            "All root types must be different, \"Query\" type is used as query and mutation root "
            "types.");
}

TEST(SchemaTest, AppSyncScalarsAndDirectives) {
  const char* sdl = R"(
    type Query @aws_api_key { at(d: AWSDate): AWSDateTime @aws_iam @aws_cognito_user_pools(cognito_groups: ["a"]) }
    type Mutation { put(j: AWSJSON): AWSJSON }
    type Subscription { onPut: AWSJSON @aws_subscribe(mutations: ["put"]) }
  )";
  EXPECT_EQ(Errors(sdl),
            "Unknown directive \"@aws_api_key\".\nUnknown type \"AWSDate\".\n"
            "Unknown type \"AWSDateTime\".\nUnknown directive \"@aws_iam\".\n"
            "Unknown directive \"@aws_cognito_user_pools\".\nUnknown type \"AWSJSON\".\n"
            "Unknown type \"AWSJSON\".\nUnknown type \"AWSJSON\".\n"
            "Unknown directive \"@aws_subscribe\".");
  SchemaResult r = BuildSchema(sdl, SchemaOptions{true});
  ASSERT_TRUE(r.ok()) << r.errors[0].message;
  std::string printed = PrintSchema(*r.schema);
  EXPECT_EQ(printed.find("scalar AWS"), std::string::npos);
  EXPECT_EQ(printed.find("directive @aws"), std::string::npos);
  EXPECT_NE(printed.find("at(d: AWSDate): AWSDateTime\n"), std::string::npos) << printed;
  // An AppSync schema that declares the scalars itself builds too.
  EXPECT_EQ(Errors("scalar AWSDateTime type Query { a: AWSDateTime }", SchemaOptions{true}), "");
}

}  // namespace
}  // namespace stator::graphql
