#pragma once
// A read-only tree of parts of one image, each a window of the image's bytes (read in place,
// never copied) or a small generated text: the view fwcert gives of containers that hold
// images rather than files — Android boot images (kernel, ramdisk, DTB, command line), U-Boot
// legacy uImages and FIT images (each image they carry), Android super partitions (each logical
// partition). Nested-image detection then opens each part like any file of a filesystem: the
// ramdisk cpio, the squashfs in a partition, the kernel the kernel analyzer reads.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "vfs/byte_source.hpp"
#include "vfs/vfs.hpp"

namespace fwcert::vfs {

class PartsVfs final : public Vfs {
 public:
  explicit PartsVfs(std::string format) : format_(std::move(format)) {}

  std::string format() const override { return format_; }

  /// Adds a regular file at `path` (normalised; parent directories are created) whose bytes are
  /// `bytes`. Mode 0644, owner root. Fails when the path is already taken.
  OkResult add(std::string_view path, ByteSourcePtr bytes);
  /// Adds a small file whose content is `text`.
  OkResult add_text(std::string_view path, std::string text);
  std::size_t part_count() const { return files_.size(); }

  Result<Stat> lstat_raw(const std::string& canonical) const override;
  Result<std::vector<DirEntry>> readdir_raw(const std::string& canonical) const override;
  Result<std::string> readlink_raw(const std::string& canonical) const override;
  Result<std::size_t> read_raw(const std::string& canonical, std::uint64_t offset,
                               std::span<std::byte> out) const override;
  Result<std::vector<Xattr>> xattrs_raw(const std::string& canonical) const override;

 private:
  std::string format_;
  std::map<std::string, ByteSourcePtr> files_;
  std::map<std::string, std::vector<DirEntry>> dirs_{{"/", {}}};
};

}  // namespace fwcert::vfs
