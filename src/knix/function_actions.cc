// The function actions of the management API (knix-protocol.md §1.3), with KNIX's messages:
// "Couldn't <what>; malformed input." / "; no such function." and the successes' wording.
#include "common/base64.h"
#include "common/random.h"
#include "functions/function_config.h"
#include "knix/function_package.h"
#include "knix/json_fields.h"
#include "knix/service.h"

namespace stator::knix {
namespace {

// The `function` object of a request with a string `id`, or nullptr.
const json::Value* FunctionArg(const json::Value& data) {
  const json::Value* f = Member(data, "function");
  return f && f->is_object() && IsString(f->Find("id")) ? f : nullptr;
}

}  // namespace

ActionResult KnixService::GetFunctions(const Call& c) {
  auto functions = catalog_.Functions(c.user.id);
  if (!functions.ok()) return Fail("Couldn't get functions: " + functions.error().cause);
  json::Array list;
  for (const FunctionRecord& f : *functions) list.push_back(f.Public());
  std::string message =
      list.empty() ? "No functions yet." : "Found " + std::to_string(list.size()) + " functions.";
  return Data(message, {{"functions", json::Value::MakeArray(std::move(list))}});
}

ActionResult KnixService::AddFunction(const Call& c) {
  const json::Value* f = Member(c.data, "function");
  if (f == nullptr || !IsString(Member(*f, "name"))) {
    return Fail("Couldn't add function: malformed input.");
  }
  const std::string name = f->Find("name")->as_string();
  const json::Value* runtime = f->Find("runtime");
  if (name == "exit" || name == "end") {
    return Fail("Couldn't add function: [ERROR]: '" + name +
                "' is reserved; its use as a function name is not allowed.");
  }
  for (char ch : name) {
    if (std::isspace(static_cast<unsigned char>(ch)) || ch == ':') {
      return Fail(
          "Couldn't add function: [ERROR]: Whitespace/colons(:) in function names is not "
          "allowed: '" +
          name + "'");
    }
  }
  if (!functions::IsValidFunctionName(name)) {
    return Fail("Couldn't add function: [ERROR]: '" + name +
                "' is not a valid function name here: a KNIX function is a Lambda function of "
                "this server, named by 1 to 64 letters, digits, hyphens and underscores.");
  }
  MutexLock lock(&catalog_mu_);
  auto exists = registry_->Exists(name);
  if (!exists.ok()) return Fail("Couldn't add function: " + exists.error().cause);
  if (*exists) {
    return Fail("Couldn't add function: [ERROR]: a function named '" + name + "' exists already.");
  }
  FunctionRecord record;
  record.id = RandomHex(16);
  record.name = name;
  record.runtime = IsString(runtime) ? runtime->as_string() : "Python 3.6";
  record.modified = EpochSeconds(NowMillis());
  if (Status s = catalog_.CreateFunction(c.user.id, record); !s.ok()) {
    if (s.error().error == store::kConditionFailed) {
      return Fail("Couldn't add function: [ERROR]: a function named '" + name +
                  "' exists already.");
    }
    return Fail("Couldn't add function: " + s.error().cause);
  }
  if (Status s = BuildLambda(c.user, record, /*install_requirements=*/false); !s.ok()) {
    (void)catalog_.DeleteFunction(c.user.id, record);
    return Fail("Couldn't add function: " + s.error().cause);
  }
  return Data("Function added successfully.", {{"function", record.Public()}});
}

ActionResult KnixService::ModifyFunction(const Call& c) {
  const json::Value* f = FunctionArg(c.data);
  if (f == nullptr || !IsString(f->Find("name"))) {
    return Fail("Couldn't modify function; malformed input.");
  }
  MutexLock lock(&catalog_mu_);
  auto found = catalog_.Function(c.user.id, f->Find("id")->as_string());
  if (!found.ok() || !*found) {
    return Fail("Couldn't modify function; function metadata is not valid.");
  }
  FunctionRecord before = **found;
  FunctionRecord after = before;
  after.name = f->Find("name")->as_string();
  if (const json::Value* r = f->Find("runtime"); IsString(r)) after.runtime = r->as_string();
  after.modified = EpochSeconds(NowMillis());
  if (after.name != before.name) {
    if (!functions::IsValidFunctionName(after.name) || after.name == "end" ||
        after.name == "exit") {
      return Fail("Couldn't modify function; '" + after.name +
                  "' is not a valid function name here (1 to 64 letters, digits, hyphens and "
                  "underscores).");
    }
    auto exists = registry_->Exists(after.name);
    if (!exists.ok()) return Fail("Couldn't modify function; " + exists.error().cause);
    if (*exists) {
      return Fail("Couldn't modify function; a function named '" + after.name +
                  "' exists already.");
    }
  }
  const bool renamed = after.name != before.name;
  // A rename builds the Lambda function of the new name first, then renames the record, then
  // removes the old function: a failure at any step leaves the catalogue as it was.
  if (renamed) {
    if (Status s = BuildLambda(c.user, after, /*install_requirements=*/false); !s.ok()) {
      return Fail("Couldn't modify function; " + s.error().cause);
    }
  }
  if (Status s = catalog_.RenameFunction(c.user.id, before, after); !s.ok()) {
    if (renamed) (void)registry_->Delete(after.name);
    return Fail("Couldn't modify function; " + s.error().cause);
  }
  if (renamed) {
    (void)registry_->Delete(before.name);
    runtime_->Retire(before.name);
  }
  return Data("Updated function " + after.id + ".", {{"function", after.Public()}});
}

ActionResult KnixService::DeleteFunction(const Call& c) {
  const json::Value* f = FunctionArg(c.data);
  if (f == nullptr) return Fail("Couldn't delete function; malformed input.");
  MutexLock lock(&catalog_mu_);
  auto found = catalog_.Function(c.user.id, f->Find("id")->as_string());
  if (!found.ok() || !*found) return Fail("Couldn't delete function; no such function.");
  if (Status s = catalog_.DeleteFunction(c.user.id, **found); !s.ok()) {
    return Fail("Couldn't delete function; " + s.error().cause);
  }
  (void)registry_->Delete((*found)->name);
  runtime_->Retire((*found)->name);
  return Data("Deleted function " + (*found)->id + ".");
}

Status KnixService::DeleteFunctionsOf(const User& user) {
  STATOR_TRY(std::vector<FunctionRecord> functions, catalog_.Functions(user.id));
  for (const FunctionRecord& f : functions) {
    STATOR_RETURN_IF_ERROR(catalog_.DeleteFunction(user.id, f));
    (void)registry_->Delete(f.name);
    runtime_->Retire(f.name);
  }
  return Status::Ok();
}

ActionResult KnixService::GetFunctionCode(const Call& c) {
  const json::Value* f = FunctionArg(c.data);
  if (f == nullptr) return Fail("Couldn't retrieve function code; malformed input.");
  const std::string& id = f->Find("id")->as_string();
  auto found = catalog_.Function(c.user.id, id);
  if (!found.ok() || !*found) return Fail("Couldn't retrieve function code; no such function.");
  auto code = catalog_.Code(c.user.id, id);
  if (!code.ok()) return Fail("Couldn't retrieve function code; " + code.error().cause);
  return Data("Retrieved source code for function " + id + ".",
              {{"function", json::Value::MakeObject({{"format", S("text")}, {"code", S(*code)}})}});
}

// Uploads build the Lambda package before they change the record: an upload that answers
// failure has changed nothing (a zip chunk is only stored; see below).
ActionResult KnixService::UploadFunctionCode(const Call& c) {
  const json::Value* f = FunctionArg(c.data);
  if (f == nullptr || !IsString(f->Find("code")) || !IsString(f->Find("format"))) {
    return Fail("Couldn't upload function code; malformed input.");
  }
  const std::string& id = f->Find("id")->as_string();
  const std::string& format = f->Find("format")->as_string();
  std::string code = Base64Field(f->Find("code")->as_string());
  MutexLock lock(&catalog_mu_);
  auto found = catalog_.Function(c.user.id, id);
  if (!found.ok() || !*found) return Fail("Couldn't upload function code; no such function.");
  FunctionRecord record = **found;
  record.modified = EpochSeconds(NowMillis());
  std::string message;
  if (format == "text") {
    if (!Base64Decode(code).ok()) {
      return Fail("Couldn't upload function code; the code is not base64.");
    }
    // With a zip still arriving, the package is built when its last chunk does.
    Status built = BuildLambda(c.user, record, /*install_requirements=*/false, &code);
    if (!built.ok() && built.error().error != kIncompleteZip) {
      return Fail("Couldn't upload function code; " + built.error().cause);
    }
    if (Status s = catalog_.PutCode(c.user.id, id, code); !s.ok()) {
      return Fail("Couldn't upload function code; " + s.error().cause);
    }
    message = "Function code uploaded successfully.";
  } else if (format == "zip") {
    const json::Value* chunk = f->Find("chunk");
    if (chunk == nullptr || !chunk->is_int() || chunk->as_int() < 0) {
      return Fail("Couldn't upload function code; malformed input.");
    }
    if (Status s = catalog_.PutZipChunk(c.user.id, id, chunk->as_int(), code); !s.ok()) {
      return Fail("Couldn't upload function code; " + s.error().cause);
    }
    message = "Function code zip chunk uploaded successfully:" + std::to_string(chunk->as_int());
    // The SDK sends the metadata (with the chunk count) after the chunks only when the count or
    // the metadata changed: a new zip of as many chunks is complete with its last chunk. Until
    // then the package stays as it was; a zip that cannot be built from the chunks stored so
    // far (a longer zip still arriving) is not an error of this upload.
    if (record.zip_chunks > 0 && chunk->as_int() == record.zip_chunks - 1) {
      (void)BuildLambda(c.user, record, /*install_requirements=*/false);
    }
  } else {
    return Fail("Couldn't upload function code; unsupported upload format.");
  }
  if (Status s = catalog_.PutFunction(c.user.id, record); !s.ok()) {
    return Fail("Couldn't upload function code; " + s.error().cause);
  }
  return Data(message, {{"function", record.Public()}});
}

ActionResult KnixService::UploadFunctionZipMetadata(const Call& c) {
  const json::Value* f = FunctionArg(c.data);
  if (f == nullptr || !IsString(f->Find("metadata")) || !IsString(f->Find("format"))) {
    return Fail("Couldn't upload function zip metadata; malformed input.");
  }
  if (f->Find("format")->as_string() != "zipMetadata") {
    return Fail("Couldn't upload function zip metadata; unsupported upload format.");
  }
  const json::Value* chunks = f->Find("chunks");
  MutexLock lock(&catalog_mu_);
  auto found = catalog_.Function(c.user.id, f->Find("id")->as_string());
  if (!found.ok() || !*found) {
    return Fail("Couldn't upload function zip metadata; no such function.");
  }
  FunctionRecord record = **found;
  record.zip_metadata = Base64Field(f->Find("metadata")->as_string());
  if (chunks != nullptr && chunks->is_int()) record.zip_chunks = chunks->as_int();
  if (record.zip_chunks > 0) {
    // Metadata sent before its chunks: the package is built when the last chunk arrives.
    Status s = BuildLambda(c.user, record, /*install_requirements=*/false);
    if (!s.ok() && s.error().error != kIncompleteZip) {
      return Fail("Couldn't upload function zip metadata; " + s.error().cause);
    }
  }
  if (Status s = catalog_.PutFunction(c.user.id, record); !s.ok()) {
    return Fail("Couldn't upload function zip metadata; " + s.error().cause);
  }
  return Data("Function zip metadata uploaded successfully.");
}

ActionResult KnixService::GetFunctionZipMetadata(const Call& c) {
  const json::Value* f = FunctionArg(c.data);
  if (f == nullptr) return Fail("Couldn't retrieve function zip metadata; malformed input.");
  auto found = catalog_.Function(c.user.id, f->Find("id")->as_string());
  if (!found.ok() || !*found) {
    return Fail("Couldn't retrieve function zip metadata; no such function.");
  }
  return Data("Retrieved zip metadata for function " + (*found)->id + ".",
              {{"function",
                json::Value::MakeObject({{"format", S("zipMetadata")},
                                         {"metadata", S((*found)->zip_metadata)},
                                         {"chunks", json::Value::Int((*found)->zip_chunks)}})}});
}

ActionResult KnixService::GetFunctionZip(const Call& c) {
  const json::Value* f = FunctionArg(c.data);
  if (f == nullptr) return Fail("Couldn't retrieve function zip; malformed input.");
  const std::string& id = f->Find("id")->as_string();
  auto found = catalog_.Function(c.user.id, id);
  if (!found.ok() || !*found) return Fail("Couldn't retrieve function zip; no such function.");
  const json::Value* chunk = f->Find("chunk");
  int64_t n = (*found)->zip_chunks;
  std::optional<std::string> text;
  if (chunk != nullptr && chunk->is_int() && chunk->as_int() >= 0 && chunk->as_int() < n) {
    auto got = catalog_.ZipChunk(c.user.id, id, chunk->as_int());
    if (got.ok()) text = std::move(*got);
  }
  if (!text) {
    return Fail(
        "Couldn't retrieve function zip chunk; no such chunk or function['chunk'] not "
        "set; should be between 0 and " +
        std::to_string(n - 1) + ".");
  }
  return Data("Retrieved zip chunk for function " + id +
                  ", chunk: " + std::to_string(chunk->as_int()) + ".",
              {{"function", json::Value::MakeObject({{"format", S("zip")}, {"code", S(*text)}})}});
}

ActionResult KnixService::GetFunctionRequirements(const Call& c) {
  const json::Value* f = FunctionArg(c.data);
  if (f == nullptr) return Fail("Couldn't retrieve function requirements; malformed input.");
  auto found = catalog_.Function(c.user.id, f->Find("id")->as_string());
  if (!found.ok() || !*found) {
    return Fail("Couldn't retrieve function requirements; no such function.");
  }
  return Data(
      "Retrieved requirements for function " + (*found)->id + ".",
      {{"function", json::Value::MakeObject({{"requirements", S((*found)->requirements)}})}});
}

ActionResult KnixService::UploadFunctionRequirements(const Call& c) {
  const json::Value* f = FunctionArg(c.data);
  if (f == nullptr || !IsString(f->Find("requirements"))) {
    return Fail("Couldn't upload function requirements; malformed input.");
  }
  MutexLock lock(&catalog_mu_);
  auto found = catalog_.Function(c.user.id, f->Find("id")->as_string());
  if (!found.ok() || !*found) {
    return Fail("Couldn't upload function requirements; no such function.");
  }
  FunctionRecord record = **found;
  record.requirements = Base64Field(f->Find("requirements")->as_string());
  if (Status s = catalog_.PutFunction(c.user.id, record); !s.ok()) {
    return Fail("Couldn't upload function requirements; " + s.error().cause);
  }
  return Data("Function requirements uploaded successfully.");
}

Status KnixService::BuildLambda(const User& user, const FunctionRecord& f,
                                bool install_requirements, const std::string* code_override) {
  auto fail = [](std::string why) { return Error{"KnixFunction", std::move(why)}; };
  PackageSources sources;
  sources.name = f.name;
  std::string code_b64;
  if (code_override != nullptr) {
    code_b64 = *code_override;
  } else {
    STATOR_TRY(code_b64, catalog_.Code(user.id, f.id));
  }
  auto code = Base64Decode(code_b64);
  if (!code.ok()) return fail("the function code is not base64");
  sources.code = std::move(code).value();
  if (f.zip_chunks > 0) {
    std::string text;
    for (int64_t i = 0; i < f.zip_chunks; ++i) {
      STATOR_TRY(std::optional<std::string> chunk, catalog_.ZipChunk(user.id, f.id, i));
      if (!chunk) {
        return Error{kIncompleteZip, "zip chunk " + std::to_string(i) + " of " +
                                         std::to_string(f.zip_chunks) + " has not been uploaded"};
      }
      text += *chunk;
    }
    auto zip = Base64Decode(text);
    if (!zip.ok()) return fail("the uploaded zip is not base64");
    sources.zip = std::move(zip).value();
  }
  if (install_requirements && !f.requirements.empty()) {
    auto requirements = Base64Decode(f.requirements);
    if (!requirements.ok()) return fail("the requirements are not base64");
    sources.requirements = std::move(requirements).value();
  }
  STATOR_TRY(std::string package, BuildPackage(sources));
  STATOR_TRY(bool exists, registry_->Exists(f.name));
  if (exists) {
    STATOR_TRY(auto updated, registry_->UpdateCode(f.name, package, NowMillis()));
    (void)updated;
    runtime_->Retire(f.name);
    return Status::Ok();
  }
  functions::FunctionConfig config;
  config.name = f.name;
  config.handler = f.name + ".handle";
  config.context = "knix";  // context.log(...) as KNIX's functions call it
  config.description = "KNIX function " + f.id + " of " + user.email;
  config.timeout_seconds = 300;  // KNIX's get_remaining_time_in_millis() says 300000
  config.memory_mb = 1024;
  STATOR_TRY(auto created, registry_->Create(std::move(config), package, NowMillis()));
  (void)created;
  return Status::Ok();
}

}  // namespace stator::knix
