/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iofairctl stats: one snapshot as the kernel dumped it (stats.c), and the
 * writer of the Prometheus text format (prom.c), which the unit tests feed
 * snapshots of their own.
 */
#ifndef IOFAIRCTL_STATS_H
#define IOFAIRCTL_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/iofair.h>

#include "names.h"

/* One direction of a target. */
struct traffic {
	bool valid;
	uint64_t packets, bytes, rate, delayed, drops;
	uint64_t drop[ARRAY_SIZE(drop_reason_names)];
};

struct stat_entry {
	bool node;
	uint32_t id, kind, source;
	bool has_kind, has_source, has_alloc, has_demand, has_conf, has_jain, has_cap;
	uint64_t alloc, demand, cap;	/* bit/s; demand UINT64_MAX: backlogged */
	uint32_t conf, jain;		/* ppm */
	struct traffic tx, rx;
};

struct snapshot {
	uint64_t time_ns;
	struct stat_entry *v;
	size_t n, cap;
};

/* The figures of a target whose source is none are absent, not zero. */
static inline bool stat_has_data(const struct stat_entry *e)
{
	return !(e->has_source && e->source == IOFAIR_SOURCE_NONE);
}

/* What a snapshot's figures are labelled with. */
struct stats_names {
	const struct node_info *nodes;
	size_t nn;
	const struct target_info *targets;
	size_t nt;
	/* @ifindex's name in our netns into @buf (IF_NAMESIZE), or NULL */
	const char *(*ifname)(uint32_t ifindex, char *buf);
};

/*
 * prom.c: @s in the Prometheus text exposition format (version 0.0.4), for
 * node_exporter's textfile collector.  Every family has its HELP and TYPE
 * once, even without samples; a target without data has no traffic samples.
 * Returns 0, or -EIO when writing to @f failed.
 */
int prom_write(FILE *f, const struct snapshot *s, const struct stats_names *n);

#endif /* IOFAIRCTL_STATS_H */
