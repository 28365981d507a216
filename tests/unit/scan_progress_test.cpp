// ScanOptions::progress: what a progress display is told, and that it never goes backwards.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <mutex>
#include <thread>
#include <vector>

#include "analyzers/analyzer.hpp"
#include "fwcert/scan.hpp"
#include "support/test_util.hpp"

namespace fwcert::test {
namespace {

TEST(ScanProgress, CountsOnlyGrowAndEveryAnalyzerIsCounted) {
  TempDir d;
  write_file(d / "root/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  for (int i = 0; i < 3000; ++i) write_file(d / fmt::format("root/usr/share/f{:02}/{}", i % 40, i), "x\n");
  std::vector<ScanProgress> calls;
  std::mutex m;
  bool overlapped = false;
  bool inside = false;
  ScanOptions o;
  o.threads = 4;
  o.progress = [&](const ScanProgress& p) {
    std::unique_lock lock(m, std::try_to_lock);
    if (!lock.owns_lock() || inside) overlapped = true;  // calls must never overlap
    inside = true;
    calls.push_back(p);
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    inside = false;
  };
  auto r = scan(d / "root", o);
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_FALSE(overlapped);
  ASSERT_GE(calls.size(), 2u);
  const std::size_t analyzers = analyzers::registry().size();
  // The walk is reported before analyzers start (the first call comes at 256 entries).
  EXPECT_EQ(calls.front().analyzers_total, 0u);
  EXPECT_GE(calls.front().entries_walked, 256u);
  for (std::size_t i = 1; i < calls.size(); ++i) {
    EXPECT_GE(calls[i].entries_walked, calls[i - 1].entries_walked) << i;
    EXPECT_GE(calls[i].analyzers_done, calls[i - 1].analyzers_done) << i;
    EXPECT_GE(calls[i].analyzers_total, calls[i - 1].analyzers_total) << i;
  }
  // Then one call as analyzers start and one after each of them.
  std::size_t with_total = 0;
  for (const auto& c : calls) with_total += c.analyzers_total == analyzers;
  EXPECT_EQ(with_total, analyzers + 1);
  EXPECT_EQ(calls.back().analyzers_done, analyzers);
  EXPECT_EQ(calls.back().entries_walked, r->inventory.files + r->inventory.directories + r->inventory.symlinks +
                                             r->inventory.devices + r->inventory.other);
}

TEST(ScanProgress, NoCallbackNoCalls) {
  TempDir d;
  write_file(d / "root/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  ScanOptions o;  // progress left empty: the scan must not try to call it
  auto r = scan(d / "root", o);
  ASSERT_TRUE(r) << r.error().describe();
}

}  // namespace
}  // namespace fwcert::test
