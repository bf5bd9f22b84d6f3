/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iofairctl stats: the vhost worker figures of vhost targets (vhost.c).
 * stats.c hands over each stats-get message, then asks for the JSON of one
 * target or for the tables of all of them, and clears between snapshots.
 */
#ifndef IOFAIRCTL_VHOST_H
#define IOFAIRCTL_VHOST_H

#include <stdint.h>
#include <stdio.h>

#include <netlink/attr.h>

struct json;

/*
 * Keep the vq and worker figures of @target's stats-get message: its parsed
 * attributes @tb and the attribute stream @head, @len (the vq nests repeat).
 */
int vhost_stats_collect(uint32_t target, struct nlattr **tb, struct nlattr *head, int len);
/* "vhost": {...} in @target's JSON object, when it is a vhost target. */
void vhost_stats_json(struct json *j, uint32_t target);
/* The virtqueue and worker tables of the vhost targets collected. */
void vhost_stats_print(FILE *f);
void vhost_stats_clear(void);

#endif /* IOFAIRCTL_VHOST_H */
