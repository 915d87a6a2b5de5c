#include "knix/data_layer.h"

#include <algorithm>
#include <string>

#include "common/json.h"

namespace stator::knix {
namespace {

using store::Record;
using store::RecordWrite;

constexpr int kPageSize = 1000;
// A compare-and-set that loses this many times in a row gives up (each loss is another
// writer's success, so this only ends a pathological storm).
constexpr int kMaxCasAttempts = 100000;
constexpr const char* kMarker = "{}";

// '%' -> "%25", '/' -> "%2F": the result holds no '/', so Escape(a) + "/" is never a prefix of
// Escape(b) + "/" for a != b.
std::string Escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '%') {
      out += "%25";
    } else if (c == '/') {
      out += "%2F";
    } else {
      out += c;
    }
  }
  return out;
}

std::string ScopePrefix(std::string_view scope) { return Escape(scope) + "/"; }

// The prefix of the entries (items) of one map (set) of a scope.
std::string MemberPrefix(std::string_view scope, std::string_view name) {
  return ScopePrefix(scope) + Escape(name) + "/";
}

std::string Key(std::string_view scope, std::string_view name) {
  std::string key = ScopePrefix(scope);
  key.append(name);
  return key;
}

std::string MemberKey(std::string_view scope, std::string_view name, std::string_view member) {
  std::string key = MemberPrefix(scope, name);
  key.append(member);
  return key;
}

std::string Quote(std::string_view s) {
  std::string out;
  json::AppendQuoted(s, &out);
  return out;
}

Error Corrupt(std::string_view kind, std::string_view key, std::string_view why) {
  return Error{store::kStoreFailure, "corrupt record " + std::string(kind) + "/" +
                                         std::string(key) + ": " + std::string(why)};
}

Result<std::string> Unquote(std::string_view kind, std::string_view key, std::string_view text) {
  auto parsed = json::Parse(text);
  if (!parsed.ok()) return Corrupt(kind, key, parsed.error().cause);
  if (!parsed->is_string()) return Corrupt(kind, key, "not a JSON string");
  return parsed->as_string();
}

Result<int64_t> ParseCounter(std::string_view key, std::string_view text) {
  auto parsed = json::Parse(text);
  if (!parsed.ok()) return Corrupt(kDataCounterKind, key, parsed.error().cause);
  if (!parsed->is_int()) return Corrupt(kDataCounterKind, key, "not a JSON integer");
  return parsed->as_int();
}

bool ConditionFailed(const Status& s) {
  return !s.ok() && s.error().error == store::kConditionFailed;
}

// Every record of `kind` under `prefix`, in key order.
Result<std::vector<Record>> ListAll(store::Store* store, const char* kind,
                                    const std::string& prefix) {
  std::vector<Record> all;
  std::string after;
  while (true) {
    STATOR_TRY(store::Page<Record> page, store->ListRecords(kind, prefix, after, kPageSize));
    for (Record& r : page.items) all.push_back(std::move(r));
    if (page.next.empty()) return all;
    after = std::move(page.next);
  }
}

// The names (keys without `prefix`) at positions [start, start + count) of the records of
// `kind` under `prefix`.
Result<std::vector<std::string>> ListNames(store::Store* store, const char* kind,
                                           const std::string& prefix, int64_t start,
                                           int64_t count) {
  std::vector<std::string> names;
  if (start < 0 || count < 1) return names;
  int64_t skip = start;
  std::string after;
  while (static_cast<int64_t>(names.size()) < count) {
    int64_t wanted = skip + count - static_cast<int64_t>(names.size());
    int limit = static_cast<int>(std::min<int64_t>(wanted, kPageSize));
    STATOR_TRY(store::Page<Record> page, store->ListRecords(kind, prefix, after, limit));
    for (Record& r : page.items) {
      if (skip > 0) {
        --skip;
        continue;
      }
      if (static_cast<int64_t>(names.size()) == count) break;
      names.push_back(r.key.substr(prefix.size()));
    }
    if (page.next.empty()) break;
    after = std::move(page.next);
  }
  return names;
}

// The member names (entry keys, items) of one map or set, in order.
Result<std::vector<std::string>> MemberNames(store::Store* store, const char* kind,
                                             const std::string& prefix) {
  STATOR_TRY(std::vector<Record> records, ListAll(store, kind, prefix));
  std::vector<std::string> names;
  names.reserve(records.size());
  for (Record& r : records) names.push_back(r.key.substr(prefix.size()));
  return names;
}

// The writes that delete every member of one map or set (and, with_header, the map or set
// itself).
Result<std::vector<RecordWrite>> DeleteMembers(store::Store* store, const char* header_kind,
                                               const char* member_kind, std::string_view scope,
                                               std::string_view name, bool with_header) {
  STATOR_TRY(std::vector<Record> records, ListAll(store, member_kind, MemberPrefix(scope, name)));
  std::vector<RecordWrite> writes;
  writes.reserve(records.size() + 1);
  for (Record& r : records) writes.push_back(RecordWrite::Delete(member_kind, std::move(r.key)));
  if (with_header) writes.push_back(RecordWrite::Delete(header_kind, Key(scope, name)));
  return writes;
}

Status WriteAll(store::Store* store, const std::vector<RecordWrite>& writes) {
  if (writes.empty()) return Status::Ok();
  return store->WriteRecords(writes);
}

// Keys KNIX keeps in a user's default table for itself and DataLayerClient.listKeys hides.
bool HiddenKey(std::string_view key) {
  return key.starts_with("grain_requirements_") || key.starts_with("grain_source_") ||
         key.starts_with("workflow_json_") || key.ends_with("_metadata");
}

}  // namespace

// --- Key/value ---

Status DataLayer::Put(std::string_view scope, std::string_view key, std::string_view value) {
  return store_->WriteRecords({RecordWrite::Put(kDataKvKind, Key(scope, key), Quote(value))});
}

Result<std::optional<std::string>> DataLayer::Get(std::string_view scope, std::string_view key) {
  std::string record_key = Key(scope, key);
  STATOR_TRY(std::optional<std::string> text, store_->GetRecord(kDataKvKind, record_key));
  if (!text) return std::optional<std::string>();
  STATOR_TRY(std::string value, Unquote(kDataKvKind, record_key, *text));
  return std::optional<std::string>(std::move(value));
}

Status DataLayer::Delete(std::string_view scope, std::string_view key) {
  return store_->WriteRecords({RecordWrite::Delete(kDataKvKind, Key(scope, key))});
}

Result<std::vector<std::string>> DataLayer::ListKeys(std::string_view scope, int64_t start,
                                                     int64_t count) {
  STATOR_TRY(std::vector<std::string> keys,
             ListNames(store_, kDataKvKind, ScopePrefix(scope), start, count));
  std::erase_if(keys, HiddenKey);
  return keys;
}

// --- Maps ---

Status DataLayer::CreateMap(std::string_view, std::string_view) { return Status::Ok(); }

Status DataLayer::PutMapEntry(std::string_view scope, std::string_view map, std::string_view key,
                              std::string_view value) {
  return store_->WriteRecords(
      {RecordWrite::Put(kDataMapKind, Key(scope, map), kMarker),
       RecordWrite::Put(kDataMapEntryKind, MemberKey(scope, map, key), Quote(value))});
}

Result<std::optional<std::string>> DataLayer::GetMapEntry(std::string_view scope,
                                                          std::string_view map,
                                                          std::string_view key) {
  std::string record_key = MemberKey(scope, map, key);
  STATOR_TRY(std::optional<std::string> text, store_->GetRecord(kDataMapEntryKind, record_key));
  if (!text) return std::optional<std::string>();
  STATOR_TRY(std::string value, Unquote(kDataMapEntryKind, record_key, *text));
  return std::optional<std::string>(std::move(value));
}

Result<bool> DataLayer::DeleteMapEntry(std::string_view scope, std::string_view map,
                                       std::string_view key) {
  Status s = store_->WriteRecords(
      {RecordWrite::Put(kDataMapKind, Key(scope, map), kMarker, RecordWrite::Condition::kPresent),
       RecordWrite::Delete(kDataMapEntryKind, MemberKey(scope, map, key))});
  if (ConditionFailed(s)) return false;
  if (!s.ok()) return std::move(s).error();
  return true;
}

Result<bool> DataLayer::ContainsMapKey(std::string_view scope, std::string_view map,
                                       std::string_view key) {
  STATOR_TRY(std::optional<std::string> text,
             store_->GetRecord(kDataMapEntryKind, MemberKey(scope, map, key)));
  return text.has_value();
}

Result<std::vector<std::string>> DataLayer::GetMapKeys(std::string_view scope,
                                                       std::string_view map) {
  return MemberNames(store_, kDataMapEntryKind, MemberPrefix(scope, map));
}

Result<std::vector<std::pair<std::string, std::string>>> DataLayer::RetrieveMap(
    std::string_view scope, std::string_view map) {
  std::string prefix = MemberPrefix(scope, map);
  STATOR_TRY(std::vector<Record> records, ListAll(store_, kDataMapEntryKind, prefix));
  std::vector<std::pair<std::string, std::string>> entries;
  entries.reserve(records.size());
  for (Record& r : records) {
    STATOR_TRY(std::string value, Unquote(kDataMapEntryKind, r.key, r.value));
    entries.emplace_back(r.key.substr(prefix.size()), std::move(value));
  }
  return entries;
}

Status DataLayer::ClearMap(std::string_view scope, std::string_view map) {
  STATOR_TRY(std::vector<RecordWrite> writes,
             DeleteMembers(store_, kDataMapKind, kDataMapEntryKind, scope, map, false));
  return WriteAll(store_, writes);
}

Status DataLayer::DeleteMap(std::string_view scope, std::string_view map) {
  STATOR_TRY(std::vector<RecordWrite> writes,
             DeleteMembers(store_, kDataMapKind, kDataMapEntryKind, scope, map, true));
  return WriteAll(store_, writes);
}

Result<std::vector<std::string>> DataLayer::ListMaps(std::string_view scope, int64_t start,
                                                     int64_t count) {
  return ListNames(store_, kDataMapKind, ScopePrefix(scope), start, count);
}

// --- Sets ---

Status DataLayer::CreateSet(std::string_view, std::string_view) { return Status::Ok(); }

Status DataLayer::AddSetEntry(std::string_view scope, std::string_view set, std::string_view item) {
  return store_->WriteRecords(
      {RecordWrite::Put(kDataSetKind, Key(scope, set), kMarker),
       RecordWrite::Put(kDataSetItemKind, MemberKey(scope, set, item), kMarker)});
}

Result<bool> DataLayer::RemoveSetEntry(std::string_view scope, std::string_view set,
                                       std::string_view item) {
  Status s = store_->WriteRecords(
      {RecordWrite::Put(kDataSetKind, Key(scope, set), kMarker, RecordWrite::Condition::kPresent),
       RecordWrite::Delete(kDataSetItemKind, MemberKey(scope, set, item))});
  if (ConditionFailed(s)) return false;
  if (!s.ok()) return std::move(s).error();
  return true;
}

Result<bool> DataLayer::ContainsSetItem(std::string_view scope, std::string_view set,
                                        std::string_view item) {
  STATOR_TRY(std::optional<std::string> text,
             store_->GetRecord(kDataSetItemKind, MemberKey(scope, set, item)));
  return text.has_value();
}

Result<std::vector<std::string>> DataLayer::RetrieveSet(std::string_view scope,
                                                        std::string_view set) {
  return MemberNames(store_, kDataSetItemKind, MemberPrefix(scope, set));
}

Status DataLayer::ClearSet(std::string_view scope, std::string_view set) {
  STATOR_TRY(std::vector<RecordWrite> writes,
             DeleteMembers(store_, kDataSetKind, kDataSetItemKind, scope, set, false));
  return WriteAll(store_, writes);
}

Status DataLayer::DeleteSet(std::string_view scope, std::string_view set) {
  STATOR_TRY(std::vector<RecordWrite> writes,
             DeleteMembers(store_, kDataSetKind, kDataSetItemKind, scope, set, true));
  return WriteAll(store_, writes);
}

Result<std::vector<std::string>> DataLayer::ListSets(std::string_view scope, int64_t start,
                                                     int64_t count) {
  STATOR_TRY(std::vector<std::string> sets,
             ListNames(store_, kDataSetKind, ScopePrefix(scope), start, count));
  std::erase_if(sets, [](const std::string& name) { return name.ends_with("_outputkeys_set"); });
  return sets;
}

// --- Counters ---

Result<bool> DataLayer::CreateCounter(std::string_view scope, std::string_view counter,
                                      int64_t value) {
  std::string key = Key(scope, counter);
  std::string text = std::to_string(value);
  for (int attempt = 0; attempt < kMaxCasAttempts; ++attempt) {
    STATOR_TRY(std::optional<std::string> current, store_->GetRecord(kDataCounterKind, key));
    RecordWrite write =
        RecordWrite::Put(kDataCounterKind, key, text, RecordWrite::Condition::kAbsent);
    if (current) {
      STATOR_TRY(int64_t old, ParseCounter(key, *current));
      if (old != 0) return false;
      write = RecordWrite::IfEquals(kDataCounterKind, key, text, *current);
    }
    Status s = store_->WriteRecords({write});
    if (s.ok()) return true;
    if (!ConditionFailed(s)) return std::move(s).error();
  }
  return Error{store::kStoreFailure, "counter " + key + ": too many concurrent writers"};
}

Result<int64_t> DataLayer::GetCounter(std::string_view scope, std::string_view counter) {
  std::string key = Key(scope, counter);
  STATOR_TRY(std::optional<std::string> current, store_->GetRecord(kDataCounterKind, key));
  if (!current) return int64_t{0};
  return ParseCounter(key, *current);
}

Result<int64_t> DataLayer::IncrementCounter(std::string_view scope, std::string_view counter,
                                            int64_t n) {
  return AddToCounter(scope, counter, n, /*subtract=*/false);
}

Result<int64_t> DataLayer::DecrementCounter(std::string_view scope, std::string_view counter,
                                            int64_t n) {
  return AddToCounter(scope, counter, n, /*subtract=*/true);
}

Result<int64_t> DataLayer::AddToCounter(std::string_view scope, std::string_view counter, int64_t n,
                                        bool subtract) {
  std::string key = Key(scope, counter);
  for (int attempt = 0; attempt < kMaxCasAttempts; ++attempt) {
    STATOR_TRY(std::optional<std::string> current, store_->GetRecord(kDataCounterKind, key));
    int64_t old = 0;
    if (current) {
      STATOR_TRY(int64_t parsed, ParseCounter(key, *current));
      old = parsed;
    }
    int64_t next = 0;
    if (subtract ? __builtin_sub_overflow(old, n, &next) : __builtin_add_overflow(old, n, &next)) {
      return Error{kCounterOverflow, "counter " + std::string(counter) + " holds " +
                                         std::to_string(old) + "; " +
                                         (subtract ? "subtracting " : "adding ") +
                                         std::to_string(n) + " leaves the 64-bit range"};
    }
    std::string text = std::to_string(next);
    Status s = store_->WriteRecords(
        {current ? RecordWrite::IfEquals(kDataCounterKind, key, text, *current)
                 : RecordWrite::Put(kDataCounterKind, key, text, RecordWrite::Condition::kAbsent)});
    if (s.ok()) return next;
    if (!ConditionFailed(s)) return std::move(s).error();
  }
  return Error{store::kStoreFailure, "counter " + key + ": too many concurrent writers"};
}

Status DataLayer::DeleteCounter(std::string_view scope, std::string_view counter) {
  return store_->WriteRecords({RecordWrite::Delete(kDataCounterKind, Key(scope, counter))});
}

Result<std::vector<std::string>> DataLayer::ListCounters(std::string_view scope, int64_t start,
                                                         int64_t count) {
  return ListNames(store_, kDataCounterKind, ScopePrefix(scope), start, count);
}

// --- Whole scopes ---

Status DataLayer::DeleteScope(std::string_view scope) {
  std::string prefix = ScopePrefix(scope);
  for (const char* kind : {kDataKvKind, kDataMapKind, kDataMapEntryKind, kDataSetKind,
                           kDataSetItemKind, kDataCounterKind}) {
    while (true) {
      STATOR_TRY(store::Page<Record> page, store_->ListRecords(kind, prefix, "", kPageSize));
      if (page.items.empty()) break;
      std::vector<RecordWrite> writes;
      writes.reserve(page.items.size());
      for (Record& r : page.items) writes.push_back(RecordWrite::Delete(kind, std::move(r.key)));
      STATOR_RETURN_IF_ERROR(store_->WriteRecords(writes));
      if (page.next.empty()) break;
    }
  }
  return Status::Ok();
}

}  // namespace stator::knix
