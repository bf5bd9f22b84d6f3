// SPDX-License-Identifier: GPL-2.0
/*
 * iofairctl: a kernel refusal in the user's words.  The extended ACK gives
 * a message (NLMSGERR_ATTR_MSG), the offset of the attribute it is about in
 * our request (NLMSGERR_ATTR_OFFS: from the start of the request's
 * nlmsghdr) and, for a refusal by the op's policy, that attribute's policy
 * (NLMSGERR_ATTR_POLICY: NL_POLICY_TYPE_ATTR_*, as a policy dump gives it).
 * The offset is found in the request we sent (we keep it: the kernel does
 * not echo it, NETLINK_CAP_ACK), the attribute's keyword looked up
 * (attrwords.c), and lib/nlattr's "integer out of range" becomes iproute2's
 * "weight: 70000 is out of range 1..65535".
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "iofairctl.h"
#include "nlerr.h"

/* Deep enough for the policy nest in a target or node request. */
#define NLERR_DEPTH_MAX	4

static const struct nlattr *nla_next_of(const struct nlattr *a, int *rem)
{
	int len = NLA_ALIGN(a->nla_len);

	*rem -= len;
	return (const struct nlattr *)((const char *)a + len);
}

static bool nla_fits(const struct nlattr *a, int rem)
{
	return rem >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) && a->nla_len <= rem;
}

/* Put the TLVs of @head (@len bytes) into @tb by type, the last of each wins. */
static void nla_index(const struct nlattr *head, int len, const struct nlattr **tb, int maxtype)
{
	const struct nlattr *a;
	int rem = len;

	memset(tb, 0, (maxtype + 1) * sizeof(*tb));
	for (a = head; nla_fits(a, rem); a = nla_next_of(a, &rem))
		if ((a->nla_type & NLA_TYPE_MASK) <= maxtype)
			tb[a->nla_type & NLA_TYPE_MASK] = a;
}

static const void *nla_payload(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static int nla_payload_len(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

void ctl_ext_ack_parse(const struct nlmsghdr *nlh, size_t off, struct ctl_ext_ack *ea)
{
	const struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	const struct nlattr *a;
	uint32_t u;

	memset(ea, 0, sizeof(*ea));
	ea->off = -1;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || NLMSG_HDRLEN + off >= nlh->nlmsg_len)
		return;
	nla_index((const struct nlattr *)((const char *)NLMSG_DATA(nlh) + off),
		  (int)(nlh->nlmsg_len - NLMSG_HDRLEN - off), tb, NLMSGERR_ATTR_MAX);
	a = tb[NLMSGERR_ATTR_MSG];
	if (a && nla_payload_len(a) > 0 && memchr(nla_payload(a), 0, nla_payload_len(a)))
		ea->msg = nla_payload(a);
	a = tb[NLMSGERR_ATTR_OFFS];
	if (a && nla_payload_len(a) == sizeof(u)) {
		memcpy(&u, nla_payload(a), sizeof(u));
		if (u < INT32_MAX)
			ea->off = (int)u;
	}
	ea->policy = tb[NLMSGERR_ATTR_POLICY];
}

/*
 * The attribute that starts @off bytes into @req, and in @path the types of
 * the nests it is in and its own (*@depth of them); NULL if none starts there.
 */
static const struct nlattr *nlerr_attr_at(const struct nlmsghdr *req, int off, uint16_t *path,
					  int *depth)
{
	int start = NLMSG_HDRLEN + GENL_HDRLEN, rem = (int)req->nlmsg_len - start;
	const struct nlattr *a = (const struct nlattr *)((const char *)req + start);
	int pos;

	*depth = 0;
	while (nla_fits(a, rem) && *depth < NLERR_DEPTH_MAX) {
		pos = (int)((const char *)a - (const char *)req);
		if (off < pos || off >= pos + a->nla_len) {
			a = nla_next_of(a, &rem);
			continue;
		}
		path[(*depth)++] = a->nla_type & NLA_TYPE_MASK;
		if (off == pos)
			return a;
		/* inside it: a nest, look at what it holds */
		rem = nla_payload_len(a);
		a = nla_payload(a);
	}
	return NULL;
}

/* An integer policy's bounds, and the attribute's value, as the policy reads it. */
struct nlerr_range {
	bool is_signed;
	int64_t smin, smax, sval;
	uint64_t umin, umax, uval;
};

static bool nla_read_s64(const struct nlattr *a, int64_t *v)
{
	if (!a || nla_payload_len(a) != sizeof(*v))
		return false;
	memcpy(v, nla_payload(a), sizeof(*v));
	return true;
}

static bool nla_read_u64(const struct nlattr *a, uint64_t *v)
{
	return nla_read_s64(a, (int64_t *)v);
}

/* A fixed-size integer attribute of 1, 2, 4 or 8 bytes, as unsigned and signed. */
static bool nla_read_int(const struct nlattr *a, uint64_t *u, int64_t *s)
{
	union { uint8_t u8; uint16_t u16; uint32_t u32; uint64_t u64; } v;
	int len = nla_payload_len(a);

	if (len != 1 && len != 2 && len != 4 && len != 8)
		return false;
	memcpy(&v, nla_payload(a), len);
	switch (len) {
	case 1: *u = v.u8; *s = (int8_t)v.u8; break;
	case 2: *u = v.u16; *s = (int16_t)v.u16; break;
	case 4: *u = v.u32; *s = (int32_t)v.u32; break;
	default: *u = v.u64; *s = (int64_t)v.u64; break;
	}
	return true;
}

/* Whether @policy is an integer range that @attr's value is outside of. */
static bool nlerr_out_of_range(const struct nlattr *policy, const struct nlattr *attr,
			       struct nlerr_range *r)
{
	const struct nlattr *tb[NL_POLICY_TYPE_ATTR_MAX + 1];

	memset(r, 0, sizeof(*r));
	nla_index(nla_payload(policy), nla_payload_len(policy), tb, NL_POLICY_TYPE_ATTR_MAX);
	if (!nla_read_int(attr, &r->uval, &r->sval))
		return false;
	if (nla_read_u64(tb[NL_POLICY_TYPE_ATTR_MIN_VALUE_U], &r->umin) &&
	    nla_read_u64(tb[NL_POLICY_TYPE_ATTR_MAX_VALUE_U], &r->umax))
		return r->uval < r->umin || r->uval > r->umax;
	r->is_signed = true;
	if (nla_read_s64(tb[NL_POLICY_TYPE_ATTR_MIN_VALUE_S], &r->smin) &&
	    nla_read_s64(tb[NL_POLICY_TYPE_ATTR_MAX_VALUE_S], &r->smax))
		return r->sval < r->smin || r->sval > r->smax;
	return false;
}

/* An unsigned value as the keyword spells it: 70000, 2Tbit, 512MiB, 5ms, 101%. */
static const char *nlerr_fmt_u(char *buf, size_t len, uint64_t v, enum attr_fmt fmt)
{
	if (fmt == AW_RATE && v)
		format_rate(buf, len, v);
	else if (fmt == AW_SIZE && v)
		format_size(buf, len, v);
	else
		snprintf(buf, len, "%" PRIu64 "%s", v,
			 fmt == AW_MS ? "ms" : fmt == AW_PCT ? "%" : "");
	return buf;
}

static void nlerr_fmt_range(char *buf, size_t len, const char *word, enum attr_fmt fmt,
			    const struct nlerr_range *r)
{
	char v[32], lo[32], hi[32];

	if (r->is_signed)
		snprintf(buf, len, "%s%s%" PRId64 " is out of range %" PRId64 "..%" PRId64,
			 word ?: "", word ? ": " : "", r->sval, r->smin, r->smax);
	else
		snprintf(buf, len, "%s%s%s is out of range %s..%s", word ?: "", word ? ": " : "",
			 nlerr_fmt_u(v, sizeof(v), r->uval, fmt),
			 nlerr_fmt_u(lo, sizeof(lo), r->umin, fmt),
			 nlerr_fmt_u(hi, sizeof(hi), r->umax, fmt));
}

void ctl_ext_ack_format(char *buf, size_t len, int error, const struct ctl_ext_ack *ea,
			const struct nlmsghdr *req)
{
	const struct genlmsghdr *gnlh;
	const struct attr_word *w = NULL;
	const struct nlattr *attr = NULL;
	uint16_t path[NLERR_DEPTH_MAX];
	struct nlerr_range r;
	int depth = 0;

	if (req && ea->off >= 0 && req->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN) {
		gnlh = NLMSG_DATA(req);
		attr = nlerr_attr_at(req, ea->off, path, &depth);
		if (attr)
			w = attr_word(gnlh->cmd, path, depth);
	}
	if (attr && ea->policy && nlerr_out_of_range(ea->policy, attr, &r))
		nlerr_fmt_range(buf, len, w ? w->word : NULL, w ? w->fmt : AW_NUM, &r);
	else if (ea->msg && w && w->word)
		snprintf(buf, len, "%s: %s", w->word, ea->msg);
	else if (ea->msg)
		snprintf(buf, len, "%s", ea->msg);
	else
		snprintf(buf, len, "%s", strerror(error < 0 ? -error : error));
}
