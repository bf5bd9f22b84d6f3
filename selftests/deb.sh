#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian packages (make deb, in build/deb), installed as a user would:
#
#   other kernels' headers hidden (/lib/modules/K/build moved aside)
#   apt-get install ./iofair-dkms_V_all.deb ./iofairctl_V_ARCH.deb
#     iofair-dkms's postinst: dkms add; build and install for the running
#     kernel; every other kernel considered, skipped for want of headers
#   headers back; run-parts /etc/kernel/header_postinst.d, as a
#   linux-headers-K package's postinst does  ->  dkms builds for K too
#   /lib/modules/K/updates/dkms/iofair.ko[.xz] for every K
#   modprobe iofair  ->  /usr/sbin/iofairctl -j version: both at V
#   apt-get remove, dpkg --purge  ->  no iofair.ko under /lib/modules, no
#     /var/lib/dkms/iofair, no /usr/src/iofair-*, no file named *iofair*
#     under /usr/{src,sbin,lib/modules,share/...}, /etc, /var/lib that was
#     not there before, dpkg knows neither
#
# This installs packages and writes /usr, /var and /lib/modules: it runs
# only in the test VM (selftests/vm/run), whose root is a tmpfs overlay
# thrown away at power-off.  One dkms build per kernel: about 10 min each
# under TCG in a 1-vCPU VM.
source "$(dirname "$0")/lib.sh"

TOP=$(cd "$IOFAIR_SELFTESTS/.." && pwd)
kver=$(uname -r)
export DEBIAN_FRONTEND=noninteractive

iofair_require_root
if [ -z "${IOFAIR_KVER:-}" ] || [ "$(findmnt -n -o FSTYPE /)" != overlay ]; then
	ktap_skip_all "not in the test VM: this installs packages and writes /usr, /var and /lib/modules"
	exit "$KSFT_SKIP"
fi
for cmd in apt-get dpkg dkms run-parts jq; do
	command -v "$cmd" >/dev/null ||
		{ ktap_skip_all "$cmd not installed (make deps)"; exit "$KSFT_SKIP"; }
done
version=$(sed -n 's/^#define IOFAIR_VERSION[[:space:]]*"\(.*\)"/\1/p' "$TOP/kmod/iofair.h")
[ -n "$version" ] || { echo "Bail out! no IOFAIR_VERSION in $TOP/kmod/iofair.h"; exit 1; }
dkms_deb=$TOP/build/deb/iofair-dkms_${version}_all.deb
ctl_deb=$TOP/build/deb/iofairctl_${version}_$(dpkg --print-architecture).deb
for f in "$dkms_deb" "$ctl_deb"; do
	[ -f "$f" ] || { ktap_skip_all "$f not built (make deb)"; exit "$KSFT_SKIP"; }
done

# Kernels dkms can build for: those with headers (what dkms looks for).
kernels=() others=()
for d in /lib/modules/*/; do
	k=$(basename "$d")
	[ -e "/lib/modules/$k/build/include" ] || continue
	kernels+=("$k")
	[ "$k" = "$kver" ] || others+=("$k")
done
if [[ " ${kernels[*]} " != *" $kver "* ]]; then
	ktap_skip_all "no kernel headers for $kver in /lib/modules/$kver/build"
	exit "$KSFT_SKIP"
fi

ktap_print_header
ktap_set_plan $((15 + 2 * ${#others[@]}))

log=$(mktemp)
hidden=build.deb-test-hidden
# Names with iofair in them where packages, dkms and dpkg put files: what
# is there before the packages must be all that is there after them.
system_dirs=(/usr/src /usr/sbin /usr/bin /usr/include /usr/share/doc /usr/share/man
	     /usr/share/bash-completion /usr/lib/modules /etc /var/lib)
system_files() { find "${system_dirs[@]}" -name '*iofair*' 2>/dev/null | sort; }
baseline=$(system_files)

cleanup()
{
	local k
	modprobe -r iofair 2>/dev/null
	iofair_unload
	for k in "${others[@]}"; do
		[ -L "/lib/modules/$k/$hidden" ] && mv -T "/lib/modules/$k/$hidden" "/lib/modules/$k/build"
	done
	# a run cut short leaves nothing installed for the tests after it
	if dpkg-query -W -f='${db:Status-Abbrev}\n' iofair-dkms iofairctl 2>/dev/null | grep -qv '^un'; then
		dpkg --purge iofair-dkms iofairctl >/dev/null 2>&1
	fi
	rm -f "$log"
}
trap cleanup EXIT

# The last lines of a command's output as KTAP comments.
show_log() { tail -n "${1:-15}" "$log" | sed 's/^/# /'; }


# dpkg's state of a package: "ii" installed, "un" or nothing when unknown.
pkg_state() { dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | tr -d ' '; }
not_installed() { local s; s=$(pkg_state "$1"); [ -z "$s" ] || [ "$s" = un ] || [ "$s" = n ]; }
# Every iofair.ko under /lib/modules.
modules() { find /lib/modules/ -name 'iofair.ko*' 2>/dev/null; }

iofair_unload
before()
{
	! lsmod | grep -q '^iofair ' && not_installed iofair-dkms && not_installed iofairctl &&
		[ -z "$(dkms status -m iofair 2>/dev/null)" ] && [ -z "$(modules)" ] &&
		! ls -d /usr/src/iofair-* >/dev/null 2>&1
}
iofair_check "before: iofair not loaded, neither package installed, no iofair.ko, unknown to dkms" before
ktap_print_msg "kernels with headers: ${kernels[*]}; running $kver"

# The other kernels without their headers, as on a machine where they were
# never installed.
for k in "${others[@]}"; do
	mv -T "/lib/modules/$k/build" "/lib/modules/$k/$hidden"
done

start=$SECONDS
iofair_timed apt-get install -y --no-install-recommends "$dkms_deb" "$ctl_deb" >"$log"
rc=$?
ktap_print_msg "apt-get install ./$(basename "$dkms_deb") ./$(basename "$ctl_deb"): exit $rc after $((SECONDS - start)) s"
if [ "$rc" = 0 ]; then
	grep -E 'Setting up|Loading new|Building (for|initial)|Done\.|Skipped|was skipped|Installing|depmod|Signing|Processing triggers' "$log" |
		sed 's/^/# /'
else
	show_log 40
fi
installed() { [ "$rc" = 0 ] && [ "$(pkg_state iofair-dkms)" = ii ] && [ "$(pkg_state iofairctl)" = ii ]; }
iofair_check "apt-get install ./iofair-dkms ./iofairctl (version $version)" installed

# dkms's common.postinst looks at the running and the newest kernel only,
# unless told to take them all (debian/iofair-dkms.postinst does).
considered()
{
	local k
	for k in "${others[@]}"; do
		grep -q "build for kernel $k was skipped since the" "$log" || return 1
	done
}
iofair_check "postinst: every kernel considered, those without headers skipped (${others[*]:-none})" considered

status=$(dkms status -m iofair 2>/dev/null)
ktap_print_msg "dkms status: $(tr '\n' ';' <<<"$status")"
dkms_installed()	# $1 kernel
{
	local l
	while IFS= read -r l; do	# "iofair/VERSION, KVER, ARCH: installed"
		[[ $l == "iofair/$version, $1, "*": installed" ]] && return 0
	done <<<"$status"
	return 1
}
iofair_check "dkms status: iofair/$version installed for $kver by the postinst" dkms_installed "$kver"

# A kernel's headers installed later: linux-headers-K's postinst runs the
# header_postinst.d hooks with K, dkms's among them.
for k in "${others[@]}"; do
	mv -T "/lib/modules/$k/$hidden" "/lib/modules/$k/build"
	start=$SECONDS
	iofair_timed run-parts --report --exit-on-error --arg="$k" /etc/kernel/header_postinst.d >"$log"
	rc=$?
	ktap_print_msg "run-parts --arg=$k /etc/kernel/header_postinst.d: exit $rc after $((SECONDS - start)) s"
	sed 's/^/# /' "$log" | grep -v '^# *[0-9]* *$' | tail -n 12
	iofair_check "headers of $k installed: the kernel's hooks run" test "$rc" = 0
	status=$(dkms status -m iofair 2>/dev/null)
	iofair_check "dkms status: iofair/$version installed for $k by dkms's hook" dkms_installed "$k"
done

# modinfo -k finds dkms's build, at this version, for every kernel.
everywhere()
{
	local k path
	for k in "${kernels[@]}"; do
		path=$(modinfo -k "$k" -n iofair 2>/dev/null)
		ktap_print_msg "modinfo -k $k -n iofair: ${path:-none}"
		[[ $path == /lib/modules/$k/updates/dkms/iofair.ko* ]] && [ -f "$path" ] &&
			[ "$(modinfo -F version "$path")" = "$version" ] || return 1
	done
}
iofair_check "every kernel with headers has dkms's iofair.ko, version $version" everywhere

modprobe iofair 2>"$log"
rc=$?
[ "$rc" = 0 ] || show_log
loaded() { [ "$rc" = 0 ] && lsmod | grep -q '^iofair ' && [ "$(cat /sys/module/iofair/version)" = "$version" ]; }
iofair_check "modprobe iofair loads the packaged module on $kver" loaded

# The packaged CLI, not the build tree's (the VM's PATH has that first).
json=$(/usr/sbin/iofairctl -j version 2>&1)
ktap_print_msg "/usr/sbin/iofairctl -j version: $json"
answers()
{
	jq -e --arg v "$version" --arg k "$kver" \
		'.iofairctl == $v and .module == $v and .kernel == $k' <<<"$json" >/dev/null 2>&1
}
iofair_check "iofairctl version: iofairctl $version, module $version, kernel $kver" answers

ctl_files()
{
	[ -x /usr/sbin/iofairctl ] && [ -f /usr/share/man/man8/iofairctl.8.gz ] &&
		zcat /usr/share/man/man8/iofairctl.8.gz | grep -q '^\.TH' &&
		bash -c 'source /usr/share/bash-completion/completions/iofairctl && complete -p iofairctl' >/dev/null 2>&1
}
iofair_check "iofairctl: /usr/sbin/iofairctl, the man page, bash completion that loads" ctl_files

modprobe -r iofair 2>"$log"
rc=$?
[ "$rc" = 0 ] || show_log
iofair_check "modprobe -r iofair" test "$rc" = 0

start=$SECONDS
iofair_timed apt-get remove -y iofair-dkms iofairctl >"$log"
rc=$?
ktap_print_msg "apt-get remove iofair-dkms iofairctl: exit $rc after $((SECONDS - start)) s"
if [ "$rc" = 0 ]; then
	grep -E 'Removing|Deleting|depmod|dkms remove' "$log" | sed 's/^/# /'
else
	show_log 30
fi
removed()
{
	[ "$rc" = 0 ] && [[ $(pkg_state iofair-dkms) != ii ]] && [[ $(pkg_state iofairctl) != ii ]]
}
iofair_check "apt-get remove iofair-dkms iofairctl" removed

status=$(dkms status -m iofair 2>/dev/null)
left=$(modules)
[ -n "$left" ] && ktap_print_msg "left: $(tr '\n' ' ' <<<"$left")"
no_module()
{
	[ -z "$status" ] && [ -z "$left" ] && [ ! -e /var/lib/dkms/iofair ] &&
		! ls -d /usr/src/iofair-* >/dev/null 2>&1
}
iofair_check "after remove: no iofair.ko in /lib/modules, no dkms tree, no sources in /usr/src" no_module

# Packages with neither conffiles nor a postrm are gone at remove; apt
# knows local packages only while dpkg does: dpkg --purge either way.
ktap_print_msg "after remove: iofair-dkms '$(pkg_state iofair-dkms)', iofairctl '$(pkg_state iofairctl)'"
start=$SECONDS
iofair_timed dpkg --purge iofair-dkms iofairctl >"$log"
rc=$?
ktap_print_msg "dpkg --purge iofair-dkms iofairctl: exit $rc after $((SECONDS - start)) s"
[ "$rc" = 0 ] || show_log 30
purged() { [ "$rc" = 0 ] && not_installed iofair-dkms && not_installed iofairctl; }
iofair_check "dpkg --purge: dpkg knows neither package" purged

after=$(system_files)
new=$(comm -13 <(echo "$baseline") <(echo "$after"))
[ -n "$new" ] && ktap_print_msg "left behind: $(tr '\n' ' ' <<<"$new")"
iofair_check "after purge: no file named for iofair in /usr, /etc or /var/lib that was not there before" test -z "$new"

no_trace()
{
	local k
	for k in "${kernels[@]}"; do
		! grep -q 'iofair\.ko' "/lib/modules/$k/modules.dep" || return 1
		! modinfo -k "$k" -n iofair >/dev/null 2>&1 || return 1
	done
	[ -z "$(modules)" ] && [ -z "$(dkms status -m iofair 2>/dev/null)" ]
}
iofair_check "after purge: modules.dep and modinfo of every kernel know no iofair" no_trace

out=$(modprobe iofair 2>&1)
rc=$?
ktap_print_msg "modprobe iofair: exit $rc: $out"
refused() { [ "$rc" != 0 ] && ! lsmod | grep -q '^iofair '; }
iofair_check "modprobe iofair no longer finds it" refused

ktap_finished
