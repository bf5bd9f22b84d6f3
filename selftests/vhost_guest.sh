#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The userspace virtio-net guest (virtio-net-guest) against the kernel's
# vhost-net: ping through it, traffic both ways at a rate and flat out,
# several guests and queue pairs at once.  Each case has its own netns
# holding the tap (the "host side"); the guest process runs in it too, but
# its network is the virtqueues, not the netns.
#
#   netns $ns ("host side")         |  virtio-net-guest (userspace "VM")
#                                   |
#   tapN 10.77.N.1/24 --- tap fd ---+-- vhost-net worker (kthread on 6.1,
#     ping, UDP, ip -s counters     |   vhost_task on 6.12)
#                                   |     RX vq 0 / TX vq 1, eventfd kick/call
#                                   |   guest 10.77.N.2: echo | tx | rx
#
# --queues N: one multiqueue tap, N vhost-net devices and N guest threads.
# --mode relay: the guest relays its frames to a plain tap moved into a
# second netns, whose kernel stack then speaks TCP through vhost-net.
# Skips only when vhost_net cannot be loaded.
source "$(dirname "$0")/lib.sh"

iofair_require_root
if ! modprobe vhost_net 2>/dev/null || [ ! -c /dev/vhost-net ]; then
	ktap_skip_all "no /dev/vhost-net (modprobe vhost_net failed)"
	exit "$KSFT_SKIP"
fi
modprobe tun 2>/dev/null

ktap_print_header
ktap_set_plan 21

# The program: beside this script when run by 'make run_tests' (OUTPUT), in
# the build tree when the script is run from the source tree, or on PATH.
VNG=$(iofair_vng_find) || ktap_exit_fail_msg "virtio-net-guest not found: run 'make selftests'"

tmp=$(mktemp -d)
cleanup()
{
	[ -n "${relay_pid:-}" ] && kill "$relay_pid" 2>/dev/null
	cleanup_all_ns
	rm -rf "$tmp"
}
trap cleanup EXIT

# guest_start NS TAP ARGS...: start a guest in the background and wait for
# its "ready" line.  Its pid goes to GPID, its stdout to $tmp/TAP.out.
guest_start()
{
	local ns=$1 tap=$2
	shift 2
	ip netns exec "$ns" "$VNG" --tap "$tap" --verbose "$@" \
		> "$tmp/$tap.out" 2> "$tmp/$tap.err" &
	GPID=$!
	for _ in $(seq 150); do
		grep -q '^virtio-net-guest: ready' "$tmp/$tap.err" && return 0
		kill -0 "$GPID" 2>/dev/null || break
		sleep 0.1
	done
	ktap_print_msg "guest on $tap did not get ready: $(cat "$tmp/$tap.err")"
	return 1
}

# guest_wait PID [SIGNAL]: signal (optional) and reap a guest; its status.
guest_wait()
{
	[ -n "${2:-}" ] && kill "-$2" "$1" 2>/dev/null
	wait "$1"
}

# tap_stat NS TAP rx|tx packets|dropped
tap_stat()
{
	ip -n "$1" -s -j link show dev "$2" | jq ".[0].stats64.$3.$4"
}

# json TAP FIELD: a field of the guest's --json line.
json()
{
	jq -r ".$2" "$tmp/$1.out"
}

# within A B TOLERANCE
within()
{
	local d=$(($1 - $2))
	[ "${d#-}" -le "$3" ]
}

# host_tap NS TAP N: address the host side of tap N and bring it up.
host_tap()
{
	ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1" 2>/dev/null
	ip -n "$1" addr add "10.77.$3.1/24" dev "$2" && ip -n "$1" link set "$2" up
}

# persistent_tap NS TAP N: a tap made by ip, which the guest attaches to.
persistent_tap()
{
	ip -n "$1" tuntap add dev "$2" mode tap vnet_hdr "${@:4}" && host_tap "$1" "$2" "$3"
}

# ping_guest NS IP: five pings, RTT summary printed.
ping_guest()
{
	local out
	out=$(ip netns exec "$1" ping -c 5 -i 0.2 -W 2 "$2") || {
		ktap_print_msg "ping $2 failed: $(tail -n 2 <<<"$out" | tr '\n' ' ')"
		return 1
	}
	ktap_print_msg "ping $2 through vhost-net: $(grep -o 'rtt.*' <<<"$out")"
}

# tx_check TAP NS RX0 DROP0 RATE SIZE SECS: the tap received about what a
# rate of RATE bit/s gives in SECS, and what the guest says it sent.
tx_check()
{
	local tap=$1 ns=$2 rx0=$3 drop0=$4 rate=$5 size=$6 secs=$7
	local rx drop sent expect
	rx=$(($(tap_stat "$ns" "$tap" rx packets) - rx0))
	drop=$(($(tap_stat "$ns" "$tap" rx dropped) - drop0))
	sent=$(json "$tap" tx_packets)
	expect=$((rate * secs / ((size + 42) * 8)))
	ktap_print_msg "$tap: expected ~$expect, guest sent $sent ($(json "$tap" tx_pps) pps," \
		"$(($(json "$tap" tx_bps) / 1000)) kbit/s), tap received $rx, dropped $drop"
	[ "$rx" -ge $((expect / 2)) ] && [ "$rx" -le $((expect * 3 / 2)) ] &&
		within "$sent" $((rx + drop)) 5
}

# 1. echo: ping through vhost; SIGINT ends the guest cleanly; the tap it
#    created lives as long as it does.
setup_ns NS1 || ktap_exit_fail_msg "cannot create a netns"
ok=0
if guest_start "$NS1" vt1 --mode echo --ip 10.77.1.2 --json && host_tap "$NS1" vt1 1; then
	ok=1
fi
iofair_check "echo guest creates its tap and gets ready" test $ok = 1
iofair_check "ping from the host side gets answers through vhost-net" ping_guest "$NS1" 10.77.1.2
guest_wait "$GPID" INT
rc=$?
replies=$(json vt1 icmp_replies 2>/dev/null)
ktap_print_msg "echo guest: exit $rc, $replies ICMP and $(json vt1 arp_replies 2>/dev/null) ARP answers"
iofair_check "SIGINT: exit 0 with statistics, every ping answered" \
	test "$rc" = 0 -a "${replies:-0}" -ge 5
gone() { ! ip -n "$NS1" link show vt1 >/dev/null 2>&1; }
iofair_check "the tap the guest created is gone with it" gone

# 2. tx at 20 Mbit/s for 3 s, the peer's MAC found by ARP, on a tap made by ip.
setup_ns NS2 || ktap_exit_fail_msg "cannot create a netns"
case_tx()
{
	local rx0 drop0
	persistent_tap "$NS2" vt2 2 || return 1
	rx0=$(tap_stat "$NS2" vt2 rx packets)
	drop0=$(tap_stat "$NS2" vt2 rx dropped)
	ip netns exec "$NS2" "$VNG" --tap vt2 --mode tx --ip 10.77.2.2 --peer 10.77.2.1 \
		--rate 20mbit --size 1000 --duration 3 --json > "$tmp/vt2.out" || return 1
	tx_check vt2 "$NS2" "$rx0" "$drop0" 20000000 1000 3
}
iofair_check "tx 20 Mbit/s: tap counters match the rate and the guest" case_tx

# 3. rx: the host side sends UDP to the guest (static neighbour entry).
setup_ns NS3 || ktap_exit_fail_msg "cannot create a netns"
case_rx()
{
	local tx0 tx got n=2000
	persistent_tap "$NS3" vt3 3 || return 1
	ip -n "$NS3" neigh add 10.77.3.2 lladdr 02:00:00:00:03:02 dev vt3 nud permanent || return 1
	tx0=$(tap_stat "$NS3" vt3 tx packets)
	guest_start "$NS3" vt3 --mode rx --ip 10.77.3.2 --mac 02:00:00:00:03:02 --json || return 1
	ip netns exec "$NS3" python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[2])):
    s.sendto(bytes(100), (sys.argv[1], 9))
    if i % 50 == 49:
        time.sleep(0.05)
' 10.77.3.2 "$n" || return 1
	sleep 0.5
	guest_wait "$GPID" INT || return 1
	tx=$(($(tap_stat "$NS3" vt3 tx packets) - tx0))
	got=$(json vt3 rx_packets)
	ktap_print_msg "rx: sent $n UDP, tap transmitted $tx (dropped" \
		"$(tap_stat "$NS3" vt3 tx dropped)), guest received $got" \
		"($(json vt3 rx_pps) pps over the run)"
	[ "$got" -ge $((n / 2)) ] && within "$got" "$tx" 5
}
iofair_check "rx: the guest counts what the tap sent it" case_rx

# 4. two guests on two taps at once: one sends at 10 Mbit/s, one is pinged.
setup_ns NS4 || ktap_exit_fail_msg "cannot create a netns"
case_two()
{
	local pid_a pid_b ok=0
	persistent_tap "$NS4" vt4a 41 || return 1
	guest_start "$NS4" vt4b --mode echo --ip 10.77.42.2 --json || return 1
	pid_b=$GPID
	host_tap "$NS4" vt4b 42 || return 1
	ip netns exec "$NS4" "$VNG" --tap vt4a --mode tx --ip 10.77.41.2 --peer 10.77.41.1 \
		--rate 10mbit --size 1000 --duration 3 --json > "$tmp/vt4a.out" &
	pid_a=$!
	sleep 0.5
	ping_guest "$NS4" 10.77.42.2 && ok=1
	wait "$pid_a" || ok=0
	guest_wait "$pid_b" INT || ok=0
	# The sender's ARP request is in the tap's counters too.
	tx_check vt4a "$NS4" 0 0 10000000 1000 3 || ok=0
	[ $ok = 1 ]
}
iofair_check "two guests on two taps: one sends at its rate while the other answers ping" case_two

# 5. flat out: the guest prints a non-zero packet and bit rate.
setup_ns NS5 || ktap_exit_fail_msg "cannot create a netns"
case_flat()
{
	local out pps
	persistent_tap "$NS5" vt5 5 || return 1
	out=$(ip netns exec "$NS5" "$VNG" --tap vt5 --mode tx --ip 10.77.5.2 --peer 10.77.5.1 \
		--peer-mac "$(ip -n "$NS5" -j link show vt5 | jq -r '.[0].address')" \
		--duration 2) || return 1
	ktap_print_msg "flat out, 60-byte frames: $(grep '^tx:' <<<"$out")"
	pps=$(sed -n 's/^tx: .* bytes, \([0-9]*\) pps, .*/\1/p' <<<"$out")
	[ "${pps:-0}" -gt 0 ]
}
iofair_check "flat-out tx prints a non-zero pps" case_flat

# 6. two queue pairs on a multiqueue tap.
setup_ns NS6 || ktap_exit_fail_msg "cannot create a netns"
case_mq_tx()
{
	local rx0 drop0
	persistent_tap "$NS6" vt6 6 multi_queue || return 1
	rx0=$(tap_stat "$NS6" vt6 rx packets)
	drop0=$(tap_stat "$NS6" vt6 rx dropped)
	ip netns exec "$NS6" "$VNG" --tap vt6 --queues 2 --mode tx --ip 10.77.6.2 \
		--peer 10.77.6.1 --rate 20mbit --size 1000 --duration 3 --json \
		> "$tmp/vt6.out" || return 1
	[ "$(json vt6 queues)" = 2 ] && tx_check vt6 "$NS6" "$rx0" "$drop0" 20000000 1000 3
}
iofair_check "--queues 2: tx at 20 Mbit/s over a multiqueue tap" case_mq_tx
case_mq_echo()
{
	guest_start "$NS6" vt6 --queues 2 --mode echo --ip 10.77.6.2 --json || return 1
	ping_guest "$NS6" 10.77.6.2 || { guest_wait "$GPID" TERM; return 1; }
	guest_wait "$GPID" TERM
}
iofair_check "--queues 2: ping answered, SIGTERM ends it cleanly" case_mq_echo

# 7. counting: --count stops the sender after exactly that many frames.
case_count()
{
	ip netns exec "$NS2" "$VNG" --tap vt2 --mode tx --ip 10.77.2.2 --peer 10.77.2.1 \
		--peer-mac 02:00:00:00:00:01 --count 1000 --json > "$tmp/vt2.out" || return 1
	[ "$(json vt2 tx_packets)" = 1000 ]
}
iofair_check "--count 1000 sends exactly 1000 frames" case_count

# 8. the program's own errors.
no_vhost()
{
	local err
	# A /dev without vhost-net, but with the tun device.
	err=$(unshare -m sh -c 'mount -t tmpfs none /dev && mkdir /dev/net &&
		mknod /dev/net/tun c 10 200 && exec ip netns exec "$1" "$2" --tap vt8 \
		--mode rx' sh "$NS2" "$VNG" 2>&1)
	[ $? = 1 ] && grep -q 'cannot open /dev/vhost-net.*modprobe vhost_net' <<<"$err" &&
		ktap_print_msg "without /dev/vhost-net: $err"
}
iofair_check "without /dev/vhost-net: a clear error, exit 1" no_vhost
bad_args()
{
	local rc
	"$VNG" --mode tx --tap x --ip 10.0.0.1 >/dev/null 2>&1; rc=$?
	[ $rc = 2 ] || return 1
	"$VNG" --tap x --rate 10furlongs >/dev/null 2>&1; rc=$?
	[ $rc = 2 ] || return 1
	"$VNG" --tap x --mode relay >/dev/null 2>&1; rc=$?
	[ $rc = 2 ] || return 1
	"$VNG" --help | grep -q -- '--queues'
}
iofair_check "usage errors exit 2, --help lists the options" bad_args
single_busy()
{
	local rc
	# A single-queue tap served by one guest cannot take a second one.
	guest_start "$NS5" vt5 --mode rx || return 1
	ip netns exec "$NS5" "$VNG" --tap vt5 --mode rx --duration 1 >/dev/null 2>"$tmp/busy.err"
	rc=$?
	guest_wait "$GPID" INT
	[ $rc = 1 ] && grep -q TUNSETIFF "$tmp/busy.err"
}
iofair_check "a second guest on a busy single-queue tap fails cleanly" single_busy
rate_units()
{
	# tc spellings: 2.5MBps = 20 Mbit/s, checked through the achieved rate.
	local bps
	ip netns exec "$NS2" "$VNG" --tap vt2 --mode tx --ip 10.77.2.2 --peer 10.77.2.1 \
		--peer-mac 02:00:00:00:00:01 --rate 2.5MBps --size 1000 --duration 2 --json \
		> "$tmp/vt2.out" || return 1
	bps=$(json vt2 tx_bps)
	ktap_print_msg "--rate 2.5MBps: $((bps / 1000)) kbit/s"
	[ "$bps" -ge 15000000 ] && [ "$bps" -le 25000000 ]
}
iofair_check "--rate takes tc units (2.5MBps = 20 Mbit/s)" rate_units
vhost_worker()
{
	# The guest's vhost device has a worker named vhost-<owner pid>: a
	# kthread up to 6.3, a vhost_task thread of the owner from 6.4.
	local pid kind=none want=kthread p v
	guest_start "$NS5" vt5 --mode rx || return 1
	pid=$GPID	# ip netns exec execs the guest: same pid
	if grep -qx "vhost-$pid" /proc/"$pid"/task/*/comm 2>/dev/null; then
		kind=vhost_task
	else
		for p in /proc/[0-9]*; do
			grep -qx "vhost-$pid" "$p/comm" 2>/dev/null && kind=kthread && break
		done
	fi
	guest_wait "$pid" INT
	v=$(uname -r)
	v=${v%%-*}
	IFS=. read -r maj min _ <<<"$v"
	[ "$maj" -gt 6 ] || { [ "$maj" = 6 ] && [ "$min" -ge 4 ]; } && want=vhost_task
	ktap_print_msg "vhost worker of the guest: $kind (expected $want on $(uname -r))"
	[ "$kind" = "$want" ]
}
iofair_check "the guest's vhost device has its worker (kthread or vhost_task)" vhost_worker

# 9. relay: the kernel's TCP/IP stack in netns $NSG behind vhost-net.
#
#   $NS9: vt9 10.77.9.1 -- vhost-net -- virtio-net-guest -- vr9 fd
#   $NSG: vr9 10.77.9.2 (moved there once created), iperf3 -s
setup_ns NS9 NSG || ktap_exit_fail_msg "cannot create a netns"
relay_pid=
relay_start()
{
	persistent_tap "$NS9" vt9 9 || return 1
	guest_start "$NS9" vt9 --mode relay --relay-tap vr9 --json || return 1
	relay_pid=$GPID
	ip -n "$NS9" link set vr9 netns "$NSG" || return 1
	ip netns exec "$NSG" sysctl -qw net.ipv6.conf.vr9.disable_ipv6=1 2>/dev/null
	ip -n "$NSG" addr add 10.77.9.2/24 dev vr9 && ip -n "$NSG" link set vr9 up || return 1
	ip netns exec "$NSG" iperf3 -s -D -p 5201 || return 1
	# No offloads on the relay tap: its reader gets frames of MTU + 14 at most.
	! ip netns exec "$NSG" ethtool -k vr9 |
		grep -E '^(tcp-segmentation-offload|tx-checksumming): on'
}
iofair_check "relay: guest ready, relay tap moved to another netns, no offloads" relay_start
relay_ping()
{
	[ -n "$relay_pid" ] || return 1
	ping_guest "$NS9" 10.77.9.2 && ping_guest "$NSG" 10.77.9.1
}
iofair_check "relay: ping both ways through vhost-net" relay_ping
# relay_tcp ARGS: 3 s of iperf3 TCP from the host side to $NSG; > 1 Mbit/s.
relay_tcp()
{
	local out bps
	[ -n "$relay_pid" ] || return 1
	out=$(ip netns exec "$NS9" iperf3 -c 10.77.9.2 -t 3 -J "$@") || {
		ktap_print_msg "iperf3 $*: $(jq -r .error <<<"$out")"
		return 1
	}
	bps=$(jq '.end.sum_received.bits_per_second | floor' <<<"$out")
	ktap_print_msg "TCP ${1:-host -> guest netns}: $((bps / 1000)) kbit/s goodput," \
		"$(jq '.end.sum_sent.retransmits' <<<"$out") retransmits"
	[ "$bps" -gt 1000000 ]
}
iofair_check "relay: TCP host -> guest netns, > 1 Mbit/s" relay_tcp
iofair_check "relay: TCP guest netns -> host (-R), > 1 Mbit/s" relay_tcp -R
relay_counts()
{
	local rc in out drops tap_rx tap_tx
	[ -n "$relay_pid" ] || return 1
	tap_rx=$(tap_stat "$NSG" vr9 rx packets)
	tap_tx=$(tap_stat "$NSG" vr9 tx packets)
	guest_wait "$relay_pid" INT
	rc=$?
	relay_pid=
	in=$(json vt9 relay_in) out=$(json vt9 relay_out) drops=$(json vt9 relay_drops)
	ktap_print_msg "relay: exit $rc; $in frames from vr9 (it sent $tap_tx), $out to vr9" \
		"(it received $tap_rx), $drops drops (writes before vr9 was up)"
	# What vr9 sent, the guest read and transmitted; what it wrote, vr9 got.
	[ "$rc" = 0 ] && within "$in" "$tap_tx" 5 && within "$out" "$tap_rx" 5 &&
		[ "$(json vt9 tx_packets)" = "$in" ] && [ "$drops" -le 20 ]
}
iofair_check "relay: SIGINT, the counts match the relay tap's" relay_counts

ktap_finished
