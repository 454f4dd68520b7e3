# The Python client from the streaming guide, verbatim (see
# ../shared/seeds/): test_guide_clients.py runs it against the real server,
# replacing only localhost:8000 with the test server's address.
import aiohttp
import json

async def stream_command(command: str):
    async with aiohttp.ClientSession() as session:
        url = f"http://localhost:8000/stream?command={command}&messageId=test"
        async with session.get(url) as response:
            async for line in response.content:
                if line.startswith(b'data: '):
                    data = json.loads(line[6:].decode())
                    print(f"Event: {data}")


if __name__ == "__main__":
    import asyncio
    import sys
    asyncio.run(stream_command(sys.argv[1]))
