/* SPDX-License-Identifier: GPL-2.0 */
/* iofair: per-packet hooks on a target's netdev (hook.c). */
#ifndef _IOFAIR_HOOK_H
#define _IOFAIR_HOOK_H

#include <linux/netfilter.h>

struct iofair_target;
struct net_device;
struct netlink_ext_ack;

int iofair_hook_attach(struct iofair_target *t, struct net_device *dev,
		       struct netlink_ext_ack *extack);
void iofair_hook_detach(struct iofair_target *t);
int iofair_nf_hooks_register(struct nf_hook_ops ops[2]);
void iofair_nf_hooks_unregister(struct nf_hook_ops ops[2]);
int iofair_hook_check(const struct iofair_target *t, const struct net_device *dev,
		      struct netlink_ext_ack *extack);
void iofair_hook_limits(struct iofair_target *t);

#endif /* _IOFAIR_HOOK_H */
