// os-kernel-lts at fixed assessment dates against the real built-in kernel.org table: 4.19
// (long-term, end of life 2024-12-05) before, near and after its end, a stable-only branch, and
// versions outside the table.

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "analyzers/kernel/kernel.hpp"
#include "inventory/inventory.hpp"
#include "scan/pipeline.hpp"
#include "support/analyzer_run.hpp"
#include "vfs/memory_vfs.hpp"

namespace fwcert::analyzers::kernel {
using namespace formats::kernel;
namespace {

struct Judged {
  Output out;
  const Finding* lts = nullptr;
  const Fact* fact(std::string_view name) const {
    for (const auto& f : out.facts) {
      if (f.name == name && f.subject == "kernel") return &f;
    }
    return nullptr;
  }
};

/// Scans a tree holding /lib/modules/<release> at `date`.
Judged judge(const std::string& release, const std::string& date, unsigned window = 365) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  if (!release.empty()) EXPECT_TRUE(v->add_dir("/lib/modules/" + release).ok());
  EXPECT_TRUE(v->add_file("/etc/hostname", "x\n").ok());
  inventory::Inventory inv;
  std::vector<Diagnostic> diags;
  inv.walk(inv.add_filesystem({"", "memory", 0, "", 0, v}), diags);
  inv.finish();
  ScanOptions o;
  o.assessment_date = date;
  o.eol_warning_days = window;
  Judged j;
  j.out = run(Context{inv, test::analyzer_options(o)});
  for (const auto& f : j.out.findings) {
    if (f.check == "os-kernel-lts") {
      EXPECT_EQ(j.lts, nullptr) << "one os-kernel-lts finding";
      j.lts = &f;
    }
  }
  EXPECT_NE(j.lts, nullptr);
  return j;
}

TEST(KernelLts, LongTermBranchBeforeNearAndAfterItsEndOfLife) {
  auto before = judge("4.19.200-cip", "2023-06-01");
  ASSERT_NE(before.lts, nullptr);
  EXPECT_EQ(before.lts->status, Status::kPass) << before.lts->message;
  EXPECT_NE(before.lts->message.find("supported until 2024-12-05"), std::string::npos) << before.lts->message;
  EXPECT_NE(before.lts->message.find("125 point releases behind 4.19.325"), std::string::npos);
  EXPECT_NE(before.lts->message.find("CIP"), std::string::npos);
  ASSERT_NE(before.fact("kernel.eol"), nullptr);
  EXPECT_EQ(std::get<std::string>(before.fact("kernel.eol")->value), "2024-12-05");
  EXPECT_EQ(std::get<std::int64_t>(before.fact("kernel.sublevel_lag")->value), 125);
  EXPECT_TRUE(std::get<bool>(before.fact("kernel.lts")->value));
  ASSERT_FALSE(before.lts->evidence.empty());
  EXPECT_EQ(before.lts->evidence[0].path, "/lib/modules/4.19.200-cip");

  auto near = judge("4.19.200", "2024-06-01");
  EXPECT_EQ(near.lts->status, Status::kWarn) << near.lts->message;
  EXPECT_NE(near.lts->message.find("187 days after"), std::string::npos) << near.lts->message;
  // A smaller window makes the same day a pass.
  EXPECT_EQ(judge("4.19.200", "2024-06-01", 90).lts->status, Status::kPass);

  auto last_day = judge("4.19.200", "2024-12-04", 0);
  EXPECT_EQ(last_day.lts->status, Status::kPass);
  auto after = judge("4.19.200", "2024-12-05");
  EXPECT_EQ(after.lts->status, Status::kFail) << after.lts->message;
  EXPECT_NE(after.lts->message.find("reached end of life on 2024-12-05"), std::string::npos);
}

TEST(KernelLts, StableOnlyBranchFailsEvenBeforeItsEnd) {
  auto j = judge("6.11.3", "2024-10-01");
  EXPECT_EQ(j.lts->status, Status::kFail) << j.lts->message;
  EXPECT_NE(j.lts->message.find("not a long-term branch"), std::string::npos);
  EXPECT_FALSE(std::get<bool>(j.fact("kernel.lts")->value));
  EXPECT_EQ(judge("6.12.40", "2026-01-01").lts->status, Status::kPass);
}

TEST(KernelLts, DebianAbiNameHasNoKnownSublevel) {
  auto j = judge("6.1.0-41-amd64", "2026-01-01");
  EXPECT_EQ(j.lts->status, Status::kPass);
  EXPECT_NE(j.lts->message.find("point release and its lag are unknown"), std::string::npos) << j.lts->message;
  EXPECT_EQ(j.fact("kernel.sublevel_lag"), nullptr);
}

TEST(KernelLts, OutsideTheTableOrUnknown) {
  EXPECT_EQ(judge("2.6.32", "2020-01-01").lts->status, Status::kFail);
  auto newer = judge("9.1.0", "2030-01-01");
  EXPECT_EQ(newer.lts->status, Status::kInconclusive);
  EXPECT_NE(newer.lts->message.find("refresh"), std::string::npos);
  EXPECT_EQ(judge("", "2024-01-01").lts->status, Status::kInconclusive);
}

TEST(KernelLts, AnImpossibleAssessmentDayIsAnInputErrorBeforeAnyAnalyzerRuns) {
  // The day is parsed once by the scan's input stage; analyzers only ever see a valid one.
  ScanOptions o;
  o.assessment_date = "2024-02-30";
  auto ao = scanning::analyzer_options(o);
  ASSERT_FALSE(ao.ok());
  EXPECT_NE(ao.error().describe().find("2024-02-30"), std::string::npos) << ao.error().describe();
}

}  // namespace
}  // namespace fwcert::analyzers::kernel
