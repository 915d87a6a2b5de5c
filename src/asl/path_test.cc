#include "asl/path.h"

#include <gtest/gtest.h>

#include "asl/test_util.h"

namespace stator::asl {
namespace {

using json::Value;
using testing::J;

JsonPath P(std::string_view s) {
  auto r = JsonPath::Compile(s);
  EXPECT_TRUE(r.ok()) << s << ": " << (r.ok() ? "" : r.error().cause);
  return r.ok() ? *r : JsonPath();
}

// Evaluates path on doc and returns the compact JSON, or "<none>".
std::string Eval(std::string_view path, std::string_view doc) {
  auto v = P(path).Evaluate(J(doc));
  return v ? v->Dump() : "<none>";
}

const char* kStore = R"({
  "store": {
    "book": [
      {"category": "reference", "author": "Nigel Rees", "title": "Sayings", "price": 8.95},
      {"category": "fiction", "author": "Evelyn Waugh", "title": "Sword", "price": 12.99},
      {"category": "fiction", "author": "Herman Melville", "title": "Moby Dick",
       "isbn": "0-553-21311-3", "price": 8.99},
      {"category": "fiction", "author": "J. R. R. Tolkien", "title": "The Lord",
       "isbn": "0-395-19395-8", "price": 22.99}
    ],
    "bicycle": {"color": "red", "price": 19.95}
  },
  "expensive": 10
})";

TEST(JsonPathTest, RootAndDefinitePaths) {
  EXPECT_EQ(Eval("$", R"({"a":1})"), R"({"a":1})");
  EXPECT_EQ(Eval("$.a.b", R"({"a":{"b":[1,2]}})"), "[1,2]");
  EXPECT_EQ(Eval("$.a.b[0]", R"({"a":{"b":[1,2]}})"), "1");
  EXPECT_EQ(Eval("$.a.b[-1]", R"({"a":{"b":[1,2]}})"), "2");
  EXPECT_EQ(Eval("$.a.b[2]", R"({"a":{"b":[1,2]}})"), "<none>");
  EXPECT_EQ(Eval("$.a.b[-3]", R"({"a":{"b":[1,2]}})"), "<none>");
  EXPECT_EQ(Eval("$.x", R"({"a":1})"), "<none>");
  EXPECT_EQ(Eval("$.a.x", R"({"a":1})"), "<none>");
  EXPECT_EQ(Eval("$.a", "[1]"), "<none>");
  EXPECT_EQ(Eval("$[0]", "[7,8]"), "7");
  EXPECT_EQ(Eval("$.a", R"({"a":null})"), "null");
  EXPECT_TRUE(P("$.a.b[0]").is_definite());
  EXPECT_TRUE(P("$").is_root());
  EXPECT_FALSE(P("$.a").is_root());
}

TEST(JsonPathTest, BracketNamesWithSpecialCharacters) {
  EXPECT_EQ(Eval("$['a b']", R"({"a b":1})"), "1");
  EXPECT_EQ(Eval("$[\"a.b\"]", R"({"a.b":2})"), "2");
  // Escapes only stop the quote from closing the name; the backslash stays in the key (AWS).
  EXPECT_EQ(Eval("$['it\\'s']", R"({"it\\'s":3})"), "3");
  EXPECT_EQ(Eval("$['it\\'s']", R"({"it's":3})"), "<none>");
  // Recorded: scenarios/test_escape_sequence_parsing[ESCAPE_SEQUENCES_JSONPATH].
  EXPECT_EQ(Eval(R"($['Test\""Name"'])", R"({"Test\\\"\"Name\"":"Value\"\\"})"), R"("Value\"\\")");
  EXPECT_EQ(Eval("$[?(@.k == 'it\\'s')].v", R"([{"k":"it's","v":1}])"), "[1]");
  EXPECT_EQ(Eval("$.x['y z'][1]", R"({"x":{"y z":[0,5]}})"), "5");
  EXPECT_EQ(Eval("$.a-b", R"({"a-b":4})"), "4");
  EXPECT_EQ(Eval("$.Ünïcode", R"({"Ünïcode":5})"), "5");
  EXPECT_EQ(Eval("$[ 'a' ]", R"({"a":6})"), "6");
}

TEST(JsonPathTest, ContextRoot) {
  JsonPath p = P("$$.Execution.Id");
  EXPECT_TRUE(p.is_context());
  EXPECT_EQ(p.Evaluate(J(R"({"Execution":{"Id":"x"}})"))->Dump(), "\"x\"");
  EXPECT_TRUE(P("$$").is_root());
  EXPECT_TRUE(P("$$").is_context());
  EXPECT_FALSE(P("$.a").is_context());
}

class VarContext : public Context {
 public:
  const Value& Get() const override { return ctx_; }
  const Value* Variable(std::string_view name) const override { return vars_.Find(name); }
  Value ctx_ = J(R"({"State":{"Name":"S"}})");
  Value vars_ = J(R"({"x":{"y":[1,2]},"s":"str"})");
};

TEST(JsonPathTest, VariableRootsAndRootChoice) {
  VarContext ctx;
  Value input = J(R"({"a":1})");
  JsonPath v = P("$x.y[1]");
  EXPECT_TRUE(v.is_variable());
  EXPECT_EQ(v.variable(), "x");
  EXPECT_FALSE(v.is_root());
  EXPECT_FALSE(v.is_reference());
  EXPECT_EQ(v.Evaluate(input, ctx)->Dump(), "2");
  EXPECT_EQ(P("$s").Evaluate(input, ctx)->Dump(), "\"str\"");
  EXPECT_EQ(P("$x.y[*]").Evaluate(input, ctx)->Dump(), "[1,2]");
  EXPECT_FALSE(P("$nope").Evaluate(input, ctx).has_value());
  EXPECT_EQ(P("$$.State.Name").Evaluate(input, ctx)->Dump(), "\"S\"");
  EXPECT_EQ(P("$.a").Evaluate(input, ctx)->Dump(), "1");
  EXPECT_FALSE(P("$.a").is_variable());
  EXPECT_FALSE(JsonPath::Compile("$x y").ok());
  EXPECT_FALSE(JsonPath::Compile("$1x").ok());
}

TEST(JsonPathTest, VariableIdsComeFromTheTable) {
  // With a table, a variable path carries the variable's number and the engine is asked by id.
  VariableTable vars;
  EXPECT_EQ(vars.Declare("first"), 0u);
  Result<JsonPath> p = JsonPath::Compile("$x.y", &vars);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->variable_id(), 1u);
  EXPECT_EQ(JsonPath::Compile("$x", &vars)->variable_id(), 1u);
  EXPECT_EQ(JsonPath::Compile("$.x", &vars)->variable_id(), kNoVariableId);
  EXPECT_EQ(P("$x").variable_id(), kNoVariableId);  // no table
  EXPECT_EQ(vars.size(), 2u);

  class ById : public Context {
   public:
    const Value& Get() const override { return ctx_; }
    const Value* VariableById(uint32_t id, std::string_view name) const override {
      asked = std::string(name) + "#" + std::to_string(id);
      return id == 1 ? &v_ : nullptr;
    }
    mutable std::string asked;

   private:
    Value ctx_ = Value::EmptyObject();
    Value v_ = J(R"({"y":5})");
  } ctx;
  EXPECT_EQ(p->Evaluate(Value(), ctx)->Dump(), "5");
  EXPECT_EQ(ctx.asked, "x#1");
}

TEST(JsonPathTest, VariableNames) {
  // Letters, digits and '_' (not first: a digit), and any non-ASCII character.
  EXPECT_EQ(P("$_a1.b").variable(), "_a1");
  EXPECT_EQ(P("$caf\xc3\xa9.x").variable(), "caf\xc3\xa9");
  EXPECT_TRUE(IsValidVariableName("x_1"));
  EXPECT_TRUE(IsValidVariableName("\xc3\xa9t\xc3\xa9"));
  EXPECT_FALSE(IsValidVariableName(""));
  EXPECT_FALSE(IsValidVariableName("1x"));
  EXPECT_FALSE(IsValidVariableName("a-b"));
  EXPECT_FALSE(IsValidVariableName("states"));  // reserved ($states in JSONata)
}

TEST(JsonPathTest, WildcardsAndUnions) {
  EXPECT_EQ(Eval("$.a[*]", R"({"a":[1,2]})"), "[1,2]");
  EXPECT_EQ(Eval("$.a.*", R"({"a":{"x":1,"y":[2]}})"), "[1,[2]]");
  EXPECT_EQ(Eval("$.a[*].b", R"({"a":[{"b":1},{"c":2},{"b":3}]})"), "[1,3]");
  EXPECT_EQ(Eval("$.a[0,2]", R"({"a":[5,6,7]})"), "[5,7]");
  EXPECT_EQ(Eval("$.a[0,-1]", R"({"a":[5,6,7]})"), "[5,7]");
  // A leaf union of names merges into one object (Jayway).
  EXPECT_EQ(Eval("$['a','c']", R"({"a":1,"b":2,"c":3})"), R"([{"a":1,"c":3}])");
  EXPECT_EQ(Eval("$['a','q']", R"({"a":1})"), R"([{"a":1}])");
  EXPECT_EQ(Eval("$['a','b'].x", R"({"a":{"x":1},"b":{"x":2}})"), "[1,2]");
  EXPECT_EQ(Eval("$.x[*]", R"({"a":1})"), "[]");
  EXPECT_EQ(Eval("$[*].type", "{}"), "[]");
  EXPECT_FALSE(P("$.a[*]").is_definite());
  EXPECT_FALSE(P("$.a[0,1]").is_definite());
}

TEST(JsonPathTest, Slices) {
  const char* doc = R"({"a":[0,1,2,3,4]})";
  EXPECT_EQ(Eval("$.a[1:3]", doc), "[1,2]");
  EXPECT_EQ(Eval("$.a[:2]", doc), "[0,1]");
  EXPECT_EQ(Eval("$.a[3:]", doc), "[3,4]");
  EXPECT_EQ(Eval("$.a[-2:]", doc), "[3,4]");
  EXPECT_EQ(Eval("$.a[:-3]", doc), "[0,1]");
  EXPECT_EQ(Eval("$.a[1:100]", doc), "[1,2,3,4]");
  EXPECT_EQ(Eval("$.a[3:1]", doc), "[]");
  EXPECT_EQ(Eval("$.a[::2]", doc), "[0,2,4]");
  EXPECT_EQ(Eval("$.a[1:5:3]", doc), "[1,4]");
  EXPECT_EQ(Eval("$.a[7:]", doc), "[]");
}

TEST(JsonPathTest, DeepScan) {
  EXPECT_EQ(Eval("$..author", kStore),
            R"(["Nigel Rees","Evelyn Waugh","Herman Melville","J. R. R. Tolkien"])");
  EXPECT_EQ(Eval("$.store..price", kStore), "[8.95,12.99,8.99,22.99,19.95]");
  EXPECT_EQ(Eval("$..book[2].title", kStore), R"(["Moby Dick"])");
  EXPECT_EQ(Eval("$..book[-1].title", kStore), R"(["The Lord"])");
  EXPECT_EQ(Eval("$..book[0,1].title", kStore), R"(["Sayings","Sword"])");
  EXPECT_EQ(Eval("$..book[:2].title", kStore), R"(["Sayings","Sword"])");
  EXPECT_EQ(Eval("$..['color','nothing']", kStore), R"([{},{},{},{},{},{},{"color":"red"}])")
      << "a union merges per object visited, as Jayway does";
  EXPECT_EQ(Eval("$..x", R"({"x":1,"a":{"x":2,"b":[{"x":3}]}})"), "[1,2,3]");
  EXPECT_EQ(Eval("$..*", R"({"a":{"b":1},"c":[2]})"), R"([{"b":1},[2],1,2])");
  EXPECT_EQ(Eval("$..[0]", R"({"a":[1,[2,3]]})"), "[1,2]");
}

TEST(JsonPathTest, Filters) {
  EXPECT_EQ(Eval("$.store.book[?(@.price < 10)].title", kStore), R"(["Sayings","Moby Dick"])");
  EXPECT_EQ(Eval("$.store.book[?(@.isbn)].title", kStore), R"(["Moby Dick","The Lord"])");
  EXPECT_EQ(Eval("$.store.book[?(!@.isbn)].title", kStore), R"(["Sayings","Sword"])");
  EXPECT_EQ(Eval("$.store.book[?(@.price < 10 && @.category == 'fiction')].title", kStore),
            R"(["Moby Dick"])");
  EXPECT_EQ(Eval("$.store.book[?(@.price > 20 || @.author == \"Nigel Rees\")].title", kStore),
            R"(["Sayings","The Lord"])");
  EXPECT_EQ(Eval("$.store.book[?(@.price <= $.expensive)].title", kStore),
            R"(["Sayings","Moby Dick"])");
  EXPECT_EQ(Eval("$.store.book[?(@.price >= 22.99)].title", kStore), R"(["The Lord"])");
  EXPECT_EQ(Eval("$.store.book[?(@.category != 'fiction')].title", kStore), R"(["Sayings"])");
  EXPECT_EQ(Eval("$..book[?(@.author =~ /.*REES/i)].title", kStore), R"(["Sayings"])");
  EXPECT_EQ(Eval("$..book[?(@.category in ['reference','x'])].title", kStore), R"(["Sayings"])");
  EXPECT_EQ(Eval("$..book[?(@.category nin ['fiction'])].title", kStore), R"(["Sayings"])");
  EXPECT_EQ(Eval("$..book[?((@.price < 9) && !(@.isbn))].title", kStore), R"(["Sayings"])");
  EXPECT_EQ(Eval("$..[?(@.color == 'red')].price", kStore), "[19.95]");
  // Numbers compare across int and double; != includes items lacking the field (Jayway).
  EXPECT_EQ(Eval("$[?(@.n == 1)].id", R"([{"n":1.0,"id":1},{"n":2,"id":2}])"), "[1]");
  EXPECT_EQ(Eval("$[?(@.n != 1)].id", R"([{"n":1,"id":1},{"id":2}])"), "[2]");
  EXPECT_EQ(Eval("$[?(@.n < 'b')].id", R"([{"n":"a","id":1},{"n":3,"id":2}])"), "[1]");
  EXPECT_EQ(Eval("$[?(@.t == true)].id", R"([{"t":true,"id":1},{"t":"true","id":2}])"), "[1]");
  EXPECT_EQ(Eval("$[?(@.v == null)].id", R"([{"v":null,"id":1},{"id":2}])"), "[1]");
  EXPECT_EQ(Eval("$[?(@.a size 2)].id", R"([{"a":[1,2],"id":1},{"a":[1],"id":2}])"), "[1]");
  EXPECT_EQ(Eval("$[?(@.a empty true)].id", R"([{"a":[],"id":1},{"a":[1],"id":2}])"), "[1]");
  EXPECT_EQ(Eval("$[?(@['k y'] > 1)].id", R"([{"k y":2,"id":1},{"k y":1,"id":2}])"), "[1]");
  EXPECT_EQ(Eval("$[?(@.a[0] == 5)].id", R"([{"a":[5],"id":1},{"a":[6],"id":2}])"), "[1]");
  // A filter on an object tests the object itself.
  EXPECT_EQ(Eval("$.o[?(@.x == 1)]", R"({"o":{"x":1}})"), R"([{"x":1}])");
}

TEST(JsonPathTest, InvalidPaths) {
  for (const char* bad :
       {"", "a", "$.", "$..", "$.a.", "$-a", "$[", "$['a'", "$[]", "$[?(@.a <)]", "$.a b",
        "$[1:2:0]", "$[?(@.a == 1]", "$.a.length()", "$[x]", "$[?(@.a =~ 'x')]"}) {
    auto r = JsonPath::Compile(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
}

TEST(JsonPathTest, HostileNestingIsRejectedNotOverflowed) {
  std::string deep = "$[?(" + std::string(100000, '(') + "@.a" + std::string(100000, ')') + ")]";
  EXPECT_FALSE(JsonPath::Compile(deep).ok());
  std::string bangs = "$[?(" + std::string(100000, '!') + "@.a)]";
  EXPECT_FALSE(JsonPath::Compile(bangs).ok());
  std::string arrays = "$[?(@.a in " + std::string(100000, '[') + ")]";
  EXPECT_FALSE(JsonPath::Compile(arrays).ok());
  std::string nested = "$";
  for (int i = 0; i < 100; ++i) nested += "[?(@";
  EXPECT_FALSE(JsonPath::Compile(nested).ok());
  EXPECT_TRUE(JsonPath::Compile("$[?(((@.a == 1)))]").ok());
}

TEST(JsonPathTest, ReferencePaths) {
  EXPECT_TRUE(P("$").is_reference());
  EXPECT_TRUE(P("$.a['b c'][0]").is_reference());
  EXPECT_FALSE(P("$.a[-1]").is_reference());
  EXPECT_FALSE(P("$.a[*]").is_reference());
  EXPECT_FALSE(P("$..a").is_reference());
  EXPECT_FALSE(P("$.a[?(@.x)]").is_reference());
  EXPECT_FALSE(P("$.a[0:1]").is_reference());
  // Variable roots: reference paths for *Path fields and Choice operands, never for ResultPath.
  EXPECT_FALSE(P("$x.a[0]").is_reference());
  EXPECT_TRUE(P("$x.a[0]").is_variable_reference());
  EXPECT_TRUE(P("$x").is_variable_reference());
  EXPECT_FALSE(P("$x[*]").is_variable_reference());
  EXPECT_FALSE(P("$x..a").is_variable_reference());
  EXPECT_FALSE(P("$x[-1]").is_variable_reference());
  EXPECT_FALSE(P("$.a").is_variable_reference());
}

std::string Apply(std::string_view path, std::string_view input, std::string_view result) {
  auto r = ApplyResultPath(P(path), J(input), J(result));
  if (!r.ok()) return r.error().error + ": " + r.error().cause;
  return r->Dump();
}

TEST(ApplyResultPathTest, PlacesResult) {
  EXPECT_EQ(Apply("$", R"({"a":1})", "[2]"), "[2]");
  EXPECT_EQ(Apply("$.r", R"({"a":1})", "2"), R"({"a":1,"r":2})");
  EXPECT_EQ(Apply("$.a", R"({"a":1,"b":2})", "3"), R"({"a":3,"b":2})");
  EXPECT_EQ(Apply("$.x.y.z", R"({"a":1})", "true"), R"({"a":1,"x":{"y":{"z":true}}})");
  EXPECT_EQ(Apply("$.x.y", R"({"x":{"k":0}})", "1"), R"({"x":{"k":0,"y":1}})");
  EXPECT_EQ(Apply("$['a b'].c", "{}", "1"), R"({"a b":{"c":1}})");
  EXPECT_EQ(Apply("$.l[1].v", R"({"l":[{},{"w":0}]})", "5"), R"({"l":[{},{"w":0,"v":5}]})");
  EXPECT_EQ(Apply("$[1]", "[1,2,3]", "9"), "[1,9,3]");
}

TEST(ApplyResultPathTest, SharesUntouchedParts) {
  Value input = J(R"({"big":{"k":[1,2,3]},"x":1})");
  auto out = ApplyResultPath(P("$.x"), input, Value::Int(2));
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(&out->Find("big")->as_object(), &input.Find("big")->as_object());
}

TEST(ApplyResultPathTest, ConflictsFailAsAws) {
  EXPECT_EQ(Apply("$.x", "[1]", "2"),
            "States.ReferencePathConflict: Unable to apply step \"x\" to input [1]");
  EXPECT_EQ(Apply("$.a.b", R"({"a":"s"})", "2"),
            "States.ReferencePathConflict: Unable to apply step \"b\" to input \"s\"");
  EXPECT_EQ(Apply("$.a.b", R"({"a":null})", "2"),
            "States.ReferencePathConflict: Unable to apply step \"b\" to input null");
  EXPECT_EQ(Apply("$.a[3]", R"({"a":[1]})", "2"),
            "States.ReferencePathConflict: Unable to apply step \"3\" to input [1]");
}

// Filter regexes come from users' definitions: a pathological pattern must neither recurse
// through the stack nor backtrack for ever.
TEST(JsonPathTest, FilterRegexesMatchInLinearTime) {
  auto doc = json::Parse(R"([{"s":")" + std::string(20000, 'a') + R"("},{"s":")" +
                         std::string(40, 'a') + R"(c"}])");
  ASSERT_TRUE(doc.ok());
  for (const char* path : {"$[?(@.s =~ /(a|b)*/)]", "$[?(@.s =~ /(a*)*b/)]"}) {
    auto p = JsonPath::Compile(path);
    ASSERT_TRUE(p.ok()) << path;
    auto v = p->Evaluate(*doc);
    ASSERT_TRUE(v.has_value()) << path;
    EXPECT_EQ(v->as_array().size(), std::string(path).find("(a|b)") != std::string::npos ? 1u : 0u)
        << path;
  }
  EXPECT_FALSE(JsonPath::Compile("$[?(@.s =~ /\\99999999999999999999/)]").ok());
}

}  // namespace
}  // namespace stator::asl
