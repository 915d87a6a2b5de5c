#include "store/fault_injecting_store.h"

#include <charconv>
#include <string>
#include <thread>
#include <utility>

namespace stator::store {
namespace {

std::optional<int64_t> ParseCount(std::string_view text) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v < 1) return std::nullopt;
  return v;
}

// The first `n` items of a batch: its new executions first, then its steps, in order.
ExecutionBatch Prefix(const ExecutionBatch& batch, size_t n) {
  ExecutionBatch prefix;
  prefix.lease_owner = batch.lease_owner;
  prefix.lease_ttl_ms = batch.lease_ttl_ms;
  for (size_t i = 0; i < batch.created.size() && n > 0; ++i, --n) {
    prefix.created.push_back(batch.created[i]);
  }
  for (size_t i = 0; i < batch.steps.size() && n > 0; ++i, --n) {
    prefix.steps.push_back(batch.steps[i]);
  }
  return prefix;
}

}  // namespace

Result<StoreFaults> ParseStoreFaults(std::string_view spec) {
  StoreFaults faults;
  while (!spec.empty()) {
    const size_t comma = spec.find(',');
    std::string_view part = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    const size_t eq = part.find('=');
    std::string_view key = part.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    std::optional<int64_t> n;
    if (key == "fail-commit" && (n = ParseCount(value))) {
      faults.fail_commit = *n;
    } else if (key == "tear-commit") {
      StoreFaults::Tear tear = StoreFaults::Tear::kAfterWrite;
      if (value.ends_with(":prefix")) {
        tear = StoreFaults::Tear::kPrefix;
        value.remove_suffix(7);
      }
      if (!(n = ParseCount(value))) {
        return Error{kStoreFailure, "bad store fault: " + std::string(part)};
      }
      faults.tear_commit = *n;
      faults.tear = tear;
    } else if (key == "commit-delay-ms" && (n = ParseCount(value))) {
      faults.commit_delay = std::chrono::milliseconds(*n);
    } else {
      return Error{kStoreFailure, "bad store fault: " + std::string(part)};
    }
  }
  return faults;
}

FaultInjectingStore::FaultInjectingStore(std::unique_ptr<Store> inner, StoreFaults faults)
    : inner_(std::move(inner)), faults_(faults) {}

Status FaultInjectingStore::Commit(const ExecutionBatch& batch, CommitReport* report) {
  if (report != nullptr) *report = CommitReport();
  const int64_t n = commits_.fetch_add(1) + 1;
  if (faults_.commit_delay.count() > 0) std::this_thread::sleep_for(faults_.commit_delay);
  const Error injected{kStoreFailure, "injected fault: commit " + std::to_string(n)};
  if (n == faults_.fail_commit) return injected;
  if (n == faults_.tear_commit) {
    ExecutionBatch prefix;
    const ExecutionBatch* written = &batch;
    if (faults_.tear == StoreFaults::Tear::kPrefix) {
      prefix = Prefix(batch, (batch.created.size() + batch.steps.size()) / 2);
      written = &prefix;
    }
    if (!written->empty()) {
      forwarded_.fetch_add(1);
      STATOR_RETURN_IF_ERROR(inner_->Commit(*written, report));
    }
    return injected;
  }
  forwarded_.fetch_add(1);
  return inner_->Commit(batch, report);
}

}  // namespace stator::store
