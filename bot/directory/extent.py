"""Where a ward lies: its centre and a radius from its area, from the `vietnamadminunits` package's data, so that a
shared location far outside the ward (a slip of the map, or something meant for another ward) can be refused.

The package's ward codes differ from vietnam-provinces' (the ward table's) for about a hundred wards, so a ward is
matched by its province and folded name, the code deciding between two of the same name (as bot/directory/geo.py
does for old names). The data is read once, off the event loop. Distances are geodesic (geopy). A ward the data
does not know is never refused.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import math
import sqlite3
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from geopy.distance import geodesic

from bot.textnorm import fold
from models import Ward

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Extent:
    latitude: float
    longitude: float
    radius_km: float  # twice the radius of a circle of the ward's area: wards are seldom round


@cache
def _extents() -> dict[tuple[int, str], list[tuple[int, Extent]]]:
    """(province code, folded ward name) → [(the package's ward code, extent)], read once."""
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        return {}
    data = Path(next(iter(spec.submodule_search_locations))) / "data" / "dataset.db"
    found: dict[tuple[int, str], list[tuple[int, Extent]]] = {}
    try:
        conn = sqlite3.connect(f"{data.as_uri()}?mode=ro", uri=True)
        try:
            rows = conn.execute(
                "SELECT provinceCode, wardCode, ward, wardLat, wardLon, wardAreaKm2 FROM admin_units"
            ).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        log.exception("the wards' extents could not be read; shared locations are not checked")
        return {}
    for province, code, name, lat, lon, area in rows:
        if lat is None or lon is None or not area:
            continue
        radius = 2 * math.sqrt(float(area) / math.pi)
        found.setdefault((int(province), fold(name)), []).append(
            (int(code), Extent(float(lat), float(lon), radius))
        )
    return found


async def extent_of(ward: Ward) -> Extent | None:
    """The ward's centre and reach, or None when the data does not know it."""
    extents = await asyncio.to_thread(_extents)
    candidates = extents.get((ward.province_code, fold(ward.name)), [])
    for code, extent in candidates:
        if code == ward.code:
            return extent
    return candidates[0][1] if len(candidates) == 1 else None


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance in metres between two (latitude, longitude) points."""
    return float(geodesic(a, b).meters)


async def beyond_km(ward: Ward, latitude: float, longitude: float) -> float | None:
    """How far a point lies beyond the ward's reach in km (0 within it), or None when the ward is not known."""
    extent = await extent_of(ward)
    if extent is None:
        return None
    centre = distance_m((extent.latitude, extent.longitude), (latitude, longitude)) / 1000
    return max(0.0, centre - extent.radius_km)


async def outside(ward: Ward, latitude: float, longitude: float, margin_km: float) -> bool:
    """Whether a point lies more than `margin_km` beyond the ward's reach (False when the ward is not known)."""
    beyond = await beyond_km(ward, latitude, longitude)
    return beyond is not None and beyond > margin_km
