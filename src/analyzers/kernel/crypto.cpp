#include "analyzers/kernel/crypto.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/limits.hpp"

namespace fwcert::analyzers::kernel {

using namespace formats::kernel;

namespace {

constexpr std::string_view kEngineCheck = "crypto-hw-engine";
constexpr std::string_view kRngCheck = "crypto-hw-rng";

/// Options under CRYPTO_DEV_ that are not a hardware engine of the device.
bool is_not_device_engine(std::string_view name) {
  return name == "CRYPTO_DEV_VIRTIO" || name.ends_with("_DEBUG") || name.ends_with("_DEBUGFS") ||
         name.ends_with("_TEST") || name.ends_with("_SELFTEST") || name == "CRYPTO_DEV_ALLWINNER";
}

/// Options under HW_RANDOM_ that are not a hardware source of the device.
bool is_not_device_rng(std::string_view name) { return name == "HW_RANDOM_VIRTIO" || name == "HW_RANDOM_TPM"; }

bool enabled(const ConfigValue* v) { return v && v->is_set && (v->value == "y" || v->value == "m"); }

}  // namespace

std::span<const CryptoOption> crypto_options() {
  static constexpr CryptoOption kOptions[] = {
      // CPU crypto extensions.
      {"CRYPTO_AES_NI_INTEL", "cpu extension", true, false, false},
      {"CRYPTO_SHA256_SSSE3", "cpu extension", false, true, false},
      {"CRYPTO_SHA512_SSSE3", "cpu extension", false, true, false},
      {"CRYPTO_AES_ARM64_CE", "cpu extension", true, false, false},
      {"CRYPTO_AES_ARM64_CE_BLK", "cpu extension", true, false, false},
      {"CRYPTO_AES_ARM64_CE_CCM", "cpu extension", true, false, false},
      {"CRYPTO_SHA2_ARM64_CE", "cpu extension", false, true, false},
      {"CRYPTO_SHA512_ARM64_CE", "cpu extension", false, true, false},
      {"CRYPTO_AES_ARM_CE", "cpu extension", true, false, false},
      {"CRYPTO_SHA2_ARM_CE", "cpu extension", false, true, false},
      {"CRYPTO_AES_RISCV64", "cpu extension", true, false, false},
      {"CRYPTO_SHA256_RISCV64", "cpu extension", false, true, false},
      {"CRYPTO_SHA512_RISCV64", "cpu extension", false, true, false},
      {"CRYPTO_DEV_VMX_ENCRYPT", "cpu extension", true, false, false},
      {"CRYPTO_AES_GCM_P10", "cpu extension", true, false, false},
      {"CRYPTO_AES_S390", "cpu extension", true, false, false},
      {"CRYPTO_SHA256_S390", "cpu extension", false, true, false},
      {"CRYPTO_SHA512_S390", "cpu extension", false, true, false},
      {"CRYPTO_DEV_PADLOCK_AES", "cpu extension", true, false, false},
      {"CRYPTO_DEV_PADLOCK_SHA", "cpu extension", false, true, false},
      // SoC and PCI engines.
      {"CRYPTO_DEV_FSL_CAAM_CRYPTO_API", "engine", true, false, false},
      {"CRYPTO_DEV_FSL_CAAM_AHASH_API", "engine", false, true, false},
      {"CRYPTO_DEV_FSL_CAAM_PKC_API", "engine", false, false, true},
      {"CRYPTO_DEV_SUN8I_CE", "engine", true, false, false},
      {"CRYPTO_DEV_SUN8I_CE_HASH", "engine", false, true, false},
      {"CRYPTO_DEV_SUN8I_SS", "engine", true, false, false},
      {"CRYPTO_DEV_SUN8I_SS_HASH", "engine", false, true, false},
      {"CRYPTO_DEV_SUN4I_SS", "engine", true, false, false},
      {"CRYPTO_DEV_ROCKCHIP", "engine", true, true, false},
      {"CRYPTO_DEV_STM32_CRYP", "engine", true, false, false},
      {"CRYPTO_DEV_STM32_HASH", "engine", false, true, false},
      {"CRYPTO_DEV_OMAP_AES", "engine", true, false, false},
      {"CRYPTO_DEV_OMAP_SHAM", "engine", false, true, false},
      {"CRYPTO_DEV_QCE_SKCIPHER", "engine", true, false, false},
      {"CRYPTO_DEV_QCE_SHA", "engine", false, true, false},
      {"CRYPTO_DEV_MXS_DCP", "engine", true, true, false},
      {"CRYPTO_DEV_ATMEL_AES", "engine", true, false, false},
      {"CRYPTO_DEV_ATMEL_SHA", "engine", false, true, false},
      {"CRYPTO_DEV_ATMEL_ECC", "engine", false, false, true},
      {"CRYPTO_DEV_SAFEXCEL", "engine", true, true, false},
      {"CRYPTO_DEV_CCP_CRYPTO", "engine", true, true, true},
      {"CRYPTO_DEV_QAT_C62X", "engine", true, true, true},
      {"CRYPTO_DEV_QAT_DH895xCC", "engine", true, true, true},
      {"CRYPTO_DEV_QAT_4XXX", "engine", true, true, true},
      {"CRYPTO_DEV_MARVELL_CESA", "engine", true, true, false},
      {"CRYPTO_DEV_TEGRA", "engine", true, true, false},
      {"CRYPTO_DEV_HISI_SEC2", "engine", true, true, false},
      {"CRYPTO_DEV_HISI_HPRE", "engine", false, false, true},
      {"CRYPTO_DEV_MEDIATEK", "engine", true, true, false},
      {"CRYPTO_DEV_AMLOGIC_GXL", "engine", true, false, false},
      {"CRYPTO_DEV_S5P", "engine", true, false, false},
      {"CRYPTO_DEV_EXYNOS_HASH", "engine", false, true, false},
      {"CRYPTO_DEV_ZYNQMP_AES", "engine", true, false, false},
      {"CRYPTO_DEV_KEEMBAY_OCS_AES_SM4", "engine", true, false, false},
      {"CRYPTO_DEV_KEEMBAY_OCS_HCU", "engine", false, true, false},
      {"CRYPTO_DEV_KEEMBAY_OCS_ECC", "engine", false, false, true},
      {"CRYPTO_DEV_CCREE", "engine", true, true, false},
      {"CRYPTO_DEV_ASPEED_HACE_CRYPTO", "engine", true, false, false},
      {"CRYPTO_DEV_ASPEED_HACE_HASH", "engine", false, true, false},
      {"CRYPTO_DEV_ASPEED_ACRY", "engine", false, false, true},
  };
  return kOptions;
}

void check_crypto(const Context& ctx, const KernelConfig* config, const std::string& config_path, Output& out) {
  const auto& inv = ctx.inventory;
  // Shipped modules of crypto drivers and CPU crypto glue, as evidence next to the config.
  std::vector<Evidence> modules;
  bool rngd = false;
  std::vector<Evidence> rngd_ev;
  for (const auto& e : inv.entries()) {
    if (e.hardlink_secondary) continue;
    std::string_view p = e.path;
    if (e.st.is_regular() && p.starts_with("/lib/modules/") && p.find(".ko") != std::string_view::npos &&
        (p.find("/kernel/drivers/crypto/") != std::string_view::npos ||
         (p.find("/kernel/arch/") != std::string_view::npos && p.find("/crypto/") != std::string_view::npos) ||
         p.find("/kernel/drivers/char/hw_random/") != std::string_view::npos)) {
      if (modules.size() < 64)
        modules.push_back(at(inv.display_path(e), 0, "module " + std::string(vfs::base_name(p))));
    }
    std::string_view name = vfs::base_name(p);
    if ((name == "rngd" && (p.starts_with("/usr/sbin/") || p.starts_with("/sbin/") || p.starts_with("/usr/bin/"))) ||
        p == "/etc/default/rng-tools" || p == "/etc/default/rng-tools-debian" || p == "/etc/sysconfig/rngd" ||
        p == "/etc/conf.d/rngd") {
      rngd = true;
      rngd_ev.push_back(at(inv.display_path(e), 0, std::string(name)));
    }
  }
  if (!config) {
    std::string what = modules.empty() ? std::string()
                                       : fmt::format(
                                             " ({} crypto or hwrng modules are shipped; without the "
                                             "configuration fwcert does not judge them)",
                                             modules.size());
    out.findings.push_back(finding(kEngineCheck, Status::kInconclusive, "kernel",
                                   "no kernel configuration was found, so its crypto drivers are unknown" + what,
                                   modules));
    out.findings.push_back(finding(kRngCheck, Status::kInconclusive, "kernel",
                                   "no kernel configuration was found, so its hardware RNG drivers are unknown" + what,
                                   std::move(modules)));
    return;
  }

  // --- engines and CPU extensions
  bool aes = false, sha2 = false;
  std::vector<std::string> offload, unknown, names;
  std::vector<Evidence> ev;
  for (const auto& o : crypto_options()) {
    const ConfigValue* v = config->find(o.option);
    if (!enabled(v)) continue;
    aes |= o.aes;
    sha2 |= o.sha2;
    if (o.pk) offload.emplace_back(o.option);
    names.emplace_back(o.option);
    std::string algos = fmt::format("{}{}{}", o.aes ? "AES " : "", o.sha2 ? "SHA-2 " : "", o.pk ? "RSA/ECC " : "");
    ev.push_back(at(config_path, v->line, fmt::format("CONFIG_{}={} ({}: {})", o.option, v->value, o.kind, algos)));
  }
  for (const auto& [name, v] : config->options) {
    if (!name.starts_with("CRYPTO_DEV_") || !enabled(&v) || is_not_device_engine(name)) continue;
    auto known = crypto_options();
    const std::string& option = name;  // clang 14 cannot capture a structured binding
    if (std::any_of(known.begin(), known.end(), [&option](const CryptoOption& o) {
          return o.option == option || std::string_view(o.option).starts_with(option + "_");
        }))
      continue;
    unknown.push_back(name);
    ev.push_back(
        at(config_path, v.line, fmt::format("CONFIG_{}={} (engine, algorithms not known to fwcert)", name, v.value)));
  }
  ev.insert(ev.end(), modules.begin(), modules.end());
  if (!names.empty()) {
    out.facts.push_back({"kernel", "kernel", "crypto.hw_options", names, at(config_path, 0, "")});
  }
  if (!offload.empty()) {
    out.facts.push_back({"kernel", "kernel", "crypto.pk_offload", offload, at(config_path, 0, "")});
  }
  std::string record = offload.empty() ? std::string("; no RSA/ECC offload")
                                       : fmt::format("; RSA/ECC offload: {}", fmt::format("{}", offload.front()));
  for (std::size_t i = 1; i < offload.size(); ++i) record += ", " + offload[i];
  const std::string priority_note =
      "; whether the hardware implementation wins by priority is only visible on a running unit (/proc/crypto)";
  if (aes && sha2) {
    out.findings.push_back(
        finding(kEngineCheck, Status::kPass, config_path,
                fmt::format("hardware AES and SHA-2 are built ({} options){}{}", names.size(), record, priority_note),
                std::move(ev)));
  } else {
    std::string missing = !aes && !sha2 ? "AES and SHA-2" : !aes ? "AES" : "SHA-2";
    std::string also =
        unknown.empty() ? std::string() : fmt::format("; {} engine options of unknown algorithms", unknown.size());
    ev.push_back(at(config_path, 0, "no hardware implementation of " + missing,
                    "a CRYPTO_DEV_* engine or CPU crypto extension option for AES and SHA-2"));
    out.findings.push_back(finding(kEngineCheck, Status::kWarn, config_path,
                                   fmt::format("{} only in software{}{}", missing, also, record), std::move(ev)));
  }

  // --- random number generators
  std::vector<Evidence> rng;
  const ConfigValue* core = config->find("HW_RANDOM");
  std::vector<std::string> drivers;
  if (enabled(core)) {
    for (const auto& [name, v] : config->options) {
      if (!name.starts_with("HW_RANDOM_") || !enabled(&v) || is_not_device_rng(name)) continue;
      drivers.push_back(name);
      rng.push_back(at(config_path, v.line, fmt::format("CONFIG_{}={}", name, v.value)));
    }
    if (const ConfigValue* tpm = config->find("HW_RANDOM_TPM"); enabled(tpm)) {
      drivers.push_back("HW_RANDOM_TPM");
      rng.push_back(at(config_path, tpm->line, "CONFIG_HW_RANDOM_TPM=" + tpm->value + " (the TPM's RNG)"));
    }
  }
  const ConfigValue* trust_cpu = config->find("RANDOM_TRUST_CPU");
  bool cpu = trust_cpu && trust_cpu->is_set && trust_cpu->value == "y";
  if (cpu) rng.push_back(at(config_path, trust_cpu->line, "CONFIG_RANDOM_TRUST_CPU=y (CPU RNG credited)"));
  rng.insert(rng.end(), rngd_ev.begin(), rngd_ev.end());
  out.facts.push_back({"kernel", "kernel", "crypto.rngd", rngd, at(config_path, 0, "")});
  std::string feeding =
      rngd ? "rngd is shipped to feed it into the pool"
           : "the kernel's hwrng thread feeds the pool from the current source (kernel 3.17 and later; the driver "
             "must declare a quality)";
  if (!drivers.empty() || cpu) {
    out.findings.push_back(
        finding(kRngCheck, Status::kPass, config_path,
                fmt::format("a hardware RNG is built ({}{}); {}", drivers.empty() ? std::string() : drivers.front(),
                            drivers.size() > 1        ? fmt::format(" and {} more", drivers.size() - 1)
                            : cpu && !drivers.empty() ? ", CPU RNG credited"
                            : cpu                     ? "CPU RNG credited"
                                                      : "",
                            feeding),
                std::move(rng)));
  } else {
    rng.push_back(at(config_path, core ? core->line : 0,
                     enabled(core) ? "CONFIG_HW_RANDOM=" + core->value + " with no device driver"
                                   : std::string("CONFIG_HW_RANDOM not enabled"),
                     "CONFIG_HW_RANDOM with a SoC or TPM RNG driver, or CONFIG_RANDOM_TRUST_CPU=y"));
    out.findings.push_back(finding(kRngCheck, Status::kWarn, config_path,
                                   "no hardware RNG driver is built: the entropy pool depends on software sources "
                                   "at boot",
                                   std::move(rng)));
  }
}

}  // namespace fwcert::analyzers::kernel
