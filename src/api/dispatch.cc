#include "api/dispatch.h"

namespace stator::api {

void Dispatch::AddTargetPrefix(std::string prefix, Handler handler) {
  targets_.emplace_back(std::move(prefix) + ".", std::move(handler));
}

void Dispatch::AddPathPrefix(std::string prefix, Handler handler) {
  paths_.emplace_back(std::move(prefix), std::move(handler));
}

void Dispatch::AddMatcher(std::function<bool(const HttpRequest&)> matches, Handler handler) {
  matchers_.emplace_back(std::move(matches), std::move(handler));
}

void Dispatch::SetFallback(Handler handler) { fallback_ = std::move(handler); }

void Dispatch::Handle(HttpRequest&& request, Responder respond) const {
  std::string_view target = request.Header("X-Amz-Target");
  if (!target.empty()) {
    for (const auto& [prefix, handler] : targets_) {
      if (target.starts_with(prefix)) return handler(std::move(request), std::move(respond));
    }
  } else {
    for (const auto& [prefix, handler] : paths_) {
      if (std::string_view(request.target).starts_with(prefix)) {
        return handler(std::move(request), std::move(respond));
      }
    }
    for (const auto& [matches, handler] : matchers_) {
      if (matches(request)) return handler(std::move(request), std::move(respond));
    }
  }
  fallback_(std::move(request), std::move(respond));
}

}  // namespace stator::api
