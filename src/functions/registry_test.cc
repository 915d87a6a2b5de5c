#include "functions/registry.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "functions/zip_package.h"

namespace stator::functions {
namespace {

namespace fs = std::filesystem;

std::string Zip(const std::string& body) {
  auto z = ZipEntries({{"app.py", body, 0644}});
  if (!z.ok()) {
    ADD_FAILURE() << z.error().cause;
    return "";
  }
  return *z;
}

FunctionConfig Named(const std::string& name) {
  FunctionConfig c;
  c.name = name;
  return c;
}

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/stator-registry-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr) << strerror(errno);
    root_ = std::string(tmpl) + "/functions";
  }
  void TearDown() override { fs::remove_all(fs::path(root_).parent_path()); }
  std::string root_;
};

TEST_F(RegistryTest, CreateGetListUpdateDeleteSurviveReopen) {
  {
    auto r = FunctionRegistry::Open(root_, false);
    ASSERT_TRUE(r.ok()) << r.error().cause;
    FunctionConfig c;
    c.name = "f1";
    c.handler = "app.handler";
    c.environment = {{"A", "1"}};
    auto f = (*r)->Create(c, Zip("v1"), 1700000000000);
    ASSERT_TRUE(f.ok()) << f.error().cause;
    EXPECT_EQ((*f)->config.code_revision, 1);
    EXPECT_EQ((*f)->config.code_size, static_cast<int64_t>(Zip("v1").size()));
    EXPECT_EQ((*f)->config.code_sha256.size(), 44u);
    EXPECT_EQ((*f)->config.last_modified, "2023-11-14T22:13:20.000+0000");
    EXPECT_TRUE(fs::exists((*f)->code_dir + "/app.py"));

    auto dup = (*r)->Create(c, Zip("v1"), 0);
    ASSERT_FALSE(dup.ok());
    EXPECT_EQ(dup.error().error, "ResourceConflictException");

    auto u = (*r)->UpdateCode("f1", Zip("v2"), 1700000001000);
    ASSERT_TRUE(u.ok());
    EXPECT_EQ((*u)->config.code_revision, 2);
    EXPECT_NE((*u)->config.revision_id, (*f)->config.revision_id);
    auto u3 = (*r)->UpdateCode("f1", Zip("v3"), 1700000002000);
    ASSERT_TRUE(u3.ok());
    EXPECT_FALSE(fs::exists(root_ + "/f1/code-1"));  // two revisions back
    EXPECT_TRUE(fs::exists(root_ + "/f1/code-2"));

    auto cfg = (*r)->Update(
        "f1",
        [](FunctionConfig* c) {
          c->timeout_seconds = 30;
          return Status::Ok();
        },
        1700000003000);
    ASSERT_TRUE(cfg.ok());
    EXPECT_EQ((*cfg)->config.timeout_seconds, 30);
    EXPECT_EQ((*cfg)->config.code_revision, 3);

    auto bad_zip = (*r)->Create(Named("f2"), "garbage", 0);
    ASSERT_FALSE(bad_zip.ok());
    EXPECT_EQ(bad_zip.error().error, "InvalidParameterValueException");
    EXPECT_EQ((*r)->Get("f2"), nullptr);

    ASSERT_TRUE((*r)->Create(Named("f0"), Zip("x"), 0).ok());
    auto list = (*r)->List();
    ASSERT_EQ(list.size(), 2u);
    EXPECT_EQ(list[0]->config.name, "f0");
  }
  {
    auto r = FunctionRegistry::Open(root_, false);
    ASSERT_TRUE(r.ok());
    auto f = (*r)->Get("f1");
    ASSERT_NE(f, nullptr);
    EXPECT_EQ(f->config.timeout_seconds, 30);
    EXPECT_EQ(f->config.handler, "app.handler");
    ASSERT_EQ(f->config.environment.size(), 1u);
    EXPECT_TRUE(fs::exists(f->code_dir + "/app.py"));
    ASSERT_TRUE((*r)->Delete("f1").ok());
    EXPECT_EQ((*r)->Delete("f1").error().error, "ResourceNotFoundException");
    EXPECT_FALSE(fs::exists(root_ + "/f1"));
  }
  {
    auto r = FunctionRegistry::Open(root_, true);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ((*r)->List().size(), 1u);
  }
  EXPECT_FALSE(fs::exists(root_));  // temporary: removed
}

TEST(FunctionRef, Forms) {
  auto a = ParseFunctionRef("my-fn");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->name, "my-fn");
  auto b = ParseFunctionRef("my-fn:$LATEST");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->qualifier, "$LATEST");
  auto c = ParseFunctionRef("123456789012:function:my_fn");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->account, "123456789012");
  EXPECT_EQ(c->name, "my_fn");
  auto d = ParseFunctionRef("arn:aws:lambda:us-east-1:123456789012:function:f:prod");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->region, "us-east-1");
  EXPECT_EQ(d->name, "f");
  EXPECT_EQ(d->qualifier, "prod");
  const std::vector<std::string> bads = {"",
                                         "a b",
                                         "arn:aws:s3:::bucket",
                                         "x:y:z",
                                         "f:",
                                         std::string(65, 'a'),
                                         "arn:aws:lambda:us-east-1:12:function:f"};
  for (const std::string& bad : bads) {
    auto r = ParseFunctionRef(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.error().error, "ValidationException");
    }
  }
  EXPECT_EQ(FunctionArn("eu-west-1", "111122223333", "f"),
            "arn:aws:lambda:eu-west-1:111122223333:function:f");
}

}  // namespace
}  // namespace stator::functions
