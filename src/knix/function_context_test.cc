// FunctionContext over a memory store: the calls it serves, their scopes, dl.commit, errors,
// the handler's hand-off to its threads, and pipelined calls (order, read-your-writes, sync,
// failures, the bound).
#include "knix/function_context.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <string>
#include <thread>
#include <vector>

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
  functions::PlatformHandler writer = context.HandlerFor("wf1");
  const std::thread::id caller = std::this_thread::get_id();
  std::promise<std::thread::id> wrote;
  writer("dl.put", *json::Parse(R"({"key":"k","value":"v"})"), [&wrote](Result<json::Value> r) {
    EXPECT_TRUE(r.ok());
    wrote.set_value(std::this_thread::get_id());
  });
  EXPECT_NE(wrote.get_future().get(), caller);
  // Another invocation, with nothing of its own waiting or running (a read of the writer's
  // invocation may still find its strand busy for an instant after the put was answered).
  functions::PlatformHandler h = context.HandlerFor("wf1");
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

// Pipelined calls: sent without waiting for an answer (they get none), applied in order.
class FunctionContextPipelined : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* id : {"wf1", "wf2", "wf3", "wf4", "wf5", "wf6"}) {
      WorkflowRecord w;
      w.id = id;
      w.user = "u1";
      w.name = id;
      ASSERT_TRUE(catalog_.PutWorkflow(w, /*create=*/true).ok());
    }
  }
  static json::Value Args(const std::string& text) {
    auto v = json::Parse(text);
    EXPECT_TRUE(v.ok()) << text;
    return *v;
  }
  // A pipelined call: no answer may come.
  static void Send(const functions::PlatformHandler& h, const std::string& call,
                   const std::string& args) {
    json::Value v = Args(args);
    json::Object o = v.as_object();
    o.emplace_back("pipelined", json::Value::Bool(true));
    h(call, json::Value::MakeObject(std::move(o)),
      [call](Result<json::Value>) { ADD_FAILURE() << "a pipelined " << call << " was answered"; });
  }
  // An answered call, waited for.
  static Result<json::Value> Call(const functions::PlatformHandler& h, const std::string& call,
                                  const std::string& args) {
    std::promise<Result<json::Value>> p;
    h(call, Args(args), [&p](Result<json::Value> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  store::MemoryStore store_;
  DataLayer layer_{&store_};
  Catalog catalog_{&store_};
};

TEST_F(FunctionContextPipelined, AReadAfterPipelinedWritesSeesThemAndSyncDrains) {
  for (bool inline_reads : {false, true}) {
    FunctionContext context(&layer_, &catalog_, inline_reads, 4);
    functions::PlatformHandler h = context.HandlerFor("wf1");
    const std::string key = inline_reads ? "ki" : "kp";
    for (int i = 1; i <= 3000; ++i) {
      Send(h, "dl.put", R"({"key":")" + key + R"(","value":")" + std::to_string(i) + "\"}");
      Send(h, "dl.incrementCounter", R"({"counter":")" + key + R"(","n":1})");
      if (i % 1000 == 0) {  // read-your-writes: every write sent before the read
        auto v = Call(h, "dl.get", R"({"key":")" + key + "\"}");
        ASSERT_TRUE(v.ok()) << v.error().cause;
        EXPECT_EQ(v->Dump(), "\"" + std::to_string(i) + "\"");
        auto c = Call(h, "dl.getCounterValue", R"({"counter":")" + key + "\"}");
        ASSERT_TRUE(c.ok()) << c.error().cause;
        EXPECT_EQ(c->Dump(), std::to_string(i));
      }
    }
    for (int i = 0; i < 500; ++i) Send(h, "dl.addSetEntry", R"({"set":"s","item":"x"})");
    Send(h, "dl.put", R"({"key":"last","value":"yes"})");
    // Once "dl.sync" is answered, everything sent before it is in the store.
    auto synced = Call(h, "dl.sync", "{}");
    ASSERT_TRUE(synced.ok()) << synced.error().cause;
    EXPECT_EQ(synced->Dump(), "null");
    EXPECT_EQ(*layer_.Get("user/u1", "last"), std::optional<std::string>("yes"));
    EXPECT_EQ(*layer_.RetrieveSet("user/u1", "s"), std::vector<std::string>{"x"});
  }
}

TEST_F(FunctionContextPipelined, OneInvocationsCallsRunInOrderAndNeverAtOnce) {
  // Management requests (answered, but not waited for here) go through the strand too: the
  // hook sees each invocation's requests one at a time and in the order they were sent,
  // while 6 invocations on a pool of 4 threads run side by side.
  Mutex mu;
  std::map<std::string, int> running, next, overlaps, disorder;
  int most_at_once = 0, at_once = 0;
  FunctionContext context(&layer_, &catalog_, /*inline_reads=*/true, 4);
  FunctionContext::Hooks hooks;
  hooks.management = [&](const std::string& wf, const json::Value& request) -> Result<json::Value> {
    int seq = static_cast<int>(request.Find("seq")->as_int());
    {
      MutexLock lock(&mu);
      if (++running[wf] > 1) ++overlaps[wf];
      if (next[wf]++ != seq) ++disorder[wf];
      most_at_once = std::max(most_at_once, ++at_once);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    MutexLock lock(&mu);
    --running[wf];
    --at_once;
    return json::Value::Null();
  };
  context.SetHooks(std::move(hooks));
  constexpr int kCalls = 150;
  std::vector<std::thread> senders;
  std::atomic<int> answered{0};
  for (const char* wf : {"wf1", "wf2", "wf3", "wf4", "wf5", "wf6"}) {
    senders.emplace_back([&, wf] {
      functions::PlatformHandler h = context.HandlerFor(wf);
      for (int i = 0; i < kCalls; ++i) {
        h("knix.management", Args(R"({"request":{"seq":)" + std::to_string(i) + "}}"),
          [&answered](Result<json::Value> r) {
            EXPECT_TRUE(r.ok());
            ++answered;
          });
        Send(h, "dl.incrementCounter", R"({"counter":"c","n":1})");
      }
      auto synced = Call(h, "dl.sync", "{}");
      EXPECT_TRUE(synced.ok());
    });
  }
  for (std::thread& t : senders) t.join();
  EXPECT_EQ(answered.load(), 6 * kCalls);
  MutexLock lock(&mu);
  for (const char* wf : {"wf1", "wf2", "wf3", "wf4", "wf5", "wf6"}) {
    EXPECT_EQ(overlaps[wf], 0) << wf;
    EXPECT_EQ(disorder[wf], 0) << wf;
    EXPECT_EQ(next[wf], kCalls) << wf;
  }
  EXPECT_GT(most_at_once, 1);  // the invocations did run side by side
  EXPECT_EQ(*layer_.GetCounter("user/u1", "c"), 6 * kCalls);
}

TEST_F(FunctionContextPipelined, AFailureIsTheNextAnswerAndTheWritesAfterItAreDropped) {
  FunctionContext context(&layer_, &catalog_, /*inline_reads=*/true, 2);
  functions::PlatformHandler h = context.HandlerFor("wf1");
  Send(h, "dl.put", R"({"key":"before","value":"1"})");
  Send(h, "dl.incrementCounter", R"({"counter":"big","n":9223372036854775807})");
  Send(h, "dl.incrementCounter", R"({"counter":"big","n":1})");  // overflows: fails
  Send(h, "dl.put", R"({"key":"after","value":"1"})");           // dropped
  auto read = Call(h, "dl.get", R"({"key":"before"})");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().error, kCounterOverflow);
  EXPECT_NE(read.error().cause.find("incrementCounter failed"), std::string::npos)
      << read.error().cause;
  EXPECT_EQ(*layer_.Get("user/u1", "before"), std::optional<std::string>("1"));
  EXPECT_EQ(*layer_.Get("user/u1", "after"), std::nullopt);
  // Told once; then the invocation goes on as usual.
  Send(h, "dl.put", R"({"key":"later","value":"1"})");
  auto again = Call(h, "dl.get", R"({"key":"later"})");
  ASSERT_TRUE(again.ok()) << again.error().cause;
  EXPECT_EQ(again->Dump(), R"("1")");
  // A queued commit after a failure is refused, not applied.
  Send(h, "dl.put", R"({"key":"x","value":"1"})");
  Send(h, "dl.put", R"({"key":7,"value":"1"})");  // bad arguments fail too
  auto commit =
      Call(h, "dl.commit", R"({"ops":[{"call":"dl.put","args":{"key":"q","value":"1"}}]})");
  ASSERT_FALSE(commit.ok());
  EXPECT_EQ(commit.error().error, "InvalidParameterValueException");
  EXPECT_EQ(*layer_.Get("user/u1", "q"), std::nullopt);
  EXPECT_EQ(*layer_.Get("user/u1", "x"), std::optional<std::string>("1"));
  EXPECT_TRUE(Call(h, "dl.sync", "{}").ok());
}

TEST_F(FunctionContextPipelined, TheCallsWaitingPerInvocationAreBounded) {
  FunctionContext context(&layer_, &catalog_, /*inline_reads=*/true, 1, /*max_pipelined=*/8);
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  FunctionContext::Hooks hooks;
  hooks.management = [released](const std::string&, const json::Value&) -> Result<json::Value> {
    released.wait();  // holds the strand (and the only thread)
    return json::Value::Null();
  };
  context.SetHooks(std::move(hooks));
  functions::PlatformHandler h = context.HandlerFor("wf1");
  std::promise<Result<json::Value>> held;
  h("knix.management", Args(R"({"request":{}})"),
    [&held](Result<json::Value> r) { held.set_value(std::move(r)); });
  for (int i = 0; i < 100; ++i) {
    Send(h, "dl.put", R"({"key":"k)" + std::to_string(i) + R"(","value":"v"})");
  }
  release.set_value();
  ASSERT_TRUE(held.get_future().get().ok());
  auto synced = Call(h, "dl.sync", "{}");
  ASSERT_FALSE(synced.ok());
  EXPECT_EQ(synced.error().error, "TooManyRequestsException");
  // The 8 that fitted were applied; the others were not kept.
  auto keys = layer_.ListKeys("user/u1", 0, 1000);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->size(), 8u);
  EXPECT_EQ(*layer_.Get("user/u1", "k7"), std::optional<std::string>("v"));
  EXPECT_EQ(*layer_.Get("user/u1", "k8"), std::nullopt);
  // Reported once; the strand takes pipelined writes again.
  Send(h, "dl.put", R"({"key":"again","value":"v"})");
  EXPECT_TRUE(Call(h, "dl.sync", "{}").ok());
  EXPECT_EQ(*layer_.Get("user/u1", "again"), std::optional<std::string>("v"));
}

}  // namespace
}  // namespace stator::knix
