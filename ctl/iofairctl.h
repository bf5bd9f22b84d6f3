/* SPDX-License-Identifier: GPL-2.0 */
/* iofairctl: interfaces between the CLI's files. */
#ifndef IOFAIRCTL_H
#define IOFAIRCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define IOFAIRCTL_VERSION "0.2.0"

struct ctl_opts {
	bool json;
	bool pretty;
};

extern struct ctl_opts opts;

/* One object of `iofairctl OBJECT COMMAND [ARGS]`. */
struct ctl_object {
	const char *name;
	const char *help;
	int (*run)(int argc, char **argv);
};

int do_dev(int argc, char **argv);
int do_version(int argc, char **argv);
int do_target(int argc, char **argv);
int do_node(int argc, char **argv);
int do_policy(int argc, char **argv);
int do_stats(int argc, char **argv);
int do_monitor(int argc, char **argv);
int do_controller(int argc, char **argv);
int do_hist(int argc, char **argv);

/* util.c */
void *vec_grow(void *v, size_t *cap, size_t n, size_t elem);

/* "Error: ..." and "Warning: ..." on stderr, as iproute2 prints them. */
void ctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ctl_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool matches(const char *arg, const char *full);
int parse_rate_bps(const char *s, uint64_t *bps);
int format_rate(char *buf, size_t len, uint64_t bps);
int parse_size_bytes(const char *s, uint64_t *bytes);
int parse_u32(const char *s, uint32_t *v);
int format_size(char *buf, size_t len, uint64_t bytes);

/* util.c */
/* A table of strings printed with aligned columns. */
struct ctab {
	unsigned int ncols, nrows, cap;
	const char *align;	/* per column 'l' or 'r'; NULL: all left */
	const char *indent;	/* before each row; NULL: none */
	char **cells;		/* nrows x ncols; row 0 is the header */
};

int ctab_init(struct ctab *t, unsigned int ncols, const char *align,
	      const char *const *head);
/* Add a row of @ncols strings (copied; NULL prints as "-"). */
int ctab_row(struct ctab *t, const char *const *row);
void ctab_print(FILE *f, const struct ctab *t);
void ctab_free(struct ctab *t);

#endif /* IOFAIRCTL_H */
