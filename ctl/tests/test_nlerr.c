// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: kernel refusals in the command line's words.  A request is
 * built as the CLI builds it, an extended ACK as the kernel sends it
 * (NLM_F_CAPPED, NLMSGERR_ATTR_MSG/OFFS/POLICY), and the text printed for
 * it compared with what the user should read.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/iofair.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "../iofairctl.h"
#include "../names.h"
#include "../nlerr.h"
#include "ktap.h"

#define CHECK(cond, ...) do { bool ok_ = (cond); KTAP_CHECK(ok_, __VA_ARGS__); } while (0)

static struct nl_msg *req_new(uint8_t cmd)
{
	struct nl_msg *m = nlmsg_alloc();

	genlmsg_put(m, 0, 1, 0x20, 0, NLM_F_ACK, cmd, IOFAIR_FAMILY_VERSION);
	return m;
}

/* Where the next attribute of @m will start. */
static int next_off(struct nl_msg *m)
{
	return (int)((char *)nlmsg_tail(nlmsg_hdr(m)) - (char *)nlmsg_hdr(m));
}

/* A range policy as lib/nlattr reports it (netlink_policy_dump_write_attr). */
struct pol_range {
	uint32_t type;
	uint64_t min, max;
};

/* An error ACK: @error, and the TLVs that are not 0/NULL. */
static struct nl_msg *ack_new(int error, const char *msg, int off, const struct pol_range *pr)
{
	struct nl_msg *m = nlmsg_alloc_simple(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS);
	struct nlmsgerr e = { .error = error };
	struct nlattr *nest;

	nlmsg_append(m, &e, sizeof(e), NLMSG_ALIGNTO);
	if (msg)
		nla_put_string(m, NLMSGERR_ATTR_MSG, msg);
	if (off >= 0)
		nla_put_u32(m, NLMSGERR_ATTR_OFFS, off);
	if (pr) {
		nest = nla_nest_start(m, NLMSGERR_ATTR_POLICY);
		nla_put_u32(m, NL_POLICY_TYPE_ATTR_TYPE, pr->type);
		nla_put_u64(m, NL_POLICY_TYPE_ATTR_MIN_VALUE_U, pr->min);
		nla_put_u64(m, NL_POLICY_TYPE_ATTR_MAX_VALUE_U, pr->max);
		nla_nest_end(m, nest);
	}
	return m;
}

/* The text iofairctl prints for @ack to @req. */
static const char *text_of(struct nl_msg *req, struct nl_msg *ack)
{
	static char buf[256];
	struct nlmsghdr *nlh = nlmsg_hdr(ack);
	struct ctl_ext_ack ea;

	ctl_ext_ack_parse(nlh, sizeof(struct nlmsgerr), &ea);
	ctl_ext_ack_format(buf, sizeof(buf), ((struct nlmsgerr *)nlmsg_data(nlh))->error, &ea,
			   req ? nlmsg_hdr(req) : NULL);
	nlmsg_free(ack);
	return buf;
}

#define TEXT_IS(req, ack, want, ...) do {					\
	const char *got_ = text_of(req, ack);					\
	CHECK(!strcmp(got_, want), __VA_ARGS__);				\
	if (strcmp(got_, want))							\
		printf("# got '%s', want '%s'\n", got_, want);			\
} while (0)

int main(void)
{
	static const struct pol_range weight = { NL_ATTR_TYPE_U32, 1, 65535 };
	static const struct pol_range rate = { NL_ATTR_TYPE_U64, 0, IOFAIR_RATE_MAX };
	static const struct pol_range interval = { NL_ATTR_TYPE_U32, 10, 10000 };
	struct nl_msg *req;
	struct nlattr *nest;
	int id_off, max_off, weight_off, node_off, nest_off;

	KTAP_PLAN(10);

	/* target set 5 node 3 max 2tbit weight 70000 */
	req = req_new(IOFAIR_CMD_TARGET_SET);
	id_off = next_off(req);
	nla_put_u32(req, IOFAIR_A_TARGET_ID, 5);
	node_off = next_off(req);
	nla_put_u32(req, IOFAIR_A_TARGET_NODE, 3);
	nest_off = next_off(req);
	nest = nla_nest_start(req, IOFAIR_A_TARGET_POLICY);
	max_off = next_off(req);
	nla_put_u64(req, IOFAIR_A_POLICY_BW_MAX, 2000000000000ULL);
	weight_off = next_off(req);
	nla_put_u32(req, IOFAIR_A_POLICY_WEIGHT, 70000);
	nla_nest_end(req, nest);

	TEXT_IS(req, ack_new(-ERANGE, "integer out of range", weight_off, &weight),
		"weight: 70000 is out of range 1..65535",
		"a weight out of the policy's range, in a nest: the keyword and the range");
	TEXT_IS(req, ack_new(-ERANGE, "integer out of range", max_off, &rate),
		"max: 2Tbit is out of range 0..1Tbit", "a rate: spelled as rates");
	TEXT_IS(req, ack_new(-ENOENT, "no such node", node_off, NULL), "node: no such node",
		"a message about an attribute with a keyword: the keyword first");
	TEXT_IS(req, ack_new(-ENOENT, "no such target", id_off, NULL), "no such target",
		"about the id (no keyword): the message alone");
	TEXT_IS(req, ack_new(-EINVAL, "roots have no policy", nest_off, NULL),
		"roots have no policy", "about the policy nest: the message alone");
	TEXT_IS(req, ack_new(-EINVAL, "integer out of range", weight_off + 2, &weight),
		"integer out of range", "an offset inside an attribute: the message alone");
	TEXT_IS(req, ack_new(-EINVAL, "bad weight", weight_off, &(struct pol_range){
			NL_ATTR_TYPE_U32, 1, 100000 }),
		"weight: bad weight", "a value inside the policy's range: not called out of it");
	TEXT_IS(NULL, ack_new(-ERANGE, "integer out of range", weight_off, &weight),
		"integer out of range", "without the request: the message");
	TEXT_IS(req, ack_new(-EBUSY, NULL, -1, NULL), strerror(EBUSY),
		"no extack: the errno's text");
	nlmsg_free(req);

	/* controller set interval 5 */
	req = req_new(IOFAIR_CMD_CONTROLLER_SET);
	id_off = next_off(req);
	nla_put_u32(req, IOFAIR_A_CONTROLLER_INTERVAL_MS, 5);
	TEXT_IS(req, ack_new(-ERANGE, "integer out of range", id_off, &interval),
		"interval: 5ms is out of range 10ms..10000ms", "controller interval: in ms");
	nlmsg_free(req);
	KTAP_EXIT();
}
