// JsonPath: compile into segments once, evaluate without parsing (see path.h). The pieces live
// beside this file (path_internal.h lists them).
#include "asl/path.h"

#include <cctype>
#include <vector>

#include "asl/path_internal.h"
#include "asl/path_parser.h"

namespace stator::asl {

using json::Value;
using path_internal::Segment;

// "$" shares one static Impl: a default JsonPath (every State has several) allocates nothing.
JsonPath::JsonPath() : text_("$") {}

const JsonPath::Impl& JsonPath::impl() const {
  static const Impl* const kRoot = new Impl();
  return impl_ ? *impl_ : *kRoot;
}

Result<JsonPath> JsonPath::Compile(std::string_view text) {
  // Jayway ignores surrounding whitespace.
  size_t b = 0, e = text.size();
  while (b < e && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1]))) --e;
  std::string_view t = text.substr(b, e - b);
  if (t.empty() || t[0] != '$') {
    return Error{"InvalidPath", "Path must start with '$'"};
  }
  JsonPath p;
  p.text_ = std::string(text);
  size_t pos = 1;
  if (t.size() > 1 && t[1] == '$') {
    p.context_ = true;
    pos = 2;
  } else if (t.size() > 1 && IsVariableNameStart(static_cast<unsigned char>(t[1]))) {
    // A workflow variable: $name, then the usual steps.
    while (pos < t.size() && IsVariableNamePart(static_cast<unsigned char>(t[pos]))) ++pos;
    p.variable_ = std::string(t.substr(1, pos - 1));
  }
  auto impl = std::make_shared<Impl>();
  path_internal::Parser parser(t, pos);
  Status s = parser.ParseSegments(&impl->segments, /*in_filter=*/false);
  if (!s.ok())
    return Error{"InvalidPath", "Invalid path '" + std::string(t) + "': " + s.error().cause};
  impl->definite = path_internal::IsDefinite(impl->segments);
  impl->reference = impl->definite;
  for (const auto& seg : impl->segments) {
    if (seg.type == Segment::Type::kIndex && seg.index < 0) impl->reference = false;
  }
  // A path with no steps ("$", "$$", "$name") shares the root Impl.
  if (!impl->segments.empty()) p.impl_ = std::move(impl);
  return p;
}

Result<JsonPath> JsonPath::Compile(std::string_view text, VariableTable* vars) {
  STATOR_TRY(JsonPath p, Compile(text));
  if (vars != nullptr && p.is_variable()) p.variable_id_ = vars->Reference(p.variable_);
  return p;
}

bool JsonPath::is_root() const { return impl().segments.empty() && variable_.empty(); }
bool JsonPath::is_definite() const { return impl().definite; }
bool JsonPath::is_reference() const { return impl().reference && variable_.empty(); }
bool JsonPath::is_variable_reference() const { return impl().reference && !variable_.empty(); }

std::optional<json::Value> JsonPath::Evaluate(const json::Value& root) const {
  if (impl().definite) {
    const Value* v = path_internal::WalkDefinite(root, impl().segments);
    if (v == nullptr) return std::nullopt;
    return *v;
  }
  std::vector<Value> out;
  path_internal::CollectMatches(impl().segments, root, root, &out);
  return Value::MakeArray(std::move(out));
}

std::optional<json::Value> JsonPath::Evaluate(const json::Value& input,
                                              const Context& context) const {
  if (context_) return Evaluate(context.Get());
  if (!variable_.empty()) {
    const Value* v = context.VariableById(variable_id_, variable_);
    if (v == nullptr) return std::nullopt;
    return Evaluate(*v);
  }
  return Evaluate(input);
}

}  // namespace stator::asl
