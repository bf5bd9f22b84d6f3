// SPDX-License-Identifier: GPL-2.0
/*
 * The controller: a periodic work item per namespace, running while the
 * namespace has targets.  Each step, under the namespace's lock (and RTNL
 * when PF drivers are involved):
 *
 * 1. Measure every target's achieved rate over the interval,
 *
 *	rate_bps = (bytes_now - bytes_then) * 8 * NSEC_PER_SEC / (now - then)
 *
 *    in L2 bytes and ns (u64: room for 292 years of a 10 Tbit/s counter;
 *    the product in 128 bits, rate.h).
 *
 * 2. When enabled: estimate each leaf's demand (alloc.c), limited when its
 *    shaper held or dropped packets in the interval, or, for a hardware
 *    limited VF, when it ran at 90 % of its allocation or more; lay the tree
 *    out parents first and compute the weighted max-min shares (alloc.c).
 *
 * 3. Push each target's share to its enforcement point: the shaper's rate
 *    (sw), and the PF driver's VF rate (hw) when it moved by more than the
 *    hysteresis; a driver error is reported once per value, not retried in
 *    a loop.
 *
 * 4. Per node, Jain's index over the weight-normalised tx rates of its
 *    backlogged children; per target, conformance = achieved / limit over
 *    the conformance window (the limit: the share, or bw-max outside the
 *    tree), with an alarm event when it is above 1 + margin.
 *
 * A policy change takes effect at the next step (the request kicks one).
 *
 * The cost of a step.  It walks flat arrays, not the xarrays and lists:
 * the tree laid out for the allocator and the targets outside it, rebuilt
 * only when a target or node came, went or changed (inet->gen moved).  It
 * touches each target twice: once on the way down the layout (measure,
 * estimate) and once on the way up (share, push, demand and rate sums,
 * Jain's index, conformance), and calls no function per target on the
 * way.  The allocator runs only when one of its inputs moved.  1024 idle
 * targets on 256 tenants, in the TCG test VM on a loaded 2-CPU host, steps
 * alternating between this and the former code (xarray walks, a pass per
 * phase) in one boot: medians of 0.9-1.5 ms against 3.7-6.8 ms.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "alloc.h"
#include "controller.h"
#include "hook.h"
#include "iofair.h"
#include "node.h"
#include "notify.h"
#include "pernet.h"
#include "stats.h"
#include "target.h"
#include "vf.h"
#include "rate.h"

#define IOFAIR_CTRL_INTERVAL_MS	100
#define IOFAIR_CTRL_HYSTERESIS	5
#define IOFAIR_CTRL_MARGIN	10
#define IOFAIR_CTRL_WINDOW_MS	1000
#define IOFAIR_MBPS		1000000ULL

/* What the target is held to now: its share, else its cap (0 = none). */
u64 iofair_target_limit(const struct iofair_target *t)
{
	return t->alloc_bps ?: t->policy.bw_max_bps;
}

/* What a step reads of a target's counters, since the last reset. */
struct iofair_ctrl_counters {
	u64 bytes[IOFAIR_NDIRS];
	u64 tx_delayed;
	u64 tx_drops;			/* all reasons */
};

/* From the PF driver: all of them, through iofair_target_read(). */
static noinline void iofair_ctrl_read_pf(const struct iofair_target *t,
					 struct iofair_ctrl_counters *c)
{
	struct iofair_dir_stats dir[IOFAIR_NDIRS];
	int r;

	iofair_target_read(t, dir);
	c->bytes[IOFAIR_TX] = dir[IOFAIR_TX].bytes;
	c->bytes[IOFAIR_RX] = dir[IOFAIR_RX].bytes;
	c->tx_delayed = dir[IOFAIR_TX].delayed;
	c->tx_drops = 0;
	for (r = 0; r < IOFAIR_NDROPS; r++)
		c->tx_drops += dir[IOFAIR_TX].drops[r];
}

/*
 * From the hooks' per-CPU counters: only the fields a step uses, and no
 * function call per CPU (for_each_possible_cpu() makes one to find each
 * next bit: a tenth of a step with 1024 targets in the TCG test VM).  The
 * same sums as iofair_target_read() in target.c.
 */
static __always_inline void iofair_ctrl_read(const struct iofair_target *t,
					     struct iofair_ctrl_counters *c)
{
	const struct iofair_dir_stats *base = t->base;
	u64 tx_bytes = 0, rx_bytes = 0, delayed = 0, drops = 0;
	unsigned int cpu, n = nr_cpu_ids;
	int r;

	if (!t->hooks_on) {
		iofair_ctrl_read_pf(t, c);
		return;
	}
	for (cpu = 0; cpu < n; cpu++) {
		const struct iofair_pcpu_stats *s;
		unsigned int start;
		u64 b0, b1, h, x;

		if (!cpu_possible(cpu))
			continue;
		s = per_cpu_ptr(t->pcpu, cpu);
		do {
			start = u64_stats_fetch_begin(&s->syncp);
			b0 = s->dir[IOFAIR_TX].bytes;
			b1 = s->dir[IOFAIR_RX].bytes;
			h = s->dir[IOFAIR_TX].delayed;
			x = 0;
			for (r = 0; r < IOFAIR_NDROPS; r++)
				x += s->dir[IOFAIR_TX].drops[r];
		} while (u64_stats_fetch_retry(&s->syncp, start));
		tx_bytes += b0;
		rx_bytes += b1;
		delayed += h;
		drops += x;
	}
	c->bytes[IOFAIR_TX] = tx_bytes - base[IOFAIR_TX].bytes;
	c->bytes[IOFAIR_RX] = rx_bytes - base[IOFAIR_RX].bytes;
	c->tx_delayed = delayed - base[IOFAIR_TX].delayed;
	for (r = 0; r < IOFAIR_NDROPS; r++)
		drops -= base[IOFAIR_TX].drops[r];
	c->tx_drops = drops;
}

/* Step 1 for one target: rates, limited, what the limit allowed. */
static __always_inline void iofair_ctrl_measure(struct iofair_target *t, u64 now)
{
	struct iofair_ctrl_counters c;
	u64 held, limit;
	bool near;
	int d;

	iofair_ctrl_read(t, &c);
	for (d = 0; d < IOFAIR_NDIRS; d++) {
		if (t->last_ns && now > t->last_ns && c.bytes[d] >= t->last_bytes[d])
			t->rate_bps[d] = iofair_rate_bps(c.bytes[d] - t->last_bytes[d],
							 now - t->last_ns);
		t->last_bytes[d] = c.bytes[d];
	}
	t->last_ns = now;

	/*
	 * Limited: the limiter dropped, or held packets while the target
	 * ran near its limit (a bursty sender below its share gets some
	 * packets delayed without wanting more).
	 */
	held = c.tx_delayed + c.tx_drops;
	limit = iofair_target_limit(t);
	near = limit && t->rate_bps[IOFAIR_TX] >= limit / 10 * 9;
	if (t->hooks_on && (t->kind != IOFAIR_TARGET_KIND_VF ||
			    t->enforce != IOFAIR_ENFORCE_HW))
		t->limited = c.tx_drops != t->last_drops ||
			     (held != t->last_held && near);
	else
		t->limited = near;
	t->last_drops = c.tx_drops;
	/* What the limit allowed over the conformance window. */
	if (limit && t->win_ns && now > t->last_win_ns)
		t->win_allowed += mul_u64_u64_div_u64(limit, now - t->last_win_ns,
						      8 * NSEC_PER_SEC);
	else if (!limit)
		t->win_unlimited = true;
	t->last_win_ns = now;
	t->last_held = held;
}

/*
 * Conformance over the window: bytes sent over bytes the limit allowed
 * (the limit integrated over the window, so a share that changed midway
 * counts at each value for as long as it held).  A window in which the
 * target was unlimited for a while has no figure.  Alarm above 1 + margin.
 * After this step's share is set.
 */
static noinline void iofair_ctrl_window_end(struct iofair_net *inet,
					    struct iofair_target *t, u64 now)
{
	u64 bytes = t->last_bytes[IOFAIR_TX], allowed;	/* read by measure, this step */

	if (iofair_target_source(t) == IOFAIR_SOURCE_NONE)
		return;
	allowed = t->win_allowed;
	if (t->win_ns && bytes >= t->win_bytes && !t->win_unlimited && allowed) {
		t->conformance_ppm = (u32)min_t(u64,
			div64_u64((bytes - t->win_bytes) * 1000000, allowed), U32_MAX);
		if (bytes - t->win_bytes >
		    allowed + div_u64(allowed * inet->ctrl.margin_pct, 100))
			iofair_notify_alarm(inet, t,
					    iofair_rate_bps(bytes - t->win_bytes, now - t->win_ns),
					    iofair_target_limit(t));
	} else {
		t->conformance_ppm = 0;
	}
	t->win_ns = now;
	t->win_bytes = bytes;
	t->win_allowed = 0;
	t->win_unlimited = false;
}

static __always_inline void iofair_ctrl_conformance(struct iofair_net *inet,
						    struct iofair_target *t, u64 now)
{
	if (t->win_ns && t->last_bytes[IOFAIR_TX] >= t->win_bytes &&
	    now - t->win_ns < (u64)inet->ctrl.window_ms * NSEC_PER_MSEC)
		return;		/* the window is still open */
	iofair_ctrl_window_end(inet, t, now);
}

static int iofair_ctrl_grow(struct iofair_net *inet, u32 count)
{
	u32 cap = max(count, 64U);

	if (count <= inet->ctrl_cap)
		return 0;
	iofair_ctrl_free(inet);
	cap = roundup_pow_of_two(cap);
	inet->ctrl_an = kvcalloc(cap, sizeof(*inet->ctrl_an), GFP_KERNEL);
	inet->ctrl_obj = kvcalloc(cap, sizeof(*inet->ctrl_obj), GFP_KERNEL);
	inet->ctrl_lone = kvcalloc(cap, sizeof(*inet->ctrl_lone), GFP_KERNEL);
	inet->ctrl_scratch = kvzalloc(iofair_alloc_scratch_size(cap), GFP_KERNEL);
	inet->ctrl_rate = kvcalloc(cap, sizeof(u64), GFP_KERNEL);
	inet->ctrl_grp_rate = kvcalloc(cap, sizeof(u64), GFP_KERNEL);
	inet->ctrl_grp_w = kvcalloc(cap, sizeof(u32), GFP_KERNEL);
	if (!inet->ctrl_an || !inet->ctrl_obj || !inet->ctrl_lone || !inet->ctrl_scratch ||
	    !inet->ctrl_rate || !inet->ctrl_grp_rate || !inet->ctrl_grp_w) {
		iofair_ctrl_free(inet);
		return -ENOMEM;
	}
	inet->ctrl_cap = cap;
	return 0;
}

/* One entry's inputs for this step: true when they moved since the last. */
static bool iofair_an_set(struct iofair_alloc_node *a, u64 min_bps, u64 max_bps,
			  u32 weight, u64 demand_bps)
{
	bool moved = a->min_bps != min_bps || a->max_bps != max_bps ||
		     a->weight != weight || a->demand_bps != demand_bps;

	a->min_bps = min_bps;
	a->max_bps = max_bps;
	a->weight = weight;
	a->demand_bps = demand_bps;
	return moved;
}

/* The demand floor of a leaf below @p: 1 Mbit/s, or 1/64 of a small root. */
static u64 iofair_ctrl_floor(const struct iofair_node *p)
{
	return min_t(u64, IOFAIR_DEMAND_FLOOR_BPS, iofair_node_capacity(p) / 64);
}

/*
 * Lay the tree out parents first, breadth first: roots, then the children
 * of each entry in turn.  A node's children are contiguous, and every
 * entry's descendants come after it.  Only the shape: policies, capacities
 * and demands are filled in at each step.  O(n).
 */
static u32 iofair_ctrl_layout(struct iofair_net *inet)
{
	struct iofair_alloc_node *an = inet->ctrl_an;
	u32 count = 0, i, cap = inet->ctrl_cap;
	struct iofair_target *t;
	struct iofair_node *n, *p;
	unsigned long id;

	xa_for_each(&inet->nodes, id, n) {
		if (n->parent || count >= cap)
			continue;
		an[count] = (struct iofair_alloc_node) {
			.parent = IOFAIR_ALLOC_NO_PARENT,
			.weight = 1,
		};
		inet->ctrl_obj[count++] = n;
	}
	for (i = 0; i < count; i++) {
		if (an[i].leaf)
			continue;
		p = inet->ctrl_obj[i];
		list_for_each_entry(n, &p->child_nodes, sibling) {
			if (count >= cap)
				return count;
			an[count] = (struct iofair_alloc_node) { .parent = i };
			inet->ctrl_obj[count++] = n;
		}
		list_for_each_entry(t, &p->child_targets, sibling) {
			if (count >= cap)
				return count;
			an[count] = (struct iofair_alloc_node) { .parent = i, .leaf = true };
			inet->ctrl_obj[count++] = t;
		}
	}
	return count;
}

/*
 * The allocator refuses more than IOFAIR_ALLOC_MAX_NODES entries, at a step,
 * where nobody would hear it: the per-namespace bounds, which target-add and
 * node-new report with an extack, keep every tree below it.
 */
static_assert(IOFAIR_TARGETS_MAX + IOFAIR_NODES_MAX <= IOFAIR_ALLOC_MAX_NODES);

/* The step's arrays match the namespace (see iofair_ctrl_rebuild()). */
static bool iofair_ctrl_cached(const struct iofair_net *inet)
{
	return inet->ctrl_gen && inet->ctrl_gen == inet->gen;
}

/*
 * The step's arrays, from the xarrays and lists: the tree's layout
 * (ctrl_an, ctrl_obj) and the targets outside the tree (ctrl_lone).  Plain
 * pointers, valid while inet->gen stays: a target or node goes away only
 * through iofair_changed(), under inet->lock, which the step holds.
 */
static int iofair_ctrl_rebuild(struct iofair_net *inet)
{
	u32 count = inet->ntargets, nlone = 0;
	struct iofair_target *t;
	struct iofair_node *n;
	unsigned long id;

	inet->ctrl_gen = 0;
	inet->ctrl_computed = false;
	xa_for_each(&inet->nodes, id, n)
		count++;
	if (iofair_ctrl_grow(inet, count))
		return -ENOMEM;
	xa_for_each(&inet->targets, id, t)
		if (!t->node && nlone < inet->ctrl_cap)
			inet->ctrl_lone[nlone++] = t;
	inet->ctrl_nlone = nlone;
	inet->ctrl_count = iofair_ctrl_layout(inet);
	/* Every node and target once, in the tree or out of it. */
	if (WARN_ON_ONCE(inet->ctrl_count + nlone != count))
		return -EINVAL;
	inet->ctrl_gen = inet->gen;
	return 0;
}

/* Push a share to the PF driver, outside the hysteresis. */
static void iofair_ctrl_push_hw(struct iofair_net *inet, struct iofair_target *t)
{
	u64 diff = t->alloc_bps > t->pushed_bps ? t->alloc_bps - t->pushed_bps :
						  t->pushed_bps - t->alloc_bps;
	u32 mbps;
	int err;

	if (!t->alloc_bps || t->enforce == IOFAIR_ENFORCE_SW || t->vf_absent)
		return;
	if (t->pushed_bps && diff * 100 <= t->pushed_bps * inet->ctrl.hysteresis_pct)
		return;
	if (t->push_err && t->pushed_bps == t->alloc_bps)
		return;	/* refused before: not again for the same value */
	ASSERT_RTNL();
	mbps = (u32)max_t(u64, div64_u64(t->alloc_bps, IOFAIR_MBPS), 1);
	err = iofair_vf_set_max(t, mbps);
	if (err && err != t->push_err)
		pr_warn("%s vf %u: the driver refused a rate of %u Mbit/s: %d\n",
			t->dev->name, t->vf, mbps, err);
	t->push_err = err;
	t->pushed_bps = t->alloc_bps;
}

/* A new share: the shaper follows it, and only when it moved. */
static void iofair_ctrl_set_alloc(struct iofair_target *t, u64 alloc_bps)
{
	if (t->alloc_bps == alloc_bps)
		return;
	t->alloc_bps = alloc_bps;
	if (t->hooks_on)
		iofair_hook_limits(t);
}

/*
 * Down the layout: each leaf measured and its demand estimated, each
 * node's policy and sums reset; the allocator's inputs as they are now.
 * Returns whether any of them moved since the last step.
 */
static bool iofair_ctrl_down(struct iofair_net *inet, u64 now)
{
	struct iofair_alloc_node *an = inet->ctrl_an, *a;
	u32 i, floor_of = IOFAIR_ALLOC_NO_PARENT;
	const struct iofair_policy *p;
	struct iofair_target *t;
	struct iofair_node *n;
	bool moved = false;
	u64 floor = 0;

	for (i = 0; i < inet->ctrl_count; i++) {
		a = &an[i];
		inet->ctrl_rate[i] = 0;
		if (!a->leaf) {
			n = inet->ctrl_obj[i];
			n->demand_bps = 0;
			n->jain_ppm = 0;
			if (a->parent == IOFAIR_ALLOC_NO_PARENT) {
				moved |= a->capacity_bps != n->capacity_bps;
				a->capacity_bps = n->capacity_bps;
			} else {
				p = &n->policy;
				moved |= iofair_an_set(a, p->bw_min_bps, p->bw_max_bps,
						       p->weight, 0);
			}
			continue;
		}
		t = inet->ctrl_obj[i];
		p = &t->policy;
		iofair_ctrl_measure(t, now);
		if (t->vf_absent) {
			/* No VF: nothing to send, nothing to hold. */
			t->demand_bps = 0;
			moved |= iofair_an_set(a, 0, p->bw_max_bps, p->weight, 0);
			continue;
		}
		/* Siblings are contiguous: one floor per parent. */
		if (a->parent != floor_of) {
			floor_of = a->parent;
			floor = iofair_ctrl_floor(inet->ctrl_obj[floor_of]);
		}
		t->demand_bps = iofair_demand_estimate(t->demand_bps, t->rate_bps[IOFAIR_TX],
						       t->alloc_bps, t->limited, floor);
		moved |= iofair_an_set(a, p->bw_min_bps, p->bw_max_bps, p->weight,
				       t->demand_bps);
	}
	return moved;
}

/* Jain's index of one node's backlogged children, gathered in grp_*. */
static void iofair_ctrl_jain(struct iofair_net *inet, u32 parent, u32 k)
{
	if (parent != IOFAIR_ALLOC_NO_PARENT && k)
		((struct iofair_node *)inet->ctrl_obj[parent])->jain_ppm =
			iofair_jain_ppm(inet->ctrl_grp_rate, inet->ctrl_grp_w, k);
}

/*
 * Up the layout, after the allocator: each target's share set and pushed,
 * its conformance; each node's share, and its demand and tx rate summed
 * from its children (all of them after it in the layout, so complete when
 * it is reached).  Jain's index per node over the weight-normalised rates
 * of its backlogged children, gathered as the contiguous group goes by.
 */
static void iofair_ctrl_up(struct iofair_net *inet, u64 now)
{
	struct iofair_alloc_node *an = inet->ctrl_an;
	u32 i, k = 0, parent = IOFAIR_ALLOC_NO_PARENT;
	u64 *rate = inet->ctrl_rate, d;
	struct iofair_target *t;
	struct iofair_node *n;
	bool backlogged;

	for (i = inet->ctrl_count; i-- > 0;) {
		if (an[i].leaf) {
			t = inet->ctrl_obj[i];
			iofair_ctrl_set_alloc(t, an[i].alloc_bps);
			if (t->kind == IOFAIR_TARGET_KIND_VF)
				iofair_ctrl_push_hw(inet, t);
			iofair_ctrl_conformance(inet, t, now);
			rate[i] = t->rate_bps[IOFAIR_TX];
			d = an[i].demand_bps;
			backlogged = t->limited;
		} else {
			n = inet->ctrl_obj[i];
			n->alloc_bps = an[i].alloc_bps;
			d = n->demand_bps;
			backlogged = an[i].alloc_bps && d >= an[i].alloc_bps;
		}
		if (an[i].parent != parent) {
			iofair_ctrl_jain(inet, parent, k);
			parent = an[i].parent;
			k = 0;
		}
		if (parent == IOFAIR_ALLOC_NO_PARENT)
			continue;
		n = inet->ctrl_obj[parent];
		n->demand_bps = d > U64_MAX - n->demand_bps ? U64_MAX : n->demand_bps + d;
		rate[parent] += rate[i];
		if (backlogged) {
			inet->ctrl_grp_rate[k] = rate[i];
			inet->ctrl_grp_w[k++] = an[i].weight;
		}
	}
	iofair_ctrl_jain(inet, parent, k);
}

/*
 * Steps 2-4 over the tree, from the cached layout.  The shares are a
 * function of the allocator's inputs alone: when none moved (a steady or
 * idle namespace), the last step's stand.
 */
static void iofair_ctrl_allocate(struct iofair_net *inet, u64 now)
{
	u32 i;

	if (iofair_ctrl_down(inet, now) || !inet->ctrl_computed) {
		inet->ctrl_computed = !iofair_alloc_compute(inet->ctrl_an, inet->ctrl_count,
							    inet->ctrl_scratch);
		if (!inet->ctrl_computed) {
			pr_warn_ratelimited("the allocator refused the tree (%u entries)\n",
					    inet->ctrl_count);
			for (i = 0; i < inet->ctrl_count; i++)
				if (inet->ctrl_an[i].leaf)
					iofair_ctrl_conformance(inet, inet->ctrl_obj[i], now);
			return;
		}
	}
	iofair_ctrl_up(inet, now);
}

/*
 * A target without a share this step: outside the tree, every target
 * while the controller is off (back to its own cap, @release), or all
 * of them when the step's arrays could not be had.
 */
static void iofair_ctrl_lone(struct iofair_net *inet, struct iofair_target *t, u64 now,
			     bool release)
{
	iofair_ctrl_measure(t, now);
	if (release) {
		t->demand_bps = 0;
		iofair_ctrl_set_alloc(t, 0);
	}
	iofair_ctrl_conformance(inet, t, now);
}

/*
 * The next step one interval from now, or sooner if one is already due
 * sooner: never later, so requests coming faster than the interval do not
 * hold the step off, and a shorter interval (10 s to 100 ms) applies at
 * once rather than after the old one.
 */
static void iofair_ctrl_schedule(struct iofair_net *inet)
{
	unsigned long delay = msecs_to_jiffies(inet->ctrl.interval_ms);

	lockdep_assert_held(&inet->lock);
	if (delayed_work_pending(&inet->ctrl_work) &&
	    !time_before(jiffies + delay, inet->ctrl_due))
		return;
	inet->ctrl_due = jiffies + delay;
	mod_delayed_work(system_wq, &inet->ctrl_work, delay);
}

/* The controller was switched off: every target back to its own cap. */
static void iofair_ctrl_release(struct iofair_net *inet, u64 now)
{
	struct iofair_node *n;
	u32 i;

	for (i = 0; i < inet->ctrl_count; i++) {
		if (inet->ctrl_an[i].leaf) {
			iofair_ctrl_lone(inet, inet->ctrl_obj[i], now, true);
			continue;
		}
		n = inet->ctrl_obj[i];
		n->alloc_bps = 0;
		n->demand_bps = 0;
		n->jain_ppm = 0;
	}
}

static void iofair_ctrl_step(struct work_struct *work)
{
	struct iofair_net *inet = container_of(to_delayed_work(work),
					       struct iofair_net, ctrl_work);
	struct iofair_target *t;
	unsigned long id;
	bool rtnl;
	u64 start;
	u32 i;

	rtnl = iofair_lock_pf(inet);	/* PF drivers need RTNL */
	if (inet->dying || !inet->ntargets)
		goto out;
	start = iofair_now_ns();
	if (!iofair_ctrl_cached(inet) && iofair_ctrl_rebuild(inet)) {
		/* No memory for the arrays: measure, and no shares this step. */
		xa_for_each(&inet->targets, id, t)
			iofair_ctrl_lone(inet, t, start, !inet->ctrl.enabled);
		goto done;
	}
	for (i = 0; i < inet->ctrl_nlone; i++)
		iofair_ctrl_lone(inet, inet->ctrl_lone[i], start, true);
	if (inet->ctrl.enabled)
		iofair_ctrl_allocate(inet, start);
	else
		iofair_ctrl_release(inet, start);
done:
	inet->ctrl_steps++;
	inet->ctrl_last_step_ns = iofair_now_ns() - start;
	iofair_ctrl_schedule(inet);
out:
	iofair_unlock_pf(inet, rtnl);
}

void iofair_ctrl_init(struct iofair_net *inet)
{
	inet->ctrl = (struct iofair_ctrl_cfg) {
		.enabled	= true,
		.interval_ms	= IOFAIR_CTRL_INTERVAL_MS,
		.hysteresis_pct	= IOFAIR_CTRL_HYSTERESIS,
		.margin_pct	= IOFAIR_CTRL_MARGIN,
		.window_ms	= IOFAIR_CTRL_WINDOW_MS,
	};
	INIT_DELAYED_WORK(&inet->ctrl_work, iofair_ctrl_step);
}

/* A target arrived or the settings changed: make sure a step is coming. */
void iofair_ctrl_kick(struct iofair_net *inet)
{
	lockdep_assert_held(&inet->lock);
	if (!inet->dying && inet->ntargets)
		iofair_ctrl_schedule(inet);
}

void iofair_ctrl_stop(struct iofair_net *inet)
{
	cancel_delayed_work_sync(&inet->ctrl_work);
}

void iofair_ctrl_free(struct iofair_net *inet)
{
	kvfree(inet->ctrl_an);
	kvfree(inet->ctrl_obj);
	kvfree(inet->ctrl_lone);
	kvfree(inet->ctrl_scratch);
	kvfree(inet->ctrl_rate);
	kvfree(inet->ctrl_grp_rate);
	kvfree(inet->ctrl_grp_w);
	inet->ctrl_an = NULL;
	inet->ctrl_obj = NULL;
	inet->ctrl_lone = NULL;
	inet->ctrl_scratch = NULL;
	inet->ctrl_rate = NULL;
	inet->ctrl_grp_rate = NULL;
	inet->ctrl_grp_w = NULL;
	inet->ctrl_cap = 0;
	inet->ctrl_gen = 0;
}
