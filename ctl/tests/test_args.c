// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: the command lines of target, node, policy, stats, monitor and
 * controller, parsed into their request structs without any netlink.  Each
 * bad line must be refused (the CLI exits 2 for it); each good one must give
 * exactly the request it says.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../iofairctl.h"
#include "../names.h"
#include "ktap.h"

struct ctl_opts opts;

/* Split @line on spaces into a static argv. */
static int split(const char *line, char ***argv)
{
	static char buf[512];
	static char *args[64];
	int argc = 0;
	char *p;

	snprintf(buf, sizeof(buf), "%s", line);
	for (p = strtok(buf, " "); p && argc < 63; p = strtok(NULL, " "))
		args[argc++] = p;
	args[argc] = NULL;
	*argv = args;
	return argc;
}

/* KTAP_CHECK evaluates its condition twice: parse once. */
#define CHECK(cond, ...) do { bool ok_ = (cond); KTAP_CHECK(ok_, __VA_ARGS__); } while (0)

#define PARSE(fn, req, line) ({ char **av; int ac = split(line, &av); fn(ac, av, req); })

static const char *const bad_target[] = {
	"add",
	"add dev",
	"add eth0",
	"add vf eth0",
	"add vf eth0 x",
	"add vf eth0 4096",
	"add dev veth0 max 10xbit",
	"add dev veth0 min",
	"add dev veth0 weight -1",
	"add dev veth0 weight x",
	"add dev veth0 burst 5furlongs",
	"add dev veth0 burst 8g",
	"add dev veth0 enforce never",
	"add dev veth0 ownership mine",
	"add dev veth0 node none",
	"add dev veth0 bogus 1",
	"add dev veth0 m 1mbit",
	"add dev abcdefghijklmnop",
	"del",
	"del 0",
	"del x",
	"del 1 2",
	"set 1",
	"set x max 1mbit",
	"show kind cow",
	"show 3 kind dev",
	"show bogus",
	"s",
	"frobnicate",
	"help x",
	"del dev",
	"del vf eth0",
	"del vf eth0 3 x",
	"del dev veth0 x",
	"set v tap0 max 1mbit",
	"set dev veth0",
	"show v",
	"show dev veth0 kind dev",
	"set 3x max 1mbit",
};

static const char *const bad_node[] = {
	"add",
	"add 42",
	"add abcdefghijklmnopqrstuvwxyz0123456",
	"add a kind king",
	"add a capacity 1gbit link eth0",
	"add a capacity fast",
	"add a parent",
	"del",
	"del a b",
	"set a",
	"set a kind group",
	"show a b",
	"add a weight 1.5",
	"help x",
};

static const char *const bad_policy[] = {
	"set",
	"set target 1",
	"set node a",
	"set max 1mbit",
	"set target 0 max 1mbit",
	"set target 1 node a max 1mbit",
	"set target 1 max 10xbit",
	"show all",
	"help x",
	"set target dev max 1mbit",
	"set target vf eth0 max 1mbit",
	"set target x max 1mbit",
	"set node a target 1 max 1mbit",
};

static const char *const bad_stats[] = {
	"target",
	"target 0",
	"kind pets",
	"-w",
	"-w 0",
	"-w x",
	"reset node a",
	"reset target x",
	"show sideways",
	"--format",
	"--format yaml",
	"--format prometheus -w 1",
	"reset --format json",
	"help x",
	"target vf eth0",
	"target bogus",
};

static const char *const bad_hist[] = {
	"", "1 x", "1 sojourn x", "help x", "0", "dev veth0 sojourn x", "vf eth0 x", "1 rtt",
};

static const char *const bad_monitor[] = {
	"-c", "-c 0", "-c x", "--count -1", "forever", "help -c 2", "-c 2 help",
};

static const char *const bad_controller[] = {
	"set", "set interval", "set interval x", "set margin 5x", "set bogus", "show x", "s",
	"set hysteresis -1",
	"help x",
};

int main(void)
{
	struct target_req t;
	struct node_req n;
	struct policy_req p;
	struct stats_req s;
	struct monitor_req m;
	struct controller_req c;
	struct hist_req h;
	size_t i;
	int plan = ARRAY_SIZE(bad_target) + ARRAY_SIZE(bad_node) + ARRAY_SIZE(bad_policy) +
		   ARRAY_SIZE(bad_stats) + ARRAY_SIZE(bad_monitor) + ARRAY_SIZE(bad_controller) +
		   ARRAY_SIZE(bad_hist) + 51;

	KTAP_PLAN(plan);

	/* target */
	CHECK(!PARSE(target_parse, &t, "add dev veth0") && t.cmd == CMD_ADD &&
		   t.kind == IOFAIR_TARGET_KIND_DEV && !strcmp(t.ifname, "veth0") && !t.node &&
		   t.enforce == -1 && t.ownership == -1 && !t.pol.has && !t.has_rx_max,
		   "target add dev veth0");
	CHECK(!PARSE(target_parse, &t, "add vf eth0 3 node a enforce both ownership adopt "
			  "min 10mbit max 1gbit burst 64k weight 7 rx-max 500kbit") &&
		   t.kind == IOFAIR_TARGET_KIND_VF && !strcmp(t.ifname, "eth0") && t.vf == 3 &&
		   !strcmp(t.node, "a") && t.enforce == IOFAIR_ENFORCE_BOTH &&
		   t.ownership == IOFAIR_OWNERSHIP_ADOPT &&
		   t.pol.has == (POL_MIN | POL_MAX | POL_BURST | POL_WEIGHT) &&
		   t.pol.bw_min == 10000000 && t.pol.bw_max == 1000000000 && t.pol.burst == 65536 &&
		   t.pol.weight == 7 && t.has_rx_max && t.rx_max == 500000,
		   "target add vf with every setting");
	CHECK(!PARSE(target_parse, &t, "a vh tap0 en sw") && t.cmd == CMD_ADD &&
		   t.kind == IOFAIR_TARGET_KIND_VHOST && t.enforce == IOFAIR_ENFORCE_SW,
		   "target add: unambiguous prefixes");
	CHECK(!PARSE(target_parse, &t, "del 12") && t.cmd == CMD_DEL && t.id == 12,
		   "target del 12");
	CHECK(!PARSE(target_parse, &t, "set 4 node none max 0") && t.cmd == CMD_SET &&
		   t.id == 4 && t.node_none && !t.node && t.pol.has == POL_MAX && !t.pol.bw_max,
		   "target set 4 node none max 0");
	CHECK(!PARSE(target_parse, &t, "set 4 node 7") && t.node && !strcmp(t.node, "7") &&
		   !t.node_none, "target set 4 node 7");
	CHECK(!PARSE(target_parse, &t, "") && t.cmd == CMD_SHOW && !t.id && t.kind == -1,
		   "target: show by default");
	CHECK(!PARSE(target_parse, &t, "show 9") && t.cmd == CMD_SHOW && t.id == 9,
		   "target show 9");
	CHECK(!PARSE(target_parse, &t, "list node a kind vhost") && t.cmd == CMD_SHOW &&
		   !strcmp(t.node, "a") && t.kind == IOFAIR_TARGET_KIND_VHOST,
		   "target list node a kind vhost");
	CHECK(!PARSE(target_parse, &t, "help") && t.cmd == CMD_HELP, "target help");
	CHECK(!PARSE(target_parse, &t, "del dev veth0") && t.cmd == CMD_DEL && !t.id &&
	      t.ref.kind == IOFAIR_TARGET_KIND_DEV && !strcmp(t.ref.ifname, "veth0"),
	      "target del dev veth0: by name");
	CHECK(!PARSE(target_parse, &t, "set vf eth0 3 weight 2") && t.cmd == CMD_SET &&
	      t.ref.kind == IOFAIR_TARGET_KIND_VF && !strcmp(t.ref.ifname, "eth0") &&
	      t.ref.vf == 3 && t.pol.has == POL_WEIGHT && t.pol.weight == 2,
	      "target set vf eth0 3 weight 2");
	CHECK(!PARSE(target_parse, &t, "show vh tap0") && t.cmd == CMD_SHOW &&
	      t.ref.kind == IOFAIR_TARGET_KIND_VHOST && !strcmp(t.ref.ifname, "tap0") &&
	      t.kind == -1, "target show vh tap0: a prefix of the kind");
	CHECK(!PARSE(target_parse, &t, "set 4 max 1mbit") && t.id == 4 && t.ref.id == 4 &&
	      !t.ref.ifname, "target set 4: by id, as before");
	for (i = 0; i < ARRAY_SIZE(bad_target); i++)
		CHECK(PARSE(target_parse, &t, bad_target[i]) == -EINVAL,
			   "target %s: refused", bad_target[i]);

	/* node */
	CHECK(!PARSE(node_parse, &n, "add root capacity 1gbit") && n.cmd == CMD_ADD &&
		   !strcmp(n.node, "root") && n.has_capacity && n.capacity == 1000000000 &&
		   !n.parent && n.kind == -1, "node add root capacity 1gbit");
	CHECK(!PARSE(node_parse, &n, "add a parent root kind group min 100mbit max 500mbit "
			  "burst 1500 weight 2") && !strcmp(n.parent, "root") &&
		   n.kind == IOFAIR_NODE_KIND_GROUP && n.pol.bw_min == 100000000 &&
		   n.pol.bw_max == 500000000 && n.pol.burst == 1500 && n.pol.weight == 2,
		   "node add a with parent, kind and policy");
	CHECK(!PARSE(node_parse, &n, "add up link eth0") && !strcmp(n.link, "eth0") &&
		   !n.has_capacity, "node add up link eth0");
	CHECK(!PARSE(node_parse, &n, "del a") && n.cmd == CMD_DEL && !strcmp(n.node, "a"),
		   "node del a");
	CHECK(!PARSE(node_parse, &n, "set 3 parent b weight 9") && n.cmd == CMD_SET &&
		   !strcmp(n.node, "3") && !strcmp(n.parent, "b") && n.pol.has == POL_WEIGHT,
		   "node set 3 parent b weight 9");
	CHECK(!PARSE(node_parse, &n, "show") && n.cmd == CMD_SHOW && !n.node,
		   "node show");
	CHECK(!PARSE(node_parse, &n, "sh a") && n.cmd == CMD_SHOW && !strcmp(n.node, "a"),
		   "node sh a");
	for (i = 0; i < ARRAY_SIZE(bad_node); i++)
		CHECK(PARSE(node_parse, &n, bad_node[i]) == -EINVAL,
			   "node %s: refused", bad_node[i]);

	/* policy */
	CHECK(!PARSE(policy_parse, &p, "set target 3 max 100mbit") && p.cmd == CMD_SET &&
		   p.target == 3 && !p.node && p.pol.has == POL_MAX && p.pol.bw_max == 100000000,
		   "policy set target 3 max 100mbit");
	CHECK(!PARSE(policy_parse, &p, "set node a min 1mbps weight 65535") && !p.target &&
		   !strcmp(p.node, "a") && p.pol.bw_min == 8000000 && p.pol.weight == 65535,
		   "policy set node a min 1mbps weight 65535");
	CHECK(!PARSE(policy_parse, &p, "") && p.cmd == CMD_SHOW, "policy: show by default");
	CHECK(!PARSE(policy_parse, &p, "set target dev veth0 max 1mbit") && !p.target &&
	      p.ref.kind == IOFAIR_TARGET_KIND_DEV && !strcmp(p.ref.ifname, "veth0") &&
	      p.pol.has == POL_MAX, "policy set target dev veth0 max 1mbit");
	CHECK(!PARSE(policy_parse, &p, "set target vf eth0 1 weight 3") &&
	      p.ref.kind == IOFAIR_TARGET_KIND_VF && p.ref.vf == 1 && p.pol.weight == 3,
	      "policy set target vf eth0 1 weight 3");
	for (i = 0; i < ARRAY_SIZE(bad_policy); i++)
		CHECK(PARSE(policy_parse, &p, bad_policy[i]) == -EINVAL,
			   "policy %s: refused", bad_policy[i]);

	/* stats */
	CHECK(!PARSE(stats_parse, &s, "") && s.cmd == CMD_SHOW && !s.target && !s.node &&
		   s.kind == -1 && !s.interval_ms && !s.details, "stats");
	CHECK(!PARSE(stats_parse, &s, "target 2 -d") && s.cmd == CMD_SHOW && s.target == 2 &&
		   s.details, "stats target 2 -d");
	CHECK(!PARSE(stats_parse, &s, "show node a kind vf --watch 0.5") &&
		   !strcmp(s.node, "a") && s.kind == IOFAIR_TARGET_KIND_VF && s.interval_ms == 500,
		   "stats show node a kind vf --watch 0.5");
	CHECK(!PARSE(stats_parse, &s, "-w 250ms") && s.interval_ms == 250, "stats -w 250ms");
	CHECK(!PARSE(stats_parse, &s, "reset") && s.cmd == CMD_RESET && !s.target,
		   "stats reset");
	CHECK(!PARSE(stats_parse, &s, "reset target 5") && s.cmd == CMD_RESET &&
		   s.target == 5, "stats reset target 5");
	CHECK(!PARSE(stats_parse, &s, "target vhost tap0 -d") && !s.target && s.details &&
	      s.ref.kind == IOFAIR_TARGET_KIND_VHOST && !strcmp(s.ref.ifname, "tap0"),
	      "stats target vhost tap0 -d");
	CHECK(!PARSE(stats_parse, &s, "reset target vf eth0 2") && s.cmd == CMD_RESET &&
	      s.ref.kind == IOFAIR_TARGET_KIND_VF && s.ref.vf == 2,
	      "stats reset target vf eth0 2");
	CHECK(!PARSE(stats_parse, &s, "") && s.format == STATS_FMT_AUTO &&
		   !PARSE(stats_parse, &s, "--format table") && s.format == STATS_FMT_TABLE &&
		   !PARSE(stats_parse, &s, "format json -w 1") && s.format == STATS_FMT_JSON,
		   "stats --format table, format json -w 1");
	CHECK(!PARSE(stats_parse, &s, "node a --format prom") &&
		   s.format == STATS_FMT_PROMETHEUS && !strcmp(s.node, "a"),
		   "stats node a --format prom(etheus)");
	for (i = 0; i < ARRAY_SIZE(bad_stats); i++)
		CHECK(PARSE(stats_parse, &s, bad_stats[i]) == -EINVAL,
			   "stats %s: refused", bad_stats[i]);

	/* hist */
	CHECK(!PARSE(hist_parse, &h, "5") && h.ref.id == 5 && h.kind == -1 && !h.help,
	      "hist 5");
	CHECK(!PARSE(hist_parse, &h, "veth0 sojourn") && !h.ref.id && h.ref.kind == -1 &&
	      !strcmp(h.ref.ifname, "veth0") && h.kind == IOFAIR_HIST_KIND_SOJOURN,
	      "hist veth0 sojourn: a netdev's name alone");
	CHECK(!PARSE(hist_parse, &h, "dev veth0 rtt-icmp") &&
	      h.ref.kind == IOFAIR_TARGET_KIND_DEV && !strcmp(h.ref.ifname, "veth0") &&
	      h.kind == IOFAIR_HIST_KIND_RTT_ICMP, "hist dev veth0 rtt-icmp");
	CHECK(!PARSE(hist_parse, &h, "vf eth0 1") && h.ref.kind == IOFAIR_TARGET_KIND_VF &&
	      h.ref.vf == 1 && h.kind == -1, "hist vf eth0 1");
	CHECK(!PARSE(hist_parse, &h, "dev") && h.ref.kind == -1 && !strcmp(h.ref.ifname, "dev"),
	      "hist dev: a netdev named dev (a kind word needs a name after it)");
	CHECK(!PARSE(hist_parse, &h, "help") && h.help, "hist help");
	for (i = 0; i < ARRAY_SIZE(bad_hist); i++)
		CHECK(PARSE(hist_parse, &h, bad_hist[i]) == -EINVAL, "hist %s: refused",
		      bad_hist[i]);

	/* monitor */
	CHECK(!PARSE(monitor_parse, &m, "") && !m.count && !m.help, "monitor");
	CHECK(!PARSE(monitor_parse, &m, "-c 2") && m.count == 2, "monitor -c 2");
	CHECK(!PARSE(monitor_parse, &m, "--count 10") && m.count == 10,
		   "monitor --count 10");
	for (i = 0; i < ARRAY_SIZE(bad_monitor); i++)
		CHECK(PARSE(monitor_parse, &m, bad_monitor[i]) == -EINVAL,
			   "monitor %s: refused", bad_monitor[i]);

	/* controller */
	CHECK(!PARSE(controller_parse, &c, "") && c.cmd == CMD_SHOW, "controller");
	CHECK(!PARSE(controller_parse, &c, "set off") && c.cmd == CMD_SET && c.enabled == 0 &&
		   !c.has_interval, "controller set off");
	CHECK(!PARSE(controller_parse, &c, "set on interval 100 hysteresis 5% margin 10 "
			  "window 2s") && c.enabled == 1 && c.interval_ms == 100 &&
		   c.hysteresis == 5 && c.margin == 10 && c.window_ms == 2000,
		   "controller set with every setting");
	for (i = 0; i < ARRAY_SIZE(bad_controller); i++)
		CHECK(PARSE(controller_parse, &c, bad_controller[i]) == -EINVAL,
			   "controller %s: refused", bad_controller[i]);

	/* shared lookups */
	CHECK(enum_lookup("v", target_kind_names, 3) == KW_AMBIGUOUS &&
		   enum_lookup("vh", target_kind_names, 3) == IOFAIR_TARGET_KIND_VHOST &&
		   enum_lookup("vf", target_kind_names, 3) == IOFAIR_TARGET_KIND_VF &&
		   enum_lookup("x", target_kind_names, 3) == KW_UNKNOWN,
		   "enum_lookup: exact, prefix, ambiguous, unknown");
	CHECK(!strcmp(ENUM_NAME(event_type_names, IOFAIR_EVENT_TYPE_CONFORMANCE_ALARM),
			   "conformance-alarm") && !strcmp(ENUM_NAME(del_reason_names, 99), "unknown"),
		   "enum names, and a value from a newer module");
	{
		static const struct target_info v[] = {
			{ .id = 1, .kind = IOFAIR_TARGET_KIND_DEV, .ifindex = 5 },
			{ .id = 2, .kind = IOFAIR_TARGET_KIND_VHOST, .ifindex = 6 },
			{ .id = 3, .kind = IOFAIR_TARGET_KIND_VF, .ifindex = 7, .has_vf = true,
			  .vf = 0, .vf_ifindex = 9 },
			{ .id = 4, .kind = IOFAIR_TARGET_KIND_VF, .ifindex = 7, .has_vf = true,
			  .vf = 1 },
			{ .id = 5, .kind = IOFAIR_TARGET_KIND_DEV, .ifindex = 9 },
		};
		struct target_ref dev = { .kind = IOFAIR_TARGET_KIND_DEV, .ifname = "d" };
		struct target_ref vh = { .kind = IOFAIR_TARGET_KIND_VHOST, .ifname = "t" };
		struct target_ref vf = { .kind = IOFAIR_TARGET_KIND_VF, .ifname = "p", .vf = 1 };
		struct target_ref bare = { .kind = -1, .ifname = "x" };
		uint32_t id = 0;

		CHECK(!target_ref_find(v, 5, &dev, 5, &id) && id == 1 &&
		      !target_ref_find(v, 5, &vh, 6, &id) && id == 2 &&
		      !target_ref_find(v, 5, &vf, 7, &id) && id == 4 &&
		      !target_ref_find(v, 5, &bare, 6, &id) && id == 2,
		      "target_ref_find: dev, vhost, vf PF N and a netdev alone");
		vf.vf = 2;
		CHECK(target_ref_find(v, 5, &vf, 7, &id) == -ENOENT &&
		      target_ref_find(v, 5, &dev, 6, &id) == -ENOENT &&
		      target_ref_find(v, 5, &bare, 8, &id) == -ENOENT,
		      "target_ref_find: a name that matches no target");
		CHECK(target_ref_find(v, 5, &bare, 9, &id) == -EEXIST,
		      "target_ref_find: a netdev that is two targets (a VF's and a dev's)");
	}
	{
		static const struct kw words[] = {
			{ "set", 1 }, { "change", 1 }, { "show", 2 }, { "list", 2 }, { "sum", 3 },
		};
		char buf[64];

		CHECK(kw_candidates(buf, sizeof(buf), "s", words, ARRAY_SIZE(words)) == 3 &&
		      !strcmp(buf, "set, show, sum") &&
		      kw_candidates(buf, sizeof(buf), NULL, words, ARRAY_SIZE(words)) == 3 &&
		      !strcmp(buf, "set, show, sum") &&
		      kw_candidates(buf, sizeof(buf), "x", words, ARRAY_SIZE(words)) == 0 &&
		      !strcmp(buf, ""),
		      "kw_candidates: the words a prefix fits, one per value");
	}
	KTAP_EXIT();
}
