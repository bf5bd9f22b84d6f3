// SPDX-License-Identifier: GPL-2.0
/* iofairctl: errors, argument matching, numbers, rates and sizes in tc's spellings. */
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "iofairctl.h"

/* iproute2's prefixes: "Error: " for what stops the command, "Warning: " else. */
static void ctl_msg(const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void ctl_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctl_msg("Error: ", fmt, ap);
	va_end(ap);
}

void ctl_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ctl_msg("Warning: ", fmt, ap);
	va_end(ap);
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

/*
 * A size as tc(8) spells it: bytes with an optional unit: "b" (or none),
 * "k"/"kb"/"kib" (x1024), "m"/"mb"/"mib" (x1024^2), "g"/"gb"/"gib" (x1024^3),
 * whole numbers only.  Returns 0, -EINVAL for a malformed size, -ERANGE
 * when it does not fit 64 bits.
 */
int parse_size_bytes(const char *s, uint64_t *bytes)
{
	static const struct { const char *unit; unsigned int shift; } units[] = {
		{ "", 0 },   { "b", 0 },
		{ "k", 10 }, { "kb", 10 }, { "kib", 10 },
		{ "m", 20 }, { "mb", 20 }, { "mib", 20 },
		{ "g", 30 }, { "gb", 30 }, { "gib", 30 },
	};
	unsigned long long v;
	char *end;
	size_t i;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || end == s)
		return -EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(end, units[i].unit))
			continue;
		if (units[i].shift && v > (UINT64_MAX >> units[i].shift))
			return -ERANGE;
		*bytes = (uint64_t)v << units[i].shift;
		return 0;
	}
	return -EINVAL;
}

/* A decimal unsigned 32-bit number, nothing else (no sign, no spaces). */
int parse_u32(const char *s, uint32_t *v)
{
	unsigned long long x;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno || *end)
		return errno == ERANGE ? -ERANGE : -EINVAL;
	if (x > UINT32_MAX)
		return -ERANGE;
	*v = (uint32_t)x;
	return 0;
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

/*
 * "1500B", "64KiB", "1.5MiB": bytes in the largest binary unit, exact when
 * the unit divides them, else to 4 digits; below 10 KiB, in bytes unless a
 * KiB divides them.
 */
int format_size(char *buf, size_t len, uint64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	uint64_t div = 1;
	int i = -1;

	while (bytes >= div * 1024 && i < 3) {
		div *= 1024;
		i++;
	}
	if (i < 0 || (bytes < 10240 && bytes % 1024))
		return snprintf(buf, len, "%" PRIu64 "B", bytes);
	if (bytes % div == 0)
		return snprintf(buf, len, "%" PRIu64 "%s", bytes / div, units[i]);
	return snprintf(buf, len, "%.4g%s", (double)bytes / (double)div, units[i]);
}

int ctab_init(struct ctab *t, unsigned int ncols, const char *align,
	      const char *const *head)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->align = align;
	return ctab_row(t, head);
}

int ctab_row(struct ctab *t, const char *const *row)
{
	unsigned int i;

	if (t->nrows == t->cap) {
		unsigned int cap = t->cap ? 2 * t->cap : 16;
		char **cells = realloc(t->cells, (size_t)cap * t->ncols * sizeof(*cells));

		if (!cells)
			return -ENOMEM;
		t->cells = cells;
		t->cap = cap;
	}
	for (i = 0; i < t->ncols; i++) {
		char *c = strdup(row[i] ? row[i] : "-");

		if (!c) {
			while (i--)
				free(t->cells[(size_t)t->nrows * t->ncols + i]);
			return -ENOMEM;
		}
		t->cells[(size_t)t->nrows * t->ncols + i] = c;
	}
	t->nrows++;
	return 0;
}

void ctab_print(FILE *f, const struct ctab *t)
{
	unsigned int r, c;
	size_t w[32] = {};

	for (r = 0; r < t->nrows; r++)
		for (c = 0; c < t->ncols && c < sizeof(w) / sizeof(w[0]); c++) {
			size_t l = strlen(t->cells[(size_t)r * t->ncols + c]);

			if (l > w[c])
				w[c] = l;
		}
	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols && c < sizeof(w) / sizeof(w[0]); c++) {
			const char *s = t->cells[(size_t)r * t->ncols + c];
			bool right = t->align && t->align[c] == 'r';
			bool last = c + 1 == t->ncols;

			if (!c && t->indent)
				fputs(t->indent, f);
			if (right)
				fprintf(f, "%*s", (int)w[c], s);
			else if (last)
				fputs(s, f);
			else
				fprintf(f, "%-*s", (int)w[c], s);
			if (!last)
				fputs("  ", f);
		}
		fputc('\n', f);
	}
}

void ctab_free(struct ctab *t)
{
	size_t i;

	for (i = 0; i < (size_t)t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

/*
 * Room for one more element in a growing array: @v as it is when
 * @n < *@cap, else reallocated to twice the capacity (16 at first).
 * NULL when out of memory; @v is then still valid and still the caller's.
 */
void *vec_grow(void *v, size_t *cap, size_t n, size_t elem)
{
	size_t newcap;

	if (n < *cap)
		return v;
	newcap = *cap ? 2 * *cap : 16;
	v = realloc(v, newcap * elem);
	if (v)
		*cap = newcap;
	return v;
}
