// PayloadTemplate: a compiled Parameters / ResultSelector / ItemSelector / (Map) Parameters
// object.
//
// A template is any JSON value. Inside objects, a key ending in ".$" takes its value from a
// JSONPath on the input ("$..."), on the context object ("$$...") or on a workflow variable
// ("$name..."), or from an intrinsic call ("States.Format(...)"); the ".$" is dropped from the
// output key. Other values are copied as they are; nested objects and arrays are templates too.
// Output keys keep the template's order ("a" and "a.$" in one object: the later one wins, in the
// earlier one's place).
//
// Evaluate fails (as AWS does) when a path selects nothing or an intrinsic fails; the Error's
// cause uses AWS's wording, e.g. "The JSONPath '$.x' specified for the field 'x.$' could not be
// found in the input '{...}'".
//
// Thread-safety: immutable after Compile; Evaluate may run on many threads at once.
#pragma once

#include <memory>

#include "asl/context.h"
#include "asl/diagnostic.h"
#include "asl/variable_table.h"
#include "common/json.h"
#include "common/result.h"

namespace stator::asl {

class PayloadTemplate {
 public:
  // Compiles tmpl; problems (bad paths, bad intrinsic calls) are appended to diags with locations
  // under location (e.g. "/States/Foo/Parameters"). Returns nullopt if there were any.
  // Paths and intrinsic arguments that read workflow variables get their ids from vars when
  // given (see JsonPath::Compile).
  static std::optional<PayloadTemplate> Compile(const json::Value& tmpl,
                                                const std::string& location, Diagnostics* diags,
                                                VariableTable* vars = nullptr);

  bool uses_context() const;
  Result<json::Value> Evaluate(const json::Value& input, const Context& context) const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace stator::asl
