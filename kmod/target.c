// SPDX-License-Identifier: GPL-2.0
/*
 * Targets: the traffic endpoints iofair governs.
 *
 * Lifetime: a target holds its netdev (for a vf target, the PF) with a
 * reference tracker from target-add until it is deleted: by a request, by
 * the netdev going away or leaving the namespace (NETDEV_UNREGISTER), by its
 * VF being destroyed, or by the namespace or the module going.  Deletion
 * unpublishes it (xarray), takes its hooks off, puts the reference and frees
 * it after an RCU grace period, since a packet hook may still be running on
 * it.  The module never keeps a device alive: the notifier deletes a target
 * before its device's unregistration waits for references.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>

#include "controller.h"
#include "hist.h"
#include "hook.h"
#include "node.h"
#include "notify.h"
#include "pernet.h"
#include "stats.h"
#include "target.h"
#include "vf.h"
#include "vhost.h"
#include "iofair-nl-gen.h"

struct iofair_target *iofair_target_find(struct iofair_net *inet, u32 id)
{
	lockdep_assert_held(&inet->lock);
	return xa_load(&inet->targets, id);
}

static bool iofair_dev_is_tap(const struct net_device *dev)
{
	const char *kind = dev->rtnl_link_ops ? dev->rtnl_link_ops->kind : NULL;

	return kind && dev->type == ARPHRD_ETHER &&
	       (!strcmp(kind, "tun") || !strcmp(kind, "macvtap"));
}

/* The netdev of a target-add request: by ifindex or by name. */
static struct net_device *iofair_target_dev(struct iofair_net *inet,
					    struct genl_info *info)
{
	struct nlattr *idx = info->attrs[IOFAIR_A_TARGET_IFINDEX];
	struct nlattr *name = info->attrs[IOFAIR_A_TARGET_IFNAME];
	struct net_device *dev;

	ASSERT_RTNL();
	if (idx && name) {
		NL_SET_ERR_MSG_ATTR(info->extack, name, "give ifindex or ifname, not both");
		return ERR_PTR(-EINVAL);
	}
	if (!idx && !name) {
		NL_SET_ERR_MSG_MOD(info->extack, "a target needs ifindex or ifname");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, IOFAIR_A_TARGET_IFINDEX);
		return ERR_PTR(-EINVAL);
	}
	if (idx)
		dev = __dev_get_by_index(inet->net, nla_get_u32(idx));
	else
		dev = __dev_get_by_name(inet->net, nla_data(name));
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(info->extack, idx ?: name,
				    "no such netdev in this network namespace");
		return ERR_PTR(-ENODEV);
	}
	return dev;
}

/* Does @dev fit a target of @kind?  Only one target per netdev (and VF). */
static int iofair_target_check_dev(struct iofair_net *inet, u32 kind,
				   struct net_device *dev, struct genl_info *info,
				   u32 vf)
{
	struct netlink_ext_ack *extack = info->extack;
	struct iofair_target *t;
	unsigned long id;
	int err;

	switch (kind) {
	case IOFAIR_TARGET_KIND_VF:
		err = iofair_vf_check(dev, vf, info);
		if (err)
			return err;
		break;
	case IOFAIR_TARGET_KIND_VHOST:
		if (!iofair_dev_is_tap(dev)) {
			NL_SET_ERR_MSG_FMT_MOD(extack,
					       "%s is not a tap or macvtap: a vhost target is the tap vhost-net serves",
					       dev->name);
			return -EINVAL;
		}
		break;
	default:
		if (dev->flags & IFF_LOOPBACK) {
			NL_SET_ERR_MSG_MOD(extack, "the loopback device cannot be a target");
			return -EINVAL;
		}
		break;
	}

	xa_for_each(&inet->targets, id, t) {
		if (t->dev != dev)
			continue;
		if (kind == IOFAIR_TARGET_KIND_VF && t->kind == kind && t->vf == vf) {
			NL_SET_ERR_MSG_FMT_MOD(extack, "VF %u of %s is target %u already",
					       vf, dev->name, t->id);
			return -EEXIST;
		}
		if (kind != IOFAIR_TARGET_KIND_VF && t->kind != IOFAIR_TARGET_KIND_VF) {
			NL_SET_ERR_MSG_FMT_MOD(extack, "%s is target %u already",
					       dev->name, t->id);
			return -EEXIST;
		}
	}
	return 0;
}

/*
 * Settings shared by target-add and target-set.  The caller saved the
 * target and restores it when this fails.
 */
static int iofair_target_apply(struct iofair_net *inet, struct iofair_target *t,
			       struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **tb = info->attrs;
	struct iofair_node *node;
	bool vf = t->kind == IOFAIR_TARGET_KIND_VF;
	int err;

	if (tb[IOFAIR_A_TARGET_ENFORCE]) {
		t->enforce = nla_get_u32(tb[IOFAIR_A_TARGET_ENFORCE]);
		if (!vf && t->enforce != IOFAIR_ENFORCE_SW) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IOFAIR_A_TARGET_ENFORCE],
					    "only vf targets have a hardware limiter");
			return -EINVAL;
		}
	}
	if (tb[IOFAIR_A_TARGET_OWNERSHIP]) {
		if (!vf) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IOFAIR_A_TARGET_OWNERSHIP],
					    "ownership applies to vf targets only");
			return -EINVAL;
		}
		t->ownership = nla_get_u32(tb[IOFAIR_A_TARGET_OWNERSHIP]);
	}
	if (tb[IOFAIR_A_TARGET_NODE]) {
		u32 nid = nla_get_u32(tb[IOFAIR_A_TARGET_NODE]);

		node = nid ? iofair_node_find(inet, nid) : NULL;
		if (nid && !node) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IOFAIR_A_TARGET_NODE], "no such node");
			return -ENOENT;
		}
		iofair_target_reparent(t, node);
	}
	err = iofair_policy_parse(tb[IOFAIR_A_TARGET_POLICY], &t->policy, extack);
	if (err)
		return err;
	if (tb[IOFAIR_A_TARGET_RX_BW_MAX])
		t->rx_bw_max_bps = nla_get_u64(tb[IOFAIR_A_TARGET_RX_BW_MAX]);
	err = iofair_tree_check(inet, extack);
	if (err)
		return err;
	/* Last: histograms are not rolled back with the rest. */
	if (tb[IOFAIR_A_TARGET_HIST])
		err = iofair_hist_set(t, nla_get_u32(tb[IOFAIR_A_TARGET_HIST]), extack);
	return err;
}

/* Move @t below @node (NULL: out of the tree), counts and lists. */
void iofair_target_reparent(struct iofair_target *t, struct iofair_node *node)
{
	if (t->node) {
		t->node->children--;
		list_del_init(&t->sibling);
	}
	t->node = node;
	if (node) {
		node->children++;
		list_add_tail(&t->sibling, &node->child_targets);
	}
}

static void iofair_target_unlink(struct iofair_target *t)
{
	iofair_target_reparent(t, NULL);
}

static void iofair_target_free_rcu(struct rcu_head *head)
{
	struct iofair_target *t = container_of(head, struct iofair_target, rcu);

	iofair_hist_free(t);
	free_percpu(t->pcpu);
	kfree(t);
}

int iofair_target_add(struct iofair_net *inet, struct genl_info *info,
		      struct iofair_target **out)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **tb = info->attrs;
	struct iofair_target *t;
	struct net_device *dev;
	u32 kind, vf = 0;
	int err;

	ASSERT_RTNL();
	lockdep_assert_held(&inet->lock);
	if (inet->ntargets >= IOFAIR_TARGETS_MAX) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "a network namespace has at most %u targets",
				       IOFAIR_TARGETS_MAX);
		return -ENOSPC;
	}
	if (GENL_REQ_ATTR_CHECK(info, IOFAIR_A_TARGET_KIND))
		return -EINVAL;
	kind = nla_get_u32(tb[IOFAIR_A_TARGET_KIND]);
	if (kind == IOFAIR_TARGET_KIND_VF) {
		if (GENL_REQ_ATTR_CHECK(info, IOFAIR_A_TARGET_VF))
			return -EINVAL;
		vf = nla_get_u32(tb[IOFAIR_A_TARGET_VF]);
	} else if (tb[IOFAIR_A_TARGET_VF]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[IOFAIR_A_TARGET_VF],
				    "a VF index is for vf targets only");
		return -EINVAL;
	}
	dev = iofair_target_dev(inet, info);
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	err = iofair_target_check_dev(inet, kind, dev, info, vf);
	if (err)
		return err;

	t = kzalloc(sizeof(*t), GFP_KERNEL_ACCOUNT);
	if (!t)
		return -ENOMEM;
	t->pcpu = alloc_percpu_gfp(struct iofair_pcpu_stats, GFP_KERNEL_ACCOUNT);
	if (!t->pcpu) {
		err = -ENOMEM;
		goto err_free;
	}
	t->inet = inet;
	INIT_LIST_HEAD(&t->sibling);
	t->kind = kind;
	t->dev = dev;
	t->vf = vf;
	if (tb[IOFAIR_A_TARGET_HOST_SIDE]) {
		if (kind != IOFAIR_TARGET_KIND_DEV) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IOFAIR_A_TARGET_HOST_SIDE],
					    "host-side is for dev targets (a tap is always the host's side)");
			err = -EINVAL;
			goto err_free;
		}
		t->host_side = nla_get_u8(tb[IOFAIR_A_TARGET_HOST_SIDE]);
	}
	t->enforce = kind == IOFAIR_TARGET_KIND_VF ? IOFAIR_ENFORCE_HW : IOFAIR_ENFORCE_SW;
	t->ownership = IOFAIR_OWNERSHIP_ENFORCE;
	t->policy.weight = 1;

	/* In the xarray for the tree check, unpublished to readers: they
	 * all take inet->lock, which we hold until the target is complete.
	 */
	err = xa_alloc_cyclic(&inet->targets, &t->id, t, xa_limit_32b,
			      &inet->next_target_id, GFP_KERNEL_ACCOUNT);
	if (err < 0) {
		NL_SET_ERR_MSG_MOD(extack, "no target id left");
		goto err_free;
	}
	err = iofair_target_apply(inet, t, info);
	if (err)
		goto err_erase;

	if (kind == IOFAIR_TARGET_KIND_VF) {
		err = iofair_vf_attach(t, extack);
		if (err)
			goto err_erase;
	} else {
		err = iofair_hook_attach(t, dev, extack);
		if (err)
			goto err_erase;
		err = iofair_vhost_attach(t, extack);
		if (err)
			goto err_hook;
	}
	netdev_hold(dev, &t->dev_tracker, GFP_KERNEL);
	inet->ntargets++;
	if (kind == IOFAIR_TARGET_KIND_VF)
		WRITE_ONCE(inet->nvf, inet->nvf + 1);
	iofair_changed(inet);
	iofair_ctrl_kick(inet);
	*out = t;
	return 0;

err_hook:
	iofair_hook_detach(t);
err_erase:
	iofair_target_unlink(t);
	xa_erase(&inet->targets, t->id);
	iofair_hist_set(t, 0, NULL);
err_free:
	free_percpu(t->pcpu);
	kfree(t);
	return err;
}

int iofair_target_set(struct iofair_net *inet, struct iofair_target *t,
		      struct genl_info *info)
{
	struct iofair_node *old_node = t->node;
	struct iofair_policy old_policy = t->policy;
	u32 old_enforce = t->enforce, old_ownership = t->ownership;
	u64 old_rx = t->rx_bw_max_bps;
	int err;

	ASSERT_RTNL();
	lockdep_assert_held(&inet->lock);
	err = iofair_target_apply(inet, t, info);
	if (!err && t->kind == IOFAIR_TARGET_KIND_VF)
		err = iofair_vf_push(t, info->extack);
	if (!err && t->hooks_on)
		iofair_hook_limits(t);
	if (err) {
		iofair_target_reparent(t, old_node);
		t->enforce = old_enforce;
		t->ownership = old_ownership;
		t->policy = old_policy;
		t->rx_bw_max_bps = old_rx;
	} else {
		iofair_changed(inet);
	}
	return err;
}

void iofair_target_del(struct iofair_net *inet, struct iofair_target *t,
		       u32 reason)
{
	ASSERT_RTNL();
	lockdep_assert_held(&inet->lock);
	xa_erase(&inet->targets, t->id);
	iofair_changed(inet);
	inet->ntargets--;
	if (t->kind == IOFAIR_TARGET_KIND_VF) {
		WRITE_ONCE(inet->nvf, inet->nvf - 1);
		iofair_vf_detach(t, reason);
	} else {
		iofair_vhost_detach(t);
		iofair_hook_detach(t);
	}
	iofair_notify_target(inet, IOFAIR_EVENT_TYPE_TARGET_DEL, t, reason);
	iofair_target_unlink(t);
	netdev_put(t->dev, &t->dev_tracker);
	t->dev = NULL;
	call_rcu(&t->rcu, iofair_target_free_rcu);
}

void iofair_target_destroy_all(struct iofair_net *inet, u32 reason)
{
	struct iofair_target *t;
	unsigned long id;

	xa_for_each(&inet->targets, id, t)
		iofair_target_del(inet, t, reason);
}

/*
 * The target's counters as they come: summed over the CPUs from the hooks,
 * or from the PF driver (which needs RTNL).  Zero when there is no source.
 */
static void iofair_target_raw(const struct iofair_target *t,
			      struct iofair_dir_stats dir[IOFAIR_NDIRS])
{
	struct ifla_vf_stats vs = {};
	int cpu, d, r;

	memset(dir, 0, sizeof(*dir) * IOFAIR_NDIRS);
	if (!t->hooks_on) {
		if (!iofair_vf_has_stats(t))
			return;
		ASSERT_RTNL();
		if (t->dev->netdev_ops->ndo_get_vf_stats(t->dev, t->vf, &vs))
			return;
		dir[IOFAIR_TX].packets = vs.tx_packets;
		dir[IOFAIR_TX].bytes = vs.tx_bytes;
		dir[IOFAIR_RX].packets = vs.rx_packets;
		dir[IOFAIR_RX].bytes = vs.rx_bytes;
		return;
	}
	for_each_possible_cpu(cpu) {
		const struct iofair_pcpu_stats *s = per_cpu_ptr(t->pcpu, cpu);
		struct iofair_dir_stats tmp[IOFAIR_NDIRS];
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			memcpy(tmp, s->dir, sizeof(tmp));
		} while (u64_stats_fetch_retry(&s->syncp, start));
		for (d = 0; d < IOFAIR_NDIRS; d++) {
			dir[d].packets += tmp[d].packets;
			dir[d].bytes += tmp[d].bytes;
			dir[d].delayed += tmp[d].delayed;
			for (r = 0; r < IOFAIR_NDROPS; r++)
				dir[d].drops[r] += tmp[d].drops[r];
		}
	}
}

/* Counters since the last reset. */
void iofair_target_read(const struct iofair_target *t,
			struct iofair_dir_stats dir[IOFAIR_NDIRS])
{
	int d, r;

	iofair_target_raw(t, dir);
	for (d = 0; d < IOFAIR_NDIRS; d++) {
		dir[d].packets -= t->base[d].packets;
		dir[d].bytes -= t->base[d].bytes;
		dir[d].delayed -= t->base[d].delayed;
		for (r = 0; r < IOFAIR_NDROPS; r++)
			dir[d].drops[r] -= t->base[d].drops[r];
	}
}

/* The counters only grow (hooks and PF driver alike): a reset moves the base. */
void iofair_target_reset(struct iofair_target *t)
{
	int d;

	lockdep_assert_held(&t->inet->lock);
	iofair_target_raw(t, t->base);
	iofair_hist_reset(t);
	iofair_vhost_reset(t);
	for (d = 0; d < IOFAIR_NDIRS; d++) {
		t->last_bytes[d] = 0;
		t->rate_bps[d] = 0;
	}
	t->last_ns = 0;
}

u32 iofair_target_source(const struct iofair_target *t)
{
	if (t->hooks_on)
		return IOFAIR_SOURCE_HOOK;
	if (t->kind == IOFAIR_TARGET_KIND_VF && iofair_vf_has_stats(t))
		return IOFAIR_SOURCE_PF_DRIVER;
	return IOFAIR_SOURCE_NONE;
}

/*
 * Set under RTNL while the notifier is unregistered at unload: that replays
 * NETDEV_UNREGISTER for every netdev, and those devices are not going.  The
 * targets go with their namespaces next, which puts the VFs' own rates back.
 */
static bool iofair_netdev_nb_going;

static int iofair_netdev_event(struct notifier_block *nb, unsigned long event,
			       void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct iofair_net *inet;
	struct iofair_target *t;
	struct iofair_node *n;
	unsigned long id;

	if ((event != NETDEV_UNREGISTER && event != NETDEV_REGISTER) || iofair_netdev_nb_going)
		return NOTIFY_DONE;
	iofair_vf_netdev_event(dev, event);
	if (event != NETDEV_UNREGISTER)
		return NOTIFY_DONE;

	inet = iofair_net(dev_net(dev));
	mutex_lock(&inet->lock);
	xa_for_each(&inet->targets, id, t)
		if (t->dev == dev)
			iofair_target_del(inet, t, IOFAIR_DEL_REASON_DEVICE_GONE);
	xa_for_each(&inet->nodes, id, n)
		if (n->link_ifindex == dev->ifindex)
			n->link_ifindex = 0;	/* the capacity stays as it was */
	mutex_unlock(&inet->lock);
	return NOTIFY_DONE;
}

static struct notifier_block iofair_netdev_nb = {
	.notifier_call = iofair_netdev_event,
};

int iofair_target_notifier_init(void)
{
	return register_netdevice_notifier(&iofair_netdev_nb);
}

void iofair_target_notifier_exit(void)
{
	rtnl_lock();
	iofair_netdev_nb_going = true;
	rtnl_unlock();
	unregister_netdevice_notifier(&iofair_netdev_nb);
}
