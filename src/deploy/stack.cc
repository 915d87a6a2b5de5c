#include "deploy/stack.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <optional>
#include <regex>

#include "common/hash.h"
#include "deploy/intrinsics.h"

namespace stator::deploy {
namespace {

using json::Value;

constexpr const char* kSamTransform = "AWS::Serverless-2016-10-31";

Value Str(std::string s) { return Value::String(std::move(s)); }

bool IsDir(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}
bool Exists(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0;
}

std::string JoinPath(const std::string& dir, const std::string& p) {
  if (p.starts_with("/")) return p;
  std::string rel = p;
  while (rel.starts_with("./")) rel = rel.substr(2);
  if (dir.empty() || dir == ".") return rel.empty() ? "." : rel;
  return dir + "/" + rel;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Deep merge for SAM Globals: maps merge (the resource wins), lists are the global items then
// the resource's, anything else is the resource's.
Value MergeGlobals(const Value& global, const Value& own) {
  if (global.is_object() && own.is_object() && !IsIntrinsic(global) && !IsIntrinsic(own)) {
    Value out = global;
    for (const auto& [k, v] : own.as_object()) {
      const Value* g = out.Find(k);
      out = out.With(k, g ? MergeGlobals(*g, v) : v);
    }
    return out;
  }
  if (global.is_array() && own.is_array()) {
    Value out = global;
    for (const Value& v : own.as_array()) out = out.Append(v);
    return out;
  }
  return own;
}

struct RawResource {
  std::string id;
  std::string type;
  Value properties = Value::EmptyObject();
  std::string condition;
  std::set<std::string> depends_on;
  bool implicit = false;
  size_t order = 0;
};

// What Ref and GetAtt of a resource give.
struct Attributes {
  Value ref;
  std::map<std::string, Value> atts;
  bool any_attribute = false;  // skipped resources: every attribute has a placeholder value
  std::string type;
};

class Planner {
 public:
  Planner(const Template& t, const PlanOptions& o) : t_(t), o_(o) {}

  Result<Plan> Run() {
    plan_.stack_name = o_.stack_name;
    plan_.account = o_.account;
    plan_.region = o_.region;
    plan_.partition = o_.region.starts_with("cn-")       ? "aws-cn"
                      : o_.region.starts_with("us-gov-") ? "aws-us-gov"
                                                         : "aws";
    std::string h = hash::HexDigest(hash::Algorithm::kSha256,
                                    o_.account + "/" + o_.region + "/" + o_.stack_name);
    plan_.stack_id = "arn:" + plan_.partition + ":cloudformation:" + o_.region + ":" + o_.account +
                     ":stack/" + o_.stack_name + "/" + h.substr(0, 8) + "-" + h.substr(8, 4) + "-" +
                     h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20, 12);
    if (!IsValidStackName(o_.stack_name)) {
      return Error{"Template", "invalid stack name '" + o_.stack_name +
                                   "': a letter, then letters, digits and '-' (at most 128)"};
    }
    STATOR_RETURN_IF_ERROR(CheckSections());
    STATOR_RETURN_IF_ERROR(ReadParameters());
    STATOR_RETURN_IF_ERROR(ReadResources());
    STATOR_TRY(std::vector<RawResource*> order, Order());
    for (RawResource* r : order) STATOR_RETURN_IF_ERROR(PlanResource(*r));
    STATOR_RETURN_IF_ERROR(ReadOutputs());
    return std::move(plan_);
  }

 private:
  Error Fail(const std::string& where_key, const std::string& message) const {
    return Error{"Template", t_.Where(where_key) + message};
  }
  Error FailResource(const RawResource& r, const std::string& message) const {
    return Fail("Resources." + r.id, "resource " + r.id + " (" + r.type + "): " + message);
  }

  Status CheckSections() {
    static const std::set<std::string> known = {"AWSTemplateFormatVersion",
                                                "Transform",
                                                "Description",
                                                "Metadata",
                                                "Parameters",
                                                "Mappings",
                                                "Conditions",
                                                "Resources",
                                                "Outputs",
                                                "Globals",
                                                "Rules"};
    for (const auto& [k, v] : t_.root.as_object()) {
      if (!known.count(k)) return Fail(k, "unknown top-level section '" + k + "'");
    }
    if (const Value* tr = t_.root.Find("Transform")) {
      std::vector<Value> list = tr->is_array() ? tr->as_array() : std::vector<Value>{*tr};
      for (const Value& v : list) {
        if (!v.is_string()) return Fail("Transform", "Transform must be a name");
        if (v.as_string() == kSamTransform) {
          sam_ = true;
        } else if (v.as_string() != "AWS::LanguageExtensions") {
          return Fail("Transform", "unsupported transform '" + v.as_string() + "' (stator knows " +
                                       kSamTransform + " and AWS::LanguageExtensions)");
        }
      }
    }
    if (const Value* m = t_.root.Find("Mappings"); m && m->is_object()) mappings_ = m;
    if (const Value* c = t_.root.Find("Conditions")) {
      if (!c->is_object()) return Fail("Conditions", "Conditions must be a mapping");
      conditions_ = c;
    }
    return Status::Ok();
  }

  // --- parameters ------------------------------------------------------------------------

  Status ReadParameters() {
    const Value* params = t_.root.Find("Parameters");
    if (params && !params->is_null() && !params->is_object()) {
      return Fail("Parameters", "Parameters must be a mapping");
    }
    std::set<std::string> declared;
    if (params && params->is_object()) {
      for (const auto& [name, decl] : params->as_object()) {
        declared.insert(name);
        std::string key = "Parameters." + name;
        if (!decl.is_object()) return Fail(key, "parameter " + name + " must be a mapping");
        std::string type = "String";
        if (const Value* ty = decl.Find("Type"); ty && ty->is_string()) type = ty->as_string();
        std::optional<std::string> value;
        for (const auto& [k, v] : o_.parameter_overrides) {
          if (k == name) value = v;
        }
        if (!value) {
          if (const Value* d = decl.Find("Default")) {
            auto text = ScalarText(*d, "parameter " + name + " Default");
            if (!text.ok()) return Fail(key, text.error().cause);
            value = *text;
          }
        }
        if (!value) {
          return Fail(key, "parameter " + name +
                               " has no Default; give it with --parameter-overrides " + name +
                               "=VALUE");
        }
        if (const Value* allowed = decl.Find("AllowedValues"); allowed && allowed->is_array()) {
          bool ok = false;
          std::string list;
          for (const Value& a : allowed->as_array()) {
            auto text = ScalarText(a, "AllowedValues");
            if (!text.ok()) continue;
            if (*text == *value) ok = true;
            list += (list.empty() ? "" : ", ") + *text;
          }
          if (!ok) {
            return Fail(key, "parameter " + name + " value '" + *value +
                                 "' is not one of the AllowedValues [" + list + "]");
          }
        }
        if (const Value* pattern = decl.Find("AllowedPattern"); pattern && pattern->is_string()) {
          bool matched = false;
          try {
            matched = std::regex_match(*value, std::regex(pattern->as_string()));
          } catch (const std::regex_error&) {
            return Fail(key, "parameter " + name + ": AllowedPattern is not a valid pattern");
          }
          if (!matched) {
            return Fail(key, "parameter " + name + " value '" + *value +
                                 "' does not match the AllowedPattern " + pattern->as_string());
          }
        }
        Value v = Str(*value);
        if (type == "Number") {
          char* end = nullptr;
          strtod(value->c_str(), &end);
          if (value->empty() || *end != '\0') {
            return Fail(key, "parameter " + name + " must be a number, got '" + *value + "'");
          }
        }
        if (type == "CommaDelimitedList" || type.starts_with("List<")) {
          json::Array items;
          size_t start = 0;
          for (;;) {
            size_t comma = value->find(',', start);
            std::string item = value->substr(start, comma - start);
            size_t a = item.find_first_not_of(' ');
            size_t b = item.find_last_not_of(' ');
            items.push_back(Str(a == std::string::npos ? "" : item.substr(a, b - a + 1)));
            if (comma == std::string::npos) break;
            start = comma + 1;
          }
          v = Value::MakeArray(std::move(items));
        }
        parameters_[name] = v;
        plan_.parameters.emplace_back(name, v);
      }
    }
    for (const auto& [k, v] : o_.parameter_overrides) {
      if (!declared.count(k)) {
        return Error{"Template", t_.path + ": --parameter-overrides names '" + k +
                                     "', which the template does not declare"};
      }
    }
    return Status::Ok();
  }

  // --- conditions --------------------------------------------------------------------------

  Result<bool> ConditionValue(const std::string& name) {
    if (auto it = condition_values_.find(name); it != condition_values_.end()) return it->second;
    const Value* expr = conditions_ ? conditions_->Find(name) : nullptr;
    if (expr == nullptr) return Fail("Conditions", "unknown condition '" + name + "'");
    if (evaluating_.count(name))
      return Fail("Conditions", "condition '" + name + "' refers to itself");
    evaluating_.insert(name);
    auto r = EvaluateCondition(*expr, ConditionContext());
    evaluating_.erase(name);
    if (!r.ok()) {
      if (r.error().cause.starts_with(t_.path + ":")) return r.error();  // already placed
      return Fail("Conditions." + name, "condition " + name + ": " + r.error().cause);
    }
    condition_values_[name] = *r;
    return *r;
  }

  // Conditions may use parameters and pseudo parameters only.
  Context ConditionContext() {
    Context c = BaseContext();
    c.get_att = [](const std::string& r, const std::string&) -> Result<Value> {
      return Error{"Template", "conditions cannot use Fn::GetAtt (" + r + ")"};
    };
    return c;
  }

  Context BaseContext() {
    Context c;
    c.mappings = mappings_;
    c.region = o_.region;
    c.condition = [this](const std::string& n) { return ConditionValue(n); };
    c.ref = [this](const std::string& name) { return RefValue(name); };
    c.get_att = [this](const std::string& r, const std::string& a) { return GetAtt(r, a); };
    return c;
  }

  std::optional<Value> Pseudo(const std::string& name) const {
    if (name == "AWS::AccountId") return Str(o_.account);
    if (name == "AWS::Region") return Str(o_.region);
    if (name == "AWS::Partition") return Str(plan_.partition);
    if (name == "AWS::StackName") return Str(o_.stack_name);
    if (name == "AWS::StackId") return Str(plan_.stack_id);
    if (name == "AWS::URLSuffix") {
      return Str(plan_.partition == "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com");
    }
    if (name == "AWS::NotificationARNs") return Value::EmptyArray();
    return std::nullopt;
  }

  Result<Value> RefValue(const std::string& name) {
    if (auto p = Pseudo(name)) return *p;
    if (auto it = parameters_.find(name); it != parameters_.end()) return it->second;
    if (auto it = attributes_.find(name); it != attributes_.end()) return it->second.ref;
    if (not_created_.count(name)) {
      return Error{"Template",
                   "Ref " + name + ": the resource is not created (its Condition is false)"};
    }
    return Error{"Template", "Ref to unknown name '" + name + "'"};
  }

  Result<Value> GetAtt(const std::string& resource, const std::string& attribute) {
    auto it = attributes_.find(resource);
    if (it == attributes_.end()) {
      if (not_created_.count(resource)) {
        return Error{"Template", "Fn::GetAtt " + resource + "." + attribute +
                                     ": the resource is not created (its Condition is false)"};
      }
      return Error{"Template", "Fn::GetAtt of unknown resource '" + resource + "'"};
    }
    const Attributes& a = it->second;
    if (auto at = a.atts.find(attribute); at != a.atts.end()) return at->second;
    if (a.any_attribute) return a.ref;
    std::string known;
    for (const auto& [k, v] : a.atts) known += (known.empty() ? "" : ", ") + k;
    return Error{"Template", "Fn::GetAtt " + resource + "." + attribute + ": " + a.type +
                                 " has no attribute '" + attribute + "' (stator knows: " + known +
                                 ")"};
  }

  // --- resources ---------------------------------------------------------------------------

  Status ReadResources() {
    const Value& resources = *t_.root.Find("Resources");
    const Value* globals = t_.root.Find("Globals");
    if (globals && !globals->is_null() && !globals->is_object()) {
      return Fail("Globals", "Globals must be a mapping");
    }
    if (globals && globals->is_object() && !sam_) {
      return Fail("Globals", "Globals needs 'Transform: " + std::string(kSamTransform) + "'");
    }
    if (globals && globals->is_object()) {
      for (const auto& [section, g] : globals->as_object()) {
        if (!g.is_object()) return Fail("Globals", "Globals." + section + " must be a mapping");
      }
    }
    size_t order = 0;
    for (const auto& [id, decl] : resources.as_object()) {
      std::string key = "Resources." + id;
      RawResource r;
      r.id = id;
      r.order = order++;
      if (!decl.is_object()) return Fail(key, "resource " + id + " must be a mapping");
      const Value* type = decl.Find("Type");
      if (!type || !type->is_string() || type->as_string().find("::") == std::string::npos) {
        return Fail(key, "resource " + id + " needs a Type such as AWS::Serverless::Function");
      }
      r.type = type->as_string();
      if (r.type.starts_with("AWS::Serverless::") && !sam_) {
        return Fail(
            key, "resource " + id + " (" + r.type + ") needs 'Transform: " + kSamTransform + "'");
      }
      if (const Value* p = decl.Find("Properties"); p && !p->is_null()) {
        if (!p->is_object()) return Fail(key, "resource " + id + ": Properties must be a mapping");
        r.properties = *p;
      }
      std::string global_section = r.type == "AWS::Serverless::Function"       ? "Function"
                                   : r.type == "AWS::Serverless::StateMachine" ? "StateMachine"
                                   : r.type == "AWS::Serverless::SimpleTable"  ? "SimpleTable"
                                                                               : "";
      if (globals && globals->is_object() && !global_section.empty()) {
        if (const Value* g = globals->Find(global_section); g && g->is_object()) {
          r.properties = MergeGlobals(*g, r.properties);
        }
      }
      if (const Value* c = decl.Find("Condition")) {
        if (!c->is_string()) return Fail(key, "resource " + id + ": Condition must be a name");
        r.condition = c->as_string();
      }
      if (const Value* d = decl.Find("DependsOn")) {
        std::vector<Value> list = d->is_array() ? d->as_array() : std::vector<Value>{*d};
        for (const Value& v : list) {
          if (!v.is_string()) return Fail(key, "resource " + id + ": DependsOn takes names");
          r.depends_on.insert(v.as_string());
        }
      }
      for (const auto& [k, v] : decl.as_object()) {
        static const std::set<std::string> attrs = {
            "Type",           "Properties",          "Condition",      "DependsOn",    "Metadata",
            "DeletionPolicy", "UpdateReplacePolicy", "CreationPolicy", "UpdatePolicy", "Version"};
        if (!attrs.count(k)) return Fail(key, "resource " + id + ": unknown attribute '" + k + "'");
      }
      raw_.push_back(std::move(r));
    }
    // SAM's implicit roles: a function or state machine without Role gets <Id>Role.
    std::set<std::string> ids;
    for (const RawResource& r : raw_) ids.insert(r.id);
    size_t n = raw_.size();
    for (size_t i = 0; i < n; ++i) {
      const RawResource& r = raw_[i];
      if ((r.type == "AWS::Serverless::Function" || r.type == "AWS::Serverless::StateMachine") &&
          !r.properties.Find("Role") && !ids.count(r.id + "Role")) {
        RawResource role;
        role.id = r.id + "Role";
        role.type = "AWS::IAM::Role";
        role.condition = r.condition;
        role.implicit = true;
        role.order = r.order;
        ids.insert(role.id);
        raw_.push_back(std::move(role));  // (r is invalid from here on)
      }
    }
    for (RawResource& r : raw_) {
      if (!r.condition.empty()) {
        STATOR_TRY(bool on, ConditionValue(r.condition));
        if (!on) {
          not_created_.insert(r.id);
          if (!r.implicit) plan_.not_created.push_back(r.id);
        }
      }
    }
    return Status::Ok();
  }

  Result<std::vector<RawResource*>> Order() {
    std::map<std::string, RawResource*> by_id;
    for (RawResource& r : raw_) by_id[r.id] = &r;
    std::vector<RawResource*> live;
    for (RawResource& r : raw_) {
      if (not_created_.count(r.id)) continue;
      live.push_back(&r);
      std::set<std::string> refs;
      if (Runs(r.type)) CollectReferences(r.properties, &refs);
      for (const std::string& d : r.depends_on) refs.insert(d);
      for (const std::string& name : refs) {
        if (Pseudo(name) || name == "AWS::NoValue" || parameters_.count(name)) continue;
        if (name.starts_with("AWS::")) {
          return FailResource(r, "unknown pseudo parameter '" + name + "'");
        }
        if (not_created_.count(name)) {
          return FailResource(
              r, "refers to " + name + ", which is not created (its Condition is false)");
        }
        if (!by_id.count(name)) {
          return FailResource(
              r, "refers to '" + name + "', which is neither a parameter nor a resource");
        }
        if (name == r.id) return FailResource(r, "refers to itself");
        r.depends_on.insert(name);
      }
    }
    // Kahn's algorithm; ties in template order (implicit roles right after their owner).
    std::vector<RawResource*> out;
    std::set<std::string> done;
    std::sort(live.begin(), live.end(), [](const RawResource* a, const RawResource* b) {
      return a->order != b->order ? a->order < b->order : !a->implicit && b->implicit;
    });
    while (out.size() < live.size()) {
      bool progress = false;
      for (RawResource* r : live) {
        if (done.count(r->id)) continue;
        bool ready = std::all_of(r->depends_on.begin(), r->depends_on.end(),
                                 [&](const std::string& d) { return done.count(d) > 0; });
        if (!ready) continue;
        out.push_back(r);
        done.insert(r->id);
        progress = true;
        break;
      }
      if (!progress) {
        std::string cycle;
        for (RawResource* r : live) {
          if (!done.count(r->id)) cycle += (cycle.empty() ? "" : ", ") + r->id;
        }
        return Error{"Template", t_.path + ": circular dependency between resources " + cycle};
      }
    }
    return out;
  }

  static bool Runs(const std::string& type) {
    return type == "AWS::Serverless::Function" || type == "AWS::Lambda::Function" ||
           type == "AWS::Serverless::StateMachine" || type == "AWS::StepFunctions::StateMachine" ||
           type == "AWS::Serverless::SimpleTable" || type == "AWS::DynamoDB::Table";
  }

  std::string Arn(const std::string& service, const std::string& rest) const {
    return "arn:" + plan_.partition + ":" + service + ":" + o_.region + ":" + o_.account + ":" +
           rest;
  }

  Status PlanResource(RawResource& r) {
    PlannedResource p;
    p.logical_id = r.id;
    p.type = r.type;
    p.implicit = r.implicit;
    p.depends_on = r.depends_on;
    if (!Runs(r.type)) {
      PlanSkipped(r, &p);
      plan_.resources.push_back(std::move(p));
      return Status::Ok();
    }
    auto props = Resolve(r.properties, BaseContext());
    if (!props.ok()) return FailResource(r, props.error().cause);
    Status s = Status::Ok();
    if (r.type == "AWS::Serverless::Function" || r.type == "AWS::Lambda::Function") {
      s = PlanFunction(r, *props, &p);
    } else if (r.type == "AWS::Serverless::StateMachine" ||
               r.type == "AWS::StepFunctions::StateMachine") {
      s = PlanStateMachine(r, *props, &p);
    } else {
      s = PlanTable(r, *props, &p);
    }
    if (!s.ok()) return FailResource(r, s.error().cause);
    plan_.resources.push_back(std::move(p));
    return Status::Ok();
  }

  // Records what Ref and Fn::GetAtt of resource r give: ref, and its Arn; the caller may add
  // more to what is returned.
  Attributes& Record(const RawResource& r, Value ref, const std::string& arn) {
    Attributes& a = attributes_[r.id];
    a = Attributes();
    a.type = r.type;
    a.ref = std::move(ref);
    a.atts["Arn"] = Str(arn);
    return a;
  }

  void PlanSkipped(const RawResource& r, PlannedResource* p) {
    p->kind = Kind::kSkipped;
    p->skip_reason = r.implicit ? "SAM would create it; stator does not run IAM"
                                : "stator does not run " + r.type;
    // Placeholder values so that Ref/GetAtt of it still resolve (e.g. a Role's Arn).
    std::string name = GeneratedName(o_.stack_name, r.id, 64);
    for (const char* k : {"RoleName", "LogGroupName", "QueueName", "TopicName", "BucketName",
                          "Name", "ApiName", "RuleName"}) {
      // Best effort: a name built from parameters and pseudo parameters resolves; one that
      // needs a resource not planned yet keeps the generated name.
      if (const Value* v = r.properties.Find(k)) {
        auto resolved = Resolve(*v, BaseContext());
        if (resolved.ok() && resolved->is_string()) name = resolved->as_string();
      }
    }
    std::string service = r.type.substr(5, r.type.find("::", 5) - 5);
    std::transform(service.begin(), service.end(), service.begin(), ::tolower);
    std::string arn;
    if (r.type == "AWS::IAM::Role") {
      arn = "arn:" + plan_.partition + ":iam::" + o_.account + ":role/" + name;
    } else if (r.type == "AWS::IAM::Policy" || r.type == "AWS::IAM::ManagedPolicy") {
      arn = "arn:" + plan_.partition + ":iam::" + o_.account + ":policy/" + name;
    } else if (r.type == "AWS::Logs::LogGroup") {
      arn = Arn("logs", "log-group:" + name + ":*");
    } else {
      arn = Arn(service, name);
    }
    p->name = name;
    p->arn = arn;
    Record(r, Str(name), arn).any_attribute = true;
  }

  // Properties of a resource stator acts on; the rest are listed as ignored.
  static void NoteIgnored(const Value& props, const std::set<std::string>& used,
                          PlannedResource* p) {
    for (const auto& [k, v] : props.as_object()) {
      if (!used.count(k)) p->ignored.push_back(k);
    }
  }

  static Result<int64_t> IntProperty(const Value& v, const std::string& what) {
    if (v.is_int()) return v.as_int();
    if (v.is_string()) {
      char* end = nullptr;
      long long n = strtoll(v.as_string().c_str(), &end, 10);
      if (!v.as_string().empty() && *end == '\0') return static_cast<int64_t>(n);
    }
    return Error{"Template", what + " must be a whole number, got " + v.Dump()};
  }

  static Result<std::string> StringProperty(const Value& props, const std::string& key) {
    const Value* v = props.Find(key);
    if (!v) return std::string();
    return ScalarText(*v, key);
  }

  // Tags as a map (SAM) or a list of {Key, Value} (CloudFormation), plus the stack's own.
  Result<std::vector<std::pair<std::string, std::string>>> Tags(const Value& props,
                                                                const std::string& id) {
    std::vector<std::pair<std::string, std::string>> tags;
    if (const Value* t = props.Find("Tags")) {
      if (t->is_object()) {
        for (const auto& [k, v] : t->as_object()) {
          STATOR_TRY(std::string s, ScalarText(v, "Tags." + k));
          tags.emplace_back(k, s);
        }
      } else if (t->is_array()) {
        for (const Value& e : t->as_array()) {
          const Value* k = e.Find("Key");
          const Value* v = e.Find("Value");
          if (!k || !k->is_string() || !v) {
            return Error{"Template", "Tags must be a list of {Key, Value} or a mapping"};
          }
          STATOR_TRY(std::string s, ScalarText(*v, "Tags." + k->as_string()));
          tags.emplace_back(k->as_string(), s);
        }
      } else {
        return Error{"Template", "Tags must be a list of {Key, Value} or a mapping"};
      }
    }
    tags.emplace_back(kStackTag, o_.stack_name);
    tags.emplace_back(kLogicalIdTag, id);
    return tags;
  }

  std::string PlaceholderRole(const std::string& id) const {
    return "arn:" + plan_.partition + ":iam::" + o_.account + ":role/" +
           GeneratedName(o_.stack_name, id + "Role", 64);
  }

  Status PlanFunction(const RawResource& r, const Value& props, PlannedResource* p) {
    bool sam = r.type == "AWS::Serverless::Function";
    p->kind = Kind::kFunction;
    STATOR_TRY(std::string name, StringProperty(props, "FunctionName"));
    if (name.empty()) name = GeneratedName(o_.stack_name, r.id, 64);
    p->name = name;
    p->arn = Arn("lambda", "function:" + name);
    std::set<std::string> used = {"FunctionName", "Handler",     "Runtime",
                                  "Role",         "Environment", "Timeout",
                                  "MemorySize",   "Description", "Tags"};
    if (const Value* pt = props.Find("PackageType");
        pt && pt->is_string() && pt->as_string() == "Image") {
      return Error{
          "Template",
          "container image functions are not supported (stator runs python3.x zip functions)"};
    }
    // Code.
    const std::string code_key = sam ? "CodeUri" : "Code";
    used.insert(code_key);
    const Value* code = props.Find(code_key);
    const Value* inline_code = sam ? props.Find("InlineCode") : nullptr;
    if (sam) used.insert("InlineCode");
    if (!sam && code && code->is_object()) {
      if (const Value* zf = code->Find("ZipFile")) inline_code = zf;
      if (code->Find("S3Bucket") || code->Find("ImageUri")) {
        return Error{
            "Template",
            "Code from S3 or an image is not supported: give Code.ZipFile or a local path"};
      }
      if (inline_code) code = nullptr;
    }
    if (inline_code) {
      STATOR_TRY(std::string text, ScalarText(*inline_code, "inline code"));
      p->code.source = FunctionCode::kInline;
      p->code.inline_text = text;
    } else if (code && code->is_string()) {
      std::string path = JoinPath(t_.dir, code->as_string());
      if (code->as_string().starts_with("s3://")) {
        return Error{"Template",
                     code_key + " '" + code->as_string() +
                         "' is in S3; stator deploys local code (a directory or a zip)"};
      }
      if (!Exists(path)) {
        return Error{"Template", code_key + " '" + code->as_string() +
                                     "' does not exist (looked for " + path + ")"};
      }
      p->code.path = path;
      p->code.source = IsDir(path)              ? FunctionCode::kDirectory
                       : EndsWith(path, ".zip") ? FunctionCode::kZipFile
                                                : FunctionCode::kFile;
    } else if (code) {
      return Error{"Template", code_key + " must be a local path (S3 locations are not supported)"};
    } else {
      return Error{"Template", sam ? "needs CodeUri or InlineCode" : "needs Code"};
    }
    STATOR_TRY(std::string runtime, StringProperty(props, "Runtime"));
    if (runtime.empty()) return Error{"Template", "needs Runtime (python3.x)"};
    if (!runtime.starts_with("python3")) {
      return Error{"Template",
                   "Runtime " + runtime + " is not supported: stator runs python3.x functions"};
    }
    STATOR_TRY(std::string handler, StringProperty(props, "Handler"));
    if (handler.empty()) return Error{"Template", "needs Handler (module.function)"};
    STATOR_TRY(std::string role, StringProperty(props, "Role"));
    if (role.empty()) role = PlaceholderRole(r.id);
    json::Object req = {{"FunctionName", Str(name)},
                        {"Runtime", Str(runtime)},
                        {"Role", Str(role)},
                        {"Handler", Str(handler)}};
    STATOR_TRY(std::string description, StringProperty(props, "Description"));
    if (!description.empty()) req.emplace_back("Description", Str(description));
    for (const char* k : {"Timeout", "MemorySize"}) {
      if (const Value* v = props.Find(k)) {
        STATOR_TRY(int64_t n, IntProperty(*v, k));
        req.emplace_back(k, Value::Int(n));
      }
    }
    if (const Value* env = props.Find("Environment")) {
      const Value* vars = env->Find("Variables");
      if (!env->is_object() || (vars && !vars->is_object())) {
        return Error{"Template", "Environment must be {Variables: {NAME: value}}"};
      }
      json::Object out;
      if (vars) {
        for (const auto& [k, v] : vars->as_object()) {
          STATOR_TRY(std::string s, ScalarText(v, "Environment.Variables." + k));
          out.emplace_back(k, Str(s));
        }
      }
      req.emplace_back("Environment",
                       Value::MakeObject({{"Variables", Value::MakeObject(std::move(out))}}));
    }
    STATOR_TRY(auto tags, Tags(props, r.id));
    json::Object tag_map;
    for (auto& [k, v] : tags) {
      auto it = std::find_if(tag_map.begin(), tag_map.end(),
                             [&](const json::Member& m) { return m.first == k; });
      if (it != tag_map.end())
        it->second = Str(v);
      else
        tag_map.emplace_back(k, Str(v));
    }
    req.emplace_back("Tags", Value::MakeObject(std::move(tag_map)));
    p->request = Value::MakeObject(std::move(req));
    NoteIgnored(props, used, p);
    Record(r, Str(name), p->arn);
    return Status::Ok();
  }

  static void SubstituteStrings(const Value& v,
                                const std::vector<std::pair<std::string, std::string>>& subs,
                                Value* out) {
    if (v.is_string()) {
      *out = Str(Substitute(v.as_string(), subs));
    } else if (v.is_array()) {
      json::Array items;
      for (const Value& i : v.as_array()) {
        Value o;
        SubstituteStrings(i, subs, &o);
        items.push_back(std::move(o));
      }
      *out = Value::MakeArray(std::move(items));
    } else if (v.is_object()) {
      json::Object members;
      for (const auto& [k, m] : v.as_object()) {
        Value o;
        SubstituteStrings(m, subs, &o);
        members.emplace_back(Substitute(k, subs), std::move(o));
      }
      *out = Value::MakeObject(std::move(members));
    } else {
      *out = v;
    }
  }

  Status PlanStateMachine(const RawResource& r, const Value& props, PlannedResource* p) {
    bool sam = r.type == "AWS::Serverless::StateMachine";
    p->kind = Kind::kStateMachine;
    const std::string name_key = sam ? "Name" : "StateMachineName";
    const std::string type_key = sam ? "Type" : "StateMachineType";
    const std::string role_key = sam ? "Role" : "RoleArn";
    std::set<std::string> used = {
        name_key, type_key, role_key, "Definition", "DefinitionSubstitutions", "Tags"};
    STATOR_TRY(std::string name, StringProperty(props, name_key));
    if (name.empty()) name = GeneratedName(o_.stack_name, r.id, 80);
    p->name = name;
    p->arn = Arn("states", "stateMachine:" + name);
    STATOR_TRY(std::string type, StringProperty(props, type_key));
    if (type.empty()) type = "STANDARD";
    if (type != "STANDARD" && type != "EXPRESS") {
      return Error{"Template", type_key + " must be STANDARD or EXPRESS, got " + type};
    }
    std::vector<std::pair<std::string, std::string>> subs;
    if (const Value* s = props.Find("DefinitionSubstitutions")) {
      if (!s->is_object()) return Error{"Template", "DefinitionSubstitutions must be a mapping"};
      for (const auto& [k, v] : s->as_object()) {
        STATOR_TRY(std::string text, ScalarText(v, "DefinitionSubstitutions." + k));
        subs.emplace_back(k, text);
      }
    }
    std::string definition;
    const Value* inline_def = props.Find("Definition");
    const Value* uri = sam ? props.Find("DefinitionUri") : nullptr;
    const Value* text_def = sam ? nullptr : props.Find("DefinitionString");
    if (sam)
      used.insert("DefinitionUri");
    else
      used.insert("DefinitionString");
    if (!sam && props.Find("DefinitionS3Location")) {
      return Error{"Template",
                   "DefinitionS3Location is not supported: use DefinitionString or Definition"};
    }
    int given = (inline_def != nullptr) + (uri != nullptr) + (text_def != nullptr);
    if (given != 1) {
      return Error{"Template", sam ? "needs exactly one of DefinitionUri and Definition"
                                   : "needs exactly one of DefinitionString and Definition"};
    }
    if (inline_def) {
      if (!inline_def->is_object()) return Error{"Template", "Definition must be a mapping"};
      Value substituted;
      SubstituteStrings(*inline_def, subs, &substituted);
      definition = substituted.Dump();
    } else if (text_def) {
      STATOR_TRY(std::string text, ScalarText(*text_def, "DefinitionString"));
      definition = Substitute(text, subs);
    } else {
      if (!uri->is_string()) {
        return Error{"Template",
                     "DefinitionUri must be a local file (S3 locations are not supported)"};
      }
      std::string path = JoinPath(t_.dir, uri->as_string());
      auto text = ReadFile(path);
      if (!text.ok()) return Error{"Template", "DefinitionUri: " + text.error().cause};
      if (EndsWith(path, ".yaml") || EndsWith(path, ".yml")) {
        STATOR_TRY(Value v, ParseYaml(*text, path));
        if (!v.is_object()) return Error{"Template", path + ": a definition is a mapping"};
        Value substituted;
        SubstituteStrings(v, subs, &substituted);
        definition = substituted.Dump();
      } else {
        definition = Substitute(*text, subs);
        auto parsed = json::Parse(definition);
        if (!parsed.ok()) {
          return Error{"Template", path + " (after DefinitionSubstitutions) is not JSON: " +
                                       parsed.error().cause};
        }
      }
    }
    STATOR_TRY(std::string role, StringProperty(props, role_key));
    if (role.empty()) role = PlaceholderRole(r.id);
    STATOR_TRY(auto tags, Tags(props, r.id));
    json::Array tag_list;
    for (auto& [k, v] : tags) {
      tag_list.push_back(Value::MakeObject({{"key", Str(k)}, {"value", Str(v)}}));
    }
    p->request = Value::MakeObject({{"name", Str(name)},
                                    {"definition", Str(definition)},
                                    {"roleArn", Str(role)},
                                    {"type", Str(type)},
                                    {"tags", Value::MakeArray(std::move(tag_list))}});
    NoteIgnored(props, used, p);
    Record(r, Str(p->arn), p->arn).atts["Name"] = Str(name);
    return Status::Ok();
  }

  static Result<Value> Throughput(const Value& v, const std::string& what) {
    if (!v.is_object()) return Error{"Template", what + " must be a mapping"};
    json::Object out;
    for (const char* k : {"ReadCapacityUnits", "WriteCapacityUnits"}) {
      const Value* n = v.Find(k);
      if (!n) return Error{"Template", what + " needs " + k};
      STATOR_TRY(int64_t i, IntProperty(*n, what + "." + k));
      out.emplace_back(k, Value::Int(i));
    }
    return Value::MakeObject(std::move(out));
  }

  Status PlanTable(const RawResource& r, const Value& props, PlannedResource* p) {
    bool simple = r.type == "AWS::Serverless::SimpleTable";
    p->kind = Kind::kTable;
    std::set<std::string> used = {"TableName", "Tags", "ProvisionedThroughput"};
    STATOR_TRY(std::string name, StringProperty(props, "TableName"));
    if (name.empty()) name = GeneratedName(o_.stack_name, r.id, 255);
    p->name = name;
    p->arn = Arn("dynamodb", "table/" + name);
    json::Object req = {{"TableName", Str(name)}};
    const Value* throughput = props.Find("ProvisionedThroughput");
    if (simple) {
      used.insert("PrimaryKey");
      std::string key = "id", key_type = "String";
      if (const Value* pk = props.Find("PrimaryKey")) {
        if (!pk->is_object()) return Error{"Template", "PrimaryKey must be {Name, Type}"};
        STATOR_TRY(key, StringProperty(*pk, "Name"));
        STATOR_TRY(key_type, StringProperty(*pk, "Type"));
        if (key.empty() || key_type.empty())
          return Error{"Template", "PrimaryKey needs Name and Type"};
      }
      std::string attr_type = key_type == "String"   ? "S"
                              : key_type == "Number" ? "N"
                              : key_type == "Binary" ? "B"
                                                     : "";
      if (attr_type.empty()) {
        return Error{"Template",
                     "PrimaryKey Type must be String, Number or Binary, got " + key_type};
      }
      req.emplace_back("KeySchema", Value::MakeArray({Value::MakeObject(
                                        {{"AttributeName", Str(key)}, {"KeyType", Str("HASH")}})}));
      req.emplace_back("AttributeDefinitions",
                       Value::MakeArray({Value::MakeObject(
                           {{"AttributeName", Str(key)}, {"AttributeType", Str(attr_type)}})}));
      if (throughput) {
        STATOR_TRY(Value t, Throughput(*throughput, "ProvisionedThroughput"));
        req.emplace_back("BillingMode", Str("PROVISIONED"));
        req.emplace_back("ProvisionedThroughput", t);
      } else {
        req.emplace_back("BillingMode", Str("PAY_PER_REQUEST"));
      }
    } else {
      for (const char* k :
           {"KeySchema", "AttributeDefinitions", "BillingMode", "GlobalSecondaryIndexes",
            "LocalSecondaryIndexes", "StreamSpecification", "DeletionProtectionEnabled"}) {
        used.insert(k);
      }
      const Value* ks = props.Find("KeySchema");
      const Value* ad = props.Find("AttributeDefinitions");
      if (!ks || !ks->is_array() || !ad || !ad->is_array()) {
        return Error{"Template", "needs KeySchema and AttributeDefinitions (lists)"};
      }
      req.emplace_back("KeySchema", *ks);
      req.emplace_back("AttributeDefinitions", *ad);
      STATOR_TRY(std::string billing, StringProperty(props, "BillingMode"));
      if (billing.empty()) billing = "PROVISIONED";  // CloudFormation's default
      req.emplace_back("BillingMode", Str(billing));
      if (throughput) {
        STATOR_TRY(Value t, Throughput(*throughput, "ProvisionedThroughput"));
        req.emplace_back("ProvisionedThroughput", t);
      } else if (billing == "PROVISIONED") {
        return Error{"Template",
                     "ProvisionedThroughput is required unless BillingMode is PAY_PER_REQUEST"};
      }
      for (const char* k : {"GlobalSecondaryIndexes", "LocalSecondaryIndexes"}) {
        const Value* list = props.Find(k);
        if (!list) continue;
        if (!list->is_array()) return Error{"Template", std::string(k) + " must be a list"};
        json::Array indexes;
        for (const Value& i : list->as_array()) {
          Value index = i;
          if (const Value* t = i.Find("ProvisionedThroughput")) {
            STATOR_TRY(Value tp, Throughput(*t, std::string(k) + " ProvisionedThroughput"));
            index = index.With("ProvisionedThroughput", tp);
          }
          indexes.push_back(index);
        }
        req.emplace_back(k, Value::MakeArray(std::move(indexes)));
      }
      if (const Value* s = props.Find("StreamSpecification")) {
        Value spec = *s;
        if (!spec.Find("StreamEnabled")) spec = spec.With("StreamEnabled", Value::Bool(true));
        req.emplace_back("StreamSpecification", spec);
      }
      if (const Value* d = props.Find("DeletionProtectionEnabled"); d && d->is_bool()) {
        req.emplace_back("DeletionProtectionEnabled", *d);
      }
    }
    STATOR_TRY(auto tags, Tags(props, r.id));
    json::Array tag_list;
    for (auto& [k, v] : tags) {
      tag_list.push_back(Value::MakeObject({{"Key", Str(k)}, {"Value", Str(v)}}));
    }
    req.emplace_back("Tags", Value::MakeArray(std::move(tag_list)));
    p->request = Value::MakeObject(std::move(req));
    NoteIgnored(props, used, p);
    Attributes& a = Record(r, Str(name), p->arn);
    if (props.Find("StreamSpecification")) {
      a.atts["StreamArn"] = Str(p->arn + "/stream/1970-01-01T00:00:00.000");
    }
    return Status::Ok();
  }

  // --- outputs -----------------------------------------------------------------------------

  Status ReadOutputs() {
    const Value* outputs = t_.root.Find("Outputs");
    if (!outputs || outputs->is_null()) return Status::Ok();
    if (!outputs->is_object()) return Fail("Outputs", "Outputs must be a mapping");
    for (const auto& [name, decl] : outputs->as_object()) {
      std::string key = "Outputs." + name;
      const Value* v = decl.Find("Value");
      if (!decl.is_object() || !v) return Fail(key, "output " + name + " needs a Value");
      if (const Value* c = decl.Find("Condition"); c && c->is_string()) {
        STATOR_TRY(bool on, ConditionValue(c->as_string()));
        if (!on) continue;
      }
      auto value = Resolve(*v, BaseContext());
      if (!value.ok()) return Fail(key, "output " + name + ": " + value.error().cause);
      plan_.outputs.emplace_back(name, *value);
    }
    return Status::Ok();
  }

  const Template& t_;
  const PlanOptions& o_;
  Plan plan_;
  bool sam_ = false;
  const Value* mappings_ = nullptr;
  const Value* conditions_ = nullptr;
  std::map<std::string, Value> parameters_;
  std::map<std::string, bool> condition_values_;
  std::set<std::string> evaluating_;
  std::vector<RawResource> raw_;
  std::set<std::string> not_created_;
  std::map<std::string, Attributes> attributes_;
};

}  // namespace

const PlannedResource* Plan::Find(const std::string& logical_id) const {
  for (const PlannedResource& r : resources) {
    if (r.logical_id == logical_id) return &r;
  }
  return nullptr;
}

Result<Plan> MakePlan(const Template& t, const PlanOptions& options) {
  Planner p(t, options);
  return p.Run();
}

bool IsValidStackName(const std::string& s) {
  if (s.empty() || s.size() > 128 || !isalpha(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return isalnum(static_cast<unsigned char>(c)) || c == '-'; });
}

std::string GeneratedName(const std::string& stack, const std::string& logical_id, size_t max) {
  std::string name = stack + "-" + logical_id;
  if (name.size() <= max) return name;
  std::string h = hash::HexDigest(hash::Algorithm::kSha256, name).substr(0, 8);
  return name.substr(0, max - 9) + "-" + h;
}

std::string Substitute(const std::string& text,
                       const std::vector<std::pair<std::string, std::string>>& substitutions) {
  if (substitutions.empty()) return text;
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      size_t close = text.find('}', i + 2);
      if (close != std::string::npos) {
        std::string name = text.substr(i + 2, close - i - 2);
        auto it = std::find_if(substitutions.begin(), substitutions.end(),
                               [&](const auto& s) { return s.first == name; });
        if (it != substitutions.end()) {
          out += it->second;
          i = close + 1;
          continue;
        }
      }
    }
    out += text[i++];
  }
  return out;
}

std::string DisplayText(const json::Value& v) {
  if (v.is_string()) return v.as_string();
  if (v.is_array()) {
    std::string out;
    for (const json::Value& i : v.as_array()) {
      out += (out.empty() ? "" : ",") + DisplayText(i);
    }
    return out;
  }
  return v.Dump();
}

}  // namespace stator::deploy
