#include "knix/sessions.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace stator::knix {
namespace {

using json::Value;

// A call's answer ({"v": ...}) as the runtime reads it, or the error.
struct Answered {
  bool called = false;
  Result<Value> result = Value::Null();
};

functions::PlatformReply Into(Answered* a) {
  return [a](Result<Value> r) {
    a->called = true;
    a->result = std::move(r);
  };
}

Value Call(Sessions& s, const Sessions::Caller& c, const std::string& call,
           Value args = Value::EmptyObject()) {
  Answered a;
  s.Serve(c, call, args, Into(&a));
  EXPECT_TRUE(a.called) << call;
  EXPECT_TRUE(a.result.ok()) << call << ": " << a.result.error().cause;
  const Value* v = a.result->Find("v");
  return v == nullptr ? Value::Null() : *v;
}

Value Send(const char* to, const std::string& target, Value message) {
  return Value::MakeObject(
      {{"messages", Value::MakeArray({Value::MakeObject({{"to", Value::String(to)},
                                                         {"target", Value::String(target)},
                                                         {"message", std::move(message)}})})}});
}

Sessions::BeginRequest Request(const std::string& state, bool session_function,
                               const Value* input = nullptr) {
  Sessions::BeginRequest r;
  r.workflow_id = "wf";
  r.owner = "user";
  r.execution_key = "key1";
  r.state_name = state;
  r.input = input;
  r.session_function = session_function;
  return r;
}

TEST(SessionsTest, SessionIdsAreDerivedOrJoined) {
  Sessions s({}, nullptr);
  auto a = s.Begin(Request("entry", false));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->session_id, Sessions::DeriveSessionId("user", "wf", "key1"));
  EXPECT_EQ(a->session_id.size(), 64u);
  EXPECT_TRUE(a->instance_id.empty());
  Value input = Value::MakeObject({{"session_id", Value::String("joined")}});
  auto b = s.Begin(Request("entry", false, &input));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->session_id, "joined");
  Value empty = Value::MakeObject({{"sessionId", Value::String("")}});
  auto c = s.Begin(Request("entry", false, &empty));
  EXPECT_EQ(c->session_id, a->session_id);
  EXPECT_EQ(s.running(), 0u);
}

TEST(SessionsTest, MessagesByIdNameAliasAndAll) {
  Sessions s({}, nullptr);
  auto one = s.Begin(Request("f1", true));
  auto two = s.Begin(Request("f2", true));
  auto entry = s.Begin(Request("entry", false));
  ASSERT_TRUE(one.ok() && two.ok() && entry.ok());
  EXPECT_NE(one->instance_id, two->instance_id);
  Value ids = Call(s, *entry, "session.function_ids");
  ASSERT_EQ(ids.as_array().size(), 2u);

  EXPECT_EQ(Call(s, *entry, "session.send", Send("id", one->instance_id, Value::Int(1))),
            Value::MakeArray({Value::Int(1)}));
  EXPECT_EQ(Call(s, *entry, "session.send", Send("name", "f2", Value::Int(2))),
            Value::MakeArray({Value::Int(1)}));
  EXPECT_EQ(Call(s, *entry, "session.send", Send("all", "", Value::Int(3))),
            Value::MakeArray({Value::Int(2)}));
  Call(
      s, *entry, "session.set_function_alias",
      Value::MakeObject({{"alias", Value::String("a2")}, {"id", Value::String(two->instance_id)}}));
  EXPECT_EQ(Call(s, *one, "session.send", Send("alias", "a2", Value::Int(4))),
            Value::MakeArray({Value::Int(1)}));
  EXPECT_EQ(Call(s, *one, "session.send", Send("alias", "nobody", Value::Int(5))),
            Value::MakeArray({Value::Int(0)}));

  Value count9 = Value::MakeObject({{"count", Value::Int(9)}});
  EXPECT_EQ(Call(s, *one, "session.get", count9), Value::MakeArray({Value::Int(1), Value::Int(3)}));
  EXPECT_EQ(Call(s, *two, "session.get", count9),
            Value::MakeArray({Value::Int(2), Value::Int(3), Value::Int(4)}));
  EXPECT_EQ(Call(s, *two, "session.get"), Value::EmptyArray());

  Value summary = Call(s, *entry, "session.alias_summary");
  EXPECT_EQ(summary.Find("session_functions")->Find(two->instance_id)->as_string(), "a2");
  EXPECT_EQ(summary.Find("session_functions")->Find(one->instance_id)->as_string(), "");
  EXPECT_EQ(summary.Find("session")->Find(entry->session_id)->as_string(), "");

  // A message to an instance that ended reaches nobody; nothing else changes.
  s.End(*one);
  EXPECT_EQ(Call(s, *entry, "session.send", Send("id", one->instance_id, Value::Int(6))),
            Value::MakeArray({Value::Int(0)}));
  EXPECT_EQ(Call(s, *entry, "session.function_ids").as_array().size(), 1u);
  EXPECT_EQ(Call(s, *one, "session.running"), Value::Bool(false));
  s.End(*two);
  EXPECT_EQ(s.running(), 0u);
  EXPECT_EQ(Call(s, *entry, "session.function_ids"), Value::EmptyArray());
}

TEST(SessionsTest, BlockingGetIsAnsweredWhenMessagesArriveAndStopEndsIt) {
  Sessions s({}, nullptr);
  auto f = s.Begin(Request("f", true));
  auto entry = s.Begin(Request("entry", false));
  Answered got;
  s.Serve(*f, "session.get",
          Value::MakeObject({{"count", Value::Int(2)}, {"block", Value::Bool(true)}}), Into(&got));
  EXPECT_FALSE(got.called);
  Call(s, *entry, "session.send", Send("all", "", Value::String("a")));
  EXPECT_FALSE(got.called);
  Call(s, *entry, "session.send", Send("all", "", Value::String("b")));
  ASSERT_TRUE(got.called);
  EXPECT_EQ(*got.result->Find("v"), Value::MakeArray({Value::String("a"), Value::String("b")}));

  Answered waiting;
  s.Serve(*f, "session.get", Value::MakeObject({{"block", Value::Bool(true)}}), Into(&waiting));
  EXPECT_FALSE(waiting.called);
  EXPECT_EQ(Call(s, *f, "session.running"), Value::Bool(true));
  Value stop = Value::MakeObject({{"action", Value::String("--stop")}});
  EXPECT_EQ(Call(s, *entry, "session.send", Send("all", "", stop)),
            Value::MakeArray({Value::Int(1)}));
  ASSERT_TRUE(waiting.called);
  EXPECT_EQ(*waiting.result->Find("v"), Value::MakeArray({Value::Null()}));
  EXPECT_EQ(Call(s, *f, "session.running"), Value::Bool(false));
  // Still registered until its invocation is over, but no longer reached.
  EXPECT_EQ(Call(s, *entry, "session.function_ids").as_array().size(), 1u);
  EXPECT_EQ(Call(s, *entry, "session.send", Send("all", "", Value::Int(1))),
            Value::MakeArray({Value::Int(0)}));
  s.End(*f);
}

TEST(SessionsTest, SessionAliasIsPerWorkflowAndGoesWithTheLastInstance) {
  Sessions s({}, nullptr);
  auto f = s.Begin(Request("f", true));
  Value other_input = Value::MakeObject({{"sessionId", Value::String("other")}});
  auto g = s.Begin(Request("g", true, &other_input));
  Call(s, *f, "session.set_alias", Value::MakeObject({{"alias", Value::String("mine")}}));
  EXPECT_EQ(Call(s, *f, "session.get_alias"), Value::String("mine"));
  Answered taken;
  s.Serve(*g, "session.set_alias", Value::MakeObject({{"alias", Value::String("mine")}}),
          Into(&taken));
  ASSERT_TRUE(taken.called && taken.result.ok());
  EXPECT_NE(taken.result->Find("w"), nullptr);  // in use by another session: a warning
  EXPECT_EQ(Call(s, *g, "session.get_alias"), Value::Null());
  s.End(*f);
  Call(s, *g, "session.set_alias", Value::MakeObject({{"alias", Value::String("mine")}}));
  EXPECT_EQ(Call(s, *g, "session.get_alias"), Value::String("mine"));
  s.End(*g);
}

TEST(SessionsTest, InstancesAreBounded) {
  Sessions::Options o;
  o.max_instances = 2;
  Sessions s(o, nullptr);
  auto a = s.Begin(Request("f", true));
  auto b = s.Begin(Request("f", true));
  auto c = s.Begin(Request("f", true));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().error, "KnixSessionLimitExceeded");
  s.End(*a);
  EXPECT_TRUE(s.Begin(Request("f", true)).ok());
}

TEST(SessionsTest, HeartbeatsGoToTheHeartbeatFunctionUntilStopped) {
  Sessions s({}, nullptr);
  std::atomic<int> beats{0};
  Sessions::BeginRequest r = Request("f", true);
  r.parameters = Value::MakeObject({{"heartbeat_method", Value::String("function")},
                                    {"heartbeat_function", Value::String("hb")},
                                    {"heartbeat_interval_ms", Value::Int(20)}});
  r.route = [&](const std::string& next, Value value, engine::KnixRoute how) -> Status {
    EXPECT_EQ(next, "hb");
    EXPECT_EQ(how, engine::KnixRoute::kPlatform);
    EXPECT_EQ(value.Find("action")->as_string(), "--heartbeat");
    ++beats;
    return Status::Ok();
  };
  auto f = s.Begin(std::move(r));
  ASSERT_TRUE(f.ok());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (beats < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GE(beats.load(), 3);
  auto entry = s.Begin(Request("entry", false));
  Call(s, *entry, "session.send",
       Send("all", "", Value::MakeObject({{"action", Value::String("--stop")}})));
  s.End(*f);  // waits for a heartbeat in flight: none comes after it
  int after = beats.load();
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_EQ(beats.load(), after);
}

TEST(SessionsTest, DataLayerHeartbeatsAreWrittenAndDeletedAtTheEnd) {
  Mutex mu;
  std::vector<std::pair<std::string, bool>> writes;  // key, written (else deleted)
  Sessions s({}, [&](const std::string& wf, const std::string& key,
                     const std::optional<std::string>& value) {
    EXPECT_EQ(wf, "wf");
    MutexLock lock(&mu);
    writes.emplace_back(key, value.has_value());
  });
  Sessions::BeginRequest r = Request("f", true);
  r.parameters = Value::MakeObject({{"heartbeat_method", Value::String("data_layer")},
                                    {"heartbeat_interval_ms", Value::Int(10)}});
  auto f = s.Begin(std::move(r));
  ASSERT_TRUE(f.ok());
  const std::string key = "heartbeat_" + f->session_id + "_" + f->instance_id;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  auto count = [&] {
    MutexLock lock(&mu);
    return writes.size();
  };
  while (count() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  s.End(*f);
  bool deleted = false;
  while (!deleted && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    MutexLock lock(&mu);
    deleted = !writes.empty() && !writes.back().second;
  }
  MutexLock lock(&mu);
  ASSERT_GE(writes.size(), 3u);
  EXPECT_EQ(writes.front(), std::make_pair(key, true));
  EXPECT_EQ(writes.back(), std::make_pair(key, false));
}

TEST(SessionsTest, UnsupportedHeartbeatMethodIsRefused) {
  Sessions s({}, nullptr);
  Sessions::BeginRequest r = Request("f", true);
  r.parameters = Value::MakeObject({{"heartbeat_method", Value::String("pigeon")}});
  EXPECT_FALSE(s.Begin(std::move(r)).ok());
  EXPECT_EQ(s.running(), 0u);
}

TEST(SessionsTest, WorkflowTraitsComeFromTheDefinition) {
  Sessions s({}, nullptr);
  auto w = s.WorkflowOf("a", "r1",
                        R"({"StartAt":"x","TimeoutSeconds":60,"States":{"x":{"Type":"Task",)"
                        R"("Resource":"f","SessionFunction":true,"End":true}}})");
  EXPECT_TRUE(w.session_workflow);
  EXPECT_EQ(w.timeout_ms, 60000);
  auto plain =
      s.WorkflowOf("b", "r1", R"({"StartAt":"x","States":{"x":{"Type":"Pass","End":true}}})");
  EXPECT_FALSE(plain.session_workflow);
  EXPECT_EQ(plain.timeout_ms, Sessions::Options{}.default_timeout_ms);
}

}  // namespace
}  // namespace stator::knix
