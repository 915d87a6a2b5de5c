#include "iam/service.h"

#include <gtest/gtest.h>

#include "common/percent_encoding.h"
#include "iam/form.h"
#include "store/memory_store.h"

namespace stator::iam {
namespace {

class FixedClock : public Clock {
 public:
  int64_t NowMillis() const override { return 1700000000000; }
};

constexpr char kTrust[] =
    R"({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", )"
    R"("Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}]})";

class ServiceTest : public ::testing::Test {
 protected:
  api::HttpResponse Call(std::string body, std::string service = "iam") {
    api::HttpRequest r;
    r.method = "POST";
    r.target = "/";
    r.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    if (!service.empty()) {
      r.headers.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=x/20240101/us-east-1/" +
                                                  service + "/aws4_request, SignedHeaders=host");
    }
    r.body = std::move(body);
    return iam_.Handle(r);
  }
  // Asserts an error answer and returns its Message.
  std::string ErrorOf(const api::HttpResponse& r, int status, std::string_view code) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_NE(r.body.find("<Code>" + std::string(code) + "</Code>"), std::string::npos) << r.body;
    size_t b = r.body.find("<Message>"), e = r.body.find("</Message>");
    if (b == std::string::npos || e == std::string::npos) return "";
    return r.body.substr(b + 9, e - b - 9);
  }
  api::HttpResponse CreateRole(std::string name, std::string extra = "") {
    return Call("Action=CreateRole&Version=2010-05-08&RoleName=" + name +
                "&AssumeRolePolicyDocument=" + PercentEncode(kTrust) + extra);
  }

  store::MemoryStore store_;
  FixedClock clock_;
  ArnScope scope_{"aws", "eu-west-1", "111122223333"};
  IamService iam_{&store_, &clock_, scope_};
};

bool Has(const api::HttpResponse& r, std::string_view s) {
  return r.body.find(s) != std::string::npos;
}

TEST_F(ServiceTest, CreateRoleAnswersAwsShape) {
  auto r = CreateRole("svc",
                      "&Path=%2Fapp%2F&Description=d&Tags.member.1.Key=team&"
                      "Tags.member.1.Value=core");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.body.starts_with(
      "<CreateRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><CreateRoleResult>"
      "<Role><Path>/app/</Path><RoleName>svc</RoleName><RoleId>AROA"))
      << r.body;
  EXPECT_TRUE(Has(r, "<Arn>arn:aws:iam::111122223333:role/app/svc</Arn>"));
  EXPECT_TRUE(Has(r, "<CreateDate>2023-11-14T22:13:20Z</CreateDate>"));
  EXPECT_TRUE(
      Has(r, "<AssumeRolePolicyDocument>" + PercentEncode(kTrust) + "</AssumeRolePolicyDocument>"));
  EXPECT_TRUE(Has(r, "<Tags><member><Key>team</Key><Value>core</Value></member></Tags>"));
  EXPECT_FALSE(Has(r, "Description"));  // CreateRole leaves it out, as AWS does
  EXPECT_FALSE(Has(r, "MaxSessionDuration"));
  EXPECT_FALSE(Has(r, "RoleLastUsed"));

  auto g = Call("Action=GetRole&Version=2010-05-08&RoleName=SVC");
  ASSERT_EQ(g.status, 200) << g.body;
  EXPECT_TRUE(Has(g, "<Description>d</Description><MaxSessionDuration>3600</MaxSessionDuration>"));
  EXPECT_TRUE(Has(g, "<RoleLastUsed/>"));
  EXPECT_TRUE(Has(g, "<RoleName>svc</RoleName>"));
}

TEST_F(ServiceTest, MissingRoleAndRepeatInAwsWords) {
  EXPECT_EQ(ErrorOf(Call("Action=GetRole&Version=2010-05-08&RoleName=ghost"), 404, "NoSuchEntity"),
            "The role with name ghost cannot be found.");
  ASSERT_EQ(CreateRole("twice").status, 200);
  EXPECT_EQ(ErrorOf(CreateRole("twice"), 409, "EntityAlreadyExists"),
            "Role with name twice already exists.");
}

TEST_F(ServiceTest, ValidationErrors) {
  EXPECT_EQ(ErrorOf(CreateRole("bad%20name"), 400, "ValidationError"),
            "1 validation error detected: Value 'bad name' at 'roleName' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
  EXPECT_EQ(ErrorOf(CreateRole(std::string(65, 'x')), 400, "ValidationError"),
            "1 validation error detected: Value '" + std::string(65, 'x') +
                "' at 'roleName' failed to satisfy constraint: Member must have length less "
                "than or equal to 64");
  EXPECT_EQ(ErrorOf(Call("Action=CreateRole&Version=2010-05-08"), 400, "ValidationError"),
            "2 validation errors detected: Value null at 'roleName' failed to satisfy "
            "constraint: Member must not be null; Value null at 'assumeRolePolicyDocument' "
            "failed to satisfy constraint: Member must not be null");
  EXPECT_EQ(ErrorOf(CreateRole("p", "&Path=nopath"), 400, "ValidationError"),
            "1 validation error detected: Value 'nopath' at 'path' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: "
            "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)");
  EXPECT_EQ(ErrorOf(CreateRole("m", "&MaxSessionDuration=60"), 400, "ValidationError"),
            "1 validation error detected: Value '60' at 'maxSessionDuration' failed to satisfy "
            "constraint: Member must have value greater than or equal to 3600");
  EXPECT_EQ(ErrorOf(Call("Action=ListRoles&MaxItems=0"), 400, "ValidationError"),
            "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: "
            "Member must have value greater than or equal to 1");
  // A hostile value is escaped in the message, not interpreted.
  std::string m =
      ErrorOf(Call("Action=GetRole&RoleName=%3C%2FMessage%3E%00"), 400, "ValidationError");
  EXPECT_NE(m.find("Value '&lt;/Message&gt;\xEF\xBF\xBD' at 'roleName'"), std::string::npos) << m;
}

TEST_F(ServiceTest, TrustPolicyMustBeJson) {
  auto r = Call("Action=CreateRole&RoleName=j&AssumeRolePolicyDocument=not%20json");
  EXPECT_EQ(ErrorOf(r, 400, "MalformedPolicyDocument"), "This policy contains invalid Json");
  r = Call("Action=CreateRole&RoleName=j&AssumeRolePolicyDocument=%7B%22a%22%3A1%2C%7D");
  EXPECT_EQ(ErrorOf(r, 400, "MalformedPolicyDocument"), "This policy contains invalid Json");
  r = Call("Action=CreateRole&RoleName=j&AssumeRolePolicyDocument=" + std::string(100000, '['));
  EXPECT_EQ(ErrorOf(r, 400, "MalformedPolicyDocument"), "This policy contains invalid Json");
  r = Call("Action=CreateRole&RoleName=j&AssumeRolePolicyDocument=%5B%5D");  // JSON, no object
  EXPECT_EQ(ErrorOf(r, 400, "MalformedPolicyDocument"), "This policy contains invalid Json");
  EXPECT_EQ(ErrorOf(Call("Action=GetRole&RoleName=j"), 404, "NoSuchEntity"),
            "The role with name j cannot be found.");
}

TEST_F(ServiceTest, Tags) {
  EXPECT_EQ(ErrorOf(CreateRole("t",
                               "&Tags.member.1.Key=a&Tags.member.1.Value=1&"
                               "Tags.member.2.Key=A&Tags.member.2.Value=2"),
                    400, "InvalidInput"),
            "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
  EXPECT_EQ(ErrorOf(CreateRole("t", "&Tags.member.1.Key=" + std::string(129, 'k') +
                                        "&Tags.member.1.Value=v"),
                    400, "ValidationError"),
            "1 validation error detected: Value at 'tags.1.member.key' failed to satisfy "
            "constraint: Member must have length less than or equal to 128");
  EXPECT_EQ(ErrorOf(CreateRole("t", "&Tags.member.1.Key=k"), 400, "ValidationError"),
            "1 validation error detected: Value null at 'tags.1.member.value' failed to satisfy "
            "constraint: Member must not be null");
  std::string many;
  for (int i = 1; i <= 51; ++i) {
    many += "&Tags.member." + std::to_string(i) + ".Key=k" + std::to_string(i) + "&Tags.member." +
            std::to_string(i) + ".Value=v";
  }
  EXPECT_EQ(ErrorOf(CreateRole("t", many), 400, "ValidationError"),
            "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member "
            "must have length less than or equal to 50");
  auto ok = CreateRole("t", "&Tags=");  // botocore's empty list
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_FALSE(Has(ok, "<Tags>"));
}

TEST_F(ServiceTest, PermissionsBoundary) {
  auto r = CreateRole("b", "&PermissionsBoundary=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FPowerUser");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(Has(r,
                  "<PermissionsBoundary><PermissionsBoundaryType>Policy</"
                  "PermissionsBoundaryType><PermissionsBoundaryArn>arn:aws:iam::aws:policy/"
                  "PowerUser</PermissionsBoundaryArn></PermissionsBoundary>"));
  EXPECT_EQ(
      ErrorOf(CreateRole("b2", "&PermissionsBoundary=arn:aws:iam::111122223333:not_a_policy/x"),
              400, "InvalidInput"),
      "ARN arn:aws:iam::111122223333:not_a_policy/x is not valid.");
}

TEST_F(ServiceTest, PolicyAttachmentLifecycle) {
  ASSERT_EQ(CreateRole("r").status, 200);
  const std::string emr = "arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceRole";
  const std::string mine = "arn:aws:iam::111122223333:policy/Mine";
  auto attach = [&](const std::string& arn) {
    return Call("Action=AttachRolePolicy&RoleName=r&PolicyArn=" + PercentEncode(arn));
  };
  auto a = attach(emr);
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_EQ(a.body,
            "<AttachRolePolicyResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
            "<ResponseMetadata><RequestId>" +
                a.headers[0].second + "</RequestId></ResponseMetadata></AttachRolePolicyResponse>");
  ASSERT_EQ(attach(mine).status, 200);

  auto list = Call("Action=ListAttachedRolePolicies&RoleName=r");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_TRUE(Has(list,
                  "<AttachedPolicies><member><PolicyName>AmazonElasticMapReduceRole</"
                  "PolicyName><PolicyArn>" +
                      emr +
                      "</PolicyArn></member><member>"
                      "<PolicyName>Mine</PolicyName><PolicyArn>" +
                      mine +
                      "</PolicyArn></member></AttachedPolicies><IsTruncated>false</IsTruncated>"))
      << list.body;
  auto filtered = Call("Action=ListAttachedRolePolicies&RoleName=r&PathPrefix=%2Fservice-role%2F");
  EXPECT_TRUE(Has(filtered, "AmazonElasticMapReduceRole"));
  EXPECT_FALSE(Has(filtered, "Mine"));
  auto page1 = Call("Action=ListAttachedRolePolicies&RoleName=r&MaxItems=1");
  EXPECT_TRUE(Has(page1, "<IsTruncated>true</IsTruncated><Marker>1</Marker>")) << page1.body;
  auto page2 = Call("Action=ListAttachedRolePolicies&RoleName=r&MaxItems=1&Marker=1");
  EXPECT_TRUE(Has(page2, "Mine"));
  EXPECT_TRUE(Has(page2, "<IsTruncated>false</IsTruncated>"));

  EXPECT_EQ(ErrorOf(Call("Action=DeleteRole&RoleName=r"), 409, "DeleteConflict"),
            "Cannot delete entity, must detach all policies first.");
  ASSERT_EQ(Call("Action=DetachRolePolicy&RoleName=r&PolicyArn=" + PercentEncode(emr)).status, 200);
  EXPECT_EQ(ErrorOf(Call("Action=DetachRolePolicy&RoleName=r&PolicyArn=" + PercentEncode(emr)), 404,
                    "NoSuchEntity"),
            "Policy " + emr + " was not found.");
  ASSERT_EQ(Call("Action=DetachRolePolicy&RoleName=r&PolicyArn=" + PercentEncode(mine)).status,
            200);
  auto d = Call("Action=DeleteRole&RoleName=r");
  ASSERT_EQ(d.status, 200) << d.body;
  EXPECT_EQ(ErrorOf(Call("Action=ListAttachedRolePolicies&RoleName=r"), 404, "NoSuchEntity"),
            "The role with name r cannot be found.");
}

TEST_F(ServiceTest, PolicyArnsAreChecked) {
  ASSERT_EQ(CreateRole("r").status, 200);
  EXPECT_EQ(ErrorOf(Call("Action=AttachRolePolicy&RoleName=r&PolicyArn=longpolicynamebutnoarn"),
                    400, "ValidationError"),
            "ARN longpolicynamebutnoarn is not valid.");
  EXPECT_EQ(
      ErrorOf(Call("Action=AttachRolePolicy&RoleName=r&PolicyArn=short"), 400, "ValidationError"),
      "1 validation error detected: Value 'short' at 'policyArn' failed to satisfy "
      "constraint: Member must have length greater than or equal to 20");
  EXPECT_EQ(ErrorOf(Call("Action=AttachRolePolicy&RoleName=r&PolicyArn=arn:aws:iam::"
                         "111122223333:role/r"),
                    400, "InvalidInput"),
            "ARN arn:aws:iam::111122223333:role/r is not valid.");
  EXPECT_EQ(ErrorOf(Call("Action=AttachRolePolicy&RoleName=ghost&PolicyArn=arn:aws:iam::aws:"
                         "policy/A"),
                    404, "NoSuchEntity"),
            "The role with name ghost cannot be found.");
}

TEST_F(ServiceTest, ListRoles) {
  for (const char* n : {"b", "a", "c"}) ASSERT_EQ(CreateRole(n).status, 200);
  ASSERT_EQ(CreateRole("p", "&Path=%2Fteam%2F").status, 200);
  auto all = Call("Action=ListRoles");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_TRUE(Has(all, "<IsTruncated>false</IsTruncated>"));
  size_t a = all.body.find("<RoleName>a<"), b = all.body.find("<RoleName>b<"),
         c = all.body.find("<RoleName>c<"), p = all.body.find("<RoleName>p<");
  EXPECT_TRUE(a < b && b < c && c < p) << all.body;
  EXPECT_TRUE(Has(all, "<MaxSessionDuration>3600</MaxSessionDuration>"));
  EXPECT_FALSE(Has(all, "RoleLastUsed"));
  auto team = Call("Action=ListRoles&PathPrefix=%2Fteam");
  EXPECT_TRUE(Has(team, "<RoleName>p<"));
  EXPECT_FALSE(Has(team, "<RoleName>a<"));
  auto page = Call("Action=ListRoles&MaxItems=2");
  EXPECT_TRUE(Has(page, "<IsTruncated>true</IsTruncated><Marker>b</Marker>")) << page.body;
  auto rest = Call("Action=ListRoles&MaxItems=2&Marker=b");
  EXPECT_TRUE(Has(rest, "<RoleName>c<"));
  EXPECT_TRUE(Has(rest, "<RoleName>p<"));
  EXPECT_FALSE(Has(rest, "<RoleName>a<"));
  auto none = Call("Action=ListRoles&PathPrefix=%2Fnone%2F");
  EXPECT_TRUE(Has(none, "<ListRolesResult><Roles></Roles><IsTruncated>false</IsTruncated>"))
      << none.body;
}

TEST_F(ServiceTest, UserAndCallerIdentity) {
  auto u = Call("Action=GetUser&Version=2010-05-08");
  ASSERT_EQ(u.status, 200) << u.body;
  EXPECT_TRUE(Has(u, "<User><Path>/</Path><UserName>stator</UserName><UserId>AIDA"));
  EXPECT_TRUE(Has(u, "<Arn>arn:aws:iam::111122223333:user/stator</Arn>"));
  auto named = Call("Action=GetUser&UserName=Stator");
  EXPECT_EQ(named.status, 200);
  EXPECT_EQ(ErrorOf(Call("Action=GetUser&UserName=bob"), 404, "NoSuchEntity"),
            "The user with name bob cannot be found.");

  auto id = Call("Action=GetCallerIdentity&Version=2011-06-15", "sts");
  ASSERT_EQ(id.status, 200) << id.body;
  EXPECT_TRUE(id.body.starts_with(
      "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
      "<GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/stator</Arn><UserId>AIDA"))
      << id.body;
  EXPECT_TRUE(Has(id, "<Account>111122223333</Account></GetCallerIdentityResult>"));
  // The same user id in both answers.
  size_t uid = u.body.find("<UserId>"), sid = id.body.find("<UserId>");
  EXPECT_EQ(u.body.substr(uid, 29), id.body.substr(sid, 29));
  // Unsigned: the action picks the service.
  auto unsigned_id = Call("Action=GetCallerIdentity", "");
  EXPECT_EQ(unsigned_id.status, 200);
  EXPECT_TRUE(Has(unsigned_id, "https://sts.amazonaws.com/doc/2011-06-15/"));
}

TEST_F(ServiceTest, BadRequestsAreXmlErrors) {
  EXPECT_EQ(ErrorOf(Call("Version=2010-05-08"), 400, "MissingAction"), "Missing Action");
  EXPECT_EQ(ErrorOf(Call("Action="), 400, "MissingAction"), "Missing Action");
  EXPECT_EQ(ErrorOf(Call("Action=CreateUser&Version=2010-05-08"), 400, "InvalidAction"),
            "Could not find operation CreateUser for version 2010-05-08");
  EXPECT_EQ(ErrorOf(Call("Action=GetCallerIdentity&Version=2010-05-08"), 400, "InvalidAction"),
            "Could not find operation GetCallerIdentity for version 2010-05-08");
  EXPECT_EQ(ErrorOf(Call("Action=GetRole&Version=2011-06-15", "sts"), 400, "InvalidAction"),
            "Could not find operation GetRole for version 2011-06-15");
  EXPECT_EQ(ErrorOf(Call("Action=GetRole&Version=2099-01-01&RoleName=x"), 400, "InvalidAction"),
            "Could not find operation GetRole for version 2099-01-01");
  auto malformed = Call("Action=GetRole&RoleName=%ZZ");
  EXPECT_EQ(ErrorOf(malformed, 400, "MalformedQueryString"),
            "The request body is not form-urlencoded: '%' not followed by two hex digits at "
            "byte 24");
  EXPECT_TRUE(malformed.body.starts_with("<ErrorResponse xmlns=\"https://iam.amazonaws.com/"));
  auto garbage = Call(std::string("\xFF\x00&&==%%", 8));
  EXPECT_EQ(garbage.status, 400);
}

}  // namespace
}  // namespace stator::iam
