// DataLayer: KNIX's data layer (key/value, maps, sets, counters) kept as store records.
//
// KNIX functions (context.put, context.createMap, ...) and its management API
// (performStorageAction, storage.h) read and write one data layer, backed in KNIX by Riak's
// CRDTs. This class gives the same operations with the same semantics over store::Store's
// records, for one *scope* at a time: an opaque string the caller chooses (the front door uses
// one per user, one per workflow for workflow-private storage, one per triggerable bucket).
// Scopes never see each other's data.
//
// Semantics, as KNIX's data layer gives them (FunctionWorker/python/DataLayerClient.py over
// DataLayerService's RiakAccess.java, locality 1):
//   - Key/value: Get of a missing key is nullopt; Delete of a missing key succeeds.
//   - Maps and sets exist from their first entry on: CreateMap/CreateSet have no effect (Riak
//     creates a CRDT on its first update), PutMapEntry/AddSetEntry on a map or set never created
//     create it. A cleared map or set still exists (empty) and is listed; Delete removes it.
//     Reads of a missing map or set answer as for an empty one (nullopt, false, {}, []);
//     ClearMap/ClearSet/DeleteMap/DeleteSet of a missing one succeed. DeleteMapEntry and
//     RemoveSetEntry answer false when the map or set does not exist (Riak refuses a removal
//     without the CRDT's context) and true otherwise, whether or not the entry was there.
//   - Counters: GetCounter of a missing counter is 0; IncrementCounter/DecrementCounter of a
//     missing counter create it (from 0). CreateCounter(name, v) is KNIX's "increment by v and
//     check the result is v": it succeeds (the counter holds v) when the counter is missing or
//     holds 0, and answers false, changing nothing, otherwise. Increments are atomic: a
//     compare-and-set on the counter's record, retried while another writer wins.
//   - Listings (ListKeys/ListMaps/ListSets/ListCounters) are sorted by name and return the
//     names at positions [start, start + count) (none when start < 0 or count < 1); then,
//     as DataLayerClient does, ListKeys drops keys starting with "grain_requirements_",
//     "grain_source_", "workflow_json_" or ending with "_metadata", and ListSets drops names
//     ending with "_outputkeys_set" (so a page may hold fewer than `count` names).
//     Names sort bytewise (UTF-8), where KNIX sorts Java strings (UTF-16): the two orders differ
//     only between characters above U+FFFF and those in U+E000..U+FFFF.
//
// Record layout (kinds start with "knix.data"; every key starts with S = Escape(scope) + "/",
// where Escape writes '%' as "%25" and '/' as "%2F", so that no scope's prefix is another's):
//   knix.data.kv        S + key                        JSON string: the value
//   knix.data.map       S + mapname                    "{}": the map exists
//   knix.data.mapentry  S + Escape(mapname) + "/" + key   JSON string: the entry's value
//   knix.data.set       S + setname                    "{}": the set exists
//   knix.data.setitem   S + Escape(setname) + "/" + item  "{}"
//   knix.data.counter   S + countername                JSON integer: the counter's value
// Every listing is a ListRecords by prefix (S, or S + Escape(name) + "/"); a write that touches
// a map or set and its entries (put an entry, delete a map) is one WriteRecords batch.
//
// Errors: store failures pass through (store::kStoreFailure); IncrementCounter and
// DecrementCounter fail with kCounterOverflow when the result would leave int64.
//
// Thread-safety: a DataLayer holds only the store pointer; every method may be called from any
// thread at once. The store is not owned and must outlive the DataLayer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "store/store.h"

namespace stator::knix {

inline constexpr const char* kDataKvKind = "knix.data.kv";
inline constexpr const char* kDataMapKind = "knix.data.map";
inline constexpr const char* kDataMapEntryKind = "knix.data.mapentry";
inline constexpr const char* kDataSetKind = "knix.data.set";
inline constexpr const char* kDataSetItemKind = "knix.data.setitem";
inline constexpr const char* kDataCounterKind = "knix.data.counter";

// The error of an increment or decrement whose result would not fit in int64.
inline constexpr const char* kCounterOverflow = "knix.CounterOverflow";

class DataLayer {
 public:
  explicit DataLayer(store::Store* store) : store_(store) {}

  // --- Key/value ---
  Status Put(std::string_view scope, std::string_view key, std::string_view value);
  Result<std::optional<std::string>> Get(std::string_view scope, std::string_view key);
  Status Delete(std::string_view scope, std::string_view key);
  Result<std::vector<std::string>> ListKeys(std::string_view scope, int64_t start, int64_t count);

  // --- Maps ---
  Status CreateMap(std::string_view scope, std::string_view map);  // no effect (see above)
  Status PutMapEntry(std::string_view scope, std::string_view map, std::string_view key,
                     std::string_view value);
  Result<std::optional<std::string>> GetMapEntry(std::string_view scope, std::string_view map,
                                                 std::string_view key);
  // false: the map does not exist.
  Result<bool> DeleteMapEntry(std::string_view scope, std::string_view map, std::string_view key);
  Result<bool> ContainsMapKey(std::string_view scope, std::string_view map, std::string_view key);
  Result<std::vector<std::string>> GetMapKeys(std::string_view scope, std::string_view map);
  // Every (key, value) of the map, in key order.
  Result<std::vector<std::pair<std::string, std::string>>> RetrieveMap(std::string_view scope,
                                                                       std::string_view map);
  Status ClearMap(std::string_view scope, std::string_view map);
  Status DeleteMap(std::string_view scope, std::string_view map);
  Result<std::vector<std::string>> ListMaps(std::string_view scope, int64_t start, int64_t count);

  // --- Sets ---
  Status CreateSet(std::string_view scope, std::string_view set);  // no effect (see above)
  Status AddSetEntry(std::string_view scope, std::string_view set, std::string_view item);
  // false: the set does not exist.
  Result<bool> RemoveSetEntry(std::string_view scope, std::string_view set, std::string_view item);
  Result<bool> ContainsSetItem(std::string_view scope, std::string_view set, std::string_view item);
  // The set's items, sorted.
  Result<std::vector<std::string>> RetrieveSet(std::string_view scope, std::string_view set);
  Status ClearSet(std::string_view scope, std::string_view set);
  Status DeleteSet(std::string_view scope, std::string_view set);
  Result<std::vector<std::string>> ListSets(std::string_view scope, int64_t start, int64_t count);

  // --- Counters ---
  // false: the counter exists and holds a value other than 0 (it is left unchanged).
  Result<bool> CreateCounter(std::string_view scope, std::string_view counter, int64_t value);
  Result<int64_t> GetCounter(std::string_view scope, std::string_view counter);  // 0: missing
  // The counter's new value.
  Result<int64_t> IncrementCounter(std::string_view scope, std::string_view counter, int64_t n);
  Result<int64_t> DecrementCounter(std::string_view scope, std::string_view counter, int64_t n);
  Status DeleteCounter(std::string_view scope, std::string_view counter);
  Result<std::vector<std::string>> ListCounters(std::string_view scope, int64_t start,
                                                int64_t count);

  // Deletes everything the scope holds (a deleted user's or workflow's storage), in batches:
  // not atomic as a whole, and a write racing with it may survive.
  Status DeleteScope(std::string_view scope);

 private:
  // The counter's value after adding (or subtracting) n, with a compare-and-set retry loop.
  Result<int64_t> AddToCounter(std::string_view scope, std::string_view counter, int64_t n,
                               bool subtract);

  store::Store* const store_;
};

}  // namespace stator::knix
