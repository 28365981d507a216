#pragma once
// Text helpers the report writers share. Everything a report shows may come from a hostile
// image (file names, configuration values), so each output syntax has one escaping function
// here and writers use nothing else.

#include <string>
#include <string_view>

namespace fwcert::report {

/// `s` with every invalid UTF-8 sequence (bad lead or continuation byte, overlong form,
/// surrogate, code point above U+10FFFF) replaced by U+FFFD.
std::string valid_utf8(std::string_view s);

/// `s` as XML 1.0 character data (or, with `attribute`, a double-quoted attribute value):
/// markup characters escaped, invalid UTF-8 and the code points XML 1.0 forbids (controls
/// other than tab, newline and carriage return; U+FFFE, U+FFFF) replaced by U+FFFD.
std::string xml_escape(std::string_view s, bool attribute = false);

/// `s` as HTML text or a double- or single-quoted attribute value: `& < > " '` become
/// references, so no tag, attribute or entity can start inside; invalid UTF-8, C0/C1 controls
/// (other than tab, newline, carriage return) and DEL are replaced by U+FFFD.
std::string html_escape(std::string_view s);

/// `s` as a Markdown inline code span: no markup, mention or link inside is interpreted.
/// Newlines become spaces; the fence is one backtick longer than the longest run inside.
std::string md_code(std::string_view s);

/// `s` as Markdown text: punctuation that could start markup, a mention (@) or an issue
/// reference (#) is backslash-escaped, `&` and `<` become entities, newlines become spaces.
/// Safe inside a table cell.
std::string md_text(std::string_view s);

/// The last component of a host path ("out/fw.squashfs" -> "fw.squashfs"; "/" -> "").
std::string base_name(std::string_view path);

}  // namespace fwcert::report
