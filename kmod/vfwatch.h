/* SPDX-License-Identifier: GPL-2.0 */
/* iofair: VF config changes seen in the PF driver (kprobes on its VF callbacks, vfwatch.c). */
#ifndef _IOFAIR_VFWATCH_H
#define _IOFAIR_VFWATCH_H

struct iofair_target;

void iofair_vfwatch_exit(void);
void iofair_vfwatch_add(struct iofair_target *t);
void iofair_vfwatch_del(struct iofair_target *t);
void iofair_vfwatch_own_begin(void);
void iofair_vfwatch_own_end(void);

#endif /* _IOFAIR_VFWATCH_H */
