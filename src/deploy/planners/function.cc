// The planner of AWS::Serverless::Function and AWS::Lambda::Function: a Lambda CreateFunction
// request (without Code: the CLI zips FunctionCode) named FunctionName or STACK-LogicalId.
#include <algorithm>

#include "deploy/intrinsics.h"
#include "deploy/planners/planner.h"
#include "deploy/planners/properties.h"

namespace stator::deploy {
namespace {

using json::Value;

Value Str(std::string s) { return Value::String(std::move(s)); }

// Where the code comes from: CodeUri / InlineCode (SAM), Code.ZipFile / Code as a local path
// (CloudFormation). Marks the keys it reads as used.
Status ReadCode(const StackScope& scope, bool sam, const Value& props, std::set<std::string>* used,
                FunctionCode* out) {
  const std::string code_key = sam ? "CodeUri" : "Code";
  used->insert(code_key);
  const Value* code = props.Find(code_key);
  const Value* inline_code = sam ? props.Find("InlineCode") : nullptr;
  if (sam) used->insert("InlineCode");
  if (!sam && code && code->is_object()) {
    if (const Value* zf = code->Find("ZipFile")) inline_code = zf;
    if (code->Find("S3Bucket") || code->Find("ImageUri")) {
      return Error{"Template",
                   "Code from S3 or an image is not supported: give Code.ZipFile or a local path"};
    }
    if (inline_code) code = nullptr;
  }
  if (inline_code) {
    STATOR_TRY(std::string text, ScalarText(*inline_code, "inline code"));
    out->source = FunctionCode::kInline;
    out->inline_text = text;
    return Status::Ok();
  }
  if (code && code->is_string()) {
    std::string path = JoinPath(scope.template_dir, code->as_string());
    if (code->as_string().starts_with("s3://")) {
      return Error{"Template", code_key + " '" + code->as_string() +
                                   "' is in S3; stator deploys local code (a directory or a zip)"};
    }
    if (!PathExists(path)) {
      return Error{"Template", code_key + " '" + code->as_string() +
                                   "' does not exist (looked for " + path + ")"};
    }
    out->path = path;
    out->source = IsDirectory(path)        ? FunctionCode::kDirectory
                  : path.ends_with(".zip") ? FunctionCode::kZipFile
                                           : FunctionCode::kFile;
    return Status::Ok();
  }
  if (code) {
    return Error{"Template", code_key + " must be a local path (S3 locations are not supported)"};
  }
  return Error{"Template", sam ? "needs CodeUri or InlineCode" : "needs Code"};
}

}  // namespace

Status PlanFunction(const StackScope& scope, const ResourceInput& in, PlannedResource* p,
                    ResourceAttributes* attributes) {
  const Value& props = in.properties;
  bool sam = in.type == "AWS::Serverless::Function";
  p->kind = Kind::kFunction;
  STATOR_TRY(std::string name, StringProperty(props, "FunctionName"));
  if (name.empty()) name = GeneratedName(scope.stack_name, in.logical_id, 64);
  p->name = name;
  p->arn = scope.Arn("lambda", "function:" + name);
  std::set<std::string> used = {"FunctionName", "Handler",    "Runtime",     "Role", "Environment",
                                "Timeout",      "MemorySize", "Description", "Tags"};
  if (const Value* pt = props.Find("PackageType");
      pt && pt->is_string() && pt->as_string() == "Image") {
    return Error{
        "Template",
        "container image functions are not supported (stator runs python3.x zip functions)"};
  }
  STATOR_RETURN_IF_ERROR(ReadCode(scope, sam, props, &used, &p->code));
  STATOR_TRY(std::string runtime, StringProperty(props, "Runtime"));
  if (runtime.empty()) return Error{"Template", "needs Runtime (python3.x)"};
  if (!runtime.starts_with("python3")) {
    return Error{"Template",
                 "Runtime " + runtime + " is not supported: stator runs python3.x functions"};
  }
  STATOR_TRY(std::string handler, StringProperty(props, "Handler"));
  if (handler.empty()) return Error{"Template", "needs Handler (module.function)"};
  STATOR_TRY(std::string role, StringProperty(props, "Role"));
  if (role.empty()) role = scope.ImplicitRoleArn(in.logical_id);
  json::Object req = {{"FunctionName", Str(name)},
                      {"Runtime", Str(runtime)},
                      {"Role", Str(role)},
                      {"Handler", Str(handler)}};
  STATOR_TRY(std::string description, StringProperty(props, "Description"));
  if (!description.empty()) req.emplace_back("Description", Str(description));
  for (const char* k : {"Timeout", "MemorySize"}) {
    if (const Value* v = props.Find(k)) {
      STATOR_TRY(int64_t n, IntProperty(*v, k));
      req.emplace_back(k, Value::Int(n));
    }
  }
  if (const Value* env = props.Find("Environment")) {
    const Value* vars = env->Find("Variables");
    if (!env->is_object() || (vars && !vars->is_object())) {
      return Error{"Template", "Environment must be {Variables: {NAME: value}}"};
    }
    json::Object out;
    if (vars) {
      for (const auto& [k, v] : vars->as_object()) {
        STATOR_TRY(std::string s, ScalarText(v, "Environment.Variables." + k));
        out.emplace_back(k, Str(s));
      }
    }
    req.emplace_back("Environment",
                     Value::MakeObject({{"Variables", Value::MakeObject(std::move(out))}}));
  }
  STATOR_TRY(TagList tags, Tags(scope, props, in.logical_id));
  json::Object tag_map;  // Lambda's tags are a map: a later key replaces an earlier one
  for (auto& [k, v] : tags) {
    const std::string& key = k;  // clang 14 cannot capture a structured binding
    auto it = std::find_if(tag_map.begin(), tag_map.end(),
                           [&key](const json::Member& m) { return m.first == key; });
    if (it != tag_map.end()) {
      it->second = Str(v);
    } else {
      tag_map.emplace_back(k, Str(v));
    }
  }
  req.emplace_back("Tags", Value::MakeObject(std::move(tag_map)));
  p->request = Value::MakeObject(std::move(req));
  STATOR_RETURN_IF_ERROR(PlanEvents(scope, in, role, p, &used));
  NoteIgnored(props, used, p);
  *attributes = RefAndArn(Str(name), p->arn);
  return Status::Ok();
}

}  // namespace stator::deploy
