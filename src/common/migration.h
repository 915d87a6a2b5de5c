// Migration: one versioned schema script, as every database stator keeps migrates by them
// (common/sqlite.h's Migrate for SQLite files, common/postgres.h's for PostgreSQL).
//
// The scripts are files DIR/vNNN_<what>.sql, embedded into the binary at build time by CMake's
// stator_migrations() (src/common/CMakeLists.txt) in ascending version order, so a binary needs
// no files at run time.
#pragma once

#include <string_view>

namespace stator {

// The schema goes from version - 1 to version.
struct Migration {
  int version;            // 1, 2, ...: NNN of the file name vNNN_<what>.sql
  std::string_view file;  // "v001_state_machines.sql"
  std::string_view sql;
};

}  // namespace stator
