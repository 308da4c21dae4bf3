"""Translations and locale-aware formatting: gettext through Babel catalogs, dates and numbers in the configured zone.

Catalogs live in `locales/<lang>/LC_MESSAGES/<domain>.po`, one domain per feature (see `bot.tools.catalogs`);
they are compiled in memory at start-up, so no build step is needed. The current person's locale is kept
in a ContextVar, set once per incoming update or outgoing message.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, date, datetime, time
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
SUPPORTED = ("vi", "en")
DEFAULT_LOCALE = "vi"

_current: ContextVar[str] = ContextVar("andan_locale", default=DEFAULT_LOCALE)
_zone = ZoneInfo("Asia/Ho_Chi_Minh")  # process-wide: one deployment, one timezone


def configure(default_locale: str, tz_name: str) -> None:
    """Apply deployment settings (default language and timezone) for this process."""
    global DEFAULT_LOCALE, _zone
    DEFAULT_LOCALE = normalize_locale(default_locale)
    _current.set(DEFAULT_LOCALE)
    _zone = ZoneInfo(tz_name)


def normalize_locale(value: str | None) -> str:
    """Map a platform language code ("vi-VN", "en_US", None) to a supported locale."""
    if not value:
        return DEFAULT_LOCALE
    short = value.replace("_", "-").split("-")[0].lower()
    return short if short in SUPPORTED else DEFAULT_LOCALE


@cache
def translations(locale: str) -> NullTranslations:
    """All domains of one language merged into a single gettext object."""
    merged: NullTranslations | None = None
    for po_path in sorted((LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po")):
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)  # fuzzy entries are skipped: they are not reviewed translations
        buffer.seek(0)
        loaded = Translations(buffer)
        if merged is None:
            merged = loaded
        else:
            assert isinstance(merged, Translations)
            merged.merge(loaded)
    return merged or NullTranslations()


def current_locale() -> str:
    return _current.get()


@contextlib.contextmanager
def use_locale(locale: str | None) -> Iterator[str]:
    """Run a block in a person's language."""
    token = _current.set(normalize_locale(locale))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def _(message: str) -> str:
    """Translate into the current locale."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated later, where it is shown."""
    return message


def zone() -> ZoneInfo:
    return _zone


def local(moment: datetime) -> datetime:
    """A stored moment (aware UTC; naive values are taken as UTC) in the configured timezone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_zone)


def _babel_locale() -> Locale:
    return Locale.parse(_current.get())


# One style for every date and time shown, per language: "01/12/2026", "07:03 ngày 26/11/2026" (Babel patterns).
PATTERNS = {
    "vi": {
        "date": "dd/MM/yyyy",
        "weekday": "EEEE, dd/MM/yyyy",
        "datetime": "HH:mm 'ngày' dd/MM/yyyy",
        "time": "HH:mm",
    },
    "en": {
        "date": "dd/MM/yyyy",
        "weekday": "EEEE dd/MM/yyyy",
        "datetime": "HH:mm 'on' dd/MM/yyyy",
        "time": "HH:mm",
    },
}


def _pattern(kind: str) -> str:
    return PATTERNS.get(_current.get(), PATTERNS["vi"])[kind]


def fmt_datetime(moment: datetime, fmt: str = "short") -> str:
    """ "07:03 ngày 26/11/2026" in the configured zone (`fmt` is kept for callers; the style is one)."""
    return babel_dates.format_datetime(
        local(moment), format=_pattern("datetime"), tzinfo=_zone, locale=_babel_locale()
    )


def fmt_date(day: date | datetime, fmt: str = "medium") -> str:
    """ "01/12/2026"; with fmt="full", the weekday first ("Thứ Ba, 01/12/2026"), for a day people plan around."""
    if isinstance(day, datetime):
        day = local(day).date()
    return babel_dates.format_date(
        day, format=_pattern("weekday" if fmt == "full" else "date"), locale=_babel_locale()
    )


def fmt_time(moment: datetime | time, fmt: str = "short") -> str:
    if isinstance(moment, datetime):
        moment = local(moment).timetz()
    return babel_dates.format_time(moment, format=_pattern("time"), locale=_babel_locale())


def fmt_number(value: float | int) -> str:
    return babel_numbers.format_decimal(value, locale=_babel_locale())


def fmt_percent(value: float) -> str:
    return babel_numbers.format_percent(value, locale=_babel_locale())
