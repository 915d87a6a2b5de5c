#include "engine/payload_io.h"

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
