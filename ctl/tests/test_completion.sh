#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The bash completion, run on command lines as bash would: what it offers
# after each word.  Target ids and node names come from a stand-in for
# iofairctl (targets 3 and 7, node a), so no module is needed; netdevs
# from /sys/class/net (lo).  Usage: test_completion.sh COMPLETION-FILE
comp=${1:?usage: $0 COMPLETION-FILE}
command -v jq >/dev/null || { echo "1..0 # SKIP jq not installed"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/iofairctl" <<'EOS'
#!/bin/sh
case "$*" in
"-j target show") echo '[{"id":3},{"id":7}]' ;;
"-j node show") echo '[{"name":"a"}]' ;;
esac
EOS
chmod +x "$tmp/iofairctl"
# shellcheck source=/dev/null
source "$comp"
n=0 failed=0

# offers LINE: the completions of the last word of LINE (a trailing space: a new word)
offers()
{
	local line=$1
	read -ra COMP_WORDS <<<"$line"
	[[ $line == *" " ]] && COMP_WORDS+=("")
	COMP_WORDS[0]=$tmp/iofairctl
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_iofairctl
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}

# check LINE WANT...: each WANT offered; !WORD: WORD not offered; - alone: nothing offered
check()
{
	local line=$1 got w ok=1
	shift
	got=" $(offers "$line")"
	for w in "$@"; do
		case $w in
		-) [ -z "${got// }" ] || ok= ;;
		!*) [[ $got == *" ${w#!} "* ]] && ok= ;;
		*) [[ $got == *" $w "* ]] || ok= ;;
		esac
	done
	n=$((n + 1))
	if [ -n "$ok" ]; then
		echo "ok $n '$line': $*"
	else
		failed=$((failed + 1))
		echo "not ok $n '$line': $*"
		echo "# offered:$got"
	fi
}

hists=(sojourn kick-delay service-time rtt-icmp rtt-tcp-syn rtt-tcp-data)
echo "KTAP version 1"
echo "1..22"
check "iofairctl " target hist help version
check "iofairctl help " target hist version '!help'
check "iofairctl hist " 3 7 dev vf vhost lo help
check "iofairctl hist 3 " "${hists[@]}" '!all'
check "iofairctl hist 3 rtt" rtt-icmp rtt-tcp-syn rtt-tcp-data '!sojourn'
check "iofairctl hist lo " "${hists[@]}"
check "iofairctl hist dev " lo '!sojourn'
check "iofairctl hist dev lo " "${hists[@]}"
check "iofairctl hist vf lo " -
check "iofairctl hist vf lo 1 " "${hists[@]}"
check "iofairctl hist 3 sojourn " -
check "iofairctl hist help " -
check "iofairctl target add dev lo " host-side node weight
check "iofairctl target add vhost lo " node weight '!host-side'
check "iofairctl target add vf lo " -
check "iofairctl target set " 3 7 dev vf vhost
check "iofairctl target set dev " lo
check "iofairctl target set dev lo " node weight '!host-side'
check "iofairctl target show " 3 dev node kind
check "iofairctl stats kind dev " target node '!lo'
check "iofairctl policy set target " 3 7 dev vhost
check "iofairctl dev " list show help '!lo'
echo "# $((n - failed)) passed, $failed failed"
[ "$failed" = 0 ]
