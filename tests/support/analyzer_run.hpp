#pragma once
// Running one analyzer on its own in a unit test: the options it sees made from ScanOptions by
// the pipeline's own input stage, and a fixture that walks a Vfs and runs the analyzer.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analyzers/analyzer.hpp"
#include "fwcert/scan.hpp"
#include "inventory/inventory.hpp"
#include "vfs/vfs.hpp"

namespace fwcert::test {

/// The options an analyzer sees for these scan options, as the scan's input stage makes them
/// (assessment day parsed, --services read and parsed); a bad input fails the test.
analyzers::AnalyzerOptions analyzer_options(const ScanOptions& options);

/// One analyzer run over one filesystem: walk, run on one thread, then look at the output.
struct AnalyzerRun {
  inventory::Inventory inv;
  ScanOptions options;
  analyzers::Output out;

  /// Adds `v` as the root filesystem of type `fs_type` and walks it.
  void walk(std::shared_ptr<vfs::Vfs> v, const std::string& fs_type = "memory");
  /// Runs `run` with `options` (threads forced to 1 unless set).
  void run(analyzers::Output (*run)(const analyzers::Context&));

  std::vector<const Finding*> all(std::string_view check) const;
  /// The one finding of `check` (fails the test when there is not exactly one).
  const Finding& only(std::string_view check) const;
  const Finding* find(std::string_view check, const std::string& subject) const;
  const Fact* fact(const std::string& subject, std::string_view name) const;
  /// The evidence of the one finding of `check` whose observed text holds `text`, or nullptr.
  const Evidence* evidence(std::string_view check, std::string_view text) const;
};

}  // namespace fwcert::test
