// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the fair-share allocator (kmod/alloc.c), built in userspace:
 * table-driven trees with their expected shares, invariants over random
 * trees, Jain's index, the demand estimator in a closed loop, and the step
 * time for 1024 leaves (a diagnostic, not asserted).
 */
#define _POSIX_C_SOURCE 199309L
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "ktap.h"

#define M	1000000ULL			/* 1 Mbit/s */
#define G	1000000000ULL			/* 1 Gbit/s */
#define U	IOFAIR_DEMAND_UNBOUNDED
#define NONE	IOFAIR_ALLOC_NO_PARENT
#define MAXN	16

/* Node constructors: root, inner node, leaf. */
#define ROOT(cap)			{ .parent = NONE, .capacity_bps = (cap), .weight = 1 }
#define INNER(p, w, min, max)		{ .parent = (p), .weight = (w), .min_bps = (min), .max_bps = (max) }
#define LEAF(p, w, min, max, d)		{ .parent = (p), .weight = (w), .min_bps = (min), \
					  .max_bps = (max), .leaf = true, .demand_bps = (d) }
#define BL(p, w)			LEAF(p, w, 0, 0, U)	/* backlogged leaf */

typedef unsigned long long ull;

struct alloc_case {
	const char *name;
	int err;
	u32 count;
	struct iofair_alloc_node nodes[MAXN];
	u64 expect[MAXN];	/* alloc_bps of each node */
	u32 tol_ppm;		/* allowed error relative to expect; 0 = exact */
	bool jain;		/* also: Jain's index of the leaves >= 0.999 */
};

static const struct alloc_case cases[] = {
	{ "equal weights, 4 backlogged leaves", 0, 5,
	  { ROOT(1 * G), BL(0, 1), BL(0, 1), BL(0, 1), BL(0, 1) },
	  { 1 * G, 250 * M, 250 * M, 250 * M, 250 * M }, 0, true },
	{ "equal weights, capacity not divisible", 0, 4,
	  { ROOT(1000), BL(0, 7), BL(0, 7), BL(0, 7) },
	  { 1000, 334, 333, 333 }, 0, true },
	{ "weights 1:2:4", 0, 4,
	  { ROOT(7 * G), BL(0, 1), BL(0, 2), BL(0, 4) },
	  { 7 * G, 1 * G, 2 * G, 4 * G }, 0, true },
	{ "weights 1:2:4, 1 Gbit/s", 0, 4,
	  { ROOT(1 * G), BL(0, 1), BL(0, 2), BL(0, 4) },
	  { 1 * G, 142857143, 285714286, 571428571 }, 1000, true },
	{ "weights 1:65535", 0, 3,
	  { ROOT(65536 * M), BL(0, 1), BL(0, 65535) },
	  { 65536 * M, 1 * M, 65535 * M }, 0, true },
	{ "min guarantee above the weighted share is honoured", 0, 4,
	  { ROOT(1 * G), LEAF(0, 1, 600 * M, 0, U), BL(0, 1), BL(0, 1) },
	  { 1 * G, 600 * M, 200 * M, 200 * M }, 0, false },
	{ "min guarantee below the weighted share changes nothing", 0, 3,
	  { ROOT(1 * G), LEAF(0, 1, 100 * M, 0, U), BL(0, 1) },
	  { 1 * G, 500 * M, 500 * M }, 0, true },
	{ "min guarantee is capped by demand", 0, 3,
	  { ROOT(1 * G), LEAF(0, 1, 600 * M, 0, 100 * M), BL(0, 1) },
	  { 1 * G, 100 * M, 900 * M }, 0, false },
	{ "min guarantees with weights", 0, 4,
	  { ROOT(1 * G), LEAF(0, 4, 0, 0, U), LEAF(0, 1, 300 * M, 0, U), BL(0, 1) },
	  { 1 * G, 560 * M, 300 * M, 140 * M }, 0, false },
	{ "min guarantees oversubscribed: scaled to the capacity", 0, 4,
	  { ROOT(1 * G), LEAF(0, 1, 800 * M, 0, U), LEAF(0, 1, 400 * M, 0, U), BL(0, 1) },
	  { 1 * G, 666666667, 333333333, 0 }, 0, false },
	{ "min guarantees exactly the capacity", 0, 4,
	  { ROOT(1 * G), LEAF(0, 1, 500 * M, 0, U), LEAF(0, 1, 500 * M, 0, U), BL(0, 1) },
	  { 1 * G, 500 * M, 500 * M, 0 }, 0, false },
	{ "cap honoured, its excess redistributed", 0, 4,
	  { ROOT(1 * G), LEAF(0, 1, 0, 100 * M, U), BL(0, 1), BL(0, 1) },
	  { 1 * G, 100 * M, 450 * M, 450 * M }, 0, false },
	{ "cap on the heaviest leaf, excess by weight", 0, 4,
	  { ROOT(1 * G), LEAF(0, 4, 0, 200 * M, U), BL(0, 1), BL(0, 3) },
	  { 1 * G, 200 * M, 200 * M, 600 * M }, 0, false },
	{ "min equal to max", 0, 3,
	  { ROOT(1 * G), LEAF(0, 1, 300 * M, 300 * M, U), BL(0, 9) },
	  { 1 * G, 300 * M, 700 * M }, 0, false },
	{ "small demand gives its share away", 0, 4,
	  { ROOT(1 * G), LEAF(0, 1, 0, 0, 50 * M), BL(0, 1), BL(0, 1) },
	  { 1 * G, 50 * M, 475 * M, 475 * M }, 0, false },
	{ "small demands cascade", 0, 5,
	  { ROOT(1 * G), LEAF(0, 1, 0, 0, 100 * M), LEAF(0, 1, 0, 0, 300 * M),
	    LEAF(0, 1, 0, 0, 400 * M), LEAF(0, 1, 0, 0, 500 * M) },
	  { 1 * G, 100 * M, 300 * M, 300 * M, 300 * M }, 0, false },
	{ "all satisfied: the leftover stays unallocated", 0, 3,
	  { ROOT(1 * G), LEAF(0, 1, 0, 0, 100 * M), LEAF(0, 1, 0, 0, 200 * M) },
	  { 300 * M, 100 * M, 200 * M }, 0, false },
	{ "a backlogged leaf soaks up the leftover", 0, 4,
	  { ROOT(1 * G), LEAF(0, 1, 0, 0, 100 * M), LEAF(0, 1, 0, 0, 200 * M), BL(0, 1) },
	  { 1 * G, 100 * M, 200 * M, 700 * M }, 0, false },
	{ "two tenants, one with two targets, get one share each", 0, 6,
	  { ROOT(1 * G), INNER(0, 1, 0, 0), INNER(0, 1, 0, 0), BL(1, 1), BL(1, 1), BL(2, 1) },
	  { 1 * G, 500 * M, 500 * M, 250 * M, 250 * M, 500 * M }, 0, false },
	{ "a tenant's share is split among its targets by demand", 0, 6,
	  { ROOT(1 * G), INNER(0, 1, 0, 0), INNER(0, 1, 0, 0),
	    LEAF(1, 1, 0, 0, 100 * M), BL(1, 1), BL(2, 1) },
	  { 1 * G, 500 * M, 500 * M, 100 * M, 400 * M, 500 * M }, 0, false },
	{ "an idle tenant gives its share to the other", 0, 6,
	  { ROOT(1 * G), INNER(0, 1, 0, 0), INNER(0, 1, 0, 0),
	    LEAF(1, 1, 0, 0, 10 * M), LEAF(1, 1, 0, 0, 20 * M), BL(2, 1) },
	  { 1 * G, 30 * M, 970 * M, 10 * M, 20 * M, 970 * M }, 0, false },
	{ "tenant weights 1:3", 0, 6,
	  { ROOT(1 * G), INNER(0, 1, 0, 0), INNER(0, 3, 0, 0), BL(1, 1), BL(1, 1), BL(2, 1) },
	  { 1 * G, 250 * M, 750 * M, 125 * M, 125 * M, 750 * M }, 0, false },
	{ "tenant cap, split among its targets by weight", 0, 6,
	  { ROOT(1 * G), INNER(0, 1, 0, 300 * M), INNER(0, 1, 0, 0), BL(1, 1), BL(1, 2), BL(2, 1) },
	  { 1 * G, 300 * M, 700 * M, 100 * M, 200 * M, 700 * M }, 0, false },
	{ "tenant guarantee, and a target guarantee inside it", 0, 6,
	  { ROOT(1 * G), INNER(0, 1, 800 * M, 0), INNER(0, 1, 0, 0),
	    LEAF(1, 1, 600 * M, 0, U), BL(1, 1), BL(2, 1) },
	  { 1 * G, 800 * M, 200 * M, 600 * M, 200 * M, 200 * M }, 0, false },
	{ "target guarantees oversubscribe their tenant's share", 0, 6,
	  { ROOT(1 * G), INNER(0, 1, 0, 0), INNER(0, 1, 0, 0),
	    LEAF(1, 1, 400 * M, 0, U), LEAF(1, 1, 600 * M, 0, U), BL(2, 1) },
	  { 1 * G, 500 * M, 500 * M, 200 * M, 300 * M, 500 * M }, 0, false },
	{ "three levels", 0, 8,
	  { ROOT(1200 * M), INNER(0, 1, 0, 0), BL(0, 1), INNER(1, 1, 0, 0), BL(1, 1),
	    BL(3, 1), BL(3, 1), BL(0, 1) },
	  { 1200 * M, 400 * M, 400 * M, 200 * M, 200 * M, 100 * M, 100 * M, 400 * M }, 0, false },
	{ "two roots are independent", 0, 6,
	  { ROOT(1 * G), BL(0, 1), BL(0, 3), ROOT(10 * M), BL(3, 1), BL(3, 1) },
	  { 1 * G, 250 * M, 750 * M, 10 * M, 5 * M, 5 * M }, 0, false },
	{ "root cap below its capacity", 0, 3,
	  { { .parent = NONE, .capacity_bps = 1 * G, .max_bps = 100 * M, .weight = 1 },
	    BL(0, 1), BL(0, 1) },
	  { 100 * M, 50 * M, 50 * M }, 0, false },
	{ "inner node without children", 0, 4,
	  { ROOT(1 * G), INNER(0, 1, 100 * M, 0), BL(0, 1), BL(0, 1) },
	  { 1 * G, 0, 500 * M, 500 * M }, 0, false },
	{ "rates near 2^64 are clamped, not overflowed", 0, 3,
	  { ROOT(U64_MAX), LEAF(0, 65535, 0, U64_MAX, U64_MAX), LEAF(0, 1, U64_MAX - 1, 0, U64_MAX) },
	  { IOFAIR_ALLOC_RATE_MAX, 0, IOFAIR_ALLOC_RATE_MAX }, 0, false },
	{ "huge capacity, weights 65535:1", 0, 3,
	  { ROOT(IOFAIR_ALLOC_RATE_MAX), BL(0, 65535), BL(0, 1) },
	  { IOFAIR_ALLOC_RATE_MAX, 281470681743360ULL, 4294967295ULL }, 0, false },
	/* Degenerate input. */
	{ "count 0", 0, 0, { ROOT(1 * G) }, { 0 }, 0, false },
	{ "capacity 0", 0, 4,
	  { ROOT(0), LEAF(0, 1, 100 * M, 0, U), BL(0, 1), INNER(0, 1, 0, 0) },
	  { 0, 0, 0, 0 }, 0, false },
	{ "single leaf under a root", 0, 2,
	  { ROOT(1 * G), BL(0, 1) }, { 1 * G, 1 * G }, 0, false },
	{ "single leaf that is its own root", 0, 1,
	  { { .parent = NONE, .capacity_bps = 1 * G, .weight = 1, .leaf = true, .demand_bps = 300 * M } },
	  { 300 * M }, 0, false },
	{ "a root alone", 0, 1, { ROOT(1 * G) }, { 0 }, 0, false },
	{ "all idle", 0, 6,
	  { ROOT(1 * G), INNER(0, 1, 0, 0), LEAF(1, 1, 100 * M, 0, 0), LEAF(1, 1, 0, 0, 0),
	    LEAF(0, 1, 0, 0, 0), LEAF(0, 1, 0, 0, 0) },
	  { 0, 0, 0, 0, 0, 0 }, 0, false },
	{ "demand 1 bit/s", 0, 3,
	  { ROOT(1 * G), LEAF(0, 1, 0, 0, 1), LEAF(0, 1, 0, 0, 1) }, { 2, 1, 1 }, 0, false },
	{ "capacity 1 bit/s among 3", 0, 4,
	  { ROOT(1), BL(0, 1), BL(0, 1), BL(0, 1) }, { 1, 1, 0, 0 }, 0, false },
	/* Malformed input: -EINVAL, nothing written. */
	{ "invalid: parent after child", -EINVAL, 2,
	  { INNER(1, 1, 0, 0), ROOT(1 * G) }, { 0 }, 0, false },
	{ "invalid: own parent", -EINVAL, 2,
	  { ROOT(1 * G), INNER(1, 1, 0, 0) }, { 0 }, 0, false },
	{ "invalid: parent out of range", -EINVAL, 2,
	  { ROOT(1 * G), BL(7, 1) }, { 0 }, 0, false },
	{ "invalid: a leaf as parent", -EINVAL, 3,
	  { ROOT(1 * G), BL(0, 1), BL(1, 1) }, { 0 }, 0, false },
	{ "invalid: weight 0", -EINVAL, 3,
	  { ROOT(1 * G), BL(0, 1), BL(0, 0) }, { 0 }, 0, false },
	{ "invalid: weight 65536", -EINVAL, 2,
	  { ROOT(1 * G), BL(0, 65536) }, { 0 }, 0, false },
	{ "invalid: root weight 0", -EINVAL, 2,
	  { { .parent = NONE, .capacity_bps = 1 * G }, BL(0, 1) }, { 0 }, 0, false },
	{ "invalid: min above max", -EINVAL, 3,
	  { ROOT(1 * G), BL(0, 1), LEAF(0, 1, 200 * M, 100 * M, U) }, { 0 }, 0, false },
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

static unsigned char scratch_buf[IOFAIR_ALLOC_MAX_NODES * 64] __attribute__((aligned(8)));

/* Poison for alloc_bps: what compute must overwrite, or leave on error. */
#define POISON 0xdeadbeefdeadbeefULL

static bool within(u64 got, u64 want, u32 tol_ppm)
{
	u64 diff = got > want ? got - want : want - got;

	return (long double)diff <= (long double)want * tol_ppm / 1e6L;
}

static void run_case(const struct alloc_case *tc)
{
	struct iofair_alloc_node nodes[MAXN];
	u64 rates[MAXN];
	u32 weights[MAXN], i, nl = 0;
	bool ok = true;
	int err;

	memcpy(nodes, tc->nodes, sizeof(nodes));
	for (i = 0; i < MAXN; i++)
		nodes[i].alloc_bps = POISON;
	err = iofair_alloc_compute(nodes, tc->count, scratch_buf);
	if (err != tc->err) {
		printf("# returned %d, expected %d\n", err, tc->err);
		ok = false;
	}
	for (i = 0; ok && i < tc->count; i++) {
		u64 want = tc->err ? POISON : tc->expect[i];

		if (!within(nodes[i].alloc_bps, want, tc->err ? 0 : tc->tol_ppm)) {
			printf("# node %u: alloc %llu, expected %llu\n", i,
			       (ull)nodes[i].alloc_bps, (ull)want);
			ok = false;
		}
		if (nodes[i].leaf) {
			rates[nl] = nodes[i].alloc_bps;
			weights[nl++] = nodes[i].weight;
		}
	}
	if (ok && tc->jain) {
		u32 j = iofair_jain_ppm(rates, weights, nl);

		printf("# jain %u ppm\n", j);
		ok = j >= 999000;
	}
	KTAP_CHECK(ok, "alloc: %s", tc->name);
}

static void check_null_args(void)
{
	struct iofair_alloc_node nodes[2] = { ROOT(1 * G), BL(0, 1) };
	bool ok;

	/* KTAP_CHECK evaluates its condition twice: compute it first. */
	ok = iofair_alloc_compute(nodes, 2, NULL) == -EINVAL &&
	     iofair_alloc_compute(NULL, 2, scratch_buf) == -EINVAL &&
	     iofair_alloc_compute(NULL, 0, NULL) == 0 &&
	     iofair_alloc_compute(nodes, IOFAIR_ALLOC_MAX_NODES + 1, scratch_buf) == -EINVAL &&
	     iofair_alloc_scratch_size(0) == 0 &&
	     iofair_alloc_scratch_size(IOFAIR_ALLOC_MAX_NODES) <= sizeof(scratch_buf);
	KTAP_CHECK(ok, "alloc: NULL arguments, too many nodes, scratch size");
}

/* ---- Invariants over random trees ---- */

static u64 rng_state = 0x9e3779b97f4a7c15ULL;

static u64 rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static u64 rnd_rate(void)
{
	switch (rnd() % 8) {
	case 0:
		return 0;
	case 1:
		return U;
	case 2:
		return rnd() % 1000;
	default:
		return rnd() % (100 * G);
	}
}

static u64 min64(u64 a, u64 b)
{
	return a < b ? a : b;
}

static u64 clampr(u64 v)
{
	return min64(v, IOFAIR_ALLOC_RATE_MAX);
}

static u32 random_tree(struct iofair_alloc_node *n, u32 count)
{
	u32 i, inner[64], ninner = 0;

	for (i = 0; i < count; i++) {
		memset(&n[i], 0, sizeof(n[i]));
		n[i].alloc_bps = POISON;
		n[i].weight = rnd() % 4 ? 1 + rnd() % 8 : 1 + rnd() % IOFAIR_ALLOC_MAX_WEIGHT;
		if (i == 0 || rnd() % 16 == 0) {
			n[i].parent = NONE;
			n[i].capacity_bps = rnd() % 8 ? rnd() % (400 * G) : rnd_rate();
		} else {
			n[i].parent = inner[rnd() % ninner];
			n[i].leaf = rnd() % 3 != 0;
		}
		if (rnd() % 3 == 0)
			n[i].min_bps = rnd_rate();
		if (rnd() % 3 == 0) {
			n[i].max_bps = rnd_rate();
			if (n[i].max_bps && n[i].min_bps > n[i].max_bps)
				n[i].min_bps = n[i].max_bps;
		}
		if (n[i].leaf)
			n[i].demand_bps = rnd_rate();
		else if (ninner < 64)
			inner[ninner++] = i;
	}
	return count;
}

/*
 * The weighted max-min allocation is the unique one with: conservation
 * (children share their parent's allocation, or all get what they want),
 * guarantees honoured (unless oversubscribed), nobody above its want, and no
 * child that wants more having a lower weighted rate than a sibling above
 * its floor (up to 1 bit/s of rounding each).
 */
static bool check_invariants(const struct iofair_alloc_node *n, u32 count, u64 *want)
{
	static u64 sum[2048], sum_lo[2048];
	u32 i, j;

	for (i = 0; i < count; i++) {
		want[i] = n[i].leaf ? clampr(n[i].demand_bps) : 0;
		sum[i] = sum_lo[i] = 0;
	}
	for (i = count; i-- > 0;) {
		want[i] = min64(want[i], n[i].max_bps ? clampr(n[i].max_bps) : IOFAIR_ALLOC_RATE_MAX);
		if (n[i].parent != NONE)
			want[n[i].parent] += want[i];
	}
	for (i = 0; i < count; i++) {
		if (n[i].alloc_bps > want[i]) {
			printf("# node %u: alloc %llu > want %llu\n", i, (ull)n[i].alloc_bps, (ull)want[i]);
			return false;
		}
		if (n[i].parent == NONE) {
			if (n[i].alloc_bps != min64(clampr(n[i].capacity_bps), want[i])) {
				printf("# root %u: alloc %llu\n", i, (ull)n[i].alloc_bps);
				return false;
			}
			continue;
		}
		sum[n[i].parent] += n[i].alloc_bps;
		sum_lo[n[i].parent] += min64(clampr(n[i].min_bps), want[i]);
	}
	for (i = 0; i < count; i++) {
		u32 p = n[i].parent;
		u64 lo;

		if (!n[i].leaf && sum[i] != n[i].alloc_bps) {
			printf("# node %u: children sum %llu != alloc %llu\n", i, (ull)sum[i],
			       (ull)n[i].alloc_bps);
			return false;
		}
		if (p == NONE)
			continue;
		lo = min64(clampr(n[i].min_bps), want[i]);
		if (sum_lo[p] <= n[p].alloc_bps && n[i].alloc_bps < lo) {
			printf("# node %u: alloc %llu below guarantee %llu\n", i,
			       (ull)n[i].alloc_bps, (ull)lo);
			return false;
		}
		if (sum_lo[p] >= n[p].alloc_bps || n[i].alloc_bps >= want[i])
			continue;
		/* i wants more: no sibling above its floor is better off. */
		for (j = 0; j < count; j++) {
			__extension__ typedef unsigned __int128 u128;
			u64 lo_j;

			if (j == i || n[j].parent != p)
				continue;
			lo_j = min64(clampr(n[j].min_bps), want[j]);
			if (n[j].alloc_bps <= lo_j)
				continue;
			if ((u128)(n[i].alloc_bps + 1) * n[j].weight <
			    (u128)(n[j].alloc_bps - 1) * n[i].weight) {
				printf("# nodes %u (%llu/%u, wants %llu) and %u (%llu/%u): not max-min fair\n",
				       i, (ull)n[i].alloc_bps, n[i].weight, (ull)want[i],
				       j, (ull)n[j].alloc_bps, n[j].weight);
				return false;
			}
		}
	}
	return true;
}

static void check_random_trees(u32 trees)
{
	static struct iofair_alloc_node n[256];
	static u64 want[256];
	u32 t, bad = 0;

	for (t = 0; t < trees; t++) {
		u32 count = random_tree(n, 1 + rnd() % 200);

		if (iofair_alloc_compute(n, count, scratch_buf) ||
		    !check_invariants(n, count, want)) {
			printf("# tree %u (%u nodes) failed\n", t, count);
			if (++bad > 3)
				break;
		}
	}
	KTAP_CHECK(!bad, "alloc: invariants of weighted max-min over %u random trees", trees);
}

/* ---- 1024 leaves ---- */

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double time_step(struct iofair_alloc_node *n, u32 count)
{
	const int reps = 2000;
	double t0;
	int r;

	/* Demands change a little every step, as in the controller. */
	t0 = now_us();
	for (r = 0; r < reps; r++) {
		n[count - 1].demand_bps = r & 1 ? U : 10 * M;
		iofair_alloc_compute(n, count, scratch_buf);
	}
	return (now_us() - t0) / reps;
}

static const char *build_note(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return " (built with sanitizers)";
#else
	return "";
#endif
}

static void check_1024(void)
{
	static struct iofair_alloc_node n[1 + 256 + 1024];
	static u64 rates[1024], want[1 + 256 + 1024];
	static u32 weights[1024];
	u64 sum = 0, cap = 10 * G + 7;
	bool ok = true, equal = true;
	u32 i, j;
	int err;

	/* Flat: one root, 1024 backlogged leaves. */
	n[0] = (struct iofair_alloc_node)ROOT(cap);
	for (i = 1; i <= 1024; i++)
		n[i] = (struct iofair_alloc_node)BL(0, 1);
	err = iofair_alloc_compute(n, 1025, scratch_buf);
	for (i = 1; i <= 1024; i++) {
		sum += n[i].alloc_bps;
		rates[i - 1] = n[i].alloc_bps;
		weights[i - 1] = 1;
		equal &= n[i].alloc_bps == cap / 1024 || n[i].alloc_bps == cap / 1024 + 1;
	}
	j = iofair_jain_ppm(rates, weights, 1024);
	printf("# 1024 backlogged leaves: sum %llu of %llu, jain %u ppm\n", (ull)sum, (ull)cap, j);
	KTAP_CHECK(!err && sum == cap && equal && j >= 999999,
		   "alloc: 1024 equal backlogged leaves share the capacity exactly");
	printf("# step time, 1024 leaves under one root: %.1f us%s\n", time_step(n, 1025),
	       build_note());

	/* Weighted, with mixed demands: sum == capacity, Jain over the backlogged. */
	sum = 0;
	for (i = 1; i <= 1024; i++) {
		n[i] = (struct iofair_alloc_node)BL(0, 1 + i % 7);
		if (i % 5 == 0)
			n[i].demand_bps = (u64)i * 100000;
	}
	err = iofair_alloc_compute(n, 1025, scratch_buf);
	for (i = 1, j = 0; i <= 1024; i++) {
		sum += n[i].alloc_bps;
		if (n[i].demand_bps == U) {
			rates[j] = n[i].alloc_bps;
			weights[j++] = n[i].weight;
		}
	}
	ok = !err && sum == cap && check_invariants(n, 1025, want);
	j = iofair_jain_ppm(rates, weights, j);
	printf("# 1024 leaves, weights 1..7, 1 in 5 with small demand: jain of the backlogged %u ppm\n", j);
	KTAP_CHECK(ok && j >= 999999, "alloc: 1024 weighted leaves, mixed demands");

	/* Two levels: 256 tenants with 4 targets each. */
	n[0] = (struct iofair_alloc_node)ROOT(cap);
	for (i = 0; i < 256; i++)
		n[1 + i] = (struct iofair_alloc_node)INNER(0, 1 + i % 3, i % 4 ? 0 : 10 * M, 0);
	for (i = 0; i < 1024; i++) {
		n[257 + i] = (struct iofair_alloc_node)BL(1 + i / 4, 1 + i % 4);
		if (i % 3 == 0)
			n[257 + i].demand_bps = (u64)i * 10000;
	}
	err = iofair_alloc_compute(n, 1281, scratch_buf);
	for (i = 1, sum = 0; i <= 256; i++)
		sum += n[i].alloc_bps;
	ok = !err && sum == cap && check_invariants(n, 1281, want);
	KTAP_CHECK(ok, "alloc: 256 tenants x 4 targets");
	printf("# step time, 256 tenants x 4 targets: %.1f us%s\n", time_step(n, 1281), build_note());
}

/* ---- Jain's index ---- */

static const struct {
	const char *name;
	u32 n;
	u64 rate[4];
	u32 weight[4];
	u32 lo, hi;	/* expected range, ppm */
} jains[] = {
	{ "n = 0", 0, { 0 }, { 0 }, 1000000, 1000000 },
	{ "one entry", 1, { 5 }, { 3 }, 1000000, 1000000 },
	{ "4 equal", 4, { 7, 7, 7, 7 }, { 1, 1, 1, 1 }, 1000000, 1000000 },
	{ "all zero", 3, { 0, 0, 0 }, { 1, 2, 3 }, 1000000, 1000000 },
	{ "one of 4 idle", 4, { 9 * G, 9 * G, 9 * G, 0 }, { 1, 1, 1, 1 }, 750000, 750000 },
	{ "1 and 3", 2, { 1 * M, 3 * M }, { 1, 1 }, 800000, 800000 },
	{ "rates 1:2:4 by weights 1:2:4", 3, { 1 * G, 2 * G, 4 * G }, { 1, 2, 4 }, 1000000, 1000000 },
	{ "rates 1:2:4, equal weights", 3, { 1 * G, 2 * G, 4 * G }, { 5, 5, 5 }, 777777, 777778 },
	{ "weight 0 counts as 1", 2, { 4 * M, 4 * M }, { 0, 1 }, 1000000, 1000000 },
	{ "near 2^64, equal", 3, { U64_MAX, U64_MAX, U64_MAX }, { 1, 1, 1 }, 1000000, 1000000 },
	{ "near 2^64, 1:2", 2, { U64_MAX, U64_MAX / 2 }, { 1, 1 }, 899999, 900001 },
	{ "1 and 3 bit/s, weight 65535", 2, { 1, 3 }, { 65535, 65535 }, 799999, 800001 },
};

static void check_jain(void)
{
	static u64 rates[4096];
	static u32 weights[4096];
	u32 i, j;

	for (i = 0; i < sizeof(jains) / sizeof(jains[0]); i++) {
		j = iofair_jain_ppm(jains[i].rate, jains[i].weight, jains[i].n);
		KTAP_CHECK(j >= jains[i].lo && j <= jains[i].hi, "jain: %s (%u ppm)", jains[i].name, j);
	}
	/* Half at x, half at 3x: (2x)^2 / (5x^2) = 0.8, for any n. */
	for (i = 0; i < 4096; i++) {
		rates[i] = i % 2 ? 3 * 123456789ULL : 123456789ULL;
		weights[i] = 1;
	}
	j = iofair_jain_ppm(rates, weights, 4096);
	KTAP_CHECK(j >= 799999 && j <= 800001, "jain: 4096 entries, x and 3x (%u ppm)", j);
}

/* ---- Demand estimator ---- */

static const struct {
	const char *name;
	u64 prev, achieved, alloc;
	bool limited;
	u64 expect;
} estimates[] = {
	{ "limited: backlogged", 10 * M, 10 * M, 10 * M, true, U },
	{ "new leaf, nothing sent: the floor", 0, 0, 0, false, IOFAIR_DEMAND_FLOOR_BPS },
	{ "rising: rate + 1/8 + floor at once", 10 * M, 80 * M, 100 * M, false, 91 * M },
	{ "falling, still sending: half the gap", 200 * M, 40 * M, 200 * M, false, 123 * M },
	{ "falling to nothing: 3/4 of the gap", 200 * M, 0, 200 * M, false, 50750000 },
	{ "falling from backlogged: from the allocation", U, 200 * M, 250 * M, false, 238 * M },
	{ "steady: the fixed point", 113500000, 100 * M, 113500000, false, 113500000 },
	{ "huge rate: clamped", 0, U64_MAX, U64_MAX, false, IOFAIR_ALLOC_RATE_MAX },
};

/*
 * Closed loop under one root: each step the allocator runs on the current
 * estimates, a leaf achieves min(real demand, allocation), is limited when
 * its real demand is above its allocation, and gets a new estimate.
 */
struct sim {
	u32 n;
	struct iofair_alloc_node node[5];
	u64 real[5];
};

static void sim_init(struct sim *s, u64 cap, u32 leaves)
{
	u32 i;

	memset(s, 0, sizeof(*s));
	s->n = leaves + 1;
	s->node[0] = (struct iofair_alloc_node)ROOT(cap);
	for (i = 1; i <= leaves; i++)
		s->node[i] = (struct iofair_alloc_node)LEAF(0, 1, 0, 0, 0);
}

static void sim_step(struct sim *s)
{
	u32 i;

	iofair_alloc_compute(s->node, s->n, scratch_buf);
	for (i = 1; i < s->n; i++) {
		struct iofair_alloc_node *n = &s->node[i];
		u64 achieved = min64(s->real[i], n->alloc_bps);

		n->demand_bps = iofair_demand_estimate(n->demand_bps, achieved, n->alloc_bps,
						       s->real[i] > n->alloc_bps, IOFAIR_DEMAND_FLOOR_BPS);
	}
}

/* Steps until leaf i's allocation is within 10% of share (recomputed first). */
static u32 sim_converge(struct sim *s, u32 i, u64 share, u32 limit)
{
	u32 k;

	for (k = 0; k <= limit; k++) {
		iofair_alloc_compute(s->node, s->n, scratch_buf);
		if (within(s->node[i].alloc_bps, share, 100000))
			return k;
		sim_step(s);
	}
	return k;
}

static void check_estimator(void)
{
	struct sim s;
	u64 prev;
	u32 i, k;
	bool mono = true;

	for (i = 0; i < sizeof(estimates) / sizeof(estimates[0]); i++) {
		u64 d = iofair_demand_estimate(estimates[i].prev, estimates[i].achieved,
					       estimates[i].alloc, estimates[i].limited, IOFAIR_DEMAND_FLOOR_BPS);

		KTAP_CHECK(d == estimates[i].expect, "estimate: %s (%llu)", estimates[i].name, (ull)d);
	}

	/* Alone: real demand 10 -> 500 Mbit/s. */
	sim_init(&s, 1 * G, 1);
	s.real[1] = 10 * M;
	for (i = 0; i < 40; i++)
		sim_step(&s);
	prev = s.node[1].demand_bps;
	s.real[1] = 500 * M;
	for (k = 0; k < 20; k++) {
		iofair_alloc_compute(s.node, s.n, scratch_buf);
		if (s.node[1].alloc_bps >= s.real[1])
			break;
		sim_step(&s);
	}
	for (i = 0; i < 40; i++)
		sim_step(&s);
	printf("# alone, 10 -> 500 Mbit/s: estimate %llu before, %u steps to the new rate, settles at %llu\n",
	       (ull)prev, k, (ull)s.node[1].demand_bps);
	KTAP_CHECK(prev == 12250000 && k <= 2 && s.node[1].demand_bps == 563500000 &&
		   s.node[1].alloc_bps >= 500 * M,
		   "estimate: a limited leaf rising from 10 to 500 Mbit/s reaches it in <= 2 steps");

	/* Against a backlogged leaf: 10 -> 500, its share is 500 of 1000. */
	sim_init(&s, 1 * G, 2);
	s.real[1] = 10 * M;
	s.real[2] = U;
	for (i = 0; i < 40; i++)
		sim_step(&s);
	prev = s.node[2].alloc_bps;
	s.real[1] = 500 * M;
	k = sim_converge(&s, 1, 500 * M, 20);
	printf("# against a backlogged leaf, 10 -> 500 Mbit/s: %u steps; the other had %llu\n", k,
	       (ull)prev);
	KTAP_CHECK(prev == 1 * G - 12250000 && k <= 3,
		   "estimate: work-conserving before, within 10%% of the share in <= 3 steps after");

	/* Going idle: its estimate decays, the backlogged one takes the share. */
	s.real[1] = 0;
	k = sim_converge(&s, 2, 1 * G, 20);
	prev = s.node[1].demand_bps;
	for (i = 0; i < 30; i++) {
		sim_step(&s);
		mono &= s.node[1].demand_bps <= prev;
		prev = s.node[1].demand_bps;
	}
	printf("# going idle: the other within 10%% in %u steps; idle estimate %llu after 30 more\n", k,
	       (ull)prev);
	KTAP_CHECK(k <= 3 && mono && prev <= IOFAIR_DEMAND_FLOOR_BPS + 1,
		   "estimate: an idle leaf's demand decays to the floor, its share is taken in <= 3 steps");

	/* 4 backlogged, one goes idle: the three others get 1/3 each. */
	sim_init(&s, 1200 * M, 4);
	for (i = 1; i <= 4; i++)
		s.real[i] = U;
	for (i = 0; i < 5; i++)
		sim_step(&s);
	k = s.node[1].alloc_bps == 300 * M && s.node[4].alloc_bps == 300 * M ? 0 : 100;
	s.real[4] = 0;
	k += sim_converge(&s, 1, 400 * M, 20);
	printf("# 4 backlogged, one goes idle: %u steps to within 10%% of 1/3\n", k);
	KTAP_CHECK(k <= 3, "estimate: a share released by an idle leaf is taken in <= 3 steps");

	/* A leaf at a steady 200 of its 300 share, not limited: stable, no oscillation. */
	sim_init(&s, 900 * M, 3);
	s.real[1] = 200 * M;
	s.real[2] = s.real[3] = U;
	for (i = 0; i < 30; i++)
		sim_step(&s);
	prev = s.node[1].alloc_bps;
	sim_step(&s);
	KTAP_CHECK(prev == s.node[1].alloc_bps && prev == 226 * M &&
		   s.node[2].alloc_bps == 337 * M,
		   "estimate: a steady leaf below its share settles at rate + 1/8 + floor");
}

int main(void)
{
	u32 njain = sizeof(jains) / sizeof(jains[0]) + 1;
	u32 nest = sizeof(estimates) / sizeof(estimates[0]) + 5;
	u32 i;

	KTAP_PLAN((int)(NCASES + 1 + 1 + 3 + njain + nest));
	for (i = 0; i < NCASES; i++)
		run_case(&cases[i]);
	check_null_args();
	check_random_trees(2000);
	check_1024();
	check_jain();
	check_estimator();
	KTAP_EXIT();
}
