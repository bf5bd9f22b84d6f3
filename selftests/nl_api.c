// SPDX-License-Identifier: GPL-2.0
/*
 * The iofair generic netlink API over raw netlink (nl_helpers.[ch]), each
 * test in a network namespace of its own:
 *
 *   netns of the test
 *   +-----------------------------------------------------+
 *   |  v0 <-> v1   v2 <-> v3   v4 <-> v5   (veth, down)   |
 *   |  tap0        (persistent tap, nobody serves it)     |
 *   +-----------------------------------------------------+
 *
 * Refusals: the exact errno and the extack (message, or the missing
 * attribute) for policy violations, unknown objects, broken tree rules and
 * missing privileges.  Valid paths: the tree, targets, dumps and their
 * filters, stats snapshots, the controller, histograms, events, and
 * namespace isolation.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/iofair.h>

#include "kselftest_harness.h"
#include "nl_helpers.h"

#define NOBODY		65534
#define NOID		999999
#define GBIT		1000000000ULL
#define MBIT		1000000ULL

FIXTURE(api) {
	int fd;
	int family;
	int grp;
	int v0, v2, v4, tap, lo;
	struct nl_reply *r;
	struct nl_req m;
};

FIXTURE_SETUP(api)
{
	self->fd = -1;
	self->r = malloc(sizeof(*self->r));
	ASSERT_NE(NULL, self->r);
	if (geteuid())
		SKIP(return, "must run as root");
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	self->fd = nl_open();
	ASSERT_LE(0, self->fd);
	self->family = nl_iofair_family(self->fd, &self->grp);
	if (self->family == -1)
		SKIP(return, "iofair module not available (set IOFAIR_KO)");
	ASSERT_LE(0, self->family);
	ASSERT_LE(0, self->grp);
	ASSERT_EQ(0, system("modprobe -q tun veth; "
			    "ip link add v0 type veth peer name v1 && "
			    "ip link add v2 type veth peer name v3 && "
			    "ip link add v4 type veth peer name v5 && "
			    "ip tuntap add dev tap0 mode tap"));
	self->v0 = if_nametoindex("v0");
	self->v2 = if_nametoindex("v2");
	self->v4 = if_nametoindex("v4");
	self->tap = if_nametoindex("tap0");
	self->lo = if_nametoindex("lo");
	ASSERT_TRUE(self->v0 && self->v2 && self->v4 && self->tap && self->lo);
}

FIXTURE_TEARDOWN(api)
{
	/* The namespace and everything in it go with the test's process. */
	if (self->fd >= 0)
		close(self->fd);
	free(self->r);
}

/* ---- request helpers ---------------------------------------------------- */

static void req(FIXTURE_DATA(api) *self, int cmd, int flags)
{
	nl_req_init(&self->m, self->family, cmd, flags);
}

/* Send self->m on @fd; the kernel's answer (0 or -errno). */
static int talk_fd(FIXTURE_DATA(api) *self, int fd)
{
	return nl_ask(fd, &self->m, self->r);
}

static int talk(FIXTURE_DATA(api) *self)
{
	return talk_fd(self, self->fd);
}

static uint32_t reply_u32(FIXTURE_DATA(api) *self, int i, int type)
{
	return nl_reply_u32(self->r, i, type, 0xdeadbeef);
}

static void put_policy(struct nl_req *m, int type, uint64_t min, uint64_t max,
		       uint32_t weight)
{
	nl_nest_start(m, type);
	if (min != (uint64_t)-1)
		nl_put_u64(m, IOFAIR_A_POLICY_BW_MIN, min);
	if (max != (uint64_t)-1)
		nl_put_u64(m, IOFAIR_A_POLICY_BW_MAX, max);
	if (weight)
		nl_put_u32(m, IOFAIR_A_POLICY_WEIGHT, weight);
	nl_nest_end(m);
}

#define NOPOL	((uint64_t)-1)

/* node-new: the new id, or -errno. */
static int node_new(FIXTURE_DATA(api) *self, const char *name, int parent,
		    uint64_t capacity, uint64_t min, uint64_t max, int kind)
{
	int err;

	req(self, IOFAIR_CMD_NODE_NEW, 0);
	nl_put_str(&self->m, IOFAIR_A_NODE_NAME, name);
	if (parent)
		nl_put_u32(&self->m, IOFAIR_A_NODE_PARENT, parent);
	if (capacity)
		nl_put_u64(&self->m, IOFAIR_A_NODE_CAPACITY, capacity);
	if (kind >= 0)
		nl_put_u32(&self->m, IOFAIR_A_NODE_KIND, kind);
	if (min != NOPOL || max != NOPOL)
		put_policy(&self->m, IOFAIR_A_NODE_POLICY, min, max, 0);
	err = talk(self);
	if (err)
		return err;
	return self->r->n == 1 ? (int)reply_u32(self, 0, IOFAIR_A_NODE_ID) : -10001;
}

/* target-add by ifindex: the new id, or -errno. */
static int target_add(FIXTURE_DATA(api) *self, int kind, int ifindex, int node,
		      uint32_t hist)
{
	int err;

	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, kind);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_IFINDEX, ifindex);
	if (node)
		nl_put_u32(&self->m, IOFAIR_A_TARGET_NODE, node);
	if (hist)
		nl_put_u32(&self->m, IOFAIR_A_TARGET_HIST, hist);
	err = talk(self);
	if (err)
		return err;
	return self->r->n == 1 ? (int)reply_u32(self, 0, IOFAIR_A_TARGET_ID) : -10001;
}

/* An op with a single u32 attribute. */
static int op_u32(FIXTURE_DATA(api) *self, int cmd, int flags, int type, uint32_t v)
{
	req(self, cmd, flags);
	nl_put_u32(&self->m, type, v);
	return talk(self);
}

/* The last request failed with -@err and said why in a message. */
#define EXPECT_NLERR(_err)							\
	do {									\
		EXPECT_EQ(-(_err), self->r->error)				\
			TH_LOG("line %d: extack '%s'", __LINE__, self->r->extack); \
		EXPECT_NE(0, self->r->extack[0])				\
			TH_LOG("line %d: no extack message for errno %d", __LINE__, _err); \
	} while (0)

/* The last request failed with EINVAL naming the missing attribute @type. */
#define EXPECT_MISSING(_type)							\
	do {									\
		EXPECT_EQ(-EINVAL, self->r->error)				\
			TH_LOG("line %d: extack '%s'", __LINE__, self->r->extack); \
		EXPECT_EQ((_type), self->r->miss_type)				\
			TH_LOG("line %d: missing-attribute type %d, not %d",	\
			       __LINE__, self->r->miss_type, _type);		\
	} while (0)

/* ---- refusals ------------------------------------------------------------ */

TEST_F(api, missing_attrs)
{
	int root;

	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_IFINDEX, self->v0);
	talk(self);
	EXPECT_MISSING(IOFAIR_A_TARGET_KIND);

	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
	talk(self);
	EXPECT_MISSING(IOFAIR_A_TARGET_IFINDEX);
	EXPECT_NE(0, self->r->extack[0]);

	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_VF);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_IFINDEX, self->v0);
	talk(self);
	EXPECT_MISSING(IOFAIR_A_TARGET_VF);

	req(self, IOFAIR_CMD_NODE_NEW, 0);
	nl_put_u64(&self->m, IOFAIR_A_NODE_CAPACITY, GBIT);
	talk(self);
	EXPECT_MISSING(IOFAIR_A_NODE_NAME);

	static const int target_ops[] = {
		IOFAIR_CMD_TARGET_DEL, IOFAIR_CMD_TARGET_SET, IOFAIR_CMD_TARGET_GET,
	};
	static const int node_ops[] = {
		IOFAIR_CMD_NODE_DEL, IOFAIR_CMD_NODE_SET, IOFAIR_CMD_NODE_GET,
	};
	for (unsigned int i = 0; i < 3; i++) {
		req(self, target_ops[i], 0);
		talk(self);
		EXPECT_MISSING(IOFAIR_A_TARGET_ID);
		req(self, node_ops[i], 0);
		talk(self);
		EXPECT_MISSING(IOFAIR_A_NODE_ID);
	}
	req(self, IOFAIR_CMD_HIST_GET, 0);
	talk(self);
	EXPECT_MISSING(IOFAIR_A_HISTS_TARGET_ID);

	/* Nothing was made by any of them. */
	root = node_new(self, "r", 0, GBIT, NOPOL, NOPOL, -1);
	ASSERT_LT(0, root);
	req(self, IOFAIR_CMD_NODE_GET, NLM_F_DUMP);
	ASSERT_EQ(0, talk(self));
	EXPECT_EQ(1, self->r->n);
	req(self, IOFAIR_CMD_TARGET_GET, NLM_F_DUMP);
	ASSERT_EQ(0, talk(self));
	EXPECT_EQ(0, self->r->n);
}

TEST_F(api, strict_unknown_attrs)
{
	/* Above the op's maxattr. */
	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_IFINDEX, self->v0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_MAX + 5, 1);
	talk(self);
	EXPECT_NLERR(EINVAL);

	req(self, IOFAIR_CMD_NODE_NEW, 0);
	nl_put_str(&self->m, IOFAIR_A_NODE_NAME, "r");
	nl_put_u64(&self->m, IOFAIR_A_NODE_CAPACITY, GBIT);
	nl_put_u32(&self->m, IOFAIR_A_NODE_CHILDREN, 3);	/* reply only */
	talk(self);
	EXPECT_NLERR(EINVAL);

	req(self, IOFAIR_CMD_CONTROLLER_SET, 0);
	nl_put_u64(&self->m, IOFAIR_A_CONTROLLER_STEPS, 3);	/* reply only */
	talk(self);
	EXPECT_NLERR(EINVAL);

	/* In the attribute set, not in the op's request. */
	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_IFINDEX, self->v0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_ID, 7);
	talk(self);
	EXPECT_NLERR(EINVAL);

	req(self, IOFAIR_CMD_NODE_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_NODE_ID, 1);
	nl_put_str(&self->m, IOFAIR_A_NODE_NAME, "x");
	talk(self);
	EXPECT_NLERR(EINVAL);

	/* Inside the policy nest. */
	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_IFINDEX, self->v0);
	nl_nest_start(&self->m, IOFAIR_A_TARGET_POLICY);
	nl_put_u32(&self->m, IOFAIR_A_POLICY_MAX + 1, 1);
	nl_nest_end(&self->m);
	talk(self);
	EXPECT_NLERR(EINVAL);

	req(self, IOFAIR_CMD_TARGET_GET, NLM_F_DUMP);
	ASSERT_EQ(0, talk(self));
	EXPECT_EQ(0, self->r->n);
}

TEST_F(api, wrong_types_lengths)
{
	char name[64];

	/* u32 where u64 is expected, at the top and in the policy nest */
	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_IFINDEX, self->v0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_RX_BW_MAX, 1000);
	talk(self);
	EXPECT_NLERR(EINVAL);

	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_IFINDEX, self->v0);
	nl_nest_start(&self->m, IOFAIR_A_TARGET_POLICY);
	nl_put_u32(&self->m, IOFAIR_A_POLICY_BW_MAX, 1000);
	nl_nest_end(&self->m);
	talk(self);
	EXPECT_NLERR(EINVAL);

	req(self, IOFAIR_CMD_NODE_NEW, 0);
	nl_put_str(&self->m, IOFAIR_A_NODE_NAME, "r");
	nl_put_u32(&self->m, IOFAIR_A_NODE_CAPACITY, 1000);
	talk(self);
	EXPECT_NLERR(EINVAL);

	/* u64 where u32 is expected, u32 where u8 is */
	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u64(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_IFINDEX, self->v0);
	talk(self);
	EXPECT_NLERR(EINVAL);

	req(self, IOFAIR_CMD_CONTROLLER_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_CONTROLLER_ENABLED, 1);
	talk(self);
	EXPECT_NLERR(EINVAL);

	/* Over-long and unterminated strings */
	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
	nl_put_str(&self->m, IOFAIR_A_TARGET_IFNAME, "v0-is-too-long-x");	/* 16 */
	talk(self);
	EXPECT_NLERR(EINVAL);

	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
	nl_put(&self->m, IOFAIR_A_TARGET_IFNAME, "v0", 2);	/* no NUL */
	talk(self);
	EXPECT_NLERR(EINVAL);

	memset(name, 'n', 32);
	name[32] = 0;
	req(self, IOFAIR_CMD_NODE_NEW, 0);
	nl_put_str(&self->m, IOFAIR_A_NODE_NAME, name);
	nl_put_u64(&self->m, IOFAIR_A_NODE_CAPACITY, GBIT);
	talk(self);
	EXPECT_NLERR(EINVAL);

	/* 31 characters is the longest name. */
	name[31] = 0;
	EXPECT_LT(0, node_new(self, name, 0, GBIT, NOPOL, NOPOL, -1));
	/* 15 the longest ifname (a name that does not exist: ENODEV). */
	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
	nl_put_str(&self->m, IOFAIR_A_TARGET_IFNAME, "v0-is-too-long-");
	talk(self);
	EXPECT_NLERR(ENODEV);
}

/* The request built in self->m, with one attribute of the policy nest at @v. */
static int target_policy_attr(FIXTURE_DATA(api) *self, int type, uint64_t v, int len)
{
	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_IFINDEX, self->v0);
	nl_nest_start(&self->m, IOFAIR_A_TARGET_POLICY);
	if (len == 8)
		nl_put_u64(&self->m, type, v);
	else
		nl_put_u32(&self->m, type, v);
	nl_nest_end(&self->m);
	return talk(self);
}

static int target_add_attr(FIXTURE_DATA(api) *self, int kind, int type, uint64_t v, int len)
{
	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, kind);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_IFINDEX, self->v0);
	if (len == 8)
		nl_put_u64(&self->m, type, v);
	else if (len == 4)
		nl_put_u32(&self->m, type, v);
	else
		nl_put_u8(&self->m, type, v);
	return talk(self);
}

static int ctrl_set(FIXTURE_DATA(api) *self, int type, uint32_t v)
{
	return op_u32(self, IOFAIR_CMD_CONTROLLER_SET, 0, type, v);
}

TEST_F(api, out_of_range)
{
	target_policy_attr(self, IOFAIR_A_POLICY_WEIGHT, 0, 4);
	EXPECT_NLERR(ERANGE);
	target_policy_attr(self, IOFAIR_A_POLICY_WEIGHT, 65536, 4);
	EXPECT_NLERR(ERANGE);
	target_policy_attr(self, IOFAIR_A_POLICY_BW_MAX, IOFAIR_RATE_MAX + 1, 8);
	EXPECT_NLERR(ERANGE);
	target_policy_attr(self, IOFAIR_A_POLICY_BW_MIN, IOFAIR_RATE_MAX + 1, 8);
	EXPECT_NLERR(ERANGE);
	target_policy_attr(self, IOFAIR_A_POLICY_BURST, IOFAIR_BURST_MAX + 1, 4);
	EXPECT_NLERR(ERANGE);
	target_add_attr(self, IOFAIR_TARGET_KIND_DEV, IOFAIR_A_TARGET_RX_BW_MAX,
			IOFAIR_RATE_MAX + 1, 8);
	EXPECT_NLERR(ERANGE);
	target_add_attr(self, IOFAIR_TARGET_KIND_VF, IOFAIR_A_TARGET_VF, IOFAIR_VF_MAX + 1, 4);
	EXPECT_NLERR(ERANGE);
	target_add_attr(self, IOFAIR_TARGET_KIND_DEV, IOFAIR_A_TARGET_ENFORCE, 3, 4);
	EXPECT_NLERR(ERANGE);
	target_add_attr(self, IOFAIR_TARGET_KIND_DEV, IOFAIR_A_TARGET_OWNERSHIP, 2, 4);
	EXPECT_NLERR(ERANGE);
	target_add_attr(self, IOFAIR_TARGET_KIND_DEV, IOFAIR_A_TARGET_HOST_SIDE, 2, 1);
	EXPECT_NLERR(ERANGE);
	/* hist is a flag set: a bit past the last kind is not a range */
	target_add_attr(self, IOFAIR_TARGET_KIND_DEV, IOFAIR_A_TARGET_HIST, 1 << 6, 4);
	EXPECT_NLERR(EINVAL);
	/* an enum past its last entry */
	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, 3);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_IFINDEX, self->v0);
	talk(self);
	EXPECT_NLERR(ERANGE);
	req(self, IOFAIR_CMD_NODE_NEW, 0);
	nl_put_str(&self->m, IOFAIR_A_NODE_NAME, "r");
	nl_put_u64(&self->m, IOFAIR_A_NODE_CAPACITY, GBIT);
	nl_put_u32(&self->m, IOFAIR_A_NODE_KIND, 3);
	talk(self);
	EXPECT_NLERR(ERANGE);
	req(self, IOFAIR_CMD_NODE_NEW, 0);
	nl_put_str(&self->m, IOFAIR_A_NODE_NAME, "r");
	nl_put_u64(&self->m, IOFAIR_A_NODE_CAPACITY, IOFAIR_RATE_MAX + 1);
	talk(self);
	EXPECT_NLERR(ERANGE);
	op_u32(self, IOFAIR_CMD_STATS_GET, NLM_F_DUMP, IOFAIR_A_STATS_KIND, 3);
	EXPECT_NLERR(ERANGE);
	req(self, IOFAIR_CMD_HIST_GET, 0);
	nl_put_u32(&self->m, IOFAIR_A_HISTS_TARGET_ID, 1);
	nl_put_u32(&self->m, IOFAIR_A_HISTS_KIND, 6);
	talk(self);
	EXPECT_NLERR(ERANGE);
	/* ids start at 1 */
	op_u32(self, IOFAIR_CMD_TARGET_GET, 0, IOFAIR_A_TARGET_ID, 0);
	EXPECT_NLERR(ERANGE);
	op_u32(self, IOFAIR_CMD_NODE_DEL, 0, IOFAIR_A_NODE_ID, 0);
	EXPECT_NLERR(ERANGE);
	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_IFINDEX, 0);
	talk(self);
	EXPECT_NLERR(ERANGE);

	/* the controller */
	ctrl_set(self, IOFAIR_A_CONTROLLER_INTERVAL_MS, 5);
	EXPECT_NLERR(ERANGE);
	ctrl_set(self, IOFAIR_A_CONTROLLER_INTERVAL_MS, 10001);
	EXPECT_NLERR(ERANGE);
	ctrl_set(self, IOFAIR_A_CONTROLLER_HYSTERESIS, 101);
	EXPECT_NLERR(ERANGE);
	ctrl_set(self, IOFAIR_A_CONTROLLER_CONFORMANCE_MARGIN, 1001);
	EXPECT_NLERR(ERANGE);
	ctrl_set(self, IOFAIR_A_CONTROLLER_CONFORMANCE_WINDOW_MS, 9);
	EXPECT_NLERR(ERANGE);
	ctrl_set(self, IOFAIR_A_CONTROLLER_CONFORMANCE_WINDOW_MS, 60001);
	EXPECT_NLERR(ERANGE);
	req(self, IOFAIR_CMD_CONTROLLER_SET, 0);
	nl_put_u8(&self->m, IOFAIR_A_CONTROLLER_ENABLED, 2);
	talk(self);
	EXPECT_NLERR(ERANGE);

	/* the edges are accepted */
	EXPECT_EQ(0, ctrl_set(self, IOFAIR_A_CONTROLLER_INTERVAL_MS, 10));
	EXPECT_EQ(0, ctrl_set(self, IOFAIR_A_CONTROLLER_INTERVAL_MS, 10000));
	EXPECT_EQ(0, ctrl_set(self, IOFAIR_A_CONTROLLER_HYSTERESIS, 100));
	EXPECT_EQ(0, target_policy_attr(self, IOFAIR_A_POLICY_WEIGHT, 65535, 4));
	req(self, IOFAIR_CMD_TARGET_GET, NLM_F_DUMP);
	ASSERT_EQ(0, talk(self));
	EXPECT_EQ(1, self->r->n);
}

TEST_F(api, bad_nesting)
{
	struct nlattr *a;
	int off;

	/* policy without NLA_F_NESTED */
	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_IFINDEX, self->v0);
	off = nl_nest_start(&self->m, IOFAIR_A_TARGET_POLICY);
	nl_put_u32(&self->m, IOFAIR_A_POLICY_WEIGHT, 2);
	nl_nest_end(&self->m);
	a = (struct nlattr *)(self->m.buf + off);
	a->nla_type &= ~NLA_F_NESTED;
	talk(self);
	EXPECT_NLERR(EINVAL);

	/* a scalar flagged as a nest */
	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	off = nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_IFINDEX, self->v0);
	a = (struct nlattr *)(self->m.buf + off);
	a->nla_type |= NLA_F_NESTED;
	talk(self);
	EXPECT_NLERR(EINVAL);

	/* a nest inside the policy nest */
	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_IFINDEX, self->v0);
	nl_nest_start(&self->m, IOFAIR_A_TARGET_POLICY);
	nl_nest_start(&self->m, IOFAIR_A_POLICY_WEIGHT);
	nl_put_u32(&self->m, 1, 2);
	nl_nest_end(&self->m);
	nl_nest_end(&self->m);
	talk(self);
	EXPECT_NLERR(EINVAL);

	/* garbage in the nest: a header whose length is below a header's */
	req(self, IOFAIR_CMD_NODE_NEW, 0);
	nl_put_str(&self->m, IOFAIR_A_NODE_NAME, "r");
	nl_put_u64(&self->m, IOFAIR_A_NODE_CAPACITY, GBIT);
	{
		struct nlattr bad = { .nla_len = 2, .nla_type = IOFAIR_A_POLICY_WEIGHT };

		off = nl_put(&self->m, IOFAIR_A_NODE_POLICY | NLA_F_NESTED, &bad, sizeof(bad));
	}
	talk(self);
	EXPECT_NLERR(EINVAL);

	req(self, IOFAIR_CMD_TARGET_GET, NLM_F_DUMP);
	ASSERT_EQ(0, talk(self));
	EXPECT_EQ(0, self->r->n);
	req(self, IOFAIR_CMD_NODE_GET, NLM_F_DUMP);
	ASSERT_EQ(0, talk(self));
	EXPECT_EQ(0, self->r->n);
}

static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return true;
	return ma > major || (ma == major && mi >= minor);
}

TEST_F(api, no_such_object)
{
	int root;

	EXPECT_EQ(-ENODEV, target_add(self, IOFAIR_TARGET_KIND_DEV, NOID, 0, 0));
	EXPECT_NE(0, self->r->extack[0]);
	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
	nl_put_str(&self->m, IOFAIR_A_TARGET_IFNAME, "nosuchdev");
	talk(self);
	EXPECT_NLERR(ENODEV);
	EXPECT_EQ(-ENOENT, target_add(self, IOFAIR_TARGET_KIND_DEV, self->v0, NOID, 0));
	EXPECT_NE(0, self->r->extack[0]);

	op_u32(self, IOFAIR_CMD_TARGET_GET, 0, IOFAIR_A_TARGET_ID, NOID);
	EXPECT_NLERR(ENOENT);
	op_u32(self, IOFAIR_CMD_TARGET_DEL, 0, IOFAIR_A_TARGET_ID, NOID);
	EXPECT_NLERR(ENOENT);
	op_u32(self, IOFAIR_CMD_TARGET_SET, 0, IOFAIR_A_TARGET_ID, NOID);
	EXPECT_NLERR(ENOENT);
	op_u32(self, IOFAIR_CMD_NODE_GET, 0, IOFAIR_A_NODE_ID, NOID);
	EXPECT_NLERR(ENOENT);
	op_u32(self, IOFAIR_CMD_NODE_DEL, 0, IOFAIR_A_NODE_ID, NOID);
	EXPECT_NLERR(ENOENT);
	op_u32(self, IOFAIR_CMD_NODE_SET, 0, IOFAIR_A_NODE_ID, NOID);
	EXPECT_NLERR(ENOENT);
	op_u32(self, IOFAIR_CMD_STATS_RESET, 0, IOFAIR_A_STATS_TARGET_ID, NOID);
	EXPECT_NLERR(ENOENT);
	op_u32(self, IOFAIR_CMD_HIST_GET, 0, IOFAIR_A_HISTS_TARGET_ID, NOID);
	EXPECT_NLERR(ENOENT);
	/* Dumps that fail in their start callback: before 6.2 the kernel
	 * gives that callback no extack (netlink_callback.extack is set
	 * from 6.2 on), so only the errno can be had.
	 */
	op_u32(self, IOFAIR_CMD_STATS_GET, NLM_F_DUMP, IOFAIR_A_STATS_TARGET_ID, NOID);
	if (kernel_at_least(6, 2))
		EXPECT_NLERR(ENOENT);
	else
		EXPECT_EQ(-ENOENT, self->r->error);
	op_u32(self, IOFAIR_CMD_STATS_GET, NLM_F_DUMP, IOFAIR_A_STATS_NODE_ID, NOID);
	if (kernel_at_least(6, 2))
		EXPECT_NLERR(ENOENT);
	else
		EXPECT_EQ(-ENOENT, self->r->error);
	op_u32(self, IOFAIR_CMD_TARGET_GET, NLM_F_DUMP, IOFAIR_A_TARGET_NODE, NOID);
	EXPECT_NLERR(ENOENT);

	EXPECT_EQ(-ENOENT, node_new(self, "t", NOID, 0, NOPOL, NOPOL, -1));
	EXPECT_NE(0, self->r->extack[0]);
	req(self, IOFAIR_CMD_NODE_NEW, 0);
	nl_put_str(&self->m, IOFAIR_A_NODE_NAME, "r");
	nl_put_u32(&self->m, IOFAIR_A_NODE_LINK, NOID);
	talk(self);
	EXPECT_NLERR(ENODEV);

	root = node_new(self, "r", 0, GBIT, NOPOL, NOPOL, -1);
	ASSERT_LT(0, root);
	req(self, IOFAIR_CMD_NODE_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_NODE_ID, root);
	nl_put_u32(&self->m, IOFAIR_A_NODE_LINK, NOID);
	talk(self);
	EXPECT_NLERR(ENODEV);
}

TEST_F(api, tree_rules)
{
	int root, a, g, b, c;

	root = node_new(self, "root", 0, GBIT, NOPOL, NOPOL, -1);
	ASSERT_LT(0, root);
	a = node_new(self, "a", root, 0, 600 * MBIT, NOPOL, -1);
	ASSERT_LT(0, a);
	g = node_new(self, "g", root, 0, NOPOL, NOPOL, IOFAIR_NODE_KIND_GROUP);
	ASSERT_LT(0, g);
	b = node_new(self, "b", g, 0, NOPOL, NOPOL, -1);
	ASSERT_LT(0, b);

	/* A new node naming as its parent the id it is about to get (ids
	 * are handed out in turn): no such parent yet, not a cycle (nl_fuzz
	 * found the module answering ELOOP).
	 */
	EXPECT_EQ(-ENOENT, node_new(self, "n", b + 1, 0, NOPOL, NOPOL, -1));
	EXPECT_NE(0, self->r->extack[0]);

	/* cycles */
	req(self, IOFAIR_CMD_NODE_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_NODE_ID, g);
	nl_put_u32(&self->m, IOFAIR_A_NODE_PARENT, g);
	talk(self);
	EXPECT_NLERR(ELOOP);
	req(self, IOFAIR_CMD_NODE_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_NODE_ID, g);
	nl_put_u32(&self->m, IOFAIR_A_NODE_PARENT, b);
	talk(self);
	EXPECT_NLERR(ELOOP);
	/* a root gets no parent */
	req(self, IOFAIR_CMD_NODE_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_NODE_ID, root);
	nl_put_u32(&self->m, IOFAIR_A_NODE_PARENT, a);
	talk(self);
	EXPECT_NLERR(EINVAL);

	/* oversubscribed guarantees, by a new node and by a change */
	EXPECT_EQ(-EINVAL, node_new(self, "c", root, 0, 500 * MBIT, NOPOL, -1));
	EXPECT_NE(0, self->r->extack[0]);
	c = node_new(self, "c", root, 0, 400 * MBIT, NOPOL, -1);
	ASSERT_LT(0, c);
	req(self, IOFAIR_CMD_NODE_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_NODE_ID, c);
	put_policy(&self->m, IOFAIR_A_NODE_POLICY, 401 * MBIT, NOPOL, 0);
	talk(self);
	EXPECT_NLERR(EINVAL);
	/* below a node with a cap, the cap is the bound */
	req(self, IOFAIR_CMD_NODE_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_NODE_ID, g);
	put_policy(&self->m, IOFAIR_A_NODE_POLICY, NOPOL, 100 * MBIT, 0);
	ASSERT_EQ(0, talk(self));
	req(self, IOFAIR_CMD_NODE_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_NODE_ID, b);
	put_policy(&self->m, IOFAIR_A_NODE_POLICY, 101 * MBIT, NOPOL, 0);
	talk(self);
	EXPECT_NLERR(EINVAL);
	/* bw-min above bw-max */
	EXPECT_EQ(-EINVAL, node_new(self, "d", g, 0, 20 * MBIT, 10 * MBIT, -1));
	EXPECT_NE(0, self->r->extack[0]);
	/* a shrinking capacity that the guarantees no longer fit */
	req(self, IOFAIR_CMD_NODE_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_NODE_ID, root);
	nl_put_u64(&self->m, IOFAIR_A_NODE_CAPACITY, 500 * MBIT);
	talk(self);
	EXPECT_NLERR(EINVAL);

	/* names */
	EXPECT_EQ(-EEXIST, node_new(self, "a", root, 0, NOPOL, NOPOL, -1));
	EXPECT_NE(0, self->r->extack[0]);
	EXPECT_EQ(-EINVAL, node_new(self, "", root, 0, NOPOL, NOPOL, -1));
	EXPECT_NE(0, self->r->extack[0]);

	/* kinds, capacities and policies where they belong */
	EXPECT_EQ(-EINVAL, node_new(self, "r2", 0, GBIT, 0, 0, -1));	/* root with a policy */
	EXPECT_NE(0, self->r->extack[0]);
	EXPECT_EQ(-EINVAL, node_new(self, "t", 0, GBIT, NOPOL, NOPOL, IOFAIR_NODE_KIND_TENANT));
	EXPECT_NE(0, self->r->extack[0]);
	EXPECT_EQ(-EINVAL, node_new(self, "t", root, 0, NOPOL, NOPOL, IOFAIR_NODE_KIND_ROOT));
	EXPECT_NE(0, self->r->extack[0]);
	EXPECT_EQ(-EINVAL, node_new(self, "t", root, GBIT, NOPOL, NOPOL, -1));
	EXPECT_NE(0, self->r->extack[0]);
	EXPECT_EQ(-EINVAL, node_new(self, "r2", 0, 0, NOPOL, NOPOL, -1));	/* no capacity */
	EXPECT_NE(0, self->r->extack[0]);

	/* a node with children stays */
	op_u32(self, IOFAIR_CMD_NODE_DEL, 0, IOFAIR_A_NODE_ID, g);
	EXPECT_NLERR(EBUSY);
	op_u32(self, IOFAIR_CMD_NODE_DEL, 0, IOFAIR_A_NODE_ID, root);
	EXPECT_NLERR(EBUSY);

	/* nothing changed by the refusals */
	ASSERT_EQ(0, op_u32(self, IOFAIR_CMD_NODE_GET, 0, IOFAIR_A_NODE_ID, g));
	EXPECT_EQ(root, reply_u32(self, 0, IOFAIR_A_NODE_PARENT));
	EXPECT_EQ(1, reply_u32(self, 0, IOFAIR_A_NODE_CHILDREN));
	ASSERT_EQ(0, op_u32(self, IOFAIR_CMD_NODE_GET, 0, IOFAIR_A_NODE_ID, c));
	EXPECT_EQ(400 * MBIT, nl_u64(nl_nested(nl_msg_attr(&self->r->msg[0], IOFAIR_A_NODE_POLICY),
					      IOFAIR_A_POLICY_BW_MIN)));
	ASSERT_EQ(0, op_u32(self, IOFAIR_CMD_NODE_GET, 0, IOFAIR_A_NODE_ID, root));
	EXPECT_EQ(GBIT, nl_u64(nl_msg_attr(&self->r->msg[0], IOFAIR_A_NODE_CAPACITY)));
	EXPECT_EQ(3, reply_u32(self, 0, IOFAIR_A_NODE_CHILDREN));
	req(self, IOFAIR_CMD_NODE_GET, NLM_F_DUMP);
	ASSERT_EQ(0, talk(self));
	EXPECT_EQ(5, self->r->n);

	/* leaves first, then it goes */
	EXPECT_EQ(0, op_u32(self, IOFAIR_CMD_NODE_DEL, 0, IOFAIR_A_NODE_ID, b));
	EXPECT_EQ(0, op_u32(self, IOFAIR_CMD_NODE_DEL, 0, IOFAIR_A_NODE_ID, g));
}

TEST_F(api, target_rules)
{
	int root, a, t;

	root = node_new(self, "root", 0, GBIT, NOPOL, NOPOL, -1);
	a = node_new(self, "a", root, 0, NOPOL, 100 * MBIT, -1);
	ASSERT_LT(0, a);
	t = target_add(self, IOFAIR_TARGET_KIND_DEV, self->v0, a, 0);
	ASSERT_LT(0, t);

	EXPECT_EQ(-EEXIST, target_add(self, IOFAIR_TARGET_KIND_DEV, self->v0, 0, 0));
	EXPECT_NE(0, self->r->extack[0]);
	EXPECT_EQ(-EINVAL, target_add(self, IOFAIR_TARGET_KIND_VHOST, self->v2, 0, 0));
	EXPECT_NE(0, self->r->extack[0]);
	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_VF);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_IFINDEX, self->v2);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_VF, 0);
	talk(self);
	EXPECT_NLERR(EINVAL);
	EXPECT_EQ(-EINVAL, target_add(self, IOFAIR_TARGET_KIND_DEV, self->lo, 0, 0));
	EXPECT_NE(0, self->r->extack[0]);

	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_IFINDEX, self->v2);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_ENFORCE, IOFAIR_ENFORCE_HW);
	talk(self);
	EXPECT_NLERR(EINVAL);
	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_IFINDEX, self->v2);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_OWNERSHIP, IOFAIR_OWNERSHIP_ADOPT);
	talk(self);
	EXPECT_NLERR(EINVAL);
	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_IFINDEX, self->v2);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_VF, 0);
	talk(self);
	EXPECT_NLERR(EINVAL);
	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_VHOST);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_IFINDEX, self->tap);
	nl_put_u8(&self->m, IOFAIR_A_TARGET_HOST_SIDE, 1);
	talk(self);
	EXPECT_NLERR(EINVAL);
	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_IFINDEX, self->v2);
	nl_put_str(&self->m, IOFAIR_A_TARGET_IFNAME, "v2");
	talk(self);
	EXPECT_NLERR(EINVAL);
	/* a guarantee above the node's cap; bw-min above bw-max */
	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_IFINDEX, self->v2);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_NODE, a);
	put_policy(&self->m, IOFAIR_A_TARGET_POLICY, 101 * MBIT, NOPOL, 0);
	talk(self);
	EXPECT_NLERR(EINVAL);
	req(self, IOFAIR_CMD_TARGET_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_ID, t);
	put_policy(&self->m, IOFAIR_A_TARGET_POLICY, 20 * MBIT, 10 * MBIT, 0);
	talk(self);
	EXPECT_NLERR(EINVAL);
	/* enforce hw on a dev target by a change, too */
	req(self, IOFAIR_CMD_TARGET_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_ID, t);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_ENFORCE, IOFAIR_ENFORCE_BOTH);
	talk(self);
	EXPECT_NLERR(EINVAL);
	/* a refused change moves nothing */
	req(self, IOFAIR_CMD_TARGET_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_ID, t);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_NODE, root);
	put_policy(&self->m, IOFAIR_A_TARGET_POLICY, 2 * GBIT, NOPOL, 0);
	talk(self);
	EXPECT_NLERR(EINVAL);

	ASSERT_EQ(0, op_u32(self, IOFAIR_CMD_TARGET_GET, 0, IOFAIR_A_TARGET_ID, t));
	EXPECT_EQ(a, reply_u32(self, 0, IOFAIR_A_TARGET_NODE));
	EXPECT_EQ(IOFAIR_ENFORCE_SW, reply_u32(self, 0, IOFAIR_A_TARGET_ENFORCE));
	EXPECT_EQ(0, nl_u64(nl_nested(nl_msg_attr(&self->r->msg[0], IOFAIR_A_TARGET_POLICY),
				      IOFAIR_A_POLICY_BW_MIN)));
	ASSERT_EQ(0, op_u32(self, IOFAIR_CMD_NODE_GET, 0, IOFAIR_A_NODE_ID, root));
	EXPECT_EQ(1, reply_u32(self, 0, IOFAIR_A_NODE_CHILDREN));
	req(self, IOFAIR_CMD_TARGET_GET, NLM_F_DUMP);
	ASSERT_EQ(0, talk(self));
	EXPECT_EQ(1, self->r->n);
}

/* ---- privileges ---------------------------------------------------------- */

#define CHILD_EXPECT(cond, what)						\
	do {									\
		if (!(cond)) {							\
			fprintf(stderr, "# child, line %d: %s: error %d, extack '%s'\n", \
				__LINE__, what, self->r->error, self->r->extack); \
			return 1;						\
		}								\
	} while (0)

/* Every mutating op refused with EPERM on @fd, every read served. */
static int child_unprivileged(FIXTURE_DATA(api) *self, int fd, int node, int target)
{
	static const struct { int cmd, type; } mut[] = {
		{ IOFAIR_CMD_TARGET_DEL, IOFAIR_A_TARGET_ID },
		{ IOFAIR_CMD_TARGET_SET, IOFAIR_A_TARGET_ID },
		{ IOFAIR_CMD_NODE_DEL, IOFAIR_A_NODE_ID },
		{ IOFAIR_CMD_NODE_SET, IOFAIR_A_NODE_ID },
		{ IOFAIR_CMD_STATS_RESET, IOFAIR_A_STATS_TARGET_ID },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mut); i++) {
		req(self, mut[i].cmd, 0);
		nl_put_u32(&self->m, mut[i].type,
			   mut[i].type == IOFAIR_A_NODE_ID ? node : target);
		CHILD_EXPECT(talk_fd(self, fd) == -EPERM, "mutation not refused");
	}
	req(self, IOFAIR_CMD_STATS_RESET, 0);
	CHILD_EXPECT(talk_fd(self, fd) == -EPERM, "stats-reset all");
	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_IFINDEX, self->v2);
	CHILD_EXPECT(talk_fd(self, fd) == -EPERM, "target-add");
	req(self, IOFAIR_CMD_NODE_NEW, 0);
	nl_put_str(&self->m, IOFAIR_A_NODE_NAME, "x");
	nl_put_u64(&self->m, IOFAIR_A_NODE_CAPACITY, GBIT);
	CHILD_EXPECT(talk_fd(self, fd) == -EPERM, "node-new");
	req(self, IOFAIR_CMD_CONTROLLER_SET, 0);
	nl_put_u8(&self->m, IOFAIR_A_CONTROLLER_ENABLED, 0);
	CHILD_EXPECT(talk_fd(self, fd) == -EPERM, "controller-set");

	req(self, IOFAIR_CMD_VERSION_GET, 0);
	CHILD_EXPECT(talk_fd(self, fd) == 0 && self->r->n == 1, "version-get");
	req(self, IOFAIR_CMD_TARGET_GET, NLM_F_DUMP);
	CHILD_EXPECT(talk_fd(self, fd) == 0 && self->r->n == 1, "target-get dump");
	req(self, IOFAIR_CMD_TARGET_GET, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_ID, target);
	CHILD_EXPECT(talk_fd(self, fd) == 0 && self->r->n == 1, "target-get");
	req(self, IOFAIR_CMD_NODE_GET, NLM_F_DUMP);
	CHILD_EXPECT(talk_fd(self, fd) == 0 && self->r->n == 1, "node-get dump");
	req(self, IOFAIR_CMD_NODE_GET, 0);
	nl_put_u32(&self->m, IOFAIR_A_NODE_ID, node);
	CHILD_EXPECT(talk_fd(self, fd) == 0 && self->r->n == 1, "node-get");
	req(self, IOFAIR_CMD_STATS_GET, NLM_F_DUMP);
	CHILD_EXPECT(talk_fd(self, fd) == 0 && self->r->n == 2, "stats-get");
	req(self, IOFAIR_CMD_HIST_GET, 0);
	nl_put_u32(&self->m, IOFAIR_A_HISTS_TARGET_ID, target);
	CHILD_EXPECT(talk_fd(self, fd) == 0 && self->r->n == 1, "hist-get");
	req(self, IOFAIR_CMD_CONTROLLER_GET, 0);
	CHILD_EXPECT(talk_fd(self, fd) == 0 && self->r->n == 1, "controller-get");
	return 0;
}

static int drop_to_nobody(void)
{
	return setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY) ? -1 : 0;
}

static int child_nobody(FIXTURE_DATA(api) *self, int root, int t)
{
	int fd;

	if (drop_to_nobody())
		return 2;
	fd = nl_open();
	if (fd < 0)
		return 3;
	return child_unprivileged(self, fd, root, t);
}

/* Run @body in a child; its exit status in @status. */
#define IN_CHILD(status, body)							\
	do {									\
		pid_t __pid = fork();						\
		ASSERT_LE(0, __pid);						\
		if (!__pid) {							\
			body;							\
		}								\
		ASSERT_EQ(__pid, waitpid(__pid, &status, 0));			\
		ASSERT_TRUE(WIFEXITED(status));					\
		status = WEXITSTATUS(status);					\
	} while (0)

/*
 * A target outside the tree takes its cap as its limiter's rate at once:
 * from 1 bit/s to 1 Tbit/s and back, where the shaper re-spaces what it
 * holds by old / new (nl_fuzz found a divide overflow there that
 * crashed the kernel).
 */
TEST_F(api, extreme_limits)
{
	static const uint64_t max[] = { 1, 1000000000000ULL, 1, 1000, 1000000000000ULL };
	unsigned int i;
	int t;

	t = target_add(self, IOFAIR_TARGET_KIND_DEV, self->v4, 0, 0);
	ASSERT_LT(0, t);
	for (i = 0; i < ARRAY_SIZE(max); i++) {
		req(self, IOFAIR_CMD_TARGET_SET, 0);
		nl_put_u32(&self->m, IOFAIR_A_TARGET_ID, t);
		put_policy(&self->m, IOFAIR_A_TARGET_POLICY, NOPOL, max[i], 0);
		EXPECT_EQ(0, talk(self));
	}
	EXPECT_EQ(0, op_u32(self, IOFAIR_CMD_TARGET_DEL, 0, IOFAIR_A_TARGET_ID, t));
}

TEST_F(api, no_cap_net_admin)
{
	int root, t, status;

	root = node_new(self, "root", 0, GBIT, NOPOL, NOPOL, -1);
	ASSERT_LT(0, root);
	t = target_add(self, IOFAIR_TARGET_KIND_DEV, self->v0, root, 0);
	ASSERT_LT(0, t);

	IN_CHILD(status, _exit(child_nobody(self, root, t)));
	EXPECT_EQ(0, status);

	/* Still all there. */
	ASSERT_EQ(0, op_u32(self, IOFAIR_CMD_TARGET_GET, 0, IOFAIR_A_TARGET_ID, t));
	ASSERT_EQ(0, op_u32(self, IOFAIR_CMD_NODE_GET, 0, IOFAIR_A_NODE_ID, root));
	req(self, IOFAIR_CMD_NODE_GET, NLM_F_DUMP);
	ASSERT_EQ(0, talk(self));
	EXPECT_EQ(1, self->r->n);
	req(self, IOFAIR_CMD_CONTROLLER_GET, 0);
	ASSERT_EQ(0, talk(self));
	EXPECT_EQ(1, nl_u8(nl_msg_attr(&self->r->msg[0], IOFAIR_A_CONTROLLER_ENABLED)));
}

static int child_userns(FIXTURE_DATA(api) *self, int root, int t)
{
	int fd, id, err;

	if (drop_to_nobody())
		return 2;
	if (unshare(CLONE_NEWUSER)) {
		fprintf(stderr, "# unshare(CLONE_NEWUSER) as nobody: %s\n", strerror(errno));
		return 4;
	}
	/* All capabilities, in a user namespace that does not own the netns. */
	fd = nl_open();
	if (fd < 0)
		return 3;
	err = child_unprivileged(self, fd, root, t);
	if (err)
		return err;
	close(fd);

	/* A network namespace of its own: its objects are its to govern. */
	if (unshare(CLONE_NEWNET)) {
		fprintf(stderr, "# unshare(CLONE_NEWNET) in the user namespace: %s\n",
			strerror(errno));
		return 5;
	}
	fd = nl_open();
	if (fd < 0)
		return 3;
	req(self, IOFAIR_CMD_NODE_GET, NLM_F_DUMP);
	CHILD_EXPECT(talk_fd(self, fd) == 0 && self->r->n == 0, "a fresh netns has no nodes");
	req(self, IOFAIR_CMD_NODE_NEW, 0);
	nl_put_str(&self->m, IOFAIR_A_NODE_NAME, "root");
	nl_put_u64(&self->m, IOFAIR_A_NODE_CAPACITY, GBIT);
	CHILD_EXPECT(talk_fd(self, fd) == 0 && self->r->n == 1, "node-new in its own netns");
	id = reply_u32(self, 0, IOFAIR_A_NODE_ID);
	req(self, IOFAIR_CMD_NODE_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_NODE_ID, id);
	nl_put_u64(&self->m, IOFAIR_A_NODE_CAPACITY, 2 * GBIT);
	CHILD_EXPECT(talk_fd(self, fd) == 0, "node-set in its own netns");
	req(self, IOFAIR_CMD_CONTROLLER_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_CONTROLLER_INTERVAL_MS, 500);
	CHILD_EXPECT(talk_fd(self, fd) == 0, "controller-set in its own netns");
	req(self, IOFAIR_CMD_STATS_RESET, 0);
	CHILD_EXPECT(talk_fd(self, fd) == 0, "stats-reset in its own netns");
	req(self, IOFAIR_CMD_NODE_DEL, 0);
	nl_put_u32(&self->m, IOFAIR_A_NODE_ID, id);
	CHILD_EXPECT(talk_fd(self, fd) == 0, "node-del in its own netns");
	/* The test's namespace's objects are not there. */
	req(self, IOFAIR_CMD_TARGET_GET, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_ID, t);
	CHILD_EXPECT(talk_fd(self, fd) == -ENOENT, "the test's target seen from another netns");
	return 0;
}

TEST_F(api, unprivileged_userns)
{
	int root, t, status;

	root = node_new(self, "root", 0, GBIT, NOPOL, NOPOL, -1);
	ASSERT_LT(0, root);
	t = target_add(self, IOFAIR_TARGET_KIND_DEV, self->v0, root, 0);
	ASSERT_LT(0, t);

	IN_CHILD(status, _exit(child_userns(self, root, t)));
	if (status == 4)
		SKIP(return, "unprivileged user namespaces are disabled");
	EXPECT_EQ(0, status);
	req(self, IOFAIR_CMD_NODE_GET, NLM_F_DUMP);
	ASSERT_EQ(0, talk(self));
	EXPECT_EQ(1, self->r->n);
	req(self, IOFAIR_CMD_CONTROLLER_GET, 0);
	ASSERT_EQ(0, talk(self));
	EXPECT_NE(500, nl_u32(nl_msg_attr(&self->r->msg[0], IOFAIR_A_CONTROLLER_INTERVAL_MS)));
}

static int child_other_netns(FIXTURE_DATA(api) *self, int root, int t, int v0)
{
	int fd;

	if (unshare(CLONE_NEWNET))
		return 2;
	fd = nl_open();
	if (fd < 0)
		return 3;
	req(self, IOFAIR_CMD_NODE_GET, NLM_F_DUMP);
	CHILD_EXPECT(talk_fd(self, fd) == 0 && self->r->n == 0, "node dump");
	req(self, IOFAIR_CMD_TARGET_GET, NLM_F_DUMP);
	CHILD_EXPECT(talk_fd(self, fd) == 0 && self->r->n == 0, "target dump");
	req(self, IOFAIR_CMD_STATS_GET, NLM_F_DUMP);
	CHILD_EXPECT(talk_fd(self, fd) == 0 && self->r->n == 0, "stats dump");
	req(self, IOFAIR_CMD_NODE_GET, 0);
	nl_put_u32(&self->m, IOFAIR_A_NODE_ID, root);
	CHILD_EXPECT(talk_fd(self, fd) == -ENOENT, "node-get");
	req(self, IOFAIR_CMD_TARGET_DEL, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_ID, t);
	CHILD_EXPECT(talk_fd(self, fd) == -ENOENT, "target-del");
	req(self, IOFAIR_CMD_HIST_GET, 0);
	nl_put_u32(&self->m, IOFAIR_A_HISTS_TARGET_ID, t);
	CHILD_EXPECT(talk_fd(self, fd) == -ENOENT, "hist-get");
	/* The same name is free here. */
	req(self, IOFAIR_CMD_NODE_NEW, 0);
	nl_put_str(&self->m, IOFAIR_A_NODE_NAME, "root");
	nl_put_u64(&self->m, IOFAIR_A_NODE_CAPACITY, GBIT);
	CHILD_EXPECT(talk_fd(self, fd) == 0, "node-new with the other netns's name");
	/* Interface indexes are this namespace's: v0's is not a device here. */
	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_IFINDEX, v0);
	CHILD_EXPECT(talk_fd(self, fd) == -ENODEV, "target-add of another netns's ifindex");
	return 0;
}

TEST_F(api, netns_isolation)
{
	int root, t, status;

	root = node_new(self, "root", 0, GBIT, NOPOL, NOPOL, -1);
	ASSERT_LT(0, root);
	t = target_add(self, IOFAIR_TARGET_KIND_DEV, self->v0, root, 0);
	ASSERT_LT(0, t);

	IN_CHILD(status, _exit(child_other_netns(self, root, t, self->v0)));
	EXPECT_EQ(0, status);

	/* The other namespace's node is not here; ours are untouched. */
	req(self, IOFAIR_CMD_NODE_GET, NLM_F_DUMP);
	ASSERT_EQ(0, talk(self));
	EXPECT_EQ(1, self->r->n);
	EXPECT_EQ(0, op_u32(self, IOFAIR_CMD_TARGET_GET, 0, IOFAIR_A_TARGET_ID, t));
}

/* ---- valid paths --------------------------------------------------------- */

/* How many messages of the last dump have @type == @v. */
static int count_msgs(FIXTURE_DATA(api) *self, int type, uint32_t v)
{
	int i, n = 0;

	for (i = 0; i < self->r->n; i++)
		if (reply_u32(self, i, type) == v)
			n++;
	return n;
}

TEST_F(api, tree_and_targets)
{
	int root, a, b, t0, t2, tt, t4;
	struct nlattr *pol;

	root = node_new(self, "root", 0, 10 * GBIT, NOPOL, NOPOL, -1);
	ASSERT_LT(0, root);
	EXPECT_EQ(IOFAIR_NODE_KIND_ROOT, reply_u32(self, 0, IOFAIR_A_NODE_KIND));
	EXPECT_EQ(10 * GBIT, nl_u64(nl_msg_attr(&self->r->msg[0], IOFAIR_A_NODE_CAPACITY)));
	EXPECT_EQ(NULL, nl_msg_attr(&self->r->msg[0], IOFAIR_A_NODE_PARENT));
	a = node_new(self, "a", root, 0, GBIT, 2 * GBIT, -1);
	ASSERT_LT(0, a);
	EXPECT_EQ(IOFAIR_NODE_KIND_TENANT, reply_u32(self, 0, IOFAIR_A_NODE_KIND));
	EXPECT_EQ(root, reply_u32(self, 0, IOFAIR_A_NODE_PARENT));
	EXPECT_STREQ("a", (char *)nl_data(nl_msg_attr(&self->r->msg[0], IOFAIR_A_NODE_NAME)));
	b = node_new(self, "b", root, 0, NOPOL, NOPOL, IOFAIR_NODE_KIND_GROUP);
	ASSERT_LT(0, b);
	EXPECT_EQ(IOFAIR_NODE_KIND_GROUP, reply_u32(self, 0, IOFAIR_A_NODE_KIND));

	/* by ifindex */
	t0 = target_add(self, IOFAIR_TARGET_KIND_DEV, self->v0, a, 0);
	ASSERT_LT(0, t0);
	EXPECT_EQ(IOFAIR_TARGET_KIND_DEV, reply_u32(self, 0, IOFAIR_A_TARGET_KIND));
	EXPECT_EQ(self->v0, reply_u32(self, 0, IOFAIR_A_TARGET_IFINDEX));
	EXPECT_EQ(a, reply_u32(self, 0, IOFAIR_A_TARGET_NODE));
	EXPECT_EQ(IOFAIR_ENFORCE_SW, reply_u32(self, 0, IOFAIR_A_TARGET_ENFORCE));
	pol = nl_msg_attr(&self->r->msg[0], IOFAIR_A_TARGET_POLICY);
	ASSERT_NE(NULL, pol);
	EXPECT_EQ(1, nl_u32(nl_nested(pol, IOFAIR_A_POLICY_WEIGHT)));
	EXPECT_EQ(0, nl_u8(nl_msg_attr(&self->r->msg[0], IOFAIR_A_TARGET_HOST_SIDE)));
	EXPECT_EQ(NULL, nl_msg_attr(&self->r->msg[0], IOFAIR_A_TARGET_VF));

	/* by ifname, host side */
	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
	nl_put_str(&self->m, IOFAIR_A_TARGET_IFNAME, "v2");
	nl_put_u32(&self->m, IOFAIR_A_TARGET_NODE, b);
	nl_put_u8(&self->m, IOFAIR_A_TARGET_HOST_SIDE, 1);
	put_policy(&self->m, IOFAIR_A_TARGET_POLICY, 100 * MBIT, 500 * MBIT, 4);
	ASSERT_EQ(0, talk(self));
	t2 = reply_u32(self, 0, IOFAIR_A_TARGET_ID);
	EXPECT_EQ(self->v2, reply_u32(self, 0, IOFAIR_A_TARGET_IFINDEX));
	EXPECT_EQ(1, nl_u8(nl_msg_attr(&self->r->msg[0], IOFAIR_A_TARGET_HOST_SIDE)));
	pol = nl_msg_attr(&self->r->msg[0], IOFAIR_A_TARGET_POLICY);
	EXPECT_EQ(100 * MBIT, nl_u64(nl_nested(pol, IOFAIR_A_POLICY_BW_MIN)));
	EXPECT_EQ(500 * MBIT, nl_u64(nl_nested(pol, IOFAIR_A_POLICY_BW_MAX)));
	EXPECT_EQ(4, nl_u32(nl_nested(pol, IOFAIR_A_POLICY_WEIGHT)));

	/* a vhost target on the tap, one out of the tree */
	tt = target_add(self, IOFAIR_TARGET_KIND_VHOST, self->tap, b, 0);
	ASSERT_LT(0, tt);
	EXPECT_EQ(IOFAIR_TARGET_KIND_VHOST, reply_u32(self, 0, IOFAIR_A_TARGET_KIND));
	t4 = target_add(self, IOFAIR_TARGET_KIND_DEV, self->v4, 0, 0);
	ASSERT_LT(0, t4);
	EXPECT_EQ(NULL, nl_msg_attr(&self->r->msg[0], IOFAIR_A_TARGET_NODE));
	EXPECT_TRUE(t0 != t2 && t2 != tt && tt != t4 && t0 != t4);

	/* do and dumps */
	ASSERT_EQ(0, op_u32(self, IOFAIR_CMD_TARGET_GET, 0, IOFAIR_A_TARGET_ID, t2));
	ASSERT_EQ(1, self->r->n);
	EXPECT_EQ(IOFAIR_CMD_TARGET_GET, self->r->msg[0].genl->cmd);
	EXPECT_EQ(b, reply_u32(self, 0, IOFAIR_A_TARGET_NODE));
	req(self, IOFAIR_CMD_TARGET_GET, NLM_F_DUMP);
	ASSERT_EQ(0, talk(self));
	EXPECT_EQ(4, self->r->n);
	EXPECT_EQ(1, count_msgs(self, IOFAIR_A_TARGET_ID, t0));
	EXPECT_EQ(1, count_msgs(self, IOFAIR_A_TARGET_ID, t4));
	op_u32(self, IOFAIR_CMD_TARGET_GET, NLM_F_DUMP, IOFAIR_A_TARGET_NODE, b);
	ASSERT_EQ(0, self->r->error);
	EXPECT_EQ(2, self->r->n);
	EXPECT_EQ(1, count_msgs(self, IOFAIR_A_TARGET_ID, t2));
	EXPECT_EQ(1, count_msgs(self, IOFAIR_A_TARGET_ID, tt));
	op_u32(self, IOFAIR_CMD_TARGET_GET, NLM_F_DUMP, IOFAIR_A_TARGET_NODE, 0);
	ASSERT_EQ(0, self->r->error);
	EXPECT_EQ(1, self->r->n);
	EXPECT_EQ(t4, reply_u32(self, 0, IOFAIR_A_TARGET_ID));
	op_u32(self, IOFAIR_CMD_TARGET_GET, NLM_F_DUMP, IOFAIR_A_TARGET_KIND,
	       IOFAIR_TARGET_KIND_VHOST);
	ASSERT_EQ(0, self->r->error);
	EXPECT_EQ(1, self->r->n);
	EXPECT_EQ(tt, reply_u32(self, 0, IOFAIR_A_TARGET_ID));
	req(self, IOFAIR_CMD_TARGET_GET, NLM_F_DUMP);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_NODE, b);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
	ASSERT_EQ(0, talk(self));
	EXPECT_EQ(1, self->r->n);
	EXPECT_EQ(t2, reply_u32(self, 0, IOFAIR_A_TARGET_ID));
	op_u32(self, IOFAIR_CMD_TARGET_GET, NLM_F_DUMP, IOFAIR_A_TARGET_KIND,
	       IOFAIR_TARGET_KIND_VF);
	ASSERT_EQ(0, self->r->error);
	EXPECT_EQ(0, self->r->n);

	ASSERT_EQ(0, op_u32(self, IOFAIR_CMD_NODE_GET, 0, IOFAIR_A_NODE_ID, b));
	EXPECT_EQ(2, reply_u32(self, 0, IOFAIR_A_NODE_CHILDREN));
	EXPECT_EQ(NULL, nl_msg_attr(&self->r->msg[0], IOFAIR_A_NODE_CAPACITY));
	ASSERT_EQ(0, op_u32(self, IOFAIR_CMD_NODE_GET, 0, IOFAIR_A_NODE_ID, root));
	EXPECT_EQ(2, reply_u32(self, 0, IOFAIR_A_NODE_CHILDREN));
	EXPECT_EQ(NULL, nl_msg_attr(&self->r->msg[0], IOFAIR_A_NODE_POLICY));
	req(self, IOFAIR_CMD_NODE_GET, NLM_F_DUMP);
	ASSERT_EQ(0, talk(self));
	EXPECT_EQ(3, self->r->n);
	EXPECT_EQ(0, count_msgs(self, IOFAIR_A_NODE_PARENT, b));
	EXPECT_EQ(2, count_msgs(self, IOFAIR_A_NODE_PARENT, root));

	/* move t0 from a to b with a new policy; weight kept */
	req(self, IOFAIR_CMD_TARGET_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_ID, t0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_NODE, b);
	put_policy(&self->m, IOFAIR_A_TARGET_POLICY, NOPOL, 300 * MBIT, 0);
	nl_put_u64(&self->m, IOFAIR_A_TARGET_RX_BW_MAX, 200 * MBIT);
	ASSERT_EQ(0, talk(self));
	ASSERT_EQ(1, self->r->n);
	EXPECT_EQ(b, reply_u32(self, 0, IOFAIR_A_TARGET_NODE));
	pol = nl_msg_attr(&self->r->msg[0], IOFAIR_A_TARGET_POLICY);
	EXPECT_EQ(300 * MBIT, nl_u64(nl_nested(pol, IOFAIR_A_POLICY_BW_MAX)));
	EXPECT_EQ(1, nl_u32(nl_nested(pol, IOFAIR_A_POLICY_WEIGHT)));
	EXPECT_EQ(200 * MBIT, nl_u64(nl_msg_attr(&self->r->msg[0], IOFAIR_A_TARGET_RX_BW_MAX)));
	ASSERT_EQ(0, op_u32(self, IOFAIR_CMD_NODE_GET, 0, IOFAIR_A_NODE_ID, a));
	EXPECT_EQ(0, reply_u32(self, 0, IOFAIR_A_NODE_CHILDREN));
	ASSERT_EQ(0, op_u32(self, IOFAIR_CMD_NODE_GET, 0, IOFAIR_A_NODE_ID, b));
	EXPECT_EQ(3, reply_u32(self, 0, IOFAIR_A_NODE_CHILDREN));
	/* node 0 takes it out of the tree */
	req(self, IOFAIR_CMD_TARGET_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_ID, t0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_NODE, 0);
	ASSERT_EQ(0, talk(self));
	EXPECT_EQ(NULL, nl_msg_attr(&self->r->msg[0], IOFAIR_A_TARGET_NODE));
	/* node-set: a policy change and a move */
	req(self, IOFAIR_CMD_NODE_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_NODE_ID, a);
	nl_put_u32(&self->m, IOFAIR_A_NODE_PARENT, b);
	put_policy(&self->m, IOFAIR_A_NODE_POLICY, NOPOL, NOPOL, 7);
	ASSERT_EQ(0, talk(self));
	EXPECT_EQ(b, reply_u32(self, 0, IOFAIR_A_NODE_PARENT));
	pol = nl_msg_attr(&self->r->msg[0], IOFAIR_A_NODE_POLICY);
	EXPECT_EQ(7, nl_u32(nl_nested(pol, IOFAIR_A_POLICY_WEIGHT)));
	EXPECT_EQ(GBIT, nl_u64(nl_nested(pol, IOFAIR_A_POLICY_BW_MIN)));

	/* deletion */
	EXPECT_EQ(0, op_u32(self, IOFAIR_CMD_TARGET_DEL, 0, IOFAIR_A_TARGET_ID, t0));
	op_u32(self, IOFAIR_CMD_TARGET_GET, 0, IOFAIR_A_TARGET_ID, t0);
	EXPECT_NLERR(ENOENT);
	EXPECT_EQ(0, op_u32(self, IOFAIR_CMD_NODE_DEL, 0, IOFAIR_A_NODE_ID, a));
	op_u32(self, IOFAIR_CMD_NODE_GET, 0, IOFAIR_A_NODE_ID, a);
	EXPECT_NLERR(ENOENT);
	req(self, IOFAIR_CMD_TARGET_GET, NLM_F_DUMP);
	ASSERT_EQ(0, talk(self));
	EXPECT_EQ(3, self->r->n);
	/* v0 is free again */
	EXPECT_LT(0, target_add(self, IOFAIR_TARGET_KIND_DEV, self->v0, 0, 0));
}

/* The last dump's messages all carry the same time; its count of targets. */
static int stats_check(FIXTURE_DATA(api) *self, int *nodes)
{
	uint64_t t0 = 0;
	int i, targets = 0;

	*nodes = 0;
	for (i = 0; i < self->r->n; i++) {
		const struct nl_msg *msg = &self->r->msg[i];
		struct nlattr *time = nl_msg_attr(msg, IOFAIR_A_STATS_TIME);

		if (!time)
			return -1;
		if (!i)
			t0 = nl_u64(time);
		else if (nl_u64(time) != t0)
			return -2;
		if (nl_msg_attr(msg, IOFAIR_A_STATS_TARGET_ID)) {
			if (*nodes)
				return -3;	/* nodes after targets */
			if (reply_u32(self, i, IOFAIR_A_STATS_SOURCE) != IOFAIR_SOURCE_HOOK ||
			    !nl_msg_attr(msg, IOFAIR_A_STATS_TX) ||
			    !nl_msg_attr(msg, IOFAIR_A_STATS_RX) ||
			    !nl_nested(nl_msg_attr(msg, IOFAIR_A_STATS_TX),
				       IOFAIR_A_TRAFFIC_PACKETS))
				return -4;
			targets++;
		} else if (nl_msg_attr(msg, IOFAIR_A_STATS_NODE_ID)) {
			(*nodes)++;
		} else {
			return -5;
		}
	}
	return targets;
}

/* @n broadcast frames of 60 bytes out of @ifindex. */
static int send_frames(int ifindex, int n)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = ifindex,
		.sll_halen = ETH_ALEN,
		.sll_addr = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	};
	unsigned char frame[60] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x88, 0xb5,
	};
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0), i, sent = 0;

	if (fd < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (sendto(fd, frame, sizeof(frame), 0, (struct sockaddr *)&sll,
			   sizeof(sll)) == sizeof(frame))
			sent++;
	close(fd);
	return sent;
}

TEST_F(api, stats)
{
	int root, a, b, t0, t2, tt, nodes;

	root = node_new(self, "root", 0, GBIT, NOPOL, NOPOL, -1);
	a = node_new(self, "a", root, 0, NOPOL, NOPOL, -1);
	b = node_new(self, "b", root, 0, NOPOL, NOPOL, -1);
	ASSERT_LT(0, b);
	t0 = target_add(self, IOFAIR_TARGET_KIND_DEV, self->v0, a, 0);
	t2 = target_add(self, IOFAIR_TARGET_KIND_DEV, self->v2, b, 0);
	tt = target_add(self, IOFAIR_TARGET_KIND_VHOST, self->tap, b, 0);
	ASSERT_LT(0, tt);

	req(self, IOFAIR_CMD_STATS_GET, NLM_F_DUMP);
	ASSERT_EQ(0, talk(self));
	EXPECT_EQ(3, stats_check(self, &nodes));
	EXPECT_EQ(3, nodes);
	EXPECT_EQ(1, count_msgs(self, IOFAIR_A_STATS_NODE_ID, root));
	EXPECT_EQ(1, count_msgs(self, IOFAIR_A_STATS_TARGET_ID, tt));
	EXPECT_EQ(1, count_msgs(self, IOFAIR_A_STATS_KIND, IOFAIR_TARGET_KIND_VHOST));

	op_u32(self, IOFAIR_CMD_STATS_GET, NLM_F_DUMP, IOFAIR_A_STATS_TARGET_ID, t2);
	ASSERT_EQ(0, self->r->error);
	EXPECT_EQ(1, stats_check(self, &nodes));
	EXPECT_EQ(0, nodes);
	EXPECT_EQ(t2, reply_u32(self, 0, IOFAIR_A_STATS_TARGET_ID));

	op_u32(self, IOFAIR_CMD_STATS_GET, NLM_F_DUMP, IOFAIR_A_STATS_NODE_ID, b);
	ASSERT_EQ(0, self->r->error);
	EXPECT_EQ(2, stats_check(self, &nodes));
	EXPECT_EQ(1, nodes);
	EXPECT_EQ(1, count_msgs(self, IOFAIR_A_STATS_NODE_ID, b));
	EXPECT_EQ(0, count_msgs(self, IOFAIR_A_STATS_TARGET_ID, t0));

	op_u32(self, IOFAIR_CMD_STATS_GET, NLM_F_DUMP, IOFAIR_A_STATS_NODE_ID, root);
	ASSERT_EQ(0, self->r->error);
	EXPECT_EQ(3, stats_check(self, &nodes));
	EXPECT_EQ(3, nodes);

	op_u32(self, IOFAIR_CMD_STATS_GET, NLM_F_DUMP, IOFAIR_A_STATS_KIND,
	       IOFAIR_TARGET_KIND_DEV);
	ASSERT_EQ(0, self->r->error);
	EXPECT_EQ(2, stats_check(self, &nodes));
	EXPECT_EQ(0, nodes);
	EXPECT_EQ(0, count_msgs(self, IOFAIR_A_STATS_TARGET_ID, tt));

	/* Frames from v1 arrive on v0: the tenant's rx. */
	ASSERT_EQ(0, system("ip link set v0 up && ip link set v1 up"));
	ASSERT_EQ(3, send_frames(if_nametoindex("v1"), 3));
	usleep(100000);
	op_u32(self, IOFAIR_CMD_STATS_GET, NLM_F_DUMP, IOFAIR_A_STATS_TARGET_ID, t0);
	ASSERT_EQ(0, self->r->error);
	ASSERT_EQ(1, self->r->n);
	EXPECT_LE(3, nl_uint(nl_nested(nl_msg_attr(&self->r->msg[0], IOFAIR_A_STATS_RX),
				       IOFAIR_A_TRAFFIC_PACKETS)));
	EXPECT_LE(3 * 60, nl_uint(nl_nested(nl_msg_attr(&self->r->msg[0], IOFAIR_A_STATS_RX),
					    IOFAIR_A_TRAFFIC_BYTES)));
	ASSERT_EQ(0, system("ip link set v0 down; ip link set v1 down"));
	EXPECT_EQ(0, op_u32(self, IOFAIR_CMD_STATS_RESET, 0, IOFAIR_A_STATS_TARGET_ID, t0));
	op_u32(self, IOFAIR_CMD_STATS_GET, NLM_F_DUMP, IOFAIR_A_STATS_TARGET_ID, t0);
	ASSERT_EQ(1, self->r->n);
	EXPECT_EQ(0, nl_uint(nl_nested(nl_msg_attr(&self->r->msg[0], IOFAIR_A_STATS_RX),
				       IOFAIR_A_TRAFFIC_PACKETS)));
	EXPECT_EQ(0, nl_uint(nl_nested(nl_msg_attr(&self->r->msg[0], IOFAIR_A_STATS_TX),
				       IOFAIR_A_TRAFFIC_PACKETS)));
	req(self, IOFAIR_CMD_STATS_RESET, 0);
	EXPECT_EQ(0, talk(self));
}

TEST_F(api, controller)
{
	struct nlattr *a;

	req(self, IOFAIR_CMD_CONTROLLER_GET, 0);
	ASSERT_EQ(0, talk(self));
	ASSERT_EQ(1, self->r->n);
	EXPECT_EQ(1, nl_u8(nl_msg_attr(&self->r->msg[0], IOFAIR_A_CONTROLLER_ENABLED)));
	EXPECT_NE(NULL, nl_msg_attr(&self->r->msg[0], IOFAIR_A_CONTROLLER_STEPS));
	EXPECT_NE(NULL, nl_msg_attr(&self->r->msg[0], IOFAIR_A_CONTROLLER_LAST_STEP_NS));

	req(self, IOFAIR_CMD_CONTROLLER_SET, 0);
	nl_put_u8(&self->m, IOFAIR_A_CONTROLLER_ENABLED, 0);
	nl_put_u32(&self->m, IOFAIR_A_CONTROLLER_INTERVAL_MS, 250);
	nl_put_u32(&self->m, IOFAIR_A_CONTROLLER_HYSTERESIS, 7);
	nl_put_u32(&self->m, IOFAIR_A_CONTROLLER_CONFORMANCE_MARGIN, 20);
	nl_put_u32(&self->m, IOFAIR_A_CONTROLLER_CONFORMANCE_WINDOW_MS, 1500);
	ASSERT_EQ(0, talk(self));
	ASSERT_EQ(1, self->r->n);
	EXPECT_EQ(IOFAIR_CMD_CONTROLLER_SET, self->r->msg[0].genl->cmd);
	EXPECT_EQ(0, nl_u8(nl_msg_attr(&self->r->msg[0], IOFAIR_A_CONTROLLER_ENABLED)));

	req(self, IOFAIR_CMD_CONTROLLER_GET, 0);
	ASSERT_EQ(0, talk(self));
	EXPECT_EQ(0, nl_u8(nl_msg_attr(&self->r->msg[0], IOFAIR_A_CONTROLLER_ENABLED)));
	EXPECT_EQ(250, reply_u32(self, 0, IOFAIR_A_CONTROLLER_INTERVAL_MS));
	EXPECT_EQ(7, reply_u32(self, 0, IOFAIR_A_CONTROLLER_HYSTERESIS));
	EXPECT_EQ(20, reply_u32(self, 0, IOFAIR_A_CONTROLLER_CONFORMANCE_MARGIN));
	EXPECT_EQ(1500, reply_u32(self, 0, IOFAIR_A_CONTROLLER_CONFORMANCE_WINDOW_MS));

	/* one attribute changes one setting */
	EXPECT_EQ(0, ctrl_set(self, IOFAIR_A_CONTROLLER_HYSTERESIS, 9));
	EXPECT_EQ(250, reply_u32(self, 0, IOFAIR_A_CONTROLLER_INTERVAL_MS));
	EXPECT_EQ(9, reply_u32(self, 0, IOFAIR_A_CONTROLLER_HYSTERESIS));
	a = nl_msg_attr(&self->r->msg[0], IOFAIR_A_CONTROLLER_ENABLED);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(0, nl_u8(a));
}

TEST_F(api, hist)
{
	struct nlattr *h;
	int t, t2;

	t = target_add(self, IOFAIR_TARGET_KIND_DEV, self->v0, 0,
		       1 << IOFAIR_HIST_KIND_SOJOURN);
	ASSERT_LT(0, t) TH_LOG("extack '%s'", self->r->extack);
	EXPECT_EQ(1 << IOFAIR_HIST_KIND_SOJOURN, reply_u32(self, 0, IOFAIR_A_TARGET_HIST));

	ASSERT_EQ(0, op_u32(self, IOFAIR_CMD_HIST_GET, 0, IOFAIR_A_HISTS_TARGET_ID, t));
	ASSERT_EQ(1, self->r->n);
	EXPECT_EQ(t, reply_u32(self, 0, IOFAIR_A_HISTS_TARGET_ID));
	EXPECT_EQ(1, nl_attr_count(self->r->msg[0].attrs, self->r->msg[0].attrs_len,
				   IOFAIR_A_HISTS_HIST));
	h = nl_msg_attr(&self->r->msg[0], IOFAIR_A_HISTS_HIST);
	ASSERT_NE(NULL, h);
	EXPECT_EQ(IOFAIR_HIST_KIND_SOJOURN, nl_u32(nl_nested(h, IOFAIR_A_HIST_KIND)));
	EXPECT_NE(NULL, nl_nested(h, IOFAIR_A_HIST_COUNT));

	req(self, IOFAIR_CMD_HIST_GET, 0);
	nl_put_u32(&self->m, IOFAIR_A_HISTS_TARGET_ID, t);
	nl_put_u32(&self->m, IOFAIR_A_HISTS_KIND, IOFAIR_HIST_KIND_SOJOURN);
	ASSERT_EQ(0, talk(self));
	EXPECT_EQ(1, nl_attr_count(self->r->msg[0].attrs, self->r->msg[0].attrs_len,
				   IOFAIR_A_HISTS_HIST));
	req(self, IOFAIR_CMD_HIST_GET, 0);
	nl_put_u32(&self->m, IOFAIR_A_HISTS_TARGET_ID, t);
	nl_put_u32(&self->m, IOFAIR_A_HISTS_KIND, IOFAIR_HIST_KIND_RTT_ICMP);
	talk(self);
	EXPECT_NLERR(ENOENT);

	/* off by a change */
	req(self, IOFAIR_CMD_TARGET_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_ID, t);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_HIST, 0);
	ASSERT_EQ(0, talk(self));
	EXPECT_EQ(NULL, nl_msg_attr(&self->r->msg[0], IOFAIR_A_TARGET_HIST));
	req(self, IOFAIR_CMD_HIST_GET, 0);
	nl_put_u32(&self->m, IOFAIR_A_HISTS_TARGET_ID, t);
	nl_put_u32(&self->m, IOFAIR_A_HISTS_KIND, IOFAIR_HIST_KIND_SOJOURN);
	talk(self);
	EXPECT_NLERR(ENOENT);

	/* a target without histograms has none to give */
	t2 = target_add(self, IOFAIR_TARGET_KIND_DEV, self->v2, 0, 0);
	ASSERT_LT(0, t2);
	ASSERT_EQ(0, op_u32(self, IOFAIR_CMD_HIST_GET, 0, IOFAIR_A_HISTS_TARGET_ID, t2));
	EXPECT_EQ(0, nl_attr_count(self->r->msg[0].attrs, self->r->msg[0].attrs_len,
				   IOFAIR_A_HISTS_HIST));
}

/* Next event on @fd, of @type: its message in *ev, or fail. */
static int next_event(FIXTURE_DATA(api) *self, int fd, struct nl_msg *ev)
{
	int got = nl_recv_event(fd, 2000, self->r, ev);

	if (got != 1) {
		fprintf(stderr, "# no event: %d (group %d)\n", got, self->grp);
		return -1;
	}
	if (ev->genl->cmd != IOFAIR_CMD_EVENT_NTF)
		return -2;
	if (!nl_msg_attr(ev, IOFAIR_A_EVENT_TIME))
		return -3;
	return nl_u32(nl_msg_attr(ev, IOFAIR_A_EVENT_TYPE));
}

static uint32_t ev_u32(const struct nl_msg *ev, int type)
{
	struct nlattr *a = nl_msg_attr(ev, type);

	return a ? nl_u32(a) : 0xdeadbeef;
}

TEST_F(api, events)
{
	struct nl_reply *saved;
	struct nl_msg ev;
	int efd, root, a, t, t2;

	efd = nl_open();
	ASSERT_LE(0, efd);
	ASSERT_EQ(0, setsockopt(efd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &self->grp,
				sizeof(self->grp)));
	saved = self->r;
	self->r = malloc(sizeof(*self->r));	/* requests' replies */
	ASSERT_NE(NULL, self->r);

	root = node_new(self, "root", 0, GBIT, NOPOL, NOPOL, -1);
	a = node_new(self, "a", root, 0, NOPOL, NOPOL, -1);
	ASSERT_LT(0, a);
	t = target_add(self, IOFAIR_TARGET_KIND_DEV, self->v0, a, 0);
	ASSERT_LT(0, t);
	req(self, IOFAIR_CMD_TARGET_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_ID, t);
	put_policy(&self->m, IOFAIR_A_TARGET_POLICY, NOPOL, 123 * MBIT, 0);
	ASSERT_EQ(0, talk(self));
	req(self, IOFAIR_CMD_NODE_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_NODE_ID, a);
	put_policy(&self->m, IOFAIR_A_NODE_POLICY, NOPOL, NOPOL, 9);
	ASSERT_EQ(0, talk(self));
	ASSERT_EQ(0, op_u32(self, IOFAIR_CMD_TARGET_DEL, 0, IOFAIR_A_TARGET_ID, t));
	ASSERT_EQ(0, op_u32(self, IOFAIR_CMD_NODE_DEL, 0, IOFAIR_A_NODE_ID, a));
	t2 = target_add(self, IOFAIR_TARGET_KIND_DEV, self->v2, root, 0);
	ASSERT_LT(0, t2);
	ASSERT_EQ(0, system("ip link del v2"));
	/* a refused request sends nothing */
	EXPECT_EQ(-EEXIST, node_new(self, "root", 0, GBIT, NOPOL, NOPOL, -1));

	free(self->r);
	self->r = saved;

	ASSERT_EQ(IOFAIR_EVENT_TYPE_NODE_NEW, next_event(self, efd, &ev));
	EXPECT_EQ(root, ev_u32(&ev, IOFAIR_A_EVENT_NODE_ID));
	ASSERT_EQ(IOFAIR_EVENT_TYPE_NODE_NEW, next_event(self, efd, &ev));
	EXPECT_EQ(a, ev_u32(&ev, IOFAIR_A_EVENT_NODE_ID));

	ASSERT_EQ(IOFAIR_EVENT_TYPE_TARGET_NEW, next_event(self, efd, &ev));
	EXPECT_EQ(t, ev_u32(&ev, IOFAIR_A_EVENT_TARGET_ID));
	EXPECT_EQ(IOFAIR_TARGET_KIND_DEV, ev_u32(&ev, IOFAIR_A_EVENT_KIND));
	EXPECT_EQ(self->v0, ev_u32(&ev, IOFAIR_A_EVENT_IFINDEX));
	EXPECT_EQ(a, ev_u32(&ev, IOFAIR_A_EVENT_NODE_ID));
	EXPECT_EQ(NULL, nl_msg_attr(&ev, IOFAIR_A_EVENT_REASON));

	ASSERT_EQ(IOFAIR_EVENT_TYPE_POLICY_CHANGE, next_event(self, efd, &ev));
	EXPECT_EQ(t, ev_u32(&ev, IOFAIR_A_EVENT_TARGET_ID));
	EXPECT_EQ(123 * MBIT, nl_u64(nl_nested(nl_msg_attr(&ev, IOFAIR_A_EVENT_POLICY),
					       IOFAIR_A_POLICY_BW_MAX)));

	ASSERT_EQ(IOFAIR_EVENT_TYPE_POLICY_CHANGE, next_event(self, efd, &ev));
	EXPECT_EQ(a, ev_u32(&ev, IOFAIR_A_EVENT_NODE_ID));
	EXPECT_EQ(0xdeadbeef, ev_u32(&ev, IOFAIR_A_EVENT_TARGET_ID));
	EXPECT_EQ(9, nl_u32(nl_nested(nl_msg_attr(&ev, IOFAIR_A_EVENT_POLICY),
				      IOFAIR_A_POLICY_WEIGHT)));

	ASSERT_EQ(IOFAIR_EVENT_TYPE_TARGET_DEL, next_event(self, efd, &ev));
	EXPECT_EQ(t, ev_u32(&ev, IOFAIR_A_EVENT_TARGET_ID));
	EXPECT_EQ(IOFAIR_DEL_REASON_USER, ev_u32(&ev, IOFAIR_A_EVENT_REASON));
	EXPECT_EQ(self->v0, ev_u32(&ev, IOFAIR_A_EVENT_IFINDEX));

	ASSERT_EQ(IOFAIR_EVENT_TYPE_NODE_DEL, next_event(self, efd, &ev));
	EXPECT_EQ(a, ev_u32(&ev, IOFAIR_A_EVENT_NODE_ID));
	EXPECT_EQ(IOFAIR_DEL_REASON_USER, ev_u32(&ev, IOFAIR_A_EVENT_REASON));

	ASSERT_EQ(IOFAIR_EVENT_TYPE_TARGET_NEW, next_event(self, efd, &ev));
	EXPECT_EQ(t2, ev_u32(&ev, IOFAIR_A_EVENT_TARGET_ID));
	ASSERT_EQ(IOFAIR_EVENT_TYPE_TARGET_DEL, next_event(self, efd, &ev));
	EXPECT_EQ(t2, ev_u32(&ev, IOFAIR_A_EVENT_TARGET_ID));
	EXPECT_EQ(IOFAIR_DEL_REASON_DEVICE_GONE, ev_u32(&ev, IOFAIR_A_EVENT_REASON));
	EXPECT_EQ(self->v2, ev_u32(&ev, IOFAIR_A_EVENT_IFINDEX));

	EXPECT_EQ(0, nl_recv_event(efd, 300, self->r, &ev));
	close(efd);
}

TEST_HARNESS_MAIN
