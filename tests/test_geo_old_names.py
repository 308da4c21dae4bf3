"""Finding today's ward by a name from before the July 2025 reform, typed with or without accents.

The expected successors are those of the 2025 resolutions of the Standing Committee of the National Assembly
(e.g. 1663/NQ-UBTVQH15 for Đồng Tháp, 1686/NQ-UBTVQH15 for Thanh Hóa), read through the real search on the
seeded ward table.
"""

from __future__ import annotations

import pytest

from bot.db import Database
from bot.directory import geo
from bot.i18n import use_locale


async def search(db_url: str, text: str, limit: int = 8) -> list[geo.WardHit]:
    db = Database(db_url)
    try:
        async with db.session() as session:
            return await geo.search_wards(session, text, limit)
    finally:
        await db.dispose()


@pytest.mark.parametrize(
    ("typed", "new_ward", "province", "old_name", "old_district"),
    [
        ("phuong 4 cao lanh", "Phường Cao Lãnh", "Tỉnh Đồng Tháp", "Phường 4", "Thành phố Cao Lãnh"),
        ("Phường 4, TP Cao Lãnh", "Phường Cao Lãnh", "Tỉnh Đồng Tháp", "Phường 4", "Thành phố Cao Lãnh"),
        ("P4 tp cao lanh", "Phường Cao Lãnh", "Tỉnh Đồng Tháp", "Phường 4", "Thành phố Cao Lãnh"),
        ("thi tran canh nang", "Xã Bá Thước", "Tỉnh Thanh Hóa", "Thị trấn Cành Nàng", "Huyện Bá Thước"),
        ("TT Cành Nàng, Bá Thước", "Xã Bá Thước", "Tỉnh Thanh Hóa", "Thị trấn Cành Nàng", "Huyện Bá Thước"),
        (
            "xa tan thuan tay cao lanh",
            "Phường Cao Lãnh",
            "Tỉnh Đồng Tháp",
            "Xã Tân Thuận Tây",
            "Thành phố Cao Lãnh",
        ),
        ("phuong ben nghe quan 1", "Phường Sài Gòn", "Thành phố Hồ Chí Minh", "Phường Bến Nghé", "Quận 1"),
    ],
)
async def test_an_old_name_finds_the_ward_that_absorbed_it(
    db_url: str, typed: str, new_ward: str, province: str, old_name: str, old_district: str
) -> None:
    hits = await search(db_url, typed)
    assert hits, typed
    first = hits[0]
    ward, found_province = first  # still unpacks as the (ward, province) pair every caller uses
    assert (ward.name, found_province.name) == (new_ward, province)
    assert first.formerly is not None and (first.formerly.name, first.formerly.district) == (
        old_name,
        old_district,
    )
    with use_locale("en"):
        assert first.label == f"{new_ward}, {province} (formerly: {old_name}, {old_district})"
    assert geo.ward_label(ward, found_province) == f"{new_ward}, {province}"  # the plain label is unchanged


async def test_the_label_is_in_vietnamese_and_names_a_former_province(db_url: str) -> None:
    (hit,) = [h for h in await search(db_url, "phuong 1 tp my tho") if h.ward.name == "Phường Mỹ Tho"]
    assert hit.province.name == "Tỉnh Đồng Tháp"  # Tiền Giang was merged into Đồng Tháp
    with use_locale("vi"):
        assert hit.label == (
            "Phường Mỹ Tho, Tỉnh Đồng Tháp (trước đây: Phường 1, Thành phố Mỹ Tho, Tỉnh Tiền Giang)"
        )
        (cao_lanh,) = await search(db_url, "phuong 4 cao lanh")
        assert cao_lanh.label == "Phường Cao Lãnh, Tỉnh Đồng Tháp (trước đây: Phường 4, Thành phố Cao Lãnh)"


async def test_a_ward_split_in_two_leads_to_both_and_says_part_of(db_url: str) -> None:
    hits = await search(db_url, "hang trong hoan kiem")
    assert {h.ward.name for h in hits} == {"Phường Hoàn Kiếm", "Phường Cửa Nam"}
    for hit in hits:
        assert hit.formerly is not None and hit.formerly.part
        with use_locale("en"):
            assert hit.label.endswith("(formerly part of Phường Hàng Trống, Quận Hoàn Kiếm)")


async def test_a_new_name_ranks_before_the_same_old_name_elsewhere(db_url: str) -> None:
    # "An Khánh" is today a ward of Hồ Chí Minh City, and was a ward of Ninh Kiều (Cần Thơ), now in Tân An.
    hits = await search(db_url, "an khanh", limit=40)
    plain = [h for h in hits if h.formerly is None]
    assert plain and hits[: len(plain)] == plain  # every match by today's name comes first
    named = [(h.ward.name, h.province.name) for h in hits if h.ward.name_folded.endswith(" an khanh")]
    assert hits[: len(named)] == [h for h in hits if h.ward.name_folded.endswith(" an khanh")]  # exact first
    assert ("Phường An Khánh", "Thành phố Hồ Chí Minh") in named
    tan_an = [h for h in hits if h.ward.name == "Phường Tân An" and h.province.name == "Thành phố Cần Thơ"]
    assert len(tan_an) == 1 and tan_an[0].formerly is not None
    assert (tan_an[0].formerly.name, tan_an[0].formerly.district) == ("Phường An Khánh", "Quận Ninh Kiều")
    assert len({h.ward.code for h in hits}) == len(hits)  # a ward found both ways is listed once


async def test_todays_names_are_found_as_before(db_url: str) -> None:
    hits = await search(db_url, "cao lanh")
    assert hits[0].label == "Phường Cao Lãnh, Tỉnh Đồng Tháp" and hits[0].formerly is None
    # A district's name alone is not an old ward's name: "cao lanh" does not list every ward of the old city.
    assert all(h.formerly is None for h in hits)
    assert len(await search(db_url, "phuong 1")) == 8  # a common old name is cut at the limit
    assert await search(db_url, "zzqx khong co") == []


def test_the_mapping_covers_every_ward_and_is_read_once() -> None:
    index = geo.old_names()
    assert geo.old_names() is index
    assert len(index.entries) > 10_000  # commune-level units before the reform
    import vietnam_provinces as vp

    today = {int(w.code) for w in vp.Ward.iter_all()}
    reached = {code for codes in index.targets for code in codes}
    assert reached <= today
    # Only the island special zones (đặc khu) had no commune-level units before: they keep their names.
    assert len(today - reached) <= 5
