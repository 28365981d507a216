#include "analyzers/updates/parse.hpp"

#include <algorithm>

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

std::vector<Feed> parse_apt_sources(std::string_view text, bool deb822) {
  std::vector<Feed> out;
  if (deb822) {
    Feed current;
    bool have = false;
    auto flush = [&] {
      if (have && !current.url.empty()) out.push_back(current);
      current = {};
      have = false;
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
      std::string_view key = trim(l.substr(0, colon));
      std::string_view value = trim(l.substr(colon + 1));
      have = true;
      if (key == "URIs") {
        auto w = words(value);
        if (!w.empty()) current.url = std::string(w[0]);
        current.line = n;
      } else if (key == "Trusted" && value == "yes") {
        current.trusted_without_signature = true;
      }
    }
    flush();
    return out;
  }
  for (auto [n, line] : text::lines(text)) {
    std::string_view l = trim(line);
    if (!l.starts_with("deb ") && !l.starts_with("deb-src ")) continue;
    std::string_view rest = trim(l.substr(l.find(' ')));
    bool trusted = false;
    if (rest.starts_with("[")) {
      auto close = rest.find(']');
      if (close == std::string_view::npos) continue;
      std::string_view opts = rest.substr(1, close - 1);
      trusted = opts.find("trusted=yes") != std::string_view::npos;
      rest = trim(rest.substr(close + 1));
    }
    auto w = words(rest);
    if (!w.empty()) out.push_back({std::string(w[0]), n, trusted});
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
