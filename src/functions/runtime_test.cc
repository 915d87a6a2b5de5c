// FunctionRuntime against real Python workers (python3 and, when it works, bubblewrap).
#include "functions/runtime.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/json.h"
#include "functions/zip_package.h"
#include "store/memory_store.h"

namespace stator::functions {
namespace {

namespace fs = std::filesystem;

constexpr const char* kApp = R"py(
import os, signal, time
def handler(event, context):
    if event.get("stream"):
        print("first line")
        context._channel.call("wait", None)
        if event.get("hang"):
            print("hanging")
            time.sleep(10)
        print("second line")
        print("no newline", end="")
        return "done"
    if event.get("kill_zygote"):
        os.kill(os.getppid(), signal.SIGKILL)  # an instance's parent is its zygote
        time.sleep(0.2)
    if event.get("raise"):
        raise ValueError("boom")
    if event.get("calls"):
        out = []
        for name, args in event["calls"]:
            try:
                out.append(context._channel.call(name, args))
            except Exception as e:
                out.append({"error": type(e).__name__, "type": getattr(e, "error_type", ""),
                            "message": str(e)})
        return {"results": out}
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
    ASSERT_NE(mkdtemp(tmpl), nullptr) << strerror(errno);
    dir_ = tmpl;
    RegistryOptions ro;
    ro.cache_dir = dir_ + "/functions-cache";
    auto r = FunctionRegistry::Open(&store_, ro);
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
  Result<InvocationResult> Call(const std::string& payload, bool queue = false,
                                PlatformHandler platform = nullptr) {
    std::promise<Result<InvocationResult>> p;
    Invocation inv;
    inv.payload = payload;
    inv.platform = std::move(platform);
    inv.invoked_arn = "arn:aws:lambda:us-east-1:123456789012:function:echo";
    inv.queue_when_busy = queue;
    runtime_->Invoke(fn_, inv, [&p](Result<InvocationResult> r) { p.set_value(std::move(r)); });
    return p.get_future().get();
  }

  std::string dir_;
  store::MemoryStore store_;
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
      if (other != c) {
        EXPECT_EQ(count(r->log, other), 0) << c << " log has " << other;
      }
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

TEST_F(RuntimeTest, PlatformCallsAreAnsweredNowOrLaterFromAnotherThread) {
  std::vector<std::thread> threads;
  std::atomic<int> handled{0};
  PlatformHandler handler = [&](std::string call, json::Value args, PlatformReply reply) {
    ++handled;
    if (call == "add") {  // answered at once, on the reactor thread
      reply(json::Value::Int(args.Find("a")->as_int() + args.Find("b")->as_int()));
    } else if (call == "later") {  // answered from another thread, after a while
      threads.emplace_back([reply = std::move(reply), args = std::move(args)] {
        usleep(20000);
        reply(json::Value::MakeObject({{"got", args}}));
      });
    } else {
      reply(Error{"UnknownCall", "no such call: " + call});
    }
  };
  auto r = Call(R"({"calls":[["add",{"a":1,"b":2}],["later",[1,"x"]],["nope",null],)"
                R"(["add",{"a":40,"b":2}],["later","big"]]})",
                false, handler);
  ASSERT_TRUE(r.ok()) << r.error().cause;
  ASSERT_FALSE(r->function_error) << r->payload << r->log;
  EXPECT_EQ(r->payload,
            R"({"results": [3, {"got": [1, "x"]}, {"error": "PlatformCallError", "type": )"
            R"("UnknownCall", "message": "no such call: nope"}, 42, {"got": "big"}]})");
  EXPECT_EQ(handled.load(), 5);
  for (auto& t : threads) t.join();
  // The same instance serves a call without a handler: an error answer, not a hang.
  auto none = Call(R"({"calls":[["add",{"a":1,"b":2}]]})");
  ASSERT_TRUE(none.ok()) << none.error().cause;
  EXPECT_EQ(none->payload,
            R"({"results": [{"error": "PlatformCallError", "type": "ServiceException", )"
            R"("message": "this function cannot make platform calls"}]})");
}

TEST_F(RuntimeTest, APlatformReplyAfterTheInvocationEndedIsDropped) {
  // The handler never answers in time: the invocation times out (1 s) and its instance is
  // killed; the late reply is then dropped, and the next invocation (a new instance, and then
  // the same one again) does not see it.
  std::promise<PlatformReply> held;
  PlatformHandler keep = [&held](std::string, json::Value, PlatformReply reply) {
    held.set_value(std::move(reply));
  };
  auto slow = Call(R"({"calls":[["wait",null]]})", false, keep);
  ASSERT_TRUE(slow.ok()) << slow.error().cause;
  EXPECT_TRUE(slow->timed_out);
  PlatformReply late = held.get_future().get();
  late(json::Value::String("too late"));
  PlatformHandler answer = [](std::string, json::Value, PlatformReply reply) {
    reply(json::Value::String("fresh"));
  };
  for (int i = 0; i < 2; ++i) {
    auto r = Call(R"({"calls":[["x",null]]})", false, answer);
    ASSERT_TRUE(r.ok()) << r.error().cause;
    EXPECT_EQ(r->payload, R"({"results": ["fresh"]})");
  }
  late(json::Value::String("even later"));
  runtime_.reset();
  late(json::Value::String("after the runtime"));  // no runtime: dropped
}

// What an output sink got, and what it had when the invocation's callback ran.
struct SinkRecord {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> chunks;
  std::string all;
  std::optional<std::string> at_completion;
  std::optional<Result<InvocationResult>> result;

  OutputSink Sink() {
    return [this](std::string_view lines) {
      std::lock_guard<std::mutex> lock(mu);
      chunks.emplace_back(lines);
      all += lines;
      cv.notify_all();
    };
  }
  InvokeCallback Done() {
    return [this](Result<InvocationResult> r) {
      std::lock_guard<std::mutex> lock(mu);
      at_completion = all;
      result = std::move(r);
      cv.notify_all();
    };
  }
  // Waits (at most 30 s) until pred holds, under the lock.
  template <typename Pred>
  bool WaitFor(Pred pred) {
    std::unique_lock<std::mutex> lock(mu);
    return cv.wait_for(lock, std::chrono::seconds(30), [&] { return pred(); });
  }
};

// The lines of a log but Lambda's START, END and REPORT lines.
std::string OutputOf(const std::string& log) {
  std::string out;
  size_t pos = 0;
  while (pos < log.size()) {
    size_t nl = log.find('\n', pos);
    std::string line = log.substr(pos, nl == std::string::npos ? nl : nl + 1 - pos);
    pos = nl == std::string::npos ? log.size() : nl + 1;
    if (!line.starts_with("START RequestId: ") && !line.starts_with("END RequestId: ") &&
        !line.starts_with("REPORT RequestId: ")) {
      out += line;
    }
  }
  return out;
}

TEST_F(RuntimeTest, AnOutputSinkGetsTheLinesWhileTheInvocationRuns) {
  // The function prints a line, then waits for a platform call the test answers only once the
  // sink has the line: it can only have got it while the invocation ran.
  std::promise<PlatformReply> held;
  SinkRecord rec;
  Invocation inv;
  inv.payload = R"({"stream":true})";
  inv.timeout_ms = 60000;
  inv.platform = [&held](std::string, json::Value, PlatformReply reply) {
    held.set_value(std::move(reply));
  };
  inv.output = rec.Sink();
  runtime_->Invoke(fn_, inv, rec.Done());
  ASSERT_TRUE(rec.WaitFor([&] { return rec.all.find("first line\n") != std::string::npos; }))
      << "the sink did not get the line while the invocation ran";
  {
    std::lock_guard<std::mutex> lock(rec.mu);
    EXPECT_EQ(rec.all, "first line\n");
    EXPECT_FALSE(rec.result.has_value());
  }
  held.get_future().get()(json::Value::Null());
  ASSERT_TRUE(rec.WaitFor([&] { return rec.result.has_value(); }));
  std::lock_guard<std::mutex> lock(rec.mu);
  ASSERT_TRUE(rec.result->ok()) << rec.result->error().cause;
  const InvocationResult& r = **rec.result;
  EXPECT_EQ(r.payload, R"("done")");
  // Every line once, in order, the last one given a newline, all before the callback; the
  // result's log is the usual one.
  EXPECT_EQ(rec.all, "first line\nsecond line\nno newline\n");
  EXPECT_EQ(rec.at_completion, rec.all);
  for (const std::string& c : rec.chunks) EXPECT_TRUE(c.ends_with('\n')) << c;
  EXPECT_TRUE(r.log.starts_with("START RequestId: " + r.request_id +
                                " Version: $LATEST\nfirst line\nsecond line\nno newline\nEND "
                                "RequestId: " +
                                r.request_id + "\nREPORT RequestId: "))
      << r.log;
  EXPECT_EQ(OutputOf(r.log), rec.all);

  // The same instance, without a sink: the log comes with the result only, from this
  // invocation on.
  auto plain = Call(R"({"say":"quiet"})");
  ASSERT_TRUE(plain.ok()) << plain.error().cause;
  EXPECT_EQ(OutputOf(plain->log), "quiet\nhello from echo\n");
}

TEST_F(RuntimeTest, AnOutputSinkGetsTheTimeoutLineOfAnInvocationThatTimedOut) {
  SinkRecord rec;
  Invocation inv;
  inv.payload = R"({"stream":true,"hang":true})";
  inv.timeout_ms = 1500;
  inv.platform = [](std::string, json::Value, PlatformReply reply) { reply(json::Value::Null()); };
  inv.output = rec.Sink();
  runtime_->Invoke(fn_, inv, rec.Done());
  ASSERT_TRUE(rec.WaitFor([&] { return rec.result.has_value(); }));
  std::lock_guard<std::mutex> lock(rec.mu);
  ASSERT_TRUE(rec.result->ok()) << rec.result->error().cause;
  const InvocationResult& r = **rec.result;
  EXPECT_TRUE(r.timed_out);
  EXPECT_TRUE(rec.all.starts_with("first line\nhanging\n")) << rec.all;
  EXPECT_NE(rec.all.find(" " + r.request_id + " RequestId: " + r.request_id +
                         " Error: Task timed out after 1.50 seconds\n"),
            std::string::npos)
      << rec.all;
  EXPECT_EQ(OutputOf(r.log), rec.all);
  EXPECT_EQ(rec.at_completion, rec.all);
}

TEST_F(RuntimeTest, AZygoteThatDiedIsStartedAgain) {
  auto first = Call("{}");
  ASSERT_TRUE(first.ok()) << first.error().cause;
  // Its zygote killed: this call may fail. Sandboxed, the whole sandbox goes with the zygote,
  // and the runtime, which sees the zygote go before the instances it takes along, drops them
  // all at once: the next calls run on instances of a new zygote, two at once included.
  auto killer = Call(R"({"kill_zygote":true})");
  for (int round = 0; round < 3; ++round) {
    std::promise<Result<InvocationResult>> p1, p2;
    Invocation inv;
    inv.payload = R"({"sleep":0.2})";
    runtime_->Invoke(fn_, inv, [&p1](Result<InvocationResult> r) { p1.set_value(std::move(r)); });
    runtime_->Invoke(fn_, inv, [&p2](Result<InvocationResult> r) { p2.set_value(std::move(r)); });
    // Both answers are awaited before any assertion returns: the callbacks hold the promises.
    auto r1 = p1.get_future().get();
    auto r2 = p2.get_future().get();
    for (auto* r : {&r1, &r2}) {
      ASSERT_TRUE(r->ok()) << "round " << round << ": " << r->error().cause;
      EXPECT_FALSE((*r)->function_error) << "round " << round << ": " << (*r)->payload << (*r)->log;
    }
  }
}

TEST_F(RuntimeTest, ThrottlesBeyondConcurrencyUnlessQueued) {
  std::vector<std::promise<Result<InvocationResult>>> ps(3);
  for (int i = 0; i < 2; ++i) {
    Invocation inv;
    inv.payload = R"({"sleep":0.5})";
    runtime_->Invoke(fn_, inv,
                     [&ps, i](Result<InvocationResult> r) { ps[i].set_value(std::move(r)); });
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
  ASSERT_TRUE(zip.ok()) << zip.error().cause;
  auto f = registry_->Create(c, *zip, 0);
  ASSERT_TRUE(f.ok()) << f.error().cause;
  std::promise<Result<InvocationResult>> p;
  runtime_->Invoke(*f, Invocation{},
                   [&p](Result<InvocationResult> r) { p.set_value(std::move(r)); });
  auto r = p.get_future().get();
  ASSERT_TRUE(r.ok()) << r.error().cause;
  EXPECT_TRUE(r->function_error);
  EXPECT_EQ(r->error_type, "Runtime.ImportModuleError") << r->payload;
}

// Two registries over one store are two nodes of a cluster. A function warm on this node runs
// what another node changed at its next call: Get hands out the new revision (unpacked into this
// node's cache) and the runtime keeps a function's instances per revision.
TEST_F(RuntimeTest, AnotherNodesUpdatesReachTheNextCall) {
  RegistryOptions ro;
  ro.cache_dir = dir_ + "/other-node-cache";
  auto other = FunctionRegistry::Open(&store_, ro);
  ASSERT_TRUE(other.ok()) << other.error().cause;
  auto code = [](const std::string& version) {
    auto zip = ZipEntries({{"app.py",
                            "import os\ndef handler(e, c):\n    return '" + version +
                                ":' + os.environ.get('V', '')\n",
                            0644}});
    EXPECT_TRUE(zip.ok());
    return zip.ok() ? *zip : std::string();
  };
  FunctionConfig c;
  c.name = "versioned";
  c.handler = "app.handler";
  ASSERT_TRUE((*other)->Create(c, code("v1"), 0).ok());
  auto call = [this]() -> std::string {
    FunctionPtr f = registry_->Get("versioned");  // as every Invoke and Task state does
    if (f == nullptr) return "missing";
    std::promise<Result<InvocationResult>> p;
    runtime_->Invoke(f, Invocation{},
                     [&p](Result<InvocationResult> r) { p.set_value(std::move(r)); });
    auto r = p.get_future().get();
    if (!r.ok()) return r.error().cause;
    return r->payload;
  };
  EXPECT_EQ(call(), "\"v1:\"");
  EXPECT_EQ(call(), "\"v1:\"");  // warm now
  ASSERT_TRUE((*other)->UpdateCode("versioned", code("v2"), 0).ok());
  EXPECT_EQ(call(), "\"v2:\"");
  ASSERT_TRUE((*other)
                  ->Update(
                      "versioned",
                      [](FunctionConfig* c) {
                        SetKey(&c->environment, "V", "set");
                        return Status::Ok();
                      },
                      0)
                  .ok());
  EXPECT_EQ(call(), "\"v2:set\"");
  ASSERT_TRUE((*other)->Delete("versioned").ok());
  EXPECT_EQ(call(), "missing");
}

// The network test's function: connects to each target and reports what happened. "echo"
// targets get `bytes` bytes (sent from a second thread while the answer is read, then the
// sending side is shut down) and must get them back before the end of stream; "connect"
// targets are only connected to.
constexpr const char* kNetApp = R"py(
import os, socket, threading, time
def attempt(host, port, mode, size):
    t = time.time()
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    s.settimeout(10 if mode == "echo" else 2)
    try:
        s.connect((host, port))
        if mode == "echo":
            payload = (b"0123456789abcdef" * (size // 16 + 1))[:size]
            def send():
                s.sendall(payload)
                s.shutdown(socket.SHUT_WR)
            sender = threading.Thread(target=send)
            sender.start()
            got = bytearray()
            while True:
                chunk = s.recv(1 << 16)
                if not chunk:
                    break
                got += chunk
            sender.join()
            r = "ok" if got == payload else f"mismatch:{len(got)}"
        else:
            r = "ok"
    except OSError as e:
        r = f"{type(e).__name__}:{e.errno}"
    finally:
        s.close()
    return {"result": r, "ms": (time.time() - t) * 1000}

def handler(event, context):
    port = int(os.environ["AWS_ENDPOINT_URL"].rsplit(":", 1)[1])
    out = {"endpoint": os.environ["AWS_ENDPOINT_URL"]}
    for name, (host, p, mode, size) in event["targets"].items():
        out[name] = attempt(host or "127.0.0.1", p or port, mode, size)
    results = [None] * event.get("parallel", 0)
    def one(i):
        results[i] = attempt("127.0.0.1", port, "echo", 1000 + i)["result"]
    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(results))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out["parallel_ok"] = results.count("ok")
    # Sockets this instance holds now: only its stream socket to the server (nothing of the
    # relay is inherited).
    out["sockets"] = sum(os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
                         for fd in os.listdir("/proc/self/fd")
                         if os.path.exists(f"/proc/self/fd/{fd}"))
    return out
)py";

// A TCP listener on the host for the network test: `echo` serves each connection by copying
// what it reads back until the end of stream, then closes; otherwise connections are left in
// the backlog.
class Listener {
 public:
  Listener(const char* address, bool echo) : echo_(echo) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    inet_pton(AF_INET, address, &a.sin_addr);
    int one = 1;
    setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd_, 256) != 0) {
      close(fd_);
      fd_ = -1;
      return;
    }
    socklen_t len = sizeof a;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    if (echo_) thread_ = std::thread([this] { Serve(); });
  }
  ~Listener() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    for (auto& t : conns_) t.join();
    if (fd_ >= 0) close(fd_);
  }
  int port() const { return port_; }
  int accepted() const { return accepted_; }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      ++accepted_;
      conns_.emplace_back([c] {
        char buf[65536];
        for (;;) {
          ssize_t n = recv(c, buf, sizeof buf, 0);
          if (n <= 0) break;
          for (ssize_t off = 0; off < n;) {
            ssize_t w = send(c, buf + off, static_cast<size_t>(n - off), MSG_NOSIGNAL);
            if (w <= 0) break;
            off += w;
          }
        }
        close(c);
      });
    }
  }
  bool echo_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
  std::vector<std::thread> conns_;
};

// A non-loopback IPv4 address of this host ("" when it has none).
std::string HostAddress() {
  ifaddrs* all = nullptr;
  if (getifaddrs(&all) != 0) return "";
  std::string found;
  for (ifaddrs* i = all; i != nullptr && found.empty(); i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, text, sizeof text);
    if (std::string(text).rfind("127.", 0) != 0) found = text;
  }
  freeifaddrs(all);
  return found;
}

size_t OpenFds() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

// Runs kNetApp in a runtime (sandboxed or not) whose "server" is an echo listener; returns
// the function's report.
json::Value RunNetworkProbe(const std::string& dir, FunctionRegistry* registry, bool sandbox,
                            bool* sandboxed, size_t* fds_before, size_t* fds_after) {
  Listener stator("127.0.0.1", true), other("0.0.0.0", false);
  EXPECT_NE(stator.port(), 0) << "cannot listen";
  EXPECT_NE(other.port(), 0) << "cannot listen";
  if (stator.port() == 0 || other.port() == 0) return json::Value();
  RuntimeOptions o;
  o.work_dir = dir + (sandbox ? "/runtime-net" : "/runtime-net-plain");
  o.sandbox = sandbox;
  o.idle_timeout = std::chrono::milliseconds(200);
  auto rt = FunctionRuntime::Start(o);
  EXPECT_TRUE(rt.ok());
  if (!rt.ok()) return json::Value();
  (*rt)->SetEndpoint("http://127.0.0.1:" + std::to_string(stator.port()));
  *sandboxed = (*rt)->sandboxed();
  FunctionConfig c;
  c.name = sandbox ? "net" : "net-plain";
  c.handler = "app.handler";
  c.timeout_seconds = 60;
  c.memory_mb = 2048;  // address space for 40 threads' stacks
  auto zip = ZipEntries({{"app.py", kNetApp, 0644}});
  EXPECT_TRUE(zip.ok());
  if (!zip.ok()) return json::Value();
  auto f = registry->Create(c, *zip, 0);
  EXPECT_TRUE(f.ok());
  if (!f.ok()) return json::Value();
  *fds_before = OpenFds();
  std::string host = HostAddress();
  std::string op = std::to_string(other.port());
  std::string event = R"({"parallel": 40, "targets": {"stator": ["", 0, "echo", 5],)"
                      R"("big": ["", 0, "echo", 8000000],)"
                      R"("outside": ["10.255.255.1", 80, "connect", 0],)"
                      R"("other": ["127.0.0.1", )" +
                      op + R"(, "connect", 0])";
  if (!host.empty()) event += R"(, "host": [")" + host + R"(", )" + op + R"(, "connect", 0])";
  event += "}}";
  std::promise<Result<InvocationResult>> p;
  Invocation inv;
  inv.payload = event;
  (*rt)->Invoke(*f, inv, [&p](Result<InvocationResult> r) { p.set_value(std::move(r)); });
  auto r = p.get_future().get();
  EXPECT_TRUE(r.ok());
  if (!r.ok()) return json::Value();
  EXPECT_FALSE(r->function_error) << r->payload << r->log;
  auto v = json::Parse(r->payload);
  EXPECT_TRUE(v.ok()) << r->payload;
  // The function goes away: its instance and zygote (and so the network channel) are closed.
  (*rt)->Retire(c.name);
  for (int i = 0; i < 100 && OpenFds() != *fds_before; ++i) usleep(50000);
  *fds_after = OpenFds();
  rt->reset();
  return v.ok() ? *v : json::Value();
}

TEST_F(RuntimeTest, SandboxedNetworkReachesOnlyTheServer) {
  bool sandboxed = false;
  size_t before = 0, after = 0;
  json::Value v = RunNetworkProbe(dir_, registry_.get(), true, &sandboxed, &before, &after);
  ASSERT_TRUE(v.is_object());
  auto result = [&v](const char* name) {
    const json::Value* t = v.Find(name);
    return t && t->Find("result") ? t->Find("result")->as_string() : std::string("absent");
  };
  // Through the relay: small and large echoes, half-close both ways, 40 at once.
  EXPECT_EQ(result("stator"), "ok") << v.Dump();
  EXPECT_EQ(result("big"), "ok") << v.Dump();
  EXPECT_EQ(v.Find("parallel_ok")->as_int(), 40) << v.Dump();
  EXPECT_EQ(v.Find("sockets")->as_int(), 1) << v.Dump();
  EXPECT_EQ(after, before) << "file descriptors left open after the function went away";
  if (!sandboxed) GTEST_SKIP() << "bubblewrap does not work here: no network namespace";
  // Another port on the host's loopback: refused (ECONNREFUSED) inside the namespace.
  EXPECT_EQ(result("other"), "ConnectionRefusedError:111") << v.Dump();
  // Off the host: no route (ENETUNREACH), at once.
  EXPECT_EQ(result("outside"), "OSError:101") << v.Dump();
  EXPECT_LT(v.Find("outside")->Find("ms")->as_double(), 1000) << v.Dump();
  if (v.Find("host")) {
    EXPECT_EQ(result("host"), "OSError:101") << v.Dump();
  }
}

TEST_F(RuntimeTest, UnsandboxedNetworkIsTheHosts) {
  // The same probe without the sandbox: the other port and the host's own address are
  // reachable, so the sandboxed test above can tell.
  bool sandboxed = true;
  size_t before = 0, after = 0;
  json::Value v = RunNetworkProbe(dir_, registry_.get(), false, &sandboxed, &before, &after);
  ASSERT_TRUE(v.is_object());
  EXPECT_FALSE(sandboxed);
  EXPECT_EQ(v.Find("stator")->Find("result")->as_string(), "ok") << v.Dump();
  EXPECT_EQ(v.Find("other")->Find("result")->as_string(), "ok") << v.Dump();
  if (v.Find("host")) {
    EXPECT_EQ(v.Find("host")->Find("result")->as_string(), "ok") << v.Dump();
  }
  EXPECT_EQ(v.Find("parallel_ok")->as_int(), 40) << v.Dump();
  EXPECT_EQ(after, before);
}

}  // namespace
}  // namespace stator::functions
