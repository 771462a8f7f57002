import asyncio


async def run_paper_matcher(stop: asyncio.Event) -> None:
    await stop.wait()
