// Jackson's description of a JSON syntax error (see json_syntax_error.h).
#include "asl/json_syntax_error.h"

namespace stator::asl::internal {

namespace {

// Jackson-style description of a JSON syntax error (what ValidateStateMachineDefinition reports
// for INVALID_JSON_DESCRIPTION). Covers the common shapes; the offset comes from a light scan.
struct JsonErrorInfo {
  std::string message;
  size_t offset;  // byte offset where Jackson reports the error
};

std::string JacksonSource(std::string_view text) {
  constexpr size_t kMax = 500;
  std::string out = "[Source: (String)\"";
  if (text.size() > kMax) {
    out.append(text.substr(0, kMax));
    out += "\"[truncated " + std::to_string(text.size() - kMax) + " chars]";
  } else {
    out.append(text);
    out += "\"";
  }
  return out;
}

// Jackson's "[Source: (String)\"...\"; line: L, column: C]" for a byte offset of text.
std::string Where(std::string_view text, size_t offset) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return JacksonSource(text) + "; line: " + std::to_string(line) +
         ", column: " + std::to_string(col) + "]";
}

bool IsTokenChar(char c) {
  return !(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ':' || c == '[' ||
           c == ']' || c == '{' || c == '}' || c == '"');
}

// Finds the first syntax error the way a streaming parser meets it.
class JsonErrorScanner {
 public:
  explicit JsonErrorScanner(std::string_view t) : t_(t) {}

  // Scans the first JSON value. Returns false with error() set at the first syntax error;
  // otherwise value_end() is where the value ends (Jackson ignores what follows it).
  bool Scan() {
    SkipWs();
    if (!Value(0)) return false;
    value_end_ = i_;
    return true;
  }
  const JsonErrorInfo& error() const { return err_; }
  size_t value_end() const { return value_end_; }

 private:
  void SkipWs() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r'))
      ++i_;
  }
  JsonErrorInfo Unexpected(const std::string& expecting) {
    if (i_ >= t_.size()) return {"Unexpected end-of-input: " + expecting, t_.size()};
    unsigned char c = static_cast<unsigned char>(t_[i_]);
    std::string ch = c >= 0x20 && c < 0x7f ? std::string(1, static_cast<char>(c)) : "?";
    return {"Unexpected character ('" + ch + "' (code " + std::to_string(c) + ")): " + expecting,
            i_ + 1};
  }
  bool Fail(JsonErrorInfo e) {
    err_ = std::move(e);
    return false;
  }
  bool Eof(const std::string& what) { return Fail({"Unexpected end-of-input" + what, t_.size()}); }
  // ": expected close marker for Object (start marker at [Source: ...; line: 1, column: 1])"
  bool EofInContainer(const char* type, size_t start) {
    return Eof(std::string(": expected close marker for ") + type + " (start marker at " +
               Where(t_, start) + ")");
  }

  bool Value(int depth) {
    if (depth > 1000) return Fail({"Document nesting depth exceeds the maximum allowed", i_});
    if (i_ >= t_.size()) return Eof(": expected a value");
    char c = t_[i_];
    if (c == '{') return Object(depth);
    if (c == '[') return Array(depth);
    if (c == '"') return String();
    if (c == '-' || (c >= '0' && c <= '9')) return Number();
    size_t start = i_;
    while (i_ < t_.size() && IsTokenChar(t_[i_])) ++i_;
    std::string_view tok = t_.substr(start, i_ - start);
    if (tok == "true" || tok == "false" || tok == "null") return true;
    if (tok.empty()) {
      return Fail(
          Unexpected("expected a valid value (JSON String, Number, Array, Object or "
                     "token 'null', 'true' or 'false')"));
    }
    return Fail({"Unrecognized token '" + std::string(tok) +
                     "': was expecting (JSON String, Number, Array, Object or token 'null', "
                     "'true' or 'false')",
                 i_});
  }
  bool Number() {
    size_t start = i_;
    if (t_[i_] == '-') ++i_;
    while (i_ < t_.size() && ((t_[i_] >= '0' && t_[i_] <= '9') || t_[i_] == '.' || t_[i_] == 'e' ||
                              t_[i_] == 'E' || t_[i_] == '+' || t_[i_] == '-'))
      ++i_;
    if (i_ == start + (t_[start] == '-')) {
      return Fail(Unexpected("expected digit (0-9) to follow minus sign, for valid numeric value"));
    }
    return true;
  }
  bool String() {
    ++i_;
    while (i_ < t_.size()) {
      char c = t_[i_];
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c == '\\') {
        ++i_;
        if (i_ >= t_.size()) break;
        static constexpr std::string_view kEscapes = "\"\\/bfnrtu";
        if (kEscapes.find(t_[i_]) == std::string_view::npos) {
          unsigned char e = static_cast<unsigned char>(t_[i_]);
          return Fail({"Unrecognized character escape '" + std::string(1, t_[i_]) + "' (code " +
                           std::to_string(e) + ")",
                       i_ + 1});
        }
      } else if (static_cast<unsigned char>(c) < 0x20) {
        return Fail({"Illegal unquoted character ((CTRL-CHAR, code " +
                         std::to_string(static_cast<int>(c)) +
                         ")): has to be escaped using backslash to be included in string value",
                     i_ + 1});
      }
      ++i_;
    }
    return Eof(": was expecting closing quote for a string value");
  }
  // A container (Object or Array) opening at i_: empty, or entries separated by ',' up to the
  // close character. entry(start) scans one entry, start being where the container opened.
  template <class F>
  bool Container(const char* type, char close, F entry) {
    size_t start = i_++;
    SkipWs();
    if (i_ < t_.size() && t_[i_] == close) {
      ++i_;
      return true;
    }
    while (true) {
      SkipWs();
      if (i_ >= t_.size()) return EofInContainer(type, start);
      if (!entry(start)) return false;
      SkipWs();
      if (i_ >= t_.size()) return EofInContainer(type, start);
      if (t_[i_] == ',') {
        ++i_;
        continue;
      }
      if (t_[i_] == close) {
        ++i_;
        return true;
      }
      return Fail(Unexpected(std::string("was expecting comma to separate ") + type + " entries"));
    }
  }
  bool Object(int depth) {
    return Container("Object", '}', [this, depth](size_t start) {
      if (t_[i_] != '"') {
        return Fail(Unexpected("was expecting double-quote to start field name"));
      }
      if (!String()) return false;
      SkipWs();
      if (i_ >= t_.size()) return EofInContainer("Object", start);
      if (t_[i_] != ':') {
        return Fail(Unexpected("was expecting a colon to separate field name and value"));
      }
      ++i_;
      SkipWs();
      return Value(depth + 1);
    });
  }
  bool Array(int depth) {
    return Container("Array", ']', [this, depth](size_t) { return Value(depth + 1); });
  }

  std::string_view t_;
  size_t i_ = 0;
  size_t value_end_ = 0;
  JsonErrorInfo err_;
};

}  // namespace

JsonSyntaxScan ScanJsonSyntax(std::string_view text) {
  JsonErrorScanner scanner(text);
  JsonSyntaxScan scan;
  scan.ok = scanner.Scan();
  if (scan.ok) {
    scan.value_end = scanner.value_end();
  } else {
    scan.error = InvalidJsonDiagnostic(text, scanner.error().message, scanner.error().offset);
  }
  return scan;
}

Diagnostic InvalidJsonDiagnostic(std::string_view text, const std::string& message, size_t offset) {
  std::string where = Where(text, offset);
  Diagnostic d;
  d.code = kInvalidJsonDescription;
  d.message = message + "\n at " + where;
  d.location = where;
  return d;
}

}  // namespace stator::asl::internal
