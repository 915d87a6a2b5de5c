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
JsonPath::JsonPath() = default;

const JsonPath::Impl& JsonPath::impl() const {
  static const Impl* const kRoot = new Impl();
  return impl_ ? *impl_ : *kRoot;
}

// Compiles text into impl (all but variable_id).
Status JsonPath::CompileInto(std::string_view text, Impl* impl) {
  // Jayway ignores surrounding whitespace.
  size_t b = 0, e = text.size();
  while (b < e && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1]))) --e;
  std::string_view t = text.substr(b, e - b);
  if (t.empty() || t[0] != '$') {
    return Error{"InvalidPath", "Path must start with '$'"};
  }
  impl->text = std::string(text);
  size_t pos = 1;
  if (t.size() > 1 && t[1] == '$') {
    impl->context = true;
    pos = 2;
  } else if (t.size() > 1 && IsVariableNameStart(static_cast<unsigned char>(t[1]))) {
    // A workflow variable: $name, then the usual steps.
    while (pos < t.size() && IsVariableNamePart(static_cast<unsigned char>(t[pos]))) ++pos;
    impl->variable = std::string(t.substr(1, pos - 1));
  }
  path_internal::Parser parser(t, pos);
  Status s = parser.ParseSegments(&impl->segments, /*in_filter=*/false);
  if (!s.ok())
    return Error{"InvalidPath", "Invalid path '" + std::string(t) + "': " + s.error().cause};
  impl->definite = path_internal::IsDefinite(impl->segments);
  impl->reference = impl->definite;
  for (const auto& seg : impl->segments) {
    if (seg.type == Segment::Type::kIndex && seg.index < 0) impl->reference = false;
  }
  return Status::Ok();
}

Result<JsonPath> JsonPath::Compile(std::string_view text) { return Compile(text, nullptr); }

Result<JsonPath> JsonPath::Compile(std::string_view text, VariableTable* vars) {
  JsonPath p;
  if (text == "$") return p;  // the shared root
  auto impl = std::make_shared<Impl>();
  STATOR_RETURN_IF_ERROR(CompileInto(text, impl.get()));
  if (vars != nullptr && !impl->variable.empty()) {
    impl->variable_id = vars->Reference(impl->variable);
  }
  p.impl_ = std::move(impl);
  return p;
}

const std::string& JsonPath::text() const { return impl().text; }
bool JsonPath::is_context() const { return impl().context; }
const std::string& JsonPath::variable() const { return impl().variable; }
uint32_t JsonPath::variable_id() const { return impl().variable_id; }
bool JsonPath::is_root() const { return impl().segments.empty() && impl().variable.empty(); }
bool JsonPath::is_definite() const { return impl().definite; }
bool JsonPath::is_reference() const { return impl().reference && impl().variable.empty(); }
bool JsonPath::is_variable_reference() const {
  return impl().reference && !impl().variable.empty();
}

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
  const Impl& p = impl();
  if (p.context) return Evaluate(context.Get());
  if (!p.variable.empty()) {
    const Value* v = context.VariableById(p.variable_id, p.variable);
    if (v == nullptr) return std::nullopt;
    return Evaluate(*v);
  }
  return Evaluate(input);
}

}  // namespace stator::asl
