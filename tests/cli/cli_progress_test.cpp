// The progress bar of `fwcert scan`: drawn on a terminal's stderr during a scan that takes a
// while, erased at the end, and never anywhere else (a pipe, NO_COLOR, --quiet, the report).
// The terminal is a real pseudo-terminal (openpty) the binary writes its stderr to.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "support/test_util.hpp"

namespace fwcert::test {
namespace {

/// A rootfs of 10 000 small files: enough that walking it takes well over the bar's 0.3 s delay.
class CliProgress : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    auto r = run("python3 -c " +
                 shell_quote("import os, sys\n"
                             "root = sys.argv[1]\n"
                             "for i in range(10000):\n"
                             "    d = os.path.join(root, 'usr/share/d%03d' % (i % 200))\n"
                             "    os.makedirs(d, exist_ok=True)\n"
                             "    open(os.path.join(d, 'f%d' % i), 'w').write('x\\n')\n") +
                 " " + shell_quote(*dir_ / "root"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    write_file(*dir_ / "root/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  struct PtyRun {
    bool pty = false;  ///< a pseudo-terminal could be opened (not in a chroot without /dev/pts)
    int exit_code = -1;
    std::string terminal;  ///< everything written to the terminal (stderr)
    double seconds = 0;
  };

  /// Runs fwcert with stderr on a fresh pseudo-terminal (100 columns) and stdout to a file.
  static PtyRun run_on_pty(const std::vector<std::string>& args, const std::vector<std::string>& env_unset,
                           const std::vector<std::pair<std::string, std::string>>& env_set) {
    PtyRun out;
    int master = -1, slave = -1;
    winsize ws{};
    ws.ws_col = 100;
    ws.ws_row = 30;
    if (::openpty(&master, &slave, nullptr, nullptr, &ws) != 0) return out;
    out.pty = true;
    std::string stdout_path = *dir_ / "stdout.txt";
    auto start = std::chrono::steady_clock::now();
    pid_t pid = ::fork();
    if (pid == 0) {
      ::close(master);
      int fd = ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(slave, STDERR_FILENO);
      for (const auto& n : env_unset) ::unsetenv(n.c_str());
      for (const auto& [k, v] : env_set) ::setenv(k.c_str(), v.c_str(), 1);
      std::vector<char*> argv;
      std::string bin = fwcert_binary();
      argv.push_back(bin.data());
      std::vector<std::string> copy = args;
      for (auto& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(bin.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(slave);
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(master, buf, sizeof buf);
      if (n <= 0) break;  // EIO once the child has exited and the slave side is closed
      out.terminal.append(buf, static_cast<std::size_t>(n));
    }
    ::close(master);
    int status = 0;
    ::waitpid(pid, &status, 0);
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return out;
  }

  static TempDir* dir_;
};
TempDir* CliProgress::dir_ = nullptr;

TEST_F(CliProgress, TerminalShowsTheBarThenErasesIt) {
  auto r = run_on_pty({"scan", "--format", "json", "-o", *dir_ / "r.json", *dir_ / "root"}, {"NO_COLOR"},
                      {{"TERM", "xterm"}});
  if (!r.pty) GTEST_SKIP() << "no pseudo-terminal can be opened here";
  // Findings in the fixture (exit 1) are fine; 2 would be a usage or read error.
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.terminal;
  // A machine fast enough to scan the fixture in under half a second rightly shows no bar.
  if (r.terminal.empty() && r.seconds < 0.5) GTEST_SKIP() << "scan took " << r.seconds << " s; no bar is due";
  // The walk may be over before the bar is due (0.3 s), so its phase is not always drawn.
  EXPECT_NE(r.terminal.find("\rfwcert: "), std::string::npos) << r.terminal;
  EXPECT_NE(r.terminal.find("analyzers, 10"), std::string::npos) << r.terminal;  // 10 000+ entries walked
  // Every line is redrawn in place and fits the 100 columns, and the last thing written erases it.
  std::size_t pos = 0;
  while ((pos = r.terminal.find('\r', pos)) != std::string::npos) {
    auto end = r.terminal.find("\x1b[K", pos);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LT(end - pos - 1, 100u);
    ++pos;
  }
  ASSERT_GE(r.terminal.size(), 4u);
  EXPECT_EQ(r.terminal.substr(r.terminal.size() - 4), "\r\x1b[K");
  EXPECT_EQ(r.terminal.find('\n'), std::string::npos) << "the bar must not scroll the terminal";
  // The report and stdout hold nothing of it.
  EXPECT_EQ(read_file(*dir_ / "r.json").find("analyzers, "), std::string::npos);
  EXPECT_EQ(read_file(*dir_ / "stdout.txt").find('\r'), std::string::npos);
}

TEST_F(CliProgress, NoBarWithNoColorQuietOrAPipe) {
  auto no_color = run_on_pty({"scan", "-o", *dir_ / "r.txt", *dir_ / "root"}, {}, {{"NO_COLOR", "1"}});
  if (!no_color.pty) GTEST_SKIP() << "no pseudo-terminal can be opened here";
  ASSERT_TRUE(no_color.exit_code == 0 || no_color.exit_code == 1);
  EXPECT_EQ(no_color.terminal, "");
  auto quiet = run_on_pty({"scan", "--quiet", "-o", *dir_ / "r.txt", *dir_ / "root"}, {"NO_COLOR"}, {});
  ASSERT_TRUE(quiet.exit_code == 0 || quiet.exit_code == 1);
  EXPECT_EQ(quiet.terminal, "");
  auto dumb = run_on_pty({"scan", "-o", *dir_ / "r.txt", *dir_ / "root"}, {"NO_COLOR"}, {{"TERM", "dumb"}});
  EXPECT_EQ(dumb.terminal, "");
  auto piped = run("env -u NO_COLOR " + shell_quote(fwcert_binary()) + " scan --format sarif " +
                   shell_quote(*dir_ / "root") + " 2>&1");
  ASSERT_TRUE(piped.exit_code == 0 || piped.exit_code == 1) << piped.output;
  EXPECT_EQ(piped.output.find('\r'), std::string::npos);
  EXPECT_EQ(piped.output.find("analyzers"), std::string::npos);
}

}  // namespace
}  // namespace fwcert::test
