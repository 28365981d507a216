#pragma once
// The account databases of one filesystem (/etc/passwd, /etc/shadow, /etc/group), read and
// parsed once per scan; the accounts analyzer judges them and reports their damage, other
// analyzers (services: home directories) read the parsed records.

#include <cstdint>
#include <string>

#include "formats/accounts/accounts.hpp"
#include "vfs/vfs.hpp"

namespace fwcert::evidence {

struct AccountFile {
  enum class State : std::uint8_t { kAbsent, kRead, kFailed };
  State state = State::kAbsent;
  std::string why;  ///< kFailed: the read error
};

struct AccountFiles {
  AccountFile passwd_file, shadow_file, group_file;
  formats::accounts::Parsed<formats::accounts::PasswdEntry> passwd;
  formats::accounts::Parsed<formats::accounts::ShadowEntry> shadow;
  formats::accounts::Parsed<formats::accounts::GroupEntry> group;
  bool passwd_world_readable = true;
};

/// Reads and parses the three files of `v` (each bounded by limits::kMaxConfigFileBytes).
AccountFiles read_account_files(const vfs::Vfs& v);

}  // namespace fwcert::evidence
