#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install everything iofair's build, tests and demo need, from Debian's
# packages only.  Idempotent: when everything is present it prints nothing
# and takes well under a second (no apt-get update, no network).
#
#   selftests/vm/deps.sh [--print-kernels]
#
# Kernels: the newest 6.1.0-N-amd64 and 6.12.*+deb12-amd64 unsigned images
# with their headers.  QEMU >= 8 (SR-IOV capable igb) comes from the
# bookworm-backports suite, enabled on the mirror the machine's apt sources
# already use.  The kselftest framework files and ynl are taken from
# linux-source-6.12 into build/ksrc (not committed).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
ksrc=$top/build/ksrc
export DEBIAN_FRONTEND=noninteractive

die() { echo "deps: $*" >&2; exit 1; }
say() { echo "deps: $*" >&2; }

[ "$(id -u)" = 0 ] || die "must run as root (installs Debian packages)"

pkgs=(build-essential pkg-config libnl-3-dev libnl-genl-3-dev libpci-dev
      busybox-static cpio xz-utils zstd kmod iproute2 iperf3 iputils-ping jq
      ethtool nftables stress-ng python3 python3-yaml python3-jsonschema
      linux-source-6.12 sparse gnuplot-nox procps psmisc python3-docutils dkms python3-prometheus-client
      flex bison bc libelf-dev libssl-dev debhelper dh-dkms lintian)

updated=0
apt_update() {
	[ $updated = 1 ] && return
	say "apt-get update"
	apt-get -qq update >/dev/null || die "apt-get update failed"
	updated=1
}

# The suite of the mirror the machine already uses for its main bookworm
# suite; backports is added on the same URI.
enable_backports() {
	local f=/etc/apt/sources.list.d/iofair-backports.list uri
	if grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		return
	fi
	uri=$(grep -hs -E '^deb[[:space:]]+' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
	      awk '$3 == "bookworm" { print $2; exit }' || true)
	if [ -z "$uri" ]; then
		uri=$(awk '
			/^URIs:/   { u = $2 }
			/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") { print u; exit } }
			/^$/       { u = "" }' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1 || true)
	fi
	[ -n "$uri" ] || die "no bookworm suite in the apt sources: cannot enable bookworm-backports"
	say "enabling bookworm-backports on $uri"
	echo "deb $uri bookworm-backports main" > "$f"
	updated=0
}

newest() {	# newest installable package matching an extended regex
	apt-cache pkgnames 2>/dev/null | grep -E "^$1\$" | sort -V | tail -n1
}

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done

# Kernels.  When both series are installed, take what is there (no network);
# otherwise find the newest in the archive.
kernels_installed() {
	ls -d /lib/modules/6.1.0-*-amd64/build /lib/modules/6.12.*+deb12-amd64/build 2>/dev/null |
	sed 's|/lib/modules/||; s|/build||'
}
k61=$(kernels_installed | grep '^6\.1\.0-' | sort -V | tail -n1 || true)
k612=$(kernels_installed | grep '^6\.12\.' | sort -V | tail -n1 || true)

qemu_ok() {
	local v
	v=$(qemu-system-x86_64 --version 2>/dev/null | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
	[ -n "$v" ] && [ "$v" -ge 8 ]
}

if [ ${#missing[@]} = 0 ] && [ -n "$k61" ] && [ -n "$k612" ] && qemu_ok &&
   [ -f /boot/vmlinuz-$k61 ] && [ -f /boot/vmlinuz-$k612 ]; then
	:
else
	enable_backports
	apt_update
	if [ -z "$k61" ] || [ ! -f "/boot/vmlinuz-$k61" ]; then
		img=$(newest 'linux-image-6\.1\.0-[0-9]+-amd64-unsigned')
		[ -n "$img" ] || die "no linux-image-6.1.0-*-amd64-unsigned in the archive"
		k61=${img#linux-image-}; k61=${k61%-unsigned}
		missing+=("$img" "linux-headers-$k61")
	fi
	if [ -z "$k612" ] || [ ! -f "/boot/vmlinuz-$k612" ]; then
		img=$(newest 'linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned')
		[ -n "$img" ] || die "no linux-image-6.12.*+deb12-amd64-unsigned in the archive"
		k612=${img#linux-image-}; k612=${k612%-unsigned}
		missing+=("$img" "linux-headers-$k612")
	fi
	if [ ${#missing[@]} -gt 0 ]; then
		say "installing ${missing[*]}"
		# A kernel image on a host that does not boot it: no initramfs
		# or bootloader update is needed, the VM harness builds its own.
		INITRD=No apt-get -qq -y --no-install-recommends install "${missing[@]}" \
			>/tmp/iofair-deps.log 2>&1 ||
			{ tail -n 30 /tmp/iofair-deps.log >&2; die "apt-get install failed (log: /tmp/iofair-deps.log)"; }
	fi
	if ! qemu_ok; then
		say "installing qemu-system-x86 from bookworm-backports"
		apt-get -qq -y --no-install-recommends -t bookworm-backports install \
			qemu-system-x86 qemu-system-data ipxe-qemu seabios >/tmp/iofair-deps.log 2>&1 ||
			{ tail -n 30 /tmp/iofair-deps.log >&2; die "installing QEMU from backports failed"; }
		qemu_ok || die "QEMU >= 8 is needed for an SR-IOV igb; got: $(qemu-system-x86_64 --version | head -n1)"
	fi
fi

# The kselftest framework, ynl and checkpatch (make style), from the Debian
# kernel source tarball.
if [ ! -f "$ksrc/.stamp" ] || [ ! -f "$ksrc/scripts/checkpatch.pl" ]; then
	tarball=$(ls /usr/src/linux-source-6.12.tar.xz 2>/dev/null || true)
	[ -n "$tarball" ] || die "linux-source-6.12 is installed but /usr/src/linux-source-6.12.tar.xz is missing"
	say "extracting kselftest framework, ynl and checkpatch from $tarball"
	rm -rf "$ksrc"; mkdir -p "$ksrc"
	tar -C "$ksrc" --strip-components=1 -xJf "$tarball" \
		--wildcards \
		'linux-source-6.12/tools/testing/selftests/kselftest.h' \
		'linux-source-6.12/tools/testing/selftests/kselftest_harness.h' \
		'linux-source-6.12/tools/testing/selftests/lib.mk' \
		'linux-source-6.12/tools/testing/selftests/kselftest/*' \
		'linux-source-6.12/tools/testing/selftests/net/lib.sh' \
		'linux-source-6.12/tools/net/ynl/*' \
		'linux-source-6.12/Documentation/netlink/*' \
		'linux-source-6.12/scripts/subarch.include' \
		'linux-source-6.12/tools/scripts/Makefile.include' \
		'linux-source-6.12/tools/scripts/Makefile.arch' \
		'linux-source-6.12/tools/testing/selftests/Makefile' \
		'linux-source-6.12/scripts/checkpatch.pl' \
		'linux-source-6.12/scripts/spelling.txt' \
		'linux-source-6.12/scripts/const_structs.checkpatch' \
		|| die "extracting from $tarball failed"
	touch "$ksrc/.stamp"
fi

if [ "${1:-}" = --print-kernels ]; then
	echo "$k61 $k612"
fi
