// Feeds arbitrary bytes, as an Android super image, to the LpMetadata reader: geometry and
// metadata copies are parsed and checked, the logical partitions listed and read across their
// extents, and each partition that holds an image opened and walked (image_fuzz.hpp).

#include "image_fuzz.hpp"
#include "vfs/containers.hpp"

namespace {

fwcert::Result<std::shared_ptr<fwcert::vfs::Vfs>> open_super(fwcert::vfs::ByteSourcePtr src,
                                                             std::vector<fwcert::Diagnostic>& diagnostics,
                                                             bool& partial) {
  auto fs = fwcert::vfs::open_android_super(src, diagnostics, partial);
  if (!fs) return fs.error();
  // Each partition: read across extent borders, then detect and walk what it holds.
  auto listing = (*fs)->readdir("/");
  if (!listing) return fs;
  std::vector<std::byte> buf(4099);
  for (const auto& entry : *listing) {
    const std::string path = "/" + entry.name;
    auto st = (*fs)->stat(path);
    if (!st || !st->is_regular()) continue;
    for (std::uint64_t at = 0; at < st->size && at < (16u << 20); at += 8191) (void)(*fs)->read(path, at, buf);
    auto part = fwcert::vfs::vfs_file_source(*fs, path, st->size, path);
    std::vector<fwcert::Diagnostic> inner_diags;
    bool inner_partial = false;
    auto inner = fwcert::vfs::open_detected(part, path, inner_diags, inner_partial);
    if (!inner) continue;
    fwcert::inventory::Inventory inv;
    auto idx = inv.add_filesystem({"", inner->vfs->format(), 0, "", 0, inner->vfs});
    inv.walk(idx, inner_diags);
  }
  return fs;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fwcert::fuzz::open_walk_and_read(data, size, &open_super);
}
