#include "jsonata/signature.h"

#include <algorithm>

#include "jsonata/builtins.h"

namespace stator::jsonata::internal {
namespace {

// The signature symbol of a JSON value's type.
char JsonSymbol(const json::Value& j) {
  switch (j.kind()) {
    case json::Kind::kNull:
      return 'l';
    case json::Kind::kBool:
      return 'b';
    case json::Kind::kInt:
    case json::Kind::kDouble:
      return 'n';
    case json::Kind::kString:
      return 's';
    case json::Kind::kArray:
      return 'a';
    case json::Kind::kObject:
      return 'o';
  }
  return 'm';
}

}  // namespace

char TypeSymbol(const Value& v) {
  switch (v.tag()) {
    case Value::Tag::kUndefined:
      return 'm';
    case Value::Tag::kFunction:
      return 'f';
    case Value::Tag::kArray:
      return 'a';
    case Value::Tag::kObject:
      return 'o';
    case Value::Tag::kJson:
      return JsonSymbol(v.json());
  }
  return 'm';
}

namespace {

// The type symbol of element i of an array, without copying it.
char TypeSymbolAt(const Value& arr, size_t i) {
  if (arr.is_json()) return JsonSymbol(arr.json().as_array()[i]);
  if (arr.seq()->is_range) return 'n';
  return TypeSymbol(arr.seq()->items[i]);
}

size_t FindClosing(std::string_view s, size_t start, char open, char close) {
  int depth = 1;
  size_t pos = start;
  while (pos < s.size()) {
    ++pos;
    if (pos >= s.size()) break;
    if (s[pos] == close) {
      if (--depth == 0) break;
    } else if (s[pos] == open) {
      ++depth;
    }
  }
  return pos;
}

// Matches params[i..k) against sig[pos..]: greedy with backtracking like the reference's regex.
// On success fills lengths and returns true. `anchored_end`: the match must reach sig's end.
bool MatchFrom(const std::vector<SignatureParam>& params, size_t i, size_t k, std::string_view sig,
               size_t pos, bool anchored_end, std::vector<int>* lengths) {
  if (i == k) return !anchored_end || pos == sig.size();
  const SignatureParam& p = params[i];
  size_t max = 0;
  while (pos + max < sig.size() && p.allowed.find(sig[pos + max]) != std::string::npos) {
    ++max;
    if (p.quantifier != '+') break;
  }
  size_t min = p.quantifier == '?' ? 0 : 1;
  if (p.quantifier == 0 && max < 1) return false;
  for (size_t n = max + 1; n-- > min;) {
    (*lengths)[i] = static_cast<int>(n);
    if (MatchFrom(params, i + 1, k, sig, pos + n, anchored_end, lengths)) return true;
    if (n == 0) break;
  }
  return false;
}

}  // namespace

Result<std::shared_ptr<const Signature>, jsonata::Error> ParseSignature(std::string_view s) {
  auto sig = std::make_shared<Signature>();
  sig->definition = std::string(s);
  SignatureParam param;
  SignatureParam* prev = nullptr;
  auto& params = sig->params;
  params.reserve(s.size());
  size_t pos = 1;
  while (pos < s.size()) {
    char c = s[pos];
    if (c == ':') break;
    auto next = [&] {
      params.push_back(param);
      prev = &params.back();
      param = SignatureParam();
    };
    switch (c) {
      case 's':
      case 'n':
      case 'b':
      case 'l':
      case 'o':
        param.allowed = std::string(1, c) + "m";
        param.type = c;
        next();
        break;
      case 'a':
        param.allowed = "asnblfom";
        param.type = 'a';
        next();
        break;
      case 'f':
        param.allowed = "f";
        param.type = 'f';
        next();
        break;
      case 'j':
        param.allowed = "asnblom";
        param.type = 'j';
        next();
        break;
      case 'x':
        param.allowed = "asnblfom";
        param.type = 'x';
        next();
        break;
      case '-':
        if (prev) {
          prev->context = true;
          prev->context_allowed = prev->allowed;
          prev->quantifier = '?';
        }
        break;
      case '?':
      case '+':
        if (prev) prev->quantifier = c;
        break;
      case '(': {
        size_t end = FindClosing(s, pos, '(', ')');
        std::string choice(s.substr(pos + 1, end - pos - 1));
        if (choice.find('<') != std::string::npos) {
          return MakeError("S0402", static_cast<int>(pos), {{"value", choice}});
        }
        param.allowed = choice + "m";
        param.type = '(';
        pos = end;
        next();
        break;
      }
      case '<': {
        if (prev && (prev->type == 'a' || prev->type == 'f')) {
          size_t end = FindClosing(s, pos, '<', '>');
          prev->subtype = std::string(s.substr(pos + 1, end - pos - 1));
          pos = end;
        } else {
          return MakeError("S0401", static_cast<int>(pos),
                           {{"value", prev ? std::string(1, prev->type) : ""}});
        }
        break;
      }
      default:
        break;
    }
    ++pos;
  }
  return std::shared_ptr<const Signature>(std::move(sig));
}

Result<std::vector<Value>, jsonata::Error> Signature::Validate(const std::vector<Value>& args,
                                                               const Value& context) const {
  std::string supplied;
  supplied.reserve(args.size());
  for (const Value& a : args) supplied.push_back(TypeSymbol(a));
  std::vector<int> lengths(params.size(), 0);
  if (!MatchFrom(params, 0, params.size(), supplied, 0, true, &lengths)) {
    // Find how far a prefix of the parameters matches, as the reference reports it.
    size_t good_to = 0;
    for (size_t k = 1; k <= params.size(); ++k) {
      std::vector<int> partial(params.size(), 0);
      if (!MatchFrom(params, 0, k, supplied, 0, false, &partial)) break;
      good_to = 0;
      for (size_t j = 0; j < k; ++j) good_to += partial[j];
    }
    jsonata::Error e = MakeError("T0410", -1, {{"index", std::to_string(good_to + 1)}});
    return e;
  }
  std::vector<Value> out;
  out.reserve(params.size());
  size_t arg_index = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    const SignatureParam& p = params[i];
    int len = lengths[i];
    if (len == 0) {
      if (p.context) {
        char t = TypeSymbol(context);
        if (p.context_allowed.find(t) != std::string::npos) {
          out.push_back(context);
        } else {
          return MakeError("T0411", -1, {{"index", std::to_string(arg_index + 1)}});
        }
      } else {
        out.push_back(arg_index < args.size() ? args[arg_index] : Value());
        ++arg_index;
      }
      continue;
    }
    for (int n = 0; n < len; ++n) {
      // An earlier empty match may have consumed an argument (as the reference's does): read
      // past the end as undefined.
      static const Value kUndefined;
      char single = arg_index < supplied.size() ? supplied[arg_index] : 'm';
      const Value& arg = arg_index < args.size() ? args[arg_index] : kUndefined;
      if (p.type == 'a') {
        if (single == 'm') {
          out.push_back(Value());
        } else {
          bool ok = true;
          if (!p.subtype.empty()) {
            if (single != 'a' && std::string(1, single) != p.subtype) {
              // The reference compares the whole matched run with the subtype.
              std::string run = supplied.substr(std::min(supplied.size(), arg_index - n), len);
              ok = run == p.subtype;
            } else if (single == 'a') {
              size_t count = arg.size();
              if (count > 0) {
                char item = TypeSymbolAt(arg, 0);
                if (item != p.subtype[0]) {
                  ok = false;
                } else {
                  for (size_t j = 0; j < count && ok; ++j) ok = TypeSymbolAt(arg, j) == item;
                }
              }
            }
          }
          if (!ok) {
            static const std::pair<char, const char*> kNames[] = {
                {'a', "arrays"},  {'b', "booleans"}, {'f', "functions"},
                {'n', "numbers"}, {'o', "objects"},  {'s', "strings"}};
            std::string tname;
            for (auto [c, name] : kNames) {
              if (p.subtype.size() == 1 && p.subtype[0] == c) tname = name;
            }
            return MakeError("T0412", -1,
                             {{"index", std::to_string(arg_index + 1)}, {"type", tname}});
          }
          if (single != 'a') {
            out.push_back(ArrayOf({arg}));
          } else {
            out.push_back(arg);
          }
        }
      } else {
        out.push_back(arg);
      }
      ++arg_index;
    }
  }
  return out;
}

}  // namespace stator::jsonata::internal
