// SPDX-License-Identifier: GPL-2.0
/*
 * One iofair instance per network namespace: its targets, nodes and
 * controller.  A request sees the instance of its socket's namespace only.
 *
 * Lifetime: the instance is set up with the namespace (or at module load for
 * the namespaces that exist) and torn down when the namespace goes or the
 * module is unloaded.  pre_exit runs before any device of a dying namespace
 * is unregistered or sent home, so targets are detached from live devices,
 * each with a netns-gone event; exit frees the rest.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <linux/rtnetlink.h>

#include "controller.h"
#include "node.h"
#include "pernet.h"
#include "target.h"

static unsigned int iofair_net_id __read_mostly;

/* Every instance, for what is not tied to one namespace (VFs going away). */
static LIST_HEAD(iofair_nets);
static DEFINE_MUTEX(iofair_nets_lock);	/* protects iofair_nets */

struct iofair_net *iofair_net(const struct net *net)
{
	return net_generic(net, iofair_net_id);
}

static int __net_init iofair_net_init(struct net *net)
{
	struct iofair_net *inet = iofair_net(net);

	inet->net = net;
	mutex_init(&inet->lock);
	inet->gen = 1;
	xa_init_flags(&inet->targets, XA_FLAGS_ALLOC1);
	xa_init_flags(&inet->nodes, XA_FLAGS_ALLOC1);
	iofair_ctrl_init(inet);
	mutex_lock(&iofair_nets_lock);
	list_add(&inet->list, &iofair_nets);
	mutex_unlock(&iofair_nets_lock);
	return 0;
}

static void __net_exit iofair_net_pre_exit(struct net *net)
{
	struct iofair_net *inet = iofair_net(net);

	mutex_lock(&iofair_nets_lock);
	list_del(&inet->list);
	mutex_unlock(&iofair_nets_lock);

	rtnl_lock();
	mutex_lock(&inet->lock);
	inet->dying = true;
	iofair_target_destroy_all(inet, IOFAIR_DEL_REASON_NETNS_GONE);
	mutex_unlock(&inet->lock);
	rtnl_unlock();
	iofair_ctrl_stop(inet);
}

static void __net_exit iofair_net_exit(struct net *net)
{
	struct iofair_net *inet = iofair_net(net);

	mutex_lock(&inet->lock);
	iofair_node_destroy_all(inet);
	mutex_unlock(&inet->lock);
	iofair_ctrl_free(inet);
	xa_destroy(&inet->targets);
	xa_destroy(&inet->nodes);
	mutex_destroy(&inet->lock);
}

/*
 * The namespace's lock, after RTNL when it has vf targets (their PF
 * drivers are called under RTNL): with dev and vhost targets only, a
 * reader or the controller neither waits for nor holds up the host's
 * netdev changes.  Returns whether RTNL is held.
 */
bool iofair_lock_pf(struct iofair_net *inet)
{
	bool rtnl = READ_ONCE(inet->nvf);

	for (;;) {
		if (rtnl)
			rtnl_lock();
		mutex_lock(&inet->lock);
		if (rtnl || !inet->nvf)
			return rtnl;
		mutex_unlock(&inet->lock);	/* a vf target came meanwhile */
		rtnl = true;
	}
}

void iofair_unlock_pf(struct iofair_net *inet, bool rtnl)
{
	mutex_unlock(&inet->lock);
	if (rtnl)
		rtnl_unlock();
}

/*
 * Call @fn on every target of every namespace, under RTNL (the caller's)
 * and each namespace's lock.  For what is not tied to one namespace: a VF
 * whose PF lives in one namespace and whose netdev lives in another.  @fn
 * may delete the target.
 */
void iofair_walk_targets(void (*fn)(struct iofair_target *t, void *arg), void *arg)
{
	struct iofair_target *t;
	struct iofair_net *inet;
	unsigned long id;

	ASSERT_RTNL();
	mutex_lock(&iofair_nets_lock);
	list_for_each_entry(inet, &iofair_nets, list) {
		mutex_lock(&inet->lock);
		xa_for_each(&inet->targets, id, t)
			fn(t, arg);
		mutex_unlock(&inet->lock);
	}
	mutex_unlock(&iofair_nets_lock);
}

static void iofair_target_unload(struct iofair_target *t, void *arg)
{
	iofair_target_del(t->inet, t, IOFAIR_DEL_REASON_NETNS_GONE);
}

/*
 * At unload, before the notifiers go: every target of every namespace, as
 * if its namespace went (a vf target's VF gets its own rates back).  No
 * event is sent: the family is gone by then.
 */
void iofair_pernet_detach_all(void)
{
	rtnl_lock();
	iofair_walk_targets(iofair_target_unload, NULL);
	rtnl_unlock();
}

static struct pernet_operations iofair_net_ops = {
	.init	  = iofair_net_init,
	.pre_exit = iofair_net_pre_exit,
	.exit	  = iofair_net_exit,
	.id	  = &iofair_net_id,
	.size	  = sizeof(struct iofair_net),
};

int iofair_pernet_init(void)
{
	return register_pernet_subsys(&iofair_net_ops);
}

void iofair_pernet_exit(void)
{
	unregister_pernet_subsys(&iofair_net_ops);
}
