// SPDX-License-Identifier: GPL-2.0
/* Unit tests: rates in tc's spellings, and their formatting. */
#include <errno.h>
#include <string.h>

#include "../iofairctl.h"
#include "ktap.h"

struct ctl_opts opts;

static const struct {
	const char *in;
	int err;
	uint64_t bps;
} rates[] = {
	{ "0",          0,       0 },
	{ "1000",       0,       1000 },
	{ "500kbit",    0,       500000 },
	{ "100mbit",    0,       100000000 },
	{ "100Mbit",    0,       100000000 },
	{ "1gbit",      0,       1000000000 },
	{ "1.5gbit",    0,       1500000000 },
	{ "10bit",      0,       10 },
	{ "1kibit",     0,       1024 },
	{ "1mbps",      0,       8000000 },
	{ "125kbps",    0,       1000000 },
	{ "2tbit",      0,       2000000000000ULL },
	{ "",           -EINVAL, 0 },
	{ "mbit",       -EINVAL, 0 },
	{ "-5mbit",     -EINVAL, 0 },
	{ "5 mbit",     -EINVAL, 0 },
	{ "5furlongs",  -EINVAL, 0 },
	{ "100000000tbit", -ERANGE, 0 },
};

static const struct {
	uint64_t bps;
	const char *out;
} formats[] = {
	{ 0,           "0bit" },
	{ 999,         "999bit" },
	{ 1000,        "1Kbit" },
	{ 100000000,   "100Mbit" },
	{ 1500000000,  "1.5Gbit" },
	{ 1234567,     "1.235Mbit" },
};

int main(void)
{
	size_t i, n = sizeof(rates) / sizeof(rates[0]), m = sizeof(formats) / sizeof(formats[0]);
	char buf[32];

	KTAP_PLAN((int)(n + m + 2));
	for (i = 0; i < n; i++) {
		uint64_t bps = 0;
		int err = parse_rate_bps(rates[i].in, &bps);

		KTAP_CHECK(err == rates[i].err && (err || bps == rates[i].bps),
			   "parse_rate_bps \"%s\"", rates[i].in);
	}
	for (i = 0; i < m; i++) {
		format_rate(buf, sizeof(buf), formats[i].bps);
		KTAP_CHECK(!strcmp(buf, formats[i].out), "format_rate %s", formats[i].out);
	}
	KTAP_CHECK(matches("ver", "version") && matches("version", "version"), "matches prefix");
	KTAP_CHECK(!matches("", "version") && !matches("versions", "version"), "matches rejects");
	KTAP_EXIT();
}
