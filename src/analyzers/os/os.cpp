#include "analyzers/os/os.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "analyzers/os/build.hpp"
#include "analyzers/os/parse.hpp"
#include "core/date.hpp"
#include "core/limits.hpp"
#include "core/text.hpp"
#include "endoflife/endoflife.hpp"
#include "sbom/fingerprint.hpp"
#include "sbom/package_db.hpp"

namespace fwcert::analyzers::os {

namespace {

using text::lower;

constexpr std::string_view kIdentifyCheck = "inv-os-identify";
constexpr std::string_view kDistroCheck = "os-distro-eol";
constexpr std::string_view kComponentCheck = "os-component-eol";
constexpr std::string_view kChecks[] = {kIdentifyCheck, kDistroCheck, kComponentCheck, "inv-build-type",
                                        "os-build-age"};

/// The distribution found on one filesystem.
struct Identity {
  std::uint32_t fs = 0;
  std::string product;  ///< endoflife product id ("debian"), "buildroot", or "" when unknown
  std::string id;       ///< os-release ID or the marker's name
  std::string name;
  std::string version;  ///< release as written ("12", "23.05.3", "4.0.17", "13")
  std::string codename;
  std::string build_id;
  std::string security_patch;  ///< Android ro.build.version.security_patch
  std::string path;            ///< display path of the main source
  std::size_t line = 0;
  std::string observed;  ///< the source lines that decided, for evidence
  std::vector<Evidence> sources;
};

/// The text of a regular file (read_file refuses anything else), or nullopt.
std::optional<std::string> read_small(const vfs::Vfs& v, const std::string& path) {
  auto text = v.read_file(path, limits::kMaxSmallConfigBytes);
  if (!text.ok()) return std::nullopt;
  return std::move(text.value());
}

/// "4.0.17 (kirkstone)" -> "kirkstone".
std::string parenthesised(std::string_view s) {
  auto open = s.find('('), close = s.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) return {};
  return std::string(s.substr(open + 1, close - open - 1));
}

bool is_yocto_codename(std::string_view codename) {
  const auto* t = endoflife::builtin("yocto");
  return t && t->find_codename(codename);
}

std::string product_of_id(std::string_view id) {
  if (id == "debian" || id == "raspbian") return "debian";
  if (id == "ubuntu") return "ubuntu";
  if (id == "alpine") return "alpine-linux";
  if (id == "openwrt") return "openwrt";
  if (id == "poky" || id == "poky-tiny" || id == "poky-altcfg") return "yocto";
  if (id == "buildroot") return "buildroot";
  return {};
}

std::optional<Identity> identify(const inventory::Inventory& inv, std::uint32_t fs, Output& out) {
  const vfs::Vfs& v = inv.vfs(fs);
  Identity who;
  who.fs = fs;
  auto note = [&](const std::string& path, const KeyValueFile& f) {
    for (const auto& [line, msg] : f.diagnostics) {
      if (&msg != &f.diagnostics.front().second && f.diagnostics.size() > 20) break;
      out.diagnostics.push_back(
          {Diagnostic::Level::kNote, inv.display_path(fs, path), fmt::format("line {}: {}", line, msg)});
    }
  };

  // Android: build.prop of the system partition (system-as-root images nest it once more).
  for (const char* path : {"/system/build.prop", "/system/system/build.prop", "/build.prop"}) {
    auto text = read_small(v, path);
    if (!text) continue;
    auto props = parse_build_prop(*text);
    note(path, props);
    const KeyValue* rel = props.find("ro.build.version.release");
    if (!rel) rel = props.find("ro.build.version.release_or_codename");
    if (!rel) continue;
    who.product = "android";
    who.id = "android";
    who.version = rel->value;
    who.path = inv.display_path(fs, path);
    who.line = rel->line;
    who.observed = rel->key + "=" + rel->value;
    who.sources.push_back(at(who.path, rel->line, who.observed));
    if (const auto* p = props.find("ro.build.version.security_patch")) {
      who.security_patch = p->value;
      who.sources.push_back(at(who.path, p->line, p->key + "=" + p->value));
    }
    if (const auto* b = props.find("ro.build.display.id")) who.build_id = b->value;
    if (const auto* n = props.find("ro.product.model")) who.name = "Android " + who.version + " on " + n->value;
    if (who.name.empty()) who.name = "Android " + who.version;
    return who;
  }

  std::string os_release_path;
  std::optional<KeyValueFile> osr;
  for (const char* path : {"/etc/os-release", "/usr/lib/os-release"}) {
    if (auto text = read_small(v, path)) {
      osr = parse_os_release(*text);
      note(path, *osr);
      os_release_path = path;
      break;
    }
  }
  if (osr) {
    auto get = [&](std::string_view key) -> std::string {
      const KeyValue* kv = osr->find(key);
      return kv ? kv->value : std::string();
    };
    who.id = lower(get("ID"));
    who.name = get("PRETTY_NAME").empty() ? get("NAME") : get("PRETTY_NAME");
    who.version = get("VERSION_ID");
    who.codename = get("VERSION_CODENAME");
    if (who.codename.empty()) who.codename = parenthesised(get("VERSION"));
    who.build_id = get("BUILD_ID");
    who.path = inv.display_path(fs, os_release_path);
    const KeyValue* id_line = osr->find("ID");
    who.line = id_line ? id_line->line : 0;
    for (std::string_view key : {"ID", "VERSION_ID", "VERSION_CODENAME", "VERSION", "BUILD_ID"}) {
      if (const KeyValue* kv = osr->find(key)) {
        who.observed += (who.observed.empty() ? "" : " ") + kv->key + "=" + kv->value;
        who.sources.push_back(at(who.path, kv->line, kv->key + "=" + kv->value));
      }
    }
    who.product = product_of_id(who.id);
    // A distribution built with Yocto under its own name keeps the release codename.
    if (who.product.empty() && is_yocto_codename(who.codename)) who.product = "yocto";
  }

  // Markers of distributions without (or besides) os-release.
  if (auto text = read_small(v, "/etc/openwrt_release")) {
    auto f = parse_os_release(*text);
    note("/etc/openwrt_release", f);
    if (const auto* rel = f.find("DISTRIB_RELEASE"); rel && (who.product.empty() || who.product == "openwrt")) {
      std::string shown = inv.display_path(fs, "/etc/openwrt_release");
      if (who.product.empty()) {
        who.product = "openwrt";
        who.id = "openwrt";
        who.version = rel->value;
        who.path = shown;
        who.line = rel->line;
        who.observed = "DISTRIB_RELEASE=" + rel->value;
        if (const auto* d = f.find("DISTRIB_DESCRIPTION")) who.name = d->value;
        if (const auto* c = f.find("DISTRIB_CODENAME")) who.codename = c->value;
        if (const auto* r = f.find("DISTRIB_REVISION")) who.build_id = r->value;
      }
      who.sources.push_back(at(shown, rel->line, "DISTRIB_RELEASE=" + rel->value));
    }
  }
  for (auto [path, product, id] : {std::tuple{"/etc/alpine-release", "alpine-linux", "alpine"},
                                   std::tuple{"/etc/debian_version", "debian", "debian"}}) {
    auto text = read_small(v, path);
    if (!text) continue;
    std::string value(text->substr(0, text->find('\n')));
    while (!value.empty() && (value.back() == '\r' || value.back() == ' ')) value.pop_back();
    std::string shown = inv.display_path(fs, path);
    who.sources.push_back(at(shown, 1, value));
    if (!who.product.empty() && who.product != product) continue;
    if (who.product.empty()) {
      who.product = product;
      who.id = id;
      who.path = shown;
      who.line = 1;
      who.observed = value;
    }
    // debian_version says "12.5" or "bookworm/sid" (testing); os-release may lack VERSION_ID.
    if (who.version.empty()) {
      if (!value.empty() && std::isdigit(static_cast<unsigned char>(value.front()))) {
        who.version = value;
      } else if (who.codename.empty()) {
        who.codename = value.substr(0, value.find('/'));
      }
    }
  }
  // Yocto image-buildinfo: DISTRO, DISTRO_VERSION and the branch of each layer.
  if (auto text = read_small(v, "/etc/build")) {
    auto f = parse_buildinfo(*text);
    note("/etc/build", f);
    std::string shown = inv.display_path(fs, "/etc/build");
    std::string branch;
    std::size_t branch_line = 0;
    for (const auto& kv : f.entries) {
      auto colon = kv.value.find(':');
      if (kv.key.starts_with("meta") && colon != std::string::npos && is_yocto_codename(kv.value.substr(0, colon))) {
        branch = kv.value.substr(0, colon);
        branch_line = kv.line;
        break;
      }
    }
    if (!branch.empty() && (who.product.empty() || who.product == "yocto")) {
      who.sources.push_back(at(shown, branch_line, "layer branch " + branch));
      if (who.product.empty()) {
        who.product = "yocto";
        const auto* d = f.find("DISTRO");
        who.id = d ? d->value : "yocto";
        who.path = shown;
        who.line = branch_line;
        who.observed = "layer branch " + branch;
      }
      if (who.codename.empty()) who.codename = branch;
    }
  }
  // Yocto's /etc/version is the build timestamp.
  if (who.product == "yocto" && who.build_id.empty()) {
    if (auto text = read_small(v, "/etc/version"))
      who.build_id = text->substr(0, std::min<std::size_t>(64, text->find('\n')));
  }
  if (who.id.empty() && who.product.empty()) return std::nullopt;
  if (who.name.empty()) who.name = who.id + (who.version.empty() ? "" : " " + who.version);
  return who;
}

/// The cycle of `table` a release belongs to: the longest dotted prefix of `version` that
/// names a cycle ("3.19.1" -> "3.19", "12.5" -> "12", "8.1.0" -> "8.1"), else the codename.
const endoflife::Cycle* cycle_of(const endoflife::Product& table, std::string version, const std::string& codename) {
  // Drop letters and suffixes of each field: "1.1.1w" -> "1.1.1".
  std::string clean;
  for (char c : version) {
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      clean.push_back(c);
    } else {
      break;
    }
  }
  while (!clean.empty()) {
    if (const auto* c = table.find(clean)) return c;
    if (const auto* c = table.find(clean + ".0"); c && clean.find('.') == std::string::npos) return c;
    auto dot = clean.rfind('.');
    if (dot == std::string::npos) break;
    clean.resize(dot);
  }
  return table.find_codename(codename);
}

std::string subject_of(const inventory::Inventory& inv, std::uint32_t fs) {
  const auto& f = inv.filesystems().at(fs);
  return f.prefix.empty() ? std::string("os") : "os:" + f.prefix;
}

void report_identity(const inventory::Inventory& inv, const Identity& who, Output& out) {
  std::string subject = subject_of(inv, who.fs);
  auto fact = [&](std::string name, std::string value) {
    if (!value.empty())
      out.facts.push_back({"os", subject, std::move(name), std::move(value), at(who.path, who.line, who.observed)});
  };
  fact("os.id", who.id);
  fact("os.product", who.product);
  fact("os.name", who.name);
  fact("os.version", who.version);
  fact("os.codename", who.codename);
  fact("os.build_id", who.build_id);
  fact("android.security_patch", who.security_patch);
  out.findings.push_back(
      finding(kIdentifyCheck, Status::kInfo, subject,
              fmt::format("{} (id {}, version {}{}{})", who.name, who.id, who.version.empty() ? "unknown" : who.version,
                          who.codename.empty() ? "" : ", codename " + who.codename,
                          who.build_id.empty() ? "" : ", build " + who.build_id),
              who.sources));
}

void judge_distro(const Context& ctx, const Identity& who, const CivilDate& day, Output& out) {
  std::string subject = subject_of(ctx.inventory, who.fs);
  Evidence seen = at(who.path, who.line, who.observed, "a release supported after " + format_date(day));
  const endoflife::Product* table =
      who.product.empty() || who.product == "buildroot" ? nullptr : endoflife::builtin(who.product);
  if (!table) {
    out.findings.push_back(finding(
        kDistroCheck, Status::kInconclusive, subject,
        who.product == "buildroot"
            ? fmt::format("Buildroot {}: fwcert has no end-of-life table for Buildroot; judge its support from the "
                          "vendor's maintenance commitment",
                          who.version.empty() ? "(version unknown)" : who.version)
            : fmt::format("{} (id '{}') has no built-in end-of-life table", who.name, who.id),
        {seen}));
    return;
  }
  const endoflife::Cycle* c = cycle_of(*table, who.version, who.codename);
  std::string data = fmt::format("{} table of endoflife.date retrieved {}", table->title, table->retrieved);
  if (!c) {
    out.findings.push_back(
        finding(kDistroCheck, Status::kInconclusive, subject,
                fmt::format("{} release '{}'{} is not in the {} (a development snapshot, or newer "
                            "than the data)",
                            table->title, who.version, who.codename.empty() ? "" : " (" + who.codename + ")", data),
                {seen}));
    return;
  }
  out.facts.push_back({"os", subject, "os.eol", endoflife::eol_text(*c), at(who.path, who.line, c->cycle)});
  seen.observed += fmt::format(" (cycle {}, end of life {})", c->cycle, endoflife::eol_text(*c));
  auto support = endoflife::judge(*c, day, ctx.options.eol_warning_days);
  Status status = Status::kPass;
  std::string message;
  std::string name = fmt::format("{} {}", table->title, c->cycle);
  if (support == endoflife::Support::kEnded) {
    status = Status::kFail;
    message = fmt::format("{} reached end of life on {}, before the assessment date {}", name, endoflife::eol_text(*c),
                          format_date(day));
  } else if (support == endoflife::Support::kEndingSoon) {
    status = Status::kWarn;
    message = fmt::format("{} reaches end of life on {}, {} days after the assessment date", name,
                          endoflife::eol_text(*c), *endoflife::days_left(*c, day));
  } else if (support == endoflife::Support::kNoEndAnnounced) {
    message = fmt::format("{} is supported (no end of life announced)", name);
  } else {
    message = fmt::format("{} is supported until {}", name, endoflife::eol_text(*c));
  }
  std::vector<Evidence> ev{seen};
  if (who.product == "android") {
    auto patch = parse_date(who.security_patch);
    if (!patch) {
      if (status == Status::kPass) status = Status::kInconclusive;
      message += "; no readable ro.build.version.security_patch, so the patch level cannot be judged";
    } else {
      auto age = days_since_epoch(day) - days_since_epoch(*patch);
      if (age > static_cast<std::int64_t>(ctx.options.patch_level_max_age_days)) {
        if (status == Status::kPass) status = Status::kWarn;
        message += fmt::format("; security patch level {} is {} days old (more than {})", who.security_patch, age,
                               ctx.options.patch_level_max_age_days);
        ev.push_back(
            at(who.path, 0, "ro.build.version.security_patch=" + who.security_patch,
               fmt::format("at most {} days before {}", ctx.options.patch_level_max_age_days, format_date(day))));
      } else {
        message += fmt::format("; security patch level {} is {} days old", who.security_patch, age);
      }
    }
  }
  out.findings.push_back(finding(kDistroCheck, status, subject, fmt::format("{}; {}", message, data), std::move(ev)));
}

// --- components ------------------------------------------------------------------------------

struct Component {
  std::string product;  ///< openssl, python, nodejs, sqlite
  std::string version;  ///< upstream version, or a prefix when only a soname says it
  bool exact = true;    ///< false: `version` is a soname prefix ("1.1", "3")
  Evidence where;
  std::string how;
};

std::string package_product(std::string_view name) {
  if (name == "openssl" || name.starts_with("libssl") || name.starts_with("libcrypto") ||
      name.starts_with("libopenssl"))
    return name.ends_with("-doc") ? "" : "openssl";
  if (name == "nodejs" || name == "node" || name == "libnode") return "nodejs";
  if (name == "libsqlite3-0" || name == "libsqlite3" || name == "sqlite-libs" || name == "sqlite3" || name == "sqlite")
    return "sqlite";
  if (name == "python3" || name == "python3-core" || name == "python3-base" || name == "python3-minimal" ||
      name.starts_with("python3.") || name.starts_with("libpython3."))
    return "python";
  return {};
}

void components_from_packages(const inventory::Inventory& inv, std::uint32_t fs, std::vector<Component>& out) {
  const vfs::Vfs& v = inv.vfs(fs);
  struct Db {
    const char* path;
    const char* how;
    bool apk;
  } dbs[] = {{"/var/lib/dpkg/status", "dpkg status", false},
             {"/var/lib/opkg/status", "opkg status", false},
             {"/usr/lib/opkg/status", "opkg status", false},
             {"/lib/apk/db/installed", "apk database", true}};
  for (const auto& db : dbs) {
    auto st = v.stat(db.path);
    if (!st.ok() || !st->is_regular()) continue;
    auto text = v.read_file(db.path, limits::kMaxConfigFileBytes);
    if (!text.ok()) continue;
    auto packages = db.apk ? sbom::parse_apk_installed(*text).packages : sbom::parse_dpkg_status(*text).packages;
    for (const auto& p : packages) {
      std::string product = package_product(p.name);
      if (product.empty() || p.version.empty()) continue;
      std::string version = upstream_version(p.version);
      // "python3.11-minimal" names its branch even when the version field is the package's.
      if (product == "python" && (p.name.starts_with("python3.") || p.name.starts_with("libpython3."))) {
        std::string_view n = p.name;
        n.remove_prefix(n.find('3'));
        std::string branch(n.substr(0, n.find_first_not_of("0123456789.")));
        if (!version.starts_with(branch)) version = branch;
      }
      out.push_back(
          {product, version, true, at(inv.display_path(fs, db.path), p.line, p.name + " " + p.version), db.how});
    }
  }
}

/// The version fingerprints of every filesystem (sbom/fingerprint.hpp), computed once per run.
using Fingerprints = std::vector<std::vector<sbom::FingerprintComponent>>;

void components_from_files(const inventory::Inventory& inv, const Fingerprints& prints, std::vector<Component>& out) {
  // OpenSSL's version text, read by the fingerprint rules wherever OpenSSL's code is (libcrypto,
  // or a program linking it statically); a libcrypto without one is judged by its soname.
  std::set<std::string> read;
  for (const auto& components : prints) {
    for (const auto& fc : components) {
      const fwcert::Component& c = fc.component;
      if (c.name != "openssl") continue;
      Evidence where = at(c.evidence.path, 0, "OpenSSL " + c.version);
      where.offset = c.evidence.offset;
      out.push_back({"openssl", c.version, true, std::move(where), "version string"});
      read.insert(c.files.begin(), c.files.end());
    }
  }
  for (const auto& e : inv.entries()) {
    if (e.hardlink_secondary) continue;
    std::string_view name = vfs::base_name(e.path);
    std::string shown = inv.display_path(e);
    const auto& fs = inv.filesystems().at(e.filesystem);
    if (!fs.vfs) continue;
    std::string_view parent = std::string_view(e.path).substr(0, e.path.rfind('/'));
    if (e.st.is_dir() && name.starts_with("python3.") && (parent == "/usr/lib" || parent == "/usr/lib64")) {
      std::string branch(name.substr(6));  // "python3.11" -> "3.11"
      if (branch.size() >= 3 && branch.find_first_not_of("0123456789.") == std::string::npos) {
        out.push_back({"python", branch, true, at(shown, 0, "directory " + std::string(name)), "library directory"});
      }
      continue;
    }
    if (!e.st.is_regular()) continue;
    if (name.starts_with("libcrypto.so")) {
      if (read.count(shown) == 0 && name.size() > 13) {
        // The soname names the ABI series: libcrypto.so.1.1 -> 1.1.x, libcrypto.so.3 -> 3.x.
        std::string series(name.substr(13));
        if (series.starts_with("1.0")) series = "1.0";
        out.push_back({"openssl", series, false, at(shown, 0, std::string(name)), "library soname"});
      }
    } else if (name.starts_with("libsqlite3.so")) {
      out.push_back({"sqlite", "3", true, at(shown, 0, std::string(name)), "library soname"});
    }
  }
}

/// Each fingerprint component as facts until the SBOM carries them: "fingerprint.component" is
/// [name, version, file...] with the version's place as its source, "fingerprint.property" a
/// property of it ([name, version, property, value]).
void fingerprint_facts(const Fingerprints& prints, Output& out) {
  for (const auto& components : prints) {
    for (const auto& fc : components) {
      const fwcert::Component& c = fc.component;
      std::string subject = c.filesystem + c.name + "@" + c.version;
      std::vector<std::string> value{c.name, c.version};
      value.insert(value.end(), c.files.begin(), c.files.end());
      out.facts.push_back({"os", subject, "fingerprint.component", std::move(value), c.evidence});
      if (!c.cpe.empty()) out.facts.push_back({"os", subject, "fingerprint.cpe", c.cpe, c.evidence});
      for (const auto& [k, v] : fc.properties) {
        out.facts.push_back(
            {"os", subject, "fingerprint.property", std::vector<std::string>{c.name, c.version, k, v}, c.evidence});
      }
    }
  }
}

void judge_components(const Context& ctx, const Fingerprints& prints, const CivilDate& day, Output& out) {
  const auto& inv = ctx.inventory;
  std::vector<Component> found;
  for (std::uint32_t i = 0; i < inv.filesystems().size(); ++i) {
    if (inv.filesystems()[i].vfs) components_from_packages(inv, i, found);
  }
  components_from_files(inv, prints, found);
  // A product seen with an exact version drops its soname-only guesses; one finding per
  // product and version, with every place it was seen.
  std::set<std::string> exact;
  for (const auto& c : found) {
    if (c.exact) exact.insert(c.product);
  }
  std::map<std::pair<std::string, std::string>, std::vector<const Component*>> by;
  for (const auto& c : found) {
    if (!c.exact && exact.count(c.product)) continue;
    by[{c.product, c.version}].push_back(&c);
  }
  // A branch seen only as a directory or soname ("python 3.11", "sqlite 3") joins a full
  // version of the same branch ("3.11.2") as more evidence instead of a finding of its own.
  for (auto it = by.begin(); it != by.end();) {
    auto full = std::find_if(by.begin(), by.end(), [&](const auto& other) {
      return other.first.first == it->first.first && other.first.second.starts_with(it->first.second + ".");
    });
    if (full != by.end() && it->second.front()->exact) {
      full->second.insert(full->second.end(), it->second.begin(), it->second.end());
      it = by.erase(it);
    } else {
      ++it;
    }
  }
  if (by.empty()) {
    out.findings.push_back(
        finding(kComponentCheck, Status::kInconclusive, "components",
                "no OpenSSL, Python, Node.js or SQLite version was found (dpkg/opkg/apk databases, "
                "OpenSSL version fingerprint, libcrypto soname, /usr/lib/python3.N, libsqlite3.so)"));
    return;
  }
  for (const auto& [key, where] : by) {
    const auto& [product, version] = key;
    const Component& first = *where.front();
    std::vector<Evidence> ev;
    for (const auto* c : where) {
      ev.push_back(c->where);
      ev.back().observed += " (" + c->how + ")";
    }
    std::string subject = product + " " + version + (first.exact ? "" : ".x");
    const endoflife::Product* table = endoflife::builtin(product);
    if (!table) {
      out.findings.push_back(
          finding(kComponentCheck, Status::kInconclusive, subject, "no end-of-life table for " + product, ev));
      continue;
    }
    std::vector<const endoflife::Cycle*> cycles;
    if (first.exact) {
      if (const auto* c = cycle_of(*table, version, "")) cycles.push_back(c);
    } else {
      for (const auto& c : table->cycles) {
        if (c.cycle == version || c.cycle.starts_with(version + ".")) cycles.push_back(&c);
      }
    }
    std::string data = fmt::format("{} table of endoflife.date retrieved {}", table->title, table->retrieved);
    if (cycles.empty()) {
      out.findings.push_back(finding(kComponentCheck, Status::kInconclusive, subject,
                                     fmt::format("{} {} is not in the {}", table->title, version, data), ev));
      continue;
    }
    std::size_t ended = 0, soon = 0;
    std::string names;
    for (const auto* c : cycles) {
      auto s = endoflife::judge(*c, day, ctx.options.eol_warning_days);
      ended += s == endoflife::Support::kEnded;
      soon += s == endoflife::Support::kEndingSoon;
      names += fmt::format("{}{} (end of life {})", names.empty() ? "" : ", ", c->cycle, endoflife::eol_text(*c));
    }
    for (auto& e : ev) e.expected = "a release supported after " + format_date(day);
    Status status;
    std::string message;
    if (ended == cycles.size()) {
      status = Status::kFail;
      message = fmt::format("{} {} is past its upstream end of life: {}", table->title, version, names);
    } else if (ended > 0) {
      status = Status::kInconclusive;
      message =
          fmt::format("only the soname of {} {} is known, and its releases differ: {}", table->title, version, names);
    } else if (soon > 0) {
      status = Status::kWarn;
      message = fmt::format("{} {} reaches its end of life within {} days: {}", table->title, version,
                            ctx.options.eol_warning_days, names);
    } else {
      status = Status::kPass;
      message = fmt::format("{} {} is supported upstream: {}", table->title, version, names);
    }
    out.facts.push_back({"os", subject, "component.version", version, first.where});
    out.findings.push_back(finding(kComponentCheck, status, subject,
                                   fmt::format("{} at {}; {}", message, format_date(day), data), std::move(ev)));
  }
}

}  // namespace

std::span<const std::string_view> checks() { return kChecks; }

Output run(const Context& ctx) {
  Output out;
  const auto& inv = ctx.inventory;
  std::vector<Identity> found;
  for (std::uint32_t i = 0; i < inv.filesystems().size(); ++i) {
    if (!inv.filesystems()[i].vfs) continue;
    if (auto who = identify(inv, i, out)) found.push_back(std::move(*who));
  }
  if (found.empty()) {
    const char* what =
        "no os-release, openwrt_release, debian_version, alpine-release, Yocto /etc/build or Android build.prop was "
        "found";
    out.findings.push_back(finding(kIdentifyCheck, Status::kInconclusive, "os", what));
    out.findings.push_back(
        finding(kDistroCheck, Status::kInconclusive, "os", std::string(what) + ", so the release cannot be judged"));
  }
  for (const auto& who : found) {
    report_identity(inv, who, out);
    judge_distro(ctx, who, ctx.options.day, out);
  }
  Fingerprints prints;
  for (std::uint32_t i = 0; i < inv.filesystems().size(); ++i) {
    prints.push_back(inv.filesystems()[i].vfs ? sbom::fingerprint_components(ctx.evidence(), i)
                                              : std::vector<sbom::FingerprintComponent>{});
  }
  if (ctx.options.collect_facts) fingerprint_facts(prints, out);
  judge_components(ctx, prints, ctx.options.day, out);
  check_build_type(ctx, out);
  check_build_age(ctx, out);
  return out;
}

}  // namespace fwcert::analyzers::os
