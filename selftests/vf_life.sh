#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A vf target lives as long as its (PF, VF index), not as long as one VF
# device: the VF may be destroyed and created again (sriov_numvfs), its
# netdev may move between namespaces, all with traffic running, and the
# target's policy follows.  Then rmmod with VF targets under traffic.
#
#   +------------------ PF $IOFAIR_PF (igb, link up) ------------------+
#   +---------- VF 0 ---------------------------- VF 1 ---------------+
#               |                                  |  target vf PF 1,
#        ns C: vf0 192.0.2.1  -- UDP, ping -->   ns D: vf1 192.0.2.2
#                                                   node tenant, both, max 40M
#
#   dev target on a VF's netdev hooked by a vf target (and the other way
#   round) -> refused, naming the target that has it
#   numvfs 0 under traffic -> event vf-gone, target stays (vf_present 0)
#   numvfs 2               -> event vf-back, max_tx_rate pushed again
#   set while gone         -> pushed when back
#   rmmod under traffic    -> VF rate put back, VFs go at once
source "$(dirname "$0")/lib.sh"

iofair_require_root
iofair_require_module
iofair_require_pf

pf=$IOFAIR_PF
dev=/sys/class/net/$pf/device
tmp=$(mktemp -d)
pids=()

cleanup()
{
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	cleanup_all_ns
	echo 0 > "$dev/sriov_numvfs" 2>/dev/null
	rm -rf "$tmp"
	iofair_unload
}
trap cleanup EXIT

ktap_print_header
ktap_set_plan 16

modprobe igbvf
iofair_unload
iofair_load || ktap_exit_fail_msg "cannot load iofair"
setup_ns C D || ktap_exit_fail_msg "cannot create namespaces"
ip netns exec "$D" iperf3 -s -D -p 5201

# VF $1's netdev, once igbvf has made it (its name is the kernel's choice).
vf_netdev()
{
	local i
	for i in $(seq 100); do
		ls "$dev/virtfn$1/net" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# sriov_numvfs $1, the VFs' netdevs into C and D with addresses.
make_vfs()
{
	local vf0 vf1 i
	echo "$1" > "$dev/sriov_numvfs" || return 1
	vf0=$(vf_netdev 0) && vf1=$(vf_netdev 1) || return 1
	ip link set "$vf0" netns "$C" && ip link set "$vf1" netns "$D" &&
	ip -n "$C" addr add 192.0.2.1/24 dev "$vf0" &&
	ip -n "$D" addr add 192.0.2.2/24 dev "$vf1" &&
	ip -n "$C" link set "$vf0" up && ip -n "$D" link set "$vf1" up || return 1
	for i in $(seq 100); do
		ip netns exec "$C" ping -c 1 -W 1 192.0.2.2 >/dev/null 2>&1 && return 0
	done
	return 1
}

# igb takes a VF rate only while the PF's link is up.
ip link set "$pf" up
for _ in $(seq 100); do
	[ "$(cat "/sys/class/net/$pf/carrier" 2>/dev/null)" = 1 ] && break
	sleep 0.1
done
echo 0 > "$dev/sriov_numvfs"
make_vfs 2 || ktap_exit_fail_msg "cannot set up 2 VFs in namespaces"

# The PF driver's max_tx_rate of VF $1, in Mbit/s.
hw_max() { ip -j link show "$pf" | jq ".[0].vfinfo_list[$1].rate.max_tx"; }
# Field $2 of target $1 (iofairctl -j target show).
tfield() { iofairctl -j target show | jq -r --argjson id "$1" ".[] | select(.id == \$id) | .$2"; }
# Field $2 of target $1's statistics.
sfield() { iofairctl -j stats | jq -r --argjson id "$1" ".targets[] | select(.id == \$id) | .$2"; }

# One event from the monitor started by mon_start, matched by jq filter $1.
mon_start()
{
	timeout 30 iofairctl -j monitor -c 1 > "$tmp/ev" 2>&1 &
	mon_pid=$!
	sleep 1	# subscribed
}
mon_check()
{
	wait "$mon_pid"
	ktap_print_msg "event: $(cat "$tmp/ev")"
	jq -e "$1" "$tmp/ev" >/dev/null
}

# A UDP flow from C to D for $1 seconds, in the background.
traffic()
{
	ip netns exec "$C" iperf3 -c 192.0.2.2 -u -b 60M -l 1400 -t "$1" >/dev/null 2>&1 &
	pids+=($!)
}

# The controller off: the PF driver gets the policy's max, not a share.
iofairctl controller set off >/dev/null || ktap_exit_fail_msg "controller set off"
iofairctl node add root capacity 100mbit >/dev/null &&
	iofairctl node add tenant parent root >/dev/null || ktap_exit_fail_msg "node add"
t=$(iofairctl target add vf "$pf" 1 node tenant enforce both max 40mbit)
[[ $t =~ ^[1-9][0-9]*$ ]] || ktap_exit_fail_msg "target add vf $pf 1: $t"

# --- the policy on a live VF -----------------------------------------------
policy_pushed() { local m; m=$(hw_max 1); ktap_print_msg "vf 1 max_tx_rate $m"; [ "$m" = 40 ]; }
iofair_check "vf target $t: the PF driver has VF 1's max_tx_rate 40" policy_pushed

counted()	# target $1's tx packets grow with a ping through VF 1
{
	local before after
	[ "$(sfield "$1" source)" = hook ] || return 1
	before=$(sfield "$1" tx.packets)
	ip netns exec "$D" ping -c 3 -i 0.2 -W 1 192.0.2.1 >/dev/null || return 1
	after=$(sfield "$1" tx.packets)
	ktap_print_msg "tx packets $before -> $after"
	[ "$after" -ge $((before + 3)) ]
}
iofair_check "its packets are counted by the hooks on the VF's netdev" counted "$t"

# --- one target per netdev, across kinds and namespaces ----------------------
# The VF netdev in namespace $1 (its only Ethernet device).
ns_vf() { ip -n "$1" -j link show | jq -r '.[] | select(.link_type == "ether") | .ifname'; }

# The VF's netdev carries the vf target's hooks: a dev target on it, from
# the namespace it is in, would charge and hold its packets a second time.
dev_on_hooked_vf()
{
	local out
	out=$(ip netns exec "$D" iofairctl target add dev "$(ns_vf "$D")" 2>&1) && return 1
	ktap_print_msg "$out"
	grep -q "is target $t in another netns already (VF 1 of $pf)" <<<"$out"
}
iofair_check "target add dev on VF 1's netdev (in $D): refused, target $t named" dev_on_hooked_vf

# The other order: VF 0's netdev is a dev target in C first.
vf_on_dev_target()
{
	local d out rc=1
	d=$(ip netns exec "$C" iofairctl target add dev "$(ns_vf "$C")") || return 1
	if out=$(iofairctl target add vf "$pf" 0 2>&1); then
		iofairctl target del "$out" >/dev/null
	else
		ktap_print_msg "$out"
		grep -q "is target $d in another netns already" <<<"$out" && rc=0
	fi
	ip netns exec "$C" iofairctl target del "$d" >/dev/null || rc=1
	return $rc
}
iofair_check "target add vf $pf 0 while its netdev is a dev target in $C: refused, that target named" \
	vf_on_dev_target

# --- the VF's netdev out of its namespace and back ---------------------------
move_round()
{
	local vf1
	vf1=$(ns_vf "$D") &&
	ip -n "$D" link set "$vf1" netns 1 && sleep 0.5 &&
	[ "$(sfield "$t" source)" = hook ] &&
	ip link set "$vf1" netns "$D" &&
	ip -n "$D" addr add 192.0.2.2/24 dev "$vf1" && ip -n "$D" link set "$vf1" up &&
	for _ in $(seq 50); do
		ip netns exec "$C" ping -c 1 -W 1 192.0.2.2 >/dev/null 2>&1 && break
	done
}
iofair_check "VF 1's netdev out of its namespace and back: still hooked" move_round
iofair_check "... and counted" counted "$t"

# --- sriov_numvfs 0 with traffic running -------------------------------------
traffic 30
sleep 2
mon_start
echo 0 > "$dev/sriov_numvfs"
iofair_check "sriov_numvfs 0 under traffic: event vf-gone for target $t" \
	mon_check ".type == \"vf-gone\" and .target == $t"

parked()
{
	local present src node
	present=$(tfield "$t" vf_present) src=$(sfield "$t" source) node=$(tfield "$t" node_name)
	ktap_print_msg "vf_present $present, source $src, node $node"
	[ "$present" = false ] && [ "$src" = none ] && [ "$node" = tenant ] &&
	[ "$(tfield "$t" bw_max)" = 40000000 ] &&
	iofairctl target show | grep -E "^ *$t .* gone " >/dev/null
}
iofair_check "target $t stays: VF gone, no data, node and policy kept" parked

set_gone() { iofairctl target set "$t" max 30mbit >/dev/null && [ "$(tfield "$t" bw_max)" = 30000000 ]; }
iofair_check "target set while the VF is gone: accepted" set_gone

# --- the VFs back --------------------------------------------------------------
mon_start
make_vfs 2 || ktap_print_msg "cannot set up the VFs again"
iofair_check "sriov_numvfs 2: event vf-back for target $t" \
	mon_check ".type == \"vf-back\" and .target == $t"
back()
{
	local m present
	m=$(hw_max 1) present=$(tfield "$t" vf_present)
	ktap_print_msg "vf_present $present, vf 1 max_tx_rate $m"
	[ "$present" = true ] && [ "$m" = 30 ] && [ "$(tfield "$t" id)" = "$t" ]
}
iofair_check "the same target is bound again, the rate set while gone is pushed" back
iofair_check "the new VF's netdev is hooked and counted" counted "$t"

# --- rmmod with VF targets and traffic ----------------------------------------
# VF 0 has a rate of its own (70) before iofair holds it to 20; VF 1 had
# none since it came back.  Both are put back.
ip link set "$pf" vf 0 max_tx_rate 70 || ktap_print_msg "cannot give VF 0 a rate of its own"
t0=$(iofairctl target add vf "$pf" 0 enforce both max 20mbit)
[[ $t0 =~ ^[1-9][0-9]*$ ]] || ktap_print_msg "target add vf $pf 0: $t0"
held() { local m; m=$(hw_max 0); ktap_print_msg "vf 0 max_tx_rate $m"; [ "$m" = 20 ]; }
iofair_check "vf target $t0: VF 0's own rate 70 replaced by the policy's 20" held
traffic 30
sleep 2
iofair_check "rmmod iofair with two VF targets under traffic" iofair_unload
restored()
{
	local m0 m1
	m0=$(hw_max 0) m1=$(hw_max 1)
	ktap_print_msg "vf 0 max_tx_rate $m0, vf 1 max_tx_rate $m1"
	[ "$m0" = 70 ] && [ "$m1" = 0 ]
}
iofair_check "the VFs' own rates (70, none) are back in the PF driver" restored
prompt_numvfs()
{
	local s=$SECONDS
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	pids=()
	echo 0 > "$dev/sriov_numvfs" || return 1
	ktap_print_msg "sriov_numvfs 0 took $((SECONDS - s)) s"
	[ $((SECONDS - s)) -le 5 ] && [ -z "$(ls -d "$dev"/virtfn* 2>/dev/null)" ]
}
iofair_check "then the VFs go at once (no reference left)" prompt_numvfs

ktap_finished
