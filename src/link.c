/*
 * link.c - the PCIe link as the pcie-bench model has it (Neugebauer et al.,
 * "Understanding PCIe performance for end host networking", SIGCOMM 2018;
 * github.com/pcie-bench/pcie-model, model/pcie.py and model/mem_bw.py,
 * reference/numbers.md §3.2). Pure arithmetic, no time: timed_dev.c turns
 * these bytes into link time, and the tests check them against the model.
 *
 * 1. Raw bandwidth per direction: GT/s x lanes x 8/10 (Gen1/2, 8b/10b) or
 *    x 128/130 (Gen3..5, 128b/130b). pcie.py `Raw`.
 * 2. TLP-layer bandwidth: raw x (1 - 8/ack_limit - 8/fc_guide - 4/1538).
 *    An ACK DLLP and an FC update DLLP (8 B each: 6 B DLLP + start and end
 *    symbols, `Ack_Size`, `FC_Size`) are sent at the rates of PCIe Base Spec
 *    5.0 Tables 3-7..9 (ACK latency limits) and 2-46..48 (FC update guide),
 *    in symbol times, by generation, width and MPS; a 4-byte SKIP ordered
 *    set goes every 1538 bytes (`SKIP_Length`, `SKIP_Interval`). pcie.py
 *    `TLP_bw`. The two spec tables are equal for x1..x16, the widths ddwsim
 *    takes (they differ only at x32), and equal for Gen3, Gen4 and Gen5, so
 *    one table of three generations serves both.
 * 3. Bytes on the wire of one TLP: 8 B of framing, sequence number and LCRC
 *    (`DLLP_Hdr`), the 4-byte generic header (`TLP_Hdr`), then 8 B more for
 *    a read or write to a 32-bit address (a 3-DW header) or 12 B for a
 *    64-bit one (4 DW), 8 B for a completion with data (`TLP_CplD_Hdr`), and
 *    4 B of ECRC if enabled (`TLP_Dig`): MWr/MRd 20 or 24 B, CplD 20 B.
 *    The model takes the address size as a parameter; here the bus address
 *    picks it, as the spec requires: "For Addresses below 4 GB, Requesters
 *    must use the 32-bit format" (PCIe Base Spec §2.2.4.1).
 * 4. A read of n bytes: requests of at most MRRS (the caller splits them),
 *    each answered by completions cut at every MPS boundary, or at every
 *    RCB boundary with rcb_chunks ("observed on several older chipsets",
 *    mem_bw.read()). The model assumes aligned requests, ceil(n / unit)
 *    completions; here an unaligned request counts the boundaries it
 *    crosses, which is the same number when it is aligned.
 * 5. Effective bandwidth of back-to-back DMAs (mem_bw.write / read with a
 *    BW_RAW spec): writes size x tlp / wire bytes; reads are bound by the
 *    completions coming back, unless the requests going out need more than
 *    the link has (then by the requests).
 */
#include <assert.h>

#include "ddwsim/link.h"

#define FRAMING		8	/* DLLP_Hdr: start, sequence number, LCRC, end */
#define TLP_HDR		4	/* TLP_Hdr: the generic first DW */
#define ADDR32_HDR	8	/* TLP_MWr_32_Hdr, TLP_MRd_32_Hdr */
#define ADDR64_HDR	12	/* TLP_MWr_64_Hdr, TLP_MRd_64_Hdr */
#define CPLD_HDR	8	/* TLP_CplD_Hdr */
#define ECRC		4	/* TLP_Dig */
#define DLLP		8	/* Ack_Size = FC_Size */
#define SKIP_LEN	4.0	/* SKIP_Length */
#define SKIP_EVERY	1538.0	/* SKIP_Interval */

/*
 * pcie.py Ack_Limits = FC_Guide for x1..x16: [Gen1, Gen2, Gen3..5][x1, x2,
 * x4, x8, x16][MPS 128, 256, 512, 1024, 2048, 4096], symbol times.
 */
static const unsigned short dllp_every[3][5][6] = {
	{ { 237, 416, 559, 1071, 2095, 4143 }, { 128, 217, 289, 545, 1057, 2081 },
	  { 73, 118, 154, 282, 538, 1050 }, { 67, 107, 86, 150, 278, 534 },
	  { 48, 72, 86, 150, 278, 534 } },
	{ { 288, 467, 610, 1122, 2146, 4194 }, { 179, 268, 340, 596, 1108, 2132 },
	  { 124, 169, 205, 333, 589, 1101 }, { 118, 158, 137, 201, 329, 585 },
	  { 99, 123, 137, 201, 329, 585 } },
	{ { 333, 512, 655, 1167, 2191, 4239 }, { 224, 313, 385, 641, 1153, 2177 },
	  { 169, 214, 250, 378, 634, 1146 }, { 163, 203, 182, 246, 374, 630 },
	  { 144, 168, 182, 246, 374, 630 } },
};

static unsigned log2u(unsigned v)
{
	unsigned n = 0;

	while (v > 1) {
		v >>= 1;
		n++;
	}
	return n;
}

void link_init(struct link *l, const struct link_params *p)
{
	static const double gts[] = { 0, 2.5, 5, 8, 16, 32 };
	unsigned g = p->gen <= 2 ? p->gen - 1 : 2, w = log2u(p->lanes), m = log2u(p->mps) - 7;
	double every;

	assert(p->gen >= 1 && p->gen <= 5 && w <= 4 && p->lanes == 1u << w);
	assert(m <= 5 && p->mps == 128u << m && (p->rcb == 64 || p->rcb == 128));
	l->p = *p;
	l->raw_gbps = gts[p->gen] * p->lanes * (p->gen <= 2 ? 8.0 / 10.0 : 128.0 / 130.0);
	every = dllp_every[g][w][m];
	l->tlp_gbps = l->raw_gbps * (1.0 - DLLP / every - DLLP / every - SKIP_LEN / SKIP_EVERY);
}

static unsigned req_hdr(const struct link *l, uint64_t bus, unsigned len)
{
	bool low = bus < (1ull << 32) && bus + len <= (1ull << 32);

	return FRAMING + TLP_HDR + (low ? ADDR32_HDR : ADDR64_HDR) + (l->p.ecrc ? ECRC : 0);
}

unsigned link_mwr_bytes(const struct link *l, uint64_t bus, unsigned len)
{
	return req_hdr(l, bus, len) + len;
}

unsigned link_mrd_bytes(const struct link *l, uint64_t bus, unsigned len)
{
	return req_hdr(l, bus, len);
}

unsigned link_cpl_count(const struct link *l, uint64_t bus, unsigned len)
{
	uint64_t unit = l->p.rcb_chunks ? l->p.rcb : l->p.mps;

	if (!len)
		return 0;
	if (!(unit & (unit - 1))) {	/* MPS and RCB are powers of two: no division */
		unsigned s = (unsigned)__builtin_ctzll(unit);

		return (unsigned)(((bus + len - 1) >> s) - (bus >> s) + 1);
	}
	return (unsigned)((bus + len - 1) / unit - bus / unit + 1);
}

uint64_t link_cpl_bytes(const struct link *l, uint64_t bus, unsigned len)
{
	unsigned hdr = FRAMING + TLP_HDR + CPLD_HDR + (l->p.ecrc ? ECRC : 0);

	return (uint64_t)link_cpl_count(l, bus, len) * hdr + len;
}

double link_write_gbps(const struct link *l, uint64_t bus, uint64_t size)
{
	uint64_t wire = 0;

	for (uint64_t off = 0; off < size; off += l->p.mps) {
		unsigned n = size - off < l->p.mps ? (unsigned)(size - off) : l->p.mps;

		wire += link_mwr_bytes(l, bus + off, n);
	}
	return wire ? (double)size * l->tlp_gbps / (double)wire : 0;
}

double link_read_gbps(const struct link *l, uint64_t bus, uint64_t size)
{
	uint64_t up = 0, down = 0;

	for (uint64_t off = 0; off < size; off += l->p.mrrs) {
		unsigned n = size - off < l->p.mrrs ? (unsigned)(size - off) : l->p.mrrs;

		up += link_mrd_bytes(l, bus + off, n);
		down += link_cpl_bytes(l, bus + off, n);
	}
	if (!size)
		return 0;
	if (up > down)			/* the requests are the bound */
		down = up;
	return (double)size * l->tlp_gbps / (double)down;
}
