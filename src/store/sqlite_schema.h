// The SQLite schema of SqliteStore, as migrations embedded at build time.
//
// Each file src/store/schema/sqlite/vNNN_<what>.sql is one migration; CMake embeds them (in
// version order) into a generated file (stator_migrations in src/common/CMakeLists.txt).
// SqliteStore::Open applies them with sqlite::Migrate (common/sqlite.h): each one above the
// highest version recorded in schema_version, in its own transaction.
#pragma once

#include <vector>

#include "common/sqlite.h"

namespace stator::store {

// All migrations in ascending version order.
const std::vector<sqlite::Migration>& SqliteMigrations();

}  // namespace stator::store
