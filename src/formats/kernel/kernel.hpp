#pragma once
// Parsers for what the kernel analyzer reads from an image: the kernel build configuration
// (.config text), the version banner, and the configuration embedded in a kernel image
// (IKCONFIG). They read untrusted bytes: work and memory are bounded by limits.hpp, damage
// becomes a diagnostic, and what was read up to the damage is kept.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fwcert::formats::kernel {

/// A line that could not be used, and why.
struct LineDiagnostic {
  std::size_t line = 0;  ///< 1-based; 0 when the problem is about the whole input
  std::string message;
};

/// One option of a kernel configuration as written.
struct ConfigValue {
  std::string value;    ///< "y", "m", a number, a string without its quotes, or "" when not set
  bool is_set = true;   ///< false for "# CONFIG_X is not set"
  bool quoted = false;  ///< the value was a "string"
  std::size_t line = 0;
};

/// A parsed kernel .config: options keyed by name without the CONFIG_ prefix.
struct KernelConfig {
  std::map<std::string, ConfigValue, std::less<>> options;
  std::string version;  ///< from the "# Linux/<arch> X.Y.Z Kernel Configuration" header, if any
  std::vector<LineDiagnostic> diagnostics;
  bool truncated = false;  ///< a size or line limit stopped the parse early

  const ConfigValue* find(std::string_view name) const;
  /// True when the option is set to y (or m, when allow_module).
  bool is_enabled(std::string_view name, bool allow_module = false) const;
  /// The architecture symbol set in the config: X86_64, X86_32, ARM64, ARM, RISCV, MIPS,
  /// PPC, ... ("" when none or more than one of the known ones is set).
  std::string arch() const;
};

/// Parses kernel configuration text. Lines that are neither an assignment, a "not set"
/// comment, another comment nor blank are diagnostics; a later assignment of an option wins,
/// as in Kconfig.
KernelConfig parse_kconfig(std::string_view text);

/// True when text looks like a kernel configuration (an assignment or "not set" line of a
/// CONFIG_ option within the first lines); used to accept candidate files and blobs.
bool looks_like_kconfig(std::string_view text);

/// A kernel version as three numbers plus the full release string ("6.1.0-56-cloud-amd64").
struct KernelVersion {
  int major = 0, minor = 0, patch = 0;
  std::string release;  ///< as written, up to the first space
  bool operator<(const KernelVersion& o) const;
  /// True when this version is at least a.b.c.
  bool at_least(int a, int b, int c) const;
};

/// Parses "X.Y[.Z][-extra]" (what uname -r prints); nullopt when it does not start with X.Y.
std::optional<KernelVersion> parse_kernel_release(std::string_view text);

/// The banner "Linux version X.Y.Z ... " found in bytes, with the whole line (bounded).
struct Banner {
  KernelVersion version;
  std::string line;          ///< the banner up to the newline or NUL, at most 512 bytes
  std::uint64_t offset = 0;  ///< where "Linux version " starts in the searched bytes
};
std::optional<Banner> find_version_banner(std::string_view bytes);

/// The gzip data between IKCFG_ST and IKCFG_ED markers, decompressed; nullopt when the bytes
/// hold no markers. `error` is set when markers were found but the data could not be read.
struct EmbeddedConfig {
  std::string text;
  std::uint64_t offset = 0;  ///< offset of "IKCFG_ST" in the searched bytes
  std::string error;
};
std::optional<EmbeddedConfig> find_ikconfig(std::string_view bytes);

/// A compressed stream found inside a kernel image and what it decompressed to.
struct Payload {
  std::string method;        ///< gzip, xz, zstd, lz4
  std::uint64_t offset = 0;  ///< where the stream starts in the image
  std::string data;          ///< decompressed bytes (at most the limit; `truncated` says so)
  bool truncated = false;
};

/// Decompresses the payloads of a compressed kernel (bzImage, zImage, Image.gz, ...): tries
/// each gzip, xz, zstd and legacy-lz4 magic in the image, in file order, up to
/// limits::kMaxKernelPayloadCandidates, each bounded by limits::kMaxKernelDecompressedBytes,
/// and returns the first stream that decompresses to at least `min_bytes`.
std::optional<Payload> decompress_kernel_payload(std::string_view image, std::size_t min_bytes = 4096);

/// Decompresses a whole gzip stream (a config.gz), at most max_bytes of output; nullopt on
/// damage. Trailing bytes after the stream are ignored.
std::optional<std::string> gunzip(std::string_view data, std::size_t max_bytes, std::string* error = nullptr);

}  // namespace fwcert::formats::kernel

namespace fwcert::formats::kernel {

/// One assignment of a sysctl.d/sysctl.conf file.
struct SysctlAssignment {
  std::string key;    ///< dotted ("kernel.sysrq"); "/" separators are turned into "."
  std::string value;  ///< trimmed
  std::size_t line = 0;
};

/// Parses sysctl.conf syntax: "key = value", '#' and ';' comments, a leading '-' (ignore
/// errors) dropped. Lines without '=' are diagnostics.
struct SysctlFile {
  std::vector<SysctlAssignment> assignments;
  std::vector<LineDiagnostic> diagnostics;
};
SysctlFile parse_sysctl(std::string_view text);

}  // namespace fwcert::formats::kernel
