#pragma once
// The shared body of the image-backend fuzzers: open arbitrary bytes with one backend from
// memory, walk whatever opened with the inventory, and stat and read every file and link
// through the confined Vfs (near the start and near the end). Any input must become a tree or
// an Error: no crash, no read outside the buffer, no allocation a header merely claims.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "inventory/inventory.hpp"
#include "vfs/byte_source.hpp"
#include "vfs/open.hpp"

namespace fwcert::fuzz {

using Opener = Result<std::shared_ptr<vfs::Vfs>> (*)(vfs::ByteSourcePtr, std::vector<Diagnostic>&, bool&);

/// Walks `fs` with the inventory and stats and reads every file and link (start and end).
inline void walk_and_read(const std::shared_ptr<vfs::Vfs>& fs, std::vector<Diagnostic>& diagnostics) {
  inventory::Inventory inv;
  auto idx = inv.add_filesystem({"", fs->format(), 0, "", 0, fs});
  inv.walk(idx, diagnostics);
  inv.finish();

  std::vector<std::byte> buf(4096);
  for (const auto& e : inv.entries()) {
    if (e.st.is_symlink() || e.st.is_regular()) {
      (void)fs->stat(e.path);
      (void)fs->read(e.path, 0, buf);
      (void)fs->read(e.path, e.st.size > 10 ? e.st.size - 10 : 0, buf);
    }
  }
}

inline int open_walk_and_read(const std::uint8_t* data, std::size_t size, Opener open) {
  std::vector<std::byte> bytes(size);
  if (size) std::memcpy(bytes.data(), data, size);
  auto src = vfs::memory_source(std::move(bytes), "fuzz-input");

  std::vector<Diagnostic> diagnostics;
  bool partial = false;
  auto fs = open(src, diagnostics, partial);
  if (!fs) return 0;
  walk_and_read(*fs, diagnostics);
  return 0;
}

}  // namespace fwcert::fuzz
