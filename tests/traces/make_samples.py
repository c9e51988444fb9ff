#!/usr/bin/env python3
"""Writes the binary samples in tests/traces/ straight from the .ddwb layout
tables in src/trace_bin.c, independently of ddwsim's writer, so that the tests
compare ddwsim against the format's definition rather than against itself.

    all-ops.ddwb            tests/traces/all-ops.ddwt, record for record
    truncated-record.ddwb   all-ops.ddwb cut 20 bytes into record 3
    truncated-sg.ddwb       all-ops.ddwb cut after record 5 (the first of the
                            3 sg elements of the map_sg at record 4), count unknown
    flags.ddwb              tests/traces/flags.ddwt, record for record: dma and
                            dmab with each combination of the flags

Run from the repository root: python3 tests/traces/make_samples.py
"""
import struct

NONE = 0xFFFFFFFFFFFFFFFF                       # rec_bus / time_ps: none
MAGIC = b"\x89DDW\r\n\x1a\n"
MAP, MAP_SG, DMA, DMAB, UNMAP, WCREATE, WREMOVE, WRESET, SG = range(1, 10)
BIDI, TO, FROM = 0, 1, 2
WAIT, AUX = 0x1, 0x2                            # record byte 5: flags


def header(count):
    # magic, version, header size, record size, reserved, count, 32 reserved
    return struct.pack("<8sIIIIQ32x", MAGIC, 1, 64, 64, 0, count)


def rec(kind, dir=0, win=0, levels=0, shift=0, flags=0, cpu=0, dev=0, nsg=0,
        handle=0, addr=0, size=0, bus=NONE, time=NONE):
    # kind dir win levels page_shift flags, 2 reserved, cpu dev nsg,
    # 4 reserved, handle addr len rec_bus time_ps
    r = struct.pack("<BBBBBB2xIII4xQQQQQ", kind, dir, win, levels, shift,
                    flags, cpu, dev, nsg, handle, addr, size, bus, time)
    assert len(r) == 64
    return r


RECORDS = [
    # 0: @1500000 map 0 0x1 0x12340000 2048 from cpu=1 bus=0x1000
    rec(MAP, dir=FROM, cpu=1, dev=0, handle=1, addr=0x12340000, size=2048,
        bus=0x1000, time=1500000),
    # 1: @2000000 dma 0 0x1 0 1500 w
    rec(DMA, dir=FROM, dev=0, handle=1, addr=0, size=1500, time=2000000),
    # 2: @2500000 unmap 0 0x1 cpu=1
    rec(UNMAP, cpu=1, dev=0, handle=1, time=2500000),
    # 3: wcreate 1 65536 1073741824 1
    rec(WCREATE, levels=1, shift=16, dev=1, size=1 << 30),
    # 4: map_sg 1 0x2 to 0x10000:4096,0x30000:8192,0x7fff0000:65536 cpu=3 bus=0x800000000000000
    rec(MAP_SG, dir=TO, cpu=3, dev=1, nsg=3, handle=2, bus=1 << 59),
    # 5-7: its sg elements
    rec(SG, addr=0x10000, size=4096),
    rec(SG, addr=0x30000, size=8192),
    rec(SG, addr=0x7FFF0000, size=65536),
    # 8: dma 1 0x2 4096 512 r wait
    rec(DMA, dir=TO, flags=WAIT, dev=1, handle=2, addr=4096, size=512),
    # 9: dmab 1 1 0x800000000000000 512 r
    rec(DMAB, dir=TO, win=1, dev=1, addr=1 << 59, size=512),
    # 10: map 1 0xffffffffffffffff 0x40000000 4096 bidi
    rec(MAP, dir=BIDI, dev=1, handle=NONE, addr=0x40000000, size=4096),
    # 11: unmap 1 0x2
    rec(UNMAP, dev=1, handle=2),
    # 12: wremove 1 0x800000000000000
    rec(WREMOVE, dev=1, addr=1 << 59),
    # 13: @9000000 wreset 1
    rec(WRESET, dev=1, time=9000000),
]

FLAGS_RECORDS = [
    # map 0 0x1 0x10000 4096 bidi
    rec(MAP, dir=BIDI, handle=1, addr=0x10000, size=4096),
    # dma 0 0x1 0 64 r
    rec(DMA, dir=TO, handle=1, addr=0, size=64),
    # dma 0 0x1 64 64 w wait
    rec(DMA, dir=FROM, flags=WAIT, handle=1, addr=64, size=64),
    # dma 0 0x1 128 16 r aux
    rec(DMA, dir=TO, flags=AUX, handle=1, addr=128, size=16),
    # @5000 dma 0 0x1 192 16 w wait aux
    rec(DMA, dir=FROM, flags=WAIT | AUX, handle=1, addr=192, size=16, time=5000),
    # dmab 0 0 0x1000 64 r aux
    rec(DMAB, dir=TO, flags=AUX, addr=0x1000, size=64),
    # dmab 1 1 0x800000000000000 512 w wait aux
    rec(DMAB, dir=FROM, win=1, flags=WAIT | AUX, dev=1, addr=1 << 59, size=512),
    # unmap 0 0x1
    rec(UNMAP, handle=1),
]


def main():
    d = "tests/traces/"
    full = header(len(RECORDS)) + b"".join(RECORDS)
    assert len(full) == 64 + 14 * 64
    with open(d + "all-ops.ddwb", "wb") as f:
        f.write(full)
    with open(d + "truncated-record.ddwb", "wb") as f:
        f.write(full[:64 + 3 * 64 + 20])
    with open(d + "truncated-sg.ddwb", "wb") as f:
        f.write(header(NONE) + b"".join(RECORDS[:6]))
    with open(d + "flags.ddwb", "wb") as f:
        f.write(header(len(FLAGS_RECORDS)) + b"".join(FLAGS_RECORDS))


if __name__ == "__main__":
    main()
