#include "graphql/suggestions.h"

#include <algorithm>
#include <cctype>

namespace stator::graphql {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Damerau-Levenshtein (optimal string alignment) distance on the lowercased strings, 1 for a
// case-only difference; -1 when above the threshold.
int Distance(const std::string& a_in, std::string_view b_orig, size_t threshold) {
  std::string b = Lower(b_orig);
  if (a_in == b) return 1;
  const std::string& a = a_in;
  size_t n = a.size(), m = b.size();
  if ((n > m ? n - m : m - n) > threshold) return -1;
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i) {
    size_t row_min = d[i][0];
    for (size_t j = 1; j <= m; ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      size_t v = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        v = std::min(v, d[i - 2][j - 2] + 1);
      }
      d[i][j] = v;
      row_min = std::min(row_min, v);
    }
    if (row_min > threshold) return -1;
  }
  return d[n][m] <= threshold ? static_cast<int>(d[n][m]) : -1;
}

}  // namespace

std::vector<std::string> SuggestionList(std::string_view input,
                                        const std::vector<std::string>& options) {
  std::string lower = Lower(input);
  size_t threshold = input.size() * 4 / 10 + 1;  // floor(0.4 * length) + 1
  std::vector<std::pair<int, std::string>> found;
  for (const std::string& o : options) {
    int dist = Distance(lower, o, threshold);
    if (dist >= 0) found.emplace_back(dist, o);
  }
  std::stable_sort(found.begin(), found.end(), [](const auto& x, const auto& y) {
    if (x.first != y.first) return x.first < y.first;
    return x.second < y.second;  // graphql-js uses localeCompare; ASCII order is close enough
  });
  std::vector<std::string> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

std::string DidYouMean(const std::vector<std::string>& suggestions, std::string_view prefix) {
  if (suggestions.empty()) return "";
  std::string message = " Did you mean ";
  message += prefix;
  size_t n = std::min<size_t>(suggestions.size(), 5);
  auto q = [](const std::string& s) { return "\"" + s + "\""; };
  if (n == 1) return message + q(suggestions[0]) + "?";
  if (n == 2) return message + q(suggestions[0]) + " or " + q(suggestions[1]) + "?";
  for (size_t i = 0; i + 1 < n; ++i) message += q(suggestions[i]) + ", ";
  return message + "or " + q(suggestions[n - 1]) + "?";
}

}  // namespace stator::graphql
