// IntrinsicCall: parse "States.Fn(args...)" once into a tree; evaluate it per state step. The
// grammar, the functions and the Java behaviours they reproduce live beside this file
// (intrinsics_internal.h lists them).
#include "asl/intrinsics.h"

#include <cctype>

#include "asl/intrinsics_internal.h"

namespace stator::asl {

using intrinsic_internal::Node;

namespace {

bool UsesContext(const Node& n) {
  if (n.type == Node::Type::kPath) return n.path->is_context();
  for (const auto& a : n.args) {
    if (UsesContext(a)) return true;
  }
  return false;
}

}  // namespace

struct IntrinsicCall::Impl {
  std::string text;
  Node root;
  bool uses_context = false;
};

bool IntrinsicCall::LooksLikeCall(std::string_view text) {
  size_t b = 0;
  while (b < text.size() && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
  return text.substr(b, 7) == "States." && text.find('(') != std::string_view::npos;
}

Result<IntrinsicCall> IntrinsicCall::Compile(std::string_view text, VariableTable* vars) {
  STATOR_TRY(Node root, intrinsic_internal::ParseCall(text, vars));
  auto impl = std::make_shared<Impl>();
  impl->text = std::string(text);
  impl->uses_context = UsesContext(root);
  impl->root = std::move(root);
  IntrinsicCall call;
  call.impl_ = std::move(impl);
  return call;
}

const std::string& IntrinsicCall::text() const {
  static const std::string* const kEmpty = new std::string();
  return impl_ ? impl_->text : *kEmpty;
}

bool IntrinsicCall::uses_context() const { return impl_ && impl_->uses_context; }

Result<json::Value> IntrinsicCall::Evaluate(const json::Value& input,
                                            const Context& context) const {
  return Evaluate(input, context, {});
}

Result<json::Value> IntrinsicCall::Evaluate(const json::Value& input, const Context& context,
                                            std::string_view field) const {
  return intrinsic_internal::EvaluateCall(impl_->root, input, context, field);
}

}  // namespace stator::asl
