/* SPDX-License-Identifier: GPL-2.0 */
/* iofair: the software limiter (shaper.c). */
#ifndef _IOFAIR_SHAPER_H
#define _IOFAIR_SHAPER_H

#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include "stats.h"

struct iofair_target;

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

u32 iofair_wire_len(const struct sk_buff *skb, u32 mac_len, u32 *frames);
unsigned int iofair_shape(struct iofair_shaper *s, struct sk_buff *skb, u32 mac_len);
void iofair_shaper_init(struct iofair_shaper *s, struct iofair_target *t,
			enum iofair_dir dir, bool ingress);
void iofair_shaper_set(struct iofair_shaper *s, u64 rate_bps, u32 burst_bytes);
void iofair_shaper_purge(struct iofair_shaper *s);

#endif /* _IOFAIR_SHAPER_H */
