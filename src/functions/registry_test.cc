#include "functions/registry.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "functions/zip_package.h"
#include "store/memory_store.h"
#include "store/sqlite_store.h"

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

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

FunctionConfig Named(const std::string& name) {
  FunctionConfig c;
  c.name = name;
  c.handler = "app.handler";
  return c;
}

// Each test runs over a MemoryStore and over a SqliteStore (the backends stator serves with).
class RegistryTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/stator-registry-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr) << strerror(errno);
    dir_ = tmpl;
    store_ = OpenStore();
    ASSERT_NE(store_, nullptr);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  std::unique_ptr<store::Store> OpenStore() {
    if (!GetParam()) return std::make_unique<store::MemoryStore>();
    auto s = store::SqliteStore::Open(dir_ + "/stator.db");
    if (!s.ok()) {
      ADD_FAILURE() << s.error().cause;
      return nullptr;
    }
    return std::move(*s);
  }
  // A node: a registry over the shared store with a cache of its own.
  std::unique_ptr<FunctionRegistry> Node(const std::string& cache, std::string legacy = "",
                                         bool temporary = false) {
    RegistryOptions o;
    o.cache_dir = dir_ + "/" + cache;
    o.temporary_cache = temporary;
    o.legacy_dir = std::move(legacy);
    auto r = FunctionRegistry::Open(store_.get(), o);
    if (!r.ok()) {
      ADD_FAILURE() << r.error().cause;
      return nullptr;
    }
    return std::move(*r);
  }

  std::string dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_P(RegistryTest, CreateGetListUpdateDelete) {
  auto r = Node("cache");
  ASSERT_NE(r, nullptr);
  FunctionConfig c = Named("f1");
  c.environment = {{"A", "1"}};
  auto f = r->Create(c, Zip("v1"), 1700000000000);
  ASSERT_TRUE(f.ok()) << f.error().cause;
  EXPECT_EQ((*f)->config.code_revision, 1);
  EXPECT_EQ((*f)->config.code_size, static_cast<int64_t>(Zip("v1").size()));
  EXPECT_EQ((*f)->config.code_sha256.size(), 44u);
  EXPECT_EQ((*f)->config.last_modified, "2023-11-14T22:13:20.000+0000");
  EXPECT_EQ(ReadAll((*f)->code_dir + "/app.py"), "v1");
  EXPECT_TRUE((*f)->code_dir.starts_with(dir_ + "/cache/f1/code-")) << (*f)->code_dir;
  // Nothing of the function is kept as files outside the cache: it is in the store.
  auto record = store_->GetRecord(kFunctionRecordKind, "f1");
  ASSERT_TRUE(record.ok() && record->has_value());
  auto package = r->Package("f1");
  ASSERT_TRUE(package.ok()) << package.error().cause;
  EXPECT_EQ(*package, Zip("v1"));

  auto dup = r->Create(c, Zip("v1"), 0);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().error, "ResourceConflictException");
  EXPECT_EQ(dup.error().cause, "Function already exist: f1");

  // The hot path: an unchanged record gives the same snapshot back.
  EXPECT_EQ(r->Get("f1"), *f);

  auto u = r->UpdateCode("f1", Zip("v2"), 1700000001000);
  ASSERT_TRUE(u.ok()) << u.error().cause;
  EXPECT_EQ((*u)->config.code_revision, 2);
  EXPECT_NE((*u)->config.revision_id, (*f)->config.revision_id);
  EXPECT_NE((*u)->config.code_id, (*f)->config.code_id);
  EXPECT_EQ(ReadAll((*u)->code_dir + "/app.py"), "v2");
  EXPECT_TRUE(fs::exists((*f)->code_dir));  // the revision before stays
  auto u3 = r->UpdateCode("f1", Zip("v3"), 1700000002000);
  ASSERT_TRUE(u3.ok());
  EXPECT_FALSE(fs::exists((*f)->code_dir));  // two revisions back
  EXPECT_TRUE(fs::exists((*u)->code_dir));
  EXPECT_EQ(*r->Package("f1"), Zip("v3"));
  // Only the current package is stored.
  auto packages = store_->ListRecords(kPackageRecordKind, "f1/", "", 10);
  ASSERT_TRUE(packages.ok());
  ASSERT_EQ(packages->items.size(), 1u);
  EXPECT_EQ(packages->items[0].key, "f1/" + (*u3)->config.code_id);

  auto cfg = r->Update(
      "f1",
      [](FunctionConfig* c) {
        c->timeout_seconds = 30;
        c->code_id = "ignored";
        return Status::Ok();
      },
      1700000003000);
  ASSERT_TRUE(cfg.ok()) << cfg.error().cause;
  EXPECT_EQ((*cfg)->config.timeout_seconds, 30);
  EXPECT_EQ((*cfg)->config.code_revision, 3);
  EXPECT_EQ((*cfg)->config.code_id, (*u3)->config.code_id);
  EXPECT_EQ((*cfg)->code_dir, (*u3)->code_dir);
  auto refused = r->Update(
      "f1",
      [](FunctionConfig*) -> Status {
        return Error{"PreconditionFailedException", "x"};
      },
      0);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().error, "PreconditionFailedException");
  EXPECT_EQ(r->Get("f1")->config.revision_id, (*cfg)->config.revision_id);

  auto bad_zip = r->Create(Named("f2"), "garbage", 0);
  ASSERT_FALSE(bad_zip.ok());
  EXPECT_EQ(bad_zip.error().error, "InvalidParameterValueException");
  EXPECT_EQ(r->Get("f2"), nullptr);
  EXPECT_FALSE(*r->Exists("f2"));
  auto bad_update = r->UpdateCode("f1", "garbage", 0);
  ASSERT_FALSE(bad_update.ok());
  EXPECT_EQ(bad_update.error().error, "InvalidParameterValueException");
  EXPECT_EQ(r->UpdateCode("nope", Zip("x"), 0).error().error, "ResourceNotFoundException");
  EXPECT_EQ(r->Package("nope").error().error, "ResourceNotFoundException");

  ASSERT_TRUE(r->Create(Named("f0"), Zip("x"), 0).ok());
  auto list = r->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].name, "f0");
  EXPECT_EQ((*list)[1].timeout_seconds, 30);

  ASSERT_TRUE(r->Delete("f1").ok());
  EXPECT_EQ(r->Delete("f1").error().error, "ResourceNotFoundException");
  EXPECT_EQ(r->Get("f1"), nullptr);
  EXPECT_FALSE(fs::exists(dir_ + "/cache/f1"));
  auto gone = store_->ListRecords(kPackageRecordKind, "f1/", "", 10);
  ASSERT_TRUE(gone.ok());
  EXPECT_TRUE(gone->items.empty());
}

TEST_P(RegistryTest, FunctionsOutliveTheNodeAndItsCache) {
  {
    auto r = Node("cache");
    ASSERT_TRUE(r->Create(Named("f1"), Zip("v1"), 0).ok());
  }
  if (GetParam()) {  // SQLite: the store itself is reopened as well
    store_.reset();
    store_ = OpenStore();
  }
  auto r = Node("cache", "", /*temporary=*/true);
  EXPECT_FALSE(fs::exists(dir_ + "/cache/f1"));  // the cache starts empty
  auto f = r->Get("f1");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(ReadAll(f->code_dir + "/app.py"), "v1");  // unpacked again from the store
  r.reset();
  EXPECT_FALSE(fs::exists(dir_ + "/cache"));  // temporary: removed
}

// Two registries over one store are two nodes of a cluster.
TEST_P(RegistryTest, TwoNodesShareTheFunctions) {
  auto a = Node("node-a");
  auto b = Node("node-b");
  ASSERT_TRUE(a->Create(Named("f"), Zip("v1"), 0).ok());

  // Created on A, seen on B, with B's own copy of the code.
  auto on_b = b->Get("f");
  ASSERT_NE(on_b, nullptr);
  EXPECT_TRUE(on_b->code_dir.starts_with(dir_ + "/node-b/f/code-")) << on_b->code_dir;
  EXPECT_EQ(ReadAll(on_b->code_dir + "/app.py"), "v1");
  EXPECT_EQ(b->Get("f"), on_b);

  // Updated on A: B serves the new code and configuration at once, as a new revision.
  auto v2 = a->UpdateCode("f", Zip("v2"), 0);
  ASSERT_TRUE(v2.ok());
  auto b2 = b->Get("f");
  ASSERT_NE(b2, nullptr);
  EXPECT_EQ(b2->config.revision_id, (*v2)->config.revision_id);
  EXPECT_NE(b2->config.revision_id, on_b->config.revision_id);
  EXPECT_EQ(ReadAll(b2->code_dir + "/app.py"), "v2");
  auto cfg = b->Update(
      "f",
      [](FunctionConfig* c) {
        c->memory_mb = 512;
        return Status::Ok();
      },
      0);
  ASSERT_TRUE(cfg.ok());
  auto a3 = a->Get("f");
  EXPECT_EQ(a3->config.memory_mb, 512);
  EXPECT_EQ(a3->config.revision_id, (*cfg)->config.revision_id);
  EXPECT_EQ(ReadAll(a3->code_dir + "/app.py"), "v2");

  // An update on one node over a configuration the other changed since keeps both changes.
  ASSERT_TRUE(b->UpdateCode("f", Zip("v3"), 0).ok());
  auto merged = a->Update(
      "f",
      [](FunctionConfig* c) {
        c->timeout_seconds = 60;
        return Status::Ok();
      },
      0);
  ASSERT_TRUE(merged.ok());
  EXPECT_EQ((*merged)->config.code_revision, 3);
  EXPECT_EQ((*merged)->config.memory_mb, 512);
  EXPECT_EQ(ReadAll((*merged)->code_dir + "/app.py"), "v3");

  // Deleted on B: gone on A (its cached code too); created again on A with the same code and
  // revision number: B does not serve what it unpacked for the deleted one.
  ASSERT_TRUE(b->Delete("f").ok());
  EXPECT_EQ(a->Get("f"), nullptr);
  EXPECT_FALSE(fs::exists((*merged)->code_dir));
  EXPECT_EQ(a->Delete("f").error().error, "ResourceNotFoundException");
  ASSERT_TRUE(a->Create(Named("f"), Zip("v3"), 0).ok());
  auto again = b->Get("f");
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->config.code_revision, 1);
  EXPECT_EQ(ReadAll(again->code_dir + "/app.py"), "v3");
  auto listed = b->List();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
}

TEST_P(RegistryTest, RacingNodesGetLambdasErrorsAndLoseNoUpdate) {
  auto a = Node("node-a");
  auto b = Node("node-b");
  // The same name created from both nodes at once: one wins, the other gets a conflict.
  for (int round = 0; round < 10; ++round) {
    std::string name = "dup" + std::to_string(round);
    Result<FunctionPtr> ra = Error{"unset", ""}, rb = Error{"unset", ""};
    std::thread ta([&] { ra = a->Create(Named(name), Zip("a"), 0); });
    std::thread tb([&] { rb = b->Create(Named(name), Zip("b"), 0); });
    ta.join();
    tb.join();
    ASSERT_NE(ra.ok(), rb.ok()) << name;
    const Result<FunctionPtr>& loser = ra.ok() ? rb : ra;
    EXPECT_EQ(loser.error().error, "ResourceConflictException");
    std::string winner = ra.ok() ? "a" : "b";
    EXPECT_EQ(ReadAll(a->Get(name)->code_dir + "/app.py"), winner);
    EXPECT_EQ(ReadAll(b->Get(name)->code_dir + "/app.py"), winner);
  }
  // Concurrent configuration updates through both nodes: every one of them lands.
  ASSERT_TRUE(a->Create(Named("counter"), Zip("x"), 0).ok());
  constexpr int kEach = 25;
  auto bump = [](FunctionRegistry* r) {
    for (int i = 0; i < kEach; ++i) {
      auto u = r->Update(
          "counter",
          [](FunctionConfig* c) {
            c->timeout_seconds += 1;
            return Status::Ok();
          },
          0);
      ASSERT_TRUE(u.ok()) << u.error().cause;
    }
  };
  std::thread ta(bump, a.get()), tb(bump, b.get());
  ta.join();
  tb.join();
  EXPECT_EQ(a->Get("counter")->config.timeout_seconds, kDefaultTimeoutSeconds + 2 * kEach);
}

// A data directory of the previous build: DIR/functions/NAME/{meta.json, package-REV.zip,
// code-REV/}. The first open imports it into the store and renames it; later opens do not import
// it again (a function deleted since stays deleted).
TEST_P(RegistryTest, ImportsAnEarlierBuildsFunctionDirectoryOnce) {
  const std::string legacy = dir_ + "/functions";
  auto write = [](const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
  };
  for (const std::string name : {"old1", "old2"}) {
    fs::create_directories(legacy + "/" + name + "/code-2");
    FunctionConfig c = Named(name);
    c.timeout_seconds = 42;
    c.environment = {{"K", name}};
    c.code_revision = 2;
    c.code_sha256 = "sha-of-" + name;
    c.revision_id = "rev-" + name;
    json::Value meta = c.ToJson();
    // The earlier build's meta.json had no code id.
    json::Object without;
    for (const auto& [k, v] : meta.as_object()) {
      if (k != "codeId") without.emplace_back(k, v);
    }
    write(legacy + "/" + name + "/meta.json", json::Value::MakeObject(without).Dump());
    write(legacy + "/" + name + "/package-1.zip", Zip("stale " + name));
    write(legacy + "/" + name + "/package-2.zip", Zip("current " + name));
    write(legacy + "/" + name + "/code-2/app.py", "current " + name);
  }
  fs::create_directories(legacy + "/half-created");  // no meta.json: never finished
  fs::create_directories(legacy + "/.runtime");

  auto r = Node("cache", legacy);
  ASSERT_NE(r, nullptr);
  EXPECT_FALSE(fs::exists(legacy));
  EXPECT_TRUE(fs::exists(legacy + ".imported/old1/meta.json"));
  auto list = r->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  auto f = r->Get("old1");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->config.timeout_seconds, 42);
  EXPECT_EQ(f->config.code_revision, 2);
  EXPECT_EQ(f->config.code_sha256, "sha-of-old1");
  EXPECT_EQ(f->config.revision_id, "rev-old1");
  ASSERT_EQ(f->config.environment.size(), 1u);
  EXPECT_EQ(f->config.environment[0].second, "old1");
  EXPECT_EQ(ReadAll(f->code_dir + "/app.py"), "current old1");
  EXPECT_EQ(*r->Package("old2"), Zip("current old2"));
  auto u = r->UpdateCode("old2", Zip("new"), 0);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ((*u)->config.code_revision, 3);

  ASSERT_TRUE(r->Delete("old1").ok());
  r.reset();
  auto again = Node("cache", legacy);
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(again->Get("old1"), nullptr);
  EXPECT_EQ(ReadAll(again->Get("old2")->code_dir + "/app.py"), "new");
}

INSTANTIATE_TEST_SUITE_P(Stores, RegistryTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Sqlite" : "Memory"; });

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
