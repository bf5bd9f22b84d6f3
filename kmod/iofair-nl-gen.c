// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/iofair.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "iofair-nl-gen.h"

#include <uapi/linux/iofair.h>

/* Integer value ranges */
static const struct netlink_range_validation iofair_a_policy_bw_min_range = {
	.max	= IOFAIR_RATE_MAX,
};

static const struct netlink_range_validation iofair_a_policy_bw_max_range = {
	.max	= IOFAIR_RATE_MAX,
};

static const struct netlink_range_validation iofair_a_policy_burst_range = {
	.max	= IOFAIR_BURST_MAX,
};

static const struct netlink_range_validation iofair_a_policy_weight_range = {
	.min	= 1ULL,
	.max	= 65535ULL,
};

static const struct netlink_range_validation iofair_a_target_rx_bw_max_range = {
	.max	= IOFAIR_RATE_MAX,
};

static const struct netlink_range_validation iofair_a_node_capacity_range = {
	.max	= IOFAIR_RATE_MAX,
};

static const struct netlink_range_validation iofair_a_controller_conformance_window_ms_range = {
	.min	= 10ULL,
	.max	= 60000ULL,
};

/* Common nested types */
const struct nla_policy iofair_policy_nl_policy[IOFAIR_A_POLICY_PAD + 1] = {
	[IOFAIR_A_POLICY_BW_MIN] = NLA_POLICY_FULL_RANGE(NLA_U64, &iofair_a_policy_bw_min_range),
	[IOFAIR_A_POLICY_BW_MAX] = NLA_POLICY_FULL_RANGE(NLA_U64, &iofair_a_policy_bw_max_range),
	[IOFAIR_A_POLICY_BURST] = NLA_POLICY_FULL_RANGE(NLA_U32, &iofair_a_policy_burst_range),
	[IOFAIR_A_POLICY_WEIGHT] = NLA_POLICY_FULL_RANGE(NLA_U32, &iofair_a_policy_weight_range),
};

/* IOFAIR_CMD_TARGET_ADD - do */
static const struct nla_policy iofair_target_add_nl_policy[IOFAIR_A_TARGET_HOST_SIDE + 1] = {
	[IOFAIR_A_TARGET_KIND] = NLA_POLICY_MAX(NLA_U32, 2),
	[IOFAIR_A_TARGET_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[IOFAIR_A_TARGET_IFNAME] = { .type = NLA_NUL_STRING, .len = 15, },
	[IOFAIR_A_TARGET_VF] = NLA_POLICY_MAX(NLA_U32, IOFAIR_VF_MAX),
	[IOFAIR_A_TARGET_NODE] = { .type = NLA_U32, },
	[IOFAIR_A_TARGET_ENFORCE] = NLA_POLICY_MAX(NLA_U32, 2),
	[IOFAIR_A_TARGET_OWNERSHIP] = NLA_POLICY_MAX(NLA_U32, 1),
	[IOFAIR_A_TARGET_POLICY] = NLA_POLICY_NESTED(iofair_policy_nl_policy),
	[IOFAIR_A_TARGET_RX_BW_MAX] = NLA_POLICY_FULL_RANGE(NLA_U64, &iofair_a_target_rx_bw_max_range),
	[IOFAIR_A_TARGET_HIST] = NLA_POLICY_MASK(NLA_U32, 0x3f),
	[IOFAIR_A_TARGET_HOST_SIDE] = NLA_POLICY_MAX(NLA_U8, 1),
};

/* IOFAIR_CMD_TARGET_DEL - do */
static const struct nla_policy iofair_target_del_nl_policy[IOFAIR_A_TARGET_ID + 1] = {
	[IOFAIR_A_TARGET_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* IOFAIR_CMD_TARGET_SET - do */
static const struct nla_policy iofair_target_set_nl_policy[IOFAIR_A_TARGET_HIST + 1] = {
	[IOFAIR_A_TARGET_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[IOFAIR_A_TARGET_NODE] = { .type = NLA_U32, },
	[IOFAIR_A_TARGET_ENFORCE] = NLA_POLICY_MAX(NLA_U32, 2),
	[IOFAIR_A_TARGET_OWNERSHIP] = NLA_POLICY_MAX(NLA_U32, 1),
	[IOFAIR_A_TARGET_POLICY] = NLA_POLICY_NESTED(iofair_policy_nl_policy),
	[IOFAIR_A_TARGET_RX_BW_MAX] = NLA_POLICY_FULL_RANGE(NLA_U64, &iofair_a_target_rx_bw_max_range),
	[IOFAIR_A_TARGET_HIST] = NLA_POLICY_MASK(NLA_U32, 0x3f),
};

/* IOFAIR_CMD_TARGET_GET - do */
static const struct nla_policy iofair_target_get_do_nl_policy[IOFAIR_A_TARGET_ID + 1] = {
	[IOFAIR_A_TARGET_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* IOFAIR_CMD_TARGET_GET - dump */
static const struct nla_policy iofair_target_get_dump_nl_policy[IOFAIR_A_TARGET_NODE + 1] = {
	[IOFAIR_A_TARGET_NODE] = { .type = NLA_U32, },
	[IOFAIR_A_TARGET_KIND] = NLA_POLICY_MAX(NLA_U32, 2),
};

/* IOFAIR_CMD_NODE_NEW - do */
static const struct nla_policy iofair_node_new_nl_policy[IOFAIR_A_NODE_POLICY + 1] = {
	[IOFAIR_A_NODE_NAME] = { .type = NLA_NUL_STRING, .len = 31, },
	[IOFAIR_A_NODE_KIND] = NLA_POLICY_MAX(NLA_U32, 2),
	[IOFAIR_A_NODE_PARENT] = NLA_POLICY_MIN(NLA_U32, 1),
	[IOFAIR_A_NODE_CAPACITY] = NLA_POLICY_FULL_RANGE(NLA_U64, &iofair_a_node_capacity_range),
	[IOFAIR_A_NODE_LINK] = NLA_POLICY_MIN(NLA_U32, 1),
	[IOFAIR_A_NODE_POLICY] = NLA_POLICY_NESTED(iofair_policy_nl_policy),
};

/* IOFAIR_CMD_NODE_DEL - do */
static const struct nla_policy iofair_node_del_nl_policy[IOFAIR_A_NODE_ID + 1] = {
	[IOFAIR_A_NODE_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* IOFAIR_CMD_NODE_SET - do */
static const struct nla_policy iofair_node_set_nl_policy[IOFAIR_A_NODE_POLICY + 1] = {
	[IOFAIR_A_NODE_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[IOFAIR_A_NODE_PARENT] = NLA_POLICY_MIN(NLA_U32, 1),
	[IOFAIR_A_NODE_CAPACITY] = NLA_POLICY_FULL_RANGE(NLA_U64, &iofair_a_node_capacity_range),
	[IOFAIR_A_NODE_LINK] = NLA_POLICY_MIN(NLA_U32, 1),
	[IOFAIR_A_NODE_POLICY] = NLA_POLICY_NESTED(iofair_policy_nl_policy),
};

/* IOFAIR_CMD_NODE_GET - do */
static const struct nla_policy iofair_node_get_nl_policy[IOFAIR_A_NODE_ID + 1] = {
	[IOFAIR_A_NODE_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* IOFAIR_CMD_STATS_GET - dump */
static const struct nla_policy iofair_stats_get_nl_policy[IOFAIR_A_STATS_KIND + 1] = {
	[IOFAIR_A_STATS_TARGET_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[IOFAIR_A_STATS_NODE_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[IOFAIR_A_STATS_KIND] = NLA_POLICY_MAX(NLA_U32, 2),
};

/* IOFAIR_CMD_STATS_RESET - do */
static const struct nla_policy iofair_stats_reset_nl_policy[IOFAIR_A_STATS_TARGET_ID + 1] = {
	[IOFAIR_A_STATS_TARGET_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* IOFAIR_CMD_HIST_GET - do */
static const struct nla_policy iofair_hist_get_nl_policy[IOFAIR_A_HISTS_KIND + 1] = {
	[IOFAIR_A_HISTS_TARGET_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[IOFAIR_A_HISTS_KIND] = NLA_POLICY_MAX(NLA_U32, 5),
};

/* IOFAIR_CMD_CONTROLLER_SET - do */
static const struct nla_policy iofair_controller_set_nl_policy[IOFAIR_A_CONTROLLER_CONFORMANCE_WINDOW_MS + 1] = {
	[IOFAIR_A_CONTROLLER_ENABLED] = NLA_POLICY_MAX(NLA_U8, 1),
	[IOFAIR_A_CONTROLLER_INTERVAL_MS] = NLA_POLICY_RANGE(NLA_U32, 10, 10000),
	[IOFAIR_A_CONTROLLER_HYSTERESIS] = NLA_POLICY_MAX(NLA_U32, 100),
	[IOFAIR_A_CONTROLLER_CONFORMANCE_MARGIN] = NLA_POLICY_MAX(NLA_U32, 1000),
	[IOFAIR_A_CONTROLLER_CONFORMANCE_WINDOW_MS] = NLA_POLICY_FULL_RANGE(NLA_U32, &iofair_a_controller_conformance_window_ms_range),
};

/* Ops table for iofair */
static const struct genl_split_ops iofair_nl_ops[] = {
	{
		.cmd	= IOFAIR_CMD_VERSION_GET,
		.doit	= iofair_nl_version_get_doit,
		.flags	= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= IOFAIR_CMD_TARGET_ADD,
		.doit		= iofair_nl_target_add_doit,
		.policy		= iofair_target_add_nl_policy,
		.maxattr	= IOFAIR_A_TARGET_HOST_SIDE,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= IOFAIR_CMD_TARGET_DEL,
		.doit		= iofair_nl_target_del_doit,
		.policy		= iofair_target_del_nl_policy,
		.maxattr	= IOFAIR_A_TARGET_ID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= IOFAIR_CMD_TARGET_SET,
		.doit		= iofair_nl_target_set_doit,
		.policy		= iofair_target_set_nl_policy,
		.maxattr	= IOFAIR_A_TARGET_HIST,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= IOFAIR_CMD_TARGET_GET,
		.doit		= iofair_nl_target_get_doit,
		.policy		= iofair_target_get_do_nl_policy,
		.maxattr	= IOFAIR_A_TARGET_ID,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= IOFAIR_CMD_TARGET_GET,
		.dumpit		= iofair_nl_target_get_dumpit,
		.policy		= iofair_target_get_dump_nl_policy,
		.maxattr	= IOFAIR_A_TARGET_NODE,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= IOFAIR_CMD_NODE_NEW,
		.doit		= iofair_nl_node_new_doit,
		.policy		= iofair_node_new_nl_policy,
		.maxattr	= IOFAIR_A_NODE_POLICY,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= IOFAIR_CMD_NODE_DEL,
		.doit		= iofair_nl_node_del_doit,
		.policy		= iofair_node_del_nl_policy,
		.maxattr	= IOFAIR_A_NODE_ID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= IOFAIR_CMD_NODE_SET,
		.doit		= iofair_nl_node_set_doit,
		.policy		= iofair_node_set_nl_policy,
		.maxattr	= IOFAIR_A_NODE_POLICY,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= IOFAIR_CMD_NODE_GET,
		.doit		= iofair_nl_node_get_doit,
		.policy		= iofair_node_get_nl_policy,
		.maxattr	= IOFAIR_A_NODE_ID,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= IOFAIR_CMD_NODE_GET,
		.dumpit	= iofair_nl_node_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= IOFAIR_CMD_STATS_GET,
		.dumpit		= iofair_nl_stats_get_dumpit,
		.done		= iofair_nl_stats_get_done,
		.policy		= iofair_stats_get_nl_policy,
		.maxattr	= IOFAIR_A_STATS_KIND,
		.flags		= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= IOFAIR_CMD_STATS_RESET,
		.doit		= iofair_nl_stats_reset_doit,
		.policy		= iofair_stats_reset_nl_policy,
		.maxattr	= IOFAIR_A_STATS_TARGET_ID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= IOFAIR_CMD_HIST_GET,
		.doit		= iofair_nl_hist_get_doit,
		.policy		= iofair_hist_get_nl_policy,
		.maxattr	= IOFAIR_A_HISTS_KIND,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= IOFAIR_CMD_CONTROLLER_GET,
		.doit	= iofair_nl_controller_get_doit,
		.flags	= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= IOFAIR_CMD_CONTROLLER_SET,
		.doit		= iofair_nl_controller_set_doit,
		.policy		= iofair_controller_set_nl_policy,
		.maxattr	= IOFAIR_A_CONTROLLER_CONFORMANCE_WINDOW_MS,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
};

static const struct genl_multicast_group iofair_nl_mcgrps[] = {
	[IOFAIR_NLGRP_EVENTS] = { "events", },
};

struct genl_family iofair_nl_family __ro_after_init = {
	.name		= IOFAIR_FAMILY_NAME,
	.version	= IOFAIR_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.split_ops	= iofair_nl_ops,
	.n_split_ops	= ARRAY_SIZE(iofair_nl_ops),
	.mcgrps		= iofair_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(iofair_nl_mcgrps),
};
