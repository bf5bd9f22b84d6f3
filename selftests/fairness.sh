#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The fairness controller on mixed targets: two host-bound VFs of the
# emulated 82576 with software enforcement and two vhost-net taps driven by
# virtio-net-guest, every one offering more than its share of one uplink.
#
#   root "uplink" 4 Mbit/s
#    +-- A: VF 0 (netns vmA) --\
#    +-- B: VF 1 (netns vmB) ---+--> VF 2 (netns sink) through the NIC
#    +-- C: tap0 <- virtio-net-guest (tx, 3 Mbit/s offered)
#    +-- D: tap1 <- virtio-net-guest (tx, 3 Mbit/s offered)
#
# Shares are measured from iofair's own counters (L2 bytes over a few
# seconds).  Bounds are generous (TCG emulation is noisy); the exact figures
# are the benchmark's (selftests/bench).  Needs the VM's PF with 3+ VFs.
source "$(dirname "$0")/lib.sh"

iofair_require_root
iofair_require_module
iofair_require_pf
if ! modprobe vhost_net 2>/dev/null || ! command -v virtio-net-guest >/dev/null; then
	ktap_skip_all "no vhost-net or no virtio-net-guest"
	exit "$KSFT_SKIP"
fi

pf=$IOFAIR_PF
dev=/sys/class/net/$pf/device
WINDOW=${IOFAIR_FAIR_WINDOW:-3}
pids=()

cleanup()
{
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	iofair_unload 2>/dev/null
	cleanup_all_ns
	ip link del tap0 2>/dev/null
	ip link del tap1 2>/dev/null
	echo 0 > "$dev/sriov_numvfs" 2>/dev/null
}
trap cleanup EXIT

ktap_print_header
ktap_set_plan 7

iofair_unload
iofair_load || ktap_exit_fail_msg "cannot load iofair"
modprobe igbvf
echo 0 > "$dev/sriov_numvfs"
echo 3 > "$dev/sriov_numvfs" || ktap_exit_fail_msg "cannot create 3 VFs"
for _ in $(seq 100); do [ -e "$dev/virtfn2/net" ] && break; sleep 0.1; done
setup_ns vmA vmB sink || ktap_exit_fail_msg "cannot create namespaces"

vf_into() {	# VF index, namespace, address
	local vf
	vf=$(ls "$dev/virtfn$1/net")
	ip link set "$vf" netns "$2" && ip -n "$2" addr add "$3/24" dev "$vf" &&
	ip -n "$2" link set "$vf" up
}
vf_into 0 "$vmA" 192.0.2.1 && vf_into 1 "$vmB" 192.0.2.2 && vf_into 2 "$sink" 192.0.2.9 ||
	ktap_exit_fail_msg "cannot move the VFs into namespaces"
for ns in "$vmA" "$vmB"; do
	for _ in $(seq 40); do
		ip netns exec "$ns" ping -q -c1 -W1 192.0.2.9 >/dev/null 2>&1 && break
		sleep 0.3
	done
done
for i in 0 1; do
	ip tuntap add "tap$i" mode tap && ip addr add "10.0.$i.1/24" dev "tap$i" &&
	ip link set "tap$i" up || ktap_exit_fail_msg "cannot create tap$i"
done

iofairctl node add uplink capacity 4mbit >/dev/null &&
for n in A B C D; do iofairctl node add "$n" parent uplink >/dev/null || exit 1; done &&
iofairctl target add vf "$pf" 0 node A enforce sw >/dev/null &&
iofairctl target add vf "$pf" 1 node B enforce sw >/dev/null &&
iofairctl target add vhost tap0 node C >/dev/null &&
iofairctl target add vhost tap1 node D >/dev/null ||
	ktap_exit_fail_msg "cannot build the policy tree"

ip netns exec "$sink" iperf3 -s -p 5201 -D
ip netns exec "$sink" iperf3 -s -p 5202 -D
sleep 0.5
ip netns exec "$vmA" iperf3 -c 192.0.2.9 -p 5201 -u -b 3M -l 1400 -t 600 >/dev/null 2>&1 &
pids+=($!)
ip netns exec "$vmB" iperf3 -c 192.0.2.9 -p 5202 -u -b 3M -l 1400 -t 600 >/dev/null 2>&1 &
pids+=($!)
virtio-net-guest --tap tap0 --mode tx --ip 10.0.0.2 --peer 10.0.0.1 --rate 3mbit --size 1400 \
	>/dev/null 2>&1 &
pids+=($!)
virtio-net-guest --tap tap1 --mode tx --ip 10.0.1.2 --peer 10.0.1.1 --rate 3mbit --size 1400 \
	>/dev/null 2>&1 &
guest_d=$!
pids+=($guest_d)

# The senders take a few seconds to start under emulation.
sleep 3

# Achieved tx rate of each target (id -> bit/s) over WINDOW seconds, from
# two snapshots of iofair's counters.
declare -A rate
measure()
{
	local a b
	sleep 1	# let the controller settle on the new situation
	a=$(iofairctl -j stats) || return 1
	sleep "$WINDOW"
	b=$(iofairctl -j stats) || return 1
	while read -r id r; do rate[$id]=$r; done < <(jq -rn --argjson a "$a" --argjson b "$b" '
		($b.time_ns - $a.time_ns) as $dt |
		$b.targets[] as $t |
		($a.targets[] | select(.id == $t.id)) as $s |
		"\($t.id) \((($t.tx.bytes - $s.tx.bytes) * 8 * 1e9 / $dt) | floor)"')
	ktap_print_msg "rates: A $((rate[1] / 1000)) B $((rate[2] / 1000)) C $((rate[3] / 1000)) D $((rate[4] / 1000)) kbit/s"
}

# within RATE IDEAL PCT: |RATE - IDEAL| <= PCT% of IDEAL
within() { local d=$(($1 - $2)); [ "${d#-}" -le $(($2 * $3 / 100)) ]; }

# Shares are checked against each other and against what the targets got in
# all, not against the capacity alone: on a loaded machine the emulated
# senders may fall short of it, and then they all do.
equal_shares()
{
	local id ok=0 sum=0
	measure || return 1
	for id in 1 2 3 4; do sum=$((sum + rate[$id])); done
	for id in 1 2 3 4; do within "${rate[$id]}" $((sum / 4)) 25 || ok=1; done
	# Most of the capacity is used (senders offer 3x their share).
	[ "$sum" -ge 2800000 ] || ok=1
	return $ok
}
iofair_check "4 equal-weight targets (2 VFs, 2 vhost) get equal shares of 4 Mbit/s" equal_shares

# The kernel's index is over one controller interval, where one stalled
# emulated sender weighs a lot: the median of 7 readings, 0.3 s apart.
jain_ok()
{
	local j=() i med
	for i in 1 2 3 4 5 6 7; do
		j+=("$(iofairctl -j stats | jq '.nodes[] | select(.name == "uplink") | .jain_ppm // 0')")
		sleep 0.3
	done
	med=$(printf '%s\n' "${j[@]}" | sort -n | sed -n 4p)
	ktap_print_msg "uplink Jain index (kernel, over its backlogged children): ${j[*]} ppm, median $med"
	[ "$med" -ge 900000 ]
}
iofair_check "the kernel's Jain index for the uplink is >= 0.90" jain_ok

ordered()
{
	iofairctl node set B weight 2 >/dev/null && iofairctl node set C weight 4 >/dev/null ||
		return 1
	measure || return 1
	# ideal 1:2:4:1 of 4 Mbit/s: A 0.5, B 1, C 2, D 0.5
	[ "${rate[2]}" -gt $((rate[1] * 14 / 10)) ] && [ "${rate[3]}" -gt $((rate[2] * 14 / 10)) ] &&
	[ "${rate[3]}" -gt $((rate[4] * 28 / 10)) ]
}
iofair_check "weights 1:2:4 give ordered shares" ordered

idle_release()
{
	local alloc
	kill "$guest_d" && wait "$guest_d" 2>/dev/null
	measure || return 1
	# D idle: the controller gives its share to A, B and C (their
	# allocations add up to the capacity again), still 1:2:4.
	alloc=$(iofairctl -j stats | jq '[.targets[] | select(.id != 4) | .allocated // 0] | add')
	ktap_print_msg "allocated to A, B and C: $((alloc / 1000)) kbit/s"
	[ "${rate[4]}" -lt 200000 ] && [ "$alloc" -ge 3800000 ] &&
	[ "${rate[3]}" -gt $((rate[2] * 14 / 10)) ]
}
iofair_check "a target going idle releases its share to the others" idle_release

live_weight()
{
	local before=${rate[1]}
	iofairctl node set A weight 8 >/dev/null || return 1
	measure || return 1
	[ "${rate[1]}" -gt $((before * 2)) ]
}
iofair_check "a live weight change moves the shares" live_weight

multi_network()
{
	# One tenant owning a VF and a vhost NIC gets one share: A holds VF 0
	# and tap0; with equal weights A and B get the same.
	iofairctl node set A weight 1 >/dev/null && iofairctl node set B weight 1 >/dev/null &&
	iofairctl target set 3 node A >/dev/null || return 1
	measure || return 1
	within $((rate[1] + rate[3])) "${rate[2]}" 35
}
iofair_check "a tenant with a VF and a vhost NIC is held to one share" multi_network

ctl_off()
{
	iofairctl controller set off >/dev/null || return 1
	measure || return 1
	# No shares: together they now send more than the capacity.
	[ $((rate[1] + rate[2] + rate[3])) -gt 4800000 ] &&
	[ "$(iofairctl -j stats | jq '[.targets[] | select(.allocated != null)] | length')" = 0 ]
}
iofair_check "with the controller off the shares are gone" ctl_off

ktap_finished
