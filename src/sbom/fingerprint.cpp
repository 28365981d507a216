#include "sbom/fingerprint.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cassert>
#include <map>
#include <memory>
#include <optional>

#include "data/resources.hpp"
#include "vfs/vfs.hpp"

namespace fwcert::sbom {

namespace {

using evidence::content::Match;

constexpr std::string_view kRulesFile = "data/fingerprints.yaml";
constexpr std::string_view kAnchorPrefix = "fingerprint:";
constexpr std::string_view kRequirePrefix = "fingerprint-requires:";
constexpr std::string_view kAppletsPrefix = "fingerprint-applets:";
constexpr std::string_view kRuleKeys[] = {"name",    "cpe",      "files",   "before", "after",
                                          "anchors", "requires", "version", "format", "applets"};
constexpr std::size_t kMaxVersionChars = 32;
// Bounds on hostile input, here rather than in core/limits.hpp only until the SBOM work lands
// (a change there rebuilds every file): windows read per rule and file (OpenSSH's compatibility
// table names a dozen old versions; more is a crafted file), and the bytes read on each side of
// the BusyBox applet-table anchor (about 400 applets take 3 KiB).
constexpr std::size_t kMaxFingerprintWindowsPerRule = 32;
constexpr std::size_t kMaxAppletTableBytes = 8u << 10;
// The anchors report only where they end (no start-of-match tracking, which would slow the whole
// content pass), so a window also covers this many bytes before an anchor's last byte.
constexpr std::size_t kMaxAnchorBytes = 64;
constexpr std::size_t kMinApplets = 8;

std::vector<std::string> strings_at(const YAML::Node& n) {
  std::vector<std::string> out;
  if (!n.IsDefined()) return out;
  if (n.IsScalar()) out.push_back(n.Scalar());
  if (n.IsSequence()) {
    for (const auto& s : n) out.push_back(s.as<std::string>());
  }
  return out;
}

std::vector<FingerprintRule> load_rules() {
  std::vector<FingerprintRule> out;
  YAML::Node doc = YAML::Load(std::string(data::resource(kRulesFile)));
  for (const auto& n : doc["rules"]) {
    for (const auto& kv : n) {
      [[maybe_unused]] auto key = kv.first.as<std::string>();
      assert(std::find(std::begin(kRuleKeys), std::end(kRuleKeys), key) != std::end(kRuleKeys) &&
             "unknown key in data/fingerprints.yaml");
    }
    FingerprintRule r;
    r.name = n["name"].as<std::string>();
    if (n["cpe"]) {
      auto cpe = n["cpe"].as<std::string>();
      auto colon = cpe.find(':');
      assert(colon != std::string::npos && "cpe is vendor:product");
      r.cpe_vendor = cpe.substr(0, colon);
      r.cpe_product = cpe.substr(colon + 1);
    }
    r.any_binary = n["files"] && n["files"].as<std::string>() == "binary";
    if (n["before"]) r.before = n["before"].as<std::size_t>();
    if (n["after"]) r.after = n["after"].as<std::size_t>();
    r.anchors = strings_at(n["anchors"]);
    r.requires_any = strings_at(n["requires"]);
    r.version_sources = strings_at(n["version"]);
    // Every expression is searched in the whole window and must cover the anchor's last byte, so
    // a leading ^ (written for readability: "the version text starts here") is dropped.
    for (const auto& v : r.version_sources) {
      r.versions.emplace_back(v.starts_with('^') ? v.substr(1) : v, std::regex::ECMAScript | std::regex::optimize);
    }
    if (n["format"]) r.format = n["format"].as<std::string>();
    if (n["applets"]) r.applets = n["applets"].as<std::string>();
    assert(!r.anchors.empty() && !r.versions.empty());
    out.push_back(std::move(r));
  }
  return out;
}

enum class Role : std::uint8_t { kNone, kAnchor, kRequire, kApplets };
struct Ref {
  Role role = Role::kNone;
  std::size_t rule = 0;
};

/// What each content-pass rule is to the fingerprints, indexed by content rule id.
const std::vector<Ref>& refs() {
  static const std::vector<Ref> kRefs = [] {
    const auto& rules = fingerprint_rules();
    auto index = [&](std::string_view name) {
      for (std::size_t i = 0; i < rules.size(); ++i) {
        if (rules[i].name == name) return i;
      }
      assert(false && "content rule of an unknown fingerprint");
      return std::size_t{0};
    };
    std::vector<Ref> out;
    for (const auto& c : evidence::content::rules()) {
      std::string_view n = c.name;
      if (n.starts_with(kAnchorPrefix)) {
        out.push_back({Role::kAnchor, index(n.substr(kAnchorPrefix.size()))});
      } else if (n.starts_with(kRequirePrefix)) {
        out.push_back({Role::kRequire, index(n.substr(kRequirePrefix.size()))});
      } else if (n.starts_with(kAppletsPrefix)) {
        out.push_back({Role::kApplets, index(n.substr(kAppletsPrefix.size()))});
      } else {
        out.push_back({});
      }
    }
    return out;
  }();
  return kRefs;
}

Ref ref_of(const Match& m) {
  const auto& r = refs();
  return m.rule < r.size() ? r[m.rule] : Ref{};
}

bool is_version_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '+' ||
         c == '_' || c == '-';
}

bool valid_version(std::string_view v) {
  return !v.empty() && v.size() <= kMaxVersionChars && v[0] >= '0' && v[0] <= '9' &&
         std::all_of(v.begin(), v.end(), is_version_char);
}

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && c != '\\') {
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += fmt::format("\\x{:02x}", u);
    }
  }
  return out;
}

/// "{1}.{2}.{3}" with each group of digits as a number ("09" -> "9").
std::string apply_format(std::string_view format, const std::smatch& m) {
  std::string out;
  for (std::size_t i = 0; i < format.size(); ++i) {
    if (format[i] == '{' && i + 2 < format.size() && format[i + 2] == '}' && format[i + 1] >= '1' &&
        format[i + 1] <= '9') {
      auto g = static_cast<std::size_t>(format[i + 1] - '0');
      std::string part = g < m.size() ? m.str(g) : std::string();
      if (!part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        auto nz = part.find_first_not_of('0');
        part = nz == std::string::npos ? "0" : part.substr(nz);
      }
      out += part;
      i += 2;
    } else {
      out += format[i];
    }
  }
  return out;
}

/// The version a rule reads in a window whose anchor ends at byte `last`, and where it is: the
/// first match of the rule's first expression that matches covering that byte.
std::optional<FingerprintHit> extract(const FingerprintRule& r, std::size_t rule, const std::string& window,
                                      std::size_t last, std::uint64_t base) {
  for (const auto& re : r.versions) {
    for (auto it = std::sregex_iterator(window.begin(), window.end(), re); it != std::sregex_iterator(); ++it) {
      const std::smatch& m = *it;
      auto pos = static_cast<std::size_t>(m.position(0));
      std::size_t end = pos + static_cast<std::size_t>(m.length(0));
      if (pos > last) break;
      if (end <= last || m.size() < 2 || !m[1].matched) continue;
      std::string version = r.format.empty() ? m.str(1) : apply_format(r.format, m);
      if (!valid_version(version)) continue;
      FingerprintHit h;
      h.rule = rule;
      h.version = std::move(version);
      h.offset = base + static_cast<std::uint64_t>(m.position(1));
      h.observed = printable(m.str(0));
      return h;
    }
  }
  return std::nullopt;
}

/// True when `longer` is `shorter` extended by more of a version ("9.2" -> "9.2p1", "2.36" -> "2.36.1").
bool extends(std::string_view longer, std::string_view shorter) {
  return longer.size() > shorter.size() && longer.starts_with(shorter) &&
         !(longer[shorter.size()] >= '0' && longer[shorter.size()] <= '9');
}

std::string percent_encode(std::string_view s) {
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '_' ||
        c == '-' || c == '~') {
      out += c;
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

bool is_applet_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         c == '-' || c == '[' || c == ']' || c == '+';
}

/// The filesystem of a display path: the one with the longest prefix it starts with.
std::uint32_t filesystem_of(const inventory::Inventory& inv, std::string_view path) {
  std::uint32_t best = 0;
  std::size_t best_len = 0;
  for (std::uint32_t i = 0; i < inv.filesystems().size(); ++i) {
    const auto& p = inv.filesystems()[i].prefix;
    if (p.size() >= best_len && path.starts_with(p)) {
      best = i;
      best_len = p.size();
    }
  }
  return best;
}

}  // namespace

const std::vector<FingerprintRule>& fingerprint_rules() {
  static const std::vector<FingerprintRule> kRules = load_rules();
  return kRules;
}

std::vector<evidence::content::Rule> fingerprint_content_rules() {
  std::vector<evidence::content::Rule> out;
  for (const auto& r : fingerprint_rules()) {
    for (const auto& a : r.anchors) out.push_back({std::string(kAnchorPrefix) + r.name, a, false, false, false});
    for (const auto& a : r.requires_any) out.push_back({std::string(kRequirePrefix) + r.name, a, false, false, false});
    if (!r.applets.empty()) out.push_back({std::string(kAppletsPrefix) + r.name, r.applets, false, false, false});
  }
  return out;
}

std::vector<FingerprintHit> read_hits(std::span<const Match> matches, const WindowReader& read, bool elf, bool binary) {
  const auto& rules = fingerprint_rules();
  std::vector<bool> required(rules.size(), false);
  for (const auto& m : matches) {
    Ref r = ref_of(m);
    if (r.role == Role::kRequire) required[r.rule] = true;
  }
  std::vector<std::size_t> windows(rules.size(), 0);
  std::vector<FingerprintHit> hits;
  for (const auto& m : matches) {
    Ref ref = ref_of(m);
    if (ref.role != Role::kAnchor) continue;
    const FingerprintRule& r = rules[ref.rule];
    if (!(r.any_binary ? binary : elf)) continue;
    if (!r.requires_any.empty() && !required[ref.rule]) continue;
    if (++windows[ref.rule] > kMaxFingerprintWindowsPerRule) continue;
    if (m.end == 0) continue;
    const std::uint64_t last = m.end - 1;
    const std::uint64_t reach = r.before + kMaxAnchorBytes;
    std::uint64_t base = last >= reach ? last - reach : 0;
    auto at = static_cast<std::size_t>(last - base);
    std::string window = read(base, at + 1 + r.after);
    if (window.size() <= at) continue;
    if (auto h = extract(r, ref.rule, window, at, base)) hits.push_back(std::move(*h));
  }
  // One hit per product and version (the first), and none that another of its product extends.
  std::stable_sort(hits.begin(), hits.end(), [](const FingerprintHit& a, const FingerprintHit& b) {
    return a.rule != b.rule ? a.rule < b.rule : a.offset < b.offset;
  });
  std::vector<FingerprintHit> out;
  for (auto& h : hits) {
    bool drop = std::any_of(hits.begin(), hits.end(),
                            [&](const FingerprintHit& o) { return o.rule == h.rule && extends(o.version, h.version); });
    drop = drop || std::any_of(out.begin(), out.end(),
                               [&](const FingerprintHit& o) { return o.rule == h.rule && o.version == h.version; });
    if (!drop) out.push_back(h);
  }
  return out;
}

std::vector<std::string> read_applets(std::span<const Match> matches, const WindowReader& read) {
  for (const auto& m : matches) {
    if (ref_of(m).role != Role::kApplets) continue;
    if (m.end < 2) continue;
    // The anchor ends with the NUL after a name of the table: that name is the one at `at`.
    const std::uint64_t last = m.end - 2;
    std::uint64_t base = last >= kMaxAppletTableBytes ? last - kMaxAppletTableBytes : 0;
    auto at_byte = static_cast<std::size_t>(last - base);
    std::string w = read(base, at_byte + 2 + kMaxAppletTableBytes);
    if (w.size() <= at_byte) continue;
    // Tokens between NULs, and the one the anchor's last name is.
    struct Token {
      std::size_t begin, end;
    };
    std::vector<Token> tokens;
    std::size_t at = 0, mine = SIZE_MAX;
    for (std::size_t i = 0; i <= w.size(); ++i) {
      if (i == w.size() || w[i] == '\0') {
        if (at <= at_byte && at_byte < i) mine = tokens.size();
        tokens.push_back({at, i});
        at = i + 1;
      }
    }
    if (mine == SIZE_MAX) continue;
    auto name = [&](std::size_t k) {
      return std::string_view(w).substr(tokens[k].begin, tokens[k].end - tokens[k].begin);
    };
    auto valid = [&](std::size_t k) {
      auto n = name(k);
      // The first and last tokens may be cut by the window.
      return k > 0 && k + 1 < tokens.size() && !n.empty() && n.size() <= 32 &&
             std::all_of(n.begin(), n.end(), is_applet_char);
    };
    if (!valid(mine)) continue;
    std::size_t lo = mine, hi = mine;
    while (lo > 0 && valid(lo - 1) && name(lo - 1) < name(lo)) --lo;
    while (hi + 1 < tokens.size() && valid(hi + 1) && name(hi) < name(hi + 1)) ++hi;
    if (hi - lo + 1 < kMinApplets) continue;
    std::vector<std::string> out;
    for (std::size_t k = lo; k <= hi; ++k) out.emplace_back(name(k));
    return out;
  }
  return {};
}

std::vector<FingerprintHit> fingerprint_bytes(std::string_view bytes, bool elf) {
  static const auto matcher = evidence::content::Matcher::compile();
  if (!matcher.ok()) return {};
  auto matches = matcher.value()->scan(bytes);
  std::stable_sort(matches.begin(), matches.end(), [](const Match& a, const Match& b) {
    return a.start != b.start ? a.start < b.start : a.rule < b.rule;
  });
  WindowReader read = [&](std::uint64_t offset, std::size_t length) {
    if (offset >= bytes.size()) return std::string();
    return std::string(bytes.substr(static_cast<std::size_t>(offset), length));
  };
  return read_hits(matches, read, elf, true);
}

std::string generic_purl(std::string_view name, std::string_view version) {
  return "pkg:generic/" + percent_encode(name) + "@" + percent_encode(version);
}

std::string cpe23(std::string_view vendor, std::string_view product, std::string_view version, std::string_view part) {
  std::string v;
  for (char c : version) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.' ||
          c == '-'))
      v += '\\';
    v += c;
  }
  return fmt::format("cpe:2.3:{}:{}:{}:{}:*:*:*:*:*:*:*", part, vendor, product, v);
}

std::vector<FingerprintComponent> fingerprint_components(evidence::Evidence& ev, std::uint32_t fs) {
  const auto& inv = ev.inventory();
  const auto& rules = fingerprint_rules();
  const auto& pass = ev.content();
  const std::string& prefix = inv.filesystems().at(fs).prefix;
  std::map<std::pair<std::string, std::string>, FingerprintComponent> found;
  auto add = [&](const std::string& name, const std::string& version, const FingerprintRule* rule,
                 const std::string& path, std::optional<std::uint64_t> offset, const std::string& observed) {
    auto [it, fresh] = found.try_emplace({name, version});
    Component& c = it->second.component;
    if (fresh) {
      c.name = name;
      c.version = version;
      c.ecosystem = "generic";
      c.purl = generic_purl(name, version);
      c.ref = "generic/" + name + "@" + version + (prefix.empty() ? "" : "?fs=" + prefix);
      if (rule && !rule->cpe_vendor.empty()) c.cpe = cpe23(rule->cpe_vendor, rule->cpe_product, version);
      c.found_by = "fingerprint";
      c.evidence.path = path;
      c.evidence.offset = offset;
      c.evidence.observed = observed;
      c.filesystem = prefix;
    }
    if (std::find(c.files.begin(), c.files.end(), path) == c.files.end()) c.files.push_back(path);
    return &it->second;
  };

  for (const auto& fm : pass.files) {
    const auto& e = inv.entries()[fm.entry];
    if (e.filesystem != fs) continue;
    if (std::none_of(fm.matches.begin(), fm.matches.end(),
                     [](const Match& m) { return ref_of(m).role == Role::kAnchor; }))
      continue;
    const bool elf = e.kind == inventory::Kind::kElf;
    const bool binary = elf || e.kind == inventory::Kind::kBinary || e.kind == inventory::Kind::kKernelImage;
    if (!binary) continue;  // a version string in a text file is not a component
    const vfs::Vfs& v = inv.vfs(e.filesystem);
    WindowReader read = [&](std::uint64_t offset, std::size_t length) {
      std::string buf(length, '\0');
      auto n = v.read_raw(e.path, offset, std::as_writable_bytes(std::span(buf.data(), buf.size())));
      buf.resize(n.ok() ? *n : 0);
      return buf;
    };
    const std::string path = inv.display_path(e);
    for (const auto& h : read_hits(fm.matches, read, elf, binary)) {
      const FingerprintRule& r = rules[h.rule];
      FingerprintComponent* c = add(r.name, h.version, &r, path, h.offset, h.observed);
      if (!r.applets.empty() && c->properties.empty()) {
        auto applets = read_applets(fm.matches, read);
        std::string joined;
        for (const auto& a : applets) joined += (joined.empty() ? "" : " ") + a;
        if (!joined.empty()) c->properties.emplace_back("fwcert:busybox:applets", std::move(joined));
      }
    }
  }

  // The Linux kernel: the versions the kernel evidence read (banner, configuration header,
  // modules directory), best first.
  for (const auto& kv : ev.kernel().versions) {
    if (filesystem_of(inv, kv.path) != fs) continue;
    std::string version = fmt::format("{}.{}.{}", kv.version.major, kv.version.minor, kv.version.patch);
    FingerprintComponent* c =
        add("linux", version, nullptr, kv.path, std::nullopt, kv.banner.empty() ? kv.how : kv.banner);
    c->component.cpe = cpe23("linux", "linux_kernel", version, "o");
  }

  std::vector<FingerprintComponent> out;
  for (auto& [key, c] : found) {
    std::sort(c.component.files.begin(), c.component.files.end());
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace fwcert::sbom
