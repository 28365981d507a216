#include "core/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <exception>

namespace fwcert::parallel {

struct Pool::Batch {
  const std::function<void(std::size_t)>* fn = nullptr;
  std::size_t n = 0;
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> finished{0};
  std::mutex mutex;
  std::condition_variable all_done;
  std::exception_ptr error;
};

unsigned thread_count(unsigned requested) {
  return requested ? requested : std::max(1u, std::thread::hardware_concurrency());
}

Pool::Pool(unsigned threads) {
  unsigned n = thread_count(threads);
  for (unsigned i = 1; i < n; ++i) workers_.emplace_back([this] { work(); });
}

Pool::~Pool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  workers_.clear();  // joins
}

bool Pool::run_one(Batch& b) {
  std::size_t i = b.next.fetch_add(1);
  if (i >= b.n) return false;
  try {
    (*b.fn)(i);
  } catch (...) {
    std::lock_guard lock(b.mutex);
    if (!b.error) b.error = std::current_exception();
  }
  if (b.finished.fetch_add(1) + 1 == b.n) {
    std::lock_guard lock(b.mutex);
    b.all_done.notify_all();
  }
  return true;
}

void Pool::work() {
  for (;;) {
    std::shared_ptr<Batch> b;
    {
      std::unique_lock lock(mutex_);
      for (;;) {
        if (stopping_) return;
        // A batch whose items are all claimed leaves the queue; its caller waits for the rest.
        while (!queue_.empty() && queue_.front()->next.load() >= queue_.front()->n) queue_.pop_front();
        if (!queue_.empty()) break;
        wake_.wait(lock);
      }
      b = queue_.front();
    }
    run_one(*b);
  }
}

void Pool::for_each(std::size_t n, const std::function<void(std::size_t)>& fn) {
  if (n == 0) return;
  auto b = std::make_shared<Batch>();
  b->fn = &fn;
  b->n = n;
  if (!workers_.empty() && n > 1) {
    {
      std::lock_guard lock(mutex_);
      queue_.push_back(b);
    }
    wake_.notify_all();
  }
  while (run_one(*b)) {
  }
  {
    std::lock_guard lock(mutex_);
    std::erase(queue_, b);
  }
  std::unique_lock lock(b->mutex);
  b->all_done.wait(lock, [&] { return b->finished.load() == b->n; });
  if (b->error) std::rethrow_exception(b->error);
}

}  // namespace fwcert::parallel
