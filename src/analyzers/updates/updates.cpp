#include "analyzers/updates/updates.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <tuple>

#include "analyzers/updates/parse.hpp"
#include "core/limits.hpp"
#include "core/text.hpp"

namespace fwcert::analyzers::updates {

namespace {

using text::lower;

constexpr std::string_view kAgentCheck = "upd-agent-present";
constexpr std::string_view kRaucCheck = "upd-rauc-signature";
constexpr std::string_view kSwupdateCheck = "upd-swupdate-signature";
constexpr std::string_view kMenderCheck = "upd-mender-signature";
constexpr std::string_view kOstreeCheck = "upd-ostree-signature";
constexpr std::string_view kAndroidCheck = "upd-android-ota-keys";
constexpr std::string_view kFeedsCheck = "upd-package-feeds";
constexpr std::string_view kScriptsCheck = "upd-custom-scripts";
constexpr std::string_view kTransportCheck = "upd-transport";
constexpr std::string_view kSecuritySourceCheck = "upd-security-source";
constexpr std::string_view kAutoCheck = "upd-auto-check";
constexpr std::string_view kChecks[] = {kAgentCheck,     kRaucCheck,           kSwupdateCheck, kMenderCheck,
                                        kOstreeCheck,    kAndroidCheck,        kFeedsCheck,    kScriptsCheck,
                                        kTransportCheck, kSecuritySourceCheck, kAutoCheck};

/// A file of the target: filesystem and canonical path.
struct File {
  std::uint32_t fs = 0;
  std::string path;
};

/// Reads the files of the target this analyzer needs, once.
class Target {
 public:
  explicit Target(const inventory::Inventory& inv) : inv_(inv) {}
  /// Entries at exactly `path` in any filesystem.
  std::vector<File> at_path(std::string_view path) const {
    std::vector<File> out;
    for (std::uint32_t i = 0; i < inv_.filesystems().size(); ++i) {
      if (inv_.filesystems()[i].vfs && inv_.find(i, std::string(path))) out.push_back({i, std::string(path)});
    }
    return out;
  }
  /// Regular files directly under `dir` whose name ends in `suffix`.
  std::vector<File> in_dir(std::string_view dir, std::string_view suffix) const {
    std::vector<File> out;
    std::string prefix = std::string(dir) + "/";
    for (const auto& e : inv_.entries()) {
      if (!e.st.is_regular() || !e.path.starts_with(prefix) || !e.path.ends_with(suffix)) continue;
      if (e.path.find('/', prefix.size()) != std::string::npos) continue;
      out.push_back({e.filesystem, e.path});
    }
    return out;
  }
  bool exists(std::string_view path) const { return !at_path(path).empty(); }
  std::optional<std::string> read(const File& f) const {
    auto r = inv_.vfs(f.fs).read_file(f.path, limits::kMaxConfigFileBytes);
    if (!r.ok()) return std::nullopt;
    return std::move(r.value());
  }
  /// Resolves and stats a path named inside the target (following links); true for a
  /// non-empty regular file in the same filesystem.
  bool has_file(std::uint32_t fs, const std::string& path) const {
    auto st = inv_.vfs(fs).stat(path);
    return st.ok() && st->is_regular() && st->size > 0;
  }
  std::string shown(const File& f) const { return inv_.display_path(f.fs, f.path); }
  const inventory::Inventory& inv() const { return inv_; }

 private:
  const inventory::Inventory& inv_;
};

/// Update URLs seen by any agent, for upd-transport.
struct Url {
  std::string url;
  Evidence where;
  bool insecure_flag = false;  ///< certificate checks explicitly off
  /// The package manager verifies a signed index of what it downloads (apt's InRelease or
  /// Release.gpg against its keyring, opkg's Packages.sig with usign), and each package against
  /// the checksum in that index: cleartext then costs privacy, not integrity.
  bool signed_index = false;
};

/// One apt configuration value in effect, and where it was set.
struct AptValue {
  std::string value;
  Evidence where;
};

/// The apt configuration in effect: /etc/apt/apt.conf.d/* in name order, then
/// /etc/apt/apt.conf, a later assignment overriding an earlier one (keys compared without
/// case, as apt does).
class AptConfig {
 public:
  void add(const std::string& shown, const std::vector<AptOption>& options) {
    for (const auto& o : options) {
      std::string key = lower(o.key);
      if (o.clear) {
        for (auto it = values_.lower_bound(key); it != values_.end() && it->first.starts_with(key);)
          it = values_.erase(it);
        continue;
      }
      values_[key] = {o.value, at(shown, o.line, fmt::format("{} \"{}\"", o.key, o.value))};
    }
  }
  const AptValue* find(std::string_view key) const {
    auto it = values_.find(lower(key));
    return it == values_.end() ? nullptr : &it->second;
  }

 private:
  std::map<std::string, AptValue> values_;
};

/// A line of an apt source list that downloads binary packages.
struct AptSource {
  File file;
  Feed feed;
};

struct State {
  std::vector<Evidence> agents;
  std::vector<Url> urls;
  std::vector<AptSource> apt_sources;
  AptConfig apt_config;
  bool opkg_feeds = false;
};

bool is_cleartext(std::string_view url) {
  return url.starts_with("http://") || url.starts_with("ftp://") || url.starts_with("tftp://");
}

// --- RAUC --------------------------------------------------------------------------------

void check_rauc(const Target& t, State& st, Output& out) {
  auto confs = t.at_path("/etc/rauc/system.conf");
  if (confs.empty()) confs = t.at_path("/usr/lib/rauc/system.conf");
  if (confs.empty()) {
    out.findings.push_back(
        finding(kRaucCheck, Status::kNotApplicable, "rauc", "RAUC is not installed (no system.conf)"));
    return;
  }
  for (const auto& f : confs) {
    std::string shown = t.shown(f);
    st.agents.push_back(at(shown, 0, "RAUC"));
    auto text = t.read(f);
    if (!text) continue;
    auto ini = parse_ini(*text);
    const IniSection* keyring = nullptr;
    const IniSection* system = nullptr;
    for (const auto& s : ini) {
      if (s.name == "keyring") keyring = &s;
      if (s.name == "system") system = &s;
    }
    std::vector<Evidence> bad, warn, ok;
    const IniEntry* path = keyring ? keyring->find("path") : nullptr;
    const IniEntry* dir = keyring ? keyring->find("directory") : nullptr;
    if (!path && !dir) {
      bad.push_back(at(shown, keyring ? keyring->line : 0, "no [keyring] path or directory",
                       "[keyring] path=<production CA certificate>"));
    }
    for (const IniEntry* e : {path, dir}) {
      if (!e) continue;
      std::string p = e->value.starts_with("/") ? e->value : "/etc/rauc/" + e->value;
      bool present = e == path ? t.has_file(f.fs, p) : t.inv().vfs(f.fs).stat(p).ok();
      Evidence ev = at(shown, e->line, fmt::format("[keyring] {}={}", e->key, e->value),
                       "an existing, non-empty keyring in the image");
      if (!present) {
        ev.observed += " (missing or empty in the image)";
        bad.push_back(std::move(ev));
        continue;
      }
      if (e == path) {
        auto kr = t.read({f.fs, p});
        if (kr && kr->find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
          ev.observed += " (holds no PEM certificate)";
          bad.push_back(std::move(ev));
          continue;
        }
        if (kr) {
          std::string l = lower(*kr);
          if (l.find("example") != std::string::npos || l.find("test org") != std::string::npos) {
            warn.push_back(at(t.shown({f.fs, p}), 0, "keyring text names an example or test organisation",
                              "the production CA only"));
          }
        }
      }
      ok.push_back(std::move(ev));
    }
    if (keyring) {
      if (const auto* pc = keyring->find("allow-partial-chain"); pc && lower(pc->value) == "true") {
        warn.push_back(
            at(shown, pc->line, "allow-partial-chain=true", "allow-partial-chain=false (trust the root CA only)"));
      }
    }
    if (system) {
      if (const auto* bf = system->find("bundle-formats")) {
        auto v = " " + bf->value + " ";
        if (v.find(" plain ") != std::string::npos || v.find(" +plain ") != std::string::npos) {
          warn.push_back(at(shown, bf->line, "bundle-formats=" + bf->value,
                            "verity or crypt bundles only (-plain): plain bundles are verified only at install time"));
        }
      }
    }
    if (!bad.empty()) {
      out.findings.push_back(finding(kRaucCheck, Status::kFail, shown,
                                     "RAUC has no usable keyring to verify bundles against", std::move(bad)));
    } else if (!warn.empty()) {
      warn.insert(warn.begin(), ok.begin(), ok.end());
      out.findings.push_back(finding(kRaucCheck, Status::kWarn, shown,
                                     "RAUC verifies bundles against its keyring, with risky options", std::move(warn)));
    } else {
      out.findings.push_back(finding(kRaucCheck, Status::kPass, shown,
                                     "RAUC verifies bundles against the keyring shipped in the image", std::move(ok)));
    }
  }
}

// --- SWUpdate ----------------------------------------------------------------------------

void check_swupdate(const Target& t, State& st, Output& out) {
  std::vector<File> bins;
  for (const char* p : {"/usr/bin/swupdate", "/usr/sbin/swupdate", "/bin/swupdate", "/sbin/swupdate"}) {
    auto b = t.at_path(p);
    bins.insert(bins.end(), b.begin(), b.end());
  }
  auto cfgs = t.at_path("/etc/swupdate.cfg");
  auto cfg2 = t.at_path("/etc/swupdate/swupdate.cfg");
  cfgs.insert(cfgs.end(), cfg2.begin(), cfg2.end());
  if (bins.empty() && cfgs.empty()) {
    out.findings.push_back(finding(kSwupdateCheck, Status::kNotApplicable, "swupdate", "SWUpdate is not installed"));
    return;
  }
  std::string subject = t.shown(bins.empty() ? cfgs.front() : bins.front());
  st.agents.push_back(at(subject, 0, "SWUpdate"));
  std::vector<Evidence> ev;
  std::optional<bool> signed_support;
  for (const auto& b : bins) {
    auto st2 = t.inv().vfs(b.fs).stat(b.path);
    if (!st2.ok() || st2->size > limits::kMaxConfigFileBytes) continue;
    if (auto bytes = t.read(b)) {
      // Built with CONFIG_SIGNED_IMAGES, SWUpdate looks for sw-description.sig.
      signed_support = bytes->find("sw-description.sig") != std::string::npos;
      ev.push_back(at(t.shown(b), 0,
                      *signed_support ? "binary handles sw-description.sig (CONFIG_SIGNED_IMAGES)"
                                      : "binary has no sw-description.sig handling",
                      "CONFIG_SIGNED_IMAGES=y"));
    }
  }
  // The key: public-key-file in swupdate.cfg, or -k/--key in the arguments it is started with.
  bool key = false;
  for (const auto& c : cfgs) {
    auto text = t.read(c);
    if (!text) continue;
    for (const auto& p : parse_libconfig_pairs(*text)) {
      if (p.key == "public-key-file") {
        key = true;
        ev.push_back(at(t.shown(c), p.line, "public-key-file = " + p.value));
      } else if (p.key == "url" && p.value.find("://") != std::string::npos) {
        st.urls.push_back({p.value, at(t.shown(c), p.line, "suricatta url = " + p.value), false});
      } else if (p.key == "no-downgrading") {
        ev.push_back(at(t.shown(c), p.line, "no-downgrading = " + p.value));
      }
    }
  }
  std::vector<File> launchers;
  for (const char* dir : {"/lib/systemd/system", "/usr/lib/systemd/system", "/etc/systemd/system"}) {
    for (auto& f : t.in_dir(dir, ".service")) {
      if (f.path.find("swupdate") != std::string::npos) launchers.push_back(f);
    }
  }
  for (const char* p : {"/etc/default/swupdate", "/etc/init.d/swupdate", "/usr/lib/swupdate/swupdate.sh"}) {
    auto f = t.at_path(p);
    launchers.insert(launchers.end(), f.begin(), f.end());
  }
  for (const char* dir : {"/usr/lib/swupdate/conf.d", "/etc/swupdate/conf.d"}) {
    auto f = t.in_dir(dir, "");
    launchers.insert(launchers.end(), f.begin(), f.end());
  }
  for (const auto& l : launchers) {
    auto text = t.read(l);
    if (!text) continue;
    for (auto [line, ln] : text::lines(*text)) {
      if (ln.starts_with("#")) continue;
      if (ln.find(" -k ") != std::string_view::npos || ln.find("--key") != std::string_view::npos ||
          ln.find("-k\t") != std::string_view::npos) {
        key = true;
        ev.push_back(at(t.shown(l), line, std::string(ln.substr(0, 200))));
      }
    }
  }
  if (signed_support && !*signed_support) {
    out.findings.push_back(finding(kSwupdateCheck, Status::kFail, subject,
                                   "SWUpdate is built without signed-image support: it installs unsigned images",
                                   std::move(ev)));
  } else if (!key) {
    ev.push_back(at(subject, 0, "no -k/--key argument and no public-key-file",
                    "SWUpdate started with the production public key"));
    out.findings.push_back(finding(kSwupdateCheck, Status::kFail, subject,
                                   "SWUpdate is not given a public key, so it cannot verify what it installs",
                                   std::move(ev)));
  } else if (!signed_support) {
    out.findings.push_back(
        finding(kSwupdateCheck, Status::kInconclusive, subject,
                "SWUpdate is given a public key, but its binary was not found to confirm signed-image "
                "support",
                std::move(ev)));
  } else {
    out.findings.push_back(finding(kSwupdateCheck, Status::kPass, subject,
                                   "SWUpdate is built with signed-image support and started with a public key",
                                   std::move(ev)));
  }
}

// --- Mender ------------------------------------------------------------------------------

void check_mender(const Target& t, State& st, Output& out) {
  std::vector<File> confs;
  for (const char* p : {"/etc/mender/mender.conf", "/var/lib/mender/mender.conf", "/data/mender/mender.conf"}) {
    auto f = t.at_path(p);
    confs.insert(confs.end(), f.begin(), f.end());
  }
  if (confs.empty()) {
    out.findings.push_back(finding(kMenderCheck, Status::kNotApplicable, "mender", "Mender is not installed"));
    return;
  }
  std::string subject = t.shown(confs.front());
  st.agents.push_back(at(subject, 0, "Mender"));
  std::vector<Evidence> bad, ok;
  bool have_key = false;
  for (const auto& c : confs) {
    auto text = t.read(c);
    if (!text) continue;
    auto j = nlohmann::json::parse(*text, nullptr, false);
    std::string shown = t.shown(c);
    if (j.is_discarded() || !j.is_object()) {
      out.diagnostics.push_back({Diagnostic::Level::kWarning, shown, "not valid JSON"});
      continue;
    }
    auto key_file = [&](const std::string& p) {
      bool exists = t.has_file(c.fs, p);
      (exists ? ok : bad)
          .push_back(at(shown, 0, fmt::format("ArtifactVerifyKey {}{}", p, exists ? "" : " (missing in the image)"),
                        "an existing production public key"));
      have_key = have_key || exists;
    };
    if (auto it = j.find("ArtifactVerifyKey"); it != j.end() && it->is_string() && !it->get<std::string>().empty()) {
      key_file(it->get<std::string>());
    }
    if (auto it = j.find("ArtifactVerifyKeys"); it != j.end() && it->is_array()) {
      for (const auto& k : *it) {
        if (k.is_string()) key_file(k.get<std::string>());
      }
    }
    if (auto it = j.find("SkipVerify"); it != j.end() && it->is_boolean() && it->get<bool>()) {
      bad.push_back(at(shown, 0, "SkipVerify: true", "SkipVerify absent or false (verify the server certificate)"));
    }
    auto add_url = [&](const std::string& u) {
      st.urls.push_back({u, at(shown, 0, "ServerURL " + u), false});
      if (is_cleartext(u)) bad.push_back(at(shown, 0, "ServerURL " + u, "an https:// server URL"));
    };
    if (auto it = j.find("ServerURL"); it != j.end() && it->is_string()) add_url(it->get<std::string>());
    if (auto it = j.find("Servers"); it != j.end() && it->is_array()) {
      for (const auto& s : *it) {
        if (s.is_object() && s.contains("ServerURL") && s["ServerURL"].is_string())
          add_url(s["ServerURL"].get<std::string>());
      }
    }
  }
  if (!have_key) {
    bad.push_back(at(subject, 0, "no ArtifactVerifyKey(s) set", "ArtifactVerifyKey naming the production public key"));
  }
  if (!bad.empty()) {
    out.findings.push_back(finding(kMenderCheck, Status::kFail, subject,
                                   have_key ? "the Mender client verifies artifacts but not its server"
                                            : "the Mender client installs unsigned artifacts (no verification key)",
                                   std::move(bad)));
  } else {
    out.findings.push_back(finding(kMenderCheck, Status::kPass, subject,
                                   "the Mender client verifies artifact signatures and its server certificate",
                                   std::move(ok)));
  }
}

// --- OSTree ------------------------------------------------------------------------------

void check_ostree(const Target& t, State& st, Output& out) {
  std::vector<File> remotes = t.in_dir("/etc/ostree/remotes.d", ".conf");
  auto more = t.in_dir("/usr/etc/ostree/remotes.d", ".conf");
  remotes.insert(remotes.end(), more.begin(), more.end());
  for (const char* p : {"/ostree/repo/config", "/sysroot/ostree/repo/config"}) {
    auto f = t.at_path(p);
    remotes.insert(remotes.end(), f.begin(), f.end());
  }
  if (remotes.empty()) {
    out.findings.push_back(finding(kOstreeCheck, Status::kNotApplicable, "ostree", "no OSTree remote is configured"));
    return;
  }
  for (const auto& r : remotes) {
    std::string shown = t.shown(r);
    auto text = t.read(r);
    if (!text) continue;
    std::vector<Evidence> bad, ok;
    for (const auto& s : parse_ini(*text)) {
      if (!s.name.starts_with("remote ")) continue;
      st.agents.push_back(at(shown, s.line, "OSTree " + s.name));
      const auto* gpg = s.find("gpg-verify");
      const auto* sign = s.find("sign-verify");
      if (const auto* url = s.find("url"))
        st.urls.push_back({url->value, at(shown, url->line, "url=" + url->value), false});
      bool gpg_off = gpg && lower(gpg->value) == "false";
      bool sign_on = sign && lower(sign->value) != "false";
      if (gpg_off && !sign_on) {
        bad.push_back(
            at(shown, gpg->line, fmt::format("[{}] gpg-verify=false", s.name), "gpg-verify=true or sign-verify set"));
      } else {
        ok.push_back(at(shown, gpg ? gpg->line : s.line,
                        fmt::format("[{}] {}", s.name,
                                    sign_on ? "sign-verify=" + sign->value
                                            : (gpg ? "gpg-verify=" + gpg->value : "gpg-verify default (true)"))));
      }
    }
    if (!bad.empty()) {
      out.findings.push_back(finding(kOstreeCheck, Status::kFail, shown,
                                     "an OSTree remote is pulled without signature verification", std::move(bad)));
    } else if (!ok.empty()) {
      out.findings.push_back(
          finding(kOstreeCheck, Status::kPass, shown, "every OSTree remote verifies commit signatures", std::move(ok)));
    }
  }
}

// --- Android OTA -------------------------------------------------------------------------

void check_android(const Target& t, State& st, Output& out) {
  std::vector<File> props;
  for (const char* p : {"/system/build.prop", "/build.prop", "/system/system/build.prop"}) {
    auto f = t.at_path(p);
    props.insert(props.end(), f.begin(), f.end());
  }
  auto otacerts = t.at_path("/system/etc/security/otacerts.zip");
  auto payload_key = t.at_path("/system/etc/update_engine/update-payload-key.pub.pem");
  if (props.empty() && otacerts.empty() && payload_key.empty()) {
    out.findings.push_back(finding(kAndroidCheck, Status::kNotApplicable, "android", "not an Android build"));
    return;
  }
  for (const auto& f : otacerts) st.agents.push_back(at(t.shown(f), 0, "Android OTA (recovery/update_engine)"));
  for (const auto& f : payload_key) st.agents.push_back(at(t.shown(f), 0, "Android update_engine payload key"));
  std::vector<Evidence> bad, warn, ok;
  for (const auto& p : props) {
    auto text = t.read(p);
    if (!text) continue;
    for (auto [line, ln] : text::lines(*text)) {
      if (ln.starts_with("ro.build.tags=")) {
        std::string v(ln.substr(14));
        (v.find("test-keys") != std::string::npos || v.find("dev-keys") != std::string::npos ? bad : ok)
            .push_back(at(t.shown(p), line, std::string(ln), "ro.build.tags=release-keys"));
      } else if (ln.starts_with("ro.build.type=")) {
        std::string v(ln.substr(14));
        (v == "user" ? ok : warn).push_back(at(t.shown(p), line, std::string(ln), "ro.build.type=user"));
      }
    }
  }
  // otacerts.zip opened as a nested filesystem: the certificate names it holds.
  const auto& inv = t.inv();
  for (std::uint32_t i = 0; i < inv.filesystems().size(); ++i) {
    if (!inv.filesystems()[i].container.ends_with("otacerts.zip")) continue;
    for (const auto& e : inv.entries()) {
      if (e.filesystem != i || !e.st.is_regular()) continue;
      std::string name(vfs::base_name(e.path));
      if (name.starts_with("testkey") || name.find("test") != std::string::npos) {
        bad.push_back(at(inv.display_path(e), 0, "OTA certificate " + name, "release keys only"));
      } else {
        ok.push_back(at(inv.display_path(e), 0, "OTA certificate " + name));
      }
    }
  }
  std::string subject =
      props.empty() ? t.shown(otacerts.empty() ? payload_key.front() : otacerts.front()) : t.shown(props.front());
  if (!bad.empty()) {
    out.findings.push_back(finding(kAndroidCheck, Status::kFail, subject,
                                   "the build is signed with test keys, which anyone can use to sign an OTA",
                                   std::move(bad)));
  } else if (!warn.empty()) {
    warn.insert(warn.end(), ok.begin(), ok.end());
    out.findings.push_back(finding(kAndroidCheck, Status::kWarn, subject, "not a user build", std::move(warn)));
  } else if (!ok.empty()) {
    out.findings.push_back(
        finding(kAndroidCheck, Status::kPass, subject, "a user build signed with release keys", std::move(ok)));
  } else {
    out.findings.push_back(
        finding(kAndroidCheck, Status::kInconclusive, subject, "no ro.build.tags or OTA certificate names were found"));
  }
}

// --- package feeds -----------------------------------------------------------------------

/// True for a file name apt reads from apt.conf.d: letters, digits, '_', '-' and '.', and no
/// extension other than ".conf" (apt skips "*.dpkg-old", "*.ucf-dist", "*.disabled", ...).
bool apt_reads_part(std::string_view name) {
  if (name.empty() || name.front() == '.') return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') return false;
  }
  auto dot = name.rfind('.');
  return dot == std::string_view::npos || name.substr(dot) == ".conf";
}

void read_apt_config(const Target& t, AptConfig& config) {
  std::vector<File> files = t.in_dir("/etc/apt/apt.conf.d", "");
  std::erase_if(files, [](const File& f) { return !apt_reads_part(vfs::base_name(f.path)); });
  std::sort(files.begin(), files.end(),
            [](const File& a, const File& b) { return std::tie(a.fs, a.path) < std::tie(b.fs, b.path); });
  auto main = t.at_path("/etc/apt/apt.conf");
  files.insert(files.end(), main.begin(), main.end());
  for (const auto& f : files) {
    if (auto text = t.read(f)) config.add(t.shown(f), parse_apt_conf(*text));
  }
}

void check_feeds(const Target& t, State& st, Output& out) {
  std::vector<Evidence> bad, ok;
  bool any = false;
  // opkg: feeds in /etc/opkg/*.conf and /etc/opkg.conf; check_signature may be in any of them.
  std::vector<File> opkg = t.in_dir("/etc/opkg", ".conf");
  auto main = t.at_path("/etc/opkg.conf");
  opkg.insert(opkg.end(), main.begin(), main.end());
  std::vector<std::pair<File, Feed>> opkg_feeds;
  std::optional<Evidence> check_sig;
  for (const auto& f : opkg) {
    auto text = t.read(f);
    if (!text) continue;
    auto c = parse_opkg_conf(*text);
    for (const auto& feed : c.feeds) opkg_feeds.emplace_back(f, feed);
    if (c.check_signature) check_sig = at(t.shown(f), c.check_signature_line, "option check_signature");
  }
  for (const auto& [f, feed] : opkg_feeds) {
    any = true;
    Evidence e = at(t.shown(f), feed.line, "opkg feed " + feed.url, "option check_signature");
    st.urls.push_back({feed.url, e, false, check_sig.has_value()});
    (check_sig ? ok : bad).push_back(std::move(e));
  }
  st.opkg_feeds = !opkg_feeds.empty();
  if (!opkg_feeds.empty()) {
    st.agents.push_back(at(t.shown(opkg_feeds.front().first), 0, "opkg feeds"));
    if (check_sig) ok.push_back(*check_sig);
  }
  // apt: the configuration first (it can turn signature checks off for every source), then
  // sources.list, sources.list.d/*.list and *.sources.
  read_apt_config(t, st.apt_config);
  std::vector<Evidence> apt_insecure;
  for (std::string_view key : {"APT::Get::AllowUnauthenticated", "Acquire::AllowInsecureRepositories",
                               "Acquire::AllowDowngradeToInsecureRepositories"}) {
    if (const AptValue* v = st.apt_config.find(key); v && apt_true(v->value)) {
      Evidence e = v->where;
      e.expected = "unauthenticated packages refused";
      apt_insecure.push_back(std::move(e));
    }
  }
  std::vector<std::pair<File, bool>> apt;
  for (const auto& f : t.at_path("/etc/apt/sources.list")) apt.emplace_back(f, false);
  for (const auto& f : t.in_dir("/etc/apt/sources.list.d", ".list")) apt.emplace_back(f, false);
  for (const auto& f : t.in_dir("/etc/apt/sources.list.d", ".sources")) apt.emplace_back(f, true);
  for (const auto& [f, deb822] : apt) {
    auto text = t.read(f);
    if (!text) continue;
    for (const auto& feed : parse_apt_sources(*text, deb822)) {
      any = true;
      if (!feed.source_only) st.apt_sources.push_back({f, feed});
      Evidence e = at(t.shown(f), feed.line, "apt source " + feed.url, "signed by a key apt trusts");
      bool unsigned_feed = feed.trusted_without_signature || feed.allow_insecure || !apt_insecure.empty();
      st.urls.push_back({feed.url, e, false, !unsigned_feed});
      if (feed.trusted_without_signature || feed.allow_insecure) {
        e.observed += feed.trusted_without_signature ? (deb822 ? " (Trusted: yes)" : " ([trusted=yes])")
                                                     : (deb822 ? " (Allow-Insecure: yes)" : " ([allow-insecure=yes])");
        bad.push_back(std::move(e));
      } else {
        ok.push_back(std::move(e));
      }
    }
  }
  if (!apt.empty()) st.agents.push_back(at(t.shown(apt.front().first), 0, "apt sources"));
  if (!apt_insecure.empty()) {
    any = true;
    bad.insert(bad.end(), apt_insecure.begin(), apt_insecure.end());
  }
  if (!any) {
    out.findings.push_back(
        finding(kFeedsCheck, Status::kNotApplicable, "packages", "no opkg or apt network feed is configured"));
  } else if (!bad.empty()) {
    std::string first = bad.front().path;
    out.findings.push_back(finding(kFeedsCheck, Status::kFail, first,
                                   "packages from network feeds are installed without signature checks",
                                   std::move(bad)));
  } else {
    std::string first = ok.front().path;
    out.findings.push_back(
        finding(kFeedsCheck, Status::kPass, first, "every package feed is signature-checked", std::move(ok)));
  }
}

// --- custom scripts ----------------------------------------------------------------------

void check_scripts(const Target& t, State& st, Output& out) {
  const auto& inv = t.inv();
  std::size_t update_paths = 0;
  for (const auto& e : inv.entries()) {
    if (!e.st.is_regular() || e.hardlink_secondary) continue;
    bool script = e.kind == inventory::Kind::kScript || (e.kind == inventory::Kind::kText && e.path.ends_with(".sh"));
    if (!script || e.st.size > (1u << 20)) continue;
    auto text = inv.vfs(e.filesystem).read_file(e.path, 1u << 20);
    if (!text.ok()) continue;
    auto s = scan_update_script(text.value());
    if (!s.is_update_path()) continue;
    ++update_paths;
    std::string shown = inv.display_path(e);
    st.agents.push_back(at(shown, 0, "custom update script"));
    for (const auto& d : s.downloads) {
      auto p = d.text.find("://");
      std::string url;
      if (p != std::string::npos) {
        auto b = d.text.rfind(' ', p);
        b = b == std::string::npos ? 0 : b + 1;
        url = d.text.substr(b, d.text.find_first_of(" \"'", p) - b);
        while (!url.empty() && (url.front() == '"' || url.front() == '\'')) url.erase(url.begin());
      }
      bool insecure =
          std::any_of(s.insecure.begin(), s.insecure.end(), [&](const ScriptLine& x) { return x.line == d.line; });
      st.urls.push_back({url.empty() ? d.text : url, at(shown, d.line, d.text), insecure});
    }
    std::vector<Evidence> ev;
    for (const auto& f : s.flashes) ev.push_back(at(shown, f.line, f.text, "a signature check on the bytes flashed"));
    for (const auto& d : s.downloads) ev.push_back(at(shown, d.line, d.text));
    if (s.verifies.empty()) {
      out.findings.push_back(finding(kScriptsCheck, Status::kFail, shown,
                                     "the script downloads and flashes without verifying a signature", std::move(ev)));
    } else {
      std::vector<Evidence> vev;
      for (const auto& v : s.verifies) vev.push_back(at(shown, v.line, v.text));
      vev.insert(vev.end(), ev.begin(), ev.end());
      out.findings.push_back(finding(kScriptsCheck, s.insecure.empty() ? Status::kPass : Status::kWarn, shown,
                                     s.insecure.empty()
                                         ? "the script verifies a signature before flashing"
                                         : "the script verifies a signature, but downloads over cleartext or without "
                                           "certificate checks",
                                     std::move(vev)));
    }
  }
  if (!update_paths) {
    out.findings.push_back(
        finding(kScriptsCheck, Status::kNotApplicable, "scripts", "no script both downloads and writes flash"));
  }
}

void check_transport(State& st, Output& out) {
  if (st.urls.empty()) {
    out.findings.push_back(finding(kTransportCheck, Status::kInconclusive, "updates",
                                   "no update server URL was found in any update agent, feed or script"));
    return;
  }
  std::vector<Evidence> bad, signed_cleartext, ok;
  for (auto& u : st.urls) {
    Evidence e = u.where;
    e.expected = "https:// with certificate validation";
    if (u.insecure_flag || (is_cleartext(u.url) && !u.signed_index)) {
      bad.push_back(std::move(e));
    } else if (is_cleartext(u.url)) {
      e.observed += " (cleartext; the index it downloads is signed)";
      signed_cleartext.push_back(std::move(e));
    } else {
      ok.push_back(std::move(e));
    }
  }
  const bool cleartext_unsigned = !bad.empty(), cleartext_signed = !signed_cleartext.empty();
  if (cleartext_unsigned) {
    std::string first = bad.front().path;
    std::size_t count = bad.size();  // read before the evidence moves into the finding
    out.findings.push_back(finding(kTransportCheck, Status::kFail, first,
                                   fmt::format("{} update download(s) over cleartext without a signature check, or "
                                               "with certificate checks off",
                                               count),
                                   std::move(bad)));
  }
  if (cleartext_signed) {
    std::string first = signed_cleartext.front().path;
    std::size_t count = signed_cleartext.size();
    bool opkg = std::any_of(signed_cleartext.begin(), signed_cleartext.end(),
                            [](const Evidence& e) { return e.observed.starts_with("opkg"); });
    bool apt = std::any_of(signed_cleartext.begin(), signed_cleartext.end(),
                           [](const Evidence& e) { return e.observed.starts_with("apt"); });
    std::string how = apt && opkg ? "apt checks InRelease/Release.gpg against its keyring, opkg checks Packages.sig"
                      : opkg      ? "opkg checks Packages.sig with usign"
                                  : "apt checks InRelease/Release.gpg against its keyring";
    Finding f = finding(kTransportCheck, Status::kWarn, first,
                        fmt::format("{} package source(s) over cleartext http whose index is signed ({}): integrity "
                                    "comes from the signed Release file and the checksums in it, so the cleartext "
                                    "only leaks which packages are fetched (and lets an observer hold updates back)",
                                    count, how),
                        std::move(signed_cleartext));
    f.severity = Severity::kLow;
    f.severity_override = true;
    out.findings.push_back(std::move(f));
  }
  if (!cleartext_unsigned && !cleartext_signed) {
    std::string first = ok.front().path;
    std::size_t count = ok.size();
    out.findings.push_back(finding(kTransportCheck, Status::kPass, first,
                                   fmt::format("{} update URL(s), all https", count), std::move(ok)));
  }
}

// --- security-update source ----------------------------------------------------------------

/// How a release names the suite its security fixes are published in.
enum class SecurityNaming { kUnknown, kSlashUpdates, kDashSecurity, kEither, kNone };

/// Debian before 11 publishes security fixes as "<codename>/updates", Debian 11 and later and
/// every Ubuntu release as "<codename>-security"; the stable aliases were renamed with
/// bullseye, so either form may name them. Unstable has no security suite at all.
SecurityNaming security_naming(std::string_view codename, std::string_view os_id, std::string_view os_codename) {
  static constexpr std::string_view kDebianOld[] = {"buzz",    "rex",    "bo",     "hamm",    "slink",
                                                    "potato",  "woody",  "sarge",  "etch",    "lenny",
                                                    "squeeze", "wheezy", "jessie", "stretch", "buster"};
  static constexpr std::string_view kDebianNew[] = {"bullseye", "bookworm", "trixie", "forky", "duke"};
  static constexpr std::string_view kUbuntu[] = {
      "trusty", "xenial",  "bionic", "cosmic", "disco", "eoan",     "focal",  "groovy",   "hirsute", "impish",
      "jammy",  "kinetic", "lunar",  "mantic", "noble", "oracular", "plucky", "questing", "resolute"};
  auto in = [&](auto& list) { return std::find(std::begin(list), std::end(list), codename) != std::end(list); };
  if (in(kDebianOld)) return SecurityNaming::kSlashUpdates;
  if (in(kDebianNew) || in(kUbuntu)) return SecurityNaming::kDashSecurity;
  if (codename == "stable" || codename == "oldstable" || codename == "oldoldstable" || codename == "testing")
    return SecurityNaming::kEither;
  if (codename == "sid" || codename == "unstable" || codename == "experimental" || codename == "rc-buggy")
    return SecurityNaming::kNone;
  // A release newer than this table: trust os-release to say whose it is.
  if (!os_codename.empty() && codename == os_codename && (os_id == "debian" || os_id == "ubuntu"))
    return SecurityNaming::kDashSecurity;
  return SecurityNaming::kUnknown;
}

/// ID and VERSION_CODENAME of /etc/os-release (or /usr/lib/os-release).
std::pair<std::string, std::string> os_release(const Target& t) {
  for (const char* p : {"/etc/os-release", "/usr/lib/os-release"}) {
    for (const auto& f : t.at_path(p)) {
      auto text = t.read(f);
      if (!text) continue;
      std::string id, codename;
      for (auto [n, line] : text::lines(*text)) {
        std::string_view l = text::trim(line);
        if (l.starts_with("ID=")) id = lower(text::unquote(l.substr(3)));
        if (l.starts_with("VERSION_CODENAME=")) codename = lower(text::unquote(l.substr(17)));
      }
      return {id, codename};
    }
  }
  return {};
}

void check_security_source(const Target& t, const State& st, Output& out) {
  if (st.apt_sources.empty()) {
    std::vector<std::string> others;
    if (st.opkg_feeds) others.emplace_back("opkg feeds (OpenWrt publishes fixes in the release feeds themselves)");
    if (t.exists("/etc/apk/repositories")) others.emplace_back("apk repositories (/etc/apk/repositories)");
    if (t.exists("/etc/yum.repos.d") || t.exists("/etc/dnf/dnf.conf")) others.emplace_back("yum/dnf repositories");
    if (t.exists("/etc/zypp/repos.d")) others.emplace_back("zypper repositories");
    if (others.empty()) {
      out.findings.push_back(
          finding(kSecuritySourceCheck, Status::kNotApplicable, "packages", "no package manager source is configured"));
    } else {
      out.findings.push_back(
          finding(kSecuritySourceCheck, Status::kInconclusive, "packages",
                  fmt::format("security-update sources are judged for apt only; found {}", text::join(others, ", "))));
    }
    return;
  }
  auto [os_id, os_codename] = os_release(t);
  // Release suites and security suites by codename, each with where it is named.
  std::map<std::string, std::vector<Evidence>> releases;
  std::map<std::string, std::vector<std::pair<std::string, Evidence>>> security;  // codename -> (suite, where)
  std::vector<std::string> unjudged;
  for (const auto& s : st.apt_sources) {
    for (const auto& suite : s.feed.suites) {
      std::string shown_line = s.feed.text.empty() ? fmt::format("{} {}", s.feed.url, suite) : s.feed.text;
      Evidence e = at(t.shown(s.file), s.feed.suites_line, shown_line);
      auto dash = suite.find_first_of("-/");
      std::string codename = lower(suite.substr(0, dash));
      std::string_view rest = dash == std::string::npos ? std::string_view() : std::string_view(suite).substr(dash);
      if (rest == "-security" || rest == "/updates" || rest == "/updates/") {
        security[codename].emplace_back(suite, std::move(e));
      } else if (rest.empty() || rest == "/") {
        releases[codename].push_back(std::move(e));
      }
    }
  }
  std::vector<Evidence> missing, present;
  for (auto& [codename, where] : releases) {
    SecurityNaming naming = security_naming(codename, os_id, os_codename);
    if (naming == SecurityNaming::kUnknown || naming == SecurityNaming::kNone) {
      unjudged.push_back(naming == SecurityNaming::kNone ? codename + " (no security suite exists for it)"
                                                         : codename + " (a release this version does not know)");
      continue;
    }
    std::string dash = codename + "-security", slash = codename + "/updates";
    auto accepted = [&](const std::string& suite) {
      std::string s = lower(suite);
      if (s.ends_with("/")) s.pop_back();
      return (naming != SecurityNaming::kSlashUpdates && s == dash) ||
             (naming != SecurityNaming::kDashSecurity && s == slash);
    };
    bool found = false;
    if (auto it = security.find(codename); it != security.end()) {
      for (const auto& [suite, e] : it->second) {
        if (!accepted(suite)) continue;
        found = true;
        present.push_back(e);
      }
    }
    if (found) continue;
    std::string expected = naming == SecurityNaming::kSlashUpdates ? slash : dash;
    for (auto e : where) {
      e.observed += fmt::format(" (no {} suite in any apt source)", expected);
      e.expected = os_id == "ubuntu" ? fmt::format("deb http://security.ubuntu.com/ubuntu {} main", expected)
                                     : fmt::format("deb http://security.debian.org/debian-security {} main", expected);
      missing.push_back(std::move(e));
    }
  }
  if (!missing.empty()) {
    std::string first = missing.front().path;
    out.findings.push_back(finding(kSecuritySourceCheck, Status::kFail, first,
                                   "the apt sources have no security suite, so security fixes are never installed "
                                   "from Debian's or Ubuntu's security archive",
                                   std::move(missing)));
  } else if (!present.empty()) {
    std::string first = present.front().path;
    out.findings.push_back(finding(kSecuritySourceCheck, Status::kPass, first,
                                   "every release the apt sources name has its security suite", std::move(present)));
  } else {
    out.findings.push_back(finding(
        kSecuritySourceCheck, Status::kInconclusive, t.shown(st.apt_sources.front().file),
        unjudged.empty()
            ? std::string("the apt sources name no release suite")
            : fmt::format("the apt sources name no release this check can judge: {}", text::join(unjudged, ", "))));
  }
}

// --- automatic updates ---------------------------------------------------------------------

/// An APT::Periodic interval: "0" (or unset) is off; a number of days, or "always", is on.
bool periodic_on(const AptValue* v) {
  if (!v) return false;
  std::string s = lower(text::trim(v->value));
  if (s == "always") return true;
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) &&
         s.find_first_not_of('0') != std::string::npos;
}

void check_auto_updates(const Target& t, const State& st, Output& out) {
  if (st.apt_sources.empty()) {
    if (st.agents.empty()) {
      bool whole_os = t.exists("/etc") && (t.exists("/bin") || t.exists("/usr/bin") || t.exists("/sbin"));
      out.findings.push_back(finding(kAutoCheck, whole_os ? Status::kWarn : Status::kInconclusive, "updates",
                                     "no update mechanism was found, so nothing checks for updates"));
    } else {
      out.findings.push_back(finding(kAutoCheck, Status::kInconclusive, st.agents.front().path,
                                     "automatic updates are judged for apt only in this version"));
    }
    return;
  }
  // apt: apt.systemd.daily, run by apt-daily.timer and apt-daily-upgrade.timer (or
  // /etc/cron.daily/apt-compat without systemd), refreshes the lists and downloads
  // (Update-Package-Lists, Download-Upgradeable-Packages); only unattended-upgrade installs, and
  // only when APT::Periodic::Unattended-Upgrade is on.
  const AptConfig& c = st.apt_config;
  const AptValue* enable = c.find("APT::Periodic::Enable");
  const AptValue* lists = c.find("APT::Periodic::Update-Package-Lists");
  const AptValue* upgrade = c.find("APT::Periodic::Unattended-Upgrade");
  bool disabled = enable && text::trim(enable->value) == "0";
  std::optional<Evidence> binary;
  for (const char* p : {"/usr/bin/unattended-upgrade", "/usr/bin/unattended-upgrades"}) {
    if (auto f = t.at_path(p); !f.empty() && !binary)
      binary = at(t.shown(f.front()), 0, "unattended-upgrade installed");
  }
  std::vector<Evidence> triggers;
  for (const char* p : {"/etc/systemd/system/timers.target.wants/apt-daily-upgrade.timer",
                        "/etc/systemd/system/timers.target.wants/apt-daily.timer", "/etc/cron.daily/apt-compat"}) {
    for (const auto& f : t.at_path(p)) triggers.push_back(at(t.shown(f), 0, "runs apt.systemd.daily"));
  }
  std::vector<Evidence> ev;
  std::vector<std::string> why;
  if (disabled) {
    ev.push_back(enable->where);
    why.emplace_back("APT::Periodic::Enable is \"0\"");
  }
  if (periodic_on(upgrade)) {
    ev.push_back(upgrade->where);
  } else {
    if (upgrade) ev.push_back(upgrade->where);
    why.emplace_back(upgrade ? "APT::Periodic::Unattended-Upgrade is \"" + upgrade->value + "\""
                             : "no apt configuration sets APT::Periodic::Unattended-Upgrade");
  }
  if (binary) {
    ev.push_back(*binary);
  } else {
    why.emplace_back("the unattended-upgrades package is not installed (no /usr/bin/unattended-upgrade)");
  }
  if (triggers.empty()) why.emplace_back("no apt-daily timer or cron.daily job runs apt.systemd.daily");
  if (lists) ev.push_back(lists->where);
  ev.insert(ev.end(), triggers.begin(), triggers.end());
  std::string subject = ev.empty() ? "/etc/apt/apt.conf.d" : ev.front().path;
  if (why.empty()) {
    out.findings.push_back(finding(kAutoCheck, Status::kPass, subject,
                                   "apt installs updates automatically: unattended-upgrade runs from the apt-daily "
                                   "jobs (APT::Periodic::Unattended-Upgrade is on)",
                                   std::move(ev)));
    return;
  }
  std::string refreshed = !disabled && periodic_on(lists) && !triggers.empty()
                              ? "the apt-daily jobs refresh the package lists, but "
                              : (!triggers.empty() ? "the apt-daily jobs only refresh lists and download, and " : "");
  out.findings.push_back(finding(
      kAutoCheck, Status::kWarn, subject,
      fmt::format("{}nothing installs updates automatically: {}", refreshed, text::join(why, "; ")), std::move(ev)));
}

void check_agents(const Target& t, State& st, Output& out) {
  // Agents without a configuration that the other checks read.
  struct Known {
    const char* path;
    const char* name;
  };
  static constexpr Known kKnown[] = {
      {"/usr/bin/rauc", "RAUC"},
      {"/usr/bin/mender", "Mender"},
      {"/usr/bin/mender-update", "Mender"},
      {"/usr/bin/ostree", "OSTree"},
      {"/usr/bin/aktualizr", "aktualizr"},
      {"/usr/bin/aktualizr-lite", "aktualizr-lite"},
      {"/system/bin/update_engine", "Android update_engine"},
      {"/usr/libexec/fwupd/fwupd", "fwupd"},
      {"/usr/bin/fwupdmgr", "fwupd"},
      {"/sbin/sysupgrade", "OpenWrt sysupgrade"},
  };
  for (const auto& k : kKnown) {
    for (const auto& f : t.at_path(k.path)) st.agents.push_back(at(t.shown(f), 0, k.name));
  }
  if (st.agents.empty()) {
    // Absence is evidence only in a whole operating system image: a partial artefact (one
    // partition, a bare archive) may simply not hold the updater.
    bool whole_os = (t.exists("/etc") && (t.exists("/bin") || t.exists("/usr/bin") || t.exists("/sbin"))) ||
                    t.exists("/system/build.prop");
    out.findings.push_back(finding(kAgentCheck, whole_os ? Status::kFail : Status::kInconclusive, "updates",
                                   whole_os
                                       ? "no update mechanism was found (RAUC, SWUpdate, Mender, OSTree, aktualizr, "
                                         "Android OTA, fwupd, sysupgrade, package feeds or an update script)"
                                       : "no update mechanism was found, but the target is not a whole operating "
                                         "system image (no /etc with /bin, /sbin or /usr/bin), so it may live "
                                         "elsewhere"));
    return;
  }
  std::vector<std::string> names;
  for (const auto& a : st.agents) {
    if (std::find(names.begin(), names.end(), a.observed) == names.end()) names.push_back(a.observed);
  }
  for (const auto& a : st.agents) out.facts.push_back({"updates", a.path, "update.agent", a.observed, a});
  std::string first = st.agents.front().path;
  out.findings.push_back(finding(kAgentCheck, Status::kPass, first,
                                 fmt::format("update mechanism(s): {}", fmt::join(names, ", ")), st.agents));
}

}  // namespace

std::span<const std::string_view> checks() { return kChecks; }

Output run(const Context& ctx) {
  Output out;
  Target t(ctx.inventory);
  State st;
  check_rauc(t, st, out);
  check_swupdate(t, st, out);
  check_mender(t, st, out);
  check_ostree(t, st, out);
  check_android(t, st, out);
  check_feeds(t, st, out);
  check_scripts(t, st, out);
  check_transport(st, out);
  check_security_source(t, st, out);
  check_agents(t, st, out);
  check_auto_updates(t, st, out);
  return out;
}

}  // namespace fwcert::analyzers::updates
