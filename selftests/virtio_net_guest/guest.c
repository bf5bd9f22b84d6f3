// SPDX-License-Identifier: GPL-2.0
/*
 * The per-queue-pair worker.
 *
 * Every loop services RX (count, answer ARP for our IP and, in echo mode,
 * ICMP echo requests; give the buffer back) and reclaims TX buffers vhost
 * has used.  TX mode then posts UDP frames:
 *
 * - at a rate R (L2 bits per second): frame n is due at start + n * T with
 *   T = 8 * frame_len / R seconds.  Everything due is posted at once, then
 *   the worker sleeps on an absolute CLOCK_MONOTONIC time until the next
 *   batch of k frames is due (k = 1, or enough for ~50 us at high rates).
 *   A backlog (ring full, CPU stolen) is caught up, up to twice the ring;
 *   beyond that the schedule moves on and the achieved rate shows it.
 * - flat out: the ring is kept full.
 *
 * Relay mode moves frames between the virtqueues and a plain tap's fd:
 * what vhost puts in the RX ring is written to the relay tap, what the relay
 * tap gives is read straight into TX buffers.  When the TX ring is full the
 * relay tap is not read, so its queue (and the stack behind it) takes the
 * backpressure.
 *
 * Calls (interrupts) are off while the worker is busy and turned on only
 * before it sleeps in ppoll(), after which the rings are checked once more.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/virtio_ring.h>

#include "guest.h"

#define POST_BATCH	64
#define MIN_GAP_NS	50000ULL	/* pacing granularity */
#define MAX_SLEEP_NS	50000000ULL	/* check for a stop this often */
#define DRAIN_NS	1000000000ULL	/* wait this long for TX buffers at the end */
#define SRC_PORT	49152
#define DST_PORT	9		/* discard */

int vng_stop;
unsigned int vng_done;

static bool stopping(void)
{
	return __atomic_load_n(&vng_stop, __ATOMIC_RELAXED);
}

uint64_t vng_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void sleep_until(uint64_t t_ns)
{
	struct timespec ts = { .tv_sec = t_ns / 1000000000ULL, .tv_nsec = t_ns % 1000000000ULL };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR && !stopping())
		;
}

/* Sleep until RX (and TX when asked) has used buffers, or timeout_ns. */
static void wait_rings(struct vng_queue *q, uint64_t timeout_ns, bool tx)
{
	struct vq *rx = &q->vnet.rx, *txq = &q->vnet.tx;
	struct pollfd pfd[2] = {
		{ .fd = rx->call_fd, .events = POLLIN },
		{ .fd = txq->call_fd, .events = POLLIN },
	};
	struct timespec ts = { .tv_sec = timeout_ns / 1000000000ULL,
			       .tv_nsec = timeout_ns % 1000000000ULL };

	vq_want_call(rx, true);
	if (tx)
		vq_want_call(txq, true);
	if (!vq_has_used(rx) && !(tx && vq_has_used(txq))) {
		q->st.wakeups++;
		if (ppoll(pfd, tx ? 2 : 1, &ts, NULL) > 0) {
			if (pfd[0].revents)
				vq_ack_call(rx);
			if (tx && pfd[1].revents)
				vq_ack_call(txq);
		}
	}
	vq_want_call(rx, false);
	vq_want_call(txq, false);
}

static unsigned int tx_reclaim(struct vng_queue *q)
{
	struct vq *tx = &q->vnet.tx;
	unsigned int n = 0;
	uint32_t len;
	uint16_t id;

	while (vq_get_used(tx, &id, &len)) {
		q->st.tx_packets++;
		q->st.tx_bytes += le32toh(tx->desc[id].len) - q->vnet.hdr_len;
		tx->free[tx->nfree++] = id;
		n++;
	}
	return n;
}

static void tx_flush(struct vng_queue *q)
{
	if (vq_publish(&q->vnet.tx)) {
		vq_kick(&q->vnet.tx);
		q->st.kicks++;
	}
}

/* A TX buffer for a frame of our own making; NULL when the ring is full. */
static uint8_t *tx_get(struct vng_queue *q, uint16_t *id)
{
	struct vq *tx = &q->vnet.tx;
	uint8_t *buf;

	if (!tx->nfree)
		tx_reclaim(q);
	if (!tx->nfree)
		return NULL;
	*id = tx->free[--tx->nfree];
	tx->tmpl[*id] = false;
	buf = (uint8_t *)vq_buf(tx, *id);
	memset(buf, 0, q->vnet.hdr_len);	/* no offloads: an empty header */
	return buf + q->vnet.hdr_len;
}

static void tx_put(struct vng_queue *q, uint16_t id, size_t frame_len)
{
	vq_add(&q->vnet.tx, id, q->vnet.hdr_len + frame_len);
}

static unsigned int tx_post_udp(struct vng_queue *q, unsigned int n)
{
	struct vq *tx = &q->vnet.tx;
	unsigned int i;
	uint16_t id;

	for (i = 0; i < n && tx->nfree; i++) {
		id = tx->free[--tx->nfree];
		if (!tx->tmpl[id]) {
			memcpy(vq_buf(tx, id), q->tmpl, q->tmpl_len);
			tx->tmpl[id] = true;
		}
		vq_add(tx, id, q->tmpl_len);
	}
	if (i)
		tx_flush(q);
	return i;
}

/* One RX buffer; returns whether a frame was queued on TX in answer. */
static bool rx_frame(struct vng_queue *q, const uint8_t *buf, uint32_t len)
{
	const struct vng_config *cfg = q->cfg;
	size_t hl = q->vnet.hdr_len, flen;
	struct frame_info fi;
	uint16_t nbufs, id;
	uint8_t *out;

	if (q->rx_more) {		/* the rest of a merged frame */
		q->rx_more--;
		q->st.rx_bytes += len;
		return false;
	}
	if (len < hl + FRAME_ETH_HLEN) {
		q->st.rx_packets++;
		q->st.rx_other++;
		return false;
	}
	flen = len - hl;
	q->st.rx_packets++;
	q->st.rx_bytes += flen;
	if (q->vnet.mrg_rxbuf) {
		memcpy(&nbufs, buf + 10, sizeof(nbufs));	/* num_buffers */
		nbufs = le16toh(nbufs);
		if (nbufs > 1) {	/* cannot happen without offloads */
			q->rx_more = nbufs - 1;
			q->st.rx_other++;
			return false;
		}
	}

	switch (frame_parse(buf + hl, flen, &fi)) {
	case FRAME_ARP_REQUEST:
		if (cfg->mode == VNG_RELAY || !cfg->ip || fi.dst_ip != cfg->ip)
			break;
		out = tx_get(q, &id);
		if (!out) {
			q->st.reply_drops++;
			return false;
		}
		tx_put(q, id, frame_arp_reply(out, &fi, cfg->mac, cfg->ip));
		q->st.arp_replies++;
		return true;
	case FRAME_ARP_REPLY:
		if (cfg->peer_ip && fi.src_ip == cfg->peer_ip) {
			memcpy(q->peer_mac, fi.src_mac, 6);
			q->have_peer_mac = true;
		}
		break;
	case FRAME_ICMP_ECHO:
		if (cfg->mode != VNG_ECHO || !cfg->ip || fi.dst_ip != cfg->ip)
			break;
		out = tx_get(q, &id);
		if (!out) {
			q->st.reply_drops++;
			return false;
		}
		flen = frame_icmp_echo_reply(out, buf + hl, flen, cfg->mac);
		if (!flen) {
			q->vnet.tx.free[q->vnet.tx.nfree++] = id;
			break;
		}
		tx_put(q, id, flen);
		q->st.icmp_replies++;
		return true;
	case FRAME_OTHER:
		break;
	}
	q->st.rx_other++;
	return false;
}

static unsigned int rx_service(struct vng_queue *q)
{
	struct vq *rx = &q->vnet.rx;
	unsigned int n = 0, answers = 0;
	uint32_t len;
	uint16_t id;

	while (vq_get_used(rx, &id, &len)) {
		answers += rx_frame(q, (const uint8_t *)vq_buf(rx, id), len);
		vq_add(rx, id, VQ_BUF_SIZE);
		n++;
	}
	if (n && vq_publish(rx)) {
		vq_kick(rx);
		q->st.kicks++;
	}
	if (answers)
		tx_flush(q);
	return n;
}

void vng_prepare(struct vng_queue *q)
{
	const struct vng_config *cfg = q->cfg;
	struct udp_flow f = {
		.src_ip = cfg->ip,
		.dst_ip = cfg->peer_ip,
		.src_port = SRC_PORT + q->index,
		.dst_port = DST_PORT,
	};

	memcpy(f.src_mac, cfg->mac, 6);
	memcpy(f.dst_mac, cfg->peer_mac, 6);
	memset(q->tmpl, 0, q->vnet.hdr_len);
	q->tmpl_len = q->vnet.hdr_len + frame_udp(q->tmpl + q->vnet.hdr_len, &f, cfg->size);
}

int vng_resolve_peer(struct vng_queue *qs, unsigned int n, struct vng_config *cfg,
		     double timeout_s)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[6];
	uint64_t now = vng_now_ns(), end = now + timeout_s * 1e9, next = now;
	unsigned int i;
	uint8_t *out;
	uint16_t id;

	while (!stopping() && (now = vng_now_ns()) < end) {
		if (now >= next) {
			out = tx_get(&qs[0], &id);
			if (out) {
				tx_put(&qs[0], id, frame_arp(out, 1, cfg->mac, cfg->ip, zero,
							     cfg->peer_ip, bcast));
				tx_flush(&qs[0]);
			}
			next = now + 300000000ULL;
		}
		for (i = 0; i < n; i++) {
			rx_service(&qs[i]);
			tx_reclaim(&qs[i]);
			if (qs[i].have_peer_mac) {
				memcpy(cfg->peer_mac, qs[i].peer_mac, 6);
				cfg->have_peer_mac = true;
				return 0;
			}
		}
		wait_rings(&qs[0], 10000000ULL, false);
	}
	if (!stopping())
		fprintf(stderr, "virtio-net-guest: no ARP reply from the peer in %.1f s "
			"(is the tap up with the peer's address?); give --peer-mac\n", timeout_s);
	return -1;
}

static void run_tx(struct vng_queue *q)
{
	struct vq *tx = &q->vnet.tx;
	uint64_t frame_bits = (q->tmpl_len - q->vnet.hdr_len) * 8;
	double gap_ns = q->rate_bps ? frame_bits * 1e9 / q->rate_bps : 0;
	uint64_t start = vng_now_ns(), posted = 0, due, want, k = 1;
	bool limited = q->cfg->count;	/* q->count may be 0: nothing to send */
	unsigned int n;

	if (gap_ns > 0 && gap_ns < MIN_GAP_NS) {
		k = MIN_GAP_NS / gap_ns;
		k = k > POST_BATCH ? POST_BATCH : k;
	}

	while (!stopping() && (!limited || posted < q->count)) {
		rx_service(q);
		tx_reclaim(q);

		if (gap_ns > 0) {
			due = (vng_now_ns() - start) / gap_ns + 1;
			if (due > posted + 2 * tx->num) {	/* too far behind */
				start += (due - posted - 2 * tx->num) * gap_ns;
				due = posted + 2 * tx->num;
			}
			want = due > posted ? due - posted : 0;
		} else {
			want = POST_BATCH;
		}
		if (limited && want > q->count - posted)
			want = q->count - posted;
		if (want > POST_BATCH)
			want = POST_BATCH;

		n = want ? tx_post_udp(q, want) : 0;
		posted += n;
		if (n < want) {			/* ring full: wait for vhost */
			q->st.tx_ring_full++;
			wait_rings(q, 10000000ULL, true);
		} else if (gap_ns > 0 && (!limited || posted < q->count)) {
			uint64_t now = vng_now_ns();
			uint64_t next = start + (uint64_t)((posted + k - 1) * gap_ns);

			if (start + (uint64_t)(posted * gap_ns) <= now)
				continue;	/* more is due already */
			sleep_until(next < now + MAX_SLEEP_NS ? next : now + MAX_SLEEP_NS);
		}
	}
}

static void run_rx(struct vng_queue *q)
{
	while (!stopping()) {
		if (!rx_service(q) && !tx_reclaim(q))
			wait_rings(q, MAX_SLEEP_NS, q->vnet.tx.nfree < q->vnet.tx.num);
	}
}

/* Relay: frames vhost received for the guest go out on the relay tap. */
static unsigned int relay_from_vhost(struct vng_queue *q)
{
	struct vq *rx = &q->vnet.rx;
	size_t hl = q->vnet.hdr_len;
	unsigned int n = 0;
	uint32_t len;
	uint16_t id;

	while (n < POST_BATCH && vq_get_used(rx, &id, &len)) {
		q->st.rx_packets++;
		if (len >= hl + FRAME_ETH_HLEN) {
			q->st.rx_bytes += len - hl;
			/* Without offloads the header is empty and one buffer
			 * holds the whole frame (num_buffers is 1). */
			if (write(q->relay_fd, vq_buf(rx, id) + hl, len - hl) == (ssize_t)(len - hl))
				q->st.relay_out++;
			else
				q->st.relay_drops++;
		} else {
			q->st.rx_other++;
		}
		vq_add(rx, id, VQ_BUF_SIZE);
		n++;
	}
	if (n && vq_publish(rx)) {
		vq_kick(rx);
		q->st.kicks++;
	}
	return n;
}

/* Relay: frames from the relay tap are transmitted on the TX queue. */
static unsigned int relay_to_vhost(struct vng_queue *q)
{
	struct vq *tx = &q->vnet.tx;
	size_t hl = q->vnet.hdr_len;
	unsigned int n = 0;
	ssize_t len;
	uint16_t id;
	uint8_t *buf;

	while (n < POST_BATCH) {
		buf = tx_get(q, &id);
		if (!buf)
			break;
		len = read(q->relay_fd, buf, VQ_BUF_SIZE - hl);
		if (len < FRAME_ETH_HLEN || len > FRAME_MAX_LEN) {
			tx->free[tx->nfree++] = id;
			if (len < 0) {		/* EAGAIN: the tap is empty */
				if (errno != EAGAIN && errno != EINTR)
					q->st.relay_drops++;
				break;
			}
			q->st.relay_drops++;	/* runt or oversized: not ours to send */
			continue;
		}
		tx_put(q, id, len);
		q->st.relay_in++;
		n++;
	}
	if (n)
		tx_flush(q);
	return n;
}

static void run_relay(struct vng_queue *q)
{
	struct vq *rx = &q->vnet.rx, *tx = &q->vnet.tx;
	struct pollfd pfd[3];
	unsigned int work;
	int npfd;

	while (!stopping()) {
		work = relay_from_vhost(q);
		work += tx_reclaim(q);
		work += relay_to_vhost(q);
		if (work)
			continue;

		/* Idle: sleep on the relay tap (when a TX buffer is free to
		 * read into) and on the calls of both rings. */
		npfd = 0;
		pfd[npfd++] = (struct pollfd){ .fd = rx->call_fd, .events = POLLIN };
		pfd[npfd++] = (struct pollfd){ .fd = tx->call_fd, .events = POLLIN };
		if (tx->nfree)
			pfd[npfd++] = (struct pollfd){ .fd = q->relay_fd, .events = POLLIN };
		vq_want_call(rx, true);
		vq_want_call(tx, tx->nfree < tx->num);
		if (!vq_has_used(rx) && !vq_has_used(tx)) {
			struct timespec ts = { .tv_nsec = MAX_SLEEP_NS };

			q->st.wakeups++;
			if (ppoll(pfd, npfd, &ts, NULL) > 0) {
				if (pfd[0].revents)
					vq_ack_call(rx);
				if (pfd[1].revents)
					vq_ack_call(tx);
			}
		}
		vq_want_call(rx, false);
		vq_want_call(tx, false);
	}
}

/* Wait for vhost to take what is still in the TX ring, so it is counted. */
static void drain_tx(struct vng_queue *q)
{
	uint64_t end = vng_now_ns() + DRAIN_NS;

	while (q->vnet.tx.nfree < q->vnet.tx.num && vng_now_ns() < end) {
		rx_service(q);
		if (!tx_reclaim(q))
			wait_rings(q, 10000000ULL, true);
	}
}

void *vng_run(void *arg)
{
	struct vng_queue *q = arg;

	q->st.start_ns = vng_now_ns();
	if (q->cfg->mode == VNG_TX)
		run_tx(q);
	else if (q->cfg->mode == VNG_RELAY)
		run_relay(q);
	else
		run_rx(q);
	q->st.end_ns = vng_now_ns();
	drain_tx(q);
	__atomic_add_fetch(&vng_done, 1, __ATOMIC_RELEASE);
	return NULL;
}
