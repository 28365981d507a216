#include "scan/target.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "core/limits.hpp"
#include "vfs/dir_vfs.hpp"
#include "vfs/open.hpp"

namespace fwcert::scanning {

namespace {

bool worth_opening_nested(const inventory::Entry& e) {
  using inventory::Kind;
  if (e.kind == Kind::kFilesystemImage || e.kind == Kind::kArchive) return true;
  if (e.kind != Kind::kCompressed) return false;
  // A compressed file is opened only when its name says it holds an archive: most .gz files
  // in a rootfs are man pages and changelogs, and decompressing them all would cost time.
  std::string_view name = vfs::base_name(e.path);
  for (std::string_view hint : {"cpio", "initr", "initramfs", ".tar", ".tgz", ".txz", "rootfs", "ramdisk"}) {
    if (name.find(hint) != std::string_view::npos) return true;
  }
  return false;
}

bool has_problems(const std::vector<Diagnostic>& diags, std::size_t from) {
  for (std::size_t i = from; i < diags.size(); ++i) {
    if (diags[i].level != Diagnostic::Level::kNote) return true;
  }
  return false;
}

/// Moves a backend's diagnostics into the report with their paths shown as the inventory
/// shows that filesystem's paths ("outer.img!/etc/x"), so a reader can tell which image they are about.
void append_diagnostics(std::vector<Diagnostic>& to, std::vector<Diagnostic>& from, const std::string& prefix) {
  for (auto& d : from) {
    d.path = prefix + d.path;
    to.push_back(std::move(d));
  }
}

}  // namespace

Result<std::unique_ptr<inventory::Inventory>> open_target(const std::string& target, const ScanOptions& options,
                                                          TargetInfo& info) {
  info.path = target;
  auto inv = std::make_unique<inventory::Inventory>();
  if (options.progress) {
    // The walk reports every 256 entries; the caller hears at most every 100 ms of that.
    inv->on_progress(
        [report = options.progress, last = std::chrono::steady_clock::time_point{}](std::uint64_t entries) mutable {
          auto now = std::chrono::steady_clock::now();
          if (now - last < std::chrono::milliseconds(100)) return;
          last = now;
          report(ScanProgress{entries, 0, 0});
        });
  }
  struct stat st {};
  if (::stat(target.c_str(), &st) != 0) {
    return make_error(ErrorCode::kIo, std::strerror(errno), target);
  }
  bool partial = false;
  if (S_ISDIR(st.st_mode)) {
    auto dir = vfs::open_directory(target, vfs::DirOptions{options.one_file_system});
    if (!dir) return dir.error();
    info.format = "directory";
    inv->add_filesystem({"", "directory", 0, "", 0, std::shared_ptr<vfs::Vfs>(std::move(*dir))});
  } else {
    auto src = vfs::open_host_file(target);
    if (!src) return src.error();
    if (auto d = vfs::detect_at_start(**src)) {
      auto fs = vfs::open_image(*src, d->format, info.diagnostics, partial);
      if (!fs) return fs.error();
      info.format = (*fs)->format();
      inv->add_filesystem({"", (*fs)->format(), 0, "", 0, *fs});
    } else {
      info.format = "raw";
      for (const auto& c : vfs::carve(**src)) {
        std::uint64_t length = c.length ? c.length : (*src)->size() - c.offset;
        auto window = vfs::window_source(*src, c.offset, length);
        if (!window) continue;
        std::vector<Diagnostic> diags;
        bool p = false;
        auto fs = vfs::open_image(*window, c.format, diags, p);
        if (!fs) {
          info.diagnostics.push_back({Diagnostic::Level::kNote, fmt::format("@{:#x}", c.offset),
                                      fmt::format("{} magic found but not opened: {}", c.name, fs.error().message)});
          continue;
        }
        partial |= p;
        // The first filesystem found is the root; later ones are shown with their offset.
        std::string prefix = inv->filesystems().empty() ? "" : fmt::format("@{:#x}!", c.offset);
        append_diagnostics(info.diagnostics, diags, prefix);
        inv->add_filesystem({prefix, (*fs)->format(), c.offset, "", 0, *fs});
      }
      if (inv->filesystems().empty()) {
        return make_error(ErrorCode::kUnsupported,
                          "no filesystem or archive fwcert can read was found in this file "
                          "(supported: directory, tar, cpio, zip, squashfs, ext2/3/4, and blobs containing them)",
                          target);
      }
    }
  }

  const std::size_t top = inv->filesystems().size();
  for (std::uint32_t i = 0; i < top; ++i) {
    std::size_t before = info.diagnostics.size();
    inv->walk(i, info.diagnostics);
    partial |= has_problems(info.diagnostics, before);
  }

  if (options.nested) {
    // Collect candidates first: walking appends to the entry list.
    std::vector<inventory::Entry> candidates;
    for (const auto& e : inv->entries()) {
      if (e.st.is_regular() && !e.hardlink_secondary && worth_opening_nested(e)) candidates.push_back(e);
    }
    std::size_t opened = 0;
    for (const auto& e : candidates) {
      if (opened >= limits::kMaxNestedImages) {
        info.diagnostics.push_back(
            {Diagnostic::Level::kWarning, inv->display_path(e), "nested image limit reached; not opened"});
        partial = true;
        break;
      }
      const auto& parent = inv->filesystems().at(e.filesystem);
      std::string display = inv->display_path(e);
      auto src = vfs::vfs_file_source(parent.vfs, e.path, e.st.size, display);
      auto d = vfs::detect_at_start(*src);
      if (!d) continue;
      std::vector<Diagnostic> diags;
      bool p = false;
      auto fs = vfs::open_image(src, d->format, diags, p);
      if (!fs) {
        info.diagnostics.push_back({Diagnostic::Level::kNote, display,
                                    "looks like " + d->name + " but could not be opened: " + fs.error().message});
        continue;
      }
      ++opened;
      partial |= p;
      append_diagnostics(info.diagnostics, diags, display + "!");
      auto idx = inv->add_filesystem({display + "!", (*fs)->format(), 0, display, 1, *fs});
      std::size_t before = info.diagnostics.size();
      inv->walk(idx, info.diagnostics);
      partial |= has_problems(info.diagnostics, before);
    }
  }
  inv->finish();
  inv->on_progress({});
  for (const auto& fs : inv->filesystems()) info.filesystems.push_back({fs.prefix, fs.type, fs.offset, fs.container});
  info.partial = partial;
  return inv;
}

}  // namespace fwcert::scanning
