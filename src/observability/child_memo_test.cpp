#include "observability/child_memo.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "observability/metrics.h"

namespace vigil::observability {
namespace {

using Memo = ChildMemo<Counter>;

TEST(ChildMemo, AnswersWhatWasRememberedAndNothingElse) {
  MetricsRegistry registry;
  auto& family = registry.counter("memo_total", "test", {"k"});
  Memo memo;
  EXPECT_EQ(memo.find({1, 2, 3}), nullptr);
  memo.remember({1, 2, 3}, family.with({"a"}));
  memo.remember({1, 2, 4}, family.with({"b"}));
  EXPECT_EQ(memo.find({1, 2, 3}), &family.with({"a"}));
  EXPECT_EQ(memo.find({1, 2, 4}), &family.with({"b"}));
  EXPECT_EQ(memo.find({2, 2, 3}), nullptr);
  memo.remember({1, 2, 3}, family.with({"c"}));  // a key keeps its first child
  EXPECT_EQ(memo.find({1, 2, 3}), &family.with({"a"}));
  EXPECT_EQ(memo.size(), 2U);
}

TEST(ChildMemo, StopsRememberingWhenThreeQuartersFullAndStillAnswersTheRest) {
  MetricsRegistry registry;
  auto& family = registry.counter("memo_total", "test", {"k"});
  Memo memo;
  const std::size_t keys = Memo::kSlots;  // more than it keeps
  for (std::size_t i = 0; i < keys; ++i) memo.remember({i, 0, 0}, family.with({std::to_string(i)}));
  EXPECT_EQ(memo.size(), Memo::kSlots * 3 / 4);
  std::size_t found = 0;
  for (std::size_t i = 0; i < keys; ++i) {
    if (auto* child = memo.find({i, 0, 0})) {
      EXPECT_EQ(child, &family.with({std::to_string(i)})) << i;
      ++found;
    }
  }
  EXPECT_EQ(found, Memo::kSlots * 3 / 4);
}

TEST(ChildMemo, ReadersOnOtherThreadsSeeEveryChildWhole) {
  MetricsRegistry registry;
  auto& family = registry.counter("memo_total", "test", {"k"});
  std::vector<Counter*> children;
  for (int i = 0; i < 200; ++i) children.push_back(&family.with({std::to_string(i)}));
  Memo memo;
  std::thread writer([&] {
    for (std::size_t i = 0; i < children.size(); ++i) memo.remember({i, 7, 7}, *children[i]);
  });
  std::vector<std::thread> readers;
  std::atomic<int> wrong{0};
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      for (int round = 0; round < 200; ++round) {
        for (std::size_t i = 0; i < children.size(); ++i) {
          Counter* c = memo.find({i, 7, 7});
          if (c != nullptr && c != children[i]) ++wrong;
        }
      }
    });
  }
  writer.join();
  for (auto& t : readers) t.join();
  EXPECT_EQ(wrong.load(), 0);
  for (std::size_t i = 0; i < children.size(); ++i) EXPECT_EQ(memo.find({i, 7, 7}), children[i]);
}

}  // namespace
}  // namespace vigil::observability
