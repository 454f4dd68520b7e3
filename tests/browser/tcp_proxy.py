"""A TCP relay between a browser and the server that can cut every live
connection at once and refuse new ones for a while: to the page, exactly a
network drop on the server's side."""

import asyncio


async def _pump(reader, writer, count=None):
    try:
        while data := await reader.read(65536):
            if count:
                count(len(data))
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


class TcpProxy:
    """`async with TcpProxy(server_port) as proxy:` relays 127.0.0.1:proxy.port
    to the server, in the caller's event loop."""

    def __init__(self, target_port, refuse_websocket=False):
        self.target_port = target_port
        # Like a proxy that does not pass WebSocket upgrades through.
        self.refuse_websocket = refuse_websocket
        self.links = set()
        self.refusing = False
        self.dropped = 0
        self.bytes_down = 0  # server → client, as sent on the wire

    async def __aenter__(self):
        self.server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc):
        self.server.close()
        self.cut()
        await self.server.wait_closed()

    async def _relay(self, client_reader, client_writer):
        if self.refusing:
            client_writer.transport.abort()
            return
        first = await client_reader.read(65536)
        if not first or (self.refuse_websocket
                         and b"upgrade: websocket" in first.lower()):
            client_writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(
                "127.0.0.1", self.target_port)
        except OSError:
            client_writer.transport.abort()
            return
        up_writer.write(first)
        link = (client_writer, up_writer)
        self.links.add(link)
        try:
            await asyncio.gather(_pump(client_reader, up_writer),
                                 _pump(up_reader, client_writer, self._count_down))
        finally:
            self.links.discard(link)

    def _count_down(self, n):
        self.bytes_down += n

    def cut(self):
        """Resets every live connection, both ways."""
        for client, upstream in list(self.links):
            client.transport.abort()
            upstream.transport.abort()
            self.dropped += 1
        self.links.clear()

    async def outage(self, seconds):
        """Cuts every connection and refuses new ones for `seconds`."""
        self.refusing = True
        self.cut()
        await asyncio.sleep(seconds)
        self.refusing = False
