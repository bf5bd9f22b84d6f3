/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ethernet frames the guest sends and understands: UDP/IPv4 test traffic,
 * ARP requests and replies, ICMP echo replies.  IPv4 addresses are in
 * network byte order, ports in host order.  Frames are byte arrays with no
 * alignment assumed.
 */
#ifndef VNG_FRAME_H
#define VNG_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_ETH_HLEN		14
#define FRAME_UDP_HLEN		(FRAME_ETH_HLEN + 20 + 8)	/* Ethernet + IPv4 + UDP */
#define FRAME_MAX_LEN		1514				/* MTU 1500 */
#define FRAME_MAX_PAYLOAD	(FRAME_MAX_LEN - FRAME_UDP_HLEN)

struct udp_flow {
	uint8_t src_mac[6], dst_mac[6];
	uint32_t src_ip, dst_ip;
	uint16_t src_port, dst_port;
};

enum frame_kind {
	FRAME_OTHER,
	FRAME_ARP_REQUEST,
	FRAME_ARP_REPLY,
	FRAME_ICMP_ECHO,	/* ICMP echo request */
};

struct frame_info {
	enum frame_kind kind;
	uint8_t src_mac[6];	/* ARP: the sender's hardware address */
	uint32_t src_ip;	/* ARP: sender, ICMP: IPv4 source */
	uint32_t dst_ip;	/* ARP: target, ICMP: IPv4 destination */
};

/* Frame length written to buf. */
size_t frame_udp(uint8_t *buf, const struct udp_flow *f, size_t payload);
size_t frame_arp(uint8_t *buf, uint16_t op, const uint8_t *sha, uint32_t spa,
		 const uint8_t *tha, uint32_t tpa, const uint8_t *eth_dst);

enum frame_kind frame_parse(const uint8_t *frame, size_t len, struct frame_info *fi);

/* Reply to a FRAME_ARP_REQUEST for ip, from mac. */
size_t frame_arp_reply(uint8_t *out, const struct frame_info *req,
		       const uint8_t *mac, uint32_t ip);
/* Reply to a FRAME_ICMP_ECHO of len bytes, from mac; 0 if malformed. */
size_t frame_icmp_echo_reply(uint8_t *out, const uint8_t *in, size_t len,
			     const uint8_t *mac);

#endif
