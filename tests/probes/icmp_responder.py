#!/usr/bin/env python3
"""An ICMP echo responder that the ICMP tests control, run inside a test network namespace whose
kernel echo replies are switched off (net.ipv4.icmp_echo_ignore_all=1).

It answers the n-th echo request (n = 1, 2, ...) according to its options, in this order:
  --drop-every K          every K-th request gets no answer
  --unreachable-every K   every K-th request gets a destination unreachable (host unreachable)
  --wrong-source-every K  every K-th request is answered from --wrong-source instead of the target
  --corrupt-every K       every K-th request is answered with a corrupted checksum
  --duplicate-every K     every K-th request is answered twice
  --delay-ms D            every answer is sent D ms after the request arrived
Prints "ready" once listening, and on SIGTERM exits printing the number of requests seen.
IPv6 addresses select ICMPv6 (the kernel computes ICMPv6 checksums, so --corrupt-every is IPv4 only).
"""
import argparse
import heapq
import select
import signal
import socket
import struct
import sys
import time


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def with_checksum(msg: bytes) -> bytes:
    msg = msg[:2] + b"\0\0" + msg[4:]
    return msg[:2] + struct.pack("!H", checksum(msg)) + msg[4:]


def every(k, n):
    return k > 0 and n % k == 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--address", required=True, help="the target address (replies come from it)")
    ap.add_argument("--wrong-source", default="", help="another local address, for wrong-source replies")
    ap.add_argument("--delay-ms", type=float, default=0)
    for name in ("drop", "unreachable", "wrong-source", "corrupt", "duplicate"):
        ap.add_argument("--%s-every" % name, type=int, default=0)
    a = ap.parse_args()

    v6 = ":" in a.address
    family, proto = (socket.AF_INET6, socket.IPPROTO_ICMPV6) if v6 else (socket.AF_INET, socket.IPPROTO_ICMP)

    def raw(address):
        s = socket.socket(family, socket.SOCK_RAW, proto)
        s.bind((address, 0))
        return s

    listen = raw(a.address)
    right = raw(a.address)
    wrong = raw(a.wrong_source) if a.wrong_source else None

    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    print("ready", flush=True)

    queue = []  # (due, order, socket, bytes, destination)
    order = 0
    n = 0
    deadline = time.monotonic() + 120  # never outlive a test run
    while not stop and time.monotonic() < deadline:
        timeout = 0.05
        if queue:
            timeout = max(0.0, min(timeout, queue[0][0] - time.monotonic()))
        readable, _, _ = select.select([listen], [], [], timeout)
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, sock, data, dest = heapq.heappop(queue)
            sock.sendto(data, (dest, 0))
        if not readable:
            continue
        packet, peer = listen.recvfrom(65535)
        src = peer[0]
        if v6:
            icmp = packet  # ICMPv6 sockets deliver the message alone; the socket is bound to the target
            if len(icmp) < 8 or icmp[0] != 128:
                continue
            # The request's IPv6 header, rebuilt for the error message (raw IPv6 sockets do not deliver it).
            original = (struct.pack("!IHBB", 6 << 28, len(icmp), 58, 64) + socket.inet_pton(socket.AF_INET6, src)
                        + socket.inet_pton(socket.AF_INET6, a.address) + icmp)
        else:
            ihl = (packet[0] & 0x0F) * 4
            dst = socket.inet_ntoa(packet[16:20])
            icmp = packet[ihl:]
            if dst != a.address or len(icmp) < 8 or icmp[0] != 8:
                continue
            original = packet[: ihl + len(icmp)]
        n += 1
        due = now + a.delay_ms / 1000.0
        out = []
        if every(a.drop_every, n):
            pass
        elif every(a.unreachable_every, n):
            error_type = bytes([1, 3]) if v6 else bytes([3, 1])  # address / host unreachable
            out.append((right, with_checksum(error_type + bytes(6) + original)))
        else:
            reply = with_checksum(bytes([129 if v6 else 0]) + icmp[1:])
            sock = right
            if every(a.wrong_source_every, n) and wrong is not None:
                sock = wrong
            if every(a.corrupt_every, n):
                reply = reply[:2] + struct.pack("!H", (struct.unpack("!H", reply[2:4])[0] ^ 0x5A5A)) + reply[4:]
            out.append((sock, reply))
            if every(a.duplicate_every, n):
                out.append((sock, reply))
        for sock, data in out:
            order += 1
            heapq.heappush(queue, (due, order, sock, data, src))
    print("requests %d" % n, flush=True)


if __name__ == "__main__":
    sys.exit(main())
