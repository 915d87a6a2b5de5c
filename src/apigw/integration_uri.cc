#include "apigw/integration_uri.h"

namespace stator::apigw {
namespace {

bool IsFunctionArn(std::string_view arn) {
  if (!arn.starts_with("arn:")) return false;
  // arn : partition : lambda : region : account : function : name [: qualifier]
  size_t parts = 1;
  for (char c : arn) parts += c == ':';
  size_t p1 = arn.find(':', 4);
  if (p1 == std::string_view::npos) return false;
  return arn.substr(p1, 8) == ":lambda:" && arn.find(":function:") != std::string_view::npos &&
         (parts == 7 || parts == 8) && !arn.ends_with(":");
}

}  // namespace

std::optional<std::string> FunctionArnOfUri(std::string_view uri) {
  if (IsFunctionArn(uri)) return std::string(uri);
  constexpr std::string_view kPath = ":lambda:path/2015-03-31/functions/";
  constexpr std::string_view kEnd = "/invocations";
  size_t at = uri.find(kPath);
  if (!uri.starts_with("arn:") || at == std::string_view::npos || !uri.ends_with(kEnd) ||
      uri.find(":apigateway:") == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view inner = uri.substr(at + kPath.size());
  inner.remove_suffix(kEnd.size());
  if (!IsFunctionArn(inner)) return std::nullopt;
  return std::string(inner);
}

bool IsStateMachineArn(std::string_view arn) {
  return arn.starts_with("arn:") && arn.find(":states:") != std::string_view::npos &&
         arn.find(":stateMachine:") != std::string_view::npos;
}

}  // namespace stator::apigw
