#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Packaging with dkms, for the running kernel, through the project's own
# make targets:
#
#   make dkms-install KVER=$(uname -r)
#     /usr/src/iofair-VERSION  ->  dkms add, build, install
#     /lib/modules/KVER/updates/dkms/iofair.ko[.xz]  (dkms status: installed)
#   modprobe iofair  ->  iofairctl version  ->  modprobe -r iofair
#   make dkms-uninstall  ->  dkms knows no iofair, modprobe finds none
#
# Before that, in a scratch dkms tree: dkms.conf's BUILD_EXCLUSIVE_* keep
# dkms from building for a kernel without the hooks or older than 6.1.
#
# This writes /usr/src, /var/lib/dkms and /lib/modules: it runs only in the
# test VM (selftests/vm/run), whose root is a tmpfs overlay thrown away at
# power-off.  One dkms build: several minutes under TCG (18 on 6.1 with the
# host loaded by other VMs), most of it compiling.
source "$(dirname "$0")/lib.sh"

TOP=$(cd "$IOFAIR_SELFTESTS/.." && pwd)
kver=$(uname -r)

iofair_require_root
if [ -z "${IOFAIR_KVER:-}" ] || [ "$(findmnt -n -o FSTYPE /)" != overlay ]; then
	ktap_skip_all "not in the test VM: dkms would write /usr/src, /var/lib/dkms and /lib/modules"
	exit "$KSFT_SKIP"
fi
for cmd in dkms make jq; do
	command -v "$cmd" >/dev/null ||
		{ ktap_skip_all "$cmd not installed (make deps)"; exit "$KSFT_SKIP"; }
done
if [ ! -e "/lib/modules/$kver/build/Makefile" ]; then
	ktap_skip_all "no kernel headers for $kver in /lib/modules/$kver/build"
	exit "$KSFT_SKIP"
fi
version=$(sed -n 's/^#define IOFAIR_VERSION[[:space:]]*"\(.*\)"/\1/p' "$TOP/kmod/iofair.h")
[ -n "$version" ] || { echo "Bail out! no IOFAIR_VERSION in $TOP/kmod/iofair.h"; exit 1; }

ktap_print_header
ktap_set_plan 13

log=$(mktemp)
cleanup()
{
	modprobe -r iofair 2>/dev/null
	iofair_unload
	# a run cut short leaves nothing registered for the tests after it
	if [ -n "$(dkms status -m iofair 2>/dev/null)" ]; then
		make -C "$TOP" --no-print-directory dkms-uninstall >/dev/null 2>&1
	fi
	rm -f "$log"
}
trap cleanup EXIT

# The last lines of a command's output as KTAP comments.
show_log() { tail -n "${1:-15}" "$log" | sed 's/^/# /'; }

iofair_unload
not_loaded() { ! lsmod | grep -q '^iofair '; }
# Nothing but dkms may provide the module here: otherwise modprobe below
# would prove nothing.
nowhere() { ! modinfo -k "$kver" -n iofair >/dev/null 2>&1 && [ -z "$(dkms status -m iofair 2>/dev/null)" ]; }
before() { not_loaded && nowhere; }
iofair_check "before: iofair not loaded, not in /lib/modules/$kver, unknown to dkms" before

# dkms.conf's BUILD_EXCLUSIVE_*: in a scratch dkms tree, a kernel whose
# config lacks a hook iofair needs, and a kernel older than 6.1, are
# refused before anything is compiled (dkms exits 77).
scratch=$(mktemp -d)
mkdir -p "$scratch/src/iofair-$version" "$scratch/tree" "$scratch/inst" "$scratch/k"
cp -r "$TOP/Kbuild" "$TOP/dkms.conf" "$TOP/kmod" "$TOP/include" "$scratch/src/iofair-$version/"
grep -v '^CONFIG_NETFILTER_EGRESS=' "/lib/modules/$kver/build/.config" > "$scratch/k/.config"
sdkms() { dkms "$@" --dkmstree "$scratch/tree" --sourcetree "$scratch/src" --installtree "$scratch/inst"; }
sdkms add -m iofair -v "$version" >/dev/null 2>&1
excluded()	# $1 kernel release, $2 kernel source dir
{
	local out rc
	out=$(sdkms build -m iofair -v "$version" -k "$1" --kernelsourcedir "$2" 2>&1)
	rc=$?
	ktap_print_msg "dkms build -k $1: exit $rc: $(grep -m1 -o 'includes a BUILD_EXCLUSIVE.*' <<<"$out")"
	[ "$rc" = 77 ] && grep -q 'BUILD_EXCLUSIVE directive which does not match' <<<"$out"
}
iofair_check "dkms.conf: not built without CONFIG_NETFILTER_EGRESS" excluded "$kver" "$scratch/k"
iofair_check "dkms.conf: not built for 5.10" excluded 5.10.0-30-amd64 "/lib/modules/$kver/build"
rm -rf "$scratch"


start=$SECONDS
iofair_timed make -C "$TOP" --no-print-directory dkms-install KVER="$kver" >"$log"
rc=$?
ktap_print_msg "make dkms-install: exit $rc after $((SECONDS - start)) s"
if [ "$rc" = 0 ]; then
	grep -E 'dkms (add|build|install)|Building module|Signing|depmod|Installing|Running' "$log" |
		sed 's/^/# /'
else
	show_log 30
fi
iofair_check "make dkms-install KVER=$kver" test "$rc" = 0

status=$(dkms status -m iofair 2>/dev/null)
ktap_print_msg "dkms status: $status"
installed()
{
	local l
	while IFS= read -r l; do	# "iofair/VERSION, KVER, ARCH: installed"
		[[ $l == "iofair/$version, $kver, "*": installed" ]] && return 0
	done <<<"$status"
	return 1
}
iofair_check "dkms status: iofair/$version installed for $kver" installed

path=$(modinfo -k "$kver" -n iofair 2>/dev/null)
ktap_print_msg "modinfo -n iofair: $path"
from_dkms()
{
	[[ $path == /lib/modules/$kver/updates/dkms/iofair.ko* ]] && [ -f "$path" ] &&
		[ "$(modinfo -F version "$path")" = "$version" ]
}
iofair_check "modinfo finds the dkms build, version $version" from_dkms

modprobe iofair 2>"$log"
rc=$?
[ "$rc" = 0 ] || show_log
loaded() { [ "$rc" = 0 ] && lsmod | grep -q '^iofair ' && [ "$(cat /sys/module/iofair/version)" = "$version" ]; }
iofair_check "modprobe iofair loads it by name" loaded

json=$(iofairctl -j version 2>&1)
ktap_print_msg "iofairctl -j version: $json"
answers()
{
	jq -e --arg v "$version" --arg k "$kver" '.module == $v and .kernel == $k' \
		<<<"$json" >/dev/null 2>&1
}
iofair_check "iofairctl version: the module answers, version $version, kernel $kver" answers

modprobe -r iofair 2>"$log"
rc=$?
[ "$rc" = 0 ] || show_log
removed() { [ "$rc" = 0 ] && not_loaded; }
iofair_check "modprobe -r iofair removes it" removed

start=$SECONDS
iofair_timed make -C "$TOP" --no-print-directory dkms-uninstall KVER="$kver" >"$log"
rc=$?
ktap_print_msg "make dkms-uninstall: exit $rc after $((SECONDS - start)) s"
[ "$rc" = 0 ] || show_log 30
iofair_check "make dkms-uninstall" test "$rc" = 0

status=$(dkms status -m iofair 2>/dev/null)
iofair_check "dkms status: no iofair left${status:+ ($status)}" test -z "$status"
gone() { [ ! -e "/usr/src/iofair-$version" ] && ! ls /lib/modules/"$kver"/updates/dkms/iofair.ko* >/dev/null 2>&1; }
iofair_check "/usr/src/iofair-$version and the installed module are gone" gone

out=$(modprobe iofair 2>&1)
rc=$?
ktap_print_msg "modprobe iofair: exit $rc: $out"
refused() { [ "$rc" != 0 ] && not_loaded; }
iofair_check "modprobe iofair no longer finds it" refused

ktap_finished
