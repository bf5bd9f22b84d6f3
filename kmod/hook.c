// SPDX-License-Identifier: GPL-2.0
/*
 * Per-packet hooks on a target's netdev: netfilter netdev ingress and
 * egress hooks registered on that one device, so that a device without a
 * target pays nothing (no hook, and the netfilter static keys stay off
 * while no device has a hook) and the cost per packet does not depend on
 * how many targets exist.
 *
 * Directions are the tenant's: for a dev target (the tenant's own netdev,
 * a veth end or a host-bound VF) egress is tx; for a vhost target (the tap,
 * the host's side of the guest's NIC) ingress is tx, what the guest sent.
 *
 * The hot path takes no lock and allocates nothing: one per-CPU counter
 * update.  Lengths are L2: at ingress the Ethernet header has been pulled
 * (mac_len), at egress it is in skb->len.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/netfilter.h>
#include <linux/netfilter_netdev.h>
#include <linux/skbuff.h>

#include "iofair.h"

enum { IOFAIR_HOOK_IN, IOFAIR_HOOK_OUT };

static enum iofair_dir iofair_hook_dir(const struct iofair_target *t, int hook)
{
	bool tap = t->kind == IOFAIR_TARGET_KIND_VHOST;

	if (hook == IOFAIR_HOOK_IN)
		return tap ? IOFAIR_TX : IOFAIR_RX;
	return tap ? IOFAIR_RX : IOFAIR_TX;
}

static __always_inline void iofair_hook_count(struct iofair_target *t,
					      enum iofair_dir dir, unsigned int len)
{
	struct iofair_pcpu_stats *s = this_cpu_ptr(t->pcpu);

	u64_stats_update_begin(&s->syncp);
	s->dir[dir].packets++;
	s->dir[dir].bytes += len;
	u64_stats_update_end(&s->syncp);
}

static unsigned int iofair_hook_ingress(void *priv, struct sk_buff *skb,
					const struct nf_hook_state *state)
{
	struct iofair_target *t = priv;

	iofair_hook_count(t, iofair_hook_dir(t, IOFAIR_HOOK_IN),
			  skb->len + skb->mac_len);
	return NF_ACCEPT;
}

static unsigned int iofair_hook_egress(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	struct iofair_target *t = priv;

	iofair_hook_count(t, iofair_hook_dir(t, IOFAIR_HOOK_OUT), skb->len);
	return NF_ACCEPT;
}

int iofair_hook_attach(struct iofair_target *t, struct netlink_ext_ack *extack)
{
	struct net *net = dev_net(t->dev);
	struct nf_hook_ops *ops = t->hook_ops;
	int err;

	if (!IS_ENABLED(CONFIG_NETFILTER_INGRESS) || !IS_ENABLED(CONFIG_NETFILTER_EGRESS)) {
		NL_SET_ERR_MSG_MOD(extack, "this kernel has no netfilter netdev ingress/egress hooks");
		return -EOPNOTSUPP;
	}

	ops[IOFAIR_HOOK_IN] = (struct nf_hook_ops) {
		.hook		= iofair_hook_ingress,
		.dev		= t->dev,
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
	t->hooks_on = true;
	return 0;

err_in:
	nf_unregister_net_hook(net, &ops[IOFAIR_HOOK_IN]);
err_msg:
	NL_SET_ERR_MSG_FMT_MOD(extack, "cannot hook %s: %d", t->dev->name, err);
	return err;
}

void iofair_hook_detach(struct iofair_target *t)
{
	struct net *net = dev_net(t->dev);

	if (!t->hooks_on)
		return;
	nf_unregister_net_hook(net, &t->hook_ops[IOFAIR_HOOK_OUT]);
	nf_unregister_net_hook(net, &t->hook_ops[IOFAIR_HOOK_IN]);
	t->hooks_on = false;
}
