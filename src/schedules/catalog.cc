// Catalog: schedule and fire records.
#include "schedules/catalog.h"

namespace stator::schedules {

using store::RecordWrite;
using Condition = store::RecordWrite::Condition;

Status Catalog::Create(const Schedule& s, const FireState& fire) {
  return store_->WriteRecords(
      {RecordWrite::Put(kSchedulesKind, s.key(), s.ToJson().Dump(), Condition::kAbsent),
       RecordWrite::Put(kFireKind, s.key(), fire.Text())});
}

Status Catalog::Update(const Schedule& s, const FireState& fire) {
  return store_->WriteRecords(
      {RecordWrite::Put(kSchedulesKind, s.key(), s.ToJson().Dump(), Condition::kPresent),
       RecordWrite::Put(kFireKind, s.key(), fire.Text())});
}

Status Catalog::Rewrite(const Schedule& s) {
  return store_->WriteRecords(
      {RecordWrite::Put(kSchedulesKind, s.key(), s.ToJson().Dump(), Condition::kPresent)});
}

Status Catalog::Delete(const std::string& key) {
  return store_->WriteRecords({RecordWrite::Delete(kSchedulesKind, key, Condition::kPresent),
                               RecordWrite::Delete(kFireKind, key)});
}

Result<std::optional<Schedule>> Catalog::Get(const std::string& key) {
  STATOR_TRY(std::optional<std::string> text, store_->GetRecord(kSchedulesKind, key));
  if (!text) return std::optional<Schedule>();
  STATOR_TRY(json::Value v, json::Parse(*text));
  STATOR_TRY(Schedule s, Schedule::FromJson(v));
  return std::optional<Schedule>(std::move(s));
}

Result<store::Page<Schedule>> Catalog::List(const std::string& prefix, const std::string& after,
                                            int limit) {
  STATOR_TRY(store::Page<store::Record> page,
             store_->ListRecords(kSchedulesKind, prefix, after, limit));
  store::Page<Schedule> out;
  for (const store::Record& r : page.items) {
    auto v = json::Parse(r.value);
    if (!v.ok()) continue;
    auto s = Schedule::FromJson(*v);
    if (s.ok()) out.items.push_back(std::move(*s));
  }
  out.next = page.next;
  return out;
}

Result<std::string> Catalog::FireText(const std::string& key) {
  STATOR_TRY(std::optional<std::string> text, store_->GetRecord(kFireKind, key));
  return text.value_or("");
}

Status Catalog::Claim(const std::string& key, const std::string& expected, const FireState& next) {
  return store_->WriteRecords({RecordWrite::IfEquals(kFireKind, key, next.Text(), expected)});
}

}  // namespace stator::schedules
