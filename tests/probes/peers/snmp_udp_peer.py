#!/usr/bin/env python3
"""UDP peers for the SNMP runner's edge cases (tests/probes/snmp_test.cpp), loopback only.

  snmp_udp_peer.py DIR PORT relay TARGET_PORT MAX_BYTES [DROP_PERCENT SEED]
      Relays datagrams between 127.0.0.1:PORT and an agent at 127.0.0.1:TARGET_PORT, dropping every
      response larger than MAX_BYTES, as a path that loses large (fragmented) datagrams does, and,
      with DROP_PERCENT, that share of requests and of responses at random (a lossy link; SEED makes
      the draws repeatable). Counts forwarded and dropped responses (dropped counts both causes,
      lost_requests the random request drops) and notes each GETBULK's max-repetitions.
  snmp_udp_peer.py DIR PORT fake ROOT
      A broken SNMP v1/v2c agent whose OIDs under ROOT stop increasing: a GETBULK gets ROOT.1, ROOT.2,
      ROOT.1; a GETNEXT from ROOT gets ROOT.2, from anything else ROOT.1. Counts requests.

Writes DIR/stats.json on every datagram, before passing it on or answering it ({"requests", "forwarded", "dropped", "repetitions"}) and
DIR/ready once it listens. Ends on SIGTERM, or by itself after 300 s.
"""
import json
import os
import random
import select
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from snmp_ber import integer, items, octets, oid, oid_text, read, seq, tlv, to_int  # noqa: E402

LIFETIME_S = 300


def write_stats(d, stats):
    tmp = os.path.join(d, "stats.json.tmp")
    with open(tmp, "w") as f:
        json.dump(stats, f)
    os.replace(tmp, os.path.join(d, "stats.json"))


def parse_request(data):
    """(version, community, pdu tag, request id, max-repetitions, first OID) of a v1/v2c request."""
    _, msg, _ = read(data)
    (_, version), (_, community), (pdu_tag, pdu) = items(msg)[:3]
    fields = items(pdu)
    varbinds = items(fields[3][1])
    first = oid_text(items(varbinds[0][1])[0][1]) if varbinds else ""
    return to_int(version), community, pdu_tag, to_int(fields[0][1]), to_int(fields[2][1]), first


def fake_response(version, community, request_id, varbinds):
    vbs = b"".join(seq(oid(name), integer(value)) for name, value in varbinds)
    pdu = seq(integer(request_id), integer(0), integer(0), seq(vbs), tag=0xA2)
    return seq(integer(version), octets(community), pdu)


def main():
    d, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    stats = {"requests": 0, "forwarded": 0, "dropped": 0, "lost_requests": 0, "repetitions": []}
    drop_percent = float(sys.argv[6]) if mode == "relay" and len(sys.argv) > 6 else 0.0
    rng = random.Random(int(sys.argv[7]) if len(sys.argv) > 7 else 1)

    def lost():
        return drop_percent > 0 and rng.random() * 100 < drop_percent
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", port))
    upstream = None
    if mode == "relay":
        target, max_bytes = ("127.0.0.1", int(sys.argv[4])), int(sys.argv[5])
        upstream = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        upstream.connect(target)
    else:
        root = sys.argv[4].strip(".")
    write_stats(d, stats)
    open(os.path.join(d, "ready"), "w").close()
    client = None
    end = time.monotonic() + LIFETIME_S
    while time.monotonic() < end:
        readable, _, _ = select.select([sock] + ([upstream] if upstream else []), [], [], 1.0)
        for s in readable:
            if s is sock:
                data, client = sock.recvfrom(65535)
                stats["requests"] += 1
                try:
                    version, community, tag, request_id, reps, first = parse_request(data)
                except (IndexError, ValueError):
                    continue
                if tag == 0xA5:
                    stats["repetitions"].append(reps)
                write_stats(d, stats)  # before answering: the test reads it as soon as it has the answer
                if mode == "relay":
                    if lost():
                        stats["lost_requests"] += 1
                        write_stats(d, stats)
                    else:
                        upstream.send(data)
                elif tag == 0xA5:
                    sock.sendto(fake_response(version, community, request_id,
                                              [(root + ".1", 1), (root + ".2", 2), (root + ".1", 1)]), client)
                elif tag == 0xA1:
                    name = root + ".2" if first == root else root + ".1"
                    sock.sendto(fake_response(version, community, request_id, [(name, 1)]), client)
            else:
                data = upstream.recv(65535)
                passes = len(data) <= max_bytes and not lost()
                if not passes:
                    stats["dropped"] += 1
                elif client:
                    stats["forwarded"] += 1
                write_stats(d, stats)
                if passes and client:
                    sock.sendto(data, client)


if __name__ == "__main__":
    main()
