/*
 * mdbbench — cost of map, share, grant and unmap per page, of a system call, and the longest
 * stretch an unmap keeps the kernel busy between preemption points (configs/mdb-bench.yaml,
 * `make bench`). Times are read with keel_clock_now() and printed in instructions: QEMU runs
 * with -icount shift=4, one instruction per 16 ns. Each result is one line
 * "mdbbench: {json}" that tests/bench/mdb-bench.sh collects.
 */
#include <stdbool.h>

#include <keel/kinfo.h>
#include <keel/user.h>
#include <system_tables.h>

#define PAGE	    0x1000ul
#define RW	    (KEEL_RIGHT_R | KEEL_RIGHT_W)
#define SRC	    0x10000000ul /* region src: 64 pages, the roots */
#define SRC_PAGES   64u
#define RANGE	    0x200000000ul /* up to MAX_PAGES pages */
#define RANGE2	    0x400000000ul /* grant destination */
#define PERIOD_NS   50000ul	  /* ticker: 3125 instructions */
#define NS_PER_INSN 16ul
#define CHAIN_MAX   65535u /* CONFIG_MDB_MAX_DEPTH */

#ifndef MAX_PAGES
#define MAX_PAGES 262144u
#endif

typedef enum kerr (*derive_fn)(unsigned, uintptr_t, uintptr_t, size_t, unsigned);

static uint64_t now_ns(void)
{
	uint64_t t = 0;

	if (keel_clock_now(&t) != KERR_OK)
		return 0;
	return t;
}

static uint64_t insns(uint64_t t0, uint64_t t1)
{
	return (t1 - t0) / NS_PER_INSN;
}

static unsigned errors;
static unsigned call_pages = 1; /* pages per map call: CONFIG_MAP_MAX_PAGES, from kernel_info */

static void check(enum kerr e, const char *what)
{
	if (e != KERR_OK && errors++ < 10)
		printf("mdbbench: error: %s: %s\n", what, keel_strerror(e));
}

/* ---- the ticker: highest priority, periodic, records its wake-up lateness ---- */

static volatile bool tick_run, tick_quit, busy;
static volatile uint64_t tick_busy_wakes, tick_max_late, tick_idle_max;

int ticker_main(void);
int ticker_main(void)
{
	for (;;) {
		uint64_t bits, next;

		if (keel_wait(1, KEEL_FOREVER, &bits) != KERR_OK || tick_quit)
			return 0;
		next = now_ns() + PERIOD_NS;
		while (tick_run) {
			uint64_t late;

			if (keel_sleep_until(next) != KERR_OK) {
				next = now_ns() + PERIOD_NS;
				continue;
			}
			late = now_ns() - next;
			if (busy) {
				tick_busy_wakes++;
				if (late > tick_max_late)
					tick_max_late = late;
			} else if (late > tick_idle_max) {
				tick_idle_max = late;
			}
			next += PERIOD_NS;
		}
		if (keel_notify(SYS_THREAD_MAIN, 2) != KERR_OK)
			return 1;
	}
}

static void ticker(bool on)
{
	uint64_t bits;

	tick_run = on;
	if (on) {
		tick_busy_wakes = tick_max_late = 0;
		check(keel_notify(SYS_THREAD_TICKER, 1), "ticker start");
	} else {
		check(keel_wait(2, now_ns() + 1000000000ul, &bits), "ticker stop");
	}
}

/* ---- measurements ---- */

static void derive_pages(derive_fn fn, uintptr_t src, bool src_fixed, uintptr_t dst, unsigned n)
{
	for (unsigned off = 0; off < n; off += call_pages) {
		unsigned k = n - off < call_pages ? n - off : call_pages;

		check(fn(SYS_SPACE_A, src_fixed ? src : src + off * PAGE, dst + off * PAGE, k, RW), "derive");
	}
}

static void bench_pages(unsigned n)
{
	uint64_t t0, t1, t2, ts, t3, t4, t5, t6, map_late;

	t0 = now_ns();
	derive_pages(keel_map, SRC, true, RANGE, n);
	t1 = now_ns();
	check(keel_unmap(SYS_SPACE_A, RANGE, n, 1), "unmap");
	t2 = now_ns();
	/* The same maps with the ticker: a map call has no preemption point, so its whole length
	 * (CONFIG_MAP_MAX_PAGES pages at most) shows in the ticker's lateness. */
	ticker(true);
	busy = true;
	derive_pages(keel_map, SRC, true, RANGE, n);
	busy = false;
	ticker(false);
	map_late = tick_max_late;
	check(keel_unmap(SYS_SPACE_A, RANGE, n, 1), "unmap");
	ts = now_ns();
	derive_pages(keel_share, SRC, true, RANGE, n);
	t3 = now_ns();
	derive_pages(keel_grant, RANGE, false, RANGE2, n);
	t4 = now_ns();
	ticker(true);
	busy = true;
	t5 = now_ns();
	check(keel_unmap(SYS_SPACE_A, RANGE2, n, 1), "unmap");
	t6 = now_ns();
	busy = false;
	ticker(false);
	printf("mdbbench: {\"op\": \"map\", \"pages\": %u, \"insn_per_page\": %llu}\n", n,
	       (unsigned long long)(insns(t0, t1) / n));
	printf("mdbbench: {\"op\": \"unmap\", \"pages\": %u, \"insn_per_page\": %llu}\n", n,
	       (unsigned long long)(insns(t1, t2) / n));
	printf("mdbbench: {\"op\": \"share\", \"pages\": %u, \"insn_per_page\": %llu}\n", n,
	       (unsigned long long)(insns(ts, t3) / n));
	printf("mdbbench: {\"op\": \"grant\", \"pages\": %u, \"insn_per_page\": %llu}\n", n,
	       (unsigned long long)(insns(t3, t4) / n));
	printf("mdbbench: {\"op\": \"map_ticked\", \"pages\": %u, \"call_pages\": %u, \"max_late\": %llu}\n",
	       n, call_pages, (unsigned long long)(map_late / NS_PER_INSN));
	printf("mdbbench: {\"op\": \"unmap_range_ticked\", \"pages\": %u, \"insn_per_page\": %llu, "
	       "\"wakeups\": %llu, \"max_late\": %llu}\n",
	       n, (unsigned long long)(insns(t5, t6) / n), (unsigned long long)tick_busy_wakes,
	       (unsigned long long)(tick_max_late / NS_PER_INSN));
}

/* A tree of n entries below SRC: a fan (n children) or a chain (n levels), unmapped with the ticker. */
static void bench_tree(unsigned n, bool chain)
{
	uint64_t t0, tm, t1, t2;

	t0 = now_ns();
	for (unsigned i = 0; i < n; i++)
		check(keel_map(SYS_SPACE_A, chain && i ? RANGE + (i - 1) * PAGE : SRC, RANGE + i * PAGE, 1,
			       RW),
		      "tree map");
	tm = now_ns();
	ticker(true);
	busy = true;
	t1 = now_ns();
	check(keel_unmap(SYS_SPACE_A, SRC, 1, 0), "tree unmap");
	t2 = now_ns();
	busy = false;
	ticker(false);
	printf("mdbbench: {\"op\": \"%s\", \"pages\": %u, \"map_insn_per_page\": %llu, \"insn_per_page\": "
	       "%llu, "
	       "\"wakeups\": %llu, \"max_late\": %llu}\n",
	       chain ? "unmap_chain" : "unmap_fan", n, (unsigned long long)(insns(t0, tm) / n),
	       (unsigned long long)(insns(t1, t2) / n), (unsigned long long)tick_busy_wakes,
	       (unsigned long long)(tick_max_late / NS_PER_INSN));
}

static void bench_syscall(void)
{
	unsigned self = 0;
	uint64_t t0, t1;

	t0 = now_ns();
	for (unsigned i = 0; i < 1000; i++)
		check(keel_thread_self(&self), "thread_self");
	t1 = now_ns();
	printf("mdbbench: {\"op\": \"syscall\", \"pages\": 0, \"insn_per_call\": %llu}\n",
	       (unsigned long long)(insns(t0, t1) / 1000));
}

/*
 * With CONFIG_LATENCY_TRACE: the longest time a map call of @n pages into existing tables, and
 * the unmap of those pages, kept IRQs masked (the kernel's own measurement, from its entry to
 * its exit or to a preemption point): the fixed cost of a call. The first map makes the tables;
 * the maxima are reset after it.
 */
static void bench_map_masked(unsigned n)
{
	static struct keel_info info;

	check(keel_map(SYS_SPACE_A, SRC, RANGE, n, RW), "masked map");
	check(keel_unmap(SYS_SPACE_A, RANGE, n, 1), "masked unmap");
	if (keel_kernel_info_flags(&info, sizeof(info), KINFO_RESET_LATENCY, NULL) != KERR_OK ||
	    !info.latency.enabled)
		return;
	for (unsigned i = 0; i < 32; i++) {
		check(keel_map(SYS_SPACE_A, SRC, RANGE, n, RW), "masked map");
		check(keel_unmap(SYS_SPACE_A, RANGE, n, 1), "masked unmap");
	}
	if (keel_kernel_info(&info, sizeof(info), NULL) != KERR_OK)
		return;
	printf("mdbbench: {\"op\": \"map_masked\", \"pages\": %u, \"map\": %llu, \"unmap\": %llu}\n", n,
	       (unsigned long long)info.latency.masked_max[SYS_MAP],
	       (unsigned long long)info.latency.masked_max[SYS_UNMAP]);
}

int main(void)
{
	static struct keel_info info;

	if (keel_kernel_info(&info, sizeof(info), NULL) == KERR_OK && info.map_max_pages)
		call_pages = info.map_max_pages < SRC_PAGES ? info.map_max_pages : SRC_PAGES;
	printf("mdbbench: {\"op\": \"config\", \"max_pages\": %u, \"map_max_pages\": %u, \"unmap_chunk\": "
	       "%u}\n",
	       MAX_PAGES, call_pages, info.unmap_chunk);
	ticker(true);
	check(keel_sleep_until(now_ns() + 40 * PERIOD_NS), "sleep");
	ticker(false);
	printf("mdbbench: {\"op\": \"idle\", \"pages\": 0, \"max_late\": %llu}\n",
	       (unsigned long long)(tick_idle_max / NS_PER_INSN));
	bench_syscall();
	bench_map_masked(1);
	bench_map_masked(call_pages);
	for (unsigned n = 1; n <= MAX_PAGES; n *= 8)
		bench_pages(n);
	if (MAX_PAGES % 8)
		bench_pages(MAX_PAGES);
	for (unsigned n = 64; n <= MAX_PAGES; n *= 8) {
		bench_tree(n, false);
		if (n <= CHAIN_MAX)
			bench_tree(n, true);
	}
	/* With CONFIG_LATENCY_TRACE: the longest a map, share or grant call kept IRQs masked (no
	 * preemption point: the whole call, CONFIG_MAP_MAX_PAGES pages at most), from the kernel. */
	if (keel_kernel_info(&info, sizeof(info), NULL) == KERR_OK && info.latency.enabled)
		printf("mdbbench: {\"op\": \"derive_masked\", \"pages\": %u, \"map\": %llu, \"share\": %llu, "
		       "\"grant\": %llu}\n",
		       call_pages, (unsigned long long)info.latency.masked_max[SYS_MAP],
		       (unsigned long long)info.latency.masked_max[SYS_SHARE],
		       (unsigned long long)info.latency.masked_max[SYS_GRANT]);
	tick_quit = true;
	check(keel_notify(SYS_THREAD_TICKER, 1), "ticker quit");
	printf("mdbbench: {\"op\": \"done\", \"errors\": %u}\n", errors);
	return errors != 0;
}
