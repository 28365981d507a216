#include "cli/progress.hpp"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace fwcert::cli {

bool progress_wanted(bool quiet) {
  if (quiet || ::isatty(STDERR_FILENO) != 1) return false;
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  const char* term = std::getenv("TERM");
  return !(term && std::strcmp(term, "dumb") == 0);
}

ProgressBar::ProgressBar(bool enabled, int fd, std::chrono::milliseconds delay)
    : enabled_(enabled), fd_(fd), start_(std::chrono::steady_clock::now()), delay_(delay) {}

ProgressBar::~ProgressBar() { finish(); }

std::string ProgressBar::render(const ScanProgress& p, std::size_t width) {
  if (p.analyzers_total == 0) return fmt::format("fwcert: reading the target, {} entries", p.entries_walked);
  std::string tail = fmt::format(" {}/{} analyzers, {} entries", p.analyzers_done, p.analyzers_total, p.entries_walked);
  std::string head = "fwcert: [";
  // The bar takes what the text leaves of the line, between 10 and 40 cells.
  std::size_t room = width > head.size() + tail.size() + 1 ? width - head.size() - tail.size() - 1 : 0;
  std::size_t cells = std::min<std::size_t>(40, std::max<std::size_t>(10, room));
  std::size_t filled = cells * std::min(p.analyzers_done, p.analyzers_total) / p.analyzers_total;
  return head + std::string(filled, '#') + std::string(cells - filled, '.') + "]" + tail;
}

void ProgressBar::update(const ScanProgress& p) {
  if (!enabled_ || std::chrono::steady_clock::now() - start_ < delay_) return;
  winsize ws{};
  std::size_t width = ::ioctl(fd_, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 ? ws.ws_col : 80;
  std::string line = render(p, width);
  if (line.size() >= width) line.resize(width - 1);  // never wrap: "\r" could not return over a wrap
  line = "\r" + line + "\x1b[K";
  drawn_ = ::write(fd_, line.data(), line.size()) > 0 || drawn_;
}

void ProgressBar::finish() {
  if (!drawn_) return;
  static constexpr char kErase[] = "\r\x1b[K";
  [[maybe_unused]] auto n = ::write(fd_, kErase, sizeof kErase - 1);
  drawn_ = false;
}

}  // namespace fwcert::cli
