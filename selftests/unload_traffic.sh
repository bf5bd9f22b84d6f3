#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unload safety: load, attach a dev, a vhost and a VF target with the
# controller running, rmmod while traffic runs on all three; many times.
# Afterwards the devices delete at once (no reference left behind) and the
# kernel log has nothing new.
#
#   init netns                                ns $B
#   va 10.9.0.1 ==========veth============== vb 10.9.0.2
#    ^ dev target, ping flood ->
#   tap0 10.0.0.1 <-> virtio-net-guest 10.0.0.2 (tx at 2 Mbit/s)
#    ^ vhost target
#   ns $C: VF 0 192.0.2.1 --NIC switch--> VF 1 192.0.2.2 :ns $D
#    ^ vf target (PF, 0), enforce sw or both, ping flood ->
#
#   root "up" 5 Mbit/s: the three targets below it, 1 Mbit/s max each (the
#   limiters hold packets); the controller steps every 20 ms and pushes
#   shares (token buckets, the PF driver).
#
# The traffic starts once and runs across all cycles.  Each cycle: insmod,
# the tree and the targets, the controller on, packets counted on all three
# targets, rmmod.  IOFAIR_UNLOAD_CYCLES (default 10) sets the cycles.
source "$(dirname "$0")/lib.sh"

cycles=${IOFAIR_UNLOAD_CYCLES:-10}

iofair_require_root
iofair_require_module
iofair_require_pf
if ! modprobe vhost_net 2>/dev/null || [ ! -c /dev/vhost-net ]; then
	ktap_skip_all "no /dev/vhost-net (modprobe vhost_net failed)"
	exit "$KSFT_SKIP"
fi
VNG=$(iofair_vng_find) || { ktap_skip_all "virtio-net-guest not built"; exit "$KSFT_SKIP"; }

pf=$IOFAIR_PF
dev=/sys/class/net/$pf/device
tmp=$(mktemp -d)
pids=()

cleanup()
{
	local p
	for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	iofair_unload 2>/dev/null
	cleanup_all_ns
	ip link del va 2>/dev/null
	ip link del tap0 2>/dev/null
	echo 0 > "$dev/sriov_numvfs" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

ktap_print_header
ktap_set_plan 7

echo "iofair-selftest: unload_traffic start" > /dev/kmsg
modprobe -qa tun veth igbvf
iofair_unload
# The module without its debug information: the same code, read and
# loaded several times faster under emulation.
src=${IOFAIR_KO:-$(modinfo -n iofair 2>/dev/null)}
ko=$tmp/iofair.ko
objcopy --strip-debug "$src" "$ko" 2>/dev/null || ko=$src

# --- the devices and the traffic, made once -----------------------------------
setup_ns B C D || ktap_exit_fail_msg "cannot create namespaces"
ip link add va type veth peer name vb netns "$B" && ip addr add 10.9.0.1/24 dev va &&
	ip link set va up && ip -n "$B" addr add 10.9.0.2/24 dev vb && ip -n "$B" link set vb up ||
	ktap_exit_fail_msg "veth setup"
ip tuntap add tap0 mode tap && ip addr add 10.0.0.1/24 dev tap0 && ip link set tap0 up ||
	ktap_exit_fail_msg "tap setup"
ip link set "$pf" up
echo 0 > "$dev/sriov_numvfs"
echo 2 > "$dev/sriov_numvfs" || ktap_exit_fail_msg "cannot create 2 VFs"
# VF $1's netdev, once igbvf has made it (slow on a loaded machine).
vf_netdev()
{
	local _
	for _ in $(seq 300); do
		ls "$dev/virtfn$1/net" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
vf0=$(vf_netdev 0) && vf1=$(vf_netdev 1) &&
ip link set "$vf0" netns "$C" && ip link set "$vf1" netns "$D" &&
ip -n "$C" addr add 192.0.2.1/24 dev "$vf0" && ip -n "$D" addr add 192.0.2.2/24 dev "$vf1" &&
ip -n "$C" link set "$vf0" up && ip -n "$D" link set "$vf1" up || ktap_exit_fail_msg "VF setup"
for _ in $(seq 40); do ip netns exec "$C" ping -q -c1 -W1 192.0.2.2 >/dev/null 2>&1 && break; done

# Ping floods (200 packets/s of 1000 bytes: 1.6 Mbit/s each way) keep going
# whatever happens to the module; so does the guest (2 Mbit/s).  More
# would leave the emulated VM little time for anything else.
ping -q -i 0.005 -s 1000 10.9.0.2 >/dev/null 2>&1 &
pids+=($!)
ip netns exec "$C" ping -q -i 0.005 -s 1000 192.0.2.2 >/dev/null 2>&1 &
pids+=($!)
"$VNG" --tap tap0 --mode tx --ip 10.0.0.2 --peer 10.0.0.1 --rate 2mbit --size 1000 \
	--verbose >/dev/null 2>"$tmp/guest.err" &
pids+=($!)
for _ in $(seq 100); do grep -q ready "$tmp/guest.err" && break; sleep 0.1; done
grep -q ready "$tmp/guest.err" || ktap_exit_fail_msg "guest: $(cat "$tmp/guest.err")"
traffic_ok() { local p; for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || return 1; done; }

# --- the cycles ---------------------------------------------------------------
# tx packets of each target (dev, vhost, vf), one line.
counts() { iofairctl -j stats | jq -r '[.targets[] | .tx.packets // 0] | join(" ")'; }

# One cycle: the tree and three targets on a fresh module, traffic counted
# on each, the controller stepping, then rmmod.  Sets $why on failure.
cycle()
{
	local enforce=sw b steps
	[ $(($1 % 2)) = 0 ] && enforce=both
	insmod "$ko" || { why="insmod"; return 1; }
	iofairctl node add up capacity 5mbit >/dev/null &&
	iofairctl target add dev va node up max 1mbit hist all >/dev/null &&
	iofairctl target add vhost tap0 node up max 1mbit hist kick-delay,service-time >/dev/null &&
	iofairctl target add vf "$pf" 0 node up enforce "$enforce" max 1mbit >/dev/null &&
	iofairctl controller set on interval 20 >/dev/null || { why="setup"; return 1; }
	# New targets count from 0.
	sleep 0.4
	read -r -a b < <(counts)
	steps=$(iofairctl -j controller show | jq '.steps')
	if [ "${#b[@]}" != 3 ] || [ "${b[0]}" = 0 ] || [ "${b[1]}" = 0 ] || [ "${b[2]}" = 0 ] ||
	   [ "${steps:-0}" -lt 1 ]; then
		why="traffic not counted on every target (${b[*]}) or no controller step ($steps)"
		return 1
	fi
	rmmod iofair || { why="rmmod"; return 1; }
}

start=$SECONDS
done_cycles=0 why=""
for i in $(seq "$cycles"); do
	if ! traffic_ok; then
		why="the traffic stopped"
		break
	fi
	cycle "$i" || break
	done_cycles=$i
done
ktap_print_msg "unload cycles: $done_cycles of $cycles tried cycles held" \
	"($((SECONDS - start)) s)${why:+; cycle $((done_cycles + 1)) failed: $why}"
iofair_check "$cycles cycles: load, dev+vhost+vf targets, controller, traffic, rmmod" \
	test "$done_cycles" = "$cycles"
iofair_check "the traffic ran through all cycles" traffic_ok
module_gone() { ! lsmod | grep -q '^iofair '; }
iofair_check "the module is gone" module_gone

# --- nothing left behind ---------------------------------------------------------
for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
wait 2>/dev/null
pids=()

# Run shell command $1, print and return its time in ms (-1: it failed).
timed()
{
	local t0
	t0=$(date +%s%N)
	timeout 30 bash -c "$1" || { echo -1; return 1; }
	echo $((($(date +%s%N) - t0) / 1000000))
}
# Device deletion $1 is prompt: under 2 s, or (on a loaded machine) under
# 3x deletion $2 of a device of the same kind that never was a target.  A
# reference left on a netdev makes its unregistration wait for good,
# printing "waiting for ... to become free" every 10 s.
prompt()
{
	local ref ms
	ref=$(timed "$2") && ms=$(timed "$1") || return 1
	ktap_print_msg "'$1' took $ms ms ('$2': $ref ms)"
	[ "$ms" -lt 2000 ] || [ "$ms" -lt $((3 * ref)) ]
}
vdel() { ip link add vref type veth peer name vrefp && prompt "ip link del va" "ip link del vref"; }
iofair_check "the veth deletes at once" vdel
tdel() { ip tuntap add tapref mode tap && prompt "ip link del tap0" "ip link del tapref"; }
iofair_check "the tap deletes at once" tdel
# Two VFs' PCI teardown alone takes 1-3 s under TCG on a loaded machine.
numvfs0() { local ms; ms=$(timed "echo 0 > $dev/sriov_numvfs") && ktap_print_msg "sriov_numvfs 0 took $ms ms" && [ "$ms" -lt 10000 ]; }
iofair_check "the VFs go at once (sriov_numvfs 0 in < 10 s)" numvfs0

# The kernel log since the start: what selftests/vm/guest-init scans for.
quiet()
{
	local bad
	bad=$(dmesg | sed -n '/iofair-selftest: unload_traffic start/,$p' |
	      grep -E 'WARNING:|BUG:|kernel BUG at|BUG [a-z0-9_-]+ \(|Oops|UBSAN:|refcount_t|lockdep|possible circular locking|non-static key|rcu: INFO|detected stall|blocked for more than|general protection fault|list_(add|del) corruption|Bad page (state|map)|waiting for .* to become free')
	[ -z "$bad" ] || { ktap_print_msg "kernel log: $bad"; return 1; }
}
iofair_check "nothing new in the kernel log" quiet

ktap_finished
