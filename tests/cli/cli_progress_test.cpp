// The progress bar of `fwcert scan`: drawn on a terminal's stderr during a scan that takes a
// while, erased at the end, and never anywhere else (a pipe, NO_COLOR, --quiet, the report).
// The terminal is a real pseudo-terminal the binary writes its stderr to: openpty (libutil),
// or, where the system offers none (a chroot or container without a usable /dev/pts), one from a
// private devpts instance the test mounts in a mount namespace of its own. The tests never skip
// for want of a terminal.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <pty.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "support/test_util.hpp"

namespace fwcert::test {
namespace {

/// A pseudo-terminal pair, or why none could be had.
struct Pty {
  int master = -1, slave = -1;
  std::string how;    ///< "openpty" or "private devpts"
  std::string error;  ///< empty when both fds are open
};

bool write_text(const char* path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  return static_cast<bool>(f.flush());
}

/// A pseudo-terminal from a devpts instance of our own: a child enters a new mount namespace
/// (and a user namespace when not root), mounts devpts with newinstance, opens its ptmx and the
/// peer slave (TIOCGPTPEER) and hands both fds back over a socket; the fds keep the instance
/// alive after the child and its namespace are gone.
Pty private_devpts_pty() {
  Pty out;
  out.how = "private devpts";
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) != 0) {
    out.error = std::string("socketpair: ") + std::strerror(errno);
    return out;
  }
  const uid_t uid = ::geteuid();
  const gid_t gid = ::getegid();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(sv[0]);
    auto fail = [&](const char* what) {
      std::string msg = std::string(what) + ": " + std::strerror(errno);
      ::send(sv[1], msg.data(), msg.size(), 0);
      ::_exit(1);
    };
    int flags = CLONE_NEWNS | (uid == 0 ? 0 : CLONE_NEWUSER);
    if (::unshare(flags) != 0) fail("unshare");
    if (uid != 0) {
      write_text("/proc/self/setgroups", "deny");
      if (!write_text("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1\n")) fail("uid_map");
      if (!write_text("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1\n")) fail("gid_map");
    }
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) fail("making / private");
    char dir[] = "/tmp/fwcert-devpts-XXXXXX";
    if (!::mkdtemp(dir)) fail("mkdtemp");
    if (::mount("devpts", dir, "devpts", 0, "newinstance,ptmxmode=0666,mode=0620") != 0) fail("mount devpts");
    int master = ::open((std::string(dir) + "/ptmx").c_str(), O_RDWR | O_NOCTTY);
    if (master < 0) fail("open ptmx");
    if (::unlockpt(master) != 0) fail("unlockpt");
    int slave = ::ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
    if (slave < 0) fail("TIOCGPTPEER");
    ::umount2(dir, MNT_DETACH);
    ::rmdir(dir);
    char ok = 'k';
    iovec iov{&ok, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(2 * sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(2 * sizeof(int));
    int fds[2] = {master, slave};
    std::memcpy(CMSG_DATA(c), fds, sizeof fds);
    if (::sendmsg(sv[1], &msg, 0) < 0) fail("sendmsg");
    ::_exit(0);
  }
  ::close(sv[1]);
  char buf[512] = {};
  iovec iov{buf, sizeof buf - 1};
  alignas(cmsghdr) char control[CMSG_SPACE(2 * sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = pid > 0 ? ::recvmsg(sv[0], &msg, 0) : -1;
  ::close(sv[0]);
  if (pid > 0) ::waitpid(pid, nullptr, 0);
  cmsghdr* c = n > 0 ? CMSG_FIRSTHDR(&msg) : nullptr;
  if (c && c->cmsg_type == SCM_RIGHTS && c->cmsg_len == CMSG_LEN(2 * sizeof(int))) {
    int fds[2];
    std::memcpy(fds, CMSG_DATA(c), sizeof fds);
    out.master = fds[0];
    out.slave = fds[1];
  } else {
    out.error = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "the helper process sent nothing";
  }
  return out;
}

/// A pseudo-terminal of `ws`'s size: openpty first, a private devpts instance otherwise.
Pty open_pty(const winsize& ws, bool force_private = false) {
  Pty p;
  winsize size = ws;
  if (!force_private && ::openpty(&p.master, &p.slave, nullptr, nullptr, &size) == 0) {
    p.how = "openpty";
    return p;
  }
  std::string openpty_error = force_private ? "not tried" : std::strerror(errno);
  p = private_devpts_pty();
  if (!p.error.empty()) {
    p.error = "openpty: " + openpty_error + "; private devpts: " + p.error;
    return p;
  }
  ::ioctl(p.slave, TIOCSWINSZ, &size);
  return p;
}

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
    bool pty = false;   ///< a pseudo-terminal could be opened
    std::string error;  ///< why not
    int exit_code = -1;
    std::string terminal;  ///< everything written to the terminal (stderr)
    double seconds = 0;
  };

  /// Runs fwcert with stderr on a fresh pseudo-terminal (100 columns) and stdout to a file.
  static PtyRun run_on_pty(const std::vector<std::string>& args, const std::vector<std::string>& env_unset,
                           const std::vector<std::pair<std::string, std::string>>& env_set) {
    PtyRun out;
    winsize ws{};
    ws.ws_col = 100;
    ws.ws_row = 30;
    Pty p = open_pty(ws);
    if (!p.error.empty()) {
      out.error = p.error;
      return out;
    }
    int master = p.master, slave = p.slave;
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

TEST(CliProgressPty, APrivateDevptsInstanceIsARealTerminal) {
  // The fallback the bar tests use where openpty has no /dev/pts, taken on purpose here.
  winsize ws{};
  ws.ws_col = 100;
  ws.ws_row = 30;
  Pty p = open_pty(ws, /*force_private=*/true);
  if (!p.error.empty()) {
    // Only a sandbox that forbids mount namespaces (and so needs no fallback: it has /dev/pts)
    // may refuse; anywhere else the fallback must work.
    Pty host = open_pty(ws);
    ASSERT_TRUE(host.error.empty()) << "neither openpty nor a private devpts: " << p.error;
    ASSERT_NE(p.error.find("unshare"), std::string::npos) << p.error;
    ::close(host.master);
    ::close(host.slave);
    return;
  }
  EXPECT_EQ(p.how, "private devpts");
  EXPECT_TRUE(::isatty(p.slave));
  winsize got{};
  ASSERT_EQ(::ioctl(p.slave, TIOCGWINSZ, &got), 0);
  EXPECT_EQ(got.ws_col, 100);
  ASSERT_EQ(::write(p.slave, "bar", 3), 3);
  char buf[8] = {};
  ASSERT_EQ(::read(p.master, buf, sizeof buf), 3);
  EXPECT_EQ(std::string(buf, 3), "bar");
  ::close(p.slave);
  ::close(p.master);
}

TEST_F(CliProgress, TerminalShowsTheBarThenErasesIt) {
  std::vector<std::string> args = {"scan", "--format", "json", "-o", *dir_ / "r.json", *dir_ / "root"};
  auto r = run_on_pty(args, {"NO_COLOR"}, {{"TERM", "xterm"}});
  ASSERT_TRUE(r.pty) << r.error;
  // Findings in the fixture (exit 1) are fine; 2 would be a usage or read error.
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.terminal;
  // A machine fast enough to scan the fixture in under half a second rightly shows no bar; on one
  // thread the same scan takes long enough, so the bar is still checked rather than skipped.
  if (r.terminal.empty() && r.seconds < 0.5) {
    args.insert(args.begin() + 1, {"--jobs", "1"});
    r = run_on_pty(args, {"NO_COLOR"}, {{"TERM", "xterm"}});
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.terminal;
    ASSERT_FALSE(r.terminal.empty()) << "even on one thread the scan took only " << r.seconds
                                     << " s, under the bar's delay: make the fixture larger";
  }
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
  ASSERT_TRUE(no_color.pty) << no_color.error;
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
