// The avs analyzer over an AlexaClientSDKConfig.json in a good and a bad state: ownership and
// mode, tokens, gateway, serial, CA path, databases, the Smart Screen websocket, PKCS#11, and
// SDK binaries compiled with gcc at test time (one with a writable RUNPATH).

#include "analyzers/avs/avs.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "inventory/inventory.hpp"
#include "support/analyzer_run.hpp"
#include "support/test_util.hpp"
#include "vfs/memory_vfs.hpp"

namespace fwcert::analyzers::avs {
namespace {

using ::testing::HasSubstr;
using vfs::MemoryVfs;

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
  Status status(std::string_view check) const { return first(check) ? first(check)->status : Status::kInfo; }
  std::string describe() const {
    std::string d;
    for (const auto& f : out.findings)
      d += f.check + " " + to_string(f.status) + " " + f.subject + ": " + f.message + "\n";
    return d;
  }
  std::vector<const Finding*> all(std::string_view check) const {
    std::vector<const Finding*> v;
    for (const auto& f : out.findings) {
      if (f.check == check) v.push_back(&f);
    }
    return v;
  }
};

std::unique_ptr<Scan> scan(std::shared_ptr<MemoryVfs> v) {
  auto s = std::make_unique<Scan>();
  std::vector<Diagnostic> diags;
  s->inv.walk(s->inv.add_filesystem({"", "squashfs", 0, "", 0, v}), diags);
  s->inv.finish();
  s->options.threads = 1;
  s->out = run(Context{s->inv, test::analyzer_options(s->options)});
  return s;
}

void add(MemoryVfs& v, std::string_view path, std::string_view text, vfs::FileMeta meta = {}) {
  ASSERT_TRUE(v.add_file(path, text, meta).ok()) << path;
}

std::string compile(const test::TempDir& d, const std::string& flags) {
  test::write_file(d / "main.c", "int main(void) { return 0; }\n");
  auto r = test::run("gcc -O2 " + flags + " -o " + d.path() + "/SampleApp " + d.path() + "/main.c 2>&1");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return test::read_file(d / "SampleApp");
}

constexpr const char* kGoodConfig = R"({
  "deviceInfo": { "clientId": "amzn1.application-oa2-client.0123", "deviceSerialNumber": "A1B2C3-0001" },
  "cblAuthDelegate": { "databaseFilePath": "/data/alexa/cblAuthDelegate.db" },
  "alertsCapabilityAgent": { "databaseFilePath": "/data/alexa/alerts.db" },
  "libcurlUtils": { "CURLOPT_CAPATH": "/etc/alexa/certs" },
  "avsGatewayManager": { "avsGateway": "https://alexa.na.gateway.devices.a2z.com" },
  "pkcs11Module": { "libraryPath": "/usr/lib/libtpm2_pkcs11.so.0", "tokenName": "alexa", "defaultKeyName": "k" },
  "sampleApp": { "websocketInterface": "127.0.0.1", "websocketPort": 8933,
                 "websocketCertificate": "/etc/alexa/ws.crt", "websocketPrivateKey": "/etc/alexa/ws.key" }
}
)";

constexpr const char* kBadConfig = R"({
  "deviceInfo": { "clientId": "amzn1.application-oa2-client.0123", "deviceSerialNumber": "123456" },
  "authDelegate": { "clientSecret": "4a9b1c0d2e3f", "refreshToken": "Atzr|IwEBIAbcdef" },
  "miscDatabase": { "databaseFilePath": "/tmp/miscDatabase.db" },
  "alertsCapabilityAgent": { "databaseFilePath": "/data/alerts.db" },
  "avsGatewayManager": { "avsGateway": "http://alexa.na.gateway.devices.a2z.com" },
  "pkcs11Module": { "libraryPath": "/usr/lib/softhsm/libsofthsm2.so", "userPin": "1234" },
  "sampleApp": { "websocketInterface": "0.0.0.0", "websocketPort": 8933 }
}
)";

TEST(AvsAnalyzer, GoodConfigurationPassesEveryCheck) {
  test::TempDir d;
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/etc/alexa/AlexaClientSDKConfig.json", kGoodConfig, {0640, 0, 0, 0});
  ASSERT_TRUE(v->add_dir("/data/alexa", {0700, 999, 999, 0}).ok());
  ASSERT_TRUE(v->add_dir("/etc/alexa/certs", {0755, 0, 0, 0}).ok());
  add(*v, "/etc/alexa/ws.key", "key", {0600, 999, 999, 0});
  add(*v, "/etc/alexa/ws.crt", "crt");
  add(*v, "/usr/lib/libtpm2_pkcs11.so.0",
      "\x7f"
      "ELF");
  add(*v, "/usr/bin/SampleApp", compile(d, "-fPIE -pie -fstack-protector-strong -Wl,-z,relro,-z,now"), {0755, 0, 0, 0});
  auto s = scan(v);
  for (auto check : {"avs-config-protected", "avs-state-protected", "avs-ipc-protected", "avs-executables-protected",
                     "keys-avs-pkcs11"}) {
    for (const auto* f : s->all(check)) EXPECT_EQ(f->status, Status::kPass) << s->describe();
    EXPECT_FALSE(s->all(check).empty()) << check;
  }
  EXPECT_THAT(s->first("avs-executables-protected")->message, HasSubstr("all 1 AVS SDK binaries"));
}

TEST(AvsAnalyzer, BadConfigurationFailsEveryCheck) {
  test::TempDir d;
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/etc/alexa/AlexaClientSDKConfig.json", kBadConfig, {0644, 0, 0, 0});
  ASSERT_TRUE(v->add_dir("/data", {0777, 0, 0, 0}).ok());
  ASSERT_TRUE(v->add_dir("/tmp/libs", {0777, 0, 0, 0}).ok());
  add(*v, "/usr/lib/softhsm/libsofthsm2.so",
      "\x7f"
      "ELF");
  add(*v, "/usr/bin/SampleApp", compile(d, "-Wl,--enable-new-dtags,-rpath,/tmp/libs"), {0755, 0, 0, 0});
  auto s = scan(v);
  auto* cfg = s->first("avs-config-protected");
  ASSERT_TRUE(cfg) << s->describe();
  EXPECT_EQ(cfg->status, Status::kFail);
  EXPECT_THAT(cfg->message, HasSubstr("refreshToken and clientSecret, and every user can read it"));
  EXPECT_THAT(cfg->message, HasSubstr("not https"));
  for (const auto* f : s->all("avs-state-protected")) EXPECT_EQ(f->status, Status::kFail) << s->describe();
  EXPECT_EQ(s->all("avs-state-protected").size(), 2u);
  EXPECT_EQ(s->status("avs-ipc-protected"), Status::kFail);
  EXPECT_THAT(s->first("avs-ipc-protected")->message, HasSubstr("0.0.0.0"));
  EXPECT_THAT(s->first("avs-ipc-protected")->message, HasSubstr("without TLS"));
  EXPECT_EQ(s->status("avs-executables-protected"), Status::kFail);
  EXPECT_THAT(s->first("avs-executables-protected")->message, HasSubstr("/tmp/libs"));
  EXPECT_EQ(s->status("keys-avs-pkcs11"), Status::kWarn);
  EXPECT_THAT(s->first("keys-avs-pkcs11")->message, HasSubstr("SoftHSM"));
}

TEST(AvsAnalyzer, NoSdkMeansNotApplicable) {
  auto v = std::make_shared<MemoryVfs>();
  add(*v, "/etc/hostname", "x\n");
  auto s = scan(v);
  for (const auto& f : s->out.findings) EXPECT_EQ(f.status, Status::kNotApplicable) << f.check;
  EXPECT_EQ(s->out.findings.size(), 5u);
}

}  // namespace
}  // namespace fwcert::analyzers::avs
