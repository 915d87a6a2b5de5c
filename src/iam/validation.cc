#include "iam/validation.h"

#include <charconv>

#include "api/aws_json/shape.h"
#include "iam/utf8.h"

namespace stator::iam {
namespace {

std::string_view PatternText(Charset charset) {
  switch (charset) {
    case Charset::kAny:
      return "";
    case Charset::kName:
      return "[\\w+=,.@-]+";
    case Charset::kPath:
      return "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)";
    case Charset::kPathPrefix:
      return "\\u002F[\\u0021-\\u007F]*";
    case Charset::kPolicyPath:
      return "((/[A-Za-z0-9\\.,\\+@=_-]+)*)/";
    case Charset::kPolicyDocument:
      return "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+";
    case Charset::kDescription:
      return "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*";
    case Charset::kMarker:
      return "[\\u0020-\\u00FF]+";
    case Charset::kTagKey:
      return "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+";
    case Charset::kTagValue:
      return "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*";
  }
  return "";
}

bool IsWord(uint32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Whether one character belongs to a set that is a plain class (every set but the paths).
bool InClass(uint32_t c, Charset charset) {
  switch (charset) {
    case Charset::kName:
      return IsWord(c) || c == '+' || c == '=' || c == ',' || c == '.' || c == '@' || c == '-';
    case Charset::kPolicyDocument:
      return c == 0x09 || c == 0x0A || c == 0x0D || (c >= 0x20 && c <= 0xFF);
    case Charset::kDescription:
      return c == 0x09 || c == 0x0A || c == 0x0D || (c >= 0x20 && c <= 0x7E) ||
             (c >= 0xA1 && c <= 0xFF);
    case Charset::kMarker:
      return c >= 0x20 && c <= 0xFF;
    case Charset::kTagKey:
    case Charset::kTagValue:
      return (c < 0x80 && (IsWord(c) || c == ' ' || c == '.' || c == ':' || c == '/' || c == '=' ||
                           c == '+' || c == '-' || c == '@')) ||
             c >= 0xA0;
    default:
      return true;
  }
}

bool PolicyPathSegmentChar(char c) {
  return IsWord(static_cast<unsigned char>(c)) || c == '.' || c == ',' || c == '+' || c == '@' ||
         c == '=' || c == '-';
}

}  // namespace

bool MatchesCharset(std::string_view value, Charset charset) {
  switch (charset) {
    case Charset::kAny:
      return true;
    case Charset::kPath:
      if (value == "/") return true;
      if (value.size() < 3 || value.front() != '/' || value.back() != '/') return false;
      for (unsigned char c : value) {
        if (c < 0x21 || c > 0x7E) return false;
      }
      return true;
    case Charset::kPathPrefix:
      if (value.empty() || value.front() != '/') return false;
      for (unsigned char c : value) {
        if (c < 0x21 || c > 0x7F) return false;
      }
      return true;
    case Charset::kPolicyPath: {
      // ((/[A-Za-z0-9\.,\+@=_-]+)*)/ : "/", or "/seg/.../seg/" with non-empty segments.
      if (value.empty() || value.front() != '/' || value.back() != '/') return false;
      size_t segment = 0;
      for (size_t i = 1; i < value.size(); ++i) {
        if (value[i] == '/') {
          if (segment == 0) return false;
          segment = 0;
        } else if (PolicyPathSegmentChar(value[i])) {
          ++segment;
        } else {
          return false;
        }
      }
      return true;
    }
    case Charset::kName:
    case Charset::kPolicyDocument:
    case Charset::kMarker:
    case Charset::kTagKey:
      if (value.empty()) return false;  // "+": at least one character
      break;
    default:
      break;
  }
  for (size_t i = 0; i < value.size();) {
    uint32_t cp = 0;
    size_t n = DecodeUtf8(value, i, &cp);
    if (n == 0 || !InClass(cp, charset)) return false;
    i += n;
  }
  return true;
}

void Validation::Fail(std::string_view member, const std::string* value,
                      std::string_view constraint) {
  std::string p = "Value ";
  if (value) p += "'" + *value + "' ";
  p += "at '";
  p += member;
  p += "' failed to satisfy constraint: ";
  p += constraint;
  problems_.push_back(std::move(p));
}

void Validation::String(std::string_view member, std::string_view value, const StringType& type,
                        bool show_value) {
  std::string v(value);
  const std::string* shown = show_value ? &v : nullptr;
  int64_t length = api::Utf16Length(value);
  if (length > type.max_length) {
    Fail(member, shown,
         "Member must have length less than or equal to " + std::to_string(type.max_length));
  } else if (length < type.min_length) {
    Fail(member, shown,
         "Member must have length greater than or equal to " + std::to_string(type.min_length));
  }
  if (!MatchesCharset(value, type.charset)) {
    Fail(member, shown,
         "Member must satisfy regular expression pattern: " +
             std::string(PatternText(type.charset)));
  }
}

void Validation::Missing(std::string_view member) {
  problems_.push_back("Value null at '" + std::string(member) +
                      "' failed to satisfy constraint: Member must not be null");
}

std::optional<int64_t> Validation::Integer(std::string_view member, std::string_view text,
                                           int64_t min, int64_t max) {
  std::string v(text);
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    Fail(member, &v, "Member must be an integer");
    return std::nullopt;
  }
  if (n < min) {
    Fail(member, &v, "Member must have value greater than or equal to " + std::to_string(min));
    return std::nullopt;
  }
  if (n > max) {
    Fail(member, &v, "Member must have value less than or equal to " + std::to_string(max));
    return std::nullopt;
  }
  return n;
}

std::optional<ApiError> Validation::Error() const {
  if (problems_.empty()) return std::nullopt;
  std::string msg =
      std::to_string(problems_.size()) +
      (problems_.size() == 1 ? " validation error detected: " : " validation errors detected: ");
  for (size_t i = 0; i < problems_.size(); ++i) {
    if (i) msg += "; ";
    msg += problems_[i];
  }
  return ApiError{"ValidationError", std::move(msg), {}};
}

}  // namespace stator::iam
