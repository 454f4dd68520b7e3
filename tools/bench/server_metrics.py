"""A histogram from a running server's /metrics, and its quantiles the way
the server computes its own (interpolated within the bucket)."""

import re
import urllib.request

# The server's own part of a run's time to its first token.
FIRST_TOKEN_ADDED = "agenttheo_first_token_added_seconds"


def histogram(port, name):
    """Histogram `name`'s buckets: [(upper bound in s, cumulative count)]."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as resp:
        text = resp.read().decode()
    pattern = re.compile(re.escape(name) + r'_bucket\{le="([^"]+)"\} (\d+)')
    found = []
    for line in text.splitlines():
        m = pattern.match(line)
        if m:
            found.append((float(m.group(1)), int(m.group(2))))
    return found


def since(now, before):
    """What was observed between two readings of the same histogram."""
    return [(le, count - was) for (le, count), (_, was) in zip(now, before)]


def quantile_ms(buckets, q):
    """The q quantile (0..1) in ms; nan with nothing observed."""
    total = buckets[-1][1] if buckets else 0
    if total == 0:
        return float("nan")
    rank = q * total
    lower_le, lower_count = 0.0, 0
    for le, count in buckets:
        if count >= rank:
            if le == float("inf"):
                return lower_le * 1e3
            share = (rank - lower_count) / max(count - lower_count, 1)
            return (lower_le + (le - lower_le) * share) * 1e3
        lower_le, lower_count = le, count
    return lower_le * 1e3
