"""Tables a report is written from: coverage summaries, gaps, innovations, drift, unit load.

Each is a pure function of the cascade graph (:mod:`alignment.cascade.graph`) and the coverage
table, recomputed on every run (schemas in :mod:`alignment.schemas`):

- ``coverage_summary``: per upper × lower plan, and per upper plan's part and domain, and per
  requirement × plan: covered / partial / gap counts and rates, and how many a reviewer decided.
- ``gaps``: upper measures, and requirements, that a lower plan does not carry.
- ``innovations``: measures of a plan that has plans above it, with no upstream link at all.
- ``drift``: on linked pairs, deadlines moved, targets raised or lowered, targets or deadlines
  added or dropped, lead units reassigned.
- ``unit_load``: tasks per unit function and level; functions with tasks above and none below.
"""
from __future__ import annotations

import networkx as nx
import pandas as pd

from ..parsing.extract import extract_targets
from ..schemas import (
    COVERAGE_STATUS,
    COVERAGE_SUMMARY,
    DRIFT,
    GAPS,
    INNOVATIONS,
    LEVEL_RANK,
    UNIT_LOAD,
    frame,
    level_rank,
)
from .units import unit_function

__all__ = ["confirmed_plans", "coverage_summary", "drift", "gaps", "innovations", "unit_load", "write_workbook"]

STATUSES = COVERAGE_STATUS


def _part(G: nx.DiGraph, measure: str) -> str:
    """The top-level part of a measure: '二、加强法治政府建设' (or '' outside any part)."""
    for parent, _, kind in G.in_edges(measure, data="kind"):
        if kind != "contains":
            continue
        while G.nodes[parent]["kind"] == "section" and "." in G.nodes[parent]["number"]:
            parent = next(p for p, _, k in G.in_edges(parent, data="kind") if k == "contains")
        return G.nodes[parent].get("title", "") if G.nodes[parent]["kind"] == "section" else ""
    return ""


def _plans(G: nx.DiGraph) -> dict[str, tuple[int, str]]:
    """(level rank, region) of every plan node, by doc_id."""
    return {a["doc_id"]: (level_rank(a["level"]), a.get("region", ""))
            for _, a in G.nodes(data=True) if a["kind"] == "plan"}


def _below(plans: dict[str, tuple[int, str]], doc_id: str) -> list[str]:
    """Plans at a known lower level than ``doc_id`` and inside its region (every one when either
    region is unknown): the plans that should carry what it requires."""
    rank, region = plans[doc_id]
    unknown = LEVEL_RANK["unknown"]
    return sorted(d for d, (r, reg) in plans.items()
                  if rank < r < unknown and (not region or not reg or reg.startswith(region)))


def _requirement_status(G: nx.DiGraph, req: str) -> dict[str, str]:
    """covered (a strong link carries it) or partial (only partial ones), by carrying plan."""
    members = {m for _, m in G.out_edges(req)}
    status: dict[str, str] = {}
    for m in members:
        strong = any(e.get("kind") == "aligned" and e["label"] == "strong" and (x in members and y in members)
                     for x, y, e in [*G.in_edges(m, data=True), *G.out_edges(m, data=True)])
        doc = G.nodes[m]["doc_id"]
        status[doc] = "covered" if strong or status.get(doc) == "covered" else "partial"
    return status


def confirmed_plans(G: nx.DiGraph, req: str) -> set[str]:
    """Plans a reviewer confirmed as carrying requirement ``req``: a chain of reviewed links
    joins their measure to the requirement's source (whose plan counts once any does).

    Parameters
    ----------
    G
        The cascade graph.
    req
        A requirement node.
    """
    members = G.subgraph(G.successors(req))
    reviewed = nx.Graph([(u, v) for u, v, e in members.edges(data=True)
                         if e.get("kind") == "aligned" and e.get("reviewed")])
    source = G.nodes[req]["source"]
    return {G.nodes[m]["doc_id"] for m in nx.node_connected_component(reviewed, source)} if source in reviewed else set()


def _counts(block: pd.DataFrame) -> dict:
    n = len(block)
    counts = {s: int((block["status"] == s).sum()) for s in STATUSES}
    return {"n": n, **counts, "reviewed": int(block["reviewed"].sum()),
            **{f"{s}_rate": (counts[s] / n if n else 0.0) for s in STATUSES}}


def coverage_summary(G: nx.DiGraph, coverage: pd.DataFrame) -> pd.DataFrame:
    """Covered / partial / gap counts and rates, by plan pair, part, domain and requirement.

    Parameters
    ----------
    G
        The cascade graph.
    coverage
        The coverage table (only its ``top-down`` rows: an upper plan and a lower one).

    Returns
    -------
    pd.DataFrame
        Columns of :data:`alignment.schemas.COVERAGE_SUMMARY`.
    """
    cov = coverage[coverage["direction"] == "top-down"].copy()
    cov["reviewed"] = cov["reviewed"].astype(bool) if "reviewed" in cov else False
    cov["part"] = [_part(G, m) if m in G else "" for m in cov["src_measure_id"]]
    cov["domain"] = [G.nodes[m].get("domain", "") if m in G else "" for m in cov["src_measure_id"]]
    rows = []
    for (upper, lower), block in cov.groupby(["src_doc", "tgt_doc"], sort=True):
        rows.append({"scope": "plan", "upper": upper, "lower": lower, "group": "", **_counts(block)})
        for scope in ("part", "domain"):
            for group, sub in block.groupby(scope, sort=True):
                rows.append({"scope": scope, "upper": upper, "lower": lower, "group": group, **_counts(sub)})
    plans = _plans(G)
    for req, attrs in G.nodes(data=True):
        if attrs["kind"] != "requirement":
            continue
        source_doc = G.nodes[attrs["source"]]["doc_id"]
        status, confirmed = _requirement_status(G, req), confirmed_plans(G, req)
        for doc in _below(plans, source_doc):
            s = status.get(doc, "gap")
            rows.append({"scope": "requirement", "upper": source_doc, "lower": doc, "group": req, "n": 1,
                         **{k: int(k == s) for k in STATUSES}, "reviewed": int(doc in confirmed),
                         **{f"{k}_rate": float(k == s) for k in STATUSES}})
    return frame(rows, COVERAGE_SUMMARY)


def gaps(G: nx.DiGraph, coverage: pd.DataFrame) -> pd.DataFrame:
    """Upper measures (from the coverage table) and requirements a lower plan does not carry.

    Parameters
    ----------
    G
        The cascade graph.
    coverage
        The coverage table; its top-down ``gap`` rows are the measure gaps.

    Returns
    -------
    pd.DataFrame
        Columns of :data:`alignment.schemas.GAPS`.
    """
    rows = []
    top_down = coverage[(coverage["direction"] == "top-down") & (coverage["status"] == "gap")]
    for r in top_down.itertuples():
        node = G.nodes[r.src_measure_id] if r.src_measure_id in G else {}
        rows.append({"scope": "measure", "upper_doc": r.src_doc, "lower_doc": r.tgt_doc, "item_id": r.src_measure_id,
                     "text": node.get("text", ""), "domain": node.get("domain", ""),
                     "part": _part(G, r.src_measure_id) if node else ""})
    plans = _plans(G)
    for req, attrs in G.nodes(data=True):
        if attrs["kind"] != "requirement":
            continue
        source = attrs["source"]
        carried = set(attrs["plans"])
        for doc in _below(plans, G.nodes[source]["doc_id"]):
            if doc not in carried:
                rows.append({"scope": "requirement", "upper_doc": G.nodes[source]["doc_id"], "lower_doc": doc,
                             "item_id": req, "text": attrs["text"], "domain": G.nodes[source]["domain"],
                             "part": _part(G, source)})
    return frame(rows, GAPS)


def innovations(G: nx.DiGraph, alignments: pd.DataFrame) -> pd.DataFrame:
    """Measures with no upstream link in any loaded plan above their own.

    Parameters
    ----------
    G
        The cascade graph.
    alignments
        The alignments table: the best candidate score towards an upper plan is reported so a
        reader can see how near the nearest upstream text came.

    Returns
    -------
    pd.DataFrame
        Columns of :data:`alignment.schemas.INNOVATIONS`; plans with no plan above them have none.
    """
    best_up: dict[str, float] = {}
    bottom_up = alignments[alignments["direction"] == "bottom-up"]
    if len(bottom_up):
        best_up = bottom_up.groupby("src_measure_id")["score"].max().to_dict()
    levels = {d: rank for d, (rank, _) in _plans(G).items()}
    top = min(levels.values(), default=0)
    rows = []
    for m, attrs in G.nodes(data=True):
        if attrs["kind"] != "measure" or levels[attrs["doc_id"]] in (top, LEVEL_RANK["unknown"]):
            continue  # nothing above the top plans; a plan of unknown level has no known "above"
        upstream = [u for u, _, e in G.in_edges(m, data=True) if e.get("kind") == "aligned"
                    and e["direction"] != "sibling" and levels[G.nodes[u]["doc_id"]] < levels[attrs["doc_id"]]]
        if not upstream:
            rows.append({"doc_id": attrs["doc_id"], "measure_id": m, "text": attrs["text"], "domain": attrs["domain"],
                         "part": _part(G, m), "best_upstream_score": float(best_up.get(m, 0.0))})
    return frame(rows, INNOVATIONS)


def _max_year(years: list) -> int | None:
    return max(years) if years else None


def drift(G: nx.DiGraph) -> pd.DataFrame:
    """Changes between linked upper and lower measures: deadlines, targets, lead units.

    Parameters
    ----------
    G
        The cascade graph (its ``aligned`` edges between plans of different levels).

    Returns
    -------
    pd.DataFrame
        Columns of :data:`alignment.schemas.DRIFT`, one row per change, both texts side by side.
    """
    rows = []
    targets = {m: _target_values(a["targets"]) for m, a in G.nodes(data=True) if a["kind"] == "measure"}
    for upper, lower, e in G.edges(data=True):
        if e.get("kind") != "aligned" or e["direction"] == "sibling":
            continue
        a, b = G.nodes[upper], G.nodes[lower]
        base = {"upper_measure": upper, "lower_measure": lower, "upper_doc": a["doc_id"], "lower_doc": b["doc_id"],
                "label": e["label"], "score": float(e["score"]), "upper_text": a["text"], "lower_text": b["text"]}
        ya, yb = _max_year(a["deadlines"]), _max_year(b["deadlines"])
        if ya and yb and ya != yb:
            rows.append({**base, "change": "deadline earlier" if yb < ya else "deadline later",
                         "upper_value": str(ya), "lower_value": str(yb), "delta": float(yb - ya)})
        elif ya and not yb:
            rows.append({**base, "change": "deadline dropped", "upper_value": str(ya), "lower_value": "", "delta": 0.0})
        elif yb and not ya:
            rows.append({**base, "change": "deadline added", "upper_value": "", "lower_value": str(yb), "delta": 0.0})
        rows += _target_drift(base, targets[upper], targets[lower])
        rows += _lead_drift(base, a, b)
    return frame(rows, DRIFT)


def _target_values(targets: list[str]) -> dict[str, float]:
    """Value of each target by its unit (the first one printed): {'%': 100.0, '学时': 60.0}."""
    out: dict[str, float] = {}
    for text in targets:
        for t in extract_targets(text):
            out.setdefault(t["unit"], t["value"])
    return out


def _target_drift(base: dict, ua: dict[str, float], ub: dict[str, float]) -> list[dict]:
    rows = []
    for unit in sorted(set(ua) | set(ub)):
        if unit in ua and unit in ub and ua[unit] != ub[unit]:
            rows.append({**base, "change": "target raised" if ub[unit] > ua[unit] else "target lowered",
                         "upper_value": f"{ua[unit]:g}{unit}", "lower_value": f"{ub[unit]:g}{unit}",
                         "delta": ub[unit] - ua[unit]})
        elif unit in ua and unit not in ub:
            rows.append({**base, "change": "target dropped", "upper_value": f"{ua[unit]:g}{unit}", "lower_value": "",
                         "delta": 0.0})
        elif unit in ub and unit not in ua:
            rows.append({**base, "change": "target added", "upper_value": "", "lower_value": f"{ub[unit]:g}{unit}",
                         "delta": 0.0})
    return rows


def _lead_drift(base: dict, upper: dict, lower: dict) -> list[dict]:
    lead_a = upper["lead_units"] or upper["responsible_units"]
    lead_b = lower["lead_units"] or lower["responsible_units"]
    if not lead_a:
        return []
    fa, fb = ({unit_function(u)[0] for u in lead} for lead in (lead_a, lead_b))
    if not lead_b:
        return [{**base, "change": "lead dropped", "upper_value": "、".join(lead_a), "lower_value": "", "delta": 0.0}]
    if not fa & fb:
        return [{**base, "change": "lead reassigned", "upper_value": "、".join(lead_a),
                 "lower_value": "、".join(lead_b), "delta": 0.0}]
    return []


def unit_load(G: nx.DiGraph) -> pd.DataFrame:
    """Tasks per unit function and level, and whether the function has tasks at lower levels.

    Parameters
    ----------
    G
        The cascade graph (its ``assigned_to`` edges).

    Returns
    -------
    pd.DataFrame
        Columns of :data:`alignment.schemas.UNIT_LOAD`.
    """
    rows: dict[tuple[str, str], dict] = {}
    for m, unit, e in G.edges(data=True):
        if e.get("kind") != "assigned_to":
            continue
        u = G.nodes[unit]
        plan_level = G.nodes[f"plan:{G.nodes[m]['doc_id']}"]["level"]
        level = u["level"] or plan_level
        row = rows.setdefault((u["function"], level), {"function": u["function"], "level": level, "tasks": set(),
                                                        "lead": 0, "support": 0, "responsible": 0, "plans": set()})
        row["tasks"].add(m)
        row[e["role"]] += 1
        row["plans"].add(G.nodes[m]["doc_id"])
    levels_of: dict[str, set[int]] = {}
    for (function, level), row in rows.items():
        levels_of.setdefault(function, set()).add(level_rank(level))
    out = []
    for (function, level), row in sorted(rows.items()):
        rank = level_rank(level)
        out.append({**row, "tasks": len(row["tasks"]), "plans": sorted(row["plans"]),
                    "tasks_below": any(r > rank for r in levels_of[function] if r < LEVEL_RANK["unknown"])})
    return frame(out, UNIT_LOAD)


def write_workbook(tables: dict[str, pd.DataFrame], path) -> None:
    """One Excel workbook, a sheet per table (list cells as text), for report writing.

    Parameters
    ----------
    tables
        Sheet name -> table.
    path
        The .xlsx file to write.
    """
    from ..io import to_csv_frame

    with pd.ExcelWriter(path, engine="openpyxl") as book:
        for name, table in tables.items():
            to_csv_frame(table).to_excel(book, sheet_name=name[:31], index=False)
