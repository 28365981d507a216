#pragma once
// The one worker pool of a scan. Analyzers run on it, and the analyzers that fan out (the
// content pass, ELF parsing, password hashing) run their items on the same pool, so a scan
// uses at most `--threads` threads however deeply the work nests.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace fwcert::parallel {

class Pool {
 public:
  /// `threads` threads in all, the calling thread of for_each included; 0 means one per core.
  explicit Pool(unsigned threads);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  /// Threads that may run items at once (the workers and one caller).
  unsigned size() const { return static_cast<unsigned>(workers_.size()) + 1; }

  /// Calls fn(i) for every i in [0, n) and returns when all calls have returned. Items run on
  /// the workers and on the calling thread, in no fixed order; write results to per-item slots.
  /// May be called from inside an item: the caller works on its own items meanwhile, so nested
  /// calls never wait for a free worker. The first exception an item throws is rethrown here
  /// once every claimed item has finished.
  void for_each(std::size_t n, const std::function<void(std::size_t)>& fn);

 private:
  struct Batch;
  void work();
  static bool run_one(Batch& b);

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Batch>> queue_;
  bool stopping_ = false;
  std::vector<std::jthread> workers_;
};

/// Threads a scan uses for `requested` (0 = one per core).
unsigned thread_count(unsigned requested);

}  // namespace fwcert::parallel
