"""Just enough of the Chrome DevTools Protocol to load a page in real
headless Chromium and evaluate scripts in it."""

import asyncio
import os
import shutil
import subprocess
import tempfile

import aiohttp

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--remote-debugging-port=0"]


class Chromium:
    """`async with Chromium() as browser:` a fresh headless Chromium with its
    own profile, driven over CDP on a WebSocket; killed on exit. Talks to its
    first page, or with `endpoint="browser"` to the browser itself."""

    def __init__(self, endpoint="page"):
        self.endpoint = endpoint

    async def __aenter__(self):
        if not os.access(CHROMIUM, os.X_OK):
            raise RuntimeError(f"{CHROMIUM} is missing: ./run.sh installs it")
        self.profile = tempfile.mkdtemp(prefix="agenttheo-chromium-")
        self.proc = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port = await self._devtools_port()
        self.http = aiohttp.ClientSession()
        if self.endpoint == "browser":
            async with self.http.get(f"http://127.0.0.1:{port}/json/version") as resp:
                url = (await resp.json())["webSocketDebuggerUrl"]
        else:
            async with self.http.get(f"http://127.0.0.1:{port}/json/list") as resp:
                targets = await resp.json()
            url = next(t for t in targets if t["type"] == "page")["webSocketDebuggerUrl"]
        self.ws = await self.http.ws_connect(url, max_msg_size=0)
        self.next_id = 0
        return self

    async def _devtools_port(self):
        path = os.path.join(self.profile, "DevToolsActivePort")
        for _ in range(300):
            if os.path.exists(path):
                with open(path) as f:
                    first = f.readline().strip()
                if first:
                    return int(first)
            if self.proc.poll() is not None:
                raise RuntimeError("chromium exited at startup")
            await asyncio.sleep(0.1)
        raise RuntimeError("chromium did not open its DevTools port")

    async def call(self, method, **params):
        self.next_id += 1
        call_id = self.next_id
        await self.ws.send_json({"id": call_id, "method": method,
                                 "params": params})
        while True:
            msg = await asyncio.wait_for(self.ws.receive_json(), 30)
            if msg.get("id") == call_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg["result"]

    async def evaluate(self, expression):
        result = await self.call("Runtime.evaluate", expression=expression,
                                 awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def navigate(self, url):
        await self.call("Page.navigate", url=url)
        for _ in range(200):
            if await self.evaluate("document.readyState") == "complete" and \
                    await self.evaluate("location.href") == url:
                return
            await asyncio.sleep(0.05)
        raise RuntimeError(f"{url} did not load")

    async def wait_for(self, expression, timeout=30):
        """Polls until `expression` is truthy; returns its value."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            value = await self.evaluate(expression)
            if value:
                return value
            await asyncio.sleep(0.05)
        raise AssertionError(f"timed out waiting for {expression}")

    async def __aexit__(self, *exc):
        try:
            await self.ws.close()
            await self.http.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            shutil.rmtree(self.profile, ignore_errors=True)
