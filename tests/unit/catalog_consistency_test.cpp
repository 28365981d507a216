// A check id is written once, in the analyzer registry (or, for the process checks, in the
// manifest stage's list); the catalog names each check's producer from it. A check id that is in
// code but not in the catalog fails here, and so does a catalog line that contradicts the registry.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "analyzers/analyzer.hpp"
#include "assess/assess.hpp"
#include "assess/manifest.hpp"
#include "catalog/catalog.hpp"
#include "data/resources.hpp"
#include "scan/pipeline.hpp"
#include "vulns/checks.hpp"

namespace fwcert {
namespace {

using ::testing::HasSubstr;

TEST(CatalogConsistency, EveryCheckAnAnalyzerListsIsInTheCatalogUnderThatAnalyzer) {
  auto cat = scanning::load_catalog("");
  ASSERT_TRUE(cat.ok()) << cat.error().describe();
  ASSERT_FALSE(analyzers::registry().empty());
  std::size_t implemented = 0;
  for (const auto& a : analyzers::registry()) {
    EXPECT_FALSE(a.checks.empty()) << "analyzer " << a.id << " lists no checks";
    for (std::string_view id : a.checks) {
      const catalog::CheckDef* c = cat->find_check(id);
      ASSERT_NE(c, nullptr) << "analyzer " << a.id << " emits '" << id << "', which catalog/checks.yaml lacks";
      EXPECT_EQ(c->analyzer, a.id) << id;
      ++implemented;
    }
  }
  implemented += assess::attestation_checks().size();
  implemented += vulns::checks().size();  // the matching stage's (vulns_test checks they are named so)
  std::size_t named = 0;
  for (const auto& c : cat->checks) named += !c.analyzer.empty();
  EXPECT_EQ(named, implemented) << "a catalog check names an analyzer that does not list it";
}

TEST(CatalogConsistency, TheProcessChecksAreProducedFromTheManifestAndNamedSo) {
  // What the manifest stage really emits, for a manifest that says nothing and for a full one,
  // is exactly the process-check list, and the catalog names the manifest as their producer.
  auto cat = scanning::load_catalog("");
  ASSERT_TRUE(cat.ok()) << cat.error().describe();
  assess::Manifest empty;
  empty.path = "manifest.yaml";
  std::set<std::string> emitted;
  for (const auto& f : assess::manifest_findings(empty, CivilDate{2026, 12, 1}, std::nullopt)) emitted.insert(f.check);
  const auto& listed = assess::attestation_checks();
  EXPECT_EQ(emitted, std::set<std::string>(listed.begin(), listed.end()));
  ASSERT_EQ(listed.size(), 6u);
  for (const auto& id : listed) {
    EXPECT_TRUE(id.starts_with("proc-")) << id;
    const catalog::CheckDef* c = cat->find_check(id);
    ASSERT_NE(c, nullptr) << id << " is emitted from the manifest but not in catalog/checks.yaml";
    EXPECT_EQ(c->analyzer, analyzers::kManifestProducer) << id;
    for (const auto& a : analyzers::registry()) {
      EXPECT_EQ(std::find(a.checks.begin(), a.checks.end(), id), a.checks.end())
          << id << " is produced from the manifest and must not be in the " << a.id << " analyzer's row";
    }
  }
  // No catalog check of the process area is left without a producer.
  for (const auto& c : cat->checks) {
    if (c.id.starts_with("proc-")) EXPECT_FALSE(c.analyzer.empty()) << c.id;
  }
  // Nor is any analyzer called like the manifest producer.
  for (const auto& a : analyzers::registry()) EXPECT_NE(a.id, analyzers::kManifestProducer);
}

TEST(CatalogConsistency, TheBuiltInCatalogDoesNotRepeatTheRegistry) {
  // The analyzer of a check is the registry's; the catalog file does not write it again.
  for (const auto& r : data::resources()) {
    if (r.name != "catalog/checks.yaml") continue;
    std::string_view text = r.content;
    for (std::size_t pos = text.find("analyzer:"); pos != std::string_view::npos;
         pos = text.find("analyzer:", pos + 1)) {
      auto line_start = text.rfind('\n', pos) + 1;
      EXPECT_EQ(text.substr(line_start, pos - line_start).find_first_not_of(" "), 0u)
          << "an `analyzer:` field in catalog/checks.yaml: " << text.substr(line_start, 60);
    }
  }
}

TEST(CatalogConsistency, AnAnalyzerLineThatContradictsTheRegistryIsAnError) {
  auto load = [](const std::string& analyzer_line) {
    std::string yaml = "checks:\n  - id: auth-empty-password\n    title: t\n    severity: critical\n" + analyzer_line;
    auto cat = catalog::load({{"checks.yaml", yaml}});
    EXPECT_TRUE(cat.ok()) << cat.error().describe();
    return cat.ok() ? catalog::assign_analyzers(*cat, analyzers::implementers()).ok() : false;
  };
  EXPECT_TRUE(load(""));
  EXPECT_TRUE(load("    analyzer: accounts\n"));  // an older catalog that says it: accepted when it agrees
  auto cat = catalog::load({{"checks.yaml",
                             "checks:\n  - {id: auth-empty-password, title: t, severity: critical, "
                             "analyzer: services}\n  - {id: x-1, title: t, severity: low}\n"}});
  ASSERT_TRUE(cat.ok()) << cat.error().describe();
  auto r = catalog::assign_analyzers(*cat, analyzers::implementers());
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().describe(), HasSubstr("implemented by the accounts analyzer"));
  EXPECT_THAT(r.error().describe(), HasSubstr("checks.yaml:2"));
}

TEST(CatalogConsistency, NoCheckIdIsClaimedByTwoAnalyzers) {
  std::set<std::string_view> seen;
  for (const auto& a : analyzers::registry()) {
    for (std::string_view id : a.checks) EXPECT_TRUE(seen.insert(id).second) << id << " listed twice";
  }
}

}  // namespace
}  // namespace fwcert
