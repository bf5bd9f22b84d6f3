// SPDX-License-Identifier: GPL-2.0
/*
 * Driving vhost-net as a virtio-net guest driver would.
 *
 * Our "guest physical memory" is one anonymous mapping, the arena, given to
 * vhost-net as a single memory region whose guest addresses equal our own
 * virtual addresses.  It holds both split rings and all packet buffers:
 *
 *   [RX ring][TX ring][RX buffers: num x 2 KiB][TX buffers: num x 2 KiB]
 *
 * A ring is the descriptor table and the avail ring, then the used ring on
 * the next page (the legacy layout; any layout vhost can address works).
 *
 * The tap provides the virtio-net header (we do not ask for
 * VHOST_NET_F_VIRTIO_NET_HDR): the tap is opened with IFF_VNET_HDR and told
 * the header size the negotiated features imply, 12 bytes with VERSION_1 or
 * MRG_RXBUF, 10 otherwise.  No offloads are negotiated, so frames are at
 * most MTU + 14 bytes and always fit one buffer.
 *
 * Ring words are little endian (VERSION_1; legacy rings on x86 are too).
 * Ordering follows the virtio spec: descriptors and avail entries are
 * written before avail->idx (release), used entries are read after
 * used->idx (acquire), and a full barrier separates publishing from
 * reading vhost's "no notify" flag, and asking for a call from re-checking
 * the used ring.
 */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/vhost.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include "vhost.h"

#define VNG_PAGE	4096UL
#define VQ_RX		0
#define VQ_TX		1

static size_t align_up(size_t x, size_t a)
{
	return (x + a - 1) & ~(a - 1);
}

static size_t ring_bytes(unsigned int num)
{
	size_t da = sizeof(struct vring_desc) * num + sizeof(uint16_t) * (3 + num);
	size_t used = sizeof(uint16_t) * 3 + sizeof(struct vring_used_elem) * num;

	return align_up(da, VNG_PAGE) + align_up(used, VNG_PAGE);
}

static int fail(const char *what)
{
	int err = errno;

	fprintf(stderr, "virtio-net-guest: %s: %s\n", what, strerror(err));
	errno = err;
	return -1;
}

static void vq_layout(struct vq *q, char *ring, char *bufs, unsigned int num,
		      bool writable)
{
	size_t da = sizeof(struct vring_desc) * num + sizeof(uint16_t) * (3 + num);
	unsigned int i;

	q->num = num;
	q->desc = (struct vring_desc *)ring;
	q->avail = (struct vring_avail *)(ring + sizeof(struct vring_desc) * num);
	q->used = (struct vring_used *)(ring + align_up(da, VNG_PAGE));
	q->bufs = bufs;
	q->avail_idx = 0;
	q->last_used = 0;
	for (i = 0; i < num; i++) {
		q->desc[i].addr = htole64((uint64_t)(uintptr_t)vq_buf(q, i));
		q->desc[i].len = htole32(VQ_BUF_SIZE);
		q->desc[i].flags = htole16(writable ? VRING_DESC_F_WRITE : 0);
		q->desc[i].next = 0;
	}
	/* Busy until we say otherwise: see vq_want_call(). */
	q->avail->flags = htole16(VRING_AVAIL_F_NO_INTERRUPT);
}

static int vq_setup(struct vnet *v, struct vq *q, unsigned int index)
{
	struct vhost_vring_state state = { .index = index, .num = q->num };
	struct vhost_vring_addr addr = {
		.index = index,
		.desc_user_addr = (uintptr_t)q->desc,
		.avail_user_addr = (uintptr_t)q->avail,
		.used_user_addr = (uintptr_t)q->used,
	};
	struct vhost_vring_file file = { .index = index };

	q->kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	q->call_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (q->kick_fd < 0 || q->call_fd < 0)
		return fail("eventfd");
	if (ioctl(v->vhost_fd, VHOST_SET_VRING_NUM, &state))
		return fail("VHOST_SET_VRING_NUM");
	state.num = 0;
	if (ioctl(v->vhost_fd, VHOST_SET_VRING_BASE, &state))
		return fail("VHOST_SET_VRING_BASE");
	if (ioctl(v->vhost_fd, VHOST_SET_VRING_ADDR, &addr))
		return fail("VHOST_SET_VRING_ADDR");
	file.fd = q->kick_fd;
	if (ioctl(v->vhost_fd, VHOST_SET_VRING_KICK, &file))
		return fail("VHOST_SET_VRING_KICK");
	file.fd = q->call_fd;
	if (ioctl(v->vhost_fd, VHOST_SET_VRING_CALL, &file))
		return fail("VHOST_SET_VRING_CALL");
	return 0;
}

static int negotiate(struct vnet *v)
{
	const uint64_t want = (1ULL << VIRTIO_F_VERSION_1) |
			      (1ULL << VIRTIO_NET_F_MRG_RXBUF);
	uint64_t offered;

	if (ioctl(v->vhost_fd, VHOST_GET_FEATURES, &offered))
		return fail("VHOST_GET_FEATURES");
	v->features = offered & want;
	if (ioctl(v->vhost_fd, VHOST_SET_FEATURES, &v->features))
		return fail("VHOST_SET_FEATURES");
	v->mrg_rxbuf = v->features & (1ULL << VIRTIO_NET_F_MRG_RXBUF);
	v->hdr_len = v->features & want ? sizeof(struct virtio_net_hdr_mrg_rxbuf) :
					   sizeof(struct virtio_net_hdr);
	return 0;
}

static int set_mem_table(struct vnet *v)
{
	struct vhost_memory *mem;
	int ret = 0;

	mem = calloc(1, sizeof(*mem) + sizeof(mem->regions[0]));
	if (!mem)
		return fail("calloc");
	mem->nregions = 1;
	mem->regions[0].guest_phys_addr = (uintptr_t)v->arena;
	mem->regions[0].userspace_addr = (uintptr_t)v->arena;
	mem->regions[0].memory_size = v->arena_len;
	if (ioctl(v->vhost_fd, VHOST_SET_MEM_TABLE, mem))
		ret = fail("VHOST_SET_MEM_TABLE");
	free(mem);
	return ret;
}

int vnet_open(struct vnet *v, int tap_fd, unsigned int num)
{
	struct vhost_vring_file backend = { .fd = tap_fd };
	size_t rb = ring_bytes(num), bb = (size_t)num * VQ_BUF_SIZE;
	int hdr;
	char *a;

	memset(v, 0, sizeof(*v));
	v->vhost_fd = -1;
	v->rx.kick_fd = v->rx.call_fd = v->tx.kick_fd = v->tx.call_fd = -1;

	v->vhost_fd = open("/dev/vhost-net", O_RDWR | O_CLOEXEC);
	if (v->vhost_fd < 0) {
		if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
			fprintf(stderr, "virtio-net-guest: cannot open /dev/vhost-net: %s "
				"(is the vhost_net module loaded? modprobe vhost_net)\n",
				strerror(errno));
		else
			fail("cannot open /dev/vhost-net");
		goto err;
	}
	if (ioctl(v->vhost_fd, VHOST_SET_OWNER, NULL)) {
		fail("VHOST_SET_OWNER");
		goto err;
	}
	if (negotiate(v))
		goto err;

	v->arena_len = 2 * rb + 2 * bb;
	v->arena = mmap(NULL, v->arena_len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (v->arena == MAP_FAILED) {
		v->arena = NULL;
		fail("mmap");
		goto err;
	}
	a = v->arena;
	vq_layout(&v->rx, a, a + 2 * rb, num, true);
	vq_layout(&v->tx, a + rb, a + 2 * rb + bb, num, false);

	v->tx.free = calloc(num, sizeof(*v->tx.free));
	v->tx.tmpl = calloc(num, sizeof(*v->tx.tmpl));
	if (!v->tx.free || !v->tx.tmpl) {
		fail("calloc");
		goto err;
	}
	for (v->tx.nfree = 0; v->tx.nfree < num; v->tx.nfree++)
		v->tx.free[v->tx.nfree] = num - 1 - v->tx.nfree;

	if (set_mem_table(v) || vq_setup(v, &v->rx, VQ_RX) || vq_setup(v, &v->tx, VQ_TX))
		goto err;

	/* The tap writes and reads the header: tell it the size in use. */
	hdr = v->hdr_len;
	if (ioctl(tap_fd, TUNSETVNETHDRSZ, &hdr)) {
		fail("TUNSETVNETHDRSZ");
		goto err;
	}

	/* Every RX buffer is vhost's from the start. */
	for (unsigned int i = 0; i < num; i++)
		vq_add(&v->rx, i, VQ_BUF_SIZE);
	vq_publish(&v->rx);

	backend.index = VQ_RX;
	if (ioctl(v->vhost_fd, VHOST_NET_SET_BACKEND, &backend)) {
		fail("VHOST_NET_SET_BACKEND (RX)");
		goto err;
	}
	backend.index = VQ_TX;
	if (ioctl(v->vhost_fd, VHOST_NET_SET_BACKEND, &backend)) {
		fail("VHOST_NET_SET_BACKEND (TX)");
		goto err;
	}
	vq_kick(&v->rx);
	return 0;

err:
	vnet_close(v);
	return -1;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void vnet_close(struct vnet *v)
{
	/* vhost first: it stops the worker and drops its tap reference. */
	close_fd(&v->vhost_fd);
	close_fd(&v->rx.kick_fd);
	close_fd(&v->rx.call_fd);
	close_fd(&v->tx.kick_fd);
	close_fd(&v->tx.call_fd);
	if (v->arena)
		munmap(v->arena, v->arena_len);
	v->arena = NULL;
	free(v->tx.free);
	free(v->tx.tmpl);
	v->tx.free = NULL;
	v->tx.tmpl = NULL;
}

void vq_add(struct vq *q, uint16_t id, uint32_t len)
{
	q->desc[id].len = htole32(len);
	q->avail->ring[q->avail_idx & (q->num - 1)] = htole16(id);
	q->avail_idx++;
}

bool vq_publish(struct vq *q)
{
	__atomic_store_n(&q->avail->idx, htole16(q->avail_idx), __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return !(le16toh(__atomic_load_n(&q->used->flags, __ATOMIC_RELAXED)) &
		 VRING_USED_F_NO_NOTIFY);
}

void vq_kick(struct vq *q)
{
	uint64_t one = 1;

	/* Only fails when the counter would overflow: vhost reads it. */
	if (write(q->kick_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		fail("kick");
}

bool vq_has_used(const struct vq *q)
{
	return le16toh(__atomic_load_n(&q->used->idx, __ATOMIC_ACQUIRE)) != q->last_used;
}

bool vq_get_used(struct vq *q, uint16_t *id, uint32_t *len)
{
	struct vring_used_elem *e;

	if (!vq_has_used(q))
		return false;
	e = &q->used->ring[q->last_used & (q->num - 1)];
	*id = le32toh(e->id);
	*len = le32toh(e->len);
	q->last_used++;
	return *id < q->num;
}

void vq_want_call(struct vq *q, bool on)
{
	__atomic_store_n(&q->avail->flags, htole16(on ? 0 : VRING_AVAIL_F_NO_INTERRUPT),
			 __ATOMIC_RELAXED);
	if (on)
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void vq_ack_call(struct vq *q)
{
	uint64_t n;

	if (read(q->call_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		fail("call");
}
