#pragma once
// Components without a package database: the upstream version of a product read from the bytes
// of a binary (docs/sbom.md, "Fingerprints"). The rules are data/fingerprints.yaml; their anchors
// are patterns of the scan's one content pass (evidence/content.cpp), so no file is read twice:
// for each anchor match only a bounded window around it is read again through the Vfs, and the
// rule's version expressions are searched there. Kernel versions come from the kernel evidence.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <regex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "evidence/content.hpp"
#include "evidence/evidence.hpp"
#include "fwcert/report.hpp"

namespace fwcert::sbom {

/// One rule of data/fingerprints.yaml.
struct FingerprintRule {
  std::string name;        ///< component name ("openssh")
  std::string cpe_vendor;  ///< "" when the product has no well-known CPE
  std::string cpe_product;
  bool any_binary = false;  ///< files: binary (any non-text file), else ELF only
  std::size_t before = 0;   ///< window bytes before the anchor (plus the 64 an anchor may span)
  std::size_t after = 128;  ///< window bytes after the anchor's last byte
  std::vector<std::string> anchors;
  std::vector<std::string> requires_any;  ///< at least one must match in the same file ("" list: none needed)
  std::vector<std::string> version_sources;
  std::vector<std::regex> versions;
  std::string format;   ///< "{1}.{2}.{3}", or "" for the first group as it is
  std::string applets;  ///< an anchor inside BusyBox's applet name table, "" for other products
};

/// The rules of data/fingerprints.yaml, in file order. A malformed rule is a programming error:
/// tests/unit/fingerprint_test.cpp loads and compiles every one.
const std::vector<FingerprintRule>& fingerprint_rules();

/// The content-pass rows of the fingerprint rules ("fingerprint:NAME", "fingerprint-requires:NAME",
/// "fingerprint-applets:NAME"), appended by evidence/content.cpp after data/content-rules.tsv.
std::vector<evidence::content::Rule> fingerprint_content_rules();

/// A version read in one file.
struct FingerprintHit {
  std::size_t rule = 0;  ///< index into fingerprint_rules()
  std::string version;
  std::uint64_t offset = 0;  ///< file offset of the version's first byte
  std::string observed;      ///< the bytes the version expression matched, non-printables escaped
};

/// Reads up to `length` bytes of the file at `offset` (fewer at its end, none on error).
using WindowReader = std::function<std::string(std::uint64_t offset, std::size_t length)>;

/// The versions the fingerprint rules read at the content-pass matches of one file (`matches` in
/// offset order, as the pass gives them). `elf`: the file is ELF; `binary`: it is not text. One
/// hit per product and version; a version that another hit of the same product extends
/// ("9.2" of "9.2p1") is dropped.
std::vector<FingerprintHit> read_hits(std::span<const evidence::content::Match> matches, const WindowReader& read,
                                      bool elf, bool binary);

/// BusyBox's applet names from the applet name table around the applets anchor: the longest run
/// of ascending, NUL-separated names in the window (empty when fewer than 8 are found).
std::vector<std::string> read_applets(std::span<const evidence::content::Match> matches, const WindowReader& read);

/// read_hits() over bytes in memory, matched with the content pass's own database (tests, fuzzer).
std::vector<FingerprintHit> fingerprint_bytes(std::string_view bytes, bool elf);

/// A fingerprint component and the properties an SBOM carries with it (Component has no
/// properties field yet; the SBOM writers move them there).
struct FingerprintComponent {
  Component component;
  /// Name-value pairs: "fwcert:busybox:applets" -> "[ [[ acpid ash ..." (space-separated).
  std::vector<std::pair<std::string, std::string>> properties;
};

/// The fingerprint components of filesystem `fs`: one per product and version, listing every
/// file it was read from (`files`, sorted), its evidence naming the first file in inventory order
/// and the version's offset there; BusyBox's applets as a property; the Linux kernel from the
/// kernel evidence's versions of that filesystem. In name, version order.
std::vector<FingerprintComponent> fingerprint_components(evidence::Evidence& ev, std::uint32_t fs);

/// "pkg:generic/NAME@VERSION", percent-encoding what a purl must.
std::string generic_purl(std::string_view name, std::string_view version);

/// "cpe:2.3:PART:VENDOR:PRODUCT:VERSION:*:*:*:*:*:*:*" with the version's special characters
/// escaped; part "a" (application) or "o" (operating system: the kernel).
std::string cpe23(std::string_view vendor, std::string_view product, std::string_view version,
                  std::string_view part = "a");

}  // namespace fwcert::sbom
