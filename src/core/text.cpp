#include "core/text.hpp"

#include <algorithm>
#include <cctype>

namespace fwcert::text {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }
char lower_char(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && (is_blank(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string_view trim_space(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = lower_char(c);
  return out;
}

bool iequals(std::string_view s, std::string_view t) {
  if (s.size() != t.size()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (lower_char(s[i]) != lower_char(t[i])) return false;
  }
  return true;
}

std::string_view unquote(std::string_view s) {
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
    return s.substr(1, s.size() - 2);
  return s;
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += separator;
    out += parts[i];
  }
  return out;
}

const KeyValue* find_last(const std::vector<KeyValue>& entries, std::string_view key) {
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (it->key == key) return &*it;
  }
  return nullptr;
}

std::vector<std::string_view> words(std::string_view s, std::size_t max_words) {
  std::vector<std::string_view> out;
  while (out.size() < max_words) {
    s = trim(s);
    if (s.empty()) break;
    auto sp = s.find_first_of(" \t");
    out.push_back(s.substr(0, sp));
    s = sp == std::string_view::npos ? std::string_view() : s.substr(sp);
  }
  return out;
}

void Lines::iterator::advance() {
  if (pos_ >= text_.size() || line_.number >= max_) {
    done_ = true;
    return;
  }
  done_ = false;
  auto end = text_.find('\n', pos_);
  line_.text = text_.substr(pos_, end == std::string_view::npos ? std::string_view::npos : end - pos_);
  ++line_.number;
  pos_ = end == std::string_view::npos ? text_.size() : end + 1;
}

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    std::size_t start = i;
    while (i < s.size() && !is_space(s[i])) ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

std::vector<std::string> split_command(std::string_view line) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  std::size_t i = 0;
  const std::size_t n = line.size();
  while (i < n) {
    char c = line[i];
    if (is_space(c)) {
      if (in_word) out.push_back(std::move(cur)), cur.clear(), in_word = false;
      ++i;
      continue;
    }
    if (!in_word && (c == '#')) break;
    if (c == ';' || c == '&' || c == '|' || c == '<' || c == '>') {
      // A digit directly before a redirection ("2>") belongs to it, not to the command.
      if (in_word && (c == '<' || c == '>') && std::all_of(cur.begin(), cur.end(), ::isdigit))
        cur.clear(), in_word = false;
      break;
    }
    in_word = true;
    if (c == '\\' && i + 1 < n) {
      cur += line[i + 1];
      i += 2;
      continue;
    }
    if (c == '\'' || c == '"') {
      auto close = line.find(c, i + 1);
      if (close == std::string_view::npos) close = n;
      std::string_view inner = line.substr(i + 1, close - i - 1);
      if (c == '"') {
        for (std::size_t j = 0; j < inner.size(); ++j) {
          if (inner[j] == '\\' && j + 1 < inner.size()) ++j;
          cur += inner[j];
        }
      } else {
        cur.append(inner);
      }
      i = close + 1;
      continue;
    }
    cur += c;
    ++i;
  }
  if (in_word) out.push_back(std::move(cur));
  return out;
}

}  // namespace fwcert::text
