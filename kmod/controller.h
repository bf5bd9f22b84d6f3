/* SPDX-License-Identifier: GPL-2.0 */
/* iofair: the controller's settings and entry points (controller.c). */
#ifndef _IOFAIR_CONTROLLER_H
#define _IOFAIR_CONTROLLER_H

#include <linux/types.h>

struct iofair_net;
struct iofair_target;

struct iofair_ctrl_cfg {
	bool enabled;
	u32 interval_ms;
	u32 hysteresis_pct;
	u32 margin_pct;
	u32 window_ms;
};

void iofair_ctrl_init(struct iofair_net *inet);
void iofair_ctrl_stop(struct iofair_net *inet);
void iofair_ctrl_kick(struct iofair_net *inet);
void iofair_ctrl_free(struct iofair_net *inet);
u64 iofair_target_limit(const struct iofair_target *t);

#endif /* _IOFAIR_CONTROLLER_H */
