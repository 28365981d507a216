#include "analyzers/updates/parse.hpp"

#include <algorithm>

#include "core/limits.hpp"
#include "core/text.hpp"

namespace fwcert::analyzers::updates {

namespace {

using text::trim;
using text::unquote;

std::vector<std::string_view> words(std::string_view s) { return text::words(s, 256); }

bool has_word(std::string_view line, std::string_view w) {
  for (auto x : words(line)) {
    if (x == w) return true;
  }
  return false;
}

}  // namespace

const IniEntry* IniSection::find(std::string_view key) const { return text::find_last(entries, key); }

std::vector<IniSection> parse_ini(std::string_view text) {
  std::vector<IniSection> out(1);
  for (auto [n, line] : text::lines(text)) {
    std::string_view l = trim(line);
    if (l.empty() || l.front() == '#' || l.front() == ';') continue;
    if (l.front() == '[' && l.back() == ']') {
      out.push_back({std::string(trim(l.substr(1, l.size() - 2))), n, {}});
      continue;
    }
    auto eq = l.find('=');
    if (eq == std::string_view::npos) continue;
    out.back().entries.push_back({std::string(trim(l.substr(0, eq))), std::string(unquote(trim(l.substr(eq + 1)))), n});
  }
  return out;
}

std::vector<IniEntry> parse_libconfig_pairs(std::string_view text) {
  std::vector<IniEntry> out;
  for (auto [n, line] : text::lines(text)) {
    std::string_view l = trim(line);
    if (l.empty() || l.front() == '#' || l.starts_with("//")) continue;
    auto sep = l.find_first_of("=:");
    if (sep == std::string_view::npos) continue;
    std::string_view key = trim(l.substr(0, sep));
    std::string_view value = trim(l.substr(sep + 1));
    while (!value.empty() && (value.back() == ';' || value.back() == ','))
      value = trim(value.substr(0, value.size() - 1));
    if (key.empty() || value.empty() || value.front() == '{' || value.front() == '(') continue;
    out.push_back({std::string(key), std::string(unquote(value)), n});
  }
  return out;
}

OpkgConf parse_opkg_conf(std::string_view text) {
  OpkgConf c;
  for (auto [n, line] : text::lines(text)) {
    std::string_view l = trim(line);
    if (l.empty() || l.front() == '#') continue;
    auto w = words(l);
    if (w.size() >= 3 && (w[0] == "src" || w[0] == "src/gz")) c.feeds.push_back({std::string(w[2]), n, false});
    if (w.size() >= 2 && w[0] == "option" && w[1] == "check_signature" && (w.size() < 3 || w[2] != "0")) {
      c.check_signature = true;
      c.check_signature_line = n;
    }
  }
  return c;
}

namespace {

bool option_yes(std::string_view value) {
  std::string v = text::lower(trim(value));
  return v == "yes" || v == "true" || v == "1";
}

}  // namespace

std::vector<Feed> parse_apt_sources(std::string_view text, bool deb822) {
  std::vector<Feed> out;
  if (deb822) {
    // One stanza: the fields apt reads to decide where it downloads from and how it trusts it.
    struct Stanza {
      std::vector<std::string> uris, suites;
      std::size_t uris_line = 0, suites_line = 0;
      bool binary = false, source = false, typed = false, disabled = false, trusted = false, insecure = false;
    } st;
    auto flush = [&] {
      if (!st.disabled && (st.binary || st.source || !st.typed)) {
        for (const auto& u : st.uris) {
          Feed f;
          f.url = u;
          f.line = st.uris_line;
          f.trusted_without_signature = st.trusted;
          f.allow_insecure = st.insecure;
          f.source_only = st.typed && !st.binary;
          f.suites = st.suites;
          f.suites_line = st.suites_line;
          out.push_back(std::move(f));
        }
      }
      st = {};
    };
    for (auto [n, line] : text::lines(text)) {
      std::string_view l = trim(line);
      if (l.empty()) {
        flush();
        continue;
      }
      if (l.front() == '#') continue;
      auto colon = l.find(':');
      if (colon == std::string_view::npos) continue;
      std::string key = text::lower(trim(l.substr(0, colon)));
      std::string_view value = trim(l.substr(colon + 1));
      if (key == "uris") {
        for (auto w : words(value)) st.uris.emplace_back(w);
        st.uris_line = n;
      } else if (key == "suites") {
        for (auto w : words(value)) st.suites.emplace_back(w);
        st.suites_line = n;
      } else if (key == "types") {
        st.typed = true;
        for (auto w : words(value)) {
          st.binary |= w == "deb";
          st.source |= w == "deb-src";
        }
      } else if (key == "enabled") {
        st.disabled = !option_yes(value);
      } else if (key == "trusted") {
        st.trusted = option_yes(value);
      } else if (key == "allow-insecure") {
        st.insecure = option_yes(value);
      }
    }
    flush();
    return out;
  }
  for (auto [n, line] : text::lines(text)) {
    std::string_view l = trim(line);
    if (!l.starts_with("deb ") && !l.starts_with("deb-src ") && !l.starts_with("deb\t") && !l.starts_with("deb-src\t"))
      continue;
    Feed f;
    f.line = n;
    f.suites_line = n;
    f.source_only = l.starts_with("deb-src");
    f.text = std::string(l.substr(0, 512));
    std::string_view rest = trim(l.substr(l.find_first_of(" \t")));
    if (rest.starts_with("[")) {
      auto close = rest.find(']');
      if (close == std::string_view::npos) continue;
      for (auto o : words(rest.substr(1, close - 1))) {
        auto eq = o.find('=');
        if (eq == std::string_view::npos) continue;
        std::string name = text::lower(o.substr(0, eq));
        if (name == "trusted") f.trusted_without_signature = option_yes(o.substr(eq + 1));
        if (name == "allow-insecure") f.allow_insecure = option_yes(o.substr(eq + 1));
      }
      rest = trim(rest.substr(close + 1));
    }
    auto w = words(rest);
    if (w.empty()) continue;
    f.url = std::string(w[0]);
    if (w.size() > 1) f.suites.emplace_back(w[1]);
    out.push_back(std::move(f));
  }
  return out;
}

bool apt_true(std::string_view value) {
  std::string v = text::lower(trim(value));
  return v == "1" || v == "yes" || v == "true" || v == "on" || v == "enable" || v == "with";
}

std::vector<AptOption> parse_apt_conf(std::string_view text) {
  std::vector<AptOption> out;
  std::vector<std::string> scopes;  // each a name as written, possibly holding "::"
  std::size_t line = 1, i = 0;
  const std::size_t n = text.size();
  auto full_key = [&](std::string_view name) {
    std::string k;
    for (const auto& s : scopes) k += (k.empty() ? "" : "::") + s;
    if (!name.empty()) k += (k.empty() ? "" : "::") + std::string(name);
    return k;
  };
  auto skip_to = [&](char c) {  // past the next `c` (or the end), counting lines
    while (i < n && text[i] != c) line += text[i++] == '\n';
    if (i < n) ++i;
  };
  auto is_name_char = [](char c) {
    return !(c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '{' || c == '}' || c == ';' || c == '"');
  };
  while (i < n && out.size() < limits::kMaxConfigLines) {
    char c = text[i];
    if (c == '\n') {
      ++line;
      ++i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == ';') {
      ++i;
      continue;
    }
    if (c == '/' && i + 1 < n && text[i + 1] == '/') {
      skip_to('\n');
      ++line;
      continue;
    }
    if (c == '/' && i + 1 < n && text[i + 1] == '*') {
      i += 2;
      while (i < n && !(text[i] == '*' && i + 1 < n && text[i + 1] == '/')) line += text[i++] == '\n';
      i = std::min(n, i + 2);
      continue;
    }
    if (c == '#') {
      std::string_view head = text.substr(i, 9);
      if (head.starts_with("#clear") || head.starts_with("#include")) {
        bool clear = head.starts_with("#clear");
        std::size_t at_line = line;
        std::size_t begin = i + (clear ? 6 : 8);
        skip_to(';');
        if (clear) {
          std::string_view arg = trim(text.substr(begin, i - 1 - begin));
          if (!arg.empty() && arg.back() == ';') arg.remove_suffix(1);
          for (auto name : words(arg)) out.push_back({full_key(name), "", at_line, true});
        }
        continue;
      }
      skip_to('\n');
      ++line;
      continue;
    }
    if (c == '}') {
      if (!scopes.empty()) scopes.pop_back();
      ++i;
      continue;
    }
    auto read_value = [&]() {  // at '"': the quoted text, which may span lines
      std::size_t begin = ++i;
      while (i < n && text[i] != '"') line += text[i++] == '\n';
      std::string v(text.substr(begin, i - begin));
      if (i < n) ++i;
      return v;
    };
    if (c == '"') {  // a list item: a value without a name
      std::size_t at_line = line;
      std::string v = read_value();
      out.push_back({full_key(""), std::move(v), at_line, false});
      continue;
    }
    std::size_t begin = i;
    while (i < n && is_name_char(text[i])) ++i;
    std::string_view name = text.substr(begin, i - begin);
    std::size_t at_line = line;
    while (i < n && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
      line += text[i++] == '\n';
    if (i < n && text[i] == '{') {
      ++i;
      if (scopes.size() < 64) scopes.emplace_back(name);
      continue;
    }
    if (i < n && text[i] == '"') {
      std::string v = read_value();
      out.push_back({full_key(name), std::move(v), at_line, false});
      continue;
    }
    // An unquoted value: the next word, up to ';'.
    std::size_t vbegin = i;
    while (i < n && is_name_char(text[i])) ++i;
    std::string_view value = text.substr(vbegin, i - vbegin);
    if (!name.empty()) out.push_back({full_key(name), std::string(value), at_line, false});
    if (i == begin) ++i;  // never stall on a stray character
  }
  return out;
}

UpdateScript scan_update_script(std::string_view text) {
  UpdateScript s;
  for (auto [n, line] : text::lines(text)) {
    std::string_view l = trim(line);
    if (l.empty() || l.front() == '#') continue;
    auto w = words(l);
    auto any = [&](std::initializer_list<std::string_view> names) {
      return std::any_of(w.begin(), w.end(), [&](std::string_view x) {
        auto slash = x.rfind('/');
        std::string_view base = slash == std::string_view::npos ? x : x.substr(slash + 1);
        return std::find(names.begin(), names.end(), base) != names.end();
      });
    };
    ScriptLine sl{n, std::string(l.substr(0, 512))};
    bool download = any({"wget", "curl", "tftp", "ftpget", "uclient-fetch", "fetch"});
    if (download) {
      s.downloads.push_back(sl);
      if (l.find("http://") != std::string_view::npos || l.find("ftp://") != std::string_view::npos ||
          has_word(l, "-k") || has_word(l, "--insecure") || has_word(l, "--no-check-certificate") ||
          any({"tftp", "ftpget"})) {
        s.insecure.push_back(sl);
      }
    }
    bool dd_device = any({"dd"}) && l.find("of=/dev/") != std::string_view::npos;
    bool mtd_write = any({"mtd"}) && (has_word(l, "write") || has_word(l, "-r"));
    if (dd_device || mtd_write ||
        any({"flashcp", "nandwrite", "ubiupdatevol", "sysupgrade", "fw_setenv", "flash_erase"})) {
      s.flashes.push_back(sl);
    }
    bool openssl_verify = any({"openssl"}) &&
                          (has_word(l, "-verify") || l.find("-verify ") != std::string_view::npos) &&
                          (has_word(l, "dgst") || has_word(l, "smime") || has_word(l, "cms") || has_word(l, "pkeyutl"));
    bool gpg_verify = (any({"gpg", "gpg2"}) && has_word(l, "--verify")) || any({"gpgv", "gpgv2"});
    bool usign = any({"usign", "signify", "signify-openbsd", "minisign"}) && (has_word(l, "-V") || has_word(l, "-Vm"));
    if (openssl_verify || gpg_verify || usign) s.verifies.push_back(sl);
  }
  return s;
}

}  // namespace fwcert::analyzers::updates
