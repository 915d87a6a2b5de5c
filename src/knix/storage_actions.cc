// performStorageAction (knix-protocol.md §1.6): which storage a request addresses, mapped to a
// data-layer scope of its own per user, per workflow and per bucket.
#include <cctype>

#include "knix/service.h"
#include "knix/storage.h"

namespace stator::knix {

ActionResult KnixService::PerformStorageAction(const Call& c) {
  const json::Value* storage = c.data.is_object() ? c.data.Find("storage") : nullptr;
  StorageScopeRequest requested = RequestedStorageScope(storage);
  StorageTarget target;
  switch (requested.kind) {
    case StorageScopeKind::kUser:
      target.scope = UserScope(c.user);
      target.keyspace = "storage_" + c.user.id;
      break;
    case StorageScopeKind::kWorkflow: {
      // A workflow's private storage belongs to the workflow's owner only.
      auto w = catalog_.Workflow(c.user.id, requested.name);
      if (!w.ok() || !*w) {
        return Fail("Couldn't perform storage action; no such workflow: " + requested.name);
      }
      target.scope = WorkflowScope(requested.name);
      target.keyspace = "sbox_" + requested.name;
      break;
    }
    case StorageScopeKind::kBucket: {
      target.scope = BucketScope(c.user, requested.name);
      target.keyspace = "storage_" + c.user.id;
      auto exists = BucketExists(c.user, requested.name);
      target.table_exists = exists.ok() && *exists;
      break;
    }
  }
  ActionResult result = knix::PerformStorageAction(data_layer_, target, storage);
  // A key/value put to a triggerable bucket runs the workflows associated with it (KNIX: the
  // data layer's commit hook on the bucket's table).
  if (result.ok() && requested.kind == StorageScopeKind::kBucket && target.table_exists) {
    const json::Value* params = storage->Find("parameters");
    const json::Value* action = params ? params->Find("action") : nullptr;
    std::string name = action && action->is_string() ? action->as_string() : "";
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (name == "putdata") {
      OnBucketWrite(c.user.id, requested.name, params->Find("key")->as_string(),
                    params->Find("value")->as_string());
    }
  }
  return result;
}

}  // namespace stator::knix
