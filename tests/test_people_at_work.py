"""Staff who never type a slash command (twelfth session's walk of a ward set up from nothing): a new ward admin
could reach the set-up of areas and groups only as /diaban; staff typing the labels of their own menu entries got
a resident's form, "that is done by the ward staff" or "I did not understand"; a group leader could not find the
group's join link in words (bot.core.menu.typed_entry, handlers/places/intents.toml, handlers/core.intents.toml)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.test_people_do import texts


def payloads(replies: list[dict[str, Any]]) -> list[str]:
    return [c["payload"] for r in replies for c in r.get("choices", [])]


async def test_a_new_ward_admin_finds_the_ward_set_up_in_the_menu_and_in_words(ward: Any) -> None:
    thao = await ward.join("Chị Thảo", role="ward_admin")
    menu = payloads(await thao.say("menu"))
    assert menu[0] == "cmd:diaban", menu
    for words in (
        "thêm khu vực",
        "tôi muốn lập các tổ cho phường",
        "nhập danh sách tổ dân phố",
        "cử tổ trưởng",
    ):
        assert "cmd:diaban" in payloads(await thao.say(words)), words
    assert "cmd:diaban" not in payloads(await thao.say("khu vực 3 có người bán ma túy"))  # a tip is a tip


@pytest.mark.parametrize(
    ("label", "opens"),
    [
        ("Phản ánh đã nhận", "phản ánh"),
        ("Cài đặt báo cáo tổ", "báo cáo"),
        ("Mời người tham gia", "muốn mời ai"),
        ("tong ket nam", "tổng kết"),
    ],
)
async def test_the_ward_admin_typing_her_own_menu_labels_opens_them(
    ward: Any, label: str, opens: str
) -> None:
    thao = await ward.join("Chị Thảo", role="ward_admin")
    await thao.say("cảm ơn")  # the menu is no longer the last message
    said = texts(await thao.say(label)).lower()
    assert opens in said, said
    assert "không phải từ tài khoản" not in said and "chưa hiểu" not in said, said


async def test_a_group_leader_typing_households_of_my_group_gets_the_list(ward: Any) -> None:
    hai = await ward.join("Anh Hai", role="group_admin")
    await hai.say("cảm ơn")
    said = texts(await hai.say("danh sach ho trong to"))
    assert "hộ" in said.lower() and "chưa hiểu" not in said, said


async def test_a_group_leader_finds_the_join_link_in_words(ward: Any) -> None:
    hai = await ward.join("Anh Hai", role="group_admin")
    for words in ("tạo link mời bà con vào tổ", "link tham gia tổ"):
        assert "cmd:linknhom" in payloads(await hai.say(words)), words


async def test_a_resident_typing_a_staff_label_is_not_given_it(ward: Any) -> None:
    lan = await ward.join("Lan")
    said = texts(await lan.say("Cài đặt báo cáo tổ"))
    assert "Cài đặt báo cáo" not in said.split("\n")[0], said
