"""Chinese administrative divisions: which names are places, at what level, inside what.

The division table comes from the maintained ``cpca`` package (its ``adcodes.csv``: every
province, prefecture and county with its GB/T 2260 code, historical county names included), read
as data so that nothing of cpca's matcher is loaded. Levels follow the code: ``xx0000`` is a
province-level division (省/自治区/直辖市), ``xxxx00`` a prefecture (市/州/盟), anything else a
county-level division (县/区/旗/县级市). Townships (乡/镇/街道/苏木) are not in the table; they are
recognised by their suffix.

>>> gz = load_gazetteer()
>>> [(p.name, p.level) for p in gz.lookup("西平县")]
[('西平县', 'county')]
>>> gz.path(gz.lookup("西平县")[0])
'河南省驻马店市西平县'
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["PROVINCE_ABBREVIATIONS", "TOWNSHIP_SUFFIX", "Gazetteer", "Place", "load_gazetteer"]

TOWNSHIP_SUFFIX = re.compile(r"(乡|镇|街道|苏木|街道办事处)$")
# rows of the table that group divisions without being one (北京市's 市辖区)
_PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
_PROVINCE_SUFFIX = re.compile(r"(省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$")


@dataclass(frozen=True)
class Place:
    """One division: its 6-digit code, printed name and level."""

    code: str
    name: str
    level: str  # provincial / municipal / county

    @property
    def parent_codes(self) -> tuple[str, ...]:
        """Codes of the province and prefecture above it (those that exist in the table)."""
        return (self.code[:2] + "0000", self.code[:4] + "00")


def _short_names(place: Place) -> list[str]:
    """Names a plan also uses: 湖南 for 湖南省, 内蒙古 for 内蒙古自治区, 凉山州 for 凉山彝族自治州."""
    out = []
    if place.level == "provincial":
        short = _PROVINCE_SUFFIX.sub("", place.name)
        if len(short) >= 2 and short != place.name:
            out.append(short)
    m = re.fullmatch(r"(.{2,4}?)(?:[\u4e00-\u9fff]{1,3}族)+自治(州|县)", place.name)
    if m:
        out.append(m.group(1) + m.group(2))
    return out


# One-character province names that open a 文号 (黔府发, 湘政发, 辽委发): GB/T 2260's abbreviations.
PROVINCE_ABBREVIATIONS = {
    "京": "北京市", "津": "天津市", "沪": "上海市", "渝": "重庆市", "冀": "河北省", "晋": "山西省",
    "辽": "辽宁省", "吉": "吉林省", "黑": "黑龙江省", "苏": "江苏省", "浙": "浙江省", "皖": "安徽省",
    "闽": "福建省", "赣": "江西省", "鲁": "山东省", "豫": "河南省", "鄂": "湖北省", "湘": "湖南省",
    "粤": "广东省", "琼": "海南省", "川": "四川省", "蜀": "四川省", "贵": "贵州省", "黔": "贵州省",
    "云": "云南省", "滇": "云南省", "陕": "陕西省", "甘": "甘肃省", "陇": "甘肃省", "青": "青海省",
    "蒙": "内蒙古自治区", "桂": "广西壮族自治区", "藏": "西藏自治区", "宁": "宁夏回族自治区",
    "新": "新疆维吾尔自治区",
}


class Gazetteer:
    """Look-ups over the division table. Build it with :func:`load_gazetteer`."""

    def __init__(self, places: list[Place]):
        self.by_code = {p.code: p for p in places}
        self.by_name: dict[str, list[Place]] = {}
        for p in places:
            self.by_name.setdefault(p.name, []).append(p)
            for short in _short_names(p):
                self.by_name.setdefault(short, []).append(p)
        self._matcher = None  # built on first use

    def lookup(self, name: str) -> list[Place]:
        """Places printed as ``name`` (several where names repeat, e.g. 朝阳区).

        Parameters
        ----------
        name
            A division name as printed: full (西平县, 湖南省) or short (湖南, 凉山州).
        """
        return list(self.by_name.get(name, []))

    def path(self, place: Place) -> str:
        """Full name from the province down: 河南省驻马店市西平县.

        Parameters
        ----------
        place
            A division of this gazetteer (from :meth:`lookup` or :meth:`resolve`).
        """
        names = [self.by_code[c].name for c in place.parent_codes
                 if c in self.by_code and c != place.code]
        return "".join(dict.fromkeys([*names, place.name]))

    def contains(self, upper: Place, lower: Place) -> bool:
        """True when ``lower`` lies inside ``upper`` (or is it).

        Parameters
        ----------
        upper
            The enclosing division (provincial, municipal or county level).
        lower
            The division to test.
        """
        keep = {"provincial": 2, "municipal": 4, "county": 6}[upper.level]
        return lower.code[:keep] == upper.code[:keep]

    def places_in(self, text: str, full_names_only: bool = True) -> list[tuple[int, str, Place]]:
        """Division names printed in ``text``, the longest match at each position, left to right.

        Parameters
        ----------
        text
            Any text, e.g. a plan's title or lead paragraphs.
        full_names_only
            Match only full names (湖南省); False also matches short ones (湖南, 凉山州).

        Returns
        -------
        list of (offset, name as printed, Place); a name that several places share yields one
        entry per place.
        """
        longest: dict[int, str] = {}
        for end, name in self._automaton().iter(text):  # Aho-Corasick: every name, one pass
            start = end - len(name) + 1
            if len(name) > len(longest.get(start, "")):
                longest[start] = name
        out, pos = [], 0
        for start in sorted(longest):
            if start < pos:
                continue
            name = longest[start]
            hits = [p for p in self.by_name[name] if not full_names_only or p.name == name]
            if hits:
                out += [(start, name, p) for p in hits]
                pos = start + len(name)
        return out

    def _automaton(self):
        if self._matcher is None:
            import ahocorasick  # pyahocorasick, which cpca itself depends on

            self._matcher = ahocorasick.Automaton()
            for name in self.by_name:
                if len(name) >= 2:
                    self._matcher.add_word(name, name)
            self._matcher.make_automaton()
        return self._matcher

    def resolve(self, name: str, context: str = "") -> Place | None:
        """The place ``name`` means, using divisions named in ``context`` to settle repeats.

        Parameters
        ----------
        name
            A division name as printed, e.g. 朝阳区.
        context
            Nearby text (title, issuer, lead) whose division names settle a repeated name;
            empty: only a name that one place bears resolves.
        """
        hits = self.lookup(name)
        if len(hits) <= 1:
            return hits[0] if hits else None
        around = [p for _, _, p in self.places_in(context) if p.name != name]
        inside = [h for h in hits if any(a.level != "county" and self.contains(a, h) for a in around)]
        return inside[0] if len(inside) == 1 else None


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The division table shipped in the ``cpca`` package, loaded once."""
    from importlib.metadata import distribution

    path = distribution("cpca").locate_file("cpca/resources/adcodes.csv")
    places = []
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row["adcode"][:6]
            if row["name"] in _PLACEHOLDERS:
                continue
            level = "provincial" if code.endswith("0000") else "municipal" if code.endswith("00") else "county"
            places.append(Place(code, row["name"], level))
    return Gazetteer(places)
