#include "formats/accounts/accounts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "core/limits.hpp"
#include "core/text.hpp"

namespace fwcert::formats::accounts {

namespace {

constexpr std::string_view kItoa64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Index of c in the crypt(3) base-64 alphabet, or -1.
int itoa64_index(char c) {
  auto pos = kItoa64.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

bool is_itoa64(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return itoa64_index(c) >= 0; });
}

/// Little-endian base-64 number of `s.size()` digits (BSDi count, scrypt r and p).
std::optional<std::uint64_t> decode_itoa64_le(std::string_view s) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    int d = itoa64_index(s[i]);
    if (d < 0) return std::nullopt;
    v |= static_cast<std::uint64_t>(d) << (6 * i);
  }
  return v;
}

std::optional<std::uint64_t> parse_decimal(std::string_view s, std::uint64_t max) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  std::uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

std::optional<std::uint32_t> parse_id(std::string_view s) {
  auto v = parse_decimal(s, 0xffffffffull);
  if (!v) return std::nullopt;
  return static_cast<std::uint32_t>(*v);
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    auto pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

/// Splits `text` into lines and hands each record line (not blank, comment or NIS) to
/// `parse_line`, which returns an error message for a line it cannot use.
template <typename Record, typename ParseLine>
Parsed<Record> parse_lines(std::string_view text, ParseLine parse_line) {
  Parsed<Record> out;
  if (text.size() > limits::kMaxConfigFileBytes) {
    text = text.substr(0, limits::kMaxConfigFileBytes);
    out.truncated = true;
    out.diagnostics.push_back(
        {0, fmt::format("file larger than {} bytes; only the start was read", limits::kMaxConfigFileBytes)});
  }
  // One line past the limit is read to tell a file cut at the limit from one that ends there.
  for (auto [line_no, line] : text::lines(text, limits::kMaxConfigLines + 1)) {
    if (line_no > limits::kMaxConfigLines) {
      out.truncated = true;
      out.diagnostics.push_back({0, fmt::format("more than {} lines; the rest was ignored", limits::kMaxConfigLines)});
      break;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (is_blank(line)) continue;
    auto first = line.find_first_not_of(" \t");
    if (line[first] == '#') continue;
    if (line[0] == '+' || line[0] == '-') {
      ++out.nis_lines;
      continue;
    }
    Record rec;
    rec.line = line_no;
    if (auto error = parse_line(split(line, ':'), rec); !error.empty()) {
      out.diagnostics.push_back({line_no, std::move(error)});
      continue;
    }
    out.records.push_back(std::move(rec));
  }
  return out;
}

}  // namespace

Parsed<PasswdEntry> parse_passwd(std::string_view text) {
  return parse_lines<PasswdEntry>(text, [](const std::vector<std::string_view>& f, PasswdEntry& e) -> std::string {
    if (f.size() != 7) return fmt::format("expected 7 colon-separated fields, found {}", f.size());
    if (f[0].empty()) return "empty user name";
    auto uid = parse_id(f[2]);
    auto gid = parse_id(f[3]);
    if (!uid) return "uid is not a number in 0..4294967295";
    if (!gid) return "gid is not a number in 0..4294967295";
    e.name = f[0];
    e.password = f[1];
    e.uid = *uid;
    e.gid = *gid;
    e.gecos = f[4];
    e.home = f[5];
    e.shell = f[6];
    return {};
  });
}

Parsed<ShadowEntry> parse_shadow(std::string_view text) {
  return parse_lines<ShadowEntry>(text, [](const std::vector<std::string_view>& f, ShadowEntry& e) -> std::string {
    if (f.size() < 2 || f.size() > 9) return fmt::format("expected 2 to 9 colon-separated fields, found {}", f.size());
    if (f[0].empty()) return "empty user name";
    e.name = f[0];
    e.password = f[1];
    return {};
  });
}

Parsed<GroupEntry> parse_group(std::string_view text) {
  return parse_lines<GroupEntry>(text, [](const std::vector<std::string_view>& f, GroupEntry& e) -> std::string {
    if (f.size() != 4) return fmt::format("expected 4 colon-separated fields, found {}", f.size());
    if (f[0].empty()) return "empty group name";
    auto gid = parse_id(f[2]);
    if (!gid) return "gid is not a number in 0..4294967295";
    e.name = f[0];
    e.gid = *gid;
    if (!f[3].empty()) {
      for (auto m : split(f[3], ',')) {
        if (!m.empty()) e.members.emplace_back(m);
      }
    }
    return {};
  });
}

const char* to_string(PasswordState s) {
  switch (s) {
    case PasswordState::kEmpty:
      return "empty";
    case PasswordState::kLocked:
      return "locked";
    case PasswordState::kSeeShadow:
      return "see-shadow";
    case PasswordState::kHash:
      return "hash";
    case PasswordState::kInvalid:
      return "invalid";
  }
  return "invalid";
}

namespace {

/// Decodes the "$id$..." forms. Returns false when the field is not a crypt string at all.
bool classify_dollar(std::string_view h, PasswordInfo& info) {
  auto id_end = h.find('$', 1);
  if (id_end == std::string_view::npos) return false;
  std::string_view id = h.substr(1, id_end - 1);
  std::string_view rest = h.substr(id_end + 1);
  std::string_view params = rest.substr(0, rest.find('$'));

  if (id == "1") {
    info.scheme = HashScheme::kMd5;
  } else if (id == "3") {
    info.scheme = HashScheme::kNtHash;
  } else if (id == "md5" || id.starts_with("md5,")) {
    // SunMD5 adds the optional rounds= to a base of 4096 iterations.
    info.scheme = HashScheme::kSunMd5;
    info.rounds = 4096;
    if (id.starts_with("md5,rounds=")) {
      auto r = parse_decimal(id.substr(11), 0xffffffffull);
      if (r)
        info.rounds += *r;
      else
        info.parameters_known = false;
    }
  } else if (id == "sha1") {
    info.scheme = HashScheme::kSha1;
    auto r = parse_decimal(params, 0xffffffffull);
    if (r)
      info.rounds = *r;
    else
      info.parameters_known = false;
  } else if (id.size() == 2 && id[0] == '2' && (id[1] == 'a' || id[1] == 'b' || id[1] == 'x' || id[1] == 'y')) {
    info.scheme = HashScheme::kBcrypt;
    info.variant = std::string(id);
    auto cost = params.size() == 2 ? parse_decimal(params, 31) : std::nullopt;
    if (cost && *cost >= 4)
      info.bcrypt_cost = static_cast<std::uint32_t>(*cost);
    else
      info.parameters_known = false;
  } else if (id == "5" || id == "6") {
    info.scheme = id == "5" ? HashScheme::kSha256 : HashScheme::kSha512;
    // The implementation clamps rounds= into [1000, 999999999] and defaults to 5000.
    info.rounds = 5000;
    if (params.starts_with("rounds=")) {
      auto r = parse_decimal(params.substr(7), ~0ull);
      if (r)
        info.rounds = std::clamp<std::uint64_t>(*r, 1000, 999'999'999);
      else
        info.parameters_known = false;
    }
  } else if (id == "y" || id == "gy") {
    info.scheme = id == "y" ? HashScheme::kYescrypt : HashScheme::kGostYescrypt;
    // Parameters as libxcrypt writes them: flavour, log2(N)-1, r-1, one base-64 digit each.
    // Longer parameter strings (p, t, g, ROM) are valid but not decoded here.
    int n = params.size() == 3 ? itoa64_index(params[1]) : -1;
    int r = params.size() == 3 ? itoa64_index(params[2]) : -1;
    if (n >= 0 && r >= 0 && n + 1 < 40) {
      info.memory_bytes = 128ull * static_cast<std::uint64_t>(r + 1) * (1ull << (n + 1));
    } else {
      info.parameters_known = false;
    }
  } else if (id == "7") {
    info.scheme = HashScheme::kScrypt;
    // "$7$" N (one digit, log2) r (five digits) p (five digits) salt.
    int n = rest.empty() ? -1 : itoa64_index(rest[0]);
    std::uint64_t r = rest.size() >= 6 ? decode_itoa64_le(rest.substr(1, 5)).value_or(0) : 0;
    std::uint64_t p = rest.size() >= 11 ? decode_itoa64_le(rest.substr(6, 5)).value_or(0) : 0;
    if (n >= 1 && n < 40 && r > 0 && p > 0) {
      // r is up to 30 bits: saturate rather than overflow; anything this big is refused later.
      info.memory_bytes = r > (1ull << 16) ? ~0ull : 128ull * r * (1ull << n);
      info.rounds = p;
    } else {
      info.parameters_known = false;
    }
  } else if (id.starts_with("argon2")) {
    info.scheme = HashScheme::kArgon2;
    info.variant = std::string(id.substr(0, std::min<std::size_t>(id.size(), 16)));
  } else {
    info.scheme = HashScheme::kUnknown;
    bool plain = !id.empty() && id.size() <= 16 && std::all_of(id.begin(), id.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
    if (plain) info.variant = std::string(id);
    info.parameters_known = false;
  }
  return true;
}

/// Printable ASCII without ':' and whitespace: what any crypt(3) output is made of.
bool is_crypt_text(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 0x7f && c != ':'; });
}

/// Classifies a field that is not empty, not "x" and not a lock marker.
PasswordInfo classify_hash(std::string_view h) {
  PasswordInfo info;
  info.state = PasswordState::kInvalid;
  if (!is_crypt_text(h)) return info;
  if (h.size() == 13 && is_itoa64(h)) {
    info.scheme = HashScheme::kDes;
  } else if (h.size() == 20 && h[0] == '_' && is_itoa64(h.substr(1))) {
    info.scheme = HashScheme::kBsdi;
    info.rounds = decode_itoa64_le(h.substr(1, 4)).value_or(0);
  } else if (h[0] != '$' || !classify_dollar(h, info)) {
    info = PasswordInfo{};
    return info;
  }
  info.state = PasswordState::kHash;
  info.hash = h;
  return info;
}

}  // namespace

PasswordInfo classify_password(std::string_view field, FieldSource source) {
  PasswordInfo info;
  if (field.empty()) {
    info.state = PasswordState::kEmpty;
    return info;
  }
  if (source == FieldSource::kPasswd && field == "x") {
    info.state = PasswordState::kSeeShadow;
    return info;
  }
  if (field[0] == '*') {
    // "*", "*LK*", "*NP*": crypt(3) never produces a leading '*', so nothing matches.
    info.state = PasswordState::kLocked;
    return info;
  }
  if (field[0] == '!') {
    // passwd -l / usermod -L put '!' in front of the hash; "!" and "!!" alone lock too.
    auto inner = field.substr(field.find_first_not_of('!') == std::string_view::npos ? field.size()
                                                                                     : field.find_first_not_of('!'));
    PasswordInfo wrapped = inner.empty() || inner[0] == '*' ? PasswordInfo{} : classify_hash(inner);
    if (wrapped.state != PasswordState::kHash) wrapped = PasswordInfo{};
    wrapped.state = PasswordState::kLocked;
    return wrapped;
  }
  return classify_hash(field);
}

std::string scheme_label(const PasswordInfo& info) {
  switch (info.scheme) {
    case HashScheme::kNone:
      return "none";
    case HashScheme::kDes:
      return "des-crypt";
    case HashScheme::kBsdi:
      return "bsdi-crypt (_)";
    case HashScheme::kMd5:
      return "md5-crypt ($1$)";
    case HashScheme::kSunMd5:
      return "sun-md5-crypt ($md5$)";
    case HashScheme::kNtHash:
      return "nt-hash ($3$)";
    case HashScheme::kSha1:
      return "sha1-crypt ($sha1$)";
    case HashScheme::kBcrypt:
      if (!info.parameters_known) return fmt::format("bcrypt (${}$)", info.variant);
      return fmt::format("bcrypt (${}$, cost {})", info.variant, info.bcrypt_cost);
    case HashScheme::kSha256:
      return "sha256-crypt ($5$)";
    case HashScheme::kSha512:
      return "sha512-crypt ($6$)";
    case HashScheme::kYescrypt:
      return "yescrypt ($y$)";
    case HashScheme::kGostYescrypt:
      return "gost-yescrypt ($gy$)";
    case HashScheme::kScrypt:
      return "scrypt ($7$)";
    case HashScheme::kArgon2:
      return fmt::format("{} (${}$)", info.variant, info.variant);
    case HashScheme::kUnknown:
      return info.variant.empty() ? "unrecognised scheme" : fmt::format("unrecognised scheme (${}$)", info.variant);
  }
  return "unrecognised scheme";
}

HashStrength hash_strength(const PasswordInfo& info) {
  switch (info.scheme) {
    case HashScheme::kDes:
    case HashScheme::kBsdi:
    case HashScheme::kMd5:
    case HashScheme::kSunMd5:
    case HashScheme::kNtHash:
      return HashStrength::kWeak;
    case HashScheme::kBcrypt:
      if (info.variant == "2a" || info.variant == "2x" || !info.parameters_known || info.bcrypt_cost < 10) {
        return HashStrength::kFair;
      }
      return HashStrength::kStrong;
    case HashScheme::kSha256:
    case HashScheme::kSha512:
    case HashScheme::kYescrypt:
    case HashScheme::kGostYescrypt:
    case HashScheme::kScrypt:
    case HashScheme::kArgon2:
      return HashStrength::kStrong;
    case HashScheme::kNone:
    case HashScheme::kSha1:
    case HashScheme::kUnknown:
      return HashStrength::kFair;
  }
  return HashStrength::kFair;
}

std::optional<std::uint64_t> crypt_cost_micros(const PasswordInfo& info) {
  if (info.state != PasswordState::kHash || !info.parameters_known) return std::nullopt;
  // Per-iteration costs measured with libxcrypt 4.4 on one x86-64 core, rounded up.
  switch (info.scheme) {
    case HashScheme::kDes:
      return 30;
    case HashScheme::kNtHash:
      return 5;
    case HashScheme::kMd5:
      return 100;
    case HashScheme::kBsdi:
      return 30 + info.rounds / 10;
    case HashScheme::kSunMd5:
      return 100 + info.rounds + info.rounds / 10;
    case HashScheme::kSha1:
      return 100 + info.rounds / 2;
    case HashScheme::kSha256:
    case HashScheme::kSha512:
      return 100 + info.rounds / 5;
    case HashScheme::kBcrypt:
      return 50ull << info.bcrypt_cost;
    case HashScheme::kYescrypt:
    case HashScheme::kGostYescrypt:
      if (info.memory_bytes > kMaxHashMemoryBytes) return std::nullopt;
      return 100 + info.memory_bytes / 1024;  // about 1 ms per MiB
    case HashScheme::kScrypt:
      if (info.memory_bytes > kMaxHashMemoryBytes || info.rounds > 64) return std::nullopt;
      return 100 + info.rounds * (info.memory_bytes / 1024) * 3;  // about 3 ms per MiB and p
    case HashScheme::kArgon2:                                     // libxcrypt has no argon2
    case HashScheme::kNone:
    case HashScheme::kUnknown:
      return std::nullopt;
  }
  return std::nullopt;
}

bool is_login_shell(std::string_view shell) {
  if (shell.empty()) return true;
  auto slash = shell.rfind('/');
  std::string_view base = slash == std::string_view::npos ? shell : shell.substr(slash + 1);
  static constexpr std::string_view kNotShells[] = {"nologin", "false", "true", "sync", "shutdown", "halt"};
  return std::find(std::begin(kNotShells), std::end(kNotShells), base) == std::end(kNotShells);
}

}  // namespace fwcert::formats::accounts
