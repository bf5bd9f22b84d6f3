// SPDX-License-Identifier: GPL-2.0
/*
 * Latency histograms on the CLI's side: the kernel's log2 buckets of ns,
 * merging, percentiles, and how times and kinds are spelled.
 *
 * Percentiles are estimated from the buckets alone.  For N samples and
 * percentile p the rank is r = p/100 * N (a real number: p50 of 20 samples
 * is the 10th); walking the buckets upwards, the one where the running
 * count C first reaches r holds the value, and within it (edges lo and hi,
 * c samples, C' = the count below it)
 *
 *	value = lo + (hi - lo) * (r - C') / c
 *
 * as if its samples were spread evenly over [lo, hi) (as Prometheus'
 * histogram_quantile does).  The true value lies in that bucket, so the
 * estimate is off by less than a factor of 2; p100 is the top edge of the
 * highest non-empty bucket.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "histmath.h"

const char *const hist_kind_names[HIST_NKINDS] = {
	"sojourn", "kick-delay", "service-time", "rtt-icmp", "rtt-tcp-syn", "rtt-tcp-data",
};

unsigned int hist_bucket_of(uint64_t ns)
{
	unsigned int b = 0;

	while (ns) {	/* fls64 */
		b++;
		ns >>= 1;
	}
	return b < HIST_BUCKETS ? b : HIST_BUCKETS - 1;
}

uint64_t hist_bucket_lo(unsigned int b)
{
	return b ? 1ULL << (b - 1) : 0;
}

uint64_t hist_bucket_hi(unsigned int b)
{
	return 1ULL << (b < HIST_BUCKETS ? b : HIST_BUCKETS - 1);
}

int hist_add_bucket(struct hist *h, uint64_t upper_ns, uint64_t n)
{
	unsigned int b;

	if (!upper_ns || (upper_ns & (upper_ns - 1)))
		return -EINVAL;
	for (b = 0; hist_bucket_hi(b) != upper_ns; b++)
		;
	h->bucket[b] += n;
	return 0;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	unsigned int b;

	for (b = 0; b < HIST_BUCKETS; b++)
		dst->bucket[b] += src->bucket[b];
	dst->count += src->count;
	dst->sum_ns += src->sum_ns;
}

uint64_t hist_total(const struct hist *h)
{
	uint64_t n = 0;
	unsigned int b;

	for (b = 0; b < HIST_BUCKETS; b++)
		n += h->bucket[b];
	return n;
}

bool hist_percentile(const struct hist *h, double pct, double *ns)
{
	uint64_t n = hist_total(h), below = 0;
	double rank, lo, hi;
	unsigned int b;

	if (!n || pct <= 0 || pct > 100)
		return false;
	rank = pct / 100.0 * (double)n;
	for (b = 0; b < HIST_BUCKETS; b++) {
		if (!h->bucket[b])
			continue;
		if ((double)(below + h->bucket[b]) >= rank)
			break;
		below += h->bucket[b];
	}
	if (b == HIST_BUCKETS)	/* rounding: the top of the last one */
		for (b = HIST_BUCKETS - 1; !h->bucket[b]; b--)
			;
	lo = (double)hist_bucket_lo(b);
	hi = (double)hist_bucket_hi(b);
	*ns = lo + (hi - lo) * (rank - (double)below) / (double)h->bucket[b];
	if (*ns > hi)
		*ns = hi;
	if (*ns < lo)
		*ns = lo;
	return true;
}

bool hist_mean(const struct hist *h, double *ns)
{
	if (!h->count)
		return false;
	*ns = (double)h->sum_ns / (double)h->count;
	return true;
}

const char *hist_fmt_ns(char *buf, size_t len, double ns)
{
	static const struct {
		double div;
		const char *unit;
	} units[] = { { 1e9, "s" }, { 1e6, "ms" }, { 1e3, "us" } };
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		/* 999.6us would print as "1e+03us": that is 1ms already. */
		if (ns >= units[i].div * 0.9995) {
			snprintf(buf, len, "%.3g%s", ns / units[i].div, units[i].unit);
			return buf;
		}
	}
	snprintf(buf, len, "%.0fns", ns);
	return buf;
}

int hist_parse_kinds(const char *arg, uint32_t *mask, const char **bad, size_t *badlen)
{
	const char *p = arg, *end;
	size_t len, k;

	*mask = 0;
	if (!strcmp(arg, "none"))
		return 0;
	if (!strcmp(arg, "all")) {
		*mask = (1U << HIST_NKINDS) - 1;
		return 0;
	}
	for (;;) {
		end = strchr(p, ',');
		len = end ? (size_t)(end - p) : strlen(p);
		for (k = 0; k < HIST_NKINDS; k++)
			if (strlen(hist_kind_names[k]) == len && !strncmp(p, hist_kind_names[k], len))
				break;
		if (k == HIST_NKINDS) {
			*bad = p;
			*badlen = len;
			return -EINVAL;
		}
		*mask |= 1U << k;
		if (!end)
			return 0;
		p = end + 1;
	}
}

const char *hist_fmt_kinds(char *buf, size_t len, uint32_t mask)
{
	size_t used = 0;
	unsigned int k;
	int n;

	if (len)
		buf[0] = 0;
	if (!mask) {
		snprintf(buf, len, "none");
		return buf;
	}
	for (k = 0; k < 32; k++) {
		if (!(mask & (1U << k)))
			continue;
		if (k < HIST_NKINDS)
			n = snprintf(buf + used, len - used, "%s%s", used ? "," : "",
				     hist_kind_names[k]);
		else
			n = snprintf(buf + used, len - used, "%s%u", used ? "," : "", k);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += n;
	}
	return buf;
}
