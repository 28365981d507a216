#include "analyzers/system/parse.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/limits.hpp"
#include "core/text.hpp"

namespace fwcert::analyzers::system {

namespace {

using text::for_each_line;
using text::split_command;
using text::words;

}  // namespace

// ---- fstab ---------------------------------------------------------------------------------

bool FstabEntry::has_option(std::string_view o) const {
  return std::find(options.begin(), options.end(), o) != options.end();
}

Fstab parse_fstab(std::string_view text) {
  Fstab out;
  for_each_line(text, out.diagnostics, [&](std::size_t no, std::string_view raw) {
    std::string_view line = text::trim_space(raw);
    if (line.empty() || line[0] == '#') return;
    auto w = words(line);
    if (w.size() < 3) {
      out.diagnostics.push_back({no, fmt::format("{} fields, need at least 3; ignored", w.size())});
      return;
    }
    FstabEntry e;
    e.line = no;
    e.device = w[0];
    e.mount_point = w[1];
    e.type = w[2];
    if (w.size() >= 4) {
      std::string_view opts = w[3];
      std::size_t start = 0;
      while (start <= opts.size()) {
        auto comma = opts.find(',', start);
        auto part = opts.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        if (!part.empty()) e.options.emplace_back(part);
        if (comma == std::string_view::npos) break;
        start = comma + 1;
      }
    }
    out.entries.push_back(std::move(e));
  });
  return out;
}

// ---- sudoers and doas ----------------------------------------------------------------------

Sudoers parse_sudoers(std::string_view text) {
  Sudoers out;
  std::string pending;
  std::size_t pending_line = 0;
  auto handle = [&](std::size_t no, std::string_view line) {
    auto w = words(line);
    if (w.empty()) return;
    if (w[0] == "#includedir" || w[0] == "@includedir") {
      if (w.size() >= 2) out.includedirs.push_back(w[1]);
      return;
    }
    if (w[0] == "#include" || w[0] == "@include") {
      if (w.size() >= 2) out.includes.push_back(w[1]);
      return;
    }
    if (line[0] == '#') return;
    if (w[0].starts_with("Defaults") || w[0].ends_with("_Alias")) return;
    // users hosts=(runas) TAGS: commands
    auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      out.diagnostics.push_back({no, "user specification without '='; ignored"});
      return;
    }
    SudoRule r;
    r.line = no;
    r.text = std::string(line);
    // The user list is everything before the host list (the last word before '=').
    std::string_view head = text::trim_space(line.substr(0, eq));
    auto last_space = head.find_last_of(" \t");
    std::string_view users = last_space == std::string_view::npos ? std::string_view{} : head.substr(0, last_space);
    std::size_t start = 0;
    while (start < users.size()) {
      auto comma = users.find(',', start);
      auto u = text::trim_space(
          users.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
      if (!u.empty()) r.users.emplace_back(u);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
    if (r.users.empty()) {
      out.diagnostics.push_back({no, "user specification without users; ignored"});
      return;
    }
    std::string_view rest = line.substr(eq + 1);
    // Drop the runas list, then tags ("NOPASSWD:", "SETENV:"), then split the commands.
    rest = text::trim_space(rest);
    if (!rest.empty() && rest[0] == '(') {
      auto close = rest.find(')');
      rest = close == std::string_view::npos ? std::string_view{} : text::trim_space(rest.substr(close + 1));
    }
    for (;;) {
      auto colon = rest.find(':');
      if (colon == std::string_view::npos) break;
      std::string_view tag = text::trim_space(rest.substr(0, colon));
      bool is_tag = !tag.empty() && std::all_of(tag.begin(), tag.end(), [](char c) {
        return std::isupper(static_cast<unsigned char>(c)) || c == '_';
      });
      if (!is_tag) break;
      if (tag == "NOPASSWD") r.nopasswd = true;
      if (tag == "PASSWD") r.nopasswd = false;
      rest = text::trim_space(rest.substr(colon + 1));
    }
    std::size_t cs = 0;
    while (cs <= rest.size()) {
      auto comma = rest.find(',', cs);
      auto cmd =
          text::trim_space(rest.substr(cs, comma == std::string_view::npos ? std::string_view::npos : comma - cs));
      if (cmd == "ALL") r.all_commands = true;
      if (comma == std::string_view::npos) break;
      cs = comma + 1;
    }
    out.rules.push_back(std::move(r));
  };
  for_each_line(text, out.diagnostics, [&](std::size_t no, std::string_view raw) {
    std::string_view line = text::trim_space(raw);
    bool more = !line.empty() && line.back() == '\\';
    if (more) line.remove_suffix(1);
    if (pending.empty()) pending_line = no;
    if (pending.size() < limits::kMaxConfigFileBytes) {
      if (!pending.empty()) pending += ' ';
      pending.append(line);
    }
    if (more) return;
    std::string joined = std::move(pending);
    pending.clear();
    std::string_view j = text::trim_space(joined);
    if (!j.empty()) handle(pending_line, j);
  });
  if (!pending.empty()) handle(pending_line, text::trim_space(pending));
  return out;
}

std::vector<DoasRule> parse_doas(std::string_view text, std::vector<LineDiagnostic>& diagnostics) {
  std::vector<DoasRule> out;
  for_each_line(text, diagnostics, [&](std::size_t no, std::string_view raw) {
    auto w = split_command(raw);
    if (w.empty()) return;
    if (w[0] != "permit" && w[0] != "deny") {
      diagnostics.push_back({no, "rule does not start with permit or deny; ignored"});
      return;
    }
    DoasRule r;
    r.line = no;
    r.permit = w[0] == "permit";
    std::size_t i = 1;
    for (; i < w.size(); ++i) {
      if (w[i] == "nopass") {
        r.nopass = true;
      } else if (w[i] == "persist" || w[i] == "keepenv" || w[i] == "nolog" || w[i] == "insult") {
      } else if (w[i] == "setenv") {
        while (i < w.size() && w[i].find('}') == std::string::npos) ++i;
      } else {
        break;
      }
    }
    if (i >= w.size()) {
      diagnostics.push_back({no, "rule without an identity; ignored"});
      return;
    }
    r.identity = w[i++];
    if (i + 1 < w.size() && w[i] == "as") {
      r.target = w[i + 1];
      i += 2;
    }
    if (i + 1 < w.size() && w[i] == "cmd") r.command = w[i + 1];
    out.push_back(std::move(r));
  });
  return out;
}

// ---- PAM -----------------------------------------------------------------------------------

PamFile parse_pam(std::string_view text) {
  PamFile out;
  for_each_line(text, out.diagnostics, [&](std::size_t no, std::string_view raw) {
    std::string_view line = text::trim_space(raw);
    if (line.empty() || line[0] == '#') return;
    auto hash = line.find('#');
    if (hash != std::string_view::npos) line = text::trim_space(line.substr(0, hash));
    auto w = words(line);
    if (w.empty()) return;
    PamLine p;
    p.line = no;
    if (w[0] == "@include") {
      if (w.size() < 2) {
        out.diagnostics.push_back({no, "@include without a file; ignored"});
        return;
      }
      p.type = "@include";
      p.module = w[1];
      out.lines.push_back(std::move(p));
      return;
    }
    p.type = w[0];
    if (!p.type.empty() && p.type[0] == '-') p.type.erase(0, 1);
    std::size_t i = 1;
    if (i < w.size() && w[i].starts_with("[")) {
      // A bracketed control may contain spaces: join words up to the closing bracket.
      std::string control = w[i++];
      while (control.find(']') == std::string::npos && i < w.size()) control += " " + w[i++];
      p.control = control;
    } else if (i < w.size()) {
      p.control = w[i++];
    }
    if (i >= w.size()) {
      out.diagnostics.push_back({no, "line without a module; ignored"});
      return;
    }
    p.module = w[i++];
    p.args.assign(w.begin() + static_cast<std::ptrdiff_t>(i), w.end());
    out.lines.push_back(std::move(p));
  });
  return out;
}

}  // namespace fwcert::analyzers::system
