#!/usr/bin/env python3
"""Writes the bad traces of tests/bad_traces/ that hold bytes an editor
cannot: binary records, NUL bytes and random bytes. The .ddwb layout is taken
from the tables at the top of src/trace_bin.c, not from ddwsim's writer.
The text cases (*.ddwt without a NUL) are written by hand.

    nul-byte.ddwt               a NUL byte inside the third line's LEN
    garbage.ddwt                512 random bytes (seed 10): no magic, so read as text
    bin-garbage.ddwb            a valid header, then 256 random bytes (seed 11)
    bin-bad-magic.ddwb          the magic's 4th byte changed ("\\x89DDX...")
    bin-wrong-version.ddwb      version 3 (1 and 2 are read)
    bin-header-cut.ddwb         the first 30 bytes of a header
    bin-header-only.ddwb        a whole header counting 3 records, and none
    bin-cut-mid-record.ddwb     one map, then 20 bytes of a dma
    bin-cut-mid-sg.ddwb         a map_sg of 3 elements, the file ends after 1
    bin-extra-data.ddwb         the header counts 1 record, the file holds 2
    bin-sg-outside.ddwb         an sg element record with no map_sg before it
    bin-device-300.ddwb         a map by device 300: read fine, a replay refuses it
    bin-unmap-never-mapped.ddwb an unmap of handle 7, never mapped
    bin-nsg-4097.ddwb           a map_sg of 4097 elements (at most 4096), count unknown
    bin-unknown-flag.ddwb       a dma with flags 0x6: aux (0x2) and bit 2, which no flag has
    bin-dma-end-at-2-64.ddwb    a dma whose addr + len is exactly 2^64 (its end wraps to 0)
    bin-sg-length-wraps.ddwb    a map_sg of 2^63 + 2^63 + 4096 bytes: each element fits, the sum wraps

Version 2 (blocks of varint-coded ops; the layout from the design note at the top
of src/trace_bin2.c, the checksum computed here from its description):
    bin2-truncated-block.ddwb   a block of 3 ops cut 5 bytes into its payload
    bin2-bad-checksum.ddwb      a payload byte changed after the checksum was taken
    bin2-bad-varint.ddwb        a dma whose offset delta is 11 bytes of 0xff
    bin2-ops-past-block.ddwb    the block header counts 4 ops, the payload holds 3
    bin2-count-mismatch.ddwb    the block header counts 2 ops, the payload holds 3
    bin2-sg-mismatch.ddwb       the block header counts 5 sg elements, the map_sg holds 3
    bin2-file-count.ddwb        the file header counts 5 ops, the blocks hold 3
    bin2-delta-wraps.ddwb       a dma whose offset delta (-8) takes it to 2^64 - 8, 16 bytes long
    bin2-no-end-block.ddwb      a whole block, then the file ends
    bin2-bad-context.ddwb       a dma whose context byte names cpu, which a dma has not

Run from the repository root: python3 tests/bad_traces/make_bad_traces.py
"""
import random
import struct

NONE = 0xFFFFFFFFFFFFFFFF                       # rec_bus / time_ps: none
MAGIC = b"\x89DDW\r\n\x1a\n"
MAP, MAP_SG, DMA, DMAB, UNMAP, WCREATE, WREMOVE, WRESET, SG = range(1, 10)
BIDI, TO, FROM = 0, 1, 2
WAIT, AUX = 0x1, 0x2                            # record byte 5: flags
D = "tests/bad_traces/"


def header(count, magic=MAGIC, version=1):
    # magic, version, header size, record size, reserved, count, 32 reserved
    return struct.pack("<8sIIIIQ32x", magic, version, 64, 64, 0, count)


def rec(kind, dir=0, win=0, levels=0, shift=0, flags=0, cpu=0, dev=0, nsg=0,
        handle=0, addr=0, size=0, bus=NONE, time=NONE):
    # kind dir win levels page_shift flags, 2 reserved, cpu dev nsg,
    # 4 reserved, handle addr len rec_bus time_ps
    r = struct.pack("<BBBBBB2xIII4xQQQQQ", kind, dir, win, levels, shift,
                    flags, cpu, dev, nsg, handle, addr, size, bus, time)
    assert len(r) == 64
    return r


def noise(seed, n):
    rng = random.Random(seed)
    return bytes(rng.randrange(256) for _ in range(n))


def write(name, data):
    with open(D + name, "wb") as f:
        f.write(data)


MAP1 = rec(MAP, dir=FROM, handle=1, addr=0x10000, size=4096)
DMA1 = rec(DMA, dir=FROM, handle=1, addr=0, size=1500)


def main():
    write("nul-byte.ddwt", b"# ddwt 1\nmap 0 0x1 0x10000 4096 from\n"
          b"map 0 0x2 0x20000 40\x0096 from\n")
    write("garbage.ddwt", noise(10, 512))
    write("bin-garbage.ddwb", header(NONE) + noise(11, 256))
    write("bin-bad-magic.ddwb", header(1, magic=b"\x89DDX\r\n\x1a\n") + MAP1)
    write("bin-wrong-version.ddwb", header(1, version=3) + MAP1)
    write("bin-header-cut.ddwb", header(1)[:30])
    write("bin-header-only.ddwb", header(3))
    write("bin-cut-mid-record.ddwb", header(NONE) + MAP1 + DMA1[:20])
    write("bin-cut-mid-sg.ddwb", header(NONE) +
          rec(MAP_SG, dir=TO, nsg=3, handle=2) + rec(SG, addr=0x10000, size=4096))
    write("bin-extra-data.ddwb", header(1) + MAP1 + DMA1)
    write("bin-sg-outside.ddwb", header(2) + MAP1 + rec(SG, addr=0x10000, size=4096))
    write("bin-device-300.ddwb", header(2) + MAP1 +
          rec(MAP, dir=FROM, dev=300, handle=1, addr=0x10000, size=4096))
    write("bin-unmap-never-mapped.ddwb", header(3) + MAP1 + DMA1 + rec(UNMAP, handle=7))
    write("bin-nsg-4097.ddwb", header(NONE) + rec(MAP_SG, dir=TO, nsg=4097, handle=2))
    write("bin-unknown-flag.ddwb", header(3) + MAP1 +
          rec(DMA, dir=FROM, flags=AUX | 0x4, handle=1, addr=0, size=1500) +
          rec(UNMAP, handle=1))
    write("bin-dma-end-at-2-64.ddwb", header(2) + MAP1 +
          rec(DMA, dir=FROM, handle=1, addr=2**64 - 4096, size=4096))
    write("bin-sg-length-wraps.ddwb", header(4) + rec(MAP_SG, dir=FROM, nsg=3, handle=1) +
          rec(SG, addr=0, size=2**63) + rec(SG, addr=0, size=2**63) +
          rec(SG, addr=0x10000, size=4096))
    v2_cases()


# --- version 2 ---

MASK = 2**64 - 1
K = 0x9E3779B97F4A7C15                          # the checksum's multiplier
CTX_DIR, CTX_WIN, CTX_FLAGS, CTX_CPU, CTX_DEV, CTX_HANDLE, CTX_LEN = (1 << i for i in range(7))
T_CTX, T_TIME, T_BUS = 0x10, 0x20, 0x40


def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append(v & 0x7F | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def delta(new, old):
    d = (new - old) & MASK                      # modulo 2^64, then zigzag
    return varint((d << 1 & MASK) ^ (MASK if d >> 63 else 0))


def b2sum(head8, payload):
    def mix(h, w, shift):
        h = ((h ^ w) * K) & MASK
        return h ^ (h >> shift)
    # the block header's first 8 bytes, then the payload padded to 8-byte words
    h = ((struct.unpack("<Q", head8)[0] ^ K) * K) & MASK
    h ^= h >> 32
    data = payload + bytes(-len(payload) % 8)
    for i in range(0, len(data), 8):
        h = mix(h, struct.unpack("<Q", data[i:i + 8])[0], 29)
    return h ^ (h >> 32)


def header2(count):
    return struct.pack("<8sIIIIQ32x", MAGIC, 2, 64, 1 << 20, 0, count)


def block(payload, nops, nsg=0):
    head8 = struct.pack("<IHH", len(payload), nops, nsg)
    return head8 + struct.pack("<Q", b2sum(head8, payload)) + payload


END = block(b"", 0)

# map from, handle 1, phys 0x10000, 4096 bytes: tag map|ctx, ctx dir handle len,
# dir 2, handle +1, len 4096, phys +0x10000
V2MAP = bytes([MAP | T_CTX, CTX_DIR | CTX_HANDLE | CTX_LEN, FROM]) + delta(1, 0) + \
    varint(4096) + delta(0x10000, 0)
# then a dma of the same handle and direction, 16 bytes at offset 0x100: ctx len, offset +0x100
V2DMA = bytes([DMA | T_CTX, CTX_LEN]) + varint(16) + delta(0x100, 0)
# then a dma at offset 0x108 (+8): the tag and one byte
V2DMA2 = bytes([DMA]) + delta(0x108, 0x100)
V2OPS = V2MAP + V2DMA + V2DMA2


def v2_cases():
    good = block(V2OPS, 3)
    write("bin2-truncated-block.ddwb", header2(3) + good[:16 + 5])
    bad = bytearray(good)
    bad[16 + len(V2MAP) + 3] ^= 0x01              # the dma's offset: 0x100 -> 0x180
    write("bin2-bad-checksum.ddwb", header2(3) + bytes(bad) + END)
    write("bin2-bad-varint.ddwb", header2(NONE) +
          block(V2MAP + bytes([DMA | T_CTX, CTX_LEN]) + varint(16) + b"\xff" * 11, 2) + END)
    write("bin2-ops-past-block.ddwb", header2(NONE) + block(V2OPS, 4) + END)
    write("bin2-count-mismatch.ddwb", header2(NONE) + block(V2OPS, 2) + END)
    sg = bytes([MAP_SG | T_CTX, CTX_DIR | CTX_HANDLE, TO]) + delta(2, 0) + varint(3) + \
        delta(0x10000, 0) + varint(4096) + delta(0x30000, 0x10000) + varint(4096) + \
        delta(0x20000, 0x30000) + varint(8192)
    write("bin2-sg-mismatch.ddwb", header2(NONE) + block(sg, 1, 5) + END)
    write("bin2-file-count.ddwb", header2(5) + good + END)
    wraps = V2MAP + V2DMA + bytes([DMA | T_CTX, CTX_LEN]) + varint(16) + delta(MASK - 7, 0x100)
    write("bin2-delta-wraps.ddwb", header2(3) + block(wraps, 3) + END)
    write("bin2-no-end-block.ddwb", header2(NONE) + good)
    write("bin2-bad-context.ddwb", header2(NONE) +
          block(V2MAP + bytes([DMA | T_CTX, CTX_CPU]) + varint(3) + delta(0x100, 0), 2) + END)


if __name__ == "__main__":
    main()
