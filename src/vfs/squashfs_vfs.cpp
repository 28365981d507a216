// SquashFS backend over libsquashfs (squashfs-tools-ng). libsquashfs reads through a
// sqfs_file_t of ours that forwards to a ByteSource, so the same code serves an image on disk,
// one carved out of a blob, and one nested inside another filesystem; nothing is extracted.
//
// Decided:
// - Directory listings are read lazily and cached per directory inode, so opening an image is
//   cheap (carving probes many) and a directory cycle in a hostile image costs nothing extra.
// - libsquashfs allocates what an inode or table header claims before reading it. Every such
//   claim (file block list, symlink target, fragment and xattr id tables) is checked against
//   limits.hpp and the image size first, so a crafted header cannot make us allocate gigabytes.
// - libsquashfs's metadata readers are not thread-safe; one mutex guards them (inodes,
//   listings, xattrs: small and cached). File data does not go through libsquashfs's data
//   reader, which caches one block and one fragment block: each read decompresses the blocks it
//   needs outside that lock, on the caller's thread with a compressor of its own, through one
//   BlockCache per image keyed by on-disk location and size. So a fragment block shared by a
//   hundred small files, and the first block that the walk's classification, the content pass
//   and the ELF parser all read, are decompressed once, and readers on every core decompress
//   at once.
// - A file's block list is kept per inode in a bounded cache, so the content pass's chunked reads
//   do not re-read the inode each time.

#include <fmt/format.h>
#include <lz4.h>
#include <lzma.h>
#include <sqfs/block.h>
#include <sqfs/compressor.h>
#include <sqfs/dir.h>
#include <sqfs/error.h>
#include <sqfs/frag_table.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>
#include <sqfs/io.h>
#include <sqfs/meta_reader.h>
#include <sqfs/super.h>
#include <sqfs/xattr.h>
#include <sqfs/xattr_reader.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>
#include <unordered_map>

#include "core/byte_reader.hpp"
#include "core/checked.hpp"
#include "core/limits.hpp"
#include "vfs/block_cache.hpp"
#include "vfs/listing.hpp"
#include "vfs/open.hpp"

namespace fwcert::vfs {

namespace {

constexpr std::uint64_t kNoTable = ~std::uint64_t{0};
constexpr std::uint32_t kNoXattr = 0xFFFFFFFFu;
constexpr std::uint64_t kMetaBlockSize = 8192;
constexpr std::uint64_t kSuperBlockSize = 96;
constexpr std::uint32_t kNoFragment = 0xFFFFFFFFu;
/// Blocks whose on-disk offset is recorded in a file's layout index (one per this many blocks).
constexpr std::size_t kLayoutIndexStride = 64;
/// A read that ends within this many bytes of the start of a data block that no cache holds
/// decodes only that far (the walk classifies every file by its first 2 KiB; the ELF parser
/// starts with 4 KiB). The whole block is decoded, once, when something reads further.
constexpr std::size_t kPrefixDecodeBytes = 4096;
/// Memory liblzma may use for a prefix decode (the dictionary an xz block names).
constexpr std::uint64_t kPrefixDecodeMemory = 64ull << 20;
/// File layouts kept, and the block-size entries they may hold in all, before the cache restarts.
constexpr std::size_t kMaxCachedLayouts = 16384;
constexpr std::size_t kMaxCachedLayoutBlocks = 1u << 22;

Error sqfs_error(int code, std::string what, std::string where) {
  ErrorCode ec = ErrorCode::kCorrupt;
  switch (code) {
    case SQFS_ERROR_IO:
      ec = ErrorCode::kIo;
      break;
    case SQFS_ERROR_UNSUPPORTED:
      ec = ErrorCode::kUnsupported;
      break;
    case SQFS_ERROR_ALLOC:
      ec = ErrorCode::kLimitExceeded;
      break;
    case SQFS_ERROR_NO_ENTRY:
      ec = ErrorCode::kNotFound;
      break;
    case SQFS_ERROR_NOT_DIR:
      ec = ErrorCode::kNotADirectory;
      break;
    default:
      break;
  }
  return make_error(ec, fmt::format("{} (libsquashfs error {})", what, code), std::move(where));
}

/// The sqfs_file_t libsquashfs reads through: bounds-checked reads from a ByteSource, and every
/// write refused. Standard layout with the C struct first, so libsquashfs's pointer is ours.
struct SourceFile {
  sqfs_file_t file;
  const ByteSource* source;

  static SourceFile* of(sqfs_file_t* f) { return reinterpret_cast<SourceFile*>(f); }
  static const SourceFile* of(const sqfs_file_t* f) { return reinterpret_cast<const SourceFile*>(f); }

  explicit SourceFile(const ByteSource& src) : file{}, source(&src) {
    file.base.destroy = [](sqfs_object_t*) {};  // owned by the Vfs, never by libsquashfs
    file.base.copy = nullptr;
    file.read_at = [](sqfs_file_t* f, sqfs_u64 offset, void* buffer, size_t size) -> int {
      const ByteSource& src = *of(f)->source;
      if (!core::in_bounds(offset, size, src.size())) return SQFS_ERROR_OUT_OF_BOUNDS;
      auto ok = read_exact(src, offset, std::span<std::byte>(static_cast<std::byte*>(buffer), size));
      return ok ? 0 : SQFS_ERROR_IO;
    };
    file.write_at = [](sqfs_file_t*, sqfs_u64, const void*, size_t) -> int { return SQFS_ERROR_UNSUPPORTED; };
    file.get_size = [](const sqfs_file_t* f) -> sqfs_u64 { return of(f)->source->size(); };
    file.truncate = [](sqfs_file_t*, sqfs_u64) -> int { return SQFS_ERROR_UNSUPPORTED; };
  }
};
static_assert(std::is_standard_layout_v<SourceFile>);

/// Owns a libsquashfs object (anything starting with sqfs_object_t).
struct SqfsDeleter {
  void operator()(void* p) const { sqfs_destroy(p); }
};
template <typename T>
using SqfsPtr = std::unique_ptr<T, SqfsDeleter>;

/// Owns memory libsquashfs hands out for the caller to release with sqfs_free.
struct SqfsFree {
  void operator()(void* p) const { sqfs_free(p); }
};
using InodePtr = std::unique_ptr<sqfs_inode_generic_t, SqfsFree>;

FileType type_of(std::uint16_t inode_type) {
  switch (inode_type) {
    case SQFS_INODE_DIR:
    case SQFS_INODE_EXT_DIR:
      return FileType::kDirectory;
    case SQFS_INODE_FILE:
    case SQFS_INODE_EXT_FILE:
      return FileType::kRegular;
    case SQFS_INODE_SLINK:
    case SQFS_INODE_EXT_SLINK:
      return FileType::kSymlink;
    case SQFS_INODE_BDEV:
    case SQFS_INODE_EXT_BDEV:
      return FileType::kBlockDevice;
    case SQFS_INODE_CDEV:
    case SQFS_INODE_EXT_CDEV:
      return FileType::kCharDevice;
    case SQFS_INODE_FIFO:
    case SQFS_INODE_EXT_FIFO:
      return FileType::kFifo;
    case SQFS_INODE_SOCKET:
    case SQFS_INODE_EXT_SOCKET:
      return FileType::kSocket;
    default:
      return FileType::kUnknown;
  }
}

/// Decodes the first out.size() bytes of one compressed block of a squashfs compressor into
/// `out`: the count decoded (fewer when the block holds fewer), or nullopt when the codec has no
/// streaming decoder here or the block is damaged (the caller then decodes it whole, which
/// reports the damage).
std::optional<std::size_t> decode_prefix(std::uint16_t compressor, std::span<const std::byte> in,
                                         std::span<std::byte> out) {
  const auto* src = reinterpret_cast<const std::uint8_t*>(in.data());
  auto* dst = reinterpret_cast<std::uint8_t*>(out.data());
  switch (compressor) {
    case SQFS_COMP_XZ:
    case SQFS_COMP_LZMA: {
      lzma_stream s = LZMA_STREAM_INIT;
      lzma_ret r = compressor == SQFS_COMP_XZ ? lzma_stream_decoder(&s, kPrefixDecodeMemory, 0)
                                              : lzma_alone_decoder(&s, kPrefixDecodeMemory);
      if (r != LZMA_OK) return std::nullopt;
      s.next_in = src;
      s.avail_in = in.size();
      s.next_out = dst;
      s.avail_out = out.size();
      r = lzma_code(&s, LZMA_RUN);
      const std::size_t n = out.size() - s.avail_out;
      lzma_end(&s);
      if (r != LZMA_OK && r != LZMA_STREAM_END) return std::nullopt;
      return n;
    }
    case SQFS_COMP_GZIP: {
      z_stream z{};
      if (inflateInit(&z) != Z_OK) return std::nullopt;
      z.next_in = const_cast<Bytef*>(src);
      z.avail_in = static_cast<uInt>(in.size());
      z.next_out = dst;
      z.avail_out = static_cast<uInt>(out.size());
      int r = inflate(&z, Z_SYNC_FLUSH);
      const std::size_t n = out.size() - z.avail_out;
      inflateEnd(&z);
      if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR) return std::nullopt;
      return n;
    }
    case SQFS_COMP_ZSTD: {
      std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
      if (!ctx) return std::nullopt;
      ZSTD_inBuffer ib{src, in.size(), 0};
      ZSTD_outBuffer ob{dst, out.size(), 0};
      if (ZSTD_isError(ZSTD_decompressStream(ctx.get(), &ob, &ib))) return std::nullopt;
      return ob.pos;
    }
    case SQFS_COMP_LZ4: {
      int n = LZ4_decompress_safe_partial(reinterpret_cast<const char*>(src), reinterpret_cast<char*>(dst),
                                          static_cast<int>(in.size()), static_cast<int>(out.size()),
                                          static_cast<int>(out.size()));
      if (n < 0) return std::nullopt;
      return static_cast<std::size_t>(n);
    }
    default:
      return std::nullopt;
  }
}

/// Bytes a table of `entries` records of `record` bytes needs for its list of metadata block
/// locations (one u64 per 8 KiB block), as stored at the table's start offset.
std::optional<std::uint64_t> location_list_bytes(std::uint64_t entries, std::uint64_t record) {
  auto bytes = core::checked_mul(entries, record);
  if (!bytes) return std::nullopt;
  return ((*bytes + kMetaBlockSize - 1) / kMetaBlockSize) * 8;
}

/// Where a regular file's bytes are: its data blocks (on-disk size words, and the on-disk offset
/// of every kLayoutIndexStride-th block) and the tail in a fragment block.
struct FileLayout {
  std::uint64_t size = 0;
  std::vector<std::uint32_t> blocks;
  std::vector<std::uint64_t> offsets;  // of blocks 0, kLayoutIndexStride, 2 * kLayoutIndexStride, ...
  std::uint32_t fragment = kNoFragment;
  std::uint32_t fragment_offset = 0;
};

class SquashfsVfs final : public Vfs {
 public:
  explicit SquashfsVfs(ByteSourcePtr src)
      : src_(std::move(src)), file_(*src_), blocks_(limits::kBlockCacheMemoryBytes, limits::kBlockCacheSpillBytes) {}

  std::string format() const override { return "squashfs"; }

  /// Reads the superblock and tables; fails when the image cannot be read at all.
  OkResult open(std::vector<Diagnostic>& diagnostics, bool& partial) {
    const std::string where = src_->describe();
    if (int r = sqfs_super_read(&super_, &file_.file); r != 0) return sqfs_error(r, "bad squashfs superblock", where);
    if (!(super_.inode_table_start < super_.directory_table_start && super_.directory_table_start < super_.bytes_used &&
          super_.bytes_used >= kSuperBlockSize)) {
      return make_error(ErrorCode::kCorrupt, "squashfs table offsets out of order", where);
    }
    if (super_.bytes_used > src_->size()) {
      diagnostics.push_back({Diagnostic::Level::kWarning, "/",
                             fmt::format("squashfs image is truncated: superblock says {} bytes, {} present",
                                         super_.bytes_used, src_->size())});
      partial = true;
    }
    limit_ = std::min<std::uint64_t>(super_.bytes_used, src_->size());

    sqfs_compressor_config_t& cfg = compressor_config_;
    if (int r = sqfs_compressor_config_init(&cfg, static_cast<SQFS_COMPRESSOR>(super_.compression_id),
                                            super_.block_size, SQFS_COMP_FLAG_UNCOMPRESS);
        r != 0) {
      return sqfs_error(r, fmt::format("unsupported squashfs compressor {}", super_.compression_id), where);
    }
    sqfs_compressor_t* cmp = nullptr;
    if (int r = sqfs_compressor_create(&cfg, &cmp); r != 0) {
      const char* name = sqfs_compressor_name_from_id(static_cast<SQFS_COMPRESSOR>(super_.compression_id));
      return sqfs_error(r, fmt::format("squashfs compressor {} not available", name ? name : "unknown"), where);
    }
    cmp_.reset(cmp);
    // Options only tune compression; decompression works without them, so a damaged options
    // block is a note, not a failure.
    if ((super_.flags & SQFS_FLAG_COMPRESSOR_OPTIONS) && cmp_->read_options(cmp_.get(), &file_.file) != 0) {
      diagnostics.push_back({Diagnostic::Level::kNote, "/", "squashfs compressor options unreadable; ignored"});
    }

    ids_.reset(sqfs_id_table_create(0));
    if (!ids_) return make_error(ErrorCode::kLimitExceeded, "out of memory", where);
    if (int r = sqfs_id_table_read(ids_.get(), &file_.file, &super_, cmp_.get()); r != 0) {
      return sqfs_error(r, "squashfs id table unreadable", where);
    }

    inode_reader_.reset(
        sqfs_meta_reader_create(&file_.file, cmp_.get(), super_.inode_table_start, super_.directory_table_start));
    dir_reader_.reset(sqfs_meta_reader_create(&file_.file, cmp_.get(), super_.directory_table_start, limit_));
    if (!inode_reader_ || !dir_reader_) {
      return make_error(ErrorCode::kLimitExceeded, "out of memory", where);
    }
    if (!(super_.flags & SQFS_FLAG_NO_FRAGMENTS) && super_.fragment_entry_count > 0) {
      auto list = location_list_bytes(super_.fragment_entry_count, 16);
      if (super_.fragment_entry_count > limits::kMaxSquashfsTableEntries || !list ||
          !core::in_bounds(super_.fragment_table_start, *list, limit_)) {
        return make_error(ErrorCode::kCorrupt,
                          fmt::format("squashfs fragment table claims {} entries", super_.fragment_entry_count), where);
      }
      fragments_.reset(sqfs_frag_table_create(0));
      if (!fragments_) return make_error(ErrorCode::kLimitExceeded, "out of memory", where);
      if (int r = sqfs_frag_table_read(fragments_.get(), &file_.file, &super_, cmp_.get()); r != 0) {
        return sqfs_error(r, "squashfs fragment table unreadable", where);
      }
    }
    load_xattrs(diagnostics, partial);

    auto root = read_inode(super_.root_inode_ref);
    if (!root) return root.error();
    if (type_of((*root)->base.type) != FileType::kDirectory) {
      return make_error(ErrorCode::kCorrupt, "squashfs root inode is not a directory", where);
    }
    return Ok{};
  }

  Result<Stat> lstat_raw(const std::string& canonical) const override {
    std::lock_guard lock(mu_);
    auto ref = lookup(canonical);
    if (!ref) return ref.error();
    auto inode = read_inode(*ref);
    if (!inode) return with_path(inode.error(), canonical);
    return to_stat(**inode, canonical);
  }

  Result<std::vector<DirEntry>> readdir_raw(const std::string& canonical) const override {
    std::lock_guard lock(mu_);
    auto ref = lookup(canonical);
    if (!ref) return ref.error();
    auto list = listing(*ref, canonical);
    if (!list) return list.error();
    return to_dir_entries(*list);
  }

  Result<std::string> readlink_raw(const std::string& canonical) const override {
    std::lock_guard lock(mu_);
    auto ref = lookup(canonical);
    if (!ref) return ref.error();
    auto inode = read_inode(*ref);
    if (!inode) return with_path(inode.error(), canonical);
    const sqfs_inode_generic_t& in = **inode;
    if (type_of(in.base.type) != FileType::kSymlink) {
      return make_error(ErrorCode::kInvalidArgument, "not a symlink", canonical);
    }
    return std::string(reinterpret_cast<const char*>(in.extra), in.data.slink.target_size);
  }

  Result<std::size_t> read_raw(const std::string& canonical, std::uint64_t offset,
                               std::span<std::byte> out) const override {
    auto found = layout_of(canonical);
    if (!found) return found.error();
    const FileLayout& f = **found;
    if (offset >= f.size) return std::size_t{0};
    const std::uint64_t block_size = super_.block_size;
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), f.size - offset));
    std::size_t done = 0;
    while (done < want) {
      const std::uint64_t at = offset + done;
      const std::uint64_t index = at / block_size;
      if (index >= f.blocks.size() && (f.fragment == kNoFragment || index != f.size / block_size)) {
        return sqfs_error(SQFS_ERROR_OUT_OF_BOUNDS, "file data unreadable", canonical);
      }
      if (index < f.blocks.size()) {
        // A short read at the start of a block nothing has decoded yet: decode only that far.
        const std::uint64_t in_block = at % block_size;
        const std::uint64_t block_end = std::min<std::uint64_t>(block_size, f.size - index * block_size);
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(want - done, block_end - in_block));
        if (in_block + n <= kPrefixDecodeBytes && prefix(f, index, in_block, out.subspan(done, n))) {
          done += n;
          continue;
        }
      }
      // A block's bytes as stored, and where the file's bytes at `at` start in it.
      Result<BlockCache::Block> block =
          index < f.blocks.size() ? data_block(f, index, canonical) : fragment_block(f, canonical);
      if (!block) return block.error();
      std::uint64_t start = at % block_size;
      std::uint64_t end = (*block)->size();
      if (index >= f.blocks.size()) {
        start += f.fragment_offset;
        end = std::min<std::uint64_t>(end, std::uint64_t{f.fragment_offset} + (f.size - index * block_size));
      }
      if (start >= end) return sqfs_error(SQFS_ERROR_CORRUPTED, "file data unreadable", canonical);
      const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(want - done, end - start));
      std::memcpy(out.data() + done, (*block)->data() + start, n);
      done += n;
    }
    return done;
  }

  Result<std::vector<Xattr>> xattrs_raw(const std::string& canonical) const override {
    std::lock_guard lock(mu_);
    auto ref = lookup(canonical);
    if (!ref) return ref.error();
    auto inode = read_inode(*ref);
    if (!inode) return with_path(inode.error(), canonical);
    std::vector<Xattr> out;
    sqfs_u32 index = kNoXattr;
    if (!xattrs_ || sqfs_inode_get_xattr_index(inode->get(), &index) != 0 || index == kNoXattr) return out;
    sqfs_xattr_id_t desc{};
    if (int r = sqfs_xattr_reader_get_desc(xattrs_.get(), index, &desc); r != 0) {
      return sqfs_error(r, "xattr descriptor unreadable", canonical);
    }
    if (int r = sqfs_xattr_reader_seek_kv(xattrs_.get(), &desc); r != 0) {
      return sqfs_error(r, "xattrs unreadable", canonical);
    }
    if (desc.count > limits::kMaxXattrsPerFile) {
      return make_error(ErrorCode::kLimitExceeded, fmt::format("{} xattrs on one file", desc.count), canonical);
    }
    for (sqfs_u32 i = 0; i < desc.count; ++i) {
      sqfs_xattr_entry_t* key = nullptr;
      if (int r = sqfs_xattr_reader_read_key(xattrs_.get(), &key); r != 0) {
        return sqfs_error(r, "xattr key unreadable", canonical);
      }
      std::unique_ptr<sqfs_xattr_entry_t, SqfsFree> key_owner(key);
      sqfs_xattr_value_t* value = nullptr;
      if (int r = sqfs_xattr_reader_read_value(xattrs_.get(), key, &value); r != 0) {
        return sqfs_error(r, "xattr value unreadable", canonical);
      }
      std::unique_ptr<sqfs_xattr_value_t, SqfsFree> value_owner(value);
      if (value->size > limits::kMaxXattrValue) continue;
      // read_key prepends the prefix its type names ("security.") to the stored suffix; `size`
      // still counts the suffix only.
      const char* prefix = sqfs_get_xattr_prefix(static_cast<SQFS_XATTR_TYPE>(key->type & SQFS_XATTR_PREFIX_MASK));
      std::size_t name_len = (prefix ? std::strlen(prefix) : 0) + key->size;
      out.push_back({std::string(reinterpret_cast<const char*>(key->key), name_len),
                     std::string(reinterpret_cast<const char*>(value->value), value->size)});
    }
    return out;
  }

 private:
  struct Child {
    std::string name;
    FileType type;
    std::uint64_t ref;
  };
  using Listing = std::vector<Child>;  // sorted by name

  static Error with_path(Error e, const std::string& path) {
    e.where = path;
    return e;
  }

  void load_xattrs(std::vector<Diagnostic>& diagnostics, bool& partial) {
    if ((super_.flags & SQFS_FLAG_NO_XATTRS) || super_.xattr_id_table_start == kNoTable) return;
    // Header: u64 start of the key/value table, u32 id count, u32 unused.
    std::array<std::byte, 16> header{};
    bool ok = read_exact(*src_, super_.xattr_id_table_start, header).ok() &&
              super_.xattr_id_table_start + header.size() <= limit_;
    if (ok) {
      core::ByteReader r(header);
      r.skip(8);
      std::uint32_t count = r.u32().value_or(0);
      auto list = location_list_bytes(count, 16);
      ok = count <= limits::kMaxSquashfsTableEntries && list &&
           core::in_bounds(super_.xattr_id_table_start + header.size(), *list, limit_);
    }
    if (ok) {
      xattrs_.reset(sqfs_xattr_reader_create(0));
      ok = xattrs_ && sqfs_xattr_reader_load(xattrs_.get(), &super_, &file_.file, cmp_.get()) == 0;
    }
    if (!ok) {
      xattrs_.reset();
      diagnostics.push_back({Diagnostic::Level::kWarning, "/", "squashfs xattr table unreadable; xattrs not shown"});
      partial = true;
    }
  }

  /// The layout of the regular file at `canonical`, from the cache or its inode.
  Result<std::shared_ptr<const FileLayout>> layout_of(const std::string& canonical) const {
    std::lock_guard lock(mu_);
    auto ref = lookup(canonical);
    if (!ref) return ref.error();
    if (auto it = layouts_.find(*ref); it != layouts_.end()) return it->second;
    auto inode = read_inode(*ref);
    if (!inode) return with_path(inode.error(), canonical);
    const sqfs_inode_generic_t& in = **inode;
    FileType t = type_of(in.base.type);
    if (t == FileType::kDirectory) return make_error(ErrorCode::kIsADirectory, "is a directory", canonical);
    if (t != FileType::kRegular) return make_error(ErrorCode::kInvalidArgument, "not a regular file", canonical);
    auto f = std::make_shared<FileLayout>();
    std::uint64_t start = 0;
    sqfs_inode_get_file_size(&in, &f->size);
    sqfs_inode_get_file_block_start(&in, &start);
    sqfs_inode_get_frag_location(&in, &f->fragment, &f->fragment_offset);
    const std::uint64_t block_size = super_.block_size;
    // The tail is in a fragment block only when there is a tail and the inode names a fragment.
    std::uint64_t count = f->size / block_size;
    if (f->size % block_size == 0 || f->fragment == kNoFragment || f->fragment_offset == kNoFragment) {
      count = (f->size + block_size - 1) / block_size;
      f->fragment = kNoFragment;
    }
    // libsquashfs read as many block sizes as the inode's size implies; a shorter list is damage
    // that the reads past it report.
    count = std::min<std::uint64_t>(count, in.payload_bytes_used / sizeof(sqfs_u32));
    f->blocks.assign(in.extra, in.extra + count);
    std::uint64_t pos = start;
    for (std::size_t i = 0; i < f->blocks.size(); ++i) {
      if (i % kLayoutIndexStride == 0) f->offsets.push_back(pos);
      pos += SQFS_ON_DISK_BLOCK_SIZE(f->blocks[i]);
    }
    layout_blocks_ += f->blocks.size();
    if (layouts_.size() >= kMaxCachedLayouts || layout_blocks_ > kMaxCachedLayoutBlocks) {
      layouts_.clear();
      layout_blocks_ = f->blocks.size();
    }
    std::shared_ptr<const FileLayout> shared = std::move(f);
    layouts_.emplace(*ref, shared);
    return shared;
  }

  /// Data block `index` of a file, decompressed.
  Result<BlockCache::Block> data_block(const FileLayout& f, std::uint64_t index, const std::string& path) const {
    const std::uint64_t block_size = super_.block_size;
    const std::uint32_t word = f.blocks[index];
    const std::uint64_t expected = std::min<std::uint64_t>(block_size, f.size - index * block_size);
    if (SQFS_IS_SPARSE_BLOCK(word)) {
      // A hole: zeros, never stored.
      std::call_once(zeros_once_,
                     [this] { zeros_ = std::make_shared<const std::vector<std::byte>>(super_.block_size); });
      return zeros_;
    }
    return stored_block(block_location(f, index), word, expected, path);
  }

  /// Fills `out` with the bytes of data block `index` from `from` on by decoding only the start of
  /// the block, unless the block is already decoded (then copied); false when that cannot be
  /// done (the caller takes the whole-block path, which reports damage).
  bool prefix(const FileLayout& f, std::uint64_t index, std::uint64_t from, std::span<std::byte> out) const {
    const std::uint32_t word = f.blocks[index];
    const std::uint32_t stored = SQFS_ON_DISK_BLOCK_SIZE(word);
    if (SQFS_IS_SPARSE_BLOCK(word) || !SQFS_IS_BLOCK_COMPRESSED(word) || stored > super_.block_size) return false;
    const std::uint64_t location = block_location(f, index);
    if (!core::in_bounds(location, stored, limit_) || location >= (1ull << 39)) return false;
    if (auto cached = blocks_.find(block_key(location, word))) {
      if (cached->size() < from + out.size()) return false;
      if (!out.empty()) std::memcpy(out.data(), cached->data() + from, out.size());
      return true;
    }
    std::vector<std::byte> raw(stored);
    if (!read_exact(*src_, location, raw)) return false;
    std::array<std::byte, kPrefixDecodeBytes> head{};
    const std::size_t need = static_cast<std::size_t>(from + out.size());
    auto n = decode_prefix(super_.compression_id, raw, std::span(head).first(need));
    if (!n || *n < need) return false;
    if (!out.empty()) std::memcpy(out.data(), head.data() + from, out.size());
    return true;
  }

  std::uint64_t block_location(const FileLayout& f, std::uint64_t index) const {
    std::uint64_t location = f.offsets[index / kLayoutIndexStride];
    for (std::uint64_t i = index - index % kLayoutIndexStride; i < index; ++i)
      location += SQFS_ON_DISK_BLOCK_SIZE(f.blocks[i]);
    return location;
  }

  /// The cache key of a stored block: its location and its size word, so that two inodes
  /// claiming different sizes for one location (a crafted image) never see each other's bytes.
  static std::uint64_t block_key(std::uint64_t location, std::uint32_t word) {
    return (location << 25) | (word & 0x1FFFFFFu);
  }

  /// The fragment block holding a file's tail, decompressed.
  Result<BlockCache::Block> fragment_block(const FileLayout& f, const std::string& path) const {
    if (f.fragment == kNoFragment || !fragments_) {
      return sqfs_error(SQFS_ERROR_CORRUPTED, "file data unreadable", path);
    }
    sqfs_fragment_t frag{};
    if (int r = sqfs_frag_table_lookup(fragments_.get(), f.fragment, &frag); r != 0) {
      return sqfs_error(r, "file data unreadable", path);
    }
    const std::uint64_t tail = f.size % super_.block_size;
    return stored_block(frag.start_offset, frag.size, std::uint64_t{f.fragment_offset} + tail, path);
  }

  /// The block stored at `location` with on-disk size word `word`, decompressed once through the
  /// block cache; at least `expected` bytes or an error.
  Result<BlockCache::Block> stored_block(std::uint64_t location, std::uint32_t word, std::uint64_t expected,
                                         const std::string& path) const {
    const std::uint32_t stored = SQFS_ON_DISK_BLOCK_SIZE(word);
    // A stored size of 0 is a hole in a file's block list (handled before) and damage anywhere
    // else: a fragment block cannot be empty.
    if (stored == 0 || stored > super_.block_size || !core::in_bounds(location, stored, limit_)) {
      return sqfs_error(SQFS_ERROR_OUT_OF_BOUNDS, "file data unreadable", path);
    }
    auto load = [&]() -> Result<std::vector<std::byte>> {
      std::vector<std::byte> raw(stored);
      if (auto ok = read_exact(*src_, location, raw); !ok)
        return sqfs_error(SQFS_ERROR_IO, "file data unreadable", path);
      if (!SQFS_IS_BLOCK_COMPRESSED(word)) return raw;
      std::vector<std::byte> out(super_.block_size);
      auto cmp = take_compressor();
      if (!cmp) return with_path(cmp.error(), path);
      sqfs_s32 n = (*cmp)->do_block(cmp->get(), reinterpret_cast<const sqfs_u8*>(raw.data()), stored,
                                    reinterpret_cast<sqfs_u8*>(out.data()), super_.block_size);
      give_compressor(std::move(*cmp));
      if (n <= 0) return sqfs_error(n < 0 ? n : SQFS_ERROR_OVERFLOW, "file data unreadable", path);
      out.resize(static_cast<std::size_t>(n));
      return out;
    };
    Result<BlockCache::Block> block =
        location < (1ull << 39) ? blocks_.get(block_key(location, word), load) : [&]() -> Result<BlockCache::Block> {
      auto bytes = load();
      if (!bytes) return bytes.error();
      return std::make_shared<const std::vector<std::byte>>(std::move(*bytes));
    }();
    if (!block) return block;
    if ((*block)->size() < expected) return sqfs_error(SQFS_ERROR_CORRUPTED, "file data unreadable", path);
    return block;
  }

  /// A decompressor for this thread's use: libsquashfs's compressors keep stream state, so each
  /// concurrent reader takes its own from a small pool and gives it back.
  Result<SqfsPtr<sqfs_compressor_t>> take_compressor() const {
    {
      std::lock_guard lock(compressors_mu_);
      if (!compressors_.empty()) {
        auto c = std::move(compressors_.back());
        compressors_.pop_back();
        return c;
      }
    }
    sqfs_compressor_config_t cfg = compressor_config_;
    sqfs_compressor_t* cmp = nullptr;
    if (int r = sqfs_compressor_create(&cfg, &cmp); r != 0) return sqfs_error(r, "squashfs compressor unavailable", "");
    return SqfsPtr<sqfs_compressor_t>(cmp);
  }

  void give_compressor(SqfsPtr<sqfs_compressor_t> cmp) const {
    std::lock_guard lock(compressors_mu_);
    compressors_.push_back(std::move(cmp));
  }

  /// Reads the inode at `ref` after checking that what it claims to hold is within limits.
  Result<InodePtr> read_inode(std::uint64_t ref) const {
    const std::uint64_t block = ref >> 16;
    const std::size_t offset = ref & 0xFFFF;
    if (offset >= kMetaBlockSize) return make_error(ErrorCode::kCorrupt, "inode reference out of range");
    if (auto checked = check_inode_claims(block, offset); !checked) return checked.error();
    sqfs_inode_generic_t* raw = nullptr;
    if (int r = sqfs_meta_reader_read_inode(inode_reader_.get(), &super_, block, offset, &raw); r != 0) {
      return sqfs_error(r, "inode unreadable", "");
    }
    return InodePtr(raw);
  }

  /// Peeks at the variable-size part of a file or symlink inode: libsquashfs allocates the
  /// claimed block list or target before reading it.
  OkResult check_inode_claims(std::uint64_t block, std::size_t offset) const {
    std::array<std::byte, 16 + 40> raw{};
    sqfs_meta_reader_t* m = inode_reader_.get();
    auto seek_ok = sqfs_meta_reader_seek(m, super_.inode_table_start + block, offset) == 0;
    if (!seek_ok || sqfs_meta_reader_read(m, raw.data(), 16) != 0) {
      return make_error(ErrorCode::kCorrupt, "inode unreadable");
    }
    core::ByteReader r(raw);
    std::uint16_t type = r.u16().value_or(0);
    std::size_t body = 0;
    switch (type) {
      case SQFS_INODE_FILE:
        body = 16;
        break;
      case SQFS_INODE_EXT_FILE:
        body = 40;
        break;
      case SQFS_INODE_SLINK:
      case SQFS_INODE_EXT_SLINK:
        body = 8;
        break;
      default:
        return Ok{};
    }
    if (sqfs_meta_reader_read(m, raw.data() + 16, body) != 0)
      return make_error(ErrorCode::kCorrupt, "inode unreadable");
    r.seek(16);
    if (type == SQFS_INODE_SLINK || type == SQFS_INODE_EXT_SLINK) {
      r.skip(4);
      if (r.u32().value_or(~0u) > limits::kMaxSymlinkTarget) {
        return make_error(ErrorCode::kLimitExceeded, "symlink target longer than the limit");
      }
      return Ok{};
    }
    std::uint64_t size = 0;
    if (type == SQFS_INODE_FILE) {
      r.skip(12);
      size = r.u32().value_or(0);
    } else {
      r.skip(8);
      size = r.u64().value_or(0);
    }
    if (size / super_.block_size + 1 > limits::kMaxImageFileBlocks) {
      return make_error(ErrorCode::kLimitExceeded, fmt::format("file claims {} bytes", size));
    }
    return Ok{};
  }

  Result<Stat> to_stat(const sqfs_inode_generic_t& in, const std::string& path) const {
    Stat st;
    st.type = type_of(in.base.type);
    st.mode = in.base.mode & 07777;
    st.mtime = in.base.mod_time;
    st.inode = in.base.inode_number;
    if (sqfs_id_table_index_to_id(ids_.get(), in.base.uid_idx, &st.uid) != 0 ||
        sqfs_id_table_index_to_id(ids_.get(), in.base.gid_idx, &st.gid) != 0) {
      return make_error(ErrorCode::kCorrupt, "owner id index outside the id table", path);
    }
    auto set_device = [&st](std::uint32_t devno) {
      // Linux's new_encode_dev layout: minor bits 0-7 and 20-31, major bits 8-19.
      st.rdev_major = (devno >> 8) & 0xFFF;
      st.rdev_minor = (devno & 0xFF) | ((devno >> 12) & 0xFFF00);
    };
    switch (in.base.type) {
      case SQFS_INODE_DIR:
        st.nlink = in.data.dir.nlink;
        st.size = in.data.dir.size;
        break;
      case SQFS_INODE_EXT_DIR:
        st.nlink = in.data.dir_ext.nlink;
        st.size = in.data.dir_ext.size;
        break;
      case SQFS_INODE_FILE:
        st.nlink = 1;
        st.size = in.data.file.file_size;
        break;
      case SQFS_INODE_EXT_FILE:
        st.nlink = in.data.file_ext.nlink;
        st.size = in.data.file_ext.file_size;
        break;
      case SQFS_INODE_SLINK:
      case SQFS_INODE_EXT_SLINK:
        st.nlink = in.data.slink.nlink;
        st.size = in.data.slink.target_size;
        break;
      case SQFS_INODE_BDEV:
      case SQFS_INODE_CDEV:
        st.nlink = in.data.dev.nlink;
        set_device(in.data.dev.devno);
        break;
      case SQFS_INODE_EXT_BDEV:
      case SQFS_INODE_EXT_CDEV:
        st.nlink = in.data.dev_ext.nlink;
        set_device(in.data.dev_ext.devno);
        break;
      case SQFS_INODE_FIFO:
      case SQFS_INODE_SOCKET:
        st.nlink = in.data.ipc.nlink;
        break;
      case SQFS_INODE_EXT_FIFO:
      case SQFS_INODE_EXT_SOCKET:
        st.nlink = in.data.ipc_ext.nlink;
        break;
      default:
        break;
    }
    return st;
  }

  /// The inode reference of a canonical path, walking cached listings from the root.
  Result<std::uint64_t> lookup(const std::string& canonical) const {
    return walk_listings(
        canonical, std::uint64_t{super_.root_inode_ref},
        [this](std::uint64_t dir, const std::string& path) { return listing(dir, path); },
        [](const Child& c, const std::string& path, bool last) -> Result<std::uint64_t> {
          if (!last && c.type != FileType::kDirectory) {
            return make_error(ErrorCode::kNotADirectory, "not a directory", path);
          }
          return c.ref;
        });
  }

  /// The entries of the directory inode at `ref`, read once and cached.
  Result<std::span<const Child>> listing(std::uint64_t ref, const std::string& path) const {
    if (const Listing* cached = listings_.find(ref)) return std::span<const Child>(*cached);
    auto inode = read_inode(ref);
    if (!inode) return with_path(inode.error(), path);
    if (type_of((*inode)->base.type) != FileType::kDirectory) {
      return make_error(ErrorCode::kNotADirectory, "not a directory", path);
    }
    sqfs_readdir_state_t state{};
    if (int r = sqfs_readdir_state_init(&state, &super_, inode->get()); r != 0) {
      return sqfs_error(r, "directory unreadable", path);
    }
    Listing list;
    for (;;) {
      sqfs_dir_entry_t* ent = nullptr;
      sqfs_u64 child_ref = 0;
      int r = sqfs_meta_reader_readdir(dir_reader_.get(), &state, &ent, nullptr, &child_ref);
      if (r > 0) break;
      if (r < 0) return sqfs_error(r, "directory listing damaged", path);
      std::unique_ptr<sqfs_dir_entry_t, SqfsFree> owner(ent);
      if (list.size() >= limits::kMaxDirectoryEntries) {
        return make_error(ErrorCode::kLimitExceeded, "directory has too many entries", path);
      }
      // The on-disk size field is the name length minus one.
      list.push_back({std::string(reinterpret_cast<const char*>(ent->name), std::size_t{ent->size} + 1),
                      type_of(ent->type), child_ref});
    }
    sort_by_name(list);
    return listings_.add(ref, std::move(list));
  }

  ByteSourcePtr src_;
  SourceFile file_;
  sqfs_super_t super_{};
  std::uint64_t limit_ = 0;
  SqfsPtr<sqfs_compressor_t> cmp_;
  SqfsPtr<sqfs_id_table_t> ids_;
  SqfsPtr<sqfs_meta_reader_t> inode_reader_;
  SqfsPtr<sqfs_meta_reader_t> dir_reader_;
  SqfsPtr<sqfs_frag_table_t> fragments_;
  SqfsPtr<sqfs_xattr_reader_t> xattrs_;

  mutable std::mutex mu_;
  mutable ListingCache<std::uint64_t, Child> listings_;
  mutable std::unordered_map<std::uint64_t, std::shared_ptr<const FileLayout>> layouts_;
  mutable std::size_t layout_blocks_ = 0;

  sqfs_compressor_config_t compressor_config_{};
  mutable std::mutex compressors_mu_;
  mutable std::vector<SqfsPtr<sqfs_compressor_t>> compressors_;
  mutable BlockCache blocks_;
  mutable std::once_flag zeros_once_;
  mutable std::shared_ptr<const std::vector<std::byte>> zeros_;
};

}  // namespace

Result<std::shared_ptr<Vfs>> open_squashfs(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics, bool& partial) {
  auto vfs = std::make_shared<SquashfsVfs>(std::move(src));
  if (auto ok = vfs->open(diagnostics, partial); !ok) return ok.error();
  return std::shared_ptr<Vfs>(std::move(vfs));
}

}  // namespace fwcert::vfs
