// `fwcert checks` and `fwcert requirements` run as a user runs them: the real binary, the
// built-in catalog, assertions on what is printed and on the exit code.

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "catalog/catalog.hpp"
#include "scan/pipeline.hpp"
#include "support/test_util.hpp"

namespace fwcert::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

CommandResult fwcert(const std::string& args) { return run(shell_quote(fwcert_binary()) + " " + args); }

/// The text of the line that starts with `id` followed by a space, or "" when there is none.
std::string line_of(const std::string& output, const std::string& id) {
  std::size_t pos = 0;
  while (pos < output.size()) {
    std::size_t end = output.find('\n', pos);
    if (end == std::string::npos) end = output.size();
    std::string line = output.substr(pos, end - pos);
    if (line.starts_with(id + " ")) return line;
    pos = end + 1;
  }
  return "";
}

/// The line after the one starting with `id`.
std::string line_after(const std::string& output, const std::string& id) {
  std::string first = line_of(output, id);
  if (first.empty()) return "";
  std::size_t start = output.find(first) + first.size() + 1;
  std::size_t end = output.find('\n', start);
  return output.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

TEST(CliCatalog, ChecksListsEveryCheckWithSeverityAndImplementationState) {
  auto r = fwcert("checks");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::regex_search(line_of(r.output, "auth-empty-password"),
                                std::regex(R"(^auth-empty-password +critical +No account)")))
      << r.output;
  EXPECT_TRUE(
      std::regex_search(line_of(r.output, "auth-hash-strength"), std::regex(R"(^auth-hash-strength +medium )")));
  EXPECT_THAT(line_of(r.output, "auth-hash-strength"), Not(HasSubstr("not implemented")));
  EXPECT_TRUE(
      std::regex_search(line_of(r.output, "tls-cleartext-traffic"), std::regex(R"(^tls-cleartext-traffic +high )")));
  EXPECT_THAT(line_of(r.output, "tls-cleartext-traffic"), HasSubstr("[not implemented yet]"));
  EXPECT_THAT(line_of(r.output, "tls-cert-validation"), Not(HasSubstr("not implemented")));
  EXPECT_THAT(line_of(r.output, "proc-vdp"), HasSubstr("high"));
  auto cat = scanning::load_catalog("");
  ASSERT_TRUE(cat.ok());
  std::size_t implemented = 0;
  for (const auto& c : cat->checks) implemented += !c.analyzer.empty();
  EXPECT_GE(implemented, 4u);  // the accounts analyzer's checks at least
  EXPECT_THAT(r.output,
              HasSubstr(fmt::format("{} checks, {} implemented in this version", cat->checks.size(), implemented)));
}

TEST(CliCatalog, ChecksAsJsonCarryTheCatalogFields) {
  auto r = fwcert("checks --format json 2>/dev/null");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.output.substr(0, 400);
  ASSERT_TRUE(j.is_array());
  auto cat = scanning::load_catalog("");
  ASSERT_TRUE(cat.ok());
  EXPECT_EQ(j.size(), cat->checks.size());
  bool saw_uid0 = false, saw_roots = false;
  for (const auto& c : j) {
    if (c["id"] == "priv-uid0-and-shells") {
      saw_uid0 = true;
      EXPECT_EQ(c["severity"], "high");
      EXPECT_EQ(c["area"], "privilege-separation");
      EXPECT_EQ(c["analyzer"], "accounts");
      EXPECT_EQ(c["implemented"], true);
      EXPECT_EQ(c["modes"], nlohmann::json::array({"IMG"}));
    }
    if (c["id"] == "tls-amazon-roots") {
      saw_roots = true;
      EXPECT_EQ(c["severity"], "high");
      EXPECT_EQ(c["area"], "tls");
      EXPECT_EQ(c["analyzer"], "tls");
      EXPECT_EQ(c["implemented"], true);
    }
  }
  EXPECT_TRUE(saw_uid0);
  EXPECT_TRUE(saw_roots);
}

TEST(CliCatalog, RequirementsListsAvsItemsWithTheirChecks) {
  auto r = fwcert("requirements --profile avs");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_THAT(r.output, HasSubstr("Amazon AVS Security Requirements"));
  EXPECT_THAT(r.output, HasSubstr("18 Oct 2021"));
  std::string avs11 = line_of(r.output, "AVS-1.1");
  EXPECT_THAT(avs11, HasSubstr("SHALL"));
  EXPECT_THAT(avs11, Not(HasSubstr("UNVERIFIED")));
  std::string avs11_checks = line_after(r.output, "AVS-1.1");
  EXPECT_THAT(avs11_checks, HasSubstr("checks: boot-uboot-fit-required-key, upd-agent-present"));
  EXPECT_THAT(avs11_checks, HasSubstr("upd-tamper-test"));
  EXPECT_THAT(line_of(r.output, "AVS-1.6"), HasSubstr("[UNVERIFIED]"));
  EXPECT_THAT(line_of(r.output, "AVS-PROC-PATCH-SLA"), HasSubstr("[UNVERIFIED]"));
  EXPECT_THAT(line_of(r.output, "AVS-SDK-5"), Not(HasSubstr("UNVERIFIED")));
  // A document-only item shows what the manifest must supply.
  EXPECT_THAT(line_after(r.output, "AVS-PROC-VULNMGMT"), HasSubstr("attestation: description of the vulnerability"));
  for (const char* id : {"AVS-1.2", "AVS-1.3", "AVS-CAP-SECBOOT", "AVS-SS-1", "AUTO-5"}) {
    EXPECT_FALSE(line_of(r.output, id).empty()) << id;
  }
}

TEST(CliCatalog, RequirementsAsJsonMarkUnverifiedItems) {
  auto r = fwcert("requirements --profile avs --format json 2>/dev/null");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output, nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["id"], "avs");
  EXPECT_EQ(j["gate"], "high");
  ASSERT_EQ(j["requirements"].size(), 34u);
  for (const auto& req : j["requirements"]) {
    if (req["id"] == "AVS-PROC-PATCH-SLA") {
      EXPECT_EQ(req["unverified"], true);
    }
    if (req["id"] == "AVS-1.3") {
      EXPECT_EQ(req["unverified"], false);
      EXPECT_NE(std::find(req["checks"].begin(), req["checks"].end(), "tls-cert-validation"), req["checks"].end());
    }
  }
}

TEST(CliCatalog, UnknownProfileIsAUsageErrorNamingTheKnownOnes) {
  auto r = fwcert("requirements --profile nope");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.output, HasSubstr("unknown profile 'nope'"));
  EXPECT_THAT(r.output, HasSubstr("known: avs"));
}

TEST(CliCatalog, BrokenCatalogDirectoryIsAUsageErrorWithFileAndLine) {
  TempDir dir;
  write_file(dir / "checks.yaml",
             "checks:\n"
             "  - id: a\n"
             "    title: A\n"
             "    severity: sometimes\n");
  auto r = fwcert("checks --catalog " + shell_quote(dir.path()));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_THAT(r.output, HasSubstr("checks.yaml:4:15: unknown severity 'sometimes'"));
}

TEST(CliCatalog, CatalogDirectoryReplacesTheBuiltInOne) {
  TempDir dir;
  write_file(dir / "checks.yaml",
             "checks:\n"
             "  - id: only-check\n"
             "    title: The only one\n"
             "    severity: low\n");
  write_file(dir / "mine.yaml",
             "set: {id: mine, title: My set}\n"
             "requirements:\n"
             "  - {id: M-1, title: first, checks: [only-check], unverified: true}\n");
  auto checks = fwcert("checks --catalog " + shell_quote(dir.path()));
  ASSERT_EQ(checks.exit_code, 0) << checks.output;
  EXPECT_THAT(checks.output, HasSubstr("1 checks, 0 implemented"));
  auto reqs = fwcert("requirements --profile mine --catalog " + shell_quote(dir.path()));
  ASSERT_EQ(reqs.exit_code, 0) << reqs.output;
  EXPECT_THAT(line_of(reqs.output, "M-1"), HasSubstr("[UNVERIFIED]"));
  EXPECT_THAT(line_after(reqs.output, "M-1"), HasSubstr("checks: only-check"));
}

}  // namespace
}  // namespace fwcert::test
