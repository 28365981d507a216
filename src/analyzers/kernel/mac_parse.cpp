#include "analyzers/kernel/mac_parse.hpp"

#include <algorithm>
#include <map>

#include "core/limits.hpp"
#include "core/text.hpp"

namespace fwcert::analyzers::kernel {

namespace {

using text::lower;
using text::trim;

/// Splits a header into words; double quotes group.
std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false, any = false;
  for (char c : s) {
    if (c == '"') {
      quoted = !quoted;
      any = true;
      continue;
    }
    if (!quoted && (c == ' ' || c == '\t')) {
      if (any) out.push_back(cur);
      cur.clear();
      any = false;
      continue;
    }
    cur.push_back(c);
    any = true;
  }
  if (any) out.push_back(cur);
  return out;
}

/// Glob matching with a step budget: each '*' tries every split, so hostile patterns are bounded.
bool match(std::string_view p, std::string_view s, std::size_t& budget) {
  while (!p.empty()) {
    if (budget == 0) return false;
    --budget;
    char c = p.front();
    if (c == '*') {
      bool any = p.size() > 1 && p[1] == '*';
      std::string_view rest = p.substr(any ? 2 : 1);
      for (std::size_t i = 0; i <= s.size(); ++i) {
        if (match(rest, s.substr(i), budget)) return true;
        if (i < s.size() && !any && s[i] == '/') break;
      }
      return false;
    }
    if (s.empty()) return false;
    if (c == '?') {
      if (s.front() == '/') return false;
    } else if (c == '[') {
      auto close = p.find(']', 1);
      if (close == std::string_view::npos) return false;
      std::string_view set = p.substr(1, close - 1);
      bool negate = !set.empty() && (set.front() == '^' || set.front() == '!');
      if (negate) set.remove_prefix(1);
      bool in = false;
      for (std::size_t i = 0; i < set.size(); ++i) {
        if (i + 2 < set.size() && set[i + 1] == '-') {
          in |= s.front() >= set[i] && s.front() <= set[i + 2];
          i += 2;
        } else {
          in |= s.front() == set[i];
        }
      }
      if (in == negate) return false;
      p.remove_prefix(close);
    } else if (c != s.front()) {
      return false;
    }
    p.remove_prefix(1);
    s.remove_prefix(1);
  }
  return s.empty();
}

/// Expands the first {a,b,...} of a pattern (nesting respected), recursively, into at most
/// `limit` patterns.
void expand(const std::string& p, std::vector<std::string>& out, std::size_t limit) {
  if (out.size() >= limit) return;
  auto open = p.find('{');
  if (open == std::string::npos) {
    out.push_back(p);
    return;
  }
  int depth = 0;
  std::vector<std::size_t> commas;
  std::size_t close = std::string::npos;
  for (std::size_t i = open; i < p.size(); ++i) {
    if (p[i] == '{') ++depth;
    if (p[i] == '}' && --depth == 0) {
      close = i;
      break;
    }
    if (p[i] == ',' && depth == 1) commas.push_back(i);
  }
  if (close == std::string::npos) {
    out.push_back(p);
    return;
  }
  std::size_t start = open + 1;
  commas.push_back(close);
  for (std::size_t c : commas) {
    expand(p.substr(0, open) + p.substr(start, c - start) + p.substr(close + 1), out, limit);
    start = c + 1;
  }
}

}  // namespace

SelinuxConfig parse_selinux_config(std::string_view text) {
  SelinuxConfig c;
  for (auto [n, line] : text::lines(text)) {
    line = trim(line);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      c.diagnostics.emplace_back(n, "not a KEY=value line");
      continue;
    }
    std::string_view key = trim(line.substr(0, eq));
    std::string_view value = text::unquote(trim(line.substr(eq + 1)));
    if (key == "SELINUX") {
      c.mode = lower(value);
      c.mode_line = n;
    } else if (key == "SELINUXTYPE") {
      c.type = std::string(value);
      c.type_line = n;
    }
  }
  return c;
}

bool AppArmorProfile::is_complain() const { return std::find(flags.begin(), flags.end(), "complain") != flags.end(); }
bool AppArmorProfile::is_unconfined() const {
  return std::find(flags.begin(), flags.end(), "unconfined") != flags.end();
}

AppArmorFile parse_apparmor_profiles(std::string_view text) {
  AppArmorFile f;
  std::map<std::string, std::string> vars;
  int depth = 0;
  for (auto [n, line] : text::lines(text)) {
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    if (auto hash = line.find(" #"); hash != std::string_view::npos) line = trim(line.substr(0, hash));
    if (depth == 0 && line.starts_with("@{")) {
      auto close = line.find('}'), eq = line.find('=');
      if (close != std::string_view::npos && eq != std::string_view::npos && close < eq) {
        auto values = words(trim(line.substr(eq + 1)));
        if (!values.empty() && vars.size() < 256) vars[std::string(line.substr(0, close + 1))] = values.front();
      }
      continue;
    }
    bool opens = line.back() == '{';
    bool closes = line.front() == '}';
    if (closes) {
      if (depth > 0) --depth;
      continue;
    }
    if (!opens) continue;
    if (depth++ > 0) continue;  // a hat or child profile inside a profile
    std::string header(trim(line.substr(0, line.size() - 1)));
    // flags=(a, b) or flags=(a,b); may also be written "flags = (...)".
    AppArmorProfile p;
    p.line = n;
    if (auto fl = header.find("flags"); fl != std::string::npos) {
      auto open = header.find('(', fl), close = header.find(')', fl);
      if (open != std::string::npos && close != std::string::npos && close > open) {
        std::string list = header.substr(open + 1, close - open - 1);
        for (char& c : list) {
          if (c == ',') c = ' ';
        }
        for (auto& w : words(list)) p.flags.push_back(lower(w));
        header.erase(fl, close + 1 - fl);
      } else {
        f.diagnostics.emplace_back(n, "unterminated flags=(...)");
      }
    }
    auto w = words(header);
    if (!w.empty() && w.front() == "profile") {
      w.erase(w.begin());
      if (w.empty()) {
        f.diagnostics.emplace_back(n, "profile without a name");
        continue;
      }
      p.name = w.front();
      if (w.size() > 1) p.attachment = w[1];
    } else if (!w.empty() && (w.front().starts_with("/") || w.front().starts_with("@{"))) {
      p.name = w.front();
      p.attachment = w.front();
    } else if (!w.empty() && (w.front() == "hat" || w.front().starts_with("^"))) {
      continue;
    } else {
      f.diagnostics.emplace_back(n, "not a profile header");
      continue;
    }
    for (auto* s : {&p.name, &p.attachment}) {
      for (const auto& [var, value] : vars) {
        for (auto pos = s->find(var); pos != std::string::npos; pos = s->find(var, pos + value.size())) {
          s->replace(pos, var.size(), value);
          if (s->size() > limits::kMaxPathLength) break;
        }
      }
    }
    if (!p.attachment.starts_with("/")) p.attachment.clear();  // a name, not a path: attaches to nothing
    if (f.profiles.size() < 4096) f.profiles.push_back(std::move(p));
  }
  return f;
}

bool apparmor_glob_match(std::string_view pattern, std::string_view path) {
  std::vector<std::string> alternatives;
  expand(std::string(pattern.substr(0, limits::kMaxPathLength)), alternatives, 64);
  std::size_t budget = 100'000;
  return std::any_of(alternatives.begin(), alternatives.end(),
                     [&](const std::string& p) { return match(p, path, budget); });
}

std::vector<PermissiveDomain> find_permissive_domains(std::string_view text) {
  std::vector<PermissiveDomain> out;
  for (auto [n, line] : text::lines(text)) {
    line = trim(line);
    std::string_view name;
    if (line.starts_with("(typepermissive ")) {
      name = trim(line.substr(16));
      auto end = name.find(')');
      if (end == std::string_view::npos) continue;
      name = trim(name.substr(0, end));
    } else if (line.starts_with("permissive ")) {
      name = trim(line.substr(11));
      auto end = name.find(';');
      if (end == std::string_view::npos) continue;
      name = trim(name.substr(0, end));
    } else {
      continue;
    }
    if (name.empty() || name.find_first_of(" \t()") != std::string_view::npos) continue;
    if (out.size() < 4096) out.push_back({std::string(name), n});
  }
  return out;
}

}  // namespace fwcert::analyzers::kernel
