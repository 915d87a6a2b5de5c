#include "iam/query_protocol.h"

#include <gtest/gtest.h>

namespace stator::iam {
namespace {

api::HttpRequest Request(std::string auth, std::string content_type =
                                               "application/x-www-form-urlencoded; charset=utf-8") {
  api::HttpRequest r;
  r.method = "POST";
  r.target = "/";
  r.headers = {{"Content-Type", std::move(content_type)}};
  if (!auth.empty()) r.headers.emplace_back("Authorization", std::move(auth));
  return r;
}

std::string Auth(std::string_view service) {
  return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240101/us-east-1/" + std::string(service) +
         "/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=abc";
}

TEST(QueryProtocolTest, CredentialScopeService) {
  EXPECT_EQ(CredentialScopeService(Request(Auth("iam"))), "iam");
  EXPECT_EQ(CredentialScopeService(Request(Auth("sts"))), "sts");
  EXPECT_EQ(CredentialScopeService(Request(Auth("sqs"))), "sqs");
  EXPECT_EQ(CredentialScopeService(Request("")), "");
  EXPECT_EQ(CredentialScopeService(Request("Bearer x")), "");
  EXPECT_EQ(CredentialScopeService(Request("AWS4-HMAC-SHA256 Credential=a/b/c")), "");
  EXPECT_EQ(CredentialScopeService(Request("AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f")), "");
  EXPECT_EQ(CredentialScopeService(Request("AWS4-HMAC-SHA256 Credential=a/b/c/iam/aws4_request")),
            "iam");
}

TEST(QueryProtocolTest, RecognisesIamAndStsRequestsOnly) {
  EXPECT_TRUE(IsIamOrStsRequest(Request(Auth("iam"))));
  EXPECT_TRUE(IsIamOrStsRequest(Request(Auth("sts"))));
  EXPECT_TRUE(IsIamOrStsRequest(Request("")));  // unsigned (curl)
  EXPECT_TRUE(IsIamOrStsRequest(Request("", "Application/X-WWW-Form-Urlencoded")));
  EXPECT_FALSE(IsIamOrStsRequest(Request(Auth("sqs"))));
  EXPECT_FALSE(IsIamOrStsRequest(Request(Auth("iam"), "application/x-amz-json-1.0")));
  EXPECT_FALSE(IsIamOrStsRequest(Request(Auth("iam"), "")));
  api::HttpRequest r = Request(Auth("iam"));
  r.headers.emplace_back("X-Amz-Target", "AWSStepFunctions.ListStateMachines");
  EXPECT_FALSE(IsIamOrStsRequest(r));
  r = Request(Auth("iam"));
  r.method = "GET";
  EXPECT_FALSE(IsIamOrStsRequest(r));
  r = Request(Auth("iam"));
  r.target = "/management";
  EXPECT_FALSE(IsIamOrStsRequest(r));
  r.target = "/?x=1";
  EXPECT_TRUE(IsIamOrStsRequest(r));
}

TEST(QueryProtocolTest, ParamsFirstValueWins) {
  auto p = QueryParams::Parse("Action=GetRole&RoleName=a&RoleName=b&Tags.member.1.Key=k");
  ASSERT_TRUE(p.ok());
  ASSERT_NE(p->Find("RoleName"), nullptr);
  EXPECT_EQ(*p->Find("RoleName"), "a");
  EXPECT_EQ(p->Find("Missing"), nullptr);
  EXPECT_TRUE(p->HasPrefix("Tags.member.1."));
  EXPECT_FALSE(p->HasPrefix("Tags.member.2."));
  EXPECT_FALSE(QueryParams::Parse("Action=%G1").ok());
}

TEST(QueryProtocolTest, SuccessEnvelope) {
  api::HttpResponse r = QueryResponse(QueryService::kIam, "GetRole", "req-1",
                                      [](XmlWriter* w) { w->Element("Marker", "a&b"); });
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "text/xml");
  EXPECT_EQ(r.body,
            "<GetRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
            "<GetRoleResult><Marker>a&amp;b</Marker></GetRoleResult>"
            "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"
            "</GetRoleResponse>");
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"x-amzn-RequestId", "req-1"}));
}

TEST(QueryProtocolTest, NoResultElementForActionsWithoutOutput) {
  api::HttpResponse r = QueryResponse(QueryService::kIam, "DeleteRole", "id", nullptr);
  EXPECT_EQ(r.body,
            "<DeleteRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
            "<ResponseMetadata><RequestId>id</RequestId></ResponseMetadata></DeleteRoleResponse>");
}

TEST(QueryProtocolTest, ErrorEnvelope) {
  api::HttpResponse r = QueryErrorResponse(
      QueryService::kIam, {"NoSuchEntity", "The role with name <x> cannot be found.", {}}, "id");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body,
            "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error>"
            "<Type>Sender</Type><Code>NoSuchEntity</Code>"
            "<Message>The role with name &lt;x&gt; cannot be found.</Message></Error>"
            "<RequestId>id</RequestId></ErrorResponse>");
  r = QueryErrorResponse(QueryService::kSts, {"InternalFailure", "boom", {}}, "id");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\""), std::string::npos);
  EXPECT_NE(r.body.find("<Type>Receiver</Type>"), std::string::npos);
}

TEST(QueryProtocolTest, ErrorTable) {
  EXPECT_EQ(ErrorStatusOf("NoSuchEntity").http_status, 404);
  EXPECT_EQ(ErrorStatusOf("EntityAlreadyExists").http_status, 409);
  EXPECT_EQ(ErrorStatusOf("DeleteConflict").http_status, 409);
  EXPECT_EQ(ErrorStatusOf("LimitExceeded").http_status, 409);
  EXPECT_EQ(ErrorStatusOf("MalformedPolicyDocument").http_status, 400);
  EXPECT_EQ(ErrorStatusOf("ValidationError").http_status, 400);
  EXPECT_EQ(ErrorStatusOf("InvalidAction").http_status, 400);
  EXPECT_EQ(ErrorStatusOf("ServiceFailure").http_status, 500);
  EXPECT_EQ(ErrorStatusOf("ServiceFailure").type, "Receiver");
  EXPECT_EQ(ErrorStatusOf("Whatever").http_status, 400);
  EXPECT_EQ(ErrorStatusOf("Whatever").type, "Sender");
}

}  // namespace
}  // namespace stator::iam
