#include "iam/xml_writer.h"

#include <gtest/gtest.h>

namespace stator::iam {
namespace {

std::string Escaped(std::string_view text) {
  std::string out;
  AppendXmlEscaped(text, &out);
  return out;
}

TEST(XmlWriterTest, NestsAndClosesElements) {
  XmlWriter w;
  w.Open("GetRoleResponse", "https://iam.amazonaws.com/doc/2010-05-08/");
  w.Open("GetRoleResult");
  w.Open("Role");
  w.Element("RoleName", "r");
  w.Element("RoleLastUsed", "");
  w.Close();
  w.Close();
  w.Open("ResponseMetadata");
  w.Element("RequestId", "id");
  EXPECT_EQ(std::move(w).Finish(),
            "<GetRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
            "<GetRoleResult><Role><RoleName>r</RoleName><RoleLastUsed/></Role></GetRoleResult>"
            "<ResponseMetadata><RequestId>id</RequestId></ResponseMetadata></GetRoleResponse>");
}

TEST(XmlWriterTest, CloseWithNothingOpenIsHarmless) {
  XmlWriter w;
  w.Close();
  w.Element("a", "1");
  EXPECT_EQ(std::move(w).Finish(), "<a>1</a>");
}

TEST(XmlWriterTest, EscapesMarkup) {
  EXPECT_EQ(Escaped("a<b>&\"c'"), "a&lt;b&gt;&amp;\"c'");
  EXPECT_EQ(Escaped("</Message><Code>x"), "&lt;/Message&gt;&lt;Code&gt;x");
  XmlWriter w;
  w.Open("E", "a\"b");
  EXPECT_EQ(std::move(w).Finish(), "<E xmlns=\"a&quot;b\"></E>");
}

TEST(XmlWriterTest, KeepsUtf8AndWhitespace) {
  EXPECT_EQ(Escaped("\xC3\xA9\xE6\x97\xA5\xF0\x9F\x98\x80"),
            "\xC3\xA9\xE6\x97\xA5\xF0\x9F\x98\x80");
  EXPECT_EQ(Escaped("a\tb\nc"), "a\tb\nc");
  EXPECT_EQ(Escaped("a\rb"), "a&#13;b");
}

TEST(XmlWriterTest, ReplacesWhatXmlCannotHold) {
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(Escaped(std::string("a\0b", 3)), "a" + r + "b");
  EXPECT_EQ(Escaped("\x01\x1f\x7f"), r + r + "\x7f");
  EXPECT_EQ(Escaped("\xFF"), r);                          // not UTF-8
  EXPECT_EQ(Escaped("\xC3"), r);                          // truncated
  EXPECT_EQ(Escaped("\xC0\xAF"), r + r);                  // overlong
  EXPECT_EQ(Escaped("\xED\xA0\x80"), r + r + r);          // a surrogate
  EXPECT_EQ(Escaped("\xEF\xBF\xBE"), r);                  // U+FFFE
  EXPECT_EQ(Escaped("\xF4\x90\x80\x80"), r + r + r + r);  // > U+10FFFF
  EXPECT_EQ(Escaped("\x80<"), r + "&lt;");
}

}  // namespace
}  // namespace stator::iam
