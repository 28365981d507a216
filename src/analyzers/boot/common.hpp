#pragma once
// Internal to the boot analyzer: what collect() found in the target, shared by the U-Boot,
// FIT and kernel-integrity checks.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "analyzers/analyzer.hpp"
#include "formats/avb/vbmeta.hpp"
#include "formats/fit/fit.hpp"
#include "formats/kernel/kernel.hpp"
#include "formats/uboot/env.hpp"

namespace fwcert::analyzers::boot {

/// An environment found in the target, with where it came from.
struct FoundEnv {
  enum class Source { kDefault, kStored, kText, kScript };
  Source source = Source::kDefault;
  std::string path;        ///< display path
  std::uint64_t base = 0;  ///< offset of the environment inside the file
  formats::uboot::Environment env;
  std::string script;  ///< boot scripts: the text
};
const char* to_string(FoundEnv::Source s);

/// A U-Boot binary and what its strings say was compiled in.
struct UbootBinary {
  std::string path;
  bool legacy_image = false;       ///< "Legacy Image" boot messages: CONFIG_LEGACY_IMAGE_FORMAT
  bool fit_signature = false;      ///< signature verification code (key-name-hint, rsa2048/ecdsa256)
  bool autoboot_anykey = false;    ///< "Hit any key to stop autoboot"
  bool autoboot_keyed = false;     ///< bootstopkey / bootstopkeysha256 strings
  std::set<std::string> commands;  ///< memory, download and flash commands found by usage text
  std::optional<std::string> version;
};

/// A device tree (FIT or control DTB) and where it is.
struct FoundTree {
  std::string path;
  std::uint64_t offset = 0;
  formats::fit::DeviceTree tree;
};

struct FoundLegacy {
  std::string path;
  formats::uboot::LegacyImage header;
};

struct FoundVbmeta {
  std::string path;
  formats::avb::VbMeta meta;
};

struct Collected {
  std::vector<FoundEnv> envs;
  std::vector<UbootBinary> binaries;
  std::vector<FoundTree> control_dtbs;  ///< trees with a /signature node, or appended to U-Boot
  std::vector<FoundTree> fits;
  std::vector<FoundLegacy> legacy;
  std::vector<FoundVbmeta> vbmetas;
  std::string fw_env_config;           ///< display path, "" when none
  std::vector<std::string> fw_setenv;  ///< display paths of fw_setenv tools
  std::optional<formats::kernel::KernelConfig> uboot_config;
  std::string uboot_config_path;
  bool android = false;  ///< a build.prop was found
  std::string build_prop;
  std::vector<std::pair<std::string, std::string>> build_props;  ///< ro.build.* of the first build.prop
};

/// The environment U-Boot ends up with: the stored one when its CRC is valid (it replaces the
/// default), otherwise the default, then text environments imported on top.
struct MergedVar {
  std::string value;
  const FoundEnv* from = nullptr;
  const formats::uboot::EnvVar* var = nullptr;
};
struct MergedEnv {
  std::vector<std::pair<std::string, MergedVar>> vars;
  const MergedVar* find(std::string_view name) const;
  bool empty() const { return vars.empty(); }
};
MergedEnv merge(const Collected& c);

/// Evidence pointing at one merged variable.
Evidence var_evidence(const std::string& name, const MergedVar& v, std::string expected = {});

void check_uboot_env(const Collected& c, Output& out);
void check_fit(const Collected& c, Output& out);
void check_integrity(const Context& ctx, const Collected& c, Output& out);

}  // namespace fwcert::analyzers::boot
