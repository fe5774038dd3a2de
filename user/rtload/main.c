/*
 * rtload — the loads of rt-tests (docs/rt-tests.md).
 *
 * main() is the conductor: it runs the selected loads one phase after another and publishes
 * phase, load and stage in the shared control block. The selection comes from the
 * description's `params:` (SYS_PARAM_LOAD_*, written by rt-tests/run --load); without them it
 * is the unmap sweep alone, as in configs/rt_quick.yaml. Order: idle, unmap sweep, chain, fan,
 * storm, irqstorm, thrash, pingpong.
 *
 * Phase 0 is idle: the load sleeps while the measurement threads take SYS_PARAM_SAMPLES samples.
 * Then, for N = 1, 4, 16, ... up to the victim space's free MDB quota, it repeats rounds of:
 * map N pages into the victim (RT_MAP_BATCH pages per call, from the 64-page region "rtsrc",
 * so one source page gets many children), then remove all N in one call: even rounds unmap
 * them in the victim, odd rounds revoke them from the root, unmapping the descendants of the
 * source pages (each a wide fan of N/64 children). A short unmap could
 * miss every timer interrupt, so for small N the load starts each unmap just before
 * measurement thread 0's next deadline, a different offset each round, and the deadline
 * falls inside the unmap. Each phase and stage is published in the shared control block.
 *
 * A second load, combinable with the first by listing its threads in the description
 * (configs/rt_mixed.yaml): threads pp0 and pp1 with entry `pingpong` notify each other in a
 * loop until the sweep is done (notify/wait and a context switch per message).
 *
 * The other loads (each one phase): `chain` builds a derivation chain SYS_PARAM_LOAD_CHAIN
 * levels deep (a page of "rtsrc" mapped to RT_CHAIN_VA, that page mapped to the next, ...) and
 * revokes it from the root in one unmap call; `fan` maps one source page SYS_PARAM_LOAD_FAN
 * times into the victim and revokes the fan from the root; `storm`, `irqstorm` and `thrash`
 * are threads of their own (functions storm, irqstorm, thrash below) that run while the
 * conductor holds their phase open for SYS_PARAM_SAMPLES samples of thread 0. With
 * load_pingpong the ping-pong threads, too, run only in a phase of their own.
 *
 * Loads at the same time: load_<x>_with (a mask of background loads) runs them during x's phase
 * (rt-tests/run --load chain+irqstorm); the phase is then named "chain+irqstorm".
 */
#include <keel/kinfo.h>
#include <keel/user.h>
#include <rt.h>
#include <stdbool.h>
#include <system_tables.h>

#ifndef SYS_PARAM_SAMPLES
#define SYS_PARAM_SAMPLES 200u /* thread-0 samples of the idle phase and of each background load */
#endif
#ifndef SYS_PARAM_LOAD_UNMAP
#define SYS_PARAM_LOAD_UNMAP 1u /* 1: the unmap sweep */
#endif
#ifndef SYS_PARAM_LOAD_CHAIN
#define SYS_PARAM_LOAD_CHAIN 0u /* depth of the chain, 0: no chain phase */
#endif
#ifndef SYS_PARAM_LOAD_FAN
#define SYS_PARAM_LOAD_FAN 0u /* children of the fan's one source page, 0: no fan phase */
#endif
#ifndef SYS_PARAM_LOAD_STORM
#define SYS_PARAM_LOAD_STORM 0u
#endif
#ifndef SYS_PARAM_LOAD_IRQSTORM
#define SYS_PARAM_LOAD_IRQSTORM 0u
#endif
#ifndef SYS_PARAM_LOAD_THRASH
#define SYS_PARAM_LOAD_THRASH 0u
#endif
#ifndef SYS_PARAM_LOAD_PINGPONG
#define SYS_PARAM_LOAD_PINGPONG 0u /* 1: a phase of its own (the threads run throughout anyway) */
#endif
#ifndef SYS_PARAM_LOAD_SPIN
#define SYS_PARAM_LOAD_SPIN 0u
#endif

/*
 * load_<x>_with: the loads that run in x's phase too, as bits 1 << enum rt_load (only background
 * loads: storm, irqstorm, thrash, pingpong, spin; rt-tests/run --load x+y). Joined loads need no phase of their own.
 */
#ifndef SYS_PARAM_LOAD_UNMAP_WITH
#define SYS_PARAM_LOAD_UNMAP_WITH 0u
#endif
#ifndef SYS_PARAM_LOAD_CHAIN_WITH
#define SYS_PARAM_LOAD_CHAIN_WITH 0u
#endif
#ifndef SYS_PARAM_LOAD_FAN_WITH
#define SYS_PARAM_LOAD_FAN_WITH 0u
#endif
#ifndef SYS_PARAM_LOAD_STORM_WITH
#define SYS_PARAM_LOAD_STORM_WITH 0u
#endif
#ifndef SYS_PARAM_LOAD_IRQSTORM_WITH
#define SYS_PARAM_LOAD_IRQSTORM_WITH 0u
#endif
#ifndef SYS_PARAM_LOAD_THRASH_WITH
#define SYS_PARAM_LOAD_THRASH_WITH 0u
#endif
#ifndef SYS_PARAM_LOAD_PINGPONG_WITH
#define SYS_PARAM_LOAD_PINGPONG_WITH 0u
#endif
#ifndef SYS_PARAM_LOAD_SPIN_WITH
#define SYS_PARAM_LOAD_SPIN_WITH 0u
#endif
#define RT_JOINED                                                                                \
	(SYS_PARAM_LOAD_UNMAP_WITH | SYS_PARAM_LOAD_CHAIN_WITH | SYS_PARAM_LOAD_FAN_WITH |       \
	 SYS_PARAM_LOAD_STORM_WITH | SYS_PARAM_LOAD_IRQSTORM_WITH | SYS_PARAM_LOAD_THRASH_WITH | \
	 SYS_PARAM_LOAD_PINGPONG_WITH | SYS_PARAM_LOAD_SPIN_WITH)
/* Bits of enum rt_load, for the preprocessor. */
#define RT_JOIN_STORM	 0x10u
#define RT_JOIN_IRQSTORM 0x20u
#define RT_JOIN_THRASH	 0x40u
#define RT_JOIN_PINGPONG 0x80u
#define RT_JOIN_SPIN	 0x100u
#define RT_SEL_STORM	 (SYS_PARAM_LOAD_STORM || (RT_JOINED & RT_JOIN_STORM))
#define RT_SEL_IRQSTORM	 (SYS_PARAM_LOAD_IRQSTORM || (RT_JOINED & RT_JOIN_IRQSTORM))
#define RT_SEL_THRASH	 (SYS_PARAM_LOAD_THRASH || (RT_JOINED & RT_JOIN_THRASH))
#define RT_SEL_PINGPONG	 (SYS_PARAM_LOAD_PINGPONG || (RT_JOINED & RT_JOIN_PINGPONG))
#define RT_SEL_SPIN	 (SYS_PARAM_LOAD_SPIN || (RT_JOINED & RT_JOIN_SPIN))
#if RT_JOINED & ~(RT_JOIN_STORM | RT_JOIN_IRQSTORM | RT_JOIN_THRASH | RT_JOIN_PINGPONG | RT_JOIN_SPIN)
#error "load_<x>_with may name only storm, irqstorm, thrash, pingpong and spin (docs/rt-tests.md)"
#endif
_Static_assert(RT_JOIN_STORM == 1u << RT_LOAD_STORM && RT_JOIN_IRQSTORM == 1u << RT_LOAD_IRQSTORM &&
		       RT_JOIN_THRASH == 1u << RT_LOAD_THRASH && RT_JOIN_PINGPONG == 1u << RT_LOAD_PINGPONG &&
		       RT_JOIN_SPIN == 1u << RT_LOAD_SPIN,
	       "RT_JOIN_* are the bits of enum rt_load (rt-tests/run writes them)");

/* A load selected without its threads is a broken description: say so at build time. */
#if RT_SEL_STORM && !(defined(SYS_THREAD_STORM0) && defined(SYS_THREAD_STORM1) && defined(SYS_SPACE_STORMDST))
#error "load_storm needs threads storm0, storm1 and the space stormdst (docs/rt-tests.md)"
#endif
#if RT_SEL_IRQSTORM && !(defined(SYS_THREAD_IRQTX) && defined(SYS_THREAD_IRQRX))
#error "load_irqstorm needs threads irqtx (CPU 1) and irqrx (CPU 0) (docs/rt-tests.md)"
#endif
#if RT_SEL_THRASH && !(defined(SYS_THREAD_THRASH) && defined(SYS_SPACE_THRASH))
#error "load_thrash needs the thread thrash and its space thrash (docs/rt-tests.md)"
#endif
#if RT_SEL_PINGPONG && !(defined(SYS_THREAD_PP0) && defined(SYS_THREAD_PP1))
#error "load_pingpong needs threads pp0 and pp1 (docs/rt-tests.md)"
#endif
#if RT_SEL_SPIN && !defined(SYS_THREAD_SPIN)
#error "load_spin needs the thread spin (CPU 1) (docs/rt-tests.md)"
#endif

#define RT_TREE_ROUNDS	4u    /* build + revoke rounds of the chain and fan phases */
#define RT_BUF_PAGES	512u  /* "rtbuf": 2 MiB, more than the Cortex-A72's 1 MiB L2 */
#define RT_BUF_REMAP	16u   /* the thrasher maps and unmaps one of its pages every 16 pages */
#define RT_MAP_BATCH	16u   /* pages per map call (at most CONFIG_MAP_MAX_PAGES) */
#define RT_ALIGN_MAX_N	4096u /* up to this N, unmaps are aligned to thread 0's deadline */
#define RT_ALIGN_ROUNDS 128u  /* rounds per aligned phase ... */
#define RT_ALIGN_STEP	16u   /* ... starting the unmap 0, 16, 32, ... ticks before the deadline */
#define RT_LARGE_ROUNDS 2u    /* rounds for larger N: one unmap spans many periods anyway */
#define RT_POLL_NS	1000000ull

static struct keel_info info;
static const char *const load_name[RT_LOADS] = RT_LOAD_NAMES;

/*
 * In an unmap, chain or fan phase with background loads joined, their CPU 0 threads run at the
 * conductor's priority (rt-tests/run): the conductor, which never sleeps there, hands them CPU 0
 * every RT_SHARE_US (a cooperative time slice; the joined threads have kernel time slices).
 */
#define RT_SHARE_US 200u
static bool share_cpu;
static uint64_t share_since;

static void share(void)
{
	uint64_t now;

	if (!share_cpu)
		return;
	now = keel_counter_now();
	if (now - share_since < (uint64_t)RT_SHARE_US * keel_counter_freq() / 1000000u)
		return;
	if (keel_yield() == KERR_OK) /* it cannot fail */
		share_since = keel_counter_now();
}

static void set_stage(volatile struct rt_ctl *ctl, enum rt_stage stage)
{
	__atomic_store_n(&ctl->stage, (uint32_t)stage, __ATOMIC_RELEASE);
}

static enum kerr map_pages(uint64_t n)
{
	for (uint64_t done = 0; done < n;) {
		uint64_t src_page = done % RT_SRC_PAGES, batch = n - done;
		enum kerr err;

		if (batch > RT_MAP_BATCH)
			batch = RT_MAP_BATCH;
		if (batch > RT_SRC_PAGES - src_page)
			batch = RT_SRC_PAGES - src_page;
		err = keel_map(SYS_SPACE_VICTIM, RT_SRC_VA + src_page * 4096u, RT_VICTIM_VA + done * 4096u,
			       batch, KEEL_RIGHT_R);
		if (err != KERR_OK)
			return err;
		done += batch;
		share();
	}
	return KERR_OK;
}

/* Spin until @offset ticks before thread 0's next deadline (the one after, if that is too close). */
static void align_to_deadline(volatile struct rt_ctl *ctl, uint64_t offset)
{
	uint64_t d = ctl->next_deadline;

	while (keel_counter_now() + offset >= d) {
		while (ctl->next_deadline == d)
			share(); /* thread 0 (higher priority) preempts this loop and publishes the next one */
		d = ctl->next_deadline;
	}
	while (keel_counter_now() + offset < d)
		;
}

static enum kerr unmap_phase(volatile struct rt_ctl *ctl, unsigned p)
{
	uint64_t n = ctl->pages[p];
	unsigned rounds = n <= RT_ALIGN_MAX_N ? RT_ALIGN_ROUNDS : RT_LARGE_ROUNDS;

	for (unsigned r = 0; r < rounds; r++) {
		enum kerr err;

		set_stage(ctl, RT_STAGE_MAP);
		err = map_pages(n);
		set_stage(ctl, RT_STAGE_IDLE);
		if (err != KERR_OK)
			return err;
		if (n <= RT_ALIGN_MAX_N)
			align_to_deadline(ctl, (uint64_t)r * RT_ALIGN_STEP);
		if (r % 2 == 0) {
			set_stage(ctl, RT_STAGE_UNMAP);
			err = keel_unmap(SYS_SPACE_VICTIM, RT_VICTIM_VA, n, 1);
		} else {
			set_stage(ctl, RT_STAGE_REVOKE);
			err = keel_unmap(SYS_SPACE_LOAD, RT_SRC_VA, n < RT_SRC_PAGES ? n : RT_SRC_PAGES, 0);
		}
		set_stage(ctl, RT_STAGE_IDLE);
		if (err != KERR_OK)
			return err;
		ctl->rounds[p]++;
	}
	return KERR_OK;
}

/* Chain: page k of the chain is a map of page k - 1; page 0 a map of the last page of "rtsrc". */
static enum kerr chain_build(uint64_t depth, uintptr_t root)
{
	uintptr_t src = root;

	for (uint64_t k = 0; k < depth; k++) {
		uintptr_t dst = RT_CHAIN_VA + k * 4096u;
		enum kerr err = keel_map(SYS_SPACE_LOAD, src, dst, 1, KEEL_RIGHT_R);

		if (err != KERR_OK)
			return err;
		src = dst;
		share();
	}
	return KERR_OK;
}

/* Fan: one source page mapped @n times into the victim, one page per call. */
static enum kerr fan_build(uint64_t n, uintptr_t root)
{
	for (uint64_t i = 0; i < n; i++) {
		enum kerr err = keel_map(SYS_SPACE_VICTIM, root, RT_VICTIM_VA + i * 4096u, 1, KEEL_RIGHT_R);

		if (err != KERR_OK)
			return err;
		share();
	}
	return KERR_OK;
}

/* Build a chain or a fan, then revoke it from its root in one unmap call; RT_TREE_ROUNDS times. */
static enum kerr tree_phase(volatile struct rt_ctl *ctl, unsigned p, bool chain)
{
	uintptr_t root = RT_SRC_VA + (chain ? RT_SRC_PAGES - 1 : RT_SRC_PAGES - 2) * 4096u;

	for (unsigned r = 0; r < RT_TREE_ROUNDS; r++) {
		enum kerr err;

		set_stage(ctl, RT_STAGE_MAP);
		err = chain ? chain_build(ctl->pages[p], root) : fan_build(ctl->pages[p], root);
		set_stage(ctl, RT_STAGE_IDLE);
		if (err != KERR_OK)
			return err;
		set_stage(ctl, chain ? RT_STAGE_CHAIN : RT_STAGE_FAN);
		err = keel_unmap(SYS_SPACE_LOAD, root, 1, 0); /* the root stays, its descendants go */
		set_stage(ctl, RT_STAGE_IDLE);
		if (err != KERR_OK)
			return err;
		ctl->rounds[p]++;
	}
	return KERR_OK;
}

/*
 * A time at or after @after (counter ticks), within one period of it, that lies a quarter of
 * thread 0's period past one of its deadlines. The measurement threads' deadlines are on one
 * grid (cyclictest's RT_START_US start; periods of the interval plus k times the distance,
 * 100 + 50 k us by default), so with the default periods a conductor waking there is 25 us from
 * every measurement deadline, far more than its wake-up and next sleep_until take (a very short
 * -i leaves less room). That work is the harness's, and a deadline landing on it measured the
 * harness, not an idle system (idle max 378 instead of 278, depending on where the build's
 * start-up put the conductor's wake-ups).
 */
static uint64_t between_deadlines(const volatile struct rt_ctl *ctl, uint64_t after, uint64_t period)
{
	uint64_t at = ctl->next_deadline + period / 4;

	if (at < after)
		at += (after - at + period - 1) / period * period;
	return at;
}

/*
 * Sleep until measurement thread 0 has taken @n more samples: first for as long as they take
 * at its period, then polling every RT_POLL_NS, each wake-up between two of its deadlines
 * (between_deadlines). Polling from the start woke this thread ~20 times in every idle phase,
 * and each wake-up (and its next sleep_until) could land on thread 0's deadline: the idle phase
 * measured the harness, not an idle system.
 */
static enum kerr wait_samples(volatile struct rt_ctl *ctl, uint64_t n)
{
	uint64_t target = ctl->samples[0] + n, freq = keel_counter_freq();
	uint64_t period = ctl->interval_ns * freq / 1000000000u, poll = RT_POLL_NS * freq / 1000000000u;
	uint64_t sleep = period ? n * period : poll;

	while (ctl->samples[0] < target) {
		uint64_t at = keel_counter_now() + sleep;
		enum kerr err;

		/* Thread 0 may have started only meanwhile (the idle phase's wait begins at boot). */
		period = ctl->interval_ns * freq / 1000000000u;
		if (period)
			at = between_deadlines(ctl, at, period);
		err = keel_sleep_until(rt_ticks_to_ns_up(at, freq));
		if (err == KERR_PAST) /* held up past the poll (CPU 1 busy in the kernel): poll again */
			err = KERR_OK;
		if (err != KERR_OK)
			return err;
		sleep = poll;
	}
	return KERR_OK;
}

/* The threads of each background load, which the conductor wakes with RT_BIT_GO. */
static const unsigned background_threads[RT_LOADS][2] = {
#if defined(SYS_THREAD_STORM0) && defined(SYS_THREAD_STORM1)
	[RT_LOAD_STORM] = {SYS_THREAD_STORM0 + 1, SYS_THREAD_STORM1 + 1},
#endif
#if defined(SYS_THREAD_IRQTX) && defined(SYS_THREAD_IRQRX)
	[RT_LOAD_IRQSTORM] = {SYS_THREAD_IRQTX + 1, SYS_THREAD_IRQRX + 1},
#endif
#ifdef SYS_THREAD_THRASH
	[RT_LOAD_THRASH] = {SYS_THREAD_THRASH + 1, 0},
#endif
#if RT_SEL_PINGPONG
	[RT_LOAD_PINGPONG] = {SYS_THREAD_PP0 + 1, SYS_THREAD_PP1 + 1},
#endif
#ifdef SYS_THREAD_SPIN
	[RT_LOAD_SPIN] = {SYS_THREAD_SPIN + 1, 0},
#endif
}; /* thread index + 1; 0: none. Ping-pong not selected (rt_mixed.yaml) runs throughout: not woken. */

/* The loads joined to each load's phase (bits 1 << enum rt_load). */
static const uint32_t joined[RT_LOADS] = {
	[RT_LOAD_UNMAP] = SYS_PARAM_LOAD_UNMAP_WITH,	   [RT_LOAD_CHAIN] = SYS_PARAM_LOAD_CHAIN_WITH,
	[RT_LOAD_FAN] = SYS_PARAM_LOAD_FAN_WITH,	   [RT_LOAD_STORM] = SYS_PARAM_LOAD_STORM_WITH,
	[RT_LOAD_IRQSTORM] = SYS_PARAM_LOAD_IRQSTORM_WITH, [RT_LOAD_THRASH] = SYS_PARAM_LOAD_THRASH_WITH,
	[RT_LOAD_PINGPONG] = SYS_PARAM_LOAD_PINGPONG_WITH, [RT_LOAD_SPIN] = SYS_PARAM_LOAD_SPIN_WITH,
};

static enum kerr wake_threads(unsigned load)
{
	for (unsigned i = 0; i < 2; i++)
		if (background_threads[load][i]) {
			enum kerr err = keel_notify(background_threads[load][i] - 1, RT_BIT_GO);

			if (err != KERR_OK)
				return err;
		}
	return KERR_OK;
}

/* Start (@mask != 0) or stop (0) the background loads of @loads: set `active`, wake their threads. */
static enum kerr set_active(volatile struct rt_ctl *ctl, uint32_t loads, uint32_t mask)
{
	enum kerr err = KERR_OK;

	__atomic_store_n(&ctl->active, mask, __ATOMIC_SEQ_CST); /* wait_for_phase() */
	for (unsigned l = 0; l < RT_LOADS; l++)
		if (loads & (1u << l)) {
			enum kerr e = wake_threads(l); /* stopping: out of their waits, to see it is over */

			if (err == KERR_OK)
				err = e;
		}
	return err;
}

/* A load thread still in its loop after this many samples of thread 0 is stuck: the run fails. */
#define RT_QUIESCE_SAMPLES 1000u

/*
 * Stop @loads and wait until each of their threads has left its phase's loop. A storm thread
 * finishes its round of seven calls first; on CPU 1 its last calls fell into the next phase
 * and counted there (irqstorm after storm: 1 153 instead of ~470-750), so the phase's tail
 * stays in its own stage.
 */
static enum kerr stop_loads(volatile struct rt_ctl *ctl, uint32_t loads)
{
	enum kerr err = set_active(ctl, loads, 0);

	for (unsigned l = 0; l < RT_LOADS && err == KERR_OK; l++) {
		unsigned waited = 0;

		while (err == KERR_OK && (loads & (1u << l)) &&
		       __atomic_load_n(&ctl->inside[l], __ATOMIC_SEQ_CST) != 0) {
			if (waited++ == RT_QUIESCE_SAMPLES) {
				rt_printf("rt: error load %s still running %u samples after its phase\n",
					  load_name[l], RT_QUIESCE_SAMPLES);
				return KERR_TIMEOUT;
			}
			err = wait_samples(ctl, 1);
		}
	}
	return err;
}

/*
 * A background load's phase, with the loads joined to it: held open for SYS_PARAM_SAMPLES
 * samples of thread 0.
 */
static enum kerr background_phase(volatile struct rt_ctl *ctl, unsigned p)
{
	static const enum rt_stage stage[RT_LOADS] = {[RT_LOAD_STORM] = RT_STAGE_STORM,
						      [RT_LOAD_IRQSTORM] = RT_STAGE_IRQ,
						      [RT_LOAD_THRASH] = RT_STAGE_THRASH,
						      [RT_LOAD_PINGPONG] = RT_STAGE_PINGPONG,
						      [RT_LOAD_SPIN] = RT_STAGE_SPIN};
	unsigned load = ctl->load[p];
	uint32_t loads = (1u << load) | joined[load];
	enum kerr err, err2;

	set_stage(ctl, stage[load]);
	err = set_active(ctl, loads, loads);
	if (err == KERR_OK)
		err = wait_samples(ctl, SYS_PARAM_SAMPLES);
	err2 = stop_loads(ctl, loads);
	set_stage(ctl, RT_STAGE_IDLE);
	if (err == KERR_OK)
		ctl->rounds[p]++;
	return err != KERR_OK ? err : err2;
}

/* An unmap, chain or fan phase; the background loads joined to it run meanwhile. */
static enum kerr conductor_phase(volatile struct rt_ctl *ctl, unsigned p)
{
	unsigned load = ctl->load[p];
	enum kerr err = KERR_OK, err2 = KERR_OK;

	if (joined[load])
		err = set_active(ctl, joined[load], joined[load]);
	share_cpu = joined[load] != 0;
	share_since = keel_counter_now();
	if (err == KERR_OK)
		err = load == RT_LOAD_UNMAP ? unmap_phase(ctl, p) : tree_phase(ctl, p, load == RT_LOAD_CHAIN);
	share_cpu = false;
	if (joined[load])
		err2 = stop_loads(ctl, joined[load]);
	return err != KERR_OK ? err : err2;
}

static enum kerr run_phase(volatile struct rt_ctl *ctl, unsigned p)
{
	switch (ctl->load[p]) {
	case RT_LOAD_UNMAP:
	case RT_LOAD_CHAIN:
	case RT_LOAD_FAN: return conductor_phase(ctl, p);
	default: return background_phase(ctl, p);
	}
}

/* "chain" or, with loads joined, "chain+irqstorm": the phase's name in the output. */
static const char *phase_name(unsigned load)
{
	static char name[64]; /* all eight names joined fit */
	size_t n = 0;

	for (unsigned i = 0; i <= RT_LOADS; i++) { /* the phase's own load first, then the joined ones */
		unsigned l = i == 0 ? load : i - 1;

		if (i > 0 && !(joined[load] & (1u << l)))
			continue;
		if (i > 0)
			name[n++] = '+';
		for (const char *c = load_name[l]; *c; c++)
			name[n++] = *c;
	}
	name[n] = '\0';
	return name;
}

static unsigned add_phase(volatile struct rt_ctl *ctl, unsigned np, enum rt_load load, uint64_t pages)
{
	ctl->load[np] = load;
	ctl->pages[np] = pages;
	return np + 1;
}

/*
 * The kernel's longest interrupts-masked stretches during the phase that just ended
 * (CONFIG_LATENCY_TRACE), read and cleared in one call: one "rt: klat" line per path seen.
 */
static enum kerr read_kernel_latency(struct kinfo_latency *out, struct kinfo_latency_cpus *cpus)
{
	enum kerr err = keel_kernel_info_flags(&info, sizeof(info), KINFO_RESET_LATENCY, NULL);

	*out = info.latency;
	*cpus = info.latency_cpus;
	return err;
}

/* The same per CPU ("cpu=N"; a CPU whose kernel recorded nothing is left out). */
static void print_kernel_latency_cpus(unsigned p, const struct kinfo_latency_cpus *l)
{
	for (unsigned c = 0; l->enabled && c < l->nr_cpus && c < KINFO_MAX_CPUS; c++) {
		const struct kinfo_latency_cpu *e = &l->cpu[c];

		if (e->timer_late_max)
			rt_printf("rt: klat phase=%u cpu=%u path=timer_late max=%llu\n", p, c,
				  (unsigned long long)e->timer_late_max);
		for (unsigned i = 0; i < KINFO_LAT_PATHS; i++)
			if (e->masked_max[i])
				rt_printf("rt: klat phase=%u cpu=%u path=%u max=%llu\n", p, c, i,
					  (unsigned long long)e->masked_max[i]);
	}
}

static void print_kernel_latency(unsigned p, const struct kinfo_latency *l,
				 const struct kinfo_latency_cpus *cpus)
{
	if (!l->enabled)
		return;
	print_kernel_latency_cpus(p, cpus);
	rt_printf("rt: klat phase=%u path=timer_late max=%llu\n", p, (unsigned long long)l->timer_late_max);
	for (unsigned i = 0; i < l->nr_paths && i < KINFO_LAT_PATHS; i++) {
		if (!l->masked_max[i])
			continue;
		if (l->cycles) /* the same stretch in CPU cycles (PMU) */
			rt_printf("rt: klat phase=%u path=%u max=%llu cycles=%llu\n", p, i,
				  (unsigned long long)l->masked_max[i],
				  (unsigned long long)l->masked_max_cycles[i]);
		else
			rt_printf("rt: klat phase=%u path=%u max=%llu\n", p, i,
				  (unsigned long long)l->masked_max[i]);
	}
}

static enum kerr run(volatile struct rt_ctl *ctl)
{
	uint64_t free_entries;
	unsigned np = 1;
	struct kinfo_latency lat;
	static struct kinfo_latency_cpus lat_cpus; /* 2.3 KiB: not on the stack */
	enum kerr err;

	err = read_kernel_latency(&lat, &lat_cpus); /* also clears what boot and start-up left */
	if (err != KERR_OK)
		return err;
	free_entries = info.space[SYS_SPACE_VICTIM].mdb_limit - info.space[SYS_SPACE_VICTIM].mdb_used;
	ctl->pages[0] = 0;
	ctl->load[0] = RT_LOAD_IDLE;
	if (SYS_PARAM_LOAD_UNMAP) { /* room for the six other loads' phases */
		for (uint64_t n = 1; n <= free_entries && np < RT_MAX_PHASES - 7; n *= 4)
			np = add_phase(ctl, np, RT_LOAD_UNMAP, n);
		if (ctl->pages[np - 1] != free_entries)
			np = add_phase(ctl, np, RT_LOAD_UNMAP, free_entries);
	}
	if (SYS_PARAM_LOAD_CHAIN)
		np = add_phase(ctl, np, RT_LOAD_CHAIN, SYS_PARAM_LOAD_CHAIN);
	if (SYS_PARAM_LOAD_FAN) /* at most the victim's free quota: the fan's children live there */
		np = add_phase(ctl, np, RT_LOAD_FAN,
			       SYS_PARAM_LOAD_FAN < free_entries ? SYS_PARAM_LOAD_FAN : free_entries);
	if (SYS_PARAM_LOAD_STORM)
		np = add_phase(ctl, np, RT_LOAD_STORM, 0);
	if (SYS_PARAM_LOAD_IRQSTORM)
		np = add_phase(ctl, np, RT_LOAD_IRQSTORM, 0);
	if (SYS_PARAM_LOAD_THRASH)
		np = add_phase(ctl, np, RT_LOAD_THRASH, 0);
	if (SYS_PARAM_LOAD_PINGPONG)
		np = add_phase(ctl, np, RT_LOAD_PINGPONG, 0);
	if (SYS_PARAM_LOAD_SPIN)
		np = add_phase(ctl, np, RT_LOAD_SPIN, 0);
	ctl->nphases = np;
	set_stage(ctl, RT_STAGE_IDLE); /* set-up done: samples from now on are idle ones */

	/* Phase 0: idle (nothing printed until it ends: a debug_write runs with interrupts masked). */
	err = wait_samples(ctl,
			   ctl->samples[0] < SYS_PARAM_SAMPLES ? SYS_PARAM_SAMPLES - ctl->samples[0] : 0);
	if (err != KERR_OK)
		return err;
	for (unsigned p = 1; p < np; p++) {
		set_stage(ctl, RT_STAGE_HARNESS); /* its kernel_info copy is no phase's load */
		err = read_kernel_latency(&lat, &lat_cpus);
		if (err != KERR_OK)
			return err;
		__atomic_store_n(&ctl->phase, p, __ATOMIC_RELEASE);
		set_stage(ctl, RT_STAGE_IDLE);
		print_kernel_latency(p - 1, &lat,
				     &lat_cpus); /* printed in phase p: the print is phase p's work */
		if (p == 1 &&
		    SYS_PARAM_LOAD_UNMAP) /* printed in phase 1, so that the idle phase stays idle */
			rt_printf("rt: load unmap phases=%u max_pages=%llu batch=%u\n", np,
				  (unsigned long long)free_entries, RT_MAP_BATCH);
		rt_printf("rt: progress phase %u/%u load=%s pages=%llu\n", p, np - 1,
			  phase_name(ctl->load[p]), (unsigned long long)ctl->pages[p]);
		err = run_phase(ctl, p);
		if (err != KERR_OK)
			return err;
	}
	set_stage(ctl, RT_STAGE_HARNESS);
	err = read_kernel_latency(&lat, &lat_cpus);
	if (err != KERR_OK)
		return err;
	print_kernel_latency(np - 1, &lat, &lat_cpus);
	for (unsigned p = 0; p < np; p++)
		rt_printf("rt: phase %u pages=%llu rounds=%llu load=%s\n", p,
			  (unsigned long long)ctl->pages[p], (unsigned long long)ctl->rounds[p],
			  phase_name(ctl->load[p]));
	return KERR_OK;
}

int main(void)
{
	volatile struct rt_ctl *ctl = (volatile struct rt_ctl *)(uintptr_t)RT_CTL_VA;
	enum kerr err = run(ctl);

	if (err != KERR_OK)
		rt_printf("rt: error load %s\n", keel_strerror(err));
	__atomic_store_n(&ctl->done, 1u, __ATOMIC_RELEASE);
	for (unsigned l = 0; l < RT_LOADS; l++) { /* the background threads see `done` and exit */
		enum kerr e = wake_threads(l);

		if (err == KERR_OK)
			err = e;
	}
	return err == KERR_OK ? 0 : 1;
}

/* The thread left the loop that wait_for_phase() let it into (stop_loads() waits for that). */
static __attribute__((unused)) void left_phase(volatile struct rt_ctl *ctl, unsigned load)
{
	__atomic_sub_fetch(&ctl->inside[load], 1u, __ATOMIC_ACQ_REL);
}

/*
 * Background loads: block until the conductor opens @load's phase (true) or the run is done
 * (false). RT_BIT_GO is sticky, so a wake-up sent before the wait is not lost.
 */
static __attribute__((unused)) bool wait_for_phase(volatile struct rt_ctl *ctl, unsigned load, enum kerr *err)
{
	uint64_t bits;

	while (*err == KERR_OK && !__atomic_load_n(&ctl->done, __ATOMIC_ACQUIRE)) {
		/*
		 * Counted in first, then the phase asked (both sequentially consistent, as are
		 * stop_loads()'s store and load): a thread that sees the phase on is always seen.
		 */
		__atomic_add_fetch(&ctl->inside[load], 1u, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&ctl->active, __ATOMIC_SEQ_CST) & (1u << load))
			return true;
		left_phase(ctl, load);
		*err = keel_wait(RT_BIT_GO, KEEL_FOREVER, &bits);
	}
	return false;
}

static __attribute__((unused)) bool phase_on(const volatile struct rt_ctl *ctl, unsigned load)
{
	return __atomic_load_n(&ctl->active, __ATOMIC_ACQUIRE) & (1u << load);
}

/*
 * storm (threads storm0 and storm1, round robin; the description sets their CPUs): each maps, shares and grants
 * RT_STORM_PAGES pages of its slot of "rtstorm" into "stormdst" and unmaps them again, in a
 * loop; a grant moves an entry, so the thread first maps the pages to itself and grants those.
 */
int storm(void)
{
#if defined(SYS_THREAD_STORM0) && defined(SYS_THREAD_STORM1) && defined(SYS_SPACE_STORMDST)
	volatile struct rt_ctl *ctl = (volatile struct rt_ctl *)(uintptr_t)RT_CTL_VA;
	const uint64_t span = RT_STORM_PAGES * 4096u;
	unsigned self = 0, slot;
	uint64_t ops = 0;
	enum kerr err = keel_thread_self(&self);

	slot = self == SYS_THREAD_STORM1;
	while (wait_for_phase(ctl, RT_LOAD_STORM, &err)) {
		uintptr_t src = RT_STORM_VA + slot * span, own = RT_STORM_SELF + slot * span,
			  dst = RT_STORM_DST + slot * span;

		while (err == KERR_OK && phase_on(ctl, RT_LOAD_STORM)) {
			err = keel_map(SYS_SPACE_STORMDST, src, dst, RT_STORM_PAGES, KEEL_RIGHT_R);
			if (err == KERR_OK)
				err = keel_unmap(SYS_SPACE_STORMDST, dst, RT_STORM_PAGES, 1);
			if (err == KERR_OK)
				err = keel_share(SYS_SPACE_STORMDST, src, dst, RT_STORM_PAGES, KEEL_RIGHT_R);
			if (err == KERR_OK)
				err = keel_unmap(SYS_SPACE_STORMDST, dst, RT_STORM_PAGES, 1);
			if (err == KERR_OK)
				err = keel_map(SYS_SPACE_STORM, src, own, RT_STORM_PAGES, KEEL_RIGHT_R);
			if (err == KERR_OK)
				err = keel_grant(SYS_SPACE_STORMDST, own, dst, RT_STORM_PAGES, KEEL_RIGHT_R);
			if (err == KERR_OK)
				err = keel_unmap(SYS_SPACE_STORMDST, dst, RT_STORM_PAGES, 1);
			if (err == KERR_OK)
				ops += 7;
		}
		left_phase(ctl, RT_LOAD_STORM);
	}
	if (err != KERR_OK) {
		rt_printf("rt: error storm T%u %s\n", slot, keel_strerror(err));
		return 1;
	}
	rt_printf("rt: storm T%u calls=%llu\n", slot, (unsigned long long)ops);
#endif
	return 0;
}

/*
 * irqstorm: irqtx (CPU 1) notifies irqrx (CPU 0) in a tight loop. Each notification that finds
 * irqrx waiting makes it ready on CPU 0, and the kernel kicks CPU 0 with a reschedule SGI
 * (arch/aarch64/smp.c): an interrupt on the measurement CPU per wake-up of irqrx.
 */
int irqstorm(void)
{
#if defined(SYS_THREAD_IRQTX) && defined(SYS_THREAD_IRQRX)
	volatile struct rt_ctl *ctl = (volatile struct rt_ctl *)(uintptr_t)RT_CTL_VA;
	unsigned self = 0;
	uint64_t count = 0, bits;
	enum kerr err = keel_thread_self(&self);

	while (wait_for_phase(ctl, RT_LOAD_IRQSTORM, &err)) {
		while (err == KERR_OK && phase_on(ctl, RT_LOAD_IRQSTORM)) {
			if (self == SYS_THREAD_IRQTX) {
				err = keel_notify(SYS_THREAD_IRQRX, RT_BIT_PING);
				count++;
			} else {
				err = keel_wait(RT_BIT_PING | RT_BIT_GO, KEEL_FOREVER, &bits);
				count += (bits & RT_BIT_PING) != 0;
			}
		}
		left_phase(ctl, RT_LOAD_IRQSTORM);
	}
	if (err != KERR_OK) {
		rt_printf("rt: error irqstorm %s\n", keel_strerror(err));
		return 1;
	}
	if (self == SYS_THREAD_IRQTX)
		rt_printf("rt: irqstorm notifies=%llu\n", (unsigned long long)count);
	else
		rt_printf("rt: irqstorm wakeups=%llu\n", (unsigned long long)count);
#endif
	return 0;
}

/*
 * thrash (CPU 0): walk "rtbuf" (2 MiB) with a page stride, a different word each pass, and
 * every RT_BUF_REMAP pages map one of its pages at RT_BUF_SCRATCH, touch it and unmap it, so
 * the kernel invalidates that TLB entry. Under QEMU -icount caches are not modelled: this
 * load's cost shows as instructions only (docs/rt-tests.md).
 */
int thrash(void)
{
#if defined(SYS_THREAD_THRASH) && defined(SYS_SPACE_THRASH)
	volatile struct rt_ctl *ctl = (volatile struct rt_ctl *)(uintptr_t)RT_CTL_VA;
	volatile uint64_t *buf = (volatile uint64_t *)(uintptr_t)RT_BUF_VA;
	uint64_t touched = 0, remaps = 0;
	enum kerr err = KERR_OK;

	while (wait_for_phase(ctl, RT_LOAD_THRASH, &err)) {
		while (err == KERR_OK && phase_on(ctl, RT_LOAD_THRASH)) {
			unsigned page = touched % RT_BUF_PAGES;

			buf[page * 512u + (touched / RT_BUF_PAGES) % 512u]++;
			touched++;
			if (page % RT_BUF_REMAP)
				continue;
			err = keel_map(SYS_SPACE_THRASH, RT_BUF_VA + page * 4096u, RT_BUF_SCRATCH, 1,
				       KEEL_RIGHT_R);
			if (err == KERR_OK) {
				(void)*(volatile uint64_t *)(uintptr_t)RT_BUF_SCRATCH;
				err = keel_unmap(SYS_SPACE_THRASH, RT_BUF_SCRATCH, 1, 1);
				remaps++;
			}
		}
		left_phase(ctl, RT_LOAD_THRASH);
	}
	if (err != KERR_OK) {
		rt_printf("rt: error thrash %s\n", keel_strerror(err));
		return 1;
	}
	rt_printf("rt: thrash pages_touched=%llu remaps=%llu\n", (unsigned long long)touched,
		  (unsigned long long)remaps);
#endif
	return 0;
}

#define RT_PP_BIT      1ull
#define RT_PP_WAIT_NS  1000000ull /* pp1 looks at `done` at least this often */
#define RT_PP_BURST    8u	  /* round trips per burst ... */
#define RT_PP_PAUSE_NS 1000000ull /* ... then pp0 sleeps this long, so lower priorities run */

/* Does pingpong run now: always, or during its phase when it is a phase's load. */
static inline bool pingpong_on(const volatile struct rt_ctl *ctl)
{
#if RT_SEL_PINGPONG
	return phase_on(ctl, RT_LOAD_PINGPONG);
#else
	(void)ctl;
	return true;
#endif
}

/* A round of pingpong is over: as left_phase(), when pingpong is a phase's load. */
static inline void pingpong_left(volatile struct rt_ctl *ctl)
{
#if RT_SEL_PINGPONG
	left_phase(ctl, RT_LOAD_PINGPONG);
#else
	(void)ctl;
#endif
}

/* pp1: answer every message of pp0; pp0: bursts of round trips, then a pause. */
int pingpong(void)
{
#if defined(SYS_THREAD_PP0) && defined(SYS_THREAD_PP1)
	volatile struct rt_ctl *ctl = (volatile struct rt_ctl *)(uintptr_t)RT_CTL_VA;
	unsigned self;
	uint64_t trips = 0;
	enum kerr err = keel_thread_self(&self);

	while (err == KERR_OK && !__atomic_load_n(&ctl->done, __ATOMIC_ACQUIRE)) {
		uint64_t now = 0, bits = 0;

#if RT_SEL_PINGPONG /* selected as a load: only during its phase */
		if (!wait_for_phase(ctl, RT_LOAD_PINGPONG, &err))
			break;
#endif
		err = keel_clock_now(&now);
		if (err != KERR_OK) {
			pingpong_left(ctl);
			break;
		}
		if (self == SYS_THREAD_PP1) {
			err = keel_wait(RT_PP_BIT, now + RT_PP_WAIT_NS, &bits);
			if (err == KERR_OK)
				err = keel_notify(SYS_THREAD_PP0, RT_PP_BIT);
			else if (err == KERR_TIMEOUT)
				err = KERR_OK;
			pingpong_left(ctl);
			continue;
		}
		for (unsigned i = 0; i < RT_PP_BURST && err == KERR_OK && pingpong_on(ctl); i++, trips++) {
			err = keel_notify(SYS_THREAD_PP1, RT_PP_BIT);
			if (err == KERR_OK)
				err = keel_wait(RT_PP_BIT, now + RT_PP_WAIT_NS, &bits);
			if (err == KERR_TIMEOUT) /* pp1 was held up past the deadline: next burst */
				err = KERR_OK;
		}
		if (err == KERR_OK) /* the pause counts from the burst's end, so the load always gets time */
			err = keel_clock_now(&now);
		if (err == KERR_OK)
			err = keel_sleep_until(now + RT_PP_PAUSE_NS);
		pingpong_left(ctl);
	}
	if (err != KERR_OK) {
		rt_printf("rt: error pingpong %s\n", keel_strerror(err));
		return 1;
	}
	if (self == SYS_THREAD_PP0)
		rt_printf("rt: pingpong round_trips=%llu\n", (unsigned long long)trips);
#endif
	return 0;
}

/*
 * spin (CPU 1): count in a user-space loop while the phase lasts, with no system call and no
 * memory traffic beyond the phase flag. On hardware this cannot delay CPU 0's wake-ups; under
 * QEMU, whose vCPUs share one host thread round robin and one instruction clock, it shows what
 * a busy second CPU adds to CPU 0's numbers (docs/rt-tests.md, "Reproducibility").
 */
int spin(void)
{
#ifdef SYS_THREAD_SPIN
	volatile struct rt_ctl *ctl = (volatile struct rt_ctl *)(uintptr_t)RT_CTL_VA;
	uint64_t loops = 0;
	enum kerr err = KERR_OK;

	while (wait_for_phase(ctl, RT_LOAD_SPIN, &err)) {
		while (phase_on(ctl, RT_LOAD_SPIN))
			loops++;
		left_phase(ctl, RT_LOAD_SPIN);
	}
	if (err != KERR_OK) {
		rt_printf("rt: error spin %s\n", keel_strerror(err));
		return 1;
	}
	rt_printf("rt: spin loops=%llu\n", (unsigned long long)loops);
#endif
	return 0;
}
