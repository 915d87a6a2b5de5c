#include "jsonata/regex.h"

#include <gtest/gtest.h>

#include "jsonata/js_string.h"

namespace stator::jsonata {
namespace {

// All matches of pattern in text as "start:match[|group...]" strings, stepping as JSONata does
// (an empty match moves on by one code unit here so that the test terminates).
std::vector<std::string> All(std::string_view pattern, std::string_view flags,
                             std::string_view text) {
  auto re = Regex::Compile(pattern, flags);
  EXPECT_TRUE(re.ok()) << pattern;
  if (!re.ok()) return {};
  std::u16string s = ToUtf16(text);
  std::vector<std::string> out;
  size_t from = 0;
  while (from <= s.size()) {
    auto m = re->Exec(s, from);
    EXPECT_TRUE(m.ok());
    if (!m.ok() || !*m) break;
    const RegexMatch& r = **m;
    std::string item = std::to_string(r.start) + ":" + ToUtf8(s.substr(r.start, r.end - r.start));
    for (const auto& [a, b] : r.groups) {
      item += "|" + (a == RegexMatch::npos ? std::string("<u>") : ToUtf8(s.substr(a, b - a)));
    }
    out.push_back(item);
    from = r.end > r.start ? r.end : r.end + 1;
  }
  return out;
}

using V = std::vector<std::string>;

TEST(Regex, LiteralsClassesAndQuantifiers) {
  EXPECT_EQ(All("a+", "", "caaab"), V({"1:aaa"}));
  EXPECT_EQ(All("[^a-c]+", "", "abcdef"), V({"3:def"}));
  EXPECT_EQ(All("\\d{2,3}", "", "1 22 4444"), V({"2:22", "5:444"}));
  EXPECT_EQ(All("a{2,3}?", "", "aaaa"), V({"0:aa", "2:aa"}));
  EXPECT_EQ(All("x{2}y", "", "xxxy"), V({"1:xxy"}));
  EXPECT_EQ(All("a{,2}", "", "a{,2}"), V({"0:a{,2}"}));  // not a quantifier: literal
  EXPECT_EQ(All("[\\d-x]+", "", "1-x2"), V({"0:1-x2"}));
  EXPECT_EQ(All("\\u0041\\x42", "", "xABy"), V({"1:AB"}));
  EXPECT_EQ(All("[]a]", "", "]a"), V());              // [] matches nothing
  EXPECT_EQ(All("[^]a]", "", "x]a]"), V({"1:]a]"}));  // [^] matches anything
}

TEST(Regex, GroupsAlternationBackreferences) {
  EXPECT_EQ(All("(a)|(b)", "", "ab"), V({"0:a|a|<u>", "1:b|<u>|b"}));
  EXPECT_EQ(All("(\\w+)\\s\\1", "", "hello hello world"), V({"0:hello hello|hello"}));
  EXPECT_EQ(All("(a|ab)(c|bcd)(d*)", "", "abcd"), V({"0:abcd|a|bcd|"}));
  EXPECT_EQ(All("(?<y>\\d{4})-(?<m>\\d\\d)", "", "2024-05"), V({"0:2024-05|2024|05"}));
  EXPECT_EQ(All("(?<n>a)\\k<n>", "", "aa"), V({"0:aa|a"}));
  // Captures inside a repeated group are reset on each iteration (JS semantics).
  EXPECT_EQ(All("(z)((a+)?(b+)?(c))*", "", "zaacbbbcac"), V({"0:zaacbbbcac|z|ac|a|<u>|c"}));
  // A quantified group that matches empty stops iterating.
  EXPECT_EQ(All("(a*)*", "", "b"), V({"0:|<u>", "1:|<u>"}));
}

TEST(Regex, Lookaround) {
  EXPECT_EQ(All("x(?=y)", "", "xyxz"), V({"0:x"}));
  EXPECT_EQ(All("(?<!a)b", "", "abcb"), V({"3:b"}));
  EXPECT_EQ(All("(?<=\\$)\\d+", "", "x$12y$3"), V({"2:12", "6:3"}));
  // Lookbehind matches right to left: greedy groups split "1053" as JS does.
  EXPECT_EQ(All("(?<=(\\d+)(\\d+))$", "", "1053"), V({"4:|1|053"}));
  EXPECT_EQ(All("(?=(a+))a*b\\1", "", "baaabac"), V({"3:aba|a"}));
  EXPECT_EQ(All("(.*?)a(?!(a+)b\\2c)\\2(.*)", "", "baaabaac"), V({"0:baaabaac|ba|<u>|abaac"}));
}

TEST(Regex, AnchorsFlagsAndUnicode) {
  EXPECT_EQ(All("^ab$", "m", "ab\ncd\nab"), V({"0:ab", "6:ab"}));
  EXPECT_EQ(All("^ab$", "", "ab\ncd\nab"), V());
  EXPECT_EQ(All("\\bfoo\\b", "", "foo foobar foo"), V({"0:foo", "11:foo"}));
  EXPECT_EQ(All("A.C", "i", "abc"), V({"0:abc"}));
  EXPECT_EQ(All("[A-Z]+", "i", "hello"), V({"0:hello"}));
  EXPECT_EQ(All("ä+", "i", "ÄäÄ"), V({"0:ÄäÄ"}));
  // Offsets are UTF-16 code units: the emoji counts two.
  EXPECT_EQ(All("o", "", "f😀o"), V({"3:o"}));
  EXPECT_EQ(All("\\s+", "", "a \t\u00a0b"), V({"1: \t\u00a0"}));
}

TEST(Regex, SyntaxErrors) {
  for (const char* bad : {"(", "a**", "[b-a]", "\\", "a{3,1}", "[a", "(?<n>a)(?<n>b)", "+"}) {
    auto re = Regex::Compile(bad, "");
    ASSERT_FALSE(re.ok()) << bad;
    EXPECT_NE(re.error().message.find("Invalid regular expression: /"), std::string::npos);
  }
  EXPECT_FALSE(Regex::Compile("a", "x").ok());
}

TEST(Regex, HugePatternsAreErrorsNotCrashes) {
  std::string deep = std::string(100000, '(') + "a" + std::string(100000, ')');
  auto re = Regex::Compile(deep, "");
  ASSERT_FALSE(re.ok());
  EXPECT_NE(re.error().message.find("Regular expression too large"), std::string::npos);
  EXPECT_FALSE(Regex::Compile("(a{1000}){1000}", "").ok());
  std::string nested = std::string(150, '(') + "a" + std::string(150, ')');
  EXPECT_TRUE(Regex::Compile(nested, "").ok());
}

TEST(Regex, StepBudgetStopsCatastrophicBacktracking) {
  auto re = Regex::Compile("(a+)+b", "");
  ASSERT_TRUE(re.ok());
  std::u16string s(40, u'a');
  s += u'c';
  auto m = re->Exec(s, 0, 100000);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, "U1001");
  // A small subject finishes within the budget (no match).
  auto small = re->Exec(u"aaaac", 0, 100000);
  ASSERT_TRUE(small.ok());
  EXPECT_FALSE(small->has_value());
}

}  // namespace
}  // namespace stator::jsonata
