#!/usr/bin/env python3
"""Captures snmpd's answers to SNMPv3 messages as seeds for tests/fuzz/fuzz_snmp_discovery.cpp.

  snmp_capture_reports.py PORT OUT_DIR     (snmpd from snmpd_peer.sh listening on 127.0.0.1:PORT)

Sends, all with msgID 4242: an engine discovery request (report_unknown_engine), a request with the
engine id and an unknown user (report_unknown_user), and noAuthNoPriv GET and GETBULK requests as
user "nouser" (response_noauth_get, response_noauth_getbulk). Loopback only.
"""
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from snmp_ber import integer, items, octets, read, seq, to_int  # noqa: E402


def v3(msg_id, engine=b"", user=b"", boots=0, time=0, pdu_tag=0xA0):
    glob = seq(integer(msg_id), integer(65507), octets(b"\x04"), integer(3))
    usm = octets(seq(octets(engine), integer(boots), integer(time), octets(user), octets(b""), octets(b"")))
    pdu = seq(integer(7), integer(0), integer(0), seq(), tag=pdu_tag)
    return seq(integer(3), glob, usm, seq(octets(engine), octets(b""), pdu))


def main():
    port, out = int(sys.argv[1]), sys.argv[2]
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)

    def ask(msg, name):
        s.sendto(msg, ("127.0.0.1", port))
        data = s.recv(65535)
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        return data

    report = ask(v3(4242), "report_unknown_engine")
    _, message, _ = read(report)
    usm = items(items(items(message)[2][1])[0][1])
    engine, boots, time = usm[0][1], to_int(usm[1][1]), to_int(usm[2][1])
    ask(v3(4242, engine, b"nobody", boots, time), "report_unknown_user")
    ask(v3(4242, engine, b"nouser", boots, time), "response_noauth_get")
    ask(v3(4242, engine, b"nouser", boots, time, pdu_tag=0xA5), "response_noauth_getbulk")


if __name__ == "__main__":
    main()
