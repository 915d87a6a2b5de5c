#include "iam/xml_writer.h"

#include <cstdint>

#include "iam/utf8.h"

namespace stator::iam {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool AllowedInXml(uint32_t cp) {
  if (cp < 0x20) return cp == '\t' || cp == '\n' || cp == '\r';
  return cp != 0xFFFE && cp != 0xFFFF;
}

}  // namespace

void AppendXmlEscaped(std::string_view text, std::string* out, bool attribute) {
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    size_t n = DecodeUtf8(text, i, &cp);
    if (n == 0) {
      out->append(kReplacement);
      ++i;
      continue;
    }
    if (!AllowedInXml(cp)) {
      out->append(kReplacement);
    } else {
      switch (cp) {
        case '&':
          out->append("&amp;");
          break;
        case '<':
          out->append("&lt;");
          break;
        case '>':
          out->append("&gt;");
          break;
        case '"':
          out->append(attribute ? "&quot;" : "\"");
          break;
        case '\r':
          out->append("&#13;");
          break;
        default:
          out->append(text.substr(i, n));
      }
    }
    i += n;
  }
}

void XmlWriter::Open(std::string_view tag, std::string_view xmlns) {
  out_.push_back('<');
  out_.append(tag);
  if (!xmlns.empty()) {
    out_.append(" xmlns=\"");
    AppendXmlEscaped(xmlns, &out_, /*attribute=*/true);
    out_.push_back('"');
  }
  out_.push_back('>');
  open_.emplace_back(tag);
}

void XmlWriter::Close() {
  if (open_.empty()) return;
  out_.append("</");
  out_.append(open_.back());
  out_.push_back('>');
  open_.pop_back();
}

void XmlWriter::Element(std::string_view tag, std::string_view text) {
  out_.push_back('<');
  out_.append(tag);
  if (text.empty()) {
    out_.append("/>");
    return;
  }
  out_.push_back('>');
  AppendXmlEscaped(text, &out_);
  out_.append("</");
  out_.append(tag);
  out_.push_back('>');
}

std::string XmlWriter::Finish() && {
  while (!open_.empty()) Close();
  return std::move(out_);
}

}  // namespace stator::iam
