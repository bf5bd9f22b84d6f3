// SPDX-License-Identifier: GPL-2.0
/*
 * iofairctl OBJECT COMMAND [ARGS]: configure iofair and read what it measures.
 * Global options as in iproute2: -j/--json, -p/--pretty.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "iofairctl.h"

struct ctl_opts opts;

static const struct ctl_object objects[] = {
	{ "dev",     "list SR-IOV PFs and VFs: drivers, netdevs, netns, PF-driver VF config", do_dev },
	{ "target",  "add, change, remove and list the traffic endpoints iofair governs", do_target },
	{ "node",    "the policy hierarchy: roots with a capacity, tenants and groups", do_node },
	{ "policy",  "set and list the bw-min, bw-max, burst and weight of targets and nodes", do_policy },
	{ "stats",   "one snapshot of every target's and node's figures, or a live view", do_stats },
	{ "monitor", "print events as they happen: targets, nodes, policies, VF config, alarms", do_monitor },
	{ "controller", "show and set the fair-share controller", do_controller },
	{ "hist",    "latency histograms of a target: bars, count, mean, p50 to p99.9", do_hist },
	{ "version", "show the CLI and module versions and the kernel features found", do_version },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: iofairctl [OPTIONS] OBJECT [COMMAND [ARGS]]\n"
		   "Options:\n"
		   "  -j, --json     JSON output\n"
		   "  -p, --pretty   indented JSON output (with -j)\n"
		   "  -h, --help     this help\n"
		   "  -V, --version  the CLI's version\n"
		   "Objects:\n");
	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
		fprintf(f, "  %-10s %s\n", objects[i].name, objects[i].help);
	fprintf(f, "'iofairctl OBJECT help' (or 'iofairctl help OBJECT') shows an object's commands.\n");
}

static const struct ctl_object *object_find(const char *arg)
{
	size_t i;

	for (i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
		if (matches(arg, objects[i].name))
			return &objects[i];
	return NULL;
}

/* `iofairctl help`: the objects; `iofairctl help OBJECT`: `iofairctl OBJECT help`. */
static int help(int argc, char **argv)
{
	const struct ctl_object *obj;
	char *args[] = { "help", NULL };

	if (argc < 1) {
		usage(stdout);
		return 0;
	}
	obj = argc == 1 ? object_find(argv[0]) : NULL;
	if (!obj) {
		ctl_err(argc == 1 ? "help: unknown object '%s'" : "help: unexpected '%s'",
			argv[argc == 1 ? 0 : 1]);
		return 2;
	}
	return obj->run(1, args);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json",    no_argument, NULL, 'j' },
		{ "pretty",  no_argument, NULL, 'p' },
		{ "help",    no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{}
	};
	const struct ctl_object *obj;
	int c;

	while ((c = getopt_long(argc, argv, "+jphV", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': opts.json = true; break;
		case 'p': opts.pretty = true; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("iofairctl %s\n", IOFAIRCTL_VERSION); return 0;
		default:  usage(stderr); return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return 2;
	}
	obj = object_find(argv[0]);
	if (obj)
		return obj->run(argc - 1, argv + 1);
	/* after the objects, so that 'h' stays hist */
	if (matches(argv[0], "help"))
		return help(argc - 1, argv + 1);

	ctl_err("unknown object '%s' (try 'iofairctl help')", argv[0]);
	return 2;
}
