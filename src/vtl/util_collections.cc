// $util.str, $util.math, $util.list, $util.map and $util.transform: AppSync's string, number and
// collection helpers. The copy helpers return new containers and leave their inputs alone.
#include <cmath>
#include <cstring>
#include <map>

#include "common/random.h"
#include "vtl/runtime.h"
#include "vtl/text.h"

namespace stator::vtl {

namespace {

uint64_t RandomU64() {
  std::string bytes = RandomBytes(8);
  uint64_t v = 0;
  std::memcpy(&v, bytes.data(), sizeof v);
  return v;
}

bool ListHas(List& l, const Value& v) {
  for (size_t i = 0; i < l.size(); ++i) {
    if (l.At(i).Equals(v)) return true;
  }
  return false;
}

// $util.transform.toDynamoDBFilterExpression: a filter object of GraphQL's
// {field: {op: value}, and: [...], or: [...], not: {...}} form as a DynamoDB filter.
class FilterBuilder {
 public:
  // The expression of one filter object (its conditions joined with AND); false when the
  // object has a form not supported.
  bool Object(const Value& filter_value, std::string* out) {
    Walk::Visit visit(&walk_, filter_value);
    if (!visit.ok()) return false;  // a filter inside itself
    Map& filter = filter_value.as_map();
    std::vector<std::string> parts;
    for (size_t i = 0; i < filter.size(); ++i) {
      const std::string& key = filter.KeyAt(i);
      Value& v = filter.ValueAt(i);
      std::string part;
      if (key == "and" || key == "or") {
        if (!v.is_list()) return false;
        std::vector<std::string> subs;
        for (size_t j = 0; j < v.as_list().size(); ++j) {
          Value& item = v.as_list().At(j);
          std::string sub;
          if (!item.is_map() || !Object(item, &sub)) return false;
          subs.push_back(sub);
        }
        part = Join(subs, key == "and" ? " AND " : " OR ");
      } else if (key == "not") {
        std::string sub;
        if (!v.is_map() || !Object(v, &sub)) return false;
        part = "(NOT " + sub + ")";
      } else {
        if (!v.is_map()) return false;
        std::vector<std::string> conds;
        for (size_t j = 0; j < v.as_map().size(); ++j) {
          std::string cond;
          if (!Condition(key, v.as_map().KeyAt(j), v.as_map().ValueAt(j), &cond)) return false;
          conds.push_back(cond);
        }
        part = Join(conds, " AND ");
      }
      parts.push_back(part);
    }
    *out = Join(parts, " AND ");
    return true;
  }

  Value names = Value::NewMap();
  Value values = Value::NewMap();

 private:
  Walk walk_;

  static std::string Join(const std::vector<std::string>& parts, const char* sep) {
    if (parts.size() == 1) return parts[0];
    std::string out = "(";
    for (size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) out += sep;
      out += parts[i];
    }
    return out + ")";
  }

  std::string Name(const std::string& field) {
    names.as_map().Put("#" + field, Value::String(field));
    return "#" + field;
  }

  std::string Placeholder(const std::string& field, const std::string& op, const Value& v) {
    std::string base = ":" + field + "_" + op;
    std::string name = base;
    for (int i = 1; values.as_map().Contains(name); ++i) name = base + "_" + std::to_string(i);
    Value typed = Value::NewMap();
    if (v.is_string()) {
      typed.as_map().Put("S", v);
    } else if (v.is_number()) {
      typed.as_map().Put("N", v);
    } else if (v.is_bool()) {
      typed.as_map().Put("BOOL", v);
    } else {
      typed.as_map().Put("NULL", Value());
    }
    values.as_map().Put(name, std::move(typed));
    return name;
  }

  bool Condition(const std::string& field, const std::string& op, Value& v, std::string* out) {
    static const std::map<std::string, std::string> kCompare = {
        {"eq", "="}, {"ne", "<>"}, {"le", "<="}, {"lt", "<"}, {"ge", ">="}, {"gt", ">"}};
    std::string name = Name(field);
    if (auto it = kCompare.find(op); it != kCompare.end()) {
      *out = name + " " + it->second + " " + Placeholder(field, op, v);
    } else if (op == "contains" || op == "notContains" || op == "beginsWith") {
      std::string fn = op == "beginsWith" ? "begins_with" : "contains";
      *out = fn + "(" + name + ", " + Placeholder(field, op, v) + ")";
      if (op == "notContains") *out = "NOT " + *out;
    } else if (op == "between") {
      if (!v.is_list() || v.as_list().size() != 2) return false;
      std::string low = Placeholder(field, "between_0", v.as_list().At(0));
      std::string high = Placeholder(field, "between_1", v.as_list().At(1));
      *out = name + " BETWEEN " + low + " AND " + high;
    } else if (op == "attributeExists") {
      *out = std::string(Truthy(v) ? "attribute_exists(" : "attribute_not_exists(") + name + ")";
    } else if (op == "attributeType") {
      *out = "attribute_type(" + name + ", " + Placeholder(field, op, v) + ")";
    } else {
      return false;
    }
    return true;
  }
};

}  // namespace

bool CallCollectionUtil(RenderState& st, std::string_view path, std::vector<Value>& args,
                        Value* out) {
  size_t n = args.size();
  auto str = [&](size_t i) { return i < n && args[i].is_string(); };
  if (path == "str.toUpper" && n == 1 && str(0)) {
    *out = Value::String(AsciiUpper(args[0].as_string()));
  } else if (path == "str.toLower" && n == 1 && str(0)) {
    *out = Value::String(AsciiLower(args[0].as_string()));
  } else if (path == "str.toReplace" && n == 3 && str(0) && str(1) && str(2)) {
    *out = Value::String(ReplaceAll(args[0].as_string(), args[1].as_string(), args[2].as_string()));
  } else if (path == "str.normalize" && n == 2 && str(0) && str(1)) {
    // Text is taken as already in the asked form (true of ASCII and of most composed text).
    *out = args[0];
  } else if (path == "math.roundNum" && n == 1 && args[0].is_number()) {
    *out = Value::Int(static_cast<int64_t>(std::floor(args[0].as_double() + 0.5)));
  } else if ((path == "math.minVal" || path == "math.maxVal") && n == 2 && args[0].is_number() &&
             args[1].is_number()) {
    double a = args[0].as_double(), b = args[1].as_double();
    *out = Value::Double(path == "math.minVal" ? std::fmin(a, b) : std::fmax(a, b));
  } else if (path == "math.randomDouble" && n == 0) {
    *out = Value::Double(static_cast<double>(RandomU64() >> 11) * 0x1.0p-53);
  } else if (path == "math.randomWithinRange" && n == 2 && args[0].is_int() && args[1].is_int() &&
             args[0].as_int() <= args[1].as_int()) {
    uint64_t span = static_cast<uint64_t>(args[1].as_int() - args[0].as_int()) + 1;
    *out = Value::Int(args[0].as_int() +
                      static_cast<int64_t>(span == 0 ? RandomU64() : RandomU64() % span));
  } else if ((path == "list.copyAndRemoveAll" || path == "list.copyAndRetainAll") && n == 2 &&
             args[0].is_list() && args[1].is_list()) {
    bool retain = path == "list.copyAndRetainAll";
    *out = Value::NewList();
    List& from = args[0].as_list();
    for (size_t i = 0; i < from.size(); ++i) {
      if (ListHas(args[1].as_list(), from.At(i)) == retain) out->as_list().Add(from.At(i));
    }
  } else if ((path == "map.copyAndRemoveAllKeys" || path == "map.copyAndRetainAllKeys") && n == 2 &&
             args[0].is_map() && args[1].is_list()) {
    bool retain = path == "map.copyAndRetainAllKeys";
    *out = Value::NewMap();
    Map& from = args[0].as_map();
    for (size_t i = 0; i < from.size(); ++i) {
      if (ListHas(args[1].as_list(), Value::String(from.KeyAt(i))) == retain) {
        out->as_map().Put(from.KeyAt(i), from.ValueAt(i));
      }
    }
  } else if (path == "transform.toDynamoDBFilterExpression" && n == 1 && args[0].is_map()) {
    FilterBuilder b;
    std::string expression;
    if (!b.Object(args[0], &expression)) {
      st.Raise("Unsupported filter: " + args[0].ToJsonText(), "MappingTemplate");
      *out = Value();
      return true;
    }
    Value result = Value::NewMap();
    result.as_map().Put("expression", Value::String(expression));
    result.as_map().Put("expressionNames", b.names);
    result.as_map().Put("expressionValues", b.values);
    *out = Value::String(result.ToJsonText());
  } else {
    return false;
  }
  return true;
}

}  // namespace stator::vtl
