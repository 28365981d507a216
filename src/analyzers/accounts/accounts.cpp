#include "analyzers/accounts/accounts.hpp"

#include <crypt.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/parallel.hpp"
#include "data/resources.hpp"
#include "evidence/evidence.hpp"
#include "formats/accounts/accounts.hpp"

namespace fwcert::analyzers::accounts {

namespace {

using namespace formats::accounts;

constexpr std::string_view kEmptyCheck = "auth-empty-password";
constexpr std::string_view kDefaultCheck = "auth-default-password";
constexpr std::string_view kStrengthCheck = "auth-hash-strength";
constexpr std::string_view kPrivCheck = "priv-uid0-and-shells";
constexpr std::string_view kChecks[] = {kEmptyCheck, kDefaultCheck, kStrengthCheck, kPrivCheck};

constexpr std::string_view kPasswd = "/etc/passwd";
constexpr std::string_view kShadow = "/etc/shadow";
constexpr std::string_view kGroup = "/etc/group";

/// Names that mark a system service account even when its uid is 1000 or more (nobody is
/// 65534; some distributions allocate daemon users high).
constexpr std::string_view kServiceNames[] = {
    "nobody",   "nfsnobody", "daemon",    "bin",       "sys",           "adm",      "lp",      "mail",   "news",
    "uucp",     "operator",  "games",     "man",       "proxy",         "backup",   "list",    "irc",    "gnats",
    "www-data", "www",       "http",      "httpd",     "nginx",         "lighttpd", "apache",  "sshd",   "messagebus",
    "dbus",     "avahi",     "dnsmasq",   "ntp",       "chrony",        "ftp",      "tftp",    "rpc",    "rpcuser",
    "statd",    "snmp",      "mosquitto", "mysql",     "postgres",      "pulse",    "polkitd", "tss",    "haldaemon",
    "network",  "usbmux",    "tcpdump",   "bluetooth", "avahi-autoipd", "dhcp",     "radvd",   "quagga", "frr"};

/// Groups whose members can act as root (sudo/su policies, or gid 0 file access).
constexpr std::string_view kAdminGroups[] = {"root", "wheel", "sudo", "admin"};

bool is_service_name(std::string_view name) {
  if (name.starts_with("systemd-") || name.starts_with("_")) return true;
  return std::find(std::begin(kServiceNames), std::end(kServiceNames), name) != std::end(kServiceNames);
}

std::string shell_text(const std::string& shell) {
  return shell.empty() ? std::string("an empty shell field (/bin/sh)") : shell;
}

/// The bundled candidate list, parsed once: one password a line, '#' comments.
const std::vector<std::string>& default_passwords() {
  static const std::vector<std::string> kList = [] {
    std::vector<std::string> out;
    for (std::string_view line : data::resource_lines("data/default-passwords.txt")) {
      if (std::find(out.begin(), out.end(), line) == out.end()) out.emplace_back(line);
    }
    return out;
  }();
  return kList;
}

struct Account {
  std::size_t passwd_index = 0;
  PasswordInfo password;      ///< effective password; its hash view is cleared (see hash)
  std::string hash;           ///< the crypt string when password.state is kHash
  std::string password_path;  ///< display path of the file the effective password is in
  std::size_t password_line = 0;
  bool from_passwd = false;       ///< the effective password is /etc/passwd field 2
  bool missing_shadow = false;    ///< "x" in passwd and no shadow entry: nothing can match
  bool password_unknown = false;  ///< the password is in a shadow file that could not be read
  bool login_shell = false;
  bool service = false;
  std::optional<std::size_t> job;  ///< index into the crypt jobs
};

/// Everything read from one filesystem that has /etc/passwd.
struct FsAccounts {
  std::uint32_t fs = 0;
  std::string prefix;
  std::string passwd_path, shadow_path, group_path;  ///< display paths
  std::string unreadable;                            ///< why /etc/passwd could not be used ("" when it could)
  std::string shadow_problem;                        ///< why an existing /etc/shadow could not be read
  bool has_shadow = false;
  bool passwd_world_readable = true;
  Parsed<PasswdEntry> passwd;
  Parsed<ShadowEntry> shadow;
  Parsed<GroupEntry> group;
  std::vector<Account> accounts;

  const PasswdEntry& pw(const Account& a) const { return passwd.records[a.passwd_index]; }
  std::string subject(const Account& a) const { return prefix + "account:" + pw(a).name; }
};

/// One hash to try against the candidates.
struct CryptJob {
  std::string hash;
  std::vector<std::string> candidates;  ///< the account name first, then the bundled list
  std::size_t allowed = 0;              ///< how many candidates the budget lets us try
  bool tested = false;
  bool unsupported = false;          ///< libxcrypt could not compute this hash
  std::optional<std::size_t> match;  ///< index of the candidate that produced the hash
};

template <typename Record>
void add_parse_diagnostics(const Parsed<Record>& parsed, const std::string& path, Output& out) {
  for (const auto& d : parsed.diagnostics) {
    std::string msg = d.line ? fmt::format("line {}: {}", d.line, d.message) : d.message;
    out.diagnostics.push_back({Diagnostic::Level::kWarning, path, std::move(msg)});
  }
}

FsAccounts load(const Context& ctx, std::uint32_t fs, Output& out) {
  const auto& inv = ctx.inventory;
  FsAccounts a;
  a.fs = fs;
  a.prefix = inv.filesystems().at(fs).prefix;
  a.passwd_path = inv.display_path(fs, std::string(kPasswd));
  a.shadow_path = inv.display_path(fs, std::string(kShadow));
  a.group_path = inv.display_path(fs, std::string(kGroup));

  const evidence::AccountFiles& files = ctx.evidence().accounts(fs);
  using State = evidence::AccountFile::State;
  if (files.passwd_file.state == State::kFailed) {
    a.unreadable = fmt::format("{} exists but could not be read: {}", a.passwd_path, files.passwd_file.why);
    out.diagnostics.push_back({Diagnostic::Level::kWarning, a.passwd_path, files.passwd_file.why});
    return a;
  }
  a.passwd = files.passwd;
  add_parse_diagnostics(a.passwd, a.passwd_path, out);
  a.passwd_world_readable = files.passwd_world_readable;

  switch (files.shadow_file.state) {
    case State::kAbsent:
      break;
    case State::kFailed:
      a.has_shadow = true;
      a.shadow_problem = fmt::format("{} exists but could not be read: {}", a.shadow_path, files.shadow_file.why);
      out.diagnostics.push_back({Diagnostic::Level::kWarning, a.shadow_path, files.shadow_file.why});
      break;
    case State::kRead:
      a.has_shadow = true;
      a.shadow = files.shadow;
      add_parse_diagnostics(a.shadow, a.shadow_path, out);
      break;
  }

  switch (files.group_file.state) {
    case State::kAbsent:
      break;
    case State::kFailed:
      out.diagnostics.push_back({Diagnostic::Level::kWarning, a.group_path, files.group_file.why});
      break;
    case State::kRead:
      a.group = files.group;
      add_parse_diagnostics(a.group, a.group_path, out);
      break;
  }

  // getspnam() returns the first entry of a name, so the first one wins here too.
  std::map<std::string, std::size_t> shadow_by_name;
  for (std::size_t i = 0; i < a.shadow.records.size(); ++i) shadow_by_name.emplace(a.shadow.records[i].name, i);

  for (std::size_t i = 0; i < a.passwd.records.size(); ++i) {
    const PasswdEntry& pw = a.passwd.records[i];
    Account acc;
    acc.passwd_index = i;
    acc.login_shell = is_login_shell(pw.shell);
    acc.service = pw.uid != 0 && (pw.uid < 1000 || is_service_name(pw.name));
    // pam_unix consults shadow only when field 2 is "x"; BusyBox login also for "*". Taking
    // shadow for both errs towards finding a usable password.
    bool see_shadow = pw.password == "x" || pw.password == "*";
    auto sp = see_shadow ? shadow_by_name.find(pw.name) : shadow_by_name.end();
    if (see_shadow && !a.shadow_problem.empty()) {
      acc.password_unknown = true;
      acc.password = classify_password(pw.password, FieldSource::kShadow);
      acc.password_path = a.passwd_path;
      acc.password_line = pw.line;
    } else if (sp != shadow_by_name.end()) {
      const ShadowEntry& se = a.shadow.records[sp->second];
      acc.password = classify_password(se.password, FieldSource::kShadow);
      acc.password_path = a.shadow_path;
      acc.password_line = se.line;
    } else {
      acc.password = classify_password(pw.password, FieldSource::kPasswd);
      if (acc.password.state == PasswordState::kSeeShadow) {
        acc.missing_shadow = true;
        acc.password.state = PasswordState::kInvalid;
      } else {
        acc.from_passwd = true;
      }
      acc.password_path = a.passwd_path;
      acc.password_line = pw.line;
    }
    if (acc.password.state == PasswordState::kHash) acc.hash = std::string(acc.password.hash);
    acc.password.hash = {};
    a.accounts.push_back(std::move(acc));
  }
  return a;
}

/// Decides, from cost estimates alone, how many candidates each hash gets.
void plan_jobs(std::vector<FsAccounts>& all, const CryptBudget& budget, std::vector<CryptJob>& jobs) {
  const auto& list = default_passwords();
  std::size_t max_candidates = std::min(budget.max_candidates, limits::kMaxPasswordCandidates);
  std::uint64_t spent = 0;
  for (auto& fs : all) {
    for (auto& acc : fs.accounts) {
      if (acc.password.state != PasswordState::kHash) continue;
      CryptJob job;
      job.hash = acc.hash;
      const std::string& name = fs.pw(acc).name;
      job.candidates.push_back(name);
      for (const auto& p : list) {
        if (job.candidates.size() >= max_candidates) break;
        if (p != name) job.candidates.push_back(p);
      }
      job.candidates.resize(std::min(job.candidates.size(), max_candidates));
      job.unsupported = acc.password.scheme == HashScheme::kArgon2 || acc.password.scheme == HashScheme::kUnknown;
      if (auto cost = crypt_cost_micros(acc.password)) {
        std::uint64_t per_hash = std::min(budget.per_hash_micros, budget.total_micros - spent);
        job.allowed = static_cast<std::size_t>(std::min<std::uint64_t>(job.candidates.size(), per_hash / *cost));
        spent += job.allowed * *cost;
      }
      acc.job = jobs.size();
      jobs.push_back(std::move(job));
    }
  }
}

void run_job(CryptJob& job, crypt_data& scratch) {
  for (std::size_t i = 0; i < job.allowed; ++i) {
    const char* out = crypt_r(job.candidates[i].c_str(), job.hash.c_str(), &scratch);
    // libxcrypt returns "*0"/"*1" (or NULL) for a setting it cannot compute.
    if (out == nullptr || out[0] == '*') {
      job.unsupported = true;
      return;
    }
    if (job.hash == out) {
      job.tested = true;
      job.match = i;
      return;
    }
  }
  job.tested = job.allowed > 0;
}

/// Runs the jobs on worker threads; each writes only its own slot, so results are the same
/// whatever the thread count.
void run_jobs(std::vector<CryptJob>& jobs, parallel::Pool& pool) {
  if (jobs.empty()) return;
  std::atomic<std::size_t> next{0};
  // One worker per pool thread, each with its own crypt_r scratch, taking jobs in turn.
  pool.for_each(std::min<std::size_t>(pool.size(), jobs.size()), [&](std::size_t) {
    auto scratch = std::make_unique<crypt_data>();  // value-initialised: zeroed as crypt_r requires
    for (std::size_t i = next++; i < jobs.size(); i = next++) run_job(jobs[i], *scratch);
  });
}

std::string password_state_text(const Account& acc) {
  if (acc.password_unknown) return "unknown";
  if (acc.missing_shadow) return "missing-shadow-entry";
  return to_string(acc.password.state);
}

bool has_usable_password(const Account& acc) {
  return !acc.password_unknown &&
         (acc.password.state == PasswordState::kEmpty || acc.password.state == PasswordState::kHash);
}

void record_facts(const FsAccounts& fs, const std::vector<CryptJob>& jobs, Output& out) {
  auto fact = [&](const Account& acc, std::string name, FactValue value, bool from_password) {
    const PasswdEntry& pw = fs.pw(acc);
    Evidence src = from_password ? at(acc.password_path, acc.password_line, {}) : at(fs.passwd_path, pw.line, {});
    out.facts.push_back({"accounts", fs.subject(acc), std::move(name), std::move(value), std::move(src)});
  };
  for (const auto& acc : fs.accounts) {
    const PasswdEntry& pw = fs.pw(acc);
    fact(acc, "account.uid", static_cast<std::int64_t>(pw.uid), false);
    fact(acc, "account.gid", static_cast<std::int64_t>(pw.gid), false);
    fact(acc, "account.shell", pw.shell, false);
    fact(acc, "account.login_shell", acc.login_shell, false);
    fact(acc, "account.service", acc.service, false);
    fact(acc, "account.password_state", password_state_text(acc), true);
    if (acc.password.scheme != HashScheme::kNone) fact(acc, "account.hash_scheme", scheme_label(acc.password), true);
    if (acc.job && jobs[*acc.job].tested) fact(acc, "account.default_password", jobs[*acc.job].match.has_value(), true);
  }
  for (const auto& g : fs.group.records) {
    bool admin =
        g.gid == 0 || std::find(std::begin(kAdminGroups), std::end(kAdminGroups), g.name) != std::end(kAdminGroups);
    if (!admin || g.members.empty()) continue;
    out.facts.push_back(
        {"accounts", fs.prefix + "group:" + g.name, "group.members", g.members, at(fs.group_path, g.line, {})});
  }
}

// ---- auth-empty-password -------------------------------------------------------------------

void check_empty(const FsAccounts& fs, Output& out) {
  std::size_t flagged = 0;
  for (const auto& acc : fs.accounts) {
    const PasswdEntry& pw = fs.pw(acc);
    if (acc.password.state == PasswordState::kEmpty && acc.login_shell && !acc.password_unknown) {
      std::string where =
          acc.from_passwd && fs.has_shadow
              ? fmt::format(" (field 2 of {} is empty, so {} is not consulted)", fs.passwd_path, fs.shadow_path)
              : std::string();
      std::vector<Evidence> ev{
          at(acc.password_path, acc.password_line, "empty password field", "a password hash or a lock marker (!, *)")};
      if (acc.password_path != fs.passwd_path) {
        ev.push_back(at(fs.passwd_path, pw.line, "login shell " + shell_text(pw.shell)));
      }
      out.findings.push_back(finding(kEmptyCheck, Status::kFail, fs.subject(acc),
                                     fmt::format("account '{}' has an empty password{} and login shell {}: anyone "
                                                 "can log in as it without a password",
                                                 pw.name, where, shell_text(pw.shell)),
                                     std::move(ev)));
      ++flagged;
    } else if (acc.from_passwd && acc.password.state == PasswordState::kHash && fs.passwd_world_readable) {
      out.findings.push_back(finding(
          kEmptyCheck, Status::kWarn, fs.subject(acc),
          fmt::format("the password hash of account '{}' is stored in world-readable {} instead of {}, where every "
                      "local user can copy it for offline cracking",
                      pw.name, fs.passwd_path, fs.shadow_path),
          {at(fs.passwd_path, pw.line, scheme_label(acc.password) + " hash in field 2",
              "x (hash kept in /etc/shadow)")}));
      ++flagged;
    }
  }
  if (flagged) return;
  if (!fs.shadow_problem.empty()) {
    out.findings.push_back(finding(kEmptyCheck, Status::kInconclusive, fs.shadow_path, fs.shadow_problem));
    return;
  }
  out.findings.push_back(finding(
      kEmptyCheck, Status::kPass, fs.has_shadow ? fs.shadow_path : fs.passwd_path,
      fmt::format("no account with a login shell has an empty password ({} accounts checked)", fs.accounts.size()),
      {at(fs.has_shadow ? fs.shadow_path : fs.passwd_path, 0, "no empty password field on a login account")}));
}

// ---- auth-default-password -----------------------------------------------------------------

void check_default(const FsAccounts& fs, const std::vector<CryptJob>& jobs, Output& out) {
  std::size_t failed = 0, untested = 0, tested = 0, partial = 0;
  for (const auto& acc : fs.accounts) {
    if (!acc.job) continue;
    const CryptJob& job = jobs[*acc.job];
    const PasswdEntry& pw = fs.pw(acc);
    if (job.match) {
      const std::string& pass = job.candidates[*job.match];
      bool is_name = *job.match == 0;
      std::string what =
          is_name ? fmt::format("its own name '{}'", pass) : fmt::format("'{}', a known default password", pass);
      out.findings.push_back(finding(
          kDefaultCheck, Status::kFail, fs.subject(acc),
          fmt::format("account '{}' accepts the password {}; its hash at {} line {} was reproduced with crypt(3)",
                      pw.name, what, acc.password_path, acc.password_line),
          {at(acc.password_path, acc.password_line,
              is_name ? "password equals the account name" : fmt::format("known default password '{}'", pass),
              "a unique password per device, not in the default-password list")}));
      ++failed;
    } else if (!job.tested) {
      std::string why =
          job.unsupported
              ? fmt::format("{} hashes cannot be computed with libxcrypt", scheme_label(acc.password))
              : fmt::format("the {} cost parameters are beyond the trial budget", scheme_label(acc.password));
      out.findings.push_back(finding(kDefaultCheck, Status::kInconclusive, fs.subject(acc),
                                     fmt::format("the password of account '{}' was not tried against the default "
                                                 "list: {}",
                                                 pw.name, why),
                                     {at(acc.password_path, acc.password_line, scheme_label(acc.password))}));
      ++untested;
    } else {
      ++tested;
      if (job.allowed < job.candidates.size()) ++partial;
    }
  }
  if (failed || untested) return;
  if (!fs.shadow_problem.empty()) {
    out.findings.push_back(finding(kDefaultCheck, Status::kInconclusive, fs.shadow_path, fs.shadow_problem));
    return;
  }
  std::string path = fs.has_shadow ? fs.shadow_path : fs.passwd_path;
  if (tested == 0) {
    out.findings.push_back(finding(kDefaultCheck, Status::kPass, path,
                                   "no account has a usable password hash, so none can have a default password",
                                   {at(path, 0, "no usable password hash")}));
    return;
  }
  std::string note =
      partial ? fmt::format("; {} expensive hash(es) were tried against the most common candidates only", partial)
              : std::string();
  out.findings.push_back(finding(kDefaultCheck, Status::kPass, path,
                                 fmt::format("none of {} password hash(es) matches the account name or any of the {} "
                                             "bundled default passwords{}",
                                             tested, default_passwords().size(), note),
                                 {at(path, 0, "no hash matches a known default password")}));
}

// ---- auth-hash-strength --------------------------------------------------------------------

constexpr std::string_view kStrongSchemes = "sha512-crypt, yescrypt, bcrypt (cost >= 10) or stronger";

void check_strength(const FsAccounts& fs, Output& out) {
  std::size_t flagged = 0;
  std::set<std::string> seen;
  for (const auto& acc : fs.accounts) {
    if (acc.password.state != PasswordState::kHash) continue;
    const PasswdEntry& pw = fs.pw(acc);
    std::string label = scheme_label(acc.password);
    seen.insert(label);
    HashStrength s = hash_strength(acc.password);
    if (s == HashStrength::kStrong) continue;
    out.findings.push_back(
        finding(kStrengthCheck, s == HashStrength::kWeak ? Status::kFail : Status::kWarn, fs.subject(acc),
                fmt::format("account '{}' has a {} password hash ({})", pw.name, label,
                            s == HashStrength::kWeak ? "fast to crack offline" : "weaker than current defaults"),
                {at(acc.password_path, acc.password_line, label, std::string(kStrongSchemes))}));
    ++flagged;
  }
  if (flagged) return;
  if (!fs.shadow_problem.empty()) {
    out.findings.push_back(finding(kStrengthCheck, Status::kInconclusive, fs.shadow_path, fs.shadow_problem));
    return;
  }
  std::string path = fs.has_shadow ? fs.shadow_path : fs.passwd_path;
  if (seen.empty()) {
    out.findings.push_back(finding(kStrengthCheck, Status::kNotApplicable, path,
                                   "no account has a usable password hash", {at(path, 0, "no usable password hash")}));
    return;
  }
  std::string list;
  for (const auto& s : seen) list += (list.empty() ? "" : ", ") + s;
  out.findings.push_back(finding(kStrengthCheck, Status::kPass, path,
                                 "every password hash uses a strong scheme: " + list,
                                 {at(path, 0, list, std::string(kStrongSchemes))}));
}

// ---- priv-uid0-and-shells ------------------------------------------------------------------

void check_privileges(const FsAccounts& fs, const std::vector<CryptJob>& jobs, Output& out) {
  std::size_t flagged = 0;
  std::map<std::uint32_t, const Account*> first_with_uid;
  std::map<std::string, const Account*> by_name;
  for (const auto& acc : fs.accounts) by_name.emplace(fs.pw(acc).name, &acc);

  for (const auto& acc : fs.accounts) {
    const PasswdEntry& pw = fs.pw(acc);
    Evidence line = at(fs.passwd_path, pw.line, fmt::format("uid {}, shell {}", pw.uid, shell_text(pw.shell)));
    auto [it, inserted] = first_with_uid.emplace(pw.uid, &acc);

    if (pw.uid == 0 && pw.name != "root") {
      line.expected = "only root has uid 0";
      Finding f = finding(kPrivCheck, Status::kFail, fs.subject(acc),
                          fmt::format("account '{}' has uid 0: it is a second root account", pw.name), {line});
      bool open_door = acc.login_shell &&
                       (acc.password.state == PasswordState::kEmpty || (acc.job && jobs[*acc.job].match.has_value()));
      if (open_door && !acc.password_unknown) {
        // A second root with a shell and no real password is a backdoor, not just bad hygiene.
        f.severity = Severity::kCritical;
        f.severity_override = true;
        f.message +=
            acc.password.state == PasswordState::kEmpty ? " with an empty password" : " with a known default password";
      }
      out.findings.push_back(std::move(f));
      ++flagged;
      continue;
    }
    if (!inserted && pw.uid != 0) {
      const PasswdEntry& first = fs.pw(*it->second);
      line.expected = "a uid of its own";
      out.findings.push_back(
          finding(kPrivCheck, Status::kWarn, fs.subject(acc),
                  fmt::format("account '{}' shares uid {} with account '{}'", pw.name, pw.uid, first.name),
                  {line, at(fs.passwd_path, first.line, fmt::format("uid {}", first.uid))}));
      ++flagged;
    }
    if (acc.service && acc.login_shell) {
      bool password = has_usable_password(acc);
      line.expected = "a service account has nologin or false as its shell and a locked password";
      std::vector<Evidence> ev{line};
      if (password) {
        ev.push_back(at(acc.password_path, acc.password_line,
                        acc.password.state == PasswordState::kEmpty ? "empty password" : "usable password hash",
                        "locked (! or *)"));
      }
      out.findings.push_back(finding(
          kPrivCheck, password ? Status::kFail : Status::kWarn, fs.subject(acc),
          password
              ? fmt::format("service account '{}' (uid {}) has login shell {} and a usable password", pw.name, pw.uid,
                            shell_text(pw.shell))
              : fmt::format("service account '{}' (uid {}) has login shell {}", pw.name, pw.uid, shell_text(pw.shell)),
          std::move(ev)));
      ++flagged;
    }
  }

  for (const auto& g : fs.group.records) {
    bool admin =
        g.gid == 0 || std::find(std::begin(kAdminGroups), std::end(kAdminGroups), g.name) != std::end(kAdminGroups);
    if (!admin) continue;
    for (const auto& m : g.members) {
      auto it = by_name.find(m);
      if (it == by_name.end() || !it->second->service) continue;
      out.findings.push_back(finding(kPrivCheck, Status::kWarn, fs.subject(*it->second),
                                     fmt::format("service account '{}' is a member of admin group '{}'", m, g.name),
                                     {at(fs.group_path, g.line, fmt::format("member of {}", g.name),
                                         "service accounts outside root, wheel, sudo and admin")}));
      ++flagged;
    }
  }

  if (flagged) return;
  out.findings.push_back(finding(kPrivCheck, Status::kPass, fs.passwd_path,
                                 fmt::format("only root has uid 0, uids are unique and no service account has a login "
                                             "shell ({} accounts checked)",
                                             fs.accounts.size()),
                                 {at(fs.passwd_path, 0, "no extra uid 0, duplicate uid or service login")}));
}

void all_inconclusive(const std::string& subject, const std::string& message, Output& out) {
  for (auto check : kChecks) out.findings.push_back(finding(check, Status::kInconclusive, subject, message));
}

}  // namespace

std::span<const std::string_view> checks() { return kChecks; }

Output run(const Context& ctx) { return run(ctx, CryptBudget{}); }

Output run(const Context& ctx, const CryptBudget& budget) {
  Output out;
  std::vector<FsAccounts> all;
  const auto& filesystems = ctx.inventory.filesystems();
  for (std::uint32_t fs = 0; fs < filesystems.size(); ++fs) {
    if (!filesystems[fs].vfs || !ctx.inventory.vfs(fs).lstat(kPasswd).ok()) continue;
    all.push_back(load(ctx, fs, out));
  }
  if (all.empty()) {
    all_inconclusive(std::string(kPasswd),
                     "no /etc/passwd in any filesystem of the target, so accounts and passwords cannot be checked",
                     out);
    return out;
  }

  std::vector<CryptJob> jobs;
  plan_jobs(all, budget, jobs);
  run_jobs(jobs, ctx.pool());

  for (const auto& fs : all) {
    if (!fs.unreadable.empty()) {
      all_inconclusive(fs.passwd_path, fs.unreadable, out);
      continue;
    }
    if (fs.accounts.empty()) {
      all_inconclusive(fs.passwd_path, fs.passwd_path + " has no account line that could be parsed", out);
      continue;
    }
    check_empty(fs, out);
    check_default(fs, jobs, out);
    check_strength(fs, out);
    check_privileges(fs, jobs, out);
    record_facts(fs, jobs, out);
  }
  return out;
}

}  // namespace fwcert::analyzers::accounts
