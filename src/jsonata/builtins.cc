#include "jsonata/builtins.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unordered_map>

#include "jsonata/evaluator.h"
#include "jsonata/function.h"
#include "jsonata/number_format.h"

namespace stator::jsonata::internal {
namespace {

// The reference's message templates (jsonata-js 2.0.6), by code.
const std::unordered_map<std::string_view, std::string_view>& Messages() {
  static const auto* kMessages = new std::unordered_map<std::string_view, std::string_view>{
      {"S0101", "String literal must be terminated by a matching quote"},
      {"S0102", "Number out of range: {{token}}"},
      {"S0103", "Unsupported escape sequence: \\{{token}}"},
      {"S0104", "The escape sequence \\u must be followed by 4 hex digits"},
      {"S0105", "Quoted property name must be terminated with a backquote (`)"},
      {"S0106", "Comment has no closing tag"},
      {"S0201", "Syntax error: {{token}}"},
      {"S0202", "Expected {{value}}, got {{token}}"},
      {"S0203", "Expected {{value}} before end of expression"},
      {"S0204", "Unknown operator: {{token}}"},
      {"S0205", "Unexpected token: {{token}}"},
      {"S0206", "Unknown expression type: {{token}}"},
      {"S0207", "Unexpected end of expression"},
      {"S0208",
       "Parameter {{value}} of function definition must be a variable name (start with $)"},
      {"S0209", "A predicate cannot follow a grouping expression in a step"},
      {"S0210", "Each step can only have one grouping expression"},
      {"S0211", "The symbol {{token}} cannot be used as a unary operator"},
      {"S0212", "The left side of := must be a variable name (start with $)"},
      {"S0213", "The literal value {{value}} cannot be used as a step within a path expression"},
      {"S0214", "The right side of {{token}} must be a variable name (start with $)"},
      {"S0215", "A context variable binding must precede any predicates on a step"},
      {"S0216", "A context variable binding must precede the 'order-by' clause on a step"},
      {"S0217", "The object representing the 'parent' cannot be derived from this expression"},
      {"S0301", "Empty regular expressions are not allowed"},
      {"S0302", "No terminating / in regular expression"},
      {"S0402", "Choice groups containing parameterized types are not supported"},
      {"S0401", "Type parameters can only be applied to functions and arrays"},
      {"S0500", "Attempted to evaluate an expression containing syntax error(s)"},
      {"T0410", "Argument {{index}} of function {{token}} does not match function signature"},
      {"T0411",
       "Context value is not a compatible type with argument {{index}} of function {{token}}"},
      {"T0412", "Argument {{index}} of function {{token}} must be an array of {{type}}"},
      {"D1001", "Number out of range: {{value}}"},
      {"D1002", "Cannot negate a non-numeric value: {{value}}"},
      {"T1003", "Key in object structure must evaluate to a string; got: {{value}}"},
      {"D1004", "Regular expression matches zero length string"},
      {"T1005", "Attempted to invoke a non-function. Did you mean ${{{token}}}?"},
      {"T1006", "Attempted to invoke a non-function"},
      {"T1007", "Attempted to partially apply a non-function. Did you mean ${{{token}}}?"},
      {"T1008", "Attempted to partially apply a non-function"},
      {"D1009", "Multiple key definitions evaluate to same key: {{value}}"},
      {"D1010", "Attempted to access the Javascript object prototype"},
      {"T1010",
       "The matcher function argument passed to function {{token}} does not return the correct "
       "object structure"},
      {"T2001", "The left side of the {{token}} operator must evaluate to a number"},
      {"T2002", "The right side of the {{token}} operator must evaluate to a number"},
      {"T2003", "The left side of the range operator (..) must evaluate to an integer"},
      {"T2004", "The right side of the range operator (..) must evaluate to an integer"},
      {"D2005", "The left side of := must be a variable name (start with $)"},
      {"T2006", "The right side of the function application operator ~> must be a function"},
      {"T2007", "Type mismatch when comparing values {{value}} and {{value2}} in order-by clause"},
      {"T2008",
       "The expressions within an order-by clause must evaluate to numeric or string values"},
      {"T2009",
       "The values {{value}} and {{value2}} either side of operator {{token}} must be of the same "
       "data type"},
      {"T2010",
       "The expressions either side of operator {{token}} must evaluate to numeric or string "
       "values"},
      {"T2011",
       "The insert/update clause of the transform expression must evaluate to an object: "
       "{{value}}"},
      {"T2012",
       "The delete clause of the transform expression must evaluate to a string or array of "
       "strings: {{value}}"},
      {"T2013",
       "The transform expression clones the input object using the $clone() function.  This has "
       "been overridden in the current scope by a non-function."},
      {"D2014",
       "The size of the sequence allocated by the range operator (..) must not exceed 1e6.  "
       "Attempted to allocate {{value}}."},
      {"D3001", "Attempting to invoke string function on Infinity or NaN"},
      {"D3010", "Second argument of replace function cannot be an empty string"},
      {"D3011", "Fourth argument of replace function must evaluate to a positive number"},
      {"D3012", "Attempted to replace a matched string with a non-string value"},
      {"D3020", "Third argument of split function must evaluate to a positive number"},
      {"D3030", "Unable to cast value to a number: {{value}}"},
      {"D3040", "Third argument of match function must evaluate to a positive number"},
      {"D3050",
       "The second argument of reduce function must be a function with at least two arguments"},
      {"D3060", "The sqrt function cannot be applied to a negative number: {{value}}"},
      {"D3061",
       "The power function has resulted in a value that cannot be represented as a JSON number: "
       "base={{value}}, exponent={{exp}}"},
      {"D3070",
       "The single argument form of the sort function can only be applied to an array of strings "
       "or an array of numbers.  Use the second argument to specify a comparison function"},
      {"D3080", "The picture string must only contain a maximum of two sub-pictures"},
      {"D3081",
       "The sub-picture must not contain more than one instance of the 'decimal-separator' "
       "character"},
      {"D3082",
       "The sub-picture must not contain more than one instance of the 'percent' character"},
      {"D3083",
       "The sub-picture must not contain more than one instance of the 'per-mille' character"},
      {"D3084", "The sub-picture must not contain both a 'percent' and a 'per-mille' character"},
      {"D3085",
       "The mantissa part of a sub-picture must contain at least one character that is either an "
       "'optional digit character' or a member of the 'decimal digit family'"},
      {"D3086",
       "The sub-picture must not contain a passive character that is preceded by an active "
       "character and that is followed by another active character"},
      {"D3087",
       "The sub-picture must not contain a 'grouping-separator' character that appears adjacent to "
       "a 'decimal-separator' character"},
      {"D3088",
       "The sub-picture must not contain a 'grouping-separator' at the end of the integer part"},
      {"D3089",
       "The sub-picture must not contain two adjacent instances of the 'grouping-separator' "
       "character"},
      {"D3090",
       "The integer part of the sub-picture must not contain a member of the 'decimal digit "
       "family' that is followed by an instance of the 'optional digit character'"},
      {"D3091",
       "The fractional part of the sub-picture must not contain an instance of the 'optional digit "
       "character' that is followed by a member of the 'decimal digit family'"},
      {"D3092",
       "A sub-picture that contains a 'percent' or 'per-mille' character must not contain a "
       "character treated as an 'exponent-separator'"},
      {"D3093",
       "The exponent part of the sub-picture must comprise only of one or more characters that are "
       "members of the 'decimal digit family'"},
      {"D3100",
       "The radix of the formatBase function must be between 2 and 36.  It was given {{value}}"},
      {"D3110",
       "The argument of the toMillis function must be an ISO 8601 formatted timestamp. Given "
       "{{value}}"},
      {"D3120", "Syntax error in expression passed to function eval: {{value}}"},
      {"D3121", "Dynamic error evaluating the expression passed to function eval: {{value}}"},
      {"D3130",
       "Formatting or parsing an integer as a sequence starting with {{value}} is not supported by "
       "this implementation"},
      {"D3131", "In a decimal digit pattern, all digits must be from the same decimal group"},
      {"D3132", "Unknown component specifier {{value}} in date/time picture string"},
      {"D3133",
       "The 'name' modifier can only be applied to months and days in the date/time picture "
       "string, not {{value}}"},
      {"D3134", "The timezone integer format specifier cannot have more than four digits"},
      {"D3135", "No matching closing bracket ']' in date/time picture string"},
      {"D3136",
       "The date/time picture string is missing specifiers required to parse the timestamp"},
      {"D3137", "{{{message}}}"},
      {"D3138",
       "The $single() function expected exactly 1 matching result.  Instead it matched more."},
      {"D3139",
       "The $single() function expected exactly 1 matching result.  Instead it matched 0."},
      {"D3140", "Malformed URL passed to ${{{functionName}}}(): {{value}}"},
      {"D3141", "{{{message}}}"},
      {"U1001",
       "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as "
       "tail-recursive."},
  };
  return *kMessages;
}

std::string Quote(std::string_view s) {
  std::string out;
  AppendJsString(s, &out);
  return out;
}

}  // namespace

void AppendJsString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\b':
        *out += "\\b";
        break;
      case '\f':
        *out += "\\f";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          *out += buf;
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

Error MakeError(std::string_view code, int position,
                std::vector<std::pair<std::string, std::string>> inserts) {
  Error e;
  e.code = std::string(code);
  e.position = position;
  auto it = Messages().find(code);
  std::string msg = it == Messages().end() ? std::string() : std::string(it->second);
  for (const auto& [name, value] : inserts) {
    std::string triple = "{{{" + name + "}}}";
    for (size_t p; (p = msg.find(triple)) != std::string::npos;)
      msg.replace(p, triple.size(), value);
    std::string dbl = "{{" + name + "}}";
    std::string rendered = (name == "token" || name == "type") ? Quote(value) : value;
    for (size_t p; (p = msg.find(dbl)) != std::string::npos;) msg.replace(p, dbl.size(), rendered);
    if (name == "token") e.token = value;
  }
  e.message = std::move(msg);
  return e;
}

void FinishError(Error* e) {
  std::string& msg = e->message;
  if (e->token) {
    for (size_t p; (p = msg.find("{{{token}}}")) != std::string::npos;)
      msg.replace(p, 11, *e->token);
    for (size_t p; (p = msg.find("{{token}}")) != std::string::npos;)
      msg.replace(p, 9, Quote(*e->token));
  }
  // Inserts nobody supplied read as JSON.stringify(undefined) does.
  for (size_t p; (p = msg.find("{{")) != std::string::npos;) {
    size_t end = msg.find("}}", p);
    if (end == std::string::npos) break;
    size_t stop = end + 2;
    if (stop < msg.size() && msg[stop] == '}') ++stop;
    msg.replace(p, stop - p, "undefined");
  }
}

namespace {
void Stringify(const Value& v, bool pretty, bool precision15, int indent, std::string* out);
}  // namespace

std::string ErrorInsert(const Value& v) {
  if (v.undefined()) return "undefined";
  if (v.is_function()) return "undefined";
  std::string out;
  Stringify(v, /*pretty=*/false, /*precision15=*/false, 0, &out);
  return out;
}

namespace {

// JSON.stringify of v; with precision15, numbers first go through toPrecision(15) as $string's
// replacer does (an error insert is plain JSON.stringify: every digit).
void Stringify(const Value& v, bool pretty, bool precision15, int indent, std::string* out) {
  auto newline = [&](int level) {
    if (!pretty) return;
    out->push_back('\n');
    out->append(static_cast<size_t>(level) * 2, ' ');
  };
  if (v.is_function()) {
    *out += "\"\"";
    return;
  }
  if (v.undefined()) {
    *out += "null";
    return;
  }
  if (v.is_json() && !v.json().is_array() && !v.json().is_object()) {
    const json::Value& j = v.json();
    switch (j.kind()) {
      case json::Kind::kNull:
        *out += "null";
        return;
      case json::Kind::kBool:
        *out += j.as_bool() ? "true" : "false";
        return;
      case json::Kind::kInt:
        // Up to 15 digits an integer is its own 15-significant-digit form.
        if (!precision15 || (j.as_int() > -1000000000000000 && j.as_int() < 1000000000000000)) {
          *out += std::to_string(j.as_int());
          return;
        }
        [[fallthrough]];
      case json::Kind::kDouble: {
        double d = j.as_double();
        if (!std::isfinite(d)) {
          *out += "null";
          return;
        }
        if (!precision15) {
          *out += JsNumberToString(d);
          return;
        }
        char buf[40];
        std::snprintf(buf, sizeof(buf), "%.14e", d);
        *out += JsNumberToString(std::strtod(buf, nullptr));
        return;
      }
      case json::Kind::kString:
        AppendJsString(j.as_string(), out);
        return;
      default:
        break;
    }
  }
  if (v.is_array()) {
    size_t n = v.size();
    out->push_back('[');
    for (size_t i = 0; i < n; ++i) {
      if (i) out->push_back(',');
      newline(indent + 1);
      Value e = v.at(i);
      Stringify(e, pretty, precision15, indent + 1, out);
    }
    if (n) newline(indent);
    out->push_back(']');
    return;
  }
  out->push_back('{');
  bool first = true;
  for (const std::string& k : v.keys()) {
    Value m = v.field(k);
    if (m.undefined()) continue;
    if (!first) out->push_back(',');
    first = false;
    newline(indent + 1);
    AppendJsString(k, out);
    out->push_back(':');
    if (pretty) out->push_back(' ');
    Stringify(m, pretty, precision15, indent + 1, out);
  }
  if (!first) newline(indent);
  out->push_back('}');
}

// Whether v holds an Infinity: the reference's $string replacer calls isNumeric on every
// number, which throws D1001 for Infinity; a NaN is written as JSON writes it, null.
bool HasInfinity(const Value& v) {
  if (v.is_number()) return std::isinf(v.number());
  if (v.is_array()) {
    for (size_t i = 0; i < v.size(); ++i) {
      if (HasInfinity(v.at(i))) return true;
    }
  } else if (v.is_object()) {
    for (const std::string& k : v.keys()) {
      if (HasInfinity(v.field(k))) return true;
    }
  }
  return false;
}

}  // namespace

std::string JsonStringify(const Value& v, bool pretty) {
  std::string out;
  Stringify(v, pretty, /*precision15=*/true, 0, &out);
  return out;
}

bool IsTruthy(const Value& v) {
  switch (v.tag()) {
    case Value::Tag::kUndefined:
      return false;
    // A function value is an object to the reference's cast (true), except a regex matcher (a
    // JS closure: false). Built-ins see function arguments as closures: $boolean says false.
    case Value::Tag::kFunction:
      return v.fn()->kind != Function::Kind::kRegex && v.fn()->kind != Function::Kind::kClosure;
    case Value::Tag::kObject:
      return !v.obj()->members.empty();
    case Value::Tag::kArray: {
      size_t n = v.size();
      if (n == 1) return IsTruthy(v.at(0));
      for (size_t i = 0; i < n; ++i) {
        if (IsTruthy(v.at(i))) return true;
      }
      return false;
    }
    case Value::Tag::kJson: {
      const json::Value& j = v.json();
      switch (j.kind()) {
        case json::Kind::kNull:
          return false;
        case json::Kind::kBool:
          return j.as_bool();
        case json::Kind::kInt:
          return j.as_int() != 0;
        case json::Kind::kDouble:
          return j.as_double() != 0 && !std::isnan(j.as_double());
        case json::Kind::kString:
          return !j.as_string().empty();
        case json::Kind::kArray: {
          const auto& items = j.as_array();
          if (items.size() == 1) return IsTruthy(Value(items[0]));
          for (const json::Value& i : items) {
            if (IsTruthy(Value(i))) return true;
          }
          return false;
        }
        case json::Kind::kObject:
          return !j.as_object().empty();
      }
    }
  }
  return false;
}

Result<std::string, Error> StringOf(const Value& v, int position) {
  if (v.is_string()) return v.str();
  if (v.is_function()) return std::string();
  if (v.is_number() && !std::isfinite(v.number())) return MakeError("D3001", position);
  Value x = v;
  if (x.tag() == Value::Tag::kArray && x.seq()->outer_wrapper && x.size() > 0) x = x.at(0);
  if (HasInfinity(x)) return MakeError("D1001", position, {{"value", "null"}});
  return JsonStringify(x, false);
}

Value ArrayOf(std::vector<Value> items) { return SequenceOf(std::move(items), false); }

std::vector<Value> ItemsOf(const Value& v) {
  if (v.undefined()) return {};
  if (v.is_array()) return Elements(v);
  return {v};
}

Value Flatten(const Value& v) {
  std::vector<Value> out;
  auto rec = [&](auto& self, const Value& x) -> void {
    if (x.is_array()) {
      for (size_t i = 0; i < x.size(); ++i) self(self, x.at(i));
    } else {
      out.push_back(x);
    }
  };
  rec(rec, v);
  return SequenceOf(std::move(out));
}

const std::vector<const Builtin*>& AllBuiltins() {
  static const std::vector<const Builtin*>* kAll = [] {
    auto* all = new std::vector<const Builtin*>();
    std::unordered_map<std::string_view, size_t> where;
    auto add = [&](std::span<const Builtin> family) {
      for (const Builtin& b : family) {
        auto it = where.find(b.name);
        if (it != where.end()) {
          (*all)[it->second] = &b;
        } else {
          where.emplace(b.name, all->size());
          all->push_back(&b);
        }
      }
    };
    add(HigherOrderBuiltins());
    add(NumericBuiltins());
    add(ArrayBuiltins());
    add(ObjectBuiltins());
    add(StringBuiltins());
    add(EncodingBuiltins());
    add(DateTimeBuiltins());
    return all;
  }();
  return *kAll;
}

}  // namespace stator::jsonata::internal
