// SPDX-License-Identifier: GPL-2.0
/*
 * iofairctl's generic netlink transport on libnl-genl-3.  Every request asks
 * for an ACK with extended attributes, so a refusal prints the kernel's own
 * explanation (NLMSGERR_ATTR_MSG) rather than a bare errno, in the words of
 * the command line where it points at an attribute (nlerr.c).
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
#include "nlerr.h"

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
	/* dumps: the replies are kept until the dump is known consistent */
	int dump, intr;
	struct nl_msg **msgs;
	size_t nmsgs, cap;
	uint8_t cmd;		/* notifications: only this command */
	const struct nlmsghdr *sent;	/* the request, for the offsets in an extack */
};

/* How often a dump the kernel flags NLM_F_DUMP_INTR is tried again. */
#define CTL_NL_DUMP_RETRIES 2

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

/* Parse one reply and hand it to the caller's function. */
static int ctl_nl_deliver(struct ctl_nl_req *req, struct nl_msg *msg)
{
	struct genlmsghdr *gnlh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[req->maxattr + 1];
	int err;

	if (nlmsg_hdr(msg)->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN)) {
		ctl_err("the kernel's reply is truncated");
		req->err = -EPROTO;
		return NL_STOP;
	}
	if (req->cmd && gnlh->cmd != req->cmd)
		return NL_OK;
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

static int ctl_nl_valid(struct nl_msg *msg, void *data)
{
	struct ctl_nl_req *req = data;
	struct nl_msg **msgs;

	if (!req->dump)
		return ctl_nl_deliver(req, msg);
	msgs = vec_grow(req->msgs, &req->cap, req->nmsgs, sizeof(*msgs));
	if (!msgs) {
		ctl_err("out of memory");
		req->err = -ENOMEM;
		return NL_STOP;
	}
	req->msgs = msgs;
	nlmsg_get(msg);
	req->msgs[req->nmsgs++] = msg;
	return NL_OK;
}

static void ctl_nl_drop_msgs(struct ctl_nl_req *req)
{
	size_t i;

	for (i = 0; i < req->nmsgs; i++)
		nlmsg_free(req->msgs[i]);
	req->nmsgs = 0;
}

/*
 * The extack TLVs after an error, an ACK or a dump's final status (@off
 * bytes into the payload), printed as an error (@error < 0) or a warning.
 */
static void ctl_nl_report(const struct ctl_nl_req *req, struct nlmsghdr *nlh, size_t off,
			  int error)
{
	struct ctl_ext_ack ea;
	char text[512];

	ctl_ext_ack_parse(nlh, off, &ea);
	if (!error && !ea.msg)
		return;
	ctl_ext_ack_format(text, sizeof(text), error, &ea, req->sent);
	if (error)
		ctl_err("%s", text);
	else
		ctl_warn("%s", text);
}

/* Print the kernel's refusal: its message, in the command line's words. */
static int ctl_nl_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *data)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct ctl_nl_req *req = data;
	size_t off = sizeof(*e);

	(void)nla;
	req->err = e->error;
	req->done = 1;
	if (!e->error)
		return NL_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	ctl_nl_report(req, nlh, off, e->error);
	return NL_STOP;
}

/* A successful ACK may still carry a warning from the kernel. */
static int ctl_nl_ack(struct nl_msg *msg, void *data)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlmsgerr *e = nlmsg_data(nlh);
	struct ctl_nl_req *req = data;
	size_t off = sizeof(*e);

	req->done = 1;
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
		return NL_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	ctl_nl_report(req, nlh, off, 0);
	return NL_STOP;
}

/*
 * The end of a dump: NLMSG_DONE carries the dump's status (an int), and
 * when it failed, the extack TLVs after it.
 */
static int ctl_nl_finish(struct nl_msg *msg, void *data)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct ctl_nl_req *req = data;
	int error;

	req->done = 1;
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		req->intr = 1;
	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(error)))
		return NL_STOP;
	memcpy(&error, NLMSG_DATA(nlh), sizeof(error));
	if (error >= 0)
		return NL_STOP;
	ctl_nl_report(req, nlh, sizeof(error), error);
	if (!req->err)
		req->err = error;
	return NL_STOP;
}

/* Part of the dump was taken before a change and part after: take it again. */
static int ctl_nl_dump_intr(struct nl_msg *msg, void *data)
{
	struct ctl_nl_req *req = data;

	(void)msg;
	req->intr = 1;
	return NL_OK;
}

static struct nl_cb *ctl_nl_cb(struct ctl_nl_req *req)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		return NULL;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, ctl_nl_valid, req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, ctl_nl_finish, req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ctl_nl_ack, req);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, ctl_nl_dump_intr, req);
	nl_cb_err(cb, NL_CB_CUSTOM, ctl_nl_error, req);
	return cb;
}

/* Send @msg (not consumed) and read until the kernel's answer is complete. */
static int ctl_nl_exchange(struct ctl_nl *nl, struct nl_msg *msg, struct ctl_nl_req *req)
{
	struct nl_cb *cb;
	int err;

	cb = ctl_nl_cb(req);
	if (!cb)
		return -ENOMEM;
	err = nl_send_auto(nl->sk, msg);
	if (err < 0) {
		ctl_err("cannot send to the kernel: %s", nl_geterror(err));
		nl_cb_put(cb);
		return -EIO;
	}
	while (!req->done) {
		err = nl_recvmsgs(nl->sk, cb);
		if (err < 0 && !req->err) {
			ctl_err("cannot read the kernel's reply: %s", nl_geterror(err));
			req->err = -EIO;
		}
		if (req->err)
			break;
	}
	nl_cb_put(cb);
	return req->err;
}

int ctl_nl_talk(struct ctl_nl *nl, struct nl_msg *msg, int maxattr,
		ctl_nl_reply_fn fn, void *arg)
{
	struct ctl_nl_req req = { .maxattr = maxattr, .fn = fn, .arg = arg };
	int err, tries = 0;
	size_t i;

	req.dump = !!(nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP);
	req.sent = nlmsg_hdr(msg);
	for (;;) {
		err = ctl_nl_exchange(nl, msg, &req);
		if (err || !req.dump || !req.intr)
			break;
		ctl_nl_drop_msgs(&req);
		if (tries++ == CTL_NL_DUMP_RETRIES) {
			ctl_err("the objects kept changing while the kernel listed them; try again");
			err = -EAGAIN;
			break;
		}
		/* the same request again, under a new sequence number */
		nlmsg_hdr(msg)->nlmsg_seq = NL_AUTO_SEQ;
		req.done = req.intr = 0;
	}
	nlmsg_free(msg);
	for (i = 0; !err && i < req.nmsgs; i++) {
		ctl_nl_deliver(&req, req.msgs[i]);
		err = req.err;
	}
	ctl_nl_drop_msgs(&req);
	free(req.msgs);
	return err;
}

int ctl_nl_subscribe(struct ctl_nl *nl, const char *group)
{
	int grp, err;

	grp = genl_ctrl_resolve_grp(nl->sk, IOFAIR_FAMILY_NAME, group);
	if (grp < 0) {
		ctl_err("the '%s' family has no multicast group '%s': %s", IOFAIR_FAMILY_NAME,
			group, nl_geterror(grp));
		return -ENOENT;
	}
	err = nl_socket_add_membership(nl->sk, grp);
	if (err) {
		ctl_err("cannot join the '%s' group: %s", group, nl_geterror(err));
		return -EIO;
	}
	nl_socket_set_buffer_size(nl->sk, 1 << 20, 0);
	err = nl_socket_set_nonblocking(nl->sk);
	if (err) {
		ctl_err("cannot make the netlink socket non-blocking: %s", nl_geterror(err));
		return -EIO;
	}
	return 0;
}

int ctl_nl_fd(struct ctl_nl *nl)
{
	return nl_socket_get_fd(nl->sk);
}

static int ctl_nl_no_seq_check(struct nl_msg *msg, void *data)
{
	(void)msg;
	(void)data;
	return NL_OK;
}

int ctl_nl_recv_ntf(struct ctl_nl *nl, uint8_t cmd, int maxattr, ctl_nl_reply_fn fn, void *arg)
{
	struct ctl_nl_req req = { .maxattr = maxattr, .fn = fn, .arg = arg, .cmd = cmd };
	struct nl_cb *cb;
	int err;

	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, ctl_nl_valid, &req);
	/* a fresh callback set checks sequence numbers again: not here */
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, ctl_nl_no_seq_check, NULL);
	err = nl_recvmsgs(nl->sk, cb);
	nl_cb_put(cb);
	if (req.err)
		return req.err;
	if (err == -NLE_NOMEM)	/* ENOBUFS: the socket overflowed */
		return -ENOBUFS;
	if (err < 0 && err != -NLE_AGAIN) {
		ctl_err("cannot read notifications: %s", nl_geterror(err));
		return -EIO;
	}
	return 0;
}
