#include "appsync/catalog.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "store/memory_store.h"

namespace stator::appsync {
namespace {

using json::Value;
using store::RecordWrite;

Value ApiRecord(const std::string& id) {
  return Value::MakeObject({{"name", Value::String("n")},
                            {"apiId", Value::String(id)},
                            {"authenticationType", Value::String("API_KEY")},
                            {"arn", Value::String("arn:aws:appsync:r:a:apis/" + id)}});
}

TEST(CatalogTest, ReadApiAndRevisions) {
  store::MemoryStore store;
  Catalog c(&store);
  c.SetEndpoint("http://127.0.0.1:9");
  EXPECT_EQ(*c.Revision("x"), 0);
  EXPECT_FALSE(c.GetApi("x")->has_value());
  ASSERT_TRUE(c.CreateApi("x", ApiRecord("x")).ok());
  EXPECT_FALSE(c.CreateApi("x", ApiRecord("x")).ok());  // ids are new
  EXPECT_EQ(*c.Revision("x"), 1);
  auto api = c.GetApi("x");
  ASSERT_TRUE(api.ok() && api->has_value());
  EXPECT_EQ((*api)->authentication_type, "API_KEY");
  EXPECT_EQ((*api)->raw.Find("uris")->Find("GRAPHQL")->as_string(),
            "http://127.0.0.1:9/appsync/x/graphql");
  Status st = c.Change("x", [] {
    return Result<std::vector<RecordWrite>>(std::vector<RecordWrite>{
        RecordWrite::Put(kKeysKind, "x/da2-a", R"({"id":"da2-a","expires":7200})"),
        RecordWrite::Put(kResolversKind, "x/Query/f",
                         R"({"typeName":"Query","fieldName":"f","dataSourceName":"D",)"
                         R"j("kind":"UNIT","responseMappingTemplate":"$util.toJson(1)"})j"),
        RecordWrite::Put(kSchemasKind, "x",
                         R"({"definition":"type Query {f: Int}","status":"SUCCESS",)"
                         R"("details":"ok"})")});
  });
  ASSERT_TRUE(st.ok()) << st.error().cause;
  EXPECT_EQ(*c.Revision("x"), 2);
  auto keys = c.ListApiKeys("x");
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].id, "da2-a");
  EXPECT_EQ((*keys)[0].expires, 7200);
  auto resolvers = c.ListResolvers("x");
  ASSERT_EQ(resolvers->size(), 1u);
  EXPECT_FALSE((*resolvers)[0].has_request_template);
  EXPECT_TRUE((*resolvers)[0].has_response_template);
  EXPECT_EQ((*resolvers)[0].response_template, "$util.toJson(1)");
  EXPECT_EQ((*c.GetSchema("x"))->definition, "type Query {f: Int}");
  // A change under an API that does not exist.
  Status missing =
      c.Change("y", [] { return Result<std::vector<RecordWrite>>(std::vector<RecordWrite>{}); });
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().error, "NotFoundException");
  EXPECT_EQ(missing.error().cause, "GraphQL API y not found.");
}

// Racing changes each apply once, on the state the one before left: the revision counts them.
TEST(CatalogTest, ChangesRaceThroughTheRevision) {
  store::MemoryStore store;
  Catalog c(&store);
  ASSERT_TRUE(c.CreateApi("x", ApiRecord("x")).ok());
  std::atomic<int> ok{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        Status st = c.Change("x", [&]() -> Result<std::vector<RecordWrite>> {
          STATOR_TRY(std::optional<std::string> n, store.GetRecord("test.counter", "x"));
          int next = n ? std::stoi(*n) + 1 : 1;
          return std::vector<RecordWrite>{
              RecordWrite::Put("test.counter", "x", std::to_string(next))};
        });
        (st.ok() ? ok : conflicts)++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok + conflicts, 200);
  EXPECT_EQ(*store.GetRecord("test.counter", "x"), std::to_string(ok.load()));
  EXPECT_EQ(*c.Revision("x"), 1 + ok.load());
}

}  // namespace
}  // namespace stator::appsync
