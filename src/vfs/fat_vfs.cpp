// FAT12/16/32 backend (vfat boot partitions, update media): a small read-only reader of the
// boot sector, the first FAT, directories with VFAT long names, and files, read in place.
//
// Decided:
//  - The FAT type comes from the cluster count, as the specification and the kernel decide it,
//    not from the boot sector's type string.
//  - FAT stores no owners and no Unix modes. Entries are shown as the kernel's vfat driver shows
//    them with its defaults (uid 0, gid 0, umask 022): directories and files 0755, files with
//    the read-only attribute 0555.
//  - A long name is used when its checksum matches the short entry it precedes; otherwise the
//    short name (with the NT lower-case flags applied). Short-name bytes above 0x7F are taken
//    as Latin-1. A '/' in a name (only a crafted image has one) becomes '_'.
//  - Every cluster chain is bounded by the cluster count and by what the entry needs (its size
//    for files, limits::kMaxFatDirectoryBytes for directories), so a cyclic FAT cannot loop.
//    A chain that ends early, or a cluster number outside the volume, is damage: the file reads
//    fail with kCorrupt and the directory lists what was read.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <mutex>

#include "core/byte_reader.hpp"
#include "core/checked.hpp"
#include "core/limits.hpp"
#include "vfs/open.hpp"

namespace fwcert::vfs {

namespace {

constexpr std::uint8_t kAttrReadOnly = 0x01, kAttrVolume = 0x08, kAttrDirectory = 0x10, kAttrLongName = 0x0F;

struct Node {
  std::string name;
  bool dir = false;
  bool read_only = false;
  std::uint32_t cluster = 0;
  std::uint64_t size = 0;
  std::uint64_t id = 0;  ///< byte position of the short entry: stable and unique
};

void append_utf8(std::string& out, std::uint32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

std::uint8_t short_checksum(const std::byte* name11) {
  std::uint8_t sum = 0;
  for (int i = 0; i < 11; ++i) {
    sum = static_cast<std::uint8_t>(((sum & 1) << 7) + (sum >> 1) + static_cast<std::uint8_t>(name11[i]));
  }
  return sum;
}

std::string short_name(const std::byte* e) {
  const auto flags = static_cast<std::uint8_t>(e[12]);
  auto part = [&](int from, int len, bool lower) {
    std::string s;
    for (int i = from; i < from + len; ++i) {
      auto c = static_cast<std::uint8_t>(e[i]);
      if (i == 0 && c == 0x05) c = 0xE5;
      s.push_back(static_cast<char>(c));
    }
    while (!s.empty() && s.back() == ' ') s.pop_back();
    std::string out;
    for (char ch : s) {
      auto c = static_cast<std::uint8_t>(ch);
      if (lower && c >= 'A' && c <= 'Z') c = static_cast<std::uint8_t>(c - 'A' + 'a');
      append_utf8(out, c);
    }
    return out;
  };
  std::string base = part(0, 8, flags & 0x08);
  std::string ext = part(8, 3, flags & 0x10);
  return ext.empty() ? base : base + "." + ext;
}

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

class FatVfs final : public Vfs {
 public:
  explicit FatVfs(ByteSourcePtr src) : src_(std::move(src)) {}

  std::string format() const override { return fmt::format("fat{}", bits_); }

  OkResult open(std::vector<Diagnostic>& diagnostics, bool& partial) {
    std::array<std::byte, 512> bs{};
    if (!read_exact(*src_, 0, bs)) return make_error(ErrorCode::kCorrupt, "FAT boot sector is cut short");
    core::ByteReader r(bs);
    r.seek(11);
    sector_ = r.u16().value_or(0);
    const std::uint64_t per_cluster = r.u8().value_or(0);
    const std::uint64_t reserved = r.u16().value_or(0);
    const std::uint64_t fats = r.u8().value_or(0);
    root_entries_ = r.u16().value_or(0);
    std::uint64_t total = r.u16().value_or(0);
    r.seek(22);
    std::uint64_t fat_size = r.u16().value_or(0);
    r.seek(32);
    if (total == 0) total = r.u32().value_or(0);
    if (fat_size == 0) {
      r.seek(36);
      fat_size = r.u32().value_or(0);
    }
    r.seek(44);
    const std::uint32_t root_cluster = r.u32().value_or(0);
    const bool sane = (sector_ == 512 || sector_ == 1024 || sector_ == 2048 || sector_ == 4096) && per_cluster != 0 &&
                      (per_cluster & (per_cluster - 1)) == 0 && reserved != 0 && fats >= 1 && fats <= 2 &&
                      fat_size != 0 && total != 0;
    if (!sane) return make_error(ErrorCode::kCorrupt, "FAT boot sector values are invalid");
    cluster_bytes_ = sector_ * per_cluster;
    fat_at_ = reserved * sector_;
    fat_bytes_ = fat_size * sector_;
    const std::uint64_t root_sectors = (root_entries_ * 32 + sector_ - 1) / sector_;
    const std::uint64_t data_sector = reserved + fats * fat_size + root_sectors;
    if (data_sector >= total) return make_error(ErrorCode::kCorrupt, "FAT data area lies past the volume's end");
    clusters_ = (total - data_sector) / per_cluster;
    bits_ = clusters_ < 4085 ? 12 : clusters_ < 65525 ? 16 : 32;
    root_at_ = (reserved + fats * fat_size) * sector_;
    data_at_ = data_sector * sector_;
    root_cluster_ = bits_ == 32 ? root_cluster : 0;
    // The FAT must hold an entry for every cluster.
    const std::uint64_t needed = (clusters_ + 2) * static_cast<std::uint64_t>(bits_) / 8;
    if (needed > fat_bytes_) {
      diagnostics.push_back({Diagnostic::Level::kWarning, "/",
                             fmt::format("FAT of {} bytes is too small for {} clusters", fat_bytes_, clusters_)});
      partial = true;
    }
    if (const std::uint64_t end = total * sector_; end > src_->size()) {
      diagnostics.push_back(
          {Diagnostic::Level::kWarning, "/",
           fmt::format("FAT volume of {} bytes is cut at {}; files past the cut do not read", end, src_->size())});
      partial = true;
    }
    if (bits_ == 32 && (root_cluster_ < 2 || root_cluster_ >= clusters_ + 2)) {
      return make_error(ErrorCode::kCorrupt, fmt::format("FAT32 root cluster {} is outside the volume", root_cluster_));
    }
    return Ok{};
  }

  Result<Stat> lstat_raw(const std::string& canonical) const override {
    Stat st;
    if (canonical == "/") {
      st.type = FileType::kDirectory;
      st.mode = 0755;
      st.nlink = 2;
      st.inode = 1;
      return st;
    }
    auto n = find(canonical);
    if (!n) return n.error();
    st.type = n->dir ? FileType::kDirectory : FileType::kRegular;
    st.mode = n->dir ? 0755 : n->read_only ? 0555 : 0755;
    st.size = n->dir ? 0 : n->size;
    st.nlink = n->dir ? 2 : 1;
    st.inode = n->id;
    return st;
  }

  Result<std::vector<DirEntry>> readdir_raw(const std::string& canonical) const override {
    auto nodes = list(canonical);
    if (!nodes) return nodes.error();
    std::vector<DirEntry> out;
    out.reserve(nodes->size());
    for (const auto& n : *nodes) out.push_back({n.name, n.dir ? FileType::kDirectory : FileType::kRegular});
    return out;
  }

  Result<std::string> readlink_raw(const std::string& canonical) const override {
    return make_error(ErrorCode::kInvalidArgument, "FAT has no symlinks", canonical);
  }

  Result<std::size_t> read_raw(const std::string& canonical, std::uint64_t offset,
                               std::span<std::byte> out) const override {
    auto n = find(canonical);
    if (!n) return n.error();
    if (n->dir) return make_error(ErrorCode::kIsADirectory, "is a directory", canonical);
    if (offset >= n->size) return std::size_t{0};
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), n->size - offset));
    const std::uint64_t needed = (n->size + cluster_bytes_ - 1) / cluster_bytes_;
    auto ch = chain_cached(canonical, n->cluster, needed);
    if (!ch) return ch.error();
    std::size_t done = 0;
    while (done < want) {
      const std::uint64_t at = offset + done;
      const std::uint64_t index = at / cluster_bytes_;
      if (index >= ch->size()) {
        return make_error(ErrorCode::kCorrupt, "the file's cluster chain ends before its size", canonical);
      }
      const std::uint64_t within = at % cluster_bytes_;
      const std::size_t n_bytes =
          static_cast<std::size_t>(std::min<std::uint64_t>(want - done, cluster_bytes_ - within));
      const std::uint64_t physical = data_at_ + ((*ch)[static_cast<std::size_t>(index)] - 2) * cluster_bytes_ + within;
      auto got = src_->read_at(physical, out.subspan(done, n_bytes));
      if (!got) return got.error();
      if (*got < n_bytes) return make_error(ErrorCode::kCorrupt, "the file runs past the end of the image", canonical);
      done += n_bytes;
    }
    return done;
  }

  Result<std::vector<Xattr>> xattrs_raw(const std::string&) const override { return std::vector<Xattr>{}; }

 private:
  /// The FAT entry of cluster `c`: the next cluster, or nullopt at the end of the chain, a free
  /// or bad cluster, or an entry outside the FAT.
  std::optional<std::uint32_t> next_cluster(std::uint32_t c) const {
    const std::uint64_t off = bits_ == 12 ? c + c / 2 : static_cast<std::uint64_t>(c) * (bits_ / 8);
    const std::size_t width = bits_ == 32 ? 4 : 2;
    if (off + width > fat_bytes_) return std::nullopt;
    std::array<std::byte, 4> b{};
    auto n = src_->read_at(fat_at_ + off, std::span<std::byte>(b.data(), width));
    if (!n || *n < width) return std::nullopt;
    core::ByteReader r(b);
    std::uint32_t v = 0;
    if (bits_ == 12) {
      std::uint32_t raw = r.u16().value_or(0);
      v = (c & 1) ? raw >> 4 : raw & 0xFFF;
      if (v >= 0xFF7) return std::nullopt;
    } else if (bits_ == 16) {
      v = r.u16().value_or(0);
      if (v >= 0xFFF7) return std::nullopt;
    } else {
      v = r.u32().value_or(0) & 0x0FFFFFFFu;
      if (v >= 0x0FFFFFF7u) return std::nullopt;
    }
    if (v < 2 || v >= clusters_ + 2) return std::nullopt;
    return v;
  }

  /// Up to `max` clusters of the chain starting at `first`.
  std::vector<std::uint32_t> chain(std::uint32_t first, std::uint64_t max) const {
    std::vector<std::uint32_t> out;
    if (first < 2 || first >= clusters_ + 2) return out;
    // A chain of distinct clusters cannot be longer than the clusters the image holds; a longer
    // one repeats (a cycle), so the bound also ends a looping FAT early.
    const std::uint64_t in_image = src_->size() > data_at_ ? (src_->size() - data_at_) / cluster_bytes_ + 1 : 1;
    max = std::min({max, clusters_, in_image});
    std::optional<std::uint32_t> c = first;
    while (c && out.size() < max) {
      out.push_back(*c);
      c = next_cluster(*c);
    }
    return out;
  }

  Result<std::vector<std::uint32_t>> chain_cached(const std::string& path, std::uint32_t first,
                                                  std::uint64_t needed) const {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = chains_.find(path); it != chains_.end()) return it->second;
    auto c = chain(first, needed);
    if (chain_entries_ + c.size() > limits::kMaxCachedDirectoryEntries) {
      chains_.clear();
      chain_entries_ = 0;
    }
    chain_entries_ += c.size();
    chains_[path] = c;
    return c;
  }

  /// The entries of the directory at `canonical` (cached).
  Result<std::vector<Node>> list(const std::string& canonical) const {
    std::uint32_t cluster = 0;
    if (canonical != "/") {
      auto n = find(canonical);
      if (!n) return n.error();
      if (!n->dir) return make_error(ErrorCode::kNotADirectory, "not a directory", canonical);
      cluster = n->cluster;
      if (cluster == 0) return std::vector<Node>{};  // a ".." style pointer to the root: empty
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto it = dirs_.find(canonical); it != dirs_.end()) return it->second;
    std::vector<Node> nodes = read_dir(canonical == "/" ? root_cluster_ : cluster, canonical == "/");
    if (dir_entries_ + nodes.size() > limits::kMaxCachedDirectoryEntries) {
      dirs_.clear();
      dir_entries_ = 0;
    }
    dir_entries_ += nodes.size();
    dirs_[canonical] = nodes;
    return nodes;
  }

  std::vector<Node> read_dir(std::uint32_t cluster, bool root) const {
    // Where the directory's bytes are: the fixed FAT12/16 root region, or a cluster chain.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> runs;  // (offset, length)
    if (root && bits_ != 32) {
      runs.emplace_back(root_at_, std::min<std::uint64_t>(root_entries_ * 32, limits::kMaxFatDirectoryBytes));
    } else {
      for (std::uint32_t c : chain(cluster, limits::kMaxFatDirectoryBytes / cluster_bytes_ + 1)) {
        runs.emplace_back(data_at_ + static_cast<std::uint64_t>(c - 2) * cluster_bytes_, cluster_bytes_);
      }
    }
    std::vector<Node> out;
    std::u16string long_name;
    std::array<std::u16string, 20> pieces;
    int expected_ord = 0;
    std::uint8_t long_sum = 0;
    std::vector<std::byte> buf;
    for (const auto& [at, len] : runs) {
      buf.resize(static_cast<std::size_t>(len));
      auto n = src_->read_at(at, buf);
      if (!n) break;
      for (std::size_t i = 0; i + 32 <= *n; i += 32) {
        const std::byte* e = buf.data() + i;
        const auto first = static_cast<std::uint8_t>(e[0]);
        const auto attr = static_cast<std::uint8_t>(e[11]);
        if (first == 0x00) return out;  // end of directory
        if (first == 0xE5) {
          expected_ord = 0;
          continue;
        }
        if ((attr & 0x3F) == kAttrLongName) {
          const int ord = first & 0x1F;
          if (first & 0x40) {
            for (auto& p : pieces) p.clear();
            expected_ord = ord;
            long_sum = static_cast<std::uint8_t>(e[13]);
          } else if (ord != expected_ord - 1 || static_cast<std::uint8_t>(e[13]) != long_sum) {
            expected_ord = 0;
            continue;
          } else {
            expected_ord = ord;
          }
          if (ord < 1 || ord > 20) {
            expected_ord = 0;
            continue;
          }
          std::u16string piece;
          for (int off : {1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30}) {
            char16_t ch =
                static_cast<char16_t>(static_cast<std::uint8_t>(e[off]) |
                                      (static_cast<std::uint16_t>(static_cast<std::uint8_t>(e[off + 1])) << 8));
            if (ch == 0 || ch == 0xFFFF) break;
            piece.push_back(ch);
          }
          pieces[static_cast<std::size_t>(ord - 1)] = piece;
          continue;
        }
        const bool have_long = expected_ord == 1 && short_checksum(e) == long_sum;
        expected_ord = 0;
        if (attr & kAttrVolume) continue;
        Node node;
        if (have_long) {
          for (const auto& p : pieces) {
            for (char16_t ch : p) append_utf8(node.name, ch);
          }
        }
        if (node.name.empty()) node.name = short_name(e);
        if (node.name == "." || node.name == ".." || node.name.empty()) continue;
        std::replace(node.name.begin(), node.name.end(), '/', '_');
        core::ByteReader r(e, 32);
        r.seek(20);
        const std::uint32_t hi = r.u16().value_or(0);
        r.seek(26);
        const std::uint32_t lo = r.u16().value_or(0);
        node.cluster = (bits_ == 32 ? hi << 16 : 0) | lo;
        node.size = r.u32().value_or(0);
        node.dir = (attr & kAttrDirectory) != 0;
        node.read_only = (attr & kAttrReadOnly) != 0;
        node.id = at + i + 2;
        out.push_back(std::move(node));
        if (out.size() >= limits::kMaxFatDirectoryBytes / 32) return out;
      }
    }
    return out;
  }

  Result<Node> find(const std::string& canonical) const {
    auto nodes = list(parent_path(canonical));
    if (!nodes) return nodes.error();
    const std::string_view name = base_name(canonical);
    for (const auto& n : *nodes) {
      if (n.name == name) return n;
    }
    // FAT names are case-insensitive.
    for (const auto& n : *nodes) {
      if (iequal(n.name, name)) return n;
    }
    return make_error(ErrorCode::kNotFound, "no such file", canonical);
  }

  ByteSourcePtr src_;
  std::uint64_t sector_ = 512, cluster_bytes_ = 512, fat_at_ = 0, fat_bytes_ = 0, root_at_ = 0, data_at_ = 0;
  std::uint64_t root_entries_ = 0, clusters_ = 0;
  std::uint32_t root_cluster_ = 0;
  int bits_ = 12;
  mutable std::mutex mutex_;
  mutable std::map<std::string, std::vector<Node>> dirs_;
  mutable std::map<std::string, std::vector<std::uint32_t>> chains_;
  mutable std::size_t dir_entries_ = 0, chain_entries_ = 0;
};

}  // namespace

Result<std::shared_ptr<Vfs>> open_fat(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics, bool& partial) {
  auto vfs = std::make_shared<FatVfs>(std::move(src));
  if (auto ok = vfs->open(diagnostics, partial); !ok) return ok.error();
  return std::shared_ptr<Vfs>(std::move(vfs));
}

}  // namespace fwcert::vfs
