// SchedulerService: the scheduler API's routes, validation and answers.
#include "schedules/service.h"

#include <cctype>
#include <cmath>

#include "common/percent_encoding.h"
#include "common/time_format.h"
#include "common/uuid.h"
#include "schedules/expression.h"
#include "schedules/targets.h"
#include "schedules/time_zone.h"

namespace stator::schedules {
namespace {

using json::Value;

Error Validation(std::string message) { return Error{"ValidationException", std::move(message)}; }

// AWS's "1 validation error detected" form for a member's constraint.
Error Constraint(const std::string& value, const std::string& member, const std::string& what) {
  return Validation("1 validation error detected: Value '" + value + "' at '" + member +
                    "' failed to satisfy constraint: " + what);
}
Error Missing(const std::string& member) {
  return Validation("1 validation error detected: Value null at '" + member +
                    "' failed to satisfy constraint: Member must not be null");
}

Error NotFound(const std::string& name) {
  return Error{"ResourceNotFoundException", "Schedule " + name + " does not exist."};
}
Error GroupNotFound(const std::string& group) {
  return Error{"ResourceNotFoundException", "Schedule group " + group + " does not exist."};
}

bool ValidName(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
      return false;
    }
  }
  return true;
}

api::HttpResponse Answer(int status, const Value& body) {
  api::HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.headers.emplace_back("x-amzn-RequestId", NewUuid());
  r.body = body.Dump();
  return r;
}

api::HttpResponse ErrorAnswer(const Error& e) {
  int status = e.error == "ValidationException"         ? 400
               : e.error == "ResourceNotFoundException" ? 404
               : e.error == "ConflictException"         ? 409
                                                        : 500;
  std::string code = status == 500 ? "InternalServerException" : e.error;
  api::HttpResponse r = Answer(status, Value::MakeObject({{"Message", Value::String(e.cause)}}));
  r.headers.emplace_back("x-amzn-ErrorType", code);
  return r;
}

std::string StringMember(const Value& body, const char* key) {
  const Value* v = body.Find(key);
  return v && v->is_string() ? v->as_string() : "";
}

// A timestamp member (epoch seconds, as boto3 sends them; ISO 8601 text accepted too).
Result<std::optional<int64_t>> TimeMember(const Value& body, const char* key) {
  const Value* v = body.Find(key);
  if (v == nullptr || v->is_null()) return std::optional<int64_t>();
  if (v->is_number()) return std::optional<int64_t>(std::llround(v->as_double() * 1000));
  if (v->is_string()) {
    if (std::optional<int64_t> ms = ParseTimestamp(v->as_string())) return ms;
  }
  return Validation("Invalid " + std::string(key) + ": expected a timestamp.");
}

}  // namespace

std::optional<std::string> SchedulerService::Request::Query(const std::string& name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return v;
  }
  return std::nullopt;
}

void SchedulerService::Handle(api::HttpRequest&& http, api::Responder respond) {
  Request r;
  r.method = http.method;
  r.body = std::move(http.body);
  std::string_view target = http.target;
  std::string_view path = target.substr(0, target.find('?'));
  if (size_t q = target.find('?'); q != std::string_view::npos) {
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
      std::string_view pair = rest.substr(0, rest.find('&'));
      rest = pair.size() < rest.size() ? rest.substr(pair.size() + 1) : std::string_view();
      size_t eq = pair.find('=');
      r.query.emplace_back(
          PercentDecode(pair.substr(0, eq), true),
          eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1), true));
    }
  }
  // Segments; the ARN of /tags/ARN is one segment (its '/' may come percent-encoded or not).
  std::string_view p = path.substr(1);
  if (p.starts_with("tags/")) {
    r.segments = {"tags", PercentDecode(p.substr(5), false)};
  } else {
    while (!p.empty()) {
      std::string_view seg = p.substr(0, p.find('/'));
      r.segments.push_back(PercentDecode(seg, false));
      p = seg.size() < p.size() ? p.substr(seg.size() + 1) : std::string_view();
    }
  }
  Value body = Value::EmptyObject();
  if (!r.body.empty()) {
    auto parsed = json::Parse(r.body);
    if (!parsed.ok() || !parsed->is_object()) {
      return respond(ErrorAnswer(Validation("The request body is not a JSON object.")));
    }
    body = std::move(*parsed);
  }
  Result<Value> out = Error{"UnknownOperationException", "Unknown operation"};
  const auto& seg = r.segments;
  if (seg.size() == 1 && seg[0] == "schedules" && r.method == "GET") {
    out = List(r);
  } else if (seg.size() == 2 && seg[0] == "schedules") {
    if (r.method == "POST") out = Create(seg[1], body);
    if (r.method == "PUT") out = Update(seg[1], body);
    if (r.method == "GET") out = Get(r, seg[1]);
    if (r.method == "DELETE") out = Delete(r, seg[1]);
  } else if (seg.size() == 2 && seg[0] == "tags") {
    r.body = body.Dump();
    out = Tags(r, seg[1]);
  }
  if (!out.ok()) {
    if (out.error().error == "UnknownOperationException") {
      api::HttpResponse nf =
          Answer(404, Value::MakeObject({{"Message", Value::String("Unknown operation")}}));
      nf.headers.emplace_back("x-amzn-ErrorType", "UnknownOperationException");
      return respond(std::move(nf));
    }
    return respond(ErrorAnswer(out.error()));
  }
  respond(Answer(200, *out));
}

Result<Schedule> SchedulerService::FromRequest(const std::string& name, const Value& body) {
  Schedule s;
  if (!ValidName(name)) {
    return Constraint(name, "name",
                      "Member must satisfy regular expression pattern: ^[0-9a-zA-Z-_.]+$");
  }
  s.name = name;
  std::string group = StringMember(body, "GroupName");
  if (!group.empty() && group != kDefaultGroup) return GroupNotFound(group);
  s.arn = scope_.Of("scheduler", "schedule/" + s.group + "/" + name);
  const Value* expr = body.Find("ScheduleExpression");
  if (expr == nullptr || !expr->is_string()) return Missing("scheduleExpression");
  s.expression = expr->as_string();
  if (s.expression.size() > 256) {
    return Constraint(s.expression, "scheduleExpression",
                      "Member must have length less than or equal to 256");
  }
  if (auto e = Expression::Parse(s.expression); !e.ok()) return e.error();
  s.timezone = StringMember(body, "ScheduleExpressionTimezone");
  if (!s.timezone.empty()) {
    if (!TimeZone::Load(s.timezone).ok()) {
      return Validation("Invalid ScheduleExpressionTimezone " + s.timezone + ".");
    }
    if (s.timezone == "UTC") s.timezone.clear();
  }
  const Value* window = body.Find("FlexibleTimeWindow");
  if (window == nullptr || !window->is_object()) return Missing("flexibleTimeWindow");
  std::string mode = StringMember(*window, "Mode");
  if (mode != "OFF" && mode != "FLEXIBLE") {
    return Constraint(mode, "flexibleTimeWindow.mode",
                      "Member must satisfy enum value set: [OFF, FLEXIBLE]");
  }
  if (mode == "FLEXIBLE") {
    const Value* max = window->Find("MaximumWindowInMinutes");
    if (max == nullptr || !max->is_int() || max->as_int() < 1 || max->as_int() > 1440) {
      return Validation("MaximumWindowInMinutes must be between 1 and 1440 when Mode is FLEXIBLE.");
    }
  }
  s.flexible_time_window = *window;
  const Value* target = body.Find("Target");
  if (target == nullptr || !target->is_object()) return Missing("target");
  std::string arn = StringMember(*target, "Arn");
  if (arn.empty()) return Missing("target.arn");
  if (StringMember(*target, "RoleArn").empty()) return Missing("target.roleArn");
  if (!RunnableTarget(arn)) {
    return Validation("Invalid target " + arn +
                      ": stator runs Lambda function and Step Functions state machine targets.");
  }
  if (const Value* input = target->Find("Input"); input && !input->is_string()) {
    return Validation("Target.Input must be a string.");
  }
  s.target = *target;
  const Value* state = body.Find("State");
  if (state != nullptr) {
    if (!state->is_string() ||
        (state->as_string() != "ENABLED" && state->as_string() != "DISABLED")) {
      return Constraint(state->is_string() ? state->as_string() : state->Dump(), "state",
                        "Member must satisfy enum value set: [ENABLED, DISABLED]");
    }
    s.state = state->as_string();
  }
  s.description = StringMember(body, "Description");
  if (s.description.size() > 512) {
    return Constraint(s.description, "description",
                      "Member must have length less than or equal to 512");
  }
  STATOR_TRY(s.start_ms, TimeMember(body, "StartDate"));
  STATOR_TRY(s.end_ms, TimeMember(body, "EndDate"));
  if (s.start_ms && s.end_ms && *s.end_ms <= *s.start_ms) {
    return Validation("The EndDate must be after the StartDate.");
  }
  if (const Value* after = body.Find("ActionAfterCompletion")) {
    std::string a = after->is_string() ? after->as_string() : "";
    if (a != "NONE" && a != "DELETE") {
      return Constraint(a, "actionAfterCompletion",
                        "Member must satisfy enum value set: [NONE, DELETE]");
    }
    s.action_after_completion = a;
  }
  s.rule_arn = StringMember(body, "StatorRuleArn");
  return s;
}

Result<Schedule> SchedulerService::Existing(const std::string& group, const std::string& name) {
  if (!group.empty() && group != kDefaultGroup) return GroupNotFound(group);
  STATOR_TRY(std::optional<Schedule> s, catalog_->Get(std::string(kDefaultGroup) + "/" + name));
  if (!s) return NotFound(name);
  return std::move(*s);
}

Result<Value> SchedulerService::Create(const std::string& name, const Value& body) {
  STATOR_TRY(Schedule s, FromRequest(name, body));
  const int64_t now = timers_->NowMillis();
  s.creation_ms = s.modified_ms = now;
  s.anchor_ms = s.start_ms.value_or(now);
  STATOR_TRY(std::optional<int64_t> next, NextFiring(s, now));
  Status st = catalog_->Create(s, FireState{next, 0});
  if (!st.ok()) {
    if (st.error().error == store::kConditionFailed) {
      return Error{"ConflictException", "Schedule " + name + " already exists."};
    }
    return st.error();
  }
  runner_->Changed(s.key());
  return Value::MakeObject({{"ScheduleArn", Value::String(s.arn)}});
}

Result<Value> SchedulerService::Update(const std::string& name, const Value& body) {
  STATOR_TRY(Schedule s, FromRequest(name, body));
  STATOR_TRY(Schedule old, Existing(StringMember(body, "GroupName"), name));
  const int64_t now = timers_->NowMillis();
  s.creation_ms = old.creation_ms;
  s.modified_ms = now;
  s.tags = old.tags;
  // A client's UpdateSchedule cannot send StatorRuleArn: the schedule stays its rule's.
  if (s.rule_arn.empty()) s.rule_arn = old.rule_arn;
  // A rate keeps its rhythm unless its expression or StartDate changed.
  bool same_rhythm = s.expression == old.expression && s.start_ms == old.start_ms;
  s.anchor_ms = same_rhythm ? old.anchor_ms : s.start_ms.value_or(now);
  STATOR_TRY(std::optional<int64_t> next, NextFiring(s, now));
  STATOR_TRY(std::string fire_text, catalog_->FireText(s.key()));
  FireState fire = FireState::Parse(fire_text);
  Status st = catalog_->Update(s, FireState{next, fire.count});
  if (!st.ok()) {
    if (st.error().error == store::kConditionFailed) return NotFound(name);
    return st.error();
  }
  runner_->Changed(s.key());
  return Value::MakeObject({{"ScheduleArn", Value::String(s.arn)}});
}

Result<Value> SchedulerService::Get(const Request& r, const std::string& name) {
  STATOR_TRY(Schedule s, Existing(r.Query("groupName").value_or(""), name));
  return s.Describe();
}

Result<Value> SchedulerService::Delete(const Request& r, const std::string& name) {
  std::string group = r.Query("groupName").value_or("");
  if (!group.empty() && group != kDefaultGroup) return GroupNotFound(group);
  std::string key = std::string(kDefaultGroup) + "/" + name;
  Status st = catalog_->Delete(key);
  if (!st.ok()) {
    if (st.error().error == store::kConditionFailed) return NotFound(name);
    return st.error();
  }
  runner_->Changed(key);
  return Value::EmptyObject();
}

Result<Value> SchedulerService::List(const Request& r) {
  std::string group = r.Query("ScheduleGroup").value_or("");
  if (!group.empty() && group != kDefaultGroup) return GroupNotFound(group);
  int limit = 100;
  if (auto m = r.Query("MaxResults")) {
    char* end = nullptr;
    long v = std::strtol(m->c_str(), &end, 10);
    if (m->empty() || *end != '\0' || v < 1 || v > 100) {
      return Constraint(*m, "maxResults", "Member must have value less than or equal to 100");
    }
    limit = static_cast<int>(v);
  }
  std::optional<std::string> state = r.Query("State");
  if (state && *state != "ENABLED" && *state != "DISABLED") {
    return Constraint(*state, "state", "Member must satisfy enum value set: [ENABLED, DISABLED]");
  }
  std::string prefix = std::string(kDefaultGroup) + "/" + r.Query("NamePrefix").value_or("");
  std::string after = r.Query("NextToken").value_or("");
  json::Array items;
  std::string next;
  // Filtering by state may leave pages short: read on until the page is full.
  while (static_cast<int>(items.size()) < limit) {
    STATOR_TRY(store::Page<Schedule> page, catalog_->List(prefix, after, limit));
    for (const Schedule& s : page.items) {
      after = s.key();
      if (state && s.state != *state) continue;
      items.push_back(s.Summary());
      if (static_cast<int>(items.size()) == limit) break;
    }
    if (page.next.empty()) {
      after.clear();
      break;
    }
  }
  json::Object out = {{"Schedules", Value::MakeArray(std::move(items))}};
  if (!after.empty()) out.emplace_back("NextToken", Value::String(after));
  return Value::MakeObject(std::move(out));
}

Result<Value> SchedulerService::Tags(const Request& r, const std::string& arn) {
  // arn:PARTITION:scheduler:REGION:ACCOUNT:schedule/GROUP/NAME
  size_t at = arn.find(":schedule/");
  std::string rest = at == std::string::npos ? "" : arn.substr(at + 10);
  size_t slash = rest.find('/');
  if (slash == std::string::npos) {
    return Error{"ResourceNotFoundException", "Resource " + arn + " does not exist."};
  }
  STATOR_TRY(Schedule s, Existing(rest.substr(0, slash), rest.substr(slash + 1)));
  auto list = [&s] {
    json::Array tags;
    for (const auto& [k, v] : s.tags) {
      tags.push_back(Value::MakeObject({{"Key", Value::String(k)}, {"Value", Value::String(v)}}));
    }
    return Value::MakeObject({{"Tags", Value::MakeArray(std::move(tags))}});
  };
  if (r.method == "GET") return list();
  if (r.method == "POST") {
    auto body = json::Parse(r.body);
    const Value* tags = body.ok() ? body->Find("Tags") : nullptr;
    if (tags == nullptr || !tags->is_array()) return Missing("tags");
    for (const Value& t : tags->as_array()) {
      std::string k = StringMember(t, "Key"), v = StringMember(t, "Value");
      if (k.empty()) return Missing("tags.member.key");
      bool found = false;
      for (auto& [key, value] : s.tags) {
        if (key == k) {
          value = v;
          found = true;
        }
      }
      if (!found) s.tags.emplace_back(k, v);
    }
  } else if (r.method == "DELETE") {
    for (const auto& param : r.query) {
      if (param.first != "TagKeys") continue;
      const std::string& key = param.second;
      std::erase_if(s.tags, [&key](const auto& tag) { return tag.first == key; });
    }
  } else {
    return Error{"UnknownOperationException", "Unknown operation"};
  }
  Status st = catalog_->Rewrite(s);
  if (!st.ok()) {
    if (st.error().error == store::kConditionFailed) return NotFound(s.name);
    return st.error();
  }
  return Value::EmptyObject();
}

}  // namespace stator::schedules
