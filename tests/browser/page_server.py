"""Serves the browser tests' pages on loopback: the files in pages/, plus
/slow (answers after a second) and /never (starts a page, never ends it).
Prints its port, then serves until killed."""

import http.server
import os
import socketserver
import sys
import time

PAGES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pages")


class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=PAGES, **kwargs)

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/slow":
            time.sleep(1.0)
            return self.page("<title>Slow page</title><p>finally</p>")
        if self.path == "/never":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<title>Never done</title><p>still going")
            self.wfile.flush()
            time.sleep(60)
            return
        return super().do_GET()

    def page(self, html):
        body = html.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


if __name__ == "__main__":
    with Server(("127.0.0.1", 0), Handler) as server:
        print(server.server_address[1], flush=True)
        sys.stdout.close()
        server.serve_forever()
