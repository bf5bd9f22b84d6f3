#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The VF watch: kprobes on the PF driver's VF callbacks see every change of a
# watched VF's configuration, iofair's own and others' (`ip link set PF vf N`),
# and report it as a vf-config event; ownership enforce puts iofair's rate
# back, ownership adopt takes the new rate as the target's policy.
#
#   init netns
#   +---------------------------------------------------------------------+
#   |  iofairctl [-j] monitor (events)          ip link set $PF vf N ...  |
#   |        ^                                          |                 |
#   |        | vf-config, policy-change                 v                 |
#   |  iofair.ko <-- kprobes on $PF's netdev_ops->ndo_set_vf_* (igb)      |
#   |                                                   |                 |
#   |  PF $IOFAIR_PF (igb): VF 0 (no target)   VF 1 (target, max 100mbit) |
#   +---------------------------------------------------------------------+
#
# Then: trust, spoofchk, vlan and mac changes are reported too; a second
# target on the PF shares the probes; deleting the last target, removing
# the PF (unbinding its driver) and rmmod each leave no kprobe behind.
#
# Needs the VM's emulated SR-IOV NIC (selftests/vm/run sets IOFAIR_PF; the
# test makes 2 VFs if there are none) and debugfs for the kprobe list;
# skips elsewhere.
source "$(dirname "$0")/lib.sh"

iofair_require_root
iofair_require_module
iofair_require_pf
command -v jq >/dev/null || { ktap_skip_all "jq not installed"; exit "$KSFT_SKIP"; }
kplist=/sys/kernel/debug/kprobes/list
[ -r "$kplist" ] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
if [ ! -r "$kplist" ]; then
	ktap_skip_all "no $kplist (debugfs, CONFIG_KPROBES)"
	exit "$KSFT_SKIP"
fi

pf=$IOFAIR_PF
bdf=$(basename "$(readlink -f "/sys/class/net/$pf/device")")
dev=/sys/bus/pci/devices/$bdf
drv=$(basename "$(readlink -f "$dev/driver")")

ktap_print_header
ktap_set_plan 28

tmp=$(mktemp -d)
made_vfs=0
cleanup()
{
	local p
	for p in $(jobs -p); do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	iofair_unload
	if [ "$made_vfs" = 1 ]; then
		echo 0 > "$dev/sriov_numvfs"
	else
		ip link set "$pf" vf 0 max_tx_rate 0 2>/dev/null
		ip link set "$pf" vf 1 max_tx_rate 0 trust off spoofchk on vlan 0 \
			mac 00:00:00:00:00:00 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

nkprobes() { grep -c . "$kplist"; }
# Wait up to 10 s for "$@" to succeed.
wait_for() { local _; for _ in $(seq 50); do "$@" && return 0; sleep 0.2; done; "$@"; }

if [ "$(cat "$dev/sriov_numvfs")" -lt 2 ]; then
	echo 0 > "$dev/sriov_numvfs" && echo 2 > "$dev/sriov_numvfs" ||
		ktap_exit_fail_msg "cannot create 2 VFs on $pf"
	made_vfs=1
	# Enabling SR-IOV resets the PF: rates are taken once the link is back.
	wait_for ip link set "$pf" vf 1 max_tx_rate 0 2>/dev/null
fi

# The max_tx_rate of VF $1 as the kernel reports it, Mbit/s.
vf_max() { ip -j link show dev "$pf" | jq -r --argjson vf "$1" '.[0].vfinfo_list[] | select(.vf == $vf) | .rate.max_tx'; }
# Events seen so far matching the jq filter $1 (one compact object a line).
events() { jq -c "select($1)" "$tmp/mon.json" 2>/dev/null; }
has_event() { [ -n "$(events "$1")" ]; }
nevents() { events "$1" | grep -c .; }

base0=$(nkprobes)
iofair_load || ktap_exit_fail_msg "cannot load iofair"
base=$(nkprobes)

id=$(iofairctl target add vf "$pf" 1 max 100mbit)
[[ $id =~ ^[1-9][0-9]*$ ]] || ktap_exit_fail_msg "target add vf $pf 1 failed: $id"
ktap_print_msg "target $id: VF 1 of $pf, max 100mbit, ownership $(iofairctl -j target show "$id" | jq -r '.[0].ownership')"

probes=$(($(nkprobes) - base))
ktap_print_msg "kprobes added for $pf:"
diff <(head -n "$base" "$kplist") "$kplist" | sed -n 's/^> /#   /p'
probes_ok()
{
	[ "$probes" -ge 1 ] && [ "$probes" -le 6 ] &&
	! diff <(head -n "$base" "$kplist") "$kplist" | sed -n 's/^> //p' | grep -qv vf
}
iofair_check "target add vf: $probes kprobes on the PF's VF callbacks" probes_ok

# --- the monitors --------------------------------------------------------------
iofairctl -j monitor -c 100 > "$tmp/mon.json" 2> "$tmp/mon.err" &
iofairctl monitor -c 100 > "$tmp/mon.txt" 2>&1 &
synced()
{
	iofairctl target set "$id" weight 1 &&
	sleep 0.3 && has_event '.type == "policy-change"' && grep -q policy-change "$tmp/mon.txt"
}
iofair_check "monitors subscribed" wait_for synced

# --- enforce: a change behind iofair's back is reported and undone -------------
ip link set "$pf" vf 1 max_tx_rate 300 || ktap_print_msg "ip link set vf 1 max_tx_rate 300 failed"
ev_300='.type == "vf-config" and .vf == 1 and .old.max_tx_rate_mbit == 100 and
	.new.max_tx_rate_mbit == 300 and .by_iofair == false'
iofair_check "vf-config event: max 100 -> 300, not by iofair" \
	wait_for has_event "$ev_300 and .target == $id and .ifname == \"$pf\""
ev_restore='.type == "vf-config" and .vf == 1 and .old.max_tx_rate_mbit == 300 and
	.new.max_tx_rate_mbit == 100 and .by_iofair == true'
iofair_check "enforce: vf-config event 300 -> 100 by iofair" wait_for has_event "$ev_restore"
back100() { [ "$(vf_max 1)" = 100 ]; }
iofair_check "enforce: ip link show has VF 1 back at 100 Mbit/s" wait_for back100
human_ok() { grep -Eq "vf-config target $id vf $pf vf 1 max_tx_rate 100Mbit->300Mbit by someone else" "$tmp/mon.txt"; }
iofair_check "monitor (text) shows the change and who made it" wait_for human_ok
times_ok()
{
	events '.type == "vf-config"' | jq -e -s 'length >= 2 and (map(.time_ns) | . == sort and all(. > 0))' >/dev/null
}
iofair_check "vf-config events carry increasing timestamps" times_ok

# --- adopt: the change becomes the policy ----------------------------------------
iofairctl target set "$id" ownership adopt ||
	ktap_print_msg "target set $id ownership adopt failed"
ip link set "$pf" vf 1 max_tx_rate 200
iofair_check "vf-config event: max 100 -> 200, not by iofair" \
	wait_for has_event '.type == "vf-config" and .vf == 1 and .old.max_tx_rate_mbit == 100 and
		.new.max_tx_rate_mbit == 200 and .by_iofair == false'
iofair_check "adopt: policy-change event with bw-max 200 Mbit/s" \
	wait_for has_event ".type == \"policy-change\" and .target == $id and .policy.bw_max == 200000000"
adopted() { [ "$(iofairctl -j target show "$id" | jq '.[0].bw_max')" = 200000000 ]; }
iofair_check "adopt: target show has bw-max 200 Mbit/s" adopted
sleep 1
stays200() { [ "$(vf_max 1)" = 200 ] && ! has_event '.type == "vf-config" and .old.max_tx_rate_mbit == 200'; }
iofair_check "adopt: VF 1 stays at 200 Mbit/s" stays200
npolicy=$(nevents '.type == "policy-change"')

# --- other fields, and a VF without a target -------------------------------------
ip link set "$pf" vf 0 max_tx_rate 50
ip link set "$pf" vf 0 trust on
ip link set "$pf" vf 1 trust on
iofair_check "vf-config event: trust off -> on" \
	wait_for has_event '.type == "vf-config" and .vf == 1 and .old.trust == false and
		.new.trust == true and .by_iofair == false and .new.max_tx_rate_mbit == 200'
iofair_check "VF 0 (no target): no event" test "$(nevents '.vf == 0')" = 0
ip link set "$pf" vf 1 spoofchk off
iofair_check "vf-config event: spoofchk on -> off" \
	wait_for has_event '.type == "vf-config" and .vf == 1 and .old.spoofchk == true and
		.new.spoofchk == false'
ip link set "$pf" vf 1 vlan 10
iofair_check "vf-config event: vlan 0 -> 10" \
	wait_for has_event '.type == "vf-config" and .vf == 1 and .old.vlan == 0 and .new.vlan == 10'
ip link set "$pf" vf 1 mac 02:00:00:00:01:01
iofair_check "vf-config event: mac -> 02:00:00:00:01:01" \
	wait_for has_event '.type == "vf-config" and .vf == 1 and .new.mac == "02:00:00:00:01:01"'
rate_kept() { [ "$(vf_max 1)" = 200 ] && [ "$(nevents '.type == "policy-change"')" = "$npolicy" ]; }
iofair_check "changes to other fields leave rate and policy alone" rate_kept

# --- iofair's own change ------------------------------------------------------------
iofairctl target set "$id" max 150mbit
iofair_check "target set max 150mbit: vf-config event 200 -> 150 by iofair" \
	wait_for has_event '.type == "vf-config" and .vf == 1 and .old.max_tx_rate_mbit == 200 and
		.new.max_tx_rate_mbit == 150 and .by_iofair == true'

# --- probes are shared, and come off with the last target -------------------------
id0=$(iofairctl target add vf "$pf" 0)
shared() { [ "$(($(nkprobes) - base))" = "$probes" ]; }
iofair_check "a second vf target on the PF shares the probes" shared
ip link set "$pf" vf 0 max_tx_rate 60
iofair_check "VF 0, now a target: its change is seen" \
	wait_for has_event ".type == \"vf-config\" and .vf == 0 and .target == $id0 and
		.new.max_tx_rate_mbit == 60 and .by_iofair == false"
iofairctl target del "$id0"
iofair_check "deleting one of them keeps the probes" shared
iofairctl target del "$id"
gone() { [ "$(nkprobes)" = "$base" ]; }
iofair_check "deleting the last vf target removes the probes" gone

# --- PF removal with a watched VF ---------------------------------------------------
id=$(iofairctl target add vf "$pf" 1 max 100mbit)
added() { [ "$(($(nkprobes) - base))" = "$probes" ]; }
iofair_check "target add again: probes back" added
echo "$bdf" > "/sys/bus/pci/drivers/$drv/unbind"
# The driver destroys the VFs, then its netdev: either deletes the target.
iofair_check "PF removal ($drv unbound): target-del (vf-gone or device-gone)" \
	wait_for has_event ".type == \"target-del\" and .target == $id and
		(.reason == \"vf-gone\" or .reason == \"device-gone\")"
iofair_check "PF removal removes the probes" gone
pf_back()
{
	local _
	echo "$bdf" > "/sys/bus/pci/drivers/$drv/bind" || return 1
	for _ in $(seq 100); do
		pf=$(ls "$dev/net" 2>/dev/null | head -n1)
		[ -n "$pf" ] && break
		sleep 0.1
	done
	[ -n "$pf" ] && ip link set "$pf" up || return 1
	for _ in $(seq 100); do
		[ "$(cat "/sys/class/net/$pf/operstate")" = up ] && break
		sleep 0.1
	done
	echo 2 > "$dev/sriov_numvfs" || return 1
	# Enabling SR-IOV resets the PF: rates are taken once the link is back.
	wait_for ip link set "$pf" vf 1 max_tx_rate 0 2>/dev/null
}
iofair_check "PF back ($drv bound again), 2 VFs" pf_back
made_vfs=1

# --- unload with a watched VF ---------------------------------------------------------
id=$(iofairctl target add vf "$pf" 1 max 100mbit)
iofair_check "target add on the new PF: probes back" added
for p in $(jobs -p); do kill "$p" 2>/dev/null; done
wait 2>/dev/null
unloaded() { iofair_unload && ! lsmod | grep -q '^iofair ' && [ "$(nkprobes)" = "$base0" ]; }
iofair_check "rmmod with a vf target leaves no kprobe" unloaded
[ -s "$tmp/mon.err" ] && ktap_print_msg "monitor stderr: $(cat "$tmp/mon.err")"
ktap_print_msg "events seen: $(grep -c . "$tmp/mon.json"); as iofairctl monitor shows them:"
sed 's/^/#   /' "$tmp/mon.txt"

ktap_finished
