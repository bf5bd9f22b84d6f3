/* SPDX-License-Identifier: GPL-2.0 */
/* iofairctl: the generic netlink transport, with the kernel's extack text. */
#ifndef IOFAIRCTL_NL_H
#define IOFAIRCTL_NL_H

#include <netlink/attr.h>
#include <netlink/msg.h>

struct ctl_nl;

/*
 * Called for each reply message with its attributes parsed into @tb and, for
 * multi-attrs, the whole stream (@head, @len).  Return 0 to go on, a
 * negative errno to stop.
 */
typedef int (*ctl_nl_reply_fn)(struct nlattr **tb, struct nlattr *head, int len,
			       void *arg);

/* Open a socket and resolve the family; prints the error and returns NULL. */
struct ctl_nl *ctl_nl_open(void);
void ctl_nl_close(struct ctl_nl *nl);

/* A request for @cmd, with @flags (NLM_F_DUMP for a dump) to add attributes to. */
struct nl_msg *ctl_nl_msg(struct ctl_nl *nl, uint8_t cmd, int flags);

/*
 * Send @msg (consumed) and feed each reply to @fn, parsed by @maxattr.
 * Returns 0 or a negative errno; a kernel error has been printed with its
 * extack message and the attribute it pointed at.  A dump (NLM_F_DUMP) is
 * read to its end before @fn sees any of it: when the kernel flags it
 * inconsistent (NLM_F_DUMP_INTR) it is taken again, twice at most; an
 * error the kernel reports in NLMSG_DONE is printed like any other.
 */
int ctl_nl_talk(struct ctl_nl *nl, struct nl_msg *msg, int maxattr,
		ctl_nl_reply_fn fn, void *arg);

/*
 * Join the family's multicast group @group and make the socket
 * non-blocking; use another ctl_nl for requests.
 */
int ctl_nl_subscribe(struct ctl_nl *nl, const char *group);
int ctl_nl_fd(struct ctl_nl *nl);
/*
 * Feed the notifications of command @cmd that are queued now to @fn.
 * Returns 0 (also when none were queued), -ENOBUFS when the socket
 * overflowed and notifications were lost, or another negative errno.
 */
int ctl_nl_recv_ntf(struct ctl_nl *nl, uint8_t cmd, int maxattr, ctl_nl_reply_fn fn,
		    void *arg);

#endif /* IOFAIRCTL_NL_H */
