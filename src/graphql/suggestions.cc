// Suggestions for misspelled names (suggestions.h): graphql-core's suggestion_list (a
// Damerau-Levenshtein distance with a threshold of 40% of the input's length, ties in natural
// sort order) and did_you_mean (at most five, quoted, "a, b, or c").
#include "graphql/suggestions.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace stator::graphql {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// graphql-core's LexicalDistance.measure.
std::optional<int> Distance(std::string_view input, std::string_view option, int threshold) {
  if (input == option) return 0;
  std::string a = Lower(option);
  std::string b = Lower(input);
  if (a == b) return 1;
  if (a.size() < b.size()) std::swap(a, b);
  int a_len = static_cast<int>(a.size());
  int b_len = static_cast<int>(b.size());
  if (a_len - b_len > threshold) return std::nullopt;
  std::vector<std::vector<int>> rows(3, std::vector<int>(b_len + 1, 0));
  for (int j = 0; j <= b_len; ++j) rows[0][j] = j;
  for (int i = 1; i <= a_len; ++i) {
    std::vector<int>& up = rows[(i - 1) % 3];
    std::vector<int>& current = rows[i % 3];
    int smallest = current[0] = i;
    for (int j = 1; j <= b_len; ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      int cell = std::min({up[j] + 1, current[j - 1] + 1, up[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        cell = std::min(cell, rows[(i - 2) % 3][j - 2] + 1);
      }
      if (cell < smallest) smallest = cell;
      current[j] = cell;
    }
    if (smallest > threshold) return std::nullopt;
  }
  int distance = rows[a_len % 3][b_len];
  if (distance <= threshold) return distance;
  return std::nullopt;
}

// The parts of natural_comparison_key: text and digit runs alternating, text first.
std::vector<std::string_view> NaturalParts(std::string_view s) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  bool digits = false;
  while (true) {
    size_t j = i;
    while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) != 0) == digits) ++j;
    parts.push_back(s.substr(i, j - i));
    if (j >= s.size()) break;
    i = j;
    digits = !digits;
  }
  if (parts.size() % 2 == 0) parts.push_back(std::string_view());
  return parts;
}

// Compares two digit runs as Python compares (int(part), part).
int CompareDigits(std::string_view a, std::string_view b) {
  std::string_view ta = a.substr(std::min(a.find_first_not_of('0'), a.size()));
  std::string_view tb = b.substr(std::min(b.find_first_not_of('0'), b.size()));
  if (ta.size() != tb.size()) return ta.size() < tb.size() ? -1 : 1;
  if (int c = ta.compare(tb)) return c;
  return a.compare(b);
}

}  // namespace

bool NaturalLess(std::string_view a, std::string_view b) {
  std::vector<std::string_view> pa = NaturalParts(a);
  std::vector<std::string_view> pb = NaturalParts(b);
  size_t n = std::min(pa.size(), pb.size());
  for (size_t i = 0; i < n; ++i) {
    int c = i % 2 == 0 ? pa[i].compare(pb[i]) : CompareDigits(pa[i], pb[i]);
    if (c != 0) return c < 0;
  }
  return pa.size() < pb.size();
}

std::vector<std::string> SuggestionList(std::string_view input,
                                        const std::vector<std::string>& options) {
  int threshold = static_cast<int>(input.size() * 0.4) + 1;
  std::vector<std::pair<int, std::string>> found;
  for (const std::string& option : options) {
    bool seen = false;
    for (const auto& f : found) seen = seen || f.second == option;
    if (seen) continue;
    if (std::optional<int> d = Distance(input, option, threshold)) found.emplace_back(*d, option);
  }
  std::stable_sort(found.begin(), found.end(), [](const auto& x, const auto& y) {
    if (x.first != y.first) return x.first < y.first;
    return NaturalLess(x.second, y.second);
  });
  std::vector<std::string> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

std::string DidYouMean(const std::vector<std::string>& suggestions, std::string_view sub) {
  if (suggestions.empty()) return "";
  std::string out = " Did you mean ";
  if (!sub.empty()) {
    out += sub;
    out += ' ';
  }
  size_t n = std::min<size_t>(suggestions.size(), 5);
  auto quoted = [](const std::string& s) { return "\"" + s + "\""; };
  if (n == 1) {
    out += quoted(suggestions[0]) + "?";
  } else if (n == 2) {
    out += quoted(suggestions[0]) + " or " + quoted(suggestions[1]) + "?";
  } else {
    for (size_t i = 0; i + 1 < n; ++i) {
      if (i) out += ", ";
      out += quoted(suggestions[i]);
    }
    out += ", or " + quoted(suggestions[n - 1]) + "?";
  }
  return out;
}

}  // namespace stator::graphql
