// The JSONPath steps grammar: $.name, ['name'], [n], [*], ['a','b'], [0,2], [start:end:step],
// ..x; a filter step hands over to the filter grammar (path_filter.cc). See path_parser.h.
#include "asl/path_parser.h"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <optional>

namespace stator::asl::path_internal {

Status Parser::ParseSegments(std::vector<Segment>* out, bool in_filter) {
  while (!AtEnd()) {
    char c = Peek();
    if (c == '.') {
      Segment seg;
      ++pos_;
      if (Peek() == '.') {
        seg.deep = true;
        ++pos_;
      }
      if (AtEnd()) return Fail("Path must not end with a '.' or '..'");
      if (Peek() == '[') {
        if (!seg.deep) return Fail("Unexpected '[' after '.'");
        STATOR_RETURN_IF_ERROR(ParseBracket(&seg));
      } else if (Peek() == '*') {
        ++pos_;
        seg.type = Segment::Type::kWildcard;
      } else {
        size_t start = pos_;
        while (!AtEnd()) {
          char d = Peek();
          if (d == '.' || d == '[') break;
          if (d == ' ') {
            if (in_filter) break;
            return Fail("Use bracket notation ['my prop'] if a name contains blank characters");
          }
          if (d == '(') return Fail("Functions are not supported");
          if (in_filter && (d == ')' || d == '=' || d == '!' || d == '<' || d == '>' || d == '&' ||
                            d == '|' || d == ',' || d == ']'))
            break;
          ++pos_;
        }
        if (pos_ == start) return Fail("Empty property name");
        seg.type = Segment::Type::kName;
        seg.name = std::string(s_.substr(start, pos_ - start));
      }
      out->push_back(std::move(seg));
    } else if (c == '[') {
      Segment seg;
      STATOR_RETURN_IF_ERROR(ParseBracket(&seg));
      out->push_back(std::move(seg));
    } else if (in_filter) {
      return Status::Ok();
    } else {
      return Fail(std::string("Unexpected character '") + c + "', expected '.' or '['");
    }
  }
  return Status::Ok();
}

Result<std::string> Parser::ParseQuoted(bool unescape) {
  char quote = Peek();
  ++pos_;
  std::string out;
  while (!AtEnd()) {
    char c = Peek();
    if (c == '\\' && pos_ + 1 < s_.size()) {
      if (!unescape) out.push_back(c);
      out.push_back(s_[pos_ + 1]);
      pos_ += 2;
      continue;
    }
    if (c == quote) {
      ++pos_;
      return out;
    }
    out.push_back(c);
    ++pos_;
  }
  return Fail("Unterminated quoted string");
}

Result<int64_t> Parser::ParseInt() {
  SkipSpaces();
  size_t start = pos_;
  if (Peek() == '-') ++pos_;
  while (std::isdigit(static_cast<unsigned char>(Peek()))) ++pos_;
  if (pos_ == start || (pos_ == start + 1 && s_[start] == '-')) return Fail("Expected a number");
  int64_t v = 0;
  std::string digits(s_.substr(start, pos_ - start));
  errno = 0;
  v = std::strtoll(digits.c_str(), nullptr, 10);
  if (errno == ERANGE) return Fail("Index out of range");
  return v;
}

Result<bool> Parser::ListContinues(const char* expected) {
  SkipSpaces();
  if (Peek() == ',') {
    ++pos_;
    return true;
  }
  if (Peek() == ']') {
    ++pos_;
    return false;
  }
  return Fail(expected);
}

Status Parser::ParseBracket(Segment* seg) {
  ++pos_;  // '['
  SkipSpaces();
  char c = Peek();
  if (c == '?') {
    ++pos_;
    SkipSpaces();
    if (Peek() != '(') return Fail("Expected '(' after '[?'");
    ++pos_;
    STATOR_TRY(seg->filter, ParseOr());
    SkipSpaces();
    if (Peek() != ')') return Fail("Expected ')' to close the filter");
    ++pos_;
    SkipSpaces();
    if (Peek() != ']') return Fail("Expected ']' to close the filter");
    ++pos_;
    seg->type = Segment::Type::kFilter;
    return Status::Ok();
  }
  if (c == '*') {
    ++pos_;
    SkipSpaces();
    if (Peek() != ']') return Fail("Expected ']' after '*'");
    ++pos_;
    seg->type = Segment::Type::kWildcard;
    return Status::Ok();
  }
  if (c == '\'' || c == '"') {
    std::vector<std::string> names;
    for (;;) {
      SkipSpaces();
      if (Peek() != '\'' && Peek() != '"') return Fail("Expected a quoted name");
      STATOR_TRY(std::string n, ParseQuoted(/*unescape=*/false));
      names.push_back(std::move(n));
      STATOR_TRY(bool more, ListContinues("Expected ',' or ']' after a quoted name"));
      if (!more) break;
    }
    if (names.size() == 1) {
      seg->type = Segment::Type::kName;
      seg->name = std::move(names[0]);
    } else {
      seg->type = Segment::Type::kNames;
      seg->names = std::move(names);
    }
    return Status::Ok();
  }
  if (c == ':' || c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
    // Index, index list or slice.
    std::optional<int64_t> first;
    if (c != ':') {
      STATOR_TRY(first, ParseInt());
    }
    SkipSpaces();
    if (Peek() == ':') {
      ++pos_;
      seg->type = Segment::Type::kSlice;
      seg->slice_start = first;
      SkipSpaces();
      if (Peek() != ':' && Peek() != ']') {
        STATOR_TRY(seg->slice_end, ParseInt());
      }
      SkipSpaces();
      if (Peek() == ':') {
        ++pos_;
        SkipSpaces();
        if (Peek() != ']') {
          STATOR_TRY(seg->slice_step, ParseInt());
          if (seg->slice_step <= 0) return Fail("Slice step must be positive");
        }
      }
      SkipSpaces();
      if (Peek() != ']') return Fail("Expected ']' after a slice");
      ++pos_;
      return Status::Ok();
    }
    std::vector<int64_t> idx{*first};
    for (;;) {
      STATOR_TRY(bool more, ListContinues("Expected ',' or ']' after an index"));
      if (!more) break;
      STATOR_TRY(int64_t n, ParseInt());
      idx.push_back(n);
    }
    if (idx.size() == 1) {
      seg->type = Segment::Type::kIndex;
      seg->index = idx[0];
    } else {
      seg->type = Segment::Type::kIndexes;
      seg->indexes = std::move(idx);
    }
    return Status::Ok();
  }
  if (c == ']') return Fail("Empty brackets");
  return Fail(std::string("Unexpected character '") + c + "' in brackets");
}

}  // namespace stator::asl::path_internal
