#pragma once
// Helpers shared by tests: temporary directories, files, and running the real tools
// (mksquashfs, mke2fs, tar, ...) that build the artefacts tests scan.

#include <string>
#include <vector>

namespace fwcert::test {

/// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  /// path() + "/" + rel
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string output;  ///< stdout and stderr, interleaved
};

/// Runs a shell command line (sh -c) and captures its output. Test-only: the scan path never
/// starts subprocesses.
CommandResult run(const std::string& command);

/// Single-quotes a string for a shell command line.
std::string shell_quote(const std::string& s);

/// Writes a file, creating parent directories.
void write_file(const std::string& path, const std::string& content);
std::string read_file(const std::string& path);

/// True when a program is on PATH.
bool have_tool(const std::string& name);

/// The repository root and the fwcert binary under test.
std::string source_dir();
std::string fwcert_binary();

}  // namespace fwcert::test
