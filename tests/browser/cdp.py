"""Just enough of the Chrome DevTools Protocol to drive real headless
Chromium from tests: load pages in tabs, evaluate scripts, reload, size the
window, take screenshots, and catch the page's own script errors."""

import asyncio
import base64
import os
import shutil
import signal
import subprocess
import tempfile

import aiohttp

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--remote-debugging-port=0",
         # Loopback bypasses it; anything else meets a dead proxy, so no
         # test's page can reach beyond this machine.
         "--proxy-server=http://127.0.0.1:9"]


class Tab:
    """One page target, over its own DevTools WebSocket. Script errors and
    console errors of the page collect in `errors`."""

    def __init__(self, http, ws_url):
        self.http = http
        self.ws_url = ws_url
        self.next_id = 0
        self.errors = []
        # Every request the page made, once `Network.enable` is called.
        self.requests = []

    async def open(self):
        self.ws = await self.http.ws_connect(self.ws_url, max_msg_size=0)
        await self.call("Runtime.enable")
        await self.call("Page.enable")
        return self

    async def close(self):
        await self.ws.close()

    def _note(self, msg):
        method = msg.get("method")
        params = msg.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self.errors.append(details.get("exception", {}).get(
                "description", details.get("text")))
        elif method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Runtime.consoleAPICalled" and params["type"] == "error":
            self.errors.append(" ".join(str(a.get("value", a.get("description")))
                                        for a in params["args"]))

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
            self._note(msg)

    async def evaluate(self, expression):
        result = await self.call("Runtime.evaluate", expression=expression,
                                 awaitPromise=True, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def navigate(self, url):
        await self.call("Page.navigate", url=url)
        await self.until_loaded(url)

    async def reload(self):
        url = await self.evaluate("location.href")
        await self.call("Page.reload", ignoreCache=True)
        await asyncio.sleep(0.2)
        await self.until_loaded(url)

    async def until_loaded(self, url):
        for _ in range(200):
            try:
                if await self.evaluate("document.readyState") == "complete" and \
                        await self.evaluate("location.href") == url:
                    return
            except RuntimeError:
                pass  # the old document went away mid-call
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

    async def set_window(self, width, height, mobile=False):
        await self.call("Emulation.setDeviceMetricsOverride", width=width,
                        height=height, deviceScaleFactor=1, mobile=mobile)

    async def screenshot(self, path):
        """Saves what the tab shows as a PNG at `path`."""
        shot = await self.call("Page.captureScreenshot", format="png")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
        return path


class Chromium:
    """`async with Chromium() as browser:` a fresh headless Chromium with its
    own profile, driven over CDP; killed on exit. Calls on it go to its first
    tab; `new_tab()` opens more. With `endpoint="browser"` it talks to the
    browser target itself."""

    def __init__(self, endpoint="page"):
        self.endpoint = endpoint

    async def __aenter__(self):
        if not os.access(CHROMIUM, os.X_OK):
            raise RuntimeError(f"{CHROMIUM} is missing: ./run.sh installs it")
        self.profile = tempfile.mkdtemp(prefix="agenttheo-chromium-")
        # TMPDIR in the profile: a killed Chromium leaves its singleton
        # socket's directory there, removed with the profile, not in /tmp.
        self.proc = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={self.profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            env=dict(os.environ, TMPDIR=self.profile), start_new_session=True)
        self.port = await self._devtools_port()
        self.http = aiohttp.ClientSession()
        self.tabs = []
        if self.endpoint == "browser":
            async with self.http.get(self._devtools("/json/version")) as resp:
                url = (await resp.json())["webSocketDebuggerUrl"]
            self.first = Tab(self.http, url)
            self.first.ws = await self.http.ws_connect(url, max_msg_size=0)
        else:
            async with self.http.get(self._devtools("/json/list")) as resp:
                targets = await resp.json()
            url = next(t for t in targets if t["type"] == "page")["webSocketDebuggerUrl"]
            self.first = await Tab(self.http, url).open()
        self.tabs.append(self.first)
        return self

    def _devtools(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

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

    async def new_tab(self):
        """Another tab in the same browser (same profile, so same cookies)."""
        async with self.http.put(self._devtools("/json/new?about:blank")) as resp:
            target = await resp.json()
        tab = await Tab(self.http, target["webSocketDebuggerUrl"]).open()
        self.tabs.append(tab)
        return tab

    # The first tab's calls, on the browser itself.
    async def call(self, method, **params):
        return await self.first.call(method, **params)

    async def evaluate(self, expression):
        return await self.first.evaluate(expression)

    async def navigate(self, url):
        await self.first.navigate(url)

    async def wait_for(self, expression, timeout=30):
        return await self.first.wait_for(expression, timeout)

    async def __aexit__(self, *exc):
        try:
            for tab in self.tabs:
                await tab.close()
            await self.http.close()
        finally:
            # The whole process group: its helpers (zygote, renderers, the
            # network service) outlive the browser process by a moment and
            # would write to the profile after it is removed. The browser
            # is not reaped yet, so the group id is still its own.
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            shutil.rmtree(self.profile, ignore_errors=True)
