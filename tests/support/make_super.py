#!/usr/bin/env python3
"""Writes an Android super image (LpMetadata 10.x, liblp's metadata_format.h) for tests.

Debian has no lpmake, so the tests build super images with this writer, which follows the
published layout: 4096 reserved bytes, the geometry at 4096 and its backup at 8192, metadata
slots (primary then backup copies) from 12288, then the partitions' data.

usage: make_super.py OUT NAME=FILE[,split=N][,zero=SECTORS] ... [--empty NAME] [--minor M]
                     [--corrupt primary-tables|primary-header|all-tables] [--slots N]
                     [--metadata-max BYTES] [--align BYTES]

split=N stores the partition as N linear extents written in reverse order on disk (so the
reader must follow the extent table); zero=S appends a zero extent of S sectors.
"""

import hashlib
import struct
import sys

SECTOR = 512
GEOMETRY_MAGIC = 0x616C4467
HEADER_MAGIC = 0x414C5030


def name36(name):
    raw = name.encode()
    assert len(raw) < 36
    return raw + b"\0" * (36 - len(raw))


def main(argv):
    out = argv[1]
    parts = []
    empties = []
    minor = 0
    corrupt = None
    slots = 2
    metadata_max = 65536
    align = 1 << 20
    i = 2
    while i < len(argv):
        a = argv[i]
        if a == "--empty":
            empties.append(argv[i + 1])
            i += 2
            continue
        if a == "--minor":
            minor = int(argv[i + 1])
            i += 2
            continue
        if a == "--corrupt":
            corrupt = argv[i + 1]
            i += 2
            continue
        if a == "--slots":
            slots = int(argv[i + 1])
            i += 2
            continue
        if a == "--metadata-max":
            metadata_max = int(argv[i + 1])
            i += 2
            continue
        if a == "--align":
            align = int(argv[i + 1])
            i += 2
            continue
        fields = a.split(",")
        name, path = fields[0].split("=", 1)
        opts = dict(f.split("=", 1) for f in fields[1:])
        with open(path, "rb") as f:
            data = f.read()
        data += b"\0" * ((-len(data)) % 4096)
        parts.append((name, data, int(opts.get("split", "1")), int(opts.get("zero", "0"))))
        i += 1

    metadata_end = 4096 + 2 * 4096 + 2 * slots * metadata_max
    data_start = (metadata_end + align - 1) // align * align

    # Lay out the data: each partition's chunks, last chunk first on disk.
    image_data = bytearray()
    partitions = []  # (name, [(sectors, type, target)])
    for name, data, split, zero in parts:
        chunk = (len(data) // split + 4095) // 4096 * 4096
        chunks = [data[k * chunk:(k + 1) * chunk] for k in range(split)]
        chunks = [c for c in chunks if c]
        placed = {}
        for k in reversed(range(len(chunks))):
            placed[k] = data_start + len(image_data)
            image_data += chunks[k]
            image_data += b"\0" * ((-len(image_data)) % 4096)
        extents = [(len(chunks[k]) // SECTOR, 0, placed[k] // SECTOR) for k in range(len(chunks))]
        if zero:
            extents.append((zero, 1, 0))
        partitions.append((name, extents))
    for name in empties:
        partitions.append((name, []))
    total = data_start + len(image_data)
    total += (-total) % align

    part_table = b""
    ext_table = b""
    index = 0
    for name, extents in partitions:
        part_table += name36(name) + struct.pack("<IIII", 1, index, len(extents), 1)
        for sectors, kind, target in extents:
            ext_table += struct.pack("<QIQI", sectors, kind, target, 0)
        index += len(extents)
    group_table = name36("default") + struct.pack("<IQ", 0, 0)
    group_table += name36("main_a") + struct.pack("<IQ", 1, total)
    dev_table = struct.pack("<QIIQ", data_start // SECTOR, align, 0, total) + name36("super") + struct.pack("<I", 0)
    tables = part_table + ext_table + group_table + dev_table

    header_size = 256 if minor >= 2 else 128
    offsets = [0, len(part_table), len(part_table) + len(ext_table), len(part_table) + len(ext_table) + len(group_table)]
    counts = [len(partitions), len(ext_table) // 24, 2, 1]
    sizes = [52, 24, 48, 64]

    def header(tables_bytes):
        h = struct.pack("<IHHI", HEADER_MAGIC, 10, minor, header_size)
        h += b"\0" * 32
        h += struct.pack("<I", len(tables_bytes)) + hashlib.sha256(tables_bytes).digest()
        for o, c, s in zip(offsets, counts, sizes):
            h += struct.pack("<III", o, c, s)
        if minor >= 2:
            h += struct.pack("<I", 0)
        h += b"\0" * (header_size - len(h))
        return h[:12] + hashlib.sha256(h).digest() + h[44:]

    meta = header(tables) + tables
    assert len(meta) <= metadata_max

    geometry = struct.pack("<II", GEOMETRY_MAGIC, 52) + b"\0" * 32 + struct.pack("<III", metadata_max, slots, 4096)
    geometry = geometry[:8] + hashlib.sha256(geometry).digest() + geometry[40:]

    img = bytearray(total)
    img[4096:4096 + 52] = geometry
    img[8192:8192 + 52] = geometry
    for copy in range(2):
        for slot in range(slots):
            at = 12288 + (copy * slots + slot) * metadata_max
            img[at:at + len(meta)] = meta
    primary = 12288
    backup = 12288 + slots * metadata_max
    tables_at = header_size
    if corrupt in ("primary-tables", "all-tables"):
        img[primary + tables_at + 1] ^= 0x20  # a partition name letter changes case
    if corrupt == "all-tables":
        img[backup + tables_at + 1] ^= 0x20
    if corrupt == "primary-header":
        img[primary + 60] ^= 0xFF  # inside tables_checksum: the header checksum no longer matches
    img[data_start:data_start + len(image_data)] = image_data
    with open(out, "wb") as f:
        f.write(img)


if __name__ == "__main__":
    main(sys.argv)
