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

    listen = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    listen.bind((a.address, 0))
    right = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    right.bind((a.address, 0))
    wrong = None
    if a.wrong_source:
        wrong = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
        wrong.bind((a.wrong_source, 0))

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
        packet, (src, _) = listen.recvfrom(65535)
        ihl = (packet[0] & 0x0F) * 4
        dst = socket.inet_ntoa(packet[16:20])
        icmp = packet[ihl:]
        if dst != a.address or len(icmp) < 8 or icmp[0] != 8:
            continue
        n += 1
        due = now + a.delay_ms / 1000.0
        out = []
        if every(a.drop_every, n):
            pass
        elif every(a.unreachable_every, n):
            out.append((right, with_checksum(bytes([3, 1, 0, 0, 0, 0, 0, 0]) + packet[: ihl + len(icmp)])))
        else:
            reply = with_checksum(bytes([0]) + icmp[1:])
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
