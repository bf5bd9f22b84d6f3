// SPDX-License-Identifier: GPL-2.0
/*
 * iofair: measure and govern virtualized network I/O on a KVM host.
 *
 * Module entry and exit.  Each subsystem has its own file; init brings them
 * up in order and unwinds in reverse on failure, exit mirrors init.  The
 * netlink family comes last and goes first: once it is gone no request can
 * create anything, and what exists is torn down below it: the targets
 * first, then the notifiers that follow their devices.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "features.h"
#include "iofair.h"
#include "netlink.h"
#include "pernet.h"
#include "target.h"
#include "vf.h"
#include "vfwatch.h"
#include "vhost.h"

static int __init iofair_init(void)
{
	int err;

	err = iofair_features_init();
	if (err)
		return err;

	err = iofair_pernet_init();
	if (err)
		goto err_features;

	err = iofair_target_notifier_init();
	if (err)
		goto err_pernet;

	err = iofair_vf_init();
	if (err)
		goto err_notifier;

	err = iofair_vhost_init();
	if (err)
		goto err_vf;

	err = iofair_netlink_init();
	if (err)
		goto err_vhost;

	pr_info("version %s loaded\n", IOFAIR_VERSION);
	return 0;

err_vhost:
	iofair_vhost_exit();
err_vf:
	iofair_vf_exit();
err_notifier:
	iofair_target_notifier_exit();
err_pernet:
	iofair_pernet_exit();
err_features:
	iofair_features_exit();
	return err;
}

static void __exit iofair_exit(void)
{
	/* It sends events: before the family.  No init: it starts with a vf target. */
	iofair_vfwatch_exit();
	iofair_netlink_exit();
	/*
	 * Every namespace's targets next, while the notifiers below still
	 * see their devices: a device deleted or moved later than this
	 * finds nothing of iofair on it, none of its references held.
	 */
	iofair_pernet_detach_all();
	iofair_vhost_exit();
	iofair_vf_exit();
	iofair_target_notifier_exit();
	iofair_pernet_exit();
	iofair_features_exit();
	rcu_barrier();	/* targets are freed by call_rcu */
	pr_info("unloaded\n");
}

module_init(iofair_init);
module_exit(iofair_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The iofair authors");
MODULE_DESCRIPTION("Measure and govern virtualized network I/O: SR-IOV VFs and vhost-net");
MODULE_VERSION(IOFAIR_VERSION);
