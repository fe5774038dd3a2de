/*
 * mdbtest — QEMU tests of map, grant, share and unmap (configs/mdb-basic.yaml, docs/mapping.md).
 * Thread "main" (space a) drives the tests and prints one "mdbtest: PASS|FAIL <name>" line per
 * check; "ticker" (a, highest priority) wakes periodically to preempt long unmaps, measures its
 * wake-up lateness and, in the concurrency test, maps, shares, grants and unmaps in the tree
 * being revoked; "peer" (space b) maps pages back for the deep chain and reads or writes pages on
 * request; "remote" (space a, on CPU 1) changes the tree and writes pages while main protects or
 * unmaps it on CPU 0.
 */
#include <stdbool.h>

#include <keel/kinfo.h>
#include <keel/user.h>
#include <system_tables.h>

#define PAGE	 0x1000ul
#define R	 KEEL_RIGHT_R
#define RW	 (KEEL_RIGHT_R | KEEL_RIGHT_W)
#define VA_TOP	 (1ul << 48)
#define BUF	 0x10000000ul	  /* region buf in a: BUF = root X of the trees, BUF + PAGE = root Y */
#define MAILBOX	 0x20000000ul	  /* region mailbox, in a and b */
#define RANGE	 0x200000000ul	  /* TREE_N / 2 pages in a and in b for chains and fans */
#define M_RANGE	 0x202000000ul	  /* ticker: children of X (one 2 MiB leaf table each) */
#define S_RANGE	 0x202200000ul	  /* ticker: shares of descendants of X */
#define G_RANGE	 0x202400000ul	  /* ticker: grants of its children of X */
#define N_RANGE	 0x202600000ul	  /* ticker: children of Y, which must survive */
#define UNMAPPED 0x30000000ul	  /* never mapped */
#define C_FILL	 0x10000000ul	  /* quota tests in space c */
#define C_FAR	 0x400000000ul	  /* needs two new tables in c */
#define PROT_P	 (BUF + 3 * PAGE) /* buf page 3: the root of the protect tests */
#define PROT_A	 0x30010000ul	  /* its child in a (in the probe's leaf table) */
#define PROT_B	 0x31010000ul	  /* its child in b (in the semantics test's leaf table) */
#define R_RANGE	 0x202800000ul	  /* remote: children of X, one page per round */
#define R_PROBE	 0x202b00000ul	  /* remote's own probe page (past its m, s2 and g pages) */
#define DV_SRC	 (BUF + 8 * PAGE) /* buf pages 8..: roots of the preempted map/share/grant tests */
#define DV_MID	 0x202a00000ul	  /* their children: the sources (ticker unmaps one in CONFLICT mode) */
#define DV_DST	 0x202a40000ul	  /* the destinations */
#define DV_GNT	 0x202a80000ul	  /* children to grant from */
#define DV_MARK	 0x5eed0000cafe1000ul

#define TREE_N	    10000u /* maps in the deep chain, children in the wide fan */
#define HALF	    (TREE_N / 2u)
#define MEDDLE_MAX  400u     /* ticker operations recorded in the concurrency test */
#define PERIOD_NS   100000ul /* ticker period: 6250 instructions at -icount shift=4 */
#define NS_PER_INSN 16ul
#define MARK_X	    0x5eed0000cafe0001ul
#define MARK_Y	    0x5eed0000cafe0002ul
#define MARK_P	    0x5eed0000cafe0003ul

#define NOTIFY_GO    1ul /* main -> peer, ticker: work to do */
#define NOTIFY_DONE  2ul /* peer, ticker -> main: done */
#define NOTIFY_RDONE 4ul /* remote -> main: done */

static unsigned passed, failed;

static void result(bool ok, const char *name, const char *why)
{
	if (ok) {
		passed++;
		printf("mdbtest: PASS %s\n", name);
	} else {
		failed++;
		printf("mdbtest: FAIL %s: %s\n", name, why);
	}
}

static void expect(const char *name, enum kerr got, enum kerr want)
{
	char why[96];

	snprintf(why, sizeof(why), "got %s, expected %s", keel_strerror(got), keel_strerror(want));
	result(got == want, name, why);
}

static uint64_t now_ns(void)
{
	uint64_t t = 0;

	if (keel_clock_now(&t) != KERR_OK)
		return 0;
	return t;
}

static struct keel_info info_buf, boot; /* boot: the counts main saw first */
static unsigned map_max = 1;		/* CONFIG_MAP_MAX_PAGES of this kernel (kernel_info) */

static const struct keel_info *info(void)
{
	if (keel_kernel_info(&info_buf, sizeof(info_buf), NULL) != KERR_OK)
		memset(&info_buf, 0, sizeof(info_buf));
	return &info_buf;
}

/* Is @va mapped in the caller's space (a)? A map from it fails with NOT_MAPPED if not. */
#define PROBE 0x30001000ul
static bool mapped_at(uintptr_t va, uintptr_t probe)
{
	enum kerr e = keel_map(SYS_SPACE_A, va, probe, 1, R);

	if (e == KERR_OK && keel_unmap(SYS_SPACE_A, probe, 1, 1) != KERR_OK)
		puts("mdbtest: cannot unmap the probe page");
	return e != KERR_NOT_MAPPED;
}

static bool mapped_in_a(uintptr_t va)
{
	return mapped_at(va, PROBE);
}

/* Is @va (in a) writable? A map with W from it fails with RIGHTS if not, without a fault. */
static bool writable_in_a(uintptr_t va)
{
	enum kerr e = keel_map(SYS_SPACE_A, va, PROBE, 1, RW);

	if (e == KERR_OK && keel_unmap(SYS_SPACE_A, PROBE, 1, 1) != KERR_OK)
		puts("mdbtest: cannot unmap the probe page");
	return e == KERR_OK;
}

/* ---- the peer (space b): commands through the mailbox ---- */

enum peer_cmd { CMD_MAP_BACK = 1, CMD_READ, CMD_WRITE, CMD_EXIT };

struct mailbox {
	volatile uint64_t cmd, arg0, arg1, result;
};
#define MB ((struct mailbox *)MAILBOX)

int peer_main(void);
int peer_main(void)
{
	for (;;) {
		uint64_t bits;

		if (keel_wait(NOTIFY_GO, KEEL_FOREVER, &bits) != KERR_OK)
			return 1;
		switch (MB->cmd) {
		case CMD_MAP_BACK: /* b:arg0 -> a:arg1 */
			MB->result = keel_map(SYS_SPACE_A, MB->arg0, MB->arg1, 1, RW);
			break;
		case CMD_READ: MB->result = *(volatile uint64_t *)MB->arg0; break;
		case CMD_WRITE:
			*(volatile uint64_t *)MB->arg0 = MB->arg1;
			MB->result = 0;
			break;
		case CMD_EXIT: MB->result = 0; return keel_notify(SYS_THREAD_MAIN, NOTIFY_DONE) != KERR_OK;
		default: MB->result = ~0ul; break;
		}
		if (keel_notify(SYS_THREAD_MAIN, NOTIFY_DONE) != KERR_OK)
			return 1;
	}
}

/* Run a peer command; returns the notification bits (NOTIFY_DONE, or KEEL_NOTIFY_FAULT), 0 on timeout. */
static uint64_t peer(enum peer_cmd cmd, uint64_t arg0, uint64_t arg1)
{
	uint64_t bits = 0;

	MB->cmd = cmd;
	MB->arg0 = arg0;
	MB->arg1 = arg1;
	MB->result = ~0ul;
	if (keel_notify(SYS_THREAD_PEER, NOTIFY_GO) != KERR_OK)
		return 0;
	if (keel_wait(NOTIFY_DONE | KEEL_NOTIFY_FAULT, now_ns() + 1000000000ul, &bits) != KERR_OK)
		return 0;
	return bits;
}

/* ---- the ticker (space a, highest priority) ---- */

enum tick_mode { TICK_MEASURE, TICK_MEDDLE, TICK_CONFLICT };

static volatile bool tick_run, tick_quit, busy;
static volatile enum tick_mode tick_mode;
static volatile uint64_t tick_wakes, tick_busy_wakes, tick_max_late, tick_min_late, tick_missed;
static volatile unsigned meddle_n;
static enum kerr meddle_map[MEDDLE_MAX], meddle_share[MEDDLE_MAX], meddle_grant[MEDDLE_MAX],
	meddle_unmap[MEDDLE_MAX], meddle_keep[MEDDLE_MAX];
static bool meddle_during[MEDDLE_MAX]; /* the round ended before main's unmap did */
static volatile bool conflict_armed;   /* TICK_CONFLICT: take away the last source page once */
static volatile enum kerr conflict_err;

/* One round of changes in the tree of X while main's unmap of X's descendants is preempted. */
static void meddle(void)
{
	unsigned k = meddle_n;

	if (k >= MEDDLE_MAX)
		return;
	/* a new child of X: the unmap in progress must take it too */
	meddle_map[k] = keel_map(SYS_SPACE_A, BUF, M_RANGE + k * PAGE, 1, RW);
	/* a co-equal of the fan child mapped first (removed last): a descendant of X as well */
	meddle_share[k] = keel_share(SYS_SPACE_A, RANGE, S_RANGE + k * PAGE, 1, R);
	/* move the new child: it stays a descendant of X */
	meddle_grant[k] = keel_grant(SYS_SPACE_A, M_RANGE + k * PAGE, G_RANGE + k * PAGE, 1, RW);
	/* revoke a subtree that main's unmap is revoking too */
	meddle_unmap[k] = keel_unmap(SYS_SPACE_A, RANGE + (HALF - 1u - k) * PAGE, 1, 1);
	/* outside the tree: must survive */
	meddle_keep[k] = keel_map(SYS_SPACE_A, BUF + PAGE, N_RANGE + k * PAGE, 1, R);
	/*
	 * The fan child mapped first is removed after every change above (they all sit before it in
	 * the list): while it is mapped, main's unmap has not returned. Without this, a round run
	 * right after the unmap returned, before main clears `busy`, would count as concurrent.
	 */
	meddle_during[k] = mapped_in_a(RANGE);
	meddle_n = k + 1;
}

int ticker_main(void);
int ticker_main(void)
{
	for (;;) {
		uint64_t bits, next;

		if (keel_wait(NOTIFY_GO, KEEL_FOREVER, &bits) != KERR_OK)
			return 1;
		if (tick_quit)
			return 0;
		next = now_ns() + PERIOD_NS;
		while (tick_run) {
			uint64_t t, late;

			if (keel_sleep_until(next) != KERR_OK) {
				tick_missed++;
				next = now_ns() + PERIOD_NS;
				continue;
			}
			t = now_ns();
			late = t - next;
			tick_wakes++;
			if (late > tick_max_late)
				tick_max_late = late;
			if (late < tick_min_late)
				tick_min_late = late;
			if (busy) {
				tick_busy_wakes++;
				if (tick_mode == TICK_MEDDLE)
					meddle();
				if (tick_mode == TICK_CONFLICT && conflict_armed) {
					conflict_armed = false;
					conflict_err =
						keel_unmap(SYS_SPACE_A, DV_MID + (map_max - 1) * PAGE, 1, 1);
				}
			}
			next += PERIOD_NS;
		}
		if (keel_notify(SYS_THREAD_MAIN, NOTIFY_DONE) != KERR_OK)
			return 1;
	}
}

static void ticker_start(enum tick_mode mode)
{
	tick_mode = mode;
	tick_wakes = tick_busy_wakes = tick_max_late = tick_missed = 0;
	tick_min_late = ~0ul;
	tick_run = true;
	if (keel_notify(SYS_THREAD_TICKER, NOTIFY_GO) != KERR_OK)
		puts("mdbtest: cannot start the ticker");
}

static void ticker_stop(void)
{
	uint64_t bits;

	tick_run = false;
	if (keel_wait(NOTIFY_DONE, now_ns() + 1000000000ul, &bits) != KERR_OK)
		puts("mdbtest: the ticker did not stop");
}

/* ---- error codes, per system call ---- */

typedef enum kerr (*derive_fn)(unsigned, uintptr_t, uintptr_t, size_t, unsigned);

static void test_derive_errors(const char *op, derive_fn fn, bool is_map)
{
	char name[96];

#define EXPECT(what, call, want)                                  \
	do {                                                      \
		snprintf(name, sizeof(name), "%s: %s", op, what); \
		expect(name, call, want);                         \
	} while (0)

	EXPECT("SPACE for a space that does not exist", fn(200, BUF, 0x31000000, 1, R), KERR_SPACE);
	EXPECT("ALIGN for an unaligned source", fn(SYS_SPACE_B, BUF + 8, 0x31000000, 1, R), KERR_ALIGN);
	EXPECT("ALIGN for an unaligned destination", fn(SYS_SPACE_B, BUF, 0x31000010, 1, R), KERR_ALIGN);
	EXPECT("PERM without a permission", fn(SYS_SPACE_D, BUF, 0x31000000, 1, R), KERR_PERM);
	EXPECT("INVAL for zero pages", fn(SYS_SPACE_B, BUF, 0x31000000, 0, R), KERR_INVAL);
	EXPECT("INVAL for rights without R", fn(SYS_SPACE_B, BUF, 0x31000000, 1, KEEL_RIGHT_W), KERR_INVAL);
	EXPECT("INVAL for W+X", fn(SYS_SPACE_B, BUF, 0x31000000, 1, 7), KERR_INVAL);
	EXPECT("INVAL for unknown rights bits", fn(SYS_SPACE_B, BUF, 0x31000000, 1, 9), KERR_INVAL);
	EXPECT("RANGE for more than CONFIG_MAP_MAX_PAGES", fn(SYS_SPACE_B, BUF, 0x31000000, map_max + 1, R),
	       KERR_RANGE);
	EXPECT("RANGE for destination page 0", fn(SYS_SPACE_B, BUF, 0, 1, R), KERR_RANGE);
	EXPECT("RANGE for source page 0", fn(SYS_SPACE_B, 0, 0x31000000, 1, R), KERR_RANGE);
	EXPECT("RANGE for vaddr + npages past 2^48", fn(SYS_SPACE_B, BUF, VA_TOP - PAGE, 2, R), KERR_RANGE);
	EXPECT("RANGE for a destination above 2^48", fn(SYS_SPACE_B, BUF, VA_TOP, 1, R), KERR_RANGE);
	EXPECT("RANGE for a wrapping destination", fn(SYS_SPACE_B, BUF, ~0ul & ~(PAGE - 1), 2, R),
	       KERR_RANGE);
	EXPECT("NOT_MAPPED for an unmapped source", fn(SYS_SPACE_B, UNMAPPED, 0x31000000, 1, R),
	       KERR_NOT_MAPPED);
	EXPECT("RIGHTS for W from a read-execute page",
	       fn(SYS_SPACE_B, SYS_USER_IMAGE_BASE, 0x31000000, 1, RW), KERR_RIGHTS);
	EXPECT("EXISTS for an occupied destination", fn(SYS_SPACE_B, BUF, MAILBOX, 1, R), KERR_EXISTS);
	EXPECT("EXISTS for a range whose last page is occupied", fn(SYS_SPACE_B, BUF, MAILBOX - PAGE, 2, R),
	       KERR_EXISTS);
	if (!is_map)
		EXPECT("PERM where only map is allowed", fn(SYS_SPACE_C, BUF, 0x31000000, 1, R), KERR_PERM);
#undef EXPECT
}

static void test_errors(void)
{
	const struct keel_info *in;
	uint32_t c_used, c_limit, c_boot, before, pt_before, c_pt;
	enum kerr e = KERR_OK;
	unsigned maps = 0, batch = map_max < 16 ? map_max : 16;

	test_derive_errors("map", keel_map, true);
	test_derive_errors("grant", keel_grant, false);
	test_derive_errors("share", keel_share, false);
	expect("grant: EXISTS for a page onto itself", keel_grant(SYS_SPACE_A, BUF, BUF, 1, RW), KERR_EXISTS);

	expect("unmap: SPACE for a space that does not exist", keel_unmap(200, BUF, 1, 0), KERR_SPACE);
	expect("unmap: ALIGN for an unaligned address", keel_unmap(SYS_SPACE_A, BUF + 1, 1, 0), KERR_ALIGN);
	expect("unmap: PERM without a permission", keel_unmap(SYS_SPACE_D, BUF, 1, 0), KERR_PERM);
	expect("unmap: INVAL for unknown flags", keel_unmap(SYS_SPACE_A, BUF, 1, 2), KERR_INVAL);
	expect("unmap: RANGE at page 0", keel_unmap(SYS_SPACE_A, 0, 1, 0), KERR_RANGE);
	expect("unmap: RANGE for vaddr + npages past 2^48", keel_unmap(SYS_SPACE_A, VA_TOP - PAGE, 2, 0),
	       KERR_RANGE);
	expect("unmap: RANGE for a huge npages", keel_unmap(SYS_SPACE_A, BUF, ~0ul, 0), KERR_RANGE);
	expect("unmap: unmapped pages are skipped", keel_unmap(SYS_SPACE_A, UNMAPPED, 64, 1), KERR_OK);
	expect("unmap: zero pages is a no-op", keel_unmap(SYS_SPACE_A, BUF, 0, 1), KERR_OK);

	/* Quotas of space c: page tables first (a far range needs two new tables, one is left). */
	in = info();
	before = in->mdb.used;
	pt_before = in->pt.used;
	c_pt = in->space[SYS_SPACE_C].pt_used;
	expect("map: QUOTA for page tables", keel_map(SYS_SPACE_C, BUF, C_FAR, 1, R), KERR_QUOTA);
	in = info();
	result(in->mdb.used == before, "map: a failed map leaves the pool unchanged", "entries used changed");
	result(in->pt.used == pt_before && in->space[SYS_SPACE_C].pt_used == c_pt &&
		       in->space[SYS_SPACE_C].pt_used < in->space[SYS_SPACE_C].pt_limit,
	       "map: QUOTA for page tables adds no table (pool and quota unchanged, one table short)",
	       "a table was allocated");
	/* MDB entries: batch-page maps (16, or fewer if map_max is smaller) while they fit, then single pages up to the limit */
	c_boot = info()->space[SYS_SPACE_C].mdb_used;
	while (e == KERR_OK && maps < 64)
		e = keel_map(SYS_SPACE_C, BUF, C_FILL + maps++ * batch * PAGE, batch, R);
	in = info();
	c_used = in->space[SYS_SPACE_C].mdb_used;
	c_limit = in->space[SYS_SPACE_C].mdb_limit;
	expect("map: QUOTA when the destination's entries run out", e, KERR_QUOTA);
	result(c_used <= c_limit && c_used + batch > c_limit,
	       "map: a multi-page map over the quota maps nothing (reserve first)", "partial map");
	/* cppcheck-suppress knownConditionTrueFalse ; batch is map_max (>= 1, from kernel_info) or 16 */
	for (unsigned i = 0; e != KERR_OK && i < batch && c_used < c_limit; i++, c_used++)
		if (keel_map(SYS_SPACE_C, BUF + i * PAGE, C_FILL + (maps * batch + i) * PAGE, 1, R) !=
		    KERR_OK)
			break;
	result(info()->space[SYS_SPACE_C].mdb_used == c_limit, "map: single pages up to the quota's limit",
	       "the limit was not reached");
	expect("map: QUOTA one page past the limit", keel_map(SYS_SPACE_C, BUF, C_FILL + 0x1000 * PAGE, 1, R),
	       KERR_QUOTA);
	expect("unmap: the quota test's pages", keel_unmap(SYS_SPACE_C, C_FILL, (maps + 1) * batch, 1),
	       KERR_OK);
	result(info()->space[SYS_SPACE_C].mdb_used == c_boot, "unmap: returns the quota",
	       "quota use is not back at its start");
	(void)before;
}

/* ---- protect: error codes, and nothing changed by any of them ---- */

static void test_protect_errors(void)
{
	expect("protect: a child of P to test on", keel_map(SYS_SPACE_A, PROT_P, PROT_A, 1, RW), KERR_OK);
	expect("protect: SPACE for a space that does not exist", keel_protect(200, PROT_P, 1, R, 0),
	       KERR_SPACE);
	expect("protect: SPACE for space 2^32 + a",
	       (enum kerr)keel_syscall6(SYS_PROTECT, (1ul << 32) | SYS_SPACE_A, PROT_P, 1, R, 0, 0, NULL),
	       KERR_SPACE);
	expect("protect: ALIGN for an unaligned address", keel_protect(SYS_SPACE_A, PROT_P + 8, 1, R, 0),
	       KERR_ALIGN);
	expect("protect: PERM without a permission", keel_protect(SYS_SPACE_D, PROT_P, 1, R, 0), KERR_PERM);
	expect("protect: INVAL for unknown flags", keel_protect(SYS_SPACE_A, PROT_P, 1, R, 2), KERR_INVAL);
	expect("protect: INVAL for a flag in bit 32",
	       (enum kerr)keel_syscall6(SYS_PROTECT, SYS_SPACE_A, PROT_P, 1, R, (1ul << 32) | 1, 0, NULL),
	       KERR_INVAL);
	expect("protect: INVAL for rights without R", keel_protect(SYS_SPACE_A, PROT_P, 1, KEEL_RIGHT_W, 0),
	       KERR_INVAL);
	expect("protect: INVAL for no rights at all", keel_protect(SYS_SPACE_A, PROT_P, 1, 0, 0), KERR_INVAL);
	expect("protect: INVAL for W+X", keel_protect(SYS_SPACE_A, PROT_P, 1, 7, 0), KERR_INVAL);
	expect("protect: INVAL for unknown rights bits", keel_protect(SYS_SPACE_A, PROT_P, 1, 9, 0),
	       KERR_INVAL);
	expect("protect: INVAL for rights in bit 32",
	       (enum kerr)keel_syscall6(SYS_PROTECT, SYS_SPACE_A, PROT_P, 1, (1ul << 32) | R, 0, 0, NULL),
	       KERR_INVAL);
	expect("protect: INVAL for zero pages", keel_protect(SYS_SPACE_A, PROT_P, 0, R, 0), KERR_INVAL);
	expect("protect: RANGE at page 0", keel_protect(SYS_SPACE_A, 0, 1, R, 0), KERR_RANGE);
	expect("protect: RANGE for vaddr + npages past 2^48",
	       keel_protect(SYS_SPACE_A, VA_TOP - PAGE, 2, R, 0), KERR_RANGE);
	expect("protect: RANGE for an address above 2^48", keel_protect(SYS_SPACE_A, VA_TOP, 1, R, 0),
	       KERR_RANGE);
	expect("protect: RANGE for a wrapping range", keel_protect(SYS_SPACE_A, PROT_P, ~0ul, R, 0),
	       KERR_RANGE);
	result(writable_in_a(PROT_P) && writable_in_a(PROT_A), "protect: no error changed any rights",
	       "a page lost W");
	expect("protect: unmapped pages are skipped", keel_protect(SYS_SPACE_A, UNMAPPED, 64, R, 1), KERR_OK);
	expect("protect: within the own space", keel_protect(SYS_SPACE_A, PROT_P, 1, R, 0), KERR_OK);
	result(writable_in_a(PROT_P) && !writable_in_a(PROT_A) && mapped_in_a(PROT_A),
	       "protect: the child is read-only, the page itself keeps W", "wrong rights");
	expect("protect: the child", keel_unmap(SYS_SPACE_A, PROT_P, 1, 0), KERR_OK);
}

/* protect to read-only in another space: its next write faults, even with the old W in its TLB */
static void test_protect_semantics(void)
{
	uint64_t bits;

	*(volatile uint64_t *)PROT_P = MARK_P;
	expect("protect: map P to b", keel_map(SYS_SPACE_B, PROT_P, PROT_B, 1, RW), KERR_OK);
	expect("protect: map P within a", keel_map(SYS_SPACE_A, PROT_P, PROT_A, 1, RW), KERR_OK);
	bits = peer(CMD_WRITE, PROT_B, MARK_P);
	result(bits == NOTIFY_DONE, "protect: b writes the page before", "b could not write");
	expect("protect: descendants of P to R", keel_protect(SYS_SPACE_A, PROT_P, 1, R, 0), KERR_OK);
	bits = peer(CMD_WRITE, PROT_B, MARK_P);
	result(bits == KEEL_NOTIFY_FAULT, "protect: a write from b afterwards faults (no stale TLB entry)",
	       bits == NOTIFY_DONE ? "the write succeeded" : "no answer");
	if (bits == KEEL_NOTIFY_FAULT)
		expect("protect: peer restarted after its fault", keel_thread_restart(SYS_THREAD_PEER),
		       KERR_OK);
	bits = peer(CMD_READ, PROT_B, 0);
	result(bits == NOTIFY_DONE && MB->result == MARK_P, "protect: b still reads the page",
	       "not readable");
	expect("protect: rights only shrink (RW again gives nothing back)",
	       keel_protect(SYS_SPACE_A, PROT_P, 1, RW, 0), KERR_OK);
	result(!writable_in_a(PROT_A), "protect: the child stays read-only", "W came back");
	expect("map: from a read-only child with W", keel_map(SYS_SPACE_A, PROT_A, PROBE, 1, RW),
	       KERR_RIGHTS);
	expect("protect: SELF reduces P too", keel_protect(SYS_SPACE_A, PROT_P, 1, R, KEEL_PROTECT_SELF),
	       KERR_OK);
	result(!writable_in_a(PROT_P) && *(volatile uint64_t *)PROT_P == MARK_P,
	       "protect: P is read-only and still reads its data", "wrong rights or data");
	expect("protect: clean up P's children", keel_unmap(SYS_SPACE_A, PROT_P, 1, 0), KERR_OK);
}

/* ---- map, share, grant semantics, stale TLB ---- */

static void test_semantics(void)
{
	volatile uint64_t *x = (volatile uint64_t *)BUF;
	uint64_t bits;

	*x = MARK_X;
	/* map X -> b:0x31000000, share that to nothing (b cannot), so: share X -> b, map X -> a:P */
	expect("map: into another space", keel_map(SYS_SPACE_B, BUF, 0x31000000, 1, R), KERR_OK);
	bits = peer(CMD_READ, 0x31000000, 0);
	result(bits == NOTIFY_DONE && MB->result == MARK_X, "map: the destination reads the source's frame",
	       "peer read failed or read other data");
	expect("map: within the own space", keel_map(SYS_SPACE_A, BUF, RANGE, 1, RW), KERR_OK);
	expect("share: a co-equal of a child", keel_share(SYS_SPACE_B, RANGE, 0x31001000, 1, R), KERR_OK);
	expect("unmap: the child itself (SELF)", keel_unmap(SYS_SPACE_A, RANGE, 1, 1), KERR_OK);
	bits = peer(CMD_READ, 0x31001000, 0);
	result(bits == NOTIFY_DONE && MB->result == MARK_X, "share: survives the sender's unmap",
	       "the shared page is gone");
	expect("grant: moves a mapping", keel_grant(SYS_SPACE_B, BUF + 2 * PAGE, 0x31002000, 1, R), KERR_OK);
	result(!mapped_in_a(BUF + 2 * PAGE), "grant: the sender loses the page", "still mapped in a");
	/* the peer has every page loaded in its TLB now; revoke all of X's descendants */
	expect("unmap: descendants of X", keel_unmap(SYS_SPACE_A, BUF, 1, 0), KERR_OK);
	bits = peer(CMD_READ, 0x31000000, 0);
	result(bits == KEEL_NOTIFY_FAULT, "unmap: reading an unmapped page faults (no stale TLB entry)",
	       bits == NOTIFY_DONE ? "the read succeeded" : "no answer");
	if (bits == KEEL_NOTIFY_FAULT)
		expect("peer restarted after its fault", keel_thread_restart(SYS_THREAD_PEER), KERR_OK);
	bits = peer(CMD_READ, 0x31002000, 0);
	result(bits == NOTIFY_DONE, "grant: the granted page is not derived from X", "not readable");
	expect("grant: back to the owner", keel_unmap(SYS_SPACE_B, 0x31002000, 1, 1), KERR_OK);
	/* buf page 2 was granted away and then unmapped: the region's frame is gone for good */
}

/* ---- deep chain and wide fan, unmapped with the ticker firing ---- */

static uint64_t idle_late; /* the ticker's largest wake-up lateness with nothing else running */

/*
 * @call on the tree under X with the ticker firing throughout: it must succeed and be preempted
 * (at least 10 wake-ups of the ticker thread while it ran); prints its cost per entry.
 */
static void ticked_call(const char *what, const char *verb, enum kerr (*call)(void), uint64_t entries)
{
	char name[96], why[96];
	uint64_t t0, t1;
	enum kerr e;

	ticker_start(TICK_MEASURE);
	busy = true;
	t0 = now_ns();
	e = call();
	t1 = now_ns();
	busy = false;
	ticker_stop();
	snprintf(name, sizeof(name), "%s: %s", what, verb);
	expect(name, e, KERR_OK);
	snprintf(name, sizeof(name), "%s: the %s was preempted by the timer", what, verb);
	snprintf(why, sizeof(why), "%llu wake-ups during the %s", (unsigned long long)tick_busy_wakes, verb);
	result(tick_busy_wakes >= 10, name, why);
	printf("mdbtest: INFO %s: %llu entries (%s) in %llu instructions (%llu per entry), "
	       "%llu timer wake-ups in between, max wake-up lateness %llu instructions (idle: %llu)\n",
	       what, (unsigned long long)entries, verb, (unsigned long long)((t1 - t0) / NS_PER_INSN),
	       (unsigned long long)((t1 - t0) / NS_PER_INSN / entries), (unsigned long long)tick_busy_wakes,
	       (unsigned long long)(tick_max_late / NS_PER_INSN),
	       (unsigned long long)(idle_late / NS_PER_INSN));
}

static enum kerr unmap_x_tree(void)
{
	return keel_unmap(SYS_SPACE_A, BUF, 1, 0);
}

static enum kerr protect_x_tree(void)
{
	return keel_protect(SYS_SPACE_A, BUF, 1, R, 0);
}

/* Unmap everything derived from X, with the ticker firing throughout. */
static void unmap_timed(const char *what, uint64_t entries)
{
	ticked_call(what, "unmap", unmap_x_tree, entries);
}

/*
 * Protect X's descendants to read-only with the ticker firing throughout; afterwards nothing
 * derived from X is writable, and b, which wrote @b_page just before, faults writing it again.
 */
static void protect_timed(const char *what, uintptr_t b_page, uint64_t entries)
{
	char name[96], why[96];
	unsigned writable = 0;
	uint64_t bits;

	bits = peer(CMD_WRITE, b_page, MARK_X); /* b's TLB may now hold the writable translation */
	snprintf(name, sizeof(name), "%s: b writes a page of the tree", what);
	result(bits == NOTIFY_DONE, name, "no answer or a fault");
	ticked_call(what, "protect", protect_x_tree, entries);
	for (unsigned i = 0; i < HALF; i++)
		writable += writable_in_a(RANGE + i * PAGE);
	snprintf(name, sizeof(name), "%s: no page of a derived from X is writable", what);
	snprintf(why, sizeof(why), "%u pages writable", writable);
	result(writable == 0 && mapped_in_a(RANGE + (HALF - 1) * PAGE), name, why);
	snprintf(name, sizeof(name), "%s: X itself keeps W", what);
	result(writable_in_a(BUF), name, "X lost W");
	bits = peer(CMD_WRITE, b_page, MARK_X);
	snprintf(name, sizeof(name), "%s: b's write after the protect faults (no stale TLB entry)", what);
	result(bits == KEEL_NOTIFY_FAULT, name, bits == NOTIFY_DONE ? "the write succeeded" : "no answer");
	if (bits == KEEL_NOTIFY_FAULT && keel_thread_restart(SYS_THREAD_PEER) != KERR_OK)
		puts("mdbtest: cannot restart the peer");
}

static void measure_idle_lateness(void)
{
	ticker_start(TICK_MEASURE);
	if (keel_sleep_until(now_ns() + 20 * PERIOD_NS) != KERR_OK)
		puts("mdbtest: sleep failed");
	ticker_stop();
	idle_late = tick_max_late;
	printf("mdbtest: INFO idle: %llu timer wake-ups, lateness %llu..%llu instructions\n",
	       (unsigned long long)tick_wakes, (unsigned long long)(tick_min_late / NS_PER_INSN),
	       (unsigned long long)(tick_max_late / NS_PER_INSN));
	result(tick_wakes >= 10, "ticker wakes periodically", "too few wake-ups");
}

/*
 * An unmap of a large range with no mapping in it must reach preemption points too: every
 * page it looks at is work. Found the bug that pages without mappings cost no budget, so
 * the whole range was walked with interrupts masked.
 */
static void test_empty_range(void)
{
	uint64_t t0, t1;
	enum kerr e;

	ticker_start(TICK_MEASURE);
	busy = true;
	t0 = now_ns();
	e = keel_unmap(SYS_SPACE_A, 0x1000000000ul, 1ul << 18, 1);
	t1 = now_ns();
	busy = false;
	ticker_stop();
	expect("empty range: unmap of 2^18 unmapped pages", e, KERR_OK);
	printf("mdbtest: INFO empty range: %llu instructions per page, %llu wake-ups, max wake-up lateness "
	       "%llu "
	       "instructions\n",
	       (unsigned long long)((t1 - t0) / NS_PER_INSN >> 18), (unsigned long long)tick_busy_wakes,
	       (unsigned long long)(tick_max_late / NS_PER_INSN));
	/*
	 * Bounded either way: the unmap reaches preemption points while it walks, and a range no
	 * page table covers is skipped a whole missing table at a time (here: one step).
	 */
	result(tick_max_late / NS_PER_INSN < 20000 &&
		       (tick_busy_wakes >= 10 || (t1 - t0) / NS_PER_INSN < 100000),
	       "empty range: the unmap reaches preemption points", "the timer waited for the whole range");
}

static bool range_unmapped_in_a(uintptr_t va, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (mapped_in_a(va + i * PAGE))
			return false;
	return true;
}

static void test_deep_chain(void)
{
	uintptr_t prev = BUF;
	uint64_t t0, t1, bits = NOTIFY_DONE;
	enum kerr e = KERR_OK;
	unsigned i;

	t0 = now_ns();
	/* X -> b:RANGE -> a:RANGE -> b:RANGE+1 -> a:RANGE+1 -> ... : TREE_N maps, TREE_N levels */
	for (i = 0; i < TREE_N && e == KERR_OK && bits == NOTIFY_DONE; i++) {
		uintptr_t va = RANGE + (i / 2) * PAGE;

		if (i % 2 == 0) {
			e = keel_map(SYS_SPACE_B, prev, va, 1, RW);
		} else {
			bits = peer(CMD_MAP_BACK, prev, va);
			e = (enum kerr)MB->result;
		}
		prev = va;
	}
	t1 = now_ns();
	result(e == KERR_OK && i == TREE_N, "deep chain: 10000 levels of map across two spaces",
	       keel_strerror(e));
	printf("mdbtest: INFO deep chain: %u maps in %llu instructions (with a context switch each second)\n",
	       i, (unsigned long long)((t1 - t0) / NS_PER_INSN));
	result(*(volatile uint64_t *)(RANGE + (HALF - 1) * PAGE) == MARK_X,
	       "deep chain: the deepest page reads the root's frame", "other data");
	protect_timed("deep chain", RANGE + 10 * PAGE, TREE_N);
	unmap_timed("deep chain", TREE_N);
	result(range_unmapped_in_a(RANGE, HALF), "deep chain: no page of the chain is left in a",
	       "a page is still mapped");
	result(info()->space[SYS_SPACE_B].mdb_used == boot.space[SYS_SPACE_B].mdb_used,
	       "deep chain: no page of the chain is left in b", "b still holds the chain's entries");
}

/* Costs without the ticker: maps of CONFIG_MAP_MAX_PAGES pages (64 at most) and the unmap of X's 5000 children. */
static void measure_costs(void)
{
	uint64_t t0, t1, t2, t3;
	enum kerr e = KERR_OK;
	unsigned i, batch = map_max < 64 ? map_max : 64; /* buf has 72 pages: 8 + 64 */

	t0 = now_ns();
	for (i = 0; i < HALF / batch && e == KERR_OK; i++)
		e = keel_map(SYS_SPACE_A, BUF + 8 * PAGE, RANGE + i * batch * PAGE, batch, RW);
	t1 = now_ns();
	if (e == KERR_OK)
		e = keel_unmap(SYS_SPACE_A, RANGE, HALF, 1);
	for (i = 0; i < HALF && e == KERR_OK; i++)
		e = keel_map(SYS_SPACE_A, BUF, RANGE + i * PAGE, 1, RW);
	t2 = now_ns();
	e = keel_unmap(SYS_SPACE_A, BUF, 1, 0) == KERR_OK ? e : KERR_INVAL;
	t3 = now_ns();
	result(e == KERR_OK, "costs: maps and unmaps without the ticker", keel_strerror(e));
	printf("mdbtest: INFO costs: map of %u pages %llu instructions per page; unmap of %u children of "
	       "one page %llu instructions per entry\n",
	       batch, (unsigned long long)((t1 - t0) / NS_PER_INSN / (HALF / batch * batch)), HALF,
	       (unsigned long long)((t3 - t2) / NS_PER_INSN / HALF));
}

static void test_wide_fan(void)
{
	uint64_t t0, t1;
	enum kerr e = KERR_OK;
	unsigned i;

	t0 = now_ns();
	for (i = 0; i < TREE_N && e == KERR_OK; i++)
		e = keel_map(i < HALF ? SYS_SPACE_A : SYS_SPACE_B, BUF, RANGE + (i % HALF) * PAGE, 1, RW);
	t1 = now_ns();
	result(e == KERR_OK, "wide fan: one page mapped to 10000 destinations in two spaces",
	       keel_strerror(e));
	printf("mdbtest: INFO wide fan: %u one-page maps in %llu instructions (%llu per map, syscall "
	       "included)\n",
	       i, (unsigned long long)((t1 - t0) / NS_PER_INSN),
	       (unsigned long long)((t1 - t0) / NS_PER_INSN / (i ? i : 1)));
	protect_timed("wide fan", RANGE, TREE_N);
	unmap_timed("wide fan", TREE_N);
	result(range_unmapped_in_a(RANGE, HALF), "wide fan: no child is left in a", "a page is still mapped");
	result(info()->space[SYS_SPACE_B].mdb_used == boot.space[SYS_SPACE_B].mdb_used,
	       "wide fan: no child is left in b", "b still holds the fan's entries");
}

/* ---- two CPUs: "remote" (CPU 1) changes X's tree while main (CPU 0) protects and unmaps it ---- */

enum remote_cmd { RC_MEDDLE = 1, RC_WRITE, RC_READ, RC_UNMAP, RC_EXIT };

static volatile enum remote_cmd rcmd;
static volatile uintptr_t rarg;
static volatile bool remote_run;
static volatile unsigned remote_rounds, remote_during, remote_failed, remote_reachable, remote_conflicts;
static volatile uint64_t remote_t0, remote_t1; /* RC_UNMAP: the call's start and end (ns) */
static volatile enum kerr remote_err;

/*
 * One round: a child of X, a co-equal of it, that co-equal granted on, both unmapped; after each
 * unmap returns, the page must be gone (checked through its own probe page, not main's).
 */
static void remote_round(unsigned k)
{
	uintptr_t m = R_RANGE + k * PAGE, s2 = m + 256 * PAGE, g = m + 512 * PAGE;
	bool during = busy;
	enum kerr e[5];

	e[0] = keel_map(SYS_SPACE_A, BUF, m, 1, R);
	e[1] = keel_share(SYS_SPACE_A, m, s2, 1, R);
	e[2] = keel_grant(SYS_SPACE_A, s2, g, 1, R);
	e[3] = keel_unmap(SYS_SPACE_A, m, 1, 1);
	if (mapped_at(m, R_PROBE))
		remote_reachable++;
	e[4] = keel_unmap(SYS_SPACE_A, g, 1, 1);
	if (mapped_at(g, R_PROBE) || mapped_at(s2, R_PROBE))
		remote_reachable++;
	/*
	 * map and share may meet main's unmap halfway (then grant finds nothing): count only errors
	 * that no interleaving explains. Main's unmap may also remove the source of share or grant
	 * while the call is stopped after its checks (the kernel lock is handed over there): then the
	 * restart's re-check gives CONFLICT with no page mapped (docs/mapping.md), which the
	 * reachability checks below confirm.
	 */
	for (unsigned i = 1; i <= 2; i++)
		remote_conflicts += e[i] == KERR_CONFLICT;
	if (e[0] != KERR_OK || e[3] != KERR_OK || e[4] != KERR_OK ||
	    (e[1] != KERR_OK && e[1] != KERR_NOT_MAPPED && e[1] != KERR_CONFLICT) ||
	    (e[2] != KERR_OK && e[2] != KERR_NOT_MAPPED && e[2] != KERR_CONFLICT))
		remote_failed++;
	remote_rounds++;
	remote_during += during && busy;
}

int remote_main(void);
int remote_main(void)
{
	for (;;) {
		uint64_t bits;

		if (keel_wait(NOTIFY_GO, KEEL_FOREVER, &bits) != KERR_OK)
			return 1;
		switch (rcmd) {
		case RC_MEDDLE:
			for (unsigned k = 0; remote_run; k = (k + 1) % 256)
				remote_round(k);
			break;
		case RC_WRITE: *(volatile uint64_t *)rarg = MARK_X; break;
		case RC_READ: (void)*(volatile uint64_t *)rarg; break;
		case RC_UNMAP:
			busy = true;
			remote_t0 = now_ns();
			remote_err = keel_unmap(SYS_SPACE_A, BUF, 1, 0);
			remote_t1 = now_ns();
			busy = false;
			break;
		case RC_EXIT: return keel_notify(SYS_THREAD_MAIN, NOTIFY_RDONE) != KERR_OK;
		default: break;
		}
		if (keel_notify(SYS_THREAD_MAIN, NOTIFY_RDONE) != KERR_OK)
			return 1;
	}
}

/* Run a remote command; returns NOTIFY_RDONE, KEEL_NOTIFY_FAULT, or 0 on timeout. */
static uint64_t remote(enum remote_cmd cmd, uintptr_t arg)
{
	uint64_t bits = 0;

	rcmd = cmd;
	rarg = arg;
	if (keel_notify(SYS_THREAD_REMOTE, NOTIFY_GO) != KERR_OK)
		return 0;
	if (cmd == RC_MEDDLE)
		return NOTIFY_RDONE; /* runs until remote_run is cleared; remote_stop() waits */
	if (keel_wait(NOTIFY_RDONE | KEEL_NOTIFY_FAULT, now_ns() + 1000000000ul, &bits) != KERR_OK)
		return 0;
	return bits;
}

static bool remote_stop(void)
{
	uint64_t bits = 0;

	remote_run = false;
	return keel_wait(NOTIFY_RDONE, now_ns() + 1000000000ul, &bits) == KERR_OK && bits == NOTIFY_RDONE;
}

/* One big call on CPU 0 (@protect: protect to R, else unmap), with remote meddling on CPU 1. */
static enum kerr two_cpu_call(bool protect)
{
	enum kerr e;

	remote_rounds = remote_during = remote_failed = remote_reachable = remote_conflicts = 0;
	remote_run = true;
	(void)remote(RC_MEDDLE, 0);
	ticker_start(TICK_MEASURE); /* preempts the call, so that CPU 1 gets the kernel in between */
	busy = true;
	e = protect ? keel_protect(SYS_SPACE_A, BUF, 1, R, 0) : keel_unmap(SYS_SPACE_A, BUF, 1, 0);
	busy = false;
	if (!remote_stop())
		puts("mdbtest: remote did not stop");
	ticker_stop();
	return e;
}

/*
 * two_cpu_call() and its checks: CPU 1 made calls between the big call's chunks, none failed,
 * no page stayed reachable after its unmap, and CPU 1's access to a page of the fan after the
 * call faults (after protect to R a write, after unmap a read): no stale TLB on CPU 1.
 */
static void two_cpu_round(bool protect)
{
	const char *call = protect ? "protect" : "unmap", *access = protect ? "write" : "read";
	char name[128], why[128];
	uint64_t bits;

	snprintf(name, sizeof(name), "two CPUs: %s on CPU 0 while CPU 1 changes the tree", call);
	expect(name, two_cpu_call(protect), KERR_OK);
	printf("mdbtest: INFO two CPUs, %s: %u rounds on CPU 1, %u during the %s, %u failed, "
	       "%u pages reachable after their unmap, %u share/grant conflicts\n",
	       call, remote_rounds, remote_during, call, remote_failed, remote_reachable, remote_conflicts);
	snprintf(why, sizeof(why), "%u rounds during the call, %u failed, %u reachable", remote_during,
		 remote_failed, remote_reachable);
	snprintf(name, sizeof(name), "two CPUs: map, share, grant and unmap on CPU 1 between the %s's chunks",
		 call);
	result(remote_during >= 5 && remote_failed == 0 && remote_reachable == 0, name, why);
	bits = remote(protect ? RC_WRITE : RC_READ, RANGE + 7 * PAGE);
	snprintf(name, sizeof(name), "two CPUs: CPU 1's %s after the %s faults (no stale TLB)", access, call);
	if (bits == NOTIFY_RDONE)
		snprintf(why, sizeof(why), "the %s succeeded", access);
	else
		snprintf(why, sizeof(why), "no answer");
	result(bits == KEEL_NOTIFY_FAULT, name, why);
	if (bits == KEEL_NOTIFY_FAULT && keel_thread_restart(SYS_THREAD_REMOTE) != KERR_OK)
		puts("mdbtest: cannot restart remote");
}

static void test_two_cpus(void)
{
	uint32_t used0 = info()->mdb.used;
	enum kerr e = KERR_OK;
	uint64_t bits;

	for (unsigned i = 0; i < HALF && e == KERR_OK; i++)
		e = keel_map(SYS_SPACE_A, BUF, RANGE + i * PAGE, 1, RW);
	for (unsigned i = 0; i < HALF && e == KERR_OK; i++)
		e = keel_map(SYS_SPACE_B, RANGE, RANGE + i * PAGE, 1, RW);
	result(e == KERR_OK, "two CPUs: a fan of 5000 in a, 5000 grandchildren in b", keel_strerror(e));
	bits = remote(RC_WRITE, RANGE + 7 * PAGE);
	result(bits == NOTIFY_RDONE, "two CPUs: CPU 1 writes a page of the fan", "no answer or a fault");

	two_cpu_round(true);
	bits = remote(RC_READ, RANGE + 7 * PAGE);
	result(bits == NOTIFY_RDONE, "two CPUs: CPU 1 still reads the protected page",
	       "no answer or a fault");
	two_cpu_round(false);
	bits = peer(CMD_READ, RANGE, 0);
	result(bits == KEEL_NOTIFY_FAULT, "two CPUs: b's read of a grandchild faults", "the read succeeded");
	if (bits == KEEL_NOTIFY_FAULT && keel_thread_restart(SYS_THREAD_PEER) != KERR_OK)
		puts("mdbtest: cannot restart the peer");
	result(range_unmapped_in_a(RANGE, HALF) && info()->mdb.used == used0,
	       "two CPUs: the pool is back at its count before the test", "entries left");
}

/*
 * ---- the kernel lock at preemption points: a big unmap on CPU 1, the ticker on CPU 0 ----
 * CPU 1 revokes a fan of 5000 pages in one call (~750 000 instructions) while the ticker wakes
 * every 100 us on CPU 0. Each wake-up needs the kernel lock; the unmap's preemption points
 * release it when CPU 0 waits, so a wake-up is late by about one chunk of CPU 1's call and the
 * paths around it, not by the rest of the call (docs/interrupts-and-time.md, "The kernel lock
 * at preemption points"). The bound is 10 000 instructions: the call is ~75 times longer.
 */
#define REMOTE_LATE_MAX 10000ul /* instructions */

static void test_remote_unmap_yields(void)
{
	enum kerr e = KERR_OK;
	uint64_t bits = 0, insns, late;
	char why[128];

	for (unsigned i = 0; i < HALF && e == KERR_OK; i++)
		e = keel_map(SYS_SPACE_A, BUF, RANGE + i * PAGE, 1, RW);
	result(e == KERR_OK, "lock yield: a fan of 5000 in a", keel_strerror(e));
	remote_err = KERR_INVAL;
	ticker_start(TICK_MEASURE);
	rcmd = RC_UNMAP;
	if (keel_notify(SYS_THREAD_REMOTE, NOTIFY_GO) != KERR_OK ||
	    keel_wait(NOTIFY_RDONE | KEEL_NOTIFY_FAULT, now_ns() + 1000000000ul, &bits) != KERR_OK)
		bits = 0;
	ticker_stop();
	result(bits == NOTIFY_RDONE, "lock yield: CPU 1's unmap returns", "no answer or a fault");
	expect("lock yield: unmap of the fan on CPU 1", remote_err, KERR_OK);
	insns = (remote_t1 - remote_t0) / NS_PER_INSN;
	late = tick_max_late / NS_PER_INSN;
	printf("mdbtest: INFO lock yield: CPU 1's unmap of %u pages took %llu instructions; %llu timer "
	       "wake-ups on CPU 0 during it, max wake-up lateness %llu instructions (idle: %llu)\n",
	       HALF, (unsigned long long)insns, (unsigned long long)tick_busy_wakes, (unsigned long long)late,
	       (unsigned long long)(idle_late / NS_PER_INSN));
	snprintf(why, sizeof(why), "%llu instructions", (unsigned long long)insns);
	result(insns > 10 * REMOTE_LATE_MAX, "lock yield: CPU 1's unmap is longer than 10 times the bound",
	       why);
	snprintf(why, sizeof(why), "%llu wake-ups during the call", (unsigned long long)tick_busy_wakes);
	result(tick_busy_wakes >= 10, "lock yield: CPU 0 woke between the chunks of CPU 1's unmap", why);
	/* a sleep that reached the kernel after its deadline (KERR_PAST) was held up as long */
	snprintf(why, sizeof(why), "lateness %llu instructions (bound %lu), %llu deadlines missed",
		 (unsigned long long)late, REMOTE_LATE_MAX, (unsigned long long)tick_missed);
	result(late <= REMOTE_LATE_MAX && tick_missed == 0,
	       "lock yield: CPU 0 wakes within the bound while CPU 1 unmaps", why);
	result(range_unmapped_in_a(RANGE, HALF), "lock yield: the fan is gone", "a page is still mapped");
}

/* ---- the depth limit: a chain of CONFIG_MDB_MAX_DEPTH levels in one space ---- */

#define DEPTH_MAX   65535u	  /* CONFIG_MDB_MAX_DEPTH of the defconfig */
#define DEPTH_RANGE 0x300000000ul /* DEPTH_MAX + 1 pages in a */

static void test_depth_limit(void)
{
	uint32_t used = info()->space[SYS_SPACE_A].mdb_used;
	enum kerr e = KERR_OK;
	unsigned i;

	for (i = 0; i < DEPTH_MAX && e == KERR_OK; i++)
		e = keel_map(SYS_SPACE_A, i ? DEPTH_RANGE + (i - 1) * PAGE : BUF, DEPTH_RANGE + i * PAGE, 1,
			     RW);
	result(e == KERR_OK && i == DEPTH_MAX, "depth: a chain of CONFIG_MDB_MAX_DEPTH (65535) levels",
	       keel_strerror(e));
	expect("map: DEPTH one level deeper than CONFIG_MDB_MAX_DEPTH",
	       keel_map(SYS_SPACE_A, DEPTH_RANGE + (DEPTH_MAX - 1) * PAGE, DEPTH_RANGE + DEPTH_MAX * PAGE, 1,
			RW),
	       KERR_DEPTH);
	expect("share: at the deepest level (a sibling is not deeper)",
	       keel_share(SYS_SPACE_A, DEPTH_RANGE + (DEPTH_MAX - 1) * PAGE, DEPTH_RANGE + DEPTH_MAX * PAGE,
			  1, R),
	       KERR_OK);
	result(*(volatile uint64_t *)(DEPTH_RANGE + DEPTH_MAX * PAGE) == MARK_X,
	       "depth: the deepest page reads the root's frame", "other data");
	expect("depth: unmap of the 65535-level chain", keel_unmap(SYS_SPACE_A, BUF, 1, 0), KERR_OK);
	result(info()->space[SYS_SPACE_A].mdb_used == used, "depth: every entry of the chain is gone",
	       "entries left");
}

/* ---- map, share and grant preempted and restarted (docs/mapping.md, "Restartable map") ---- */

static const unsigned derive_nr[] = {SYS_MAP, SYS_SHARE, SYS_GRANT};
static const char *const derive_name[] = {"map", "share", "grant"};

/* Do the map_max pages at @dst read the markers of the sources? */
static bool dst_reads_marks(uintptr_t dst, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (*(volatile uint64_t *)(dst + i * PAGE) != DV_MARK + i)
			return false;
	return true;
}

/* A grant needs pages of its own to move: children of the DV_MID pages at DV_GNT. */
static void derive_prepare(unsigned k)
{
	if (k == 2 && keel_map(SYS_SPACE_A, DV_MID, DV_GNT, map_max, RW) != KERR_OK)
		puts("mdbtest: cannot map the pages to grant");
}

/* One call of kind @k from the DV_MID (map, share) or DV_GNT (grant) pages to DV_DST. */
static enum kerr derive_once(unsigned k, uint64_t *mapped, uint64_t *token)
{
	uintptr_t from = k == 2 ? DV_GNT : DV_MID;

	return (enum kerr)keel_syscall6_x5(derive_nr[k], SYS_SPACE_A, from, DV_DST, map_max, R, 0, mapped,
					   token);
}

static void test_derive_preempted(void)
{
	uint32_t used = info()->mdb.used;
	uint64_t last_token = 0, x1, tok;
	char name[96], why[128];
	enum kerr e = KERR_OK;

	for (unsigned i = 0; i < map_max; i++)
		*(volatile uint64_t *)(DV_SRC + i * PAGE) = DV_MARK + i;
	expect("derive: the sources", keel_map(SYS_SPACE_A, DV_SRC, DV_MID, map_max, RW), KERR_OK);

	/* 1. map_max pages with the ticker firing throughout: stopped and restarted, same result. */
	for (unsigned k = 0; k < 3; k++) {
		unsigned preempted = 0, wrong = 0, calls = 150;
		uint64_t first = 0;

		ticker_start(TICK_MEASURE);
		for (unsigned r = 0; r < calls && e == KERR_OK; r++) {
			x1 = tok = 0;
			derive_prepare(k);
			for (volatile unsigned spin = 0; spin < r * 37u % 1024u; spin++)
				; /* against the ticker's phase, as below */
			busy = true;
			e = derive_once(k, &x1, &tok);
			busy = false;
			if (tok) {
				preempted++;
				first = first ? first : tok;
				last_token = tok;
			}
			wrong += e != KERR_OK || x1 != map_max || !dst_reads_marks(DV_DST, map_max);
			if (e == KERR_OK)
				e = keel_unmap(SYS_SPACE_A, DV_DST, map_max, 1);
		}
		ticker_stop();
		snprintf(name, sizeof(name),
			 "derive: %s of %u pages x %u under the ticker: all pages, every time",
			 derive_name[k], map_max, calls);
		snprintf(why, sizeof(why), "%u wrong, last %s", wrong, keel_strerror(e));
		result(wrong == 0 && e == KERR_OK, name, why);
		snprintf(name, sizeof(name), "derive: %s was preempted and restarted (x5 token)",
			 derive_name[k]);
		snprintf(why, sizeof(why), "%u of %u calls preempted", preempted, calls);
		result(preempted >= 10, name, why);
		printf("mdbtest: INFO derive: %s of %u pages: %u of %u calls preempted, %llu restart tokens "
		       "issued meanwhile\n",
		       derive_name[k], map_max, preempted, calls,
		       (unsigned long long)(preempted ? last_token - first + 1 : 0));
	}

	/* 2. A forged or stale restart token: INVAL, nothing mapped. */
	for (unsigned k = 0; k < 3; k++) {
		uintptr_t from = DV_MID; /* for grant too: a call that moved a page would show */
		uint32_t before = info()->mdb.used;
		uint64_t forged[] = {0x1234567ul, last_token};

		for (unsigned f = 0; f < 2; f++) {
			e = (enum kerr)keel_syscall6(derive_nr[k], SYS_SPACE_A, from, DV_DST, map_max, R,
						     forged[f], NULL);
			snprintf(name, sizeof(name),
				 "derive: %s with a %s restart token: INVAL, nothing changed", derive_name[k],
				 f ? "stale" : "forged");
			result(e == KERR_INVAL && info()->mdb.used == before && !mapped_in_a(DV_DST) &&
				       mapped_in_a(DV_MID),
			       name, keel_strerror(e));
		}
	}

	/*
	 * 3. The ticker takes away the last source while the call is preempted: in its commit,
	 * CONFLICT after n - 1 pages; in its checks (before the last page's), NOT_MAPPED after the
	 * restart with nothing changed (docs/mapping.md, "Checks, in order").
	 */
	for (unsigned k = 0; k < 3; k++) {
		unsigned bad = 0, conflicts = 0, check_fails = 0, rounds;

		ticker_start(TICK_CONFLICT);
		for (rounds = 0; rounds < 600 && (conflicts < 5 || check_fails < 3) && bad == 0; rounds++) {
			x1 = tok = 0;
			derive_prepare(k);
			/*
			 * A different delay each round moves the call against the ticker's period: with
			 * -icount the rounds would otherwise repeat one phase, which may never overlap.
			 */
			for (volatile unsigned spin = 0; spin < rounds * 37u % 1024u; spin++)
				;
			uint32_t before = info()->mdb.used;

			conflict_err = KERR_OK;
			conflict_armed = true;
			busy = true;
			e = derive_once(k, &x1, &tok);
			busy = false;
			conflict_armed = false;
			if (e == KERR_CONFLICT) {
				conflicts++;
				/* pages before the conflict mapped (their sources stayed), the rest not */
				bad += x1 != map_max - 1 || tok == 0 || conflict_err != KERR_OK ||
				       !dst_reads_marks(DV_DST, map_max - 1) ||
				       mapped_in_a(DV_DST + (map_max - 1) * PAGE);
			} else if (e == KERR_NOT_MAPPED) {
				/*
				 * The ticker got in before the call's svc (no token), or stopped the call in
				 * its checks (a token): an error of the checks either way, nothing mapped,
				 * nothing taken from the pool: only the ticker's unmap (of the last source,
				 * and for a grant its child, the page to grant) changed the count.
				 */
				check_fails += tok != 0;
				bad += x1 != 0 || conflict_err != KERR_OK ||
				       !range_unmapped_in_a(DV_DST, map_max) ||
				       info()->mdb.used != before - (k == 2 ? 2u : 1u);
			} else if (e != KERR_OK || x1 != map_max) {
				bad++;
			}
			if (keel_unmap(SYS_SPACE_A, DV_DST, map_max, 1) != KERR_OK ||
			    keel_unmap(SYS_SPACE_A, DV_GNT, map_max, 1) != KERR_OK)
				bad++;
			if (!mapped_in_a(DV_MID + (map_max - 1) * PAGE) &&
			    keel_map(SYS_SPACE_A, DV_SRC + (map_max - 1) * PAGE,
				     DV_MID + (map_max - 1) * PAGE, 1, RW) != KERR_OK)
				bad++;
		}
		ticker_stop();
		snprintf(name, sizeof(name),
			 "derive: %s: source gone while preempted: CONFLICT after %u pages, or NOT_MAPPED "
			 "unchanged",
			 derive_name[k], map_max - 1);
		snprintf(why, sizeof(why),
			 "%u conflicts, %u preempted-then-failing checks in %u rounds, %u wrong", conflicts,
			 check_fails, rounds, bad);
		result(conflicts >= 5 && check_fails >= 3 && bad == 0, name, why);
		printf("mdbtest: INFO derive: %s: %s\n", derive_name[k], why);
	}

	/*
	 * 4. One restart token per thread for every kind: a protect carrying a (stale) map token is
	 * not the restart of anything, so it starts afresh and does all its work.
	 */
	e = (enum kerr)keel_syscall6(SYS_PROTECT, SYS_SPACE_A, DV_MID, map_max, R, 1, last_token, NULL);
	result(e == KERR_OK && !writable_in_a(DV_MID) && !writable_in_a(DV_MID + (map_max - 1) * PAGE),
	       "derive: a protect with a map's stale restart token starts afresh (all pages reduced)",
	       keel_strerror(e));

	expect("derive: unmap the sources", keel_unmap(SYS_SPACE_A, DV_MID, map_max, 1), KERR_OK);
	snprintf(why, sizeof(why), "%u entries used, %u before", info()->mdb.used, used);
	result(info_buf.mdb.used == used, "derive: the MDB pool is back at its count (no reservation left)",
	       why);
}

/* ---- concurrency: the ticker changes the tree of X while main's unmap of X is preempted ---- */

static void test_concurrent(void)
{
	volatile uint64_t *y = (volatile uint64_t *)(BUF + PAGE);
	enum kerr e = KERR_OK;
	unsigned n, maps = 0, shares = 0, grants = 0, keeps = 0, left = 0, lost = 0, during = 0;
	char why[128];

	*y = MARK_Y;
	/* a fan of HALF children of X, and HALF children in b of the first of them (removed last) */
	for (unsigned i = 0; i < HALF && e == KERR_OK; i++)
		e = keel_map(SYS_SPACE_A, BUF, RANGE + i * PAGE, 1, RW);
	for (unsigned i = 0; i < HALF && e == KERR_OK; i++)
		e = keel_map(SYS_SPACE_B, RANGE, RANGE + i * PAGE, 1, RW);
	result(e == KERR_OK, "concurrent: a fan of 5000 in a, 5000 grandchildren in b", keel_strerror(e));
	meddle_n = 0;
	ticker_start(TICK_MEDDLE);
	busy = true;
	e = keel_unmap(SYS_SPACE_A, BUF, 1, 0);
	busy = false;
	ticker_stop();
	n = meddle_n;
	expect("concurrent: unmap", e, KERR_OK);
	for (unsigned k = 0; k < n; k++) {
		maps += meddle_map[k] == KERR_OK;
		shares += meddle_share[k] == KERR_OK;
		grants += meddle_grant[k] == KERR_OK;
		keeps += meddle_keep[k] == KERR_OK;
		during += meddle_during[k];
		if (meddle_during[k] && (mapped_in_a(M_RANGE + k * PAGE) || mapped_in_a(S_RANGE + k * PAGE) ||
					 mapped_in_a(G_RANGE + k * PAGE)))
			left++;
		if (meddle_keep[k] == KERR_OK && *(volatile uint64_t *)(N_RANGE + k * PAGE) != MARK_Y)
			lost++;
	}
	snprintf(why, sizeof(why), "only %u of %u rounds", during, n);
	result(during >= 10, "concurrent: map, share, grant and unmap ran between the unmap's chunks", why);
	printf("mdbtest: INFO concurrent: %u rounds (%u before the unmap returned): %u maps, %u shares, "
	       "%u grants, %u maps outside\n",
	       n, during, maps, shares, grants, keeps);
	result(maps == n && grants == n && keeps == n,
	       "concurrent: every map, grant and outside map succeeded", "one failed");
	snprintf(why, sizeof(why), "%u pages left", left);
	result(left == 0, "concurrent: nothing derived from X during the unmap survives it", why);
	result(lost == 0 && range_unmapped_in_a(RANGE, HALF),
	       "concurrent: mappings outside the tree survive, the tree is gone", "lost or left pages");
	result(info()->space[SYS_SPACE_B].mdb_used == boot.space[SYS_SPACE_B].mdb_used,
	       "concurrent: the grandchildren in b are gone", "b still holds entries");
	expect("concurrent: unmap the outside mappings", keel_unmap(SYS_SPACE_A, N_RANGE, MEDDLE_MAX, 1),
	       KERR_OK);
	/* what a round after the unmap's end derived from X legitimately stays: remove it */
	expect("concurrent: unmap what was derived after the unmap", keel_unmap(SYS_SPACE_A, BUF, 1, 0),
	       KERR_OK);
}

int main(void)
{
	uint64_t bits;
	bool same = true;

	boot = *info();
	if (boot.map_max_pages)
		map_max = boot.map_max_pages;
	printf("mdbtest: %u of %u MDB entries used at start; CONFIG_MAP_MAX_PAGES %u\n", boot.mdb.used,
	       boot.mdb.total, map_max);
	test_errors();
	test_protect_errors();
	test_semantics();
	test_protect_semantics();
	measure_idle_lateness();
	test_deep_chain();
	test_empty_range();
	measure_costs();
	test_wide_fan();
	test_derive_preempted();
	test_concurrent();
	test_two_cpus();
	test_remote_unmap_yields();
	test_depth_limit();

	/* pool and quotas back at their boot counts (buf page 2 was granted away for good) */
	info();
	for (unsigned s = 0; s < SYS_NR_SPACES; s++)
		same = same && info_buf.space[s].mdb_used + (s == SYS_SPACE_A) == boot.space[s].mdb_used;
	result(info_buf.mdb.used + 1 == boot.mdb.used && same,
	       "the MDB pool and every quota are back at their start", "entries leaked");
	printf("mdbtest: INFO pool used %u at start, %u at the end\n", boot.mdb.used, info_buf.mdb.used);

	tick_quit = true;
	if (keel_notify(SYS_THREAD_TICKER, NOTIFY_GO) != KERR_OK)
		puts("mdbtest: cannot stop the ticker");
	bits = peer(CMD_EXIT, 0, 0);
	result(bits == NOTIFY_DONE, "peer exits", "no answer");
	result(remote(RC_EXIT, 0) == NOTIFY_RDONE, "remote exits", "no answer");
	printf("mdbtest: %u passed, %u failed\n", passed, failed);
	return failed != 0;
}
