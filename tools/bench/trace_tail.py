#!/usr/bin/python3
"""What holds a latency tail, from the load generator's per-token traces
(`agenttheo-loadgen --trace PATH`, or `compare.py --trace DIR` for the
many-sessions row).

For each trace (a PATH, its files PATH.0, PATH.1, ... one per load
process; or a folder: every trace in it) prints the timed tokens, p50 and
p99 latency, the p99 without each stream's last token, the last tokens'
p50, how many of the tokens at or above the p99 are a stream's last, and
in how many 100 ms bins of the pass those tail tokens fall (a few stalls
fill a few bins; a queue spread over the run fills most).

    /usr/bin/python3 tools/bench/trace_tail.py /tmp/traces
    /usr/bin/python3 tools/bench/trace_tail.py /tmp/t/sessions-agenttheo-1

Percentiles here are exact ranks over whole microseconds; the load
generator's own report rounds to its histogram's buckets (1/64 of an
octave), so they may differ by that much.
"""
import argparse
import glob
import os
import re
import sys

BIN_NS = 100_000_000


def load(prefix):
    """Every line of PREFIX.0, PREFIX.1, ...: (sent ns, received ns, stream,
    ordinal)."""
    rows = []
    for path in sorted(glob.glob(glob.escape(prefix) + ".*")):
        if not re.search(r"\.\d+$", path):
            continue
        with open(path) as f:
            rows += [tuple(int(x) for x in line.split()) for line in f if line.strip()]
    return rows


def traces_in(folder):
    """The trace prefixes in `folder` (each file PREFIX.<k>)."""
    prefixes = {re.sub(r"\.\d+$", "", p) for p in glob.glob(os.path.join(folder, "*"))
                if re.search(r"\.\d+$", p)}
    return sorted(prefixes)


def quantile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summarize(rows):
    """The tail's make-up: a dict of the figures the table prints (µs)."""
    if not rows:
        return None
    last_sent = {}
    for sent, _, stream, _ in rows:
        last_sent[stream] = max(last_sent.get(stream, 0), sent)
    latency = [(received - sent) // 1000 for sent, received, _, _ in rows]
    is_last = [sent == last_sent[stream] for sent, _, stream, _ in rows]
    p99 = quantile(latency, 0.99)
    tail = [k for k, us in enumerate(latency) if us >= p99]
    others = [us for us, last in zip(latency, is_last) if not last]
    lasts = [us for us, last in zip(latency, is_last) if last]
    start = min(sent for sent, _, _, _ in rows)
    end = max(sent for sent, _, _, _ in rows)
    return {
        "tokens": len(rows),
        "streams": len(last_sent),
        "p50_us": quantile(latency, 0.5),
        "p99_us": p99,
        "p99_without_last_us": quantile(others, 0.99) if others else None,
        "last_p50_us": quantile(lasts, 0.5),
        "tail": len(tail),
        "tail_last": sum(1 for k in tail if is_last[k]),
        "tail_bins": len({(rows[k][0] - start) // BIN_NS for k in tail}),
        "bins": (end - start) // BIN_NS + 1,
    }


def row(name, s):
    if s is None:
        return f"| {name} | no tokens |" + " |" * 6
    without = "-" if s["p99_without_last_us"] is None else f"{s['p99_without_last_us']:,}"
    return (f"| {name} | {s['tokens']:,} | {s['p50_us']:,} | {s['p99_us']:,} | {without} "
            f"| {s['last_p50_us']:,} | {s['tail_last']} of {s['tail']} "
            f"| {s['tail_bins']} of {s['bins']} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("traces", nargs="+", help="trace PATHs, or folders of them")
    a = parser.parse_args()
    prefixes = []
    for t in a.traces:
        prefixes += traces_in(t) if os.path.isdir(t) else [t]
    if not prefixes:
        sys.exit("no traces found")
    print("| trace | tokens | p50 us | p99 us | p99 without each stream's last | "
          "last tokens' p50 | at or above p99: last tokens | 100 ms bins holding them |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for prefix in prefixes:
        print(row(os.path.basename(prefix), summarize(load(prefix))))


if __name__ == "__main__":
    main()
