/* SPDX-License-Identifier: GPL-2.0 */
/* iofair: vhost worker probes (vhost.c). */
#ifndef _IOFAIR_VHOST_H
#define _IOFAIR_VHOST_H

#include <linux/types.h>

struct iofair_target;
struct netlink_ext_ack;
struct sk_buff;

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

#endif /* _IOFAIR_VHOST_H */
