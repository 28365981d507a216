// A check id that is in code but not in the catalog, or the other way round, fails here.
// The analyzer registry lists every check id each analyzer can emit; findings carry only
// those ids, so this also covers every check id a Finding can have.

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "analyzers/analyzer.hpp"
#include "catalog/catalog.hpp"

namespace fwcert {
namespace {

TEST(CatalogConsistency, EveryCheckAnAnalyzerListsIsInTheCatalogUnderThatAnalyzer) {
  auto cat = catalog::load_builtin();
  ASSERT_TRUE(cat.ok()) << cat.error().describe();
  ASSERT_FALSE(analyzers::registry().empty());
  for (const auto& a : analyzers::registry()) {
    EXPECT_FALSE(a.checks.empty()) << "analyzer " << a.id << " lists no checks";
    for (std::string_view id : a.checks) {
      const catalog::CheckDef* c = cat->find_check(id);
      ASSERT_NE(c, nullptr) << "analyzer " << a.id << " emits '" << id << "', which catalog/checks.yaml lacks";
      EXPECT_EQ(c->analyzer, a.id) << "catalog/checks.yaml: '" << id << "' must say `analyzer: " << a.id << "`";
    }
  }
}

TEST(CatalogConsistency, EveryCatalogCheckWithAnAnalyzerIsListedByIt) {
  auto cat = catalog::load_builtin();
  ASSERT_TRUE(cat.ok()) << cat.error().describe();
  for (const auto& c : cat->checks) {
    if (c.analyzer.empty()) continue;
    auto reg = analyzers::registry();
    auto a = std::find_if(reg.begin(), reg.end(), [&](const analyzers::AnalyzerInfo& x) { return x.id == c.analyzer; });
    ASSERT_NE(a, reg.end()) << c.where << ": check '" << c.id << "' names analyzer '" << c.analyzer
                            << "', which is not in the registry";
    EXPECT_NE(std::find(a->checks.begin(), a->checks.end(), c.id), a->checks.end())
        << c.where << ": analyzer '" << c.analyzer << "' does not list check '" << c.id << "'";
  }
}

TEST(CatalogConsistency, NoCheckIdIsClaimedByTwoAnalyzers) {
  std::set<std::string_view> seen;
  for (const auto& a : analyzers::registry()) {
    for (std::string_view id : a.checks) EXPECT_TRUE(seen.insert(id).second) << id << " listed twice";
  }
}

}  // namespace
}  // namespace fwcert
