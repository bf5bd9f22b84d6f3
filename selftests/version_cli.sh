#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# iofairctl version, human and JSON, against the loaded module: the versions
# and what the module found in the running kernel match what the kernel says
# about itself.
source "$(dirname "$0")/lib.sh"

iofair_require_root
iofair_require_module

ktap_print_header
ktap_set_plan 10

iofair_load || ktap_exit_fail_msg "cannot load iofair"
trap iofair_unload EXIT

json=$(iofairctl -j version)
iofair_check "iofairctl -j version succeeds" test $? = 0
json_valid() { jq -e . <<<"$json" >/dev/null; }
iofair_check "-j output is valid JSON" json_valid

kver=$(uname -r)
iofair_check "kernel release matches uname -r" \
	test "$(jq -r .kernel <<<"$json")" = "$kver"

modver=$(modinfo -F version "${IOFAIR_KO:-iofair}")
iofair_check "module version matches modinfo ($modver)" \
	test "$(jq -r .module <<<"$json")" = "$modver"

# vhost_task workers replaced kthreads in 6.4.
major=${kver%%.*}; minor=${kver#*.}; minor=${minor%%[.-]*}
if [ "$major" -gt 6 ] || { [ "$major" = 6 ] && [ "$minor" -ge 4 ]; }; then
	want=vhost-task
else
	want=kthread
fi
iofair_check "vhost worker kind is $want" \
	test "$(jq -r .vhost_worker <<<"$json")" = "$want"

want_hooks=""
grep -q '^CONFIG_NETFILTER_INGRESS=y' "/boot/config-$kver" && want_hooks+="nf-ingress "
grep -q '^CONFIG_NETFILTER_EGRESS=y' "/boot/config-$kver" && want_hooks+="nf-egress "
grep -q '^CONFIG_KPROBES=y' "/boot/config-$kver" && want_hooks+="kprobes "
iofair_check "hooks match the kernel config ($want_hooks)" \
	test "$(jq -r '.hooks | join(" ")' <<<"$json") " = "$want_hooks"

# Probe points in vhost_net are available once it is loaded.
modprobe vhost_net
json=$(iofairctl -j version)
iofair_check "handle_tx_kick probe available with vhost_net loaded" \
	test "$(jq -r '.probes[] | select(.name == "handle_tx_kick") .state' <<<"$json")" = available
iofair_check "vhost_poll_queue probe available with vhost_net loaded" \
	test "$(jq -r '.probes[] | select(.name == "vhost_poll_queue") .state' <<<"$json")" = available

human=$(iofairctl version)
human_ok()
{
	grep -qx "module   $modver" <<<"$human" && grep -qx "kernel   $kver" <<<"$human" &&
		grep -qx "vhost    $want workers" <<<"$human"
}
iofair_check "human output names module, kernel and vhost workers" human_ok

# The kernel's own ynl CLI, driven by nothing but our spec, reads the same.
ynl_matches()
{
	local spec="$IOFAIR_SELFTESTS/../Documentation/netlink/specs/iofair.yaml" y
	y=$(/usr/bin/python3 "$KSFT_DIR/../../net/ynl/cli.py" --spec "$spec" \
		--schema "$KSFT_DIR/../../../Documentation/netlink/genetlink.yaml" \
		--do version-get --output-json) || return 1
	ktap_print_msg "ynl: $(jq -c '{version, "kernel-release", "vhost-worker", hooks}' <<<"$y")"
	[ "$(jq -r .version <<<"$y")" = "$(jq -r .module <<<"$json")" ] &&
	[ "$(jq -r '."kernel-release"' <<<"$y")" = "$(jq -r .kernel <<<"$json")" ] &&
	[ "$(jq -r '."vhost-worker"' <<<"$y")" = "$(jq -r .vhost_worker <<<"$json")" ] &&
	[ "$(jq -r '.probe | length' <<<"$y")" = "$(jq -r '.probes | length' <<<"$json")" ]
}
iofair_check "ynl cli.py with our spec reports the same as iofairctl -j" ynl_matches

ktap_finished
