// The same image scanned on one thread and on eight gives the same report, byte for byte
// (docs/ARCHITECTURE.md, Determinism): on a squashfs of more than 2,000 files with real ELF
// files from this machine, private keys, certificates and configuration, so that the walk, the
// shared block cache, the content pass, ELF parsing and the analyzers all run in parallel.
// No timing is asserted.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "support/test_util.hpp"

namespace fwcert {
namespace {

using test::run;
using test::shell_quote;
using test::TempDir;
using test::write_file;

/// Real ELF executables and libraries (300 of each, at most 512 KiB each), generated keys and
/// certificates, and 1,500 configuration files with credentials in some of them.
std::string build_tree(const std::string& root) {
  auto r = run("set -e; mkdir -p " + shell_quote(root) + "/usr/bin " + shell_quote(root) +
               "/usr/lib/x86_64-linux-gnu && cd " + shell_quote(root) +
               " && for d in /usr/bin /usr/lib/x86_64-linux-gnu; do find $d -maxdepth 1 -type f -size -512k"
               " | LC_ALL=C sort | head -300 | while read -r f; do cp \"$f\" \"usr/${f#/usr/}\"; done; done"
               " && mkdir -p etc/ssh etc/ssl/private etc/app"
               " && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out etc/ssl/private/server.key"
               " 2>/dev/null"
               " && openssl req -new -x509 -key etc/ssl/private/server.key -subj /CN=device -days 30"
               " -out etc/ssl/server.crt 2>/dev/null"
               " && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out etc/app/ec.pem 2>/dev/null"
               " && ssh-keygen -q -t ed25519 -N '' -f etc/ssh/ssh_host_ed25519_key");
  if (r.exit_code != 0) return r.output;
  write_file(root + "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\n");
  write_file(root + "/etc/shadow", "root::19000:0:99999:7:::\nadmin:$1$salt$qJH7.N4xYta3aEG/dfqo/0:19000::::::\n");
  write_file(root + "/etc/ssh/sshd_config", "PermitRootLogin yes\nPasswordAuthentication yes\n");
  write_file(root + "/etc/os-release", "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12\"\n");
  for (int i = 0; i < 1500; ++i) {
    std::string body = "# service " + std::to_string(i) + "\nname=svc" + std::to_string(i) +
                       "\nport=" + std::to_string(1000 + i) + "\n";
    if (i % 50 == 0) body += "password=Sup3rSecret" + std::to_string(i) + "\n";
    if (i % 70 == 0) body += "api_key=AKIA" + std::string(16, static_cast<char>('A' + i % 26)) + "\n";
    write_file(root + "/etc/app/conf.d/" + std::to_string(i) + ".conf", body);
  }
  return "";
}

TEST(ScanJobs, OneAndEightThreadsGiveByteIdenticalReportsOfALargeSquashfs) {
  for (const char* tool : {"mksquashfs", "openssl", "ssh-keygen"}) {
    if (!test::have_tool(tool)) GTEST_SKIP() << tool << " not installed";
  }
  TempDir d;
  const std::string root = d / "root";
  ASSERT_EQ(build_tree(root), "");
  auto count = run("find " + shell_quote(root) + " -type f | wc -l");
  ASSERT_GE(std::stoi(count.output), 2000) << "the tree must hold at least 2,000 files";
  const std::string image = d / "tree.squashfs";
  auto packed = run("mksquashfs " + shell_quote(root) + " " + shell_quote(image) + " -comp gzip -noappend -quiet");
  ASSERT_EQ(packed.exit_code, 0) << packed.output;

  auto scan = [&](int jobs) {
    const std::string out = d / ("report-" + std::to_string(jobs) + ".json");
    auto r = run(shell_quote(test::fwcert_binary()) + " scan --quiet --jobs " + std::to_string(jobs) +
                 " --assessment-date 2026-01-15 --format json -o " + shell_quote(out) + " " + shell_quote(image));
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.output;
    return test::read_file(out);
  };
  const std::string one = scan(1);
  const std::string eight = scan(8);
  ASSERT_FALSE(one.empty());
  EXPECT_TRUE(one == eight) << "reports differ between --jobs 1 and --jobs 8";

  // The report really covers what the test is about: many files, ELF files, keys, credentials.
  auto report = nlohmann::json::parse(one, nullptr, false);
  ASSERT_FALSE(report.is_discarded());
  const std::string text = report.dump();
  EXPECT_NE(text.find("keys-plaintext-private-keys"), std::string::npos);
  EXPECT_NE(text.find("keys-hardcoded-secrets"), std::string::npos);
  EXPECT_NE(text.find("bin-exploit-mitigations"), std::string::npos);
  EXPECT_EQ(report["target"]["format"], "squashfs");
}

}  // namespace
}  // namespace fwcert
