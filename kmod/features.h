/* SPDX-License-Identifier: GPL-2.0 */
/* iofair: what the running kernel offers (features.c). */
#ifndef _IOFAIR_FEATURES_H
#define _IOFAIR_FEATURES_H

#include <linux/types.h>

struct sk_buff;

int iofair_features_init(void);
void iofair_features_exit(void);
u32 iofair_features_hooks(void);
u32 iofair_features_vhost_worker(void);
int iofair_features_fill_probes(struct sk_buff *skb);

#endif /* _IOFAIR_FEATURES_H */
