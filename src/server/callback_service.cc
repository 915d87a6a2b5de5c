#include "server/callback_service.h"

#include <algorithm>
#include <atomic>
#include <utility>
#include <vector>

#include "common/arn.h"
#include "common/base64.h"
#include "common/hmac.h"
#include "common/random.h"

namespace stator::server {
namespace {

constexpr const char* kSecretKind = "states.task_token_secret";
constexpr const char* kSecretKey = "hmac-sha256";
constexpr const char* kMessageKind = "states.task_message";
constexpr const char* kActivityKind = "states.activity";  // api/routes/states/activity_common.h
constexpr const char* kActivityTaskKind = "states.activity_task";

std::string Base64Url(std::string_view bytes) {
  std::string s = Base64Encode(bytes);
  while (!s.empty() && s.back() == '=') s.pop_back();
  for (char& c : s) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return s;
}

std::optional<std::string> FromBase64Url(std::string_view text) {
  auto decoded = Base64Decode(text, Base64Padding::kOptional, Base64Letters::kStandardOrUrlSafe);
  if (!decoded.ok()) return std::nullopt;
  return std::move(decoded).value();
}

// 20 decimal digits that increase with every call in this process (microseconds since the
// epoch, at least one more than the last).
std::string MessageSequence() {
  static std::atomic<int64_t> last{0};
  const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  int64_t prev = last.load();
  int64_t next;
  do {
    next = std::max(now, prev + 1);
  } while (!last.compare_exchange_weak(prev, next));
  std::string digits = std::to_string(next);
  return std::string(20 - std::min<size_t>(20, digits.size()), '0') + digits;
}

ApiError TaskTimedOut() {
  return ApiError{"TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'", {}};
}

}  // namespace

// The engine::TaskRunner of activity resources: registers the task and queues it for workers.
class CallbackService::ActivityRunner : public engine::TaskRunner {
 public:
  explicit ActivityRunner(CallbackService* service) : service_(service) {}
  void Start(const engine::TaskRequest& request, engine::TaskCompletion done) override {
    service_->Add(request, std::move(done), true);
  }

 private:
  CallbackService* const service_;
};

Result<std::unique_ptr<CallbackService>> CallbackService::Open(store::Store* store,
                                                               const Clock* clock,
                                                               Options options) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto stored = store->GetRecord(kSecretKind, kSecretKey);
    if (!stored.ok()) return std::move(stored).error();
    if (stored->has_value()) {
      return std::unique_ptr<CallbackService>(
          new CallbackService(store, clock, options, std::move(**stored)));
    }
    // First start on this store: make the secret (one node wins a race; the others read it).
    Status s = store->WriteRecords({store::RecordWrite::Put(
        kSecretKind, kSecretKey, RandomBytes(32), store::RecordWrite::Condition::kAbsent)});
    if (!s.ok() && s.error().error != store::kConditionFailed) return s.error();
  }
  return Error{"Callbacks", "the task token secret could not be created"};
}

CallbackService::CallbackService(store::Store* store, const Clock* clock, Options options,
                                 std::string secret)
    : store_(store),
      clock_(clock),
      options_(options),
      secret_(std::move(secret)),
      activity_runner_(std::make_shared<ActivityRunner>(this)) {
  poll_thread_ = std::thread([this] { PollLoop(); });
}

CallbackService::~CallbackService() {
  StopPolls();
  poll_thread_.join();
}

void CallbackService::StopPolls() {
  std::map<uint64_t, Poller> pollers;
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    pollers.swap(pollers_);
    poll_cv_.SignalAll();
  }
  for (auto& [id, p] : pollers) p.done(std::nullopt);
}

std::string CallbackService::MakeToken(const std::string& execution_arn,
                                       const std::string& nonce) const {
  return Base64Url(execution_arn) + "." + nonce + "." +
         Base64Url(hash::HmacSha256(secret_, execution_arn + "\n" + nonce));
}

std::optional<std::string> CallbackService::Verify(const std::string& token) const {
  const size_t first = token.find('.');
  const size_t last = token.rfind('.');
  if (first == std::string::npos || first == last) return std::nullopt;
  std::optional<std::string> arn = FromBase64Url(std::string_view(token).substr(0, first));
  if (!arn || arn->empty()) return std::nullopt;
  const std::string nonce = token.substr(first + 1, last - first - 1);
  const std::string mac = Base64Url(hash::HmacSha256(secret_, *arn + "\n" + nonce));
  const std::string_view given = std::string_view(token).substr(last + 1);
  if (given.size() != mac.size()) return std::nullopt;
  unsigned char diff = 0;  // constant time
  for (size_t i = 0; i < mac.size(); ++i) diff |= static_cast<unsigned char>(given[i] ^ mac[i]);
  if (diff != 0) return std::nullopt;
  return arn;
}

bool CallbackService::IsActivity(const std::string& resource) {
  auto arn = ParseArn(resource);
  return arn.ok() && arn->service == "states" && arn->resource.size() == 2 &&
         arn->resource[0] == "activity";
}

bool CallbackService::ActivityExists(const std::string& activity_arn) const {
  auto stored = store_->GetRecord(kActivityKind, activity_arn);
  return !stored.ok() || stored->has_value();
}

integrations::TaskRouter::CallbackWrapper CallbackService::wrapper() {
  return [this](const engine::TaskRequest& request, engine::TaskCompletion done) {
    const std::string token = request.task_token;
    Add(request, std::move(done), false);
    // The integration's own answer: its failure fails the task; its success is not the outcome.
    return engine::TaskCompletion([this, token](engine::TaskOutcome outcome) {
      if (outcome.ok()) return;
      std::optional<Pending> taken;
      {
        MutexLock lock(&mu_);
        auto it = pending_.find(token);
        if (it == pending_.end()) return;
        taken = std::move(it->second);
        RemoveLocked(token);
      }
      taken->done(std::move(outcome));
    });
  };
}

void CallbackService::Add(const engine::TaskRequest& request, engine::TaskCompletion done,
                          bool activity) {
  const int64_t now = clock_->NowMillis();
  Pending p;
  p.execution_arn = request.execution_arn;
  if (activity) {
    p.activity_arn = request.resource;
    p.input = request.parameters.Dump();
  }
  p.done = std::move(done);
  p.heartbeat = request.heartbeat;
  p.started = request.submitted;
  if (request.timeout_seconds) p.deadline_ms = now + *request.timeout_seconds * 1000;
  if (request.heartbeat_seconds) p.heartbeat_ms = *request.heartbeat_seconds * 1000;
  p.last_beat_ms = now;
  const std::string token = request.task_token;
  const std::string activity_arn = p.activity_arn;
  const std::string input = p.input;
  std::function<void(std::optional<ActivityTask>)> answer;
  std::function<void(json::Value)> started;
  std::string worker;
  {
    MutexLock lock(&mu_);
    if (pending_.count(token) != 0) RemoveLocked(token);  // dispatched again (a resume)
    by_execution_.emplace(p.execution_arn, token);
    if (activity && request.already_submitted) {
      // Resumed while a worker holds it (ActivityStarted is in the history): that worker's
      // token finishes it; it is not handed to another.
      p.taken = true;
    } else if (activity) {
      // The longest-waiting poller of this activity on this node takes it at once.
      for (auto it = pollers_.begin(); it != pollers_.end(); ++it) {
        if (it->second.activity_arn != activity_arn) continue;
        answer = std::move(it->second.done);
        worker = it->second.worker_name;
        pollers_.erase(it);
        break;
      }
      if (answer) {
        p.taken = true;
        started = p.started;
      } else {
        queues_[activity_arn].push_back(token);
      }
    }
    pending_.emplace(token, std::move(p));
  }
  if (answer) {
    Started(token, request.execution_arn, worker, std::move(started));
    answer(ActivityTask{token, input});
  } else if (activity && cluster() && !request.already_submitted) {
    // Offered to the workers polling other nodes too.
    (void)store_->WriteRecords(
        {store::RecordWrite::Put(kActivityTaskKind, activity_arn + "\n" + token, input)});
  }
}

void CallbackService::Started(const std::string& token, const std::string& execution_arn,
                              const std::string& worker, std::function<void(json::Value)> started) {
  json::Object details;
  if (!worker.empty()) details.emplace_back("workerName", json::Value::String(worker));
  if (started) {
    started(json::Value::MakeObject(std::move(details)));
    return;
  }
  // Held by another node: tell it.
  json::Object message;
  message.emplace_back("type", json::Value::String("started"));
  message.emplace_back("workerName", json::Value::String(worker));
  (void)Forward(token, execution_arn, json::Value::MakeObject(std::move(message)));
}

bool CallbackService::ClaimRecord(const std::string& activity_arn, const std::string& token) {
  if (!cluster()) return true;
  Status s = store_->WriteRecords({store::RecordWrite::Delete(
      kActivityTaskKind, activity_arn + "\n" + token, store::RecordWrite::Condition::kPresent)});
  return s.ok();
}

void CallbackService::PollActivity(const std::string& activity_arn, const std::string& worker_name,
                                   std::function<void(std::optional<ActivityTask>)> done) {
  for (;;) {
    std::function<void(json::Value)> started;
    ActivityTask task;
    std::string execution_arn;
    {
      MutexLock lock(&mu_);
      auto q = queues_.find(activity_arn);
      const int64_t now = clock_->NowMillis();
      while (q != queues_.end() && !q->second.empty()) {
        std::string token = std::move(q->second.front());
        q->second.pop_front();
        auto it = pending_.find(token);
        if (it == pending_.end() || it->second.taken || ExpiredLocked(it->second, now)) continue;
        if (!cluster()) it->second.taken = true;
        started = it->second.started;
        execution_arn = it->second.execution_arn;
        task = ActivityTask{token, it->second.input};
        break;
      }
    }
    if (task.task_token.empty()) break;
    if (cluster()) {
      // Popped from the local queue, but offered to every node: ours only if its record is
      // still there to claim (else a worker elsewhere has it, and its "started" message comes).
      if (!ClaimRecord(activity_arn, task.task_token)) continue;
      MutexLock lock(&mu_);
      auto it = pending_.find(task.task_token);
      if (it == pending_.end() || it->second.taken) continue;  // its execution ended meanwhile
      it->second.taken = true;
    }
    Started(task.task_token, execution_arn, worker_name, std::move(started));
    return done(std::move(task));
  }
  if (cluster()) {
    if (std::optional<ActivityTask> remote = ClaimRemote(activity_arn)) {
      std::optional<std::string> arn = Verify(remote->task_token);
      if (arn) Started(remote->task_token, *arn, worker_name, nullptr);
      return done(std::move(*remote));
    }
  }
  {
    MutexLock lock(&mu_);
    if (!stopping_) {
      Poller p{activity_arn, worker_name,
               std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.poll_millis),
               std::move(done)};
      pollers_.emplace(next_poller_++, std::move(p));
      poll_cv_.SignalAll();
      return;
    }
  }
  done(std::nullopt);
}

std::optional<CallbackService::ActivityTask> CallbackService::ClaimRemote(
    const std::string& activity_arn) {
  const std::string prefix = activity_arn + "\n";
  auto page = store_->ListRecords(kActivityTaskKind, prefix, "", 16);
  if (!page.ok()) return std::nullopt;
  for (const store::Record& r : page->items) {
    std::string token = r.key.substr(prefix.size());
    {
      MutexLock lock(&mu_);
      if (pending_.count(token) != 0) continue;  // ours: taken from the local queue
    }
    Status s = store_->WriteRecords({store::RecordWrite::Delete(
        kActivityTaskKind, r.key, store::RecordWrite::Condition::kPresent)});
    if (s.ok()) return ActivityTask{std::move(token), r.value};
  }
  return std::nullopt;
}

void CallbackService::OfferRemote() {
  std::vector<std::pair<uint64_t, std::string>> waiting;
  {
    MutexLock lock(&mu_);
    for (const auto& [id, p] : pollers_) waiting.emplace_back(id, p.activity_arn);
  }
  for (const auto& [id, activity_arn] : waiting) {
    std::optional<ActivityTask> task = ClaimRemote(activity_arn);
    if (!task) continue;
    std::function<void(std::optional<ActivityTask>)> done;
    std::string worker;
    {
      MutexLock lock(&mu_);
      auto it = pollers_.find(id);
      if (it != pollers_.end()) {
        done = std::move(it->second.done);
        worker = it->second.worker_name;
        pollers_.erase(it);
      }
    }
    if (!done) {
      // The poll ended meanwhile: offer the task again.
      (void)store_->WriteRecords({store::RecordWrite::Put(
          kActivityTaskKind, activity_arn + "\n" + task->task_token, task->input)});
      continue;
    }
    std::optional<std::string> arn = Verify(task->task_token);
    if (arn) Started(task->task_token, *arn, worker, nullptr);
    done(std::move(*task));
  }
}

void CallbackService::PollLoop() {
  MutexLock lock(&mu_);
  while (!stopping_) {
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::function<void(std::optional<ActivityTask>)>> expired;
    auto next = cluster() ? now + std::chrono::milliseconds(200)
                          : std::chrono::steady_clock::time_point::max();
    for (auto it = pollers_.begin(); it != pollers_.end();) {
      if (it->second.deadline <= now) {
        expired.push_back(std::move(it->second.done));
        it = pollers_.erase(it);
      } else {
        if (it->second.deadline < next) next = it->second.deadline;
        ++it;
      }
    }
    if (!expired.empty()) {
      lock.Unlock();
      for (auto& done : expired) done(std::nullopt);
      lock.Lock();
      continue;
    }
    if (next == std::chrono::steady_clock::time_point::max()) {
      poll_cv_.Wait(&mu_);
    } else {
      poll_cv_.WaitUntil(&mu_, next);
    }
    if (cluster() && !stopping_ && std::chrono::steady_clock::now() >= next) {
      lock.Unlock();
      PumpMailbox();
      OfferRemote();
      lock.Lock();
    }
  }
}

bool CallbackService::ExpiredLocked(const Pending& p, int64_t now) const {
  if (p.deadline_ms != 0 && now >= p.deadline_ms) return true;
  return p.heartbeat_ms != 0 && now >= p.last_beat_ms + p.heartbeat_ms;
}

void CallbackService::RemoveLocked(const std::string& token) {
  auto it = pending_.find(token);
  if (it == pending_.end()) return;
  auto range = by_execution_.equal_range(it->second.execution_arn);
  for (auto e = range.first; e != range.second; ++e) {
    if (e->second == token) {
      by_execution_.erase(e);
      break;
    }
  }
  pending_.erase(it);  // a stale entry in queues_ is skipped by PollActivity
}

void CallbackService::ExecutionEnded(const std::string& execution_arn) {
  std::vector<std::string> offered;  // activity tasks nobody took: withdrawn from other nodes
  {
    MutexLock lock(&mu_);
    auto range = by_execution_.equal_range(execution_arn);
    for (auto e = range.first; e != range.second; ++e) {
      auto it = pending_.find(e->second);
      if (it == pending_.end()) continue;
      if (cluster() && !it->second.activity_arn.empty() && !it->second.taken) {
        offered.push_back(it->second.activity_arn + "\n" + e->second);
      }
      pending_.erase(it);
    }
    by_execution_.erase(execution_arn);
  }
  for (const std::string& key : offered) {
    (void)store_->WriteRecords({store::RecordWrite::Delete(kActivityTaskKind, key)});
  }
}

ApiError CallbackService::Closed(const std::string& execution_arn) {
  auto stored = store_->GetExecution(execution_arn);
  if (stored.ok() && !stored->has_value()) {
    return ApiError{"TaskDoesNotExist", "Task Does Not Exist: 'Provided task does not exist'", {}};
  }
  return TaskTimedOut();
}

std::optional<ApiError> CallbackService::Apply(const std::string& token,
                                               const json::Value& message) {
  const json::Value* type = message.Find("type");
  const std::string kind = type != nullptr && type->is_string() ? type->as_string() : "";
  auto text = [&](const char* key) {
    const json::Value* v = message.Find(key);
    return v != nullptr && v->is_string() ? v->as_string() : std::string();
  };
  engine::TaskCompletion done;
  std::function<void()> beat;
  std::function<void(json::Value)> started;
  {
    MutexLock lock(&mu_);
    auto it = pending_.find(token);
    if (it == pending_.end()) return TaskTimedOut();
    const int64_t now = clock_->NowMillis();
    if (ExpiredLocked(it->second, now)) return TaskTimedOut();
    if (kind == "heartbeat") {
      it->second.last_beat_ms = now;
      beat = it->second.heartbeat;
    } else if (kind == "started") {
      if (it->second.taken) return std::nullopt;
      it->second.taken = true;
      started = it->second.started;
    } else {
      if (!it->second.activity_arn.empty() && !it->second.taken) {
        started = it->second.started;  // an outcome always follows ActivityStarted
      }
      done = std::move(it->second.done);
      RemoveLocked(token);
    }
  }
  if (started) {
    json::Object details;
    if (!text("workerName").empty()) {
      details.emplace_back("workerName", json::Value::String(text("workerName")));
    }
    started(json::Value::MakeObject(std::move(details)));
  }
  if (beat) {
    beat();
  } else if (done) {
    if (kind == "success") {
      const json::Value* output = message.Find("output");
      done(output != nullptr ? *output : json::Value());
    } else {
      done(Error{text("error"), text("cause")});
    }
  }
  return std::nullopt;
}

std::optional<ApiError> CallbackService::Forward(const std::string& token,
                                                 const std::string& execution_arn,
                                                 const json::Value& message) {
  auto stored = store_->GetExecution(execution_arn);
  if (!stored.ok()) return ApiError::Internal(stored.error().cause);
  if (!stored->has_value()) return Closed(execution_arn);
  if ((*stored)->status != store::ExecutionStatus::kRunning) return TaskTimedOut();
  auto lease = store_->GetLease(execution_arn);
  // Held here (or by nobody yet): the task is not waiting any more.
  if (lease.ok() && lease->has_value() && (*lease)->owner == options_.node_id) {
    return TaskTimedOut();
  }
  // Keys in the order this node sends (a worker's "started" before its outcome).
  Status s = store_->WriteRecords({store::RecordWrite::Put(
      kMessageKind, token + "\n" + MessageSequence() + RandomHex(4), message.Dump())});
  if (!s.ok()) return ApiError::Internal(s.error().cause);
  return std::nullopt;
}

void CallbackService::PumpMailbox() {
  std::string after;
  std::unordered_map<std::string, bool> running;  // execution ARN → RUNNING (this round)
  for (;;) {
    auto page = store_->ListRecords(kMessageKind, "", after, 100);
    if (!page.ok()) return;
    for (const store::Record& r : page->items) {
      const std::string token = r.key.substr(0, r.key.find('\n'));
      bool ours;
      {
        MutexLock lock(&mu_);
        ours = pending_.count(token) != 0;
      }
      bool drop = ours;
      if (ours) {
        auto message = json::Parse(r.value);
        if (message.ok() && message->is_object()) (void)Apply(token, *message);
      } else {
        std::optional<std::string> arn = Verify(token);
        if (!arn) {
          drop = true;
        } else {
          auto cached = running.find(*arn);
          if (cached == running.end()) {
            auto e = store_->GetExecution(*arn);
            const bool is_running =
                !e.ok() || (e->has_value() && (*e)->status == store::ExecutionStatus::kRunning);
            cached = running.emplace(*arn, is_running).first;
          }
          drop = !cached->second;  // its execution ended: nobody will take it
        }
      }
      if (drop) (void)store_->WriteRecords({store::RecordWrite::Delete(kMessageKind, r.key)});
    }
    if (page->next.empty()) return;
    after = page->next;
  }
}

std::optional<ApiError> CallbackService::Deliver(const std::string& token,
                                                 const json::Value& message) {
  std::optional<std::string> arn = Verify(token);
  if (!arn) return ApiError::InvalidToken();
  bool local;
  {
    MutexLock lock(&mu_);
    local = pending_.count(token) != 0;
  }
  if (local) return Apply(token, message);
  if (cluster()) return Forward(token, *arn, message);
  return Closed(*arn);
}

std::optional<ApiError> CallbackService::Succeed(const std::string& task_token,
                                                 json::Value output) {
  return Deliver(task_token, json::Value::MakeObject({{"type", json::Value::String("success")},
                                                      {"output", std::move(output)}}));
}

std::optional<ApiError> CallbackService::Fail(const std::string& task_token,
                                              const std::string& error, const std::string& cause) {
  return Deliver(task_token, json::Value::MakeObject({{"type", json::Value::String("failure")},
                                                      {"error", json::Value::String(error)},
                                                      {"cause", json::Value::String(cause)}}));
}

std::optional<ApiError> CallbackService::Heartbeat(const std::string& task_token) {
  return Deliver(task_token, json::Value::MakeObject({{"type", json::Value::String("heartbeat")}}));
}

}  // namespace stator::server
