// SPDX-License-Identifier: GPL-2.0
/*
 * Many clients at once, in a network namespace of its own:
 *
 *   netns of the test
 *   +----------------------------------------------------------------+
 *   |  16 clients, one netlink socket each: target add/set/del/get,   |
 *   |  node new/set/del/get, dumps of targets, nodes and stats (read  |
 *   |  in 4 KiB parts), iofairctl target/node list                    |
 *   |  1 device loop: veth pairs cv<N> <-> cp<N> come and go (the     |
 *   |  clients' dev targets go with them)                             |
 *   |  root "base" with 200 tenants b<N> (a dump takes several parts) |
 *   |  the controller stepping every 10 ms                            |
 *   +----------------------------------------------------------------+
 *
 * For IOFAIR_CONC_SECONDS (default 20).  Every request must be answered
 * (ACK, error or dump DONE; none may hang), errors may only be those of a
 * race (ENOENT, ENODEV, EBUSY, EEXIST) or of the per-namespace bounds
 * (ENOSPC: random parents make deep trees), every dump must end with DONE,
 * its ids in order; a node dump the kernel did not flag NLM_F_DUMP_INTR must be
 * a consistent tree (every parent listed), and some dumps must have been
 * flagged.  iofairctl's target and node lists must succeed throughout
 * (it takes a flagged dump again).
 *
 * Then, deterministically: a dump read one part at a time, with a node
 * changed (or a target's device deleted) from another socket between two
 * parts, must be flagged; the same dump without the change must not be.
 * The counts of everything tried are printed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/iofair.h>

#include "kselftest.h"
#include "nl_helpers.h"

#define NCLIENTS	16
#define NBASE		200	/* tenants under "base" */
#define NVETH		24	/* veth pairs the device loop churns */
#define NDET_VETH	40	/* veth pairs for the target dump test */
#define PART		4096	/* the read size: the kernel sizes dump parts to it */
#define REPLY_TIMEOUT	20	/* s: a request unanswered this long has hung */
#define MAX_IDS		4096	/* ids a client keeps to pick from */
#define NODE_CAP	1500	/* past this many nodes, node-new turns node-del */

enum op {
	OP_TADD, OP_TSET, OP_TDEL, OP_TGET, OP_NNEW, OP_NSET, OP_NDEL, OP_NGET,
	OP_DUMP_T, OP_DUMP_N, OP_DUMP_S, OP_CLI, NOPS
};

static const char *const op_name[NOPS] = {
	"target-add", "target-set", "target-del", "target-get",
	"node-new", "node-set", "node-del", "node-get",
	"target dump", "node dump", "stats dump", "iofairctl list",
};

/* How often each op is picked (of 100). */
static const int op_weight[NOPS] = { 14, 10, 8, 5, 12, 10, 9, 5, 9, 9, 5, 4 };

/* Outcomes: ok, the expected errors of a race, anything else. */
enum res { RES_OK, RES_ENOENT, RES_ENODEV, RES_EBUSY, RES_EEXIST, RES_ENOSPC, RES_OTHER, NRES };
static const char *const res_name[NRES] = {
	"ok", "ENOENT", "ENODEV", "EBUSY", "EEXIST", "ENOSPC", "other"
};

/* One client's counts, in memory shared with the parent. */
struct counts {
	unsigned long res[NOPS][NRES];
	unsigned long dumps_intr[3];	/* target, node, stats */
	unsigned long dump_parts[3];
	unsigned long dump_bad;		/* no DONE, ids out of order, truncated */
	unsigned long tree_bad;		/* unflagged node dump not a tree */
	unsigned long noreply;		/* requests not answered in time */
	unsigned long cli_gave_up;	/* iofairctl: flagged on every try */
	unsigned long dev_add, dev_del;	/* the device loop */
	char first_bad[256];		/* the first unexpected thing seen */
};

static struct counts *shared;		/* NCLIENTS + 1 (device loop) */
static int family;

static void note_bad(struct counts *c, const char *fmt, ...)
{
	va_list ap;

	if (c->first_bad[0])
		return;
	va_start(ap, fmt);
	vsnprintf(c->first_bad, sizeof(c->first_bad), fmt, ap);
	va_end(ap);
}

static enum res classify(int err)
{
	switch (err) {
	case 0: return RES_OK;
	case -ENOENT: return RES_ENOENT;
	case -ENODEV: return RES_ENODEV;
	case -EBUSY: return RES_EBUSY;
	case -EEXIST: return RES_EEXIST;
	case -ENOSPC: return RES_ENOSPC;	/* IOFAIR_DEPTH_MAX, IOFAIR_NODES_MAX */
	default: return RES_OTHER;
	}
}

/* ---- raw request/reply with small reads ---------------------------------- */

struct sock {
	int fd;
	uint32_t seq;
	char buf[PART];
};

static int sock_open(struct sock *s)
{
	struct timeval tv = { .tv_sec = REPLY_TIMEOUT };

	s->seq = 0;
	s->fd = nl_open();
	if (s->fd < 0)
		return -1;
	return setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* What one request got back. */
struct answer {
	int err;		/* the kernel's: 0 or -errno */
	char extack[160];
	bool done;		/* ACK, error or DONE came */
	bool intr;		/* a part or DONE was flagged NLM_F_DUMP_INTR */
	bool trunc;		/* a part did not fit in PART */
	int parts;		/* datagrams read */
	int n;			/* data messages */
	int sockerr;		/* -errno of send/recv (-EAGAIN: no answer in time) */
};

typedef void (*msg_fn)(const struct nl_msg *msg, void *arg);

static void parse_err(struct answer *a, struct nlmsghdr *nlh)
{
	struct nlattr *tlvs, *at;
	int off, len;

	if (nlh->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *e = NLMSG_DATA(nlh);

		a->err = e->error;
		off = NLMSG_HDRLEN + sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	} else {
		memcpy(&a->err, NLMSG_DATA(nlh), sizeof(int));
		off = NLMSG_HDRLEN + sizeof(int);
	}
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off >= (int)nlh->nlmsg_len)
		return;
	tlvs = (struct nlattr *)((char *)nlh + off);
	len = nlh->nlmsg_len - off;
	nl_for_each_attr(at, tlvs, len)
		if ((at->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG)
			snprintf(a->extack, sizeof(a->extack), "%.*s", nl_len(at),
				 (char *)nl_data(at));
}

/*
 * Send @m on @s and read its answer PART bytes at a time, each data message
 * to @fn.  After the @pause_after'th datagram (0: never) call @pause(@parg)
 * before reading on.
 */
static void talk(struct sock *s, struct nl_req *m, struct answer *a, msg_fn fn, void *arg,
		 int pause_after, void (*pause)(void *), void *parg)
{
	memset(a, 0, sizeof(*a));
	m->nlh.nlmsg_seq = ++s->seq;
	if (send(s->fd, &m->nlh, m->nlh.nlmsg_len, 0) < 0) {
		a->sockerr = -errno;
		return;
	}
	while (!a->done) {
		struct iovec iov = { s->buf, sizeof(s->buf) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
		struct nlmsghdr *nlh;
		int len;

		len = recvmsg(s->fd, &mh, 0);
		if (len < 0) {
			a->sockerr = -errno;
			return;
		}
		if (mh.msg_flags & MSG_TRUNC)
			a->trunc = true;
		a->parts++;
		for (nlh = (struct nlmsghdr *)s->buf; NLMSG_OK(nlh, len); nlh = NLMSG_NEXT(nlh, len)) {
			if (nlh->nlmsg_seq != m->nlh.nlmsg_seq)
				continue;
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				a->intr = true;
			if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE) {
				parse_err(a, nlh);
				a->done = true;
				break;
			}
			if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
				continue;
			a->n++;
			if (fn) {
				struct nl_msg msg = {
					.nlh = nlh,
					.genl = NLMSG_DATA(nlh),
					.attrs = (struct nlattr *)((char *)NLMSG_DATA(nlh) + GENL_HDRLEN),
					.attrs_len = nlh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN),
				};
				fn(&msg, arg);
			}
		}
		if (pause && a->parts == pause_after)
			pause(parg);
	}
}

static uint32_t attr_u32(const struct nl_msg *msg, int type, uint32_t dflt)
{
	struct nlattr *a = nl_msg_attr(msg, type);

	return a ? nl_u32(a) : dflt;
}

/* ---- what a client knows ------------------------------------------------- */

struct node_info {
	uint32_t id;
	bool root;
	bool mine;		/* made by a client: may be deleted */
};

struct client {
	int idx;
	struct sock s;
	struct counts *c;
	uint32_t targets[MAX_IDS];
	int ntargets;
	struct node_info nodes[MAX_IDS];
	int nnodes;
	int last_nodes;		/* nodes in the last node dump */
	unsigned int made;	/* nodes this client named */
};

/* A dump's messages: ids in order, the node tree. */
struct dump_seen {
	bool nodes;		/* a node dump, else targets (both ids are attr 1) */
	int id_attr;
	uint32_t last;
	bool order_bad;
	bool nomem;
	int n, cap;
	struct { uint32_t id, parent; } *seen;	/* in dump order */
	struct client *cl;	/* learns the ids */
};

static void dump_seen_free(struct dump_seen *d)
{
	free(d->seen);
	free(d);
}

static void dump_msg(const struct nl_msg *msg, void *arg)
{
	struct dump_seen *d = arg;
	uint32_t id = attr_u32(msg, d->id_attr, 0);

	if (!id || id <= d->last)
		d->order_bad = true;
	d->last = id;
	if (d->n == d->cap) {
		int cap = d->cap ? 2 * d->cap : 1024;
		void *seen = realloc(d->seen, cap * sizeof(*d->seen));

		if (!seen) {
			d->nomem = true;
			return;
		}
		d->seen = seen;
		d->cap = cap;
	}
	d->seen[d->n].id = id;
	d->seen[d->n].parent = d->nodes ? attr_u32(msg, IOFAIR_A_NODE_PARENT, 0) : 0;
	d->n++;
	if (!d->cl)
		return;
	if (!d->nodes && d->cl->ntargets < MAX_IDS) {
		d->cl->targets[d->cl->ntargets++] = id;
	} else if (d->nodes && d->cl->nnodes < MAX_IDS) {
		struct nlattr *name = nl_msg_attr(msg, IOFAIR_A_NODE_NAME);
		struct node_info *ni = &d->cl->nodes[d->cl->nnodes++];

		ni->id = id;
		ni->root = attr_u32(msg, IOFAIR_A_NODE_KIND, 1) == IOFAIR_NODE_KIND_ROOT;
		ni->mine = name && ((char *)nl_data(name))[0] == 'c';
	}
}

static bool id_listed(const struct dump_seen *d, uint32_t id)
{
	int lo = 0, hi = d->n - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (d->seen[mid].id == id)
			return true;
		if (d->seen[mid].id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return false;
}

/* Every node's parent is in the dump (ids are in order). */
static bool tree_ok(const struct dump_seen *d)
{
	for (int i = 0; i < d->n; i++)
		if (d->seen[i].parent && !id_listed(d, d->seen[i].parent))
			return false;
	return true;
}

/* ---- the clients' ops ---------------------------------------------------- */

static uint32_t pick_target(struct client *cl)
{
	return cl->ntargets ? cl->targets[rand() % cl->ntargets] : (uint32_t)(1 + rand() % 64);
}

static struct node_info *pick_node(struct client *cl, bool root)
{
	for (int tries = 0; cl->nnodes && tries < 8; tries++) {
		struct node_info *ni = &cl->nodes[rand() % cl->nnodes];

		if (!root || ni->root)
			return ni;
	}
	return NULL;
}

static void put_policy(struct nl_req *m, int type)
{
	nl_nest_start(m, type);
	nl_put_u64(m, IOFAIR_A_POLICY_BW_MAX, (uint64_t)(1 + rand() % 1000) * 1000000);
	nl_put_u32(m, IOFAIR_A_POLICY_WEIGHT, 1 + rand() % 100);
	nl_nest_end(m);
}

/* Forget what a dump will tell again. */
static void relearn(struct client *cl, int cmd)
{
	if (cmd == IOFAIR_CMD_TARGET_GET)
		cl->ntargets = 0;
	else
		cl->nnodes = 0;
}

static int op_dump(struct client *cl, int kind)
{
	static const int cmds[] = { IOFAIR_CMD_TARGET_GET, IOFAIR_CMD_NODE_GET,
				    IOFAIR_CMD_STATS_GET };
	static const int id_attrs[] = { IOFAIR_A_TARGET_ID, IOFAIR_A_NODE_ID, 0 };
	struct dump_seen *d = calloc(1, sizeof(*d));
	struct counts *c = cl->c;
	struct answer a;
	struct nl_req m;

	if (!d)
		return -ENOMEM;
	d->id_attr = id_attrs[kind];
	d->nodes = kind == 1;
	if (kind < 2) {
		relearn(cl, cmds[kind]);
		d->cl = cl;
	}
	nl_req_init(&m, family, cmds[kind], NLM_F_DUMP);
	talk(&cl->s, &m, &a, kind < 2 ? dump_msg : NULL, d, 0, NULL, NULL);
	if (a.sockerr) {
		dump_seen_free(d);
		return a.sockerr;
	}
	if (d->nomem) {
		dump_seen_free(d);
		return -ENOMEM;
	}
	if (kind == 1)
		cl->last_nodes = d->n;
	c->res[OP_DUMP_T + kind][RES_OK]++;
	c->dump_parts[kind] += a.parts;
	if (a.intr)
		c->dumps_intr[kind]++;
	if (a.err || a.trunc || (kind < 2 && d->order_bad)) {
		c->dump_bad++;
		note_bad(c, "%s: error %d '%s', truncated %d, ids out of order %d",
			 op_name[OP_DUMP_T + kind], a.err, a.extack, a.trunc, d->order_bad);
	}
	if (kind == 1 && !a.intr && !tree_ok(d)) {
		c->tree_bad++;
		note_bad(c, "an unflagged node dump lists a node without its parent");
	}
	dump_seen_free(d);
	return 0;
}

/*
 * Run iofairctl: 0 when it succeeded, 2 when it gave up on a dump flagged
 * on every try, 1 on any other failure.
 */
static int op_cli(struct client *cl)
{
	char cmd[128];
	const char *obj = rand() % 2 ? "target" : "node";
	char err[160] = "";
	FILE *f;
	int st;

	snprintf(cmd, sizeof(cmd), "iofairctl -j %s list 2>&1 >/dev/null", obj);
	f = popen(cmd, "r");
	if (!f) {
		note_bad(cl->c, "popen: %s", strerror(errno));
		return 1;
	}
	if (!fgets(err, sizeof(err), f))
		err[0] = 0;
	while (fgetc(f) != EOF)
		;
	st = pclose(f);
	if (st == 0)
		return 0;
	err[strcspn(err, "\n")] = 0;
	/* Its dump was flagged on each of its tries: not wrong, counted. */
	if (strstr(err, "kept changing while the kernel listed them"))
		return 2;
	note_bad(cl->c, "'iofairctl -j %s list' exited with %d: %s", obj,
		 WIFEXITED(st) ? WEXITSTATUS(st) : -1, err);
	return 1;
}

static int op_do(struct client *cl, int op)
{
	struct nl_req m;
	struct answer a;
	struct node_info *ni;
	char name[IOFAIR_NAME_LEN];
	uint32_t id;

	switch (op) {
	case OP_TADD:
		nl_req_init(&m, family, IOFAIR_CMD_TARGET_ADD, 0);
		nl_put_u32(&m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
		snprintf(name, sizeof(name), "c%c%d", rand() % 2 ? 'v' : 'p', rand() % NVETH);
		nl_put_str(&m, IOFAIR_A_TARGET_IFNAME, name);
		ni = rand() % 2 ? pick_node(cl, false) : NULL;
		if (ni)
			nl_put_u32(&m, IOFAIR_A_TARGET_NODE, ni->id);
		put_policy(&m, IOFAIR_A_TARGET_POLICY);
		break;
	case OP_TSET:
		nl_req_init(&m, family, IOFAIR_CMD_TARGET_SET, 0);
		nl_put_u32(&m, IOFAIR_A_TARGET_ID, pick_target(cl));
		if (rand() % 3 == 0) {
			ni = pick_node(cl, false);
			nl_put_u32(&m, IOFAIR_A_TARGET_NODE, ni ? ni->id : 0);
		}
		put_policy(&m, IOFAIR_A_TARGET_POLICY);
		break;
	case OP_TDEL:
	case OP_TGET:
		nl_req_init(&m, family, op == OP_TDEL ? IOFAIR_CMD_TARGET_DEL : IOFAIR_CMD_TARGET_GET, 0);
		nl_put_u32(&m, IOFAIR_A_TARGET_ID, pick_target(cl));
		break;
	case OP_NNEW:
		nl_req_init(&m, family, IOFAIR_CMD_NODE_NEW, 0);
		snprintf(name, sizeof(name), "c%02d-%u", cl->idx, cl->made++);
		nl_put_str(&m, IOFAIR_A_NODE_NAME, name);
		ni = rand() % 5 ? pick_node(cl, false) : NULL;
		if (ni) {
			nl_put_u32(&m, IOFAIR_A_NODE_PARENT, ni->id);
			put_policy(&m, IOFAIR_A_NODE_POLICY);
		} else {
			nl_put_u64(&m, IOFAIR_A_NODE_CAPACITY, 1000000000ULL);
		}
		break;
	case OP_NSET:
		ni = pick_node(cl, false);
		if (!ni)
			return 0;
		nl_req_init(&m, family, IOFAIR_CMD_NODE_SET, 0);
		nl_put_u32(&m, IOFAIR_A_NODE_ID, ni->id);
		if (ni->root) {
			nl_put_u64(&m, IOFAIR_A_NODE_CAPACITY, (uint64_t)(1 + rand() % 10) * 1000000000);
		} else {
			struct node_info *root = rand() % 3 ? NULL : pick_node(cl, true);

			/* Below a root: never below itself (no ELOOP). */
			if (root)
				nl_put_u32(&m, IOFAIR_A_NODE_PARENT, root->id);
			put_policy(&m, IOFAIR_A_NODE_POLICY);
		}
		break;
	case OP_NDEL:
	case OP_NGET:
		ni = pick_node(cl, false);
		if (!ni || (op == OP_NDEL && !ni->mine))
			return 0;
		id = ni->id;
		nl_req_init(&m, family, op == OP_NDEL ? IOFAIR_CMD_NODE_DEL : IOFAIR_CMD_NODE_GET, 0);
		nl_put_u32(&m, IOFAIR_A_NODE_ID, id);
		break;
	default:
		return 0;
	}
	talk(&cl->s, &m, &a, NULL, NULL, 0, NULL, NULL);
	if (a.sockerr)
		return a.sockerr;
	if (classify(a.err) == RES_OTHER)
		note_bad(cl->c, "%s: error %d '%s'", op_name[op], a.err, a.extack);
	cl->c->res[op][classify(a.err)]++;
	return 0;
}

static void client_run(int idx, time_t end)
{
	struct client *cl = calloc(1, sizeof(*cl));
	int total = 0, op, err, r;

	if (!cl || sock_open(&cl->s))
		exit(2);
	cl->idx = idx;
	cl->c = &shared[idx];
	srand(getpid() ^ time(NULL));
	/* What there is to work on. */
	if (op_dump(cl, 0) || op_dump(cl, 1)) {
		cl->c->noreply++;
		note_bad(cl->c, "first dumps: no answer");
	}
	for (int i = 0; i < NOPS; i++)
		total += op_weight[i];
	while (time(NULL) < end) {
		r = rand() % total;
		for (op = 0; r >= op_weight[op]; op++)
			r -= op_weight[op];
		/* Two clients run the CLI: its processes are expensive here. */
		if (op == OP_CLI && idx >= 2)
			op = OP_DUMP_N;
		/* The tree stays within bounds however long this runs. */
		if (op == OP_NNEW && cl->last_nodes > NODE_CAP)
			op = OP_NDEL;
		if (op >= OP_DUMP_T && op <= OP_DUMP_S) {
			err = op_dump(cl, op - OP_DUMP_T);
		} else if (op == OP_CLI) {
			err = op_cli(cl);
			if (err == 2)
				cl->c->cli_gave_up++;
			else
				cl->c->res[op][err ? RES_OTHER : RES_OK]++;
			err = 0;
		} else {
			err = op_do(cl, op);
		}
		if (err) {
			cl->c->noreply++;
			note_bad(cl->c, "%s: no answer (%s)", op_name[op], strerror(-err));
			/* The socket's state is unknown: a new one. */
			close(cl->s.fd);
			if (sock_open(&cl->s))
				exit(2);
		}
	}
	exit(0);
}

/*
 * The devices come and go: veth pairs cv<N> <-> cp<N>, through one
 * `ip -batch` (a process per change would be slow under emulation).
 */
static void devices_run(time_t end)
{
	struct counts *c = &shared[NCLIENTS];
	bool up[NVETH];
	FILE *ip;

	srand(getpid());
	ip = popen("ip -force -batch -", "w");
	if (!ip)
		exit(2);
	for (int i = 0; i < NVETH; i++)
		up[i] = true;	/* made by main */
	while (time(NULL) < end) {
		int i = rand() % NVETH;

		if (up[i]) {
			fprintf(ip, "link del cv%d\n", i);
			c->dev_del++;
		} else {
			fprintf(ip, "link add cv%d type veth peer name cp%d\nlink set cv%d up\n",
				i, i, i);
			c->dev_add++;
		}
		up[i] = !up[i];
		fflush(ip);
		usleep(20000);
	}
	exit(pclose(ip) ? 1 : 0);
}

/* ---- main ---------------------------------------------------------------- */

static int do_simple(struct sock *s, struct nl_req *m)
{
	struct answer a;

	talk(s, m, &a, NULL, NULL, 0, NULL, NULL);
	if (a.sockerr)
		return a.sockerr;
	if (a.err)
		ksft_print_msg("request %d: error %d '%s'\n", m->nlh.nlmsg_type, a.err, a.extack);
	return a.err;
}

static int node_new(struct sock *s, const char *name, uint32_t parent)
{
	struct nl_req m;

	nl_req_init(&m, family, IOFAIR_CMD_NODE_NEW, 0);
	nl_put_str(&m, IOFAIR_A_NODE_NAME, name);
	if (parent)
		nl_put_u32(&m, IOFAIR_A_NODE_PARENT, parent);
	else
		nl_put_u64(&m, IOFAIR_A_NODE_CAPACITY, 10000000000ULL);
	return do_simple(s, &m);
}

static int sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* Veth pairs @a<N> <-> @b<N>, N < @n, in one `ip -batch`. */
static int veths(const char *a, const char *b, int n, bool up)
{
	FILE *ip = popen("ip -batch -", "w");

	if (!ip)
		return -1;
	for (int i = 0; i < n; i++) {
		fprintf(ip, "link add %s%d type veth peer name %s%d\n", a, i, b, i);
		if (up)
			fprintf(ip, "link set %s%d up\n", a, i);
	}
	return pclose(ip);
}

/* The change made between two parts of a deterministic dump. */
struct change {
	struct sock *s;
	int what;		/* 0: none, 1: node-set, 2: a target's device deleted */
	bool failed;
};

static void change_now(void *arg)
{
	struct change *ch = arg;
	struct nl_req m;

	if (ch->what == 1) {
		/* b000 is the first tenant: id 2 ("base" is 1) */
		nl_req_init(&m, family, IOFAIR_CMD_NODE_SET, 0);
		nl_put_u32(&m, IOFAIR_A_NODE_ID, 2);
		put_policy(&m, IOFAIR_A_NODE_POLICY);
		ch->failed = do_simple(ch->s, &m) != 0;
	} else if (ch->what == 2) {
		ch->failed = sh("ip link del dt0") != 0;
	}
}

/* A dump of @cmd read one part at a time, @what changed after the first. */
static bool det_dump(struct sock *s, struct sock *other, int cmd, int id_attr, int what,
		     struct answer *a)
{
	struct dump_seen *d = calloc(1, sizeof(*d));
	struct change ch = { .s = other, .what = what };
	struct nl_req m;
	bool ok;

	if (!d)
		return false;
	d->id_attr = id_attr;
	d->nodes = cmd == IOFAIR_CMD_NODE_GET;
	nl_req_init(&m, family, cmd, NLM_F_DUMP);
	/*
	 * Part 1 is made when the request is sent, part 2 while part 1 is
	 * read (netlink_recvmsg runs the dump on): a change after the first
	 * read shows in part 3.
	 */
	talk(s, &m, a, dump_msg, d, 1, change_now, &ch);
	ok = !a->sockerr && a->done && !a->err && !a->trunc && !d->order_bad && !ch.failed;
	ksft_print_msg("%s dump, %s: %d parts, %d objects, %s\n",
		       cmd == IOFAIR_CMD_NODE_GET ? "node" : "target",
		       what == 0 ? "nothing changed" : what == 1 ? "a node set after part 1 was read" :
		       "a target's device deleted after part 1 was read",
		       a->parts, a->n, a->intr ? "flagged NLM_F_DUMP_INTR" : "not flagged");
	if (!ok)
		ksft_print_msg("... socket error %d, error %d '%s', done %d, truncated %d,"
			       " ids out of order %d, the change failed %d\n", a->sockerr, a->err,
			       a->extack, a->done, a->trunc, d->order_bad, ch.failed);
	ok = ok && !d->nomem;
	dump_seen_free(d);
	return ok && a->parts >= 3;
}

int main(void)
{
	const char *env = getenv("IOFAIR_CONC_SECONDS");
	int seconds = env ? atoi(env) : 20;
	unsigned long tot[NOPS][NRES] = { 0 }, intr[3] = { 0 }, parts[3] = { 0 }, dumps[3] = { 0 };
	unsigned long dump_bad = 0, tree_bad = 0, noreply = 0, other = 0, all = 0, gave_up = 0;
	pid_t pids[NCLIENTS + 1];
	struct sock s, s2;
	struct answer a;
	struct nl_req m;
	char name[32];
	time_t end;
	bool hung = false;
	int i, st;

	ksft_print_header();
	if (geteuid())
		ksft_exit_skip("must run as root\n");
	if (unshare(CLONE_NEWNET))
		ksft_exit_fail_msg("unshare(CLONE_NEWNET): %s\n", strerror(errno));
	/*
	 * The family is resolved on a socket of its own: nl_talk reads with a
	 * large buffer, and the kernel sizes a socket's dump parts to the
	 * largest read it has seen there.
	 */
	i = nl_open();
	family = i < 0 ? -1 : nl_iofair_family(i, NULL);
	if (family == -1)
		ksft_exit_skip("iofair module not available (set IOFAIR_KO)\n");
	if (family < 0)
		ksft_exit_fail_msg("$IOFAIR_KO did not load\n");
	close(i);
	if (sock_open(&s) || sock_open(&s2))
		ksft_exit_fail_msg("netlink socket: %s\n", strerror(errno));
	ksft_set_plan(9);

	shared = mmap(NULL, sizeof(*shared) * (NCLIENTS + 1), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));

	/* The base tree, the devices, the controller. */
	if (sh("modprobe -q veth; ip link set lo up"))
		ksft_exit_fail_msg("cannot set up the namespace\n");
	if (node_new(&s, "base", 0))
		ksft_exit_fail_msg("cannot make the base root\n");
	for (i = 0; i < NBASE; i++) {
		snprintf(name, sizeof(name), "b%03d", i);
		if (node_new(&s, name, 1))
			ksft_exit_fail_msg("cannot make node %s\n", name);
	}
	if (veths("cv", "cp", NVETH, true))
		ksft_exit_fail_msg("cannot make the veth pairs cv<N>\n");
	nl_req_init(&m, family, IOFAIR_CMD_CONTROLLER_SET, 0);
	nl_put_u8(&m, IOFAIR_A_CONTROLLER_ENABLED, 1);
	nl_put_u32(&m, IOFAIR_A_CONTROLLER_INTERVAL_MS, 10);
	if (do_simple(&s, &m))
		ksft_exit_fail_msg("cannot start the controller\n");

	/* ---- the mix ---- */
	ksft_print_msg("%d clients and a device loop for %d s\n", NCLIENTS, seconds);
	end = time(NULL) + seconds;
	for (i = 0; i <= NCLIENTS; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			ksft_exit_fail_msg("fork: %s\n", strerror(errno));
		if (!pids[i]) {
			if (i == NCLIENTS)
				devices_run(end);
			client_run(i, end);
		}
	}
	/* Each has REPLY_TIMEOUT to finish its last request, and more. */
	for (i = 0; i <= NCLIENTS; i++) {
		for (;;) {
			pid_t p = waitpid(pids[i], &st, WNOHANG);

			if (p == pids[i])
				break;
			if (time(NULL) > end + 3 * REPLY_TIMEOUT) {
				kill(pids[i], SIGKILL);
				waitpid(pids[i], &st, 0);
				hung = true;
				ksft_print_msg("process %d (%s %d) hung: killed\n", pids[i],
					       i == NCLIENTS ? "device loop" : "client", i);
				break;
			}
			usleep(100000);
		}
		if (!hung && (!WIFEXITED(st) || WEXITSTATUS(st)))
			ksft_print_msg("process %d ended with status %d\n", i, st);
	}

	for (i = 0; i <= NCLIENTS; i++) {
		struct counts *c = &shared[i];

		for (int op = 0; op < NOPS; op++)
			for (int r = 0; r < NRES; r++)
				tot[op][r] += c->res[op][r];
		for (int k = 0; k < 3; k++) {
			intr[k] += c->dumps_intr[k];
			parts[k] += c->dump_parts[k];
		}
		dump_bad += c->dump_bad;
		tree_bad += c->tree_bad;
		noreply += c->noreply;
		gave_up += c->cli_gave_up;
		if (c->first_bad[0])
			ksft_print_msg("%s %d: %s\n", i == NCLIENTS ? "device loop" : "client", i,
				       c->first_bad);
	}
	for (int op = 0; op < NOPS; op++) {
		char line[256];
		int len = 0;
		unsigned long n = 0;

		for (int r = 0; r < NRES; r++) {
			n += tot[op][r];
			if (tot[op][r])
				len += snprintf(line + len, sizeof(line) - len, " %s %lu",
						res_name[r], tot[op][r]);
		}
		all += n;
		if (op < OP_DUMP_T)
			other += tot[op][RES_OTHER];
		ksft_print_msg("%-14s %6lu:%s\n", op_name[op], n, len ? line : "");
	}
	for (int k = 0; k < 3; k++)
		dumps[k] = tot[OP_DUMP_T + k][RES_OK];
	ksft_print_msg("dumps flagged NLM_F_DUMP_INTR: targets %lu of %lu, nodes %lu of %lu,"
		       " stats %lu of %lu; parts per dump: %.1f, %.1f, %.1f\n",
		       intr[0], dumps[0], intr[1], dumps[1], intr[2], dumps[2],
		       dumps[0] ? (double)parts[0] / dumps[0] : 0.0,
		       dumps[1] ? (double)parts[1] / dumps[1] : 0.0,
		       dumps[2] ? (double)parts[2] / dumps[2] : 0.0);
	ksft_print_msg("devices: %lu veth pairs made, %lu deleted; %lu requests in all\n",
		       shared[NCLIENTS].dev_add, shared[NCLIENTS].dev_del, all);

	ksft_test_result(!noreply && !hung, "every request answered (%lu unanswered)\n", noreply);
	ksft_test_result(!other,
			 "only the errors of a race or a bound (ENOENT, ENODEV, EBUSY, EEXIST, ENOSPC): %lu others\n",
			 other);
	ksft_test_result(!dump_bad && dumps[0] && dumps[1] && dumps[2],
			 "every dump complete, ids in order (%lu dumps, %lu bad)\n",
			 dumps[0] + dumps[1] + dumps[2], dump_bad);
	ksft_test_result(!tree_bad, "unflagged node dumps are consistent trees (%lu not)\n",
			 tree_bad);
	ksft_test_result(intr[0] + intr[1] > 0,
			 "dumps spanning a change were flagged NLM_F_DUMP_INTR (%lu)\n",
			 intr[0] + intr[1]);
	/*
	 * The CLI reads a dump again when it is flagged, twice at most; under
	 * this much change it may still find every try flagged, and says so.
	 */
	ksft_print_msg("iofairctl list: %lu succeeded, %lu gave up (every try flagged), %lu failed otherwise\n",
		       tot[OP_CLI][RES_OK], gave_up, tot[OP_CLI][RES_OTHER]);
	ksft_test_result(tot[OP_CLI][RES_OK] && !tot[OP_CLI][RES_OTHER],
			 "iofairctl target/node list under changes: %lu of %lu succeeded, the others retried and gave up\n",
			 tot[OP_CLI][RES_OK], tot[OP_CLI][RES_OK] + tot[OP_CLI][RES_OTHER] + gave_up);

	/* ---- deterministic: a change between two parts flags the dump ---- */
	nl_req_init(&m, family, IOFAIR_CMD_CONTROLLER_SET, 0);
	nl_put_u8(&m, IOFAIR_A_CONTROLLER_ENABLED, 0);
	do_simple(&s, &m);
	{
		struct answer a0, a1;
		bool ok0 = det_dump(&s, &s2, IOFAIR_CMD_NODE_GET, IOFAIR_A_NODE_ID, 0, &a0);
		bool ok1 = det_dump(&s, &s2, IOFAIR_CMD_NODE_GET, IOFAIR_A_NODE_ID, 1, &a1);

		ksft_test_result(ok0 && ok1 && !a0.intr && a1.intr,
				 "node dump: flagged with a node set between two parts, not without\n");
	}
	{
		struct answer a0, a1;
		bool ok = true, ok0, ok1;

		ok = !veths("dt", "dp", NDET_VETH, false);
		for (i = 0; i < NDET_VETH && ok; i++) {
			for (int j = 0; j < 2 && ok; j++) {
				nl_req_init(&m, family, IOFAIR_CMD_TARGET_ADD, 0);
				nl_put_u32(&m, IOFAIR_A_TARGET_KIND, IOFAIR_TARGET_KIND_DEV);
				snprintf(name, sizeof(name), "d%c%d", j ? 'p' : 't', i);
				nl_put_str(&m, IOFAIR_A_TARGET_IFNAME, name);
				ok = !do_simple(&s, &m);
			}
		}
		if (!ok)
			ksft_print_msg("cannot make the targets for the target dump\n");
		ok0 = ok && det_dump(&s, &s2, IOFAIR_CMD_TARGET_GET, IOFAIR_A_TARGET_ID, 0, &a0);
		ok1 = ok && det_dump(&s, &s2, IOFAIR_CMD_TARGET_GET, IOFAIR_A_TARGET_ID, 2, &a1);
		ksft_test_result(ok0 && ok1 && !a0.intr && a1.intr,
				 "target dump: flagged with a target's device deleted between two parts, not without\n");
	}

	/* ---- the module answers ---- */
	nl_req_init(&m, family, IOFAIR_CMD_VERSION_GET, 0);
	talk(&s, &m, &a, NULL, NULL, 0, NULL, NULL);
	{
		bool ok = !a.sockerr && !a.err && a.n == 1;
		struct dump_seen *d = calloc(1, sizeof(*d));

		ok = ok && d;
		if (d) {
			d->id_attr = IOFAIR_A_NODE_ID;
			d->nodes = true;
			nl_req_init(&m, family, IOFAIR_CMD_NODE_GET, NLM_F_DUMP);
			talk(&s, &m, &a, dump_msg, d, 0, NULL, NULL);
			ok = ok && !a.sockerr && !a.err && !a.intr && tree_ok(d) && d->n > NBASE;
			ksft_print_msg("after the mix: %d nodes, a consistent tree: %s\n", d->n,
				       tree_ok(d) ? "yes" : "no");
			ok = ok && !d->nomem;
			dump_seen_free(d);
		}
		ksft_test_result(ok, "the module answers afterwards (version, node dump)\n");
	}
	ksft_finished();
}
