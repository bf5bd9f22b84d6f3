// SPDX-License-Identifier: GPL-2.0
/*
 * What the running kernel offers iofair: packet hook points (from the
 * kernel's config, fixed at build time) and probe points (asked of the
 * running kernel by registering a kprobe and removing it again).
 *
 * Probe points live partly in modules (vhost, vhost_net, tun) that may be
 * loaded after iofair.  They are tried at load, and a module's own points
 * again when it comes (a module notifier, in the task loading it: a
 * privileged event); they are marked missing when it goes.  version-get,
 * which needs no privilege, only reads the answers: no reader registers a
 * kprobe, which is system-wide state and costs tens to hundreds of
 * milliseconds under emulation, and no trial outlives the load that
 * caused it.  A probe point that cannot be attached is reported with its
 * errno; it never fails the module load.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/string.h>
#include <linux/version.h>
#include <net/netlink.h>
#include <uapi/linux/iofair.h>

#include "features.h"

struct iofair_probe_point {
	const char *symbol;
	const char *module;	/* "vmlinux" when built in */
};

/*
 * vhost_task_create: the vhost_task worker kind (6.4+), built in.
 * vhost_worker: the kthread worker function (up to 6.3).
 * vhost_run_work_list: the vhost_task worker function (6.4+).
 * vhost_poll_queue: a kick queued for the worker.
 * handle_tx_kick, handle_rx_kick: vhost-net's virtqueue handlers.
 * The vhost worker probes (vhost.c) use the handlers and:
 * vhost_worker_queue (6.4+) or vhost_work_queue (up to 6.3): all queueing;
 * handle_tx_net, handle_rx_net: the handlers of the tap's wakeups;
 * tun_recvmsg: the worker takes a packet off the tap.
 */
static const struct iofair_probe_point iofair_probe_points[] = {
	{ "vhost_task_create",	 "vmlinux" },
	{ "vhost_worker",	 "vhost" },
	{ "vhost_run_work_list", "vhost" },
	{ "vhost_poll_queue",	 "vhost" },
	{ "handle_tx_kick",	 "vhost_net" },
	{ "handle_rx_kick",	 "vhost_net" },
	{ "vhost_worker_queue",	 "vhost" },
	{ "vhost_work_queue",	 "vhost" },
	{ "handle_tx_net",	 "vhost_net" },
	{ "handle_rx_net",	 "vhost_net" },
	{ "tun_recvmsg",	 "tun" },
};

#define IOFAIR_NPROBES	ARRAY_SIZE(iofair_probe_points)

/*
 * The answers of the last trial: 0, or the errno of a trial kprobe.
 * Written under iofair_probe_lock, read without it.
 */
static int iofair_probe_err[IOFAIR_NPROBES];
static DEFINE_MUTEX(iofair_probe_lock);

/*
 * Try the probe points of module @name again (NULL: all of them), or mark
 * them missing when it is @going.  A trial registers a disabled kprobe (no
 * code is patched) and all of them go again in one batch: one RCU grace
 * period in all, not one per point.  Synchronous, in the caller's context
 * (module init, or the task loading that module): once it returns no trial
 * kprobe is left for anyone to see.
 */
static void iofair_probe_retry(const char *name, bool going)
{
	static struct kprobe kp[IOFAIR_NPROBES];	/* under iofair_probe_lock */
	struct kprobe *on[IOFAIR_NPROBES];
	unsigned int i, n = 0;
	int err;

	mutex_lock(&iofair_probe_lock);
	for (i = 0; i < IOFAIR_NPROBES; i++) {
		if (name && strcmp(name, iofair_probe_points[i].module))
			continue;
		if (going || !IS_ENABLED(CONFIG_KPROBES)) {
			WRITE_ONCE(iofair_probe_err[i], going ? -ENOENT : -EOPNOTSUPP);
			continue;
		}
		kp[i] = (struct kprobe) {
			.symbol_name	= iofair_probe_points[i].symbol,
			.flags		= KPROBE_FLAG_DISABLED,
		};
		err = register_kprobe(&kp[i]);
		if (!err)
			on[n++] = &kp[i];
		WRITE_ONCE(iofair_probe_err[i], err);
	}
	if (n)
		unregister_kprobes(on, n);
	mutex_unlock(&iofair_probe_lock);
}

static int iofair_probe_state(unsigned int i)
{
	return READ_ONCE(iofair_probe_err[i]);
}

/* A module came or went: its probe points, if it has any, are tried again. */
static int iofair_module_event(struct notifier_block *nb, unsigned long action, void *data)
{
	const struct module *mod = data;

	if (action == MODULE_STATE_LIVE || action == MODULE_STATE_GOING)
		iofair_probe_retry(mod->name, action == MODULE_STATE_GOING);
	return NOTIFY_DONE;
}

static struct notifier_block iofair_module_nb = {
	.notifier_call = iofair_module_event,
};

u32 iofair_features_hooks(void)
{
	u32 hooks = 0;

	if (IS_ENABLED(CONFIG_NETFILTER_INGRESS))
		hooks |= IOFAIR_HOOK_NF_INGRESS;
	if (IS_ENABLED(CONFIG_NETFILTER_EGRESS))
		hooks |= IOFAIR_HOOK_NF_EGRESS;
	if (IS_ENABLED(CONFIG_KPROBES))
		hooks |= IOFAIR_HOOK_KPROBES;
	return hooks;
}

/*
 * vhost_task (kernel/vhost_task.c, CONFIG_VHOST_TASK) replaced the per-device
 * kthread in 6.4.  Trust the running kernel over the version number: the
 * kind is vhost_task when vhost_task_create can be probed.
 */
u32 iofair_features_vhost_worker(void)
{
	if (!iofair_probe_state(0))	/* vhost_task_create */
		return IOFAIR_VHOST_WORKER_VHOST_TASK;
	if (KERNEL_VERSION(6, 4, 0) > LINUX_VERSION_CODE)
		return IOFAIR_VHOST_WORKER_KTHREAD;
	return IOFAIR_VHOST_WORKER_UNKNOWN;
}

int iofair_features_fill_probes(struct sk_buff *skb)
{
	const struct iofair_probe_point *pp;
	struct nlattr *nest;
	unsigned int i;
	int err;

	for (i = 0; i < IOFAIR_NPROBES; i++) {
		pp = &iofair_probe_points[i];
		err = iofair_probe_state(i);

		nest = nla_nest_start(skb, IOFAIR_A_VERSION_PROBE);
		if (!nest)
			return -EMSGSIZE;
		if (nla_put_string(skb, IOFAIR_A_PROBE_NAME, pp->symbol) ||
		    nla_put_string(skb, IOFAIR_A_PROBE_MODULE, pp->module) ||
		    nla_put_u32(skb, IOFAIR_A_PROBE_STATE,
				err ? IOFAIR_PROBE_STATE_MISSING :
				      IOFAIR_PROBE_STATE_AVAILABLE) ||
		    nla_put_s32(skb, IOFAIR_A_PROBE_ERROR, err)) {
			nla_nest_cancel(skb, nest);
			return -EMSGSIZE;
		}
		nla_nest_end(skb, nest);
	}
	return 0;
}

int iofair_features_init(void)
{
	u32 hooks = iofair_features_hooks();
	int err;

	if (!(hooks & IOFAIR_HOOK_KPROBES))
		pr_warn("kernel built without CONFIG_KPROBES: no vhost worker or PF driver probes\n");
	if (!(hooks & IOFAIR_HOOK_NF_INGRESS) || !(hooks & IOFAIR_HOOK_NF_EGRESS))
		pr_warn("kernel lacks netfilter netdev %s hooks: no per-packet measurement there\n",
			(hooks & IOFAIR_HOOK_NF_INGRESS) ? "egress" : "ingress");
	/* The notifier first: a module loaded meanwhile is tried either way. */
	err = register_module_notifier(&iofair_module_nb);
	if (!err)
		iofair_probe_retry(NULL, false);
	return err;
}

void iofair_features_exit(void)
{
	unregister_module_notifier(&iofair_module_nb);
}
