#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SR-IOV on the test VM's emulated 82576 (igb PF, igbvf VFs): VFs come and
# go with sriov_numvfs, move into network namespaces, and carry traffic
# through the NIC's internal switch.
#
#   +------------------ PF $IOFAIR_PF (igb, link up) ------------------+
#   |                 emulated VEB switch inside the NIC               |
#   +---------- VF 0 ---------------------------- VF 1 ---------------+
#               |                                  |
#        ns A: vf0 192.0.2.1/24  <-- ping, iperf3 -->  ns B: vf1 192.0.2.2/24
#
# Needs the VM (selftests/vm/run sets IOFAIR_PF); skips elsewhere.
source "$(dirname "$0")/lib.sh"

iofair_require_root
iofair_require_pf

pf=$IOFAIR_PF
dev=/sys/class/net/$pf/device
total=$(cat "$dev/sriov_totalvfs")

ktap_print_header
ktap_set_plan $((total + 6))

cleanup()
{
	cleanup_all_ns
	echo 0 > "$dev/sriov_numvfs" 2>/dev/null
}
trap cleanup EXIT

modprobe igbvf

# Netdev of VF $1, once it has one.
vf_netdev()
{
	ls "$dev/virtfn$1/net" 2>/dev/null | head -n1
}

igbvf_count()
{
	local n=0 d
	for d in /sys/class/net/*; do
		[ "$(basename "$(readlink -f "$d/device/driver" 2>/dev/null)")" = igbvf ] && n=$((n + 1))
	done
	echo "$n"
}

set_numvfs()
{
	local want=$1 i
	echo 0 > "$dev/sriov_numvfs" || return 1
	[ "$want" = 0 ] && return 0
	echo "$want" > "$dev/sriov_numvfs" || return 1
	for i in $(seq 200); do
		[ "$(igbvf_count)" = "$want" ] && return 0
		sleep 0.1
	done
	ktap_print_msg "wanted $want igbvf netdevs, have $(igbvf_count)"
	return 1
}

for n in $(seq "$total"); do
	iofair_check "sriov_numvfs $n gives $n igbvf netdevs" set_numvfs "$n"
done

set_numvfs 2 || ktap_exit_fail_msg "cannot create 2 VFs"
vf0=$(vf_netdev 0)
vf1=$(vf_netdev 1)
setup_ns NS_A NS_B || ktap_exit_fail_msg "cannot create namespaces"

move_vfs()
{
	ip link set "$vf0" netns "$NS_A" && ip link set "$vf1" netns "$NS_B" &&
	ip -n "$NS_A" addr add 192.0.2.1/24 dev "$vf0" &&
	ip -n "$NS_B" addr add 192.0.2.2/24 dev "$vf1" &&
	ip -n "$NS_A" link set "$vf0" up && ip -n "$NS_B" link set "$vf1" up
}
iofair_check "VF netdevs move into namespaces" move_vfs

vf_ping() { ip netns exec "$NS_A" ping -q -c 3 -W 2 -i 0.2 192.0.2.2 >/dev/null; }
# The VF links come up a moment after the PF has programmed them.
ok=0
for _ in $(seq 30); do vf_ping && { ok=1; break; }; sleep 0.3; done
iofair_check "ping from VF 0 to VF 1 through the NIC" test $ok = 1

iperf_vf()
{
	local out bps
	ip netns exec "$NS_B" iperf3 -s -1 -D -p 5201 -I /tmp/iperf3-sriov.pid >/dev/null || return 1
	sleep 0.5
	out=$(ip netns exec "$NS_A" iperf3 -c 192.0.2.2 -p 5201 -t 3 -J) || return 1
	bps=$(jq '.end.sum_received.bits_per_second | floor' <<<"$out")
	ktap_print_msg "iperf3 TCP VF 0 -> VF 1: $((bps / 1000000)) Mbit/s"
	[ "$bps" -gt 0 ]
}
iofair_check "iperf3 TCP from VF 0 to VF 1" iperf_vf

move_back()
{
	ip -n "$NS_A" link set "$vf0" netns 1 && ip -n "$NS_B" link set "$vf1" netns 1 &&
	[ -e "/sys/class/net/$vf0" ] && [ -e "/sys/class/net/$vf1" ]
}
iofair_check "VF netdevs move back to the initial namespace" move_back

iofair_check "sriov_numvfs 0 removes every VF netdev" set_numvfs 0
gone() { [ "$(igbvf_count)" = 0 ] && [ "$(cat "$dev/sriov_numvfs")" = 0 ]; }
iofair_check "no VF left behind" gone

ktap_finished
