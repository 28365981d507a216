#pragma once
// Parsers of the package databases firmware carries: dpkg and opkg status stanzas, dpkg/opkg
// `info/<pkg>.list` file lists, apk's `installed` database, and the header blobs rpm stores in
// its SQLite database. They read untrusted bytes: every count and length is bounded by
// core/limits.hpp, damage becomes a line diagnostic and the parser returns what it has.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.hpp"

namespace fwcert::sbom {

/// One installed package as its database records it.
struct PackageRecord {
  std::string name;
  std::string version;             ///< as recorded ("1:3.0.11-1~deb12u2", "3.1.4-r5", "2:1.2.3-4")
  std::string arch;                ///< "amd64", "x86_64", "" when not recorded
  std::string source_name;         ///< dpkg Source:, apk o:, rpm SOURCERPM's name; "" when none
  std::string source_version;      ///< dpkg "Source: x (ver)" / the SOURCERPM version; "" when none
  std::string license;             ///< opkg/apk/rpm licence field as written; "" when none
  std::string supplier;            ///< Maintainer:, m:, rpm VENDOR or PACKAGER; "" when none
  std::size_t line = 0;            ///< line of its Package:/P: field (0 for rpm)
  std::vector<std::string> files;  ///< files the database lists in the record (apk F:/R:, rpm)
  std::size_t files_dropped = 0;   ///< files beyond limits::kMaxFilesPerPackage
};

struct ParsedDb {
  std::vector<PackageRecord> packages;
  std::vector<text::LineDiagnostic> diagnostics;
};

/// dpkg and opkg status files (and one distroless `status.d/<pkg>` file): stanzas of "Field:
/// value" separated by blank lines, continuation lines starting with a blank. Only installed
/// packages are kept (Status "... installed", or no Status field as in distroless files).
ParsedDb parse_dpkg_status(std::string_view text);

/// apk's /lib/apk/db/installed: one "X:value" line per field, packages separated by blank lines.
/// P name, V version, A arch, L licence, o origin (source package), m maintainer, F directory
/// and R file in it (F/R pairs give the owned files).
ParsedDb parse_apk_installed(std::string_view text);

/// A dpkg/opkg `info/<pkg>.list`: one absolute path per line. Directories are listed too; the
/// caller keeps what it wants. At most limits::kMaxFilesPerPackage paths; `dropped` counts more.
std::vector<std::string> parse_file_list(std::string_view text, std::size_t& dropped);

/// The name and version of a dpkg `Source:` value: "openssl" or "openssl (3.0.11-1)".
std::pair<std::string, std::string> split_dpkg_source(std::string_view value);

/// An rpm package header as stored in rpmdb.sqlite's Packages.blob (the header without its
/// 8-byte magic; a leading magic is accepted too): big-endian index count and data length, the
/// index entries, the data store. Fills name, version ("[EPOCH:]VERSION-RELEASE"), arch,
/// licence, supplier (VENDOR, else PACKAGER), source name/version from SOURCERPM and the file
/// names from BASENAMES/DIRNAMES/DIRINDEXES (or OLDFILENAMES). Fails on a header whose tables
/// are out of bounds; a bad entry is skipped and named in `why`.
struct RpmHeader {
  PackageRecord record;
  std::string epoch;    ///< "" when the header has none
  std::string version;  ///< the VERSION tag alone
  std::string release;  ///< the RELEASE tag
  std::vector<std::string> problems;
};
std::optional<RpmHeader> parse_rpm_header(std::span<const std::byte> blob, std::string& why);

/// The name and version-release of an rpm SOURCERPM value: "openssl-3.0.7-25.el9.src.rpm" ->
/// {"openssl", "3.0.7-25.el9"}; {"", ""} when it is not of that form.
std::pair<std::string, std::string> split_source_rpm(std::string_view value);

}  // namespace fwcert::sbom
