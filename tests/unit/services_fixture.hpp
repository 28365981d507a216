#pragma once
// The fixture every services test uses: run the services analyzer over an in-memory tree and
// look its findings up by check and subject.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analyzers/services/services.hpp"
#include "inventory/inventory.hpp"
#include "support/analyzer_run.hpp"
#include "vfs/memory_vfs.hpp"

namespace fwcert::analyzers::services::testing {

struct Scan {
  inventory::Inventory inv;
  ScanOptions options;
  Output out;

  std::vector<const Finding*> all(std::string_view check) const {
    std::vector<const Finding*> v;
    for (const auto& f : out.findings) {
      if (f.check == check) v.push_back(&f);
    }
    return v;
  }
  const Finding* find(std::string_view check, const std::string& subject) const {
    for (const auto& f : out.findings) {
      if (f.check == check && f.subject == subject) return &f;
    }
    return nullptr;
  }
  std::string describe(std::string_view check) const {
    std::string d;
    for (const auto* f : all(check))
      d += std::string(to_string(f->status)) + " " + f->subject + ": " + f->message + "\n";
    return d;
  }
};

/// Walks `v` as one filesystem of type `fs_type` and runs the analyzer on one thread.
template <typename S = Scan>
std::unique_ptr<S> scan_tree(std::shared_ptr<vfs::MemoryVfs> v, const std::string& fs_type,
                             const ScanOptions& options = {}) {
  auto s = std::make_unique<S>();
  s->options = options;
  std::vector<Diagnostic> diags;
  auto i = s->inv.add_filesystem({"", fs_type, 0, "", 0, v});
  s->inv.walk(i, diags);
  s->inv.finish();
  s->options.threads = 1;
  s->out = run(Context{s->inv, test::analyzer_options(s->options)});
  return s;
}

}  // namespace fwcert::analyzers::services::testing
