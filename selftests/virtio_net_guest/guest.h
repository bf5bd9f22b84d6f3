/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's traffic: one worker per queue pair (a vhost-net device on one
 * queue of the tap), in one of three modes.
 */
#ifndef VNG_GUEST_H
#define VNG_GUEST_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "frame.h"
#include "vhost.h"

enum vng_mode { VNG_TX, VNG_RX, VNG_ECHO, VNG_RELAY };

struct vng_config {
	const char *tap;
	enum vng_mode mode;
	const char *relay_tap;		/* relay mode: the plain tap */
	uint8_t mac[6];
	uint32_t ip;			/* ours, network order; 0 = none */
	uint32_t peer_ip;
	uint8_t peer_mac[6];
	bool have_peer_mac;
	uint64_t rate_bps;		/* L2 bits per second, all queues; 0 = flat out */
	unsigned int size;		/* UDP payload bytes */
	double duration_s;		/* 0 = until a signal or --count */
	uint64_t count;			/* packets to send, all queues; 0 = no limit */
	unsigned int queues;
	bool json, verbose;
};

/* Frame and byte counts are of Ethernet frames, header included. */
struct vng_stats {
	uint64_t tx_packets, tx_bytes;	/* taken from the TX ring by vhost */
	uint64_t rx_packets, rx_bytes;	/* received from vhost */
	uint64_t arp_replies;		/* ARP requests for our IP answered */
	uint64_t icmp_replies;		/* ICMP echo requests answered */
	uint64_t rx_other;		/* received, nothing to answer */
	uint64_t reply_drops;		/* no TX buffer for an answer */
	uint64_t tx_ring_full;		/* TX ring full when a frame was due */
	uint64_t relay_in;		/* read from the relay tap, queued on TX */
	uint64_t relay_out;		/* received from vhost, written to the relay tap */
	uint64_t relay_drops;		/* write to the relay tap failed, or oversized read */
	uint64_t kicks, wakeups;
	uint64_t start_ns, end_ns;	/* CLOCK_MONOTONIC, traffic loop */
};

struct vng_queue {
	unsigned int index;
	const struct vng_config *cfg;
	struct vnet vnet;
	struct vng_stats st;
	uint64_t rate_bps;		/* this queue's share */
	uint64_t count;
	unsigned int rx_more;		/* merged RX buffers still to come */
	bool have_peer_mac;		/* learnt by ARP on this queue */
	uint8_t peer_mac[6];
	size_t tmpl_len;		/* header + frame */
	uint8_t tmpl[VQ_BUF_SIZE];
	int relay_fd;			/* relay mode: the plain tap's fd */
	pthread_t thread;
};

/* Set from a signal handler or the main thread: every worker stops. */
extern int vng_stop;
/* Workers that have finished. */
extern unsigned int vng_done;

uint64_t vng_now_ns(void);
/* Build the queue's UDP template (after the peer's MAC is known). */
void vng_prepare(struct vng_queue *q);
/* Find the peer's MAC by ARP, through all queues; prints why it failed. */
int vng_resolve_peer(struct vng_queue *qs, unsigned int n, struct vng_config *cfg,
		     double timeout_s);
/* pthread entry: run the configured mode until vng_stop or --count. */
void *vng_run(void *queue);

#endif
