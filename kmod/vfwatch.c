// SPDX-License-Identifier: GPL-2.0
/*
 * Watching a VF's configuration in the PF driver.
 *
 * Whoever changes a VF -- iofair, `ip link set PF vf N ...`, libvirt --
 * goes through the PF driver's VF callbacks (ndo_set_vf_rate, _mac, _vlan,
 * _trust, _spoofchk, _link_state).  While a vf target exists, a kprobe sits
 * on each of those its PF has, found at run time in the PF's netdev_ops:
 * no driver symbol is named anywhere.  PFs of one driver share the same
 * functions, so a probe is shared by every watched VF whose PF has that
 * callback (a count of users per function); it comes off with its last
 * user: target deletion, PF removal (the target goes with its netdev), or
 * module unload.  Probes are registered and removed in process context,
 * under RTNL, from the target paths.
 *
 * The pre-handler runs at the callback's entry, in whatever context the
 * probe fires in (an int3 trap counts as NMI): it takes no lock and
 * allocates nothing.  It looks the (net_device, VF index) arguments up in
 * the RCU list of watched VFs, notes "changed by iofair" or "by someone
 * else", stamps the time and raises an irq_work, which queues the work
 * item.  iofair's own calls are recognised by the pushing task, marked
 * around them (iofair_vfwatch_own_begin/end, under RTNL).
 *
 * The work takes RTNL, which the caller of the callback holds until it is
 * done, so it reads the configuration after the change (ndo_get_vf_config,
 * no return probe needed).  Each watched VF whose configuration differs
 * from the last one seen gets one vf-config event with the old and new
 * values.  When the change was not iofair's and moved the rates iofair
 * governs (the target's rate is in the PF driver: hw_pushed):
 *
 *	ownership enforce: iofair's last pushed values go back in (a second
 *			   event, by iofair, follows from the work's next run);
 *	ownership adopt:   the new max/min tx rates become the target's bw-max
 *			   and bw-min (Mbit/s -> bit/s), with a policy-change
 *			   event; if the policy or the tree refuses them,
 *			   iofair enforces instead.
 *
 * A rate change to a VF whose rate iofair does not govern (enforce sw) is
 * reported and becomes the VF's own rate, put back when iofair lets go.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/etherdevice.h>
#include <linux/if_link.h>
#include <linux/irq_work.h>
#include <linux/kprobes.h>
#include <linux/netdevice.h>
#include <linux/ptrace.h>
#include <linux/rculist.h>
#include <linux/rtnetlink.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "controller.h"
#include "hook.h"
#include "node.h"
#include "notify.h"
#include "pernet.h"
#include "target.h"
#include "vf.h"
#include "vfwatch.h"
#include "iofair-nl-gen.h"

#define IOFAIR_MBPS		1000000ULL
#define IOFAIR_VFW_UNKNOWN	U32_MAX		/* the driver does not say */

/* The VF callbacks probed, in netdev_ops. */
enum {
	IOFAIR_VFW_RATE,
	IOFAIR_VFW_MAC,
	IOFAIR_VFW_VLAN,
	IOFAIR_VFW_TRUST,
	IOFAIR_VFW_SPOOFCHK,
	IOFAIR_VFW_LINK_STATE,
	IOFAIR_VFW_NCB,
};

static const char *const iofair_vfw_cb_names[IOFAIR_VFW_NCB] = {
	[IOFAIR_VFW_RATE]	= "ndo_set_vf_rate",
	[IOFAIR_VFW_MAC]	= "ndo_set_vf_mac",
	[IOFAIR_VFW_VLAN]	= "ndo_set_vf_vlan",
	[IOFAIR_VFW_TRUST]	= "ndo_set_vf_trust",
	[IOFAIR_VFW_SPOOFCHK]	= "ndo_set_vf_spoofchk",
	[IOFAIR_VFW_LINK_STATE]	= "ndo_set_vf_link_state",
};

/* Bits of iofair_vfwatch.pending: who called a callback since the last run. */
enum {
	IOFAIR_VFW_BY_IOFAIR,
	IOFAIR_VFW_BY_OTHER,
};

/* What an event reports of a VF's configuration (the vf-config nest). */
struct iofair_vfw_cfg {
	u32 max_mbps;
	u32 min_mbps;
	u32 vlan;
	u32 trust;			/* 0, 1 or IOFAIR_VFW_UNKNOWN */
	u32 spoofchk;			/* likewise */
	u32 link_state;			/* IFLA_VF_LINK_STATE_* */
	bool has_link_state;		/* the driver has ndo_set_vf_link_state */
	u8 mac[ETH_ALEN];
};

/* One kprobe on one driver function, shared by the VFs of its PFs. */
struct iofair_vfw_probe {
	struct kprobe kp;
	struct list_head list;		/* in iofair_vfw_probes */
	void *fn;			/* the callback, as in netdev_ops */
	unsigned int users;		/* watched VFs whose PF has it */
};

/* The watch of one vf target (t->vfw). */
struct iofair_vfwatch {
	struct list_head list;		/* in iofair_vfw_watched */
	struct iofair_target *target;
	/* The handler's keys: the target's PF and VF index. */
	struct net_device *dev;
	u32 vf;
	unsigned long pending;		/* IOFAIR_VFW_BY_* bits, set by the handler */
	u64 seen_ns;			/* the last call seen, CLOCK_MONOTONIC */
	struct iofair_vfw_cfg last;	/* last configuration seen, under RTNL */
	struct iofair_vfw_probe *probe[IOFAIR_VFW_NCB];
	struct rcu_head rcu;
};

/*
 * Both lists are written under RTNL.  The watched list is read by the
 * handler under RCU; an entry is freed after a grace period, since a probe
 * shared with other VFs may still be walking past it.
 */
static LIST_HEAD(iofair_vfw_probes);
static LIST_HEAD(iofair_vfw_watched);
/* Set under RTNL at unload: no new watch, the work does nothing. */
static bool iofair_vfw_dying;
/* The task pushing a VF setting for iofair, under RTNL; else NULL. */
static struct task_struct *iofair_vfw_self;

static void iofair_vfw_work_fn(struct work_struct *work);
static DECLARE_WORK(iofair_vfw_work, iofair_vfw_work_fn);

static void iofair_vfw_irq_work_fn(struct irq_work *iw)
{
	schedule_work(&iofair_vfw_work);
}

static DEFINE_IRQ_WORK(iofair_vfw_irq_work, iofair_vfw_irq_work_fn);

void iofair_vfwatch_own_begin(void)
{
	ASSERT_RTNL();
	WRITE_ONCE(iofair_vfw_self, current);
}

void iofair_vfwatch_own_end(void)
{
	WRITE_ONCE(iofair_vfw_self, NULL);
}

/*
 * At the entry of a probed callback: (dev, int vf, ...) on every one of
 * them.  Any context, NMI included: no lock, no allocation, no sleep.
 */
static int iofair_vfw_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct net_device *dev = (struct net_device *)regs_get_kernel_argument(regs, 0);
	u32 vf = (u32)regs_get_kernel_argument(regs, 1);
	int bit = READ_ONCE(iofair_vfw_self) == current ? IOFAIR_VFW_BY_IOFAIR :
							   IOFAIR_VFW_BY_OTHER;
	struct iofair_vfwatch *w;
	bool hit = false;

	rcu_read_lock();
	list_for_each_entry_rcu(w, &iofair_vfw_watched, list) {
		if (w->dev != dev || w->vf != vf)
			continue;
		WRITE_ONCE(w->seen_ns, ktime_get_mono_fast_ns());
		set_bit(bit, &w->pending);
		hit = true;
	}
	rcu_read_unlock();
	if (hit)
		irq_work_queue(&iofair_vfw_irq_work);
	return 0;
}

static void iofair_vfw_callbacks(const struct net_device_ops *ops,
				 void *fn[IOFAIR_VFW_NCB])
{
	fn[IOFAIR_VFW_RATE] = (void *)ops->ndo_set_vf_rate;
	fn[IOFAIR_VFW_MAC] = (void *)ops->ndo_set_vf_mac;
	fn[IOFAIR_VFW_VLAN] = (void *)ops->ndo_set_vf_vlan;
	fn[IOFAIR_VFW_TRUST] = (void *)ops->ndo_set_vf_trust;
	fn[IOFAIR_VFW_SPOOFCHK] = (void *)ops->ndo_set_vf_spoofchk;
	fn[IOFAIR_VFW_LINK_STATE] = (void *)ops->ndo_set_vf_link_state;
}

/* The probe on @fn, registered if it is the first user. */
static struct iofair_vfw_probe *iofair_vfw_probe_get(void *fn)
{
	struct iofair_vfw_probe *p;
	int err;

	ASSERT_RTNL();
	list_for_each_entry(p, &iofair_vfw_probes, list) {
		if (p->fn == fn) {
			p->users++;
			return p;
		}
	}
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return ERR_PTR(-ENOMEM);
	p->fn = fn;
	p->kp.addr = (kprobe_opcode_t *)fn;
	p->kp.pre_handler = iofair_vfw_pre;
	err = register_kprobe(&p->kp);
	if (err) {
		kfree(p);
		return ERR_PTR(err);
	}
	p->users = 1;
	list_add(&p->list, &iofair_vfw_probes);
	return p;
}

/* Drop @w's probes; those left without users come off, in one batch. */
static void iofair_vfw_probes_put(struct iofair_vfwatch *w)
{
	struct iofair_vfw_probe *dead[IOFAIR_VFW_NCB];
	struct kprobe *kps[IOFAIR_VFW_NCB];
	int i, n = 0;

	ASSERT_RTNL();
	for (i = 0; i < IOFAIR_VFW_NCB; i++) {
		struct iofair_vfw_probe *p = w->probe[i];

		w->probe[i] = NULL;
		if (!p || --p->users)
			continue;
		list_del(&p->list);
		dead[n] = p;
		kps[n++] = &p->kp;
	}
	if (!n)
		return;
	/* Waits for handlers still running on them. */
	unregister_kprobes(kps, n);
	for (i = 0; i < n; i++)
		kfree(dead[i]);
}

static int iofair_vfw_read(const struct iofair_target *t, struct iofair_vfw_cfg *c)
{
	const struct net_device_ops *ops = t->dev->netdev_ops;
	struct ifla_vf_info ivi;
	int err;

	ASSERT_RTNL();
	/* As rtnetlink does: what the driver leaves alone reads "unknown". */
	memset(&ivi, 0, sizeof(ivi));
	ivi.spoofchk = IOFAIR_VFW_UNKNOWN;
	ivi.trusted = IOFAIR_VFW_UNKNOWN;
	ivi.rss_query_en = IOFAIR_VFW_UNKNOWN;
	err = ops->ndo_get_vf_config(t->dev, t->vf, &ivi);
	if (err)
		return err;
	memset(c, 0, sizeof(*c));
	c->max_mbps = ivi.max_tx_rate;
	c->min_mbps = ivi.min_tx_rate;
	c->vlan = ivi.vlan;
	c->trust = ivi.trusted == IOFAIR_VFW_UNKNOWN ? ivi.trusted : !!ivi.trusted;
	c->spoofchk = ivi.spoofchk == IOFAIR_VFW_UNKNOWN ? ivi.spoofchk : !!ivi.spoofchk;
	c->has_link_state = !!ops->ndo_set_vf_link_state;
	c->link_state = c->has_link_state ? ivi.linkstate : 0;
	memcpy(c->mac, ivi.mac, ETH_ALEN);
	return 0;
}

static bool iofair_vfw_rates_differ(const struct iofair_vfw_cfg *a,
				    const struct iofair_vfw_cfg *b)
{
	return a->max_mbps != b->max_mbps || a->min_mbps != b->min_mbps;
}

static bool iofair_vfw_differ(const struct iofair_vfw_cfg *a,
			      const struct iofair_vfw_cfg *b)
{
	return iofair_vfw_rates_differ(a, b) || a->vlan != b->vlan ||
	       a->trust != b->trust || a->spoofchk != b->spoofchk ||
	       a->link_state != b->link_state || !ether_addr_equal(a->mac, b->mac);
}

static int iofair_vfw_put_cfg(struct sk_buff *skb, int type,
			      const struct iofair_vfw_cfg *c)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, IOFAIR_A_VF_CONFIG_MAX_TX_RATE, c->max_mbps) ||
	    nla_put_u32(skb, IOFAIR_A_VF_CONFIG_MIN_TX_RATE, c->min_mbps) ||
	    (c->trust != IOFAIR_VFW_UNKNOWN &&
	     nla_put_u8(skb, IOFAIR_A_VF_CONFIG_TRUST, c->trust)) ||
	    (c->spoofchk != IOFAIR_VFW_UNKNOWN &&
	     nla_put_u8(skb, IOFAIR_A_VF_CONFIG_SPOOFCHK, c->spoofchk)) ||
	    (c->has_link_state &&
	     nla_put_u32(skb, IOFAIR_A_VF_CONFIG_LINK_STATE, c->link_state)) ||
	    nla_put_u32(skb, IOFAIR_A_VF_CONFIG_VLAN, c->vlan) ||
	    nla_put(skb, IOFAIR_A_VF_CONFIG_MAC, ETH_ALEN, c->mac)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* One vf-config event into the target's namespace; best effort. */
static void iofair_vfw_notify(const struct iofair_target *t, u64 when_ns,
			      const struct iofair_vfw_cfg *old,
			      const struct iofair_vfw_cfg *new, bool by_iofair)
{
	struct sk_buff *skb;
	void *hdr;

	skb = iofair_event_new(t->inet, IOFAIR_EVENT_TYPE_VF_CONFIG, when_ns, &hdr);
	if (!skb)
		return;
	if (iofair_event_put_target(skb, t) ||
	    iofair_vfw_put_cfg(skb, IOFAIR_A_EVENT_OLD, old) ||
	    iofair_vfw_put_cfg(skb, IOFAIR_A_EVENT_NEW, new) ||
	    nla_put_u8(skb, IOFAIR_A_EVENT_BY_IOFAIR, by_iofair)) {
		nlmsg_free(skb);
		return;
	}
	iofair_event_send(t->inet, skb, hdr);
}

/* ownership enforce: iofair's last pushed rates back into the driver. */
static void iofair_vfw_enforce(struct iofair_target *t)
{
	int err;

	err = iofair_vf_set_max(t, t->pushed_max_mbps);
	if (err)
		pr_warn_ratelimited("%s vf %u: cannot put iofair's rate (%u Mbit/s) back: %d\n",
				    t->dev->name, t->vf, t->pushed_max_mbps, err);
}

/* ownership adopt: the VF's new rates become the target's policy. */
static void iofair_vfw_adopt(struct iofair_target *t, const struct iofair_vfw_cfg *old,
			     const struct iofair_vfw_cfg *new)
{
	struct iofair_policy saved = t->policy;

	if (old->max_mbps != new->max_mbps)
		t->policy.bw_max_bps = (u64)new->max_mbps * IOFAIR_MBPS;
	if (old->min_mbps != new->min_mbps)
		t->policy.bw_min_bps = (u64)new->min_mbps * IOFAIR_MBPS;
	if ((t->policy.bw_max_bps && t->policy.bw_min_bps > t->policy.bw_max_bps) ||
	    iofair_tree_check(t->inet, NULL)) {
		pr_warn_ratelimited("%s vf %u: cannot adopt max %u min %u Mbit/s as the policy (min above max, or the tree's guarantees): putting iofair's back\n",
				    t->dev->name, t->vf, new->max_mbps, new->min_mbps);
		t->policy = saved;
		iofair_vfw_enforce(t);
		return;
	}
	iofair_changed(t->inet);
	t->pushed_max_mbps = new->max_mbps;
	t->hw_enforced = new->max_mbps != 0;
	t->pushed_bps = 0;	/* the controller pushes its share again */
	if (t->hooks_on)
		iofair_hook_limits(t);
	iofair_notify_target(t->inet, IOFAIR_EVENT_TYPE_POLICY_CHANGE, t, 0);
	iofair_ctrl_kick(t->inet);
}

static void iofair_vfw_check(struct iofair_vfwatch *w, unsigned long pending)
{
	bool by_iofair = !test_bit(IOFAIR_VFW_BY_OTHER, &pending);
	struct iofair_target *t = w->target;
	struct iofair_net *inet = t->inet;
	struct iofair_vfw_cfg old = w->last, new;

	ASSERT_RTNL();
	if (iofair_vfw_read(t, &new))
		return;		/* the VF is going away */
	if (!iofair_vfw_differ(&old, &new))
		return;
	w->last = new;

	mutex_lock(&inet->lock);
	iofair_vfw_notify(t, READ_ONCE(w->seen_ns), &old, &new, by_iofair);
	if (!by_iofair && iofair_vfw_rates_differ(&old, &new)) {
		if (!t->hw_pushed) {
			/* Not iofair's to govern: the VF's own rates now. */
			t->vf_orig_min_mbps = new.min_mbps;
			t->vf_orig_max_mbps = new.max_mbps;
		} else if (t->ownership == IOFAIR_OWNERSHIP_ADOPT) {
			iofair_vfw_adopt(t, &old, &new);
		} else {
			iofair_vfw_enforce(t);
		}
	}
	mutex_unlock(&inet->lock);
}

static void iofair_vfw_work_fn(struct work_struct *work)
{
	struct iofair_vfwatch *w;
	unsigned long pending;

	rtnl_lock();
	list_for_each_entry_rcu(w, &iofair_vfw_watched, list, lockdep_rtnl_is_held()) {
		pending = xchg(&w->pending, 0);
		if (pending && !iofair_vfw_dying)
			iofair_vfw_check(w, pending);
	}
	rtnl_unlock();
}

/*
 * Watch the VF of a new vf target (RTNL, inet->lock): probe its PF's VF
 * callbacks, then take the first snapshot.  A watch that cannot be set up
 * leaves the target working, unwatched, and says so.
 */
void iofair_vfwatch_add(struct iofair_target *t)
{
	struct iofair_vfw_probe *p;
	void *fn[IOFAIR_VFW_NCB];
	struct iofair_vfwatch *w;
	int i, n = 0, err;

	ASSERT_RTNL();
	if (t->vfw || iofair_vfw_dying)
		return;
	w = kzalloc(sizeof(*w), GFP_KERNEL_ACCOUNT);
	if (!w) {
		pr_warn("%s vf %u: no memory to watch its configuration\n", t->dev->name, t->vf);
		return;
	}
	w->target = t;
	w->dev = t->dev;
	w->vf = t->vf;
	iofair_vfw_callbacks(t->dev->netdev_ops, fn);
	for (i = 0; i < IOFAIR_VFW_NCB; i++) {
		if (!fn[i])
			continue;
		p = iofair_vfw_probe_get(fn[i]);
		if (IS_ERR(p)) {
			pr_warn("%s vf %u: cannot probe %s (%ps): %ld; changes made through it go unseen\n",
				t->dev->name, t->vf, iofair_vfw_cb_names[i], fn[i], PTR_ERR(p));
			continue;
		}
		w->probe[i] = p;
		n++;
	}
	if (!n) {
		pr_warn("%s vf %u: no VF callback could be probed: its configuration is not watched\n",
			t->dev->name, t->vf);
		goto err_free;
	}
	/* After the probes: no change falls between snapshot and watch. */
	err = iofair_vfw_read(t, &w->last);
	if (err) {
		pr_warn("%s vf %u: cannot read its configuration: %d; not watched\n",
			t->dev->name, t->vf, err);
		goto err_put;
	}
	list_add_rcu(&w->list, &iofair_vfw_watched);
	t->vfw = w;
	return;

err_put:
	iofair_vfw_probes_put(w);
err_free:
	kfree(w);
}

void iofair_vfwatch_del(struct iofair_target *t)
{
	struct iofair_vfwatch *w = t->vfw;

	ASSERT_RTNL();
	if (!w)
		return;
	t->vfw = NULL;
	list_del_rcu(&w->list);
	iofair_vfw_probes_put(w);
	kfree_rcu(w, rcu);
}

/*
 * Module unload, before the netlink family goes: every probe off, then no
 * handler, irq_work or work item of ours runs any more.  The targets stay
 * until the namespaces are torn down; they find their watch gone.
 */
void iofair_vfwatch_exit(void)
{
	struct iofair_vfwatch *w, *tmp;

	rtnl_lock();
	iofair_vfw_dying = true;
	list_for_each_entry_safe(w, tmp, &iofair_vfw_watched, list)
		iofair_vfwatch_del(w->target);
	rtnl_unlock();
	irq_work_sync(&iofair_vfw_irq_work);
	cancel_work_sync(&iofair_vfw_work);
	WARN_ON(!list_empty(&iofair_vfw_probes));
}
