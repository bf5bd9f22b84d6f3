#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The vhost worker probes: a vhost target on the tap of a userspace
# virtio-net guest (virtio-net-guest) served by the kernel's vhost-net, and
# what the module reports per virtqueue and for the worker -- kicks, passes,
# packets per pass, kick-to-service delay, service time, the worker's pid,
# CPU time and wakeups, the kick-delay and service-time histograms.  Then
# the things that must not break it: the guest killed (its vhost fd closed)
# and the tap deleted while the target is attached and traffic runs, stats
# reset, rmmod under vhost traffic and loading again.
#
#   netns $NS ("host side")              |  virtio-net-guest (userspace "VM")
#                                        |
#   vpN 10.78.N.1/24 (target: vhost vpN) |
#     nf ingress hook: tx packets -------+-- vhost-net worker (kthread
#     tun_recvmsg probe: rx packets -----+   vhost-PID on 6.1, vhost_task
#     kprobes: vhost_work(er)_queue,     |   thread of the guest on 6.12)
#     handle_{tx,rx}_{kick,net}          |     RX vq 0 / TX vq 1
#                                        |   10.78.N.2: tx at a rate | echo
#
# Skips only when vhost_net cannot be loaded.
source "$(dirname "$0")/lib.sh"

iofair_require_root
iofair_require_module
if ! modprobe vhost_net 2>/dev/null || [ ! -c /dev/vhost-net ]; then
	ktap_skip_all "no /dev/vhost-net (modprobe vhost_net failed)"
	exit "$KSFT_SKIP"
fi
modprobe tun 2>/dev/null

ktap_print_header
ktap_set_plan 17

VNG=$(iofair_vng_find) || ktap_exit_fail_msg "virtio-net-guest not found: run 'make selftests'"
command -v iofairctl >/dev/null || ktap_exit_fail_msg "iofairctl not on PATH: run 'make ctl'"

tmp=$(mktemp -d)
PIDS=()
cleanup()
{
	local p
	for p in "${PIDS[@]}"; do
		kill -9 "$p" 2>/dev/null
	done
	wait 2>/dev/null
	cleanup_all_ns
	rm -rf "$tmp"
}
trap cleanup EXIT

echo "iofair-selftest: vhost_probes start" > /dev/kmsg
iofair_load || ktap_exit_fail_msg "cannot load iofair"
setup_ns NS || ktap_exit_fail_msg "cannot create a netns"

ctl() { ip netns exec "$NS" iofairctl "$@"; }

# guest_start TAP ARGS...: a guest in the background, once it is ready.
guest_start()
{
	local tap=$1
	shift
	ip netns exec "$NS" "$VNG" --tap "$tap" --verbose "$@" \
		> "$tmp/$tap.out" 2> "$tmp/$tap.err" &
	GPID=$!		# ip netns exec execs the guest: its pid
	PIDS+=("$GPID")
	for _ in $(seq 150); do
		grep -q '^virtio-net-guest: ready' "$tmp/$tap.err" && return 0
		kill -0 "$GPID" 2>/dev/null || break
		sleep 0.1
	done
	ktap_print_msg "guest on $tap did not get ready: $(cat "$tmp/$tap.err")"
	return 1
}

# tap N: a tap vpN made by ip, 10.78.N.1/24, up.
tap()
{
	ip -n "$NS" tuntap add dev "vp$1" mode tap vnet_hdr &&
		ip netns exec "$NS" sysctl -qw "net.ipv6.conf.vp$1.disable_ipv6=1" &&
		ip -n "$NS" addr add "10.78.$1.1/24" dev "vp$1" && ip -n "$NS" link set "vp$1" up
}

# target TAP: a vhost target keeping both vhost histograms; its id.
target() { ctl target add vhost "$1" hist kick-delay,service-time; }

# stats ID: the target's JSON object from one snapshot ("null" when gone).
stats()
{
	local out
	out=$(ctl -j stats target "$1" 2>/dev/null) || { echo null; return; }
	jq -c '.targets[0]' <<<"$out"
}

# vq JSON NAME FIELD: a virtqueue figure (0 when the virtqueue is absent).
vq() { jq -r ".vhost.vq[]? | select(.name == \"$2\") | .$3" <<<"$1" 2>/dev/null | grep . || echo 0; }
worker() { jq -r ".vhost.worker.$2 // empty" <<<"$1"; }

# between LO X HI
between() { [ "$1" -le "$2" ] && [ "$2" -le "$3" ]; }

# vq_plausible JSON NAME PCT: kicks and passes, packets >= PCT % of passes
# (a pass may find its ring empty: a guest kick for buffers, a tap wakeup
# while the guest had none), mean delay and service time in 1 us..1 s.
vq_plausible()
{
	local kicks passes pkts delay svc pct=$3
	kicks=$(vq "$1" "$2" kicks)
	passes=$(vq "$1" "$2" passes)
	pkts=$(vq "$1" "$2" packets)
	delay=$(vq "$1" "$2" delay_ns)
	svc=$(vq "$1" "$2" service_ns)
	ktap_print_msg "$2: $kicks kicks, $passes passes, $pkts packets ($(vq "$1" "$2" bytes)" \
		"bytes), weight-limited $(vq "$1" "$2" weight_limited), mean delay" \
		"$((delay / (passes ? passes : 1))) ns, mean service $((svc / (passes ? passes : 1))) ns"
	[ "$kicks" -gt 0 ] && [ "$passes" -gt 0 ] && [ $((pkts * 100)) -ge $((passes * pct)) ] &&
		between 1000 $((delay / passes)) 1000000000 &&
		between 1000 $((svc / passes)) 1000000000
}

KIND=$(iofairctl -j version | jq -r .vhost_worker)

# worker_is GUESTPID WORKERPID: the worker is the guest's, of the kernel's kind.
worker_is()
{
	local g=$1 w=$2
	[ -n "$w" ] || return 1
	[ "$(cat "/proc/$w/comm" 2>/dev/null)" = "vhost-$g" ] || return 1
	case $KIND in
	kthread)
		# a kernel thread of its own, not a thread of the guest
		[ ! -e "/proc/$g/task/$w" ] &&
			[ "$(awk '/^PPid:/ {print $2}' "/proc/$w/status")" = 2 ];;
	vhost-task)
		[ -e "/proc/$g/task/$w" ];;
	*)
		return 1;;
	esac
}

# 1. the probe points the vhost probes use are there.
probes_there()
{
	local v p ok=0
	v=$(iofairctl -j version)
	for p in handle_tx_kick handle_tx_net handle_rx_kick handle_rx_net tun_recvmsg; do
		[ "$(jq -r ".probes[] | select(.name == \"$p\") .state" <<<"$v")" = available ] ||
			{ ktap_print_msg "probe point $p missing"; return 1; }
	done
	for p in vhost_worker_queue vhost_work_queue; do
		[ "$(jq -r ".probes[] | select(.name == \"$p\") .state" <<<"$v")" = available ] &&
			ok=1 && ktap_print_msg "queue probe: $p; workers: $KIND"
	done
	[ $ok = 1 ]
}
iofair_check "version: the vhost probe points are available" probes_there

# 2-7. tx at 10 Mbit/s, 1000-byte frames: two snapshots 2 s apart while it
#      runs, one after SIGINT ended it.
ok_setup=0
if tap 1 && T1=$(target vp1) &&
   guest_start vp1 --mode tx --ip 10.78.1.2 --peer 10.78.1.1 --rate 10mbit --size 1000 \
	--json; then
	ok_setup=1
	G1=$GPID
	sleep 1
	S1=$(stats "$T1")
	sleep 2
	S2=$(stats "$T1")
	# while the guest runs: whose is the worker
	W1=$(worker "$S2" pid)
	W1_COMM=$(cat "/proc/$W1/comm" 2>/dev/null)
	worker_is "$G1" "$W1" && W1_OK=1
	kill -INT "$G1"
	wait "$G1" || ok_setup=0
	S3=$(stats "$T1")
fi
tx_counted()
{
	[ $ok_setup = 1 ] || return 1
	[ "$(vq "$S2" tx kicks)" -gt 0 ] && [ "$(vq "$S2" tx passes)" -gt 0 ] &&
		[ "$(vq "$S3" tx passes)" -gt "$(vq "$S2" tx passes)" ]
}
iofair_check "tx: kicks and service passes counted on the tx virtqueue" tx_counted
tx_packets()
{
	local hook pkts bytes hbytes
	[ $ok_setup = 1 ] || return 1
	hook=$(jq -r .tx.packets <<<"$S3")
	hbytes=$(jq -r .tx.bytes <<<"$S3")
	pkts=$(vq "$S3" tx packets)
	bytes=$(vq "$S3" tx bytes)
	ktap_print_msg "tx: passes moved $pkts packets, $bytes bytes; the tap hook saw $hook, $hbytes;" \
		"the guest sent $(jq -r .tx_packets "$tmp/vp1.out")"
	# every packet the guest sent crossed the tap in a pass
	between $((hook - hook / 50 - 2)) "$pkts" "$hook" &&
		between $((hbytes - hbytes / 50 - 2000)) "$bytes" "$hbytes"
}
iofair_check "tx: packets and bytes per pass add up to what crossed the tap" tx_packets
iofair_check "tx: >= 1 packet per pass, mean delay and service time in 1 us..1 s" \
	vq_plausible "$S3" tx 100
tx_worker()
{
	ktap_print_msg "guest $G1, worker $W1 ($W1_COMM, $KIND)"
	[ "${W1_OK:-0}" = 1 ]
}
iofair_check "tx: the worker is the guest's vhost worker ($KIND)" tx_worker
tx_cpu()
{
	local c1 c2 w1 w2
	c1=$(worker "$S1" cpu_ns)
	c2=$(worker "$S2" cpu_ns)
	w1=$(worker "$S1" wakeups)
	w2=$(worker "$S2" wakeups)
	ktap_print_msg "worker CPU ${c1:-?} -> ${c2:-?} ns, wakeups ${w1:-?} -> ${w2:-?} in 2 s"
	[ "${c2:-0}" -gt "${c1:-0}" ] && [ "${c1:-0}" -gt 0 ] && [ "${w2:-0}" -gt "${w1:-0}" ]
}
iofair_check "tx: worker CPU time and wakeups grow while it serves" tx_cpu
tx_hists()
{
	local h kd st passes
	h=$(ctl -j hist "$T1") || return 1
	kd=$(jq -r '.hists[] | select(.kind == "kick-delay") .count' <<<"$h")
	st=$(jq -r '.hists[] | select(.kind == "service-time") .count' <<<"$h")
	passes=$(($(vq "$S3" tx passes) + $(vq "$S3" rx passes)))
	ktap_print_msg "histograms: kick-delay $kd samples (p50 $(jq -r '.hists[] |
		select(.kind == "kick-delay") .p50_ns' <<<"$h") ns), service-time $st, passes $passes"
	# one service time per pass; a kick delay for the passes a kick started
	[ "${kd:-0}" -gt 0 ] && [ "$kd" -le "$st" ] && [ "${st:-0}" = "$passes" ]
}
iofair_check "tx: the kick-delay and service-time histograms fill" tx_hists

# 8-9. echo: ping through vhost; both virtqueues serve it.
ok_echo=0
if guest_start vp2 --mode echo --ip 10.78.2.2 && G2=$GPID &&
   ip netns exec "$NS" sysctl -qw net.ipv6.conf.vp2.disable_ipv6=1 &&
   ip -n "$NS" addr add 10.78.2.1/24 dev vp2 && ip -n "$NS" link set vp2 up &&
   T2=$(target vp2); then
	ok_echo=1
fi
echo_ping()
{
	local rx tx
	[ $ok_echo = 1 ] || return 1
	ip netns exec "$NS" ping -q -c 20 -i 0.05 -W 2 10.78.2.2 > "$tmp/ping" || return 1
	ktap_print_msg "ping: $(grep -o 'rtt.*' "$tmp/ping")"
	E1=$(stats "$T2")
	rx=$(vq "$E1" rx packets)
	tx=$(vq "$E1" tx packets)
	ktap_print_msg "echo: rx vq moved $rx packets, tx vq $tx"
	[ "$rx" -ge 20 ] && [ "$tx" -ge 20 ]
}
iofair_check "echo: ping answered, requests on the rx and replies on the tx virtqueue" echo_ping
iofair_check "echo: rx ~1 packet per pass, mean delay and service time in 1 us..1 s" \
	vq_plausible "${E1:-null}" rx 75

# 10. stats reset: the virtqueue figures start again.
reset_vq()
{
	local before after
	before=$(vq "$(stats "$T2")" rx passes)
	ctl stats reset target "$T2" || return 1
	after=$(vq "$(stats "$T2")" rx passes)
	ktap_print_msg "rx passes: $before before the reset, $after after"
	[ "$before" -gt 0 ] && [ "$after" -lt "$before" ]
}
iofair_check "stats reset starts the virtqueue figures again" reset_vq

# 11. the table output.
human()
{
	local out w
	ip netns exec "$NS" ping -q -c 3 -i 0.1 10.78.2.2 >/dev/null
	out=$(ctl stats target "$T2") || return 1
	w=$(worker "$(stats "$T2")" pid)
	echo "$out" | while IFS= read -r l; do ktap_print_msg "$l"; done
	grep -q 'PKTS/PASS' <<<"$out" && grep -qE "^ *$T2 +rx " <<<"$out" &&
		grep -qE "^ *$T2 +$w " <<<"$out"
}
iofair_check "iofairctl stats prints the virtqueue and worker tables" human

# 12-13. the guest killed (vhost fd closed) while it sends flat out.
killed()
{
	local t s pid w ok=0
	tap 3 && t=$(target vp3) || return 1
	guest_start vp3 --mode tx --ip 10.78.3.2 --peer 10.78.3.1 || return 1
	pid=$GPID
	sleep 1
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	sleep 0.5
	s=$(stats "$t")
	FLAT=$s
	ktap_print_msg "after the kill: tx passes $(vq "$s" tx passes) (weight-limited" \
		"$(vq "$s" tx weight_limited)), $(vq "$s" tx packets) packets, worker" \
		"$(jq -c .vhost.worker <<<"$s")"
	[ "$(vq "$s" tx passes)" -gt 0 ] && [ -z "$(worker "$s" pid)" ] &&
		[ "$(worker "$s" cpu_ns)" -gt 0 ] || return 1
	# a new guest on the same tap: its worker is found
	guest_start vp3 --mode tx --ip 10.78.3.2 --peer 10.78.3.1 --rate 5mbit --size 500 ||
		return 1
	sleep 1
	s=$(stats "$t")
	w=$(worker "$s" pid)
	worker_is "$GPID" "$w" && ok=1
	ktap_print_msg "new guest $GPID: worker $w ($(cat "/proc/$w/comm" 2>/dev/null))"
	kill -INT "$GPID"
	wait "$GPID"
	[ $ok = 1 ]
}
iofair_check "guest killed under traffic: the target stays, the next guest's worker is found" \
	killed
# The guest fills its 256-entry ring faster than the worker drains it.
flat_weight() { [ "$(vq "${FLAT:-null}" tx weight_limited)" -gt 0 ]; }
iofair_check "flat out: tx passes end at vhost's weight limit" flat_weight

# 14. the tap deleted under traffic.
tap_gone()
{
	local t pid
	tap 4 && t=$(target vp4) || return 1
	guest_start vp4 --mode tx --ip 10.78.4.2 --peer 10.78.4.1 || return 1
	pid=$GPID
	sleep 1
	ip -n "$NS" link del vp4 || return 1
	sleep 0.5
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	! ctl target show "$t" >/dev/null 2>&1 && [ "$(stats "$t")" = null ]
}
iofair_check "tap deleted under traffic: its target goes" tap_gone

# 15-16. rmmod under vhost traffic (flat out on vp5, ping flood on vp2), load again.
rmmod_busy()
{
	local t pid ping rx0 rx1
	tap 5 && t=$(target vp5) || return 1
	guest_start vp5 --mode tx --ip 10.78.5.2 --peer 10.78.5.1 || return 1
	pid=$GPID
	ip netns exec "$NS" ping -q -c 400 -i 0.01 10.78.2.2 >/dev/null 2>&1 &
	ping=$!
	sleep 1
	[ "$(vq "$(stats "$t")" tx passes)" -gt 0 ] || return 1
	rmmod iofair || return 1
	rx0=$(ip -n "$NS" -s -j link show vp5 | jq '.[0].stats64.rx.packets')
	sleep 1
	rx1=$(ip -n "$NS" -s -j link show vp5 | jq '.[0].stats64.rx.packets')
	kill -9 "$pid"
	wait "$pid" "$ping" 2>/dev/null
	ktap_print_msg "after rmmod the guest's packets still flow: $((rx1 - rx0)) in 1 s"
	[ "$rx1" -gt "$rx0" ]
}
iofair_check "rmmod under vhost traffic" rmmod_busy
reload()
{
	local t s
	iofair_load || return 1
	t=$(target vp2) || return 1
	ip netns exec "$NS" ping -q -c 5 -i 0.1 10.78.2.2 >/dev/null || return 1
	s=$(stats "$t")
	[ "$(vq "$s" rx passes)" -gt 0 ] && worker_is "$G2" "$(worker "$s" pid)"
}
iofair_check "loaded again: the probes measure again" reload
kill -INT "$G2" 2>/dev/null
wait "$G2" 2>/dev/null

# 17. nothing in the kernel log.
quiet()
{
	local log
	log=$(dmesg | sed -n '/iofair-selftest: vhost_probes start/,$p' |
		grep -E 'WARNING|BUG|Oops|refcount|leak|general protection|RCU' || true)
	[ -z "$log" ] || { ktap_print_msg "kernel log: $log"; return 1; }
}
iofair_check "no kernel warnings" quiet

ktap_finished
