// ext2/3/4 backend over libext2fs. The filesystem is opened read-only through an io_manager of
// ours whose channels read from a ByteSource, so an image on disk, one carved from a blob and
// one nested inside another filesystem are all read in place.
//
// Decided:
// - The io_manager's open() receives a name; we pass the ByteSource's address in it
//   ("fwcert-source:0x..."), the one thing libext2fs carries from ext2fs_open2 to the channel.
// - Before libext2fs sees the image, the superblock's geometry is checked so that the group
//   descriptor table it allocates and reads fits inside the image.
// - Directory listings are read once per directory inode and cached, sorted for lookup;
//   ext2fs_lookup would scan a directory linearly for every name.
// - One mutex guards the ext2_filsys: libext2fs keeps caches and buffers inside it.

#include <ext2fs/ext2_fs.h>
#include <ext2fs/ext2fs.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "core/byte_reader.hpp"
#include "core/checked.hpp"
#include "core/limits.hpp"
#include "vfs/listing.hpp"
#include "vfs/mode.hpp"
#include "vfs/open.hpp"

namespace fwcert::vfs {

namespace {

constexpr const char* kNamePrefix = "fwcert-source:";

/// libext2fs error codes as our errors. The text names the common codes itself: com_err's
/// error_message() would need one more library for a few strings.
Error ext_error(errcode_t code, const std::string& what, std::string where) {
  ErrorCode ec = ErrorCode::kCorrupt;
  const char* text = nullptr;
  switch (code) {
    case EXT2_ET_FILE_NOT_FOUND:
      ec = ErrorCode::kNotFound;
      text = "not found";
      break;
    case EXT2_ET_NO_DIRECTORY:
      ec = ErrorCode::kNotADirectory;
      text = "not a directory";
      break;
    case EXT2_ET_UNSUPP_FEATURE:
    case EXT2_ET_RO_UNSUPP_FEATURE:
      ec = ErrorCode::kUnsupported;
      text = "unsupported filesystem feature";
      break;
    case EXT2_ET_NO_MEMORY:
      ec = ErrorCode::kLimitExceeded;
      text = "out of memory";
      break;
    case EXT2_ET_SHORT_READ:
      text = "data beyond the end of the image";
      break;
    case EXT2_ET_BAD_MAGIC:
      text = "bad superblock magic";
      break;
    case EXT2_ET_CORRUPT_SUPERBLOCK:
      text = "corrupt superblock";
      break;
    case EXT2_ET_DIR_CORRUPTED:
      text = "corrupt directory";
      break;
    case EXT2_ET_BAD_INODE_NUM:
      text = "inode number out of range";
      break;
    case EXT2_ET_EXTENT_HEADER_BAD:
      text = "corrupt extent header";
      break;
    case EXT2_ET_EA_BAD_NAME_LEN:
    case EXT2_ET_EA_BAD_VALUE_SIZE:
    case EXT2_ET_BAD_EA_HEADER:
    case EXT2_ET_BAD_EA_BLOCK_NUM:
      text = "corrupt extended attributes";
      break;
    default:
      break;
  }
  std::string detail = text ? std::string(text) : fmt::format("libext2fs error {}", code);
  return make_error(ec, fmt::format("{}: {}", what, detail), std::move(where));
}

// ---- the io_manager: channels that read a ByteSource and refuse every write ----

errcode_t source_open(const char* name, int flags, io_channel* channel);

errcode_t source_close(io_channel channel) {
  if (--channel->refcount > 0) return 0;
  std::free(channel->name);
  std::free(channel);
  return 0;
}

errcode_t source_set_blksize(io_channel channel, int blksize) {
  if (blksize <= 0) return EXT2_ET_INVALID_ARGUMENT;
  channel->block_size = blksize;
  return 0;
}

errcode_t source_read_blk64(io_channel channel, unsigned long long block, int count, void* data) {
  const auto& src = *static_cast<const ByteSource*>(channel->private_data);
  // A negative count is a byte count; otherwise it counts blocks.
  std::uint64_t bytes = count < 0 ? static_cast<std::uint64_t>(-static_cast<std::int64_t>(count))
                                  : static_cast<std::uint64_t>(count) * static_cast<std::uint64_t>(channel->block_size);
  auto offset = core::checked_mul(block, static_cast<std::uint64_t>(channel->block_size));
  std::memset(data, 0, bytes);
  if (!offset || !core::in_bounds(*offset, bytes, src.size())) return EXT2_ET_SHORT_READ;
  auto ok = read_exact(src, *offset, std::span<std::byte>(static_cast<std::byte*>(data), bytes));
  return ok ? 0 : EXT2_ET_SHORT_READ;
}

errcode_t source_read_blk(io_channel channel, unsigned long block, int count, void* data) {
  return source_read_blk64(channel, block, count, data);
}

errcode_t refuse_write_blk(io_channel, unsigned long, int, const void*) { return EXT2_ET_RO_FILSYS; }
errcode_t refuse_write_blk64(io_channel, unsigned long long, int, const void*) { return EXT2_ET_RO_FILSYS; }
errcode_t refuse_write_byte(io_channel, unsigned long, int, const void*) { return EXT2_ET_RO_FILSYS; }
errcode_t source_flush(io_channel) { return 0; }
errcode_t source_set_option(io_channel, const char*, const char*) { return EXT2_ET_INVALID_ARGUMENT; }

struct_io_manager g_source_manager = {
    .magic = EXT2_ET_MAGIC_IO_MANAGER,
    .name = "fwcert ByteSource I/O manager",
    .open = source_open,
    .close = source_close,
    .set_blksize = source_set_blksize,
    .read_blk = source_read_blk,
    .write_blk = refuse_write_blk,
    .flush = source_flush,
    .write_byte = refuse_write_byte,
    .set_option = source_set_option,
    .get_stats = nullptr,
    .read_blk64 = source_read_blk64,
    .write_blk64 = refuse_write_blk64,
    .discard = nullptr,
    .cache_readahead = nullptr,
    .zeroout = nullptr,
    .reserved = {},
};

errcode_t source_open(const char* name, int flags, io_channel* channel) {
  if (flags & IO_FLAG_RW) return EXT2_ET_RO_FILSYS;
  void* address = nullptr;
  if (!name || std::strncmp(name, kNamePrefix, std::strlen(kNamePrefix)) != 0 ||
      std::sscanf(name + std::strlen(kNamePrefix), "%p", &address) != 1 || !address) {
    return EXT2_ET_BAD_DEVICE_NAME;
  }
  auto* ch = static_cast<struct_io_channel*>(std::calloc(1, sizeof(struct_io_channel)));
  char* copy = strdup(name);
  if (!ch || !copy) {
    std::free(ch);
    std::free(copy);
    return EXT2_ET_NO_MEMORY;
  }
  ch->magic = EXT2_ET_MAGIC_IO_CHANNEL;
  ch->manager = &g_source_manager;
  ch->name = copy;
  ch->block_size = 1024;
  ch->refcount = 1;
  ch->private_data = address;
  *channel = ch;
  return 0;
}

// ---- superblock sanity before libext2fs allocates from it ----

/// Checks that the group descriptor table the superblock implies lies inside the image.
OkResult check_geometry(const ByteSource& src) {
  std::array<std::byte, 1024> sb{};
  if (!read_exact(src, 1024, sb)) return make_error(ErrorCode::kCorrupt, "ext superblock truncated", src.describe());
  core::ByteReader r(sb);
  auto at32 = [&](std::size_t off) {
    r.seek(off);
    return r.u32().value_or(0);
  };
  r.seek(56);
  if (r.u16().value_or(0) != EXT2_SUPER_MAGIC)
    return make_error(ErrorCode::kCorrupt, "no ext superblock", src.describe());
  std::uint64_t blocks = at32(4);
  const std::uint32_t first_data_block = at32(20);
  const std::uint32_t log_block = at32(24);
  const std::uint32_t blocks_per_group = at32(32);
  const std::uint32_t inodes_per_group = at32(40);
  const std::uint32_t incompat = at32(96);
  r.seek(254);
  std::uint32_t desc_size = r.u16().value_or(0);
  if (incompat & EXT4_FEATURE_INCOMPAT_64BIT) {
    blocks |= static_cast<std::uint64_t>(at32(0x150)) << 32;
  } else {
    desc_size = 32;
  }
  if (log_block > 6 || blocks_per_group == 0 || inodes_per_group == 0 || blocks <= first_data_block || desc_size < 32 ||
      desc_size > 1024) {
    return make_error(ErrorCode::kCorrupt, "ext superblock geometry is impossible", src.describe());
  }
  const std::uint64_t block_size = std::uint64_t{1024} << log_block;
  const std::uint64_t groups = (blocks - first_data_block + blocks_per_group - 1) / blocks_per_group;
  const std::uint64_t desc_blocks = (groups * desc_size + block_size - 1) / block_size;
  auto end = core::checked_mul(first_data_block + 1 + desc_blocks, block_size);
  if (!end || *end > src.size()) {
    return make_error(ErrorCode::kCorrupt,
                      fmt::format("ext group descriptors ({} groups) extend past the image", groups), src.describe());
  }
  return Ok{};
}

FileType type_of_dirent(int ft) {
  switch (ft) {
    case EXT2_FT_REG_FILE:
      return FileType::kRegular;
    case EXT2_FT_DIR:
      return FileType::kDirectory;
    case EXT2_FT_SYMLINK:
      return FileType::kSymlink;
    case EXT2_FT_CHRDEV:
      return FileType::kCharDevice;
    case EXT2_FT_BLKDEV:
      return FileType::kBlockDevice;
    case EXT2_FT_FIFO:
      return FileType::kFifo;
    case EXT2_FT_SOCK:
      return FileType::kSocket;
    default:
      return FileType::kUnknown;
  }
}

/// "ext4" when any feature ext3 lacks is on, "ext3" with a journal, otherwise "ext2" (the
/// distinction blkid makes).
std::string flavour(const ext2_super_block& sb) {
  constexpr std::uint32_t kExt4Incompat =
      EXT3_FEATURE_INCOMPAT_EXTENTS | EXT4_FEATURE_INCOMPAT_64BIT | EXT4_FEATURE_INCOMPAT_MMP |
      EXT4_FEATURE_INCOMPAT_FLEX_BG | EXT4_FEATURE_INCOMPAT_EA_INODE | EXT4_FEATURE_INCOMPAT_DIRDATA |
      EXT4_FEATURE_INCOMPAT_CSUM_SEED | EXT4_FEATURE_INCOMPAT_LARGEDIR | EXT4_FEATURE_INCOMPAT_INLINE_DATA |
      EXT4_FEATURE_INCOMPAT_ENCRYPT | EXT4_FEATURE_INCOMPAT_CASEFOLD;
  constexpr std::uint32_t kExt4RoCompat =
      EXT4_FEATURE_RO_COMPAT_HUGE_FILE | EXT4_FEATURE_RO_COMPAT_GDT_CSUM | EXT4_FEATURE_RO_COMPAT_DIR_NLINK |
      EXT4_FEATURE_RO_COMPAT_EXTRA_ISIZE | EXT4_FEATURE_RO_COMPAT_QUOTA | EXT4_FEATURE_RO_COMPAT_BIGALLOC |
      EXT4_FEATURE_RO_COMPAT_METADATA_CSUM | EXT4_FEATURE_RO_COMPAT_PROJECT | EXT4_FEATURE_RO_COMPAT_VERITY;
  if ((sb.s_feature_incompat & kExt4Incompat) || (sb.s_feature_ro_compat & kExt4RoCompat)) return "ext4";
  if (sb.s_feature_compat & EXT3_FEATURE_COMPAT_HAS_JOURNAL) return "ext3";
  return "ext2";
}

struct FileCloser {
  void operator()(ext2_file* f) const { ext2fs_file_close(f); }
};

class ExtVfs final : public Vfs {
 public:
  explicit ExtVfs(ByteSourcePtr src) : src_(std::move(src)) {}
  ~ExtVfs() override {
    if (fs_) ext2fs_close_free(&fs_);
  }
  ExtVfs(const ExtVfs&) = delete;
  ExtVfs& operator=(const ExtVfs&) = delete;

  std::string format() const override { return format_; }

  OkResult open(std::vector<Diagnostic>& diagnostics, bool& partial) {
    if (auto ok = check_geometry(*src_); !ok) return ok.error();
    std::string name = fmt::format("{}{}", kNamePrefix, static_cast<const void*>(src_.get()));
    constexpr int kFlags = EXT2_FLAG_64BITS | EXT2_FLAG_IGNORE_CSUM_ERRORS | EXT2_FLAG_SKIP_MMP;
    errcode_t err = ext2fs_open2(name.c_str(), nullptr, kFlags, 0, 0, &g_source_manager, &fs_);
    if (err) {
      fs_ = nullptr;
      return ext_error(err, "ext filesystem unreadable", src_->describe());
    }
    format_ = flavour(*fs_->super);
    const std::uint64_t claimed = ext2fs_blocks_count(fs_->super) * static_cast<std::uint64_t>(fs_->blocksize);
    if (claimed > src_->size()) {
      diagnostics.push_back(
          {Diagnostic::Level::kWarning, "/",
           fmt::format("{} image is truncated: superblock says {} bytes, {} present", format_, claimed, src_->size())});
      partial = true;
    }
    auto root = read_inode(EXT2_ROOT_INO, "/");
    if (!root) return root.error();
    if (type_of_mode(root->i_mode) != FileType::kDirectory) {
      return make_error(ErrorCode::kCorrupt, "ext root inode is not a directory", src_->describe());
    }
    return Ok{};
  }

  Result<Stat> lstat_raw(const std::string& canonical) const override {
    std::lock_guard lock(mu_);
    auto ino = lookup(canonical);
    if (!ino) return ino.error();
    auto inode = read_inode(*ino, canonical);
    if (!inode) return inode.error();
    const ext2_inode_large& in = *inode;
    Stat st;
    st.type = type_of_mode(in.i_mode);
    st.mode = in.i_mode & 07777;
    st.uid = inode_uid(in);
    st.gid = inode_gid(in);
    st.size = EXT2_I_SIZE(&in);
    st.nlink = in.i_links_count;
    st.inode = *ino;
    st.mtime = static_cast<std::int32_t>(in.i_mtime);
    if (st.type == FileType::kCharDevice || st.type == FileType::kBlockDevice) {
      // Old encoding (8-bit major and minor) in i_block[0]; when that is 0, Linux's
      // new_encode_dev layout in i_block[1].
      if (std::uint32_t old = in.i_block[0]; old != 0) {
        st.rdev_major = (old >> 8) & 0xFF;
        st.rdev_minor = old & 0xFF;
      } else {
        std::uint32_t dev = in.i_block[1];
        st.rdev_major = (dev >> 8) & 0xFFF;
        st.rdev_minor = (dev & 0xFF) | ((dev >> 12) & 0xFFF00);
      }
      st.size = 0;
    }
    return st;
  }

  Result<std::vector<DirEntry>> readdir_raw(const std::string& canonical) const override {
    std::lock_guard lock(mu_);
    auto ino = lookup(canonical);
    if (!ino) return ino.error();
    auto list = listing(*ino, canonical);
    if (!list) return list.error();
    return to_dir_entries(*list);
  }

  Result<std::string> readlink_raw(const std::string& canonical) const override {
    std::lock_guard lock(mu_);
    auto ino = lookup(canonical);
    if (!ino) return ino.error();
    auto inode = read_inode(*ino, canonical);
    if (!inode) return inode.error();
    ext2_inode_large& in = *inode;
    if (type_of_mode(in.i_mode) != FileType::kSymlink) {
      return make_error(ErrorCode::kInvalidArgument, "not a symlink", canonical);
    }
    const std::uint64_t size = EXT2_I_SIZE(&in);
    if (size > limits::kMaxSymlinkTarget) {
      return make_error(ErrorCode::kLimitExceeded, "symlink target longer than the limit", canonical);
    }
    // Targets shorter than i_block live in it, both for fast symlinks and inline data.
    if (size < sizeof(in.i_block) && !(in.i_flags & EXT4_EXTENTS_FL) &&
        (ext2fs_is_fast_symlink(reinterpret_cast<ext2_inode*>(&in)) || (in.i_flags & EXT4_INLINE_DATA_FL))) {
      return std::string(reinterpret_cast<const char*>(in.i_block), static_cast<std::size_t>(size));
    }
    std::string target(static_cast<std::size_t>(size), '\0');
    auto n = read_locked(*ino, in, 0, std::as_writable_bytes(std::span<char>(target)), canonical);
    if (!n) return n.error();
    if (*n != size) return make_error(ErrorCode::kCorrupt, "symlink target truncated", canonical);
    return target;
  }

  Result<std::size_t> read_raw(const std::string& canonical, std::uint64_t offset,
                               std::span<std::byte> out) const override {
    std::lock_guard lock(mu_);
    auto ino = lookup(canonical);
    if (!ino) return ino.error();
    auto inode = read_inode(*ino, canonical);
    if (!inode) return inode.error();
    FileType t = type_of_mode(inode->i_mode);
    if (t == FileType::kDirectory) return make_error(ErrorCode::kIsADirectory, "is a directory", canonical);
    if (t != FileType::kRegular) return make_error(ErrorCode::kInvalidArgument, "not a regular file", canonical);
    return read_locked(*ino, *inode, offset, out, canonical);
  }

  Result<std::vector<Xattr>> xattrs_raw(const std::string& canonical) const override {
    std::lock_guard lock(mu_);
    auto ino = lookup(canonical);
    if (!ino) return ino.error();
    ext2_xattr_handle* h = nullptr;
    if (errcode_t err = ext2fs_xattrs_open(fs_, *ino, &h); err) {
      // Without the ext_attr feature there is nothing to read.
      if (err == EXT2_ET_MISSING_EA_FEATURE) return std::vector<Xattr>{};
      return ext_error(err, "xattrs unreadable", canonical);
    }
    struct Closer {
      ext2_xattr_handle*& h;
      ~Closer() { ext2fs_xattrs_close(&h); }
    } closer{h};
    // Raw: keep POSIX ACLs in their on-disk form instead of libext2fs's translation.
    unsigned int raw = XATTR_HANDLE_FLAG_RAW;
    ext2fs_xattrs_flags(h, &raw, nullptr);
    if (errcode_t err = ext2fs_xattrs_read(h); err) return ext_error(err, "xattrs unreadable", canonical);
    std::vector<Xattr> out;
    auto collect = [](char* name, char* value, size_t value_len, void* data) -> int {
      auto& list = *static_cast<std::vector<Xattr>*>(data);
      // "system.data" holds an inline_data file's tail; the kernel never shows it as an xattr.
      if (std::strcmp(name, "system.data") == 0) return 0;
      if (list.size() >= limits::kMaxXattrsPerFile) return XATTR_ABORT;
      if (value_len <= limits::kMaxXattrValue) list.push_back({name, std::string(value, value_len)});
      return 0;
    };
    if (errcode_t err = ext2fs_xattrs_iterate(h, collect, &out); err) {
      return ext_error(err, "xattrs unreadable", canonical);
    }
    return out;
  }

 private:
  struct Child {
    std::string name;
    FileType type;
    ext2_ino_t ino;
  };
  using Listing = std::vector<Child>;  // sorted by name

  Result<ext2_inode_large> read_inode(ext2_ino_t ino, const std::string& path) const {
    ext2_inode_large in{};
    errcode_t err = ext2fs_read_inode_full(fs_, ino, reinterpret_cast<ext2_inode*>(&in), sizeof(in));
    if (err) return ext_error(err, "inode unreadable", path);
    return in;
  }

  Result<std::size_t> read_locked(ext2_ino_t ino, ext2_inode_large& in, std::uint64_t offset, std::span<std::byte> out,
                                  const std::string& path) const {
    ext2_file_t raw = nullptr;
    if (errcode_t err = ext2fs_file_open2(fs_, ino, reinterpret_cast<ext2_inode*>(&in), 0, &raw); err) {
      return ext_error(err, "file unreadable", path);
    }
    std::unique_ptr<ext2_file, FileCloser> file(raw);
    if (errcode_t err = ext2fs_file_llseek(file.get(), offset, EXT2_SEEK_SET, nullptr); err) {
      return ext_error(err, "file unreadable", path);
    }
    std::size_t done = 0;
    while (done < out.size()) {
      auto want = static_cast<unsigned int>(std::min<std::size_t>(out.size() - done, 1u << 30));
      unsigned int got = 0;
      if (errcode_t err = ext2fs_file_read(file.get(), out.data() + done, want, &got); err) {
        return ext_error(err, "file data unreadable", path);
      }
      if (got == 0) break;
      done += got;
    }
    return done;
  }

  /// The inode number of a canonical path, walking cached listings from the root.
  Result<ext2_ino_t> lookup(const std::string& canonical) const {
    return walk_listings(
        canonical, ext2_ino_t{EXT2_ROOT_INO},
        [this](ext2_ino_t dir, const std::string& path) { return listing(dir, path); },
        [](const Child& c, const std::string&, bool) -> Result<ext2_ino_t> { return c.ino; });
  }

  /// The entries of directory `ino`, read once and cached.
  Result<std::span<const Child>> listing(ext2_ino_t ino, const std::string& path) const {
    if (const Listing* cached = listings_.find(ino)) return std::span<const Child>(*cached);
    auto inode = read_inode(ino, path);
    if (!inode) return inode.error();
    if (type_of_mode(inode->i_mode) != FileType::kDirectory) {
      return make_error(ErrorCode::kNotADirectory, "not a directory", path);
    }
    struct Collect {
      Listing list;
      bool too_many = false;
    } collect;
    auto each = [](ext2_ino_t, int, ext2_dir_entry* dirent, int, int, char*, void* data) -> int {
      auto& c = *static_cast<Collect*>(data);
      int len = ext2fs_dirent_name_len(dirent);
      std::string name(dirent->name, static_cast<std::size_t>(len));
      if (dirent->inode == 0 || name == "." || name == "..") return 0;
      if (c.list.size() >= limits::kMaxDirectoryEntries) {
        c.too_many = true;
        return DIRENT_ABORT;
      }
      c.list.push_back({std::move(name), type_of_dirent(ext2fs_dirent_file_type(dirent)), dirent->inode});
      return 0;
    };
    if (errcode_t err = ext2fs_dir_iterate2(fs_, ino, 0, nullptr, each, &collect); err) {
      return ext_error(err, "directory unreadable", path);
    }
    if (collect.too_many) return make_error(ErrorCode::kLimitExceeded, "directory has too many entries", path);
    Listing& list = collect.list;
    // Without the filetype feature entries carry no type; the walk lstat()s each anyway, but
    // lookups need to know directories, so ask the inode.
    for (auto& c : list) {
      if (c.type != FileType::kUnknown) continue;
      if (auto child = read_inode(c.ino, path); child) c.type = type_of_mode(child->i_mode);
    }
    sort_by_name(list);
    return listings_.add(ino, std::move(list));
  }

  ByteSourcePtr src_;
  ext2_filsys fs_ = nullptr;
  std::string format_ = "ext2";

  mutable std::mutex mu_;
  mutable ListingCache<ext2_ino_t, Child> listings_;
};

}  // namespace

Result<std::shared_ptr<Vfs>> open_ext(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics, bool& partial) {
  auto vfs = std::make_shared<ExtVfs>(std::move(src));
  if (auto ok = vfs->open(diagnostics, partial); !ok) return ok.error();
  return std::shared_ptr<Vfs>(std::move(vfs));
}

}  // namespace fwcert::vfs
