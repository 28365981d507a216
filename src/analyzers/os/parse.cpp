#include "analyzers/os/parse.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <ctime>

#include "core/text.hpp"

namespace fwcert::analyzers::os {

namespace {

using text::trim;

bool is_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// A shell-style value: unquoted, 'single', or "double" with backslash escapes.
bool unquote_shell(std::string_view v, std::string& out) {
  out.clear();
  if (v.empty()) return true;
  char q = v.front();
  if (q != '"' && q != '\'') {
    out.assign(v);
    return true;
  }
  for (std::size_t i = 1; i < v.size(); ++i) {
    char c = v[i];
    if (c == q) return trim(v.substr(i + 1)).empty() || v[i + 1] == '#';
    if (q == '"' && c == '\\' && i + 1 < v.size()) c = v[++i];
    out.push_back(c);
  }
  return false;  // unterminated
}

}  // namespace

const KeyValue* KeyValueFile::find(std::string_view key) const { return text::find_last(entries, key); }

KeyValueFile parse_os_release(std::string_view text) {
  KeyValueFile f;
  for (auto [n, line] : text::lines(text)) {
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    if (line.starts_with("export ")) line = trim(line.substr(7));
    auto eq = line.find('=');
    std::string_view key = eq == std::string_view::npos ? line : line.substr(0, eq);
    if (eq == std::string_view::npos || !is_name(key)) {
      f.diagnostics.emplace_back(n, "not a KEY=value assignment");
      continue;
    }
    KeyValue kv{std::string(key), {}, n};
    if (!unquote_shell(trim(line.substr(eq + 1)), kv.value)) {
      f.diagnostics.emplace_back(n, "unterminated quote");
      continue;
    }
    f.entries.push_back(std::move(kv));
  }
  return f;
}

KeyValueFile parse_build_prop(std::string_view text) {
  KeyValueFile f;
  for (auto [n, line] : text::lines(text)) {
    line = trim(line);
    if (line.empty() || line.front() == '#' || line.starts_with("import ")) continue;
    auto eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      f.diagnostics.emplace_back(n, "not a key=value line");
      continue;
    }
    f.entries.push_back({std::string(trim(line.substr(0, eq))), std::string(trim(line.substr(eq + 1))), n});
  }
  return f;
}

KeyValueFile parse_buildinfo(std::string_view text) {
  KeyValueFile f;
  for (auto [n, line] : text::lines(text)) {
    line = trim(line);
    if (line.empty() || line.front() == '#' || line.starts_with("---")) continue;
    auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      f.diagnostics.emplace_back(n, "not a KEY = value line");
      continue;
    }
    std::string_view value = trim(line.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    f.entries.push_back({std::string(trim(line.substr(0, eq))), std::string(value), n});
  }
  return f;
}

std::string upstream_version(std::string_view v) {
  if (auto colon = v.find(':'); colon != std::string_view::npos && colon < 4 &&
                                std::all_of(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(colon), is_digit)) {
    v.remove_prefix(colon + 1);
  }
  auto end = v.find_first_of("-+~");
  return std::string(v.substr(0, end));
}

namespace {

std::optional<CivilDate> make_date(int year, unsigned month, unsigned day) {
  if (year < 1990 || year > 2099) return std::nullopt;
  return parse_date(fmt::format("{:04}-{:02}-{:02}", year, month, day));
}

unsigned digits_at(std::string_view s, std::size_t i, std::size_t n) {
  unsigned v = 0;
  for (std::size_t k = 0; k < n; ++k) v = v * 10 + static_cast<unsigned>(s[i + k] - '0');
  return v;
}

bool all_digits(std::string_view s, std::size_t i, std::size_t n) {
  if (i + n > s.size()) return false;
  for (std::size_t k = 0; k < n; ++k) {
    if (!is_digit(s[i + k])) return false;
  }
  return true;
}

}  // namespace

std::optional<CivilDate> date_in_text(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!is_digit(s[i]) || (i > 0 && is_digit(s[i - 1]))) continue;
    std::size_t run = 0;
    while (i + run < s.size() && is_digit(s[i + run])) ++run;
    if (run == 4 && i + 10 <= s.size() && (s[i + 4] == '-' || s[i + 4] == '.') && s[i + 7] == s[i + 4] &&
        all_digits(s, i + 5, 2) && all_digits(s, i + 8, 2) && (i + 10 == s.size() || !is_digit(s[i + 10]))) {
      if (auto d = make_date(static_cast<int>(digits_at(s, i, 4)), digits_at(s, i + 5, 2), digits_at(s, i + 8, 2)))
        return d;
    }
    if (run == 8 || run == 12 || run == 14) {
      if (auto d = make_date(static_cast<int>(digits_at(s, i, 4)), digits_at(s, i + 4, 2), digits_at(s, i + 6, 2)))
        return d;
    }
    i += run - 1;
  }
  return std::nullopt;
}

std::optional<CivilDate> date_of_epoch_seconds(std::string_view seconds) {
  seconds = trim(seconds);
  long long v = 0;
  auto r = std::from_chars(seconds.data(), seconds.data() + seconds.size(), v);
  if (r.ec != std::errc() || r.ptr != seconds.data() + seconds.size() || v <= 0) return std::nullopt;
  std::time_t t = static_cast<std::time_t>(v);
  std::tm tm{};
  if (!gmtime_r(&t, &tm)) return std::nullopt;
  return make_date(tm.tm_year + 1900, static_cast<unsigned>(tm.tm_mon + 1), static_cast<unsigned>(tm.tm_mday));
}

std::optional<CivilDate> kernel_banner_date(std::string_view banner) {
  auto hash = banner.find(" #");
  if (hash == std::string_view::npos) return std::nullopt;
  std::string_view rest = banner.substr(hash + 2);
  if (auto d = date_in_text(rest)) return d;
  // "Thu Mar 14 12:00:00 UTC 2024": a month name, its day, and the year as the last number.
  static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto words = text::words(rest);
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    auto m = std::find(std::begin(kMonths), std::end(kMonths), words[i]);
    if (m == std::end(kMonths)) continue;
    unsigned day = 0;
    const std::string& dw = words[i + 1];
    if (std::from_chars(dw.data(), dw.data() + dw.size(), day).ec != std::errc()) continue;
    for (std::size_t j = i + 2; j < words.size() && j < i + 6; ++j) {
      const std::string& yw = words[j];
      if (yw.size() == 4 && all_digits(yw, 0, 4)) {
        return make_date(static_cast<int>(digits_at(yw, 0, 4)), static_cast<unsigned>(m - std::begin(kMonths) + 1),
                         day);
      }
    }
  }
  return std::nullopt;
}

}  // namespace fwcert::analyzers::os
