import asyncio
import os

from agenttheo_client import AgentTheoClient, ClientError, TokenEvent, ToolEndEvent


async def main():
    server = os.environ.get("AGENTTHEO_SERVER", "http://localhost:8000")
    async with AgentTheoClient(server) as client:
        async for event in client.stream("hello"):
            if isinstance(event, TokenEvent):
                print(event.token, end="", flush=True)
            elif isinstance(event, ToolEndEvent):
                print(f"\n[{event.tool_name}: {'ok' if event.ok else 'failed'}]")
        result = await client.run("hello again")
        print(f"\n{result.steps} step(s), {result.usage['total_tokens']} tokens")
        try:
            await client.cancel("no-such-session")
        except ClientError as err:
            print(f"refused: {err.status} {err.code}")


asyncio.run(main())
