// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: iofairctl stats --format prometheus on snapshots made here.
 * The exact exposition of a small tree; the format's rules checked line by
 * line (HELP and TYPE once per family, right before its samples; names;
 * label syntax and escaping); no traffic samples for a target without data;
 * every family even when there is nothing; a failed write is an error.
 */
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "../iofairctl.h"
#include "../stats.h"
#include "ktap.h"

struct ctl_opts opts;

/* KTAP_CHECK evaluates its condition twice: evaluate once. */
#define CHECK(cond, ...) do { bool ok_ = (cond); KTAP_CHECK(ok_, __VA_ARGS__); } while (0)

static const char *fake_ifname(uint32_t ifindex, char *buf)
{
	if (ifindex == 7)
		return strcpy(buf, "veth0");
	if (ifindex == 8)
		return strcpy(buf, "eth0");
	return NULL;	/* gone */
}

static const struct node_info nodes[] = {
	{ .id = 1, .kind = IOFAIR_NODE_KIND_ROOT, .name = "root" },
	{ .id = 2, .parent = 1, .kind = IOFAIR_NODE_KIND_TENANT, .name = "a\"b\\c\nd" },
};

static const struct target_info targets[] = {
	{ .id = 3, .kind = IOFAIR_TARGET_KIND_DEV, .ifindex = 7, .node = 2 },
	{ .id = 4, .kind = IOFAIR_TARGET_KIND_VF, .ifindex = 8, .has_vf = true, .vf = 1 },
	{ .id = 5, .kind = IOFAIR_TARGET_KIND_VHOST, .ifindex = 99, .node = 77 },
};

static const struct stats_names names = {
	.nodes = nodes, .nn = 2, .targets = targets, .nt = 3, .ifname = fake_ifname,
};

static struct stat_entry entries[] = {
	{ .id = 3, .kind = IOFAIR_TARGET_KIND_DEV, .has_kind = true,
	  .source = IOFAIR_SOURCE_HOOK, .has_source = true,
	  .tx = { .valid = true, .packets = 10, .bytes = 1000, .rate = 8000, .delayed = 2,
		  .drops = 4, .drop = { 1, 0, 3, 0 } },
	  .rx = { .valid = true, .packets = 5, .bytes = 18446744073709551615ULL, .rate = 4000 },
	  .has_alloc = true, .alloc = 1000000, .has_demand = true, .demand = UINT64_MAX,
	  .has_conf = true, .conf = 987000 },
	/* a VF passed through: nothing measures it */
	{ .id = 4, .kind = IOFAIR_TARGET_KIND_VF, .has_kind = true,
	  .source = IOFAIR_SOURCE_NONE, .has_source = true,
	  .tx = { .valid = true, .packets = 123456, .bytes = 654321 },
	  .rx = { .valid = true, .packets = 123456, .bytes = 654321 },
	  .has_demand = true, .demand = 5000, .has_conf = true, .conf = 500000 },
	/* its netdev gone, its node unknown to the names dump; no rx figures */
	{ .id = 5, .kind = IOFAIR_TARGET_KIND_VHOST, .has_kind = true,
	  .source = IOFAIR_SOURCE_HOOK, .has_source = true,
	  .tx = { .valid = true, .packets = 1, .bytes = 60, .rate = 0 } },
	{ .node = true, .id = 1, .has_cap = true, .cap = 1000000000, .has_alloc = true,
	  .alloc = 1000000000, .has_demand = true, .demand = UINT64_MAX, .has_jain = true,
	  .jain = 1000000 },
	{ .node = true, .id = 2, .has_alloc = true, .alloc = 500, .has_demand = true,
	  .demand = 400, .has_jain = true, .jain = 999999 },
	/* removed between the names dump and the stats dump */
	{ .node = true, .id = 9 },
};

static const char expected[] =
"# HELP iofair_target_info A target's labels, and where its counters come from (source: hook, pf-driver, or none: no traffic samples); always 1.\n"
"# TYPE iofair_target_info gauge\n"
"iofair_target_info{target=\"3\",kind=\"dev\",node=\"a\\\"b\\\\c\\nd\",ifname=\"veth0\",source=\"hook\"} 1\n"
"iofair_target_info{target=\"4\",kind=\"vf\",ifname=\"eth0\",vf=\"1\",source=\"none\"} 1\n"
"iofair_target_info{target=\"5\",kind=\"vhost\",node=\"77\",source=\"hook\"} 1\n"
"# HELP iofair_target_packets_total Packets the target sent (tx) and received (rx).\n"
"# TYPE iofair_target_packets_total counter\n"
"iofair_target_packets_total{target=\"3\",kind=\"dev\",node=\"a\\\"b\\\\c\\nd\",ifname=\"veth0\",direction=\"tx\"} 10\n"
"iofair_target_packets_total{target=\"3\",kind=\"dev\",node=\"a\\\"b\\\\c\\nd\",ifname=\"veth0\",direction=\"rx\"} 5\n"
"iofair_target_packets_total{target=\"5\",kind=\"vhost\",node=\"77\",direction=\"tx\"} 1\n"
"# HELP iofair_target_bytes_total L2 bytes (Ethernet header included) the target sent (tx) and received (rx).\n"
"# TYPE iofair_target_bytes_total counter\n"
"iofair_target_bytes_total{target=\"3\",kind=\"dev\",node=\"a\\\"b\\\\c\\nd\",ifname=\"veth0\",direction=\"tx\"} 1000\n"
"iofair_target_bytes_total{target=\"3\",kind=\"dev\",node=\"a\\\"b\\\\c\\nd\",ifname=\"veth0\",direction=\"rx\"} 18446744073709551615\n"
"iofair_target_bytes_total{target=\"5\",kind=\"vhost\",node=\"77\",direction=\"tx\"} 60\n"
"# HELP iofair_target_rate_bits_per_second Achieved L2 rate over the last controller interval, in bits per second.\n"
"# TYPE iofair_target_rate_bits_per_second gauge\n"
"iofair_target_rate_bits_per_second{target=\"3\",kind=\"dev\",node=\"a\\\"b\\\\c\\nd\",ifname=\"veth0\",direction=\"tx\"} 8000\n"
"iofair_target_rate_bits_per_second{target=\"3\",kind=\"dev\",node=\"a\\\"b\\\\c\\nd\",ifname=\"veth0\",direction=\"rx\"} 4000\n"
"iofair_target_rate_bits_per_second{target=\"5\",kind=\"vhost\",node=\"77\",direction=\"tx\"} 0\n"
"# HELP iofair_target_drops_total Packets iofair dropped, per direction and reason (queue-full: the limiter's hold queue; too-big: larger than the burst; detach: the target went away with packets held; nomem).\n"
"# TYPE iofair_target_drops_total counter\n"
"iofair_target_drops_total{target=\"3\",kind=\"dev\",node=\"a\\\"b\\\\c\\nd\",ifname=\"veth0\",direction=\"tx\",reason=\"queue-full\"} 1\n"
"iofair_target_drops_total{target=\"3\",kind=\"dev\",node=\"a\\\"b\\\\c\\nd\",ifname=\"veth0\",direction=\"tx\",reason=\"too-big\"} 0\n"
"iofair_target_drops_total{target=\"3\",kind=\"dev\",node=\"a\\\"b\\\\c\\nd\",ifname=\"veth0\",direction=\"tx\",reason=\"detach\"} 3\n"
"iofair_target_drops_total{target=\"3\",kind=\"dev\",node=\"a\\\"b\\\\c\\nd\",ifname=\"veth0\",direction=\"tx\",reason=\"nomem\"} 0\n"
"iofair_target_drops_total{target=\"3\",kind=\"dev\",node=\"a\\\"b\\\\c\\nd\",ifname=\"veth0\",direction=\"rx\",reason=\"queue-full\"} 0\n"
"iofair_target_drops_total{target=\"3\",kind=\"dev\",node=\"a\\\"b\\\\c\\nd\",ifname=\"veth0\",direction=\"rx\",reason=\"too-big\"} 0\n"
"iofair_target_drops_total{target=\"3\",kind=\"dev\",node=\"a\\\"b\\\\c\\nd\",ifname=\"veth0\",direction=\"rx\",reason=\"detach\"} 0\n"
"iofair_target_drops_total{target=\"3\",kind=\"dev\",node=\"a\\\"b\\\\c\\nd\",ifname=\"veth0\",direction=\"rx\",reason=\"nomem\"} 0\n"
"iofair_target_drops_total{target=\"5\",kind=\"vhost\",node=\"77\",direction=\"tx\",reason=\"queue-full\"} 0\n"
"iofair_target_drops_total{target=\"5\",kind=\"vhost\",node=\"77\",direction=\"tx\",reason=\"too-big\"} 0\n"
"iofair_target_drops_total{target=\"5\",kind=\"vhost\",node=\"77\",direction=\"tx\",reason=\"detach\"} 0\n"
"iofair_target_drops_total{target=\"5\",kind=\"vhost\",node=\"77\",direction=\"tx\",reason=\"nomem\"} 0\n"
"# HELP iofair_target_delayed_packets_total Packets the limiter held before sending them.\n"
"# TYPE iofair_target_delayed_packets_total counter\n"
"iofair_target_delayed_packets_total{target=\"3\",kind=\"dev\",node=\"a\\\"b\\\\c\\nd\",ifname=\"veth0\",direction=\"tx\"} 2\n"
"iofair_target_delayed_packets_total{target=\"3\",kind=\"dev\",node=\"a\\\"b\\\\c\\nd\",ifname=\"veth0\",direction=\"rx\"} 0\n"
"iofair_target_delayed_packets_total{target=\"5\",kind=\"vhost\",node=\"77\",direction=\"tx\"} 0\n"
"# HELP iofair_target_allocated_bits_per_second The share the fair-share controller gives, in bits per second; no sample while it has given none.\n"
"# TYPE iofair_target_allocated_bits_per_second gauge\n"
"iofair_target_allocated_bits_per_second{target=\"3\",kind=\"dev\",node=\"a\\\"b\\\\c\\nd\",ifname=\"veth0\"} 1000000\n"
"# HELP iofair_target_demand_bits_per_second The controller's estimate of the demand, in bits per second; no sample while backlogged (unbounded demand, see _backlogged) or before any estimate.\n"
"# TYPE iofair_target_demand_bits_per_second gauge\n"
"iofair_target_demand_bits_per_second{target=\"4\",kind=\"vf\",ifname=\"eth0\",vf=\"1\"} 5000\n"
"# HELP iofair_target_backlogged 1 while the demand is unbounded (wants more than it is given), else 0.\n"
"# TYPE iofair_target_backlogged gauge\n"
"iofair_target_backlogged{target=\"3\",kind=\"dev\",node=\"a\\\"b\\\\c\\nd\",ifname=\"veth0\"} 1\n"
"iofair_target_backlogged{target=\"4\",kind=\"vf\",ifname=\"eth0\",vf=\"1\"} 0\n"
"# HELP iofair_target_conformance_ratio Bytes sent over bytes the limit allowed (its share, or bw-max outside the tree) over the last conformance window; 1 is exactly the limit.\n"
"# TYPE iofair_target_conformance_ratio gauge\n"
"iofair_target_conformance_ratio{target=\"3\",kind=\"dev\",node=\"a\\\"b\\\\c\\nd\",ifname=\"veth0\"} 0.987\n"
"# HELP iofair_node_info A node's id, kind (root, tenant, group) and parent's name; always 1.\n"
"# TYPE iofair_node_info gauge\n"
"iofair_node_info{node=\"root\",node_id=\"1\",kind=\"root\"} 1\n"
"iofair_node_info{node=\"a\\\"b\\\\c\\nd\",node_id=\"2\",kind=\"tenant\",parent=\"root\"} 1\n"
"iofair_node_info{node=\"9\",node_id=\"9\"} 1\n"
"# HELP iofair_node_capacity_bits_per_second A root's capacity, in bits per second.\n"
"# TYPE iofair_node_capacity_bits_per_second gauge\n"
"iofair_node_capacity_bits_per_second{node=\"root\"} 1000000000\n"
"# HELP iofair_node_allocated_bits_per_second The share the fair-share controller gives, in bits per second; no sample while it has given none.\n"
"# TYPE iofair_node_allocated_bits_per_second gauge\n"
"iofair_node_allocated_bits_per_second{node=\"root\"} 1000000000\n"
"iofair_node_allocated_bits_per_second{node=\"a\\\"b\\\\c\\nd\"} 500\n"
"# HELP iofair_node_demand_bits_per_second The controller's estimate of the demand, in bits per second; no sample while backlogged (unbounded demand, see _backlogged) or before any estimate.\n"
"# TYPE iofair_node_demand_bits_per_second gauge\n"
"iofair_node_demand_bits_per_second{node=\"a\\\"b\\\\c\\nd\"} 400\n"
"# HELP iofair_node_backlogged 1 while the demand is unbounded (wants more than it is given), else 0.\n"
"# TYPE iofair_node_backlogged gauge\n"
"iofair_node_backlogged{node=\"root\"} 1\n"
"iofair_node_backlogged{node=\"a\\\"b\\\\c\\nd\"} 0\n"
"# HELP iofair_node_jain_index Jain's fairness index over the weight-normalised tx rates of the node's backlogged children; 1 is perfectly fair.\n"
"# TYPE iofair_node_jain_index gauge\n"
"iofair_node_jain_index{node=\"root\"} 1\n"
"iofair_node_jain_index{node=\"a\\\"b\\\\c\\nd\"} 0.999999\n";

static char *render(const struct snapshot *s, int *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	*err = prom_write(f, s, &names);
	fclose(f);
	return buf;
}

/* The names of the families, in order, from "# TYPE" lines. */
#define MAX_FAMILIES 32

/*
 * The text format's rules, line by line: "# HELP name text", then "# TYPE
 * name counter|gauge", then the family's samples; no name twice; names
 * iofair_[a-z_]+ (counters end in _total); label values quoted with only
 * \\, \" and \n escapes; values decimal.  Returns the number of families,
 * or -(line number) of the first offending line.
 */
static int check_format(const char *text, char fam[][64], int *samples)
{
	regex_t help, type, smp;
	char *copy = strdup(text), *line, *save = NULL;
	char cur[64] = "";
	int n = 0, lineno = 0, ret;
	bool want_type = false;

	regcomp(&help, "^# HELP (iofair_[a-z_]+) [^\n]+$", REG_EXTENDED);
	regcomp(&type, "^# TYPE (iofair_[a-z_]+) (counter|gauge)$", REG_EXTENDED);
	regcomp(&smp, "^(iofair_[a-z_]+)\\{[a-z_]+=\"([^\"\\\\]|\\\\[\\\\\"n])*\""
		      "(,[a-z_]+=\"([^\"\\\\]|\\\\[\\\\\"n])*\")*\\} (0|[1-9][0-9]*)(\\.[0-9]*[1-9])?$",
		REG_EXTENDED);
	*samples = 0;
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		regmatch_t m[3];
		char name[64];
		int i;

		lineno++;
		if (!regexec(&help, line, 2, m, 0)) {
			if (want_type)
				goto bad;
			snprintf(name, sizeof(name), "%.*s", (int)(m[1].rm_eo - m[1].rm_so),
				 line + m[1].rm_so);
			for (i = 0; i < n; i++)
				if (!strcmp(fam[i], name))
					goto bad;	/* a family twice */
			if (n == MAX_FAMILIES)
				goto bad;
			strcpy(fam[n++], name);
			strcpy(cur, name);
			want_type = true;
		} else if (!regexec(&type, line, 3, m, 0)) {
			size_t l = (size_t)(m[1].rm_eo - m[1].rm_so);
			bool counter = line[m[2].rm_so] == 'c';
			bool total = l > 6 && !strncmp(line + m[1].rm_eo - 6, "_total", 6);

			if (!want_type || strncmp(line + m[1].rm_so, cur, l) || cur[l] ||
			    counter != total)
				goto bad;
			want_type = false;
		} else if (!regexec(&smp, line, 2, m, 0)) {
			size_t l = (size_t)(m[1].rm_eo - m[1].rm_so);

			/* only right after its own family's HELP and TYPE */
			if (want_type || !cur[0] || strncmp(line, cur, l) || cur[l])
				goto bad;
			(*samples)++;
		} else {
			goto bad;
		}
	}
	ret = want_type ? -(lineno + 1) : n;
	goto out;
bad:
	ret = -lineno;
out:
	regfree(&help);
	regfree(&type);
	regfree(&smp);
	free(copy);
	return ret;
}

/* Lines of @text that start with @prefix and contain @needle. */
static int count_lines(const char *text, const char *prefix, const char *needle)
{
	const char *l = text;
	int n = 0;

	while (l && *l) {
		const char *end = strchr(l, '\n');
		size_t len = end ? (size_t)(end - l) : strlen(l);
		char buf[512];

		snprintf(buf, sizeof(buf), "%.*s", (int)len, l);
		if (!strncmp(buf, prefix, strlen(prefix)) && strstr(buf, needle))
			n++;
		l = end ? end + 1 : NULL;
	}
	return n;
}

int main(void)
{
	static const char *const traffic_families[] = {
		"iofair_target_packets_total", "iofair_target_bytes_total",
		"iofair_target_rate_bits_per_second", "iofair_target_drops_total",
		"iofair_target_delayed_packets_total", "iofair_target_conformance_ratio",
	};
	struct snapshot s = { .v = entries, .n = ARRAY_SIZE(entries) };
	struct snapshot empty = { 0 };
	char fam[MAX_FAMILIES][64], efam[MAX_FAMILIES][64];
	int err, eerr, nfam, nefam, nsamples, nesamples, i;
	char *out = render(&s, &err), *eout = render(&empty, &eerr);
	bool same = true;
	FILE *full;

	KTAP_PLAN(13);
	CHECK(!err && !strcmp(out, expected), "the exposition of a small tree, exactly");
	if (strcmp(out, expected)) {
		const char *a = out, *b = expected;

		while (*a && *a == *b)
			a++, b++;
		printf("# differs at byte %td: got \"%.60s\"\n# expected \"%.60s\"\n",
		       a - out, a, b);
	}
	nfam = check_format(out, fam, &nsamples);
	CHECK(nfam == 16, "16 families, each HELP then TYPE once, then its samples (%d)", nfam);
	CHECK(nsamples == 43, "every line a well-formed sample, label or comment (%d samples)",
	      nsamples);
	for (i = 0; i < (int)ARRAY_SIZE(traffic_families); i++)
		if (count_lines(out, traffic_families[i], "target=\"4\""))
			same = false;
	CHECK(same, "a target without data (source none) has no traffic sample, not even 0");
	CHECK(count_lines(out, "iofair_target_info{", "target=\"4\",kind=\"vf\",ifname=\"eth0\","
			  "vf=\"1\",source=\"none\"} 1") == 1,
	      "... but its info says source none");
	CHECK(count_lines(out, "iofair_target_", "target=\"5\"") == 9 &&
	      !count_lines(out, "iofair_target_", "target=\"5\",kind=\"vhost\",node=\"77\",direction=\"rx\""),
	      "a direction without counters has no samples");
	CHECK(count_lines(out, "iofair_", "node=\"a\\\"b\\\\c\\nd\"") == 25,
	      "label values escape backslash, double quote and newline");
	CHECK(!count_lines(out, "iofair_target_demand", "target=\"3\"") &&
	      count_lines(out, "iofair_target_backlogged{target=\"3\"", "} 1") == 1,
	      "backlogged: no demand sample, _backlogged 1");
	CHECK(count_lines(out, "iofair_node_jain_index", "} 1") == 1 &&
	      count_lines(out, "iofair_node_jain_index", "} 0.999999") == 1 &&
	      count_lines(out, "iofair_target_conformance_ratio", "} 0.987") == 1,
	      "parts per million as exact decimals: 1, 0.999999, 0.987");

	nefam = check_format(eout, efam, &nesamples);
	CHECK(!eerr && nefam == 16 && !nesamples,
	      "no targets or nodes: the same 16 families, no samples (%d, %d)", nefam, nesamples);
	same = nefam == nfam;
	for (i = 0; same && i < nfam; i++)
		same = !strcmp(fam[i], efam[i]);
	CHECK(same, "... in the same order");

	full = fopen("/dev/full", "w");
	if (full) {
		setvbuf(full, NULL, _IONBF, 0);
		err = prom_write(full, &s, &names);
		fclose(full);
	}
	CHECK(full && err == -EIO, "a failed write is -EIO");

	/* the families' names: Prometheus' conventions */
	same = true;
	for (i = 0; i < nfam; i++) {
		const char *n = fam[i];
		size_t l = strlen(n);

		if (strstr(n, "__") || n[l - 1] == '_' ||
		    (strstr(n, "bytes") && strcmp(n + l - 6, "_total")))
			same = false;
	}
	CHECK(same, "names: no double underscore, no trailing underscore, bytes are counters");
	if (ktap_failed)
		printf("# output:\n%s", out);
	free(out);
	free(eout);
	KTAP_EXIT();
}
