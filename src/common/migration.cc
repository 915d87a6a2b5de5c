#include "common/migration.h"

namespace stator {

Result<int> ApplyPendingMigrations(int current, std::span<const Migration> migrations,
                                   const std::function<Status(const Migration&)>& apply,
                                   const std::function<Error(std::string)>& make_error) {
  const int known = migrations.empty() ? 0 : migrations.back().version;
  if (current > known) {
    return make_error("database schema version " + std::to_string(current) +
                      " is newer than this build supports (" + std::to_string(known) + ")");
  }
  for (const Migration& m : migrations) {
    if (m.version <= current) continue;
    STATOR_RETURN_IF_ERROR(apply(m));
    current = m.version;
  }
  return current;
}

}  // namespace stator
