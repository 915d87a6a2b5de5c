#include "graphql/validate.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "graphql/parser.h"
#include "graphql/schema.h"
#include "graphql/validate_context.h"

namespace stator::graphql {
namespace {

std::shared_ptr<const Schema> SpecSchema() {
  static std::shared_ptr<const Schema> schema = [] {
    std::ifstream in(std::string(STATOR_SOURCE_DIR) + "/src/graphql/testdata/schemas/spec.graphql");
    std::stringstream text;
    text << in.rdbuf();
    SchemaResult r = BuildSchema(text.str());
    EXPECT_TRUE(r.ok()) << (r.errors.empty() ? "" : r.errors[0].message);
    return r.schema;
  }();
  return schema;
}

// "message @line:column[ @line:column...]" for every error, one per line.
std::string Errors(std::string_view query) {
  std::shared_ptr<const Schema> schema = SpecSchema();
  if (!schema) return "no schema";
  ParseResult parsed = ParseDocument(query);
  if (!parsed.ok()) return "syntax: " + parsed.errors[0].message;
  std::string out;
  for (const Error& e : Validate(*schema, *parsed.document)) {
    out += e.message;
    for (const Location& l : e.locations) {
      out += " @" + std::to_string(l.line) + ":" + std::to_string(l.column);
    }
    out += "\n";
  }
  return out;
}

TEST(ValidateTest, ValidDocumentsHaveNoErrors) {
  EXPECT_EQ(Errors("{ dog { name ...F } } fragment F on Pet { name ... on Dog { barkVolume } }"),
            "");
  EXPECT_EQ(Errors("query Q($c: DogCommand!) { dog { doesKnowCommand(dogCommand: $c) } }"), "");
  EXPECT_EQ(Errors("mutation { addPet(pet: {cat: {name: \"Tom\"}}) { name } }"), "");
  EXPECT_EQ(Errors("{ __typename __schema { types { name } } __type(name: \"Dog\") { name } }"),
            "");
}

TEST(ValidateTest, FieldsOnCorrectTypeSuggests) {
  EXPECT_EQ(
      Errors("{ dog { meowVolume } }"),
      "Cannot query field \"meowVolume\" on type \"Dog\". Did you mean \"barkVolume\"? @1:9\n");
  EXPECT_EQ(Errors("{ catOrDog { name } }"),
            "Cannot query field \"name\" on type \"CatOrDog\". Did you mean to use an inline "
            "fragment on \"Pet\", \"Cat\", or \"Dog\"? @1:14\n");
}

TEST(ValidateTest, ErrorsComeInGraphqlCoresOrderAcrossRules) {
  EXPECT_EQ(Errors("query Q($a: Int) { dog { name(x: 1) name } }"),
            "Fields \"name\" conflict because they have differing arguments. Use different "
            "aliases on the fields to fetch both if this was intentional. @1:26 @1:37\n"
            "Unknown argument \"x\" on field \"Dog.name\". @1:31\n"
            "Variable \"$a\" is never used in operation \"Q\". @1:9\n");
}

TEST(ValidateTest, FragmentCyclesAndUnusedFragments) {
  EXPECT_EQ(Errors("{ dog { ...A } } fragment A on Dog { ...B } fragment B on Dog { ...A }"),
            "Cannot spread fragment \"A\" within itself via \"B\". @1:38 @1:65\n");
  EXPECT_EQ(Errors("{ dog { name } } fragment A on Dog { name }"),
            "Fragment \"A\" is never used. @1:18\n");
}

TEST(ValidateTest, ValuesOfCorrectType) {
  EXPECT_EQ(Errors("{ arguments { intArgField(intArg: \"1\") } }"),
            "Int cannot represent non-integer value: \"1\" @1:35\n");
  EXPECT_EQ(Errors("{ dog { doesKnowCommand(dogCommand: SITT) } }"),
            "Value \"SITT\" does not exist in \"DogCommand\" enum. Did you mean the enum value "
            "\"SIT\"? @1:37\n");
  EXPECT_EQ(Errors("mutation { addPet(pet: {}) { name } }"),
            "OneOf Input Object \"PetInput\" must specify exactly one key. @1:24\n");
}

TEST(ValidateTest, StopsAfterTheErrorLimit) {
  std::string query = "{";
  for (int i = 0; i < 150; ++i) query += " f" + std::to_string(i);
  query += " }";
  ParseResult parsed = ParseDocument(query);
  ASSERT_TRUE(parsed.ok());
  ASSERT_TRUE(SpecSchema());
  std::vector<Error> errors = Validate(*SpecSchema(), *parsed.document);
  ASSERT_EQ(errors.size(), 101u);
  EXPECT_EQ(errors.back().message,
            "Too many validation errors, error limit reached. Validation aborted.");
  EXPECT_TRUE(errors.back().locations.empty());
  EXPECT_EQ(Validate(*SpecSchema(), *parsed.document, ValidateOptions{3}).size(), 4u);
}

TEST(ValidateSuggestTest, SuggestionListAsGraphqlCore) {
  using graphql::SuggestionList;
  EXPECT_EQ(SuggestionList("nam", {"name", "nickname", "barkVolume"}),
            (std::vector<std::string>{"name"}));
  // Case changes count as one edit; ties sort naturally (f2 before f10).
  EXPECT_EQ(SuggestionList("f1", {"f10", "f2", "F1"}),
            (std::vector<std::string>{"F1", "f2", "f10"}));
  EXPECT_EQ(SuggestionList("abc", {"xyz"}), std::vector<std::string>{});
}

TEST(ValidateSuggestTest, DidYouMean) {
  using graphql::DidYouMean;
  EXPECT_EQ(DidYouMean({}), "");
  EXPECT_EQ(DidYouMean({"a"}), " Did you mean \"a\"?");
  EXPECT_EQ(DidYouMean({"a", "b"}), " Did you mean \"a\" or \"b\"?");
  EXPECT_EQ(DidYouMean({"a", "b", "c", "d", "e", "f"}, "the enum value"),
            " Did you mean the enum value \"a\", \"b\", \"c\", \"d\", or \"e\"?");
}

TEST(ValidateSuggestTest, NaturalOrder) {
  using graphql::NaturalLess;
  EXPECT_TRUE(NaturalLess("f2", "f10"));
  EXPECT_FALSE(NaturalLess("f10", "f2"));
  EXPECT_TRUE(NaturalLess("A", "a"));
  EXPECT_TRUE(NaturalLess("f", "f1"));
}

TEST(ValidateTest, NameLocationsComeFromTheSourceWhateverTheSpacing) {
  // Names after keywords with more than one space, a comment or a line break between them
  // (locations as graphql-core gives them for the same documents).
  EXPECT_EQ(Errors("query   A { dog { name } }\nquery # c\n A { dog { name } }"),
            "There can be only one operation named \"A\". @1:9 @3:2\n");
  EXPECT_EQ(Errors("{ dog { ...   Missing } }"), "Unknown fragment \"Missing\". @1:15\n");
  EXPECT_EQ(Errors("query Q($a: Int, $\n  a: Int) { dog { name } }"),
            "There can be only one variable named \"$a\". @1:10 @2:3\n"
            "Variable \"$a\" is never used in operation \"Q\". @1:9\n"
            "Variable \"$a\" is never used in operation \"Q\". @1:18\n");
  EXPECT_EQ(Errors("{ dog { ... on\n   Nope { name } } }"), "Unknown type \"Nope\". @2:4\n");
}

}  // namespace
}  // namespace stator::graphql
