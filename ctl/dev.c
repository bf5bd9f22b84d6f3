// SPDX-License-Identifier: GPL-2.0
/*
 * iofairctl dev [list | show [PF] | help]: SR-IOV PFs and their VFs, with
 * what the PF driver holds for each VF.  Needs no module: it reads PCI
 * (libpci), sysfs and rtnetlink only.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev.h"
#include "iofairctl.h"
#include "json.h"

static const char *const link_states[] = { "auto", "enable", "disable" };

const char *link_state_name(int state)
{
	if (state < 0 || state >= (int)(sizeof(link_states) / sizeof(link_states[0])))
		return NULL;
	return link_states[state];
}

/* A VF rate from the PF driver, in Mbit/s; 0 means none set. */
void fmt_rate_mbit(char *buf, size_t len, uint32_t mbit)
{
	if (mbit)
		snprintf(buf, len, "%" PRIu32 " Mbit/s", mbit);
	else
		snprintf(buf, len, "-");
}

void fmt_mac(char *buf, size_t len, const uint8_t *mac, unsigned int mac_len)
{
	size_t off = 0;
	unsigned int i;

	if (!mac_len || !len) {
		snprintf(buf, len, "-");
		return;
	}
	buf[0] = '\0';
	for (i = 0; i < mac_len && off + 3 <= len; i++)
		off += (size_t)snprintf(buf + off, len - off, i ? ":%02x" : "%02x", mac[i]);
}

static const char *vf_netns(const struct sriov_vf *vf)
{
	switch (vf->where) {
	case VF_HERE:
	case VF_NETNS:
		return vf->netns_name;
	case VF_ELSEWHERE:
		return "other";
	default:
		return NULL;
	}
}

static void json_opt_str(struct json *j, const char *key, const char *val)
{
	if (val && *val)
		json_str(j, key, val);
	else
		json_null(j, key);
}

static void json_tristate(struct json *j, const char *key, int val)
{
	if (val < 0)
		json_null(j, key);
	else
		json_bool(j, key, val);
}

static void vf_json(struct json *j, const struct sriov_vf *vf)
{
	const struct vf_cfg *c = &vf->cfg;
	char buf[128];

	json_obj_open(j, NULL);
	json_u64(j, "vf", vf->index);
	json_str(j, "bdf", vf->bdf);
	json_opt_str(j, "driver", vf->driver);
	json_opt_str(j, "netdev", vf->netdev);
	if (vf->ifindex)
		json_u64(j, "ifindex", (uint64_t)vf->ifindex);
	else
		json_null(j, "ifindex");
	json_opt_str(j, "netns", vf_netns(vf));
	if (c->valid) {
		fmt_mac(buf, sizeof(buf), c->mac, c->mac_len);
		json_str(j, "mac", buf);
		json_u64(j, "vlan", c->vlan);
		json_u64(j, "qos", c->qos);
		if (c->vlan && c->vlan_proto)
			json_str(j, "vlan_protocol", c->vlan_proto == 0x88a8 ? "802.1ad" : "802.1Q");
		json_u64(j, "max_tx_rate_mbit", c->max_tx_rate_mbit);
		json_u64(j, "min_tx_rate_mbit", c->min_tx_rate_mbit);
		json_tristate(j, "spoofchk", c->spoofchk);
		json_tristate(j, "trust", c->trust);
		json_opt_str(j, "link_state", link_state_name(c->link_state));
	}
	json_obj_close(j);
}

static void pf_json(struct json *j, const struct sriov_pf *pf)
{
	char id[8];
	unsigned int i;

	json_obj_open(j, NULL);
	json_str(j, "bdf", pf->bdf);
	snprintf(id, sizeof(id), "%04x", pf->vendor_id);
	json_str(j, "vendor_id", id);
	snprintf(id, sizeof(id), "%04x", pf->device_id);
	json_str(j, "device_id", id);
	json_opt_str(j, "vendor", pf->vendor);
	json_opt_str(j, "device", pf->device);
	json_opt_str(j, "driver", pf->driver);
	json_u64(j, "totalvfs", pf->totalvfs);
	json_u64(j, "numvfs", pf->numvfs);
	json_opt_str(j, "netdev", pf->netdev);
	if (pf->ifindex) {
		json_u64(j, "ifindex", (uint64_t)pf->ifindex);
		if (pf->speed_mbit > 0)
			json_u64(j, "speed_mbit", (uint64_t)pf->speed_mbit);
		else
			json_null(j, "speed_mbit");
		json_str(j, "operstate", pf->operstate);
	} else {
		json_null(j, "ifindex");
		json_null(j, "speed_mbit");
		json_null(j, "operstate");
	}
	json_arr_open(j, "vfs");
	for (i = 0; i < pf->nvfs; i++)
		vf_json(j, &pf->vfs[i]);
	json_arr_close(j);
	json_obj_close(j);
}

static int vf_row(struct ctab *t, const struct sriov_vf *vf)
{
	const struct vf_cfg *c = &vf->cfg;
	char idx[16], mac[100], vlan[48], max[32], min[32];
	const char *netdev = "none", *netns = vf_netns(vf);
	const char *ls = link_state_name(c->link_state);

	snprintf(idx, sizeof(idx), "%u", vf->index);
	if (vf->where == VF_HERE || vf->where == VF_NETNS)
		netdev = vf->netdev;
	else if (vf->where == VF_ELSEWHERE)
		netdev = "?";
	snprintf(mac, sizeof(mac), "-");
	snprintf(vlan, sizeof(vlan), "-");
	snprintf(max, sizeof(max), "-");
	snprintf(min, sizeof(min), "-");
	if (c->valid) {
		fmt_mac(mac, sizeof(mac), c->mac, c->mac_len);
		if (c->vlan && c->qos)
			snprintf(vlan, sizeof(vlan), "%" PRIu32 " qos %" PRIu32 "%s", c->vlan,
				 c->qos, c->vlan_proto == 0x88a8 ? " 802.1ad" : "");
		else if (c->vlan)
			snprintf(vlan, sizeof(vlan), "%" PRIu32 "%s", c->vlan,
				 c->vlan_proto == 0x88a8 ? " 802.1ad" : "");
		fmt_rate_mbit(max, sizeof(max), c->max_tx_rate_mbit);
		fmt_rate_mbit(min, sizeof(min), c->min_tx_rate_mbit);
	}
	{
		const char *row[] = {
			idx, vf->bdf, *vf->driver ? vf->driver : "-", netdev, netns ? netns : "-",
			mac, vlan, max, min,
			!c->valid || c->spoofchk < 0 ? "-" : c->spoofchk ? "on" : "off",
			!c->valid || c->trust < 0 ? "-" : c->trust ? "on" : "off",
			c->valid && ls ? ls : "-",
		};

		return ctab_row(t, row);
	}
}

static int pf_print(const struct sriov_pf *pf)
{
	static const char *const pf_head[] = {
		"DRIVER", "NETDEV", "IFINDEX", "SPEED", "STATE", "VFS",
	};
	static const char *const vf_head[] = {
		"VF", "BDF", "DRIVER", "NETDEV", "NETNS", "MAC", "VLAN", "MAX_TX", "MIN_TX",
		"SPOOFCHK", "TRUST", "LINK",
	};
	char ifindex[16], speed[32], vfs[32];
	/* a network PF with no netdev here has it in another netns */
	const char *nodev = driver_makes_netdev(pf->driver, pf->pci_class) ? "?" : "none";
	bool elsewhere = false;
	struct ctab t;
	unsigned int i;
	int err;

	printf("%s  %s%s%s [%04x:%04x]\n", pf->bdf, *pf->vendor ? pf->vendor : "unknown vendor",
	       *pf->device ? " " : "", pf->device, pf->vendor_id, pf->device_id);

	snprintf(ifindex, sizeof(ifindex), "%d", pf->ifindex);
	if (pf->speed_mbit > 0)
		snprintf(speed, sizeof(speed), "%d Mbit/s", pf->speed_mbit);
	else
		snprintf(speed, sizeof(speed), "unknown");
	snprintf(vfs, sizeof(vfs), "%u of %u", pf->numvfs, pf->totalvfs);
	{
		const char *row[] = {
			*pf->driver ? pf->driver : "-", pf->ifindex ? pf->netdev : nodev,
			pf->ifindex ? ifindex : "-", pf->ifindex ? speed : "-",
			pf->ifindex ? pf->operstate : "-", vfs,
		};

		err = ctab_init(&t, 6, NULL, pf_head);
		t.indent = "  ";
		if (!err)
			err = ctab_row(&t, row);
	}
	if (!err)
		ctab_print(stdout, &t);
	ctab_free(&t);
	if (err)
		return err;

	if (!pf->nvfs) {
		printf("  no VFs enabled (see /sys/bus/pci/devices/%s/sriov_numvfs)\n", pf->bdf);
		return 0;
	}
	err = ctab_init(&t, 12, NULL, vf_head);
	t.indent = "  ";
	for (i = 0; !err && i < pf->nvfs; i++) {
		err = vf_row(&t, &pf->vfs[i]);
		elsewhere |= pf->vfs[i].where == VF_ELSEWHERE;
	}
	if (!err)
		ctab_print(stdout, &t);
	ctab_free(&t);
	if (!err && !pf->ifindex)
		printf("  the PF driver's VF config is read through the PF's netdev, not in this netns\n");
	if (!err && elsewhere)
		printf("  other: the VF's netdev is in a network namespace this command cannot see\n"
		       "  into (run as root to find named ones, see ip-netns(8))\n");
	return err;
}

static void dev_usage(FILE *f)
{
	fprintf(f,
		"Usage: iofairctl [-j [-p]] dev [ list | show [PF] | help ]\n"
		"  list       every SR-IOV PF and its VFs (the default)\n"
		"  show [PF]  one PF, named by its netdev or PCI address ([dddd:]bb:dd.f)\n"
		"Per PF: vendor and device, PCI address, driver, VFs enabled of total, netdev,\n"
		"ifindex, link speed, operstate.  Per VF: PCI address, driver, netdev and the\n"
		"netns it is in (host, a name from ip-netns, or other), and what the PF driver\n"
		"holds for it: MAC, VLAN, max/min TX rate (Mbit/s), spoofchk, trust, link state.\n");
}

static int dev_show(const char *arg)
{
	struct sriov_pf *pfs = NULL;
	char bdf[DEV_BDF_LEN];
	struct json *j = NULL;
	size_t npfs = 0, i;
	int err, rc = 0;

	if (arg && sriov_resolve(arg, bdf, sizeof(bdf)))
		return 1;
	err = sriov_scan(arg ? bdf : NULL, &pfs, &npfs);
	if (err) {
		ctl_err("cannot list PCI devices: %s", strerror(-err));
		return 1;
	}
	if (arg && !npfs) {
		ctl_err("PCI device %s not found by libpci", bdf);
		return 1;
	}
	for (i = 0; i < npfs; i++)
		if (rtnl_vf_config(&pfs[i]))
			rc = 1;
	rtnl_locate_vfs(pfs, npfs);

	if (opts.json) {
		j = json_new(stdout, opts.pretty);
		if (!j) {
			sriov_free(pfs, npfs);
			return 1;
		}
		json_arr_open(j, NULL);
		for (i = 0; i < npfs; i++)
			pf_json(j, &pfs[i]);
		json_arr_close(j);
		json_end(j);
	} else if (!npfs) {
		printf("no SR-IOV devices found\n");
	} else {
		for (i = 0; i < npfs; i++) {
			if (i)
				putchar('\n');
			if (pf_print(&pfs[i])) {
				ctl_err("out of memory");
				rc = 1;
				break;
			}
		}
	}
	sriov_free(pfs, npfs);
	return rc;
}

int do_dev(int argc, char **argv)
{
	if (argc < 1 || matches(argv[0], "list")) {
		if (argc > 1) {
			ctl_err("dev list takes no arguments (did you mean 'dev show %s'?)", argv[1]);
			return 2;
		}
		return dev_show(NULL);
	}
	if (matches(argv[0], "show")) {
		if (argc > 2) {
			ctl_err("dev show takes at most one PF, got '%s' too", argv[2]);
			return 2;
		}
		return dev_show(argc == 2 ? argv[1] : NULL);
	}
	if (matches(argv[0], "help")) {
		if (argc > 1) {
			ctl_err("dev help: unexpected '%s'", argv[1]);
			return 2;
		}
		dev_usage(stdout);
		return 0;
	}
	ctl_err("unknown dev command '%s' (try 'iofairctl dev help')", argv[0]);
	return 2;
}
