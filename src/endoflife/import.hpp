#pragma once
// `fwcert data import-endoflife DIR`: turns endoflife.date product files (a checkout's
// products/ folder, or the copy in the shared data) into the normalised tables of
// data/endoflife/, with the MIT licence and a SOURCES.md naming the upstream commit and the
// retrieval day. A developer command on host files; it never runs in a scan.

#include <string>
#include <vector>

#include "fwcert/result.hpp"

namespace fwcert::endoflife {

struct ImportOptions {
  std::string input_dir;   ///< holds <product>.md for every known product
  std::string output_dir;  ///< receives <product>.yaml, LICENSE, SOURCES.md
  /// Upstream commit and retrieval day; when empty they are read from INPUT/SOURCES.md
  /// ("... commit <40 hex> of YYYY-MM-DD ...").
  std::string commit;
  std::string retrieved;
  /// The licence file to copy; empty = INPUT/LICENSE, else INPUT/../LICENSE (a checkout).
  std::string license;
};

struct ImportSummary {
  std::vector<std::string> written;  ///< output paths, in order
  std::string commit;
  std::string retrieved;
  std::size_t cycles = 0;
};

/// Imports every product of known_products(); a missing or unparsable product file, a missing
/// licence, or an unknown commit/retrieval day is an error and nothing is written.
Result<ImportSummary> import_directory(const ImportOptions& options);

}  // namespace fwcert::endoflife
