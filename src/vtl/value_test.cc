#include "vtl/value.h"

#include <gtest/gtest.h>

namespace stator::vtl {
namespace {

TEST(VtlValue, ScopeFreesCycles) {
  std::weak_ptr<Map> weak_map;
  std::weak_ptr<List> weak_list;
  {
    ContainerScope scope;
    Value m = Value::NewMap();
    Value l = Value::NewList();
    m.as_map().Put("l", l);
    l.as_list().Add(m);
    weak_map = m.map_ptr();
    weak_list = l.list_ptr();
  }
  EXPECT_TRUE(weak_map.expired());
  EXPECT_TRUE(weak_list.expired());
}

TEST(VtlValue, FrozenSlotsThawOnceAndStayShared) {
  ContainerScope scope;
  Value v = Value::FromJson(*json::Parse(R"({"a":{"b":[1,2]},"n":1.5})"));
  Value a1 = *v.as_map().Get("a");
  Value a2 = *v.as_map().Get("a");
  EXPECT_TRUE(a1.SameAs(a2));
  a1.as_map().Put("c", Value::Int(3));
  EXPECT_EQ(v.ToJsonText(), R"({"a":{"b":[1,2],"c":3},"n":1.5})");
  EXPECT_EQ(v.ToJavaString(), "{a={b=[1, 2], c=3}, n=1.5}");
  EXPECT_TRUE(v.as_map().Get("n")->is_double());
}

TEST(VtlValue, EqualsIsJavas) {
  EXPECT_FALSE(Value::Int(1).Equals(Value::Double(1.0)));
  EXPECT_TRUE(Value::FromJson(*json::Parse(R"({"a":[1]})"))
                  .Equals(Value::FromJson(*json::Parse(R"({"a":[1]})"))));
  EXPECT_FALSE(Value::String("1").Equals(Value::Int(1)));
}

}  // namespace
}  // namespace stator::vtl
