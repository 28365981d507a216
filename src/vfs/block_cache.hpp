#pragma once
// Decompressed blocks of one image, shared by every reader of it, so that each block is
// decompressed once however many files share it (squashfs fragment blocks hold many small
// files) and however often it is read (the walk's head read, the content pass, the ELF parser).
//
// Decided:
// - Memory is bounded: the most recently used blocks, up to a byte budget, stay in memory; a
//   block decompressed once is also written to an unnamed temporary file (decompress.hpp's
//   spill file), up to a second budget, and read back from there when memory has dropped it.
//   Past both budgets a block is simply decompressed again. A failed spill write costs speed,
//   never a result.
// - Callers that want the same block at once wait for one decompression instead of racing.
// - A load that fails is not cached: each caller gets its own error.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "fwcert/result.hpp"

namespace fwcert::vfs {

class BlockCache {
 public:
  using Block = std::shared_ptr<const std::vector<std::byte>>;
  using Loader = std::function<Result<std::vector<std::byte>>()>;

  /// Keeps up to `memory_bytes` of blocks in memory and `spill_bytes` in the temporary file.
  BlockCache(std::size_t memory_bytes, std::uint64_t spill_bytes);
  ~BlockCache();
  BlockCache(const BlockCache&) = delete;
  BlockCache& operator=(const BlockCache&) = delete;

  /// The block stored under `key`; `load` makes it when neither memory nor the spill file holds
  /// it. Safe to call from any thread; `load` runs without the cache's lock held.
  Result<Block> get(std::uint64_t key, const Loader& load);

  /// The block stored under `key` if memory holds it now; never loads.
  Block find(std::uint64_t key);

 private:
  struct Cached {
    Block block;
    std::list<std::uint64_t>::iterator age;
  };
  struct Spilled {
    std::uint64_t offset;
    std::size_t size;
  };
  void remember(std::uint64_t key, const Block& block);
  Result<std::vector<std::byte>> read_spilled(const Spilled& at) const;
  bool write_spill(std::uint64_t offset, const std::vector<std::byte>& bytes) const;

  const std::size_t memory_budget_;
  const std::uint64_t spill_budget_;
  std::mutex mu_;
  std::condition_variable loaded_;
  std::unordered_map<std::uint64_t, Cached> memory_;
  std::list<std::uint64_t> ages_;  // most recently used first
  std::size_t memory_used_ = 0;
  std::unordered_map<std::uint64_t, Spilled> spilled_;
  std::unordered_set<std::uint64_t> loading_;
  int spill_fd_ = -1;
  bool spill_broken_ = false;
  std::uint64_t spill_end_ = 0;
};

}  // namespace fwcert::vfs
