#include "graphql/parser.h"

#include <array>

#include "graphql/lexer.h"

namespace stator::graphql {
namespace {

#define TRY(x)              \
  do {                      \
    if (!(x)) return false; \
  } while (0)

constexpr std::array<std::string_view, 19> kDirectiveLocations = {"QUERY",
                                                                  "MUTATION",
                                                                  "SUBSCRIPTION",
                                                                  "FIELD",
                                                                  "FRAGMENT_DEFINITION",
                                                                  "FRAGMENT_SPREAD",
                                                                  "INLINE_FRAGMENT",
                                                                  "VARIABLE_DEFINITION",
                                                                  "SCHEMA",
                                                                  "SCALAR",
                                                                  "OBJECT",
                                                                  "FIELD_DEFINITION",
                                                                  "ARGUMENT_DEFINITION",
                                                                  "INTERFACE",
                                                                  "UNION",
                                                                  "ENUM",
                                                                  "ENUM_VALUE",
                                                                  "INPUT_OBJECT",
                                                                  "INPUT_FIELD_DEFINITION"};

class Parser {
 public:
  Parser(std::string_view text, const ParseOptions& options) : lexer_(text), options_(options) {}

  bool ParseDocument(Document* doc);
  Error error() const { return error_; }

 private:
  // ---- tokens ----
  bool Advance() {
    prev_end_ = token_.end;
    if (have_lookahead_) {
      token_ = std::move(lookahead_);
      have_lookahead_ = false;
    } else if (!lexer_.Next(&token_, &error_)) {
      return false;
    }
    if (token_.kind != TokenKind::kEof && options_.max_tokens > 0 &&
        ++token_count_ > options_.max_tokens) {
      error_ = MakeError("Syntax Error: Document contains more than " +
                             std::to_string(options_.max_tokens) + " tokens. Parsing aborted.",
                         token_.location);
      return false;
    }
    return true;
  }
  bool Lookahead(const Token** out) {
    if (!have_lookahead_) {
      if (!lexer_.Next(&lookahead_, &error_)) return false;
      have_lookahead_ = true;
    }
    *out = &lookahead_;
    return true;
  }
  bool Peek(TokenKind kind) const { return token_.kind == kind; }
  // Counts one level of nesting for the scope of a parse function.
  class Nest {
   public:
    explicit Nest(Parser* p) : p_(p) { ++p_->depth_; }
    ~Nest() { --p_->depth_; }
    bool ok() {
      if (p_->options_.max_depth <= 0 || p_->depth_ <= p_->options_.max_depth) return true;
      return p_->Fail(p_->token_.location, "Document nesting exceeds " +
                                               std::to_string(p_->options_.max_depth) + " levels.");
    }

   private:
    Parser* p_;
  };
  static std::string Describe(const Token& t) {
    std::string s = TokenKindDescription(t.kind);
    if (t.kind == TokenKind::kName || t.kind == TokenKind::kInt || t.kind == TokenKind::kFloat ||
        t.kind == TokenKind::kString || t.kind == TokenKind::kBlockString) {
      s += " \"" + t.value + "\"";
    }
    return s;
  }
  bool Fail(const Location& at, std::string message) {
    error_ = MakeError("Syntax Error: " + message, at);
    return false;
  }
  bool Unexpected(const Token& t) { return Fail(t.location, "Unexpected " + Describe(t) + "."); }
  bool Unexpected() { return Unexpected(token_); }
  bool Expect(TokenKind kind) {
    if (token_.kind == kind) return Advance();
    return Fail(token_.location,
                "Expected " + TokenKindDescription(kind) + ", found " + Describe(token_) + ".");
  }
  // Skips the token if it is `kind`; *skipped says whether it did.
  bool ExpectOptional(TokenKind kind, bool* skipped) {
    *skipped = token_.kind == kind;
    return *skipped ? Advance() : true;
  }
  bool ExpectKeyword(std::string_view word) {
    if (token_.kind == TokenKind::kName && token_.value == word) return Advance();
    return Fail(token_.location,
                "Expected \"" + std::string(word) + "\", found " + Describe(token_) + ".");
  }
  bool ExpectOptionalKeyword(std::string_view word, bool* skipped) {
    *skipped = token_.kind == TokenKind::kName && token_.value == word;
    return *skipped ? Advance() : true;
  }
  bool ParseName(std::string* out, Location* loc = nullptr) {
    if (token_.kind != TokenKind::kName) return Expect(TokenKind::kName);
    *out = token_.value;
    if (loc) *loc = token_.location;
    return Advance();
  }
  // many(open, item, close): at least one item.
  template <typename F>
  bool Many(TokenKind open, F item, TokenKind close) {
    TRY(Expect(open));
    do {
      TRY(item());
    } while (!Peek(close));
    return Advance();
  }
  template <typename F>
  bool OptionalMany(TokenKind open, F item, TokenKind close) {
    if (!Peek(open)) return true;
    return Many(open, item, close);
  }
  template <typename F>
  bool Any(TokenKind open, F item, TokenKind close) {
    TRY(Expect(open));
    while (!Peek(close)) TRY(item());
    return Advance();
  }
  template <typename F>
  bool DelimitedMany(TokenKind delimiter, F item) {
    bool skipped;
    TRY(ExpectOptional(delimiter, &skipped));
    do {
      TRY(item());
      TRY(ExpectOptional(delimiter, &skipped));
    } while (skipped);
    return true;
  }

  // ---- executable ----
  bool ParseDefinition(Document* doc);
  bool ParseOperationDefinition(Document* doc);
  bool ParseOperationType(OperationType* out);
  bool ParseVariableDefinition(VariableDefinition* out);
  bool ParseSelectionSet(std::vector<Selection>* out);
  bool ParseSelection(std::vector<Selection>* out);
  bool ParseArguments(bool is_const, std::vector<Argument>* out);
  bool ParseDirectives(bool is_const, std::vector<Directive>* out);
  bool ParseFragmentName(std::string* out);
  bool ParseFragmentDefinition(Document* doc);
  bool ParseValue(bool is_const, ValueNode* out);
  bool ParseTypeReference(TypeRef* out);
  // What a variable definition and an input value definition share after their names:
  // ": Type", an optional "= constant default", const directives.
  bool ParseTypedInput(TypeRef* type, std::optional<ValueNode>* default_value,
                       std::vector<Directive>* directives);
  // ---- type system ----
  bool ParseDescription(std::string* text, bool* has);
  bool ParseTypeSystemDefinition(Document* doc, const std::string& keyword, bool extension);
  bool ParseSchemaDefinition(Document* doc, bool extension);
  bool ParseTypeDefinition(Document* doc, TypeDefinitionKind kind, bool extension);
  bool ParseDirectiveDefinition(Document* doc);
  bool ParseFieldDefinition(FieldDefinition* out);
  bool ParseInputValueDefinition(InputValueDefinition* out);
  bool ParseImplements(TypeDefinition* def);

  Lexer lexer_;
  ParseOptions options_;
  Token token_;
  Token lookahead_;
  bool have_lookahead_ = false;
  size_t prev_end_ = 0;
  int token_count_ = 0;
  int depth_ = 0;
  Error error_;
};

bool Parser::ParseDocument(Document* doc) {
  TRY(Advance());  // past <SOF>
  do {
    TRY(ParseDefinition(doc));
  } while (!Peek(TokenKind::kEof));
  return true;
}

bool Parser::ParseDefinition(Document* doc) {
  if (Peek(TokenKind::kBraceL)) return ParseOperationDefinition(doc);
  bool has_description = Peek(TokenKind::kString) || Peek(TokenKind::kBlockString);
  const Token* keyword = &token_;
  if (has_description) TRY(Lookahead(&keyword));
  if (keyword->kind == TokenKind::kName) {
    const std::string& v = keyword->value;
    if (v == "schema" || v == "scalar" || v == "type" || v == "interface" || v == "union" ||
        v == "enum" || v == "input" || v == "directive") {
      return ParseTypeSystemDefinition(doc, v, false);
    }
    if (has_description) {
      return Fail(token_.location,
                  "Unexpected description, descriptions are supported only on type definitions.");
    }
    if (v == "query" || v == "mutation" || v == "subscription") {
      return ParseOperationDefinition(doc);
    }
    if (v == "fragment") return ParseFragmentDefinition(doc);
    if (v == "extend") {
      Location at = token_.location;
      const Token* next;
      TRY(Lookahead(&next));
      if (next->kind == TokenKind::kName) {
        std::string w = next->value;
        if (w == "schema" || w == "scalar" || w == "type" || w == "interface" || w == "union" ||
            w == "enum" || w == "input") {
          TRY(Advance());  // past `extend`
          size_t before = doc->definitions.size();
          TRY(ParseTypeSystemDefinition(doc, w, true));
          // Extensions start at `extend`.
          if (doc->definitions.size() > before) {
            const DefinitionRef& ref = doc->definitions.back();
            if (ref.kind == DefinitionKind::kSchema) {
              doc->schema_definitions[ref.index].location = at;
            } else if (ref.kind == DefinitionKind::kType) {
              doc->types[ref.index].location = at;
            }
          }
          return true;
        }
      }
      return Unexpected(*next);
    }
  }
  return Unexpected(*keyword);
}

bool Parser::ParseOperationDefinition(Document* doc) {
  OperationDefinition op;
  op.location = token_.location;
  if (Peek(TokenKind::kBraceL)) {
    op.shorthand = true;
    TRY(ParseSelectionSet(&op.selection_set));
  } else {
    TRY(ParseOperationType(&op.operation));
    if (Peek(TokenKind::kName)) TRY(ParseName(&op.name, &op.name_location));
    TRY(OptionalMany(
        TokenKind::kParenL,
        [&] {
          op.variable_definitions.emplace_back();
          return ParseVariableDefinition(&op.variable_definitions.back());
        },
        TokenKind::kParenR));
    TRY(ParseDirectives(false, &op.directives));
    TRY(ParseSelectionSet(&op.selection_set));
  }
  doc->definitions.push_back({DefinitionKind::kOperation, doc->operations.size()});
  doc->operations.push_back(std::move(op));
  return true;
}

bool Parser::ParseOperationType(OperationType* out) {
  if (token_.kind != TokenKind::kName) return Expect(TokenKind::kName);
  if (token_.value == "query") {
    *out = OperationType::kQuery;
  } else if (token_.value == "mutation") {
    *out = OperationType::kMutation;
  } else if (token_.value == "subscription") {
    *out = OperationType::kSubscription;
  } else {
    return Unexpected();
  }
  return Advance();
}

bool Parser::ParseVariableDefinition(VariableDefinition* out) {
  out->location = token_.location;
  TRY(Expect(TokenKind::kDollar));
  TRY(ParseName(&out->name, &out->name_location));
  return ParseTypedInput(&out->type, &out->default_value, &out->directives);
}

bool Parser::ParseSelectionSet(std::vector<Selection>* out) {
  Nest nest(this);
  TRY(nest.ok());
  return Many(
      TokenKind::kBraceL, [&] { return ParseSelection(out); }, TokenKind::kBraceR);
}

bool Parser::ParseSelection(std::vector<Selection>* out) {
  Location start = token_.location;
  if (Peek(TokenKind::kSpread)) {
    TRY(Advance());
    bool on;
    TRY(ExpectOptionalKeyword("on", &on));
    if (!on && Peek(TokenKind::kName)) {
      FragmentSpread spread;
      spread.location = start;
      spread.name_location = token_.location;
      TRY(ParseFragmentName(&spread.name));
      TRY(ParseDirectives(false, &spread.directives));
      out->push_back(Selection{std::move(spread)});
      return true;
    }
    InlineFragment frag;
    frag.location = start;
    if (on) TRY(ParseName(&frag.type_condition, &frag.type_condition_location));
    TRY(ParseDirectives(false, &frag.directives));
    TRY(ParseSelectionSet(&frag.selection_set));
    out->push_back(Selection{std::move(frag)});
    return true;
  }
  Field field;
  field.location = start;
  std::string name;
  TRY(ParseName(&name));
  bool colon;
  TRY(ExpectOptional(TokenKind::kColon, &colon));
  if (colon) {
    field.alias = std::move(name);
    TRY(ParseName(&field.name));
  } else {
    field.name = std::move(name);
  }
  TRY(ParseArguments(false, &field.arguments));
  TRY(ParseDirectives(false, &field.directives));
  if (Peek(TokenKind::kBraceL)) {
    field.selection_set_location = token_.location;
    TRY(ParseSelectionSet(&field.selection_set));
  }
  out->push_back(Selection{std::move(field)});
  return true;
}

bool Parser::ParseArguments(bool is_const, std::vector<Argument>* out) {
  return OptionalMany(
      TokenKind::kParenL,
      [&] {
        Argument arg;
        arg.location = token_.location;
        TRY(ParseName(&arg.name));
        TRY(Expect(TokenKind::kColon));
        TRY(ParseValue(is_const, &arg.value));
        out->push_back(std::move(arg));
        return true;
      },
      TokenKind::kParenR);
}

bool Parser::ParseDirectives(bool is_const, std::vector<Directive>* out) {
  while (Peek(TokenKind::kAt)) {
    Directive d;
    d.location = token_.location;
    TRY(Advance());
    TRY(ParseName(&d.name));
    TRY(ParseArguments(is_const, &d.arguments));
    out->push_back(std::move(d));
  }
  return true;
}

bool Parser::ParseFragmentName(std::string* out) {
  if (token_.kind == TokenKind::kName && token_.value == "on") return Unexpected();
  return ParseName(out);
}

bool Parser::ParseFragmentDefinition(Document* doc) {
  FragmentDefinition frag;
  frag.location = token_.location;
  TRY(ExpectKeyword("fragment"));
  frag.name_location = token_.location;
  TRY(ParseFragmentName(&frag.name));
  TRY(ExpectKeyword("on"));
  TRY(ParseName(&frag.type_condition, &frag.type_condition_location));
  TRY(ParseDirectives(false, &frag.directives));
  TRY(ParseSelectionSet(&frag.selection_set));
  doc->definitions.push_back({DefinitionKind::kFragment, doc->fragments.size()});
  doc->fragments.push_back(std::move(frag));
  return true;
}

bool Parser::ParseValue(bool is_const, ValueNode* out) {
  out->location = token_.location;
  Nest nest(this);
  TRY(nest.ok());
  switch (token_.kind) {
    case TokenKind::kBracketL:
      out->kind = ValueKind::kList;
      return Any(
          TokenKind::kBracketL,
          [&] {
            out->list.emplace_back();
            return ParseValue(is_const, &out->list.back());
          },
          TokenKind::kBracketR);
    case TokenKind::kBraceL:
      out->kind = ValueKind::kObject;
      return Any(
          TokenKind::kBraceL,
          [&] {
            ObjectFieldNode f;
            f.location = token_.location;
            TRY(ParseName(&f.name));
            TRY(Expect(TokenKind::kColon));
            TRY(ParseValue(is_const, &f.value));
            out->fields.push_back(std::move(f));
            return true;
          },
          TokenKind::kBraceR);
    case TokenKind::kInt:
      out->kind = ValueKind::kInt;
      out->text = token_.value;
      return Advance();
    case TokenKind::kFloat:
      out->kind = ValueKind::kFloat;
      out->text = token_.value;
      return Advance();
    case TokenKind::kString:
    case TokenKind::kBlockString:
      out->kind = ValueKind::kString;
      out->block = token_.kind == TokenKind::kBlockString;
      out->text = token_.value;
      return Advance();
    case TokenKind::kName:
      if (token_.value == "true" || token_.value == "false") {
        out->kind = ValueKind::kBoolean;
        out->boolean = token_.value == "true";
      } else if (token_.value == "null") {
        out->kind = ValueKind::kNull;
      } else {
        out->kind = ValueKind::kEnum;
        out->text = token_.value;
      }
      return Advance();
    case TokenKind::kDollar:
      if (is_const) {
        Location at = token_.location;
        TRY(Advance());
        if (token_.kind == TokenKind::kName) {
          return Fail(at, "Unexpected variable \"$" + token_.value + "\" in constant value.");
        }
        return Unexpected();
      }
      out->kind = ValueKind::kVariable;
      TRY(Advance());
      return ParseName(&out->text);
    default:
      return Unexpected();
  }
}

bool Parser::ParseTypeReference(TypeRef* out) {
  Nest nest(this);
  TRY(nest.ok());
  Location start = token_.location;
  bool list;
  TRY(ExpectOptional(TokenKind::kBracketL, &list));
  if (list) {
    TypeRef inner;
    TRY(ParseTypeReference(&inner));
    TRY(Expect(TokenKind::kBracketR));
    *out = TypeRef::ListOf(std::move(inner));
  } else {
    std::string name;
    TRY(ParseName(&name));
    *out = TypeRef::Named(std::move(name));
  }
  out->location = start;
  bool bang;
  TRY(ExpectOptional(TokenKind::kBang, &bang));
  if (bang) {
    *out = TypeRef::NonNullOf(std::move(*out));
    out->location = start;
  }
  return true;
}

// ---- type system ----

bool Parser::ParseDescription(std::string* text, bool* has) {
  *has = Peek(TokenKind::kString) || Peek(TokenKind::kBlockString);
  if (*has) {
    *text = token_.value;
    return Advance();
  }
  return true;
}

bool Parser::ParseTypeSystemDefinition(Document* doc, const std::string& keyword, bool extension) {
  if (keyword == "schema") return ParseSchemaDefinition(doc, extension);
  if (keyword == "directive") return ParseDirectiveDefinition(doc);
  TypeDefinitionKind kind = keyword == "scalar"      ? TypeDefinitionKind::kScalar
                            : keyword == "type"      ? TypeDefinitionKind::kObject
                            : keyword == "interface" ? TypeDefinitionKind::kInterface
                            : keyword == "union"     ? TypeDefinitionKind::kUnion
                            : keyword == "enum"      ? TypeDefinitionKind::kEnum
                                                     : TypeDefinitionKind::kInputObject;
  return ParseTypeDefinition(doc, kind, extension);
}

bool Parser::ParseSchemaDefinition(Document* doc, bool extension) {
  SchemaDefinition def;
  def.is_extension = extension;
  def.location = token_.location;
  if (!extension) TRY(ParseDescription(&def.description, &def.has_description));
  TRY(ExpectKeyword("schema"));
  TRY(ParseDirectives(true, &def.directives));
  auto item = [&] {
    RootOperationTypeDefinition r;
    r.location = token_.location;
    TRY(ParseOperationType(&r.operation));
    TRY(Expect(TokenKind::kColon));
    TRY(ParseName(&r.type_name, &r.type_location));
    def.operation_types.push_back(std::move(r));
    return true;
  };
  if (extension) {
    TRY(OptionalMany(TokenKind::kBraceL, item, TokenKind::kBraceR));
    if (def.directives.empty() && def.operation_types.empty()) return Unexpected();
  } else {
    TRY(Many(TokenKind::kBraceL, item, TokenKind::kBraceR));
  }
  doc->definitions.push_back({DefinitionKind::kSchema, doc->schema_definitions.size()});
  doc->schema_definitions.push_back(std::move(def));
  return true;
}

bool Parser::ParseImplements(TypeDefinition* def) {
  bool has;
  TRY(ExpectOptionalKeyword("implements", &has));
  if (!has) return true;
  return DelimitedMany(TokenKind::kAmp, [&] {
    def->interface_locations.push_back(token_.location);
    def->interfaces.emplace_back();
    return ParseName(&def->interfaces.back());
  });
}

bool Parser::ParseTypeDefinition(Document* doc, TypeDefinitionKind kind, bool extension) {
  TypeDefinition def;
  def.kind = kind;
  def.is_extension = extension;
  def.location = token_.location;
  if (!extension) TRY(ParseDescription(&def.description, &def.has_description));
  TRY(Advance());  // the keyword
  TRY(ParseName(&def.name, &def.name_location));
  bool empty = true;
  switch (kind) {
    case TypeDefinitionKind::kScalar:
      TRY(ParseDirectives(true, &def.directives));
      empty = def.directives.empty();
      break;
    case TypeDefinitionKind::kObject:
    case TypeDefinitionKind::kInterface:
      TRY(ParseImplements(&def));
      TRY(ParseDirectives(true, &def.directives));
      TRY(OptionalMany(
          TokenKind::kBraceL,
          [&] {
            def.fields.emplace_back();
            return ParseFieldDefinition(&def.fields.back());
          },
          TokenKind::kBraceR));
      empty = def.interfaces.empty() && def.directives.empty() && def.fields.empty();
      break;
    case TypeDefinitionKind::kUnion: {
      TRY(ParseDirectives(true, &def.directives));
      bool eq;
      TRY(ExpectOptional(TokenKind::kEquals, &eq));
      if (eq) {
        TRY(DelimitedMany(TokenKind::kPipe, [&] {
          def.union_member_locations.push_back(token_.location);
          def.union_members.emplace_back();
          return ParseName(&def.union_members.back());
        }));
      }
      empty = def.directives.empty() && def.union_members.empty();
      break;
    }
    case TypeDefinitionKind::kEnum:
      TRY(ParseDirectives(true, &def.directives));
      TRY(OptionalMany(
          TokenKind::kBraceL,
          [&] {
            EnumValueDefinition v;
            v.location = token_.location;
            TRY(ParseDescription(&v.description, &v.has_description));
            if (token_.kind == TokenKind::kName &&
                (token_.value == "true" || token_.value == "false" || token_.value == "null")) {
              return Fail(token_.location,
                          Describe(token_) + " is reserved and cannot be used for an enum value.");
            }
            TRY(ParseName(&v.name, &v.name_location));
            TRY(ParseDirectives(true, &v.directives));
            def.enum_values.push_back(std::move(v));
            return true;
          },
          TokenKind::kBraceR));
      empty = def.directives.empty() && def.enum_values.empty();
      break;
    case TypeDefinitionKind::kInputObject:
      TRY(ParseDirectives(true, &def.directives));
      TRY(OptionalMany(
          TokenKind::kBraceL,
          [&] {
            def.input_fields.emplace_back();
            return ParseInputValueDefinition(&def.input_fields.back());
          },
          TokenKind::kBraceR));
      empty = def.directives.empty() && def.input_fields.empty();
      break;
  }
  if (extension && empty) return Unexpected();
  doc->definitions.push_back({DefinitionKind::kType, doc->types.size()});
  doc->types.push_back(std::move(def));
  return true;
}

bool Parser::ParseFieldDefinition(FieldDefinition* out) {
  out->location = token_.location;
  TRY(ParseDescription(&out->description, &out->has_description));
  TRY(ParseName(&out->name, &out->name_location));
  TRY(OptionalMany(
      TokenKind::kParenL,
      [&] {
        out->arguments.emplace_back();
        return ParseInputValueDefinition(&out->arguments.back());
      },
      TokenKind::kParenR));
  TRY(Expect(TokenKind::kColon));
  TRY(ParseTypeReference(&out->type));
  return ParseDirectives(true, &out->directives);
}

bool Parser::ParseTypedInput(TypeRef* type, std::optional<ValueNode>* default_value,
                             std::vector<Directive>* directives) {
  TRY(Expect(TokenKind::kColon));
  TRY(ParseTypeReference(type));
  bool eq;
  TRY(ExpectOptional(TokenKind::kEquals, &eq));
  if (eq) {
    default_value->emplace();
    TRY(ParseValue(true, &**default_value));
  }
  return ParseDirectives(true, directives);
}

bool Parser::ParseInputValueDefinition(InputValueDefinition* out) {
  out->location = token_.location;
  TRY(ParseDescription(&out->description, &out->has_description));
  TRY(ParseName(&out->name, &out->name_location));
  return ParseTypedInput(&out->type, &out->default_value, &out->directives);
}

bool Parser::ParseDirectiveDefinition(Document* doc) {
  DirectiveDefinition def;
  def.location = token_.location;
  TRY(ParseDescription(&def.description, &def.has_description));
  TRY(ExpectKeyword("directive"));
  TRY(Expect(TokenKind::kAt));
  TRY(ParseName(&def.name, &def.name_location));
  TRY(OptionalMany(
      TokenKind::kParenL,
      [&] {
        def.arguments.emplace_back();
        return ParseInputValueDefinition(&def.arguments.back());
      },
      TokenKind::kParenR));
  TRY(ExpectOptionalKeyword("repeatable", &def.repeatable));
  TRY(ExpectKeyword("on"));
  TRY(DelimitedMany(TokenKind::kPipe, [&] {
    Token start = token_;
    std::string name;
    TRY(ParseName(&name));
    for (std::string_view l : kDirectiveLocations) {
      if (l == name) {
        def.locations.push_back(name);
        def.location_locations.push_back(start.location);
        return true;
      }
    }
    return Unexpected(start);
  }));
  doc->definitions.push_back({DefinitionKind::kDirective, doc->directive_definitions.size()});
  doc->directive_definitions.push_back(std::move(def));
  return true;
}

#undef TRY

}  // namespace

ParseResult ParseDocument(std::string_view text, const ParseOptions& options) {
  ParseResult result;
  auto doc = std::make_shared<Document>();
  Parser parser(text, options);
  if (!parser.ParseDocument(doc.get())) {
    result.errors.push_back(parser.error());
    return result;
  }
  result.document = std::move(doc);
  return result;
}

}  // namespace stator::graphql
