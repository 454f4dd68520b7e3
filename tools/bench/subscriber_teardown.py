#!/usr/bin/python3
"""What a session's subscribers cost the server when they leave at once,
run by hand:

    /usr/bin/python3 tools/bench/subscriber_teardown.py [2500 5000 10000 20000]

For each count N: a fresh server whose model holds its answer
(token_upstream.py --hold), N SSE streams joining one run through the load
generator (/stream?command=fan&messageId=td), held open a few seconds after
the last connected, then closed together when the load generator exits.
Prints the server's CPU seconds from a reading 0.1-0.2 s before they close
(read every 0.1 s) until it is quiet again (no CPU for 0.3 s), and how
long that took. Work that grows with the subscribers left
(a scan per leaver) shows as CPU growing faster than N. Set AGENTTHEO_BIN
to measure another build."""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402
from stream_bench import cpu_seconds  # noqa: E402

QUIET_POLLS = 6      # polls without CPU that count as quiet
POLL_S = 0.05
SAMPLE_S = 0.1       # how often the CPU is read while the streams are open
HOLD_S = 3           # how long they stay open after the last connected


def settle(pid):
    """The process's CPU seconds once it spent none for QUIET_POLLS polls,
    and the seconds until then."""
    start, last, quiet = time.monotonic(), cpu_seconds(pid), 0
    while quiet < QUIET_POLLS:
        time.sleep(POLL_S)
        now = cpu_seconds(pid)
        quiet = quiet + 1 if now == last else 0
        last = now
    return last, time.monotonic() - start - QUIET_POLLS * POLL_S


class CpuSampler(threading.Thread):
    """Reads a process's CPU seconds every SAMPLE_S until stopped. `stop`
    returns the reading before the latest: taken 0.1-0.2 s before the
    stop, so none of what began just before it (the streams closing as the
    load generator exits)."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.readings = [cpu_seconds(pid)] * 2
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.wait(SAMPLE_S):
            self.readings = [self.readings[-1], cpu_seconds(self.pid)]

    def stop(self):
        self.stopped.set()
        self.join()
        return self.readings[0]


def teardown(n):
    up = compare.token_upstream(10, 1, hold=True)
    server = compare.agenttheo(up)
    try:
        pid = server.pids()[0]
        sampler = CpuSampler(pid)
        sampler.start()
        report = compare.loadgen(server, "--connections", n, "--procs", 2,
                                 "--path", "/stream?command=fan&messageId=td",
                                 "--duration", HOLD_S)
        before = sampler.stop()
        after, seconds = settle(pid)
        return report, after - before, seconds
    finally:
        server.stop()
        up.stop()


def main():
    compare.raise_open_files_limit()
    counts = [int(a) for a in sys.argv[1:]] or [2500, 5000, 10000, 20000]
    print("| subscribers | connected | teardown CPU s | quiet after s |")
    print("| --- | --- | --- | --- |")
    for n in counts:
        report, cpu, seconds = teardown(n)
        print(f"| {n:,} | {report['connected']:,} | {cpu:.2f} | {seconds:.2f} |",
              flush=True)


if __name__ == "__main__":
    main()
