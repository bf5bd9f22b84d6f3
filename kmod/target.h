/* SPDX-License-Identifier: GPL-2.0 */
/* iofair: what a target holds, and its life cycle (target.c). */
#ifndef _IOFAIR_TARGET_H
#define _IOFAIR_TARGET_H

#include <linux/list.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <uapi/linux/iofair.h>
#include "compat.h"
#include "hist.h"
#include "node.h"
#include "shaper.h"
#include "stats.h"

struct genl_info;
struct iofair_net;
struct iofair_vfwatch;
struct iofair_vhost;

struct iofair_target {
	struct iofair_net *inet;
	u32 id;
	u32 kind;			/* enum iofair_target_kind */
	/* The netdev; for a vf target the PF.  Held with dev_tracker. */
	struct net_device *dev;
	netdevice_tracker dev_tracker;
	u32 vf;
	bool host_side;			/* dev: the host's end of the tenant's link */
	struct iofair_node *node;	/* NULL: measured, not in the tree */
	struct list_head sibling;	/* in node->child_targets */
	u32 enforce;			/* enum iofair_enforce */
	u32 ownership;			/* enum iofair_ownership */
	struct iofair_policy policy;
	u64 rx_bw_max_bps;

	/* vf targets (vf.c): the PF driver's side. */
	u32 vf_orig_min_mbps;		/* the VF's own rates, put back at del */
	u32 vf_orig_max_mbps;
	u32 pushed_max_mbps;
	bool hw_pushed;			/* we changed the VF's rates */
	bool hw_enforced;		/* the driver took a max rate */
	bool hw_min;			/* ... and the min rate */
	struct iofair_vfwatch *vfw;	/* vfwatch.c: its config watch, under RTNL */
	bool vf_absent;			/* the VF was destroyed: parked (vf.c) */
	/*
	 * The VF's netdev while it is registered on this host, in any
	 * namespace; no reference (the notifier clears it first).  Written
	 * under RTNL and inet->lock, so readers need only the latter.
	 */
	struct net_device *vf_netdev;
	bool vf_repush;			/* back, its policy not yet taken */

	/*
	 * Packet hooks (hook.c) on hook_dev: the target's netdev, or for a vf
	 * target the VF's netdev while it is bound on this host (held with
	 * hook_tracker).  hooks_on while they are registered.
	 */
	struct iofair_pcpu_stats __percpu *pcpu;
	struct net_device *hook_dev;
	netdevice_tracker hook_tracker;
	struct hlist_node hook_node;	/* in hook.c's table, by hook_dev */
	struct nf_hook_ops hook_ops[2];	/* ingress, egress */
	struct iofair_shaper shaper[IOFAIR_NDIRS];
	bool hooks_on;
	/*
	 * Latency histograms (hist.c), NULL while a kind is off.  Published
	 * with smp_store_release, read with READ_ONCE under rcu_read_lock,
	 * freed after a grace period (sparse takes no __percpu __rcu).
	 */
	struct iofair_hist __percpu *hist[IOFAIR_NHISTS];
	u32 hist_mask;			/* kinds on */
	struct iofair_vhost *vhost;	/* vhost targets: worker probes (vhost.c) */

	/* Counters at the last reset, subtracted on read. */
	struct iofair_dir_stats base[IOFAIR_NDIRS];

	/* Controller state, under inet->lock. */
	u64 alloc_bps;			/* 0: none given (not in the tree, or off) */
	u64 demand_bps;
	u64 pushed_bps;			/* last allocation pushed to the PF driver */
	int push_err;			/* its error, not retried for the same value */
	bool limited;			/* it wanted more than its limit */
	u64 last_held;			/* delayed + drops at the last step */
	u64 last_drops;
	u64 win_ns;			/* conformance window start */
	u64 win_bytes;			/* tx bytes then */
	u64 win_allowed;		/* bytes the limit allowed since */
	u64 last_win_ns;
	bool win_unlimited;		/* no limit for part of the window */
	u32 conformance_ppm;		/* last full window, 0 = none */
	u64 rate_bps[IOFAIR_NDIRS];	/* achieved, last interval */
	u64 last_bytes[IOFAIR_NDIRS];
	u64 last_ns;
	struct rcu_head rcu;
};

struct iofair_target *iofair_target_find(struct iofair_net *inet, u32 id);
int iofair_target_add(struct iofair_net *inet, struct genl_info *info,
		      struct iofair_target **out);
int iofair_target_set(struct iofair_net *inet, struct iofair_target *t,
		      struct genl_info *info);
void iofair_target_del(struct iofair_net *inet, struct iofair_target *t,
		       u32 reason);
void iofair_target_destroy_all(struct iofair_net *inet, u32 reason);
void iofair_target_read(const struct iofair_target *t,
			struct iofair_dir_stats dir[IOFAIR_NDIRS]);
void iofair_target_reset(struct iofair_target *t);
u32 iofair_target_source(const struct iofair_target *t);
int iofair_target_notifier_init(void);
void iofair_target_notifier_exit(void);

#endif /* _IOFAIR_TARGET_H */
