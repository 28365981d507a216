#pragma once
// The JFFS2 node format (linux include/uapi/linux/jffs2.h): node types and sizes, byte order,
// the header check, reading flash front to back, skipping erased flash and decompressing a
// data node. jffs2_vfs.cpp builds the filesystem from the nodes. Internal to src/vfs.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "vfs/byte_source.hpp"

namespace fwcert::vfs::jffs2 {

constexpr std::uint16_t kMagic = 0x1985;
constexpr std::uint16_t kAccurate = 0x2000;  // cleared on flash when a node is obsoleted
constexpr std::uint16_t kCompatMask = 0xC000;
constexpr std::uint16_t kIncompat = 0xC000;
constexpr std::uint16_t kRoCompat = 0x8000;
constexpr std::uint16_t kTypeDirent = 0xE001;
constexpr std::uint16_t kTypeInode = 0xE002;
constexpr std::uint16_t kTypeCleanmarker = 0x2003;
constexpr std::uint16_t kTypePadding = 0x2004;
constexpr std::uint16_t kTypeSummary = 0x2006;
constexpr std::uint16_t kTypeXattr = 0xE008;
constexpr std::uint16_t kTypeXref = 0xE009;

constexpr std::size_t kHeaderBytes = 12;
constexpr std::size_t kInodeBytes = 68;
constexpr std::size_t kDirentBytes = 40;
constexpr std::size_t kXattrBytes = 32;
constexpr std::size_t kXrefBytes = 28;

constexpr std::uint32_t kRootIno = 1;
constexpr std::uint32_t kXattrDeleted = 0xFFFFFFFFu;  // an xattr node of this version deletes

// JFFS2_COMPR_* in the order of their numbers, 0 to 8.
enum Compr : std::uint8_t { kNone, kZero, kRtime, kRubinMips, kCopy, kDynRubin, kZlib, kLzo, kLzma };
static_assert(kLzma == 8);

/// The name of a compression number, for messages ("unknown" when there is none).
const char* compr_name(std::uint8_t c);

/// True for the compressions a data node is read in: none, zero, and what decompress() reads.
bool is_supported_compr(std::uint8_t c);

/// JFFS2's CRC: the kernel's crc32_le seeded with 0 and not inverted, which is zlib's CRC-32
/// with the pre- and post-inversion undone.
std::uint32_t jffs2_crc(std::span<const std::byte> b);

/// Fixed-endian integer reads from a span the caller has sized.
struct Decoder {
  bool big = false;
  std::uint16_t u16(std::span<const std::byte> b, std::size_t at) const {
    auto x = static_cast<std::uint16_t>(b[at]), y = static_cast<std::uint16_t>(b[at + 1]);
    return big ? static_cast<std::uint16_t>((x << 8) | y) : static_cast<std::uint16_t>((y << 8) | x);
  }
  std::uint32_t u32(std::span<const std::byte> b, std::size_t at) const {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      std::size_t shift = big ? 3 - i : i;
      v |= static_cast<std::uint32_t>(b[at + i]) << (8 * shift);
    }
    return v;
  }
};

/// True when `b` starts with a JFFS2 node header of byte order `d` whose header CRC holds. The
/// CRC was computed with the node's "accurate" bit set: the kernel clears that bit in place on
/// NOR flash to obsolete a node, so an obsolete node still has a valid header.
bool valid_header(std::span<const std::byte> b, const Decoder& d);

/// Sequential views of a ByteSource: the mapping when it has one, otherwise a buffer refilled
/// in large reads (the scan reads the image once, front to back).
class Cursor {
 public:
  explicit Cursor(const ByteSource& src) : src_(src), whole_(src.contiguous()) {}

  /// Up to `len` bytes at `offset` (fewer only at the end), valid until the next call.
  std::span<const std::byte> view(std::uint64_t offset, std::size_t len);

 private:
  static constexpr std::size_t kRefill = 4u << 20;
  const ByteSource& src_;
  std::span<const std::byte> whole_;
  std::vector<std::byte> buf_;
  std::uint64_t start_ = 0;
  std::size_t filled_ = 0;
};

/// The offset of the first 4-byte word at or after `off` that is not 0xFFFFFFFF (erased flash).
std::uint64_t skip_erased(Cursor& cur, std::uint64_t off);

/// Decompresses a data node of compression `compr` (rtime, zlib or lzo) into exactly
/// out.size() bytes; false when it does not decompress to that.
bool decompress(std::uint8_t compr, std::span<const std::byte> in, std::span<std::byte> out);

/// The xattr name prefix of a JFFS2 xattr prefix number ("" when it is unknown).
std::string xattr_prefix(std::uint8_t p);

}  // namespace fwcert::vfs::jffs2
