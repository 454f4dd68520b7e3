"""Serves the browser tests' pages on loopback: the files in pages/, plus
/slow (answers after a second), /never (starts a page, never ends it) and
/remember (a visitor cookie and a localStorage token, each new or kept)
and /redirect?to=URL (a 302 there); /download/NAME?bytes=N (N bytes made
from NAME, as an attachment; `&head=S`: its head S seconds late,
`&pause=S`: its second half S seconds later), POST /upload (a multipart
form: its files are kept) and /uploaded (what was posted, as JSON).
Prints its port, then serves until killed."""

import ctypes
import email.parser
import email.policy
import hashlib
import http.server
import json
import os
import secrets
import signal
import socketserver
import sys
import time
import urllib.parse

PAGES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pages")


# What POST /upload received: {"field", "filename", "bytes", "sha256"} each.
UPLOADED = []
# What POST /login received: {"user", "pw"} each.
LOGINS = []


def download_bytes(name, size):
    """`size` bytes that depend on `name`: what /download/NAME serves."""
    seed = hashlib.sha256(name.encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


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
        if self.path == "/remember":
            return self.remember()
        if self.path.startswith("/download/"):
            return self.download()
        if self.path == "/uploaded":
            return self.reply("application/json", json.dumps(UPLOADED).encode())
        if self.path == "/logins":
            return self.reply("application/json", json.dumps(LOGINS).encode())
        if self.path.startswith("/redirect?to="):
            self.send_response(302)
            self.send_header("Location", self.path[len("/redirect?to="):])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        return super().do_GET()

    def do_POST(self):
        if self.path == "/login":
            return self.login()
        if self.path != "/upload":
            self.send_error(404)
            return
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        head = f"Content-Type: {self.headers.get('Content-Type', '')}\r\n\r\n"
        form = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            head.encode() + body)
        names = []
        for part in form.iter_parts():
            if part.get_filename() is None:
                continue
            data = part.get_payload(decode=True) or b""
            UPLOADED.append({"field": part.get_param("name", header="content-disposition"),
                             "filename": part.get_filename(), "bytes": len(data),
                             "sha256": hashlib.sha256(data).hexdigest()})
            names.append(part.get_filename())
        self.page(f"<title>Uploaded</title><p>received {', '.join(names)}</p>")

    def login(self):
        """Signs anyone in, and echoes what was typed (a careless site):
        the agent must show the model the placeholder, not the value."""
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        user, pw = form.get("user", [""])[0], form.get("pw", [""])[0]
        LOGINS.append({"user": user, "pw": pw})
        self.page(f"<title>Welcome</title><p>Welcome, {user}.</p>"
                  f"<p>You signed in with the password {pw}.</p>")

    def download(self):
        url = urllib.parse.urlsplit(self.path)
        name = urllib.parse.unquote(url.path[len("/download/"):])
        query = urllib.parse.parse_qs(url.query)
        size = int(query.get("bytes", ["1000"])[0])
        pause = float(query.get("pause", ["0"])[0])
        time.sleep(float(query.get("head", ["0"])[0]))
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Disposition", f'attachment; filename="{name}"')
        self.send_header("Content-Length", str(size))
        self.end_headers()
        data = download_bytes(name, size)
        self.wfile.write(data[:size // 2])
        self.wfile.flush()
        time.sleep(pause)
        self.wfile.write(data[size // 2:])

    def reply(self, content_type, body):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def remember(self):
        """Says whether the browser brought the cookie it was given, and
        (by script) whether localStorage kept its token."""
        cookies = self.headers.get("Cookie", "")
        visit = [c.strip() for c in cookies.split(";") if c.strip().startswith("visit=")]
        if visit:
            said, header = f"returning visitor: {visit[0]}", None
        else:
            value = f"visit=v{secrets.token_hex(4)}"
            said, header = f"first visit, given {value}", f"{value}; Path=/"
        html = (f"<title>Remember me</title><p>{said}</p><p id=token></p><script>"
                "let t = localStorage.getItem('token'); let how = 'kept';"
                "if (!t) { t = 'tok' + Math.random().toString(16).slice(2, 10);"
                " localStorage.setItem('token', t); how = 'new'; }"
                "document.getElementById('token').textContent = how + ' token ' + t;"
                "</script>")
        body = html.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        if header:
            self.send_header("Set-Cookie", header)
        self.end_headers()
        self.wfile.write(body)

    def page(self, html):
        body = html.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def die_with_parent():
    """Ends with the test binary that started it, even one that aborted
    without its fixture's cleanup: otherwise this process lives on holding
    the binary's stderr, and whatever reads that pipe never sees its end."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() == 1:  # the parent was gone before the call
        sys.exit(0)


if __name__ == "__main__":
    die_with_parent()
    with Server(("127.0.0.1", 0), Handler) as server:
        print(server.server_address[1], flush=True)
        sys.stdout.close()
        server.serve_forever()
