#include <gtest/gtest.h>

#include "live_tables.hpp"

namespace shoplake::sql {
namespace {

LiveTable table_named(const std::string& name) {
  return LiveTable{
      name, {{"n", TableColumnType::int64}}, [](std::int64_t) { return ResultChunk{}; }, nullptr};
}

TEST(LiveTableRegistryTest, KeepsReplacedVersionsWhileOlderQueriesRun) {
  LiveTableRegistry registry;
  auto first = registry.add("realtime", "t", table_named("first"));
  registry.commit("realtime", "t", first);
  std::optional<LiveTableRegistry::Pin> old_query(registry.pin());
  for (int i = 0; i < 3; ++i) {
    auto next = registry.add("realtime", "t", table_named("next"));
    registry.commit("realtime", "t", next);
  }
  ASSERT_TRUE(registry.find(first));
  EXPECT_EQ(registry.find(first)->qualified_name, "first");
  auto new_query = registry.pin();
  old_query.reset();
  EXPECT_FALSE(registry.find(first));
}

TEST(LiveTableRegistryTest, ForgetsAbandonedAndRemovedVersions) {
  LiveTableRegistry registry;
  auto abandoned = registry.add("realtime", "t", table_named("abandoned"));
  registry.abandon(abandoned);
  EXPECT_FALSE(registry.find(abandoned));
  auto current = registry.add("realtime", "t", table_named("current"));
  registry.commit("realtime", "t", current);
  EXPECT_TRUE(registry.find(current));
  registry.remove("realtime", "t");
  EXPECT_FALSE(registry.find(current));
}

}  // namespace
}  // namespace shoplake::sql
