#include "common/arn.h"

namespace stator {

std::string ArnScope::Of(std::string_view service, std::string_view resource) const {
  return "arn:" + partition + ":" + std::string(service) + ":" + region + ":" + account + ":" +
         std::string(resource);
}

std::string ArnScope::StatesPrefix() const { return Of("states", ""); }

std::string ArnScope::StateMachine(std::string_view name) const {
  return StatesPrefix() + "stateMachine:" + std::string(name);
}

std::string ArnScope::Execution(std::string_view state_machine, std::string_view name) const {
  return StatesPrefix() + "execution:" + std::string(state_machine) + ":" + std::string(name);
}

std::string ArnScope::ExpressExecution(std::string_view state_machine, std::string_view name,
                                       std::string_view id) const {
  return StatesPrefix() + "express:" + std::string(state_machine) + ":" + std::string(name) + ":" +
         std::string(id);
}

namespace {

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    out.emplace_back(s.substr(start, p == std::string_view::npos ? s.npos : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

bool AllDigits(std::string_view s) {
  if (s.empty() || s.size() > 18) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::string_view Arn::ResourceText() const {
  std::string_view t = text;
  for (int i = 0; i < 5; ++i) t.remove_prefix(t.find(':') + 1);
  return t;
}

ApiResult<Arn> ParseArn(std::string_view text) {
  std::vector<std::string> parts = Split(text, ':');
  if (parts.size() < 6 || parts[0] != "arn" || parts[1].empty() || parts[2].empty()) {
    return ApiError::InvalidArn("Invalid ARN prefix: " + std::string(text));
  }
  Arn arn;
  arn.text = std::string(text);
  arn.partition = parts[1];
  arn.service = parts[2];
  arn.region = parts[3];
  arn.account = parts[4];
  arn.resource.assign(parts.begin() + 5, parts.end());
  return arn;
}

ApiResult<StateMachineArn> ParseStateMachineArn(std::string_view text) {
  STATOR_TRY(Arn arn, ParseArn(text));
  if (arn.service != "states" || arn.region.empty() || arn.account.empty()) {
    return ApiError::InvalidArn("Invalid ARN prefix: " + std::string(text));
  }
  const std::string& type = arn.resource[0];
  if (type != "stateMachine") {
    return ApiError::InvalidArn("Resource type not valid in this context: " + type);
  }
  if (arn.resource.size() < 2 || arn.resource.size() > 3 || arn.resource[1].empty()) {
    return ApiError::InvalidArn("Invalid ARN prefix: " + std::string(text));
  }
  StateMachineArn out;
  out.name = arn.resource[1];
  out.machine_arn = "arn:" + arn.partition + ":states:" + arn.region + ":" + arn.account +
                    ":stateMachine:" + out.name;
  if (arn.resource.size() == 3) {
    const std::string& q = arn.resource[2];
    if (q.empty()) return ApiError::InvalidArn("Invalid ARN prefix: " + std::string(text));
    if (AllDigits(q)) {
      out.version = std::stoll(q);
    } else {
      out.alias = q;
    }
  }
  return out;
}

ApiResult<ExecutionArn> ParseExecutionArn(std::string_view text) {
  STATOR_TRY(Arn arn, ParseArn(text));
  if (arn.service != "states" || arn.region.empty() || arn.account.empty()) {
    return ApiError::InvalidArn("Invalid ARN prefix: " + std::string(text));
  }
  const std::string& type = arn.resource[0];
  if (type != "execution") {
    return ApiError::InvalidArn("Resource type not valid in this context: " + type);
  }
  if (arn.resource.size() != 3 || arn.resource[1].empty() || arn.resource[2].empty()) {
    return ApiError::InvalidArn("Invalid ARN prefix: " + std::string(text));
  }
  ExecutionArn out;
  out.state_machine_name = arn.resource[1];
  out.name = arn.resource[2];
  out.state_machine_arn = "arn:" + arn.partition + ":states:" + arn.region + ":" + arn.account +
                          ":stateMachine:" + out.state_machine_name;
  return out;
}

std::optional<ApiError> CheckRoleArn(std::string_view text) {
  auto arn = ParseArn(text);
  if (!arn.ok()) return std::move(arn).error();
  return std::nullopt;
}

}  // namespace stator
