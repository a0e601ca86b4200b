"""The cascade graph and its tables: a hand-built three-plan corpus with known answers, and the
seeds end to end."""
import csv

import pandas as pd
import pytest

from alignment import schemas
from alignment.cascade import analytics
from alignment.cascade.domains import DOMAINS, classify_domain
from alignment.cascade.graph import (
    build_cascade,
    docno_level,
    edges_table,
    flows_into,
    nodes_table,
    plan_coverage,
    read_graphml,
    requirement_of,
    sources,
    write_exports,
)

from .conftest import ROOT


def _docs():
    rows = [("N", "法治政府建设实施纲要", "national", ""), ("P", "辽宁省法治政府建设实施方案", "provincial", "辽宁省"),
            ("C", "台安县法治政府建设实施方案", "county", "辽宁省鞍山市台安县")]
    out = []
    for doc_id, title, level, region in rows:
        out.append({"doc_id": doc_id, "files": [f"{doc_id}.txt"], "title": title, "docno": "", "level": level,
                    "region": region, "issuer": "", "period_start": None, "period_end": None, "source_url": "",
                    "implements": ["法治政府建设实施纲要"] if doc_id == "P" else
                    (["辽宁省法治政府建设实施方案(辽委发〔2016〕23号)"] if doc_id == "C" else []),
                    "citations": [], "n_measures": 3, "n_units": 3, "encoding": "utf-8", "inferred": [], "flags": [],
                    "status": "parsed", "reason": ""})
    return schemas.frame(out, schemas.DOCUMENTS)


MEASURES = [  # (measure_id, section, text, lead, deadline years, targets)
    ("N:1", "一", "到2025年,行政执法人员培训率达到100%。", [], [2025], ["达到100%"]),
    ("N:2", "一", "健全依法决策机制。", [], [], []),
    ("N:3", "二", "加强宪法宣传教育。", [], [], []),
    ("P:1", "一", "到2023年,行政执法人员培训率达到90%。(牵头单位:省司法厅)", ["省司法厅"], [2023], ["达到90%"]),
    ("P:2", "一", "健全依法决策机制,推行法律顾问制度。(牵头单位:省政府办公厅)", ["省政府办公厅"], [], []),
    ("P:3", "二", "推进智慧法院建设。", [], [], []),
    ("C:1", "一", "到2023年,行政执法人员培训率达到95%。", [], [2023], ["达到95%"]),
    ("C:2", "一", "健全依法决策机制。(牵头单位:县司法局)", ["县司法局"], [], []),
]


def _measures():
    rows = []
    for k, (mid, sec, text, lead, years, targets) in enumerate(MEASURES):
        doc = mid[0]
        rows.append({"measure_id": mid, "doc_id": doc, "source_file": f"{doc}.txt", "seq": k,
                     "section_path": f"{sec}、部分{sec}", "section_numbers": sec, "number": mid[2:] + ".",
                     "task_index": 0, "kind": "measure", "title": "", "text": text, "text_original": text,
                     "char_start": 0, "char_end": len(text), "lead_units": lead, "support_units": [],
                     "responsible_units": [], "deadlines": [{"text": f"{y}年", "year": y, "date": None,
                                                             "relative_years": None} for y in years],
                     "targets": [{"text": t, "value": 0.0, "unit": "%", "comparator": ">=", "per": ""} for t in targets],
                     "citations": [], "flags": []})
    return schemas.frame(rows, schemas.MEASURES)


def _alignments():
    links = [("N:1", "P:1", "strong", 0.9, "top-down"), ("P:1", "C:1", "strong", 0.9, "top-down"),
             ("N:2", "P:2", "partial", 0.5, "top-down"), ("P:2", "C:2", "strong", 0.8, "top-down"),
             ("P:3", "N:3", "candidate", 0.2, "bottom-up")]
    rows = [{"src_measure_id": s, "tgt_measure_id": t, "src_doc": s[0], "tgt_doc": t[0], "direction": d, "score": sc,
             "rank": 1, "label": lab, "semantic": 0.5, "lexical": 0.5, "reuse": 0.3, "evidence": "shared: 依法决策",
             "reviewed": False}
            for s, t, lab, sc, d in links]
    return schemas.frame(rows, schemas.ALIGNMENTS)


def _coverage():
    status = {("N", "P"): {"N:1": "covered", "N:2": "partial", "N:3": "gap"},
              ("N", "C"): {"N:1": "gap", "N:2": "gap", "N:3": "gap"},
              ("P", "C"): {"P:1": "covered", "P:2": "covered", "P:3": "gap"}}
    rows = [{"src_measure_id": m, "src_doc": u, "tgt_doc": lo, "direction": "top-down", "status": st,
             "best_tgt_measure_id": "", "best_score": 0.0, "evidence": "", "reviewed": False}
            for (u, lo), by in status.items() for m, st in by.items()]
    return schemas.frame(rows, schemas.COVERAGE)


@pytest.fixture(scope="module")
def mini():
    return build_cascade(_docs(), _measures(), _alignments())


def test_nodes_edges_and_requirements_of_a_three_level_corpus(mini):
    kinds = pd.Series(dict(mini.nodes(data="kind"))).value_counts().to_dict()
    assert kinds["plan"] == 3 and kinds["measure"] == 8 and kinds["requirement"] == 2
    assert mini.edges["N:1", "P:1"]["kind"] == "aligned" and mini.edges["N:1", "P:1"]["label"] == "strong"
    assert mini.edges["plan:P", "plan:N"]["kind"] == "implements"  # P's title names N's plan: a plan node
    assert mini.edges["plan:C", "plan:P"]["kind"] == "implements"  # by title, though it also names its 文号
    assert (mini.nodes["plan:P"]["docno"], mini.nodes["plan:P"]["level"]) == ("", "provincial")  # not C's guess
    assert [v for _, v in mini.out_edges("req:1")] == ["C:1", "N:1", "P:1"]
    assert mini.nodes["req:1"]["source"] == "N:1" and mini.nodes["req:2"]["plans"] == ["C", "N", "P"]
    assert mini.edges["C:2", "unit:county:司法局"]["role"] == "lead"
    assert mini.nodes["unit:provincial:司法局"]["names"] == ["省司法厅"]


def test_sibling_links_are_no_source():
    import networkx as nx

    G = nx.DiGraph()
    G.add_edge("P:1", "C:1", kind="aligned", direction="top-down")
    G.add_edge("C:1", "D:1", kind="aligned", direction="sibling")
    G.add_edge("D:1", "C:1", kind="aligned", direction="sibling")
    assert sources(G, "D:1") == set() and sources(G, "C:1") == {"P:1"} and flows_into(G, "C:1") == set()


def test_trace_queries(mini):
    assert sources(mini, "C:1") == {"P:1", "N:1"}
    assert flows_into(mini, "N:1") == {"P:1", "C:1"}
    assert requirement_of(mini, "C:1") == "req:1" and requirement_of(mini, "P:3") is None
    cov = plan_coverage(mini, "C")
    assert set(cov["requirement"]) == {"req:1", "req:2"} and cov["carried"].all()


def test_coverage_summary_gaps_and_innovations(mini):
    summary = analytics.coverage_summary(mini, _coverage())
    plan_np = summary[(summary["scope"] == "plan") & (summary["upper"] == "N") & (summary["lower"] == "P")].iloc[0]
    assert (plan_np["n"], plan_np["covered"], plan_np["partial"], plan_np["gap"]) == (3, 1, 1, 1)
    assert plan_np["gap_rate"] == pytest.approx(1 / 3)
    parts = summary[(summary["scope"] == "part") & (summary["upper"] == "N") & (summary["lower"] == "P")]
    assert dict(zip(parts["group"], parts["gap"])) == {"一、部分一": 0, "二、部分二": 1}
    req = summary[summary["scope"] == "requirement"]
    assert set(zip(req["group"], req["lower"], req["covered"], req["partial"])) == {
        ("req:1", "P", 1, 0), ("req:1", "C", 1, 0), ("req:2", "P", 1, 0), ("req:2", "C", 1, 0)}
    gaps = analytics.gaps(mini, _coverage())
    assert set(zip(gaps["lower_doc"], gaps["item_id"])) == {("P", "N:3"), ("C", "N:1"), ("C", "N:2"), ("C", "N:3"),
                                                             ("C", "P:3")}
    inn = analytics.innovations(mini, _alignments())
    assert list(inn["measure_id"]) == ["P:3"] and inn["best_upstream_score"].iat[0] == pytest.approx(0.2)


def test_drift_and_unit_load(mini):
    drift = analytics.drift(mini)
    got = set(zip(drift["upper_measure"], drift["lower_measure"], drift["change"], drift["delta"]))
    assert got == {("N:1", "P:1", "deadline earlier", -2.0), ("N:1", "P:1", "target lowered", -10.0),
                   ("P:1", "C:1", "target raised", 5.0), ("P:1", "C:1", "lead dropped", 0.0),
                   ("P:2", "C:2", "lead reassigned", 0.0)}
    row = drift[drift["change"] == "lead reassigned"].iloc[0]
    assert (row["upper_value"], row["lower_value"]) == ("省政府办公厅", "县司法局")
    load = analytics.unit_load(mini).set_index(["function", "level"])
    assert load.loc[("司法局", "provincial"), "tasks_below"] and not load.loc[("司法局", "county"), "tasks_below"]
    assert not load.loc[("政府办公室", "provincial"), "tasks_below"]  # a task above, none below


def test_exports_round_trip_and_flat_tables(mini, tmp_path):
    write_exports(mini, tmp_path)
    back = read_graphml(tmp_path / "cascade.graphml")
    assert set(back.nodes) == set(mini.nodes) and set(back.edges) == set(mini.edges)
    for n, attrs in mini.nodes(data=True):
        for key, value in attrs.items():
            assert back.nodes[n][key] == value, (n, key)
    for u, v, attrs in mini.edges(data=True):
        for key, value in attrs.items():
            assert back.edges[u, v][key] == value, (u, v, key)
    assert (tmp_path / "cascade.gexf").stat().st_size > 0 and (tmp_path / "cascade.json").stat().st_size > 0
    schemas.validate(nodes_table(mini), schemas.CASCADE_NODES, "cascade_nodes")
    edges = schemas.validate(edges_table(mini), schemas.CASCADE_EDGES, "cascade_edges")
    assert edges.loc[(edges["source"] == "N:1") & (edges["target"] == "P:1"), "score"].iat[0] == 0.9


def test_docno_levels_from_their_prefix():
    assert docno_level("中法委发〔2022〕5号") == "national"
    assert docno_level("湘政发〔2016〕19号") == "provincial"
    assert docno_level("鞍委发〔2017〕10号", "辽宁省鞍山市台安县") == "municipal"
    assert docno_level("台政发〔2017〕3号", "辽宁省鞍山市台安县") == "county"
    assert docno_level("吉市发〔2022〕7号", "吉林省吉林市") == "municipal"  # 吉 is also 吉林省's abbreviation
    assert docno_level("青政发〔2020〕1号", "山东省青岛市") == "municipal"
    assert docno_level("湘政发〔2016〕19号", "湖南省湘潭市") == "provincial"  # 湘: the province's, though 湘潭 too


def test_seed_cascade(corpus_graph):
    G = corpus_graph
    assert G.nodes["doc:中法委发〔2022〕5号"]["external"] and G.nodes["doc:中法委发〔2022〕5号"]["level"] == "national"
    assert G.edges["plan:000", "doc:中法委发〔2022〕5号"]["kind"] == "implements"
    chain = [("plan:004", "doc:鞍委发〔2017〕10号"), ("doc:鞍委发〔2017〕10号", "doc:辽委发〔2016〕23号"),
             ("doc:辽委发〔2016〕23号", "doc:中发〔2015〕36号")]
    for u, v in chain:
        assert G.edges[u, v]["kind"] == "implements", (u, v)
    assert G.edges[chain[1]]["inferred"] and "004" in G.edges[chain[1]]["reason"]
    first_duty = {m for m, a in G.nodes(data=True) if a["kind"] == "measure" and "第一责任人职责" in a["text"]}
    reqs = {requirement_of(G, m) for m in first_duty} - {None}
    assert any(set(G.nodes[r]["plans"]) == {"000", "001", "003", "004"} for r in reqs)


def test_domain_rules_on_the_labelled_sample(corpus):
    """Rules first written blind scored 0.681 on the sample; revised on the errors of plans 000/001
    only, they score 0.738 on the other half (003/004) and 0.806 overall."""
    text = dict(zip(corpus.measures["measure_id"], corpus.measures["text"]))
    with open(ROOT / "data" / "gold" / "domains_sample.csv", encoding="utf-8") as fh:
        labelled = list(csv.DictReader(fh))
    assert len(labelled) == 160 and {r["domain"] for r in labelled} <= set(DOMAINS)
    right = {r["measure_id"]: classify_domain(text[r["measure_id"]]) == r["domain"] for r in labelled}
    held_out = [ok for mid, ok in right.items() if mid[:3] in ("003", "004")]
    assert sum(right.values()) / len(right) >= 0.8
    assert sum(held_out) / len(held_out) >= 0.72
