// SPDX-License-Identifier: GPL-2.0
/*
 * vhost worker probes: how the vhost-net worker serves a vhost target's tap,
 * per virtqueue (0 rx: the guest receives, 1 tx: the guest sends).
 *
 * A virtqueue is served in passes: work is queued for the device's worker
 * (a guest kick through the eventfd, a packet waiting on the tap, or the
 * handler requeueing itself), the worker runs the virtqueue's handler, the
 * handler moves packets until the ring or the tap is empty or vhost's
 * per-pass weight is used up.  For each pass:
 *
 *	delay   = start of the handler - first queueing of its work since
 *		  its previous pass (queue-to-service, what the kick waited)
 *	service = return of the handler - its start (elapsed, including any
 *		  time the worker was preempted or slept inside the pass)
 *	packets, bytes (L2) moved across the tap by the pass
 *	weight-limited: the handler queued its own virtqueue again before it
 *		  returned (vhost_exceeds_weight() does that when the weight
 *		  ends a pass; with busy polling, an interrupted busy loop too)
 *
 * Probe points, none of them reading vhost's or tun's private structures:
 *
 *	queue	vhost_worker_queue(worker, work)  6.4+, the one place every
 *		queueing goes through (vhost_poll_queue and vhost_vq_work_queue
 *		are inlined into its callers inside vhost.ko);
 *		vhost_work_queue(dev, work)  up to 6.3 (kthread workers).
 *		Only the work pointer is used.
 *	passes	handle_tx_kick, handle_tx_net, handle_rx_kick, handle_rx_net
 *		(vhost-net's work functions): kretprobes, entry and return.
 *	tx	the target's ingress hook on the tap (hook.c calls in): the guest's packets
 *		enter the host synchronously in the worker (tun_get_user or
 *		tun_xdp_one -> netif_receive_skb), so current is the worker.
 *	rx	tun_recvmsg(sock, msg, ...): the worker takes each packet off
 *		the tap's ring; msg->msg_control carries the skb (or a tagged
 *		xdp_frame, see <linux/if_tun.h>), whose dev is the tap.
 *
 * Tying work to a target.  A pass knows its work pointer and current (the
 * worker); the tx hook and the rx probe, running inside the pass, know the
 * tap.  The first pass of a work that moves a packet of a target's tap ties
 * that work and that worker to the target; from then on a work or a worker
 * finds its target in a table without any packet.  Three small global
 * tables, open addressing with a bounded probe sequence, lockless readers,
 * writers (rare: a new tie, a target going) under iofair_vlock:
 *
 *	works	work pointer -> target, virtqueue, worker, pending kick time
 *	tasks	worker task -> target (the worker's own task reference is
 *		held in the target's worker slots, so the pointer stays unique)
 *	passes	worker task -> the pass it is in (claimed at handler entry,
 *		released at its return, written only by that task)
 *
 * Probe handlers run in atomic context: no allocation, no sleeping lock;
 * counters are atomic64 per target and virtqueue, updated once per kick
 * and once per pass (per-packet work only touches the pass record).
 *
 * Workers: pid, CPU time (the task's sum_exec_runtime through
 * task_cputime_adjusted()) and wakeups: passes that began after the worker
 * had slept since its previous pass (its voluntary context switch count
 * moved), i.e. times it was woken to serve this target.
 *
 * Lifetime.  Probes are registered while at least one vhost target exists,
 * and for modules (vhost, vhost_net, tun) loaded later from the module
 * notifier; the kprobe core drops probes of a module that goes, and the
 * notifier takes them off our books.  A target going is marked dead (no new
 * ties), its table entries are cleared and it is freed after an RCU grace
 * period: probe handlers run with preemption off and find a target only
 * through the tables or the hook's priv, never across a sleep.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/hash.h>
#include <linux/hashtable.h>
#include <linux/if_tun.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/cputime.h>
#include <linux/sched/task.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/socket.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/xdp.h>

#include "hist.h"
#include "iofair.h"
#include "pernet.h"
#include "target.h"
#include "vhost.h"

#define IOFAIR_VHOST_WORKERS	16	/* workers remembered per target */
#define IOFAIR_VSCAN		8	/* slots one table lookup looks at */
#define IOFAIR_VWORK_BITS	9
#define IOFAIR_VTASK_BITS	8
#define IOFAIR_VPASS_BITS	8

struct iofair_vhost_vq {
	atomic64_t c[IOFAIR_VQ_NSTATS];		/* enum iofair_vq_stat */
};

/* A worker that served the target.  task: set under iofair_vlock. */
struct iofair_vslot_worker {
	struct task_struct *task;	/* a reference held; NULL: free */
	unsigned long nvcsw_end;	/* its nvcsw at its last pass end */
	u64 last_ns;			/* its last pass end */
};

struct iofair_vhost {
	struct iofair_target *t;
	struct net_device *dev;
	struct hlist_node dev_node;	/* in iofair_vdevs, under iofair_vmutex */
	bool dead;			/* under iofair_vlock: no new ties */
	struct iofair_vhost_vq vq[IOFAIR_VHOST_NVQS];
	atomic64_t wakeups;
	struct iofair_vslot_worker worker[IOFAIR_VHOST_WORKERS];

	/* Protects taking exited workers out, and gone_cpu_ns. */
	struct mutex gc_lock;
	u64 gone_cpu_ns;		/* CPU time of workers that exited */
	bool seen;			/* some worker has served the target */
	struct work_struct gc_work;

	/* Counters at the last reset, under inet->lock. */
	u64 base[IOFAIR_VHOST_NVQS][IOFAIR_VQ_NSTATS];
	u64 base_wakeups;
	struct rcu_head rcu;
};

/* works: a vhost_work tied to a target.  Key set last (release). */
struct iofair_vwork {
	unsigned long work;		/* key; 0: free */
	struct iofair_vhost *vh;
	struct task_struct *worker;	/* that served it: compared only */
	u64 queued_ns;			/* first queueing not served yet, 0: none */
	u32 vq;
	bool kick;			/* the virtqueue's own (kick) work */
};

/* tasks: a worker tied to a target. */
struct iofair_vtask {
	struct task_struct *task;	/* key; NULL: free */
	struct iofair_vhost *vh;
};

/* passes: one service pass in progress, written by its worker only. */
struct iofair_vpass {
	unsigned long work;
	/* Tied to; only compared once the section that found it has ended. */
	struct iofair_vhost *vh;
	u64 start_ns;
	u64 delay_ns;
	u64 packets;
	u64 bytes;
	u32 vq;
	bool kick;			/* handle_{tx,rx}_kick */
	bool delayed;
	bool requeued;
};

static struct iofair_vwork iofair_vworks[1 << IOFAIR_VWORK_BITS];
static struct iofair_vtask iofair_vtasks[1 << IOFAIR_VTASK_BITS];
static struct task_struct *iofair_vpass_task[1 << IOFAIR_VPASS_BITS];
static struct iofair_vpass iofair_vpasses[1 << IOFAIR_VPASS_BITS];

/* Writers of iofair_vworks, iofair_vtasks, worker slots' task, dead. */
static DEFINE_RAW_SPINLOCK(iofair_vlock);
/* Protects the probes, iofair_vusers and writers of iofair_vdevs. */
static DEFINE_MUTEX(iofair_vmutex);
static DEFINE_HASHTABLE(iofair_vdevs, 6);	/* tap -> target, for rx ties */
static unsigned int iofair_vusers;		/* vhost targets */

/* ---- tables ---- */

static unsigned int iofair_vslot(unsigned int h, unsigned int i, unsigned int bits)
{
	return (h + i) & ((1U << bits) - 1);
}

static struct iofair_vwork *iofair_vwork_find(unsigned long work)
{
	unsigned int h = hash_long(work, IOFAIR_VWORK_BITS), i;
	struct iofair_vwork *e;

	for (i = 0; i < IOFAIR_VSCAN; i++) {
		e = &iofair_vworks[iofair_vslot(h, i, IOFAIR_VWORK_BITS)];
		/* pairs with the release in iofair_vwork_tie(): fields set */
		if (smp_load_acquire(&e->work) == work)
			return e;
	}
	return NULL;
}

static void iofair_vwork_tie(const struct iofair_vpass *p, struct iofair_vhost *vh,
			     struct task_struct *worker)
{
	unsigned long work = p->work;
	unsigned int h = hash_long(work, IOFAIR_VWORK_BITS), i;
	struct iofair_vwork *e, *free = NULL;

	lockdep_assert_held(&iofair_vlock);
	for (i = 0; i < IOFAIR_VSCAN; i++) {
		e = &iofair_vworks[iofair_vslot(h, i, IOFAIR_VWORK_BITS)];
		if (e->work == work) {
			WRITE_ONCE(e->vh, vh);
			WRITE_ONCE(e->vq, p->vq);
			WRITE_ONCE(e->kick, p->kick);
			WRITE_ONCE(e->worker, worker);
			return;
		}
		if (!e->work && !free)
			free = e;
	}
	if (!free)
		return;		/* full here: this work goes unmeasured */
	WRITE_ONCE(free->vh, vh);
	WRITE_ONCE(free->vq, p->vq);
	WRITE_ONCE(free->kick, p->kick);
	WRITE_ONCE(free->worker, worker);
	WRITE_ONCE(free->queued_ns, 0);
	smp_store_release(&free->work, work);	/* the key last: fields first */
}

/* Untie the works of @vh, or only those @worker served. */
static void iofair_vwork_untie(struct iofair_vhost *vh, struct task_struct *worker)
{
	struct iofair_vwork *e;

	lockdep_assert_held(&iofair_vlock);
	for (e = iofair_vworks; e < iofair_vworks + ARRAY_SIZE(iofair_vworks); e++) {
		if (!e->work || e->vh != vh || (worker && e->worker != worker))
			continue;
		WRITE_ONCE(e->work, 0);
		WRITE_ONCE(e->vh, NULL);
	}
}

static struct iofair_vhost *iofair_vtask_find(struct task_struct *task)
{
	unsigned int h = hash_ptr(task, IOFAIR_VTASK_BITS), i;
	struct iofair_vtask *e;

	for (i = 0; i < IOFAIR_VSCAN; i++) {
		e = &iofair_vtasks[iofair_vslot(h, i, IOFAIR_VTASK_BITS)];
		/* pairs with the release in iofair_vtask_tie() */
		if (smp_load_acquire(&e->task) == task)
			return READ_ONCE(e->vh);
	}
	return NULL;
}

static void iofair_vtask_tie(struct task_struct *task, struct iofair_vhost *vh)
{
	unsigned int h = hash_ptr(task, IOFAIR_VTASK_BITS), i;
	struct iofair_vtask *e, *free = NULL;

	lockdep_assert_held(&iofair_vlock);
	for (i = 0; i < IOFAIR_VSCAN; i++) {
		e = &iofair_vtasks[iofair_vslot(h, i, IOFAIR_VTASK_BITS)];
		if (e->task == task) {
			WRITE_ONCE(e->vh, vh);
			return;
		}
		if (!e->task && !free)
			free = e;
	}
	if (!free)
		return;		/* full: the worker is found through its works */
	WRITE_ONCE(free->vh, vh);
	smp_store_release(&free->task, task);	/* the key last: vh first */
}

/* Untie @task, or every task tied to @vh. */
static void iofair_vtask_untie(struct task_struct *task, struct iofair_vhost *vh)
{
	struct iofair_vtask *e;

	lockdep_assert_held(&iofair_vlock);
	for (e = iofair_vtasks; e < iofair_vtasks + ARRAY_SIZE(iofair_vtasks); e++) {
		if (!e->task || e->vh != vh || (task && e->task != task))
			continue;
		WRITE_ONCE(e->task, NULL);
		WRITE_ONCE(e->vh, NULL);
	}
}

static int iofair_vpass_claim(struct task_struct *task)
{
	unsigned int h = hash_ptr(task, IOFAIR_VPASS_BITS), i, s;

	/* A slot left by a pass whose return was never seen is reused. */
	for (i = 0; i < IOFAIR_VSCAN; i++) {
		s = iofair_vslot(h, i, IOFAIR_VPASS_BITS);
		if (READ_ONCE(iofair_vpass_task[s]) == task)
			return s;
	}
	for (i = 0; i < IOFAIR_VSCAN; i++) {
		s = iofair_vslot(h, i, IOFAIR_VPASS_BITS);
		if (!READ_ONCE(iofair_vpass_task[s]) &&
		    !cmpxchg(&iofair_vpass_task[s], NULL, task))
			return s;
	}
	return -1;
}

static struct iofair_vpass *iofair_vpass_find(struct task_struct *task)
{
	unsigned int h = hash_ptr(task, IOFAIR_VPASS_BITS), i, s;

	for (i = 0; i < IOFAIR_VSCAN; i++) {
		s = iofair_vslot(h, i, IOFAIR_VPASS_BITS);
		if (READ_ONCE(iofair_vpass_task[s]) == task)
			return &iofair_vpasses[s];
	}
	return NULL;
}

static struct iofair_vhost *iofair_vdev_find(const struct net_device *dev)
{
	struct iofair_vhost *vh;

	hash_for_each_possible_rcu(iofair_vdevs, vh, dev_node, (unsigned long)dev)
		if (vh->dev == dev)
			return vh;
	return NULL;
}

/* ---- workers ---- */

static struct iofair_vslot_worker *iofair_vworker(struct iofair_vhost *vh,
						  struct task_struct *task)
{
	int i;

	for (i = 0; i < IOFAIR_VHOST_WORKERS; i++)
		if (READ_ONCE(vh->worker[i].task) == task)
			return &vh->worker[i];
	return NULL;
}

/*
 * Tie the pass @p of @task (current) to @vh: its work, and the worker.
 * Atomic context; a handful of times per work and worker.
 */
static void iofair_vhost_tie(struct iofair_vpass *p, struct iofair_vhost *vh,
			     struct task_struct *task)
{
	struct iofair_vslot_worker *w;
	unsigned long flags;
	int i;

	raw_spin_lock_irqsave(&iofair_vlock, flags);
	if (vh->dead)
		goto out;
	if (!iofair_vworker(vh, task)) {
		for (i = 0, w = NULL; i < IOFAIR_VHOST_WORKERS && !w; i++)
			if (!vh->worker[i].task)
				w = &vh->worker[i];
		if (w) {
			WRITE_ONCE(w->nvcsw_end, task->nvcsw);
			WRITE_ONCE(w->last_ns, iofair_now_ns());
			get_task_struct(task);
			/* the slot's fields before the task (iofair_vhost_snap) */
			smp_store_release(&w->task, task);
		} else {
			schedule_work(&vh->gc_work);	/* make room */
		}
	}
	if (iofair_vtask_find(task) != vh)
		iofair_vtask_tie(task, vh);
	iofair_vwork_tie(p, vh, task);
	p->vh = vh;
out:
	raw_spin_unlock_irqrestore(&iofair_vlock, flags);
}

static u64 iofair_task_cpu_ns(struct task_struct *task)
{
	u64 ut, st;

	task_cputime_adjusted(task, &ut, &st);
	return ut + st;
}

/* Take the workers that exited out of @vh (process context). */
static void iofair_vhost_gc(struct iofair_vhost *vh)
{
	struct task_struct *task;
	unsigned long flags;
	int i;

	lockdep_assert_held(&vh->gc_lock);
	for (i = 0; i < IOFAIR_VHOST_WORKERS; i++) {
		task = READ_ONCE(vh->worker[i].task);
		if (!task || !(READ_ONCE(task->flags) & PF_EXITING))
			continue;
		raw_spin_lock_irqsave(&iofair_vlock, flags);
		iofair_vwork_untie(vh, task);
		iofair_vtask_untie(task, vh);
		WRITE_ONCE(vh->worker[i].task, NULL);
		raw_spin_unlock_irqrestore(&iofair_vlock, flags);
		vh->gone_cpu_ns += iofair_task_cpu_ns(task);
		vh->seen = true;
		put_task_struct(task);
	}
}

static void iofair_vhost_gc_work(struct work_struct *work)
{
	struct iofair_vhost *vh = container_of(work, struct iofair_vhost, gc_work);

	mutex_lock(&vh->gc_lock);
	iofair_vhost_gc(vh);
	mutex_unlock(&vh->gc_lock);
}

/* ---- probe handlers ---- */

/* Work queued for a worker: vhost_worker_queue() / vhost_work_queue(). */
static int iofair_vhost_queue(struct kprobe *kp, struct pt_regs *regs)
{
	unsigned long work = regs_get_kernel_argument(regs, 1);
	struct iofair_vhost *vh;
	struct iofair_vwork *e;
	struct iofair_vpass *p;
	u32 vq;

	e = iofair_vwork_find(work);
	if (!e)
		return 0;
	vh = READ_ONCE(e->vh);
	vq = READ_ONCE(e->vq);
	if (!vh || vq >= IOFAIR_VHOST_NVQS)
		return 0;
	atomic64_inc(&vh->vq[vq].c[IOFAIR_VQ_KICKS]);
	if (!READ_ONCE(e->queued_ns))
		cmpxchg64(&e->queued_ns, 0, iofair_now_ns());
	/*
	 * The worker queueing the kick work of the virtqueue it is serving,
	 * from inside the pass: vhost_exceeds_weight() (or an interrupted
	 * busy loop).  Re-arming the tap's poll queues the other work.
	 */
	if (in_task() && READ_ONCE(e->kick)) {
		p = iofair_vpass_find(current);
		if (p && p->vh == vh && p->vq == vq)
			p->requeued = true;
	}
	return 0;
}

static int iofair_vpass_begin(struct kretprobe_instance *ri, struct pt_regs *regs,
			      u32 vq, bool kick)
{
	unsigned long work = regs_get_kernel_argument(regs, 0);
	struct task_struct *task = current;
	struct iofair_vslot_worker *w;
	struct iofair_vhost *vh = NULL;
	struct iofair_vwork *e;
	struct iofair_vpass *p;
	u64 now = iofair_now_ns(), q;
	bool tied = false;
	int slot;

	slot = iofair_vpass_claim(task);
	if (slot < 0)
		return 1;	/* no return probe */
	*(int *)ri->data = slot;
	p = &iofair_vpasses[slot];
	p->work = work;
	p->vq = vq;
	p->kick = kick;
	p->vh = NULL;
	p->start_ns = now;
	p->packets = 0;
	p->bytes = 0;
	p->delayed = false;
	p->requeued = false;

	e = iofair_vwork_find(work);
	if (e) {
		q = xchg(&e->queued_ns, 0);
		if (q && now > q) {
			p->delay_ns = now - q;
			p->delayed = true;
		}
		if (READ_ONCE(e->worker) == task) {
			vh = READ_ONCE(e->vh);
			tied = !!vh;
		}
	}
	if (!vh)
		vh = iofair_vtask_find(task);	/* a known worker, a new work */
	if (!vh)
		return 0;			/* a packet may tie it */
	w = iofair_vworker(vh, task);
	if (tied && w)
		p->vh = vh;
	else
		iofair_vhost_tie(p, vh, task);
	if (p->vh && w && task->nvcsw != READ_ONCE(w->nvcsw_end))
		atomic64_inc(&vh->wakeups);
	return 0;
}

static int iofair_vpass_begin_rx_kick(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return iofair_vpass_begin(ri, regs, 0, true);
}

static int iofair_vpass_begin_rx_net(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return iofair_vpass_begin(ri, regs, 0, false);
}

static int iofair_vpass_begin_tx_kick(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return iofair_vpass_begin(ri, regs, 1, true);
}

static int iofair_vpass_begin_tx_net(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return iofair_vpass_begin(ri, regs, 1, false);
}

static int iofair_vpass_end(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct task_struct *task = current;
	struct iofair_vslot_worker *w;
	int slot = *(int *)ri->data;
	struct iofair_vhost *vh;
	struct iofair_vhost_vq *q;
	struct iofair_vwork *e;
	struct iofair_vpass *p;
	u64 now, service_ns;

	if (READ_ONCE(iofair_vpass_task[slot]) != task)
		return 0;
	p = &iofair_vpasses[slot];
	if (!p->vh)
		goto out;
	/* The target may have gone during the pass: find it again. */
	e = iofair_vwork_find(p->work);
	vh = e ? READ_ONCE(e->vh) : NULL;
	if (!vh || vh != p->vh || READ_ONCE(e->worker) != task)
		goto out;

	now = iofair_now_ns();
	service_ns = now - p->start_ns;
	q = &vh->vq[p->vq];
	atomic64_inc(&q->c[IOFAIR_VQ_PASSES]);
	atomic64_add(p->packets, &q->c[IOFAIR_VQ_PACKETS]);
	atomic64_add(p->bytes, &q->c[IOFAIR_VQ_BYTES]);
	atomic64_add(service_ns, &q->c[IOFAIR_VQ_SERVICE_NS]);
	iofair_hist_record(vh->t, IOFAIR_HIST_KIND_SERVICE_TIME, service_ns);
	if (p->delayed) {
		atomic64_add(p->delay_ns, &q->c[IOFAIR_VQ_DELAY_NS]);
		iofair_hist_record(vh->t, IOFAIR_HIST_KIND_KICK_DELAY, p->delay_ns);
	}
	if (p->requeued)
		atomic64_inc(&q->c[IOFAIR_VQ_WEIGHT_LIMITED]);
	w = iofair_vworker(vh, task);
	if (w) {
		WRITE_ONCE(w->nvcsw_end, task->nvcsw);
		WRITE_ONCE(w->last_ns, now);
	}
out:
	/* the pass record is free once the slot is: after our last use */
	smp_store_release(&iofair_vpass_task[slot], NULL);
	return 0;
}

/* rx: the worker takes one packet off the tap (tun_recvmsg). */
static int iofair_vhost_recv(struct kprobe *kp, struct pt_regs *regs)
{
	struct msghdr *m = (struct msghdr *)regs_get_kernel_argument(regs, 1);
	struct net_device *dev = NULL;
	struct iofair_vhost *vh;
	struct iofair_vpass *p;
	unsigned int len = 0;
	void *ptr;

	if (!in_task())
		return 0;
	p = iofair_vpass_find(current);
	if (!p || !m)
		return 0;
	ptr = m->msg_control;
	if (ptr && tun_is_xdp_frame(ptr)) {
		len = tun_ptr_to_xdp(ptr)->len;
	} else if (ptr) {
		len = ((struct sk_buff *)ptr)->len;
		dev = ((struct sk_buff *)ptr)->dev;
	}
	if (!p->vh && dev) {
		rcu_read_lock();
		vh = iofair_vdev_find(dev);
		if (vh)
			iofair_vhost_tie(p, vh, current);
		rcu_read_unlock();
	}
	if (p->vh) {
		p->packets++;
		p->bytes += len;
	}
	return 0;
}

/*
 * tx: a packet the guest sent enters the host, in the worker.  Called by
 * the target's ingress hook (hook.c) before the shaper may hold the packet,
 * under the hook's RCU read side; a packet the shaper releases later comes
 * back from a timer, not in a task, and is not counted twice.
 */
void iofair_vhost_tx(struct iofair_target *t, const struct sk_buff *skb)
{
	struct iofair_vhost *vh = READ_ONCE(t->vhost);
	struct iofair_vpass *p;

	if (!vh || !in_task())
		return;
	p = iofair_vpass_find(current);
	if (!p)
		return;
	if (p->vh != vh)
		iofair_vhost_tie(p, vh, current);
	if (p->vh == vh) {
		p->packets++;
		p->bytes += skb->len + skb->mac_len;
	}
}

/* ---- probe registration ---- */

struct iofair_vprobe {
	const char *symbol;
	const char *module;
	unsigned int alt;		/* non-zero: alternatives, the first placed wins */
	kprobe_pre_handler_t pre;	/* a kprobe, or ... */
	kretprobe_handler_t entry;	/* ... a kretprobe ending in iofair_vpass_end */
	struct kprobe kp;
	struct kretprobe rp;
	bool on;
	int err;			/* of the last attempt */
};

static struct iofair_vprobe iofair_vprobes[] = {
	{ .symbol = "vhost_worker_queue", .module = "vhost", .alt = 1,
	  .pre = iofair_vhost_queue },
	{ .symbol = "vhost_work_queue", .module = "vhost", .alt = 1,
	  .pre = iofair_vhost_queue },
	{ .symbol = "handle_tx_kick", .module = "vhost_net", .entry = iofair_vpass_begin_tx_kick },
	{ .symbol = "handle_tx_net", .module = "vhost_net", .entry = iofair_vpass_begin_tx_net },
	{ .symbol = "handle_rx_kick", .module = "vhost_net", .entry = iofair_vpass_begin_rx_kick },
	{ .symbol = "handle_rx_net", .module = "vhost_net", .entry = iofair_vpass_begin_rx_net },
	{ .symbol = "tun_recvmsg", .module = "tun", .pre = iofair_vhost_recv },
};

#define IOFAIR_VPROBES_END	(iofair_vprobes + ARRAY_SIZE(iofair_vprobes))

static bool iofair_vprobe_module(const char *name)
{
	struct iofair_vprobe *vp;

	for (vp = iofair_vprobes; vp < IOFAIR_VPROBES_END; vp++)
		if (!strcmp(vp->module, name))
			return true;
	return false;
}

static bool iofair_valt_on(unsigned int alt)
{
	struct iofair_vprobe *vp;

	for (vp = iofair_vprobes; vp < IOFAIR_VPROBES_END; vp++)
		if (vp->alt == alt && vp->on)
			return true;
	return false;
}

static int iofair_vprobe_register(struct iofair_vprobe *vp)
{
	if (vp->entry) {
		memset(&vp->rp, 0, sizeof(vp->rp));
		vp->rp.kp.symbol_name = vp->symbol;
		vp->rp.entry_handler = vp->entry;
		vp->rp.handler = iofair_vpass_end;
		vp->rp.data_size = sizeof(int);
		/* Passes in flight at once: workers can be preempted in one. */
		vp->rp.maxactive = max_t(int, 64, 4 * num_possible_cpus());
		return register_kretprobe(&vp->rp);
	}
	memset(&vp->kp, 0, sizeof(vp->kp));
	vp->kp.symbol_name = vp->symbol;
	vp->kp.pre_handler = vp->pre;
	return register_kprobe(&vp->kp);
}

/* Say what is placed and what is missing, when that changes. */
static void iofair_vprobes_report(void)
{
	static char last[256];
	static bool said;
	struct iofair_vprobe *vp;
	char msg[256] = "";
	int len = 0;

	for (vp = iofair_vprobes; vp < IOFAIR_VPROBES_END; vp++) {
		if (vp->on || (vp->alt && iofair_valt_on(vp->alt)))
			continue;
		len += scnprintf(msg + len, sizeof(msg) - len, " %s(%d)", vp->symbol, vp->err);
	}
	if (said && !strcmp(msg, last))
		return;
	said = true;
	strscpy(last, msg, sizeof(last));
	if (!len)
		pr_info("vhost probes: all placed\n");
	else
		pr_info("vhost probes: not placed:%s; what they measure is missing (a module loaded later is probed then)\n",
			msg);
}

/* Place the probes (of @module only, when given). */
static void iofair_vprobes_on(const char *module)
{
	struct iofair_vprobe *vp;

	lockdep_assert_held(&iofair_vmutex);
	if (!IS_ENABLED(CONFIG_KPROBES) || !IS_ENABLED(CONFIG_KRETPROBES))
		return;
	for (vp = iofair_vprobes; vp < IOFAIR_VPROBES_END; vp++) {
		if (vp->on || (module && strcmp(vp->module, module)))
			continue;
		if (vp->alt && iofair_valt_on(vp->alt))
			continue;
		vp->err = iofair_vprobe_register(vp);
		vp->on = !vp->err;
	}
	iofair_vprobes_report();
}

/* Take the probes (of @module only, when given) off. */
static void iofair_vprobes_off(const char *module)
{
	struct kretprobe *rps[ARRAY_SIZE(iofair_vprobes)];
	struct kprobe *kps[ARRAY_SIZE(iofair_vprobes)];
	struct iofair_vprobe *vp;
	int nk = 0, nr = 0;

	lockdep_assert_held(&iofair_vmutex);
	for (vp = iofair_vprobes; vp < IOFAIR_VPROBES_END; vp++) {
		if (!vp->on || (module && strcmp(vp->module, module)))
			continue;
		if (vp->entry)
			rps[nr++] = &vp->rp;
		else
			kps[nk++] = &vp->kp;
		vp->on = false;
		vp->err = -ENOENT;
	}
	if (nk)
		unregister_kprobes(kps, nk);
	if (nr)
		unregister_kretprobes(rps, nr);
	while (nr--)
		if (rps[nr]->nmissed)
			pr_info("vhost probes: %s missed %d passes (too many at once)\n",
				rps[nr]->kp.symbol_name, rps[nr]->nmissed);
}

static int iofair_vhost_module_event(struct notifier_block *nb, unsigned long state,
				     void *data)
{
	struct module *mod = data;

	if (!iofair_vprobe_module(mod->name))
		return NOTIFY_DONE;
	mutex_lock(&iofair_vmutex);
	if (state == MODULE_STATE_COMING && iofair_vusers)
		iofair_vprobes_on(mod->name);
	else if (state == MODULE_STATE_GOING)
		iofair_vprobes_off(mod->name);
	mutex_unlock(&iofair_vmutex);
	return NOTIFY_DONE;
}

static struct notifier_block iofair_vhost_module_nb = {
	.notifier_call = iofair_vhost_module_event,
};

/* ---- targets ---- */

int iofair_vhost_attach(struct iofair_target *t, struct netlink_ext_ack *extack)
{
	struct iofair_vhost *vh;

	if (t->kind != IOFAIR_TARGET_KIND_VHOST)
		return 0;
	vh = kzalloc(sizeof(*vh), GFP_KERNEL_ACCOUNT);
	if (!vh) {
		NL_SET_ERR_MSG_MOD(extack, "no memory for the vhost probes' state");
		return -ENOMEM;
	}
	vh->t = t;
	vh->dev = t->dev;
	mutex_init(&vh->gc_lock);
	INIT_WORK(&vh->gc_work, iofair_vhost_gc_work);
	mutex_lock(&iofair_vmutex);
	if (!iofair_vusers++) {
		/* Passes whose return was never seen are forgotten. */
		memset(iofair_vpass_task, 0, sizeof(iofair_vpass_task));
		iofair_vprobes_on(NULL);
	}
	hash_add_rcu(iofair_vdevs, &vh->dev_node, (unsigned long)t->dev);
	mutex_unlock(&iofair_vmutex);
	smp_store_release(&t->vhost, vh);	/* complete before the hook sees it */
	return 0;
}

static void iofair_vhost_free_rcu(struct rcu_head *head)
{
	kfree(container_of(head, struct iofair_vhost, rcu));
}

void iofair_vhost_detach(struct iofair_target *t)
{
	struct iofair_vhost *vh = t->vhost;
	struct task_struct *task;
	unsigned long flags;
	int i;

	if (!vh)
		return;
	WRITE_ONCE(t->vhost, NULL);	/* the hook's readers: freed after RCU */

	mutex_lock(&iofair_vmutex);
	hash_del_rcu(&vh->dev_node);
	if (!--iofair_vusers)
		iofair_vprobes_off(NULL);
	mutex_unlock(&iofair_vmutex);

	raw_spin_lock_irqsave(&iofair_vlock, flags);
	vh->dead = true;
	iofair_vwork_untie(vh, NULL);
	iofair_vtask_untie(NULL, vh);
	raw_spin_unlock_irqrestore(&iofair_vlock, flags);
	cancel_work_sync(&vh->gc_work);		/* nothing queues it any more */

	for (i = 0; i < IOFAIR_VHOST_WORKERS; i++) {
		task = vh->worker[i].task;
		WRITE_ONCE(vh->worker[i].task, NULL);
		if (task)
			put_task_struct(task);
	}
	call_rcu(&vh->rcu, iofair_vhost_free_rcu);
}

static void iofair_vhost_raw(const struct iofair_vhost *vh,
			     u64 c[IOFAIR_VHOST_NVQS][IOFAIR_VQ_NSTATS], u64 *wakeups)
{
	int q, i;

	for (q = 0; q < IOFAIR_VHOST_NVQS; q++)
		for (i = 0; i < IOFAIR_VQ_NSTATS; i++)
			c[q][i] = atomic64_read(&vh->vq[q].c[i]);
	*wakeups = atomic64_read(&vh->wakeups);
}

/* stats-reset: the virtqueue counters and wakeups start again from 0. */
void iofair_vhost_reset(struct iofair_target *t)
{
	struct iofair_vhost *vh = t->vhost;

	lockdep_assert_held(&t->inet->lock);
	if (vh)
		iofair_vhost_raw(vh, vh->base, &vh->base_wakeups);
}

void iofair_vhost_snap(const struct iofair_target *t, struct iofair_vhost_snap *s)
{
	struct iofair_vhost *vh = t->vhost;
	struct task_struct *task, *newest = NULL;
	u64 newest_ns = 0, ns;
	int q, i;

	memset(s, 0, sizeof(*s));
	if (!vh)
		return;
	lockdep_assert_held(&t->inet->lock);
	iofair_vhost_raw(vh, s->vq, &s->worker_wakeups);
	for (q = 0; q < IOFAIR_VHOST_NVQS; q++)
		for (i = 0; i < IOFAIR_VQ_NSTATS; i++)
			s->vq[q][i] -= vh->base[q][i];
	s->worker_wakeups -= vh->base_wakeups;

	/* Slots are emptied only under gc_lock (or at detach, under inet->lock). */
	mutex_lock(&vh->gc_lock);
	iofair_vhost_gc(vh);
	s->worker_cpu_ns = vh->gone_cpu_ns;
	for (i = 0; i < IOFAIR_VHOST_WORKERS; i++) {
		/* pairs with the release in iofair_vhost_tie() */
		task = smp_load_acquire(&vh->worker[i].task);
		if (!task)
			continue;
		vh->seen = true;
		s->worker_cpu_ns += iofair_task_cpu_ns(task);
		ns = READ_ONCE(vh->worker[i].last_ns);
		if (!newest || ns > newest_ns) {
			newest = task;
			newest_ns = ns;
		}
	}
	s->workers = vh->seen;
	if (newest)
		s->worker_pid = task_pid_vnr(newest);
	mutex_unlock(&vh->gc_lock);
}

static const u16 iofair_vq_attr[IOFAIR_VQ_NSTATS] = {
	[IOFAIR_VQ_KICKS]		= IOFAIR_A_VQ_KICKS,
	[IOFAIR_VQ_PASSES]		= IOFAIR_A_VQ_PASSES,
	[IOFAIR_VQ_PACKETS]		= IOFAIR_A_VQ_PACKETS,
	[IOFAIR_VQ_BYTES]		= IOFAIR_A_VQ_BYTES,
	[IOFAIR_VQ_WEIGHT_LIMITED]	= IOFAIR_A_VQ_WEIGHT_LIMITED,
	[IOFAIR_VQ_DELAY_NS]		= IOFAIR_A_VQ_DELAY_NS,
	[IOFAIR_VQ_SERVICE_NS]		= IOFAIR_A_VQ_SERVICE_NS,
};

int iofair_vhost_fill(struct sk_buff *skb, const struct iofair_vhost_snap *s)
{
	struct nlattr *nest;
	int q, i;

	for (q = 0; q < IOFAIR_VHOST_NVQS; q++) {
		if (!s->vq[q][IOFAIR_VQ_KICKS] && !s->vq[q][IOFAIR_VQ_PASSES])
			continue;	/* not seen (since the last reset) */
		nest = nla_nest_start(skb, IOFAIR_A_STATS_VQ);
		if (!nest)
			return -EMSGSIZE;
		if (nla_put_u32(skb, IOFAIR_A_VQ_INDEX, q))
			goto err_cancel;
		for (i = 0; i < IOFAIR_VQ_NSTATS; i++)
			if (nla_put_uint(skb, iofair_vq_attr[i], s->vq[q][i]))
				goto err_cancel;
		nla_nest_end(skb, nest);
	}
	if (s->worker_pid && nla_put_u32(skb, IOFAIR_A_STATS_WORKER_PID, s->worker_pid))
		return -EMSGSIZE;
	if (s->workers &&
	    (nla_put_uint(skb, IOFAIR_A_STATS_WORKER_CPU_NS, s->worker_cpu_ns) ||
	     nla_put_uint(skb, IOFAIR_A_STATS_WORKER_WAKEUPS, s->worker_wakeups)))
		return -EMSGSIZE;
	return 0;

err_cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

int iofair_vhost_init(void)
{
	return register_module_notifier(&iofair_vhost_module_nb);
}

void iofair_vhost_exit(void)
{
	unregister_module_notifier(&iofair_vhost_module_nb);
	/* Targets still attached are detached later (pernet exit). */
	mutex_lock(&iofair_vmutex);
	iofair_vprobes_off(NULL);
	mutex_unlock(&iofair_vmutex);
}
