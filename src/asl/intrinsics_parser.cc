// The intrinsic call grammar: "States.Fn(arg, ...)" with string, number, boolean and null
// literals, paths and nested calls; the table of functions and their arities; States.Format
// templates (see intrinsics_internal.h).
#include <cctype>

#include "asl/intrinsics_internal.h"

namespace stator::asl::intrinsic_internal {

namespace {

using json::Value;

constexpr int kMaxNesting = 10;

const FnInfo kFunctions[] = {
    {"Format", Fn::kFormat, 1, -1},
    {"StringToJson", Fn::kStringToJson, 1, 1},
    {"JsonToString", Fn::kJsonToString, 1, 1},
    {"Array", Fn::kArray, 0, -1},
    {"ArrayPartition", Fn::kArrayPartition, 2, 2},
    {"ArrayContains", Fn::kArrayContains, 2, 2},
    {"ArrayRange", Fn::kArrayRange, 3, 3},
    {"ArrayGetItem", Fn::kArrayGetItem, 2, 2},
    {"ArrayLength", Fn::kArrayLength, 1, 1},
    {"ArrayUnique", Fn::kArrayUnique, 1, 1},
    {"Base64Encode", Fn::kBase64Encode, 1, 1},
    {"Base64Decode", Fn::kBase64Decode, 1, 1},
    {"Hash", Fn::kHash, 2, 2},
    {"JsonMerge", Fn::kJsonMerge, 3, 3},
    {"MathRandom", Fn::kMathRandom, 2, 3},
    {"MathAdd", Fn::kMathAdd, 2, 2},
    {"StringSplit", Fn::kStringSplit, 2, 2},
    {"UUID", Fn::kUuid, 0, 0},
};

// At raw[*i], a backslash escape of { } \ or ': appends the character it stands for to *out,
// moves *i onto that character and returns true.
bool TakeEscape(std::string_view raw, size_t* i, std::string* out) {
  if (raw[*i] != '\\' || *i + 1 >= raw.size()) return false;
  char n = raw[*i + 1];
  if (n != '{' && n != '}' && n != '\\' && n != '\'') return false;
  out->push_back(n);
  ++*i;
  return true;
}

// A string literal's text with its escapes resolved.
std::string Unescape(std::string_view raw) {
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (TakeEscape(raw, &i, &out)) continue;
    out.push_back(raw[i]);
  }
  return out;
}

class CallParser {
 public:
  CallParser(std::string_view s, VariableTable* vars) : s_(s), vars_(vars) {}

  Result<Node> ParseTop() {
    SkipSpaces();
    STATOR_TRY(Node n, ParseCall(1));
    SkipSpaces();
    if (pos_ != s_.size()) return Fail("Unexpected text after the function call");
    return n;
  }

 private:
  Error Fail(const std::string& why) const {
    return Error{"InvalidIntrinsic", why + " at position " + std::to_string(pos_)};
  }
  char Peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void SkipSpaces() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }

  Result<Node> ParseCall(int depth) {
    if (depth > kMaxNesting) return Fail("Intrinsic functions can be nested at most 10 deep");
    if (s_.substr(pos_, 7) != "States.") return Fail("Expected an intrinsic function name");
    size_t start = pos_;
    pos_ += 7;
    while (std::isalnum(static_cast<unsigned char>(Peek()))) ++pos_;
    std::string name(s_.substr(start, pos_ - start));
    const FnInfo* info = nullptr;
    for (const auto& f : kFunctions) {
      if (name.compare(7, std::string::npos, f.name) == 0) info = &f;
    }
    if (info == nullptr) return Fail("Unknown intrinsic function '" + name + "'");
    SkipSpaces();
    if (Peek() != '(') return Fail("Expected '(' after " + name);
    ++pos_;
    Node call;
    call.type = Node::Type::kCall;
    call.fn = info;
    call.name = std::move(name);
    SkipSpaces();
    if (Peek() == ')') {
      ++pos_;
    } else {
      for (;;) {
        STATOR_TRY(Node arg, ParseArg(depth, info->fn == Fn::kFormat && call.args.empty()));
        call.args.push_back(std::move(arg));
        SkipSpaces();
        if (Peek() == ',') {
          ++pos_;
          SkipSpaces();
          continue;
        }
        if (Peek() == ')') {
          ++pos_;
          break;
        }
        return Fail("Expected ',' or ')' in the arguments of " + call.name);
      }
    }
    int n = static_cast<int>(call.args.size());
    if (n < info->min_args || (info->max_args >= 0 && n > info->max_args)) {
      std::string want;
      if (info->max_args < 0) {
        want = "at least " + std::to_string(info->min_args);
      } else if (info->min_args == info->max_args) {
        want = std::to_string(info->min_args);
      } else {
        want = std::to_string(info->min_args) + " or " + std::to_string(info->max_args);
      }
      return Fail(call.name + " takes " + want + " argument" + (want == "1" ? "" : "s") + " but " +
                  std::to_string(n) + (n == 1 ? " was" : " were") + " given");
    }
    // Checks that need no input: a literal Format template must match its argument count.
    if (info->fn == Fn::kFormat && call.args[0].has_format) {
      int holes = 0;
      for (const auto& p : call.args[0].format) holes += p.placeholder ? 1 : 0;
      if (holes != n - 1) {
        return Fail("States.Format has " + std::to_string(holes) + " placeholder" +
                    (holes == 1 ? "" : "s") + " but " + std::to_string(n - 1) + " argument" +
                    (n - 1 == 1 ? "" : "s") + " to fill them");
      }
    }
    return call;
  }

  Result<Node> ParseArg(int depth, bool format_template) {
    Node n;
    char c = Peek();
    if (c == '\'') {
      ++pos_;
      size_t start = pos_;
      while (pos_ < s_.size() && s_[pos_] != '\'') {
        if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
        ++pos_;
      }
      if (pos_ >= s_.size()) return Fail("Unterminated string literal");
      std::string_view raw = s_.substr(start, pos_ - start);
      ++pos_;
      n.type = Node::Type::kLiteral;
      n.literal = Value::String(Unescape(raw));
      if (format_template) {
        n.format = SplitTemplate(raw);
        n.has_format = true;
      }
      return n;
    }
    if (c == '$') {
      size_t start = pos_;
      int brackets = 0;
      char quote = 0;
      while (pos_ < s_.size()) {
        char d = s_[pos_];
        if (quote) {
          if (d == '\\') {
            ++pos_;
          } else if (d == quote) {
            quote = 0;
          }
        } else if (brackets > 0 && (d == '\'' || d == '"')) {
          quote = d;
        } else if (d == '[') {
          ++brackets;
        } else if (d == ']') {
          --brackets;
        } else if (brackets == 0 && (d == ',' || d == ')')) {
          break;
        }
        ++pos_;
      }
      std::string_view text = s_.substr(start, pos_ - start);
      while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
        text.remove_suffix(1);
      auto p = JsonPath::Compile(text, vars_);
      if (!p.ok()) return Fail("Invalid path argument '" + std::string(text) + "'");
      n.type = Node::Type::kPath;
      n.path = std::move(*p);
      return n;
    }
    if (s_.substr(pos_, 7) == "States.") return ParseCall(depth + 1);
    for (const char* word : {"true", "false", "null"}) {
      std::string_view w(word);
      if (s_.substr(pos_, w.size()) == w) {
        pos_ += w.size();
        n.type = Node::Type::kLiteral;
        n.literal = w == "true" ? Value::Bool(true) : w == "false" ? Value::Bool(false) : Value();
        return n;
      }
    }
    if (c == '-' || c == '+' || c == '.' || std::isdigit(static_cast<unsigned char>(c))) {
      size_t start = pos_;
      while (pos_ < s_.size() &&
             (std::isdigit(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '.' ||
              s_[pos_] == '-' || s_[pos_] == '+' || s_[pos_] == 'e' || s_[pos_] == 'E'))
        ++pos_;
      std::string_view text = s_.substr(start, pos_ - start);
      if (!text.empty() && text[0] == '+') text.remove_prefix(1);
      auto v = json::Parse(text);
      if (!v.ok() || !v->is_number()) return Fail("Invalid number '" + std::string(text) + "'");
      n.type = Node::Type::kLiteral;
      n.literal = std::move(*v);
      return n;
    }
    return Fail("Invalid argument");
  }

  std::string_view s_;
  size_t pos_ = 0;
  VariableTable* vars_;  // may be null
};

}  // namespace

std::vector<FormatPiece> SplitTemplate(std::string_view raw) {
  std::vector<FormatPiece> pieces;
  std::string cur;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (TakeEscape(raw, &i, &cur)) continue;
    char c = raw[i];
    if (c == '{' && i + 1 < raw.size() && raw[i + 1] == '}') {
      if (!cur.empty()) pieces.push_back({false, std::move(cur)});
      cur.clear();
      pieces.push_back({true, {}});
      ++i;
      continue;
    }
    cur.push_back(c);
  }
  if (!cur.empty()) pieces.push_back({false, std::move(cur)});
  return pieces;
}

Result<Node> ParseCall(std::string_view text, VariableTable* vars) {
  return CallParser(text, vars).ParseTop();
}

}  // namespace stator::asl::intrinsic_internal
