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
 *    in L2 bytes and ns (u64: room for 292 years of a 10 Tbit/s counter).
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
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "alloc.h"
#include "iofair.h"

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

static void iofair_ctrl_measure(struct iofair_net *inet, u64 now)
{
	struct iofair_dir_stats dir[IOFAIR_NDIRS];
	struct iofair_target *t;
	unsigned long id;
	u64 held, drops, limit;
	bool near;
	int d, r;

	xa_for_each(&inet->targets, id, t) {
		iofair_target_read(t, dir);
		for (d = 0; d < IOFAIR_NDIRS; d++) {
			if (t->last_ns && now > t->last_ns && dir[d].bytes >= t->last_bytes[d])
				t->rate_bps[d] = div64_u64((dir[d].bytes - t->last_bytes[d]) *
							   8 * NSEC_PER_SEC, now - t->last_ns);
			t->last_bytes[d] = dir[d].bytes;
		}
		t->last_ns = now;

		/*
		 * Limited: the limiter dropped, or held packets while the target
		 * ran near its limit (a bursty sender below its share gets some
		 * packets delayed without wanting more).
		 */
		held = dir[IOFAIR_TX].delayed;
		for (r = 0; r < IOFAIR_NDROPS; r++)
			held += dir[IOFAIR_TX].drops[r];
		drops = held - dir[IOFAIR_TX].delayed;
		limit = iofair_target_limit(t);
		near = limit && t->rate_bps[IOFAIR_TX] >= limit / 10 * 9;
		if (t->hooks_on && (t->kind != IOFAIR_TARGET_KIND_VF ||
				    t->enforce != IOFAIR_ENFORCE_HW))
			t->limited = drops != t->last_drops ||
				     (held != t->last_held && near);
		else
			t->limited = near;
		t->last_drops = drops;
		/* What the limit allowed over the conformance window. */
		if (limit && t->win_ns && now > t->last_win_ns)
			t->win_allowed += mul_u64_u64_div_u64(limit, now - t->last_win_ns,
							      8 * NSEC_PER_SEC);
		else if (!limit)
			t->win_unlimited = true;
		t->last_win_ns = now;
		t->last_held = held;
	}
}

/*
 * Conformance over the window: bytes sent over bytes the limit allowed
 * (the limit integrated over the window, so a share that changed midway
 * counts at each value for as long as it held).  A window in which the
 * target was unlimited for a while has no figure.  Alarm above 1 + margin.
 */
static void iofair_ctrl_conformance(struct iofair_net *inet, u64 now)
{
	u64 window = (u64)inet->ctrl.window_ms * NSEC_PER_MSEC, bytes, allowed;
	struct iofair_target *t;
	unsigned long id;

	xa_for_each(&inet->targets, id, t) {
		if (iofair_target_source(t) == IOFAIR_SOURCE_NONE)
			continue;
		bytes = t->last_bytes[IOFAIR_TX];	/* read by measure, this step */
		if (!t->win_ns || bytes < t->win_bytes || now - t->win_ns >= window) {
			allowed = t->win_allowed;
			if (t->win_ns && bytes >= t->win_bytes && !t->win_unlimited && allowed) {
				t->conformance_ppm = (u32)min_t(u64,
					div64_u64((bytes - t->win_bytes) * 1000000, allowed), U32_MAX);
				if (bytes - t->win_bytes >
				    allowed + div_u64(allowed * inet->ctrl.margin_pct, 100))
					iofair_notify_alarm(inet, t,
							    div64_u64((bytes - t->win_bytes) * 8 * NSEC_PER_SEC,
								      now - t->win_ns),
							    iofair_target_limit(t));
			} else {
				t->conformance_ppm = 0;
			}
			t->win_ns = now;
			t->win_bytes = bytes;
			t->win_allowed = 0;
			t->win_unlimited = false;
		}
	}
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
	inet->ctrl_scratch = kvzalloc(iofair_alloc_scratch_size(cap), GFP_KERNEL);
	inet->ctrl_rate = kvcalloc(cap, sizeof(u64), GFP_KERNEL);
	inet->ctrl_grp_rate = kvcalloc(cap, sizeof(u64), GFP_KERNEL);
	inet->ctrl_grp_w = kvcalloc(cap, sizeof(u32), GFP_KERNEL);
	if (!inet->ctrl_an || !inet->ctrl_obj || !inet->ctrl_scratch ||
	    !inet->ctrl_rate || !inet->ctrl_grp_rate || !inet->ctrl_grp_w) {
		iofair_ctrl_free(inet);
		return -ENOMEM;
	}
	inet->ctrl_cap = cap;
	return 0;
}

static void iofair_an_policy(struct iofair_alloc_node *a, const struct iofair_policy *p)
{
	a->min_bps = p->bw_min_bps;
	a->max_bps = p->bw_max_bps;
	a->weight = p->weight;
}

/* The demand floor of a leaf below @p: 1 Mbit/s, or 1/64 of a small root. */
static u64 iofair_ctrl_floor(const struct iofair_node *p)
{
	return min_t(u64, IOFAIR_DEMAND_FLOOR_BPS, iofair_node_capacity(p) / 64);
}

/*
 * Lay the tree out parents first, breadth first: roots, then the children
 * of each entry in turn.  A node's children are contiguous.  O(n).
 */
static u32 iofair_ctrl_layout(struct iofair_net *inet)
{
	struct iofair_alloc_node *an = inet->ctrl_an;
	struct iofair_target *t;
	struct iofair_node *n, *p;
	unsigned long id;
	u32 count = 0, i;

	xa_for_each(&inet->nodes, id, n) {
		n->demand_bps = 0;
		if (n->parent)
			continue;
		an[count] = (struct iofair_alloc_node) {
			.parent = IOFAIR_ALLOC_NO_PARENT,
			.capacity_bps = n->capacity_bps,
			.weight = 1,
		};
		inet->ctrl_obj[count++] = n;
	}
	for (i = 0; i < count; i++) {
		if (an[i].leaf)
			continue;
		p = inet->ctrl_obj[i];
		list_for_each_entry(n, &p->child_nodes, sibling) {
			an[count] = (struct iofair_alloc_node) { .parent = i };
			iofair_an_policy(&an[count], &n->policy);
			inet->ctrl_obj[count++] = n;
		}
		list_for_each_entry(t, &p->child_targets, sibling) {
			an[count] = (struct iofair_alloc_node) { .parent = i, .leaf = true };
			iofair_an_policy(&an[count], &t->policy);
			if (t->vf_absent) {
				/* No VF: nothing to send, nothing to hold. */
				an[count].min_bps = 0;
				t->demand_bps = 0;
			} else {
				t->demand_bps = iofair_demand_estimate(t->demand_bps,
								       t->rate_bps[IOFAIR_TX],
								       t->alloc_bps, t->limited,
								       iofair_ctrl_floor(p));
			}
			an[count].demand_bps = t->demand_bps;
			inet->ctrl_obj[count++] = t;
		}
	}
	return count;
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

static bool iofair_ctrl_backlogged(struct iofair_net *inet, u32 i)
{
	const struct iofair_alloc_node *a = &inet->ctrl_an[i];

	if (a->leaf)
		return ((struct iofair_target *)inet->ctrl_obj[i])->limited;
	return a->alloc_bps && ((struct iofair_node *)inet->ctrl_obj[i])->demand_bps >= a->alloc_bps;
}

/*
 * Jain's index per node over its backlogged children.  Children of a node
 * are contiguous in the layout, so one pass gathers each group.
 */
static void iofair_ctrl_jain(struct iofair_net *inet, u32 count)
{
	struct iofair_alloc_node *an = inet->ctrl_an;
	u64 *rate = inet->ctrl_rate, *grp_rate = inet->ctrl_grp_rate;
	u32 *grp_w = inet->ctrl_grp_w;
	u32 i, k = 0, parent = IOFAIR_ALLOC_NO_PARENT;

	/* A node's rate: the sum of the targets below it, bottom up. */
	for (i = 0; i < count; i++)
		rate[i] = an[i].leaf ? ((struct iofair_target *)inet->ctrl_obj[i])->rate_bps[IOFAIR_TX] : 0;
	for (i = count; i-- > 0;)
		if (an[i].parent != IOFAIR_ALLOC_NO_PARENT)
			rate[an[i].parent] += rate[i];

	for (i = 0; i < count; i++)
		if (!an[i].leaf)
			((struct iofair_node *)inet->ctrl_obj[i])->jain_ppm = 0;
	for (i = 0; i <= count; i++) {
		if (i == count || an[i].parent != parent) {
			if (parent != IOFAIR_ALLOC_NO_PARENT && k)
				((struct iofair_node *)inet->ctrl_obj[parent])->jain_ppm =
					iofair_jain_ppm(grp_rate, grp_w, k);
			if (i == count)
				break;
			parent = an[i].parent;
			k = 0;
		}
		if (parent == IOFAIR_ALLOC_NO_PARENT || !iofair_ctrl_backlogged(inet, i))
			continue;
		grp_rate[k] = rate[i];
		grp_w[k++] = an[i].weight;
	}
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

static void iofair_ctrl_allocate(struct iofair_net *inet)
{
	struct iofair_alloc_node *an;
	struct iofair_target *t;
	struct iofair_node *n;
	unsigned long id;
	u32 count = 0, i;

	xa_for_each(&inet->nodes, id, n)
		count++;
	count += inet->ntargets;
	if (!count || iofair_ctrl_grow(inet, count))
		return;
	an = inet->ctrl_an;
	count = iofair_ctrl_layout(inet);
	if (iofair_alloc_compute(an, count, inet->ctrl_scratch)) {
		pr_warn_ratelimited("the allocator refused the tree (%u entries)\n", count);
		return;
	}
	xa_for_each(&inet->targets, id, t)
		if (!t->node)
			iofair_ctrl_set_alloc(t, 0);
	for (i = count; i-- > 0;) {
		if (an[i].leaf) {
			t = inet->ctrl_obj[i];
			iofair_ctrl_set_alloc(t, an[i].alloc_bps);
			if (t->kind == IOFAIR_TARGET_KIND_VF)
				iofair_ctrl_push_hw(inet, t);
		} else {
			n = inet->ctrl_obj[i];
			n->alloc_bps = an[i].alloc_bps;
		}
		if (an[i].parent != IOFAIR_ALLOC_NO_PARENT) {
			struct iofair_node *p = inet->ctrl_obj[an[i].parent];
			u64 d = an[i].leaf ? an[i].demand_bps :
					     ((struct iofair_node *)inet->ctrl_obj[i])->demand_bps;

			p->demand_bps = d > U64_MAX - p->demand_bps ? U64_MAX : p->demand_bps + d;
		}
	}
	iofair_ctrl_jain(inet, count);
}

/* The controller was switched off: every target back to its own cap. */
static void iofair_ctrl_release(struct iofair_net *inet)
{
	struct iofair_target *t;
	unsigned long id;

	struct iofair_node *n;

	xa_for_each(&inet->targets, id, t) {
		t->demand_bps = 0;
		iofair_ctrl_set_alloc(t, 0);
	}
	xa_for_each(&inet->nodes, id, n) {
		n->alloc_bps = 0;
		n->demand_bps = 0;
		n->jain_ppm = 0;
	}
}

static void iofair_ctrl_step(struct work_struct *work)
{
	struct iofair_net *inet = container_of(to_delayed_work(work),
					       struct iofair_net, ctrl_work);
	bool rtnl = READ_ONCE(inet->nvf) > 0;	/* PF drivers need RTNL */
	u64 start;

	if (rtnl)
		rtnl_lock();
	mutex_lock(&inet->lock);
	if (inet->dying || !inet->ntargets)
		goto out;
	if (!rtnl && inet->nvf)
		goto again;	/* a vf target came meanwhile: RTNL next time */
	start = iofair_now_ns();
	iofair_ctrl_measure(inet, start);
	if (inet->ctrl.enabled)
		iofair_ctrl_allocate(inet);
	else
		iofair_ctrl_release(inet);
	iofair_ctrl_conformance(inet, start);
	inet->ctrl_steps++;
	inet->ctrl_last_step_ns = iofair_now_ns() - start;
again:
	queue_delayed_work(system_wq, &inet->ctrl_work,
			   msecs_to_jiffies(inet->ctrl.interval_ms));
out:
	mutex_unlock(&inet->lock);
	if (rtnl)
		rtnl_unlock();
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
		queue_delayed_work(system_wq, &inet->ctrl_work,
				   msecs_to_jiffies(inet->ctrl.interval_ms));
}

void iofair_ctrl_stop(struct iofair_net *inet)
{
	cancel_delayed_work_sync(&inet->ctrl_work);
}

void iofair_ctrl_free(struct iofair_net *inet)
{
	kvfree(inet->ctrl_an);
	kvfree(inet->ctrl_obj);
	kvfree(inet->ctrl_scratch);
	kvfree(inet->ctrl_rate);
	kvfree(inet->ctrl_grp_rate);
	kvfree(inet->ctrl_grp_w);
	inet->ctrl_an = NULL;
	inet->ctrl_obj = NULL;
	inet->ctrl_scratch = NULL;
	inet->ctrl_rate = NULL;
	inet->ctrl_grp_rate = NULL;
	inet->ctrl_grp_w = NULL;
	inet->ctrl_cap = 0;
}
