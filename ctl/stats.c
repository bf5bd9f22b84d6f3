// SPDX-License-Identifier: GPL-2.0
/*
 * iofairctl stats: one stats-get dump is one snapshot of every target and
 * node that matches the filter, all taken at the same time.  A figure the
 * kernel marks as measured by nothing (source none) prints as "no data",
 * never as 0.  --watch repeats the snapshot every INTERVAL: on a terminal
 * the screen is redrawn, with -j one JSON object per line per snapshot.
 * --format prometheus writes one snapshot for node_exporter (prom.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/iofair.h>

#include "iofairctl.h"
#include "json.h"
#include "names.h"
#include "nl.h"
#include "stats.h"
#include "vhost.h"

static void stats_usage(FILE *f)
{
	fprintf(f,
		"Usage: iofairctl stats [show] [target TARGET] [node NODE] [kind vf|vhost|dev]\n"
		"                       [-d|--details] [-w|--watch SECONDS]\n"
		"                       [--format table|json|prometheus]\n"
		"       iofairctl stats reset [target TARGET]\n"
		"       iofairctl stats help\n"
		"TARGET := { ID | dev IFNAME | vf PF VFINDEX | vhost TAPNAME }\n"
		"node NODE: that node and everything below it.  --details adds the drops per\n"
		"reason and the packets the limiter delayed.  --watch repeats every SECONDS\n"
		"(fractions allowed) until interrupted.  --format json is -j; --format\n"
		"prometheus writes one snapshot in Prometheus' text format (node_exporter's\n"
		"textfile collector).\n");
}

static const struct kw stats_cmds[] = {
	{ "show", CMD_SHOW }, { "list", CMD_SHOW },
	{ "reset", CMD_RESET },
	{ "help", CMD_HELP },
};

enum { SK_TARGET, SK_NODE, SK_KIND, SK_DETAILS, SK_WATCH, SK_FORMAT };

static const struct kw stats_keys[] = {
	{ "target", SK_TARGET }, { "node", SK_NODE }, { "kind", SK_KIND },
	{ "-d", SK_DETAILS }, { "--details", SK_DETAILS }, { "details", SK_DETAILS },
	{ "-w", SK_WATCH }, { "--watch", SK_WATCH }, { "watch", SK_WATCH },
	{ "--format", SK_FORMAT }, { "format", SK_FORMAT },
};

static const struct kw stats_formats[] = {
	{ "table", STATS_FMT_TABLE }, { "json", STATS_FMT_JSON },
	{ "prometheus", STATS_FMT_PROMETHEUS },
};

/* "1", "0.5", "2s", "250ms": the interval in ms, at least 10 ms. */
static int parse_interval_ms(const char *s, uint64_t *ms)
{
	char *end;
	double v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno)
		return -EINVAL;
	if (!strcmp(end, "ms"))
		v /= 1000;
	else if (*end && strcmp(end, "s"))
		return -EINVAL;
	if (v < 0.01 || v > 86400)
		return -ERANGE;
	*ms = (uint64_t)(v * 1000 + 0.5);
	return 0;
}

int stats_parse(int argc, char **argv, struct stats_req *r)
{
	const char *val;
	int i = 0, k;

	memset(r, 0, sizeof(*r));
	r->kind = -1;
	r->cmd = CMD_SHOW;
	if (argc > 0 && argv[0][0] != '-') {
		k = kw_lookup(argv[0], stats_cmds, ARRAY_SIZE(stats_cmds));
		if (k == KW_AMBIGUOUS)
			return kw_parse("stats command", argv[0], stats_cmds, ARRAY_SIZE(stats_cmds));
		/* `stats target 3` is `stats show target 3` */
		if (k >= 0) {
			r->cmd = k;
			i = 1;
		}
	}
	if (r->cmd == CMD_HELP)
		return arg_end("stats help", argc, argv, 1);
	for (; i < argc; i++) {
		k = kw_parse("stats keyword", argv[i], stats_keys, ARRAY_SIZE(stats_keys));
		if (k < 0)
			return -EINVAL;
		if (r->cmd == CMD_RESET && k != SK_TARGET) {
			ctl_err("stats reset: unexpected '%s' (only target TARGET)", argv[i]);
			return -EINVAL;
		}
		if (k == SK_DETAILS) {
			r->details = true;
			continue;
		}
		val = arg_next(argc, argv, &i);
		if (!val)
			return -EINVAL;
		switch (k) {
		case SK_TARGET:
			if (target_ref_parse("target", argc, argv, &i, 0, &r->ref))
				return -EINVAL;
			r->target = r->ref.id;
			break;
		case SK_NODE:
			r->node = val;
			break;
		case SK_KIND:
			r->kind = enum_parse("target kind", val, target_kind_names,
					     ARRAY_SIZE(target_kind_names));
			if (r->kind < 0)
				return -EINVAL;
			break;
		case SK_WATCH:
			if (parse_interval_ms(val, &r->interval_ms)) {
				ctl_err("watch: invalid interval '%s' (seconds, 0.01 to 86400)", val);
				return -EINVAL;
			}
			break;
		case SK_FORMAT:
			k = kw_parse("stats format", val, stats_formats, ARRAY_SIZE(stats_formats));
			if (k < 0)
				return -EINVAL;
			r->format = k;
			break;
		}
	}
	/* a textfile collector reads one exposition per file */
	if (r->format == STATS_FMT_PROMETHEUS && r->interval_ms) {
		ctl_err("--format prometheus writes one snapshot: no --watch");
		return -EINVAL;
	}
	return 0;
}

static void traffic_parse(const struct nlattr *nest, struct traffic *tr)
{
	struct nlattr *tb[IOFAIR_A_TRAFFIC_MAX + 1], *a;
	int rem;

	memset(tr, 0, sizeof(*tr));
	if (nla_parse_nested(tb, IOFAIR_A_TRAFFIC_MAX, (struct nlattr *)nest, NULL))
		return;
	tr->valid = true;
	if (tb[IOFAIR_A_TRAFFIC_PACKETS])
		tr->packets = nla_uint(tb[IOFAIR_A_TRAFFIC_PACKETS]);
	if (tb[IOFAIR_A_TRAFFIC_BYTES])
		tr->bytes = nla_uint(tb[IOFAIR_A_TRAFFIC_BYTES]);
	if (tb[IOFAIR_A_TRAFFIC_RATE])
		tr->rate = nla_uint(tb[IOFAIR_A_TRAFFIC_RATE]);
	if (tb[IOFAIR_A_TRAFFIC_DELAYED])
		tr->delayed = nla_uint(tb[IOFAIR_A_TRAFFIC_DELAYED]);
	nla_for_each_nested(a, (struct nlattr *)nest, rem) {
		struct nlattr *d[IOFAIR_A_DROP_MAX + 1];
		uint64_t pkts;
		uint32_t reason;

		if (nla_type(a) != IOFAIR_A_TRAFFIC_DROP ||
		    nla_parse_nested(d, IOFAIR_A_DROP_MAX, a, NULL) ||
		    !d[IOFAIR_A_DROP_REASON] || !d[IOFAIR_A_DROP_PACKETS])
			continue;
		reason = nla_get_u32(d[IOFAIR_A_DROP_REASON]);
		pkts = nla_uint(d[IOFAIR_A_DROP_PACKETS]);
		tr->drops += pkts;
		if (reason < ARRAY_SIZE(tr->drop))
			tr->drop[reason] += pkts;
	}
}

static int stats_collect(struct nlattr **tb, struct nlattr *head, int len, void *arg)
{
	struct snapshot *s = arg;
	struct stat_entry *e, *v;

	(void)head;
	(void)len;
	if (!tb[IOFAIR_A_STATS_TARGET_ID] && !tb[IOFAIR_A_STATS_NODE_ID])
		return 0;
	v = vec_grow(s->v, &s->cap, s->n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	s->v = v;
	e = &s->v[s->n++];
	memset(e, 0, sizeof(*e));
	if (tb[IOFAIR_A_STATS_TIME])
		s->time_ns = nla_get_u64(tb[IOFAIR_A_STATS_TIME]);
	if (tb[IOFAIR_A_STATS_TARGET_ID]) {
		e->id = nla_get_u32(tb[IOFAIR_A_STATS_TARGET_ID]);
	} else {
		e->node = true;
		e->id = nla_get_u32(tb[IOFAIR_A_STATS_NODE_ID]);
	}
	if (tb[IOFAIR_A_STATS_KIND]) {
		e->has_kind = true;
		e->kind = nla_get_u32(tb[IOFAIR_A_STATS_KIND]);
	}
	if (tb[IOFAIR_A_STATS_SOURCE]) {
		e->has_source = true;
		e->source = nla_get_u32(tb[IOFAIR_A_STATS_SOURCE]);
	}
	if (tb[IOFAIR_A_STATS_TX])
		traffic_parse(tb[IOFAIR_A_STATS_TX], &e->tx);
	if (tb[IOFAIR_A_STATS_RX])
		traffic_parse(tb[IOFAIR_A_STATS_RX], &e->rx);
	if (tb[IOFAIR_A_STATS_ALLOCATED]) {
		e->has_alloc = true;
		e->alloc = nla_uint(tb[IOFAIR_A_STATS_ALLOCATED]);
	}
	if (tb[IOFAIR_A_STATS_DEMAND]) {
		e->has_demand = true;
		e->demand = nla_uint(tb[IOFAIR_A_STATS_DEMAND]);
	}
	if (tb[IOFAIR_A_STATS_CONFORMANCE]) {
		e->has_conf = true;
		e->conf = nla_get_u32(tb[IOFAIR_A_STATS_CONFORMANCE]);
	}
	if (tb[IOFAIR_A_STATS_JAIN]) {
		e->has_jain = true;
		e->jain = nla_get_u32(tb[IOFAIR_A_STATS_JAIN]);
	}
	if (tb[IOFAIR_A_STATS_CAPACITY]) {
		e->has_cap = true;
		e->cap = nla_uint(tb[IOFAIR_A_STATS_CAPACITY]);
	}
	return e->node ? 0 : vhost_stats_collect(e->id, tb, head, len);
}

/* Unbounded demand (backlogged) has no exact JSON number: say so instead. */
static void json_demand(struct json *j, uint64_t demand)
{
	if (demand == UINT64_MAX) {
		json_null(j, "demand");
		json_bool(j, "backlogged", true);
	} else {
		json_u64(j, "demand", demand);
		json_bool(j, "backlogged", false);
	}
}

static void traffic_json(struct json *j, const char *key, const struct stat_entry *e,
			 const struct traffic *tr, bool details)
{
	size_t i;

	if (!stat_has_data(e) || !tr->valid) {
		json_null(j, key);
		return;
	}
	json_obj_open(j, key);
	json_u64(j, "packets", tr->packets);
	json_u64(j, "bytes", tr->bytes);
	json_u64(j, "rate", tr->rate);
	json_u64(j, "drops", tr->drops);
	if (details) {
		json_u64(j, "delayed", tr->delayed);
		json_obj_open(j, "drop_reasons");
		for (i = 0; i < ARRAY_SIZE(tr->drop); i++)
			json_u64(j, drop_reason_names[i], tr->drop[i]);
		json_obj_close(j);
	}
	json_obj_close(j);
}

struct stats_ctx {
	const struct stats_req *r;
	enum stats_format format;	/* TABLE, JSON or PROMETHEUS */
	struct node_info *nodes;
	size_t nn;
	struct target_info *targets;
	size_t nt;
};

static void snapshot_json(const struct stats_ctx *c, const struct snapshot *s, bool pretty)
{
	struct json *j = json_new(stdout, pretty);
	size_t i;

	json_obj_open(j, NULL);
	json_u64(j, "time_ns", s->time_ns);
	json_arr_open(j, "targets");
	for (i = 0; i < s->n; i++) {
		const struct stat_entry *e = &s->v[i];
		const struct target_info *t;
		char name[IF_NAMESIZE];

		if (e->node)
			continue;
		t = target_by_id(c->targets, c->nt, e->id);
		json_obj_open(j, NULL);
		json_u64(j, "id", e->id);
		if (e->has_kind)
			json_str(j, "kind", ENUM_NAME(target_kind_names, e->kind));
		if (t) {
			json_u64(j, "ifindex", t->ifindex);
			if (t->ifindex && if_indextoname(t->ifindex, name))
				json_str(j, "ifname", name);
			if (t->has_vf)
				json_u64(j, "vf", t->vf);
		}
		if (e->has_source)
			json_str(j, "source", ENUM_NAME(source_names, e->source));
		traffic_json(j, "tx", e, &e->tx, c->r->details);
		traffic_json(j, "rx", e, &e->rx, c->r->details);
		if (e->has_alloc)
			json_u64(j, "allocated", e->alloc);
		else
			json_null(j, "allocated");
		if (e->has_demand)
			json_demand(j, e->demand);
		if (e->has_conf && stat_has_data(e))
			json_u64(j, "conformance_ppm", e->conf);
		vhost_stats_json(j, e->id);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_arr_open(j, "nodes");
	for (i = 0; i < s->n; i++) {
		const struct stat_entry *e = &s->v[i];
		const struct node_info *n;

		if (!e->node)
			continue;
		n = node_by_id(c->nodes, c->nn, e->id);
		json_obj_open(j, NULL);
		json_u64(j, "id", e->id);
		if (n)
			json_str(j, "name", n->name);
		if (e->has_cap)
			json_u64(j, "capacity", e->cap);
		if (e->has_alloc)
			json_u64(j, "allocated", e->alloc);
		else
			json_null(j, "allocated");
		if (e->has_demand)
			json_demand(j, e->demand);
		if (e->has_jain)
			json_u64(j, "jain_ppm", e->jain);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_obj_close(j);
	json_end(j);
}

static const char *cell_rate(char *buf, size_t len, bool has, uint64_t bps)
{
	if (!has)
		return "-";
	if (bps == UINT64_MAX)
		return "backlogged";	/* the kernel's word for unbounded demand */
	format_rate(buf, len, bps);
	return buf;
}

static void snapshot_human(const struct stats_ctx *c, const struct snapshot *s)
{
	static const char *const thead[] = { "ID", "KIND", "DEV", "SOURCE", "TX-PKTS", "TX-BYTES",
					     "TX-RATE", "RX-PKTS", "RX-BYTES", "RX-RATE", "DROPS",
					     "ALLOCATED", "DEMAND", "CONFORM" };
	static const char *const dhead[] = { "ID", "DIR", "QUEUE-FULL", "TOO-BIG", "DETACH",
					     "NOMEM", "DELAYED" };
	static const char *const nhead[] = { "NODE", "ID", "CAPACITY", "ALLOCATED", "DEMAND",
					     "JAIN" };
	struct ctab tt, dt, nt;
	size_t i, ntargets = 0, nnodes = 0;

	if (ctab_init(&tt, ARRAY_SIZE(thead), "rlllrrrrrrrrrr", thead) ||
	    ctab_init(&dt, ARRAY_SIZE(dhead), "rlrrrrr", dhead) ||
	    ctab_init(&nt, ARRAY_SIZE(nhead), "lrrrrr", nhead))
		return;
	for (i = 0; i < s->n; i++) {
		const struct stat_entry *e = &s->v[i];
		const struct target_info *t;
		char id[16], dev[64], b[10][32];
		bool data = stat_has_data(e);
		const char *nd = "no data";
		int d;

		if (e->node)
			continue;
		ntargets++;
		t = target_by_id(c->targets, c->nt, e->id);
		snprintf(id, sizeof(id), "%u", e->id);
		if (t)
			target_dev(dev, sizeof(dev), t->kind, t->ifindex, t->has_vf, t->vf);
		else
			strcpy(dev, "-");
		fmt_u64(b[0], 32, e->tx.packets);
		format_size(b[1], 32, e->tx.bytes);
		format_rate(b[2], 32, e->tx.rate);
		fmt_u64(b[3], 32, e->rx.packets);
		format_size(b[4], 32, e->rx.bytes);
		format_rate(b[5], 32, e->rx.rate);
		fmt_u64(b[6], 32, e->tx.drops + e->rx.drops);
		ctab_row(&tt, (const char *const[]){
			id, e->has_kind ? ENUM_NAME(target_kind_names, e->kind) : "-", dev,
			e->has_source ? ENUM_NAME(source_names, e->source) : "-",
			!data ? nd : e->tx.valid ? b[0] : "-",
			!data ? nd : e->tx.valid ? b[1] : "-",
			!data ? nd : e->tx.valid ? b[2] : "-",
			!data ? nd : e->rx.valid ? b[3] : "-",
			!data ? nd : e->rx.valid ? b[4] : "-",
			!data ? nd : e->rx.valid ? b[5] : "-",
			!data ? nd : b[6],
			cell_rate(b[7], 32, e->has_alloc, e->alloc),
			cell_rate(b[8], 32, e->has_demand, e->demand),
			!data ? nd : e->has_conf ? fmt_ppm_pct(b[9], 32, e->conf) : "-",
		});
		for (d = 0; c->r->details && data && d < 2; d++) {
			const struct traffic *tr = d ? &e->rx : &e->tx;
			char n[5][32];
			size_t k;

			if (!tr->valid)
				continue;
			for (k = 0; k < 4; k++)
				fmt_u64(n[k], 32, tr->drop[k]);
			fmt_u64(n[4], 32, tr->delayed);
			ctab_row(&dt, (const char *const[]){ id, d ? "rx" : "tx", n[0], n[1], n[2],
				 n[3], n[4] });
		}
	}
	for (i = 0; i < s->n; i++) {
		const struct stat_entry *e = &s->v[i];
		const struct node_info *n;
		char id[16], b[4][32];

		if (!e->node)
			continue;
		nnodes++;
		n = node_by_id(c->nodes, c->nn, e->id);
		snprintf(id, sizeof(id), "%u", e->id);
		ctab_row(&nt, (const char *const[]){
			n ? n->name : "?", id,
			cell_rate(b[0], 32, e->has_cap, e->cap),
			cell_rate(b[1], 32, e->has_alloc, e->alloc),
			cell_rate(b[2], 32, e->has_demand, e->demand),
			e->has_jain ? fmt_ppm_frac(b[3], 32, e->jain) : "-",
		});
	}
	if (ntargets)
		ctab_print(stdout, &tt);
	if (c->r->details && dt.nrows > 1) {
		fputc('\n', stdout);
		ctab_print(stdout, &dt);
	}
	vhost_stats_print(stdout);
	if (nnodes) {
		if (ntargets)
			fputc('\n', stdout);
		ctab_print(stdout, &nt);
	}
	if (!ntargets && !nnodes)
		printf("no targets or nodes\n");
	ctab_free(&tt);
	ctab_free(&dt);
	ctab_free(&nt);
}

static const char *ifname_of(uint32_t ifindex, char *buf)
{
	return if_indextoname(ifindex, buf);
}

/* One snapshot: the names first (targets' netdevs, nodes'), then the figures. */
static int stats_once(struct ctl_nl *nl, struct stats_ctx *c, uint32_t node, bool pretty)
{
	struct snapshot s = {};
	struct nl_msg *msg;
	int err;

	free(c->nodes);
	free(c->targets);
	c->nodes = NULL;
	c->targets = NULL;
	c->nn = c->nt = 0;
	err = nodes_fetch(nl, &c->nodes, &c->nn);
	if (!err)
		err = targets_fetch(nl, 0, -1, &c->targets, &c->nt);
	if (err)
		return err;
	msg = ctl_nl_msg(nl, IOFAIR_CMD_STATS_GET, NLM_F_DUMP);
	if (!msg)
		return -ENOMEM;
	if ((c->r->target && nla_put_u32(msg, IOFAIR_A_STATS_TARGET_ID, c->r->target)) ||
	    (node && nla_put_u32(msg, IOFAIR_A_STATS_NODE_ID, node)) ||
	    (c->r->kind >= 0 && nla_put_u32(msg, IOFAIR_A_STATS_KIND, c->r->kind))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	err = ctl_nl_talk(nl, msg, IOFAIR_A_STATS_MAX, stats_collect, &s);
	if (!err) {
		struct stats_names names = {
			.nodes = c->nodes, .nn = c->nn, .targets = c->targets, .nt = c->nt,
			.ifname = ifname_of,
		};

		switch (c->format) {
		case STATS_FMT_JSON:
			snapshot_json(c, &s, pretty);
			break;
		case STATS_FMT_PROMETHEUS:
			err = prom_write(stdout, &s, &names);
			break;
		default:
			snapshot_human(c, &s);
			break;
		}
		if (fflush(stdout) && !err)
			err = -EIO;
	}
	free(s.v);
	vhost_stats_clear();
	return err;
}

static volatile sig_atomic_t stats_stop;

static void stats_signal(int sig)
{
	(void)sig;
	stats_stop = 1;
}

static void timespec_add_ms(struct timespec *ts, uint64_t ms)
{
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static int stats_show(struct ctl_nl *nl, const struct stats_req *r)
{
	struct stats_ctx c = { .r = r, .format = r->format };
	bool tty = isatty(STDOUT_FILENO);
	struct sigaction sa = { .sa_handler = stats_signal };
	struct timespec next;
	uint32_t node = 0;
	int err;

	if (c.format == STATS_FMT_AUTO)
		c.format = opts.json ? STATS_FMT_JSON : STATS_FMT_TABLE;
	if (r->node) {
		err = node_resolve_nl(nl, r->node, &node);
		if (err)
			return err;
	}
	if (!r->interval_ms) {
		err = stats_once(nl, &c, node, opts.pretty);
		goto out;
	}
	/* no SA_RESTART: the sleep ends at once on a signal */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!stats_stop) {
		if (tty && c.format == STATS_FMT_TABLE)
			fputs("\033[H\033[2J", stdout);
		/* -j streams one object per line */
		err = stats_once(nl, &c, node, false);
		if (err)
			break;
		timespec_add_ms(&next, r->interval_ms);
		while (!stats_stop &&
		       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			;
	}
out:
	free(c.nodes);
	free(c.targets);
	return err;
}

int do_stats(int argc, char **argv)
{
	struct stats_req r;
	struct nl_msg *msg;
	struct ctl_nl *nl;
	int err;

	if (stats_parse(argc, argv, &r)) {
		fprintf(stderr, "Try 'iofairctl stats help'.\n");
		return EXIT_USAGE;
	}
	if (r.cmd == CMD_HELP) {
		stats_usage(stdout);
		return 0;
	}
	if (opts.json && (r.format == STATS_FMT_TABLE || r.format == STATS_FMT_PROMETHEUS)) {
		ctl_err("-j and --format %s disagree",
			r.format == STATS_FMT_TABLE ? "table" : "prometheus");
		fprintf(stderr, "Try 'iofairctl stats help'.\n");
		return EXIT_USAGE;
	}
	nl = ctl_nl_open();
	if (!nl)
		return 1;
	if (target_ref_given(&r.ref) && target_ref_resolve(nl, &r.ref, &r.target)) {
		ctl_nl_close(nl);
		return 1;
	}
	if (r.cmd == CMD_RESET) {
		err = -ENOMEM;
		msg = ctl_nl_msg(nl, IOFAIR_CMD_STATS_RESET, 0);
		if (msg && r.target && nla_put_u32(msg, IOFAIR_A_STATS_TARGET_ID, r.target)) {
			nlmsg_free(msg);
			msg = NULL;
		}
		if (msg)
			err = ctl_nl_talk(nl, msg, IOFAIR_A_STATS_MAX, NULL, NULL);
	} else {
		err = stats_show(nl, &r);
	}
	ctl_nl_close(nl);
	return err ? 1 : 0;
}
