/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iofairctl: what the target, node, policy, stats, monitor and controller
 * objects share -- enum names, keyword lookup, policies, attribute readers,
 * aligned tables, and the node and target lists the kernel dumps.
 */
#ifndef IOFAIRCTL_NAMES_H
#define IOFAIRCTL_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/iofair.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Exit codes: usage errors are 2, refusals and failures 1. */
#define EXIT_USAGE	2

struct json;
struct nlattr;
struct nl_msg;
struct ctl_nl;

/* Enum values <-> the spec's names. */
extern const char *const target_kind_names[3];
extern const char *const enforce_names[3];
extern const char *const ownership_names[2];
extern const char *const node_kind_names[3];
extern const char *const source_names[3];
extern const char *const drop_reason_names[4];
extern const char *const event_type_names[9];
extern const char *const del_reason_names[4];

/* names[v], or "unknown" for a value the CLI does not know (a newer module). */
const char *enum_name(const char *const *names, size_t n, uint32_t v);
#define ENUM_NAME(tbl, v) enum_name(tbl, ARRAY_SIZE(tbl), v)

/* A word and what it stands for; several words may stand for one value. */
struct kw {
	const char *word;
	int val;
};

#define KW_UNKNOWN	(-1)
#define KW_AMBIGUOUS	(-2)
/*
 * Look @arg up in @words: an exact match, or a prefix of words that all
 * stand for the same value (iproute2's matches(), without its dependence on
 * the order).  Returns the value, KW_UNKNOWN or KW_AMBIGUOUS.
 */
int kw_lookup(const char *arg, const struct kw *words, size_t n);
/* The same over an enum's names: the index. */
int enum_lookup(const char *arg, const char *const *names, size_t n);
/*
 * Into @buf, "a, b, c": the words @arg is a prefix of (NULL: all of them),
 * one per value.  Returns how many.
 */
size_t kw_candidates(char *buf, size_t len, const char *arg, const struct kw *words, size_t n);
/*
 * kw_lookup, printing "unknown WHAT 'arg' (one of: ...)" or "ambiguous
 * WHAT 'arg': a, b?" when it fails.
 */
int kw_parse(const char *what, const char *arg, const struct kw *words, size_t n);
int enum_parse(const char *what, const char *arg, const char *const *names, size_t n);

/* A policy, as sent (only what @has says) and as received. */
#define POL_MIN		(1U << 0)
#define POL_MAX		(1U << 1)
#define POL_BURST	(1U << 2)
#define POL_WEIGHT	(1U << 3)

struct pol {
	unsigned int has;	/* POL_* */
	uint64_t bw_min, bw_max;	/* bit/s, 0 = none */
	uint32_t burst;		/* bytes, 0 = the limiter's default */
	uint32_t weight;
};

/*
 * Argument parsing helpers; each prints what is wrong with which word and
 * returns -EINVAL.  @kw is the keyword the value came after.
 */
int arg_rate(const char *kw, const char *val, uint64_t *bps);
int arg_size32(const char *kw, const char *val, uint32_t *bytes);
int arg_u32(const char *kw, const char *val, uint32_t *v);
int arg_id(const char *kw, const char *val, uint32_t *id);	/* >= 1 */
int arg_ifname(const char *kw, const char *val);		/* length only */
/* min/max/burst/weight (canonical names) with @val into @p. */
int arg_policy(const char *kw, const char *val, struct pol *p);
/* Nothing from argv[@from] on, or "WHAT: unexpected 'word'" and -EINVAL. */
int arg_end(const char *what, int argc, char **argv, int from);
/* The value after argv[*i]: advances *i, or prints "missing value" (NULL). */
const char *arg_next(int argc, char **argv, int *i);

/* Netlink attributes. */
uint64_t nla_uint(const struct nlattr *a);	/* a `uint`: 4 or 8 bytes */
int nla_put_policy(struct nl_msg *msg, int type, const struct pol *p);
void nla_get_policy(const struct nlattr *nest, struct pol *p);

/* Printing. */
void json_policy(struct json *j, const struct pol *p);
/* A rate, or @zero when it is 0 ("-" for "none"). */
const char *fmt_rate0(char *buf, size_t len, uint64_t bps, const char *zero);
const char *fmt_u64(char *buf, size_t len, uint64_t v);
/* Parts per million as "98.5%" / "0.987". */
const char *fmt_ppm_pct(char *buf, size_t len, uint32_t ppm);
const char *fmt_ppm_frac(char *buf, size_t len, uint32_t ppm);
/* A netdev by ifindex in our netns: its name, or "ifindex N". */
const char *fmt_ifindex(char *buf, size_t len, uint32_t ifindex);

/* The objects as the kernel reports them. */
struct node_info {
	uint32_t id, parent, kind, link, children;
	char name[IOFAIR_NAME_LEN];
	bool has_capacity, has_policy;
	uint64_t capacity;
	struct pol pol;
};

struct target_info {
	uint32_t id, kind, ifindex, vf, node, enforce, ownership, vf_ifindex;
	bool has_vf, has_enforce, has_ownership, has_policy, has_rx_max;
	bool has_host_bound, has_hw_enforced, has_hw_min, has_vf_present;
	bool host_side;
	bool host_bound, hw_enforced, hw_min, vf_present;
	uint64_t rx_max;
	struct pol pol;
	uint32_t hist;		/* kinds of latency histograms kept */
};

/* node.c */
void node_from_attrs(struct nlattr **tb, struct node_info *n);
int nodes_fetch(struct ctl_nl *nl, struct node_info **v, size_t *n);
const struct node_info *node_by_id(const struct node_info *v, size_t n, uint32_t id);
/*
 * A node given by name, or else by id: the id.  Prints the error and
 * returns -ENOENT when it names no node (an id that exists nowhere is
 * passed through for the kernel to refuse).
 */
int node_resolve(const struct node_info *v, size_t n, const char *arg, uint32_t *id);
/* The same, with a dump of its own. */
int node_resolve_nl(struct ctl_nl *nl, const char *arg, uint32_t *id);

/* target.c */
void target_from_attrs(struct nlattr **tb, struct target_info *t);
/* All targets, or those under @node (0: any) of @kind (-1: any). */
int targets_fetch(struct ctl_nl *nl, uint32_t node, int kind, struct target_info **v,
		  size_t *n);
const struct target_info *target_by_id(const struct target_info *v, size_t n, uint32_t id);
/* "veth0", "eth0 vf 3", or "ifindex 7" when it is gone. */
const char *target_dev(char *buf, size_t len, uint32_t kind, uint32_t ifindex, bool has_vf,
		       uint32_t vf);

/* targetref.c: a target as the command line names it. */
struct target_ref {
	uint32_t id;		/* by id; 0: by name */
	int kind;		/* by name: dev, vf, vhost; -1: a netdev's name alone */
	const char *ifname;	/* the netdev; the PF for vf */
	uint32_t vf;
};

#define TREF_BARE	(1U << 0)	/* a netdev's name alone names a target too */
/*
 * ID | dev IFNAME | vf PF VFINDEX | vhost TAPNAME (| IFNAME with TREF_BARE)
 * from argv[*i]; leaves *i at its last word.  Prints what is wrong with
 * which word (@what first) and returns -EINVAL.
 */
int target_ref_parse(const char *what, int argc, char **argv, int *i, unsigned int flags,
		     struct target_ref *ref);
bool target_ref_given(const struct target_ref *ref);
/* "7", "dev veth0", "vf eth0 3", "vhost tap0" or "tap0". */
const char *target_ref_str(char *buf, size_t len, const struct target_ref *ref);
/*
 * The id of the one target of @v that @ref names, its netdev being
 * @ifindex; prints the error and returns -ENOENT for none, -EEXIST for
 * several.
 */
int target_ref_find(const struct target_info *v, size_t n, const struct target_ref *ref,
		    unsigned int ifindex, uint32_t *id);
/* The id: @ref's own, or the target its name finds in the kernel's list. */
int target_ref_resolve(struct ctl_nl *nl, const struct target_ref *ref, uint32_t *id);

/* The parsed command lines, filled by pure functions (see ctl/tests). */
enum obj_cmd { CMD_SHOW, CMD_ADD, CMD_DEL, CMD_SET, CMD_RESET, CMD_HELP };

struct target_req {
	enum obj_cmd cmd;
	struct target_ref ref;	/* del, set, show: the target as named */
	uint32_t id;		/* its id, when named by id (show: 0 for all) */
	int kind;		/* add: the kind; show: the filter (-1: none) */
	const char *ifname;	/* add: the netdev, the PF for vf */
	uint32_t vf;
	const char *node;	/* NODE as given (name or id), NULL: none */
	bool node_none;		/* set: node none */
	int enforce, ownership;	/* -1: not given */
	struct pol pol;
	bool has_rx_max;
	uint64_t rx_max;
	bool has_hist;		/* hist: the kinds (histmath.h) */
	uint32_t hist;
	bool host_side;		/* add dev: the host's end of the tenant's link */
};

struct node_req {
	enum obj_cmd cmd;
	const char *node;	/* add: the new name; del, set, show: NODE (NULL: all) */
	const char *parent;
	int kind;		/* -1: not given */
	bool has_capacity;
	uint64_t capacity;
	const char *link;
	struct pol pol;
};

struct policy_req {
	enum obj_cmd cmd;	/* SET, SHOW, HELP */
	struct target_ref ref;	/* set: the target as named */
	uint32_t target;	/* its id when named by id, or 0 */
	const char *node;	/* set: the node, or NULL */
	struct pol pol;
};

enum stats_format { STATS_FMT_AUTO, STATS_FMT_TABLE, STATS_FMT_JSON, STATS_FMT_PROMETHEUS };

struct stats_req {
	enum obj_cmd cmd;	/* SHOW, RESET, HELP */
	struct target_ref ref;	/* the target as named */
	uint32_t target;	/* its id when named by id; 0: all */
	const char *node;
	int kind;		/* -1: all */
	bool details;
	uint64_t interval_ms;	/* --watch; 0: once */
	enum stats_format format;	/* --format; AUTO: a table, or JSON with -j */
};

struct monitor_req {
	bool help;
	uint64_t count;		/* 0: until a signal */
};

struct controller_req {
	enum obj_cmd cmd;	/* SHOW, SET, HELP */
	int enabled;		/* -1: not given */
	bool has_interval, has_hysteresis, has_margin, has_window;
	uint32_t interval_ms, hysteresis, margin, window_ms;
};

struct hist_req {
	bool help;
	struct target_ref ref;
	int kind;		/* -1: all */
};

int target_parse(int argc, char **argv, struct target_req *r);
int hist_parse(int argc, char **argv, struct hist_req *r);
int node_parse(int argc, char **argv, struct node_req *r);
int policy_parse(int argc, char **argv, struct policy_req *r);
int stats_parse(int argc, char **argv, struct stats_req *r);
int monitor_parse(int argc, char **argv, struct monitor_req *r);
int controller_parse(int argc, char **argv, struct controller_req *r);

#endif /* IOFAIRCTL_NAMES_H */
