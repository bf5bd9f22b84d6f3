/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/iofair.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_IOFAIR_H
#define _UAPI_LINUX_IOFAIR_H

#define IOFAIR_FAMILY_NAME	"iofair"
#define IOFAIR_FAMILY_VERSION	1

#define IOFAIR_VERSION_LEN	32

/**
 * enum iofair_vhost_worker - How the running kernel serves vhost virtqueues.
 * @IOFAIR_VHOST_WORKER_UNKNOWN: Neither kind could be identified.
 * @IOFAIR_VHOST_WORKER_KTHREAD: One kernel thread "vhost-PID" per device
 *   (kernels up to 6.3).
 * @IOFAIR_VHOST_WORKER_VHOST_TASK: A vhost_task per device, a thread of the
 *   owner (kernels from 6.4).
 */
enum iofair_vhost_worker {
	IOFAIR_VHOST_WORKER_UNKNOWN,
	IOFAIR_VHOST_WORKER_KTHREAD,
	IOFAIR_VHOST_WORKER_VHOST_TASK,
};

/**
 * enum iofair_hook - Packet hook points the running kernel offers.
 * @IOFAIR_HOOK_NF_INGRESS: netfilter netdev ingress hook
 *   (CONFIG_NETFILTER_INGRESS).
 * @IOFAIR_HOOK_NF_EGRESS: netfilter netdev egress hook
 *   (CONFIG_NETFILTER_EGRESS).
 * @IOFAIR_HOOK_KPROBES: kprobes (CONFIG_KPROBES), used for the vhost worker
 *   and PF driver probes.
 */
enum iofair_hook {
	IOFAIR_HOOK_NF_INGRESS = 1,
	IOFAIR_HOOK_NF_EGRESS = 2,
	IOFAIR_HOOK_KPROBES = 4,
};

/**
 * enum iofair_probe_state - Whether a probe point can be attached in the
 *   running kernel.
 * @IOFAIR_PROBE_STATE_AVAILABLE: A kprobe registered on it at load time.
 * @IOFAIR_PROBE_STATE_MISSING: No kprobe registered: the symbol does not exist
 *   in this kernel, cannot be probed, or lives in a module that is not loaded
 *   (see the probe's error and module attributes).
 */
enum iofair_probe_state {
	IOFAIR_PROBE_STATE_AVAILABLE,
	IOFAIR_PROBE_STATE_MISSING,
};

enum {
	IOFAIR_A_PROBE_NAME = 1,
	IOFAIR_A_PROBE_MODULE,
	IOFAIR_A_PROBE_STATE,
	IOFAIR_A_PROBE_ERROR,

	__IOFAIR_A_PROBE_MAX,
	IOFAIR_A_PROBE_MAX = (__IOFAIR_A_PROBE_MAX - 1)
};

enum {
	IOFAIR_A_VERSION_VERSION = 1,
	IOFAIR_A_VERSION_KERNEL_RELEASE,
	IOFAIR_A_VERSION_VHOST_WORKER,
	IOFAIR_A_VERSION_HOOKS,
	IOFAIR_A_VERSION_PROBE,

	__IOFAIR_A_VERSION_MAX,
	IOFAIR_A_VERSION_MAX = (__IOFAIR_A_VERSION_MAX - 1)
};

enum {
	IOFAIR_CMD_VERSION_GET = 1,

	__IOFAIR_CMD_MAX,
	IOFAIR_CMD_MAX = (__IOFAIR_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_IOFAIR_H */
