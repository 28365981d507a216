// The tls analyzer over CA stores built from Debian's ca-certificates (which carries Amazon Root
// CA 1-4) and from the same set without them, CAs made with openssl at test time (an
// interception CA, an expired root), verification bypass in scripts, configuration and
// binaries, and openssl.cnf minimum protocols; each check on both sides.

#include "analyzers/tls/tls.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "formats/keys/keys.hpp"
#include "inventory/inventory.hpp"
#include "support/analyzer_run.hpp"
#include "support/test_util.hpp"
#include "vfs/memory_vfs.hpp"

namespace fwcert::analyzers::tls {
namespace {

using ::testing::HasSubstr;
using vfs::MemoryVfs;

constexpr const char* kMozilla = "/usr/share/ca-certificates/mozilla";

struct Scan {
  inventory::Inventory inv;
  ScanOptions options;
  Output out;
  const Finding* first(std::string_view check) const {
    for (const auto& f : out.findings) {
      if (f.check == check) return &f;
    }
    return nullptr;
  }
  const Finding* find(std::string_view check, const std::string& subject) const {
    for (const auto& f : out.findings) {
      if (f.check == check && f.subject == subject) return &f;
    }
    return nullptr;
  }
  Status status(std::string_view check) const { return first(check) ? first(check)->status : Status::kNotApplicable; }
  std::string describe(std::string_view check) const {
    std::string d;
    for (const auto& f : out.findings) {
      if (f.check == check) d += std::string(to_string(f.status)) + " " + f.subject + ": " + f.message + "\n";
    }
    return d;
  }
};

std::unique_ptr<Scan> scan(std::shared_ptr<MemoryVfs> v, std::string date = "2030-01-01") {
  auto s = std::make_unique<Scan>();
  std::vector<Diagnostic> diags;
  s->inv.walk(s->inv.add_filesystem({"", "squashfs", 0, "", 0, v}), diags);
  s->inv.finish();
  s->options.threads = 1;
  s->options.assessment_date = std::move(date);
  s->out = run(Context{s->inv, test::analyzer_options(s->options)});
  return s;
}

void add(MemoryVfs& v, std::string_view path, std::string_view text, vfs::FileMeta meta = {}) {
  ASSERT_TRUE(v.add_file(path, text, meta).ok()) << path;
}

/// The Mozilla roots Debian ships, concatenated; `without_amazon` leaves Amazon Root CA 1-4 out.
std::string debian_bundle(bool without_amazon) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(kMozilla)) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  std::string out;
  for (const auto& f : files) {
    if (without_amazon && f.find("Amazon_Root_CA") != std::string::npos) continue;
    out += test::read_file(f);
  }
  return out;
}

bool have_mozilla() { return std::filesystem::exists(std::string(kMozilla) + "/Amazon_Root_CA_1.crt"); }

TEST(TlsRoots, DebianBundleHasAllFourAmazonRootsByFingerprint) {
  if (!have_mozilla()) GTEST_SKIP() << "ca-certificates not installed";
  for (int i = 1; i <= 4; ++i) {
    auto c = formats::keys::parse_pem_certificate(
        test::read_file(std::string(kMozilla) + "/Amazon_Root_CA_" + std::to_string(i) + ".crt"));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->sha256, amazon_root_fingerprints()[static_cast<std::size_t>(i - 1)]);
  }
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/etc/ssl/certs/ca-certificates.crt", debian_bundle(false));
  auto s = scan(v, "2023-01-01");
  EXPECT_EQ(s->status("tls-amazon-roots"), Status::kPass) << s->describe("tls-amazon-roots");
  EXPECT_THAT(s->first("tls-amazon-roots")->message, HasSubstr("4 of the 4"));
  // The real Debian store holds no test or interception CA; at the start of 2023 none had expired,
  // a year later E-Tugra (2023-03-03) had: Debian 12 still ships it.
  EXPECT_EQ(s->status("tls-ca-store-hygiene"), Status::kPass) << s->describe("tls-ca-store-hygiene");
  auto later = scan(v, "2024-01-01");
  EXPECT_EQ(later->status("tls-ca-store-hygiene"), Status::kWarn);
  EXPECT_THAT(later->first("tls-ca-store-hygiene")->evidence.at(0).observed, HasSubstr("E-Tugra"));
}

TEST(TlsRoots, StoreWithoutAmazonRootsFailsPartialWarnsNoStoreInconclusive) {
  if (!have_mozilla()) GTEST_SKIP() << "ca-certificates not installed";
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/etc/ssl/certs/ca-certificates.crt", debian_bundle(true));
  EXPECT_EQ(scan(v)->status("tls-amazon-roots"), Status::kFail);

  auto partial = std::make_shared<MemoryVfs>();
  add(*partial, "/etc/ssl/certs/ce5e74ef.0", test::read_file(std::string(kMozilla) + "/Amazon_Root_CA_1.crt"));
  add(*partial, "/etc/ssl/certs/6d41d539.0", test::read_file(std::string(kMozilla) + "/Amazon_Root_CA_2.crt"));
  auto p = scan(partial);
  EXPECT_EQ(p->status("tls-amazon-roots"), Status::kWarn) << p->describe("tls-amazon-roots");

  auto none = std::make_shared<MemoryVfs>();
  add(*none, "/etc/hostname", "x\n");
  EXPECT_EQ(scan(none)->status("tls-amazon-roots"), Status::kInconclusive);
}

TEST(TlsRoots, SdkCapathDecidesTheStoreAndTheTrustRestriction) {
  if (!have_mozilla()) GTEST_SKIP() << "ca-certificates not installed";
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/etc/ssl/certs/ca-certificates.crt", debian_bundle(false));
  for (int i = 1; i <= 4; ++i) {
    add(*v, "/opt/alexa/certs/amazon" + std::to_string(i) + ".pem",
        test::read_file(std::string(kMozilla) + "/Amazon_Root_CA_" + std::to_string(i) + ".crt"));
  }
  add(*v, "/opt/alexa/AlexaClientSDKConfig.json",
      "{\n  \"libcurlUtils\": {\n    \"CURLOPT_CAPATH\": \"/opt/alexa/certs\"\n  }\n}\n");
  auto s = scan(v);
  EXPECT_EQ(s->status("tls-amazon-roots"), Status::kPass) << s->describe("tls-amazon-roots");
  EXPECT_EQ(s->first("tls-amazon-roots")->subject, "/opt/alexa/certs");
  EXPECT_EQ(s->status("tls-amazon-trust-restriction"), Status::kPass) << s->describe("tls-amazon-trust-restriction");
  EXPECT_EQ(s->first("tls-amazon-trust-restriction")->evidence.at(0).line, 3u);

  auto general = std::make_shared<MemoryVfs>();
  add(*general, "/etc/ssl/certs/ca-certificates.crt", debian_bundle(false));
  add(*general, "/opt/alexa/AlexaClientSDKConfig.json", "{ \"deviceInfo\": {} }\n");
  EXPECT_EQ(scan(general)->status("tls-amazon-trust-restriction"), Status::kWarn);
}

TEST(TlsHygiene, InterceptionCaFailsExpiredRootWarnsWritableStoreFails) {
  test::TempDir d;
  auto r = test::run("cd " + d.path() +
                     " && openssl req -x509 -newkey rsa:2048 -nodes -keyout m.key -subj '/CN=mitmproxy/O=mitmproxy' "
                     "-days 3650 -out mitm.pem 2>/dev/null && openssl req -x509 -newkey rsa:2048 -nodes -keyout o.key "
                     "-subj '/CN=Vendor Root' -days 1 -out old.pem 2>/dev/null");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/etc/ssl/certs/ca-certificates.crt", test::read_file(d / "mitm.pem") + test::read_file(d / "old.pem"));
  auto s = scan(v, "2030-01-01");
  EXPECT_EQ(s->status("tls-ca-store-hygiene"), Status::kFail) << s->describe("tls-ca-store-hygiene");
  const Finding* expired = nullptr;
  for (const auto& f : s->out.findings) {
    if (f.check == "tls-ca-store-hygiene" && f.status == Status::kWarn) expired = &f;
  }
  ASSERT_TRUE(expired) << s->describe("tls-ca-store-hygiene");
  EXPECT_THAT(s->first("tls-ca-store-hygiene")->message, HasSubstr("mitmproxy"));
  EXPECT_THAT(expired->message, HasSubstr("1 roots expired at 2030-01-01"));

  // The same vendor root at an assessment date before it expires, in a store anyone can write.
  auto w = std::make_shared<MemoryVfs>();
  add(*w, "/etc/ssl/certs/ca-certificates.crt", test::read_file(d / "old.pem"), {0666, 0, 0, 0});
  auto today = scan(w, format_date(today_utc()));
  EXPECT_EQ(today->status("tls-ca-store-hygiene"), Status::kFail) << today->describe("tls-ca-store-hygiene");
  EXPECT_THAT(today->first("tls-ca-store-hygiene")->message, HasSubstr("non-root"));
}

TEST(TlsValidation, BypassInScriptsAndConfigFailsInBinariesWarnsCleanAndDocsPass) {
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/usr/bin/fetch-update.sh",
      "#!/bin/sh\nURL=https://updates.example.com\ncurl -fsSLk \"$URL/fw.bin\" -o /tmp/fw\n", {0755, 0, 0, 0});
  add(*v, "/etc/mender/mender.conf", "{\n  \"ServerURL\": \"https://mender\",\n  \"SkipVerify\": true\n}\n");
  add(*v, "/etc/mosquitto/conf.d/bridge.conf", "connection cloud\nbridge_insecure true\n");
  add(*v, "/usr/sbin/vendord",
      std::string("\x7f"
                  "ELF\x02\x01",
                  6) +
          std::string(64, '\0') + "wget --no-check-certificate -O /tmp/x %s" + std::string(16, '\0'));
  auto s = scan(v);
  auto* script = s->find("tls-cert-validation", "/usr/bin/fetch-update.sh");
  ASSERT_TRUE(script) << s->describe("tls-cert-validation");
  EXPECT_EQ(script->status, Status::kFail);
  EXPECT_EQ(script->evidence.at(0).line, 3u);
  EXPECT_THAT(script->evidence.at(0).observed, HasSubstr("curl -fsSLk"));
  EXPECT_EQ(s->find("tls-cert-validation", "/etc/mender/mender.conf")->status, Status::kFail);
  EXPECT_EQ(s->find("tls-cert-validation", "/etc/mosquitto/conf.d/bridge.conf")->status, Status::kFail);
  auto* binary = s->find("tls-cert-validation", "/usr/sbin/vendord");
  ASSERT_TRUE(binary);
  EXPECT_EQ(binary->status, Status::kWarn);
  EXPECT_THAT(binary->message, HasSubstr("weak evidence"));

  auto clean = std::make_shared<MemoryVfs>();
  add(*clean, "/usr/bin/fetch-update.sh", "#!/bin/sh\ncurl -fsSL --cacert /etc/ca.pem https://x/fw.bin\n");
  add(*clean, "/usr/share/man/man1/curl.1", ".B curl -k https://self-signed\n");
  add(*clean, "/etc/mosquitto/conf.d/bridge.conf", "bridge_insecure false\nssl_verify = true\n");
  add(*clean, "/usr/bin/curl",
      std::string("\x7f"
                  "ELF",
                  4) +
          " curl -k, --insecure  Allow insecure connections");
  auto c = scan(clean);
  EXPECT_EQ(c->status("tls-cert-validation"), Status::kPass) << c->describe("tls-cert-validation");
}

TEST(TlsMinVersion, OpensslConfigAndLibraryDecide) {
  auto old = std::make_shared<MemoryVfs>();
  add(*old, "/etc/ssl/openssl.cnf", "[system_default_sect]\nMinProtocol = TLSv1\nCipherString = DEFAULT\n");
  auto o = scan(old);
  EXPECT_EQ(o->status("tls-min-version"), Status::kFail);
  EXPECT_EQ(o->first("tls-min-version")->evidence.at(0).line, 2u);

  auto good = std::make_shared<MemoryVfs>();
  add(*good, "/etc/ssl/openssl.cnf", "[system_default_sect]\nMinProtocol = TLSv1.2\n");
  EXPECT_EQ(scan(good)->status("tls-min-version"), Status::kPass);

  auto level0 = std::make_shared<MemoryVfs>();
  add(*level0, "/etc/ssl/openssl.cnf", "CipherString = DEFAULT:@SECLEVEL=0\n");
  add(*level0, "/usr/lib/libssl.so.3",
      "\x7f"
      "ELF");
  EXPECT_EQ(scan(level0)->status("tls-min-version"), Status::kFail);

  auto lib3 = std::make_shared<MemoryVfs>();
  add(*lib3, "/usr/lib/libssl.so.3",
      "\x7f"
      "ELF");
  EXPECT_EQ(scan(lib3)->status("tls-min-version"), Status::kPass);
  auto lib11 = std::make_shared<MemoryVfs>();
  add(*lib11, "/usr/lib/libssl.so.1.1",
      "\x7f"
      "ELF");
  EXPECT_EQ(scan(lib11)->status("tls-min-version"), Status::kWarn);
  auto nothing = std::make_shared<MemoryVfs>();
  add(*nothing, "/etc/hostname", "x\n");
  EXPECT_EQ(scan(nothing)->status("tls-min-version"), Status::kInconclusive);
}

}  // namespace
}  // namespace fwcert::analyzers::tls
