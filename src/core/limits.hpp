#pragma once
// Every bound fwcert puts on hostile input, in one place. Parsers take their limits from
// here so that a reviewer can see at a glance how much a crafted image can make us do.

#include <cstddef>
#include <cstdint>

namespace fwcert::limits {

/// Deepest directory nesting the inventory walk descends into.
inline constexpr int kMaxDirectoryDepth = 64;
/// Most entries the inventory records across all filesystems of one target.
inline constexpr std::size_t kMaxInventoryEntries = 2'000'000;
/// Most entries one directory may list.
inline constexpr std::size_t kMaxDirectoryEntries = 1'000'000;
/// Longest path (bytes) we accept inside an image.
inline constexpr std::size_t kMaxPathLength = 4096;
/// Longest single path component.
inline constexpr std::size_t kMaxNameLength = 1024;
/// Symlinks followed while resolving one path (Linux uses 40).
inline constexpr int kMaxSymlinkHops = 40;
/// Longest symlink target we store.
inline constexpr std::size_t kMaxSymlinkTarget = 4096;

/// Bytes of an archive member (tar/cpio/zip) kept; larger members keep metadata only.
inline constexpr std::uint64_t kMaxArchiveMemberBytes = 512ull << 20;
/// Total bytes of archive content kept for one archive, in memory and in its spill file.
inline constexpr std::uint64_t kMaxArchiveTotalBytes = 4ull << 30;
/// Archive members of at most this many bytes are kept in memory, up to
/// kArchiveInlineTotalBytes for all of them; the content of every other member is kept in one
/// unnamed temporary file, so an archive's memory does not grow with its content.
inline constexpr std::uint64_t kArchiveInlineMemberBytes = 64ull << 10;
inline constexpr std::uint64_t kArchiveInlineTotalBytes = 32ull << 20;
/// Most members one archive may have.
inline constexpr std::size_t kMaxArchiveMembers = 1'000'000;
/// Bytes of input libarchive may read while looking for one member header. cpio and zip resync
/// by scanning for the next magic, so junk or zeros after a member (the don't-care chunks of an
/// Android sparse image, the holes of a file) are read to the end; real headers, a zip central
/// directory of some 600,000 members or an ISO 9660 directory included, are far smaller.
inline constexpr std::uint64_t kMaxArchiveHeaderSearchBytes = 64ull << 20;
/// Largest ratio of decompressed to compressed bytes accepted from an archive (bomb guard).
inline constexpr std::uint64_t kMaxDecompressionRatio = 1000;
/// Archives smaller than this are exempt from the ratio guard (tiny inputs compress well).
inline constexpr std::uint64_t kRatioGuardFloorBytes = 64ull << 20;

/// Bytes read from the start of each file to classify it.
inline constexpr std::size_t kKindSniffBytes = 2048;
/// Bytes read from the start of a target or nested image to recognise its format: the ISO 9660
/// volume descriptor at 0x8001 and the super geometry backup at 8192 lie farthest in.
inline constexpr std::size_t kFormatSniffBytes = 0x8800;
/// Largest text file a config parser reads (passwd, shadow, units, ...).
inline constexpr std::uint64_t kMaxConfigFileBytes = 16ull << 20;
/// Most lines a line-oriented parser processes in one file.
inline constexpr std::size_t kMaxConfigLines = 1'000'000;
/// Largest extended attribute value stored.
inline constexpr std::size_t kMaxXattrValue = 64 * 1024;
/// Most extended attributes stored per file.
inline constexpr std::size_t kMaxXattrsPerFile = 128;

/// Most data blocks one file of a filesystem image may list (squashfs block list, 16 Mi
/// entries: a 2 TiB file at 128 KiB blocks). Larger claims are treated as damage before any
/// allocation is made for them.
inline constexpr std::uint64_t kMaxImageFileBlocks = 1ull << 24;
/// Most entries of a squashfs fragment table or xattr id table (16 bytes each in memory).
inline constexpr std::uint64_t kMaxSquashfsTableEntries = 1ull << 22;
/// Directory entries a filesystem backend keeps cached across all listings before it drops
/// the cache and starts over (bounds memory on images with huge or cyclic trees).
inline constexpr std::size_t kMaxCachedDirectoryEntries = 2'000'000;

/// Largest EROFS directory read (its dirent blocks are parsed one block at a time).
inline constexpr std::uint64_t kMaxErofsDirectoryBytes = 256ull << 20;
/// Largest compressed EROFS pcluster read (the kernel's limit is 1 MiB).
inline constexpr std::uint64_t kMaxErofsPclusterBytes = 1ull << 20;
/// Largest decoded EROFS extent (mkfs.erofs writes at most about 1 MiB per extent).
inline constexpr std::uint64_t kMaxErofsExtentBytes = 8ull << 20;
/// Decoded EROFS extents kept per image, so reading a file in pieces decodes each extent once.
inline constexpr std::size_t kErofsCachedExtents = 4;
/// Most nodes one JFFS2 image may hold. Each data node is kept as a 24-byte location (flash
/// offset, file offset, sizes, compression), never its content: 4 Mi nodes are 16 GiB of 4 KiB
/// pages, far beyond any NOR flash, in about 100 MiB of index.
inline constexpr std::uint64_t kMaxJffs2Nodes = 1ull << 22;
/// Most distinct inode numbers one JFFS2 image may use.
inline constexpr std::uint64_t kMaxJffs2Inodes = 1ull << 21;
/// Largest JFFS2 node (`totlen`). Nodes never cross an erase block, and NOR/NAND erase blocks
/// are 4 KiB to 2 MiB; a longer claim is a damaged header.
inline constexpr std::uint32_t kMaxJffs2NodeBytes = 4u << 20;
/// Largest decompressed size of one JFFS2 data node (mkfs.jffs2 and the kernel write one page,
/// 4-64 KiB); the buffer a node inflates into is never larger.
inline constexpr std::uint32_t kMaxJffs2NodeData = 1u << 20;
/// Most extents one JFFS2 file may consist of after newer nodes overlay older ones (a 4 GiB
/// file, JFFS2's largest, in 4 KiB pages).
inline constexpr std::size_t kMaxJffs2ExtentsPerFile = 1u << 20;
/// Most entries (files, directories, links) read from one cramfs image.
inline constexpr std::size_t kMaxCramfsEntries = 1u << 21;
/// Damage diagnostics one image backend emits one by one before it only counts the rest.
inline constexpr std::size_t kMaxDamageDiagnostics = 64;

/// Bytes of a raw blob scanned for filesystem magic when carving.
inline constexpr std::uint64_t kMaxCarveScanBytes = 64ull << 30;
/// Most filesystems carved from one blob.
inline constexpr std::size_t kMaxCarvedFilesystems = 32;
/// Nesting levels followed below the target: an image in an image in the target (a cpio in a
/// boot image in a sparse image; a squashfs in a UBI volume in a raw dump).
inline constexpr int kMaxNestingDepth = 2;
/// Compression layers unwrapped around one image (`rootfs.tar.gz.xz`); each is a whole stream.
inline constexpr int kMaxCompressionLayers = 3;
/// Decompressed bytes of one compressed image held in memory; beyond this they spill into an
/// unnamed temporary file (sparse where the image is zeros).
inline constexpr std::uint64_t kSpillMemoryBytes = 64ull << 20;
/// Largest host file (an image, or the spill file of a decompressed one) read through a memory
/// mapping; larger ones are read with pread so that their pages do not count as ours.
inline constexpr std::uint64_t kMaxMappedSourceBytes = 64ull << 20;
/// Decompressed blocks of one image backend (squashfs data and fragment blocks) kept in memory
/// for reuse: small files share a fragment block, and the walk, the content pass and the ELF
/// parser read the same blocks one after another.
inline constexpr std::size_t kBlockCacheMemoryBytes = 32ull << 20;
/// Decompressed blocks of one image backend kept, beyond the memory cache, in an unnamed
/// temporary file, so that every block is decompressed once: past this, blocks the memory cache
/// drops are decompressed again when read again.
inline constexpr std::uint64_t kBlockCacheSpillBytes = 4ull << 30;
/// Largest decompressed size of one compressed image (also bounded by kMaxDecompressionRatio).
inline constexpr std::uint64_t kMaxDecompressedImageBytes = 64ull << 30;
/// Chunks of an Android sparse image (each 12 bytes of header, 40 bytes of index in memory).
inline constexpr std::uint32_t kMaxSparseChunks = 1u << 22;
/// Parts listed from one container (FIT images, multi-file uImage entries, super partitions).
inline constexpr std::size_t kMaxContainerParts = 1024;
/// Largest metadata_max_size accepted from an Android super geometry (lpmake uses 64 KiB); the
/// tables of one metadata copy, at most this size, are read into memory.
inline constexpr std::uint64_t kMaxSuperMetadataBytes = 4ull << 20;
/// Most metadata slots a super geometry may declare (A/B devices use 2, virtual A/B 3).
inline constexpr std::uint64_t kMaxSuperMetadataSlots = 16;
/// Most extents read from one super's extent table (each 32 bytes in memory).
inline constexpr std::uint64_t kMaxSuperExtents = 1u << 16;
/// Largest FAT directory read (the format allows 65536 entries of 32 bytes).
inline constexpr std::uint64_t kMaxFatDirectoryBytes = 65536 * 32;
/// Largest FIT device tree (with inline data) read into memory when it is not mapped.
inline constexpr std::uint64_t kMaxFitTreeBytes = 256ull << 20;
/// Bytes of a compressed stream decompressed to recognise what it holds.
inline constexpr std::size_t kPayloadSniffBytes = kFormatSniffBytes;
/// Most nested images opened inside one target.
inline constexpr std::size_t kMaxNestedImages = 256;

/// PEB sizes a UBI image may have: the erase blocks of NOR (4 KiB sectors) to large MLC NAND.
inline constexpr std::uint64_t kMinUbiPebBytes = 4096;
inline constexpr std::uint64_t kMaxUbiPebBytes = 16ull << 20;
/// Erase-counter header positions probed after the first to establish a UBI image's PEB size.
inline constexpr std::uint64_t kUbiPebSizeProbes = 8;
/// Most PEBs read from one UBI image (128 GiB of 128 KiB PEBs; 40 bytes each in memory).
inline constexpr std::uint64_t kMaxUbiPebs = 1ull << 20;
/// Volumes of one UBI image (the format's own maximum, UBI_MAX_VOLUMES).
inline constexpr std::uint32_t kMaxUbiVolumes = 128;
/// Damaged PEBs or nodes reported one by one before the rest are only counted.
inline constexpr std::size_t kMaxUbiWarnings = 16;
/// UBIFS LEB sizes accepted from a superblock (the format's minimum is 15 KiB).
inline constexpr std::uint64_t kMinUbifsLebBytes = 15 * 1024;
inline constexpr std::uint64_t kMaxUbifsLebBytes = 16ull << 20;
/// Largest UBIFS node read (an index node of fanout ~2000; data nodes are at most 4 KiB + 48).
inline constexpr std::uint32_t kMaxUbifsNodeBytes = 64 * 1024;
/// Deepest UBIFS index tree walked (fanout 3 reaches 2^40 leaves at depth 25).
inline constexpr int kMaxUbifsIndexDepth = 64;
/// Most UBIFS index and leaf nodes visited in one walk (each leaf keeps 16-64 bytes of metadata).
inline constexpr std::size_t kMaxUbifsNodes = 8u << 20;
/// Largest file size taken from a UBIFS inode (the format's limit is near 2^42 bytes).
inline constexpr std::uint64_t kMaxUbifsFileBytes = 1ull << 42;

/// Password candidates tried per hash (crypt is slow on purpose).
inline constexpr std::size_t kMaxPasswordCandidates = 512;
/// Largest catalog YAML file accepted.
inline constexpr std::uint64_t kMaxCatalogFileBytes = 8ull << 20;
/// Deepest nesting of YAML collections (mappings and sequences) in a catalog file. A real
/// catalog needs 4 levels; the bound keeps yaml-cpp's recursive-descent parser far from the
/// end of the stack on hostile input.
inline constexpr int kMaxCatalogNesting = 32;

/// Most program headers read from one ELF (real binaries have about a dozen).
inline constexpr std::uint64_t kMaxElfProgramHeaders = 4096;
/// Most section headers read from one ELF (the 16-bit field allows 65535; extended
/// numbering more, which only crafted files use).
inline constexpr std::uint64_t kMaxElfSections = 65536;
/// Most entries read from one ELF's dynamic section.
inline constexpr std::uint64_t kMaxElfDynamicEntries = 65536;
/// Most symbols read from one ELF symbol table (.dynsym or .symtab).
inline constexpr std::uint64_t kMaxElfSymbols = 1u << 21;
/// Largest single ELF table (headers, symbols, strings, notes) read into memory; the rest of
/// the file is never read.
inline constexpr std::uint64_t kMaxElfTableBytes = 64ull << 20;
/// Longest name (symbol, library, path list) taken from an ELF string table.
inline constexpr std::size_t kMaxElfStringLength = 4096;

/// Largest kernel image (vmlinux, bzImage, zImage, Image.gz) read into memory to look for its
/// version banner and embedded configuration.
inline constexpr std::uint64_t kMaxKernelImageBytes = 128ull << 20;
/// Most bytes a compressed kernel payload is decompressed to (an uncompressed arm64 Image or
/// vmlinux with everything built in is 30-60 MiB).
inline constexpr std::size_t kMaxKernelDecompressedBytes = 256u << 20;
/// Most compressed-stream magics tried inside one kernel image before giving up.
inline constexpr std::size_t kMaxKernelPayloadCandidates = 16;
/// Most kernel images and config.gz candidates examined per target.
inline constexpr std::size_t kMaxKernelCandidates = 32;

/// Largest endoflife.date product file (or normalised table) read; real ones are under 64 KiB.
inline constexpr std::size_t kMaxEndoflifeFileBytes = 1u << 20;
/// Most release cycles one end-of-life table may list (the busiest has about 100).
inline constexpr std::size_t kMaxEndoflifeCycles = 4096;
/// Largest os-release, build.prop, SELinux config or AppArmor profile read.
inline constexpr std::uint64_t kMaxSmallConfigBytes = 1u << 20;
/// Bytes of a shared library searched for a version string (libcrypto's is in .rodata).
inline constexpr std::uint64_t kMaxVersionScanBytes = 16ull << 20;
/// Programs of /bin, /sbin, /usr/bin and /usr/sbin per filesystem whose sections inv-build-type
/// reads for debug information (a sample: a debug build leaves it in every program).
inline constexpr std::size_t kMaxBuildTypeElfSamples = 32;

/// Largest file the content pass (secrets, keys, TLS bypass strings) scans; larger files are
/// counted as skipped. Filesystem images inside the target are opened and walked instead.
inline constexpr std::uint64_t kMaxContentScanFileBytes = 64ull << 20;
/// Bytes read per step when streaming a file through the pattern matcher.
inline constexpr std::size_t kContentScanChunkBytes = 256u << 10;
/// Most pattern matches kept per file (a CA bundle has about 150 certificate headers).
inline constexpr std::size_t kMaxContentMatchesPerFile = 4096;
/// Largest PEM block, DER key, PKCS#12 or OpenSSH key container read to confirm a candidate.
inline constexpr std::size_t kMaxKeyBlockBytes = 64u << 10;
/// Most certificates read from one CA bundle or hashed directory.
inline constexpr std::size_t kMaxCertificatesPerStore = 4096;
/// Most keys an openssh-key-v1 container may declare (ssh-keygen writes one).
inline constexpr std::uint32_t kMaxOpensshKeys = 16;

/// Largest U-Boot environment (stored blob or text) parsed; real ones are 4 KiB to 256 KiB.
inline constexpr std::uint64_t kMaxUbootEnvBytes = 1ull << 20;
/// Most variables kept from one U-Boot environment.
inline constexpr std::size_t kMaxUbootEnvVars = 16384;
/// Occurrences of "bootcmd=" examined in one U-Boot binary when looking for its default
/// environment.
inline constexpr std::size_t kMaxUbootEnvCandidates = 64;
/// Largest bootloader binary, FIT or device tree read into memory (U-Boot is about 1 MiB; a FIT
/// with kernel, initramfs and device trees tens of MiB).
inline constexpr std::uint64_t kMaxBootArtefactBytes = 128ull << 20;
/// Most flattened device trees examined inside one binary (appended control DTBs).
inline constexpr std::size_t kMaxFdtCandidates = 64;
/// Most nodes visited in one FIT or control device tree.
inline constexpr std::size_t kMaxFdtNodes = 65536;
/// Deepest `run` nesting followed when expanding U-Boot boot commands.
inline constexpr int kMaxUbootRunDepth = 16;
/// Most descriptors read from one Android vbmeta image.
inline constexpr std::size_t kMaxVbmetaDescriptors = 4096;
/// Largest Android vbmeta image read (the format caps it at 64 KiB).
inline constexpr std::uint64_t kMaxVbmetaBytes = 64 * 1024;

}  // namespace fwcert::limits
