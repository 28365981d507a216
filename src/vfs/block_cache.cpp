#include "vfs/block_cache.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "vfs/decompress.hpp"

namespace fwcert::vfs {

BlockCache::BlockCache(std::size_t memory_bytes, std::uint64_t spill_bytes)
    : memory_budget_(memory_bytes), spill_budget_(spill_bytes) {}

BlockCache::~BlockCache() {
  if (spill_fd_ >= 0) ::close(spill_fd_);
}

Result<BlockCache::Block> BlockCache::get(std::uint64_t key, const Loader& load) {
  std::unique_lock lock(mu_);
  for (;;) {
    if (auto it = memory_.find(key); it != memory_.end()) {
      ages_.splice(ages_.begin(), ages_, it->second.age);
      return it->second.block;
    }
    if (!loading_.contains(key)) break;
    loaded_.wait(lock);
  }
  loading_.insert(key);
  std::optional<Spilled> at;
  if (auto it = spilled_.find(key); it != spilled_.end()) at = it->second;
  lock.unlock();

  Result<std::vector<std::byte>> bytes = make_error(ErrorCode::kIo, "not loaded");
  if (at) bytes = read_spilled(*at);
  const bool fresh = !at || !bytes;
  if (fresh) bytes = load();

  Block block;
  std::optional<std::uint64_t> spill_at;
  if (bytes) {
    block = std::make_shared<const std::vector<std::byte>>(std::move(*bytes));
    if (fresh && !block->empty()) {
      lock.lock();
      if (spill_fd_ < 0 && !spill_broken_) {
        auto fd = open_spill_file();
        if (fd) {
          spill_fd_ = *fd;
        } else {
          spill_broken_ = true;
        }
      }
      if (spill_fd_ >= 0 && spill_end_ + block->size() <= spill_budget_) {
        spill_at = spill_end_;
        spill_end_ += block->size();
      }
      lock.unlock();
      // Written outside the lock: the range is ours, and no reader learns of it before it is done.
      if (spill_at && !write_spill(*spill_at, *block)) spill_at.reset();
    }
  }

  lock.lock();
  loading_.erase(key);
  if (block) {
    remember(key, block);
    if (spill_at) spilled_[key] = {*spill_at, block->size()};
  }
  lock.unlock();
  loaded_.notify_all();
  if (!bytes) return bytes.error();
  return block;
}

BlockCache::Block BlockCache::find(std::uint64_t key) {
  std::lock_guard lock(mu_);
  auto it = memory_.find(key);
  return it == memory_.end() ? nullptr : it->second.block;
}

void BlockCache::remember(std::uint64_t key, const Block& block) {
  if (block->size() > memory_budget_) return;
  while (memory_used_ + block->size() > memory_budget_ && !ages_.empty()) {
    auto oldest = memory_.find(ages_.back());
    memory_used_ -= oldest->second.block->size();
    memory_.erase(oldest);
    ages_.pop_back();
  }
  ages_.push_front(key);
  memory_.emplace(key, Cached{block, ages_.begin()});
  memory_used_ += block->size();
}

bool BlockCache::write_spill(std::uint64_t offset, const std::vector<std::byte>& bytes) const {
  for (std::size_t done = 0; done < bytes.size();) {
    ssize_t w = ::pwrite(spill_fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    done += static_cast<std::size_t>(w);
  }
  return true;
}

Result<std::vector<std::byte>> BlockCache::read_spilled(const Spilled& at) const {
  std::vector<std::byte> out(at.size);
  for (std::size_t done = 0; done < out.size();) {
    ssize_t r = ::pread(spill_fd_, out.data() + done, out.size() - done, static_cast<off_t>(at.offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return make_error(ErrorCode::kIo, fmt::format("temporary file read failed: {}", std::strerror(errno)));
    done += static_cast<std::size_t>(r);
  }
  return out;
}

}  // namespace fwcert::vfs
