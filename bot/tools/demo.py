"""`andan demo`: a demo ward modelled on Phường Cao Lãnh (Đồng Tháp), with people to play each role and this year's
pledge campaign open, so every feature can be tried."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot import clock
from bot.directory.invites import create, links
from bot.i18n import local
from bot.security import Keyring
from bot.settings import Settings
from bot.textnorm import fold
from models import Area, Group, Household, Role, Ward
from models.base import pk
from models.pledges import PledgeCampaign, PledgeVersion

DEMO_WARD = 29869  # Phường Cao Lãnh, Tỉnh Đồng Tháp
# Khóm 2 had 16 self-managed groups and about 430 households; the other areas are smaller.
AREAS = {"Khóm 1": 8, "Khóm 2": 16, "Khóm 3": 10, "Khóm 4": 6}
HOUSEHOLDS_PER_GROUP = 27
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Thanh", "Hoàng", "Kim", "Quốc"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hà",
    "Hạnh",
    "Hùng",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phúc",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Vân",
    "Yến",
]
STREETS = [
    "Nguyễn Huệ",
    "Lê Lợi",
    "Hùng Vương",
    "Nguyễn Du",
    "Lý Thường Kiệt",
    "Trần Hưng Đạo",
    "Đốc Binh Vàng",
]


@dataclass(frozen=True)
class DemoInvite:
    role: str
    place: str
    code: str
    links: dict[str, str]


@dataclass(frozen=True)
class Demo:
    invites: list[DemoInvite]
    household: str  # an address in the resident's group, to find their household with /hocuatoi


async def fill(
    session: AsyncSession, keyring: Keyring, settings: Settings, telegram_username: str | None = None
) -> Demo:
    """Create the demo places (once) and fresh invites for each role (`andan demo` also opens a campaign)."""
    ward = await session.get(Ward, DEMO_WARD)
    if ward is None:
        raise RuntimeError("places are not loaded; run `andan seed-geo` first")
    rng = random.Random(2026)  # the same demo every time
    existing = {
        a.name: a for a in (await session.exec(select(Area).where(Area.ward_code == DEMO_WARD))).all()
    }
    area_rows: dict[str, Area] = {}
    for name, group_count in AREAS.items():
        area = existing.get(name)
        if area is None:
            area = Area(ward_code=DEMO_WARD, name=name, name_folded=fold(name))
            session.add(area)
            await session.flush()
            for number in range(1, group_count + 1):
                group = Group(
                    area_id=pk(area),
                    ward_code=DEMO_WARD,
                    name=f"Tổ {number}",
                    name_folded=fold(f"To {number}"),
                )
                session.add(group)
                await session.flush()
                for house in range(HOUSEHOLDS_PER_GROUP):
                    head = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
                    session.add(
                        Household(
                            group_id=pk(group),
                            head_name=head,
                            members_count=rng.randint(1, 7),
                            address=f"Số {number * 40 + house + 1}, đường {rng.choice(STREETS)}",
                        )
                    )
        area_rows[name] = area
    await session.flush()
    khom2 = area_rows["Khóm 2"]
    to3 = (await session.exec(select(Group).where(Group.area_id == khom2.id, Group.name == "Tổ 3"))).one()
    plan = [
        (Role.RESIDENT, "Tổ 3, Khóm 2", dict(area_id=khom2.id, group_id=to3.id)),
        (Role.GROUP_ADMIN, "Tổ 3, Khóm 2", dict(area_id=khom2.id, group_id=to3.id)),
        (Role.MEDIATOR, "Khóm 2", dict(area_id=khom2.id)),
        (Role.MEDIATION_HEAD, "Khóm 2", dict(area_id=khom2.id)),
        (Role.POLICE, ward.name, {}),
        (Role.WARD_ADMIN, ward.name, {}),
    ]
    invites = []
    for role, place, scope in plan:
        made = await create(session, keyring, settings, role=role.value, ward_code=DEMO_WARD, **scope)
        invites.append(
            DemoInvite(role.value, place, made.code, links(settings, made.code, telegram_username))
        )
    household = (
        await session.exec(select(Household).where(Household.group_id == to3.id).order_by(col(Household.id)))
    ).first()
    await session.commit()
    return Demo(invites, household.address if household else "")


async def open_campaign(session: AsyncSession) -> PledgeCampaign:
    """This year's household pledge campaign for the whole demo ward, open from today for three months, with the
    suggested text (what a ward admin would open with /chiendich)."""
    from handlers.pledges.texts import default_text, default_title

    today = local(clock.now()).date()
    found = (
        await session.exec(
            select(PledgeCampaign).where(
                PledgeCampaign.ward_code == DEMO_WARD, PledgeCampaign.year == today.year
            )
        )
    ).first()
    if found is not None:
        return found
    campaign = PledgeCampaign(
        ward_code=DEMO_WARD,
        year=today.year,
        title=default_title(today.year, "vi"),
        starts_on=today,
        ends_on=today + timedelta(days=90),
        area_ids=[],
    )
    session.add(campaign)
    await session.flush()
    session.add(PledgeVersion(campaign_id=pk(campaign), number=1, text=default_text("vi")))
    return campaign
