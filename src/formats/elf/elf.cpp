#include "formats/elf/elf.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "core/checked.hpp"
#include "core/limits.hpp"

namespace fwcert::formats::elf {

bool MemoryInput::read(std::uint64_t offset, std::span<std::byte> out) const {
  if (!core::in_bounds(offset, out.size(), bytes_.size())) return false;
  if (!out.empty()) std::memcpy(out.data(), bytes_.data() + offset, out.size());
  return true;
}

const Segment* Elf::segment(std::uint32_t t) const {
  for (const auto& s : segments) {
    if (s.type == t) return &s;
  }
  return nullptr;
}

const Section* Elf::section(std::string_view name) const {
  for (const auto& s : sections) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

bool Elf::has_nx_stack() const {
  const Segment* s = segment(kPtGnuStack);
  return s != nullptr && (s->flags & kPfX) == 0;
}

std::string machine_name(std::uint16_t machine) {
  switch (machine) {
    case 2:
      return "sparc";
    case kEm386:
      return "x86";
    case 4:
      return "m68k";
    case kEmMips:
      return "mips";
    case 10:
      return "mips-rs3-le";
    case 15:
      return "parisc";
    case kEmPpc:
      return "ppc";
    case kEmPpc64:
      return "ppc64";
    case 22:
      return "s390";
    case kEmArm:
      return "arm";
    case 42:
      return "sh";
    case 43:
      return "sparcv9";
    case 50:
      return "ia64";
    case kEmX86_64:
      return "x86-64";
    case 93:
      return "arc-compact";
    case 94:
      return "xtensa";
    case 164:
      return "hexagon";
    case kEmAarch64:
      return "aarch64";
    case 195:
      return "arc-compact2";
    case kEmRiscv:
      return "riscv";
    case 258:
      return "loongarch";
    default:
      return fmt::format("em-{}", machine);
  }
}

namespace {

constexpr std::uint16_t kShnUndef = 0;
constexpr std::uint16_t kShnXindex = 0xffff;
constexpr std::uint16_t kPnXnum = 0xffff;

constexpr std::int64_t kDtNull = 0, kDtNeeded = 1, kDtHash = 4, kDtStrtab = 5, kDtSymtab = 6, kDtStrsz = 10,
                       kDtSyment = 11, kDtSoname = 14, kDtRpath = 15, kDtDebug = 21, kDtTextrel = 22, kDtBindNow = 24,
                       kDtRunpath = 29, kDtFlags = 30, kDtGnuHash = 0x6ffffef5, kDtFlags1 = 0x6ffffffb;

constexpr std::uint32_t kNtGnuPropertyType0 = 5;
constexpr std::uint32_t kGnuPropertyAarch64Feature1And = 0xc0000000;
constexpr std::uint32_t kGnuPropertyX86Feature1And = 0xc0000002;

/// A string table read into memory; lookups are bounded by kMaxElfStringLength.
struct StringTable {
  std::vector<std::byte> bytes;
  bool loaded = false;

  std::optional<std::string_view> at(std::uint64_t offset) const {
    if (!loaded) return std::nullopt;
    return core::ByteReader(bytes).cstring_at(offset, limits::kMaxElfStringLength);
  }
};

class Parser {
 public:
  Parser(const Input& in, const ParseOptions& options, Elf& elf) : in_(in), options_(options), elf_(elf) {}

  bool header(Error& error);
  void section_headers();
  void program_headers();
  void interpreter();
  void dynamic();
  void dynamic_symbols();
  void static_symbols();
  void notes();
  void module_signature();

 private:
  void problem(std::string message) {
    constexpr std::size_t kMaxDiagnostics = 32;
    if (elf_.diagnostics.size() < kMaxDiagnostics) elf_.diagnostics.push_back(std::move(message));
  }

  core::ByteReader reader(std::span<const std::byte> bytes) const { return core::ByteReader(bytes, elf_.endian); }
  std::uint64_t word(core::ByteReader& r) const { return elf_.is_64 ? r.u64().value_or(0) : r.u32().value_or(0); }

  /// Reads [offset, offset+size) of the file into `out`, bounded by kMaxElfTableBytes.
  bool window(std::uint64_t offset, std::uint64_t size, std::string_view what, std::vector<std::byte>& out) {
    if (size > limits::kMaxElfTableBytes) {
      problem(
          fmt::format("{} is {} bytes, more than the limit of {}; not read", what, size, limits::kMaxElfTableBytes));
      return false;
    }
    if (!core::in_bounds(offset, size, in_.size())) {
      problem(fmt::format("{} (offset {}, {} bytes) lies outside the file ({} bytes)", what, offset, size, in_.size()));
      return false;
    }
    out.resize(static_cast<std::size_t>(size));
    if (!in_.read(offset, out)) {
      problem(fmt::format("{} (offset {}, {} bytes) could not be read", what, offset, size));
      out.clear();
      return false;
    }
    return true;
  }

  /// File offset of a virtual address and how many bytes of its PT_LOAD follow it in the file.
  std::optional<std::pair<std::uint64_t, std::uint64_t>> map_vaddr(std::uint64_t vaddr) const {
    for (const auto& s : elf_.segments) {
      if (s.type != kPtLoad || vaddr < s.vaddr || vaddr - s.vaddr >= s.filesz) continue;
      auto off = core::checked_add(s.offset, vaddr - s.vaddr);
      if (!off || *off >= in_.size()) continue;
      // Clamped to the file, so offset + available never exceeds the file size.
      return std::make_pair(*off, std::min(s.filesz - (vaddr - s.vaddr), in_.size() - *off));
    }
    return std::nullopt;
  }

  /// Reads a string table section by index (a section's sh_link).
  bool load_strtab_section(std::uint32_t index, std::string_view what, StringTable& out) {
    if (index == 0 || index >= elf_.sections.size()) {
      problem(fmt::format("{} links to section {}, which does not exist", what, index));
      return false;
    }
    const Section& s = elf_.sections[index];
    if (s.type == kShtNobits) return false;
    out.loaded = window(s.offset, s.size, what, out.bytes);
    return out.loaded;
  }

  void read_symbols(std::span<const std::byte> table, std::uint64_t count, const StringTable& strings,
                    std::string_view what, std::vector<Symbol>& out);
  std::optional<std::uint64_t> gnu_hash_symbol_count(std::uint64_t vaddr);
  std::optional<std::uint64_t> sysv_hash_symbol_count(std::uint64_t vaddr);
  void parse_notes(std::span<const std::byte> bytes, std::uint64_t align);
  void parse_properties(std::span<const std::byte> desc);

  const Input& in_;
  const ParseOptions& options_;
  Elf& elf_;

  std::uint64_t phoff_ = 0, shoff_ = 0;
  std::uint64_t phnum_ = 0, shnum_ = 0;
  std::uint16_t phentsize_ = 0, shentsize_ = 0, shstrndx_ = 0;

  StringTable dynstr_;
  std::optional<std::uint64_t> dt_strtab_, dt_strsz_, dt_symtab_, dt_syment_, dt_hash_, dt_gnu_hash_;
  std::vector<std::uint64_t> needed_offsets_;
  std::optional<std::uint64_t> soname_offset_, rpath_offset_, runpath_offset_;
  const Section* dynamic_section_ = nullptr;
};

bool Parser::header(Error& error) {
  std::byte raw[64] = {};
  std::uint64_t want = std::min<std::uint64_t>(sizeof raw, in_.size());
  if (want < 52 || !in_.read(0, std::span<std::byte>(raw, static_cast<std::size_t>(want)))) {
    error = make_error(ErrorCode::kCorrupt, "too short for an ELF header");
    return false;
  }
  const auto* id = reinterpret_cast<const unsigned char*>(raw);
  if (id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F') {
    error = make_error(ErrorCode::kUnsupported, "not an ELF file");
    return false;
  }
  if (id[4] != 1 && id[4] != 2) {
    error = make_error(ErrorCode::kCorrupt, fmt::format("unknown ELF class {}", id[4]));
    return false;
  }
  if (id[5] != 1 && id[5] != 2) {
    error = make_error(ErrorCode::kCorrupt, fmt::format("unknown ELF data encoding {}", id[5]));
    return false;
  }
  elf_.is_64 = id[4] == 2;
  elf_.endian = id[5] == 1 ? core::Endian::kLittle : core::Endian::kBig;
  elf_.file_size = in_.size();
  if (elf_.is_64 && want < 64) {
    error = make_error(ErrorCode::kCorrupt, "too short for an ELF64 header");
    return false;
  }

  auto r = reader(std::span<const std::byte>(raw, static_cast<std::size_t>(want)));
  r.seek(16);
  elf_.type = r.u16().value_or(0);
  elf_.machine = r.u16().value_or(0);
  r.u32();  // e_version
  word(r);  // e_entry
  phoff_ = word(r);
  shoff_ = word(r);
  elf_.flags = r.u32().value_or(0);
  r.u16();  // e_ehsize
  phentsize_ = r.u16().value_or(0);
  phnum_ = r.u16().value_or(0);
  shentsize_ = r.u16().value_or(0);
  shnum_ = r.u16().value_or(0);
  shstrndx_ = r.u16().value_or(0);
  if (r.failed()) {
    error = make_error(ErrorCode::kCorrupt, "truncated ELF header");
    return false;
  }
  return true;
}

void Parser::section_headers() {
  if (shoff_ == 0) return;
  const std::uint16_t min_size = elf_.is_64 ? 64 : 40;
  if (shentsize_ < min_size) {
    problem(fmt::format("section header size {} is smaller than {}; sections not read", shentsize_, min_size));
    return;
  }
  auto parse_one = [&](core::ByteReader& r) {
    Section s;
    std::uint32_t name = r.u32().value_or(0);
    s.type = r.u32().value_or(0);
    s.flags = word(r);
    s.addr = word(r);
    s.offset = word(r);
    s.size = word(r);
    s.link = r.u32().value_or(0);
    s.info = r.u32().value_or(0);
    s.addralign = word(r);
    s.entsize = word(r);
    return std::make_pair(name, s);
  };

  // Extended numbering: counts too large for the header live in section 0.
  std::uint64_t count = shnum_;
  std::uint32_t strndx = shstrndx_;
  if (shnum_ == 0 || shstrndx_ == kShnXindex || phnum_ == kPnXnum) {
    std::vector<std::byte> first;
    if (!window(shoff_, shentsize_, "section header 0", first)) return;
    auto r = reader(first);
    auto [name, s0] = parse_one(r);
    (void)name;
    if (shnum_ == 0) count = s0.size;
    if (shstrndx_ == kShnXindex) strndx = s0.link;
    if (phnum_ == kPnXnum) phnum_ = s0.info;
  }
  if (count > limits::kMaxElfSections) {
    problem(fmt::format("{} section headers, more than the limit of {}; the rest are ignored", count,
                        limits::kMaxElfSections));
    count = limits::kMaxElfSections;
  }
  std::vector<std::byte> table;
  if (!window(shoff_, count * shentsize_, "section header table", table)) return;
  std::vector<std::uint32_t> names;
  elf_.sections.reserve(static_cast<std::size_t>(count));
  for (std::uint64_t i = 0; i < count; ++i) {
    auto r = reader(std::span<const std::byte>(table).subspan(static_cast<std::size_t>(i * shentsize_), shentsize_));
    auto [name, s] = parse_one(r);
    names.push_back(name);
    elf_.sections.push_back(std::move(s));
  }

  StringTable shstr;
  if (strndx != 0 && strndx < elf_.sections.size()) {
    const Section& t = elf_.sections[strndx];
    shstr.loaded = t.type != kShtNobits && window(t.offset, t.size, "section name table", shstr.bytes);
  } else if (strndx != 0) {
    problem(fmt::format("section name table index {} is out of range", strndx));
  }
  for (std::size_t i = 0; i < elf_.sections.size(); ++i) {
    auto name = shstr.at(names[i]);
    elf_.sections[i].name = name ? std::string(*name) : std::string();
  }

  for (const auto& s : elf_.sections) {
    if (s.type == kShtSymtab) elf_.has_symtab = true;
    if (s.type == kShtDynamic && dynamic_section_ == nullptr) dynamic_section_ = &s;
    std::string_view n = s.name;
    if (n.starts_with(".debug_") || n.starts_with(".zdebug_")) elf_.has_debug_info = true;
    if (n == ".modinfo") elf_.has_modinfo = true;
  }
}

void Parser::program_headers() {
  if (phoff_ == 0 || phnum_ == 0) return;
  const std::uint16_t min_size = elf_.is_64 ? 56 : 32;
  if (phentsize_ < min_size) {
    problem(fmt::format("program header size {} is smaller than {}; segments not read", phentsize_, min_size));
    return;
  }
  std::uint64_t count = phnum_;
  if (count > limits::kMaxElfProgramHeaders) {
    problem(fmt::format("{} program headers, more than the limit of {}; the rest are ignored", count,
                        limits::kMaxElfProgramHeaders));
    count = limits::kMaxElfProgramHeaders;
  }
  std::vector<std::byte> table;
  if (!window(phoff_, count * phentsize_, "program header table", table)) return;
  for (std::uint64_t i = 0; i < count; ++i) {
    auto r = reader(std::span<const std::byte>(table).subspan(static_cast<std::size_t>(i * phentsize_), phentsize_));
    Segment s;
    s.type = r.u32().value_or(0);
    if (elf_.is_64) {
      s.flags = r.u32().value_or(0);
      s.offset = word(r);
      s.vaddr = word(r);
      word(r);  // p_paddr
      s.filesz = word(r);
      s.memsz = word(r);
      s.align = word(r);
    } else {
      s.offset = word(r);
      s.vaddr = word(r);
      word(r);  // p_paddr
      s.filesz = word(r);
      s.memsz = word(r);
      s.flags = r.u32().value_or(0);
      s.align = word(r);
    }
    elf_.segments.push_back(s);
  }
}

void Parser::interpreter() {
  const Segment* s = elf_.segment(kPtInterp);
  if (s == nullptr) return;
  std::vector<std::byte> bytes;
  std::uint64_t size = std::min<std::uint64_t>(s->filesz, limits::kMaxElfStringLength);
  if (!window(s->offset, size, "PT_INTERP", bytes)) return;
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  text = text.substr(0, text.find('\0'));
  elf_.interpreter = std::string(text);
}

void Parser::dynamic() {
  std::uint64_t offset = 0, size = 0;
  if (const Segment* s = elf_.segment(kPtDynamic)) {
    offset = s->offset;
    size = s->filesz;
  } else if (dynamic_section_ != nullptr && dynamic_section_->type != kShtNobits) {
    offset = dynamic_section_->offset;
    size = dynamic_section_->size;
  } else {
    return;
  }
  elf_.has_dynamic = true;
  if (!core::in_bounds(offset, size, in_.size())) {
    problem(
        fmt::format("dynamic section (offset {}, {} bytes) runs past the end of the file ({} bytes); reading "
                    "what is there",
                    offset, size, in_.size()));
    size = offset < in_.size() ? in_.size() - offset : 0;
  }
  const std::uint64_t entsize = elf_.is_64 ? 16 : 8;
  std::uint64_t count = size / entsize;
  if (count > limits::kMaxElfDynamicEntries) {
    problem(fmt::format("dynamic section has {} entries, more than the limit of {}; the rest are ignored", count,
                        limits::kMaxElfDynamicEntries));
    count = limits::kMaxElfDynamicEntries;
  }
  std::vector<std::byte> bytes;
  if (!window(offset, count * entsize, "dynamic section", bytes)) return;
  auto r = reader(bytes);
  for (std::uint64_t i = 0; i < count; ++i) {
    std::int64_t tag =
        elf_.is_64 ? static_cast<std::int64_t>(r.u64().value_or(0)) : static_cast<std::int32_t>(r.u32().value_or(0));
    std::uint64_t val = word(r);
    if (r.failed() || tag == kDtNull) break;
    switch (tag) {
      case kDtNeeded:
        needed_offsets_.push_back(val);
        break;
      case kDtHash:
        dt_hash_ = val;
        break;
      case kDtStrtab:
        dt_strtab_ = val;
        break;
      case kDtSymtab:
        dt_symtab_ = val;
        break;
      case kDtStrsz:
        dt_strsz_ = val;
        break;
      case kDtSyment:
        dt_syment_ = val;
        break;
      case kDtSoname:
        soname_offset_ = val;
        break;
      case kDtRpath:
        rpath_offset_ = val;
        break;
      case kDtRunpath:
        runpath_offset_ = val;
        break;
      case kDtDebug:
        elf_.has_dt_debug = true;
        break;
      case kDtTextrel:
        elf_.has_dt_textrel = true;
        break;
      case kDtBindNow:
        elf_.has_dt_bind_now = true;
        break;
      case kDtFlags:
        elf_.dt_flags = val;
        break;
      case kDtFlags1:
        elf_.dt_flags_1 = val;
        break;
      case kDtGnuHash:
        dt_gnu_hash_ = val;
        break;
      default:
        break;
    }
  }

  // The string table the loader uses is DT_STRTAB; the section is only a fallback.
  if (dt_strtab_) {
    if (auto at = map_vaddr(*dt_strtab_)) {
      std::uint64_t n = dt_strsz_ ? std::min(*dt_strsz_, at->second) : at->second;
      dynstr_.loaded = window(at->first, n, "dynamic string table", dynstr_.bytes);
    }
  }
  if (!dynstr_.loaded && dynamic_section_ != nullptr) {
    load_strtab_section(dynamic_section_->link, "dynamic section", dynstr_);
  }
  if (!dynstr_.loaded) {
    if (!needed_offsets_.empty() || soname_offset_ || rpath_offset_ || runpath_offset_) {
      problem("dynamic string table not found; NEEDED, SONAME, RPATH and RUNPATH unknown");
    }
    return;
  }
  auto str = [&](std::uint64_t off, std::string_view what) -> std::optional<std::string> {
    auto s = dynstr_.at(off);
    if (!s) {
      problem(fmt::format("{} string at offset {} is outside the dynamic string table", what, off));
      return std::nullopt;
    }
    return std::string(*s);
  };
  for (auto off : needed_offsets_) {
    if (auto s = str(off, "DT_NEEDED")) elf_.needed.push_back(std::move(*s));
  }
  if (soname_offset_) elf_.soname = str(*soname_offset_, "DT_SONAME");
  if (rpath_offset_) elf_.rpath = str(*rpath_offset_, "DT_RPATH");
  if (runpath_offset_) elf_.runpath = str(*runpath_offset_, "DT_RUNPATH");
}

void Parser::read_symbols(std::span<const std::byte> table, std::uint64_t count, const StringTable& strings,
                          std::string_view what, std::vector<Symbol>& out) {
  const std::uint64_t entsize = elf_.is_64 ? 24 : 16;
  if (count > limits::kMaxElfSymbols) {
    problem(fmt::format("{} has {} symbols, more than the limit of {}; the rest are ignored", what, count,
                        limits::kMaxElfSymbols));
    count = limits::kMaxElfSymbols;
  }
  count = std::min<std::uint64_t>(count, table.size() / entsize);
  out.reserve(static_cast<std::size_t>(count));
  std::size_t bad_names = 0;
  for (std::uint64_t i = 0; i < count; ++i) {
    auto r = reader(table.subspan(static_cast<std::size_t>(i * entsize), static_cast<std::size_t>(entsize)));
    std::uint32_t name = r.u32().value_or(0);
    std::uint8_t info = 0;
    std::uint16_t shndx = 0;
    if (elf_.is_64) {
      info = r.u8().value_or(0);
      r.u8();
      shndx = r.u16().value_or(0);
    } else {
      r.u32();  // st_value
      r.u32();  // st_size
      info = r.u8().value_or(0);
      r.u8();
      shndx = r.u16().value_or(0);
    }
    Symbol s;
    if (name != 0) {
      auto n = strings.at(name);
      if (n) {
        s.name = std::string(*n);
      } else {
        ++bad_names;
      }
    }
    s.defined = shndx != kShnUndef;
    s.type = info & 0xf;
    s.binding = info >> 4;
    out.push_back(std::move(s));
  }
  if (bad_names) problem(fmt::format("{}: {} symbol names lie outside the string table", what, bad_names));
}

std::optional<std::uint64_t> Parser::sysv_hash_symbol_count(std::uint64_t vaddr) {
  auto at = map_vaddr(vaddr);
  if (!at) return std::nullopt;
  std::vector<std::byte> bytes;
  if (!window(at->first, std::min<std::uint64_t>(8, at->second), "DT_HASH", bytes)) return std::nullopt;
  auto r = reader(bytes);
  r.u32();  // nbucket
  auto nchain = r.u32();
  return nchain;
}

std::optional<std::uint64_t> Parser::gnu_hash_symbol_count(std::uint64_t vaddr) {
  // Header, bloom filter, buckets, then one chain word per symbol from symoffset on; the
  // last symbol is at the end of the chain of the highest bucket value. Read piecewise: the
  // table sits in a segment that may hold all of .text after it.
  auto at = map_vaddr(vaddr);
  if (!at) return std::nullopt;
  std::vector<std::byte> bytes;
  if (!window(at->first, std::min<std::uint64_t>(16, at->second), "DT_GNU_HASH header", bytes)) return std::nullopt;
  auto h = reader(bytes);
  std::uint64_t nbuckets = h.u32().value_or(0);
  std::uint64_t symoffset = h.u32().value_or(0);
  std::uint64_t bloom_size = h.u32().value_or(0);
  if (h.failed()) {
    problem("DT_GNU_HASH header is truncated");
    return std::nullopt;
  }
  const std::uint64_t buckets_at = 16 + bloom_size * (elf_.is_64 ? 8 : 4);  // both < 2^36: no overflow
  // Offsets below stay inside the segment's file bytes, which map_vaddr found in the file.
  if (!core::in_bounds(buckets_at, nbuckets * 4, at->second) ||
      !window(at->first + buckets_at, nbuckets * 4, "DT_GNU_HASH buckets", bytes)) {
    problem("DT_GNU_HASH buckets lie outside their segment");
    return std::nullopt;
  }
  auto r = reader(bytes);
  std::uint64_t max_bucket = 0;
  for (std::uint64_t i = 0; i < nbuckets; ++i) max_bucket = std::max<std::uint64_t>(max_bucket, r.u32().value_or(0));
  if (max_bucket < symoffset) return symoffset;
  std::uint64_t chain_at = buckets_at + nbuckets * 4 + (max_bucket - symoffset) * 4;
  constexpr std::uint64_t kChunkWords = 1024;
  for (std::uint64_t index = max_bucket; index - max_bucket < limits::kMaxElfSymbols;) {
    if (chain_at >= at->second) break;
    std::uint64_t words = std::min<std::uint64_t>(kChunkWords, (at->second - chain_at) / 4);
    if (words == 0 || !window(at->first + chain_at, words * 4, "DT_GNU_HASH chain", bytes)) break;
    auto c = reader(bytes);
    for (std::uint64_t i = 0; i < words; ++i, ++index) {
      if (c.u32().value_or(0) & 1) return index + 1;
    }
    chain_at += words * 4;
  }
  problem("DT_GNU_HASH chain has no end inside its segment");
  return std::nullopt;
}

void Parser::dynamic_symbols() {
  const std::uint64_t entsize = elf_.is_64 ? 24 : 16;
  // As readelf --dyn-syms does: the .dynsym section when there are section headers, the
  // dynamic tags otherwise (section headers can be stripped; the loader never needs them).
  for (const auto& s : elf_.sections) {
    if (s.type != kShtDynsym) continue;
    StringTable strings;
    if (!load_strtab_section(s.link, ".dynsym", strings)) return;
    std::vector<std::byte> table;
    if (!window(s.offset, s.size, ".dynsym", table)) return;
    read_symbols(table, s.size / entsize, strings, ".dynsym", elf_.dynamic_symbols);
    return;
  }
  if (!dt_symtab_ || !dynstr_.loaded) return;
  // DT_HASH's nchain is the exact count. DT_GNU_HASH covers only the exported symbols, so an
  // executable that exports nothing looks empty through it; linkers place .dynstr right after
  // .dynsym, so that distance is the better count when the layout has it.
  std::optional<std::uint64_t> count;
  if (dt_hash_) count = sysv_hash_symbol_count(*dt_hash_);
  if (!count && dt_strtab_ && *dt_strtab_ > *dt_symtab_ && (*dt_strtab_ - *dt_symtab_) % entsize == 0) {
    count = (*dt_strtab_ - *dt_symtab_) / entsize;
  }
  if (!count && dt_gnu_hash_) count = gnu_hash_symbol_count(*dt_gnu_hash_);
  if (!count) {
    problem("dynamic symbol count unknown (no usable DT_HASH or DT_GNU_HASH); dynamic symbols not read");
    return;
  }
  auto at = map_vaddr(*dt_symtab_);
  if (!at) {
    problem("DT_SYMTAB is outside every loadable segment");
    return;
  }
  auto bytes = core::checked_mul(std::min<std::uint64_t>(*count, limits::kMaxElfSymbols), entsize);
  std::vector<std::byte> table;
  if (!bytes || !window(at->first, std::min(*bytes, at->second), "DT_SYMTAB", table)) return;
  read_symbols(table, *count, dynstr_, "DT_SYMTAB", elf_.dynamic_symbols);
}

void Parser::static_symbols() {
  if (!options_.read_static_symbols) return;
  const std::uint64_t entsize = elf_.is_64 ? 24 : 16;
  for (const auto& s : elf_.sections) {
    if (s.type != kShtSymtab) continue;
    StringTable strings;
    if (!load_strtab_section(s.link, ".symtab", strings)) return;
    std::vector<std::byte> table;
    if (!window(s.offset, s.size, ".symtab", table)) return;
    read_symbols(table, s.size / entsize, strings, ".symtab", elf_.static_symbols);
    return;
  }
}

void Parser::parse_properties(std::span<const std::byte> desc) {
  const std::uint64_t align = elf_.is_64 ? 8 : 4;
  auto r = reader(desc);
  while (r.remaining() >= 8) {
    std::uint32_t type = r.u32().value_or(0);
    std::uint32_t size = r.u32().value_or(0);
    auto data = r.bytes(size);
    if (!data) {
      problem("GNU property runs past its note");
      return;
    }
    if (size >= 4) {
      std::uint32_t value = reader(*data).u32().value_or(0);
      if (type == kGnuPropertyX86Feature1And && (elf_.machine == kEmX86_64 || elf_.machine == kEm386)) {
        elf_.x86_features = value;
      } else if (type == kGnuPropertyAarch64Feature1And && elf_.machine == kEmAarch64) {
        elf_.aarch64_features = value;
      }
    }
    std::uint64_t pad = (align - size % align) % align;
    if (r.remaining() < pad) break;
    r.skip(pad);
  }
}

void Parser::parse_notes(std::span<const std::byte> bytes, std::uint64_t align) {
  // Name and descriptor each start at the next multiple of the alignment, counted from the
  // start of the (aligned) note segment: 4 for classic notes, 8 for GNU properties on ELF64.
  auto r = reader(bytes);
  auto align_up = [&] { return r.seek((r.offset() + align - 1) / align * align); };
  while (r.remaining() >= 12) {
    std::uint32_t namesz = r.u32().value_or(0);
    std::uint32_t descsz = r.u32().value_or(0);
    std::uint32_t type = r.u32().value_or(0);
    auto name = r.bytes(namesz);
    if (!name || !align_up()) break;
    auto desc = r.bytes(descsz);
    if (!desc) {
      problem("note descriptor runs past its segment");
      return;
    }
    std::string_view n(reinterpret_cast<const char*>(name->data()), name->size());
    if (n == std::string_view("GNU\0", 4) && type == kNtGnuPropertyType0) parse_properties(*desc);
    if (!align_up()) break;
  }
}

void Parser::notes() {
  std::vector<std::byte> bytes;
  auto align_of = [](std::uint64_t a) -> std::uint64_t { return a == 8 ? 8 : 4; };
  if (const Segment* s = elf_.segment(kPtGnuProperty)) {
    if (window(s->offset, s->filesz, "PT_GNU_PROPERTY", bytes)) parse_notes(bytes, align_of(s->align));
    return;
  }
  bool any_segment = false;
  for (const auto& s : elf_.segments) {
    if (s.type != kPtNote) continue;
    any_segment = true;
    if (window(s.offset, s.filesz, "PT_NOTE", bytes)) parse_notes(bytes, align_of(s.align));
  }
  if (any_segment) return;
  for (const auto& s : elf_.sections) {
    if (s.type != kShtNote || s.name != ".note.gnu.property") continue;
    if (window(s.offset, s.size, ".note.gnu.property", bytes)) parse_notes(bytes, align_of(s.addralign));
  }
}

void Parser::module_signature() {
  if (!elf_.is_kernel_module() || in_.size() < kModuleSignatureMarker.size()) return;
  std::vector<std::byte> tail;
  if (!window(in_.size() - kModuleSignatureMarker.size(), kModuleSignatureMarker.size(), "module trailer", tail))
    return;
  elf_.module_signature_appended =
      std::memcmp(tail.data(), kModuleSignatureMarker.data(), kModuleSignatureMarker.size()) == 0;
}

}  // namespace

Result<Elf> parse(const Input& input, const ParseOptions& options) {
  Elf elf;
  Parser p(input, options, elf);
  Error error;
  if (!p.header(error)) return error;
  // Section headers first: they may carry the extended program header count.
  p.section_headers();
  p.program_headers();
  p.interpreter();
  p.dynamic();
  p.dynamic_symbols();
  p.static_symbols();
  p.notes();
  p.module_signature();
  return elf;
}

Result<Elf> parse(std::span<const std::byte> bytes, const ParseOptions& options) {
  MemoryInput input(bytes);
  return parse(input, options);
}

}  // namespace fwcert::formats::elf
