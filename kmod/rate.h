/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iofair: a rate from a byte counter, without overflow.  Pure computation;
 * builds in the module and in userspace (selftests/unit/test_rate.c).
 *
 *	rate_bps = bytes * 8 * NSEC_PER_SEC / ns
 *
 * bytes * 8 * 10^9 overflows a u64 past 2.3 GB, which a 10 s controller
 * interval reaches at 1.85 Gbit/s and a 1 s conformance window at 18 Gbit/s:
 * the product is taken in 128 bits (mul_u64_u64_div_u64()).  The quotient
 * fits a u64 unless the rate is above 2^64 bit/s, which no counter reaches
 * over a real interval; such a rate reads U64_MAX instead of trapping (on
 * x86-64 a quotient that does not fit raises a divide error).  ns = 0 is no
 * interval: rate 0.
 */
#ifndef _IOFAIR_RATE_H
#define _IOFAIR_RATE_H

#ifdef __KERNEL__
#include <linux/math64.h>
#include <linux/overflow.h>
#include <linux/time64.h>
#else
#include "alloc.h"	/* u64, U64_MAX */
#define NSEC_PER_SEC	1000000000ULL
/* linux/math64.h's mul_u64_u64_div_u64(), for userspace (alloc.c too). */
static inline u64 mul_u64_u64_div_u64(u64 a, u64 mul, u64 div)
{
	return (u64)((__uint128_t)a * mul / div);
}

#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)
#endif

static inline u64 iofair_rate_bps(u64 bytes, u64 ns)
{
	u64 bound;

	if (!ns)
		return 0;
	/* bytes * 8e9 / ns >= 2^64 exactly when bytes >= ns * 2^64 / 8e9. */
	if (!check_mul_overflow(ns, U64_MAX / (8 * NSEC_PER_SEC), &bound) &&
	    bytes > bound)
		return U64_MAX;
	return mul_u64_u64_div_u64(bytes, 8 * NSEC_PER_SEC, ns);
}

#endif /* _IOFAIR_RATE_H */
