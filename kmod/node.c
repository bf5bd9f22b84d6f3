// SPDX-License-Identifier: GPL-2.0
/*
 * The policy hierarchy: roots own a capacity, tenants and groups below them
 * carry policies, targets are the leaves.
 *
 * A change is applied in place and the whole tree is then checked; a change
 * that breaks a rule is rolled back before the lock is dropped, so nobody
 * ever sees a tree that breaks one.  The rules:
 *   - bw-min <= bw-max when bw-max is set;
 *   - the bw-min of a node's children add up to no more than its bound:
 *     a root's capacity, or a node's bw-max (when set) within its parent's
 *     bound;
 *   - no node is its own ancestor.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ethtool.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/genetlink.h>

#include "node.h"
#include "notify.h"
#include "pernet.h"
#include "target.h"
#include "iofair-nl-gen.h"

struct iofair_node *iofair_node_find(struct iofair_net *inet, u32 id)
{
	lockdep_assert_held(&inet->lock);
	return xa_load(&inet->nodes, id);
}

static struct iofair_node *iofair_node_find_name(struct iofair_net *inet,
						 const char *name)
{
	struct iofair_node *n;
	unsigned long id;

	xa_for_each(&inet->nodes, id, n)
		if (!strcmp(n->name, name))
			return n;
	return NULL;
}

u64 iofair_node_capacity(const struct iofair_node *n)
{
	while (n->parent)
		n = n->parent;
	return n->capacity_bps;
}

/* What a node's children may be guaranteed, in bits per second. */
u64 iofair_node_bound(const struct iofair_node *n)
{
	u64 bound = U64_MAX;

	for (; n; n = n->parent) {
		if (!n->parent)
			return min(bound, n->capacity_bps);
		if (n->policy.bw_max_bps)
			bound = min(bound, n->policy.bw_max_bps);
	}
	return bound;
}

int iofair_policy_parse(const struct nlattr *nest, struct iofair_policy *p,
			struct netlink_ext_ack *extack)
{
	struct nlattr *tb[IOFAIR_A_POLICY_MAX + 1];
	int err;

	if (!nest)
		return 0;
	err = nla_parse_nested(tb, IOFAIR_A_POLICY_MAX, nest,
			       iofair_policy_nl_policy, extack);
	if (err)
		return err;
	if (tb[IOFAIR_A_POLICY_BW_MIN])
		p->bw_min_bps = nla_get_u64(tb[IOFAIR_A_POLICY_BW_MIN]);
	if (tb[IOFAIR_A_POLICY_BW_MAX])
		p->bw_max_bps = nla_get_u64(tb[IOFAIR_A_POLICY_BW_MAX]);
	if (tb[IOFAIR_A_POLICY_BURST])
		p->burst_bytes = nla_get_u32(tb[IOFAIR_A_POLICY_BURST]);
	if (tb[IOFAIR_A_POLICY_WEIGHT])
		p->weight = nla_get_u32(tb[IOFAIR_A_POLICY_WEIGHT]);
	if (p->bw_max_bps && p->bw_min_bps > p->bw_max_bps) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, nest,
					"bw-min (%llu bit/s) is above bw-max (%llu bit/s)",
					p->bw_min_bps, p->bw_max_bps);
		return -EINVAL;
	}
	return 0;
}

/*
 * Check every node's children against its bound: the guarantees are summed
 * per parent in one pass over nodes and targets, then each node's bound is
 * looked up its chain of ancestors.
 */
int iofair_tree_check(struct iofair_net *inet,
		      struct netlink_ext_ack *extack)
{
	struct iofair_target *t;
	struct iofair_node *n;
	unsigned long id;
	u64 bound;

	lockdep_assert_held(&inet->lock);
	xa_for_each(&inet->nodes, id, n)
		n->child_mins = 0;
	xa_for_each(&inet->nodes, id, n)
		if (n->parent)
			n->parent->child_mins += n->policy.bw_min_bps;
	xa_for_each(&inet->targets, id, t)
		if (t->node)
			t->node->child_mins += t->policy.bw_min_bps;
	xa_for_each(&inet->nodes, id, n) {
		bound = iofair_node_bound(n);
		if (n->child_mins > bound) {
			/* Mbit/s: the message has 80 bytes on current kernels. */
			u64 mins_mbps = DIV_ROUND_UP_ULL(n->child_mins, 1000000);
			u64 bound_mbps = div_u64(bound, 1000000);

			NL_SET_ERR_MSG_FMT_MOD(extack,
					       "node %u: children's bw-min %u > bound %u Mbit/s",
					       n->id, (u32)min_t(u64, mins_mbps, U32_MAX),
					       (u32)min_t(u64, bound_mbps, U32_MAX));
			return -EINVAL;
		}
	}
	return 0;
}

/* Roots: the capacity asked for, or the speed of their link. */
static int iofair_node_link_capacity(struct iofair_net *inet,
				     struct iofair_node *n,
				     const struct nlattr *attr,
				     struct netlink_ext_ack *extack)
{
	struct ethtool_link_ksettings ks;
	struct net_device *dev;
	int err;

	ASSERT_RTNL();
	dev = __dev_get_by_index(inet->net, n->link_ifindex);
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "no such link in this network namespace");
		return -ENODEV;
	}
	err = __ethtool_get_link_ksettings(dev, &ks);
	if (err || ks.base.speed == SPEED_UNKNOWN || !ks.base.speed) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, attr,
					"%s has no known link speed: give the root a capacity",
					dev->name);
		return -EINVAL;
	}
	n->capacity_bps = (u64)ks.base.speed * 1000000;
	return 0;
}

/* Levels from the root down to @n, both counted: a root is at depth 1. */
static unsigned int iofair_node_depth(const struct iofair_node *n)
{
	unsigned int depth = 0;

	for (; n; n = n->parent)
		depth++;
	return depth;
}

/* Levels of nodes from @n down to its deepest descendant node, @n counted
 * (recursion bounded by IOFAIR_DEPTH_MAX).
 */
static unsigned int iofair_node_height(const struct iofair_node *n)
{
	const struct iofair_node *c;
	unsigned int h = 0;

	list_for_each_entry(c, &n->child_nodes, sibling)
		h = max(h, iofair_node_height(c));
	return h + 1;
}

static int iofair_node_apply(struct iofair_net *inet, struct iofair_node *n,
			     struct genl_info *info, bool create)
{
	struct netlink_ext_ack *extack = info->extack;
	struct nlattr **tb = info->attrs;
	struct iofair_node *parent, *p;
	int err;

	if (tb[IOFAIR_A_NODE_PARENT]) {
		if (!create && !n->parent) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IOFAIR_A_NODE_PARENT],
					    "a root cannot be given a parent");
			return -EINVAL;
		}
		parent = iofair_node_find(inet, nla_get_u32(tb[IOFAIR_A_NODE_PARENT]));
		/* A new node is in the xarray already, its id taken: not a parent yet. */
		if (!parent || (create && parent == n)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IOFAIR_A_NODE_PARENT],
					    "no such parent node");
			return -ENOENT;
		}
		for (p = parent; p; p = p->parent) {
			if (p == n) {
				NL_SET_ERR_MSG_ATTR(extack, tb[IOFAIR_A_NODE_PARENT],
						    "a node cannot move below itself");
				return -ELOOP;
			}
		}
		if (iofair_node_depth(parent) + iofair_node_height(n) > IOFAIR_DEPTH_MAX) {
			NL_SET_ERR_MSG_ATTR_FMT(extack, tb[IOFAIR_A_NODE_PARENT],
						"a tree has at most %u levels of nodes",
						IOFAIR_DEPTH_MAX);
			return -ENOSPC;
		}
		iofair_node_reparent(n, parent);
	}

	if (create) {
		n->kind = n->parent ? IOFAIR_NODE_KIND_TENANT : IOFAIR_NODE_KIND_ROOT;
		if (tb[IOFAIR_A_NODE_KIND])
			n->kind = nla_get_u32(tb[IOFAIR_A_NODE_KIND]);
		if (n->kind == IOFAIR_NODE_KIND_ROOT && n->parent) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IOFAIR_A_NODE_KIND],
					    "a root has no parent");
			return -EINVAL;
		}
		if (n->kind != IOFAIR_NODE_KIND_ROOT && !n->parent) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IOFAIR_A_NODE_KIND],
					    "a tenant or group needs a parent");
			return -EINVAL;
		}
	}

	if (n->parent) {
		if (tb[IOFAIR_A_NODE_CAPACITY] || tb[IOFAIR_A_NODE_LINK]) {
			NL_SET_ERR_MSG_ATTR(extack,
					    tb[IOFAIR_A_NODE_CAPACITY] ?: tb[IOFAIR_A_NODE_LINK],
					    "only roots have a capacity or a link");
			return -EINVAL;
		}
		err = iofair_policy_parse(tb[IOFAIR_A_NODE_POLICY], &n->policy, extack);
		if (err)
			return err;
	} else {
		if (tb[IOFAIR_A_NODE_POLICY]) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IOFAIR_A_NODE_POLICY],
					    "a root has a capacity, not a policy");
			return -EINVAL;
		}
		if (tb[IOFAIR_A_NODE_LINK])
			n->link_ifindex = nla_get_u32(tb[IOFAIR_A_NODE_LINK]);
		if (tb[IOFAIR_A_NODE_CAPACITY]) {
			n->capacity_bps = nla_get_u64(tb[IOFAIR_A_NODE_CAPACITY]);
			if (!n->capacity_bps) {
				NL_SET_ERR_MSG_ATTR(extack, tb[IOFAIR_A_NODE_CAPACITY],
						    "a root's capacity cannot be 0");
				return -EINVAL;
			}
		} else if (n->link_ifindex && (tb[IOFAIR_A_NODE_LINK] || create)) {
			err = iofair_node_link_capacity(inet, n, tb[IOFAIR_A_NODE_LINK], extack);
			if (err)
				return err;
		}
		if (create && !n->capacity_bps) {
			NL_SET_ERR_MSG_MOD(extack, "a root needs a capacity or a link");
			return -EINVAL;
		}
	}
	return iofair_tree_check(inet, extack);
}

/* Move @n below @parent (NULL: out of the tree), counts and lists. */
void iofair_node_reparent(struct iofair_node *n, struct iofair_node *parent)
{
	if (n->parent) {
		n->parent->children--;
		list_del_init(&n->sibling);
	}
	n->parent = parent;
	if (parent) {
		parent->children++;
		list_add_tail(&n->sibling, &parent->child_nodes);
	}
}

static void iofair_node_unlink(struct iofair_node *n)
{
	iofair_node_reparent(n, NULL);
}

int iofair_node_new(struct iofair_net *inet, struct genl_info *info,
		    struct iofair_node **out)
{
	struct netlink_ext_ack *extack = info->extack;
	struct iofair_node *n;
	const char *name;
	int err;

	lockdep_assert_held(&inet->lock);
	if (inet->nnodes >= IOFAIR_NODES_MAX) {
		NL_SET_ERR_MSG_FMT_MOD(extack, "a network namespace has at most %u nodes",
				       IOFAIR_NODES_MAX);
		return -ENOSPC;
	}
	if (GENL_REQ_ATTR_CHECK(info, IOFAIR_A_NODE_NAME))
		return -EINVAL;
	name = nla_data(info->attrs[IOFAIR_A_NODE_NAME]);
	if (!*name) {
		NL_SET_ERR_MSG_ATTR(extack, info->attrs[IOFAIR_A_NODE_NAME],
				    "a node name cannot be empty");
		return -EINVAL;
	}
	if (iofair_node_find_name(inet, name)) {
		NL_SET_ERR_MSG_ATTR_FMT(extack, info->attrs[IOFAIR_A_NODE_NAME],
					"a node named '%s' exists", name);
		return -EEXIST;
	}

	n = kzalloc(sizeof(*n), GFP_KERNEL_ACCOUNT);
	if (!n)
		return -ENOMEM;
	n->inet = inet;
	INIT_LIST_HEAD(&n->sibling);
	INIT_LIST_HEAD(&n->child_nodes);
	INIT_LIST_HEAD(&n->child_targets);
	strscpy(n->name, name, sizeof(n->name));
	n->policy.weight = 1;

	/* In the xarray for the tree check; readers all take inet->lock,
	 * held until the node is complete.
	 */
	err = xa_alloc_cyclic(&inet->nodes, &n->id, n, xa_limit_32b,
			      &inet->next_node_id, GFP_KERNEL_ACCOUNT);
	if (err < 0) {
		NL_SET_ERR_MSG_MOD(extack, "no node id left");
		goto err_free;
	}
	err = iofair_node_apply(inet, n, info, true);
	if (err)
		goto err_erase;
	inet->nnodes++;
	iofair_changed(inet);
	*out = n;
	return 0;

err_erase:
	xa_erase(&inet->nodes, n->id);
err_free:
	iofair_node_unlink(n);
	kfree(n);
	return err;
}

int iofair_node_set(struct iofair_net *inet, struct iofair_node *n,
		    struct genl_info *info)
{
	struct iofair_node old = *n;
	int err;

	lockdep_assert_held(&inet->lock);
	err = iofair_node_apply(inet, n, info, false);
	if (err) {
		iofair_node_reparent(n, old.parent);
		n->kind = old.kind;
		n->capacity_bps = old.capacity_bps;
		n->link_ifindex = old.link_ifindex;
		n->policy = old.policy;
	} else {
		iofair_changed(inet);
	}
	return err;
}

int iofair_node_del(struct iofair_net *inet, struct iofair_node *n,
		    struct netlink_ext_ack *extack)
{
	lockdep_assert_held(&inet->lock);
	if (n->children) {
		NL_SET_ERR_MSG_FMT_MOD(extack,
				       "node '%s' has %u children: remove or move them first",
				       n->name, n->children);
		return -EBUSY;
	}
	xa_erase(&inet->nodes, n->id);
	inet->nnodes--;
	iofair_changed(inet);
	iofair_notify_node(inet, IOFAIR_EVENT_TYPE_NODE_DEL, n, IOFAIR_DEL_REASON_USER);
	iofair_node_unlink(n);
	kfree_rcu(n, rcu);
	return 0;
}

/* Namespace teardown: targets are gone, the tree can go in any order. */
void iofair_node_destroy_all(struct iofair_net *inet)
{
	struct iofair_node *n;
	unsigned long id;

	lockdep_assert_held(&inet->lock);
	xa_for_each(&inet->nodes, id, n) {
		xa_erase(&inet->nodes, id);
		kfree_rcu(n, rcu);
	}
}
