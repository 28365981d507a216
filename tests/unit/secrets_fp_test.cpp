// False positives of the secret scan over a real Debian tree's worth of files: the build host's
// documentation, man pages, /etc/ssl, the ca-certificates sources and any Python test
// certificates, copied (files under 1 MiB) into a temporary rootfs. Man pages and docs quote PEM
// headers and example credentials; none of that may become a failure. Python's test
// certificates are real keys: they must be found, classified, and reported as test fixtures
// (warn), not as the device's keys (fail).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analyzers/secrets/secrets.hpp"
#include "analyzers/tls/tls.hpp"
#include "scan/target.hpp"
#include "support/analyzer_run.hpp"
#include "support/test_util.hpp"

namespace fwcert::analyzers::secrets {
namespace {

TEST(SecretsFalsePositives, DebianDocsManPagesAndCertificatesGiveNoFailure) {
  test::TempDir d;
  std::string copy =
      "cd / && for p in usr/lib/python3*/test root/.pyenv/versions/*/lib/python3*/test/certdata etc/ssl "
      "usr/share/ca-certificates usr/share/man/man1 usr/share/man/man5 usr/share/man/man7 usr/share/man/man8 "
      "usr/share/doc; "
      "do [ -e \"$p\" ] && find \"$p\" -type f -size -1024k -readable; done 2>/dev/null | head -n 20000 | "
      "tar -cf - -T - 2>/dev/null | tar -C " +
      test::shell_quote(d.path()) + " -xf -";
  test::run(copy);
  ScanOptions options;
  options.threads = 2;
  TargetInfo info;
  auto inv = scanning::open_target(d.path(), options, info);
  ASSERT_TRUE(inv.ok()) << inv.error().message;
  ASSERT_GT(inv.value()->summary().files, 500u) << "too little of a Debian tree on this host to judge";
  auto out = run(Context{*inv.value(), test::analyzer_options(options)});

  std::vector<std::string> fixtures;
  for (const auto& f : out.findings) {
    if (f.check == "keys-plaintext-private-keys" || f.check == "keys-hardcoded-secrets" ||
        f.check == "keys-lwa-tokens" || f.check == "keys-secret-file-perms") {
      EXPECT_NE(f.status, Status::kFail) << f.check << " " << f.subject << ": " << f.message;
    }
    if (f.check == "keys-plaintext-private-keys" && f.status == Status::kWarn) fixtures.push_back(f.subject);
  }
  // Python's ssl test data (when this host has it) holds real RSA and EC keys, one encrypted.
  bool python_certs = test::run(
                          "ls /root/.pyenv/versions/*/lib/python3*/test/certdata/keycert.pem "
                          "/usr/lib/python3*/test/certdata/keycert.pem 2>/dev/null | grep -q .")
                          .exit_code == 0;
  if (python_certs) {
    bool keycert = false, passwd = false;
    for (const auto& f : out.findings) {
      if (f.check != "keys-plaintext-private-keys") continue;
      if (f.subject.ends_with("/certdata/keycert.pem")) {
        keycert = true;
        EXPECT_THAT(f.message, ::testing::HasSubstr("RSA"));
        // CPython's test keys are in data/public-test-keys.tsv (from Debian's
        // libpython3.11-testsuite): a published key is info; any other is a test-fixture warn.
        if (f.status == Status::kInfo) {
          EXPECT_THAT(f.message, ::testing::HasSubstr("public test key"));
          EXPECT_THAT(f.message, ::testing::HasSubstr("libpython3.11-testsuite"));
        } else {
          EXPECT_THAT(f.message, ::testing::HasSubstr("test-fixture"));
        }
      }
      if (f.subject.ends_with("/certdata/keycert.passwd.pem")) {
        passwd = true;
        EXPECT_THAT(f.message, ::testing::HasSubstr("encrypted"));
      }
    }
    EXPECT_TRUE(keycert) << ::testing::PrintToString(fixtures);
    EXPECT_TRUE(passwd);
  }
}

}  // namespace
}  // namespace fwcert::analyzers::secrets
