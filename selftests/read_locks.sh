#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Reading is free for the host: a target dump and a stats dump of 1024
# targets, by an unprivileged reader, take no RTNL when the namespace has no
# vf target (nothing they read needs it), so no reader can stall the host's
# netdev changes; and version-get after a module came registers no kprobe
# (system-wide state) in the reader's process.  Counted by kprobe events on
# rtnl_lock() and register_kprobe() in the reader's process (the kernel's
# own tracing, not iofair's counters).
#
#   netns $NS: dummy d0 .. d1023, a dev target on each
#   uid 65534: ynl --dump target-get, iofairnl.py dump-time 1 (stats)
#   rtnl_lock() calls by that process: 0 (the old dumps took it for each
#   part of the dump)
#   modprobe -r vhost_net vhost; modprobe vhost_net; uid 65534: iofairctl
#   version: register_kprobe() calls by it: 0 (the old one tried each probe
#   point)
source "$(dirname "$0")/lib.sh"

TOP=$(cd "$IOFAIR_SELFTESTS/.." && pwd)
YNL=$TOP/build/ksrc/tools/net/ynl/cli.py
SPEC=$TOP/Documentation/netlink/specs/iofair.yaml
SCHEMA=$TOP/build/ksrc/Documentation/netlink/genetlink.yaml
NL=$TOP/selftests/bench/iofairnl.py
TR=/sys/kernel/tracing
N=1024

iofair_require_root
iofair_require_module
[ -f "$YNL" ] && [ -f "$SCHEMA" ] ||
	{ ktap_skip_all "the kernel's ynl cli.py not in build/ksrc (run 'make deps')"; exit "$KSFT_SKIP"; }
[ -d "$TR/events" ] || mount -t tracefs nodev "$TR" 2>/dev/null
[ -w "$TR/kprobe_events" ] ||
	{ ktap_skip_all "no kprobe events in $TR (CONFIG_KPROBE_EVENTS)"; exit "$KSFT_SKIP"; }

ktap_print_header
ktap_set_plan 5

iofair_load || ktap_exit_fail_msg "cannot load iofair"
setup_ns NS || ktap_exit_fail_msg "cannot create a namespace"
cleanup()
{
	local e
	for e in iofair_rtnl iofair_kprobe; do
		echo 0 > "$TR/events/kprobes/$e/enable" 2>/dev/null
		echo "-:$e" >> "$TR/kprobe_events" 2>/dev/null
	done
	cleanup_all_ns
	iofair_unload
}
trap cleanup EXIT

for i in $(seq 0 $((N - 1))); do echo "link add d$i type dummy"; done |
	ip -n "$NS" -batch - || ktap_exit_fail_msg "cannot create $N dummy devices"
added=$(ip netns exec "$NS" python3 "$NL" targets "d%d" 0 "$N" 2>&1) ||
	ktap_exit_fail_msg "cannot add $N targets: $added"
count=$(ip netns exec "$NS" iofairctl -j target show | jq length)
iofair_check "$N dev targets on $N dummies" test "$count" = "$N"

echo "p:iofair_rtnl rtnl_lock" >> "$TR/kprobe_events" &&
	echo "p:iofair_kprobe register_kprobe" >> "$TR/kprobe_events" ||
	ktap_exit_fail_msg "cannot add kprobe events on rtnl_lock and register_kprobe"

# calls EVENT OUT CMD...: run CMD as uid 65534 in $NS, its stdout to OUT;
# prints how many times that process hit kprobe event EVENT.
calls()
{
	local ev=$TR/events/kprobes/$1 out=$2 pid
	shift 2
	echo > "$TR/trace"
	echo 1 > "$ev/enable"
	ip netns exec "$NS" setpriv --reuid 65534 --regid 65534 --clear-groups "$@" > "$out" &
	pid=$!
	wait "$pid"
	echo 0 > "$ev/enable"
	grep -cE -- "-$pid +\[" "$TR/trace"
}
rtnl_calls() { calls iofair_rtnl "$@"; }

# The reader's programs and files in a directory it can read (the tree it
# came from may not be: a clone under a mode-700 directory).
tmp=$(mktemp -d)
chmod 755 "$tmp"
mkdir -p "$tmp/top/include/uapi/linux" "$tmp/bin"
cp -r "$(dirname "$YNL")" "$tmp/ynl"
cp "$SPEC" "$SCHEMA" "$tmp/"
cp "$NL" "$tmp/top/iofairnl.py"
cp "$TOP/include/uapi/linux/iofair.h" "$tmp/top/include/uapi/linux/"
cp "$(command -v iofairctl)" "$tmp/bin/"
chmod -R a+rX "$tmp"
YNL=$tmp/ynl/cli.py SPEC=$tmp/${SPEC##*/} SCHEMA=$tmp/${SCHEMA##*/} NL=$tmp/top/iofairnl.py
export IOFAIR_TOP=$tmp/top
calls=$(rtnl_calls "$tmp/targets" python3 "$YNL" --spec "$SPEC" --schema "$SCHEMA" \
	--output-json --dump target-get)
got=$(jq length "$tmp/targets" 2>/dev/null)
ktap_print_msg "target dump: $got targets, rtnl_lock() called $calls times"
iofair_check "an unprivileged target dump of $N targets: all of them" test "$got" = "$N"
iofair_check "... and no RTNL taken" test "$calls" = 0

calls=$(rtnl_calls "$tmp/stats" python3 "$NL" dump-time 1)
got=$(jq '.[0].messages' "$tmp/stats" 2>/dev/null)
ktap_print_msg "stats dump: $got messages, rtnl_lock() called $calls times"
iofair_check "an unprivileged stats dump of $N targets: $N messages, no RTNL taken" \
	test "$got" = "$N" -a "$calls" = 0

modprobe -r vhost_net vhost 2>/dev/null
modprobe vhost_net || ktap_print_msg "cannot load vhost_net"
n=$(calls iofair_kprobe "$tmp/version" "$tmp/bin/iofairctl" -j version)
ktap_print_msg "iofairctl version after vhost_net came: register_kprobe() called $n times; $(jq -c '[.probes[] | select(.state == "available")] | length' "$tmp/version" 2>/dev/null) probe points available"
iofair_check "an unprivileged version-get after a module came registers no kprobe" \
	test "$n" = 0 -a "$(jq '[.probes[] | select(.name == "handle_tx_kick" and .state == "available")] | length' "$tmp/version")" = 1
rm -rf "$tmp"

ktap_finished
