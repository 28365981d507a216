#include "analyzers/secrets/secrets.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/limits.hpp"
#include "core/text.hpp"
#include "data/resources.hpp"
#include "evidence/evidence.hpp"
#include "evidence/values.hpp"
#include "formats/keys/keys.hpp"

namespace fwcert::analyzers::secrets {

namespace {

using vfs::base_name;

namespace content = evidence::content;
using evidence::is_documentation_path;
using evidence::is_placeholder;
using text::lower;

using inventory::Entry;
using inventory::Kind;

constexpr std::string_view kPrivateKeysCheck = "keys-plaintext-private-keys";
constexpr std::string_view kLwaCheck = "keys-lwa-tokens";
constexpr std::string_view kHardcodedCheck = "keys-hardcoded-secrets";
constexpr std::string_view kPermsCheck = "keys-secret-file-perms";
constexpr std::string_view kKeystoreCheck = "keys-hw-keystore-present";
constexpr std::string_view kAtRestCheck = "keys-data-at-rest";
constexpr std::string_view kChecks[] = {kPrivateKeysCheck, kLwaCheck,      kHardcodedCheck,
                                        kPermsCheck,       kKeystoreCheck, kAtRestCheck};

/// Most findings one check emits before it summarises the rest.
constexpr std::size_t kMaxFindingsPerCheck = 100;

std::string mode_text(const Entry& e) {
  return fmt::format("mode {:04o}, owner {}:{}", e.st.mode & 07777, e.st.uid, e.st.gid);
}

/// Up to `max` bytes of a file from `offset`.
std::string read_window(const vfs::Vfs& v, const std::string& path, std::uint64_t offset, std::size_t max) {
  std::string buf(max, '\0');
  std::size_t done = 0;
  while (done < max) {
    auto r = v.read_raw(path, offset + done, std::as_writable_bytes(std::span(buf.data() + done, max - done)));
    if (!r.ok() || *r == 0) break;
    done += *r;
  }
  buf.resize(done);
  return buf;
}

/// The line of a file that contains byte `at` (at most 1 KiB of it, without the newline).
std::string line_at(const vfs::Vfs& v, const std::string& path, std::uint64_t at) {
  constexpr std::size_t kSide = 1024;
  std::uint64_t from = at > kSide ? at - kSide : 0;
  std::string w = read_window(v, path, from, 2 * kSide);
  std::size_t pos = static_cast<std::size_t>(std::min<std::uint64_t>(at - from, w.size()));
  auto begin = w.rfind('\n', pos == 0 ? 0 : pos - 1);
  begin = begin == std::string::npos || (pos == 0 && w[0] == '\n') ? 0 : begin + 1;
  if (pos == 0) begin = 0;
  auto end = w.find('\n', pos);
  std::string line = w.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

/// The value after the first '=' or ':' (or, for netrc, after the keyword), trimmed of spaces,
/// quotes and a trailing comment or comma.
std::string value_of(std::string_view line, std::string_view keyword = {}) {
  std::size_t pos;
  if (!keyword.empty()) {
    pos = lower(line).find(keyword);
    if (pos == std::string_view::npos) return {};
    pos += keyword.size();
  } else {
    pos = line.find_first_of("=:");
    if (pos == std::string_view::npos) return {};
    ++pos;
  }
  std::string_view v = line.substr(pos);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  if (!v.empty() && (v.front() == '"' || v.front() == '\'')) {
    char q = v.front();
    auto close = v.find(q, 1);
    return std::string(v.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
  }
  auto stop = v.find_first_of(" \t#;,");
  return std::string(v.substr(0, stop));
}

/// Shows that a secret is there without putting it in the report.
std::string redact(std::string_view value) {
  if (value.size() <= 4) return fmt::format("<{} characters, redacted>", value.size());
  return fmt::format("{}... <{} characters, redacted>", value.substr(0, 4), value.size());
}

bool is_text(const Entry& e) { return e.kind == Kind::kText || e.kind == Kind::kScript || e.kind == Kind::kPem; }

/// Files whose `name = value` lines are configuration: where a password assignment is a
/// credential rather than a word in prose or code.
bool is_config_file(std::string_view path) {
  std::string name = lower(base_name(path));
  for (std::string_view ext : {".conf", ".cfg", ".ini", ".cnf", ".env", ".properties", ".json", ".yaml", ".yml",
                               ".toml", ".rc", ".config", ".credentials", ".secrets"}) {
    if (name.ends_with(ext)) return true;
  }
  return name == "credentials" || name == "secrets" || name == ".env" || name.ends_with("rc") ||
         path.starts_with("/etc/default/") || path.starts_with("/etc/config/");
}

/// Configuration formats whose grammar gives the words the credential rule looks for
/// (password, passwd, secret, ...) a meaning other than "the value is a secret": the keys of
/// nsswitch.conf are database names ("passwd: files"), "password" in a PAM stack is a module
/// type, ssh_config and sshd_config keywords are settings (no password is ever stored there),
/// and login.defs keys are policy names (PASS_MAX_DAYS).
bool grammar_holds_no_secret(std::string_view path) {
  std::string name = lower(base_name(path));
  return name == "nsswitch.conf" || name == "pam.conf" || path.find("/pam.d/") != std::string_view::npos ||
         name == "sshd_config" || name == "ssh_config" || path.find("/sshd_config.d/") != std::string_view::npos ||
         path.find("/ssh_config.d/") != std::string_view::npos || name == "login.defs";
}

bool path_has(std::string_view path, std::initializer_list<std::string_view> words) {
  std::string l = lower(path);
  for (auto w : words) {
    if (l.find(w) != std::string::npos) return true;
  }
  return false;
}

/// SSH host keys are judged by keys-ssh-host-keys-shipped (services analyzer).
bool is_ssh_host_key(std::string_view path) {
  auto name = base_name(path);
  return (path.starts_with("/etc/ssh/") && name.starts_with("ssh_host_") && name.ends_with("_key")) ||
         (path.starts_with("/etc/dropbear/") && name.starts_with("dropbear_") && name.ends_with("_host_key"));
}

/// A key of data/public-test-keys.tsv: published as a test vector by the package named.
struct PublishedKey {
  std::string key, package, version, path, why;
};

/// data/public-test-keys.tsv by the SHA-256 of the public key (scripts/gen-public-test-keys.py).
const std::map<std::string, PublishedKey, std::less<>>& published_keys() {
  static const auto table = [] {
    std::map<std::string, PublishedKey, std::less<>> t;
    for (std::string_view line : data::resource_lines("data/public-test-keys.tsv")) {
      if (line.empty() || line.front() == '#') continue;
      std::vector<std::string> f;
      for (std::size_t start = 0;;) {
        auto tab = line.find('\t', start);
        f.emplace_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
        if (tab == std::string_view::npos) break;
        start = tab + 1;
      }
      if (f.size() == 6) t.emplace(f[0], PublishedKey{f[1], f[2], f[3], f[4], f[5]});
    }
    return t;
  }();
  return table;
}

const PublishedKey* published_key(const formats::keys::KeyInfo& k) {
  if (k.public_sha256.empty()) return nullptr;
  auto it = published_keys().find(k.public_sha256);
  return it == published_keys().end() ? nullptr : &it->second;
}

struct KeyHit {
  const Entry* entry = nullptr;
  std::string path;
  std::uint64_t offset = 0, line = 0;
  formats::keys::KeyInfo info;
  bool documentation = false;
  const PublishedKey* published = nullptr;  ///< a published test key (data/public-test-keys.tsv)
};

/// A key that may be this device's secret: not documentation, not a published test key.
bool device_key(const KeyHit& k) { return !k.documentation && !k.published; }

struct SecretHit {
  const Entry* entry = nullptr;
  std::string path;
  std::uint64_t offset = 0, line = 0;
  std::string kind;   ///< what was found ("AWS access key id", "Wi-Fi PSK", ...)
  std::string value;  ///< redacted
  bool lwa = false;
  bool weak = false;  ///< a string in a binary: weaker evidence than a configuration line
};

struct Collected {
  std::vector<KeyHit> keys;
  std::vector<SecretHit> secrets;
  std::vector<std::string> luks;  ///< display paths with a LUKS header at offset 0
  std::size_t unconfirmed_headers = 0;
  std::size_t documentation_secrets = 0;
};

std::string describe_key(const formats::keys::KeyInfo& k) {
  std::string alg = k.algorithm.empty() ? std::string("algorithm hidden") : k.algorithm;
  std::string size = k.bits ? fmt::format(" {}-bit", k.bits) : std::string();
  return fmt::format("{}{} {} key, {}{}", alg, size, k.format, k.encrypted ? "encrypted: " : "unencrypted",
                     k.encrypted ? k.protection : std::string());
}

void add_key(Collected& c, const inventory::Inventory& inv, const Entry& e, std::uint64_t offset, std::uint64_t line,
             formats::keys::KeyInfo info) {
  KeyHit k;
  k.entry = &e;
  k.path = inv.display_path(e);
  k.offset = offset;
  k.line = line;
  k.info = std::move(info);
  k.documentation = is_documentation_path(e.path);
  k.published = published_key(k.info);
  c.keys.push_back(std::move(k));
}

void confirm_matches(const inventory::Inventory& inv, const Entry& e, const content::FileMatches& fm, Collected& c,
                     std::vector<Fact>& facts) {
  static const std::uint32_t pem = content::rule_id("pem-private-key"), putty = content::rule_id("putty-private-key"),
                             cert = content::rule_id("pem-certificate"), lwa_id = content::rule_id("lwa-client-id"),
                             lwa_secret = content::rule_id("lwa-client-secret"),
                             lwa_refresh = content::rule_id("lwa-refresh-token"),
                             lwa_access = content::rule_id("lwa-access-token"),
                             lwa_json = content::rule_id("lwa-json-secret"), aws = content::rule_id("aws-access-key"),
                             aws_secret = content::rule_id("aws-secret-key"),
                             google = content::rule_id("google-api-key"), github = content::rule_id("github-token"),
                             slack = content::rule_id("slack-token"), psk = content::rule_id("wifi-psk"),
                             passphrase = content::rule_id("wifi-passphrase"),
                             password = content::rule_id("config-password"), netrc = content::rule_id("netrc-password"),
                             url = content::rule_id("url-credentials"), luks = content::rule_id("luks-header");
  const vfs::Vfs& v = inv.vfs(e.filesystem);
  const std::string path = inv.display_path(e);
  const bool docs = is_documentation_path(e.path);
  const std::string name = lower(base_name(e.path));
  std::size_t certificates = 0;
  for (const auto& m : fm.matches) {
    auto secret = [&](std::string kind, std::string value, bool lwa = false) {
      if (docs) {
        ++c.documentation_secrets;
        return;
      }
      SecretHit s;
      s.entry = &e;
      s.path = path;
      s.offset = m.start;
      s.line = is_text(e) ? m.line : 0;
      s.kind = std::move(kind);
      s.value = redact(value);
      s.lwa = lwa;
      s.weak = !is_text(e);
      c.secrets.push_back(std::move(s));
    };
    auto token_at = [&](std::size_t max) {
      std::string w = read_window(v, e.path, m.start, max);
      auto stop = w.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-|.+/=");
      return w.substr(0, stop);
    };
    if (m.rule == pem) {
      std::string block = read_window(v, e.path, m.start, limits::kMaxKeyBlockBytes);
      if (auto k = formats::keys::classify_pem_key(block)) {
        add_key(c, inv, e, m.start, is_text(e) ? m.line : 0, std::move(*k));
      } else {
        ++c.unconfirmed_headers;
      }
    } else if (m.rule == putty) {
      std::string block = read_window(v, e.path, m.start, limits::kMaxKeyBlockBytes);
      if (auto k = formats::keys::classify_putty(block)) {
        add_key(c, inv, e, m.start, m.line, std::move(*k));
      } else {
        ++c.unconfirmed_headers;
      }
    } else if (m.rule == cert) {
      if (++certificates > 4) continue;  // CA bundles are the tls analyzer's
      std::string block = read_window(v, e.path, m.start, limits::kMaxKeyBlockBytes);
      if (auto cinfo = formats::keys::parse_pem_certificate(block)) {
        Evidence src = at(path, is_text(e) ? m.line : 0, cinfo->subject);
        src.offset = m.start;
        facts.push_back({"secrets", path, "certificate.subject", cinfo->subject, src});
        if (cinfo->not_after)
          facts.push_back({"secrets", path, "certificate.not_after", format_date(*cinfo->not_after), src});
        facts.push_back(
            {"secrets", path, "certificate.key", fmt::format("{} {}", cinfo->key_algorithm, cinfo->key_bits), src});
        facts.push_back({"secrets", path, "certificate.self_signed", cinfo->self_signed, src});
      }
    } else if (m.rule == lwa_refresh) {
      secret("Login with Amazon refresh token (Atzr|)", token_at(2048), true);
    } else if (m.rule == lwa_access) {
      secret("Login with Amazon access token (Atza|)", token_at(2048), true);
    } else if (m.rule == lwa_secret) {
      secret("Login with Amazon client secret", token_at(128), true);
    } else if (m.rule == lwa_json) {
      std::string line = line_at(v, e.path, m.end - 1);
      std::string value = value_of(line.substr(line.find(':')));
      if (!is_placeholder(value))
        secret(fmt::format("SDK configuration field {}", value_of(line, "\"").substr(0, 32)), value, true);
    } else if (m.rule == lwa_id) {
      facts.push_back(
          {"secrets", path, "lwa.client_id", token_at(128), at(path, is_text(e) ? m.line : 0, "LWA client id")});
    } else if (m.rule == aws || m.rule == google || m.rule == github || m.rule == slack) {
      std::string value = token_at(256);
      if (value.find("EXAMPLE") != std::string::npos || is_placeholder(value)) continue;
      std::string kind = m.rule == aws      ? "AWS access key id"
                         : m.rule == google ? "Google API key"
                         : m.rule == github ? "GitHub token"
                                            : "Slack token";
      secret(kind, value);
    } else if (m.rule == aws_secret) {
      std::string line = line_at(v, e.path, m.end - 1);
      std::string value = value_of(line);
      if (value.find("EXAMPLE") == std::string::npos && !is_placeholder(value)) secret("AWS secret access key", value);
    } else if (m.rule == psk || m.rule == passphrase) {
      bool wifi_file = m.rule == psk ? (name.starts_with("wpa_supplicant") || name.ends_with(".nmconnection") ||
                                        path_has(e.path, {"/wpa_supplicant/", "/iwd/"}))
                                     : name.starts_with("hostapd");
      if (!wifi_file || !is_text(e)) continue;
      std::string value = value_of(line_at(v, e.path, m.end - 1));
      if (is_placeholder(value)) continue;
      secret(m.rule == psk ? "Wi-Fi PSK" : "Wi-Fi passphrase (hostapd)", value);
    } else if (m.rule == password) {
      // openssl.cnf ships the CMP demo server's published secret ("pass:insta"), not a device's.
      if (!is_text(e) || !is_config_file(e.path) || name == "openssl.cnf" || grammar_holds_no_secret(e.path)) continue;
      std::string line = line_at(v, e.path, m.end - 1);
      std::string value = value_of(line);
      if (is_placeholder(value)) continue;
      auto key = line.substr(0, line.find_first_of("=:"));
      key.erase(std::remove_if(key.begin(), key.end(),
                               [](char ch) { return ch == ' ' || ch == '\t' || ch == '"' || ch == '\''; }),
                key.end());
      secret(fmt::format("credential '{}' in configuration", key.substr(0, 40)), value);
    } else if (m.rule == netrc) {
      if (name != ".netrc" && name != "netrc") continue;
      std::string value = value_of(line_at(v, e.path, m.end - 1), "password");
      if (!is_placeholder(value)) secret(".netrc password", value);
    } else if (m.rule == url) {
      if (!is_text(e)) continue;
      std::string u = token_at(256);
      auto scheme_end = u.find("://");
      auto colon = u.find(':', scheme_end == std::string::npos ? 0 : scheme_end + 3);
      auto at_sign = u.find('@', colon == std::string::npos ? 0 : colon);
      if (colon == std::string::npos || at_sign == std::string::npos) continue;
      std::string pw = u.substr(colon + 1, at_sign - colon - 1);
      if (is_placeholder(pw)) continue;
      secret(fmt::format("credentials in URL {}://...", u.substr(0, scheme_end)), pw);
    } else if (m.rule == luks && m.end == 6) {  // "LUKS\xba\xbe" at offset 0
      c.luks.push_back(path);
    }
  }
}

/// Keys that are whole files: DER PKCS#8 / traditional, PKCS#12 and binary openssh-key-v1.
void confirm_file_keys(const inventory::Inventory& inv, const Entry& e, Collected& c) {
  if (!e.st.is_regular() || e.hardlink_secondary || e.st.size == 0 || e.st.size > limits::kMaxKeyBlockBytes) return;
  std::string name = lower(base_name(e.path));
  bool pkcs12_name = name.ends_with(".p12") || name.ends_with(".pfx");
  bool der_name = name.ends_with(".der") || name.ends_with(".key") || name.ends_with(".pk8") || name.ends_with(".p8");
  bool openssh_blob = e.kind == Kind::kOpensshKey && e.kind_detail == "openssh";
  if (e.kind != Kind::kDer && e.kind != Kind::kPkcs12 && !pkcs12_name && !der_name && !openssh_blob) return;
  if (e.kind == Kind::kPem || e.kind == Kind::kText) return;  // the content pass reads those
  std::string data = read_window(inv.vfs(e.filesystem), e.path, 0, static_cast<std::size_t>(e.st.size));
  std::optional<formats::keys::KeyInfo> k;
  if (openssh_blob) {
    k = formats::keys::classify_openssh(data);
  } else if (e.kind == Kind::kPkcs12 || pkcs12_name) {
    k = formats::keys::classify_pkcs12(data);
  } else {
    k = formats::keys::classify_der_key(data);
  }
  if (k) add_key(c, inv, e, 0, 0, std::move(*k));
}

bool is_signing_key_path(std::string_view path) {
  return path_has(path,
                  {"sign", "release", "ota", "update", "swupdate", "rauc", "mender", "avb", "verity", "firmware"});
}

void check_private_keys(const Collected& c, const content::PassResult& pass, Output& out) {
  std::size_t failed = 0, warned = 0, emitted = 0, published = 0;
  for (const auto& k : c.keys) {
    if (is_ssh_host_key(k.entry->path)) continue;
    published += k.published != nullptr;
    Evidence ev = at(k.path, k.line, fmt::format("{}; {}", describe_key(k.info), mode_text(*k.entry)),
                     "no unencrypted private key in the image");
    ev.offset = k.offset;
    Finding f;
    if (k.published) {
      ev.expected = "no private key in the image; a published test key is no one's secret";
      f = finding(kPrivateKeysCheck, Status::kInfo, k.path,
                  fmt::format("{} holds a public test key ({}): {} ships it in {} {} ({}), so it is no device's "
                              "secret and no unit's identity",
                              k.path, describe_key(k.info), k.published->why, k.published->package,
                              k.published->version, k.published->path),
                  {ev});
    } else if (k.documentation) {
      f = finding(kPrivateKeysCheck, Status::kWarn, k.path,
                  fmt::format("{} holds a {} in a documentation, example or test-fixture location: published "
                              "material, not a secret of this device, but a release image should not ship it",
                              k.path, describe_key(k.info)),
                  {ev});
      ++warned;
    } else if (k.info.encrypted) {
      f = finding(kPrivateKeysCheck, Status::kWarn, k.path,
                  fmt::format("{} holds an encrypted private key ({}); where does the device keep its passphrase?",
                              k.path, describe_key(k.info)),
                  {ev});
      ++warned;
    } else {
      f = finding(kPrivateKeysCheck, Status::kFail, k.path,
                  fmt::format("{} holds an unencrypted private key ({}) that anyone with the image can use", k.path,
                              describe_key(k.info)),
                  {ev});
      if (is_signing_key_path(k.entry->path)) {
        f.severity = Severity::kCritical;
        f.severity_override = true;
        f.message += "; its location suggests a signing key, which must never be on the device";
      }
      ++failed;
    }
    if (emitted++ < kMaxFindingsPerCheck) out.findings.push_back(std::move(f));
  }
  if (emitted > kMaxFindingsPerCheck) {
    out.findings.push_back(
        finding(kPrivateKeysCheck, failed ? Status::kFail : Status::kWarn, "/",
                fmt::format("{} more private keys were not listed one by one", emitted - kMaxFindingsPerCheck)));
  }
  if (failed || warned) return;
  if (!pass.error.empty()) {
    out.findings.push_back(finding(kPrivateKeysCheck, Status::kInconclusive, "/",
                                   "the content pass could not run (" + pass.error +
                                       "); only whole-file DER, PKCS#12 and OpenSSH keys were looked for"));
    return;
  }
  out.findings.push_back(finding(
      kPrivateKeysCheck, Status::kPass, "/",
      fmt::format("no private key in {} files ({} bytes) scanned{}; {} PEM private-key headers did not parse as keys "
                  "(quoted in documentation or code)",
                  pass.files_scanned, pass.bytes_scanned,
                  published ? fmt::format(" other than {} published test keys", published) : std::string(),
                  c.unconfirmed_headers),
      {at("/", 0,
          fmt::format("{} files scanned, {} skipped as larger than {} MiB", pass.files_scanned, pass.files_skipped,
                      limits::kMaxContentScanFileBytes >> 20))}));
}

void check_secrets(const Collected& c, const content::PassResult& pass, bool lwa, Output& out) {
  std::string_view check = lwa ? kLwaCheck : kHardcodedCheck;
  std::size_t emitted = 0, found = 0;
  for (const auto& s : c.secrets) {
    if (s.lwa != lwa) continue;
    ++found;
    if (emitted++ >= kMaxFindingsPerCheck) continue;
    Evidence ev = at(s.path, s.line, fmt::format("{}: {}", s.kind, s.value),
                     lwa ? "no Login with Amazon token or client secret in the image" : "no hard-coded credential");
    ev.offset = s.offset;
    Status st = s.weak && !lwa ? Status::kWarn : Status::kFail;
    std::string note = s.weak ? " (a string in a binary file: weaker evidence than a configuration line; check "
                                "whether the program uses it)"
                              : "";
    out.findings.push_back(
        finding(check, st, s.path, fmt::format("{} contains a {}{}", s.path, s.kind, note), {std::move(ev)}));
  }
  if (emitted > kMaxFindingsPerCheck) {
    out.findings.push_back(finding(check, Status::kFail, "/",
                                   fmt::format("{} more were not listed one by one", emitted - kMaxFindingsPerCheck)));
  }
  if (found) return;
  out.findings.push_back(
      finding(check, Status::kPass, "/",
              lwa ? fmt::format("no Login with Amazon refresh or access token or client secret in {} files scanned",
                                pass.files_scanned)
                  : fmt::format("no cloud API key, Wi-Fi PSK, .netrc or configuration password in {} files scanned "
                                "({} matches in documentation paths ignored)",
                                pass.files_scanned, c.documentation_secrets)));
}

void check_permissions(const Collected& c, Output& out) {
  std::map<const Entry*, std::pair<std::string, std::string>> files;  // entry -> display path, what it holds
  for (const auto& k : c.keys) {
    if (device_key(k) && !is_ssh_host_key(k.entry->path)) files.emplace(k.entry, std::pair(k.path, "a private key"));
  }
  for (const auto& s : c.secrets) {
    if (!s.weak) files.emplace(s.entry, std::pair(s.path, s.kind));
  }
  if (files.empty()) {
    out.findings.push_back(
        finding(kPermsCheck, Status::kNotApplicable, "/", "no file with a private key, token or credential was found"));
    return;
  }
  std::size_t bad = 0;
  for (const auto& [e, held] : files) {
    const std::uint32_t m = e->st.mode;
    const auto& [shown, what] = held;
    Evidence ev = at(shown, 0, mode_text(*e), "mode 0600 (or 0640 with a dedicated group)");
    if ((m & 0004) || (m & 0002) || (m & 0020)) {
      ++bad;
      out.findings.push_back(finding(kPermsCheck, Status::kFail, shown,
                                     fmt::format("{} holds {} and is {}", shown, what,
                                                 (m & 0004) ? "readable by every user" : "writable by other users"),
                                     {ev}));
    } else if ((m & 0040) && e->st.gid != 0) {
      ++bad;
      out.findings.push_back(
          finding(kPermsCheck, Status::kWarn, shown,
                  fmt::format("{} holds {} and is readable by group {}: make sure it is a dedicated group", shown, what,
                              e->st.gid),
                  {ev}));
    }
  }
  if (bad == 0) {
    out.findings.push_back(finding(kPermsCheck, Status::kPass, "/",
                                   fmt::format("all {} files holding keys or credentials are readable only by their "
                                               "owner (and root's group)",
                                               files.size())));
  }
}

// ---- keys-hw-keystore-present ----------------------------------------------------------------

struct StoreEvidence {
  std::string kind;  ///< "OP-TEE", "TPM 2.0", ...
  std::string path;
};

std::vector<StoreEvidence> hardware_stores(const inventory::Inventory& inv, std::vector<std::string>& software) {
  std::vector<StoreEvidence> out;
  std::set<std::string> seen;
  auto add = [&](std::string kind, const Entry& e) {
    if (seen.insert(kind).second) out.push_back({std::move(kind), inv.display_path(e)});
  };
  for (const auto& e : inv.entries()) {
    if (e.st.is_dir()) continue;
    std::string_view name = base_name(e.path);
    if (name == "tee-supplicant" || name.starts_with("libteec.so") ||
        ((e.path.starts_with("/lib/optee_armtz/") || e.path.starts_with("/usr/lib/optee_armtz/")) &&
         name.ends_with(".ta"))) {
      add("OP-TEE (TEE client and trusted applications)", e);
    } else if (name.starts_with("libtss2-") || name == "tpm2-abrmd" || name.starts_with("libtpm2_pkcs11.so")) {
      add("TPM 2.0 (tpm2-tss, tpm2-abrmd, tpm2-pkcs11)", e);
    } else if (name == "qseecomd" || name.starts_with("libQSEEComAPI")) {
      add("Qualcomm QSEE", e);
    } else if (name.starts_with("libtrusty") || name == "storageproxyd") {
      add("Trusty TEE", e);
    } else if (name.starts_with("libcryptoauth") || name.starts_with("libateccssl")) {
      add("Microchip secure element (cryptoauthlib)", e);
    } else if (name.starts_with("libsss_") || name.starts_with("libse05x") || name.starts_with("libex_sss")) {
      add("NXP EdgeLock SE05x middleware", e);
    } else if (name.starts_with("android.hardware.security.keymint") ||
               name.starts_with("android.hardware.keymaster@")) {
      add("Android KeyMint/Keymaster HAL", e);
    } else if (name == "caam-keygen") {
      add("NXP CAAM key blobs (caam-keygen)", e);
    } else if (name.starts_with("libsofthsm2.so")) {
      software.push_back(inv.display_path(e));
    }
  }
  return out;
}

/// Configuration that routes keys through a hardware store: p11-kit module files naming a
/// TPM/TEE/SE module, OpenSSL configuration loading a pkcs11/tpm2 provider or engine, crypttab
/// unlocking with a TPM. Read only the small files named.
std::vector<std::string> hardware_store_uses(const inventory::Inventory& inv) {
  std::vector<std::string> uses;
  for (const auto& e : inv.entries()) {
    if (!e.st.is_regular() || e.st.size > limits::kMaxConfigFileBytes) continue;
    bool module_file = e.path.starts_with("/etc/pkcs11/modules/") || e.path.starts_with("/usr/share/p11-kit/modules/");
    bool openssl_cnf = base_name(e.path) == "openssl.cnf";
    bool crypttab = e.path == "/etc/crypttab";
    if (!module_file && !openssl_cnf && !crypttab) continue;
    auto text = inv.vfs(e.filesystem).read_file(e.path, limits::kMaxConfigFileBytes);
    if (!text.ok()) continue;
    std::string t = lower(*text);
    std::string path = inv.display_path(e);
    if (module_file && (t.find("tpm2") != std::string::npos || t.find("optee") != std::string::npos ||
                        t.find("sss") != std::string::npos || t.find("cryptoauth") != std::string::npos)) {
      uses.push_back(fmt::format("{}: PKCS#11 module backed by hardware", path));
    }
    if (openssl_cnf && (t.find("tpm2") != std::string::npos || t.find("pkcs11") != std::string::npos)) {
      uses.push_back(fmt::format("{}: OpenSSL loads a TPM or PKCS#11 provider/engine", path));
    }
    if (crypttab && t.find("tpm2-device") != std::string::npos) {
      uses.push_back(fmt::format("{}: a volume is unlocked with the TPM", path));
    }
  }
  return uses;
}

void check_keystore(const inventory::Inventory& inv, const Collected& c, Output& out) {
  std::vector<std::string> software;
  auto stores = hardware_stores(inv, software);
  auto uses = hardware_store_uses(inv);
  std::size_t plaintext = 0;
  for (const auto& k : c.keys) plaintext += device_key(k) && !k.info.encrypted && !is_ssh_host_key(k.entry->path);
  for (const auto& s : c.secrets) plaintext += s.lwa;
  std::vector<Evidence> ev;
  for (const auto& s : stores) ev.push_back(at(s.path, 0, s.kind));
  for (const auto& u : uses) ev.push_back(at(u.substr(0, u.find(':')), 0, u.substr(u.find(':') + 2)));
  for (const auto& s : software) ev.push_back(at(s, 0, "SoftHSM: a software token, not hardware"));
  std::vector<std::string> kinds;
  for (const auto& s : stores) kinds.push_back(s.kind);
  std::string kinds_text = fmt::format("{}", fmt::join(kinds, ", "));
  if (!stores.empty() && !uses.empty()) {
    out.findings.push_back(finding(kKeystoreCheck, Status::kPass, "/",
                                   fmt::format("hardware key store present ({}) and configured for use", kinds_text),
                                   std::move(ev)));
  } else if (!stores.empty()) {
    out.findings.push_back(finding(kKeystoreCheck, Status::kWarn, "/",
                                   fmt::format("hardware key store present ({}) but no configuration in the image "
                                               "routes keys through it (PKCS#11 module, OpenSSL provider, crypttab)",
                                               kinds_text),
                                   std::move(ev)));
  } else if (plaintext) {
    out.findings.push_back(finding(kKeystoreCheck, Status::kFail, "/",
                                   fmt::format("no TEE, TPM, secure element or KeyMint component in the image, and {} "
                                               "private keys or tokens are stored in plaintext",
                                               plaintext),
                                   std::move(ev)));
  } else {
    out.findings.push_back(finding(kKeystoreCheck, Status::kWarn, "/",
                                   software.empty() ? std::string("no TEE, TPM, secure element or KeyMint component in "
                                                                  "the image; where will device credentials be kept?")
                                                    : std::string("only a software PKCS#11 token (SoftHSM) is present; "
                                                                  "no hardware-backed key store"),
                                   std::move(ev)));
  }
}

// ---- keys-data-at-rest -----------------------------------------------------------------------

void check_at_rest(const inventory::Inventory& inv, const Collected& c, Output& out) {
  enum Strength { kNone, kKeyUnknown, kHardware };
  Strength best = kNone;
  std::vector<Evidence> ev;
  std::vector<std::string> notes;
  auto note = [&](Strength s, Evidence e, std::string what) {
    best = std::max(best, s);
    ev.push_back(std::move(e));
    notes.push_back(std::move(what));
  };
  for (std::uint32_t fs = 0; fs < inv.filesystems().size(); ++fs) {
    const vfs::Vfs& v = inv.vfs(fs);
    if (auto t = v.read_file("/etc/crypttab", limits::kMaxConfigFileBytes); t.ok()) {
      for (auto [n, line] : text::lines(*t, text::kNoLineLimit)) {
        auto first = line.find_first_not_of(" \t");
        if (first == std::string_view::npos || line[first] == '#') continue;
        std::string l(line.substr(first));
        std::string path = inv.display_path(fs, "/etc/crypttab");
        std::vector<std::string> f;
        std::size_t i = 0;
        while (i < l.size()) {
          auto s = l.find_first_not_of(" \t", i);
          if (s == std::string::npos) break;
          auto e2 = l.find_first_of(" \t", s);
          f.push_back(l.substr(s, e2 == std::string::npos ? std::string::npos : e2 - s));
          i = e2 == std::string::npos ? l.size() : e2;
        }
        std::string key = f.size() > 2 ? f[2] : "none";
        std::string opts = f.size() > 3 ? f[3] : "";
        if (opts.find("tpm2-device") != std::string::npos || opts.find("pkcs11-uri") != std::string::npos ||
            opts.find("fido2-device") != std::string::npos) {
          note(kHardware, at(path, n, l), fmt::format("{}: key unsealed by hardware", path));
        } else if (key != "none" && key != "-" && key.starts_with("/")) {
          note(kKeyUnknown, at(path, n, l, "key sealed by a TEE, TPM or SoC key unit"),
               fmt::format("{}: key file {} on the device's own storage", path, key));
        } else {
          note(kKeyUnknown, at(path, n, l, "key sealed by a TEE, TPM or SoC key unit"),
               fmt::format("{}: passphrase or key source not in the image", path));
        }
      }
    }
    for (const char* fstab : {"/etc/fstab", "/vendor/etc/fstab", "/system/etc/fstab"}) {
      auto t = v.read_file(fstab, limits::kMaxConfigFileBytes);
      if (!t.ok()) continue;
      for (std::string_view word : {"fileencryption=", "forceencrypt=", "encryptable="}) {
        if (auto p = t->find(word); p != std::string::npos) {
          std::size_t line =
              1 + static_cast<std::size_t>(std::count(t->begin(), t->begin() + static_cast<long>(p), '\n'));
          note(kHardware, at(inv.display_path(fs, fstab), line, std::string(word)),
               fmt::format("{}: Android {} (keys from KeyMint)", inv.display_path(fs, fstab), word));
          break;
        }
      }
    }
    if (v.exists("/etc/fscrypt.conf")) {
      note(kKeyUnknown, at(inv.display_path(fs, "/etc/fscrypt.conf"), 0, "fscrypt configured"),
           "fscrypt configured; key protectors not in the image");
    }
  }
  for (const auto& p : c.luks)
    note(kKeyUnknown, at(p, 0, "LUKS header at offset 0"), fmt::format("{}: LUKS volume", p));
  std::string joined = fmt::format("{}", fmt::join(notes, "; "));
  if (best == kHardware) {
    out.findings.push_back(finding(kAtRestCheck, Status::kPass, "/",
                                   "data-at-rest encryption with a hardware-held key: " + joined, std::move(ev)));
  } else if (best == kKeyUnknown) {
    out.findings.push_back(finding(kAtRestCheck, Status::kWarn, "/",
                                   "data is encrypted at rest but the key is not shown to come from a TEE, TPM or SoC "
                                   "key unit: " +
                                       joined,
                                   std::move(ev)));
  } else {
    out.findings.push_back(finding(kAtRestCheck, Status::kFail, "/",
                                   "no data-at-rest encryption configured: no /etc/crypttab entry, LUKS volume, "
                                   "fscrypt configuration or Android file-based encryption in the image",
                                   {at("/etc/crypttab", 0, "absent", "an encrypted data partition")}));
  }
}

}  // namespace

std::span<const std::string_view> checks() { return kChecks; }

Output run(const Context& ctx) {
  Output out;
  const auto& inv = ctx.inventory;
  const content::PassResult& pass = ctx.evidence().content();
  out.diagnostics = pass.diagnostics;
  Collected c;
  if (pass.error.empty()) {
    for (const auto& fm : pass.files) confirm_matches(inv, inv.entries()[fm.entry], fm, c, out.facts);
  }
  for (const auto& e : inv.entries()) confirm_file_keys(inv, e, c);
  std::stable_sort(c.keys.begin(), c.keys.end(), [](const KeyHit& a, const KeyHit& b) {
    return a.path != b.path ? a.path < b.path : a.offset < b.offset;
  });
  for (const auto& k : c.keys) {
    Evidence src = at(k.path, k.line, describe_key(k.info));
    src.offset = k.offset;
    out.facts.push_back({"secrets", k.path, "key.algorithm", k.info.algorithm, src});
    out.facts.push_back({"secrets", k.path, "key.bits", static_cast<std::int64_t>(k.info.bits), src});
    out.facts.push_back({"secrets", k.path, "key.encrypted", k.info.encrypted, src});
    out.facts.push_back({"secrets", k.path, "key.format", k.info.format, src});
    if (k.published)
      out.facts.push_back({"secrets", k.path, "key.published",
                           fmt::format("{} {} {}", k.published->package, k.published->version, k.published->path),
                           src});
  }

  if (!pass.error.empty()) {
    for (auto check : {kLwaCheck, kHardcodedCheck}) {
      out.findings.push_back(
          finding(check, Status::kInconclusive, "/", "the content pass could not run: " + pass.error));
    }
  } else {
    check_secrets(c, pass, true, out);
    check_secrets(c, pass, false, out);
  }
  check_private_keys(c, pass, out);
  check_permissions(c, out);
  check_keystore(inv, c, out);
  check_at_rest(inv, c, out);
  return out;
}

}  // namespace fwcert::analyzers::secrets
