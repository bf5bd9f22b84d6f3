/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iofair: what every file shares: the module's version (one version for
 * the module, the CLI and the packages: `make version-check`) and its clock.
 * Each concern's interface is in a header of its own (target.h, node.h ...).
 */
#ifndef _IOFAIR_H
#define _IOFAIR_H

#include <linux/timekeeping.h>
#include <linux/types.h>

#define IOFAIR_VERSION "0.2.0"

static inline u64 iofair_now_ns(void)
{
	return ktime_get_ns();
}

#endif /* _IOFAIR_H */
