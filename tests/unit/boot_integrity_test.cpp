// dm-verity, module signing, lockdown and IMA from kernel configurations and command lines;
// Android vbmeta images written here field by field from the AVB format (public key blob from
// a fresh openssl key); rollback indexes and key names in control DTBs compiled with dtc.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "analyzers/boot/boot.hpp"
#include "boot_support.hpp"
#include "formats/avb/vbmeta.hpp"

namespace fwcert {
namespace {

using test::AnalyzerScan;
using test::must_run;

void be(std::string& out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::string pad8(std::string s) {
  while (s.size() % 8) s.push_back('\0');
  return s;
}

/// An AVB public key blob (AvbRSAPublicKeyHeader: key_num_bits, n0inv; then n and rr) for a
/// fresh RSA key made by openssl. n0inv and rr are not checked by the parser; zeros suffice.
std::string avb_public_key(int bits) {
  test::TempDir d;
  auto r =
      test::run("openssl genrsa " + std::to_string(bits) + " 2>/dev/null | openssl rsa -noout -modulus 2>/dev/null");
  EXPECT_EQ(r.exit_code, 0);
  std::string hex = r.output.substr(r.output.find('=') + 1, static_cast<std::size_t>(bits) / 4);
  std::string blob;
  be(blob, static_cast<std::uint64_t>(bits), 4);
  be(blob, 0, 4);
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    blob.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  blob += std::string(static_cast<std::size_t>(bits) / 8, '\0');
  return blob;
}

std::string descriptor(std::uint64_t tag, const std::string& body) {
  std::string d;
  be(d, tag, 8);
  std::string b = pad8(body);
  be(d, b.size(), 8);
  return d + b;
}

std::string hashtree_descriptor(const std::string& partition) {
  std::string b;
  be(b, 1, 4);                                                            // dm_verity_version
  be(b, 1 << 20, 8);                                                      // image_size
  be(b, 1 << 20, 8);                                                      // tree_offset
  be(b, 4096 * 8, 8);                                                     // tree_size
  be(b, 4096, 4);                                                         // data_block_size
  be(b, 4096, 4);                                                         // hash_block_size
  be(b, 0, 4);                                                            // fec_num_roots
  be(b, 0, 8);                                                            // fec_offset
  be(b, 0, 8);                                                            // fec_size
  b += pad8(std::string("sha256")).substr(0, 8) + std::string(24, '\0');  // hash_algorithm[32]
  be(b, partition.size(), 4);
  be(b, 0, 4);  // salt_len
  be(b, 0, 4);  // root_digest_len
  be(b, 0, 4);  // flags
  b += std::string(60, '\0');
  return descriptor(1, b + partition);
}

std::string cmdline_descriptor(const std::string& cmdline) {
  std::string b;
  be(b, 0, 4);
  be(b, cmdline.size(), 4);
  return descriptor(3, b + cmdline);
}

struct Vbmeta {
  std::string image;
  std::string key;  ///< the public key blob
};

/// A vbmeta image: header, an authentication block of zeros (hash and signature are not
/// verified by the analyzer), and an auxiliary block with descriptors and the public key.
Vbmeta vbmeta(std::uint32_t algorithm, std::uint32_t flags, std::uint64_t rollback, const std::string& descriptors) {
  Vbmeta v;
  v.key = algorithm ? avb_public_key(2048) : std::string();
  std::string aux = pad8(descriptors) + pad8(v.key);
  aux = std::string(aux.size() + (64 - aux.size() % 64) % 64, '\0').replace(0, aux.size(), aux);
  std::uint64_t auth = algorithm ? 64 + 256 : 0;  // SHA-256 hash + RSA-2048 signature, rounded
  std::string h = "AVB0";
  be(h, 1, 4);
  be(h, 2, 4);
  be(h, auth, 8);
  be(h, aux.size(), 8);
  be(h, algorithm, 4);
  be(h, 0, 8);  // hash_offset
  be(h, algorithm ? 32 : 0, 8);
  be(h, 32, 8);  // signature_offset
  be(h, algorithm ? 256 : 0, 8);
  be(h, pad8(descriptors).size(), 8);  // public_key_offset
  be(h, v.key.size(), 8);
  be(h, 0, 8);  // public key metadata
  be(h, 0, 8);
  be(h, 0, 8);  // descriptors_offset
  be(h, descriptors.size(), 8);
  be(h, rollback, 8);
  be(h, flags, 4);
  be(h, 1, 4);  // rollback_index_location
  std::string release = "avbtool 1.2.0";
  h += release + std::string(48 - release.size(), '\0');
  h += std::string(80, '\0');
  EXPECT_EQ(h.size(), 256u);
  v.image = h + std::string(auth, '\0') + aux;
  return v;
}

std::string sha256_hex(const std::string& data) {
  unsigned char md[32];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), md, &n, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned i = 0; i < n; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

std::span<const std::byte> bytes(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

TEST(VbmetaParse, HeaderKeyAndDescriptors) {
  auto v = vbmeta(
      1, 0, 7,
      hashtree_descriptor("system") +
          cmdline_descriptor(
              "dm-mod.create=\"system,,,ro,0 8 verity 1 a b 4096 4096 1 1 sha256 00 00 1 restart_on_corruption\""));
  auto m = formats::avb::parse(bytes(v.image));
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(m->diagnostics.empty()) << m->diagnostics.front();
  EXPECT_EQ(m->algorithm_name(), "SHA256_RSA2048");
  EXPECT_EQ(m->rollback_index, 7u);
  EXPECT_EQ(m->release, "avbtool 1.2.0");
  EXPECT_EQ(m->public_key_bits, 2048u);
  EXPECT_EQ(m->public_key_sha256, sha256_hex(v.key));
  ASSERT_EQ(m->descriptors.size(), 2u);
  EXPECT_EQ(m->descriptors[0].tag, formats::avb::kTagHashtree);
  EXPECT_EQ(m->descriptors[0].partition, "system");
  EXPECT_EQ(m->descriptors[0].hash_algorithm, "sha256");
  EXPECT_NE(m->descriptors[1].cmdline.find("restart_on_corruption"), std::string::npos);
  // A public key offset past the auxiliary block is damage, not a crash.
  std::string bad = v.image;
  bad[64 + 7] = '\x7f';
  auto b = formats::avb::parse(bytes(bad));
  ASSERT_TRUE(b.has_value());
  EXPECT_TRUE(b->public_key_sha256.empty());
  EXPECT_FALSE(b->diagnostics.empty());
  EXPECT_FALSE(formats::avb::parse(bytes(v.image.substr(0, 200))).has_value());
}

TEST(BootAvb, SignedPassesDisabledAndUnsignedFail) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v->add_file("/system/build.prop", "ro.build.type=user\nro.build.tags=release-keys\n").ok());
  ASSERT_TRUE(v->add_file("/images/vbmeta.img", vbmeta(2, 0, 3, hashtree_descriptor("system")).image).ok());
  ASSERT_TRUE(v->add_file("/images/vbmeta_disabled.img", vbmeta(2, 2, 3, "").image).ok());
  ASSERT_TRUE(v->add_file("/images/vbmeta_none.img", vbmeta(0, 0, 0, "").image).ok());
  AnalyzerScan s(v, &analyzers::boot::run);
  EXPECT_EQ(s.about("boot-android-avb", "/images/vbmeta.img").status, Status::kPass);
  const Finding& dis = s.about("boot-android-avb", "vbmeta_disabled.img");
  EXPECT_EQ(dis.status, Status::kFail);
  EXPECT_TRUE(s.evidence_has(dis, "VERIFICATION_DISABLED"));
  const Finding& none = s.about("boot-android-avb", "vbmeta_none.img");
  EXPECT_EQ(none.status, Status::kFail);
  EXPECT_TRUE(s.evidence_has(none, "algorithm NONE"));
  EXPECT_EQ(s.only("boot-anti-rollback").status, Status::kPass);
  // The hashtree descriptor is dm-verity evidence.
  const Finding& verity = s.only("boot-rootfs-dm-verity");
  EXPECT_EQ(verity.status, Status::kPass) << verity.message;
  EXPECT_TRUE(s.evidence_has(verity, "AVB hashtree descriptor for system"));
  const Finding& keys = s.only("boot-production-keys");
  EXPECT_EQ(keys.status, Status::kPass) << keys.message;
}

TEST(BootAvb, AndroidWithoutVbmetaAndNotAndroid) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v->add_file("/system/build.prop", "ro.build.type=user\n").ok());
  AnalyzerScan a(v, &analyzers::boot::run);
  EXPECT_EQ(a.only("boot-android-avb").status, Status::kInconclusive);
  auto w = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(w->add_file("/etc/os-release", "ID=debian\n").ok());
  AnalyzerScan b(w, &analyzers::boot::run);
  EXPECT_EQ(b.only("boot-android-avb").status, Status::kNotApplicable);
  EXPECT_EQ(b.only("boot-anti-rollback").status, Status::kInconclusive);
  EXPECT_EQ(b.only("boot-kernel-lockdown").status, Status::kInconclusive);
  EXPECT_EQ(b.only("boot-ima-appraisal").status, Status::kInconclusive);
  EXPECT_EQ(b.only("boot-kernel-module-signing").status, Status::kInconclusive);
}

constexpr const char* kHardened =
    "# Linux/arm64 6.1.90 Kernel Configuration\n"
    "CONFIG_ARM64=y\n"
    "CONFIG_MODULES=y\n"
    "CONFIG_MODULE_SIG=y\n"
    "CONFIG_MODULE_SIG_FORCE=y\n"
    "CONFIG_MODULE_SIG_ALL=y\n"
    "CONFIG_MODULE_SIG_SHA256=y\n"
    "CONFIG_MD=y\n"
    "CONFIG_BLK_DEV_DM=y\n"
    "CONFIG_DM_VERITY=y\n"
    "CONFIG_SECURITY_LOCKDOWN_LSM=y\n"
    "CONFIG_SECURITY_LOCKDOWN_LSM_EARLY=y\n"
    "CONFIG_LOCK_DOWN_KERNEL_FORCE_INTEGRITY=y\n"
    "CONFIG_IMA=y\n"
    "CONFIG_IMA_APPRAISE=y\n"
    "# CONFIG_IMA_APPRAISE_BOOTPARAM is not set\n";

constexpr const char* kPlain =
    "# Linux/arm64 6.1.90 Kernel Configuration\n"
    "CONFIG_ARM64=y\n"
    "CONFIG_MODULES=y\n"
    "# CONFIG_MODULE_SIG is not set\n"
    "# CONFIG_DM_VERITY is not set\n"
    "# CONFIG_SECURITY_LOCKDOWN_LSM is not set\n"
    "# CONFIG_IMA is not set\n";

const std::string kSigned = std::string(
                                "\x7f"
                                "ELF",
                                4) +
                            std::string(200, '\1') + "~Module signature appended~\n";
const std::string kUnsigned = std::string(
                                  "\x7f"
                                  "ELF",
                                  4) +
                              std::string(200, '\1');

TEST(BootKernelIntegrity, HardenedKernelPassesEveryCheck) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v->add_file("/boot/config-6.1.90", kHardened).ok());
  ASSERT_TRUE(v->add_file("/boot/extlinux/extlinux.conf",
                          "LABEL linux\n  KERNEL /Image\n  APPEND console=ttyS0 root=/dev/dm-0 "
                          "dm-mod.create=\"vroot,,,ro,0 1638400 verity 1 /dev/mmcblk0p2 /dev/mmcblk0p3 4096 4096 "
                          "204800 1 sha256 aa bb 1 panic_on_corruption\" ima_appraise=enforce\n")
                  .ok());
  ASSERT_TRUE(v->add_file("/lib/modules/6.1.90/kernel/a.ko", kSigned).ok());
  ASSERT_TRUE(v->add_file("/lib/modules/6.1.90/kernel/b.ko", kSigned).ok());
  AnalyzerScan s(v, &analyzers::boot::run);
  const Finding& verity = s.only("boot-rootfs-dm-verity");
  EXPECT_EQ(verity.status, Status::kPass) << verity.message;
  EXPECT_NE(verity.message.find("panic_on_corruption"), std::string::npos);
  EXPECT_EQ(verity.evidence.at(0).path, "/boot/extlinux/extlinux.conf");
  EXPECT_EQ(verity.evidence.at(0).line, 3u);
  const Finding& mods = s.only("boot-kernel-module-signing");
  EXPECT_EQ(mods.status, Status::kPass) << mods.message;
  EXPECT_NE(mods.message.find("all 2 shipped modules"), std::string::npos) << mods.message;
  EXPECT_EQ(s.only("boot-kernel-lockdown").status, Status::kPass);
  const Finding& ima = s.only("boot-ima-appraisal");
  EXPECT_EQ(ima.status, Status::kPass) << ima.message;
  EXPECT_TRUE(s.evidence_has(ima, "ima_appraise=enforce"));
}

TEST(BootKernelIntegrity, PlainKernelOnAWritableRootFails) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v->add_file("/boot/config-6.1.90", kPlain).ok());
  ASSERT_TRUE(v->add_file("/etc/fstab", "/dev/mmcblk0p2 / ext4 rw,noatime 0 1\n").ok());
  ASSERT_TRUE(v->add_file("/lib/modules/6.1.90/kernel/a.ko", kUnsigned).ok());
  AnalyzerScan s(v, &analyzers::boot::run);
  EXPECT_EQ(s.only("boot-rootfs-dm-verity").status, Status::kFail);
  const Finding& mods = s.only("boot-kernel-module-signing");
  EXPECT_EQ(mods.status, Status::kFail);
  EXPECT_TRUE(s.evidence_has(mods, "CONFIG_MODULE_SIG is not set"));
  EXPECT_TRUE(s.evidence_has(mods, "0 of 1 kernel modules"));
  EXPECT_EQ(s.only("boot-kernel-lockdown").status, Status::kWarn);
  EXPECT_EQ(s.only("boot-ima-appraisal").status, Status::kInfo);
}

TEST(BootKernelIntegrity, WarnSides) {
  std::string cfg = kHardened;
  cfg.replace(cfg.find("CONFIG_MODULE_SIG_FORCE=y"), 25, "# CONFIG_MODULE_SIG_FORCE is not set");
  cfg.replace(cfg.find("CONFIG_LOCK_DOWN_KERNEL_FORCE_INTEGRITY=y"), 41, "CONFIG_LOCK_DOWN_KERNEL_FORCE_NONE=y");
  auto v = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v->add_file("/boot/config-6.1.90", cfg).ok());
  ASSERT_TRUE(v->add_file("/etc/fstab", "/dev/root / squashfs ro 0 0\n").ok());
  AnalyzerScan s(v, &analyzers::boot::run);
  EXPECT_EQ(s.only("boot-rootfs-dm-verity").status, Status::kWarn);       // read-only, unverified
  EXPECT_EQ(s.only("boot-kernel-module-signing").status, Status::kWarn);  // signed, not enforced
  EXPECT_EQ(s.only("boot-kernel-lockdown").status, Status::kWarn);        // LSM built, no mode
  EXPECT_EQ(s.only("boot-ima-appraisal").status, Status::kWarn);          // built, not enforced

  // lockdown=integrity on the command line and ignore_corruption in the verity table.
  ASSERT_TRUE(v->add_file("/boot/cmdline.txt",
                          "root=/dev/dm-0 lockdown=integrity dm-mod.create=\"r,,,ro,0 8 verity 1 a b 4096 4096 1 1 "
                          "sha256 00 00 1 ignore_corruption\"\n")
                  .ok());
  AnalyzerScan s2(v, &analyzers::boot::run);
  EXPECT_EQ(s2.only("boot-kernel-lockdown").status, Status::kPass);
  const Finding& verity = s2.only("boot-rootfs-dm-verity");
  EXPECT_EQ(verity.status, Status::kWarn);
  EXPECT_NE(verity.message.find("ignore_corruption"), std::string::npos);
}

TEST(BootKernelIntegrity, UnsignedModulesWithoutAConfigWarn) {
  auto v = std::make_shared<vfs::MemoryVfs>();
  ASSERT_TRUE(v->add_file("/lib/modules/5.10.0/extra/vendor.ko", kUnsigned).ok());
  AnalyzerScan s(v, &analyzers::boot::run);
  const Finding& mods = s.only("boot-kernel-module-signing");
  EXPECT_EQ(mods.status, Status::kWarn);
  EXPECT_EQ(mods.evidence.at(0).path, "/lib/modules/5.10.0/extra/vendor.ko");
}

TEST(BootKeys, KeyNamedLikeADevelopmentKeyWarns) {
  if (!test::have_tool("dtc")) GTEST_SKIP() << "device-tree-compiler not installed";
  test::TempDir d;
  for (const char* name : {"dev", "prod"}) {
    test::write_file(d / "u-boot.dts", fmt::format("/dts-v1/;\n/ {{ signature {{ key-{0} {{ required = \"conf\"; "
                                                   "algo = \"sha256,rsa2048\"; key-name-hint = \"{0}\"; "
                                                   "rsa,num-bits = <2048>; rsa,modulus = <1 2 3 4>; }}; }}; }};\n",
                                                   name));
    must_run(d.path(), "dtc -I dts -O dtb -o u-boot.dtb u-boot.dts");
    auto v = std::make_shared<vfs::MemoryVfs>();
    ASSERT_TRUE(v->add_file("/boot/u-boot.dtb", test::read_file(d / "u-boot.dtb")).ok());
    AnalyzerScan s(v, &analyzers::boot::run);
    const Finding& keys = s.only("boot-production-keys");
    EXPECT_EQ(keys.status, std::string(name) == "dev" ? Status::kWarn : Status::kPass) << name << keys.message;
    EXPECT_EQ(s.only("boot-uboot-fit-required-key").status, Status::kPass);
  }
}

}  // namespace
}  // namespace fwcert
