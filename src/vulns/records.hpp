#pragma once
// Vulnerability records as fwcert stores them, and the parsers of the files a user downloads:
// OSV JSON, CVE JSON 5, the CISA KEV catalogue (JSON or CSV) and EPSS CSV. The parsers read
// bytes the caller has already read from the host (bounded by vulns/limits.hpp); damage is an
// error naming the record, never a crash.

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fwcert/result.hpp"
#include "vulns/version.hpp"

namespace fwcert::vulns {

/// One interval or one version of an affected entry. A version is in the row when it is at or
/// after `introduced` ("" = from the first version) and before `fixed` or at most `last_affected`
/// (both "" = no end), or equal to `exact` when that is set. Upper bounds may end in ".*" (the
/// whole branch: "4.19.*") or be "*" (no end).
struct VersionRow {
  bool unaffected = false;  ///< CVE 5 `status: unaffected`: the versions of the row are not affected
  std::string introduced;
  std::string fixed;
  std::string last_affected;
  std::string exact;
};

/// One affected package of an advisory: an OSV `affected[]` entry or a CVE 5 `affected[]` entry.
struct AffectedEntry {
  std::string ecosystem;    ///< OSV ecosystem as written ("Debian:12"); "" for a CVE 5 (upstream) entry
  std::string package;      ///< OSV package name or CVE 5 product, lower case
  std::string package_alt;  ///< CVE 5 packageName when it differs from the product, lower case
  std::string vendor;       ///< CVE 5 vendor, lower case
  Scheme scheme = Scheme::kGeneric;
  bool default_affected = false;  ///< CVE 5 `defaultStatus: affected` (versions no row names are affected)
  std::vector<VersionRow> rows;
  std::vector<std::string> cpes;  ///< "vendor:product" of the CPEs naming this entry, lower case
};

struct CvssScore {
  std::string version;  ///< "3.1", "3.0", "4.0"
  double score = 0;
  std::string vector;
};

/// An OSV record or a CVE record.
struct Advisory {
  std::string id;                    ///< "UBUNTU-CVE-2023-28450", "CVE-2024-6387"
  std::string kind;                  ///< "osv" or "cve5"
  std::string source;                ///< the source it is imported under: "osv:Ubuntu", "osv:Bitnami", "cve5"
  std::string cve;                   ///< the CVE it is about ("" when none is named)
  std::vector<std::string> aliases;  ///< other ids (aliases, upstream, the CVE of a distribution record)
  std::string summary;
  std::string published;  ///< RFC 3339 as written
  std::string modified;
  bool withdrawn = false;  ///< OSV `withdrawn` or CVE `state: REJECTED`: kept out of matching
  std::vector<AffectedEntry> affected;
  std::vector<CvssScore> cvss;
};

struct KevEntry {
  std::string cve;
  std::string vendor;
  std::string product;
  std::string name;
  std::string date_added;  ///< YYYY-MM-DD
  std::string due_date;
  std::string ransomware;  ///< "Known" / "Unknown"
};

struct KevCatalog {
  std::string version;   ///< catalogVersion ("2025.08.25"), "" for the CSV form
  std::string released;  ///< dateReleased, or the newest dateAdded for the CSV form
  std::vector<KevEntry> entries;
};

struct EpssEntry {
  std::string cve;
  double epss = 0;
  double percentile = 0;
};

struct EpssFile {
  std::string model_version;  ///< from the `#model_version:...,score_date:...` line
  std::string score_date;     ///< YYYY-MM-DD...
  std::vector<EpssEntry> entries;
};

/// What a document turned out to be: advisories, a KEV catalogue, EPSS scores, or nothing fwcert
/// imports (a JSON file of another kind in a cvelistV5 tree: delta.json, a README).
struct NotARecord {
  std::string reason;
};
using Document = std::variant<std::vector<Advisory>, KevCatalog, EpssFile, NotARecord>;

/// Reads one document by its content (never its name): an OSV record or an array of them, a CVE
/// JSON 5 record, a KEV catalogue in JSON or CSV, or an EPSS CSV. `name` is the record's path as
/// the user knows it ("all.zip!DSA-5514-1.json") and is named by every error.
Result<Document> parse_document(std::string_view bytes, const std::string& name);

/// The OSV record in `json_text`.
Result<Advisory> parse_osv(std::string_view json_text, const std::string& name);
/// The CVE JSON 5 record in `json_text`.
Result<Advisory> parse_cve5(std::string_view json_text, const std::string& name);
/// The CISA KEV catalogue, JSON form.
Result<KevCatalog> parse_kev_json(std::string_view json_text, const std::string& name);
/// The CISA KEV catalogue, CSV form (`cveID,vendorProject,product,...` header).
Result<KevCatalog> parse_kev_csv(std::string_view text, const std::string& name);
/// EPSS scores (`cve,epss,percentile` with an optional `#model_version:...,score_date:...` line).
Result<EpssFile> parse_epss_csv(std::string_view text, const std::string& name);

/// The CVSS 3.0/3.1 base score of a vector ("CVSS:3.1/AV:N/AC:L/..."), nullopt when it is not a
/// complete 3.x vector.
std::optional<double> cvss3_base_score(std::string_view vector);

/// "vendor:product" of a CPE 2.3 ("cpe:2.3:a:openssl:openssl:...") or 2.2 URI ("cpe:/a:openssl:openssl"),
/// lower case; "" when it is neither.
std::string cpe_vendor_product(std::string_view cpe);

/// True when `json_text` nests arrays and objects no deeper than `max_depth` (checked before the
/// recursive parser sees it).
bool json_depth_within(std::string_view json_text, std::size_t max_depth);

}  // namespace fwcert::vulns
