// SPDX-License-Identifier: GPL-2.0
/*
 * iofair: work-conserving weighted max-min fair shares down a policy tree.
 *
 * The tree.  Nodes come in an array, each parent before its children.  A
 * root has a capacity C (the PF link, an uplink budget); leaves are targets
 * with a demand d (estimated by iofair_demand_estimate(), alloc.h); inner nodes
 * are tenants or groups.  Every node may have a guarantee m (bw-min), a cap
 * M (bw-max) and a weight w in 1..65535 (a root's m and w have no effect).
 * All rates are u64 bits per second.
 *
 * Demand, bottom up.  A leaf wants h = min(d, M); an inner node wants
 * h = min(sum of its children's h, M).  A tenant with a VF and a vhost NIC
 * is one inner node: it competes for one share, which its targets then split.
 *
 * Shares, top down.  A root hands out S = min(C, h).  A node with share S
 * gives each child c, with floor l_c = min(m_c, h_c) and ceiling h_c,
 *
 *	a_c = clamp(w_c * L, l_c, h_c)
 *
 * with the water level L chosen so that sum a_c = S (or every child gets
 * h_c when sum h_c <= S).  So a guarantee is a floor, not a bonus on top of
 * the weighted share (HTB adds them; here a child whose weighted share is
 * above its bw-min gets exactly what it would get without one).  A child
 * that wants less than w_c * L gets what it wants and the rest goes to the
 * others: work-conserving.  When the guarantees alone exceed S (sum l_c >=
 * S) each child gets l_c * S / sum l_c and there is no water left.  What no
 * leaf wants stays unallocated: no headroom is handed out beyond demand,
 * except that a backlogged leaf (d = IOFAIR_DEMAND_UNBOUNDED) takes up
 * whatever its weight lets it, leftovers included.
 *
 * Finding L.  sum_c clamp(w_c * L, l_c, h_c) is piecewise linear and
 * nondecreasing in L, with corners at l_c / w_c (c starts to rise) and
 * h_c / w_c (c is full; a child with l_c = 0 rises from L = 0 and has no
 * first corner).  The corners are sorted (heapsort, in the caller's scratch)
 * and swept keeping F, the sum of the children not rising, and W, the sum of
 * the rising children's weights, until F + W * L reaches S; then
 * L = (S - F) / W.  O(k log k) for k children, O(n log n) for the tree: 1024
 * leaves under one root take about 35 us on a slow x86-64 host.
 *
 * Rounding.  a_c = floor(w_c * (S - F) / W), clamped; the few bits per
 * second lost to flooring (fewer than the number of children) go one each
 * to the first children with room, so the shares of a node's children add
 * up to its share exactly.
 *
 * Ranges and overflow.  Rates are taken up to IOFAIR_ALLOC_RATE_MAX = 2^48 - 1
 * (larger ones, like an unbounded demand, count as that) and a computation
 * has at most 2^16 nodes, so every sum of rates fits a u64 and a sum of
 * weights a u32.  Sorting compares rate * weight products below 2^64;
 * products of a rate and a weight sum (2^48 * 2^32) are compared exactly in
 * 96 bits (ratio_cmp()), and the divisions
 * w_c * (S - F) / W and l_c * S / sum l_c use mul_u64_u32_div() and
 * mul_u64_u64_div_u64(), whose 128-bit intermediate cannot overflow and
 * whose quotient fits a u64 (on x86-64 a quotient that does not fit would
 * trap).  No floating point.
 *
 * Demand estimation, per leaf and controller interval, from the achieved
 * rate r, the allocation a and whether the leaf was limited (its limiter
 * dropped or queued):
 *
 *	limited:     d' = IOFAIR_DEMAND_UNBOUNDED
 *	not limited: t = r + r / 8 + 1 Mbit/s,  p = min(d, a)
 *	             d' = t                  if t >= p
 *	             d' = t + (p - t) / 2    otherwise, if r >= the floor
 *	             d' = t + (p - t) / 4    otherwise (rounded down)
 *
 * A limited leaf wants more than it had but cannot say how much; the
 * estimator cannot know the leaf's share either.  Marking it backlogged lets
 * the allocator give it its max-min share at the next step, which is what a
 * backlogged flow gets from a packet scheduler; if it then uses less, it is
 * no longer limited and the second rule takes it down to what it uses.  (A
 * multiplicative probe, say x1.25 per interval, would need log(500/10) /
 * log(1.25) = 18 intervals to go from 10 to 500 Mbit/s; DESIGN.md asks for
 * 3.)
 * An unlimited leaf's demand rises at once with its rate, plus 1/8 headroom
 * and a floor (the caller's: 1 Mbit/s, less under a small capacity) so that
 * it is not limited by its own estimate, and
 * falls by half the gap per interval while it still sends: one short lull
 * does not give its share away.  A leaf that sent less than the floor in an
 * interval has most likely stopped; its demand falls by 3/4 of the gap, to
 * within (p - t) / 4^k of the floor in k intervals, so that the others get
 * within 10 % of their new share at the first step after the stop and the
 * limiters (which re-space what they hold at once) deliver it in the next
 * interval: 2 intervals, where DESIGN.md asks for 3.  Not all at once: under
 * emulation a sender can be descheduled for a whole interval, and a leaf
 * that must win its share back through the limited rule loses an interval
 * at the floor each time.  The fixed point for a steady rate r below the
 * share is d = r + r / 8 + 1 Mbit/s, reached geometrically from above and in
 * one step from below.
 */
#ifdef __KERNEL__
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/math64.h>

#define alloc_bug(cond) WARN_ON_ONCE(cond)
#else
#include <assert.h>
#include <errno.h>

#include "rate.h"	/* mul_u64_u64_div_u64() for userspace */
#endif

#include "alloc.h"

#ifndef __KERNEL__
static inline bool alloc_bug(bool cond)
{
	assert(!cond);
	return cond;
}

/* linux/math64.h's mul_u64_u32_div() for userspace; rate.h has the other. */
static inline u64 mul_u64_u32_div(u64 a, u32 mul, u32 div)
{
	return mul_u64_u64_div_u64(a, mul, div);
}
#endif

/*
 * One corner of the water-filling curve: child tag >> 1 starts to rise
 * (tag & 1 == 0) or is full (tag & 1 == 1) at water level x / w.
 */
struct iofair_alloc_event {
	u64 x;
	u32 w;
	u32 tag;
};

/* The caller's scratch, carved up. */
struct iofair_alloc_scratch {
	u64 *want;		/* h: demand capped by bw-max */
	u32 *first_child;
	u32 *next_sibling;
	struct iofair_alloc_event *ev;
};

static inline u64 min_u64(u64 a, u64 b)
{
	return a < b ? a : b;
}

static inline u64 clamp_rate(u64 bps)
{
	return min_u64(bps, IOFAIR_ALLOC_RATE_MAX);
}

/* bw-max as a ceiling: 0 means none. */
static inline u64 cap_of(const struct iofair_alloc_node *n)
{
	return n->max_bps ? clamp_rate(n->max_bps) : IOFAIR_ALLOC_RATE_MAX;
}

/* Number of significant bits in @v (0 for 0). */
static u32 bits_u64(u64 v)
{
	u32 n = 0;

	while (v) {
		n++;
		v >>= 1;
	}
	return n;
}

/* Compare x1 / w1 with x2 / w2 exactly: -1, 0 or 1.  w1, w2 > 0. */
static int ratio_cmp(u64 x1, u32 w1, u64 x2, u32 w2)
{
	/* x1 * w2 and x2 * w1 as hi * 2^32 + lo, each below 2^96. */
	u64 a_lo = (x1 & 0xffffffffULL) * w2, a_hi = (x1 >> 32) * w2;
	u64 b_lo = (x2 & 0xffffffffULL) * w1, b_hi = (x2 >> 32) * w1;

	a_hi += a_lo >> 32;
	a_lo &= 0xffffffffULL;
	b_hi += b_lo >> 32;
	b_lo &= 0xffffffffULL;
	if (a_hi != b_hi)
		return a_hi < b_hi ? -1 : 1;
	if (a_lo != b_lo)
		return a_lo < b_lo ? -1 : 1;
	return 0;
}

/* x < 2^48 and w < 2^16 here: the products fit a u64. */
static inline bool ev_less(const struct iofair_alloc_event *a,
			   const struct iofair_alloc_event *b)
{
	return a->x * b->w < b->x * a->w;
}

static void ev_sift_down(struct iofair_alloc_event *ev, u32 root, u32 n)
{
	struct iofair_alloc_event tmp;
	u32 child;

	while ((child = 2 * root + 1) < n) {
		if (child + 1 < n && ev_less(&ev[child], &ev[child + 1]))
			child++;
		if (!ev_less(&ev[root], &ev[child]))
			return;
		tmp = ev[root];
		ev[root] = ev[child];
		ev[child] = tmp;
		root = child;
	}
}

/* Heapsort by water level: in place, O(n log n), no recursion. */
static void ev_sort(struct iofair_alloc_event *ev, u32 n)
{
	struct iofair_alloc_event tmp;
	u32 i;

	for (i = n / 2; i-- > 0;)
		ev_sift_down(ev, i, n);
	for (i = n; i-- > 1;) {
		tmp = ev[0];
		ev[0] = ev[i];
		ev[i] = tmp;
		ev_sift_down(ev, 0, i);
	}
}

static inline u64 floor_of(const struct iofair_alloc_node *n, u64 want)
{
	return min_u64(clamp_rate(n->min_bps), want);
}

/*
 * Split @share among the children of @p (share > 0, at least one child):
 * see "Shares" and "Finding L" above.
 */
static void alloc_split(struct iofair_alloc_node *nodes,
			const struct iofair_alloc_scratch *s, u32 p, u64 share)
{
	u64 sum_lo = 0, sum_hi = 0, fixed, left, lo, hi, a;
	struct iofair_alloc_event *ev = s->ev;
	u32 c, i, nev = 0, wsum = 0;

	for (c = s->first_child[p]; c != IOFAIR_ALLOC_NO_PARENT;
	     c = s->next_sibling[c]) {
		sum_hi += s->want[c];
		sum_lo += floor_of(&nodes[c], s->want[c]);
	}

	if (sum_hi <= share) {
		/* Everyone gets what they want; the rest stays unallocated. */
		for (c = s->first_child[p]; c != IOFAIR_ALLOC_NO_PARENT;
		     c = s->next_sibling[c])
			nodes[c].alloc_bps = s->want[c];
		return;
	}

	if (sum_lo >= share) {
		/* Guarantees oversubscribed: scale them down to the share. */
		left = share;
		for (c = s->first_child[p]; c != IOFAIR_ALLOC_NO_PARENT;
		     c = s->next_sibling[c]) {
			lo = floor_of(&nodes[c], s->want[c]);
			a = mul_u64_u64_div_u64(lo, share, sum_lo);
			nodes[c].alloc_bps = a;
			left -= a;
		}
		for (c = s->first_child[p]; left && c != IOFAIR_ALLOC_NO_PARENT;
		     c = s->next_sibling[c]) {
			if (nodes[c].alloc_bps < floor_of(&nodes[c], s->want[c])) {
				nodes[c].alloc_bps++;
				left--;
			}
		}
		return;
	}

	/* Water-fill: sum_lo < share < sum_hi. */
	fixed = sum_lo;
	for (c = s->first_child[p]; c != IOFAIR_ALLOC_NO_PARENT;
	     c = s->next_sibling[c]) {
		lo = floor_of(&nodes[c], s->want[c]);
		hi = s->want[c];
		if (lo == hi)
			continue;
		if (lo) {
			ev[nev].x = lo;
			ev[nev].w = nodes[c].weight;
			ev[nev].tag = c << 1;
			nev++;
		} else {
			/* Rising from level 0: no corner to sort. */
			wsum += nodes[c].weight;
		}
		ev[nev].x = hi;
		ev[nev].w = nodes[c].weight;
		ev[nev].tag = c << 1 | 1;
		nev++;
	}
	ev_sort(ev, nev);

	/*
	 * Invariant: fixed < share, and the curve at the last corner passed
	 * is below share.  At a corner x / w the curve is fixed + wsum * x / w;
	 * stop at the first corner where that reaches share.  One exists: at
	 * the last corner the curve is sum_hi > share.
	 */
	for (i = 0; i < nev; i++) {
		if (wsum &&
		    ratio_cmp(ev[i].x, ev[i].w, share - fixed, wsum) >= 0)
			break;
		if (ev[i].tag & 1) {
			fixed += ev[i].x;
			wsum -= ev[i].w;
		} else {
			fixed -= ev[i].x;
			wsum += ev[i].w;
		}
	}
	if (alloc_bug(!wsum)) {
		for (c = s->first_child[p]; c != IOFAIR_ALLOC_NO_PARENT;
		     c = s->next_sibling[c])
			nodes[c].alloc_bps = floor_of(&nodes[c], s->want[c]);
		return;
	}

	/* L = (share - fixed) / wsum. */
	left = share;
	for (c = s->first_child[p]; c != IOFAIR_ALLOC_NO_PARENT;
	     c = s->next_sibling[c]) {
		lo = floor_of(&nodes[c], s->want[c]);
		hi = s->want[c];
		a = mul_u64_u32_div(share - fixed, nodes[c].weight, wsum);
		a = a < lo ? lo : a > hi ? hi : a;
		nodes[c].alloc_bps = a;
		left -= a;
	}
	/* Flooring lost fewer bits per second than there are rising children. */
	for (c = s->first_child[p]; left && c != IOFAIR_ALLOC_NO_PARENT;
	     c = s->next_sibling[c]) {
		a = mul_u64_u32_div(share - fixed, nodes[c].weight, wsum);
		if (a >= floor_of(&nodes[c], s->want[c]) &&
		    nodes[c].alloc_bps < s->want[c]) {
			nodes[c].alloc_bps++;
			left--;
		}
	}
}

size_t iofair_alloc_scratch_size(u32 count)
{
	return (size_t)count * (sizeof(u64) + 2 * sizeof(u32) +
				2 * sizeof(struct iofair_alloc_event));
}

static int alloc_validate(const struct iofair_alloc_node *nodes, u32 count)
{
	const struct iofair_alloc_node *n;
	u32 i;

	if (count > IOFAIR_ALLOC_MAX_NODES)
		return -EINVAL;
	for (i = 0; i < count; i++) {
		n = &nodes[i];
		if (n->parent != IOFAIR_ALLOC_NO_PARENT &&
		    (n->parent >= i || nodes[n->parent].leaf))
			return -EINVAL;
		if (!n->weight || n->weight > IOFAIR_ALLOC_MAX_WEIGHT)
			return -EINVAL;
		if (n->max_bps && n->min_bps > n->max_bps)
			return -EINVAL;
	}
	return 0;
}

/**
 * iofair_alloc_compute() - weighted max-min fair shares down the tree
 * @nodes: the tree, parents first; alloc_bps is written
 * @count: number of nodes
 * @scratch: iofair_alloc_scratch_size(@count) bytes, 8-byte aligned
 *
 * Return: 0, or -EINVAL on malformed input (then nothing is written).
 */
int iofair_alloc_compute(struct iofair_alloc_node *nodes, u32 count,
			 void *scratch)
{
	struct iofair_alloc_scratch s;
	struct iofair_alloc_node *n;
	u32 i, p;
	int err;

	if (!count)
		return 0;
	if (!nodes || !scratch)
		return -EINVAL;
	err = alloc_validate(nodes, count);
	if (err)
		return err;

	s.want = scratch;
	s.first_child = (u32 *)(s.want + count);
	s.next_sibling = s.first_child + count;
	s.ev = (struct iofair_alloc_event *)(s.next_sibling + count);

	for (i = 0; i < count; i++) {
		s.first_child[i] = IOFAIR_ALLOC_NO_PARENT;
		s.want[i] = nodes[i].leaf ? clamp_rate(nodes[i].demand_bps) : 0;
	}

	/*
	 * Bottom up: a node's children have higher indices, so they are all
	 * summed into it before it is reached.  Linking each child in front
	 * of its siblings keeps the lists in index order.
	 */
	for (i = count; i-- > 0;) {
		n = &nodes[i];
		s.want[i] = min_u64(s.want[i], cap_of(n));
		if (n->parent == IOFAIR_ALLOC_NO_PARENT)
			continue;
		p = n->parent;
		s.want[p] += s.want[i];
		s.next_sibling[i] = s.first_child[p];
		s.first_child[p] = i;
	}

	/* Top down: a node's share is known before its children are reached. */
	for (i = 0; i < count; i++) {
		n = &nodes[i];
		if (n->parent == IOFAIR_ALLOC_NO_PARENT)
			n->alloc_bps = min_u64(clamp_rate(n->capacity_bps),
					       s.want[i]);
		if (s.first_child[i] == IOFAIR_ALLOC_NO_PARENT)
			continue;
		if (!n->alloc_bps) {
			for (p = s.first_child[i]; p != IOFAIR_ALLOC_NO_PARENT;
			     p = s.next_sibling[p])
				nodes[p].alloc_bps = 0;
			continue;
		}
		alloc_split(nodes, &s, i, n->alloc_bps);
	}
	return 0;
}

/**
 * iofair_jain_ppm() - Jain's fairness index of weight-normalised rates
 * @rate_bps: rates
 * @weight: their weights (0 counts as 1)
 * @n: number of entries
 *
 * J = (sum x_i)^2 / (n * sum x_i^2) with x_i = rate_bps[i] / weight[i].  The
 * x_i are scaled to integers below 2^b with n * 2^(2b) <= 2^64, so both sums
 * fit a u64; the relative error is about 2^-b (2^-26 for 1024 entries).
 *
 * Return: J in parts per million; 1000000 when n is 0 or all rates are 0.
 */
u32 iofair_jain_ppm(const u64 *rate_bps, const u32 *weight, u32 n)
{
	u64 rmax = 0, ymax = 0, y, sum = 0, sum_sq = 0, q;
	u32 i, shift, bits, t;

	for (i = 0; i < n; i++)
		if (rate_bps[i] > rmax)
			rmax = rate_bps[i];
	/* y_i = (rate_i >> shift) * 2^20 / w_i, below 2^64. */
	shift = bits_u64(rmax) > 44 ? bits_u64(rmax) - 44 : 0;
	for (i = 0; i < n; i++) {
		y = ((rate_bps[i] >> shift) << 20) / (weight[i] ? weight[i] : 1);
		if (y > ymax)
			ymax = y;
	}
	if (!ymax)
		return 1000000;

	bits = (64 - bits_u64(n)) / 2;
	t = bits_u64(ymax) > bits ? bits_u64(ymax) - bits : 0;
	for (i = 0; i < n; i++) {
		y = ((rate_bps[i] >> shift) << 20) / (weight[i] ? weight[i] : 1);
		y >>= t;
		sum += y;
		sum_sq += y * y;
	}
	/* sum^2 / n <= sum_sq by Cauchy-Schwarz: both quotients fit. */
	q = mul_u64_u64_div_u64(sum, sum, n);
	return (u32)mul_u64_u64_div_u64(q, 1000000, sum_sq);
}
