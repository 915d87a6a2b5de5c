// FunctionRuntime: the reactor thread and the per-function workers (a zygote, its instances
// and their InstancePool; declared in runtime_impl.h), over the pieces in zygote.h, instance.h,
// instance_pool.h, network_channel.h, invocation_log.h and reactor.h. Platform calls are in
// platform_calls.cc.
#include "functions/runtime.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cassert>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/json.h"
#include "common/mutex.h"
#include "common/thread_annotations.h"
#include "common/time_format.h"
#include "common/uuid.h"
#include "functions/frame.h"
#include "functions/instance.h"
#include "functions/instance_pool.h"
#include "functions/invocation_log.h"
#include "functions/network_channel.h"
#include "functions/reactor.h"
#include "functions/runtime_impl.h"
#include "functions/runtime_script.h"
#include "functions/sandbox.h"
#include "functions/zygote.h"

namespace stator::functions {
namespace {

double EpochMs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
             .count() /
         1000.0;
}

std::string Quoted(std::string_view s) {
  std::string out;
  json::AppendQuoted(s, &out);
  return out;
}

std::string Fixed(double v, int digits) {
  char buf[64];
  snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string IsoNow() {
  auto now = std::chrono::system_clock::now();
  int64_t ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  return FormatTimestamp(ms);
}

// For failures that leave nothing to do but say so (an unregistration that failed, say).
void Warn(const Status& s) {
  if (!s.ok()) std::cerr << "stator: warning: functions: " << s.error().cause << "\n";
}

void RunCompletions(Completions* done) {
  for (auto& [cb, r] : *done) cb(std::move(r));
}

void RunPlatformCalls(PlatformCalls* calls) {
  for (auto& c : *calls) c();
}

}  // namespace

// ---- the zygote ---------------------------------------------------------------------------

Status Workers::StartZygote() {
  bool relayed = rt_->Relayed();
  EnvironmentSettings env;
  env.region = rt_->options.region;
  env.endpoint = rt_->endpoint;
  env.relay_port = relayed ? rt_->upstream.port : 0;
  env.task_root = rt_->sandbox.TaskRoot(fn_->code_dir);
  env.runtime_dir = rt_->sandbox.sandboxed() ? "/var/runtime" : rt_->options.work_dir;
  env.python_bin = std::filesystem::path(rt_->python_exe).parent_path().string();
  Zygote::Command command;
  command.argv = rt_->sandbox.ZygoteCommand(fn_->code_dir, rt_->runtime_dir);
  command.env = ZygoteEnvironment(fn_->config, env);
  if (!rt_->sandbox.sandboxed()) command.chdir = fn_->code_dir;
  command.network_channel = relayed;
  STATOR_RETURN_IF_ERROR(zygote_.Start(command));
  Status watched = Status::Ok();
  if (auto w = rt_->reactor->Add(zygote_.control(), {Reactor::Watch::Kind::kControl, this});
      w.ok()) {
    control_watch_ = *w;
  } else {
    watched = w.error();
  }
  if (watched.ok() && zygote_.network() >= 0) {
    if (auto w = rt_->reactor->Add(zygote_.network(), {Reactor::Watch::Kind::kNetwork, this});
        w.ok()) {
      network_watch_ = *w;
    } else {
      watched = w.error();
    }
  }
  if (!watched.ok()) StopZygote(false);
  return watched;
}

void Workers::CloseNetwork() {
  if (network_watch_ != 0) Warn(rt_->reactor->Remove(zygote_.network(), network_watch_));
  network_watch_ = 0;
  zygote_.CloseNetwork();
}

void Workers::StopZygote(bool wait) {
  if (control_watch_ != 0) Warn(rt_->reactor->Remove(zygote_.control(), control_watch_));
  control_watch_ = 0;
  CloseNetwork();
  if (std::optional<pid_t> left = zygote_.Stop(wait)) rt_->zombies.push_back(*left);
}

void Workers::OnNetwork() {
  if (!AnswerNetworkRequests(zygote_.network(), rt_->upstream)) CloseNetwork();
}

void Workers::FailInit(const std::string& error_json, Completions* done) {
  std::string init_log = zygote_.InitLog(64 * 1024);
  StopZygote(false);
  std::deque<Call> waiting = pool_.FailStarting();
  std::string type;
  std::optional<json::Value> error;
  if (auto v = json::Parse(error_json); v.ok() && v->is_object()) {
    if (const json::Value* t = v->Find("errorType"); t && t->is_string()) type = t->as_string();
    error = std::move(*v);
  }
  for (Call& w : waiting) {
    InvocationResult r;
    r.request_id = w.inv.request_id;
    // The request id of the invocation that saw it.
    r.payload =
        error ? error->With("requestId", json::Value::String(r.request_id)).Dump() : error_json;
    r.function_error = true;
    r.error_type = type;
    r.log = "INIT_REPORT Status: error\n" + init_log + "START RequestId: " + r.request_id +
            " Version: $LATEST\nEND RequestId: " + r.request_id +
            "\nREPORT RequestId: " + r.request_id +
            "\tDuration: 0.00 ms\tBilled Duration: 0 ms\tMemory Size: " +
            std::to_string(fn_->config.memory_mb) + " MB\tMax Memory Used: 0 MB\t\n";
    rt_->logs.Append(name(), r.log);
    InvokeCallback complete = Completion(&w, "INIT_REPORT Status: error\n" + init_log);
    done->emplace_back(std::move(complete), std::move(r));
  }
}

void Workers::OnControl(Completions* done) {
  for (;;) {
    std::string error_json;
    switch (zygote_.ReadControl(&error_json)) {
      case Zygote::Control::kNothing:
        return;
      case Zygote::Control::kGone:
        if (zygote_.state() == Zygote::State::kStarting) {
          FailInit("{\"errorType\":\"Runtime.ExitError\",\"errorMessage\":" +
                       Quoted("Runtime exited during initialization: " + zygote_.InitLog(4096)) +
                       "}",
                   done);
        } else {
          StopZygote(false);
          // Sandboxed, the zygote is the main process of the sandbox, whose PID namespace goes
          // with it: every instance it forked (or was forking) dies too. They are lost now, not
          // each when its socket closes, so that no call is handed to one in between.
          if (rt_->sandbox.sandboxed()) {
            std::vector<Instance*> forked;
            for (auto& [id, inst] : instances_) {
              if (inst->spawn_sent) forked.push_back(inst.get());
            }
            for (Instance* inst : forked) Lose(inst, done, /*with_its_zygote=*/true);
          }
        }
        pool_.Settle(done);
        return;
      case Zygote::Control::kInitError:
        FailInit(error_json, done);
        pool_.Settle(done);
        return;
      case Zygote::Control::kReady: {
        pool_.ZygoteReady();
        std::vector<InstancePool::Id> lost;
        for (auto& [id, inst] : instances_) {
          if (!inst->spawn_sent && !SendSpawn(inst.get()).ok()) lost.push_back(id);
        }
        // Not forked: counted as instances that exited as they started.
        for (InstancePool::Id id : lost) pool_.Lost(id, done);
        break;
      }
    }
  }
}

// ---- instances ------------------------------------------------------------------------------

Status Workers::SendSpawn(Instance* inst) {
  Status sent =
      zygote_.SendSpawn(inst->child_socket(), inst->log().fd(), fn_->config.memory_mb, inst->spare);
  if (sent.ok()) {
    inst->spawn_sent = true;
    inst->CloseChildSocket();
    inst->spawn_started_us = NowUs();
  }
  return sent;
}

Status Workers::StartInstance(InstancePool::Id id, bool spare) {
  STATOR_TRY(std::unique_ptr<Instance> inst, Instance::Create(id, this));
  inst->spare = spare;
  STATOR_TRY(inst->watch,
             rt_->reactor->Add(inst->socket(), {Reactor::Watch::Kind::kInstance, inst.get()}));
  inst->spawn_started_us = NowUs();
  Instance* raw = inst.get();
  instances_.emplace(id, std::move(inst));
  Status started = Status::Ok();
  if (zygote_.state() == Zygote::State::kNone) started = StartZygote();
  if (started.ok() && zygote_.state() == Zygote::State::kReady) {
    started = SendSpawn(raw);
    if (!started.ok() && started.error().error == "ZygoteGone") {
      // Its death is not read yet: a new zygote forks the instance once ready.
      StopZygote(false);
      started = StartZygote();
    }
  }
  if (!started.ok()) Destroy(id, false);
  return started;
}

void Workers::Destroy(InstancePool::Id id, bool kill) {
  auto it = instances_.find(id);
  if (it == instances_.end()) return;
  Instance* inst = it->second.get();
  if (kill) inst->Kill();
  Warn(rt_->reactor->Remove(inst->socket(), inst->watch));
  instances_.erase(it);
}

void Workers::StopInstance(InstancePool::Id id, bool kill) { Destroy(id, kill); }

void Workers::AfterWrite(Instance* inst, Instance::Write w) {
  bool want = w == Instance::Write::kBlocked;
  if (want == inst->writable_armed) return;
  Status s = rt_->reactor->SetWritable(inst->socket(), inst->watch, want);
  if (s.ok()) {
    inst->writable_armed = want;
  } else {
    Warn(s);
    shutdown(inst->socket(), SHUT_RDWR);  // the reactor sees it close: the call fails
  }
}

void Workers::Dispatch(InstancePool::Id id, const Call& call) {
  Instance* inst = instances_.at(id).get();
  const Invocation& inv = call.inv;
  int64_t timeout_us =
      inv.timeout_ms > 0 ? inv.timeout_ms * 1000 : fn_->config.timeout_seconds * 1000000;
  std::string header = "{\"id\":" + Quoted(inv.request_id) +
                       ",\"deadline\":" + Fixed(EpochMs() + timeout_us / 1000.0, 3) +
                       ",\"arn\":" + Quoted(inv.invoked_arn);
  if (!inv.context.empty()) header += ",\"ctx\":" + inv.context;
  header += "}";
  EncodeFrame('I', header, inv.payload, inst->NewOutput());
  AfterWrite(inst, inst->Flush());
  if (inv.output) {
    streaming_.emplace_back(id, call.serial);
    if (rt_->next_output_poll_us == 0) {
      // The reactor may be waiting for its next tick (up to a second): it waits less now.
      rt_->next_output_poll_us = NowUs() + std::chrono::microseconds(kOutputPollInterval).count();
      rt_->reactor->Wake();
    }
  }
}

InvokeCallback Workers::Completion(Call* call, std::string_view rest) {
  if (!call->inv.output || rest.empty()) return std::move(call->done);
  std::string lines(rest);
  if (lines.back() != '\n') lines += '\n';
  return [sink = std::move(call->inv.output), lines = std::move(lines),
          done = std::move(call->done)](Result<InvocationResult> r) {
    sink(lines);
    done(std::move(r));
  };
}

void Workers::StopStreaming(InstancePool::Id id) {
  std::erase_if(streaming_, [id](const auto& s) { return s.first == id; });
}

bool Workers::PollOutput(OutputLines* lines) {
  size_t kept = 0;
  for (const auto& [id, serial] : streaming_) {
    Call* call = pool_.RunningCall(id);
    auto inst = instances_.find(id);
    if (call == nullptr || call->serial != serial || inst == instances_.end()) continue;
    std::string text = inst->second->log().ReadLines();
    if (!text.empty()) lines->emplace_back(call->inv.output, std::move(text));
    streaming_[kept++] = {id, serial};
  }
  streaming_.resize(kept);
  return kept > 0;
}

void Workers::TimedOut(InstancePool::Id id, Call call, int64_t started_us, Completions* done) {
  double secs = call.inv.timeout_ms > 0 ? call.inv.timeout_ms / 1000.0
                                        : static_cast<double>(fn_->config.timeout_seconds);
  std::string message = "RequestId: " + call.inv.request_id + " Error: Task timed out after " +
                        Fixed(secs, 2) + " seconds";
  FailCall(instances_.at(id).get(), std::move(call), started_us, "Sandbox.Timedout", message, true,
           "timeout", done);
}

void Workers::OnResult(Instance* inst, Frame& f, Completions* done) {
  InstancePool::Id id = inst->id();
  const InstancePool::Slot* record = pool_.Find(id);
  Call* call = pool_.RunningCall(id);
  int64_t elapsed = NowUs() - record->started_us;
  int64_t us = 0, rss = 0;
  bool fatal = false;
  if (auto h = json::Parse(f.header); h.ok() && h->is_object()) {
    if (const json::Value* v = h->Find("us"); v && v->is_int()) us = v->as_int();
    if (const json::Value* v = h->Find("rss"); v && v->is_int()) rss = v->as_int();
    if (const json::Value* v = h->Find("fatal"); v && v->is_bool()) fatal = v->as_bool();
  }
  InvocationResult r;
  r.request_id = call->inv.request_id;
  r.payload = std::move(f.data);
  r.function_error = f.type == 'E';
  r.handler_us = us;
  r.cold_start_us = inst->cold_start_us;
  if (r.function_error) {
    if (auto v = json::Parse(r.payload); v.ok() && v->is_object()) {
      if (const json::Value* t = v->Find("errorType"); t && t->is_string()) {
        r.error_type = t->as_string();
      }
    }
  }
  const bool streams = static_cast<bool>(call->inv.output);
  size_t streamed = 0;
  std::string body = inst->log().ReadNew(InvocationLog::kReadCap, InvocationLog::kRewind,
                                         streams ? &streamed : nullptr);
  r.log = WrapLog(r.request_id, body,
                  ReportLine(r.request_id, elapsed, static_cast<int>(fn_->config.memory_mb), rss,
                             inst->cold_start_us, fatal ? "error" : nullptr));
  rt_->logs.Append(name(), r.log);
  inst->cold_start_us = -1;
  if (streams) StopStreaming(id);
  InvokeCallback complete = Completion(call, std::string_view(body).substr(streamed));
  done->emplace_back(std::move(complete), std::move(r));
  pool_.Answered(id, fatal, done);
}

void Workers::FailCall(Instance* inst, Call call, int64_t started_us, const std::string& type,
                       const std::string& message, bool timed_out, const char* status,
                       Completions* done) {
  int64_t elapsed = NowUs() - started_us;
  InvocationResult r;
  r.request_id = call.inv.request_id;
  r.function_error = true;
  r.error_type = type;
  r.timed_out = timed_out;
  r.cold_start_us = inst->cold_start_us;
  r.payload = "{\"errorType\":" + Quoted(type) + ",\"errorMessage\":" + Quoted(message) + "}";
  const bool streams = static_cast<bool>(call.inv.output);
  size_t streamed = 0;
  std::string body = inst->log().ReadNew(InvocationLog::kReadCap, InvocationLog::kRewind,
                                         streams ? &streamed : nullptr);
  if (!body.empty() && body.back() != '\n') body += '\n';
  body += IsoNow() + " " + r.request_id + " " + message + "\n";
  r.log = WrapLog(r.request_id, body,
                  ReportLine(r.request_id, elapsed, static_cast<int>(fn_->config.memory_mb), 0,
                             inst->cold_start_us, status));
  rt_->logs.Append(name(), r.log);
  if (streams) StopStreaming(inst->id());
  InvokeCallback complete = Completion(&call, std::string_view(body).substr(streamed));
  done->emplace_back(std::move(complete), std::move(r));
}

void Workers::OnInstance(Instance* inst, uint32_t events, Completions* done, PlatformCalls* calls) {
  InstancePool::Id id = inst->id();
  if ((events & EPOLLOUT) && inst->pending_output()) AfterWrite(inst, inst->Flush());
  bool closed = (events & (EPOLLERR | EPOLLHUP)) != 0;
  for (;;) {
    char buf[65536];
    ssize_t n = inst->Receive(buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n <= 0) {
      closed = true;
      break;
    }
    inst->reader().Append(buf, static_cast<size_t>(n));
    for (;;) {
      auto next = inst->reader().Next();
      if (!next.ok()) {
        closed = true;
        break;
      }
      if (!next->has_value()) break;
      Frame f = std::move(**next);
      const InstancePool::Slot* record = pool_.Find(id);
      if (record == nullptr) {
        closed = true;
        break;
      }
      if (f.type == 'Y' && record->state == InstancePool::State::kStarting) {
        inst->cold_start_us = NowUs() - inst->spawn_started_us;
        if (auto h = json::Parse(f.header); h.ok() && h->is_object()) {
          if (const json::Value* s = h->Find("stream"); s && s->is_string()) {
            inst->stream = s->as_string();
          }
        }
        pool_.Ready(id, done);
      } else if ((f.type == 'R' || f.type == 'E') && record->state == InstancePool::State::kBusy) {
        OnResult(inst, f, done);
      } else if (f.type == 'P' && record->state == InstancePool::State::kBusy) {
        if (!OnPlatformCall(inst, pool_.RunningCall(id), f, calls)) {
          closed = true;
          break;
        }
      } else {
        closed = true;
        break;
      }
      // The pool may have stopped it (a fatal answer, a retired pool's idle instance).
      if (!instances_.contains(id)) return;
    }
    if (closed) break;
    // A short read took everything there was; epoll (level-triggered) reports what comes
    // next, so no second recv only to hear EAGAIN.
    if (static_cast<size_t>(n) < sizeof buf && !(events & EPOLLRDHUP)) break;
  }
  if (!closed) return;
  Lose(inst, done);  // it is gone (or spoke nonsense)
}

void Workers::Lose(Instance* inst, Completions* done, bool with_its_zygote) {
  InstancePool::Id id = inst->id();
  if (Call* call = pool_.RunningCall(id)) {
    std::string message =
        "RequestId: " + call->inv.request_id + " Error: Runtime exited without providing a reason";
    FailCall(inst, std::move(*call), pool_.Find(id)->started_us, "Runtime.ExitError", message,
             false, "error", done);
  }
  pool_.Lost(id, done, with_its_zygote);
}

void Workers::Shutdown(Completions* done) {
  pool_.Shutdown(Error{"ServiceException", "the server is shutting down"}, done);
  StopZygote(true);
}

// ---- the runtime ------------------------------------------------------------------------------

FunctionRuntime::Impl::~Impl() {
  {
    MutexLock gate_lock(&gate->mu);
    gate->rt = nullptr;  // replies from now on are dropped
  }
  stopping = true;
  if (reactor) reactor->Wake();
  if (thread.joinable()) thread.join();
  Completions done;
  {
    MutexLock lock(&mu);
    for (auto& [name, w] : pools) {
      w->AssertLockHeldBy(this);
      w->Shutdown(&done);
    }
    for (auto& w : retired) {
      w->AssertLockHeldBy(this);
      w->Shutdown(&done);
    }
    pools.clear();
    retired.clear();
    for (pid_t pid : zombies) {
      while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
    zombies.clear();
  }
  RunCompletions(&done);
}

InstancePool& FunctionRuntime::Impl::PoolOf(const FunctionPtr& fn) {
  auto it = pools.find(fn->config.name);
  Workers* w;
  if (it != pools.end() && it->second->fn()->config.revision_id == fn->config.revision_id) {
    w = it->second.get();
  } else {
    if (it != pools.end()) RetireLocked(fn->config.name);
    auto made = std::make_unique<Workers>(this, fn);
    w = made.get();
    pools[fn->config.name] = std::move(made);
  }
  w->AssertLockHeldBy(this);
  return w->pool();
}

void FunctionRuntime::Impl::RetireLocked(const std::string& name) {
  auto it = pools.find(name);
  if (it == pools.end()) return;
  std::unique_ptr<Workers> w = std::move(it->second);
  pools.erase(it);
  w->AssertLockHeldBy(this);
  w->pool().Retire();
  retired.push_back(std::move(w));
}

// Timeouts, idle instances, idle zygotes, finished retired pools, exited zygotes.
int64_t FunctionRuntime::Impl::Tick(Completions* done) {
  int64_t now = NowUs();
  int64_t next = now + 1000000;
  int64_t idle_us = options.idle_timeout.count() * 1000;
  auto visit = [&](Workers* w) REQUIRES(mu) {
    w->AssertLockHeldBy(this);
    InstancePool& pool = w->pool();
    next = pool.Expire(idle_us, next, done);
    if (pool.empty() && pool.waiting() == 0 && w->zygote_state() != Zygote::State::kNone &&
        now - pool.last_active_us() >= idle_us) {
      w->StopZygote(false);
    }
    pool.Settle(done);
  };
  for (auto& [name, w] : pools) visit(w.get());
  for (auto it = retired.begin(); it != retired.end();) {
    Workers* w = it->get();
    visit(w);
    w->AssertLockHeldBy(this);
    if (w->pool().empty() && w->pool().waiting() == 0) {
      w->StopZygote(false);
      it = retired.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = zombies.begin(); it != zombies.end();) {
    if (waitpid(*it, nullptr, WNOHANG) != 0) {
      it = zombies.erase(it);
    } else {
      ++it;
    }
  }
  return next;
}

void FunctionRuntime::Impl::PollOutputs(int64_t now, OutputLines* lines) {
  if (next_output_poll_us == 0 || now < next_output_poll_us) return;
  bool any = false;
  for (auto& [name, w] : pools) {
    w->AssertLockHeldBy(this);
    any = w->PollOutput(lines) || any;
  }
  for (auto& w : retired) {
    w->AssertLockHeldBy(this);
    any = w->PollOutput(lines) || any;
  }
  next_output_poll_us = any ? now + std::chrono::microseconds(kOutputPollInterval).count() : 0;
}

void FunctionRuntime::Impl::Run() {
  std::vector<epoll_event> events(64);
  int64_t next_tick = NowUs();
  int64_t wake_at = next_tick;  // the next tick, or the next output poll when sooner
  while (!stopping) {
    int64_t now = NowUs();
    int timeout_ms = static_cast<int>(std::max<int64_t>(0, (wake_at - now + 999) / 1000));
    int n = reactor->Wait(events.data(), static_cast<int>(events.size()), timeout_ms);
    if (stopping) break;
    Completions done;
    PlatformCalls calls;
    OutputLines lines;
    {
      MutexLock lock(&mu);
      for (int i = 0; i < n; ++i) {
        // Absent: a wake-up, or a watch removed earlier in this batch.
        std::optional<Reactor::Watch> watch = reactor->Find(events[i]);
        if (!watch) continue;
        const bool instance = watch->kind == Reactor::Watch::Kind::kInstance;
        auto* inst = instance ? static_cast<Instance*>(watch->owner) : nullptr;
        auto* w = static_cast<Workers*>(instance ? inst->owner() : watch->owner);
        w->AssertLockHeldBy(this);
        switch (watch->kind) {
          case Reactor::Watch::Kind::kInstance:
            w->OnInstance(inst, events[i].events, &done, &calls);
            break;
          case Reactor::Watch::Kind::kControl:
            w->OnControl(&done);
            break;
          case Reactor::Watch::Kind::kNetwork:
            w->OnNetwork();
            break;
        }
      }
      if (NowUs() >= next_tick || (n == 0 && wake_at == next_tick)) next_tick = Tick(&done);
      // After the calls that ended above: only those still running are read.
      PollOutputs(NowUs(), &lines);
      // A timeout may be due before the next tick.
      for (auto& [name, w] : pools) {
        w->AssertLockHeldBy(this);
        next_tick = w->pool().NextDeadline(next_tick);
      }
      wake_at = next_output_poll_us != 0 ? std::min(next_tick, next_output_poll_us) : next_tick;
    }
    for (auto& [sink, text] : lines) sink(text);
    RunCompletions(&done);
    RunPlatformCalls(&calls);
  }
}

FunctionRuntime::FunctionRuntime(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FunctionRuntime::~FunctionRuntime() = default;

Result<std::unique_ptr<FunctionRuntime>> FunctionRuntime::Start(RuntimeOptions options) {
  auto impl = std::make_unique<Impl>();
  STATOR_TRY(PythonInstall python, FindPython(options.python));
  impl->python_exe = python.executable;
  std::string warning;
  impl->sandbox = Sandbox::Detect(options.sandbox, python, &warning);
  if (!warning.empty()) std::cerr << "stator: warning: " << warning << "\n";
  std::error_code ec;
  std::filesystem::create_directories(options.work_dir, ec);
  if (ec) {
    return Error{"ServiceException", "cannot create " + options.work_dir + ": " + ec.message()};
  }
  // The runtime's scripts, each written whole and renamed into place.
  impl->runtime_dir = options.work_dir + "/runtime";
  std::filesystem::create_directories(impl->runtime_dir, ec);
  if (ec) {
    return Error{"ServiceException", "cannot create " + impl->runtime_dir + ": " + ec.message()};
  }
  for (const auto& [name, text] :
       {std::pair{"stator_runtime.py", kRuntimeScript}, std::pair{"stator_knix.py", kKnixScript}}) {
    const std::string path = impl->runtime_dir + "/" + name;
    const std::string tmp = path + ".tmp";
    FILE* f = fopen(tmp.c_str(), "wb");
    if (!f) return Error{"ServiceException", "cannot write " + tmp};
    bool written = fwrite(text.data(), 1, text.size(), f) == text.size();
    if (fclose(f) != 0 || !written) return Error{"ServiceException", "cannot write " + tmp};
    if (rename(tmp.c_str(), path.c_str()) != 0) {
      return Error{"ServiceException", "cannot write " + path};
    }
  }
  {
    MutexLock lock(&impl->mu);  // (nobody else has impl yet)
    impl->logs = FunctionLogs(options.log_keep_bytes);
  }
  impl->options = std::move(options);
  STATOR_TRY(Reactor reactor, Reactor::Create());
  impl->reactor.emplace(std::move(reactor));
  Impl* raw = impl.get();
  {
    MutexLock gate_lock(&impl->gate->mu);
    impl->gate->rt = raw;
  }
  impl->thread = std::thread([raw] { raw->Run(); });
  return std::unique_ptr<FunctionRuntime>(new FunctionRuntime(std::move(impl)));
}

void FunctionRuntime::SetEndpoint(const std::string& endpoint) {
  auto address = ResolveEndpoint(endpoint);  // may resolve a name: outside the lock
  MutexLock lock(&impl_->mu);
  impl_->endpoint = endpoint;
  impl_->upstream = Upstream();
  if (address.ok()) {
    impl_->upstream = *address;
  } else if (impl_->sandbox.sandboxed()) {
    std::cerr << "stator: warning: " << address.error().cause
              << ": sandboxed functions cannot reach the server\n";
  }
}

bool FunctionRuntime::sandboxed() const { return impl_->sandbox.sandboxed(); }

void FunctionRuntime::Invoke(FunctionPtr fn, Invocation inv, InvokeCallback done) {
  if (inv.request_id.empty()) inv.request_id = NewUuid();
  Completions completions;
  {
    MutexLock lock(&impl_->mu);
    if (impl_->stopping) {
      completions.emplace_back(std::move(done),
                               Error{"ServiceException", "the server is shutting down"});
    } else {
      uint64_t serial = impl_->next_serial.fetch_add(1);
      impl_->PoolOf(fn).Submit(Call{std::move(inv), std::move(done), serial}, &completions);
    }
  }
  RunCompletions(&completions);
}

void FunctionRuntime::Retire(const std::string& name) {
  Completions completions;
  {
    MutexLock lock(&impl_->mu);
    impl_->RetireLocked(name);
    for (auto& w : impl_->retired) {
      w->AssertLockHeldBy(impl_.get());
      w->pool().Settle(&completions);
    }
  }
  RunCompletions(&completions);
}

std::string FunctionRuntime::Logs(const std::string& name) const {
  MutexLock lock(&impl_->mu);
  return impl_->logs.Recent(name);
}

}  // namespace stator::functions
