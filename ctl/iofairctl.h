/* SPDX-License-Identifier: GPL-2.0 */
/* iofairctl: interfaces between the CLI's files. */
#ifndef IOFAIRCTL_H
#define IOFAIRCTL_H

#include <stdbool.h>
#include <stdint.h>

#define IOFAIRCTL_VERSION "0.1.0"

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
void ctl_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool matches(const char *arg, const char *full);
int parse_rate_bps(const char *s, uint64_t *bps);
int format_rate(char *buf, size_t len, uint64_t bps);
int parse_size_bytes(const char *s, uint64_t *bytes);
int parse_u32(const char *s, uint32_t *v);
int format_size(char *buf, size_t len, uint64_t bytes);

#endif /* IOFAIRCTL_H */
