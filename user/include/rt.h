/* rt.h — the control block shared by the rt-tests programs cyclictest and rtload (configs/rt-*.yaml). */
#ifndef RT_H
#define RT_H

#include <stdint.h>

#define RT_CTL_VA      0x10000000u     /* region "rtctl", read-write in both spaces */
#define RT_SRC_VA      0x10100000u     /* region "rtsrc" in the load's space: the pages it maps */
#define RT_SRC_PAGES   64u	       /* size of "rtsrc" in pages */
#define RT_VICTIM_VA   0x4000000000ull /* where the load maps pages into the victim space */
#define RT_MAX_PHASES  24u
#define RT_MAX_THREADS 8u

/* What the load is doing while a sample is taken: each sample is filed under one of these. */
enum rt_stage {
	RT_STAGE_IDLE = 0,   /* the load sleeps */
	RT_STAGE_MAP = 1,    /* map calls building the next unmap's pages */
	RT_STAGE_UNMAP = 2,  /* the one unmap call of N pages in the victim */
	RT_STAGE_REVOKE = 3, /* one unmap call of the source pages: their N children (a wide fan) go */
	RT_STAGES = 4,
};

/*
 * The load program runs phases one after another (idle, then map + unmap of N pages for
 * growing N) and publishes the current phase and stage; every measurement thread files each
 * sample under the phase and stage it sees when it wakes up and counts its samples in
 * `samples[]`. Measurement thread 0 publishes its next deadline so that the load can start
 * short unmaps just before it (see user/rtload/main.c). All threads run on one CPU.
 */
struct rt_ctl {
	uint32_t phase;			  /* index into pages[] */
	uint32_t stage;			  /* enum rt_stage */
	uint32_t nphases;		  /* set by the load before phase 0 begins */
	uint32_t done;			  /* the load has finished: measurement threads print and exit */
	uint64_t next_deadline;		  /* thread 0's next wake-up, in counter ticks */
	uint64_t pages[RT_MAX_PHASES];	  /* pages mapped and unmapped per round (0: idle) */
	uint64_t rounds[RT_MAX_PHASES];	  /* map+unmap rounds the load completed in each phase */
	uint64_t samples[RT_MAX_THREADS]; /* samples taken so far by each measurement thread */
};

#endif
