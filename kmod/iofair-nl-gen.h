/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/iofair.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_IOFAIR_GEN_H
#define _LINUX_IOFAIR_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/iofair.h>

int iofair_nl_version_get_doit(struct sk_buff *skb, struct genl_info *info);

extern struct genl_family iofair_nl_family;

#endif /* _LINUX_IOFAIR_GEN_H */
