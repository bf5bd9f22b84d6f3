/* SPDX-License-Identifier: GPL-2.0 */
/* iofair: latency histograms (hist.c). */
#ifndef _IOFAIR_HIST_H
#define _IOFAIR_HIST_H

#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <uapi/linux/iofair.h>

struct iofair_target;
struct netlink_ext_ack;

#define IOFAIR_HIST_BUCKETS	64
#define IOFAIR_NHISTS		(IOFAIR_HIST_KIND_RTT_TCP_DATA + 1)

/* One latency histogram on one CPU: log2 buckets of ns (hist.c). */
struct iofair_hist {
	u64 bucket[IOFAIR_HIST_BUCKETS];
	u64 count;
	u64 sum_ns;
	struct u64_stats_sync syncp;
};

void iofair_hist_record(struct iofair_target *t, u32 kind, u64 ns);
int iofair_hist_set(struct iofair_target *t, u32 mask, struct netlink_ext_ack *extack);
void iofair_hist_reset(struct iofair_target *t);
void iofair_hist_free(struct iofair_target *t);

#endif /* _IOFAIR_HIST_H */
