#include "evidence/services/parse.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/limits.hpp"
#include "core/text.hpp"

namespace fwcert::evidence::services {

namespace {

using text::for_each_line;
using text::lower;
using text::words;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

bool has_nul(std::string_view s) { return s.find('\0') != std::string_view::npos; }

}  // namespace

// ---- systemd ---------------------------------------------------------------------------------

UnitFile parse_unit(std::string_view text, std::string_view path) {
  UnitFile out;
  std::string section;
  bool have_section = false;
  // A value continued with a trailing backslash is being collected.
  std::optional<UnitAssignment> pending;

  auto finish = [&] {
    if (!pending) return;
    pending->value = std::string(text::trim_space(pending->value));
    out.assignments.push_back(std::move(*pending));
    pending.reset();
  };

  for_each_line(text, out.diagnostics, [&](std::size_t no, std::string_view raw) {
    std::string_view line = text::trim_space(raw);
    if (pending) {
      // systemd skips comment lines inside a continuation.
      if (!line.empty() && (line[0] == '#' || line[0] == ';')) return;
      bool more = !line.empty() && line.back() == '\\';
      if (more) line.remove_suffix(1);
      if (pending->value.size() + line.size() < limits::kMaxConfigFileBytes) {
        pending->value += ' ';
        pending->value.append(line);
      }
      if (!more) finish();
      return;
    }
    if (line.empty() || line[0] == '#' || line[0] == ';') return;
    if (has_nul(line)) {
      out.diagnostics.push_back({no, "NUL byte in line; ignored"});
      return;
    }
    if (line[0] == '[') {
      if (line.back() != ']' || line.size() < 3) {
        out.diagnostics.push_back({no, "malformed section header; ignored until the next section"});
        have_section = false;
        return;
      }
      section = std::string(line.substr(1, line.size() - 2));
      have_section = true;
      return;
    }
    auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      out.diagnostics.push_back({no, "line is neither a section header nor Key=Value; ignored"});
      return;
    }
    if (!have_section) {
      out.diagnostics.push_back({no, "assignment outside any section; ignored"});
      return;
    }
    std::string_view key = text::trim_space(line.substr(0, eq));
    if (key.empty()) {
      out.diagnostics.push_back({no, "empty key; ignored"});
      return;
    }
    std::string_view value = text::trim_space(line.substr(eq + 1));
    bool more = !value.empty() && value.back() == '\\';
    if (more) value.remove_suffix(1);
    pending = UnitAssignment{section, std::string(key), std::string(value), no, std::string(path)};
    if (!more) finish();
  });
  finish();  // a continuation at end of file ends there
  return out;
}

const UnitAssignment* MergedUnit::last(std::string_view section, std::string_view key) const {
  for (auto it = assignments.rbegin(); it != assignments.rend(); ++it) {
    if (it->section == section && it->key == key) return &*it;
  }
  return nullptr;
}

std::vector<const UnitAssignment*> MergedUnit::all(std::string_view section, std::string_view key) const {
  std::vector<const UnitAssignment*> out;
  for (const auto& a : assignments) {
    if (a.section != section || a.key != key) continue;
    if (a.value.empty()) {
      out.clear();
    } else {
      out.push_back(&a);
    }
  }
  return out;
}

std::optional<bool> parse_systemd_bool(std::string_view v) {
  std::string s = lower(text::trim_space(v));
  if (s == "1" || s == "yes" || s == "y" || s == "true" || s == "t" || s == "on") return true;
  if (s == "0" || s == "no" || s == "n" || s == "false" || s == "f" || s == "off") return false;
  return std::nullopt;
}

std::optional<ExecCommand> parse_exec(std::string_view value) {
  std::string_view v = text::trim_space(value);
  ExecCommand cmd;
  bool at = false;
  while (!v.empty() && (v[0] == '-' || v[0] == '@' || v[0] == ':' || v[0] == '+' || v[0] == '!')) {
    if (v[0] == '-') cmd.ignore_failure = true;
    if (v[0] == '+') cmd.full_privileges = true;
    if (v[0] == '@') at = true;
    v.remove_prefix(1);
  }
  // systemd splits on whitespace with quoting like a shell but has no operators; a `;` word
  // separates commands in old units. Take the first command only.
  std::vector<std::string> argv;
  {
    std::string cur;
    bool in_word = false;
    for (std::size_t i = 0; i < v.size(); ++i) {
      char c = v[i];
      if (is_space(c)) {
        if (in_word) argv.push_back(std::move(cur)), cur.clear(), in_word = false;
        continue;
      }
      in_word = true;
      if (c == '\\' && i + 1 < v.size()) {
        cur += v[++i];
      } else if (c == '"' || c == '\'') {
        auto close = v.find(c, i + 1);
        if (close == std::string_view::npos) close = v.size();
        cur.append(v.substr(i + 1, close - i - 1));
        i = close;
      } else {
        cur += c;
      }
    }
    if (in_word) argv.push_back(std::move(cur));
  }
  auto semi = std::find(argv.begin(), argv.end(), ";");
  argv.erase(semi, argv.end());
  if (argv.empty()) return std::nullopt;
  cmd.program = argv[0];
  // With `@`, argv[1] is the argv[0] the program sees; the arguments start after it.
  std::size_t first_arg = at && argv.size() > 1 ? 2 : 1;
  cmd.args.assign(argv.begin() + static_cast<std::ptrdiff_t>(std::min(first_arg, argv.size())), argv.end());
  return cmd;
}

// ---- inittab -------------------------------------------------------------------------------

Inittab parse_inittab(std::string_view text) {
  Inittab out;
  for_each_line(text, out.diagnostics, [&](std::size_t no, std::string_view raw) {
    std::string_view line = text::trim_space(raw);
    if (line.empty() || line[0] == '#') return;
    std::string_view rest = line;
    std::string_view f[3];
    for (auto& field : f) {
      auto colon = rest.find(':');
      if (colon == std::string_view::npos) {
        out.diagnostics.push_back({no, "fewer than four ':'-separated fields; ignored"});
        return;
      }
      field = rest.substr(0, colon);
      rest = rest.substr(colon + 1);
    }
    InittabEntry e;
    e.line = no;
    e.id = std::string(text::trim_space(f[0]));
    e.runlevels = std::string(text::trim_space(f[1]));
    e.action = std::string(text::trim_space(f[2]));
    e.process = std::string(text::trim_space(rest));
    if (e.action.empty()) {
      out.diagnostics.push_back({no, "empty action; ignored"});
      return;
    }
    out.entries.push_back(std::move(e));
  });
  return out;
}

// ---- inetd ---------------------------------------------------------------------------------

InetdConf parse_inetd_conf(std::string_view text) {
  InetdConf out;
  for_each_line(text, out.diagnostics, [&](std::size_t no, std::string_view raw) {
    std::string_view line = text::trim_space(raw);
    if (line.empty() || line[0] == '#') return;
    auto w = words(line);
    if (w.size() == 1 && w[0].back() == ':') return;  // OpenBSD "host:" default-address line
    if (w.size() < 6) {
      out.diagnostics.push_back({no, fmt::format("{} fields, need at least 6; ignored", w.size())});
      return;
    }
    InetdEntry e;
    e.line = no;
    e.service = w[0];
    e.socket_type = w[1];
    e.protocol = w[2];
    e.wait = w[3];
    std::string user = w[4];
    auto sep = user.find_first_of(":.");
    if (sep != std::string::npos) {
      e.group = user.substr(sep + 1);
      user.resize(sep);
    }
    e.user = user;
    e.server = w[5];
    e.args.assign(w.begin() + 6, w.end());
    out.entries.push_back(std::move(e));
  });
  return out;
}

const std::string* XinetdService::get(std::string_view key) const {
  for (auto it = attributes.rbegin(); it != attributes.rend(); ++it) {
    if (it->first == key) return &it->second;
  }
  return nullptr;
}

std::size_t XinetdService::line_of(std::string_view key) const {
  for (std::size_t i = attributes.size(); i-- > 0;) {
    if (attributes[i].first == key) return attribute_lines[i];
  }
  return line;
}

XinetdConf parse_xinetd(std::string_view text) {
  XinetdConf out;
  enum class State { kTop, kWantBrace, kInBlock } state = State::kTop;
  XinetdService cur;
  bool cur_is_defaults = false;
  for_each_line(text, out.diagnostics, [&](std::size_t no, std::string_view raw) {
    std::string_view line = text::trim_space(raw);
    if (line.empty() || line[0] == '#') return;
    if (state == State::kTop) {
      auto w = words(line);
      if (w[0] == "includedir" && w.size() >= 2) {
        out.includedirs.push_back(w[1]);
        return;
      }
      if (w[0] == "include") return;
      if (w[0] == "service" || w[0] == "defaults") {
        cur = XinetdService{};
        cur.line = no;
        cur_is_defaults = w[0] == "defaults";
        if (!cur_is_defaults) {
          if (w.size() < 2 || w[1] == "{") {
            out.diagnostics.push_back({no, "service without a name; ignored"});
          } else {
            cur.name = w[1];
          }
        }
        bool brace = w.back() == "{";
        state = brace ? State::kInBlock : State::kWantBrace;
        return;
      }
      out.diagnostics.push_back({no, "text outside any service block; ignored"});
      return;
    }
    if (state == State::kWantBrace) {
      if (line == "{") {
        state = State::kInBlock;
      } else {
        out.diagnostics.push_back({no, "expected '{' after service; block ignored"});
        state = State::kTop;
      }
      return;
    }
    if (line == "}") {
      if (cur_is_defaults) {
        out.defaults.push_back(std::move(cur));
      } else if (!cur.name.empty()) {
        out.services.push_back(std::move(cur));
      }
      state = State::kTop;
      return;
    }
    auto op = line.find('=');
    if (op == std::string_view::npos) {
      out.diagnostics.push_back({no, "attribute without '='; ignored"});
      return;
    }
    bool append = op > 0 && (line[op - 1] == '+');
    bool remove = op > 0 && (line[op - 1] == '-');
    std::string key(text::trim_space(line.substr(0, (append || remove) ? op - 1 : op)));
    std::string value(text::trim_space(line.substr(op + 1)));
    if (key.empty()) {
      out.diagnostics.push_back({no, "attribute without a name; ignored"});
      return;
    }
    if (append) {
      if (const std::string* old = cur.get(key)) value = *old + " " + value;
    }
    if (remove) return;
    cur.attributes.emplace_back(std::move(key), std::move(value));
    cur.attribute_lines.push_back(no);
  });
  if (state != State::kTop) out.diagnostics.push_back({cur.line, "service block not closed; ignored"});
  return out;
}

// ---- Android init .rc ----------------------------------------------------------------------

InitRc parse_init_rc(std::string_view text) {
  InitRc out;
  enum class Block { kNone, kService, kAction } block = Block::kNone;
  for_each_line(text, out.diagnostics, [&](std::size_t no, std::string_view raw) {
    std::string_view line = text::trim_space(raw);
    if (line.empty() || line[0] == '#') return;
    auto w = split_command(line);
    if (w.empty()) return;
    const std::string& kw = w[0];
    if (kw == "service") {
      if (w.size() < 3) {
        out.diagnostics.push_back({no, "service needs a name and a path; ignored"});
        block = Block::kNone;
        return;
      }
      InitRcService s;
      s.line = no;
      s.name = w[1];
      s.program = w[2];
      s.args.assign(w.begin() + 3, w.end());
      out.services.push_back(std::move(s));
      block = Block::kService;
      return;
    }
    if (kw == "on") {
      InitRcAction a;
      a.line = no;
      for (std::size_t i = 1; i < w.size(); ++i) a.trigger += (i > 1 ? " " : "") + w[i];
      out.actions.push_back(std::move(a));
      block = Block::kAction;
      return;
    }
    if (kw == "import") {
      if (w.size() >= 2) out.imports.push_back(w[1]);
      block = Block::kNone;
      return;
    }
    if (block == Block::kService) {
      InitRcService& s = out.services.back();
      if (kw == "user" && w.size() >= 2) {
        s.user = w[1];
        s.user_line = no;
      } else if (kw == "group") {
        s.groups.assign(w.begin() + 1, w.end());
      } else if (kw == "capabilities") {
        s.capabilities.assign(w.begin() + 1, w.end());
      } else if (kw == "class") {
        s.classes.assign(w.begin() + 1, w.end());
      } else if (kw == "disabled") {
        s.disabled = true;
      } else if (kw == "oneshot") {
        s.oneshot = true;
      } else if (kw == "console") {
        s.console = true;
      } else if (kw == "socket") {
        std::string joined;
        for (std::size_t i = 1; i < w.size(); ++i) joined += (i > 1 ? " " : "") + w[i];
        s.sockets.push_back(std::move(joined));
      }
      return;
    }
    if (block == Block::kAction) {
      InitRcAction& a = out.actions.back();
      if (kw == "start" && w.size() >= 2) a.starts.emplace_back(w[1], no);
      if (kw == "class_start" && w.size() >= 2) a.class_starts.emplace_back(w[1], no);
      if (kw == "setprop" && w.size() >= 3) a.setprops.emplace_back(w[1], w[2]);
      return;
    }
    out.diagnostics.push_back({no, "command outside any service or action block; ignored"});
  });
  for (auto& s : out.services) {
    if (s.classes.empty()) s.classes.push_back("default");
  }
  return out;
}

// ---- procd ---------------------------------------------------------------------------------

ProcdScript parse_procd_script(std::string_view text) {
  ProcdScript out;
  std::vector<LineDiagnostic> ignored;
  for_each_line(text, ignored, [&](std::size_t no, std::string_view raw) {
    std::string_view line = text::trim_space(raw);
    if (line.empty() || line[0] == '#') return;
    if (line.starts_with("USE_PROCD=")) {
      out.uses_procd = text::trim_space(line.substr(10)) == "1";
      return;
    }
    if (line.starts_with("START=")) {
      int v = 0;
      auto s = text::trim_space(line.substr(6));
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec == std::errc()) out.start = v;
      return;
    }
    if (line.starts_with("procd_open_instance")) {
      out.instances.emplace_back();
      return;
    }
    if (!line.starts_with("procd_set_param") && !line.starts_with("procd_append_param")) return;
    auto w = split_command(line);
    if (w.size() < 3) return;
    if (out.instances.empty()) out.instances.emplace_back();
    auto& inst = out.instances.back();
    const std::string& what = w[1];
    if (what == "command") {
      if (w[0] == "procd_set_param") {
        inst.command.assign(w.begin() + 2, w.end());
        inst.line = no;
      } else {
        inst.command.insert(inst.command.end(), w.begin() + 2, w.end());
      }
    } else if (what == "user") {
      inst.user = w[2];
      inst.user_line = no;
    } else if (what == "group") {
      inst.group = w[2];
    } else if (what == "capabilities") {
      inst.capabilities = w[2];
    }
  });
  std::erase_if(out.instances, [](const ProcdScript::Instance& i) { return i.command.empty(); });
  return out;
}

// ---- sshd_config ---------------------------------------------------------------------------

const SshdOption* SshdConfig::first(std::string_view keyword) const {
  for (const auto& o : options) {
    if (o.keyword == keyword) return &o;
  }
  return nullptr;
}

SshdConfig parse_sshd_config(std::string_view text, std::string_view path) {
  SshdConfig out;
  bool in_match = false;
  for_each_line(text, out.diagnostics, [&](std::size_t no, std::string_view raw) {
    std::string_view line = text::trim_space(raw);
    if (line.empty() || line[0] == '#') return;
    std::size_t end = 0;
    while (end < line.size() && !is_space(line[end]) && line[end] != '=') ++end;
    std::string keyword = lower(line.substr(0, end));
    std::string_view value = text::trim_space(line.substr(end));
    if (!value.empty() && value[0] == '=') value = text::trim_space(value.substr(1));
    if (keyword == "match") {
      in_match = true;
      return;
    }
    if (in_match) return;
    if (keyword == "include") {
      for (auto& w : words(value)) out.includes.push_back(w);
      // Kept in place as an option too: where an Include sits decides which value comes first.
    }
    if (value.empty()) {
      out.diagnostics.push_back({no, fmt::format("'{}' has no value; ignored", keyword)});
      return;
    }
    out.options.push_back({std::move(keyword), std::string(value), no, std::string(path)});
  });
  return out;
}

// ---- OpenWrt UCI ---------------------------------------------------------------------------

const UciOption* UciSection::option(std::string_view n) const {
  const UciOption* last = nullptr;
  for (const auto& o : options) {
    if (o.name == n) last = &o;
  }
  return last;
}

UciConfig parse_uci(std::string_view text) {
  UciConfig out;
  for_each_line(text, out.diagnostics, [&](std::size_t no, std::string_view raw) {
    std::string_view line = text::trim_space(raw);
    if (line.empty() || line[0] == '#') return;
    auto w = split_command(line);
    if (w.empty()) return;
    if (w[0] == "config") {
      if (w.size() < 2) {
        out.diagnostics.push_back({no, "config without a section type; ignored"});
        return;
      }
      out.sections.push_back({w[1], w.size() > 2 ? w[2] : std::string(), no, {}});
      return;
    }
    if (w[0] == "option" || w[0] == "list") {
      if (w.size() < 3) {
        out.diagnostics.push_back({no, fmt::format("{} without a name and a value; ignored", w[0])});
        return;
      }
      if (out.sections.empty()) {
        out.diagnostics.push_back({no, fmt::format("{} outside any config section; ignored", w[0])});
        return;
      }
      out.sections.back().options.push_back({w[1], w[2], no});
      return;
    }
    if (w[0] == "package") return;
    out.diagnostics.push_back({no, fmt::format("unknown UCI keyword '{}'; ignored", w[0])});
  });
  return out;
}

}  // namespace fwcert::evidence::services
