#include "common/mutex.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

namespace stator {
namespace {

class Counter {
 public:
  void Add(int n) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    total_ += n;
    ++adds_;
    changed_.SignalAll();
  }
  // Waits until `adds` calls of Add have been made; returns the total then.
  int WaitForAdds(int adds) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    while (adds_ < adds) changed_.Wait(&mu_);
    return total_;
  }
  bool WaitForAddsFor(int adds, std::chrono::milliseconds timeout) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (adds_ < adds) {
      if (!changed_.WaitUntil(&mu_, deadline)) return adds_ >= adds;
    }
    return true;
  }

 private:
  Mutex mu_;
  CondVar changed_;
  int total_ GUARDED_BY(mu_) = 0;
  int adds_ GUARDED_BY(mu_) = 0;
};

TEST(Mutex, GuardsAndSignals) {
  Counter c;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&c] {
      for (int i = 1; i <= 1000; ++i) c.Add(i);
    });
  }
  EXPECT_EQ(c.WaitForAdds(4000), 4 * 500500);
  for (auto& t : threads) t.join();
}

TEST(Mutex, WaitUntilReturnsFalseAtTheDeadline) {
  Counter c;
  EXPECT_FALSE(c.WaitForAddsFor(1, std::chrono::milliseconds(20)));
  c.Add(1);
  EXPECT_TRUE(c.WaitForAddsFor(1, std::chrono::milliseconds(20)));
}

TEST(Mutex, LockCanBeGivenUpAndTakenAgain) {
  Mutex mu;
  MutexLock lock(&mu);
  lock.Unlock();
  const bool free_while_given_up = mu.TryLock();
  EXPECT_TRUE(free_while_given_up);
  if (free_while_given_up) mu.Unlock();
  lock.Lock();
  std::thread other([&mu] { EXPECT_FALSE(mu.TryLock()); });
  other.join();
}

}  // namespace
}  // namespace stator
