#include "deploy/intrinsics.h"

#include <optional>

namespace stator::deploy {
namespace {

constexpr const char* kLanguageExtensions = "AWS::LanguageExtensions";

Error Bad(const std::string& fn, const std::string& message) {
  return Error{"Template", fn + ": " + message};
}

// A Fn::Sub string in pieces: literal text, or a ${...} variable.
struct SubPiece {
  bool variable = false;
  std::string text;
};

Result<std::vector<SubPiece>> SplitSub(const std::string& s) {
  std::vector<SubPiece> out;
  std::string lit;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '{') {
      if (i + 2 < s.size() && s[i + 2] == '!') {  // ${!Literal} -> ${Literal}
        lit += "${";
        i += 3;
        continue;
      }
      size_t close = s.find('}', i + 2);
      if (close == std::string::npos) return Bad("Fn::Sub", "unclosed ${ in '" + s + "'");
      std::string name = s.substr(i + 2, close - i - 2);
      size_t a = name.find_first_not_of(" \t");
      size_t b = name.find_last_not_of(" \t");
      name = a == std::string::npos ? "" : name.substr(a, b - a + 1);
      if (name.empty()) return Bad("Fn::Sub", "empty ${} in '" + s + "'");
      if (!lit.empty()) out.push_back({false, std::move(lit)});
      lit.clear();
      out.push_back({true, name});
      i = close + 1;
      continue;
    }
    lit += s[i++];
  }
  if (!lit.empty()) out.push_back({false, std::move(lit)});
  return out;
}

std::string Base64(const std::string& in) {
  static constexpr char kChars[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out += kChars[(n >> k) & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    out += kChars[(n >> 18) & 63];
    out += kChars[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kChars[(n >> 18) & 63];
    out += kChars[(n >> 12) & 63];
    out += kChars[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

const std::string* IntrinsicKey(const json::Value& v) {
  if (!v.is_object() || v.as_object().size() != 1) return nullptr;
  const auto& [key, val] = v.as_object()[0];
  if (key == "Ref" || key.starts_with("Fn::")) return &key;
  if (key == "Condition" && val.is_string()) return &key;
  return nullptr;
}

Result<const json::Array*> ArgList(const json::Value& v, const std::string& fn, size_t n) {
  if (!v.is_array() || v.as_array().size() != n) {
    return Bad(fn, "takes a list of " + std::to_string(n) + " arguments");
  }
  return &v.as_array();
}

// nullopt: AWS::NoValue (the holder drops it).
Result<std::optional<json::Value>> Eval(const json::Value& v, const Context& ctx, int depth);

Result<json::Value> EvalValue(const json::Value& v, const Context& ctx, int depth,
                              const std::string& fn) {
  STATOR_TRY(std::optional<json::Value> r, Eval(v, ctx, depth));
  if (!r) return Bad(fn, "AWS::NoValue is not allowed here");
  return *r;
}

Result<std::string> EvalString(const json::Value& v, const Context& ctx, int depth,
                               const std::string& fn) {
  STATOR_TRY(json::Value r, EvalValue(v, ctx, depth, fn));
  return ScalarText(r, fn);
}

// Fn::FindInMap [MapName, TopLevelKey, SecondLevelKey] and, with AWS::LanguageExtensions, a
// fourth argument {DefaultValue: value} for keys that are not in the map.
Result<std::optional<json::Value>> FindInMap(const json::Value& arg, const Context& ctx,
                                             int depth) {
  const std::string fn = "Fn::FindInMap";
  const size_t n = arg.is_array() ? arg.as_array().size() : 0;
  if (n != 3 && n != 4) {
    return Bad(fn, "takes [MapName, TopLevelKey, SecondLevelKey] (and, with " +
                       std::string(kLanguageExtensions) + ", {DefaultValue: value})");
  }
  const json::Array& args = arg.as_array();
  const json::Value* default_value = nullptr;
  if (n == 4) {
    if (!ctx.language_extensions) {
      return Bad(fn, "DefaultValue needs 'Transform: " + std::string(kLanguageExtensions) + "'");
    }
    if (args[3].is_object() && args[3].as_object().size() == 1) {
      default_value = args[3].Find("DefaultValue");
    }
    if (default_value == nullptr)
      return Bad(fn, "the fourth argument must be {DefaultValue: value}");
  }
  std::string keys[3];
  for (int i = 0; i < 3; ++i) {
    const std::string* inner = IntrinsicKey(args[i]);
    if (inner && !ctx.language_extensions && *inner != "Ref" && *inner != fn) {
      return Bad(fn, "its keys may use only Ref and Fn::FindInMap, not " + *inner +
                         " (others need 'Transform: " + std::string(kLanguageExtensions) + "')");
    }
    STATOR_TRY(keys[i], EvalString(args[i], ctx, depth, fn));
  }
  const json::Value* map = ctx.mappings ? ctx.mappings->Find(keys[0]) : nullptr;
  if (map == nullptr) return Bad(fn, "Mappings has no map '" + keys[0] + "'");
  const json::Value* top = map->Find(keys[1]);
  const json::Value* value = top ? top->Find(keys[2]) : nullptr;
  if (value != nullptr) return std::optional<json::Value>(*value);
  if (default_value != nullptr) return Eval(*default_value, ctx, depth);
  if (top == nullptr) return Bad(fn, "map " + keys[0] + " has no top-level key '" + keys[1] + "'");
  return Bad(fn, "map " + keys[0] + " has no key '" + keys[2] + "' under '" + keys[1] + "'");
}

Result<std::optional<json::Value>> EvalFunction(const std::string& fn, const json::Value& arg,
                                                const Context& ctx, int depth) {
  using R = std::optional<json::Value>;
  if (fn == "Ref") {
    if (arg.as_string() == "AWS::NoValue") return R();
    STATOR_TRY(json::Value r, ctx.ref(arg.as_string()));
    return R(r);
  }
  if (fn == "Condition") {
    STATOR_TRY(bool b, ctx.condition(arg.as_string()));
    return R(json::Value::Bool(b));
  }
  if (fn == "Fn::GetAtt") {
    json::Value a = arg;
    if (a.is_string()) {  // long form with a dotted string
      const std::string& s = a.as_string();
      size_t dot = s.find('.');
      if (dot == std::string::npos) return Bad(fn, "needs RESOURCE.ATTRIBUTE, got '" + s + "'");
      a = json::Value::MakeArray(
          {json::Value::String(s.substr(0, dot)), json::Value::String(s.substr(dot + 1))});
    }
    STATOR_TRY(const json::Array* args, ArgList(a, fn, 2));
    STATOR_TRY(std::string res, EvalString((*args)[0], ctx, depth, fn));
    STATOR_TRY(std::string attr, EvalString((*args)[1], ctx, depth, fn));
    STATOR_TRY(json::Value r, ctx.get_att(res, attr));
    return R(r);
  }
  if (fn == "Fn::Sub") {
    std::string text;
    const json::Value* vars = nullptr;
    if (arg.is_string()) {
      text = arg.as_string();
    } else if (arg.is_array() && arg.as_array().size() == 2 && arg.as_array()[0].is_string() &&
               arg.as_array()[1].is_object()) {
      text = arg.as_array()[0].as_string();
      vars = &arg.as_array()[1];
    } else {
      return Bad(fn, "takes a string or [string, {variables}]");
    }
    STATOR_TRY(std::vector<SubPiece> pieces, SplitSub(text));
    std::string out;
    for (const SubPiece& p : pieces) {
      if (!p.variable) {
        out += p.text;
        continue;
      }
      if (vars) {
        if (const json::Value* given = vars->Find(p.text)) {
          STATOR_TRY(std::string s, EvalString(*given, ctx, depth, fn + " variable " + p.text));
          out += s;
          continue;
        }
      }
      size_t dot = p.text.find('.');
      json::Value r;
      if (dot != std::string::npos && !p.text.starts_with("AWS::")) {
        STATOR_TRY(r, ctx.get_att(p.text.substr(0, dot), p.text.substr(dot + 1)));
      } else {
        STATOR_TRY(r, ctx.ref(p.text));
      }
      STATOR_TRY(std::string s, ScalarText(r, fn + " ${" + p.text + "}"));
      out += s;
    }
    return R(json::Value::String(out));
  }
  if (fn == "Fn::Join") {
    STATOR_TRY(const json::Array* args, ArgList(arg, fn, 2));
    STATOR_TRY(std::string delim, EvalString((*args)[0], ctx, depth, fn));
    STATOR_TRY(json::Value list, EvalValue((*args)[1], ctx, depth, fn));
    if (!list.is_array()) return Bad(fn, "the second argument must be a list");
    std::string out;
    bool first = true;
    for (const json::Value& item : list.as_array()) {
      STATOR_TRY(std::string s, ScalarText(item, fn));
      if (!first) out += delim;
      out += s;
      first = false;
    }
    return R(json::Value::String(out));
  }
  if (fn == "Fn::Select") {
    STATOR_TRY(const json::Array* args, ArgList(arg, fn, 2));
    STATOR_TRY(std::string index_text, EvalString((*args)[0], ctx, depth, fn));
    STATOR_TRY(json::Value list, EvalValue((*args)[1], ctx, depth, fn));
    if (!list.is_array()) return Bad(fn, "the second argument must be a list");
    char* end = nullptr;
    long index = strtol(index_text.c_str(), &end, 10);
    if (index_text.empty() || *end != '\0' || index < 0 ||
        static_cast<size_t>(index) >= list.as_array().size()) {
      return Bad(fn, "index " + index_text + " is out of range");
    }
    return R(list.as_array()[static_cast<size_t>(index)]);
  }
  if (fn == "Fn::Split") {
    STATOR_TRY(const json::Array* args, ArgList(arg, fn, 2));
    STATOR_TRY(std::string delim, EvalString((*args)[0], ctx, depth, fn));
    STATOR_TRY(std::string s, EvalString((*args)[1], ctx, depth, fn));
    if (delim.empty()) return Bad(fn, "the delimiter is empty");
    json::Array parts;
    size_t start = 0;
    for (;;) {
      size_t at = s.find(delim, start);
      parts.push_back(json::Value::String(s.substr(start, at - start)));
      if (at == std::string::npos) break;
      start = at + delim.size();
    }
    return R(json::Value::MakeArray(std::move(parts)));
  }
  if (fn == "Fn::If") {
    STATOR_TRY(const json::Array* args, ArgList(arg, fn, 3));
    if (!(*args)[0].is_string()) return Bad(fn, "the first argument is a condition name");
    STATOR_TRY(bool b, ctx.condition((*args)[0].as_string()));
    return Eval(b ? (*args)[1] : (*args)[2], ctx, depth);
  }
  if (fn == "Fn::Equals" || fn == "Fn::And" || fn == "Fn::Or" || fn == "Fn::Not") {
    STATOR_TRY(bool b, EvaluateCondition(json::Value::MakeObject({{fn, arg}}), ctx));
    return R(json::Value::Bool(b));
  }
  if (fn == "Fn::FindInMap") return FindInMap(arg, ctx, depth);
  if (fn == "Fn::Base64") {
    STATOR_TRY(std::string s, EvalString(arg, ctx, depth, fn));
    return R(json::Value::String(Base64(s)));
  }
  if (fn == "Fn::GetAZs") {
    STATOR_TRY(std::string region, EvalString(arg, ctx, depth, fn));
    if (region.empty()) region = ctx.region;
    json::Array zones;
    for (const char* z : {"a", "b", "c"}) zones.push_back(json::Value::String(region + z));
    return R(json::Value::MakeArray(std::move(zones)));
  }
  if (fn == "Fn::ToJsonString" || fn == "Fn::Length") {
    if (!ctx.language_extensions)
      return Bad(fn, "needs 'Transform: " + std::string(kLanguageExtensions) + "'");
    STATOR_TRY(json::Value r, EvalValue(arg, ctx, depth, fn));
    if (fn == "Fn::ToJsonString") return R(json::Value::String(r.Dump()));
    if (!r.is_array()) {
      return Bad(fn, "takes a list, or a function that gives one; got " +
                         std::string(r.TypeName()) + " " + r.Dump());
    }
    return R(json::Value::Int(static_cast<int64_t>(r.as_array().size())));
  }
  if (fn == "Fn::ImportValue") {
    return Bad(fn, "stator deploys one stack at a time; cross-stack imports are not supported");
  }
  return Bad(fn, "not supported by stator deploy");
}

Result<std::optional<json::Value>> Eval(const json::Value& v, const Context& ctx, int depth) {
  using R = std::optional<json::Value>;
  if (depth > 100) return Error{"Template", "intrinsic functions nested too deep"};
  if (const std::string* fn = IntrinsicKey(v)) {
    return EvalFunction(*fn, v.as_object()[0].second, ctx, depth + 1);
  }
  if (v.is_array()) {
    json::Array out;
    for (const json::Value& item : v.as_array()) {
      STATOR_TRY(R r, Eval(item, ctx, depth + 1));
      if (r) out.push_back(std::move(*r));
    }
    return R(json::Value::MakeArray(std::move(out)));
  }
  if (v.is_object()) {
    json::Object out;
    for (const auto& [key, member] : v.as_object()) {
      STATOR_TRY(R r, Eval(member, ctx, depth + 1));
      if (r) out.emplace_back(key, std::move(*r));
    }
    return R(json::Value::MakeObject(std::move(out)));
  }
  return R(v);
}

}  // namespace

bool IsIntrinsic(const json::Value& v) { return IntrinsicKey(v) != nullptr; }

Result<std::string> ScalarText(const json::Value& v, const std::string& what) {
  switch (v.kind()) {
    case json::Kind::kString:
      return v.as_string();
    case json::Kind::kInt:
    case json::Kind::kDouble:
    case json::Kind::kBool:
      return v.Dump();
    default:
      return Error{"Template",
                   what + ": expected a string, got " + std::string(v.TypeName()) + " " + v.Dump()};
  }
}

Result<json::Value> Resolve(const json::Value& v, const Context& ctx) {
  STATOR_TRY(std::optional<json::Value> r, Eval(v, ctx, 0));
  return r ? *r : json::Value::Null();
}

Result<bool> EvaluateCondition(const json::Value& v, const Context& ctx) {
  const std::string* fn = IntrinsicKey(v);
  if (v.is_bool()) return v.as_bool();
  if (fn == nullptr)
    return Error{"Template", "a condition must be Fn::Equals/And/Or/Not/Condition"};
  const json::Value& arg = v.as_object()[0].second;
  if (*fn == "Condition") return ctx.condition(arg.as_string());
  if (*fn == "Fn::Equals") {
    STATOR_TRY(const json::Array* args, ArgList(arg, *fn, 2));
    STATOR_TRY(json::Value a, Resolve((*args)[0], ctx));
    STATOR_TRY(json::Value b, Resolve((*args)[1], ctx));
    // CloudFormation compares the string forms ("1" equals 1).
    auto text_a = ScalarText(a, *fn);
    auto text_b = ScalarText(b, *fn);
    if (text_a.ok() && text_b.ok()) return *text_a == *text_b;
    return a == b;
  }
  if (*fn == "Fn::Not") {
    if (!arg.is_array() || arg.as_array().size() != 1)
      return Bad(*fn, "takes a list of one condition");
    STATOR_TRY(bool b, EvaluateCondition(arg.as_array()[0], ctx));
    return !b;
  }
  if (*fn == "Fn::And" || *fn == "Fn::Or") {
    if (!arg.is_array() || arg.as_array().size() < 2 || arg.as_array().size() > 10) {
      return Bad(*fn, "takes a list of 2 to 10 conditions");
    }
    bool is_and = *fn == "Fn::And";
    for (const json::Value& c : arg.as_array()) {
      STATOR_TRY(bool b, EvaluateCondition(c, ctx));
      if (is_and && !b) return false;
      if (!is_and && b) return true;
    }
    return is_and;
  }
  return Bad(*fn, "is not a condition function");
}

void CollectReferences(const json::Value& v, std::set<std::string>* names) {
  if (const std::string* fn = IntrinsicKey(v)) {
    const json::Value& arg = v.as_object()[0].second;
    if (*fn == "Ref" && arg.is_string()) {
      names->insert(arg.as_string());
      return;
    }
    if (*fn == "Fn::GetAtt") {
      if (arg.is_array() && !arg.as_array().empty() && arg.as_array()[0].is_string()) {
        names->insert(arg.as_array()[0].as_string());
      } else if (arg.is_string()) {
        names->insert(arg.as_string().substr(0, arg.as_string().find('.')));
      }
      if (arg.is_array()) {
        for (const json::Value& a : arg.as_array()) CollectReferences(a, names);
      }
      return;
    }
    if (*fn == "Fn::Sub") {
      std::string text;
      const json::Value* vars = nullptr;
      if (arg.is_string()) text = arg.as_string();
      if (arg.is_array() && arg.as_array().size() == 2 && arg.as_array()[0].is_string()) {
        text = arg.as_array()[0].as_string();
        vars = &arg.as_array()[1];
        CollectReferences(*vars, names);
      }
      auto pieces = SplitSub(text);
      if (!pieces.ok()) return;
      for (const SubPiece& p : *pieces) {
        if (!p.variable || (vars && vars->Find(p.text))) continue;
        if (p.text.starts_with("AWS::")) {
          names->insert(p.text);
        } else {
          names->insert(p.text.substr(0, p.text.find('.')));
        }
      }
      return;
    }
  }
  if (v.is_array()) {
    for (const json::Value& item : v.as_array()) CollectReferences(item, names);
  } else if (v.is_object()) {
    for (const auto& [k, member] : v.as_object()) CollectReferences(member, names);
  }
}

void CollectConditions(const json::Value& v, std::set<std::string>* names) {
  if (const std::string* fn = IntrinsicKey(v)) {
    const json::Value& arg = v.as_object()[0].second;
    if (*fn == "Condition") {
      names->insert(arg.as_string());
      return;
    }
    if (*fn == "Fn::If" && arg.is_array() && !arg.as_array().empty() &&
        arg.as_array()[0].is_string()) {
      names->insert(arg.as_array()[0].as_string());
    }
  }
  if (v.is_array()) {
    for (const json::Value& item : v.as_array()) CollectConditions(item, names);
  } else if (v.is_object()) {
    for (const auto& [k, member] : v.as_object()) CollectConditions(member, names);
  }
}

}  // namespace stator::deploy
