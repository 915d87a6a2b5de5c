// The PostgreSQL schema of PostgresStore, as migrations embedded at build time.
//
// Each file src/store/schema/postgresql/vNNN_<what>.sql is one migration; CMake embeds them (in
// version order) into a generated file (stator_migrations in src/common/CMakeLists.txt).
// PostgresStore::Open applies them with postgres::Migrate (common/postgres.h) under the
// advisory lock kPostgresMigrationLock, recording each in the table store_schema_version, so
// nodes starting at once migrate one at a time.
#pragma once

#include <cstdint>
#include <vector>

#include "common/migration.h"

namespace stator::store {

// All migrations in ascending version order.
const std::vector<Migration>& PostgresMigrations();

inline constexpr const char* kPostgresVersionTable = "store_schema_version";
// The advisory lock key of the store's migrations ("stator.s" in ASCII); other schemas sharing
// the database (DynamoDB's) use their own key.
inline constexpr int64_t kPostgresMigrationLock = 0x737461746f722e73;

}  // namespace stator::store
