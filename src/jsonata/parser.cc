#include "jsonata/parser.h"

#include <cmath>
#include <cstdlib>
#include <string>

#include "common/utf8.h"
#include "jsonata/builtins.h"
#include "jsonata/number_format.h"
#include "jsonata/regex_adaptor.h"
#include "jsonata/signature.h"

namespace stator::jsonata::internal {
namespace {

// Binding powers of the reference's operator table.
int OperatorPower(std::string_view op) {
  static const std::pair<std::string_view, int> kTable[] = {
      {".", 75},   {"[", 80},  {"]", 0},   {"{", 70},  {"}", 0},   {")", 0},
      {"(", 80},   {",", 0},   {"@", 80},  {"#", 80},  {";", 80},  {":", 80},
      {"?", 20},   {"+", 50},  {"-", 50},  {"*", 60},  {"/", 60},  {"%", 60},
      {"|", 20},   {"=", 40},  {"<", 40},  {">", 40},  {"^", 40},  {"**", 60},
      {"..", 20},  {":=", 10}, {"!=", 40}, {"<=", 40}, {">=", 40}, {"~>", 40},
      {"and", 30}, {"or", 25}, {"in", 40}, {"&", 50},  {"!", 0},   {"~", 0}};
  for (const auto& [k, v] : kTable) {
    if (k == op) return v;
  }
  return -1;
}

bool IsOperatorChar(char c) {
  return std::string_view(".[]{}(),@#;:?+-*/%|=<>^&!~").find(c) != std::string_view::npos;
}
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v'; }

enum class TokType { kName, kVariable, kOperator, kString, kNumber, kValue, kRegex, kEnd };

struct Token {
  Token() = default;
  Token(TokType t, std::string v, json::Value l, int p)
      : type(t), value(std::move(v)), literal(std::move(l)), position(p) {}
  TokType type = TokType::kEnd;
  std::string value;  // text: name, variable name, operator, string content
  json::Value literal;
  int position = 0;
  std::string regex_pattern, regex_flags;
};

class Lexer {
 public:
  explicit Lexer(std::string_view src) : s_(src) {}

  // The next token; `infix` is true where an operator is expected ('/' is division there and
  // starts a regex literal elsewhere).
  Result<Token, jsonata::Error> Next(bool infix) {
    while (pos_ < s_.size() && IsSpace(s_[pos_])) ++pos_;
    if (pos_ >= s_.size()) return Token{TokType::kEnd, "", {}, static_cast<int>(s_.size())};
    char c = s_[pos_];
    if (c == '/' && At(pos_ + 1) == '*') {
      size_t start = pos_;
      size_t end = s_.find("*/", pos_ + 2);
      if (end == std::string_view::npos) return MakeError("S0106", static_cast<int>(start));
      pos_ = end + 2;
      return Next(infix);
    }
    if (!infix && c == '/') {
      ++pos_;
      return ScanRegex();
    }
    static const char* kTwo[] = {"..", ":=", "!=", ">=", "<=", "**", "~>"};
    for (const char* two : kTwo) {
      if (c == two[0] && At(pos_ + 1) == two[1]) {
        pos_ += 2;
        return Op(two);
      }
    }
    if (IsOperatorChar(c)) {
      ++pos_;
      return Op(std::string(1, c));
    }
    if (c == '"' || c == '\'') return ScanString(c);
    if (c >= '0' && c <= '9') return ScanNumber();
    if (c == '`') {
      ++pos_;
      size_t end = s_.find('`', pos_);
      if (end == std::string_view::npos) {
        pos_ = s_.size();
        return MakeError("S0105", static_cast<int>(pos_));
      }
      Token t{TokType::kName, std::string(s_.substr(pos_, end - pos_)), {}, 0};
      pos_ = end + 1;
      t.position = static_cast<int>(pos_);
      return t;
    }
    size_t i = pos_;
    while (i < s_.size() && !IsSpace(s_[i]) && !IsOperatorChar(s_[i])) ++i;
    Token t;
    if (c == '$') {
      t.type = TokType::kVariable;
      t.value = std::string(s_.substr(pos_ + 1, i - pos_ - 1));
      pos_ = i;
      t.position = static_cast<int>(pos_);
      return t;
    }
    t.value = std::string(s_.substr(pos_, i - pos_));
    pos_ = i;
    t.position = static_cast<int>(pos_);
    if (t.value == "or" || t.value == "in" || t.value == "and") {
      t.type = TokType::kOperator;
    } else if (t.value == "true" || t.value == "false") {
      t.type = TokType::kValue;
      t.literal = json::Value::Bool(t.value == "true");
    } else if (t.value == "null") {
      t.type = TokType::kValue;
    } else {
      t.type = TokType::kName;
    }
    return t;
  }

 private:
  char At(size_t i) const { return i < s_.size() ? s_[i] : '\0'; }
  Token Op(std::string op) {
    return Token{TokType::kOperator, std::move(op), {}, static_cast<int>(pos_)};
  }

  Result<Token, jsonata::Error> ScanString(char quote) {
    ++pos_;
    std::string out;
    uint32_t pending_high = 0;
    auto flush_high = [&] {
      if (pending_high) AppendUtf8(pending_high, &out);
      pending_high = 0;
    };
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '\\') {
        ++pos_;
        char e = At(pos_);
        if (e == 'u') {
          std::string_view hex = s_.substr(pos_ + 1, std::min<size_t>(4, s_.size() - pos_ - 1));
          bool ok = hex.size() == 4;
          for (char h : hex) ok = ok && std::isxdigit(static_cast<unsigned char>(h));
          if (!ok) return MakeError("S0104", static_cast<int>(pos_));
          uint32_t cu = std::strtoul(std::string(hex).c_str(), nullptr, 16);
          pos_ += 4;
          if (cu >= 0xD800 && cu < 0xDC00) {
            flush_high();
            pending_high = cu;
          } else if (cu >= 0xDC00 && cu < 0xE000 && pending_high) {
            AppendUtf8(0x10000 + ((pending_high - 0xD800) << 10) + (cu - 0xDC00), &out);
            pending_high = 0;
          } else {
            flush_high();
            AppendUtf8(cu, &out);
          }
        } else {
          flush_high();
          switch (e) {
            case '"':
              out += '"';
              break;
            case '\\':
              out += '\\';
              break;
            case '/':
              out += '/';
              break;
            case 'b':
              out += '\b';
              break;
            case 'f':
              out += '\f';
              break;
            case 'n':
              out += '\n';
              break;
            case 'r':
              out += '\r';
              break;
            case 't':
              out += '\t';
              break;
            default:
              return MakeError("S0103", static_cast<int>(pos_), {{"token", std::string(1, e)}});
          }
        }
      } else if (c == quote) {
        flush_high();
        ++pos_;
        Token t{TokType::kString, out, json::Value::String(out), static_cast<int>(pos_)};
        return t;
      } else {
        flush_high();
        out += c;
      }
      ++pos_;
    }
    return MakeError("S0101", static_cast<int>(pos_));
  }

  Result<Token, jsonata::Error> ScanNumber() {
    size_t i = pos_;
    if (s_[i] == '0') {
      ++i;
    } else {
      while (i < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i]))) ++i;
    }
    if (At(i) == '.' && std::isdigit(static_cast<unsigned char>(At(i + 1)))) {
      i += 2;
      while (i < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i]))) ++i;
    }
    if (At(i) == 'e' || At(i) == 'E') {
      size_t j = i + 1;
      if (At(j) == '+' || At(j) == '-') ++j;
      if (std::isdigit(static_cast<unsigned char>(At(j)))) {
        while (j < s_.size() && std::isdigit(static_cast<unsigned char>(s_[j]))) ++j;
        i = j;
      }
    }
    std::string text(s_.substr(pos_, i - pos_));
    double d = std::strtod(text.c_str(), nullptr);
    if (!std::isfinite(d)) {
      return MakeError("S0102", static_cast<int>(pos_), {{"token", text}});
    }
    pos_ = i;
    return Token{TokType::kNumber, text, NumberJson(d), static_cast<int>(pos_)};
  }

  Result<Token, jsonata::Error> ScanRegex() {
    size_t start = pos_;
    int depth = 0;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == '/' && depth == 0) {
        size_t backslashes = 0;
        while (pos_ >= backslashes + 1 && s_[pos_ - backslashes - 1] == '\\') ++backslashes;
        if (backslashes % 2 == 0) {
          std::string pattern(s_.substr(start, pos_ - start));
          if (pattern.empty()) return MakeError("S0301", static_cast<int>(pos_));
          ++pos_;
          size_t fstart = pos_;
          while (At(pos_) == 'i' || At(pos_) == 'm') ++pos_;
          Token t{TokType::kRegex, pattern, {}, static_cast<int>(pos_)};
          t.regex_pattern = pattern;
          t.regex_flags = std::string(s_.substr(fstart, pos_ - fstart));
          return t;
        }
      }
      bool escaped = pos_ > 0 && s_[pos_ - 1] == '\\';
      if ((c == '(' || c == '[' || c == '{') && !escaped) ++depth;
      if ((c == ')' || c == ']' || c == '}') && !escaped) --depth;
      ++pos_;
    }
    return MakeError("S0302", static_cast<int>(pos_));
  }

  std::string_view s_;
  size_t pos_ = 0;
};

using NodePtr = std::unique_ptr<Node>;

// The Pratt parser. Errors are recorded in err_ and unwind through null returns.
class Parser {
 public:
  explicit Parser(std::string_view src) : src_(src), lexer_(src) {}

  Result<NodePtr, jsonata::Error> Run() {
    Advance("", false);
    NodePtr e = Expression(0);
    if (!err_ && cur_.id != "(end)") Fail("S0201", cur_.position, cur_.text);
    if (err_) return *err_;
    ancestor_label_ = 0;
    NodePtr out = Process(std::move(e));
    if (err_) return *err_;
    if (out->type == NodeType::kParent || out->seeking_parent) {
      // The reference's processed path and parent nodes carry no position.
      bool positioned = out->type != NodeType::kParent && out->type != NodeType::kPath;
      return MakeError("S0217", positioned ? out->position : -1, {{"token", TypeName(out->type)}});
    }
    return out;
  }

 private:
  struct Cur {
    std::string id;  // symbol id: operator text, "(name)", "(literal)", "(regex)", "(end)"
    Token tok;
    std::string text;  // the token's value as the reference prints it
    int position = 0;
    int lbp = 0;
  };

  bool failed() const { return err_.has_value(); }
  void Fail(std::string_view code, int position, std::string token = {},
            std::vector<std::pair<std::string, std::string>> more = {}) {
    if (err_) return;
    if (!token.empty() || code == "S0201") more.push_back({"token", token});
    err_ = MakeError(code, position, std::move(more));
    if (!token.empty() || code == "S0201") err_->token = token;
  }

  static std::string Quoted(std::string_view s) {
    std::string out;
    AppendJsString(s, &out);
    return out;
  }

  static const char* TypeName(NodeType t) {
    switch (t) {
      case NodeType::kPath:
        return "path";
      case NodeType::kBinary:
        return "binary";
      case NodeType::kNegate:
      case NodeType::kArray:
      case NodeType::kObject:
        return "unary";
      case NodeType::kName:
        return "name";
      case NodeType::kString:
        return "string";
      case NodeType::kNumber:
        return "number";
      case NodeType::kValue:
        return "value";
      case NodeType::kWildcard:
        return "wildcard";
      case NodeType::kDescendant:
        return "descendant";
      case NodeType::kParent:
        return "parent";
      case NodeType::kCondition:
        return "condition";
      case NodeType::kBlock:
        return "block";
      case NodeType::kBind:
        return "bind";
      case NodeType::kRegex:
        return "regex";
      case NodeType::kFunction:
        return "function";
      case NodeType::kPartial:
        return "partial";
      case NodeType::kVariable:
        return "variable";
      case NodeType::kLambda:
        return "lambda";
      case NodeType::kApply:
        return "apply";
      case NodeType::kTransform:
        return "transform";
      case NodeType::kSort:
        return "sort";
      default:
        return "unknown";
    }
  }

  void Advance(std::string_view id, bool infix) {
    if (failed()) return;
    if (!id.empty() && cur_.id != id) {
      if (cur_.id == "(end)") {
        Fail("S0203", cur_.position, cur_.text, {{"value", Quoted(id)}});
      } else {
        Fail("S0202", cur_.position, cur_.text, {{"value", Quoted(id)}});
      }
      return;
    }
    auto tok = lexer_.Next(infix);
    if (!tok.ok()) {
      err_ = tok.error();
      return;
    }
    Cur c;
    c.tok = std::move(*tok);
    c.position = c.tok.position;
    c.text = c.tok.value;
    switch (c.tok.type) {
      case TokType::kEnd:
        c.id = "(end)";
        c.text = "(end)";
        c.position = static_cast<int>(src_.size());
        break;
      case TokType::kName:
      case TokType::kVariable:
        c.id = "(name)";
        break;
      case TokType::kOperator: {
        int bp = OperatorPower(c.tok.value);
        if (bp < 0 || c.tok.value == "!" || c.tok.value == "~") {
          Fail("S0204", c.position, c.tok.value);
          return;
        }
        c.id = c.tok.value;
        c.lbp = LeftPower(c.id);
        break;
      }
      case TokType::kString:
      case TokType::kNumber:
      case TokType::kValue:
        c.id = "(literal)";
        if (c.tok.type == TokType::kValue) c.text = c.tok.literal.is_null() ? "null" : c.text;
        break;
      case TokType::kRegex:
        c.id = "(regex)";
        break;
    }
    cur_ = std::move(c);
  }

  // The lbp of a symbol as the reference's symbol table gives it.
  static int LeftPower(std::string_view id) {
    static const char* kInfix[] = {".",  "+",  "-",  "*",  "/",   "%",  "=",  "<",  ">",
                                   "!=", "<=", ">=", "&",  "and", "or", "in", "~>", "(",
                                   "[",  "^",  "{",  ":=", "@",   "#",  "?"};
    for (const char* op : kInfix) {
      if (id == op) return OperatorPower(id);
    }
    return 0;
  }

  NodePtr NewNode(NodeType type, const Cur& c) {
    auto n = std::make_unique<Node>();
    n->type = type;
    n->position = c.position;
    n->value = c.tok.value;
    return n;
  }

  NodePtr Expression(int rbp) {
    if (failed()) return nullptr;
    Cur t = cur_;
    Advance("", true);
    if (failed()) return nullptr;
    NodePtr left = Nud(t);
    while (!failed() && rbp < cur_.lbp) {
      t = cur_;
      Advance("", false);
      if (failed()) return nullptr;
      left = Led(t, std::move(left));
    }
    return failed() ? nullptr : std::move(left);
  }

  NodePtr Nud(const Cur& t) {
    if (failed()) return nullptr;
    const std::string& id = t.id;
    if (id == "(name)") {
      auto n = NewNode(t.tok.type == TokType::kVariable ? NodeType::kVariable : NodeType::kName, t);
      return n;
    }
    if (id == "(literal)") {
      NodeType type = t.tok.type == TokType::kString   ? NodeType::kString
                      : t.tok.type == TokType::kNumber ? NodeType::kNumber
                                                       : NodeType::kValue;
      auto n = NewNode(type, t);
      n->literal = t.tok.literal;
      return n;
    }
    if (id == "(regex)") {
      auto n = NewNode(NodeType::kRegex, t);
      auto re = CompileRegex(t.tok.regex_pattern, t.tok.regex_flags);
      if (!re.ok()) {
        err_ = re.error();
        err_->position = t.position;
        return nullptr;
      }
      n->regex = *re;
      n->value = "/" + t.tok.regex_pattern + "/" + t.tok.regex_flags;
      return n;
    }
    if (id == "(end)") {
      auto n = NewNode(NodeType::kEnd, t);
      n->value = "(end)";
      return n;
    }
    if (id == "and" || id == "or" || id == "in") return NewNode(NodeType::kOperator, t);
    if (id == "-") {
      auto n = NewNode(NodeType::kNegate, t);
      n->expr = Expression(70);
      return n;
    }
    if (id == "*") return NewNode(NodeType::kWildcard, t);
    if (id == "**") return NewNode(NodeType::kDescendant, t);
    if (id == "%") return NewNode(NodeType::kParent, t);
    if (id == "(") {
      auto n = NewNode(NodeType::kBlock, t);
      while (!failed() && cur_.id != ")") {
        n->items.push_back(Expression(0));
        if (cur_.id != ";") break;
        Advance(";", false);
      }
      Advance(")", true);
      return n;
    }
    if (id == "[") {
      auto n = NewNode(NodeType::kArray, t);
      if (cur_.id != "]") {
        for (;;) {
          NodePtr item = Expression(0);
          if (failed()) return nullptr;
          if (cur_.id == "..") {
            auto range = std::make_unique<Node>();
            range->type = NodeType::kBinary;
            range->value = "..";
            range->position = cur_.position;
            range->lhs = std::move(item);
            Advance("..", false);
            range->rhs = Expression(0);
            item = std::move(range);
          }
          n->items.push_back(std::move(item));
          if (failed() || cur_.id != ",") break;
          Advance(",", false);
        }
      }
      Advance("]", true);
      return n;
    }
    if (id == "{") {
      auto n = NewNode(NodeType::kObject, t);
      ParsePairs(&n->pairs);
      return n;
    }
    if (id == "|") {
      auto n = NewNode(NodeType::kTransform, t);
      n->expr = Expression(0);
      Advance("|", false);
      n->update = Expression(0);
      if (!failed() && cur_.id == ",") {
        Advance(",", false);
        n->del = Expression(0);
      }
      Advance("|", false);
      return n;
    }
    // A symbol with no prefix meaning.
    Fail("S0211", t.position, t.text);
    return nullptr;
  }

  void ParsePairs(std::vector<std::pair<NodePtr, NodePtr>>* pairs) {
    if (cur_.id != "}") {
      for (;;) {
        NodePtr k = Expression(0);
        Advance(":", false);
        NodePtr v = Expression(0);
        if (failed()) return;
        pairs->emplace_back(std::move(k), std::move(v));
        if (cur_.id != ",") break;
        Advance(",", false);
      }
    }
    Advance("}", true);
  }

  NodePtr Led(const Cur& t, NodePtr left) {
    if (failed()) return nullptr;
    const std::string& id = t.id;
    if (id == "(") {
      auto n = NewNode(NodeType::kFunction, t);
      n->procedure = std::move(left);
      if (cur_.id != ")") {
        for (;;) {
          if (cur_.tok.type == TokType::kOperator && cur_.id == "?") {
            n->type = NodeType::kPartial;
            n->items.push_back(NewNode(NodeType::kOperator, cur_));
            Advance("?", false);
          } else {
            n->items.push_back(Expression(0));
          }
          if (failed() || cur_.id != ",") break;
          Advance(",", false);
        }
      }
      Advance(")", true);
      if (failed()) return nullptr;
      const Node& proc = *n->procedure;
      if (proc.type == NodeType::kName && (proc.value == "function" || proc.value == "\xCE\xBB")) {
        for (size_t i = 0; i < n->items.size(); ++i) {
          const Node& arg = *n->items[i];
          if (arg.type != NodeType::kVariable) {
            Fail("S0208", arg.position, arg.value, {{"value", std::to_string(i + 1)}});
            return nullptr;
          }
          n->params.push_back(arg.value);
        }
        n->type = NodeType::kLambda;
        n->items.clear();
        n->procedure.reset();
        if (cur_.id == "<") {
          int sig_pos = cur_.position;
          int depth = 1;
          std::string sig = "<";
          while (!failed() && depth > 0 && cur_.id != "{" && cur_.id != "(end)") {
            Advance("", false);
            if (failed()) return nullptr;
            if (cur_.id == ">") {
              --depth;
            } else if (cur_.id == "<") {
              ++depth;
            }
            sig += cur_.text;
          }
          Advance(">", false);
          if (failed()) return nullptr;
          auto parsed = ParseSignature(sig);
          if (!parsed.ok()) {
            err_ = parsed.error();
            err_->position = sig_pos + err_->position;
            return nullptr;
          }
          n->signature = *parsed;
        }
        Advance("{", false);
        n->expr = Expression(0);
        Advance("}", false);
      }
      return n;
    }
    if (id == "[") {
      if (cur_.id == "]") {
        Node* step = left.get();
        while (step && step->type == NodeType::kBinary && step->value == "[")
          step = step->lhs.get();
        step->keep_array = true;
        Advance("]", false);
        return left;
      }
      auto n = NewNode(NodeType::kBinary, t);
      n->lhs = std::move(left);
      n->rhs = Expression(0);
      Advance("]", true);
      return n;
    }
    if (id == "^") {
      Advance("(", false);
      auto n = NewNode(NodeType::kBinary, t);
      for (;;) {
        SortTerm term;
        if (cur_.id == "<") {
          Advance("<", false);
        } else if (cur_.id == ">") {
          term.descending = true;
          Advance(">", false);
        }
        term.expr = Expression(0);
        if (failed()) return nullptr;
        n->terms.push_back(std::move(term));
        if (cur_.id != ",") break;
        Advance(",", false);
      }
      Advance(")", false);
      n->lhs = std::move(left);
      return n;
    }
    if (id == "{") {
      auto n = NewNode(NodeType::kBinary, t);
      n->lhs = std::move(left);
      ParsePairs(&n->pairs);
      return n;
    }
    if (id == ":=") {
      if (left->type != NodeType::kVariable) {
        Fail("S0212", left->position, left->value);
        return nullptr;
      }
      auto n = NewNode(NodeType::kBinary, t);
      n->lhs = std::move(left);
      n->rhs = Expression(OperatorPower(":=") - 1);
      return n;
    }
    if (id == "@" || id == "#") {
      auto n = NewNode(NodeType::kBinary, t);
      n->lhs = std::move(left);
      n->rhs = Expression(OperatorPower(id));
      if (failed()) return nullptr;
      if (n->rhs->type != NodeType::kVariable) {
        Fail("S0214", n->rhs->position, id);
        return nullptr;
      }
      return n;
    }
    if (id == "?") {
      auto n = NewNode(NodeType::kCondition, t);
      n->expr = std::move(left);
      n->then_branch = Expression(0);
      if (!failed() && cur_.id == ":") {
        Advance(":", false);
        n->else_branch = Expression(0);
      }
      return n;
    }
    // Plain infix operators.
    auto n = NewNode(NodeType::kBinary, t);
    n->lhs = std::move(left);
    n->rhs = Expression(OperatorPower(id));
    return n;
  }

  // ---- Post-processing (the reference's processAST) ----

  NodePtr TailCallOptimize(NodePtr e) {
    if (e->type == NodeType::kFunction && !e->has_predicate) {
      auto thunk = std::make_unique<Node>();
      thunk->type = NodeType::kLambda;
      thunk->thunk = true;
      thunk->position = e->position;
      thunk->expr = std::move(e);
      return thunk;
    }
    if (e->type == NodeType::kCondition) {
      e->then_branch = TailCallOptimize(std::move(e->then_branch));
      if (e->else_branch) e->else_branch = TailCallOptimize(std::move(e->else_branch));
    } else if (e->type == NodeType::kBlock && !e->items.empty()) {
      e->items.back() = TailCallOptimize(std::move(e->items.back()));
    }
    return e;
  }

  std::shared_ptr<Slot> SeekParent(Node* node, std::shared_ptr<Slot> slot) {
    if (failed()) return slot;
    switch (node->type) {
      case NodeType::kName:
      case NodeType::kWildcard:
        slot->level--;
        if (slot->level == 0) {
          if (!node->ancestor) {
            node->ancestor = slot;
          } else {
            ancestry_[slot->index]->slot->label = node->ancestor->label;
            node->ancestor = slot;
          }
          node->tuple = true;
        }
        break;
      case NodeType::kParent:
        slot->level++;
        break;
      case NodeType::kBlock:
        if (!node->items.empty()) {
          node->tuple = true;
          slot = SeekParent(node->items.back().get(), slot);
        }
        break;
      case NodeType::kPath: {
        node->tuple = true;
        int index = static_cast<int>(node->items.size()) - 1;
        slot = SeekParent(node->items[index--].get(), slot);
        while (slot->level > 0 && index >= 0) slot = SeekParent(node->items[index--].get(), slot);
        break;
      }
      default:
        Fail("S0217", node->position, TypeName(node->type));
    }
    return slot;
  }

  static void PushAncestry(Node* result, Node* value) {
    if (!value) return;
    if (value->seeking_parent || value->type == NodeType::kParent) {
      std::vector<std::shared_ptr<Slot>> slots;
      if (value->seeking_parent) slots = *value->seeking_parent;
      if (value->type == NodeType::kParent) slots.push_back(value->slot);
      if (!result->seeking_parent) {
        result->seeking_parent = slots;
      } else {
        result->seeking_parent->insert(result->seeking_parent->end(), slots.begin(), slots.end());
      }
    }
  }

  void ResolveAncestry(Node* path) {
    int index = static_cast<int>(path->items.size()) - 1;
    Node* last = path->items[index].get();
    std::vector<std::shared_ptr<Slot>> slots;
    if (last->seeking_parent) slots = *last->seeking_parent;
    if (last->type == NodeType::kParent) slots.push_back(last->slot);
    for (auto slot : slots) {
      index = static_cast<int>(path->items.size()) - 2;
      while (slot->level > 0) {
        if (index < 0) {
          if (!path->seeking_parent) path->seeking_parent.emplace();
          path->seeking_parent->push_back(slot);
          break;
        }
        Node* step = path->items[index--].get();
        while (index >= 0 && step->focus && path->items[index]->focus) {
          step = path->items[index--].get();
        }
        slot = SeekParent(step, slot);
        if (failed()) return;
      }
    }
  }

  NodePtr WrapPath(NodePtr step) {
    auto p = std::make_unique<Node>();
    p->type = NodeType::kPath;
    p->position = step->position;
    p->items.push_back(std::move(step));
    return p;
  }

  NodePtr Process(NodePtr e) {
    if (failed() || !e) return nullptr;
    bool keep_array = e->keep_array;
    NodePtr result = ProcessInner(std::move(e));
    if (failed() || !result) return nullptr;
    if (keep_array) result->keep_array = true;
    return result;
  }

  NodePtr ProcessInner(NodePtr e) {
    switch (e->type) {
      case NodeType::kBinary:
        return ProcessBinary(std::move(e));
      case NodeType::kNegate: {
        e->expr = Process(std::move(e->expr));
        if (failed()) return nullptr;
        if (e->expr->type == NodeType::kNumber) {
          NodePtr num = std::move(e->expr);
          num->literal = NumberJson(-num->literal.as_double());
          return num;
        }
        PushAncestry(e.get(), e->expr.get());
        return e;
      }
      case NodeType::kArray:
        for (auto& item : e->items) {
          item = Process(std::move(item));
          if (failed()) return nullptr;
          PushAncestry(e.get(), item.get());
        }
        return e;
      case NodeType::kObject:
        for (auto& [k, v] : e->pairs) {
          k = Process(std::move(k));
          if (failed()) return nullptr;
          PushAncestry(e.get(), k.get());
          v = Process(std::move(v));
          if (failed()) return nullptr;
          PushAncestry(e.get(), v.get());
        }
        return e;
      case NodeType::kFunction:
      case NodeType::kPartial:
        for (auto& arg : e->items) {
          arg = Process(std::move(arg));
          if (failed()) return nullptr;
          PushAncestry(e.get(), arg.get());
        }
        e->procedure = Process(std::move(e->procedure));
        return e;
      case NodeType::kLambda: {
        NodePtr body = Process(std::move(e->expr));
        if (failed()) return nullptr;
        e->expr = TailCallOptimize(std::move(body));
        return e;
      }
      case NodeType::kCondition:
        e->expr = Process(std::move(e->expr));
        if (failed()) return nullptr;
        PushAncestry(e.get(), e->expr.get());
        e->then_branch = Process(std::move(e->then_branch));
        if (failed()) return nullptr;
        PushAncestry(e.get(), e->then_branch.get());
        if (e->else_branch) {
          e->else_branch = Process(std::move(e->else_branch));
          if (failed()) return nullptr;
          PushAncestry(e.get(), e->else_branch.get());
        }
        return e;
      case NodeType::kTransform:
        e->expr = Process(std::move(e->expr));
        e->update = Process(std::move(e->update));
        if (e->del) e->del = Process(std::move(e->del));
        return e;
      case NodeType::kBlock:
        for (auto& item : e->items) {
          item = Process(std::move(item));
          if (failed()) return nullptr;
          PushAncestry(e.get(), item.get());
          if (item->consarray || (item->type == NodeType::kPath && item->items[0]->consarray)) {
            e->consarray = true;
          }
        }
        return e;
      case NodeType::kName: {
        bool keep = e->keep_array;
        NodePtr p = WrapPath(std::move(e));
        if (keep) p->keep_singleton_array = true;
        return p;
      }
      case NodeType::kParent: {
        e->slot = std::make_shared<Slot>();
        e->slot->label = "!" + std::to_string(ancestor_label_++);
        e->slot->level = 1;
        e->slot->index = static_cast<int>(ancestry_.size());
        ancestry_.push_back(e.get());
        return e;
      }
      case NodeType::kString:
      case NodeType::kNumber:
      case NodeType::kValue:
      case NodeType::kWildcard:
      case NodeType::kDescendant:
      case NodeType::kVariable:
      case NodeType::kRegex:
        return e;
      case NodeType::kOperator:
        if (e->value == "and" || e->value == "or" || e->value == "in") {
          e->type = NodeType::kName;
          return Process(std::move(e));
        }
        if (e->value == "?") return e;
        Fail("S0201", e->position, e->value);
        return nullptr;
      case NodeType::kEnd:
        Fail("S0207", e->position, "(end)");
        return nullptr;
      default:
        Fail("S0206", e->position, e->value);
        return nullptr;
    }
  }

  NodePtr ProcessBinary(NodePtr e) {
    const std::string op = e->value;
    if (op == ".") {
      NodePtr lstep = Process(std::move(e->lhs));
      if (failed()) return nullptr;
      NodePtr result;
      if (lstep->type == NodeType::kPath) {
        result = std::move(lstep);
      } else {
        bool is_parent = lstep->type == NodeType::kParent;
        std::shared_ptr<Slot> slot = lstep->slot;
        result = WrapPath(std::move(lstep));
        if (is_parent) result->seeking_parent = std::vector<std::shared_ptr<Slot>>{slot};
      }
      NodePtr rest = Process(std::move(e->rhs));
      if (failed()) return nullptr;
      if (rest->type == NodeType::kFunction && rest->procedure->type == NodeType::kPath &&
          rest->procedure->items.size() == 1 &&
          rest->procedure->items[0]->type == NodeType::kName &&
          result->items.back()->type == NodeType::kFunction) {
        // (nextFunction: used by the reference only for its own diagnostics.)
      }
      if (rest->type == NodeType::kPath) {
        for (auto& s : rest->items) result->items.push_back(std::move(s));
      } else {
        if (rest->has_predicate) {
          rest->stages = std::move(rest->predicate);
          rest->predicate.clear();
          rest->has_predicate = false;
          rest->has_stages = true;
        }
        result->items.push_back(std::move(rest));
      }
      for (auto& step : result->items) {
        if (step->type == NodeType::kNumber || step->type == NodeType::kValue) {
          std::string v = step->type == NodeType::kNumber
                              ? JsNumberToString(step->literal.as_double())
                              : step->literal.Dump();
          Fail("S0213", step->position, "", {{"value", v}});
          err_->token.reset();
          return nullptr;
        }
        if (step->type == NodeType::kString) step->type = NodeType::kName;
      }
      for (auto& step : result->items) {
        if (step->keep_array) result->keep_singleton_array = true;
      }
      Node* first = result->items.front().get();
      if (first->type == NodeType::kArray) first->consarray = true;
      Node* last = result->items.back().get();
      if (last->type == NodeType::kArray) last->consarray = true;
      ResolveAncestry(result.get());
      return result;
    }
    if (op == "[") {
      NodePtr result = Process(std::move(e->lhs));
      if (failed()) return nullptr;
      Node* step = result.get();
      bool stages = false;
      if (result->type == NodeType::kPath) {
        step = result->items.back().get();
        stages = true;
      }
      if (step->group) {
        Fail("S0209", e->position);
        return nullptr;
      }
      NodePtr pred = Process(std::move(e->rhs));
      if (failed()) return nullptr;
      if (pred->seeking_parent) {
        for (auto& slot : *pred->seeking_parent) {
          if (slot->level == 1) {
            SeekParent(step, slot);
          } else {
            slot->level--;
          }
        }
        PushAncestry(step, pred.get());
      }
      Stage st;
      st.expr = std::move(pred);
      st.position = e->position;
      if (stages) {
        step->has_stages = true;
        step->stages.push_back(std::move(st));
      } else {
        step->has_predicate = true;
        step->predicate.push_back(std::move(st));
      }
      return result;
    }
    if (op == "{") {
      NodePtr result = Process(std::move(e->lhs));
      if (failed()) return nullptr;
      if (result->group) {
        Fail("S0210", e->position);
        return nullptr;
      }
      auto g = std::make_unique<Group>();
      g->position = e->position;
      for (auto& [k, v] : e->pairs) {
        NodePtr pk = Process(std::move(k));
        NodePtr pv = Process(std::move(v));
        if (failed()) return nullptr;
        g->pairs.emplace_back(std::move(pk), std::move(pv));
      }
      result->group = std::move(g);
      return result;
    }
    if (op == "^") {
      NodePtr result = Process(std::move(e->lhs));
      if (failed()) return nullptr;
      if (result->type != NodeType::kPath) result = WrapPath(std::move(result));
      auto sort = std::make_unique<Node>();
      sort->type = NodeType::kSort;
      sort->position = e->position;
      for (auto& term : e->terms) {
        SortTerm t;
        t.descending = term.descending;
        t.expr = Process(std::move(term.expr));
        if (failed()) return nullptr;
        PushAncestry(sort.get(), t.expr.get());
        sort->terms.push_back(std::move(t));
      }
      result->items.push_back(std::move(sort));
      ResolveAncestry(result.get());
      return result;
    }
    if (op == ":=") {
      auto b = std::make_unique<Node>();
      b->type = NodeType::kBind;
      b->value = op;
      b->position = e->position;
      b->lhs = Process(std::move(e->lhs));
      b->rhs = Process(std::move(e->rhs));
      if (failed()) return nullptr;
      PushAncestry(b.get(), b->rhs.get());
      return b;
    }
    if (op == "@") {
      NodePtr result = Process(std::move(e->lhs));
      if (failed()) return nullptr;
      Node* step = result.get();
      if (result->type == NodeType::kPath) step = result->items.back().get();
      if (step->has_stages || step->has_predicate) {
        Fail("S0215", e->position);
        return nullptr;
      }
      if (step->type == NodeType::kSort) {
        Fail("S0216", e->position);
        return nullptr;
      }
      if (e->keep_array) step->keep_array = true;
      step->focus = e->rhs->value;
      step->tuple = true;
      return result;
    }
    if (op == "#") {
      NodePtr result = Process(std::move(e->lhs));
      if (failed()) return nullptr;
      Node* step = result.get();
      if (result->type == NodeType::kPath) {
        step = result->items.back().get();
      } else {
        if (result->has_predicate) {
          result->stages = std::move(result->predicate);
          result->predicate.clear();
          result->has_predicate = false;
          result->has_stages = true;
        }
        result = WrapPath(std::move(result));
        step = result->items.back().get();
      }
      if (!step->has_stages) {
        step->index = e->rhs->value;
      } else {
        Stage st;
        st.is_index = true;
        st.var = e->rhs->value;
        st.position = e->position;
        step->stages.push_back(std::move(st));
      }
      step->tuple = true;
      return result;
    }
    if (op == "~>") {
      auto a = std::make_unique<Node>();
      a->type = NodeType::kApply;
      a->value = op;
      a->position = e->position;
      a->lhs = Process(std::move(e->lhs));
      a->rhs = Process(std::move(e->rhs));
      if (failed()) return nullptr;
      a->keep_array = a->lhs->keep_array || a->rhs->keep_array;
      return a;
    }
    e->lhs = Process(std::move(e->lhs));
    if (failed()) return nullptr;
    e->rhs = Process(std::move(e->rhs));
    if (failed()) return nullptr;
    PushAncestry(e.get(), e->lhs.get());
    PushAncestry(e.get(), e->rhs.get());
    return e;
  }

  std::string_view src_;
  Lexer lexer_;
  Cur cur_;
  std::optional<jsonata::Error> err_;
  int ancestor_label_ = 0;
  std::vector<Node*> ancestry_;
};

}  // namespace

Result<std::unique_ptr<Node>, jsonata::Error> Parse(std::string_view source) {
  Parser p(source);
  return p.Run();
}

}  // namespace stator::jsonata::internal
