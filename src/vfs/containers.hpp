#pragma once
// Image wrappers and containers that hold images rather than files, each read in place:
//  - Android sparse images (img2simg): a random-access ByteSource over the chunk index, so the
//    ext4 or erofs inside is read without expanding it;
//  - Android boot, vendor_boot and init_boot images (header v0-v4), U-Boot legacy uImages
//    (single and multi-file) and FIT images: a PartsVfs whose files are the kernel, ramdisk,
//    DTB, command line and every image the container carries, so nested detection opens a
//    ramdisk cpio and the kernel analyzer reads the kernel.
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

/// "android-boot", "android-vendor-boot", "uimage" or "fit" when `head` starts one; nullopt otherwise.
std::optional<std::string> container_name(std::span<const std::byte> head);

/// Opens the container at the start of `src` as a tree of its parts.
Result<std::shared_ptr<Vfs>> open_container(ByteSourcePtr src, std::vector<Diagnostic>& diagnostics, bool& partial);

}  // namespace fwcert::vfs
