// What protects code after the bootloader: dm-verity, module signing, lockdown and IMA (from
// the kernel configuration the kernel analyzer finds and the kernel command lines), Android
// Verified Boot (vbmeta), rollback protection, and known test keys among the boot chain's
// verification keys.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "analyzers/boot/common.hpp"
#include "core/limits.hpp"
#include "core/text.hpp"
#include "data/resources.hpp"
#include "evidence/evidence.hpp"
#include "formats/elf/elf.hpp"
#include "formats/kernel/cmdline.hpp"

namespace fwcert::analyzers::boot {

namespace {

constexpr std::string_view kVerityCheck = "boot-rootfs-dm-verity";
constexpr std::string_view kModuleCheck = "boot-kernel-module-signing";
constexpr std::string_view kLockdownCheck = "boot-kernel-lockdown";
constexpr std::string_view kImaCheck = "boot-ima-appraisal";
constexpr std::string_view kAvbCheck = "boot-android-avb";
constexpr std::string_view kRollbackCheck = "boot-anti-rollback";
constexpr std::string_view kKeysCheck = "boot-production-keys";

/// One kernel parameter and the command line it is on.
struct Param {
  formats::kernel::CmdlineParam p;
  std::string path;
  std::size_t line = 0;
  Evidence evidence(std::string expected = {}) const {
    return at(path, line, p.has_value ? p.name + "=" + p.value : p.name, std::move(expected));
  }
};

struct KernelView {
  const evidence::FoundConfig* config = nullptr;
  std::vector<Param> params;
  std::size_t cmdlines = 0;

  const formats::kernel::KernelConfig* cfg() const { return config ? &config->config : nullptr; }
  /// The last occurrence of a parameter on any command line (the kernel takes the last).
  const Param* param(std::string_view name) const {
    for (auto it = params.rbegin(); it != params.rend(); ++it) {
      if (it->p.name == name) return &*it;
    }
    return nullptr;
  }
  Evidence option(std::string_view name, std::string expected = {}) const {
    const auto* v = config->config.find(name);
    std::string seen =
        v && v->is_set ? fmt::format("CONFIG_{}={}", name, v->value) : fmt::format("CONFIG_{} is not set", name);
    return at(config->path, v ? v->line : 0, seen, std::move(expected));
  }
  bool on(std::string_view name, bool module = false) const {
    return config && config->config.is_enabled(name, module);
  }
};

KernelView kernel_view(const Context& ctx, const Collected& c) {
  KernelView k;
  const evidence::KernelEvidence& kev = ctx.evidence().kernel();
  k.config = kev.config();
  std::vector<formats::kernel::FoundCmdline> lines = kev.file_cmdlines;
  // bootargs of the U-Boot environment found in binaries and stored environments.
  MergedEnv env = merge(c);
  if (const MergedVar* b = env.find("bootargs"); b && b->from->source != FoundEnv::Source::kText) {
    lines.push_back({b->from->path, b->var->line, b->value});
  }
  for (const auto& v : c.vbmetas) {
    for (const auto& d : v.meta.descriptors) {
      if (d.tag == formats::avb::kTagKernelCmdline) lines.push_back({v.path, 0, d.cmdline});
    }
  }
  if (k.cfg()) {
    if (const auto* cl = k.cfg()->find("CMDLINE"); cl && cl->is_set && !cl->value.empty()) {
      lines.push_back({k.config->path, cl->line, cl->value});
    }
  }
  k.cmdlines = lines.size();
  for (const auto& l : lines) {
    for (auto& p : formats::kernel::split_cmdline(l.text)) k.params.push_back({std::move(p), l.path, l.line});
  }
  return k;
}

// --- dm-verity --------------------------------------------------------------------------

/// The root filesystem's fstab line says ro (true), rw or defaults (false), or there is none.
std::optional<bool> fstab_root_readonly(const inventory::Inventory& inv) {
  if (inv.filesystems().empty()) return std::nullopt;
  auto text = inv.vfs(0).read_file("/etc/fstab", limits::kMaxConfigFileBytes);
  if (!text.ok()) return std::nullopt;
  for (auto [no, line] : text::lines(text.value(), text::kNoLineLimit)) {
    auto words = formats::kernel::split_cmdline(line);
    if (words.size() < 4 || words[0].name.starts_with("#") || words[1].name != "/") continue;
    std::string opts = words[3].name + (words[3].has_value ? "=" + words[3].value : "");
    return ("," + opts + ",").find(",ro,") != std::string::npos;
  }
  return std::nullopt;
}

void check_verity(const Context& ctx, const Collected& c, const KernelView& k, Output& out) {
  std::vector<Evidence> ev;
  std::string corruption;  // the mode of the first verity table found
  for (const auto& p : k.params) {
    bool table = (p.p.name == "dm-mod.create" || p.p.name == "dm") && p.p.value.find("verity") != std::string::npos;
    bool systemd = p.p.name == "roothash" || p.p.name == "systemd.verity_root_data" || p.p.name == "usrhash" ||
                   p.p.name == "systemd.verity_root_hash";
    if (!table && !systemd) continue;
    ev.push_back(p.evidence());
    if (table && corruption.empty()) {
      for (const char* mode : {"ignore_corruption", "restart_on_corruption", "panic_on_corruption"}) {
        if (p.p.value.find(mode) != std::string::npos) corruption = mode;
      }
      if (corruption.empty()) corruption = "default (I/O error on corruption)";
    }
  }
  for (const auto& v : c.vbmetas) {
    bool disabled = v.meta.flags & formats::avb::kFlagHashtreeDisabled;
    for (const auto& d : v.meta.descriptors) {
      if (d.tag == formats::avb::kTagHashtree) {
        ev.push_back(at(v.path, 0,
                        fmt::format("AVB hashtree descriptor for {} ({}){}", d.partition, d.hash_algorithm,
                                    disabled ? ", but the vbmeta flags disable hashtrees" : "")));
      }
    }
  }
  const auto& inv = ctx.inventory;
  for (const auto& e : inv.entries()) {
    std::string_view name = vfs::base_name(e.path);
    if (name == "veritysetup" && inv.filesystems().at(e.filesystem).depth > 0) {
      ev.push_back(at(inv.display_path(e), 0, "veritysetup in the initramfs"));
    }
  }
  bool evidence = !ev.empty();
  std::string subject = k.config ? k.config->path : std::string("rootfs");
  if (evidence) {
    if (k.config && !k.on("DM_VERITY", true)) {
      ev.push_back(k.option("DM_VERITY", "CONFIG_DM_VERITY=y"));
      out.findings.push_back(finding(kVerityCheck, Status::kFail, subject,
                                     "dm-verity is requested but the kernel is built without CONFIG_DM_VERITY",
                                     std::move(ev)));
      return;
    }
    if (k.config) ev.push_back(k.option("DM_VERITY"));
    if (k.config && k.cfg()->find("DM_VERITY_VERIFY_ROOTHASH_SIG"))
      ev.push_back(k.option("DM_VERITY_VERIFY_ROOTHASH_SIG"));
    if (corruption == "ignore_corruption") {
      out.findings.push_back(finding(kVerityCheck, Status::kWarn, subject,
                                     "the root filesystem is verified with dm-verity, but corruption is ignored "
                                     "(ignore_corruption): modified blocks are read anyway",
                                     std::move(ev)));
      return;
    }
    out.findings.push_back(
        finding(kVerityCheck, Status::kPass, subject,
                fmt::format("the root filesystem is verified with dm-verity{}",
                            corruption.empty() ? std::string() : " (corruption mode: " + corruption + ")"),
                std::move(ev)));
    return;
  }
  // No verification: judge the root filesystem's writability.
  const std::string root_type = inv.filesystems().empty() ? std::string() : inv.filesystems().front().type;
  auto ro = fstab_root_readonly(inv);
  bool ro_format = root_type == "squashfs" || root_type == "erofs" || root_type == "cramfs" || root_type == "romfs";
  std::vector<Evidence> why;
  if (k.config) why.push_back(k.option("DM_VERITY", "a dm-verity table on the kernel command line"));
  why.push_back(at("/", 0,
                   fmt::format("root filesystem: {}{}", root_type.empty() ? "unknown" : root_type,
                               ro ? (*ro ? ", fstab mounts / ro" : ", fstab mounts / rw") : ""),
                   "a verified read-only root filesystem"));
  if (ro_format || (ro && *ro)) {
    out.findings.push_back(finding(kVerityCheck, Status::kWarn, subject,
                                   "the root filesystem is read-only but not verified: an offline change to the flash "
                                   "is not detected",
                                   std::move(why)));
  } else if ((ro && !*ro) || root_type.starts_with("ext")) {
    out.findings.push_back(finding(kVerityCheck, Status::kFail, subject,
                                   "the root filesystem is writable and has no integrity protection (no dm-verity "
                                   "table, verity parameters or AVB hashtree found)",
                                   std::move(why)));
  } else {
    out.findings.push_back(finding(kVerityCheck, Status::kInconclusive, subject,
                                   "no dm-verity evidence was found, and whether the root filesystem is read-only is "
                                   "unknown (no fstab entry for /, and the target is not a filesystem image)",
                                   std::move(why)));
  }
}

// --- module signing ---------------------------------------------------------------------

void check_modules(const Context& ctx, const KernelView& k, Output& out) {
  const auto& inv = ctx.inventory;
  std::size_t signed_count = 0, compressed = 0;
  std::vector<std::string> unsigned_paths;
  const auto marker = formats::elf::kModuleSignatureMarker;
  for (const auto& e : inv.entries()) {
    if (!e.st.is_regular() || e.hardlink_secondary) continue;
    std::string_view name = vfs::base_name(e.path);
    if (name.ends_with(".ko.xz") || name.ends_with(".ko.gz") || name.ends_with(".ko.zst")) {
      ++compressed;
      continue;
    }
    if (!name.ends_with(".ko") || e.st.size < marker.size()) continue;
    std::string tail(marker.size(), '\0');
    auto n = inv.vfs(e.filesystem)
                 .read(e.path, e.st.size - marker.size(),
                       std::span<std::byte>(reinterpret_cast<std::byte*>(tail.data()), tail.size()));
    if (!n.ok() || n.value() != tail.size()) continue;
    if (tail == marker) {
      ++signed_count;
    } else {
      unsigned_paths.push_back(inv.display_path(e));
    }
  }
  std::size_t total = signed_count + unsigned_paths.size();
  std::vector<Evidence> ev;
  if (total) {
    ev.push_back(at(total == signed_count ? std::string("/lib/modules") : unsigned_paths.front(), 0,
                    fmt::format("{} of {} kernel modules end with the signature marker{}", signed_count, total,
                                compressed ? fmt::format(" ({} compressed modules not examined)", compressed) : ""),
                    "every module signed (\"~Module signature appended~\")"));
  }
  for (std::size_t i = 1; i < unsigned_paths.size() && i < 10; ++i)
    ev.push_back(at(unsigned_paths[i], 0, "unsigned module"));
  const Param* enforce = k.param("module.sig_enforce");
  bool cmdline_enforce = enforce && enforce->p.has_value && (enforce->p.value == "1" || enforce->p.value == "y");
  if (!k.config) {
    if (!unsigned_paths.empty()) {
      out.findings.push_back(
          finding(kModuleCheck, Status::kWarn, "kernel",
                  fmt::format("{} shipped kernel modules are unsigned, so the kernel evidently loads "
                              "unsigned modules; no kernel configuration was found to confirm",
                              unsigned_paths.size()),
                  std::move(ev)));
    } else {
      out.findings.push_back(finding(kModuleCheck, Status::kInconclusive, "kernel",
                                     "no kernel configuration was found, so module signature enforcement is unknown",
                                     std::move(ev)));
    }
    return;
  }
  const std::string& subject = k.config->path;
  if (!k.on("MODULES")) {
    ev.insert(ev.begin(), k.option("MODULES"));
    out.findings.push_back(finding(kModuleCheck, Status::kPass, subject,
                                   "the kernel is built without loadable module support", std::move(ev)));
    return;
  }
  bool sig = k.on("MODULE_SIG");
  bool force = k.on("MODULE_SIG_FORCE") || cmdline_enforce;
  ev.insert(ev.begin(), k.option("MODULE_SIG_FORCE", "CONFIG_MODULE_SIG_FORCE=y"));
  ev.insert(ev.begin(), k.option("MODULE_SIG", "CONFIG_MODULE_SIG=y"));
  if (cmdline_enforce) ev.push_back(enforce->evidence());
  if (k.cfg()->find("MODULE_SIG_ALL")) ev.push_back(k.option("MODULE_SIG_ALL", "CONFIG_MODULE_SIG_ALL=y"));
  bool sha1 = k.on("MODULE_SIG_SHA1");
  if (sha1) ev.push_back(k.option("MODULE_SIG_SHA1", "CONFIG_MODULE_SIG_SHA256 or stronger"));
  if (!sig) {
    out.findings.push_back(finding(kModuleCheck, Status::kFail, subject,
                                   "the kernel loads modules without checking signatures (CONFIG_MODULE_SIG is off)",
                                   std::move(ev)));
  } else if (!force) {
    out.findings.push_back(finding(kModuleCheck, Status::kWarn, subject,
                                   "modules are signed but unsigned ones still load (no CONFIG_MODULE_SIG_FORCE or "
                                   "module.sig_enforce=1)",
                                   std::move(ev)));
  } else if (!unsigned_paths.empty() || sha1) {
    out.findings.push_back(finding(kModuleCheck, Status::kWarn, subject,
                                   sha1 ? "module signatures are enforced but hashed with SHA-1"
                                        : fmt::format("module signatures are enforced; {} shipped modules are unsigned "
                                                      "and will not load",
                                                      unsigned_paths.size()),
                                   std::move(ev)));
  } else {
    out.findings.push_back(
        finding(kModuleCheck, Status::kPass, subject,
                fmt::format("module signatures are enforced{}",
                            total ? fmt::format(" and all {} shipped modules are signed", total) : ""),
                std::move(ev)));
  }
}

// --- lockdown and IMA -------------------------------------------------------------------

void check_lockdown(const KernelView& k, Output& out) {
  if (!k.config) {
    out.findings.push_back(finding(kLockdownCheck, Status::kInconclusive, "kernel",
                                   "no kernel configuration was found, so the lockdown mode is unknown"));
    return;
  }
  std::vector<Evidence> ev{k.option("SECURITY_LOCKDOWN_LSM", "CONFIG_SECURITY_LOCKDOWN_LSM=y")};
  const Param* mode = k.param("lockdown");
  std::string forced;
  if (k.on("LOCK_DOWN_KERNEL_FORCE_CONFIDENTIALITY"))
    forced = "confidentiality";
  else if (k.on("LOCK_DOWN_KERNEL_FORCE_INTEGRITY"))
    forced = "integrity";
  if (!forced.empty())
    ev.push_back(k.option(forced == "integrity" ? "LOCK_DOWN_KERNEL_FORCE_INTEGRITY"
                                                : "LOCK_DOWN_KERNEL_FORCE_CONFIDENTIALITY"));
  if (mode) ev.push_back(mode->evidence());
  std::string effective = forced;
  if (effective.empty() && mode && (mode->p.value == "integrity" || mode->p.value == "confidentiality")) {
    effective = mode->p.value;
  }
  if (k.on("SECURITY_LOCKDOWN_LSM") && !effective.empty()) {
    out.findings.push_back(finding(kLockdownCheck, Status::kPass, k.config->path,
                                   "kernel lockdown is in " + effective + " mode", std::move(ev)));
    return;
  }
  out.findings.push_back(finding(kLockdownCheck, Status::kWarn, k.config->path,
                                 k.on("SECURITY_LOCKDOWN_LSM")
                                     ? "the lockdown LSM is built but no mode is forced or set on the command line "
                                       "(lockdown=integrity)"
                                     : "the kernel is built without the lockdown LSM",
                                 std::move(ev)));
}

void check_ima(const Context& ctx, const KernelView& k, Output& out) {
  if (!k.config) {
    out.findings.push_back(finding(kImaCheck, Status::kInconclusive, "kernel",
                                   "no kernel configuration was found, so IMA appraisal is unknown"));
    return;
  }
  std::vector<Evidence> ev{k.option("IMA_APPRAISE", "CONFIG_IMA_APPRAISE=y")};
  const Param* appraise = k.param("ima_appraise");
  const Param* policy = k.param("ima_policy");
  if (appraise) ev.push_back(appraise->evidence("ima_appraise=enforce"));
  if (policy) ev.push_back(policy->evidence());
  bool policy_rules = false;
  const auto& inv = ctx.inventory;
  for (std::uint32_t fs = 0; fs < inv.filesystems().size(); ++fs) {
    for (const char* p : {"/etc/ima/ima-policy", "/etc/sysconfig/ima-policy"}) {
      auto text = inv.vfs(fs).read_file(p, limits::kMaxConfigFileBytes);
      if (!text.ok()) continue;
      std::string_view t = text.value();
      if (t.find("appraise ") != std::string_view::npos || t.starts_with("appraise")) {
        policy_rules = true;
        ev.push_back(at(inv.display_path(fs, p), 0, "IMA policy with appraise rules"));
      }
    }
  }
  bool built = k.on("IMA_APPRAISE");
  bool weak_param =
      appraise && (appraise->p.value == "off" || appraise->p.value == "log" || appraise->p.value == "fix");
  bool enforced =
      built && !weak_param &&
      ((appraise && appraise->p.value == "enforce") || policy_rules ||
       (policy && policy->p.value.find("appraise_tcb") != std::string::npos) || k.on("IMA_APPRAISE_BUILD_POLICY"));
  if (enforced) {
    if (k.on("IMA_APPRAISE_BOOTPARAM")) {
      ev.push_back(k.option("IMA_APPRAISE_BOOTPARAM", "CONFIG_IMA_APPRAISE_BOOTPARAM is not set"));
      out.findings.push_back(finding(kImaCheck, Status::kWarn, k.config->path,
                                     "IMA appraisal is enforced, but CONFIG_IMA_APPRAISE_BOOTPARAM lets a command line "
                                     "switch it off",
                                     std::move(ev)));
      return;
    }
    out.findings.push_back(
        finding(kImaCheck, Status::kPass, k.config->path, "IMA appraisal is enforced", std::move(ev)));
    return;
  }
  Finding f = finding(kImaCheck, built ? Status::kWarn : Status::kInfo, k.config->path,
                      built ? "IMA appraisal is built in but not enforced (no ima_appraise=enforce, appraise policy "
                              "or built-in policy)"
                            : "IMA appraisal is not built (recommended, OWASP ISVS level 3)",
                      std::move(ev));
  out.findings.push_back(std::move(f));
}

// --- Android Verified Boot, rollback, test keys -------------------------------------------

/// Known test keys: "sha256-hex name" lines of data/boot-test-keys.txt.
std::vector<std::pair<std::string, std::string>> test_keys() {
  std::vector<std::pair<std::string, std::string>> out;
  for (std::string_view line : data::resource_lines("data/boot-test-keys.txt")) {
    auto sp = line.find(' ');
    if (sp == 64) out.emplace_back(std::string(line.substr(0, 64)), std::string(line.substr(65)));
  }
  return out;
}

const std::pair<std::string, std::string>* known_test_key(const std::string& digest) {
  static const auto kKeys = test_keys();
  for (const auto& k : kKeys) {
    if (k.first == digest) return &k;
  }
  return nullptr;
}

void check_avb(const Collected& c, Output& out) {
  if (c.vbmetas.empty()) {
    if (c.android) {
      out.findings.push_back(finding(kAvbCheck, Status::kInconclusive, c.build_prop,
                                     "an Android build, but no vbmeta image was found in the target"));
    } else {
      out.findings.push_back(
          finding(kAvbCheck, Status::kNotApplicable, "android",
                  "no vbmeta image and no Android build.prop: Android Verified Boot does not apply"));
    }
    return;
  }
  for (const auto& v : c.vbmetas) {
    const auto& m = v.meta;
    std::vector<Evidence> bad;
    Evidence hdr = at(v.path, 0,
                      fmt::format("vbmeta {}.{}: algorithm {}, flags {:#x}, rollback index {} (location {}), {}",
                                  m.version_major, m.version_minor, m.algorithm_name(), m.flags, m.rollback_index,
                                  m.rollback_index_location, m.release));
    hdr.offset = 0;
    if (m.flags & formats::avb::kFlagVerificationDisabled) {
      bad.push_back(at(v.path, 0, "flag VERIFICATION_DISABLED (2) set", "flags 0"));
    }
    if (m.flags & formats::avb::kFlagHashtreeDisabled) {
      bad.push_back(at(v.path, 0, "flag HASHTREE_DISABLED (1) set", "flags 0"));
    }
    if (m.algorithm == 0)
      bad.push_back(at(v.path, 0, "algorithm NONE: vbmeta is not signed", "SHA256_RSA4096 or similar"));
    if (const auto* k = known_test_key(m.public_key_sha256)) {
      bad.push_back(at(v.path, 0, "public key is " + k->second + " (SHA-256 " + m.public_key_sha256 + ")",
                       "a private production key"));
    }
    out.facts.push_back({"boot", v.path, "avb.vbmeta", hdr.observed, hdr});
    if (!bad.empty()) {
      bad.insert(bad.begin(), hdr);
      out.findings.push_back(finding(kAvbCheck, Status::kFail, v.path,
                                     "Android Verified Boot is disabled, unsigned or signed with a public test key",
                                     std::move(bad)));
    } else {
      out.findings.push_back(finding(kAvbCheck, Status::kPass, v.path,
                                     fmt::format("vbmeta is signed ({}, {}-bit key) with verification enabled; the "
                                                 "device lock state needs live evidence",
                                                 m.algorithm_name(), m.public_key_bits),
                                     {hdr}));
    }
  }
}

void check_rollback(const Collected& c, Output& out) {
  std::vector<Evidence> ev;
  for (const auto& v : c.vbmetas) {
    if (v.meta.algorithm != 0) {
      ev.push_back(at(
          v.path, 0,
          fmt::format("AVB rollback index {} at location {}", v.meta.rollback_index, v.meta.rollback_index_location)));
    }
  }
  bool boot_chain = !c.binaries.empty() || !c.fits.empty() || !c.vbmetas.empty() || !c.envs.empty();
  if (!ev.empty()) {
    std::string first = ev.front().path;
    out.findings.push_back(
        finding(kRollbackCheck, Status::kPass, first, "the boot chain checks rollback indexes (AVB)", std::move(ev)));
  } else if (boot_chain) {
    out.findings.push_back(finding(kRollbackCheck, Status::kWarn, "boot",
                                   "no rollback protection was found for the boot chain (no AVB rollback index); "
                                   "update-agent downgrade policies are judged by the updates analyzer"));
  } else {
    out.findings.push_back(finding(kRollbackCheck, Status::kInconclusive, "boot",
                                   "no boot chain artefact was found to look for rollback protection in"));
  }
}

void check_keys(const Collected& c, Output& out) {
  std::vector<Evidence> bad, named, seen;
  auto judge_name = [&](const std::string& path, const std::string& what, const std::string& name) {
    std::string l = text::lower(name);
    for (const char* word : {"dev", "test", "example", "sample", "demo", "debug"}) {
      if (l.find(word) != std::string::npos) {
        named.push_back(at(path, 0, fmt::format("{} named \"{}\"", what, name), "a production key name"));
        return;
      }
    }
    seen.push_back(at(path, 0, fmt::format("{} \"{}\"", what, name)));
  };
  for (const auto& t : c.control_dtbs) {
    for (const auto& k : t.tree.keys) {
      judge_name(t.path, "U-Boot key " + k.node, k.key_name_hint.empty() ? k.node : k.key_name_hint);
      if (const auto* tk = known_test_key(k.public_key_sha256)) {
        bad.push_back(at(t.path, 0, "U-Boot key " + k.node + " is " + tk->second, "a private production key"));
      }
    }
  }
  for (const auto& f : c.fits) {
    for (const auto& conf : f.tree.configurations) {
      for (const auto& s : conf.signatures) {
        if (!s.key_name_hint.empty()) judge_name(f.path, "FIT signing key", s.key_name_hint);
      }
    }
  }
  for (const auto& v : c.vbmetas) {
    if (v.meta.public_key_sha256.empty()) continue;
    if (const auto* tk = known_test_key(v.meta.public_key_sha256)) {
      bad.push_back(at(v.path, 0, "vbmeta public key is " + tk->second, "a private production key"));
    } else {
      seen.push_back(at(v.path, 0, "vbmeta public key SHA-256 " + v.meta.public_key_sha256));
    }
  }
  if (!bad.empty()) {
    bad.insert(bad.end(), named.begin(), named.end());
    std::string first = bad.front().path;
    out.findings.push_back(
        finding(kKeysCheck, Status::kFail, first, "a boot verification key is a published test key", std::move(bad)));
  } else if (!named.empty()) {
    std::string first = named.front().path;
    out.findings.push_back(finding(kKeysCheck, Status::kWarn, first,
                                   "boot verification keys are named like development or test keys", std::move(named)));
  } else if (!seen.empty()) {
    std::string first = seen.front().path;
    out.findings.push_back(finding(kKeysCheck, Status::kPass, first,
                                   fmt::format("{} boot verification key(s), none a known test key", seen.size()),
                                   std::move(seen)));
  } else {
    out.findings.push_back(finding(kKeysCheck, Status::kInconclusive, "boot",
                                   "no boot verification key (U-Boot control DTB, FIT, vbmeta) was found"));
  }
}

}  // namespace

void check_integrity(const Context& ctx, const Collected& c, Output& out) {
  KernelView k = kernel_view(ctx, c);
  check_verity(ctx, c, k, out);
  check_modules(ctx, k, out);
  check_lockdown(k, out);
  check_ima(ctx, k, out);
  check_avb(c, out);
  check_rollback(c, out);
  check_keys(c, out);
}

}  // namespace fwcert::analyzers::boot
