/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's side of one vhost-net device: an arena of "guest memory"
 * (rings and packet buffers), split virtqueues RX (0) and TX (1) driven
 * through eventfd kick and call, and a tap as the backend.
 */
#ifndef VNG_VHOST_H
#define VNG_VHOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VQ_BUF_SIZE	2048	/* one packet buffer: virtio-net header + frame */

struct vring_desc;
struct vring_avail;
struct vring_used;

/* One split virtqueue.  Descriptor i always points at buffer i. */
struct vq {
	unsigned int num;		/* ring size, a power of two */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	char *bufs;			/* num buffers of VQ_BUF_SIZE bytes */
	uint16_t avail_idx;		/* our copy of avail->idx */
	uint16_t last_used;		/* next used entry to consume */
	int kick_fd;			/* we write: buffers are available */
	int call_fd;			/* vhost writes: buffers were used */
	/* TX only: descriptors not in the ring, and whether each still holds
	 * the transmit template. */
	uint16_t *free;
	unsigned int nfree;
	bool *tmpl;
};

struct vnet {
	int vhost_fd;
	uint64_t features;		/* negotiated */
	size_t hdr_len;			/* virtio-net header before each frame */
	bool mrg_rxbuf;			/* VIRTIO_NET_F_MRG_RXBUF negotiated */
	void *arena;
	size_t arena_len;
	struct vq rx, tx;
};

/*
 * Open /dev/vhost-net and set it up over tap_fd with rings of num entries
 * (a power of two).  All RX buffers are posted.  On failure a message is
 * printed and -1 returned, with everything undone.
 */
int vnet_open(struct vnet *v, int tap_fd, unsigned int num);
void vnet_close(struct vnet *v);

static inline char *vq_buf(const struct vq *q, uint16_t id)
{
	return q->bufs + (size_t)id * VQ_BUF_SIZE;
}

/* Put descriptor id, len bytes, in the avail ring (not yet published). */
void vq_add(struct vq *q, uint16_t id, uint32_t len);
/* Publish what vq_add put in; returns whether vhost wants a kick. */
bool vq_publish(struct vq *q);
void vq_kick(struct vq *q);
/* Take the next used entry; false when there is none. */
bool vq_get_used(struct vq *q, uint16_t *id, uint32_t *len);
bool vq_has_used(const struct vq *q);
/* Ask for (or stop asking for) a call when buffers are used. */
void vq_want_call(struct vq *q, bool on);
/* Consume pending calls. */
void vq_ack_call(struct vq *q);

#endif
