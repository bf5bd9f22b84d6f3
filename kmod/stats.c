// SPDX-License-Identifier: GPL-2.0
/*
 * stats-get: one snapshot of every target and node that matches the
 * request, taken when the dump starts (all counters read under one hold of
 * the namespace's lock, one timestamp), then sent over as many messages as
 * it takes.  A dump that needs several recvmsg() calls still reports one
 * instant.  stats-reset moves the targets' counter bases.
 *
 * The snapshot is one kvmalloc'd array of compact entries (184 bytes; the
 * vhost targets' worker figures in a second array, only when there are
 * some), each written field by field: 1024 targets and 257 nodes take
 * 236 KB to allocate and clear (Debian kernels clear every allocation),
 * not 400 KB.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "iofair.h"
#include "node.h"
#include "pernet.h"
#include "stats.h"
#include "target.h"
#include "vhost.h"
#include "iofair-nl-gen.h"

struct iofair_snap {
	bool is_node;
	u32 id;
	u32 kind;			/* targets */
	u32 source;			/* targets */
	u32 jain_ppm;			/* nodes */
	u32 conformance_ppm;		/* targets */
	u32 vhost;			/* vhost targets: index in the snapshot's vhost */
	u64 alloc_bps;
	u64 demand_bps;
	u64 capacity_bps;		/* nodes */
	u64 rate_bps[IOFAIR_NDIRS];	/* targets with a source */
	struct iofair_dir_stats dir[IOFAIR_NDIRS];	/* targets with a source */
};

struct iofair_snapshot {
	u64 time_ns;
	unsigned int n;
	unsigned int pos;	/* next to send */
	unsigned int nvhost;
	struct iofair_vhost_snap *vhost;	/* kvmalloc'd, NULL when none */
	struct iofair_snap s[];
};

struct iofair_stats_filter {
	u32 target_id;
	struct iofair_node *node;
	bool by_kind;
	u32 kind;
};

static bool iofair_below(const struct iofair_node *n, const struct iofair_node *top)
{
	for (; n; n = n->parent)
		if (n == top)
			return true;
	return false;
}

static bool iofair_match_target(const struct iofair_target *t,
				const struct iofair_stats_filter *f)
{
	if (f->target_id && t->id != f->target_id)
		return false;
	if (f->node && !iofair_below(t->node, f->node))
		return false;
	return !f->by_kind || t->kind == f->kind;
}

static bool iofair_match_node(const struct iofair_node *n,
			      const struct iofair_stats_filter *f)
{
	if (f->target_id || f->by_kind)
		return false;
	return !f->node || iofair_below(n, f->node);
}

/* Every field iofair_stats_fill() reads of a target, none other. */
static int iofair_snap_target(struct iofair_snapshot *snap, struct iofair_snap *s,
			      const struct iofair_target *t, unsigned int max)
{
	s->is_node = false;
	s->id = t->id;
	s->kind = t->kind;
	s->source = iofair_target_source(t);
	if (s->source != IOFAIR_SOURCE_NONE) {
		iofair_target_read(t, s->dir);
		memcpy(s->rate_bps, t->rate_bps, sizeof(s->rate_bps));
	}
	s->alloc_bps = t->alloc_bps;
	s->demand_bps = t->demand_bps;
	s->conformance_ppm = t->conformance_ppm;
	if (t->kind == IOFAIR_TARGET_KIND_VHOST) {
		if (!snap->vhost) {
			snap->vhost = kvmalloc_array(max, sizeof(*snap->vhost), GFP_KERNEL_ACCOUNT);
			if (!snap->vhost)
				return -ENOMEM;
		}
		s->vhost = snap->nvhost++;
		iofair_vhost_snap(t, &snap->vhost[s->vhost]);
	}
	return 0;
}

/* Every field iofair_stats_fill() reads of a node. */
static void iofair_snap_node(struct iofair_snap *s, const struct iofair_node *n)
{
	s->is_node = true;
	s->id = n->id;
	s->alloc_bps = n->alloc_bps;
	s->demand_bps = n->demand_bps;
	s->capacity_bps = n->parent ? n->alloc_bps : n->capacity_bps;
	s->jain_ppm = n->jain_ppm;
}

static void iofair_snapshot_free(struct iofair_snapshot *snap)
{
	if (!snap)
		return;
	kvfree(snap->vhost);
	kvfree(snap);
}

static int iofair_stats_filter_parse(struct iofair_net *inet, struct nlattr **tb,
				     struct iofair_stats_filter *f,
				     struct netlink_ext_ack *extack)
{
	memset(f, 0, sizeof(*f));
	if (tb[IOFAIR_A_STATS_TARGET_ID]) {
		f->target_id = nla_get_u32(tb[IOFAIR_A_STATS_TARGET_ID]);
		if (!iofair_target_find(inet, f->target_id)) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IOFAIR_A_STATS_TARGET_ID], "no such target");
			return -ENOENT;
		}
	}
	if (tb[IOFAIR_A_STATS_NODE_ID]) {
		f->node = iofair_node_find(inet, nla_get_u32(tb[IOFAIR_A_STATS_NODE_ID]));
		if (!f->node) {
			NL_SET_ERR_MSG_ATTR(extack, tb[IOFAIR_A_STATS_NODE_ID], "no such node");
			return -ENOENT;
		}
	}
	if (tb[IOFAIR_A_STATS_KIND]) {
		f->by_kind = true;
		f->kind = nla_get_u32(tb[IOFAIR_A_STATS_KIND]);
	}
	return 0;
}

/*
 * The snapshot, taken by the dump's first call (not a start callback: on
 * 6.1 those get no extack, and a filter naming nothing must say so).
 */
static int iofair_stats_snapshot(struct netlink_callback *cb)
{
	struct iofair_net *inet = iofair_net(sock_net(cb->skb->sk));
	struct nlattr **tb = iofair_dump_attrs(cb);
	struct iofair_stats_filter f;
	struct iofair_snapshot *snap;
	struct iofair_target *t;
	struct iofair_node *n;
	unsigned long id;
	unsigned int max;
	bool rtnl;
	int err;

	rtnl = iofair_lock_pf(inet);	/* a PF driver's VF counters need RTNL */
	err = iofair_stats_filter_parse(inet, tb, &f, cb->extack);
	if (err)
		goto out;
	max = inet->ntargets;
	xa_for_each(&inet->nodes, id, n)
		max++;
	snap = kvmalloc(struct_size(snap, s, max), GFP_KERNEL_ACCOUNT);
	if (!snap) {
		err = -ENOMEM;
		goto out;
	}
	snap->n = 0;
	snap->pos = 0;
	snap->nvhost = 0;
	snap->vhost = NULL;
	snap->time_ns = iofair_now_ns();
	xa_for_each(&inet->targets, id, t) {
		if (snap->n >= max || !iofair_match_target(t, &f))
			continue;
		err = iofair_snap_target(snap, &snap->s[snap->n++], t, max);
		if (err) {
			iofair_snapshot_free(snap);
			goto out;
		}
	}
	xa_for_each(&inet->nodes, id, n)
		if (snap->n < max && iofair_match_node(n, &f))
			iofair_snap_node(&snap->s[snap->n++], n);
	cb->args[0] = (long)snap;
out:
	iofair_unlock_pf(inet, rtnl);
	return err;
}

int iofair_nl_stats_get_done(struct netlink_callback *cb)
{
	iofair_snapshot_free((void *)cb->args[0]);
	return 0;
}

static int iofair_put_traffic(struct sk_buff *skb, int type,
			      const struct iofair_dir_stats *d, u64 rate_bps)
{
	struct nlattr *nest, *drop;
	int r;

	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_uint(skb, IOFAIR_A_TRAFFIC_PACKETS, d->packets) ||
	    nla_put_uint(skb, IOFAIR_A_TRAFFIC_BYTES, d->bytes) ||
	    nla_put_uint(skb, IOFAIR_A_TRAFFIC_RATE, rate_bps) ||
	    nla_put_uint(skb, IOFAIR_A_TRAFFIC_DELAYED, d->delayed))
		goto err_cancel;
	for (r = 0; r < IOFAIR_NDROPS; r++) {
		if (!d->drops[r])
			continue;
		drop = nla_nest_start(skb, IOFAIR_A_TRAFFIC_DROP);
		if (!drop ||
		    nla_put_u32(skb, IOFAIR_A_DROP_REASON, r) ||
		    nla_put_uint(skb, IOFAIR_A_DROP_PACKETS, d->drops[r]))
			goto err_cancel;
		nla_nest_end(skb, drop);
	}
	nla_nest_end(skb, nest);
	return 0;

err_cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int iofair_stats_fill(struct sk_buff *skb, const struct iofair_snapshot *snap,
			     const struct iofair_snap *s)
{
	if (nla_put_u64_64bit(skb, IOFAIR_A_STATS_TIME, snap->time_ns, IOFAIR_A_STATS_PAD))
		return -EMSGSIZE;
	if (s->is_node) {
		if (nla_put_u32(skb, IOFAIR_A_STATS_NODE_ID, s->id) ||
		    (s->capacity_bps &&
		     nla_put_uint(skb, IOFAIR_A_STATS_CAPACITY, s->capacity_bps)) ||
		    (s->jain_ppm && nla_put_u32(skb, IOFAIR_A_STATS_JAIN, s->jain_ppm)) ||
		    (s->alloc_bps && nla_put_uint(skb, IOFAIR_A_STATS_ALLOCATED, s->alloc_bps)) ||
		    (s->demand_bps && nla_put_uint(skb, IOFAIR_A_STATS_DEMAND, s->demand_bps)))
			return -EMSGSIZE;
		return 0;
	}
	if (nla_put_u32(skb, IOFAIR_A_STATS_TARGET_ID, s->id) ||
	    nla_put_u32(skb, IOFAIR_A_STATS_KIND, s->kind) ||
	    nla_put_u32(skb, IOFAIR_A_STATS_SOURCE, s->source))
		return -EMSGSIZE;
	if (s->source != IOFAIR_SOURCE_NONE &&
	    (iofair_put_traffic(skb, IOFAIR_A_STATS_TX, &s->dir[IOFAIR_TX],
				s->rate_bps[IOFAIR_TX]) ||
	     iofair_put_traffic(skb, IOFAIR_A_STATS_RX, &s->dir[IOFAIR_RX],
				s->rate_bps[IOFAIR_RX])))
		return -EMSGSIZE;
	if (s->alloc_bps && nla_put_uint(skb, IOFAIR_A_STATS_ALLOCATED, s->alloc_bps))
		return -EMSGSIZE;
	if (s->conformance_ppm &&
	    nla_put_u32(skb, IOFAIR_A_STATS_CONFORMANCE, s->conformance_ppm))
		return -EMSGSIZE;
	if (s->demand_bps && nla_put_uint(skb, IOFAIR_A_STATS_DEMAND, s->demand_bps))
		return -EMSGSIZE;
	if (s->kind == IOFAIR_TARGET_KIND_VHOST && iofair_vhost_fill(skb, &snap->vhost[s->vhost]))
		return -EMSGSIZE;
	return 0;
}

int iofair_nl_stats_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct iofair_snapshot *snap;
	void *hdr;
	int err;

	if (!cb->args[0]) {
		err = iofair_stats_snapshot(cb);
		if (err)
			return err;
	}
	snap = (void *)cb->args[0];

	for (; snap->pos < snap->n; snap->pos++) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &iofair_nl_family, NLM_F_MULTI, IOFAIR_CMD_STATS_GET);
		if (!hdr)
			break;
		if (iofair_stats_fill(skb, snap, &snap->s[snap->pos])) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	if (snap->pos < snap->n && !skb->len)
		return -EMSGSIZE;	/* one object does not fit a message */
	return skb->len;
}

int iofair_nl_stats_reset_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct iofair_net *inet = iofair_net(genl_info_net(info));
	struct iofair_target *t;
	unsigned long id;
	int err = 0;

	rtnl_lock();
	mutex_lock(&inet->lock);
	if (info->attrs[IOFAIR_A_STATS_TARGET_ID]) {
		t = iofair_target_find(inet, nla_get_u32(info->attrs[IOFAIR_A_STATS_TARGET_ID]));
		if (!t) {
			NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[IOFAIR_A_STATS_TARGET_ID],
					    "no such target");
			err = -ENOENT;
		} else {
			iofair_target_reset(t);
		}
	} else {
		xa_for_each(&inet->targets, id, t)
			iofair_target_reset(t);
	}
	mutex_unlock(&inet->lock);
	rtnl_unlock();
	return err;
}
