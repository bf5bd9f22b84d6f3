/* SPDX-License-Identifier: GPL-2.0 */
/* iofair: the policy tree: nodes and their policies (node.c). */
#ifndef _IOFAIR_NODE_H
#define _IOFAIR_NODE_H

#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/types.h>
#include <uapi/linux/iofair.h>

struct genl_info;
struct iofair_net;
struct iofair_target;
struct netlink_ext_ack;
struct nlattr;

/* A policy, as in the uAPI; bw_max_bps 0 = no cap. */
struct iofair_policy {
	u64 bw_min_bps;
	u64 bw_max_bps;
	u32 burst_bytes;
	u32 weight;
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

#endif /* _IOFAIR_NODE_H */
