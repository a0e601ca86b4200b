"""The cascade graph: how national requirements flow down to local tasks (networkx).

Built from the documents, measures and alignments tables by :func:`build_cascade`; every node
and edge has a ``kind``. This table is the one place the attributes are documented.

===============  ============================================================================
node kind        attributes
===============  ============================================================================
``plan``         doc_id, title, level, region, period, issuer, docno, external=False
``document``     an upstream text cited but not in data/raw/: title, docno, level (read from
                 the 文号 prefix: 中发/国发/中法委发 national, 辽委发/湘政发 provincial, a
                 prefix naming the plan's own city municipal), external=True
``section``      doc_id, number ('二.(三)'), title
``measure``      doc_id, text, kind, number, domain, lead_units, support_units,
                 responsible_units (lists), deadlines (years), targets (texts)
``requirement``  text (representative), plans (doc_ids), size, source (measure of the highest
                 plan carrying it)
``unit``         function (司法局), level, names (as printed)
===============  ============================================================================

===============  ============================================================================
edge kind        attributes
===============  ============================================================================
``contains``     plan -> section -> section/measure
``implements``   plan -> plan/document it implements; inferred=True and reason when read from
                 issuer levels (a county plan citing 辽委发 and 中发: 辽委发 implements 中发)
``cites``        plan -> plan/document it cites
``aligned``      upper measure -> lower measure (sibling: source -> target): label, score,
                 evidence, direction, reviewed
``carries``      requirement -> measure
``assigned_to``  measure -> unit: role (lead / support / responsible)
===============  ============================================================================

Node ids: plans by doc_id (``plan:004``), external documents by 文号 or title (``doc:中发〔2015〕36号``),
sections ``sec:004:二.(三)``, measures by measure_id, requirements ``req:1``..., units
``unit:county:司法局``.

Example: a national -> provincial -> municipal -> county cascade by hand.

>>> import networkx as nx
>>> G = nx.DiGraph()
>>> for upper, lower in (("nat:1", "prov:3"), ("prov:3", "city:7"), ("city:7", "county:2")):
...     G.add_edge(upper, lower, kind="aligned", label="strong", score=0.9)
>>> sorted(sources(G, "county:2")), sorted(flows_into(G, "nat:1"))
(['city:7', 'nat:1', 'prov:3'], ['city:7', 'county:2', 'prov:3'])
"""
from __future__ import annotations

import json
import re
from itertools import pairwise

import networkx as nx
import pandas as pd

from ..matching.pairing import upstream_names
from ..parsing.clean import content
from ..parsing.extract import DOCNO, normalize_docno
from ..parsing.gazetteer import PROVINCE_ABBREVIATIONS
from ..schemas import LEVEL_RANK, LINK_LABELS, level_rank
from .domains import classify_domain
from .units import unit_function

__all__ = ["LIST_ATTRS", "build_cascade", "docno_level", "edges_table", "flows_into", "nodes_table",
           "plan_coverage", "read_graphml", "requirement_of", "sources", "write_exports"]

# attributes that hold lists: serialised as JSON strings in GraphML/GEXF and the flat tables
LIST_ATTRS = ("lead_units", "support_units", "responsible_units", "deadlines", "targets", "plans", "names")
LINKS = LINK_LABELS[:2]  # strong, partial: the links asserted


def docno_level(docno: str, region: str = "") -> str:
    """Level of the body that issued a 文号, read from its prefix.

    Parameters
    ----------
    docno
        A normalised 文号 such as 辽委发〔2016〕23号.
    region
        The citing plan's region path (辽宁省鞍山市台安县): a prefix naming its own city or
        county (鞍委发) is municipal or county.

    Returns
    -------
    str
        national / provincial / municipal / county, or unknown.

    >>> docno_level("中发〔2015〕36号"), docno_level("辽委发〔2016〕23号"), docno_level("鞍委发〔2017〕10号", "辽宁省鞍山市台安县")
    ('national', 'provincial', 'municipal')
    """
    org = docno.split("〔")[0]
    if re.match(r"^(中|国)", org) or org in ("法发", "司发", "高检发"):
        return "national"
    m = re.match(r"^(.*?省|.*?自治区|北京市|天津市|上海市|重庆市)?(.*?(?:市|州|盟))?(.*?(?:县|区|旗|市))?$", region)
    province, city, county = (m.groups() if m else (None, None, None))
    own = {c for c, name in PROVINCE_ABBREVIATIONS.items() if name == province}  # 湘 for 湖南省
    head = org[:1]
    # the plan's own city or county, unless the character is its province's too (湘政发 in 湘潭市)
    if org[1:2] == "市" or (city and head in city and head not in own):
        return "municipal"
    if county and head in county and head not in own:
        return "county"
    if head in PROVINCE_ABBREVIATIONS:
        return "provincial"
    return "unknown"


def _plan_node(doc: dict) -> dict:
    start, end = doc.get("period_start"), doc.get("period_end")
    period = "" if pd.isna(start) else str(start) if pd.isna(end) or end == start else f"{start}-{end}"
    return {"kind": "plan", "doc_id": doc["doc_id"], "title": doc["title"], "level": doc["level"],
            "region": doc["region"], "period": period, "issuer": doc.get("issuer", ""),
            "docno": doc.get("docno", ""), "external": False}


def _upstream_key(name: str) -> str:
    """Id of a cited text: its 文号 when it has one, else its title without years."""
    m = DOCNO.search(name)
    return f"doc:{normalize_docno(m)}" if m else "doc:" + (next(iter(upstream_names([name])), content(name)))


def _add_citations(G: nx.DiGraph, docs: list[dict]) -> None:
    by_title = {n: f"plan:{d['doc_id']}" for d in docs for n in upstream_names([d["title"]])}
    by_docno = {d["docno"]: f"plan:{d['doc_id']}" for d in docs if d.get("docno")}
    for d in docs:
        plan = f"plan:{d['doc_id']}"
        implemented: list[str] = []
        for kind, names in (("implements", d["implements"]), ("cites", d["citations"])):
            for name in names:
                m = DOCNO.search(name)
                docno = normalize_docno(m) if m else ""
                key = by_docno.get(docno) or next((by_title[n] for n in upstream_names([name]) if n in by_title), None)
                key = key or _upstream_key(name)
                if key == plan:
                    continue
                if key not in G:
                    title = name.split("(")[0] if not DOCNO.fullmatch(name) else ""
                    G.add_node(key, kind="document", title=title, docno=docno,
                               level=docno_level(docno, d["region"]) if docno else "unknown", external=True)
                elif docno and G.nodes[key].get("external") and not G.nodes[key].get("docno"):
                    G.nodes[key].update(docno=docno, level=docno_level(docno, d["region"]))  # never a plan's own
                if kind == "implements":
                    G.add_edge(plan, key, kind="implements", inferred=False, reason="")
                    implemented.append(key)
                elif not G.has_edge(plan, key):
                    G.add_edge(plan, key, kind="cites", inferred=False, reason="")
        _infer_chain(G, plan, implemented)


def _bigram_overlap(a: str, b: str) -> float:
    ga, gb = ({t[i:i + 2] for i in range(len(t) - 1)} for t in (content(a), content(b)))
    return len(ga & gb) / (len(ga | gb) or 1)


def _infer_chain(G: nx.DiGraph, plan: str, implemented: list[str]) -> None:
    """The external texts one plan implements, put in order by their issuers' levels: each
    implements the text one level up whose title it resembles most (辽宁省法治政府建设实施方案,
    辽委发〔2016〕23号, implements 法治政府建设实施纲要, 中发〔2015〕36号)."""
    by_level: dict[int, list[str]] = {}
    for key in implemented:
        level = G.nodes[key].get("level", "unknown")
        if G.nodes[key].get("external") and level != "unknown":
            by_level.setdefault(LEVEL_RANK[level], []).append(key)
    ranks = sorted(by_level)
    for upper_rank, lower_rank in pairwise(ranks):
        for low in by_level[lower_rank]:
            high = max(by_level[upper_rank], key=lambda k: _bigram_overlap(G.nodes[low]["title"], G.nodes[k]["title"]))
            if not G.has_edge(low, high):
                G.add_edge(low, high, kind="implements", inferred=True,
                           reason=f"both implemented by {plan.split(':', 1)[1]}; {G.nodes[low]['docno'] or low} is "
                                  f"{G.nodes[low]['level']}, {G.nodes[high]['docno'] or high} {G.nodes[high]['level']}")


def _add_measures(G: nx.DiGraph, measures: pd.DataFrame) -> None:
    for m in measures.to_dict("records"):
        plan = f"plan:{m['doc_id']}"
        parent = plan
        numbers = [n for n in str(m["section_numbers"]).split(".") if n]
        titles = [t for t in str(m["section_path"]).split(" > ") if t]
        for depth in range(len(numbers)):
            sec = f"sec:{m['doc_id']}:{'.'.join(numbers[:depth + 1])}"
            if sec not in G:
                G.add_node(sec, kind="section", doc_id=m["doc_id"], number=".".join(numbers[:depth + 1]),
                           title=titles[depth] if depth < len(titles) else "")
                G.add_edge(parent, sec, kind="contains")
            parent = sec
        if m["kind"] != "measure":
            continue
        G.add_node(m["measure_id"], kind="measure", doc_id=m["doc_id"], text=m["text"], number=m["number"],
                   domain=classify_domain(m["text"]), lead_units=list(m["lead_units"]),
                   support_units=list(m["support_units"]), responsible_units=list(m["responsible_units"]),
                   deadlines=sorted({d["year"] for d in m["deadlines"] if d.get("year")}),
                   targets=[t["text"] for t in m["targets"]])
        G.add_edge(parent, m["measure_id"], kind="contains")
        for role in ("lead", "support", "responsible"):
            for name in m[f"{role}_units"]:
                function, level = unit_function(name)
                unit = f"unit:{level or 'any'}:{function}"
                if unit not in G:
                    G.add_node(unit, kind="unit", function=function, level=level, names=[])
                if name not in G.nodes[unit]["names"]:
                    G.nodes[unit]["names"].append(name)
                G.add_edge(m["measure_id"], unit, kind="assigned_to", role=role)


def _add_alignments(G: nx.DiGraph, alignments: pd.DataFrame) -> None:
    links = alignments[alignments["label"].isin(LINKS)]
    for a in links.sort_values("score", ascending=False).to_dict("records"):
        src, tgt = a["src_measure_id"], a["tgt_measure_id"]
        if src not in G or tgt not in G:  # a target that is a goal or closing paragraph
            continue
        upper, lower = (tgt, src) if a["direction"] == "bottom-up" else (src, tgt)
        if G.has_edge(upper, lower):
            edge = G.edges[upper, lower]
            if a["direction"] not in edge["direction"].split("+"):
                edge["direction"] += "+" + a["direction"]
            continue
        G.add_edge(upper, lower, kind="aligned", label=a["label"], score=float(a["score"]),
                   evidence=a["evidence"], direction=a["direction"], reviewed=bool(a.get("reviewed", False)))


def _group_requirements(G: nx.DiGraph) -> list[set[str]]:
    """Measures of different plans joined by their strongest links, at most one per plan.

    Links are taken from the strongest down and join two groups unless the joined group would
    hold two measures of one plan: a chain of links that wanders to an unrelated text is cut
    where it would do that (single linkage under a cannot-link constraint).
    """
    links = sorted(((e["score"], u, v) for u, v, e in G.edges(data=True)
                    if e.get("kind") == "aligned" and G.nodes[u]["doc_id"] != G.nodes[v]["doc_id"]),
                   key=lambda t: (-t[0], t[1], t[2]))
    group_of: dict[str, set[str]] = {}
    for _, u, v in links:
        gu, gv = group_of.get(u, {u}), group_of.get(v, {v})
        if gu is gv:
            continue
        if {G.nodes[m]["doc_id"] for m in gu} & {G.nodes[m]["doc_id"] for m in gv}:
            continue
        merged = gu | gv
        for m in merged:
            group_of[m] = merged
    unique = {id(g): g for g in group_of.values()}
    return list(unique.values())


def _add_requirements(G: nx.DiGraph, min_plans: int = 2) -> None:
    """Group measures of different plans that align with each other into requirement nodes
    (:func:`_group_requirements`), each spanning at least ``min_plans`` plans."""
    groups = [g for g in _group_requirements(G) if len(g) >= min_plans]
    groups.sort(key=lambda g: (-len(g), min(g)))
    for i, group in enumerate(groups, start=1):
        def strength(m: str, group: set[str] = group) -> float:
            return sum(e["score"] for x, y, e in [*G.in_edges(m, data=True), *G.out_edges(m, data=True)]
                       if e.get("kind") == "aligned" and (x in group and y in group))
        central = max(sorted(group), key=strength)
        top = min(sorted(group), key=lambda m: level_rank(G.nodes[f"plan:{G.nodes[m]['doc_id']}"]["level"]))
        req = f"req:{i}"
        plans = sorted({G.nodes[m]["doc_id"] for m in group})
        G.add_node(req, kind="requirement", text=G.nodes[central]["text"][:80], plans=plans, size=len(group),
                   source=top)
        for m in sorted(group):
            G.add_edge(req, m, kind="carries")


def build_cascade(documents: pd.DataFrame, measures: pd.DataFrame, alignments: pd.DataFrame) -> nx.DiGraph:
    """The cascade graph of a corpus (node and edge kinds in this module's docstring).

    Parameters
    ----------
    documents, measures, alignments
        The parse and match tables (:mod:`alignment.schemas`); only parsed plans are used.

    Returns
    -------
    networkx.DiGraph
        A new graph; the tables are not changed.
    """
    G = nx.DiGraph()
    docs = [d for d in documents.to_dict("records") if d.get("status", "parsed") == "parsed"]
    for d in docs:
        G.add_node(f"plan:{d['doc_id']}", **_plan_node(d))
    _add_citations(G, docs)
    _add_measures(G, measures[measures["doc_id"].isin({d["doc_id"] for d in docs})])
    _add_alignments(G, alignments)
    _add_requirements(G)
    return G


# --------------------------------------------------------------------------- queries


def _aligned(G: nx.DiGraph) -> nx.DiGraph:
    """The links that run down the levels (sibling links run both ways between equals: no source)."""
    return G.edge_subgraph([(u, v) for u, v, e in G.edges(data=True)
                            if e.get("kind") == "aligned" and e.get("direction") != "sibling"])


def sources(G: nx.DiGraph, measure: str) -> set[str]:
    """Every measure up the chain that ``measure`` comes from (aligned edges, followed upwards).

    Parameters
    ----------
    G
        A cascade graph.
    measure
        A measure's node id (its measure_id).
    """
    sub = _aligned(G)
    return nx.ancestors(sub, measure) if measure in sub else set()


def flows_into(G: nx.DiGraph, measure: str) -> set[str]:
    """Every lower task ``measure`` flows into (aligned edges, followed downwards).

    Parameters
    ----------
    G
        A cascade graph.
    measure
        A measure's node id.
    """
    sub = _aligned(G)
    return nx.descendants(sub, measure) if measure in sub else set()


def requirement_of(G: nx.DiGraph, measure: str) -> str | None:
    """The requirement node that carries ``measure``, or None.

    Parameters
    ----------
    G
        A cascade graph.
    measure
        A measure's node id.
    """
    return next((u for u, _, k in G.in_edges(measure, data="kind") if k == "carries"), None)


def plan_coverage(G: nx.DiGraph, doc_id: str) -> pd.DataFrame:
    """How a plan carries the requirements of every plan above it.

    Parameters
    ----------
    G
        A cascade graph.
    doc_id
        The (lower) plan.

    Returns
    -------
    pd.DataFrame
        One row per requirement carried by a higher-level plan: requirement, text, upper
        plans, and ``carried`` (whether ``doc_id`` has a measure in it).
    """
    level = level_rank(G.nodes[f"plan:{doc_id}"]["level"])
    rows = []
    for req, attrs in G.nodes(data=True):
        if attrs["kind"] != "requirement":
            continue
        upper = [p for p in attrs["plans"] if level_rank(G.nodes[f"plan:{p}"]["level"]) < level]
        if upper:
            rows.append({"requirement": req, "text": attrs["text"], "upper_plans": upper,
                         "carried": doc_id in attrs["plans"]})
    return pd.DataFrame(rows, columns=["requirement", "text", "upper_plans", "carried"])


# --------------------------------------------------------------------------- exports


def _flat(attrs: dict) -> dict:
    """Attributes as GraphML/GEXF can hold them: lists as JSON text, None as ''."""
    out = {}
    for key, value in attrs.items():
        if key in LIST_ATTRS or isinstance(value, (list, tuple)):
            out[key] = json.dumps(list(value), ensure_ascii=False)
        elif value is None:
            out[key] = ""
        elif isinstance(value, (bool, int, float, str)):
            out[key] = value
        else:
            out[key] = str(value)
    return out


def _exportable(G: nx.DiGraph) -> nx.DiGraph:
    H = nx.DiGraph()
    for n, attrs in G.nodes(data=True):
        H.add_node(n, **_flat(attrs))
    for u, v, attrs in G.edges(data=True):
        H.add_edge(u, v, **_flat(attrs))
    return H


def read_graphml(path) -> nx.DiGraph:
    """A cascade graph written by :func:`write_exports`, lists restored from their JSON text.

    Parameters
    ----------
    path
        The ``cascade.graphml`` file.
    """
    G = nx.read_graphml(path)
    for _, attrs in [*G.nodes(data=True), *((None, a) for *_, a in G.edges(data=True))]:
        for key in LIST_ATTRS:
            if isinstance(attrs.get(key), str):
                attrs[key] = json.loads(attrs[key])
    return G


_NODE_COLUMNS = ("node_id", "kind", "label", "doc_id", "level", "attributes")
_EDGE_COLUMNS = ("source", "target", "kind", "label", "score", "direction", "reviewed", "inferred", "attributes")


def nodes_table(G: nx.DiGraph) -> pd.DataFrame:
    """One row per node: id, kind, a short label, doc_id, level, and every attribute as JSON.

    Parameters
    ----------
    G
        A cascade graph.
    """
    rows = []
    for n, a in G.nodes(data=True):
        label = a.get("title") or a.get("text") or a.get("function") or a.get("docno") or n
        rows.append((n, a["kind"], str(label)[:60], a.get("doc_id", ""), a.get("level", ""),
                     json.dumps(a, ensure_ascii=False, default=str)))
    return pd.DataFrame(rows, columns=list(_NODE_COLUMNS))


def edges_table(G: nx.DiGraph) -> pd.DataFrame:
    """One row per edge: source, target, kind, label, score, direction, reviewed, inferred, and
    every attribute as JSON.

    Parameters
    ----------
    G
        A cascade graph.
    """
    rows = []
    for u, v, a in G.edges(data=True):
        rows.append((u, v, a["kind"], a.get("label", a.get("role", "")), float(a.get("score", 0.0)),
                     a.get("direction", ""), bool(a.get("reviewed", False)), bool(a.get("inferred", False)),
                     json.dumps(a, ensure_ascii=False, default=str)))
    return pd.DataFrame(rows, columns=list(_EDGE_COLUMNS))


def write_exports(G: nx.DiGraph, folder) -> list:
    """Write cascade.graphml, cascade.gexf (Gephi) and cascade.json (node-link) into ``folder``.

    Parameters
    ----------
    G
        A cascade graph.
    folder
        Output folder (a staging folder when called through an output set).

    Returns
    -------
    list of Path
    """
    from pathlib import Path

    from ..io import atomic_path

    folder = Path(folder)
    H = _exportable(G)
    written = []
    for name, write in (("cascade.graphml", nx.write_graphml), ("cascade.gexf", nx.write_gexf)):
        with atomic_path(folder / name) as tmp:
            write(H, tmp)
        written.append(folder / name)
    with atomic_path(folder / "cascade.json") as tmp:
        data = nx.node_link_data(G, edges="links")
        tmp.write_text(json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8")
    written.append(folder / "cascade.json")
    return written
