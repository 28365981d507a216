#pragma once
// The report model: everything a scan found, in one structure that every writer renders.
// Writers compute nothing; the order of every list here is the order they print.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace fwcert {

enum class Severity : std::uint8_t { kInfo, kLow, kMedium, kHigh, kCritical };
const char* to_string(Severity s);
std::optional<Severity> parse_severity(std::string_view s);

enum class Status : std::uint8_t { kPass, kFail, kWarn, kInfo, kInconclusive, kNotApplicable };
const char* to_string(Status s);

/// A requirement's verdict; docs/rollup.md gives the rules. kAttested: met on the strength of
/// documents the product manifest names; kMissingEvidence: a manifest was given but the
/// document it must name is absent (or its file is missing).
enum class Verdict : std::uint8_t {
  kMet,
  kNotMet,
  kPartial,
  kInconclusive,
  kNeedsAttestation,
  kNotApplicable,
  kAttested,
  kMissingEvidence,
};
const char* to_string(Verdict v);

/// Where a finding's evidence is: path in the image, and line, offset, values where they apply.
struct Evidence {
  std::string path;  ///< display path in the target ("/etc/shadow", "a.img!/etc/x")
  std::optional<std::uint64_t> line;
  std::optional<std::uint64_t> offset;
  std::string observed;
  std::string expected;
};

/// The waiver that accepted a finding (see Report::waivers for every waiver and its state).
struct AppliedWaiver {
  std::string id;  ///< "FILE:LINE" of the waiver entry, stable while the file is unchanged
  std::string justification;
  std::string owner;
  std::string expires;  ///< YYYY-MM-DD
};

struct Finding {
  std::string check;  ///< catalog check id
  Status status = Status::kInconclusive;
  Severity severity = Severity::kInfo;  ///< from the catalog unless severity_override is set
  bool severity_override = false;       ///< the analyzer chose the severity (e.g. raised it)
  std::string subject;                  ///< what the finding is about (account, file, service)
  std::string message;
  std::vector<Evidence> evidence;
  /// Set when a waiver accepted this finding: it stays in every report, marked waived, but
  /// counts neither for the exit code nor for a requirement's not-met.
  std::optional<AppliedWaiver> waiver;
};

/// A problem reading the target: a damaged file, a limit reached, a path that escaped.
struct Diagnostic {
  enum class Level : std::uint8_t { kNote, kWarning, kError };
  Level level = Level::kWarning;
  std::string path;
  std::string message;
};
const char* to_string(Diagnostic::Level l);

using FactValue = std::variant<bool, std::int64_t, std::string, std::vector<std::string>>;

/// Something true about the target, recorded by an analyzer so that a lab can verify a
/// verdict by hand.
struct Fact {
  std::string analyzer;
  std::string subject;  ///< display path or logical subject ("account:root")
  std::string name;     ///< dotted name ("account.uid")
  FactValue value;
  Evidence source;  ///< where the fact was read
};

struct FilesystemInfo {
  std::string prefix;        ///< "" for the root filesystem, "outer!" for nested ones
  std::string type;          ///< squashfs, ext4, tar, cpio, zip, directory, ...
  std::uint64_t offset = 0;  ///< byte offset inside its container
  std::string container;     ///< display path of the file it was found in ("" = the target)
};

/// One region of a target file: what a magic probe found at an offset, and what came of it.
/// For an image the layout is one region (the whole file and its format chain); for a raw flash
/// dump it is the partition map carving found ("0x0 uimage", "0x40000 squashfs", "0x200000 ubi").
struct LayoutRegion {
  std::uint64_t offset = 0;
  std::uint64_t length = 0;  ///< bytes the region spans (as far as its format says, cut at the file's end)
  std::string format;        ///< "squashfs", "uimage", "gzip > ext4", ...
  bool read = false;         ///< opened and walked
  std::string note;          ///< why it was not read, or "" when it was
};

struct TargetInfo {
  std::string path;
  std::string format;
  std::vector<FilesystemInfo> filesystems;
  std::vector<LayoutRegion> layout;  ///< empty for a directory
  bool partial = false;
  std::vector<Diagnostic> diagnostics;
};

/// Counts from the inventory walk.
struct InventorySummary {
  std::uint64_t files = 0;
  std::uint64_t directories = 0;
  std::uint64_t symlinks = 0;
  std::uint64_t devices = 0;
  std::uint64_t other = 0;
  std::uint64_t hardlinks = 0;  ///< names beyond the first for multiply-linked files
  std::uint64_t elf = 0;
  std::uint64_t setuid = 0;
  std::uint64_t setgid = 0;
  std::uint64_t world_writable = 0;
  std::uint64_t capabilities = 0;
  std::uint64_t selinux_labels = 0;
  std::uint64_t bytes = 0;
  std::map<std::string, std::uint64_t> kinds;  ///< file kind -> count
};

struct RequirementResult {
  std::string id;
  std::string title;
  std::string level;  ///< SHALL / SHOULD / ...
  Verdict verdict = Verdict::kInconclusive;
  std::string reason;
  std::vector<std::string> checks;
  bool unverified = false;  ///< the requirement text could not be confirmed at the source
  /// Where evidence can come from (catalog modes): IMG image, LIVE running unit, NET network
  /// testing, DOC documents only. A requirement without IMG cannot be decided from an image.
  std::vector<std::string> modes;
  std::string attestation;          ///< the document that can settle it, when one can
  int verification_level = 0;       ///< ISVS level (1, 2, 3) of the item; 0 when the set has none
  std::vector<std::string> waived;  ///< checks whose problems are all waived (see Finding::waiver)
};

/// One waiver of the waivers file and what became of it.
struct WaiverResult {
  enum class State : std::uint8_t { kApplied, kUnused, kExpired };
  std::string id;       ///< "FILE:LINE"
  std::string check;    ///< check id it waives
  std::string subject;  ///< fnmatch pattern on the finding's subject
  std::string justification;
  std::string owner;
  std::string expires;  ///< YYYY-MM-DD, the last day it applies
  State state = State::kUnused;
  std::size_t matched = 0;  ///< findings it accepted (applied) or would have (expired)
};
const char* to_string(WaiverResult::State s);

/// The evidence the product manifest gives for one process requirement.
struct Attestation {
  enum class State : std::uint8_t { kAttested, kMissingEvidence };
  std::string requirement;  ///< requirement id in the profile
  std::string title;
  State state = State::kMissingEvidence;
  std::string evidence;               ///< what the manifest names (a statement, a URL, a document), "" if nothing
  std::string file;                   ///< document named, relative to the manifest as written; "" if none
  std::string sha256;                 ///< of that file (hex), when it could be read
  std::string source;                 ///< "MANIFEST:LINE" of the entry, "" when the manifest has none
  std::vector<std::string> problems;  ///< missing file, dates in the wrong order, ...
};
const char* to_string(Attestation::State s);

/// A built-in data table and the day it was taken from its source.
struct DataSnapshot {
  std::string name;       ///< resource name ("data/endoflife/linux-kernel.yaml")
  std::string retrieved;  ///< YYYY-MM-DD
};

/// The product the manifest describes (all empty without a manifest).
struct ProductInfo {
  std::string product;
  std::string model;
  std::string firmware_version;
  std::string firmware_date;  ///< YYYY-MM-DD release date of the firmware
  std::string support_end;    ///< YYYY-MM-DD end of the published support period
  std::vector<std::string> sdks;
};

/// What the report was judged with. Nothing here depends on the clock except
/// assessment_date when the user did not fix it, so a report is reproducible byte for byte.
struct ReportMetadata {
  std::string assessment_date;         ///< YYYY-MM-DD
  bool assessment_date_given = false;  ///< false: today (UTC) was used
  std::string profile;                 ///< profile id
  std::string profile_title;
  std::string requirement_set;  ///< the requirement set the profile selects
  std::string gate;             ///< lowest failing severity that sets exit code 1
  std::string tool_version;
  std::vector<DataSnapshot> data;  ///< built-in data tables with a retrieval date
  std::string target_sha256;       ///< of the target when it is a file
  std::string manifest;            ///< manifest path as given, "" without one
  std::string manifest_sha256;
  std::string waivers;  ///< waivers path as given, "" without one
  std::string waivers_sha256;
  ProductInfo product;
};

struct ToolInfo {
  std::string name = "fwcert";
  std::string version;
};

/// What writers show of one catalog check: copied from the catalog by the scan, so that no
/// writer reads the catalog.
struct CitedCheck {
  std::string id;
  std::string title;
  std::string area;                     ///< capability area ("authentication"), "" when the catalog gives none
  Severity severity = Severity::kInfo;  ///< the catalog's severity (a finding may override it)
  std::string rationale;
  std::string logic;  ///< pass/fail logic in words
  std::string remediation;
  std::vector<std::string> references;  ///< requirement ids citing it, as the catalog lists them
  bool implemented = false;             ///< an analyzer of this version emits it
};

/// One software component of the target, from a package database or a version fingerprint
/// (docs/sbom.md). The SBOM writers render these; the vulnerability matcher reads them.
struct Component {
  std::string ref;        ///< unique within the report, stable between scans ("deb/openssl@3.0.11-1~deb12u2")
  std::string name;       ///< package or upstream project name
  std::string version;    ///< as the source records it ("1:3.0.11-1~deb12u2", "1.36.1")
  std::string ecosystem;  ///< "deb", "opkg", "apk", "rpm", or "generic" for fingerprints
  std::string distro;     ///< "debian-12", "alpine-3.19", "" when unknown
  std::string arch;
  std::string source_name;         ///< source package, "" when the database records none
  std::string source_version;      ///< source package version when it differs from `version`
  std::string license;             ///< SPDX expression or the database's text, "" when not recorded
  std::string supplier;            ///< maintainer or vendor, "" when not recorded
  std::string purl;                ///< package URL
  std::string cpe;                 ///< CPE 2.3, "" when not known
  std::string found_by;            ///< "package-db", "fingerprint", or "os-release" (no package database)
  Evidence evidence;               ///< the database file and line, or the binary and offset
  std::string filesystem;          ///< FilesystemInfo::prefix of the filesystem it is in
  std::vector<std::string> files;  ///< display paths of the files it owns, sorted
  /// What the SBOM carries besides ("fwcert:busybox:applets" -> "ash cat ..."), in a stable order.
  std::vector<std::pair<std::string, std::string>> properties;
};

/// One known vulnerability of one component, from the offline vulnerability database.
struct Vulnerability {
  std::string id;                    ///< "CVE-2024-6387", or the advisory id when it has no CVE
  std::vector<std::string> aliases;  ///< other ids of the same vulnerability (GHSA, DSA, OSV ids)
  std::string component;             ///< Component::ref
  std::string summary;
  std::optional<double> cvss;  ///< base score, highest of the versions given
  std::string cvss_vector;
  std::optional<double> epss;    ///< probability 0..1
  bool known_exploited = false;  ///< in the CISA KEV catalogue
  std::string kev_date_added;    ///< YYYY-MM-DD
  std::string fixed_version;     ///< the first version that is not affected, "" when none is known
  std::string source;            ///< the record it was matched on ("osv:DEBIAN-CVE-2024-6387", "cve5:CVE-...")
  std::string confidence;        ///< "ecosystem" (the distribution's or package's own ranges) or "cpe"
  std::string vex_state;         ///< from --vex: "not_affected", "fixed", "under_investigation", "" none
  std::string vex_justification;
  Evidence evidence;  ///< the file that holds the component (its binary or the package database)
};

/// The vulnerability database a scan was judged with ("" fields: no database was used).
struct VulnDbInfo {
  std::string path;
  std::string built;                  ///< YYYY-MM-DD of its last import
  std::vector<DataSnapshot> sources;  ///< each imported source and the date of its newest record
};

/// The numbers every writer prints and the exit code is decided on, computed once by summarize().
struct Summary {
  /// The lowest failing severity that sets exit code 1: --fail-on when given, else the profile's.
  Severity gate = Severity::kHigh;
  std::size_t gated = 0;                    ///< failing, unwaived findings at or above `gate`: exit code 1 when not 0
  std::size_t waived = 0;                   ///< failing or warning findings a waiver accepted
  std::map<Status, std::size_t> statuses;   ///< findings per status, waived ones left out
  std::map<Verdict, std::size_t> verdicts;  ///< requirements per verdict

  std::size_t count(Status s) const;
  std::size_t count(Verdict v) const;
};

struct Report {
  ToolInfo tool;
  TargetInfo target;
  std::string profile;
  InventorySummary inventory;
  std::vector<Finding> findings;
  std::vector<RequirementResult> requirements;
  std::vector<Fact> facts;
  ReportMetadata metadata;
  std::vector<WaiverResult> waivers;      ///< every waiver in the file, in file order
  std::vector<Attestation> attestations;  ///< every process (DOC) requirement of the profile
  /// The catalog entry of every check a finding or a requirement cites, in catalog order.
  std::vector<CitedCheck> checks;
  /// Every capability area of the catalog, in catalog order (the order of JUnit's suites).
  std::vector<std::string> areas;
  /// Every component found, in filesystem then name order (empty unless the SBOM was built).
  std::vector<Component> components;
  /// Every vulnerability matched, KEV first, then by CVSS descending, then id.
  std::vector<Vulnerability> vulnerabilities;
  VulnDbInfo vuln_db;
  Summary summary;

  /// The cited check `id`, or nullptr when the catalog lacks it.
  const CitedCheck* find_check(std::string_view id) const;
};

/// The summary of `report` judged at `gate`: findings counted per status with waived problems
/// apart, verdicts counted, and the failing unwaived findings at or above `gate`.
Summary summarize(const Report& report, Severity gate);

}  // namespace fwcert
