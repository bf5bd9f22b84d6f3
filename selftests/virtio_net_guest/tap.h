/* SPDX-License-Identifier: GPL-2.0 */
/* The tap device vhost-net uses as its backend. */
#ifndef VNG_TAP_H
#define VNG_TAP_H

#include <stdbool.h>

/*
 * Open queue fds[0..nqueues-1] of tap NAME in the caller's network
 * namespace, with a virtio-net header and no packet information; several
 * queues make it a multiqueue tap.  A tap that does not exist is created,
 * not persistent: it goes away with the last fd.  *created says which.
 * Prints a message and returns -1 on failure.
 */
int tap_open(const char *name, int *fds, unsigned int nqueues, bool *created);
void tap_close(int *fds, unsigned int nqueues);
/*
 * Open (or create, not persistent) plain tap NAME for relay mode: no
 * virtio-net header, no packet information, non-blocking.  Without
 * TUNSETOFFLOAD the tap has no checksum or segmentation offloads, so the
 * stack hands its reader whole frames of at most MTU + 14 bytes.  Returns
 * the fd, or prints a message and returns -1.
 */
int tap_open_plain(const char *name, bool *created);

#endif
