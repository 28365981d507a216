// The Markdown summary for pull-request comments: worst findings first, hostile names inert,
// and never over GitHub's 65 536-character comment limit.

#include "report/markdown/markdown_writer.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace fwcert::report {
namespace {

Finding make(const std::string& check, Status st, Severity sev, const std::string& subject) {
  Finding f;
  f.check = check;
  f.status = st;
  f.severity = sev;
  f.subject = subject;
  f.message = "message " + subject;
  f.evidence.push_back({"/etc/" + subject, 4, std::nullopt, "seen-" + subject, ""});
  return f;
}

Report sample() {
  Report r;
  r.tool.version = "0.1.0";
  r.target.path = "out/fw.squashfs";
  r.target.format = "squashfs";
  r.profile = "avs";
  r.findings.push_back(make("a-low", Status::kFail, Severity::kLow, "lowthing"));
  r.findings.push_back(make("b-crit", Status::kFail, Severity::kCritical, "critthing"));
  r.findings.push_back(make("c-pass", Status::kPass, Severity::kHigh, "fine"));
  r.findings.push_back(make("d-inc", Status::kInconclusive, Severity::kHigh, "unknown"));
  RequirementResult q;
  q.id = "AVS-1.2";
  q.title = "Passwords";
  q.verdict = Verdict::kNotMet;
  r.requirements.push_back(q);
  q.id = "AVS-1.3";
  q.verdict = Verdict::kInconclusive;
  r.requirements.push_back(q);
  return r;
}

/// The report rendered with its summary at gate high, computed as the scan computes it.
std::string render(Report r, const MarkdownOptions& options = {}) {
  r.summary = summarize(r, Severity::kHigh);
  return to_markdown(r, options);
}

TEST(MarkdownWriter, SummaryCountsAndWorstFindingFirst) {
  auto md = render(sample());
  EXPECT_NE(md.find("## fwcert: `fw.squashfs` — 2 failing, 0 warning"), std::string::npos) << md;
  EXPECT_NE(md.find("| avs (2) | 0 | 1 | 0 | 1 | 0 | 0 | 0 | 0 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| 4 | 2 | 0 | 0 | 1 | 1 | 0 | 0 |"), std::string::npos) << md;
  EXPECT_NE(md.find("\n1 failing finding at or above the gate severity **high**, not waived (exit 1).\n"),
            std::string::npos)
      << md;
  auto crit = md.find("1. **critical** `b-crit` `critthing`");
  auto low = md.find("2. **low** `a-low`");
  ASSERT_NE(crit, std::string::npos) << md;
  ASSERT_NE(low, std::string::npos) << md;
  EXPECT_NE(md.find("   - `/etc/critthing:4` seen `seen-critthing`"), std::string::npos) << md;
  auto details = md.find("<details>");
  ASSERT_NE(details, std::string::npos);
  EXPECT_GT(details, low);
  EXPECT_NE(md.find("</details>"), std::string::npos);
  // Passing findings are counted, not listed.
  EXPECT_EQ(md.find("c-pass"), std::string::npos);
  EXPECT_NE(md.find("| inconclusive | high | `d-inc`"), std::string::npos);
}

TEST(MarkdownWriter, WaivedFailuresAreCountedAndShownAsWaivedExpiredWaiversListed) {
  Report r = sample();
  r.findings[1].waiver = AppliedWaiver{"waivers.yaml:3", "lab device only", "alice", "2030-01-01"};
  WaiverResult applied;
  applied.id = "waivers.yaml:3";
  applied.check = "b-crit";
  applied.subject = "crit*";
  applied.owner = "alice";
  applied.expires = "2030-01-01";
  applied.state = WaiverResult::State::kApplied;
  applied.matched = 1;
  WaiverResult expired = applied;
  expired.id = "waivers.yaml:9";
  expired.expires = "2020-01-01";
  expired.state = WaiverResult::State::kExpired;
  r.waivers = {applied, expired};
  auto md = render(r);
  EXPECT_NE(md.find("— 1 failing, 0 warning, 1 waived"), std::string::npos) << md;
  EXPECT_NE(md.find("| 4 | 1 | 0 | 1 | 1 | 1 | 0 | 0 |"), std::string::npos) << md;
  // The waived critical finding is not among the failing findings above the fold.
  EXPECT_NE(md.find("Failing findings (1 of 1"), std::string::npos) << md;
  EXPECT_NE(md.find("| fail (waived by `waivers.yaml:3`) | critical | `b-crit`"), std::string::npos) << md;
  EXPECT_NE(md.find("**expired waiver** `waivers.yaml:9`"), std::string::npos) << md;
  EXPECT_NE(md.find("| `waivers.yaml:9` | `b-crit` | `crit*` | alice | 2020-01-01 | expired | 1 |"), std::string::npos)
      << md;
}

TEST(MarkdownWriter, HostileNamesCannotMentionOrInjectHtml) {
  Report r = sample();
  r.findings[1].message = "owned by @octocat <script>alert(1)</script> see #1";
  r.findings[1].subject = "x`|<b>";
  auto md = render(r);
  EXPECT_EQ(md.find(" @octocat"), std::string::npos) << md;
  EXPECT_NE(md.find("\\@octocat"), std::string::npos) << md;
  EXPECT_EQ(md.find("<script>"), std::string::npos);
  EXPECT_EQ(md.find(" #1"), std::string::npos);
  EXPECT_NE(md.find("``x`\\|<b>``"), std::string::npos) << md;
}

TEST(MarkdownWriter, ManyFindingsAreCutUnderTheCommentLimitWithANote) {
  Report r = sample();
  for (int i = 0; i < 5000; ++i) {
    r.findings.push_back(make(fmt::format("check-{:04}", i), Status::kFail, Severity::kHigh,
                              fmt::format("subject-{}-{}", i, std::string(60, 'x'))));
  }
  auto md = render(r);
  EXPECT_LE(md.size(), 65536u);
  EXPECT_GT(md.size(), 60000u);  // the budget is used, not wasted
  EXPECT_NE(md.find("cut here to fit a comment"), std::string::npos);
  EXPECT_NE(md.find("</details>"), std::string::npos);
  // Still only the top ten above the fold.
  EXPECT_NE(md.find("Failing findings (10 of 5002"), std::string::npos);

  MarkdownOptions tiny;
  tiny.max_bytes = 300;
  auto small = render(r, tiny);
  EXPECT_LE(small.size(), 300u);
  EXPECT_NE(small.find("cut here"), std::string::npos) << small;

  // A small report is not cut.
  EXPECT_EQ(render(sample()).find("cut here"), std::string::npos);
}

}  // namespace
}  // namespace fwcert::report
