// boot-uboot-no-external-boot and boot-uboot-console-locked: what U-Boot runs at boot and
// whether its prompt can be reached, from the merged environment, boot scripts and the
// commands compiled into the binary.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <map>

#include "analyzers/boot/common.hpp"
#include "core/limits.hpp"

namespace fwcert::analyzers::boot {

namespace {

constexpr std::string_view kExternalCheck = "boot-uboot-no-external-boot";
constexpr std::string_view kConsoleCheck = "boot-uboot-console-locked";

/// A command U-Boot runs at boot and where its text is.
struct Reached {
  std::vector<std::string> words;
  std::string var;  ///< variable it came from ("" for a boot script)
  Evidence where;
};

/// Replaces ${name} and $name with the variable's value (loop variables first).
std::string substitute(std::string_view s, const MergedEnv& env, const std::map<std::string, std::string>& loop) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '$' || i + 1 >= s.size()) {
      out.push_back(s[i]);
      continue;
    }
    std::size_t start = i + 1, end;
    std::string name;
    if (s[start] == '{') {
      end = s.find('}', start);
      if (end == std::string_view::npos) {
        out.append(s.substr(i));
        break;
      }
      name = std::string(s.substr(start + 1, end - start - 1));
      i = end;
    } else {
      end = start;
      while (end < s.size() && (std::isalnum(static_cast<unsigned char>(s[end])) || s[end] == '_')) ++end;
      name = std::string(s.substr(start, end - start));
      i = end - 1;
    }
    if (auto l = loop.find(name); l != loop.end()) {
      out += l->second;
    } else if (const auto* v = env.find(name)) {
      out += v->value.size() < 4096 ? v->value : std::string();
    }
  }
  return out;
}

std::vector<std::string> words_of(std::string_view s) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < s.size() && out.size() < 256) {
    auto b = s.find_first_not_of(" \t\n", pos);
    if (b == std::string_view::npos) break;
    auto e = s.find_first_of(" \t\n", b);
    out.emplace_back(s.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b));
    pos = e == std::string_view::npos ? s.size() : e;
  }
  return out;
}

/// Follows `run` from the boot command (and boot scripts) through the environment: every
/// command U-Boot may execute at boot. `for X in LIST` binds X to each word of LIST in turn,
/// which is how distro boot walks boot_targets.
class Expander {
 public:
  explicit Expander(const MergedEnv& env) : env_(env) {}

  void run_var(const std::string& name, int depth) {
    if (depth > limits::kMaxUbootRunDepth || reached_.size() > 65536) return;
    const MergedVar* v = env_.find(name);
    if (!v) return;
    auto key = name + "|" + loop_key();
    if (!visited_.insert(key).second) return;
    run_text(v->value, name, var_evidence(name, *v), depth);
  }

  void run_text(std::string_view text, const std::string& var, const Evidence& where, int depth) {
    for (auto words : formats::uboot::split_commands(text)) {
      static constexpr std::string_view kKeywords[] = {"do", "then", "else", "if", "while", "until", "!", "elif"};
      while (!words.empty() &&
             std::find(std::begin(kKeywords), std::end(kKeywords), words.front()) != std::end(kKeywords))
        words.erase(words.begin());
      if (words.empty() || words.front() == "done" || words.front() == "fi") continue;
      if (words.front() == "for" && words.size() >= 3 && words[2] == "in") {
        std::vector<std::string> list;
        for (std::size_t i = 3; i < words.size(); ++i) {
          for (auto& w : words_of(substitute(words[i], env_, loop_))) list.push_back(std::move(w));
        }
        loops_[words[1]] = std::move(list);
        continue;
      }
      if (words.front() == "run") {
        for (std::size_t i = 1; i < words.size(); ++i) run_expanded(words[i], depth);
        continue;
      }
      for (auto& w : words) w = substitute(w, env_, loop_);
      reached_.push_back({std::move(words), var, where});
    }
  }

  const std::vector<Reached>& reached() const { return reached_; }

 private:
  /// `run X` where X may name a loop variable: one run per value the loop gives it.
  void run_expanded(const std::string& arg, int depth) {
    for (const auto& entry : loops_) {
      const std::string& var = entry.first;
      if (arg.find("${" + var + "}") == std::string::npos && arg.find("$" + var) == std::string::npos) continue;
      if (loop_.count(var)) continue;
      // Copied: runs below may rebind loops_.
      std::vector<std::string> values = entry.second;
      std::string bound = var;
      for (const auto& value : values) {
        loop_[bound] = value;
        run_expanded(arg, depth);
      }
      loop_.erase(bound);
      return;
    }
    for (const auto& w : words_of(substitute(arg, env_, loop_))) run_var(w, depth + 1);
  }

  std::string loop_key() const {
    std::string k;
    for (const auto& [n, v] : loop_) k += n + "=" + v + ";";
    return k;
  }

  const MergedEnv& env_;
  std::vector<Reached> reached_;
  std::set<std::string> visited_;
  std::map<std::string, std::vector<std::string>> loops_;
  std::map<std::string, std::string> loop_;
};

/// Why a boot command loads code from outside the device, or "" when it does not.
std::string external_source(const std::vector<std::string>& w) {
  static constexpr std::string_view kNetwork[] = {"tftp", "tftpboot", "dhcp",  "bootp",   "rarpboot", "pxe",
                                                  "nfs",  "wget",     "dhcp6", "tftpsrv", "pxe_get"};
  static constexpr std::string_view kDownload[] = {"loadb", "loadx", "loady",   "loads",  "fastboot",
                                                   "dfu",   "ums",   "rockusb", "usbboot"};
  static constexpr std::string_view kLoaders[] = {"load",      "fatload",  "ext2load",  "ext4load",
                                                  "btrfsload", "sqfsload", "erofsload", "sysboot",
                                                  "zfsload",   "ls",       "fatls",     "ext4ls"};
  const std::string& cmd = w.front();
  auto in = [&](auto& list) { return std::find(std::begin(list), std::end(list), cmd) != std::end(list); };
  if (in(kNetwork)) return "loads over the network";
  if (in(kDownload)) return "accepts code over USB or the serial line";
  if (cmd == "usb" && w.size() >= 2 && (w[1] == "start" || w[1] == "reset")) return "starts USB storage";
  if (in(kLoaders) && w.size() >= 2 && w[1] == "usb") return "loads from USB storage";
  if (cmd == "bootflow" && w.size() >= 2 && w[1] == "scan") return "scans every boot device (bootflow scan)";
  return {};
}

std::optional<int> parse_int(std::string_view s) {
  int v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

void check_external(const Collected& c, const MergedEnv& env, Output& out) {
  const MergedVar* bootcmd = env.find("bootcmd");
  std::vector<const FoundEnv*> scripts;
  for (const auto& f : c.envs) {
    if (f.source == FoundEnv::Source::kScript) scripts.push_back(&f);
  }
  if (!bootcmd && scripts.empty()) {
    out.findings.push_back(finding(kExternalCheck, Status::kInconclusive, "u-boot",
                                   "no U-Boot boot command was found (default environment in a U-Boot binary, stored "
                                   "environment, uEnv.txt, u-boot-initial-env or boot script)"));
    return;
  }
  Expander x(env);
  if (bootcmd) x.run_var("bootcmd", 0);
  for (const auto* s : scripts) x.run_text(s->script, "", at(s->path, 0, "boot script"), 0);
  std::vector<Evidence> bad;
  for (const auto& r : x.reached()) {
    std::string why = external_source(r.words);
    if (why.empty()) continue;
    // bootflow scan is limited to internal devices when boot_targets names only those.
    if (r.words.front() == "bootflow") {
      const MergedVar* targets = env.find("boot_targets");
      bool external = !targets;
      for (const auto& t : targets ? words_of(targets->value) : std::vector<std::string>{}) {
        if (t.starts_with("usb") || t == "pxe" || t == "dhcp" || t.starts_with("efi_http")) external = true;
      }
      if (!external) continue;
    }
    Evidence e = r.where;
    e.observed = fmt::format("{}: {}", r.var.empty() ? std::string("script") : r.var, fmt::join(r.words, " "));
    e.expected = "boot only from internal storage: this command " + why;
    if (bad.size() < 20) bad.push_back(std::move(e));
  }
  std::string subject = bootcmd ? bootcmd->from->path : scripts.front()->path;
  for (const auto& r : x.reached()) {
    out.facts.push_back({"boot", subject, "uboot.boot_command", fmt::format("{}", fmt::join(r.words, " ")), r.where});
    if (out.facts.size() > 4096) break;
  }
  if (!bad.empty()) {
    std::size_t n = bad.size();
    out.findings.push_back(finding(kExternalCheck, Status::kFail, subject,
                                   fmt::format("the U-Boot boot path can load code from USB or the network ({} "
                                               "command(s) reached from the boot command)",
                                               n),
                                   std::move(bad)));
    return;
  }
  std::vector<Evidence> ev;
  if (bootcmd) ev.push_back(var_evidence("bootcmd", *bootcmd, "no USB, network or download command reachable"));
  for (const auto* s : scripts) ev.push_back(at(s->path, 0, "boot script", "no USB, network or download command"));
  out.findings.push_back(finding(kExternalCheck, Status::kPass, subject,
                                 fmt::format("{} command(s) reachable from the boot command load only from internal "
                                             "storage",
                                             x.reached().size()),
                                 std::move(ev)));
}

void check_console(const Collected& c, const MergedEnv& env, Output& out) {
  const MergedVar* delay = env.find("bootdelay");
  const UbootBinary* bin = c.binaries.empty() ? nullptr : &c.binaries.front();
  if (!delay) {
    out.findings.push_back(finding(kConsoleCheck, Status::kInconclusive, bin ? bin->path : "u-boot",
                                   "no bootdelay was found in any U-Boot environment, so whether the prompt can be "
                                   "reached is unknown"));
    return;
  }
  std::vector<Evidence> ev;
  ev.push_back(var_evidence("bootdelay", *delay, "-2 (no interruption), or a strong bootstopkeysha256"));
  auto value = parse_int(delay->value);
  const MergedVar* sha_key = env.find("bootstopkeysha256");
  const MergedVar* key = env.find("bootstopkey");
  bool strong_key = sha_key && !sha_key->value.empty();
  bool interruptible = !value || *value != -2;
  std::string how;
  if (!value) {
    how = fmt::format("bootdelay \"{}\" is not a number (U-Boot then uses its build default)", delay->value);
  } else if (*value == -1) {
    how = "bootdelay -1 disables autoboot: the prompt is always there";
  } else if (*value == 0) {
    how = "bootdelay 0 still stops for a key already pressed";
  } else if (*value > 0) {
    how = fmt::format("a {} second countdown can be interrupted", *value);
  }
  if (interruptible && strong_key && (!value || *value != -1)) {
    interruptible = false;
    ev.push_back(var_evidence("bootstopkeysha256", *sha_key));
    how.clear();
  } else if (interruptible && key) {
    ev.push_back(var_evidence("bootstopkey", *key, "bootstopkeysha256 (a plain key is read from the environment)"));
    how += " (with a plain bootstopkey, readable in the environment)";
  }
  std::vector<std::string> memory_commands;
  if (bin) {
    for (const char* cmd : {"mw", "mm", "nm", "cp", "go", "loadb", "loadx", "loady", "tftpboot"}) {
      if (bin->commands.count(cmd)) memory_commands.emplace_back(cmd);
    }
    out.facts.push_back({"boot", bin->path, "uboot.commands",
                         std::vector<std::string>(bin->commands.begin(), bin->commands.end()),
                         at(bin->path, 0, "command usage strings")});
  }
  bool env_writable = !c.fw_env_config.empty() && !c.fw_setenv.empty();
  if (env_writable) {
    ev.push_back(at(c.fw_env_config, 0, "fw_env.config with " + c.fw_setenv.front(),
                    "no environment writable from Linux (U-Boot then trusts what root wrote)"));
  }
  if (const MergedVar* silent = env.find("silent")) ev.push_back(var_evidence("silent", *silent));

  std::string subject = delay->from->path;
  if (!interruptible) {
    if (env_writable) {
      out.findings.push_back(finding(kConsoleCheck, Status::kWarn, subject,
                                     "autoboot cannot be interrupted, but the environment is writable from Linux "
                                     "(fw_setenv), so root can change bootdelay for the next boot",
                                     std::move(ev)));
    } else {
      out.findings.push_back(finding(kConsoleCheck, Status::kPass, subject,
                                     strong_key ? "autoboot stops only for the SHA-256 protected key"
                                                : "autoboot cannot be interrupted (bootdelay -2)",
                                     std::move(ev)));
    }
    return;
  }
  if (!memory_commands.empty()) {
    ev.push_back(at(bin->path, 0, fmt::format("commands compiled in: {}", fmt::join(memory_commands, ", ")),
                    "no memory-write, download or go commands in a production U-Boot"));
    out.findings.push_back(finding(kConsoleCheck, Status::kFail, subject,
                                   fmt::format("the U-Boot prompt can be reached ({}) and offers memory-write and "
                                               "download commands ({})",
                                               how, fmt::join(memory_commands, ", ")),
                                   std::move(ev)));
    return;
  }
  out.findings.push_back(finding(
      kConsoleCheck, Status::kWarn, subject,
      bin ? fmt::format("the U-Boot prompt can be reached ({}); no memory-write command was found in {}", how,
                        bin->path)
          : fmt::format("the U-Boot prompt can be reached ({}); no U-Boot binary was found to tell which commands it "
                        "offers",
                        how),
      std::move(ev)));
}

}  // namespace

void check_uboot_env(const Collected& c, Output& out) {
  MergedEnv env = merge(c);
  for (const auto& f : c.envs) {
    out.facts.push_back({"boot", f.path, "uboot.environment", std::string(to_string(f.source)),
                         at(f.path, 0, fmt::format("{} variables", f.env.vars.size()))});
  }
  check_external(c, env, out);
  check_console(c, env, out);
}

}  // namespace fwcert::analyzers::boot
