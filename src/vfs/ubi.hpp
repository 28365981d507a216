#pragma once
// UBI images (raw NAND/NOR flash content managed by Linux's UBI layer, `ubinize` output): a
// sequence of physical erase blocks (PEBs), each with an erase-counter header and, when it holds
// data, a volume-identifier header naming the volume and logical erase block (LEB) it carries.
// The image is exposed as a tree of its volumes, each a random-access source over its LEBs read
// in place, so nested detection opens the UBIFS, squashfs or kernel inside.
//
// Decided:
// - The PEB size is stored nowhere: it is the smallest power of two at which several further
//   erase-counter headers follow the first (not one value, which a single damaged or foreign
//   header could fake).
// - A PEB whose EC or VID header CRC fails is skipped with a warning (the image is partial);
//   erased PEBs (all 0xFF) are free and skipped silently.
// - Two PEBs claiming one LEB (a wear-levelling copy): the highest sequence number wins unless
//   it is a copy (copy_flag) whose data CRC fails, as the kernel decides.
// - Volumes come from the layout volume's table (names, types, reserved PEBs); when that table
//   is unreadable, every volume id seen in VID headers is still exposed, as "volume-<id>".
// - Static volumes' data CRCs are not verified (that would read every static volume at open);
//   only duplicate LEBs are CRC-checked to pick a winner.

#include <cstdint>
#include <optional>
#include <span>

#include "fwcert/report.hpp"
#include "vfs/byte_source.hpp"
#include "vfs/vfs.hpp"

namespace fwcert::vfs {

/// CRC-32 as UBI and UBIFS store it: reflected 0xEDB88320, seed 0xFFFFFFFF, no final inversion.
std::uint32_t ubi_crc32(std::span<const std::byte> data);

/// True when `head` starts with a UBI erase-counter header ("UBI#", version 1).
bool is_ubi(std::span<const std::byte> head);

/// True when `head` starts with a UBIFS superblock node (magic 0x06101831, node type 6).
bool is_ubifs(std::span<const std::byte> head);

/// Where a run of UBI PEBs starting at `offset` of `src` ends: the PEB size found from the
/// spacing of erase-counter headers and the bytes of consecutive PEBs that carry one. nullopt
/// when `offset` holds no valid EC header or no PEB size can be established.
struct UbiExtent {
  std::uint64_t peb_size = 0;
  std::uint64_t length = 0;
};
std::optional<UbiExtent> ubi_extent(const ByteSource& src, std::uint64_t offset);

/// Opens the UBI image occupying `src` as a PartsVfs of format "ubi", one file per volume.
Result<std::shared_ptr<Vfs>> open_ubi(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics, bool& partial);

}  // namespace fwcert::vfs
