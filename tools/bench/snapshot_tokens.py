#!/usr/bin/python3
"""What the model reads to see a page, run by hand:

    /usr/bin/python3 tools/bench/snapshot_tokens.py

For each page — the demo shop's home, products and contact pages, and two
fixture pages of the browser tests (a long table of 300 rows, and a form
with a shadow root and a frame) — the real `agenttheo` binary with the
offline planner and headless Chromium runs `take a snapshot`, and, as the
peer, what a model needed before it to both read a page and act on it:
`read the page` (get_page_text) plus `list the elements`
(get_interactive_elements). Each tool's output is read from its
`tool_end` event: what the model is given, at the tools' default bounds.
Tokens are the server's own estimate (4 bytes a token, as the context
budget counts); bytes are exact."""

import http.server
import os
import re
import socketserver
import sys
import threading

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from harness import Server, SseStream, stream_path  # noqa: E402

FIXTURES = os.path.join(ROOT, "tests", "browser", "pages")


def serve_fixtures():
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=FIXTURES, **k)

        def log_message(self, *a):
            pass

    httpd = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def outputs(server, url, steps):
    events = SseStream(server.port, stream_path(f"go to {url} then {steps}"),
                       timeout=120).read_all()
    assert events[-1].type == "complete", events[-1].data
    ends = [e.data for e in events if e.type == "tool_end"]
    assert all(e["ok"] for e in ends), ends
    return {e["tool_name"]: e["output"] for e in ends[1:]}


def tokens(text):
    return (len(text.encode()) + 3) // 4


def main():
    fixtures = serve_fixtures()
    fixture = f"http://127.0.0.1:{fixtures.server_address[1]}"
    with Server("--planner-token-delay", "0", "--store", "memory") as server:
        pages = [("demo home", f"{server.base}/demo/"),
                 ("demo products", f"{server.base}/demo/products.html"),
                 ("demo contact form", f"{server.base}/demo/contact.html"),
                 ("long table (300 rows)", f"{fixture}/long_table.html"),
                 ("form, shadow root, frame", f"{fixture}/snapshot.html")]
        print("| page | snapshot | page text + elements | ratio | snapshot cut |")
        print("| --- | --- | --- | --- | --- |")
        rows = {}
        for name, url in pages:
            snap = outputs(server, url, "take a snapshot")["get_page_snapshot"]
            old = outputs(server, url, "read the page then list the elements")
            both = old["get_page_text"] + old["get_interactive_elements"]
            cut = "yes" if "[snapshot cut:" in snap else "no"
            if "table" in name:
                rows = {"snapshot": (tokens(snap), len(re.findall(r"Item \d+", snap))),
                        "page text + elements": (tokens(both),
                                                 len(re.findall(r"Item \d+", both)))}
            print(f"| {name} | {tokens(snap)} tokens ({len(snap.encode())} B) | "
                  f"{tokens(both)} tokens ({len(both.encode())} B) | "
                  f"{tokens(snap) / tokens(both):.2f} | {cut} |")
    for tool, (spent, seen) in rows.items():
        print(f"long table, {tool}: {seen} of 300 rows in {spent} tokens, "
              f"{spent / max(seen, 1):.1f} tokens a row")
    fixtures.shutdown()


if __name__ == "__main__":
    main()
