#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What a target counts of a GSO packet built by a guest: a tap opened with
# a virtio-net header (what vhost-net and QEMU do) takes one 10000-byte TCP
# payload to be cut into 1000-byte segments.  The kernel marks it
# SKB_GSO_DODGY and leaves gso_segs 0 until someone checks it, so the count
# must come from the payload: 10 frames, and 10 sets of Ethernet, IPv4 and
# TCP headers on the wire.
#
#   netns $NS:  tap w0 (vnet_hdr), dev target on it
#     <- write(fd, virtio_net_hdr{NEEDS_CSUM, TCPV4, gso_size 1000}
#              + Ethernet + IPv4 + TCP + 10000 bytes)
#   target rx: 10 packets, 10000 + 10 * (14 + 20 + 20) = 10540 bytes
#
# Then one plain 1000-byte frame: 1 packet, its own length.
source "$(dirname "$0")/lib.sh"

iofair_require_root
iofair_require_module
[ -c /dev/net/tun ] || modprobe tun 2>/dev/null
[ -c /dev/net/tun ] || { ktap_skip_all "no /dev/net/tun"; exit "$KSFT_SKIP"; }

ktap_print_header
ktap_set_plan 3

iofair_load || ktap_exit_fail_msg "cannot load iofair"
setup_ns NS || ktap_exit_fail_msg "cannot create a namespace"
cleanup()
{
	cleanup_all_ns
	iofair_unload
}
trap cleanup EXIT

ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip -n "$NS" tuntap add dev w0 mode tap vnet_hdr &&
	ip -n "$NS" link set w0 up || ktap_exit_fail_msg "cannot create tap w0"
t=$(ip netns exec "$NS" iofairctl target add dev w0) ||
	ktap_exit_fail_msg "target add dev w0: $t"
rx() { ip netns exec "$NS" iofairctl -j stats | jq -c --argjson id "$t" \
	'.targets[] | select(.id == $id) | [.rx.packets, .rx.bytes]'; }

# write_frame GSO_SIZE PAYLOAD: one frame into w0 as a guest would send it.
write_frame()
{
	ip netns exec "$NS" python3 - "$1" "$2" <<-'EOF'
	import fcntl, os, struct, sys
	gso_size, payload = int(sys.argv[1]), int(sys.argv[2])
	TUNSETIFF, IFF_TAP, IFF_NO_PI, IFF_VNET_HDR = 0x400454ca, 0x0002, 0x1000, 0x4000
	fd = os.open("/dev/net/tun", os.O_RDWR)
	fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", b"w0", IFF_TAP | IFF_NO_PI | IFF_VNET_HDR))
	eth = bytes.fromhex("ffffffffffff" "020000000002" "0800")
	ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40 + payload, 1, 0x4000, 64, 6, 0,
			 bytes([10, 9, 0, 2]), bytes([10, 9, 0, 1]))
	tcp = struct.pack("!HHIIBBHHH", 40000, 5201, 1, 0, 5 << 4, 0x18, 65535, 0, 0)
	# flags NEEDS_CSUM, gso_type TCPV4 (or none), hdr_len, gso_size,
	# csum_start (the TCP header), csum_offset (its checksum)
	vnet = struct.pack("<BBHHHH", 1, 1 if gso_size else 0, 54, gso_size, 34, 16)
	os.write(fd, vnet + eth + ip + tcp + bytes(payload))
	EOF
}

before=$(rx)
write_frame 1000 10000 || ktap_print_msg "cannot write the GSO frame"
gso=$(rx)
ktap_print_msg "rx [packets, bytes]: $before, after the GSO frame $gso"
iofair_check "a guest's GSO frame (DODGY, gso_segs 0): 10 packets" \
	test "$(jq '.[0]' <<<"$gso")" = 10
iofair_check "... and 10540 bytes: one set of headers per segment" \
	test "$(jq '.[1]' <<<"$gso")" = 10540

write_frame 0 1000 || ktap_print_msg "cannot write the plain frame"
plain=$(rx)
ktap_print_msg "after a plain 1000-byte frame: $plain"
iofair_check "a plain frame: 1 packet, 1054 bytes" test "$plain" = "[11,11594]"

ktap_finished
