// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink fuzzing of the iofair family, in a network namespace of its own:
 *
 *   netns of the test
 *   +-----------------------------------------------------+
 *   |  lo   v0 <-> v1   v2 <-> v3   v4 <-> v5   (veth)    |
 *   |  tap0 tap1   (persistent taps, nobody serves them)   |
 *   +-----------------------------------------------------+
 *
 * Requests are built from the spec's ops and attributes with valid and
 * edge values (0, 1, the limits and one past them, 2^64-1, strings at and
 * over their longest, empty, unterminated, with odd bytes), then many are
 * mutated: wrong lengths and types, truncated attributes, lengths past the
 * end, garbage and deep nests, unknown and duplicate attributes,
 * NLA_F_NESTED misuse, truncated or odd genetlink headers, random and
 * unknown commands, the dump flag where it does not belong, several
 * messages in one datagram, empty and tiny datagrams.  Every ~3000
 * messages the veth pair v4/v5 is deleted and made again under the
 * targets.
 *
 * Each message of a datagram is run, before its answer is read, through
 * a model of what the kernel does with it: netlink's framing
 * (netlink_rcv_skb), genetlink's header checks, strict validation against
 * the request policies written down from the spec (merged per command
 * before 6.2, as the module registers them there), then iofair's own
 * rules on a shadow copy of the namespace's targets, nodes and controller.
 * The answer must match: no reply where netlink drops the message, else
 * exactly one ACK, error or dump DONE per request that asks for one; the
 * predicted errno; for every refusal an extack message, attribute offset
 * or missing attribute (policy refusals: the offset of the very attribute);
 * the predicted reply messages, whose objects must be what the request
 * should have made.  Every 250 messages and at the end, the targets, nodes,
 * controller and statistics objects the kernel dumps must equal the model;
 * every 2000 messages and at the end the version op must answer.  The
 * kernel log must have no new warning when the run ends.
 *
 * Refusals genetlink makes before the family sees a request carry no
 * extack by design (a header shorter than genetlink's: EINVAL; no do or
 * dump handler for the command: EOPNOTSUPP; a dump already running on the
 * socket: EBUSY); they are counted apart and must have the predicted
 * errno.  From 6.2 genetlink leaves the attributes of an op without a
 * request policy unread: such requests are accepted, reported as a known
 * failure (XFAIL) with their count.
 *
 * IOFAIR_FUZZ_SEED replays a run, IOFAIR_FUZZ_MSGS sets the number of
 * messages (default 12000), IOFAIR_FUZZ_TRACE=1 prints every message with
 * its prediction and answer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/iofair.h>
#include <linux/sockios.h>

#include "kselftest.h"
#include "nl_helpers.h"

#define DEFAULT_MSGS	12000
#define CHECK_EVERY	250
#define CHURN_EVERY	3000
#define MAX_T		64
#define MAX_N		256
#define NODES_SOFT_MAX	48
#define MSG_MAX		4096
#define DGRAM_MAX	(8 * MSG_MAX)
#define PER_DGRAM	6
#define SEQ_BASE	0x40000000u
#define MAX_REPORTS	12
#define HDRS		((int)(NLMSG_HDRLEN + GENL_HDRLEN))

/* ---- random numbers: splitmix64, replayable from the seed -------------------- */

static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rn(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static bool pct(unsigned int p)
{
	return rn(100) < p;
}

/* ---- the request policies, from the spec's checks ---------------------------- */

enum { PT_NONE, PT_U8, PT_U32, PT_U64, PT_STR, PT_NEST };
enum { CK_NONE, CK_RANGE, CK_MASK };

struct pol {
	uint8_t type;
	uint8_t check;
	uint64_t min, max;	/* CK_RANGE; CK_MASK: max is the mask */
	int len;		/* PT_STR: longest string */
};

#define P_U8R(mx)	{ PT_U8, CK_RANGE, 0, mx, 0 }
#define P_U32		{ PT_U32, CK_NONE, 0, 0, 0 }
#define P_U32R(mn, mx)	{ PT_U32, CK_RANGE, mn, mx, 0 }
#define P_U32M(m)	{ PT_U32, CK_MASK, 0, m, 0 }
#define P_U64R(mx)	{ PT_U64, CK_RANGE, 0, mx, 0 }
#define P_STR(l)	{ PT_STR, CK_NONE, 0, 0, l }
#define P_NEST		{ PT_NEST, CK_NONE, 0, 0, 0 }
#define P_ID		P_U32R(1, UINT32_MAX)

static const struct pol pol_policy[IOFAIR_A_POLICY_MAX + 1] = {
	[IOFAIR_A_POLICY_BW_MIN] = P_U64R(IOFAIR_RATE_MAX),
	[IOFAIR_A_POLICY_BW_MAX] = P_U64R(IOFAIR_RATE_MAX),
	[IOFAIR_A_POLICY_BURST] = P_U32R(0, IOFAIR_BURST_MAX),
	[IOFAIR_A_POLICY_WEIGHT] = P_U32R(1, 65535),
};

static const struct pol pol_target_add[IOFAIR_A_TARGET_HOST_SIDE + 1] = {
	[IOFAIR_A_TARGET_KIND] = P_U32R(0, IOFAIR_TARGET_KIND_DEV),
	[IOFAIR_A_TARGET_IFINDEX] = P_U32R(1, UINT32_MAX),
	[IOFAIR_A_TARGET_IFNAME] = P_STR(15),
	[IOFAIR_A_TARGET_VF] = P_U32R(0, IOFAIR_VF_MAX),
	[IOFAIR_A_TARGET_NODE] = P_U32,
	[IOFAIR_A_TARGET_ENFORCE] = P_U32R(0, IOFAIR_ENFORCE_BOTH),
	[IOFAIR_A_TARGET_OWNERSHIP] = P_U32R(0, IOFAIR_OWNERSHIP_ADOPT),
	[IOFAIR_A_TARGET_POLICY] = P_NEST,
	[IOFAIR_A_TARGET_RX_BW_MAX] = P_U64R(IOFAIR_RATE_MAX),
	[IOFAIR_A_TARGET_HIST] = P_U32M(0x3f),
	[IOFAIR_A_TARGET_HOST_SIDE] = P_U8R(1),
};

static const struct pol pol_target_id[IOFAIR_A_TARGET_ID + 1] = {
	[IOFAIR_A_TARGET_ID] = P_ID,
};

static const struct pol pol_target_set[IOFAIR_A_TARGET_HIST + 1] = {
	[IOFAIR_A_TARGET_ID] = P_ID,
	[IOFAIR_A_TARGET_NODE] = P_U32,
	[IOFAIR_A_TARGET_ENFORCE] = P_U32R(0, IOFAIR_ENFORCE_BOTH),
	[IOFAIR_A_TARGET_OWNERSHIP] = P_U32R(0, IOFAIR_OWNERSHIP_ADOPT),
	[IOFAIR_A_TARGET_POLICY] = P_NEST,
	[IOFAIR_A_TARGET_RX_BW_MAX] = P_U64R(IOFAIR_RATE_MAX),
	[IOFAIR_A_TARGET_HIST] = P_U32M(0x3f),
};

static const struct pol pol_target_dump[IOFAIR_A_TARGET_NODE + 1] = {
	[IOFAIR_A_TARGET_KIND] = P_U32R(0, IOFAIR_TARGET_KIND_DEV),
	[IOFAIR_A_TARGET_NODE] = P_U32,
};

static const struct pol pol_node_new[IOFAIR_A_NODE_POLICY + 1] = {
	[IOFAIR_A_NODE_NAME] = P_STR(IOFAIR_NAME_LEN - 1),
	[IOFAIR_A_NODE_KIND] = P_U32R(0, IOFAIR_NODE_KIND_GROUP),
	[IOFAIR_A_NODE_PARENT] = P_ID,
	[IOFAIR_A_NODE_CAPACITY] = P_U64R(IOFAIR_RATE_MAX),
	[IOFAIR_A_NODE_LINK] = P_U32R(1, UINT32_MAX),
	[IOFAIR_A_NODE_POLICY] = P_NEST,
};

static const struct pol pol_node_id[IOFAIR_A_NODE_ID + 1] = {
	[IOFAIR_A_NODE_ID] = P_ID,
};

static const struct pol pol_node_set[IOFAIR_A_NODE_POLICY + 1] = {
	[IOFAIR_A_NODE_ID] = P_ID,
	[IOFAIR_A_NODE_PARENT] = P_ID,
	[IOFAIR_A_NODE_CAPACITY] = P_U64R(IOFAIR_RATE_MAX),
	[IOFAIR_A_NODE_LINK] = P_U32R(1, UINT32_MAX),
	[IOFAIR_A_NODE_POLICY] = P_NEST,
};

static const struct pol pol_stats_get[IOFAIR_A_STATS_KIND + 1] = {
	[IOFAIR_A_STATS_TARGET_ID] = P_ID,
	[IOFAIR_A_STATS_NODE_ID] = P_ID,
	[IOFAIR_A_STATS_KIND] = P_U32R(0, IOFAIR_TARGET_KIND_DEV),
};

static const struct pol pol_stats_reset[IOFAIR_A_STATS_TARGET_ID + 1] = {
	[IOFAIR_A_STATS_TARGET_ID] = P_ID,
};

static const struct pol pol_hist_get[IOFAIR_A_HISTS_KIND + 1] = {
	[IOFAIR_A_HISTS_TARGET_ID] = P_ID,
	[IOFAIR_A_HISTS_KIND] = P_U32R(0, IOFAIR_HIST_KIND_RTT_TCP_DATA),
};

static const struct pol pol_controller_set[IOFAIR_A_CONTROLLER_CONFORMANCE_WINDOW_MS + 1] = {
	[IOFAIR_A_CONTROLLER_ENABLED] = P_U8R(1),
	[IOFAIR_A_CONTROLLER_INTERVAL_MS] = P_U32R(10, 10000),
	[IOFAIR_A_CONTROLLER_HYSTERESIS] = P_U32R(0, 100),
	[IOFAIR_A_CONTROLLER_CONFORMANCE_MARGIN] = P_U32R(0, 1000),
	[IOFAIR_A_CONTROLLER_CONFORMANCE_WINDOW_MS] = P_U32R(10, 60000),
};

/* An op without a request policy, before 6.2: no attribute is valid. */
static const struct pol pol_none[1];
static bool split_ops;

/* Before 6.2 a command has one op for do and dump, with the two policies
 * merged entry by entry (kmod/netlink.c): these are filled at start.
 */
static struct pol pol_target_get_merged[IOFAIR_A_TARGET_NODE + 1];
static struct pol pol_node_get_merged[IOFAIR_A_NODE_ID + 1];

enum {
	OP_VERSION, OP_TADD, OP_TDEL, OP_TSET, OP_TGET, OP_TDUMP, OP_NNEW, OP_NDEL,
	OP_NSET, OP_NGET, OP_NDUMP, OP_SDUMP, OP_SRESET, OP_HGET, OP_CGET, OP_CSET,
	NOPS,
	OP_NOOP = NOPS,		/* no do/dump handler for the command */
	OP_CORE,		/* refused or dropped before the command is looked up */
	NSLOTS,
};

struct opdesc {
	const char *name;
	uint8_t cmd;
	bool dump;
	const struct pol *pol;	/* NULL: no request policy, attributes unchecked */
	int maxattr;
	int reply;		/* messages a do answers with on success */
};

#define OPD(_n, _c, _d, _p, _r) { _n, _c, _d, _p, sizeof(_p) / sizeof(_p[0]) - 1, _r }
#define OPD_NOPOL(_n, _c, _d, _r) { _n, _c, _d, NULL, 0, _r }

static struct opdesc ops[NOPS] = {
	[OP_VERSION] = OPD_NOPOL("version-get", IOFAIR_CMD_VERSION_GET, false, 1),
	[OP_TADD] = OPD("target-add", IOFAIR_CMD_TARGET_ADD, false, pol_target_add, 1),
	[OP_TDEL] = OPD("target-del", IOFAIR_CMD_TARGET_DEL, false, pol_target_id, 0),
	[OP_TSET] = OPD("target-set", IOFAIR_CMD_TARGET_SET, false, pol_target_set, 1),
	[OP_TGET] = OPD("target-get", IOFAIR_CMD_TARGET_GET, false, pol_target_id, 1),
	[OP_TDUMP] = OPD("target-get dump", IOFAIR_CMD_TARGET_GET, true, pol_target_dump, 0),
	[OP_NNEW] = OPD("node-new", IOFAIR_CMD_NODE_NEW, false, pol_node_new, 1),
	[OP_NDEL] = OPD("node-del", IOFAIR_CMD_NODE_DEL, false, pol_node_id, 0),
	[OP_NSET] = OPD("node-set", IOFAIR_CMD_NODE_SET, false, pol_node_set, 1),
	[OP_NGET] = OPD("node-get", IOFAIR_CMD_NODE_GET, false, pol_node_id, 1),
	[OP_NDUMP] = OPD_NOPOL("node-get dump", IOFAIR_CMD_NODE_GET, true, 0),
	[OP_SDUMP] = OPD("stats-get dump", IOFAIR_CMD_STATS_GET, true, pol_stats_get, 0),
	[OP_SRESET] = OPD("stats-reset", IOFAIR_CMD_STATS_RESET, false, pol_stats_reset, 0),
	[OP_HGET] = OPD("hist-get", IOFAIR_CMD_HIST_GET, false, pol_hist_get, 1),
	[OP_CGET] = OPD_NOPOL("controller-get", IOFAIR_CMD_CONTROLLER_GET, false, 1),
	[OP_CSET] = OPD("controller-set", IOFAIR_CMD_CONTROLLER_SET, false, pol_controller_set, 1),
};

static const char *slot_name(int slot)
{
	if (slot < NOPS)
		return ops[slot].name;
	return slot == OP_NOOP ? "(no such op)" : "(no op reached)";
}

static int op_find(int cmd, bool dump)
{
	for (int i = 0; i < NOPS; i++)
		if (ops[i].cmd == cmd && ops[i].dump == dump)
			return i;
	return -1;
}

static void merge_policy(struct pol *dst, int maxattr, const struct opdesc *a,
			 const struct opdesc *b)
{
	for (int t = 0; t <= maxattr; t++) {
		if (a->pol && t <= a->maxattr && a->pol[t].type != PT_NONE)
			dst[t] = a->pol[t];
		else if (b->pol && t <= b->maxattr)
			dst[t] = b->pol[t];
	}
}

/* Before 6.2: do and dump of a command share one op and one merged policy. */
static void ops_merge(void)
{
	merge_policy(pol_target_get_merged, IOFAIR_A_TARGET_NODE, &ops[OP_TGET], &ops[OP_TDUMP]);
	ops[OP_TGET].pol = ops[OP_TDUMP].pol = pol_target_get_merged;
	ops[OP_TGET].maxattr = ops[OP_TDUMP].maxattr = IOFAIR_A_TARGET_NODE;
	merge_policy(pol_node_get_merged, IOFAIR_A_NODE_ID, &ops[OP_NGET], &ops[OP_NDUMP]);
	ops[OP_NGET].pol = ops[OP_NDUMP].pol = pol_node_get_merged;
	ops[OP_NGET].maxattr = ops[OP_NDUMP].maxattr = IOFAIR_A_NODE_ID;
}

/* ---- the namespace's devices ------------------------------------------------- */

struct mdev {
	char name[IFNAMSIZ];
	uint32_t ifindex;
	bool tap, lo;
	uint32_t speed;		/* Mbit/s; 0 when the kernel knows none */
};

static struct mdev devs[32];
static int ndevs;

static uint32_t dev_speed(const char *name)
{
	struct ethtool_cmd ec = { .cmd = ETHTOOL_GSET };
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	uint32_t speed = 0;

	if (fd < 0)
		return 0;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_data = (void *)&ec;
	if (!ioctl(fd, SIOCETHTOOL, &ifr))
		speed = ((uint32_t)ec.speed_hi << 16) | ec.speed;
	close(fd);
	return speed == UINT32_MAX ? 0 : speed;	/* SPEED_UNKNOWN */
}

/* Every netdev of the namespace (a new one may hold fallback tunnels too). */
static int devs_scan(void)
{
	struct if_nameindex *all = if_nameindex(), *i;

	if (!all)
		return -1;
	ndevs = 0;
	for (i = all; i->if_index && ndevs < (int)(sizeof(devs) / sizeof(devs[0])); i++) {
		struct mdev *d = &devs[ndevs++];

		snprintf(d->name, sizeof(d->name), "%s", i->if_name);
		d->ifindex = i->if_index;
		d->lo = !strcmp(d->name, "lo");
		d->tap = !strncmp(d->name, "tap", 3);
		d->speed = dev_speed(d->name);
	}
	if_freenameindex(all);
	return if_nametoindex("tap1") && if_nametoindex("v5") ? 0 : -1;
}

static const struct mdev *dev_by_index(uint32_t ifindex)
{
	for (int i = 0; i < ndevs; i++)
		if (devs[i].ifindex == ifindex)
			return &devs[i];
	return NULL;
}

static const struct mdev *dev_by_name(const char *name)
{
	for (int i = 0; i < ndevs; i++)
		if (!strcmp(devs[i].name, name))
			return &devs[i];
	return NULL;
}

/* ---- the shadow model -------------------------------------------------------- */

struct mpol {
	uint64_t min, max;
	uint32_t burst, weight;
};

struct mtarget {
	uint32_t id, kind, ifindex, node, enforce, hist;
	uint8_t host_side;
	uint64_t rx;
	struct mpol pol;
};

struct mnode {
	uint32_t id, kind, parent, link;
	uint64_t cap;
	struct mpol pol;
	char name[IOFAIR_NAME_LEN];
};

struct mctrl {
	uint8_t enabled;
	uint32_t interval, hyst, margin, window;
};

static struct {
	struct mtarget t[MAX_T];
	int nt;
	struct mnode n[MAX_N];
	int nn;
	struct mctrl c;
} M;

static struct mtarget *mt_find(uint32_t id)
{
	for (int i = 0; i < M.nt; i++)
		if (M.t[i].id == id)
			return &M.t[i];
	return NULL;
}

static struct mnode *mn_find(uint32_t id)
{
	for (int i = 0; i < M.nn; i++)
		if (M.n[i].id == id)
			return &M.n[i];
	return NULL;
}

static struct mnode *mn_by_name(const char *name)
{
	for (int i = 0; i < M.nn; i++)
		if (!strcmp(M.n[i].name, name))
			return &M.n[i];
	return NULL;
}

static uint32_t mn_children(uint32_t id)
{
	uint32_t c = 0;

	for (int i = 0; i < M.nn; i++)
		c += M.n[i].parent == id;
	for (int i = 0; i < M.nt; i++)
		c += M.t[i].node == id;
	return c;
}

static int cmp_target(const void *a, const void *b)
{
	uint32_t x = ((const struct mtarget *)a)->id, y = ((const struct mtarget *)b)->id;

	return x < y ? -1 : x > y;
}

static int cmp_node(const void *a, const void *b)
{
	uint32_t x = ((const struct mnode *)a)->id, y = ((const struct mnode *)b)->id;

	return x < y ? -1 : x > y;
}

static void mt_put(const struct mtarget *t)
{
	struct mtarget *o = mt_find(t->id);

	if (!o) {
		if (M.nt == MAX_T)
			ksft_exit_fail_msg("model: more than %d targets\n", MAX_T);
		o = &M.t[M.nt++];
	}
	*o = *t;
	qsort(M.t, M.nt, sizeof(M.t[0]), cmp_target);
}

static void mn_put(const struct mnode *n)
{
	struct mnode *o = mn_find(n->id);

	if (!o) {
		if (M.nn == MAX_N)
			ksft_exit_fail_msg("model: more than %d nodes\n", MAX_N);
		o = &M.n[M.nn++];
	}
	*o = *n;
	qsort(M.n, M.nn, sizeof(M.n[0]), cmp_node);
}

static void mt_del(uint32_t id)
{
	struct mtarget *t = mt_find(id);

	if (t)
		*t = M.t[--M.nt];
	qsort(M.t, M.nt, sizeof(M.t[0]), cmp_target);
}

static void mn_del(uint32_t id)
{
	struct mnode *n = mn_find(id);

	if (n)
		*n = M.n[--M.nn];
	qsort(M.n, M.nn, sizeof(M.n[0]), cmp_node);
}

/*
 * The tree rules (kmod/node.c) over the model with @xt and @xn in place of
 * the objects of the same id (id 0: a new one): the guarantees of each
 * node's children add up to no more than its bound.
 */
static struct mnode tree_n[MAX_N + 1];
static struct mtarget tree_t[MAX_T + 1];
static int tree_nn, tree_nt;

static const struct mnode *tree_node(uint32_t id)
{
	for (int i = 0; i < tree_nn; i++)
		if (tree_n[i].id == id)
			return &tree_n[i];
	return NULL;
}

static uint64_t tree_bound(const struct mnode *n)
{
	uint64_t bound = UINT64_MAX;

	for (int guard = 0; n && guard <= tree_nn; guard++) {
		if (!n->parent)
			return bound < n->cap ? bound : n->cap;
		if (n->pol.max && n->pol.max < bound)
			bound = n->pol.max;
		n = tree_node(n->parent);
	}
	return bound;
}

static bool tree_ok(const struct mtarget *xt, const struct mnode *xn)
{
	bool xt_in = !xt, xn_in = !xn;

	tree_nn = tree_nt = 0;
	for (int i = 0; i < M.nn; i++) {
		if (xn && xn->id == M.n[i].id) {
			tree_n[tree_nn++] = *xn;
			xn_in = true;
		} else {
			tree_n[tree_nn++] = M.n[i];
		}
	}
	if (!xn_in)
		tree_n[tree_nn++] = *xn;
	for (int i = 0; i < M.nt; i++) {
		if (xt && xt->id == M.t[i].id) {
			tree_t[tree_nt++] = *xt;
			xt_in = true;
		} else {
			tree_t[tree_nt++] = M.t[i];
		}
	}
	if (!xt_in)
		tree_t[tree_nt++] = *xt;

	for (int i = 0; i < tree_nn; i++) {
		const struct mnode *a = &tree_n[i];
		uint64_t sum = 0;

		if (!a->id)
			continue;	/* a new node has no children */
		for (int j = 0; j < tree_nn; j++)
			if (tree_n[j].parent == a->id)
				sum += tree_n[j].pol.min;
		for (int j = 0; j < tree_nt; j++)
			if (tree_t[j].node == a->id)
				sum += tree_t[j].pol.min;
		if (sum > tree_bound(a))
			return false;
	}
	return true;
}

/* ---- building requests ------------------------------------------------------- */

struct fa {
	uint16_t type;		/* with NLA_F_NESTED / NLA_F_NET_BYTEORDER */
	uint16_t len;		/* payload */
	uint8_t data[700];
};

struct alist {
	int n;
	struct fa a[24];
};

static struct fa *al_add(struct alist *l, uint16_t type, const void *data, int len)
{
	struct fa *a;

	if (l->n == (int)(sizeof(l->a) / sizeof(l->a[0])))
		return NULL;
	if (len > (int)sizeof(a->data))
		len = sizeof(a->data);
	a = &l->a[l->n++];
	a->type = type;
	a->len = len;
	if (len)
		memcpy(a->data, data, len);
	return a;
}

static void al_u8(struct alist *l, uint16_t type, uint8_t v)
{
	al_add(l, type, &v, 1);
}

static void al_u32(struct alist *l, uint16_t type, uint32_t v)
{
	al_add(l, type, &v, 4);
}

static void al_u64(struct alist *l, uint16_t type, uint64_t v)
{
	al_add(l, type, &v, 8);
}

/* Serialize: attributes padded to 4 bytes; the bytes written. */
static int al_put(const struct alist *l, uint8_t *buf, int cap)
{
	int off = 0;

	for (int i = 0; i < l->n; i++) {
		const struct fa *a = &l->a[i];
		struct nlattr h = { .nla_len = NLA_HDRLEN + a->len, .nla_type = a->type };

		if (off + NLA_HDRLEN + NLA_ALIGN(a->len) > cap)
			break;
		memcpy(buf + off, &h, sizeof(h));
		memcpy(buf + off + NLA_HDRLEN, a->data, a->len);
		memset(buf + off + NLA_HDRLEN + a->len, 0, NLA_ALIGN(a->len) - a->len);
		off += NLA_HDRLEN + NLA_ALIGN(a->len);
	}
	return off;
}

static void al_nest(struct alist *l, uint16_t type, const struct alist *in)
{
	struct fa *a = al_add(l, type | NLA_F_NESTED, NULL, 0);

	if (a)
		a->len = al_put(in, a->data, sizeof(a->data));
}

/* The well-formed attributes of @buf (a nest this program built). */
static void al_parse(const uint8_t *buf, int len, struct alist *l)
{
	int off = 0;

	l->n = 0;
	while (off + NLA_HDRLEN <= len) {
		struct nlattr h;

		memcpy(&h, buf + off, sizeof(h));
		if (h.nla_len < NLA_HDRLEN || off + h.nla_len > len)
			break;
		al_add(l, h.nla_type, buf + off + NLA_HDRLEN, h.nla_len - NLA_HDRLEN);
		off += NLA_ALIGN(h.nla_len);
	}
}

struct fmsg {
	int op;			/* what the generator built (OP_*), -1: garbage */
	uint16_t flags;
	uint8_t cmd, version;
	uint16_t reserved;
	struct alist at;
	char muts[160];		/* mutations applied, for reports */
	uint8_t buf[MSG_MAX];
	int len;		/* bytes of the message in the datagram */
	bool len_mutated;	/* nlmsg_len differs from len: last in its datagram */
};

static void mut_note(struct fmsg *m, const char *what);

/* ---- value generators -------------------------------------------------------- */

static uint32_t g_u32_edge(uint32_t lo, uint32_t hi)
{
	if (pct(65))
		return lo + (uint32_t)(rnd() % ((uint64_t)hi - lo + 1));
	switch (rn(7)) {
	case 0: return 0;
	case 1: return lo - 1;
	case 2: return lo;
	case 3: return hi;
	case 4: return hi + 1;
	case 5: return UINT32_MAX;
	default: return rnd();
	}
}

static uint64_t g_rate(void)
{
	switch (rn(16)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return IOFAIR_RATE_MAX;
	case 3: return IOFAIR_RATE_MAX + 1;
	case 4: return UINT64_MAX;
	case 5: return rnd();
	case 6:
	case 7: return (uint64_t)rn(1000) * 1000000;
	default: return (uint64_t)(1 + rn(100)) * 10000000;
	}
}

static uint64_t g_min_rate(void)
{
	if (pct(45))
		return 0;
	if (pct(60))
		return (uint64_t)(1 + rn(50)) * 1000000;
	return g_rate();
}

static uint64_t g_capacity(void)
{
	return pct(75) ? (uint64_t)(1 + rn(100)) * 1000000000 : g_rate();
}

static uint32_t g_target_id(void)
{
	if (M.nt && pct(80))
		return M.t[rn(M.nt)].id;
	switch (rn(5)) {
	case 0: return 0;
	case 1: return UINT32_MAX;
	default: return 1 + rn(300);
	}
}

static uint32_t g_node_id(void)
{
	if (M.nn && pct(80))
		return M.n[rn(M.nn)].id;
	switch (rn(5)) {
	case 0: return 0;
	case 1: return UINT32_MAX;
	default: return 1 + rn(600);
	}
}

static uint32_t g_ifindex(void)
{
	if (pct(75))
		return devs[rn(ndevs)].ifindex;
	switch (rn(4)) {
	case 0: return 0;
	case 1: return UINT32_MAX;
	default: return 1 + rn(64);
	}
}

/* A string attribute's bytes: names from a small pool (to collide), long,
 * over-long, empty, unterminated, with odd bytes or an embedded NUL.
 */
static int g_string(uint8_t *out, int maxlen, bool ifname)
{
	int n, i;

	switch (rn(12)) {
	case 0 ... 4:
		if (ifname)
			n = snprintf((char *)out, 32, "%s", devs[rn(ndevs)].name);
		else
			n = snprintf((char *)out, 32, "n%u", rn(20));
		return n + 1;
	case 5:		/* printable */
		n = 1 + rn(maxlen);
		for (i = 0; i < n; i++)
			out[i] = 0x20 + rn(0x5f);
		out[n] = 0;
		return n + 1;
	case 6:		/* any byte but NUL */
		n = 1 + rn(maxlen);
		for (i = 0; i < n; i++)
			out[i] = 1 + rn(255);
		out[n] = 0;
		return n + 1;
	case 7:		/* longest, one over, far over */
		n = maxlen + (rn(3) ? rn(2) : 1 + rn(200));
		for (i = 0; i < n; i++)
			out[i] = 'a' + rn(26);
		out[n] = 0;
		return n + 1;
	case 8:		/* empty, or no byte at all */
		out[0] = 0;
		return rn(2);
	case 9:		/* unterminated */
		n = 1 + rn(maxlen + 2);
		for (i = 0; i < n; i++)
			out[i] = 'a' + rn(26);
		return n;
	case 10:	/* an embedded NUL, then more bytes */
		n = 2 + rn(maxlen + 8);
		for (i = 0; i < n; i++)
			out[i] = 'a' + rn(26);
		out[rn(n)] = 0;
		if (pct(50))
			out[n++] = 0;
		return n;
	default:	/* only NULs */
		n = 1 + rn(maxlen + 4);
		memset(out, 0, n);
		return n;
	}
}

static void g_policy(struct alist *l, uint16_t type)
{
	struct alist in = { 0 };

	if (pct(55))
		al_u64(&in, IOFAIR_A_POLICY_BW_MIN, g_min_rate());
	if (pct(45))
		al_u64(&in, IOFAIR_A_POLICY_BW_MAX, pct(30) ? 0 : g_rate());
	if (pct(30))
		al_u32(&in, IOFAIR_A_POLICY_BURST, g_u32_edge(0, IOFAIR_BURST_MAX));
	if (pct(40))
		al_u32(&in, IOFAIR_A_POLICY_WEIGHT, g_u32_edge(1, 65535));
	al_nest(l, type, &in);
}

/* ---- request generators, one per op ------------------------------------------ */

static void g_init(struct fmsg *m, int op)
{
	memset(m, 0, offsetof(struct fmsg, buf));
	m->op = op;
	m->cmd = ops[op].cmd;
	m->version = IOFAIR_FAMILY_VERSION;
	m->flags = NLM_F_REQUEST | NLM_F_ACK | (ops[op].dump ? NLM_F_DUMP : 0);
}

static void g_target_add(struct fmsg *m)
{
	const struct mdev *d = &devs[rn(ndevs)];
	uint8_t s[300];
	uint32_t kind;
	int n;

	if (d->tap)
		kind = pct(70) ? IOFAIR_TARGET_KIND_VHOST : IOFAIR_TARGET_KIND_DEV;
	else
		kind = d->lo ? rn(3) : IOFAIR_TARGET_KIND_DEV;
	if (pct(8))
		kind = IOFAIR_TARGET_KIND_VF;
	if (pct(4))
		kind = rn(6);
	if (pct(93))
		al_u32(&m->at, IOFAIR_A_TARGET_KIND, kind);
	if (kind == IOFAIR_TARGET_KIND_VF ? pct(90) : pct(4))
		al_u32(&m->at, IOFAIR_A_TARGET_VF, g_u32_edge(0, IOFAIR_VF_MAX));
	if (pct(80)) {
		al_u32(&m->at, IOFAIR_A_TARGET_IFINDEX, pct(85) ? d->ifindex : g_ifindex());
		if (pct(5)) {
			n = snprintf((char *)s, sizeof(s), "%s", d->name) + 1;
			al_add(&m->at, IOFAIR_A_TARGET_IFNAME, s, n);
		}
	} else if (pct(92)) {
		if (pct(60))
			n = snprintf((char *)s, sizeof(s), "%s", d->name) + 1;
		else
			n = g_string(s, 15, true);
		al_add(&m->at, IOFAIR_A_TARGET_IFNAME, s, n);
	}
	if (pct(40))
		al_u32(&m->at, IOFAIR_A_TARGET_NODE, pct(85) ? g_node_id() : 0);
	if (pct(8))
		al_u32(&m->at, IOFAIR_A_TARGET_ENFORCE, pct(60) ? IOFAIR_ENFORCE_SW : rn(4));
	if (pct(4))
		al_u32(&m->at, IOFAIR_A_TARGET_OWNERSHIP, rn(3));
	if (pct(40))
		g_policy(&m->at, IOFAIR_A_TARGET_POLICY);
	if (pct(20))
		al_u64(&m->at, IOFAIR_A_TARGET_RX_BW_MAX, g_rate());
	if (pct(15))
		al_u32(&m->at, IOFAIR_A_TARGET_HIST, pct(80) ? rn(64) : (uint32_t)rnd());
	if (pct(10))
		al_u8(&m->at, IOFAIR_A_TARGET_HOST_SIDE, rn(3));
}

static void g_target_set(struct fmsg *m)
{
	if (pct(96))
		al_u32(&m->at, IOFAIR_A_TARGET_ID, g_target_id());
	if (pct(30))
		al_u32(&m->at, IOFAIR_A_TARGET_NODE, pct(75) ? g_node_id() : 0);
	if (pct(8))
		al_u32(&m->at, IOFAIR_A_TARGET_ENFORCE, pct(60) ? IOFAIR_ENFORCE_SW : rn(4));
	if (pct(4))
		al_u32(&m->at, IOFAIR_A_TARGET_OWNERSHIP, rn(3));
	if (pct(50))
		g_policy(&m->at, IOFAIR_A_TARGET_POLICY);
	if (pct(20))
		al_u64(&m->at, IOFAIR_A_TARGET_RX_BW_MAX, g_rate());
	if (pct(15))
		al_u32(&m->at, IOFAIR_A_TARGET_HIST, pct(80) ? rn(64) : (uint32_t)rnd());
}

static bool has_root(void)
{
	for (int i = 0; i < M.nn; i++)
		if (!M.n[i].parent)
			return true;
	return false;
}

static void g_node_new(struct fmsg *m)
{
	bool parent = has_root() ? pct(75) : pct(15);
	uint8_t s[300];

	if (pct(96))
		al_add(&m->at, IOFAIR_A_NODE_NAME, s, g_string(s, IOFAIR_NAME_LEN - 1, false));
	if (parent)
		al_u32(&m->at, IOFAIR_A_NODE_PARENT, g_node_id());
	if (pct(25))
		al_u32(&m->at, IOFAIR_A_NODE_KIND, rn(4));
	if (parent ? pct(5) : pct(85))
		al_u64(&m->at, IOFAIR_A_NODE_CAPACITY, g_capacity());
	if (pct(12))
		al_u32(&m->at, IOFAIR_A_NODE_LINK, g_ifindex());
	if (parent ? pct(50) : pct(5))
		g_policy(&m->at, IOFAIR_A_NODE_POLICY);
}

static void g_node_set(struct fmsg *m)
{
	if (pct(96))
		al_u32(&m->at, IOFAIR_A_NODE_ID, g_node_id());
	if (pct(25))
		al_u32(&m->at, IOFAIR_A_NODE_PARENT, g_node_id());
	if (pct(15))
		al_u64(&m->at, IOFAIR_A_NODE_CAPACITY, g_capacity());
	if (pct(10))
		al_u32(&m->at, IOFAIR_A_NODE_LINK, g_ifindex());
	if (pct(50))
		g_policy(&m->at, IOFAIR_A_NODE_POLICY);
}

/* node-del: mostly a node without children, so that some go. */
static uint32_t g_node_leaf(void)
{
	if (M.nn && pct(75)) {
		for (int tries = 0; tries < 8; tries++) {
			uint32_t id = M.n[rn(M.nn)].id;

			if (!mn_children(id))
				return id;
		}
	}
	return g_node_id();
}

static void g_controller_set(struct fmsg *m)
{
	if (pct(40))
		al_u8(&m->at, IOFAIR_A_CONTROLLER_ENABLED, pct(90) ? rn(2) : rn(256));
	if (pct(40))
		al_u32(&m->at, IOFAIR_A_CONTROLLER_INTERVAL_MS, g_u32_edge(10, 10000));
	if (pct(40))
		al_u32(&m->at, IOFAIR_A_CONTROLLER_HYSTERESIS, g_u32_edge(0, 100));
	if (pct(40))
		al_u32(&m->at, IOFAIR_A_CONTROLLER_CONFORMANCE_MARGIN, g_u32_edge(0, 1000));
	if (pct(40))
		al_u32(&m->at, IOFAIR_A_CONTROLLER_CONFORMANCE_WINDOW_MS, g_u32_edge(10, 60000));
}

/* A random command, known or not; version-get rarely (it is slow). */
static uint8_t g_cmd(void)
{
	uint8_t cmd;

	do
		cmd = pct(55) ? rn(IOFAIR_CMD_MAX + 3) : rn(256);
	while (cmd == IOFAIR_CMD_VERSION_GET && pct(80));
	return cmd;
}

/* Random commands with random attributes: anything at all. */
static void g_garbage(struct fmsg *m)
{
	int n = rn(7);

	g_init(m, OP_VERSION);
	m->op = -1;
	m->cmd = g_cmd();
	if (pct(30))
		m->flags |= NLM_F_DUMP;
	for (int i = 0; i < n; i++) {
		uint8_t data[64];
		int len = rn(3) ? 4 * rn(3) : rn(40);

		for (int j = 0; j < len; j++)
			data[j] = rnd();
		al_add(&m->at, rn(4) ? rn(24) : rn(0x10000), data, len);
	}
	mut_note(m, "garbage");
}

static void generate(struct fmsg *m)
{
	static const struct { int op, weight; } mix[] = {
		/* version-get probes kprobes each time: slow, so rare */
		{ OP_VERSION, 1 }, { OP_TADD, 150 }, { OP_TDEL, 60 }, { OP_TSET, 140 },
		{ OP_TGET, 40 }, { OP_TDUMP, 30 }, { OP_NNEW, 140 }, { OP_NDEL, 70 },
		{ OP_NSET, 130 }, { OP_NGET, 40 }, { OP_NDUMP, 20 }, { OP_SDUMP, 30 },
		{ OP_SRESET, 20 }, { OP_HGET, 40 }, { OP_CGET, 10 }, { OP_CSET, 30 },
		{ -1, 50 },
	};
	int total = 0, r, op = OP_VERSION;

	for (unsigned int i = 0; i < sizeof(mix) / sizeof(mix[0]); i++)
		total += mix[i].weight;
	r = rn(total);
	for (unsigned int i = 0; i < sizeof(mix) / sizeof(mix[0]); i++) {
		if (r < mix[i].weight) {
			op = mix[i].op;
			break;
		}
		r -= mix[i].weight;
	}
	/* Keep the tree small: past the soft limit node-new turns into node-del. */
	if (op == OP_NNEW && M.nn >= NODES_SOFT_MAX)
		op = OP_NDEL;
	if (op < 0) {
		g_garbage(m);
		return;
	}
	g_init(m, op);
	switch (op) {
	case OP_TADD:
		g_target_add(m);
		break;
	case OP_TDEL:
	case OP_TGET:
		if (pct(96))
			al_u32(&m->at, IOFAIR_A_TARGET_ID, g_target_id());
		break;
	case OP_TSET:
		g_target_set(m);
		break;
	case OP_TDUMP:
		if (pct(30))
			al_u32(&m->at, IOFAIR_A_TARGET_NODE, pct(80) ? g_node_id() : 0);
		if (pct(30))
			al_u32(&m->at, IOFAIR_A_TARGET_KIND, g_u32_edge(0, 2));
		break;
	case OP_NNEW:
		g_node_new(m);
		break;
	case OP_NDEL:
		if (pct(96))
			al_u32(&m->at, IOFAIR_A_NODE_ID, g_node_leaf());
		break;
	case OP_NSET:
		g_node_set(m);
		break;
	case OP_NGET:
		if (pct(96))
			al_u32(&m->at, IOFAIR_A_NODE_ID, g_node_id());
		break;
	case OP_SDUMP:
		if (pct(20))
			al_u32(&m->at, IOFAIR_A_STATS_TARGET_ID, g_target_id());
		if (pct(20))
			al_u32(&m->at, IOFAIR_A_STATS_NODE_ID, g_node_id());
		if (pct(20))
			al_u32(&m->at, IOFAIR_A_STATS_KIND, g_u32_edge(0, 2));
		break;
	case OP_SRESET:
		if (pct(60))
			al_u32(&m->at, IOFAIR_A_STATS_TARGET_ID, g_target_id());
		break;
	case OP_HGET:
		if (pct(96))
			al_u32(&m->at, IOFAIR_A_HISTS_TARGET_ID, g_target_id());
		if (pct(40))
			al_u32(&m->at, IOFAIR_A_HISTS_KIND, g_u32_edge(0, 5));
		break;
	case OP_CSET:
		g_controller_set(m);
		break;
	default:
		break;
	}
}

/* ---- mutations --------------------------------------------------------------- */

enum {
	MU_LEN, MU_UNKNOWN, MU_SETATTR, MU_DUP, MU_NESTED_ON, MU_NESTED_OFF,
	MU_BYTEORDER, MU_DEEP, MU_NEST_GARBAGE, MU_NEST_INNER, MU_NEST_EMPTY,
	MU_NEST_SHORT, MU_RETYPE, MU_DROP, MU_FLIP, MU_SHUFFLE, MU_HUGE,
	MU_VERSION, MU_RESERVED, MU_CMD, MU_DUMP_FLIP, MU_DUMP_HALF, MU_FLAGS,
	MU_NOREQ, MU_NOACK,
	/* on the bytes */
	MU_TRUNC, MU_NLA_PAST, MU_NLA_SHORT, MU_TRAIL, MU_NLMSG_LONG, MU_NLMSG_SHORT,
	MU_NLMSG_TINY, MU_GENL_TRUNC,
	NMUTS,
	/* datagrams */
	DG_EMPTY = NMUTS, DG_TINY, DG_MULTI, DG_TAIL,
	NMUTCOUNT,
};

static const char *const mut_names[NMUTCOUNT] = {
	"attr-length", "unknown-attr", "attr-not-in-op", "duplicate", "nested-flag-on",
	"nested-flag-off", "byteorder-flag", "deep-nest", "nest-garbage", "nest-inner",
	"nest-empty", "nest-short", "retype", "drop-attr", "flip-byte", "shuffle",
	"huge-value", "genl-version", "genl-reserved", "cmd", "dump-flag",
	"dump-half-flag", "nlmsg-flags", "no-request-flag", "no-ack-flag",
	"truncate", "nla-len-past-end", "nla-len-short", "trailing-bytes",
	"nlmsg-len-long", "nlmsg-len-short", "nlmsg-len-tiny", "genl-header-truncated",
	"empty-datagram", "tiny-datagram", "multi-message", "datagram-tail",
};

static unsigned long mut_count[NMUTCOUNT];

static void mut_note(struct fmsg *m, const char *what)
{
	size_t l = strlen(m->muts);

	snprintf(m->muts + l, sizeof(m->muts) - l, "%s%s", l ? "," : "", what);
}

static void mut_count_note(struct fmsg *m, int mu)
{
	mut_count[mu]++;
	mut_note(m, mut_names[mu]);
}

/* Deep nests of random types: @depth levels, random bytes inside. */
static void deep_nest(struct fa *a, uint16_t type, int depth)
{
	int len = rn(9), off;

	a->type = type | NLA_F_NESTED;
	for (int i = 0; i < len; i++)
		a->data[i] = rnd();
	/* Innermost first: wrap the payload in headers, outward. */
	for (int d = 0; d < depth && len + NLA_HDRLEN + 4 <= (int)sizeof(a->data); d++) {
		struct nlattr h = { .nla_len = NLA_HDRLEN + len,
				    .nla_type = (uint16_t)(rn(6) | (pct(80) ? NLA_F_NESTED : 0)) };

		off = NLA_ALIGN(len);
		memmove(a->data + NLA_HDRLEN, a->data, len);
		memset(a->data + NLA_HDRLEN + len, 0, off - len);
		memcpy(a->data, &h, sizeof(h));
		len = NLA_HDRLEN + off;
	}
	a->len = len;
}

static struct fa *pick_attr(struct alist *l)
{
	return l->n ? &l->a[rn(l->n)] : NULL;
}

static struct fa *find_nest(struct alist *l)
{
	for (int i = 0; i < l->n; i++)
		if (l->a[i].type & NLA_F_NESTED)
			return &l->a[i];
	return NULL;
}

static void mutate_len(struct fa *a)
{
	static const int lens[] = { 0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 16 };
	int len = rn(2) ? lens[rn(sizeof(lens) / sizeof(lens[0]))] : a->len + 1 + (int)rn(8);

	if (len > (int)sizeof(a->data))
		len = sizeof(a->data);
	for (int i = a->len; i < len; i++)
		a->data[i] = rnd();
	a->len = len;
}

static void mutate_struct(struct fmsg *m, int mu)
{
	const struct opdesc *o = m->op >= 0 ? &ops[m->op] : NULL;
	struct alist *l = &m->at;
	struct fa *a = pick_attr(l), *n;
	struct alist in;
	uint8_t data[16] = { 0 };

	switch (mu) {
	case MU_LEN:
		if (!a)
			return;
		mutate_len(a);
		break;
	case MU_UNKNOWN:
		al_add(l, pct(30) ? 0 : (o ? o->maxattr : 0) + 1 + rn(pct(70) ? 8 : 0x3ff0),
		       data, 4 * rn(3));
		break;
	case MU_SETATTR:	/* an attribute id of the set the op does not take */
		al_add(l, 1 + rn(18), data, pct(50) ? 4 : 8);
		break;
	case MU_DUP:
		if (!a || !al_add(l, a->type, a->data, a->len))
			return;
		if (pct(50) && l->a[l->n - 1].len)
			l->a[l->n - 1].data[0] ^= 1 + rn(255);
		break;
	case MU_NESTED_ON:
		if (!a)
			return;
		a->type |= NLA_F_NESTED;
		break;
	case MU_NESTED_OFF:
		n = find_nest(l);
		if (!n)
			return;
		n->type &= ~NLA_F_NESTED;
		break;
	case MU_BYTEORDER:
		if (!a)
			return;
		a->type |= NLA_F_NET_BYTEORDER;
		break;
	case MU_DEEP:
		n = pct(50) ? find_nest(l) : NULL;
		if (!n) {
			n = al_add(l, 0, NULL, 0);
			if (!n)
				return;
			n->type = rn(o ? o->maxattr + 2 : 20);
		}
		deep_nest(n, n->type & NLA_TYPE_MASK, 1 + rn(pct(50) ? 4 : 40));
		break;
	case MU_NEST_GARBAGE:
		n = find_nest(l);
		if (!n)
			return;
		n->len = rn(40);
		for (int i = 0; i < n->len; i++)
			n->data[i] = rnd();
		break;
	case MU_NEST_INNER:
		n = find_nest(l);
		if (!n)
			return;
		al_parse(n->data, n->len, &in);
		switch (rn(5)) {
		case 0: if ((a = pick_attr(&in))) mutate_len(a); break;
		case 1: al_add(&in, pct(30) ? 0 : IOFAIR_A_POLICY_MAX + 1 + rn(10), data, 4); break;
		case 2: if ((a = pick_attr(&in))) al_add(&in, a->type, a->data, a->len); break;
		case 3: if ((a = pick_attr(&in))) a->type |= NLA_F_NESTED; break;
		default: if ((a = pick_attr(&in))) a->type = 1 + rn(IOFAIR_A_POLICY_MAX); break;
		}
		n->len = al_put(&in, n->data, sizeof(n->data));
		break;
	case MU_NEST_EMPTY:
		n = find_nest(l);
		if (!n)
			return;
		n->len = 0;
		break;
	case MU_NEST_SHORT:
		n = find_nest(l);
		if (!n)
			return;
		n->len = 1 + rn(3);
		break;
	case MU_RETYPE:
		if (!a)
			return;
		a->type = (a->type & ~NLA_TYPE_MASK) | (1 + rn(o ? o->maxattr + 1 : 20));
		break;
	case MU_DROP:
		if (!a)
			return;
		*a = l->a[--l->n];
		break;
	case MU_FLIP:
		if (!a || !a->len)
			return;
		a->data[rn(a->len)] ^= 1 << rn(8);
		break;
	case MU_SHUFFLE:
		for (int i = l->n - 1; i > 0; i--) {
			int j = rn(i + 1);
			struct fa t;

			memcpy(&t, &l->a[i], sizeof(t));
			memcpy(&l->a[i], &l->a[j], sizeof(t));
			memcpy(&l->a[j], &t, sizeof(t));
		}
		break;
	case MU_HUGE:
		if (!a)
			return;
		if (a->len == 8 || a->len == 4 || a->len == 1)
			memset(a->data, 0xff, a->len);
		else
			return;
		break;
	case MU_VERSION:
		m->version = rn(256);
		break;
	case MU_RESERVED:
		m->reserved = 1 + rn(0xffff);
		break;
	case MU_CMD:
		m->cmd = g_cmd();
		break;
	case MU_DUMP_FLIP:
		m->flags ^= NLM_F_DUMP;
		break;
	case MU_DUMP_HALF:
		m->flags = (m->flags & ~NLM_F_DUMP) | (pct(50) ? NLM_F_ROOT : NLM_F_MATCH);
		break;
	case MU_FLAGS: {
		static const uint16_t bits[] = { NLM_F_MULTI, NLM_F_ECHO, NLM_F_DUMP_INTR,
						 NLM_F_DUMP_FILTERED, NLM_F_REPLACE, NLM_F_EXCL,
						 NLM_F_CREATE, NLM_F_APPEND, 0x1000, 0x8000 };

		m->flags |= bits[rn(sizeof(bits) / sizeof(bits[0]))];
		break;
	}
	case MU_NOREQ:
		m->flags &= ~NLM_F_REQUEST;
		break;
	case MU_NOACK:
		m->flags &= ~NLM_F_ACK;
		break;
	default:
		return;
	}
	mut_count_note(m, mu);
}

/* The message's bytes: header, genetlink header, attributes. */
static void serialize(struct fmsg *m, uint32_t family, uint32_t seq)
{
	struct nlmsghdr h = { .nlmsg_type = family, .nlmsg_flags = m->flags, .nlmsg_seq = seq };
	struct genlmsghdr g = { .cmd = m->cmd, .version = m->version, .reserved = m->reserved };

	m->len = HDRS;
	m->len += al_put(&m->at, m->buf + m->len, MSG_MAX - m->len);
	h.nlmsg_len = m->len;
	memcpy(m->buf, &h, sizeof(h));
	memcpy(m->buf + NLMSG_HDRLEN, &g, sizeof(g));
	m->len_mutated = false;
}

static void set_nlmsg_len(struct fmsg *m, uint32_t len)
{
	memcpy(m->buf, &len, sizeof(len));
}

/* Top-level attribute offsets of a serialized message. */
static int attr_offsets(const struct fmsg *m, int *offs, int max)
{
	int off = HDRS, n = 0;

	while (off + NLA_HDRLEN <= m->len && n < max) {
		struct nlattr h;

		memcpy(&h, m->buf + off, sizeof(h));
		if (h.nla_len < NLA_HDRLEN || off + h.nla_len > m->len)
			break;
		offs[n++] = off;
		off += NLA_ALIGN(h.nla_len);
	}
	return n;
}

/* Mutations of the bytes; @last: the message ends its datagram. */
static void mutate_bytes(struct fmsg *m, int mu, bool last)
{
	int offs[32], n = attr_offsets(m, offs, 32), o;
	struct nlattr h;
	uint32_t l;

	switch (mu) {
	case MU_TRUNC:
		if (m->len <= HDRS + 1)
			return;
		m->len = HDRS + 1 +
			 rn(m->len - NLMSG_HDRLEN - GENL_HDRLEN - 1);
		set_nlmsg_len(m, m->len);
		break;
	case MU_NLA_PAST:
		if (!n)
			return;
		o = offs[rn(n)];
		memcpy(&h, m->buf + o, sizeof(h));
		h.nla_len = m->len - o + 1 + rn(64);
		memcpy(m->buf + o, &h, sizeof(h));
		break;
	case MU_NLA_SHORT:
		if (!n)
			return;
		o = offs[rn(n)];
		memcpy(&h, m->buf + o, sizeof(h));
		h.nla_len = rn(NLA_HDRLEN);
		memcpy(m->buf + o, &h, sizeof(h));
		break;
	case MU_TRAIL:
		if (m->len + 4 > MSG_MAX)
			return;
		for (int i = 0, k = 1 + rn(3); i < k; i++)
			m->buf[m->len++] = rnd();
		set_nlmsg_len(m, m->len);
		break;
	case MU_GENL_TRUNC:
		m->len = NLMSG_HDRLEN + rn(GENL_HDRLEN);
		set_nlmsg_len(m, m->len);
		break;
	case MU_NLMSG_LONG:
		if (!last)
			return;
		set_nlmsg_len(m, m->len + 1 + rn(200));
		m->len_mutated = true;
		break;
	case MU_NLMSG_SHORT:
		/* The kernel then reads from the next aligned offset: the cut
		 * off part must stay shorter than a netlink header.
		 */
		if (!last || m->len < NLMSG_HDRLEN + 8)
			return;
		l = m->len - 1 - rn(8);
		if (m->len - NLMSG_ALIGN(l) >= NLMSG_HDRLEN)
			return;
		set_nlmsg_len(m, l);
		m->len_mutated = true;
		break;
	case MU_NLMSG_TINY:
		if (!last)
			return;
		set_nlmsg_len(m, rn(NLMSG_HDRLEN));
		m->len_mutated = true;
		break;
	default:
		return;
	}
	mut_count_note(m, mu);
}

/* ---- what the kernel should do with one message ------------------------------ */

enum {
	CLS_DROPPED,		/* netlink_rcv_skb stops before it: no answer */
	CLS_NOREQ,		/* no NLM_F_REQUEST: acked (if asked) unread */
	CLS_CORE,		/* genetlink refuses it, without extack */
	CLS_HDR,		/* genetlink's header checks, with extack */
	CLS_POLICY,		/* the op's policy */
	CLS_SEM,		/* iofair's rules */
	CLS_OK,
	NCLS,
};

static const char *const cls_names[NCLS] = {
	"dropped by netlink framing", "no NLM_F_REQUEST (acked unread)",
	"genetlink core, no extack", "genetlink header checks", "op policy",
	"iofair rules", "accepted",
};

enum { T_NONE, T_ERR, T_DONE };

struct expect {
	int cls;
	int slot;		/* OP_* or OP_NOOP/OP_CORE for counting */
	int op;			/* -1 if none */
	int term;		/* T_*: the answer that ends it */
	int err;		/* its errno, negative; 0 for an ACK/DONE */
	int alt_err;		/* also fine (a dump already running: -EBUSY) */
	int bad_off;		/* policy refusals: the attribute's offset, -1: none */
	int miss;		/* missing attribute, -1: none */
	int ndata;		/* reply messages; -1: not checked */
	bool unchecked;		/* attributes on an op without a policy */
	bool core_short;	/* CLS_CORE: the genetlink header is cut short */
	/* success */
	struct mtarget t;
	struct mnode n;
	struct mctrl c;
	uint32_t id;
	int nhist;		/* hist-get: histograms in the reply */
	int dump_n;		/* dumps: objects expected, -1: not checked */
	uint32_t dump_ids[MAX_T + MAX_N];
};

/* The request being predicted. */
static const uint8_t *P;

struct tb {
	int off[32];		/* last attribute of each type, 0: absent */
};

static uint32_t a_u32(int off)
{
	uint32_t v;

	memcpy(&v, P + off + NLA_HDRLEN, sizeof(v));
	return v;
}

static uint64_t a_u64(int off)
{
	uint64_t v;

	memcpy(&v, P + off + NLA_HDRLEN, sizeof(v));
	return v;
}

static uint8_t a_u8(int off)
{
	return P[off + NLA_HDRLEN];
}

static uint16_t a_len(int off)
{
	struct nlattr h;

	memcpy(&h, P + off, sizeof(h));
	return h.nla_len - NLA_HDRLEN;
}

static void a_str(int off, char *out, int size)
{
	int len = a_len(off), i;

	for (i = 0; i < len && i < size - 1 && P[off + NLA_HDRLEN + i]; i++)
		out[i] = P[off + NLA_HDRLEN + i];
	out[i] = 0;
}

/*
 * Strict validation (lib/nlattr.c, NL_VALIDATE_STRICT) of the attributes
 * at P[off, off + len) against @pol: 0 or the errno, with the offending
 * attribute's offset in *bad (-1 for bytes left over).
 */
static int validate(int off, int len, const struct pol *pol, int maxattr, int *bad, struct tb *tb)
{
	int rem = len;

	if (tb)
		memset(tb, 0, sizeof(*tb));
	while (rem >= NLA_HDRLEN) {
		struct nlattr h;
		const struct pol *pt;
		int type, alen;
		uint64_t v = 0;

		memcpy(&h, P + off, sizeof(h));
		if (h.nla_len < NLA_HDRLEN || h.nla_len > rem)
			break;
		type = h.nla_type & NLA_TYPE_MASK;
		alen = h.nla_len - NLA_HDRLEN;
		*bad = off;
		if (!type || type > maxattr)
			return -EINVAL;		/* Unknown attribute type */
		pt = &pol[type];
		if ((pt->type == PT_U8 && alen != 1) || (pt->type == PT_U32 && alen != 4) ||
		    (pt->type == PT_U64 && alen != 8))
			return -EINVAL;		/* invalid attribute length */
		if (pt->type == PT_NEST && !(h.nla_type & NLA_F_NESTED))
			return -EINVAL;		/* NLA_F_NESTED is missing */
		if (pt->type != PT_NEST && pt->type != PT_NONE && (h.nla_type & NLA_F_NESTED))
			return -EINVAL;		/* NLA_F_NESTED not expected */
		switch (pt->type) {
		case PT_NONE:
			return -EINVAL;		/* Unsupported attribute */
		case PT_STR: {
			const uint8_t *s = P + off + NLA_HDRLEN;
			int minlen = alen < pt->len + 1 ? alen : pt->len + 1;
			int l = alen;

			if (!minlen || !memchr(s, 0, minlen))
				return -EINVAL;
			if (!s[l - 1])
				l--;
			if (l > pt->len)
				return -ERANGE;
			break;
		}
		case PT_NEST:
			if (!alen)
				break;
			if (alen < NLA_HDRLEN)
				return -ERANGE;
			{
				int err = validate(off + NLA_HDRLEN, alen, pol_policy,
						   IOFAIR_A_POLICY_MAX, bad, NULL);

				if (err)
					return err;
			}
			break;
		case PT_U8:
			v = a_u8(off);
			break;
		case PT_U32:
			v = a_u32(off);
			break;
		case PT_U64:
			v = a_u64(off);
			break;
		}
		if (pt->check == CK_RANGE && (v < pt->min || v > pt->max))
			return -ERANGE;		/* integer out of range */
		if (pt->check == CK_MASK && (v & ~pt->max))
			return -EINVAL;		/* reserved bit set */
		if (tb && type < 32)
			tb->off[type] = off;
		off += NLA_ALIGN(h.nla_len);
		rem -= NLA_ALIGN(h.nla_len);
	}
	if (rem > 0) {
		*bad = -1;
		return -EINVAL;			/* bytes leftover */
	}
	return 0;
}

/* A policy nest's values over @p (kmod/node.c iofair_policy_parse). */
static int policy_apply(int nest, struct mpol *p)
{
	struct tb in;
	int bad;

	if (!nest)
		return 0;
	validate(nest + NLA_HDRLEN, a_len(nest), pol_policy, IOFAIR_A_POLICY_MAX, &bad, &in);
	if (in.off[IOFAIR_A_POLICY_BW_MIN])
		p->min = a_u64(in.off[IOFAIR_A_POLICY_BW_MIN]);
	if (in.off[IOFAIR_A_POLICY_BW_MAX])
		p->max = a_u64(in.off[IOFAIR_A_POLICY_BW_MAX]);
	if (in.off[IOFAIR_A_POLICY_BURST])
		p->burst = a_u32(in.off[IOFAIR_A_POLICY_BURST]);
	if (in.off[IOFAIR_A_POLICY_WEIGHT])
		p->weight = a_u32(in.off[IOFAIR_A_POLICY_WEIGHT]);
	if (p->max && p->min > p->max)
		return -EINVAL;
	return 0;
}

/* target-add and target-set: the settings both take (non-vf targets). */
static int target_apply(struct mtarget *t, const struct tb *tb)
{
	int err;

	if (tb->off[IOFAIR_A_TARGET_ENFORCE]) {
		t->enforce = a_u32(tb->off[IOFAIR_A_TARGET_ENFORCE]);
		if (t->enforce != IOFAIR_ENFORCE_SW)
			return -EINVAL;
	}
	if (tb->off[IOFAIR_A_TARGET_OWNERSHIP])
		return -EINVAL;
	if (tb->off[IOFAIR_A_TARGET_NODE]) {
		uint32_t nid = a_u32(tb->off[IOFAIR_A_TARGET_NODE]);

		if (nid && !mn_find(nid))
			return -ENOENT;
		t->node = nid;
	}
	err = policy_apply(tb->off[IOFAIR_A_TARGET_POLICY], &t->pol);
	if (err)
		return err;
	if (tb->off[IOFAIR_A_TARGET_RX_BW_MAX])
		t->rx = a_u64(tb->off[IOFAIR_A_TARGET_RX_BW_MAX]);
	if (!tree_ok(t, NULL))
		return -EINVAL;
	if (tb->off[IOFAIR_A_TARGET_HIST])
		t->hist = a_u32(tb->off[IOFAIR_A_TARGET_HIST]);
	return 0;
}

static int sem_target_add(const struct tb *tb, struct expect *ex)
{
	struct mtarget *t = &ex->t;
	const struct mdev *d;
	uint32_t kind;
	char name[32];

	if (!tb->off[IOFAIR_A_TARGET_KIND]) {
		ex->miss = IOFAIR_A_TARGET_KIND;
		return -EINVAL;
	}
	kind = a_u32(tb->off[IOFAIR_A_TARGET_KIND]);
	if (kind == IOFAIR_TARGET_KIND_VF && !tb->off[IOFAIR_A_TARGET_VF]) {
		ex->miss = IOFAIR_A_TARGET_VF;
		return -EINVAL;
	}
	if (kind != IOFAIR_TARGET_KIND_VF && tb->off[IOFAIR_A_TARGET_VF])
		return -EINVAL;
	if (tb->off[IOFAIR_A_TARGET_IFINDEX] && tb->off[IOFAIR_A_TARGET_IFNAME])
		return -EINVAL;
	if (!tb->off[IOFAIR_A_TARGET_IFINDEX] && !tb->off[IOFAIR_A_TARGET_IFNAME]) {
		ex->miss = IOFAIR_A_TARGET_IFINDEX;
		return -EINVAL;
	}
	if (tb->off[IOFAIR_A_TARGET_IFINDEX]) {
		d = dev_by_index(a_u32(tb->off[IOFAIR_A_TARGET_IFINDEX]));
	} else {
		a_str(tb->off[IOFAIR_A_TARGET_IFNAME], name, sizeof(name));
		d = dev_by_name(name);
	}
	if (!d)
		return -ENODEV;
	if (kind == IOFAIR_TARGET_KIND_VF)
		return -EINVAL;		/* no SR-IOV PF in this namespace */
	if (kind == IOFAIR_TARGET_KIND_VHOST && !d->tap)
		return -EINVAL;
	if (kind == IOFAIR_TARGET_KIND_DEV && d->lo)
		return -EINVAL;
	for (int i = 0; i < M.nt; i++)
		if (M.t[i].ifindex == d->ifindex)
			return -EEXIST;
	if (tb->off[IOFAIR_A_TARGET_HOST_SIDE] && kind != IOFAIR_TARGET_KIND_DEV)
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->ifindex = d->ifindex;
	t->enforce = IOFAIR_ENFORCE_SW;
	t->pol.weight = 1;
	if (tb->off[IOFAIR_A_TARGET_HOST_SIDE])
		t->host_side = a_u8(tb->off[IOFAIR_A_TARGET_HOST_SIDE]);
	return target_apply(t, tb);
}

static int sem_target_id(const struct tb *tb, int type, struct expect *ex, struct mtarget **t)
{
	if (!tb->off[type]) {
		ex->miss = type;
		return -EINVAL;
	}
	ex->id = a_u32(tb->off[type]);
	*t = mt_find(ex->id);
	return *t ? 0 : -ENOENT;
}

static int sem_node_id(const struct tb *tb, struct expect *ex, struct mnode **n)
{
	if (!tb->off[IOFAIR_A_NODE_ID]) {
		ex->miss = IOFAIR_A_NODE_ID;
		return -EINVAL;
	}
	ex->id = a_u32(tb->off[IOFAIR_A_NODE_ID]);
	*n = mn_find(ex->id);
	return *n ? 0 : -ENOENT;
}

/* Levels from the root down to node @id, both counted (kmod/node.c). */
static unsigned int mn_depth(uint32_t id)
{
	const struct mnode *p = mn_find(id);
	unsigned int d = 0;

	for (int guard = 0; p && guard <= M.nn; guard++) {
		d++;
		p = p->parent ? mn_find(p->parent) : NULL;
	}
	return d;
}

/* Levels of nodes from node @id down, @id counted. */
static unsigned int mn_height(uint32_t id)
{
	unsigned int h = 0, c;

	for (int i = 0; i < M.nn; i++) {
		if (M.n[i].parent != id)
			continue;
		c = mn_height(M.n[i].id);
		h = c > h ? c : h;
	}
	return h + 1;
}

/* kmod/node.c iofair_node_apply on a copy of the node. */
static int node_apply(struct mnode *n, const struct tb *tb, bool create)
{
	int link = tb->off[IOFAIR_A_NODE_LINK], cap = tb->off[IOFAIR_A_NODE_CAPACITY];
	int err;

	if (tb->off[IOFAIR_A_NODE_PARENT]) {
		uint32_t pid = a_u32(tb->off[IOFAIR_A_NODE_PARENT]);
		const struct mnode *p;

		if (!create && !n->parent)
			return -EINVAL;
		p = mn_find(pid);
		if (!p)
			return -ENOENT;
		for (int guard = 0; p && guard <= M.nn; guard++) {
			if (p->id == n->id)
				return -ELOOP;
			p = p->parent ? mn_find(p->parent) : NULL;
		}
		if (mn_depth(pid) + (create ? 1 : mn_height(n->id)) > IOFAIR_DEPTH_MAX)
			return -ENOSPC;
		n->parent = pid;
	}
	if (create) {
		n->kind = n->parent ? IOFAIR_NODE_KIND_TENANT : IOFAIR_NODE_KIND_ROOT;
		if (tb->off[IOFAIR_A_NODE_KIND])
			n->kind = a_u32(tb->off[IOFAIR_A_NODE_KIND]);
		if (n->kind == IOFAIR_NODE_KIND_ROOT && n->parent)
			return -EINVAL;
		if (n->kind != IOFAIR_NODE_KIND_ROOT && !n->parent)
			return -EINVAL;
	}
	if (n->parent) {
		if (cap || link)
			return -EINVAL;
		err = policy_apply(tb->off[IOFAIR_A_NODE_POLICY], &n->pol);
		if (err)
			return err;
	} else {
		if (tb->off[IOFAIR_A_NODE_POLICY])
			return -EINVAL;
		if (link)
			n->link = a_u32(link);
		if (cap) {
			n->cap = a_u64(cap);
			if (!n->cap)
				return -EINVAL;
		} else if (n->link && (link || create)) {
			const struct mdev *d = dev_by_index(n->link);

			if (!d)
				return -ENODEV;
			if (!d->speed)
				return -EINVAL;
			n->cap = (uint64_t)d->speed * 1000000;
		}
		if (create && !n->cap)
			return -EINVAL;
	}
	return tree_ok(NULL, n) ? 0 : -EINVAL;
}

static int sem_node_new(const struct tb *tb, struct expect *ex)
{
	struct mnode *n = &ex->n;

	if (!tb->off[IOFAIR_A_NODE_NAME]) {
		ex->miss = IOFAIR_A_NODE_NAME;
		return -EINVAL;
	}
	memset(n, 0, sizeof(*n));
	a_str(tb->off[IOFAIR_A_NODE_NAME], n->name, sizeof(n->name));
	if (!n->name[0])
		return -EINVAL;
	if (mn_by_name(n->name))
		return -EEXIST;
	n->pol.weight = 1;
	return node_apply(n, tb, true);
}

/* iofair_below(): @node is @id or one of its ancestors. */
static bool below(uint32_t node, uint32_t id)
{
	for (int guard = 0; node && guard <= M.nn; guard++) {
		const struct mnode *n = mn_find(node);

		if (node == id)
			return true;
		node = n ? n->parent : 0;
	}
	return false;
}

static void predict_sem(int op, const struct tb *tb, struct expect *ex)
{
	struct mtarget *t;
	struct mnode *n;
	int err = 0;

	ex->dump_n = -1;
	switch (op) {
	case OP_TADD:
		err = sem_target_add(tb, ex);
		break;
	case OP_TDEL:
	case OP_TGET:
		err = sem_target_id(tb, IOFAIR_A_TARGET_ID, ex, &t);
		if (!err)
			ex->t = *t;
		break;
	case OP_TSET:
		err = sem_target_id(tb, IOFAIR_A_TARGET_ID, ex, &t);
		if (!err) {
			ex->t = *t;
			err = target_apply(&ex->t, tb);
		}
		break;
	case OP_TDUMP: {
		int fn = tb->off[IOFAIR_A_TARGET_NODE], fk = tb->off[IOFAIR_A_TARGET_KIND];

		if (fn && a_u32(fn) && !mn_find(a_u32(fn))) {
			ex->term = T_DONE;	/* refused from the dump callback */
			err = -ENOENT;
			break;
		}
		ex->dump_n = 0;
		for (int i = 0; i < M.nt; i++)
			if ((!fn || M.t[i].node == a_u32(fn)) && (!fk || M.t[i].kind == a_u32(fk)))
				ex->dump_ids[ex->dump_n++] = M.t[i].id;
		break;
	}
	case OP_NNEW:
		err = sem_node_new(tb, ex);
		break;
	case OP_NDEL:
		err = sem_node_id(tb, ex, &n);
		if (!err && mn_children(n->id))
			err = -EBUSY;
		break;
	case OP_NSET:
		err = sem_node_id(tb, ex, &n);
		if (!err) {
			ex->n = *n;
			err = node_apply(&ex->n, tb, false);
		}
		break;
	case OP_NGET:
		err = sem_node_id(tb, ex, &n);
		if (!err)
			ex->n = *n;
		break;
	case OP_NDUMP:
		ex->dump_n = 0;
		for (int i = 0; i < M.nn; i++)
			ex->dump_ids[ex->dump_n++] = M.n[i].id;
		break;
	case OP_SDUMP: {
		int ft = tb->off[IOFAIR_A_STATS_TARGET_ID], fn = tb->off[IOFAIR_A_STATS_NODE_ID];
		int fk = tb->off[IOFAIR_A_STATS_KIND];

		/* The filter is checked by the dump's first call. */
		if (ft && !mt_find(a_u32(ft))) {
			ex->term = T_DONE;
			err = -ENOENT;
			break;
		}
		if (fn && !mn_find(a_u32(fn))) {
			ex->term = T_DONE;
			err = -ENOENT;
			break;
		}
		ex->dump_n = 0;
		for (int i = 0; i < M.nt; i++)
			if ((!ft || M.t[i].id == a_u32(ft)) &&
			    (!fn || below(M.t[i].node, a_u32(fn))) &&
			    (!fk || M.t[i].kind == a_u32(fk)))
				ex->dump_ids[ex->dump_n++] = M.t[i].id;
		for (int i = 0; i < M.nn && !ft && !fk; i++)
			if (!fn || below(M.n[i].id, a_u32(fn)))
				ex->dump_ids[ex->dump_n++] = M.n[i].id;
		break;
	}
	case OP_SRESET:
		if (tb->off[IOFAIR_A_STATS_TARGET_ID] &&
		    !mt_find(a_u32(tb->off[IOFAIR_A_STATS_TARGET_ID])))
			err = -ENOENT;
		break;
	case OP_HGET:
		err = sem_target_id(tb, IOFAIR_A_HISTS_TARGET_ID, ex, &t);
		if (!err && tb->off[IOFAIR_A_HISTS_KIND] &&
		    !(t->hist & (1u << a_u32(tb->off[IOFAIR_A_HISTS_KIND]))))
			err = -ENOENT;
		if (!err) {
			ex->t = *t;
			ex->nhist = tb->off[IOFAIR_A_HISTS_KIND] ? 1 : __builtin_popcount(t->hist);
		}
		break;
	case OP_CSET:
		ex->c = M.c;
		if (tb->off[IOFAIR_A_CONTROLLER_ENABLED])
			ex->c.enabled = a_u8(tb->off[IOFAIR_A_CONTROLLER_ENABLED]);
		if (tb->off[IOFAIR_A_CONTROLLER_INTERVAL_MS])
			ex->c.interval = a_u32(tb->off[IOFAIR_A_CONTROLLER_INTERVAL_MS]);
		if (tb->off[IOFAIR_A_CONTROLLER_HYSTERESIS])
			ex->c.hyst = a_u32(tb->off[IOFAIR_A_CONTROLLER_HYSTERESIS]);
		if (tb->off[IOFAIR_A_CONTROLLER_CONFORMANCE_MARGIN])
			ex->c.margin = a_u32(tb->off[IOFAIR_A_CONTROLLER_CONFORMANCE_MARGIN]);
		if (tb->off[IOFAIR_A_CONTROLLER_CONFORMANCE_WINDOW_MS])
			ex->c.window = a_u32(tb->off[IOFAIR_A_CONTROLLER_CONFORMANCE_WINDOW_MS]);
		break;
	case OP_CGET:
		ex->c = M.c;
		break;
	default:
		break;
	}
	ex->err = err;
	ex->cls = err ? CLS_SEM : CLS_OK;
}

/*
 * What the kernel does with the message at P (nlmsg_len bytes, the
 * framing already checked): genetlink's checks, the policy, iofair.
 * @dump_running: an earlier dump of the same datagram may still run.
 */
static void predict(struct expect *ex, bool *dump_running)
{
	struct nlmsghdr h;
	struct genlmsghdr g;
	struct tb tb;
	uint16_t flags;
	bool dump;
	int op, err, bad;

	memcpy(&h, P, sizeof(h));
	ex->op = -1;
	ex->slot = OP_CORE;
	ex->alt_err = 0;
	ex->bad_off = -1;
	ex->miss = -1;
	ex->ndata = 0;
	ex->unchecked = false;
	ex->core_short = false;
	ex->dump_n = -1;
	if (!(h.nlmsg_flags & NLM_F_REQUEST)) {
		ex->cls = CLS_NOREQ;
		ex->term = h.nlmsg_flags & NLM_F_ACK ? T_ERR : T_NONE;
		ex->err = 0;
		return;
	}
	ex->term = T_ERR;
	if (h.nlmsg_len < HDRS) {
		ex->cls = CLS_CORE;
		ex->err = -EINVAL;
		ex->core_short = true;
		return;
	}
	memcpy(&g, P + NLMSG_HDRLEN, sizeof(g));
	dump = (h.nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	flags = h.nlmsg_flags;
	if (dump)
		flags &= ~NLM_F_DUMP;
	if (g.reserved || (flags & ~(NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO))) {
		ex->cls = CLS_HDR;
		ex->err = -EINVAL;
		return;
	}
	op = op_find(g.cmd, dump);
	if (op < 0) {
		ex->slot = OP_NOOP;
		ex->cls = CLS_CORE;
		ex->err = -EOPNOTSUPP;
		return;
	}
	ex->op = ex->slot = op;
	if (dump && *dump_running)
		ex->alt_err = -EBUSY;
	memset(&tb, 0, sizeof(tb));
	if (ops[op].pol || !split_ops) {
		/* Before 6.2 an op without a policy takes no attribute at all. */
		err = validate(HDRS, h.nlmsg_len - HDRS, ops[op].pol ? ops[op].pol : pol_none,
			       ops[op].maxattr, &bad, &tb);
		if (err) {
			ex->cls = CLS_POLICY;
			ex->err = err;
			ex->bad_off = bad;
			return;
		}
	} else if (h.nlmsg_len > HDRS) {
		/* known: from 6.2 genetlink does not parse the attributes
		 * of an op without a request policy (version-get,
		 * controller-get, node-get's dump): they are accepted
		 * unread, where 6.1 refuses them.  Left to decide: a
		 * reject-all policy for such ops would refuse them too.
		 */
		ex->unchecked = true;
	}
	if (dump)
		*dump_running = true;
	predict_sem(op, &tb, ex);
	if (dump) {
		if (ex->term != T_DONE)
			ex->term = ex->err ? T_ERR : T_DONE;
		ex->ndata = ex->err ? 0 : ex->dump_n;
	} else {
		ex->ndata = ex->err ? 0 : ops[op].reply;
		if (!ex->err && !(h.nlmsg_flags & NLM_F_ACK))
			ex->term = T_NONE;
	}
}

/* ---- talking to the kernel --------------------------------------------------- */

static int fd_fuzz, fd_check, family;
static struct nl_reply *scratch;	/* for nl_ack_parse and nl_talk */

/* Answers to one datagram, by request. */
#define ARENA_SIZE	(8 << 20)
static uint8_t arena[ARENA_SIZE];
static size_t arena_used;

struct answer {
	int nterm;
	int term;
	int err;
	char extack[256];
	int offs, miss;
	int ndata;
	struct nlmsghdr *data[MAX_T + MAX_N + 8];
	bool overflow;
};

static struct answer ans[PER_DGRAM];
static unsigned long stray;	/* answers with a sequence number nobody sent */

static void answers_take(int nreq, uint32_t seq0, uint8_t *buf, int len)
{
	struct nlmsghdr *nlh;

	for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
		uint32_t i = nlh->nlmsg_seq - seq0;
		struct answer *a;

		if (i >= (uint32_t)nreq) {
			if (!stray++)
				ksft_print_msg("an answer (type %u) with sequence number %#x nobody sent\n",
					       nlh->nlmsg_type, nlh->nlmsg_seq);
			continue;
		}
		a = &ans[i];
		if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE) {
			nl_ack_parse(scratch, nlh);
			a->nterm++;
			a->term = nlh->nlmsg_type == NLMSG_ERROR ? T_ERR : T_DONE;
			a->err = scratch->error;
			snprintf(a->extack, sizeof(a->extack), "%s", scratch->extack);
			a->offs = scratch->offs;
			a->miss = scratch->miss_type;
		} else if (a->ndata < (int)(sizeof(a->data) / sizeof(a->data[0]))) {
			a->data[a->ndata++] = nlh;
		} else {
			a->overflow = true;
		}
	}
}

/* Read everything the datagram caused: the kernel answers do requests
 * before send() returns and makes each part of a dump as the last one is
 * read, so the socket runs dry exactly when all is there.
 */
static int answers_read(int nreq, uint32_t seq0)
{
	memset(ans, 0, sizeof(ans[0]) * nreq);
	arena_used = 0;
	for (;;) {
		int len;

		if (ARENA_SIZE - arena_used < 65536)
			return -ENOBUFS;
		len = recv(fd_fuzz, arena + arena_used, 65536, MSG_DONTWAIT);
		if (len < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = fd_fuzz, .events = POLLIN };

			/* A last look, in case a dump part is still on its way. */
			if (poll(&p, 1, 0) <= 0)
				return 0;
			continue;
		}
		if (len < 0)
			return -errno;
		answers_take(nreq, seq0, arena + arena_used, len);
		arena_used += NLMSG_ALIGN(len);
	}
}

/* ---- replies against the model ----------------------------------------------- */

static bool pol_parse(const struct nlattr *nest, struct mpol *p)
{
	const struct nlattr *a[4] = {
		nl_nested(nest, IOFAIR_A_POLICY_BW_MIN), nl_nested(nest, IOFAIR_A_POLICY_BW_MAX),
		nl_nested(nest, IOFAIR_A_POLICY_BURST), nl_nested(nest, IOFAIR_A_POLICY_WEIGHT),
	};

	if (!nest || !a[0] || !a[1] || !a[2] || !a[3])
		return false;
	p->min = nl_u64(a[0]);
	p->max = nl_u64(a[1]);
	p->burst = nl_u32(a[2]);
	p->weight = nl_u32(a[3]);
	return true;
}

static void msg_of(struct nlmsghdr *nlh, struct nl_msg *msg)
{
	msg->nlh = nlh;
	msg->genl = NLMSG_DATA(nlh);
	msg->attrs = (struct nlattr *)((char *)NLMSG_DATA(nlh) + GENL_HDRLEN);
	msg->attrs_len = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
}

static const char *target_parse(struct nlmsghdr *nlh, struct mtarget *t)
{
	struct nl_msg msg;
	struct nlattr *a;

	msg_of(nlh, &msg);
	memset(t, 0, sizeof(*t));
	if (!(a = nl_msg_attr(&msg, IOFAIR_A_TARGET_ID)))
		return "no id";
	t->id = nl_u32(a);
	if (!(a = nl_msg_attr(&msg, IOFAIR_A_TARGET_KIND)))
		return "no kind";
	t->kind = nl_u32(a);
	if (!(a = nl_msg_attr(&msg, IOFAIR_A_TARGET_IFINDEX)))
		return "no ifindex";
	t->ifindex = nl_u32(a);
	if ((a = nl_msg_attr(&msg, IOFAIR_A_TARGET_NODE)))
		t->node = nl_u32(a);
	if (!(a = nl_msg_attr(&msg, IOFAIR_A_TARGET_ENFORCE)))
		return "no enforce";
	t->enforce = nl_u32(a);
	if (!pol_parse(nl_msg_attr(&msg, IOFAIR_A_TARGET_POLICY), &t->pol))
		return "no or incomplete policy";
	if (!(a = nl_msg_attr(&msg, IOFAIR_A_TARGET_RX_BW_MAX)))
		return "no rx-bw-max";
	t->rx = nl_u64(a);
	if ((a = nl_msg_attr(&msg, IOFAIR_A_TARGET_HIST)))
		t->hist = nl_u32(a);
	a = nl_msg_attr(&msg, IOFAIR_A_TARGET_HOST_SIDE);
	if (!a != (t->kind != IOFAIR_TARGET_KIND_DEV))
		return "host-side present on a non-dev target or missing on a dev one";
	if (a)
		t->host_side = nl_u8(a);
	if (nl_msg_attr(&msg, IOFAIR_A_TARGET_VF) || nl_msg_attr(&msg, IOFAIR_A_TARGET_OWNERSHIP))
		return "vf attributes on a non-vf target";
	return NULL;
}

static const char *node_parse(struct nlmsghdr *nlh, struct mnode *n, uint32_t *children)
{
	struct nl_msg msg;
	struct nlattr *a;

	msg_of(nlh, &msg);
	memset(n, 0, sizeof(*n));
	if (!(a = nl_msg_attr(&msg, IOFAIR_A_NODE_ID)))
		return "no id";
	n->id = nl_u32(a);
	if (!(a = nl_msg_attr(&msg, IOFAIR_A_NODE_NAME)))
		return "no name";
	snprintf(n->name, sizeof(n->name), "%.*s", nl_len(a), (char *)nl_data(a));
	if (!(a = nl_msg_attr(&msg, IOFAIR_A_NODE_KIND)))
		return "no kind";
	n->kind = nl_u32(a);
	if (!(a = nl_msg_attr(&msg, IOFAIR_A_NODE_CHILDREN)))
		return "no children";
	*children = nl_u32(a);
	if ((a = nl_msg_attr(&msg, IOFAIR_A_NODE_PARENT))) {
		n->parent = nl_u32(a);
		if (!pol_parse(nl_msg_attr(&msg, IOFAIR_A_NODE_POLICY), &n->pol))
			return "no or incomplete policy";
		if (nl_msg_attr(&msg, IOFAIR_A_NODE_CAPACITY) || nl_msg_attr(&msg, IOFAIR_A_NODE_LINK))
			return "capacity or link on a non-root";
		return NULL;
	}
	n->pol.weight = 1;	/* a root's policy is not reported */
	if (!(a = nl_msg_attr(&msg, IOFAIR_A_NODE_CAPACITY)))
		return "a root without capacity";
	n->cap = nl_u64(a);
	if ((a = nl_msg_attr(&msg, IOFAIR_A_NODE_LINK)))
		n->link = nl_u32(a);
	if (nl_msg_attr(&msg, IOFAIR_A_NODE_POLICY))
		return "a policy on a root";
	return NULL;
}

static const char *ctrl_parse(struct nlmsghdr *nlh, struct mctrl *c)
{
	struct nl_msg msg;
	struct nlattr *a[5];

	msg_of(nlh, &msg);
	for (int i = 0; i < 5; i++)
		if (!(a[i] = nl_msg_attr(&msg, IOFAIR_A_CONTROLLER_ENABLED + i)))
			return "a setting is missing";
	c->enabled = nl_u8(a[0]);
	c->interval = nl_u32(a[1]);
	c->hyst = nl_u32(a[2]);
	c->margin = nl_u32(a[3]);
	c->window = nl_u32(a[4]);
	if (!nl_msg_attr(&msg, IOFAIR_A_CONTROLLER_STEPS) ||
	    !nl_msg_attr(&msg, IOFAIR_A_CONTROLLER_LAST_STEP_NS))
		return "steps or last-step-ns missing";
	return NULL;
}

static bool ctrl_eq(const struct mctrl *a, const struct mctrl *b)
{
	return a->enabled == b->enabled && a->interval == b->interval && a->hyst == b->hyst &&
	       a->margin == b->margin && a->window == b->window;
}

static char diffbuf[512];

static const char *target_diff(const struct mtarget *want, const struct mtarget *got, bool id)
{
	char *p = diffbuf, *end = diffbuf + sizeof(diffbuf);

	*p = 0;
#define TD(f, fmt) \
	if (want->f != got->f) \
		p += snprintf(p, end - p, " " #f " " fmt " not " fmt, got->f, want->f)
	if (id)
		TD(id, "%u");
	TD(kind, "%u"); TD(ifindex, "%u"); TD(node, "%u"); TD(enforce, "%u");
	TD(hist, "%#x"); TD(host_side, "%u"); TD(rx, "%" PRIu64);
	TD(pol.min, "%" PRIu64); TD(pol.max, "%" PRIu64); TD(pol.burst, "%u");
	TD(pol.weight, "%u");
#undef TD
	return diffbuf[0] ? diffbuf : NULL;
}

static const char *node_diff(const struct mnode *want, const struct mnode *got, bool id)
{
	char *p = diffbuf, *end = diffbuf + sizeof(diffbuf);

	*p = 0;
#define ND(f, fmt) \
	if (want->f != got->f) \
		p += snprintf(p, end - p, " " #f " " fmt " not " fmt, got->f, want->f)
	if (id)
		ND(id, "%u");
	ND(kind, "%u"); ND(parent, "%u"); ND(link, "%u"); ND(pol.weight, "%u");
	if (want->parent) {
		ND(pol.min, "%" PRIu64); ND(pol.max, "%" PRIu64); ND(pol.burst, "%u");
	} else {
		ND(cap, "%" PRIu64);
	}
#undef ND
	if (strcmp(want->name, got->name))
		p += snprintf(p, end - p, " name '%s' not '%s'", got->name, want->name);
	return diffbuf[0] ? diffbuf : NULL;
}

/* ---- failures and counters --------------------------------------------------- */

enum {
	F_REPLY,	/* an answer missing, doubled, of the wrong kind, reply count */
	F_EXTACK,	/* a refusal without message, offset or missing attribute */
	F_POLICY,	/* a policy refusal: errno or offset */
	F_SEM,		/* iofair accepted or refused against the model */
	F_CONTENT,	/* a reply's object is not what the request made */
	F_STATE,	/* the dumps differ from the model */
	F_ALIVE,	/* version-get did not answer */
	NFAIL,
};

static const char *const fail_names[NFAIL] = {
	"replies", "extack", "policy", "semantics", "reply contents", "state", "alive",
};

static unsigned long fails[NFAIL];
static unsigned long msg_no;		/* messages so far */
static uint64_t seed;
static bool trace;

static unsigned long n_sent, n_dgrams, n_cls[NCLS], n_errno[200], n_unchecked[NOPS];
static unsigned long n_core_short, slot_sent[NSLOTS], slot_ok[NSLOTS], slot_ref[NSLOTS];
static unsigned long n_checks, n_dump_busy, n_churn, n_resync;
static double slot_secs[NSLOTS], check_secs;
static unsigned long slot_timed[NSLOTS];

static void hexdump(const uint8_t *p, int len)
{
	char line[3 * 32 + 1];
	int n = len > 512 ? 512 : len;

	for (int i = 0; i < n; i += 32) {
		int k = 0;

		for (int j = i; j < n && j < i + 32; j++)
			k += snprintf(line + k, sizeof(line) - k, "%02x ", p[j]);
		ksft_print_msg("  %04x: %s\n", i, line);
	}
	if (n < len)
		ksft_print_msg("  ... %d bytes\n", len);
}

static __attribute__((format(printf, 4, 5)))
void fail(int kind, const struct fmsg *m, const uint8_t *p, const char *fmt, ...)
{
	char text[768];
	va_list ap;

	if (fails[kind]++ >= MAX_REPORTS)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	ksft_print_msg("FAIL %s: message %lu: %s\n", fail_names[kind], msg_no, text);
	if (m) {
		ksft_print_msg("  generated as %s, mutations: %s\n",
			       m->op >= 0 ? ops[m->op].name : "garbage", m->muts[0] ? m->muts : "none");
		hexdump(p ? p : m->buf, m->len);
	}
}

/* ---- the model from the kernel ----------------------------------------------- */

static int check_talk(struct nl_req *req)
{
	int err = nl_talk(fd_check, req, scratch);

	return err ? err : scratch->error;
}

static int kernel_targets(struct mtarget *t, int *n, const char **why)
{
	struct nl_req req;
	int err;

	nl_req_init(&req, family, IOFAIR_CMD_TARGET_GET, NLM_F_DUMP);
	err = check_talk(&req);
	if (err)
		return err;
	*n = 0;
	for (int i = 0; i < scratch->n && *n < MAX_T; i++) {
		*why = target_parse(scratch->msg[i].nlh, &t[(*n)++]);
		if (*why)
			return -EPROTO;
	}
	return scratch->n > MAX_T ? -E2BIG : 0;
}

static int kernel_nodes(struct mnode *nd, uint32_t *children, int *n, const char **why)
{
	struct nl_req req;
	int err;

	nl_req_init(&req, family, IOFAIR_CMD_NODE_GET, NLM_F_DUMP);
	err = check_talk(&req);
	if (err)
		return err;
	*n = 0;
	for (int i = 0; i < scratch->n && *n < MAX_N; i++) {
		*why = node_parse(scratch->msg[i].nlh, &nd[*n], &children[*n]);
		(*n)++;
		if (*why)
			return -EPROTO;
	}
	return scratch->n > MAX_N ? -E2BIG : 0;
}

static int kernel_ctrl(struct mctrl *c, const char **why)
{
	struct nl_req req;
	int err;

	nl_req_init(&req, family, IOFAIR_CMD_CONTROLLER_GET, 0);
	err = check_talk(&req);
	if (err)
		return err;
	if (scratch->n != 1)
		return -EPROTO;
	*why = ctrl_parse(scratch->msg[0].nlh, c);
	return *why ? -EPROTO : 0;
}

static bool alive(void)
{
	struct nl_req req;

	nl_req_init(&req, family, IOFAIR_CMD_VERSION_GET, 0);
	return !check_talk(&req) && scratch->n == 1 &&
	       nl_msg_attr(&scratch->msg[0], IOFAIR_A_VERSION_VERSION);
}

/* The model becomes what the kernel says (at the start, after a failure). */
static int resync(void)
{
	static struct mtarget t[MAX_T];
	static struct mnode n[MAX_N];
	static uint32_t children[MAX_N];
	const char *why = "";
	int nt, nn;

	if (kernel_targets(t, &nt, &why) || kernel_nodes(n, children, &nn, &why) ||
	    kernel_ctrl(&M.c, &why)) {
		ksft_print_msg("cannot read the kernel's objects: %s\n", why);
		return -1;
	}
	memcpy(M.t, t, sizeof(t[0]) * nt);
	M.nt = nt;
	memcpy(M.n, n, sizeof(n[0]) * nn);
	M.nn = nn;
	return 0;
}

/* Dumps against the model: targets, nodes, controller, statistics objects. */
static void model_check(void)
{
	static struct mtarget t[MAX_T];
	static struct mnode n[MAX_N];
	static uint32_t children[MAX_N];
	const char *why = "", *d;
	struct mctrl c;
	struct nl_req req;
	int nt, nn, err, i, bad = 0;

	/* version-get every 8th check: it is slow (kprobes registered and gone). */
	if (n_checks++ % 8 == 0 && !alive()) {
		fail(F_ALIVE, NULL, NULL, "version-get did not answer");
		bad++;
	}
	err = kernel_targets(t, &nt, &why);
	if (err) {
		fail(F_STATE, NULL, NULL, "target dump: %s (%s)", strerror(-err), why);
		bad++;
	} else if (nt != M.nt) {
		fail(F_STATE, NULL, NULL, "%d targets, the model has %d", nt, M.nt);
		bad++;
	} else {
		for (i = 0; i < nt; i++) {
			d = target_diff(&M.t[i], &t[i], true);
			if (d) {
				fail(F_STATE, NULL, NULL, "target %u:%s", M.t[i].id, d);
				bad++;
			}
		}
	}
	err = kernel_nodes(n, children, &nn, &why);
	if (err) {
		fail(F_STATE, NULL, NULL, "node dump: %s (%s)", strerror(-err), why);
		bad++;
	} else if (nn != M.nn) {
		fail(F_STATE, NULL, NULL, "%d nodes, the model has %d", nn, M.nn);
		bad++;
	} else {
		for (i = 0; i < nn; i++) {
			d = node_diff(&M.n[i], &n[i], true);
			if (!d && children[i] != mn_children(M.n[i].id))
				d = "children";
			if (d) {
				fail(F_STATE, NULL, NULL, "node %u:%s", M.n[i].id, d);
				bad++;
			}
		}
	}
	err = kernel_ctrl(&c, &why);
	if (err || !ctrl_eq(&c, &M.c)) {
		fail(F_STATE, NULL, NULL, "controller differs (%s)", err ? why : "settings");
		bad++;
	}
	nl_req_init(&req, family, IOFAIR_CMD_STATS_GET, NLM_F_DUMP);
	err = check_talk(&req);
	if (err || scratch->n != M.nt + M.nn) {
		fail(F_STATE, NULL, NULL, "stats dump: %d, %d objects, the model has %d",
		     err, scratch->n, M.nt + M.nn);
		bad++;
	}
	if (bad) {
		n_resync++;
		resync();
	}
}

/* ---- one datagram ------------------------------------------------------------ */

static double now(void);

static struct fmsg msgs[PER_DGRAM];
static uint8_t dgram[DGRAM_MAX];
static struct expect exps[PER_DGRAM];
static uint32_t seq_next = SEQ_BASE;

static void apply_success(const struct fmsg *m, const struct expect *ex, struct answer *a,
			  const uint8_t *p)
{
	struct mtarget t;
	struct mnode n;
	struct mctrl c;
	uint32_t children;
	const char *why, *d;
	int op = ex->op;

	switch (op) {
	case OP_TADD:
	case OP_TSET:
	case OP_TGET:
		why = target_parse(a->data[0], &t);
		if (why) {
			fail(F_CONTENT, m, p, "%s reply: %s", ops[op].name, why);
			break;
		}
		if (op == OP_TADD && (mt_find(t.id) || !t.id))
			fail(F_CONTENT, m, p, "target-add gave id %u, which is taken or 0", t.id);
		d = target_diff(&ex->t, &t, op != OP_TADD);
		if (d)
			fail(F_CONTENT, m, p, "%s reply:%s", ops[op].name, d);
		mt_put(&t);
		break;
	case OP_TDEL:
		mt_del(ex->id);
		break;
	case OP_NNEW:
	case OP_NSET:
	case OP_NGET:
		why = node_parse(a->data[0], &n, &children);
		if (why) {
			fail(F_CONTENT, m, p, "%s reply: %s", ops[op].name, why);
			break;
		}
		if (op == OP_NNEW && (mn_find(n.id) || !n.id))
			fail(F_CONTENT, m, p, "node-new gave id %u, which is taken or 0", n.id);
		d = node_diff(&ex->n, &n, op != OP_NNEW);
		if (d)
			fail(F_CONTENT, m, p, "%s reply:%s", ops[op].name, d);
		mn_put(&n);
		if (children != mn_children(n.id))
			fail(F_CONTENT, m, p, "%s reply: %u children, the model has %u",
			     ops[op].name, children, mn_children(n.id));
		break;
	case OP_NDEL:
		mn_del(ex->id);
		break;
	case OP_CSET:
	case OP_CGET:
		why = ctrl_parse(a->data[0], &c);
		if (why || !ctrl_eq(&c, &ex->c))
			fail(F_CONTENT, m, p, "%s reply: %s", ops[op].name, why ? why : "settings differ");
		M.c = ex->c;
		break;
	case OP_HGET: {
		struct nl_msg msg;
		struct nlattr *id;
		int got;

		msg_of(a->data[0], &msg);
		id = nl_msg_attr(&msg, IOFAIR_A_HISTS_TARGET_ID);
		got = nl_attr_count(msg.attrs, msg.attrs_len, IOFAIR_A_HISTS_HIST);
		if (!id || nl_u32(id) != ex->t.id || got != ex->nhist)
			fail(F_CONTENT, m, p, "hist-get reply: target %d, %d histograms, predicted %d (mask %#x)",
			     id ? (int)nl_u32(id) : -1, got, ex->nhist, ex->t.hist);
		break;
	}
	default:
		break;
	}
}

/* Dump replies, when the dump was alone in its datagram. */
static void check_dump(const struct fmsg *m, const struct expect *ex, struct answer *a)
{
	int type = ex->op == OP_TDUMP ? IOFAIR_A_TARGET_ID :
		   ex->op == OP_NDUMP ? IOFAIR_A_NODE_ID : -1;

	for (int i = 0; i < a->ndata && i < ex->dump_n; i++) {
		struct nl_msg msg;
		struct nlattr *id;

		msg_of(a->data[i], &msg);
		id = nl_msg_attr(&msg, type < 0 ? IOFAIR_A_STATS_TARGET_ID : type);
		if (!id && type < 0)
			id = nl_msg_attr(&msg, IOFAIR_A_STATS_NODE_ID);
		if (!id || nl_u32(id) != ex->dump_ids[i]) {
			fail(F_CONTENT, m, NULL, "%s: object %d is %d, the model has %u",
			     ops[ex->op].name, i, id ? (int)nl_u32(id) : -1, ex->dump_ids[i]);
			return;
		}
		if (ex->op == OP_TDUMP) {
			struct mtarget t;
			const char *why = target_parse(a->data[i], &t);

			if (!why)
				why = target_diff(mt_find(t.id), &t, true);
			if (why)
				fail(F_CONTENT, m, NULL, "target dump, target %u:%s", t.id, why);
		} else if (ex->op == OP_NDUMP) {
			struct mnode n;
			uint32_t children;
			const char *why = node_parse(a->data[i], &n, &children);

			if (!why)
				why = node_diff(mn_find(n.id), &n, true);
			if (why)
				fail(F_CONTENT, m, NULL, "node dump, node %u:%s", n.id, why);
		}
	}
}

static const char *errname(int err)
{
	static char buf[16];
	const char *s = err ? strerrorname_np(-err) : "0";

	if (s)
		return s;
	snprintf(buf, sizeof(buf), "%d", err);
	return buf;
}

/* The kernel's answers to message @i against the prediction. */
static bool judge(struct fmsg *m, struct expect *ex, struct answer *a, const uint8_t *p,
		  bool alone)
{
	bool refused = a->term && a->err, want_refused = ex->err != 0;
	bool busy = ex->alt_err && a->err == ex->alt_err;

	if (trace)
		ksft_print_msg("msg %lu %s [%s]: predicted %s %s, got term %d %s '%s' offs %d miss %d, %d replies\n",
			       msg_no, slot_name(ex->slot), m->muts, cls_names[ex->cls],
			       errname(ex->err), a->term, errname(a->err), a->extack, a->offs,
			       a->miss, a->ndata);
	if (a->nterm > 1 || a->overflow) {
		fail(F_REPLY, m, p, "%d ACK/error/DONE answers", a->nterm);
		return false;
	}
	if (ex->cls == CLS_DROPPED) {
		if (a->nterm || a->ndata) {
			fail(F_REPLY, m, p, "netlink should have dropped it, it answered");
			return false;
		}
		return true;
	}
	if (busy) {
		n_dump_busy++;
		ex->cls = CLS_CORE;	/* counted with genetlink's refusals */
		if (a->term != T_ERR || a->ndata)
			fail(F_REPLY, m, p, "EBUSY for a dump, not in an error message");
		return true;
	}
	if (refused != want_refused ||
	    (refused && a->err != ex->err)) {
		int kind = ex->cls == CLS_POLICY ? F_POLICY :
			   ex->cls == CLS_SEM || ex->cls == CLS_OK ? F_SEM : F_REPLY;

		fail(kind, m, p, "%s: predicted %s (%s), the kernel answered %s '%s'",
		     slot_name(ex->slot), errname(ex->err), cls_names[ex->cls], errname(a->err),
		     a->extack);
		return false;
	}
	/* From here on the outcome is the predicted one: what is wrong
	 * below does not put the model off.
	 */
	if (a->term != ex->term && !(ex->term == T_NONE && !a->nterm))
		fail(F_REPLY, m, p, "%s: answer kind %d, predicted %d (%s)", slot_name(ex->slot),
		     a->term, ex->term, errname(ex->err));
	if (ex->term == T_NONE && a->nterm)
		fail(F_REPLY, m, p, "%s: an answer without NLM_F_ACK", slot_name(ex->slot));
	if (refused && ex->cls != CLS_CORE && !a->extack[0] && a->offs < 0 && a->miss < 0)
		fail(F_EXTACK, m, p, "%s refused with %s and no extack at all",
		     slot_name(ex->slot), errname(a->err));
	if (refused && (ex->cls == CLS_POLICY || ex->cls == CLS_HDR) && !a->extack[0])
		fail(F_EXTACK, m, p, "%s: %s refusal %s without a message", slot_name(ex->slot),
		     cls_names[ex->cls], errname(a->err));
	if (refused && ex->cls == CLS_POLICY && a->offs != ex->bad_off)
		fail(F_POLICY, m, p, "%s: offending attribute at %d, predicted %d ('%s')",
		     slot_name(ex->slot), a->offs, ex->bad_off, a->extack);
	if (refused && ex->miss >= 0 && a->miss != ex->miss)
		fail(F_SEM, m, p, "%s: missing attribute %d, predicted %d", slot_name(ex->slot),
		     a->miss, ex->miss);
	if (ex->ndata >= 0 && a->ndata != ex->ndata &&
	    (alone || ex->op < 0 || !ops[ex->op].dump)) {
		fail(F_REPLY, m, p, "%s: %d reply messages, predicted %d", slot_name(ex->slot),
		     a->ndata, ex->ndata);
		return false;
	}
	if (!refused && ex->op >= 0 && ex->cls == CLS_OK) {
		if (!ops[ex->op].dump)
			apply_success(m, ex, a, p);
		else if (alone)
			check_dump(m, ex, a);
	}
	return true;
}

static void count(const struct expect *ex, const struct answer *a)
{
	n_sent++;
	n_cls[ex->cls]++;
	slot_sent[ex->slot]++;
	if (a->term && a->err) {
		slot_ref[ex->slot]++;
		if (-a->err < 200)
			n_errno[-a->err]++;
	} else if (ex->cls != CLS_DROPPED && ex->cls != CLS_NOREQ) {
		slot_ok[ex->slot]++;
		if (ex->unchecked)
			n_unchecked[ex->op]++;
	}
	n_core_short += ex->core_short;
}

/* Place the messages in the datagram; false when the framing would make
 * netlink read a header the program did not write (never sent).
 */
static int assemble(int nmsg, int *start, int tail)
{
	int off = 0;

	for (int i = 0; i < nmsg; i++) {
		off = NLMSG_ALIGN(off);
		start[i] = off;
		memcpy(dgram + off, msgs[i].buf, msgs[i].len);
		memset(dgram + off + msgs[i].len, 0, NLMSG_ALIGN(msgs[i].len) - msgs[i].len);
		off += msgs[i].len;
	}
	for (int i = 0; i < tail; i++)
		dgram[off++] = rnd();
	return off;
}

static void one_datagram(void)
{
	int nmsg = 1, start[PER_DGRAM], total, tail = 0, off, k;
	bool dump_running = false, framed[PER_DGRAM], resync_after = false;
	uint32_t seq0 = seq_next;
	int special = rn(1000);
	double t;

	n_dgrams++;
	if (special < 6) {	/* empty, or fewer bytes than a netlink header */
		struct expect ex = { .cls = CLS_DROPPED, .slot = OP_CORE, .op = -1 };
		struct answer none = { 0 };

		total = special < 3 ? 0 : 1 + rn(NLMSG_HDRLEN - 1);
		mut_count[total ? DG_TINY : DG_EMPTY]++;
		for (int i = 0; i < total; i++)
			dgram[i] = rnd();
		/* An empty datagram is refused from 6.1.x/6.4 on (ENODATA). */
		if (send(fd_fuzz, dgram, total, 0) < 0 && (total || errno != ENODATA))
			fail(F_REPLY, NULL, NULL, "send of %d bytes: %s", total, strerror(errno));
		answers_read(0, 0);
		msg_no++;
		count(&ex, &none);
		return;
	}
	if (pct(10)) {
		nmsg = 2 + rn(PER_DGRAM - 1);
		mut_count[DG_MULTI]++;
	}
	for (int i = 0; i < nmsg; i++) {
		struct fmsg *m = &msgs[i];
		bool last = i == nmsg - 1;

		generate(m);
		if (pct(50)) {
			int n = 1 + (pct(30) ? rn(3) : 0);

			for (int j = 0; j < n; j++) {
				int mu = rn(NMUTS);

				if (mu < MU_TRUNC)
					mutate_struct(m, mu);
			}
		}
		serialize(m, family, seq_next++);
		if (pct(12))
			mutate_bytes(m, MU_TRUNC + rn(NMUTS - MU_TRUNC), last);
	}
	if (pct(2) && !msgs[nmsg - 1].len_mutated) {
		tail = 1 + rn(NLMSG_HDRLEN - 1);
		mut_count[DG_TAIL]++;
	}
	total = assemble(nmsg, start, tail);

	/* netlink_rcv_skb over the datagram: which messages get read. */
	for (int i = 0; i < nmsg; i++)
		framed[i] = false;
	off = 0;
	k = 0;
	while (total - off >= NLMSG_HDRLEN) {
		struct nlmsghdr h;
		int msglen;

		memcpy(&h, dgram + off, sizeof(h));
		if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > (uint32_t)(total - off))
			break;
		while (k < nmsg && start[k] < off)
			k++;
		if (k == nmsg || start[k] != off || h.nlmsg_type != family) {
			fail(F_REPLY, NULL, NULL, "internal: a datagram would carry a header not written; not sent");
			return;
		}
		framed[k] = true;
		msglen = NLMSG_ALIGN(h.nlmsg_len);
		off += msglen > total - off ? total - off : msglen;
	}

	t = now();
	if (send(fd_fuzz, dgram, total, 0) < 0) {
		fail(F_REPLY, &msgs[0], NULL, "send: %s", strerror(errno));
		return;
	}
	k = answers_read(nmsg, seq0);
	t = now() - t;
	if (k)
		fail(F_REPLY, NULL, NULL, "reading the answers: %s", strerror(-k));

	for (int i = 0; i < nmsg; i++) {
		struct expect *ex = &exps[i];
		const uint8_t *p = dgram + start[i];
		struct nlmsghdr h;

		msg_no++;
		memcpy(&h, p, sizeof(h));
		if (!framed[i]) {
			memset(ex, 0, sizeof(*ex));
			ex->cls = CLS_DROPPED;
			ex->slot = OP_CORE;
			ex->op = -1;
		} else {
			P = p;
			predict(ex, &dump_running);
		}
		if (!judge(&msgs[i], ex, &ans[i], p, nmsg == 1))
			resync_after = true;
		count(ex, &ans[i]);
		if (nmsg == 1) {
			slot_secs[ex->slot] += t;
			slot_timed[ex->slot]++;
		}
	}
	if (resync_after) {
		n_resync++;
		resync();
	}
}

/* veth pair v4/v5 goes and comes back: its targets go, links to it clear. */
static void churn(void)
{
	uint32_t gone[2] = { if_nametoindex("v4"), if_nametoindex("v5") };

	n_churn++;
	if (system("ip link del v4 && ip link add v4 type veth peer name v5 && "
		   "ip link set v4 up && ip link set v5 up"))
		ksft_exit_fail_msg("cannot make v4/v5 again\n");
	for (int i = M.nt - 1; i >= 0; i--)
		if (M.t[i].ifindex == gone[0] || M.t[i].ifindex == gone[1])
			mt_del(M.t[i].id);
	for (int i = 0; i < M.nn; i++)
		if (M.n[i].link == gone[0] || M.n[i].link == gone[1])
			M.n[i].link = 0;
	if (devs_scan())
		ksft_exit_fail_msg("devices missing after churn\n");
}

/* ---- the kernel log ---------------------------------------------------------- */

static int kmsg_fd = -1;

static void kmsg_start(void)
{
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd >= 0)
		lseek(kmsg_fd, 0, SEEK_END);
}

/* New kernel log lines that say something went wrong; -1: no log. */
static int kmsg_bad(unsigned long *leftover, unsigned long *badlen)
{
	static const char *const bad[] = {
		"WARNING:", "BUG:", "Oops", "Kernel panic", "refcount_t", "lockdep",
		"possible circular locking", "general protection fault", "unreferenced object",
		"rcu: INFO", "detected stall", "blocked for more than", "UBSAN", "KASAN",
		"list_add corruption", "list_del corruption",
	};
	char rec[8192];
	int n = 0;

	if (kmsg_fd < 0)
		return -1;
	for (;;) {
		ssize_t len = read(kmsg_fd, rec, sizeof(rec) - 1);

		if (len < 0 && errno == EPIPE)
			continue;
		if (len <= 0)
			break;
		rec[len] = 0;
		if (strstr(rec, "bytes leftover after parsing attributes"))
			(*leftover)++;
		if (strstr(rec, "has an invalid length"))
			(*badlen)++;
		for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			if (strstr(rec, bad[i])) {
				char *nl = strchr(rec, '\n');

				if (nl)
					*nl = 0;
				if (n++ < MAX_REPORTS)
					ksft_print_msg("kernel log: %s\n", rec);
				break;
			}
		}
	}
	return n;
}

/* ---- main -------------------------------------------------------------------- */

static bool kernel_splits_ops(void)
{
	struct utsname u;
	unsigned int major = 0, minor = 0;

	uname(&u);
	sscanf(u.release, "%u.%u", &major, &minor);
	return major > 6 || (major == 6 && minor >= 2);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void print_counts(double secs)
{
	char line[1024];
	int k;

	ksft_print_msg("sent %lu messages in %lu datagrams in %.1f s (%.0f/s)\n",
		       n_sent, n_dgrams, secs, n_sent / (secs > 0 ? secs : 1));
	for (int c = 0; c < NCLS; c++)
		ksft_print_msg("  %-34s %lu\n", cls_names[c], n_cls[c]);
	ksft_print_msg("  genetlink core refusals: header truncated %lu, no such op %lu, dump busy %lu\n",
		       n_core_short, slot_sent[OP_NOOP], n_dump_busy);
	k = 0;
	for (int e = 1; e < 200; e++)
		if (n_errno[e])
			k += snprintf(line + k, sizeof(line) - k, " %s %lu", errname(-e), n_errno[e]);
	ksft_print_msg("refused by errno:%s\n", line);
	ksft_print_msg("per op:            sent accepted  refused  ms/request\n");
	for (int s = 0; s < NSLOTS; s++)
		ksft_print_msg("  %-18s %6lu %8lu %8lu %8.2f\n", slot_name(s), slot_sent[s], slot_ok[s],
			       slot_ref[s], slot_timed[s] ? 1000 * slot_secs[s] / slot_timed[s] : 0);
	k = 0;
	for (int i = 0; i < NMUTCOUNT; i++)
		if (mut_count[i])
			k += snprintf(line + k, sizeof(line) - k, " %s %lu", mut_names[i], mut_count[i]);
	ksft_print_msg("mutations:%s\n", line);
	k = 0;
	for (int f = 0; f < NFAIL; f++)
		if (fails[f])
			k += snprintf(line + k, sizeof(line) - k, " %s %lu", fail_names[f], fails[f]);
	ksft_print_msg("failures:%s\n", k ? line : " none");
	ksft_print_msg("model checks %lu (%.1f s), device churns %lu, resyncs %lu, stray answers %lu; at the end %d targets, %d nodes\n",
		       n_checks, check_secs, n_churn, n_resync, stray, M.nt, M.nn);
}

int main(void)
{
	const char *env_seed = getenv("IOFAIR_FUZZ_SEED"), *env_msgs = getenv("IOFAIR_FUZZ_MSGS");
	unsigned long total = env_msgs ? strtoul(env_msgs, NULL, 0) : DEFAULT_MSGS;
	unsigned long next_check = CHECK_EVERY, next_churn = CHURN_EVERY, leftover = 0, badlen = 0;
	unsigned long unchecked = 0;
	int grp, bad;
	double t0;
	char line[256];

	ksft_print_header();
	trace = getenv("IOFAIR_FUZZ_TRACE") && atoi(getenv("IOFAIR_FUZZ_TRACE"));
	if (geteuid())
		ksft_exit_skip("must run as root\n");
	scratch = malloc(sizeof(*scratch));
	if (!scratch)
		ksft_exit_fail_msg("no memory\n");
	if (unshare(CLONE_NEWNET))
		ksft_exit_fail_msg("unshare(CLONE_NEWNET): %s\n", strerror(errno));
	fd_fuzz = nl_open();
	fd_check = nl_open();
	if (fd_fuzz < 0 || fd_check < 0)
		ksft_exit_fail_msg("netlink socket: %s\n", strerror(errno));
	family = nl_iofair_family(fd_check, &grp);
	if (family == -1)
		ksft_exit_skip("iofair module not available (set IOFAIR_KO)\n");
	if (family < 0)
		ksft_exit_fail_msg("$IOFAIR_KO did not load\n");
	if (system("modprobe -q tun; modprobe -q veth; "
		   "ip link add v0 type veth peer name v1 && "
		   "ip link add v2 type veth peer name v3 && "
		   "ip link add v4 type veth peer name v5 && "
		   "ip tuntap add dev tap0 mode tap && ip tuntap add dev tap1 mode tap && "
		   "for d in lo v0 v1 v2 v3 v4 v5; do ip link set $d up; done") || devs_scan())
		ksft_exit_fail_msg("cannot make the test's devices\n");
	split_ops = kernel_splits_ops();
	if (!split_ops)
		ops_merge();

	seed = env_seed ? strtoull(env_seed, NULL, 0) : ((uint64_t)time(NULL) << 20) ^ getpid();
	rng = seed;
	ksft_set_plan(9);
	ksft_print_msg("seed %#" PRIx64 ", %lu messages (IOFAIR_FUZZ_SEED=%#" PRIx64
		       " IOFAIR_FUZZ_MSGS=%lu to replay)\n", seed, total, seed, total);
	ksft_print_msg("do and dump ops %s (kernel %s 6.2)\n",
		       kernel_splits_ops() ? "split" : "merged per command",
		       kernel_splits_ops() ? ">=" : "<");
	{
		int k = 0;

		for (int i = 0; i < ndevs; i++)
			k += snprintf(line + k, sizeof(line) - k, " %s=%u(%u Mbit/s)", devs[i].name,
				      devs[i].ifindex, devs[i].speed);
		ksft_print_msg("devices:%s\n", line);
	}

	kmsg_start();
	if (resync())
		ksft_exit_fail_msg("cannot read the namespace's objects\n");
	if (M.nt || M.nn)
		ksft_exit_fail_msg("a new namespace with %d targets and %d nodes\n", M.nt, M.nn);

	t0 = now();
	while (msg_no < total) {
		one_datagram();
		if (msg_no >= next_check) {
			double t = now();

			model_check();
			check_secs += now() - t;
			next_check += CHECK_EVERY;
		}
		if (msg_no >= next_churn) {
			churn();
			next_churn += CHURN_EVERY;
		}
	}
	model_check();
	print_counts(now() - t0);
	bad = kmsg_bad(&leftover, &badlen);
	ksft_print_msg("kernel log: %lu 'bytes leftover', %lu 'invalid length' notices (netlink core, expected)\n",
		       leftover, badlen);

	if (stray)
		fail(F_REPLY, NULL, NULL, "%lu answers to nothing sent", stray);
	ksft_test_result(!fails[F_REPLY], "every request answered as netlink says: one ACK, error or DONE each, the replies predicted (%lu messages)\n",
			 n_sent);
	ksft_test_result(!fails[F_EXTACK], "every refusal says why: extack message, offset or missing attribute (%lu refusals past genetlink's core)\n",
			 n_cls[CLS_HDR] + n_cls[CLS_POLICY] + n_cls[CLS_SEM]);
	ksft_test_result(!fails[F_POLICY], "policy refusals: predicted errno and offending attribute (%lu)\n",
			 n_cls[CLS_POLICY]);
	ksft_test_result(!fails[F_SEM], "iofair accepts and refuses as the model predicts (%lu accepted, %lu refused)\n",
			 n_cls[CLS_OK], n_cls[CLS_SEM]);
	ksft_test_result(!fails[F_CONTENT], "replies carry what the requests made\n");
	ksft_test_result(!fails[F_STATE], "the kernel's objects equal the model (%lu checks)\n", n_checks);
	ksft_test_result(!fails[F_ALIVE] && alive(), "the module answers version-get\n");
	if (bad < 0)
		ksft_test_result_skip("kernel log: /dev/kmsg not readable\n");
	else
		ksft_test_result(!bad, "no warning in the kernel log (%d new)\n", bad);
	for (int i = 0; i < NOPS; i++) {
		if (n_unchecked[i])
			ksft_print_msg("known: %s accepted %lu requests with attributes it never parsed\n",
				       ops[i].name, n_unchecked[i]);
		unchecked += n_unchecked[i];
	}
	if (unchecked)
		ksft_test_result_xfail("known: attributes on ops without a request policy are accepted unread (%lu)\n",
				       unchecked);
	else
		ksft_test_result_pass("ops without a request policy got no attributes accepted unread\n");
	ksft_finished();
}
