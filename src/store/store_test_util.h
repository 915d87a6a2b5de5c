// What the typed store test suites share: one factory per Store implementation, and the list
// of implementations every suite runs over. A new backend adds its factory to Implementations.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "common/postgres_test_util.h"
#include "store/fault_injecting_store.h"
#include "store/memory_store.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace stator::store::test_util {

// Each fixture owns one fresh store. SqliteStore gets its own temporary directory,
// PostgresStore its own schema.
struct MemoryFactory {
  static constexpr const char* kName = "Memory";
  std::unique_ptr<Store> Make() { return std::make_unique<MemoryStore>(); }
};

struct SqliteFactory {
  static constexpr const char* kName = "Sqlite";
  std::filesystem::path dir;
  SqliteFactory() {
    dir = std::filesystem::temp_directory_path() /
          ("stator_store_test_" + std::to_string(::getpid()) + "_" +
           std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  }
  ~SqliteFactory() { std::filesystem::remove_all(dir); }
  std::string path() const { return (dir / "stator.db").string(); }
  std::unique_ptr<Store> Open() {
    auto s = SqliteStore::Open(path());
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().cause);
    return std::move(s).value();
  }
  std::unique_ptr<Store> Make() { return Open(); }
};

// PostgresStore on the server of STATOR_TEST_POSTGRES (scripts/postgres.sh run), in a schema of
// its own, dropped afterwards. Without a server, Make() skips the test (GTEST_SKIP, with the
// reason) and returns nullptr: call it from SetUp (or call SkipUnlessAvailable<F>() there).
struct PostgresFactory {
  static constexpr const char* kName = "Postgres";
  postgres::testing::TestSchema schema;
  static void SkipUnlessAvailable() {
    if (postgres::testing::ServerUri() == nullptr) GTEST_SKIP() << postgres::testing::kSkipReason;
  }
  // Another PostgresStore on the same schema (a restart, or a second node).
  std::unique_ptr<Store> Open() {
    auto s = PostgresStore::Open(schema.uri());
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().cause);
    if (!s.ok()) return nullptr;
    return std::move(s).value();
  }
  std::unique_ptr<Store> Make() {
    if (!schema.Create()) return nullptr;
    return Open();
  }
};

// Skips the calling test (from SetUp) when F's backend is not available in this run.
template <class F>
void SkipUnlessAvailable() {
  if constexpr (requires { F::SkipUnlessAvailable(); }) F::SkipUnlessAvailable();
}

// FaultInjectingStore with no fault over a MemoryStore: the decorator must pass the suite too.
struct PassThroughFactory {
  static constexpr const char* kName = "FaultInjectingNoFault";
  std::unique_ptr<Store> Make() {
    return std::make_unique<FaultInjectingStore>(std::make_unique<MemoryStore>(), StoreFaults{});
  }
};

using Implementations =
    ::testing::Types<MemoryFactory, SqliteFactory, PostgresFactory, PassThroughFactory>;
// The backends themselves (for suites about what a backend keeps, e.g. across a fault).
using Backends = ::testing::Types<MemoryFactory, SqliteFactory, PostgresFactory>;
class Names {
 public:
  template <class T>
  static std::string GetName(int) {
    return T::kName;
  }
};

// What the suites store: executions of one state machine, and their history events.
inline constexpr const char* kTestMachineArn =
    "arn:aws:states:us-east-1:123456789012:stateMachine:m";

inline std::string TestExecutionArn(const std::string& name) {
  return "arn:aws:states:us-east-1:123456789012:execution:m:" + name;
}

// A new RUNNING execution of kTestMachineArn named `name`, running a one-Pass machine kept under
// `machine_id`.
inline NewExecution TestExecution(const std::string& name,
                                  const std::string& machine_id = "digest-1",
                                  int64_t start_ms = 1000) {
  NewExecution n;
  n.execution.arn = TestExecutionArn(name);
  n.execution.state_machine_arn = kTestMachineArn;
  n.execution.name = name;
  n.execution.input = R"({"a": 1})";
  n.execution.start_date_ms = start_ms;
  n.machine.id = machine_id;
  n.machine.config.definition = R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}})";
  n.machine.config.role_arn = "arn:aws:iam::123456789012:role/r";
  n.machine.config.logging_configuration = R"({"level":"OFF","includeExecutionData":false})";
  n.machine.config.tracing_configuration = R"({"enabled":false})";
  n.machine.update_date_ms = 500;
  return n;
}

// History event `id` (after id - 1) of `type`, with `details` under "someEventDetails" unless
// they are null.
inline HistoryEvent TestEvent(int64_t id, const std::string& type = "PassStateEntered",
                              json::Value details = json::Value()) {
  HistoryEvent e;
  e.id = id;
  e.previous_event_id = id - 1;
  e.timestamp_ms = 1000 + id;
  e.type = type;
  if (!details.is_null()) e.details_key = "someEventDetails";
  e.details = std::move(details);
  return e;
}

}  // namespace stator::store::test_util
