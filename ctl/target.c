// SPDX-License-Identifier: GPL-2.0
/*
 * iofairctl target: the traffic endpoints iofair governs -- a VF (PF and
 * VF index), a vhost-served tap, or any other netdev -- with where their
 * limit is enforced, their node in the hierarchy and their policy.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/iofair.h>

#include "histmath.h"
#include "iofairctl.h"
#include "json.h"
#include "names.h"
#include "nl.h"

static void target_usage(FILE *f)
{
	fprintf(f,
		"Usage: iofairctl target add { dev IFNAME [host-side] | vf PF VFINDEX | vhost TAPNAME }\n"
		"                            [node NODE] [SETTINGS]\n"
		"       iofairctl target del TARGET\n"
		"       iofairctl target set TARGET [node NODE|none] [SETTINGS]\n"
		"       iofairctl target show [TARGET] [node NODE] [kind vf|vhost|dev]\n"
		"       iofairctl target help\n"
		"TARGET := { ID | dev IFNAME | vf PF VFINDEX | vhost TAPNAME }\n"
		"SETTINGS := [enforce hw|sw|both] [ownership enforce|adopt] [min RATE] [max RATE]\n"
		"            [burst SIZE] [weight 1..65535] [rx-max RATE]\n"
		"            [hist KIND[,KIND...]|all|none]  (see iofairctl hist help)\n"
		"RATE: bit/s with tc's units (100mbit, 1gbit, 10mbps); SIZE: bytes (64k, 1m).\n");
}

static const struct kw target_cmds[] = {
	{ "add", CMD_ADD }, { "new", CMD_ADD },
	{ "del", CMD_DEL }, { "delete", CMD_DEL },
	{ "set", CMD_SET }, { "change", CMD_SET },
	{ "show", CMD_SHOW }, { "list", CMD_SHOW },
	{ "help", CMD_HELP },
};

enum { TK_NODE, TK_ENFORCE, TK_OWNERSHIP, TK_MIN, TK_MAX, TK_BURST, TK_WEIGHT, TK_RX_MAX,
       TK_KIND, TK_HIST };

static const struct kw target_keys[] = {
	{ "node", TK_NODE }, { "enforce", TK_ENFORCE }, { "ownership", TK_OWNERSHIP },
	{ "min", TK_MIN }, { "max", TK_MAX }, { "burst", TK_BURST }, { "weight", TK_WEIGHT },
	{ "rx-max", TK_RX_MAX }, { "hist", TK_HIST },
};

static const struct kw target_show_keys[] = {
	{ "node", TK_NODE }, { "kind", TK_KIND },
};

/* add: the target itself, first: dev IFNAME | vf PF VFINDEX | vhost TAPNAME. */
static int target_parse_what(int argc, char **argv, int *i, struct target_req *r)
{
	struct target_ref ref;

	r->kind = enum_parse("target kind", argv[*i], target_kind_names,
			     ARRAY_SIZE(target_kind_names));
	if (r->kind < 0 || target_ref_parse("target add", argc, argv, i, 0, &ref))
		return -EINVAL;
	r->ifname = ref.ifname;
	r->vf = ref.vf;
	return 0;
}

/* ID, dev IFNAME, vf PF VFINDEX or vhost TAPNAME at argv[*i]; *i past it. */
static int target_parse_ref(const char *what, int argc, char **argv, int *i,
			    struct target_req *r)
{
	if (target_ref_parse(what, argc, argv, i, 0, &r->ref))
		return -EINVAL;
	r->id = r->ref.id;
	++*i;
	return 0;
}

/* Whether @arg begins a target's name or id rather than a keyword. */
static bool target_ref_start(const char *arg)
{
	return (*arg >= '0' && *arg <= '9') ||
	       enum_lookup(arg, target_kind_names, ARRAY_SIZE(target_kind_names)) != KW_UNKNOWN;
}

static int target_parse_show(int argc, char **argv, struct target_req *r)
{
	const char *val;
	int i = 1, k;

	if (i < argc && target_ref_start(argv[i]) &&
	    target_parse_ref("target show", argc, argv, &i, r))
		return -EINVAL;
	for (; i < argc; i++) {
		k = kw_parse("target show keyword", argv[i], target_show_keys,
			     ARRAY_SIZE(target_show_keys));
		if (k < 0)
			return -EINVAL;
		val = arg_next(argc, argv, &i);
		if (!val)
			return -EINVAL;
		if (k == TK_NODE) {
			r->node = val;
		} else {
			r->kind = enum_parse("target kind", val, target_kind_names,
					     ARRAY_SIZE(target_kind_names));
			if (r->kind < 0)
				return -EINVAL;
		}
	}
	if (target_ref_given(&r->ref) && (r->node || r->kind >= 0)) {
		ctl_err("target show: one target takes no filter");
		return -EINVAL;
	}
	return 0;
}

int target_parse(int argc, char **argv, struct target_req *r)
{
	const char *val;
	int i, k;

	memset(r, 0, sizeof(*r));
	r->kind = r->enforce = r->ownership = -1;
	if (argc < 1) {
		r->cmd = CMD_SHOW;
		return 0;
	}
	k = kw_parse("target command", argv[0], target_cmds, ARRAY_SIZE(target_cmds));
	if (k < 0)
		return -EINVAL;
	r->cmd = k;
	switch (r->cmd) {
	case CMD_HELP:
		return arg_end("target help", argc, argv, 1);
	case CMD_SHOW:
		return target_parse_show(argc, argv, r);
	case CMD_ADD:
		if (argc < 2) {
			ctl_err("target add: missing dev IFNAME, vf PF VFINDEX or vhost TAPNAME");
			return -EINVAL;
		}
		i = 1;
		if (target_parse_what(argc, argv, &i, r))
			return -EINVAL;
		i++;
		break;
	default:
		if (argc < 2) {
			ctl_err("target %s: missing ID (or dev IFNAME, vf PF VFINDEX, vhost TAPNAME)",
				argv[0]);
			return -EINVAL;
		}
		i = 1;
		if (target_parse_ref(r->cmd == CMD_DEL ? "target del" : "target set", argc, argv,
				     &i, r))
			return -EINVAL;
		if (r->cmd == CMD_DEL && arg_end("target del", argc, argv, i))
			return -EINVAL;
	}
	for (; i < argc; i++) {
		/* A flag, not a keyword with a value: fixed when the target is added. */
		if (!strcmp(argv[i], "host-side")) {
			if (r->cmd != CMD_ADD || r->kind != IOFAIR_TARGET_KIND_DEV) {
				ctl_err("host-side: only with 'target add dev IFNAME'");
				return -EINVAL;
			}
			r->host_side = true;
			continue;
		}
		k = kw_parse("target keyword", argv[i], target_keys, ARRAY_SIZE(target_keys));
		if (k < 0)
			return -EINVAL;
		val = arg_next(argc, argv, &i);
		if (!val)
			return -EINVAL;
		switch (k) {
		case TK_NODE:
			if (!strcmp(val, "none")) {
				if (r->cmd != CMD_SET) {
					ctl_err("target add: 'node none' is the default; leave it out");
					return -EINVAL;
				}
				r->node_none = true;
				r->node = NULL;
			} else {
				r->node = val;
				r->node_none = false;
			}
			break;
		case TK_ENFORCE:
			r->enforce = enum_parse("enforcement point", val, enforce_names,
						ARRAY_SIZE(enforce_names));
			if (r->enforce < 0)
				return -EINVAL;
			break;
		case TK_OWNERSHIP:
			r->ownership = enum_parse("ownership", val, ownership_names,
						  ARRAY_SIZE(ownership_names));
			if (r->ownership < 0)
				return -EINVAL;
			break;
		case TK_RX_MAX:
			r->has_rx_max = true;
			if (arg_rate("rx-max", val, &r->rx_max))
				return -EINVAL;
			break;
		case TK_HIST: {
			const char *bad;
			size_t badlen;

			r->has_hist = true;
			if (hist_parse_kinds(val, &r->hist, &bad, &badlen)) {
				ctl_err("hist: unknown histogram kind '%.*s'", (int)badlen, bad);
				return -EINVAL;
			}
			break;
		}
		default:
			if (arg_policy(target_keys[k].word, val, &r->pol))
				return -EINVAL;
		}
	}
	if (r->cmd == CMD_SET && !r->node && !r->node_none && r->enforce < 0 &&
	    r->ownership < 0 && !r->pol.has && !r->has_rx_max && !r->has_hist) {
		ctl_err("target set: nothing to change");
		return -EINVAL;
	}
	return 0;
}

void target_from_attrs(struct nlattr **tb, struct target_info *t)
{
	memset(t, 0, sizeof(*t));
	if (tb[IOFAIR_A_TARGET_ID])
		t->id = nla_get_u32(tb[IOFAIR_A_TARGET_ID]);
	if (tb[IOFAIR_A_TARGET_KIND])
		t->kind = nla_get_u32(tb[IOFAIR_A_TARGET_KIND]);
	if (tb[IOFAIR_A_TARGET_IFINDEX])
		t->ifindex = nla_get_u32(tb[IOFAIR_A_TARGET_IFINDEX]);
	if (tb[IOFAIR_A_TARGET_VF]) {
		t->has_vf = true;
		t->vf = nla_get_u32(tb[IOFAIR_A_TARGET_VF]);
	}
	if (tb[IOFAIR_A_TARGET_NODE])
		t->node = nla_get_u32(tb[IOFAIR_A_TARGET_NODE]);
	if (tb[IOFAIR_A_TARGET_ENFORCE]) {
		t->has_enforce = true;
		t->enforce = nla_get_u32(tb[IOFAIR_A_TARGET_ENFORCE]);
	}
	if (tb[IOFAIR_A_TARGET_OWNERSHIP]) {
		t->has_ownership = true;
		t->ownership = nla_get_u32(tb[IOFAIR_A_TARGET_OWNERSHIP]);
	}
	if (tb[IOFAIR_A_TARGET_POLICY]) {
		t->has_policy = true;
		nla_get_policy(tb[IOFAIR_A_TARGET_POLICY], &t->pol);
	}
	if (tb[IOFAIR_A_TARGET_RX_BW_MAX]) {
		t->has_rx_max = true;
		t->rx_max = nla_get_u64(tb[IOFAIR_A_TARGET_RX_BW_MAX]);
	}
	if (tb[IOFAIR_A_TARGET_VF_IFINDEX])
		t->vf_ifindex = nla_get_u32(tb[IOFAIR_A_TARGET_VF_IFINDEX]);
	if (tb[IOFAIR_A_TARGET_HOST_SIDE])
		t->host_side = nla_get_u8(tb[IOFAIR_A_TARGET_HOST_SIDE]);
	if (tb[IOFAIR_A_TARGET_VF_HOST_BOUND]) {
		t->has_host_bound = true;
		t->host_bound = nla_get_u8(tb[IOFAIR_A_TARGET_VF_HOST_BOUND]);
	}
	if (tb[IOFAIR_A_TARGET_HW_ENFORCED]) {
		t->has_hw_enforced = true;
		t->hw_enforced = nla_get_u8(tb[IOFAIR_A_TARGET_HW_ENFORCED]);
	}
	if (tb[IOFAIR_A_TARGET_HW_MIN]) {
		t->has_hw_min = true;
		t->hw_min = nla_get_u8(tb[IOFAIR_A_TARGET_HW_MIN]);
	}
	if (tb[IOFAIR_A_TARGET_VF_PRESENT]) {
		t->has_vf_present = true;
		t->vf_present = nla_get_u8(tb[IOFAIR_A_TARGET_VF_PRESENT]);
	}
	if (tb[IOFAIR_A_TARGET_HIST])
		t->hist = nla_get_u32(tb[IOFAIR_A_TARGET_HIST]);
}

static bool vf_gone(const struct target_info *t)
{
	return t->has_vf_present && !t->vf_present;
}

/*
 * Who holds the target's cap (its bw-max or controller share) to the
 * rate: the PF driver (hw), the module's hooks (sw), both, or nobody (a vf
 * whose driver refused the rate and whose netdev is not on this host).
 */
static const char *max_enforced_by(const struct target_info *t)
{
	bool sw, hw;

	if (t->kind != IOFAIR_TARGET_KIND_VF)
		return "sw";
	if (vf_gone(t))
		return "none";
	hw = t->has_hw_enforced && t->hw_enforced;
	sw = t->has_enforce && t->enforce != IOFAIR_ENFORCE_HW && t->has_host_bound &&
	     t->host_bound;
	return hw && sw ? "hw+sw" : hw ? "hw" : sw ? "sw" : "none";
}

/*
 * Who holds its guarantee (bw-min): the PF driver when it took the VF's
 * minimum rate, else the controller, by the shares it gives.
 */
static const char *min_enforced_by(const struct target_info *t)
{
	if (!t->has_policy || !(t->pol.has & POL_MIN) || !t->pol.bw_min)
		return NULL;
	if (vf_gone(t))
		return "none";
	return t->has_hw_min && t->hw_min ? "hw" : "controller";
}

struct target_vec {
	struct target_info *v;
	size_t n, cap;
};

static int target_collect(struct nlattr **tb, struct nlattr *head, int len, void *arg)
{
	struct target_vec *tv = arg;
	struct target_info *v;

	(void)head;
	(void)len;
	v = vec_grow(tv->v, &tv->cap, tv->n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	tv->v = v;
	target_from_attrs(tb, &tv->v[tv->n++]);
	return 0;
}

static int target_cmp(const void *a, const void *b)
{
	const struct target_info *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

int targets_fetch(struct ctl_nl *nl, uint32_t node, int kind, struct target_info **v,
		  size_t *n)
{
	struct target_vec tv = {};
	struct nl_msg *msg;
	int err;

	msg = ctl_nl_msg(nl, IOFAIR_CMD_TARGET_GET, NLM_F_DUMP);
	if (!msg)
		return -ENOMEM;
	if ((node && nla_put_u32(msg, IOFAIR_A_TARGET_NODE, node)) ||
	    (kind >= 0 && nla_put_u32(msg, IOFAIR_A_TARGET_KIND, kind))) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	err = ctl_nl_talk(nl, msg, IOFAIR_A_TARGET_MAX, target_collect, &tv);
	if (err) {
		free(tv.v);
		return err;
	}
	if (tv.n)
		qsort(tv.v, tv.n, sizeof(*tv.v), target_cmp);
	*v = tv.v;
	*n = tv.n;
	return 0;
}

const struct target_info *target_by_id(const struct target_info *v, size_t n, uint32_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].id == id)
			return &v[i];
	return NULL;
}

const char *target_dev(char *buf, size_t len, uint32_t kind, uint32_t ifindex, bool has_vf,
		       uint32_t vf)
{
	char name[IF_NAMESIZE + 16];

	fmt_ifindex(name, sizeof(name), ifindex);
	if (kind == IOFAIR_TARGET_KIND_VF && has_vf)
		snprintf(buf, len, "%s vf %u", name, vf);
	else
		snprintf(buf, len, "%s", name);
	return buf;
}

static void target_json(struct json *j, const struct target_info *t,
			const struct node_info *nodes, size_t nn)
{
	const struct node_info *node = node_by_id(nodes, nn, t->node);
	char name[IF_NAMESIZE], hist[128];
	bool vf = t->kind == IOFAIR_TARGET_KIND_VF;

	json_obj_open(j, NULL);
	json_u64(j, "id", t->id);
	json_str(j, "kind", ENUM_NAME(target_kind_names, t->kind));
	json_u64(j, "ifindex", t->ifindex);
	if (t->ifindex && if_indextoname(t->ifindex, name))
		json_str(j, "ifname", name);
	if (t->has_vf)
		json_u64(j, "vf", t->vf);
	if (t->node) {
		json_u64(j, "node", t->node);
		if (node)
			json_str(j, "node_name", node->name);
	} else {
		json_null(j, "node");
	}
	if (t->has_enforce)
		json_str(j, "enforce", ENUM_NAME(enforce_names, t->enforce));
	if (t->has_ownership && vf)
		json_str(j, "ownership", ENUM_NAME(ownership_names, t->ownership));
	if (t->has_policy)
		json_policy(j, &t->pol);
	if (t->has_rx_max)
		json_u64(j, "rx_bw_max", t->rx_max);
	json_str(j, "hist", hist_fmt_kinds(hist, sizeof(hist), t->hist));
	if (vf) {
		if (t->vf_ifindex) {
			json_u64(j, "vf_ifindex", t->vf_ifindex);
			if (if_indextoname(t->vf_ifindex, name))
				json_str(j, "vf_ifname", name);
		}
		if (t->has_host_bound)
			json_bool(j, "host_bound", t->host_bound);
		if (t->has_hw_enforced)
			json_bool(j, "hw_enforced", t->hw_enforced);
		if (t->has_hw_min)
			json_bool(j, "hw_min", t->hw_min);
		if (t->has_vf_present)
			json_bool(j, "vf_present", t->vf_present);
	}
	json_str(j, "max_enforced_by", max_enforced_by(t));
	if (min_enforced_by(t))
		json_str(j, "min_enforced_by", min_enforced_by(t));
	else
		json_null(j, "min_enforced_by");
	if (t->kind == IOFAIR_TARGET_KIND_DEV)
		json_bool(j, "host_side", t->host_side);
	json_obj_close(j);
}

static void target_row(struct ctab *tab, const struct target_info *t,
		       const struct node_info *nodes, size_t nn)
{
	const struct node_info *node = node_by_id(nodes, nn, t->node);
	char id[16], dev[64], nodename[IOFAIR_NAME_LEN + 16], min[32], max[32], burst[32];
	char weight[16], rx[32], enforced[48];
	bool vf = t->kind == IOFAIR_TARGET_KIND_VF;
	const char *where = "-";

	snprintf(id, sizeof(id), "%u", t->id);
	target_dev(dev, sizeof(dev), t->kind, t->ifindex, t->has_vf, t->vf);
	if (node)
		snprintf(nodename, sizeof(nodename), "%s", node->name);
	else if (t->node)
		snprintf(nodename, sizeof(nodename), "#%u", t->node);
	else
		strcpy(nodename, "-");
	fmt_rate0(min, sizeof(min), t->pol.bw_min, "-");
	fmt_rate0(max, sizeof(max), t->pol.bw_max, "-");
	if (t->pol.burst)
		format_size(burst, sizeof(burst), t->pol.burst);
	else
		strcpy(burst, "auto");
	snprintf(weight, sizeof(weight), "%u", t->pol.weight);
	fmt_rate0(rx, sizeof(rx), t->rx_max, "-");
	if (vf && vf_gone(t))
		where = "gone";
	else if (vf && t->has_host_bound)
		where = t->host_bound ? "host" : "away";
	snprintf(enforced, sizeof(enforced), "max:%s%s%s", max_enforced_by(t),
		 min_enforced_by(t) ? " min:" : "", min_enforced_by(t) ?: "");
	ctab_row(tab, (const char *const[]){
		id, ENUM_NAME(target_kind_names, t->kind), dev, nodename,
		t->has_enforce ? ENUM_NAME(enforce_names, t->enforce) : "-",
		t->has_policy && (t->pol.has & POL_MIN) ? min : "-",
		t->has_policy && (t->pol.has & POL_MAX) ? max : "-",
		t->has_policy && (t->pol.has & POL_BURST) ? burst : "-",
		t->has_policy && (t->pol.has & POL_WEIGHT) ? weight : "-",
		t->has_rx_max ? rx : "-",
		where, enforced,
	});
}

static void targets_print(const struct target_info *t, size_t nt, const struct node_info *nodes,
			  size_t nn, bool array)
{
	static const char *const head[] = { "ID", "KIND", "DEV", "NODE", "ENFORCE", "MIN", "MAX",
					    "BURST", "WEIGHT", "RX-MAX", "VF", "ENFORCED-BY" };
	struct ctab tab;
	struct json *j;
	size_t i;

	if (opts.json) {
		j = json_new(stdout, opts.pretty);
		if (array)
			json_arr_open(j, NULL);
		for (i = 0; i < nt; i++)
			target_json(j, &t[i], nodes, nn);
		if (array)
			json_arr_close(j);
		json_end(j);
		return;
	}
	if (ctab_init(&tab, ARRAY_SIZE(head), "rlllllllrlll", head))
		return;
	for (i = 0; i < nt; i++)
		target_row(&tab, &t[i], nodes, nn);
	if (nt)
		ctab_print(stdout, &tab);
	ctab_free(&tab);
}

static int target_show(struct ctl_nl *nl, const struct target_req *r)
{
	struct node_info *nodes = NULL;
	struct target_info *t = NULL;
	size_t nn = 0, nt = 0;
	uint32_t node = 0;
	struct nl_msg *msg;
	int err;

	err = nodes_fetch(nl, &nodes, &nn);
	if (err)
		return err;
	if (r->node) {
		err = node_resolve(nodes, nn, r->node, &node);
		if (err)
			goto out;
	}
	if (r->id) {
		struct target_vec tv = {};

		err = -ENOMEM;
		msg = ctl_nl_msg(nl, IOFAIR_CMD_TARGET_GET, 0);
		if (!msg)
			goto out;
		if (nla_put_u32(msg, IOFAIR_A_TARGET_ID, r->id)) {
			nlmsg_free(msg);
			goto out;
		}
		err = ctl_nl_talk(nl, msg, IOFAIR_A_TARGET_MAX, target_collect, &tv);
		t = tv.v;
		nt = tv.n;
	} else {
		err = targets_fetch(nl, node, r->kind, &t, &nt);
	}
	if (!err)
		targets_print(t, nt, nodes, nn, true);
out:
	free(nodes);
	free(t);
	return err;
}

/* The target in a reply to add or set. */
struct target_reply {
	bool print_id;
};

static int target_reply(struct nlattr **tb, struct nlattr *head, int len, void *arg)
{
	struct target_reply *tr = arg;
	struct target_info t;

	(void)head;
	(void)len;
	target_from_attrs(tb, &t);
	if (opts.json)
		targets_print(&t, 1, NULL, 0, false);
	else if (tr->print_id)
		printf("%u\n", t.id);
	return 0;
}

static int target_put_settings(struct ctl_nl *nl, struct nl_msg *msg, const struct target_req *r)
{
	uint32_t node;
	int err;

	if (r->node) {
		err = node_resolve_nl(nl, r->node, &node);
		if (err)
			return err;
		if (nla_put_u32(msg, IOFAIR_A_TARGET_NODE, node))
			return -EMSGSIZE;
	} else if (r->node_none && nla_put_u32(msg, IOFAIR_A_TARGET_NODE, 0)) {
		return -EMSGSIZE;
	}
	if ((r->enforce >= 0 && nla_put_u32(msg, IOFAIR_A_TARGET_ENFORCE, r->enforce)) ||
	    (r->ownership >= 0 && nla_put_u32(msg, IOFAIR_A_TARGET_OWNERSHIP, r->ownership)) ||
	    nla_put_policy(msg, IOFAIR_A_TARGET_POLICY, &r->pol) ||
	    (r->has_rx_max && nla_put_u64(msg, IOFAIR_A_TARGET_RX_BW_MAX, r->rx_max)) ||
	    (r->has_hist && nla_put_u32(msg, IOFAIR_A_TARGET_HIST, r->hist)) ||
	    (r->host_side && nla_put_u8(msg, IOFAIR_A_TARGET_HOST_SIDE, 1)))
		return -EMSGSIZE;
	return 0;
}

int do_target(int argc, char **argv)
{
	struct target_reply reply = {};
	struct target_req r;
	struct nl_msg *msg = NULL;
	struct ctl_nl *nl;
	int err;

	if (target_parse(argc, argv, &r)) {
		fprintf(stderr, "Try 'iofairctl target help'.\n");
		return EXIT_USAGE;
	}
	if (r.cmd == CMD_HELP) {
		target_usage(stdout);
		return 0;
	}
	nl = ctl_nl_open();
	if (!nl)
		return 1;
	if (r.cmd != CMD_ADD && target_ref_given(&r.ref)) {
		err = target_ref_resolve(nl, &r.ref, &r.id);
		if (err) {
			ctl_nl_close(nl);
			return 1;
		}
	}
	switch (r.cmd) {
	case CMD_SHOW:
		err = target_show(nl, &r);
		break;
	case CMD_ADD:
		reply.print_id = true;
		err = -ENOMEM;
		msg = ctl_nl_msg(nl, IOFAIR_CMD_TARGET_ADD, 0);
		if (!msg || nla_put_u32(msg, IOFAIR_A_TARGET_KIND, r.kind) ||
		    nla_put_string(msg, IOFAIR_A_TARGET_IFNAME, r.ifname) ||
		    (r.kind == IOFAIR_TARGET_KIND_VF && nla_put_u32(msg, IOFAIR_A_TARGET_VF, r.vf)))
			break;
		err = target_put_settings(nl, msg, &r);
		if (err)
			break;
		err = ctl_nl_talk(nl, msg, IOFAIR_A_TARGET_MAX, target_reply, &reply);
		msg = NULL;
		break;
	case CMD_DEL:
	case CMD_SET:
		err = -ENOMEM;
		msg = ctl_nl_msg(nl, r.cmd == CMD_DEL ? IOFAIR_CMD_TARGET_DEL : IOFAIR_CMD_TARGET_SET,
				 0);
		if (!msg || nla_put_u32(msg, IOFAIR_A_TARGET_ID, r.id))
			break;
		if (r.cmd == CMD_SET) {
			err = target_put_settings(nl, msg, &r);
			if (err)
				break;
		}
		err = ctl_nl_talk(nl, msg, IOFAIR_A_TARGET_MAX, target_reply, &reply);
		msg = NULL;
		break;
	default:
		err = -EINVAL;
	}
	nlmsg_free(msg);
	ctl_nl_close(nl);
	return err ? 1 : 0;
}
