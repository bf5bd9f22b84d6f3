// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for iofairctl dev's pure parts: IFLA_VFINFO_LIST parsing (rate
 * fallback, VLAN list, "not reported" values, malformed lists), sysfs value
 * and PCI address parsing, and the human output's formatting.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/if_link.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include "../dev.h"
#include "../iofairctl.h"
#include "ktap.h"

struct ctl_opts opts;

struct vf_in {
	uint32_t vf;
	bool rate;		/* send IFLA_VF_RATE (else only IFLA_VF_TX_RATE) */
	uint32_t min, max;
	uint32_t vlan, qos;
	uint16_t proto;		/* send IFLA_VF_VLAN_LIST with this protocol */
	bool extras;		/* send spoofchk, trust, link state */
	uint32_t spoofchk, trust, link_state;
};

static void put_vf(struct nl_msg *msg, const struct vf_in *in)
{
	struct nlattr *info = nla_nest_start(msg, IFLA_VF_INFO), *vl;
	struct ifla_vf_mac mac = { .vf = in->vf, .mac = { 0x02, 0, 0, 0, 0, (uint8_t)in->vf } };
	struct ifla_vf_rate rate = { .vf = in->vf, .min_tx_rate = in->min, .max_tx_rate = in->max };
	struct ifla_vf_tx_rate txrate = { .vf = in->vf, .rate = in->max };
	struct ifla_vf_vlan vlan = { .vf = in->vf, .vlan = in->vlan, .qos = in->qos };
	struct ifla_vf_vlan_info vi = { .vf = in->vf, .vlan = in->vlan, .qos = in->qos,
					.vlan_proto = htons(in->proto) };
	struct ifla_vf_spoofchk sc = { .vf = in->vf, .setting = in->spoofchk };
	struct ifla_vf_trust tr = { .vf = in->vf, .setting = in->trust };
	struct ifla_vf_link_state ls = { .vf = in->vf, .link_state = in->link_state };

	nla_put(msg, IFLA_VF_MAC, sizeof(mac), &mac);
	nla_put(msg, IFLA_VF_VLAN, sizeof(vlan), &vlan);
	if (in->proto) {
		vl = nla_nest_start(msg, IFLA_VF_VLAN_LIST);
		nla_put(msg, IFLA_VF_VLAN_INFO, sizeof(vi), &vi);
		nla_nest_end(msg, vl);
	}
	nla_put(msg, IFLA_VF_TX_RATE, sizeof(txrate), &txrate);
	if (in->rate)
		nla_put(msg, IFLA_VF_RATE, sizeof(rate), &rate);
	if (in->extras) {
		nla_put(msg, IFLA_VF_SPOOFCHK, sizeof(sc), &sc);
		nla_put(msg, IFLA_VF_TRUST, sizeof(tr), &tr);
		nla_put(msg, IFLA_VF_LINK_STATE, sizeof(ls), &ls);
	}
	nla_nest_end(msg, info);
}

static void test_vfinfo(void)
{
	static const struct vf_in vfs[] = {
		{ .vf = 0, .rate = true, .extras = true, .spoofchk = 1, .trust = 0,
		  .link_state = IFLA_VF_LINK_STATE_AUTO },
		{ .vf = 1, .rate = true, .max = 100, .min = 10, .vlan = 10, .qos = 3, .proto = 0x88a8,
		  .extras = true, .spoofchk = (uint32_t)-1, .trust = 1,
		  .link_state = IFLA_VF_LINK_STATE_DISABLE },
		{ .vf = 2, .rate = false, .max = 200 },	/* an old kernel: no IFLA_VF_RATE */
		{ .vf = 9, .rate = true, .max = 300 },	/* beyond the VFs we asked for */
	};
	struct nl_msg *msg = nlmsg_alloc();
	struct vf_cfg cfg[3];
	struct nlattr *list, *info;
	struct ifla_vf_mac mac = { .vf = 0 };
	size_t i;
	int n;

	list = nla_nest_start(msg, IFLA_VFINFO_LIST);
	for (i = 0; i < sizeof(vfs) / sizeof(vfs[0]); i++)
		put_vf(msg, &vfs[i]);
	nla_nest_end(msg, list);

	memset(cfg, 0xaa, sizeof(cfg));
	n = vfinfo_parse(list, 6, cfg, 3);
	KTAP_CHECK(n == 3, "vfinfo: 3 VFs parsed, the one beyond ncfg skipped (got %d)", n);
	KTAP_CHECK(cfg[0].valid && cfg[0].mac_len == 6 && cfg[0].mac[0] == 0x02 &&
		   cfg[2].mac[5] == 2, "vfinfo: MAC of addr_len bytes, VF number from IFLA_VF_MAC");
	KTAP_CHECK(cfg[0].max_tx_rate_mbit == 0 && cfg[0].min_tx_rate_mbit == 0 &&
		   cfg[1].max_tx_rate_mbit == 100 && cfg[1].min_tx_rate_mbit == 10,
		   "vfinfo: IFLA_VF_RATE min and max");
	KTAP_CHECK(cfg[2].max_tx_rate_mbit == 200 && cfg[2].min_tx_rate_mbit == 0,
		   "vfinfo: falls back to IFLA_VF_TX_RATE");
	KTAP_CHECK(cfg[1].vlan == 10 && cfg[1].qos == 3 && cfg[1].vlan_proto == 0x88a8 &&
		   cfg[0].vlan == 0 && cfg[0].vlan_proto == 0, "vfinfo: VLAN, QoS, protocol");
	KTAP_CHECK(cfg[0].spoofchk == 1 && cfg[0].trust == 0 && cfg[1].trust == 1,
		   "vfinfo: spoofchk and trust");
	KTAP_CHECK(cfg[1].spoofchk == -1 && cfg[2].spoofchk == -1 && cfg[2].trust == -1 &&
		   cfg[2].link_state == -1, "vfinfo: -1 or absent means not reported");
	KTAP_CHECK(cfg[0].link_state == IFLA_VF_LINK_STATE_AUTO &&
		   cfg[1].link_state == IFLA_VF_LINK_STATE_DISABLE, "vfinfo: link state");
	nlmsg_free(msg);

	/* An IFLA_VF_INFO without IFLA_VF_MAC, or with a short one, is malformed. */
	msg = nlmsg_alloc();
	list = nla_nest_start(msg, IFLA_VFINFO_LIST);
	info = nla_nest_start(msg, IFLA_VF_INFO);
	nla_put_u32(msg, IFLA_VF_TRUST, 1);
	nla_nest_end(msg, info);
	nla_nest_end(msg, list);
	KTAP_CHECK(vfinfo_parse(list, 6, cfg, 3) == -EINVAL, "vfinfo: no IFLA_VF_MAC is -EINVAL");
	nlmsg_free(msg);

	msg = nlmsg_alloc();
	list = nla_nest_start(msg, IFLA_VFINFO_LIST);
	info = nla_nest_start(msg, IFLA_VF_INFO);
	nla_put(msg, IFLA_VF_MAC, 8, &mac);
	nla_nest_end(msg, info);
	nla_nest_end(msg, list);
	KTAP_CHECK(vfinfo_parse(list, 6, cfg, 3) == -EINVAL, "vfinfo: short IFLA_VF_MAC is -EINVAL");
	nlmsg_free(msg);

	msg = nlmsg_alloc();
	list = nla_nest_start(msg, IFLA_VFINFO_LIST);
	nla_nest_end(msg, list);
	KTAP_CHECK(vfinfo_parse(list, 6, cfg, 3) == 0, "vfinfo: empty list, no VFs");
	nlmsg_free(msg);
}

static const struct {
	const char *in;
	int mbit;
} speeds[] = {
	{ "1000", 1000 }, { "1000 ", 1000 }, { "1000\n", 1000 }, { "100000", 100000 }, { "-1", -1 },
	{ "0", -1 }, { "", -1 }, { "fast", -1 }, { "10x", -1 }, { "4294967295", -1 },
};

static const struct {
	const char *in;
	const char *out;	/* NULL: rejected */
} bdfs[] = {
	{ "0000:01:00.0", "0000:01:00.0" }, { "01:00.0", "0000:01:00.0" },
	{ "0000:3B:1F.7", "0000:3b:1f.7" }, { "10000:00:01.0", "10000:00:01.0" },
	{ "1:2.3", "0000:01:02.3" },
	{ "01:00", NULL }, { "01:20.0", NULL }, { "01:00.8", NULL }, { "g1:00.0", NULL },
	{ "0:1:2:3.0", NULL }, { "001:00.0", NULL }, { "", NULL }, { "01:00.0x", NULL },
	{ "eth0", NULL }, { ":00.0", NULL }, { "01:.0", NULL },
};

static void test_parsers(void)
{
	char buf[DEV_BDF_LEN];
	size_t i;

	for (i = 0; i < sizeof(speeds) / sizeof(speeds[0]); i++)
		KTAP_CHECK(parse_speed_mbit(speeds[i].in) == speeds[i].mbit,
			   "parse_speed_mbit \"%.*s%s\" -> %d", (int)strcspn(speeds[i].in, "\n"),
			   speeds[i].in, strchr(speeds[i].in, '\n') ? "\\n" : "", speeds[i].mbit);
	for (i = 0; i < sizeof(bdfs) / sizeof(bdfs[0]); i++) {
		int err = bdf_normalize(bdfs[i].in, buf, sizeof(buf));

		KTAP_CHECK(bdfs[i].out ? !err && !strcmp(buf, bdfs[i].out) : err == -EINVAL,
			   "bdf_normalize \"%s\" -> %s", bdfs[i].in, bdfs[i].out ? bdfs[i].out : "rejected");
	}
	KTAP_CHECK(driver_makes_netdev("igbvf", 0x0200) && driver_makes_netdev("mlx5_core", 0x0207),
		   "driver_makes_netdev: network drivers");
	KTAP_CHECK(!driver_makes_netdev("vfio-pci", 0x0200) &&
		   !driver_makes_netdev("mlx5_vfio_pci", 0x0200) &&
		   !driver_makes_netdev("pci-stub", 0x0200) && !driver_makes_netdev("", 0x0200) &&
		   !driver_makes_netdev("nvme", 0x0108),
		   "driver_makes_netdev: unbound, stub, VFIO, not a NIC");
}

static void test_format(void)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
	static const char *const head[] = { "VF", "NETDEV", "MAX_TX" };
	static const char *const r1[] = { "0", "enp1s0v0", "-" };
	static const char *const r2[] = { "12", "x", "100 Mbit/s" };
	struct ctab t;
	char buf[64], *out = NULL;
	size_t len = 0;
	FILE *f;

	fmt_rate_mbit(buf, sizeof(buf), 0);
	KTAP_CHECK(!strcmp(buf, "-"), "fmt_rate_mbit 0 is -");
	fmt_rate_mbit(buf, sizeof(buf), 100);
	KTAP_CHECK(!strcmp(buf, "100 Mbit/s"), "fmt_rate_mbit 100 is \"100 Mbit/s\"");
	fmt_mac(buf, sizeof(buf), mac, 6);
	KTAP_CHECK(!strcmp(buf, "52:54:00:ab:cd:ef"), "fmt_mac");
	fmt_mac(buf, sizeof(buf), mac, 0);
	KTAP_CHECK(!strcmp(buf, "-"), "fmt_mac of no address");
	fmt_mac(buf, 9, mac, 6);
	KTAP_CHECK(!strcmp(buf, "52:54:00"), "fmt_mac stops at the buffer's end");
	KTAP_CHECK(!strcmp(link_state_name(0), "auto") && !strcmp(link_state_name(2), "disable") &&
		   !link_state_name(3) && !link_state_name(-1), "link_state_name");

	f = open_memstream(&out, &len);
	KTAP_CHECK(!ctab_init(&t, 3, NULL, head) && !ctab_row(&t, r1) && !ctab_row(&t, r2),
		   "table: build");
	t.indent = "  ";
	ctab_print(f, &t);
	ctab_free(&t);
	fclose(f);
	KTAP_CHECK(out && !strcmp(out, "  VF  NETDEV    MAX_TX\n"
				       "  0   enp1s0v0  -\n"
				       "  12  x         100 Mbit/s\n"),
		   "table: columns aligned, no trailing blanks");
	free(out);
}

int main(void)
{
	KTAP_PLAN(11 + 10 + 16 + 2 + 8);
	test_vfinfo();
	test_parsers();
	test_format();
	KTAP_EXIT();
}
