// SPDX-License-Identifier: GPL-2.0
/*
 * The software limiter: a shaper per target and direction that holds
 * packets and releases them on time, so TCP keeps its rate where a policer
 * would make it collapse (a dropped segment halves the window; a held one
 * only delays the ACK clock).
 *
 * It is GCRA, the virtual-time form of a token bucket.  For a packet of
 * len L2 bytes at rate R bit/s:
 *
 *	cost_ns = len * 8 * NSEC_PER_SEC / R
 *	tat     = max(TAT, now)			theoretical arrival time
 *	send at   tat - burst_ns		(now, if that is in the past)
 *	TAT     = tat + cost_ns
 *
 * burst_ns = burst * 8 * NSEC_PER_SEC / R is the bucket depth in time: a
 * sender idle for a while may send burst bytes at once, no more.  Over any
 * interval T the shaper lets through at most R * T / 8 + burst bytes, and
 * exactly that while backlogged, so a 10 s average is the rate to within
 * burst / (R * 10 s / 8) (0.1 % for a 10 ms burst).
 *
 * Hot path: a packet that may go now costs one atomic64 cmpxchg on TAT, no
 * lock.  A packet that must wait takes the shaper's queue lock, is stamped
 * with its send time (in skb->cb, past what the qdisc and tc layers use)
 * and queued; a soft hrtimer releases due packets in order, armed with the
 * burst as its slack so that one expiry releases a burst's worth, and at
 * most IOFAIR_SHAPER_BATCH packets per run.  While packets
 * wait, later ones queue behind them (never overtake).  The wait is bounded
 * by max_delay_ns (100 ms, at least 64 full frames, plus the burst; and
 * IOFAIR_SHAPER_QLEN packets): beyond it a packet is dropped and counted
 * (queue-full), without taking a slot.  A new rate (the controller's,
 * every interval) re-spaces the packets waiting: they leave at the new rate
 * from then on, not at the old one until the queue has drained.
 *
 * Release re-enters the stack where the packet was taken: dev_queue_xmit()
 * at egress, netif_receive_skb_core() at ingress, on the timer's CPU in
 * softirq context.  The hook recognises the packet it is releasing by a
 * per-CPU pointer to the shaper, set around that synchronous call, and lets
 * it through.  Known effect: packet sockets (tcpdump) on the device see a
 * held ingress packet twice, when it arrives and when it is released.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/math64.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/sch_generic.h>

#include "shaper.h"
#include "stats.h"
#include "target.h"

#define IOFAIR_SHAPER_QLEN		4096
#define IOFAIR_SHAPER_MAX_DELAY_NS	(100 * NSEC_PER_MSEC)
#define IOFAIR_SHAPER_MIN_QUEUE		(64 * 1514)		/* bytes */
#define IOFAIR_SHAPER_BURST_NS		(10 * NSEC_PER_MSEC)	/* default burst */
#define IOFAIR_SHAPER_MIN_BURST		(2 * 1514)		/* bytes */
#define IOFAIR_SHAPER_BATCH		64	/* packets released per timer run */

/* The shaper whose packet this CPU is putting back into the stack. */
static DEFINE_PER_CPU(struct iofair_shaper *, iofair_releasing);

/* The send time of a held packet: the last 8 bytes of skb->cb. */
static u64 *iofair_skb_send_ns(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct qdisc_skb_cb) + 16 > sizeof(skb->cb));
	return (u64 *)&skb->cb[sizeof(skb->cb) - sizeof(u64)];
}

/*
 * Bytes on the wire (L2) and frames of a packet, GSO/GRO included: one set
 * of headers per segment.  A GSO packet a guest built (SKB_GSO_DODGY: from
 * its virtio-net header, at a tap's ingress) is not trusted: its gso_segs
 * is 0 until the stack checks it, so its segments are counted from the
 * payload, and its TCP header, which may not be in the linear part, is
 * read with skb_header_pointer().  The same estimate as a qdisc's packet
 * length (qdisc_pkt_len_init()).
 */
u32 iofair_wire_len(const struct sk_buff *skb, u32 mac_len, u32 *frames)
{
	const struct skb_shared_info *si = skb_shinfo(skb);
	u32 len = skb->len + mac_len, hdr, segs;
	int off;

	*frames = 1;
	if (!si->gso_size || !skb_transport_header_was_set(skb))
		return len;
	off = skb_transport_offset(skb);
	hdr = mac_len + off;
	if (si->gso_type & (SKB_GSO_TCPV4 | SKB_GSO_TCPV6)) {
		const struct tcphdr *th;
		struct tcphdr buf;

		th = skb_header_pointer(skb, off, sizeof(buf), &buf);
		if (th)
			hdr += __tcp_hdrlen(th);
	} else if (si->gso_type & SKB_GSO_UDP_L4) {
		hdr += sizeof(struct udphdr);
	}
	segs = si->gso_segs;
	if (si->gso_type & SKB_GSO_DODGY)
		segs = len > hdr ? DIV_ROUND_UP(len - hdr, si->gso_size) : 1;
	if (segs < 2)
		return len;
	*frames = segs;
	return len + (segs - 1) * hdr;
}

static u64 iofair_bytes_ns(u64 bytes, u64 rate_bps)
{
	return div64_u64(bytes * 8 * NSEC_PER_SEC, rate_bps);
}

static void iofair_shaper_count(struct iofair_shaper *s, u32 frames, u32 len,
				bool delayed)
{
	struct iofair_pcpu_stats *st = this_cpu_ptr(s->target->pcpu);

	u64_stats_update_begin(&st->syncp);
	st->dir[s->dir].packets += frames;
	st->dir[s->dir].bytes += len;
	if (delayed)
		st->dir[s->dir].delayed += frames;
	u64_stats_update_end(&st->syncp);
}

static void iofair_shaper_drop(struct iofair_shaper *s, u32 frames, int reason)
{
	struct iofair_pcpu_stats *st = this_cpu_ptr(s->target->pcpu);

	u64_stats_update_begin(&st->syncp);
	st->dir[s->dir].drops[reason] += frames;
	u64_stats_update_end(&st->syncp);
}

/*
 * Arm the release timer for @send_ns, with up to @slack_ns of slack: the
 * packets that fall due meanwhile leave in the same run.  Releasing late
 * never lets more through than the rate and burst allow (nothing leaves
 * before its send time), and a backlog at R bit/s then costs one timer
 * expiry per burst rather than one per packet.  Under the queue lock.
 */
static void iofair_shaper_arm(struct iofair_shaper *s, u64 send_ns, u64 slack_ns)
{
	lockdep_assert_held(&s->lock);
	hrtimer_start_range_ns(&s->timer, ns_to_ktime(send_ns), slack_ns,
			       HRTIMER_MODE_ABS_PINNED_SOFT);
}

/*
 * The hook's verdict on @skb: NF_ACCEPT (counted, goes on now), NF_STOLEN
 * (held), NF_DROP (counted; netfilter frees it with its drop reason, and
 * at egress dev_queue_xmit() returns NET_XMIT_DROP, so a local sender sees
 * the drop: TCP enters CWR and keeps the segment to send again, UDP counts
 * an IP OutDiscard).
 */
unsigned int iofair_shape(struct iofair_shaper *s, struct sk_buff *skb, u32 mac_len)
{
	u64 rate, now, tat, old, cost, send;
	u32 frames, len;

	len = iofair_wire_len(skb, mac_len, &frames);
	if (unlikely(this_cpu_read(iofair_releasing) == s)) {
		this_cpu_write(iofair_releasing, NULL);
		iofair_shaper_count(s, frames, len, true);
		return NF_ACCEPT;
	}

	rate = READ_ONCE(s->rate_bps);
	if (!rate && !skb_queue_len_lockless(&s->queue)) {
		iofair_shaper_count(s, frames, len, false);
		return NF_ACCEPT;
	}
	now = ktime_get_ns();

	/* Nothing waiting: take a slot without the lock if one is due now. */
	if (rate && !skb_queue_len_lockless(&s->queue)) {
		cost = iofair_bytes_ns(len, rate);
		old = atomic64_read(&s->tat_ns);
		do {
			tat = max(old, now);
			if (tat - now > READ_ONCE(s->burst_ns))
				goto hold;
		} while (!atomic64_try_cmpxchg(&s->tat_ns, &old, tat + cost));
		iofair_shaper_count(s, frames, len, false);
		return NF_ACCEPT;
	}

hold:
	/*
	 * Rate, burst and bound are set under the queue lock; TAT is also
	 * moved by the lockless slot above on another CPU (it saw the queue
	 * empty just before this packet queued), so it is charged by cmpxchg
	 * here too, never overwritten.
	 */
	spin_lock(&s->lock);
	rate = s->rate_bps;
	cost = rate ? iofair_bytes_ns(len, rate) : 0;
	old = atomic64_read(&s->tat_ns);
	do {
		if (rate) {
			tat = max(old, now);
			send = tat > now + s->burst_ns ? tat - s->burst_ns : now;
		} else {
			tat = now;
			send = now;	/* limit lifted: behind those still waiting */
		}
		if (send - now > s->max_delay_ns ||
		    skb_queue_len(&s->queue) >= IOFAIR_SHAPER_QLEN) {
			spin_unlock(&s->lock);
			iofair_shaper_drop(s, frames, IOFAIR_DROP_REASON_QUEUE_FULL);
			return NF_DROP;
		}
	} while (!atomic64_try_cmpxchg(&s->tat_ns, &old, tat + cost));
	*iofair_skb_send_ns(skb) = send;
	__skb_queue_tail(&s->queue, skb);
	if (skb_queue_len(&s->queue) == 1)
		iofair_shaper_arm(s, send, s->burst_ns);
	spin_unlock(&s->lock);
	return NF_STOLEN;
}

/* Put a due packet back into the stack where it was taken. */
static void iofair_shaper_release(struct iofair_shaper *s, struct sk_buff *skb)
{
	this_cpu_write(iofair_releasing, s);
	if (s->ingress)
		netif_receive_skb_core(skb);
	else
		dev_queue_xmit(skb);
	/* Dropped before our hook saw it (by tc, or a full device queue). */
	this_cpu_write(iofair_releasing, NULL);
}

/*
 * Release what was due when the timer ran, at most IOFAIR_SHAPER_BATCH
 * packets (each goes through the whole stack in this softirq), then re-arm:
 * for the next packet, or at once for what the budget left.  The timer is
 * only ever started under the queue lock: here, by the hook when the queue
 * goes from empty to one, or by a new rate.
 */
static enum hrtimer_restart iofair_shaper_timer(struct hrtimer *timer)
{
	struct iofair_shaper *s = container_of(timer, struct iofair_shaper, timer);
	unsigned int budget = IOFAIR_SHAPER_BATCH;
	u64 now = ktime_get_ns(), send;
	struct sk_buff *skb;

	for (;;) {
		spin_lock(&s->lock);
		skb = skb_peek(&s->queue);
		if (!skb)
			break;
		send = *iofair_skb_send_ns(skb);
		if (send > now) {
			iofair_shaper_arm(s, send, s->burst_ns);
			break;
		}
		if (!budget) {
			iofair_shaper_arm(s, now, 0);
			break;
		}
		__skb_unlink(skb, &s->queue);
		spin_unlock(&s->lock);
		iofair_shaper_release(s, skb);
		budget--;
	}
	spin_unlock(&s->lock);
	return HRTIMER_NORESTART;
}

void iofair_shaper_init(struct iofair_shaper *s, struct iofair_target *t,
			enum iofair_dir dir, bool ingress)
{
	s->target = t;
	s->dir = dir;
	s->ingress = ingress;
	s->rate_bps = 0;
	s->max_delay_ns = IOFAIR_SHAPER_MAX_DELAY_NS;
	atomic64_set(&s->tat_ns, 0);
	spin_lock_init(&s->lock);
	__skb_queue_head_init(&s->queue);
	hrtimer_init(&s->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_PINNED_SOFT);
	s->timer.function = iofair_shaper_timer;
}

/*
 * Time @t (ns) of the old schedule on the new one: its distance from @now
 * times @old / @new (0 for a lifted limit: due now).  In range: a higher
 * rate shortens the distance, and under a lower one @t is at most dmax
 * past @now (iofair_shaper_rescale()), which maps within max_delay_ns.
 */
static u64 iofair_shaper_respace(u64 t, u64 now, u64 old, u64 new)
{
	if (t <= now || !new)
		return now;
	return now + mul_u64_u64_div_u64(t - now, old, new);
}

/*
 * The packets waiting were given send times at the old rate: spread what
 * remains of that schedule, TAT included, over the new rate, so that a new
 * limit holds from now on rather than once the queue (up to 100 ms of it)
 * has drained at the old one.  Those a lower rate would hold past
 * max_delay_ns are dropped (queue-full), from the tail, as the hook would
 * have.  Under the queue lock, which keeps the hook and the timer out,
 * with the new rate set; returns how many were dropped.  The hook's
 * lockless slot is taken by cmpxchg on TAT, so TAT is moved by one too.
 */
static u32 iofair_shaper_rescale(struct iofair_shaper *s, u64 old, u64 new)
{
	struct sk_buff *skb, *tmp;
	u64 now, dmax, send, tat, last;
	u32 dropped = 0;

	lockdep_assert_held(&s->lock);
	now = ktime_get_ns();
	/*
	 * The farthest send time that fits in the new queue's delay: only a
	 * lower rate can push one past it (and new / old < 1 keeps the
	 * quotient below max_delay_ns: divq faults on one past 64 bits).
	 */
	dmax = new && new < old ? mul_u64_u64_div_u64(s->max_delay_ns, new, old) : U64_MAX;
	last = now;
	skb_queue_walk_safe(&s->queue, skb, tmp) {
		send = *iofair_skb_send_ns(skb);
		if (send > now && send - now > dmax) {
			__skb_unlink(skb, &s->queue);
			kfree_skb(skb);
			dropped++;
			continue;
		}
		last = iofair_shaper_respace(send, now, old, new);
		*iofair_skb_send_ns(skb) = last;
	}
	tat = atomic64_read(&s->tat_ns);
	do {
		send = dropped ? last + s->burst_ns :
		       tat > now && tat - now > dmax ? now + s->max_delay_ns :
		       iofair_shaper_respace(tat, now, old, new);
	} while (!atomic64_try_cmpxchg(&s->tat_ns, &tat, send));
	skb = skb_peek(&s->queue);
	if (skb)
		iofair_shaper_arm(s, *iofair_skb_send_ns(skb), s->burst_ns);
	return dropped;
}

/*
 * New rate and burst (bytes; 0 = the default: 10 ms at the rate, at least
 * two full frames).  Takes effect with the next packet, and for the packets
 * already waiting (iofair_shaper_rescale()).  Called under inet->lock.
 */
void iofair_shaper_set(struct iofair_shaper *s, u64 rate_bps, u32 burst_bytes)
{
	u64 old, burst = burst_bytes, burst_ns, max_delay_ns;
	u32 dropped = 0;

	if (rate_bps && !burst)
		burst = max_t(u64, div_u64(rate_bps / 8 * IOFAIR_SHAPER_BURST_NS, NSEC_PER_SEC),
			      IOFAIR_SHAPER_MIN_BURST);
	burst_ns = rate_bps ? iofair_bytes_ns(burst, rate_bps) : 0;
	/*
	 * The hold queue: 100 ms, and at least 64 full frames at low rates,
	 * where a TCP sender that does not see our queue (the guest's, behind
	 * a tap) needs room for a window before a drop tells it to slow down.
	 */
	max_delay_ns = burst_ns +
		max_t(u64, IOFAIR_SHAPER_MAX_DELAY_NS,
		      rate_bps ? iofair_bytes_ns(IOFAIR_SHAPER_MIN_QUEUE, rate_bps) : 0);
	/* The hold path reads all three under the lock, the fast path two without. */
	spin_lock_bh(&s->lock);
	old = s->rate_bps;
	WRITE_ONCE(s->burst_ns, burst_ns);
	WRITE_ONCE(s->max_delay_ns, max_delay_ns);
	WRITE_ONCE(s->rate_bps, rate_bps);
	if (old && old != rate_bps)
		dropped = iofair_shaper_rescale(s, old, rate_bps);
	spin_unlock_bh(&s->lock);
	if (dropped) {
		local_bh_disable();
		iofair_shaper_drop(s, dropped, IOFAIR_DROP_REASON_QUEUE_FULL);
		local_bh_enable();
	}
}

/*
 * The hooks are off and no packet can arrive: stop the timer and drop what
 * still waits (counted as detach).
 */
void iofair_shaper_purge(struct iofair_shaper *s)
{
	struct sk_buff *skb;
	u32 n = 0;

	hrtimer_cancel(&s->timer);
	spin_lock_bh(&s->lock);
	while ((skb = __skb_dequeue(&s->queue))) {
		kfree_skb(skb);
		n++;
	}
	spin_unlock_bh(&s->lock);
	if (n) {
		local_bh_disable();
		iofair_shaper_drop(s, n, IOFAIR_DROP_REASON_DETACH);
		local_bh_enable();
	}
}
