// FIT images and U-Boot control DTBs made by the real tools: dtc compiles a minimal control
// DTB, openssl makes an RSA-2048 key, mkimage builds FITs and signs them with -k, writing the
// public key into the control DTB with -r (required) or without (optional). Also legacy
// uImages (mkimage -T kernel) and the control DTB appended to a real U-Boot binary.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "analyzers/boot/boot.hpp"
#include "boot_support.hpp"
#include "formats/fit/fit.hpp"

namespace fwcert {
namespace {

namespace ff = formats::fit;
using test::AnalyzerScan;
using test::must_run;

std::span<const std::byte> bytes(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

constexpr const char* kIts = R"(/dts-v1/;
/ {
  description = "kernel and device tree";
  #address-cells = <1>;
  images {
    kernel-1 { data = /incbin/("Image"); type = "kernel"; arch = "arm64"; os = "linux"; compression = "none";
               load = <0x80000>; entry = <0x80000>; hash-1 { algo = "HASH"; }; };
    fdt-1 { data = /incbin/("board.dtb"); type = "flat_dt"; arch = "arm64"; compression = "none";
            hash-1 { algo = "HASH"; }; };
  };
  configurations {
    default = "conf-1";
    conf-1 { kernel = "kernel-1"; fdt = "fdt-1";
             signature-1 { algo = "HASH,rsa2048"; key-name-hint = "prod"; sign-images = "fdt", "kernel"; }; };
  };
};
)";

/// A work directory with a kernel stand-in, a board DTB, a control DTB and the prod key.
struct FitTools {
  test::TempDir d;
  bool ok = false;
  FitTools() {
    if (!test::have_tool("mkimage") || !test::have_tool("dtc")) return;
    test::write_file(d / "Image", std::string(8192, '\x1f') + "kernel");
    test::write_file(d / "board.dts", "/dts-v1/;\n/ { model = \"board\"; compatible = \"vendor,board\"; };\n");
    test::write_file(d / "u-boot.dts", "/dts-v1/;\n/ { model = \"u-boot\"; };\n");
    must_run(d.path(), "dtc -I dts -O dtb -o board.dtb board.dts && dtc -I dts -O dtb -o u-boot.dtb u-boot.dts");
    must_run(d.path(),
             "openssl genrsa -out prod.key 2048 2>/dev/null && openssl req -batch -new -x509 -key prod.key "
             "-out prod.crt -subj /CN=prod 2>/dev/null");
    ok = true;
  }
  /// Builds NAME.itb with the given hash algorithm; signs it (writing the key into u-boot.dtb,
  /// required when asked) unless `sign` is false.
  std::string fit(const std::string& name, const std::string& hash, bool sign, bool required) {
    std::string its = kIts;
    for (auto p = its.find("HASH"); p != std::string::npos; p = its.find("HASH")) its.replace(p, 4, hash);
    test::write_file(d / (name + ".its"), its);
    must_run(d.path(), "mkimage -f " + name + ".its " + name + ".itb > /dev/null");
    if (sign) {
      must_run(d.path(),
               "mkimage -F -k . -K u-boot.dtb " + std::string(required ? "-r " : "") + name + ".itb > /dev/null 2>&1");
    }
    return test::read_file(d / (name + ".itb"));
  }
  std::string control_dtb() { return test::read_file(d / "u-boot.dtb"); }
};

std::string sha256_hex(const std::string& data) {
  unsigned char md[32];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned i = 0; i < n; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

TEST(FitParse, SignedFitAndRequiredKeyFromMkimage) {
  FitTools t;
  if (!t.ok) GTEST_SKIP() << "u-boot-tools or device-tree-compiler not installed";
  auto fit = ff::parse(bytes(t.fit("signed", "sha256", true, true)));
  ASSERT_TRUE(fit.ok()) << fit.error().describe();
  EXPECT_TRUE(fit->is_fit);
  EXPECT_EQ(fit->default_configuration, "conf-1");
  ASSERT_EQ(fit->images.size(), 2u);
  EXPECT_EQ(fit->images[0].type, "kernel");
  ASSERT_EQ(fit->images[0].hashes.size(), 1u);
  EXPECT_EQ(fit->images[0].hashes[0].algo, "sha256");
  EXPECT_TRUE(fit->images[0].hashes[0].has_value);
  ASSERT_EQ(fit->configurations.size(), 1u);
  ASSERT_EQ(fit->configurations[0].signatures.size(), 1u);
  const auto& sig = fit->configurations[0].signatures[0];
  EXPECT_TRUE(sig.has_value);
  EXPECT_EQ(sig.key_name_hint, "prod");
  EXPECT_EQ(sig.sign_images, (std::vector<std::string>{"fdt", "kernel"}));

  auto ctl = ff::parse(bytes(t.control_dtb()));
  ASSERT_TRUE(ctl.ok());
  EXPECT_FALSE(ctl->is_fit);
  ASSERT_TRUE(ctl->has_signature_node);
  ASSERT_EQ(ctl->keys.size(), 1u);
  EXPECT_EQ(ctl->keys[0].node, "key-prod");
  EXPECT_EQ(ctl->keys[0].required, "conf");
  EXPECT_EQ(ctl->keys[0].algo, "sha256,rsa2048");
  EXPECT_EQ(ctl->keys[0].rsa_bits, 2048u);
  // The digest is over the modulus bytes, which openssl prints independently.
  auto mod = test::run("openssl rsa -in " + test::shell_quote(t.d / "prod.key") + " -noout -modulus 2>/dev/null");
  std::string hex = mod.output.substr(mod.output.find('=') + 1, 512);
  std::string raw;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    raw.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  EXPECT_EQ(ctl->keys[0].public_key_sha256, sha256_hex(raw));
}

TEST(FitParse, DamageAndAppendedTrees) {
  FitTools t;
  if (!t.ok) GTEST_SKIP() << "u-boot-tools or device-tree-compiler not installed";
  std::string dtb = t.control_dtb();
  // Cut short: totalsize exceeds the bytes.
  EXPECT_FALSE(ff::parse(bytes(dtb.substr(0, dtb.size() - 4))).ok());
  // Damaged structure block.
  std::string bad = dtb;
  bad[0x40] = '\x7f';
  bad[0x41] = '\x7f';
  EXPECT_FALSE(ff::parse(bytes(bad)).ok());
  // Appended at an odd offset after code that holds a fake magic.
  std::string blob = std::string(1001, '\x13') + "\xd0\x0d\xfe\xed\xff\xff\xff\xff" + dtb;
  auto offs = ff::find_fdts(bytes(blob));
  ASSERT_EQ(offs.size(), 1u);
  EXPECT_EQ(offs[0], 1009u);
  EXPECT_TRUE(ff::parse(bytes(blob).subspan(1009)).ok());
  auto a = ff::split_algorithm("sha256,ecdsa384");
  EXPECT_EQ(a.hash, "sha256");
  EXPECT_EQ(a.bits, 384u);
  EXPECT_TRUE(ff::is_strong_cipher(a));
  EXPECT_FALSE(ff::is_strong_cipher(ff::split_algorithm("sha256,rsa1024")));
  EXPECT_FALSE(ff::is_strong_hash("sha1"));
}

TEST(BootFit, RequiredKeyAndSignedFitPass) {
  FitTools t;
  if (!t.ok) GTEST_SKIP() << "u-boot-tools or device-tree-compiler not installed";
  auto v = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v->add_file("/boot/fitImage", t.fit("signed", "sha256", true, true)).ok());
  ASSERT_TRUE(v->add_file("/boot/u-boot.dtb", t.control_dtb()).ok());
  AnalyzerScan s(v, &analyzers::boot::run);
  const Finding& ctl = s.about("boot-uboot-fit-required-key", "/boot/u-boot.dtb");
  EXPECT_EQ(ctl.status, Status::kPass) << ctl.message;
  EXPECT_TRUE(s.evidence_has(ctl, "required \"conf\""));
  const Finding& fit = s.about("boot-uboot-fit-required-key", "/boot/fitImage");
  EXPECT_EQ(fit.status, Status::kPass) << fit.message;
}

TEST(BootFit, OptionalKeyFailsOpen) {
  FitTools t;
  if (!t.ok) GTEST_SKIP() << "u-boot-tools or device-tree-compiler not installed";
  auto v = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v->add_file("/boot/fitImage", t.fit("signed", "sha256", true, false)).ok());
  ASSERT_TRUE(v->add_file("/boot/u-boot.dtb", t.control_dtb()).ok());
  AnalyzerScan s(v, &analyzers::boot::run);
  const Finding& ctl = s.about("boot-uboot-fit-required-key", "/boot/u-boot.dtb");
  EXPECT_EQ(ctl.status, Status::kFail) << ctl.message;
  EXPECT_NE(ctl.message.find("fail-open"), std::string::npos);
  EXPECT_TRUE(s.evidence_has(ctl, "required = \"conf\" (mkimage -r)"));
  // The FIT is signed, but by a key U-Boot does not require.
  EXPECT_EQ(s.about("boot-uboot-fit-required-key", "/boot/fitImage").status, Status::kFail);
}

TEST(BootFit, UnsignedAndWeaklyHashedFitsFail) {
  FitTools t;
  if (!t.ok) GTEST_SKIP() << "u-boot-tools or device-tree-compiler not installed";
  auto v = std::make_shared<vfs::MemoryVfs>();
  // Built from a signing template but never signed: the signature node has no value.
  ASSERT_TRUE(v->add_file("/boot/unsigned.itb", t.fit("unsigned", "sha256", false, false)).ok());
  ASSERT_TRUE(v->add_file("/boot/sha1.itb", t.fit("sha1", "sha1", true, true)).ok());
  AnalyzerScan s(v, &analyzers::boot::run);
  const Finding& u = s.about("boot-uboot-fit-required-key", "/boot/unsigned.itb");
  EXPECT_EQ(u.status, Status::kFail) << u.message;
  EXPECT_NE(u.message.find("unsigned"), std::string::npos) << u.message;
  EXPECT_TRUE(s.evidence_has(u, "never signed"));
  const Finding& w = s.about("boot-uboot-fit-required-key", "/boot/sha1.itb");
  EXPECT_EQ(w.status, Status::kFail) << w.message;
  EXPECT_TRUE(s.evidence_has(w, "hashed only with sha1"));
  // The sha1 FIT's key went into u-boot.dtb, which this target does not hold: a signed FIT
  // alone proves nothing about what U-Boot requires.
  auto v2 = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v2->add_file("/boot/fitImage", t.fit("good", "sha256", true, true)).ok());
  AnalyzerScan s2(v2, &analyzers::boot::run);
  EXPECT_EQ(s2.only("boot-uboot-fit-required-key").status, Status::kInconclusive);
}

TEST(BootFit, ControlDtbAppendedToRealUbootAndLegacyKernel) {
  FitTools t;
  if (!t.ok) GTEST_SKIP() << "u-boot-tools or device-tree-compiler not installed";
  (void)t.fit("signed", "sha256", true, true);
  std::string uboot = test::read_file("/usr/lib/u-boot/qemu_arm64/u-boot.bin");
  ASSERT_FALSE(uboot.empty()) << "install u-boot-qemu";
  auto v = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v->add_file("/boot/u-boot.bin", uboot + t.control_dtb()).ok());
  must_run(t.d.path(),
           "mkimage -A arm64 -O linux -T kernel -C none -a 0x80000 -e 0x80000 -n legacy -d Image "
           "uImage > /dev/null");
  ASSERT_TRUE(v->add_file("/boot/uImage", test::read_file(t.d / "uImage")).ok());
  AnalyzerScan s(v, &analyzers::boot::run);
  const Finding& ctl = s.only("boot-uboot-fit-required-key");
  EXPECT_EQ(ctl.status, Status::kPass) << ctl.message;
  EXPECT_TRUE(ctl.evidence.at(0).offset.has_value());
  EXPECT_EQ(*ctl.evidence.at(0).offset, uboot.size());
  const Finding& legacy = s.only("boot-uboot-legacy-disabled");
  EXPECT_EQ(legacy.status, Status::kFail) << legacy.message;
  EXPECT_TRUE(s.evidence_has(legacy, "legacy uImage \"legacy\" (kernel)"));

  // The U-Boot configuration, when shipped, decides: legacy images off is a pass.
  ASSERT_TRUE(v->add_file("/boot/u-boot.config",
                          "CONFIG_FIT=y\nCONFIG_FIT_SIGNATURE=y\n# CONFIG_LEGACY_IMAGE_FORMAT is not set\n")
                  .ok());
  AnalyzerScan s2(v, &analyzers::boot::run);
  const Finding& l2 = s2.only("boot-uboot-legacy-disabled");
  EXPECT_EQ(l2.status, Status::kPass) << l2.message;
  EXPECT_EQ(l2.subject, "/boot/u-boot.config");
}

}  // namespace
}  // namespace fwcert
