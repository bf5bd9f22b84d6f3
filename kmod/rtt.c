// SPDX-License-Identifier: GPL-2.0
/*
 * Round-trip times and host sojourn seen at a target's netdev, with no help
 * from either end of the connection.
 *
 * RTT.  A request is seen passing one of the target's two hook points and its
 * answer the other one; the sample is the time between the two, in ns:
 *
 *	rtt-icmp	echo request (addresses, id, seq) -> the echo reply with
 *			the same id and seq, addresses swapped (ICMP, ICMPv6)
 *	rtt-tcp-syn	SYN with sequence number isn -> the SYN-ACK of the same
 *			connection with ack == isn + 1
 *	rtt-tcp-data	a segment carrying data up to sequence number end -> the
 *			first segment of the other direction whose ack is at or
 *			after end (it covers the data)
 *
 * Both directions count, into the kind's one histogram: a request the tenant
 * sends (out through the target, answer back in: the path beyond the
 * target's netdev plus the peer's answering time) and a request the tenant
 * receives (in, answer out: the tenant's answering time -- for a vhost
 * target the whole virtio path, vhost worker and guest, both ways).  For a
 * dev target "out" is the netdev's egress, for a vhost target (the tap, the
 * host's side of the guest's NIC) its ingress; the rule is only that the
 * answer is seen at the other hook point than the request, so it holds for
 * any target kind.  A tenant that is client and server at once mixes the two
 * in one histogram.
 *
 * Outstanding requests wait in a per-target table of IOFAIR_RTT_SLOTS probes,
 * IOFAIR_RTT_WAYS-way set associative, hashed (jhash, random seed) on the
 * flow: addresses, ports or echo id, echo seq, kind.  One TCP data probe per
 * flow and direction at a time, as TCP itself samples without timestamps:
 * while one waits for its ACK, later segments of the flow are not probed; a
 * segment that starts before the probe's end is a retransmission (or
 * reordering) and discards the probe (Karn: the ACK would be ambiguous), as
 * does a repeated SYN.  A probe unanswered for IOFAIR_RTT_MAX_NS is stale:
 * its slot is taken by the next request.  A request that finds its set full
 * of live probes is not sampled.  Each of these is counted (lost[]).  The
 * table is under a per-target raw spinlock held for a few compares and one
 * probe's copy; nothing is allocated per packet.
 *
 * Only IPv4 without fragments and IPv6 without extension headers are parsed,
 * at the L3 offset the stack recorded (skb->protocol; no VLAN tag parsing).
 * A delayed ACK delays the data sample: rtt-tcp-data includes the peer's
 * ACK delay (up to 40 ms on Linux), as every passive RTT does.
 *
 * Sojourn.  The time a packet spends in this host between the ingress hook
 * of a target (any target with sojourn on, in any namespace) and the egress
 * hook of a target with sojourn on (the one it leaves through, or the same
 * one), recorded in the histogram of the target it leaves through: bridging,
 * routing, netfilter, up to the qdisc of the way out.  The stamp cannot
 * travel with the packet: skb->tstamp is cleared on forwarding and when
 * crossing namespaces (and is the departure time for EDT qdiscs), and a
 * module cannot add skb extensions.  So the ingress hook writes (skb
 * address, a fingerprint of the IP header, time) into a per-CPU table of
 * IOFAIR_SOJOURN_SLOTS stamps indexed by a hash of the skb's address; the
 * egress hook looks up its skb there, and a match of address and
 * fingerprint (addresses, IPv4 id and length or IPv6 flow label and length,
 * protocol: what forwarding leaves alone) is the same packet.  Limits: a
 * packet that leaves on another CPU than it came in on (RPS, a queue served
 * elsewhere, a packet released by the egress limiter's timer) is not
 * sampled, nor one whose slot was taken by a later arrival on that CPU first
 * -- so long sojourns behind many other packets are undersampled --, nor
 * one NAT rewrote, nor anything but IPv4/IPv6; a stamp older than
 * IOFAIR_RTT_MAX_NS is ignored.  Two packets alike to the fingerprint, one
 * coming in and, in the skb it freed, one going out (two hosts' MLD reports
 * from ::), count as one packet's sojourn.  The table is allocated while
 * some target has sojourn on.
 *
 * Hooks.  All of this runs in netfilter netdev hooks of its own, registered
 * on the target's netdev (a vf target's VF netdev while hook.c has it, see
 * iofair_rtt_follow()) only while one of these kinds is on: a target with
 * none of them on has no hook and pays nothing, and turning them off takes
 * the hooks away.  The alternative, a flag tested in every packet of the
 * target's counting hooks (hook.c), would cost every target a load and a
 * branch and tie this file to the limiter's code; the price here is a
 * second hook call per packet while a kind is on.  Parsing is done only
 * for the kinds that are on.  Both hooks run last (priority INT_MAX), after
 * iofair's limiter and any nft chain: a packet is seen when it really
 * crosses into or out of the host's stack, once (the limiter steals a held
 * packet before these hooks and re-enters the chain with it on release),
 * and one that is dropped is not seen.  So an RTT includes the time the
 * limiter held the request or the answer, as the tenant lives it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/hashtable.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jhash.h>
#include <linux/netfilter.h>
#include <linux/random.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/tcp.h>
#include <net/ipv6.h>
#include <net/tcp.h>

#include "hist.h"
#include "hook.h"
#include "iofair.h"
#include "pernet.h"
#include "rtt.h"
#include "target.h"

#define IOFAIR_RTT_WAYS		4
#define IOFAIR_RTT_SETS		64
#define IOFAIR_RTT_SLOTS	(IOFAIR_RTT_WAYS * IOFAIR_RTT_SETS)
#define IOFAIR_RTT_MAX_NS	(4 * NSEC_PER_SEC)
#define IOFAIR_SOJOURN_BITS	6
#define IOFAIR_SOJOURN_SLOTS	BIT(IOFAIR_SOJOURN_BITS)
#define IOFAIR_SOJOURN_SEED	0x10fa1f

/* Hook points: a request seen at one is answered at the other. */
enum { IOFAIR_RTT_IN, IOFAIR_RTT_OUT };

/* What identifies a probe; compared whole, so every byte is set. */
struct iofair_rtt_key {
	struct in6_addr src;	/* of the request; IPv4 as ::ffff:a.b.c.d */
	struct in6_addr dst;
	__be16 sport;		/* TCP ports; ICMP echo id and 0 */
	__be16 dport;
	u32 seq;		/* ICMP echo seq; 0 for TCP (a probe per flow) */
	u8 kind;		/* IOFAIR_HIST_KIND_RTT_* */
	u8 at;			/* IOFAIR_RTT_IN/OUT: where the request passed */
	u8 pad[2];
};

struct iofair_rtt_probe {
	struct iofair_rtt_key key;
	u32 ack;		/* TCP: the ack that answers (syn) or covers (data) */
	u64 t_ns;		/* when the request passed; 0 = free slot */
};

/* Why a sample was not taken (lost[]). */
enum {
	IOFAIR_RTT_LOST_FULL,	/* the request's set held only live probes */
	IOFAIR_RTT_LOST_AMBIG,	/* retransmitted request: discarded (Karn) */
	IOFAIR_RTT_LOST_STALE,	/* unanswered for IOFAIR_RTT_MAX_NS */
};

static_assert(IOFAIR_RTT_LOST_STALE + 1 == IOFAIR_RTT_NLOST);

struct iofair_rtt {
	struct iofair_target *t;
	struct nf_hook_ops ops[2];	/* IOFAIR_RTT_IN, IOFAIR_RTT_OUT */
	u32 seed;
	bool sojourn;			/* holds a reference on the sojourn table */
	struct hlist_node node;		/* in iofair_rtt_tbl, under iofair_rtt_mutex */
	struct rcu_head rcu;
	/* Protects probes and lost. */
	raw_spinlock_t lock;
	u64 lost[IOFAIR_NHISTS][IOFAIR_RTT_NLOST];	/* by the probe's kind */
	struct iofair_rtt_probe probes[IOFAIR_RTT_SLOTS];
};

/* What the hooks parse out of a packet. */
struct iofair_rtt_pkt {
	struct in6_addr src, dst;
	u8 proto;		/* IPPROTO_TCP or IPPROTO_ICMP (also for ICMPv6) */
	u8 echo;		/* ICMP: ICMP_ECHO or ICMP_ECHOREPLY */
	u8 flags;		/* TCP flags byte */
	__be16 sport, dport;	/* ICMP: the echo id and 0 */
	u32 seq, ack;		/* ICMP: the echo seq in seq */
	u32 len;		/* TCP payload bytes */
};

/* The per-CPU sojourn stamps. */
struct iofair_sojourn_stamp {
	const struct sk_buff *skb;	/* identity only, never dereferenced */
	u32 fp;
	u64 t_ns;
};

struct iofair_sojourn_cpu {
	struct iofair_sojourn_stamp stamp[IOFAIR_SOJOURN_SLOTS];
};

/*
 * Protects iofair_rtt_tbl (target -> its struct iofair_rtt, for the control
 * path; the hooks get theirs as priv), iofair_stamps and its users.
 * Taken inside rtnl_lock and iofair_net.lock.
 */
static DEFINE_MUTEX(iofair_rtt_mutex);
static DEFINE_HASHTABLE(iofair_rtt_tbl, 8);
/*
 * Published with a release store, read with READ_ONCE under the hooks' RCU
 * read side, freed after a grace period (sparse takes no __percpu __rcu).
 */
static struct iofair_sojourn_cpu __percpu *iofair_stamps;
static unsigned int iofair_sojourn_users;

#define IOFAIR_RTT_TCP_KINDS (BIT(IOFAIR_HIST_KIND_RTT_TCP_SYN) | \
			      BIT(IOFAIR_HIST_KIND_RTT_TCP_DATA))

static bool iofair_rtt_v6(const struct sk_buff *skb, int noff,
			  struct iofair_rtt_pkt *p, u32 *l4off, u32 *l4len)
{
	struct ipv6hdr _ip6, *ip6;

	ip6 = skb_header_pointer(skb, noff, sizeof(_ip6), &_ip6);
	if (!ip6 || ip6->version != 6)
		return false;
	p->src = ip6->saddr;
	p->dst = ip6->daddr;
	p->proto = ip6->nexthdr == NEXTHDR_ICMP ? IPPROTO_ICMP : ip6->nexthdr;
	*l4off = noff + sizeof(*ip6);
	*l4len = ntohs(ip6->payload_len);
	if (!*l4len)	/* jumbogram or BIG TCP: the skb's length says */
		*l4len = skb->len - *l4off;
	return true;
}

static bool iofair_rtt_v4(const struct sk_buff *skb, int noff,
			  struct iofair_rtt_pkt *p, u32 *l4off, u32 *l4len)
{
	struct iphdr _iph, *iph;
	u32 hl, tot;

	iph = skb_header_pointer(skb, noff, sizeof(_iph), &_iph);
	if (!iph || iph->version != 4 || iph->ihl < 5 ||
	    (iph->frag_off & htons(IP_MF | IP_OFFSET)))
		return false;
	ipv6_addr_set_v4mapped(iph->saddr, &p->src);
	ipv6_addr_set_v4mapped(iph->daddr, &p->dst);
	p->proto = iph->protocol;
	hl = iph->ihl * 4;
	tot = ntohs(iph->tot_len);
	if (!tot)	/* BIG TCP */
		tot = skb->len - noff;
	if (tot < hl)
		return false;
	*l4off = noff + hl;
	*l4len = tot - hl;
	return true;
}

/* The packet's echo or TCP fields for the kinds in @mask; false: not ours. */
static bool iofair_rtt_parse(const struct sk_buff *skb, u32 mask,
			     struct iofair_rtt_pkt *p)
{
	int noff = skb_network_offset(skb);
	u32 l4off, l4len;
	bool ok;

	if (noff < 0 || !(mask & (IOFAIR_RTT_KINDS & ~BIT(IOFAIR_HIST_KIND_SOJOURN))))
		return false;
	if (skb->protocol == htons(ETH_P_IP))
		ok = iofair_rtt_v4(skb, noff, p, &l4off, &l4len);
	else if (skb->protocol == htons(ETH_P_IPV6))
		ok = iofair_rtt_v6(skb, noff, p, &l4off, &l4len);
	else
		return false;
	if (!ok)
		return false;

	if (p->proto == IPPROTO_ICMP) {
		/* Echo header: type, code, checksum, id, seq (ICMP and ICMPv6). */
		struct icmphdr _ic, *ic;
		bool v6 = skb->protocol == htons(ETH_P_IPV6);

		if (!(mask & BIT(IOFAIR_HIST_KIND_RTT_ICMP)))
			return false;
		ic = skb_header_pointer(skb, l4off, sizeof(_ic), &_ic);
		if (!ic)
			return false;
		if (ic->type == (v6 ? ICMPV6_ECHO_REQUEST : ICMP_ECHO))
			p->echo = ICMP_ECHO;
		else if (ic->type == (v6 ? ICMPV6_ECHO_REPLY : ICMP_ECHOREPLY))
			p->echo = ICMP_ECHOREPLY;
		else
			return false;
		p->sport = ic->un.echo.id;
		p->dport = 0;
		p->seq = ntohs(ic->un.echo.sequence);
		return true;
	}
	if (p->proto == IPPROTO_TCP) {
		struct tcphdr _th, *th;
		u32 hl;

		if (!(mask & IOFAIR_RTT_TCP_KINDS))
			return false;
		th = skb_header_pointer(skb, l4off, sizeof(_th), &_th);
		if (!th || th->doff < 5)
			return false;
		/* Without rtt-tcp-data only SYNs are of interest. */
		if (!th->syn && !(mask & BIT(IOFAIR_HIST_KIND_RTT_TCP_DATA)))
			return false;
		hl = th->doff * 4;
		if (l4len < hl)
			return false;
		p->sport = th->source;
		p->dport = th->dest;
		p->seq = ntohl(th->seq);
		p->ack = ntohl(th->ack_seq);
		p->flags = tcp_flag_byte(th);
		p->len = l4len - hl;
		return true;
	}
	return false;
}

/* The key of a request seen at @at; reverse: of the request @p answers. */
static void iofair_rtt_key(struct iofair_rtt_key *k, const struct iofair_rtt_pkt *p,
			   u8 kind, u8 at, bool reverse)
{
	memset(k, 0, sizeof(*k));
	k->src = reverse ? p->dst : p->src;
	k->dst = reverse ? p->src : p->dst;
	if (kind == IOFAIR_HIST_KIND_RTT_ICMP) {
		k->sport = p->sport;
		k->seq = p->seq;
	} else {
		k->sport = reverse ? p->dport : p->sport;
		k->dport = reverse ? p->sport : p->dport;
	}
	k->kind = kind;
	k->at = at;
}

static struct iofair_rtt_probe *iofair_rtt_bucket(struct iofair_rtt *r,
						  const struct iofair_rtt_key *k)
{
	u32 h = jhash2((const u32 *)k, sizeof(*k) / sizeof(u32), r->seed);

	return &r->probes[(h % IOFAIR_RTT_SETS) * IOFAIR_RTT_WAYS];
}

static bool iofair_rtt_live(const struct iofair_rtt_probe *e, u64 now)
{
	return e->t_ns && now - e->t_ns < IOFAIR_RTT_MAX_NS;
}

/* The live probe of @k, or NULL.  Under r->lock. */
static struct iofair_rtt_probe *iofair_rtt_find(struct iofair_rtt *r,
						const struct iofair_rtt_key *k, u64 now)
{
	struct iofair_rtt_probe *e = iofair_rtt_bucket(r, k);
	int i;

	for (i = 0; i < IOFAIR_RTT_WAYS; i++, e++)
		if (iofair_rtt_live(e, now) && !memcmp(&e->key, k, sizeof(*k)))
			return e;
	return NULL;
}

/* A slot for a new probe of @k (not in the table), or NULL.  Under r->lock. */
static struct iofair_rtt_probe *iofair_rtt_slot(struct iofair_rtt *r,
						const struct iofair_rtt_key *k, u64 now)
{
	struct iofair_rtt_probe *e = iofair_rtt_bucket(r, k);
	int i;

	for (i = 0; i < IOFAIR_RTT_WAYS; i++, e++) {
		if (iofair_rtt_live(e, now))
			continue;
		if (e->t_ns)
			r->lost[e->key.kind][IOFAIR_RTT_LOST_STALE]++;
		return e;
	}
	r->lost[k->kind][IOFAIR_RTT_LOST_FULL]++;
	return NULL;
}

static void iofair_rtt_insert(struct iofair_rtt *r, const struct iofair_rtt_key *k,
			      u32 ack, u64 now)
{
	struct iofair_rtt_probe *e = iofair_rtt_slot(r, k, now);

	if (e) {
		e->key = *k;
		e->ack = ack;
		e->t_ns = now;
	}
}

/* Take the answered probe out; the sample of its kind, to be recorded. */
static u64 iofair_rtt_answer(struct iofair_rtt_probe *e, u64 now)
{
	u64 ns = now - e->t_ns;

	e->t_ns = 0;
	return ns;
}

/*
 * One packet at hook point @at: answers first (they end probes), then
 * requests.  Samples are recorded after the lock is dropped.
 */
static void iofair_rtt_packet(struct iofair_rtt *r, const struct iofair_rtt_pkt *p,
			      u32 mask, u8 at, u64 now)
{
	struct iofair_target *t = r->t;
	u8 other = at == IOFAIR_RTT_IN ? IOFAIR_RTT_OUT : IOFAIR_RTT_IN;
	struct iofair_rtt_probe *e;
	struct iofair_rtt_key k;
	u64 ns[2] = {};
	u8 kind[2];
	int n = 0, i;

	raw_spin_lock_bh(&r->lock);
	if (p->proto == IPPROTO_ICMP) {
		kind[0] = IOFAIR_HIST_KIND_RTT_ICMP;
		if (p->echo == ICMP_ECHO) {
			iofair_rtt_key(&k, p, kind[0], at, false);
			e = iofair_rtt_find(r, &k, now);
			if (e) {	/* the same echo again: which one is answered? */
				e->t_ns = 0;
				r->lost[e->key.kind][IOFAIR_RTT_LOST_AMBIG]++;
			} else {
				iofair_rtt_insert(r, &k, 0, now);
			}
		} else {
			iofair_rtt_key(&k, p, kind[0], other, true);
			e = iofair_rtt_find(r, &k, now);
			if (e)
				ns[n++] = iofair_rtt_answer(e, now);
		}
		goto out;
	}

	if ((p->flags & TCPHDR_SYN) && (mask & BIT(IOFAIR_HIST_KIND_RTT_TCP_SYN))) {
		kind[n] = IOFAIR_HIST_KIND_RTT_TCP_SYN;
		if (p->flags & TCPHDR_ACK) {
			iofair_rtt_key(&k, p, kind[n], other, true);
			e = iofair_rtt_find(r, &k, now);
			if (e && e->ack == p->ack)
				ns[n++] = iofair_rtt_answer(e, now);
		} else {
			iofair_rtt_key(&k, p, kind[n], at, false);
			e = iofair_rtt_find(r, &k, now);
			if (e) {	/* a retransmitted SYN */
				e->t_ns = 0;
				r->lost[e->key.kind][IOFAIR_RTT_LOST_AMBIG]++;
			} else {
				iofair_rtt_insert(r, &k, p->seq + 1, now);
			}
		}
	}
	if ((p->flags & (TCPHDR_SYN | TCPHDR_RST)) ||
	    !(mask & BIT(IOFAIR_HIST_KIND_RTT_TCP_DATA)))
		goto out;
	kind[n] = IOFAIR_HIST_KIND_RTT_TCP_DATA;
	if (p->flags & TCPHDR_ACK) {
		iofair_rtt_key(&k, p, kind[n], other, true);
		e = iofair_rtt_find(r, &k, now);
		if (e && !before(p->ack, e->ack))
			ns[n++] = iofair_rtt_answer(e, now);
	}
	if (p->len) {
		iofair_rtt_key(&k, p, IOFAIR_HIST_KIND_RTT_TCP_DATA, at, false);
		e = iofair_rtt_find(r, &k, now);
		if (!e) {
			iofair_rtt_insert(r, &k, p->seq + p->len, now);
		} else if (before(p->seq, e->ack)) {
			e->t_ns = 0;	/* sent again, or reordered: ambiguous */
			r->lost[e->key.kind][IOFAIR_RTT_LOST_AMBIG]++;
		}
	}
out:
	raw_spin_unlock_bh(&r->lock);
	for (i = 0; i < n; i++)
		iofair_hist_record(t, kind[i], ns[i]);
}

/* Fingerprint of what forwarding leaves alone in the IP header; 0: none. */
static u32 iofair_sojourn_fp(const struct sk_buff *skb)
{
	int noff = skb_network_offset(skb);

	if (noff < 0)
		return 0;
	if (skb->protocol == htons(ETH_P_IP)) {
		struct iphdr _iph, *iph;

		iph = skb_header_pointer(skb, noff, sizeof(_iph), &_iph);
		if (!iph || iph->version != 4)
			return 0;
		return jhash_3words((__force u32)iph->saddr, (__force u32)iph->daddr,
				    (__force u32)iph->id << 16 ^ (__force u32)iph->tot_len ^
				    iph->protocol, IOFAIR_SOJOURN_SEED) | 1;
	}
	if (skb->protocol == htons(ETH_P_IPV6)) {
		struct ipv6hdr _ip6, *ip6;
		u32 w[9];

		ip6 = skb_header_pointer(skb, noff, sizeof(_ip6), &_ip6);
		if (!ip6 || ip6->version != 6)
			return 0;
		memcpy(&w[0], &ip6->saddr, sizeof(ip6->saddr));
		memcpy(&w[4], &ip6->daddr, sizeof(ip6->daddr));
		w[8] = (__force u32)ip6_flowlabel(ip6) ^ (__force u32)ip6->payload_len ^
		       ip6->nexthdr;
		return jhash2(w, ARRAY_SIZE(w), IOFAIR_SOJOURN_SEED) | 1;
	}
	return 0;
}

static void iofair_sojourn(struct iofair_rtt *r, struct sk_buff *skb, u8 at, u64 now)
{
	struct iofair_sojourn_cpu __percpu *tbl = READ_ONCE(iofair_stamps);
	struct iofair_sojourn_stamp *s;
	u64 ns = 0;
	u32 fp;

	if (!tbl)
		return;
	fp = iofair_sojourn_fp(skb);
	if (!fp)
		return;
	local_bh_disable();	/* the hooks run with BH off; be sure of it */
	s = &this_cpu_ptr(tbl)->stamp[hash_ptr(skb, IOFAIR_SOJOURN_BITS)];
	if (at == IOFAIR_RTT_IN) {
		s->skb = skb;
		s->fp = fp;
		s->t_ns = now;
	} else if (s->skb == skb && s->fp == fp && now - s->t_ns < IOFAIR_RTT_MAX_NS) {
		ns = now - s->t_ns;
		s->skb = NULL;
	}
	local_bh_enable();
	if (ns)
		iofair_hist_record(r->t, IOFAIR_HIST_KIND_SOJOURN, ns);
}

static unsigned int iofair_rtt_hook(struct iofair_rtt *r, struct sk_buff *skb, u8 at)
{
	u32 mask = READ_ONCE(r->t->hist_mask);
	struct iofair_rtt_pkt p;
	u64 now = iofair_now_ns();

	if (mask & BIT(IOFAIR_HIST_KIND_SOJOURN))
		iofair_sojourn(r, skb, at, now);
	if (iofair_rtt_parse(skb, mask, &p))
		iofair_rtt_packet(r, &p, mask, at, now);
	return NF_ACCEPT;
}

static unsigned int iofair_rtt_ingress(void *priv, struct sk_buff *skb,
				       const struct nf_hook_state *state)
{
	return iofair_rtt_hook(priv, skb, IOFAIR_RTT_IN);
}

static unsigned int iofair_rtt_egress(void *priv, struct sk_buff *skb,
				      const struct nf_hook_state *state)
{
	return iofair_rtt_hook(priv, skb, IOFAIR_RTT_OUT);
}

static struct iofair_rtt *iofair_rtt_of(const struct iofair_target *t)
{
	struct iofair_rtt *r;

	lockdep_assert_held(&iofair_rtt_mutex);
	hash_for_each_possible(iofair_rtt_tbl, r, node, (unsigned long)t)
		if (r->t == t)
			return r;
	return NULL;
}

/*
 * The netdev whose packets the hooks see: the target's own, or for a vf
 * target its VF's netdev while hook.c has it hooked (it is then bound on
 * this host and held); NULL while there is none.
 */
static struct net_device *iofair_rtt_dev(const struct iofair_target *t)
{
	if (t->kind != IOFAIR_TARGET_KIND_VF)
		return t->dev;
	return t->hooks_on ? t->hook_dev : NULL;
}

static int iofair_sojourn_get(void)
{
	struct iofair_sojourn_cpu __percpu *tbl;

	lockdep_assert_held(&iofair_rtt_mutex);
	if (!iofair_sojourn_users) {
		tbl = alloc_percpu(struct iofair_sojourn_cpu);
		if (!tbl)
			return -ENOMEM;
		/* Pairs with the hooks' READ_ONCE: they see it zeroed. */
		smp_store_release(&iofair_stamps, tbl);
	}
	iofair_sojourn_users++;
	return 0;
}

/* After the last user's hooks are gone and a grace period has passed. */
static void iofair_sojourn_put(void)
{
	struct iofair_sojourn_cpu __percpu *tbl;

	lockdep_assert_held(&iofair_rtt_mutex);
	if (--iofair_sojourn_users)
		return;
	tbl = iofair_stamps;
	WRITE_ONCE(iofair_stamps, NULL);
	synchronize_rcu();
	free_percpu(tbl);
}

static int iofair_rtt_attach(struct iofair_target *t, struct net_device *dev,
			     struct netlink_ext_ack *extack)
{
	struct iofair_rtt *r;
	int err;

	r = kvzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return -ENOMEM;
	r->t = t;
	r->seed = get_random_u32();
	raw_spin_lock_init(&r->lock);
	r->ops[IOFAIR_RTT_IN] = (struct nf_hook_ops) {
		.hook		= iofair_rtt_ingress,
		.dev		= dev,
		.priv		= r,
		.pf		= NFPROTO_NETDEV,
		.hooknum	= NF_NETDEV_INGRESS,
		.priority	= INT_MAX,	/* last: see the top of the file */
	};
	r->ops[IOFAIR_RTT_OUT] = r->ops[IOFAIR_RTT_IN];
	r->ops[IOFAIR_RTT_OUT].hook = iofair_rtt_egress;
	r->ops[IOFAIR_RTT_OUT].hooknum = NF_NETDEV_EGRESS;

	err = iofair_nf_hooks_register(r->ops);
	if (err)
		goto err_free;
	hash_add(iofair_rtt_tbl, &r->node, (unsigned long)t);
	return 0;

err_free:
	kvfree(r);
	NL_SET_ERR_MSG_FMT_MOD(extack, "cannot hook %s for the latency histograms: %d",
			       dev->name, err);
	return err;
}

static void iofair_rtt_free_rcu(struct rcu_head *head)
{
	kvfree(container_of(head, struct iofair_rtt, rcu));
}

static void iofair_rtt_unhook(struct iofair_rtt *r)
{
	lockdep_assert_held(&iofair_rtt_mutex);
	hash_del(&r->node);
	iofair_nf_hooks_unregister(r->ops);
	if (r->sojourn)
		iofair_sojourn_put();	/* waits for the hooks to be done */
	/* A hook may still be running on it: free it after a grace period. */
	call_rcu(&r->rcu, iofair_rtt_free_rcu);
}

/*
 * Hooks on while a kind of IOFAIR_RTT_KINDS is on in @mask and the target
 * has a netdev on this host; off otherwise.
 */
int iofair_rtt_update(struct iofair_target *t, u32 mask, struct netlink_ext_ack *extack)
{
	struct net_device *dev = iofair_rtt_dev(t);
	bool sojourn = mask & BIT(IOFAIR_HIST_KIND_SOJOURN);
	struct iofair_rtt *r;
	bool fresh = false;
	int err = 0;

	lockdep_assert_held(&t->inet->lock);
	mutex_lock(&iofair_rtt_mutex);
	r = iofair_rtt_of(t);
	if (r && (!(mask & IOFAIR_RTT_KINDS) || r->ops[IOFAIR_RTT_IN].dev != dev)) {
		iofair_rtt_unhook(r);
		r = NULL;
	}
	if (!(mask & IOFAIR_RTT_KINDS) || !dev)
		goto out;	/* a vf target's hooks come with its netdev */
	if (!r) {
		err = iofair_rtt_attach(t, dev, extack);
		if (err)
			goto out;
		r = iofair_rtt_of(t);
		fresh = true;
	}
	if (sojourn && !r->sojourn) {
		err = iofair_sojourn_get();
		if (err) {
			NL_SET_ERR_MSG_MOD(extack, "no memory for the sojourn stamps");
			if (fresh)
				iofair_rtt_unhook(r);
			goto out;
		}
		r->sojourn = true;
	} else if (!sojourn && r->sojourn) {
		r->sojourn = false;
		iofair_sojourn_put();
	}
out:
	mutex_unlock(&iofair_rtt_mutex);
	return err;
}

/* hook.c hooked the target's netdev (a vf target's VF came): follow it. */
void iofair_rtt_follow(struct iofair_target *t)
{
	int err = iofair_rtt_update(t, t->hist_mask, NULL);

	if (err)
		pr_warn("target %u: no rtt or sojourn histograms on %s: %d\n", t->id,
			t->hook_dev ? t->hook_dev->name : "?", err);
}

void iofair_rtt_detach(struct iofair_target *t)
{
	struct iofair_rtt *r;

	mutex_lock(&iofair_rtt_mutex);
	r = iofair_rtt_of(t);
	if (r)
		iofair_rtt_unhook(r);
	mutex_unlock(&iofair_rtt_mutex);
}

void iofair_rtt_reset(struct iofair_target *t)
{
	struct iofair_rtt *r;

	mutex_lock(&iofair_rtt_mutex);
	r = iofair_rtt_of(t);
	if (r) {
		raw_spin_lock_bh(&r->lock);
		memset(r->probes, 0, sizeof(r->probes));
		memset(r->lost, 0, sizeof(r->lost));
		raw_spin_unlock_bh(&r->lock);
	}
	mutex_unlock(&iofair_rtt_mutex);
}

/* The requests of @kind that were not sampled, by reason, since the reset. */
void iofair_rtt_lost(struct iofair_target *t, u32 kind, u64 lost[IOFAIR_RTT_NLOST])
{
	struct iofair_rtt *r;

	memset(lost, 0, sizeof(u64) * IOFAIR_RTT_NLOST);
	mutex_lock(&iofair_rtt_mutex);
	r = iofair_rtt_of(t);
	if (r) {
		raw_spin_lock_bh(&r->lock);
		memcpy(lost, r->lost[kind], sizeof(r->lost[kind]));
		raw_spin_unlock_bh(&r->lock);
	}
	mutex_unlock(&iofair_rtt_mutex);
}
