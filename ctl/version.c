// SPDX-License-Identifier: GPL-2.0
/*
 * iofairctl version: the CLI's version, and what the loaded module reports
 * about itself and the running kernel (vhost worker kind, hook and probe
 * points).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/iofair.h>

#include "iofairctl.h"
#include "json.h"
#include "names.h"
#include "nl.h"

static const char *const vhost_worker_names[] = {
	[IOFAIR_VHOST_WORKER_UNKNOWN]	 = "unknown",
	[IOFAIR_VHOST_WORKER_KTHREAD]	 = "kthread",
	[IOFAIR_VHOST_WORKER_VHOST_TASK] = "vhost-task",
};

static const char *const hook_names[] = { "nf-ingress", "nf-egress", "kprobes" };

struct version_ctx {
	struct json *j;
};

static const char *vhost_worker_name(uint32_t v)
{
	if (v < sizeof(vhost_worker_names) / sizeof(vhost_worker_names[0]))
		return vhost_worker_names[v];
	return "unknown";
}

/* Why a probe is missing, in words: a module that is not loaded is common. */
static const char *probe_reason(const char *module, int32_t error, char *buf, size_t len)
{
	char path[128];

	if (strcmp(module, "vmlinux")) {
		snprintf(path, sizeof(path), "/sys/module/%s", module);
		if (access(path, F_OK)) {
			snprintf(buf, len, "module %s not loaded", module);
			return buf;
		}
	}
	snprintf(buf, len, "%s", error == -ENOENT ? "no such symbol" : strerror(-error));
	return buf;
}

static void version_probe(struct json *j, struct nlattr *attr)
{
	struct nlattr *tb[IOFAIR_A_PROBE_MAX + 1];
	const char *name = "?", *module = "vmlinux";
	bool avail = false;
	int32_t error = 0;
	char why[64];

	if (nla_parse_nested(tb, IOFAIR_A_PROBE_MAX, attr, NULL))
		return;
	if (tb[IOFAIR_A_PROBE_NAME])
		name = nla_get_string(tb[IOFAIR_A_PROBE_NAME]);
	if (tb[IOFAIR_A_PROBE_MODULE])
		module = nla_get_string(tb[IOFAIR_A_PROBE_MODULE]);
	if (tb[IOFAIR_A_PROBE_STATE])
		avail = nla_get_u32(tb[IOFAIR_A_PROBE_STATE]) == IOFAIR_PROBE_STATE_AVAILABLE;
	if (tb[IOFAIR_A_PROBE_ERROR])
		error = (int32_t)nla_get_u32(tb[IOFAIR_A_PROBE_ERROR]);

	if (j) {
		json_obj_open(j, NULL);
		json_str(j, "name", name);
		json_str(j, "module", module);
		json_str(j, "state", avail ? "available" : "missing");
		if (!avail) {
			json_s64(j, "error", error);
			json_str(j, "reason", probe_reason(module, error, why, sizeof(why)));
		}
		json_obj_close(j);
		return;
	}
	printf("  %-22s %-10s %s\n", name, module,
	       avail ? "available" : probe_reason(module, error, why, sizeof(why)));
}

static int version_reply(struct nlattr **tb, struct nlattr *head, int len, void *arg)
{
	struct version_ctx *ctx = arg;
	struct json *j = ctx->j;
	uint32_t hooks = tb[IOFAIR_A_VERSION_HOOKS] ? nla_get_u32(tb[IOFAIR_A_VERSION_HOOKS]) : 0;
	uint32_t worker = tb[IOFAIR_A_VERSION_VHOST_WORKER] ?
			  nla_get_u32(tb[IOFAIR_A_VERSION_VHOST_WORKER]) : IOFAIR_VHOST_WORKER_UNKNOWN;
	const char *modver = tb[IOFAIR_A_VERSION_VERSION] ?
			     nla_get_string(tb[IOFAIR_A_VERSION_VERSION]) : "?";
	const char *release = tb[IOFAIR_A_VERSION_KERNEL_RELEASE] ?
			      nla_get_string(tb[IOFAIR_A_VERSION_KERNEL_RELEASE]) : "?";
	struct nlattr *a;
	unsigned int i;
	int rem;

	if (j) {
		json_str(j, "module", modver);
		json_str(j, "kernel", release);
		json_str(j, "vhost_worker", vhost_worker_name(worker));
		json_arr_open(j, "hooks");
		for (i = 0; i < sizeof(hook_names) / sizeof(hook_names[0]); i++)
			if (hooks & (1U << i))
				json_str(j, NULL, hook_names[i]);
		json_arr_close(j);
		json_arr_open(j, "probes");
	} else {
		printf("module   %s\n", modver);
		printf("kernel   %s\n", release);
		printf("vhost    %s workers\n", vhost_worker_name(worker));
		printf("hooks   ");
		for (i = 0; i < sizeof(hook_names) / sizeof(hook_names[0]); i++)
			if (hooks & (1U << i))
				printf(" %s", hook_names[i]);
		printf("%s\nprobes\n", hooks ? "" : " none");
		printf("  %-22s %-10s %s\n", "SYMBOL", "MODULE", "STATE");
	}
	nla_for_each_attr(a, head, len, rem)
		if (nla_type(a) == IOFAIR_A_VERSION_PROBE)
			version_probe(j, a);
	if (j)
		json_arr_close(j);
	return 0;
}

int do_version(int argc, char **argv)
{
	struct version_ctx ctx = {};
	struct ctl_nl *nl;
	struct nl_msg *msg;
	int err;

	if (argc == 1 && matches(argv[0], "help")) {
		printf("Usage: iofairctl version\n"
		       "       iofairctl version help\n"
		       "The CLI's version and the loaded module's: its version, the kernel's release,\n"
		       "the vhost worker kind, the hook points and which probes could be attached.\n");
		return 0;
	}
	if (argc > 0) {
		ctl_err("version: unexpected '%s' (it takes no arguments)", argv[0]);
		return EXIT_USAGE;
	}
	if (opts.json) {
		ctx.j = json_new(stdout, opts.pretty);
		json_obj_open(ctx.j, NULL);
		json_str(ctx.j, "iofairctl", IOFAIRCTL_VERSION);
	} else {
		printf("iofairctl %s\n", IOFAIRCTL_VERSION);
	}

	nl = ctl_nl_open();
	if (!nl) {
		err = -ENOENT;
		goto out;
	}
	msg = ctl_nl_msg(nl, IOFAIR_CMD_VERSION_GET, 0);
	err = msg ? ctl_nl_talk(nl, msg, IOFAIR_A_VERSION_MAX, version_reply, &ctx) : -ENOMEM;
	ctl_nl_close(nl);
out:
	if (ctx.j) {
		json_obj_close(ctx.j);
		json_end(ctx.j);
	}
	return err ? 1 : 0;
}
