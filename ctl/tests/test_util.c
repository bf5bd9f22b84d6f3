// SPDX-License-Identifier: GPL-2.0
/* Unit tests: rates and sizes in tc's spellings, numbers, and their formatting. */
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
	{ "10xbit",     -EINVAL, 0 },
	{ "10Gbps",     0,       80000000000ULL },
	{ "1.5mibit",   0,       1572864 },
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

static const struct {
	const char *in;
	int err;
	uint64_t bytes;
} sizes[] = {
	{ "0",          0,       0 },
	{ "1500",       0,       1500 },
	{ "1500b",      0,       1500 },
	{ "64k",        0,       65536 },
	{ "64kb",       0,       65536 },
	{ "64KiB",      0,       65536 },
	{ "2m",         0,       2097152 },
	{ "2MB",        0,       2097152 },
	{ "1g",         0,       1073741824 },
	{ "",           -EINVAL, 0 },
	{ "k",          -EINVAL, 0 },
	{ "-1",         -EINVAL, 0 },
	{ "1.5k",       -EINVAL, 0 },
	{ "10 k",       -EINVAL, 0 },
	{ "10kbit",     -EINVAL, 0 },
	{ "99999999999999999999", -ERANGE, 0 },
	{ "17179869184g", -ERANGE, 0 },
};

static const struct {
	const char *in;
	int err;
	uint32_t v;
} u32s[] = {
	{ "0", 0, 0 }, { "4294967295", 0, 4294967295U }, { "4294967296", -ERANGE, 0 },
	{ "", -EINVAL, 0 }, { "-1", -EINVAL, 0 }, { "+1", -EINVAL, 0 }, { "1x", -EINVAL, 0 },
	{ " 1", -EINVAL, 0 },
};

static const struct {
	uint64_t bytes;
	const char *out;
} size_formats[] = {
	{ 0, "0B" }, { 1500, "1500B" }, { 65536, "64KiB" }, { 1536 * 1024, "1.5MiB" },
	{ 1073741824, "1GiB" }, { 10000, "10000B" }, { 123456, "120.6KiB" }, { 2048, "2KiB" },
};

int main(void)
{
	size_t i, n = sizeof(rates) / sizeof(rates[0]), m = sizeof(formats) / sizeof(formats[0]);
	size_t ns = sizeof(sizes) / sizeof(sizes[0]), nu = sizeof(u32s) / sizeof(u32s[0]);
	size_t nf = sizeof(size_formats) / sizeof(size_formats[0]);
	char buf[32];

	KTAP_PLAN((int)(n + m + ns + nu + nf + 2));
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
	for (i = 0; i < ns; i++) {
		uint64_t bytes = 0;
		int err = parse_size_bytes(sizes[i].in, &bytes);

		KTAP_CHECK(err == sizes[i].err && (err || bytes == sizes[i].bytes),
			   "parse_size_bytes \"%s\"", sizes[i].in);
	}
	for (i = 0; i < nu; i++) {
		uint32_t v = 0;
		int err = parse_u32(u32s[i].in, &v);

		KTAP_CHECK(err == u32s[i].err && (err || v == u32s[i].v), "parse_u32 \"%s\"",
			   u32s[i].in);
	}
	for (i = 0; i < nf; i++) {
		format_size(buf, sizeof(buf), size_formats[i].bytes);
		KTAP_CHECK(!strcmp(buf, size_formats[i].out), "format_size %s", size_formats[i].out);
	}
	KTAP_CHECK(matches("ver", "version") && matches("version", "version"), "matches prefix");
	KTAP_CHECK(!matches("", "version") && !matches("versions", "version"), "matches rejects");
	KTAP_EXIT();
}
