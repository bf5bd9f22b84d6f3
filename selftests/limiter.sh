#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The software limiter on each path, in both directions, with UDP and TCP;
# the conformance alarm of a VF limited only in (emulated) hardware; unload
# with packets held.
#
#   ns A: va 10.9.0.1 ==veth== vb 10.9.0.2 :ns B       dev target on va
#   host: tap0 10.0.0.1 <-> virtio-net-guest 10.0.0.2   vhost target on tap0
#         tap1 10.0.1.1 <-> virtio-net-guest 10.0.1.2   (rx test: routed to tap0)
#         tap0 10.0.0.1 <-> virtio-net-guest relay <-> relay0 10.0.0.2 :ns G (TCP)
#   ns C: VF 0 192.0.2.1 --NIC switch-- VF 1 192.0.2.2 :ns D   vf target
#
# Rates are L2 (frames with their Ethernet header), measured where the
# traffic arrives: iperf3's receiver (converted with the frame size), an nft
# counter behind iofair's hook, or the guest's own count.  Bounds are
# generous (TCG); the benchmark (selftests/bench) reports exact figures.
source "$(dirname "$0")/lib.sh"

iofair_require_root
iofair_require_module

LIMIT=20000000	# bit/s
T=${IOFAIR_LIMIT_SECONDS:-4}
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
	nft delete table netdev iofair_test 2>/dev/null
	[ -n "${IOFAIR_PF:-}" ] && echo 0 > "/sys/class/net/$IOFAIR_PF/device/sriov_numvfs" 2>/dev/null
}
trap cleanup EXIT

ktap_print_header
ktap_set_plan 16

iofair_unload
iofair_load || ktap_exit_fail_msg "cannot load iofair"
setup_ns A B || ktap_exit_fail_msg "cannot create namespaces"
ip link add va netns "$A" type veth peer name vb netns "$B"
ip -n "$A" addr add 10.9.0.1/24 dev va && ip -n "$B" addr add 10.9.0.2/24 dev vb &&
ip -n "$A" link set va up && ip -n "$B" link set vb up || ktap_exit_fail_msg "veth setup"
ip netns exec "$A" iperf3 -s -D -p 5201
ip netns exec "$B" iperf3 -s -D -p 5201
sleep 0.5

# L2 rate from an iperf3 JSON result: receiver's goodput * frame / payload.
# UDP with -l 1400: 1442-byte frames; TCP (MSS 1448 with timestamps): 1514.
l2()	# json udp|tcp -> bit/s
{
	local bps
	bps=$(jq '.end.sum_received.bits_per_second // .end.sum.bits_per_second' <<<"$1") || return 1
	if [ "$2" = udp ]; then
		jq -n "$bps * 1442 / 1400 | floor"
	else
		jq -n "$bps * 1514 / 1448 | floor"
	fi
}

# in_range RATE LO_PCT HI_PCT: LIMIT * LO% <= RATE <= LIMIT * HI%.  The upper
# bound shows the limit holds; the lower one only that the limiter does not
# starve the flow (60 %: an emulated sender on a loaded machine may not even
# offer the limit).  The exact figures are the benchmark's.
in_range()
{
	ktap_print_msg "measured $(($1 / 1000)) kbit/s for a limit of $((LIMIT / 1000)) kbit/s"
	[ "$1" -ge $((LIMIT / 100 * $2)) ] && [ "$1" -le $((LIMIT / 100 * $3)) ]
}

flow()	# ns-from dst udp|tcp -> L2 bit/s
{
	local out
	if [ "$3" = udp ]; then
		out=$(ip netns exec "$1" iperf3 -c "$2" -u -b 40M -l 1400 -t "$T" -J) || return 1
	else
		out=$(ip netns exec "$1" iperf3 -c "$2" -t "$T" -J) || return 1
	fi
	l2 "$out" "$3"
}

ip netns exec "$A" iofairctl target add dev va max 20mbit rx-max 20mbit >/dev/null ||
	ktap_exit_fail_msg "cannot add the dev target"

dev_tx_udp() { local r; r=$(flow "$A" 10.9.0.2 udp) && in_range "$r" 60 103; }
dev_tx_tcp() { local r; r=$(flow "$A" 10.9.0.2 tcp) && in_range "$r" 60 103; }
dev_rx_udp() { local r; r=$(flow "$B" 10.9.0.1 udp) && in_range "$r" 60 103; }
dev_rx_tcp() { local r; r=$(flow "$B" 10.9.0.1 tcp) && in_range "$r" 60 103; }
iofair_check "dev target, tx: a UDP flow at 2x is held to the limit" dev_tx_udp

# The release timer while that flow is held: armed with the burst (10 ms at
# the rate, 17 frames) as its slack, one expiry releases several frames;
# armed for each frame's own time, it ran once or more per frame.  Counted
# by the kernel's hrtimer_expire_entry event, against the frames iperf3's
# receiver got.
timer_batches()
{
	local tr=/sys/kernel/tracing ev fn out runs frames
	ev=$tr/events/timer/hrtimer_expire_entry
	[ -d "$ev" ] || mount -t tracefs nodev "$tr" 2>/dev/null
	fn=$(awk '$3 == "iofair_shaper_timer" { print $1; exit }' /proc/kallsyms)
	[ -n "$fn" ] && [ -d "$ev" ] || { ktap_print_msg "no hrtimer event or symbol"; return 1; }
	echo "function == 0x$fn" > "$ev/filter" && echo > "$tr/trace" &&
		echo 1 > "$ev/enable" || return 1
	out=$(ip netns exec "$A" iperf3 -c 10.9.0.2 -u -b 40M -l 1400 -t 2 -J)
	echo 0 > "$ev/enable"
	echo 0 > "$ev/filter"
	runs=$(grep -c "function=iofair_shaper_timer" "$tr/trace")
	frames=$(jq '.end.sum.packets - .end.sum.lost_packets' <<<"$out") || return 1
	ktap_print_msg "$frames frames received, $runs release timer runs"
	[ "$runs" -gt 0 ] && [ $((runs * 4)) -le "$frames" ]
}
iofair_check "dev target, tx: held frames leave in batches, a timer run for 4 frames or more" \
	timer_batches
iofair_check "dev target, tx: a TCP flow is held to the limit (shaped, not policed)" dev_tx_tcp
iofair_check "dev target, rx: a UDP flow at 2x is held to the limit" dev_rx_udp
iofair_check "dev target, rx: a TCP flow is held to the limit" dev_rx_tcp

# A new limit holds for the frames already waiting too: raised from 1 to 50
# Mbit/s under a 10 Mbit/s UDP flow, the ~0.8 s of frames held at 1 Mbit/s
# leave at the new rate and the flow passes.  Kept at their old send times,
# they would hold the next 0.5 s to 1 Mbit/s.
respaced()
{
	local id p a b kbit
	rx() { ip netns exec "$B" cat /sys/class/net/vb/statistics/rx_bytes; }
	id=$(ip netns exec "$A" iofairctl -j target show | jq '.[0].id') &&
	ip netns exec "$A" iofairctl target set "$id" max 1mbit || return 1
	ip netns exec "$A" iperf3 -c 10.9.0.2 -u -b 10M -l 1400 -t 4 >/dev/null 2>&1 &
	p=$!
	sleep 2
	ip netns exec "$A" iofairctl target set "$id" max 50mbit && a=$(rx) && sleep 0.5 && b=$(rx)
	wait "$p"
	ip netns exec "$A" iofairctl target set "$id" max 20mbit || return 1
	[ -n "$b" ] || return 1
	kbit=$(((b - a) * 8 / 500))
	ktap_print_msg "0.5 s after raising the limit from 1 to 50 Mbit/s: $kbit kbit/s arrived (held to 1 Mbit/s: ~1000)"
	[ "$kbit" -ge 3000 ]
}
iofair_check "dev target: a raised limit applies to the frames already held" respaced

# A frame dropped because the hold queue is full is the local sender's to
# see (NF_DROP: dev_queue_xmit() says NET_XMIT_DROP), and A's IP layer
# counts it as an OutDiscard.  Freed as stolen, the sender would count none.
# Held frames count against the socket's send buffer, which at its default
# size fills before the queue does (the sender then just blocks): the
# buffer is raised to 2 MiB and the limit lowered to 1 Mbit/s (a queue of
# 64 frames), and UDP at 40 Mbit/s loses most datagrams in the queue.
outdiscards()
{
	ip netns exec "$A" awk '$1 == "Ip:" { if (!n++) { for (i = 2; i <= NF; i++) h[i] = $i }
		else for (i = 2; i <= NF; i++) if (h[i] == "OutDiscards") print $i }' /proc/net/snmp
}
drops_seen()
{
	local d0 d1 out lost id wmem rmem
	id=$(ip netns exec "$A" iofairctl -j target show | jq '.[0].id') &&
	ip netns exec "$A" iofairctl target set "$id" max 1mbit || return 1
	# iperf3 -w sets both buffers and checks both.
	wmem=$(sysctl -n net.core.wmem_max) rmem=$(sysctl -n net.core.rmem_max)
	sysctl -qw net.core.wmem_max=2097152 net.core.rmem_max=2097152
	d0=$(outdiscards)
	out=$(ip netns exec "$A" iperf3 -c 10.9.0.2 -u -b 40M -l 1400 -w 1M -t 2 -J)
	d1=$(outdiscards)
	sysctl -qw net.core.wmem_max="$wmem" net.core.rmem_max="$rmem"
	ip netns exec "$A" iofairctl target set "$id" max 20mbit || return 1
	lost=$(jq -e '.end.sum.lost_packets' <<<"$out") ||
		{ ktap_print_msg "iperf3: $(jq -r '.error // "no result"' <<<"$out")"; return 1; }
	ktap_print_msg "lost at the receiver: $lost datagrams; the sender's IP OutDiscards: $((d1 - d0))"
	[ "$lost" -ge 100 ] && [ $((d1 - d0)) -ge $((lost * 8 / 10)) ]
}
iofair_check "dev target, tx: a full hold queue's drops reach the local sender (IP OutDiscards)" drops_seen

# The vhost path: the guest's tx (tap ingress) and rx (tap egress).
vhost_ok=1
if ! modprobe vhost_net 2>/dev/null || ! command -v virtio-net-guest >/dev/null; then
	vhost_ok=0
fi
if [ $vhost_ok = 1 ]; then
	ip tuntap add tap0 mode tap && ip addr add 10.0.0.1/24 dev tap0 && ip link set tap0 up &&
	iofairctl target add vhost tap0 max 20mbit rx-max 20mbit >/dev/null || vhost_ok=0
	# Counts what passed iofair's ingress hook (priority 0) on the tap.
	nft -f - <<-EOF || vhost_ok=0
	table netdev iofair_test {
		chain in { type filter hook ingress device "tap0" priority 10; counter; }
	}
	EOF
fi
nft_bytes() { nft -j list chain netdev iofair_test in | jq '[.nftables[].rule?.expr[]?.counter?.bytes // empty] | add'; }

vhost_tx()
{
	local b0 b1
	[ $vhost_ok = 1 ] || return 1
	b0=$(nft_bytes)
	virtio-net-guest --tap tap0 --mode tx --ip 10.0.0.2 --peer 10.0.0.1 --rate 40mbit \
		--size 1400 --duration "$T" >/dev/null || return 1
	sleep 0.2
	b1=$(nft_bytes)
	# nft counts from the network header at ingress: add the Ethernet header.
	in_range $(( (b1 - b0 + (b1 - b0) / 1428 * 14) * 8 / T )) 60 105
}
iofair_check "vhost target, guest tx: UDP at 2x is held to the limit" vhost_tx

vhost_rx()
{
	local out pkts
	[ $vhost_ok = 1 ] || return 1
	virtio-net-guest --tap tap0 --mode rx --ip 10.0.0.2 --mac 02:00:00:00:00:02 \
		--duration $((T + 2)) --json > /tmp/iofair-guest-rx.json &
	sleep 1
	ip neigh replace 10.0.0.2 lladdr 02:00:00:00:00:02 dev tap0
	# 40 Mbit/s of 1442-byte frames for T seconds to the guest, from a
	# second guest on tap1, routed by the host.
	sysctl -qw net.ipv4.ip_forward=1
	ip tuntap add tap1 mode tap && ip addr add 10.0.1.1/24 dev tap1 && ip link set tap1 up ||
		return 1
	virtio-net-guest --tap tap1 --mode tx --ip 10.0.1.2 --peer 10.0.0.2 \
		--peer-mac "$(cat /sys/class/net/tap1/address)" --rate 40mbit --size 1400 \
		--duration "$T" >/dev/null
	ip link del tap1
	wait $!
	pkts=$(jq '.rx.packets // .rx_packets // 0' /tmp/iofair-guest-rx.json 2>/dev/null)
	ktap_print_msg "guest received $pkts frames"
	in_range $((pkts * 1442 * 8 / T)) 60 105
}
iofair_check "vhost target, guest rx: UDP at 2x is held to the limit" vhost_rx

# TCP over the vhost path: the guest relays its virtqueues to relay0, whose
# kernel stack in ns G is the guest's; iperf3 -s on the host side.  TCP
# through the relay makes only about 20-50 Mbit/s under TCG, so the target
# is set to 5 Mbit/s for these two.
relay_ok=0
if [ $vhost_ok = 1 ] && setup_ns G; then
	ip neigh del 10.0.0.2 dev tap0 2>/dev/null	# vhost_rx's static entry
	virtio-net-guest --tap tap0 --mode relay --relay-tap relay0 --verbose \
		>/dev/null 2>/tmp/iofair-relay.err &
	pids+=($!)
	for _ in $(seq 100); do grep -q ready /tmp/iofair-relay.err && break; sleep 0.1; done
	iperf3 -s -B 10.0.0.1 -p 5201 >/dev/null 2>&1 &
	relay_pids=("${pids[-1]}" $!)
	pids+=($!)
	vid=$(iofairctl -j target show | jq '.[] | select(.ifname == "tap0") | .id')
	ip link set relay0 netns "$G" && ip -n "$G" addr add 10.0.0.2/24 dev relay0 &&
	ip -n "$G" link set relay0 up && iofairctl target set "$vid" max 5mbit rx-max 5mbit \
		>/dev/null && relay_ok=1
	for _ in $(seq 20); do ip netns exec "$G" ping -q -c1 -W1 10.0.0.1 >/dev/null && break; done
fi
vhost_tcp()	# -R for the guest's rx
{
	local out r
	[ $relay_ok = 1 ] || return 1
	out=$(ip netns exec "$G" iperf3 -c 10.0.0.1 -t "$T" -J "$@") || return 1
	r=$(l2 "$out" tcp) && in_range "$r" 60 103
}
LIMIT=5000000
iofair_check "vhost target, guest tx: a TCP flow is held to the limit" vhost_tcp
iofair_check "vhost target, guest rx: a TCP flow is held to the limit" vhost_tcp -R
LIMIT=20000000
# Gone before unload_held, which waits for every job.
if [ -n "${relay_pids:-}" ]; then
	kill "${relay_pids[@]}" 2>/dev/null
	wait "${relay_pids[@]}" 2>/dev/null
fi

# Unload with packets held in the limiter, traffic running.
unload_held()
{
	local held vheld=0 g=
	ip netns exec "$A" iperf3 -c 10.9.0.2 -u -b 60M -l 1400 -t 6 >/dev/null 2>&1 &
	# The vhost path too: a guest sending at 4x its tap's limit.
	if [ $vhost_ok = 1 ]; then
		virtio-net-guest --tap tap0 --mode tx --ip 10.0.0.2 --peer 10.0.0.1 --rate 20mbit \
			--size 1400 --duration 6 >/dev/null 2>&1 &
		g=$!
	fi
	sleep 2
	held=$(ip netns exec "$A" iofairctl -j stats -d | jq '.targets[0].tx.delayed // 0')
	[ $vhost_ok = 1 ] && vheld=$(iofairctl -j stats -d | jq '[.targets[] | select(.kind == "vhost") | .tx.delayed // 0] | add // 0')
	ktap_print_msg "frames held by the limiter so far: $held (veth), $vheld (vhost)"
	rmmod iofair || return 1
	wait
	# Nothing left behind: the devices go at once, the module comes back empty.
	timeout 5 ip -n "$A" link set va down || return 1
	[ -z "$g" ] || timeout 5 ip link set tap0 down || return 1
	iofair_load && [ "$(iofairctl -j target show | jq length)" = 0 ] && [ "$held" -gt 0 ] &&
	{ [ $vhost_ok = 0 ] || [ "$vheld" -gt 0 ]; }
}
iofair_check "rmmod under veth and vhost traffic with packets held in the limiter" unload_held

# The VF path: host-bound VFs, software enforcement; and the alarm when the
# limit is left to the emulated NIC, which ignores it.
vf_ok=0
if [ -n "${IOFAIR_PF:-}" ] && [ -e "/sys/class/net/$IOFAIR_PF/device/sriov_totalvfs" ]; then
	pf=$IOFAIR_PF dev=/sys/class/net/$IOFAIR_PF/device
	modprobe igbvf
	echo 0 > "$dev/sriov_numvfs"
	echo 2 > "$dev/sriov_numvfs"
	for _ in $(seq 100); do [ -e "$dev/virtfn1/net" ] && break; sleep 0.1; done
	setup_ns C D
	vf0=$(ls "$dev/virtfn0/net") vf1=$(ls "$dev/virtfn1/net")
	ip link set "$vf0" netns "$C" && ip link set "$vf1" netns "$D" &&
	ip -n "$C" addr add 192.0.2.1/24 dev "$vf0" && ip -n "$D" addr add 192.0.2.2/24 dev "$vf1" &&
	ip -n "$C" link set "$vf0" up && ip -n "$D" link set "$vf1" up && vf_ok=1
	for _ in $(seq 40); do ip netns exec "$C" ping -q -c1 -W1 192.0.2.2 >/dev/null 2>&1 && break; sleep 0.3; done
	ip netns exec "$D" iperf3 -s -D -p 5201
	sleep 0.5
fi

vf_alarm()
{
	local ev
	[ $vf_ok = 1 ] || return 1
	iofairctl target add vf "$pf" 0 enforce hw max 10mbit >/dev/null || return 1
	iofairctl -j monitor -c 1 > /tmp/iofair-alarm.json &
	ip netns exec "$C" iperf3 -c 192.0.2.2 -u -b 30M -l 1400 -t 4 >/dev/null 2>&1
	sleep 0.5
	kill $! 2>/dev/null; wait $! 2>/dev/null
	ev=$(jq -r 'select(.type == "conformance-alarm") | .target_id // .target // empty' /tmp/iofair-alarm.json | head -n1)
	ktap_print_msg "alarm: $(head -c 300 /tmp/iofair-alarm.json)"
	[ -n "$ev" ]
}
iofair_check "vf target, hw-only limit the emulated NIC ignores: conformance alarm" vf_alarm

vf_quiet()
{
	local n
	[ $vf_ok = 1 ] || return 1
	iofairctl target set 1 enforce sw >/dev/null || return 1
	sleep 1.5	# let the window of the hw-only period pass
	timeout 6 iofairctl -j monitor > /tmp/iofair-quiet.json &
	ip netns exec "$C" iperf3 -c 192.0.2.2 -u -b 30M -l 1400 -t 4 >/dev/null 2>&1
	wait $!
	n=$(grep -c conformance-alarm /tmp/iofair-quiet.json)
	ktap_print_msg "$n alarms with software enforcement"
	[ "$n" = 0 ]
}
iofair_check "vf target, software enforcement: no alarm" vf_quiet

vf_udp() { local r; [ $vf_ok = 1 ] && iofairctl target set 1 max 20mbit >/dev/null && r=$(flow "$C" 192.0.2.2 udp) && in_range "$r" 60 103; }
vf_tcp() { local r; [ $vf_ok = 1 ] && r=$(flow "$C" 192.0.2.2 tcp) && in_range "$r" 60 103; }
iofair_check "vf target, host-bound, software: a UDP flow at 2x is held to the limit" vf_udp
iofair_check "vf target, host-bound, software: a TCP flow is held to the limit" vf_tcp

ktap_finished
