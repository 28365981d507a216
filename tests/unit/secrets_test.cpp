// The content pass, the key classifier and the secrets analyzer: keys made by openssl and
// ssh-keygen at test time (plain and encrypted, RSA/EC/Ed25519, PEM/DER/PKCS#12/OpenSSH), a
// PEM header quoted in a man page, tokens and credentials in configuration, key stores and
// encryption at rest, each check on both sides.

#include "analyzers/secrets/secrets.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "evidence/content.hpp"
#include "evidence/values.hpp"
#include "formats/keys/keys.hpp"
#include "inventory/inventory.hpp"
#include "support/analyzer_run.hpp"
#include "support/test_util.hpp"
#include "vfs/memory_vfs.hpp"

namespace fwcert::analyzers::secrets {
namespace {

using ::testing::HasSubstr;
using vfs::MemoryVfs;
namespace keys = formats::keys;
namespace content = evidence::content;
using evidence::is_documentation_path;
using evidence::is_placeholder;

content::PassResult run_pass(const inventory::Inventory& inv, unsigned threads) {
  parallel::Pool pool(threads);
  return content::run_pass(inv, pool);
}

struct Scan {
  inventory::Inventory inv;
  ScanOptions options;
  Output out;

  std::vector<const Finding*> all(std::string_view check) const {
    std::vector<const Finding*> v;
    for (const auto& f : out.findings) {
      if (f.check == check) v.push_back(&f);
    }
    return v;
  }
  const Finding* find(std::string_view check, const std::string& subject) const {
    for (const auto& f : out.findings) {
      if (f.check == check && f.subject == subject) return &f;
    }
    return nullptr;
  }
  Status status(std::string_view check, const std::string& subject = "/") const {
    auto* f = find(check, subject);
    return f ? f->status : Status::kNotApplicable;
  }
  std::string describe(std::string_view check) const {
    std::string d;
    for (const auto* f : all(check))
      d += std::string(to_string(f->status)) + " " + f->subject + ": " + f->message + "\n";
    return d;
  }
};

std::unique_ptr<Scan> scan(std::shared_ptr<MemoryVfs> v) {
  auto s = std::make_unique<Scan>();
  std::vector<Diagnostic> diags;
  auto i = s->inv.add_filesystem({"", "squashfs", 0, "", 0, v});
  s->inv.walk(i, diags);
  s->inv.finish();
  s->options.threads = 2;
  s->out = run(Context{s->inv, test::analyzer_options(s->options)});
  return s;
}

void add(MemoryVfs& v, std::string_view path, std::string_view text, vfs::FileMeta meta = {}) {
  ASSERT_TRUE(v.add_file(path, text, meta).ok()) << path;
}

/// Runs a shell command in `dir` and returns the named output file.
std::string make(const test::TempDir& dir, const std::string& command, const std::string& output) {
  auto r = test::run("cd " + test::shell_quote(dir.path()) + " && " + command);
  EXPECT_EQ(r.exit_code, 0) << command << "\n" << r.output;
  return test::read_file(dir / output);
}

// ---- content pass ----------------------------------------------------------------------------

TEST(ContentPass, EveryRuleCompilesAndReportsStartOffsetAndLine) {
  auto m = content::Matcher::compile();
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_GE(content::rules().size(), 25u);
  std::string text = "line one\nline two\nxx-----BEGIN RSA PRIVATE KEY-----\nAtzr|" + std::string(60, 'A') + "\n";
  auto matches = m.value()->scan(text);
  bool pem = false, token = false;
  for (const auto& x : matches) {
    if (x.rule == content::rule_id("pem-private-key")) {
      pem = true;
      EXPECT_EQ(x.start, text.find("-----BEGIN"));
      EXPECT_EQ(x.line, 3u);
    }
    if (x.rule == content::rule_id("lwa-refresh-token")) {
      token = true;
      EXPECT_EQ(x.start, text.find("Atzr|"));
      EXPECT_EQ(x.line, 4u);
    }
  }
  EXPECT_TRUE(pem);
  EXPECT_TRUE(token);
}

TEST(ContentPass, MatchAcrossChunkBoundaryKeepsOffsetAndLine) {
  // 256 KiB chunks: put the header across the first boundary, after 1000 lines.
  std::string data;
  for (int i = 0; i < 1000; ++i) data += "filler line of text\n";
  data += std::string((256u << 10) - 10 - data.size(), 'z');
  data += "-----BEGIN EC PRIVATE KEY-----\n";
  data += std::string(1000, 'q');
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/big.bin", data);
  inventory::Inventory inv;
  std::vector<Diagnostic> diags;
  inv.walk(inv.add_filesystem({"", "squashfs", 0, "", 0, v}), diags);
  inv.finish();
  auto pass = run_pass(inv, 1);
  ASSERT_EQ(pass.files.size(), 1u);
  ASSERT_EQ(pass.files[0].matches.size(), 1u);
  EXPECT_EQ(pass.files[0].matches[0].start, (256u << 10) - 10);
  EXPECT_EQ(pass.files[0].matches[0].line, 1001u);
  EXPECT_EQ(pass.bytes_scanned, data.size());
}

TEST(ContentPass, SameResultWhateverTheThreadCount) {
  auto v = std::make_shared<MemoryVfs>();
  for (int i = 0; i < 50; ++i) add(*v, "/f" + std::to_string(i), i % 3 ? "nothing" : "AKIAABCDEFGHIJKLMNOP here");
  inventory::Inventory inv;
  std::vector<Diagnostic> diags;
  inv.walk(inv.add_filesystem({"", "squashfs", 0, "", 0, v}), diags);
  inv.finish();
  auto one = run_pass(inv, 1), four = run_pass(inv, 4);
  ASSERT_EQ(one.files.size(), 17u);
  ASSERT_EQ(four.files.size(), one.files.size());
  for (std::size_t i = 0; i < one.files.size(); ++i) EXPECT_EQ(one.files[i].entry, four.files[i].entry);
}

// ---- key classifier --------------------------------------------------------------------------

TEST(KeyClassifier, OpensslKeysAreClassifiedByAlgorithmSizeAndEncryption) {
  test::TempDir d;
  auto rsa = keys::classify_pem_key(
      make(d, "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem 2>/dev/null", "rsa.pem"));
  ASSERT_TRUE(rsa);
  EXPECT_EQ(rsa->algorithm, "RSA");
  EXPECT_EQ(rsa->bits, 2048);
  EXPECT_FALSE(rsa->encrypted);
  EXPECT_EQ(rsa->format, "PEM PKCS#8");

  auto ec = keys::classify_pem_key(make(d, "openssl ecparam -genkey -name prime256v1 -noout -out ec.pem", "ec.pem"));
  ASSERT_TRUE(ec);
  EXPECT_EQ(ec->algorithm, "EC");
  EXPECT_EQ(ec->bits, 256);
  EXPECT_EQ(ec->format, "PEM traditional");

  auto enc =
      keys::classify_pem_key(make(d, "openssl pkey -in rsa.pem -aes256 -passout pass:secret -out enc.pem", "enc.pem"));
  ASSERT_TRUE(enc);
  EXPECT_TRUE(enc->encrypted);
  EXPECT_EQ(enc->algorithm, "");

  auto legacy = keys::classify_pem_key(
      make(d, "openssl rsa -in rsa.pem -traditional -aes128 -passout pass:secret -out legacy.pem 2>/dev/null",
           "legacy.pem"));
  ASSERT_TRUE(legacy);
  EXPECT_TRUE(legacy->encrypted);
  EXPECT_EQ(legacy->algorithm, "RSA");
  EXPECT_THAT(legacy->protection, HasSubstr("AES-128-CBC"));

  auto der = keys::classify_der_key(make(d, "openssl pkey -in ec.pem -outform DER -out ec.der", "ec.der"));
  ASSERT_TRUE(der);
  EXPECT_EQ(der->algorithm, "EC");
  EXPECT_FALSE(der->encrypted);

  auto der_enc = keys::classify_der_key(
      make(d, "openssl pkcs8 -topk8 -in ec.pem -outform DER -passout pass:x -out ec-enc.der", "ec-enc.der"));
  ASSERT_TRUE(der_enc);
  EXPECT_TRUE(der_enc->encrypted);

  // Not keys: a certificate in DER, random bytes.
  make(d, "openssl req -x509 -new -key rsa.pem -subj /CN=dev -days 30 -out cert.pem", "cert.pem");
  EXPECT_FALSE(keys::classify_der_key(make(d, "openssl x509 -in cert.pem -outform DER -out cert.der", "cert.der")));
  EXPECT_FALSE(keys::classify_der_key(std::string(300, '\x30')));
}

TEST(KeyClassifier, Pkcs12WithEmptyPasswordIsUnencryptedWithPasswordIsEncryptedCertsOnlyIsNoKey) {
  test::TempDir d;
  make(d, "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out k.pem", "k.pem");
  make(d, "openssl req -x509 -new -key k.pem -subj /CN=dev -days 30 -out c.pem", "c.pem");
  auto open = keys::classify_pkcs12(
      make(d, "openssl pkcs12 -export -in c.pem -inkey k.pem -passout pass: -out open.p12", "open.p12"));
  ASSERT_TRUE(open);
  EXPECT_FALSE(open->encrypted) << open->protection;
  auto locked = keys::classify_pkcs12(
      make(d, "openssl pkcs12 -export -in c.pem -inkey k.pem -passout pass:hunter2 -out locked.p12", "locked.p12"));
  ASSERT_TRUE(locked);
  EXPECT_TRUE(locked->encrypted);
  EXPECT_FALSE(keys::classify_pkcs12(
      make(d, "openssl pkcs12 -export -nokeys -in c.pem -passout pass: -out certs.p12", "certs.p12")));
}

TEST(KeyClassifier, OpensshKeysFromSshKeygen) {
  if (!test::have_tool("ssh-keygen")) GTEST_SKIP() << "ssh-keygen not installed";
  test::TempDir d;
  auto plain = keys::classify_pem_key(make(d, "ssh-keygen -q -t ed25519 -N '' -f ed", "ed"));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->algorithm, "ssh-ed25519");
  EXPECT_EQ(plain->bits, 256);
  EXPECT_FALSE(plain->encrypted);
  auto rsa = keys::classify_pem_key(make(d, "ssh-keygen -q -t rsa -b 3072 -N 'pw' -f rsa", "rsa"));
  ASSERT_TRUE(rsa);
  EXPECT_EQ(rsa->algorithm, "ssh-rsa");
  EXPECT_EQ(rsa->bits, 3072);
  EXPECT_TRUE(rsa->encrypted);
  EXPECT_THAT(rsa->protection, HasSubstr("bcrypt"));
}

TEST(KeyClassifier, PuttyKeyHeaderAndEncryptionLine) {
  std::string ppk =
      "PuTTY-User-Key-File-2: ssh-ed25519\nEncryption: none\nComment: dev\nPublic-Lines: 2\n"
      "AAAAC3NzaC1lZDI1NTE5AAAAIMGz0d9dUvc3n3x2\nAAAAAAAAAAAAAAAAAAAAAAAA\nPrivate-Lines: 1\nAAAA\n"
      "Private-MAC: 00\n";
  auto k = keys::classify_putty(ppk);
  ASSERT_TRUE(k);
  EXPECT_EQ(k->algorithm, "ssh-ed25519");
  EXPECT_FALSE(k->encrypted);
  std::string enc = ppk;
  enc.replace(enc.find("none"), 4, "aes256-cbc");
  ASSERT_TRUE(keys::classify_putty(enc));
  EXPECT_TRUE(keys::classify_putty(enc)->encrypted);
  EXPECT_FALSE(keys::classify_putty("PuTTY-User-Key-File-2: ssh-rsa\nsee the manual\n"));
}

TEST(KeyClassifier, PemHeaderQuotedInAManPageIsNotAKey) {
  // What man pages and docs print: the header, an ellipsis and the footer.
  EXPECT_FALSE(keys::classify_pem_key("-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n"));
  EXPECT_FALSE(
      keys::classify_pem_key("-----BEGIN PRIVATE KEY-----\nMIIBVAIBADANBgkqhkiG9w0BAQEFAASC\n"
                             "-----END PRIVATE KEY-----\n"));
  EXPECT_FALSE(
      keys::classify_pem_key("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"
                             "-----END OPENSSH PRIVATE KEY-----\n"));
  EXPECT_FALSE(keys::classify_pem_key("-----BEGIN ENCRYPTED PRIVATE KEY-----\n-----END ENCRYPTED PRIVATE KEY-----\n"));
}

TEST(KeyClassifier, CertificateExpirySelfSignatureAndKeySize) {
  test::TempDir d;
  make(d, "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out k.pem 2>/dev/null", "k.pem");
  auto c = keys::parse_pem_certificate(
      make(d, "openssl req -x509 -new -key k.pem -subj /CN=device-1 -days 1 -out c.pem", "c.pem"));
  ASSERT_TRUE(c);
  EXPECT_THAT(c->subject, HasSubstr("CN=device-1"));
  EXPECT_TRUE(c->self_signed);
  EXPECT_EQ(c->key_bits, 2048);
  ASSERT_TRUE(c->not_after);
  EXPECT_LE(days_since_epoch(*c->not_after) - days_since_epoch(today_utc()), 2);
  EXPECT_EQ(c->sha256.size(), 32u * 3 - 1);
}

// ---- the analyzer ----------------------------------------------------------------------------

TEST(SecretsAnalyzer, UnencryptedKeyFailsEncryptedWarnsDocsWarnManPageAndCleanImagePass) {
  test::TempDir d;
  std::string plain = make(d, "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out k.pem", "k.pem");
  std::string enc = make(d, "openssl pkey -in k.pem -aes256 -passout pass:x -out e.pem", "e.pem");

  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/etc/device/identity.pem", "# device identity\n" + plain, {0644, 0, 0, 0});
  add(*v, "/etc/swupdate/signing.key", plain, {0600, 0, 0, 0});
  add(*v, "/etc/device/backup.pem", enc, {0600, 0, 0, 0});
  add(*v, "/usr/share/doc/demo/examples/server.key", plain);
  add(*v, "/usr/share/man/man1/openssl.1", ".SH EXAMPLE\n-----BEGIN RSA PRIVATE KEY-----\n...\n");
  auto s = scan(v);

  auto* id = s->find("keys-plaintext-private-keys", "/etc/device/identity.pem");
  ASSERT_TRUE(id) << s->describe("keys-plaintext-private-keys");
  EXPECT_EQ(id->status, Status::kFail);
  EXPECT_THAT(id->message, HasSubstr("EC 256-bit"));
  EXPECT_EQ(id->evidence.at(0).line, 2u);
  auto* sign = s->find("keys-plaintext-private-keys", "/etc/swupdate/signing.key");
  ASSERT_TRUE(sign);
  EXPECT_EQ(sign->status, Status::kFail);
  EXPECT_EQ(sign->severity, Severity::kCritical);
  EXPECT_EQ(s->status("keys-plaintext-private-keys", "/etc/device/backup.pem"), Status::kWarn);
  EXPECT_EQ(s->status("keys-plaintext-private-keys", "/usr/share/doc/demo/examples/server.key"), Status::kWarn);
  EXPECT_FALSE(s->find("keys-plaintext-private-keys", "/usr/share/man/man1/openssl.1"));

  // Permissions: the world-readable identity key fails, the 0600 ones do not.
  EXPECT_EQ(s->status("keys-secret-file-perms", "/etc/device/identity.pem"), Status::kFail);
  EXPECT_FALSE(s->find("keys-secret-file-perms", "/etc/swupdate/signing.key"));

  auto clean = std::make_shared<MemoryVfs>();
  add(*clean, "/usr/share/man/man1/openssl.1", ".SH EXAMPLE\n-----BEGIN RSA PRIVATE KEY-----\n...\n");
  add(*clean, "/etc/hostname", "device\n");
  auto c = scan(clean);
  EXPECT_EQ(c->status("keys-plaintext-private-keys"), Status::kPass) << c->describe("keys-plaintext-private-keys");
  EXPECT_THAT(c->find("keys-plaintext-private-keys", "/")->message,
              HasSubstr("1 PEM private-key headers did not parse"));
  EXPECT_EQ(c->status("keys-secret-file-perms"), Status::kNotApplicable);
}

TEST(SecretsAnalyzer, WholeFileDerPkcs12AndOpensshKeysAreFound) {
  test::TempDir d;
  make(d, "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out k.pem 2>/dev/null", "k.pem");
  std::string der = make(d, "openssl pkey -in k.pem -outform DER -out k.der", "k.der");
  make(d, "openssl req -x509 -new -key k.pem -subj /CN=dev -days 30 -out c.pem", "c.pem");
  std::string p12 = make(d, "openssl pkcs12 -export -in c.pem -inkey k.pem -passout pass: -out c.p12", "c.p12");
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/etc/keys/client.der", der, {0600, 0, 0, 0});
  add(*v, "/etc/keys/client.p12", p12, {0600, 0, 0, 0});
  auto s = scan(v);
  EXPECT_EQ(s->status("keys-plaintext-private-keys", "/etc/keys/client.der"), Status::kFail)
      << s->describe("keys-plaintext-private-keys");
  EXPECT_EQ(s->status("keys-plaintext-private-keys", "/etc/keys/client.p12"), Status::kFail);
  EXPECT_EQ(s->status("keys-secret-file-perms"), Status::kPass);
}

TEST(SecretsAnalyzer, LwaTokensFailAndCleanConfigPasses) {
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/opt/alexa/auth.json",
      "{\n  \"clientId\": \"amzn1.application-oa2-client.0123456789abcdef0123456789abcdef\",\n"
      "  \"refreshToken\": \"Atzr|IwEBIA" +
          std::string(80, 'x') + "\"\n}\n",
      {0600, 0, 0, 0});
  auto s = scan(v);
  auto lwa = s->all("keys-lwa-tokens");
  ASSERT_FALSE(lwa.empty());
  EXPECT_EQ(lwa[0]->status, Status::kFail) << s->describe("keys-lwa-tokens");
  EXPECT_EQ(lwa[0]->evidence.at(0).line, 3u);
  EXPECT_THAT(lwa[0]->evidence.at(0).observed, HasSubstr("redacted"));
  EXPECT_THAT(lwa[0]->evidence.at(0).observed, ::testing::Not(HasSubstr(std::string(20, 'x'))));

  auto clean = std::make_shared<MemoryVfs>();
  add(*clean, "/opt/alexa/auth.json", "{ \"clientId\": \"${CLIENT_ID}\", \"refreshToken\": \"\" }\n");
  EXPECT_EQ(scan(clean)->status("keys-lwa-tokens"), Status::kPass);
}

TEST(SecretsAnalyzer, HardcodedCredentialsFailPlaceholdersAndDocsDoNot) {
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/etc/wpa_supplicant/wpa_supplicant.conf", "network={\n  ssid=\"factory\"\n  psk=\"factory-wifi-2023\"\n}\n",
      {0644, 0, 0, 0});
  add(*v, "/etc/hostapd.conf", "interface=wlan0\nwpa_passphrase=setup-ap-pass\n", {0600, 0, 0, 0});
  add(*v, "/usr/bin/upload.sh", "#!/bin/sh\nexport AWS_ID=AKIAQWERTYUIOPASDFGH\n", {0755, 0, 0, 0});
  add(*v, "/etc/mqtt/bridge.conf", "remote_password = s3cr3t-bridge\n", {0600, 0, 0, 0});
  auto s = scan(v);
  EXPECT_EQ(s->status("keys-hardcoded-secrets", "/etc/wpa_supplicant/wpa_supplicant.conf"), Status::kFail)
      << s->describe("keys-hardcoded-secrets");
  EXPECT_EQ(s->find("keys-hardcoded-secrets", "/etc/wpa_supplicant/wpa_supplicant.conf")->evidence.at(0).line, 3u);
  EXPECT_EQ(s->status("keys-hardcoded-secrets", "/etc/hostapd.conf"), Status::kFail);
  EXPECT_EQ(s->status("keys-hardcoded-secrets", "/usr/bin/upload.sh"), Status::kFail);
  EXPECT_EQ(s->status("keys-hardcoded-secrets", "/etc/mqtt/bridge.conf"), Status::kFail);
  EXPECT_EQ(s->status("keys-secret-file-perms", "/etc/wpa_supplicant/wpa_supplicant.conf"), Status::kFail);

  auto clean = std::make_shared<MemoryVfs>();
  add(*clean, "/etc/wpa_supplicant/wpa_supplicant.conf", "network={\n  psk=${WIFI_PSK}\n}\n");
  add(*clean, "/etc/app.conf", "password=\nsecret = <set at provisioning>\n");
  add(*clean, "/usr/share/doc/aws/README", "aws_access_key_id = AKIAQWERTYUIOPASDFGH\n");
  add(*clean, "/usr/bin/tool.sh", "#!/bin/sh\n# AKIAIOSFODNN7EXAMPLE\necho password=$1\n");
  add(*clean, "/usr/share/man/man1/curl.1", "curl ftp://user:passwd@example.com/\n");
  auto c = scan(clean);
  EXPECT_EQ(c->status("keys-hardcoded-secrets"), Status::kPass) << c->describe("keys-hardcoded-secrets");
}

TEST(SecretsAnalyzer, HardwareKeyStoreUsedPresentOrAbsent) {
  auto used = std::make_shared<MemoryVfs>();
  add(*used, "/usr/sbin/tee-supplicant",
      "\x7f"
      "ELF");
  add(*used, "/lib/optee_armtz/f04a0fe7-1f5d-4b9b-abf7-619b85b4ce8c.ta", "TA");
  add(*used, "/usr/lib/libtpm2_pkcs11.so.0",
      "\x7f"
      "ELF");
  add(*used, "/etc/pkcs11/modules/tpm2.module", "module: /usr/lib/libtpm2_pkcs11.so.0\n");
  auto s = scan(used);
  EXPECT_EQ(s->status("keys-hw-keystore-present"), Status::kPass) << s->describe("keys-hw-keystore-present");
  EXPECT_THAT(s->find("keys-hw-keystore-present", "/")->message, HasSubstr("OP-TEE"));

  auto unused = std::make_shared<MemoryVfs>();
  add(*unused, "/usr/sbin/tee-supplicant",
      "\x7f"
      "ELF");
  EXPECT_EQ(scan(unused)->status("keys-hw-keystore-present"), Status::kWarn);

  test::TempDir d;
  auto none = std::make_shared<MemoryVfs>();
  add(*none, "/etc/device.pem", make(d, "openssl genpkey -algorithm ED25519 -out k.pem", "k.pem"), {0600, 0, 0, 0});
  add(*none, "/usr/lib/softhsm/libsofthsm2.so",
      "\x7f"
      "ELF");
  auto n = scan(none);
  EXPECT_EQ(n->status("keys-hw-keystore-present"), Status::kFail) << n->describe("keys-hw-keystore-present");
}

TEST(SecretsAnalyzer, DataAtRestTpmKeyPassesKeyFileWarnsNothingFails) {
  auto tpm = std::make_shared<MemoryVfs>();
  add(*tpm, "/etc/crypttab", "# data\ndata /dev/mmcblk0p4 none tpm2-device=auto,discard\n");
  auto s = scan(tpm);
  EXPECT_EQ(s->status("keys-data-at-rest"), Status::kPass) << s->describe("keys-data-at-rest");
  EXPECT_EQ(s->find("keys-data-at-rest", "/")->evidence.at(0).line, 2u);

  auto keyfile = std::make_shared<MemoryVfs>();
  add(*keyfile, "/etc/crypttab", "data /dev/mmcblk0p4 /etc/keys/data.key luks\n");
  EXPECT_EQ(scan(keyfile)->status("keys-data-at-rest"), Status::kWarn);

  auto luks = std::make_shared<MemoryVfs>();
  add(*luks, "/images/data.img", std::string("LUKS\xba\xbe\x00\x02", 8) + std::string(4096, '\0'));
  EXPECT_EQ(scan(luks)->status("keys-data-at-rest"), Status::kWarn);

  auto nothing = std::make_shared<MemoryVfs>();
  add(*nothing, "/etc/fstab", "/dev/root / squashfs ro 0 0\n");
  EXPECT_EQ(scan(nothing)->status("keys-data-at-rest"), Status::kFail);
}

TEST(SecretsAnalyzer, PlaceholdersAndDocumentationPaths) {
  for (auto p : {"", "\"\"", "****", "${PSK}", "$PASSWORD", "<secret>", "your_password", "none", "{{ pw }}", "xxxx"})
    EXPECT_TRUE(is_placeholder(p)) << p;
  for (auto p : {"factory-wifi-2023", "admin123", "changeme", "s3cr3t"}) EXPECT_FALSE(is_placeholder(p)) << p;
  EXPECT_TRUE(is_documentation_path("/usr/share/doc/openssl/demo.key"));
  EXPECT_TRUE(is_documentation_path("/usr/lib/python3.11/test/keycert.pem"));
  EXPECT_FALSE(is_documentation_path("/etc/ssl/private/device.key"));
}

// ---- precision: grammars and published test keys (issue: precision on real systems) --------

TEST(SecretsPrecision, NsswitchAndPamKeywordsAreNotCredentials) {
  auto v = std::make_shared<MemoryVfs>();
  // Debian 12 libc-bin's /usr/share/libc-bin/nsswitch.conf, copied to /etc by its postinst.
  add(*v, "/etc/nsswitch.conf",
      "# /etc/nsswitch.conf\n\npasswd:         files\ngroup:          files\nshadow:         files\n"
      "gshadow:        files\n\nhosts:          files dns\n");
  add(*v, "/usr/share/libc-bin/nsswitch.conf", "passwd:         files\n");
  add(*v, "/etc/pam.d/common-password",
      "password\t[success=1 default=ignore]\tpam_unix.so obscure yescrypt\npassword\trequisite\tpam_deny.so\n");
  add(*v, "/etc/app/app.conf", "password = hunter2-factory\n");
  auto s = scan(v);
  EXPECT_EQ(s->find("keys-hardcoded-secrets", "/etc/nsswitch.conf"), nullptr) << s->describe("keys-hardcoded-secrets");
  EXPECT_EQ(s->find("keys-hardcoded-secrets", "/usr/share/libc-bin/nsswitch.conf"), nullptr);
  EXPECT_EQ(s->find("keys-hardcoded-secrets", "/etc/pam.d/common-password"), nullptr);
  EXPECT_EQ(s->find("keys-secret-file-perms", "/etc/nsswitch.conf"), nullptr);
  // A real assignment in an ordinary configuration file is still one.
  const Finding* app = s->find("keys-hardcoded-secrets", "/etc/app/app.conf");
  ASSERT_NE(app, nullptr) << s->describe("keys-hardcoded-secrets");
  EXPECT_EQ(app->status, Status::kFail);
}

TEST(SecretsPrecision, GnutlsSelfTestKeysArePublishedNotDeviceKeys) {
  const std::string lib = "/usr/lib/x86_64-linux-gnu/libgnutls.so.30";
  if (!std::filesystem::exists(lib)) GTEST_SKIP() << "no libgnutls30 on this host";
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/usr/lib/x86_64-linux-gnu/libgnutls.so.30.34.3", test::read_file(lib), {0644, 0, 0, 0});
  // A key made here is nobody's published key: it stays a device key.
  add(*v, "/etc/device/identity.key",
      test::run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null").output, {0644, 0, 0, 0});
  auto s = scan(v);
  std::size_t published = 0;
  for (const auto* f : s->all("keys-plaintext-private-keys")) {
    if (f->subject != "/usr/lib/x86_64-linux-gnu/libgnutls.so.30.34.3") continue;
    EXPECT_EQ(f->status, Status::kInfo) << f->message;
    EXPECT_THAT(f->message, HasSubstr("public test key"));
    EXPECT_THAT(f->message, HasSubstr("libgnutls30"));
    ++published;
  }
  EXPECT_EQ(published, 3u) << "GnuTLS 3.7 carries RSA, DSA and EC self-test keys\n"
                           << s->describe("keys-plaintext-private-keys");
  EXPECT_EQ(s->find("keys-secret-file-perms", "/usr/lib/x86_64-linux-gnu/libgnutls.so.30.34.3"), nullptr);
  const Finding* own = s->find("keys-plaintext-private-keys", "/etc/device/identity.key");
  ASSERT_NE(own, nullptr);
  EXPECT_EQ(own->status, Status::kFail);
  const Finding* store = s->find("keys-hw-keystore-present", "/");
  ASSERT_NE(store, nullptr);
  EXPECT_THAT(store->message, HasSubstr("1 private keys")) << "only the device key counts";
}

TEST(SecretsPrecision, PublicKeyDigestIsTheSameForEveryEncodingOfAKey) {
  std::string pem = test::run("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 2>/dev/null").output;
  auto a = keys::classify_pem_key(pem);
  ASSERT_TRUE(a);
  std::string spki_sha = test::run("printf '%s' " + test::shell_quote(pem) +
                                   " | openssl pkey -pubout -outform DER | sha256sum | cut -d' ' -f1")
                             .output;
  EXPECT_EQ(a->public_sha256 + "\n", spki_sha);
  std::string der =
      test::run("printf '%s' " + test::shell_quote(pem) + " | openssl pkey -outform DER | base64 -w0").output;
  auto b = keys::classify_der_key(test::run("printf '%s' " + test::shell_quote(der) + " | base64 -d").output);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->public_sha256, a->public_sha256);
}

}  // namespace
}  // namespace fwcert::analyzers::secrets
