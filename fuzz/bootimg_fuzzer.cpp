// Feeds arbitrary bytes, as an Android boot or vendor_boot image, to the container backend: the
// header is parsed for every version, the parts are listed and read (image_fuzz.hpp).

#include "image_fuzz.hpp"
#include "vfs/containers.hpp"

namespace {

fwcert::Result<std::shared_ptr<fwcert::vfs::Vfs>> open_boot(fwcert::vfs::ByteSourcePtr src,
                                                            std::vector<fwcert::Diagnostic>& diagnostics,
                                                            bool& partial) {
  // The magic is the fuzzer's to choose too: the first byte picks boot or vendor_boot.
  auto bytes = src->contiguous();
  std::vector<std::byte> copy(bytes.begin(), bytes.end());
  if (copy.size() < 8) copy.resize(8);
  const char* magic = (static_cast<unsigned>(copy[0]) & 1) ? "VNDRBOOT" : "ANDROID!";
  for (int i = 0; i < 8; ++i) copy[i] = static_cast<std::byte>(magic[i]);
  return fwcert::vfs::open_container(fwcert::vfs::memory_source(std::move(copy), "fuzz-input"), diagnostics, partial);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fwcert::fuzz::open_walk_and_read(data, size, &open_boot);
}
