// SPDX-License-Identifier: GPL-2.0
/*
 * The iofair family's version op over raw generic netlink (no library):
 * the reply's contents, and refusals with their exact errno and extack text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/genetlink.h>
#include <linux/iofair.h>
#include <linux/netlink.h>

#include "kselftest_harness.h"

#define BUFSZ 16384

struct nlreply {
	int error;			/* 0, or the kernel's negative errno */
	char extack[256];		/* NLMSGERR_ATTR_MSG, if any */
	struct nlattr *attrs;		/* first reply message's attributes */
	int attrs_len;
	char buf[BUFSZ];
};

static int nl_open(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	int one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return fd;
}

static int nl_send(int fd, int family, int cmd, int flags, int reserved,
		   const void *attrs, int attrs_len)
{
	struct {
		struct nlmsghdr nlh;
		struct genlmsghdr g;
		char attrs[512];
	} req = {};

	req.nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + attrs_len;
	req.nlh.nlmsg_type = family;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	req.nlh.nlmsg_seq = 1;
	req.g.cmd = cmd;
	req.g.version = 1;
	req.g.reserved = reserved;
	memcpy(req.attrs, attrs, attrs_len);
	return send(fd, &req, req.nlh.nlmsg_len, 0) < 0 ? -errno : 0;
}

/* Read until the ACK or error; keep the first reply's attributes. */
static int nl_recv(int fd, struct nlreply *r)
{
	bool first = true;

	memset(r, 0, sizeof(*r));
	for (;;) {
		char *buf = first ? r->buf : r->buf + BUFSZ / 2;
		int len = recv(fd, buf, BUFSZ / 2, 0);
		struct nlmsghdr *nlh;

		if (len < 0)
			return -errno;
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nlh);
				int off = NLMSG_HDRLEN + sizeof(*e);
				struct nlattr *a;

				r->error = e->error;
				if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
					off += e->msg.nlmsg_len - NLMSG_HDRLEN;
				for (a = (struct nlattr *)((char *)nlh + off);
				     (char *)a + sizeof(*a) <= (char *)nlh + nlh->nlmsg_len &&
				     a->nla_len >= sizeof(*a);
				     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))
					if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG)
						snprintf(r->extack, sizeof(r->extack), "%s",
							 (char *)a + NLA_HDRLEN);
				return 0;
			}
			if (nlh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (first) {
				r->attrs = (struct nlattr *)((char *)NLMSG_DATA(nlh) + GENL_HDRLEN);
				r->attrs_len = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
				first = false;
			}
		}
	}
}

#define for_each_attr(a, head, len)						\
	for (a = (head); (char *)a + sizeof(*a) <= (char *)(head) + (len) &&	\
	     a->nla_len >= sizeof(*a);						\
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))

static struct nlattr *attr_find(struct nlattr *head, int len, int type)
{
	struct nlattr *a;

	for_each_attr(a, head, len)
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
	return NULL;
}

static void *attr_data(struct nlattr *a)
{
	return (char *)a + NLA_HDRLEN;
}

/* Family id of "iofair", or -1. */
static int resolve_family(int fd)
{
	struct {
		struct nlattr a;
		char name[sizeof(IOFAIR_FAMILY_NAME)];
	} __attribute__((packed)) req = {
		.a = { .nla_len = NLA_HDRLEN + sizeof(IOFAIR_FAMILY_NAME),
		       .nla_type = CTRL_ATTR_FAMILY_NAME },
		.name = IOFAIR_FAMILY_NAME,
	};
	static struct nlreply r;
	struct nlattr *id;

	if (nl_send(fd, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, 0, &req, NLA_ALIGN(sizeof(req))) ||
	    nl_recv(fd, &r) || r.error || !r.attrs)
		return -1;
	id = attr_find(r.attrs, r.attrs_len, CTRL_ATTR_FAMILY_ID);
	return id ? *(__u16 *)attr_data(id) : -1;
}

FIXTURE(iofair) {
	int fd;
	int family;
	struct nlreply r;
};

FIXTURE_SETUP(iofair)
{
	self->fd = nl_open();
	ASSERT_GE(self->fd, 0);
	self->family = resolve_family(self->fd);
	if (self->family < 0) {
		const char *ko = getenv("IOFAIR_KO");
		char cmd[512];

		snprintf(cmd, sizeof(cmd), ko ? "insmod %s" : "modprobe -q %s", ko ? ko : "iofair");
		if (system(cmd) && !ko)
			SKIP(return, "iofair module not available (set IOFAIR_KO)");
		self->family = resolve_family(self->fd);
	}
	ASSERT_GE(self->family, 0);
}

FIXTURE_TEARDOWN(iofair)
{
	close(self->fd);
}

TEST_F(iofair, version_get)
{
	struct nlattr *a, *p;
	struct utsname u;
	int probes = 0;

	ASSERT_EQ(0, nl_send(self->fd, self->family, IOFAIR_CMD_VERSION_GET, 0, 0, NULL, 0));
	ASSERT_EQ(0, nl_recv(self->fd, &self->r));
	ASSERT_EQ(0, self->r.error);
	ASSERT_NE(NULL, self->r.attrs);

	a = attr_find(self->r.attrs, self->r.attrs_len, IOFAIR_A_VERSION_VERSION);
	ASSERT_NE(NULL, a);
	EXPECT_GT(strlen(attr_data(a)), 0);
	EXPECT_LT(strlen(attr_data(a)), IOFAIR_VERSION_LEN);

	ASSERT_EQ(0, uname(&u));
	a = attr_find(self->r.attrs, self->r.attrs_len, IOFAIR_A_VERSION_KERNEL_RELEASE);
	ASSERT_NE(NULL, a);
	EXPECT_STREQ(u.release, (char *)attr_data(a));

	a = attr_find(self->r.attrs, self->r.attrs_len, IOFAIR_A_VERSION_VHOST_WORKER);
	ASSERT_NE(NULL, a);
	EXPECT_NE(IOFAIR_VHOST_WORKER_UNKNOWN, *(__u32 *)attr_data(a));

	a = attr_find(self->r.attrs, self->r.attrs_len, IOFAIR_A_VERSION_HOOKS);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(0, *(__u32 *)attr_data(a) & ~(IOFAIR_HOOK_NF_INGRESS | IOFAIR_HOOK_NF_EGRESS |
						 IOFAIR_HOOK_KPROBES));

	for_each_attr(a, self->r.attrs, self->r.attrs_len) {
		if ((a->nla_type & NLA_TYPE_MASK) != IOFAIR_A_VERSION_PROBE)
			continue;
		EXPECT_TRUE(a->nla_type & NLA_F_NESTED);
		p = attr_find(attr_data(a), a->nla_len - NLA_HDRLEN, IOFAIR_A_PROBE_NAME);
		EXPECT_NE(NULL, p);
		p = attr_find(attr_data(a), a->nla_len - NLA_HDRLEN, IOFAIR_A_PROBE_STATE);
		ASSERT_NE(NULL, p);
		EXPECT_LE(*(__u32 *)attr_data(p), IOFAIR_PROBE_STATE_MISSING);
		probes++;
	}
	EXPECT_GE(probes, 4);
}

/* The version op has no dump. */
TEST_F(iofair, version_dump_refused)
{
	ASSERT_EQ(0, nl_send(self->fd, self->family, IOFAIR_CMD_VERSION_GET, NLM_F_DUMP, 0, NULL, 0));
	ASSERT_EQ(0, nl_recv(self->fd, &self->r));
	EXPECT_EQ(-EOPNOTSUPP, self->r.error);
}

TEST_F(iofair, unknown_command_refused)
{
	ASSERT_EQ(0, nl_send(self->fd, self->family, 200, 0, 0, NULL, 0));
	ASSERT_EQ(0, nl_recv(self->fd, &self->r));
	EXPECT_EQ(-EOPNOTSUPP, self->r.error);
}

/* The genetlink header's reserved field must be zero: the kernel says why. */
TEST_F(iofair, reserved_header_refused)
{
	ASSERT_EQ(0, nl_send(self->fd, self->family, IOFAIR_CMD_VERSION_GET, 0, 1, NULL, 0));
	ASSERT_EQ(0, nl_recv(self->fd, &self->r));
	EXPECT_EQ(-EINVAL, self->r.error);
	EXPECT_NE(0, self->r.extack[0]);
	TH_LOG("extack: %s", self->r.extack);
}

/* Reading the version needs no privilege. */
TEST_F(iofair, version_unprivileged)
{
	pid_t pid = fork();
	int status;

	ASSERT_GE(pid, 0);
	if (!pid) {
		int fd;

		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(2);
		fd = nl_open();
		if (fd < 0 || nl_send(fd, self->family, IOFAIR_CMD_VERSION_GET, 0, 0, NULL, 0) ||
		    nl_recv(fd, &self->r))
			_exit(3);
		_exit(self->r.error ? 4 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
