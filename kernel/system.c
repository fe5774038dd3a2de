/* system.c — bring the described system to life: spaces, program images, stacks, mappings, IRQs, threads. */
#include "cache.h"
#include "keel/clock.h"
#include "keel/irq.h"
#include "keel/kstring.h"
#include "keel/mdb.h"
#include "keel/panic.h"
#include "keel/printk.h"
#include "keel/program.h"
#include "keel/sched.h"
#include "keel/smp.h"
#include "keel/system.h"
#include "memlayout.h"
#include "pte.h"
#include "system_tables.h"

/* The budget `make` prints was computed with these sizes (tools/sysgen.py). */
_Static_assert(sizeof(struct mdb_entry) == SYS_POOL_MDB_ENTRY_SIZE, "MDB entry size differs from sysgen's");
_Static_assert(sizeof(struct thread) <= SYS_POOL_TCB_ENTRY_SIZE, "struct thread outgrew sysgen's TCB_SIZE");
_Static_assert(SYS_NR_SPACES <= 254, "8-bit ASIDs: at most 254 spaces");

#define PAGE 4096ULL

struct mdb kernel_mdb;
static struct mdb_entry mdb_pool[SYS_POOL_MDB_COUNT + 1];
static struct mdb_quota mdb_quota[SYS_NR_SPACES];

/* User memory (images, stacks, regions without a fixed address), sized at build time. */
static uint8_t user_ram[SYS_USER_RAM_BYTES] __attribute__((aligned(4096)));
static size_t user_ram_used;

static bool irq_pending[CONFIG_IRQ_LINES];

/*
 * Table sizes as variables: a system may have no regions, mappings, IRQs or permissions, and
 * `i < 0` on a constant is a -Wtype-limits error.
 */
static const unsigned nr_regions = SYS_NR_REGIONS, nr_mappings = SYS_NR_MAPPINGS,
		      nr_irq_grants = SYS_NR_IRQ_GRANTS, nr_permissions = SYS_NR_PERMISSIONS;

static uint8_t *user_ram_take(uint64_t size)
{
	uint8_t *p = &user_ram[user_ram_used];

	BUG_ON(size % PAGE || size > sizeof(user_ram) - user_ram_used);
	user_ram_used += size;
	return p;
}

static unsigned memtype_of(unsigned attr)
{
	switch (attr) {
	case SYS_ATTR_DEVICE: return PTE_MEM_DEVICE;
	case SYS_ATTR_NONCACHED: return PTE_MEM_NORMAL_NC;
	default: return PTE_MEM_NORMAL;
	}
}

/* Map [pa, pa + size) at @va in @space as derivation roots; the description's quotas cover it. */
static void map_roots(unsigned space, uint64_t va, uint64_t pa, uint64_t size, unsigned rights,
		      unsigned memtype)
{
	for (uint64_t off = 0; off < size; off += PAGE) {
		enum kerr r = mdb_insert_root(&kernel_mdb, space, (va + off) / PAGE,
					      SPACE_FRAME(pa + off, memtype), rights);
		if (r != KERR_OK)
			panic("system: mapping 0x%lx in space '%s' failed (error %d)",
			      (unsigned long)(va + off), sys_spaces[space].name, (int)r);
	}
}

static void load_program(unsigned s)
{
	const struct sys_space *d = &sys_spaces[s];
	const struct sys_image *img = &sys_space_image[s];
	const struct program_header *h = (const struct program_header *)img->start;
	size_t file_size = (size_t)(img->end - img->start);
	uint8_t *area;
	uint64_t base = SYS_USER_IMAGE_BASE, pa;

	if (file_size < sizeof(*h) || h->magic != PROGRAM_MAGIC)
		panic("system: program '%s' of space '%s' has no Keel program header", d->program, d->name);
	if (h->bss_end - base > d->image_size || h->file_end > h->bss_end || h->text_end > h->file_end ||
	    h->start < base || h->start >= h->text_end)
		panic("system: program '%s' has an inconsistent header or exceeds image_size", d->program);
	area = user_ram_take(d->image_size);
	memcpy(area, img->start, (size_t)(h->file_end - base));
	cache_sync_icache((uintptr_t)area, (size_t)(h->text_end - base));
	pa = memlayout_pa((uintptr_t)area);
	map_roots(s, base, pa, h->text_end - base, MDB_R | MDB_X, PTE_MEM_NORMAL);
	map_roots(s, h->text_end, pa + (h->text_end - base), h->bss_end - h->text_end, MDB_R | MDB_W,
		  PTE_MEM_NORMAL);
}

static void map_regions(void)
{
	for (unsigned r = 0; r < nr_regions; r++) {
		const struct sys_region *reg = &sys_regions[r];
		uint64_t pa = reg->fixed ? reg->phys : memlayout_pa((uintptr_t)user_ram_take(reg->size));
		uint64_t owner_va = 0;

		/* The owner's mapping is the root; the others are derived from it (map), so the
		 * owner can revoke them. sysgen guarantees the owner maps every region it owns. */
		for (unsigned m = 0; m < nr_mappings; m++) {
			if (sys_mappings[m].region == r && sys_mappings[m].space == reg->owner) {
				map_roots(reg->owner, sys_mappings[m].va, pa, reg->size,
					  sys_mappings[m].rights, memtype_of(reg->attr));
				owner_va = sys_mappings[m].va;
				break;
			}
		}
		for (unsigned m = 0; m < nr_mappings; m++) {
			const struct sys_mapping *mp = &sys_mappings[m];
			if (mp->region != r || mp->space == reg->owner)
				continue;
			for (uint64_t off = 0; off < reg->size; off += PAGE) {
				enum kerr e = mdb_map(&kernel_mdb, reg->owner, (owner_va + off) / PAGE,
						      mp->space, (mp->va + off) / PAGE, 1, mp->rights);
				if (e != KERR_OK)
					panic("system: region '%s' into space '%s' failed (error %d)",
					      reg->name, sys_spaces[mp->space].name, (int)e);
			}
		}
	}
}

/* A granted device IRQ: mask the line until the driver acknowledges, wake its waiter. */
static void user_irq(unsigned irq, void *ctx)
{
	unsigned space = (unsigned)(uintptr_t)ctx;

	irq_disable(irq);
	for (unsigned i = 0; i < thread_count; i++) {
		struct thread *t = &threads[i];
		if (t->state == THREAD_WAITING_IRQ && t->irq_waiting == irq && t->space->id == space) {
			t->ctx.x[0] = KERR_OK;
			sched_wake(t);
			return;
		}
	}
	irq_pending[irq] = true;
}

bool system_irq_granted(unsigned irq, unsigned space)
{
	for (unsigned g = 0; g < nr_irq_grants; g++)
		if (sys_irq_grants[g].irq == irq && sys_irq_grants[g].space == space)
			return true;
	return false;
}

bool system_irq_take_pending(unsigned irq)
{
	bool was = irq_pending[irq];

	irq_pending[irq] = false;
	return was;
}

/*
 * The description's permissions as a matrix of enum sys_op bits, filled at boot: map, grant,
 * share, unmap and protect ask it in every call into another space, and a walk of the list
 * cost ~30 instructions of their first stretch.
 */
static uint8_t may_ops[SYS_NR_SPACES][SYS_NR_SPACES];

static void init_permissions(void)
{
	for (unsigned p = 0; p < nr_permissions; p++)
		may_ops[sys_permissions[p].from][sys_permissions[p].to] |= sys_permissions[p].ops;
}

bool system_may(unsigned from, unsigned to, unsigned op)
{
	return from < SYS_NR_SPACES && to < SYS_NR_SPACES && (may_ops[from][to] & op) != 0;
}

static void init_threads(void)
{
	for (unsigned i = 0; i < SYS_NR_THREADS; i++) {
		const struct sys_thread *d = &sys_threads[i];
		struct thread *t = &threads[i];
		const struct program_header *h =
			(const struct program_header *)sys_space_image[d->space].start;
		uint8_t *stack = user_ram_take(d->stack_size);

		map_roots(d->space, d->stack_va, memlayout_pa((uintptr_t)stack), d->stack_size, MDB_R | MDB_W,
			  PTE_MEM_NORMAL);
		memset(t, 0, sizeof(*t));
		t->name = d->name;
		t->space = space_get(d->space);
		t->id = i;
		t->prio = d->priority;
		t->cpu = d->cpu;
		if (!smp_cpu_online(t->cpu)) {
			/* The description asks for a CPU this machine does not have (or did not start). */
			printk("  system:    thread '%s' is bound to CPU %u, which is not online; it runs on "
			       "CPU 0\n",
			       d->name, t->cpu);
			t->cpu = 0;
		}
		t->fault_handler = d->fault_handler == SYS_NO_THREAD ? THREAD_NONE : d->fault_handler;
		t->start = h->start;
		t->entry = sys_thread_entry[i];
		t->stack_top = d->stack_va + d->stack_size;
		t->slice_ticks = clock_ns_to_ticks((uint64_t)d->time_slice_us * 1000U, clock_freq_hz());
		t->timeout_next = THREAD_NONE;
		thread_reset_context(t);
		sched_make_ready(t);
	}
}

void system_init(void)
{
	const char *err;

	for (unsigned s = 0; s < SYS_NR_SPACES; s++)
		mdb_quota[s].limit = sys_spaces[s].mdb_quota;
	mdb_init(&kernel_mdb, mdb_pool, SYS_POOL_MDB_COUNT, mdb_quota, SYS_NR_SPACES, CONFIG_MDB_MAX_DEPTH,
		 CONFIG_MAP_MAX_PAGES);
	for (unsigned s = 0; s < SYS_NR_SPACES; s++) {
		enum kerr r = space_init(space_get(s), s, sys_spaces[s].name, sys_spaces[s].pt_quota);
		if (r != KERR_OK)
			panic("system: space '%s' cannot be created (error %d)", sys_spaces[s].name, (int)r);
		load_program(s);
	}
	map_regions();
	init_permissions();
	init_threads();
	for (unsigned g = 0; g < nr_irq_grants; g++) {
		irq_register(sys_irq_grants[g].irq, user_irq, (void *)(uintptr_t)sys_irq_grants[g].space);
		irq_enable(sys_irq_grants[g].irq);
	}
	err = mdb_check(&kernel_mdb);
	if (err)
		panic("system: mapping database inconsistent after boot: %s", err);
	printk("  system:    '%s': %u spaces, %u threads, %u of %u MDB entries, %u page-table pages free\n",
	       sys_name, SYS_NR_SPACES, SYS_NR_THREADS, kernel_mdb.capacity - kernel_mdb.free_count,
	       kernel_mdb.capacity, space_pool_free());
}
