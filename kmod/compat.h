/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Differences between the kernels iofair supports (6.1 .. current), in one
 * place.  Detected at build time from the target kernel's version and config.
 *
 * Generic netlink split ops (struct genl_split_ops, one entry per do and per
 * dump) arrived in 6.2.  The op table generated from the YAML spec uses them.
 * On older kernels the generated table is compiled as struct genl_ops and
 * iofair_genl_compat_init() merges do and dump entries of the same command
 * before the family is registered.
 */
#ifndef _IOFAIR_COMPAT_H
#define _IOFAIR_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define IOFAIR_GENL_NO_SPLIT_OPS 1
#define genl_split_ops genl_ops
#define split_ops ops
#define n_split_ops n_ops
#endif

#endif /* _IOFAIR_COMPAT_H */
