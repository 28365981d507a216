#pragma once
// The one content pass of a scan: every regular file of the inventory (up to
// limits::kMaxContentScanFileBytes) is streamed once, in chunks read through the Vfs, through
// one Vectorscan database compiled from data/content-rules.tsv. The secrets and tls analyzers
// share the result through the scan's evidence (evidence/evidence.hpp), so the bytes of the target are read once
// however many analyzers need them. Matches are candidates only; the analyzers confirm them.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/parallel.hpp"
#include "fwcert/report.hpp"
#include "fwcert/result.hpp"
#include "inventory/inventory.hpp"

namespace fwcert::evidence::content {

/// One row of data/content-rules.tsv.
struct Rule {
  std::string name;
  std::string expression;
  bool start_of_match = false;  ///< the match reports its start offset (HS_FLAG_SOM_LEFTMOST)
  bool multiline = false;
  bool caseless = false;
};

/// The rules of data/content-rules.tsv, in file order; a rule's index is its id.
const std::vector<Rule>& rules();

/// The id of a rule by name; asserts that the name exists (a typo is a programming error).
std::uint32_t rule_id(std::string_view name);

struct Match {
  std::uint32_t rule = 0;
  std::uint64_t start = 0;  ///< the first byte for rules with start_of_match, else == end
  std::uint64_t end = 0;    ///< one past the last byte
  std::uint64_t line = 0;   ///< 1-based line of the byte before `end`
};

struct FileMatches {
  std::size_t entry = 0;  ///< index into Inventory::entries()
  std::vector<Match> matches;
  bool truncated = false;  ///< limits::kMaxContentMatchesPerFile reached
};

struct PassResult {
  std::vector<FileMatches> files;  ///< files with at least one match, in inventory order
  std::vector<Diagnostic> diagnostics;
  std::uint64_t files_scanned = 0;
  std::uint64_t bytes_scanned = 0;
  std::uint64_t files_skipped = 0;  ///< larger than the limit
  std::string error;                ///< the database could not be built; nothing was scanned

  /// The matches of one inventory entry, or nullptr.
  const FileMatches* of(std::size_t entry) const;
};

/// The compiled pattern database; built once per scan (or once per process for bytes).
class Matcher {
 public:
  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  /// Compiles every rule; an error names the rule that failed.
  static Result<std::unique_ptr<Matcher>> compile();

  /// Scans bytes in memory (tests, fuzzers, the benchmark).
  std::vector<Match> scan(std::string_view data) const;

  struct Impl;

 private:
  explicit Matcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend PassResult run_pass(const inventory::Inventory&, parallel::Pool&);
};

/// Streams every regular file of the inventory through the matcher on the pool's threads. Each
/// file writes its own slot, so the result does not depend on the thread count.
PassResult run_pass(const inventory::Inventory& inv, parallel::Pool& pool);

}  // namespace fwcert::evidence::content
