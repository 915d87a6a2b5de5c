#include <gtest/gtest.h>

#include "vtl/test_util.h"
#include "vtl/vtl.h"

namespace stator::vtl {
namespace {

using testing::Out;

struct SyntaxError {
  std::string error;
  int line, column;
};

SyntaxError ErrorOf(std::string_view text) {
  ParseResult r = Parse(text);
  EXPECT_FALSE(r.tmpl) << text;
  return {r.error, r.line, r.column};
}

TEST(VtlParse, SyntaxErrorsSayWhere) {
  SyntaxError e = ErrorOf("{\n  #if($x)\n  \"a\": 1\n}");
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.column, 3);
  EXPECT_NE(e.error.find("#if is never closed"), std::string::npos) << e.error;
  EXPECT_NE(e.error.find("velocity[line 2, column 3]"), std::string::npos) << e.error;

  e = ErrorOf("a\nb #end");
  EXPECT_EQ(e.line, 2);
  EXPECT_EQ(e.column, 3);
  EXPECT_NE(e.error.find("#end"), std::string::npos);

  e = ErrorOf("#set($x = )");
  EXPECT_EQ(e.line, 1);
  EXPECT_EQ(e.column, 11);

  e = ErrorOf("#set($x = [1, 2)");
  EXPECT_EQ(e.column, 16);
  EXPECT_NE(e.error.find("expected ',' or ']'"), std::string::npos) << e.error;

  e = ErrorOf("line1\n#foreach($x $list)#end");
  EXPECT_EQ(e.line, 2);
  EXPECT_NE(e.error.find("expected 'in'"), std::string::npos) << e.error;

  e = ErrorOf("#if(true)#else#else#end");
  EXPECT_NE(e.error.find("after #else"), std::string::npos) << e.error;

  e = ErrorOf("$util.toJson($ctx.args");
  EXPECT_EQ(e.column, 23);

  e = ErrorOf("#set($s = \"open)");
  EXPECT_NE(e.error.find("never closed"), std::string::npos) << e.error;

  e = ErrorOf("#* never closed");
  EXPECT_EQ(e.column, 1);

  EXPECT_FALSE(Parse("#foreach($x in [1])#else#end").tmpl);
  EXPECT_FALSE(Parse("#set(x = 1)").tmpl);
}

TEST(VtlParse, Comments) {
  EXPECT_EQ(Out("a## comment\nb"), "a\nb");
  EXPECT_EQ(Out("a#* block\ncomment *#b"), "ab");
  EXPECT_EQ(Out("a#[[ $not #if(parsed) ]]#b"), "a $not #if(parsed) b");
}

TEST(VtlParse, LinesOfOnlyDirectivesPrintNothing) {
  const char* t =
      "{\n"
      "  #set($x = 1)\n"
      "  ## a comment\n"
      "  #if($x == 1)\n"
      "    \"a\": $x\n"
      "  #else\n"
      "    \"a\": 0\n"
      "  #end\n"
      "}\n";
  EXPECT_EQ(Out(t), "{\n    \"a\": 1\n}\n");
  // Several directives on one line, and a directive with text after it on the line.
  EXPECT_EQ(Out("#set($a = 1) #set($b = 2)\n$a$b"), "12");
  EXPECT_EQ(Out("#if(true)x#end\ny"), "x\ny");
  EXPECT_EQ(Out("  #foreach($i in [1, 2])\n  - $i\n  #end\n"), "  - 1\n  - 2\n");
  // The last line needs no newline; CRLF line ends work too.
  EXPECT_EQ(Out("a\n  #set($x = 1)"), "a\n");
  EXPECT_EQ(Out("#set($x = 1)\r\nv=$x\r\n"), "v=1\r\n");
  // A multi-line directive is one line.
  EXPECT_EQ(Out("#set($m = {\n  \"a\": 1\n})\n$m.a"), "1");
  // A line holding a reference is kept even when it prints nothing.
  EXPECT_EQ(Out("$!nothing\nx"), "\nx");
}

TEST(VtlParse, DirectiveSpellings) {
  EXPECT_EQ(Out("#{if}(true)a#{else}b#{end}"), "a");
  EXPECT_EQ(Out("#if (true)a#end"), "a");
  EXPECT_EQ(Out("#set ($x = 1)$x"), "1");
  EXPECT_EQ(Out("#if(true)a#{end}b"), "ab");
  EXPECT_EQ(Out("#ifnot #endless"), "#ifnot #endless");
}

}  // namespace
}  // namespace stator::vtl
