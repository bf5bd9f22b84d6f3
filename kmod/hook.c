// SPDX-License-Identifier: GPL-2.0
/*
 * Per-packet hooks on a target's netdev: netfilter netdev ingress and
 * egress hooks registered on that one device, so that a device without a
 * target pays nothing (no hook, and the netfilter static keys stay off
 * while no device has a hook) and the cost per packet does not depend on
 * how many targets exist.
 *
 * Directions are the tenant's: for a dev target on the tenant's own netdev
 * (a veth end in its namespace, a host-bound VF) egress is tx; for a vhost
 * target (the tap, the host's side of the guest's NIC) and a host-side dev
 * target (the host's veth end) ingress is tx, what the tenant sent.
 *
 * The hot path takes no lock and allocates nothing: the shaper (shaper.c)
 * counts the packet per CPU and, when a limit is set, holds it if it is
 * early.  Lengths are L2 (shaper.c: iofair_wire_len()).
 *
 * One target's hooks per netdev, whatever the kinds and namespaces: a VF's
 * netdev hooked by its vf target cannot be a dev target as well, or a
 * packet released by one shaper would be charged, and held, by the other.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/netfilter.h>
#include <linux/netfilter_netdev.h>
#include <linux/rtnetlink.h>
#include <linux/skbuff.h>

#include "hook.h"
#include "pernet.h"
#include "rtt.h"
#include "shaper.h"
#include "stats.h"
#include "target.h"
#include "vhost.h"

enum { IOFAIR_HOOK_IN, IOFAIR_HOOK_OUT };

/* Every target with hooks on, by hook_dev; under RTNL. */
static DEFINE_HASHTABLE(iofair_hooked, 6);

static const struct iofair_target *iofair_hook_owner(const struct net_device *dev)
{
	struct iofair_target *t;

	ASSERT_RTNL();
	hash_for_each_possible(iofair_hooked, t, hook_node, (unsigned long)dev)
		if (t->hook_dev == dev)
			return t;
	return NULL;
}

/* -EEXIST, and whose they are, when @dev carries another target's hooks. */
int iofair_hook_check(const struct iofair_target *t, const struct net_device *dev,
		      struct netlink_ext_ack *extack)
{
	const struct iofair_target *o = iofair_hook_owner(dev);
	const char *where = o && o->inet != t->inet ? " in another netns" : "";

	if (!o || o == t)
		return 0;
	/* Short: formatted extack messages stop at 80 bytes. */
	if (o->kind == IOFAIR_TARGET_KIND_VF)
		NL_SET_ERR_MSG_FMT_MOD(extack, "%s is target %u%s already (VF %u of %s)",
				       dev->name, o->id, where, o->vf, o->dev->name);
	else
		NL_SET_ERR_MSG_FMT_MOD(extack, "%s is target %u%s already",
				       dev->name, o->id, where);
	return -EEXIST;
}

static enum iofair_dir iofair_hook_dir(const struct iofair_target *t, int hook)
{
	bool host = t->kind == IOFAIR_TARGET_KIND_VHOST || t->host_side;

	if (hook == IOFAIR_HOOK_IN)
		return host ? IOFAIR_TX : IOFAIR_RX;
	return host ? IOFAIR_RX : IOFAIR_TX;
}

/* At ingress the Ethernet header has been pulled: mac_len puts it back. */
static unsigned int iofair_hook_ingress(void *priv, struct sk_buff *skb,
					const struct nf_hook_state *state)
{
	struct iofair_target *t = priv;

	if (t->kind == IOFAIR_TARGET_KIND_VHOST)
		iofair_vhost_tx(t, skb);
	return iofair_shape(&t->shaper[iofair_hook_dir(t, IOFAIR_HOOK_IN)], skb,
			    skb->mac_len);
}

static unsigned int iofair_hook_egress(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	struct iofair_target *t = priv;

	return iofair_shape(&t->shaper[iofair_hook_dir(t, IOFAIR_HOOK_OUT)], skb, 0);
}

/*
 * The ingress and egress hooks @ops[2] on their netdev (ops[0].dev), for
 * hook.c and rtt.c alike.  Netdev hooks are the device's: the core finds
 * them through the namespace the device is in at that moment
 * (nf_hook_entry_head() wants dev_net(dev)), so both directions take
 * dev_net() then, never a namespace saved earlier.
 */
int iofair_nf_hooks_register(struct nf_hook_ops ops[2])
{
	struct net *net = dev_net(ops[0].dev);
	int err;

	err = nf_register_net_hook(net, &ops[0]);
	if (err)
		return err;
	err = nf_register_net_hook(net, &ops[1]);
	if (err)
		nf_unregister_net_hook(net, &ops[0]);
	return err;
}

void iofair_nf_hooks_unregister(struct nf_hook_ops ops[2])
{
	struct net *net = dev_net(ops[0].dev);

	nf_unregister_net_hook(net, &ops[1]);
	nf_unregister_net_hook(net, &ops[0]);
}

/*
 * The limits the hooks enforce: tx from the controller's allocation when it
 * gives one, else bw-max; rx from rx-bw-max.  vf targets are limited in
 * software only when their enforcement says so.
 */
void iofair_hook_limits(struct iofair_target *t)
{
	bool sw = t->kind != IOFAIR_TARGET_KIND_VF || t->enforce != IOFAIR_ENFORCE_HW;
	u64 tx = t->alloc_bps ?: t->policy.bw_max_bps;

	lockdep_assert_held(&t->inet->lock);
	iofair_shaper_set(&t->shaper[IOFAIR_TX], sw ? tx : 0, t->policy.burst_bytes);
	iofair_shaper_set(&t->shaper[IOFAIR_RX], sw ? t->rx_bw_max_bps : 0, 0);
}

int iofair_hook_attach(struct iofair_target *t, struct net_device *dev,
		       struct netlink_ext_ack *extack)
{
	struct nf_hook_ops *ops = t->hook_ops;
	int err, d;

	if (!IS_ENABLED(CONFIG_NETFILTER_INGRESS) || !IS_ENABLED(CONFIG_NETFILTER_EGRESS)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "this kernel has no netfilter netdev ingress/egress hooks");
		return -EOPNOTSUPP;
	}
	err = iofair_hook_check(t, dev, extack);
	if (err)
		return err;

	for (d = 0; d < IOFAIR_NDIRS; d++)
		iofair_shaper_init(&t->shaper[d], t, d,
				   iofair_hook_dir(t, IOFAIR_HOOK_IN) == d);
	iofair_hook_limits(t);

	ops[IOFAIR_HOOK_IN] = (struct nf_hook_ops) {
		.hook		= iofair_hook_ingress,
		.dev		= dev,
		.priv		= t,
		.pf		= NFPROTO_NETDEV,
		.hooknum	= NF_NETDEV_INGRESS,
		.priority	= 0,
	};
	ops[IOFAIR_HOOK_OUT] = ops[IOFAIR_HOOK_IN];
	ops[IOFAIR_HOOK_OUT].hook = iofair_hook_egress;
	ops[IOFAIR_HOOK_OUT].hooknum = NF_NETDEV_EGRESS;

	err = iofair_nf_hooks_register(ops);
	if (err) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "cannot hook %s: %d", dev->name, err);
		return err;
	}
	t->hook_dev = dev;
	t->hooks_on = true;
	hash_add(iofair_hooked, &t->hook_node, (unsigned long)dev);
	iofair_rtt_follow(t);
	return 0;
}

/*
 * Hooks off first, then (after the hooks' grace period: nothing can be
 * queued any more) the held packets are dropped.
 */
void iofair_hook_detach(struct iofair_target *t)
{
	int d;

	iofair_rtt_detach(t);
	if (!t->hooks_on)
		return;
	hash_del(&t->hook_node);
	iofair_nf_hooks_unregister(t->hook_ops);
	synchronize_net();
	for (d = 0; d < IOFAIR_NDIRS; d++)
		iofair_shaper_purge(&t->shaper[d]);
	t->hooks_on = false;
	t->hook_dev = NULL;
}
