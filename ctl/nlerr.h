/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iofairctl: the kernel's refusals in the user's words -- the extended ACK
 * parsed, the attribute it points at found in our request and named by the
 * keyword it came from, a range refusal phrased with the policy's bounds.
 */
#ifndef IOFAIRCTL_NLERR_H
#define IOFAIRCTL_NLERR_H

#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>

/* What an extended ACK says (pointers into the ACK). */
struct ctl_ext_ack {
	const char *msg;		/* NLMSGERR_ATTR_MSG, or NULL */
	int off;			/* NLMSGERR_ATTR_OFFS into the request, or -1 */
	const struct nlattr *policy;	/* NLMSGERR_ATTR_POLICY, or NULL */
};

/* The TLVs @off bytes into the payload of @nlh (an error, an ACK or a DONE). */
void ctl_ext_ack_parse(const struct nlmsghdr *nlh, size_t off, struct ctl_ext_ack *ea);

/*
 * Into @buf, the kernel's refusal (@error < 0) or warning of request @req
 * (NULL: not known): "WORD: VALUE is out of range MIN..MAX" when it refused
 * a value by its policy's range, "WORD: MESSAGE" when it pointed at an
 * attribute the CLI knows the keyword of, "MESSAGE", or the errno's text.
 */
void ctl_ext_ack_format(char *buf, size_t len, int error, const struct ctl_ext_ack *ea,
			const struct nlmsghdr *req);

/* How a keyword's value is spelled back. */
enum attr_fmt { AW_NUM, AW_RATE, AW_SIZE, AW_MS, AW_PCT };

struct attr_word {
	uint8_t set;		/* the attribute set (attrwords.c) */
	uint16_t type;
	const char *word;	/* the keyword; NULL: none the user typed (ids, names) */
	enum attr_fmt fmt;
	uint8_t nest;		/* the set of its nested attributes, or 0 */
};

/*
 * The keyword of the attribute at @path (the types of the nests it is in,
 * then its own, @depth in all) of a request of command @cmd, or NULL.
 */
const struct attr_word *attr_word(uint8_t cmd, const uint16_t *path, int depth);

#endif /* IOFAIRCTL_NLERR_H */
