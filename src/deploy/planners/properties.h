// Helpers the resource planners share for reading resolved Properties: scalars, whole numbers,
// Tags in both of their forms, local paths, and the list of properties a planner ignored.
//
// Thread-safety: pure functions (IsDirectory/PathExists look at the file system).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/json.h"
#include "common/result.h"
#include "deploy/planners/planner.h"

namespace stator::deploy {

using TagList = std::vector<std::pair<std::string, std::string>>;

// The property's text ("" when absent); an error when it is not a scalar.
Result<std::string> StringProperty(const json::Value& props, const std::string& key);

// A whole number, given as a number or a string of digits.
Result<int64_t> IntProperty(const json::Value& v, const std::string& what);

// Tags as a mapping (SAM) or a list of {Key, Value} (CloudFormation), then the stack's own two
// (kStackTag, kLogicalIdTag).
Result<TagList> Tags(const StackScope& scope, const json::Value& props,
                     const std::string& logical_id);

// Adds to p->ignored the properties not in used, in template order.
void NoteIgnored(const json::Value& props, const std::set<std::string>& used, PlannedResource* p);

// What Ref gives and an Arn attribute; planners add more attributes.
ResourceAttributes RefAndArn(json::Value ref, const std::string& arn);

// p as given if absolute, else relative to dir ("./" prefixes dropped).
std::string JoinPath(const std::string& dir, const std::string& p);
bool IsDirectory(const std::string& path);
bool PathExists(const std::string& path);

}  // namespace stator::deploy
