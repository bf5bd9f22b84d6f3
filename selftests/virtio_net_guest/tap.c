// SPDX-License-Identifier: GPL-2.0
/*
 * Opening the tap.  TUNSETIFF on /dev/net/tun attaches to the tap of that
 * name in the current network namespace, or creates it.  The flags of an
 * existing tap are replaced by ours (IFF_VNET_HDR included); only
 * IFF_MULTI_QUEUE must match how it was created.  The header size is set
 * later, once the features are negotiated (vnet_open()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/if_tun.h>

#include "tap.h"

int tap_open(const char *name, int *fds, unsigned int nqueues, bool *created)
{
	struct ifreq ifr;
	unsigned int i;

	if (strlen(name) >= IFNAMSIZ) {
		fprintf(stderr, "virtio-net-guest: tap name '%s' is too long\n", name);
		return -1;
	}
	*created = !if_nametoindex(name);
	for (i = 0; i < nqueues; i++)
		fds[i] = -1;

	for (i = 0; i < nqueues; i++) {
		fds[i] = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
		if (fds[i] < 0) {
			fprintf(stderr, "virtio-net-guest: cannot open /dev/net/tun: %s\n",
				strerror(errno));
			goto err;
		}
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
		ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
		if (nqueues > 1)
			ifr.ifr_flags |= IFF_MULTI_QUEUE;
		if (ioctl(fds[i], TUNSETIFF, &ifr)) {
			int err = errno;

			fprintf(stderr, "virtio-net-guest: TUNSETIFF %s (queue %u): %s%s\n",
				name, i, strerror(err),
				err == EINVAL ? " (an existing tap must have been created with "
				"the same multiqueue setting; is it a tap?)" : "");
			goto err;
		}
	}
	return 0;

err:
	tap_close(fds, nqueues);
	return -1;
}

void tap_close(int *fds, unsigned int nqueues)
{
	unsigned int i;

	for (i = 0; i < nqueues; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		fds[i] = -1;
	}
}

int tap_open_plain(const char *name, bool *created)
{
	struct ifreq ifr;
	int fd;

	if (strlen(name) >= IFNAMSIZ) {
		fprintf(stderr, "virtio-net-guest: tap name '%s' is too long\n", name);
		return -1;
	}
	*created = !if_nametoindex(name);
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "virtio-net-guest: cannot open /dev/net/tun: %s\n",
			strerror(errno));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		fprintf(stderr, "virtio-net-guest: TUNSETIFF %s (relay tap): %s\n", name,
			strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}
