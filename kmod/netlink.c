// SPDX-License-Identifier: GPL-2.0
/*
 * The iofair generic netlink family.  Policies and the op table are
 * generated from Documentation/netlink/specs/iofair.yaml into
 * iofair-nl-gen.c; this file holds the handlers.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/utsname.h>
#include <net/genetlink.h>

#include "compat.h"
#include "iofair.h"
#include "iofair-nl-gen.h"

int iofair_nl_version_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	hdr = genlmsg_put_reply(msg, info, &iofair_nl_family, 0,
				IOFAIR_CMD_VERSION_GET);
	if (!hdr) {
		err = -EMSGSIZE;
		goto err_free;
	}
	if (nla_put_string(msg, IOFAIR_A_VERSION_VERSION, IOFAIR_VERSION) ||
	    nla_put_string(msg, IOFAIR_A_VERSION_KERNEL_RELEASE,
			   init_utsname()->release) ||
	    nla_put_u32(msg, IOFAIR_A_VERSION_VHOST_WORKER,
			iofair_features_vhost_worker()) ||
	    nla_put_u32(msg, IOFAIR_A_VERSION_HOOKS, iofair_features_hooks())) {
		err = -EMSGSIZE;
		goto err_free;
	}
	err = iofair_features_fill_probes(msg);
	if (err)
		goto err_free;

	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

err_free:
	nlmsg_free(msg);
	return err;
}

#ifdef IOFAIR_GENL_NO_SPLIT_OPS
/*
 * Before 6.2 a family has one genl_ops entry per command, serving both do and
 * dump.  The generated table has one entry per do and per dump: merge them.
 * A do and a dump of one command must share their request policy then.
 */
static struct genl_ops *iofair_genl_merged_ops;

static int iofair_genl_compat_init(void)
{
	const struct genl_ops *src = iofair_nl_family.ops;
	unsigned int i, j, n = 0;
	struct genl_ops *ops;

	ops = kcalloc(iofair_nl_family.n_ops, sizeof(*ops), GFP_KERNEL);
	if (!ops)
		return -ENOMEM;

	for (i = 0; i < iofair_nl_family.n_ops; i++) {
		for (j = 0; j < n && ops[j].cmd != src[i].cmd; j++)
			;
		if (j == n) {
			ops[n++] = src[i];
			continue;
		}
		if (src[i].policy && ops[j].policy &&
		    src[i].policy != ops[j].policy) {
			pr_err("command %u: do and dump policies differ, kernel needs split ops\n",
			       src[i].cmd);
			kfree(ops);
			return -EINVAL;
		}
		ops[j].doit = ops[j].doit ?: src[i].doit;
		ops[j].start = ops[j].start ?: src[i].start;
		ops[j].dumpit = ops[j].dumpit ?: src[i].dumpit;
		ops[j].done = ops[j].done ?: src[i].done;
		ops[j].policy = ops[j].policy ?: src[i].policy;
		ops[j].maxattr = max(ops[j].maxattr, src[i].maxattr);
		ops[j].flags |= src[i].flags;
	}
	iofair_nl_family.ops = ops;
	iofair_nl_family.n_ops = n;
	iofair_genl_merged_ops = ops;
	return 0;
}

static void iofair_genl_compat_exit(void)
{
	kfree(iofair_genl_merged_ops);
}
#else
static int iofair_genl_compat_init(void) { return 0; }
static void iofair_genl_compat_exit(void) { }
#endif

int iofair_netlink_init(void)
{
	int err;

	err = iofair_genl_compat_init();
	if (err)
		return err;

	err = genl_register_family(&iofair_nl_family);
	if (err) {
		pr_err("cannot register generic netlink family %s: %d\n",
		       IOFAIR_FAMILY_NAME, err);
		goto err_compat;
	}
	return 0;

err_compat:
	iofair_genl_compat_exit();
	return err;
}

void iofair_netlink_exit(void)
{
	genl_unregister_family(&iofair_nl_family);
	iofair_genl_compat_exit();
}

MODULE_ALIAS_GENL_FAMILY(IOFAIR_FAMILY_NAME);
