/* SPDX-License-Identifier: GPL-2.0 */
/* iofair: interfaces between the module's files. */
#ifndef _IOFAIR_H
#define _IOFAIR_H

#include <linux/types.h>

#define IOFAIR_VERSION "0.1.0"

struct sk_buff;

/* features.c: what the running kernel offers. */
int iofair_features_init(void);
u32 iofair_features_hooks(void);
u32 iofair_features_vhost_worker(void);
int iofair_features_fill_probes(struct sk_buff *skb);

/* netlink.c */
int iofair_netlink_init(void);
void iofair_netlink_exit(void);

#endif /* _IOFAIR_H */
