// Whether a daemon listens only on the device itself, from its own configuration: sshd's
// effective configuration (includes expanded), dropbear's -p addresses, mosquitto 2's local
// only mode, chronyd without `allow`. A service that does is not network-facing.

#include <fmt/format.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/limits.hpp"
#include "core/text.hpp"
#include "evidence/services/detail.hpp"
#include "evidence/services/parse.hpp"

namespace fwcert::evidence::services::detail {

void load_sshd(const FsReader& r, const std::string& path, int depth, SshdEffective& eff) {
  if (depth > 8 || eff.files.size() > 256) return;
  auto text = r.read(path);
  if (!text) return;
  std::string shown = r.display(path);
  eff.files.push_back(shown);
  SshdConfig cfg = parse_sshd_config(*text, shown);
  r.diagnostics(cfg.diagnostics, path);
  for (auto& o : cfg.options) {
    if (o.keyword != "include") {
      eff.options.push_back(std::move(o));
      continue;
    }
    for (const auto& pattern : split_command(o.value)) {
      std::string p = pattern.starts_with("/") ? pattern : "/etc/ssh/" + pattern;
      auto star = p.find('*');
      if (star == std::string::npos) {
        load_sshd(r, p, depth + 1, eff);
        continue;
      }
      // Only a glob in the last component ("sshd_config.d/*.conf") is supported.
      auto slash = p.rfind('/');
      if (slash == std::string::npos || slash > star) continue;
      std::string dir = p.substr(0, slash), glob = p.substr(slash + 1);
      auto gstar = glob.find('*');
      std::string pre = glob.substr(0, gstar), post = glob.substr(gstar + 1);
      for (const auto& e : r.list(dir)) {
        if (e.name.size() >= pre.size() + post.size() && e.name.starts_with(pre) && e.name.ends_with(post)) {
          load_sshd(r, dir + "/" + e.name, depth + 1, eff);
        }
      }
    }
  }
}

const SshdOption* first_of(const SshdEffective& eff, std::string_view keyword) {
  for (const auto& o : eff.options) {
    if (o.keyword == keyword) return &o;
  }
  return nullptr;
}

/// An address sshd or dropbear listens on that only the device itself reaches: 127.x,
/// ::1 or localhost, with or without a port ("127.0.0.1", "[::1]:22", "localhost:2222").
bool loopback_address(std::string_view a) {
  return a.starts_with("127.") || a == "::1" || a.starts_with("[::1]") || a == "localhost" ||
         a.starts_with("localhost:");
}

namespace {

/// The directive lines of a daemon's configuration file and of the *.conf files of the
/// directories it includes (`include_dir` for mosquitto, `confdir` for chrony): keyword, the
/// rest of the line, and where.
struct Directive {
  std::string keyword, value, where;
};
std::vector<Directive> directives(const FsReader& r, const std::string& file, std::string_view include_keyword) {
  std::vector<Directive> out;
  std::vector<std::string> files{file};
  for (std::size_t i = 0; i < files.size() && i < 64; ++i) {
    auto text = r.read(files[i]);
    if (!text) continue;
    for (auto [no, line] : text::lines(*text)) {
      auto w = text::words(text::trim_space(line), 2);
      if (w.empty() || w[0].starts_with("#")) continue;
      Directive d{std::string(w[0]), w.size() > 1 ? std::string(w[1]) : std::string(),
                  fmt::format("{} line {}", r.display(files[i]), no)};
      if (d.keyword == include_keyword && i == 0) {
        for (const auto& e : r.list(d.value)) {
          if (e.name.ends_with(".conf")) files.push_back(d.value + "/" + e.name);
        }
      }
      out.push_back(std::move(d));
    }
  }
  return out;
}

}  // namespace

/// Daemons that listen only locally unless their configuration opens them: mosquitto 2 with no
/// `listener` or `port` (its "local only mode"), chronyd with no `allow` (it serves no NTP
/// client; its command port is bound to localhost).
std::optional<std::string> local_only_by_configuration(const FsReader& r, const Service& s, std::string_view daemon) {
  auto option = [&](std::string_view name) -> std::optional<std::string> {
    for (std::size_t i = 0; i + 1 < s.args.size(); ++i)
      if (s.args[i] == name) return s.args[i + 1];
    return std::nullopt;
  };
  if (daemon == "mosquitto") {
    std::string conf = option("-c").value_or("/etc/mosquitto/mosquitto.conf");
    if (!r.exists(conf)) return std::nullopt;
    for (const auto& d : directives(r, conf, "include_dir")) {
      if (d.keyword == "listener" || d.keyword == "port") return std::nullopt;
    }
    // Local only mode is mosquitto 2's: the binary says so when it starts in it.
    auto binary = r.v().read_file(s.program, limits::kMaxContentScanFileBytes);
    if (!binary.ok() || binary->find("Starting in local only mode") == std::string::npos) return std::nullopt;
    return fmt::format(
        "mosquitto 2 with no listener or port in {} (or its include_dir) accepts connections only from "
        "this machine (local only mode)",
        r.display(conf));
  }
  std::string conf = option("-f").value_or("/etc/chrony/chrony.conf");
  if (!r.exists(conf)) return std::nullopt;
  for (const auto& d : directives(r, conf, "confdir")) {
    if (d.keyword == "allow" || d.keyword == "cmdallow" || (d.keyword == "port" && d.value != "0")) return std::nullopt;
    if (d.keyword == "bindcmdaddress" && !loopback_address(d.value) && !d.value.starts_with("/")) return std::nullopt;
  }
  return fmt::format(
      "chronyd serves no NTP client (no allow directive in {} or its confdir) and its command port "
      "listens on localhost only",
      r.display(conf));
}

/// When the daemon's own configuration binds it to loopback only, the reason (it is then not
/// network-facing): every sshd ListenAddress, or every dropbear -p address, is a loopback one.
std::optional<std::string> loopback_only(const FsReader& r, const Service& s, std::string_view daemon) {
  std::vector<std::pair<std::string, std::string>> listens;  // address, where
  if (daemon == "sshd") {
    SshdEffective eff;
    load_sshd(r, "/etc/ssh/sshd_config", 0, eff);
    for (const auto& o : eff.options) {
      if (o.keyword == "listenaddress") {
        auto words = split_command(o.value);
        listens.emplace_back(words.empty() ? std::string() : words[0], fmt::format("{} line {}", o.path, o.line));
      }
    }
  } else if (daemon == "dropbear") {
    for (std::size_t i = 0; i + 1 < s.args.size(); ++i) {
      if (s.args[i] != "-p") continue;
      const std::string& v = s.args[i + 1];
      auto colon = v.rfind(':');
      // "-p 22" listens on every address; "-p 127.0.0.1:22" or "-p [::1]:22" on one.
      listens.emplace_back(colon == std::string::npos ? std::string() : v.substr(0, colon),
                           fmt::format("{} line {}", s.path, s.line));
    }
  }
  if (daemon == "mosquitto" || daemon == "chronyd") return local_only_by_configuration(r, s, daemon);
  if (listens.empty()) return std::nullopt;
  for (const auto& [address, where] : listens) {
    if (!loopback_address(address)) return std::nullopt;
  }
  return fmt::format("{} listens on loopback only ({} at {})", daemon,
                     daemon == "sshd" ? "ListenAddress " + listens.front().first : "-p " + listens.front().first,
                     listens.front().second);
}

}  // namespace fwcert::evidence::services::detail
