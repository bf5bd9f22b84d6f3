// SPDX-License-Identifier: GPL-2.0
/*
 * The privilege boundary, over every op (Documentation/admin-guide.rst,
 * "Who may do what"):
 *
 *   nobody		uid 65534 in the initial namespaces: every mutating op
 *			EPERM, every read served.
 *   userns root	root of nobody's own user + network namespace
 *			(unshare -Ur -n): its dev targets and nodes are its
 *			own; vf and vhost targets and sojourn histograms
 *			(kprobes, tables of all namespaces) EPERM; nothing
 *			new in the kprobe list; the per-namespace bounds hold
 *			at exactly IOFAIR_{NODES,TARGETS,DEPTH}_MAX.
 *   accounting		a namespace's nodes are charged to its creator's
 *			memory cgroup (memory.stat slab_unreclaimable).
 *   vf_foreign_netns	a VF netdev in a namespace owned by another user
 *			namespace: the root of the PF's namespace cannot
 *			make a vf target of it (a VF is made when there is
 *			none).
 *
 * Each child process reports the first expectation it missed on stderr and
 * exits non-zero; the parent checks its status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/iofair.h>

#include "kselftest_harness.h"
#include "nl_helpers.h"

#define NOBODY		65534
#define GBIT		1000000000ULL
#define BIT(n)		(1U << (n))
#define KPROBE_LIST	"/sys/kernel/debug/kprobes/list"

FIXTURE(priv) {
	int fd;
	int family;
	struct nl_reply *r;
	struct nl_req m;
};

FIXTURE_SETUP(priv)
{
	self->fd = -1;
	self->r = malloc(sizeof(*self->r));
	ASSERT_NE(NULL, self->r);
	if (geteuid())
		SKIP(return, "must run as root");
	self->fd = nl_open();
	ASSERT_LE(0, self->fd);
	self->family = nl_iofair_family(self->fd, NULL);
	if (self->family == -1)
		SKIP(return, "iofair module not available (set IOFAIR_KO)");
	ASSERT_LE(0, self->family);
	ASSERT_EQ(0, system("modprobe -q dummy; modprobe -q tun; true"));
}

FIXTURE_TEARDOWN(priv)
{
	if (self->fd >= 0)
		close(self->fd);
	free(self->r);
}

/* ---- helpers ------------------------------------------------------------ */

#define FAIL_IF(cond, what)							\
	do {									\
		if (cond) {							\
			fprintf(stderr, "# child, line %d: %s: error %d, extack '%s'\n", \
				__LINE__, what, self->r->error, self->r->extack); \
			return 1;						\
		}								\
	} while (0)

static void req(FIXTURE_DATA(priv) *self, int cmd, int flags)
{
	nl_req_init(&self->m, self->family, cmd, flags);
}

/* Send self->m on @fd: the kernel's answer (0 or -errno). */
static int talk(FIXTURE_DATA(priv) *self, int fd)
{
	return nl_ask(fd, &self->m, self->r);
}

static uint32_t reply_u32(FIXTURE_DATA(priv) *self, int type)
{
	return nl_reply_u32(self->r, 0, type, 0);
}

/* target-add of @kind on @ifname, histograms @hist: 0 or -errno; *@id. */
static int target_add(FIXTURE_DATA(priv) *self, int fd, uint32_t kind, const char *ifname,
		      uint32_t hist, uint32_t *id)
{
	int err;

	req(self, IOFAIR_CMD_TARGET_ADD, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_KIND, kind);
	nl_put_str(&self->m, IOFAIR_A_TARGET_IFNAME, ifname);
	if (kind == IOFAIR_TARGET_KIND_VF)
		nl_put_u32(&self->m, IOFAIR_A_TARGET_VF, 0);
	if (hist)
		nl_put_u32(&self->m, IOFAIR_A_TARGET_HIST, hist);
	err = talk(self, fd);
	if (!err && id)
		*id = reply_u32(self, IOFAIR_A_TARGET_ID);
	return err;
}

/* node-new "name" below @parent (0: a root of 1 Gbit/s): 0 or -errno; *@id. */
static int node_new(FIXTURE_DATA(priv) *self, int fd, const char *name, uint32_t parent,
		    uint32_t *id)
{
	int err;

	req(self, IOFAIR_CMD_NODE_NEW, 0);
	nl_put_str(&self->m, IOFAIR_A_NODE_NAME, name);
	if (parent)
		nl_put_u32(&self->m, IOFAIR_A_NODE_PARENT, parent);
	else
		nl_put_u64(&self->m, IOFAIR_A_NODE_CAPACITY, GBIT);
	err = talk(self, fd);
	if (!err && id)
		*id = reply_u32(self, IOFAIR_A_NODE_ID);
	return err;
}

/* uid and gid 65534, no groups; dumpable, so /proc/self stays its own. */
static int drop_to_nobody(void)
{
	return setgroups(0, NULL) || setgid(NOBODY) || setuid(NOBODY) ||
	       prctl(PR_SET_DUMPABLE, 1) ? -1 : 0;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

/*
 * As nobody, a user namespace where nobody is root (unshare -Ur), and with
 * @net a network namespace of its own: 0, 4 when unprivileged user
 * namespaces are off, else another failure.
 */
static int become_userns_root(bool net)
{
	char map[32];

	if (drop_to_nobody())
		return 2;
	if (unshare(CLONE_NEWUSER)) {
		fprintf(stderr, "# unshare(CLONE_NEWUSER) as nobody: %s\n", strerror(errno));
		return 4;
	}
	snprintf(map, sizeof(map), "0 %d 1", NOBODY);
	if (write_file("/proc/self/setgroups", "deny") ||
	    write_file("/proc/self/uid_map", map) || write_file("/proc/self/gid_map", map)) {
		fprintf(stderr, "# id maps: %s\n", strerror(errno));
		return 3;
	}
	if (net && unshare(CLONE_NEWNET)) {
		fprintf(stderr, "# unshare(CLONE_NEWNET) in the user namespace: %s\n",
			strerror(errno));
		return 3;
	}
	return 0;
}

/* The whole of @path (at most @len - 1 bytes) into @buf: its length, or -1. */
static ssize_t read_all(const char *path, char *buf, size_t len)
{
	ssize_t n, got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + got, len - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = 0;
	return got;
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

/* ---- nobody --------------------------------------------------------------- */

static int child_nobody(FIXTURE_DATA(priv) *self, uint32_t node, uint32_t target)
{
	static const uint32_t kinds[] = {
		IOFAIR_TARGET_KIND_DEV, IOFAIR_TARGET_KIND_VHOST, IOFAIR_TARGET_KIND_VF,
	};
	unsigned int i;
	int fd;

	if (drop_to_nobody())
		return 2;
	fd = nl_open();
	if (fd < 0)
		return 3;
	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		FAIL_IF(target_add(self, fd, kinds[i], kinds[i] == IOFAIR_TARGET_KIND_VHOST ?
				   "ptap0" : "pd1", 0, NULL) != -EPERM, "target-add");
	FAIL_IF(target_add(self, fd, IOFAIR_TARGET_KIND_DEV, "pd1",
			   BIT(IOFAIR_HIST_KIND_SOJOURN), NULL) != -EPERM, "target-add sojourn");
	req(self, IOFAIR_CMD_TARGET_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_ID, target);
	FAIL_IF(talk(self, fd) != -EPERM, "target-set");
	req(self, IOFAIR_CMD_TARGET_DEL, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_ID, target);
	FAIL_IF(talk(self, fd) != -EPERM, "target-del");
	FAIL_IF(node_new(self, fd, "x", 0, NULL) != -EPERM, "node-new");
	req(self, IOFAIR_CMD_NODE_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_NODE_ID, node);
	FAIL_IF(talk(self, fd) != -EPERM, "node-set");
	req(self, IOFAIR_CMD_NODE_DEL, 0);
	nl_put_u32(&self->m, IOFAIR_A_NODE_ID, node);
	FAIL_IF(talk(self, fd) != -EPERM, "node-del");
	req(self, IOFAIR_CMD_STATS_RESET, 0);
	FAIL_IF(talk(self, fd) != -EPERM, "stats-reset");
	req(self, IOFAIR_CMD_CONTROLLER_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_CONTROLLER_INTERVAL_MS, 500);
	FAIL_IF(talk(self, fd) != -EPERM, "controller-set");

	req(self, IOFAIR_CMD_VERSION_GET, 0);
	FAIL_IF(talk(self, fd) || self->r->n != 1, "version-get");
	req(self, IOFAIR_CMD_TARGET_GET, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_ID, target);
	FAIL_IF(talk(self, fd) || self->r->n != 1, "target-get");
	req(self, IOFAIR_CMD_TARGET_GET, NLM_F_DUMP);
	FAIL_IF(talk(self, fd) || self->r->n != 1, "target-get dump");
	req(self, IOFAIR_CMD_NODE_GET, 0);
	nl_put_u32(&self->m, IOFAIR_A_NODE_ID, node);
	FAIL_IF(talk(self, fd) || self->r->n != 1, "node-get");
	req(self, IOFAIR_CMD_NODE_GET, NLM_F_DUMP);
	FAIL_IF(talk(self, fd) || self->r->n != 1, "node-get dump");
	req(self, IOFAIR_CMD_STATS_GET, NLM_F_DUMP);
	FAIL_IF(talk(self, fd) || self->r->n != 2, "stats-get");
	req(self, IOFAIR_CMD_HIST_GET, 0);
	nl_put_u32(&self->m, IOFAIR_A_HISTS_TARGET_ID, target);
	FAIL_IF(talk(self, fd) || self->r->n != 1, "hist-get");
	req(self, IOFAIR_CMD_CONTROLLER_GET, 0);
	FAIL_IF(talk(self, fd) || self->r->n != 1, "controller-get");
	return 0;
}

/* uid 65534 in the initial namespaces: no mutation, every read. */
TEST_F(priv, nobody)
{
	uint32_t node = 0, target = 0;
	int status;

	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	close(self->fd);
	self->fd = nl_open();	/* a socket of the test's namespace */
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, system("ip link add pd0 type dummy && ip link add pd1 type dummy && "
			    "ip tuntap add dev ptap0 mode tap"));
	ASSERT_EQ(0, node_new(self, self->fd, "root", 0, &node));
	ASSERT_EQ(0, target_add(self, self->fd, IOFAIR_TARGET_KIND_DEV, "pd0", 0, &target));
	IN_CHILD(status, _exit(child_nobody(self, node, target)));
	EXPECT_EQ(0, status);
	req(self, IOFAIR_CMD_TARGET_GET, NLM_F_DUMP);
	ASSERT_EQ(0, talk(self, self->fd));
	EXPECT_EQ(1, self->r->n);
}

/* ---- root of a user namespace --------------------------------------------- */

#define EXPECT_GLOBAL_EPERM(err, what)						\
	FAIL_IF((err) != -EPERM || !strstr(self->r->extack, "initial user namespace"), what)

/*
 * @ready: written with become_userns_root()'s result; @go: read once the
 * parent has moved a tap in (/dev/net/tun may be root's only).
 */
static int child_userns_root(FIXTURE_DATA(priv) *self, int ready, int go)
{
	uint32_t root = 0, tenant = 0, t = 0, t2 = 0;
	char err;
	int fd;

	err = become_userns_root(true);
	if (write(ready, &err, 1) != 1 || err)
		return err ?: 3;
	if (read(go, &err, 1) != 1 || !if_nametoindex("utap0") ||
	    system("ip link add ud0 type dummy && ip link add ud1 type dummy")) {
		fprintf(stderr, "# devices in the user namespace's netns\n");
		return 3;
	}
	fd = nl_open();
	if (fd < 0)
		return 3;

	/* The namespace's own objects. */
	req(self, IOFAIR_CMD_VERSION_GET, 0);
	FAIL_IF(talk(self, fd) || self->r->n != 1, "version-get");
	FAIL_IF(node_new(self, fd, "root", 0, &root), "node-new root");
	FAIL_IF(node_new(self, fd, "tenant", root, &tenant), "node-new tenant");
	req(self, IOFAIR_CMD_NODE_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_NODE_ID, root);
	nl_put_u64(&self->m, IOFAIR_A_NODE_CAPACITY, 2 * GBIT);
	FAIL_IF(talk(self, fd), "node-set");
	FAIL_IF(target_add(self, fd, IOFAIR_TARGET_KIND_DEV, "ud0", 0, &t), "target-add dev");
	FAIL_IF(target_add(self, fd, IOFAIR_TARGET_KIND_DEV, "ud1",
			   BIT(IOFAIR_HIST_KIND_RTT_ICMP), &t2), "target-add dev, rtt-icmp");

	/* State of every namespace: refused, and why. */
	EXPECT_GLOBAL_EPERM(target_add(self, fd, IOFAIR_TARGET_KIND_VHOST, "utap0", 0, NULL),
			    "target-add vhost");
	EXPECT_GLOBAL_EPERM(target_add(self, fd, IOFAIR_TARGET_KIND_VF, "utap0", 0, NULL),
			    "target-add vf");
	EXPECT_GLOBAL_EPERM(target_add(self, fd, IOFAIR_TARGET_KIND_DEV, "utap0",
				       BIT(IOFAIR_HIST_KIND_SOJOURN), NULL),
			    "target-add dev, sojourn");
	req(self, IOFAIR_CMD_TARGET_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_ID, t);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_HIST, BIT(IOFAIR_HIST_KIND_SOJOURN));
	EXPECT_GLOBAL_EPERM(talk(self, fd), "target-set sojourn");

	req(self, IOFAIR_CMD_TARGET_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_ID, t);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_NODE, tenant);
	FAIL_IF(talk(self, fd), "target-set node");
	req(self, IOFAIR_CMD_TARGET_GET, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_ID, t);
	FAIL_IF(talk(self, fd) || self->r->n != 1, "target-get");
	req(self, IOFAIR_CMD_TARGET_GET, NLM_F_DUMP);
	FAIL_IF(talk(self, fd) || self->r->n != 2, "target-get dump: the two dev targets");
	req(self, IOFAIR_CMD_NODE_GET, NLM_F_DUMP);
	FAIL_IF(talk(self, fd) || self->r->n != 2, "node-get dump");
	req(self, IOFAIR_CMD_STATS_GET, NLM_F_DUMP);
	FAIL_IF(talk(self, fd) || self->r->n != 4, "stats-get");
	req(self, IOFAIR_CMD_HIST_GET, 0);
	nl_put_u32(&self->m, IOFAIR_A_HISTS_TARGET_ID, t2);
	FAIL_IF(talk(self, fd) || self->r->n != 1, "hist-get");
	req(self, IOFAIR_CMD_STATS_RESET, 0);
	FAIL_IF(talk(self, fd), "stats-reset");
	req(self, IOFAIR_CMD_CONTROLLER_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_CONTROLLER_INTERVAL_MS, 500);
	FAIL_IF(talk(self, fd), "controller-set");
	req(self, IOFAIR_CMD_CONTROLLER_GET, 0);
	FAIL_IF(talk(self, fd) || reply_u32(self, IOFAIR_A_CONTROLLER_INTERVAL_MS) != 500,
		"controller-get");
	req(self, IOFAIR_CMD_TARGET_DEL, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_ID, t);
	FAIL_IF(talk(self, fd), "target-del");
	req(self, IOFAIR_CMD_TARGET_DEL, 0);
	nl_put_u32(&self->m, IOFAIR_A_TARGET_ID, t2);
	FAIL_IF(talk(self, fd), "target-del rtt");
	req(self, IOFAIR_CMD_NODE_DEL, 0);
	nl_put_u32(&self->m, IOFAIR_A_NODE_ID, tenant);
	FAIL_IF(talk(self, fd), "node-del");
	return 0;
}

/* The kprobe list, or SKIP-worthy NULL: debugfs mounted when it is not. */
static char *kprobe_list(void)
{
	static char buf[2][65536];
	static int which;
	char *b = buf[which++ & 1];

	if (access(KPROBE_LIST, R_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	return read_all(KPROBE_LIST, b, sizeof(buf[0])) < 0 ? NULL : b;
}

/* Root of its own user + network namespace: its own objects, nothing global. */
TEST_F(priv, userns_root)
{
	char *before, *after;
	int status;

	int ready[2], go[2];
	char ch = 3;
	pid_t pid;

	before = kprobe_list();
	ASSERT_EQ(0, pipe(ready));
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(ready[0]);
		close(go[1]);
		_exit(child_userns_root(self, ready[1], go[0]));
	}
	close(ready[1]);
	close(go[0]);
	if (read(ready[0], &ch, 1) == 1 && !ch) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd),
			 "ip tuntap add dev utap0 mode tap && ip link set utap0 netns %d", pid);
		EXPECT_EQ(0, system(cmd));
		EXPECT_EQ(1, write(go[1], "x", 1));
	}
	close(go[1]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	status = WEXITSTATUS(status);
	if (status == 4)
		SKIP(return, "unprivileged user namespaces are disabled");
	EXPECT_EQ(0, status);
	after = kprobe_list();
	if (!before || !after) {
		TH_LOG("no %s: the kprobe part is not checked", KPROBE_LIST);
		return;
	}
	EXPECT_STREQ(before, after);
}

/* ---- bounds ----------------------------------------------------------------- */

static int expect_bound(FIXTURE_DATA(priv) *self, int err, const char *text, const char *what)
{
	if (err == -ENOSPC && strstr(self->r->extack, text)) {
		fprintf(stderr, "# %s: ENOSPC, '%s'\n", what, self->r->extack);
		return 0;
	}
	fprintf(stderr, "# %s: error %d, extack '%s', not ENOSPC with '%s'\n",
		what, err, self->r->extack, text);
	return 1;
}

static int child_bounds(FIXTURE_DATA(priv) *self)
{
	uint32_t chain[IOFAIR_DEPTH_MAX + 1], x1 = 0, x2 = 0, id = 0;
	char name[32], batch[] = "/tmp/iofair-priv-XXXXXX";
	unsigned int i, nodes, fails = 0;
	FILE *f;
	int fd, tfd, err;

	err = become_userns_root(true);
	if (err)
		return err;
	fd = nl_open();
	if (fd < 0)
		return 3;

	/* Depth: a root and IOFAIR_DEPTH_MAX - 1 levels below it, no more. */
	FAIL_IF(node_new(self, fd, "d1", 0, &chain[1]), "node-new d1");
	for (i = 2; i <= IOFAIR_DEPTH_MAX; i++) {
		snprintf(name, sizeof(name), "d%u", i);
		FAIL_IF(node_new(self, fd, name, chain[i - 1], &chain[i]), "node-new chain");
	}
	fails += expect_bound(self, node_new(self, fd, "deeper", chain[IOFAIR_DEPTH_MAX], NULL),
			      "levels", "node-new below the deepest");
	/* Moving a subtree two levels high: below level 6 fits, below 7 not. */
	FAIL_IF(node_new(self, fd, "x1", chain[1], &x1), "node-new x1");
	FAIL_IF(node_new(self, fd, "x2", x1, &x2), "node-new x2");
	req(self, IOFAIR_CMD_NODE_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_NODE_ID, x1);
	nl_put_u32(&self->m, IOFAIR_A_NODE_PARENT, chain[IOFAIR_DEPTH_MAX - 1]);
	fails += expect_bound(self, talk(self, fd), "levels", "node-set moving a subtree too deep");
	req(self, IOFAIR_CMD_NODE_SET, 0);
	nl_put_u32(&self->m, IOFAIR_A_NODE_ID, x1);
	nl_put_u32(&self->m, IOFAIR_A_NODE_PARENT, chain[IOFAIR_DEPTH_MAX - 2]);
	FAIL_IF(talk(self, fd), "node-set moving a subtree to the deepest it fits");

	/* Nodes: IOFAIR_NODES_MAX in all, then no more; one goes, one comes. */
	nodes = IOFAIR_DEPTH_MAX + 2;
	for (i = nodes; i < IOFAIR_NODES_MAX; i++) {
		snprintf(name, sizeof(name), "r%u", i);
		FAIL_IF(node_new(self, fd, name, 0, &id), "node-new below the bound");
	}
	fails += expect_bound(self, node_new(self, fd, "one-too-many", 0, NULL), "nodes",
			      "node-new past IOFAIR_NODES_MAX");
	req(self, IOFAIR_CMD_NODE_DEL, 0);
	nl_put_u32(&self->m, IOFAIR_A_NODE_ID, id);
	FAIL_IF(talk(self, fd), "node-del");
	FAIL_IF(node_new(self, fd, "again", 0, NULL), "node-new after a node-del");

	/* Targets: IOFAIR_TARGETS_MAX dummy devices governed, one more refused. */
	tfd = mkstemp(batch);
	f = tfd < 0 ? NULL : fdopen(tfd, "w");
	FAIL_IF(!f, "batch file");
	for (i = 0; i <= IOFAIR_TARGETS_MAX; i++)
		fprintf(f, "link add b%u type dummy\n", i);
	fclose(f);
	snprintf(name, sizeof(name), "ip -b %s", batch);
	FAIL_IF(system(name), "ip -b: the dummy devices");
	unlink(batch);
	for (i = 0; i < IOFAIR_TARGETS_MAX; i++) {
		snprintf(name, sizeof(name), "b%u", i);
		FAIL_IF(target_add(self, fd, IOFAIR_TARGET_KIND_DEV, name, 0, NULL),
			"target-add below the bound");
	}
	snprintf(name, sizeof(name), "b%u", IOFAIR_TARGETS_MAX);
	fails += expect_bound(self, target_add(self, fd, IOFAIR_TARGET_KIND_DEV, name, 0, NULL),
			      "targets", "target-add past IOFAIR_TARGETS_MAX");
	/* The namespace and its targets go when this process exits. */
	return fails ? 1 : 0;
}

/*
 * The per-namespace bounds, hit by the root of a user namespace.  2049
 * dummy devices and 2048 targets take more than the harness's default 30 s
 * under TCG (6.1 is the slower).
 */
TEST_F_TIMEOUT(priv, bounds, 300)
{
	int status;

	IN_CHILD(status, _exit(child_bounds(self)));
	if (status == 4)
		SKIP(return, "unprivileged user namespaces are disabled");
	EXPECT_EQ(0, status);
}

/* ---- memory accounting --------------------------------------------------- */

#define CG_ROOT		"/sys/fs/cgroup"
#define ACCT_NODES	1000

/* memory.stat's slab_unreclaimable of @cg, in bytes, or -1. */
static long long cg_slab(const char *cg)
{
	static char buf[16384];
	char path[256], *p;

	snprintf(path, sizeof(path), "%s/memory.stat", cg);
	if (read_all(path, buf, sizeof(buf)) < 0)
		return -1;
	p = strstr(buf, "\nslab_unreclaimable ");
	return p ? atoll(p + strlen("\nslab_unreclaimable ")) : -1;
}

static int child_accounting(FIXTURE_DATA(priv) *self, const char *cg)
{
	char path[256], name[32];
	long long before, after = -1;
	uint32_t root = 0;
	unsigned int i;
	int fd;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	if (write_file(path, "0") || unshare(CLONE_NEWNET))
		return 2;
	fd = nl_open();
	if (fd < 0)
		return 3;
	FAIL_IF(node_new(self, fd, "root", 0, &root), "node-new root");
	sleep(3);	/* the memcg's stats are flushed every 2 s */
	before = cg_slab(cg);
	for (i = 0; i < ACCT_NODES; i++) {
		snprintf(name, sizeof(name), "n%u", i);
		FAIL_IF(node_new(self, fd, name, root, NULL), "node-new");
	}
	for (i = 0; i < 5; i++) {
		sleep(1);
		after = cg_slab(cg);
		if (after - before >= ACCT_NODES * 128LL)
			break;
	}
	fprintf(stderr, "# slab_unreclaimable %lld -> %lld: %lld bytes for %u nodes\n",
		before, after, after - before, ACCT_NODES);
	/* A node is a kmalloc-192 or -256 object: at least 128 bytes each. */
	return after - before >= ACCT_NODES * 128LL ? 0 : 1;
}

/* The nodes a request makes are charged to the caller's memory cgroup. */
TEST_F_TIMEOUT(priv, accounting, 120)
{
	char cg[128], buf[256];
	int status, i;

	if (read_all(CG_ROOT "/cgroup.controllers", buf, sizeof(buf)) < 0 ||
	    !strstr(buf, "memory"))
		SKIP(return, "no cgroup2 memory controller at " CG_ROOT);
	write_file(CG_ROOT "/cgroup.subtree_control", "+memory");
	snprintf(cg, sizeof(cg), CG_ROOT "/iofair-priv-%d", getpid());
	ASSERT_EQ(0, mkdir(cg, 0755));
	if (cg_slab(cg) < 0) {
		rmdir(cg);
		SKIP(return, "no memory.stat slab_unreclaimable in %s", cg);
	}
	IN_CHILD(status, _exit(child_accounting(self, cg)));
	EXPECT_EQ(0, status);
	/* Empty once the child's namespace is gone. */
	for (i = 0; i < 50 && rmdir(cg) && errno == EBUSY; i++)
		usleep(100000);
}

/* ---- a VF in another user's namespace --------------------------------------- */

/* A child that holds the namespaces @fn makes: it writes @fn's result
 * (one byte) when ready, and waits until *@hold_wr is closed.
 */
static pid_t holder(int *ready_rd, int *hold_wr, int (*fn)(void *), void *arg)
{
	int ready[2], hold[2];
	pid_t pid;
	char c;

	if (pipe(ready) || pipe(hold))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		close(ready[0]);
		close(hold[1]);
		c = fn(arg);
		if (write(ready[1], &c, 1) != 1)
			_exit(9);
		if (read(hold[0], &c, 1) < 0)
			_exit(9);
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	*ready_rd = ready[0];
	*hold_wr = hold[1];
	return pid;
}

static int hold_foreign_ns(void *arg)
{
	(void)arg;
	return become_userns_root(true);
}

struct vf_caller {
	FIXTURE_DATA(priv) *self;
	const char *pf;
	int go;		/* read end: the PF is in our namespace */
};

/* Root of nobody's user namespace with its own netns, the PF moved in. */
static int vf_caller(struct vf_caller *c)
{
	FIXTURE_DATA(priv) *self = c->self;
	char ch;
	int fd;

	if (read(c->go, &ch, 1) != 1)
		return 3;
	if (!if_nametoindex(c->pf)) {
		fprintf(stderr, "# %s did not arrive in the caller's namespace\n", c->pf);
		return 3;
	}
	fd = nl_open();
	if (fd < 0)
		return 3;
	/* It governs its own PF's netdev... */
	FAIL_IF(target_add(self, fd, IOFAIR_TARGET_KIND_DEV, c->pf, 0, NULL),
		"target-add dev on its own PF");
	/* ...but not the VF whose netdev is in a namespace not its own. */
	FAIL_IF(target_add(self, fd, IOFAIR_TARGET_KIND_VF, c->pf, 0, NULL) != -EPERM,
		"target-add vf, VF netdev in a foreign namespace");
	fprintf(stderr, "# vf target refused: '%s'\n", self->r->extack);
	return 0;
}

TEST_F(priv, vf_foreign_netns)
{
	const char *pf = getenv("IOFAIR_PF");
	char path[256], vfname[IFNAMSIZ] = "", cmd[512], ch;
	int h_ready, h_hold, go[2], ready[2], status, i;
	struct vf_caller vc = { .self = self, .pf = pf };
	bool made;
	pid_t h, c;
	FILE *p;

	if (!pf || !*pf)
		SKIP(return, "no SR-IOV PF (run in selftests/vm/run)");
	/* No VF yet: one of our own (igbvf gives it a netdev), gone at the end. */
	snprintf(cmd, sizeof(cmd),
		 "d=/sys/class/net/%s/device; [ -e $d/virtfn0 ] && exit 10; modprobe -q igbvf; "
		 "echo 1 > $d/sriov_numvfs || exit 1; for i in $(seq 100); do "
		 "ls $d/virtfn0/net >/dev/null 2>&1 && exit 0; sleep 0.1; done; exit 1", pf);
	status = system(cmd);
	ASSERT_TRUE(WIFEXITED(status));
	made = WEXITSTATUS(status) == 0;
	ASSERT_TRUE(made || WEXITSTATUS(status) == 10);
	snprintf(cmd, sizeof(cmd), "ls /sys/class/net/%s/device/virtfn0/net 2>/dev/null", pf);
	p = popen(cmd, "r");
	ASSERT_NE(NULL, p);
	if (!fgets(vfname, sizeof(vfname), p))
		vfname[0] = 0;
	pclose(p);
	vfname[strcspn(vfname, "\n")] = 0;
	ASSERT_NE(0, vfname[0]) TH_LOG("VF 0 of %s has no netdev (bound to vfio?)", pf);
	snprintf(path, sizeof(path), "/sys/class/net/%s", vfname);

	/* The VF netdev into a namespace of another user namespace. */
	h = holder(&h_ready, &h_hold, hold_foreign_ns, NULL);
	ASSERT_LT(0, h);
	ASSERT_EQ(1, read(h_ready, &ch, 1));
	if (ch == 4) {
		close(h_hold);
		waitpid(h, &status, 0);
		SKIP(return, "unprivileged user namespaces are disabled");
	}
	ASSERT_EQ(0, ch);
	snprintf(cmd, sizeof(cmd), "ip link set dev %s netns %d", vfname, h);
	ASSERT_EQ(0, system(cmd));

	/* The caller: the PF's namespace is its own. */
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	vc.go = go[0];
	c = fork();
	ASSERT_LE(0, c);
	if (!c) {
		char err = become_userns_root(true);

		close(go[1]);
		close(ready[0]);
		if (write(ready[1], &err, 1) != 1 || err)
			_exit(err ?: 9);
		_exit(vf_caller(&vc));
	}
	close(go[0]);
	close(ready[1]);
	/* Once the caller has its namespaces, the PF goes in. */
	ASSERT_EQ(1, read(ready[0], &ch, 1));
	ASSERT_EQ(0, ch);
	snprintf(cmd, sizeof(cmd), "ip link set dev %s netns %d", pf, c);
	ASSERT_EQ(0, system(cmd));
	ASSERT_EQ(1, write(go[1], "x", 1));
	close(go[1]);
	ASSERT_EQ(c, waitpid(c, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));

	close(h_hold);
	waitpid(h, &status, 0);
	/* Both netdevs come back to the initial namespace with their namespaces. */
	for (i = 0; i < 100 && (!if_nametoindex(pf) || access(path, F_OK)); i++)
		usleep(100000);
	EXPECT_NE(0, if_nametoindex(pf));
	snprintf(cmd, sizeof(cmd), "ip link set %s up", pf);
	EXPECT_EQ(0, system(cmd));
	/* Later tests want the PF's link up (igb takes no VF rate without it). */
	snprintf(path, sizeof(path), "/sys/class/net/%s/operstate", pf);
	for (i = 0; i < 100; i++) {
		char state[16] = "";

		if (read_all(path, state, sizeof(state)) > 0 && !strncmp(state, "up", 2))
			break;
		usleep(100000);
	}
	if (made) {
		snprintf(cmd, sizeof(cmd), "echo 0 > /sys/class/net/%s/device/sriov_numvfs", pf);
		EXPECT_EQ(0, system(cmd));
	}
}

TEST_HARNESS_MAIN
