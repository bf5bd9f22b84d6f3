/* SPDX-License-Identifier: GPL-2.0 */
/* iofair: interfaces between the module's files. */
#ifndef _IOFAIR_H
#define _IOFAIR_H

#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/skbuff.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <uapi/linux/iofair.h>

#include "compat.h"

#define IOFAIR_VERSION "0.2.0"

struct genl_info;
struct pci_dev;
struct iofair_alloc_node;
struct netlink_ext_ack;
struct sk_buff;

/* A policy, as in the uAPI; bw_max_bps 0 = no cap. */
struct iofair_policy {
	u64 bw_min_bps;
	u64 bw_max_bps;
	u32 burst_bytes;
	u32 weight;
};

/* Directions, from the tenant's point of view. */
enum iofair_dir {
	IOFAIR_TX,
	IOFAIR_RX,
	IOFAIR_NDIRS,
};

#define IOFAIR_NDROPS (IOFAIR_DROP_REASON_NOMEM + 1)

struct iofair_dir_stats {
	u64 packets;
	u64 bytes;		/* L2 bytes */
	u64 delayed;
	u64 drops[IOFAIR_NDROPS];
};

/* Written by the packet hooks, one per CPU, summed on read. */
struct iofair_pcpu_stats {
	struct iofair_dir_stats dir[IOFAIR_NDIRS];
	struct u64_stats_sync syncp;
};

#define IOFAIR_HIST_BUCKETS	64
#define IOFAIR_NHISTS		(IOFAIR_HIST_KIND_RTT_TCP_DATA + 1)

/* One latency histogram on one CPU: log2 buckets of ns (hist.c). */
struct iofair_hist {
	u64 bucket[IOFAIR_HIST_BUCKETS];
	u64 count;
	u64 sum_ns;
	struct u64_stats_sync syncp;
};

/* A software limiter of one direction of a target (shaper.c). */
struct iofair_shaper {
	struct iofair_target *target;
	enum iofair_dir dir;
	bool ingress;			/* at the netdev's ingress hook */
	/*
	 * Written under inet->lock and lock together; the hold path reads
	 * them under lock, the fast path rate_bps and burst_ns without.
	 */
	u64 rate_bps;			/* 0 = no limit */
	u64 burst_ns;
	u64 max_delay_ns;
	atomic64_t tat_ns;		/* GCRA theoretical arrival time, by cmpxchg */
	spinlock_t lock;		/* protects queue, timer starts, the three above */
	struct sk_buff_head queue;	/* held packets, by send time */
	struct hrtimer timer;
};

struct iofair_node {
	struct iofair_net *inet;
	u32 id;
	u32 kind;			/* enum iofair_node_kind */
	char name[IOFAIR_NAME_LEN];
	struct iofair_node *parent;	/* NULL for a root */
	struct list_head sibling;	/* in parent->child_nodes */
	struct list_head child_nodes;
	struct list_head child_targets;
	u64 capacity_bps;		/* roots: configured (0: from link) */
	u32 link_ifindex;		/* roots: uplink, 0 = none */
	struct iofair_policy policy;
	u32 children;			/* child nodes and targets */
	u64 child_mins;			/* their bw-min, summed by iofair_tree_check() */

	/* Written by the controller, under inet->lock. */
	u64 alloc_bps;
	u64 demand_bps;
	u32 jain_ppm;
	struct rcu_head rcu;
};

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

struct iofair_ctrl_cfg {
	bool enabled;
	u32 interval_ms;
	u32 hysteresis_pct;
	u32 margin_pct;
	u32 window_ms;
};

/*
 * Per network namespace.  Objects made through a socket live in the
 * socket's namespace; lock order: rtnl_lock, then lock.
 */
struct iofair_net {
	struct net *net;
	/* Protects targets, nodes, their fields not marked otherwise, ctrl. */
	struct mutex lock;
	struct xarray targets;		/* id -> struct iofair_target */
	struct xarray nodes;		/* id -> struct iofair_node */
	u32 next_target_id;
	u32 next_node_id;
	unsigned int ntargets;		/* up to IOFAIR_TARGETS_MAX */
	unsigned int nnodes;		/* up to IOFAIR_NODES_MAX */
	unsigned int nvf;		/* vf targets among them */
	/* Bumped on every change a target or node dump shows (never 0): a
	 * dump that spans one is flagged NLM_F_DUMP_INTR.
	 */
	u32 gen;

	struct iofair_ctrl_cfg ctrl;
	struct delayed_work ctrl_work;
	unsigned long ctrl_due;		/* jiffies ctrl_work is queued for */
	u64 ctrl_steps;
	u64 ctrl_last_step_ns;
	/*
	 * The step's arrays (controller.c), grown as the tree grows, rebuilt
	 * when gen moves: ctrl_gen is the gen they match, 0 = none.
	 */
	u32 ctrl_gen;
	bool ctrl_computed;		/* ctrl_an's shares are those of its inputs */
	u32 ctrl_count;			/* entries of ctrl_an */
	u32 ctrl_nlone;
	struct iofair_target **ctrl_lone;	/* the targets outside the tree */
	struct iofair_alloc_node *ctrl_an;	/* the tree, parents first */
	void **ctrl_obj;		/* node or target of each entry */
	void *ctrl_scratch;
	u64 *ctrl_rate;			/* Jain: rate of each entry */
	u64 *ctrl_grp_rate;		/* Jain: one node's backlogged children */
	u32 *ctrl_grp_w;
	u32 ctrl_cap;
	bool dying;
	struct list_head list;		/* in iofair_nets (pernet.c) */
};

/* features.c: what the running kernel offers. */
int iofair_features_init(void);
void iofair_features_exit(void);
u32 iofair_features_hooks(void);
u32 iofair_features_vhost_worker(void);
int iofair_features_fill_probes(struct sk_buff *skb);

/* pernet.c */
int iofair_pernet_init(void);
void iofair_pernet_exit(void);
void iofair_pernet_detach_all(void);
bool iofair_lock_pf(struct iofair_net *inet);
void iofair_unlock_pf(struct iofair_net *inet, bool rtnl);
struct iofair_net *iofair_net(const struct net *net);
void iofair_walk_targets(void (*fn)(struct iofair_target *t, void *arg), void *arg);

/* node.c */
struct iofair_node *iofair_node_find(struct iofair_net *inet, u32 id);
int iofair_node_new(struct iofair_net *inet, struct genl_info *info,
		    struct iofair_node **out);
int iofair_node_set(struct iofair_net *inet, struct iofair_node *n,
		    struct genl_info *info);
int iofair_node_del(struct iofair_net *inet, struct iofair_node *n,
		    struct netlink_ext_ack *extack);
void iofair_node_destroy_all(struct iofair_net *inet);
u64 iofair_node_capacity(const struct iofair_node *n);
u64 iofair_node_bound(const struct iofair_node *n);
int iofair_tree_check(struct iofair_net *inet, struct netlink_ext_ack *extack);
void iofair_node_reparent(struct iofair_node *n, struct iofair_node *parent);
void iofair_target_reparent(struct iofair_target *t, struct iofair_node *node);
int iofair_policy_parse(const struct nlattr *nest, struct iofair_policy *p,
			struct netlink_ext_ack *extack);

/* target.c */
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

/* vf.c: vf targets through the PF driver. */
int iofair_vf_init(void);
void iofair_vf_exit(void);
int iofair_vf_check(struct net_device *dev, u32 vf, struct genl_info *info);
int iofair_vf_attach(struct iofair_target *t, struct netlink_ext_ack *extack);
void iofair_vf_detach(struct iofair_target *t, u32 reason);
int iofair_vf_push(struct iofair_target *t, struct netlink_ext_ack *extack);
bool iofair_vf_has_stats(const struct iofair_target *t);
int iofair_vf_set_max(struct iofair_target *t, u32 max_mbps);
bool iofair_vf_match(const struct iofair_target *t, const struct pci_dev *pf, u32 vf);
void iofair_vf_netdev(const struct iofair_target *t, const struct net *net,
		      u32 *ifindex, bool *host_bound);
void iofair_vf_netdev_event(struct net_device *dev, unsigned long event);

/* vfwatch.c: VF config changes seen in the PF driver (kprobes on its VF callbacks). */
void iofair_vfwatch_exit(void);
void iofair_vfwatch_add(struct iofair_target *t);
void iofair_vfwatch_del(struct iofair_target *t);
void iofair_vfwatch_own_begin(void);
void iofair_vfwatch_own_end(void);

/* hist.c: latency histograms. */
void iofair_hist_record(struct iofair_target *t, u32 kind, u64 ns);
int iofair_hist_set(struct iofair_target *t, u32 mask, struct netlink_ext_ack *extack);
void iofair_hist_reset(struct iofair_target *t);
void iofair_hist_free(struct iofair_target *t);

/* rtt.c: RTT and sojourn histograms, fed by netfilter hooks of their own. */
#define IOFAIR_RTT_KINDS	(BIT(IOFAIR_HIST_KIND_SOJOURN) | BIT(IOFAIR_HIST_KIND_RTT_ICMP) | \
				 BIT(IOFAIR_HIST_KIND_RTT_TCP_SYN) | \
				 BIT(IOFAIR_HIST_KIND_RTT_TCP_DATA))
#define IOFAIR_RTT_NLOST	3	/* requests not sampled: set full, ambiguous, stale */
int iofair_rtt_update(struct iofair_target *t, u32 mask, struct netlink_ext_ack *extack);
void iofair_rtt_follow(struct iofair_target *t);
void iofair_rtt_detach(struct iofair_target *t);
void iofair_rtt_reset(struct iofair_target *t);
void iofair_rtt_lost(struct iofair_target *t, u32 kind, u64 lost[IOFAIR_RTT_NLOST]);

/* hook.c: per-packet hooks on a target's netdev. */
int iofair_hook_attach(struct iofair_target *t, struct net_device *dev,
		       struct netlink_ext_ack *extack);
void iofair_hook_detach(struct iofair_target *t);
int iofair_nf_hooks_register(struct nf_hook_ops ops[2]);
void iofair_nf_hooks_unregister(struct nf_hook_ops ops[2]);
int iofair_hook_check(const struct iofair_target *t, const struct net_device *dev,
		      struct netlink_ext_ack *extack);
void iofair_hook_limits(struct iofair_target *t);

/* shaper.c: the software limiter. */
u32 iofair_wire_len(const struct sk_buff *skb, u32 mac_len, u32 *frames);
unsigned int iofair_shape(struct iofair_shaper *s, struct sk_buff *skb, u32 mac_len);
void iofair_shaper_init(struct iofair_shaper *s, struct iofair_target *t,
			enum iofair_dir dir, bool ingress);
void iofair_shaper_set(struct iofair_shaper *s, u64 rate_bps, u32 burst_bytes);
void iofair_shaper_purge(struct iofair_shaper *s);

/* netlink.c */
int iofair_netlink_init(void);
void iofair_netlink_exit(void);
int iofair_nl_fill_target(struct sk_buff *skb, const struct iofair_target *t,
			  const struct net *net);
int iofair_nl_fill_node(struct sk_buff *skb, const struct iofair_node *n);
int iofair_nl_put_policy(struct sk_buff *skb, int type,
			 const struct iofair_policy *p);

/* notify.c: the events multicast group. */
void iofair_notify_enable(bool on);
struct sk_buff *iofair_event_new(struct iofair_net *inet, u32 type, u64 time_ns,
				 void **hdr);
void iofair_event_send(struct iofair_net *inet, struct sk_buff *skb, void *hdr);
int iofair_event_put_target(struct sk_buff *skb, const struct iofair_target *t);
void iofair_notify_alarm(struct iofair_net *inet, const struct iofair_target *t,
			 u64 achieved_bps, u64 limit_bps);
void iofair_notify_target(struct iofair_net *inet, u32 type,
			  const struct iofair_target *t, u32 reason);
void iofair_notify_node(struct iofair_net *inet, u32 type,
			const struct iofair_node *n, u32 reason);

/* stats.c: the stats-get dump and stats-reset. */

/* controller.c */
void iofair_ctrl_init(struct iofair_net *inet);
void iofair_ctrl_stop(struct iofair_net *inet);
void iofair_ctrl_kick(struct iofair_net *inet);
void iofair_ctrl_free(struct iofair_net *inet);
u64 iofair_target_limit(const struct iofair_target *t);

/* vhost.c: vhost worker probes. */
#define IOFAIR_VHOST_NVQS	2	/* vhost-net: 0 rx, 1 tx */
enum iofair_vq_stat {
	IOFAIR_VQ_KICKS,
	IOFAIR_VQ_PASSES,
	IOFAIR_VQ_PACKETS,
	IOFAIR_VQ_BYTES,
	IOFAIR_VQ_WEIGHT_LIMITED,
	IOFAIR_VQ_DELAY_NS,
	IOFAIR_VQ_SERVICE_NS,
	IOFAIR_VQ_NSTATS,
};

struct iofair_vhost_snap {
	u64 vq[IOFAIR_VHOST_NVQS][IOFAIR_VQ_NSTATS];	/* since the last reset */
	u64 worker_cpu_ns;
	u64 worker_wakeups;
	u32 worker_pid;			/* 0: no live worker known */
	bool workers;			/* some worker has served the target */
};

int iofair_vhost_init(void);
void iofair_vhost_exit(void);
int iofair_vhost_attach(struct iofair_target *t, struct netlink_ext_ack *extack);
void iofair_vhost_detach(struct iofair_target *t);
void iofair_vhost_tx(struct iofair_target *t, const struct sk_buff *skb);
void iofair_vhost_reset(struct iofair_target *t);
void iofair_vhost_snap(const struct iofair_target *t, struct iofair_vhost_snap *s);
int iofair_vhost_fill(struct sk_buff *skb, const struct iofair_vhost_snap *s);

/* A target or node changed under inet->lock: dumps in flight are flagged. */
static inline void iofair_changed(struct iofair_net *inet)
{
	lockdep_assert_held(&inet->lock);
	inet->gen = inet->gen + 1 ?: 1;
}

static inline u64 iofair_now_ns(void)
{
	return ktime_get_ns();
}

#endif /* _IOFAIR_H */
