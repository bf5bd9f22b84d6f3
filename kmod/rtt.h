/* SPDX-License-Identifier: GPL-2.0 */
/* iofair: RTT and sojourn histograms, fed by netfilter hooks of their own (rtt.c). */
#ifndef _IOFAIR_RTT_H
#define _IOFAIR_RTT_H

#include <linux/bits.h>
#include <linux/types.h>
#include <uapi/linux/iofair.h>
#include "hist.h"

struct iofair_target;
struct netlink_ext_ack;

#define IOFAIR_RTT_KINDS	(BIT(IOFAIR_HIST_KIND_SOJOURN) | BIT(IOFAIR_HIST_KIND_RTT_ICMP) | \
				 BIT(IOFAIR_HIST_KIND_RTT_TCP_SYN) | \
				 BIT(IOFAIR_HIST_KIND_RTT_TCP_DATA))
#define IOFAIR_RTT_NLOST	3	/* requests not sampled: set full, ambiguous, stale */
int iofair_rtt_update(struct iofair_target *t, u32 mask, struct netlink_ext_ack *extack);
void iofair_rtt_follow(struct iofair_target *t);
void iofair_rtt_detach(struct iofair_target *t);
void iofair_rtt_reset(struct iofair_target *t);
void iofair_rtt_lost(struct iofair_target *t, u32 kind, u64 lost[IOFAIR_RTT_NLOST]);

#endif /* _IOFAIR_RTT_H */
