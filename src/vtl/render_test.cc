#include <gtest/gtest.h>

#include "vtl/test_util.h"
#include "vtl/vtl.h"

namespace stator::vtl {
namespace {

using testing::J;
using testing::MakeContext;
using testing::Out;
using testing::RenderIn;
using testing::RenderWith;

TEST(VtlRender, References) {
  EXPECT_EQ(Out("id=$ctx.args.id", R"({"id":"a1"})"), "id=a1");
  EXPECT_EQ(Out("id=${ctx.arguments.id}x", R"({"id":"a1"})"), "id=a1x");
  EXPECT_EQ(Out("id=$context.arguments.id.", R"({"id":"a1"})"), "id=a1.");
  EXPECT_EQ(Out("$ctx.args.get(\"id\")", R"({"id":7})"), "7");
  EXPECT_EQ(Out("$ctx.args.list[1] $ctx.args.list[-1]", R"({"list":[1,2,3]})"), "2 3");
  EXPECT_EQ(Out("$ctx.args.m[\"k\"]", R"({"m":{"k":"v"}})"), "v");
  EXPECT_EQ(Out("$ctx.args.a.b.c", R"({"a":{"b":{"c":true}}})"), "true");
}

TEST(VtlRender, MissingReferencesPrintAsWrittenUnlessQuiet) {
  EXPECT_EQ(Out("[$ctx.args.missing]"), "[$ctx.args.missing]");
  EXPECT_EQ(Out("[$!ctx.args.missing]"), "[]");
  EXPECT_EQ(Out("[$!{ctx.args.missing}]"), "[]");
  EXPECT_EQ(Out("$undefined and ${alsoUndefined}"), "$undefined and ${alsoUndefined}");
  EXPECT_EQ(Out("$ctx.args.missing.deeper.get(1)"), "$ctx.args.missing.deeper.get(1)");
  EXPECT_EQ(Out("$ctx.args.s.noSuchMethod()", R"({"s":"x"})"), "$ctx.args.s.noSuchMethod()");
  // A JSON null argument is null too.
  EXPECT_EQ(Out("$ctx.args.n", R"({"n":null})"), "$ctx.args.n");
  // Not references at all.
  EXPECT_EQ(Out("cost: $5 and $ alone, $.x"), "cost: $5 and $ alone, $.x");
  EXPECT_EQ(Out("email@example.com #notadirective #1"), "email@example.com #notadirective #1");
}

TEST(VtlRender, EscapedReferences) {
  EXPECT_EQ(Out("#set($a = 1)\\$a \\\\$a"), "$a \\1");
  EXPECT_EQ(Out("\\$missing"), "\\$missing");
  EXPECT_EQ(Out("\\#if"), "#if");
}

TEST(VtlRender, ValuesPrintAsJavaDoes) {
  EXPECT_EQ(Out("$ctx.args", R"({"a":1,"b":[1,"x",null],"c":{"d":2.5}})"),
            "{a=1, b=[1, x, null], c={d=2.5}}");
  EXPECT_EQ(Out("#set($d = 1.0)$d #set($e = 1e20)$e #set($f = 0.0001)$f"), "1.0 1.0E20 1.0E-4");
  EXPECT_EQ(Out("#set($b = true)$b $ctx.args.f", R"({"f":false})"), "true false");
}

TEST(VtlRender, Set) {
  EXPECT_EQ(Out("#set($x = \"hi\")$x"), "hi");
  EXPECT_EQ(Out("#set( $x = 'a' )#set($x = \"${x}b\")$x"), "ab");
  EXPECT_EQ(Out("#set($m = {})#set($m.k = 5)$m.k $m"), "5 {k=5}");
  EXPECT_EQ(Out("#set($l = [1, 2])#set($l[0] = 9)$l"), "[9, 2]");
  EXPECT_EQ(Out("#set($m = {\"a\": 1})#set($m[\"b\"] = 2)$m"), "{a=1, b=2}");
  // A null value unsets the variable.
  EXPECT_EQ(Out("#set($x = 1)#set($x = $ctx.args.none)$x"), "$x");
  EXPECT_EQ(Out("#set($x = $null)[$!x]"), "[]");
}

TEST(VtlRender, ContainersAreSharedByReference) {
  Context ctx = MakeContext(R"({"input":{"a":1}})");
  RenderResult r = RenderIn(
      "#set($in = $ctx.args.input)$util.qr($in.put(\"b\", 2))$ctx.args.input "
      "$ctx.arguments.input",
      ctx);
  EXPECT_EQ(r.output, "{a=1, b=2} {a=1, b=2}");
  EXPECT_EQ(Out("#set($a = [])#set($b = $a)$util.qr($b.add(1))$a"), "[1]");
}

TEST(VtlRender, Literals) {
  EXPECT_EQ(Out("#set($x = {\"a\": [1, 2.5, true, null, 'q'], \"b\": {}})$util.toJson($x)"),
            R"({"a":[1,2.5,true,null,"q"],"b":{}})");
  EXPECT_EQ(Out("#set($r = [1..4])$r #set($r = [3..1])$r"), "[1, 2, 3, 4] [3, 2, 1]");
  EXPECT_EQ(Out("#set($n = 5)#set($r = [1..$n])$r.size()"), "5");
  EXPECT_EQ(Out("#set($x = -3)$x"), "-3");
}

TEST(VtlRender, Strings) {
  EXPECT_EQ(Out("#set($n = \"w\")#set($s = \"hello $n ${n}!\")$s"), "hello w w!");
  EXPECT_EQ(Out("#set($n = \"w\")#set($s = 'hello $n')$s"), "hello $n");
  EXPECT_EQ(Out("#set($s = \"say \"\"hi\"\"\")$s"), "say \"hi\"");
  EXPECT_EQ(Out("#set($s = 'it''s')$s"), "it's");
  // Backslashes stay as written (Velocity does not unescape them): handy inside JSON.
  EXPECT_EQ(Out("#set($s = \"a \\\"q\\\" b\")$s"), "a \\\"q\\\" b");
  EXPECT_EQ(Out("#set($s = \"$ctx.args.missing\")$s"), "$ctx.args.missing");
  EXPECT_EQ(Out("#set($s = \"a${ctx.args.x}b\")$s", R"({"x":1})"), "a1b");
  // Directives work inside a string literal too.
  EXPECT_EQ(Out("#set($s = \"#foreach($i in [1, 2, 3])$i#if($foreach.hasNext),#end#end\")[$s]"),
            "[1,2,3]");
}

TEST(VtlRender, Operators) {
  EXPECT_EQ(Out("#set($x = 7 / 2)$x #set($x = 7 % 3)$x #set($x = 7.0 / 2)$x"), "3 1 3.5");
  EXPECT_EQ(Out("#set($x = 2 + 3 * 4)$x #set($x = (2 + 3) * 4)$x #set($x = 10 - 4 - 3)$x"),
            "14 20 3");
  EXPECT_EQ(Out("#set($x = 1 / 0)[$!x]"), "[]");
  EXPECT_EQ(Out("#set($x = \"a\" + 1)$x #set($x = 1 + \"a\")$x"), "a1 1a");
  EXPECT_EQ(Out("#set($x = 9223372036854775807 + 1)$x"), "9.223372036854776E18");
  EXPECT_EQ(Out("#if(1 == 1.0)y#end #if(\"1\" == 1)y#end #if('a' != 'b')y#end"), "y y y");
  EXPECT_EQ(Out("#if(2 > 1 && 1 >= 1 && 1 < 2 && 2 <= 2)y#end"), "y");
  EXPECT_EQ(Out("#if(2 gt 1 and 1 ge 1 and 1 lt 2 and 2 le 2 and 1 eq 1 and 1 ne 2)y#end"), "y");
  EXPECT_EQ(
      Out("#if(!false && not false)y#end #if(false || true)y#end #if(false or false)y#{else}n#end"),
      "y y n");
  EXPECT_EQ(Out("#if($nothing == $null)y#end #if($nothing != 1)y#end"), "y y");
  EXPECT_EQ(Out("#if({\"a\": [1]} == {\"a\": [1]})y#end"), "y");
}

TEST(VtlRender, IfElse) {
  const char* t = "#if($ctx.args.n > 10)big#elseif($ctx.args.n > 5)mid#{else}small#end";
  EXPECT_EQ(Out(t, R"({"n":11})"), "big");
  EXPECT_EQ(Out(t, R"({"n":6})"), "mid");
  EXPECT_EQ(Out(t, R"({"n":1})"), "small");
  // Velocity's truth: only null and false are false.
  EXPECT_EQ(Out("#if($ctx.args.s)t#{else}f#end", R"({"s":""})"), "t");
  EXPECT_EQ(Out("#if($ctx.args.z)t#{else}f#end", R"({"z":0})"), "t");
  EXPECT_EQ(Out("#if($ctx.args.none)t#{else}f#end"), "f");
  EXPECT_EQ(Out("#if( $ctx.args.b )t#{else}f#end", R"({"b":false})"), "f");
}

TEST(VtlRender, Foreach) {
  EXPECT_EQ(Out("#foreach($x in [1, 2, 3])$x#if($foreach.hasNext),#end#end"), "1,2,3");
  EXPECT_EQ(Out("#foreach($x in ['a', 'b'])$foreach.index:$foreach.count:$velocityCount #end"),
            "0:1:1 1:2:2 ");
  EXPECT_EQ(Out("#foreach($x in [1, 2, 3, 4])#if($x == 3)#break#end$x#end"), "12");
  // A map iterates its values; entrySet gives key and value.
  EXPECT_EQ(Out("#foreach($v in $ctx.args)$v #end", R"({"a":1,"b":2})"), "1 2 ");
  EXPECT_EQ(Out("#foreach($e in $ctx.args.entrySet())$e.key=$e.value;$e.getKey()#end",
                R"({"a":1,"b":2})"),
            "a=1;ab=2;b");
  EXPECT_EQ(Out("#foreach($k in $ctx.args.keySet())$k#end", R"({"a":1,"b":2})"), "ab");
  // Nothing to iterate: no iterations.
  EXPECT_EQ(Out("[#foreach($x in $ctx.args.none)$x#end]"), "[]");
  EXPECT_EQ(Out("[#foreach($x in \"str\")$x#end]"), "[]");
  // The loop variable is restored afterwards; nested loops have their own $foreach.
  EXPECT_EQ(Out("#set($x = 'outer')#foreach($x in [1])#end$x"), "outer");
  EXPECT_EQ(Out("#foreach($a in [1, 2])#foreach($b in ['x', 'y'])$a$b$foreach.count #end"
                "$foreach.count|#end"),
            "1x1 1y2 1|2x1 2y2 2|");
  // The list may grow inside the loop; the loop runs over the items it had.
  EXPECT_EQ(Out("#set($l = [1, 2])#foreach($x in $l)$util.qr($l.add($x))#end$l"), "[1, 2, 1, 2]");
}

TEST(VtlRender, StopAndReturn) {
  RenderResult r = RenderWith("a#stop b");
  EXPECT_EQ(r.output, "a");
  EXPECT_FALSE(r.returned);
  r = RenderWith("a#return({\"id\": 1})b");
  EXPECT_TRUE(r.returned);
  EXPECT_EQ(r.return_value, J(R"({"id":1})"));
  EXPECT_EQ(r.output, "a");
  r = RenderWith("#foreach($i in [1,2])#if($i == 2)#return#end#end after");
  EXPECT_TRUE(r.returned);
  EXPECT_TRUE(r.return_value.is_null());
  r = RenderWith("#return()");
  EXPECT_TRUE(r.returned);
}

TEST(VtlRender, StashIsReturned) {
  Context ctx = MakeContext();
  ctx.stash = J(R"({"before":1})");
  RenderResult r = RenderIn("$util.qr($ctx.stash.put(\"after\", [1]))$ctx.stash.before", ctx);
  EXPECT_EQ(r.output, "1");
  EXPECT_EQ(r.stash, J(R"({"before":1,"after":[1]})"));
  Context empty = MakeContext();
  r = RenderIn("#set($ctx.stash.k = 'v')", empty);
  EXPECT_EQ(r.stash, J(R"({"k":"v"})"));
}

TEST(VtlRender, ContextFields) {
  Context ctx = MakeContext();
  ctx.source = J(R"({"id":"parent"})");
  ctx.identity = J(R"({"sub":"u1","claims":{"groups":["admin"]}})");
  ctx.result = J(R"({"items":[{"id":1}],"nextToken":null})");
  ctx.prev = J(R"({"result":{"x":1}})");
  ctx.request = J(R"({"headers":{"x-api-key":"k"}})");
  ctx.error = J(R"({"message":"boom","type":"T"})");
  RenderResult r = RenderIn(
      "$ctx.source.id $ctx.identity.sub $ctx.identity.claims.groups[0] $ctx.result.items[0].id "
      "$ctx.prev.result.x $ctx.request.headers.get(\"x-api-key\") $ctx.error.message "
      "$ctx.info.fieldName $ctx.info.parentTypeName $!ctx.result.nextToken",
      ctx);
  EXPECT_EQ(r.output, "parent u1 admin 1 1 k boom getPost Query ");
}

TEST(VtlRender, MapMethods) {
  EXPECT_EQ(Out("#set($m = {})$m.isEmpty() $m.put('a', 1) $m.put('a', 2) $m.size() $m.get('a') "
                "$m.containsKey('a') $m.containsKey('b') $m.keySet() $m.values() $m.remove('a') "
                "$m.isEmpty() $m.empty"),
            // $m.empty on a map is $m.get("empty"), as in Velocity.
            "true $m.put('a', 1) 1 1 2 true false [a] [2] 2 true $m.empty");
  EXPECT_EQ(Out("#set($l = [])$l.empty"), "true");
  EXPECT_EQ(Out("#set($m = {'a': 1})$m.putAll({'b': 2, 'a': 3})$m"), "{a=3, b=2}");
  EXPECT_EQ(Out("#set($m = {'a': 1})$m.getOrDefault('z', 0) $m.containsValue(1)"), "0 true");
}

TEST(VtlRender, ListMethods) {
  EXPECT_EQ(Out("#set($l = [])$l.isEmpty() $l.add('x') $l.add(2) $l.size() $l.get(0) "
                "$l.contains(2) $l.contains('y') $l.indexOf(2) $l"),
            "true true true 2 x true false 1 [x, 2]");
  EXPECT_EQ(
      Out("#set($l = [1])$l.addAll([2, 3]) $l $l.remove(0) $l $l.remove('x') $l.set(0, 9) $l"),
      "true [1, 2, 3] 1 [2, 3] false 2 [9, 3]");
  EXPECT_EQ(Out("#set($l = [1, 2, 3, 2])$l.removeAll([2]) $l $l.subList(0, 1) $l.get(5)"),
            "true [1, 3] [1] $l.get(5)");
  EXPECT_EQ(Out("#set($l = [1])$l.clear()|$l"), "|[]");  // void methods print nothing
}

TEST(VtlRender, StringMethods) {
  EXPECT_EQ(Out("#set($s = ' Hello, World ')$s.length() $s.trim() $s.toLowerCase()|"
                "$s.toUpperCase()| $s.contains('World') $s.isEmpty()"),
            "14 Hello, World  hello, world | HELLO, WORLD | true false");
  EXPECT_EQ(Out("#set($s = 'a-b-c')$s.startsWith('a') $s.endsWith('c') $s.substring(2) "
                "$s.substring(0, 3) $s.replace('-', '+') $s.split('-') $s.indexOf('b') "
                "$s.charAt(4) $s.equals('a-b-c') $s.matches('[a-c-]+') $s.replaceAll('[ab]', 'x')"),
            "true true b-c a-b a+b+c [a, b, c] 2 c true true x-x-c");
  EXPECT_EQ(Out("#set($s = 'a,b,,')$s.split(',').size() #set($s = '')$s.split(',').size()"), "2 1");
  // Java counts UTF-16 code units.
  EXPECT_EQ(Out("#set($s = 'h\xc3\xa9\xf0\x9f\x98\x80!')$s.length() $s.substring(1, 2)"),
            "5 \xc3\xa9");
  EXPECT_EQ(Out("#set($s = 'abc')$s.substring(5)"), "$s.substring(5)");
}

TEST(VtlRender, NumberAndBooleanMethods) {
  EXPECT_EQ(Out("#set($d = 2.7)$d.intValue() $d.longValue() #set($i = 3)$i.doubleValue() "
                "$i.toString() #set($b = true)$b.booleanValue() $b.equals(true)"),
            "2 2 3.0 3 true true");
}

TEST(VtlRender, RuntimeErrorsStopTheRender) {
  RenderResult r =
      RenderWith("before $util.error(\"Bad input\", \"ValidationError\", {\"f\": 1}) after");
  ASSERT_TRUE(r.error_message);
  EXPECT_EQ(*r.error_message, "Bad input");
  EXPECT_EQ(r.error_type, "ValidationError");
  EXPECT_EQ(r.error_data, J(R"({"f":1})"));
  EXPECT_TRUE(r.error_info.is_null());
  EXPECT_EQ(r.output, "before ");
  r = RenderWith("$util.error('m')");
  EXPECT_EQ(r.error_message, "m");
  EXPECT_FALSE(r.error_type);
  r = RenderWith("#set($x = $util.parseJson('{oops'))after");
  ASSERT_TRUE(r.error_message);
  EXPECT_EQ(r.error_type, "MappingTemplate");
  EXPECT_EQ(r.output, "");
}

TEST(VtlRender, TemplateIsSharedAcrossRenders) {
  ParseResult parsed = Parse("#set($x = $ctx.args.n * 2)$x");
  ASSERT_TRUE(parsed.tmpl);
  for (int i = 0; i < 3; ++i) {
    Context ctx = MakeContext("{\"n\":" + std::to_string(i) + "}");
    EXPECT_EQ(Render(*parsed.tmpl, ctx).output, std::to_string(i * 2));
  }
}

}  // namespace
}  // namespace stator::vtl
