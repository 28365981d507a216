#include "report/common/text.hpp"

#include <algorithm>
#include <cstdint>

namespace fwcert::report {

namespace {

constexpr std::string_view kReplacement = "\xef\xbf\xbd";  // U+FFFD

/// Decodes one UTF-8 sequence at s[i]; returns its length and sets `cp`, or returns 0 when
/// the bytes there are not a valid sequence (RFC 3629: shortest form, no surrogates, <= U+10FFFF).
std::size_t decode(std::string_view s, std::size_t i, std::uint32_t& cp) {
  auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = b(0);
  std::size_t len;
  std::uint32_t min;
  if (c < 0x80) {
    cp = c;
    return 1;
  } else if ((c & 0xe0) == 0xc0) {
    len = 2, cp = c & 0x1f, min = 0x80;
  } else if ((c & 0xf0) == 0xe0) {
    len = 3, cp = c & 0x0f, min = 0x800;
  } else if ((c & 0xf8) == 0xf0) {
    len = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((b(k) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return len;
}

/// Calls emit(cp, bytes) for every valid sequence and emit(0xfffd, U+FFFD) for each invalid byte.
template <typename Emit>
void for_each_code_point(std::string_view s, Emit emit) {
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t cp = 0;
    std::size_t n = decode(s, i, cp);
    if (n == 0) {
      emit(0xfffd, kReplacement);
      ++i;
    } else {
      emit(cp, s.substr(i, n));
      i += n;
    }
  }
}

bool xml_allowed(std::uint32_t cp) {
  if (cp == 0x9 || cp == 0xa || cp == 0xd) return true;
  if (cp < 0x20) return false;
  return cp != 0xfffe && cp != 0xffff;
}

/// Appends the entity of `&`, `<` or `>`, which XML and HTML write alike; false for any other
/// code point.
bool append_markup_entity(std::uint32_t cp, std::string& out) {
  switch (cp) {
    case '&':
      out += "&amp;";
      return true;
    case '<':
      out += "&lt;";
      return true;
    case '>':
      out += "&gt;";
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for_each_code_point(s, [&](std::uint32_t, std::string_view bytes) { out += bytes; });
  return out;
}

std::string xml_escape(std::string_view s, bool attribute) {
  std::string out;
  out.reserve(s.size() + 16);
  for_each_code_point(s, [&](std::uint32_t cp, std::string_view bytes) {
    if (!xml_allowed(cp)) {
      out += kReplacement;
      return;
    }
    if (append_markup_entity(cp, out)) return;
    switch (cp) {
      case '"':
        out += attribute ? "&quot;" : "\"";
        return;
      case '\'':
        out += attribute ? "&apos;" : "'";
        return;
      // An attribute value's whitespace is normalised by parsers unless written as a reference.
      case '\n':
        out += attribute ? "&#10;" : "\n";
        return;
      case '\r':
        out += "&#13;";
        return;
      case '\t':
        out += attribute ? "&#9;" : "\t";
        return;
      default:
        out += bytes;
    }
  });
  return out;
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 16);
  for_each_code_point(s, [&](std::uint32_t cp, std::string_view bytes) {
    if (append_markup_entity(cp, out)) return;
    switch (cp) {
      case '"':
        out += "&quot;";
        return;
      case '\'':
        out += "&#39;";
        return;
      case '\t':
      case '\n':
      case '\r':
        out += bytes;
        return;
      default:
        if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
          out += kReplacement;
        } else {
          out += bytes;
        }
    }
  });
  return out;
}

std::string md_code(std::string_view s) {
  std::string body;
  body.reserve(s.size());
  std::size_t run = 0, longest = 0;
  for_each_code_point(s, [&](std::uint32_t cp, std::string_view bytes) {
    if (cp == '`') {
      longest = std::max(longest, ++run);
    } else {
      run = 0;
    }
    if (cp == '\n' || cp == '\r' || cp == '\t') {
      body += ' ';
    } else if (cp < 0x20 || cp == 0x7f) {
      body += kReplacement;
    } else if (cp == '|') {
      body += "\\|";  // GitHub splits table cells on | even inside code spans
    } else {
      body += bytes;
    }
  });
  if (body.empty()) return "` `";
  std::string fence(longest + 1, '`');
  // A space on each side keeps a leading or trailing backtick from joining the fence.
  bool pad = body.front() == '`' || body.back() == '`' || body.front() == ' ';
  return fence + (pad ? " " : "") + body + (pad ? " " : "") + fence;
}

std::string md_text(std::string_view s) {
  static constexpr std::string_view kPunct = "\\`*_{}[]#.!|@~>:";
  std::string out;
  out.reserve(s.size() + 16);
  for_each_code_point(s, [&](std::uint32_t cp, std::string_view bytes) {
    if (cp == '\n' || cp == '\r' || cp == '\t') {
      out += ' ';
    } else if (cp < 0x20 || cp == 0x7f) {
      out += kReplacement;
    } else if (cp == '&') {
      out += "&amp;";
    } else if (cp == '<') {
      out += "&lt;";
    } else if (cp < 0x80 && kPunct.find(static_cast<char>(cp)) != std::string_view::npos) {
      out += '\\';
      out += bytes;
    } else {
      out += bytes;
    }
  });
  return out;
}

std::string base_name(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (path == "/") return "";
  auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace fwcert::report
