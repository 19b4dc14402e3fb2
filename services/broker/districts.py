"""Default travel times between Mine City's districts (美祢市の地区), by car.

Approximate, from the districts' rough positions; a council replaces them with its own
table (`CONBINI_DISTRICTS_FILE`, JSON: {"a|b": minutes}). Other ways of travel are
derived from these (see `broker.domain.constraints.MODE_FACTOR`).
"""

import itertools
import json
import math
from pathlib import Path

from broker.domain.constraints import Places

MINE_CITY = {
    "omine": (0.0, 0.0),  # 大嶺町
    "isa": (4.0, -5.0),  # 伊佐町
    "ofuku": (-3.0, 9.0),  # 於福町
    "toyotamae": (-8.0, 2.0),  # 豊田前町
    "nishiatsu": (6.0, -14.0),  # 西厚保町
    "higashiatsu": (10.0, -12.0),  # 東厚保町
    "shuho": (8.0, 4.0),  # 秋芳町
    "mito": (17.0, 8.0),  # 美東町
}
"""Approximate positions in km."""

DISTRICT_NAMES = {
    "omine": "大嶺町",
    "isa": "伊佐町",
    "ofuku": "於福町",
    "toyotamae": "豊田前町",
    "nishiatsu": "西厚保町",
    "higashiatsu": "東厚保町",
    "shuho": "秋芳町",
    "mito": "美東町",
}
"""How workers read each district code (shown on offers)."""


def district_name(code: str | None) -> str:
    """The district's name as people say it; the code itself when unknown."""
    return "" if code is None else DISTRICT_NAMES.get(code, code)


def council_districts(places: Places) -> dict[str, str]:
    """The districts a job request may name, code → name: those of the council's travel table.

    Names come from `DISTRICT_NAMES` (the code itself when the council's own table names a
    district it does not know); an empty table (no travel times configured) means Mine
    City's districts.
    """
    codes = places.districts() or set(MINE_CITY)
    return {code: district_name(code) for code in sorted(codes)}


def mine_city_places() -> Places:
    """Car minutes between every pair of Mine City districts (3 min + 1.6 min/km)."""
    minutes = {
        frozenset((a, b)): round(3 + 1.6 * math.dist(MINE_CITY[a], MINE_CITY[b]))
        for a, b in itertools.combinations(MINE_CITY, 2)
    }
    return Places(car_minutes=minutes)


def places_from_file(path: Path) -> Places:
    """Read a council's own table: {"district|district": car minutes}.

    Raises:
        ValueError: the file is not such a table.
    """
    table = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(table, dict):
        msg = f"{path} must hold a JSON object"
        raise TypeError(msg)
    return Places(car_minutes={frozenset(str(k).split("|")): int(v) for k, v in table.items()})
