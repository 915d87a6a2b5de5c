// Helpers for tests against PostgreSQL (not part of any library): the server a test run
// provides, and a fresh schema of it per test.
//
// scripts/postgres.sh run CMD starts a throwaway server and runs CMD with STATOR_TEST_POSTGRES
// set to its connection URI (scripts/test.sh runs ctest that way). Without it, the tests that
// need PostgreSQL are skipped with kSkipReason (never passed silently).
//
// Thread-safety: TestSchema is used by one thread; the URI it gives may be used by any number.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>

#include "common/postgres.h"

namespace stator::postgres::testing {

inline constexpr const char* kSkipReason =
    "STATOR_TEST_POSTGRES is not set: run through scripts/postgres.sh run ... (scripts/test.sh "
    "does) to test against PostgreSQL";

// The server's URI, or nullptr when the run has none.
inline const char* ServerUri() { return std::getenv("STATOR_TEST_POSTGRES"); }

// `uri` with the connection's search_path set to `schema` (so unqualified tables go there).
inline std::string WithSearchPath(const std::string& uri, const std::string& schema) {
  return uri + (uri.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" +
         schema;
}

// A schema of its own on the server, created by Create() and dropped (with everything in it)
// by the destructor.
class TestSchema {
 public:
  TestSchema() = default;
  ~TestSchema() { Drop(); }
  TestSchema(const TestSchema&) = delete;
  TestSchema& operator=(const TestSchema&) = delete;

  // Skips the calling test when the run has no server (GTEST_SKIP: call it from SetUp or the
  // test body, then return when IsSkipped()); fails it when the schema cannot be made. Returns
  // whether the schema exists.
  bool Create() {
    const char* server = ServerUri();
    if (server == nullptr) {
      Skip();
      return false;
    }
    static std::atomic<int> counter{0};
    const std::string name =
        "test_" + std::to_string(::getpid()) + "_" + std::to_string(counter.fetch_add(1));
    auto conn = Connection::Open(server, Options{});
    if (!conn.ok()) {
      Fail("cannot connect to STATOR_TEST_POSTGRES: " + conn.error().cause);
      return false;
    }
    Status s = (*conn)->Exec("CREATE SCHEMA " + name);
    if (!s.ok()) {
      Fail("CREATE SCHEMA: " + s.error().cause);
      return false;
    }
    name_ = name;
    uri_ = WithSearchPath(server, name_);
    return true;
  }

  // Drops the schema now (what the destructor does); no-op when there is none.
  void Drop() {
    if (name_.empty()) return;
    auto conn = Connection::Open(ServerUri(), Options{});
    if (conn.ok()) {
      Status s = (*conn)->Exec("DROP SCHEMA " + name_ + " CASCADE");
      EXPECT_TRUE(s.ok()) << s.error().cause;
    }
    name_.clear();
  }

  const std::string& name() const { return name_; }
  // The server's URI with search_path = this schema.
  const std::string& uri() const { return uri_; }

 private:
  static void Skip() { GTEST_SKIP() << kSkipReason; }
  static void Fail(const std::string& why) { FAIL() << why; }

  std::string name_;
  std::string uri_;
};

}  // namespace stator::postgres::testing
