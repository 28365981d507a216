// `fwcert scan --format html`: the demo firmware's report as one self-contained file with a
// row per requirement, hostile names from an image shown as text, and the page opened in
// headless Chromium by tests/browser/html_report.mjs (verdicts against the JSON report of the
// same scan, evidence on expanding, no console error, no network request, a screenshot and a
// PDF saved under <build dir>/artefacts/).

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "support/test_util.hpp"

namespace fwcert::test {
namespace {

CommandResult fwcert(const std::string& args) { return run(shell_quote(fwcert_binary()) + " " + args); }

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + needle.size())) ++n;
  return n;
}

/// A directory target whose file names and /etc/passwd carry markup (the strings
/// tests/browser/html_report.mjs looks for): a world-writable file in /etc named
/// `<script>window.__pwned=1</script>` (a directory `<script>window.__pwned=1<` holding a file
/// `script>`), a setuid program named `"><img src=x onerror=window.__pwned=2>`, and a service
/// account whose shell is `/bin/sh"onerror=window.__pwned=3 <b>x</b>`.
void make_hostile_tree(const std::string& root) {
  write_file(root + "/etc/<script>window.__pwned=1</script>", "x\n");
  ::chmod((root + "/etc/<script>window.__pwned=1</script>").c_str(), 0666);
  const std::string prog = root + "/bin/\"><img src=x onerror=window.__pwned=2>";
  write_file(prog, "#!/bin/sh\n");
  ::chmod(prog.c_str(), 04755);
  write_file(root + "/etc/passwd",
             "root:x:0:0:root:/root:/bin/sh\n"
             "www-data:x:33:33:www:/var/www:/bin/sh\"onerror=window.__pwned=3 <b>x</b>\n");
  write_file(root + "/etc/shadow", "root:*:1:0:99999:7:::\nwww-data:*:1:0:99999:7:::\n");
}

class CliHtmlReport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!have_tool("mksquashfs") || !have_tool("gcc")) return;
    dir_ = new TempDir();
    auto r = run("bash " + shell_quote(source_dir() + "/examples/demo-firmware/build.sh") + " " +
                 shell_quote(*dir_ / "b") + " " + shell_quote(*dir_ / "out"));
    if (r.exit_code != 0) {
      ADD_FAILURE() << r.output;
      return;
    }
    // The same scan twice (the assessment date fixed, so both describe one assessment).
    const std::string image = shell_quote(*dir_ / "out/firmware.squashfs");
    json_ = fwcert("scan --assessment-date 2026-05-04 --format json -o " + shell_quote(*dir_ / "r.json") + " " + image);
    html_ = fwcert("scan --assessment-date 2026-05-04 --format html -o " + shell_quote(*dir_ / "r.html") + " " + image);
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    if (!dir_) GTEST_SKIP() << "needs mksquashfs and gcc";
  }
  static TempDir* dir_;
  static CommandResult json_, html_;
};
TempDir* CliHtmlReport::dir_ = nullptr;
CommandResult CliHtmlReport::json_;
CommandResult CliHtmlReport::html_;

TEST_F(CliHtmlReport, DemoReportIsOneSelfContainedFileWithARowPerRequirement) {
  ASSERT_EQ(json_.exit_code, 1) << json_.output;
  ASSERT_EQ(html_.exit_code, 1) << html_.output;  // the same exit code as every other format
  EXPECT_NE(html_.output.find("Requirements (avs)"), std::string::npos) << "the text summary still goes to stdout";
  auto j = nlohmann::json::parse(read_file(*dir_ / "r.json"));
  std::string html = read_file(*dir_ / "r.html");
  ASSERT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  ASSERT_GT(j["requirements"].size(), 20u);
  EXPECT_EQ(count(html, "<details class=\"req "), j["requirements"].size());
  for (const auto& q : j["requirements"]) {
    std::string row = "data-requirement=\"" + q["id"].get<std::string>() + "\" data-verdict=\"" +
                      q["verdict"].get<std::string>() + "\"";
    EXPECT_EQ(count(html, row), 1u) << row;
  }
  // The evidence of the demo's planted weaknesses is in the file (behind <details>).
  EXPECT_NE(html.find("account:root"), std::string::npos);
  EXPECT_NE(html.find("<td><code>/etc/shadow</code></td><td class=\"num\">1</td>"), std::string::npos);
  EXPECT_NE(html.find(j["metadata"]["target_sha256"].get<std::string>()), std::string::npos);
  EXPECT_NE(html.find("2026-05-04 (given with --assessment-date)"), std::string::npos);
  // Nothing to fetch: no src, link, url() or @import anywhere.
  for (const char* bad : {" src=", "<link", "url(", "@import"}) EXPECT_EQ(html.find(bad), std::string::npos) << bad;
  // The same scan renders the same bytes.
  auto again =
      fwcert("scan --assessment-date 2026-05-04 --format html " + shell_quote(*dir_ / "out/firmware.squashfs"));
  EXPECT_EQ(again.output, html);
}

TEST_F(CliHtmlReport, NamesAndValuesFromTheImageAreEscaped) {
  TempDir t;
  make_hostile_tree(t / "root");
  auto r = fwcert("scan --assessment-date 2026-05-04 --format html -o " + shell_quote(t / "h.html") + " " +
                  shell_quote(t / "root"));
  ASSERT_LE(r.exit_code, 1) << r.output;
  std::string html = read_file(t / "h.html");
  EXPECT_EQ(count(html, "<script"), 1u) << "only the report's own script";
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_EQ(html.find("\"onerror="), std::string::npos);
  EXPECT_GE(count(html, "/etc/&lt;script&gt;window.__pwned=1&lt;/script&gt;"), 2u);  // subject and evidence
  EXPECT_GE(count(html, "/bin/&quot;&gt;&lt;img src=x onerror=window.__pwned=2&gt;"), 2u);
  EXPECT_NE(html.find("shell /bin/sh&quot;onerror=window.__pwned=3 &lt;b&gt;x&lt;/b&gt;"), std::string::npos);
}

TEST_F(CliHtmlReport, ChromiumShowsVerdictsAndEvidenceAndLoadsNothing) {
  const std::string chromium = "/usr/bin/chromium";
  const std::string driver = source_dir() + "/node_modules/playwright-core/package.json";
  if (!std::filesystem::exists(chromium) || !std::filesystem::exists(driver) || !have_tool("node")) {
    GTEST_SKIP() << "needs Debian's chromium, node and playwright-core (scripts/install-deps.sh installs them)";
  }
  ASSERT_EQ(html_.exit_code, 1) << html_.output;
  TempDir t;
  make_hostile_tree(t / "root");
  auto h = fwcert("scan --format html -o " + shell_quote(t / "hostile.html") + " " + shell_quote(t / "root"));
  ASSERT_LE(h.exit_code, 1) << h.output;
  // Artefacts go next to the binary under test: build/<preset>/artefacts/report.png.
  const std::string artefacts = std::filesystem::path(fwcert_binary()).parent_path().string() + "/artefacts";
  std::filesystem::remove(artefacts + "/report.png");
  auto r =
      run("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 FWCERT_CHROMIUM=" + shell_quote(chromium) + " node " +
          shell_quote(source_dir() + "/tests/browser/html_report.mjs") + " " + shell_quote(*dir_ / "r.html") + " " +
          shell_quote(*dir_ / "r.json") + " " + shell_quote(artefacts) + " " + shell_quote(t / "hostile.html"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::cout << r.output;
  EXPECT_NE(r.output.find("screenshot: " + artefacts + "/report.png"), std::string::npos) << r.output;
  ASSERT_TRUE(std::filesystem::exists(artefacts + "/report.png"));
  EXPECT_GT(std::filesystem::file_size(artefacts + "/report.png"), 50'000u);
  EXPECT_GT(std::filesystem::file_size(artefacts + "/report.pdf"), 20'000u);
}

}  // namespace
}  // namespace fwcert::test
