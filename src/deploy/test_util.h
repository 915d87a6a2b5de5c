// What the deploy tests share: a plan made from a template's text for stack "st" in account
// 111122223333, region eu-west-1.
//
// Thread-safety: a pure function (it reads the files the template names under `dir`).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "deploy/stack.h"
#include "deploy/template.h"

namespace stator::deploy::testing {

inline Result<Plan> PlanOf(const std::string& text, const std::string& dir = ".",
                           std::vector<std::pair<std::string, std::string>> overrides = {}) {
  auto t = ParseTemplate(text, "t.yaml", dir);
  if (!t.ok()) return t.error();
  PlanOptions o;
  o.stack_name = "st";
  o.account = "111122223333";
  o.region = "eu-west-1";
  o.parameter_overrides = std::move(overrides);
  return MakePlan(*t, o);
}

}  // namespace stator::deploy::testing
