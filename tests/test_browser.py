"""The chat page itself, in headless Chromium (Debian's `chromium`): a resident onboards by clicking and typing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium on this machine: install Debian's `chromium` package (.ci/run does) to run the browser test",
)


@pytest.fixture
async def browser():  # type: ignore[no-untyped-def]
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield chromium
        finally:
            await chromium.close()


async def bot_says(page, text: str) -> None:  # type: ignore[no-untyped-def]
    await page.wait_for_selector(f'.msg[data-direction="out"]:has-text("{text}")', timeout=10_000)


async def test_resident_onboards_in_the_chat_page(town, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = await browser.new_page(viewport={"width": 390, "height": 800}, locale="vi-VN")
    await page.goto(town.server.url + "/")
    assert await page.get_attribute("html", "lang") == "vi"
    assert await page.get_attribute("#input", "placeholder") == "Nhập tin nhắn…"

    await page.fill("#input", "xin chào")
    await page.press("#input", "Enter")
    await bot_says(page, "Chọn ngôn ngữ")
    await page.click('button.choice[data-payload="lang:vi"]')
    await bot_says(page, "Không lưu gì cho đến khi bạn đồng ý")
    await page.click('button.choice[data-payload="consent:yes"]')
    await bot_says(page, "Bạn sống ở xã/phường nào")
    await page.fill("#input", "cao lanh")
    await page.click("#send")
    await page.click('button.choice:has-text("Phường Cao Lãnh, Tỉnh Đồng Tháp")')
    await page.click('button.choice:has-text("Khóm 2")')
    await page.click('button.choice:text-is("Tổ 3")')
    await bot_says(page, "Xong! Bạn đã đăng ký là người dân của Tổ 3, Khóm 2")
    await page.screenshot(path=str(tmp_path / "chat.png"))

    # A reload shows the stored transcript of a registered person, in order.
    await page.reload()
    await bot_says(page, "Xong! Bạn đã đăng ký")
    ids = [
        int(float(i)) for i in await page.eval_on_selector_all(".msg", "els => els.map(e => e.dataset.id)")
    ]
    assert ids == sorted(ids) and len(ids) >= 2


async def test_invite_link_opens_the_chat_and_redeems(town, browser) -> None:  # type: ignore[no-untyped-def]
    code = await town.invite("group_admin")
    page = await browser.new_page()
    await page.goto(f"{town.server.url}/join/{code}")
    await bot_says(page, "Chọn ngôn ngữ")
    assert "#start" not in page.url
    await page.click('button.choice[data-payload="lang:en"]')
    await page.click('button.choice[data-payload="consent:yes"]')
    await bot_says(page, "You are now the group leader of Tổ 3, Khóm 2")
