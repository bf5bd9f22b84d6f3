/* SPDX-License-Identifier: GPL-2.0 */
/* iofair: the per-namespace instance (pernet.c). */
#ifndef _IOFAIR_PERNET_H
#define _IOFAIR_PERNET_H

#include <linux/list.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include "controller.h"

struct iofair_alloc_node;
struct iofair_target;
struct net;

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

int iofair_pernet_init(void);
void iofair_pernet_exit(void);
void iofair_pernet_detach_all(void);
bool iofair_lock_pf(struct iofair_net *inet);
void iofair_unlock_pf(struct iofair_net *inet, bool rtnl);
struct iofair_net *iofair_net(const struct net *net);
void iofair_walk_targets(void (*fn)(struct iofair_target *t, void *arg), void *arg);

/* A target or node changed under inet->lock: dumps in flight are flagged. */
static inline void iofair_changed(struct iofair_net *inet)
{
	lockdep_assert_held(&inet->lock);
	inet->gen = inet->gen + 1 ?: 1;
}

#endif /* _IOFAIR_PERNET_H */
