#!/usr/bin/env python3
"""Writes the bad traces of tests/bad_traces/ that hold bytes an editor
cannot: binary records, NUL bytes and random bytes. The .ddwb layout is taken
from the tables at the top of src/trace_bin.c, not from ddwsim's writer.
The text cases (*.ddwt without a NUL) are written by hand.

    nul-byte.ddwt               a NUL byte inside the third line's LEN
    garbage.ddwt                512 random bytes (seed 10): no magic, so read as text
    bin-garbage.ddwb            a valid header, then 256 random bytes (seed 11)
    bin-bad-magic.ddwb          the magic's 4th byte changed ("\\x89DDX...")
    bin-wrong-version.ddwb      version 2
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
    write("bin-wrong-version.ddwb", header(1, version=2) + MAP1)
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


if __name__ == "__main__":
    main()
