/*
 * trace_text.c - the text trace format (.ddwt): a streaming reader and the
 * canonical writer.
 *
 * A .ddwt file holds one DMA op per line, for people to read, write and diff:
 *
 *   # ddwt 1
 *   # a NIC receiving one frame, then a storage read through a DDW
 *   @1500000 map 0 0x1 0x12340000 2048 from cpu=1 bus=0x1000
 *   dma 0 0x1 0 1500 w
 *   unmap 0 0x1 cpu=1
 *   wcreate 1 65536 1073741824 1
 *   map_sg 1 0x2 to 0x10000:4096,0x30000:8192
 *   dmab 1 1 0x800000000000000 512 r
 *
 * Lines:
 *   - The first non-blank line is exactly `# ddwt 1` (format version 1).
 *   - Blank lines are ignored. A field starting with `#` starts a comment that
 *     runs to the end of the line, so `#` lines are comments.
 *   - Fields are separated by one or more spaces or tabs; a carriage return
 *     before the newline is ignored. The last line may lack its newline.
 *   - line := [@T] OP FIELD... [KEY=VALUE | wait | aux]... [# comment]
 *   - A line is at most 256 KiB (262144 bytes without its newline). The longest
 *     canonical line, a map_sg of 4096 elements, is under 164,000 bytes, so a
 *     64 KiB limit would make some valid binary traces unconvertible to text.
 *
 *   OP       FIELDS                            KEYS           dma_op
 *   map      DEV H PHYS LEN DIR                [cpu=] [bus=]  OP_MAP: addr = PHYS
 *   map_sg   DEV H DIR PHYS:LEN[,PHYS:LEN]...  [cpu=] [bus=]  OP_MAP_SG: nsg, sg (1..4096)
 *   dma      DEV H OFF LEN RW                  [wait] [aux]   OP_DMA: addr = OFF
 *   dmab     DEV WIN BUS LEN RW                [wait] [aux]   OP_DMA_BUS: addr = BUS
 *   unmap    DEV H                             [cpu=]         OP_UNMAP
 *   wcreate  DEV PAGE_SIZE SIZE LEVELS                        OP_WIN_CREATE: len = SIZE
 *   wremove  DEV START                                        OP_WIN_REMOVE: addr = START
 *   wreset   DEV                                              OP_WIN_RESET
 *   device   DEV       [mask=] [max_seg=] [seg_boundary=] [clear=]  OP_DEVICE (workload.h)
 *
 *   FIELD      MEANING                               ACCEPTS           WRITTEN AS
 *   @T         time stamp in ps (absent: none)       0..2^64-2         decimal
 *   DEV        device (its own PE)                   0..2^32-1         decimal
 *   H          handle: names the buffer              u64               0x hex
 *   PHYS       host physical address                 u64               0x hex
 *   LEN        bytes                                 1.., SIZE         decimal
 *   DIR        to (DMA_TO_DEVICE), from (DMA_FROM_DEVICE), bidi        word
 *   OFF        byte offset into H's buffer           u64               decimal
 *   RW         r: the device reads (dir TO_DEVICE),  r, w              letter
 *              w: it writes (dir FROM_DEVICE)
 *   WIN        window: 0 default, 1 DDW              0..1              decimal
 *   BUS        bus address                           u64               0x hex
 *   PAGE_SIZE  TCE size, a power of two              4096.., SIZE      decimal bytes
 *              (page_shift = log2 PAGE_SIZE)
 *   SIZE       window size in bytes                  u64, SIZE         decimal
 *   LEVELS     TCE table levels                      1..5              decimal
 *   START      bus address where the window starts  u64               0x hex
 *   cpu=N      CPU making the map/unmap (absent: 0)  0..2^32-1         decimal, only if not 0
 *   bus=ADDR   bus address the real kernel chose     0..2^64-2         0x hex, only if recorded
 *              (map_sg: its first element's); rec_bus, absent: OP_NO_BUS
 *   mask=M     device: DMA mask, BITS (1..64, the    1..64, 0x1..      BITS if 2^BITS - 1,
 *              mask 2^BITS - 1) or 0xMASK; addr                        else 0x hex
 *   max_seg=N  device: max segment size; len       1.., SIZE         decimal
 *   seg_boundary=B  device: segment boundary     0xfff.., 2^k - 1  0x hex
 *              mask; handle
 *   clear=N    device: TCEs of the default window  1..2^32-1         decimal
 *              cleared at boot, set-up; clear
 *              (device keys are written only when not 0, in this order)
 *   wait       flags |= OP_F_WAIT: the DMA starts    the word          the word, only if set
 *              once the device's previous DMA is done
 *   aux        flags |= OP_F_AUX: the DMA is part    the word          the word, only if set,
 *              of an I/O but not the I/O itself (a                     after wait
 *              descriptor fetch, a completion write)
 *
 * Numbers are read by num.c, as config values are: decimal or 0x (0X) hex,
 * unsigned 64-bit; no sign, no blanks, no leading 0 on a decimal of two or
 * more digits ("0100" is refused, never read as octal 64 or as 100; hex may
 * have leading zeros), and overflow is an error. LEN, SIZE and PAGE_SIZE may
 * end a decimal number with K, M, G, T, P or E (either case; x 2^10 ... 2^60),
 * as config sizes do; hex takes no suffix. A
 * map_sg list has no spaces: PHYS:LEN pairs joined by commas. Each KEY, and
 * each of the words `wait` and `aux`, may appear once, in any order. The
 * range [addr, addr + len) of map, sg elements, dma and dmab must not wrap:
 * addr + len is at most 2^64 - 1 (2^64 itself would wrap to 0), and so is the
 * sum of a map_sg's LENs (the mapping's length). Fields an op does not name
 * are 0 in the dma_op, except time_ps (OP_NO_TIME) and rec_bus (OP_NO_BUS).
 *
 * The writer writes canonical text: the header, then one op per line, single
 * spaces, the WRITTEN AS column, `@T` only when stamped, `cpu=` before `bus=`,
 * then the flag words in bit order (`wait` 0x1, then `aux` 0x2), no comments.
 * Reading canonical text and writing it again gives the same bytes, and so
 * does text -> binary -> text.
 *
 * Errors: the reader stops at the first bad line and prints
 * "FILE:LINE: message" to stderr (no "ddwsim: " prefix, as config errors),
 * e.g. "t.ddwt:7: map: expected a direction (to, from, bidi), got 'sideways'".
 *
 * Cost: the file is read in 1 MiB blocks and split into lines in place; the
 * reader holds one block, one longest line and 4096 sg elements, whatever the
 * file's length. No allocation per op.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddwsim/checked.h"
#include "ddwsim/err.h"
#include "ddwsim/num.h"
#include "ddwsim/trace.h"
#include "ddwsim/xalloc.h"

#define TEXT_BLOCK	(1u << 20)	/* bytes read at a time */
#define TEXT_LINE_MAX	(256u << 10)	/* longest line, without its newline (see above) */
#define TEXT_MAX_TOKENS	16		/* more than any op can have (9) */
#define TEXT_HEADER	"# ddwt 1"

/* What a positional or KEY= field holds; the parser and the writer share them. */
enum fld {
	F_DEV, F_H, F_PHYS, F_OFF, F_BUS, F_START, F_LEN, F_SIZE, F_PAGE, F_LEVELS, F_WIN,
	F_DIR, F_RW, F_SG, F_CPU, F_RBUS, F_TIME, F_MASK, F_MAXSEG, F_SEGB, F_CLEAR,
};

struct fld_info {
	const char *name;	/* in messages */
	bool hex;		/* written (and its range printed) in 0x hex */
	bool size;		/* size suffixes allowed (NUM_SIZE) */
	uint64_t min, max;	/* accepted range */
};

static const struct fld_info flds[] = {
	[F_DEV]    = { "DEV", false, false, 0, UINT32_MAX },
	[F_H]      = { "H", true, false, 0, UINT64_MAX },
	[F_PHYS]   = { "PHYS", true, false, 0, UINT64_MAX },
	[F_OFF]    = { "OFF", false, false, 0, UINT64_MAX },
	[F_BUS]    = { "BUS", true, false, 0, UINT64_MAX },
	[F_START]  = { "START", true, false, 0, UINT64_MAX },
	[F_LEN]    = { "LEN", false, true, 1, UINT64_MAX },
	[F_SIZE]   = { "SIZE", false, true, 0, UINT64_MAX },
	[F_PAGE]   = { "PAGE_SIZE", false, true, 4096, UINT64_MAX },
	[F_LEVELS] = { "LEVELS", false, false, 1, 5 },
	[F_WIN]    = { "WIN", false, false, 0, 1 },
	[F_DIR]    = { "DIR", false, false, 0, 0 },
	[F_RW]     = { "RW", false, false, 0, 0 },
	[F_SG]     = { "PHYS:LEN", false, false, 0, 0 },
	[F_CPU]    = { "cpu", false, false, 0, UINT32_MAX },
	[F_RBUS]   = { "bus", true, false, 0, UINT64_MAX - 1 },	/* all ones = OP_NO_BUS */
	[F_TIME]   = { "@T", false, false, 0, UINT64_MAX - 1 },	/* all ones = OP_NO_TIME */
	[F_MASK]   = { "mask", true, false, 1, UINT64_MAX },	/* decimal: bits (key_value) */
	[F_MAXSEG] = { "max_seg", false, true, 1, UINT64_MAX },
	[F_SEGB]   = { "seg_boundary", true, false, 0xfff, UINT64_MAX },
	[F_CLEAR]  = { "clear", false, false, 1, UINT32_MAX },
};

#define K_CPU	1u		/* accepts cpu= */
#define K_BUS	2u		/* accepts bus= */
#define K_WAIT	4u		/* accepts the word wait */
#define K_AUX	8u		/* accepts the word aux */
#define K_DEVICE 16u		/* accepts mask=, max_seg=, seg_boundary=, clear= */

/* The KEY=VALUE fields, in the canonical order. */
static const struct key_field {
	const char *name;
	unsigned key;			/* K_* */
	enum fld f;
} key_fields[] = {
	{ "cpu", K_CPU, F_CPU }, { "bus", K_BUS, F_RBUS }, { "mask", K_DEVICE, F_MASK },
	{ "max_seg", K_DEVICE, F_MAXSEG }, { "seg_boundary", K_DEVICE, F_SEGB },
	{ "clear", K_DEVICE, F_CLEAR },
};

#define NKEY_FIELDS	(sizeof(key_fields) / sizeof(key_fields[0]))

/* The flag words of dma and dmab lines, in the canonical (bit) order. */
static const struct flag_word {
	const char *word;
	unsigned key;			/* K_* */
	unsigned flag;			/* OP_F_* */
} flag_words[] = {
	{ "wait", K_WAIT, OP_F_WAIT },
	{ "aux", K_AUX, OP_F_AUX },
};

#define NFLAG_WORDS	(sizeof(flag_words) / sizeof(flag_words[0]))

_Static_assert((OP_F_WAIT | OP_F_AUX) == TRACE_DMA_FLAGS,
	       "a flag word for every DMA flag both formats carry");

/* One op's line syntax, indexed by enum op_kind. */
struct syntax {
	const char *name;
	unsigned char nf;		/* positional fields */
	unsigned char f[5];		/* their kinds (enum fld), in order */
	unsigned keys;			/* K_* */
	const char *usage;
};

static const struct syntax syntaxes[] = {
	[OP_MAP]        = { "map", 5, { F_DEV, F_H, F_PHYS, F_LEN, F_DIR }, K_CPU | K_BUS,
			    "map DEV H PHYS LEN DIR [cpu=N] [bus=ADDR]" },
	[OP_MAP_SG]     = { "map_sg", 4, { F_DEV, F_H, F_DIR, F_SG }, K_CPU | K_BUS,
			    "map_sg DEV H DIR PHYS:LEN[,PHYS:LEN]... [cpu=N] [bus=ADDR]" },
	[OP_DMA]        = { "dma", 5, { F_DEV, F_H, F_OFF, F_LEN, F_RW }, K_WAIT | K_AUX,
			    "dma DEV H OFF LEN RW [wait] [aux]" },
	[OP_DMA_BUS]    = { "dmab", 5, { F_DEV, F_WIN, F_BUS, F_LEN, F_RW }, K_WAIT | K_AUX,
			    "dmab DEV WIN BUS LEN RW [wait] [aux]" },
	[OP_UNMAP]      = { "unmap", 2, { F_DEV, F_H }, K_CPU, "unmap DEV H [cpu=N]" },
	[OP_WIN_CREATE] = { "wcreate", 4, { F_DEV, F_PAGE, F_SIZE, F_LEVELS }, 0,
			    "wcreate DEV PAGE_SIZE SIZE LEVELS" },
	[OP_WIN_REMOVE] = { "wremove", 2, { F_DEV, F_START }, 0, "wremove DEV START" },
	[OP_WIN_RESET]  = { "wreset", 1, { F_DEV }, 0, "wreset DEV" },
	[OP_DEVICE]     = { "device", 1, { F_DEV }, K_DEVICE,
			    "device DEV [mask=BITS|0xMASK] [max_seg=SIZE] [seg_boundary=0xMASK] [clear=N]" },
};

#define NSYNTAX	(sizeof(syntaxes) / sizeof(syntaxes[0]))

static const char *const dir_words[] = {
	[DMA_DIR_BIDIRECTIONAL] = "bidi",
	[DMA_DIR_TO_DEVICE] = "to",
	[DMA_DIR_FROM_DEVICE] = "from",
};

struct text_reader {
	char *path;
	FILE *fp;
	char *buf;		/* TEXT_LINE_MAX + TEXT_BLOCK + 1 bytes */
	size_t pos, end;	/* unread bytes: buf[pos..end) */
	bool eof;		/* fp has nothing more */
	uint64_t line;		/* number of the line being parsed, from 1 */
	bool header;		/* "# ddwt 1" seen */
	int done;		/* 0 while reading, 1 at the end, -1 after an error */
	char *tok[TEXT_MAX_TOKENS + 1];	/* the line's fields */
	unsigned ntok;
	struct sg_elem *sg;	/* TRACE_SG_MAX elements */
};

static int text_next(void *state, struct dma_op *op);
static void text_close(void *state);

static double text_done(void *state)
{
	return trace_fp_done(((struct text_reader *)state)->fp);
}

static void text_where(void *state, char *buf, size_t n);

static const struct op_source_ops text_ops = {
	.name = "text", .next = text_next, .close = text_close, .where = text_where,
	.done = text_done,
};

/* Reports "FILE:LINE: message", stops the reader and returns -1. */
DDW_PRINTF(2, 3)
static int bad(struct text_reader *r, const char *fmt, ...)
{
	char where[4200];
	va_list ap;

	snprintf(where, sizeof(where), "%s:%" PRIu64, r->path, r->line ? r->line : 1);
	va_start(ap, fmt);
	ddw_verror_at(where, fmt, ap);
	va_end(ap);
	r->done = -1;
	return -1;
}

/* --- lines --- */

static int fill(struct text_reader *r)
{
	size_t n;

	memmove(r->buf, r->buf + r->pos, r->end - r->pos);
	r->end -= r->pos;
	r->pos = 0;
	n = fread(r->buf + r->end, 1, TEXT_BLOCK, r->fp);
	r->end += n;
	if (n < TEXT_BLOCK) {
		if (ferror(r->fp)) {
			r->done = -1;
			return ddw_error("cannot read trace '%s': %s", r->path, strerror(errno));
		}
		r->eof = true;
	}
	return 0;
}

/* Sets *s to the next line, NUL-terminated in place, and *len; 1, 0 at the end, -1 reported. */
static int get_line(struct text_reader *r, char **s, size_t *len)
{
	for (;;) {
		char *p = r->buf + r->pos;
		size_t avail = r->end - r->pos;
		char *nl = memchr(p, '\n', avail);

		if (nl || (r->eof && avail)) {
			*s = p;
			*len = nl ? (size_t)(nl - p) : avail;
			r->line++;
			if (*len > TEXT_LINE_MAX)
				return bad(r, "line longer than %u bytes", TEXT_LINE_MAX);
			p[*len] = '\0';
			r->pos += *len + (nl != NULL);
			return 1;
		}
		if (avail > TEXT_LINE_MAX) {
			r->line++;
			return bad(r, "line longer than %u bytes", TEXT_LINE_MAX);
		}
		if (r->eof)
			return 0;
		if (fill(r) < 0)
			return -1;
	}
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Splits s into r->tok, up to one more than TEXT_MAX_TOKENS; a field starting with '#' ends it. */
static void split(struct text_reader *r, char *s)
{
	r->ntok = 0;
	while (r->ntok <= TEXT_MAX_TOKENS) {
		while (is_blank(*s))
			s++;
		if (!*s || *s == '#')
			return;
		r->tok[r->ntok++] = s;
		while (*s && !is_blank(*s))
			s++;
		if (*s)
			*s++ = '\0';
	}
}

/* The version header: 1 if s is it, 0 for a blank line, -1 reported. */
static int check_header(struct text_reader *r, char *s)
{
	size_t n = strlen(s);

	while (n && is_blank(s[n - 1]))
		s[--n] = '\0';
	while (is_blank(*s))
		s++;
	if (!*s)
		return 0;
	if (!strcmp(s, TEXT_HEADER))
		return 1;
	if (!strncmp(s, "# ddwt ", 7))
		return bad(r, "unsupported version '%s', expected '%s'", s + 7, TEXT_HEADER);
	return bad(r, "missing '%s' header", TEXT_HEADER);
}

/* --- fields --- */

static const char *fmt_num(char *buf, size_t n, uint64_t v, bool hex)
{
	snprintf(buf, n, hex ? "0x%" PRIx64 : "%" PRIu64, v);
	return buf;
}

/*
 * Parses tok as field f into *v; what names it in messages, which start with
 * "op: " unless op is empty (the time stamp). 0 or -1 reported.
 */
static int num_field(struct text_reader *r, const char *op, enum fld f, const char *what,
		     const char *tok, uint64_t *v)
{
	const struct fld_info *fi = &flds[f];
	const char *sep = *op ? ": " : "";
	char lo[24], hi[24], text[96];
	int rc = num_parse_str(tok, fi->size ? NUM_SIZE : 0, v);

	if (rc < 0)
		num_show(text, sizeof(text), tok, strlen(tok));
	if (rc == NUM_ERANGE)
		return bad(r, "%s%snumber out of range for %s, got '%s'", op, sep, what, text);
	if (rc < 0)
		return bad(r, "%s%sexpected a number for %s, got '%s'%s", op, sep, what, text,
			   num_why_tail(rc));
	if (*v >= fi->min && *v <= fi->max)
		return 0;
	if (fi->max == UINT64_MAX)
		return bad(r, "%s%sexpected %s >= %s, got '%s'", op, sep, what,
			   fmt_num(lo, sizeof(lo), fi->min, fi->hex), tok);
	fmt_num(lo, sizeof(lo), fi->min, fi->hex);
	fmt_num(hi, sizeof(hi), fi->max, fi->hex);
	return bad(r, "%s%sexpected %s in %s..%s, got '%s'", op, sep, what, lo, hi, tok);
}

static int parse_dir(struct text_reader *r, const char *op, const char *tok, enum dma_dir *dir)
{
	for (unsigned d = 0; d < sizeof(dir_words) / sizeof(dir_words[0]); d++) {
		if (!strcmp(tok, dir_words[d])) {
			*dir = (enum dma_dir)d;
			return 0;
		}
	}
	return bad(r, "%s: expected a direction (to, from, bidi), got '%s'", op, tok);
}

static int parse_rw(struct text_reader *r, const char *op, const char *tok, enum dma_dir *dir)
{
	if (!strcmp(tok, "r"))
		*dir = DMA_DIR_TO_DEVICE;
	else if (!strcmp(tok, "w"))
		*dir = DMA_DIR_FROM_DEVICE;
	else
		return bad(r, "%s: expected an access (r, w), got '%s'", op, tok);
	return 0;
}

static int parse_page(struct text_reader *r, const char *op, const char *tok, unsigned *shift)
{
	uint64_t v;

	if (num_field(r, op, F_PAGE, "PAGE_SIZE", tok, &v) < 0)
		return -1;
	if (v & (v - 1))
		return bad(r, "%s: expected PAGE_SIZE a power of two, got '%s'", op, tok);
	*shift = (unsigned)__builtin_ctzll(v);
	return 0;
}

/* One sg element "PHYS:LEN" (element i, from 1 in messages). */
static int parse_elem(struct text_reader *r, char *s, unsigned i, struct sg_elem *e)
{
	char *colon = strchr(s, ':');
	char what[32];

	if (!colon)
		return bad(r, "map_sg: expected PHYS:LEN for element %u, got '%s'", i, s);
	*colon = '\0';
	snprintf(what, sizeof(what), "PHYS of element %u", i);
	if (num_field(r, "map_sg", F_PHYS, what, s, &e->phys) < 0)
		return -1;
	snprintf(what, sizeof(what), "LEN of element %u", i);
	if (num_field(r, "map_sg", F_LEN, what, colon + 1, &e->len) < 0)
		return -1;
	if (ck_range(e->phys, e->len))
		return bad(r, "map_sg: element %u wraps past 2^64 (PHYS + LEN = %#" PRIx64 " + %" PRIu64 ")",
			   i, e->phys, e->len);
	return 0;
}

static int parse_sg(struct text_reader *r, char *s, struct dma_op *op)
{
	uint64_t total = 0;	/* the mapping's length: its elements' LEN summed */
	unsigned n = 0;

	for (;;) {
		char *comma = strchr(s, ',');

		if (comma)
			*comma = '\0';
		if (n == TRACE_SG_MAX)
			return bad(r, "map_sg: too many sg elements (at most %u)", TRACE_SG_MAX);
		if (parse_elem(r, s, n + 1, &r->sg[n]) < 0)
			return -1;
		if (ck_add(total, r->sg[n].len, &total))
			return bad(r, "map_sg: the LENs of elements 1..%u add up past 2^64 (%" PRIu64 " + %" PRIu64 ")",
				   n + 1, total - r->sg[n].len, r->sg[n].len);
		n++;
		if (!comma)
			break;
		s = comma + 1;
	}
	op->nsg = n;
	op->sg = r->sg;
	return 0;
}

/* Positional field f from tok into op. */
static int parse_field(struct text_reader *r, const struct syntax *sx, enum fld f, char *tok,
		       struct dma_op *op)
{
	uint64_t v;

	switch (f) {
	case F_DIR:
		return parse_dir(r, sx->name, tok, &op->dir);
	case F_RW:
		return parse_rw(r, sx->name, tok, &op->dir);
	case F_SG:
		return parse_sg(r, tok, op);
	case F_PAGE:
		return parse_page(r, sx->name, tok, &op->page_shift);
	default:
		break;
	}
	if (num_field(r, sx->name, f, flds[f].name, tok, &v) < 0)
		return -1;
	switch (f) {
	case F_DEV:	op->dev = (unsigned)v; break;
	case F_H:	op->handle = v; break;
	case F_LEVELS:	op->levels = (unsigned)v; break;
	case F_WIN:	op->win = (unsigned)v; break;
	case F_LEN:
	case F_SIZE:	op->len = v; break;
	default:	op->addr = v; break;	/* PHYS, OFF, BUS, START */
	}
	return 0;
}

/* The flag word tok: its flag_words entry, or NULL. */
static const struct flag_word *find_flag_word(const char *tok)
{
	for (size_t i = 0; i < NFLAG_WORDS; i++)
		if (!strcmp(tok, flag_words[i].word))
			return &flag_words[i];
	return NULL;
}

/* The key_fields entry tok (KEY=VALUE) names, or NULL. */
static const struct key_field *find_key_field(const char *tok, const char *eq)
{
	for (size_t i = 0; eq && i < NKEY_FIELDS; i++)
		if ((size_t)(eq - tok) == strlen(key_fields[i].name) &&
		    !strncmp(tok, key_fields[i].name, (size_t)(eq - tok)))
			return &key_fields[i];
	return NULL;
}

/* Stores value v of key field kf into op. */
static void set_key(const struct key_field *kf, uint64_t v, struct dma_op *op)
{
	switch (kf->f) {
	case F_CPU:	op->cpu = (unsigned)v; break;
	case F_RBUS:	op->rec_bus = v; break;
	case F_MASK:	op->addr = v; break;
	case F_MAXSEG:	op->len = v; break;
	case F_SEGB:	op->handle = v; break;
	default:	op->clear = v; break;
	}
}

/* Parses the value of KEY=VALUE field kf at val into *v; 0 or -1 reported. */
static int key_value(struct text_reader *r, const struct syntax *sx, const struct key_field *kf,
		     const char *val, uint64_t *v)
{
	bool hex = val[0] == '0' && (val[1] == 'x' || val[1] == 'X');
	uint64_t bits;

	if (kf->f != F_MASK || hex)
		return num_field(r, sx->name, kf->f, kf->name, val, v);
	if (num_parse_str(val, 0, &bits) < 0 || bits < 1 || bits > 64)
		return bad(r, "%s: expected mask=BITS (1..64) or mask=0xMASK, got 'mask=%s'",
			   sx->name, val);
	*v = bits == 64 ? UINT64_MAX : (1ull << bits) - 1;
	return 0;
}

/* Trailing KEY=VALUE field or word tok; seen collects the fields already given. */
static int parse_key(struct text_reader *r, const struct syntax *sx, char *tok, unsigned *seen,
		     struct dma_op *op)
{
	const struct flag_word *fw = find_flag_word(tok);
	char *eq = strchr(tok, '=');
	const struct key_field *kf = find_key_field(tok, eq);
	unsigned k = fw ? fw->key : kf ? kf->key : 0;
	unsigned bit = fw ? fw->key : kf ? 1u << (8 + (unsigned)(kf - key_fields)) : 0;
	uint64_t v;

	if (!(k & sx->keys))
		return bad(r, "%s: %s '%s' (usage: %s)", sx->name,
			   eq ? "unknown field" : "too many fields, got", tok, sx->usage);
	if (*seen & bit)
		return bad(r, "%s: duplicate field '%s'", sx->name, tok);
	*seen |= bit;
	if (fw) {
		op->flags |= fw->flag;
		return 0;
	}
	if (key_value(r, sx, kf, eq + 1, &v) < 0)
		return -1;
	set_key(kf, v, op);
	return 0;
}

static const struct syntax *find_syntax(const char *name)
{
	for (size_t k = 0; k < NSYNTAX; k++)
		if (!strcmp(syntaxes[k].name, name))
			return &syntaxes[k];
	return NULL;
}

/*
 * The range [addr, addr + len) of map, dma and dmab must have a 64-bit end:
 * addr + len = 2^64 exactly wraps to 0 as much as anything past it.
 */
static int check_range(struct text_reader *r, const struct syntax *sx, const struct dma_op *op)
{
	const struct fld_info *fa = &flds[sx->f[2]];
	char a[24], why[96];

	if ((op->kind == OP_MAP || op->kind == OP_DMA || op->kind == OP_DMA_BUS) &&
	    ck_range(op->addr, op->len))
		return bad(r, "%s: %s + LEN wraps past 2^64 (%s + %" PRIu64 ")", sx->name, fa->name,
			   fmt_num(a, sizeof(a), op->addr, fa->hex), op->len);
	if (op->kind == OP_DEVICE && trace_op_problem(op, why, sizeof(why)))
		return bad(r, "%s: %s", sx->name, why);
	return 0;
}

/* Parses the fields of one op line (already split) into op. */
static int parse_op(struct text_reader *r, struct dma_op *op)
{
	unsigned t = 0, seen = 0;
	const struct syntax *sx;
	uint64_t v;

	*op = (struct dma_op){ .rec_bus = OP_NO_BUS, .time_ps = OP_NO_TIME };
	if (r->tok[0][0] == '@') {
		if (num_field(r, "", F_TIME, "@T", r->tok[0] + 1, &v) < 0)
			return -1;
		op->time_ps = v;
		if (++t == r->ntok)
			return bad(r, "missing op after time stamp '%s'", r->tok[0]);
	}
	sx = find_syntax(r->tok[t]);
	if (!sx)
		return bad(r, "unknown op '%s'", r->tok[t]);
	op->kind = (enum op_kind)(sx - syntaxes);
	t++;
	for (unsigned i = 0; i < sx->nf; i++, t++) {
		if (t == r->ntok)
			return bad(r, "%s: missing %s (usage: %s)", sx->name, flds[sx->f[i]].name,
				   sx->usage);
		if (parse_field(r, sx, (enum fld)sx->f[i], r->tok[t], op) < 0)
			return -1;
	}
	for (; t < r->ntok; t++)
		if (parse_key(r, sx, r->tok[t], &seen, op) < 0)
			return -1;
	return check_range(r, sx, op);
}

/* --- the op source --- */

static int text_next(void *state, struct dma_op *op)
{
	struct text_reader *r = state;
	size_t len = 0;
	char *s = NULL;
	int rc;

	while (!r->done) {
		rc = get_line(r, &s, &len);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			if (!r->header) {
				r->line++;
				return bad(r, "missing '%s' header", TEXT_HEADER);
			}
			r->done = 1;
			break;
		}
		if (memchr(s, '\0', len))
			return bad(r, "line contains a NUL byte");
		if (!r->header) {
			rc = check_header(r, s);
			if (rc < 0)
				return -1;
			r->header = rc == 1;
			continue;
		}
		split(r, s);
		if (r->ntok > 0)
			return parse_op(r, op) < 0 ? -1 : 1;
	}
	return r->done < 0 ? -1 : 0;
}

static void text_where(void *state, char *buf, size_t n)
{
	const struct text_reader *r = state;

	snprintf(buf, n, "%s:%" PRIu64, r->path, r->line ? r->line : 1);
}

static void text_close(void *state)
{
	struct text_reader *r = state;

	if (!r)
		return;
	fclose(r->fp);
	free(r->buf);
	free(r->sg);
	free(r->path);
	free(r);
}

int trace_text_open(struct op_source *src, const char *path, FILE *fp,
		    const unsigned char *head, size_t nhead)
{
	struct text_reader *r = xcalloc(1, sizeof(*r));

	r->path = xstrdup(path);
	r->fp = fp;
	r->buf = xmalloc(TEXT_LINE_MAX + TEXT_BLOCK + 1);
	r->sg = xmalloc(TRACE_SG_MAX * sizeof(*r->sg));
	memcpy(r->buf, head, nhead);
	r->end = nhead;
	op_source_set(src, &text_ops, r);
	return 0;
}

/* --- the writer --- */

/* A line being built; flushed to fp when nearly full (a map_sg line can be long). */
struct line_out {
	FILE *fp;
	size_t n;
	char b[512];
};

static void out_flush(struct line_out *o)
{
	fwrite(o->b, 1, o->n, o->fp);
	o->n = 0;
}

static void out_str(struct line_out *o, const char *s)
{
	size_t n = strlen(s);

	if (o->n + n > sizeof(o->b))
		out_flush(o);
	memcpy(o->b + o->n, s, n);
	o->n += n;
}

static void out_num(struct line_out *o, uint64_t v, bool hex)
{
	char buf[24];

	out_str(o, fmt_num(buf, sizeof(buf), v, hex));
}

static void out_field(struct line_out *o, enum fld f, const struct dma_op *op)
{
	switch (f) {
	case F_DEV:	out_num(o, op->dev, false); break;
	case F_H:	out_num(o, op->handle, true); break;
	case F_PHYS:
	case F_BUS:
	case F_START:	out_num(o, op->addr, true); break;
	case F_OFF:	out_num(o, op->addr, false); break;
	case F_LEN:
	case F_SIZE:	out_num(o, op->len, false); break;
	case F_PAGE:	out_num(o, 1ull << op->page_shift, false); break;
	case F_LEVELS:	out_num(o, op->levels, false); break;
	case F_WIN:	out_num(o, op->win, false); break;
	case F_DIR:	out_str(o, dir_words[op->dir]); break;
	case F_RW:	out_str(o, op->dir == DMA_DIR_TO_DEVICE ? "r" : "w"); break;
	case F_SG:
		for (unsigned i = 0; i < op->nsg; i++) {
			out_str(o, i ? "," : "");
			out_num(o, op->sg[i].phys, true);
			out_str(o, ":");
			out_num(o, op->sg[i].len, false);
		}
		break;
	default:
		break;
	}
}

/* A device's keys: each only when not 0, mask as BITS when it is 2^BITS - 1. */
static void out_device_keys(struct line_out *o, const struct dma_op *op)
{
	const uint64_t v[] = { op->addr, op->len, op->handle, op->clear };
	const char *const key[] = { " mask=", " max_seg=", " seg_boundary=", " clear=" };

	for (unsigned i = 0; i < 4; i++) {
		bool bits = i == 0 && (v[0] & (v[0] + 1)) == 0;

		if (!v[i])
			continue;
		out_str(o, key[i]);
		if (bits)
			out_num(o, v[0] == UINT64_MAX ? 64 : (uint64_t)__builtin_popcountll(v[0]), false);
		else
			out_num(o, v[i], i == 0 || i == 2);
	}
}

int trace_text_write_header(FILE *fp)
{
	return fputs(TEXT_HEADER "\n", fp) == EOF ? -1 : 0;
}

/* Writes op (checked by trace_op_problem) as one canonical line; 0 or -1 (errno). */
int trace_text_write_op(FILE *fp, const struct dma_op *op)
{
	const struct syntax *sx = &syntaxes[op->kind];
	struct line_out o = { .fp = fp };

	if (op->time_ps != OP_NO_TIME) {
		out_str(&o, "@");
		out_num(&o, op->time_ps, false);
		out_str(&o, " ");
	}
	out_str(&o, sx->name);
	for (unsigned i = 0; i < sx->nf; i++) {
		out_str(&o, " ");
		out_field(&o, (enum fld)sx->f[i], op);
	}
	if ((sx->keys & K_CPU) && op->cpu) {
		out_str(&o, " cpu=");
		out_num(&o, op->cpu, false);
	}
	if ((sx->keys & K_BUS) && op->rec_bus != OP_NO_BUS) {
		out_str(&o, " bus=");
		out_num(&o, op->rec_bus, true);
	}
	if (sx->keys & K_DEVICE)
		out_device_keys(&o, op);
	for (size_t i = 0; i < NFLAG_WORDS; i++) {
		if ((sx->keys & flag_words[i].key) && (op->flags & flag_words[i].flag)) {
			out_str(&o, " ");
			out_str(&o, flag_words[i].word);
		}
	}
	out_str(&o, "\n");
	out_flush(&o);
	return ferror(fp) ? -1 : 0;
}
