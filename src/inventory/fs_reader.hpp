#pragma once
// Reading the configuration files of one filesystem of the inventory, for the analyzers that
// judge a system's files (services, system): bounded reads that turn problems into
// diagnostics, sorted directory listings, and the inventory entries of that filesystem.

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/limits.hpp"
#include "core/text.hpp"
#include "fwcert/report.hpp"
#include "inventory/inventory.hpp"

namespace fwcert::inventory {

/// Reads one filesystem of the inventory; problems reading become `diagnostics`.
struct FsReader {
  const Inventory& inv;
  std::uint32_t fs;
  std::vector<Diagnostic>& diagnostics_out;

  const vfs::Vfs& v() const { return inv.vfs(fs); }
  std::string display(const std::string& p) const { return inv.display_path(fs, p); }

  /// The text of a regular file (following links inside the image), or nullopt when it is
  /// absent; a file that exists but cannot be read becomes a diagnostic.
  std::optional<std::string> read(const std::string& path) const {
    auto st = v().stat(path);
    if (!st.ok() || !st->is_regular()) return std::nullopt;
    auto r = v().read_file(path, limits::kMaxConfigFileBytes);
    if (!r.ok()) {
      diagnostics_out.push_back({Diagnostic::Level::kWarning, display(path), r.error().describe()});
      return std::nullopt;
    }
    return std::move(r.value());
  }

  /// A directory's entries sorted by name; empty when it is absent or unreadable.
  std::vector<vfs::DirEntry> list(const std::string& dir) const {
    auto r = v().readdir(dir);
    if (!r.ok()) return {};
    auto entries = std::move(r.value());
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return entries;
  }

  bool exists(const std::string& p) const { return v().exists(p); }

  /// The line diagnostics of a parser of `path`, as warnings on that file.
  void diagnostics(const std::vector<text::LineDiagnostic>& diags, const std::string& path) const {
    for (const auto& d : diags) {
      std::string msg = d.line ? fmt::format("line {}: {}", d.line, d.message) : d.message;
      diagnostics_out.push_back({Diagnostic::Level::kWarning, display(path), std::move(msg)});
    }
  }
};

/// The inventory entries of one filesystem: a slice of the sorted list, so checks that walk
/// every entry cost the size of their filesystem, not of the whole target.
inline std::span<const Entry> entries_of(const Inventory& inv, std::uint32_t fs) {
  const auto& all = inv.entries();
  auto lo =
      std::lower_bound(all.begin(), all.end(), fs, [](const Entry& e, std::uint32_t f) { return e.filesystem < f; });
  auto hi = std::upper_bound(lo, all.end(), fs, [](std::uint32_t f, const Entry& e) { return f < e.filesystem; });
  return {lo, hi};
}

/// The last component of a path as written ("/usr/sbin/sshd" -> "sshd").
inline std::string_view file_name(std::string_view p) {
  auto slash = p.rfind('/');
  return slash == std::string_view::npos ? p : p.substr(slash + 1);
}

}  // namespace fwcert::inventory
