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
 *
 * Formatted extack messages (NL_SET_ERR_MSG_FMT and friends, which print into
 * a buffer inside the extack) arrived in 6.2.  Before, the message is
 * formatted into one of a ring of module buffers (compat.c): it is copied
 * into the ACK right after the handler returns, long before the ring wraps.
 *
 * A dump's parsed request attributes moved into a struct genl_info inside
 * struct genl_dumpit_info in 6.6 (genl_info_dump()).
 *
 * nla_put_uint() (the "uint" attribute type) arrived in 6.7; before, the same
 * encoding (4 bytes when the value fits, else 8) is written here.
 *
 * The tests read "KERNEL_VERSION(x) > LINUX_VERSION_CODE": x is newer than
 * the kernel built for.
 */
#ifndef _IOFAIR_COMPAT_H
#define _IOFAIR_COMPAT_H

#include <linux/version.h>

#if KERNEL_VERSION(6, 2, 0) > LINUX_VERSION_CODE
#define IOFAIR_GENL_NO_SPLIT_OPS 1
#define genl_split_ops genl_ops
#define split_ops ops
#define n_split_ops n_ops
#endif

#if KERNEL_VERSION(6, 2, 0) > LINUX_VERSION_CODE
/* Before 6.2 the policy's range pointer is not const; the generated ranges are. */
#include <net/netlink.h>
#undef NLA_POLICY_FULL_RANGE
#define NLA_POLICY_FULL_RANGE(tp, _range) {				\
	.type = NLA_ENSURE_UINT_OR_BINARY_TYPE(tp),			\
	.validation_type = NLA_VALIDATE_RANGE_PTR,			\
	.range = (struct netlink_range_validation *)(_range),		\
}

#include <linux/compiler.h>
const char *iofair_compat_fmt(const char *fmt, ...) __printf(1, 2);

#define NL_SET_ERR_MSG_FMT_MOD(extack, fmt, args...) do {			\
	struct netlink_ext_ack *__e = (extack);					\
	if (__e)								\
		__e->_msg = iofair_compat_fmt(KBUILD_MODNAME ": " fmt, ##args);	\
} while (0)

#define NL_SET_ERR_MSG_ATTR_FMT(extack, attr, fmt, args...) do {		\
	struct netlink_ext_ack *__e = (extack);					\
	if (__e) {								\
		__e->_msg = iofair_compat_fmt(fmt, ##args);			\
		__e->bad_attr = (attr);						\
	}									\
} while (0)
#endif

#include <net/genetlink.h>
#if KERNEL_VERSION(6, 6, 0) > LINUX_VERSION_CODE
static inline struct nlattr **iofair_dump_attrs(struct netlink_callback *cb)
{
	return genl_dumpit_info(cb)->attrs;
}
#else
static inline struct nlattr **iofair_dump_attrs(struct netlink_callback *cb)
{
	return genl_info_dump(cb)->attrs;
}
#endif

#if KERNEL_VERSION(6, 7, 0) > LINUX_VERSION_CODE
#include <net/netlink.h>
static inline int nla_put_uint(struct sk_buff *skb, int attrtype, u64 value)
{
	u64 tmp = value;

	if (value == (u32)value)
		return nla_put_u32(skb, attrtype, value);
	return nla_put_64bit(skb, attrtype, sizeof(u64), &tmp, 0);
}
#endif

#endif /* _IOFAIR_COMPAT_H */
