// $util: AppSync's general helpers (JSON, encodings, ids, type checks, errors), and the
// dispatch to the helper groups under $util.dynamodb, $util.time, $util.str, ...
#include <cstdio>

#include "common/base64.h"
#include "common/percent_encoding.h"
#include "common/random.h"
#include "common/uuid.h"
#include "vtl/runtime.h"
#include "vtl/text.h"

namespace stator::vtl {

namespace {

// What the error helpers take as a message or type: a string as it is, anything else by its
// Java text; null stays absent.
std::optional<std::string> OptText(const std::vector<Value>& args, size_t i) {
  if (i >= args.size() || args[i].is_null()) return std::nullopt;
  return args[i].ToJavaString();
}

json::Value OptJson(const std::vector<Value>& args, size_t i) {
  return i < args.size() ? args[i].ToJson() : json::Value::Null();
}

// StringEscapeUtils.escapeEcmaScript: quotes, backslash and '/' escaped; control characters as
// \b \t \n \f \r or \u00XX; everything beyond ASCII as \uXXXX (UTF-16 code units).
std::string EscapeJavaScript(std::string_view s) {
  std::string out;
  char buf[8];
  for (char16_t c : ToUtf16(s)) {
    switch (c) {
      case '\'':
        out += "\\'";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '/':
        out += "\\/";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c > 0x7f) {
          std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(c));
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  return out;
}

// java.net.URLEncoder.encode(s, "UTF-8"): letters, digits and ".-*_" stay, ' ' becomes '+',
// every other byte %XX.
std::string FormUrlEncode(std::string_view s) {
  std::string out;
  char buf[4];
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
        c == '-' || c == '*' || c == '_') {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

// A ULID: 48 bits of milliseconds then 80 random bits, in Crockford's base 32.
std::string Ulid(int64_t now_ms) {
  static const char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  std::string random = RandomBytes(10);
  std::string out(26, '0');
  uint64_t t = static_cast<uint64_t>(now_ms);
  for (int i = 9; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kAlphabet[t & 31];
    t >>= 5;
  }
  // 80 random bits as 16 characters of 5 bits.
  unsigned __int128 r = 0;
  for (char c : random) r = (r << 8) | static_cast<unsigned char>(c);
  for (int i = 25; i >= 10; --i) {
    out[static_cast<size_t>(i)] = kAlphabet[static_cast<unsigned>(r & 31)];
    r >>= 5;
  }
  return out;
}

bool IsEmptyValue(const Value& v) {
  if (v.is_string()) return v.as_string().empty();
  if (v.is_list()) return v.as_list().empty();
  if (v.is_map()) return v.as_map().empty();
  return false;
}

const char* TypeOf(const Value& v) {
  switch (v.type()) {
    case Value::Type::kNull:
      return "Null";
    case Value::Type::kBool:
      return "Boolean";
    case Value::Type::kInt:
    case Value::Type::kDouble:
      return "Number";
    case Value::Type::kString:
      return "String";
    case Value::Type::kList:
      return "List";
    case Value::Type::kMap:
      return "Map";
  }
  return "Object";
}

std::string InfoField(const Context& ctx, std::string_view key) {
  const json::Value* v = ctx.info.Find(key);
  return v != nullptr && v->is_string() ? v->as_string() : "";
}

}  // namespace

bool CallUtil(RenderState& st, std::string_view path, std::vector<Value>& args, Value* out) {
  size_t dot = path.find('.');
  if (dot != std::string_view::npos) {
    std::string_view group = path.substr(0, dot);
    if (group == "dynamodb") return CallDynamoDbUtil(st, path.substr(dot + 1), args, out);
    if (group == "time") return CallTimeUtil(st, path.substr(dot + 1), args, out);
    if (group == "log") {  // $util.log.info(...) / .error(...): nothing to print here
      *out = VoidValue();
      return true;
    }
    return CallCollectionUtil(st, path, args, out);
  }
  std::string_view name = path;
  size_t n = args.size();
  auto arg_string = [&](size_t i) -> const std::string* {
    return i < n && args[i].is_string() ? &args[i].as_string() : nullptr;
  };
  if (name == "toJson" && n == 1) {
    std::string text;
    Value::Cut cut = args[0].AppendJsonText(&text);
    if (cut != Value::Cut::kNone) {
      st.Raise(cut == Value::Cut::kCycle
                   ? "Direct self-reference leading to cycle"
                   : "The value is too deeply nested or too large to convert to JSON",
               "MappingTemplate");
      return true;
    }
    *out = Value::String(std::move(text));
  } else if (name == "parseJson" && n == 1) {
    const std::string* s = arg_string(0);
    if (s == nullptr) return false;
    Result<json::Value> parsed = json::Parse(*s);
    if (!parsed.ok()) {
      st.Raise("Unable to parse the JSON document: " + parsed.error().cause, "MappingTemplate");
      return true;
    }
    *out = Value::FromJson(*parsed);
  } else if ((name == "qr" || name == "quiet") && n <= 1) {
    *out = VoidValue();
  } else if (name == "autoId" && n == 0) {
    *out = Value::String(st.ctx->uuid ? st.ctx->uuid() : NewUuid());
  } else if (name == "autoUlid" && n == 0) {
    *out = Value::String(Ulid(st.ctx->now_ms));
  } else if (name == "escapeJavaScript" && arg_string(0) && n == 1) {
    *out = Value::String(EscapeJavaScript(args[0].as_string()));
  } else if (name == "urlEncode" && arg_string(0) && n == 1) {
    *out = Value::String(FormUrlEncode(args[0].as_string()));
  } else if (name == "urlDecode" && arg_string(0) && n == 1) {
    *out = Value::String(PercentDecode(args[0].as_string(), /*plus_is_space=*/true));
  } else if (name == "base64Encode" && arg_string(0) && n == 1) {
    *out = Value::String(Base64Encode(args[0].as_string()));
  } else if (name == "base64Decode" && arg_string(0) && n == 1) {
    Result<std::string> decoded = Base64Decode(args[0].as_string(), Base64Padding::kOptional);
    if (!decoded.ok()) {
      st.Raise("Illegal base64 character in '" + args[0].as_string() + "'", "MappingTemplate");
      return true;
    }
    *out = Value::String(std::move(*decoded));
  } else if (name == "isNull" && n == 1) {
    *out = Value::Bool(args[0].is_null());
  } else if (name == "isNullOrEmpty" && n == 1) {
    *out = Value::Bool(args[0].is_null() || IsEmptyValue(args[0]));
  } else if (name == "isNullOrBlank" && n == 1) {
    bool blank = args[0].is_null() ||
                 (args[0].is_string() && JavaTrim(args[0].as_string()).empty()) ||
                 (!args[0].is_string() && IsEmptyValue(args[0]));
    *out = Value::Bool(blank);
  } else if (name == "defaultIfNull" && n == 2) {
    *out = args[0].is_null() ? args[1] : args[0];
  } else if (name == "defaultIfNullOrEmpty" && n == 2) {
    *out = args[0].is_null() || IsEmptyValue(args[0]) ? args[1] : args[0];
  } else if (name == "defaultIfNullOrBlank" && n == 2) {
    bool blank =
        args[0].is_null() || (args[0].is_string() && JavaTrim(args[0].as_string()).empty());
    *out = blank ? args[1] : args[0];
  } else if (name == "isString" && n == 1) {
    *out = Value::Bool(args[0].is_string());
  } else if (name == "isNumber" && n == 1) {
    *out = Value::Bool(args[0].is_number());
  } else if (name == "isBoolean" && n == 1) {
    *out = Value::Bool(args[0].is_bool());
  } else if (name == "isList" && n == 1) {
    *out = Value::Bool(args[0].is_list());
  } else if (name == "isMap" && n == 1) {
    *out = Value::Bool(args[0].is_map());
  } else if (name == "typeOf" && n == 1) {
    *out = Value::String(TypeOf(args[0]));
  } else if (name == "matches" && n == 2 && arg_string(0) && arg_string(1)) {
    std::optional<std::regex> re = CompileJavaRegex(args[0].as_string());
    if (!re) {
      st.Raise("Invalid regular expression: " + args[0].as_string(), "MappingTemplate");
      return true;
    }
    *out = Value::Bool(std::regex_match(args[1].as_string(), *re));
  } else if (name == "error" && n >= 1 && n <= 4) {
    st.Raise(OptText(args, 0).value_or("null"), OptText(args, 1), OptJson(args, 2),
             OptJson(args, 3));
    *out = VoidValue();
  } else if (name == "appendError" && n >= 1 && n <= 4) {
    json::Object e;
    e.emplace_back("message", json::Value::String(OptText(args, 0).value_or("null")));
    std::optional<std::string> type = OptText(args, 1);
    e.emplace_back("errorType", type ? json::Value::String(*type) : json::Value::Null());
    e.emplace_back("data", OptJson(args, 2));
    e.emplace_back("errorInfo", OptJson(args, 3));
    st.result->appended_errors.push_back(json::Value::MakeObject(std::move(e)));
    *out = VoidValue();
  } else if (name == "unauthorized" && n == 0) {
    st.Raise("Not Authorized to access " + InfoField(*st.ctx, "fieldName") + " on type " +
                 InfoField(*st.ctx, "parentTypeName"),
             "Unauthorized");
    *out = VoidValue();
  } else if (name == "validate" && n >= 2 && n <= 4) {
    if (!args[0].is_bool() || !args[0].as_bool()) {
      st.Raise(OptText(args, 1).value_or("null"),
               OptText(args, 2).value_or("CustomTemplateException"), OptJson(args, 3));
    }
    *out = VoidValue();
  } else {
    return false;
  }
  return true;
}

}  // namespace stator::vtl
