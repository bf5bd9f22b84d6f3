// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: the kernel's log2 buckets of ns as the CLI reads them --
 * bucket edges, merging, percentiles on known distributions, the empty
 * histogram and a single bucket, time and kind spellings.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../histmath.h"
#include "ktap.h"

static bool near(double a, double b, double tol)
{
	return a - b <= tol && b - a <= tol;
}

static double pct(const struct hist *h, double p)
{
	double v = -1;

	return hist_percentile(h, p, &v) ? v : -1;
}

/* Record @ns as the kernel does: bucket fls64(ns), count, sum. */
static void record(struct hist *h, uint64_t ns)
{
	h->bucket[hist_bucket_of(ns)]++;
	h->count++;
	h->sum_ns += ns;
}

/* A deterministic pseudo-random sequence (xorshift64*). */
static uint64_t rnd_state = 88172645463325252ULL;

static double rnd01(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return (double)((rnd_state * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

#define NSAMPLES 20000
static uint64_t samples[NSAMPLES];

/*
 * For each percentile the estimate must lie in the bucket of the exact
 * order statistic (or on its edge): off by less than a factor of 2.
 */
static bool same_bucket(const struct hist *h, double p)
{
	double rank = p / 100.0 * NSAMPLES;
	size_t idx = (size_t)rank;
	uint64_t exact;
	unsigned int b;
	double est;

	if ((double)idx < rank)
		idx++;
	exact = samples[idx - 1];
	b = hist_bucket_of(exact);
	est = pct(h, p);

	if (est < (double)hist_bucket_lo(b) || est > (double)hist_bucket_hi(b)) {
		printf("# p%g: exact %llu (bucket [%llu, %llu)), estimate %.0f\n", p,
		       (unsigned long long)exact, (unsigned long long)hist_bucket_lo(b),
		       (unsigned long long)hist_bucket_hi(b), est);
		return false;
	}
	return true;
}

int main(void)
{
	struct hist h, a, b2, m;
	char buf[64];
	uint32_t mask;
	const char *bad;
	size_t badlen, i;
	double v;
	int rc, rc2;
	bool ok;

	KTAP_PLAN(41);

	/* Bucket edges: the kernel's fls64, capped at the last bucket. */
	KTAP_CHECK(hist_bucket_of(0) == 0 && hist_bucket_of(1) == 1 && hist_bucket_of(2) == 2 &&
		   hist_bucket_of(3) == 2 && hist_bucket_of(4) == 3,
		   "bucket of 0, 1, 2, 3, 4 ns: 0, 1, 2, 2, 3");
	KTAP_CHECK(hist_bucket_of(1023) == 10 && hist_bucket_of(1024) == 11 &&
		   hist_bucket_of(1025) == 11, "1023 ns in bucket 10, 1024 and 1025 in 11");
	KTAP_CHECK(hist_bucket_of(UINT64_MAX) == 63 && hist_bucket_of(1ULL << 62) == 63 &&
		   hist_bucket_of((1ULL << 62) - 1) == 62, "the top bucket holds 2^62 and above");
	ok = true;
	for (i = 1; i < HIST_BUCKETS - 1; i++)
		ok &= hist_bucket_of(hist_bucket_lo(i)) == i &&
		      hist_bucket_of(hist_bucket_hi(i) - 1) == i &&
		      hist_bucket_of(hist_bucket_hi(i)) == i + 1 &&
		      hist_bucket_hi(i) == 2 * hist_bucket_lo(i);
	KTAP_CHECK(ok, "every bucket holds [lo, hi) = [2^(b-1), 2^b) and nothing else");
	KTAP_CHECK(hist_bucket_lo(0) == 0 && hist_bucket_hi(0) == 1, "bucket 0 is [0, 1)");

	/* Buckets as the kernel sends them: by their upper edge. */
	/* (KTAP_CHECK evaluates its condition twice: no side effects in it.) */
	memset(&h, 0, sizeof(h));
	rc = hist_add_bucket(&h, 1024, 5);
	KTAP_CHECK(!rc && h.bucket[10] == 5, "upper edge 1024 ns is bucket 10");
	rc = hist_add_bucket(&h, 1024, 2);
	KTAP_CHECK(!rc && h.bucket[10] == 7, "the same bucket twice adds up");
	rc = hist_add_bucket(&h, 1, 1);
	KTAP_CHECK(!rc && h.bucket[0] == 1, "upper edge 1 is bucket 0");
	rc = hist_add_bucket(&h, 1ULL << 63, 1);
	KTAP_CHECK(!rc && h.bucket[63] == 1, "upper edge 2^63 is the top bucket");
	rc = hist_add_bucket(&h, 1000, 1);
	rc2 = hist_add_bucket(&h, 0, 1);
	KTAP_CHECK(rc == -EINVAL && rc2 == -EINVAL,
		   "an upper edge that is not a power of two is refused");
	KTAP_CHECK(hist_total(&h) == 9, "total of the buckets");

	/* Empty. */
	memset(&h, 0, sizeof(h));
	KTAP_CHECK(!hist_percentile(&h, 50, &v) && !hist_mean(&h, &v),
		   "empty: no percentile, no mean");
	record(&h, 1500);
	KTAP_CHECK(!hist_percentile(&h, 0, &v) && !hist_percentile(&h, 100.5, &v),
		   "percentiles outside (0, 100] are refused");

	/* A single sample, a single bucket. */
	KTAP_CHECK(near(pct(&h, 50), 1536, 0.5), "one sample in [1024, 2048): p50 is mid-bucket");
	KTAP_CHECK(near(pct(&h, 100), 2048, 0.5) && pct(&h, 0.001) >= 1024,
		   "one sample: p100 the top edge, a tiny percentile at the bottom");
	memset(&h, 0, sizeof(h));
	for (i = 0; i < 100; i++)
		record(&h, 1024 + i * 10);
	KTAP_CHECK(near(pct(&h, 50), 1536, 0.5) && near(pct(&h, 90), 1024 + 0.9 * 1024, 0.5) &&
		   near(pct(&h, 99), 1024 + 0.99 * 1024, 0.5),
		   "100 samples in one bucket: linear in the bucket (p50 1536, p90 1945.6)");
	KTAP_CHECK(hist_mean(&h, &v) && near(v, 1024 + 495, 1e-9), "mean is sum/count");

	/* Two buckets, half and half. */
	memset(&h, 0, sizeof(h));
	hist_add_bucket(&h, 2048, 50);
	hist_add_bucket(&h, 4096, 50);
	KTAP_CHECK(near(pct(&h, 50), 2048, 0.5), "50/50 in two buckets: p50 on their edge");
	KTAP_CHECK(near(pct(&h, 90), 2048 + 0.8 * 2048, 0.5), "p90 80%% into the upper bucket");
	KTAP_CHECK(near(pct(&h, 25), 1536, 0.5), "p25 halfway into the lower bucket");
	KTAP_CHECK(near(pct(&h, 100), 4096, 0.5), "p100 the top edge of the highest bucket");

	/* Gaps: empty buckets in between do not count. */
	memset(&h, 0, sizeof(h));
	hist_add_bucket(&h, 1 << 10, 99);
	hist_add_bucket(&h, 1 << 20, 1);
	KTAP_CHECK(pct(&h, 50) < 1024 && pct(&h, 99) <= 1024,
		   "99 fast, 1 slow: p50 and p99 among the fast");
	KTAP_CHECK(pct(&h, 99.9) >= (1 << 19) && pct(&h, 99.9) <= (1 << 20),
		   "p99.9 in the slow one's bucket");
	ok = true;
	for (v = 1; v < 100; v += 0.5)
		ok &= pct(&h, v) <= pct(&h, v + 0.5);
	KTAP_CHECK(ok, "percentiles never decrease with p");

	/* Zero-ns samples. */
	memset(&h, 0, sizeof(h));
	record(&h, 0);
	record(&h, 0);
	KTAP_CHECK(pct(&h, 50) >= 0 && pct(&h, 50) <= 1, "zero-ns samples: p50 in [0, 1]");

	/* Merging. */
	memset(&a, 0, sizeof(a));
	memset(&b2, 0, sizeof(b2));
	memset(&m, 0, sizeof(m));
	for (i = 0; i < 1000; i++) {
		uint64_t ns = 1000 + i * 37;

		record(i % 3 ? &a : &b2, ns);
		record(&m, ns);
	}
	memset(&h, 0, sizeof(h));
	hist_merge(&h, &a);
	hist_merge(&h, &b2);
	KTAP_CHECK(!memcmp(h.bucket, m.bucket, sizeof(m.bucket)) && h.count == m.count &&
		   h.sum_ns == m.sum_ns, "merging two halves gives the whole");
	KTAP_CHECK(near(pct(&h, 99), pct(&m, 99), 1e-9) && near(pct(&h, 50), pct(&m, 50), 1e-9),
		   "and the same percentiles");
	hist_merge(&h, &(struct hist){});
	KTAP_CHECK(!memcmp(h.bucket, m.bucket, sizeof(m.bucket)), "merging an empty one changes nothing");

	/* Known distributions: the estimate falls in the exact value's bucket. */
	memset(&h, 0, sizeof(h));
	for (i = 0; i < NSAMPLES; i++) {	/* uniform 100 us .. 5 ms */
		samples[i] = 100000 + (uint64_t)(rnd01() * 4900000);
		record(&h, samples[i]);
	}
	qsort(samples, NSAMPLES, sizeof(samples[0]), cmp_u64);
	KTAP_CHECK(same_bucket(&h, 50) && same_bucket(&h, 90) && same_bucket(&h, 99) &&
		   same_bucket(&h, 99.9), "uniform 100us..5ms: p50..p99.9 in the exact bucket");
	memset(&h, 0, sizeof(h));
	for (i = 0; i < NSAMPLES; i++) {	/* 95% 50..150 us, 5% 1..10 ms */
		if (rnd01() < 0.95)
			samples[i] = 50000 + (uint64_t)(rnd01() * 100000);
		else
			samples[i] = 1000000 + (uint64_t)(rnd01() * 9000000);
		record(&h, samples[i]);
	}
	qsort(samples, NSAMPLES, sizeof(samples[0]), cmp_u64);
	KTAP_CHECK(same_bucket(&h, 50) && same_bucket(&h, 90) && same_bucket(&h, 99) &&
		   same_bucket(&h, 99.9), "bimodal with a 5%% tail: p50..p99.9 in the exact bucket");
	KTAP_CHECK(hist_mean(&h, &v) && near(v, 0.95 * 100000 + 0.05 * 5500000, 15000),
		   "bimodal: mean 370 us from sum/count (%.0f)", v);
	KTAP_CHECK(pct(&h, 90) < 262144 && pct(&h, 99) > 1000000 / 2,
		   "bimodal: p90 in the body, p99 in the tail");
	memset(&h, 0, sizeof(h));
	for (i = 0; i < NSAMPLES; i++) {	/* log-uniform-ish over 1 us .. 1 s */
		samples[i] = (uint64_t)((double)(1000ULL << (unsigned int)(rnd01() * 20)) *
					(1 + rnd01()));
		record(&h, samples[i]);
	}
	qsort(samples, NSAMPLES, sizeof(samples[0]), cmp_u64);
	KTAP_CHECK(same_bucket(&h, 50) && same_bucket(&h, 90) && same_bucket(&h, 99) &&
		   same_bucket(&h, 99.9), "log-uniform 1us..1s: p50..p99.9 in the exact bucket");

	/* Spelling times. */
	KTAP_CHECK(!strcmp(hist_fmt_ns(buf, sizeof(buf), 0), "0ns") &&
		   !strcmp(hist_fmt_ns(buf, sizeof(buf), 512), "512ns"),
		   "0 ns and 512 ns");
	KTAP_CHECK(!strcmp(hist_fmt_ns(buf, sizeof(buf), 1024), "1.02us") &&
		   !strcmp(hist_fmt_ns(buf, sizeof(buf), 131072), "131us"),
		   "2^10 ns is 1.02us, 2^17 ns 131us");
	KTAP_CHECK(!strcmp(hist_fmt_ns(buf, sizeof(buf), 1048576), "1.05ms") &&
		   !strcmp(hist_fmt_ns(buf, sizeof(buf), 1073741824.0), "1.07s"),
		   "2^20 ns is 1.05ms, 2^30 ns 1.07s");
	KTAP_CHECK(!strcmp(hist_fmt_ns(buf, sizeof(buf), 999.7), "1us") &&
		   !strcmp(hist_fmt_ns(buf, sizeof(buf), 999999.9), "1ms"),
		   "rounding up to the next unit: 999.7 ns is 1us, not 1e+03ns");

	/* Kinds. */
	KTAP_CHECK(!hist_parse_kinds("rtt-icmp,rtt-tcp-syn", &mask, &bad, &badlen) &&
		   mask == ((1U << 3) | (1U << 4)), "rtt-icmp,rtt-tcp-syn");
	KTAP_CHECK(!hist_parse_kinds("none", &mask, &bad, &badlen) && mask == 0 &&
		   !hist_parse_kinds("all", &mask, &bad, &badlen) && mask == 0x3f,
		   "none and all");
	KTAP_CHECK(hist_parse_kinds("rtt-icmp,rtt", &mask, &bad, &badlen) == -EINVAL &&
		   badlen == 3 && !strncmp(bad, "rtt", 3) &&
		   hist_parse_kinds("", &mask, &bad, &badlen) == -EINVAL &&
		   hist_parse_kinds("sojourn,", &mask, &bad, &badlen) == -EINVAL,
		   "unknown, empty and trailing-comma kinds are refused, the bad word named");
	KTAP_CHECK(!strcmp(hist_fmt_kinds(buf, sizeof(buf), 0x38), "rtt-icmp,rtt-tcp-syn,rtt-tcp-data") &&
		   !strcmp(hist_fmt_kinds(buf, sizeof(buf), 0), "none") &&
		   !strcmp(hist_fmt_kinds(buf, sizeof(buf), 1U << 9), "9"),
		   "masks spelled back, an unknown bit by its number");

	KTAP_EXIT();
}
