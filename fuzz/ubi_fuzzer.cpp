// Feeds arbitrary bytes to the UBI reader: PEB size from the EC header spacing, every EC and VID
// header, the volume table and the LEB mapping; then every volume is read across its LEBs and
// opened as whatever it holds (UBIFS, squashfs) and walked (image_fuzz.hpp). Seeds are ubinize
// images, wrapped by img2simg where their erased flash would make them large; an input that is an
// Android sparse image is expanded first.

#include <array>
#include <span>

#include "image_fuzz.hpp"
#include "vfs/containers.hpp"
#include "vfs/ubi.hpp"

namespace {

fwcert::Result<std::shared_ptr<fwcert::vfs::Vfs>> open_ubi_input(fwcert::vfs::ByteSourcePtr src,
                                                                 std::vector<fwcert::Diagnostic>& diagnostics,
                                                                 bool& partial) {
  namespace vfs = fwcert::vfs;
  std::array<std::byte, 28> head{};
  auto n = src->read_at(0, head);
  if (n && vfs::is_android_sparse(std::span<const std::byte>(head.data(), *n))) {
    auto expanded = vfs::android_sparse_source(src, diagnostics, partial);
    if (!expanded) return expanded.error();
    src = *expanded;
  }
  auto ubi = vfs::open_ubi(src, diagnostics, partial);
  if (!ubi) return ubi.error();
  // Each volume: read across it in odd steps (LEB borders, unmapped LEBs), then open what it holds.
  std::shared_ptr<const vfs::Vfs> parts = *ubi;
  auto list = parts->readdir("/");
  if (!list) return ubi;
  std::vector<std::byte> buf(5003);
  for (const auto& e : *list) {
    auto st = parts->stat("/" + e.name);
    if (!st || !st->is_regular()) continue;
    for (std::uint64_t at = 0; at < st->size && at < (8u << 20); at += 40009) (void)parts->read("/" + e.name, at, buf);
    auto volume = vfs::vfs_file_source(parts, "/" + e.name, st->size, e.name);
    std::array<std::byte, 2048> vhead{};
    auto got = volume->read_at(0, vhead);
    if (!got) continue;
    // Only the filesystems a volume holds; compressed payloads are the decompress fuzzer's.
    auto d = vfs::detect_plain(std::span<const std::byte>(vhead.data(), *got));
    if (!d || (d->format != vfs::ImageFormat::kUbifs && d->format != vfs::ImageFormat::kSquashfs)) continue;
    auto inner = vfs::open_image(volume, d->format, diagnostics, partial);
    if (inner) fwcert::fuzz::walk_and_read(*inner, diagnostics);
  }
  return ubi;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return fwcert::fuzz::open_walk_and_read(data, size, &open_ubi_input);
}
