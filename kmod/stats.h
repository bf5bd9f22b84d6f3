/* SPDX-License-Identifier: GPL-2.0 */
/* iofair: per-target packet counters (written by hook.c, read by target.c and stats.c). */
#ifndef _IOFAIR_STATS_H
#define _IOFAIR_STATS_H

#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <uapi/linux/iofair.h>

/* Directions, from the tenant's point of view. */
enum iofair_dir {
	IOFAIR_TX,
	IOFAIR_RX,
	IOFAIR_NDIRS,
};

#define IOFAIR_NDROPS (IOFAIR_DROP_REASON_NOMEM + 1)

struct iofair_dir_stats {
	u64 packets;
	u64 bytes;		/* L2 bytes */
	u64 delayed;
	u64 drops[IOFAIR_NDROPS];
};

/* Written by the packet hooks, one per CPU, summed on read. */
struct iofair_pcpu_stats {
	struct iofair_dir_stats dir[IOFAIR_NDIRS];
	struct u64_stats_sync syncp;
};

#endif /* _IOFAIR_STATS_H */
