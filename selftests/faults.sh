#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Device faults with targets attached and traffic running, each repeated
# IOFAIR_FAULT_CYCLES times (default 5): a veth deleted, the vhost fd closed
# (the guest killed), the tap deleted, sriov_numvfs to 0 and back, the VF's
# netdev moved to another netns and back, the netns deleted, the PF link
# down and up.  After each: the module answers, the target is gone or still
# right (policy, node, hooks), and what the next cycle needs is made again.
# The traffic is looked at (packets through the target's hooks) in the
# first, the last and every tenth cycle of each fault.
#
#   init netns                                   ns $B
#   va 10.9.0.1 ============= veth ============ vb 10.9.0.2
#    ^ dev target (ping flood ->)
#   tap0 10.0.0.1 <-> virtio-net-guest 10.0.0.2, tx at 2 Mbit/s
#    ^ vhost target
#   PF $IOFAIR_PF: vf target (PF, 0), enforce sw
#   ns $C: VF 0 192.0.2.1 ---NIC switch--> VF 1 192.0.2.2 :ns $D
#          (ping flood ->)                   (ns $E: where VF 0 moves)
#
#   root "up" 5 Mbit/s above the three targets (1 Mbit/s max each); the
#   controller steps every 50 ms.  The floods are 200 pings/s of 1000
#   bytes (1.6 Mbit/s): the limiters hold packets.  (More would leave the
#   emulated VM little time for anything else.)
#
# What is expected of each target (as removal.sh and vf_life.sh show):
#   veth deleted, tap deleted, netns of the veth's peer deleted: target gone
#   guest killed (vhost fd closed): the vhost target stays
#   sriov_numvfs 0: the vf target stays, VF absent; back with the VFs
#   VF netdev moved, its netns deleted (netdev back in init), PF link
#   down/up: the vf target stays, hooked on the VF's netdev wherever it is
source "$(dirname "$0")/lib.sh"

cycles=${IOFAIR_FAULT_CYCLES:-5}

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
loops=()		# traffic loops (subshells)
guest=""

# Stop a loop started by loop(): the subshell, then what it runs.
loop_stop()
{
	local kids
	kids=$(pgrep -P "$1")
	kill "$1" $kids 2>/dev/null
	wait "$1" 2>/dev/null
}

cleanup()
{
	local p
	for p in "${loops[@]}"; do loop_stop "$p"; done
	[ -n "$guest" ] && kill -9 "$guest" 2>/dev/null
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
ktap_set_plan 11

echo "iofair-selftest: faults start" > /dev/kmsg
modprobe -qa tun veth igbvf
iofair_unload
iofair_load || ktap_exit_fail_msg "cannot load iofair"
ip link set "$pf" up

# --- helpers ----------------------------------------------------------------------
# "$@" again and again (a flood that may die with its device), until stopped.
loop()
{
	( while :; do "$@" >/dev/null 2>&1; sleep 0.2; done ) &
	loops+=($!)
}

# Wait up to $1 s for "$2..." to succeed.
wait_for()
{
	local n=$(($1 * 5)) _
	shift
	for _ in $(seq "$n"); do "$@" && return 0; sleep 0.2; done
	"$@"
}

# The value of key $2 in the flat JSON object text $1, unquoted; null when
# it has none.
jfield() { [[ ,$1, =~ ,\"$2\":\"?([^,\"]*)\"?, ]] && echo "${BASH_REMATCH[1]}" || echo null; }
# Target $1 as "NODE BW_MAX[ VF_PRESENT]", "none" when it is not listed;
# fails (prints nothing) when the module does not answer.  Read by bash from
# the listing's compact JSON, one flat object per target (see src_tx()).
state()
{
	local out o
	out=$(iofairctl -j target show) || return 1
	while [[ $out =~ \{([^{}]*)\}(.*) ]]; do
		o=${BASH_REMATCH[1]} out=${BASH_REMATCH[2]}
		[[ ,$o, =~ ,\"id\":$1, ]] || continue
		echo "$(jfield "$o" node_name) $(jfield "$o" bw_max)$([ "$(jfield "$o" kind)" != vf ] ||
			echo " $(jfield "$o" vf_present)")"
		return 0
	done
	echo none
}
gone() { [ "$(state "$1")" = none ]; }
# Target $1 is listed with its node and policy, its VF present or not ($2).
kept()
{
	local want="up 1000000${2:+ $2}" got
	got=$(state "$1")
	[ "$got" = "$want" ] || { ktap_print_msg "target $1: '$got', not '$want'"; return 1; }
}
# Target $1's counter source and tx packets, "SOURCE PACKETS", read by bash
# from the Prometheus text (a jq costs over a second to start under TCG, and
# these are polled).
src_tx()
{
	local l src="" pk=0
	while IFS= read -r l; do
		case $l in
		"iofair_target_info{"*) [[ $l =~ source=\"([a-z-]+)\" ]] && src=${BASH_REMATCH[1]} ;;
		"iofair_target_packets_total{"*'direction="tx"'*) pk=${l##* } ;;
		esac
	done < <(iofairctl stats target "$1" --format prometheus 2>/dev/null)
	[ -n "$src" ] && echo "$src $pk"
}
# The source of target $1's figures is iofair's hooks.
hooked() { local src pk; read -r src pk < <(src_tx "$1") && [ "$src" = hook ]; }
# Packets go through target $1's hooks: its tx count grows within $2 s.
flowing()
{
	local a b src n=$(($2 * 3))
	read -r src a < <(src_tx "$1")
	while [ "$n" -gt 0 ]; do
		sleep 0.3
		read -r src b < <(src_tx "$1")
		[ "$src" = hook ] && [ -n "$a" ] && [ -n "$b" ] && [ "$b" -gt "$a" ] && return 0
		a=$b n=$((n - 1))
	done
	return 1
}
# Traffic is looked at in the first and the last cycle of each fault and
# in every tenth (it runs in all): $verify.
flow_check() { [ "$verify" = 0 ] || flowing "$@"; }
alive() { iofairctl version >/dev/null; }
carrier() { [ "$(cat "/sys/class/net/$pf/carrier" 2>/dev/null)" = 1 ]; }

# VF $1's netdev in this netns, once igbvf has made it.
vf_netdev_now() { local n=("$dev/virtfn$1/net/"*); [ -e "${n[0]}" ] && echo "${n[0]##*/}"; }
vf_netdev() { wait_for 30 vf_netdev_now "$1"; }
# The one non-lo netdev of netns $1.
ns_netdev() { ip -n "$1" -j link show | jq -r '.[] | select(.ifname != "lo") | .ifname'; }

# (Few processes: each costs a lot under emulation.  ip -batch runs
# several commands in one.)

# Netdev $1 with address $2 up, in netns $3 (default: this one).
addr_up() { ip ${3:+-n "$3"} -batch - <<<"addr add $2/24 dev $1"$'\n'"link set $1 up"; }

# VF netdev $1 (of this netns) into netns $2 with address $3, up.
vf_into() { ip link set "$1" netns "$2" && addr_up "$1" "$3" "$2"; }

mkveth()
{
	ip link add va type veth peer name vb netns "$B" && addr_up va 10.9.0.1 &&
	addr_up vb 10.9.0.2 "$B" && dev_t=$(iofairctl target add dev va node up max 1mbit)
}

mktap()
{
	ip tuntap add tap0 mode tap && addr_up tap0 10.0.0.1 &&
	vhost_t=$(iofairctl target add vhost tap0 node up max 1mbit)
}

# The guest said it is ready (bash only: no process per look).
guest_ready()
{
	local l
	while read -r l; do [[ $l == *ready* ]] && return 0; done < "$tmp/guest.err"
	return 1
}

# The guest is given the tap's MAC: a restarted guest's ARP request can
# wait behind its predecessor's frames in the target's limiter (see
# Documentation/testing.rst, Reliability), and the guest gives up on ARP
# after 3 s.
guest_start()
{
	local mac
	read -r mac < /sys/class/net/tap0/address || return 1
	: > "$tmp/guest.err"
	"$VNG" --tap tap0 --mode tx --ip 10.0.0.2 --peer 10.0.0.1 --peer-mac "$mac" --rate 2mbit \
		--size 1000 --verbose >/dev/null 2>"$tmp/guest.err" &
	guest=$!
	wait_for 20 guest_ready
}

guest_kill()
{
	[ -n "$guest" ] || return 0
	kill -9 "$guest" 2>/dev/null
	wait "$guest" 2>/dev/null
	guest=""
}

# The VFs, VF 0 in C, VF 1 in D; the flood from C.
mkvfs()
{
	local vf0 vf1
	echo 2 > "$dev/sriov_numvfs" && vf0=$(vf_netdev 0) && vf1=$(vf_netdev 1) &&
	vf_into "$vf0" "$C" 192.0.2.1 && vf_into "$vf1" "$D" 192.0.2.2
}

# Everything the faults need, from nothing (targets too; the vf target
# once: it outlives every fault here).
setup()
{
	setup_ns B C D E || return 1
	iofairctl node add up capacity 5mbit >/dev/null &&
	iofairctl controller set on interval 50 >/dev/null &&
	mkveth && kept "$dev_t" && mktap && kept "$vhost_t" && guest_start || return 1
	echo 0 > "$dev/sriov_numvfs" && mkvfs || return 1
	vf_t=$(iofairctl target add vf "$pf" 0 node up enforce sw max 1mbit) && kept "$vf_t" true ||
		return 1
	loop ping -q -i 0.005 -s 1000 10.9.0.2
	loop ip netns exec "$C" ping -q -i 0.005 -s 1000 192.0.2.2
	c_loop=${loops[-1]}
}

# Back to nothing but the module (after a fault that went wrong).
teardown()
{
	local p id
	for p in "${loops[@]}"; do loop_stop "$p"; done
	loops=()
	guest_kill
	cleanup_all_ns
	ip link del va 2>/dev/null
	ip link del tap0 2>/dev/null
	echo 0 > "$dev/sriov_numvfs"
	for id in $(iofairctl -j target show | jq '.[].id'); do iofairctl target del "$id"; done
	iofairctl node del up 2>/dev/null
	return 0
}

# --- the faults -----------------------------------------------------------------
# Each hits a target that has traffic, checks what must hold (a listing
# answered is the module answering) and makes again what the next cycle
# needs; on failure $why says what broke.

f_veth_del()
{
	local t=$dev_t
	[ "$verify" = 0 ] || kept "$t" || { why="dev target $t not listed right"; return 1; }
	flow_check "$t" 5 || { why="no traffic on dev target $t before the fault"; return 1; }
	ip link del va || { why="ip link del va"; return 1; }
	gone "$t" || { why="dev target $t still listed (or no answer)"; return 1; }
	mkveth || { why="veth and target again"; return 1; }
}

f_vhost_close()
{
	local t=$vhost_t
	flow_check "$t" 5 || { why="no traffic on vhost target $t before the fault"; return 1; }
	guest_kill
	kept "$t" || { why="vhost target $t not kept after the guest's exit"; return 1; }
	guest_start || { why="guest again: $(cat "$tmp/guest.err")"; return 1; }
	flow_check "$t" 10 || { why="no traffic through vhost target $t with a new guest"; return 1; }
}

f_tap_del()
{
	local t=$vhost_t
	[ "$verify" = 0 ] || kept "$t" || { why="vhost target $t not listed right"; return 1; }
	flow_check "$t" 5 || { why="no traffic on vhost target $t before the fault"; return 1; }
	ip link del tap0 || { why="ip link del tap0"; return 1; }
	gone "$t" || { why="vhost target $t still listed (or no answer)"; return 1; }
	guest_kill
	mktap && guest_start || { why="tap, target, guest again"; return 1; }
}

# The vf target bound and hooked, with its node and policy, traffic seen.
vf_right()
{
	kept "$vf_t" true || { why="vf target $vf_t: VF not present or policy lost"; return 1; }
	wait_for 10 hooked "$vf_t" || { why="vf target $vf_t: its VF's netdev not hooked"; return 1; }
	flow_check "$vf_t" 20 || { why="no traffic through the hooks of vf target $vf_t"; return 1; }
}

f_numvfs()
{
	flow_check "$vf_t" 5 || { why="no traffic on vf target $vf_t before the fault"; return 1; }
	echo 0 > "$dev/sriov_numvfs" || { why="sriov_numvfs 0"; return 1; }
	kept "$vf_t" false || { why="vf target $vf_t: not parked after sriov_numvfs 0"; return 1; }
	mkvfs || { why="VFs again"; return 1; }
	vf_right
}

f_vf_move()
{
	local vf0
	flow_check "$vf_t" 5 || { why="no traffic on vf target $vf_t before the fault"; return 1; }
	vf0=$(ns_netdev "$C") && ip -n "$C" link set "$vf0" netns "$E" ||
		{ why="VF 0's netdev $vf0 to $E"; return 1; }
	# Nothing sends in E: hooked is all there is to see.
	kept "$vf_t" true && wait_for 10 hooked "$vf_t" ||
		{ why="vf target $vf_t not hooked on the moved netdev"; return 1; }
	ip -n "$E" link set "$vf0" netns "$C" && ip -n "$C" addr add 192.0.2.1/24 dev "$vf0" &&
		ip -n "$C" link set "$vf0" up || { why="VF 0's netdev back to $C"; return 1; }
	vf_right
}

f_netns_del()
{
	local t=$dev_t vf0 i
	flow_check "$t" 5 || { why="no traffic on dev target $t before the fault"; return 1; }
	flow_check "$vf_t" 5 || { why="no traffic on vf target $vf_t before the fault"; return 1; }
	# A netns goes when its last process does: the flood in C first.
	loop_stop "$c_loop"
	for i in "${!loops[@]}"; do [ "${loops[$i]}" = "$c_loop" ] && unset "loops[$i]"; done
	ip netns del "$B" && ip netns del "$C" || { why="ip netns del"; return 1; }
	# The namespaces are dismantled by a workqueue: the veth goes with
	# B, VF 0's netdev comes back to the init netns.
	wait_for 10 gone "$t" || { why="dev target $t still listed after its peer's netns went"; return 1; }
	vf0=$(vf_netdev 0) || { why="VF 0's netdev not back in the init netns"; return 1; }
	kept "$vf_t" true && wait_for 10 hooked "$vf_t" ||
		{ why="vf target $vf_t not kept and hooked after its netns went"; return 1; }
	setup_ns B C && mkveth && vf_into "$vf0" "$C" 192.0.2.1 ||
		{ why="namespaces, veth, VF 0 again"; return 1; }
	loop ip netns exec "$C" ping -q -i 0.005 -s 1000 192.0.2.2
	c_loop=${loops[-1]}
	vf_right
}

f_pf_link()
{
	flow_check "$vf_t" 5 || { why="no traffic on vf target $vf_t before the fault"; return 1; }
	ip link set "$pf" down && sleep 0.5 && ip link set "$pf" up || { why="PF down/up"; return 1; }
	kept "$vf_t" true || { why="vf target $vf_t not kept after link down/up"; return 1; }
	wait_for 20 carrier || { why="PF link not back"; return 1; }
	vf_right
}

faults=(veth_del vhost_close tap_del numvfs vf_move netns_del pf_link)
declare -A desc=(
	[veth_del]="veth deleted under traffic: its dev target goes"
	[vhost_close]="vhost fd closed (guest killed) under traffic: the vhost target stays"
	[tap_del]="tap deleted under traffic: its vhost target goes"
	[numvfs]="sriov_numvfs 0 and back under traffic: the vf target parks and comes back"
	[vf_move]="VF netdev moved between netns under traffic: the vf target follows it"
	[netns_del]="netns deleted under traffic: dev target goes, vf target follows the VF home"
	[pf_link]="PF link down and up under traffic: the vf target stays"
)

setup || ktap_exit_fail_msg "cannot set up the devices, targets and traffic"
total=0
for f in "${faults[@]}"; do
	start=$SECONDS ok=0 why=""
	for i in $(seq "$cycles"); do
		total=$((total + 1))
		verify=0
		[ "$i" = 1 ] || [ "$i" = "$cycles" ] || [ $((i % 10)) = 0 ] && verify=1
		"f_$f" || break
		ok=$i
	done
	ktap_print_msg "fault $f: $ok of $cycles cycles held ($((SECONDS - start)) s)" \
		"${why:+-- cycle $((ok + 1)): $why}"
	iofair_check "${desc[$f]} ($ok/$cycles)" test "$ok" = "$cycles"
	if [ "$ok" != "$cycles" ]; then
		teardown
		setup || ktap_exit_fail_msg "cannot set up again after fault $f"
	fi
done
ktap_print_msg "$total faults tried in all"

# --- the end: unload, nothing left behind -----------------------------------------
iofair_check "the module answers after all faults" alive
for p in "${loops[@]}"; do loop_stop "$p"; done
loops=()
guest_kill
iofair_check "rmmod with the targets attached" rmmod iofair
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
gone_at_once()
{
	ip link add vref type veth peer name vrefp && ip tuntap add tapref mode tap &&
	prompt "ip link del va" "ip link del vref" && prompt "ip link del tap0" "ip link del tapref" &&
	ms=$(timed "echo 0 > $dev/sriov_numvfs") &&
	ktap_print_msg "sriov_numvfs 0 took $ms ms" && [ "$ms" -lt 10000 ]
}
iofair_check "the devices delete at once" gone_at_once

# The kernel log since the start: what selftests/vm/guest-init scans for.
quiet()
{
	local bad
	bad=$(dmesg | sed -n '/iofair-selftest: faults start/,$p' |
	      grep -E 'WARNING:|BUG:|kernel BUG at|BUG [a-z0-9_-]+ \(|Oops|UBSAN:|refcount_t|lockdep|possible circular locking|non-static key|rcu: INFO|detected stall|blocked for more than|general protection fault|list_(add|del) corruption|Bad page (state|map)|waiting for .* to become free')
	[ -z "$bad" ] || { ktap_print_msg "kernel log: $bad"; return 1; }
}
iofair_check "nothing new in the kernel log" quiet

ktap_finished
