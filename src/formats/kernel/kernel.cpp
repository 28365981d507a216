#include "formats/kernel/kernel.hpp"

#include <fmt/format.h>
#include <lz4.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "core/limits.hpp"
#include "core/text.hpp"

namespace fwcert::formats::kernel {

namespace {

using text::trim;

bool is_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

/// The option name after "CONFIG_" at the start of s, or "" when there is none.
std::string_view option_name(std::string_view s) {
  if (!s.starts_with("CONFIG_")) return {};
  std::size_t n = 7;
  while (n < s.size() && is_name_char(s[n])) ++n;
  return n == 7 ? std::string_view{} : s.substr(7, n - 7);
}

/// Unescapes a Kconfig string value ("a\"b" -> a"b); false when the closing quote is missing.
bool unquote(std::string_view v, std::string& out) {
  out.clear();
  for (std::size_t i = 1; i < v.size(); ++i) {
    char c = v[i];
    if (c == '\\' && i + 1 < v.size()) {
      out.push_back(v[++i]);
    } else if (c == '"') {
      return i + 1 == v.size();
    } else {
      out.push_back(c);
    }
  }
  return false;
}

bool parse_int(std::string_view s, int& out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

}  // namespace

const ConfigValue* KernelConfig::find(std::string_view name) const {
  auto it = options.find(name);
  return it == options.end() ? nullptr : &it->second;
}

bool KernelConfig::is_enabled(std::string_view name, bool allow_module) const {
  const ConfigValue* v = find(name);
  return v && v->is_set && (v->value == "y" || (allow_module && v->value == "m"));
}

std::string KernelConfig::arch() const {
  static constexpr std::string_view kArchs[] = {"X86_64", "X86_32",    "ARM64", "ARM",    "RISCV", "MIPS", "PPC",
                                                "S390",   "LOONGARCH", "SPARC", "XTENSA", "ARC",   "M68K"};
  std::string found;
  for (auto a : kArchs) {
    if (!is_enabled(a)) continue;
    if (!found.empty()) {
      // X86_64 configs also set X86; ARM64 configs never set ARM. Two real arches: unknown.
      return {};
    }
    found = std::string(a);
  }
  return found;
}

KernelConfig parse_kconfig(std::string_view text) {
  KernelConfig cfg;
  if (text.size() > limits::kMaxConfigFileBytes) {
    text = text.substr(0, limits::kMaxConfigFileBytes);
    cfg.truncated = true;
    cfg.diagnostics.push_back({0, fmt::format("only the first {} bytes were read", limits::kMaxConfigFileBytes)});
  }
  // One line past the limit is read to tell a file cut at the limit from one that ends there.
  for (auto [line_no, bytes] : text::lines(text, limits::kMaxConfigLines + 1)) {
    if (line_no > limits::kMaxConfigLines) {
      cfg.truncated = true;
      cfg.diagnostics.push_back({line_no, "line limit reached; the rest is ignored"});
      break;
    }
    std::string_view line = trim(bytes);
    if (line.empty()) continue;

    if (line.front() == '#') {
      std::string_view rest = trim(line.substr(1));
      std::string_view name = option_name(rest);
      if (!name.empty() && rest.substr(7 + name.size()) == " is not set") {
        cfg.options.insert_or_assign(std::string(name), ConfigValue{"", false, false, line_no});
      } else if (rest.starts_with("Linux/") && rest.ends_with(" Kernel Configuration") && cfg.version.empty()) {
        // "# Linux/x86 6.1.192 Kernel Configuration"
        auto sp = rest.find(' ');
        auto sp2 = rest.find(' ', sp + 1);
        if (sp != std::string_view::npos && sp2 != std::string_view::npos) {
          cfg.version = std::string(rest.substr(sp + 1, sp2 - sp - 1));
        }
      }
      continue;
    }

    std::string_view name = option_name(line);
    if (name.empty() || line.size() <= 7 + name.size() || line[7 + name.size()] != '=') {
      if (cfg.diagnostics.size() < 100) {
        cfg.diagnostics.push_back({line_no, "not a CONFIG_NAME=value line"});
      }
      continue;
    }
    std::string_view raw = line.substr(8 + name.size());
    ConfigValue v;
    v.line = line_no;
    if (!raw.empty() && raw.front() == '"') {
      v.quoted = true;
      if (!unquote(raw, v.value)) {
        cfg.diagnostics.push_back({line_no, fmt::format("CONFIG_{}: string value without a closing quote", name)});
        v.value = std::string(raw.substr(1));
      }
    } else {
      v.value = std::string(raw);
    }
    cfg.options.insert_or_assign(std::string(name), std::move(v));
  }
  return cfg;
}

bool looks_like_kconfig(std::string_view text) {
  for (auto [no, raw] : text::lines(text, 200)) {
    std::string_view line = trim(raw);
    // Other Kconfig projects write the same syntax: "# U-Boot 2023.01 Configuration",
    // "# Busybox version: 1.36.1", "# Buildroot 2024.02 Configuration". Only the kernel's
    // header ("# Linux/x86 6.1.0 Kernel Configuration") or none is accepted.
    if (line.starts_with("# ") && ((line.ends_with(" Configuration") && !line.starts_with("# Linux")) ||
                                   line.starts_with("# Busybox version") || line.starts_with("# BusyBox version"))) {
      return false;
    }
    std::string_view name = option_name(line);
    if (!name.empty() && line.size() > 7 + name.size() && line[7 + name.size()] == '=') return true;
    if (line.starts_with("# CONFIG_") && line.ends_with(" is not set")) return true;
  }
  return false;
}

bool KernelVersion::operator<(const KernelVersion& o) const {
  if (major != o.major) return major < o.major;
  if (minor != o.minor) return minor < o.minor;
  return patch < o.patch;
}

bool KernelVersion::at_least(int a, int b, int c) const { return !(*this < KernelVersion{a, b, c, {}}); }

std::optional<KernelVersion> parse_kernel_release(std::string_view text) {
  KernelVersion v;
  auto sp = text.find_first_of(" \t\r\n");
  v.release = std::string(text.substr(0, std::min<std::size_t>(sp, 128)));
  std::string_view s = v.release;
  int* parts[] = {&v.major, &v.minor, &v.patch};
  std::size_t got = 0;
  while (got < 3) {
    std::size_t n = 0;
    while (n < s.size() && s[n] >= '0' && s[n] <= '9') ++n;
    if (n == 0 || n > 6 || !parse_int(s.substr(0, n), *parts[got])) break;
    ++got;
    s.remove_prefix(n);
    if (s.empty() || s.front() != '.') break;
    s.remove_prefix(1);
  }
  if (got < 2 || v.major < 2 || v.major > 99) return std::nullopt;
  return v;
}

std::optional<Banner> find_version_banner(std::string_view bytes) {
  constexpr std::string_view kMarker = "Linux version ";
  std::size_t pos = 0;
  while ((pos = bytes.find(kMarker, pos)) != std::string_view::npos) {
    std::string_view rest = bytes.substr(pos + kMarker.size());
    if (auto v = parse_kernel_release(rest.substr(0, 128))) {
      std::size_t len = 0;
      std::string_view whole = bytes.substr(pos);
      while (len < whole.size() && len < 512 && whole[len] != '\n' && whole[len] != '\0') ++len;
      // The printk format string "Linux version %s" is not a banner; a real one is followed
      // by "(" with the builder.
      if (whole.substr(0, len).find(" (") != std::string_view::npos) {
        return Banner{*v, std::string(whole.substr(0, len)), pos};
      }
    }
    pos += kMarker.size();
  }
  return std::nullopt;
}

std::optional<std::string> gunzip(std::string_view data, std::size_t max_bytes, std::string* error) {
  z_stream zs{};
  // 16 + MAX_WBITS: gzip wrapper only.
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return std::nullopt;
  std::string out;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(std::min<std::size_t>(data.size(), UINT32_MAX));
  char buf[65536];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    std::size_t got = sizeof buf - zs.avail_out;
    if (out.size() + got > max_bytes) {
      if (error) *error = fmt::format("decompresses to more than {} bytes", max_bytes);
      inflateEnd(&zs);
      return std::nullopt;
    }
    out.append(buf, got);
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    if (error) *error = fmt::format("damaged gzip data ({})", zs.msg ? zs.msg : "truncated");
    return std::nullopt;
  }
  return out;
}

std::optional<EmbeddedConfig> find_ikconfig(std::string_view bytes) {
  constexpr std::string_view kStart = "IKCFG_ST";
  constexpr std::string_view kEnd = "IKCFG_ED";
  std::size_t start = bytes.find(kStart);
  if (start == std::string_view::npos) return std::nullopt;
  EmbeddedConfig out;
  out.offset = start;
  std::size_t data = start + kStart.size();
  std::size_t end = bytes.find(kEnd, data);
  // The end marker bounds the data; without it, gzip's own end of stream does.
  std::string_view gz = bytes.substr(data, end == std::string_view::npos ? std::string_view::npos : end - data);
  std::string error;
  if (auto text = gunzip(gz, limits::kMaxConfigFileBytes, &error)) {
    out.text = std::move(*text);
  } else {
    out.error = "embedded configuration at offset " + std::to_string(start) + ": " + error;
  }
  return out;
}

namespace {

constexpr std::size_t kLz4LegacyBlock = 8u << 20;

bool decompress_gzip(std::string_view in, std::size_t limit, std::string& out) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) return false;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(std::min<std::size_t>(in.size(), UINT32_MAX));
  char buf[65536];
  int rc = Z_OK;
  while (rc == Z_OK && out.size() < limit) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
  }
  inflateEnd(&zs);
  return rc == Z_STREAM_END || rc == Z_OK || (rc == Z_BUF_ERROR && !out.empty());
}

bool decompress_xz(std::string_view in, std::size_t limit, std::string& out) {
  lzma_stream ls = LZMA_STREAM_INIT;
  if (lzma_stream_decoder(&ls, 256u << 20, LZMA_CONCATENATED) != LZMA_OK) return false;
  ls.next_in = reinterpret_cast<const std::uint8_t*>(in.data());
  ls.avail_in = in.size();
  std::uint8_t buf[65536];
  lzma_ret rc = LZMA_OK;
  while (rc == LZMA_OK && out.size() < limit) {
    ls.next_out = buf;
    ls.avail_out = sizeof buf;
    rc = lzma_code(&ls, LZMA_FINISH);
    out.append(reinterpret_cast<char*>(buf), sizeof buf - ls.avail_out);
  }
  lzma_end(&ls);
  // The kernel's payload is followed by other data, which xz reports as damage after the
  // stream; what came out before that is the kernel.
  return rc == LZMA_STREAM_END || rc == LZMA_OK || !out.empty();
}

bool decompress_zstd(std::string_view in, std::size_t limit, std::string& out) {
  ZSTD_DStream* ds = ZSTD_createDStream();
  if (!ds) return false;
  ZSTD_initDStream(ds);
  ZSTD_inBuffer ib{in.data(), in.size(), 0};
  std::string buf(65536, '\0');
  std::size_t rc = 1;
  while (rc != 0 && out.size() < limit && ib.pos < ib.size) {
    ZSTD_outBuffer ob{buf.data(), buf.size(), 0};
    rc = ZSTD_decompressStream(ds, &ob, &ib);
    if (ZSTD_isError(rc)) break;
    out.append(buf.data(), ob.pos);
    if (ob.pos == 0 && rc != 0 && ib.pos == ib.size) break;
  }
  ZSTD_freeDStream(ds);
  return !out.empty();
}

/// The kernel's lz4 is the legacy format: magic 0x184C2102, then blocks of a 32-bit
/// little-endian compressed size and data, each decompressing to at most 8 MiB.
bool decompress_lz4_legacy(std::string_view in, std::size_t limit, std::string& out) {
  std::size_t pos = 4;
  std::string block(kLz4LegacyBlock, '\0');
  while (pos + 4 <= in.size() && out.size() < limit) {
    std::uint32_t n = 0;
    std::memcpy(&n, in.data() + pos, 4);  // little-endian hosts only build fwcert
    if (n == 0x184C2102u) {               // a new stream starts
      pos += 4;
      continue;
    }
    if (n == 0 || n > LZ4_compressBound(static_cast<int>(kLz4LegacyBlock)) || n > in.size() - pos - 4) break;
    int got =
        LZ4_decompress_safe(in.data() + pos + 4, block.data(), static_cast<int>(n), static_cast<int>(block.size()));
    if (got < 0) break;
    out.append(block.data(), static_cast<std::size_t>(got));
    pos += 4 + n;
  }
  return !out.empty();
}

struct Magic {
  std::string_view bytes;
  const char* method;
  bool (*decode)(std::string_view, std::size_t, std::string&);
};

}  // namespace

std::optional<Payload> decompress_kernel_payload(std::string_view image, std::size_t min_bytes) {
  static const Magic kMagics[] = {
      {std::string_view("\x1f\x8b\x08", 3), "gzip", &decompress_gzip},
      {std::string_view("\xfd"
                        "7zXZ\x00",
                        6),
       "xz", &decompress_xz},
      {std::string_view("\x28\xb5\x2f\xfd", 4), "zstd", &decompress_zstd},
      {std::string_view("\x02\x21\x4c\x18", 4), "lz4", &decompress_lz4_legacy},
  };
  const std::size_t limit = limits::kMaxKernelDecompressedBytes;
  std::size_t tried = 0;
  // Candidates in file order across all methods.
  std::size_t next[std::size(kMagics)];
  for (std::size_t m = 0; m < std::size(kMagics); ++m) next[m] = image.find(kMagics[m].bytes);
  while (tried < limits::kMaxKernelPayloadCandidates) {
    std::size_t best = std::string_view::npos, which = 0;
    for (std::size_t m = 0; m < std::size(kMagics); ++m) {
      if (next[m] < best) best = next[m], which = m;
    }
    if (best == std::string_view::npos) break;
    ++tried;
    Payload p;
    p.method = kMagics[which].method;
    p.offset = best;
    bool ok = kMagics[which].decode(image.substr(best), limit, p.data);
    if (ok && p.data.size() >= min_bytes) {
      if (p.data.size() >= limit) {
        p.data.resize(limit);
        p.truncated = true;
      }
      return p;
    }
    next[which] = image.find(kMagics[which].bytes, best + 1);
  }
  return std::nullopt;
}

}  // namespace fwcert::formats::kernel

namespace fwcert::formats::kernel {

SysctlFile parse_sysctl(std::string_view text) {
  SysctlFile out;
  if (text.size() > limits::kMaxConfigFileBytes) text = text.substr(0, limits::kMaxConfigFileBytes);
  for (auto [line_no, raw] : text::lines(text)) {
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '-') line = trim(line.substr(1));
    auto eq = line.find('=');
    if (eq == std::string_view::npos) {
      if (out.diagnostics.size() < 100) out.diagnostics.push_back({line_no, "not a key = value line"});
      continue;
    }
    std::string key(trim(line.substr(0, eq)));
    std::string value(trim(line.substr(eq + 1)));
    if (key.empty()) {
      if (out.diagnostics.size() < 100) out.diagnostics.push_back({line_no, "empty key"});
      continue;
    }
    // sysctl(8): a key may use '/' as separator, in which case '.' inside a component stays.
    if (key.find('/') != std::string::npos) {
      for (auto& c : key) c = c == '/' ? '.' : c;
    }
    out.assignments.push_back({std::move(key), std::move(value), line_no});
  }
  return out;
}

}  // namespace fwcert::formats::kernel
