// SPDX-License-Identifier: GPL-2.0
/*
 * SR-IOV PFs and their VFs: libpci enumerates PCI devices and names them
 * (pci.ids); sysfs says which have SR-IOV (sriov_totalvfs), how many VFs are
 * enabled, where each VF is (virtfnN), its driver and its netdev.
 *
 * A netdev's sysfs entry (/sys/class/net/X, and .../BDF/net/X) is visible
 * only in the netns that mounted sysfs: a VF whose netdev was moved into
 * another netns shows an empty net/ directory here.  rtnl.c then looks for
 * it by its parent device in the other namespaces it can enter.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pci/pci.h>

#include "dev.h"
#include "iofairctl.h"

#define PCI_DEVICES "/sys/bus/pci/devices"

/* A path from a format; one too long comes out truncated and is not found. */
static __attribute__((format(printf, 3, 4)))
const char *mkpath(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return buf;
}

static void copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strnlen(src, len - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static int sysfs_read(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	if (ferror(f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

static int sysfs_read_uint(const char *path, unsigned int *val)
{
	char buf[32], *end;
	unsigned long v;
	int err = sysfs_read(path, buf, sizeof(buf));

	if (err)
		return err;
	errno = 0;
	v = strtoul(buf, &end, 0);
	if (errno || end == buf || *end || v > UINT_MAX)
		return -EINVAL;
	*val = (unsigned int)v;
	return 0;
}

/* The last component of what the symlink @path points to ("" if none). */
static void link_base(const char *path, char *buf, size_t len)
{
	char target[PATH_MAX];
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	const char *base;

	buf[0] = '\0';
	if (n <= 0)
		return;
	target[n] = '\0';
	base = strrchr(target, '/');
	copy_str(buf, len, base ? base + 1 : target);
}

/*
 * Speed in Mbit/s from /sys/class/net/X/speed: "%d" of the ethtool speed,
 * -1 (SPEED_UNKNOWN) when the driver does not know, and the read fails
 * (EINVAL) while the link is down.  Returns -1 for anything but a positive
 * number.
 */
int parse_speed_mbit(const char *s)
{
	char *end;
	long v;

	if (!s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	while (*end == '\n' || *end == ' ')
		end++;
	if (errno || end == s || *end || v <= 0 || v > INT_MAX)
		return -1;
	return (int)v;
}

static int hex_field(const char **p, char stop, unsigned int maxdigits, unsigned long *val)
{
	const char *s = *p;
	unsigned int n = 0;
	unsigned long v = 0;

	for (; *s && *s != stop; s++, n++) {
		int d;

		if (*s >= '0' && *s <= '9')
			d = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			d = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			d = *s - 'A' + 10;
		else
			return -EINVAL;
		v = v * 16 + (unsigned long)d;
	}
	if (!n || n > maxdigits || *s != stop)
		return -EINVAL;
	*p = *s ? s + 1 : s;
	*val = v;
	return 0;
}

/*
 * A PCI address as lspci and sysfs spell it: [domain:]bus:device.function,
 * hex.  Written as sysfs names it: "%04x:%02x:%02x.%x".
 */
int bdf_normalize(const char *in, char *out, size_t len)
{
	unsigned long dom = 0, bus, dev, fn;
	const char *p = in;
	int colons = 0;

	for (; *p; p++)
		colons += *p == ':';
	p = in;
	if (colons == 2 && hex_field(&p, ':', 8, &dom))
		return -EINVAL;
	if ((colons != 1 && colons != 2) || hex_field(&p, ':', 2, &bus) ||
	    hex_field(&p, '.', 2, &dev) || hex_field(&p, '\0', 1, &fn) ||
	    dev > 0x1f || fn > 7)
		return -EINVAL;
	if ((size_t)snprintf(out, len, "%04lx:%02lx:%02lx.%lx", dom, bus, dev, fn) >= len)
		return -ENOSPC;
	return 0;
}

/*
 * Whether a VF bound to @driver should have a netdev: a network controller
 * (PCI base class 0x02) with a driver that is not a stub or a VFIO driver
 * (those hand the device to userspace or a VM: no netdev on this host).
 */
bool driver_makes_netdev(const char *driver, unsigned int pci_class)
{
	if (!driver || !*driver || (pci_class >> 8) != 0x02)
		return false;
	return strcmp(driver, "pci-stub") && strcmp(driver, "pci-pf-stub") &&
	       !strstr(driver, "vfio");
}

/* The netdev under @devdir/net with the lowest ifindex; 0 when there is none. */
static int net_dir_first(const char *devdir, char *name, size_t len, int *ifindex)
{
	char path[PATH_MAX];
	struct dirent *de;
	unsigned int idx;
	int best = 0;
	DIR *d;

	mkpath(path, sizeof(path), "%s/net", devdir);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		mkpath(path, sizeof(path), "%s/net/%s/ifindex", devdir, de->d_name);
		if (sysfs_read_uint(path, &idx) || idx > INT_MAX)
			continue;
		if (!best || (int)idx < best) {
			best = (int)idx;
			copy_str(name, len, de->d_name);
		}
	}
	closedir(d);
	*ifindex = best;
	return best;
}

int sriov_resolve(const char *arg, char *bdf, size_t len)
{
	char path[PATH_MAX], sub[64], pf[DEV_BDF_LEN];

	/* netdev names have no '/' and are never "." or ".." */
	if (strlen(arg) < DEV_NAME_LEN && !strchr(arg, '/') && strcmp(arg, ".") &&
	    strcmp(arg, "..") && !access(mkpath(path, sizeof(path), "/sys/class/net/%s", arg), F_OK)) {
		mkpath(path, sizeof(path), "/sys/class/net/%s/device/subsystem", arg);
		link_base(path, sub, sizeof(sub));
		if (strcmp(sub, "pci")) {
			ctl_err("%s is not a PCI device's netdev, so not an SR-IOV PF", arg);
			return -ENODEV;
		}
		mkpath(path, sizeof(path), "/sys/class/net/%s/device", arg);
		link_base(path, bdf, len);
	} else if (!bdf_normalize(arg, bdf, len)) {
		mkpath(path, sizeof(path), PCI_DEVICES "/%s", bdf);
		if (access(path, F_OK)) {
			ctl_err("no PCI device %s", bdf);
			return -ENODEV;
		}
	} else {
		ctl_err("no netdev or PCI device '%s' here (give the PF's netdev name or its PCI "
			"address, see 'iofairctl dev list')", arg);
		return -ENODEV;
	}

	mkpath(path, sizeof(path), PCI_DEVICES "/%s/physfn", bdf);
	if (!access(path, F_OK)) {
		link_base(path, pf, sizeof(pf));
		ctl_err("%s (%s) is a VF of PF %s: name the PF", arg, bdf, pf);
		return -EINVAL;
	}
	mkpath(path, sizeof(path), PCI_DEVICES "/%s/sriov_totalvfs", bdf);
	if (access(path, F_OK)) {
		ctl_err("%s (%s) is not an SR-IOV PF (no SR-IOV capability)", arg, bdf);
		return -EOPNOTSUPP;
	}
	return 0;
}

static void vf_fill(const char *pfdir, unsigned int i, struct sriov_vf *vf)
{
	char path[PATH_MAX], dir[PATH_MAX];

	vf->index = i;
	mkpath(path, sizeof(path), "%s/virtfn%u", pfdir, i);
	link_base(path, vf->bdf, sizeof(vf->bdf));
	mkpath(dir, sizeof(dir), PCI_DEVICES "/%s", vf->bdf);
	mkpath(path, sizeof(path), "%s/driver", dir);
	link_base(path, vf->driver, sizeof(vf->driver));
	mkpath(path, sizeof(path), "%s/class", dir);
	if (!sysfs_read_uint(path, &vf->pci_class))
		vf->pci_class >>= 8;

	if (net_dir_first(dir, vf->netdev, sizeof(vf->netdev), &vf->ifindex)) {
		vf->where = VF_HERE;
		snprintf(vf->netns_name, sizeof(vf->netns_name), "%s", netns_self_label());
	} else {
		vf->where = driver_makes_netdev(vf->driver, vf->pci_class) ? VF_ELSEWHERE
									  : VF_NO_NETDEV;
	}
}

static int pf_fill(struct pci_access *pacc, struct pci_dev *d, struct sriov_pf *pf)
{
	char dir[PATH_MAX], path[PATH_MAX], buf[32];
	const char *s;
	unsigned int i;

	pci_fill_info(d, PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_DRIVER);
	pf->vendor_id = d->vendor_id;
	pf->device_id = d->device_id;
	pf->pci_class = d->device_class;
	s = pci_lookup_name(pacc, pf->vendor, sizeof(pf->vendor),
			    PCI_LOOKUP_VENDOR | PCI_LOOKUP_NO_NUMBERS, d->vendor_id);
	if (!s)
		pf->vendor[0] = '\0';
	s = pci_lookup_name(pacc, pf->device, sizeof(pf->device),
			    PCI_LOOKUP_DEVICE | PCI_LOOKUP_NO_NUMBERS, d->vendor_id, d->device_id);
	if (!s)
		pf->device[0] = '\0';
	s = pci_get_string_property(d, PCI_FILL_DRIVER);
	snprintf(pf->driver, sizeof(pf->driver), "%s", s ? s : "");

	mkpath(dir, sizeof(dir), PCI_DEVICES "/%s", pf->bdf);
	mkpath(path, sizeof(path), "%s/sriov_numvfs", dir);
	if (sysfs_read_uint(path, &pf->numvfs))
		pf->numvfs = 0;

	pf->speed_mbit = -1;
	snprintf(pf->operstate, sizeof(pf->operstate), "unknown");
	if (net_dir_first(dir, pf->netdev, sizeof(pf->netdev), &pf->ifindex)) {
		mkpath(path, sizeof(path), "/sys/class/net/%s/speed", pf->netdev);
		if (!sysfs_read(path, buf, sizeof(buf)))
			pf->speed_mbit = parse_speed_mbit(buf);
		mkpath(path, sizeof(path), "/sys/class/net/%s/operstate", pf->netdev);
		if (sysfs_read(path, pf->operstate, sizeof(pf->operstate)))
			snprintf(pf->operstate, sizeof(pf->operstate), "unknown");
	}

	if (!pf->numvfs)
		return 0;
	pf->vfs = calloc(pf->numvfs, sizeof(*pf->vfs));
	if (!pf->vfs)
		return -ENOMEM;
	for (i = 0; i < pf->numvfs; i++)
		vf_fill(dir, i, &pf->vfs[i]);
	pf->nvfs = pf->numvfs;
	return 0;
}

static __attribute__((noreturn, format(printf, 1, 2)))
void pci_die(char *msg, ...)
{
	va_list ap;

	fputs("Error: libpci: ", stderr);
	va_start(ap, msg);
	vfprintf(stderr, msg, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static __attribute__((format(printf, 1, 2)))
void pci_quiet(char *msg, ...)
{
	(void)msg;
}

static int pf_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sriov_pf *)a)->bdf, ((const struct sriov_pf *)b)->bdf);
}

int sriov_scan(const char *only, struct sriov_pf **pfsp, size_t *npfsp)
{
	struct sriov_pf *pfs = NULL, *tmp;
	struct pci_access *pacc;
	size_t npfs = 0, cap = 0;
	struct pci_dev *d;
	char path[PATH_MAX], bdf[DEV_BDF_LEN];
	unsigned int total;
	int err = 0;

	pacc = pci_alloc();
	if (!pacc)
		return -ENOMEM;
	pacc->error = pci_die;
	pacc->warning = pci_quiet;
	pci_init(pacc);
	pci_scan_bus(pacc);

	for (d = pacc->devices; d; d = d->next) {
		snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%x", (unsigned int)d->domain,
			 d->bus, d->dev, d->func);
		if (only && strcmp(bdf, only))
			continue;
		mkpath(path, sizeof(path), PCI_DEVICES "/%s/sriov_totalvfs", bdf);
		if (sysfs_read_uint(path, &total))
			continue;
		tmp = vec_grow(pfs, &cap, npfs, sizeof(*pfs));
		if (!tmp) {
			err = -ENOMEM;
			break;
		}
		pfs = tmp;
		memset(&pfs[npfs], 0, sizeof(pfs[npfs]));
		snprintf(pfs[npfs].bdf, sizeof(pfs[npfs].bdf), "%s", bdf);
		pfs[npfs].totalvfs = total;
		err = pf_fill(pacc, d, &pfs[npfs]);
		npfs++;
		if (err)
			break;
	}
	pci_cleanup(pacc);
	if (err) {
		sriov_free(pfs, npfs);
		return err;
	}
	if (npfs)
		qsort(pfs, npfs, sizeof(*pfs), pf_cmp);
	*pfsp = pfs;
	*npfsp = npfs;
	return 0;
}

void sriov_free(struct sriov_pf *pfs, size_t npfs)
{
	size_t i;

	for (i = 0; i < npfs; i++)
		free(pfs[i].vfs);
	free(pfs);
}
