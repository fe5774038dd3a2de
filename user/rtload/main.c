/*
 * rtload — the load of the rt-tests unmap sweep (docs/rt-tests.md).
 *
 * Phase 0 is idle: the load sleeps while the measurement threads take RT_IDLE_SAMPLES samples.
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
 */
#include <keel/kinfo.h>
#include <keel/user.h>
#include <rt.h>
#include <system_tables.h>

#define RT_IDLE_SAMPLES 200u  /* thread-0 samples of the idle phase */
#define RT_MAP_BATCH	16u   /* pages per map call (at most CONFIG_MAP_MAX_PAGES) */
#define RT_ALIGN_MAX_N	4096u /* up to this N, unmaps are aligned to thread 0's deadline */
#define RT_ALIGN_ROUNDS 128u  /* rounds per aligned phase ... */
#define RT_ALIGN_STEP	16u   /* ... starting the unmap 0, 16, 32, ... ticks before the deadline */
#define RT_LARGE_ROUNDS 2u    /* rounds for larger N: one unmap spans many periods anyway */
#define RT_POLL_NS	1000000ull

static struct keel_info info;

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
	}
	return KERR_OK;
}

/* Spin until @offset ticks before thread 0's next deadline (the one after, if that is too close). */
static void align_to_deadline(volatile struct rt_ctl *ctl, uint64_t offset)
{
	uint64_t d = ctl->next_deadline;

	while (keel_counter_now() + offset >= d) {
		while (ctl->next_deadline == d)
			; /* thread 0 (higher priority) preempts this loop and publishes the next one */
		d = ctl->next_deadline;
	}
	while (keel_counter_now() + offset < d)
		;
}

static enum kerr run_phase(volatile struct rt_ctl *ctl, unsigned p)
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

/*
 * The kernel's longest interrupts-masked stretches during the phase that just ended
 * (CONFIG_LATENCY_TRACE), read and cleared in one call: one "rt: klat" line per path seen.
 */
static enum kerr read_kernel_latency(struct kinfo_latency *out)
{
	enum kerr err = keel_kernel_info_flags(&info, sizeof(info), KINFO_RESET_LATENCY, NULL);

	*out = info.latency;
	return err;
}

static void print_kernel_latency(unsigned p, const struct kinfo_latency *l)
{
	if (!l->enabled)
		return;
	printf("rt: klat phase=%u path=timer_late max=%llu\n", p, (unsigned long long)l->timer_late_max);
	for (unsigned i = 0; i < l->nr_paths && i < KINFO_LAT_PATHS; i++) {
		if (!l->masked_max[i])
			continue;
		if (l->cycles) /* the same stretch in CPU cycles (PMU) */
			printf("rt: klat phase=%u path=%u max=%llu cycles=%llu\n", p, i,
			       (unsigned long long)l->masked_max[i],
			       (unsigned long long)l->masked_max_cycles[i]);
		else
			printf("rt: klat phase=%u path=%u max=%llu\n", p, i,
			       (unsigned long long)l->masked_max[i]);
	}
}

static enum kerr run(volatile struct rt_ctl *ctl)
{
	uint64_t now, free_entries;
	unsigned np = 1;
	struct kinfo_latency lat;
	enum kerr err;

	err = read_kernel_latency(&lat); /* also clears what boot and start-up left */
	if (err != KERR_OK)
		return err;
	free_entries = info.space[SYS_SPACE_VICTIM].mdb_limit - info.space[SYS_SPACE_VICTIM].mdb_used;
	ctl->pages[0] = 0;
	for (uint64_t n = 1; n <= free_entries && np < RT_MAX_PHASES - 1; n *= 4)
		ctl->pages[np++] = n;
	if (ctl->pages[np - 1] != free_entries)
		ctl->pages[np++] = free_entries;
	ctl->nphases = np;

	/* Phase 0: idle (nothing printed until it ends: a debug_write runs with interrupts masked). */
	while (ctl->samples[0] < RT_IDLE_SAMPLES) {
		err = keel_clock_now(&now);
		if (err == KERR_OK)
			err = keel_sleep_until(now + RT_POLL_NS);
		if (err != KERR_OK)
			return err;
	}
	for (unsigned p = 1; p < np; p++) {
		err = read_kernel_latency(&lat);
		if (err != KERR_OK)
			return err;
		__atomic_store_n(&ctl->phase, p, __ATOMIC_RELEASE);
		print_kernel_latency(p - 1, &lat); /* printed in phase p: the print is phase p's work */
		if (p == 1)			   /* printed in phase 1, so that the idle phase stays idle */
			printf("rt: load unmap phases=%u max_pages=%llu batch=%u\n", np,
			       (unsigned long long)free_entries, RT_MAP_BATCH);
		printf("rt: progress phase %u/%u pages=%llu\n", p, np - 1, (unsigned long long)ctl->pages[p]);
		err = run_phase(ctl, p);
		if (err != KERR_OK)
			return err;
	}
	err = read_kernel_latency(&lat);
	if (err != KERR_OK)
		return err;
	print_kernel_latency(np - 1, &lat);
	for (unsigned p = 0; p < np; p++)
		printf("rt: phase %u pages=%llu rounds=%llu\n", p, (unsigned long long)ctl->pages[p],
		       (unsigned long long)ctl->rounds[p]);
	return KERR_OK;
}

int main(void)
{
	volatile struct rt_ctl *ctl = (volatile struct rt_ctl *)(uintptr_t)RT_CTL_VA;
	enum kerr err = run(ctl);

	if (err != KERR_OK)
		printf("rt: error load %s\n", keel_strerror(err));
	__atomic_store_n(&ctl->done, 1u, __ATOMIC_RELEASE);
	return err == KERR_OK ? 0 : 1;
}

#define RT_PP_BIT      1ull
#define RT_PP_WAIT_NS  1000000ull /* pp1 looks at `done` at least this often */
#define RT_PP_BURST    8u	  /* round trips per burst ... */
#define RT_PP_PAUSE_NS 1000000ull /* ... then pp0 sleeps this long, so lower priorities run */

/* pp1: answer every message of pp0; pp0: bursts of round trips, then a pause. */
int pingpong(void)
{
#if defined(SYS_THREAD_PP0) && defined(SYS_THREAD_PP1)
	const volatile struct rt_ctl *ctl = (const volatile struct rt_ctl *)(uintptr_t)RT_CTL_VA;
	unsigned self;
	uint64_t trips = 0;
	enum kerr err = keel_thread_self(&self);

	while (err == KERR_OK && !__atomic_load_n(&ctl->done, __ATOMIC_ACQUIRE)) {
		uint64_t now = 0, bits = 0;

		err = keel_clock_now(&now);
		if (err != KERR_OK)
			break;
		if (self == SYS_THREAD_PP1) {
			err = keel_wait(RT_PP_BIT, now + RT_PP_WAIT_NS, &bits);
			if (err == KERR_OK)
				err = keel_notify(SYS_THREAD_PP0, RT_PP_BIT);
			else if (err == KERR_TIMEOUT)
				err = KERR_OK;
			continue;
		}
		for (unsigned i = 0; i < RT_PP_BURST && err == KERR_OK; i++, trips++) {
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
	}
	if (err != KERR_OK) {
		printf("rt: error pingpong %s\n", keel_strerror(err));
		return 1;
	}
	if (self == SYS_THREAD_PP0)
		printf("rt: pingpong round_trips=%llu\n", (unsigned long long)trips);
#endif
	return 0;
}
