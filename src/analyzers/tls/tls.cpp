#include "analyzers/tls/tls.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/date.hpp"
#include "core/limits.hpp"
#include "core/text.hpp"
#include "evidence/evidence.hpp"
#include "evidence/values.hpp"
#include "formats/keys/keys.hpp"

namespace fwcert::analyzers::tls {

namespace {

using text::lower;
using vfs::base_name;

using inventory::Entry;
using inventory::Kind;

constexpr std::string_view kRootsCheck = "tls-amazon-roots";
constexpr std::string_view kHygieneCheck = "tls-ca-store-hygiene";
constexpr std::string_view kValidationCheck = "tls-cert-validation";
constexpr std::string_view kMinVersionCheck = "tls-min-version";
constexpr std::string_view kRestrictionCheck = "tls-amazon-trust-restriction";
constexpr std::string_view kChecks[] = {kRootsCheck, kHygieneCheck, kValidationCheck, kMinVersionCheck,
                                        kRestrictionCheck};

constexpr std::string_view kAmazonRoots[] = {
    "8E:CD:E6:88:4F:3D:87:B1:12:5B:A3:1A:C3:FC:B1:3D:70:16:DE:7F:57:CC:90:4F:E1:CB:97:C6:AE:98:19:6E",
    "1B:A5:B2:AA:8C:65:40:1A:82:96:01:18:F8:0B:EC:4F:62:30:4D:83:CE:C4:71:3A:19:C3:9C:01:1E:A4:6D:B4",
    "18:CE:6C:FE:7B:F1:4E:60:B2:E3:47:B8:DF:E8:68:CB:31:D0:2E:BB:3A:DA:27:15:69:F5:03:43:B4:6D:B3:A4",
    "E3:5D:28:41:9E:D0:20:25:CF:A6:90:38:CD:62:39:62:45:8D:A5:C6:95:FB:DE:A3:C2:2B:0B:FB:25:89:70:92"};
/// Starfield Services Root CA - G2, the anchor Amazon's roots are cross-signed from.
constexpr std::string_view kStarfieldServicesG2 =
    "56:8D:69:05:A2:C8:87:08:A4:B3:02:51:90:ED:CF:ED:B1:97:4A:60:6A:13:C6:E5:29:0F:CB:2A:E6:3E:DA:B5";

constexpr std::string_view kBundles[] = {"/etc/ssl/certs/ca-certificates.crt",
                                         "/etc/ssl/cert.pem",
                                         "/etc/pki/tls/certs/ca-bundle.crt",
                                         "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
                                         "/etc/ssl/ca-bundle.pem",
                                         "/usr/lib/ssl/cert.pem",
                                         "/usr/local/share/certs/ca-root-nss.crt"};
constexpr std::string_view kHashedDirs[] = {"/etc/ssl/certs", "/system/etc/security/cacerts",
                                            "/apex/com.android.conscrypt/cacerts",
                                            "/system/apex/com.android.conscrypt/cacerts"};

/// Words in a CA's subject or issuer that mark an interception proxy or a test/development CA.
constexpr std::string_view kSuspectCaWords[] = {"mitmproxy",   "charles proxy",  "fiddler",   "do_not_trust",
                                                "portswigger", "burp suite",     "owasp zap", "test ca",
                                                "testing ca",  "test root",      "snakeoil",  "example ca",
                                                "dev ca",      "development ca", "zscaler",   "untrusted"};

struct Store {
  std::uint32_t fs = 0;
  std::string canonical;  ///< resolved path in its filesystem
  std::string path;       ///< display path
  bool directory = false;
  bool sdk_capath = false;  ///< the store the AVS SDK configuration names
  std::vector<formats::keys::CertInfo> certs;
  std::vector<std::string> cert_paths;  ///< display path of each certificate (directories)
};

bool is_hash_name(std::string_view name) {
  // OpenSSL c_rehash names (8 hex digits, '.', a digit or "r"+digit for CRLs); Android uses the same.
  if (name.size() < 10 || name[8] != '.') return false;
  for (std::size_t i = 0; i < 8; ++i) {
    if (!std::isxdigit(static_cast<unsigned char>(name[i]))) return false;
  }
  return std::isdigit(static_cast<unsigned char>(name[9]));
}

std::optional<Store> load_bundle(const inventory::Inventory& inv, std::uint32_t fs, std::string_view path) {
  const vfs::Vfs& v = inv.vfs(fs);
  auto canonical = v.resolve(path);
  if (!canonical.ok()) return std::nullopt;
  auto st = v.stat(*canonical);
  if (!st.ok() || !st->is_regular()) return std::nullopt;
  auto text = v.read_file(*canonical, limits::kMaxConfigFileBytes);
  if (!text.ok()) return std::nullopt;
  Store s;
  s.fs = fs;
  s.canonical = *canonical;
  s.path = inv.display_path(fs, std::string(path));
  s.certs = formats::keys::parse_certificates(*text, limits::kMaxCertificatesPerStore);
  s.cert_paths.assign(s.certs.size(), s.path);
  return s;
}

std::optional<Store> load_directory(const inventory::Inventory& inv, std::uint32_t fs, std::string_view path,
                                    bool hashed_only) {
  const vfs::Vfs& v = inv.vfs(fs);
  auto canonical = v.resolve(path);
  if (!canonical.ok()) return std::nullopt;
  auto list = v.readdir(*canonical);
  if (!list.ok()) return std::nullopt;
  auto entries = std::move(*list);
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  Store s;
  s.fs = fs;
  s.canonical = *canonical;
  s.path = inv.display_path(fs, std::string(path));
  s.directory = true;
  for (const auto& d : entries) {
    if (s.certs.size() >= limits::kMaxCertificatesPerStore) break;
    if (hashed_only && !is_hash_name(d.name)) continue;
    std::string file = *canonical == "/" ? "/" + d.name : *canonical + "/" + d.name;
    auto text = v.read_file(file, limits::kMaxKeyBlockBytes);
    if (!text.ok()) continue;
    for (auto& c : formats::keys::parse_certificates(*text, 1)) {
      s.certs.push_back(std::move(c));
      s.cert_paths.push_back(inv.display_path(fs, file));
    }
  }
  if (s.certs.empty()) return std::nullopt;
  return s;
}

std::size_t amazon_roots_in(const Store& s, bool* starfield = nullptr) {
  std::set<std::string_view> found;
  for (const auto& c : s.certs) {
    for (auto fp : kAmazonRoots) {
      if (c.sha256 == fp) found.insert(fp);
    }
    if (starfield && c.sha256 == kStarfieldServicesG2) *starfield = true;
  }
  return found.size();
}

/// The first existing value of an SDK configuration key, with its configuration.
struct Configured {
  std::string value;
  const evidence::SdkConfig* config = nullptr;
  std::uint64_t line = 0;
};

std::optional<Configured> configured(const std::vector<evidence::SdkConfig>& configs, std::string_view key) {
  for (const auto& c : configs) {
    for (const auto& v : evidence::values_of(c.doc, key)) {
      if (!v.empty()) return Configured{v, &c, evidence::line_of_key(c.text, key)};
    }
  }
  return std::nullopt;
}

// ---- tls-amazon-roots and tls-amazon-trust-restriction ---------------------------------------

void check_roots(const std::vector<Store>& stores, const Store* used, const std::optional<Configured>& capath,
                 Output& out) {
  if (!used) {
    out.findings.push_back(finding(
        kRootsCheck, Status::kInconclusive, "/",
        capath ? fmt::format("the AVS SDK's CA path {} ({}:{}) holds no readable certificate, and no other CA store "
                             "was found; CA arrays compiled into programs are not examined",
                             capath->value, capath->config->path, capath->line)
               : std::string("no CA store found (bundles, hashed directories, Android cacerts); CA arrays compiled "
                             "into programs are not examined")));
    return;
  }
  bool starfield = false;
  std::size_t n = amazon_roots_in(*used, &starfield);
  std::string why = capath && used->sdk_capath ? fmt::format("the CA path the AVS SDK is configured with ({}:{})",
                                                             capath->config->path, capath->line)
                                               : std::string("the system default store");
  std::vector<Evidence> ev{at(used->path, 0,
                              fmt::format("{} of Amazon Root CA 1-4 among {} certificates{}", n, used->certs.size(),
                                          starfield ? "; Starfield Services Root CA - G2 present" : ""),
                              "Amazon Root CA 1, 2, 3 and 4 (by SHA-256 fingerprint)")};
  for (const auto& s : stores) {
    if (&s != used)
      ev.push_back(at(s.path, 0, fmt::format("also a CA store: {} of 4 Amazon roots", amazon_roots_in(s))));
  }
  Status st = n == 4 ? Status::kPass : n > 0 ? Status::kWarn : Status::kFail;
  out.findings.push_back(finding(kRootsCheck, st, used->path,
                                 fmt::format("{} of the 4 Amazon root CAs are in {}, {}", n, used->path, why),
                                 std::move(ev)));
}

void check_restriction(const std::vector<evidence::SdkConfig>& configs, const Store* used,
                       const std::optional<Configured>& capath, Output& out) {
  if (configs.empty()) {
    out.findings.push_back(finding(kRestrictionCheck, Status::kNotApplicable, "/",
                                   "no AVS SDK configuration in the image, so no Alexa client to restrict"));
    return;
  }
  if (!capath) {
    out.findings.push_back(finding(
        kRestrictionCheck, Status::kWarn, configs[0].path,
        fmt::format("{} sets no libcurlUtils.CURLOPT_CAPATH: the Alexa client trusts every CA of the system store",
                    configs[0].path),
        {at(configs[0].path, 0, "no CURLOPT_CAPATH", "a CA path holding only the Amazon roots")}));
    return;
  }
  if (!used || !used->sdk_capath) {
    out.findings.push_back(
        finding(kRestrictionCheck, Status::kInconclusive, capath->config->path,
                fmt::format("the configured CA path {} could not be read in the image", capath->value)));
    return;
  }
  std::size_t others = 0;
  for (const auto& c : used->certs) {
    bool amazon = c.sha256 == kStarfieldServicesG2;
    for (auto fp : kAmazonRoots) amazon |= c.sha256 == fp;
    others += !amazon;
  }
  Evidence ev = at(
      capath->config->path, capath->line,
      fmt::format("CURLOPT_CAPATH {}: {} certificates, {} not Amazon roots", capath->value, used->certs.size(), others),
      "only Amazon Root CA 1-4 (and Starfield Services G2)");
  out.findings.push_back(finding(
      kRestrictionCheck, others == 0 ? Status::kPass : Status::kWarn, capath->config->path,
      others == 0 ? fmt::format("the Alexa client's CA path {} holds only Amazon roots", capath->value)
                  : fmt::format("the Alexa client's CA path {} also trusts {} non-Amazon CAs", capath->value, others),
      {ev}));
}

// ---- tls-ca-store-hygiene --------------------------------------------------------------------

bool writable_by_non_root(const Entry* e) {
  if (!e) return false;
  return (e->st.mode & 0002) || ((e->st.mode & 0020) && e->st.gid != 0) || e->st.uid != 0;
}

void check_hygiene(const inventory::Inventory& inv, const std::vector<Store>& stores, const CivilDate& day,
                   Output& out) {
  if (stores.empty()) {
    out.findings.push_back(finding(kHygieneCheck, Status::kNotApplicable, "/", "no CA store found in the image"));
    return;
  }
  for (const auto& s : stores) {
    bool failed = false;
    const Entry* e = inv.find(s.fs, s.canonical);
    if (writable_by_non_root(e)) {
      failed = true;
      out.findings.push_back(finding(
          kHygieneCheck, Status::kFail, s.path,
          fmt::format("CA store {} can be changed by a non-root user, who can then make the device trust any CA",
                      s.path),
          {at(s.path, 0, fmt::format("mode {:04o}, owner {}:{}", e->st.mode & 07777, e->st.uid, e->st.gid),
              "root-owned, not group- or world-writable")}));
    }
    std::vector<Evidence> expired;
    for (std::size_t i = 0; i < s.certs.size(); ++i) {
      const auto& c = s.certs[i];
      std::string names = lower(c.subject + " " + c.issuer);
      for (auto w : kSuspectCaWords) {
        if (names.find(w) == std::string::npos) continue;
        failed = true;
        out.findings.push_back(
            finding(kHygieneCheck, Status::kFail, s.cert_paths[i],
                    fmt::format("CA store {} trusts \"{}\", an interception-proxy or test CA", s.path, c.subject),
                    {at(s.cert_paths[i], 0, fmt::format("subject {}; SHA-256 {}", c.subject, c.sha256),
                        "only the distribution's public roots")}));
        break;
      }
      if (c.not_after && *c.not_after < day)
        expired.push_back(at(s.cert_paths[i], 0, fmt::format("{} expired {}", c.subject, format_date(*c.not_after))));
    }
    if (!expired.empty()) {
      std::string message = fmt::format("CA store {} holds {} roots expired at {}: the bundle is stale", s.path,
                                        expired.size(), format_date(day));
      out.findings.push_back(finding(kHygieneCheck, Status::kWarn, s.path, std::move(message), std::move(expired)));
    } else if (!failed) {
      out.findings.push_back(finding(kHygieneCheck, Status::kPass, s.path,
                                     fmt::format("CA store {}: {} certificates, none expired at {}, no interception or "
                                                 "test CA, not writable by non-root",
                                                 s.path, s.certs.size(), format_date(day))));
    }
  }
}

// ---- tls-cert-validation ---------------------------------------------------------------------

/// Where a match is the tool or library that implements the option, or language runtime code
/// that defines or documents it, rather than a use of it.
bool is_implementation(const Entry& e) {
  std::string name = lower(base_name(e.path));
  for (std::string_view tool : {"curl", "wget", "busybox", "toybox", "libcurl", "libwget", "openssl", "libssl",
                                "libcrypto", "libmbedtls", "libwolfssl", "libgnutls"}) {
    if (name.starts_with(tool)) return true;
  }
  return e.path.find("/python") != std::string::npos || e.path.find("/perl") != std::string::npos ||
         e.path.starts_with("/usr/include/") || e.path.find("/lua/") != std::string::npos;
}

std::string line_text(const vfs::Vfs& v, const std::string& path, std::uint64_t end) {
  constexpr std::size_t kSide = 512;
  std::uint64_t from = end > kSide ? end - kSide : 0;
  std::string w(2 * kSide, '\0');
  auto r = v.read(path, from, std::as_writable_bytes(std::span(w.data(), w.size())));
  w.resize(r.ok() ? *r : 0);
  std::size_t pos = static_cast<std::size_t>(std::min<std::uint64_t>(end - from, w.size()));
  auto b = pos ? w.rfind('\n', pos - 1) : std::string::npos;
  b = b == std::string::npos ? 0 : b + 1;
  auto e = w.find('\n', pos);
  std::string line = w.substr(b, e == std::string::npos ? std::string::npos : e - b);
  line.erase(std::remove_if(line.begin(), line.end(), [](char c) { return c == '\r' || c == '\0'; }), line.end());
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.erase(0, 1);
  return line.substr(0, 200);
}

/// For the key = value rule: does this line switch verification off?
bool disables_verification(const std::string& line) {
  std::string l = lower(line);
  auto value_after = [&](std::size_t key_end) {
    std::string v = l.substr(key_end);
    v.erase(0, v.find_first_not_of(" \t\"':="));
    return v.substr(0, v.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789"));
  };
  for (std::string_view k : {"insecure_skip_verify", "insecureskipverify", "insecure_skipverify", "tls_insecure",
                             "bridge_insecure", "nocheckcert"}) {
    if (auto p = l.find(k); p != std::string::npos) {
      auto v = value_after(p + k.size());
      if (v == "true" || v == "yes" || v == "on" || v == "1") return true;
    }
  }
  for (std::string_view k :
       {"ssl_verify", "sslverify", "verify_ssl", "verifyssl", "tls_verify", "tlsverify", "verify_peer", "verifypeer"}) {
    if (auto p = l.find(k); p != std::string::npos) {
      auto v = value_after(p + k.size());
      if (v == "false" || v == "no" || v == "off" || v == "0") return true;
    }
  }
  return false;
}

void check_validation(const inventory::Inventory& inv, const evidence::content::PassResult& pass, Output& out) {
  if (!pass.error.empty()) {
    out.findings.push_back(
        finding(kValidationCheck, Status::kInconclusive, "/", "the content pass could not run: " + pass.error));
    return;
  }
  static const std::uint32_t curl = evidence::content::rule_id("curl-insecure"),
                             curlrc = evidence::content::rule_id("curlrc-insecure"),
                             wget = evidence::content::rule_id("wget-no-check"),
                             wgetrc = evidence::content::rule_id("wgetrc-no-check"),
                             verify_none = evidence::content::rule_id("ssl-verify-none"),
                             curlopt = evidence::content::rule_id("curlopt-verify-off"),
                             python = evidence::content::rule_id("python-verify-false"),
                             mender = evidence::content::rule_id("mender-skip-verify"),
                             skip = evidence::content::rule_id("insecure-skip-verify");
  std::size_t failed = 0, warned = 0;
  for (const auto& fm : pass.files) {
    const Entry& e = inv.entries()[fm.entry];
    if (evidence::is_documentation_path(e.path) || is_implementation(e)) continue;
    const bool text = e.kind == Kind::kText || e.kind == Kind::kScript;
    const std::string path = inv.display_path(e);
    const std::string name = lower(base_name(e.path));
    std::vector<Evidence> ev;
    for (const auto& m : fm.matches) {
      std::string what;
      if (m.rule == curl) {
        what = "curl -k/--insecure";
      } else if (m.rule == curlrc && (name == ".curlrc" || name == "curlrc")) {
        what = "insecure in curlrc";
      } else if (m.rule == wget) {
        what = "wget --no-check-certificate";
      } else if (m.rule == wgetrc && (name == ".wgetrc" || name == "wgetrc")) {
        what = "check_certificate = off in wgetrc";
      } else if (m.rule == verify_none) {
        what = "peer verification mode NONE/OPTIONAL";
      } else if (m.rule == curlopt) {
        what = "CURLOPT_SSL_VERIFYPEER/VERIFYHOST set to 0";
      } else if (m.rule == python && text) {
        what = "verify=False / CERT_NONE / unverified SSL context";
      } else if (m.rule == mender && text) {
        what = "Mender SkipVerify: true";
      } else if (m.rule == skip && text && disables_verification(line_text(inv.vfs(e.filesystem), e.path, m.end))) {
        what = "certificate verification switched off in configuration";
      }
      if (what.empty() || ev.size() >= 8) continue;
      std::string observed = text ? fmt::format("{}: {}", what, line_text(inv.vfs(e.filesystem), e.path, m.end))
                                  : fmt::format("{} (string in a binary)", what);
      Evidence x = at(path, text ? m.line : 0, std::move(observed), "certificate and host name verification on");
      x.offset = m.start;
      ev.push_back(std::move(x));
    }
    if (ev.empty()) continue;
    if (text) {
      ++failed;
      out.findings.push_back(finding(
          kValidationCheck, Status::kFail, path,
          fmt::format("{} switches TLS certificate verification off ({} places)", path, ev.size()), std::move(ev)));
    } else {
      ++warned;
      out.findings.push_back(finding(
          kValidationCheck, Status::kWarn, path,
          fmt::format("{} contains strings that switch TLS certificate verification off; a string in a binary is weak "
                      "evidence (it may be help text or an unused path), confirm by network testing",
                      path),
          std::move(ev)));
    }
  }
  if (failed || warned) return;
  out.findings.push_back(finding(kValidationCheck, Status::kPass, "/",
                                 fmt::format("no script, configuration or binary among {} files scanned switches "
                                             "certificate verification off (static evidence; a man-in-the-middle test "
                                             "on the network is what proves validation)",
                                             pass.files_scanned)));
}

// ---- tls-min-version -------------------------------------------------------------------------

int protocol_rank(std::string v) {
  v = lower(v);
  if (v == "sslv3") return 0;
  if (v == "tlsv1" || v == "tlsv1.0") return 1;
  if (v == "tlsv1.1") return 2;
  if (v == "tlsv1.2") return 3;
  if (v == "tlsv1.3") return 4;
  if (v == "none") return -1;
  return -2;  // unknown or DTLS
}

void check_min_version(const inventory::Inventory& inv, Output& out) {
  struct Setting {
    std::string path;
    std::uint64_t line;
    std::string key, value;
  };
  std::vector<Setting> settings;
  std::vector<std::string> configs;
  std::string libssl;
  for (const auto& e : inv.entries()) {
    std::string_view name = base_name(e.path);
    if (libssl.empty() && (name.starts_with("libssl.so.") || name.starts_with("libssl3.so")))
      libssl = inv.display_path(e);
    if (!e.st.is_regular() || name != "openssl.cnf" || evidence::is_documentation_path(e.path)) continue;
    auto text = inv.vfs(e.filesystem).read_file(e.path, limits::kMaxConfigFileBytes);
    if (!text.ok()) continue;
    std::string path = inv.display_path(e);
    configs.push_back(path);
    for (auto [n, raw] : text::lines(*text)) {
      std::string_view line = raw.substr(0, raw.find('#'));
      auto eq = line.find('=');
      if (eq == std::string_view::npos) continue;
      std::string key(text::trim(line.substr(0, eq))), value(text::trim(line.substr(eq + 1)));
      if (lower(key) == "minprotocol" || lower(key) == "cipherstring") settings.push_back({path, n, key, value});
    }
  }
  int lowest = 99;
  const Setting* weakest = nullptr;
  const Setting* seclevel0 = nullptr;
  for (const auto& s : settings) {
    if (lower(s.key) == "minprotocol") {
      int r = protocol_rank(s.value);
      if (r >= -1 && r < lowest) {
        lowest = r;
        weakest = &s;
      }
    } else if (lower(s.value).find("@seclevel=0") != std::string::npos) {
      seclevel0 = &s;
    }
  }
  if (weakest && lowest < 3) {
    out.findings.push_back(finding(
        kMinVersionCheck, Status::kFail, weakest->path,
        fmt::format("{} allows TLS below 1.2 (MinProtocol = {})", weakest->path, weakest->value),
        {at(weakest->path, weakest->line, weakest->key + " = " + weakest->value, "MinProtocol = TLSv1.2 or TLSv1.3")}));
    return;
  }
  if (weakest) {
    out.findings.push_back(finding(kMinVersionCheck, Status::kPass, weakest->path,
                                   fmt::format("OpenSSL's minimum protocol is {} (static configuration; the "
                                               "ClientHello to Alexa endpoints is judged by network testing)",
                                               weakest->value),
                                   {at(weakest->path, weakest->line, weakest->key + " = " + weakest->value)}));
    return;
  }
  if (seclevel0) {
    out.findings.push_back(finding(kMinVersionCheck, Status::kFail, seclevel0->path,
                                   fmt::format("{} lowers OpenSSL to security level 0, which re-enables TLS 1.0 and "
                                               "1.1, and sets no MinProtocol",
                                               seclevel0->path),
                                   {at(seclevel0->path, seclevel0->line, seclevel0->key + " = " + seclevel0->value,
                                       "MinProtocol = TLSv1.2 and no @SECLEVEL=0")}));
    return;
  }
  if (libssl.find("libssl.so.3") != std::string::npos) {
    out.findings.push_back(finding(
        kMinVersionCheck, Status::kPass, libssl,
        "no MinProtocol is configured, and the OpenSSL 3 library refuses TLS 1.0 and 1.1 at its default security "
        "level (1 or above)",
        {at(libssl, 0, configs.empty() ? "no openssl.cnf" : "openssl.cnf without MinProtocol",
            "MinProtocol = TLSv1.2")}));
  } else if (!libssl.empty()) {
    out.findings.push_back(finding(kMinVersionCheck, Status::kWarn, libssl,
                                   fmt::format("no MinProtocol is configured and {} is older than OpenSSL 3, whose "
                                               "defaults still allow TLS 1.0 and 1.1",
                                               libssl),
                                   {at(libssl, 0, "no MinProtocol", "MinProtocol = TLSv1.2")}));
  } else {
    out.findings.push_back(finding(kMinVersionCheck, Status::kInconclusive, "/",
                                   "no OpenSSL library or configuration in the image; other TLS libraries' build "
                                   "options are not examined, so only network testing can tell"));
  }
}

}  // namespace

std::span<const std::string_view> checks() { return kChecks; }
std::span<const std::string_view> amazon_root_fingerprints() { return kAmazonRoots; }

Output run(const Context& ctx) {
  Output out;
  const auto& inv = ctx.inventory;
  const CivilDate today = ctx.options.day;

  const std::vector<evidence::SdkConfig>& configs = ctx.evidence().sdk_configs().configs;
  auto capath = configured(configs, "CURLOPT_CAPATH");
  if (!capath) capath = configured(configs, "CURLOPT_CAINFO");

  std::vector<Store> stores;
  std::set<std::pair<std::uint32_t, std::string>> seen;
  auto add = [&](std::optional<Store> s) {
    if (s && seen.insert({s->fs, s->canonical}).second) stores.push_back(std::move(*s));
  };
  const Store* used = nullptr;
  std::optional<std::size_t> capath_index;
  for (std::uint32_t fs = 0; fs < inv.filesystems().size(); ++fs) {
    if (capath) {
      std::size_t before = stores.size();
      add(load_directory(inv, fs, capath->value, false));
      if (stores.size() == before) add(load_bundle(inv, fs, capath->value));
      if (stores.size() > before && !capath_index) capath_index = before;
    }
    for (auto b : kBundles) add(load_bundle(inv, fs, b));
    for (auto d : kHashedDirs) add(load_directory(inv, fs, d, true));
  }
  if (capath_index) {
    stores[*capath_index].sdk_capath = true;
    used = &stores[*capath_index];
  } else if (!stores.empty()) {
    used = &stores.front();
  }
  check_roots(stores, used, capath, out);
  check_restriction(configs, capath_index ? used : nullptr, capath, out);
  check_hygiene(inv, stores, today, out);
  check_validation(inv, ctx.evidence().content(), out);
  check_min_version(inv, out);
  for (const auto& s : stores) {
    out.facts.push_back({"tls", s.path, "ca_store.certificates", static_cast<std::int64_t>(s.certs.size()),
                         at(s.path, 0, s.directory ? "hashed directory" : "bundle")});
    out.facts.push_back({"tls", s.path, "ca_store.amazon_roots", static_cast<std::int64_t>(amazon_roots_in(s)),
                         at(s.path, 0, "Amazon Root CA 1-4 by SHA-256")});
  }
  return out;
}

}  // namespace fwcert::analyzers::tls
