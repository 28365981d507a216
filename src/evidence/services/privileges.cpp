// Services as the init system really runs them: the daemon behind a wrapper script, and how a
// daemon that starts as root gives root up, read from its own options and configuration with
// the per-daemon table data/daemon-privileges.yaml.

#include <yaml-cpp/yaml.h>

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/limits.hpp"
#include "core/text.hpp"
#include "data/resources.hpp"
#include "evidence/accounts.hpp"
#include "evidence/services/detail.hpp"
#include "evidence/services/parse.hpp"

namespace fwcert::evidence::services::detail {

namespace {

/// Most files a wrapper script may source (`. FILE`) to find its variables.
constexpr std::size_t kMaxSourcedFiles = 4;

std::vector<std::string> strings_of(const YAML::Node& n) {
  std::vector<std::string> out;
  if (n && n.IsSequence()) {
    for (const auto& v : n) out.push_back(v.as<std::string>());
  }
  return out;
}

std::string expand(std::string_view s, const std::map<std::string, std::string>& vars, int depth = 0) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '$' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    if (s[i + 1] == '{') {
      std::size_t level = 1, j = i + 2;
      for (; j < s.size() && level; ++j) {
        if (s[j] == '{') ++level;
        if (s[j] == '}') --level;
      }
      if (level) break;  // unterminated: drop the rest
      std::string_view inner = s.substr(i + 2, j - i - 3);
      std::size_t name_end = 0;
      while (name_end < inner.size() &&
             (std::isalnum(static_cast<unsigned char>(inner[name_end])) || inner[name_end] == '_'))
        ++name_end;
      std::string name(inner.substr(0, name_end));
      std::string_view op = inner.substr(name_end);
      auto it = vars.find(name);
      bool set = it != vars.end(), nonempty = set && !it->second.empty();
      auto word = [&](std::size_t skip) {
        return depth < 4 ? expand(op.substr(skip), vars, depth + 1) : std::string();
      };
      if (op.starts_with(":-"))
        out += nonempty ? it->second : word(2);
      else if (op.starts_with(":+"))
        out += nonempty ? word(2) : std::string();
      else if (op.starts_with("-"))
        out += set ? it->second : word(1);
      else if (op.starts_with("+"))
        out += set ? word(1) : std::string();
      else if (op.empty() && set)
        out += it->second;
      i = j - 1;
      continue;
    }
    std::size_t j = i + 1;
    while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
    if (j == i + 1) {
      out += s[i];
      continue;
    }
    if (auto it = vars.find(std::string(s.substr(i + 1, j - i - 1))); it != vars.end()) out += it->second;
    i = j - 1;
  }
  return out;
}

/// Logical lines of a shell script: backslash-newline continuations joined, with the number
/// of the first physical line.
std::vector<std::pair<std::size_t, std::string>> logical_lines(std::string_view text) {
  std::vector<std::pair<std::size_t, std::string>> out;
  std::string pending;
  std::size_t first = 0;
  for (auto [no, line] : text::lines(text)) {
    if (pending.empty()) first = no;
    if (!line.empty() && line.back() == '\\') {
      pending.append(line.substr(0, line.size() - 1)).push_back(' ');
      continue;
    }
    pending.append(line);
    out.emplace_back(first, std::move(pending));
    pending.clear();
  }
  if (!pending.empty()) out.emplace_back(first, std::move(pending));
  return out;
}

/// Every `NAME=value` assignment of a script, in file order (inside `if` blocks too: a
/// default such as `[ -z "$USER" ] && USER=x` or `if ...; then USER=x; fi` is what the daemon
/// gets when nothing overrides it). The first assignment of a name wins, as the files are
/// read from the most specific (/etc/default) to the script.
void assignments(std::string_view text, std::map<std::string, std::string>& vars) {
  for (const auto& [no, line] : logical_lines(text)) {
    for (const auto& w : split_command(line)) {
      auto eq = w.find('=');
      if (eq == std::string::npos || eq == 0) continue;
      std::string name = w.substr(0, eq);
      if (!std::all_of(name.begin(), name.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }) ||
          std::isdigit(static_cast<unsigned char>(name[0])))
        continue;
      vars.emplace(name, expand(w.substr(eq + 1), vars));
    }
  }
}

bool is_script(const FsReader& r, const std::string& path) {
  std::array<std::byte, 2> head{};
  auto n = r.v().read(path, 0, head);
  return n.ok() && *n == 2 && head[0] == std::byte{'#'} && head[1] == std::byte{'!'};
}

}  // namespace

std::string expand_shell(std::string_view text, const std::map<std::string, std::string>& vars) {
  return expand(text, vars);
}

const std::map<std::string, DaemonPrivileges, std::less<>>& daemon_privileges() {
  static const auto table = [] {
    std::map<std::string, DaemonPrivileges, std::less<>> t;
    YAML::Node doc = YAML::Load(std::string(data::resource("data/daemon-privileges.yaml")));
    for (const auto& d : doc["daemons"]) {
      DaemonPrivileges p;
      p.program = d["program"].as<std::string>();
      p.user_options = strings_of(d["user_options"]);
      p.config = d["config"] ? d["config"].as<std::string>() : std::string();
      p.config_options = strings_of(d["config_options"]);
      p.user_key = d["user_key"] ? d["user_key"].as<std::string>() : std::string();
      p.syntax = d["syntax"] ? d["syntax"].as<std::string>() : std::string("directive");
      p.default_user = d["default_user"] ? d["default_user"].as<std::string>() : std::string();
      p.workers_only = d["workers_only"] && d["workers_only"].as<bool>();
      p.privilege_separated = d["privilege_separated"] && d["privilege_separated"].as<bool>();
      p.root_by_design = d["root_by_design"] && d["root_by_design"].as<bool>();
      p.source = d["source"] ? d["source"].as<std::string>() : std::string();
      t.emplace(p.program, std::move(p));
    }
    return t;
  }();
  return table;
}

void follow_wrapper(const FsReader& r, Service& s) {
  if (s.program.empty() || s.program[0] != '/' || !is_script(r, s.program)) return;
  const std::string wrapper = s.program;
  auto text = r.read(wrapper);
  if (!text) return;
  // Variables: /etc/default/<unit stem> first (it overrides), then the files the script
  // sources, then the script's own assignments.
  std::map<std::string, std::string> vars;
  std::string stem = s.name.substr(0, s.name.find('.'));
  if (auto d = r.read("/etc/default/" + stem)) assignments(*d, vars);
  std::size_t sourced = 0;
  for (const auto& [no, line] : logical_lines(*text)) {
    auto w = split_command(line);
    if (w.size() == 2 && (w[0] == "." || w[0] == "source") && sourced < kMaxSourcedFiles) {
      std::string file = expand(w[1], vars);
      if (file.starts_with("/") && file != wrapper) {
        ++sourced;
        if (auto t = r.read(file)) assignments(*t, vars);
      }
    }
  }
  assignments(*text, vars);
  // The daemon: the first `exec PROGRAM ...` naming a known network daemon or a file in the
  // image that is not itself a script.
  for (const auto& [no, line] : logical_lines(*text)) {
    auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line.compare(first, 5, "exec ") != 0) continue;
    auto words = split_command(expand(std::string_view(line).substr(first + 5), vars));
    if (words.empty()) continue;
    const std::string& program = words[0];
    bool daemon = network_daemons().count(std::string(file_name(program))) > 0;
    if (!daemon && !(program.starts_with("/") && r.exists(program) && !is_script(r, program))) continue;
    s.wrapper = fmt::format("{} line {}", r.display(wrapper), no);
    s.program = program;
    s.args.assign(words.begin() + 1, words.end());
    return;
  }
}

void apply_privileges(const FsReader& r, const evidence::AccountFiles& accounts, Service& s) {
  if (!s.runs_as_root()) return;
  const DaemonPrivileges* p = nullptr;
  for (const auto& n : program_names(s)) {
    if (auto it = daemon_privileges().find(n); it != daemon_privileges().end()) {
      p = &it->second;
      break;
    }
  }
  if (!p) return;
  s.privileges_source = p->source;
  if (p->root_by_design) {
    s.root_by_design = true;
    return;
  }
  if (p->privilege_separated) {
    s.privilege_separated = true;
    return;
  }
  // An option on the command line wins over the configuration file, which wins over the
  // compiled-in default.
  auto option_value = [&](const std::vector<std::string>& names) -> std::optional<std::string> {
    for (std::size_t i = 0; i < s.args.size(); ++i) {
      for (const auto& o : names) {
        if (s.args[i] == o && i + 1 < s.args.size()) return s.args[i + 1];
        if (o.starts_with("--") && s.args[i].starts_with(o + "=")) return s.args[i].substr(o.size() + 1);
        if (!o.starts_with("--") && s.args[i].size() > o.size() && s.args[i].starts_with(o))
          return s.args[i].substr(o.size());
      }
    }
    return std::nullopt;
  };
  std::string user, where;
  std::size_t line = 0;
  std::string path = s.wrapper.empty() ? s.path : s.wrapper;
  if (auto u = option_value(p->user_options)) {
    user = *u;
    where = fmt::format("{} {} on its command line", p->user_options.front(), user);
    line = s.line;
  } else if (!p->user_key.empty()) {
    std::string config = option_value(p->config_options).value_or(p->config);
    if (auto text = r.read(config)) {
      for (auto [no, raw] : text::lines(*text)) {
        std::string_view l = text::trim_space(raw);
        if (p->syntax == "dbus") {
          auto open = l.find("<user>"), close = l.find("</user>");
          if (open == std::string_view::npos || close == std::string_view::npos || close < open) continue;
          user = std::string(text::trim_space(l.substr(open + 6, close - open - 6)));
        } else {
          if (l.empty() || l[0] == '#' || !l.starts_with(p->user_key)) continue;
          std::string_view rest = l.substr(p->user_key.size());
          if (rest.empty() || !(rest[0] == ' ' || rest[0] == '\t' || rest[0] == '=')) continue;
          rest = text::trim_space(rest);
          if (rest.starts_with("=")) rest = text::trim_space(rest.substr(1));
          if (auto end = rest.find_first_of(";#"); end != std::string_view::npos)
            rest = text::trim_space(rest.substr(0, end));
          auto ws = text::words(rest, 1);
          if (ws.empty()) continue;
          user = std::string(text::unquote(ws[0]));
        }
        path = r.display(config);
        line = no;
        where = fmt::format("{} in {} line {}", p->syntax == "dbus" ? "<user>" : p->user_key, path, no);
        break;  // the first setting is the one a daemon reads (dnsmasq, nginx, mosquitto: one allowed)
      }
    }
  }
  if (user.empty() && !p->default_user.empty()) {
    user = p->default_user;
    where = "its compiled-in default";
  }
  if (user.empty()) return;
  if (auto colon = user.find_first_of(":."); colon != std::string::npos && p->user_options.size()) user.resize(colon);
  if (user == "root" || user == "0") return;
  bool known = false;
  for (const auto& e : accounts.passwd.records) known |= e.name == user;
  if (!accounts.passwd.records.empty() && !known) {
    s.privilege_note = fmt::format(
        "{} is configured to switch to {} ({}), but the image's /etc/passwd has no such "
        "account, so it cannot start as configured",
        file_name(s.program), user, where);
    return;
  }
  s.privilege_note = fmt::format("{} starts as root and switches to {} ({}){}", file_name(s.program), user, where,
                                 p->workers_only ? " for the worker processes that handle the network" : "");
  s.user = user;
  s.user_path = path;
  s.user_line = line;
}

}  // namespace fwcert::evidence::services::detail
