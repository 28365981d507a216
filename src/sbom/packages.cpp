#include "sbom/packages.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "analyzers/os/parse.hpp"  // parse_os_release: the one os-release parser
#include "core/limits.hpp"
#include "core/text.hpp"
#include "sbom/package_db.hpp"
#include "sbom/rpmdb.hpp"
#include "sbom/sbom_limits.hpp"

namespace fwcert::sbom {

namespace {

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '_' || c == '~';
}

/// Canonical paths of listed files, resolved as the image resolves them: a list names
/// "/bin/ls" where /bin is a link to usr/bin (merged /usr), while the inventory holds
/// /usr/bin/ls. Parent directories are resolved once each. Only paths that the inventory holds
/// as something other than a directory are owned: lists also name every directory they create.
class Owner {
 public:
  Owner(const inventory::Inventory& inv, std::uint32_t fs) : inv_(inv), fs_(fs) {}

  void own(const std::vector<std::string>& listed, Component& c) {
    for (const auto& path : listed) {
      const inventory::Entry* e = inv_.find(fs_, path);
      if (!e) {
        std::string parent = vfs::parent_path(path);
        auto [it, fresh] = parents_.try_emplace(parent);
        if (fresh) {
          auto r = inv_.vfs(fs_).resolve(parent);
          it->second = r ? *r : std::string();
        }
        if (!it->second.empty()) {
          std::string canonical = it->second == "/" ? "/" : it->second + "/";
          canonical += vfs::base_name(path);
          e = inv_.find(fs_, canonical);
        }
      }
      if (!e || e->st.is_dir()) continue;
      // A list names the directories a package creates; on merged /usr, /bin is a link to one.
      if (e->st.is_symlink()) {
        auto target = inv_.vfs(fs_).stat(e->path);
        if (target && target->is_dir()) continue;
      }
      c.files.push_back(inv_.display_path(*e));
    }
    std::sort(c.files.begin(), c.files.end());
    c.files.erase(std::unique(c.files.begin(), c.files.end()), c.files.end());
  }

 private:
  const inventory::Inventory& inv_;
  std::uint32_t fs_;
  std::map<std::string, std::string> parents_;
};

struct Reader {
  const inventory::Inventory& inv;
  std::uint32_t fs;
  const Distro& distro;
  PackageScan& out;
  Owner owner{inv, fs};

  const vfs::Vfs& v() const { return inv.vfs(fs); }
  std::string shown(const std::string& path) const { return inv.display_path(fs, path); }

  void diag(const std::string& path, std::string message) {
    out.diagnostics.push_back({Diagnostic::Level::kWarning, shown(path), std::move(message)});
  }

  /// The text of a database file, or nullopt when it is absent (silently) or unreadable.
  std::optional<std::string> read(const std::string& path) {
    auto st = v().stat(path);
    if (!st || !st->is_regular()) return std::nullopt;
    auto text = v().read_file(path, limits::kMaxPackageDbBytes);
    if (!text) {
      diag(path, fmt::format("package database not read: {}", text.error().message));
      return std::nullopt;
    }
    return std::move(*text);
  }

  void report(const std::string& path, const std::vector<text::LineDiagnostic>& diags) {
    for (const auto& d : diags) diag(path, d.line ? fmt::format("line {}: {}", d.line, d.message) : d.message);
  }

  Component base(const PackageRecord& p, const std::string& ecosystem, const std::string& db_path) {
    Component c;
    c.name = p.name;
    c.version = p.version;
    c.ecosystem = ecosystem;
    c.distro = distro.purl_distro();
    c.arch = p.arch;
    c.source_name = p.source_name == p.name ? std::string() : p.source_name;
    c.source_version = p.source_version == p.version ? std::string() : p.source_version;
    if (c.source_name.empty() && !p.source_version.empty() && p.source_version != p.version) {
      c.source_name = p.name;  // "Source: x (ver)" with the package's own name: a binNMU
    }
    c.license = p.license;
    c.supplier = p.supplier;
    c.found_by = "package-db";
    c.evidence.path = shown(db_path);
    if (p.line) c.evidence.line = p.line;
    c.evidence.observed = p.version.empty() ? p.name : p.name + " " + p.version;
    c.filesystem = inv.filesystems().at(fs).prefix;
    c.ref = fmt::format("{}{}/{}@{}", c.filesystem, ecosystem, p.name, p.version);
    return c;
  }

  std::string ns(std::string_view fallback) const { return distro.id.empty() ? std::string(fallback) : distro.id; }

  void dpkg_stanzas(const std::string& db_path, std::string_view text, bool distroless) {
    auto db = parse_dpkg_status(text);
    report(db_path, db.diagnostics);
    for (auto& p : db.packages) {
      Component c = base(p, "deb", db_path);
      std::vector<std::pair<std::string, std::string>> q = {{"arch", p.arch}, {"distro", c.distro}};
      if (!c.source_name.empty() || !c.source_version.empty()) {
        q.emplace_back("upstream", c.source_version.empty() || c.source_version == c.version
                                       ? c.source_name
                                       : c.source_name + "@" + c.source_version);
      }
      c.purl = make_purl("deb", ns("debian"), p.name, p.version, std::move(q));
      std::vector<std::string> listed;
      std::size_t dropped = 0;
      if (distroless) {
        listed = md5sums_files(vfs::parent_path(db_path) + "/" + p.name + ".md5sums", dropped);
      } else {
        for (const auto& name : {p.name + ":" + p.arch + ".list", p.name + ".list"}) {
          auto list = read("/var/lib/dpkg/info/" + name);
          if (!list) continue;
          listed = parse_file_list(*list, dropped);
          break;
        }
      }
      if (dropped) diag(db_path, fmt::format("{}: {} more files than kept", p.name, dropped));
      owner.own(listed, c);
      out.components.push_back(std::move(c));
    }
  }

  /// A distroless `status.d/<pkg>.md5sums`: "HASH  relative/path" lines.
  std::vector<std::string> md5sums_files(const std::string& path, std::size_t& dropped) {
    std::vector<std::string> files;
    auto text = read(path);
    if (!text) return files;
    for (auto [n, line] : text::lines(*text, limits::kMaxPackageDbLines)) {
      (void)n;
      auto sp = line.find("  ");
      if (sp == std::string_view::npos) continue;
      std::string_view rel = text::trim(line.substr(sp + 2));
      if (rel.empty() || rel.size() > limits::kMaxPathLength) continue;
      if (files.size() >= limits::kMaxFilesPerPackage) {
        ++dropped;
        continue;
      }
      files.push_back(vfs::normalize_path(rel));
    }
    return files;
  }

  bool dpkg() {
    bool found = false;
    if (auto text = read("/var/lib/dpkg/status")) {
      found = true;
      dpkg_stanzas("/var/lib/dpkg/status", *text, false);
    }
    const std::string dir = "/var/lib/dpkg/status.d";
    if (auto st = v().stat(dir); st && st->is_dir()) {
      auto entries = v().readdir(dir);
      if (entries) {
        std::vector<std::string> names;
        for (const auto& e : *entries) {
          if (!e.name.ends_with(".md5sums")) names.push_back(e.name);
        }
        std::sort(names.begin(), names.end());
        if (names.size() > limits::kMaxPackagesPerDb) names.resize(limits::kMaxPackagesPerDb);
        for (const auto& name : names) {
          if (auto text = read(dir + "/" + name)) {
            found = true;
            dpkg_stanzas(dir + "/" + name, *text, true);
          }
        }
      }
    }
    return found;
  }

  bool opkg() {
    bool found = false;
    for (const std::string dir : {"/usr/lib/opkg", "/var/lib/opkg"}) {
      const std::string db_path = dir + "/status";
      auto text = read(db_path);
      if (!text) continue;
      // /var/lib/opkg may be a link to /usr/lib/opkg: one database read twice is one database.
      if (found && dir == "/var/lib/opkg") {
        auto a = v().resolve("/usr/lib/opkg/status"), b = v().resolve(db_path);
        if (a && b && *a == *b) continue;
      }
      found = true;
      auto db = parse_dpkg_status(*text);
      report(db_path, db.diagnostics);
      for (auto& p : db.packages) {
        Component c = base(p, "opkg", db_path);
        c.purl = make_purl("opkg", ns("openwrt"), p.name, p.version, {{"arch", p.arch}, {"distro", c.distro}});
        std::size_t dropped = 0;
        std::vector<std::string> listed;
        if (auto list = read(dir + "/info/" + p.name + ".list")) listed = parse_file_list(*list, dropped);
        if (dropped) diag(db_path, fmt::format("{}: {} more files than kept", p.name, dropped));
        owner.own(listed, c);
        out.components.push_back(std::move(c));
      }
    }
    return found;
  }

  bool apk() {
    const std::string db_path = "/lib/apk/db/installed";
    auto text = read(db_path);
    if (!text) return false;
    auto db = parse_apk_installed(*text);
    report(db_path, db.diagnostics);
    for (auto& p : db.packages) {
      Component c = base(p, "apk", db_path);
      c.purl = make_purl("apk", ns("alpine"), p.name, p.version, {{"arch", p.arch}, {"distro", c.distro}});
      if (p.files_dropped) diag(db_path, fmt::format("{}: {} more files than kept", p.name, p.files_dropped));
      owner.own(p.files, c);
      out.components.push_back(std::move(c));
    }
    return true;
  }

  bool rpm() {
    bool found = false;
    for (const std::string db_path : {"/var/lib/rpm/rpmdb.sqlite", "/usr/lib/sysimage/rpm/rpmdb.sqlite"}) {
      auto st = v().stat(db_path);
      if (!st || !st->is_regular()) continue;
      // Fedora links /var/lib/rpm to /usr/lib/sysimage/rpm: read the database once.
      if (found) {
        auto a = v().resolve("/var/lib/rpm/rpmdb.sqlite"), b = v().resolve(db_path);
        if (a && b && *a == *b) continue;
      }
      found = true;
      auto db = read_rpmdb(v(), db_path);
      if (!db) {
        diag(db_path, fmt::format("rpm database not read: {}", db.error().message));
        continue;
      }
      for (const auto& p : db->problems) diag(db_path, p);
      for (auto& p : db->packages) {
        Component c = base(p, "rpm", db_path);
        // purl-spec's rpm type: the version is VERSION-RELEASE, the epoch a qualifier.
        std::string_view ver = p.version;
        std::string epoch;
        if (auto colon = ver.find(':'); colon != std::string_view::npos) {
          epoch = std::string(ver.substr(0, colon));
          ver.remove_prefix(colon + 1);
        }
        c.purl =
            make_purl("rpm", ns("redhat"), p.name, ver, {{"arch", p.arch}, {"epoch", epoch}, {"distro", c.distro}});
        owner.own(p.files, c);
        out.components.push_back(std::move(c));
      }
    }
    return found;
  }

  void operating_system() {
    if (distro.id.empty()) return;
    Component c;
    c.name = distro.id;
    c.version = distro.version_id;
    c.ecosystem = "generic";
    c.distro = distro.purl_distro();
    c.found_by = "os-release";
    c.evidence.path = distro.path;
    if (distro.line) c.evidence.line = distro.line;
    c.evidence.observed = fmt::format("ID={} VERSION_ID={}", distro.id, distro.version_id);
    c.filesystem = inv.filesystems().at(fs).prefix;
    c.purl = make_purl("generic", "", distro.id, distro.version_id);
    c.ref = fmt::format("{}os/{}@{}", c.filesystem, distro.id, distro.version_id);
    out.components.push_back(std::move(c));
  }
};

}  // namespace

std::string Distro::purl_distro() const {
  if (id.empty()) return {};
  if (!version_id.empty()) {
    std::string v = version_id;
    // Alpine's VERSION_ID is the point release (3.19.1); its packages belong to the branch.
    if (id == "alpine") {
      auto first = v.find('.');
      auto second = first == std::string::npos ? std::string::npos : v.find('.', first + 1);
      if (second != std::string::npos) v.resize(second);
    }
    return id + "-" + v;
  }
  if (!codename.empty()) return id + "-" + codename;
  return id;
}

Distro read_distro(const inventory::Inventory& inv, std::uint32_t fs) {
  Distro d;
  const vfs::Vfs& v = inv.vfs(fs);
  for (const char* path : {"/etc/os-release", "/usr/lib/os-release"}) {
    auto text = v.read_file(path, limits::kMaxSmallConfigBytes);
    if (!text) continue;
    auto f = analyzers::os::parse_os_release(*text);
    auto get = [&](std::string_view key) {
      const auto* kv = f.find(key);
      return kv ? text::lower(text::trim(kv->value)) : std::string();
    };
    d.id = get("ID");
    d.version_id = get("VERSION_ID");
    d.codename = get("VERSION_CODENAME");
    if (const auto* kv = f.find("NAME")) d.name = kv->value;
    d.path = inv.display_path(fs, path);
    const auto* id = f.find("ID");
    d.line = id ? id->line : (f.entries.empty() ? 0 : f.entries.front().line);
    return d;
  }
  return d;
}

std::string purl_encode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (is_unreserved(c)) {
      out.push_back(c);
    } else {
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    }
  }
  return out;
}

std::string make_purl(std::string_view type, std::string_view ns, std::string_view name, std::string_view version,
                      std::vector<std::pair<std::string, std::string>> qualifiers) {
  std::string out = fmt::format("pkg:{}/", type);
  if (!ns.empty()) out += purl_encode(ns) + "/";
  out += purl_encode(name);
  if (!version.empty()) out += "@" + purl_encode(version);
  std::erase_if(qualifiers, [](const auto& q) { return q.second.empty(); });
  std::sort(qualifiers.begin(), qualifiers.end());
  char sep = '?';
  for (const auto& [k, v] : qualifiers) {
    out += sep;
    out += k + "=" + purl_encode(v);
    sep = '&';
  }
  return out;
}

PackageScan collect_packages(const inventory::Inventory& inv, std::uint32_t fs) {
  PackageScan out;
  if (!inv.filesystems().at(fs).vfs) return out;
  const Distro distro = read_distro(inv, fs);
  Reader r{inv, fs, distro, out};
  const bool dpkg = r.dpkg();
  const bool opkg = r.opkg();
  const bool apk = r.apk();
  const bool rpm = r.rpm();
  if (!dpkg && !opkg && !apk && !rpm) r.operating_system();
  return out;
}

}  // namespace fwcert::sbom
