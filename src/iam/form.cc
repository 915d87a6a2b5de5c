#include "iam/form.h"

#include "common/percent_encoding.h"

namespace stator::iam {
namespace {

// Decodes one name or value; `offset` is where `text` starts in the body (for the message).
Result<std::string> Decode(std::string_view text, size_t offset) {
  if (size_t bad = FirstBadPercentEscape(text); bad != std::string_view::npos) {
    return Error{"MalformedForm",
                 "'%' not followed by two hex digits at byte " + std::to_string(offset + bad)};
  }
  return PercentDecode(text, /*plus_is_space=*/true);
}

}  // namespace

Result<FormPairs> ParseForm(std::string_view body) {
  FormPairs pairs;
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find('&', start);
    if (end == std::string_view::npos) end = body.size();
    std::string_view pair = body.substr(start, end - start);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      std::string_view name = pair.substr(0, eq);
      std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
      STATOR_TRY(std::string n, Decode(name, start));
      STATOR_TRY(std::string v, Decode(value, start + name.size() + 1));
      pairs.emplace_back(std::move(n), std::move(v));
    }
    start = end + 1;
  }
  return pairs;
}

}  // namespace stator::iam
