// The assessment around the findings: both sides of every roll-up rule added for waivers,
// inventory checks and attestations; profiles; the manifest's date rules; waiver match,
// expiry and strict parsing.

#include "assess/assess.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "assess/manifest.hpp"
#include "assess/waivers.hpp"
#include "catalog/catalog.hpp"
#include "support/test_util.hpp"

namespace fwcert::assess {
namespace {

using ::testing::HasSubstr;

catalog::Catalog small() {
  auto r = catalog::load(
      {{"checks.yaml",
        "checks:\n"
        "  - {id: img, title: image check, severity: high, analyzer: a}\n"
        "  - {id: inv, title: inventory, severity: info, analyzer: a}\n"
        "  - {id: proc-vdp, title: vdp, severity: high}\n"},
       {"set.yaml",
        "set: {id: s, title: S, gate: medium}\n"
        "requirements:\n"
        "  - {id: R, title: image, checks: [img, inv]}\n"
        "  - {id: D, title: doc, checks: [proc-vdp], attestation: the policy}\n"
        "  - {id: P, title: paper only, attestation: a letter}\n"
        "  - {id: L1, title: level one, checks: [img], verification_level: 1}\n"
        "  - {id: L2, title: level two, checks: [img], verification_level: 2}\n"},
       {"profiles.yaml", "profiles:\n  - {id: s-l1, title: S level 1, set: s, max_level: 1, gate: critical}\n"}});
  EXPECT_TRUE(r.ok()) << r.error().describe();
  return r.ok() ? std::move(r).value() : catalog::Catalog{};
}

Finding make(const std::string& check, Status s, const std::string& subject = "x") {
  Finding f;
  f.check = check;
  f.status = s;
  f.subject = subject;
  return f;
}

Verdict verdict_of(const std::vector<RequirementResult>& rs, const std::string& id) {
  for (const auto& r : rs) {
    if (r.id == id) return r.verdict;
  }
  ADD_FAILURE() << "no requirement " << id;
  return Verdict::kInconclusive;
}

TEST(AssessRollup, WaivedFailIsPartialNotNotMet) {
  auto cat = small();
  std::vector<Finding> fs = {make("img", Status::kFail)};
  EXPECT_EQ(verdict_of(catalog::evaluate(*cat.find_set("s"), cat, fs), "R"), Verdict::kNotMet);
  fs[0].waiver = AppliedWaiver{"w:1", "why", "me", "2030-01-01"};
  auto rs = catalog::evaluate(*cat.find_set("s"), cat, fs);
  EXPECT_EQ(verdict_of(rs, "R"), Verdict::kPartial);
  EXPECT_THAT(rs[0].reason, HasSubstr("waived: img"));
  EXPECT_EQ(rs[0].waived, std::vector<std::string>{"img"});
}

TEST(AssessRollup, InfoChecksDecideNothing) {
  auto cat = small();
  // the info check has no finding; the requirement is still met on its deciding check
  EXPECT_EQ(verdict_of(catalog::evaluate(*cat.find_set("s"), cat, {make("img", Status::kPass)}), "R"), Verdict::kMet);
  EXPECT_EQ(verdict_of(catalog::evaluate(*cat.find_set("s"), cat, {make("inv", Status::kPass)}), "R"),
            Verdict::kInconclusive);
}

TEST(AssessRollup, DocumentChecksNeedAttestationWithoutManifestAndAreJudgedWithOne) {
  auto cat = small();
  catalog::RollupInputs none = rollup_inputs(nullptr);
  EXPECT_EQ(verdict_of(catalog::evaluate(*cat.find_set("s"), cat, {}, none), "D"), Verdict::kNeedsAttestation);
  EXPECT_EQ(verdict_of(catalog::evaluate(*cat.find_set("s"), cat, {}, none), "P"), Verdict::kNeedsAttestation);
  Manifest m;
  catalog::RollupInputs with = rollup_inputs(&m);
  EXPECT_EQ(verdict_of(catalog::evaluate(*cat.find_set("s"), cat, {make("proc-vdp", Status::kPass)}, with), "D"),
            Verdict::kAttested);
  EXPECT_EQ(verdict_of(catalog::evaluate(*cat.find_set("s"), cat, {make("proc-vdp", Status::kFail)}, with), "D"),
            Verdict::kMissingEvidence);
  EXPECT_EQ(verdict_of(catalog::evaluate(*cat.find_set("s"), cat, {}, with), "P"), Verdict::kMissingEvidence);
  m.attestations.push_back({"P", DocumentRef{}});
  EXPECT_EQ(verdict_of(catalog::evaluate(*cat.find_set("s"), cat, {}, rollup_inputs(&m)), "P"), Verdict::kAttested);
}

TEST(AssessRollup, DeclaredNotApplicableNeedsNoFailingCheck) {
  auto cat = small();
  Manifest m;
  m.not_applicable.push_back({"R", "no such hardware", 3});
  auto in = rollup_inputs(&m);
  auto ok = catalog::evaluate(*cat.find_set("s"), cat, {make("img", Status::kWarn)}, in);
  EXPECT_EQ(verdict_of(ok, "R"), Verdict::kNotApplicable);
  EXPECT_THAT(ok[0].reason, HasSubstr("no such hardware"));
  EXPECT_EQ(verdict_of(catalog::evaluate(*cat.find_set("s"), cat, {make("img", Status::kFail)}, in), "R"),
            Verdict::kNotMet);
}

TEST(AssessProfile, LevelFilterAndGate) {
  auto cat = small();
  auto l1 = resolve_profile(cat, "s-l1");
  ASSERT_TRUE(l1) << l1.error().describe();
  auto sel = catalog::select(*cat.find_set("s"), *l1);
  ASSERT_EQ(sel.requirements.size(), 1u);
  EXPECT_EQ(sel.requirements[0].id, "L1");
  EXPECT_EQ(l1->gate, Severity::kCritical);
  auto whole = resolve_profile(cat, "s");
  ASSERT_TRUE(whole);
  EXPECT_EQ(catalog::select(*cat.find_set("s"), *whole).requirements.size(), 5u);
  EXPECT_EQ(whole->gate, Severity::kMedium);
  auto unknown = resolve_profile(cat, "nope");
  ASSERT_FALSE(unknown);
  EXPECT_THAT(unknown.error().message, HasSubstr("known: s, s-l1"));
}

TEST(AssessProfile, ProfileFileIsValidatedAgainstTheCatalog) {
  auto cat = small();
  auto good =
      catalog::load_profile_file({"p.yaml", "profile:\n  id: mine\n  set: s\n  include: [R, D]\n  gate: low\n"}, cat);
  ASSERT_TRUE(good) << good.error().describe();
  EXPECT_EQ(catalog::select(*cat.find_set("s"), *good).requirements.size(), 2u);
  auto bad_set = catalog::load_profile_file({"p.yaml", "profile:\n  id: mine\n  set: t\n"}, cat);
  ASSERT_FALSE(bad_set);
  EXPECT_EQ(bad_set.error().where, "p.yaml:3:8");
  auto bad_req = catalog::load_profile_file({"p.yaml", "profile:\n  id: mine\n  set: s\n  include: [Z]\n"}, cat);
  ASSERT_FALSE(bad_req);
  EXPECT_THAT(bad_req.error().message, HasSubstr("'Z'"));
}

TEST(AssessWaivers, MatchExpiryAndUnused) {
  auto cat = small();
  auto w = parse_waivers(
      "waivers:\n"
      "  - {check: img, subject: '/etc/*', justification: j, owner: o, expires: 2026-06-30}\n"
      "  - {check: img, subject: '/usr/*', justification: j, owner: o, expires: 2026-01-31}\n"
      "  - {check: img, subject: '/opt/*', justification: j, owner: o, expires: 2027-01-01}\n",
      "w.yaml", cat);
  ASSERT_TRUE(w) << w.error().describe();
  std::vector<Finding> fs = {make("img", Status::kFail, "/etc/a"), make("img", Status::kFail, "/usr/b"),
                             make("img", Status::kPass, "/opt/c"), make("inv", Status::kFail, "/etc/a")};
  auto states = apply_waivers(*w, *parse_date("2026-06-30"), fs);  // last day of the first waiver
  ASSERT_EQ(states.size(), 3u);
  EXPECT_EQ(states[0].state, WaiverResult::State::kApplied);
  EXPECT_EQ(states[0].matched, 1u);
  EXPECT_EQ(states[0].id, "w.yaml:2");
  EXPECT_EQ(states[1].state, WaiverResult::State::kExpired);
  EXPECT_EQ(states[1].matched, 1u);
  EXPECT_EQ(states[2].state, WaiverResult::State::kUnused);  // passing findings are not waived
  EXPECT_TRUE(fs[0].waiver);
  EXPECT_FALSE(fs[1].waiver);
  EXPECT_FALSE(fs[2].waiver);
  EXPECT_FALSE(fs[3].waiver);  // other check
  auto later = apply_waivers(*w, *parse_date("2026-07-01"), fs = {make("img", Status::kFail, "/etc/a")});
  EXPECT_EQ(later[0].state, WaiverResult::State::kExpired);
  EXPECT_FALSE(fs[0].waiver);
}

TEST(AssessWaivers, StrictParsingWithFileLine) {
  auto cat = small();
  struct Case {
    const char* text;
    const char* where;
    const char* message;
  } cases[] = {
      {"waivers:\n  - {check: img, subject: x, justification: j, owner: o}\n", "w.yaml:2:5",
       "missing required field 'expires'"},
      {"waivers:\n  - {check: img, subject: x, justification: j, owner: o, expires: 2026-02-30}\n", "w.yaml:2:67",
       "'expires' must be a date"},
      {"waivers:\n  - {check: imgg, subject: x, justification: j, owner: o, expires: 2026-02-03}\n", "w.yaml:2:13",
       "did you mean img"},
      {"waivers:\n  - {check: img, subject: x, justification: '', owner: o, expires: 2026-02-03}\n", "w.yaml:2:45",
       "'justification' must be a non-empty string"},
      {"waivers:\n  - {check: img, subject: x, justification: j, owner: o, expires: 2026-02-03, ok: 1}\n",
       "w.yaml:2:79", "unknown field 'ok'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.text);
    auto r = parse_waivers(c.text, "w.yaml", cat);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().where, c.where);
    EXPECT_THAT(r.error().message, HasSubstr(c.message));
  }
}

constexpr const char* kManifest =
    "product: Speaker\nmodel: S1\nfirmware: {version: 1.0, release_date: 2026-02-01}\n"
    "support_period_end: 2028-12-31\n"
    "vulnerability_reporting: {url: 'https://x.example/security', contact: sec@x.example}\n"
    "lab_assessment: {lab: Lab, date: 2026-01-15, report: lab.pdf}\n";

const Finding* find(const std::vector<Finding>& fs, const std::string& check) {
  for (const auto& f : fs) {
    if (f.check == check) return &f;
  }
  return nullptr;
}

TEST(AssessManifest, DateRulesBothSides) {
  test::TempDir dir;
  test::write_file(dir / "lab.pdf", "report");
  test::write_file(dir / "product.yaml", kManifest);
  auto m = load_manifest(dir / "product.yaml");
  ASSERT_TRUE(m) << m.error().describe();
  EXPECT_EQ(m->lab_assessment->report.sha256.size(), 64u);
  // assessment older than the firmware -> fail; support period ahead, kernel EOL unknown -> pass
  auto fs = manifest_findings(*m, *parse_date("2026-03-01"), std::nullopt);
  EXPECT_EQ(find(fs, "proc-assessment-and-recert")->status, Status::kFail);
  EXPECT_THAT(find(fs, "proc-assessment-and-recert")->message, HasSubstr("older than this firmware"));
  EXPECT_EQ(find(fs, "proc-support-period")->status, Status::kPass);
  EXPECT_EQ(find(fs, "proc-vdp")->status, Status::kPass);
  EXPECT_EQ(find(fs, "proc-threat-model-sdlc")->status, Status::kFail);  // not named
  // kernel EOL before the support end -> warn; after -> pass
  EXPECT_EQ(
      find(manifest_findings(*m, *parse_date("2026-03-01"), parse_date("2027-12-31")), "proc-support-period")->status,
      Status::kWarn);
  EXPECT_EQ(
      find(manifest_findings(*m, *parse_date("2026-03-01"), parse_date("2029-12-31")), "proc-support-period")->status,
      Status::kPass);
  // support period over at the assessment day -> fail
  EXPECT_EQ(find(manifest_findings(*m, *parse_date("2029-01-01"), std::nullopt), "proc-support-period")->status,
            Status::kFail);
  // a lab assessment on or after the firmware release passes
  m->lab_assessment->date = parse_date("2026-02-01");
  EXPECT_EQ(find(manifest_findings(*m, *parse_date("2026-03-01"), std::nullopt), "proc-assessment-and-recert")->status,
            Status::kPass);
}

TEST(AssessManifest, MissingDocumentIsMissingEvidenceAndHashesAreOpenSsl) {
  test::TempDir dir;
  test::write_file(dir / "product.yaml", kManifest);
  auto m = load_manifest(dir / "product.yaml");
  ASSERT_TRUE(m) << m.error().describe();
  EXPECT_THAT(m->lab_assessment->report.problem, HasSubstr("lab.pdf"));
  EXPECT_EQ(find(manifest_findings(*m, *parse_date("2026-03-01"), std::nullopt), "proc-assessment-and-recert")->status,
            Status::kFail);
  test::write_file(dir / "lab.pdf", "report");
  auto again = load_manifest(dir / "product.yaml");
  ASSERT_TRUE(again);
  auto expected = test::run("sha256sum " + test::shell_quote(dir / "lab.pdf")).output.substr(0, 64);
  EXPECT_EQ(again->lab_assessment->report.sha256, expected);
  EXPECT_TRUE(again->lab_assessment->report.problem.empty());
}

TEST(AssessManifest, StrictParsingWithFileLine) {
  auto r = parse_manifest("product: P\nmodel: M\nfirmware: {version: 1}\ncolour: red\n", "m.yaml");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().where, "m.yaml:4:1");
  auto d = parse_manifest("product: P\nmodel: M\nfirmware: {version: 1, release_date: 2026-13-01}\n", "m.yaml");
  ASSERT_FALSE(d);
  EXPECT_THAT(d.error().message, HasSubstr("release_date"));
  auto v = parse_manifest("product: P\nmodel: M\nfirmware: {version: 1}\nvulnerability_reporting: {contact: a@b}\n",
                          "m.yaml");
  ASSERT_FALSE(v);
  EXPECT_THAT(v.error().message, HasSubstr("'document' (file) or a 'url'"));
  auto s = parse_manifest(
      "product: P\nmodel: M\nfirmware: {version: 1}\nnetwork_services:\n  - {name: sshd, port: 22, reason: support}\n",
      "m.yaml");
  ASSERT_TRUE(s) << s.error().describe();
  ASSERT_EQ(s->network_services.size(), 1u);
  EXPECT_EQ(*s->network_services[0].port, 22);
}

}  // namespace
}  // namespace fwcert::assess
