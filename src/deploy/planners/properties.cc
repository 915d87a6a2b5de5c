#include "deploy/planners/properties.h"

#include <sys/stat.h>

#include <cstdlib>

#include "deploy/intrinsics.h"

namespace stator::deploy {

Result<std::string> StringProperty(const json::Value& props, const std::string& key) {
  const json::Value* v = props.Find(key);
  if (!v) return std::string();
  return ScalarText(*v, key);
}

Result<int64_t> IntProperty(const json::Value& v, const std::string& what) {
  if (v.is_int()) return v.as_int();
  if (v.is_string()) {
    char* end = nullptr;
    long long n = strtoll(v.as_string().c_str(), &end, 10);
    if (!v.as_string().empty() && *end == '\0') return static_cast<int64_t>(n);
  }
  return Error{"Template", what + " must be a whole number, got " + v.Dump()};
}

Result<TagList> Tags(const StackScope& scope, const json::Value& props,
                     const std::string& logical_id) {
  TagList tags;
  if (const json::Value* t = props.Find("Tags")) {
    if (t->is_object()) {
      for (const auto& [k, v] : t->as_object()) {
        STATOR_TRY(std::string s, ScalarText(v, "Tags." + k));
        tags.emplace_back(k, s);
      }
    } else if (t->is_array()) {
      for (const json::Value& e : t->as_array()) {
        const json::Value* k = e.Find("Key");
        const json::Value* v = e.Find("Value");
        if (!k || !k->is_string() || !v) {
          return Error{"Template", "Tags must be a list of {Key, Value} or a mapping"};
        }
        STATOR_TRY(std::string s, ScalarText(*v, "Tags." + k->as_string()));
        tags.emplace_back(k->as_string(), s);
      }
    } else {
      return Error{"Template", "Tags must be a list of {Key, Value} or a mapping"};
    }
  }
  tags.emplace_back(kStackTag, scope.stack_name);
  tags.emplace_back(kLogicalIdTag, logical_id);
  return tags;
}

void NoteIgnored(const json::Value& props, const std::set<std::string>& used, PlannedResource* p) {
  for (const auto& [k, v] : props.as_object()) {
    if (!used.count(k)) p->ignored.push_back(k);
  }
}

ResourceAttributes RefAndArn(json::Value ref, const std::string& arn) {
  ResourceAttributes a;
  a.ref = std::move(ref);
  a.atts["Arn"] = json::Value::String(arn);
  return a;
}

std::string JoinPath(const std::string& dir, const std::string& p) {
  if (p.starts_with("/")) return p;
  std::string rel = p;
  while (rel.starts_with("./")) rel = rel.substr(2);
  if (dir.empty() || dir == ".") return rel.empty() ? "." : rel;
  return dir + "/" + rel;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool PathExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

}  // namespace stator::deploy
