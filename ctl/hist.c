// SPDX-License-Identifier: GPL-2.0
/*
 * iofairctl hist: a target's latency histograms, as bars in the manner of
 * bpftrace's hist() -- one line per log2 bucket from the lowest to the
 * highest non-empty one, its range in ns/us/ms/s, its count and a bar of @
 * -- then count, mean and percentiles estimated from the buckets
 * (histmath.c says how).  -j gives kind, count, sum, buckets and the same
 * percentiles.  Which histograms a target keeps is its "hist" setting
 * (iofairctl target set ID hist KINDS).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/iofair.h>

#include "histmath.h"
#include "iofairctl.h"
#include "json.h"
#include "names.h"
#include "nl.h"

#define HIST_BAR_WIDTH	52

static void hist_usage(FILE *f)
{
	unsigned int k;

	fprintf(f,
		"Usage: iofairctl hist TARGET [KIND]\n"
		"       iofairctl hist help\n"
		"TARGET := { ID | dev IFNAME | vf PF VFINDEX | vhost TAPNAME | IFNAME }: IFNAME\n"
		"alone is the netdev of a dev or vhost target, or the VF netdev of a vf target.\n"
		"KIND (default: every histogram the target keeps):");
	for (k = 0; k < HIST_NKINDS; k++)
		fprintf(f, " %s", hist_kind_names[k]);
	fprintf(f,
		".\nTurn them on and off with 'iofairctl target set ID hist KIND[,KIND...]|all|none'.\n"
		"Percentiles are interpolated within the log2 buckets: exact to a factor of 2.\n");
}

int hist_parse(int argc, char **argv, struct hist_req *r)
{
	int i = 0;

	memset(r, 0, sizeof(*r));
	r->kind = -1;
	if (argc < 1) {
		ctl_err("hist: missing TARGET");
		return -EINVAL;
	}
	if (!strcmp(argv[0], "help")) {
		r->help = true;
		return arg_end("hist help", argc, argv, 1);
	}
	if (target_ref_parse("hist", argc, argv, &i, TREF_BARE, &r->ref))
		return -EINVAL;
	if (++i < argc) {
		r->kind = enum_parse("histogram kind", argv[i], hist_kind_names,
				     HIST_NKINDS);
		if (r->kind < 0)
			return -EINVAL;
	}
	return arg_end("hist", argc, argv, i + 1);
}

struct hist_one {
	uint32_t kind;
	struct hist h;
	bool has_lost;
	uint64_t lost[3];	/* full, ambiguous, unanswered */
};

struct hist_ctx {
	uint32_t target;
	struct hist_one v[HIST_NKINDS + 8];
	size_t n;
	bool bad;
};

static int hist_from_attr(struct nlattr *nest, struct hist_one *o)
{
	struct nlattr *tb[IOFAIR_A_HIST_MAX + 1], *bt[IOFAIR_A_HIST_BUCKET_MAX + 1], *a;
	int rem;

	memset(o, 0, sizeof(*o));
	if (nla_parse_nested(tb, IOFAIR_A_HIST_MAX, nest, NULL) || !tb[IOFAIR_A_HIST_KIND])
		return -EINVAL;
	o->kind = nla_get_u32(tb[IOFAIR_A_HIST_KIND]);
	if (tb[IOFAIR_A_HIST_COUNT])
		o->h.count = nla_uint(tb[IOFAIR_A_HIST_COUNT]);
	if (tb[IOFAIR_A_HIST_SUM_NS])
		o->h.sum_ns = nla_uint(tb[IOFAIR_A_HIST_SUM_NS]);
	if (tb[IOFAIR_A_HIST_LOST_FULL] && tb[IOFAIR_A_HIST_LOST_AMBIGUOUS] &&
	    tb[IOFAIR_A_HIST_LOST_UNANSWERED]) {
		o->has_lost = true;
		o->lost[0] = nla_uint(tb[IOFAIR_A_HIST_LOST_FULL]);
		o->lost[1] = nla_uint(tb[IOFAIR_A_HIST_LOST_AMBIGUOUS]);
		o->lost[2] = nla_uint(tb[IOFAIR_A_HIST_LOST_UNANSWERED]);
	}
	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) != IOFAIR_A_HIST_BUCKET)
			continue;
		if (nla_parse_nested(bt, IOFAIR_A_HIST_BUCKET_MAX, a, NULL) ||
		    !bt[IOFAIR_A_HIST_BUCKET_UPPER_NS] || !bt[IOFAIR_A_HIST_BUCKET_COUNT] ||
		    hist_add_bucket(&o->h, nla_uint(bt[IOFAIR_A_HIST_BUCKET_UPPER_NS]),
				    nla_uint(bt[IOFAIR_A_HIST_BUCKET_COUNT])))
			return -EINVAL;
	}
	return 0;
}

static int hist_reply(struct nlattr **tb, struct nlattr *head, int len, void *arg)
{
	struct hist_ctx *c = arg;
	struct nlattr *a;
	int rem;

	if (tb[IOFAIR_A_HISTS_TARGET_ID])
		c->target = nla_get_u32(tb[IOFAIR_A_HISTS_TARGET_ID]);
	nla_for_each_attr(a, head, len, rem) {
		if (nla_type(a) != IOFAIR_A_HISTS_HIST || c->n == ARRAY_SIZE(c->v))
			continue;
		if (hist_from_attr(a, &c->v[c->n])) {
			c->bad = true;
			continue;
		}
		c->n++;
	}
	return 0;
}

static const double hist_pcts[] = { 50, 90, 99, 99.9 };
static const char *const hist_pct_names[] = { "p50", "p90", "p99", "p99.9" };
static const char *const hist_pct_keys[] = { "p50_ns", "p90_ns", "p99_ns", "p999_ns" };

static void hist_json(struct json *j, const struct hist_one *o)
{
	const struct hist *h = &o->h;
	unsigned int b;
	size_t i;
	double v;

	json_obj_open(j, NULL);
	json_str(j, "kind", ENUM_NAME(hist_kind_names, o->kind));
	json_u64(j, "count", h->count);
	json_u64(j, "sum_ns", h->sum_ns);
	if (o->has_lost) {
		json_obj_open(j, "lost");
		json_u64(j, "full", o->lost[0]);
		json_u64(j, "ambiguous", o->lost[1]);
		json_u64(j, "unanswered", o->lost[2]);
		json_obj_close(j);
	}
	if (hist_mean(h, &v))
		json_u64(j, "mean_ns", (uint64_t)(v + 0.5));
	else
		json_null(j, "mean_ns");
	for (i = 0; i < ARRAY_SIZE(hist_pcts); i++) {
		if (hist_percentile(h, hist_pcts[i], &v))
			json_u64(j, hist_pct_keys[i], (uint64_t)(v + 0.5));
		else
			json_null(j, hist_pct_keys[i]);
	}
	json_arr_open(j, "buckets");
	for (b = 0; b < HIST_BUCKETS; b++) {
		if (!h->bucket[b])
			continue;
		json_obj_open(j, NULL);
		json_u64(j, "lower_ns", hist_bucket_lo(b));
		json_u64(j, "upper_ns", hist_bucket_hi(b));
		json_u64(j, "count", h->bucket[b]);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_obj_close(j);
}

static void hist_print(const struct hist_one *o)
{
	const struct hist *h = &o->h;
	char lo[16], hi[16], range[40], val[16];
	int first = -1, last = -1, b, w;
	uint64_t max = 0;
	size_t i;
	double v;

	for (b = 0; b < HIST_BUCKETS; b++) {
		if (!h->bucket[b])
			continue;
		if (first < 0)
			first = b;
		last = b;
		if (h->bucket[b] > max)
			max = h->bucket[b];
	}
	printf("%s:\n", ENUM_NAME(hist_kind_names, o->kind));
	for (b = first; first >= 0 && b <= last; b++) {
		snprintf(range, sizeof(range), "[%s, %s)",
			 hist_fmt_ns(lo, sizeof(lo), (double)hist_bucket_lo(b)),
			 hist_fmt_ns(hi, sizeof(hi), (double)hist_bucket_hi(b)));
		w = (int)((h->bucket[b] * HIST_BAR_WIDTH + max - 1) / max);
		printf("%-18s %8" PRIu64 " |%.*s%*s|\n", range, h->bucket[b], w,
		       "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@", HIST_BAR_WIDTH - w, "");
	}
	printf("count %" PRIu64, h->count);
	if (hist_mean(h, &v))
		printf("  mean %s", hist_fmt_ns(val, sizeof(val), v));
	for (i = 0; i < ARRAY_SIZE(hist_pcts); i++)
		if (hist_percentile(h, hist_pcts[i], &v))
			printf("  %s %s", hist_pct_names[i], hist_fmt_ns(val, sizeof(val), v));
	printf("\n");
	if (o->has_lost && (o->lost[0] || o->lost[1] || o->lost[2]))
		printf("not sampled: %" PRIu64 " table full, %" PRIu64 " ambiguous (sent again), %"
		       PRIu64 " unanswered\n", o->lost[0], o->lost[1], o->lost[2]);
}

int do_hist(int argc, char **argv)
{
	struct hist_ctx *c;
	struct hist_req r;
	struct nl_msg *msg;
	struct ctl_nl *nl;
	struct json *j;
	uint32_t id;
	size_t i;
	int err;

	if (hist_parse(argc, argv, &r)) {
		fprintf(stderr, "Try 'iofairctl hist help'.\n");
		return EXIT_USAGE;
	}
	if (r.help) {
		hist_usage(stdout);
		return 0;
	}
	nl = ctl_nl_open();
	if (!nl)
		return 1;
	c = calloc(1, sizeof(*c));
	err = c ? target_ref_resolve(nl, &r.ref, &id) : -ENOMEM;
	if (err)
		goto out;
	msg = ctl_nl_msg(nl, IOFAIR_CMD_HIST_GET, 0);
	if (!msg || nla_put_u32(msg, IOFAIR_A_HISTS_TARGET_ID, id) ||
	    (r.kind >= 0 && nla_put_u32(msg, IOFAIR_A_HISTS_KIND, r.kind))) {
		if (msg)
			nlmsg_free(msg);
		err = -ENOMEM;
		goto out;
	}
	err = ctl_nl_talk(nl, msg, IOFAIR_A_HISTS_MAX, hist_reply, c);
	if (err)
		goto out;
	if (c->bad)
		ctl_err("hist: the kernel sent a histogram this CLI cannot read");
	if (opts.json) {
		j = json_new(stdout, opts.pretty);
		json_obj_open(j, NULL);
		json_u64(j, "target", c->target ? c->target : id);
		json_arr_open(j, "hists");
		for (i = 0; i < c->n; i++)
			hist_json(j, &c->v[i]);
		json_arr_close(j);
		json_obj_close(j);
		json_end(j);
	} else if (!c->n) {
		printf("target %u keeps no histograms (iofairctl target set %u hist KIND...)\n",
		       id, id);
	} else {
		for (i = 0; i < c->n; i++) {
			if (i)
				printf("\n");
			hist_print(&c->v[i]);
		}
	}
	err = c->bad ? -EINVAL : 0;
out:
	free(c);
	ctl_nl_close(nl);
	return err ? 1 : 0;
}
