#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# iofairctl end to end over the iofair genl API: nodes, targets, policies,
# stats and events, every -j output checked with jq, in a netns of its own.
#
#   netns $NS
#   +---------------------------------------------------------------+
#   |  veth-a0 <-> veth-a1     target dev veth-a0 under tenant a    |
#   |  veth-b0 <-> veth-b1     target dev veth-b0 under tenant b    |
#   |  veth-c0 <-> veth-c1     target for the monitor's events      |
#   |                                                               |
#   |  root (capacity 1gbit) --+-- a (tenant, min 100mbit)          |
#   |                          +-- b (tenant, weight 3)             |
#   +---------------------------------------------------------------+
#
# Then: policy set shows up everywhere, deleting a node with children is
# refused with the kernel's message (exit 1), a bad rate is a usage error
# (exit 2), values the kernel's policy refuses are named by their keyword
# with the policy's range, targets are named by their netdev, monitor sees
# target-new and target-del, deleting a veth removes its target with a
# device-gone event.
source "$(dirname "$0")/lib.sh"

iofair_require_root
iofair_require_module
command -v jq >/dev/null || { ktap_skip_all "jq not installed"; exit "$KSFT_SKIP"; }

ktap_print_header
ktap_set_plan 39

iofair_load || ktap_exit_fail_msg "cannot load iofair"
setup_ns NS || ktap_exit_fail_msg "cannot create a netns"
tmp=$(mktemp -d)
cleanup()
{
	local p
	for p in $(jobs -p); do kill "$p" 2>/dev/null; done
	cleanup_all_ns
	rm -rf "$tmp"
	iofair_unload
}
trap cleanup EXIT

ctl() { ip netns exec "$NS" iofairctl "$@"; }
# ctl, keeping stderr in $tmp/err and the exit status in $rc
ctl_rc() { ctl "$@" 2>"$tmp/err"; rc=$?; }
is_id() { [[ $1 =~ ^[1-9][0-9]*$ ]]; }

for v in a b c; do
	ip -n "$NS" link add "veth-${v}0" type veth peer name "veth-${v}1" ||
		ktap_exit_fail_msg "cannot create veth-${v}0"
	ip -n "$NS" link set "veth-${v}0" up
	ip -n "$NS" link set "veth-${v}1" up
done

# --- the tree ---------------------------------------------------------------
root=$(ctl node add root capacity 1gbit)
iofair_check "node add root prints its id ($root)" is_id "$root"
a=$(ctl node add a parent root min 100mbit max 500mbit)
b=$(ctl node add b parent "$root" weight 3)  # parent by id
two_ids() { is_id "$a" && is_id "$b" && [ "$a" != "$b" ]; }
iofair_check "node add a, b (parent by name and by id): ids $a, $b" two_ids

nodes=$(ctl -j node show)
ktap_print_msg "node show: $(jq -c . <<<"$nodes")"
tree_ok()
{
	jq -e --argjson r "$root" --argjson a "$a" --argjson b "$b" '
		length == 3 and
		(.[] | select(.id == $r) | .name == "root" and .kind == "root" and
			.parent == null and .capacity == 1000000000) and
		(.[] | select(.id == $a) | .name == "a" and .kind == "tenant" and
			.parent == $r and .parent_name == "root" and
			.bw_min == 100000000 and .bw_max == 500000000) and
		(.[] | select(.id == $b) | .name == "b" and .parent == $r and .weight == 3) and
		([.[] | .capacity, .bw_min, .bw_max, .weight | select(. != null)] |
			all(type == "number"))' <<<"$nodes" >/dev/null
}
iofair_check "node show -j: the tree, names, kinds, rates as numbers" tree_ok

# --- targets ----------------------------------------------------------------
ta=$(ctl target add dev veth-a0 node a max 200mbit burst 64k)
iofair_check "target add dev veth-a0 node a prints its id ($ta)" is_id "$ta"
tb=$(ctl target add dev veth-b0 node "$b" weight 2 rx-max 50mbit)
iofair_check "target add dev veth-b0 node <id> prints its id ($tb)" is_id "$tb"

targets=$(ctl -j target show)
ktap_print_msg "target show: $(jq -c . <<<"$targets")"
targets_ok()
{
	jq -e --argjson ta "$ta" --argjson tb "$tb" --argjson a "$a" --argjson b "$b" '
		length == 2 and
		(.[] | select(.id == $ta) | .kind == "dev" and .ifname == "veth-a0" and
			.node == $a and .node_name == "a" and .bw_max == 200000000 and
			.burst == 65536 and .enforce == "sw") and
		(.[] | select(.id == $tb) | .ifname == "veth-b0" and .node == $b and
			.weight == 2 and .rx_bw_max == 50000000)' <<<"$targets" >/dev/null
}
iofair_check "target show -j: kinds, netdevs, nodes, policies" targets_ok

one_ok()
{
	[ "$(ctl -j target show "$ta" | jq -r '.[0].ifname')" = veth-a0 ] &&
	[ "$(ctl -j target show kind dev | jq length)" = 2 ] &&
	[ "$(ctl -j target show node b | jq -r '.[].id')" = "$tb" ]
}
iofair_check "target show ID, kind dev, node b" one_ok

under_ok()
{
	ctl -j node show | jq -e --argjson a "$a" --argjson ta "$ta" \
		'.[] | select(.id == $a) | .targets == [$ta]' >/dev/null
}
iofair_check "node show -j lists target $ta under a" under_ok

human=$(ctl node show)
ktap_print_msg "node show:"
while IFS= read -r l; do echo "#   $l"; done <<<"$human"
human_tree_ok()
{
	grep -Eq '^root +' <<<"$human" && grep -Eq '^  a +' <<<"$human" &&
	grep -Eq "^    #$ta veth-a0 " <<<"$human" && grep -Eq "^    #$tb veth-b0 " <<<"$human"
}
iofair_check "node show: a tree indented by depth, targets under their nodes" human_tree_ok

add_bad_dev()
{
	ctl_rc target add dev nosuch0
	[ "$rc" = 1 ] && grep -q "^Error: .\+" "$tmp/err"
}
iofair_check "target add of a missing netdev: exit 1 with the kernel's message" add_bad_dev
ktap_print_msg "  $(cat "$tmp/err")"

add_twice()
{
	ctl_rc target add dev veth-a0
	[ "$rc" = 1 ] && grep -q "veth-a0 is target $ta already" "$tmp/err"
}
iofair_check "target add of a netdev that is a target already: refused" add_twice

# --- policies ---------------------------------------------------------------
ctl policy set target "$ta" max 300mbit weight 5
pol_target_ok()
{
	ctl -j target show "$ta" | jq -e '.[0] | .bw_max == 300000000 and .weight == 5 and
		.burst == 65536' >/dev/null
}
iofair_check "policy set target: the new max and weight, burst kept" pol_target_ok

ctl policy set node b min 200mbit
pol_node_ok()
{
	ctl -j node show b | jq -e '.[0] | .bw_min == 200000000 and .weight == 3' >/dev/null
}
iofair_check "policy set node b: the new min, weight kept" pol_node_ok

pol_show_ok()
{
	ctl -j policy show | jq -e --argjson ta "$ta" '
		length == 5 and
		([.[] | select(.object == "node")] | length) == 3 and
		(.[] | select(.object == "target" and .id == $ta) | .bw_max == 300000000)' >/dev/null
}
iofair_check "policy show -j: 3 nodes and 2 targets with their policies" pol_show_ok

target_set_ok()
{
	ctl target set "$tb" node none rx-max 0 &&
	ctl -j target show "$tb" | jq -e '.[0] | .node == null and .rx_bw_max == 0' >/dev/null &&
	ctl target set "$tb" node b &&
	ctl -j target show "$tb" | jq -e --argjson b "$b" '.[0].node == $b' >/dev/null
}
iofair_check "target set: node none detaches, node b attaches again" target_set_ok

oversub()
{
	# a has 100mbit: b's 950 more are above root's 1gbit
	ctl_rc policy set node b min 950mbit
	[ "$rc" = 1 ] && grep -q "children's bw-min" "$tmp/err"
}
iofair_check "children's guarantees above the root's capacity: refused" oversub
ktap_print_msg "  $(cat "$tmp/err")"

# --- refusals and usage errors ----------------------------------------------
del_parent()
{
	ctl_rc node del root
	[ "$rc" = 1 ] && grep -q "node 'root' has 2 children" "$tmp/err"
}
iofair_check "node del of a node with children: exit 1, the kernel's message" del_parent
ktap_print_msg "  $(cat "$tmp/err")"

bad_rate()
{
	ctl_rc target add dev veth-c0 max 10xbit
	[ "$rc" = 2 ] && grep -q "'10xbit'" "$tmp/err"
}
iofair_check "a bad rate (10xbit): exit 2, the word named" bad_rate

# refused by the op's policy: the keyword typed and the range the kernel reports
refused_as()
{
	local want=$1
	shift
	ctl_rc "$@"
	ktap_print_msg "  $*: $(cat "$tmp/err")"
	[ "$rc" = 1 ] && [ "$(cat "$tmp/err")" = "$want" ]
}
iofair_check "target set weight 70000: the keyword and the policy's range" \
	refused_as "Error: weight: 70000 is out of range 1..65535" target set "$ta" weight 70000
iofair_check "node set weight 70000: the same, from the node's policy nest" \
	refused_as "Error: weight: 70000 is out of range 1..65535" node set b weight 70000
iofair_check "a rate above 1 Tbit/s: in rates" \
	refused_as "Error: max: 2Tbit is out of range 0..1Tbit" target set "$ta" max 2tbit
iofair_check "controller set interval 5: in ms" \
	refused_as "Error: interval: 5ms is out of range 10ms..10000ms" controller set interval 5
iofair_check "a node id that does not exist: the kernel's message after the keyword" \
	refused_as "Error: node: no such node" target set "$ta" node 99999

no_node()
{
	ctl_rc target add dev veth-c0 node nosuch
	[ "$rc" = 1 ] && grep -q "no node named 'nosuch'" "$tmp/err"
}
iofair_check "a node name that does not exist: exit 1" no_node

# --- targets by name ---------------------------------------------------------
by_name_ok()
{
	ctl target set dev veth-a0 weight 4 &&
	ctl policy set target dev veth-a0 max 250mbit &&
	ctl -j target show dev veth-a0 | jq -e --argjson ta "$ta" \
		'length == 1 and .[0].id == $ta and .[0].weight == 4 and
		 .[0].bw_max == 250000000' >/dev/null
}
iofair_check "target set, policy set, target show by dev IFNAME" by_name_ok
by_name_stats()
{
	ctl -j stats target dev veth-b0 | jq -e --argjson tb "$tb" \
		'[.targets[].id] == [$tb]' >/dev/null && ctl stats reset target dev veth-b0
}
iofair_check "stats and stats reset target dev IFNAME" by_name_stats
no_such_name()
{
	ctl_rc target set dev veth-c0 weight 2
	ktap_print_msg "  $(cat "$tmp/err")"
	[ "$rc" = 1 ] && grep -q "^Error: no target is dev veth-c0$" "$tmp/err" &&
	ctl_rc target show vhost veth-a0 && [ "$rc" = 1 ] &&
	grep -q "^Error: no target is vhost veth-a0$" "$tmp/err" &&
	ctl_rc target del dev nosuch0 && [ "$rc" = 1 ] &&
	grep -q "^Error: no netdev 'nosuch0'" "$tmp/err"
}
iofair_check "a name that matches no target (or no netdev): exit 1, said so" no_such_name

# --- stats ------------------------------------------------------------------
ip netns exec "$NS" ping -q -c 3 -i 0.2 -I veth-a0 ff02::1%veth-a0 >/dev/null 2>&1
stats=$(ctl -j stats -d)
ktap_print_msg "stats: $(jq -c . <<<"$stats")"
stats_ok()
{
	jq -e --argjson ta "$ta" --argjson tb "$tb" --argjson r "$root" '
		.time_ns > 0 and
		([.targets[].id] | sort) == ([$ta, $tb] | sort) and
		(.targets[] | select(.id == $ta) | .kind == "dev" and .ifname == "veth-a0" and
			(.source == "none" or (.tx.packets | type == "number"))) and
		(.nodes | map(.id) | index($r) != null)' <<<"$stats" >/dev/null
}
iofair_check "stats -j: one snapshot with both targets and the nodes" stats_ok

stats_one_ok()
{
	ctl -j stats target "$ta" | jq -e --argjson ta "$ta" '[.targets[].id] == [$ta]' >/dev/null
}
iofair_check "stats target ID: only that target" stats_one_ok

human_stats_ok()
{
	local out
	out=$(ctl stats) && grep -Eq "^ *$ta +dev +veth-a0 " <<<"$out"
}
iofair_check "stats: a table row per target" human_stats_ok

watch_ok()
{
	local n
	# head ends it after 3 objects; the timeout only guards a hang (TCG is slow).
	n=$(timeout 15 ip netns exec "$NS" iofairctl -j stats -w 0.5 | head -n 3 | jq -s length)
	[ "$n" = 3 ]
}
iofair_check "stats -j -w 0.5 streams one JSON object per line" watch_ok

ctl stats reset
iofair_check "stats reset" test $? = 0

ctl_rc controller show >"$tmp/out"
ctl_human_ok() { [ "$rc" = 0 ] && grep -Eq '^interval +[0-9]+ ms$' "$tmp/out"; }
iofair_check "controller show" ctl_human_ok
ctl_rc controller set interval 200
ctl_ok()
{
	local out
	out=$(ctl -j controller show)
	ktap_print_msg "controller: $out $(cat "$tmp/err")"
	[ "$rc" = 0 ] && jq -e '.interval_ms == 200' <<<"$out" >/dev/null
}
iofair_check "controller set interval 200 shows up" ctl_ok

# A shorter interval applies at once, not when the step queued under the
# old one comes due (10 s later here).
interval_cut()
{
	local s0 s1
	ctl controller set interval 10000 && sleep 1 &&
	s0=$(ctl -j controller show | jq .steps) &&
	ctl controller set interval 100 && sleep 2 &&
	s1=$(ctl -j controller show | jq .steps) || return 1
	ctl controller set interval 200
	ktap_print_msg "steps in the 2 s after the interval went from 10 s to 100 ms: $((s1 - s0))"
	[ $((s1 - s0)) -ge 3 ]
}
iofair_check "controller set interval 10000 then 100: steps resume at once" interval_cut

# --- events -----------------------------------------------------------------
timeout 30 ip netns exec "$NS" iofairctl -j monitor -c 2 >"$tmp/mon" 2>&1 &
mon=$!
sleep 1
tc_id=$(ctl target add dev veth-c0)
ctl target del "$tc_id"
wait "$mon"
mon_rc=$?
ktap_print_msg "monitor (exit $mon_rc): $(tr '\n' ' ' <"$tmp/mon")"
events_ok()
{
	[ "$mon_rc" = 0 ] &&
	[ "$(jq -s length "$tmp/mon")" = 2 ] &&
	jq -s -e --argjson t "$tc_id" '
		(.[0] | .type == "target-new" and .target == $t and .kind == "dev" and
			.ifname == "veth-c0") and
		(.[1] | .type == "target-del" and .target == $t and .reason == "user")' \
		"$tmp/mon" >/dev/null
}
iofair_check "monitor -c 2 -j: target-new then target-del (reason user)" events_ok

del_ok()
{
	ctl target del "$ta" &&
	[ "$(ctl -j target show | jq --argjson ta "$ta" '[.[] | select(.id == $ta)] | length')" = 0 ] &&
	ctl node del a && ! ctl -j node show | jq -e '.[] | select(.name == "a")' >/dev/null
}
iofair_check "target del, then node del of the emptied node" del_ok

timeout 30 ip netns exec "$NS" iofairctl -j monitor -c 1 >"$tmp/mon" 2>&1 &
mon=$!
sleep 1
ip -n "$NS" link del veth-b0
wait "$mon"
mon_rc=$?
ktap_print_msg "monitor (exit $mon_rc): $(tr '\n' ' ' <"$tmp/mon")"
gone_ok()
{
	[ "$(ctl -j target show | jq --argjson tb "$tb" '[.[] | select(.id == $tb)] | length')" = 0 ]
}
iofair_check "deleting veth-b0 removes its target" gone_ok
gone_event()
{
	[ "$mon_rc" = 0 ] &&
	jq -e --argjson t "$tb" '.type == "target-del" and .target == $t and
		.reason == "device-gone"' "$tmp/mon" >/dev/null
}
iofair_check "... with a target-del event, reason device-gone" gone_event

ktap_finished
