// SPDX-License-Identifier: GPL-2.0
/*
 * iofairctl stats, vhost targets: what the module's vhost worker probes saw,
 * per virtqueue (0 rx, 1 tx: the guest's directions) and for the worker.
 * The kernel sends sums; means are per service pass:
 *
 *	pkts/pass = packets / passes	bytes/pass = bytes / passes
 *	delay     = delay-ns / passes	(kick queued -> handler start)
 *	service   = service-ns / passes	(handler start -> return)
 *
 * A figure the kernel did not send (virtqueue not served yet, no worker
 * known) prints as "-" (JSON: absent or null), never as 0.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <linux/iofair.h>

#include "iofairctl.h"
#include "json.h"
#include "names.h"
#include "vhost.h"

#define VHOST_NVQS	2

enum { VQ_KICKS, VQ_PASSES, VQ_PACKETS, VQ_BYTES, VQ_WEIGHT, VQ_DELAY, VQ_SERVICE, VQ_N };

static const struct {
	int attr;
	const char *json;
} vq_fields[VQ_N] = {
	[VQ_KICKS]	= { IOFAIR_A_VQ_KICKS,		"kicks" },
	[VQ_PASSES]	= { IOFAIR_A_VQ_PASSES,		"passes" },
	[VQ_PACKETS]	= { IOFAIR_A_VQ_PACKETS,	"packets" },
	[VQ_BYTES]	= { IOFAIR_A_VQ_BYTES,		"bytes" },
	[VQ_WEIGHT]	= { IOFAIR_A_VQ_WEIGHT_LIMITED,	"weight_limited" },
	[VQ_DELAY]	= { IOFAIR_A_VQ_DELAY_NS,	"delay_ns" },
	[VQ_SERVICE]	= { IOFAIR_A_VQ_SERVICE_NS,	"service_ns" },
};

static const char *const vq_names[VHOST_NVQS] = { "rx", "tx" };

struct vhost_entry {
	uint32_t target;
	bool has_vq[VHOST_NVQS];
	uint64_t vq[VHOST_NVQS][VQ_N];
	bool has_pid, has_cpu, has_wakeups;
	uint32_t pid;
	uint64_t cpu_ns, wakeups;
};

static struct vhost_entry *vhost_v;
static size_t vhost_n, vhost_cap;

static struct vhost_entry *vhost_find(uint32_t target)
{
	size_t i;

	for (i = 0; i < vhost_n; i++)
		if (vhost_v[i].target == target)
			return &vhost_v[i];
	return NULL;
}

static void vq_parse(struct vhost_entry *e, struct nlattr *nest)
{
	struct nlattr *tb[IOFAIR_A_VQ_MAX + 1];
	uint32_t q;
	int i;

	if (nla_parse_nested(tb, IOFAIR_A_VQ_MAX, nest, NULL) || !tb[IOFAIR_A_VQ_INDEX])
		return;
	q = nla_get_u32(tb[IOFAIR_A_VQ_INDEX]);
	if (q >= VHOST_NVQS)
		return;
	e->has_vq[q] = true;
	for (i = 0; i < VQ_N; i++)
		if (tb[vq_fields[i].attr])
			e->vq[q][i] = nla_uint(tb[vq_fields[i].attr]);
}

int vhost_stats_collect(uint32_t target, struct nlattr **tb, struct nlattr *head, int len)
{
	struct vhost_entry *e, *v;
	struct nlattr *a;
	int rem;

	if (!tb[IOFAIR_A_STATS_KIND] ||
	    nla_get_u32(tb[IOFAIR_A_STATS_KIND]) != IOFAIR_TARGET_KIND_VHOST)
		return 0;
	v = vec_grow(vhost_v, &vhost_cap, vhost_n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	vhost_v = v;
	e = &vhost_v[vhost_n++];
	memset(e, 0, sizeof(*e));
	e->target = target;
	nla_for_each_attr(a, head, len, rem)
		if (nla_type(a) == IOFAIR_A_STATS_VQ)
			vq_parse(e, a);
	if (tb[IOFAIR_A_STATS_WORKER_PID]) {
		e->has_pid = true;
		e->pid = nla_get_u32(tb[IOFAIR_A_STATS_WORKER_PID]);
	}
	if (tb[IOFAIR_A_STATS_WORKER_CPU_NS]) {
		e->has_cpu = true;
		e->cpu_ns = nla_uint(tb[IOFAIR_A_STATS_WORKER_CPU_NS]);
	}
	if (tb[IOFAIR_A_STATS_WORKER_WAKEUPS]) {
		e->has_wakeups = true;
		e->wakeups = nla_uint(tb[IOFAIR_A_STATS_WORKER_WAKEUPS]);
	}
	return 0;
}

void vhost_stats_json(struct json *j, uint32_t target)
{
	const struct vhost_entry *e = vhost_find(target);
	uint64_t passes;
	int q, i;

	if (!e)
		return;
	json_obj_open(j, "vhost");
	json_arr_open(j, "vq");
	for (q = 0; q < VHOST_NVQS; q++) {
		if (!e->has_vq[q])
			continue;
		json_obj_open(j, NULL);
		json_u64(j, "index", q);
		json_str(j, "name", vq_names[q]);
		for (i = 0; i < VQ_N; i++)
			json_u64(j, vq_fields[i].json, e->vq[q][i]);
		passes = e->vq[q][VQ_PASSES];
		if (passes) {
			json_u64(j, "mean_delay_ns", e->vq[q][VQ_DELAY] / passes);
			json_u64(j, "mean_service_ns", e->vq[q][VQ_SERVICE] / passes);
		}
		json_obj_close(j);
	}
	json_arr_close(j);
	if (e->has_cpu || e->has_pid) {
		json_obj_open(j, "worker");
		if (e->has_pid)
			json_u64(j, "pid", e->pid);
		else
			json_null(j, "pid");	/* the workers seen have exited */
		if (e->has_cpu)
			json_u64(j, "cpu_ns", e->cpu_ns);
		if (e->has_wakeups)
			json_u64(j, "wakeups", e->wakeups);
		json_obj_close(j);
	} else {
		json_null(j, "worker");
	}
	json_obj_close(j);
}

/* A time in ns with three significant digits: "512ns", "1.02us", "4.15ms". */
static const char *fmt_ns(char *buf, size_t len, double ns)
{
	static const char *const unit[] = { "ns", "us", "ms", "s" };
	size_t u = 0;

	while (u < ARRAY_SIZE(unit) - 1 && ns >= 1000) {
		ns /= 1000;
		u++;
	}
	snprintf(buf, len, "%.*f%s", ns >= 100 || u == 0 ? 0 : ns >= 10 ? 1 : 2, ns, unit[u]);
	return buf;
}

static const char *per_pass(char *buf, size_t len, uint64_t sum, uint64_t passes, bool ns)
{
	if (!passes)
		return "-";
	if (ns)
		return fmt_ns(buf, len, (double)sum / passes);
	snprintf(buf, len, "%.2f", (double)sum / passes);
	return buf;
}

void vhost_stats_print(FILE *f)
{
	static const char *const qhead[] = { "VHOST", "VQ", "KICKS", "PASSES", "PKTS/PASS",
					     "BYTES/PASS", "WEIGHT-LTD", "DELAY", "SERVICE" };
	static const char *const whead[] = { "VHOST", "WORKER", "CPU", "WAKEUPS" };
	struct ctab qt, wt;
	size_t n;
	int q;

	if (!vhost_n)
		return;
	if (ctab_init(&qt, ARRAY_SIZE(qhead), "rlrrrrrrr", qhead) ||
	    ctab_init(&wt, ARRAY_SIZE(whead), "rrrr", whead))
		return;
	for (n = 0; n < vhost_n; n++) {
		const struct vhost_entry *e = &vhost_v[n];
		char id[16], b[8][32];
		bool any = false;

		snprintf(id, sizeof(id), "%u", e->target);
		for (q = 0; q < VHOST_NVQS; q++) {
			const uint64_t *v = e->vq[q];

			if (!e->has_vq[q])
				continue;
			any = true;
			ctab_row(&qt, (const char *const[]){
				id, vq_names[q],
				fmt_u64(b[0], 32, v[VQ_KICKS]),
				fmt_u64(b[1], 32, v[VQ_PASSES]),
				per_pass(b[2], 32, v[VQ_PACKETS], v[VQ_PASSES], false),
				per_pass(b[3], 32, v[VQ_BYTES], v[VQ_PASSES], false),
				fmt_u64(b[4], 32, v[VQ_WEIGHT]),
				per_pass(b[5], 32, v[VQ_DELAY], v[VQ_PASSES], true),
				per_pass(b[6], 32, v[VQ_SERVICE], v[VQ_PASSES], true),
			});
		}
		if (!any)	/* not served yet (or not since the last reset) */
			ctab_row(&qt, (const char *const[]){ id, "-", "-", "-", "-", "-", "-",
				 "-", "-" });
		if (e->has_pid)
			snprintf(b[7], 32, "%u", e->pid);
		else
			strcpy(b[7], e->has_cpu ? "exited" : "-");
		ctab_row(&wt, (const char *const[]){
			id, b[7],
			e->has_cpu ? fmt_ns(b[0], 32, (double)e->cpu_ns) : "-",
			e->has_wakeups ? fmt_u64(b[1], 32, e->wakeups) : "-",
		});
	}
	fputc('\n', f);
	ctab_print(f, &qt);
	fputc('\n', f);
	ctab_print(f, &wt);
	ctab_free(&qt);
	ctab_free(&wt);
}

void vhost_stats_clear(void)
{
	free(vhost_v);
	vhost_v = NULL;
	vhost_n = vhost_cap = 0;
}
