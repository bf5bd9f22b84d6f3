// SPDX-License-Identifier: GPL-2.0
/*
 * iofairctl: enum names from the spec, keyword lookup with unambiguous
 * prefixes, argument checks that name the bad word, policy attributes,
 * `uint` attributes (4 or 8 bytes) and aligned tables.
 */
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netlink/attr.h>
#include <netlink/msg.h>

#include "iofairctl.h"
#include "json.h"
#include "names.h"

const char *const target_kind_names[3] = {
	[IOFAIR_TARGET_KIND_VF] = "vf",
	[IOFAIR_TARGET_KIND_VHOST] = "vhost",
	[IOFAIR_TARGET_KIND_DEV] = "dev",
};

const char *const enforce_names[3] = {
	[IOFAIR_ENFORCE_HW] = "hw",
	[IOFAIR_ENFORCE_SW] = "sw",
	[IOFAIR_ENFORCE_BOTH] = "both",
};

const char *const ownership_names[2] = {
	[IOFAIR_OWNERSHIP_ENFORCE] = "enforce",
	[IOFAIR_OWNERSHIP_ADOPT] = "adopt",
};

const char *const node_kind_names[3] = {
	[IOFAIR_NODE_KIND_ROOT] = "root",
	[IOFAIR_NODE_KIND_TENANT] = "tenant",
	[IOFAIR_NODE_KIND_GROUP] = "group",
};

const char *const source_names[3] = {
	[IOFAIR_SOURCE_NONE] = "none",
	[IOFAIR_SOURCE_HOOK] = "hook",
	[IOFAIR_SOURCE_PF_DRIVER] = "pf-driver",
};

const char *const drop_reason_names[4] = {
	[IOFAIR_DROP_REASON_QUEUE_FULL] = "queue-full",
	[IOFAIR_DROP_REASON_TOO_BIG] = "too-big",
	[IOFAIR_DROP_REASON_DETACH] = "detach",
	[IOFAIR_DROP_REASON_NOMEM] = "nomem",
};

const char *const event_type_names[9] = {
	[IOFAIR_EVENT_TYPE_TARGET_NEW] = "target-new",
	[IOFAIR_EVENT_TYPE_TARGET_DEL] = "target-del",
	[IOFAIR_EVENT_TYPE_NODE_NEW] = "node-new",
	[IOFAIR_EVENT_TYPE_NODE_DEL] = "node-del",
	[IOFAIR_EVENT_TYPE_POLICY_CHANGE] = "policy-change",
	[IOFAIR_EVENT_TYPE_VF_CONFIG] = "vf-config",
	[IOFAIR_EVENT_TYPE_CONFORMANCE_ALARM] = "conformance-alarm",
	[IOFAIR_EVENT_TYPE_VF_GONE] = "vf-gone",
	[IOFAIR_EVENT_TYPE_VF_BACK] = "vf-back",
};

const char *const del_reason_names[4] = {
	[IOFAIR_DEL_REASON_USER] = "user",
	[IOFAIR_DEL_REASON_DEVICE_GONE] = "device-gone",
	[IOFAIR_DEL_REASON_VF_GONE] = "vf-gone",
	[IOFAIR_DEL_REASON_NETNS_GONE] = "netns-gone",
};

const char *enum_name(const char *const *names, size_t n, uint32_t v)
{
	return v < n && names[v] ? names[v] : "unknown";
}

int kw_lookup(const char *arg, const struct kw *words, size_t n)
{
	int val = KW_UNKNOWN;
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(arg, words[i].word))
			return words[i].val;
	for (i = 0; i < n; i++) {
		if (!matches(arg, words[i].word))
			continue;
		if (val != KW_UNKNOWN && val != words[i].val)
			return KW_AMBIGUOUS;
		val = words[i].val;
	}
	return val;
}

#define ENUM_WORDS_MAX	16

static size_t enum_words(const char *const *names, size_t n, struct kw *words)
{
	size_t i;

	if (n > ENUM_WORDS_MAX)
		return 0;
	for (i = 0; i < n; i++)
		words[i] = (struct kw){ names[i], (int)i };
	return n;
}

int enum_lookup(const char *arg, const char *const *names, size_t n)
{
	struct kw words[ENUM_WORDS_MAX];

	return kw_lookup(arg, words, enum_words(names, n, words));
}

/* Whether words[i] is the first of the words before it to stand for its value. */
static bool kw_first_of_val(const struct kw *words, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (words[j].val == words[i].val)
			return false;
	return true;
}

size_t kw_candidates(char *buf, size_t len, const char *arg, const struct kw *words, size_t n)
{
	size_t i, used = 0, count = 0;

	buf[0] = 0;
	for (i = 0; i < n; i++) {
		if ((arg && !matches(arg, words[i].word)) || !kw_first_of_val(words, i))
			continue;
		if (used < len)
			used += snprintf(buf + used, len - used, "%s%s", count ? ", " : "",
					 words[i].word);
		count++;
	}
	return count;
}

/* What is wrong, and the words that would be right. */
static int kw_fail(const char *what, const char *arg, int val, const struct kw *words, size_t n)
{
	char list[256];

	if (val == KW_AMBIGUOUS) {
		kw_candidates(list, sizeof(list), arg, words, n);
		ctl_err("ambiguous %s '%s': %s?", what, arg, list);
	} else if (val == KW_UNKNOWN) {
		kw_candidates(list, sizeof(list), NULL, words, n);
		ctl_err("unknown %s '%s' (one of: %s)", what, arg, list);
	}
	return val < 0 ? -EINVAL : val;
}

int kw_parse(const char *what, const char *arg, const struct kw *words, size_t n)
{
	return kw_fail(what, arg, kw_lookup(arg, words, n), words, n);
}

int enum_parse(const char *what, const char *arg, const char *const *names, size_t n)
{
	struct kw words[ENUM_WORDS_MAX];

	n = enum_words(names, n, words);
	return kw_fail(what, arg, kw_lookup(arg, words, n), words, n);
}

int arg_end(const char *what, int argc, char **argv, int from)
{
	if (argc <= from)
		return 0;
	ctl_err("%s: unexpected '%s'", what, argv[from]);
	return -EINVAL;
}

const char *arg_next(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		ctl_err("missing value after '%s'", argv[*i]);
		return NULL;
	}
	return argv[++*i];
}

int arg_rate(const char *kw, const char *val, uint64_t *bps)
{
	int err = parse_rate_bps(val, bps);

	if (err == -ERANGE)
		ctl_err("%s: rate '%s' is too large", kw, val);
	else if (err)
		ctl_err("%s: invalid rate '%s' (a number with a unit: bit, kbit, mbit, gbit, "
			"tbit, bps, kbps, mbps, gbps)", kw, val);
	return err ? -EINVAL : 0;
}

int arg_size32(const char *kw, const char *val, uint32_t *bytes)
{
	uint64_t v;
	int err = parse_size_bytes(val, &v);

	if (!err && v > UINT32_MAX)
		err = -ERANGE;
	if (err == -ERANGE)
		ctl_err("%s: size '%s' is too large", kw, val);
	else if (err)
		ctl_err("%s: invalid size '%s' (bytes, or a number with b, k, kb, m, mb, g, gb)",
			kw, val);
	else
		*bytes = (uint32_t)v;
	return err ? -EINVAL : 0;
}

int arg_u32(const char *kw, const char *val, uint32_t *v)
{
	if (parse_u32(val, v)) {
		ctl_err("%s: invalid number '%s'", kw, val);
		return -EINVAL;
	}
	return 0;
}

int arg_id(const char *kw, const char *val, uint32_t *id)
{
	if (parse_u32(val, id) || !*id) {
		ctl_err("%s: invalid id '%s' (a number from 1)", kw, val);
		return -EINVAL;
	}
	return 0;
}

int arg_ifname(const char *kw, const char *val)
{
	if (!*val || strlen(val) >= IFNAMSIZ || strchr(val, '/') || strchr(val, ' ')) {
		ctl_err("%s: invalid interface name '%s'", kw, val);
		return -EINVAL;
	}
	return 0;
}

int arg_policy(const char *kw, const char *val, struct pol *p)
{
	if (!strcmp(kw, "min")) {
		p->has |= POL_MIN;
		return arg_rate(kw, val, &p->bw_min);
	}
	if (!strcmp(kw, "max")) {
		p->has |= POL_MAX;
		return arg_rate(kw, val, &p->bw_max);
	}
	if (!strcmp(kw, "burst")) {
		p->has |= POL_BURST;
		return arg_size32(kw, val, &p->burst);
	}
	if (!strcmp(kw, "weight")) {
		p->has |= POL_WEIGHT;
		return arg_u32(kw, val, &p->weight);
	}
	ctl_err("'%s' is not a policy setting", kw);
	return -EINVAL;
}

uint64_t nla_uint(const struct nlattr *a)
{
	uint32_t v32;
	uint64_t v64;

	if (nla_len(a) == sizeof(v64)) {
		memcpy(&v64, nla_data(a), sizeof(v64));
		return v64;
	}
	if (nla_len(a) == sizeof(v32)) {
		memcpy(&v32, nla_data(a), sizeof(v32));
		return v32;
	}
	return 0;
}

int nla_put_policy(struct nl_msg *msg, int type, const struct pol *p)
{
	struct nlattr *nest;

	if (!p->has)
		return 0;
	nest = nla_nest_start(msg, type);
	if (!nest)
		return -EMSGSIZE;
	if (((p->has & POL_MIN) && nla_put_u64(msg, IOFAIR_A_POLICY_BW_MIN, p->bw_min)) ||
	    ((p->has & POL_MAX) && nla_put_u64(msg, IOFAIR_A_POLICY_BW_MAX, p->bw_max)) ||
	    ((p->has & POL_BURST) && nla_put_u32(msg, IOFAIR_A_POLICY_BURST, p->burst)) ||
	    ((p->has & POL_WEIGHT) && nla_put_u32(msg, IOFAIR_A_POLICY_WEIGHT, p->weight)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static uint64_t nla_u64_any(const struct nlattr *a)
{
	return nla_len(a) >= 8 ? nla_get_u64(a) : nla_uint(a);
}

void nla_get_policy(const struct nlattr *nest, struct pol *p)
{
	struct nlattr *tb[IOFAIR_A_POLICY_MAX + 1];

	memset(p, 0, sizeof(*p));
	if (nla_parse_nested(tb, IOFAIR_A_POLICY_MAX, (struct nlattr *)nest, NULL))
		return;
	if (tb[IOFAIR_A_POLICY_BW_MIN]) {
		p->has |= POL_MIN;
		p->bw_min = nla_u64_any(tb[IOFAIR_A_POLICY_BW_MIN]);
	}
	if (tb[IOFAIR_A_POLICY_BW_MAX]) {
		p->has |= POL_MAX;
		p->bw_max = nla_u64_any(tb[IOFAIR_A_POLICY_BW_MAX]);
	}
	if (tb[IOFAIR_A_POLICY_BURST]) {
		p->has |= POL_BURST;
		p->burst = nla_get_u32(tb[IOFAIR_A_POLICY_BURST]);
	}
	if (tb[IOFAIR_A_POLICY_WEIGHT]) {
		p->has |= POL_WEIGHT;
		p->weight = nla_get_u32(tb[IOFAIR_A_POLICY_WEIGHT]);
	}
}

void json_policy(struct json *j, const struct pol *p)
{
	if (p->has & POL_MIN)
		json_u64(j, "bw_min", p->bw_min);
	if (p->has & POL_MAX)
		json_u64(j, "bw_max", p->bw_max);
	if (p->has & POL_BURST)
		json_u64(j, "burst", p->burst);
	if (p->has & POL_WEIGHT)
		json_u64(j, "weight", p->weight);
}

const char *fmt_rate0(char *buf, size_t len, uint64_t bps, const char *zero)
{
	if (!bps)
		snprintf(buf, len, "%s", zero);
	else
		format_rate(buf, len, bps);
	return buf;
}

const char *fmt_u64(char *buf, size_t len, uint64_t v)
{
	snprintf(buf, len, "%" PRIu64, v);
	return buf;
}

const char *fmt_ppm_pct(char *buf, size_t len, uint32_t ppm)
{
	snprintf(buf, len, "%.1f%%", ppm / 10000.0);
	return buf;
}

const char *fmt_ppm_frac(char *buf, size_t len, uint32_t ppm)
{
	snprintf(buf, len, "%.3f", ppm / 1000000.0);
	return buf;
}

const char *fmt_ifindex(char *buf, size_t len, uint32_t ifindex)
{
	char name[IF_NAMESIZE];

	if (ifindex && if_indextoname(ifindex, name))
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "ifindex %u", ifindex);
	return buf;
}

