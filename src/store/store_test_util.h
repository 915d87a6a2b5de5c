// What the typed store test suites share: one factory per Store implementation, and the list
// of implementations every suite runs over. A new backend adds its factory to Implementations.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "store/fault_injecting_store.h"
#include "store/memory_store.h"
#include "store/sqlite_store.h"

namespace stator::store::test_util {

// Each fixture owns one fresh store. SqliteStore gets its own temporary directory.
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

// FaultInjectingStore with no fault over a MemoryStore: the decorator must pass the suite too.
struct PassThroughFactory {
  static constexpr const char* kName = "FaultInjectingNoFault";
  std::unique_ptr<Store> Make() {
    return std::make_unique<FaultInjectingStore>(std::make_unique<MemoryStore>(), StoreFaults{});
  }
};

using Implementations = ::testing::Types<MemoryFactory, SqliteFactory, PassThroughFactory>;
// The backends themselves (for suites about what a backend keeps, e.g. across a fault).
using Backends = ::testing::Types<MemoryFactory, SqliteFactory>;
class Names {
 public:
  template <class T>
  static std::string GetName(int) {
    return T::kName;
  }
};

}  // namespace stator::store::test_util
