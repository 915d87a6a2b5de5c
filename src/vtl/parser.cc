// Parse: VTL template text to the syntax tree of ast.h.
//
// Three passes: the text is cut into flat tokens (text, references, directives, comments, each
// directive with its parsed arguments); lines holding nothing but directives, comments and
// whitespace are dropped from the text (Velocity's "lines" whitespace gobbling); the tokens are
// nested into blocks (#if ... #elseif ... #else ... #end, #foreach ... #end).
#include "vtl/parser.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "vtl/ast.h"
#include "vtl/vtl.h"

namespace stator::vtl {

Template::Template(std::vector<ast::Node> root)
    : root_(std::make_unique<std::vector<ast::Node>>(std::move(root))) {}
Template::~Template() = default;

namespace parse {

void FlushText(std::string* text, std::vector<Tok>* out) {
  if (text->empty()) return;
  Tok t;
  t.kind = Tok::Kind::kText;
  t.text = std::move(*text);
  text->clear();
  out->push_back(std::move(t));
}

bool Parser::Tokenize(std::vector<Tok>* out) {
  std::string text;
  while (pos_ < src_.size() && !failed()) {
    char c = src_[pos_];
    if (c == '\\') {
      size_t run = pos_;
      while (At(run) == '\\') ++run;
      int count = static_cast<int>(run - pos_);
      if (At(run) == '$') {
        size_t save = pos_;
        pos_ = run;
        ast::Reference ref;
        if (ParseReference(&ref, true)) {
          FlushText(&text, out);
          Tok t;
          t.kind = Tok::Kind::kRef;
          t.ref = std::move(ref);
          t.backslashes = count;
          t.pos = base_ + save;
          out->push_back(std::move(t));
          continue;
        }
        if (failed()) return false;
        pos_ = save;
      } else if (At(run) == '#') {
        // \#if prints #if: each \\ is one backslash, an odd one escapes the '#'.
        text.append(static_cast<size_t>(count / 2), '\\');
        pos_ = run;
        if (count % 2 == 1) {
          text.push_back('#');
          ++pos_;
        }
        continue;
      }
      text.append(src_.substr(pos_, run - pos_));
      pos_ = run;
      continue;
    }
    if (c == '$') {
      size_t start = pos_;
      ast::Reference ref;
      if (ParseReference(&ref, true)) {
        FlushText(&text, out);
        Tok t;
        t.kind = Tok::Kind::kRef;
        t.ref = std::move(ref);
        t.pos = base_ + start;
        out->push_back(std::move(t));
      } else {
        if (failed()) return false;
        pos_ = start + 1;
        text.push_back('$');
      }
      continue;
    }
    if (c == '#') {
      if (!ParseDirective(out, &text)) return false;
      continue;
    }
    size_t next = src_.find_first_of("$#\\", pos_);
    if (next == std::string_view::npos) next = src_.size();
    text.append(src_.substr(pos_, next - pos_));
    pos_ = next;
  }
  FlushText(&text, out);
  return !failed();
}

bool Parser::ParseDirective(std::vector<Tok>* out, std::string* text) {
  size_t start = pos_;
  auto push = [&](Tok::Kind kind) -> Tok& {
    FlushText(text, out);
    Tok t;
    t.kind = kind;
    t.pos = base_ + start;
    out->push_back(std::move(t));
    return out->back();
  };
  if (Eat("##")) {
    while (pos_ < src_.size() && src_[pos_] != '\n') ++pos_;
    if (pos_ > start && src_[pos_ - 1] == '\r') --pos_;
    push(Tok::Kind::kComment);
    return true;
  }
  if (Eat("#*")) {
    size_t end = src_.find("*#", pos_);
    if (end == std::string_view::npos) {
      Fail(start, "Encountered \"#*\": the comment is never closed with *#");
      return false;
    }
    pos_ = end + 2;
    push(Tok::Kind::kComment);
    return true;
  }
  if (Eat("#[[")) {
    size_t end = src_.find("]]#", pos_);
    if (end == std::string_view::npos) {
      Fail(start, "Encountered \"#[[\": the unparsed block is never closed with ]]#");
      return false;
    }
    text->append(src_.substr(pos_, end - pos_));
    pos_ = end + 3;
    return true;
  }
  ++pos_;  // '#'
  bool braced = Eat("{");
  std::string name = IsIdentStart(At(pos_)) ? Ident() : "";
  if (braced && !Eat("}")) name.clear();
  static const std::pair<const char*, Tok::Kind> kDirectives[] = {
      {"set", Tok::Kind::kSet},     {"if", Tok::Kind::kIf},     {"elseif", Tok::Kind::kElseIf},
      {"else", Tok::Kind::kElse},   {"end", Tok::Kind::kEnd},   {"foreach", Tok::Kind::kForeach},
      {"break", Tok::Kind::kBreak}, {"stop", Tok::Kind::kStop}, {"return", Tok::Kind::kReturn},
  };
  Tok::Kind kind = Tok::Kind::kText;
  for (const auto& [n, k] : kDirectives) {
    if (name == n) kind = k;
  }
  if (kind == Tok::Kind::kText) {  // not a directive: a literal '#'
    pos_ = start + 1;
    text->push_back('#');
    return true;
  }
  Tok& tok = push(kind);
  auto open_paren = [&]() {
    size_t save = pos_;
    while (At(pos_) == ' ' || At(pos_) == '\t') ++pos_;
    if (Eat("(")) return true;
    pos_ = save;
    return false;
  };
  auto close_paren = [&]() {
    SkipWs();
    if (Eat(")")) return true;
    Fail(pos_, "Encountered \"" + Describe(pos_) + "\" in #" + name + ": expected ')'");
    return false;
  };
  switch (kind) {
    case Tok::Kind::kSet: {
      if (!open_paren()) {
        Fail(pos_, "Encountered \"" + Describe(pos_) + "\": #set needs '('");
        return false;
      }
      SkipWs();
      if (At(pos_) != '$' || !ParseReference(&tok.ref, false)) {
        Fail(pos_, "Encountered \"" + Describe(pos_) + "\": #set needs a reference to set");
        return false;
      }
      SkipWs();
      if (!Eat("=")) {
        Fail(pos_, "Encountered \"" + Describe(pos_) + "\" in #set: expected '='");
        return false;
      }
      SkipWs();
      tok.expr = ParseExpr();
      return tok.expr != nullptr && close_paren();
    }
    case Tok::Kind::kIf:
    case Tok::Kind::kElseIf:
      if (!open_paren()) {
        Fail(pos_, "Encountered \"" + Describe(pos_) + "\": #" + name + " needs '('");
        return false;
      }
      SkipWs();
      tok.expr = ParseExpr();
      return tok.expr != nullptr && close_paren();
    case Tok::Kind::kForeach: {
      if (!open_paren()) {
        Fail(pos_, "Encountered \"" + Describe(pos_) + "\": #foreach needs '('");
        return false;
      }
      SkipWs();
      if (!Eat("$") || !IsIdentStart(At(pos_))) {
        Fail(pos_, "Encountered \"" + Describe(pos_) + "\": #foreach needs a $variable");
        return false;
      }
      tok.var = Ident();
      SkipWs();
      if (!EatWord("in")) {
        Fail(pos_, "Encountered \"" + Describe(pos_) + "\" in #foreach: expected 'in'");
        return false;
      }
      SkipWs();
      tok.expr = ParseExpr();
      return tok.expr != nullptr && close_paren();
    }
    case Tok::Kind::kReturn:
      if (open_paren()) {
        SkipWs();
        if (!Eat(")")) {
          tok.expr = ParseExpr();
          return tok.expr != nullptr && close_paren();
        }
      }
      return true;
    default:
      return true;
  }
}

bool Parser::ParseArgs(std::vector<ExprPtr>* args) {
  // At '(' of a method call.
  ++pos_;
  SkipWs();
  if (Eat(")")) return true;
  while (true) {
    SkipWs();
    ExprPtr arg = ParseExpr();
    if (!arg) return false;
    args->push_back(std::move(arg));
    SkipWs();
    if (Eat(")")) return true;
    if (!Eat(",")) {
      Fail(pos_, "Encountered \"" + Describe(pos_) + "\" in a method call: expected ',' or ')'");
      return false;
    }
  }
}

bool Parser::ParseReference(ast::Reference* ref, bool in_template) {
  size_t start = pos_;
  size_t p = pos_ + 1;
  bool quiet = false, braced = false;
  if (At(p) == '!') {
    quiet = true;
    ++p;
  }
  if (At(p) == '{') {
    braced = true;
    ++p;
  }
  if (!IsIdentStart(At(p))) return false;
  pos_ = p;
  ref->root = Ident();
  ref->quiet = quiet;
  SetPosition(start, &ref->line, &ref->column);
  while (true) {
    if (At(pos_) == '.' && IsIdentStart(At(pos_ + 1))) {
      ++pos_;
      ast::Segment seg;
      seg.name = Ident();
      if (At(pos_) == '(') {
        seg.kind = ast::Segment::Kind::kMethod;
        if (!ParseArgs(&seg.args)) return false;
      }
      ref->segments.push_back(std::move(seg));
      continue;
    }
    if (At(pos_) == '[') {
      size_t save = pos_;
      Failure saved_failure = *failure_;
      ++pos_;
      SkipWs();
      ExprPtr index = ParseExpr();
      SkipWs();
      if (index && Eat("]")) {
        ast::Segment seg;
        seg.kind = ast::Segment::Kind::kIndex;
        seg.index = std::move(index);
        ref->segments.push_back(std::move(seg));
        continue;
      }
      if (!in_template) {
        if (index) Fail(pos_, "Encountered \"" + Describe(pos_) + "\": expected ']'");
        return false;
      }
      *failure_ = saved_failure;  // "$a[" in text is text
      pos_ = save;
    }
    break;
  }
  if (braced && !Eat("}")) {
    if (!in_template) {
      Fail(pos_, "Encountered \"" + Describe(pos_) + "\": expected '}'");
    }
    pos_ = start;
    return false;
  }
  ref->literal = std::string(src_.substr(start, pos_ - start));
  return true;
}

// Drops every line that holds only directives, comments and spaces (its indentation and its
// newline), as Velocity's "lines" space gobbling does.
std::vector<Tok> GobbleDirectiveLines(std::vector<Tok> toks) {
  struct Unit {
    size_t tok;        // index into toks
    std::string text;  // for text pieces
    bool is_text = false;
    bool ends_line = false;
  };
  std::vector<Unit> units;
  for (size_t i = 0; i < toks.size(); ++i) {
    if (toks[i].kind != Tok::Kind::kText) {
      units.push_back({i, "", false, false});
      continue;
    }
    std::string_view s = toks[i].text;
    while (!s.empty()) {
      size_t nl = s.find('\n');
      size_t len = nl == std::string_view::npos ? s.size() : nl + 1;
      units.push_back({i, std::string(s.substr(0, len)), true, nl != std::string_view::npos});
      s.remove_prefix(len);
    }
  }
  std::vector<bool> drop(units.size(), false);
  size_t line_start = 0;
  for (size_t i = 0; i <= units.size(); ++i) {
    bool line_ends = i == units.size() || units[i].ends_line;
    if (!line_ends) continue;
    size_t line_end = std::min(i + 1, units.size());
    bool only_directives = true, any_directive = false;
    for (size_t u = line_start; u < line_end; ++u) {
      if (units[u].is_text) {
        if (units[u].text.find_first_not_of(" \t\r\n") != std::string::npos) {
          only_directives = false;
        }
      } else if (toks[units[u].tok].kind == Tok::Kind::kRef) {
        only_directives = false;
      } else {
        any_directive = true;
      }
    }
    if (only_directives && any_directive) {
      for (size_t u = line_start; u < line_end; ++u) drop[u] = units[u].is_text;
    }
    line_start = line_end;
  }
  std::vector<Tok> out;
  std::string text;
  for (size_t u = 0; u < units.size(); ++u) {
    if (units[u].is_text) {
      if (!drop[u]) text.append(units[u].text);
      continue;
    }
    FlushText(&text, &out);
    out.push_back(std::move(toks[units[u].tok]));
  }
  FlushText(&text, &out);
  return out;
}

class TreeBuilder {
 public:
  TreeBuilder(std::vector<Tok>* toks, const LineTable* lines, Failure* failure)
      : toks_(*toks), lines_(lines), failure_(failure) {}

  // Builds nodes until a token that closes a block (#elseif, #else, #end) or the end; returns
  // the index of that token (toks_.size() at the end).
  size_t Build(size_t i, ast::Block* out, int depth = 0) {
    for (; i < toks_.size() && failure_->message.empty(); ++i) {
      Tok& t = toks_[i];
      Node n;
      lines_->LineCol(t.pos, &n.line, &n.column);
      switch (t.kind) {
        case Tok::Kind::kElseIf:
        case Tok::Kind::kElse:
        case Tok::Kind::kEnd:
          return i;
        case Tok::Kind::kComment:
          continue;
        case Tok::Kind::kText:
          n.kind = Node::Kind::kText;
          n.text = std::move(t.text);
          break;
        case Tok::Kind::kRef:
          n.kind = Node::Kind::kRef;
          n.ref = std::move(t.ref);
          n.backslashes = t.backslashes;
          break;
        case Tok::Kind::kSet:
          n.kind = Node::Kind::kSet;
          n.ref = std::move(t.ref);
          n.value = std::move(t.expr);
          break;
        case Tok::Kind::kBreak:
          n.kind = Node::Kind::kBreak;
          break;
        case Tok::Kind::kStop:
          n.kind = Node::Kind::kStop;
          break;
        case Tok::Kind::kReturn:
          n.kind = Node::Kind::kReturn;
          n.value = std::move(t.expr);
          break;
        case Tok::Kind::kIf: {
          if (depth >= kMaxBlockDepth) {
            Fail(i, "Encountered #if nested more than " + std::to_string(kMaxBlockDepth) +
                        " blocks deep");
            return toks_.size();
          }
          n.kind = Node::Kind::kIf;
          ExprPtr cond = std::move(t.expr);
          size_t open = i;
          while (true) {
            ast::IfBranch branch;
            branch.condition = std::move(cond);
            size_t stop = Build(i + 1, &branch.body, depth + 1);
            n.branches.push_back(std::move(branch));
            if (!failure_->message.empty()) return toks_.size();
            if (stop >= toks_.size()) {
              Fail(open, "Encountered \"<EOF>\": #if is never closed with #end");
              return toks_.size();
            }
            i = stop;
            if (toks_[i].kind == Tok::Kind::kEnd) break;
            bool was_else = !n.branches.back().condition && n.branches.size() > 1;
            if (was_else) {
              Fail(i, "Encountered \"#" +
                          std::string(toks_[i].kind == Tok::Kind::kElse ? "else" : "elseif") +
                          "\" after #else");
              return toks_.size();
            }
            cond = toks_[i].kind == Tok::Kind::kElseIf ? std::move(toks_[i].expr) : nullptr;
          }
          break;
        }
        case Tok::Kind::kForeach: {
          if (depth >= kMaxBlockDepth) {
            Fail(i, "Encountered #foreach nested more than " + std::to_string(kMaxBlockDepth) +
                        " blocks deep");
            return toks_.size();
          }
          n.kind = Node::Kind::kForeach;
          n.var = std::move(t.var);
          n.value = std::move(t.expr);
          size_t open = i;
          size_t stop = Build(i + 1, &n.body, depth + 1);
          if (!failure_->message.empty()) return toks_.size();
          if (stop >= toks_.size()) {
            Fail(open, "Encountered \"<EOF>\": #foreach is never closed with #end");
            return toks_.size();
          }
          if (toks_[stop].kind != Tok::Kind::kEnd) {
            Fail(stop, "Encountered \"#else\" inside #foreach without #if");
            return toks_.size();
          }
          i = stop;
          break;
        }
      }
      out->push_back(std::move(n));
    }
    return i;
  }

  void Fail(size_t tok, std::string message) {
    if (!failure_->message.empty()) return;
    failure_->message = std::move(message);
    failure_->pos = toks_[tok].pos;
  }

 private:
  static constexpr int kMaxBlockDepth = 100;
  std::vector<Tok>& toks_;
  const LineTable* lines_;
  Failure* failure_;
};

bool BuildBlock(std::vector<Tok>* toks, const LineTable* lines, Failure* failure, ast::Block* out) {
  TreeBuilder builder(toks, lines, failure);
  size_t stop = builder.Build(0, out);
  if (failure->message.empty() && stop < toks->size()) {
    Tok::Kind kind = (*toks)[stop].kind;
    const char* what = kind == Tok::Kind::kEnd    ? "#end"
                       : kind == Tok::Kind::kElse ? "#else"
                                                  : "#elseif";
    builder.Fail(stop, std::string("Encountered \"") + what + "\" without #if or #foreach");
  }
  return failure->message.empty();
}

}  // namespace parse

ParseResult Parse(std::string_view text) {
  using parse::Failure;
  using parse::LineTable;
  using parse::Parser;
  using parse::Tok;
  ParseResult result;
  LineTable lines(text);
  Failure failure;
  std::vector<Tok> toks;
  Parser parser(text, 0, &lines, &failure);
  if (parser.Tokenize(&toks)) {
    toks = parse::GobbleDirectiveLines(std::move(toks));
    ast::Block root;
    parse::BuildBlock(&toks, &lines, &failure, &root);
    if (failure.message.empty()) {
      result.tmpl = std::make_shared<const Template>(std::move(root));
      return result;
    }
  }
  if (failure.message.empty()) failure.message = "Unable to parse the template";
  lines.LineCol(failure.pos, &result.line, &result.column);
  result.error = failure.message + " at velocity[line " + std::to_string(result.line) +
                 ", column " + std::to_string(result.column) + "]";
  return result;
}

}  // namespace stator::vtl
