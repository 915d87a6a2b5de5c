// FunctionRuntime: runs functions in warm worker processes.
//
// Per function, a zygote (runtime/stator_runtime.py, started inside the Sandbox) imports boto3
// and the handler module once; instances are forked from it on demand (plus `spares` forked
// ahead of it, pre-warmed), one invocation at a time each, up to `concurrency` per function. An
// invocation is an 'I' frame on the instance's socket and comes back as an 'R' or 'E' frame
// (frame.h); meanwhile, user code may make platform calls ('P', answered by 'Q') that the
// invocation's PlatformHandler serves. Idle instances are reaped after idle_timeout; an instance
// that times out, runs out of memory or dies is killed and replaced. Logs: an instance's stdout and
// stderr are a memfd; after each invocation the server reads what was appended since the previous
// one (and empties it once past 1 MiB), wraps it in Lambda's START/END/REPORT lines, returns it
// with the result and keeps the last log_keep_bytes per function (Logs). An invocation with an
// output sink (Invocation::output) also gets its lines while it runs: the reactor reads the
// memfds of such invocations every kOutputPollInterval.
//
// Network: a sandboxed zygote has a network namespace of its own (only loopback) and one more
// socket to the server, the network channel (its fd 4). Its relay process listens on
// 127.0.0.1:PORT inside (the function's AWS_ENDPOINT_URL) and asks for a connection per
// accepted client; the reactor answers each request with a socket it connects to the server's
// own endpoint (SetEndpoint) and to nothing else. Unsandboxed zygotes share the server's
// network and get no channel.
//
// One reactor thread (epoll) reads every worker socket, enforces timeouts and reaps idle
// workers; invocations are written from the caller's thread when an instance is free. Callbacks
// run on the reactor thread or, for errors found before dispatch, on the caller's thread; they
// must not block.
//
// Built from: InstancePool (instance_pool.h, the bookkeeping and its decisions), Zygote
// (zygote.h), Instance (instance.h), InvocationLog and FunctionLogs (invocation_log.h), the
// network channel (network_channel.h) and the Reactor (reactor.h); docs/functions.md maps the
// files.
//
// Ownership: owns its worker processes (killed in the destructor) and the reactor thread.
// Function snapshots are shared with the registry.
// Thread-safety: every public method may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/json.h"
#include "common/result.h"
#include "functions/registry.h"

namespace stator::functions {

struct RuntimeOptions {
  std::string region = "us-east-1";
  std::string account = "123456789012";
  int concurrency = 10;  // instances per function
  // Idle instances kept forked ahead of demand (within `concurrency`): when an invocation takes
  // a function's last idle instance, the next one is forked at once, so that a concurrent call
  // finds it ready instead of waiting for a fork.
  int spares = 1;
  std::chrono::milliseconds idle_timeout{300000};
  bool sandbox = true;  // use bubblewrap when it works
  std::string python = "python3";
  size_t log_keep_bytes = 256 * 1024;  // per function
  size_t max_queued = 10000;           // waiting invocations per function
  // Where the runtime script is written (a directory the runtime may create).
  std::string work_dir;
};

// Platform calls: user code inside an instance asks the server for something during an
// invocation (a 'P' frame, frame.h) and waits for the answer ('Q'). The handler gets the call's
// name and its JSON arguments and must call reply exactly once, from any thread, now or later
// (unless the call is one its instance does not wait for, as KNIX's pipelined data-layer
// writes: the handler then drops reply uncalled and no 'Q' is written);
// a reply after the invocation ended (it returned, timed out, its instance died) is dropped. The
// handler runs on the runtime's reactor thread, outside the runtime's lock: it must not block
// (work that may block belongs on another thread, which then replies).
using PlatformReply = std::function<void(Result<json::Value>)>;
using PlatformHandler =
    std::function<void(std::string call, json::Value args, PlatformReply reply)>;

// Where an invocation's log lines go as the function prints them: every line of its
// InvocationResult::log but Lambda's START, END and REPORT lines (what it printed, and the
// runtime's own lines: a timeout, a runtime that exited, a failed init), in order, each once.
// Each call gets one or more whole lines, each ended by a newline: while the invocation runs,
// what it printed, at most FunctionRuntime::kOutputPollInterval after it was printed; once it
// has ended, the rest (a last line without a newline gets one), before its InvokeCallback.
// Runs on the runtime's reactor thread, outside the runtime's lock: it must not block.
using OutputSink = std::function<void(std::string_view lines)>;

struct Invocation {
  std::string request_id;   // generated when empty
  std::string payload;      // the event as JSON text
  std::string invoked_arn;  // context.invoked_function_arn
  // Wait for a free instance when `concurrency` are busy, instead of failing with
  // TooManyRequestsException (Event invocations, Task states).
  bool queue_when_busy = false;
  // Serves the invocation's platform calls; empty: each call is answered with an error.
  PlatformHandler platform;
  // What the platform tells the runtime's context object (a JSON object's text, the 'I'
  // frame's "ctx": the KNIX context's state name, execution key and session); "": nothing.
  std::string context;
  // > 0: this invocation's time limit in ms, instead of the function's timeout (KNIX session
  // functions, which run for as long as their session).
  int64_t timeout_ms = 0;
  // Empty: the log comes only with the result (InvocationResult::log), at no cost while the
  // invocation runs.
  OutputSink output;
};

struct InvocationResult {
  std::string request_id;
  std::string payload;          // the handler's result, or the error object (JSON text)
  bool function_error = false;  // Lambda's X-Amz-Function-Error: Unhandled
  std::string error_type;       // the error object's errorType ("" when it has none)
  bool timed_out = false;
  std::string log;             // START ... REPORT for this invocation
  int64_t handler_us = 0;      // time inside the handler, as the instance measured it
  int64_t cold_start_us = -1;  // >= 0: ran on a new instance, forked in this many µs
};

using InvokeCallback = std::function<void(Result<InvocationResult>)>;

class FunctionRuntime {
 public:
  // How often the output of invocations with an output sink is read while they run.
  static constexpr std::chrono::milliseconds kOutputPollInterval{50};

  static Result<std::unique_ptr<FunctionRuntime>> Start(RuntimeOptions options);
  ~FunctionRuntime();  // kills every worker; pending callbacks get ServiceException
  FunctionRuntime(const FunctionRuntime&) = delete;
  FunctionRuntime& operator=(const FunctionRuntime&) = delete;

  // The server's endpoint ("http://HOST:PORT"), handed to functions as AWS_ENDPOINT_URL
  // (sandboxed: http://127.0.0.1:PORT, the relay) and the only address the network channel
  // connects to. Set before invoking; a name is resolved here.
  void SetEndpoint(const std::string& endpoint);
  bool sandboxed() const;

  // Runs fn. done gets the result (a handler error is a result with function_error) or an
  // Error: "TooManyRequestsException" (all instances busy), "ServiceException".
  void Invoke(FunctionPtr fn, Invocation invocation, InvokeCallback done);

  // The function's code or configuration changed, or it was deleted: its workers finish what
  // they run and exit; the next Invoke starts a new zygote.
  void Retire(const std::string& name);

  // The function's recent log (at most log_keep_bytes, whole lines).
  std::string Logs(const std::string& name) const;

  class Impl;

 private:
  explicit FunctionRuntime(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace stator::functions
