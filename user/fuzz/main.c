/*
 * fuzz — thread "fuzzer" of configs/fuzz.yaml: a seeded random system-call fuzzer. It issues
 * FUZZ_CALLS calls with random numbers (every call but thread_exit, and unknown numbers) and
 * random arguments biased to interesting values: 0, -1, page boundaries, kernel addresses, its
 * own valid buffers, valid and invalid thread and space ids. The higher-priority watchdog must
 * keep its period meanwhile; at the end every mapping the fuzzer made is unmapped and the MDB
 * and page-table pools must be exactly as before (no leak), no thread may have faulted.
 *
 * Arguments are steered away from what would only hurt the fuzzer itself: it never unmaps or
 * grants away its own image, stacks or the control regions, never lets the kernel write into
 * its own data (kernel_info gets a dedicated buffer), prints only a few bytes of a harmless page,
 * and never sleeps or waits without a wake-up (the watchdog's notifications end any wait).
 */
#include <fuzz.h>
#include <keel/kinfo.h>
#include <system_tables.h>
#include <utest.h>

#ifndef FUZZ_SEED
#define FUZZ_SEED 0x4b65656c46757a7aull
#endif
#define FUZZ_CALLS 120000u

#define PAGE		0x1000ull
#define KERNEL_VA	0xffff000040080000ull
#define TOP_PAGE	0x0000fffffffff000ull
#define LOW_VA		0x1000ull	      /* area 1 of run-time mappings: from page 1 */
#define DYN_VA		0x20000000ull	      /* area 2 */
#define TOP_AREA_VA	0x0000ffffff000000ull /* area 3: the last 16 MiB below 2^48 */
#define AREA_PAGES	0x100ull
#define TEXT_PAGE	(SCRATCH_PAGE(3)) /* printable: debug_write reads only here */
#define SCRATCH_PAGE(n) (FUZZ_SCRATCH_VA + (n)*PAGE)

static uint64_t rng;
static uint64_t now;
/* kernel_info's valid buffer, with room for the info at kbuf + 8 */
static struct {
	struct keel_info info;
	uint64_t spare;
} kbuf __attribute__((aligned(4096)));
static struct keel_info before, warm, after;
static uint64_t count_nr[SYS_COUNT + 1];
static uint64_t count_err[KERR_CONFLICT + 2];
static unsigned failures;
#define check(ok, name, detail) utest_check((ok), (name), (detail), &failures)

static uint64_t rnd(void) /* xorshift64* */
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

#define PICK(arr) ((arr)[rnd() % (sizeof(arr) / sizeof((arr)[0]))])

static uint64_t any_value(void)
{
	static const uint64_t v[] = {0,
				     1,
				     2,
				     63,
				     64,
				     0xfff,
				     PAGE,
				     PAGE + 1,
				     0xffffffffull,
				     0x100000000ull,
				     0x7fffffffffffffffull,
				     0x8000000000000000ull,
				     ~0ull,
				     ~0ull - 1,
				     KERNEL_VA,
				     0xffff800000000000ull,
				     SYS_USER_VA_LIMIT,
				     TOP_PAGE,
				     SYS_NR_THREADS,
				     SYS_NR_SPACES,
				     SYS_COUNT,
				     1ull << 63};

	switch (rnd() % 4) {
	case 0: return rnd();
	case 1: return rnd() % 80;
	default: return PICK(v);
	}
}

static uint64_t thread_arg(void)
{
	return rnd() % 2 ? rnd() % (SYS_NR_THREADS + 1) : any_value();
}

static uint64_t space_arg(void)
{
	static const uint64_t v[] = {SYS_SPACE_FUZZ,  SYS_SPACE_TARGET, SYS_SPACE_TARGET,
				     SYS_SPACE_WATCH, SYS_NR_SPACES,	(1ull << 32) | SYS_SPACE_TARGET};

	return rnd() % 4 ? PICK(v) : any_value();
}

static uint64_t npages_arg(void)
{
	static const uint64_t v[] = {0,		1, 1, 1, 2, 3, 4, 8, 16, 63, 64, 65, 128, (1ull << 32) | 1,
				     1ull << 36};

	return rnd() % 4 ? PICK(v) : any_value();
}

static uint64_t rights_arg(void)
{
	return rnd() % 4 ? rnd() % 16 : any_value();
}

/* Source addresses: its own pages that may be mapped elsewhere (not its stacks or data). */
static uint64_t src_arg(void)
{
	switch (rnd() % 6) {
	case 0: return SCRATCH_PAGE(rnd() % 5); /* the 5th page is not mapped */
	case 1: return DYN_VA + (rnd() % 64) * PAGE;
	case 2: return LOW_VA + (rnd() % 64) * PAGE;
	case 3: return rnd() % 2 ? SYS_USER_IMAGE_BASE : FUZZ_BEAT_VA;
	case 4: return rnd() % 2 ? FUZZ_CTL_VA : SCRATCH_PAGE(rnd() % 4) + 8; /* unaligned */
	default: return any_value();
	}
}

/* Destination addresses: the three areas, an occupied page, bad ones. */
static uint64_t dst_arg(void)
{
	switch (rnd() % 6) {
	case 0:
	case 1: return DYN_VA + (rnd() % 64) * PAGE;
	case 2: return LOW_VA + (rnd() % 64) * PAGE;
	case 3: return TOP_PAGE - (rnd() % 8) * PAGE;
	case 4: return rnd() % 2 ? SYS_USER_IMAGE_BASE : DYN_VA + 0x10;
	default: return any_value();
	}
}

/* Buffers of debug_write: readable only in TEXT_PAGE, so that only '~' lines get printed. */
static uint64_t read_ptr_arg(void)
{
	static const uint64_t bad[] = {0,
				       1,
				       ~0ull,
				       0xdead0000ull,
				       KERNEL_VA,
				       SYS_USER_VA_LIMIT,
				       0xffff800000000000ull,
				       SCRATCH_PAGE(4) - 8,
				       SCRATCH_PAGE(4)};

	return rnd() % 2 ? TEXT_PAGE + rnd() % PAGE : PICK(bad);
}

/* Buffers of kernel_info: writable only in kbuf, so that the kernel never writes its data. */
static uint64_t write_ptr_arg(void)
{
	switch (rnd() % 5) {
	case 0: return (uintptr_t)&kbuf + (rnd() % 2) * 8;
	case 1: return rnd() % 2 ? FUZZ_BEAT_VA : SYS_USER_IMAGE_BASE;	/* read-only */
	case 2: return rnd() % 2 ? SCRATCH_PAGE(4) - 8 : 0xdead0000ull; /* crossing, unmapped */
	case 3: return rnd() % 2 ? KERNEL_VA : 0;
	default: return any_value() | (1ull << 63); /* never one of its own pages */
	}
}

static uint64_t deadline_arg(void)
{
	uint64_t d;

	switch (rnd() % 5) {
	case 0: d = 0; break;
	case 1: d = now - 1; break;
	case 2: d = now + rnd() % 200000; break;
	case 3: d = KEEL_FOREVER; break;
	default: d = any_value(); break;
	}
	return d;
}

/* The range [va, va + npages pages) touches [lo, hi)? Ranges the kernel refuses do not matter. */
static bool overlaps(uint64_t va, uint64_t npages, uint64_t lo, uint64_t hi)
{
	if (va >= SYS_USER_VA_LIMIT || npages > (SYS_USER_VA_LIMIT >> 12))
		return false;
	return va < hi && va + npages * PAGE > lo;
}

static bool protected_range(uint64_t space, uint64_t va, uint64_t npages)
{
	if (space != SYS_SPACE_FUZZ && space != SYS_SPACE_TARGET)
		return false;
	return overlaps(va, npages, SYS_USER_IMAGE_BASE, SYS_USER_IMAGE_BASE + 0x10000) ||
	       overlaps(va, npages, SYS_USER_STACK_TOP - 0x1000000, SYS_USER_STACK_TOP) ||
	       (space == SYS_SPACE_FUZZ && overlaps(va, npages, FUZZ_CTL_VA, FUZZ_BEAT_VA + PAGE)) ||
	       (space == SYS_SPACE_FUZZ &&
		overlaps(va, npages, FUZZ_SCRATCH_VA, FUZZ_SCRATCH_VA + FUZZ_SCRATCH_SIZE));
}

static void one_call(void)
{
	uint64_t nr, a[6] = {any_value(), any_value(), any_value(), any_value(), any_value(), any_value()};
	uint64_t err, x1 = 0;

	nr = rnd() % 16 ? rnd() % SYS_COUNT : any_value();
	if (nr == SYS_THREAD_EXIT)
		nr = SYS_YIELD + (rnd() % 2) * SYS_COUNT; /* yield, or the first unknown number */
	switch (nr) {
	case SYS_DEBUG_WRITE:
		a[0] = read_ptr_arg();
		a[1] = rnd() % 2 ? rnd() % 17 : any_value();
		if (a[0] >= TEXT_PAGE && a[0] < TEXT_PAGE + PAGE && a[1] > 16)
			a[1] = 16; /* a few harmless bytes at most */
		break;
	case SYS_SLEEP_UNTIL:
		a[0] = deadline_arg();
		if (a[0] > now + 1000000) /* never sleep long */
			a[0] = now + rnd() % 200000;
		break;
	case SYS_NOTIFY: a[0] = thread_arg(); break;
	case SYS_WAIT:
		a[1] = deadline_arg();
		/* Only the watchdog's bits end a wait without a deadline. */
		if (a[1] > now + 1000000 && (a[1] != KEEL_FOREVER || !(a[0] & FUZZ_WAKE_BITS)))
			a[1] = now + rnd() % 200000;
		break;
	case SYS_IRQ_WAIT:
	case SYS_IRQ_ACK: a[0] = rnd() % 2 ? rnd() % 1100 : any_value(); break;
	case SYS_THREAD_RESTART:
	case SYS_THREAD_SUSPEND: a[0] = thread_arg(); break;
	case SYS_KERNEL_INFO:
		a[0] = write_ptr_arg();
		a[1] = rnd() % 2 ? sizeof(struct keel_info) + rnd() % 3 - 1 : any_value();
		break;
	case SYS_MAP:
	case SYS_GRANT:
	case SYS_SHARE:
		a[0] = space_arg();
		a[1] = src_arg();
		a[2] = dst_arg();
		a[3] = npages_arg();
		a[4] = rights_arg();
		/* mostly a new call; else a forged restart token (KERR_INVAL, nothing changed) */
		a[5] = rnd() % 4 ? 0 : any_value();
		/* grant moves the source: never its own image, stack, control regions or scratch roots */
		if (nr == SYS_GRANT && protected_range(SYS_SPACE_FUZZ, a[1], a[3])) {
			a[1] = DYN_VA + (rnd() % 64) * PAGE;
			a[3] %= 65;
		}
		break;
	case SYS_UNMAP:
		a[0] = space_arg();
		a[1] = rnd() % 2 ? dst_arg() : src_arg();
		a[2] = npages_arg();
		a[3] = rnd() % 2 ? rnd() % 4 : any_value();
		if (protected_range(a[0], a[1], a[2])) {
			a[1] = DYN_VA + (rnd() % 64) * PAGE;
			a[2] %= 65;
		}
		break;
	case SYS_PROTECT:
		a[0] = space_arg();
		a[1] = rnd() % 2 ? dst_arg() : src_arg();
		a[2] = npages_arg();
		a[3] = rights_arg();
		a[4] = rnd() % 2 ? rnd() % 4 : any_value();
		/* a random x5 is a restart token that almost never matches: protect starts afresh */
		/* with SELF, never its own image, stack, control regions or scratch roots (it writes them) */
		if ((a[4] & KEEL_PROTECT_SELF) && protected_range(a[0], a[1], a[2])) {
			a[1] = DYN_VA + (rnd() % 64) * PAGE;
			a[2] %= 65;
		}
		break;
	default: break; /* yield, clock_now, thread_self, unknown numbers: arguments as drawn */
	}
	err = keel_syscall6(nr, a[0], a[1], a[2], a[3], a[4], a[5], &x1);
	count_nr[nr < SYS_COUNT ? nr : SYS_COUNT]++;
	count_err[err <= KERR_CONFLICT ? err : KERR_CONFLICT + 1]++;
	if (nr == SYS_CLOCK_NOW && err == KERR_OK)
		now = x1;
}

static bool info(struct keel_info *i)
{
	bool ok = keel_kernel_info(&kbuf.info, sizeof(kbuf.info), NULL) == KERR_OK;

	*i = kbuf.info;
	return ok;
}

/* Unmaps everything in the three areas of fuzz and target; the roots stay. */
static bool cleanup(void)
{
	static const uint64_t areas[] = {LOW_VA, DYN_VA, TOP_AREA_VA};
	static const unsigned spaces[] = {SYS_SPACE_FUZZ, SYS_SPACE_TARGET};
	bool ok = true;

	for (unsigned s = 0; s < 2; s++)
		for (unsigned a = 0; a < 3; a++) {
			uint64_t n = a == 2 ? (SYS_USER_VA_LIMIT - TOP_AREA_VA) / PAGE : AREA_PAGES;
			ok &= keel_unmap(spaces[s], areas[a], n, 1) == KERR_OK;
		}
	return ok;
}

/* One mapping in each area of fuzz and target, then cleanup: the tables they need exist. */
static bool warm_up(void)
{
	static const uint64_t dst[] = {LOW_VA, DYN_VA, TOP_PAGE};
	bool ok = true;

	for (unsigned s = 0; s < 2; s++)
		for (unsigned a = 0; a < 3; a++)
			ok &= keel_map(s ? SYS_SPACE_TARGET : SYS_SPACE_FUZZ, FUZZ_SCRATCH_VA, dst[a], 1,
				       KEEL_RIGHT_R) == KERR_OK;
	return cleanup() && ok;
}

static bool same_pools(const struct keel_info *a, const struct keel_info *b, bool pt)
{
	for (unsigned s = 0; s < SYS_NR_SPACES; s++) {
		if (a->space[s].mdb_used != b->space[s].mdb_used)
			return false;
		if (pt && a->space[s].pt_used != b->space[s].pt_used)
			return false;
	}
	return a->mdb.used == b->mdb.used && (!pt || a->pt.used == b->pt.used);
}

int main(void)
{
	const struct fuzz_beat *beat = (const struct fuzz_beat *)(uintptr_t)FUZZ_BEAT_VA;
	struct fuzz_ctl *ctl = (struct fuzz_ctl *)(uintptr_t)FUZZ_CTL_VA;
	uint64_t beats0, start = 0, end = 0, nfaults = 0;
	char line[160];
	bool ok;

	rng = FUZZ_SEED;
	for (unsigned i = 0; i < PAGE; i++) /* the page debug_write may print: short '~' lines */
		((volatile char *)(uintptr_t)TEXT_PAGE)[i] = (i % 32 == 31) ? '\n' : '~';
	ok = info(&before);
	ok &= warm_up();
	ok &= info(&warm);
	check(ok, "fuzz: warm-up mappings and cleanup", "a call failed");
	check(same_pools(&before, &warm, false), "fuzz: warm-up left the MDB as it was", "MDB use changed");
	if (keel_clock_now(&start) != KERR_OK)
		failures++;
	now = start;
	beats0 = beat->beats;
	printf("fuzz: seed 0x%llx, %u calls\n", (unsigned long long)FUZZ_SEED, FUZZ_CALLS);
	for (unsigned i = 0; i < FUZZ_CALLS; i++) {
		one_call();
		if (i % 64 == 0 && keel_clock_now(&now) != KERR_OK)
			failures++;
	}
	if (keel_clock_now(&end) != KERR_OK)
		failures++;
	/* The victim: back to life, then told to return. */
	ok = keel_thread_restart(SYS_THREAD_VICTIM) == KERR_OK &&
	     keel_notify(SYS_THREAD_VICTIM, FUZZ_VICTIM_EXIT) == KERR_OK;
	check(ok, "fuzz: the victim thread can be restarted and told to exit", "a call failed");
	ok = cleanup();
	check(ok, "fuzz: unmapping the three areas of fuzz and target", "a call failed");
	ok = info(&after);

	printf("fuzz: %llu ms of virtual time, %llu watchdog periods\n",
	       (unsigned long long)((end - start) / 1000000), (unsigned long long)(beat->beats - beats0));
	printf("fuzz: calls per number:");
	for (unsigned n = 0; n <= SYS_COUNT; n++)
		printf(" %u:%llu", n, (unsigned long long)count_nr[n]);
	printf(" (%u = unknown)\nfuzz: results:", (unsigned)SYS_COUNT);
	for (unsigned e = 0; e <= KERR_CONFLICT + 1; e++)
		if (count_err[e])
			printf(" %s:%llu", e <= KERR_CONFLICT ? keel_strerror((enum kerr)e) : "other",
			       (unsigned long long)count_err[e]);
	printf("\n");

	snprintf(line, sizeof(line), "%llu calls", (unsigned long long)(after.syscalls - before.syscalls));
	check(ok && after.syscalls - before.syscalls >= FUZZ_CALLS && FUZZ_CALLS >= 100000,
	      "fuzz: at least 100000 system calls issued", line);
	ok = true;
	for (unsigned n = 0; n <= SYS_COUNT; n++)
		ok &= n == SYS_THREAD_EXIT || count_nr[n] > 0;
	check(ok, "fuzz: every call but thread_exit, and unknown numbers, was issued", "some never");
	snprintf(line, sizeof(line), "MDB used %u before, %u after; space target %u before, %u after",
		 before.mdb.used, after.mdb.used, before.space[SYS_SPACE_TARGET].mdb_used,
		 after.space[SYS_SPACE_TARGET].mdb_used);
	check(same_pools(&before, &after, false),
	      "fuzz: MDB pool and every space's entries back to their values", line);
	snprintf(line, sizeof(line), "page-table pages used %u after warm-up, %u after", warm.pt.used,
		 after.pt.used);
	check(same_pools(&warm, &after, true),
	      "fuzz: page-table pool and every space's tables back to their values", line);
	snprintf(line, sizeof(line), "%llu periods in %llu ms, %llu overruns",
		 (unsigned long long)(beat->beats - beats0), (unsigned long long)((end - start) / 1000000),
		 (unsigned long long)beat->overruns);
	/*
	 * With CONFIG_DEBUG_CHECKS the kernel walks every structure after each changing call, with
	 * interrupts masked: periods may then overrun, but the watchdog must still get its turns.
	 */
	check((beat->beats - beats0) * FUZZ_PERIOD_NS * 10 >= (end - start) * 9 &&
		      (beat->overruns == 0 || (after.config & KINFO_CONFIG_DEBUG_CHECKS)),
	      "fuzz: the watchdog kept its period during fuzzing", line);
	for (unsigned t = 0; t < SYS_NR_THREADS; t++)
		nfaults += after.thread[t].faults;
	snprintf(line, sizeof(line), "%llu faults", (unsigned long long)nfaults);
	check(nfaults == 0, "fuzz: no thread faulted", line);
	check(after.thread[SYS_THREAD_FUZZER].state == KINFO_RUNNING &&
		      after.thread[SYS_THREAD_WATCHDOG].state != KINFO_EXITED,
	      "fuzz: the fuzzer and the watchdog still run", "a thread stopped");
	ctl->done = 1;
	printf("fuzz: done, %u failures\n", failures);
	return 0;
}
