#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Load and unload iofair.ko many times.  After each load the generic netlink
# family answers; after each unload it is gone and nothing is left behind.
#
#   insmod -> iofairctl version (family present) -> rmmod -> family absent
#
# Then rmmod races the deletion of the targets' devices: each round gives
# 16 veth pairs in a namespace a dev target each and deletes them while
# the module goes.  Both finish at once, and nothing is left waiting for
# a device reference.
#
# IOFAIR_LOAD_CYCLES (default 100) sets the number of cycles,
# IOFAIR_RACE_ROUNDS (default 5) the rounds of the race.
source "$(dirname "$0")/lib.sh"

cycles=${IOFAIR_LOAD_CYCLES:-100}
rounds=${IOFAIR_RACE_ROUNDS:-5}
pairs=16

iofair_require_root
iofair_require_module

ktap_print_header
ktap_set_plan 6

iofair_unload
fail=0
for i in $(seq "$cycles"); do
	if ! iofair_load; then
		ktap_print_msg "cycle $i: load failed"
		fail=1
		break
	fi
	if ! iofairctl version >/dev/null; then
		ktap_print_msg "cycle $i: family not answering after load"
		fail=1
		break
	fi
	if ! rmmod iofair; then
		ktap_print_msg "cycle $i: rmmod failed"
		fail=1
		break
	fi
done
ktap_print_msg "$i load/unload cycles"
iofair_check "$cycles load/unload cycles" test $fail = 0

module_gone() { ! lsmod | grep -q '^iofair '; }
iofair_check "module gone after the last unload" module_gone

out=$(iofairctl version 2>&1 >/dev/null)
rc=$?
iofair_check "iofairctl fails without the module" test "$rc" != 0
names_family_and_hint()
{
	grep -q "'iofair' generic netlink family is not registered" <<<"$out" &&
		grep -q 'modprobe iofair' <<<"$out"
}
iofair_check "the error names the missing family and how to load it" names_family_and_hint

# --- rmmod racing the deletion of target devices --------------------------------
setup_ns R || ktap_exit_fail_msg "cannot create a namespace"
trap cleanup_all_ns EXIT
log_mark=$(dmesg | wc -l)
race_round()
{
	local i dels
	iofair_load || return 1
	for i in $(seq $pairs); do
		ip -n "$R" link add "r$i" type veth peer name "p$i" &&
			ip -n "$R" link set "r$i" up &&
			ip netns exec "$R" iofairctl target add dev "r$i" max 10mbit >/dev/null ||
			return 1
	done
	( for i in $(seq $pairs); do ip -n "$R" link del "r$i"; done ) &
	dels=$!
	timeout 30 rmmod iofair || { ktap_print_msg "rmmod failed"; wait $dels; return 1; }
	timeout 30 tail --pid=$dels -f /dev/null || { ktap_print_msg "deletions still waiting"; return 1; }
	wait $dels
	[ -z "$(ip -n "$R" -o link show type veth)" ] || { ktap_print_msg "veths left"; return 1; }
}
race_ok()
{
	local r s=$SECONDS
	for r in $(seq "$rounds"); do
		race_round || { ktap_print_msg "round $r failed"; return 1; }
	done
	ktap_print_msg "$rounds rounds in $((SECONDS - s)) s"
}
iofair_check "rmmod racing the deletion of $pairs target devices, $rounds rounds: both finish" race_ok
no_waiting()
{
	! dmesg | tail -n +$((log_mark + 1)) | grep -E "waiting for .* to become free|hook not found|unregister_netdevice" &&
		! lsmod | grep -q '^iofair '
}
iofair_check "no device left waiting for a reference, no hook left behind" no_waiting

ktap_finished
