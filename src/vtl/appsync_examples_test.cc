// Resolver mapping templates of the kinds AppSync's documentation teaches (written anew here),
// rendered and read back as the JSON a data source would receive.
#include <gtest/gtest.h>

#include "vtl/test_util.h"
#include "vtl/vtl.h"

namespace stator::vtl {
namespace {

using testing::J;
using testing::MakeContext;
using testing::RenderIn;

// Renders text in ctx and parses what it printed.
json::Value RenderJson(std::string_view text, Context& ctx) {
  RenderResult r = RenderIn(text, ctx);
  EXPECT_FALSE(r.error_message) << *r.error_message;
  Result<json::Value> v = ParseOutput(r.output);
  EXPECT_TRUE(v.ok()) << r.output;
  return v.ok() ? *v : json::Value();
}

TEST(VtlAppSyncExamples, GetItem) {
  const char* request = R"t({
    "version": "2017-02-28",
    "operation": "GetItem",
    "key": {
        "id": $util.dynamodb.toDynamoDBJson($ctx.args.id),
    }
})t";
  Context ctx = MakeContext(R"t({"id":"book-1"})t");
  EXPECT_EQ(RenderJson(request, ctx),
            J(R"t({"version":"2017-02-28","operation":"GetItem","key":{"id":{"S":"book-1"}}})t"));
}

TEST(VtlAppSyncExamples, PutItemWithAutoIdAndMapValues) {
  const char* request = R"t({
    "version" : "2018-05-29",
    "operation" : "PutItem",
    "key" : {
        "id" : $util.dynamodb.toDynamoDBJson($util.autoId())
    },
    "attributeValues" : $util.dynamodb.toMapValuesJson($ctx.args.input),
    "condition" : { "expression" : "attribute_not_exists(id)" }
})t";
  Context ctx =
      MakeContext(R"t({"input":{"title":"Dune","pages":412,"tags":["sf"],"rating":4.5}})t");
  EXPECT_EQ(RenderJson(request, ctx), J(R"t({
    "version": "2018-05-29", "operation": "PutItem",
    "key": {"id": {"S": "0a1b2c3d-0000-4000-8000-000000000001"}},
    "attributeValues": {"title": {"S": "Dune"}, "pages": {"N": 412},
                        "tags": {"L": [{"S": "sf"}]}, "rating": {"N": 4.5}},
    "condition": {"expression": "attribute_not_exists(id)"}})t"));
}

TEST(VtlAppSyncExamples, UpdateItemWithSetExpressionBuiltInALoop) {
  const char* request = R"t(#set($names = {})
#set($values = {})
#set($sets = [])
#foreach($entry in $ctx.args.input.entrySet())
  #if($entry.key != "id")
    $util.qr($sets.add("#${entry.key} = :${entry.key}"))
    $util.qr($names.put("#${entry.key}", $entry.key))
    $util.qr($values.put(":${entry.key}", $util.dynamodb.toDynamoDB($entry.value)))
  #end
#end
#set($expression = "SET")
#foreach($s in $sets)
  #set($expression = "$expression $s#if($foreach.hasNext),#end")
#end
{
    "version": "2018-05-29",
    "operation": "UpdateItem",
    "key": { "id": $util.dynamodb.toDynamoDBJson($ctx.args.input.id) },
    "update": {
        "expression": "$expression",
        "expressionNames": $util.toJson($names),
        "expressionValues": $util.toJson($values)
    },
    "condition": { "expression": "attribute_exists(id)" }
})t";
  // The same, joining with a flag set in the loop rather than $foreach.hasNext.
  const char* with_flag = R"t(#set($names = {})
#set($values = {})
#set($expression = "")
#foreach($entry in $ctx.args.input.entrySet())
  #if($entry.key != "id")
    #if($expression != "")
      #set($expression = "$expression,")
    #end
    #set($expression = "$expression #${entry.key} = :${entry.key}")
    $util.qr($names.put("#${entry.key}", $entry.key))
    $util.qr($values.put(":${entry.key}", $util.dynamodb.toDynamoDB($entry.value)))
  #end
#end
{
    "version": "2018-05-29",
    "operation": "UpdateItem",
    "key": { "id": $util.dynamodb.toDynamoDBJson($ctx.args.input.id) },
    "update": {
        "expression": "SET$expression",
        "expressionNames": $util.toJson($names),
        "expressionValues": $util.toJson($values)
    },
    "condition": { "expression": "attribute_exists(id)" }
})t";
  Context ctx = MakeContext(R"t({"input":{"id":"p1","title":"New","views":3}})t");
  json::Value expected = J(R"t({
    "version": "2018-05-29", "operation": "UpdateItem",
    "key": {"id": {"S": "p1"}},
    "update": {"expression": "SET #title = :title, #views = :views",
               "expressionNames": {"#title": "title", "#views": "views"},
               "expressionValues": {":title": {"S": "New"}, ":views": {"N": 3}}},
    "condition": {"expression": "attribute_exists(id)"}})t");
  EXPECT_EQ(RenderJson(request, ctx), expected);
  EXPECT_EQ(RenderJson(with_flag, ctx), expected);
}

TEST(VtlAppSyncExamples, QueryWithKeyConditionLimitAndNextToken) {
  const char* request = R"t({
    "version" : "2017-02-28",
    "operation" : "Query",
    "index" : "author-index",
    "query" : {
        "expression": "author = :author",
        "expressionValues" : {
            ":author" : $util.dynamodb.toDynamoDBJson($ctx.identity.username)
        }
    },
    "limit": $util.defaultIfNull($ctx.args.limit, 20),
    #if($ctx.args.nextToken)
    "nextToken": "$ctx.args.nextToken",
    #end
    "scanIndexForward": true
})t";
  Context ctx = MakeContext(R"t({"limit":5,"nextToken":"abc=="})t");
  ctx.identity = J(R"t({"username":"ann"})t");
  EXPECT_EQ(RenderJson(request, ctx), J(R"t({
    "version": "2017-02-28", "operation": "Query", "index": "author-index",
    "query": {"expression": "author = :author",
              "expressionValues": {":author": {"S": "ann"}}},
    "limit": 5, "nextToken": "abc==", "scanIndexForward": true})t"));
  Context first_page = MakeContext("{}");
  first_page.identity = J(R"t({"username":"ann"})t");
  json::Value v = RenderJson(request, first_page);
  EXPECT_EQ(*v.Find("limit"), json::Value::Int(20));
  EXPECT_EQ(v.Find("nextToken"), nullptr);
}

TEST(VtlAppSyncExamples, DeleteItemWithAVersionCondition) {
  const char* request = R"t({
    "version" : "2017-02-28",
    "operation" : "DeleteItem",
    "key" : { "id" : $util.dynamodb.toDynamoDBJson($ctx.args.id) },
    #if($ctx.args.expectedVersion)
    "condition" : {
        "expression" : "attribute_not_exists(id) OR version = :expectedVersion",
        "expressionValues" : {
            ":expectedVersion" : $util.dynamodb.toDynamoDBJson($ctx.args.expectedVersion)
        }
    }
    #end
})t";
  Context ctx = MakeContext(R"t({"id":"p1","expectedVersion":2})t");
  EXPECT_EQ(RenderJson(request, ctx), J(R"t({
    "version": "2017-02-28", "operation": "DeleteItem", "key": {"id": {"S": "p1"}},
    "condition": {"expression": "attribute_not_exists(id) OR version = :expectedVersion",
                  "expressionValues": {":expectedVersion": {"N": 2}}}})t"));
  Context plain = MakeContext(R"t({"id":"p1"})t");
  EXPECT_EQ(RenderJson(request, plain),
            J(R"t({"version":"2017-02-28","operation":"DeleteItem","key":{"id":{"S":"p1"}}})t"));
}

TEST(VtlAppSyncExamples, ScanWithAFilterFromArguments) {
  const char* request = R"t({
    "version" : "2017-02-28",
    "operation" : "Scan",
    #if($ctx.args.filter)
    "filter" : $util.transform.toDynamoDBFilterExpression($ctx.args.filter),
    #end
    "limit" : $util.defaultIfNull($ctx.args.limit, 100),
    "nextToken" : $util.toJson($util.defaultIfNullOrBlank($ctx.args.nextToken, null))
})t";
  Context ctx = MakeContext(R"t({"filter":{"title":{"beginsWith":"The"}},"nextToken":""})t");
  EXPECT_EQ(RenderJson(request, ctx), J(R"t({
    "version": "2017-02-28", "operation": "Scan",
    "filter": {"expression": "begins_with(#title, :title_beginsWith)",
               "expressionNames": {"#title": "title"},
               "expressionValues": {":title_beginsWith": {"S": "The"}}},
    "limit": 100, "nextToken": null})t"));
}

TEST(VtlAppSyncExamples, ResponseTemplates) {
  Context ctx = MakeContext();
  ctx.result = J(R"t({"items":[{"id":"1","n":1.5},{"id":"2","tags":["a"]}],"nextToken":"t2",
                     "scannedCount":2})t");
  EXPECT_EQ(RenderJson("$util.toJson($ctx.result)", ctx), ctx.result);
  EXPECT_EQ(RenderJson("$util.toJson($ctx.result.items)", ctx),
            J(R"t([{"id":"1","n":1.5},{"id":"2","tags":["a"]}])t"));
  EXPECT_EQ(RenderJson(R"t({
    "items": $util.toJson($ctx.result.items),
    "nextToken": $util.toJson($util.defaultIfNullOrBlank($ctx.result.nextToken, null))
})t",
                       ctx),
            J(R"t({"items":[{"id":"1","n":1.5},{"id":"2","tags":["a"]}],"nextToken":"t2"})t"));
  // The untouched result prints exactly as it came (ints and doubles kept apart).
  RenderResult r = RenderIn("$util.toJson($ctx.result)", ctx);
  EXPECT_EQ(r.output, ctx.result.Dump());
}

TEST(VtlAppSyncExamples, ResponseTemplateRaisesTheDataSourceError) {
  const char* response = R"t(#if($ctx.error)
  $util.error($ctx.error.message, $ctx.error.type)
#end
$util.toJson($ctx.result))t";
  Context ctx = MakeContext();
  ctx.error = J(R"t({"message":"The conditional request failed",
                    "type":"DynamoDB:ConditionalCheckFailedException"})t");
  RenderResult r = RenderIn(response, ctx);
  EXPECT_EQ(r.error_message, "The conditional request failed");
  EXPECT_EQ(r.error_type, "DynamoDB:ConditionalCheckFailedException");
  Context ok = MakeContext();
  ok.result = J(R"t({"id":"x"})t");
  EXPECT_EQ(RenderJson(response, ok), J(R"t({"id":"x"})t"));
}

TEST(VtlAppSyncExamples, NoneDataSourceAndEarlyReturn) {
  Context ctx = MakeContext(R"t({"id":"postId1"})t");
  EXPECT_EQ(RenderJson(R"t({
    "version": "2018-05-29",
    "payload": $util.toJson($context.arguments)
})t",
                       ctx),
            J(R"t({"version":"2018-05-29","payload":{"id":"postId1"}})t"));
  RenderResult r = RenderIn(R"t(#if($ctx.args.id == "postId1")
  #return({"id": $ctx.args.id, "cached": true})
#end
{"version": "2018-05-29", "operation": "GetItem"})t",
                            ctx);
  EXPECT_TRUE(r.returned);
  EXPECT_EQ(r.return_value, J(R"t({"id":"postId1","cached":true})t"));
}

TEST(VtlAppSyncExamples, StashCarriesValuesBetweenTemplates) {
  Context ctx = MakeContext(R"t({"id":"1"})t");
  RenderResult r = RenderIn(
      R"t($util.qr($ctx.stash.put("startedAt", $util.time.nowEpochMilliSeconds())))t", ctx);
  EXPECT_EQ(r.stash, J(R"t({"startedAt":1517943695750})t"));
  Context next = MakeContext();
  next.stash = r.stash;
  EXPECT_EQ(RenderIn("$ctx.stash.startedAt", next).output, "1517943695750");
}

TEST(VtlParseOutput, ReadsWhatAppSyncReads) {
  EXPECT_EQ(*ParseOutput("{\"a\": [1, 2,], \"s\": \"x,}\",\n}"), J(R"t({"a":[1,2],"s":"x,}"})t"));
  EXPECT_TRUE(ParseOutput("  \n ")->is_null());
  Result<json::Value> bad = ParseOutput("{\"a\": $ctx.args.missing}");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().error, "MappingTemplate");
  EXPECT_NE(bad.error().cause.find("Unable to parse the JSON document"), std::string::npos);
}

}  // namespace
}  // namespace stator::vtl
