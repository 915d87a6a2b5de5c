// The core of the plan: the template's sections, conditions, the resources with their SAM
// Globals and implicit roles, references (Ref, Fn::GetAtt, pseudo parameters) and Outputs.
// Parameters: parameters.cc; the order: dependency_order.cc; each type's plan: planners/.
#include "deploy/stack.h"

#include <algorithm>
#include <map>
#include <optional>

#include "common/hash.h"
#include "deploy/dependency_order.h"
#include "deploy/intrinsics.h"
#include "deploy/parameters.h"
#include "deploy/partitions.h"
#include "deploy/planners/planner.h"

namespace stator::deploy {
namespace {

using json::Value;

constexpr const char* kSamTransform = "AWS::Serverless-2016-10-31";

Value Str(std::string s) { return Value::String(std::move(s)); }

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

// A resource as the template declares it (Globals merged in).
struct RawResource {
  std::string id;
  std::string type;
  Value properties = Value::EmptyObject();
  std::string condition;
  std::set<std::string> depends_on;
  bool implicit = false;  // a role SAM would create
  size_t order = 0;       // template order (an implicit role shares its owner's)
};

// A planned resource's Ref and Fn::GetAtt values.
struct KnownResource {
  std::string type;
  ResourceAttributes values;
};

class Planner {
 public:
  Planner(const Template& t, const PlanOptions& o) : t_(t), o_(o) {}

  Result<Plan> Run() {
    plan_.stack_name = o_.stack_name;
    plan_.account = o_.account;
    plan_.region = o_.region;
    plan_.partition = o_.partition.empty() ? PartitionOfRegion(o_.region) : o_.partition;
    std::string h = hash::HexDigest(hash::Algorithm::kSha256,
                                    o_.account + "/" + o_.region + "/" + o_.stack_name);
    plan_.stack_id = "arn:" + plan_.partition + ":cloudformation:" + o_.region + ":" + o_.account +
                     ":stack/" + o_.stack_name + "/" + h.substr(0, 8) + "-" + h.substr(8, 4) + "-" +
                     h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20, 12);
    scope_ = StackScope{o_.stack_name, o_.account, o_.region, plan_.partition, t_.dir};
    if (!IsValidStackName(o_.stack_name)) {
      return Error{"Template", "invalid stack name '" + o_.stack_name +
                                   "': a letter, then letters, digits and '-' (at most 128)"};
    }
    STATOR_RETURN_IF_ERROR(CheckSections());
    STATOR_TRY(plan_.parameters, ResolveParameters(t_, o_.parameter_overrides));
    for (const auto& [name, value] : plan_.parameters) parameters_[name] = value;
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
        } else if (v.as_string() == "AWS::LanguageExtensions") {
          language_extensions_ = true;
        } else {
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

  // --- conditions and references ----------------------------------------------------------

  Result<bool> ConditionValue(const std::string& name) {
    if (auto it = condition_values_.find(name); it != condition_values_.end()) return it->second;
    const Value* expr = conditions_ ? conditions_->Find(name) : nullptr;
    if (expr == nullptr) return Fail("Conditions", "unknown condition '" + name + "'");
    if (evaluating_.count(name)) {
      return Fail("Conditions", "condition '" + name + "' refers to itself");
    }
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
    c.language_extensions = language_extensions_;
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
    if (name == "AWS::URLSuffix") return Str(UrlSuffixOfPartition(plan_.partition));
    if (name == "AWS::NotificationARNs") return Value::EmptyArray();
    return std::nullopt;
  }

  Result<Value> RefValue(const std::string& name) {
    if (auto p = Pseudo(name)) return *p;
    if (auto it = parameters_.find(name); it != parameters_.end()) return it->second;
    if (auto it = known_.find(name); it != known_.end()) return it->second.values.ref;
    if (not_created_.count(name)) {
      return Error{"Template",
                   "Ref " + name + ": the resource is not created (its Condition is false)"};
    }
    return Error{"Template", "Ref to unknown name '" + name + "'"};
  }

  Result<Value> GetAtt(const std::string& resource, const std::string& attribute) {
    auto it = known_.find(resource);
    if (it == known_.end()) {
      if (not_created_.count(resource)) {
        return Error{"Template", "Fn::GetAtt " + resource + "." + attribute +
                                     ": the resource is not created (its Condition is false)"};
      }
      return Error{"Template", "Fn::GetAtt of unknown resource '" + resource + "'"};
    }
    const KnownResource& k = it->second;
    if (auto at = k.values.atts.find(attribute); at != k.values.atts.end()) return at->second;
    if (k.values.any_attribute) return k.values.ref;
    std::string known;
    for (const auto& [name, v] : k.values.atts) known += (known.empty() ? "" : ", ") + name;
    return Error{"Template", "Fn::GetAtt " + resource + "." + attribute + ": " + k.type +
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
      STATOR_TRY(RawResource r, ReadResource(id, decl, globals));
      r.order = order++;
      raw_.push_back(std::move(r));
    }
    // SAM's implicit roles: a function or state machine without Role gets <Id>Role.
    std::set<std::string> ids;
    for (const RawResource& r : raw_) ids.insert(r.id);
    size_t n = raw_.size();
    for (size_t i = 0; i < n; ++i) {
      const RawResource& r = raw_[i];
      const ResourceType* type = FindResourceType(r.type);
      if (type && type->implicit_role && !r.properties.Find("Role") && !ids.count(r.id + "Role")) {
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
    // SAM's implicit APIs (ServerlessRestApi, ServerlessHttpApi) for Api/HttpApi events that
    // name no API: created before the functions and state machines whose routes they hold
    // (under their Condition when all of them share one).
    n = raw_.size();
    std::map<std::string, size_t> implicit_apis;  // id -> index in raw_
    for (size_t i = 0; i < n; ++i) {
      for (const auto& [api_id, api_type] : ImplicitApis(raw_[i].type, raw_[i].properties)) {
        raw_[i].depends_on.insert(api_id);
        if (auto it = implicit_apis.find(api_id); it != implicit_apis.end()) {
          if (raw_[it->second].condition != raw_[i].condition) raw_[it->second].condition = "";
          continue;
        }
        if (ids.count(api_id)) continue;
        RawResource api;
        api.id = api_id;
        api.type = api_type;
        api.condition = raw_[i].condition;
        api.implicit = true;
        api.order = raw_[i].order;
        ids.insert(api.id);
        implicit_apis[api_id] = raw_.size();
        raw_.push_back(std::move(api));
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

  Result<RawResource> ReadResource(const std::string& id, const Value& decl, const Value* globals) {
    std::string key = "Resources." + id;
    RawResource r;
    r.id = id;
    if (id.starts_with("Fn::ForEach::")) {
      return Fail(key, id + ": Fn::ForEach is not supported by stator deploy");
    }
    if (!decl.is_object()) return Fail(key, "resource " + id + " must be a mapping");
    const Value* type = decl.Find("Type");
    if (!type || !type->is_string() || type->as_string().find("::") == std::string::npos) {
      return Fail(key, "resource " + id + " needs a Type such as AWS::Serverless::Function");
    }
    r.type = type->as_string();
    if (r.type.starts_with("AWS::Serverless::") && !sam_) {
      return Fail(key,
                  "resource " + id + " (" + r.type + ") needs 'Transform: " + kSamTransform + "'");
    }
    if (const Value* p = decl.Find("Properties"); p && !p->is_null()) {
      if (!p->is_object()) return Fail(key, "resource " + id + ": Properties must be a mapping");
      r.properties = *p;
    }
    const ResourceType* known = FindResourceType(r.type);
    if (globals && globals->is_object() && known && known->globals_section) {
      if (const Value* g = globals->Find(known->globals_section); g && g->is_object()) {
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
    return r;
  }

  // The resources to create, each after what it refers to (Ref, Fn::GetAtt, Fn::Sub) and its
  // DependsOn; ties in template order, implicit roles right after their owner.
  Result<std::vector<RawResource*>> Order() {
    std::set<std::string> ids;
    for (const RawResource& r : raw_) ids.insert(r.id);
    std::vector<RawResource*> live;
    for (RawResource& r : raw_) {
      if (not_created_.count(r.id)) continue;
      live.push_back(&r);
      // DependsOn names resources only (CloudFormation: "Unresolved resource dependencies").
      for (const std::string& d : r.depends_on) {
        if (d == r.id) return FailResource(r, "DependsOn names the resource itself");
        if (not_created_.count(d)) {
          return FailResource(r,
                              "DependsOn " + d + ", which is not created (its Condition is false)");
        }
        if (!ids.count(d)) {
          return FailResource(
              r, "DependsOn '" + d + "', which is not a resource of the template" +
                     (parameters_.count(d) || Pseudo(d) ? " (it is a parameter)" : ""));
        }
      }
      std::set<std::string> refs;
      if (FindResourceType(r.type)) CollectReferences(r.properties, &refs);
      for (const std::string& name : refs) {
        if (Pseudo(name) || name == "AWS::NoValue" || parameters_.count(name)) continue;
        if (name.starts_with("AWS::")) {
          return FailResource(r, "unknown pseudo parameter '" + name + "'");
        }
        if (not_created_.count(name)) {
          return FailResource(
              r, "refers to " + name + ", which is not created (its Condition is false)");
        }
        if (!ids.count(name)) {
          return FailResource(
              r, "refers to '" + name + "', which is neither a parameter nor a resource");
        }
        if (name == r.id) return FailResource(r, "refers to itself");
        r.depends_on.insert(name);
      }
    }
    std::stable_sort(live.begin(), live.end(), [](const RawResource* a, const RawResource* b) {
      return a->order != b->order ? a->order < b->order : !a->implicit && b->implicit;
    });
    std::vector<DependencyNode> nodes;
    for (const RawResource* r : live) nodes.push_back({r->id, r->depends_on});
    auto order = DependencyOrder(nodes);
    if (!order.ok()) return Error{"Template", t_.path + ": " + order.error().cause};
    std::vector<RawResource*> out;
    for (size_t i : *order) out.push_back(live[i]);
    return out;
  }

  Status PlanResource(const RawResource& r) {
    PlannedResource p;
    p.logical_id = r.id;
    p.type = r.type;
    p.implicit = r.implicit;
    p.depends_on = r.depends_on;
    ResourceAttributes values;
    if (const ResourceType* type = FindResourceType(r.type)) {
      auto props = Resolve(r.properties, BaseContext());
      if (!props.ok()) return FailResource(r, props.error().cause);
      Status s = type->plan(scope_, ResourceInput{r.id, r.type, *props}, &p, &values);
      if (!s.ok()) return FailResource(r, s.error().cause);
    } else {
      auto resolve_name = [this](const Value& v) -> std::optional<std::string> {
        auto resolved = Resolve(v, BaseContext());
        if (resolved.ok() && resolved->is_string()) return resolved->as_string();
        return std::nullopt;
      };
      PlanSkipped(scope_, r.id, r.type, r.implicit, r.properties, resolve_name, &p, &values);
    }
    known_[r.id] = KnownResource{r.type, std::move(values)};
    plan_.resources.push_back(std::move(p));
    return Status::Ok();
  }

  // --- outputs -----------------------------------------------------------------------------

  Status ReadOutputs() {
    const Value* outputs = t_.root.Find("Outputs");
    if (!outputs || outputs->is_null()) return Status::Ok();
    if (!outputs->is_object()) return Fail("Outputs", "Outputs must be a mapping");
    for (const auto& [name, decl] : outputs->as_object()) {
      std::string key = "Outputs." + name;
      if (name.starts_with("Fn::ForEach::")) {
        return Fail(key, name + ": Fn::ForEach is not supported by stator deploy");
      }
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
  StackScope scope_;
  bool sam_ = false;
  bool language_extensions_ = false;
  const Value* mappings_ = nullptr;
  const Value* conditions_ = nullptr;
  std::map<std::string, Value> parameters_;
  std::map<std::string, bool> condition_values_;
  std::set<std::string> evaluating_;
  std::vector<RawResource> raw_;
  std::set<std::string> not_created_;
  std::map<std::string, KnownResource> known_;  // planned so far, by logical id
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
