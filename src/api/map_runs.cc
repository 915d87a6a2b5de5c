#include "api/map_runs.h"

namespace stator::api {

namespace {
constexpr std::string_view kMapRun = ":mapRun:";
}  // namespace

std::optional<std::string> MapRunMachineName(std::string_view arn) {
  if (!arn.starts_with("arn:")) return std::nullopt;
  const size_t at = arn.find(kMapRun);
  if (at == std::string_view::npos) return std::nullopt;
  std::string_view rest = arn.substr(at + kMapRun.size());
  const size_t id = rest.rfind(':');
  if (id == std::string_view::npos || id == 0 || rest.find('/') == std::string_view::npos) {
    return std::nullopt;
  }
  return std::string(rest.substr(0, id));
}

std::optional<std::string> MapRunStateMachineArn(std::string_view arn) {
  std::optional<std::string> name = MapRunMachineName(arn);
  if (!name) return std::nullopt;
  return std::string(arn.substr(0, arn.find(kMapRun))) + ":stateMachine:" + *name;
}

}  // namespace stator::api
