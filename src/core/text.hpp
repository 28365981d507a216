#pragma once
// Small text helpers every parser of configuration files needs, written once: trimming,
// ASCII case folding, unquoting, joining, word splitting (plain and shell-like), and line
// iterators bounded by the line limit.

#include <fmt/format.h>

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "core/limits.hpp"

namespace fwcert::text {

/// Drops blanks (space, tab) at both ends and a carriage return at the end: a line of a
/// configuration file as its daemon reads it.
std::string_view trim(std::string_view s);

/// Drops every ASCII white-space character (isspace in the C locale) at both ends.
std::string_view trim_space(std::string_view s);

/// ASCII lower case; other bytes are kept as they are.
std::string lower(std::string_view s);

/// True when `s` equals `t` ignoring ASCII case.
bool iequals(std::string_view s, std::string_view t);

/// The text between one pair of matching quotes (' or ") around the whole of `s`, else `s`.
std::string_view unquote(std::string_view s);

/// The parts joined with `separator` between them.
std::string join(const std::vector<std::string>& parts, std::string_view separator);

/// One `key = value` assignment of a configuration file and the line it is on.
struct KeyValue {
  std::string key;
  std::string value;
  std::size_t line = 0;
};

/// The last assignment of `key` in `entries` (a later one overrides an earlier), or nullptr.
const KeyValue* find_last(const std::vector<KeyValue>& entries, std::string_view key);

/// The blank-separated words of `s` (space or tab; the ends trimmed as by trim()), at most
/// `max_words` of them: the fields of an fstab, fw_env.config or sources.list line.
std::vector<std::string_view> words(std::string_view s, std::size_t max_words);

/// A line bound that never binds: for a text whose size is already bounded (a data file built
/// into the binary, a file read up to a byte limit) that its parser reads to the end.
inline constexpr std::size_t kNoLineLimit = std::numeric_limits<std::size_t>::max();

/// One line of a text: its 1-based number and its bytes without the newline.
struct Line {
  std::size_t number = 0;
  std::string_view text;
};

/// The lines of a text in order, at most `max_lines` of them (a file longer than that is read
/// up to the limit): `for (auto [no, line] : text::lines(s))`. A final line without a newline
/// counts; an empty text has no line.
class Lines {
 public:
  explicit Lines(std::string_view text, std::size_t max_lines = limits::kMaxConfigLines)
      : text_(text), max_(max_lines) {}

  class iterator {
   public:
    using value_type = Line;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    iterator(std::string_view text, std::size_t max) : text_(text), max_(max) { advance(); }
    const Line& operator*() const { return line_; }
    const Line* operator->() const { return &line_; }
    iterator& operator++() {
      advance();
      return *this;
    }
    void operator++(int) { advance(); }
    bool operator==(const iterator& o) const { return done_ == o.done_; }

   private:
    void advance();
    std::string_view text_;
    std::size_t pos_ = 0, max_ = 0;
    Line line_;
    bool done_ = true;
  };

  iterator begin() const { return iterator(text_, max_); }
  iterator end() const { return iterator(); }

 private:
  std::string_view text_;
  std::size_t max_;
};

inline Lines lines(std::string_view text, std::size_t max_lines = limits::kMaxConfigLines) {
  return Lines(text, max_lines);
}

/// A line of a configuration file that could not be used, and why.
struct LineDiagnostic {
  std::size_t line = 0;  ///< 1-based; 0 when the problem is about the whole file
  std::string message;
};

/// Calls `fn(line_number, line)` for each line of `text` (without the newline or a trailing
/// CR), within the size and line limits; reports a truncation as a diagnostic.
template <typename Fn>
void for_each_line(std::string_view text, std::vector<LineDiagnostic>& diags, Fn fn) {
  if (text.size() > limits::kMaxConfigFileBytes) {
    text = text.substr(0, limits::kMaxConfigFileBytes);
    diags.push_back(
        {0, fmt::format("file larger than {} bytes; only the start was read", limits::kMaxConfigFileBytes)});
  }
  std::size_t pos = 0, line_no = 0;
  while (pos < text.size()) {
    if (line_no >= limits::kMaxConfigLines) {
      diags.push_back({0, fmt::format("more than {} lines; the rest was not read", limits::kMaxConfigLines)});
      return;
    }
    auto end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++line_no;
    fn(line_no, line);
  }
}

/// Whitespace-separated words, no quoting (inetd.conf, inittab fields, fstab, init.rc options).
std::vector<std::string> words(std::string_view s);

/// Splits a shell-like command line into words: single and double quotes, backslash escapes.
/// Stops at an unquoted `;`, `&`, `|`, `#` (comment) or redirection, which end a simple command.
std::vector<std::string> split_command(std::string_view line);

}  // namespace fwcert::text
