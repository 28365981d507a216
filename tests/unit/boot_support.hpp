#pragma once
// Shared by the boot analyzer tests: one scan of an in-memory filesystem, and the real tools
// (mkimage, mkenvimage, dtc, openssl) that make U-Boot artefacts.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analyzers/analyzer.hpp"
#include "inventory/inventory.hpp"
#include "support/analyzer_run.hpp"
#include "support/test_util.hpp"
#include "vfs/memory_vfs.hpp"

namespace fwcert::test {

/// Runs one analyzer over an in-memory filesystem.
struct AnalyzerScan {
  inventory::Inventory inv;
  ScanOptions options;
  analyzers::Output out;

  AnalyzerScan(std::shared_ptr<vfs::MemoryVfs> v, analyzers::Output (*run)(const analyzers::Context&)) {
    std::vector<Diagnostic> diags;
    auto fs = inv.add_filesystem({"", "memory", 0, "", 0, v});
    inv.walk(fs, diags);
    inv.finish();
    options.threads = 1;
    out = run(analyzers::Context{inv, test::analyzer_options(options)});
  }
  std::vector<const Finding*> all(std::string_view check) const {
    std::vector<const Finding*> r;
    for (const auto& f : out.findings) {
      if (f.check == check) r.push_back(&f);
    }
    return r;
  }
  /// The one finding of `check` (fails the test when there is not exactly one).
  const Finding& only(std::string_view check) const {
    auto r = all(check);
    EXPECT_EQ(r.size(), 1u) << check;
    static const Finding kNone;
    return r.size() == 1 ? *r.front() : kNone;
  }
  /// The finding of `check` about `subject`.
  const Finding& about(std::string_view check, std::string_view subject) const {
    for (const auto* f : all(check)) {
      if (f->subject.find(subject) != std::string::npos) return *f;
    }
    ADD_FAILURE() << "no " << check << " finding about " << subject;
    static const Finding kNone;
    return kNone;
  }
  bool evidence_has(const Finding& f, std::string_view text) const {
    for (const auto& e : f.evidence) {
      if (e.observed.find(text) != std::string::npos || e.expected.find(text) != std::string::npos) return true;
    }
    return false;
  }
};

/// Runs a command in `dir`; fails the test when it exits non-zero.
inline void must_run(const std::string& dir, const std::string& command) {
  auto r = run("cd " + shell_quote(dir) + " && " + command);
  ASSERT_EQ(r.exit_code, 0) << command << "\n" << r.output;
}

}  // namespace fwcert::test
