// SPDX-License-Identifier: GPL-2.0
/*
 * iofairctl: which keyword of the command line each attribute of a request
 * came from, so that a refusal pointing at an attribute can name the word
 * the user typed ("weight", "max", "interval").  Ids, names and kinds the
 * user gave by position have no keyword.
 */
#include <stddef.h>

#include <linux/iofair.h>

#include "names.h"
#include "nlerr.h"

enum { AS_NONE, AS_TARGET, AS_NODE, AS_POLICY, AS_STATS, AS_HISTS, AS_CONTROLLER };

static const struct attr_word attr_words[] = {
	{ AS_TARGET, IOFAIR_A_TARGET_VF, "vf", AW_NUM, 0 },
	{ AS_TARGET, IOFAIR_A_TARGET_NODE, "node", AW_NUM, 0 },
	{ AS_TARGET, IOFAIR_A_TARGET_ENFORCE, "enforce", AW_NUM, 0 },
	{ AS_TARGET, IOFAIR_A_TARGET_OWNERSHIP, "ownership", AW_NUM, 0 },
	{ AS_TARGET, IOFAIR_A_TARGET_POLICY, NULL, AW_NUM, AS_POLICY },
	{ AS_TARGET, IOFAIR_A_TARGET_RX_BW_MAX, "rx-max", AW_RATE, 0 },
	{ AS_TARGET, IOFAIR_A_TARGET_HIST, "hist", AW_NUM, 0 },
	{ AS_TARGET, IOFAIR_A_TARGET_HOST_SIDE, "host-side", AW_NUM, 0 },
	{ AS_NODE, IOFAIR_A_NODE_KIND, "kind", AW_NUM, 0 },
	{ AS_NODE, IOFAIR_A_NODE_PARENT, "parent", AW_NUM, 0 },
	{ AS_NODE, IOFAIR_A_NODE_CAPACITY, "capacity", AW_RATE, 0 },
	{ AS_NODE, IOFAIR_A_NODE_LINK, "link", AW_NUM, 0 },
	{ AS_NODE, IOFAIR_A_NODE_POLICY, NULL, AW_NUM, AS_POLICY },
	{ AS_POLICY, IOFAIR_A_POLICY_BW_MIN, "min", AW_RATE, 0 },
	{ AS_POLICY, IOFAIR_A_POLICY_BW_MAX, "max", AW_RATE, 0 },
	{ AS_POLICY, IOFAIR_A_POLICY_BURST, "burst", AW_SIZE, 0 },
	{ AS_POLICY, IOFAIR_A_POLICY_WEIGHT, "weight", AW_NUM, 0 },
	{ AS_STATS, IOFAIR_A_STATS_TARGET_ID, "target", AW_NUM, 0 },
	{ AS_STATS, IOFAIR_A_STATS_NODE_ID, "node", AW_NUM, 0 },
	{ AS_STATS, IOFAIR_A_STATS_KIND, "kind", AW_NUM, 0 },
	{ AS_CONTROLLER, IOFAIR_A_CONTROLLER_INTERVAL_MS, "interval", AW_MS, 0 },
	{ AS_CONTROLLER, IOFAIR_A_CONTROLLER_HYSTERESIS, "hysteresis", AW_PCT, 0 },
	{ AS_CONTROLLER, IOFAIR_A_CONTROLLER_CONFORMANCE_MARGIN, "margin", AW_PCT, 0 },
	{ AS_CONTROLLER, IOFAIR_A_CONTROLLER_CONFORMANCE_WINDOW_MS, "window", AW_MS, 0 },
};

/* The attribute set a command's request is made of. */
static int cmd_set(uint8_t cmd)
{
	switch (cmd) {
	case IOFAIR_CMD_TARGET_ADD: case IOFAIR_CMD_TARGET_DEL:
	case IOFAIR_CMD_TARGET_SET: case IOFAIR_CMD_TARGET_GET:
		return AS_TARGET;
	case IOFAIR_CMD_NODE_NEW: case IOFAIR_CMD_NODE_DEL:
	case IOFAIR_CMD_NODE_SET: case IOFAIR_CMD_NODE_GET:
		return AS_NODE;
	case IOFAIR_CMD_STATS_GET: case IOFAIR_CMD_STATS_RESET:
		return AS_STATS;
	case IOFAIR_CMD_HIST_GET:
		return AS_HISTS;
	case IOFAIR_CMD_CONTROLLER_GET: case IOFAIR_CMD_CONTROLLER_SET:
		return AS_CONTROLLER;
	}
	return AS_NONE;
}

static const struct attr_word *attr_word_in(int set, uint16_t type)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(attr_words); i++)
		if (attr_words[i].set == set && attr_words[i].type == type)
			return &attr_words[i];
	return NULL;
}

const struct attr_word *attr_word(uint8_t cmd, const uint16_t *path, int depth)
{
	const struct attr_word *w = NULL;
	int set = cmd_set(cmd), d;

	for (d = 0; d < depth && set != AS_NONE; d++) {
		w = attr_word_in(set, path[d]);
		if (!w)
			return NULL;
		set = w->nest;
	}
	return d == depth ? w : NULL;
}
