// SPDX-License-Identifier: GPL-2.0
/*
 * The iofair generic netlink family.  Policies and the op table are
 * generated from Documentation/netlink/specs/iofair.yaml into
 * iofair-nl-gen.c; this file holds the handlers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/utsname.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "compat.h"
#include "controller.h"
#include "features.h"
#include "iofair.h"
#include "netlink.h"
#include "node.h"
#include "notify.h"
#include "pernet.h"
#include "target.h"
#include "vf.h"
#include "iofair-nl-gen.h"

int iofair_nl_version_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &iofair_nl_family, 0,
				IOFAIR_CMD_VERSION_GET);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_free;
	}
	if (nla_put_string(msg, IOFAIR_A_VERSION_VERSION, IOFAIR_VERSION) ||
	    nla_put_string(msg, IOFAIR_A_VERSION_KERNEL_RELEASE,
			   init_utsname()->release) ||
	    nla_put_u32(msg, IOFAIR_A_VERSION_VHOST_WORKER,
			iofair_features_vhost_worker()) ||
	    nla_put_u32(msg, IOFAIR_A_VERSION_HOOKS, iofair_features_hooks())) {
		err = -EMSGSIZE;
		goto err_free;
	}
	err = iofair_features_fill_probes(msg);
	if (err)
		goto err_free;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return err;
}

/* Every mutating op runs under RTNL (netdevs, PF driver calls), then the
 * namespace's lock; replies are built under both and sent after.
 */
static struct iofair_net *iofair_lock(struct genl_info *info)
{
	struct iofair_net *inet = iofair_net(genl_info_net(info));

	rtnl_lock();
	mutex_lock(&inet->lock);
	return inet;
}

static void iofair_unlock(struct iofair_net *inet)
{
	mutex_unlock(&inet->lock);
	rtnl_unlock();
}

int iofair_nl_put_policy(struct sk_buff *skb, int type, const struct iofair_policy *p)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, IOFAIR_A_POLICY_BW_MIN, p->bw_min_bps,
			      IOFAIR_A_POLICY_PAD) ||
	    nla_put_u64_64bit(skb, IOFAIR_A_POLICY_BW_MAX, p->bw_max_bps,
			      IOFAIR_A_POLICY_PAD) ||
	    nla_put_u32(skb, IOFAIR_A_POLICY_BURST, p->burst_bytes) ||
	    nla_put_u32(skb, IOFAIR_A_POLICY_WEIGHT, p->weight)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

int iofair_nl_fill_target(struct sk_buff *skb, const struct iofair_target *t,
			  const struct net *net)
{
	bool vf = t->kind == IOFAIR_TARGET_KIND_VF;
	bool host_bound = false;
	u32 vf_ifindex = 0;

	if (vf)
		iofair_vf_netdev(t, net, &vf_ifindex, &host_bound);
	if (nla_put_u32(skb, IOFAIR_A_TARGET_ID, t->id) ||
	    nla_put_u32(skb, IOFAIR_A_TARGET_KIND, t->kind) ||
	    nla_put_u32(skb, IOFAIR_A_TARGET_IFINDEX, t->dev->ifindex) ||
	    (t->node && nla_put_u32(skb, IOFAIR_A_TARGET_NODE, t->node->id)) ||
	    nla_put_u32(skb, IOFAIR_A_TARGET_ENFORCE, t->enforce) ||
	    iofair_nl_put_policy(skb, IOFAIR_A_TARGET_POLICY, &t->policy) ||
	    nla_put_u64_64bit(skb, IOFAIR_A_TARGET_RX_BW_MAX, t->rx_bw_max_bps,
			      IOFAIR_A_TARGET_PAD))
		return -EMSGSIZE;
	if (vf &&
	    (nla_put_u32(skb, IOFAIR_A_TARGET_VF, t->vf) ||
	     nla_put_u32(skb, IOFAIR_A_TARGET_OWNERSHIP, t->ownership) ||
	     (vf_ifindex && nla_put_u32(skb, IOFAIR_A_TARGET_VF_IFINDEX, vf_ifindex)) ||
	     nla_put_u8(skb, IOFAIR_A_TARGET_VF_HOST_BOUND, host_bound) ||
	     nla_put_u8(skb, IOFAIR_A_TARGET_HW_ENFORCED, t->hw_enforced) ||
	     nla_put_u8(skb, IOFAIR_A_TARGET_HW_MIN, t->hw_min) ||
	     nla_put_u8(skb, IOFAIR_A_TARGET_VF_PRESENT, !t->vf_absent)))
		return -EMSGSIZE;
	if (t->hist_mask && nla_put_u32(skb, IOFAIR_A_TARGET_HIST, t->hist_mask))
		return -EMSGSIZE;
	if (t->kind == IOFAIR_TARGET_KIND_DEV &&
	    nla_put_u8(skb, IOFAIR_A_TARGET_HOST_SIDE, t->host_side))
		return -EMSGSIZE;
	return 0;
}

int iofair_nl_fill_node(struct sk_buff *skb, const struct iofair_node *n)
{
	if (nla_put_u32(skb, IOFAIR_A_NODE_ID, n->id) ||
	    nla_put_string(skb, IOFAIR_A_NODE_NAME, n->name) ||
	    nla_put_u32(skb, IOFAIR_A_NODE_KIND, n->kind) ||
	    nla_put_u32(skb, IOFAIR_A_NODE_CHILDREN, n->children))
		return -EMSGSIZE;
	if (n->parent)
		return nla_put_u32(skb, IOFAIR_A_NODE_PARENT, n->parent->id) ||
		       iofair_nl_put_policy(skb, IOFAIR_A_NODE_POLICY, &n->policy) ?
		       -EMSGSIZE : 0;
	if (nla_put_u64_64bit(skb, IOFAIR_A_NODE_CAPACITY, n->capacity_bps, IOFAIR_A_NODE_PAD) ||
	    (n->link_ifindex && nla_put_u32(skb, IOFAIR_A_NODE_LINK, n->link_ifindex)))
		return -EMSGSIZE;
	return 0;
}

/* A reply to @info with one object, filled by @fill under the caller's locks. */
static struct sk_buff *iofair_reply_new(struct genl_info *info, u8 cmd, void **hdr)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);

	if (!msg)
		return NULL;
	*hdr = genlmsg_put_reply(msg, info, &iofair_nl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int iofair_reply_target(struct genl_info *info, u8 cmd,
			       const struct iofair_target *t, struct sk_buff **out)
{
	struct sk_buff *msg;
	void *hdr;

	msg = iofair_reply_new(info, cmd, &hdr);
	if (!msg)
		return -ENOMEM;
	if (iofair_nl_fill_target(msg, t, genl_info_net(info))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	*out = msg;
	return 0;
}

static int iofair_reply_node(struct genl_info *info, u8 cmd,
			     const struct iofair_node *n, struct sk_buff **out)
{
	struct sk_buff *msg;
	void *hdr;

	msg = iofair_reply_new(info, cmd, &hdr);
	if (!msg)
		return -ENOMEM;
	if (iofair_nl_fill_node(msg, n)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	*out = msg;
	return 0;
}

static struct iofair_target *iofair_target_from(struct iofair_net *inet,
						struct genl_info *info)
{
	struct iofair_target *t;

	if (GENL_REQ_ATTR_CHECK(info, IOFAIR_A_TARGET_ID))
		return ERR_PTR(-EINVAL);
	t = iofair_target_find(inet, nla_get_u32(info->attrs[IOFAIR_A_TARGET_ID]));
	if (!t) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[IOFAIR_A_TARGET_ID],
				    "no such target");
		return ERR_PTR(-ENOENT);
	}
	return t;
}

static struct iofair_node *iofair_node_from(struct iofair_net *inet,
					    struct genl_info *info)
{
	struct iofair_node *n;

	if (GENL_REQ_ATTR_CHECK(info, IOFAIR_A_NODE_ID))
		return ERR_PTR(-EINVAL);
	n = iofair_node_find(inet, nla_get_u32(info->attrs[IOFAIR_A_NODE_ID]));
	if (!n) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[IOFAIR_A_NODE_ID], "no such node");
		return ERR_PTR(-ENOENT);
	}
	return n;
}

/*
 * The op table asks for CAP_NET_ADMIN over the request's namespace.  What a
 * request reaches beyond that namespace needs CAP_NET_ADMIN in the initial
 * user namespace as well (GENL_ADMIN_PERM's test), decided here since it
 * depends on the target: vf and vhost targets put kprobes on the PF
 * driver's VF callbacks and on the vhost worker and fill the vhost tables,
 * all shared by every namespace; the sojourn histogram shares one per-CPU
 * table of stamps among all namespaces.  @kind and @hist are the target's
 * (or the request's) kind and histogram mask.
 */
static int iofair_global_perm(const struct sk_buff *skb, struct genl_info *info,
			      u32 kind, u32 hist)
{
	if (kind != IOFAIR_TARGET_KIND_VF && kind != IOFAIR_TARGET_KIND_VHOST &&
	    !(hist & BIT(IOFAIR_HIST_KIND_SOJOURN)))
		return 0;
	if (netlink_capable(skb, CAP_NET_ADMIN))
		return 0;
	NL_SET_ERR_MSG_FMT_MOD(info->extack, "%s need CAP_NET_ADMIN in the initial user namespace",
			       kind == IOFAIR_TARGET_KIND_VF ? "vf targets" :
			       kind == IOFAIR_TARGET_KIND_VHOST ? "vhost targets" :
			       "sojourn histograms");
	return -EPERM;
}

static u32 iofair_attr_u32(const struct genl_info *info, int type)
{
	return info->attrs[type] ? nla_get_u32(info->attrs[type]) : 0;
}

/*
 * A request on existing target @t: its kind and its histograms, old and
 * @hist asked for.  (info->attrs ends at the op's own last attribute.)
 */
static int iofair_target_perm(const struct sk_buff *skb, struct genl_info *info,
			      const struct iofair_target *t, u32 hist)
{
	return iofair_global_perm(skb, info, t->kind, t->hist_mask | hist);
}

int iofair_nl_target_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct iofair_net *inet;
	struct sk_buff *msg = NULL;
	struct iofair_target *t;
	int err;

	err = iofair_global_perm(skb, info, iofair_attr_u32(info, IOFAIR_A_TARGET_KIND),
				 iofair_attr_u32(info, IOFAIR_A_TARGET_HIST));
	if (err)
		return err;
	inet = iofair_lock(info);
	err = iofair_target_add(inet, info, &t);
	if (!err) {
		iofair_notify_target(inet, IOFAIR_EVENT_TYPE_TARGET_NEW, t, 0);
		/* The target stands; a reply that cannot be built is reported. */
		err = iofair_reply_target(info, IOFAIR_CMD_TARGET_ADD, t, &msg);
	}
	iofair_unlock(inet);
	return msg ? genlmsg_reply(msg, info) : err;
}

int iofair_nl_target_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct iofair_net *inet = iofair_lock(info);
	struct iofair_target *t;
	int err = 0;

	t = iofair_target_from(inet, info);
	if (IS_ERR(t))
		err = PTR_ERR(t);
	else
		err = iofair_target_perm(skb, info, t, 0);
	if (!err)
		iofair_target_del(inet, t, IOFAIR_DEL_REASON_USER);
	iofair_unlock(inet);
	return err;
}

int iofair_nl_target_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct iofair_net *inet = iofair_lock(info);
	struct sk_buff *msg = NULL;
	struct iofair_target *t;
	int err;

	t = iofair_target_from(inet, info);
	err = IS_ERR(t) ? PTR_ERR(t) :
	      iofair_target_perm(skb, info, t, iofair_attr_u32(info, IOFAIR_A_TARGET_HIST));
	if (!err)
		err = iofair_target_set(inet, t, info);
	if (!err) {
		iofair_notify_target(inet, IOFAIR_EVENT_TYPE_POLICY_CHANGE, t, 0);
		iofair_ctrl_kick(inet);
		err = iofair_reply_target(info, IOFAIR_CMD_TARGET_SET, t, &msg);
	}
	iofair_unlock(inet);
	return msg ? genlmsg_reply(msg, info) : err;
}

int iofair_nl_target_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct iofair_net *inet = iofair_net(genl_info_net(info));
	struct sk_buff *msg = NULL;
	struct iofair_target *t;
	int err;

	mutex_lock(&inet->lock);
	t = iofair_target_from(inet, info);
	err = IS_ERR(t) ? PTR_ERR(t) : iofair_reply_target(info, IOFAIR_CMD_TARGET_GET, t, &msg);
	mutex_unlock(&inet->lock);
	return msg ? genlmsg_reply(msg, info) : err;
}

/*
 * Dumps walk the xarray from the id after the last one sent (cb->args[0]),
 * so objects added or removed between two parts neither repeat nor shift
 * the others; a change between two parts flags the dump NLM_F_DUMP_INTR
 * (inet->gen), and the reader may start again.  Reads take the namespace's
 * lock only, never RTNL: a reader cannot hold up the host's netdev changes
 * (the VF's netdev is cached: iofair_vf_netdev()).
 */
int iofair_nl_target_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct iofair_net *inet = iofair_net(sock_net(skb->sk));
	struct nlattr **tb = iofair_dump_attrs(cb);
	unsigned long id = cb->args[0];
	struct iofair_target *t;
	void *hdr;
	int err = 0;

	mutex_lock(&inet->lock);
	if (tb[IOFAIR_A_TARGET_NODE] && nla_get_u32(tb[IOFAIR_A_TARGET_NODE]) &&
	    !iofair_node_find(inet, nla_get_u32(tb[IOFAIR_A_TARGET_NODE]))) {
		NL_SET_ERR_MSG_ATTR(cb->extack, tb[IOFAIR_A_TARGET_NODE], "no such node");
		err = -ENOENT;
		goto out;
	}
	cb->seq = inet->gen;
	xa_for_each_start(&inet->targets, id, t, cb->args[0]) {
		if (tb[IOFAIR_A_TARGET_NODE] &&
		    (t->node ? t->node->id : 0) != nla_get_u32(tb[IOFAIR_A_TARGET_NODE]))
			continue;
		if (tb[IOFAIR_A_TARGET_KIND] && t->kind != nla_get_u32(tb[IOFAIR_A_TARGET_KIND]))
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &iofair_nl_family, NLM_F_MULTI, IOFAIR_CMD_TARGET_GET);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		if (iofair_nl_fill_target(skb, t, sock_net(skb->sk))) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = id + 1;
	}
	err = skb->len;
out:
	mutex_unlock(&inet->lock);
	return err;
}

int iofair_nl_node_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct iofair_net *inet = iofair_lock(info);
	struct sk_buff *msg = NULL;
	struct iofair_node *n;
	int err;

	err = iofair_node_new(inet, info, &n);
	if (!err) {
		iofair_notify_node(inet, IOFAIR_EVENT_TYPE_NODE_NEW, n, 0);
		err = iofair_reply_node(info, IOFAIR_CMD_NODE_NEW, n, &msg);
	}
	iofair_unlock(inet);
	return msg ? genlmsg_reply(msg, info) : err;
}

int iofair_nl_node_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct iofair_net *inet = iofair_lock(info);
	struct iofair_node *n;
	int err;

	n = iofair_node_from(inet, info);
	err = IS_ERR(n) ? PTR_ERR(n) : iofair_node_del(inet, n, info->extack);
	iofair_unlock(inet);
	return err;
}

int iofair_nl_node_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct iofair_net *inet = iofair_lock(info);
	struct sk_buff *msg = NULL;
	struct iofair_node *n;
	int err;

	n = iofair_node_from(inet, info);
	err = IS_ERR(n) ? PTR_ERR(n) : iofair_node_set(inet, n, info);
	if (!err) {
		iofair_notify_node(inet, IOFAIR_EVENT_TYPE_POLICY_CHANGE, n, 0);
		iofair_ctrl_kick(inet);
		err = iofair_reply_node(info, IOFAIR_CMD_NODE_SET, n, &msg);
	}
	iofair_unlock(inet);
	return msg ? genlmsg_reply(msg, info) : err;
}

int iofair_nl_node_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct iofair_net *inet = iofair_net(genl_info_net(info));
	struct sk_buff *msg = NULL;
	struct iofair_node *n;
	int err;

	mutex_lock(&inet->lock);
	n = iofair_node_from(inet, info);
	err = IS_ERR(n) ? PTR_ERR(n) : iofair_reply_node(info, IOFAIR_CMD_NODE_GET, n, &msg);
	mutex_unlock(&inet->lock);
	return msg ? genlmsg_reply(msg, info) : err;
}

int iofair_nl_node_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct iofair_net *inet = iofair_net(sock_net(skb->sk));
	unsigned long id;
	struct iofair_node *n;
	void *hdr;

	mutex_lock(&inet->lock);
	cb->seq = inet->gen;
	xa_for_each_start(&inet->nodes, id, n, cb->args[0]) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &iofair_nl_family, NLM_F_MULTI, IOFAIR_CMD_NODE_GET);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		if (iofair_nl_fill_node(skb, n)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = id + 1;
	}
	mutex_unlock(&inet->lock);
	return skb->len;
}

static int iofair_fill_controller(struct sk_buff *msg, const struct iofair_net *inet)
{
	const struct iofair_ctrl_cfg *c = &inet->ctrl;

	if (nla_put_u8(msg, IOFAIR_A_CONTROLLER_ENABLED, c->enabled) ||
	    nla_put_u32(msg, IOFAIR_A_CONTROLLER_INTERVAL_MS, c->interval_ms) ||
	    nla_put_u32(msg, IOFAIR_A_CONTROLLER_HYSTERESIS, c->hysteresis_pct) ||
	    nla_put_u32(msg, IOFAIR_A_CONTROLLER_CONFORMANCE_MARGIN, c->margin_pct) ||
	    nla_put_u32(msg, IOFAIR_A_CONTROLLER_CONFORMANCE_WINDOW_MS, c->window_ms) ||
	    nla_put_uint(msg, IOFAIR_A_CONTROLLER_STEPS, inet->ctrl_steps) ||
	    nla_put_uint(msg, IOFAIR_A_CONTROLLER_LAST_STEP_NS, inet->ctrl_last_step_ns))
		return -EMSGSIZE;
	return 0;
}

static int iofair_controller_reply(struct iofair_net *inet, struct genl_info *info,
				   u8 cmd, struct sk_buff **out)
{
	struct sk_buff *msg;
	void *hdr;

	msg = iofair_reply_new(info, cmd, &hdr);
	if (!msg)
		return -ENOMEM;
	if (iofair_fill_controller(msg, inet)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	*out = msg;
	return 0;
}

int iofair_nl_controller_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct iofair_net *inet = iofair_net(genl_info_net(info));
	struct sk_buff *msg = NULL;
	int err;

	mutex_lock(&inet->lock);
	err = iofair_controller_reply(inet, info, IOFAIR_CMD_CONTROLLER_GET, &msg);
	mutex_unlock(&inet->lock);
	return msg ? genlmsg_reply(msg, info) : err;
}

int iofair_nl_controller_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct iofair_net *inet = iofair_net(genl_info_net(info));
	struct iofair_ctrl_cfg *c = &inet->ctrl;
	struct nlattr **tb = info->attrs;
	struct sk_buff *msg = NULL;
	int err;

	mutex_lock(&inet->lock);
	if (tb[IOFAIR_A_CONTROLLER_ENABLED])
		c->enabled = nla_get_u8(tb[IOFAIR_A_CONTROLLER_ENABLED]);
	if (tb[IOFAIR_A_CONTROLLER_INTERVAL_MS])
		c->interval_ms = nla_get_u32(tb[IOFAIR_A_CONTROLLER_INTERVAL_MS]);
	if (tb[IOFAIR_A_CONTROLLER_HYSTERESIS])
		c->hysteresis_pct = nla_get_u32(tb[IOFAIR_A_CONTROLLER_HYSTERESIS]);
	if (tb[IOFAIR_A_CONTROLLER_CONFORMANCE_MARGIN])
		c->margin_pct = nla_get_u32(tb[IOFAIR_A_CONTROLLER_CONFORMANCE_MARGIN]);
	if (tb[IOFAIR_A_CONTROLLER_CONFORMANCE_WINDOW_MS])
		c->window_ms = nla_get_u32(tb[IOFAIR_A_CONTROLLER_CONFORMANCE_WINDOW_MS]);
	iofair_ctrl_kick(inet);
	err = iofair_controller_reply(inet, info, IOFAIR_CMD_CONTROLLER_SET, &msg);
	mutex_unlock(&inet->lock);
	return msg ? genlmsg_reply(msg, info) : err;
}

/*
 * The op table registered is a copy of the generated one, changed in two ways:
 *
 * - The spec's admin-perm (the only permission flag the 6.12 generator
 *   knows) becomes GENL_UNS_ADMIN_PERM: CAP_NET_ADMIN in the user namespace
 *   that owns the request's network namespace.  Every namespace has its own
 *   objects, so an unprivileged user namespace governs only its own devices;
 *   what reaches state shared by all namespaces is checked in the op
 *   (iofair_global_perm), where the target's kind is known.
 *
 * - Before 6.2 a family has one genl_ops entry per command, serving both do
 *   and dump, with one request policy.  Do and dump entries of a command are
 *   merged; their policies describe the same attribute set, so they merge
 *   entry by entry.
 */
static struct genl_split_ops *iofair_ops;
static struct nla_policy *iofair_merged_policies[IOFAIR_CMD_MAX + 1];

#ifdef IOFAIR_GENL_NO_SPLIT_OPS
static int iofair_merge_policy(struct genl_ops *dst, const struct genl_ops *src)
{
	static const struct nla_policy none;
	unsigned int maxattr = max(dst->maxattr, src->maxattr), a;
	struct nla_policy *p;

	if (!src->policy || src->policy == dst->policy)
		return 0;
	if (!dst->policy) {
		dst->policy = src->policy;
		dst->maxattr = src->maxattr;
		return 0;
	}
	p = kcalloc(maxattr + 1, sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	for (a = 0; a <= maxattr; a++) {
		if (a <= dst->maxattr && memcmp(&dst->policy[a], &none, sizeof(none)))
			memcpy(&p[a], &dst->policy[a], sizeof(*p));
		else if (a <= src->maxattr)
			memcpy(&p[a], &src->policy[a], sizeof(*p));
	}
	iofair_merged_policies[dst->cmd] = p;
	dst->policy = p;
	dst->maxattr = maxattr;
	return 0;
}

static int iofair_ops_merge(struct genl_ops *ops, unsigned int *n_ops)
{
	unsigned int i, j, n = 0;
	int err;

	for (i = 0; i < *n_ops; i++) {
		for (j = 0; j < n && ops[j].cmd != ops[i].cmd; j++)
			;
		if (j == n) {
			ops[n++] = ops[i];
			continue;
		}
		err = iofair_merge_policy(&ops[j], &ops[i]);
		if (err)
			return err;
		ops[j].doit = ops[j].doit ?: ops[i].doit;
		ops[j].start = ops[j].start ?: ops[i].start;
		ops[j].dumpit = ops[j].dumpit ?: ops[i].dumpit;
		ops[j].done = ops[j].done ?: ops[i].done;
		ops[j].flags |= ops[i].flags;
	}
	*n_ops = n;
	return 0;
}
#else
static int iofair_ops_merge(struct genl_split_ops *ops, unsigned int *n_ops)
{
	return 0;
}
#endif

static void iofair_ops_free(void)
{
	unsigned int i;

	for (i = 0; i <= IOFAIR_CMD_MAX; i++) {
		kfree(iofair_merged_policies[i]);
		iofair_merged_policies[i] = NULL;
	}
	kfree(iofair_ops);
	iofair_ops = NULL;
}

static int iofair_ops_init(void)
{
	unsigned int i, n = iofair_nl_family.n_split_ops;
	int err;

	iofair_ops = kmemdup(iofair_nl_family.split_ops, n * sizeof(*iofair_ops), GFP_KERNEL);
	if (!iofair_ops)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (iofair_ops[i].flags & GENL_ADMIN_PERM) {
			iofair_ops[i].flags &= ~GENL_ADMIN_PERM;
			iofair_ops[i].flags |= GENL_UNS_ADMIN_PERM;
		}
	}
	err = iofair_ops_merge(iofair_ops, &n);
	if (err) {
		iofair_ops_free();
		return err;
	}
	iofair_nl_family.split_ops = iofair_ops;
	iofair_nl_family.n_split_ops = n;
	return 0;
}

int iofair_netlink_init(void)
{
	int err;

	err = iofair_ops_init();
	if (err)
		return err;

	err = genl_register_family(&iofair_nl_family);
	if (err) {
		pr_err("cannot register generic netlink family %s: %d\n",
		       IOFAIR_FAMILY_NAME, err);
		goto err_ops;
	}
	iofair_notify_enable(true);
	return 0;

err_ops:
	iofair_ops_free();
	return err;
}

void iofair_netlink_exit(void)
{
	iofair_notify_enable(false);
	genl_unregister_family(&iofair_nl_family);
	iofair_ops_free();
}

MODULE_ALIAS_GENL_FAMILY(IOFAIR_FAMILY_NAME);
