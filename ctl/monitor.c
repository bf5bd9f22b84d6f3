// SPDX-License-Identifier: GPL-2.0
/*
 * iofairctl monitor: the notifications of the `events` multicast group,
 * one line each (one JSON object per line with -j), until SIGINT or
 * SIGTERM, or until --count events have been printed.
 */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <linux/iofair.h>

#include "iofairctl.h"
#include "json.h"
#include "names.h"
#include "nl.h"

static void monitor_usage(FILE *f)
{
	fprintf(f,
		"Usage: iofairctl monitor [-c|--count N]\n"
		"       iofairctl monitor help\n"
		"Print iofair's events as they happen: targets and nodes added and removed\n"
		"(with the reason), policy changes, VF configuration changes in the PF driver,\n"
		"conformance alarms.  Runs until interrupted, or until N events were printed.\n");
}

enum { MK_COUNT, MK_HELP };

static const struct kw monitor_keys[] = {
	{ "-c", MK_COUNT }, { "--count", MK_COUNT }, { "count", MK_COUNT },
	{ "help", MK_HELP },
};

int monitor_parse(int argc, char **argv, struct monitor_req *r)
{
	const char *val;
	uint32_t n;
	int i, k;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < argc; i++) {
		k = kw_parse("monitor keyword", argv[i], monitor_keys, ARRAY_SIZE(monitor_keys));
		if (k < 0)
			return -EINVAL;
		if (k == MK_HELP) {
			r->help = true;
			if (argc > 1) {
				ctl_err("monitor help: unexpected '%s'", argv[i ? 0 : 1]);
				return -EINVAL;
			}
			continue;
		}
		val = arg_next(argc, argv, &i);
		if (!val)
			return -EINVAL;
		if (parse_u32(val, &n) || !n) {
			ctl_err("count: invalid number of events '%s' (from 1)", val);
			return -EINVAL;
		}
		r->count = n;
	}
	return 0;
}

struct monitor_ctx {
	uint64_t seen, count;
};

struct vf_cfg_ev {
	bool valid;
	bool has_max, has_min, has_trust, has_spoofchk, has_link, has_vlan;
	uint32_t max, min, link, vlan;
	uint8_t trust, spoofchk;
	unsigned int mac_len;
	uint8_t mac[32];
};

static void vf_cfg_parse(const struct nlattr *nest, struct vf_cfg_ev *c)
{
	struct nlattr *tb[IOFAIR_A_VF_CONFIG_MAX + 1];

	memset(c, 0, sizeof(*c));
	if (!nest || nla_parse_nested(tb, IOFAIR_A_VF_CONFIG_MAX, (struct nlattr *)nest, NULL))
		return;
	c->valid = true;
#define VFC(attr, field, get) \
	if (tb[attr]) { c->has_##field = true; c->field = get(tb[attr]); }
	VFC(IOFAIR_A_VF_CONFIG_MAX_TX_RATE, max, nla_get_u32)
	VFC(IOFAIR_A_VF_CONFIG_MIN_TX_RATE, min, nla_get_u32)
	VFC(IOFAIR_A_VF_CONFIG_TRUST, trust, nla_get_u8)
	VFC(IOFAIR_A_VF_CONFIG_SPOOFCHK, spoofchk, nla_get_u8)
	VFC(IOFAIR_A_VF_CONFIG_LINK_STATE, link, nla_get_u32)
	VFC(IOFAIR_A_VF_CONFIG_VLAN, vlan, nla_get_u32)
#undef VFC
	if (tb[IOFAIR_A_VF_CONFIG_MAC]) {
		c->mac_len = nla_len(tb[IOFAIR_A_VF_CONFIG_MAC]);
		if (c->mac_len > sizeof(c->mac))
			c->mac_len = sizeof(c->mac);
		memcpy(c->mac, nla_data(tb[IOFAIR_A_VF_CONFIG_MAC]), c->mac_len);
	}
}

static void fmt_mac(char *buf, size_t len, const struct vf_cfg_ev *c)
{
	size_t off = 0;
	unsigned int i;

	buf[0] = 0;
	for (i = 0; i < c->mac_len && off + 3 < len; i++)
		off += snprintf(buf + off, len - off, i ? ":%02x" : "%02x", c->mac[i]);
}

static const char *link_state(uint32_t s)
{
	static const char *const names[] = { "auto", "enable", "disable" };

	return s < ARRAY_SIZE(names) ? names[s] : "unknown";
}

static void vf_cfg_json(struct json *j, const char *key, const struct vf_cfg_ev *c)
{
	char mac[100];

	if (!c->valid)
		return;
	json_obj_open(j, key);
	if (c->has_max)
		json_u64(j, "max_tx_rate_mbit", c->max);
	if (c->has_min)
		json_u64(j, "min_tx_rate_mbit", c->min);
	if (c->has_trust)
		json_bool(j, "trust", c->trust);
	if (c->has_spoofchk)
		json_bool(j, "spoofchk", c->spoofchk);
	if (c->has_link)
		json_str(j, "link_state", link_state(c->link));
	if (c->has_vlan)
		json_u64(j, "vlan", c->vlan);
	if (c->mac_len) {
		fmt_mac(mac, sizeof(mac), c);
		json_str(j, "mac", mac);
	}
	json_obj_close(j);
}

/* " max_tx_rate 0->100Mbit trust off->on": only what differs, or all of new. */
static void vf_cfg_human(const struct vf_cfg_ev *o, const struct vf_cfg_ev *n)
{
	char a[32], b[32], ma[100], mb[100];
	bool any = false;

#define DIFF(field, label, fmt_a, fmt_b)						\
	if (n->has_##field && (!o->has_##field || o->field != n->field)) {		\
		printf(" %s %s->%s", label, o->has_##field ? fmt_a : "?", fmt_b);	\
		any = true;								\
	}
	snprintf(a, sizeof(a), "%uMbit", o->max);
	snprintf(b, sizeof(b), "%uMbit", n->max);
	DIFF(max, "max_tx_rate", a, b)
	snprintf(a, sizeof(a), "%uMbit", o->min);
	snprintf(b, sizeof(b), "%uMbit", n->min);
	DIFF(min, "min_tx_rate", a, b)
	DIFF(trust, "trust", o->trust ? "on" : "off", n->trust ? "on" : "off")
	DIFF(spoofchk, "spoofchk", o->spoofchk ? "on" : "off", n->spoofchk ? "on" : "off")
	DIFF(link, "link_state", link_state(o->link), link_state(n->link))
	snprintf(a, sizeof(a), "%u", o->vlan);
	snprintf(b, sizeof(b), "%u", n->vlan);
	DIFF(vlan, "vlan", a, b)
#undef DIFF
	fmt_mac(ma, sizeof(ma), o);
	fmt_mac(mb, sizeof(mb), n);
	if (n->mac_len && strcmp(ma, mb)) {
		printf(" mac %s->%s", o->mac_len ? ma : "?", mb);
		any = true;
	}
	if (!any && n->valid)
		printf(" (no change)");
}

/* CLOCK_MONOTONIC ns of the event as local wall-clock time. */
static void fmt_event_time(char *buf, size_t len, uint64_t mono_ns)
{
	struct timespec mono, real;
	int64_t ago_ns;
	time_t sec;
	struct tm tm;
	long usec;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	ago_ns = mono_ns ? (int64_t)mono.tv_sec * 1000000000LL + mono.tv_nsec - (int64_t)mono_ns : 0;
	if (ago_ns < 0)
		ago_ns = 0;
	ago_ns = (int64_t)real.tv_sec * 1000000000LL + real.tv_nsec - ago_ns;
	sec = (time_t)(ago_ns / 1000000000LL);
	usec = (long)(ago_ns % 1000000000LL) / 1000;
	localtime_r(&sec, &tm);
	snprintf(buf, len, "%02d:%02d:%02d.%06ld", tm.tm_hour, tm.tm_min, tm.tm_sec, usec);
}

static int monitor_event(struct nlattr **tb, struct nlattr *head, int len, void *arg)
{
	struct monitor_ctx *c = arg;
	uint32_t type = tb[IOFAIR_A_EVENT_TYPE] ? nla_get_u32(tb[IOFAIR_A_EVENT_TYPE]) : ~0U;
	uint64_t time_ns = tb[IOFAIR_A_EVENT_TIME] ? nla_get_u64(tb[IOFAIR_A_EVENT_TIME]) : 0;
	uint32_t kind = tb[IOFAIR_A_EVENT_KIND] ? nla_get_u32(tb[IOFAIR_A_EVENT_KIND]) : 0;
	uint32_t ifindex = tb[IOFAIR_A_EVENT_IFINDEX] ? nla_get_u32(tb[IOFAIR_A_EVENT_IFINDEX]) : 0;
	uint32_t vf = tb[IOFAIR_A_EVENT_VF] ? nla_get_u32(tb[IOFAIR_A_EVENT_VF]) : 0;
	struct vf_cfg_ev old, new;
	char when[32], ifname[IF_NAMESIZE], b1[32], b2[32];
	bool have_ifname = ifindex && if_indextoname(ifindex, ifname);
	struct pol pol = {};

	(void)head;
	(void)len;
	vf_cfg_parse(tb[IOFAIR_A_EVENT_OLD], &old);
	vf_cfg_parse(tb[IOFAIR_A_EVENT_NEW], &new);
	if (tb[IOFAIR_A_EVENT_POLICY])
		nla_get_policy(tb[IOFAIR_A_EVENT_POLICY], &pol);

	if (opts.json) {
		/* one compact object per line, whatever -p says */
		struct json *j = json_new(stdout, false);

		json_obj_open(j, NULL);
		json_u64(j, "time_ns", time_ns);
		json_str(j, "type", ENUM_NAME(event_type_names, type));
		if (tb[IOFAIR_A_EVENT_TARGET_ID])
			json_u64(j, "target", nla_get_u32(tb[IOFAIR_A_EVENT_TARGET_ID]));
		if (tb[IOFAIR_A_EVENT_NODE_ID])
			json_u64(j, "node", nla_get_u32(tb[IOFAIR_A_EVENT_NODE_ID]));
		if (tb[IOFAIR_A_EVENT_KIND])
			json_str(j, "kind", ENUM_NAME(target_kind_names, kind));
		if (tb[IOFAIR_A_EVENT_IFINDEX]) {
			json_u64(j, "ifindex", ifindex);
			if (have_ifname)
				json_str(j, "ifname", ifname);
		}
		if (tb[IOFAIR_A_EVENT_VF])
			json_u64(j, "vf", vf);
		if (tb[IOFAIR_A_EVENT_REASON])
			json_str(j, "reason", ENUM_NAME(del_reason_names,
							nla_get_u32(tb[IOFAIR_A_EVENT_REASON])));
		vf_cfg_json(j, "old", &old);
		vf_cfg_json(j, "new", &new);
		if (tb[IOFAIR_A_EVENT_BY_IOFAIR])
			json_bool(j, "by_iofair", nla_get_u8(tb[IOFAIR_A_EVENT_BY_IOFAIR]));
		if (tb[IOFAIR_A_EVENT_ACHIEVED])
			json_u64(j, "achieved", nla_uint(tb[IOFAIR_A_EVENT_ACHIEVED]));
		if (tb[IOFAIR_A_EVENT_ALLOCATED])
			json_u64(j, "allocated", nla_uint(tb[IOFAIR_A_EVENT_ALLOCATED]));
		if (tb[IOFAIR_A_EVENT_POLICY]) {
			json_obj_open(j, "policy");
			json_policy(j, &pol);
			json_obj_close(j);
		}
		json_obj_close(j);
		json_end(j);
	} else {
		fmt_event_time(when, sizeof(when), time_ns);
		printf("%s %s", when, ENUM_NAME(event_type_names, type));
		if (tb[IOFAIR_A_EVENT_TARGET_ID])
			printf(" target %u", nla_get_u32(tb[IOFAIR_A_EVENT_TARGET_ID]));
		if (tb[IOFAIR_A_EVENT_KIND])
			printf(" %s", ENUM_NAME(target_kind_names, kind));
		if (tb[IOFAIR_A_EVENT_IFINDEX]) {
			if (have_ifname)
				printf(" %s", ifname);
			else
				printf(" ifindex %u", ifindex);
		}
		if (tb[IOFAIR_A_EVENT_VF])
			printf(" vf %u", vf);
		if (tb[IOFAIR_A_EVENT_NODE_ID])
			printf(" node %u", nla_get_u32(tb[IOFAIR_A_EVENT_NODE_ID]));
		if (tb[IOFAIR_A_EVENT_REASON])
			printf(" reason %s", ENUM_NAME(del_reason_names,
						       nla_get_u32(tb[IOFAIR_A_EVENT_REASON])));
		if (new.valid)
			vf_cfg_human(&old, &new);
		if (tb[IOFAIR_A_EVENT_BY_IOFAIR])
			printf(" by %s", nla_get_u8(tb[IOFAIR_A_EVENT_BY_IOFAIR]) ? "iofair" :
			       "someone else");
		if (tb[IOFAIR_A_EVENT_ACHIEVED] || tb[IOFAIR_A_EVENT_ALLOCATED]) {
			format_rate(b1, sizeof(b1), tb[IOFAIR_A_EVENT_ACHIEVED] ?
				    nla_uint(tb[IOFAIR_A_EVENT_ACHIEVED]) : 0);
			format_rate(b2, sizeof(b2), tb[IOFAIR_A_EVENT_ALLOCATED] ?
				    nla_uint(tb[IOFAIR_A_EVENT_ALLOCATED]) : 0);
			printf(" achieved %s allocated %s", b1, b2);
		}
		if (tb[IOFAIR_A_EVENT_POLICY]) {
			if (pol.has & POL_MIN)
				printf(" min %s", fmt_rate0(b1, sizeof(b1), pol.bw_min, "0"));
			if (pol.has & POL_MAX)
				printf(" max %s", fmt_rate0(b1, sizeof(b1), pol.bw_max, "0"));
			if (pol.has & POL_BURST) {
				format_size(b1, sizeof(b1), pol.burst);
				printf(" burst %s", pol.burst ? b1 : "auto");
			}
			if (pol.has & POL_WEIGHT)
				printf(" weight %u", pol.weight);
		}
		putchar('\n');
	}
	fflush(stdout);
	c->seen++;
	/* a positive value that is no errno: stop, all seen */
	return c->count && c->seen >= c->count ? 1 : 0;
}

static volatile sig_atomic_t monitor_stop;

static void monitor_signal(int sig)
{
	(void)sig;
	monitor_stop = 1;
}

int do_monitor(int argc, char **argv)
{
	struct monitor_ctx c = {};
	struct sigaction sa = { .sa_handler = monitor_signal };
	struct monitor_req r;
	struct ctl_nl *nl;
	sigset_t block, orig;
	struct pollfd pfd;
	int err = 0;

	if (monitor_parse(argc, argv, &r)) {
		fprintf(stderr, "Try 'iofairctl monitor help'.\n");
		return EXIT_USAGE;
	}
	if (r.help) {
		monitor_usage(stdout);
		return 0;
	}
	c.count = r.count;
	nl = ctl_nl_open();
	if (!nl)
		return 1;
	if (ctl_nl_subscribe(nl, IOFAIR_MCGRP_EVENTS)) {
		ctl_nl_close(nl);
		return 1;
	}
	/* signals are delivered only inside ppoll(): no lost wake-up */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	pfd = (struct pollfd){ .fd = ctl_nl_fd(nl), .events = POLLIN };
	while (!monitor_stop) {
		if (ppoll(&pfd, 1, NULL, &orig) < 0) {
			if (errno == EINTR)
				continue;
			ctl_err("poll: %s", strerror(errno));
			err = -EIO;
			break;
		}
		err = ctl_nl_recv_ntf(nl, IOFAIR_CMD_EVENT_NTF, IOFAIR_A_EVENT_MAX, monitor_event, &c);
		if (err == -ENOBUFS) {
			ctl_warn("events were lost (the socket's buffer overflowed)");
			err = 0;
			continue;
		}
		if (err)
			break;
	}
	ctl_nl_close(nl);
	sigprocmask(SIG_SETMASK, &orig, NULL);
	return err < 0 ? 1 : 0;
}
