// The HTML report: one row per requirement with its verdict, charts drawn from the model's
// counts, hostile names shown as text and never as markup, nothing loaded from anywhere, and
// the same bytes for the same report. The page itself is opened in Chromium by
// tests/cli/cli_html_report_test.cpp.

#include "report/html/html_writer.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "report/common/text.hpp"

namespace fwcert::report {
namespace {

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + needle.size())) ++n;
  return n;
}

Finding make(const std::string& check, Status st, Severity sev, const std::string& subject, const std::string& path,
             std::optional<std::uint64_t> line = std::nullopt, std::optional<std::uint64_t> offset = std::nullopt) {
  Finding f;
  f.check = check;
  f.status = st;
  f.severity = sev;
  f.subject = subject;
  f.message = "message about " + subject;
  if (!path.empty()) f.evidence.push_back({path, line, offset, "seen " + subject, "wanted " + subject});
  return f;
}

/// What the scan copies from the catalog for the checks the sample cites.
std::vector<CitedCheck> cited_checks() {
  std::vector<CitedCheck> c;
  auto add = [&](const std::string& id, const std::string& area, bool implemented) {
    CitedCheck d;
    d.id = id;
    d.title = "title of " + id;
    d.area = area;
    d.implemented = implemented;
    c.push_back(d);
  };
  add("auth-empty-password", "authentication", true);
  add("auth-default-password", "authentication", true);
  add("priv-setuid", "privilege-separation", true);
  add("kern-config", "kernel", true);
  add("upd-signed", "update", false);
  return c;
}

RequirementResult requirement(const std::string& id, const std::string& level, Verdict v,
                              std::vector<std::string> checks) {
  RequirementResult q;
  q.id = id;
  q.title = "title of " + id;
  q.level = level;
  q.verdict = v;
  q.reason = "reason of " + id;
  q.checks = std::move(checks);
  q.modes = {"IMG"};
  return q;
}

Report sample() {
  Report r;
  r.tool.version = "9.8.7";
  r.target.path = "out/fw.squashfs";
  r.target.format = "squashfs";
  r.target.filesystems.push_back({"", "squashfs", 0, ""});
  r.profile = "avs";
  r.metadata.assessment_date = "2026-03-01";
  r.metadata.assessment_date_given = true;
  r.metadata.profile = "avs";
  r.metadata.profile_title = "Amazon AVS";
  r.metadata.requirement_set = "avs";
  r.metadata.gate = "high";
  r.metadata.tool_version = "9.8.7";
  r.metadata.data = {{"data/endoflife/linux-kernel.yaml", "2026-01-15"}};
  r.metadata.target_sha256 = std::string(64, 'a');
  r.findings.push_back(
      make("auth-default-password", Status::kFail, Severity::kCritical, "account:root", "/etc/shadow", 1));
  r.findings.push_back(
      make("auth-empty-password", Status::kFail, Severity::kCritical, "account:guest", "/etc/shadow", 5));
  r.findings.push_back(
      make("auth-empty-password", Status::kPass, Severity::kCritical, "account:root", "/etc/shadow", 1));
  r.findings.push_back(
      make("kern-config", Status::kWarn, Severity::kMedium, "kernel", "/boot/Image", std::nullopt, 0x1f));
  r.findings.push_back(make("kern-config", Status::kInconclusive, Severity::kHigh, "kernel", ""));
  r.findings.push_back(make("priv-setuid", Status::kFail, Severity::kHigh, "/bin/busybox", "/bin/busybox"));
  r.findings.push_back(make("priv-setuid", Status::kFail, Severity::kHigh, "/bin/su", "/bin/su"));
  r.findings[6].waiver = AppliedWaiver{"waivers.yaml:3", "factory test tool", "alice", "2027-01-31"};
  r.findings.push_back(make("uncited-check", Status::kFail, Severity::kLow, "thing", "/etc/thing"));
  r.requirements.push_back(
      requirement("AVS-1.2", "SHALL", Verdict::kNotMet, {"auth-default-password", "auth-empty-password"}));
  r.requirements.push_back(requirement("AVS-CAP-PRIVSEP", "SHALL", Verdict::kMet, {"priv-setuid"}));
  r.requirements.push_back(requirement("AVS-CAP-KERNEL", "SHOULD", Verdict::kPartial, {"kern-config"}));
  r.requirements.push_back(requirement("AVS-1.1", "SHALL", Verdict::kInconclusive, {"upd-signed"}));
  r.requirements.push_back(requirement("AVS-1.4", "SHALL", Verdict::kMissingEvidence, {}));
  r.requirements.push_back(requirement("AVS-1.5", "SHOULD", Verdict::kNeedsAttestation, {}));
  r.requirements[1].waived = {"priv-setuid"};
  WaiverResult w;
  w.id = "waivers.yaml:3";
  w.check = "priv-setuid";
  w.subject = "/bin/su";
  w.owner = "alice";
  w.expires = "2027-01-31";
  w.justification = "factory test tool";
  w.state = WaiverResult::State::kApplied;
  w.matched = 1;
  r.waivers.push_back(w);
  w.id = "waivers.yaml:9";
  w.subject = "/old/*";
  w.expires = "2025-12-31";
  w.state = WaiverResult::State::kExpired;
  w.matched = 2;
  r.waivers.push_back(w);
  w.id = "waivers.yaml:15";
  w.state = WaiverResult::State::kUnused;
  w.expires = "2028-06-30";
  w.matched = 0;
  r.waivers.push_back(w);
  r.metadata.waivers = "waivers.yaml";
  r.metadata.waivers_sha256 = std::string(64, 'b');
  Attestation a;
  a.requirement = "AVS-1.4";
  a.title = "Maintenance strategy";
  a.state = Attestation::State::kMissingEvidence;
  a.problems = {"maintenance policy file docs/maint.pdf is missing"};
  a.source = "product.yaml:12";
  r.attestations.push_back(a);
  a.requirement = "AVS-1.5";
  a.state = Attestation::State::kAttested;
  a.evidence = "https://example.com/security";
  a.file = "docs/vrp.pdf";
  a.sha256 = std::string(64, 'c');
  a.problems.clear();
  r.attestations.push_back(a);
  r.metadata.manifest = "product.yaml";
  r.metadata.manifest_sha256 = std::string(64, 'd');
  r.metadata.product.product = "Echo Thing";
  r.metadata.product.firmware_version = "1.0.3";
  r.metadata.product.firmware_date = "2026-02-01";
  r.metadata.product.support_end = "2030-12-31";
  r.target.diagnostics.push_back({Diagnostic::Level::kWarning, "/etc/broken", "truncated file"});
  r.checks = cited_checks();
  r.summary = summarize(r, Severity::kHigh);
  return r;
}

/// The text of the element that starts at the first `open` tag after `from` up to `close`.
std::string slice(const std::string& html, const std::string& open, const std::string& close, std::size_t from = 0) {
  auto a = html.find(open, from);
  if (a == std::string::npos) return "";
  auto b = html.find(close, a);
  return html.substr(a, b == std::string::npos ? std::string::npos : b + close.size() - a);
}

/// data-key -> data-count of the segments of the bar labelled `label` in chart `id`.
std::map<std::string, std::size_t> bar_counts(const std::string& html, const std::string& id,
                                              const std::string& label) {
  std::string chart = slice(html, "<figure id=\"" + id + "\"", "</figure>");
  std::string bar = slice(chart, "<g class=\"bar\" data-label=\"" + label + "\"", "</g>");
  std::map<std::string, std::size_t> out;
  static const std::regex kSeg(R"re(data-key="([^"]+)" data-count="(\d+)")re");
  for (std::sregex_iterator it(bar.begin(), bar.end(), kSeg), end; it != end; ++it) {
    out[(*it)[1]] = std::stoul((*it)[2]);
  }
  return out;
}

TEST(HtmlWriter, OneRowPerRequirementWithItsVerdictInOrder) {
  auto r = sample();
  auto html = to_html(r);
  EXPECT_EQ(count(html, "<details class=\"req "), r.requirements.size());
  static const std::regex kRow(
      R"re(<details class="req v-([a-z-]+)" id="req-(\d+)" data-requirement="([^"]+)" data-verdict="([a-z-]+)">)re");
  std::vector<std::pair<std::string, std::string>> rows;
  for (std::sregex_iterator it(html.begin(), html.end(), kRow), end; it != end; ++it) {
    EXPECT_EQ((*it)[1], (*it)[4]) << "class and data-verdict disagree";
    rows.emplace_back((*it)[3], (*it)[4]);
  }
  ASSERT_EQ(rows.size(), r.requirements.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].first, r.requirements[i].id);
    EXPECT_EQ(rows[i].second, to_string(r.requirements[i].verdict));
  }
  // Closed by default (a lab opens what it needs; print opens everything).
  EXPECT_EQ(
      count(html,
            "<details class=\"req v-not-met\" id=\"req-1\" data-requirement=\"AVS-1.2\" data-verdict=\"not-met\" open"),
      0u);
}

TEST(HtmlWriter, RequirementExpandsToItsChecksFindingsAndEvidence) {
  auto r = sample();
  auto html = to_html(r);
  std::string avs12 = slice(html, "data-requirement=\"AVS-1.2\"", "</details>");
  ASSERT_FALSE(avs12.empty());
  EXPECT_EQ(count(avs12, "<section class=\"check\""), 2u);
  EXPECT_NE(avs12.find("title of auth-default-password"), std::string::npos);
  // Both findings of auth-empty-password (fail and pass) with path, line, observed, expected.
  EXPECT_EQ(count(avs12, "data-check=\"auth-empty-password\" data-status="), 2u);
  EXPECT_NE(avs12.find("<td><code>/etc/shadow</code></td><td class=\"num\">5</td><td class=\"num\"></td><td>seen "
                       "account:guest</td><td>wanted account:guest</td>"),
            std::string::npos);
  // Offsets are hexadecimal.
  std::string kernel = slice(html, "data-requirement=\"AVS-CAP-KERNEL\"", "</details>");
  EXPECT_NE(kernel.find("<td class=\"num\">0x1f</td>"), std::string::npos);
  EXPECT_NE(kernel.find("s-inconclusive"), std::string::npos);
  // The waived finding is shown, marked waived with its waiver; the other is not.
  std::string priv = slice(html, "data-requirement=\"AVS-CAP-PRIVSEP\"", "</details>");
  EXPECT_EQ(count(priv, "finding fs-fail is-waived"), 1u);
  EXPECT_EQ(count(priv, "finding fs-fail\""), 1u);
  EXPECT_NE(priv.find("Waived by <code>waivers.yaml:3</code> (owner alice, until 2027-01-31): factory test tool"),
            std::string::npos);
  EXPECT_NE(priv.find("Waived checks: <code>priv-setuid</code>"), std::string::npos);
  // A check without findings says why: not implemented here.
  std::string upd = slice(html, "data-requirement=\"AVS-1.1\"", "</details>");
  EXPECT_NE(upd.find("does not implement the check"), std::string::npos);
  // A finding of a check no requirement cites is still in the report.
  std::string other = slice(html, "id=\"other-findings\"", "</details>");
  EXPECT_NE(other.find("data-check=\"uncited-check\""), std::string::npos);
}

TEST(HtmlWriter, ChartNumbersAreTheModelsCounts) {
  auto r = sample();
  auto html = to_html(r);
  std::map<std::string, std::size_t> verdicts, shall;
  for (const auto& q : r.requirements) {
    verdicts[to_string(q.verdict)]++;
    if (q.level == "SHALL") shall[to_string(q.verdict)]++;
  }
  EXPECT_EQ(bar_counts(html, "chart-verdicts", "avs"), verdicts);
  EXPECT_EQ(bar_counts(html, "chart-verdicts", "SHALL"), shall);
  EXPECT_EQ(bar_counts(html, "chart-verdicts", "SHOULD"),
            (std::map<std::string, std::size_t>{{"partial", 1}, {"needs-attestation", 1}}));
  // Failing and warning findings, waived excluded, by the catalog's area; unknown checks in "other".
  EXPECT_EQ(bar_counts(html, "chart-areas", "authentication"), (std::map<std::string, std::size_t>{{"critical", 2}}));
  EXPECT_EQ(bar_counts(html, "chart-areas", "privilege-separation"), (std::map<std::string, std::size_t>{{"high", 1}}));
  EXPECT_EQ(bar_counts(html, "chart-areas", "kernel"), (std::map<std::string, std::size_t>{{"medium", 1}}));
  EXPECT_EQ(bar_counts(html, "chart-areas", "other"), (std::map<std::string, std::size_t>{{"low", 1}}));
  EXPECT_EQ(count(slice(html, "<figure id=\"chart-areas\"", "</figure>"), "<g class=\"bar\""), 4u);
  // Summary counts: 6 requirements, 1 waived, 3 unwaived fails at or above high.
  EXPECT_NE(html.find("<li data-verdict=\"not-met\" data-count=\"1\">"), std::string::npos);
  EXPECT_NE(html.find("<li data-status=\"fail\" data-count=\"4\">"), std::string::npos);
  EXPECT_NE(html.find("<li data-status=\"waived\" data-count=\"1\">"), std::string::npos);
  EXPECT_NE(html.find("<p id=\"gate\">3 failing findings at or above the gate severity <strong>high</strong>"),
            std::string::npos);
  // Widths are proportional on one scale: the longest bar (6 requirements) is 460 wide, so one
  // requirement is 460/6.
  EXPECT_NE(html.find("data-key=\"not-met\" data-count=\"1\" x=\"190.0\" y=\"8.0\" width=\"76.7\""), std::string::npos);
}

TEST(HtmlWriter, AttestationsWaiversMetadataAndDiagnostics) {
  auto r = sample();
  auto html = to_html(r);
  std::string att = slice(html, "<section id=\"attestations\"", "</section>");
  EXPECT_EQ(count(att, "<tr data-requirement="), 2u);
  EXPECT_NE(att.find("data-state=\"missing-evidence\""), std::string::npos);
  EXPECT_NE(att.find("maintenance policy file docs/maint.pdf is missing"), std::string::npos);
  EXPECT_NE(att.find("sha256 <code>" + std::string(64, 'c') + "</code>"), std::string::npos);
  std::string wv = slice(html, "<section id=\"waivers\"", "</section>");
  EXPECT_NE(wv.find("1 applied, 1 expired (no longer applied), 1 unused"), std::string::npos);
  EXPECT_EQ(count(wv, "<tr data-state="), 3u);
  EXPECT_NE(wv.find("<tr data-state=\"expired\"><td><code>waivers.yaml:9</code>"), std::string::npos);
  std::string meta = slice(html, "<section id=\"metadata\"", "</section>");
  for (const std::string& s : {std::string("9.8.7"), std::string("2026-03-01 (given with --assessment-date)"),
                               std::string(64, 'a'), std::string(64, 'b'), std::string(64, 'd'),
                               std::string("data/endoflife/linux-kernel.yaml</code></td><td>2026-01-15"),
                               std::string("Amazon AVS"), std::string("Echo Thing"), std::string("2030-12-31")}) {
    EXPECT_NE(meta.find(s), std::string::npos) << s;
  }
  std::string diag = slice(html, "<section id=\"diagnostics\"", "</section>");
  EXPECT_NE(diag.find("read completely"), std::string::npos);
  EXPECT_NE(diag.find("<tr data-level=\"warning\"><td>warning</td><td><code>/etc/broken</code></td><td>truncated file"),
            std::string::npos);
  EXPECT_EQ(html.find("class=\"banner partial\""), std::string::npos);
  r.target.partial = true;
  html = to_html(r);
  EXPECT_EQ(count(html, "class=\"banner partial\""), 2u);  // in the summary and in Diagnostics
  EXPECT_NE(html.find("The target was read partially"), std::string::npos);
}

TEST(HtmlWriter, EscapeFunction) {
  EXPECT_EQ(html_escape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
  EXPECT_EQ(html_escape("\"onerror=x 'y' a&b"), "&quot;onerror=x &#39;y&#39; a&amp;b");
  EXPECT_EQ(html_escape("tab\tnl\n"), "tab\tnl\n");
  EXPECT_EQ(html_escape(std::string("nul\0x", 5)), "nul\xef\xbf\xbdx");
  EXPECT_EQ(html_escape("\x1b[31m\x7f"), "\xef\xbf\xbd[31m\xef\xbf\xbd");
  EXPECT_EQ(html_escape("c1 \xc2\x85 \xc3\xa9"), "c1 \xef\xbf\xbd \xc3\xa9");  // NEL replaced, é kept
  EXPECT_EQ(html_escape("bad \xff\xc0\xaf"), "bad \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(html_escape("&lt;"), "&amp;lt;");  // an entity in a name is shown, not decoded
}

TEST(HtmlWriter, HostileStringsFromTheImageAreTextNeverMarkup) {
  const std::string script = "<script>alert(document.domain)</script>";
  const std::string attr = "x\" onerror=\"alert(1)";
  const std::string img = "<img src=x onerror=alert(2)>";
  auto r = sample();
  r.target.path = "/tmp/" + img + ".bin";
  r.findings[0].subject = attr;
  r.findings[0].message = script;
  r.findings[0].evidence[0].path = "/etc/" + script;
  r.findings[0].evidence[0].observed = attr;
  r.findings[0].evidence[0].expected = "</td></tr></table></details>" + img;
  r.findings[6].waiver->justification = script;
  r.findings.back().check = "<b>bold-check</b>";  // uncited: its id becomes a data attribute
  r.requirements[0].title = script;
  r.requirements[0].reason = attr;
  r.target.diagnostics[0].path = img;
  r.target.diagnostics[0].message = script;
  r.attestations[1].evidence = "javascript:alert(3)\" href=\"" + script;
  r.waivers[0].subject = "'><svg onload=alert(4)>";
  r.metadata.product.product = "</title><script>alert(5)</script>";
  r.inventory.kinds["<iframe src=//x>"] = 1;
  r.target.filesystems[0].container = img;
  auto html = to_html(r);

  EXPECT_EQ(count(html, "<script"), 1u) << "only the report's own script";
  EXPECT_EQ(count(html, "</script>"), 1u);
  for (const char* bad : {"<img", "<svg onload", "<iframe", "<b>", "\" onerror=", "onerror=\"", "</title><script",
                          "href=\"<", "</td></tr></table></details><"}) {
    EXPECT_EQ(html.find(bad), std::string::npos) << bad;
  }
  EXPECT_GE(count(html, "&lt;script&gt;alert(document.domain)&lt;/script&gt;"), 5u);
  EXPECT_GE(count(html, "x&quot; onerror=&quot;alert(1)"), 3u);
  EXPECT_GE(count(html, "&lt;img src=x onerror=alert(2)&gt;"), 4u);
  EXPECT_NE(html.find("&#39;&gt;&lt;svg onload=alert(4)&gt;"), std::string::npos);
  EXPECT_NE(html.find("data-check=\"&lt;b&gt;bold-check&lt;/b&gt;\""), std::string::npos);
  // Every element the writer opens stays balanced although the strings contain closing tags.
  EXPECT_EQ(count(html, "<details"), count(html, "</details>"));
  EXPECT_EQ(count(html, "<table"), count(html, "</table>"));
  EXPECT_EQ(count(html, "<tr"), count(html, "</tr>"));
}

std::string sha256_b64(const std::string& s) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(s.data(), s.size(), d, &n, EVP_sha256(), nullptr);
  unsigned char b[128];
  int m = EVP_EncodeBlock(b, d, static_cast<int>(n));
  return std::string(reinterpret_cast<char*>(b), static_cast<std::size_t>(m));
}

TEST(HtmlWriter, SelfContainedWithAPolicyThatAllowsOnlyItsOwnStyleAndScript) {
  auto html = to_html(sample());
  // No external resource of any kind: no src=, no stylesheet link, no url() in CSS, no @import,
  // no http(s) reference except the SVG namespace name (an identifier, never fetched).
  for (const char* bad : {" src=", "<link", "url(", "@import", "<img", "<iframe", "<object", "<embed", "@font-face"}) {
    EXPECT_EQ(html.find(bad), std::string::npos) << bad;
  }
  std::string without_ns = std::regex_replace(html, std::regex("xmlns=\"http://www.w3.org/2000/svg\""), "");
  EXPECT_EQ(without_ns.find("http://"), std::string::npos);
  EXPECT_EQ(without_ns.find("https://example.com/security"), without_ns.rfind("https://"))
      << "the only https string is the attestation's own (text, not a link)";
  EXPECT_EQ(count(html, "<a href=\""), count(html, "<a href=\"#"));

  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(html, m, std::regex("<meta http-equiv=\"Content-Security-Policy\" content=\"([^\"]+)\">")));
  std::string csp = m[1];
  EXPECT_EQ(csp.rfind("default-src 'none';", 0), 0u) << csp;
  std::string style = slice(html, "<style>", "</style>");
  style = style.substr(7, style.size() - 15);
  std::string script = slice(html, "<script>", "</script>");
  script = script.substr(8, script.size() - 17);
  EXPECT_NE(csp.find("style-src 'sha256-" + sha256_b64(style) + "'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("script-src 'sha256-" + sha256_b64(script) + "'"), std::string::npos) << csp;
  // The policy comes before anything it governs.
  EXPECT_LT(html.find("Content-Security-Policy"), html.find("<style>"));
  // Print: every <details> expands, rows and findings are not split, no dark background.
  EXPECT_NE(style.find("@media print"), std::string::npos);
  EXPECT_NE(style.find("details::details-content{content-visibility:visible"), std::string::npos);
  EXPECT_NE(style.find("tr{break-inside:avoid}"), std::string::npos);
  EXPECT_NE(script.find("beforeprint"), std::string::npos);
}

TEST(HtmlWriter, SameReportSameBytesAndOnlyTheModelsDates) {
  auto r = sample();
  auto a = to_html(r);
  auto b = to_html(r);
  EXPECT_EQ(a, b);
  std::set<std::string> model_dates = {"2026-03-01", "2026-01-15", "2027-01-31", "2025-12-31",
                                       "2028-06-30", "2026-02-01", "2030-12-31"};
  static const std::regex kDate(R"(\d{4}-\d{2}-\d{2})");
  std::set<std::string> seen;
  for (std::sregex_iterator it(a.begin(), a.end(), kDate), end; it != end; ++it) seen.insert((*it)[0]);
  EXPECT_EQ(seen, model_dates);
  // Any change of the model's date shows; nothing else moves.
  r.metadata.assessment_date = "2026-03-02";
  auto c = to_html(r);
  EXPECT_NE(a, c);
  EXPECT_EQ(c.size(), a.size());
}

TEST(HtmlWriter, EmptyReportStillRenders) {
  Report r;
  r.target.path = "x";
  auto html = to_html(r);
  EXPECT_NE(html.find("The profile has no requirements."), std::string::npos);
  EXPECT_NE(html.find("No failing or warning finding"), std::string::npos);
  EXPECT_NE(html.find("No waivers file was given"), std::string::npos);
  EXPECT_NE(html.find("No product manifest was given"), std::string::npos);
  EXPECT_EQ(html.rfind("</html>\n"), html.size() - 8);
}

}  // namespace
}  // namespace fwcert::report
