// performStorageAction: the KNIX management action that reads and writes the data layer
// (shared/design/knix-protocol.md §1.6; KNIX's ManagementService/python/performStorageAction.py).
//
// The request's data holds `storage: {data_type, parameters: {action, ...}, [workflowid]}`.
// The caller (the management API) authenticates the user, asks RequestedStorageScope which
// storage the request addresses, maps that to a DataLayer scope of its own choosing (and refuses
// what the user may not reach), and calls PerformStorageAction, which validates the request,
// runs it on the DataLayer and answers in KNIX's shape and wording:
//   success: data = {message: "Successful storage op: <what>", status: true, <result>}, the
//            result field by action: getdata -> value (the raw string, or null);
//            listkeys -> keylist; getmapentry -> value (base64, or null); retrievemap ->
//            mapentries {key: raw value}; containsmapkey -> containskey; getmapkeys -> mapkeys;
//            listmaps -> maplist; containssetitem -> containsitem; retrieveset -> items;
//            listsets -> setlist; getcounter -> countervalue; listcounters -> counterlist.
//   failure: "Error while performing storage operation; <why>", where <why> is KNIX's text:
//            "Exception: 'key'" for a missing parameter (Python's KeyError), "Exception: Invalid
//            data provided. Invalid/missing parameter: 'key' is not a str." for a wrong type
//            ("is not a int." for integers; JSON booleans count as integers, as in Python),
//            "... Invalid data type specified.", "... Unknown storage action: <action> for data
//            type: <type>", "... 'start' should be between 0 and 1000000.", and
//            "<action> returned False. <what>" when the data layer refuses (see data_layer.h;
//            KNIX's map handler writes that prefix twice, and so do we).
// data_type is checked case-insensitively ("" means kv) but, as in KNIX, only the lower-case
// names then run: any other spelling fails with KNIX's (Python's) "local variable 'status'
// referenced before assignment". Action names are case-insensitive.
//
// Thread-safety: plain functions; the DataLayer they are given is thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "common/json.h"
#include "knix/data_layer.h"
#include "knix/protocol.h"

namespace stator::knix {

// Which storage a performStorageAction request addresses.
enum class StorageScopeKind : uint8_t {
  kUser,      // the user's own storage (what context.put(...) uses in every workflow of theirs)
  kWorkflow,  // a workflow's private storage (context.put(..., is_private=True) in it)
  kBucket,    // a triggerable bucket of the user (key/value actions only)
};

struct StorageScopeRequest {
  StorageScopeKind kind = StorageScopeKind::kUser;
  std::string name;  // kWorkflow: storage.workflowid; kBucket: storage.parameters.tableName
};

// KNIX's choice: a `workflowid` that is present, not null and not "" selects the workflow's
// private storage; otherwise a `parameters.tableName` that is present and not null selects that
// bucket, for key/value requests (data_type "kv" or ""): KNIX's maps, sets and counters stay in
// the user's storage whatever tableName says. Anything else, and a storage value that is
// missing (nullptr) or malformed, is the user's storage. A workflowid or (kv) tableName that is
// not a string makes PerformStorageAction fail whatever scope it is given.
StorageScopeRequest RequestedStorageScope(const json::Value* storage);

// Where PerformStorageAction runs the request.
struct StorageTarget {
  std::string scope;  // the DataLayer scope the caller mapped the StorageScopeRequest to
  // The keyspace KNIX's messages name ("..., table: defaultTable, keyspace: <keyspace>"); KNIX's
  // own are "storage_<user's storage id>" and "sbox_<workflowid>". Empty: the scope.
  std::string keyspace;
  // false for a bucket that was never added: as in KNIX, putdata and deletedata then answer
  // "returned False", getdata null and listkeys [] (the other data types are unaffected).
  bool table_exists = true;
};

// Runs the request `storage` (the action's data.storage; nullptr when data has none) on
// `data_layer` at `target`. Never fails for a store error other than by answering
// "Error while performing storage operation; Exception: <cause>".
ActionResult PerformStorageAction(DataLayer& data_layer, const StorageTarget& target,
                                  const json::Value* storage);

}  // namespace stator::knix
