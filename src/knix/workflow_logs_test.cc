#include "knix/workflow_logs.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/memory_store.h"

namespace stator::knix {
namespace {

// 2026-12-06 22:39:40.438697 UTC
constexpr int64_t kT = 1796596780438697;

TEST(WorkflowLogsTest, LinesInKnixFormatWithTimestampFilterAndCount) {
  store::MemoryStore store;
  WorkflowLogs logs(&store);
  logs.Append("wf", kT, "INFO", "req-1", "s0", "one\ntwo\n");
  logs.Append("wf", kT + 5, "ERROR", "req-2", "s1", "three");
  logs.Append("other", kT, "INFO", "req-3", "x", "elsewhere");
  auto all = logs.Retrieve("wf", 0, 0);
  EXPECT_EQ(all.log,
            "[1796596780438697] [2026-12-06 22:39:40.438] [INFO] [req-1] [s0] one\n"
            "[1796596780438697] [2026-12-06 22:39:40.438] [INFO] [req-1] [s0] two\n"
            "[1796596780438702] [2026-12-06 22:39:40.438] [ERROR] [req-2] [s1] three\n");
  EXPECT_EQ(all.last_us, kT + 5);
  EXPECT_EQ(logs.Retrieve("wf", static_cast<double>(kT), 0).log,
            "[1796596780438702] [2026-12-06 22:39:40.438] [ERROR] [req-2] [s1] three\n");
  EXPECT_EQ(logs.Retrieve("wf", 0, 1).last_us, kT + 5);
  auto none = logs.Retrieve("wf", static_cast<double>(kT + 5), 0);
  EXPECT_EQ(none.log, "");
  EXPECT_EQ(none.last_us, -1);
  EXPECT_EQ(logs.Retrieve("missing", 0, 0).log, "");
}

TEST(WorkflowLogsTest, LinesSurviveANewInstanceOnTheSameStoreAndClearRemovesThem) {
  store::MemoryStore store;
  std::string before;
  {
    WorkflowLogs logs(&store);
    logs.Append("wf", kT, "INFO", "r", "s", "kept\nalso kept");
    before = logs.Retrieve("wf", 0, 0).log;
  }  // the destructor commits what is pending
  {
    WorkflowLogs logs(&store);
    EXPECT_EQ(logs.Retrieve("wf", 0, 0).log, before);
    logs.Append("wf", kT + 1, "INFO", "r2", "s", "after the restart");
    logs.FlushForTesting();
    auto page = store.ListRecords("knix.logs", "wf/", "", 100);
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->items.size(), 3u);
    logs.Clear("wf");
    EXPECT_EQ(logs.Retrieve("wf", 0, 0).log, "");
    logs.FlushForTesting();
    page = store.ListRecords("knix.logs", "wf/", "", 100);
    ASSERT_TRUE(page.ok());
    EXPECT_TRUE(page->items.empty());
  }
  WorkflowLogs logs(&store);
  EXPECT_EQ(logs.Retrieve("wf", 0, 0).log, "");
}

TEST(WorkflowLogsTest, SharedLogsSeeEveryServersLinesAndClearRemovesThemAll) {
  // Two servers of a cluster on one store: both append to one workflow, at the same moment.
  store::MemoryStore store;
  WorkflowLogs a(&store, /*shared=*/true);
  WorkflowLogs b(&store, /*shared=*/true);
  a.Append("wf", kT, "INFO", "ra", "s", "from a");
  b.Append("wf", kT, "INFO", "rb", "s", "from b");
  b.Append("wf", kT + 1, "INFO", "rb2", "s", "later from b");
  // Another server's lines are there once it committed them (within kFlushInterval).
  b.FlushForTesting();
  const std::string expected_tail =
      "[1796596780438698] [2026-12-06 22:39:40.438] [INFO] [rb2] [s] later from b\n";
  for (WorkflowLogs* logs : {&a, &b}) {
    WorkflowLogs::Retrieved all = logs->Retrieve("wf", 0, 0);
    EXPECT_NE(all.log.find("[ra] [s] from a\n"), std::string::npos) << all.log;
    EXPECT_NE(all.log.find("[rb] [s] from b\n"), std::string::npos) << all.log;
    EXPECT_TRUE(all.log.ends_with(expected_tail)) << all.log;
    EXPECT_EQ(all.last_us, kT + 1);
  }
  auto page = store.ListRecords("knix.logs", "wf/", "", 100);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 3u);  // same timestamp, same sequence number: different keys
  a.Clear("wf");
  EXPECT_EQ(b.Retrieve("wf", 0, 0).log, "");
  EXPECT_EQ(a.Retrieve("wf", 0, 0).log, "");
}

TEST(WorkflowLogsTest, KeepsTheLastMaxLinesInMemoryAndInTheStore) {
  store::MemoryStore store;
  {
    WorkflowLogs logs(&store);
    std::string text;
    for (size_t i = 0; i < WorkflowLogs::kMaxLines + 5; ++i) text += "l" + std::to_string(i) + "\n";
    logs.Append("wf", kT, "INFO", "r", "s", text);
    auto got = logs.Retrieve("wf", 0, 0).log;
    EXPECT_EQ(got.substr(got.find("] l") + 2, 3), "l5\n");
  }
  size_t stored = 0;
  std::string after;
  while (true) {
    auto page = store.ListRecords("knix.logs", "wf/", after, 1000);
    ASSERT_TRUE(page.ok());
    stored += page->items.size();
    if (page->next.empty()) break;
    after = page->next;
  }
  EXPECT_EQ(stored, WorkflowLogs::kMaxLines);
}

}  // namespace
}  // namespace stator::knix
