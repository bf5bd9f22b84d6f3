// SPDX-License-Identifier: GPL-2.0
/*
 * Raw generic netlink for the iofair selftests: see nl_helpers.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/iofair.h>

#include "nl_helpers.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

int nl_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1, size = 1 << 20;

	if (fd < 0)
		return -1;
	/* A port id now: multicast skips sockets whose port id is the
	 * sender's, and the kernel sends with 0, an unbound socket's.
	 */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	if (setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one))) {
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	return fd;
}

void nl_req_init(struct nl_req *m, int family, int cmd, int flags)
{
	struct genlmsghdr *g;

	memset(m, 0, sizeof(*m));
	m->nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->nlh.nlmsg_type = family;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	g = NLMSG_DATA(&m->nlh);
	g->cmd = cmd;
	g->version = 1;
}

int nl_put(struct nl_req *m, int type, const void *data, int len)
{
	int off = NLMSG_ALIGN(m->nlh.nlmsg_len);
	struct nlattr *a = (struct nlattr *)(m->buf + off);

	if (off + NLA_HDRLEN + NLA_ALIGN(len) > NL_REQ_SIZE) {
		fprintf(stderr, "nl_put: request too big\n");
		abort();
	}
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	memset((char *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	m->nlh.nlmsg_len = off + NLA_HDRLEN + NLA_ALIGN(len);
	return off;
}

int nl_put_u8(struct nl_req *m, int type, uint8_t v)
{
	return nl_put(m, type, &v, sizeof(v));
}

int nl_put_u32(struct nl_req *m, int type, uint32_t v)
{
	return nl_put(m, type, &v, sizeof(v));
}

int nl_put_u64(struct nl_req *m, int type, uint64_t v)
{
	return nl_put(m, type, &v, sizeof(v));
}

int nl_put_str(struct nl_req *m, int type, const char *s)
{
	return nl_put(m, type, s, strlen(s) + 1);
}

int nl_nest_start(struct nl_req *m, int type)
{
	int off = nl_put(m, type | NLA_F_NESTED, NULL, 0);

	m->nest[m->depth++] = off;
	return off;
}

void nl_nest_end(struct nl_req *m)
{
	int off = m->nest[--m->depth];
	struct nlattr *a = (struct nlattr *)(m->buf + off);

	a->nla_len = m->nlh.nlmsg_len - off;
}

struct nlattr *nl_attr(const struct nlattr *head, int len, int type)
{
	struct nlattr *a;

	if (!head)
		return NULL;
	nl_for_each_attr(a, head, len)
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
	return NULL;
}

int nl_attr_count(const struct nlattr *head, int len, int type)
{
	struct nlattr *a;
	int n = 0;

	if (!head)
		return 0;
	nl_for_each_attr(a, head, len)
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			n++;
	return n;
}

struct nlattr *nl_msg_attr(const struct nl_msg *msg, int type)
{
	return nl_attr(msg->attrs, msg->attrs_len, type);
}

struct nlattr *nl_nested(const struct nlattr *nest, int type)
{
	return nest ? nl_attr(nl_data(nest), nl_len(nest), type) : NULL;
}

void *nl_data(const struct nlattr *a)
{
	return (char *)a + NLA_HDRLEN;
}

int nl_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

uint8_t nl_u8(const struct nlattr *a)
{
	return *(uint8_t *)nl_data(a);
}

uint32_t nl_u32(const struct nlattr *a)
{
	uint32_t v;

	memcpy(&v, nl_data(a), sizeof(v));
	return v;
}

uint64_t nl_u64(const struct nlattr *a)
{
	uint64_t v;

	memcpy(&v, nl_data(a), sizeof(v));
	return v;
}

uint64_t nl_uint(const struct nlattr *a)
{
	return nl_len(a) == 8 ? nl_u64(a) : nl_u32(a);
}

/* The extack TLVs of an NLMSG_ERROR or NLMSG_DONE message. */
static void nl_parse_ack(struct nl_reply *r, struct nlmsghdr *nlh)
{
	struct nlattr *tlvs, *a;
	int off, len;

	if (nlh->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = NLMSG_DATA(nlh);

		r->error = e->error;
		off = NLMSG_HDRLEN + sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	} else {
		memcpy(&r->error, NLMSG_DATA(nlh), sizeof(int));
		off = NLMSG_HDRLEN + sizeof(int);
	}
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off >= (int)nlh->nlmsg_len)
		return;
	tlvs = (struct nlattr *)((char *)nlh + off);
	len = nlh->nlmsg_len - off;
	nl_for_each_attr(a, tlvs, len) {
		switch (a->nla_type & NLA_TYPE_MASK) {
		case NLMSGERR_ATTR_MSG:
			snprintf(r->extack, sizeof(r->extack), "%.*s", nl_len(a),
				 (char *)nl_data(a));
			break;
		case NLMSGERR_ATTR_OFFS:
			r->offs = nl_u32(a);
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			r->miss_type = nl_u32(a);
			break;
		}
	}
}

void nl_ack_parse(struct nl_reply *r, struct nlmsghdr *nlh)
{
	r->error = 0;
	r->extack[0] = 0;
	r->offs = -1;
	r->miss_type = -1;
	nl_parse_ack(r, nlh);
	r->acked = true;
}

static void nl_reply_reset(struct nl_reply *r)
{
	r->error = 0;
	r->acked = false;
	r->extack[0] = 0;
	r->offs = -1;
	r->miss_type = -1;
	r->n = 0;
	r->used = 0;
}

/* Keep one data message; false when there is no room left. */
static bool nl_keep(struct nl_reply *r, struct nlmsghdr *nlh)
{
	struct nl_msg *msg;

	if (r->n == NL_MAX_MSGS)
		return false;
	msg = &r->msg[r->n++];
	msg->nlh = nlh;
	msg->genl = NLMSG_DATA(nlh);
	msg->attrs = (struct nlattr *)((char *)NLMSG_DATA(nlh) + GENL_HDRLEN);
	msg->attrs_len = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	return true;
}

int nl_ask(int fd, struct nl_req *m, struct nl_reply *r)
{
	int err = nl_talk(fd, m, r);

	if (err) {
		fprintf(stderr, "# netlink socket error %d\n", err);
		return NL_SOCKET_ERR;
	}
	return r->error;
}

uint32_t nl_reply_u32(const struct nl_reply *r, int i, int type, uint32_t none)
{
	struct nlattr *a = i < r->n ? nl_msg_attr(&r->msg[i], type) : NULL;

	return a ? nl_u32(a) : none;
}

int nl_talk(int fd, struct nl_req *m, struct nl_reply *r)
{
	static uint32_t seq;

	nl_reply_reset(r);
	m->nlh.nlmsg_seq = ++seq;
	if (send(fd, &m->nlh, m->nlh.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		char *buf = r->buf + r->used;
		struct nlmsghdr *nlh;
		int len;

		if (NL_BUF_SIZE - r->used < 65536)
			return -ENOBUFS;
		len = recv(fd, buf, NL_BUF_SIZE - r->used, 0);
		if (len < 0)
			return -errno;
		r->used += NLMSG_ALIGN(len);
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_seq != m->nlh.nlmsg_seq)
				continue;	/* a notification, or stale */
			if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE) {
				nl_parse_ack(r, nlh);
				/* A dump ends with DONE (no ACK follows),
				 * a dump that fails to start and a do
				 * request with an ACK or an error.
				 */
				r->acked = true;
				return 0;
			}
			if (!nl_keep(r, nlh))
				return -ENOBUFS;
		}
	}
}

int nl_recv_event(int fd, int timeout_ms, struct nl_reply *r, struct nl_msg *ev)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct nlmsghdr *nlh;
	int len;

	nl_reply_reset(r);
	for (;;) {
		len = poll(&p, 1, timeout_ms);
		if (len < 0)
			return -errno;
		if (!len)
			return 0;
		len = recv(fd, r->buf, NL_BUF_SIZE, 0);
		if (len < 0)
			return -errno;
		for (nlh = (struct nlmsghdr *)r->buf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_type < NLMSG_MIN_TYPE || nlh->nlmsg_seq)
				continue;
			nl_keep(r, nlh);
			*ev = r->msg[0];
			/* One message per datagram for notifications. */
			return 1;
		}
	}
}

int nl_resolve(int fd, const char *name, const char *grp_name, int *grp)
{
	struct nl_reply *r = malloc(sizeof(*r));
	struct nlattr *id, *grps, *g;
	struct nl_req m;
	int family = -1;

	if (grp)
		*grp = -1;
	if (!r)
		return -1;
	nl_req_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	nl_put_str(&m, CTRL_ATTR_FAMILY_NAME, name);
	if (nl_talk(fd, &m, r) || r->error || !r->n)
		goto out;
	id = nl_msg_attr(&r->msg[0], CTRL_ATTR_FAMILY_ID);
	if (!id)
		goto out;
	family = *(uint16_t *)nl_data(id);
	grps = nl_msg_attr(&r->msg[0], CTRL_ATTR_MCAST_GROUPS);
	if (!grp || !grps)
		goto out;
	nl_for_each_attr(g, nl_data(grps), nl_len(grps)) {
		struct nlattr *gn = nl_nested(g, CTRL_ATTR_MCAST_GRP_NAME);
		struct nlattr *gi = nl_nested(g, CTRL_ATTR_MCAST_GRP_ID);

		if (gn && gi && !strcmp(nl_data(gn), grp_name))
			*grp = nl_u32(gi);
	}
out:
	free(r);
	return family;
}

int nl_iofair_family(int fd, int *events_grp)
{
	const char *ko = getenv("IOFAIR_KO");
	char cmd[512];
	int family, rc;

	family = nl_resolve(fd, IOFAIR_FAMILY_NAME, IOFAIR_MCGRP_EVENTS, events_grp);
	if (family >= 0)
		return family;
	/* insmod fails when another test loaded it meanwhile: the family is
	 * what counts.
	 */
	snprintf(cmd, sizeof(cmd), ko ? "insmod %s" : "modprobe -q %s",
		 ko ? ko : "iofair");
	rc = system(cmd);
	family = nl_resolve(fd, IOFAIR_FAMILY_NAME, IOFAIR_MCGRP_EVENTS, events_grp);
	if (family >= 0 || !ko)
		return family;
	fprintf(stderr, "'%s' exited with %d and left no %s family\n", cmd,
		rc == -1 ? -1 : WEXITSTATUS(rc), IOFAIR_FAMILY_NAME);
	return -2;
}
