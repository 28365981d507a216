// Feeds arbitrary bytes to the archive backend (every libarchive format and filter fwcert
// enables) from memory, then walks whatever opened with the inventory and reads every link
// through the confined Vfs. Any input must become a tree or an Error: no crash, no read
// outside the buffer, no allocation a header merely claims.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "inventory/inventory.hpp"
#include "vfs/byte_source.hpp"
#include "vfs/open.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace fwcert;
  std::vector<std::byte> bytes(size);
  if (size) std::memcpy(bytes.data(), data, size);
  auto src = vfs::memory_source(std::move(bytes), "fuzz-input");

  std::vector<Diagnostic> diagnostics;
  bool partial = false;
  auto fs = vfs::open_archive(src, diagnostics, partial);
  if (!fs) return 0;

  inventory::Inventory inv;
  auto idx = inv.add_filesystem({"", (*fs)->format(), 0, "", 0, *fs});
  inv.walk(idx, diagnostics);
  inv.finish();

  // Resolve and read through every symlink: hostile targets must stay inside the tree.
  std::vector<std::byte> buf(256);
  for (const auto& e : inv.entries()) {
    if (e.st.is_symlink() || e.st.is_regular()) {
      (void)(*fs)->stat(e.path);
      (void)(*fs)->read(e.path, 0, buf);
    }
  }
  return 0;
}
