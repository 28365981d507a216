// Feeds arbitrary bytes to the Android sparse reader: the chunk index is built, the expanded
// image is opened again by detection and walked (image_fuzz.hpp); reads cross chunk borders.

#include "image_fuzz.hpp"
#include "vfs/containers.hpp"

namespace {

fwcert::Result<std::shared_ptr<fwcert::vfs::Vfs>> open_sparse(fwcert::vfs::ByteSourcePtr src,
                                                              std::vector<fwcert::Diagnostic>& diagnostics,
                                                              bool& partial) {
  auto expanded = fwcert::vfs::android_sparse_source(src, diagnostics, partial);
  if (!expanded) return expanded.error();
  // Read across the whole expanded range in odd-sized steps (chunk borders, fills, holes).
  std::vector<std::byte> buf(5003);
  const std::uint64_t size = (*expanded)->size();
  for (std::uint64_t at = 0; at < size && at < (64u << 20); at += 65537) (void)(*expanded)->read_at(at, buf);
  auto opened = fwcert::vfs::open_detected(*expanded, "", diagnostics, partial);
  if (!opened) return opened.error();
  return opened->vfs;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fwcert::fuzz::open_walk_and_read(data, size, &open_sparse);
}
