/* SPDX-License-Identifier: GPL-2.0 */
/* iofair: the events multicast group (notify.c). */
#ifndef _IOFAIR_NOTIFY_H
#define _IOFAIR_NOTIFY_H

#include <linux/types.h>

struct iofair_net;
struct iofair_node;
struct iofair_target;
struct sk_buff;

void iofair_notify_enable(bool on);
struct sk_buff *iofair_event_new(struct iofair_net *inet, u32 type, u64 time_ns,
				 void **hdr);
void iofair_event_send(struct iofair_net *inet, struct sk_buff *skb, void *hdr);
int iofair_event_put_target(struct sk_buff *skb, const struct iofair_target *t);
void iofair_notify_alarm(struct iofair_net *inet, const struct iofair_target *t,
			 u64 achieved_bps, u64 limit_bps);
void iofair_notify_target(struct iofair_net *inet, u32 type,
			  const struct iofair_target *t, u32 reason);
void iofair_notify_node(struct iofair_net *inet, u32 type,
			const struct iofair_node *n, u32 reason);

#endif /* _IOFAIR_NOTIFY_H */
