// SPDX-License-Identifier: GPL-2.0
/*
 * vf targets: an SR-IOV Virtual Function, named by its PF netdev and index,
 * configured and observed through the PF driver's VF callbacks.  Nothing
 * here knows a driver: the PF is any PCI device with SR-IOV whose netdev has
 * the ndo_*_vf_* callbacks.
 *
 * A VF's rate limit is pushed with ndo_set_vf_rate (in Mbit/s, the driver's
 * unit) when the target's enforcement includes hw; the VF's own settings are
 * saved when the target is added and put back when it is deleted.  Drivers
 * that refuse a minimum rate (igb) get the maximum alone: the guarantee is
 * then the controller's business and hw_min says so.
 *
 * While the VF's netdev is bound on this host, the target's packet hooks sit
 * on it (measurement, and software limits for enforce sw|both).
 *
 * VFs go away when sriov_numvfs is lowered, without their PF netdev going,
 * and come back when it is raised.  A target names its VF by (PF, index), so
 * it outlives the VF: a PCI bus notifier sees each VF device deleted or
 * added, and a work item (the notifier runs under the PCI core's locks, the
 * targets need RTNL) parks the VF's targets -- no hooks, no watch, nothing
 * pushed, no statistics -- or binds them again, pushing their policy.  The
 * PCI core counts a new VF (pci_num_vf) only after adding all of them, so
 * binding is retried for a while until the PF driver answers for the VF.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/if_link.h>
#include <linux/math64.h>
#include <linux/pci.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "controller.h"
#include "hook.h"
#include "notify.h"
#include "pernet.h"
#include "target.h"
#include "vf.h"
#include "vfwatch.h"

#define IOFAIR_MBPS	1000000ULL

/* Binding a returning VF: tries, 50 ms apart (10 s). */
#define IOFAIR_VF_BIND_TRIES	200
#define IOFAIR_VF_BIND_DELAY	msecs_to_jiffies(50)

/* A VF device added or deleted, for the work item. */
struct iofair_vf_change {
	struct list_head list;
	struct pci_dev *pf;	/* referenced */
	u32 vf;
	bool added;
	unsigned int tries;
};

static LIST_HEAD(iofair_vf_changes);
static DEFINE_SPINLOCK(iofair_vf_changes_lock);	/* protects iofair_vf_changes */

/* The PCI device of @dev when it is an SR-IOV PF, else NULL. */
static struct pci_dev *iofair_pf_pdev(const struct net_device *dev)
{
	struct device *parent = dev->dev.parent;
	struct pci_dev *pdev;

	if (!parent || !dev_is_pci(parent))
		return NULL;
	pdev = to_pci_dev(parent);
	return pdev->is_physfn ? pdev : NULL;
}

int iofair_vf_check(struct net_device *dev, u32 vf, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct pci_dev *pf = iofair_pf_pdev(dev);

	if (!pf) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "%s is not an SR-IOV physical function", dev->name);
		return -EINVAL;
	}
	if (!dev->netdev_ops->ndo_get_vf_config) {
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "the driver of %s has no VF management (ndo_get_vf_config)",
				       dev->name);
		return -EOPNOTSUPP;
	}
	if (vf >= pci_num_vf(pf)) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, info->attrs[IOFAIR_A_TARGET_VF],
					"%s has %d VFs: there is no VF %u", dev->name,
					pci_num_vf(pf), vf);
		return -ENODEV;
	}
	return 0;
}

static u32 iofair_bps_to_mbps(u64 bps)
{
	return bps ? (u32)min_t(u64, DIV64_U64_ROUND_UP(bps, IOFAIR_MBPS), U32_MAX) : 0;
}

static int iofair_vf_set_rate(struct iofair_target *t, u32 min_mbps, u32 max_mbps)
{
	const struct net_device_ops *ops = t->dev->netdev_ops;
	int err;

	ASSERT_RTNL();
	if (!ops->ndo_set_vf_rate)
		return -EOPNOTSUPP;
	iofair_vfwatch_own_begin();
	err = ops->ndo_set_vf_rate(t->dev, t->vf, min_mbps, max_mbps);
	iofair_vfwatch_own_end();
	return err;
}

/* The controller's share as the VF's max rate; the min stays as pushed. */
int iofair_vf_set_max(struct iofair_target *t, u32 max_mbps)
{
	int err;

	err = iofair_vf_set_rate(t, t->hw_min ? iofair_bps_to_mbps(t->policy.bw_min_bps) : 0,
				 max_mbps);
	if (!err) {
		t->hw_pushed = true;
		t->hw_enforced = true;
		t->pushed_max_mbps = max_mbps;
	}
	return err;
}

/*
 * Put the target's limits into the PF driver when its enforcement includes
 * hw, or the VF's own settings back when it no longer does.
 */
int iofair_vf_push(struct iofair_target *t, struct netlink_ext_ack *extack)
{
	u32 max = iofair_bps_to_mbps(t->policy.bw_max_bps);
	u32 min = iofair_bps_to_mbps(t->policy.bw_min_bps);
	int err;

	if (t->vf_absent)
		return 0;	/* pushed when the VF is back */
	if (t->enforce == IOFAIR_ENFORCE_SW) {
		if (t->hw_pushed) {
			err = iofair_vf_set_rate(t, t->vf_orig_min_mbps, t->vf_orig_max_mbps);
			if (err && err != -EOPNOTSUPP)
				pr_warn("%s vf %u: cannot put the VF's own rate back: %d\n",
					t->dev->name, t->vf, err);
		}
		t->hw_pushed = false;
		t->hw_enforced = false;
		t->hw_min = false;
		return 0;
	}

	if (!max && !min && !t->hw_pushed) {
		/* Nothing to push: the VF keeps its own rates (igb refuses
		 * any rate, even none, while the PF link is down).
		 */
		t->hw_enforced = false;
		t->hw_min = false;
		return 0;
	}
	err = iofair_vf_set_rate(t, min, max);
	t->hw_min = !err && min;
	if (err == -EINVAL && min) {
		/* Some drivers (igb) take no minimum: push the maximum alone. */
		err = iofair_vf_set_rate(t, 0, max);
	}
	if (err) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "the driver of %s refused the rate of VF %u: %d%s",
				       t->dev->name, t->vf, err,
				       err == -EOPNOTSUPP ?
				       " (no VF rate limiter: use enforce sw)" : "");
		return err;
	}
	t->hw_pushed = true;
	t->hw_enforced = max != 0;
	t->pushed_max_mbps = max;
	return 0;
}

/* The VF's PCI device, referenced, or NULL. */
static struct pci_dev *iofair_vf_pdev(const struct iofair_target *t)
{
	struct pci_dev *pf = iofair_pf_pdev(t->dev);
	struct pci_dev *pdev = NULL;

	if (!pf || t->vf >= pci_num_vf(pf))
		return NULL;
	/* The VF's bus number is the IOV core's (not exported): look it up. */
	while ((pdev = pci_get_device(pf->vendor, PCI_ANY_ID, pdev)))
		if (pdev->is_virtfn && pci_physfn(pdev) == pf &&
		    pci_iov_vf_id(pdev) == (int)t->vf)
			return pdev;
	return NULL;
}

/*
 * Host-bound VFs: while the VF's netdev exists on this host (in any
 * namespace), the target's packet hooks sit on it, so its traffic is
 * measured, and limited in software when the enforcement says sw or both.
 * The netdev is held with hook_tracker while hooked; it may come, go and
 * move between namespaces (iofair_vf_netdev_event) without the target
 * going.
 */
static void iofair_vf_hook(struct iofair_target *t, struct net_device *vfdev)
{
	int err;

	if (t->hooks_on)
		return;
	err = iofair_hook_attach(t, vfdev, NULL);
	if (err) {
		pr_warn("%s vf %u: cannot hook its netdev %s: %d; no software measurement\n",
			t->dev->name, t->vf, vfdev->name, err);
		return;
	}
	netdev_hold(vfdev, &t->hook_tracker, GFP_KERNEL);
}

static void iofair_vf_unhook(struct iofair_target *t)
{
	struct net_device *vfdev = t->hook_dev;

	if (!t->hooks_on)
		return;
	iofair_hook_detach(t);
	netdev_put(vfdev, &t->hook_tracker);
}

/* The netdev of the VF of @t, wherever it is (RTNL: stays registered). */
static struct net_device *iofair_vf_find_netdev(const struct iofair_target *t)
{
	struct pci_dev *vf = iofair_vf_pdev(t);
	struct net_device *dev, *found = NULL;
	struct net *net;

	ASSERT_RTNL();
	if (!vf)
		return NULL;
	rcu_read_lock();
	for_each_net_rcu(net) {
		for_each_netdev_rcu(net, dev) {
			if (dev->dev.parent == &vf->dev) {
				found = dev;
				goto out;
			}
		}
	}
out:
	rcu_read_unlock();
	pci_dev_put(vf);
	return found;
}

struct iofair_vf_ev {
	struct net_device *dev;
	struct pci_dev *pf;
	int vf;
	unsigned long event;
};

static void iofair_vf_ev_target(struct iofair_target *t, void *arg)
{
	const struct iofair_vf_ev *ev = arg;

	if (t->kind != IOFAIR_TARGET_KIND_VF)
		return;
	if (ev->event == NETDEV_UNREGISTER) {
		if (t->vf_netdev == ev->dev)
			t->vf_netdev = NULL;
		if (t->hooks_on && t->hook_dev == ev->dev)
			iofair_vf_unhook(t);
	} else if (ev->pf && !t->vf_absent && iofair_vf_match(t, ev->pf, ev->vf)) {
		t->vf_netdev = ev->dev;
		iofair_vf_hook(t, ev->dev);
	}
}

/* From the netdev notifier: a VF's netdev came, or went (or moved). */
void iofair_vf_netdev_event(struct net_device *dev, unsigned long event)
{
	struct iofair_vf_ev ev = { .dev = dev, .event = event };
	struct device *parent = dev->dev.parent;
	struct pci_dev *pdev;

	if (!parent || !dev_is_pci(parent))
		return;
	pdev = to_pci_dev(parent);
	if (!pdev->is_virtfn)
		return;
	if (event == NETDEV_REGISTER) {
		ev.pf = pci_physfn(pdev);
		ev.vf = pci_iov_vf_id(pdev);
		if (ev.vf < 0)
			return;
	}
	iofair_walk_targets(iofair_vf_ev_target, &ev);
}

/* Save the VF's own rates, to put back when the target goes. */
static int iofair_vf_save(struct iofair_target *t, struct netlink_ext_ack *extack)
{
	struct ifla_vf_info ivi = {};
	int err;

	ASSERT_RTNL();
	err = t->dev->netdev_ops->ndo_get_vf_config(t->dev, t->vf, &ivi);
	if (err) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "cannot read the configuration of VF %u of %s: %d",
				       t->vf, t->dev->name, err);
		return err;
	}
	t->vf_orig_min_mbps = ivi.min_tx_rate;
	t->vf_orig_max_mbps = ivi.max_tx_rate;
	return 0;
}

/* Hooks on the VF's netdev if it is on this host, and the config watch. */
/* Hooks on the VF's netdev @vfdev (NULL: none on this host) and its watch. */
static void iofair_vf_watch(struct iofair_target *t, struct net_device *vfdev)
{
	t->vf_netdev = vfdev;
	if (vfdev)
		iofair_vf_hook(t, vfdev);
	iofair_vfwatch_add(t);
}

/*
 * The VF's netdev is hooked wherever it is: the caller must be able to
 * administer that namespace too, not only the PF's.
 */
static int iofair_vf_perm(const struct iofair_target *t, const struct net_device *vfdev,
			  struct netlink_ext_ack *extack)
{
	if (ns_capable(dev_net(vfdev)->user_ns, CAP_NET_ADMIN))
		return 0;
	NL_SET_ERR_MSG_FMT_MOD(extack, "VF %u is %s, in a namespace you lack CAP_NET_ADMIN in",
			       t->vf, vfdev->name);
	return -EPERM;
}

int iofair_vf_attach(struct iofair_target *t, struct netlink_ext_ack *extack)
{
	struct net_device *vfdev = iofair_vf_find_netdev(t);
	int err;

	/* Its netdev, wherever it is: the caller's to administer, no other target's. */
	if (vfdev) {
		err = iofair_vf_perm(t, vfdev, extack) ?: iofair_hook_check(t, vfdev, extack);
		if (err)
			return err;
	}
	err = iofair_vf_save(t, extack);
	if (!err)
		err = iofair_vf_push(t, extack);
	if (!err)
		iofair_vf_watch(t, vfdev);
	return err;
}

void iofair_vf_detach(struct iofair_target *t, u32 reason)
{
	int err;

	iofair_vfwatch_del(t);
	iofair_vf_unhook(t);
	if (!t->hw_pushed || reason == IOFAIR_DEL_REASON_DEVICE_GONE)
		return;
	err = iofair_vf_set_rate(t, t->vf_orig_min_mbps, t->vf_orig_max_mbps);
	if (err)
		pr_warn("%s vf %u: cannot put the VF's own rate back: %d\n",
			t->dev->name, t->vf, err);
	t->hw_pushed = false;
}

bool iofair_vf_has_stats(const struct iofair_target *t)
{
	return t->dev && !t->vf_absent && t->dev->netdev_ops->ndo_get_vf_stats;
}

/*
 * Where the VF's netdev is: *@ifindex in @net when it is there, and whether
 * it is bound to a netdev driver on this host at all.  From the cache the
 * notifier keeps, so a reader needs inet->lock only, not RTNL.
 */
void iofair_vf_netdev(const struct iofair_target *t, const struct net *net,
		      u32 *ifindex, bool *host_bound)
{
	const struct net_device *dev = t->vf_netdev;

	lockdep_assert_held(&t->inet->lock);
	*host_bound = dev;
	*ifindex = dev && net_eq(dev_net(dev), net) ? dev->ifindex : 0;
}

/* The VF went: nothing of it is left to hook, watch, push to or read. */
static void iofair_vf_park(struct iofair_target *t)
{
	iofair_vfwatch_del(t);
	iofair_vf_unhook(t);
	t->vf_netdev = NULL;
	t->vf_absent = true;
	t->vf_repush = false;
	t->hw_pushed = false;
	t->hw_enforced = false;
	t->hw_min = false;
	t->pushed_max_mbps = 0;
	t->pushed_bps = 0;
	t->push_err = 0;
	iofair_changed(t->inet);
	iofair_notify_target(t->inet, IOFAIR_EVENT_TYPE_VF_GONE, t, 0);
	pr_info("%s vf %u gone: target %u keeps its policy until the VF is back\n",
		t->dev->name, t->vf, t->id);
}

/*
 * The VF is back: bound again, and its policy goes to the PF driver.
 * -EAGAIN while the PCI core or the driver do not count the VF yet, or the
 * driver refuses the rate (igb does while the PF's link comes back up after
 * the VFs were made): the caller tries again a little later.
 */
static int iofair_vf_rebind(struct iofair_target *t)
{
	struct pci_dev *pf = iofair_pf_pdev(t->dev);
	int err;

	if (t->vf_absent) {
		if (!pf || t->vf >= pci_num_vf(pf) || iofair_vf_save(t, NULL))
			return -EAGAIN;
		t->vf_absent = false;
		iofair_vf_watch(t, iofair_vf_find_netdev(t));
		iofair_changed(t->inet);
		iofair_notify_target(t->inet, IOFAIR_EVENT_TYPE_VF_BACK, t, 0);
		iofair_ctrl_kick(t->inet);
		pr_info("%s vf %u back: target %u bound again\n", t->dev->name, t->vf, t->id);
	}
	err = iofair_vf_push(t, NULL);
	t->vf_repush = err != 0;
	return err ? -EAGAIN : 0;
}

static void iofair_vf_change_target(struct iofair_target *t, void *arg)
{
	struct iofair_vf_change *c = arg;

	if (!iofair_vf_match(t, c->pf, c->vf))
		return;
	if (!c->added) {
		if (!t->vf_absent)
			iofair_vf_park(t);
	} else if ((t->vf_absent || t->vf_repush) && iofair_vf_rebind(t)) {
		c->tries++;	/* not yet: the change stays queued */
	}
}

static void iofair_vf_change_work_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(iofair_vf_change_work, iofair_vf_change_work_fn);

static void iofair_vf_change_work_fn(struct work_struct *work)
{
	struct iofair_vf_change *c, *tmp;
	unsigned int tries;
	LIST_HEAD(todo);
	LIST_HEAD(again);

	spin_lock(&iofair_vf_changes_lock);
	list_splice_init(&iofair_vf_changes, &todo);
	spin_unlock(&iofair_vf_changes_lock);

	rtnl_lock();
	list_for_each_entry_safe(c, tmp, &todo, list) {
		tries = c->tries;
		iofair_walk_targets(iofair_vf_change_target, c);
		if (c->tries != tries && c->tries < IOFAIR_VF_BIND_TRIES) {
			list_move_tail(&c->list, &again);
			continue;
		}
		if (c->tries != tries)
			pr_warn("VF %u of %s is back but its driver does not take it (or its rate) yet: its targets stay as they are (target set pushes again)\n",
				c->vf, pci_name(c->pf));
		list_del(&c->list);
		pci_dev_put(c->pf);
		kfree(c);
	}
	rtnl_unlock();

	if (list_empty(&again))
		return;
	spin_lock(&iofair_vf_changes_lock);
	list_splice(&again, &iofair_vf_changes);
	spin_unlock(&iofair_vf_changes_lock);
	schedule_delayed_work(&iofair_vf_change_work, IOFAIR_VF_BIND_DELAY);
}

/* Is @t the target of VF @vf of PF @pf? */
bool iofair_vf_match(const struct iofair_target *t, const struct pci_dev *pf, u32 vf)
{
	return t->kind == IOFAIR_TARGET_KIND_VF && t->vf == vf &&
	       iofair_pf_pdev(t->dev) == pf;
}

static int iofair_pci_event(struct notifier_block *nb, unsigned long action,
			    void *data)
{
	struct pci_dev *pdev = to_pci_dev(data);
	struct iofair_vf_change *c;
	int id;

	if ((action != BUS_NOTIFY_DEL_DEVICE && action != BUS_NOTIFY_ADD_DEVICE) ||
	    !pdev->is_virtfn)
		return NOTIFY_DONE;
	id = pci_iov_vf_id(pdev);
	if (id < 0)
		return NOTIFY_DONE;
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c) {
		pr_warn("VF %d of %s %s, no memory to note it: its targets do not follow\n",
			id, pci_name(pci_physfn(pdev)),
			action == BUS_NOTIFY_ADD_DEVICE ? "added" : "removed");
		return NOTIFY_DONE;
	}
	c->pf = pci_dev_get(pci_physfn(pdev));
	c->vf = id;
	c->added = action == BUS_NOTIFY_ADD_DEVICE;
	spin_lock(&iofair_vf_changes_lock);
	list_add_tail(&c->list, &iofair_vf_changes);
	spin_unlock(&iofair_vf_changes_lock);
	mod_delayed_work(system_wq, &iofair_vf_change_work, 0);
	return NOTIFY_DONE;
}

static struct notifier_block iofair_pci_nb = {
	.notifier_call = iofair_pci_event,
};

int iofair_vf_init(void)
{
	return bus_register_notifier(&pci_bus_type, &iofair_pci_nb);
}

void iofair_vf_exit(void)
{
	struct iofair_vf_change *c, *tmp;

	bus_unregister_notifier(&pci_bus_type, &iofair_pci_nb);
	cancel_delayed_work_sync(&iofair_vf_change_work);
	list_for_each_entry_safe(c, tmp, &iofair_vf_changes, list) {
		list_del(&c->list);
		pci_dev_put(c->pf);
		kfree(c);
	}
}
