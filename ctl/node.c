// SPDX-License-Identifier: GPL-2.0
/*
 * iofairctl node: the policy hierarchy.  A node without a parent is a root
 * with a capacity (given, or its link's speed); tenants and groups sit
 * below it, targets are the leaves.  `node show` prints the trees, with the
 * targets under their nodes.
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

static void node_usage(FILE *f)
{
	fprintf(f,
		"Usage: iofairctl node add NAME [parent NODE] [kind tenant|group]\n"
		"                      [capacity RATE | link IFNAME] [POLICY]\n"
		"       iofairctl node del NODE\n"
		"       iofairctl node set NODE [parent NODE] [capacity RATE] [link IFNAME] [POLICY]\n"
		"       iofairctl node show [NODE]\n"
		"       iofairctl node help\n"
		"POLICY := [min RATE] [max RATE] [burst SIZE] [weight 1..65535]\n"
		"NODE is a node's name or id.  A node without a parent is a root: its capacity\n"
		"is the RATE given, or the speed of the link IFNAME.\n");
}

static const struct kw node_cmds[] = {
	{ "add", CMD_ADD }, { "new", CMD_ADD },
	{ "del", CMD_DEL }, { "delete", CMD_DEL },
	{ "set", CMD_SET }, { "change", CMD_SET },
	{ "show", CMD_SHOW }, { "list", CMD_SHOW },
	{ "help", CMD_HELP },
};

enum { NK_PARENT, NK_KIND, NK_CAPACITY, NK_LINK, NK_MIN, NK_MAX, NK_BURST, NK_WEIGHT };

static const struct kw node_keys[] = {
	{ "parent", NK_PARENT }, { "kind", NK_KIND }, { "capacity", NK_CAPACITY },
	{ "link", NK_LINK }, { "min", NK_MIN }, { "max", NK_MAX }, { "burst", NK_BURST },
	{ "weight", NK_WEIGHT },
};

int node_parse(int argc, char **argv, struct node_req *r)
{
	const char *val;
	int i, k;

	memset(r, 0, sizeof(*r));
	r->kind = -1;
	if (argc < 1) {
		r->cmd = CMD_SHOW;
		return 0;
	}
	k = kw_parse("node command", argv[0], node_cmds, ARRAY_SIZE(node_cmds));
	if (k < 0)
		return -EINVAL;
	r->cmd = k;
	if (r->cmd == CMD_HELP)
		return arg_end("node help", argc, argv, 1);
	if (argc < 2) {
		if (r->cmd == CMD_SHOW)
			return 0;
		ctl_err("node %s: missing %s", argv[0], r->cmd == CMD_ADD ? "NAME" : "NODE");
		return -EINVAL;
	}
	r->node = argv[1];
	if (r->cmd == CMD_ADD) {
		if (!*r->node || strlen(r->node) >= IOFAIR_NAME_LEN) {
			ctl_err("node add: invalid name '%s' (1 to %d characters)", r->node,
				IOFAIR_NAME_LEN - 1);
			return -EINVAL;
		}
		/* a name made of digits would read as an id everywhere else */
		if (!parse_u32(r->node, &(uint32_t){ 0 })) {
			ctl_err("node add: name '%s' is a number; names must not be", r->node);
			return -EINVAL;
		}
	}
	if ((r->cmd == CMD_DEL || r->cmd == CMD_SHOW) && argc > 2) {
		ctl_err("node %s: unexpected '%s'", argv[0], argv[2]);
		return -EINVAL;
	}
	for (i = 2; i < argc; i++) {
		k = kw_parse("node keyword", argv[i], node_keys, ARRAY_SIZE(node_keys));
		if (k < 0)
			return -EINVAL;
		if (k == NK_KIND && r->cmd != CMD_ADD) {
			ctl_err("node set: the kind of a node cannot change");
			return -EINVAL;
		}
		val = arg_next(argc, argv, &i);
		if (!val)
			return -EINVAL;
		switch (k) {
		case NK_PARENT:
			r->parent = val;
			break;
		case NK_KIND:
			r->kind = enum_parse("node kind", val, node_kind_names,
					     ARRAY_SIZE(node_kind_names));
			if (r->kind < 0)
				return -EINVAL;
			break;
		case NK_CAPACITY:
			r->has_capacity = true;
			if (arg_rate("capacity", val, &r->capacity))
				return -EINVAL;
			break;
		case NK_LINK:
			if (arg_ifname("link", val))
				return -EINVAL;
			r->link = val;
			break;
		default:
			if (arg_policy(node_keys[k].word, val, &r->pol))
				return -EINVAL;
		}
	}
	if (r->cmd == CMD_ADD && r->has_capacity && r->link) {
		ctl_err("node add: give capacity or link, not both");
		return -EINVAL;
	}
	if (r->cmd == CMD_SET && !r->parent && !r->has_capacity && !r->link && !r->pol.has) {
		ctl_err("node set: nothing to change");
		return -EINVAL;
	}
	return 0;
}

void node_from_attrs(struct nlattr **tb, struct node_info *n)
{
	memset(n, 0, sizeof(*n));
	if (tb[IOFAIR_A_NODE_ID])
		n->id = nla_get_u32(tb[IOFAIR_A_NODE_ID]);
	if (tb[IOFAIR_A_NODE_NAME])
		snprintf(n->name, sizeof(n->name), "%s", nla_get_string(tb[IOFAIR_A_NODE_NAME]));
	if (tb[IOFAIR_A_NODE_KIND])
		n->kind = nla_get_u32(tb[IOFAIR_A_NODE_KIND]);
	if (tb[IOFAIR_A_NODE_PARENT])
		n->parent = nla_get_u32(tb[IOFAIR_A_NODE_PARENT]);
	if (tb[IOFAIR_A_NODE_CAPACITY]) {
		n->has_capacity = true;
		n->capacity = nla_get_u64(tb[IOFAIR_A_NODE_CAPACITY]);
	}
	if (tb[IOFAIR_A_NODE_LINK])
		n->link = nla_get_u32(tb[IOFAIR_A_NODE_LINK]);
	if (tb[IOFAIR_A_NODE_POLICY]) {
		n->has_policy = true;
		nla_get_policy(tb[IOFAIR_A_NODE_POLICY], &n->pol);
	}
	if (tb[IOFAIR_A_NODE_CHILDREN])
		n->children = nla_get_u32(tb[IOFAIR_A_NODE_CHILDREN]);
}

struct node_vec {
	struct node_info *v;
	size_t n, cap;
};

static int node_collect(struct nlattr **tb, struct nlattr *head, int len, void *arg)
{
	struct node_vec *nv = arg;
	struct node_info *v;

	(void)head;
	(void)len;
	v = vec_grow(nv->v, &nv->cap, nv->n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	nv->v = v;
	node_from_attrs(tb, &nv->v[nv->n++]);
	return 0;
}

int nodes_fetch(struct ctl_nl *nl, struct node_info **v, size_t *n)
{
	struct node_vec nv = {};
	struct nl_msg *msg;
	int err;

	msg = ctl_nl_msg(nl, IOFAIR_CMD_NODE_GET, NLM_F_DUMP);
	if (!msg)
		return -ENOMEM;
	err = ctl_nl_talk(nl, msg, IOFAIR_A_NODE_MAX, node_collect, &nv);
	if (err) {
		free(nv.v);
		return err;
	}
	*v = nv.v;
	*n = nv.n;
	return 0;
}

const struct node_info *node_by_id(const struct node_info *v, size_t n, uint32_t id)
{
	size_t i;

	for (i = 0; id && i < n; i++)
		if (v[i].id == id)
			return &v[i];
	return NULL;
}

int node_resolve(const struct node_info *v, size_t n, const char *arg, uint32_t *id)
{
	size_t i;

	/* names are never numbers (node add refuses them): a number is an id */
	if (!parse_u32(arg, id) && *id)
		return 0;
	for (i = 0; i < n; i++)
		if (!strcmp(v[i].name, arg)) {
			*id = v[i].id;
			return 0;
		}
	ctl_err("no node named '%s'", arg);
	return -ENOENT;
}

int node_resolve_nl(struct ctl_nl *nl, const char *arg, uint32_t *id)
{
	struct node_info *v = NULL;
	size_t n = 0;
	int err;

	/* an id needs no lookup */
	if (!parse_u32(arg, id) && *id)
		return 0;
	err = nodes_fetch(nl, &v, &n);
	if (!err)
		err = node_resolve(v, n, arg, id);
	free(v);
	return err;
}

static int node_put_common(struct ctl_nl *nl, struct nl_msg *msg, const struct node_req *r)
{
	uint32_t parent, link;
	int err;

	if (r->parent) {
		err = node_resolve_nl(nl, r->parent, &parent);
		if (err)
			return err;
		if (nla_put_u32(msg, IOFAIR_A_NODE_PARENT, parent))
			return -EMSGSIZE;
	}
	if (r->has_capacity && nla_put_u64(msg, IOFAIR_A_NODE_CAPACITY, r->capacity))
		return -EMSGSIZE;
	if (r->link) {
		link = if_nametoindex(r->link);
		if (!link) {
			ctl_err("link: no such device '%s'", r->link);
			return -ENODEV;
		}
		if (nla_put_u32(msg, IOFAIR_A_NODE_LINK, link))
			return -EMSGSIZE;
	}
	return nla_put_policy(msg, IOFAIR_A_NODE_POLICY, &r->pol);
}

/* One node as JSON, under the array open in @j. */
static void node_json(struct json *j, const struct node_info *n, const struct node_info *all,
		      size_t nall, const struct target_info *t, size_t nt)
{
	const struct node_info *p = node_by_id(all, nall, n->parent);
	char buf[IF_NAMESIZE + 16];
	size_t i;

	json_obj_open(j, NULL);
	json_u64(j, "id", n->id);
	json_str(j, "name", n->name);
	json_str(j, "kind", ENUM_NAME(node_kind_names, n->kind));
	if (n->parent) {
		json_u64(j, "parent", n->parent);
		if (p)
			json_str(j, "parent_name", p->name);
	} else {
		json_null(j, "parent");
	}
	if (n->has_capacity)
		json_u64(j, "capacity", n->capacity);
	if (n->link) {
		json_u64(j, "link", n->link);
		if (if_indextoname(n->link, buf))
			json_str(j, "link_ifname", buf);
	}
	if (n->has_policy)
		json_policy(j, &n->pol);
	json_u64(j, "children", n->children);
	json_arr_open(j, "targets");
	for (i = 0; i < nt; i++)
		if (t[i].node == n->id)
			json_u64(j, NULL, t[i].id);
	json_arr_close(j);
	json_obj_close(j);
}

struct node_tree {
	const struct node_info *v;
	size_t n;
	const struct target_info *t;
	size_t nt;
	struct ctab tab;
	struct json *j;
};

static void node_tree_policy(const struct pol *p, bool has, char b[4][32])
{
	if (!has) {
		strcpy(b[0], "-");
		strcpy(b[1], "-");
		strcpy(b[2], "-");
		strcpy(b[3], "-");
		return;
	}
	fmt_rate0(b[0], sizeof(b[0]), p->bw_min, "-");
	fmt_rate0(b[1], sizeof(b[1]), p->bw_max, "-");
	if (p->burst)
		format_size(b[2], sizeof(b[2]), p->burst);
	else
		strcpy(b[2], (p->has & POL_BURST) ? "auto" : "-");
	if (p->has & POL_WEIGHT)
		snprintf(b[3], sizeof(b[3]), "%u", p->weight);
	else
		strcpy(b[3], "-");
}

static void node_tree_target(struct node_tree *tr, const struct target_info *t, int depth)
{
	char name[96], dev[64], id[16], b[4][32];

	target_dev(dev, sizeof(dev), t->kind, t->ifindex, t->has_vf, t->vf);
	snprintf(name, sizeof(name), "%*s#%u %s", 2 * depth, "", t->id, dev);
	snprintf(id, sizeof(id), "%u", t->id);
	node_tree_policy(&t->pol, t->has_policy, b);
	ctab_row(&tr->tab, (const char *const[]){ name, "target", ENUM_NAME(target_kind_names, t->kind),
		 "-", b[0], b[1], b[2], b[3] });
}

static void node_tree_walk(struct node_tree *tr, const struct node_info *n, int depth)
{
	char name[IOFAIR_NAME_LEN + 64], id[16], cap[32], b[4][32];
	size_t i;

	if (depth > 64)	/* the kernel refuses cycles; do not trust it blindly */
		return;
	if (tr->j) {
		node_json(tr->j, n, tr->v, tr->n, tr->t, tr->nt);
	} else {
		snprintf(name, sizeof(name), "%*s%s", 2 * depth, "", n->name);
		snprintf(id, sizeof(id), "%u", n->id);
		if (n->has_capacity)
			format_rate(cap, sizeof(cap), n->capacity);
		else
			strcpy(cap, "-");
		if (n->link && n->has_capacity) {
			char link[IF_NAMESIZE + 16];

			snprintf(cap + strlen(cap), sizeof(cap) - strlen(cap), " (%s)",
				 fmt_ifindex(link, sizeof(link), n->link));
		}
		node_tree_policy(&n->pol, n->has_policy, b);
		ctab_row(&tr->tab, (const char *const[]){ name, id,
			 ENUM_NAME(node_kind_names, n->kind), cap, b[0], b[1], b[2], b[3] });
		for (i = 0; i < tr->nt; i++)
			if (tr->t[i].node == n->id)
				node_tree_target(tr, &tr->t[i], depth + 1);
	}
	for (i = 0; i < tr->n; i++)
		if (tr->v[i].parent == n->id && tr->v[i].id != n->id)
			node_tree_walk(tr, &tr->v[i], depth + 1);
}

static int node_cmp(const void *a, const void *b)
{
	const struct node_info *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int node_show(struct ctl_nl *nl, const struct node_req *r)
{
	static const char *const head[] = { "NAME", "ID", "KIND", "CAPACITY", "MIN", "MAX",
					    "BURST", "WEIGHT" };
	struct node_tree tr = {};
	struct node_info *v = NULL;
	struct target_info *t = NULL;
	size_t n = 0, nt = 0, i;
	uint32_t only = 0;
	int err;

	err = nodes_fetch(nl, &v, &n);
	if (err)
		goto out;
	err = targets_fetch(nl, 0, -1, &t, &nt);
	if (err)
		goto out;
	qsort(v, n, sizeof(*v), node_cmp);
	if (r->node) {
		err = node_resolve(v, n, r->node, &only);
		if (err)
			goto out;
		if (!node_by_id(v, n, only)) {
			ctl_err("no node with id %u", only);
			err = -ENOENT;
			goto out;
		}
	}
	tr = (struct node_tree){ .v = v, .n = n, .t = t, .nt = nt };
	if (opts.json) {
		tr.j = json_new(stdout, opts.pretty);
		json_arr_open(tr.j, NULL);
	} else {
		ctab_init(&tr.tab, ARRAY_SIZE(head), "lrllllrr", head);
	}
	for (i = 0; i < n; i++) {
		if (only ? v[i].id != only : v[i].parent && node_by_id(v, n, v[i].parent))
			continue;
		node_tree_walk(&tr, &v[i], 0);
	}
	if (tr.j) {
		json_arr_close(tr.j);
		json_end(tr.j);
	} else {
		/* targets that are in no tree */
		for (i = 0; !only && i < nt; i++)
			if (!node_by_id(v, n, t[i].node))
				node_tree_target(&tr, &t[i], 0);
		if (tr.tab.nrows > 1)
			ctab_print(stdout, &tr.tab);
		ctab_free(&tr.tab);
	}
out:
	free(v);
	free(t);
	return err;
}

static int node_print_reply(struct nlattr **tb, struct nlattr *head, int len, void *arg)
{
	struct node_info n;
	struct json *j;

	(void)head;
	(void)len;
	(void)arg;
	node_from_attrs(tb, &n);
	if (!opts.json) {
		printf("%u\n", n.id);
		return 0;
	}
	j = json_new(stdout, opts.pretty);
	node_json(j, &n, &n, 1, NULL, 0);
	json_end(j);
	return 0;
}

static int node_json_reply(struct nlattr **tb, struct nlattr *head, int len, void *arg)
{
	return opts.json ? node_print_reply(tb, head, len, arg) : 0;
}

int do_node(int argc, char **argv)
{
	struct node_req r;
	struct ctl_nl *nl;
	struct nl_msg *msg = NULL;
	uint32_t id;
	int err;

	if (node_parse(argc, argv, &r)) {
		fprintf(stderr, "Try 'iofairctl node help'.\n");
		return EXIT_USAGE;
	}
	if (r.cmd == CMD_HELP) {
		node_usage(stdout);
		return 0;
	}
	nl = ctl_nl_open();
	if (!nl)
		return 1;
	switch (r.cmd) {
	case CMD_SHOW:
		err = node_show(nl, &r);
		break;
	case CMD_ADD:
		err = -ENOMEM;
		msg = ctl_nl_msg(nl, IOFAIR_CMD_NODE_NEW, 0);
		if (!msg || nla_put_string(msg, IOFAIR_A_NODE_NAME, r.node) ||
		    (r.kind >= 0 && nla_put_u32(msg, IOFAIR_A_NODE_KIND, r.kind)))
			break;
		err = node_put_common(nl, msg, &r);
		if (err)
			break;
		err = ctl_nl_talk(nl, msg, IOFAIR_A_NODE_MAX, node_print_reply, NULL);
		msg = NULL;
		break;
	case CMD_DEL:
	case CMD_SET:
		err = node_resolve_nl(nl, r.node, &id);
		if (err)
			break;
		err = -ENOMEM;
		msg = ctl_nl_msg(nl, r.cmd == CMD_DEL ? IOFAIR_CMD_NODE_DEL : IOFAIR_CMD_NODE_SET, 0);
		if (!msg || nla_put_u32(msg, IOFAIR_A_NODE_ID, id))
			break;
		if (r.cmd == CMD_SET) {
			err = node_put_common(nl, msg, &r);
			if (err)
				break;
		}
		err = ctl_nl_talk(nl, msg, IOFAIR_A_NODE_MAX, node_json_reply, NULL);
		msg = NULL;
		break;
	default:
		err = -EINVAL;
	}
	nlmsg_free(msg);
	ctl_nl_close(nl);
	return err ? 1 : 0;
}
