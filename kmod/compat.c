// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel-version differences that need code rather than a macro (see
 * compat.h for what and why).
 */
#include <linux/atomic.h>
#include <linux/kernel.h>
#include <linux/netlink.h>

#include "compat.h"

#if KERNEL_VERSION(6, 2, 0) > LINUX_VERSION_CODE
#define IOFAIR_FMT_RING	64
#define IOFAIR_FMT_LEN	128

static char iofair_fmt_ring[IOFAIR_FMT_RING][IOFAIR_FMT_LEN];
static atomic_t iofair_fmt_next = ATOMIC_INIT(0);

const char *iofair_compat_fmt(const char *fmt, ...)
{
	unsigned int i = (unsigned int)atomic_inc_return(&iofair_fmt_next) % IOFAIR_FMT_RING;
	va_list ap;

	va_start(ap, fmt);
	vscnprintf(iofair_fmt_ring[i], IOFAIR_FMT_LEN, fmt, ap);
	va_end(ap);
	return iofair_fmt_ring[i];
}
#endif
