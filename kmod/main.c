// SPDX-License-Identifier: GPL-2.0
/*
 * iofair: measure and govern virtualized network I/O on a KVM host.
 *
 * Module entry and exit.  Each subsystem has its own file; init brings them
 * up in order and unwinds in reverse on failure, exit mirrors init.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "iofair.h"

static int __init iofair_init(void)
{
	int err;

	err = iofair_features_init();
	if (err)
		return err;

	err = iofair_netlink_init();
	if (err)
		return err;

	pr_info("version %s loaded\n", IOFAIR_VERSION);
	return 0;
}

static void __exit iofair_exit(void)
{
	iofair_netlink_exit();
	pr_info("unloaded\n");
}

module_init(iofair_init);
module_exit(iofair_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The iofair authors");
MODULE_DESCRIPTION("Measure and govern virtualized network I/O: SR-IOV VFs and vhost-net");
MODULE_VERSION(IOFAIR_VERSION);
