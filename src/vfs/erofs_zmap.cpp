// Reading EROFS compressed files: the map header, the logical-cluster indexes (full and
// compact) and the extent walk of the kernel's zmap (fs/erofs/zmap.c), and LZ4 or uncompressed
// pclusters. Every index read is bounds-checked against the image and every walk is bounded by
// the index and by limits.hpp; see erofs_vfs.cpp for what is decided about unsupported data.

#include <fmt/format.h>
#include <lz4.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "core/byte_reader.hpp"
#include "core/checked.hpp"
#include "core/limits.hpp"
#include "vfs/erofs_format.hpp"

namespace fwcert::vfs::erofs {

namespace {

/// What one logical cluster index says.
struct Lcluster {
  unsigned type = 0;
  std::uint32_t clusterofs = 0;
  std::uint32_t pblk = 0;
  std::uint32_t delta0 = 0;
  std::uint32_t compressed_blocks = 0;  ///< from a CBLKCNT NONHEAD, else 0
  std::uint64_t next_pack = 0;          ///< byte after this index's pack (where inline data starts)
};

/// What logical cluster `lcn` of compressed file `in` says, from its full or compact index.
Result<Lcluster> load_lcluster(const Image& img, const Inode& in, const ZInfo& z, std::uint64_t lcn) {
  const std::uint64_t lcsize = std::uint64_t{1} << z.lclusterbits;
  if (lcn > (in.size - 1) / lcsize) return corrupt(fmt::format("cluster index {} beyond the end of file", lcn));
  Lcluster m;
  if (in.layout == kCompressedFull) {
    // Full indexes start after the 8-byte map header and 8 more reserved bytes.
    const std::uint64_t pos = align_up(in.body_end(), 8) + 16 + lcn * 8;
    std::array<std::byte, 8> raw{};
    if (auto ok = img.copy(pos, raw); !ok) return ok.error();
    core::ByteReader r(raw);
    const std::uint16_t advise = r.u16().value_or(0);
    const std::uint16_t clusterofs = r.u16().value_or(0);
    const std::uint32_t u = r.u32().value_or(0);
    m.next_pack = pos + 8;
    m.type = advise & 3;
    if (m.type == kLclusterNonhead) {
      m.clusterofs = static_cast<std::uint32_t>(lcsize);
      m.delta0 = u & 0xFFFF;
      if (m.delta0 & kD0CompressedBlockCount) {
        if (!(z.advise & (kAdviseBigPcluster1 | kAdviseBigPcluster2)))
          return corrupt("block count without big pclusters");
        m.compressed_blocks = m.delta0 & ~kD0CompressedBlockCount;
        m.delta0 = 1;
      }
    } else {
      m.clusterofs = clusterofs;
      if (m.clusterofs >= lcsize) return corrupt(fmt::format("cluster offset {} out of range", m.clusterofs));
      m.pblk = u;
    }
    return m;
  }
  // Compact: a run of 4-byte packs up to 32-byte alignment, then 2-byte packs (16 per 32
  // bytes) when the file asks for them, then 4-byte packs again.
  const std::uint64_t ebase = align_up(in.body_end(), 8) + 8;
  const std::uint64_t totalidx = (in.size + img.blksz - 1) / img.blksz;
  std::uint64_t initial4 = (32 - ebase % 32) / 4;
  if (initial4 == 8) initial4 = 0;
  std::uint64_t compacted2 = 0;
  if ((z.advise & kAdviseCompacted2B) && initial4 < totalidx) compacted2 = (totalidx - initial4) / 16 * 16;
  std::uint64_t pos = ebase;
  std::uint64_t idx = lcn;
  unsigned shift = 2;
  if (idx >= initial4) {
    pos += initial4 * 4;
    idx -= initial4;
    if (idx < compacted2) {
      shift = 1;
    } else {
      pos += compacted2 * 2;
      idx -= compacted2;
    }
  }
  pos += idx << shift;
  unsigned vcnt = 0;
  if (shift == 2 && z.lclusterbits <= 14) {
    vcnt = 2;
  } else if (shift == 1 && z.lclusterbits <= 12) {
    vcnt = 16;
  } else {
    return corrupt("compact index form not valid for the cluster size");
  }
  const std::uint64_t packsize = std::uint64_t{vcnt} << shift;
  const std::uint64_t base = pos / packsize * packsize;
  std::array<std::byte, 32 + 4> pack{};  // +4: the bit decoder reads 32 bits at a time
  if (auto ok = img.copy(base, std::span<std::byte>(pack.data(), packsize)); !ok) return ok.error();
  m.next_pack = base + packsize;
  const bool big = z.advise & kAdviseBigPcluster1;
  const unsigned lobits = std::max(z.lclusterbits, 12u);
  const unsigned encodebits = static_cast<unsigned>((packsize - 4) * 8 / vcnt);
  int i = static_cast<int>((pos - base) >> shift);
  auto decode = [&](int k, unsigned& type) {
    const unsigned bit = encodebits * static_cast<unsigned>(k);
    core::ByteReader word(std::span<const std::byte>(pack.data() + bit / 8, 4));
    const std::uint32_t v = word.u32().value_or(0) >> (bit & 7);
    type = (v >> lobits) & 3;
    return v & ((1u << lobits) - 1);
  };
  unsigned type = 0;
  std::uint32_t lo = decode(i, type);
  m.type = type;
  if (type == kLclusterNonhead) {
    m.clusterofs = static_cast<std::uint32_t>(lcsize);
    if (lo & kD0CompressedBlockCount) {
      if (!big) return corrupt("block count without big pclusters");
      m.compressed_blocks = lo & ~kD0CompressedBlockCount;
      m.delta0 = 1;
      return m;
    }
    if (i + 1 != static_cast<int>(vcnt)) {
      m.delta0 = lo;
      return m;
    }
    // The last entry of a pack holds delta[1]; delta[0] comes from the one before it.
    unsigned t2 = 0;
    lo = decode(i - 1, t2);
    if (t2 != kLclusterNonhead) {
      lo = 0;
    } else if (lo & kD0CompressedBlockCount) {
      lo = 1;
    }
    m.delta0 = lo + 1;
    return m;
  }
  m.clusterofs = lo;
  if (m.clusterofs >= lcsize) return corrupt(fmt::format("cluster offset {} out of range", m.clusterofs));
  std::uint64_t nblk = 0;
  if (!big) {
    nblk = 1;
    while (i > 0) {
      --i;
      unsigned t = 0;
      std::uint32_t l = decode(i, t);
      if (t == kLclusterNonhead) i -= static_cast<int>(l);
      if (i >= 0) ++nblk;
    }
  } else {
    while (i > 0) {
      --i;
      unsigned t = 0;
      std::uint32_t l = decode(i, t);
      if (t == kLclusterNonhead) {
        if (l & kD0CompressedBlockCount) {
          --i;
          nblk += l & ~kD0CompressedBlockCount;
          continue;
        }
        if (l <= 1) return corrupt("bad lookback distance in a compact pack");
        i -= static_cast<int>(l) - 2;
        continue;
      }
      ++nblk;
    }
  }
  core::ByteReader r(std::span<const std::byte>(pack.data() + packsize - 4, 4));
  auto pblk = core::checked_add(r.u32().value_or(0), nblk);
  if (!pblk || *pblk > 0xFFFFFFFFu) return corrupt("block address overflows");
  m.pblk = static_cast<std::uint32_t>(*pblk);
  return m;
}

}  // namespace

OkResult Image::copy(std::uint64_t pos, std::span<std::byte> out) const {
  if (!core::in_bounds(pos, out.size(), src->size())) {
    return corrupt(fmt::format("file data at {:#x} lies beyond the end of the image", pos));
  }
  return read_exact(*src, pos, out);
}

Result<ZInfo> read_zinfo(const Image& img, const Inode& in) {
  const std::uint64_t at = align_up(in.body_end(), 8);
  std::array<std::byte, 8> raw{};
  if (auto ok = img.copy(at, raw); !ok) return ok.error();
  core::ByteReader r(raw);
  ZInfo z;
  r.skip(2);
  z.idata_size = r.u16().value_or(0);
  z.advise = r.u16().value_or(0);
  const std::uint8_t alg = r.u8().value_or(0);
  const std::uint8_t clusterbits = r.u8().value_or(0);
  if (clusterbits & 0x80) {
    return make_error(ErrorCode::kUnsupported, "file is stored in the packed inode (fragments), not read");
  }
  if (z.advise & kAdviseFragmentPcluster) {
    return make_error(ErrorCode::kUnsupported, "file tail is a fragment of the packed inode, not read");
  }
  z.algorithm[0] = alg & 0xF;
  z.algorithm[1] = alg >> 4;
  z.lclusterbits = img.blkbits + (clusterbits & 7);
  if ((z.advise & (kAdviseBigPcluster1 | kAdviseBigPcluster2)) && !(img.incompat & kIncompatComprCfgs)) {
    return corrupt("big pclusters without the superblock feature");
  }
  if (in.layout == kCompressedCompact) {
    if (z.lclusterbits > 14) return corrupt(fmt::format("compact indexes with 2^{} clusters", z.lclusterbits));
    if (!(z.advise & kAdviseBigPcluster1) != !(z.advise & kAdviseBigPcluster2)) {
      return corrupt("compact indexes with inconsistent big-pcluster flags");
    }
  }
  if ((z.advise & kAdviseInlinePcluster) && !(img.incompat & kIncompatZtailpacking)) {
    return corrupt("inline pcluster without the superblock feature");
  }
  return z;
}

Result<Extent> map_extent(const Image& img, const Inode& in, ZInfo& z, std::uint64_t at) {
  const unsigned lcb = z.lclusterbits;
  const std::uint64_t lcsize = std::uint64_t{1} << lcb;
  auto head_of = [&](std::uint64_t off, std::uint64_t& head_lcn, Lcluster& head) -> OkResult {
    std::uint64_t lcn = off >> lcb;
    auto m = load_lcluster(img, in, z, lcn);
    if (!m) return m.error();
    std::uint32_t distance = 0;
    if (m->type != kLclusterNonhead) {
      if ((off & (lcsize - 1)) >= m->clusterofs) {
        head_lcn = lcn;
        head = *m;
        return Ok{};
      }
      if (lcn == 0) return corrupt("the first cluster does not start an extent");
      distance = 1;
    } else {
      distance = m->delta0;
    }
    // Look back over NONHEAD clusters; every step moves strictly back, so this ends.
    for (;;) {
      if (distance == 0 || lcn < distance) return corrupt(fmt::format("bogus lookback distance {}", distance));
      lcn -= distance;
      m = load_lcluster(img, in, z, lcn);
      if (!m) return m.error();
      if (m->type == kLclusterNonhead) {
        distance = m->delta0;
        continue;
      }
      head_lcn = lcn;
      head = *m;
      return Ok{};
    }
  };
  const bool ztail = z.advise & kAdviseInlinePcluster;
  if (ztail && !z.tail_known) {
    auto last = load_lcluster(img, in, z, (in.size - 1) >> lcb);
    if (!last) return last.error();
    std::uint64_t tail_lcn = 0;
    Lcluster tail_head;
    if (auto ok = head_of(in.size - 1, tail_lcn, tail_head); !ok) return ok.error();
    z.idata_off = last->next_pack;
    z.tail_head_lcn = tail_lcn;
    z.tail_known = true;
  }
  std::uint64_t head_lcn = 0;
  Lcluster head;
  if (auto ok = head_of(at, head_lcn, head); !ok) return ok.error();
  Extent e;
  e.head_type = head.type;
  e.la = (head_lcn << lcb) | head.clusterofs;
  // Forward to the next HEAD cluster for the extent's decoded length.
  std::uint64_t end = in.size;
  for (std::uint64_t lcn = head_lcn + 1; (lcn << lcb) < in.size; ++lcn) {
    if ((lcn << lcb) - e.la > limits::kMaxErofsExtentBytes) break;
    auto m = load_lcluster(img, in, z, lcn);
    if (!m) return m.error();
    if (m->type != kLclusterNonhead) {
      end = std::min(end, (lcn << lcb) | m->clusterofs);
      break;
    }
  }
  if (end <= e.la || at < e.la || at >= end) return corrupt(fmt::format("no extent maps byte {}", at));
  e.llen = end - e.la;
  if (e.llen > limits::kMaxErofsExtentBytes) {
    return make_error(ErrorCode::kLimitExceeded, fmt::format("compressed extent decodes to {} bytes", e.llen));
  }
  if (ztail && head_lcn == z.tail_head_lcn) {
    e.pa = z.idata_off;
    e.plen = z.idata_size;
    if ((e.pa % img.blksz) + e.plen > img.blksz) return corrupt("inline pcluster crosses a block boundary");
  } else {
    const bool big1 = z.advise & kAdviseBigPcluster1;
    const bool big2 = z.advise & kAdviseBigPcluster2;
    std::uint64_t blocks = std::uint64_t{1} << (lcb - img.blkbits);
    const bool big_head =
        (head.type == kLclusterHead1 && big1) || ((head.type == kLclusterPlain || head.type == kLclusterHead2) && big2);
    if (big_head && ((head_lcn + 1) << lcb) < in.size) {
      auto next = load_lcluster(img, in, z, head_lcn + 1);
      if (!next) return next.error();
      if (next->type == kLclusterNonhead) {
        if (next->compressed_blocks == 0 || next->delta0 != 1) return corrupt("big pcluster without its block count");
        blocks = next->compressed_blocks;
      }
    }
    e.pa = std::uint64_t{head.pblk} << img.blkbits;
    e.plen = blocks << img.blkbits;
  }
  if (e.plen == 0 || e.plen > limits::kMaxErofsPclusterBytes) {
    return corrupt(fmt::format("pcluster of {} bytes", e.plen));
  }
  if (head.type == kLclusterPlain) {
    e.plain = true;
  } else {
    e.algorithm = head.type == kLclusterHead2 ? z.algorithm[1] : z.algorithm[0];
  }
  return e;
}

OkResult decode_extent(const Image& img, const Extent& e, const ZInfo& z, std::vector<std::byte>& out) {
  std::vector<std::byte> in(static_cast<std::size_t>(e.plen));
  if (auto ok = img.copy(e.pa, in); !ok) return ok.error();
  out.resize(static_cast<std::size_t>(e.llen));
  if (e.plain) {
    if (e.llen > e.plen) return corrupt("uncompressed pcluster shorter than its extent");
    std::size_t first = 0;
    if (z.advise & kAdviseInterlacedPcluster) {
      // The extent's first block part is stored at the end of the pcluster.
      first = static_cast<std::size_t>(std::min<std::uint64_t>(img.blksz - (e.la % img.blksz), e.llen));
      std::memcpy(out.data(), in.data() + (in.size() - first), first);
    }
    std::memcpy(out.data() + first, in.data(), out.size() - first);
    return Ok{};
  }
  if (e.algorithm != kAlgLz4) {
    static const char* kNames[] = {"lz4", "lzma", "deflate", "zstd"};
    return make_error(ErrorCode::kUnsupported,
                      fmt::format("{}-compressed data is not decoded", e.algorithm < 4 ? kNames[e.algorithm] : "?"));
  }
  if ((img.incompat & kIncompatComprCfgs) && !(img.algs & 1)) return corrupt("lz4 data but lz4 is not enabled");
  std::size_t skip = 0;
  if (img.incompat & kIncompatZeroPadding) {
    // The compressed bytes end the pcluster; the zeros before them are padding.
    const std::size_t pad_window = static_cast<std::size_t>(std::min<std::uint64_t>(in.size(), img.blksz));
    while (skip < pad_window && in[skip] == std::byte{0}) ++skip;
    if (skip == pad_window) return corrupt("compressed pcluster holds only padding");
  }
  const int got = LZ4_decompress_safe_partial(reinterpret_cast<const char*>(in.data() + skip),
                                              reinterpret_cast<char*>(out.data()), static_cast<int>(in.size() - skip),
                                              static_cast<int>(out.size()), static_cast<int>(out.size()));
  if (got < 0 || static_cast<std::size_t>(got) != out.size()) {
    return corrupt(fmt::format("lz4 pcluster at {:#x} does not decode ({} of {} bytes)", e.pa, got, out.size()));
  }
  return Ok{};
}

}  // namespace fwcert::vfs::erofs
