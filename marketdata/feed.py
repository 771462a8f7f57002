import asyncio


async def run_market_feed(stop: asyncio.Event) -> None:
    await stop.wait()
