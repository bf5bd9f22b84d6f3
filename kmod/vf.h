/* SPDX-License-Identifier: GPL-2.0 */
/* iofair: vf targets through the PF driver (vf.c). */
#ifndef _IOFAIR_VF_H
#define _IOFAIR_VF_H

#include <linux/types.h>

struct genl_info;
struct iofair_target;
struct net;
struct net_device;
struct netlink_ext_ack;
struct pci_dev;

int iofair_vf_init(void);
void iofair_vf_exit(void);
int iofair_vf_check(struct net_device *dev, u32 vf, struct genl_info *info);
int iofair_vf_attach(struct iofair_target *t, struct netlink_ext_ack *extack);
void iofair_vf_detach(struct iofair_target *t, u32 reason);
int iofair_vf_push(struct iofair_target *t, struct netlink_ext_ack *extack);
bool iofair_vf_has_stats(const struct iofair_target *t);
int iofair_vf_set_max(struct iofair_target *t, u32 max_mbps);
bool iofair_vf_match(const struct iofair_target *t, const struct pci_dev *pf, u32 vf);
void iofair_vf_netdev(const struct iofair_target *t, const struct net *net,
		      u32 *ifindex, bool *host_bound);
void iofair_vf_netdev_event(struct net_device *dev, unsigned long event);

#endif /* _IOFAIR_VF_H */
