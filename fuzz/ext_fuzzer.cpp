// Feeds arbitrary bytes to the ext2/3/4 backend (libext2fs through our io_manager) from memory, walks whatever opened with the inventory,
// and reads every file and link. Any input must become a tree or an Error: no crash, no read
// outside the buffer, no allocation a header merely claims, nothing leaked.

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
  auto fs = vfs::open_ext(src, diagnostics, partial);
  if (!fs) return 0;

  inventory::Inventory inv;
  auto idx = inv.add_filesystem({"", (*fs)->format(), 0, "", 0, *fs});
  inv.walk(idx, diagnostics);
  inv.finish();

  std::vector<std::byte> buf(4096);
  for (const auto& e : inv.entries()) {
    if (e.st.is_symlink() || e.st.is_regular()) {
      (void)(*fs)->stat(e.path);
      (void)(*fs)->read(e.path, 0, buf);
      (void)(*fs)->read(e.path, e.st.size > 10 ? e.st.size - 10 : 0, buf);
    }
  }
  return 0;
}
