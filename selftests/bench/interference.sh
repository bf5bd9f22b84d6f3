#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Interference: the RTT of one victim target on each path while 0..N
# neighbours saturate the same host, and while its CPUs are loaded at rising
# degrees (stress-ng --cpu-load, the paper's "RTT vs. CPU-intensive degree").
# Everything is measured by iofair at the victim's netdev (rtt-icmp), and on
# the vhost path also the vhost worker's kick-to-service delay of the
# victim's virtqueues, to tell how much of its RTT is waiting for the worker.
#
#   VF path (the VM's emulated 82576, --vfs 7)
#     ns vfa: VF0 192.0.2.1 --ping--> VF1 192.0.2.2 ns vfb      victim: target vf PF 0
#     ns nbI: VF(1+I) 192.0.2.(10+I) --iperf3 TCP--> VF6 192.0.2.100 ns sink (I = 1..4)
#
#   vhost path (vhost-net and virtio-net-guest)
#     ns vh: tap vv0 10.77.80.1 --ping--> guest 10.77.80.2 (--mode echo)  victim: target vhost vv0
#     ns vh: tap vnI 10.77.(80+I).1 <-- guest --mode tx, flat out (I = 1..4)
#
# Per phase: histograms reset, neighbours or load started, PINGS pings at
# INTERVAL from the victim's side, figures read.  Prints one table; --json
# FILE also writes one JSON object per phase.
#
#   selftests/vm/run --kernel 6.12 --vfs 7 --load --timeout 1200 -- \
#	./selftests/bench/interference.sh
#
# (about 5 minutes under TCG on an idle 2-core machine; more when it is shared)
#
# Options: --neighbours N (0..4, default 3), --loads "0 25 50 75 100",
# --pings N (default 50), --interval S (default 0.02), --paths "vf vhost",
# --json FILE.  A path whose facility is missing (no PF with 7 VFs, no
# /dev/vhost-net) is left out with a note.
set -u

neigh=3 loads="0 25 50 75 100" pings=50 interval=0.02 paths="vf vhost" json=""
while [ $# -gt 0 ]; do
	case $1 in
	--neighbours) neigh=$2; shift 2 ;;
	--loads) loads=$2; shift 2 ;;
	--pings) pings=$2; shift 2 ;;
	--interval) interval=$2; shift 2 ;;
	--paths) paths=$2; shift 2 ;;
	--json) json=$2; shift 2 ;;
	-h|--help) sed -n "3,31p" "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "interference: unknown option $1" >&2; exit 2 ;;
	esac
done
case $neigh in [0-4]) ;; *) echo "interference: --neighbours takes 0..4" >&2; exit 2 ;; esac

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
export PATH=$top/build/bin:$top/build/selftests:$PATH
for c in iofairctl jq ping stress-ng iperf3; do
	command -v "$c" >/dev/null || { echo "interference: $c not found" >&2; exit 1; }
done
lsmod | grep -q '^iofair ' || insmod "${IOFAIR_KO:?iofair is not loaded and IOFAIR_KO is not set}"

tmp=$(mktemp -d)
pids=()
nslist=()
pf=${IOFAIR_PF:-}
pfdev=${pf:+/sys/class/net/$pf/device}
cleanup()
{
	local p ns
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for ns in "${nslist[@]}"; do ip netns del "$ns" 2>/dev/null; done
	[ -n "$pfdev" ] && echo 0 > "$pfdev/sriov_numvfs" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
[ -n "$json" ] && : > "$json"

mkns() { ip netns add "$1" && ip -n "$1" link set lo up && nslist+=("$1"); }

# --- the VF path -----------------------------------------------------------------
vf_setup()
{
	local i vf
	[ -n "$pfdev" ] && [ -e "$pfdev/sriov_totalvfs" ] &&
		[ "$(cat "$pfdev/sriov_totalvfs")" -ge 7 ] || { echo "no PF with 7 VFs"; return 1; }
	modprobe igbvf
	if [ "$(cat "$pfdev/sriov_numvfs")" != 7 ]; then
		echo 0 > "$pfdev/sriov_numvfs" && echo 7 > "$pfdev/sriov_numvfs" || return 1
	fi
	for i in $(seq 0 6); do
		for _ in $(seq 200); do
			[ -n "$(ls "$pfdev/virtfn$i/net" 2>/dev/null)" ] && break
			sleep 0.1
		done
	done
	vfin() {	# VF index, netns, address
		vf=$(ls "$pfdev/virtfn$1/net") && mkns "$2" && ip link set "$vf" netns "$2" &&
		ip -n "$2" addr add "$3/24" dev "$vf" && ip -n "$2" link set "$vf" up
	}
	vfin 0 vfa 192.0.2.1 && vfin 1 vfb 192.0.2.2 && vfin 6 sink 192.0.2.100 || return 1
	for i in 1 2 3 4; do
		vfin $((1 + i)) "nb$i" "192.0.2.$((10 + i))" || return 1
		ip netns exec sink iperf3 -s -D -p $((5200 + i)) || return 1
	done
	for _ in $(seq 50); do
		ip netns exec vfa ping -c 1 -W 1 192.0.2.2 >/dev/null && break
	done
	vf_id=$(iofairctl target add vf "$pf" 0 hist rtt-icmp) || return 1
	vf_ctl=(iofairctl)
}
vf_neigh_start()	# I
{
	ip netns exec "nb$1" iperf3 -c 192.0.2.100 -p $((5200 + $1)) -t 600 >/dev/null 2>&1 &
	pids+=($!)
}

# --- the vhost path -----------------------------------------------------------------
guest()	# tap, address, mode args...
{
	local tap=$1 ip=$2
	shift 2
	ip netns exec vh virtio-net-guest --tap "$tap" --ip "$ip" --verbose "$@" \
		>"$tmp/$tap.out" 2>"$tmp/$tap.err" &
	pids+=($!)
	for _ in $(seq 150); do
		grep -q '^virtio-net-guest: ready' "$tmp/$tap.err" && return 0
		sleep 0.1
	done
	echo "guest on $tap not ready: $(cat "$tmp/$tap.err")"
	return 1
}
vhost_setup()
{
	local i
	modprobe vhost_net 2>/dev/null
	[ -c /dev/vhost-net ] || { echo "no /dev/vhost-net"; return 1; }
	mkns vh || return 1
	guest vv0 10.77.80.2 --mode echo || return 1
	ip netns exec vh sysctl -qw net.ipv6.conf.vv0.disable_ipv6=1
	ip -n vh addr add 10.77.80.1/24 dev vv0 && ip -n vh link set vv0 up || return 1
	for i in 1 2 3 4; do
		ip -n vh tuntap add dev "vn$i" mode tap vnet_hdr &&
			ip netns exec vh sysctl -qw "net.ipv6.conf.vn$i.disable_ipv6=1" &&
			ip -n vh addr add "10.77.$((80 + i)).1/24" dev "vn$i" &&
			ip -n vh link set "vn$i" up || return 1
	done
	ip netns exec vh ping -c 1 -W 2 10.77.80.2 >/dev/null
	vh_id=$(ip netns exec vh iofairctl target add vhost vv0 hist rtt-icmp,kick-delay,service-time) ||
		return 1
	vh_ctl=(ip netns exec vh iofairctl)
}
vhost_neigh_start()	# I
{
	local mac
	mac=$(ip -n vh -j link show "vn$1" | jq -r '.[0].address')
	ip netns exec vh virtio-net-guest --tap "vn$1" --mode tx --ip "10.77.$((80 + $1)).2" \
		--peer "10.77.$((80 + $1)).1" --peer-mac "$mac" --size 1000 --duration 600 \
		>/dev/null 2>&1 &
	pids+=($!)
}

# --- phases -----------------------------------------------------------------------
stop_load()
{
	local p
	for p in "${phase_pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	phase_pids=()
}

# hist_of KIND FIELD: a figure of a histogram in $hists, "-" when none.
hist_of()
{
	jq -r --arg k "$1" ".hists[] | select(.kind == \$k) | .$2 // \"-\"" <<<"$hists"
}
us() { [ "$1" = - ] && echo - || awk -v v="$1" 'BEGIN { printf "%.0f", v / 1000 }'; }

printf '%-6s %-10s %5s %8s %8s %8s %8s %8s %9s %s\n' path load count p50_us p90_us p99_us \
	p999_us mean_us ping_avg "worker delay"

# phase PATH LOAD-LABEL NEIGHBOURS CPU-LOAD
phase()
{
	local path=$1 label=$2 n=$3 cpu=$4 id ns addr i out avg ctl hists
	local count p50 p90 p99 p999 mean sum kd_sum kd_n share=-
	if [ "$path" = vf ]; then
		id=$vf_id ns=vfa addr=192.0.2.2 ctl=("${vf_ctl[@]}")
	else
		id=$vh_id ns=vh addr=10.77.80.2 ctl=("${vh_ctl[@]}")
	fi
	phase_pids=()
	for i in $(seq "$n"); do
		"${path}_neigh_start" "$i"
		phase_pids+=("${pids[-1]}")
	done
	if [ "$cpu" -gt 0 ]; then
		stress-ng --cpu "$(nproc)" --cpu-load "$cpu" --timeout 600 >/dev/null 2>&1 &
		phase_pids+=($!)
	fi
	sleep 1.5	# neighbours at full speed, load settled
	"${ctl[@]}" stats reset target "$id"
	out=$(ip netns exec "$ns" ping -q -c "$pings" -i "$interval" -W 2 "$addr")
	avg=$(sed -n 's|^rtt [^=]*= [0-9.]*/\([0-9.]*\)/.*|\1|p' <<<"$out")
	hists=$("${ctl[@]}" -j hist "$id" 2>/dev/null) || hists='{"hists": []}'
	count=$(hist_of rtt-icmp count)
	p50=$(hist_of rtt-icmp p50_ns)
	p90=$(hist_of rtt-icmp p90_ns)
	p99=$(hist_of rtt-icmp p99_ns)
	p999=$(hist_of rtt-icmp p999_ns)
	mean=$(hist_of rtt-icmp mean_ns)
	sum=$(hist_of rtt-icmp sum_ns)
	kd_sum=- kd_n=-
	if [ "$path" = vhost ]; then
		kd_sum=$(hist_of kick-delay sum_ns)
		kd_n=$(hist_of kick-delay count)
		# The victim's worker waits, summed over the window, over the RTTs
		# summed over it: the share of the path's time spent queued for
		# the worker (both directions of each echo, and whatever else the
		# victim's queues carried).
		[ "$sum" != - ] && [ "$kd_sum" != - ] && [ "$sum" -gt 0 ] &&
			share=$(awk -v k="$kd_sum" -v s="$sum" 'BEGIN { printf "%.0f%%", 100 * k / s }')
	fi
	stop_load
	printf '%-6s %-10s %5s %8s %8s %8s %8s %8s %9s %s\n' "$path" "$label" "$count" \
		"$(us "$p50")" "$(us "$p90")" "$(us "$p99")" "$(us "$p999")" "$(us "$mean")" \
		"${avg:--}ms" "$share${kd_n:+ ($kd_n waits)}"
	[ -n "$json" ] && jq -nc --arg path "$path" --argjson neighbours "$n" --argjson cpu "$cpu" \
		--arg count "$count" --arg p50 "$p50" --arg p90 "$p90" --arg p99 "$p99" \
		--arg p999 "$p999" --arg mean "$mean" --arg sum "$sum" --arg avg "${avg:-}" \
		--arg kd_sum "$kd_sum" --arg kd_n "$kd_n" '
		def num: if . == "-" or . == "" then null else tonumber end;
		{path: $path, neighbours: $neighbours, cpu_load_pct: $cpu,
		 rtt: {count: ($count | num), p50_ns: ($p50 | num), p90_ns: ($p90 | num),
		       p99_ns: ($p99 | num), p999_ns: ($p999 | num), mean_ns: ($mean | num),
		       sum_ns: ($sum | num)},
		 ping_avg_ms: ($avg | num),
		 kick_delay: {count: ($kd_n | num), sum_ns: ($kd_sum | num)}}' >> "$json"
}

for path in $paths; do
	if ! "${path}_setup" > "$tmp/setup.log" 2>&1; then
		echo "$path: left out: $(tail -n 3 "$tmp/setup.log" | tr '\n' ' ')"
		continue
	fi
	for n in $(seq 0 "$neigh"); do
		phase "$path" "nb $n" "$n" 0
	done
	for l in $loads; do
		[ "$l" = 0 ] && continue	# that is "nb 0"
		phase "$path" "cpu $l%" 0 "$l"
	done
done
