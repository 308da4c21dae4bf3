"""GET /metrics: the Prometheus figures, scraped while people use the bot; on the public port only with the token,
and on a port of its own."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import select

from bot.app.runtime import serve
from bot.app.scheduler import run_due
from bot.core.replies import Reply
from bot.delivery.outbox import enqueue_to_person
from bot.metrics import LAG_INTERVAL
from models import Person
from tests.conftest import Town
from tests.drivers import free_port

TOKEN = "scrape-me-0123456789"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape, by name and labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(scraped: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return scraped.get((name, tuple(sorted(labels.items()))), 0.0)


async def scrape(url: str, token: str | None = TOKEN) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession() as http, http.get(url + "/metrics", headers=headers) as response:
        return response.status, await response.text()


async def test_a_journey_shows_in_the_figures_and_only_the_token_opens_them(
    db_url: str, settings_for: Any
) -> None:
    town = Town(settings_for(db_url, metrics_token=TOKEN))
    await town.start()
    try:
        assert town.server is not None and town.app is not None
        url = town.server.url
        assert (await scrape(url, None))[0] == 404
        assert (await scrape(url, "wrong-token"))[0] == 404

        lan = await town.person("Lan")
        await lan.say("/batdau")
        await lan.press("Tiếng Việt")
        await lan.press("Tôi đồng ý")
        await lan._post(json={"text": "/trogiup", "id": "m-1"})  # noqa: SLF001
        await lan._post(json={"text": "/trogiup", "id": "m-1"})  # the browser retried: handled once  # noqa: SLF001
        await asyncio.sleep(3 * LAG_INTERVAL)  # the loop probe has woken by now
        status, text = await scrape(url)
        assert status == 200
        during = samples(text)
        assert value(during, "andan_updates_total", channel="web", outcome="handled") == 4
        assert value(during, "andan_updates_total", channel="web", outcome="duplicate") == 1
        assert value(during, "andan_update_seconds_count", channel="web") == 5
        assert value(during, "andan_database_up") == 1
        assert value(during, "andan_db_pool_connections", state="size") > 0
        assert value(during, "andan_event_loop_lag_seconds_count") > 0  # the probe runs while the app does

        # A push waits in the outbox, then goes out through the channel: both show.
        async with town.app.db.session() as session:
            person = (await session.exec(select(Person))).one()
            await enqueue_to_person(session, person, lambda: Reply("Cảnh báo thử"), kind="alert")
            await session.commit()
        waiting = samples((await scrape(url))[1])
        assert value(waiting, "andan_outbox_rows", status="pending") == 1
        assert await town.drain() == 1
        await run_due(town.app)
        after = samples((await scrape(url))[1])
        assert value(after, "andan_outbox_rows", status="pending") == 0
        assert value(after, "andan_sends_total", channel="web", outcome="ok") == 1
        assert value(after, "andan_tick_seconds_count", tick="core.processed_updates") == 1
        assert "Lan" not in text and TOKEN not in text  # no person, no secret in the figures
    finally:
        await town.close()


async def test_a_metrics_port_of_its_own_needs_no_token_and_the_public_port_serves_none(
    db_url: str, settings_for: Any
) -> None:
    port, metrics_port = free_port(), free_port()
    settings = settings_for(db_url, port=port, metrics_port=metrics_port)
    stop, ready = asyncio.Event(), asyncio.Event()
    serving = asyncio.create_task(serve(settings, stop, ready))
    try:
        async with asyncio.timeout(30):
            await ready.wait()
        status, text = await scrape(f"http://127.0.0.1:{metrics_port}", None)
        assert status == 200 and "andan_updates_total" in text
        assert (await scrape(f"http://127.0.0.1:{port}", None))[
            0
        ] == 404  # no token set: not on the public port
        assert (await scrape(f"http://127.0.0.1:{port}"))[0] == 404
    finally:
        stop.set()
        await serving
