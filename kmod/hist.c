// SPDX-License-Identifier: GPL-2.0
/*
 * Latency histograms: per target and kind, log2 buckets of nanoseconds, one
 * set per CPU, merged on read.
 *
 *	bucket(ns) = fls64(ns)		(0 for 0 ns; bucket b holds [2^(b-1), 2^b))
 *
 * 64 buckets cover every u64 (2^63 ns is 292 years).  Recording is a
 * per-CPU increment, no lock.  A histogram exists only while its kind is on
 * (the target's "hist" flags); turning it off unpublishes it, waits for the
 * recorders (RCU) and frees it, and whatever hook fed it goes with it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitops.h>
#include <linux/percpu.h>
#include <net/genetlink.h>

#include "hist.h"
#include "pernet.h"
#include "rtt.h"
#include "target.h"
#include "iofair-nl-gen.h"

void iofair_hist_record(struct iofair_target *t, u32 kind, u64 ns)
{
	struct iofair_hist __percpu *hp;
	struct iofair_hist *h;

	rcu_read_lock();
	hp = READ_ONCE(t->hist[kind]);
	if (hp) {
		h = this_cpu_ptr(hp);
		u64_stats_update_begin(&h->syncp);
		h->bucket[min_t(unsigned int, fls64(ns), IOFAIR_HIST_BUCKETS - 1)]++;
		h->count++;
		h->sum_ns += ns;
		u64_stats_update_end(&h->syncp);
	}
	rcu_read_unlock();
}

/* Merge the CPUs' histograms of @kind into @out, less the reset base. */
static void iofair_hist_read(const struct iofair_target *t, u32 kind,
			     struct iofair_hist *out)
{
	struct iofair_hist __percpu *hp = t->hist[kind];
	int cpu, b;

	memset(out, 0, sizeof(*out));
	if (!hp)
		return;
	for_each_possible_cpu(cpu) {
		const struct iofair_hist *h = per_cpu_ptr(hp, cpu);
		struct iofair_hist tmp;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&h->syncp);
			memcpy(tmp.bucket, h->bucket, sizeof(tmp.bucket));
			tmp.count = h->count;
			tmp.sum_ns = h->sum_ns;
		} while (u64_stats_fetch_retry(&h->syncp, start));
		for (b = 0; b < IOFAIR_HIST_BUCKETS; b++)
			out->bucket[b] += tmp.bucket[b];
		out->count += tmp.count;
		out->sum_ns += tmp.sum_ns;
	}
}

/*
 * Zero one target's histograms: the per-CPU sets are cleared in place, and
 * the RTT requests waiting for their answers are forgotten.
 */
void iofair_hist_reset(struct iofair_target *t)
{
	struct iofair_hist __percpu *hp;
	int kind, cpu;

	lockdep_assert_held(&t->inet->lock);
	iofair_rtt_reset(t);
	for (kind = 0; kind < IOFAIR_NHISTS; kind++) {
		hp = t->hist[kind];
		if (!hp)
			continue;
		for_each_possible_cpu(cpu) {
			struct iofair_hist *h = per_cpu_ptr(hp, cpu);

			/* A racing record may survive the reset: a count of one. */
			u64_stats_update_begin(&h->syncp);
			memset(h->bucket, 0, sizeof(h->bucket));
			h->count = 0;
			h->sum_ns = 0;
			u64_stats_update_end(&h->syncp);
		}
	}
}

/*
 * Make the target keep exactly the kinds in @mask.  The hooks that feed a
 * kind come and go with it: those of rtt.c first (the only step that can
 * fail without a change), then the histograms.
 */
int iofair_hist_set(struct iofair_target *t, u32 mask, struct netlink_ext_ack *extack)
{
	struct iofair_hist __percpu *old[IOFAIR_NHISTS] = {};
	struct iofair_hist __percpu *hp;
	bool freed = false;
	int kind, err;

	lockdep_assert_held(&t->inet->lock);
	err = iofair_rtt_update(t, mask, extack);
	if (err)
		return err;
	for (kind = 0; kind < IOFAIR_NHISTS; kind++) {
		hp = t->hist[kind];
		if ((mask & BIT(kind)) && !hp) {
			hp = alloc_percpu_gfp(struct iofair_hist, GFP_KERNEL_ACCOUNT);
			if (!hp) {
				/* Those made so far stay: the mask says which. */
				NL_SET_ERR_MSG_MOD(extack, "no memory for the histograms");
				err = -ENOMEM;
				break;
			}
			/*
			 * Publish the zeroed sets: pairs with the READ_ONCE()
			 * (address dependency) in iofair_hist_record().
			 */
			smp_store_release(&t->hist[kind], hp);
		} else if (!(mask & BIT(kind)) && hp) {
			WRITE_ONCE(t->hist[kind], NULL);
			old[kind] = hp;
			freed = true;
		}
		/* Read by the rtt.c hooks without the lock. */
		if (t->hist[kind])
			WRITE_ONCE(t->hist_mask, t->hist_mask | BIT(kind));
		else
			WRITE_ONCE(t->hist_mask, t->hist_mask & ~BIT(kind));
	}
	if (err)
		iofair_rtt_update(t, t->hist_mask, NULL);	/* can only take hooks off */
	if (freed) {
		synchronize_rcu();
		for (kind = 0; kind < IOFAIR_NHISTS; kind++)
			free_percpu(old[kind]);
	}
	return err;
}

/* The target is going: its histograms go after the hooks' grace period. */
void iofair_hist_free(struct iofair_target *t)
{
	int kind;

	for (kind = 0; kind < IOFAIR_NHISTS; kind++)
		free_percpu(t->hist[kind]);
}

static int iofair_hist_put(struct sk_buff *skb, struct iofair_target *t, u32 kind,
			   const struct iofair_hist *h)
{
	u64 lost[IOFAIR_RTT_NLOST];
	struct nlattr *nest, *b;
	int i;

	nest = nla_nest_start(skb, IOFAIR_A_HISTS_HIST);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, IOFAIR_A_HIST_KIND, kind) ||
	    nla_put_uint(skb, IOFAIR_A_HIST_COUNT, h->count) ||
	    nla_put_uint(skb, IOFAIR_A_HIST_SUM_NS, h->sum_ns))
		goto err_cancel;
	if ((IOFAIR_RTT_KINDS & ~BIT(IOFAIR_HIST_KIND_SOJOURN)) & BIT(kind)) {
		iofair_rtt_lost(t, kind, lost);
		if (nla_put_uint(skb, IOFAIR_A_HIST_LOST_FULL, lost[0]) ||
		    nla_put_uint(skb, IOFAIR_A_HIST_LOST_AMBIGUOUS, lost[1]) ||
		    nla_put_uint(skb, IOFAIR_A_HIST_LOST_UNANSWERED, lost[2]))
			goto err_cancel;
	}
	for (i = 0; i < IOFAIR_HIST_BUCKETS; i++) {
		if (!h->bucket[i])
			continue;
		b = nla_nest_start(skb, IOFAIR_A_HIST_BUCKET);
		if (!b ||
		    nla_put_uint(skb, IOFAIR_A_HIST_BUCKET_UPPER_NS, BIT_ULL(i)) ||
		    nla_put_uint(skb, IOFAIR_A_HIST_BUCKET_COUNT, h->bucket[i]))
			goto err_cancel;
		nla_nest_end(skb, b);
	}
	nla_nest_end(skb, nest);
	return 0;

err_cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

int iofair_nl_hist_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct iofair_net *inet = iofair_net(genl_info_net(info));
	struct nlattr **tb = info->attrs;
	struct iofair_target *t;
	struct iofair_hist *h;
	struct sk_buff *msg;
	int kind, err;
	void *hdr;

	if (GENL_REQ_ATTR_CHECK(info, IOFAIR_A_HISTS_TARGET_ID))
		return -EINVAL;
	h = kmalloc(sizeof(*h), GFP_KERNEL_ACCOUNT);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!h || !msg) {
		err = -ENOMEM;
		goto err_free;
	}
	hdr = genlmsg_put_reply(msg, info, &iofair_nl_family, 0, IOFAIR_CMD_HIST_GET);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_free;
	}

	mutex_lock(&inet->lock);
	t = iofair_target_find(inet, nla_get_u32(tb[IOFAIR_A_HISTS_TARGET_ID]));
	if (!t) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[IOFAIR_A_HISTS_TARGET_ID], "no such target");
		err = -ENOENT;
		goto err_unlock;
	}
	if (tb[IOFAIR_A_HISTS_KIND] &&
	    !(t->hist_mask & BIT(nla_get_u32(tb[IOFAIR_A_HISTS_KIND])))) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[IOFAIR_A_HISTS_KIND],
				    "the target does not keep this histogram (see its hist setting)");
		err = -ENOENT;
		goto err_unlock;
	}
	err = -EMSGSIZE;
	if (nla_put_u32(msg, IOFAIR_A_HISTS_TARGET_ID, t->id))
		goto err_unlock;
	for (kind = 0; kind < IOFAIR_NHISTS; kind++) {
		if (!(t->hist_mask & BIT(kind)) ||
		    (tb[IOFAIR_A_HISTS_KIND] && nla_get_u32(tb[IOFAIR_A_HISTS_KIND]) != kind))
			continue;
		iofair_hist_read(t, kind, h);
		if (iofair_hist_put(msg, t, kind, h))
			goto err_unlock;
	}
	mutex_unlock(&inet->lock);
	kfree(h);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_unlock:
	mutex_unlock(&inet->lock);
err_free:
	nlmsg_free(msg);
	kfree(h);
	return err;
}
