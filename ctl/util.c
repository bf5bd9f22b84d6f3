// SPDX-License-Identifier: GPL-2.0
/* iofairctl: errors, argument matching, and rates in tc's spellings. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iofairctl.h"

void ctl_err(const char *fmt, ...)
{
	va_list ap;

	fputs("iofairctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* iproute2 style: @arg is a non-empty prefix of @full. */
bool matches(const char *arg, const char *full)
{
	size_t len = strlen(arg);

	return len && len <= strlen(full) && !strncmp(arg, full, len);
}

/*
 * A rate as tc(8) spells it: a number with an optional unit.  Units are bits
 * ("bit", "kbit", "mbit", "gbit", "tbit", SI: x1000; "kibit"... x1024) or
 * bytes ("bps", "kbps", "mbps", "gbps", "tbps", x8); no unit means bit/s.
 * The result is in bit/s.  Returns 0, or -EINVAL for a malformed rate and
 * -ERANGE for one that does not fit 64 bits.
 */
int parse_rate_bps(const char *s, uint64_t *bps)
{
	static const struct { const char *unit; double mult; } units[] = {
		{ "",       1 },    { "bit",   1 },    { "bps",   8 },
		{ "kbit",   1e3 },  { "mbit",  1e6 },  { "gbit",  1e9 },  { "tbit", 1e12 },
		{ "kibit",  1024.0 }, { "mibit", 1048576.0 }, { "gibit", 1073741824.0 },
		{ "tibit",  1099511627776.0 },
		{ "kbps",   8e3 },  { "mbps",  8e6 },  { "gbps",  8e9 },  { "tbps", 8e12 },
	};
	char *end;
	double v;
	size_t i;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(end, units[i].unit))
			continue;
		v *= units[i].mult;
		if (v >= 18446744073709551616.0)
			return -ERANGE;
		*bps = (uint64_t)(v + 0.5);
		return 0;
	}
	return -EINVAL;
}

/* "1.5Gbit", "100Mbit", "64Kbit", "999bit": the shortest exact-enough form. */
int format_rate(char *buf, size_t len, uint64_t bps)
{
	static const struct { const char *unit; uint64_t div; } units[] = {
		{ "Tbit", 1000000000000ULL }, { "Gbit", 1000000000ULL },
		{ "Mbit", 1000000ULL },       { "Kbit", 1000ULL },
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (bps < units[i].div)
			continue;
		if (bps % units[i].div == 0)
			return snprintf(buf, len, "%" PRIu64 "%s", bps / units[i].div, units[i].unit);
		return snprintf(buf, len, "%.4g%s", (double)bps / (double)units[i].div, units[i].unit);
	}
	return snprintf(buf, len, "%" PRIu64 "bit", bps);
}
