/*
 * cyclictest — periodic measurement threads in the spirit of Linux rt-tests' cyclictest.
 *
 * Every thread of this program's space is one measurement thread: thread k (in the order of the
 * description) wakes every interval + k * distance microseconds at absolute
 * deadlines and records its wake-up latency, the generic counter's value on return from
 * keel_sleep_until() minus the deadline, in counter ticks (one instruction under QEMU
 * -icount shift=4). Samples are filed under the phase and stage the load program publishes
 * (user/include/rt.h). When the load is done, each thread prints its results: the lines the
 * host runner rt-tests/run parses ("rt: ...") and cyclictest's "T:" line. docs/rt-tests.md.
 *
 * Each thread runs on the CPU its description gives it (`cpu:`, rt-tests/run -a) and reports it.
 * The measurement parameters come from the description's `params:` (SYS_PARAM_*, which
 * rt-tests/run --interval, --distance, --bucket, --threshold set); these are the defaults.
 */
#include <keel/kinfo.h>
#include <keel/user.h>
#include <rt.h>
#include <system_tables.h>

#ifndef SYS_PARAM_INTERVAL_US
#define SYS_PARAM_INTERVAL_US 100u /* cyclictest -i */
#endif
#ifndef SYS_PARAM_DISTANCE_US
#define SYS_PARAM_DISTANCE_US 50u /* cyclictest -d */
#endif
#ifndef SYS_PARAM_BUCKET_NS
#define SYS_PARAM_BUCKET_NS 1000u /* histogram bucket width: 1 us, as cyclictest -h */
#endif
#ifndef SYS_PARAM_THRESHOLD
#define SYS_PARAM_THRESHOLD 1000u /* instructions: samples above this are counted ("over") */
#endif
_Static_assert(SYS_PARAM_INTERVAL_US > 0 && SYS_PARAM_BUCKET_NS > 0, "interval and bucket width must be > 0");

#define RT_BUCKETS  400u  /* buckets 0 .. 399; later samples count as overflows */
#define RT_START_US 2000u /* first deadline: after every thread's start-up */
/*
 * (phase, stage) pairs with samples: 4 per phase on average (an unmap phase has 5: harness,
 * idle, map, unmap, revoke; the others 3). `make rt-tests` (--load all) fills ~80; more would
 * not fit the program's 64 KiB image. A sample past the table is counted and reported.
 */
#define RT_RECORDS  (RT_MAX_PHASES * 4u)

struct rt_stat {
	uint64_t count, sum, max, min, over;
};

/* The statistics of one (phase, stage) pair, kept in order of first sample. */
struct rt_record {
	uint32_t phase, stage;
	struct rt_stat stat;
};

struct rt_thread {
	struct rt_record rec[RT_RECORDS];
	unsigned nrec;
	uint64_t dropped; /* samples of a (phase, stage) pair beyond RT_RECORDS (only in `all`) */
	struct rt_stat all;
	uint64_t last;
	uint64_t missed; /* deadlines that had passed before the thread could sleep again */
	uint32_t hist[RT_BUCKETS];
	uint32_t overflow;
};

static struct rt_thread rt[RT_MAX_THREADS];
static struct keel_info info;

static void stat_add(struct rt_stat *s, uint64_t lat)
{
	if (s->count == 0 || lat < s->min)
		s->min = lat;
	if (lat > s->max)
		s->max = lat;
	s->sum += lat;
	s->count++;
	if (lat > SYS_PARAM_THRESHOLD)
		s->over++;
}

static uint64_t stat_avg(const struct rt_stat *s)
{
	return s->count ? s->sum / s->count : 0;
}

static const char *const stage_name[RT_STAGES] = RT_STAGE_NAMES;

static struct rt_stat *record(struct rt_thread *r, unsigned phase, unsigned stage)
{
	for (unsigned i = 0; i < r->nrec; i++)
		if (r->rec[i].phase == phase && r->rec[i].stage == stage)
			return &r->rec[i].stat;
	if (r->nrec == RT_RECORDS)
		return NULL;
	r->rec[r->nrec].phase = phase;
	r->rec[r->nrec].stage = stage;
	return &r->rec[r->nrec++].stat;
}

static void report(unsigned k, unsigned tid, unsigned prio, unsigned cpu, unsigned interval_us, uint64_t freq)
{
	const volatile struct rt_ctl *ctl = (const volatile struct rt_ctl *)(uintptr_t)RT_CTL_VA;
	struct rt_thread *r = &rt[k];

	for (unsigned p = 0; p < ctl->nphases && p < RT_MAX_PHASES; p++) {
		for (unsigned i = 0; i < r->nrec; i++) {
			const struct rt_stat *st = &r->rec[i].stat;

			if (r->rec[i].phase != p)
				continue;
			rt_printf(
				"rt: stat T%u phase=%u pages=%llu stage=%s C=%llu min=%llu avg=%llu max=%llu "
				"over=%llu\n",
				k, p, (unsigned long long)ctl->pages[p], stage_name[r->rec[i].stage],
				(unsigned long long)st->count, (unsigned long long)st->min,
				(unsigned long long)stat_avg(st), (unsigned long long)st->max,
				(unsigned long long)st->over);
		}
	}
	if (r->dropped)
		rt_printf("rt: error T%u: %llu samples not filed by phase (more than %u phase/stage pairs)\n",
			  k, (unsigned long long)r->dropped, RT_RECORDS);
	for (unsigned b = 0; b < RT_BUCKETS; b++)
		if (r->hist[b])
			rt_printf("rt: hist T%u %u %u\n", k, b, r->hist[b]);
	rt_printf("rt: hist T%u overflow %u\n", k, r->overflow);
	rt_printf("rt: thread T%u id=%u prio=%u interval_us=%u freq=%llu missed=%llu cpu=%u\n", k, tid, prio,
		  interval_us, (unsigned long long)freq, (unsigned long long)r->missed, cpu);
	/*
	 * cyclictest's line; the unit here is counter ticks (instructions), not microseconds. The
	 * CPU goes last, so that tools reading cyclictest's fields up to Max still find them.
	 */
	rt_printf("T:%2u (%5u) P:%2u I:%u C:%7llu Min:%7llu Act:%5llu Avg:%5llu Max:%8llu CPU:%u\n", k, tid,
		  prio, interval_us, (unsigned long long)r->all.count, (unsigned long long)r->all.min,
		  (unsigned long long)r->last, (unsigned long long)stat_avg(&r->all),
		  (unsigned long long)r->all.max, cpu);
}

int main(void)
{
	volatile struct rt_ctl *ctl = (volatile struct rt_ctl *)(uintptr_t)RT_CTL_VA;
	uint64_t freq = keel_counter_freq();
	unsigned tid, k = 0, prio = 0, interval_us;
	uint64_t interval, deadline, grid, ns_per_tick_num = 1000000000ull;
#ifdef SYS_PARAM_MARK_ABOVE
	uint64_t marks = 0;
#endif
	struct rt_thread *r;

	if (keel_thread_self(&tid) != KERR_OK || keel_kernel_info(&info, sizeof(info), NULL) != KERR_OK)
		return 1;
	/* k = this thread's position among the threads of its space. */
	for (unsigned i = 0; i < tid && i < KINFO_MAX_THREADS; i++)
		if (info.thread[i].space == info.thread[tid].space)
			k++;
	prio = info.thread[tid].priority;
	if (k >= RT_MAX_THREADS)
		return 1;
	r = &rt[k];
	interval_us = SYS_PARAM_INTERVAL_US + k * SYS_PARAM_DISTANCE_US;
	interval = (uint64_t)interval_us * freq / 1000000u;

	/*
	 * Start RT_START_US from now, after the other threads' set-up (kernel_info copies run with
	 * interrupts masked); deadlines are absolute, so nothing drifts.
	 */
	/*
	 * ... on a common grid of RT_START_US: every thread starts at the same instant, so their
	 * deadlines keep the same relative phase however long the other threads' start-up takes
	 * (otherwise adding a load thread can move rt1's deadlines just before rt0's).
	 */
	grid = (uint64_t)RT_START_US * freq / 1000000u;
	deadline = (keel_counter_now() / grid + 2u) * grid;
	if (k == 0) /* for the conductor's waits (rtload's wait_samples()) */
		ctl->interval_ns = (uint64_t)interval_us * 1000u;
	while (!__atomic_load_n(&ctl->done, __ATOMIC_ACQUIRE)) {
		/* The deadline in ns, rounded up, so the kernel's tick deadline is not before ours. */
		uint64_t ns = rt_ticks_to_ns_up(deadline, freq);
		uint64_t now, lat, bucket;
		unsigned phase, stage;
		struct rt_stat *st;
		enum kerr err;

		if (k == 0)
			ctl->next_deadline = deadline;
		err = keel_sleep_until(ns);
		now = keel_counter_now();
		/*
		 * The run ended while this thread slept: a higher-priority measurement thread may be
		 * printing its results, so this wake-up measures the report, not the load. cyclictest
		 * stops all threads at the end of the run the same way.
		 */
		if (__atomic_load_n(&ctl->done, __ATOMIC_ACQUIRE))
			break;
		/*
		 * KERR_PAST: this thread reached the kernel only after its deadline (e.g. it waited
		 * for the kernel lock behind a long call on CPU 1). That is a wake-up latency too, as
		 * in cyclictest, whose clock_nanosleep returns at once: record it, then skip every
		 * period that has passed (below). Stepping one period per try would never catch up
		 * when a try costs more than a period, and this thread would starve the others.
		 */
		if (err != KERR_OK && err != KERR_PAST)
			return 1;
		lat = now - deadline;
#ifdef SYS_PARAM_MARK_ABOVE
		/*
		 * A marker in a QEMU instruction log (rt-tests/run --mark-above, tools/timeline.py),
		 * right after the sample: irq_ack of a line that does not exist, refused at once and
		 * made by no other rt-tests program. Built only with the option, so the measured code
		 * is otherwise the same.
		 */
		if (k == 0 && lat > SYS_PARAM_MARK_ABOVE) {
			if (keel_irq_ack(~0u) != KERR_IRQ)
				return 1;
			marks++;
		}
#endif
		phase = ctl->phase;
		stage = ctl->stage;
		st = phase < RT_MAX_PHASES && stage < RT_STAGES ? record(r, phase, stage) : NULL;
		if (st)
			stat_add(st, lat);
		else
			r->dropped++;
		stat_add(&r->all, lat);
		r->last = lat;
		bucket = lat * ns_per_tick_num / freq / SYS_PARAM_BUCKET_NS;
		if (bucket < RT_BUCKETS)
			r->hist[bucket]++;
		else
			r->overflow++;
		ctl->samples[k]++;
		deadline += interval;
		while (deadline <= keel_counter_now()) { /* overran a whole period: skip, count */
			r->missed++;
			deadline += interval;
		}
	}
#ifdef SYS_PARAM_MARK_ABOVE
	if (k == 0)
		rt_printf("rt: marks T0 above=%llu count=%llu\n", (unsigned long long)SYS_PARAM_MARK_ABOVE,
			  (unsigned long long)marks);
#endif
	rt_printf("rt: conf T%u bucket_ns=%llu buckets=%u threshold=%llu\n", k,
		  (unsigned long long)SYS_PARAM_BUCKET_NS, RT_BUCKETS,
		  (unsigned long long)SYS_PARAM_THRESHOLD);
	report(k, tid, prio, info.thread[tid].cpu, interval_us, freq);
	return 0;
}
