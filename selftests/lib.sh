#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers shared by iofair's shell selftests: the kernel's KTAP and net
# helpers (ktap_helpers.sh, net/lib.sh from the kselftest framework), plus
# loading the module under test.

IOFAIR_SELFTESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${KSFT_DIR:=$IOFAIR_SELFTESTS/../build/ksrc/tools/testing/selftests}"
if [ ! -f "$KSFT_DIR/kselftest/ktap_helpers.sh" ]; then
	echo "Bail out! kselftest framework not found in $KSFT_DIR (run 'make deps')"
	exit 1
fi
# shellcheck source=/dev/null
source "$KSFT_DIR/kselftest/ktap_helpers.sh"
# shellcheck source=/dev/null
source "$KSFT_DIR/net/lib.sh"

# The module under test: $IOFAIR_KO (set by the test VM), or iofair by name.
iofair_load()
{
	if lsmod | grep -q '^iofair '; then
		return 0
	fi
	if [ -n "${IOFAIR_KO:-}" ]; then
		insmod "$IOFAIR_KO"
	else
		modprobe iofair
	fi
}

iofair_unload()
{
	if lsmod | grep -q '^iofair '; then
		rmmod iofair
	fi
}

# Tests that need the module, or the VM's emulated SR-IOV NIC, skip (exit 4)
# with the reason when it is not there.
iofair_require_module()
{
	if [ -z "${IOFAIR_KO:-}" ] && ! modinfo iofair >/dev/null 2>&1; then
		ktap_skip_all "iofair.ko not available (set IOFAIR_KO or install the module)"
		exit "$KSFT_SKIP"
	fi
}

# Tests of the emulated SR-IOV NIC need the VM's PF (selftests/vm/run sets
# IOFAIR_PF); elsewhere they skip with the reason.
iofair_require_pf()
{
	if [ -z "${IOFAIR_PF:-}" ] || [ ! -e "/sys/class/net/$IOFAIR_PF/device/sriov_totalvfs" ]; then
		ktap_skip_all "no SR-IOV PF (run inside selftests/vm/run, which sets IOFAIR_PF)"
		exit "$KSFT_SKIP"
	fi
}

# A command's output, each line with the seconds since it started: where
# the time goes (compiling, depmod, triggers) under TCG.  The command's
# exit status.
iofair_timed()
{
	local start=$SECONDS line
	"$@" 2>&1 | while IFS= read -r line; do
		printf '%4d %s\n' $((SECONDS - start)) "$line"
	done
	return "${PIPESTATUS[0]}"
}

# The userspace virtio-net guest: next to the kselftest output, the script,
# the build tree, or on PATH.
iofair_vng_find()
{
	local d
	for d in "${OUTPUT:-}" "$IOFAIR_SELFTESTS" "${IOFAIR_TOP:-}/build/selftests" \
		 "$IOFAIR_SELFTESTS/../build/selftests"; do
		if [ -n "$d" ] && [ -x "$d/virtio-net-guest" ]; then
			echo "$d/virtio-net-guest"
			return 0
		fi
	done
	command -v virtio-net-guest
}

iofair_require_root()
{
	if [ "$(id -u)" != 0 ]; then
		ktap_skip_all "must run as root"
		exit "$KSFT_SKIP"
	fi
}

# Run "$@" and record one KTAP result named by $1.
iofair_check()
{
	local desc=$1
	shift
	if "$@"; then
		ktap_test_pass "$desc"
	else
		ktap_test_fail "$desc"
	fi
}
