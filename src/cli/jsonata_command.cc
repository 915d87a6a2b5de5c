// stator jsonata: evaluate a JSONata expression from the command line (like jq), or serve
// evaluations as JSON lines (--batch) for editors and test harnesses. docs/cli.md.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "common/json.h"
#include "jsonata/jsonata.h"
#include "jsonata/number_format.h"
#include "jsonata/value.h"

namespace stator::cli {
namespace {

// A string literal as JSON.stringify writes it: a lone surrogate (held in its three-byte form)
// as a \udxxx escape, two halves of a pair that meet as the character they make.
void AppendJsQuoted(std::string_view s, std::string* out) {
  size_t start = out->size();
  json::AppendQuoted(s, out);
  if (out->find('\xED', start) == std::string::npos) return;
  std::string text = out->substr(start);
  out->resize(start);
  auto half = [&](size_t i, unsigned char lo, unsigned char hi) {
    return i + 2 < text.size() && static_cast<unsigned char>(text[i]) == 0xED &&
           static_cast<unsigned char>(text[i + 1]) >= lo &&
           static_cast<unsigned char>(text[i + 1]) <= hi;
  };
  auto unit = [&](size_t i) {
    return 0xD000u | ((text[i + 1] & 0x3Fu) << 6) | (text[i + 2] & 0x3Fu);
  };
  for (size_t i = 0; i < text.size(); ++i) {
    if (!half(i, 0xA0, 0xBF)) {
      out->push_back(text[i]);
      continue;
    }
    if (half(i, 0xA0, 0xAF) && half(i + 3, 0xB0, 0xBF)) {
      uint32_t cp = 0x10000 + ((unit(i) - 0xD800) << 10) + (unit(i + 3) - 0xDC00);
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      i += 5;
      continue;
    }
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\u%04x", unit(i));
    *out += buf;
    i += 2;
  }
}

// JSON as JavaScript's JSON.stringify writes it (numbers in JS form).
void WriteJson(const json::Value& v, std::string* out) {
  switch (v.kind()) {
    case json::Kind::kString:
      AppendJsQuoted(v.as_string(), out);
      return;
    case json::Kind::kDouble: {
      double d = v.as_double();
      *out += std::isfinite(d) ? jsonata::JsNumberToString(d) : "null";
      return;
    }
    case json::Kind::kArray: {
      out->push_back('[');
      bool first = true;
      for (const json::Value& e : v.as_array()) {
        if (!first) out->push_back(',');
        first = false;
        WriteJson(e, out);
      }
      out->push_back(']');
      return;
    }
    case json::Kind::kObject: {
      out->push_back('{');
      bool first = true;
      for (const auto& [k, m] : v.as_object()) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsQuoted(k, out);
        out->push_back(':');
        WriteJson(m, out);
      }
      out->push_back('}');
      return;
    }
    default:
      v.DumpTo(out);
  }
}

std::string ErrorLine(const jsonata::Error& e) {
  json::Object o = {{"code", json::Value::String(e.code)},
                    {"message", json::Value::String(e.message)}};
  if (e.position >= 0) o.emplace_back("position", json::Value::Int(e.position));
  if (e.token) o.emplace_back("token", json::Value::String(*e.token));
  return json::Value::MakeObject(std::move(o)).Dump();
}

Result<jsonata::BindingList> BindingsFrom(const json::Value& v) {
  jsonata::BindingList list;
  if (!v.is_object()) return Error{"Usage", "bindings must be a JSON object"};
  for (const auto& [k, m] : v.as_object()) list.Add(k, m);
  return list;
}

// One --batch request to one response line.
std::string BatchLine(const std::string& line) {
  auto req = json::Parse(line);
  if (!req.ok() || !req->is_object()) {
    return json::Value::MakeObject(
               {{"code", json::Value::String("BadRequest")},
                {"message",
                 json::Value::String(req.ok() ? "request must be an object" : req.error().cause)}})
        .Dump();
  }
  const json::Value* expr = req->Find("expr");
  if (!expr || !expr->is_string()) {
    return json::Value::MakeObject(
               {{"code", json::Value::String("BadRequest")},
                {"message", json::Value::String("request needs a string \"expr\"")}})
        .Dump();
  }
  jsonata::Arg input;
  if (const json::Value* in = req->Find("input")) input = *in;
  jsonata::BindingList bindings;
  if (const json::Value* b = req->Find("bindings"); b && b->is_object()) {
    for (const auto& [k, m] : b->as_object()) bindings.Add(k, m);
  }
  jsonata::Limits limits;
  const json::Value* tl = req->Find("timelimit");
  const json::Value* depth = req->Find("depth");
  if (tl && tl->is_number()) limits.time_limit_ms = static_cast<int64_t>(tl->as_double());
  if (depth && depth->is_number()) limits.max_depth = static_cast<int>(depth->as_double());
  auto compiled = jsonata::Expression::Compile(expr->as_string());
  if (!compiled.ok()) return ErrorLine(compiled.error());
  auto r = compiled->Evaluate(input, &bindings, limits);
  if (!r.ok()) return ErrorLine(r.error());
  if (!r->has_value()) return "{\"undefined\":true}";
  std::string out = "{\"result\":";
  WriteJson(**r, &out);
  out += "}";
  return out;
}

constexpr const char* kJsonataUsage =
    "usage: stator jsonata EXPR [--input FILE|-] [--bindings JSON]\n"
    "       stator jsonata --batch\n"
    "\n"
    "Evaluates a JSONata (2.0.6) expression. The result is printed as JSON; an undefined\n"
    "result prints nothing; an error prints 'CODE: message' on stderr and exits 1.\n"
    "Without --input the input is undefined.\n"
    "\n"
    "--batch reads JSON lines from stdin, each {\"expr\", \"input\"?, \"bindings\"?,\n"
    "\"timelimit\"? (ms), \"depth\"?}, and writes one line per request: {\"result\": V},\n"
    "{\"undefined\": true} or {\"code\", \"message\", \"position\"?, \"token\"?}.\n";

}  // namespace

int JsonataCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  for (const std::string& a : args) {
    if (a == "-h" || a == "--help") return out << kJsonataUsage, kExitSucceeded;
  }
  if (args.size() == 1 && args[0] == "--batch") {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (line.empty()) continue;
      out << BatchLine(line) << '\n' << std::flush;
    }
    return kExitSucceeded;
  }
  std::optional<std::string> expr, input_file, bindings_text;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if ((a == "--input" || a == "--bindings") && i + 1 < args.size()) {
      (a == "--input" ? input_file : bindings_text) = args[++i];
    } else if (!a.empty() && a[0] == '-' && a != "-") {
      err << "stator: unknown option '" << a << "'\n" << kJsonataUsage;
      return kExitUsage;
    } else if (!expr) {
      expr = a;
    } else {
      err << "stator: unexpected argument '" << a << "'\n" << kJsonataUsage;
      return kExitUsage;
    }
  }
  if (!expr) {
    err << kJsonataUsage;
    return kExitUsage;
  }
  jsonata::Arg input;
  if (input_file) {
    auto text = ReadTextFile(*input_file);
    if (!text.ok()) {
      err << "stator: " << text.error().cause << '\n';
      return kExitUsage;
    }
    auto parsed = json::Parse(*text);
    if (!parsed.ok()) {
      err << "stator: input is not JSON: " << parsed.error().cause << '\n';
      return kExitUsage;
    }
    input = std::move(*parsed);
  }
  jsonata::BindingList bindings;
  if (bindings_text) {
    auto parsed = json::Parse(*bindings_text);
    if (!parsed.ok()) {
      err << "stator: --bindings is not JSON: " << parsed.error().cause << '\n';
      return kExitUsage;
    }
    auto list = BindingsFrom(*parsed);
    if (!list.ok()) {
      err << "stator: " << list.error().cause << '\n';
      return kExitUsage;
    }
    bindings = std::move(*list);
  }
  auto compiled = jsonata::Expression::Compile(*expr);
  if (!compiled.ok()) {
    err << compiled.error().code << ": " << compiled.error().message << '\n';
    return kExitExecutionFailed;
  }
  auto r = compiled->Evaluate(input, &bindings);
  if (!r.ok()) {
    err << r.error().code << ": " << r.error().message << '\n';
    return kExitExecutionFailed;
  }
  if (r->has_value()) {
    std::string text;
    WriteJson(**r, &text);
    out << text << '\n';
  }
  return kExitSucceeded;
}

}  // namespace stator::cli
