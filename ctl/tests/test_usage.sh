#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The command line as a new user meets it, without the module: help in
# every spelling exits 0 on stdout; every usage error exits 2 with the
# reason on stderr.  Usage: test_usage.sh IOFAIRCTL
ctl=${1:?usage: $0 IOFAIRCTL}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0

# run ARGS...: the exit status in $rc, output in $tmp/out and $tmp/err
run() { "$ctl" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; }

check()
{
	local desc=$1
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n $desc"
	else
		failed=$((failed + 1))
		echo "not ok $n $desc"
		echo "# rc=$rc stdout: $(head -c 200 "$tmp/out" | tr '\n' '|')"
		echo "# stderr: $(tr '\n' '|' <"$tmp/err")"
	fi
}

# ok_help ARGS...: exit 0, a usage on stdout, nothing on stderr
ok_help() { run "$@"; [ "$rc" = 0 ] && grep -q '^Usage: iofairctl' "$tmp/out" && [ ! -s "$tmp/err" ]; }
# usage_err PATTERN ARGS...: exit 2, PATTERN in an "Error: " line on stderr
usage_err()
{
	local pat=$1
	shift
	run "$@"
	[ "$rc" = 2 ] && grep -q "^Error: .*$pat" "$tmp/err" && [ ! -s "$tmp/out" ]
}

helps=("help" "-h" "--help" "he" "help target" "help hist" "help version" "target help"
       "node help" "policy help" "stats help" "hist help" "monitor help" "controller help"
       "dev help" "version help")
usage_errs=(
	"help: unknown object 'bogus'|help bogus"
	"help: unexpected 'x'|help target x"
	"unknown object 'bogus'|bogus"
	"version: unexpected 'extra'|version extra"
	"hist help: unexpected 'extra'|hist help extra"
	"target help: unexpected 'x'|target help x"
	"node help: unexpected 'x'|node help x"
	"policy help: unexpected 'x'|policy help x"
	"stats help: unexpected 'x'|stats help x"
	"monitor help: unexpected '-c'|monitor help -c 2"
	"controller help: unexpected 'x'|controller help x"
	"dev help: unexpected 'x'|dev help x"
	"ambiguous histogram kind 'rtt': rtt-icmp, rtt-tcp-syn, rtt-tcp-data?|hist 1 rtt"
	"unknown histogram kind 'x' (one of: sojourn, |hist 1 x"
	"ambiguous target command 's': set, show?|target s"
	"hist: missing TARGET|hist"
	"host-side: only with 'target add dev IFNAME'|target add vhost tap0 host-side"
	"weight: invalid number 'x'|target set 1 weight x"
)

echo "KTAP version 1"
echo "1..$(( ${#helps[@]} + ${#usage_errs[@]} + 1 ))"
for a in "${helps[@]}"; do
	# shellcheck disable=SC2086 # split on purpose
	check "iofairctl $a: the usage, exit 0" ok_help $a
done
for e in "${usage_errs[@]}"; do
	# shellcheck disable=SC2086
	check "iofairctl ${e#*|}: exit 2, '${e%%|*}'" usage_err "${e%%|*}" ${e#*|}
done
run
check "iofairctl alone: the usage on stderr, exit 2" \
	eval '[ "$rc" = 2 ] && grep -q "^Usage: iofairctl" "$tmp/err"'
echo "# $((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
