// Feeds arbitrary bytes to the compressed-image path: codec detection, the payload peek, the
// whole-stream decoders into a spill buffer, and the payload opened again (open_detected), then
// walked and read; see image_fuzz.hpp. Any input must become a tree or an Error.

#include "image_fuzz.hpp"
#include "vfs/decompress.hpp"

namespace {

fwcert::Result<std::shared_ptr<fwcert::vfs::Vfs>> open_any(fwcert::vfs::ByteSourcePtr src,
                                                           std::vector<fwcert::Diagnostic>& diagnostics,
                                                           bool& partial) {
  if (auto codec = fwcert::vfs::detect_codec(src->contiguous())) {
    (void)fwcert::vfs::decompress_head(*src, *codec, 4096);
  }
  auto opened = fwcert::vfs::open_detected(src, "", diagnostics, partial);
  if (!opened) return opened.error();
  return opened->vfs;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fwcert::fuzz::open_walk_and_read(data, size, &open_any);
}
