/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iofairctl dev: SR-IOV devices as libpci, sysfs and rtnetlink show them.
 * pci.c finds PFs and VFs, rtnl.c asks the PF driver for the VF config and
 * looks for VF netdevs in other network namespaces, dev.c prints.
 */
#ifndef IOFAIRCTL_DEV_H
#define IOFAIRCTL_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define DEV_BDF_LEN	16	/* "dddd:bb:dd.f" */
#define DEV_NAME_LEN	16	/* IFNAMSIZ */
#define DEV_DRV_LEN	64
#define DEV_NETNS_LEN	256

/* Where a VF's netdev lives, as far as this process can tell. */
enum vf_where {
	VF_NO_NETDEV,	/* unbound, or bound to a driver that makes none (vfio-pci) */
	VF_HERE,	/* in the netns iofairctl runs in: netdev, ifindex known */
	VF_NETNS,	/* found by name in another netns (netns_name, netdev, ifindex) */
	VF_ELSEWHERE,	/* bound to a network driver, netdev in no netns we can see */
};

/* What the PF driver reports for one VF (IFLA_VF_INFO); -1: not reported. */
struct vf_cfg {
	bool valid;
	uint8_t mac[32];
	unsigned int mac_len;
	uint32_t max_tx_rate_mbit;	/* 0: no cap */
	uint32_t min_tx_rate_mbit;	/* 0: no guarantee */
	uint32_t vlan, qos;
	uint16_t vlan_proto;		/* ETH_P_8021Q / ETH_P_8021AD, host order; 0 unknown */
	int spoofchk, trust, link_state;
};

struct sriov_vf {
	unsigned int index;
	char bdf[DEV_BDF_LEN];
	char driver[DEV_DRV_LEN];	/* "" when unbound */
	unsigned int pci_class;		/* base class << 8 | subclass, 0x0200 = Ethernet */
	enum vf_where where;
	char netdev[DEV_NAME_LEN];	/* "" unless HERE or NETNS */
	int ifindex;			/* in the netns named by where; 0 unknown */
	char netns_name[DEV_NETNS_LEN];	/* the netns's label, for HERE and NETNS */
	struct vf_cfg cfg;
};

struct sriov_pf {
	char bdf[DEV_BDF_LEN];
	uint16_t vendor_id, device_id;
	char vendor[128], device[128];	/* pci.ids names, "" when unknown */
	char driver[DEV_DRV_LEN];
	unsigned int pci_class;		/* base class << 8 | subclass */
	unsigned int totalvfs, numvfs;
	char netdev[DEV_NAME_LEN];	/* "" when the PF has no netdev in this netns */
	int ifindex;
	int speed_mbit;			/* -1: unknown (link down, not reported) */
	char operstate[16];
	unsigned int nvfs;
	struct sriov_vf *vfs;
};

/* pci.c */
/*
 * Resolve a PF given as a netdev name or a PCI address ("0000:01:00.0" or
 * "01:00.0") to its full address.  Prints why and returns -errno when it is
 * not an SR-IOV PF.
 */
int sriov_resolve(const char *arg, char *bdf, size_t len);
/* All SR-IOV PFs (or only @only), sorted by address, with their VFs. */
int sriov_scan(const char *only, struct sriov_pf **pfs, size_t *npfs);
void sriov_free(struct sriov_pf *pfs, size_t npfs);

/* Pure helpers, exposed for the unit tests. */
int parse_speed_mbit(const char *s);
int bdf_normalize(const char *in, char *out, size_t len);
bool driver_makes_netdev(const char *driver, unsigned int pci_class);

/* rtnl.c */
/* Fill the PF's VFs' cfg from RTM_GETLINK on its netdev; prints errors. */
int rtnl_vf_config(struct sriov_pf *pf);
/*
 * For VFs bound to a network driver with no netdev in our sysfs, look in
 * the initial netns and the named ones (/run/netns) for a netdev whose
 * parent device is the VF.  Needs CAP_SYS_ADMIN; quietly finds nothing
 * without it.
 */
void rtnl_locate_vfs(struct sriov_pf *pfs, size_t npfs);
/* The label of the netns we run in: "host" for the initial one. */
const char *netns_self_label(void);

struct nlattr;
/*
 * Parse IFLA_VFINFO_LIST into @cfg, indexed by VF number (< @ncfg).  MAC
 * addresses are @addr_len bytes (the PF's IFLA_ADDRESS length).  Returns the
 * number of VFs found, or -EINVAL for a malformed list.
 */
int vfinfo_parse(const struct nlattr *list, unsigned int addr_len, struct vf_cfg *cfg,
		 unsigned int ncfg);

/* dev.c: formatting helpers, exposed for the unit tests. */
const char *link_state_name(int state);
void fmt_rate_mbit(char *buf, size_t len, uint32_t mbit);
void fmt_mac(char *buf, size_t len, const uint8_t *mac, unsigned int mac_len);

#endif /* IOFAIRCTL_DEV_H */
