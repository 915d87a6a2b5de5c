#include "server/callback_service.h"

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
  std::function<void(std::optional<ActivityTask>)> answer;
  std::function<void(json::Value)> started;
  json::Value worker;
  ActivityTask task;
  {
    MutexLock lock(&mu_);
    if (pending_.count(token) != 0) RemoveLocked(token);  // dispatched again (a resume)
    by_execution_.emplace(p.execution_arn, token);
    if (activity) {
      // The longest-waiting poller of this activity takes it at once.
      for (auto it = pollers_.begin(); it != pollers_.end(); ++it) {
        if (it->second.activity_arn != p.activity_arn) continue;
        answer = std::move(it->second.done);
        worker = json::Value::String(it->second.worker_name);
        pollers_.erase(it);
        break;
      }
      if (answer) {
        p.taken = true;
        started = p.started;
        task = ActivityTask{token, p.input};
      } else {
        queues_[p.activity_arn].push_back(token);
      }
    }
    pending_.emplace(token, std::move(p));
  }
  if (answer) {
    if (started) {
      json::Object details;
      if (!worker.as_string().empty()) details.emplace_back("workerName", worker);
      started(json::Value::MakeObject(std::move(details)));
    }
    answer(std::move(task));
  }
}

void CallbackService::PollActivity(const std::string& activity_arn, const std::string& worker_name,
                                   std::function<void(std::optional<ActivityTask>)> done) {
  std::function<void(json::Value)> started;
  ActivityTask task;
  {
    MutexLock lock(&mu_);
    auto q = queues_.find(activity_arn);
    const int64_t now = clock_->NowMillis();
    while (q != queues_.end() && !q->second.empty()) {
      std::string token = std::move(q->second.front());
      q->second.pop_front();
      auto it = pending_.find(token);
      if (it == pending_.end() || it->second.taken || ExpiredLocked(it->second, now)) continue;
      it->second.taken = true;
      started = it->second.started;
      task = ActivityTask{token, it->second.input};
      break;
    }
    if (task.task_token.empty()) {
      if (stopping_) {
        started = nullptr;
      } else {
        Poller p{activity_arn, worker_name,
                 std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.poll_millis),
                 std::move(done)};
        pollers_.emplace(next_poller_++, std::move(p));
        poll_cv_.SignalAll();
        return;
      }
    }
  }
  if (task.task_token.empty()) return done(std::nullopt);
  if (started) {
    json::Object details;
    if (!worker_name.empty()) details.emplace_back("workerName", json::Value::String(worker_name));
    started(json::Value::MakeObject(std::move(details)));
  }
  done(std::move(task));
}

void CallbackService::PollLoop() {
  MutexLock lock(&mu_);
  while (!stopping_) {
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::function<void(std::optional<ActivityTask>)>> expired;
    auto next = std::chrono::steady_clock::time_point::max();
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
      mu_.Unlock();
      for (auto& done : expired) done(std::nullopt);
      mu_.Lock();
      continue;
    }
    if (next == std::chrono::steady_clock::time_point::max()) {
      poll_cv_.Wait(&mu_);
    } else {
      poll_cv_.WaitUntil(&mu_, next);
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
  MutexLock lock(&mu_);
  auto range = by_execution_.equal_range(execution_arn);
  for (auto e = range.first; e != range.second; ++e) pending_.erase(e->second);
  by_execution_.erase(execution_arn);
}

ApiError CallbackService::Closed(const std::string& execution_arn) {
  auto stored = store_->GetExecution(execution_arn);
  if (stored.ok() && !stored->has_value()) {
    return ApiError{"TaskDoesNotExist", "Task Does Not Exist: 'Provided task does not exist'", {}};
  }
  return TaskTimedOut();
}

Result<CallbackService::Pending, ApiError> CallbackService::Take(const std::string& token) {
  std::optional<std::string> arn = Verify(token);
  if (!arn) return ApiError::InvalidToken();
  {
    MutexLock lock(&mu_);
    auto it = pending_.find(token);
    if (it != pending_.end()) {
      if (ExpiredLocked(it->second, clock_->NowMillis())) return TaskTimedOut();
      Pending p = std::move(it->second);
      RemoveLocked(token);
      return p;
    }
  }
  return Closed(*arn);
}

std::optional<ApiError> CallbackService::Succeed(const std::string& task_token,
                                                 json::Value output) {
  auto taken = Take(task_token);
  if (!taken.ok()) return std::move(taken).error();
  taken->done(std::move(output));
  return std::nullopt;
}

std::optional<ApiError> CallbackService::Fail(const std::string& task_token,
                                              const std::string& error, const std::string& cause) {
  auto taken = Take(task_token);
  if (!taken.ok()) return std::move(taken).error();
  taken->done(Error{error, cause});
  return std::nullopt;
}

std::optional<ApiError> CallbackService::Heartbeat(const std::string& task_token) {
  std::optional<std::string> arn = Verify(task_token);
  if (!arn) return ApiError::InvalidToken();
  std::function<void()> beat;
  {
    MutexLock lock(&mu_);
    auto it = pending_.find(task_token);
    if (it != pending_.end()) {
      const int64_t now = clock_->NowMillis();
      if (ExpiredLocked(it->second, now)) return TaskTimedOut();
      it->second.last_beat_ms = now;
      beat = it->second.heartbeat;
    }
  }
  if (!beat) return Closed(*arn);
  beat();
  return std::nullopt;
}

}  // namespace stator::server
