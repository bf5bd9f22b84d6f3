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
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/netfilter.h>
#include <linux/netfilter_netdev.h>
#include <linux/skbuff.h>

#include "iofair.h"

enum { IOFAIR_HOOK_IN, IOFAIR_HOOK_OUT };

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
	struct net *net = dev_net(dev);
	int err, d;

	if (!IS_ENABLED(CONFIG_NETFILTER_INGRESS) || !IS_ENABLED(CONFIG_NETFILTER_EGRESS)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "this kernel has no netfilter netdev ingress/egress hooks");
		return -EOPNOTSUPP;
	}

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

	err = nf_register_net_hook(net, &ops[IOFAIR_HOOK_IN]);
	if (err)
		goto err_msg;
	err = nf_register_net_hook(net, &ops[IOFAIR_HOOK_OUT]);
	if (err)
		goto err_in;
	t->hook_dev = dev;
	t->hooks_on = true;
	iofair_rtt_follow(t);
	return 0;

err_in:
	nf_unregister_net_hook(net, &ops[IOFAIR_HOOK_IN]);
err_msg:
	NL_SET_ERR_MSG_FMT_MOD(extack, "cannot hook %s: %d", dev->name, err);
	return err;
}

/*
 * Hooks off first, then (after the hooks' grace period: nothing can be
 * queued any more) the held packets are dropped.
 */
void iofair_hook_detach(struct iofair_target *t)
{
	struct net *net;
	int d;

	iofair_rtt_detach(t);
	if (!t->hooks_on)
		return;
	net = dev_net(t->hook_dev);
	nf_unregister_net_hook(net, &t->hook_ops[IOFAIR_HOOK_OUT]);
	nf_unregister_net_hook(net, &t->hook_ops[IOFAIR_HOOK_IN]);
	synchronize_net();
	for (d = 0; d < IOFAIR_NDIRS; d++)
		iofair_shaper_purge(&t->shaper[d]);
	t->hooks_on = false;
	t->hook_dev = NULL;
}
