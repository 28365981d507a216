// System: the host-hardening checks judged on the inventory and the system configuration files
// of each filesystem that looks like a system root: setuid inventory, file-system permissions
// and mount options, a read-only root, sudo/doas, and PAM.

#include "analyzers/system/system.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "analyzers/system/parse.hpp"
#include "core/text.hpp"
#include "data/resources.hpp"
#include "inventory/fs_reader.hpp"

namespace fwcert::analyzers::system {

namespace {

using inventory::entries_of;
using inventory::file_name;
using inventory::FsReader;
using text::split_command;

constexpr std::string_view kSetuidCheck = "priv-setuid-inventory";
constexpr std::string_view kPermissionsCheck = "priv-fs-permissions";
constexpr std::string_view kRootfsCheck = "priv-rootfs-readonly";
constexpr std::string_view kSudoCheck = "priv-sudo";
constexpr std::string_view kPamCheck = "auth-pam";
constexpr std::string_view kChecks[] = {kSetuidCheck, kPermissionsCheck, kRootfsCheck, kSudoCheck, kPamCheck};

/// Most findings one check emits per filesystem before it summarises the rest.
constexpr std::size_t kMaxFindingsPerCheck = 100;

std::string mode_text(const inventory::Entry& e) {
  return fmt::format("mode {:04o}, owner {}:{}", e.st.mode & 07777, e.st.uid, e.st.gid);
}

// ---- priv-setuid-inventory -------------------------------------------------------------------

struct Allowed {
  bool setuid = false, setgid = false;
  std::set<std::string> caps;
};

const std::map<std::string, Allowed>& setuid_allowlist() {
  static const std::map<std::string, Allowed> kList = [] {
    std::map<std::string, Allowed> out;
    std::string_view text = data::resource("data/setuid-allowlist.txt");
    std::size_t pos = 0;
    while (pos < text.size()) {
      auto end = text.find('\n', pos);
      std::string_view line = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
      pos = end == std::string_view::npos ? text.size() : end + 1;
      if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
      auto w = split_command(line);
      if (w.empty()) continue;
      Allowed& a = out[w[0]];
      for (std::size_t i = 1; i < w.size(); ++i) {
        if (w[i] == "setuid")
          a.setuid = true;
        else if (w[i] == "setgid")
          a.setgid = true;
        else
          a.caps.insert(w[i]);
      }
    }
    return out;
  }();
  return kList;
}

/// Programs that hand out a shell, run code or write any file when started with privilege:
/// shells, interpreters, debuggers, and the GTFOBins-style tools that do it through an option.
/// BusyBox is here because its sh applet is one exec away.
constexpr std::string_view kShellLike[] = {
    "sh",     "ash",       "bash",    "dash",   "hush",     "zsh",     "ksh",  "mksh",  "csh",  "tcsh",
    "fish",   "busybox",   "toybox",  "python", "python2",  "python3", "perl", "ruby",  "lua",  "luajit",
    "node",   "nodejs",    "php",     "tclsh",  "wish",     "awk",     "gawk", "mawk",  "nawk", "expect",
    "gdb",    "gdbserver", "strace",  "ltrace", "valgrind", "env",     "find", "xargs", "cp",   "mv",
    "dd",     "tee",       "install", "chmod",  "chown",    "vi",      "vim",  "nano",  "ed",   "less",
    "more",   "man",       "tar",     "cpio",   "zip",      "rsync",   "nmap", "socat", "nc",   "netcat",
    "script", "timeout",   "nice",    "flock"};

bool is_shell_like(std::string_view name) {
  // python3.11, perl5.36, lua5.4 count as their family.
  for (auto s : kShellLike) {
    if (name == s) return true;
    if (name.starts_with(s) && name.size() > s.size() &&
        (std::isdigit(static_cast<unsigned char>(name[s.size()])) || name[s.size()] == '.')) {
      return true;
    }
  }
  return false;
}

/// Capability names of a decoded security.capability value ("cap_net_raw,cap_x=ep").
std::vector<std::string> capability_names(std::string_view cap) {
  std::vector<std::string> out;
  auto eq = cap.find('=');
  std::string_view names = cap.substr(0, eq);
  std::size_t start = 0;
  while (start <= names.size()) {
    auto comma = names.find(',', start);
    auto n = names.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (!n.empty()) out.emplace_back(n);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

/// True when someone other than root can change the file: world-writable, group-writable by
/// a non-root group, or owned (and so re-writable) by a non-root user.
bool writable_by_non_root(const inventory::Entry& e) {
  return (e.st.mode & 0002) || ((e.st.mode & 0020) && e.st.gid != 0) || e.st.uid != 0;
}

void check_setuid(const FsReader& r, Output& out) {
  const auto& allow = setuid_allowlist();
  std::size_t privileged = 0, flagged = 0, emitted = 0;
  for (const auto& e : entries_of(r.inv, r.fs)) {
    if (e.filesystem != r.fs || e.hardlink_secondary || !e.st.is_regular()) continue;
    bool suid = e.is_setuid(), sgid = e.is_setgid();
    bool caps = !e.capability.empty();
    if (!suid && !sgid && !caps) continue;
    ++privileged;
    std::string path = r.inv.display_path(e);
    std::string name(file_name(e.path));
    std::string what = suid && sgid ? "setuid and setgid" : suid ? "setuid" : sgid ? "setgid" : "";
    if (caps) what += (what.empty() ? "" : " with ") + std::string("file capabilities ") + e.capability;
    std::string owner = suid ? fmt::format(" (runs as uid {})", e.st.uid) : "";
    Evidence ev = at(path, 0, fmt::format("{}; {}", what, mode_text(e)));

    std::string problem;
    if ((suid || sgid) && is_shell_like(name)) {
      problem = fmt::format("{} is {}{}: a shell, interpreter or tool that runs arbitrary code with that privilege",
                            path, what, owner);
    } else if ((suid || sgid) && e.kind == inventory::Kind::kScript) {
      problem = fmt::format("{} is a {} script ({}){}", path, what, e.kind_detail, owner);
    } else if ((suid || sgid) && writable_by_non_root(e)) {
      problem = fmt::format("{} is {}{} and can be modified by a non-root user ({})", path, what, owner, mode_text(e));
    } else if (caps && is_shell_like(name)) {
      problem = fmt::format("{} has file capabilities {}: an interpreter or shell with them runs any code with them",
                            path, e.capability);
    }
    if (!problem.empty()) {
      ev.expected =
          "no setuid/setgid bit or capabilities on shells, interpreters, scripts, debuggers or writable files";
      if (emitted++ < kMaxFindingsPerCheck)
        out.findings.push_back(finding(kSetuidCheck, Status::kFail, path, problem, {ev}));
      ++flagged;
      continue;
    }
    auto a = allow.find(name);
    bool ok = a != allow.end() && (!suid || a->second.setuid) && (!sgid || a->second.setgid);
    if (ok && caps) {
      for (const auto& c : capability_names(e.capability)) ok &= a->second.caps.count(c) > 0;
    }
    if (ok) continue;
    ev.expected = "only programs on data/setuid-allowlist.txt";
    if (emitted++ < kMaxFindingsPerCheck) {
      out.findings.push_back(finding(kSetuidCheck, Status::kWarn, path,
                                     fmt::format("{} is {}{} and is not on the allow-list", path, what, owner), {ev}));
    }
    ++flagged;
  }
  std::string where = r.display("/");
  if (emitted > kMaxFindingsPerCheck) {
    out.findings.push_back(
        finding(kSetuidCheck, Status::kWarn, where,
                fmt::format("{} more privileged files were not listed one by one", emitted - kMaxFindingsPerCheck)));
  }
  if (flagged) return;
  out.findings.push_back(
      finding(kSetuidCheck, Status::kPass, where,
              privileged ? fmt::format("all {} setuid, setgid or capability files are on the allow-list", privileged)
                         : std::string("no file is setuid, setgid or has file capabilities"),
              {at(where, 0, fmt::format("{} privileged files", privileged))}));
}

// ---- priv-fs-permissions ---------------------------------------------------------------------

/// Where code, libraries, init and system configuration live: writable by non-root means any
/// local user can plant something root will run or trust.
constexpr std::string_view kCodePrefixes[] = {
    "/bin",           "/sbin",  "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin",
    "/lib",           "/lib64", "/lib32",   "/usr/lib",  "/usr/lib64",     "/usr/libexec",
    "/usr/local/lib", "/etc",   "/system",  "/vendor"};

bool under(std::string_view path, std::string_view prefix) {
  return path == prefix || (path.starts_with(prefix) && path.size() > prefix.size() && path[prefix.size()] == '/');
}

bool is_code_path(std::string_view path) {
  for (auto p : kCodePrefixes) {
    if (under(path, p)) return true;
  }
  return false;
}

/// Mount points that hold writable or removable data and should not allow setuid programs,
/// device nodes or (for temporary and removable storage) execution.
struct MountRule {
  std::string_view prefix;
  bool noexec;
};
constexpr MountRule kMountRules[] = {{"/tmp", true},       {"/var/tmp", true},  {"/dev/shm", true}, {"/data", true},
                                     {"/var", true},       {"/home", true},     {"/media", true},   {"/mnt", true},
                                     {"/run/media", true}, {"/userdata", true}, {"/overlay", true}};

constexpr std::string_view kPseudoFs[] = {"proc",     "sysfs",      "devpts",    "swap",        "cgroup",   "cgroup2",
                                          "debugfs",  "securityfs", "configfs",  "pstore",      "tracefs",  "bpf",
                                          "devtmpfs", "mqueue",     "hugetlbfs", "binfmt_misc", "efivarfs", "none"};

void check_permissions(const FsReader& r, Output& out) {
  std::size_t fails = 0, warns = 0, emitted = 0;
  auto emit = [&](Status st, std::string subject, std::string message, Evidence ev) {
    ++(st == Status::kFail ? fails : warns);
    if (emitted++ < kMaxFindingsPerCheck) {
      out.findings.push_back(finding(kPermissionsCheck, st, std::move(subject), std::move(message), {std::move(ev)}));
    }
  };
  for (const auto& e : entries_of(r.inv, r.fs)) {
    if (e.filesystem != r.fs || e.hardlink_secondary) continue;
    if (!e.st.is_regular() && !e.st.is_dir()) continue;  // symlinks, devices, fifos, sockets
    std::string path = r.inv.display_path(e);
    bool world = (e.st.mode & 0002) != 0;
    bool sticky_dir = e.st.is_dir() && (e.st.mode & 01000);
    if (is_code_path(e.path)) {
      bool group = (e.st.mode & 0020) && e.st.gid != 0;
      bool owner = e.st.uid != 0 && (e.st.mode & 0200);
      if (!world && !group && !owner) continue;
      std::string who = world   ? "every user"
                        : group ? fmt::format("group {}", e.st.gid)
                                : fmt::format("uid {}", e.st.uid);
      emit(Status::kFail, path,
           fmt::format("{} {} is writable by {} although it holds code or system configuration",
                       e.st.is_dir() ? "directory" : "file", path, who),
           at(path, 0, mode_text(e), "owned by root and not writable by group or others"));
      continue;
    }
    if (!world) continue;
    if (e.st.is_dir() && !sticky_dir) {
      emit(Status::kWarn, path,
           fmt::format("directory {} is world-writable without the sticky bit: any user can delete or replace "
                       "other users' files in it",
                       path),
           at(path, 0, mode_text(e), "mode 1777 (sticky) or not world-writable"));
    } else if (e.st.is_regular()) {
      emit(Status::kWarn, path, fmt::format("file {} is world-writable", path),
           at(path, 0, mode_text(e), "not writable by others"));
    }
  }
  // Mount options from /etc/fstab. Without entries there is nothing to judge: the mounts are
  // decided at run time (systemd's tmp.mount, the initramfs, a mount script).
  const std::string fstab_path = "/etc/fstab";
  const std::string fstab_shown = r.display(fstab_path);
  bool fstab_present = false;
  std::size_t fstab_entries = 0, data_mounts = 0;
  if (auto text = r.read(fstab_path)) {
    fstab_present = true;
    Fstab tab = parse_fstab(*text);
    r.diagnostics(tab.diagnostics, fstab_path);
    fstab_entries = tab.entries.size();
    const std::string& shown = fstab_shown;
    for (const auto& e : tab.entries) {
      if (std::find(std::begin(kPseudoFs), std::end(kPseudoFs), e.type) != std::end(kPseudoFs)) continue;
      const MountRule* rule = nullptr;
      for (const auto& m : kMountRules) {
        if (under(e.mount_point, m.prefix)) rule = &m;
      }
      if (!rule) continue;
      ++data_mounts;
      std::vector<std::string> missing;
      for (std::string_view o : {"nosuid", "nodev"}) {
        if (!e.has_option(o)) missing.emplace_back(o);
      }
      if (rule->noexec && !e.has_option("noexec")) missing.emplace_back("noexec");
      if (missing.empty()) continue;
      std::string m;
      for (const auto& x : missing) m += (m.empty() ? "" : ",") + x;
      std::string opts;
      for (const auto& x : e.options) opts += (opts.empty() ? "" : ",") + x;
      emit(Status::kWarn, "mount:" + e.mount_point,
           fmt::format("{} ({}) is mounted without {}", e.mount_point, e.type, m),
           at(shown, e.line,
              fmt::format("{} {} {} {}", e.device, e.mount_point, e.type, opts.empty() ? "defaults" : opts),
              "nosuid,nodev,noexec"));
    }
  }
  std::string where = r.display("/");
  if (emitted > kMaxFindingsPerCheck) {
    out.findings.push_back(
        finding(kPermissionsCheck, fails ? Status::kFail : Status::kWarn, where,
                fmt::format("{} more permission problems were not listed one by one", emitted - kMaxFindingsPerCheck)));
  }
  if (fstab_entries == 0) {
    out.findings.push_back(
        finding(kPermissionsCheck, Status::kInconclusive, fstab_present ? fstab_shown : std::string("mount options"),
                fstab_present ? fmt::format("{} has no entries, so the mount options of /tmp, /var and other data "
                                            "directories are decided at run time and cannot be judged from the image",
                                            fstab_shown)
                              : std::string("there is no /etc/fstab, so the mount options of /tmp, /var and other data "
                                            "directories are decided at run time and cannot be judged from the image"),
                {at(fstab_present ? fstab_shown : where, 0, fstab_present ? "no fstab entry" : "no /etc/fstab",
                    "fstab entries mounting data directories nosuid,nodev (and noexec)")}));
  }
  if (fails || warns) return;
  std::string mounts = fstab_entries == 0 ? std::string()
                       : data_mounts == 0 ? ", and fstab mounts no data directory separately"
                                          : ", and fstab mounts data with nosuid,nodev,noexec";
  out.findings.push_back(finding(kPermissionsCheck, Status::kPass, where,
                                 "no code or configuration path is writable by non-root users, and no world-writable "
                                 "file or non-sticky directory" +
                                     mounts,
                                 {at(where, 0, "no writable code path")}));
}

// ---- priv-rootfs-readonly --------------------------------------------------------------------

void check_rootfs(const FsReader& r, Output& out) {
  const auto& fsinfo = r.inv.filesystems().at(r.fs);
  std::string where = r.display("/");
  static constexpr std::string_view kReadOnlyFs[] = {"squashfs", "erofs", "cramfs", "romfs", "iso9660"};
  std::optional<FstabEntry> root_entry;
  std::vector<std::string> writable_mounts;
  std::string fstab_shown = r.display("/etc/fstab");
  if (auto text = r.read("/etc/fstab")) {
    for (const auto& e : parse_fstab(*text).entries) {
      if (e.mount_point == "/")
        root_entry = e;
      else if (std::find(std::begin(kPseudoFs), std::end(kPseudoFs), e.type) == std::end(kPseudoFs)) {
        writable_mounts.push_back(e.mount_point);
      }
    }
  }
  std::string state;
  for (const auto& m : writable_mounts) state += (state.empty() ? "" : ", ") + m;
  std::string state_note = state.empty() ? "" : "; separate mounts for " + state;
  if (std::find(std::begin(kReadOnlyFs), std::end(kReadOnlyFs), fsinfo.type) != std::end(kReadOnlyFs)) {
    out.findings.push_back(
        finding(kRootfsCheck, Status::kPass, where,
                fmt::format("the root filesystem is {}, which is read-only by construction{}", fsinfo.type, state_note),
                {at(where, 0, "filesystem type " + fsinfo.type, "squashfs, erofs or mounted ro")}));
    return;
  }
  if (root_entry && root_entry->has_option("ro")) {
    out.findings.push_back(finding(kRootfsCheck, Status::kPass, where,
                                   fmt::format("/etc/fstab mounts the root filesystem read-only{}", state_note),
                                   {at(fstab_shown, root_entry->line, "ro", "ro")}));
    return;
  }
  if (root_entry) {
    out.findings.push_back(finding(kRootfsCheck, Status::kWarn, where,
                                   fmt::format("/etc/fstab mounts the {} root filesystem read-write", root_entry->type),
                                   {at(fstab_shown, root_entry->line, root_entry->type + " without ro", "ro")}));
    return;
  }
  out.findings.push_back(finding(kRootfsCheck, Status::kWarn, where,
                                 fmt::format("the root filesystem is {} and nothing in /etc/fstab mounts it read-only "
                                             "(the kernel command line was not seen)",
                                             fsinfo.type),
                                 {at(where, 0, "filesystem type " + fsinfo.type, "squashfs, erofs or mounted ro")}));
}

// ---- priv-sudo -------------------------------------------------------------------------------

constexpr std::string_view kAdminGroups[] = {"%sudo", "%wheel", "%admin", "%root", ":wheel", ":sudo", ":admin"};

void check_sudo(const FsReader& r, Output& out) {
  std::vector<std::string> files;
  std::set<std::string> seen;
  std::size_t fails = 0, warns = 0, rules = 0;
  std::function<void(const std::string&, int)> load = [&](const std::string& path, int depth) {
    if (depth > 8 || !seen.insert(path).second || seen.size() > 256) return;
    auto text = r.read(path);
    if (!text) return;
    files.push_back(path);
    Sudoers s = parse_sudoers(*text);
    r.diagnostics(s.diagnostics, path);
    std::string shown = r.display(path);
    for (const auto& rule : s.rules) {
      ++rules;
      if (!rule.nopasswd || !rule.all_commands) continue;
      for (const auto& u : rule.users) {
        if (u == "root") continue;
        bool admin = std::find(std::begin(kAdminGroups), std::end(kAdminGroups), u) != std::end(kAdminGroups);
        out.findings.push_back(
            finding(kSudoCheck, admin ? Status::kWarn : Status::kFail, "sudo:" + u,
                    admin ? fmt::format("members of {} run any command as root without a password", u.substr(1))
                          : fmt::format("{} runs any command as root without a password (NOPASSWD: ALL)", u),
                    {at(shown, rule.line, rule.text, "no NOPASSWD: ALL outside named administrators")}));
        ++(admin ? warns : fails);
      }
    }
    for (const auto& inc : s.includes) load(inc.starts_with("/") ? inc : "/etc/" + inc, depth + 1);
    for (const auto& dir : s.includedirs) {
      for (const auto& e : r.list(dir)) {
        // sudo skips names ending in '~' or containing a '.'.
        if (e.name.find('.') != std::string::npos || e.name.ends_with("~")) continue;
        load(dir + "/" + e.name, depth + 1);
      }
    }
  };
  load("/etc/sudoers", 0);
  if (!seen.count("/etc/sudoers.d") && r.exists("/etc/sudoers.d") && files.empty()) {
    for (const auto& e : r.list("/etc/sudoers.d")) load("/etc/sudoers.d/" + e.name, 1);
  }
  for (auto doas : {"/etc/doas.conf", "/usr/local/etc/doas.conf"}) {
    auto text = r.read(doas);
    if (!text) continue;
    files.push_back(doas);
    std::vector<LineDiagnostic> diags;
    auto doas_rules = parse_doas(*text, diags);
    r.diagnostics(diags, doas);
    for (const auto& d : doas_rules) {
      ++rules;
      if (!d.permit || !d.nopass || !d.command.empty() || d.identity == "root") continue;
      if (!d.target.empty() && d.target != "root") continue;
      bool admin = std::find(std::begin(kAdminGroups), std::end(kAdminGroups), d.identity) != std::end(kAdminGroups);
      out.findings.push_back(
          finding(kSudoCheck, admin ? Status::kWarn : Status::kFail, "doas:" + d.identity,
                  fmt::format("doas lets {} run any command as root without a password", d.identity),
                  {at(r.display(doas), d.line, "permit nopass " + d.identity, "no nopass rule for every command")}));
      ++(admin ? warns : fails);
    }
  }
  if (fails || warns) return;
  std::string where = r.display("/etc/sudoers");
  if (files.empty()) {
    out.findings.push_back(finding(kSudoCheck, Status::kInfo, where, "neither sudo nor doas is configured",
                                   {at(where, 0, "no sudoers or doas.conf")}));
    return;
  }
  out.findings.push_back(finding(
      kSudoCheck, Status::kPass, where,
      fmt::format("no rule of {} file(s) grants every command without a password ({} rules)", files.size(), rules),
      {at(where, 0, "no NOPASSWD: ALL")}));
}

// ---- auth-pam --------------------------------------------------------------------------------

void check_pam(const FsReader& r, Output& out) {
  const std::string dir = "/etc/pam.d";
  auto entries = r.list(dir);
  std::string where = r.display(dir);
  if (entries.empty()) {
    // BusyBox login does not use PAM; /etc/securetty is what limits root logins there.
    out.findings.push_back(finding(kPamCheck, Status::kNotApplicable, where, "no PAM configuration in the image"));
    return;
  }
  std::size_t fails = 0, warns = 0;
  bool lockout = false;
  for (const auto& e : entries) {
    std::string path = dir + "/" + e.name;
    auto text = r.read(path);
    if (!text) continue;
    PamFile f = parse_pam(*text);
    r.diagnostics(f.diagnostics, path);
    std::string shown = r.display(path);
    for (const auto& l : f.lines) {
      std::string module(file_name(l.module));
      if (module == "pam_faillock.so" || module == "pam_tally2.so" || module == "pam_tally.so") lockout = true;
      if (l.type != "auth") continue;
      bool decisive = l.control == "sufficient" || l.control.find("success=done") != std::string::npos ||
                      l.control.find("default=done") != std::string::npos;
      std::string observed = fmt::format("{} {} {}", l.type, l.control, l.module);
      for (const auto& a : l.args) observed += " " + a;
      if (module == "pam_permit.so" && decisive) {
        out.findings.push_back(finding(kPamCheck, Status::kFail, shown,
                                       fmt::format("{} lets authentication succeed through pam_permit ({}) without "
                                                   "checking any password",
                                                   shown, l.control),
                                       {at(shown, l.line, observed, "no pam_permit deciding an auth stack")}));
        ++fails;
      }
      if (std::find(l.args.begin(), l.args.end(), "nullok") != l.args.end()) {
        out.findings.push_back(finding(kPamCheck, Status::kWarn, shown,
                                       fmt::format("{} accepts empty passwords ({} nullok)", shown, module),
                                       {at(shown, l.line, observed, "no nullok")}));
        ++warns;
      }
    }
  }
  if (!lockout) {
    out.findings.push_back(finding(kPamCheck, Status::kWarn, where,
                                   "no PAM stack locks an account after failed logins (no pam_faillock or pam_tally2)",
                                   {at(where, 0, "no lockout module", "pam_faillock in the auth stacks")}));
    ++warns;
  }
  if (fails || warns) return;
  out.findings.push_back(
      finding(kPamCheck, Status::kPass, where,
              "no auth stack is decided by pam_permit, none allows nullok, and failed logins lock out",
              {at(where, 0, "pam_permit, nullok and lockout checked")}));
}

/// Places whose presence makes a filesystem a system root whose hardening is judged: the
/// account database, an init configuration, or an SSH server's configuration.
constexpr std::string_view kSystemMarkers[] = {"/etc/passwd",
                                               "/etc/inittab",
                                               "/etc/ssh",
                                               "/sbin/init",
                                               "/init.rc",
                                               "/etc/init.d",
                                               "/etc/rc.d",
                                               "/etc/rcS.d",
                                               "/etc/inetd.conf",
                                               "/etc/xinetd.conf",
                                               "/etc/xinetd.d",
                                               "/etc/systemd/system",
                                               "/usr/lib/systemd/system",
                                               "/lib/systemd/system",
                                               "/system/etc/init",
                                               "/vendor/etc/init"};

/// True when the filesystem holds a system's configuration rather than data or a partition of
/// files: it has /etc (or Android's /init.rc, or systemd units) and one of kSystemMarkers.
bool is_system_root(const vfs::Vfs& v) {
  if (!v.exists("/etc") && !v.exists("/init.rc") && !v.exists("/lib/systemd")) return false;
  return std::any_of(std::begin(kSystemMarkers), std::end(kSystemMarkers),
                     [&](std::string_view p) { return v.exists(std::string(p)); });
}

}  // namespace

std::span<const std::string_view> checks() { return kChecks; }

Output run(const Context& ctx) {
  Output out;
  const auto& filesystems = ctx.inventory.filesystems();
  bool any = false;
  for (std::uint32_t fs = 0; fs < filesystems.size(); ++fs) {
    if (!filesystems[fs].vfs || !is_system_root(ctx.inventory.vfs(fs))) continue;
    any = true;
    FsReader r{ctx.inventory, fs, out.diagnostics};
    check_setuid(r, out);
    check_permissions(r, out);
    check_rootfs(r, out);
    check_sudo(r, out);
    check_pam(r, out);
  }
  if (!any) inconclusive_for_all(kChecks, "/etc", "no filesystem of the target has /etc or an init configuration", out);
  make_utf8(out);
  return out;
}

}  // namespace fwcert::analyzers::system
