// End-of-life tables: the endoflife.date front-matter parser, the normalised table it is
// written as, the import of a product folder, and the verdict of a cycle on days either side
// of its end of life, with the real built-in kernel.org data.

#include "endoflife/endoflife.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "endoflife/import.hpp"
#include "support/test_util.hpp"

namespace fwcert::endoflife {
namespace {

CivilDate day(const char* s) { return *parse_date(s); }

constexpr const char* kProductFile = R"(---
title: Example OS
category: os
auto:
  methods:
    - git: https://example.invalid/x.git
releases:
  - releaseCycle: "2.1"
    codename: "Bravo"
    lts: true
    releaseDate: 2024-01-10
    eol: 2027-01-31 # projected
    latest: "2.1.4"
    latestReleaseDate: 2025-02-01

  - releaseCycle: "2.0"
    releaseDate: 2023-01-10
    support: 2023-06-30
    extendedSupport: 2025-06-30
    eol: 2024-02-29
    latest: "2.0.9"

  - releaseCycle: "1"
    lts: 2020-05-01
    eol: true
---

> Body text with releaseCycle: "9" that is not data.
)";

TEST(Endoflife, ParsesFrontMatterDatesFlagsAndOlderFieldNames) {
  auto p = parse_product_markdown(kProductFile, "example", "example.md");
  ASSERT_TRUE(p.ok()) << p.error().describe();
  EXPECT_EQ(p->title, "Example OS");
  ASSERT_EQ(p->cycles.size(), 3u);
  const Cycle& a = p->cycles[0];
  EXPECT_EQ(a.cycle, "2.1");
  EXPECT_EQ(a.codename, "Bravo");
  EXPECT_TRUE(a.lts);
  EXPECT_EQ(a.eol, day("2027-01-31"));
  EXPECT_EQ(a.latest, "2.1.4");
  const Cycle& b = p->cycles[1];
  EXPECT_FALSE(b.lts);
  EXPECT_EQ(b.eoas, day("2023-06-30"));  // from `support`
  EXPECT_EQ(b.eoes, day("2025-06-30"));  // from `extendedSupport`
  const Cycle& c = p->cycles[2];
  EXPECT_FALSE(c.eol);
  EXPECT_TRUE(c.eol_flag);
  EXPECT_TRUE(c.lts);
  EXPECT_EQ(c.lts_from, day("2020-05-01"));
  EXPECT_EQ(p->find_codename("bravo"), &p->cycles[0]);
  EXPECT_EQ(p->find("9"), nullptr);
}

TEST(Endoflife, DamagedFilesAreErrorsWithALine) {
  EXPECT_FALSE(parse_product_markdown("title: x\nreleases: []\n", "x", "x.md").ok());
  EXPECT_FALSE(parse_product_markdown("---\ntitle: x\nreleases: []\n", "x", "x.md").ok());  // never closed
  auto no_eol = parse_product_markdown("---\nreleases:\n  - releaseCycle: \"1\"\n---\n", "x", "x.md");
  ASSERT_FALSE(no_eol.ok());
  EXPECT_NE(no_eol.error().where.find("x.md:3"), std::string::npos) << no_eol.error().describe();
  auto bad_date =
      parse_product_markdown("---\nreleases:\n  - releaseCycle: \"1\"\n    eol: 2024-02-30\n---\n", "x", "x.md");
  ASSERT_FALSE(bad_date.ok());
  EXPECT_NE(bad_date.error().where.find("x.md:4"), std::string::npos) << bad_date.error().describe();
  std::string deep = "---\nreleases: " + std::string(200, '[') + std::string(200, ']') + "\n---\n";
  EXPECT_FALSE(parse_product_markdown(deep, "x", "x.md").ok());
  EXPECT_FALSE(parse_product_markdown("---\n" + std::string(2u << 20, '#') + "\n---\n", "x", "x.md").ok());
}

TEST(Endoflife, NormalisedTableRoundTrips) {
  auto p = parse_product_markdown(kProductFile, "example", "example.md");
  ASSERT_TRUE(p.ok());
  p->commit = "0123456789012345678901234567890123456789";
  p->retrieved = "2026-08-22";
  std::string text = to_table(*p);
  auto q = parse_table(text, "example.yaml");
  ASSERT_TRUE(q.ok()) << q.error().describe() << "\n" << text;
  EXPECT_EQ(q->id, "example");
  EXPECT_EQ(q->retrieved, "2026-08-22");
  ASSERT_EQ(q->cycles.size(), p->cycles.size());
  for (std::size_t i = 0; i < q->cycles.size(); ++i) {
    EXPECT_EQ(q->cycles[i].cycle, p->cycles[i].cycle);
    EXPECT_EQ(q->cycles[i].eol, p->cycles[i].eol);
    EXPECT_EQ(q->cycles[i].eol_flag, p->cycles[i].eol_flag);
    EXPECT_EQ(q->cycles[i].lts, p->cycles[i].lts);
    EXPECT_EQ(q->cycles[i].eoes, p->cycles[i].eoes);
  }
  EXPECT_EQ(to_table(*q), text);
  EXPECT_FALSE(parse_table("product: x\nretrieved: \"2026-08-22\"\nreleases:\n  - {cycle: \"1\", eol: false, x: 1}\n",
                           "t.yaml")
                   .ok());  // unknown field
}

TEST(Endoflife, BuiltInKernelTableJudgesBothSidesOfAnEndOfLife) {
  const Product* k = builtin("linux-kernel");
  ASSERT_NE(k, nullptr);
  const Cycle* c = k->find("4.19");
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->lts);
  EXPECT_EQ(c->eol, day("2024-12-05"));
  EXPECT_EQ(judge(*c, day("2023-06-01"), 365), Support::kSupported);
  EXPECT_EQ(judge(*c, day("2024-06-01"), 365), Support::kEndingSoon);
  EXPECT_EQ(judge(*c, day("2024-12-04"), 0), Support::kSupported);
  EXPECT_EQ(judge(*c, day("2024-12-05"), 365), Support::kEnded);
  EXPECT_EQ(days_left(*c, day("2024-12-01")), 4);
  EXPECT_EQ(snapshot().retrieved, "2026-08-22");
  EXPECT_EQ(snapshot().commit, "a70eca337600e7d721dc48112c271f98661d208b");
  for (auto id : known_products()) EXPECT_NE(builtin(id), nullptr) << id;
}

TEST(Endoflife, VersionsCompareNumerically) {
  EXPECT_LT(compare_versions("3.0.2", "3.0.13"), 0);
  EXPECT_GT(compare_versions("6.10", "6.9"), 0);
  EXPECT_EQ(compare_versions("1.1.1w", "1.1.1"), 0);
  EXPECT_EQ(compare_versions("4.19", "4.19.0"), 0);
}

TEST(Endoflife, ImportWritesTablesLicenceAndSources) {
  test::TempDir in, out;
  for (auto id : known_products()) test::write_file(in / (std::string(id) + ".md"), kProductFile);
  test::write_file(in / "LICENSE", "MIT licence text\n");
  test::write_file(in / "SOURCES.md",
                   "Files of commit a70eca337600e7d721dc48112c271f98661d208b of 2026-08-22, MIT licence.\n");
  auto r = import_directory({in.path(), out.path(), "", "", ""});
  ASSERT_TRUE(r.ok()) << r.error().describe();
  EXPECT_EQ(r->retrieved, "2026-08-22");
  EXPECT_EQ(r->written.size(), known_products().size() + 2);
  EXPECT_EQ(test::read_file(out / "LICENSE"), "MIT licence text\n");
  std::string sources = test::read_file(out / "SOURCES.md");
  EXPECT_NE(sources.find("Retrieved: 2026-08-22"), std::string::npos);
  EXPECT_NE(sources.find("a70eca337600e7d721dc48112c271f98661d208b"), std::string::npos);
  auto t = parse_table(test::read_file(out / "debian.yaml"), "debian.yaml");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->id, "debian");
  EXPECT_EQ(t->cycles.size(), 3u);

  // A damaged product file writes nothing; so does a folder without a licence.
  test::TempDir out2;
  test::write_file(in / "sqlite.md", "---\nreleases: [\n---\n");
  auto bad = import_directory({in.path(), out2 / "x", "", "", ""});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().describe().find("sqlite.md"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(out2 / "x"));
  std::filesystem::remove(in / "LICENSE");
  test::write_file(in / "sqlite.md", kProductFile);
  EXPECT_FALSE(import_directory({in.path(), out2 / "x", "", "", ""}).ok());
  // Without SOURCES.md the commit and day must be given.
  test::write_file(in / "LICENSE", "MIT\n");
  std::filesystem::remove(in / "SOURCES.md");
  EXPECT_FALSE(import_directory({in.path(), out2 / "x", "", "", ""}).ok());
  EXPECT_TRUE(import_directory({in.path(), out2 / "x", "abc", "2026-09-01", ""}).ok());
}

}  // namespace
}  // namespace fwcert::endoflife
