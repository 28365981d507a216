// Feeds arbitrary bytes to the UBIFS backend as a bare image: superblock, master nodes and the
// index walk, then every file is listed, stat'ed and read (decompressing data nodes) through the
// confined Vfs (image_fuzz.hpp). Seeds are mkfs.ubifs images wrapped by img2simg so that their
// erased (0xFF) LEB tails stay small in git; an input that is an Android sparse image is expanded
// first, any other input is the UBIFS image itself.

#include <array>
#include <span>

#include "image_fuzz.hpp"
#include "vfs/containers.hpp"

namespace {

fwcert::Result<std::shared_ptr<fwcert::vfs::Vfs>> open_ubifs_input(fwcert::vfs::ByteSourcePtr src,
                                                                   std::vector<fwcert::Diagnostic>& diagnostics,
                                                                   bool& partial) {
  std::array<std::byte, 28> head{};
  auto n = src->read_at(0, head);
  if (n && fwcert::vfs::is_android_sparse(std::span<const std::byte>(head.data(), *n))) {
    auto expanded = fwcert::vfs::android_sparse_source(src, diagnostics, partial);
    if (!expanded) return expanded.error();
    src = *expanded;
  }
  return fwcert::vfs::open_ubifs(src, diagnostics, partial);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fwcert::fuzz::open_walk_and_read(data, size, &open_ubifs_input);
}
