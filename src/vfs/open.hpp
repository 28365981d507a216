#pragma once
// Opening targets: detect what a host path or a byte source holds and hand back the Vfs of
// every filesystem found in it.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "fwcert/report.hpp"
#include "vfs/byte_source.hpp"
#include "vfs/vfs.hpp"

namespace fwcert::vfs {

/// Image formats fwcert opens directly.
enum class ImageFormat : std::uint8_t {
  kSquashfs,
  kExt,          ///< ext2/3/4 (the backend reports which)
  kArchive,      ///< anything libarchive reads: tar (plain/gz/xz/zst/bz2/lz4), cpio (newc/odc, gz), zip
  kContainer,    ///< a container of images (containers.hpp): uImage, FIT, Android boot images
  kUbi,          ///< a UBI image (raw flash): a tree of its volumes (vfs/ubi.hpp)
  kUbifs,        ///< a bare UBIFS image (mkfs.ubifs output) or a UBI volume holding one
  kErofs,        ///< EROFS (Android system/vendor partitions, embedded root filesystems)
  kJffs2,        ///< JFFS2 (either byte order)
  kCramfs,       ///< cramfs (either byte order)
  kFat,          ///< FAT12/16/32 (vfat boot partitions), fat_vfs.cpp
  kUnsupported,  ///< a format recognised but not read (squashfs 3.x, vendor squashfs): Detected::unsupported says
                 ///< which
};

/// What a magic probe found: a format at an offset.
struct Detected {
  ImageFormat format;
  std::uint64_t offset = 0;
  std::string name;          ///< "squashfs", "ext4", "tar.gz", "cpio", "zip", ...
  std::uint64_t length = 0;  ///< bytes the format claims from `offset` (carve only; 0 = unknown)
  std::string unsupported;   ///< kUnsupported: what was found and that it is not read, for the diagnostic
};

/// Probes the start of `src` for a format fwcert opens (offset 0 only).
std::optional<Detected> detect_at_start(const ByteSource& src);

/// Scans `src` for filesystem and container magics at any offset (squashfs, ext2/3/4, cpio,
/// U-Boot uImage with a good header CRC, FIT, Android boot images) and returns the candidates
/// in offset order, validated enough to be worth opening; also EROFS, JFFS2, cramfs, UBI (a run of erase-counter
/// headers) and the other filesystems of open_image.
std::vector<Detected> carve(const ByteSource& src);

/// An image opened from a source: its Vfs and the chain of formats that led to it
/// ("squashfs", "tar.gz", "gzip > ext4", "xz > gzip > cpio").
struct Opened {
  std::shared_ptr<Vfs> vfs;
  std::string chain;
};

/// Detects what `src` holds from offset 0 and opens it. A compressed stream is decompressed
/// (decompress.hpp) and its payload detected again, up to limits::kMaxCompressionLayers; a tar,
/// cpio or zip inside one is left to libarchive, which streams it. Fails with kUnsupported when
/// the bytes are no format fwcert reads (the message names what was found), kCorrupt when a
/// recognised stream cannot be decoded. Diagnostics carry `where` as their path.
Result<Opened> open_detected(ByteSourcePtr src, const std::string& where, std::vector<Diagnostic>& diagnostics,
                             bool& partial);

/// The format a plain (uncompressed) head of bytes starts with: squashfs, erofs, ext, UBI, UBIFS,
/// JFFS2, cramfs, FAT, tar, cpio, zip, ISO 9660 (its volume descriptor at 0x8001 needs
/// limits::kFormatSniffBytes of head), or a recognised format fwcert does not read (kUnsupported).
std::optional<Detected> detect_plain(std::span<const std::byte> head);

/// True when open_detected() recognises what a source starting with `head` (its first
/// limits::kFormatSniffBytes) holds: a filesystem, archive, compressed stream or container.
bool is_recognised(std::span<const std::byte> head);

/// Why a squashfs superblock at the start of `head` is not read ("squashfs 3.1 big-endian
/// (sqsh): ..."), or "" when it is a readable 4.x little-endian superblock or no squashfs.
std::string unreadable_squashfs(std::span<const std::byte> head);

/// Opens the image of the given format that occupies `src` from offset 0.
/// Diagnostics about damaged members go to `diagnostics`; `partial` is set when part of
/// the image could not be read.
Result<std::shared_ptr<Vfs>> open_image(ByteSourcePtr src, ImageFormat format, std::vector<Diagnostic>& diagnostics,
                                        bool& partial);

/// A read-only byte source over a regular file inside a Vfs (for nested images).
ByteSourcePtr vfs_file_source(std::shared_ptr<const Vfs> vfs, std::string canonical, std::uint64_t size,
                              std::string display);

// Backends (each in its own .cpp).
Result<std::shared_ptr<Vfs>> open_archive(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics, bool& partial);
Result<std::shared_ptr<Vfs>> open_squashfs(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics, bool& partial);
Result<std::shared_ptr<Vfs>> open_ext(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics, bool& partial);
/// UBIFS from its LEBs (LEB size from the superblock): a bare image or a UBI volume's source.
Result<std::shared_ptr<Vfs>> open_ubifs(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics, bool& partial);
Result<std::shared_ptr<Vfs>> open_erofs(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics, bool& partial);
Result<std::shared_ptr<Vfs>> open_jffs2(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics, bool& partial);
Result<std::shared_ptr<Vfs>> open_cramfs(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics, bool& partial);

/// True when `head` starts with a JFFS2 node header (magic 0x1985 in either byte order) whose
/// header CRC holds.
bool is_jffs2_node(std::span<const std::byte> head);
/// Bytes of the JFFS2 that starts at `offset` of `src`: up to the end of the last valid node
/// header before something that is neither a node nor erased flash (0 when none starts there).
std::uint64_t jffs2_extent(const ByteSource& src, std::uint64_t offset);
/// The length a cramfs superblock at the start of `head` (or 512 bytes in, after a boot
/// block) claims for its image, in either byte order; nullopt when `head` holds no cramfs.
std::optional<std::uint64_t> cramfs_claimed_size(std::span<const std::byte> head);
Result<std::shared_ptr<Vfs>> open_fat(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics, bool& partial);

}  // namespace fwcert::vfs
