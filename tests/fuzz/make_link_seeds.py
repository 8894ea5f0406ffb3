#!/usr/bin/env python3
"""Writes the seed corpora of fuzz_collector_session and fuzz_agent_uplink (tests/fuzz/corpus/
collector_session/, agent_uplink/): a few valid sessions, each message written in protobuf text
format, encoded by protoc, framed (4-byte big-endian length) and prefixed with the target's input
header (chunk sizes; for the agent also its actions). Run from anywhere: tests/fuzz/make_link_seeds.py"""
import pathlib
import struct
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests/fuzz/corpus"
NOW = 1_767_225_600_000  # the targets' clock (2026-01-01T00:00:00Z)
TOKEN = "s3cret-token-of-fuzz-agent"
PROTOCOL = 2  # wire::kProtocolVersion


def encode(kind, text):
    return subprocess.run(["protoc", f"--encode=slamon.wire.v1.{kind}", "-I", str(ROOT), "common/wire/slamon.proto"],
                          input=text.encode(), capture_output=True, check=True, cwd=ROOT).stdout


def frames(kind, messages):
    out = b""
    for text in messages:
        payload = encode(kind, text)
        out += struct.pack(">I", len(payload)) + payload
    return out


def hello(epoch, first, last, token=TOKEN, clock=NOW - 200, agent="fuzz-agent"):
    return (f'hello {{ protocol_version: {PROTOCOL} agent: "{agent}" token: "{token}" agent_clock_ms: {clock} '
            f'spool_epoch: {epoch} spool_first_seq: {first} spool_last_seq: {last} assignment_version: "v-fuzz-1" }}')


def result(probe, ts, status="STATUS_UP", latency=12.5):
    return (f'entries {{ result {{ probe: "{probe}" ts_ms: {ts} status: {status} latency_ms: {latency} '
            f'metrics {{ name: "http_status" value: 200 }} }} }}')


def gap(probes, start, end, dropped):
    names = " ".join(f'probes: "{p}"' for p in probes)
    return f"entries {{ gap {{ {names} from_ms: {start} to_ms: {end} dropped: {dropped} }} }}"


def batch(epoch, first, last, entries):
    return f'batch {{ epoch: {epoch} first_seq: {first} last_seq: {last} {" ".join(entries)} }}'


def heartbeat(clock, echo, backlog=3):
    return f"heartbeat {{ clock_ms: {clock} echo_clock_ms: {echo} backlog: {backlog} }}"


def reply(version, accepted, reason=""):
    return f'assignment_reply {{ version: "{version}" accepted: {"true" if accepted else "false"} reason: "{reason}" }}'


def collector_sessions():
    t = NOW - 60_000
    return {
        # The store holds 1..5, 9..12 and 30..31 of epoch 3: the agent resumes, sends 6..9 (a gap of two,
        # the last number stored already), then 10..11 (stored already).
        "resume": [hello(3, 4, 40),
                   batch(3, 6, 9, [result("web.http", t), result("db.tcp", t + 1), gap(["dns.a"], t, t + 2, 2)]),
                   heartbeat(NOW - 150, 0), reply("v-fuzz-1", True), heartbeat(NOW - 100, NOW - 1_000),
                   batch(3, 10, 11, [result("web.http", t + 60_000), result("dns.a", t + 60_000, "STATUS_DOWN")])],
        # A spool that ends below the store's mark: a new epoch (the collector's clock), from 1.
        "new-epoch": [hello(3, 1, 2), batch(NOW, 1, 2, [result("web.http", t), result("db.tcp", t)]),
                      reply("v-fuzz-0", True), reply("v-fuzz-1", False, "probe x: bad CA")],
        # Resends below the mark, a gap over it, entries refused (not assigned, stamped in the future), and
        # a batch past mark + 1 (stored as a range above it).
        "refusals": [hello(3, 1, 40),
                     batch(3, 4, 7, [result("web.http", t), result("db.tcp", t), result("rogue.probe", t),
                                     result("web.http", NOW + 3_600_000)]),
                     batch(3, 7, 11, [gap(["web.http", "rogue.probe"], t, t + 5, 3), result("db.tcp", t + 2),
                                      gap(["rogue.probe"], t, t + 1, 1)]),
                     batch(3, 20, 21, [result("web.http", t), result("db.tcp", t)]),
                     batch(3, 12, 12, [gap(["dns.a"], NOW + 3_600_000, NOW + 3_700_000, 1)]),
                     heartbeat(NOW - 3_600_000, 0)],
        # Live results above the mark and its ranges, then the back-fill that merges them into the mark.
        "live-first": [hello(3, 1, 60),
                       batch(3, 50, 52, [result("web.http", t + 50), result("db.tcp", t + 51), result("dns.a", t + 52)]),
                       batch(3, 6, 14, [result("web.http", t + i) for i in range(6, 15)]),
                       batch(3, 13, 33, [gap(["web.http"], t, t + 9, 10)] + [result("db.tcp", t + i) for i in range(23, 34)])],
        # An older epoch than the store's last: a new one.
        "older-epoch": [hello(2, 1, 50), heartbeat(NOW + 10, NOW - 20), batch(NOW, 1, 1, [result("dns.a", t)])],
        # Refused hellos: a wrong token, an unknown agent.
        "wrong-token": [hello(3, 1, 9, token="not-the-token")],
        "unknown-agent": [hello(3, 1, 9, agent="someone-else")],
    }


def collector_regressions():
    return {
        # A spool in epoch 2^64 - 1 that needs a new epoch: decide_hello gave one below it (the agent
        # could never move there and came back forever); now refused.
        "regression-spool-epoch-max": [hello(2**64 - 1, 5, 9)],
    }


def welcome(epoch, committed, assignment="", ranges=()):
    return (f"welcome {{ protocol_version: {PROTOCOL} epoch: {epoch} committed_seq: {committed} "
            f"collector_clock_ms: {NOW} {assignment} {stored(ranges)} }}")


def stored(ranges):
    return " ".join(f"stored {{ first_seq: {a} last_seq: {b} }}" for a, b in ranges)


def ack(epoch, committed, ranges=()):
    return f"ack {{ epoch: {epoch} committed_seq: {committed} {stored(ranges)} }}"


def agent_sessions():
    four = subprocess.run(["protoc", "--decode=slamon.wire.v1.CollectorMessage", "-I", str(ROOT),
                           "common/wire/slamon.proto"], input=(CORPUS / "wire_messages/collector-welcome-four-probes")
                          .read_bytes(), capture_output=True, check=True, cwd=ROOT).stdout.decode()
    # The example's assignment, from its Welcome: the text between "assignment {" and the Welcome's end.
    body = four[four.index("assignment {"):four.rindex("}")]
    return {
        # The spool holds 1..20 of epoch 3: welcome at 4, acks, a resend, heartbeats, an assignment.
        "resume": [welcome(3, 4), ack(3, 10), "resend { epoch: 3 from_seq: 8 }",
                   f"heartbeat {{ clock_ms: {NOW} echo_clock_ms: {NOW - 30} }}", f"assignment {{ {body} }}",
                   "ack { epoch: 3 committed_seq: 20 }", "ack { epoch: 2 committed_seq: 5 }"],
        # A new epoch with an assignment, acknowledged, then a refusal and the next session.
        "new-epoch": [welcome(NOW, 0, body), "ack { epoch: %d committed_seq: 3 }" % NOW,
                      'refusal { reason: SHUTTING_DOWN detail: "collector stopping" }', welcome(NOW, 3),
                      "resend { epoch: %d from_seq: 4 }" % NOW],
        # The collector holds live results above its mark: the back-fill goes around them; acks with
        # ranges delete them from the spool; a malformed range list closes the session.
        "ranges": [welcome(3, 2, ranges=[(6, 8), (15, 16)]), ack(3, 5, [(6, 8), (15, 18)]), ack(3, 10, [(15, 22)]),
                   ack(3, 10, [(14, 12)]), welcome(3, 10, ranges=[(15, 22)]), ack(3, 22)],
        # Messages before the Welcome close; the next session resumes.
        "before-welcome": ["ack { epoch: 3 committed_seq: 2 }", welcome(3, 2), welcome(3, 2)],
    }


def write(folder, name, header, data):
    (CORPUS / folder).mkdir(parents=True, exist_ok=True)
    (CORPUS / folder / name).write_bytes(header + data)


def main():
    for i, (name, messages) in enumerate(collector_sessions().items()):
        write("collector_session", name, bytes([255, 3 + i, 64, 17]), frames("AgentMessage", messages))
    for name, messages in collector_regressions().items():
        write("collector_session", name, bytes([255, 3, 64, 17]), frames("AgentMessage", messages))
    for i, (name, messages) in enumerate(agent_sessions().items()):
        write("agent_uplink", name, bytes([255, 7 + i, 100, 31]) + bytes([0x01, 0x4a, 0x83, 0x1c]),
              frames("CollectorMessage", messages))


if __name__ == "__main__":
    main()
