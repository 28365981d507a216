#include "vulns/version.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "core/text.hpp"

namespace fwcert::vulns {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_alnum(char c) { return is_digit(c) || is_alpha(c); }

/// The byte at `i`, or 0 past the end: the C-string view the reference algorithms are written for.
char at(std::string_view s, std::size_t i) { return i < s.size() ? s[i] : '\0'; }

int sign(int v) { return (v > 0) - (v < 0); }

/// Two runs of decimal digits compared as numbers of any length.
int compare_digits(std::string_view a, std::string_view b) {
  while (!a.empty() && a.front() == '0') a.remove_prefix(1);
  while (!b.empty() && b.front() == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return sign(a.compare(b));
}

bool all_digits(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), is_digit); }

// --- dpkg ------------------------------------------------------------------------------------

/// dpkg's weight of one byte of a non-digit run: `~` below the end, the end below letters,
/// letters below every other byte.
int dpkg_order(char c) {
  if (is_digit(c)) return 0;
  if (is_alpha(c)) return static_cast<unsigned char>(c);
  if (c == '~') return -1;
  if (c) return static_cast<unsigned char>(c) + 256;
  return 0;
}

int dpkg_verrevcmp(std::string_view a, std::string_view b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    int first_diff = 0;
    while ((i < a.size() && !is_digit(a[i])) || (j < b.size() && !is_digit(b[j]))) {
      const int ac = dpkg_order(at(a, i));
      const int bc = dpkg_order(at(b, j));
      if (ac != bc) return sign(ac - bc);
      ++i;
      ++j;
    }
    while (at(a, i) == '0') ++i;
    while (at(b, j) == '0') ++j;
    while (is_digit(at(a, i)) && is_digit(at(b, j))) {
      if (!first_diff) first_diff = at(a, i) - at(b, j);
      ++i;
      ++j;
    }
    if (is_digit(at(a, i))) return 1;
    if (is_digit(at(b, j))) return -1;
    if (first_diff) return sign(first_diff);
  }
  return 0;
}

struct Evr {
  std::string_view epoch;  ///< digits, "" = 0
  std::string_view version;
  std::string_view revision;
  bool has_revision = false;
};

/// [epoch:]upstream[-revision]: the epoch only when all digits, the revision after the last '-'.
Evr split_evr(std::string_view v) {
  Evr e;
  if (auto colon = v.find(':'); colon != std::string_view::npos && all_digits(v.substr(0, colon))) {
    e.epoch = v.substr(0, colon);
    v.remove_prefix(colon + 1);
  }
  if (auto dash = v.rfind('-'); dash != std::string_view::npos) {
    e.revision = v.substr(dash + 1);
    e.has_revision = true;
    v = v.substr(0, dash);
  }
  e.version = v;
  return e;
}

// --- rpm -------------------------------------------------------------------------------------

int rpmvercmp(std::string_view a, std::string_view b) {
  if (a == b) return 0;
  std::size_t i = 0, j = 0;
  auto skip = [](std::string_view s, std::size_t& k) {
    while (k < s.size() && !is_alnum(s[k]) && s[k] != '~' && s[k] != '^') ++k;
  };
  while (i < a.size() || j < b.size()) {
    skip(a, i);
    skip(b, j);
    const char ca = at(a, i), cb = at(b, j);
    if (ca == '~' || cb == '~') {
      if (ca != '~') return 1;
      if (cb != '~') return -1;
      ++i;
      ++j;
      continue;
    }
    if (ca == '^' || cb == '^') {
      if (!ca) return -1;
      if (!cb) return 1;
      if (ca != '^') return 1;
      if (cb != '^') return -1;
      ++i;
      ++j;
      continue;
    }
    if (!ca || !cb) break;
    const std::size_t si = i, sj = j;
    const bool numeric = is_digit(ca);
    auto same_kind = [numeric](char c) { return numeric ? is_digit(c) : is_alpha(c); };
    while (i < a.size() && same_kind(a[i])) ++i;
    while (j < b.size() && same_kind(b[j])) ++j;
    // a numeric segment is newer than an alphabetic one
    if (j == sj) return numeric ? 1 : -1;
    const std::string_view sa = a.substr(si, i - si), sb = b.substr(sj, j - sj);
    const int rc = numeric ? compare_digits(sa, sb) : sign(sa.compare(sb));
    if (rc) return rc;
  }
  const bool a_left = i < a.size(), b_left = j < b.size();
  if (!a_left && !b_left) return 0;
  return a_left ? 1 : -1;
}

// --- generic ---------------------------------------------------------------------------------

struct Token {
  std::string_view text;
  bool numeric = false;
  char separator = 0;  ///< the byte before it when that is not alphanumeric, else 0
};

std::vector<Token> generic_tokens(std::string_view v) {
  if (v.size() > 1 && (v[0] == 'v' || v[0] == 'V') && is_digit(v[1])) v.remove_prefix(1);
  std::vector<Token> out;
  std::size_t i = 0;
  char sep = 0;
  while (i < v.size()) {
    const char c = v[i];
    if (c == '+') break;  // build metadata does not order
    if (!is_alnum(c)) {
      sep = c;
      ++i;
      continue;
    }
    const std::size_t start = i;
    const bool numeric = is_digit(c);
    while (i < v.size() && (numeric ? is_digit(v[i]) : is_alpha(v[i]))) ++i;
    out.push_back({v.substr(start, i - start), numeric, sep});
    sep = 0;
  }
  return out;
}

/// Rank of a pre-release word (lower is earlier), or -1 when the word is not one.
int pre_release_rank(std::string_view word) {
  static constexpr std::array<std::string_view, 8> kWords = {"dev", "snapshot", "alpha", "beta",
                                                             "pre", "preview",  "rc",    "cr"};
  const std::string w = text::lower(word);
  for (std::size_t k = 0; k < kWords.size(); ++k) {
    if (w == kWords[k]) return static_cast<int>(k);
  }
  return -1;
}

bool is_pre_release(const Token& t) { return !t.numeric && (t.separator == '~' || pre_release_rank(t.text) >= 0); }

// --- apk -------------------------------------------------------------------------------------

struct ApkVersion {
  std::vector<std::string_view> numbers;
  char letter = 0;
  std::vector<std::pair<int, std::string_view>> suffixes;  ///< rank, number
  std::string_view revision;
};

int apk_suffix_rank(std::string_view s) {
  static constexpr std::array<std::pair<std::string_view, int>, 9> kSuffixes = {{
      {"alpha", -4},
      {"beta", -3},
      {"pre", -2},
      {"rc", -1},
      {"cvs", 1},
      {"svn", 2},
      {"git", 3},
      {"hg", 4},
      {"p", 5},
  }};
  for (const auto& [name, rank] : kSuffixes) {
    if (s == name) return rank;
  }
  return 0;
}

bool parse_apk(std::string_view v, ApkVersion& out) {
  std::size_t i = 0;
  auto digits = [&]() {
    const std::size_t s = i;
    while (i < v.size() && is_digit(v[i])) ++i;
    return v.substr(s, i - s);
  };
  auto n = digits();
  if (n.empty()) return false;
  out.numbers.push_back(n);
  while (i < v.size() && v[i] == '.') {
    ++i;
    n = digits();
    if (n.empty()) return false;
    out.numbers.push_back(n);
  }
  if (i < v.size() && v[i] >= 'a' && v[i] <= 'z') out.letter = v[i++];
  while (i < v.size() && v[i] == '_') {
    ++i;
    const std::size_t s = i;
    while (i < v.size() && v[i] >= 'a' && v[i] <= 'z') ++i;
    const int rank = apk_suffix_rank(v.substr(s, i - s));
    if (rank == 0) return false;
    out.suffixes.emplace_back(rank, digits());
  }
  if (i < v.size()) {
    if (v.substr(i, 2) != "-r") return false;
    i += 2;
    out.revision = digits();
    if (out.revision.empty()) return false;
  }
  return i == v.size();
}

}  // namespace

int compare_debian(std::string_view a, std::string_view b) {
  const Evr ea = split_evr(a), eb = split_evr(b);
  if (int c = compare_digits(ea.epoch, eb.epoch)) return c;
  if (int c = dpkg_verrevcmp(ea.version, eb.version)) return c;
  return dpkg_verrevcmp(ea.revision, eb.revision);
}

int compare_apk(std::string_view a, std::string_view b) {
  ApkVersion va, vb;
  const bool ok_a = parse_apk(a, va), ok_b = parse_apk(b, vb);
  // A string that is not an apk version sorts after every apk version (so the order stays
  // transitive); such strings order among themselves by the generic ordering.
  if (!ok_a || !ok_b) return ok_a != ok_b ? (ok_a ? -1 : 1) : compare_generic(a, b);
  const std::size_t n = std::min(va.numbers.size(), vb.numbers.size());
  for (std::size_t k = 0; k < n; ++k) {
    if (int c = compare_digits(va.numbers[k], vb.numbers[k])) return c;
  }
  if (va.numbers.size() != vb.numbers.size()) return va.numbers.size() < vb.numbers.size() ? -1 : 1;
  if (va.letter != vb.letter) return va.letter < vb.letter ? -1 : 1;
  const std::size_t m = std::max(va.suffixes.size(), vb.suffixes.size());
  for (std::size_t k = 0; k < m; ++k) {
    const int ra = k < va.suffixes.size() ? va.suffixes[k].first : 0;
    const int rb = k < vb.suffixes.size() ? vb.suffixes[k].first : 0;
    if (ra != rb) return ra < rb ? -1 : 1;
    if (int c = compare_digits(k < va.suffixes.size() ? va.suffixes[k].second : std::string_view(),
                               k < vb.suffixes.size() ? vb.suffixes[k].second : std::string_view())) {
      return c;
    }
  }
  return compare_digits(va.revision, vb.revision);
}

int compare_rpm(std::string_view a, std::string_view b) {
  const Evr ea = split_evr(a), eb = split_evr(b);
  if (int c = compare_digits(ea.epoch, eb.epoch)) return c;
  if (int c = rpmvercmp(ea.version, eb.version)) return c;
  // A missing release is older than any release (rpm's dependency matching treats it as "any
  // release", which is not an order).
  return rpmvercmp(ea.revision, eb.revision);
}

int compare_generic(std::string_view a, std::string_view b) {
  const auto ta = generic_tokens(a), tb = generic_tokens(b);
  const std::size_t n = std::max(ta.size(), tb.size());
  for (std::size_t k = 0; k < n; ++k) {
    if (k >= ta.size()) return is_pre_release(tb[k]) ? 1 : -1;
    if (k >= tb.size()) return is_pre_release(ta[k]) ? -1 : 1;
    const Token &x = ta[k], &y = tb[k];
    if (x.numeric && y.numeric) {
      if (int c = compare_digits(x.text, y.text)) return c;
      continue;
    }
    const bool px = is_pre_release(x), py = is_pre_release(y);
    if (x.numeric != y.numeric) {
      // a number is later than a letter run after the same prefix (1.1.1 > 1.1a)
      return x.numeric ? 1 : -1;
    }
    if (px != py) return px ? -1 : 1;
    if (px) {
      const int rx = pre_release_rank(x.text), ry = pre_release_rank(y.text);
      if (rx != ry) return rx < ry ? -1 : 1;
    }
    const std::string lx = text::lower(x.text), ly = text::lower(y.text);
    if (int c = sign(lx.compare(ly))) return c;
  }
  return 0;
}

Scheme scheme_for(std::string_view ecosystem) {
  const std::string e = text::lower(ecosystem);
  auto starts = [&](std::string_view p) { return e.starts_with(p); };
  if (e == "deb" || e == "opkg" || e == "dpkg" || starts("debian") || starts("ubuntu")) return Scheme::kDebian;
  if (e == "apk" || starts("alpine") || starts("wolfi") || starts("chainguard")) return Scheme::kApk;
  if (e == "rpm" || starts("red hat") || starts("rocky linux") || starts("almalinux") || starts("opensuse") ||
      starts("suse") || starts("mageia") || starts("openeuler")) {
    return Scheme::kRpm;
  }
  return Scheme::kGeneric;
}

const char* to_string(Scheme s) {
  switch (s) {
    case Scheme::kDebian:
      return "debian";
    case Scheme::kApk:
      return "apk";
    case Scheme::kRpm:
      return "rpm";
    case Scheme::kGeneric:
      break;
  }
  return "generic";
}

Scheme parse_scheme(std::string_view s) {
  if (s == "debian") return Scheme::kDebian;
  if (s == "apk") return Scheme::kApk;
  if (s == "rpm") return Scheme::kRpm;
  return Scheme::kGeneric;
}

int compare(Scheme s, std::string_view a, std::string_view b) {
  switch (s) {
    case Scheme::kDebian:
      return compare_debian(a, b);
    case Scheme::kApk:
      return compare_apk(a, b);
    case Scheme::kRpm:
      return compare_rpm(a, b);
    case Scheme::kGeneric:
      break;
  }
  return compare_generic(a, b);
}

std::string upstream_version(Scheme s, std::string_view version) {
  switch (s) {
    case Scheme::kDebian:
    case Scheme::kRpm:
      return std::string(split_evr(version).version);
    case Scheme::kApk:
      if (auto r = version.rfind("-r"); r != std::string_view::npos && all_digits(version.substr(r + 2))) {
        return std::string(version.substr(0, r));
      }
      return std::string(version);
    case Scheme::kGeneric:
      break;
  }
  return std::string(version);
}

}  // namespace fwcert::vulns
