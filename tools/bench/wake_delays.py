#!/usr/bin/python3
"""How long a woken thread waits for a core, at the many-sessions load.

Drives AgentTheo (or the relay floor, `--floor`) with 100 runs x 20 tokens/s
from the benchmark upstream, records the scheduler's switch and wake-up
events of the whole machine for a few seconds in the middle (`perf record
-e sched:sched_switch -e sched:sched_wakeup -a`), and follows each wake-up
to the moment the woken thread runs:

- any wake-up of the server's thread (comm `agenttheo.io`, or the
  floor's), then those by the upstream's write: was it queued on the
  writer's core, was another core idle, and how long until it ran (a
  wake-up another core queued for the target's idle task shows as woken
  by `swapper`);
- the server's write waking the load generator, the same;
- the server thread's runs on the core: how long, and how many ended
  preempted (`R`) rather than asleep.

This found the 100-run row's wait (docs/performance.md, "I/O threads
pinned to cores (stop 61)"). Needs perf (`apt install linux-perf`; run.sh
does not install it) and the right to trace the scheduler (root here).

    /usr/bin/python3 tools/bench/wake_delays.py [--floor] [--runs 100]
        [--rate 20] [--seconds 12] [--record 3] [-- SERVER FLAGS...]
"""
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402

WAKEUP = re.compile(r"^\s*(\S.*?)\s+(\d+) \[(\d+)\] ([\d.]+): sched:sched_wakeup: "
                    r"comm=(\S+) pid=(\d+) prio=\d+ target_cpu=(\d+)")
SWITCH = re.compile(r"^\s*(\S.*?)\s+(\d+) \[(\d+)\] ([\d.]+): sched:sched_switch: "
                    r"prev_comm=(.*?) prev_pid=(\d+) prev_prio=\d+ prev_state=(\S+) "
                    r"==> next_comm=(.*?) next_pid=(\d+)")


def events(path):
    """(kind, fields) for each switch and wake-up `perf script` prints."""
    listing = subprocess.run(["perf", "script", "-i", path, "-F",
                              "comm,tid,cpu,time,event,trace"],
                             capture_output=True, text=True, check=True).stdout
    out = []
    for line in listing.splitlines():
        m = WAKEUP.match(line)
        if m:
            out.append(("wakeup", m.groups()))
            continue
        m = SWITCH.match(line)
        if m:
            out.append(("switch", m.groups()))
    return out


def quantile(values, q):
    values = sorted(values)
    return values[int(q * (len(values) - 1))] if values else 0.0


def wake_delays(trace, waker, wakee):
    """Each wake-up of `wakee` by `waker`: (queued on the waker's core,
    another core idle, µs until it ran)."""
    running = {}
    pending = {}
    out = []
    for kind, f in trace:
        if kind == "wakeup":
            comm, _, cpu, t, woken, pid, target = f
            if comm.startswith(waker) and woken.startswith(wakee):
                idle = any(c != int(cpu) and name.startswith("swapper")
                           for c, name in running.items())
                pending[pid] = (float(t), target == cpu, idle)
        else:
            _, _, cpu, t, _, _, _, next_comm, next_pid = f
            running[int(cpu)] = next_comm
            if next_pid in pending:
                t0, stacked, idle = pending.pop(next_pid)
                out.append((stacked, idle, (float(t) - t0) * 1e6))
    return out


def runs_of(trace, thread):
    """Each run of `thread` on a core: (µs, ended preempted)."""
    started = {}
    out = []
    for kind, f in trace:
        if kind != "switch":
            continue
        _, _, _, t, prev_comm, prev_pid, state, next_comm, next_pid = f
        if prev_comm.startswith(thread) and prev_pid in started:
            out.append(((float(t) - started.pop(prev_pid)) * 1e6, state.startswith("R")))
        if next_comm.startswith(thread):
            started[next_pid] = float(t)
    return out


def report_wakes(title, wakes):
    if not wakes:
        print(f"{title}: none seen")
        return
    delays = [d for _, _, d in wakes]
    stacked = sum(1 for s, _, _ in wakes if s)
    idle = sum(1 for s, i, _ in wakes if s and i)
    print(f"{title}: {len(wakes)} wake-ups, {100 * stacked / len(wakes):.0f}% on the "
          f"waker's core ({100 * idle / len(wakes):.0f}% with another core idle); "
          f"until it ran p50 {quantile(delays, .5):.0f} / p90 {quantile(delays, .9):.0f} / "
          f"mean {sum(delays) / len(delays):.0f} us")


def record(server, runs, seconds_in, seconds, path):
    """Drives `server` with `runs`, recording `seconds` of sched events
    `seconds_in` after the load starts."""
    def perf():
        time.sleep(seconds_in)
        subprocess.run(["perf", "record", "-q", "-e", "sched:sched_switch", "-e",
                        "sched:sched_wakeup", "-a", "-o", path, "--", "sleep",
                        str(seconds)], capture_output=True, check=True)
    recorder = threading.Thread(target=perf)
    recorder.start()
    report = compare.drive(server, *runs)
    recorder.join()
    return report


def main():
    parser = compare.run_load_parser(__doc__, runs=100, seconds=12)
    parser.add_argument("--record", type=float, default=3)
    a = parser.parse_args()
    runs, upstream = compare.start_run_load(a, "wd")
    thread = compare.server_thread(a)
    with tempfile.TemporaryDirectory(prefix="agenttheo-wakes-") as folder:
        path = os.path.join(folder, "sched.data")
        try:
            server = (compare.relay_floor(upstream) if a.floor
                      else compare.agenttheo(upstream, *a.flags))
            report = record(server, runs, 4, a.record, path)
        finally:
            upstream.stop()
        print(f"added over nothing: p50 {report['p50_ms'] * 1000:.0f} us at the load "
              f"generator (not net of the direct read), {report['gaps']} missing")
        trace = events(path)
        report_wakes("anything wakes the server", wake_delays(trace, "", thread))
        report_wakes("upstream wakes the server", wake_delays(trace, "python3", thread))
        report_wakes("server wakes the load generator", wake_delays(trace, thread, compare.LOADGEN_THREAD))
        spans = runs_of(trace, thread)
        lengths = [s for s, _ in spans]
        print(f"server thread on the core: {len(spans)} runs, p50 {quantile(lengths, .5):.0f} "
              f"/ p90 {quantile(lengths, .9):.0f} us, "
              f"{sum(1 for _, p in spans if p)} ended preempted")


if __name__ == "__main__":
    main()
