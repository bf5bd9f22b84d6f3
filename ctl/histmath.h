/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iofairctl: latency histograms as the kernel keeps them (log2 buckets of
 * nanoseconds), merged, summarised by percentiles, printed.  Pure functions
 * (see ctl/tests/test_histmath.c).
 */
#ifndef IOFAIRCTL_HISTMATH_H
#define IOFAIRCTL_HISTMATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HIST_BUCKETS	64
#define HIST_NKINDS	6	/* enum iofair_hist_kind */

/*
 * Bucket b holds [2^(b-1), 2^b) ns, bucket 0 the value 0; the last one
 * also holds everything above (the kernel files a sample at fls64(ns),
 * capped at HIST_BUCKETS - 1).
 */
struct hist {
	uint64_t bucket[HIST_BUCKETS];
	uint64_t count;		/* as the kernel reports it */
	uint64_t sum_ns;
};

extern const char *const hist_kind_names[HIST_NKINDS];

/* The bucket the kernel files @ns in. */
unsigned int hist_bucket_of(uint64_t ns);
/* Edges of bucket @b, in ns: it holds [lo, hi). */
uint64_t hist_bucket_lo(unsigned int b);
uint64_t hist_bucket_hi(unsigned int b);
/* Add @n samples to the bucket whose upper edge is @upper_ns: -EINVAL
 * when that is not a bucket edge (a power of two up to 2^63). */
int hist_add_bucket(struct hist *h, uint64_t upper_ns, uint64_t n);
/* @dst += @src: buckets, counts and sums. */
void hist_merge(struct hist *dst, const struct hist *src);
/* Samples in the buckets (the kernel's count may be one off a racing record). */
uint64_t hist_total(const struct hist *h);

/*
 * The value below which @pct percent of the samples lie (0 < pct <= 100),
 * in ns: rank r = pct/100 * N; the bucket where the running count reaches
 * r; linear interpolation between its edges by how far into the bucket's
 * count r falls (the samples taken as spread evenly over the bucket).  The
 * result is exact to within its bucket, a factor of 2.  False when the
 * histogram is empty.
 */
bool hist_percentile(const struct hist *h, double pct, double *ns);
/* sum / count; false when empty. */
bool hist_mean(const struct hist *h, double *ns);

/* A time with three significant digits in ns, us, ms or s: "512ns", "1.02us". */
const char *hist_fmt_ns(char *buf, size_t len, double ns);

/*
 * "rtt-icmp,rtt-tcp-syn", "none" (0) or "all": the mask of hist kinds.
 * Returns 0, or -EINVAL with the unknown word in *@bad.
 */
int hist_parse_kinds(const char *arg, uint32_t *mask, const char **bad, size_t *badlen);
/* The mask as "rtt-icmp,rtt-tcp-syn" ("none" for 0). */
const char *hist_fmt_kinds(char *buf, size_t len, uint32_t mask);

#endif /* IOFAIRCTL_HISTMATH_H */
