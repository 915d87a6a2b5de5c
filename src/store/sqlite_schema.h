// The SQLite schema of SqliteStore, as migrations embedded at build time.
//
// Each file src/store/schema/sqlite/vNNN_<what>.sql is one migration; CMake embeds them (in
// file-name order) into a generated sqlite_schema.cc. SqliteStore applies, in one transaction
// each, every migration whose version is above the highest recorded in schema_version.
#pragma once

#include <string_view>
#include <vector>

namespace stator::store {

struct SchemaMigration {
  int version;            // NNN from the file name
  std::string_view file;  // "v001_state_machines.sql"
  std::string_view sql;
};

// All migrations in ascending version order.
const std::vector<SchemaMigration>& SqliteMigrations();

}  // namespace stator::store
