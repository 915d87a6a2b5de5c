#include "engine/test_state_shapes.h"

#include <cctype>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/json.h"

namespace stator::engine {
namespace {

constexpr const char kTableText[] =
#include "engine/test_state_shapes.inc"
    ;

// One shape of the generated table (see scripts/gen_mock_shapes.py for the encoding).
struct Shape {
  char kind = 'd';                                   // o l m s n b B t d
  std::vector<std::pair<std::string, int>> members;  // o
  std::vector<std::string> required;                 // o
  std::vector<std::string> allowed;                  // s (enum)
  int element = -1;                                  // l, m
  std::optional<double> min, max;                    // l s n B
};

struct Table {
  std::vector<Shape> shapes;
  // service -> operation -> output shape
  std::unordered_map<std::string, std::unordered_map<std::string, int>> services;
  std::unordered_map<std::string, std::string> aliases;
};

// The number of code points of UTF-8 text (the models' string lengths count characters).
size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool Contains(const std::vector<std::string>& names, std::string_view name) {
  for (const std::string& n : names) {
    if (n == name) return true;
  }
  return false;
}

std::optional<double> Bound(const json::Value& v) {
  if (v.is_number()) return v.as_double();
  return std::nullopt;
}

std::unique_ptr<Table> BuildTable() {
  auto table = std::make_unique<Table>();
  Result<json::Value> parsed = json::Parse(kTableText);
  if (!parsed.ok()) return table;  // a broken generated file: validate nothing
  const json::Value& root = *parsed;
  for (const json::Value& s : root.Find("shapes")->as_array()) {
    const json::Array& a = s.as_array();
    Shape shape;
    shape.kind = a[0].as_string()[0];
    switch (shape.kind) {
      case 'o':
        for (const json::Member& m : a[1].as_object()) {
          shape.members.emplace_back(m.first, static_cast<int>(m.second.as_int()));
        }
        for (const json::Value& r : a[2].as_array()) shape.required.push_back(r.as_string());
        break;
      case 'l':
        shape.element = static_cast<int>(a[1].as_int());
        shape.min = Bound(a[2]);
        shape.max = Bound(a[3]);
        break;
      case 'm':
        shape.element = static_cast<int>(a[1].as_int());
        break;
      case 's':
        shape.min = Bound(a[1]);
        shape.max = Bound(a[2]);
        if (a.size() > 3) {
          for (const json::Value& e : a[3].as_array()) shape.allowed.push_back(e.as_string());
        }
        break;
      case 'n':
      case 'B':
        shape.min = Bound(a[1]);
        shape.max = Bound(a[2]);
        break;
      default:
        break;
    }
    table->shapes.push_back(std::move(shape));
  }
  for (const json::Member& service : root.Find("services")->as_object()) {
    auto& ops = table->services[service.first];
    for (const json::Member& op : service.second.as_object()) {
      ops.emplace(op.first, static_cast<int>(op.second.as_int()));
    }
  }
  for (const json::Member& a : root.Find("aliases")->as_object()) {
    table->aliases.emplace(a.first, a.second.as_string());
  }
  return table;
}

const Table& GetTable() {
  static const std::unique_ptr<Table> table = BuildTable();
  return *table;
}

struct Target {
  int shape = -1;
  bool sdk = false;  // an aws-sdk integration
};

// The output shape of the call `resource` names, if the table has it.
std::optional<Target> FindTarget(std::string_view resource) {
  // arn:<partition>:states:::<rest>
  size_t colon = 0;
  for (int i = 0; i < 5; ++i) {
    colon = resource.find(':', colon);
    if (colon == std::string_view::npos) return std::nullopt;
    ++colon;
  }
  if (resource.substr(0, 4) != "arn:") return std::nullopt;
  size_t states = resource.find(":states:::");
  if (states == std::string_view::npos || states + 10 != colon) return std::nullopt;
  std::string_view rest = resource.substr(colon);
  Target target;
  if (rest.substr(0, 8) == "aws-sdk:") {
    target.sdk = true;
    rest.remove_prefix(8);
  }
  size_t sep = rest.find(':');
  if (sep == std::string_view::npos) return std::nullopt;
  std::string service(rest.substr(0, sep));
  std::string action(rest.substr(sep + 1));
  if (action.empty() || action.find('.') != std::string::npos) return std::nullopt;  // .sync etc.
  if (target.sdk && action.find(':') != std::string::npos) return std::nullopt;
  const Table& table = GetTable();
  auto alias = table.aliases.find(service);
  if (alias != table.aliases.end()) service = alias->second;
  auto ops = table.services.find(service);
  if (ops == table.services.end()) return std::nullopt;
  action[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(action[0])));
  auto op = ops->second.find(action);
  if (op == ops->second.end()) return std::nullopt;
  target.shape = op->second;
  return target;
}

class Validator {
 public:
  Validator(const Table& table, bool strict) : table_(table), strict_(strict) {}

  // The first problem of v against shape i; `name` is the member's name (for messages).
  std::optional<std::string> Check(int i, const json::Value& v, const std::string& name) const {
    const Shape& s = table_.shapes[i];
    auto field = [&](const char* what) { return "Field '" + name + "' " + what; };
    switch (s.kind) {
      case 'o': {
        if (!v.is_object()) return field("must be an object");
        // Member by member in the model's order: the first problem found is the answer.
        for (const auto& [member, shape] : s.members) {
          const json::Value* m = v.Find(member);
          if (m == nullptr) {
            if (strict_ && Contains(s.required, member)) {
              return "Required field '" + member + "' is missing";
            }
            continue;
          }
          if (auto e = Check(shape, *m, member)) return e;
        }
        return std::nullopt;
      }
      case 'l': {
        if (!v.is_array()) return field("must be an array");
        const double n = static_cast<double>(v.as_array().size());
        if (s.min && n < *s.min) return field("is smaller than the minimum length");
        if (s.max && n > *s.max) return field("exceeds the maximum length");
        for (const json::Value& e : v.as_array()) {
          if (auto err = Check(s.element, e, name)) return err;
        }
        return std::nullopt;
      }
      case 'm': {
        if (!v.is_object()) return field("must be an object");
        for (const json::Member& m : v.as_object()) {
          if (auto err = Check(s.element, m.second, m.first)) return err;
        }
        return std::nullopt;
      }
      case 's': {
        if (!v.is_string()) return field("must be a string");
        const double n = static_cast<double>(Utf8Length(v.as_string()));
        if (s.min && n < *s.min) return field("is smaller than the minimum length");
        if (s.max && n > *s.max) return field("exceeds the maximum length");
        if (!s.allowed.empty() && !Contains(s.allowed, v.as_string())) {
          return field("is not an expected value");
        }
        return std::nullopt;
      }
      case 'n': {
        if (!v.is_number()) return field("must be a number");
        if (s.min && v.as_double() < *s.min) return field("is less than the minimum value");
        if (s.max && v.as_double() > *s.max) return field("exceeds the maximum value");
        return std::nullopt;
      }
      case 'b':
        if (!v.is_bool()) return field("must be a boolean");
        return std::nullopt;
      case 'B': {
        if (!v.is_string()) return field("must be a string");
        const double n = static_cast<double>(v.as_string().size());
        if (s.min && n < *s.min) return field("is smaller than the minimum length");
        if (s.max && n > *s.max) return field("exceeds the maximum length");
        return std::nullopt;
      }
      case 't':
        if (!v.is_string()) return field("must be a string");
        return std::nullopt;
      default:
        return std::nullopt;
    }
  }

 private:
  const Table& table_;
  const bool strict_;
};

}  // namespace

std::optional<std::string> ValidateMockResult(std::string_view resource, const json::Value& result,
                                              MockValidationMode mode) {
  if (mode == MockValidationMode::kNone) return std::nullopt;
  std::optional<Target> target = FindTarget(resource);
  if (!target) return std::nullopt;
  Validator validator(GetTable(), mode == MockValidationMode::kStrict);
  std::optional<std::string> problem = validator.Check(target->shape, result, "result");
  if (!problem) return std::nullopt;
  return "Mock result schema validation error: " + *problem;
}

bool HasMockShape(std::string_view resource) { return FindTarget(resource).has_value(); }

}  // namespace stator::engine
