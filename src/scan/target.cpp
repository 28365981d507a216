#include "scan/target.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <vector>

#include "core/limits.hpp"
#include "vfs/containers.hpp"
#include "vfs/decompress.hpp"
#include "vfs/dir_vfs.hpp"
#include "vfs/open.hpp"

namespace fwcert::scanning {

namespace {

/// Entries worth opening as an image: filesystem images, archives, and compressed files, whose
/// payload open_detected() looks at (a man page's .gz holds text and is passed over quietly).
bool worth_opening_nested(const inventory::Entry& e) {
  using inventory::Kind;
  return e.kind == Kind::kFilesystemImage || e.kind == Kind::kArchive || e.kind == Kind::kCompressed;
}

/// Binary files whose format shows only past the bytes the inventory classifies by: an Android
/// super (geometry at 4096 or 8192) or ISO 9660 media (volume descriptor at 0x8001). Two small
/// reads per binary file of at least 12 KiB.
bool is_deep_image(const inventory::Inventory& inv, const inventory::Entry& e) {
  if (e.kind != inventory::Kind::kBinary || e.st.size < 12288) return false;
  const vfs::Vfs& fs = inv.vfs(e.filesystem);
  std::array<std::byte, 4> magic{};
  for (std::uint64_t at : {std::uint64_t{4096}, std::uint64_t{8192}}) {
    if (fs.read(e.path, at, magic).value_or(0) == 4 && std::memcmp(magic.data(), "gDla", 4) == 0) return true;
  }
  std::array<std::byte, 5> cd{};
  return fs.read(e.path, 0x8001, cd).value_or(0) == 5 && std::memcmp(cd.data(), "CD001", 5) == 0;
}

/// Entries other than directories that a walk added: what an image holds beyond its skeleton.
std::size_t files_in(const inventory::Inventory& inv, std::size_t entries_before) {
  std::size_t n = 0;
  for (std::size_t i = entries_before; i < inv.entries().size(); ++i) n += !inv.entries()[i].st.is_dir();
  return n;
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

/// Opens the images found inside the target's filesystems, then those inside them, down to
/// limits::kMaxNestingDepth levels, and walks each.
void open_nested(inventory::Inventory& inv, TargetInfo& info, bool& partial) {
  std::size_t opened = 0;
  std::size_t scanned_from = 0;  // entries before this were looked at on an earlier level
  for (int depth = 1; depth <= limits::kMaxNestingDepth; ++depth) {
    // Collect candidates first: walking appends to the entry list.
    std::vector<inventory::Entry> candidates;
    for (std::size_t i = scanned_from; i < inv.entries().size(); ++i) {
      const auto& e = inv.entries()[i];
      if (e.st.is_regular() && !e.hardlink_secondary && (worth_opening_nested(e) || is_deep_image(inv, e))) {
        candidates.push_back(e);
      }
    }
    scanned_from = inv.entries().size();
    for (const auto& e : candidates) {
      if (opened >= limits::kMaxNestedImages) {
        info.diagnostics.push_back(
            {Diagnostic::Level::kWarning, inv.display_path(e), "nested image limit reached; not opened"});
        partial = true;
        return;
      }
      const auto& parent = inv.filesystems().at(e.filesystem);
      std::string display = inv.display_path(e);
      auto src = vfs::vfs_file_source(parent.vfs, e.path, e.st.size, display);
      std::vector<Diagnostic> diags;
      bool p = false;
      auto fs = vfs::open_detected(src, "", diags, p);
      if (!fs) {
        // A compressed file of text (man pages, changelogs) is not an image; only say something
        // when a recognised image or stream could not be read.
        if (e.kind == inventory::Kind::kCompressed && fs.error().code == ErrorCode::kUnsupported) continue;
        if (e.kind == inventory::Kind::kFilesystemImage && fs.error().code == ErrorCode::kUnsupported) {
          // A filesystem recognised but not read (squashfs 3.x): part of the target went unjudged.
          info.diagnostics.push_back({Diagnostic::Level::kWarning, display, fs.error().message});
          partial = true;
          continue;
        }
        info.diagnostics.push_back(
            {Diagnostic::Level::kNote, display, "looks like an image but could not be opened: " + fs.error().message});
        continue;
      }
      ++opened;
      partial |= p;
      append_diagnostics(info.diagnostics, diags, display + "!");
      auto idx = inv.add_filesystem({display + "!", fs->chain, 0, display, depth, fs->vfs});
      std::size_t before = info.diagnostics.size();
      std::size_t entries_before = inv.entries().size();
      inv.walk(idx, info.diagnostics);
      partial |= has_problems(info.diagnostics, before);
      if (files_in(inv, entries_before) == 0) {
        info.diagnostics.push_back(
            {Diagnostic::Level::kWarning, display, fmt::format("{} inside the target holds no file", fs->chain)});
        partial = true;
      }
    }
  }
}

/// Walks every filesystem added to `inv`, opens the images nested in them, and finishes the
/// inventory; an image target that yields no file is an error, never an empty pass.
Result<std::unique_ptr<inventory::Inventory>> walk_all(std::unique_ptr<inventory::Inventory> inv, const struct stat& st,
                                                       const ScanOptions& options, TargetInfo& info, bool& partial) {
  const std::size_t top = inv->filesystems().size();
  std::size_t files = 0;
  for (std::uint32_t i = 0; i < top; ++i) {
    std::size_t before = info.diagnostics.size();
    std::size_t entries_before = inv->entries().size();
    inv->walk(i, info.diagnostics);
    partial |= has_problems(info.diagnostics, before);
    files += files_in(*inv, entries_before);
  }
  // A recognised image that yields no file is not a target that passed: nothing was judged.
  if (files == 0 && !S_ISDIR(st.st_mode)) {
    std::string why;
    for (const auto& d : info.diagnostics) {
      if (d.level != Diagnostic::Level::kNote) {
        why = fmt::format(" ({}{}{})", d.path, d.path.empty() ? "" : ": ", d.message);
        break;
      }
    }
    return make_error(ErrorCode::kUnsupported,
                      fmt::format("{} holds no file: nothing was read, so nothing can be judged{}", info.format, why));
  }

  if (options.nested) open_nested(*inv, info, partial);
  inv->finish();
  inv->on_progress({});
  for (const auto& fs : inv->filesystems()) info.filesystems.push_back({fs.prefix, fs.type, fs.offset, fs.container});
  info.partial = partial;
  return inv;
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
    std::vector<std::byte> head(limits::kFormatSniffBytes);
    auto n = (*src)->read_at(0, head);
    if (!n) return n.error();
    std::span<const std::byte> h(head.data(), *n);
    // An image or container at offset 0 may be only the first region of a flash dump (a uImage
    // kernel, then the rootfs): carving skips the bytes each region claims, so asking it costs
    // one read past the first region's end, and two regions or more make the file a raw dump.
    std::vector<vfs::Detected> carved;
    if (vfs::detect_plain(h) || vfs::container_name(h)) carved = vfs::carve(**src);
    // Only a region whose header states its length counts: JFFS2 and UBI run as far as valid
    // nodes or erase blocks go, so damage inside one would otherwise split it into a "dump".
    std::size_t readable_regions = 0;
    for (const auto& c : carved) readable_regions += c.format != vfs::ImageFormat::kUnsupported;
    const bool stated_length =
        !carved.empty() && carved.front().offset == 0 &&
        (carved.front().format == vfs::ImageFormat::kContainer ||
         carved.front().format == vfs::ImageFormat::kSquashfs || carved.front().format == vfs::ImageFormat::kExt ||
         carved.front().format == vfs::ImageFormat::kErofs || carved.front().format == vfs::ImageFormat::kCramfs ||
         carved.front().format == vfs::ImageFormat::kFat);
    const bool dump = stated_length && readable_regions >= 2;
    if (!dump && vfs::is_recognised(h)) {
      auto opened = vfs::open_detected(*src, "", info.diagnostics, partial);
      if (!opened) {
        Error e = opened.error();
        if (e.where.empty()) e.where = target;
        return e;
      }
      info.format = opened->chain;
      info.layout.push_back({0, (*src)->size(), opened->chain, true, ""});
      inv->add_filesystem({"", opened->chain, 0, "", 0, opened->vfs});
    } else {
      info.format = "raw";
      // Open every region first, then add them: the root is the first filesystem that opens (a
      // bootloader or kernel container at offset 0 is not where /etc lives); every other region
      // is shown with its offset.
      std::string unread;  // recognised formats that are not read, for the error when nothing else is
      struct Region {
        vfs::Detected where;
        std::shared_ptr<vfs::Vfs> fs;
        std::vector<Diagnostic> diags;
      };
      std::vector<Region> regions;
      if (!dump) carved = vfs::carve(**src);
      for (const auto& c : carved) {
        std::uint64_t length = c.length ? c.length : (*src)->size() - c.offset;
        LayoutRegion region{c.offset, length, c.name, false, ""};
        if (c.format == vfs::ImageFormat::kUnsupported) {
          // A filesystem we recognise but do not read is part of the target left unjudged.
          info.diagnostics.push_back({Diagnostic::Level::kWarning, fmt::format("@{:#x}", c.offset), c.unsupported});
          partial = true;
          unread += fmt::format("; at {:#x}: {}", c.offset, c.unsupported);
          region.note = c.unsupported;
          info.layout.push_back(std::move(region));
          continue;
        }
        auto window = vfs::window_source(*src, c.offset, length);
        if (!window) {
          region.note = window.error().message;
          info.layout.push_back(std::move(region));
          continue;
        }
        Region r{c, nullptr, {}};
        bool p = false;
        auto fs = vfs::open_image(*window, c.format, r.diags, p);
        if (!fs) {
          region.note = fs.error().message;
          info.diagnostics.push_back({Diagnostic::Level::kNote, fmt::format("@{:#x}", c.offset),
                                      fmt::format("{} magic found but not opened: {}", c.name, fs.error().message)});
          info.layout.push_back(std::move(region));
          continue;
        }
        partial |= p;
        r.fs = *fs;
        region.format = (*fs)->format();
        region.read = true;
        info.layout.push_back(std::move(region));
        regions.push_back(std::move(r));
      }
      std::size_t root = 0;
      for (std::size_t i = 0; i < regions.size(); ++i) {
        if (regions[i].where.format != vfs::ImageFormat::kContainer) {
          root = i;
          break;
        }
      }
      if (root < regions.size()) {
        // The root first: the inventory's first filesystem is the one without a prefix.
        std::rotate(regions.begin(), regions.begin() + static_cast<std::ptrdiff_t>(root),
                    regions.begin() + static_cast<std::ptrdiff_t>(root) + 1);
      }
      for (std::size_t i = 0; i < regions.size(); ++i) {
        auto& r = regions[i];
        std::string prefix = i == 0 ? "" : fmt::format("@{:#x}!", r.where.offset);
        append_diagnostics(info.diagnostics, r.diags, prefix);
        inv->add_filesystem({prefix, r.fs->format(), r.where.offset, "", 0, r.fs});
      }
      if (inv->filesystems().empty()) {
        return make_error(
            ErrorCode::kUnsupported,
            "no filesystem or archive fwcert can read was found in this file "
            "(supported: directory, tar, cpio, zip, ISO 9660, squashfs 4.0, ext2/3/4, EROFS, FAT12/16/32, UBI, "
            "UBIFS, JFFS2, cramfs, Android sparse, boot, vbmeta and super images, U-Boot uImage and FIT, each "
            "also compressed with gzip, xz, lzma, zstd, bzip2 or lz4, and blobs containing them)" +
                unread,
            target);
      }
    }
  }

  auto walked = walk_all(std::move(inv), st, options, info, partial);
  if (!walked) {
    Error e = walked.error();
    if (e.where.empty()) e.where = target;
    return e;
  }
  return walked;
}

Result<std::unique_ptr<inventory::Inventory>> open_vfs(std::shared_ptr<vfs::Vfs> root, const std::string& format,
                                                       const ScanOptions& options, TargetInfo& info) {
  auto inv = std::make_unique<inventory::Inventory>();
  info.format = format;
  inv->add_filesystem({"", format, 0, "", 0, std::move(root)});
  struct stat st {};
  st.st_mode = S_IFREG;  // a Vfs that yields no file has not been read, like an image
  bool partial = false;
  return walk_all(std::move(inv), st, options, info, partial);
}

}  // namespace fwcert::scanning
