// Migration: one versioned schema script, as every database stator keeps migrates by them
// (common/sqlite.h's Migrate for SQLite files, common/postgres.h's for PostgreSQL).
//
// The scripts are files DIR/vNNN_<what>.sql, embedded into the binary at build time by CMake's
// stator_migrations() (src/common/CMakeLists.txt) in ascending version order, so a binary needs
// no files at run time.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

namespace stator {

// The schema goes from version - 1 to version.
struct Migration {
  int version;            // 1, 2, ...: NNN of the file name vNNN_<what>.sql
  std::string_view file;  // "v001_state_machines.sql"
  std::string_view sql;
};

// What every database's Migrate shares: applies, in order, each migration above `current` with
// `apply` (which runs its script and records its version, in one transaction), after refusing
// a database whose version is above the last migration (written by a newer build) with the
// error `make_error` words. Returns the version reached.
Result<int> ApplyPendingMigrations(int current, std::span<const Migration> migrations,
                                   const std::function<Status(const Migration&)>& apply,
                                   const std::function<Error(std::string)>& make_error);

}  // namespace stator
