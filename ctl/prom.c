// SPDX-License-Identifier: GPL-2.0
/*
 * iofairctl stats --format prometheus: one snapshot in the Prometheus text
 * exposition format (0.0.4), for node_exporter's textfile collector.
 *
 * Names follow Prometheus' conventions: iofair_ prefix, the unit in the
 * name (bits_per_second, ratio), counters end in _total.  Each family is
 * one block -- HELP, TYPE, then its samples -- and is written even when it
 * has no sample, so the set of families never depends on the targets.
 *
 *   iofair_target_*   target="ID", kind, node (its node's name; none: no
 *                     label), ifname (the netdev, the PF for a vf target;
 *                     gone: no label), vf (vf targets); traffic figures
 *                     add direction="tx"|"rx", drops a reason
 *   iofair_node_*     node="NAME" (the id, should its name be unknown)
 *
 * What the kernel marks as measured by nothing (source none) has no sample
 * at all, never a 0; so has a direction without counters.  A backlogged
 * demand (2^64-1, unbounded) has no sample either: _backlogged says 1.
 * Parts per million are written as exact decimal fractions (987000 ->
 * 0.987).  No timestamps: the textfile collector refuses them.
 */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* A target's or node's constant labels, resolved once per snapshot. */
struct plabels {
	const struct stat_entry *e;
	char id[12];
	const char *kind;		/* NULL: unknown */
	const char *node;		/* NULL: none */
	const char *parent;		/* nodes: NULL for a root */
	char node_buf[12], parent_buf[12];
	char ifname[IF_NAMESIZE];	/* "": unknown */
	bool has_vf;
	char vf[12];
};

static void put_escaped(FILE *f, const char *s, bool quote)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else if (quote && *s == '"')
			fputs("\\\"", f);
		else
			fputc(*s, f);
	}
}

/* HELP escapes backslash and newline; label values also the double quote. */
static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s ", name);
	put_escaped(f, help, false);
	fprintf(f, "\n# TYPE %s %s\n", name, type);
}

static void label(FILE *f, bool *first, const char *key, const char *val)
{
	fprintf(f, "%s%s=\"", *first ? "" : ",", key);
	put_escaped(f, val, true);
	fputc('"', f);
	*first = false;
}

/* name{the entry's labels[,k1="v1"][,k2="v2"]} value */
static void sample(FILE *f, const char *name, const struct plabels *l,
		   const char *k1, const char *v1, const char *k2, const char *v2,
		   const char *value)
{
	bool first = true;

	fprintf(f, "%s{", name);
	if (l->e->node) {
		label(f, &first, "node", l->node);
	} else {
		label(f, &first, "target", l->id);
		if (l->kind)
			label(f, &first, "kind", l->kind);
		if (l->node)
			label(f, &first, "node", l->node);
		if (l->ifname[0])
			label(f, &first, "ifname", l->ifname);
		if (l->has_vf)
			label(f, &first, "vf", l->vf);
	}
	if (k1)
		label(f, &first, k1, v1);
	if (k2)
		label(f, &first, k2, v2);
	fprintf(f, "} %s\n", value);
}

static const char *u64s(char *buf, uint64_t v)
{
	sprintf(buf, "%" PRIu64, v);
	return buf;
}

/* Parts per million as an exact decimal: 1000000 -> "1", 987000 -> "0.987". */
static const char *ppm_str(char *buf, uint32_t ppm)
{
	int n = sprintf(buf, "%" PRIu32 ".%06" PRIu32, ppm / 1000000, ppm % 1000000);

	while (buf[n - 1] == '0')
		buf[--n] = '\0';
	if (buf[n - 1] == '.')
		buf[n - 1] = '\0';
	return buf;
}

static void labels_resolve(struct plabels *l, const struct stat_entry *e,
			   const struct stats_names *n)
{
	const struct target_info *t;
	const struct node_info *nd, *p;

	memset(l, 0, sizeof(*l));
	l->e = e;
	snprintf(l->id, sizeof(l->id), "%" PRIu32, e->id);
	if (e->node) {
		nd = node_by_id(n->nodes, n->nn, e->id);
		if (nd) {
			l->node = nd->name;
			l->kind = ENUM_NAME(node_kind_names, nd->kind);
			p = node_by_id(n->nodes, n->nn, nd->parent);
			if (p) {
				l->parent = p->name;
			} else if (nd->parent) {
				snprintf(l->parent_buf, sizeof(l->parent_buf), "%" PRIu32, nd->parent);
				l->parent = l->parent_buf;
			}
		} else {
			l->node = l->id;
		}
		return;
	}
	if (e->has_kind)
		l->kind = ENUM_NAME(target_kind_names, e->kind);
	t = target_by_id(n->targets, n->nt, e->id);
	if (!t)
		return;
	if (t->node) {
		nd = node_by_id(n->nodes, n->nn, t->node);
		if (nd) {
			l->node = nd->name;
		} else {
			snprintf(l->node_buf, sizeof(l->node_buf), "%" PRIu32, t->node);
			l->node = l->node_buf;
		}
	}
	if (t->ifindex && n->ifname && !n->ifname(t->ifindex, l->ifname))
		l->ifname[0] = '\0';
	if (t->has_vf) {
		l->has_vf = true;
		snprintf(l->vf, sizeof(l->vf), "%" PRIu32, t->vf);
	}
}

/* The two directions of a target that has figures for them. */
static const struct traffic *dir_traffic(const struct stat_entry *e, int d)
{
	const struct traffic *tr = d ? &e->rx : &e->tx;

	return stat_has_data(e) && tr->valid ? tr : NULL;
}

static const char *const dir_names[2] = { "tx", "rx" };

enum tfig { TF_PACKETS, TF_BYTES, TF_RATE, TF_DELAYED };

static void traffic_family(FILE *f, const struct plabels *v, size_t n, const char *name,
			   const char *type, const char *help, enum tfig fig)
{
	char b[24];
	size_t i;
	int d;

	family(f, name, type, help);
	for (i = 0; i < n; i++) {
		for (d = 0; !v[i].e->node && d < 2; d++) {
			const struct traffic *tr = dir_traffic(v[i].e, d);
			uint64_t x;

			if (!tr)
				continue;
			x = fig == TF_PACKETS ? tr->packets : fig == TF_BYTES ? tr->bytes :
			    fig == TF_RATE ? tr->rate : tr->delayed;
			sample(f, name, &v[i], "direction", dir_names[d], NULL, NULL, u64s(b, x));
		}
	}
}

static void drops_family(FILE *f, const struct plabels *v, size_t n)
{
	static const char name[] = "iofair_target_drops_total";
	char b[24];
	size_t i, r;
	int d;

	family(f, name, "counter",
	       "Packets iofair dropped, per direction and reason (queue-full: the limiter's "
	       "hold queue; too-big: larger than the burst; detach: the target went away "
	       "with packets held; nomem).");
	for (i = 0; i < n; i++) {
		for (d = 0; !v[i].e->node && d < 2; d++) {
			const struct traffic *tr = dir_traffic(v[i].e, d);

			for (r = 0; tr && r < ARRAY_SIZE(tr->drop); r++)
				sample(f, name, &v[i], "direction", dir_names[d], "reason",
				       drop_reason_names[r], u64s(b, tr->drop[r]));
		}
	}
}

/* allocated, demand and backlogged: targets and nodes alike. */
static void share_families(FILE *f, const struct plabels *v, size_t n, bool nodes)
{
	const char *what = nodes ? "node" : "target";
	char name[64], b[24];
	size_t i;

	snprintf(name, sizeof(name), "iofair_%s_allocated_bits_per_second", what);
	family(f, name, "gauge",
	       "The share the fair-share controller gives, in bits per second; no sample "
	       "while it has given none.");
	for (i = 0; i < n; i++)
		if (v[i].e->node == nodes && v[i].e->has_alloc)
			sample(f, name, &v[i], NULL, NULL, NULL, NULL, u64s(b, v[i].e->alloc));

	snprintf(name, sizeof(name), "iofair_%s_demand_bits_per_second", what);
	family(f, name, "gauge",
	       "The controller's estimate of the demand, in bits per second; no sample while "
	       "backlogged (unbounded demand, see _backlogged) or before any estimate.");
	for (i = 0; i < n; i++)
		if (v[i].e->node == nodes && v[i].e->has_demand && v[i].e->demand != UINT64_MAX)
			sample(f, name, &v[i], NULL, NULL, NULL, NULL, u64s(b, v[i].e->demand));

	snprintf(name, sizeof(name), "iofair_%s_backlogged", what);
	family(f, name, "gauge",
	       "1 while the demand is unbounded (wants more than it is given), else 0.");
	for (i = 0; i < n; i++)
		if (v[i].e->node == nodes && v[i].e->has_demand)
			sample(f, name, &v[i], NULL, NULL, NULL, NULL,
			       v[i].e->demand == UINT64_MAX ? "1" : "0");
}

static void target_families(FILE *f, const struct plabels *v, size_t n)
{
	static const char info[] = "iofair_target_info";
	static const char conf[] = "iofair_target_conformance_ratio";
	char b[24];
	size_t i;

	family(f, info, "gauge",
	       "A target's labels, and where its counters come from (source: hook, "
	       "pf-driver, or none: no traffic samples); always 1.");
	for (i = 0; i < n; i++)
		if (!v[i].e->node)
			sample(f, info, &v[i], "source", v[i].e->has_source ?
			       ENUM_NAME(source_names, v[i].e->source) : "unknown",
			       NULL, NULL, "1");
	traffic_family(f, v, n, "iofair_target_packets_total", "counter",
		       "Packets the target sent (tx) and received (rx).", TF_PACKETS);
	traffic_family(f, v, n, "iofair_target_bytes_total", "counter",
		       "L2 bytes (Ethernet header included) the target sent (tx) and "
		       "received (rx).", TF_BYTES);
	traffic_family(f, v, n, "iofair_target_rate_bits_per_second", "gauge",
		       "Achieved L2 rate over the last controller interval, in bits per second.",
		       TF_RATE);
	drops_family(f, v, n);
	traffic_family(f, v, n, "iofair_target_delayed_packets_total", "counter",
		       "Packets the limiter held before sending them.", TF_DELAYED);
	share_families(f, v, n, false);
	family(f, conf, "gauge",
	       "Bytes sent over bytes the limit allowed (its share, or bw-max outside the "
	       "tree) over the last conformance window; 1 is exactly the limit.");
	for (i = 0; i < n; i++)
		if (!v[i].e->node && v[i].e->has_conf && stat_has_data(v[i].e))
			sample(f, conf, &v[i], NULL, NULL, NULL, NULL, ppm_str(b, v[i].e->conf));
}

static void node_families(FILE *f, const struct plabels *v, size_t n)
{
	static const char info[] = "iofair_node_info";
	static const char cap[] = "iofair_node_capacity_bits_per_second";
	static const char jain[] = "iofair_node_jain_index";
	char b[24];
	size_t i;

	family(f, info, "gauge",
	       "A node's id, kind (root, tenant, group) and parent's name; always 1.");
	for (i = 0; i < n; i++) {
		bool first = true;

		if (!v[i].e->node)
			continue;
		fprintf(f, "%s{", info);
		label(f, &first, "node", v[i].node);
		label(f, &first, "node_id", v[i].id);
		if (v[i].kind)
			label(f, &first, "kind", v[i].kind);
		if (v[i].parent)
			label(f, &first, "parent", v[i].parent);
		fputs("} 1\n", f);
	}
	family(f, cap, "gauge", "A root's capacity, in bits per second.");
	for (i = 0; i < n; i++)
		if (v[i].e->node && v[i].e->has_cap)
			sample(f, cap, &v[i], NULL, NULL, NULL, NULL, u64s(b, v[i].e->cap));
	share_families(f, v, n, true);
	family(f, jain, "gauge",
	       "Jain's fairness index over the weight-normalised tx rates of the node's "
	       "backlogged children; 1 is perfectly fair.");
	for (i = 0; i < n; i++)
		if (v[i].e->node && v[i].e->has_jain)
			sample(f, jain, &v[i], NULL, NULL, NULL, NULL, ppm_str(b, v[i].e->jain));
}

int prom_write(FILE *f, const struct snapshot *s, const struct stats_names *n)
{
	struct plabels *v = calloc(s->n ? s->n : 1, sizeof(*v));
	size_t i;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < s->n; i++)
		labels_resolve(&v[i], &s->v[i], n);
	target_families(f, v, s->n);
	node_families(f, v, s->n);
	free(v);
	return ferror(f) ? -EIO : 0;
}
