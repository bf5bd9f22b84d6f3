// SPDX-License-Identifier: GPL-2.0
/*
 * Notifications on the "events" multicast group, sent into the namespace of
 * the object concerned.  Nothing is built while nobody listens.  Sending is
 * best effort: an event lost for lack of memory is counted by the netlink
 * socket's drop counter like any other.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/rwsem.h>
#include <net/genetlink.h>

#include "iofair.h"
#include "netlink.h"
#include "node.h"
#include "notify.h"
#include "pernet.h"
#include "target.h"
#include "iofair-nl-gen.h"

/*
 * Off from the moment the family is being unregistered.  A sender checks
 * it again under the semaphore and multicasts before letting go, so once
 * iofair_notify_enable(false) returns no event built earlier can reach a
 * group id the family no longer owns.
 */
static bool iofair_notify_on;
static DECLARE_RWSEM(iofair_notify_sem);

void iofair_notify_enable(bool on)
{
	down_write(&iofair_notify_sem);
	WRITE_ONCE(iofair_notify_on, on);
	up_write(&iofair_notify_sem);
}

/* An event message of @type at @time_ns, or NULL when nobody listens. */
struct sk_buff *iofair_event_new(struct iofair_net *inet, u32 type, u64 time_ns,
				 void **hdr)
{
	struct sk_buff *skb;

	if (!READ_ONCE(iofair_notify_on) ||
	    !genl_has_listeners(&iofair_nl_family, inet->net, IOFAIR_NLGRP_EVENTS))
		return NULL;
	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &iofair_nl_family, 0, IOFAIR_CMD_EVENT_NTF);
	if (!*hdr ||
	    nla_put_u32(skb, IOFAIR_A_EVENT_TYPE, type) ||
	    nla_put_u64_64bit(skb, IOFAIR_A_EVENT_TIME, time_ns, IOFAIR_A_EVENT_PAD)) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

void iofair_event_send(struct iofair_net *inet, struct sk_buff *skb, void *hdr)
{
	genlmsg_end(skb, hdr);
	down_read(&iofair_notify_sem);
	if (READ_ONCE(iofair_notify_on))
		genlmsg_multicast_netns(&iofair_nl_family, inet->net, skb, 0,
					IOFAIR_NLGRP_EVENTS, GFP_KERNEL);
	else
		nlmsg_free(skb);
	up_read(&iofair_notify_sem);
}

/* Which target an event is about: id, kind, netdev (the PF), VF index. */
int iofair_event_put_target(struct sk_buff *skb, const struct iofair_target *t)
{
	if (nla_put_u32(skb, IOFAIR_A_EVENT_TARGET_ID, t->id) ||
	    nla_put_u32(skb, IOFAIR_A_EVENT_KIND, t->kind) ||
	    (t->dev && nla_put_u32(skb, IOFAIR_A_EVENT_IFINDEX, t->dev->ifindex)) ||
	    (t->kind == IOFAIR_TARGET_KIND_VF && nla_put_u32(skb, IOFAIR_A_EVENT_VF, t->vf)))
		return -EMSGSIZE;
	return 0;
}

void iofair_notify_target(struct iofair_net *inet, u32 type,
			  const struct iofair_target *t, u32 reason)
{
	struct sk_buff *skb;
	void *hdr;

	skb = iofair_event_new(inet, type, iofair_now_ns(), &hdr);
	if (!skb)
		return;
	if (iofair_event_put_target(skb, t) ||
	    (t->node && nla_put_u32(skb, IOFAIR_A_EVENT_NODE_ID, t->node->id)) ||
	    (type == IOFAIR_EVENT_TYPE_TARGET_DEL &&
	     nla_put_u32(skb, IOFAIR_A_EVENT_REASON, reason)) ||
	    (type == IOFAIR_EVENT_TYPE_POLICY_CHANGE &&
	     iofair_nl_put_policy(skb, IOFAIR_A_EVENT_POLICY, &t->policy)))
		goto err_free;
	iofair_event_send(inet, skb, hdr);
	return;

err_free:
	nlmsg_free(skb);
}

void iofair_notify_node(struct iofair_net *inet, u32 type,
			const struct iofair_node *n, u32 reason)
{
	struct sk_buff *skb;
	void *hdr;

	skb = iofair_event_new(inet, type, iofair_now_ns(), &hdr);
	if (!skb)
		return;
	if (nla_put_u32(skb, IOFAIR_A_EVENT_NODE_ID, n->id) ||
	    (type == IOFAIR_EVENT_TYPE_NODE_DEL &&
	     nla_put_u32(skb, IOFAIR_A_EVENT_REASON, reason)) ||
	    (type == IOFAIR_EVENT_TYPE_POLICY_CHANGE && n->parent &&
	     iofair_nl_put_policy(skb, IOFAIR_A_EVENT_POLICY, &n->policy)))
		goto err_free;
	iofair_event_send(inet, skb, hdr);
	return;

err_free:
	nlmsg_free(skb);
}

void iofair_notify_alarm(struct iofair_net *inet, const struct iofair_target *t,
			 u64 achieved_bps, u64 limit_bps)
{
	struct sk_buff *skb;
	void *hdr;

	skb = iofair_event_new(inet, IOFAIR_EVENT_TYPE_CONFORMANCE_ALARM, iofair_now_ns(),
			       &hdr);
	if (!skb)
		return;
	if (iofair_event_put_target(skb, t) ||
	    nla_put_uint(skb, IOFAIR_A_EVENT_ACHIEVED, achieved_bps) ||
	    nla_put_uint(skb, IOFAIR_A_EVENT_ALLOCATED, limit_bps)) {
		nlmsg_free(skb);
		return;
	}
	iofair_event_send(inet, skb, hdr);
}
