// SPDX-License-Identifier: GPL-2.0
/*
 * iofairctl: a target named on the command line -- by its id, or by what it
 * governs: dev IFNAME, vf PF VFINDEX, vhost TAPNAME (and for hist, a netdev's
 * name alone).  A name is resolved by listing the targets of our namespace;
 * one that matches no target, or several, is an error that says so.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/iofair.h>

#include "iofairctl.h"
#include "names.h"

bool target_ref_given(const struct target_ref *ref)
{
	return ref->id || ref->ifname;
}

const char *target_ref_str(char *buf, size_t len, const struct target_ref *ref)
{
	if (ref->id)
		snprintf(buf, len, "%u", ref->id);
	else if (ref->kind == IOFAIR_TARGET_KIND_VF)
		snprintf(buf, len, "vf %s %u", ref->ifname, ref->vf);
	else if (ref->kind >= 0)
		snprintf(buf, len, "%s %s", target_kind_names[ref->kind], ref->ifname);
	else
		snprintf(buf, len, "%s", ref->ifname);
	return buf;
}

/* After a kind word: IFNAME, and for vf the VF index. */
static int target_ref_parse_name(int argc, char **argv, int *i, struct target_ref *ref)
{
	const char *kind = target_kind_names[ref->kind], *val;

	val = arg_next(argc, argv, i);
	if (!val || arg_ifname(kind, val))
		return -EINVAL;
	ref->ifname = val;
	if (ref->kind != IOFAIR_TARGET_KIND_VF)
		return 0;
	if (*i + 1 >= argc) {
		ctl_err("vf %s: missing VFINDEX", ref->ifname);
		return -EINVAL;
	}
	val = argv[++*i];
	if (parse_u32(val, &ref->vf) || ref->vf > IOFAIR_VF_MAX) {
		ctl_err("vf: invalid VF index '%s' (0 to %d)", val, IOFAIR_VF_MAX);
		return -EINVAL;
	}
	return 0;
}

int target_ref_parse(const char *what, int argc, char **argv, int *i, unsigned int flags,
		     struct target_ref *ref)
{
	const char *word = argv[*i];
	int kind;

	memset(ref, 0, sizeof(*ref));
	ref->kind = -1;
	if (!parse_u32(word, &ref->id) || (!(flags & TREF_BARE) && *word >= '0' && *word <= '9'))
		return arg_id(what, word, &ref->id);
	kind = enum_lookup(word, target_kind_names, ARRAY_SIZE(target_kind_names));
	/* a netdev's name alone, where one may be: a kind word only with a name after it */
	if ((flags & TREF_BARE) && (kind < 0 || *i + 1 >= argc)) {
		if (arg_ifname(what, word))
			return -EINVAL;
		ref->ifname = word;
		return 0;
	}
	if (kind == KW_AMBIGUOUS)
		return enum_parse("target kind", word, target_kind_names,
				  ARRAY_SIZE(target_kind_names));
	if (kind < 0) {
		ctl_err("%s: invalid target '%s' (an id, dev IFNAME, vf PF VFINDEX or vhost TAPNAME)",
			what, word);
		return -EINVAL;
	}
	ref->kind = kind;
	return target_ref_parse_name(argc, argv, i, ref);
}

static bool target_ref_matches(const struct target_info *t, const struct target_ref *ref,
			       unsigned int ifindex)
{
	bool vf = t->kind == IOFAIR_TARGET_KIND_VF;

	if (ref->kind < 0)	/* a netdev: a dev or vhost target on it, or a VF's own */
		return vf ? t->vf_ifindex == ifindex : t->ifindex == ifindex;
	if ((int)t->kind != ref->kind || t->ifindex != ifindex)
		return false;
	return !vf || (t->has_vf && t->vf == ref->vf);
}

int target_ref_find(const struct target_info *v, size_t n, const struct target_ref *ref,
		    unsigned int ifindex, uint32_t *id)
{
	char name[IF_NAMESIZE + 32], ids[128];
	size_t i, found = 0, used = 0;

	for (i = 0; i < n; i++) {
		if (!target_ref_matches(&v[i], ref, ifindex))
			continue;
		if (!found++)
			*id = v[i].id;
		if (used < sizeof(ids))
			used += snprintf(ids + used, sizeof(ids) - used, "%s%u",
					 found > 1 ? ", " : "", v[i].id);
	}
	target_ref_str(name, sizeof(name), ref);
	if (!found) {
		ctl_err(ref->kind < 0 ? "no target on %s" : "no target is %s", name);
		return -ENOENT;
	}
	if (found > 1) {
		ctl_err("%s is %zu targets (%s): name one by its id", name, found, ids);
		return -EEXIST;
	}
	return 0;
}

int target_ref_resolve(struct ctl_nl *nl, const struct target_ref *ref, uint32_t *id)
{
	struct target_info *v = NULL;
	unsigned int ifindex;
	size_t n = 0;
	int err;

	if (ref->id) {	/* an id that exists nowhere is the kernel's to refuse */
		*id = ref->id;
		return 0;
	}
	ifindex = if_nametoindex(ref->ifname);
	if (!ifindex) {
		ctl_err("no netdev '%s' in this network namespace", ref->ifname);
		return -ENOENT;
	}
	err = targets_fetch(nl, 0, -1, &v, &n);
	if (!err)
		err = target_ref_find(v, n, ref, ifindex, id);
	free(v);
	return err;
}
