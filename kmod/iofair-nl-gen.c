// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/iofair.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "iofair-nl-gen.h"

#include <uapi/linux/iofair.h>

/* Ops table for iofair */
static const struct genl_split_ops iofair_nl_ops[] = {
	{
		.cmd	= IOFAIR_CMD_VERSION_GET,
		.doit	= iofair_nl_version_get_doit,
		.flags	= GENL_CMD_CAP_DO,
	},
};

struct genl_family iofair_nl_family __ro_after_init = {
	.name		= IOFAIR_FAMILY_NAME,
	.version	= IOFAIR_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.split_ops	= iofair_nl_ops,
	.n_split_ops	= ARRAY_SIZE(iofair_nl_ops),
};
