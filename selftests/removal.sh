#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A target goes when its device goes, with a target-del event that says
# why; namespaces and the module can go with objects in them.
# (A destroyed VF does not remove its target: see vf_life.sh.)
#
#   netns $NS                               netns $NS2
#   +------------------------------------+  +---------------------------+
#   | r0 <-> r1   target dev r0: deleted |  |                           |
#   | rt0 (tap of a python process)      |  |                           |
#   |   target vhost rt0: process exits  |  |                           |
#   | m0 <-> m1   target dev m0 --------------> m0 (moved: gone in NS)   |
#   | x0 <-> x1   target, node (rmmod)   |  | y0 <-> y1 target, node    |
#   +------------------------------------+  +---------------------------+
#   netns $NS3: d0 <-> d1, target, node: the namespace is deleted
#
# Each removal is watched with `iofairctl -j monitor -c 1` in the target's
# namespace; then rmmod with objects in several namespaces leaves devices
# that delete at once, and a reload starts empty.  dmesg stays clean.
source "$(dirname "$0")/lib.sh"

iofair_require_root
iofair_require_module
command -v jq >/dev/null || { ktap_skip_all "jq not installed"; exit "$KSFT_SKIP"; }
command -v python3 >/dev/null || { ktap_skip_all "python3 not installed"; exit "$KSFT_SKIP"; }

ktap_print_header
ktap_set_plan 11

modprobe -q tun 2>/dev/null
iofair_load || ktap_exit_fail_msg "cannot load iofair"
setup_ns NS NS2 NS3 || ktap_exit_fail_msg "cannot create namespaces"
tmp=$(mktemp -d)
dmesg_start=$(dmesg | wc -l)
cleanup()
{
	local p
	for p in $(jobs -p); do kill "$p" 2>/dev/null; done
	cleanup_all_ns
	rm -rf "$tmp"
	iofair_unload
}
trap cleanup EXIT

ctl() { local ns=$1; shift; ip netns exec "$ns" iofairctl "$@"; }
veth() { ip -n "$1" link add "$2" type veth peer name "$3" && ip -n "$1" link set "$2" up; }
is_id() { [[ $1 =~ ^[1-9][0-9]*$ ]]; }

# Start a monitor for one event in netns $1 (or "" for the init netns).
mon_start()
{
	rm -f "$tmp/ev"
	if [ -n "$1" ]; then
		ip netns exec "$1" timeout 20 iofairctl -j monitor -c 1 > "$tmp/ev" 2>&1 &
	else
		timeout 20 iofairctl -j monitor -c 1 > "$tmp/ev" 2>&1 &
	fi
	mon_pid=$!
	sleep 1	# subscribed
}

# Wait for the monitor; its event is target-del of $1 with reason $2.
mon_check()
{
	wait "$mon_pid"
	ktap_print_msg "event: $(cat "$tmp/ev")"
	jq -e --argjson id "$1" --arg why "$2" \
		'.type == "target-del" and .target == $id and .reason == $why' \
		"$tmp/ev" >/dev/null
}

# Target $2 is not in netns $1's target list.
not_listed()
{
	local ids
	ids=$(ctl "$1" -j target show) || return 1
	jq -e --argjson id "$2" 'all(.[]; .id != $id)' <<<"$ids" >/dev/null
}

# --- a deleted veth ---------------------------------------------------------
veth "$NS" r0 r1 || ktap_exit_fail_msg "cannot create r0"
t=$(ctl "$NS" target add dev r0)
is_id "$t" || ktap_exit_fail_msg "target add dev r0: $t"
mon_start "$NS"
ip -n "$NS" link del r0
iofair_check "deleting veth r0: target-del $t, reason device-gone" mon_check "$t" device-gone
iofair_check "target $t is gone from the list" not_listed "$NS" "$t"

# --- a tap closed by the process that made it ------------------------------
cat > "$tmp/tap.py" <<'EOF'
import fcntl, os, struct, sys, time
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", sys.argv[1].encode(), 0x0002 | 0x1000))
open(sys.argv[2], "w").close()
time.sleep(60)
EOF
ip netns exec "$NS" python3 "$tmp/tap.py" rt0 "$tmp/tap.ready" &
tap_pid=$!
for _ in $(seq 50); do [ -e "$tmp/tap.ready" ] && break; sleep 0.1; done
[ -e "$tmp/tap.ready" ] || ktap_exit_fail_msg "the tap process did not start"
t=$(ctl "$NS" target add vhost rt0)
is_id "$t" || ktap_exit_fail_msg "target add vhost rt0: $t"
mon_start "$NS"
kill "$tap_pid"
wait "$tap_pid" 2>/dev/null
iofair_check "the tap's process exits: target-del $t, reason device-gone" mon_check "$t" device-gone
tap_gone() { ! ip -n "$NS" link show rt0 >/dev/null 2>&1 && not_listed "$NS" "$t"; }
iofair_check "rt0 and target $t are gone" tap_gone

# --- a veth moved to another namespace --------------------------------------
veth "$NS" m0 m1 || ktap_exit_fail_msg "cannot create m0"
t=$(ctl "$NS" target add dev m0)
is_id "$t" || ktap_exit_fail_msg "target add dev m0: $t"
mon_start "$NS"
ip -n "$NS" link set m0 netns "$NS2"
iofair_check "moving m0 to $NS2: target-del $t, reason device-gone" mon_check "$t" device-gone
moved() { [ "$(ctl "$NS2" -j target show)" = "[]" ] && ip -n "$NS2" link show m0 >/dev/null &&
	  not_listed "$NS" "$t"; }
iofair_check "m0 lives on in $NS2, a target nowhere" moved

# --- a namespace deleted with a target and a node in it ---------------------
veth "$NS3" d0 d1 || ktap_exit_fail_msg "cannot create d0"
n=$(ctl "$NS3" node add root capacity 1gbit)
t=$(ctl "$NS3" target add dev d0 node root)
is_id "$t" || ktap_exit_fail_msg "target add dev d0 in $NS3: $t"
ip netns del "$NS3"
sleep 2	# the namespace's cleanup runs from a workqueue
ns_del_ok() { ctl "$NS" -j target show >/dev/null && ctl "$NS" -j node show >/dev/null; }
iofair_check "ip netns del of a namespace with a target and node $n: the module still serves" ns_del_ok

# --- rmmod with objects in several namespaces -------------------------------
veth "$NS" x0 x1 && veth "$NS2" y0 y1 || ktap_exit_fail_msg "cannot create x0, y0"
several()
{
	ctl "$NS" node add root capacity 1gbit >/dev/null &&
	ctl "$NS" target add dev x0 node root >/dev/null &&
	ctl "$NS2" node add root capacity 10gbit >/dev/null &&
	ctl "$NS2" target add dev y0 node root >/dev/null &&
	ctl "$NS2" target add dev m0 >/dev/null &&
	ctl "$NS" controller set interval 500ms >/dev/null
}
several || ktap_exit_fail_msg "cannot make the objects for rmmod"
iofair_check "rmmod iofair with targets and nodes in two namespaces" rmmod iofair
prompt_del()
{
	local start=$SECONDS
	timeout 5 ip -n "$NS" link del x0 && timeout 5 ip -n "$NS2" link del y0 &&
		timeout 5 ip -n "$NS2" link del m0 && [ $((SECONDS - start)) -le 2 ]
}
iofair_check "the former targets' devices delete at once" prompt_del
reload_empty()
{
	iofair_load || return 1
	local a b c d
	a=$(ctl "$NS" -j target show) b=$(ctl "$NS" -j node show)
	c=$(ctl "$NS2" -j target show) d=$(ctl "$NS2" -j node show)
	ktap_print_msg "after reload: $a $b $c $d"
	[ "$a$b$c$d" = "[][][][]" ] &&
		ctl "$NS" -j controller show | jq -e '.interval_ms != 500' >/dev/null
}
iofair_check "a reload starts empty" reload_empty

dmesg_clean()
{
	local bad
	bad=$(dmesg | tail -n +"$((dmesg_start + 1))" |
	      grep -E 'WARNING|BUG|Oops|refcount_t|waiting for .* to become free|iofair.*(leak|error)')
	[ -z "$bad" ] || { ktap_print_msg "dmesg: $bad"; return 1; }
}
iofair_check "dmesg has no warning, bug or leaked reference" dmesg_clean

ktap_finished
