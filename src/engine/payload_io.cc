#include "engine/payload_io.h"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "engine/error_policy.h"

namespace stator::engine {

std::optional<json::Value> EvaluatePath(const asl::JsonPath& p, const json::Value& input,
                                        const asl::Context& context) {
  return p.Evaluate(input, context);
}

std::string BracketPath(std::string_view path) {
  std::string out;
  size_t i = 0;
  if (path.starts_with("$$")) {
    out = "$$";
    i = 2;
  } else if (path.starts_with("$")) {
    out = "$";
    i = 1;
  } else {
    return std::string(path);
  }
  while (i < path.size()) {
    if (path[i] == '.') {
      size_t j = i + 1;
      while (j < path.size() && path[j] != '.' && path[j] != '[') ++j;
      if (j == i + 1) return std::string(path);
      out += "['";
      out.append(path.substr(i + 1, j - i - 1));
      out += "']";
      i = j;
    } else if (path[i] == '[') {
      size_t j = path.find(']', i);
      if (j == std::string_view::npos) return std::string(path);
      std::string_view inner = path.substr(i + 1, j - i - 1);
      if (inner.size() >= 2 && (inner.front() == '\'' || inner.front() == '"')) {
        out += "['";
        out.append(inner.substr(1, inner.size() - 2));
        out += "']";
      } else {
        out += "[";
        out.append(inner);
        out += "]";
      }
      i = j + 1;
    } else {
      return std::string(path);
    }
  }
  return out;
}

Error NoResultsForPath(std::string_view path) {
  std::string cause = "Invalid path '";
  cause.append(path);
  cause += "' : No results for path: ";
  cause += BracketPath(path);
  return Error{std::string(kStatesRuntime), std::move(cause)};
}

Error AssignTooLarge(std::string_view state_name) {
  return Error{std::string(kStatesDataLimitExceeded),
               "The state '" + std::string(state_name) +
                   "' assigned variables with a size exceeding the maximum number of bytes "
                   "service limit."};
}

Error VariablesTooLarge(std::string_view state_name) {
  return Error{std::string(kStatesDataLimitExceeded),
               "The state '" + std::string(state_name) +
                   "' assigned variables that bring the workflow variables over the maximum "
                   "number of bytes service limit."};
}

Error OuterScopeAssignment(std::string_view variable) {
  return Error{std::string(kStatesRuntime),
               "The variable '" + std::string(variable) +
                   "' belongs to an outer scope: a Map iteration or Parallel branch can read it "
                   "but not assign it."};
}

std::optional<int64_t> IntegerValue(const json::Value& v) {
  if (v.is_int()) return v.as_int();
  if (!v.is_string()) return std::nullopt;
  // Java's Integer.parseInt: an optional sign, then decimal digits, within 32 bits.
  const std::string& s = v.as_string();
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  if (i == s.size() || s.size() - i > 10) return std::nullopt;
  int64_t n = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    n = n * 10 + (s[i] - '0');
  }
  if (negative) n = -n;
  if (n < INT32_MIN || n > INT32_MAX) return std::nullopt;
  return n;
}

std::optional<double> NumberValue(const json::Value& v) {
  if (v.is_number()) return v.as_double();
  if (!v.is_string()) return std::nullopt;
  const std::string& s = v.as_string();
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return std::nullopt;
  char* end = nullptr;
  double d = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

Result<json::Value> ApplyInputOutputPath(const asl::PathField& f, const json::Value& v,
                                         const asl::Context& context) {
  switch (f.mode) {
    case asl::PathField::Mode::kDefault:
      return v;
    case asl::PathField::Mode::kNull:
      return json::Value::EmptyObject();
    case asl::PathField::Mode::kPath:
      break;
  }
  if (f.path.is_root() && !f.path.is_context()) return v;
  std::optional<json::Value> r = EvaluatePath(f.path, v, context);
  if (!r) return NoResultsForPath(f.path.text());
  return std::move(*r);
}

Result<json::Value> ApplyResultPathField(const asl::PathField& f, const json::Value& raw_input,
                                         json::Value result) {
  switch (f.mode) {
    case asl::PathField::Mode::kDefault:
      return result;
    case asl::PathField::Mode::kNull:
      return raw_input;
    case asl::PathField::Mode::kPath:
      break;
  }
  if (f.path.is_root()) return result;
  return asl::ApplyResultPath(f.path, raw_input, std::move(result));
}

namespace {

size_t StringSize(const std::string& s) {
  size_t n = 2;
  for (unsigned char c : s) {
    if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') {
      n += 2;
    } else if (c < 0x20) {
      n += 6;
    } else {
      n += 1;
    }
  }
  return n;
}

void Measure(const json::Value& v, size_t limit, size_t* n) {
  if (*n > limit) return;
  switch (v.kind()) {
    case json::Kind::kNull:
      *n += 4;
      return;
    case json::Kind::kBool:
      *n += v.as_bool() ? 4 : 5;
      return;
    case json::Kind::kInt:
    case json::Kind::kDouble: {
      std::string s;
      v.DumpTo(&s);
      *n += s.size();
      return;
    }
    case json::Kind::kString:
      *n += StringSize(v.as_string());
      return;
    case json::Kind::kArray: {
      const json::Array& a = v.as_array();
      *n += 2 + (a.empty() ? 0 : a.size() - 1);
      for (const json::Value& e : a) {
        Measure(e, limit, n);
        if (*n > limit) return;
      }
      return;
    }
    case json::Kind::kObject: {
      const json::Object& o = v.as_object();
      *n += 2 + (o.empty() ? 0 : o.size() - 1);
      for (const auto& [k, e] : o) {
        *n += StringSize(k) + 1;
        Measure(e, limit, n);
        if (*n > limit) return;
      }
      return;
    }
  }
}

}  // namespace

size_t JsonSize(const json::Value& v, size_t limit) {
  size_t n = 0;
  Measure(v, limit, &n);
  return n;
}

std::string MessageText(const json::Value& v) {
  if (v.is_string()) return v.as_string();
  return v.Dump();
}

}  // namespace stator::engine
