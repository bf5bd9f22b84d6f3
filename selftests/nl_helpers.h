/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small raw generic-netlink layer for the iofair selftests (no library):
 * build a request with attributes and nests, send it, collect every reply
 * message and the kernel's ACK with its extack (message, offending
 * attribute offset, missing attribute), read attributes back, listen to a
 * multicast group.
 */
#ifndef _IOFAIR_NL_HELPERS_H
#define _IOFAIR_NL_HELPERS_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#define NL_REQ_SIZE	4096
#define NL_BUF_SIZE	(256 * 1024)
#define NL_MAX_MSGS	1024

/* A request: netlink header, genetlink header, attributes. */
struct nl_req {
	union {
		struct nlmsghdr nlh;
		char buf[NL_REQ_SIZE];
	};
	int nest[8];		/* offsets of the open nests */
	int depth;
};

/* One message of a reply. */
struct nl_msg {
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;
	struct nlattr *attrs;
	int attrs_len;
};

/* Everything the kernel answered to one request. */
struct nl_reply {
	int error;		/* 0, or the kernel's negative errno */
	bool acked;		/* an NLMSG_ERROR (ACK) or NLMSG_DONE came */
	char extack[256];	/* NLMSGERR_ATTR_MSG, "" if none */
	int offs;		/* NLMSGERR_ATTR_OFFS, -1 if none */
	int miss_type;		/* NLMSGERR_ATTR_MISS_TYPE, -1 if none */
	int n;			/* reply messages (not counting ACK/DONE) */
	struct nl_msg msg[NL_MAX_MSGS];
	size_t used;
	char buf[NL_BUF_SIZE];
};

int nl_open(void);
/* Family id of @name and, if @grp is given, the id of its multicast group
 * @grp_name (or -1): -1 when the family does not resolve.
 */
int nl_resolve(int fd, const char *name, const char *grp_name, int *grp);
/* nl_resolve for "iofair"; loads the module ($IOFAIR_KO, else modprobe)
 * when the family is not registered.  -1 when it cannot be had.
 */
/* The iofair family's id, loading the module when it is not there:
 * $IOFAIR_KO with insmod, or iofair with modprobe.  -1: no module to load
 * (a test may skip); -2: $IOFAIR_KO was given and did not load (a failure,
 * said on stderr).
 */
int nl_iofair_family(int fd, int *events_grp);

void nl_req_init(struct nl_req *m, int family, int cmd, int flags);
/* Each put returns the attribute's offset from the netlink header. */
int nl_put(struct nl_req *m, int type, const void *data, int len);
int nl_put_u8(struct nl_req *m, int type, uint8_t v);
int nl_put_u32(struct nl_req *m, int type, uint32_t v);
int nl_put_u64(struct nl_req *m, int type, uint64_t v);
int nl_put_str(struct nl_req *m, int type, const char *s);
int nl_nest_start(struct nl_req *m, int type);
void nl_nest_end(struct nl_req *m);

/* Send @m, read everything up to its ACK or DONE into @r.  0 or -errno
 * of the socket calls; the kernel's answer is in r->error.
 */
int nl_talk(int fd, struct nl_req *m, struct nl_reply *r);
/* nl_talk, then the kernel's answer: 0 or -errno; NL_SOCKET_ERR (said on
 * stderr) when the socket calls failed.
 */
#define NL_SOCKET_ERR	(-10000)
int nl_ask(int fd, struct nl_req *m, struct nl_reply *r);
/* The u32 attribute @type of reply message @i, or @none without one. */
uint32_t nl_reply_u32(const struct nl_reply *r, int i, int type, uint32_t none);
/* Wait up to @timeout_ms for one notification; 1 when @ev holds one,
 * 0 on timeout, -errno.  @r keeps the buffer.
 */
int nl_recv_event(int fd, int timeout_ms, struct nl_reply *r, struct nl_msg *ev);

/* The error and extack of one NLMSG_ERROR or NLMSG_DONE message @nlh into
 * @r's error, extack, offs and miss_type (its messages are left alone).
 */
void nl_ack_parse(struct nl_reply *r, struct nlmsghdr *nlh);

struct nlattr *nl_attr(const struct nlattr *head, int len, int type);
struct nlattr *nl_msg_attr(const struct nl_msg *msg, int type);
/* Inside the nest @nest. */
struct nlattr *nl_nested(const struct nlattr *nest, int type);
int nl_attr_count(const struct nlattr *head, int len, int type);
void *nl_data(const struct nlattr *a);
int nl_len(const struct nlattr *a);
uint8_t nl_u8(const struct nlattr *a);
uint32_t nl_u32(const struct nlattr *a);
uint64_t nl_u64(const struct nlattr *a);
/* "uint": 4 or 8 bytes. */
uint64_t nl_uint(const struct nlattr *a);

#define nl_for_each_attr(a, head, len)						\
	for (a = (struct nlattr *)(head);					\
	     (char *)a + sizeof(*a) <= (char *)(head) + (len) &&		\
	     a->nla_len >= sizeof(*a) &&					\
	     (char *)a + a->nla_len <= (char *)(head) + (len);			\
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))

#endif /* _IOFAIR_NL_HELPERS_H */
