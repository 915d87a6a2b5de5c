// Parsing of the DynamoDB expression language (see expression.h).
#include "dynamodb/expression.h"

#include <cctype>
#include <iterator>
#include <optional>

namespace stator::dynamodb {
namespace {

Error Validation(std::string message) { return Error{"ValidationException", std::move(message)}; }

std::string Prefix(ExprKind kind) { return std::string("Invalid ") + ExprKindName(kind) + ": "; }

struct Token {
  enum class Type : uint8_t { kIdent, kName, kValue, kNumber, kPunct, kEnd };
  Type type = Type::kEnd;
  std::string text;
  size_t begin = 0;
  size_t end = 0;
};

bool IsWordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

class Parser {
 public:
  Parser(std::string_view text, ExprKind kind, ExpressionContext* ctx)
      : text_(text), kind_(kind), ctx_(ctx) {}

  Status Tokenize() {
    size_t i = 0;
    while (i < text_.size()) {
      char c = text_[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++i;
        continue;
      }
      Token t;
      t.begin = i;
      if (c == '#' || c == ':') {
        size_t j = i + 1;
        while (j < text_.size() && IsWordChar(text_[j])) ++j;
        t.type = c == '#' ? Token::Type::kName : Token::Type::kValue;
        t.text = std::string(text_.substr(i, j - i));
        if (j == i + 1) return SyntaxErrorAtChar(i);
        i = j;
      } else if (IsWordChar(c)) {
        size_t j = i;
        bool all_digits = true;
        while (j < text_.size() && IsWordChar(text_[j])) {
          all_digits = all_digits && std::isdigit(static_cast<unsigned char>(text_[j]));
          ++j;
        }
        t.type = all_digits ? Token::Type::kNumber : Token::Type::kIdent;
        t.text = std::string(text_.substr(i, j - i));
        i = j;
      } else if (c == '<' || c == '>') {
        t.type = Token::Type::kPunct;
        if (i + 1 < text_.size() && (text_[i + 1] == '=' || (c == '<' && text_[i + 1] == '>'))) {
          t.text = std::string(text_.substr(i, 2));
          i += 2;
        } else {
          t.text = std::string(1, c);
          ++i;
        }
      } else if (std::string_view("()[],.=+-").find(c) != std::string_view::npos) {
        t.type = Token::Type::kPunct;
        t.text = std::string(1, c);
        ++i;
      } else {
        return SyntaxErrorAtChar(i);
      }
      t.end = i;
      tokens_.push_back(std::move(t));
    }
    Token end;
    end.type = Token::Type::kEnd;
    end.text = "<EOF>";
    end.begin = end.end = text_.size();
    tokens_.push_back(end);
    return Status::Ok();
  }

  // --- shared helpers -------------------------------------------------------------------

  const Token& Peek(size_t k = 0) const {
    size_t i = std::min(pos_ + k, tokens_.size() - 1);
    return tokens_[i];
  }
  bool AtEnd() const { return Peek().type == Token::Type::kEnd; }
  bool IsPunct(const char* p, size_t k = 0) const {
    return Peek(k).type == Token::Type::kPunct && Peek(k).text == p;
  }
  bool IsKeyword(const char* word, size_t k = 0) const {
    return Peek(k).type == Token::Type::kIdent && EqualsIgnoreCase(Peek(k).text, word);
  }

  // `Syntax error; token: "X", near: "..."`: near spans the previous token, the offending one
  // and the next one, with the text between them.
  Error SyntaxError() const {
    const Token& t = Peek();
    size_t index = std::min(pos_, tokens_.size() - 1);
    size_t from = index > 0 ? tokens_[index - 1].begin : t.begin;
    size_t to;
    if (t.type == Token::Type::kEnd) {
      to = index > 0 ? tokens_[index - 1].end : t.begin;
    } else {
      to = index + 1 < tokens_.size() && tokens_[index + 1].type != Token::Type::kEnd
               ? tokens_[index + 1].end
               : t.end;
    }
    return Validation(Prefix(kind_) + "Syntax error; token: \"" + t.text + "\", near: \"" +
                      std::string(text_.substr(from, to - from)) + "\"");
  }
  Error SyntaxErrorAtChar(size_t i) const {
    size_t from = tokens_.empty() ? i : tokens_.back().begin;
    return Validation(Prefix(kind_) + "Syntax error; token: \"" + std::string(1, text_[i]) +
                      "\", near: \"" + std::string(text_.substr(from, i + 1 - from)) + "\"");
  }

  void Defer(Error e) {
    if (!deferred_) deferred_ = std::move(e);
  }
  Status Finish() {
    if (!AtEnd()) return SyntaxError();
    if (deferred_) return *deferred_;
    return Status::Ok();
  }

  Result<Path> ParsePath() {
    Path path;
    STATOR_RETURN_IF_ERROR(ParsePathName(&path));
    while (true) {
      if (IsPunct(".")) {
        ++pos_;
        STATOR_RETURN_IF_ERROR(ParsePathName(&path));
      } else if (IsPunct("[")) {
        ++pos_;
        if (Peek().type != Token::Type::kNumber) return SyntaxError();
        PathElement e;
        e.is_index = true;
        const std::string& digits = Peek().text;
        e.index = digits.size() > 9 ? 999999999 : std::stoll(digits);
        ++pos_;
        if (!IsPunct("]")) return SyntaxError();
        ++pos_;
        path.push_back(std::move(e));
      } else {
        return path;
      }
    }
  }

  Status ParsePathName(Path* path) {
    const Token& t = Peek();
    PathElement e;
    if (t.type == Token::Type::kName) {
      auto name = ctx_->Name(t.text, kind_);
      if (name.ok()) {
        e.name = *name;
      } else {
        Defer(name.error());
      }
    } else if (t.type == Token::Type::kIdent) {
      if (IsReservedWord(t.text)) {
        // A keyword of the grammar where a name belongs is a syntax error.
        static const char* const kGrammarWords[] = {"AND", "OR",     "NOT", "BETWEEN", "IN",
                                                    "SET", "REMOVE", "ADD", "DELETE"};
        for (const char* w : kGrammarWords) {
          if (EqualsIgnoreCase(t.text, w)) return SyntaxError();
        }
        Defer(Validation(Prefix(kind_) +
                         "Attribute name is a reserved keyword; reserved keyword: " + t.text));
      }
      e.name = t.text;
    } else {
      return SyntaxError();
    }
    ++pos_;
    path->push_back(std::move(e));
    return Status::Ok();
  }

  Operand ValueOperand(const Token& t) {
    Operand o;
    o.kind = Operand::Kind::kValue;
    o.value_name = t.text;
    auto v = ctx_->Value(t.text, kind_);
    if (v.ok()) {
      o.value = std::move(v).value();
    } else {
      Defer(v.error());
    }
    return o;
  }

  Error OperandCountError(const std::string& f, size_t n) const {
    return Validation(Prefix(kind_) +
                      "Incorrect number of operands for operator or function; operator or "
                      "function: " +
                      f + ", number of operands: " + std::to_string(n));
  }
  Error RequiresPathError(const std::string& f) const {
    return Validation(Prefix(kind_) +
                      "Operator or function requires a document path; operator or function: " + f);
  }
  Error OperandTypeError(const std::string& f, const Operand& o) const {
    return Validation(Prefix(kind_) +
                      "Incorrect operand type for operator or function; operator or function: " +
                      f + ", operand type: " + TypeName(o.value.type));
  }

  // Arguments of a function call: '(' operand (',' operand)* ')'.
  template <class F>
  Result<std::vector<Operand>> ParseArgs(F parse_operand) {
    std::vector<Operand> args;
    if (!IsPunct("(")) return SyntaxError();
    ++pos_;
    while (true) {
      STATOR_TRY(Operand o, parse_operand());
      args.push_back(std::move(o));
      if (IsPunct(",")) {
        ++pos_;
        continue;
      }
      if (IsPunct(")")) {
        ++pos_;
        return args;
      }
      return SyntaxError();
    }
  }

  // --- conditions ---------------------------------------------------------------------

  Result<Condition> ParseOr() {
    return ParseLeftAssociative("OR", Condition::Kind::kOr, &Parser::ParseAnd);
  }

  Result<Condition> ParseAnd() {
    return ParseLeftAssociative("AND", Condition::Kind::kAnd, &Parser::ParseNot);
  }

  // operand (keyword operand)*, grouped from the left into conditions of the given kind.
  Result<Condition> ParseLeftAssociative(const char* keyword, Condition::Kind kind,
                                         Result<Condition> (Parser::*parse_operand)()) {
    STATOR_TRY(Condition left, (this->*parse_operand)());
    while (IsKeyword(keyword)) {
      ++pos_;
      STATOR_TRY(Condition right, (this->*parse_operand)());
      Condition c;
      c.kind = kind;
      c.children.push_back(std::move(left));
      c.children.push_back(std::move(right));
      left = std::move(c);
    }
    return left;
  }

  Result<Condition> ParseNot() {
    if (IsKeyword("NOT")) {
      ++pos_;
      STATOR_TRY(Condition inner, ParseNot());
      Condition c;
      c.kind = Condition::Kind::kNot;
      c.children.push_back(std::move(inner));
      return c;
    }
    return ParsePrimary();
  }

  Result<Operand> ParseConditionOperand() {
    const Token& t = Peek();
    if (t.type == Token::Type::kValue) {
      Operand o = ValueOperand(t);
      ++pos_;
      return o;
    }
    if (t.type == Token::Type::kIdent && IsPunct("(", 1)) {
      std::string f = t.text;
      if (f != "size") return FunctionNameError(f, false);
      pos_ += 1;
      STATOR_TRY(std::vector<Operand> args, ParseArgs([this] { return ParseConditionOperand(); }));
      if (args.size() != 1) return OperandCountError(f, args.size());
      if (args[0].kind == Operand::Kind::kValue) return OperandTypeError(f, args[0]);
      if (args[0].kind != Operand::Kind::kPath) {
        return RequiresPathError(f);
      }
      Operand o;
      o.kind = Operand::Kind::kSize;
      o.args = std::move(args);
      return o;
    }
    Operand o;
    o.kind = Operand::Kind::kPath;
    STATOR_TRY(o.path, ParsePath());
    return o;
  }

  Error FunctionNameError(const std::string& f, bool in_update) const {
    static const char* const kConditionFunctions[] = {"attribute_exists", "attribute_not_exists",
                                                      "attribute_type",   "begins_with",
                                                      "contains",         "size"};
    static const char* const kUpdateFunctions[] = {"if_not_exists", "list_append"};
    std::vector<const char*> wrong_kind;
    if (in_update) {
      wrong_kind.assign(std::begin(kConditionFunctions), std::end(kConditionFunctions));
    } else {
      wrong_kind.assign(std::begin(kUpdateFunctions), std::end(kUpdateFunctions));
    }
    for (const char* name : wrong_kind) {
      if (f == name) {
        return Validation(Prefix(kind_) +
                          "The function is not allowed to be used this way in an expression; "
                          "function: " +
                          f);
      }
    }
    return Validation(Prefix(kind_) + "Invalid function name; function: " + f);
  }

  Result<Condition> ParsePrimary() {
    if (IsPunct("(")) {
      ++pos_;
      STATOR_TRY(Condition inner, ParseOr());
      if (!IsPunct(")")) return SyntaxError();
      ++pos_;
      return inner;
    }
    const Token& t = Peek();
    if (t.type == Token::Type::kIdent && IsPunct("(", 1) && t.text != "size") {
      return ParseFunctionCondition();
    }
    STATOR_TRY(Operand left, ParseConditionOperand());
    Condition c;
    if (Peek().type == Token::Type::kPunct) {
      static const std::pair<const char*, CompareOp> kOps[] = {
          {"=", CompareOp::kEq},  {"<>", CompareOp::kNe}, {"<", CompareOp::kLt},
          {"<=", CompareOp::kLe}, {">", CompareOp::kGt},  {">=", CompareOp::kGe}};
      for (const auto& [text, op] : kOps) {
        if (Peek().text == text) {
          ++pos_;
          STATOR_TRY(Operand right, ParseConditionOperand());
          c.kind = Condition::Kind::kCompare;
          c.op = op;
          c.operands.push_back(std::move(left));
          c.operands.push_back(std::move(right));
          return c;
        }
      }
      return SyntaxError();
    }
    if (IsKeyword("BETWEEN")) {
      ++pos_;
      STATOR_TRY(Operand low, ParseConditionOperand());
      if (!IsKeyword("AND")) return SyntaxError();
      ++pos_;
      STATOR_TRY(Operand high, ParseConditionOperand());
      if (low.kind == Operand::Kind::kValue && high.kind == Operand::Kind::kValue && !deferred_ &&
          low.value.type == high.value.type &&
          (low.value.type == AttrType::kN || low.value.type == AttrType::kS ||
           low.value.type == AttrType::kB) &&
          CompareScalar(low.value, high.value) > 0) {
        Defer(Validation(Prefix(kind_) +
                         "The BETWEEN operator requires upper bound to be greater than or equal to "
                         "lower bound; lower bound operand: AttributeValue: " +
                         DescribeForMessage(low.value) + ", upper bound operand: AttributeValue: " +
                         DescribeForMessage(high.value)));
      }
      c.kind = Condition::Kind::kBetween;
      c.operands.push_back(std::move(left));
      c.operands.push_back(std::move(low));
      c.operands.push_back(std::move(high));
      return c;
    }
    if (IsKeyword("IN")) {
      ++pos_;
      STATOR_TRY(std::vector<Operand> list, ParseArgs([this] { return ParseConditionOperand(); }));
      c.kind = Condition::Kind::kIn;
      c.operands.push_back(std::move(left));
      for (Operand& o : list) c.operands.push_back(std::move(o));
      return c;
    }
    return SyntaxError();
  }

  Result<Condition> ParseFunctionCondition() {
    std::string f = Peek().text;
    Condition c;
    int want = 0;
    if (f == "attribute_exists") {
      c.kind = Condition::Kind::kExists;
      want = 1;
    } else if (f == "attribute_not_exists") {
      c.kind = Condition::Kind::kNotExists;
      want = 1;
    } else if (f == "attribute_type") {
      c.kind = Condition::Kind::kType;
      want = 2;
    } else if (f == "begins_with") {
      c.kind = Condition::Kind::kBeginsWith;
      want = 2;
    } else if (f == "contains") {
      c.kind = Condition::Kind::kContains;
      want = 2;
    } else {
      return FunctionNameError(f, false);
    }
    ++pos_;
    STATOR_TRY(c.operands, ParseArgs([this] { return ParseConditionOperand(); }));
    if (static_cast<int>(c.operands.size()) != want) return OperandCountError(f, c.operands.size());
    const Operand& first = c.operands[0];
    if ((c.kind == Condition::Kind::kExists || c.kind == Condition::Kind::kNotExists ||
         c.kind == Condition::Kind::kType) &&
        first.kind != Operand::Kind::kPath) {
      return RequiresPathError(f);
    }
    if (deferred_) return c;
    if (c.kind == Condition::Kind::kType) {
      const Operand& t = c.operands[1];
      if (t.kind != Operand::Kind::kValue) {
        return Validation(Prefix(kind_) +
                          "Operator or function requires an attribute value; operator or "
                          "function: attribute_type");
      }
      if (t.value.type != AttrType::kS) return OperandTypeError(f, t);
      AttrType unused;
      if (!TypeFromName(t.value.scalar, &unused)) {
        return Validation(Prefix(kind_) + "Invalid attribute type name found; type: " +
                          t.value.scalar + ", access path: " + PathToString(first.path));
      }
    }
    if (c.kind == Condition::Kind::kBeginsWith) {
      for (const Operand& o : c.operands) {
        if (o.kind == Operand::Kind::kValue && o.value.type != AttrType::kS &&
            o.value.type != AttrType::kB) {
          return OperandTypeError(f, o);
        }
      }
    }
    return c;
  }

  // --- updates ------------------------------------------------------------------------

  Result<Operand> ParseSetOperand() {
    const Token& t = Peek();
    if (t.type == Token::Type::kValue) {
      Operand o = ValueOperand(t);
      ++pos_;
      return o;
    }
    if (t.type == Token::Type::kIdent && IsPunct("(", 1)) {
      std::string f = t.text;
      Operand o;
      if (f == "if_not_exists") {
        o.kind = Operand::Kind::kIfNotExists;
      } else if (f == "list_append") {
        o.kind = Operand::Kind::kListAppend;
      } else {
        return FunctionNameError(f, true);
      }
      ++pos_;
      STATOR_TRY(o.args, ParseArgs([this] { return ParseSetValue(); }));
      if (o.args.size() != 2) return OperandCountError(f, o.args.size());
      if (o.kind == Operand::Kind::kIfNotExists && o.args[0].kind != Operand::Kind::kPath) {
        return RequiresPathError(f);
      }
      if (o.kind == Operand::Kind::kListAppend && !deferred_) {
        for (const Operand& a : o.args) {
          if (a.kind == Operand::Kind::kValue && a.value.type != AttrType::kL) {
            return OperandTypeError(f, a);
          }
        }
      }
      return o;
    }
    Operand o;
    o.kind = Operand::Kind::kPath;
    STATOR_TRY(o.path, ParsePath());
    return o;
  }

  Result<Operand> ParseSetValue() {
    STATOR_TRY(Operand left, ParseSetOperand());
    if (IsPunct("+") || IsPunct("-")) {
      bool plus = Peek().text == "+";
      ++pos_;
      STATOR_TRY(Operand right, ParseSetOperand());
      if (!deferred_) {
        for (const Operand* o : {&left, &right}) {
          if (o->kind == Operand::Kind::kValue && o->value.type != AttrType::kN) {
            return OperandTypeError(plus ? "+" : "-", *o);
          }
        }
      }
      Operand o;
      o.kind = plus ? Operand::Kind::kPlus : Operand::Kind::kMinus;
      o.args.push_back(std::move(left));
      o.args.push_back(std::move(right));
      return o;
    }
    return left;
  }

  Result<UpdateExpression> ParseUpdateExpression() {
    UpdateExpression u;
    bool seen[4] = {false, false, false, false};
    if (AtEnd()) {
      return Validation(Prefix(kind_) + "The expression can not be empty;");
    }
    while (!AtEnd()) {
      UpdateAction::Kind kind;
      const char* section;
      if (IsKeyword("SET")) {
        kind = UpdateAction::Kind::kSet;
        section = "SET";
      } else if (IsKeyword("REMOVE")) {
        kind = UpdateAction::Kind::kRemove;
        section = "REMOVE";
      } else if (IsKeyword("ADD")) {
        kind = UpdateAction::Kind::kAdd;
        section = "ADD";
      } else if (IsKeyword("DELETE")) {
        kind = UpdateAction::Kind::kDelete;
        section = "DELETE";
      } else {
        return SyntaxError();
      }
      int k = static_cast<int>(kind);
      if (seen[k]) {
        Defer(Validation(Prefix(kind_) + "The \"" + section +
                         "\" section can only be used once in an update expression;"));
      }
      seen[k] = true;
      ++pos_;
      while (true) {
        UpdateAction a;
        a.kind = kind;
        STATOR_TRY(a.path, ParsePath());
        if (kind == UpdateAction::Kind::kSet) {
          if (!IsPunct("=")) return SyntaxError();
          ++pos_;
          STATOR_TRY(a.value, ParseSetValue());
        } else if (kind == UpdateAction::Kind::kAdd || kind == UpdateAction::Kind::kDelete) {
          if (Peek().type != Token::Type::kValue) return SyntaxError();
          a.value = ValueOperand(Peek());
          ++pos_;
        }
        u.actions.push_back(std::move(a));
        if (IsPunct(",")) {
          ++pos_;
          continue;
        }
        break;
      }
    }
    STATOR_RETURN_IF_ERROR(Finish());
    // Static operand checks of ADD and DELETE.
    for (const UpdateAction& a : u.actions) {
      if (a.kind == UpdateAction::Kind::kAdd && a.value.value.type != AttrType::kN &&
          !a.value.value.is_set()) {
        return OperandTypeError("ADD", a.value);
      }
      if (a.kind == UpdateAction::Kind::kDelete && !a.value.value.is_set()) {
        return OperandTypeError("DELETE", a.value);
      }
    }
    // Overlapping paths.
    std::vector<const Path*> paths;
    for (const UpdateAction& a : u.actions) paths.push_back(&a.path);
    STATOR_RETURN_IF_ERROR(CheckNoOverlap(paths));
    return u;
  }

  Result<std::vector<Path>> ParseProjectionList() {
    std::vector<Path> paths;
    if (AtEnd()) return Validation(Prefix(kind_) + "The expression can not be empty;");
    while (true) {
      STATOR_TRY(Path p, ParsePath());
      paths.push_back(std::move(p));
      if (IsPunct(",")) {
        ++pos_;
        continue;
      }
      break;
    }
    STATOR_RETURN_IF_ERROR(Finish());
    std::vector<const Path*> all;
    for (const Path& p : paths) all.push_back(&p);
    STATOR_RETURN_IF_ERROR(CheckNoOverlap(all));
    return paths;
  }

  // No path may be a prefix of (or equal to) another.
  Status CheckNoOverlap(const std::vector<const Path*>& paths) const {
    for (size_t i = 0; i < paths.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        const Path& p = *paths[j];
        const Path& q = *paths[i];
        size_t n = std::min(p.size(), q.size());
        bool prefix = true;
        for (size_t x = 0; x < n && prefix; ++x) {
          prefix = p[x].is_index == q[x].is_index &&
                   (p[x].is_index ? p[x].index == q[x].index : p[x].name == q[x].name);
        }
        if (prefix) {
          return Validation(Prefix(kind_) +
                            "Two document paths overlap with each other; must remove or rewrite "
                            "one of these paths; path one: " +
                            PathToListString(p) + ", path two: " + PathToListString(q));
        }
      }
    }
    return Status::Ok();
  }

  Result<Condition> ParseWholeCondition() {
    if (AtEnd()) return Validation(Prefix(kind_) + "The expression can not be empty;");
    STATOR_TRY(Condition c, ParseOr());
    STATOR_RETURN_IF_ERROR(Finish());
    return c;
  }

 private:
  std::string_view text_;
  ExprKind kind_;
  ExpressionContext* ctx_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  std::optional<Error> deferred_;
};

// ExpressionAttributeNames or ExpressionAttributeValues (`field`): an object, not empty.
Status CheckPlaceholderMap(const json::Value& map, const std::string& field) {
  if (!map.is_object()) return Error{"SerializationException", "Unexpected type for " + field};
  if (map.as_object().empty()) return Validation(field + " must not be empty");
  return Status::Ok();
}

// A key of such a map: the sigil ('#' or ':') and then one or more word characters.
Status CheckPlaceholderKey(const std::string& k, char sigil, const std::string& field) {
  bool ok = k.size() > 1 && k[0] == sigil;
  for (size_t i = 1; ok && i < k.size(); ++i) ok = IsWordChar(k[i]);
  if (!ok) {
    return Validation(field + " contains invalid key: Syntax error; key: \"" + k + "\"");
  }
  return Status::Ok();
}

// The definition of a placeholder in ExpressionAttributeNames or ExpressionAttributeValues
// (nullptr when it has none), noting the placeholder as used.
template <class T>
const T* Use(const std::vector<std::pair<std::string, T>>& defined, std::set<std::string>* used,
             const std::string& placeholder) {
  for (const auto& [k, v] : defined) {
    if (k == placeholder) {
      used->insert(k);
      return &v;
    }
  }
  return nullptr;
}

// The placeholders defined but not used, in request order: "#a, #b".
template <class T>
std::string Unused(const std::vector<std::pair<std::string, T>>& defined,
                   const std::set<std::string>& used) {
  std::string unused;
  for (const auto& [k, v] : defined) {
    if (!used.count(k)) unused += (unused.empty() ? "" : ", ") + k;
  }
  return unused;
}

}  // namespace

const char* ExprKindName(ExprKind k) {
  switch (k) {
    case ExprKind::kCondition:
      return "ConditionExpression";
    case ExprKind::kFilter:
      return "FilterExpression";
    case ExprKind::kKeyCondition:
      return "KeyConditionExpression";
    case ExprKind::kUpdate:
      return "UpdateExpression";
    case ExprKind::kProjection:
      return "ProjectionExpression";
  }
  return "Expression";
}

const char* CompareOpText(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "=";
    case CompareOp::kNe:
      return "<>";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
  }
  return "?";
}

std::string PathToString(const Path& p) {
  std::string out;
  for (const PathElement& e : p) {
    if (e.is_index) {
      out += "[" + std::to_string(e.index) + "]";
    } else {
      if (!out.empty()) out += ".";
      out += e.name;
    }
  }
  return out;
}

std::string PathToListString(const Path& p) {
  std::string out = "[";
  for (size_t i = 0; i < p.size(); ++i) {
    if (i) out += ", ";
    out += p[i].is_index ? "[" + std::to_string(p[i].index) + "]" : p[i].name;
  }
  return out + "]";
}

Result<ExpressionContext> ExpressionContext::Make(const json::Value* names,
                                                  const json::Value* values) {
  ExpressionContext ctx;
  if (names && !names->is_null()) {
    STATOR_RETURN_IF_ERROR(CheckPlaceholderMap(*names, "ExpressionAttributeNames"));
    ctx.has_names_ = true;
    for (const auto& [k, v] : names->as_object()) {
      STATOR_RETURN_IF_ERROR(CheckPlaceholderKey(k, '#', "ExpressionAttributeNames"));
      if (!v.is_string())
        return Error{"SerializationException", "Unexpected value type in ExpressionAttributeNames"};
      if (v.as_string().empty()) {
        return Validation(
            "ExpressionAttributeNames contains invalid value: Empty attribute name "
            "for key " +
            k);
      }
      ctx.names_.emplace_back(k, v.as_string());
    }
  }
  if (values && !values->is_null()) {
    STATOR_RETURN_IF_ERROR(CheckPlaceholderMap(*values, "ExpressionAttributeValues"));
    ctx.has_values_ = true;
    for (const auto& [k, v] : values->as_object()) {
      STATOR_RETURN_IF_ERROR(CheckPlaceholderKey(k, ':', "ExpressionAttributeValues"));
      auto a = AttrFromJson(v);
      if (!a.ok()) {
        if (a.error().error != "ValidationException") return a.error();
        return Validation("ExpressionAttributeValues contains invalid value: " + a.error().cause +
                          " for key " + k);
      }
      ctx.values_.emplace_back(k, std::move(a).value());
    }
  }
  return ctx;
}

Result<std::string> ExpressionContext::Name(const std::string& placeholder, ExprKind kind) {
  if (const std::string* v = Use(names_, &used_names_, placeholder)) return *v;
  return Validation(Prefix(kind) +
                    "An expression attribute name used in the document path is not defined; "
                    "attribute name: " +
                    placeholder);
}

Result<AttrValue> ExpressionContext::Value(const std::string& placeholder, ExprKind kind) {
  if (const AttrValue* v = Use(values_, &used_values_, placeholder)) return *v;
  return Validation(Prefix(kind) +
                    "An expression attribute value used in expression is not defined; attribute "
                    "value: " +
                    placeholder);
}

Status ExpressionContext::CheckAllUsed() const {
  std::string unused = Unused(names_, used_names_);
  if (!unused.empty()) {
    return Validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {" +
                      unused + "}");
  }
  unused = Unused(values_, used_values_);
  if (!unused.empty()) {
    return Validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {" +
                      unused + "}");
  }
  return Status::Ok();
}

Result<Condition> ParseCondition(std::string_view text, ExprKind kind, ExpressionContext* ctx) {
  Parser p(text, kind, ctx);
  STATOR_RETURN_IF_ERROR(p.Tokenize());
  return p.ParseWholeCondition();
}

Result<UpdateExpression> ParseUpdate(std::string_view text, ExpressionContext* ctx) {
  Parser p(text, ExprKind::kUpdate, ctx);
  STATOR_RETURN_IF_ERROR(p.Tokenize());
  return p.ParseUpdateExpression();
}

Result<std::vector<Path>> ParseProjection(std::string_view text, ExpressionContext* ctx) {
  Parser p(text, ExprKind::kProjection, ctx);
  STATOR_RETURN_IF_ERROR(p.Tokenize());
  return p.ParseProjectionList();
}

namespace {

// The key attribute a (hash or range) condition constrains, or "" when it is not a single
// top-level name compared with values.
std::string KeyName(const Operand& o) {
  if (o.kind != Operand::Kind::kPath || o.path.size() != 1 || o.path[0].is_index) return "";
  return o.path[0].name;
}

Error KeyError(std::string message) { return Validation(std::move(message)); }

}  // namespace

Result<KeyCondition> ParseKeyCondition(std::string_view text, ExpressionContext* ctx,
                                       const std::string& hash_key, const std::string& range_key) {
  STATOR_TRY(Condition c, ParseCondition(text, ExprKind::kKeyCondition, ctx));
  std::vector<const Condition*> parts;
  std::vector<const Condition*> stack = {&c};
  while (!stack.empty()) {
    const Condition* x = stack.back();
    stack.pop_back();
    if (x->kind == Condition::Kind::kAnd) {
      stack.push_back(&x->children[1]);
      stack.push_back(&x->children[0]);
    } else if (x->kind == Condition::Kind::kOr || x->kind == Condition::Kind::kNot) {
      return KeyError(std::string("Invalid operator used in KeyConditionExpression: ") +
                      (x->kind == Condition::Kind::kOr ? "OR" : "NOT"));
    } else {
      parts.push_back(x);
    }
  }
  KeyCondition k;
  bool has_hash = false;
  bool unknown = false;
  for (const Condition* p : parts) {
    std::string name;
    switch (p->kind) {
      case Condition::Kind::kCompare:
        if (p->op == CompareOp::kNe) {
          return KeyError("Unsupported operator in KeyConditionExpression: <>");
        }
        break;
      case Condition::Kind::kBetween:
      case Condition::Kind::kBeginsWith:
        break;
      case Condition::Kind::kIn:
        return KeyError("Invalid operator used in KeyConditionExpression: IN");
      case Condition::Kind::kExists:
        return KeyError("Invalid operator used in KeyConditionExpression: attribute_exists");
      case Condition::Kind::kNotExists:
        return KeyError("Invalid operator used in KeyConditionExpression: attribute_not_exists");
      case Condition::Kind::kType:
        return KeyError("Invalid operator used in KeyConditionExpression: attribute_type");
      case Condition::Kind::kContains:
        return KeyError("Invalid operator used in KeyConditionExpression: contains");
      default:
        return KeyError("Query key condition not supported");
    }
    // Normalise "value op key" to "key op' value".
    const Operand* key = &p->operands[0];
    CompareOp op = p->op;
    if (p->kind == Condition::Kind::kCompare && key->kind == Operand::Kind::kValue &&
        p->operands[1].kind == Operand::Kind::kPath) {
      key = &p->operands[1];
      op = op == CompareOp::kLt   ? CompareOp::kGt
           : op == CompareOp::kLe ? CompareOp::kGe
           : op == CompareOp::kGt ? CompareOp::kLt
           : op == CompareOp::kGe ? CompareOp::kLe
                                  : op;
    }
    name = KeyName(*key);
    if (name.empty()) return KeyError("Query key condition not supported");
    for (size_t i = 0; i < p->operands.size(); ++i) {
      if (&p->operands[i] == key) continue;
      if (p->operands[i].kind != Operand::Kind::kValue) {
        return KeyError(
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one "
            "condition");
      }
    }
    const AttrValue& value =
        p->kind == Condition::Kind::kCompare
            ? (key == &p->operands[0] ? p->operands[1].value : p->operands[0].value)
            : p->operands[1].value;
    if (name == hash_key) {
      if (has_hash)
        return KeyError("KeyConditionExpressions must only contain one condition per key");
      if (p->kind != Condition::Kind::kCompare || op != CompareOp::kEq) {
        return KeyError("Query key condition not supported");
      }
      has_hash = true;
      k.hash_value = value;
    } else if (!range_key.empty() && name == range_key) {
      if (k.has_range)
        return KeyError("KeyConditionExpressions must only contain one condition per key");
      k.has_range = true;
      k.range_value = value;
      if (p->kind == Condition::Kind::kBetween) {
        k.range_op = KeyCondition::RangeOp::kBetween;
        k.range_high = p->operands[2].value;
      } else if (p->kind == Condition::Kind::kBeginsWith) {
        k.range_op = KeyCondition::RangeOp::kBeginsWith;
      } else {
        k.range_op = op == CompareOp::kEq   ? KeyCondition::RangeOp::kEq
                     : op == CompareOp::kLt ? KeyCondition::RangeOp::kLt
                     : op == CompareOp::kLe ? KeyCondition::RangeOp::kLe
                     : op == CompareOp::kGt ? KeyCondition::RangeOp::kGt
                                            : KeyCondition::RangeOp::kGe;
      }
    } else {
      unknown = true;
    }
  }
  if (!has_hash) return KeyError("Query condition missed key schema element: " + hash_key);
  if (unknown) {
    if (!range_key.empty() && !k.has_range) {
      return KeyError("Query condition missed key schema element: " + range_key);
    }
    return KeyError("Query key condition not supported");
  }
  return k;
}

}  // namespace stator::dynamodb
