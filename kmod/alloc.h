/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iofair: the fair-share allocator (kmod/alloc.c).  Pure computation, no
 * locking, no allocation; builds in the module and in userspace (unit tests).
 * Rates are bits per second.
 */
#ifndef _IOFAIR_ALLOC_H
#define _IOFAIR_ALLOC_H

#ifdef __KERNEL__
#include <linux/limits.h>
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>

typedef unsigned int u32;
typedef unsigned long long u64;
#ifndef U32_MAX
#define U32_MAX ((u32)~0U)
#endif
#ifndef U64_MAX
#define U64_MAX ((u64)~0ULL)
#endif
#endif /* __KERNEL__ */

#define IOFAIR_ALLOC_NO_PARENT	U32_MAX
/* At most this many nodes per computation (so a sum of weights fits a u32). */
#define IOFAIR_ALLOC_MAX_NODES	65536U
#define IOFAIR_ALLOC_MAX_WEIGHT	65535U
/* Rates above this (2^48 - 1, about 281 Tbit/s) are taken as this. */
#define IOFAIR_ALLOC_RATE_MAX	((1ULL << 48) - 1)
/* demand_bps of a backlogged leaf: it takes whatever it is given. */
#define IOFAIR_DEMAND_UNBOUNDED	U64_MAX

/*
 * Demand estimator constants (see the essay in alloc.c).  The floor is the
 * caller's: IOFAIR_DEMAND_FLOOR_BPS, or less under a small capacity (an
 * idle leaf keeps min(floor, its share)).
 */
#define IOFAIR_DEMAND_FLOOR_BPS		1000000ULL	/* 1 Mbit/s */
#define IOFAIR_DEMAND_HEADROOM_SHIFT	3		/* + achieved / 8 */
#define IOFAIR_DEMAND_DECAY_SHIFT	1		/* gap / 2 per interval */
#define IOFAIR_DEMAND_IDLE_SHIFT	2		/* gap / 4: below the floor */

/*
 * One node of the policy tree.  In: parent is the index of the parent, which
 * comes before this node in the array, or IOFAIR_ALLOC_NO_PARENT for a root.
 * demand_bps is read for leaves only (IOFAIR_DEMAND_UNBOUNDED: backlogged),
 * capacity_bps for roots only.  Out: alloc_bps, the node's share; for an
 * inner node or a root the sum of its children's.
 */
struct iofair_alloc_node {
	u32 parent;
	u64 capacity_bps;	/* roots: what is shared (0 = nothing) */
	u64 min_bps;		/* guarantee (bw-min), 0 = none */
	u64 max_bps;		/* cap (bw-max), 0 = none */
	u32 weight;		/* 1..IOFAIR_ALLOC_MAX_WEIGHT */
	bool leaf;		/* a target: no children */
	u64 demand_bps;		/* leaves: estimated demand */
	u64 alloc_bps;		/* out: the share */
};

/*
 * Compute alloc_bps of every node.  scratch: at least
 * iofair_alloc_scratch_size(count) bytes, 8-byte aligned.  Returns 0, or
 * -EINVAL (and writes nothing) on malformed input: count above
 * IOFAIR_ALLOC_MAX_NODES, a parent not before its child, a leaf parent,
 * weight 0 or above IOFAIR_ALLOC_MAX_WEIGHT, min > max.
 */
int iofair_alloc_compute(struct iofair_alloc_node *nodes, u32 count,
			 void *scratch);
size_t iofair_alloc_scratch_size(u32 count);

/*
 * Jain's fairness index of rate_bps[i] / weight[i] over n entries, in parts
 * per million (1000000 = all equal).  n = 0 or all rates 0: 1000000.  A
 * weight of 0 counts as 1.
 */
u32 iofair_jain_ppm(const u64 *rate_bps, const u32 *weight, u32 n);

static inline u64 iofair_add_sat(u64 a, u64 b)
{
	return a + b < a ? U64_MAX : a + b;
}

/**
 * iofair_demand_estimate() - a leaf's demand for the next interval
 * @prev_demand_bps: the last estimate
 * @achieved_bps: the rate achieved in the interval
 * @alloc_bps: the allocation in force during the interval
 * @limited: the leaf wanted more than its limit (dropped, or held near it)
 * @floor_bps: the least demand an unlimited leaf keeps
 *
 * See "Demand estimation" in alloc.c.  Inline: the controller calls it for
 * every leaf at every step.
 *
 * Return: the new estimate, IOFAIR_DEMAND_UNBOUNDED for a limited leaf.
 */
static inline u64 iofair_demand_estimate(u64 prev_demand_bps, u64 achieved_bps,
					 u64 alloc_bps, bool limited, u64 floor_bps)
{
	u64 target, prev;

	if (limited)
		return IOFAIR_DEMAND_UNBOUNDED;
	target = iofair_add_sat(achieved_bps, achieved_bps >> IOFAIR_DEMAND_HEADROOM_SHIFT);
	target = iofair_add_sat(target, floor_bps);
	if (target > IOFAIR_ALLOC_RATE_MAX)
		target = IOFAIR_ALLOC_RATE_MAX;
	prev = prev_demand_bps < alloc_bps ? prev_demand_bps : alloc_bps;
	if (target >= prev)
		return target;
	if (achieved_bps < floor_bps)
		return target + ((prev - target) >> IOFAIR_DEMAND_IDLE_SHIFT);
	return target + ((prev - target) >> IOFAIR_DEMAND_DECAY_SHIFT);
}

#endif /* _IOFAIR_ALLOC_H */
