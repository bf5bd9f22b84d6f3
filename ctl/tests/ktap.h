/* SPDX-License-Identifier: GPL-2.0 */
/* A few lines of KTAP for iofairctl's host-side unit tests. */
#ifndef IOFAIRCTL_KTAP_H
#define IOFAIRCTL_KTAP_H

#include <stdio.h>

static int ktap_num, ktap_failed;

#define KTAP_PLAN(n) printf("KTAP version 1\n1..%d\n", (n))

#define KTAP_CHECK(cond, ...) do {					\
	ktap_num++;							\
	if (cond) {							\
		printf("ok %d ", ktap_num);				\
	} else {							\
		ktap_failed++;						\
		printf("not ok %d ", ktap_num);				\
	}								\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	if (!(cond))							\
		printf("# %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
} while (0)

#define KTAP_EXIT() do {						\
	printf("# %d passed, %d failed\n", ktap_num - ktap_failed, ktap_failed); \
	return ktap_failed ? 1 : 0;					\
} while (0)

#endif /* IOFAIRCTL_KTAP_H */
