// SPDX-License-Identifier: GPL-2.0
/*
 * iofairctl's generic netlink transport on libnl-genl-3.  Every request asks
 * for an ACK with extended attributes, so a refusal prints the kernel's own
 * explanation (NLMSGERR_ATTR_MSG) rather than a bare errno.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/genetlink.h>
#include <linux/iofair.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>

#include "iofairctl.h"
#include "nl.h"

struct ctl_nl {
	struct nl_sock *sk;
	int family;
};

struct ctl_nl_req {
	int maxattr;
	ctl_nl_reply_fn fn;
	void *arg;
	int err;		/* first error: kernel's or the callback's */
	int done;
};

struct ctl_nl *ctl_nl_open(void)
{
	struct ctl_nl *nl = calloc(1, sizeof(*nl));
	int err, one = 1;

	if (!nl) {
		ctl_err("out of memory");
		return NULL;
	}
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		ctl_err("cannot allocate a netlink socket");
		goto err_free;
	}
	err = genl_connect(nl->sk);
	if (err) {
		ctl_err("cannot open a generic netlink socket: %s", nl_geterror(err));
		goto err_sock;
	}
	/* extack messages, and errors without a copy of our request */
	if (setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one)) ||
	    setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one))) {
		ctl_err("cannot enable netlink extended ACKs: %s", strerror(errno));
		goto err_sock;
	}
	nl->family = genl_ctrl_resolve(nl->sk, IOFAIR_FAMILY_NAME);
	if (nl->family < 0) {
		ctl_err("the '%s' generic netlink family is not registered: is the module loaded? "
			"(modprobe iofair, or insmod iofair.ko)", IOFAIR_FAMILY_NAME);
		goto err_sock;
	}
	return nl;

err_sock:
	nl_socket_free(nl->sk);
err_free:
	free(nl);
	return NULL;
}

void ctl_nl_close(struct ctl_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

struct nl_msg *ctl_nl_msg(struct ctl_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
			 flags | NLM_F_ACK, cmd, IOFAIR_FAMILY_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int ctl_nl_valid(struct nl_msg *msg, void *data)
{
	struct ctl_nl_req *req = data;
	struct genlmsghdr *gnlh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[req->maxattr + 1];
	int err;

	err = nla_parse(tb, req->maxattr, genlmsg_attrdata(gnlh, 0),
			genlmsg_attrlen(gnlh, 0), NULL);
	if (err) {
		ctl_err("cannot parse the kernel's reply: %s", nl_geterror(err));
		req->err = -EPROTO;
		return NL_STOP;
	}
	err = req->fn ? req->fn(tb, genlmsg_attrdata(gnlh, 0),
				  genlmsg_attrlen(gnlh, 0), req->arg) : 0;
	if (err) {
		req->err = err;
		return NL_STOP;
	}
	return NL_OK;
}

/* Print the kernel's refusal: errno text, extack message, offending attribute. */
static int ctl_nl_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *data)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct ctl_nl_req *req = data;
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = {};
	const char *msg = NULL;
	size_t off = sizeof(*e);

	(void)nla;
	req->err = e->error;
	req->done = 1;
	if (!e->error)
		return NL_STOP;

	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - NLMSG_HDRLEN;
		if (NLMSG_HDRLEN + off < nlh->nlmsg_len &&
		    !nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off),
			       nlh->nlmsg_len - NLMSG_HDRLEN - off, NULL) &&
		    tb[NLMSGERR_ATTR_MSG])
			msg = nla_get_string(tb[NLMSGERR_ATTR_MSG]);
	}
	if (msg && tb[NLMSGERR_ATTR_OFFS])
		ctl_err("%s: %s (at attribute offset %u)", strerror(-e->error), msg,
			nla_get_u32(tb[NLMSGERR_ATTR_OFFS]));
	else if (msg)
		ctl_err("%s: %s", strerror(-e->error), msg);
	else
		ctl_err("%s", strerror(-e->error));
	return NL_STOP;
}

static int ctl_nl_finish(struct nl_msg *msg, void *data)
{
	struct ctl_nl_req *req = data;

	(void)msg;
	req->done = 1;
	return NL_STOP;
}

int ctl_nl_talk(struct ctl_nl *nl, struct nl_msg *msg, int maxattr,
		ctl_nl_reply_fn fn, void *arg)
{
	struct ctl_nl_req req = { .maxattr = maxattr, .fn = fn, .arg = arg };
	struct nl_cb *cb;
	int err;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, ctl_nl_valid, &req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, ctl_nl_finish, &req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ctl_nl_finish, &req);
	nl_cb_err(cb, NL_CB_CUSTOM, ctl_nl_error, &req);

	err = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (err < 0) {
		ctl_err("cannot send to the kernel: %s", nl_geterror(err));
		nl_cb_put(cb);
		return -EIO;
	}
	while (!req.done) {
		err = nl_recvmsgs(nl->sk, cb);
		if (err < 0 && !req.err) {
			ctl_err("cannot read the kernel's reply: %s", nl_geterror(err));
			req.err = -EIO;
		}
		if (req.err)
			break;
	}
	nl_cb_put(cb);
	return req.err;
}
