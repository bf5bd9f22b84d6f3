// SPDX-License-Identifier: GPL-2.0
/*
 * rtnetlink for iofairctl dev, on plain libnl-3 (no libnl-route):
 *
 * - the VF config the PF driver holds: RTM_GETLINK on the PF with
 *   IFLA_EXT_MASK = RTEXT_FILTER_VF returns IFLA_VFINFO_LIST, one
 *   IFLA_VF_INFO per VF (what `ip link show PF` prints as "vf N ...");
 * - where a VF's netdev went when sysfs no longer shows it: a link dump in
 *   another netns, matched on IFLA_PARENT_DEV_NAME (the VF's PCI address,
 *   since 5.15).  Entering a netns (setns) needs CAP_SYS_ADMIN; without it
 *   the VF stays "elsewhere".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "dev.h"
#include "iofairctl.h"

#define NETNS_RUN_DIR "/run/netns"

typedef int (*rtnl_fn)(struct nlmsghdr *nlh, void *arg);

struct rtnl_req {
	rtnl_fn fn;
	void *arg;
	const char *what;	/* for error messages */
	int err;
	int done;
};

static struct nl_sock *rtnl_open(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1, err;

	if (!sk) {
		ctl_err("cannot allocate a netlink socket");
		return NULL;
	}
	err = nl_connect(sk, NETLINK_ROUTE);
	if (err) {
		ctl_err("cannot open an rtnetlink socket: %s", nl_geterror(err));
		nl_socket_free(sk);
		return NULL;
	}
	/* a PF with many VFs makes one large message */
	nl_socket_enable_msg_peek(sk);
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return sk;
}

static int rtnl_valid(struct nl_msg *msg, void *data)
{
	struct rtnl_req *req = data;
	int err = req->fn(nlmsg_hdr(msg), req->arg);

	if (err) {
		req->err = err;
		return NL_STOP;
	}
	return NL_OK;
}

static int rtnl_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *data)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = {};
	struct rtnl_req *req = data;
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
		    nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)e + off),
			      nlh->nlmsg_len - NLMSG_HDRLEN - off, NULL))
			tb[NLMSGERR_ATTR_MSG] = NULL;
	}
	if (tb[NLMSGERR_ATTR_MSG])
		ctl_err("%s: %s: %s", req->what, strerror(-e->error),
			nla_get_string(tb[NLMSGERR_ATTR_MSG]));
	else
		ctl_err("%s: %s", req->what, strerror(-e->error));
	return NL_STOP;
}

static int rtnl_done(struct nl_msg *msg, void *data)
{
	struct rtnl_req *req = data;

	(void)msg;
	req->done = 1;
	return NL_STOP;
}

/* Send @msg (consumed), feed each reply to @fn until the ACK or NLMSG_DONE. */
static int rtnl_talk(struct nl_sock *sk, struct nl_msg *msg, const char *what,
		     rtnl_fn fn, void *arg)
{
	struct rtnl_req req = { .fn = fn, .arg = arg, .what = what };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err;

	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, rtnl_valid, &req);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, rtnl_done, &req);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, rtnl_done, &req);
	nl_cb_err(cb, NL_CB_CUSTOM, rtnl_error, &req);

	err = nl_send_auto(sk, msg);
	nlmsg_free(msg);
	if (err < 0) {
		ctl_err("%s: cannot send to the kernel: %s", what, nl_geterror(err));
		nl_cb_put(cb);
		return -EIO;
	}
	while (!req.done && !req.err) {
		err = nl_recvmsgs(sk, cb);
		if (err < 0 && !req.err) {
			ctl_err("%s: cannot read the kernel's reply: %s", what, nl_geterror(err));
			req.err = -EIO;
		}
	}
	nl_cb_put(cb);
	return req.err;
}

static struct nl_msg *getlink_msg(int flags, int ifindex, uint32_t ext_mask)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC, .ifi_index = ifindex };
	struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, flags);

	if (!msg)
		return NULL;
	if (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) ||
	    (ext_mask && nla_put_u32(msg, IFLA_EXT_MASK, ext_mask))) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* @type's payload in @tb if it is at least @size bytes. */
static const void *vf_attr(struct nlattr **tb, int type, size_t size)
{
	if (!tb[type] || (size_t)nla_len(tb[type]) < size)
		return NULL;
	return nla_data(tb[type]);
}

/*
 * One IFLA_VF_INFO.  The VF number is in every per-VF struct; iproute2 takes
 * it from IFLA_VF_MAC, which the kernel always sends, and so do we.
 * IFLA_VF_RATE (min and max, 3.16+) supersedes IFLA_VF_TX_RATE (max only);
 * IFLA_VF_VLAN_LIST adds the VLAN protocol to IFLA_VF_VLAN.  The kernel
 * sends spoofchk and trust as -1 when the driver does not report them.
 */
static int vfinfo_one(struct nlattr *info, unsigned int addr_len, struct vf_cfg *cfg,
		      unsigned int ncfg)
{
	struct nlattr *tb[IFLA_VF_MAX + 1], *vl;
	const struct ifla_vf_mac *mac;
	const struct ifla_vf_rate *rate;
	const struct ifla_vf_tx_rate *txrate;
	const struct ifla_vf_vlan *vlan;
	const struct ifla_vf_spoofchk *spoof;
	const struct ifla_vf_trust *trust;
	const struct ifla_vf_link_state *ls;
	struct vf_cfg *c;
	int rem;

	if (nla_parse_nested(tb, IFLA_VF_MAX, info, NULL))
		return -EINVAL;
	mac = vf_attr(tb, IFLA_VF_MAC, sizeof(*mac));
	if (!mac)
		return -EINVAL;
	if (mac->vf >= ncfg)
		return 0;
	c = &cfg[mac->vf];
	memset(c, 0, sizeof(*c));
	c->valid = true;
	c->mac_len = addr_len < sizeof(c->mac) ? addr_len : sizeof(c->mac);
	memcpy(c->mac, mac->mac, c->mac_len);

	rate = vf_attr(tb, IFLA_VF_RATE, sizeof(*rate));
	txrate = vf_attr(tb, IFLA_VF_TX_RATE, sizeof(*txrate));
	if (rate) {
		c->max_tx_rate_mbit = rate->max_tx_rate;
		c->min_tx_rate_mbit = rate->min_tx_rate;
	} else if (txrate) {
		c->max_tx_rate_mbit = txrate->rate;
	}

	vlan = vf_attr(tb, IFLA_VF_VLAN, sizeof(*vlan));
	if (vlan) {
		c->vlan = vlan->vlan;
		c->qos = vlan->qos;
	}
	if (tb[IFLA_VF_VLAN_LIST]) {
		nla_for_each_nested(vl, tb[IFLA_VF_VLAN_LIST], rem) {
			const struct ifla_vf_vlan_info *vi = nla_data(vl);

			if (nla_type(vl) != IFLA_VF_VLAN_INFO || (size_t)nla_len(vl) < sizeof(*vi))
				continue;
			c->vlan = vi->vlan;
			c->qos = vi->qos;
			c->vlan_proto = ntohs(vi->vlan_proto);
			break;	/* the kernel reports one */
		}
	}

	spoof = vf_attr(tb, IFLA_VF_SPOOFCHK, sizeof(*spoof));
	trust = vf_attr(tb, IFLA_VF_TRUST, sizeof(*trust));
	ls = vf_attr(tb, IFLA_VF_LINK_STATE, sizeof(*ls));
	c->spoofchk = spoof && spoof->setting != (uint32_t)-1 ? !!spoof->setting : -1;
	c->trust = trust && trust->setting != (uint32_t)-1 ? !!trust->setting : -1;
	c->link_state = ls && ls->link_state < __IFLA_VF_LINK_STATE_MAX ? (int)ls->link_state : -1;
	return 1;
}

int vfinfo_parse(const struct nlattr *list, unsigned int addr_len, struct vf_cfg *cfg,
		 unsigned int ncfg)
{
	struct nlattr *info;
	int rem, n = 0, err;

	nla_for_each_nested(info, list, rem) {
		if (nla_type(info) != IFLA_VF_INFO)
			continue;
		err = vfinfo_one(info, addr_len, cfg, ncfg);
		if (err < 0)
			return err;
		n += err;
	}
	return n;
}

struct vf_config_ctx {
	struct sriov_pf *pf;
	struct vf_cfg *cfg;
	bool seen;
};

static int vf_config_reply(struct nlmsghdr *nlh, void *arg)
{
	struct vf_config_ctx *ctx = arg;
	struct nlattr *tb[IFLA_MAX + 1];
	struct ifinfomsg *ifi = nlmsg_data(nlh);
	unsigned int addr_len = 6;

	if (nlh->nlmsg_type != RTM_NEWLINK || nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX, NULL) ||
	    ifi->ifi_index != ctx->pf->ifindex)
		return 0;
	ctx->seen = true;
	if (tb[IFLA_ADDRESS])
		addr_len = (unsigned int)nla_len(tb[IFLA_ADDRESS]);
	if (tb[IFLA_VFINFO_LIST] &&
	    vfinfo_parse(tb[IFLA_VFINFO_LIST], addr_len, ctx->cfg, ctx->pf->nvfs) < 0) {
		ctl_err("PF %s: malformed IFLA_VFINFO_LIST from the kernel", ctx->pf->netdev);
		return -EPROTO;
	}
	return 0;
}

int rtnl_vf_config(struct sriov_pf *pf)
{
	struct vf_config_ctx ctx = { .pf = pf };
	char what[64];
	struct nl_sock *sk;
	struct nl_msg *msg;
	unsigned int i;
	int err;

	if (!pf->ifindex || !pf->nvfs)
		return 0;
	ctx.cfg = calloc(pf->nvfs, sizeof(*ctx.cfg));
	if (!ctx.cfg)
		return -ENOMEM;
	sk = rtnl_open();
	if (!sk) {
		free(ctx.cfg);
		return -EIO;
	}
	snprintf(what, sizeof(what), "VF config of PF %s", pf->netdev);
	msg = getlink_msg(NLM_F_REQUEST | NLM_F_ACK, pf->ifindex, RTEXT_FILTER_VF);
	err = msg ? rtnl_talk(sk, msg, what, vf_config_reply, &ctx) : -ENOMEM;
	nl_socket_free(sk);
	if (!err && !ctx.seen) {
		ctl_err("%s: no reply for ifindex %d", what, pf->ifindex);
		err = -EPROTO;
	}
	for (i = 0; !err && i < pf->nvfs; i++)
		pf->vfs[i].cfg = ctx.cfg[i];
	free(ctx.cfg);
	return err;
}

/* Network namespaces, told apart by their nsfs inode. */
static int ns_id(int fd, struct stat *st)
{
	return fstat(fd, st) ? -errno : 0;
}

const char *netns_self_label(void)
{
	static char label[DEV_NETNS_LEN];
	struct stat self, init, st;
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (label[0])
		return label;
	snprintf(label, sizeof(label), "host");
	/* /proc/1/ns/net is readable with ptrace rights on init: root */
	if (stat("/proc/self/ns/net", &self) || stat("/proc/1/ns/net", &init) ||
	    (self.st_dev == init.st_dev && self.st_ino == init.st_ino))
		return label;
	snprintf(label, sizeof(label), "current");
	d = opendir(NETNS_RUN_DIR);
	while (d && (de = readdir(d))) {
		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", de->d_name);
		if (de->d_name[0] != '.' && !stat(path, &st) &&
		    st.st_dev == self.st_dev && st.st_ino == self.st_ino) {
			snprintf(label, sizeof(label), "%s", de->d_name);
			break;
		}
	}
	if (d)
		closedir(d);
	return label;
}

struct locate_ctx {
	struct sriov_pf *pfs;
	size_t npfs;
	const char *label;
	unsigned int left;	/* VFs still elsewhere */
};

static int locate_reply(struct nlmsghdr *nlh, void *arg)
{
	struct locate_ctx *ctx = arg;
	struct nlattr *tb[IFLA_MAX + 1];
	struct ifinfomsg *ifi = nlmsg_data(nlh);
	const char *parent;
	size_t i;
	unsigned int v;

	if (nlh->nlmsg_type != RTM_NEWLINK || nlmsg_parse(nlh, sizeof(*ifi), tb, IFLA_MAX, NULL) ||
	    !tb[IFLA_IFNAME] || !tb[IFLA_PARENT_DEV_NAME] || !tb[IFLA_PARENT_DEV_BUS_NAME] ||
	    strcmp(nla_get_string(tb[IFLA_PARENT_DEV_BUS_NAME]), "pci"))
		return 0;
	parent = nla_get_string(tb[IFLA_PARENT_DEV_NAME]);
	for (i = 0; i < ctx->npfs; i++) {
		for (v = 0; v < ctx->pfs[i].nvfs; v++) {
			struct sriov_vf *vf = &ctx->pfs[i].vfs[v];

			if (vf->where != VF_ELSEWHERE || strcmp(vf->bdf, parent))
				continue;
			vf->where = VF_NETNS;
			vf->ifindex = ifi->ifi_index;
			snprintf(vf->netdev, sizeof(vf->netdev), "%s",
				 nla_get_string(tb[IFLA_IFNAME]));
			snprintf(vf->netns_name, sizeof(vf->netns_name), "%s", ctx->label);
			ctx->left--;
			return 0;
		}
	}
	return 0;
}

/*
 * An rtnetlink socket in the netns @fd: a socket stays in the netns it was
 * created in, so enter it, open the socket, and come back to @self.
 * Returns NULL with *eperm set when we may not enter.
 */
static struct nl_sock *rtnl_open_in(int fd, int self, bool *eperm)
{
	struct nl_sock *sk;

	if (setns(fd, CLONE_NEWNET)) {
		*eperm = errno == EPERM;
		return NULL;
	}
	sk = rtnl_open();
	if (setns(self, CLONE_NEWNET)) {
		ctl_err("cannot return to our own network namespace: %s", strerror(errno));
		exit(1);
	}
	return sk;
}

/* Dump the links of the netns at @path (labelled @label) unless it is one seen already. */
static int locate_in(const char *path, const char *label, int self, struct stat *seen,
		     unsigned int *nseen, struct locate_ctx *ctx)
{
	struct nl_sock *sk;
	struct nl_msg *msg;
	struct stat st;
	char what[DEV_NETNS_LEN + 32];
	bool eperm = false;
	unsigned int i;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (ns_id(fd, &st)) {
		close(fd);
		return 0;
	}
	for (i = 0; i < *nseen; i++) {
		if (seen[i].st_dev == st.st_dev && seen[i].st_ino == st.st_ino) {
			close(fd);
			return 0;
		}
	}
	seen[(*nseen)++] = st;
	sk = rtnl_open_in(fd, self, &eperm);
	close(fd);
	if (!sk)
		return eperm ? -EPERM : 0;
	ctx->label = label;
	snprintf(what, sizeof(what), "links of netns %s", label);
	msg = getlink_msg(NLM_F_REQUEST | NLM_F_DUMP, 0, 0);
	err = msg ? rtnl_talk(sk, msg, what, locate_reply, ctx) : -ENOMEM;
	nl_socket_free(sk);
	return err == -ENOMEM ? err : 0;
}

void rtnl_locate_vfs(struct sriov_pf *pfs, size_t npfs)
{
	struct locate_ctx ctx = { .pfs = pfs, .npfs = npfs };
	struct stat seen[64];
	unsigned int nseen = 0, v;
	char path[PATH_MAX];
	struct dirent *de;
	int self, err;
	size_t i;
	DIR *d;

	for (i = 0; i < npfs; i++)
		for (v = 0; v < pfs[i].nvfs; v++)
			ctx.left += pfs[i].vfs[v].where == VF_ELSEWHERE;
	if (!ctx.left)
		return;
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return;
	if (ns_id(self, &seen[0])) {
		close(self);
		return;
	}
	nseen = 1;

	err = locate_in("/proc/1/ns/net", "host", self, seen, &nseen, &ctx);
	d = opendir(NETNS_RUN_DIR);
	while (!err && ctx.left && d && (de = readdir(d)) &&
	       nseen < sizeof(seen) / sizeof(seen[0])) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", de->d_name);
		err = locate_in(path, de->d_name, self, seen, &nseen, &ctx);
	}
	if (d)
		closedir(d);
	close(self);
}
