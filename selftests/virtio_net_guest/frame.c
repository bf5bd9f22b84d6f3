// SPDX-License-Identifier: GPL-2.0
/*
 * Building and parsing the few frames the guest deals in.  Fields are read
 * and written byte by byte in network order: frames sit behind a 10 or
 * 12 byte virtio-net header, so nothing in them is aligned.
 */
#include <string.h>

#include "frame.h"

#define ETH_P_IPV4	0x0800
#define ETH_P_ARP	0x0806
#define IPPROTO_ICMP_	1
#define IPPROTO_UDP_	17
#define ARP_REQUEST	1
#define ARP_REPLY	2
#define ICMP_ECHO_REPLY_	0
#define ICMP_ECHO_REQUEST_	8

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* IPv4 addresses stay in network order: copy their bytes. */
static void put_ip(uint8_t *p, uint32_t ip)
{
	memcpy(p, &ip, 4);
}

static uint32_t get_ip(const uint8_t *p)
{
	uint32_t ip;

	memcpy(&ip, p, 4);
	return ip;
}

/* RFC 1071 sum of big-endian 16-bit words, not yet folded. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint8_t *eth(uint8_t *buf, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	put16(buf + 12, type);
	return buf + FRAME_ETH_HLEN;
}

static void ipv4_header(uint8_t *ip, size_t total, uint8_t proto, uint32_t src, uint32_t dst)
{
	ip[0] = 0x45;			/* version 4, 20 bytes */
	ip[1] = 0;
	put16(ip + 2, total);
	put16(ip + 4, 0);		/* id */
	put16(ip + 6, 0x4000);		/* don't fragment */
	ip[8] = 64;			/* TTL */
	ip[9] = proto;
	put16(ip + 10, 0);
	put_ip(ip + 12, src);
	put_ip(ip + 16, dst);
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
}

size_t frame_udp(uint8_t *buf, const struct udp_flow *f, size_t payload)
{
	uint8_t *ip = eth(buf, f->dst_mac, f->src_mac, ETH_P_IPV4);
	uint8_t *udp = ip + 20;
	size_t i, ulen = 8 + payload;
	uint32_t sum;
	uint16_t c;

	ipv4_header(ip, 20 + ulen, IPPROTO_UDP_, f->src_ip, f->dst_ip);
	put16(udp, f->src_port);
	put16(udp + 2, f->dst_port);
	put16(udp + 4, ulen);
	put16(udp + 6, 0);
	for (i = 0; i < payload; i++)
		udp[8 + i] = (uint8_t)i;
	/* Pseudo header: addresses, protocol, UDP length. */
	sum = csum_add(0, ip + 12, 8) + IPPROTO_UDP_ + ulen;
	c = csum_fold(csum_add(sum, udp, ulen));
	put16(udp + 6, c ? c : 0xffff);
	return FRAME_ETH_HLEN + 20 + ulen;
}

size_t frame_arp(uint8_t *buf, uint16_t op, const uint8_t *sha, uint32_t spa,
		 const uint8_t *tha, uint32_t tpa, const uint8_t *eth_dst)
{
	uint8_t *a = eth(buf, eth_dst, sha, ETH_P_ARP);

	put16(a, 1);			/* Ethernet */
	put16(a + 2, ETH_P_IPV4);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, sha, 6);
	put_ip(a + 14, spa);
	memcpy(a + 18, tha, 6);
	put_ip(a + 24, tpa);
	/* Pad to the Ethernet minimum, as a NIC would. */
	memset(a + 28, 0, 60 - FRAME_ETH_HLEN - 28);
	return 60;
}

enum frame_kind frame_parse(const uint8_t *frame, size_t len, struct frame_info *fi)
{
	const uint8_t *p = frame + FRAME_ETH_HLEN;
	size_t ihl;

	memset(fi, 0, sizeof(*fi));
	fi->kind = FRAME_OTHER;
	if (len < FRAME_ETH_HLEN)
		return fi->kind;
	len -= FRAME_ETH_HLEN;

	switch (get16(frame + 12)) {
	case ETH_P_ARP:
		if (len < 28 || get16(p) != 1 || get16(p + 2) != ETH_P_IPV4 ||
		    p[4] != 6 || p[5] != 4)
			break;
		memcpy(fi->src_mac, p + 8, 6);
		fi->src_ip = get_ip(p + 14);
		fi->dst_ip = get_ip(p + 24);
		if (get16(p + 6) == ARP_REQUEST)
			fi->kind = FRAME_ARP_REQUEST;
		else if (get16(p + 6) == ARP_REPLY)
			fi->kind = FRAME_ARP_REPLY;
		break;
	case ETH_P_IPV4:
		if (len < 20 || p[0] >> 4 != 4)
			break;
		ihl = (p[0] & 0xf) * 4;
		if (ihl < 20 || get16(p + 2) > len || get16(p + 2) < ihl + 8)
			break;
		if ((get16(p + 6) & 0x3fff) != 0)	/* a fragment */
			break;
		fi->src_ip = get_ip(p + 12);
		fi->dst_ip = get_ip(p + 16);
		if (p[9] == IPPROTO_ICMP_ && p[ihl] == ICMP_ECHO_REQUEST_ && p[ihl + 1] == 0)
			fi->kind = FRAME_ICMP_ECHO;
		break;
	}
	return fi->kind;
}

size_t frame_arp_reply(uint8_t *out, const struct frame_info *req,
		       const uint8_t *mac, uint32_t ip)
{
	return frame_arp(out, ARP_REPLY, mac, ip, req->src_mac, req->src_ip, req->src_mac);
}

size_t frame_icmp_echo_reply(uint8_t *out, const uint8_t *in, size_t len,
			     const uint8_t *mac)
{
	const uint8_t *iip = in + FRAME_ETH_HLEN;
	size_t ihl, total;
	uint8_t *ip, *icmp;

	if (len < FRAME_ETH_HLEN + 20)
		return 0;
	ihl = (iip[0] & 0xf) * 4;
	total = get16(iip + 2);
	if (total > len - FRAME_ETH_HLEN || total < ihl + 8 || total + FRAME_ETH_HLEN > FRAME_MAX_LEN)
		return 0;

	ip = eth(out, in + 6, mac, ETH_P_IPV4);
	memcpy(ip, iip, total);
	put_ip(ip + 12, get_ip(iip + 16));
	put_ip(ip + 16, get_ip(iip + 12));
	ip[8] = 64;
	put16(ip + 10, 0);
	put16(ip + 10, csum_fold(csum_add(0, ip, ihl)));

	icmp = ip + ihl;
	icmp[0] = ICMP_ECHO_REPLY_;
	put16(icmp + 2, 0);
	put16(icmp + 2, csum_fold(csum_add(0, icmp, total - ihl)));
	return FRAME_ETH_HLEN + total;
}
