/* link.h - the PCIe link as pcie-bench models it: bytes on the wire per TLP, TLP-layer rate. */
#ifndef DDWSIM_LINK_H
#define DDWSIM_LINK_H

#include <stdbool.h>
#include <stdint.h>

/*
 * What a link is configured with (platform.pcie.*). gen 1..5; lanes 1, 2, 4,
 * 8 or 16; mps and mrrs powers of two in 128..4096; rcb 64 or 128. config.c
 * has checked all of them; link_init() asserts them.
 */
struct link_params {
	unsigned gen;			/* 1..5: 2.5, 5, 8, 16, 32 GT/s per lane */
	unsigned lanes;			/* link width */
	unsigned mps;			/* max payload size, bytes */
	unsigned mrrs;			/* max read request size, bytes */
	unsigned rcb;			/* read completion boundary, bytes */
	bool rcb_chunks;		/* completions are cut at every RCB (else every MPS) */
	bool ecrc;			/* every TLP carries a 4-byte digest */
};

/* A link, ready for the per-TLP functions below. */
struct link {
	struct link_params p;
	double raw_gbps;		/* per direction after 8b/10b or 128b/130b, Gb/s */
	double tlp_gbps;		/* raw less ACK and FC DLLPs and SKIPs, Gb/s */
};

/* Fills *l from *p (this function can't fail: p was validated). */
void link_init(struct link *l, const struct link_params *p);

/* Bytes on the wire of one memory write TLP carrying len bytes at bus. */
unsigned link_mwr_bytes(const struct link *l, uint64_t bus, unsigned len);

/* Bytes on the wire of one memory read request TLP for len bytes at bus. */
unsigned link_mrd_bytes(const struct link *l, uint64_t bus, unsigned len);

/* Completions (CplD TLPs) answering a read request of len bytes at bus. */
unsigned link_cpl_count(const struct link *l, uint64_t bus, unsigned len);

/* Bytes on the wire of all those completions: headers and data. */
uint64_t link_cpl_bytes(const struct link *l, uint64_t bus, unsigned len);

/*
 * The model's effective bandwidth, Gb/s, of back-to-back DMAs of `size`
 * bytes each at bus (which picks 32- or 64-bit headers), every one starting
 * on an MPS and MRRS boundary: pcie-model mem_bw.write() and mem_bw.read()
 * with a BW_RAW spec of TLP_bw both ways, as pcie_bw.py runs them.
 */
double link_write_gbps(const struct link *l, uint64_t bus, uint64_t size);
double link_read_gbps(const struct link *l, uint64_t bus, uint64_t size);

#endif /* DDWSIM_LINK_H */
