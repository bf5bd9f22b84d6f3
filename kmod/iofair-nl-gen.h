/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/iofair.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_IOFAIR_GEN_H
#define _LINUX_IOFAIR_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/iofair.h>

/* Common nested types */
extern const struct nla_policy iofair_policy_nl_policy[IOFAIR_A_POLICY_PAD + 1];

int iofair_nl_stats_get_done(struct netlink_callback *cb);

int iofair_nl_version_get_doit(struct sk_buff *skb, struct genl_info *info);
int iofair_nl_target_add_doit(struct sk_buff *skb, struct genl_info *info);
int iofair_nl_target_del_doit(struct sk_buff *skb, struct genl_info *info);
int iofair_nl_target_set_doit(struct sk_buff *skb, struct genl_info *info);
int iofair_nl_target_get_doit(struct sk_buff *skb, struct genl_info *info);
int iofair_nl_target_get_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb);
int iofair_nl_node_new_doit(struct sk_buff *skb, struct genl_info *info);
int iofair_nl_node_del_doit(struct sk_buff *skb, struct genl_info *info);
int iofair_nl_node_set_doit(struct sk_buff *skb, struct genl_info *info);
int iofair_nl_node_get_doit(struct sk_buff *skb, struct genl_info *info);
int iofair_nl_node_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int iofair_nl_stats_get_dumpit(struct sk_buff *skb,
			       struct netlink_callback *cb);
int iofair_nl_stats_reset_doit(struct sk_buff *skb, struct genl_info *info);
int iofair_nl_hist_get_doit(struct sk_buff *skb, struct genl_info *info);
int iofair_nl_controller_get_doit(struct sk_buff *skb, struct genl_info *info);
int iofair_nl_controller_set_doit(struct sk_buff *skb, struct genl_info *info);

enum {
	IOFAIR_NLGRP_EVENTS,
};

extern struct genl_family iofair_nl_family;

#endif /* _LINUX_IOFAIR_GEN_H */
