// FunctionRuntime against real Python workers (python3 and, when it works, bubblewrap).
#include "functions/runtime.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <future>

#include "common/json.h"
#include "functions/zip_package.h"

namespace stator::functions {
namespace {

namespace fs = std::filesystem;

constexpr const char* kApp = R"py(
import os, time
def handler(event, context):
    if event.get("raise"):
        raise ValueError("boom")
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("say"):
        print(event["say"] * event.get("times", 1))
    if event.get("siblings"):
        # Instances forked by this instance's zygote (its parent), this one included.
        ppid, n = os.getppid(), 0
        for d in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{d}/stat") as f:
                    n += int(f.read().rsplit(")", 1)[1].split()[1]) == ppid
            except (OSError, ValueError, IndexError):
                pass
        return {"siblings": n, "pid": os.getpid()}
    print("hello from", context.function_name)
    return {"echo": event, "remaining": context.get_remaining_time_in_millis() > 0,
            "pid": os.getpid(), "arn": context.invoked_function_arn}
)py";

class RuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/stator-runtime-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto r = FunctionRegistry::Open(dir_ + "/functions", false);
    ASSERT_TRUE(r.ok()) << r.error().cause;
    registry_ = std::move(*r);
    RuntimeOptions o;
    o.work_dir = dir_ + "/runtime";
    o.concurrency = 2;
    auto rt = FunctionRuntime::Start(o);
    ASSERT_TRUE(rt.ok()) << rt.error().cause;
    runtime_ = std::move(*rt);
    runtime_->SetEndpoint("http://127.0.0.1:1");
    FunctionConfig c;
    c.name = "echo";
    c.handler = "app.handler";
    c.timeout_seconds = 1;
    auto zip = ZipEntries({{"app.py", kApp, 0644}});
    ASSERT_TRUE(zip.ok());
    auto f = registry_->Create(c, *zip, 0);
    ASSERT_TRUE(f.ok()) << f.error().cause;
    fn_ = *f;
  }
  void TearDown() override {
    runtime_.reset();
    registry_.reset();
    fs::remove_all(dir_);
  }
  Result<InvocationResult> Call(const std::string& payload, bool queue = false) {
    std::promise<Result<InvocationResult>> p;
    Invocation inv;
    inv.payload = payload;
    inv.invoked_arn = "arn:aws:lambda:us-east-1:123456789012:function:echo";
    inv.queue_when_busy = queue;
    runtime_->Invoke(fn_, inv, [&p](Result<InvocationResult> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  std::string dir_;
  std::unique_ptr<FunctionRegistry> registry_;
  std::unique_ptr<FunctionRuntime> runtime_;
  FunctionPtr fn_;
};

TEST_F(RuntimeTest, EachLogHoldsOnlyItsOwnInvocationAcrossTheLogBufferRewind) {
  // The instance's log buffer is read on from where the previous invocation stopped and is
  // emptied once past 1 MiB: 700 KB twice crosses that.
  auto count = [](const std::string& s, char c) { return std::count(s.begin(), s.end(), c); };
  for (char c : {'#', '@', '~'}) {
    int times = c == '~' ? 10 : 700000;
    auto r = Call(std::string(R"({"say":")") + c + R"(","times":)" + std::to_string(times) + "}");
    ASSERT_TRUE(r.ok()) << r.error().cause;
    ASSERT_FALSE(r->function_error) << r->payload;
    EXPECT_EQ(count(r->log, c), times) << "invocation " << c;
    for (char other : {'#', '@', '~'}) {
      if (other != c) EXPECT_EQ(count(r->log, other), 0) << c << " log has " << other;
    }
    EXPECT_NE(r->log.find("START RequestId: " + r->request_id), std::string::npos);
  }
}

TEST_F(RuntimeTest, ForksASpareInstanceAheadOfTheNextConcurrentCall) {
  // concurrency 2, spares 1: once a call has taken the only instance, a second one is forked
  // without waiting for a second call, and no third (the concurrency is 2).
  int siblings = 0;
  int64_t first_pid = 0;
  for (int attempt = 0; attempt < 400 && siblings < 2; ++attempt) {
    auto r = Call(R"({"siblings":true})");
    ASSERT_TRUE(r.ok()) << r.error().cause;
    ASSERT_FALSE(r->function_error) << r->payload;
    auto v = json::Parse(r->payload);
    ASSERT_TRUE(v.ok());
    siblings = static_cast<int>(v->Find("siblings")->as_int());
    if (first_pid == 0) first_pid = v->Find("pid")->as_int();
    // Only the first instance has served so far: the spare is never needed by these calls.
    EXPECT_EQ(v->Find("pid")->as_int(), first_pid);
    if (siblings < 2) usleep(25000);
  }
  EXPECT_EQ(siblings, 2);
  // Two concurrent calls: one on each instance, both already forked.
  std::promise<Result<InvocationResult>> p1, p2;
  Invocation inv;
  inv.payload = R"({"sleep":0.3,"siblings":true})";
  runtime_->Invoke(fn_, inv, [&p1](Result<InvocationResult> r) { p1.set_value(std::move(r)); });
  runtime_->Invoke(fn_, inv, [&p2](Result<InvocationResult> r) { p2.set_value(std::move(r)); });
  auto r1 = p1.get_future().get(), r2 = p2.get_future().get();
  ASSERT_TRUE(r1.ok() && r2.ok());
  auto v1 = json::Parse(r1->payload), v2 = json::Parse(r2->payload);
  ASSERT_TRUE(v1.ok() && v2.ok()) << r1->payload << r2->payload;
  EXPECT_NE(v1->Find("pid")->as_int(), v2->Find("pid")->as_int());
  EXPECT_EQ(v1->Find("siblings")->as_int(), 2);
  EXPECT_EQ(v2->Find("siblings")->as_int(), 2);
}

TEST_F(RuntimeTest, InvokesWarmAndReportsErrorsAndTimeouts) {
  auto r = Call(R"({"a":1})");
  ASSERT_TRUE(r.ok()) << r.error().cause;
  ASSERT_FALSE(r->function_error) << r->payload << r->log;
  auto v = json::Parse(r->payload);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->Find("echo")->Dump(), R"({"a":1})");
  EXPECT_TRUE(v->Find("remaining")->as_bool());
  EXPECT_GE(r->cold_start_us, 0);
  EXPECT_NE(r->log.find("START RequestId: " + r->request_id), std::string::npos) << r->log;
  EXPECT_NE(r->log.find("hello from echo"), std::string::npos) << r->log;
  EXPECT_NE(r->log.find("REPORT RequestId: "), std::string::npos);
  int64_t pid = v->Find("pid")->as_int();

  auto warm = Call(R"({"b":2})");
  ASSERT_TRUE(warm.ok());
  EXPECT_EQ(warm->cold_start_us, -1);
  EXPECT_EQ(json::Parse(warm->payload)->Find("pid")->as_int(), pid);  // the same instance

  auto err = Call(R"({"raise":true})");
  ASSERT_TRUE(err.ok());
  EXPECT_TRUE(err->function_error);
  EXPECT_EQ(err->error_type, "ValueError");
  auto ev = json::Parse(err->payload);
  ASSERT_TRUE(ev.ok());
  EXPECT_EQ(ev->Find("errorMessage")->as_string(), "boom");
  EXPECT_EQ(ev->Find("requestId")->as_string(), err->request_id);

  auto slow = Call(R"({"sleep":5})");
  ASSERT_TRUE(slow.ok());
  EXPECT_TRUE(slow->timed_out);
  EXPECT_EQ(slow->error_type, "Sandbox.Timedout");
  EXPECT_NE(slow->payload.find("Task timed out after 1.00 seconds"), std::string::npos);

  auto after = Call(R"({"c":3})");  // a replacement instance answers
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->function_error) << after->payload;
  EXPECT_NE(runtime_->Logs("echo").find("Task timed out"), std::string::npos);
}

TEST_F(RuntimeTest, ThrottlesBeyondConcurrencyUnlessQueued) {
  std::vector<std::promise<Result<InvocationResult>>> ps(3);
  for (int i = 0; i < 2; ++i) {
    Invocation inv;
    inv.payload = R"({"sleep":0.5})";
    runtime_->Invoke(fn_, inv, [&ps, i](Result<InvocationResult> r) { ps[i].set_value(std::move(r)); });
  }
  auto third = Call("{}");
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().error, "TooManyRequestsException");
  auto queued = Call("{}", true);
  ASSERT_TRUE(queued.ok());
  EXPECT_FALSE(queued->function_error);
  for (int i = 0; i < 2; ++i) {
    auto r = ps[i].get_future().get();
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->function_error) << r->payload;
  }
}

TEST_F(RuntimeTest, ImportErrorIsAFunctionError) {
  FunctionConfig c;
  c.name = "broken";
  c.handler = "missing.handler";
  auto zip = ZipEntries({{"app.py", "x = 1\n", 0644}});
  auto f = registry_->Create(c, *zip, 0);
  ASSERT_TRUE(f.ok());
  std::promise<Result<InvocationResult>> p;
  runtime_->Invoke(*f, Invocation{}, [&p](Result<InvocationResult> r) { p.set_value(std::move(r)); });
  auto r = p.get_future().get();
  ASSERT_TRUE(r.ok()) << r.error().cause;
  EXPECT_TRUE(r->function_error);
  EXPECT_EQ(r->error_type, "Runtime.ImportModuleError") << r->payload;
}

}  // namespace
}  // namespace stator::functions
