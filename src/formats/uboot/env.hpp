#pragma once
// U-Boot environments in the forms a firmware image carries them: a stored environment blob
// (what fw_printenv reads: CRC32, an optional flag byte, then "name=value\0" pairs ending in
// "\0\0"), environment text (uEnv.txt, `env import -t` files), the default environment
// compiled into a U-Boot binary, the text payload of a legacy boot script (boot.scr), and
// /etc/fw_env.config, which names where the stored environment lives. All parsers read
// untrusted bytes, are bounded by limits.hpp, and keep what they read up to any damage.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fwcert::formats::uboot {

/// One variable as stored; `offset` (blobs, binaries) or `line` (text) says where.
struct EnvVar {
  std::string name;
  std::string value;
  std::uint64_t offset = 0;
  std::size_t line = 0;
};

struct Environment {
  std::vector<EnvVar> vars;  ///< in stored order
  bool crc_ok = false;       ///< blobs only: the stored CRC32 matches the data
  bool redundant = false;    ///< blobs only: the layout with a flag byte after the CRC
  bool big_endian_crc = false;
  std::uint8_t flags = 0;
  bool truncated = false;  ///< a limit stopped the parse
  std::vector<std::string> diagnostics;

  /// The last definition of `name` (a later one wins, as in `env import`), or nullptr.
  const EnvVar* find(std::string_view name) const;
};

/// Parses a stored environment of `bytes.size()` bytes (the env size) in one layout.
Environment parse_env_blob(std::span<const std::byte> bytes, bool redundant);

/// Parses a stored environment trying both layouts and both CRC byte orders; nullopt when the
/// CRC matches in none (the bytes are not an environment, or it is damaged).
std::optional<Environment> detect_env_blob(std::span<const std::byte> bytes);

/// Parses environment text: "name=value" lines, '#' comments, blank lines; a line ending in
/// '\' continues on the next, as `env import -t` and uEnv.txt loaders accept.
Environment parse_env_text(std::string_view text);

/// The default environment compiled into a U-Boot binary: a run of "name=value\0" strings
/// containing "bootcmd=" and ending in "\0\0". The longest such run among the first
/// limits::kMaxUbootEnvCandidates occurrences of "bootcmd=" wins; nullopt when there is none.
std::optional<Environment> find_default_env(std::span<const std::byte> binary);

/// A legacy uImage header (64 bytes, big-endian, magic 0x27051956).
struct LegacyImage {
  std::uint32_t header_crc = 0, time = 0, data_size = 0, load = 0, entry = 0, data_crc = 0;
  std::uint8_t os = 0, arch = 0, type = 0, compression = 0;
  std::string name;
  bool header_crc_ok = false;
  bool data_crc_ok = false;  ///< false also when the data is cut short
  /// Type name as mkimage prints it for the types we interpret ("kernel", "script", ...).
  std::string type_name() const;
};
inline constexpr std::uint32_t kLegacyMagic = 0x27051956;
inline constexpr std::uint8_t kLegacyTypeKernel = 2, kLegacyTypeRamdisk = 3, kLegacyTypeMulti = 4,
                              kLegacyTypeScript = 6, kLegacyTypeFlatDt = 8, kLegacyTypeKernelNoload = 14;

/// Parses a legacy uImage header; nullopt when the magic is absent or the header is short.
std::optional<LegacyImage> parse_legacy_header(std::span<const std::byte> bytes);

/// The text of a legacy script image (boot.scr: type script, not compressed; the payload is a
/// multi-file size table whose first file is the script). nullopt when the bytes are not one.
std::optional<std::string> script_text(std::span<const std::byte> bytes);

/// One line of /etc/fw_env.config: where a copy of the stored environment is.
struct FwEnvLocation {
  std::string device;
  std::uint64_t offset = 0;
  std::uint64_t env_size = 0;
  std::size_t line = 0;
};
struct FwEnvConfig {
  std::vector<FwEnvLocation> locations;  ///< two when the environment is redundant
  std::vector<std::string> diagnostics;
};
FwEnvConfig parse_fw_env_config(std::string_view text);

/// One command of a U-Boot command string: words split on blanks, ';' ends a command (outside
/// quotes), "&&"/"||" too.
std::vector<std::vector<std::string>> split_commands(std::string_view script);

}  // namespace fwcert::formats::uboot
