#include "inventory/inventory.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <unordered_set>

#include "core/byte_reader.hpp"
#include "core/limits.hpp"
#include "vfs/open.hpp"

namespace fwcert::inventory {

const char* to_string(Kind k) {
  switch (k) {
    case Kind::kOther:
      return "other";
    case Kind::kEmpty:
      return "empty";
    case Kind::kElf:
      return "elf";
    case Kind::kScript:
      return "script";
    case Kind::kPem:
      return "pem";
    case Kind::kDer:
      return "der";
    case Kind::kOpensshKey:
      return "openssh-key";
    case Kind::kPkcs12:
      return "pkcs12";
    case Kind::kSqlite:
      return "sqlite";
    case Kind::kCompressed:
      return "compressed";
    case Kind::kArchive:
      return "archive";
    case Kind::kFilesystemImage:
      return "filesystem-image";
    case Kind::kKernelImage:
      return "kernel-image";
    case Kind::kDeviceTree:
      return "device-tree";
    case Kind::kText:
      return "text";
    case Kind::kBinary:
      return "binary";
    case Kind::kUnreadable:
      return "unreadable";
  }
  return "other";
}

namespace {

bool has_prefix(std::span<const std::byte> head, std::string_view magic, std::size_t at = 0) {
  if (head.size() < at + magic.size()) return false;
  return std::memcmp(head.data() + at, magic.data(), magic.size()) == 0;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string interpreter_of(std::span<const std::byte> head) {
  std::string_view text(reinterpret_cast<const char*>(head.data()), head.size());
  auto eol = text.find('\n');
  std::string_view line = text.substr(2, eol == std::string_view::npos ? std::string_view::npos : eol - 2);
  std::size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  std::size_t j = i;
  while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
  std::string interp(line.substr(i, j - i));
  // "#!/usr/bin/env python3" names the real interpreter in the next word.
  if (ends_with(interp, "/env")) {
    std::size_t k = j;
    while (k < line.size() && (line[k] == ' ' || line[k] == '\t')) ++k;
    std::size_t l = k;
    while (l < line.size() && line[l] != ' ' && line[l] != '\t' && line[l] != '\r') ++l;
    if (l > k) interp += " " + std::string(line.substr(k, l - k));
  }
  return interp;
}

bool looks_like_text(std::span<const std::byte> head) {
  std::size_t odd = 0;
  for (std::byte b : head) {
    auto c = static_cast<unsigned char>(b);
    if (c == 0) return false;
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f' && c != 0x1b) ++odd;
  }
  return odd * 20 <= head.size();
}

}  // namespace

std::pair<Kind, std::string> classify(std::span<const std::byte> head, std::string_view name, std::uint64_t size) {
  if (size == 0) return {Kind::kEmpty, ""};
  if (has_prefix(head,
                 "\x7f"
                 "ELF")) {
    std::string cls = head.size() > 4 && head[4] == std::byte{2} ? "elf64" : "elf32";
    return {Kind::kElf, cls};
  }
  if (has_prefix(head, "#!")) return {Kind::kScript, interpreter_of(head)};
  if (has_prefix(head, "-----BEGIN ")) {
    std::string_view text(reinterpret_cast<const char*>(head.data()) + 11, head.size() - 11);
    auto end = text.find("-----");
    return {Kind::kPem, std::string(text.substr(0, std::min<std::size_t>(end, 64)))};
  }
  if (has_prefix(head, "openssh-key-v1")) return {Kind::kOpensshKey, "openssh"};
  if (has_prefix(head, "PuTTY-User-Key-File-")) return {Kind::kOpensshKey, "putty"};
  if (has_prefix(head, std::string_view("SQLite format 3\0", 16))) return {Kind::kSqlite, ""};
  if (has_prefix(head, "hsqs")) return {Kind::kFilesystemImage, "squashfs"};
  if (has_prefix(head, "\xe2\xe1\xf5\xe0", 1024)) return {Kind::kFilesystemImage, "erofs"};
  if (vfs::is_jffs2_node(head)) return {Kind::kFilesystemImage, "jffs2"};
  if (vfs::cramfs_claimed_size(head)) return {Kind::kFilesystemImage, "cramfs"};
  if (head.size() >= 1082 && head[1080] == std::byte{0x53} && head[1081] == std::byte{0xEF}) {
    return {Kind::kFilesystemImage, "ext"};
  }
  if (has_prefix(head, "UBI#\x01")) return {Kind::kFilesystemImage, "ubi"};
  if (has_prefix(head, "\x31\x18\x10\x06") && head.size() > 20 && head[20] == std::byte{6}) {
    return {Kind::kFilesystemImage, "ubifs"};
  }
  // Big-endian and vendor squashfs magics (router firmware): opened to say they are not read.
  for (std::string_view m : {"sqsh", "shsq", "qshs", "hsqt", "tqsh", "sqlz"}) {
    if (has_prefix(head, m) && head.size() >= 96) return {Kind::kFilesystemImage, "squashfs"};
  }
  if (head.size() >= 512 && head[510] == std::byte{0x55} && head[511] == std::byte{0xAA} &&
      (has_prefix(head, "FAT32   ", 82) || has_prefix(head, "FAT12   ", 54) || has_prefix(head, "FAT16   ", 54))) {
    return {Kind::kFilesystemImage, "fat"};
  }
  if (has_prefix(head, "ustar", 257)) return {Kind::kArchive, "tar"};
  if (has_prefix(head, "070701") || has_prefix(head, "070702") || has_prefix(head, "070707")) {
    return {Kind::kArchive, "cpio"};
  }
  if (has_prefix(head, "PK\x03\x04")) return {Kind::kArchive, "zip"};
  if (has_prefix(head, "\x1f\x8b")) return {Kind::kCompressed, "gzip"};
  if (has_prefix(head, std::string_view("\xfd"
                                        "7zXZ\0",
                                        6)))
    return {Kind::kCompressed, "xz"};
  if (has_prefix(head, "BZh")) return {Kind::kCompressed, "bzip2"};
  if (has_prefix(head, "\x28\xb5\x2f\xfd")) return {Kind::kCompressed, "zstd"};
  if (has_prefix(head, "\x04\x22\x4d\x18")) return {Kind::kCompressed, "lz4"};
  if (has_prefix(head, "\x27\x05\x19\x56")) return {Kind::kKernelImage, "uimage"};
  if (has_prefix(head, "\xd0\x0d\xfe\xed")) return {Kind::kDeviceTree, "fdt"};
  if (has_prefix(head, "ARM\x64", 0x38)) return {Kind::kKernelImage, "arm64-image"};
  if (has_prefix(head, "\x18\x28\x6f\x01", 0x24)) return {Kind::kKernelImage, "arm-zimage"};
  if (has_prefix(head, "HdrS", 0x202)) return {Kind::kKernelImage, "x86-bzimage"};
  if (head.size() >= 4 && head[0] == std::byte{0x30} && head[1] == std::byte{0x82}) {
    auto len = (static_cast<std::uint64_t>(head[2]) << 8) | static_cast<std::uint64_t>(head[3]);
    if (len + 4 == size) {
      if (ends_with(name, ".p12") || ends_with(name, ".pfx")) return {Kind::kPkcs12, ""};
      return {Kind::kDer, ""};
    }
  }
  if (looks_like_text(head)) return {Kind::kText, ""};
  return {Kind::kBinary, ""};
}

std::optional<std::string> decode_capability(std::string_view raw) {
  static constexpr std::array<const char*, 41> kNames = {"cap_chown",
                                                         "cap_dac_override",
                                                         "cap_dac_read_search",
                                                         "cap_fowner",
                                                         "cap_fsetid",
                                                         "cap_kill",
                                                         "cap_setgid",
                                                         "cap_setuid",
                                                         "cap_setpcap",
                                                         "cap_linux_immutable",
                                                         "cap_net_bind_service",
                                                         "cap_net_broadcast",
                                                         "cap_net_admin",
                                                         "cap_net_raw",
                                                         "cap_ipc_lock",
                                                         "cap_ipc_owner",
                                                         "cap_sys_module",
                                                         "cap_sys_rawio",
                                                         "cap_sys_chroot",
                                                         "cap_sys_ptrace",
                                                         "cap_sys_pacct",
                                                         "cap_sys_admin",
                                                         "cap_sys_boot",
                                                         "cap_sys_nice",
                                                         "cap_sys_resource",
                                                         "cap_sys_time",
                                                         "cap_sys_tty_config",
                                                         "cap_mknod",
                                                         "cap_lease",
                                                         "cap_audit_write",
                                                         "cap_audit_control",
                                                         "cap_setfcap",
                                                         "cap_mac_override",
                                                         "cap_mac_admin",
                                                         "cap_syslog",
                                                         "cap_wake_alarm",
                                                         "cap_block_suspend",
                                                         "cap_audit_read",
                                                         "cap_perfmon",
                                                         "cap_bpf",
                                                         "cap_checkpoint_restore"};
  core::ByteReader r(raw.data(), raw.size());
  auto magic = r.u32();
  if (!magic) return std::nullopt;
  std::uint32_t revision = *magic & 0xFF000000u;
  bool effective = (*magic & 0x1u) != 0;
  int words = revision == 0x01000000u ? 1 : (revision == 0x02000000u || revision == 0x03000000u) ? 2 : 0;
  if (words == 0) return std::nullopt;
  std::uint64_t permitted = 0;
  std::uint64_t inheritable = 0;
  for (int i = 0; i < words; ++i) {
    auto p = r.u32();
    auto in = r.u32();
    if (!p || !in) return std::nullopt;
    permitted |= static_cast<std::uint64_t>(*p) << (32 * i);
    inheritable |= static_cast<std::uint64_t>(*in) << (32 * i);
  }
  // Group capabilities by their flag letters, as cap_to_text does ("cap_a,cap_b=ep").
  std::map<std::string, std::vector<std::string>> groups;
  for (unsigned bit = 0; bit < 64; ++bit) {
    bool p = (permitted >> bit) & 1u;
    bool i = (inheritable >> bit) & 1u;
    if (!p && !i) continue;
    std::string flags;
    if (effective && p) flags += 'e';
    if (i) flags += 'i';
    if (p) flags += 'p';
    std::string name = bit < kNames.size() ? kNames[bit] : fmt::format("cap_{}", bit);
    groups[flags].push_back(std::move(name));
  }
  if (groups.empty()) return std::string();
  std::string out;
  for (const auto& [flags, names] : groups) {
    if (!out.empty()) out += ' ';
    for (std::size_t k = 0; k < names.size(); ++k) {
      if (k) out += ',';
      out += names[k];
    }
    out += '=';
    out += flags;
  }
  return out;
}

std::string Inventory::display_path(const Entry& e) const { return display_path(e.filesystem, e.path); }

std::string Inventory::display_path(std::uint32_t filesystem, const std::string& path) const {
  return filesystems_.at(filesystem).prefix + path;
}

const Entry* Inventory::find(std::uint32_t filesystem, const std::string& path) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), std::make_pair(filesystem, &path),
                             [](const Entry& e, const std::pair<std::uint32_t, const std::string*>& key) {
                               if (e.filesystem != key.first) return e.filesystem < key.first;
                               return e.path < *key.second;
                             });
  if (it == entries_.end() || it->filesystem != filesystem || it->path != path) return nullptr;
  return &*it;
}

std::uint32_t Inventory::add_filesystem(Filesystem fs) {
  filesystems_.push_back(std::move(fs));
  return static_cast<std::uint32_t>(filesystems_.size() - 1);
}

void Inventory::walk(std::uint32_t filesystem, std::vector<Diagnostic>& diagnostics) {
  const Filesystem& fs = filesystems_.at(filesystem);
  const vfs::Vfs& v = *fs.vfs;
  auto diag = [&](Diagnostic::Level level, const std::string& path, std::string message) {
    diagnostics.push_back({level, fs.prefix + path, std::move(message)});
  };

  std::unordered_set<std::uint64_t> seen_inodes;
  std::array<std::byte, limits::kKindSniffBytes> head{};

  auto record = [&](const std::string& path, const vfs::Stat& st) -> Entry& {
    Entry e;
    e.path = path;
    e.filesystem = filesystem;
    e.st = st;
    if (st.is_symlink()) {
      auto target = v.readlink_raw(path);
      if (target) {
        e.link_target = std::move(*target);
      } else {
        diag(Diagnostic::Level::kWarning, path, "unreadable symlink: " + target.error().message);
      }
    }
    auto xs = v.xattrs_raw(path);
    if (!xs) diag(Diagnostic::Level::kWarning, path, "extended attributes unreadable: " + xs.error().message);
    if (xs) {
      for (const auto& x : *xs) {
        if (x.name == "security.capability") {
          auto text = decode_capability(x.value);
          if (text) {
            e.capability = *text;
          } else {
            diag(Diagnostic::Level::kWarning, path, "undecodable security.capability xattr");
          }
        } else if (x.name == "security.selinux") {
          std::string label = x.value;
          while (!label.empty() && label.back() == '\0') label.pop_back();
          e.selinux_label = std::move(label);
        }
      }
    }
    if (st.is_regular()) {
      if (st.nlink > 1 && !seen_inodes.insert(st.inode).second) e.hardlink_secondary = true;
      std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(st.size, head.size()));
      auto n = v.read_raw(path, 0, std::span<std::byte>(head.data(), want));
      if (!n) {
        e.kind = Kind::kUnreadable;
        e.kind_detail = n.error().message;
        diag(Diagnostic::Level::kWarning, path, "content unreadable: " + n.error().message);
      } else {
        auto [kind, detail] = classify(std::span<const std::byte>(head.data(), *n), vfs::base_name(path), st.size);
        e.kind = kind;
        e.kind_detail = std::move(detail);
      }
    }
    entries_.push_back(std::move(e));
    if (progress_ && entries_.size() % 256 == 0) progress_(entries_.size());
    return entries_.back();
  };

  auto root_st = v.lstat_raw("/");
  if (!root_st) {
    diag(Diagnostic::Level::kError, "/", "root unreadable: " + root_st.error().message);
    return;
  }
  record("/", *root_st);
  // Directories are never hard-linked in a sound image; a directory reached a second time (a
  // crafted or damaged image listing one under several parents, or inside itself) is reported and
  // not walked again, or one such entry would make the walk exponential. A host directory is
  // left to the kernel, which forbids such links (and inode numbers repeat across mounts).
  const bool check_cycles = v.format() != "directory";
  std::unordered_set<std::uint64_t> walked_dirs;
  if (check_cycles) walked_dirs.insert(root_st->inode);

  struct Pending {
    std::string path;
    int depth;
  };
  std::vector<Pending> stack{{"/", 0}};
  while (!stack.empty()) {
    Pending dir = std::move(stack.back());
    stack.pop_back();
    auto listing = v.readdir_raw(dir.path);
    if (!listing) {
      auto level =
          listing.error().code == ErrorCode::kUnsupported ? Diagnostic::Level::kNote : Diagnostic::Level::kWarning;
      diag(level, dir.path, "directory not listed: " + listing.error().message);
      continue;
    }
    // Push subdirectories in reverse so the walk visits them in name order.
    std::vector<std::string> subdirs;
    for (const auto& de : *listing) {
      if (de.name.empty() || de.name == "." || de.name == ".." || de.name.find('/') != std::string::npos ||
          de.name.size() > limits::kMaxNameLength) {
        diag(Diagnostic::Level::kWarning, dir.path, "skipped an entry with an invalid name");
        continue;
      }
      if (entries_.size() >= limits::kMaxInventoryEntries) {
        diag(Diagnostic::Level::kError, dir.path, "inventory entry limit reached; the rest is not walked");
        return;
      }
      std::string child = dir.path == "/" ? "/" + de.name : dir.path + "/" + de.name;
      auto st = v.lstat_raw(child);
      if (!st) {
        diag(Diagnostic::Level::kWarning, child, "unreadable entry: " + st.error().message);
        continue;
      }
      record(child, *st);
      if (st->is_dir()) {
        if (check_cycles && !walked_dirs.insert(st->inode).second) {
          diag(Diagnostic::Level::kWarning, child,
               "another name for a directory already walked (a directory cycle or a hard-linked directory: the "
               "image is damaged); not walked again");
        } else if (dir.depth + 1 >= limits::kMaxDirectoryDepth) {
          diag(Diagnostic::Level::kWarning, child, "directory nesting limit reached; not descended");
        } else {
          subdirs.push_back(std::move(child));
        }
      }
    }
    for (auto it = subdirs.rbegin(); it != subdirs.rend(); ++it) stack.push_back({std::move(*it), dir.depth + 1});
  }
}

void Inventory::finish() {
  std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    if (a.filesystem != b.filesystem) return a.filesystem < b.filesystem;
    return a.path < b.path;
  });
  InventorySummary s;
  for (const auto& e : entries_) {
    switch (e.st.type) {
      case vfs::FileType::kRegular:
        ++s.files;
        break;
      case vfs::FileType::kDirectory:
        ++s.directories;
        break;
      case vfs::FileType::kSymlink:
        ++s.symlinks;
        break;
      case vfs::FileType::kCharDevice:
      case vfs::FileType::kBlockDevice:
        ++s.devices;
        break;
      default:
        ++s.other;
        break;
    }
    if (e.hardlink_secondary) ++s.hardlinks;
    if (e.kind == Kind::kElf) ++s.elf;
    if (e.is_setuid()) ++s.setuid;
    if (e.is_setgid()) ++s.setgid;
    if (e.is_world_writable() && !(e.st.is_dir() && (e.st.mode & 01000))) ++s.world_writable;
    if (!e.capability.empty()) ++s.capabilities;
    if (!e.selinux_label.empty()) ++s.selinux_labels;
    if (e.st.is_regular()) {
      s.bytes += e.st.size;
      s.kinds[to_string(e.kind)]++;
    }
  }
  summary_ = std::move(s);
}

}  // namespace fwcert::inventory
