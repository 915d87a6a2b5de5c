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

TEST(VtlUtil, Json) {
  EXPECT_EQ(Out("$util.toJson($ctx.args)", R"({"a":1,"b":[1.5,"x",null,true],"c":{}})"),
            R"({"a":1,"b":[1.5,"x",null,true],"c":{}})");
  EXPECT_EQ(Out("$util.toJson('q\"uote')"), R"("q\"uote")");
  EXPECT_EQ(Out("$util.toJson($ctx.args.missing)"), "null");
  EXPECT_EQ(Out("$util.toJson(1.0) $util.toJson(100)"), "1.0 100");
  EXPECT_EQ(Out("#set($o = $util.parseJson('{\"a\":[1,2]}'))$o.a[1] $o.a.size()"), "2 2");
  EXPECT_EQ(Out("$util.toJson($util.parseJson('[1, {\"b\": false}]'))"), R"([1,{"b":false}])");
}

TEST(VtlUtil, Ids) {
  EXPECT_EQ(Out("$util.autoId()"), "0a1b2c3d-0000-4000-8000-000000000001");
  Context ctx = MakeContext();
  ctx.uuid = nullptr;
  std::string id = RenderIn("$util.autoId()", ctx).output;
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(id[14], '4');
  std::string ulid = Out("$util.autoUlid()");
  ASSERT_EQ(ulid.size(), 26u);
  EXPECT_EQ(ulid.substr(0, 10), "01C5P7XAC6");  // 1517943695750 ms in base 32
}

TEST(VtlUtil, Encodings) {
  EXPECT_EQ(Out("$util.urlEncode('a b&c=d/é*~')"), "a+b%26c%3Dd%2F%C3%A9*%7E");
  EXPECT_EQ(Out("$util.urlDecode('a+b%26c')"), "a b&c");
  EXPECT_EQ(Out("$util.base64Encode('hello')"), "aGVsbG8=");
  EXPECT_EQ(Out("$util.base64Decode('aGVsbG8=')"), "hello");
  EXPECT_EQ(Out("$util.escapeJavaScript('it''s \"q\" \\ / \n é')"),
            "it\\'s \\\"q\\\" \\\\ \\/ \\n \\u00E9");
  EXPECT_EQ(Out("$util.escapeJavaScript('\x7f\x01')"), "\x7f\\u0001");  // DEL stays
}

TEST(VtlUtil, TypeChecks) {
  const char* args = R"({"s":"x","e":"","b":"  ","n":1,"d":1.5,"t":true,"l":[],"m":{},"z":null})";
  EXPECT_EQ(
      Out("$util.isNull($ctx.args.z) $util.isNull($ctx.args.missing) $util.isNull($ctx.args.s)",
          args),
      "true true false");
  EXPECT_EQ(Out("$util.isNullOrEmpty($ctx.args.e) $util.isNullOrEmpty($ctx.args.l) "
                "$util.isNullOrEmpty($ctx.args.b) $util.isNullOrBlank($ctx.args.b) "
                "$util.isNullOrBlank($ctx.args.s)",
                args),
            "true true false true false");
  EXPECT_EQ(Out("$util.defaultIfNull($ctx.args.z, 'd') $util.defaultIfNull($ctx.args.s, 'd') "
                "$util.defaultIfNullOrEmpty($ctx.args.e, 'd') "
                "$util.defaultIfNullOrBlank($ctx.args.b, 'd')",
                args),
            "d x d d");
  EXPECT_EQ(Out("$util.isString($ctx.args.s) $util.isNumber($ctx.args.d) "
                "$util.isBoolean($ctx.args.t) $util.isList($ctx.args.l) $util.isMap($ctx.args.m) "
                "$util.isMap($ctx.args.l)",
                args),
            "true true true true true false");
  EXPECT_EQ(Out("$util.typeOf($ctx.args.s) $util.typeOf($ctx.args.n) $util.typeOf($ctx.args.t) "
                "$util.typeOf($ctx.args.l) $util.typeOf($ctx.args.m) $util.typeOf($ctx.args.z)",
                args),
            "String Number Boolean List Map Null");
  EXPECT_EQ(Out("$util.matches('^[a-z]+\\d$', 'abc1') $util.matches('b', 'abc')"), "true false");
}

TEST(VtlUtil, QuietCalls) {
  EXPECT_EQ(Out("#set($l = [])$util.qr($l.add(1))$util.quiet($l.add(2))$l"), "[1, 2]");
}

TEST(VtlUtil, Errors) {
  RenderResult r = RenderWith("$util.unauthorized()");
  EXPECT_EQ(r.error_message, "Not Authorized to access getPost on type Query");
  EXPECT_EQ(r.error_type, "Unauthorized");

  r = RenderWith("$util.validate($ctx.args.n > 0, 'n must be positive')ok", R"({"n":1})");
  EXPECT_FALSE(r.error_message);
  EXPECT_EQ(r.output, "ok");
  r = RenderWith("$util.validate($ctx.args.n > 0, 'n must be positive')ok", R"({"n":0})");
  EXPECT_EQ(r.error_message, "n must be positive");
  EXPECT_EQ(r.error_type, "CustomTemplateException");
  r = RenderWith("$util.validate(false, 'm', 'MyType', {'x': 1})");
  EXPECT_EQ(r.error_type, "MyType");
  EXPECT_EQ(r.error_data, J(R"({"x":1})"));

  r = RenderWith("$util.error('m', 'T', $ctx.args, {'code': 7})", R"({"a":1})");
  EXPECT_EQ(r.error_info, J(R"({"code":7})"));
  EXPECT_EQ(r.error_data, J(R"({"a":1})"));

  r = RenderWith("$util.appendError('first', 'E1')$util.appendError('second')done");
  EXPECT_FALSE(r.error_message);
  EXPECT_EQ(r.output, "done");
  ASSERT_EQ(r.appended_errors.size(), 2u);
  EXPECT_EQ(r.appended_errors[0],
            J(R"({"message":"first","errorType":"E1","data":null,"errorInfo":null})"));
  EXPECT_EQ(r.appended_errors[1].Find("errorType")->is_null(), true);
}

TEST(VtlUtil, Time) {
  EXPECT_EQ(Out("$util.time.nowISO8601()"), "2018-02-06T19:01:35.750Z");
  EXPECT_EQ(Out("$util.time.nowEpochSeconds() $util.time.nowEpochMilliSeconds()"),
            "1517943695 1517943695750");
  EXPECT_EQ(Out("$util.time.nowFormatted('yyyy-MM-dd HH:mm:ssZ')"), "2018-02-06 19:01:35+0000");
  EXPECT_EQ(Out("$util.time.nowFormatted('yyyy-MM-dd HH:mm:ssZ', '-08:00')"),
            "2018-02-06 11:01:35-0800");
  EXPECT_EQ(Out("$util.time.nowFormatted(\"EEE, d MMM yyyy hh:mm a '('z')' SSS XXX\")"),
            "Tue, 6 Feb 2018 07:01 PM (UTC) 750 Z");
  EXPECT_EQ(Out("$util.time.epochMilliSecondsToSeconds(1517943695750) "
                "$util.time.epochMilliSecondsToISO8601(1517943695750)"),
            "1517943695 2018-02-06T19:01:35.750Z");
  EXPECT_EQ(Out("$util.time.epochMilliSecondsToFormatted(1517943695750, 'yyyy-MM-dd HH:mm:ssZ', "
                "'+05:30')"),
            "2018-02-07 00:31:35+0530");
  EXPECT_EQ(Out("$util.time.parseISO8601ToEpochMilliSeconds('2018-02-01T17:21:05.180+08:00')"),
            "1517476865180");
  EXPECT_EQ(Out("$util.time.parseFormattedToEpochMilliSeconds('2018-02-02 01:19:22+0000', "
                "'yyyy-MM-dd HH:mm:ssZ')"),
            "1517534362000");
  EXPECT_EQ(Out("$util.time.parseFormattedToEpochMilliSeconds('2018-02-02 01:19:22', "
                "'yyyy-MM-dd HH:mm:ss', '+01:00')"),
            "1517530762000");
  RenderResult r = RenderWith("$util.time.nowFormatted('yyyy', 'Australia/Perth')");
  EXPECT_TRUE(r.error_message);
}

TEST(VtlUtil, DynamoDb) {
  EXPECT_EQ(Out("$util.dynamodb.toDynamoDBJson('foo') $util.dynamodb.toDynamoDBJson(12345) "
                "$util.dynamodb.toDynamoDBJson(1.5) $util.dynamodb.toDynamoDBJson(true) "
                "$util.dynamodb.toDynamoDBJson($ctx.args.none)"),
            R"({"S":"foo"} {"N":12345} {"N":1.5} {"BOOL":true} {"NULL":null})");
  EXPECT_EQ(Out(R"($util.dynamodb.toDynamoDBJson(["foo", 123, {"bar": "baz"}]))"),
            R"({"L":[{"S":"foo"},{"N":123},{"M":{"bar":{"S":"baz"}}}]})");
  EXPECT_EQ(Out(R"($util.dynamodb.toDynamoDBJson({"foo": "bar", "baz": 1234, "beep": ["boop"]}))"),
            R"({"M":{"foo":{"S":"bar"},"baz":{"N":1234},"beep":{"L":[{"S":"boop"}]}}})");
  EXPECT_EQ(Out(R"($util.dynamodb.toMapValuesJson({"foo": "bar", "n": 1}))"),
            R"({"foo":{"S":"bar"},"n":{"N":1}})");
  EXPECT_EQ(Out("$util.dynamodb.toStringJson('x') $util.dynamodb.toNumberJson(5) "
                "$util.dynamodb.toBooleanJson(false) $util.dynamodb.toNullJson() "
                "$util.dynamodb.toBinaryJson('aGk=')"),
            R"({"S":"x"} {"N":5} {"BOOL":false} {"NULL":null} {"B":"aGk="})");
  EXPECT_EQ(
      Out("$util.dynamodb.toStringSetJson(['a', 'b']) $util.dynamodb.toNumberSetJson([1, 2.5]) "
          "$util.dynamodb.toBinarySetJson(['aGk='])"),
      R"({"SS":["a","b"]} {"NS":[1,2.5]} {"BS":["aGk="]})");
  EXPECT_EQ(Out("$util.dynamodb.toListJson([1]) $util.dynamodb.toMapJson({'a': 'b'})"),
            R"({"L":[{"N":1}]} {"M":{"a":{"S":"b"}}})");
  // The object forms are maps a template can change before printing.
  EXPECT_EQ(Out("#set($v = $util.dynamodb.toMapValues({'a': 1}))$util.qr($v.put('b', "
                "$util.dynamodb.toString('x')))$util.toJson($v)"),
            R"({"a":{"N":1},"b":{"S":"x"}})");
  EXPECT_EQ(Out("$util.dynamodb.toS3ObjectJson('k', 'bkt', 'us-west-2')"),
            R"({"S":"{\"s3\":{\"key\":\"k\",\"bucket\":\"bkt\",\"region\":\"us-west-2\"}}"})");
  EXPECT_EQ(Out("#set($o = $util.dynamodb.fromS3ObjectJson('{\"s3\":{\"key\":\"k\"}}'))$o.key"),
            "k");
  EXPECT_EQ(Out("$util.toJson($util.dynamodb.fromDynamoDB({'M': {'a': {'N': '1.5'}, "
                "'l': {'L': [{'S': 'x'}, {'NULL': true}]}}}))"),
            R"({"a":1.5,"l":["x",null]})");
  // A helper given the wrong kind of value does not apply: the reference prints as written.
  EXPECT_EQ(Out("$util.dynamodb.toNumberJson('x')"), "$util.dynamodb.toNumberJson('x')");
}

TEST(VtlUtil, Collections) {
  EXPECT_EQ(Out("$util.str.toUpper('abC') $util.str.toLower('AbC') "
                "$util.str.toReplace('a-b-c', '-', '+') $util.str.normalize('abc', 'NFC')"),
            "ABC abc a+b+c abc");
  EXPECT_EQ(Out("$util.math.roundNum(2.5) $util.math.roundNum(-2.5) $util.math.minVal(1, 2.5) "
                "$util.math.maxVal(1, 2.5)"),
            "3 -2 1.0 2.5");
  std::string r =
      Out("#set($x = $util.math.randomWithinRange(3, 5))#if($x >= 3 && $x <= 5)ok#end "
          "#set($d = $util.math.randomDouble())#if($d >= 0 && $d < 1)ok#end");
  EXPECT_EQ(r, "ok ok");
  EXPECT_EQ(Out("#set($l = [1, 2, 3])$util.list.copyAndRemoveAll($l, [2]) "
                "$util.list.copyAndRetainAll($l, [2, 3]) $l"),
            "[1, 3] [2, 3] [1, 2, 3]");
  EXPECT_EQ(Out("#set($m = {'a': 1, 'b': 2, 'c': 3})$util.map.copyAndRemoveAllKeys($m, ['a']) "
                "$util.map.copyAndRetainAllKeys($m, ['a', 'c']) $m.size()"),
            "{b=2, c=3} {a=1, c=3} 3");
}

TEST(VtlUtil, FilterExpression) {
  EXPECT_EQ(
      Out(R"j($util.transform.toDynamoDBFilterExpression({"title": {"contains": "Hello World"}}))j"),
      R"j({"expression":"contains(#title, :title_contains)",)j"
      R"j("expressionNames":{"#title":"title"},)j"
      R"j("expressionValues":{":title_contains":{"S":"Hello World"}}})j");
  EXPECT_EQ(
      Out(R"j($util.transform.toDynamoDBFilterExpression({"or": [{"n": {"gt": 1}}, )j"
          R"j({"n": {"between": [5, 9]}}], "t": {"beginsWith": "a"}}))j"),
      R"j({"expression":"((#n > :n_gt OR #n BETWEEN :n_between_0 AND :n_between_1) AND )j"
      R"j(begins_with(#t, :t_beginsWith))","expressionNames":{"#n":"n","#t":"t"},)j"
      R"j("expressionValues":{":n_gt":{"N":1},":n_between_0":{"N":5},":n_between_1":{"N":9},)j"
      R"j(":t_beginsWith":{"S":"a"}}})j");
}

TEST(VtlUtil, Log) { EXPECT_EQ(Out("$util.log.info('x', 1)done"), "done"); }

}  // namespace
}  // namespace stator::vtl
