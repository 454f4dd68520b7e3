#!/usr/bin/python3
"""Instructions a token costs on its I/O thread, counted by callgrind.

Runs build/agenttheo under valgrind's callgrind at a light load (10 runs x
10 tokens/s for 20 s from the benchmark upstream, read by the load
generator), collecting only inside the provider read's handler
(`plain_transfer::on_read`), which holds a token's whole path on its
thread: the read and HTTP parse, the model stream, the session run at the
handler's end, the delivery round and its write (the syscalls themselves
are not counted). Prints instructions per delivered token and the
functions that take the most, per token.

Counts do not move with the machine's load the way timings do: run it
before and after a change to the hot path. Needs valgrind (`apt install
valgrind`; run.sh does not install it).

    /usr/bin/python3 tools/bench/token_instructions.py [--runs 10] [--rate 10]
        [--seconds 20] [--top 25] [--binary build/agenttheo]
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402

COLLECT = "agenttheo::http::(anonymous namespace)::plain_transfer::on_read*"


def wrapper(folder, binary, out):
    """A script that starts `binary` under callgrind with its arguments."""
    path = os.path.join(folder, "agenttheo-under-callgrind")
    with open(path, "w") as f:
        f.write("#!/bin/sh\nexec valgrind --tool=callgrind "
                f"--callgrind-out-file={out} '--toggle-collect={COLLECT}' "
                f'{binary} "$@"\n')
    os.chmod(path, 0o755)
    return path


def measure(args, folder):
    out = os.path.join(folder, "callgrind.out")
    compare.AGENTTHEO = wrapper(folder, os.path.abspath(args.binary), out)
    # Under valgrind the server takes seconds to start listening.
    compare.wait_listening.__defaults__ = (180,)
    compare.raise_open_files_limit()
    load = types.SimpleNamespace(sessions=args.runs, session_rate=args.rate,
                                 seconds=args.seconds)
    count, _, runs = compare.session_load(load, "ti")
    upstream = compare.token_upstream(count, args.rate)
    try:
        server = compare.agenttheo(upstream)
        # callgrind writes its counts as the server exits on its own.
        server.stop_signal = signal.SIGTERM
        report = compare.drive(server, *runs)
    finally:
        upstream.stop()
    return out, report


def per_token(out, tokens, top):
    listing = subprocess.run(["callgrind_annotate", "--inclusive=yes", out],
                             capture_output=True, text=True, check=True).stdout
    total = re.search(r"^([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS", listing, re.M)
    total = int(total.group(1).replace(",", ""))
    print(f"instructions a token: {total / tokens:,.0f} ({tokens} tokens)")
    rows = re.findall(r"^\s*([\d,]+) \([ \d.]+%\)\s+(\S.*)$", listing, re.M)
    seen = set()
    for count, where in rows:
        count = int(count.replace(",", ""))
        # One function is listed once per source file it was inlined from.
        name = re.sub(r" \[[^]]*\]$", "", where.split(":", 1)[-1])[:110]
        # The frames every token passes through (the thread, asio's run
        # loop, the handler itself) say nothing of where the work is.
        if count > 0.95 * total or name in seen:
            continue
        seen.add(name)
        print(f"{count / tokens:10,.0f}  {name}")
        if len(seen) >= top:
            break


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--rate", type=float, default=10)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--binary", default=compare.AGENTTHEO)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="agenttheo-callgrind-") as folder:
        out, report = measure(args, folder)
        if report["gaps"]:
            sys.exit(f"{report['gaps']} tokens missing: the count would not be per token")
        per_token(out, report["deliveries"], args.top)


if __name__ == "__main__":
    main()
