/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/iofair.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_IOFAIR_H
#define _UAPI_LINUX_IOFAIR_H

#define IOFAIR_FAMILY_NAME	"iofair"
#define IOFAIR_FAMILY_VERSION	1

#define IOFAIR_VERSION_LEN	32
#define IOFAIR_NAME_LEN		32
#define IOFAIR_RATE_MAX		1000000000000
#define IOFAIR_BURST_MAX	268435456
#define IOFAIR_VF_MAX		4095
#define IOFAIR_TARGETS_MAX	2048
#define IOFAIR_NODES_MAX	1024
#define IOFAIR_DEPTH_MAX	8

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

/**
 * enum iofair_target_kind - What a target is.
 * @IOFAIR_TARGET_KIND_VF: An SR-IOV Virtual Function: the PF netdev (ifindex)
 *   and the VF index. Configured and observed through the PF driver; hooked in
 *   software too while the VF netdev is bound on this host.
 * @IOFAIR_TARGET_KIND_VHOST: A tap or macvtap netdev whose queues are served
 *   by vhost-net.
 * @IOFAIR_TARGET_KIND_DEV: Any other netdev (veth, a host-bound VF netdev):
 *   software hooks only.
 */
enum iofair_target_kind {
	IOFAIR_TARGET_KIND_VF,
	IOFAIR_TARGET_KIND_VHOST,
	IOFAIR_TARGET_KIND_DEV,
};

/**
 * enum iofair_enforce - Where a target's rate limit is enforced.
 * @IOFAIR_ENFORCE_HW: By the PF driver's VF rate limiter (vf targets only).
 * @IOFAIR_ENFORCE_SW: By iofair's own limiter on the target's netdev.
 * @IOFAIR_ENFORCE_BOTH: Both (vf targets only).
 */
enum iofair_enforce {
	IOFAIR_ENFORCE_HW,
	IOFAIR_ENFORCE_SW,
	IOFAIR_ENFORCE_BOTH,
};

/**
 * enum iofair_ownership - What a change made to a VF's configuration behind
 *   iofair's back does (vf targets only).
 * @IOFAIR_OWNERSHIP_ENFORCE: iofair puts its own values back and reports the
 *   change.
 * @IOFAIR_OWNERSHIP_ADOPT: iofair takes the new values as the target's policy
 *   and reports the change.
 */
enum iofair_ownership {
	IOFAIR_OWNERSHIP_ENFORCE,
	IOFAIR_OWNERSHIP_ADOPT,
};

/**
 * enum iofair_node_kind - What a node stands for. A node without a parent is a
 *   root.
 * @IOFAIR_NODE_KIND_ROOT: The top of a tree: owns a capacity (an uplink budget
 *   or a link's speed).
 * @IOFAIR_NODE_KIND_TENANT: A VM or container, possibly with several targets.
 * @IOFAIR_NODE_KIND_GROUP: A group of tenants or of other groups.
 */
enum iofair_node_kind {
	IOFAIR_NODE_KIND_ROOT,
	IOFAIR_NODE_KIND_TENANT,
	IOFAIR_NODE_KIND_GROUP,
};

/**
 * enum iofair_source - Where a target's figures come from.
 * @IOFAIR_SOURCE_NONE: Nothing measures this target now (for example a VF
 *   passed through to a VM on a PF driver without VF counters): its counters
 *   are absent, not zero.
 * @IOFAIR_SOURCE_HOOK: iofair's per-packet hooks on the target's netdev.
 * @IOFAIR_SOURCE_PF_DRIVER: The PF driver's VF counters (ndo_get_vf_stats).
 */
enum iofair_source {
	IOFAIR_SOURCE_NONE,
	IOFAIR_SOURCE_HOOK,
	IOFAIR_SOURCE_PF_DRIVER,
};

/**
 * enum iofair_drop_reason - Why iofair dropped a packet. Each reason has its
 *   own counter.
 * @IOFAIR_DROP_REASON_QUEUE_FULL: The limiter's hold queue was full.
 * @IOFAIR_DROP_REASON_TOO_BIG: The packet is larger than the limiter's burst
 *   and could never be sent.
 * @IOFAIR_DROP_REASON_DETACH: Held in the limiter when the target went away or
 *   the module was unloaded.
 * @IOFAIR_DROP_REASON_NOMEM: No memory for the limiter's bookkeeping.
 */
enum iofair_drop_reason {
	IOFAIR_DROP_REASON_QUEUE_FULL,
	IOFAIR_DROP_REASON_TOO_BIG,
	IOFAIR_DROP_REASON_DETACH,
	IOFAIR_DROP_REASON_NOMEM,
};

/**
 * enum iofair_hist_kind - Latency histograms a target can keep (log2 buckets
 *   in ns, per CPU, merged on read). Off until asked for; a histogram that is
 *   off has no hook and costs nothing.
 * @IOFAIR_HIST_KIND_SOJOURN: Time a packet spent between two iofair hook
 *   points on its way across the host.
 * @IOFAIR_HIST_KIND_KICK_DELAY: vhost targets -- from a virtqueue kick queued
 *   for the worker to the start of its service.
 * @IOFAIR_HIST_KIND_SERVICE_TIME: vhost targets -- duration of one service
 *   pass of a virtqueue handler.
 * @IOFAIR_HIST_KIND_RTT_ICMP: ICMP echo request to its reply, seen at the
 *   target's netdev.
 * @IOFAIR_HIST_KIND_RTT_TCP_SYN: TCP SYN to SYN-ACK, seen at the target's
 *   netdev.
 * @IOFAIR_HIST_KIND_RTT_TCP_DATA: TCP data to the ACK that covers it, seen at
 *   the target's netdev.
 */
enum iofair_hist_kind {
	IOFAIR_HIST_KIND_SOJOURN,
	IOFAIR_HIST_KIND_KICK_DELAY,
	IOFAIR_HIST_KIND_SERVICE_TIME,
	IOFAIR_HIST_KIND_RTT_ICMP,
	IOFAIR_HIST_KIND_RTT_TCP_SYN,
	IOFAIR_HIST_KIND_RTT_TCP_DATA,
};

/**
 * enum iofair_event_type - What an event notification reports.
 * @IOFAIR_EVENT_TYPE_TARGET_NEW: A target was added.
 * @IOFAIR_EVENT_TYPE_TARGET_DEL: A target was removed (see the reason).
 * @IOFAIR_EVENT_TYPE_NODE_NEW: A node was added.
 * @IOFAIR_EVENT_TYPE_NODE_DEL: A node was removed.
 * @IOFAIR_EVENT_TYPE_POLICY_CHANGE: A target's or node's settings or policy
 *   changed.
 * @IOFAIR_EVENT_TYPE_VF_CONFIG: A VF's configuration changed in the PF driver
 *   (old and new values).
 * @IOFAIR_EVENT_TYPE_CONFORMANCE_ALARM: A target ran above its allocation by
 *   more than the conformance margin.
 * @IOFAIR_EVENT_TYPE_VF_GONE: A vf target's VF was destroyed (sriov_numvfs
 *   lowered). The target stays, with its policy and node, and has no effect
 *   until the VF is back.
 * @IOFAIR_EVENT_TYPE_VF_BACK: The VF of a vf target exists again (same PF,
 *   same index): its policy is pushed and its hooks and watch are back.
 */
enum iofair_event_type {
	IOFAIR_EVENT_TYPE_TARGET_NEW,
	IOFAIR_EVENT_TYPE_TARGET_DEL,
	IOFAIR_EVENT_TYPE_NODE_NEW,
	IOFAIR_EVENT_TYPE_NODE_DEL,
	IOFAIR_EVENT_TYPE_POLICY_CHANGE,
	IOFAIR_EVENT_TYPE_VF_CONFIG,
	IOFAIR_EVENT_TYPE_CONFORMANCE_ALARM,
	IOFAIR_EVENT_TYPE_VF_GONE,
	IOFAIR_EVENT_TYPE_VF_BACK,
};

/**
 * enum iofair_del_reason - Why a target or node went away.
 * @IOFAIR_DEL_REASON_USER: Deleted by a request.
 * @IOFAIR_DEL_REASON_DEVICE_GONE: Its netdev was unregistered or left the
 *   namespace.
 * @IOFAIR_DEL_REASON_VF_GONE: No longer sent: a vf target stays when its VF is
 *   destroyed (event vf-gone) and is bound again when the VF is back.
 * @IOFAIR_DEL_REASON_NETNS_GONE: Its network namespace is being destroyed.
 */
enum iofair_del_reason {
	IOFAIR_DEL_REASON_USER,
	IOFAIR_DEL_REASON_DEVICE_GONE,
	IOFAIR_DEL_REASON_VF_GONE,
	IOFAIR_DEL_REASON_NETNS_GONE,
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
	IOFAIR_A_POLICY_BW_MIN = 1,
	IOFAIR_A_POLICY_BW_MAX,
	IOFAIR_A_POLICY_BURST,
	IOFAIR_A_POLICY_WEIGHT,
	IOFAIR_A_POLICY_PAD,

	__IOFAIR_A_POLICY_MAX,
	IOFAIR_A_POLICY_MAX = (__IOFAIR_A_POLICY_MAX - 1)
};

enum {
	IOFAIR_A_TARGET_ID = 1,
	IOFAIR_A_TARGET_KIND,
	IOFAIR_A_TARGET_IFINDEX,
	IOFAIR_A_TARGET_IFNAME,
	IOFAIR_A_TARGET_VF,
	IOFAIR_A_TARGET_NODE,
	IOFAIR_A_TARGET_ENFORCE,
	IOFAIR_A_TARGET_OWNERSHIP,
	IOFAIR_A_TARGET_POLICY,
	IOFAIR_A_TARGET_RX_BW_MAX,
	IOFAIR_A_TARGET_VF_IFINDEX,
	IOFAIR_A_TARGET_VF_HOST_BOUND,
	IOFAIR_A_TARGET_HW_ENFORCED,
	IOFAIR_A_TARGET_HW_MIN,
	IOFAIR_A_TARGET_HIST,
	IOFAIR_A_TARGET_HOST_SIDE,
	IOFAIR_A_TARGET_PAD,
	IOFAIR_A_TARGET_VF_PRESENT,

	__IOFAIR_A_TARGET_MAX,
	IOFAIR_A_TARGET_MAX = (__IOFAIR_A_TARGET_MAX - 1)
};

enum {
	IOFAIR_A_NODE_ID = 1,
	IOFAIR_A_NODE_NAME,
	IOFAIR_A_NODE_KIND,
	IOFAIR_A_NODE_PARENT,
	IOFAIR_A_NODE_CAPACITY,
	IOFAIR_A_NODE_LINK,
	IOFAIR_A_NODE_POLICY,
	IOFAIR_A_NODE_CHILDREN,
	IOFAIR_A_NODE_PAD,

	__IOFAIR_A_NODE_MAX,
	IOFAIR_A_NODE_MAX = (__IOFAIR_A_NODE_MAX - 1)
};

enum {
	IOFAIR_A_DROP_REASON = 1,
	IOFAIR_A_DROP_PACKETS,

	__IOFAIR_A_DROP_MAX,
	IOFAIR_A_DROP_MAX = (__IOFAIR_A_DROP_MAX - 1)
};

enum {
	IOFAIR_A_TRAFFIC_PACKETS = 1,
	IOFAIR_A_TRAFFIC_BYTES,
	IOFAIR_A_TRAFFIC_RATE,
	IOFAIR_A_TRAFFIC_DROP,
	IOFAIR_A_TRAFFIC_DELAYED,

	__IOFAIR_A_TRAFFIC_MAX,
	IOFAIR_A_TRAFFIC_MAX = (__IOFAIR_A_TRAFFIC_MAX - 1)
};

enum {
	IOFAIR_A_VQ_INDEX = 1,
	IOFAIR_A_VQ_KICKS,
	IOFAIR_A_VQ_PASSES,
	IOFAIR_A_VQ_PACKETS,
	IOFAIR_A_VQ_BYTES,
	IOFAIR_A_VQ_WEIGHT_LIMITED,
	IOFAIR_A_VQ_DELAY_NS,
	IOFAIR_A_VQ_SERVICE_NS,

	__IOFAIR_A_VQ_MAX,
	IOFAIR_A_VQ_MAX = (__IOFAIR_A_VQ_MAX - 1)
};

enum {
	IOFAIR_A_HIST_BUCKET_UPPER_NS = 1,
	IOFAIR_A_HIST_BUCKET_COUNT,

	__IOFAIR_A_HIST_BUCKET_MAX,
	IOFAIR_A_HIST_BUCKET_MAX = (__IOFAIR_A_HIST_BUCKET_MAX - 1)
};

enum {
	IOFAIR_A_HIST_KIND = 1,
	IOFAIR_A_HIST_COUNT,
	IOFAIR_A_HIST_SUM_NS,
	IOFAIR_A_HIST_BUCKET,
	IOFAIR_A_HIST_LOST_FULL,
	IOFAIR_A_HIST_LOST_AMBIGUOUS,
	IOFAIR_A_HIST_LOST_UNANSWERED,

	__IOFAIR_A_HIST_MAX,
	IOFAIR_A_HIST_MAX = (__IOFAIR_A_HIST_MAX - 1)
};

enum {
	IOFAIR_A_HISTS_TARGET_ID = 1,
	IOFAIR_A_HISTS_KIND,
	IOFAIR_A_HISTS_HIST,

	__IOFAIR_A_HISTS_MAX,
	IOFAIR_A_HISTS_MAX = (__IOFAIR_A_HISTS_MAX - 1)
};

enum {
	IOFAIR_A_STATS_TIME = 1,
	IOFAIR_A_STATS_TARGET_ID,
	IOFAIR_A_STATS_NODE_ID,
	IOFAIR_A_STATS_KIND,
	IOFAIR_A_STATS_SOURCE,
	IOFAIR_A_STATS_TX,
	IOFAIR_A_STATS_RX,
	IOFAIR_A_STATS_ALLOCATED,
	IOFAIR_A_STATS_DEMAND,
	IOFAIR_A_STATS_CONFORMANCE,
	IOFAIR_A_STATS_JAIN,
	IOFAIR_A_STATS_CAPACITY,
	IOFAIR_A_STATS_VQ,
	IOFAIR_A_STATS_WORKER_PID,
	IOFAIR_A_STATS_WORKER_CPU_NS,
	IOFAIR_A_STATS_WORKER_WAKEUPS,
	IOFAIR_A_STATS_PAD,

	__IOFAIR_A_STATS_MAX,
	IOFAIR_A_STATS_MAX = (__IOFAIR_A_STATS_MAX - 1)
};

enum {
	IOFAIR_A_CONTROLLER_ENABLED = 1,
	IOFAIR_A_CONTROLLER_INTERVAL_MS,
	IOFAIR_A_CONTROLLER_HYSTERESIS,
	IOFAIR_A_CONTROLLER_CONFORMANCE_MARGIN,
	IOFAIR_A_CONTROLLER_CONFORMANCE_WINDOW_MS,
	IOFAIR_A_CONTROLLER_STEPS,
	IOFAIR_A_CONTROLLER_LAST_STEP_NS,

	__IOFAIR_A_CONTROLLER_MAX,
	IOFAIR_A_CONTROLLER_MAX = (__IOFAIR_A_CONTROLLER_MAX - 1)
};

enum {
	IOFAIR_A_VF_CONFIG_MAX_TX_RATE = 1,
	IOFAIR_A_VF_CONFIG_MIN_TX_RATE,
	IOFAIR_A_VF_CONFIG_TRUST,
	IOFAIR_A_VF_CONFIG_SPOOFCHK,
	IOFAIR_A_VF_CONFIG_LINK_STATE,
	IOFAIR_A_VF_CONFIG_VLAN,
	IOFAIR_A_VF_CONFIG_MAC,

	__IOFAIR_A_VF_CONFIG_MAX,
	IOFAIR_A_VF_CONFIG_MAX = (__IOFAIR_A_VF_CONFIG_MAX - 1)
};

enum {
	IOFAIR_A_EVENT_TYPE = 1,
	IOFAIR_A_EVENT_TIME,
	IOFAIR_A_EVENT_TARGET_ID,
	IOFAIR_A_EVENT_NODE_ID,
	IOFAIR_A_EVENT_KIND,
	IOFAIR_A_EVENT_IFINDEX,
	IOFAIR_A_EVENT_VF,
	IOFAIR_A_EVENT_REASON,
	IOFAIR_A_EVENT_OLD,
	IOFAIR_A_EVENT_NEW,
	IOFAIR_A_EVENT_BY_IOFAIR,
	IOFAIR_A_EVENT_ACHIEVED,
	IOFAIR_A_EVENT_ALLOCATED,
	IOFAIR_A_EVENT_POLICY,
	IOFAIR_A_EVENT_PAD,

	__IOFAIR_A_EVENT_MAX,
	IOFAIR_A_EVENT_MAX = (__IOFAIR_A_EVENT_MAX - 1)
};

enum {
	IOFAIR_CMD_VERSION_GET = 1,
	IOFAIR_CMD_TARGET_ADD,
	IOFAIR_CMD_TARGET_DEL,
	IOFAIR_CMD_TARGET_SET,
	IOFAIR_CMD_TARGET_GET,
	IOFAIR_CMD_NODE_NEW,
	IOFAIR_CMD_NODE_DEL,
	IOFAIR_CMD_NODE_SET,
	IOFAIR_CMD_NODE_GET,
	IOFAIR_CMD_STATS_GET,
	IOFAIR_CMD_STATS_RESET,
	IOFAIR_CMD_HIST_GET,
	IOFAIR_CMD_CONTROLLER_GET,
	IOFAIR_CMD_CONTROLLER_SET,
	IOFAIR_CMD_EVENT_NTF,

	__IOFAIR_CMD_MAX,
	IOFAIR_CMD_MAX = (__IOFAIR_CMD_MAX - 1)
};

#define IOFAIR_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_IOFAIR_H */
