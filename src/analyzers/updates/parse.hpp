#pragma once
// Readers for update-agent configuration: INI files (RAUC system.conf, OSTree remotes),
// libconfig "key = value;" pairs (swupdate.cfg), opkg and apt feed lines, and a line scanner
// for update scripts that download and flash. All are bounded by limits::kMaxConfigLines and
// keep line numbers.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/text.hpp"

namespace fwcert::analyzers::updates {

using IniEntry = text::KeyValue;

struct IniSection {
  std::string name;  ///< "keyring", "remote \"origin\"", "" before the first header
  std::size_t line = 0;
  std::vector<IniEntry> entries;
  const IniEntry* find(std::string_view key) const;
};
/// Parses INI text: [section] headers, key=value (spaces around '=' trimmed), '#'/';' comments.
std::vector<IniSection> parse_ini(std::string_view text);

/// "key = value;" and "key: value" pairs of a libconfig file, anywhere in the nesting, with the
/// quotes of string values removed.
std::vector<IniEntry> parse_libconfig_pairs(std::string_view text);

/// A package feed: where packages come from and whether the line trusts it without checks.
struct Feed {
  std::string url;
  std::size_t line = 0;
  bool trusted_without_signature = false;  ///< apt [trusted=yes] / "Trusted: yes"
  bool allow_insecure = false;             ///< apt [allow-insecure=yes] / "Allow-Insecure: yes"
  bool source_only = false;                ///< apt deb-src: source packages, nothing installed
  std::vector<std::string> suites;         ///< apt suites ("bookworm", "bookworm-security")
  std::size_t suites_line = 0;             ///< the line naming the suites (deb822 "Suites:")
  std::string text;                        ///< the source line as written (one-line format)
};
/// Feeds of an opkg configuration ("src[/gz] name url") and whether it sets
/// `option check_signature` (to anything but 0).
struct OpkgConf {
  std::vector<Feed> feeds;
  bool check_signature = false;
  std::size_t check_signature_line = 0;
};
OpkgConf parse_opkg_conf(std::string_view text);
/// Feeds of an apt sources.list (one-line "deb [options] url suite ...") or deb822 .sources file
/// (one feed per URI of a stanza; stanzas with "Enabled: no" are left out).
std::vector<Feed> parse_apt_sources(std::string_view text, bool deb822);

/// One assignment of an apt configuration file, its scope names joined with "::"
/// ("APT::Periodic::Unattended-Upgrade"), as apt.conf(5) reads them: `a::b "v";`, the nested
/// `a { b "v"; };` form, list items (`a { "v"; };`, key "a"), `//`, `/* */` and `#` comments.
/// `#clear a::b;` is an entry with `clear` set; `#include` is skipped.
struct AptOption {
  std::string key;
  std::string value;
  std::size_t line = 0;
  bool clear = false;
};
std::vector<AptOption> parse_apt_conf(std::string_view text);
/// True for the values apt's StringToBool reads as true ("1", "yes", "true", "on", "enable", "with").
bool apt_true(std::string_view value);

/// What a script does that matters for updates, line by line.
struct ScriptLine {
  std::size_t line = 0;
  std::string text;
};
struct UpdateScript {
  std::vector<ScriptLine> downloads;  ///< wget, curl, tftp, ftpget, uclient-fetch
  std::vector<ScriptLine> insecure;   ///< downloads over http:// or with certificate checks off
  std::vector<ScriptLine> flashes;    ///< dd to a device, flashcp, nandwrite, mtd write, ubiupdatevol, ...
  std::vector<ScriptLine> verifies;   ///< openssl dgst/smime/cms -verify, gpg --verify, gpgv, usign -V, signify -V
  /// True when the script both downloads and writes flash: an update path.
  bool is_update_path() const { return !downloads.empty() && !flashes.empty(); }
};
UpdateScript scan_update_script(std::string_view text);

}  // namespace fwcert::analyzers::updates
