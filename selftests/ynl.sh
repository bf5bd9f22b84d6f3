#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The spec is the API: the kernel's generic ynl client (tools/net/ynl/cli.py),
# driven by nothing but Documentation/netlink/specs/iofair.yaml, talks to the
# module and agrees with iofairctl.
#
#   netns $NS_A                           netns $NS_B
#   +---------------------------------+   +-------------------------+
#   |  a0 10.77.0.1/24  <------ veth ------>  b0 10.77.0.2/24        |
#   |  target dev a0 (added by ynl)   |   |  ping -c N 10.77.0.1    |
#   |  under node root (ynl)          |   |                         |
#   +---------------------------------+   +-------------------------+
#
# version-get, node-new, target-add through ynl; target-get and stats-get
# dumps through ynl match `iofairctl -j target show` and `iofairctl -j stats`
# (ids, ifindexes, packet counts after a known ping with IPv6 off and
# permanent neighbours, so nothing else crosses the link).
source "$(dirname "$0")/lib.sh"

TOP=$(cd "$IOFAIR_SELFTESTS/.." && pwd)
YNL=$TOP/build/ksrc/tools/net/ynl/cli.py
SPEC=$TOP/Documentation/netlink/specs/iofair.yaml
SCHEMA=$TOP/build/ksrc/Documentation/netlink/genetlink.yaml
N=5

iofair_require_root
iofair_require_module
command -v jq >/dev/null || { ktap_skip_all "jq not installed"; exit "$KSFT_SKIP"; }
if [ ! -f "$YNL" ] || [ ! -f "$SCHEMA" ]; then
	ktap_skip_all "the kernel's ynl cli.py or genetlink.yaml not in build/ksrc (run 'make deps')"
	exit "$KSFT_SKIP"
fi
python3 -c 'import yaml, jsonschema' 2>/dev/null ||
	{ ktap_skip_all "python3 yaml or jsonschema missing (ynl needs them)"; exit "$KSFT_SKIP"; }

ktap_print_header
ktap_set_plan 7

iofair_load || ktap_exit_fail_msg "cannot load iofair"
setup_ns NS_A NS_B || ktap_exit_fail_msg "cannot create namespaces"
cleanup()
{
	cleanup_all_ns
	iofair_unload
}
trap cleanup EXIT

# ynl NS ARGS...: cli.py in netns NS, JSON out.
ynl() { local ns=$1; shift; ip netns exec "$ns" python3 "$YNL" --spec "$SPEC" --schema "$SCHEMA" --output-json "$@"; }
ctl() { ip netns exec "$NS_A" iofairctl "$@"; }

for ns in "$NS_A" "$NS_B"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip -n "$NS_A" link add a0 type veth peer name b0 netns "$NS_B" ||
	ktap_exit_fail_msg "cannot create the veth pair"
ip -n "$NS_A" addr add 10.77.0.1/24 dev a0
ip -n "$NS_B" addr add 10.77.0.2/24 dev b0
ip -n "$NS_A" link set a0 up
ip -n "$NS_B" link set b0 up
# Permanent neighbours: no ARP probe (about 5 s after the ping, when the entry
# goes stale) can land between the two reads of the counters below.
ip -n "$NS_A" neigh replace 10.77.0.2 dev a0 nud permanent \
	lladdr "$(ip netns exec "$NS_B" cat /sys/class/net/b0/address)"
ip -n "$NS_B" neigh replace 10.77.0.1 dev b0 nud permanent \
	lladdr "$(ip netns exec "$NS_A" cat /sys/class/net/a0/address)"
ip -n "$NS_A" link add c0 type veth peer name c1
a0=$(ip netns exec "$NS_A" cat /sys/class/net/a0/ifindex)
c0=$(ip netns exec "$NS_A" cat /sys/class/net/c0/ifindex)

# --- version-get --------------------------------------------------------------
ver=$(ynl "$NS_A" --do version-get)
ktap_print_msg "version-get: $(jq -c '{version, "kernel-release", "vhost-worker", hooks}' <<<"$ver")"
version_ok()
{
	jq -e --arg rel "$(uname -r)" --arg v "$(iofairctl -j version | jq -r .module)" \
		'.version == $v and ."kernel-release" == $rel and (.probe | length) > 0' \
		<<<"$ver" >/dev/null
}
iofair_check "ynl version-get: the version iofairctl reports, this kernel's release, probes" version_ok

# --- node-new, target-add -------------------------------------------------------
node=$(ynl "$NS_A" --do node-new --json '{"name": "root", "capacity": 1000000000}')
root=$(jq -r .id <<<"$node")
node_ok() { [[ $root =~ ^[1-9][0-9]*$ ]] && [ "$(ctl -j node show | jq -r '.[0].name')" = root ]; }
iofair_check "ynl node-new: root $root, seen by iofairctl" node_ok

ta=$(ynl "$NS_A" --do target-add --json "{\"kind\": \"dev\", \"ifindex\": $a0, \"node\": $root}" | jq -r .id)
tc=$(ynl "$NS_A" --do target-add --json "{\"kind\": \"dev\", \"ifname\": \"c0\"}" | jq -r .id)
target_ok() { [[ $ta =~ ^[1-9][0-9]*$ ]] && [[ $tc =~ ^[1-9][0-9]*$ ]] && [ "$ta" != "$tc" ]; }
iofair_check "ynl target-add by ifindex ($ta) and by ifname ($tc)" target_ok

# --- dumps agree ----------------------------------------------------------------
pairs_ynl=$(ynl "$NS_A" --dump target-get | jq -c '[.[] | [.id, .ifindex]] | sort')
pairs_ctl=$(ctl -j target show | jq -c '[.[] | [.id, .ifindex]] | sort')
ktap_print_msg "ynl: $pairs_ynl iofairctl: $pairs_ctl"
same_targets()
{
	[ "$pairs_ynl" = "$pairs_ctl" ] &&
		[ "$pairs_ynl" = "$(jq -cn --argjson a "$ta" --argjson c "$tc" \
			--argjson ia "$a0" --argjson ic "$c0" '[[$a, $ia], [$c, $ic]] | sort')" ]
}
iofair_check "ynl --dump target-get: the ids and ifindexes of iofairctl target show" same_targets

ip netns exec "$NS_B" ping -q -c "$N" -i 0.2 -W 2 10.77.0.1 >/dev/null ||
	ktap_print_msg "ping $NS_B -> $NS_A failed"
sleep 0.5
counts_ynl=$(ynl "$NS_A" --dump stats-get |
	     jq -c --argjson id "$ta" '.[] | select(."target-id" == $id) | [.tx.packets, .rx.packets]')
counts_ctl=$(ctl -j stats | jq -c --argjson id "$ta" '.targets[] | select(.id == $id) | [.tx.packets, .rx.packets]')
ktap_print_msg "target $ta [tx, rx] packets: ynl $counts_ynl iofairctl $counts_ctl"
iofair_check "ynl --dump stats-get: the packet counts of iofairctl stats" \
	test -n "$counts_ynl" -a "$counts_ynl" = "$counts_ctl"
counted() { jq -e --argjson n "$N" '.[0] == $n and .[1] == $n' <<<"$counts_ynl" >/dev/null; }
iofair_check "after ping -c $N: $N echo replies sent and $N requests received" counted

one_time()
{
	ynl "$NS_A" --dump stats-get | jq -e 'length == 3 and ([.[].time] | unique | length) == 1' >/dev/null
}
iofair_check "ynl --dump stats-get: 2 targets and a node, one snapshot time" one_time

ktap_finished
