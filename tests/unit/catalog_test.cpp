// The catalog as data: the loader points every mistake at file:line:column, the built-in
// catalog holds every check of REQUIREMENTS.md (c) and every AVS item of (a), and requirement
// verdicts follow the roll-up rules.

#include "catalog/catalog.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/limits.hpp"

namespace fwcert::catalog {
namespace {

using ::testing::HasSubstr;

// ---------------------------------------------------------------------------------------------
// Loader diagnostics

// A valid checks file the set files below refer to.
constexpr const char* kTwoChecks = R"(checks:
  - id: a-check
    title: A passes
    severity: high
    modes: [IMG]
  - id: b-check
    title: B passes
    severity: low
    modes: [IMG, LIVE]
)";

struct BrokenCase {
  const char* name;
  std::vector<SourceFile> files;
  ErrorCode code;
  std::string where;    ///< exact file:line:column
  std::string message;  ///< substring of the message
};

std::vector<BrokenCase> broken_cases() {
  return {
      {"unknown field",
       {{"x.yaml",
         "checks:\n"
         "  - id: a\n"
         "    title: A\n"
         "    severity: high\n"
         "    colour: red\n"}},
       ErrorCode::kParse,
       "x.yaml:5:5",
       "unknown field 'colour'"},
      {"field given twice",
       {{"x.yaml",
         "checks:\n"
         "  - id: a\n"
         "    title: A\n"
         "    title: B\n"
         "    severity: high\n"}},
       ErrorCode::kParse,
       "x.yaml:4:5",
       "field 'title' given twice"},
      {"title is a list",
       {{"x.yaml",
         "checks:\n"
         "  - id: a\n"
         "    title: [one, two]\n"
         "    severity: high\n"}},
       ErrorCode::kParse,
       "x.yaml:3:12",
       "field 'title' must be a string"},
      {"modes is a string",
       {{"x.yaml",
         "checks:\n"
         "  - id: a\n"
         "    title: A\n"
         "    severity: high\n"
         "    modes: IMG\n"}},
       ErrorCode::kParse,
       "x.yaml:5:12",
       "field 'modes' must be a list"},
      {"unknown severity",
       {{"x.yaml",
         "checks:\n"
         "  - id: a\n"
         "    title: A\n"
         "    severity: urgent\n"}},
       ErrorCode::kParse,
       "x.yaml:4:15",
       "unknown severity 'urgent'"},
      {"unknown mode",
       {{"x.yaml",
         "checks:\n"
         "  - id: a\n"
         "    title: A\n"
         "    severity: low\n"
         "    modes: [IMG, USB]\n"}},
       ErrorCode::kParse,
       "x.yaml:5:18",
       "unknown mode 'USB'"},
      {"check id with a space",
       {{"x.yaml",
         "checks:\n"
         "  - id: two words\n"
         "    title: A\n"
         "    severity: low\n"}},
       ErrorCode::kParse,
       "x.yaml:2:9",
       "check id 'two words' must be"},
      {"missing title",
       {{"x.yaml",
         "checks:\n"
         "  - id: a\n"
         "    severity: low\n"}},
       ErrorCode::kParse,
       "x.yaml:2:5",
       "missing required field 'title'"},
      {"duplicate check id",
       {{"x.yaml",
         "checks:\n"
         "  - id: a\n"
         "    title: A\n"
         "    severity: low\n"
         "  - id: a\n"
         "    title: A again\n"
         "    severity: low\n"}},
       ErrorCode::kParse,
       "x.yaml:5:5",
       "duplicate check id 'a'"},
      {"requirement names an unknown check",
       {{"checks.yaml", kTwoChecks},
        {"set.yaml",
         "set:\n"
         "  id: s\n"
         "  title: S\n"
         "requirements:\n"
         "  - id: R-1\n"
         "    title: first\n"
         "    checks: [a-check]\n"
         "  - id: R-2\n"
         "    title: second\n"
         "    checks: [a-check, c-check]\n"}},
       ErrorCode::kParse,
       "set.yaml:8:5",
       "requirement 'R-2' names unknown check 'c-check'"},
      {"requirement with neither checks nor attestation",
       {{"checks.yaml", kTwoChecks},
        {"set.yaml",
         "set:\n"
         "  id: s\n"
         "  title: S\n"
         "requirements:\n"
         "  - id: R-1\n"
         "    title: first\n"
         "    checks: [a-check]\n"
         "  - id: R-2\n"
         "    title: second\n"
         "    level: SHALL\n"}},
       ErrorCode::kParse,
       "set.yaml:8:5",
       "requirement 'R-2' names no checks and no attestation"},
      {"duplicate requirement id",
       {{"checks.yaml", kTwoChecks},
        {"set.yaml",
         "set:\n"
         "  id: s\n"
         "  title: S\n"
         "requirements:\n"
         "  - id: R-1\n"
         "    title: first\n"
         "    checks: [a-check]\n"
         "  - id: R-1\n"
         "    title: again\n"
         "    attestation: a letter\n"}},
       ErrorCode::kParse,
       "set.yaml:8:5",
       "duplicate requirement id 'R-1'"},
      {"unverified is not a boolean",
       {{"checks.yaml", kTwoChecks},
        {"set.yaml",
         "set:\n"
         "  id: s\n"
         "  title: S\n"
         "requirements:\n"
         "  - id: R-1\n"
         "    title: first\n"
         "    checks: [a-check]\n"
         "    unverified: maybe\n"}},
       ErrorCode::kParse,
       "set.yaml:8:17",
       "'unverified' must be true or false"},
      {"unknown gate severity",
       {{"checks.yaml", kTwoChecks},
        {"set.yaml",
         "set:\n"
         "  id: s\n"
         "  title: S\n"
         "  gate: severe\n"
         "requirements:\n"
         "  - id: R-1\n"
         "    title: first\n"
         "    checks: [a-check]\n"}},
       ErrorCode::kParse,
       "set.yaml:4:9",
       "unknown severity 'severe'"},
      {"YAML syntax error: unclosed flow sequence",
       {{"x.yaml",
         "checks:\n"
         "  - id: a\n"
         "    title: A\n"
         "    severity: low\n"
         "    modes: [IMG, LIVE\n"}},
       ErrorCode::kParse,
       "x.yaml:6:1",
       "end of sequence flow"},
      {"YAML syntax error: bad indentation",
       {{"x.yaml",
         "checks:\n"
         "  - id: a\n"
         "    title: A\n"
         "   severity: low\n"}},
       ErrorCode::kParse,
       "x.yaml:4:4",
       "end of sequence not found"},
      {"nesting deeper than the limit",
       {{"x.yaml", "checks: " + std::string(100, '[') + std::string(100, ']') + "\n"}},
       ErrorCode::kLimitExceeded,
       "x.yaml:1:" + std::to_string(9 + limits::kMaxCatalogNesting - 1),
       "nested deeper than"},
      {"neither checks nor set",
       {{"x.yaml", "things: []\n"}},
       ErrorCode::kParse,
       "x.yaml",
       "expected a 'checks' list or a 'set'"},
  };
}

TEST(CatalogLoad, EveryMistakeIsReportedAtItsFileLineAndColumn) {
  for (const auto& c : broken_cases()) {
    SCOPED_TRACE(c.name);
    auto r = load(c.files);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, c.code) << r.error().describe();
    EXPECT_EQ(r.error().where, c.where) << r.error().describe();
    EXPECT_THAT(r.error().message, HasSubstr(c.message));
  }
}

TEST(CatalogLoad, NestingAtTheLimitIsAcceptedByTheGuard) {
  // Exactly kMaxCatalogNesting levels (the root map plus the flow lists) passes the guard and
  // fails later for the ordinary reason, so the limit is not off by one.
  const int lists = limits::kMaxCatalogNesting - 1;
  auto r = load({{"x.yaml", "checks: " + std::string(lists, '[') + std::string(lists, ']') + "\n"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kParse) << r.error().describe();
  EXPECT_THAT(r.error().message, HasSubstr("each check must be a mapping"));
}

TEST(CatalogLoad, ValidFilesLoadWithEveryField) {
  auto r = load({{"checks.yaml", std::string(kTwoChecks) + "  - id: c-check\n"
                                                           "    title: C passes\n"
                                                           "    area: tls\n"
                                                           "    severity: critical\n"
                                                           "    modes: [NET, DOC]\n"
                                                           "    analyzer: tls\n"
                                                           "    rationale: >\n"
                                                           "      Because.\n"
                                                           "    logic: fail if not\n"
                                                           "    remediation: fix it\n"
                                                           "    references: [AVS-1.3(c), ETSI EN 303 645 5.5-1]\n"},
                 {"set.yaml",
                  "set:\n"
                  "  id: s\n"
                  "  title: S\n"
                  "  source: somewhere\n"
                  "  gate: critical\n"
                  "requirements:\n"
                  "  - id: R-1\n"
                  "    title: first\n"
                  "    level: SHALL\n"
                  "    subject: Device\n"
                  "    text: does things\n"
                  "    modes: [IMG]\n"
                  "    checks: [a-check, c-check]\n"
                  "    unverified: true\n"
                  "  - id: R-2\n"
                  "    title: second\n"
                  "    attestation: a letter\n"}});
  ASSERT_TRUE(r.ok()) << r.error().describe();
  ASSERT_EQ(r->checks.size(), 3u);
  const CheckDef* c = r->find_check("c-check");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->severity, Severity::kCritical);
  EXPECT_EQ(c->area, "tls");
  EXPECT_EQ(c->analyzer, "tls");
  EXPECT_EQ(c->rationale, "Because.");  // the block scalar's final newline is dropped
  EXPECT_EQ(c->modes, (std::vector<std::string>{"NET", "DOC"}));
  EXPECT_EQ(c->references, (std::vector<std::string>{"AVS-1.3(c)", "ETSI EN 303 645 5.5-1"}));
  EXPECT_EQ(c->where, "checks.yaml:10:5");
  const RequirementSet* s = r->find_set("s");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->gate, Severity::kCritical);
  ASSERT_EQ(s->requirements.size(), 2u);
  EXPECT_TRUE(s->requirements[0].unverified);
  EXPECT_FALSE(s->requirements[1].unverified);
  EXPECT_EQ(s->requirements[0].checks, (std::vector<std::string>{"a-check", "c-check"}));
  EXPECT_EQ(s->requirements[1].attestation, "a letter");
  EXPECT_EQ(s->requirements[1].where, "set.yaml:15:5");
}

TEST(CatalogLoad, OversizedFileIsRejectedBeforeParsing) {
  auto r = load({{"big.yaml", std::string(limits::kMaxCatalogFileBytes + 1, '#')}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kLimitExceeded);
  EXPECT_EQ(r.error().where, "big.yaml");
}

// ---------------------------------------------------------------------------------------------
// The built-in catalog

// Every check id of REQUIREMENTS.md section (c), c.0 to c.13, in table order. `mac-enforced`
// is the combined MAC verdict named in the mac-apparmor row.
const std::vector<std::string>& expected_check_ids() {
  static const std::vector<std::string> ids = {
      // c.0
      "inv-unpack",
      "inv-os-identify",
      "inv-kernel-version",
      "inv-kernel-config",
      "inv-sbom",
      "sbom-complete",  // issue 12: the share of ELF files the SBOM accounts for
      "inv-build-type",
      // c.1
      "boot-soc-root-of-trust",
      "boot-atf-tbbr",
      "boot-uboot-fit-required-key",
      "boot-uboot-legacy-disabled",
      "boot-uboot-no-external-boot",
      "boot-uboot-console-locked",
      "boot-kernel-cmdline",
      "boot-rootfs-dm-verity",
      "boot-android-avb",
      "boot-kernel-module-signing",
      "boot-kernel-lockdown",
      "boot-ima-appraisal",
      "boot-anti-rollback",
      "boot-production-keys",
      // c.2
      "keys-plaintext-private-keys",
      "keys-ssh-host-keys-shipped",
      "keys-unique-per-unit",
      "keys-lwa-tokens",
      "keys-hardcoded-secrets",
      "keys-hw-keystore-present",
      "keys-avs-pkcs11",
      "keys-data-at-rest",
      "keys-secret-file-perms",
      // c.3
      "crypto-hw-engine",
      "crypto-hw-rng",
      "crypto-userspace-offload",
      "crypto-weak-algorithms",
      // c.4
      "os-kernel-lts",
      "os-kernel-cve",
      "os-distro-eol",
      "os-component-eol",
      "os-sbom-cve",
      "vuln-known-exploited",
      "vuln-critical-high",
      "vuln-db-fresh",
      "os-build-age",
      // c.5
      "mac-selinux",
      "mac-apparmor",
      "mac-enforced",
      "kern-hardening-config",
      "sysctl-hardening",
      "bin-exploit-mitigations",
      "bin-release-build",
      // c.6
      "avs-config-protected",
      "avs-executables-protected",
      "avs-state-protected",
      "avs-ipc-protected",
      "avs-robustness",
      // c.7
      "priv-services-non-root",
      "priv-systemd-sandbox",
      "priv-setuid-inventory",
      "priv-uid0-and-shells",
      "priv-sudo",
      "priv-fs-permissions",
      "priv-rootfs-readonly",
      "priv-isolation",
      // c.8
      "net-listeners",
      "net-legacy-daemons",
      "net-debug-services",
      "net-ssh-config",
      "net-serial-console",
      "net-usb-gadget",
      "net-firewall",
      "net-info-disclosure",
      "net-unneeded-software",
      "net-wireless-config",
      "net-setup-no-cleartext",
      // c.9
      "tls-amazon-roots",
      "tls-ca-store-hygiene",
      "tls-min-version",
      "tls-cert-validation",
      "tls-amazon-trust-restriction",
      "tls-cleartext-traffic",
      // c.10
      "upd-agent-present",
      "upd-rauc-signature",
      "upd-swupdate-signature",
      "upd-mender-signature",
      "upd-ostree-signature",
      "upd-android-ota-keys",
      "upd-package-feeds",
      "upd-custom-scripts",
      "upd-transport",
      "upd-tamper-test",
      "upd-auto-check",
      "upd-security-source",
      // c.11
      "auth-empty-password",
      "auth-default-password",
      "auth-shared-hash",
      "auth-hash-strength",
      "auth-pam",
      "auth-bruteforce",
      "auth-web-admin",
      // c.12
      "input-unsafe-calls",
      "input-fuzz",
      "log-secrets",
      "debug-coredumps",
      "debug-kernel-interfaces",
      "data-factory-reset",
      // c.13
      "proc-vdp",
      "proc-maintenance-strategy",
      "proc-incident-response",
      "proc-support-period",
      "proc-threat-model-sdlc",
      "proc-assessment-and-recert",
  };
  return ids;
}

// Every item of REQUIREMENTS.md section (a), a.3 to a.8.
const std::vector<std::string>& expected_avs_ids() {
  static const std::vector<std::string> ids = {
      "AVS-1.1",
      "AVS-1.2",
      "AVS-1.3",
      "AVS-1.4",
      "AVS-1.5",
      "AVS-1.6",
      "AVS-PROC-ASSESS",
      "AVS-PROC-NOTIFY",
      "AVS-PROC-PATCH-SLA",
      "AVS-CAP-SECBOOT",
      "AVS-CAP-KEYSTORE",
      "AVS-CAP-HWCRYPTO",
      "AVS-CAP-LTSOS",
      "AVS-CAP-HOSTHARD",
      "AVS-CAP-PRIVSEP",
      "AVS-CAP-SURFACE",
      "AVS-PROC-THREATMODEL",
      "AVS-PROC-SDLC",
      "AVS-PROC-COMPONENTS",
      "AVS-PROC-VULNMGMT",
      "AVS-PROC-BUGBOUNTY",
      "AVS-PROC-IR",
      "AVS-PROC-RECERT",
      "AVS-SDK-1",
      "AVS-SDK-2",
      "AVS-SDK-3",
      "AVS-SDK-4",
      "AVS-SDK-5",
      "AVS-SS-1",
      "AUTO-1",
      "AUTO-2",
      "AUTO-3",
      "AUTO-4",
      "AUTO-5",
  };
  return ids;
}

const Catalog& builtin() {
  static const Catalog cat = [] {
    auto r = load_builtin();
    EXPECT_TRUE(r.ok()) << r.error().describe();
    return r.ok() ? std::move(r).value() : Catalog{};
  }();
  return cat;
}

const RequirementDef* find_requirement(const RequirementSet& set, const std::string& id) {
  for (const auto& r : set.requirements) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

TEST(CatalogBuiltin, LoadsAndHoldsExactlyTheChecksOfSectionC) {
  auto r = load_builtin();
  ASSERT_TRUE(r.ok()) << r.error().describe();
  std::vector<std::string> got;
  for (const auto& c : r->checks) got.push_back(c.id);
  EXPECT_EQ(got, expected_check_ids()) << "catalog/checks.yaml must list the checks of section (c) in order";
}

TEST(CatalogBuiltin, EveryCheckIsDocumented) {
  static const std::set<std::string> kAreas = {
      "inventory",      "secure-boot",    "key-storage",          "hw-crypto",      "os-currency",
      "host-hardening", "avs-sdk",        "privilege-separation", "threat-surface", "tls",
      "signed-updates", "authentication", "input-logging-data",   "company-process"};
  // Inventory prerequisites whose requirement column says "all" or "many" name no item.
  static const std::set<std::string> kNoReferences = {"inv-unpack", "inv-kernel-config", "inv-build-type"};
  for (const auto& c : builtin().checks) {
    SCOPED_TRACE(c.id);
    EXPECT_FALSE(c.title.empty());
    EXPECT_TRUE(kAreas.count(c.area)) << c.area;
    EXPECT_FALSE(c.modes.empty());
    EXPECT_FALSE(c.rationale.empty());
    EXPECT_FALSE(c.logic.empty());
    EXPECT_FALSE(c.remediation.empty());
    EXPECT_EQ(c.references.empty(), kNoReferences.count(c.id) == 1);
  }
}

TEST(CatalogBuiltin, SeveritiesFollowTheSevColumn) {
  const std::vector<std::pair<std::string, Severity>> expected = {
      {"inv-sbom", Severity::kInfo},
      {"boot-soc-root-of-trust", Severity::kCritical},
      {"boot-kernel-lockdown", Severity::kMedium},
      {"keys-plaintext-private-keys", Severity::kHigh},  // base of "high (critical for signing keys)"
      {"kern-hardening-config", Severity::kMedium},      // base of "medium (high for the fail set)"
      {"crypto-userspace-offload", Severity::kLow},
      {"tls-cert-validation", Severity::kCritical},
      {"auth-empty-password", Severity::kCritical},
      {"auth-default-password", Severity::kCritical},
      {"auth-hash-strength", Severity::kMedium},
      {"priv-uid0-and-shells", Severity::kHigh},
      {"proc-support-period", Severity::kMedium},
  };
  for (const auto& [id, sev] : expected) {
    const CheckDef* c = builtin().find_check(id);
    ASSERT_NE(c, nullptr) << id;
    EXPECT_EQ(c->severity, sev) << id;
  }
}

TEST(CatalogBuiltin, AvsSetHoldsEveryItemOfSectionA) {
  const RequirementSet* avs = builtin().find_set("avs");
  ASSERT_NE(avs, nullptr);
  EXPECT_EQ(avs->gate, Severity::kHigh);
  EXPECT_THAT(avs->source, HasSubstr("18 Oct 2021"));
  std::vector<std::string> got;
  for (const auto& r : avs->requirements) got.push_back(r.id);
  EXPECT_EQ(got, expected_avs_ids());
}

TEST(CatalogBuiltin, UnverifiedItemsAreMarked) {
  const RequirementSet* avs = builtin().find_set("avs");
  ASSERT_NE(avs, nullptr);
  // a.3 items 1.1-1.5 and the SDK pages are confirmed; 1.6 (older numbering), a.4 (numbering
  // unverified) and a.5 (text not retrievable) are not.
  std::set<std::string> unverified;
  for (const auto& r : avs->requirements) {
    if (r.unverified) unverified.insert(r.id);
  }
  const std::set<std::string> expected = {
      "AVS-1.6",          "AVS-PROC-ASSESS",     "AVS-PROC-NOTIFY",   "AVS-PROC-PATCH-SLA",
      "AVS-CAP-SECBOOT",  "AVS-CAP-KEYSTORE",    "AVS-CAP-HWCRYPTO",  "AVS-CAP-LTSOS",
      "AVS-CAP-HOSTHARD", "AVS-CAP-PRIVSEP",     "AVS-CAP-SURFACE",   "AVS-PROC-THREATMODEL",
      "AVS-PROC-SDLC",    "AVS-PROC-COMPONENTS", "AVS-PROC-VULNMGMT", "AVS-PROC-BUGBOUNTY",
      "AVS-PROC-IR",      "AVS-PROC-RECERT"};
  EXPECT_EQ(unverified, expected);
}

TEST(CatalogBuiltin, RequirementLevelsAndSubjectsFollowTheSource) {
  const RequirementSet* avs = builtin().find_set("avs");
  ASSERT_NE(avs, nullptr);
  const std::vector<std::tuple<std::string, std::string, std::string>> expected = {
      {"AVS-1.1", "SHALL", "Device"},
      {"AVS-1.4", "SHALL", "Company"},
      {"AVS-1.5", "SHALL", "Company"},
      {"AVS-PROC-NOTIFY", "required", "Company"},
      {"AVS-PROC-PATCH-SLA", "UNVERIFIED", "Company"},
      {"AVS-SS-1", "SHALL", "Device"},
      {"AVS-SDK-5", "required", "Device"},
  };
  for (const auto& [id, level, subject] : expected) {
    const RequirementDef* r = find_requirement(*avs, id);
    ASSERT_NE(r, nullptr) << id;
    EXPECT_EQ(r->level, level) << id;
    EXPECT_EQ(r->subject, subject) << id;
  }
}

TEST(CatalogBuiltin, EveryDocumentItemSaysWhatToAttest) {
  const RequirementSet* avs = builtin().find_set("avs");
  ASSERT_NE(avs, nullptr);
  for (const auto& r : avs->requirements) {
    const bool needs_document = std::find(r.modes.begin(), r.modes.end(), "DOC") != r.modes.end();
    EXPECT_EQ(!r.attestation.empty(), needs_document) << r.id;
  }
  // The vulnerability-management item has no check naming it: only a document settles it.
  const RequirementDef* vuln = find_requirement(*avs, "AVS-PROC-VULNMGMT");
  ASSERT_NE(vuln, nullptr);
  EXPECT_TRUE(vuln->checks.empty());
}

// The requirement column of section (c) is carried twice: as a check's `references` and as a
// requirement's `checks`. Both directions must agree, so the mapping cannot drift.
TEST(CatalogBuiltin, RequirementChecksMatchTheChecksReferences) {
  const RequirementSet* avs = builtin().find_set("avs");
  ASSERT_NE(avs, nullptr);
  auto names = [](const CheckDef& c, const std::string& req) {
    for (const auto& ref : c.references) {
      // "AVS-1.3(b)" names AVS-1.3
      if (ref == req || (ref.starts_with(req + "(") && ref.ends_with(")"))) return true;
    }
    return false;
  };
  for (const auto& req : avs->requirements) {
    for (const auto& c : builtin().checks) {
      const bool listed = std::find(req.checks.begin(), req.checks.end(), c.id) != req.checks.end();
      EXPECT_EQ(listed, names(c, req.id)) << req.id << " / " << c.id;
    }
  }
  // Spot checks against the tables of section (c).
  auto lists = [&](const std::string& req, const std::string& check) {
    const RequirementDef* r = find_requirement(*avs, req);
    return r && std::find(r->checks.begin(), r->checks.end(), check) != r->checks.end();
  };
  EXPECT_TRUE(lists("AVS-1.1", "upd-mender-signature"));
  EXPECT_TRUE(lists("AVS-1.2", "auth-default-password"));
  EXPECT_TRUE(lists("AVS-1.3", "tls-amazon-roots"));
  EXPECT_TRUE(lists("AVS-1.5", "proc-vdp"));
  EXPECT_TRUE(lists("AVS-CAP-PRIVSEP", "priv-uid0-and-shells"));
  EXPECT_TRUE(lists("AVS-PROC-NOTIFY", "proc-incident-response"));
  EXPECT_TRUE(lists("AVS-SS-1", "avs-ipc-protected"));
  EXPECT_FALSE(lists("AVS-1.2", "auth-hash-strength"));  // ETSI 5.1-3 only
}

// ---------------------------------------------------------------------------------------------
// Evaluation

Catalog small_catalog() {
  auto r = load({{"checks.yaml",
                  "checks:\n"
                  "  - {id: c1, title: one, severity: high, analyzer: first}\n"
                  "  - {id: c2, title: two, severity: medium, analyzer: first}\n"
                  "  - {id: c3, title: three, severity: low, analyzer: second}\n"
                  "  - {id: c4, title: four, severity: critical}\n"},
                 {"set.yaml",
                  "set: {id: s, title: S}\n"
                  "requirements:\n"
                  "  - {id: R, title: both, checks: [c1, c2]}\n"
                  "  - {id: DOC, title: paper, attestation: a signed letter}\n"
                  "  - {id: MIXED, title: both kinds, checks: [c1], attestation: a plan}\n"}});
  EXPECT_TRUE(r.ok()) << r.error().describe();
  return r.ok() ? std::move(r).value() : Catalog{};
}

Finding finding(const std::string& check, Status status) {
  Finding f;
  f.check = check;
  f.status = status;
  return f;
}

struct VerdictCase {
  const char* name;
  std::vector<Finding> findings;
  Verdict verdict;
  std::string reason;  ///< substring
};

TEST(CatalogEvaluate, RequirementVerdictsFollowTheRollUpRules) {
  const Catalog cat = small_catalog();
  const RequirementSet* set = cat.find_set("s");
  ASSERT_NE(set, nullptr);
  using S = Status;
  const std::vector<VerdictCase> cases = {
      {"a failing check makes it not met",
       {finding("c1", S::kFail), finding("c2", S::kPass)},
       Verdict::kNotMet,
       "failed: c1"},
      {"fail wins over warn", {finding("c1", S::kWarn), finding("c2", S::kFail)}, Verdict::kNotMet, "failed: c2"},
      {"one failing subject among passing ones",
       {finding("c1", S::kPass), finding("c1", S::kFail), finding("c2", S::kPass)},
       Verdict::kNotMet,
       "failed: c1"},
      {"a warning makes it partial",
       {finding("c1", S::kWarn), finding("c2", S::kPass)},
       Verdict::kPartial,
       "warnings: c1"},
      {"all passing is met", {finding("c1", S::kPass), finding("c2", S::kPass)}, Verdict::kMet, "2 of 2"},
      {"not-applicable alongside a pass is met",
       {finding("c1", S::kNotApplicable), finding("c2", S::kPass)},
       Verdict::kMet,
       "1 of 2"},
      {"a check with no finding is inconclusive, never met",
       {finding("c1", S::kPass)},
       Verdict::kInconclusive,
       "1 of 2 checks gave no evidence: c2"},
      {"an inconclusive finding is inconclusive",
       {finding("c1", S::kInconclusive), finding("c2", S::kPass)},
       Verdict::kInconclusive,
       "gave no evidence: c1"},
      {"no findings at all is inconclusive", {}, Verdict::kInconclusive, "2 of 2 checks gave no evidence: c1, c2"},
      {"all not-applicable is not applicable",
       {finding("c1", S::kNotApplicable), finding("c2", S::kNotApplicable)},
       Verdict::kNotApplicable,
       "no check applies"},
      {"not-applicable plus missing is inconclusive",
       {finding("c1", S::kNotApplicable)},
       Verdict::kInconclusive,
       "gave no evidence: c2"},
      {"findings of other checks do not count",
       {finding("c3", S::kPass), finding("c4", S::kPass)},
       Verdict::kInconclusive,
       "2 of 2"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto results = evaluate(*set, cat, c.findings);
    ASSERT_EQ(results.size(), 3u);
    EXPECT_EQ(results[0].id, "R");
    EXPECT_EQ(results[0].verdict, c.verdict) << to_string(results[0].verdict) << ": " << results[0].reason;
    EXPECT_THAT(results[0].reason, HasSubstr(c.reason));
    EXPECT_EQ(results[0].checks, (std::vector<std::string>{"c1", "c2"}));
  }
}

TEST(CatalogEvaluate, RequirementWithoutChecksNeedsAttestationWhateverTheFindings) {
  const Catalog cat = small_catalog();
  const RequirementSet* set = cat.find_set("s");
  ASSERT_NE(set, nullptr);
  for (Status s : {Status::kPass, Status::kFail}) {
    auto results = evaluate(*set, cat, {finding("c1", s), finding("c2", s)});
    ASSERT_EQ(results.size(), 3u);
    EXPECT_EQ(results[1].id, "DOC");
    EXPECT_EQ(results[1].verdict, Verdict::kNeedsAttestation);
    EXPECT_THAT(results[1].reason, HasSubstr("a signed letter"));
  }
}

TEST(CatalogEvaluate, ChecksAndAttestationTogetherMentionTheDocumentUnlessNotMet) {
  const Catalog cat = small_catalog();
  const RequirementSet* set = cat.find_set("s");
  ASSERT_NE(set, nullptr);
  auto met = evaluate(*set, cat, {finding("c1", Status::kPass)});
  EXPECT_EQ(met[2].verdict, Verdict::kMet);
  EXPECT_THAT(met[2].reason, HasSubstr("also needs attestation: a plan"));
  auto failed = evaluate(*set, cat, {finding("c1", Status::kFail)});
  EXPECT_EQ(failed[2].verdict, Verdict::kNotMet);
  EXPECT_THAT(failed[2].reason, ::testing::Not(HasSubstr("attestation")));
}

TEST(CatalogEvaluate, UnverifiedFlagIsCarriedIntoTheResult) {
  auto cat = load_builtin();
  ASSERT_TRUE(cat.ok()) << cat.error().describe();
  const RequirementSet* avs = cat->find_set("avs");
  ASSERT_NE(avs, nullptr);
  auto results = evaluate(*avs, *cat, {});
  ASSERT_EQ(results.size(), avs->requirements.size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].unverified, avs->requirements[i].unverified) << results[i].id;
    // With no evidence at all nothing may come out met.
    EXPECT_NE(results[i].verdict, Verdict::kMet) << results[i].id;
  }
}

TEST(CatalogCompleteFindings, AddsInconclusiveForSilentChecksOfAnalyzersThatRan) {
  const Catalog cat = small_catalog();
  std::vector<Finding> findings = {finding("c1", Status::kPass)};
  complete_findings(cat, {"first"}, findings);
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].check, "c1");
  EXPECT_EQ(findings[0].status, Status::kPass);
  EXPECT_EQ(findings[0].severity, Severity::kHigh);  // filled in from the catalog
  EXPECT_EQ(findings[1].check, "c2");
  EXPECT_EQ(findings[1].status, Status::kInconclusive);
  EXPECT_EQ(findings[1].severity, Severity::kMedium);
  EXPECT_FALSE(findings[1].message.empty());
  // c3 belongs to an analyzer that did not run; c4 has no analyzer: neither is added.
}

TEST(CatalogCompleteFindings, KeepsAnAnalyzersOwnSeverity) {
  const Catalog cat = small_catalog();
  Finding raised = finding("c2", Status::kFail);
  raised.severity = Severity::kCritical;
  raised.severity_override = true;
  std::vector<Finding> findings = {raised};
  complete_findings(cat, {"first", "second"}, findings);
  ASSERT_EQ(findings.size(), 3u);
  EXPECT_EQ(findings[0].severity, Severity::kCritical);
  std::set<std::string> added = {findings[1].check, findings[2].check};
  EXPECT_EQ(added, (std::set<std::string>{"c1", "c3"}));
}

TEST(CatalogCompleteFindings, NothingAddedWhenNoAnalyzerRan) {
  const Catalog cat = small_catalog();
  std::vector<Finding> findings;
  complete_findings(cat, {}, findings);
  EXPECT_TRUE(findings.empty());
}

}  // namespace
}  // namespace fwcert::catalog
