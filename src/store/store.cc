#include "store/store.h"

#include <charconv>
#include <filesystem>
#include <system_error>

#include "store/memory_store.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace stator::store {

const char* StateMachineTypeName(StateMachineType t) {
  return t == StateMachineType::kExpress ? "EXPRESS" : "STANDARD";
}

std::optional<StateMachineType> ParseStateMachineType(std::string_view name) {
  if (name == "STANDARD") return StateMachineType::kStandard;
  if (name == "EXPRESS") return StateMachineType::kExpress;
  return std::nullopt;
}

std::optional<int64_t> ParsePageKey(std::string_view key) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(key.data(), key.data() + key.size(), v);
  if (ec != std::errc() || p != key.data() + key.size() || v < 0) return std::nullopt;
  return v;
}

Status CheckEventIds(std::string_view execution_arn, int64_t last_event_id,
                     const std::vector<HistoryEvent>& events) {
  int64_t expected = last_event_id + 1;
  for (const HistoryEvent& e : events) {
    if (e.id != expected) {
      return Error{kOutOfSequence, "execution " + std::string(execution_arn) + ": event id " +
                                       std::to_string(e.id) + " where " + std::to_string(expected) +
                                       " continues its history"};
    }
    ++expected;
  }
  return Status::Ok();
}

bool IsFenced(const ExecutionBatch& batch, const ExecutionStep& step,
              const std::optional<std::string>& lease_owner, int64_t lease_epoch) {
  return step.lease_epoch > 0 &&
         !(lease_owner == batch.lease_owner && lease_epoch == step.lease_epoch);
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& data_dir,
                                         const std::string& store_uri) {
  if (!store_uri.empty()) {
    if (!data_dir.empty()) {
      return Error{kStoreFailure,
                   "a store is either a data directory (SQLite) or a URI "
                   "(PostgreSQL), not both"};
    }
    STATOR_TRY(auto postgres, PostgresStore::Open(store_uri));
    return std::unique_ptr<Store>(std::move(postgres));
  }
  if (data_dir.empty()) return std::unique_ptr<Store>(std::make_unique<MemoryStore>());
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Error{kStoreFailure, "cannot create " + data_dir + ": " + ec.message()};
  STATOR_TRY(auto sqlite,
             SqliteStore::Open((std::filesystem::path(data_dir) / "stator.db").string()));
  return std::unique_ptr<Store>(std::move(sqlite));
}

Status CheckRecordCondition(const RecordWrite& w, const std::optional<std::string>& current) {
  bool holds = true;
  switch (w.condition) {
    case RecordWrite::Condition::kNone:
      break;
    case RecordWrite::Condition::kAbsent:
      holds = !current.has_value();
      break;
    case RecordWrite::Condition::kPresent:
      holds = current.has_value();
      break;
    case RecordWrite::Condition::kEquals:
      holds = current.has_value() && *current == w.expected;
      break;
  }
  if (holds) return Status::Ok();
  return Error{kConditionFailed, w.kind + "/" + w.key};
}

}  // namespace stator::store
