#include "formats/uboot/env.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "core/byte_reader.hpp"
#include "core/limits.hpp"
#include "core/text.hpp"

namespace fwcert::formats::uboot {

namespace {

using text::trim;

std::string_view as_chars(std::span<const std::byte> b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

std::uint32_t crc32_of(std::span<const std::byte> b) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // zlib takes a 32-bit length; environments are bounded far below that.
  return static_cast<std::uint32_t>(crc32(crc, reinterpret_cast<const Bytef*>(b.data()), static_cast<uInt>(b.size())));
}

bool is_name_char(char c) { return c > ' ' && c < 0x7f && c != '='; }

bool is_text_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u == '\t' || u == '\n' || u == '\r' || (u >= 0x20 && u != 0x7f);
}

/// Splits "name=value\0name=value\0\0" from `data` into vars; stops at "\0\0" or the end.
void split_pairs(std::string_view data, std::uint64_t base, Environment& env) {
  std::size_t pos = 0;
  while (pos < data.size() && data[pos] != '\0') {
    if (env.vars.size() >= limits::kMaxUbootEnvVars) {
      env.truncated = true;
      env.diagnostics.push_back(fmt::format("more than {} variables; the rest is ignored", limits::kMaxUbootEnvVars));
      return;
    }
    auto end = data.find('\0', pos);
    std::string_view pair = data.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    auto eq = pair.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      env.diagnostics.push_back(fmt::format("offset {}: entry without name=value", base + pos));
    } else {
      env.vars.push_back({std::string(pair.substr(0, eq)), std::string(pair.substr(eq + 1)), base + pos, 0});
    }
    if (end == std::string_view::npos) {
      env.diagnostics.push_back("the environment does not end with an empty entry");
      return;
    }
    pos = end + 1;
  }
}

std::optional<std::uint64_t> parse_number(std::string_view s) {
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    s.remove_prefix(2);
    base = 16;
  }
  std::uint64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

const EnvVar* Environment::find(std::string_view name) const {
  for (auto it = vars.rbegin(); it != vars.rend(); ++it) {
    if (it->name == name) return &*it;
  }
  return nullptr;
}

Environment parse_env_blob(std::span<const std::byte> bytes, bool redundant) {
  Environment env;
  env.redundant = redundant;
  std::size_t header = redundant ? 5 : 4;
  if (bytes.size() > limits::kMaxUbootEnvBytes) {
    bytes = bytes.first(static_cast<std::size_t>(limits::kMaxUbootEnvBytes));
    env.truncated = true;
    env.diagnostics.push_back(
        fmt::format("environment larger than {} bytes; only its start is read", limits::kMaxUbootEnvBytes));
  }
  core::ByteReader r(bytes);
  auto crc = r.u32();
  if (!crc || bytes.size() <= header) {
    env.diagnostics.push_back("too short for an environment header");
    return env;
  }
  if (redundant) env.flags = static_cast<std::uint8_t>(bytes[4]);
  auto data = bytes.subspan(header);
  std::uint32_t actual = crc32_of(data);
  std::uint32_t stored_le = *crc;
  std::uint32_t stored_be = __builtin_bswap32(stored_le);
  env.crc_ok = actual == stored_le || actual == stored_be;
  env.big_endian_crc = actual != stored_le && actual == stored_be;
  if (!env.crc_ok) env.diagnostics.push_back("CRC32 does not match the data (damaged or not an environment)");
  split_pairs(as_chars(data), header, env);
  return env;
}

std::optional<Environment> detect_env_blob(std::span<const std::byte> bytes) {
  for (bool redundant : {false, true}) {
    Environment env = parse_env_blob(bytes, redundant);
    if (env.crc_ok) return env;
  }
  return std::nullopt;
}

Environment parse_env_text(std::string_view text) {
  Environment env;
  if (text.size() > limits::kMaxUbootEnvBytes) {
    text = text.substr(0, limits::kMaxUbootEnvBytes);
    env.truncated = true;
    env.diagnostics.push_back(
        fmt::format("text larger than {} bytes; only its start is read", limits::kMaxUbootEnvBytes));
  }
  std::size_t pos = 0, line_no = 0;
  while (pos < text.size()) {
    if (line_no >= limits::kMaxConfigLines || env.vars.size() >= limits::kMaxUbootEnvVars) {
      env.truncated = true;
      env.diagnostics.push_back("line or variable limit reached; the rest is ignored");
      break;
    }
    std::size_t first_line = ++line_no;
    std::string logical;
    // Join continuation lines ending in a backslash.
    while (pos < text.size()) {
      auto end = text.find('\n', pos);
      std::string_view line = text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
      pos = end == std::string_view::npos ? text.size() : end + 1;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!line.empty() && line.back() == '\\' && pos < text.size()) {
        logical.append(line.substr(0, line.size() - 1));
        logical.push_back('\n');
        ++line_no;
        continue;
      }
      logical.append(line);
      break;
    }
    std::string_view l = trim(logical);
    if (l.empty() || l.front() == '#') continue;
    auto eq = l.find('=');
    if (eq == std::string_view::npos || eq == 0 ||
        !std::all_of(l.begin(), l.begin() + static_cast<std::ptrdiff_t>(eq), is_name_char)) {
      env.diagnostics.push_back(fmt::format("line {}: not name=value", first_line));
      continue;
    }
    env.vars.push_back({std::string(l.substr(0, eq)), std::string(l.substr(eq + 1)), 0, first_line});
  }
  return env;
}

std::optional<Environment> find_default_env(std::span<const std::byte> binary) {
  std::string_view all = as_chars(binary);
  std::optional<Environment> best;
  std::size_t best_len = 0;
  std::size_t from = 0, examined = 0;
  constexpr std::string_view kNeedle = "bootcmd=";
  while (examined++ < limits::kMaxUbootEnvCandidates) {
    auto hit = all.find(kNeedle, from);
    if (hit == std::string_view::npos) break;
    from = hit + kNeedle.size();
    // The entry must start a string: at the start of the data or right after a NUL.
    if (hit > 0 && all[hit - 1] != '\0') continue;
    // Walk back over earlier "name=value\0" strings of printable text.
    std::size_t start = hit;
    while (start > 0 && hit - start < limits::kMaxUbootEnvBytes) {
      std::size_t prev_end = start - 1;  // the NUL before `start`
      std::size_t s = prev_end;
      while (s > 0 && all[s - 1] != '\0' && is_text_char(all[s - 1]) && prev_end - s < limits::kMaxUbootEnvBytes) --s;
      std::string_view prev = all.substr(s, prev_end - s);
      auto eq = prev.find('=');
      bool valid = !prev.empty() && eq != std::string_view::npos && eq > 0 && (s == 0 || all[s - 1] == '\0') &&
                   std::all_of(prev.begin(), prev.begin() + static_cast<std::ptrdiff_t>(eq), is_name_char);
      if (!valid) break;
      start = s;
    }
    // Walk forward to the terminating "\0\0" over printable strings.
    std::size_t end = hit;
    bool terminated = false;
    while (end < all.size() && end - start < limits::kMaxUbootEnvBytes) {
      std::size_t e = end;
      while (e < all.size() && all[e] != '\0' && is_text_char(all[e])) ++e;
      if (e >= all.size() || all[e] != '\0') break;  // non-text byte: not an environment string
      std::string_view s = all.substr(end, e - end);
      if (s.find('=') == std::string_view::npos || s.front() == '=') break;
      end = e + 1;
      if (end < all.size() && all[end] == '\0') {
        terminated = true;
        break;
      }
    }
    if (!terminated || end <= start) continue;
    if (end - start > best_len) {
      Environment env;
      split_pairs(all.substr(start, end - start + 1), start, env);
      env.crc_ok = false;
      best_len = end - start;
      best = std::move(env);
    }
  }
  return best;
}

std::string LegacyImage::type_name() const {
  switch (type) {
    case kLegacyTypeKernel:
      return "kernel";
    case kLegacyTypeRamdisk:
      return "ramdisk";
    case kLegacyTypeMulti:
      return "multi";
    case kLegacyTypeScript:
      return "script";
    case kLegacyTypeFlatDt:
      return "flat_dt";
    case kLegacyTypeKernelNoload:
      return "kernel_noload";
    default:
      return fmt::format("type-{}", type);
  }
}

std::optional<LegacyImage> parse_legacy_header(std::span<const std::byte> bytes) {
  core::ByteReader r(bytes, core::Endian::kBig);
  auto magic = r.u32();
  if (!magic || *magic != kLegacyMagic || bytes.size() < 64) return std::nullopt;
  LegacyImage img;
  img.header_crc = *r.u32();
  img.time = *r.u32();
  img.data_size = *r.u32();
  img.load = *r.u32();
  img.entry = *r.u32();
  img.data_crc = *r.u32();
  img.os = *r.u8();
  img.arch = *r.u8();
  img.type = *r.u8();
  img.compression = *r.u8();
  auto name = r.bytes(32);
  if (!name || r.failed()) return std::nullopt;
  std::string_view n = as_chars(*name);
  img.name = std::string(n.substr(0, n.find('\0')));
  std::byte header[64];
  std::memcpy(header, bytes.data(), 64);
  std::memset(header + 4, 0, 4);
  img.header_crc_ok = crc32_of(header) == img.header_crc;
  if (bytes.size() - 64 >= img.data_size) img.data_crc_ok = crc32_of(bytes.subspan(64, img.data_size)) == img.data_crc;
  return img;
}

std::optional<std::string> script_text(std::span<const std::byte> bytes) {
  auto h = parse_legacy_header(bytes);
  if (!h || h->type != kLegacyTypeScript || h->compression != 0) return std::nullopt;
  auto data = bytes.subspan(64, std::min<std::size_t>(bytes.size() - 64, h->data_size));
  core::ByteReader r(data, core::Endian::kBig);
  // Size table: one u32 per file, ended by 0; the script is the first file.
  auto first = r.u32();
  if (!first) return std::nullopt;
  std::uint32_t size = *first;
  for (int i = 0; i < 64; ++i) {
    auto next = r.u32();
    if (!next) return std::nullopt;
    if (*next == 0) break;
  }
  auto text = r.bytes(std::min<std::uint64_t>(size, r.remaining()));
  if (!text) return std::nullopt;
  std::string_view t = as_chars(*text);
  return std::string(t.substr(0, std::min<std::size_t>(t.find('\0'), limits::kMaxUbootEnvBytes)));
}

FwEnvConfig parse_fw_env_config(std::string_view text) {
  FwEnvConfig cfg;
  for (auto [line_no, raw] : text::lines(text)) {
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    auto words = text::words(line, 6);
    auto offset = words.size() >= 3 ? parse_number(words[1]) : std::nullopt;
    auto size = words.size() >= 3 ? parse_number(words[2]) : std::nullopt;
    if (!offset || !size) {
      cfg.diagnostics.push_back(fmt::format("line {}: expected \"device offset size\"", line_no));
      continue;
    }
    if (cfg.locations.size() < 2) cfg.locations.push_back({std::string(words[0]), *offset, *size, line_no});
  }
  return cfg;
}

std::vector<std::vector<std::string>> split_commands(std::string_view script) {
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> cmd;
  std::string word;
  bool in_word = false;
  char quote = 0;
  auto end_word = [&] {
    if (in_word) cmd.push_back(std::move(word));
    word.clear();
    in_word = false;
  };
  auto end_cmd = [&] {
    end_word();
    if (!cmd.empty() && out.size() < 65536) out.push_back(std::move(cmd));
    cmd.clear();
  };
  for (std::size_t i = 0; i < script.size(); ++i) {
    char c = script[i];
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else {
        word.push_back(c);
      }
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < script.size()) {
      word.push_back(script[++i]);
      in_word = true;
    } else if (c == ';' || c == '\n') {
      end_cmd();
    } else if ((c == '&' || c == '|') && i + 1 < script.size() && script[i + 1] == c) {
      end_cmd();
      ++i;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      end_word();
    } else if (c == '#' && !in_word && cmd.empty()) {
      // A comment runs to the end of the line in boot scripts.
      while (i + 1 < script.size() && script[i + 1] != '\n') ++i;
    } else {
      word.push_back(c);
      in_word = true;
    }
  }
  end_cmd();
  return out;
}

}  // namespace fwcert::formats::uboot
