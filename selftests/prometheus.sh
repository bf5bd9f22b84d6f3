#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# iofairctl stats --format prometheus against iofairctl -j stats: the same
# counters, in a well-formed text exposition, and no samples where nothing
# measures.
#
#   init netns                                   netns $NS_B
#   +---------------------------------------+    +----------------------+
#   |  a0 10.78.0.1/24  <-------- veth --------->  b0 10.78.0.2/24       |
#   |  target dev a0, node 'te"n\ant'       |    |  ping -c N 10.78.0.1 |
#   |  c0 <-> c1: target dev c0, no node    |    +----------------------+
#   |  root (capacity 1gbit) -- 'te"n\ant'  |
#   |  $IOFAIR_PF VF 0 without a driver (as |
#   |  if passed through): target vf, no    |
#   |  counters (source none)               |
#   +---------------------------------------+
#
# The format is checked by a strict parser of our own (HELP, then TYPE,
# then the family's samples; each family once; iofair_ names; label
# escapes) and by the prometheus_client package's parser.  Counters from
# one -j snapshot before and one after lie around the exposition's.
source "$(dirname "$0")/lib.sh"

N=7

iofair_require_root
iofair_require_module
command -v jq >/dev/null || { ktap_skip_all "jq not installed"; exit "$KSFT_SKIP"; }
command -v python3 >/dev/null || { ktap_skip_all "python3 not installed"; exit "$KSFT_SKIP"; }

ktap_print_header
ktap_set_plan 12

iofair_load || ktap_exit_fail_msg "cannot load iofair"
setup_ns NS_B || ktap_exit_fail_msg "cannot create a netns"
tmp=$(mktemp -d)
pfdev=""
cleanup()
{
	ip link del a0 2>/dev/null
	ip link del c0 2>/dev/null
	cleanup_all_ns
	iofair_unload
	if [ -n "$pfdev" ]; then
		echo 0 > "$pfdev/sriov_numvfs"
		echo 1 > "$pfdev/sriov_drivers_autoprobe"
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# A strict reader of the text format (0.0.4), and queries on it:
#   check FILE            the format's rules; prints "F families, S samples"
#   get FILE NAME [K=V]   the values of NAME's samples whose labels match
#   labels FILE NAME      the label sets of NAME's samples, one JSON per line
cat > "$tmp/prom.py" <<'EOF'
import json, re, sys

NAME = r'iofair_[a-z_]+'
VAL = r'"((?:[^"\\\n]|\\[\\"n])*)"'
SAMPLE = re.compile(r'^(%s)\{([a-z_]+=%s(?:,[a-z_]+=%s)*)\} (\S+)$' % (NAME, VAL, VAL))
LABEL = re.compile(r'([a-z_]+)=%s' % VAL)

def unescape(s):
    return re.sub(r'\\(.)', lambda m: {'n': '\n'}.get(m.group(1), m.group(1)), s)

def parse(path):
    """[(family, type, [(labels, value)])]; raises ValueError on any fault"""
    fams, seen, want_type = [], set(), None
    for no, line in enumerate(open(path).read().split('\n'), 1):
        if line == '' and no > 1:
            continue
        m = re.match(r'^# HELP (%s) (\S.*)$' % NAME, line)
        if m:
            if want_type or m.group(1) in seen:
                raise ValueError('line %d: HELP out of place or twice: %s' % (no, line))
            seen.add(m.group(1))
            want_type = m.group(1)
            continue
        m = re.match(r'^# TYPE (%s) (counter|gauge)$' % NAME, line)
        if m:
            if m.group(1) != want_type:
                raise ValueError('line %d: TYPE not right after its HELP: %s' % (no, line))
            if (m.group(2) == 'counter') != m.group(1).endswith('_total'):
                raise ValueError('line %d: counters and only counters end in _total' % no)
            fams.append((m.group(1), m.group(2), []))
            want_type = None
            continue
        m = SAMPLE.match(line)
        if not m or want_type or not fams or m.group(1) != fams[-1][0]:
            raise ValueError('line %d: not a sample of the current family: %s' % (no, line))
        pairs = LABEL.findall(m.group(2))
        labels = {k: unescape(v) for k, v in pairs}
        if len(labels) != len(pairs):
            raise ValueError('line %d: a label twice' % no)
        v = m.group(len(m.groups()))
        if not re.match(r'^(0|[1-9][0-9]*)(\.[0-9]+)?$', v):
            raise ValueError('line %d: value %s' % (no, v))
        fams[-1][2].append((labels, v))
    if want_type:
        raise ValueError('HELP without TYPE at the end')
    return fams

cmd, path = sys.argv[1], sys.argv[2]
try:
    fams = parse(path)
except ValueError as e:
    print(e)
    sys.exit(1)
if cmd == 'check':
    print('%d families, %d samples' % (len(fams), sum(len(f[2]) for f in fams)))
    sys.exit(0)
want = dict(a.split('=', 1) for a in sys.argv[4:])
for name, _, samples in fams:
    if name != sys.argv[3]:
        continue
    for labels, v in samples:
        if all(labels.get(k) == x for k, x in want.items()):
            print(v if cmd == 'get' else json.dumps(labels, sort_keys=True))
EOF
prom() { python3 "$tmp/prom.py" "$@"; }

# No IPv6 on the veths: nothing but the pings (and ARP) on a0.
ip netns exec "$NS_B" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip link add a0 type veth peer name b0 netns "$NS_B" || ktap_exit_fail_msg "cannot create the veth pair"
sysctl -qw net.ipv6.conf.a0.disable_ipv6=1
ip addr add 10.78.0.1/24 dev a0
ip -n "$NS_B" addr add 10.78.0.2/24 dev b0
ip link set a0 up
ip -n "$NS_B" link set b0 up
ip link add c0 type veth peer name c1
sysctl -qw net.ipv6.conf.c0.disable_ipv6=1 net.ipv6.conf.c1.disable_ipv6=1
ip link set c0 up
ip link set c1 up

node='te"n\ant'
iofairctl node add root capacity 1gbit >/dev/null || ktap_exit_fail_msg "node add root"
iofairctl node add "$node" parent root >/dev/null || ktap_exit_fail_msg "node add $node"
ta=$(iofairctl target add dev a0 node "$node") || ktap_exit_fail_msg "target add dev a0"
tc=$(iofairctl target add dev c0) || ktap_exit_fail_msg "target add dev c0"

# A VF nothing measures: no driver binds it (as when passed through to a
# VM), and igb has no per-VF counters.
tv=""
if [ -n "${IOFAIR_PF:-}" ] && [ -e "/sys/class/net/$IOFAIR_PF/device/sriov_numvfs" ]; then
	pfdev=/sys/class/net/$IOFAIR_PF/device
	echo 0 > "$pfdev/sriov_numvfs"
	echo 0 > "$pfdev/sriov_drivers_autoprobe"
	echo 1 > "$pfdev/sriov_numvfs" || ktap_exit_fail_msg "cannot create a VF on $IOFAIR_PF"
	tv=$(iofairctl target add vf "$IOFAIR_PF" 0) || ktap_exit_fail_msg "target add vf $IOFAIR_PF 0"
fi

ip netns exec "$NS_B" ping -q -c "$N" -i 0.2 -W 2 10.78.0.1 >/dev/null ||
	ktap_print_msg "ping $NS_B -> a0 failed"
sleep 0.3

iofairctl -j stats > "$tmp/j1"
iofairctl stats --format prometheus > "$tmp/prom"
rc=$?
iofairctl -j stats > "$tmp/j2"
ktap_print_msg "$(wc -l < "$tmp/prom") lines; $(grep -c '^# TYPE' "$tmp/prom") families"
iofair_check "stats --format prometheus: exit 0" test "$rc" = 0

res=$(prom check "$tmp/prom")
ktap_print_msg "$res"
well_formed() { prom check "$tmp/prom" >/dev/null; }
iofair_check "the format's rules: HELP, TYPE once per family, then its samples; names, labels" \
	well_formed

if python3 -c 'import prometheus_client' 2>/dev/null; then
	pc_parse()
	{
		python3 - "$tmp/prom" <<-'EOF'
		import sys
		from prometheus_client.parser import text_string_to_metric_families
		f = list(text_string_to_metric_families(open(sys.argv[1]).read()))
		print('prometheus_client: %d families, %d samples' % (len(f), sum(len(x.samples) for x in f)))
		EOF
	}
	out=$(pc_parse 2>&1)
	rc=$?
	ktap_print_msg "$(tail -n1 <<<"$out")"
	iofair_check "prometheus_client's parser reads it" test "$rc" = 0
else
	ktap_test_skip "prometheus_client not installed (python3-prometheus-client)"
fi

# tx, rx packets and bytes of target $1 from -j snapshot $2
jcount() { jq -r --argjson id "$1" '.targets[] | select(.id == $id) |
	[.tx.packets, .rx.packets, .tx.bytes, .rx.bytes] | map(tostring) | join(" ")' "$2"; }
pcount()
{
	local d f out=()
	for f in packets bytes; do
		for d in tx rx; do
			out+=("$(prom get "$tmp/prom" "iofair_target_${f}_total" target="$1" direction=$d)")
		done
	done
	echo "${out[0]} ${out[1]} ${out[2]} ${out[3]}"
}
between()	# $1 $2 $3: lists of counters; every $1 <= $2 <= $3
{
	local a b c i
	read -ra a <<<"$1"; read -ra b <<<"$2"; read -ra c <<<"$3"
	[ ${#a[@]} = 4 ] && [ ${#b[@]} = 4 ] && [ ${#c[@]} = 4 ] || return 1
	for i in 0 1 2 3; do
		[ "${a[i]}" -le "${b[i]}" ] && [ "${b[i]}" -le "${c[i]}" ] || return 1
	done
}
for t in "$ta" "$tc"; do
	j1=$(jcount "$t" "$tmp/j1") p=$(pcount "$t") j2=$(jcount "$t" "$tmp/j2")
	ktap_print_msg "target $t [tx rx packets, tx rx bytes]: -j $j1 | prometheus $p | -j $j2"
	iofair_check "target $t: packet and byte counters those of -j stats" between "$j1" "$p" "$j2"
done
pinged()
{
	local c
	read -ra c <<<"$(pcount "$ta")"
	[ "${c[0]}" -ge "$N" ] && [ "${c[1]}" -ge "$N" ] && [ "${c[0]}" -le $((N + 4)) ] &&
		[ "${c[1]}" -le $((N + 4)) ] && [ "${c[2]}" -ge $((N * 98)) ]
}
iofair_check "target $ta: the $N pings (98-byte frames) and their replies" pinged

labels=$(prom labels "$tmp/prom" iofair_target_packets_total target="$ta" direction=tx)
ktap_print_msg "labels: $labels"
labels_ok()
{
	jq -e --arg t "$ta" --arg n "$node" '. == {target: $t, kind: "dev", node: $n,
		ifname: "a0", direction: "tx"}' <<<"$labels" >/dev/null
}
iofair_check "labels target, kind, node (escaped and read back), ifname, direction" labels_ok

grep -F "node=\"te\\\"n\\\\ant\"" "$tmp/prom" | head -n1 | sed 's/^/# /'
iofair_check "the node's name escaped in the text: te\\\"n\\\\ant" \
	grep -qF "node=\"te\\\"n\\\\ant\"" "$tmp/prom"

cap_ok()
{
	[ "$(prom get "$tmp/prom" iofair_node_capacity_bits_per_second node=root)" = \
	  "$(jq '.nodes[] | select(.name == "root") | .capacity' "$tmp/j1")" ] &&
		[ "$(prom get "$tmp/prom" iofair_node_capacity_bits_per_second node=root)" = 1000000000 ]
}
iofair_check "node root: capacity 1000000000, as -j stats says" cap_ok

if [ -n "$tv" ]; then
	no_samples()
	{
		local f
		[ "$(jq -r --argjson id "$tv" '.targets[] | select(.id == $id) |
			"\(.source) \(.tx) \(.rx)"' "$tmp/j1")" = "none null null" ] || return 1
		[ "$(prom get "$tmp/prom" iofair_target_info target="$tv" kind=vf \
			ifname="$IOFAIR_PF" vf=0 source=none)" = 1 ] || return 1
		for f in packets_total bytes_total rate_bits_per_second drops_total \
			 delayed_packets_total conformance_ratio; do
			[ -z "$(prom get "$tmp/prom" "iofair_target_$f" target="$tv")" ] || return 1
		done
	}
	iofair_check "vf target $tv without counters: source none, no traffic samples (not 0)" \
		no_samples
else
	ktap_test_skip "no SR-IOV PF for a vf target without counters (run in selftests/vm/run)"
fi

# The options: --format json is -j, the others refuse -j and --watch.
same_json()
{
	iofairctl stats --format json | jq -e --slurpfile j "$tmp/j1" \
		'[.targets[].id] == [$j[0].targets[].id] and [.nodes[].name] == [$j[0].nodes[].name]' \
		>/dev/null
}
iofair_check "--format json: the -j snapshot" same_json
usage_errors()
{
	local rc1 rc2 rc3
	iofairctl -j stats --format prometheus >/dev/null 2>&1; rc1=$?
	iofairctl stats --format prometheus -w 1 >/dev/null 2>&1; rc2=$?
	iofairctl stats --format yaml >/dev/null 2>&1; rc3=$?
	ktap_print_msg "exit -j --format prometheus: $rc1, with -w: $rc2, --format yaml: $rc3"
	[ "$rc1" = 2 ] && [ "$rc2" = 2 ] && [ "$rc3" = 2 ]
}
iofair_check "usage errors (exit 2): -j with --format prometheus, --watch, unknown format" \
	usage_errors

ktap_finished
