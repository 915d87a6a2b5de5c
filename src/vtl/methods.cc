// The Java methods a template may call on its values: java.util.Map (LinkedHashMap),
// java.util.List (ArrayList), java.lang.String, Integer/Long/Double and Boolean, with Java's
// results (list.add returns true, map.put the previous value, void methods nothing).
// String positions count UTF-16 code units, as Java's do.
#include <algorithm>
#include <regex>

#include "vtl/runtime.h"
#include "vtl/text.h"

namespace stator::vtl {

namespace {

bool IsInt(const std::vector<Value>& args, size_t i) { return i < args.size() && args[i].is_int(); }
bool IsStr(const std::vector<Value>& args, size_t i) {
  return i < args.size() && args[i].is_string();
}

// A map key as Java would hold it: our maps key by string, so other keys go by their text.
std::string KeyOf(const Value& v) { return v.ToJavaString(); }

bool MapMethod(const Value& target, std::string_view name, std::vector<Value>& args, Value* out) {
  Map& m = target.as_map();
  size_t n = args.size();
  if (name == "get" && n == 1) {
    Value* v = args[0].is_null() ? nullptr : m.Get(KeyOf(args[0]));
    *out = v != nullptr ? *v : Value();
  } else if (name == "getOrDefault" && n == 2) {
    Value* v = args[0].is_null() ? nullptr : m.Get(KeyOf(args[0]));
    *out = v != nullptr ? *v : args[1];
  } else if (name == "put" && n == 2 && !args[0].is_null()) {
    *out = m.Put(KeyOf(args[0]), args[1]);
  } else if (name == "putIfAbsent" && n == 2 && !args[0].is_null()) {
    Value* v = m.Get(KeyOf(args[0]));
    if (v != nullptr && !v->is_null()) {
      *out = *v;
    } else {
      m.Put(KeyOf(args[0]), args[1]);
      *out = Value();
    }
  } else if (name == "putAll" && n == 1 && args[0].is_map()) {
    Map& from = args[0].as_map();
    for (size_t i = 0; i < from.size(); ++i) m.Put(from.KeyAt(i), from.ValueAt(i));
    *out = VoidValue();
  } else if (name == "containsKey" && n == 1) {
    *out = Value::Bool(!args[0].is_null() && m.Contains(KeyOf(args[0])));
  } else if (name == "containsValue" && n == 1) {
    bool found = false;
    for (size_t i = 0; i < m.size() && !found; ++i) found = m.ValueAt(i).Equals(args[0]);
    *out = Value::Bool(found);
  } else if (name == "remove" && n == 1) {
    *out = args[0].is_null() ? Value() : m.Remove(KeyOf(args[0]));
  } else if (name == "size" && n == 0) {
    *out = Value::Int(static_cast<int64_t>(m.size()));
  } else if (name == "isEmpty" && n == 0) {
    *out = Value::Bool(m.empty());
  } else if (name == "clear" && n == 0) {
    m.Clear();
    *out = VoidValue();
  } else if (name == "keySet" && n == 0) {
    *out = Value::NewList();
    for (size_t i = 0; i < m.size(); ++i) out->as_list().Add(Value::String(m.KeyAt(i)));
  } else if (name == "values" && n == 0) {
    *out = Value::NewList();
    for (size_t i = 0; i < m.size(); ++i) out->as_list().Add(m.ValueAt(i));
  } else if (name == "entrySet" && n == 0) {
    // Each entry is a map {key, value}: $e.key, $e.value, $e.getKey(), $e.getValue().
    *out = Value::NewList();
    for (size_t i = 0; i < m.size(); ++i) {
      Value entry = Value::NewMap();
      entry.as_map().Put("key", Value::String(m.KeyAt(i)));
      entry.as_map().Put("value", m.ValueAt(i));
      out->as_list().Add(std::move(entry));
    }
  } else if ((name == "getKey" || name == "getValue") && n == 0 && m.size() == 2 &&
             m.Contains("key") && m.Contains("value")) {
    *out = *m.Get(name == "getKey" ? "key" : "value");
  } else {
    return false;
  }
  return true;
}

bool ListMethod(const Value& target, std::string_view name, std::vector<Value>& args, Value* out) {
  List& l = target.as_list();
  size_t n = args.size();
  auto index_of = [&](const Value& v) -> int64_t {
    for (size_t i = 0; i < l.size(); ++i) {
      if (l.At(i).Equals(v)) return static_cast<int64_t>(i);
    }
    return -1;
  };
  auto in_range = [&](const Value& v, size_t limit) {
    return v.is_int() && v.as_int() >= 0 && static_cast<uint64_t>(v.as_int()) < limit;
  };
  if (name == "add" && n == 1) {
    l.Add(args[0]);
    *out = Value::Bool(true);
  } else if (name == "add" && n == 2 && in_range(args[0], l.size() + 1)) {
    l.Insert(static_cast<size_t>(args[0].as_int()), args[1]);
    *out = VoidValue();
  } else if (name == "addAll" && n == 1 && args[0].is_list()) {
    List& from = args[0].as_list();
    size_t count = from.size();  // a list added to itself adds its items once
    for (size_t i = 0; i < count; ++i) l.Add(from.At(i));
    *out = Value::Bool(count > 0);
  } else if (name == "get" && n == 1) {
    if (!in_range(args[0], l.size())) return false;
    *out = l.At(static_cast<size_t>(args[0].as_int()));
  } else if (name == "set" && n == 2) {
    if (!in_range(args[0], l.size())) return false;
    Value& slot = l.At(static_cast<size_t>(args[0].as_int()));
    *out = slot;
    slot = args[1];
  } else if (name == "size" && n == 0) {
    *out = Value::Int(static_cast<int64_t>(l.size()));
  } else if (name == "isEmpty" && n == 0) {
    *out = Value::Bool(l.empty());
  } else if (name == "contains" && n == 1) {
    *out = Value::Bool(index_of(args[0]) >= 0);
  } else if (name == "containsAll" && n == 1 && args[0].is_list()) {
    bool all = true;
    List& other = args[0].as_list();
    for (size_t i = 0; i < other.size() && all; ++i) all = index_of(other.At(i)) >= 0;
    *out = Value::Bool(all);
  } else if (name == "indexOf" && n == 1) {
    *out = Value::Int(index_of(args[0]));
  } else if (name == "lastIndexOf" && n == 1) {
    int64_t found = -1;
    for (size_t i = 0; i < l.size(); ++i) {
      if (l.At(i).Equals(args[0])) found = static_cast<int64_t>(i);
    }
    *out = Value::Int(found);
  } else if (name == "remove" && n == 1) {
    if (args[0].is_int()) {  // remove(int index), as Java picks for an Integer
      if (!in_range(args[0], l.size())) return false;
      size_t i = static_cast<size_t>(args[0].as_int());
      *out = l.At(i);
      l.Erase(i);
    } else {
      int64_t i = index_of(args[0]);
      if (i >= 0) l.Erase(static_cast<size_t>(i));
      *out = Value::Bool(i >= 0);
    }
  } else if ((name == "removeAll" || name == "retainAll") && n == 1 && args[0].is_list()) {
    bool keep_listed = name == "retainAll";
    List& other = args[0].as_list();
    bool changed = false;
    for (size_t i = l.size(); i-- > 0;) {
      bool listed = false;
      for (size_t j = 0; j < other.size() && !listed; ++j) listed = other.At(j).Equals(l.At(i));
      if (listed != keep_listed) {
        l.Erase(i);
        changed = true;
      }
    }
    *out = Value::Bool(changed);
  } else if (name == "clear" && n == 0) {
    l.Clear();
    *out = VoidValue();
  } else if (name == "subList" && n == 2 && in_range(args[0], l.size() + 1) &&
             in_range(args[1], l.size() + 1) && args[0].as_int() <= args[1].as_int()) {
    *out = Value::NewList();
    for (int64_t i = args[0].as_int(); i < args[1].as_int(); ++i) {
      out->as_list().Add(l.At(static_cast<size_t>(i)));
    }
  } else {
    return false;
  }
  return true;
}

// Java's String.split(regex, limit): with limit 0 trailing empty strings are dropped; a match
// of width zero at the start gives no leading empty string.
Value Split(const std::string& s, const std::string& pattern, int64_t limit) {
  Value out = Value::NewList();
  std::vector<std::string> parts;
  std::optional<std::regex> re = CompileJavaRegex(pattern);
  if (!re) return Value();
  size_t start = 0;
  for (auto it = std::sregex_iterator(s.begin(), s.end(), *re); it != std::sregex_iterator();
       ++it) {
    if (limit > 0 && static_cast<int64_t>(parts.size()) == limit - 1) break;
    size_t at = static_cast<size_t>(it->position());
    size_t len = static_cast<size_t>(it->length());
    if (len == 0 && at == 0) continue;
    if (len == 0 && at >= s.size()) break;
    parts.push_back(s.substr(start, at - start));
    start = at + len;
  }
  parts.push_back(s.substr(start));
  if (limit == 0) {
    while (parts.size() > 1 && parts.back().empty()) parts.pop_back();
    if (parts.size() == 1 && parts[0].empty() && !s.empty()) parts.clear();
  }
  for (auto& p : parts) out.as_list().Add(Value::String(std::move(p)));
  return out;
}

bool StringMethod(const Value& target, std::string_view name, std::vector<Value>& args,
                  Value* out) {
  const std::string& s = target.as_string();
  size_t n = args.size();
  if (name == "length" && n == 0) {
    *out = Value::Int(static_cast<int64_t>(Utf16Length(s)));
  } else if (name == "isEmpty" && n == 0) {
    *out = Value::Bool(s.empty());
  } else if (name == "isBlank" && n == 0) {
    *out = Value::Bool(JavaTrim(s).empty());
  } else if (name == "contains" && IsStr(args, 0) && n == 1) {
    *out = Value::Bool(s.find(args[0].as_string()) != std::string::npos);
  } else if (name == "startsWith" && IsStr(args, 0) && n == 1) {
    *out = Value::Bool(s.starts_with(args[0].as_string()));
  } else if (name == "endsWith" && IsStr(args, 0) && n == 1) {
    *out = Value::Bool(s.ends_with(args[0].as_string()));
  } else if (name == "equals" && n == 1) {
    *out = Value::Bool(args[0].is_string() && args[0].as_string() == s);
  } else if (name == "equalsIgnoreCase" && n == 1) {
    *out = Value::Bool(args[0].is_string() && AsciiLower(args[0].as_string()) == AsciiLower(s));
  } else if (name == "substring" && IsInt(args, 0) && (n == 1 || (n == 2 && IsInt(args, 1)))) {
    std::u16string u = ToUtf16(s);
    int64_t b = args[0].as_int();
    int64_t e = n == 2 ? args[1].as_int() : static_cast<int64_t>(u.size());
    if (b < 0 || e > static_cast<int64_t>(u.size()) || b > e) return false;
    *out = Value::String(FromUtf16(u.substr(static_cast<size_t>(b), static_cast<size_t>(e - b))));
  } else if ((name == "indexOf" || name == "lastIndexOf") && IsStr(args, 0) && n == 1) {
    std::u16string u = ToUtf16(s), what = ToUtf16(args[0].as_string());
    size_t at = name == "indexOf" ? u.find(what) : u.rfind(what);
    *out = Value::Int(at == std::u16string::npos ? -1 : static_cast<int64_t>(at));
  } else if (name == "charAt" && IsInt(args, 0) && n == 1) {
    std::u16string u = ToUtf16(s);
    int64_t i = args[0].as_int();
    if (i < 0 || i >= static_cast<int64_t>(u.size())) return false;
    *out = Value::String(FromUtf16(u.substr(static_cast<size_t>(i), 1)));
  } else if (name == "replace" && IsStr(args, 0) && IsStr(args, 1) && n == 2) {
    *out = Value::String(ReplaceAll(s, args[0].as_string(), args[1].as_string()));
  } else if ((name == "replaceAll" || name == "replaceFirst") && IsStr(args, 0) && IsStr(args, 1) &&
             n == 2) {
    std::optional<std::regex> re = CompileJavaRegex(args[0].as_string());
    if (!re) return false;
    auto flags = name == "replaceFirst" ? std::regex_constants::format_first_only
                                        : std::regex_constants::format_default;
    *out = Value::String(std::regex_replace(s, *re, args[1].as_string(), flags));
  } else if (name == "matches" && IsStr(args, 0) && n == 1) {
    std::optional<std::regex> re = CompileJavaRegex(args[0].as_string());
    if (!re) return false;
    *out = Value::Bool(std::regex_match(s, *re));
  } else if (name == "split" && IsStr(args, 0) && (n == 1 || (n == 2 && IsInt(args, 1)))) {
    *out = Split(s, args[0].as_string(), n == 2 ? args[1].as_int() : 0);
    if (out->is_null()) return false;
  } else if (name == "toLowerCase" && n == 0) {
    *out = Value::String(AsciiLower(s));
  } else if (name == "toUpperCase" && n == 0) {
    *out = Value::String(AsciiUpper(s));
  } else if ((name == "trim" || name == "strip") && n == 0) {
    *out = Value::String(std::string(JavaTrim(s)));
  } else if (name == "concat" && IsStr(args, 0) && n == 1) {
    *out = Value::String(s + args[0].as_string());
  } else if (name == "compareTo" && IsStr(args, 0) && n == 1) {
    int c = s.compare(args[0].as_string());
    *out = Value::Int(c < 0 ? -1 : c > 0 ? 1 : 0);
  } else if (name == "getBytes" && n == 0) {
    *out = Value::NewList();
    for (unsigned char c : s) out->as_list().Add(Value::Int(static_cast<int8_t>(c)));
  } else {
    return false;
  }
  return true;
}

bool ScalarMethod(const Value& target, std::string_view name, std::vector<Value>& args,
                  Value* out) {
  size_t n = args.size();
  if (target.is_number() && n == 0) {
    if (name == "intValue") {
      *out = Value::Int(target.is_int() ? static_cast<int32_t>(target.as_int())
                                        : static_cast<int32_t>(target.as_double()));
    } else if (name == "longValue") {
      *out =
          Value::Int(target.is_int() ? target.as_int() : static_cast<int64_t>(target.as_double()));
    } else if (name == "doubleValue" || name == "floatValue") {
      *out = Value::Double(target.as_double());
    } else {
      return false;
    }
    return true;
  }
  if (target.is_bool() && name == "booleanValue" && n == 0) {
    *out = target;
    return true;
  }
  return false;
}

}  // namespace

bool CallValueMethod(const Value& target, std::string_view name, std::vector<Value>& args,
                     Value* out) {
  if (target.is_null()) return false;
  if (name == "toString" && args.empty()) {
    *out = Value::String(target.ToJavaString());
    return true;
  }
  if (name == "equals" && args.size() == 1 && !target.is_string()) {
    *out = Value::Bool(target.Equals(args[0]));
    return true;
  }
  if (name == "getClass" && args.empty()) return false;
  switch (target.type()) {
    case Value::Type::kMap:
      return MapMethod(target, name, args, out);
    case Value::Type::kList:
      return ListMethod(target, name, args, out);
    case Value::Type::kString:
      return StringMethod(target, name, args, out);
    default:
      return ScalarMethod(target, name, args, out);
  }
}

}  // namespace stator::vtl
