# Minimal BER for the SNMP test peers (snmp_fake_agent.py, the corpus capture): encode and decode the
# few types an SNMP v1/v2c/v3 message uses. Tests only; no validation beyond what they need.

def length(n):
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag, body):
    return bytes([tag]) + length(len(body)) + body


def integer(v):
    return tlv(0x02, v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big", signed=True))


def octets(b):
    return tlv(0x04, b if isinstance(b, bytes) else b.encode())


def seq(*parts, tag=0x30):
    return tlv(tag, b"".join(parts))


def oid(dotted):
    arcs = [int(x) for x in dotted.strip(".").split(".")]
    out = bytes([arcs[0] * 40 + arcs[1]])
    for a in arcs[2:]:
        chunk = [a & 0x7F]
        a >>= 7
        while a:
            chunk.append(0x80 | (a & 0x7F))
            a >>= 7
        out += bytes(reversed(chunk))
    return tlv(0x06, out)


def read(buf, pos=0):
    """(tag, value bytes, next position) of the element at pos."""
    tag = buf[pos]
    n = buf[pos + 1]
    pos += 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(buf[pos:pos + k], "big")
        pos += k
    return tag, buf[pos:pos + n], pos + n


def items(buf):
    """All elements of a constructed value, as (tag, value) pairs."""
    pos, out = 0, []
    while pos < len(buf):
        tag, value, pos = read(buf, pos)
        out.append((tag, value))
    return out


def to_int(b):
    return int.from_bytes(b, "big", signed=True)


def oid_text(b):
    arcs = [b[0] // 40, b[0] % 40]
    v = 0
    for c in b[1:]:
        v = (v << 7) | (c & 0x7F)
        if not c & 0x80:
            arcs.append(v)
            v = 0
    return ".".join(map(str, arcs))
