#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Bulk iofair operations and timings over generic netlink, for the benchmarks.

iofairctl execs once per object; building 1024 targets that way under TCG
takes minutes.  This speaks the iofair family directly (attribute numbers
read from include/uapi/linux/iofair.h) in the caller's network namespace:

  iofairnl.py tree ROOT CAPACITY_BPS TENANTS PER DEVFMT
        a root, TENANTS tenants under it, PER dev targets each on the
        netdevs DEVFMT % i (i = 0 .. TENANTS*PER-1); prints JSON timings
  iofairnl.py targets DEVFMT FIRST COUNT
        COUNT dev targets outside any tree on DEVFMT % i
  iofairnl.py dump-time REPEAT
        times REPEAT stats dumps; JSON per dump: ms from the request to the
        NLMSG_DONE received (only the netlink headers walked: the kernel's
        snapshot, fill and copy), bytes, messages, and parse_ms, Python
        parsing every message's attributes afterwards
  iofairnl.py ctrl
        the controller's settings and figures as JSON
  iofairnl.py ctrl-steps COUNT GAP_S
        COUNT samples of the controller's last step time (ns), GAP_S seconds
        apart, by one process (a Python start per sample, under TCG, would
        compete with the steps it samples); JSON list
"""
import json
import os
import re
import socket
import struct
import sys
import time

TOP = os.environ.get("IOFAIR_TOP") or os.path.abspath(
    os.path.join(os.path.dirname(__file__), "..", ".."))
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2


def uapi():
    """Every enumerator of the uAPI header, by name."""
    text = open(os.path.join(TOP, "include/uapi/linux/iofair.h")).read()
    vals = {}
    for body in re.findall(r"enum[^{]*\{([^}]*)\}", text):
        nxt = 0
        for item in body.split(","):
            item = item.strip()
            m = re.match(r"([A-Z0-9_]+)\s*(?:=\s*(.+))?$", item)
            if not m:
                continue
            name, expr = m.groups()
            if expr:
                expr = expr.strip()
                nxt = int(expr, 0) if re.match(r"^(0x)?[0-9a-fA-F]+$", expr) else \
                    eval(re.sub(r"[A-Z_][A-Z0-9_]*", lambda x: str(vals[x.group(0)]), expr))
            vals[name] = nxt
            nxt += 1
    return vals


U = uapi()


def attr(atype, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, atype) + payload + b"\0" * ((4 - n % 4) % 4)


def a_u32(t, v):
    return attr(t, struct.pack("=I", v))


def a_u64(t, v):
    return attr(t, struct.pack("=Q", v))


def a_str(t, s):
    return attr(t, s.encode() + b"\0")


def parse_attrs(buf):
    out = {}
    off = 0
    while off + 4 <= len(buf):
        n, t = struct.unpack_from("=HH", buf, off)
        if n < 4:
            break
        out.setdefault(t & 0x3fff, []).append(buf[off + 4:off + n])
        off += (n + 3) & ~3
    return out


class Genl:
    def __init__(self, family="iofair"):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        self.s.bind((0, 0))
        self.seq = 0
        self.fam = GENL_ID_CTRL
        rep = self.request(CTRL_CMD_GETFAMILY, a_str(CTRL_ATTR_FAMILY_NAME, family))
        self.fam = struct.unpack("=H", parse_attrs(rep[0])[CTRL_ATTR_FAMILY_ID][0][:2])[0]

    def send(self, cmd, payload, flags):
        self.seq += 1
        body = struct.pack("=BBH", cmd, 1, 0) + payload
        self.s.send(struct.pack("=IHHII", 16 + len(body), self.fam,
                                NLM_F_REQUEST | flags, self.seq, 0) + body)

    def replies(self):
        """Messages (attribute payloads) until the ACK or DONE."""
        out = []
        while True:
            data = self.s.recv(1 << 20)
            off = 0
            while off < len(data):
                n, typ, _, seq, _ = struct.unpack_from("=IHHII", data, off)
                msg = data[off + 16:off + n]
                off += (n + 3) & ~3
                if typ == NLMSG_DONE:
                    return out
                if typ == NLMSG_ERROR:
                    err = struct.unpack_from("=i", msg)[0]
                    if err:
                        raise OSError(-err, os.strerror(-err) + self.extack(msg))
                    return out
                out.append(msg[4:])

    @staticmethod
    def extack(msg):
        # The original header follows the error; the extack TLVs come after
        # it (NLM_F_CAPPED not assumed: skip the whole request copy).
        hlen = struct.unpack_from("=I", msg, 4)[0]
        tl = parse_attrs(msg[4 + hlen:]) if len(msg) > 4 + hlen else {}
        return (": " + tl[1][0].rstrip(b"\0").decode()) if 1 in tl else ""

    def many(self, reqs, chunk=32):
        """Do requests [(cmd, payload)], chunk of them per sendmsg(); the
        ms each chunk took."""
        took = []
        for i in range(0, len(reqs), chunk):
            t0 = time.monotonic()
            buf = b""
            first = self.seq + 1
            for cmd, payload in reqs[i:i + chunk]:
                self.seq += 1
                body = struct.pack("=BBH", cmd, 1, 0) + payload
                buf += struct.pack("=IHHII", 16 + len(body), self.fam,
                                   NLM_F_REQUEST | NLM_F_ACK, self.seq, 0) + body
            self.s.send(buf)
            acks = 0
            while acks < self.seq - first + 1:
                data = self.s.recv(1 << 20)
                off = 0
                while off < len(data):
                    n, typ, _, seq, _ = struct.unpack_from("=IHHII", data, off)
                    msg = data[off + 16:off + n]
                    off += (n + 3) & ~3
                    if typ != NLMSG_ERROR:
                        continue
                    acks += 1
                    err = struct.unpack_from("=i", msg)[0]
                    if err:
                        raise OSError(-err, "request %d: %s%s" % (
                            seq - first + i, os.strerror(-err), self.extack(msg)))
            took.append(round((time.monotonic() - t0) * 1000, 1))
        return took

    def dump_raw(self, cmd, payload=b""):
        """A dump, received to its end and nothing more: the buffers of
        each recv().  The dump ends with the buffer whose last message is
        NLMSG_DONE (the kernel sends nothing after it; without extended
        acks it is 20 bytes), or an error alone: only those headers are
        looked at while receiving."""
        buf = bytearray(1 << 20)
        view = memoryview(buf)
        self.send(cmd, payload, NLM_F_DUMP)
        seq, bufs = self.seq, []
        while True:
            n = self.s.recv_into(buf)
            bufs.append(bytes(view[:n]))
            if n < 20:
                continue
            # An error (the dump did not start) comes alone.
            ln, typ, _, s = struct.unpack_from("=IHHI", buf, 0)
            if typ == NLMSG_ERROR and s == seq:
                return bufs
            ln, typ, _, s = struct.unpack_from("=IHHI", buf, n - 20)
            if ln == 20 and typ == NLMSG_DONE and s == seq:
                return bufs

    @staticmethod
    def walk(bufs):
        """The messages of a dump's buffers (payloads after the netlink
        header); raises the dump's error."""
        out = []
        for data in bufs:
            off = 0
            while off < len(data):
                n, typ = struct.unpack_from("=IH", data, off)
                if typ == NLMSG_DONE:
                    return out
                if typ == NLMSG_ERROR:
                    err = struct.unpack_from("=i", data, off + 16)[0]
                    if err:
                        raise OSError(-err, os.strerror(-err))
                    return out
                out.append(data[off + 16:off + n])
                off += (n + 3) & ~3
        raise OSError(0, "a dump without its end")

    def request(self, cmd, payload=b"", dump=False):
        self.send(cmd, payload, NLM_F_DUMP if dump else NLM_F_ACK)
        return self.replies()


def node_msg(name, parent=None, capacity=None, weight=None):
    p = a_str(U["IOFAIR_A_NODE_NAME"], name)
    if parent is not None:
        p += a_u32(U["IOFAIR_A_NODE_PARENT"], parent)
    if capacity is not None:
        p += a_u64(U["IOFAIR_A_NODE_CAPACITY"], capacity)
    if weight is not None:
        p += attr(U["IOFAIR_A_NODE_POLICY"], a_u32(U["IOFAIR_A_POLICY_WEIGHT"], weight))
    return (U["IOFAIR_CMD_NODE_NEW"], p)


def node_ids(g):
    ids = {}
    for m in g.request(U["IOFAIR_CMD_NODE_GET"], dump=True):
        a = parse_attrs(m)
        ids[a[U["IOFAIR_A_NODE_NAME"]][0].rstrip(b"\0").decode()] = \
            struct.unpack("=I", a[U["IOFAIR_A_NODE_ID"]][0])[0]
    return ids


def target_msg(ifname, node=None):
    p = a_u32(U["IOFAIR_A_TARGET_KIND"], U["IOFAIR_TARGET_KIND_DEV"])
    p += a_str(U["IOFAIR_A_TARGET_IFNAME"], ifname)
    if node is not None:
        p += a_u32(U["IOFAIR_A_TARGET_NODE"], node)
    return (U["IOFAIR_CMD_TARGET_ADD"], p)


def ctrl_get(g):
    a = parse_attrs(g.request(U["IOFAIR_CMD_CONTROLLER_GET"])[0])
    out = {}
    for k in ("STEPS", "LAST_STEP_NS", "INTERVAL_MS"):
        v = a.get(U["IOFAIR_A_CONTROLLER_" + k])
        if v:
            out[k.lower()] = int.from_bytes(v[0], "little")
    return out


def main(argv):
    g = Genl()
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "tree":
        root, cap, tenants, per, fmt = argv[2], int(argv[3]), int(argv[4]), int(argv[5]), argv[6]
        t0 = time.monotonic()
        g.many([node_msg(root, capacity=cap)])
        rid = node_ids(g)[root]
        g.many([node_msg("%s-t%d" % (root, i), parent=rid) for i in range(tenants)])
        ids = node_ids(g)
        t1 = time.monotonic()
        chunks = g.many([target_msg(fmt % i, ids["%s-t%d" % (root, i // per)])
                         for i in range(tenants * per)])
        t2 = time.monotonic()
        print(json.dumps({"nodes": tenants + 1, "targets": tenants * per,
                          "nodes_s": round(t1 - t0, 3), "targets_s": round(t2 - t1, 3),
                          "chunk": 32, "chunk_ms": chunks}))
    elif cmd == "targets":
        fmt, first, count = argv[2], int(argv[3]), int(argv[4])
        t0 = time.monotonic()
        g.many([target_msg(fmt % i) for i in range(first, first + count)])
        print(json.dumps({"targets": count, "s": round(time.monotonic() - t0, 3)}))
    elif cmd == "dump-time":
        res = []
        for _ in range(int(argv[2])):
            t0 = time.monotonic_ns()
            bufs = g.dump_raw(U["IOFAIR_CMD_STATS_GET"])
            t1 = time.monotonic_ns()
            msgs = g.walk(bufs)
            attrs = 0
            for m in msgs:
                a = parse_attrs(m[4:])
                for k in (U["IOFAIR_A_STATS_TX"], U["IOFAIR_A_STATS_RX"]):
                    for nest in a.get(k, []):
                        attrs += len(parse_attrs(nest))
                attrs += len(a)
            t2 = time.monotonic_ns()
            res.append({"messages": len(msgs), "bytes": sum(len(b) for b in bufs),
                        "recvs": len(bufs), "attrs": attrs,
                        "ms": round((t1 - t0) / 1e6, 3), "parse_ms": round((t2 - t1) / 1e6, 3)})
        print(json.dumps(res))
    elif cmd == "ctrl":
        print(json.dumps(ctrl_get(g)))
    elif cmd == "ctrl-steps":
        out = []
        for _ in range(int(argv[2])):
            time.sleep(float(argv[3]))
            out.append(ctrl_get(g).get("last_step_ns", 0))
        print(json.dumps(out))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except OSError as e:
        sys.stderr.write("iofairnl: %s\n" % e)
        sys.exit(1)
