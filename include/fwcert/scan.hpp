#pragma once
// The library's entry point: scan a target and return the report model.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fwcert/report.hpp"
#include "fwcert/result.hpp"

namespace fwcert {

/// How far a scan has come, for a progress display. Within one scan no count ever decreases.
struct ScanProgress {
  std::uint64_t entries_walked = 0;  ///< inventory entries (files, directories, links) recorded so far
  std::size_t analyzers_done = 0;
  std::size_t analyzers_total = 0;  ///< 0 while the target is still being walked
};

/// Options for one scan. Every field has a sane default.
struct ScanOptions {
  /// Requirement set whose verdicts the report carries ("avs").
  std::string profile = "avs";
  /// Do not cross into other mounted filesystems (and so not /proc, /sys, /dev) in a directory target.
  bool one_file_system = true;
  /// Open filesystem images and archives found inside the target (one level).
  bool nested = true;
  /// Threads of the scan's one worker pool (analyzers, the content pass, ELF parsing, password
  /// hashing); 0 means one per core.
  unsigned threads = 0;
  /// Run only these analyzers (empty = all).
  std::vector<std::string> only_analyzers;
  /// Do not run these analyzers.
  std::vector<std::string> skip_analyzers;
  /// Directory with checks.yaml and requirement sets to use instead of the built-in catalog.
  std::string catalog_dir;
  /// Keep analyzers' facts in the report (fwcert facts).
  bool collect_facts = false;
  /// The day verdicts are judged at ("YYYY-MM-DD"): end-of-life dates, certificate expiry,
  /// waiver expiry. Empty means today (UTC). Set it to make a report reproducible.
  std::string assessment_date;
  /// End of life this many days or fewer after the assessment date warns (os-kernel-lts,
  /// os-distro-eol, os-component-eol).
  unsigned eol_warning_days = 365;
  /// An Android security patch level older than this many days at the assessment date warns.
  unsigned patch_level_max_age_days = 90;
  /// Product manifest (YAML) with attestations for process requirements; empty = none.
  std::string manifest_path;
  /// Waivers file (YAML); empty = none.
  std::string waivers_path;
  /// Declared network services (YAML) for net-listeners; empty = none declared.
  std::string services_path;
  /// The lowest failing severity that sets exit code 1 (Report::summary); unset: the profile's gate.
  std::optional<Severity> fail_on;
  /// Vulnerability database (SQLite, built by `fwcert db import`); empty = the default file
  /// ($XDG_DATA_HOME/fwcert/vulns.db or ~/.local/share/fwcert/vulns.db) when it exists, else none.
  std::string vuln_db;
  /// CycloneDX VEX or OpenVEX files; their not_affected and fixed statements suppress vulnerabilities.
  std::vector<std::string> vex_paths;
  /// vuln-db-fresh warns when the database was built more than this many days before the assessment day.
  unsigned max_db_age_days = 7;
  /// vuln-critical-high fails on a vulnerability with an EPSS probability at or above this (or CVSS >= 7.0).
  double epss_threshold = 0.1;

  /// Told how far the scan has come: at most every 100 ms while the target is walked, then
  /// once when the analyzers start and after each one finishes. Calls never overlap but may
  /// come from an analyzer thread; keep it cheap. Empty: nobody is told.
  std::function<void(const ScanProgress&)> progress;

  /// The preset for build pipelines: every analyzer, nested images, no facts.
  static ScanOptions ci() { return ScanOptions{}; }
};

/// Scans a host path (directory, image, archive or raw blob). Fails only when the target
/// cannot be opened at all; damage inside it is reported as diagnostics and `partial`.
Result<Report> scan(const std::string& target, const ScanOptions& options);

/// The version string of this build.
const char* version();

}  // namespace fwcert
