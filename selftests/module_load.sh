#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Load and unload iofair.ko many times.  After each load the generic netlink
# family answers; after each unload it is gone and nothing is left behind.
#
#   insmod -> iofairctl version (family present) -> rmmod -> family absent
#
# IOFAIR_LOAD_CYCLES (default 100) sets the number of cycles.
source "$(dirname "$0")/lib.sh"

cycles=${IOFAIR_LOAD_CYCLES:-100}

iofair_require_root
iofair_require_module

ktap_print_header
ktap_set_plan 4

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

ktap_finished
