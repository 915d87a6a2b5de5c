#include "engine/task_resource.h"

#include <vector>

namespace stator::engine {
namespace {

// Splits an ARN on ':' into at most max_parts parts; the last part keeps the remaining colons.
std::vector<std::string_view> SplitArn(std::string_view arn, size_t max_parts) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (parts.size() + 1 < max_parts) {
    size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) break;
    parts.push_back(arn.substr(start, colon - start));
    start = colon + 1;
  }
  parts.push_back(arn.substr(start));
  return parts;
}

// KNIX's bare function names: 1-64 of [A-Za-z0-9_-] (Lambda's function name rule).
bool IsBareFunctionName(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

TaskResource TaskResource::Parse(std::string_view arn) {
  TaskResource r;
  r.resource = std::string(arn);
  if (IsBareFunctionName(arn)) {
    // A KNIX-style Resource naming a function: run as a Lambda function (LambdaFunction* events).
    r.kind = Kind::kLambdaFunction;
    return r;
  }
  // arn:partition:service:region:account:rest
  std::vector<std::string_view> parts = SplitArn(arn, 6);
  if (parts.size() < 6 || parts[0] != "arn") {
    r.resource_type = "";
    return r;
  }
  std::string_view service = parts[2];
  r.region = std::string(parts[3]);
  std::string_view rest = parts[5];
  if (service == "lambda" && rest.starts_with("function:")) {
    r.kind = Kind::kLambdaFunction;
    return r;
  }
  if (service == "states" && rest.starts_with("activity:")) {
    r.kind = Kind::kActivity;
    return r;
  }
  if (service == "states" && parts[4].empty()) {
    // arn:aws:states:::<service>:<api>[.sync[:2]|.waitForTaskToken]
    std::string_view integration = rest;
    if (integration.starts_with("aws-sdk:")) {
      size_t colon = integration.find(':', 8);
      if (colon != std::string_view::npos) {
        r.resource_type = std::string(integration.substr(0, colon));
        r.resource = std::string(integration.substr(colon + 1));
      } else {
        r.resource_type = std::string(integration);
        r.resource.clear();
      }
    } else {
      size_t colon = integration.find(':');
      if (colon != std::string_view::npos) {
        r.resource_type = std::string(integration.substr(0, colon));
        r.resource = std::string(integration.substr(colon + 1));
      } else {
        r.resource_type = std::string(integration);
        r.resource.clear();
      }
    }
    std::string_view api = r.resource;
    if (api.ends_with(".waitForTaskToken")) {
      r.pattern = Pattern::kWaitForTaskToken;
    } else if (api.ends_with(".sync") || api.ends_with(".sync:2")) {
      r.pattern = Pattern::kSync;
    }
    return r;
  }
  // Any other ARN: shown as the service name and the full ARN.
  r.resource_type = std::string(service);
  return r;
}

}  // namespace stator::engine
