#include "evidence/accounts.hpp"

#include "core/limits.hpp"

namespace fwcert::evidence {

namespace {

AccountFile read_text(const vfs::Vfs& v, std::string_view path, std::string& text) {
  AccountFile f;
  if (!v.lstat(path).ok()) return f;
  auto r = v.read_file(path, limits::kMaxConfigFileBytes);
  if (!r.ok()) {
    f.state = AccountFile::State::kFailed;
    f.why = r.error().describe();
    return f;
  }
  f.state = AccountFile::State::kRead;
  text = std::move(r.value());
  return f;
}

}  // namespace

AccountFiles read_account_files(const vfs::Vfs& v) {
  AccountFiles a;
  std::string text;
  a.passwd_file = read_text(v, "/etc/passwd", text);
  if (a.passwd_file.state == AccountFile::State::kFailed) return a;
  a.passwd = formats::accounts::parse_passwd(text);
  if (auto st = v.stat("/etc/passwd"); st.ok()) a.passwd_world_readable = (st->mode & 0004) != 0;
  text.clear();
  a.shadow_file = read_text(v, "/etc/shadow", text);
  if (a.shadow_file.state == AccountFile::State::kRead) a.shadow = formats::accounts::parse_shadow(text);
  text.clear();
  a.group_file = read_text(v, "/etc/group", text);
  if (a.group_file.state == AccountFile::State::kRead) a.group = formats::accounts::parse_group(text);
  return a;
}

}  // namespace fwcert::evidence
