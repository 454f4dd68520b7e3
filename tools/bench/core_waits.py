#!/usr/bin/python3
"""Whether a latency tail is the server waiting for a core.

Drives AgentTheo (or the relay floor, `--floor`) with N runs x R tokens/s
from the benchmark upstream, every timed token traced, and reads every
window (200 ms) what each server I/O thread ran and how long it was
runnable but waiting for a core (`/proc/PID/task/TID/schedstat`, the
kernel's own count: no perf, no tracing overhead), what the upstream and
the load generator ran, and how much of the machine was idle. Prints each
window's tokens (by when they were written), their p50 and p99, each I/O
thread's CPU and wait as shares of the window, the upstream's and the load
generator's CPU, the idle cores; then the slowest tenth of the windows by
p99 against the rest: a thread whose CPU and wait add up to ~1 wanted its
core the whole window, and its queue grew while it waited.

The rig runs at the same priority as in compare.py (nice -10 where
allowed), so the upstream and the load generator take a shared core first.

    /usr/bin/python3 tools/bench/core_waits.py [--floor] [--runs 1000]
        [--rate 20] [--seconds 10] [--window-ms 200] [-- SERVER FLAGS...]
"""
import bisect
import collections
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


def idle_jiffies():
    """The machine's idle time so far (idle and iowait of /proc/stat's first
    line), in clock ticks."""
    with open("/proc/stat") as f:
        fields = f.readline().split()
    return int(fields[4]) + int(fields[5])


def load_generators():
    """The load generator's processes (its name cut to 15 characters)."""
    found = []
    for comm in glob.glob("/proc/[0-9]*/comm"):
        try:
            with open(comm) as f:
                if f.read().strip() == compare.LOADGEN_THREAD:
                    found.append(int(comm.split("/")[2]))
        except OSError:
            continue  # gone since the listing
    return found


def ran_ns(threads):
    return sum(ran for _, ran, _ in threads.values())


class Sampler(threading.Thread):
    """Every window: the time, the server's and the upstream's threads, the
    load generator's CPU and the machine's idle ticks."""

    def __init__(self, server_pid, upstream_pid, window):
        super().__init__(daemon=True)
        self.pids = server_pid, upstream_pid
        self.window = window
        self.samples = []
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            loadgen = {pid: ran_ns(schedstat(pid)) for pid in load_generators()}
            self.samples.append((time.monotonic_ns(), schedstat(self.pids[0]),
                                 ran_ns(schedstat(self.pids[1])), loadgen,
                                 idle_jiffies()))
            self.done.wait(self.window)


# A window: the latency (ms) of the tokens written in it, sorted; each I/O
# thread's (CPU, wait); the upstream's and the load generator's CPU; idle
# cores. Shares of the window: 0.5 is half a core.
Window = collections.namedtuple("Window", "latency io upstream loadgen idle")


def windows(samples, tokens, io_name, ticks_per_s=os.sysconf("SC_CLK_TCK")):
    sent = [t[0] for t in tokens]
    for before, after in zip(samples, samples[1:]):
        (t0, srv0, up0, gen0, idle0), (t1, srv1, up1, gen1, idle1) = before, after
        wall = t1 - t0
        lat = sorted((t[1] - t[0]) / 1e6
                     for t in tokens[bisect.bisect_left(sent, t0):
                                     bisect.bisect_left(sent, t1)])
        io = [((srv1[tid][1] - was[1]) / wall, (srv1[tid][2] - was[2]) / wall)
              for tid, was in srv0.items() if tid in srv1 and was[0] == io_name]
        loadgen = sum(gen1[pid] - gen0[pid] for pid in gen1 if pid in gen0)
        if lat:
            yield Window(lat, [share for share in io if share[0] > 0.005],
                         (up1 - up0) / wall, loadgen / wall,
                         (idle1 - idle0) / ticks_per_s / (wall / 1e9))


def quantile(sorted_values, q):
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def summary(rows):
    """The slowest tenth of the windows by p99, and the rest: how many, and
    their means of p99 (ms), I/O threads running, the threads' CPU and wait
    (summed), the busiest thread's CPU + wait, the upstream's and the load
    generator's CPU, idle cores."""
    by_p99 = sorted(rows, key=lambda row: quantile(row.latency, .99))
    cut = max(1, len(by_p99) // 10)
    parts = {}
    for name, part in (("slowest tenth", by_p99[-cut:]), ("the rest", by_p99[:-cut])):
        if not part:
            continue
        mean = lambda f: statistics.mean(f(row) for row in part)  # noqa: E731
        parts[name] = {
            "windows": len(part),
            "p99_ms": mean(lambda r: quantile(r.latency, .99)),
            "threads": mean(lambda r: len(r.io)),
            "cpu": mean(lambda r: sum(c for c, _ in r.io)),
            "wait": mean(lambda r: sum(w for _, w in r.io)),
            "busiest": mean(lambda r: max((c + w for c, w in r.io), default=0)),
            "upstream": mean(lambda r: r.upstream),
            "loadgen": mean(lambda r: r.loadgen),
            "idle": mean(lambda r: r.idle),
        }
    return parts


def report(rows):
    print("| tokens | p50 ms | p99 ms | I/O threads: CPU + wait | upstream CPU "
          "| load generator CPU | idle cores |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        threads = ", ".join(f"{c:.2f} + {w:.2f}" for c, w in r.io)
        print(f"| {len(r.latency)} | {quantile(r.latency, .5):.2f} "
              f"| {quantile(r.latency, .99):.2f} | {threads} | {r.upstream:.2f} "
              f"| {r.loadgen:.2f} | {r.idle:.2f} |")
    for name, s in summary(rows).items():
        print(f"{name} ({s['windows']} windows): p99 {s['p99_ms']:.2f} ms; I/O threads "
              f"running {s['threads']:.1f}, CPU {s['cpu']:.2f}, wait {s['wait']:.2f}, "
              f"busiest thread's CPU + wait {s['busiest']:.2f}; upstream CPU "
              f"{s['upstream']:.2f}, load generator {s['loadgen']:.2f}; idle cores "
              f"{s['idle']:.2f}")


def main():
    parser = compare.run_load_parser(__doc__, runs=1000, seconds=10)
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
    report(list(windows(sampler.samples, tokens, compare.server_thread(args))))


if __name__ == "__main__":
    main()
