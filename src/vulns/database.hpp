#pragma once
// The offline vulnerability database: one SQLite file built by `fwcert db import` from the files
// a user downloaded (OSV, CVE JSON 5, CISA KEV, EPSS) and opened read-only by a scan. The schema
// is versioned (table `meta`); a file that is not an fwcert vulnerability database, or is
// damaged, is an error and is never written to.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fwcert/result.hpp"
#include "vulns/records.hpp"

struct sqlite3;

namespace fwcert::vulns {

/// The schema version this fwcert reads and writes.
inline constexpr int kSchemaVersion = 1;

/// The default database file: $XDG_DATA_HOME/fwcert/vulns.db, else ~/.local/share/fwcert/vulns.db
/// ("" when neither variable is set).
std::string default_db_path();

/// One imported source ("osv:Debian", "cve5", "kev", "epss") and how old it is.
struct SourceStatus {
  std::string name;
  std::string imported;  ///< RFC 3339 UTC time of its last import
  std::string newest;    ///< YYYY-MM-DD of its newest record (modified date, catalogue release, score date)
  std::int64_t records = 0;
  std::string detail;  ///< "catalogVersion 2025.08.25", "model v2025.03.14", ...
};

struct DbStatus {
  std::string path;
  int schema_version = 0;
  std::string built;  ///< RFC 3339 UTC time of the last import
  std::vector<SourceStatus> sources;
};

/// One affected entry of an advisory, as the matcher reads it.
struct Candidate {
  std::string advisory;
  std::string kind;  ///< "osv" or "cve5"
  std::string cve;
  AffectedEntry entry;
};

/// What the database knows about one advisory beyond its ranges.
struct AdvisoryInfo {
  std::string id;
  std::string kind;
  std::string cve;
  std::string summary;
  std::vector<std::string> aliases;
};

struct KevInfo {
  std::string date_added;
  std::string name;
};

/// A database opened read-only for matching. Not thread-safe: one matcher uses it at a time.
class Database {
 public:
  /// Opens `path` read-only and checks it is an fwcert vulnerability database of this schema.
  static Result<Database> open_read_only(const std::string& path);

  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;
  ~Database();

  DbStatus status() const;
  const std::string& path() const { return path_; }

  /// True when some advisory names a package of `ecosystem` ("Debian:12").
  bool has_ecosystem(std::string_view ecosystem) const;
  /// Entries of `ecosystem` for `package` (lower case), withdrawn advisories left out.
  std::vector<Candidate> entries(std::string_view ecosystem, std::string_view package) const;
  /// Entries for `package` in the upstream data: CVE 5 records and the OSV ecosystems that
  /// carry upstream versions (Bitnami, OSS-Fuzz, Linux).
  std::vector<Candidate> upstream_entries(std::string_view package) const;
  /// Entries that a CPE `vendor:product` names.
  std::vector<Candidate> cpe_entries(std::string_view vendor_product) const;

  std::optional<AdvisoryInfo> advisory(std::string_view id) const;
  /// The highest CVSS base score recorded for `cve` or any advisory about it, with its vector.
  std::optional<CvssScore> cvss(std::string_view cve) const;
  std::optional<KevInfo> kev(std::string_view cve) const;
  std::optional<double> epss(std::string_view cve) const;

 private:
  Database(sqlite3* db, std::string path);
  std::vector<Candidate> query_entries(const char* sql, std::string_view a, std::string_view b) const;
  sqlite3* db_ = nullptr;
  std::string path_;
};

/// What one import did.
struct ImportResult {
  struct PerSource {
    std::string name;
    std::int64_t imported = 0;  ///< records read from the paths
    std::int64_t total = 0;     ///< records of the source in the database afterwards
  };
  std::vector<PerSource> sources;
  std::size_t files = 0;    ///< documents read
  std::size_t skipped = 0;  ///< documents that were no vulnerability record (a README, delta.json)
  std::string db_path;
};

struct ImportOptions {
  /// The import time written to the database (RFC 3339 UTC); empty = now. Tests fix it.
  std::string now;
};

/// Imports every path (a record file, a directory tree of records, an OSV zip, a KEV catalogue,
/// an EPSS CSV, gzip-compressed or not; each recognised by its content) into `db_path`, creating
/// it when absent, in one transaction: any damaged record is an error naming it and leaves the
/// database as it was. A source imported again replaces its records (see docs/sbom.md).
Result<ImportResult> import_paths(const std::vector<std::string>& paths, const std::string& db_path,
                                  const ImportOptions& options = {});

}  // namespace fwcert::vulns
