// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of kmod/rate.h: rates from byte counters at the edges where
 * bytes * 8 * 10^9 no longer fits a u64.
 */
#include "rate.h"
#include "ktap.h"

#define G	1000000000ULL		/* 1 Gbit/s, 1 s in ns */

static const struct {
	const char *what;
	u64 bytes, ns, want_bps;
} cases[] = {
	{ "no interval", 1000, 0, 0 },
	{ "nothing sent", 0, 100 * 1000000, 0 },
	{ "10 Mbit/s over 100 ms", 125000, 100 * 1000000, 10000000 },
	{ "1.8 Gbit/s over 10 s (2.25 GB: fits the old product)", 2250000000ULL, 10 * G, 1800000000ULL },
	{ "3 Gbit/s over 10 s (3.75 GB: the old product wrapped to 1.16 Gbit/s)",
	  3750000000ULL, 10 * G, 3 * G },
	{ "18 Gbit/s over a 1 s window (2.25 GB)", 2250000000ULL, G, 18 * G },
	{ "25 Gbit/s over a 1 s window (3.125 GB)", 3125000000ULL, G, 25 * G },
	{ "1 Tbit/s over 10 s", 1250000000000ULL, 10 * G, 1000 * G },
	{ "10 Tbit/s over 60 s", 75000000000000ULL, 60 * G, 10000 * G },
	{ "rounding down: 1 byte over 3 ns", 1, 3, 2666666666ULL },
	{ "the largest rate that fits (2^64 - 1 bit/s over 8 s)", U64_MAX, 8 * G, U64_MAX },
	{ "a rate past 2^64 bit/s reads U64_MAX (no divide error)", U64_MAX, 1, U64_MAX },
	{ "just past 2^64 bit/s over 1 ns", 2305843010ULL, 1, U64_MAX },
	{ "just below 2^64 bit/s over 1 ns", 2305843009ULL, 1, 18446744072000000000ULL },
	{ "a huge interval", 1, U64_MAX, 0 },
};

int main(void)
{
	unsigned int i;

	KTAP_PLAN((int)(sizeof(cases) / sizeof(cases[0])));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		u64 got = iofair_rate_bps(cases[i].bytes, cases[i].ns);

		KTAP_CHECK(got == cases[i].want_bps, "rate: %s (%llu)", cases[i].what, got);
	}
	KTAP_EXIT();
}
