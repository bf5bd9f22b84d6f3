// SPDX-License-Identifier: GPL-2.0
/*
 * The controller: a periodic work item per namespace, running while the
 * namespace has targets.  Each step measures every target's achieved rate
 * over the interval:
 *
 *	rate_bps = (bytes_now - bytes_then) * 8 * NSEC_PER_SEC / (now - then)
 *
 * with bytes in L2 bytes and times in ns (u64: 2^64 / 8e9 ns leaves room
 * for 292 years of a 10 Tbit/s counter between steps).
 *
 * The fair-share allocation (weighted max-min down the node tree) and the
 * pushes to the enforcement points are added to this step by the fairness
 * work; "enabled" switches them, measurement always runs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/math64.h>
#include <linux/rtnetlink.h>

#include "iofair.h"

#define IOFAIR_CTRL_INTERVAL_MS	100
#define IOFAIR_CTRL_HYSTERESIS	5
#define IOFAIR_CTRL_MARGIN	10
#define IOFAIR_CTRL_WINDOW_MS	1000

static void iofair_ctrl_measure(struct iofair_net *inet, u64 now)
{
	struct iofair_dir_stats dir[IOFAIR_NDIRS];
	struct iofair_target *t;
	unsigned long id;
	int d;

	xa_for_each(&inet->targets, id, t) {
		iofair_target_read(t, dir);
		for (d = 0; d < IOFAIR_NDIRS; d++) {
			if (t->last_ns && now > t->last_ns && dir[d].bytes >= t->last_bytes[d])
				t->rate_bps[d] = div64_u64((dir[d].bytes - t->last_bytes[d]) *
							   8 * NSEC_PER_SEC, now - t->last_ns);
			t->last_bytes[d] = dir[d].bytes;
		}
		t->last_ns = now;
	}
}

static void iofair_ctrl_step(struct work_struct *work)
{
	struct iofair_net *inet = container_of(to_delayed_work(work),
					       struct iofair_net, ctrl_work);
	bool rtnl = READ_ONCE(inet->nvf) > 0;	/* PF driver counters need RTNL */
	u64 start;

	if (rtnl)
		rtnl_lock();
	mutex_lock(&inet->lock);
	if (inet->dying || !inet->ntargets)
		goto out;
	start = iofair_now_ns();
	if (rtnl || !inet->nvf)
		iofair_ctrl_measure(inet, start);
	inet->ctrl_steps++;
	inet->ctrl_last_step_ns = iofair_now_ns() - start;
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
