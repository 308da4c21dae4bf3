"""/xembaocao (/reports): ward police and ward admins see who reported in a period, read each report, export."""

from __future__ import annotations

from bot import clock
from bot.core.context import Context
from bot.core.errors import NotChosen
from bot.core.flow import Flow, Outcome, goto, stay
from bot.core.payloads import read_any
from bot.core.replies import Choice, Media
from bot.core.router import Router
from bot.digest.table import XLSX_MIME, to_csv, to_xlsx
from bot.i18n import N_, _, fmt_date, fmt_datetime, ngettext
from handlers.reports.buttons import ReadReport, ViewAction, ViewPeriod
from handlers.reports.export import table
from handlers.reports.periods import (
    Period,
    config_of,
    current_period,
    period_by_key,
    previous_deadline,
)
from handlers.reports.store import leaders_of, submitted_in, ward_groups
from handlers.reports.texts import sent_late, show_answers
from models import Group, ReportSubmission, Role

router = Router("reports.police")
flow = Flow("report_view", steps=("period", "overview"))
READERS = {Role.POLICE, Role.WARD_ADMIN}
SHOWN = 30


@router.command("xembaocao", "reports", help=N_("See the groups' periodic reports"), roles=READERS)
async def reports(ctx: Context) -> None:
    wards = sorted({g.ward_code for g in await ctx.grants() if g.role in READERS})
    cfg = await config_of(ctx.session, wards[0])
    if cfg is None:
        admin = any(g.role == Role.WARD_ADMIN and g.ward_code == wards[0] for g in await ctx.grants())
        ctx.reply(
            _("Your ward has not set up periodic reports yet. You can do it with /caidatbaocao.")
            if admin
            else _(
                "Your ward has not set up periodic reports yet. The ward admin can do it with /caidatbaocao."
            )
        )
        return
    ctx.begin("report_view", ward=wards[0])


@flow.ask("period")
async def ask_period(ctx: Context) -> None:
    cfg = await config_of(ctx.session, ctx.data["ward"])
    assert cfg is not None
    period = current_period(cfg, clock.now())
    periods: list[Period] = [period]
    for _step in range(5):
        due = periods[-1].start
        if due <= cfg.created_at:
            break  # periods that ended before reports were set up: nobody was asked, nobody missed them
        periods.append(Period(previous_deadline(cfg, due), due))
    ctx.reply(
        _("Which period?"),
        [Choice(_("Period ending {date}").format(date=fmt_date(p.due)), ViewPeriod(p.key)) for p in periods],
    )


@flow.on("period")
async def on_period(ctx: Context) -> Outcome:
    key = ViewPeriod.expect(ctx).key
    cfg = await config_of(ctx.session, ctx.data["ward"])
    if cfg is None or period_by_key(cfg, key) is None:
        raise NotChosen()
    ctx.data["key"] = key
    return goto("overview")


def actions() -> list[Choice]:
    return [
        Choice(_("Export CSV"), ViewAction("csv")),
        Choice(_("Export Excel"), ViewAction("xlsx")),
        Choice(_("Back to the list"), ViewAction("list")),
    ]


@flow.ask("overview")
async def ask_overview(ctx: Context) -> None:
    ward, key = ctx.data["ward"], ctx.data["key"]
    groups = await ward_groups(ctx.session, ward)
    reports = await submitted_in(ctx.session, ward, key)
    cfg = await config_of(ctx.session, ward)
    period = period_by_key(cfg, key)  # type: ignore[arg-type]
    assert period is not None
    sent = [g for g in groups if g[0] in reports]
    missing = [g for g in groups if g[0] not in reports]
    late = sum(1 for gid, _name, _area in sent if late_report(reports[gid]))
    lines = [
        _("Period ending {due}: {n} of {total} groups sent their report.").format(
            due=fmt_datetime(period.due), n=len(sent), total=len(groups)
        )
    ]
    if late:
        # Said here as well as on the buttons: the count must agree with the missing list the police were sent
        # at the deadline and with the year's on-time figures.
        lines.append(_("{n} of them sent it after the deadline (marked late below).").format(n=late))
    if missing:
        lines += await missing_lines(ctx, missing)
    if sent:
        lines.append(_("Press a group to read its report."))
    choices = [
        Choice(report_label(name, area, reports[gid]), ReadReport(gid)) for gid, name, area in sent[:SHOWN]
    ]
    ctx.reply("\n".join(lines), [*choices, *actions()[:2]])


async def missing_lines(ctx: Context, missing: list[tuple[int, str, str]]) -> list[str]:
    """Every group that has not sent the report: those with a leader first, one a line with the leader's name (the
    ones the officer calls), then those with no leader yet, a line per area. Before, the first 30 of the ward's
    groups were listed alike and the rest were "… and 9 more", out of reach: the leader who missed the report was
    lost among the groups nobody was ever asked."""
    leaders = await leaders_of(ctx.session, [gid for gid, _name, _area in missing])
    led = [g for g in missing if g[0] in leaders]
    unled = [g for g in missing if g[0] not in leaders]
    lines: list[str] = []
    if led:
        lines.append(_("Not sent yet:"))
        for gid, name, area in led[:SHOWN]:
            names = ", ".join(leaders[gid])
            lines.append(
                f"• {name}, {area}" + (" — " + _("leader: {names}").format(names=names) if names else "")
            )
        lines += by_area(led[SHOWN:])
    if unled:
        lines.append(
            ngettext(
                "{n} group has no leader yet, so nobody was reminded:",
                "{n} groups have no leader yet, so nobody was reminded:",
                len(unled),
            ).format(n=len(unled))
        )
        lines += by_area(unled)
    return lines


def by_area(groups: list[tuple[int, str, str]]) -> list[str]:
    """One line per area naming its groups, in the order given ("• Khóm 1: Tổ 1, Tổ 2, Tổ 3")."""
    areas: dict[str, list[str]] = {}
    for _gid, name, area in groups:
        areas.setdefault(area, []).append(name)
    return [f"• {area}: {', '.join(names)}" for area, names in areas.items()]


def late_report(report: ReportSubmission) -> bool:
    return sent_late(report.submitted_at, report.due_at)


def sent_when(report: ReportSubmission) -> str:
    return fmt_datetime(report.submitted_at or report.updated_at)


def report_label(name: str, area: str, report: ReportSubmission) -> str:
    """The group's button: its name alone when the report came on time, with when it came when late."""
    place = f"{name}, {area}"[:40]
    if not late_report(report):
        return place
    return _("{group} (late: {when})").format(group=place, when=sent_when(report))


@flow.on("overview")
async def on_overview(ctx: Context) -> Outcome:
    match read_any(ctx, ReadReport, ViewAction):
        case ReadReport(group_id=group_id):
            return await read(ctx, group_id)
        case ViewAction(action="list"):
            return goto("overview")
        case ViewAction(action="csv" | "xlsx" as kind):
            return await export(ctx, kind)
    raise NotChosen()


async def read(ctx: Context, group_id: int) -> Outcome:
    reports = await submitted_in(ctx.session, ctx.data["ward"], ctx.data["key"])
    report: ReportSubmission | None = reports.get(group_id)
    group = await ctx.session.get(Group, group_id)
    if report is None or group is None:
        raise NotChosen()
    lines = [
        _("Report of {group}, sent {when}, late (the deadline was {due}):").format(
            group=group.name, when=sent_when(report), due=fmt_datetime(report.due_at)
        )
        if late_report(report)
        else _("Report of {group}, sent {when}:").format(group=group.name, when=sent_when(report))
    ]
    if report.nothing_to_report:
        lines.append(_("Nothing to report this period."))
    else:
        lines += show_answers(report.questions, report.answers)
    ctx.audit("report.read", "report_submission", str(report.id), report.ward_code)
    ctx.reply("\n".join(lines), actions())
    return stay()


async def export(ctx: Context, kind: str) -> Outcome:
    ward, key = ctx.data["ward"], ctx.data["key"]
    cfg = await config_of(ctx.session, ward)
    assert cfg is not None
    rows = await table(ctx.session, cfg, key)
    name = f"bao-cao-{ward}-{key}"
    if kind == "csv":
        ref = await ctx.app.media.put(to_csv(rows), "text/csv", name + ".csv")
        media = Media(kind="file", url=ref, filename=name + ".csv")
    else:
        data = to_xlsx(rows, key)
        ref = await ctx.app.media.put(data, XLSX_MIME, name + ".xlsx")
        media = Media(kind="file", url=ref, filename=name + ".xlsx")
    ctx.audit("report.exported", "report_period", f"{ward}:{key}", ward, format=kind, groups=len(rows) - 1)
    ctx.reply(
        _("The reports of the period ending {date}, one row per group.").format(
            date=fmt_date(period_by_key(cfg, key).due)  # type: ignore[union-attr]
        ),
        actions(),
        media=(media,),
    )
    return stay()
