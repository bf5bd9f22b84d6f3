#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# iofairctl [-j] dev: the SR-IOV PF and its VFs as PCI, sysfs and rtnetlink
# show them, checked against sysfs and iproute2.  Needs no module.
#
#   +------------ PF $IOFAIR_PF (igb, 7 VFs possible, link up 1000 Mb/s) ------------+
#   |  vf 1: max_tx_rate 100, trust on (set through the PF driver)                  |
#   +---- VF 0 ---------------- VF 1 ---------------- VF 2 -------------------------+
#         |                     |                     |
#     netdev in the         netdev in the         netdev moved into ns A: sysfs here
#     initial netns         initial netns         no longer shows it; root finds it
#                                                 by name, an unprivileged user sees
#                                                 "other"
#
# Needs the VM (selftests/vm/run sets IOFAIR_PF); skips elsewhere.
source "$(dirname "$0")/lib.sh"

iofair_require_root
iofair_require_pf
for tool in jq setpriv unshare; do
	if ! command -v "$tool" >/dev/null; then
		ktap_skip_all "$tool not installed"
		exit "$KSFT_SKIP"
	fi
done

pf=$IOFAIR_PF
dev=/sys/class/net/$pf/device
pf_bdf=$(basename "$(readlink -f "$dev")")
NVFS=3

ktap_print_header
ktap_set_plan 19

cleanup()
{
	cleanup_all_ns
	echo 0 > "$dev/sriov_numvfs" 2>/dev/null
}
trap cleanup EXIT

modprobe igbvf || ktap_exit_fail_msg "cannot load igbvf"
echo 0 > "$dev/sriov_numvfs"
echo "$NVFS" > "$dev/sriov_numvfs" || ktap_exit_fail_msg "cannot create $NVFS VFs"
vf_bdf() { basename "$(readlink -f "$dev/virtfn$1")"; }
vf_netdev() { ls "/sys/bus/pci/devices/$(vf_bdf "$1")/net" 2>/dev/null | head -n1; }
for _ in $(seq 200); do
	[ -n "$(vf_netdev 0)" ] && [ -n "$(vf_netdev 1)" ] && [ -n "$(vf_netdev 2)" ] && break
	sleep 0.1
done
vf0=$(vf_netdev 0); vf1=$(vf_netdev 1); vf2=$(vf_netdev 2)
if [ -z "$vf0" ] || [ -z "$vf1" ] || [ -z "$vf2" ]; then
	ktap_exit_fail_msg "VF netdevs did not appear"
fi

setup_ns NS_A || ktap_exit_fail_msg "cannot create a namespace"
ip link set "$vf2" netns "$NS_A" || ktap_exit_fail_msg "cannot move $vf2 into $NS_A"
ip link set "$pf" vf 1 max_tx_rate 100 || ktap_exit_fail_msg "cannot set VF 1 max_tx_rate"
ip link set "$pf" vf 1 trust on || ktap_exit_fail_msg "cannot set VF 1 trust"

json=$(iofairctl -j dev)
rc=$?
ktap_print_msg "iofairctl -j dev: $(jq -c '.[0] | del(.vfs)' <<<"$json" 2>/dev/null)"
ok() { [ "$rc" = 0 ] && jq -e 'type == "array" and length >= 1' <<<"$json" >/dev/null; }
iofair_check "iofairctl -j dev succeeds with a JSON array of PFs" ok

# jq -e over the PF's object; "$@" are jq arguments before the filter.
pfq() { jq -e --arg bdf "$pf_bdf" "$@" <<<"$json" >/dev/null; }
sel='.[] | select(.bdf == $bdf)'

iofair_check "the PF $pf_bdf is listed with netdev $pf, driver igb" \
	pfq --arg pf "$pf" "$sel | .netdev == \$pf and .driver == \"igb\""
iofair_check "totalvfs 7, numvfs $NVFS" pfq "$sel | .totalvfs == 7 and .numvfs == $NVFS"
iofair_check "link speed 1000 Mbit/s, operstate up, ifindex from sysfs" \
	pfq --argjson idx "$(cat "/sys/class/net/$pf/ifindex")" \
	"$sel | .speed_mbit == 1000 and .operstate == \"up\" and .ifindex == \$idx"
iofair_check "vendor and device named from pci.ids" \
	pfq "$sel | .vendor_id == \"8086\" and .device_id == \"10c9\" and
	     .vendor == \"Intel Corporation\" and (.device | test(\"82576\"))"

vfs_ok()
{
	local i
	pfq "$sel | .vfs | length == $NVFS" || return 1
	for i in $(seq 0 $((NVFS - 1))); do
		pfq --arg vbdf "$(vf_bdf "$i")" \
			"$sel | .vfs[$i] | .vf == $i and .bdf == \$vbdf and .driver == \"igbvf\"" ||
			return 1
	done
}
iofair_check "$NVFS VFs with the BDFs of virtfn0..$((NVFS - 1)), driver igbvf" vfs_ok

iofair_check "VF 1: max_tx_rate 100 Mbit/s, trust on" \
	pfq "$sel | .vfs[1] | .max_tx_rate_mbit == 100 and .min_tx_rate_mbit == 0 and .trust == true"
iofair_check "VF 0: no rate, trust off, spoofchk on (settings are per VF)" \
	pfq "$sel | .vfs[0] | .max_tx_rate_mbit == 0 and .trust == false and .spoofchk == true"

# The PF driver's view must be iproute2's.
macs_ok()
{
	local want got
	want=$(ip -j link show "$pf" | jq -c '[.[0].vfinfo_list[] | .address]')
	got=$(jq -c --arg bdf "$pf_bdf" "[$sel | .vfs[] | .mac]" <<<"$json")
	ktap_print_msg "VF MACs: ip $want, iofairctl $got"
	[ -n "$want" ] && [ "$want" = "$got" ]
}
iofair_check "VF MACs match ip link's vfinfo_list" macs_ok

iofair_check "VFs 0 and 1 are in the host netns, netdevs $vf0 and $vf1 with their ifindex" \
	pfq --arg n0 "$vf0" --arg n1 "$vf1" \
	--argjson i0 "$(cat "/sys/class/net/$vf0/ifindex")" \
	--argjson i1 "$(cat "/sys/class/net/$vf1/ifindex")" \
	"$sel | (.vfs[0] | .netns == \"host\" and .netdev == \$n0 and .ifindex == \$i0) and
	        (.vfs[1] | .netns == \"host\" and .netdev == \$n1 and .ifindex == \$i1)"
iofair_check "VF 2 is reported in netns $NS_A as $vf2 (found by its parent device)" \
	pfq --arg ns "$NS_A" --arg n2 "$vf2" \
	--argjson i2 "$(ip netns exec "$NS_A" cat "/sys/class/net/$vf2/ifindex")" \
	"$sel | .vfs[2] | .netns == \$ns and .netdev == \$n2 and .ifindex == \$i2"

# Unprivileged: sysfs and RTM_GETLINK still work, entering other netns does not.
user_json=$(setpriv --reuid=65534 --regid=65534 --clear-groups iofairctl -j dev)
user_ok()
{
	jq -e --arg bdf "$pf_bdf" "$sel | (.vfs[2] | .netns == \"other\" and .netdev == null and
		.ifindex == null) and (.vfs[1] | .netns == \"host\" and .max_tx_rate_mbit == 100)" \
		<<<"$user_json" >/dev/null
}
iofair_check "unprivileged: VF 2 is in another netns, name unknown; VF config still read" user_ok

show_ok()
{
	local a b c short=${pf_bdf#0000:}
	a=$(iofairctl -j dev show "$pf" | jq -c .) && b=$(iofairctl -j dev show "$short" | jq -c .) &&
		c=$(jq -c --arg bdf "$pf_bdf" "[$sel]" <<<"$json") &&
		[ "$(jq length <<<"$a")" = 1 ] && [ "$a" = "$b" ] && [ "$a" = "$c" ]
}
iofair_check "dev show $pf and dev show ${pf_bdf#0000:} give that PF alone" show_ok

human=$(iofairctl dev show "$pf")
ktap_print_msg "iofairctl dev show $pf:"
sed "s/^/# /" <<<"$human"
human_ok()
{
	local head row1
	grep -q "^$pf_bdf  Intel Corporation 82576.* \[8086:10c9\]$" <<<"$human" &&
	grep -Eq "^  DRIVER +NETDEV +IFINDEX +SPEED +STATE +VFS$" <<<"$human" &&
	grep -Eq "^  igb +$pf +[0-9]+ +1000 Mbit/s +up +$NVFS of 7$" <<<"$human" &&
	head=$(grep -E "^  VF +BDF +DRIVER +NETDEV +NETNS +MAC +VLAN +MAX_TX +MIN_TX +SPOOFCHK +TRUST +LINK$" <<<"$human") &&
	row1=$(grep -E "^  1 +$(vf_bdf 1) +igbvf +$vf1 +host +([0-9a-f]{2}:){5}[0-9a-f]{2} +- +100 Mbit/s +- +on +on +auto$" <<<"$human") &&
	grep -Eq "^  2 +$(vf_bdf 2) +igbvf +$vf2 +$NS_A " <<<"$human" &&
	# aligned: a column starts at the same place in the header and the rows
	[ "$(awk -v s="$head" 'BEGIN { print index(s, "MAX_TX") }')" = \
	  "$(awk -v s="$row1" 'BEGIN { print index(s, "100 Mbit/s") }')" ]
}
iofair_check "human output: PF and VF tables, aligned, with units" human_ok

errors_ok()
{
	local out rc1 rc2 rc3
	out=$(iofairctl dev show nosuchdev 2>&1); rc1=$?
	grep -q "no netdev or PCI device 'nosuchdev'" <<<"$out" || return 1
	out=$(iofairctl dev show "$(vf_bdf 0)" 2>&1); rc2=$?
	grep -q "is a VF of PF $pf_bdf" <<<"$out" || return 1
	iofairctl dev bogus 2>/dev/null; rc3=$?
	ktap_print_msg "exit status: unknown PF $rc1, a VF $rc2, unknown command $rc3"
	[ "$rc1" = 1 ] && [ "$rc2" = 1 ] && [ "$rc3" = 2 ] &&
		! iofairctl dev show lo 2>/dev/null && ! iofairctl dev show a b 2>/dev/null &&
		iofairctl dev help | grep -q '^Usage: iofairctl'
}
iofair_check "errors: unknown PF, a VF, bad arguments; dev help" errors_ok

unbound_ok()
{
	local b j
	b=$(vf_bdf 0)
	echo "$b" > /sys/bus/pci/drivers/igbvf/unbind || return 1
	j=$(iofairctl -j dev show "$pf") || return 1
	jq -e '.[0].vfs[0] | .driver == null and .netdev == null and .netns == null and
		.max_tx_rate_mbit == 0' <<<"$j" >/dev/null &&
	iofairctl dev show "$pf" | grep -Eq "^  0 +$b +- +none +- "
}
iofair_check "an unbound VF: no driver, no netdev, no netns; PF config still read" unbound_ok

numvfs0_ok()
{
	echo 0 > "$dev/sriov_numvfs" || return 1
	iofairctl -j dev show "$pf" | jq -e '.[0] | .numvfs == 0 and .vfs == []' >/dev/null &&
		iofairctl dev show "$pf" | grep -q "no VFs enabled"
}
iofair_check "no VFs enabled: numvfs 0, empty vfs, said so" numvfs0_ok

# Without any SR-IOV device (PCI devices hidden in a private mount namespace).
none_ok()
{
	local h j
	h=$(unshare -m sh -c 'mount -t tmpfs none /sys/bus/pci/devices && iofairctl dev') &&
	j=$(unshare -m sh -c 'mount -t tmpfs none /sys/bus/pci/devices && iofairctl -j dev') &&
	[ "$h" = "no SR-IOV devices found" ] && [ "$j" = "[]" ]
}
iofair_check "no SR-IOV devices: said so, [] with -j, exit 0" none_ok

# The dev object must not need the module (an earlier test may have left
# it loaded).
iofair_unload
iofair_check "works without the iofair module loaded" \
	sh -c '! lsmod | grep -q "^iofair " && iofairctl dev >/dev/null'

ktap_finished
