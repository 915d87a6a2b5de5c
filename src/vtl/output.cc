// ParseOutput: the JSON text a template printed, read as AppSync reads it.
#include "vtl/vtl.h"

namespace stator::vtl {

Result<json::Value> ParseOutput(std::string_view output) {
  // Drop every ',' that only whitespace separates from a closing '}' or ']' (outside strings).
  std::string text;
  text.reserve(output.size());
  bool in_string = false;
  for (size_t i = 0; i < output.size(); ++i) {
    char c = output[i];
    if (in_string) {
      text.push_back(c);
      if (c == '\\' && i + 1 < output.size()) {
        text.push_back(output[++i]);
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == ',') {
      size_t j = output.find_first_not_of(" \t\r\n", i + 1);
      if (j != std::string_view::npos && (output[j] == '}' || output[j] == ']')) continue;
    }
    text.push_back(c);
  }
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return json::Value::Null();
  Result<json::Value> parsed = json::Parse(text);
  if (!parsed.ok()) {
    return Error{"MappingTemplate", "Unable to parse the JSON document: " + parsed.error().cause};
  }
  return std::move(parsed).value();
}

}  // namespace stator::vtl
