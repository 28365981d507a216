#pragma once
// Image wrappers and containers that hold images rather than files, each read in place:
//  - Android sparse images (img2simg): a random-access ByteSource over the chunk index, so the
//    ext4 or erofs inside is read without expanding it;
//  - Android boot, vendor_boot and init_boot images (header v0-v4), U-Boot legacy uImages
//    (single and multi-file) and FIT images: a PartsVfs whose files are the kernel, ramdisk,
//    DTB, command line and every image the container carries, so nested detection opens a
//    ramdisk cpio and the kernel analyzer reads the kernel;
//  - Android vbmeta images that are the whole target: a PartsVfs holding /vbmeta.img itself, so
//    the boot analyzers' Verified Boot checks read it as they read one inside a filesystem;
//  - Android super partitions (LpMetadata, android_super.cpp): a PartsVfs of the logical
//    partitions, each read in place through its extents.
// Every size and offset is checked against the container's bytes; a part that runs past the end
// is cut there with a warning, and the container is partial.

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "fwcert/report.hpp"
#include "vfs/byte_source.hpp"
#include "vfs/vfs.hpp"

namespace fwcert::vfs {

/// True when `head` starts with an Android sparse image header.
bool is_android_sparse(std::span<const std::byte> head);

/// The expanded image of an Android sparse image, read through its chunk index.
Result<ByteSourcePtr> android_sparse_source(const ByteSourcePtr& src, std::vector<Diagnostic>& diagnostics,
                                            bool& partial);

/// "android-boot", "android-vendor-boot", "uimage", "fit" or "vbmeta" when `head` starts one;
/// nullopt otherwise.
std::optional<std::string> container_name(std::span<const std::byte> head);

/// Opens the container at the start of `src` as a tree of its parts.
Result<std::shared_ptr<Vfs>> open_container(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics, bool& partial);

/// True when `src` holds an LpMetadata geometry magic at 4096 or at its backup 8192.
bool is_android_super(const ByteSource& src);
/// The same test on a head of at least 8196 bytes (a shorter head holds no super).
bool is_android_super(std::span<const std::byte> head);

/// Opens an Android super image as a tree of its logical partitions ("/system_a", ...) and a
/// text summary of the partition table ("/lp-partitions.txt"). Checksum mismatches are
/// warnings (partial) and the backup copies are tried.
Result<std::shared_ptr<Vfs>> open_android_super(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics, bool& partial);

}  // namespace fwcert::vfs
