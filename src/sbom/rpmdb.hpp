#pragma once
// rpm's SQLite package database (rpm >= 4.16: /var/lib/rpm/rpmdb.sqlite or
// /usr/lib/sysimage/rpm/rpmdb.sqlite), read with libsqlite3. The image's file is first copied
// into an unnamed temporary file (bounded by limits::kMaxRpmDbBytes), because SQLite reads a
// file, not a Vfs; the copy is mapped and opened as a read-only in-memory database (no journal,
// no lock, nothing written), in defensive mode, and each Packages row's header blob is parsed
// by sbom::parse_rpm_header.

#include <string>
#include <vector>

#include "fwcert/result.hpp"
#include "sbom/package_db.hpp"
#include "vfs/vfs.hpp"

namespace fwcert::sbom {

struct RpmDb {
  std::vector<PackageRecord> packages;  ///< in Packages.hnum order
  std::vector<std::string> problems;    ///< damaged headers, limits reached
};

/// The packages of the rpmdb.sqlite at `path` in `v`. Fails when the file cannot be copied or
/// is not an SQLite database with a Packages table; a damaged header is a problem, skipped.
Result<RpmDb> read_rpmdb(const vfs::Vfs& v, const std::string& path);

/// The same on an SQLite database file already on the host (an unnamed temporary file's
/// descriptor): what read_rpmdb() does after copying. Exposed for tests and the fuzzer.
Result<RpmDb> read_rpmdb_fd(int fd);

}  // namespace fwcert::sbom
