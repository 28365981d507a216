#pragma once
// The progress bar `fwcert scan` draws on a terminal's stderr while a scan takes a while.

#include <chrono>
#include <string>

#include "fwcert/scan.hpp"

namespace fwcert::cli {

/// True when a progress bar may be drawn: stderr is a terminal that understands cursor
/// control (TERM is not "dumb"), NO_COLOR is not set, and the user did not ask for quiet.
bool progress_wanted(bool quiet);

/// One status line, redrawn in place with "\r" and erase-to-end-of-line, and erased when the
/// scan is over, so nothing of it stays in the terminal or reaches stdout. Quick scans draw
/// nothing: the first line appears only after `delay`.
class ProgressBar {
 public:
  ProgressBar(bool enabled, int fd, std::chrono::milliseconds delay = std::chrono::milliseconds(300));
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void update(const ScanProgress& p);
  /// Erases the line if one was drawn. Called by the destructor too.
  void finish();

  /// The line for `p` at `width` columns (without the leading "\r" and erase code).
  static std::string render(const ScanProgress& p, std::size_t width);

 private:
  bool enabled_;
  int fd_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::milliseconds delay_;
  bool drawn_ = false;
};

}  // namespace fwcert::cli
