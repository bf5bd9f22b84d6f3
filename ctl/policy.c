// SPDX-License-Identifier: GPL-2.0
/*
 * iofairctl policy: the bw-min, bw-max, burst and weight of targets and
 * nodes in one place -- `set` is target-set or node-set with a policy only,
 * `show` lists every node's and target's policy in one table.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/iofair.h>

#include "iofairctl.h"
#include "json.h"
#include "names.h"
#include "nl.h"

static void policy_usage(FILE *f)
{
	fprintf(f,
		"Usage: iofairctl policy set { target TARGET | node NODE } [min RATE] [max RATE]\n"
		"                            [burst SIZE] [weight 1..65535]\n"
		"       iofairctl policy show\n"
		"       iofairctl policy help\n"
		"TARGET := { ID | dev IFNAME | vf PF VFINDEX | vhost TAPNAME }\n"
		"min is a guarantee, max a cap (0: none), burst the bytes that may leave at once\n"
		"above the rate (0: the limiter's default), weight the share among siblings.\n");
}

static const struct kw policy_cmds[] = {
	{ "set", CMD_SET }, { "change", CMD_SET },
	{ "show", CMD_SHOW }, { "list", CMD_SHOW },
	{ "help", CMD_HELP },
};

enum { PK_TARGET, PK_NODE, PK_MIN, PK_MAX, PK_BURST, PK_WEIGHT };

static const struct kw policy_keys[] = {
	{ "target", PK_TARGET }, { "node", PK_NODE }, { "min", PK_MIN }, { "max", PK_MAX },
	{ "burst", PK_BURST }, { "weight", PK_WEIGHT },
};

int policy_parse(int argc, char **argv, struct policy_req *r)
{
	const char *val;
	int i, k;

	memset(r, 0, sizeof(*r));
	if (argc < 1) {
		r->cmd = CMD_SHOW;
		return 0;
	}
	k = kw_parse("policy command", argv[0], policy_cmds, ARRAY_SIZE(policy_cmds));
	if (k < 0)
		return -EINVAL;
	r->cmd = k;
	if (r->cmd == CMD_HELP)
		return arg_end("policy help", argc, argv, 1);
	if (r->cmd == CMD_SHOW) {
		if (argc > 1) {
			ctl_err("policy show: unexpected '%s'", argv[1]);
			return -EINVAL;
		}
		return 0;
	}
	for (i = 1; i < argc; i++) {
		k = kw_parse("policy keyword", argv[i], policy_keys, ARRAY_SIZE(policy_keys));
		if (k < 0)
			return -EINVAL;
		if ((k == PK_TARGET || k == PK_NODE) && (target_ref_given(&r->ref) || r->node)) {
			ctl_err("policy set: '%s': one target or one node", argv[i]);
			return -EINVAL;
		}
		val = arg_next(argc, argv, &i);
		if (!val)
			return -EINVAL;
		if (k == PK_TARGET) {
			if (target_ref_parse("target", argc, argv, &i, 0, &r->ref))
				return -EINVAL;
			r->target = r->ref.id;
			continue;
		}
		if (k == PK_NODE) {
			r->node = val;
			continue;
		}
		if (arg_policy(policy_keys[k].word, val, &r->pol))
			return -EINVAL;
	}
	if (!target_ref_given(&r->ref) && !r->node) {
		ctl_err("policy set: missing target ID or node NODE");
		return -EINVAL;
	}
	if (!r->pol.has) {
		ctl_err("policy set: nothing to change (min, max, burst, weight)");
		return -EINVAL;
	}
	return 0;
}

static void policy_cells(const struct pol *p, bool has, char b[4][32])
{
	fmt_rate0(b[0], sizeof(b[0]), p->bw_min, "-");
	fmt_rate0(b[1], sizeof(b[1]), p->bw_max, "-");
	if (p->burst)
		format_size(b[2], sizeof(b[2]), p->burst);
	else
		strcpy(b[2], "auto");
	snprintf(b[3], sizeof(b[3]), "%u", p->weight);
	if (!has || !(p->has & POL_MIN))
		strcpy(b[0], "-");
	if (!has || !(p->has & POL_MAX))
		strcpy(b[1], "-");
	if (!has || !(p->has & POL_BURST))
		strcpy(b[2], "-");
	if (!has || !(p->has & POL_WEIGHT))
		strcpy(b[3], "-");
}

static int policy_show(struct ctl_nl *nl)
{
	static const char *const head[] = { "OBJECT", "ID", "NAME", "PARENT", "MIN", "MAX",
					    "BURST", "WEIGHT", "RX-MAX" };
	struct node_info *nodes = NULL;
	struct target_info *t = NULL;
	size_t nn = 0, nt = 0, i;
	struct json *j = NULL;
	struct ctab tab = {};
	int err;

	err = nodes_fetch(nl, &nodes, &nn);
	if (!err)
		err = targets_fetch(nl, 0, -1, &t, &nt);
	if (err)
		goto out;
	if (opts.json) {
		j = json_new(stdout, opts.pretty);
		json_arr_open(j, NULL);
	} else if (ctab_init(&tab, ARRAY_SIZE(head), "lrlllllrl", head)) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < nn; i++) {
		const struct node_info *n = &nodes[i], *p = node_by_id(nodes, nn, n->parent);
		char id[16], b[4][32];

		if (j) {
			json_obj_open(j, NULL);
			json_str(j, "object", "node");
			json_u64(j, "id", n->id);
			json_str(j, "name", n->name);
			if (n->parent)
				json_u64(j, "parent", n->parent);
			else
				json_null(j, "parent");
			if (n->has_policy)
				json_policy(j, &n->pol);
			json_obj_close(j);
			continue;
		}
		snprintf(id, sizeof(id), "%u", n->id);
		policy_cells(&n->pol, n->has_policy, b);
		ctab_row(&tab, (const char *const[]){ "node", id, n->name, p ? p->name : "-",
			 b[0], b[1], b[2], b[3], "-" });
	}
	for (i = 0; i < nt; i++) {
		const struct node_info *p = node_by_id(nodes, nn, t[i].node);
		char id[16], dev[64], rx[32], b[4][32];

		target_dev(dev, sizeof(dev), t[i].kind, t[i].ifindex, t[i].has_vf, t[i].vf);
		if (j) {
			json_obj_open(j, NULL);
			json_str(j, "object", "target");
			json_u64(j, "id", t[i].id);
			json_str(j, "name", dev);
			if (t[i].node)
				json_u64(j, "parent", t[i].node);
			else
				json_null(j, "parent");
			if (t[i].has_policy)
				json_policy(j, &t[i].pol);
			if (t[i].has_rx_max)
				json_u64(j, "rx_bw_max", t[i].rx_max);
			json_obj_close(j);
			continue;
		}
		snprintf(id, sizeof(id), "%u", t[i].id);
		policy_cells(&t[i].pol, t[i].has_policy, b);
		fmt_rate0(rx, sizeof(rx), t[i].rx_max, "-");
		ctab_row(&tab, (const char *const[]){ "target", id, dev, p ? p->name : "-",
			 b[0], b[1], b[2], b[3], rx });
	}
	if (j) {
		json_arr_close(j);
		json_end(j);
	} else {
		if (tab.nrows > 1)
			ctab_print(stdout, &tab);
		ctab_free(&tab);
	}
out:
	free(nodes);
	free(t);
	return err;
}

int do_policy(int argc, char **argv)
{
	struct policy_req r;
	struct nl_msg *msg = NULL;
	struct ctl_nl *nl;
	uint32_t id;
	int err;

	if (policy_parse(argc, argv, &r)) {
		fprintf(stderr, "Try 'iofairctl policy help'.\n");
		return EXIT_USAGE;
	}
	if (r.cmd == CMD_HELP) {
		policy_usage(stdout);
		return 0;
	}
	nl = ctl_nl_open();
	if (!nl)
		return 1;
	if (r.cmd == CMD_SHOW) {
		err = policy_show(nl);
	} else if (target_ref_given(&r.ref)) {
		err = target_ref_resolve(nl, &r.ref, &r.target);
		if (!err) {
			err = -ENOMEM;
			msg = ctl_nl_msg(nl, IOFAIR_CMD_TARGET_SET, 0);
		}
		if (msg && !nla_put_u32(msg, IOFAIR_A_TARGET_ID, r.target) &&
		    !nla_put_policy(msg, IOFAIR_A_TARGET_POLICY, &r.pol)) {
			err = ctl_nl_talk(nl, msg, IOFAIR_A_TARGET_MAX, NULL, NULL);
			msg = NULL;
		}
	} else {
		err = node_resolve_nl(nl, r.node, &id);
		if (!err) {
			err = -ENOMEM;
			msg = ctl_nl_msg(nl, IOFAIR_CMD_NODE_SET, 0);
			if (msg && !nla_put_u32(msg, IOFAIR_A_NODE_ID, id) &&
			    !nla_put_policy(msg, IOFAIR_A_NODE_POLICY, &r.pol)) {
				err = ctl_nl_talk(nl, msg, IOFAIR_A_NODE_MAX, NULL, NULL);
				msg = NULL;
			}
		}
	}
	nlmsg_free(msg);
	ctl_nl_close(nl);
	return err ? 1 : 0;
}
