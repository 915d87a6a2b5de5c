#include "jsonata/regex_adaptor.h"

#include "jsonata/js_string.h"
#include "jsonata/regex.h"

namespace stator::jsonata::internal {
namespace {

// The subject of the last Exec on this thread in UTF-16: the built-ins call Exec again and
// again on one text ($match, $replace, $split walk its matches), so it is converted once.
struct Utf16Cache {
  std::string utf8;
  std::u16string utf16;
  const std::u16string& Get(const std::string& text) {
    if (text != utf8 || (utf16.empty() && !text.empty())) {
      utf8 = text;
      utf16 = ToUtf16(text);
    }
    return utf16;
  }
};

class JsRegex final : public Regex {
 public:
  explicit JsRegex(jsonata::Regex re) : re_(std::move(re)) {}

  Result<std::optional<RegexMatch>, jsonata::Error> Exec(const std::string& text,
                                                         int start) const override {
    thread_local Utf16Cache cache;
    const std::u16string& s = cache.Get(text);
    if (start < 0 || static_cast<size_t>(start) > s.size()) return std::optional<RegexMatch>();
    auto m = re_.Exec(s, static_cast<size_t>(start));
    if (!m.ok()) return m.error();
    if (!*m) return std::optional<RegexMatch>();
    const jsonata::RegexMatch& r = **m;
    RegexMatch out;
    out.match = ToUtf8(std::u16string_view(s).substr(r.start, r.end - r.start));
    out.start = static_cast<int>(r.start);
    out.end = static_cast<int>(r.end);
    for (const auto& [a, b] : r.groups) {
      if (a == jsonata::RegexMatch::npos) {
        out.groups.push_back(std::nullopt);
      } else {
        out.groups.push_back(ToUtf8(std::u16string_view(s).substr(a, b - a)));
      }
    }
    return std::optional<RegexMatch>(std::move(out));
  }
  const std::string& source() const override { return re_.source(); }

 private:
  jsonata::Regex re_;
};

}  // namespace

Result<std::shared_ptr<const Regex>, jsonata::Error> CompileRegex(std::string_view pattern,
                                                                  std::string_view flags) {
  // JSONata matches globally: the reference compiles every literal with 'g' added.
  auto re = jsonata::Regex::Compile(pattern, std::string(flags) + "g");
  if (!re.ok()) return re.error();
  return std::shared_ptr<const Regex>(std::make_shared<JsRegex>(std::move(*re)));
}

size_t Utf16Length(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) n += c >= 0xF0 ? 2 : 1;
  }
  return n;
}

}  // namespace stator::jsonata::internal
