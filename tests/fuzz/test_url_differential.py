"""Differential check of the egress policy's URL reading against the URL
Standard's, as Node's `new URL()` implements it (the same standard Chromium
follows): thousands of generated spellings of hosts — numbers in every
base, percent-encoding, fullwidth digits, ideographic dots, soft hyphens,
brackets, user info, backslashes, tabs — must reach the same address in
both. Where either reads an IP address, both must read the same one; an
ASCII host name must match exactly. (Non-ASCII names differ by design: the
policy keeps them as they are and Chromium hands the proxy punycode, which
the proxy then judges.) No traffic: both only parse."""

import os
import random
import subprocess
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.join(os.path.dirname(os.environ.get(
    "AGENTTHEO_BIN", os.path.join(HERE, "..", "..", "build", "agenttheo"))),
    "tests", "agenttheo_url_host")

FULLWIDTH = {c: chr(0xFF10 + int(c)) for c in "0123456789"}


def number(rng, value):
    return rng.choice([str(value), hex(value), "0X%X" % value,
                       "0" + oct(value)[2:], "0x0" + format(value, "x")])


def ipv4(rng):
    octets = [rng.choice([0, 1, 10, 127, 169, 172, 192, 254, 255,
                          rng.randrange(256)]) for _ in range(4)]
    value = int.from_bytes(bytes(octets), "big")
    parts = rng.choice([4, 4, 3, 2, 1])
    if parts == 4:
        fields = octets
    elif parts == 3:
        fields = octets[:2] + [value & 0xFFFF]
    elif parts == 2:
        fields = octets[:1] + [value & 0xFFFFFF]
    else:
        fields = [value]
    if rng.random() < 0.1:
        fields[-1] += rng.choice([256, 1 << 24, 1 << 32])  # out of range
    return ".".join(number(rng, f) for f in fields)


def ipv6(rng):
    v4 = ".".join(str(rng.randrange(256)) for _ in range(4))
    return "[" + rng.choice([
        "::1", "::", "::ffff:" + v4, "::FFFF:A9FE:A9FE", "fe80::1", "64:ff9b::" + v4,
        "2002:a9fe:a9fe::", "0:0:0:0:0:0:0:1", "1:0:0:2:0:0:0:3", "fc00::", "::1:2",
        "1::", "::1%25eth0", "1:2:3:4:5:6:7:8:9", "::ffff:1.2.3", ":1::",
    ]) + "]"


def disguise(rng, host):
    out = []
    for c in host:
        r = rng.random()
        if c.isdigit() and r < 0.05:
            out.append(FULLWIDTH[c])
        elif r < 0.10:
            out.append("%%%02X" % ord(c) if rng.random() < 0.5 else "%%%02x" % ord(c))
        elif c == "." and r < 0.15:
            out.append(rng.choice(["\u3002", "\uFF0E", "\uFF61"]))
        elif r < 0.17:
            out.append(c + rng.choice(["\u00AD", "\t", "\n"]))
        elif c.isalpha() and r < 0.3:
            out.append(c.upper())
        else:
            out.append(c)
    if rng.random() < 0.15:
        out.append(".")
    return "".join(out)


def host_name(rng):
    return rng.choice(["localhost", "example.com", "a.b", "x", "metadata",
                       "127.0.0.1.example", "0x7f.example", "1e3", "0x7g",
                       "09", "08.1", "a..b", "1.2.3.4.5", "1..2"])


def url(rng):
    host = rng.choice([ipv4, ipv4, ipv4, ipv6, host_name])(rng)
    if not host.startswith("["):
        host = disguise(rng, host)
    prefix = rng.choice(["http://", "HTTP://", "http:", "http:\\\\", "http:///",
                         "  http://", "ws://"])
    user = rng.choice(["", "", "u@", "u:p@", "a@b@", "x\\@"])
    port = rng.choice(["", "", ":80", ":8080", ":0080", ":"])
    path = rng.choice(["/", "/a?b#c", "", "?q", "\\x"])
    if user == "x\\@":
        return prefix + host + "\\@example.com" + port + path
    return prefix + user + host + port + path


class UrlDifferential(unittest.TestCase):
    def read(self, command, urls):
        data = "".join(u.encode().hex() + "\n" for u in urls)
        result = subprocess.run(command, input=data, capture_output=True,
                                text=True, timeout=120, check=True)
        return result.stdout.splitlines()

    def test_hosts_read_as_the_url_standard_reads_them(self):
        rng = random.Random(20261201)
        urls = [url(rng) for _ in range(20000)]
        ours = self.read([BIN], urls)
        node = self.read(["node", os.path.join(HERE, "url_host.mjs")], urls)
        self.assertEqual(len(ours), len(urls))
        self.assertEqual(len(node), len(urls))
        mismatches = []
        addresses = 0
        for u, a, b in zip(urls, ours, node):
            if a.startswith("ip ") or b.startswith("ip "):
                addresses += 1
                if a != b:
                    mismatches.append((u, a, b))
            elif a.isascii() and b.isascii() and u.isascii() and a != b:
                mismatches.append((u, a, b))
        self.assertGreater(addresses, 10000)
        self.assertEqual(mismatches[:20], [], f"{len(mismatches)} mismatches")


if __name__ == "__main__":
    unittest.main()
