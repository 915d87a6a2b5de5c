#include "deploy/template.h"

#include <errno.h>
#include <string.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <regex>
#include <set>

#include "common/read_file.h"

namespace stator::deploy {
namespace {

Error TemplateError(const std::string& path, const YAML::Mark& mark, const std::string& message) {
  if (mark.line < 0) return Error{"Template", path + ": " + message};
  return Error{"Template", path + ":" + std::to_string(mark.line + 1) + ":" +
                               std::to_string(mark.column + 1) + ": " + message};
}

// Intrinsic short tags and their long names.
const std::map<std::string, std::string>& ShortTags() {
  static const std::map<std::string, std::string> tags = {
      {"!Ref", "Ref"},
      {"!Condition", "Condition"},
      {"!Sub", "Fn::Sub"},
      {"!GetAtt", "Fn::GetAtt"},
      {"!Join", "Fn::Join"},
      {"!Select", "Fn::Select"},
      {"!Split", "Fn::Split"},
      {"!If", "Fn::If"},
      {"!Equals", "Fn::Equals"},
      {"!Not", "Fn::Not"},
      {"!And", "Fn::And"},
      {"!Or", "Fn::Or"},
      {"!FindInMap", "Fn::FindInMap"},
      {"!Base64", "Fn::Base64"},
      {"!GetAZs", "Fn::GetAZs"},
      {"!ImportValue", "Fn::ImportValue"},
      {"!Cidr", "Fn::Cidr"},
      {"!ToJsonString", "Fn::ToJsonString"},
      {"!Length", "Fn::Length"},
      {"!Transform", "Fn::Transform"},
  };
  return tags;
}

// A plain scalar typed by YAML's core schema (what CloudFormation's parser does for the types
// that matter here: numbers and booleans in inline definitions).
json::Value PlainScalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL")
    return json::Value::Null();
  if (s == "true" || s == "True" || s == "TRUE") return json::Value::Bool(true);
  if (s == "false" || s == "False" || s == "FALSE") return json::Value::Bool(false);
  static const std::regex kInt("[-+]?(0|[1-9][0-9]*)");
  static const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+\\.[0-9]*|[0-9]+)([eE][-+]?[0-9]+)?");
  static const std::regex kLeadingZero("[-+]?0[0-9].*");
  if (std::regex_match(s, kLeadingZero)) return json::Value::String(s);  // 007: not a number
  if (std::regex_match(s, kInt)) {
    errno = 0;
    long long v = strtoll(s.c_str(), nullptr, 10);
    if (errno == 0) return json::Value::Int(v);
    return json::Value::Double(strtod(s.c_str(), nullptr));
  }
  if (std::regex_match(s, kFloat)) return json::Value::Double(strtod(s.c_str(), nullptr));
  return json::Value::String(s);
}

class Converter {
 public:
  Converter(std::string path, std::map<std::string, int>* lines)
      : path_(std::move(path)), lines_(lines) {}

  Result<json::Value> Convert(const YAML::Node& n, const std::string& key_path, int depth) {
    if (depth > 200) return TemplateError(path_, n.Mark(), "nesting too deep");
    const std::string& tag = n.Tag();
    if (!tag.empty() && tag != "?" && tag != "!" && !tag.starts_with("tag:yaml.org,2002:")) {
      auto it = ShortTags().find(tag);
      if (it == ShortTags().end()) {
        return TemplateError(path_, n.Mark(), "unknown tag '" + tag + "'");
      }
      STATOR_TRY(json::Value inner, ConvertUntagged(n, key_path, depth));
      if (it->second == "Fn::GetAtt" && inner.is_string()) {
        // !GetAtt Resource.Attribute (the attribute may itself contain dots).
        const std::string& s = inner.as_string();
        size_t dot = s.find('.');
        if (dot == std::string::npos || dot == 0 || dot + 1 == s.size()) {
          return TemplateError(path_, n.Mark(),
                               "!GetAtt needs RESOURCE.ATTRIBUTE, got '" + s + "'");
        }
        inner = json::Value::MakeArray(
            {json::Value::String(s.substr(0, dot)), json::Value::String(s.substr(dot + 1))});
      }
      if ((it->second == "Ref" || it->second == "Condition") && !inner.is_string()) {
        return TemplateError(path_, n.Mark(), tag + " takes a name");
      }
      return json::Value::MakeObject({{it->second, std::move(inner)}});
    }
    return ConvertUntagged(n, key_path, depth);
  }

 private:
  Result<json::Value> ConvertUntagged(const YAML::Node& n, const std::string& key_path, int depth) {
    switch (n.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return json::Value::Null();
      case YAML::NodeType::Scalar: {
        const std::string& tag = n.Tag();
        if (tag == "?") return PlainScalar(n.Scalar());
        if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float" ||
            tag == "tag:yaml.org,2002:bool" || tag == "tag:yaml.org,2002:null") {
          return PlainScalar(n.Scalar());
        }
        return json::Value::String(n.Scalar());
      }
      case YAML::NodeType::Sequence: {
        json::Array items;
        for (const YAML::Node& item : n) {
          STATOR_TRY(json::Value v, Convert(item, "", depth + 1));
          items.push_back(std::move(v));
        }
        return json::Value::MakeArray(std::move(items));
      }
      case YAML::NodeType::Map: {
        json::Object members;
        std::set<std::string> seen;
        for (const auto& kv : n) {
          if (kv.first.Type() != YAML::NodeType::Scalar) {
            return TemplateError(path_, kv.first.Mark(), "mapping keys must be scalars");
          }
          std::string key = kv.first.Scalar();
          if (!seen.insert(key).second) {
            return TemplateError(path_, kv.first.Mark(), "duplicate key '" + key + "'");
          }
          std::string child_path = key_path.empty() ? key : key_path + "." + key;
          if (depth <= 1) (*lines_)[child_path] = kv.first.Mark().line + 1;
          STATOR_TRY(json::Value v, Convert(kv.second, depth < 1 ? child_path : "", depth + 1));
          members.emplace_back(std::move(key), std::move(v));
        }
        return json::Value::MakeObject(std::move(members));
      }
    }
    return json::Value::Null();
  }

  std::string path_;
  std::map<std::string, int>* lines_;
};

Result<json::Value> ParseYamlWithLines(const std::string& text, const std::string& path,
                                       std::map<std::string, int>* lines) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::Exception& e) {
    return TemplateError(path, e.mark, e.msg);
  }
  if (docs.empty()) return Error{"Template", path + ": the file is empty"};
  if (docs.size() > 1) return Error{"Template", path + ": more than one YAML document"};
  Converter c(path, lines);
  try {
    return c.Convert(docs[0], "", 0);
  } catch (const YAML::Exception& e) {
    return TemplateError(path, e.mark, e.msg);
  }
}

}  // namespace

std::string Template::Where(const std::string& key) const {
  auto it = lines.find(key);
  if (it == lines.end()) return path + ": ";
  return path + ":" + std::to_string(it->second) + ": ";
}

Result<json::Value> ParseYaml(const std::string& text, const std::string& path) {
  std::map<std::string, int> lines;
  return ParseYamlWithLines(text, path, &lines);
}

Result<Template> ParseTemplate(const std::string& text, const std::string& path,
                               const std::string& dir) {
  Template t;
  t.path = path;
  t.dir = dir.empty() ? "." : dir;
  STATOR_TRY(t.root, ParseYamlWithLines(text, path, &t.lines));
  if (!t.root.is_object()) {
    return Error{"Template", path + ": a template is a mapping (Resources, Parameters, ...)"};
  }
  const json::Value* resources = t.root.Find("Resources");
  if (resources == nullptr || !resources->is_object() || resources->as_object().empty()) {
    return Error{"Template", t.Where("Resources") + "the template has no Resources"};
  }
  return t;
}

Result<std::string> ReadFile(const std::string& path) { return ReadWholeFile(path, "Template"); }

Result<Template> LoadTemplate(const std::string& path) {
  STATOR_TRY(std::string text, ReadFile(path));
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash == 0 ? 1 : slash);
  return ParseTemplate(text, path, dir);
}

}  // namespace stator::deploy
