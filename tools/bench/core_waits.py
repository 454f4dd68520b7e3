#!/usr/bin/python3
"""Whether a latency tail is the server waiting for a core.

Drives AgentTheo (or the relay floor, `--floor`) with N runs x R tokens/s
from the benchmark upstream, every timed token traced, and reads every
window (200 ms) what each server I/O thread ran and how long it was
runnable but waiting for a core (`/proc/PID/task/TID/schedstat`, the
kernel's own count: no perf, no tracing overhead), and what the upstream
ran. Prints each window's tokens (by when they were written), their p50
and p99, each I/O thread's CPU and wait as shares of the window, and the
upstream's CPU; then the slowest tenth of the windows by p99 against the
rest: a thread whose CPU and wait add up to ~1 wanted its core the whole
window, and its queue grew while it waited.

The rig runs at the same priority as in compare.py (nice -10 where
allowed), so the upstream and the load generator take a shared core first.

    /usr/bin/python3 tools/bench/core_waits.py [--floor] [--runs 1000]
        [--rate 20] [--seconds 10] [--window-ms 200] [-- SERVER FLAGS...]
"""
import argparse
import bisect
import glob
import os
import statistics
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402
import trace_tail  # noqa: E402

# The I/O threads' names (the floor's is cut to 15 characters by the kernel).
IO_THREADS = {"agenttheo": "agenttheo.io", "floor": "agenttheo-fanou"}


def schedstat(pid):
    """{tid: (comm, ns on a core, ns runnable and waiting)} of `pid`."""
    found = {}
    for task in glob.glob(f"/proc/{pid}/task/*"):
        try:
            with open(f"{task}/schedstat") as f:
                ran, waited, _ = map(int, f.read().split())
            with open(f"{task}/comm") as f:
                comm = f.read().strip()
        except (OSError, ValueError):
            continue  # the thread ended between the listing and the read
        found[os.path.basename(task)] = (comm, ran, waited)
    return found


class Sampler(threading.Thread):
    """Reads the server's and the upstream's schedstat every window."""

    def __init__(self, server_pid, upstream_pid, window):
        super().__init__(daemon=True)
        self.pids = server_pid, upstream_pid
        self.window = window
        self.samples = []
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            self.samples.append((time.monotonic_ns(),
                                 *(schedstat(pid) for pid in self.pids)))
            self.done.wait(self.window)


def windows(samples, tokens, io_name):
    """Per window: the tokens written in it (latency ms), each I/O thread's
    (CPU, wait) share, the upstream's CPU share."""
    sent = [t[0] for t in tokens]
    for (t0, srv0, up0), (t1, srv1, up1) in zip(samples, samples[1:]):
        wall = t1 - t0
        lat = sorted((t[1] - t[0]) / 1e6
                     for t in tokens[bisect.bisect_left(sent, t0):
                                     bisect.bisect_left(sent, t1)])
        io = [((srv1[tid][1] - before[1]) / wall,
               (srv1[tid][2] - before[2]) / wall)
              for tid, before in srv0.items()
              if tid in srv1 and before[0] == io_name]
        io = [share for share in io if share[0] > 0.005]
        upstream = sum(up1[tid][1] - up0[tid][1] for tid in up1 if tid in up0) / wall
        if lat:
            yield lat, io, upstream


def quantile(sorted_values, q):
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def summary(rows):
    """The slowest tenth of the windows by p99, and the rest: how many, their
    mean p99 (ms), I/O threads running, the threads' CPU and wait (summed),
    the busiest thread's CPU + wait, and the upstream's CPU."""
    by_p99 = sorted(rows, key=lambda row: quantile(row[0], .99))
    cut = max(1, len(by_p99) // 10)
    parts = {}
    for name, part in (("slowest tenth", by_p99[-cut:]), ("the rest", by_p99[:-cut])):
        if not part:
            continue
        mean = lambda f: statistics.mean(f(row) for row in part)  # noqa: E731
        parts[name] = {
            "windows": len(part),
            "p99_ms": mean(lambda r: quantile(r[0], .99)),
            "threads": mean(lambda r: len(r[1])),
            "cpu": mean(lambda r: sum(c for c, _ in r[1])),
            "wait": mean(lambda r: sum(w for _, w in r[1])),
            "busiest": mean(lambda r: max((c + w for c, w in r[1]), default=0)),
            "upstream": mean(lambda r: r[2]),
        }
    return parts


def report(rows):
    print("| tokens | p50 ms | p99 ms | I/O threads: CPU + wait | upstream CPU |")
    print("| --- | --- | --- | --- | --- |")
    for lat, io, upstream in rows:
        threads = ", ".join(f"{c:.2f} + {w:.2f}" for c, w in io)
        print(f"| {len(lat)} | {quantile(lat, .5):.2f} | {quantile(lat, .99):.2f} "
              f"| {threads} | {upstream:.2f} |")
    for name, s in summary(rows).items():
        print(f"{name} ({s['windows']} windows): p99 {s['p99_ms']:.2f} ms; I/O threads "
              f"running {s['threads']:.1f}, CPU {s['cpu']:.2f}, wait {s['wait']:.2f}, "
              f"busiest thread's CPU + wait {s['busiest']:.2f}; upstream CPU "
              f"{s['upstream']:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    compare.add_run_load_arguments(parser, runs=1000, seconds=10)
    parser.add_argument("--window-ms", type=float, default=200)
    args = parser.parse_args()
    runs, upstream = compare.start_run_load(args, "cw")
    with tempfile.TemporaryDirectory(prefix="agenttheo-core-waits-") as folder:
        try:
            if args.floor:
                server = compare.relay_floor(upstream)
            else:
                server = compare.agenttheo(upstream, *args.flags)
            sampler = Sampler(server.proc.pid, upstream.proc.pid, args.window_ms / 1000)
            sampler.start()
            trace = os.path.join(folder, "trace")
            result = compare.drive(server, *runs, "--trace", trace)
            sampler.done.set()
            sampler.join()
        finally:
            upstream.stop()
        tokens = sorted(trace_tail.load(trace))
    print(f"p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, "
          f"{result['gaps']} missing, server CPU {result['server_cpu_s']} s")
    name = IO_THREADS["floor" if args.floor else "agenttheo"]
    report(list(windows(sampler.samples, tokens, name)))


if __name__ == "__main__":
    main()
