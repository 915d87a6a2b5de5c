// A SAM / CloudFormation template read into JSON values.
//
// YAML (or JSON) text is parsed with yaml-cpp. Short-form intrinsic tags become the long form
// CloudFormation defines ("!Ref X" -> {"Ref": "X"}, "!GetAtt A.B" -> {"Fn::GetAtt": ["A", "B"]},
// "!Sub ..." -> {"Fn::Sub": ...}, likewise !Join !Select !Split !If !Equals !Not !And !Or
// !FindInMap !Base64 !GetAZs !ImportValue !Cidr !ToJsonString !Condition). Plain scalars are
// typed as YAML's core schema types them (null, true/false, integers, floats); quoted scalars stay
// strings. Duplicate mapping keys are errors, as CloudFormation makes them.
//
// Thread-safety: plain values; the functions are pure (LoadTemplate reads one file).
#pragma once

#include <map>
#include <string>

#include "common/json.h"
#include "common/result.h"

namespace stator::deploy {

struct Template {
  std::string path;  // as given: prefixes error messages
  std::string dir;   // the directory relative paths (CodeUri, DefinitionUri) start from
  json::Value root;  // the whole template, intrinsics in long form
  std::map<std::string, int> lines;  // "Resources.X", "Outputs.X", "Parameters.X" -> 1-based line
  // "path:line: " when the line of `key` is known, else "path: ".
  std::string Where(const std::string& key) const;
};

// Parses template text. Errors (error "Template") read "PATH:LINE:COLUMN: message".
Result<Template> ParseTemplate(const std::string& text, const std::string& path,
                               const std::string& dir);

// Parses YAML text into a JSON value with the same rules (used for .asl.yaml definitions).
Result<json::Value> ParseYaml(const std::string& text, const std::string& path);

// Reads and parses a template file; dir is the file's directory.
Result<Template> LoadTemplate(const std::string& path);

// The whole content of a file (error "Template" naming the file).
Result<std::string> ReadFile(const std::string& path);

}  // namespace stator::deploy
