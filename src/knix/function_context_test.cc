// FunctionContext over a memory store: the calls it serves, their scopes, dl.commit, errors,
// and the handler's hand-off to its threads.
#include "knix/function_context.h"

#include <gtest/gtest.h>

#include <future>
#include <string>
#include <thread>

#include "store/memory_store.h"

namespace stator::knix {
namespace {

class FunctionContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WorkflowRecord w;
    w.id = "wf1";
    w.user = "u1";
    w.name = "flow";
    ASSERT_TRUE(catalog_.PutWorkflow(w, /*create=*/true).ok());
  }
  Result<json::Value> Serve(const std::string& call, const std::string& args) {
    auto v = json::Parse(args);
    EXPECT_TRUE(v.ok()) << args;
    return context_.Serve("wf1", call, *v);
  }

  store::MemoryStore store_;
  DataLayer layer_{&store_};
  Catalog catalog_{&store_};
  FunctionContext context_{&layer_, &catalog_, /*inline_reads=*/false, 2};
};

TEST_F(FunctionContextTest, ServesTheOwnersScopeOrTheWorkflows) {
  ASSERT_TRUE(Serve("dl.put", R"({"key":"k","value":"shared"})").ok());
  ASSERT_TRUE(Serve("dl.put", R"({"key":"k","value":"mine","private":true})").ok());
  EXPECT_EQ(*layer_.Get("user/u1", "k"), std::optional<std::string>("shared"));
  EXPECT_EQ(*layer_.Get("workflow/wf1", "k"), std::optional<std::string>("mine"));
  EXPECT_EQ(Serve("dl.get", R"({"key":"k"})")->Dump(), R"("shared")");
  EXPECT_EQ(Serve("dl.get", R"({"key":"nope"})")->Dump(), "null");
  EXPECT_EQ(Serve("dl.incrementCounter", R"({"counter":"c","n":4})")->Dump(), "4");
  EXPECT_EQ(Serve("dl.getCounterNames", R"({})")->Dump(), R"(["c"])");
  EXPECT_EQ(Serve("dl.putMapEntry", R"({"map":"m","key":"a","value":"1"})")->Dump(), "null");
  EXPECT_EQ(Serve("dl.retrieveMap", R"({"map":"m"})")->Dump(), R"({"a":"1"})");
  EXPECT_EQ(Serve("dl.containsSetItem", R"({"set":"s","item":"x"})")->Dump(), "false");
}

TEST_F(FunctionContextTest, CommitAppliesWritesInOrderAndRefusesReads) {
  auto r = Serve("dl.commit", R"({"ops":[
      {"call":"dl.put","args":{"key":"k","value":"1"}},
      {"call":"dl.delete","args":{"key":"k"}},
      {"call":"dl.put","args":{"key":"k","value":"2"}},
      {"call":"dl.incrementCounter","args":{"counter":"c","n":3,"private":true}}]})");
  ASSERT_TRUE(r.ok()) << r.error().cause;
  EXPECT_EQ(*layer_.Get("user/u1", "k"), std::optional<std::string>("2"));
  EXPECT_EQ(*layer_.GetCounter("workflow/wf1", "c"), 3);
  auto read = Serve("dl.commit", R"({"ops":[{"call":"dl.get","args":{"key":"k"}}]})");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().error, "InvalidParameterValueException");
  auto nested = Serve("dl.commit", R"({"ops":[{"call":"dl.commit","args":{"ops":[]}}]})");
  EXPECT_FALSE(nested.ok());
}

TEST_F(FunctionContextTest, BadCallsAndUnknownWorkflowsAreErrors) {
  auto unknown = Serve("dl.frobnicate", "{}");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().error, "InvalidParameterValueException");
  auto bad = Serve("dl.put", R"({"key":1,"value":"x"})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().error, "InvalidParameterValueException");
  auto gone = context_.Serve("nowf", "dl.get", *json::Parse(R"({"key":"k"})"));
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().error, "ResourceNotFoundException");
  // A private call needs no owner: the workflow's own scope.
  EXPECT_TRUE(context_.Serve("nowf", "dl.get", *json::Parse(R"({"key":"k","private":true})")).ok());
}

TEST_F(FunctionContextTest, TheHandlerRepliesFromItsThreads) {
  functions::PlatformHandler h = context_.HandlerFor("wf1");
  std::promise<Result<json::Value>> p;
  h("dl.incrementCounter", *json::Parse(R"({"counter":"c","n":2})"),
    [&p](Result<json::Value> r) { p.set_value(std::move(r)); });
  auto r = p.get_future().get();
  ASSERT_TRUE(r.ok()) << r.error().cause;
  EXPECT_EQ(r->Dump(), "2");
}

TEST(FunctionContextInline, ReadsAreServedOnTheCallersThreadWritesOnThePool) {
  store::MemoryStore store;
  DataLayer layer(&store);
  Catalog catalog(&store);
  WorkflowRecord w;
  w.id = "wf1";
  w.user = "u1";
  w.name = "flow";
  ASSERT_TRUE(catalog.PutWorkflow(w, /*create=*/true).ok());
  FunctionContext context(&layer, &catalog, /*inline_reads=*/true, 1);
  functions::PlatformHandler h = context.HandlerFor("wf1");
  const std::thread::id caller = std::this_thread::get_id();
  std::promise<std::thread::id> wrote;
  h("dl.put", *json::Parse(R"({"key":"k","value":"v"})"), [&wrote](Result<json::Value> r) {
    EXPECT_TRUE(r.ok());
    wrote.set_value(std::this_thread::get_id());
  });
  EXPECT_NE(wrote.get_future().get(), caller);
  bool answered = false;
  h("dl.get", *json::Parse(R"({"key":"k"})"), [&](Result<json::Value> r) {
    answered = true;
    EXPECT_EQ(std::this_thread::get_id(), caller);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->Dump(), R"("v")");
  });
  EXPECT_TRUE(answered);  // before the handler returned
}

TEST(FunctionContextLifetime, AHandlerOutlivingItsContextAnswersWithAnError) {
  for (bool inline_reads : {false, true}) {
    store::MemoryStore store;
    DataLayer layer(&store);
    Catalog catalog(&store);
    functions::PlatformHandler h;
    {
      FunctionContext context(&layer, &catalog, inline_reads, 1);
      h = context.HandlerFor("wf1");
    }
    for (const char* call : {"dl.get", "dl.put"}) {
      std::promise<Result<json::Value>> p;
      h(call, *json::Parse(R"({"key":"k","value":"v"})"),
        [&p](Result<json::Value> r) { p.set_value(std::move(r)); });
      auto r = p.get_future().get();
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.error().error, "ServiceException");
    }
  }
}

}  // namespace
}  // namespace stator::knix
