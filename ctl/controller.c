// SPDX-License-Identifier: GPL-2.0
/*
 * iofairctl controller: the namespace's fair-share controller -- whether it
 * runs, its period, how much an allocation must move before it is pushed to
 * a PF driver, and the conformance alarm's margin and window.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <linux/iofair.h>

#include "iofairctl.h"
#include "json.h"
#include "names.h"
#include "nl.h"

static void controller_usage(FILE *f)
{
	fprintf(f,
		"Usage: iofairctl controller show\n"
		"       iofairctl controller set [on|off] [interval MS] [hysteresis PCT]\n"
		"                                [margin PCT] [window MS]\n"
		"       iofairctl controller help\n"
		"interval: the controller's period (10..10000 ms); hysteresis: how far (in %%) a\n"
		"new allocation must differ from the last one pushed to a PF driver; margin: how\n"
		"far (in %%) above its allocation a target may run before an alarm; window: the\n"
		"conformance window (10..60000 ms).\n");
}

static const struct kw controller_cmds[] = {
	{ "show", CMD_SHOW }, { "list", CMD_SHOW },
	{ "set", CMD_SET }, { "change", CMD_SET },
	{ "help", CMD_HELP },
};

enum { CK_ON, CK_OFF, CK_INTERVAL, CK_HYSTERESIS, CK_MARGIN, CK_WINDOW };

static const struct kw controller_keys[] = {
	{ "on", CK_ON }, { "off", CK_OFF }, { "enable", CK_ON }, { "disable", CK_OFF },
	{ "interval", CK_INTERVAL }, { "hysteresis", CK_HYSTERESIS }, { "margin", CK_MARGIN },
	{ "window", CK_WINDOW },
};

/* "250", "250ms", "2s" in ms; "5", "5%" in percent. */
static int arg_unit_u32(const char *kw, const char *val, const char *unit, uint32_t mult_s,
			uint32_t *v)
{
	char num[32];
	size_t len = strlen(val), ul = strlen(unit);
	uint32_t mult = 1;

	if (len < sizeof(num)) {
		strcpy(num, val);
		if (ul && len > ul && !strcmp(num + len - ul, unit)) {
			num[len - ul] = 0;
		} else if (mult_s && len > 1 && num[len - 1] == 's') {
			num[len - 1] = 0;
			mult = mult_s;
		}
		if (!parse_u32(num, v) && *v <= UINT32_MAX / mult) {
			*v *= mult;
			return 0;
		}
	}
	ctl_err("%s: invalid value '%s'", kw, val);
	return -EINVAL;
}

int controller_parse(int argc, char **argv, struct controller_req *r)
{
	const char *val;
	int i, k;

	memset(r, 0, sizeof(*r));
	r->enabled = -1;
	if (argc < 1) {
		r->cmd = CMD_SHOW;
		return 0;
	}
	k = kw_parse("controller command", argv[0], controller_cmds, ARRAY_SIZE(controller_cmds));
	if (k < 0)
		return -EINVAL;
	r->cmd = k;
	if (r->cmd != CMD_SET) {
		if (argc > 1) {
			ctl_err("controller %s: unexpected '%s'", argv[0], argv[1]);
			return -EINVAL;
		}
		return 0;
	}
	for (i = 1; i < argc; i++) {
		k = kw_parse("controller setting", argv[i], controller_keys,
			     ARRAY_SIZE(controller_keys));
		if (k < 0)
			return -EINVAL;
		if (k == CK_ON || k == CK_OFF) {
			r->enabled = k == CK_ON;
			continue;
		}
		val = arg_next(argc, argv, &i);
		if (!val)
			return -EINVAL;
		switch (k) {
		case CK_INTERVAL:
			r->has_interval = true;
			if (arg_unit_u32("interval", val, "ms", 1000, &r->interval_ms))
				return -EINVAL;
			break;
		case CK_HYSTERESIS:
			r->has_hysteresis = true;
			if (arg_unit_u32("hysteresis", val, "%", 0, &r->hysteresis))
				return -EINVAL;
			break;
		case CK_MARGIN:
			r->has_margin = true;
			if (arg_unit_u32("margin", val, "%", 0, &r->margin))
				return -EINVAL;
			break;
		case CK_WINDOW:
			r->has_window = true;
			if (arg_unit_u32("window", val, "ms", 1000, &r->window_ms))
				return -EINVAL;
			break;
		}
	}
	if (r->enabled < 0 && !r->has_interval && !r->has_hysteresis && !r->has_margin &&
	    !r->has_window) {
		ctl_err("controller set: nothing to change");
		return -EINVAL;
	}
	return 0;
}

struct controller_ctx {
	bool print;
};

static int controller_reply(struct nlattr **tb, struct nlattr *head, int len, void *arg)
{
	struct controller_ctx *c = arg;
	struct nlattr *a;
	struct json *j;

	(void)head;
	(void)len;
	if (!c->print)
		return 0;
	if (opts.json) {
		j = json_new(stdout, opts.pretty);
		json_obj_open(j, NULL);
		if ((a = tb[IOFAIR_A_CONTROLLER_ENABLED]))
			json_bool(j, "enabled", nla_get_u8(a));
		if ((a = tb[IOFAIR_A_CONTROLLER_INTERVAL_MS]))
			json_u64(j, "interval_ms", nla_get_u32(a));
		if ((a = tb[IOFAIR_A_CONTROLLER_HYSTERESIS]))
			json_u64(j, "hysteresis_pct", nla_get_u32(a));
		if ((a = tb[IOFAIR_A_CONTROLLER_CONFORMANCE_MARGIN]))
			json_u64(j, "conformance_margin_pct", nla_get_u32(a));
		if ((a = tb[IOFAIR_A_CONTROLLER_CONFORMANCE_WINDOW_MS]))
			json_u64(j, "conformance_window_ms", nla_get_u32(a));
		if ((a = tb[IOFAIR_A_CONTROLLER_STEPS]))
			json_u64(j, "steps", nla_uint(a));
		if ((a = tb[IOFAIR_A_CONTROLLER_LAST_STEP_NS]))
			json_u64(j, "last_step_ns", nla_uint(a));
		json_obj_close(j);
		json_end(j);
		return 0;
	}
	if ((a = tb[IOFAIR_A_CONTROLLER_ENABLED]))
		printf("enabled     %s\n", nla_get_u8(a) ? "yes" : "no");
	if ((a = tb[IOFAIR_A_CONTROLLER_INTERVAL_MS]))
		printf("interval    %u ms\n", nla_get_u32(a));
	if ((a = tb[IOFAIR_A_CONTROLLER_HYSTERESIS]))
		printf("hysteresis  %u%%\n", nla_get_u32(a));
	if ((a = tb[IOFAIR_A_CONTROLLER_CONFORMANCE_MARGIN]))
		printf("margin      %u%%\n", nla_get_u32(a));
	if ((a = tb[IOFAIR_A_CONTROLLER_CONFORMANCE_WINDOW_MS]))
		printf("window      %u ms\n", nla_get_u32(a));
	if ((a = tb[IOFAIR_A_CONTROLLER_STEPS]))
		printf("steps       %" PRIu64 "\n", nla_uint(a));
	if ((a = tb[IOFAIR_A_CONTROLLER_LAST_STEP_NS]))
		printf("last step   %.1f us\n", nla_uint(a) / 1000.0);
	return 0;
}

int do_controller(int argc, char **argv)
{
	struct controller_ctx c = {};
	struct controller_req r;
	struct nl_msg *msg;
	struct ctl_nl *nl;
	int err = -ENOMEM;

	if (controller_parse(argc, argv, &r)) {
		fprintf(stderr, "Try 'iofairctl controller help'.\n");
		return EXIT_USAGE;
	}
	if (r.cmd == CMD_HELP) {
		controller_usage(stdout);
		return 0;
	}
	nl = ctl_nl_open();
	if (!nl)
		return 1;
	if (r.cmd == CMD_SHOW) {
		c.print = true;
		msg = ctl_nl_msg(nl, IOFAIR_CMD_CONTROLLER_GET, 0);
	} else {
		c.print = opts.json;
		msg = ctl_nl_msg(nl, IOFAIR_CMD_CONTROLLER_SET, 0);
		if (msg &&
		    ((r.enabled >= 0 && nla_put_u8(msg, IOFAIR_A_CONTROLLER_ENABLED, r.enabled)) ||
		     (r.has_interval &&
		      nla_put_u32(msg, IOFAIR_A_CONTROLLER_INTERVAL_MS, r.interval_ms)) ||
		     (r.has_hysteresis &&
		      nla_put_u32(msg, IOFAIR_A_CONTROLLER_HYSTERESIS, r.hysteresis)) ||
		     (r.has_margin &&
		      nla_put_u32(msg, IOFAIR_A_CONTROLLER_CONFORMANCE_MARGIN, r.margin)) ||
		     (r.has_window &&
		      nla_put_u32(msg, IOFAIR_A_CONTROLLER_CONFORMANCE_WINDOW_MS, r.window_ms)))) {
			nlmsg_free(msg);
			msg = NULL;
		}
	}
	if (msg)
		err = ctl_nl_talk(nl, msg, IOFAIR_A_CONTROLLER_MAX, controller_reply, &c);
	ctl_nl_close(nl);
	return err ? 1 : 0;
}
