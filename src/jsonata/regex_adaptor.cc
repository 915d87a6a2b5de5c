#include "jsonata/regex_adaptor.h"

#include <regex>

namespace stator::jsonata::internal {
namespace {

class StdRegex final : public Regex {
 public:
  StdRegex(std::regex re, std::string source) : re_(std::move(re)), source_(std::move(source)) {}

  std::optional<RegexMatch> Exec(const std::string& text, int start) const override {
    if (start < 0 || static_cast<size_t>(start) > text.size()) return std::nullopt;
    std::smatch m;
    auto flags = std::regex_constants::match_default;
    if (start > 0) flags |= std::regex_constants::match_prev_avail;
    if (!std::regex_search(text.begin() + start, text.end(), m, re_, flags)) return std::nullopt;
    RegexMatch out;
    out.match = m.str(0);
    out.start = static_cast<int>(m.position(0)) + start;
    out.end = out.start + static_cast<int>(out.match.size());
    for (size_t i = 1; i < m.size(); ++i) {
      if (m[i].matched) {
        out.groups.push_back(m.str(i));
      } else {
        out.groups.push_back(std::nullopt);
      }
    }
    return out;
  }
  const std::string& source() const override { return source_; }

 private:
  std::regex re_;
  std::string source_;
};

}  // namespace

Result<std::shared_ptr<const Regex>, jsonata::Error> CompileRegex(std::string_view pattern,
                                                                  std::string_view flags) {
  auto syntax = std::regex_constants::ECMAScript;
  for (char f : flags) {
    if (f == 'i') syntax |= std::regex_constants::icase;
    if (f == 'm') syntax |= std::regex_constants::multiline;
  }
  std::string p(pattern);
  std::regex re;
  try {  // std::regex reports bad patterns only by exception; it stops here.
    re = std::regex(p, syntax);
  } catch (const std::regex_error&) {
    return jsonata::Error{"S0302", "Invalid regular expression: /" + p + "/", -1, std::nullopt};
  }
  return std::shared_ptr<const Regex>(std::make_shared<StdRegex>(std::move(re), p));
}

}  // namespace stator::jsonata::internal
