#include "iam/roles.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "iam/identity.h"
#include "store/memory_store.h"

namespace stator::iam {
namespace {

class FixedClock : public Clock {
 public:
  int64_t NowMillis() const override { return 1700000000123; }
};

class RolesTest : public ::testing::Test {
 protected:
  NewRole Make(std::string name, std::string path = "/") {
    NewRole n;
    n.name = std::move(name);
    n.path = std::move(path);
    n.assume_role_policy = R"({"Version": "2012-10-17", "Statement": []})";
    return n;
  }

  store::MemoryStore store_;
  FixedClock clock_;
  RoleCatalog roles_{&store_, &clock_};
};

TEST_F(RolesTest, RecordRoundTrip) {
  Role r;
  r.name = "r";
  r.path = "/a/";
  r.id = "AROAABCDEFGHIJKLMNOPQ";
  r.create_millis = 5;
  r.assume_role_policy = "{\"x\": \"\\u00e9\"}";
  r.description = "d";
  r.max_session_duration = 7200;
  r.permissions_boundary = "arn:aws:iam::aws:policy/P";
  r.tags = {{"k", "v"}, {"e", ""}};
  r.attached_policies = {"arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/B"};
  auto back = Role::FromJson(r.ToJson());
  ASSERT_TRUE(back.ok()) << back.error().cause;
  EXPECT_EQ(*back, r);
  Role bare;
  bare.name = "b";
  bare.id = "AROAX";
  auto back2 = Role::FromJson(bare.ToJson());
  ASSERT_TRUE(back2.ok());
  EXPECT_EQ(*back2, bare);
  EXPECT_EQ(bare.ToJson().find("Description"), std::string::npos);
}

TEST_F(RolesTest, CorruptRecordsAreErrors) {
  for (const char* text : {"", "[]", "{}", R"({"RoleName": "r"})",
                           R"({"RoleName":"r","Path":"/","RoleId":"i","CreateDate":"x",)"
                           R"("AssumeRolePolicyDocument":"{}","MaxSessionDuration":3600,)"
                           R"("Tags":[],"AttachedPolicies":[]})"}) {
    EXPECT_FALSE(Role::FromJson(text).ok()) << text;
  }
}

TEST_F(RolesTest, ArnHasThePath) {
  Role r;
  r.name = "n";
  EXPECT_EQ(RoleArn(ArnScope{}, r), "arn:aws:iam::123456789012:role/n");
  r.path = "/service-role/x/";
  EXPECT_EQ(RoleArn(ArnScope{}, r), "arn:aws:iam::123456789012:role/service-role/x/n");
}

TEST_F(RolesTest, CreateGetAndTheRecord) {
  auto created = roles_.Create(Make("MyRole"));
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->create_millis, 1700000000123);
  ASSERT_EQ(created->id.size(), 21u);
  EXPECT_EQ(created->id.substr(0, 4), "AROA");
  EXPECT_EQ(created->id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"),
            std::string::npos);
  auto got = roles_.Get("myrole");  // names are case-insensitive
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, *created);
  auto raw = store_.GetRecord("iam.role", "myrole");
  ASSERT_TRUE(raw.ok() && raw->has_value());
  EXPECT_EQ(**raw, created->ToJson());
}

TEST_F(RolesTest, CreateTwiceIsEntityAlreadyExists) {
  ASSERT_TRUE(roles_.Create(Make("Dup")).ok());
  auto again = roles_.Create(Make("DUP"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().name, "EntityAlreadyExists");
  EXPECT_EQ(again.error().message, "Role with name DUP already exists.");
}

TEST_F(RolesTest, MissingRoleIsNoSuchEntity) {
  for (auto result : {roles_.Get("nope"), roles_.Delete("nope"),
                      roles_.AttachPolicy("nope", "arn:aws:iam::aws:policy/A"),
                      roles_.DetachPolicy("nope", "arn:aws:iam::aws:policy/A")}) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().name, "NoSuchEntity");
    EXPECT_EQ(result.error().message, "The role with name nope cannot be found.");
  }
}

TEST_F(RolesTest, AttachDetachAndDeleteConflict) {
  ASSERT_TRUE(roles_.Create(Make("r")).ok());
  const std::string a = "arn:aws:iam::aws:policy/A", b = "arn:aws:iam::123456789012:policy/B";
  ASSERT_TRUE(roles_.AttachPolicy("r", a).ok());
  ASSERT_TRUE(roles_.AttachPolicy("r", b).ok());
  auto again = roles_.AttachPolicy("r", a);  // idempotent
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->attached_policies, (std::vector<std::string>{a, b}));

  auto conflict = roles_.Delete("r");
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(conflict.error().name, "DeleteConflict");
  EXPECT_EQ(conflict.error().message, "Cannot delete entity, must detach all policies first.");
  EXPECT_TRUE(roles_.Get("r").ok());

  ASSERT_TRUE(roles_.DetachPolicy("r", a).ok());
  auto missing = roles_.DetachPolicy("r", a);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().name, "NoSuchEntity");
  EXPECT_EQ(missing.error().message, "Policy arn:aws:iam::aws:policy/A was not found.");
  ASSERT_TRUE(roles_.DetachPolicy("r", b).ok());
  ASSERT_TRUE(roles_.Delete("r").ok());
  EXPECT_FALSE(roles_.Get("r").ok());
}

TEST_F(RolesTest, PolicyQuota) {
  ASSERT_TRUE(roles_.Create(Make("q")).ok());
  for (size_t i = 0; i < kPoliciesPerRole; ++i) {
    ASSERT_TRUE(roles_.AttachPolicy("q", "arn:aws:iam::aws:policy/P" + std::to_string(i)).ok());
  }
  auto over = roles_.AttachPolicy("q", "arn:aws:iam::aws:policy/Extra");
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().name, "LimitExceeded");
  EXPECT_EQ(over.error().message, "Cannot exceed quota for PoliciesPerRole: 10");
}

TEST_F(RolesTest, ListFiltersByPathAndPages) {
  for (const char* name : {"c", "A", "b", "d"}) ASSERT_TRUE(roles_.Create(Make(name)).ok());
  ASSERT_TRUE(roles_.Create(Make("e", "/app/")).ok());
  ASSERT_TRUE(roles_.Create(Make("f", "/app/x/")).ok());
  auto all = roles_.List("/", "", 100);
  ASSERT_TRUE(all.ok());
  std::vector<std::string> names;
  for (const Role& r : all->roles) names.push_back(r.name);
  EXPECT_EQ(names, (std::vector<std::string>{"A", "b", "c", "d", "e", "f"}));
  EXPECT_EQ(all->marker, "");

  auto app = roles_.List("/app/", "", 100);
  ASSERT_TRUE(app.ok());
  ASSERT_EQ(app->roles.size(), 2u);
  EXPECT_EQ(app->roles[1].name, "f");

  std::vector<std::string> paged;
  std::string marker;
  int pages = 0;
  do {
    auto page = roles_.List("/", marker, 4);
    ASSERT_TRUE(page.ok());
    for (const Role& r : page->roles) paged.push_back(r.name);
    marker = page->marker;
    ++pages;
  } while (!marker.empty());
  EXPECT_EQ(paged, names);
  EXPECT_EQ(pages, 2);
  auto exact = roles_.List("/", "", 6);  // exactly full: not truncated
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->marker, "");
}

TEST_F(RolesTest, ConcurrentAttachesAreAllKept) {
  ASSERT_TRUE(roles_.Create(Make("busy")).ok());
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([this, i] {
      EXPECT_TRUE(
          roles_.AttachPolicy("busy", "arn:aws:iam::aws:policy/P" + std::to_string(i)).ok());
    });
  }
  for (auto& t : threads) t.join();
  auto r = roles_.Get("busy");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->attached_policies.size(), 8u);
}

TEST(IdentityTest, DefaultUserIsStable) {
  store::MemoryStore store;
  FixedClock clock;
  auto first = DefaultUser(&store, &clock);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->name, "stator");
  EXPECT_EQ(first->id.substr(0, 4), "AIDA");
  EXPECT_EQ(first->id.size(), 21u);
  auto second = DefaultUser(&store, &clock);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->id, first->id);
  EXPECT_EQ(UserArn(ArnScope{}, *first), "arn:aws:iam::123456789012:user/stator");
}

TEST(IdentityTest, Timestamps) {
  EXPECT_EQ(IamTimestamp(1700000000123), "2023-11-14T22:13:20Z");
  EXPECT_EQ(IamTimestamp(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(NameKey("MyRole_1"), "myrole_1");
}

}  // namespace
}  // namespace stator::iam
