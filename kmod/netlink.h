/* SPDX-License-Identifier: GPL-2.0 */
/* iofair: the generic netlink family and its reply formats (netlink.c). */
#ifndef _IOFAIR_NETLINK_H
#define _IOFAIR_NETLINK_H

#include <linux/types.h>

struct iofair_node;
struct iofair_policy;
struct iofair_target;
struct net;
struct sk_buff;

int iofair_netlink_init(void);
void iofair_netlink_exit(void);
int iofair_nl_fill_target(struct sk_buff *skb, const struct iofair_target *t,
			  const struct net *net);
int iofair_nl_fill_node(struct sk_buff *skb, const struct iofair_node *n);
int iofair_nl_put_policy(struct sk_buff *skb, int type,
			 const struct iofair_policy *p);

#endif /* _IOFAIR_NETLINK_H */
