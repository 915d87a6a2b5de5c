// XmlWriter: builds the XML documents of the AWS Query protocol's answers
// (<CreateRoleResponse xmlns="..."><CreateRoleResult>...</CreateRoleResult>...).
//
// Element text is escaped (& < >), attribute values too (& < > "), and the document stays
// well-formed XML 1.0 whatever bytes it is given: a byte sequence that is not UTF-8, and a
// character XML 1.0 cannot hold at all (the C0 controls other than tab, newline and carriage
// return, U+FFFE, U+FFFF, surrogates) become U+FFFD; a carriage return is written as &#13; so that
// it survives a parser's line-end normalisation. Names (tags) are the caller's constants and are
// not checked.
//
// Ownership: the writer owns the text it builds. Thread-safety: one writer per thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace stator::iam {

class XmlWriter {
 public:
  // <tag> or <tag xmlns="..."> (xmlns omitted when empty); closed by Close().
  void Open(std::string_view tag, std::string_view xmlns = {});
  // Closes the innermost open element.
  void Close();
  // <tag>text</tag>, or <tag/> when text is empty.
  void Element(std::string_view tag, std::string_view text);
  // The document, with every element still open closed.
  std::string Finish() &&;

 private:
  std::string out_;
  std::vector<std::string> open_;
};

// Appends `text` escaped for element content, or for a double-quoted attribute value.
void AppendXmlEscaped(std::string_view text, std::string* out, bool attribute = false);

}  // namespace stator::iam
