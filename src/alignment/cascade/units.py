"""Responsible units as functions at levels: 县司法局 and 市司法局 are one function, 司法局.

A unit name is split into its level (from the level word it opens with, or the division it
names) and its function (the rest): 市委组织部 -> (municipal, 党委组织部), 台安县司法局 ->
(county, 司法局), 省司法厅 -> (provincial, 司法局), 省政府办公厅 -> (provincial, 政府办公室): a
province's 厅 is the 局 of the levels below. Collective names (各县市区, 有关部门)
keep their text as the function and have level ``""``.
"""
from __future__ import annotations

import re

from ..parsing.gazetteer import load_gazetteer

__all__ = ["is_collective", "unit_function"]

_LEVEL_CHAR = {"省": "provincial", "市": "municipal", "州": "municipal", "盟": "municipal", "县": "county",
               "区": "county", "旗": "county", "镇": "township", "乡": "township"}


def is_collective(name: str) -> bool:
    """A name for many bodies at once (各县市区, 有关部门, 县直各单位), not one unit.

    Parameters
    ----------
    name
        A unit as printed.
    """
    return bool(re.search(r"各|有关|其他|相关", name))


def unit_function(name: str) -> tuple[str, str]:
    """(function, level) of a responsible unit's name.

    Parameters
    ----------
    name
        A unit as printed in a plan (normalised by the parse stage), e.g. 县司法局.

    Returns
    -------
    (function, level)
        ``level`` is provincial / municipal / county / township, or ``""`` when the name does
        not say (各有关部门, 法院).

    Examples
    --------
    >>> unit_function("县司法局"), unit_function("市委组织部"), unit_function("台安县司法局")
    (('司法局', 'county'), ('党委组织部', 'municipal'), ('司法局', 'county'))
    """
    name = name.strip()
    if is_collective(name):
        return name, ""
    name = re.sub(r"^中共", "", name)
    places = load_gazetteer().places_in(name[:12])
    if places and places[0][0] == 0:
        _, printed, place = places[0]
        rest = name[len(printed):]
        return _function(rest) or name, place.level
    head = name[:1]
    if head in _LEVEL_CHAR and len(name) >= 2:
        return _function(name[1:]), _LEVEL_CHAR[head]
    return name, ""


def _function(rest: str) -> str:
    """The function part: 委组织部 -> 党委组织部 (a 委 right after the level is the party's);
    a provincial 厅 is the 局 of the levels below (司法厅 -> 司法局, 办公厅 -> 办公室)."""
    if rest.startswith("委") and not rest.startswith("委员会"):
        rest = "党委" + rest[1:] if len(rest) > 1 else "党委"
    rest = re.sub(r"依法治[省市县区州旗]", "依法治", rest)  # 依法治省办 and 依法治市办 are one function
    if rest.endswith("办公厅"):
        return rest[:-3] + "办公室"
    if rest.endswith("厅") and len(rest) > 2:
        return rest[:-1] + "局"
    return rest
