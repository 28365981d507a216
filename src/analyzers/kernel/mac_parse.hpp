#pragma once
// Parsers for mandatory access control configuration read from an image: /etc/selinux/config,
// AppArmor profile files (top-level profile headers, their attachment and flags), permissive
// domain statements in SELinux policy text (CIL and .te), and AppArmor attachment globs.
// They read untrusted text: bounded, damage is a line diagnostic.

#include <string>
#include <string_view>
#include <vector>

namespace fwcert::analyzers::kernel {

/// /etc/selinux/config: SELINUX= and SELINUXTYPE= with their lines (0 when absent).
struct SelinuxConfig {
  std::string mode;  ///< enforcing, permissive, disabled (lower-cased), "" when absent
  std::size_t mode_line = 0;
  std::string type;  ///< targeted, mls, ...
  std::size_t type_line = 0;
  std::vector<std::pair<std::size_t, std::string>> diagnostics;
};
SelinuxConfig parse_selinux_config(std::string_view text);

/// A top-level AppArmor profile.
struct AppArmorProfile {
  std::string name;        ///< the profile name (the attachment path when unnamed)
  std::string attachment;  ///< the executable path or glob it confines; "" when it attaches to none
  std::vector<std::string> flags;
  std::size_t line = 0;
  bool is_complain() const;
  /// flags=(unconfined): the profile exists but confines nothing.
  bool is_unconfined() const;
};

struct AppArmorFile {
  std::vector<AppArmorProfile> profiles;
  std::vector<std::pair<std::size_t, std::string>> diagnostics;
};
/// Reads the top-level profile headers of one profile file ("[profile NAME] [ATTACH]
/// [flags=(...)] {"), with @{VAR} = value assignments of the same file substituted (first
/// value). Rules, hats and child profiles inside a profile are skipped.
AppArmorFile parse_apparmor_profiles(std::string_view text);

/// True when an AppArmor attachment pattern matches an absolute path: `*` any characters but
/// '/', `**` any characters, `?` one character but '/', `{a,b}` alternatives, `[abc]` a set.
bool apparmor_glob_match(std::string_view pattern, std::string_view path);

/// A domain a policy makes permissive, and where.
struct PermissiveDomain {
  std::string domain;
  std::size_t line = 0;
};
/// `(typepermissive DOMAIN)` in CIL and `permissive DOMAIN;` in .te policy text.
std::vector<PermissiveDomain> find_permissive_domains(std::string_view text);

}  // namespace fwcert::analyzers::kernel
