"""Report figures: one pure function per figure, data in, matplotlib Figure out.

Each figure says one thing in its title, fits an A4 page (16 cm wide), renders Chinese with the
Noto Sans CJK font that ``mplfonts`` installs with the project, and uses colour-blind-safe
colours (Okabe-Ito; viridis for heat). What a reviewer decided (``alignment review``) is marked
apart from what the matcher found: ✔ and a darker shade. ``lang="en"`` gives English titles and axis labels (plan
names and domains stay as printed). :func:`all_figures` makes every one from the processed
tables; ``alignment figures`` saves them as PNG (300 dpi) and SVG.
"""
from __future__ import annotations

from functools import lru_cache

import networkx as nx
import numpy as np
import pandas as pd

from ..cascade.analytics import confirmed_plans
from ..cascade.units import is_collective
from ..schemas import LEVELS, level_rank

__all__ = ["OKABE_ITO", "all_figures", "cascade_network", "coverage_heatmap", "drift_chart",
           "gaps_and_innovations", "requirement_flow", "responsibility_chart", "use_cjk_font"]

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000")
CONFIRMED = "#00446B"  # Okabe-Ito blue, darker: links a reviewer confirmed (apart in grey print too)
A4_WIDTH = 6.3  # inches: a 16 cm text column

TEXT = {
    "zh": {"heatmap": "下级方案承接上级要求的比例(按领域)", "heat_x": "下级方案", "heat_y": "政策领域",
           "heat_bar": "承接比例(完全+部分)", "gaps": "各方案未承接的上级措施与无上级来源的本地措施",
           "gap": "未承接的上级措施", "innovation": "本地创新措施", "count": "措施数",
           "heat_reviewed": "✔n:其中 n 项措施的链接经审核人员判定",
           "flow": "共同要求自上而下的传导:各层级承接与流失", "carried": "承接", "dropped": "流失",
           "confirmed": "承接(经审核人员确认)",
           "requirements": "要求数", "network": "文件层级:方案及其所依据的上级文件",
           "drift": "承接中的变化:期限、指标与牵头单位", "changes": "变化数",
           "resp": "承担任务最多的责任单位(按职能与层级)", "tasks": "任务数",
           "plan": "数据中的方案", "upstream": "所依据的上级文件(未收录)",
           "change_names": {"deadline earlier": "期限提前", "deadline later": "期限推后", "deadline added": "新增期限",
                            "deadline dropped": "删去期限", "target raised": "指标提高", "target lowered": "指标降低",
                            "target added": "新增指标", "target dropped": "删去指标", "lead reassigned": "牵头单位改变",
                            "lead dropped": "未明确牵头单位"},
           "levels": {"national": "国家", "provincial": "省级", "municipal": "市级", "county": "县级",
                      "township": "乡镇", "unknown": "未知"}},
    "en": {"heatmap": "Share of upper requirements each lower plan carries, by domain", "heat_x": "lower plan",
           "heat_y": "policy domain", "heat_bar": "carried (fully or partly)",
           "heat_reviewed": "✔n: a reviewer decided links of n of these measures",
           "gaps": "Upper measures a plan leaves out, and local measures with no upstream source",
           "gap": "upper measures not carried", "innovation": "local innovations", "count": "measures",
           "flow": "Shared requirements flowing down: carried and dropped at each level", "carried": "carried",
           "dropped": "dropped", "confirmed": "carried (confirmed by a reviewer)", "requirements": "requirements",
           "network": "Document cascade: plans and the upstream texts they implement",
           "drift": "What changes on the way down: deadlines, targets, lead units", "changes": "changes",
           "resp": "Unit functions with the most tasks, by level", "tasks": "tasks",
           "plan": "plan in the corpus", "upstream": "upstream text (not loaded)", "change_names": {},
           "levels": {lvl: lvl for lvl in LEVELS}},
}


@lru_cache(maxsize=1)
def use_cjk_font() -> str:
    """Register Noto Sans CJK SC (shipped in ``mplfonts``) and make it matplotlib's font.

    Returns
    -------
    str
        The font family name now in use.
    """
    from pathlib import Path

    import matplotlib as mpl
    import mplfonts
    from matplotlib import font_manager

    path = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    mpl.rcParams["font.family"] = [name, "DejaVu Sans"]
    mpl.rcParams["axes.unicode_minus"] = False
    return name


def _nothing(ax, title: str, lang: str) -> None:
    """An empty figure that says why: a corpus of one plan has no links to show yet."""
    ax.set_title(title, fontsize=10)
    ax.text(0.5, 0.5, "尚无可比较的方案:请加入上级或同级方案" if lang == "zh" else
            "nothing to compare yet: add the plans above or beside these", ha="center", va="center",
            transform=ax.transAxes, color="#555555")
    ax.set_axis_off()


def _figure(height: float = 3.8):
    import matplotlib.pyplot as plt

    use_cjk_font()
    return plt.subplots(figsize=(A4_WIDTH, height), layout="constrained")


def coverage_heatmap(summary: pd.DataFrame, lang: str = "zh"):
    """Heatmap of the share of upper measures each lower plan carries, domain by lower plan; a
    cell whose measures a reviewer decided says how many (✔n).

    Parameters
    ----------
    summary
        The ``coverage_summary`` table (its ``domain`` rows).
    lang
        ``zh`` or ``en`` for titles and labels.

    Returns
    -------
    matplotlib.figure.Figure
    """
    t = TEXT[lang]
    rows = summary[summary["scope"] == "domain"]
    rows = rows.assign(reviewed=rows.get("reviewed", 0))  # 0 in a summary written before reviews were counted
    agg = rows.groupby(["group", "lower"])[["n", "covered", "partial", "reviewed"]].sum()
    share = ((agg["covered"] + agg["partial"]) / agg["n"]).unstack("lower")
    decided = agg["reviewed"].unstack("lower").reindex_like(share).fillna(0).astype(int).to_numpy()
    if share.empty:
        fig, ax = _figure(2.5)
        _nothing(ax, t["heatmap"], lang)
        return fig
    fig, ax = _figure(max(2.5, 0.35 * len(share) + 1.4))
    ax.set_facecolor("#dddddd")  # a domain a plan pair has no measures of: grey, not a colour
    image = ax.imshow(share.to_numpy(dtype=float), cmap="viridis", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(share.shape[1]), share.columns)
    ax.set_yticks(range(share.shape[0]), share.index)
    for (i, j), v in np.ndenumerate(share.to_numpy(dtype=float)):
        if not np.isnan(v):
            ax.text(j, i, f"{v:.0%}" + (f" ✔{decided[i, j]}" if decided[i, j] else ""), ha="center", va="center",
                    fontsize=7, color="white" if v < 0.6 else "black")
    ax.set_xlabel(t["heat_x"])
    ax.set_ylabel(t["heat_y"])
    ax.set_title(t["heatmap"], fontsize=10)
    fig.colorbar(image, ax=ax, label=t["heat_bar"], format=lambda v, _: f"{v:.0%}")
    if decided.any():
        fig.legend(handles=[], title=t["heat_reviewed"], title_fontsize=7, frameon=False, loc="outside lower center")
    return fig


def gaps_and_innovations(gaps: pd.DataFrame, innovations: pd.DataFrame, lang: str = "zh"):
    """Bars per plan: upper measures it leaves out, and its measures with no upstream source.

    Parameters
    ----------
    gaps, innovations
        The ``gaps`` (measure rows) and ``innovations`` tables.
    lang
        ``zh`` or ``en``.
    """
    t = TEXT[lang]
    gap = gaps[gaps["scope"] == "measure"].groupby("lower_doc").size()
    inn = innovations.groupby("doc_id").size()
    plans = sorted(set(gap.index) | set(inn.index))
    x = np.arange(len(plans))
    fig, ax = _figure()
    if not plans:
        _nothing(ax, t["gaps"], lang)
        return fig
    ax.bar(x - 0.2, [gap.get(p, 0) for p in plans], 0.4, label=t["gap"], color=OKABE_ITO[3])
    ax.bar(x + 0.2, [inn.get(p, 0) for p in plans], 0.4, label=t["innovation"], color=OKABE_ITO[2])
    ax.set_xticks(x, plans)
    ax.set_ylabel(t["count"])
    ax.set_title(t["gaps"], fontsize=10)
    ax.legend(frameon=False)
    return fig


def requirement_flow(G: nx.DiGraph, lang: str = "zh"):
    """Flow of shared requirements from their top level down: carried and dropped per level,
    the carrying a reviewer confirmed in a darker shade.

    Parameters
    ----------
    G
        The cascade graph; a requirement is carried at a level when a plan of that level holds
        one of its measures (confirmed when a reviewed link joins that measure to the requirement,
        :func:`~alignment.cascade.analytics.confirmed_plans`), dropped when the level has plans
        below its source but none carries it.
    lang
        ``zh`` or ``en``.
    """
    t = TEXT[lang]
    plan_level = {a["doc_id"]: a["level"] for _, a in G.nodes(data=True) if a["kind"] == "plan"}
    present = sorted({lvl for lvl in plan_level.values() if lvl != "unknown"}, key=level_rank)
    if not any(k == "requirement" for _, k in G.nodes(data="kind")):
        fig, ax = _figure(2.5)
        _nothing(ax, t["flow"], lang)
        return fig
    carried = {lvl: 0 for lvl in present}
    confirmed = {lvl: 0 for lvl in present}
    dropped = {lvl: 0 for lvl in present}
    for req, a in G.nodes(data=True):
        if a["kind"] != "requirement":
            continue
        top = level_rank(plan_level[G.nodes[a["source"]]["doc_id"]])
        levels = {plan_level[d] for d in a["plans"]}
        sure = {plan_level[d] for d in confirmed_plans(G, req)}
        for lvl in present:
            if level_rank(lvl) < top:
                continue
            if lvl in levels:
                carried[lvl] += 1
                confirmed[lvl] += lvl in sure
            else:
                dropped[lvl] += 1
    fig, ax = _figure()
    y = np.arange(len(present))[::-1]
    sure = np.array([confirmed[lvl] for lvl in present])
    if sure.any():
        ax.barh(y, sure, color=CONFIRMED, label=t["confirmed"])
    ax.barh(y, [carried[lvl] for lvl in present] - sure, left=sure, color=OKABE_ITO[0], label=t["carried"])
    ax.barh(y, [dropped[lvl] for lvl in present], left=[carried[lvl] for lvl in present], color=OKABE_ITO[1],
            label=t["dropped"], hatch="//", edgecolor="white")
    ax.set_yticks(y, [t["levels"][lvl] for lvl in present])
    ax.set_xlabel(t["requirements"])
    ax.set_title(t["flow"], fontsize=10)
    fig.legend(frameon=False, loc="outside lower center", ncols=3)
    return fig


def cascade_network(G: nx.DiGraph, lang: str = "zh"):
    """The document cascade: plans and the upstream texts they implement, top level first.

    Parameters
    ----------
    G
        The cascade graph (its plan and document nodes and implements edges).
    lang
        ``zh`` or ``en``.
    """
    t = TEXT[lang]
    docs = G.subgraph([n for n, k in G.nodes(data="kind") if k in ("plan", "document")])
    edges = [(u, v) for u, v, k in docs.edges(data="kind") if k == "implements"]
    H = nx.DiGraph(edges)
    H.add_nodes_from(n for n, k in G.nodes(data="kind") if k == "plan")
    by_level: dict[int, list[str]] = {}
    for n in sorted(H):
        by_level.setdefault(level_rank(G.nodes[n].get("level")), []).append(n)
    pos = {n: (i - (len(ns) - 1) / 2, -rank) for rank, ns in by_level.items() for i, n in enumerate(ns)}
    fig, ax = _figure(4.5)
    colours = [OKABE_ITO[0] if G.nodes[n]["kind"] == "plan" else OKABE_ITO[1] for n in H]
    nx.draw_networkx_edges(H, pos, ax=ax, edge_color="#777777", arrows=True, arrowsize=8, node_size=250)
    nx.draw_networkx_nodes(H, pos, ax=ax, node_color=colours, node_size=250)
    labels = {n: (G.nodes[n].get("docno") or G.nodes[n].get("title", n))[:12] for n in H}
    nx.draw_networkx_labels(H, pos, labels, ax=ax, font_size=6, font_family=use_cjk_font(),
                            verticalalignment="bottom")
    ax.set_yticks([-r for r in by_level], [t["levels"][LEVELS[r]] for r in by_level])
    ax.tick_params(left=True, labelleft=True)
    ax.set_title(t["network"], fontsize=10)
    ax.margins(0.15)
    from matplotlib.lines import Line2D

    marks = [Line2D([], [], marker="o", linestyle="", color=c, label=lab) for c, lab in
             ((OKABE_ITO[0], t["plan"]), (OKABE_ITO[1], t["upstream"]))]
    fig.legend(handles=marks, frameon=False, loc="outside lower center", ncols=2)
    return fig


def drift_chart(drift: pd.DataFrame, lang: str = "zh"):
    """Stacked bars of what changes between linked upper and lower measures, per lower plan.

    Parameters
    ----------
    drift
        The ``drift`` table.
    lang
        ``zh`` or ``en``.
    """
    t = TEXT[lang]
    counts = drift.groupby(["lower_doc", "change"]).size().unstack(fill_value=0)
    fig, ax = _figure()
    if counts.empty:
        _nothing(ax, t["drift"], lang)
        return fig
    left = np.zeros(len(counts))
    for k, change in enumerate(counts.columns):
        ax.barh(counts.index, counts[change], left=left, color=OKABE_ITO[k % len(OKABE_ITO)],
                label=t["change_names"].get(change, change), hatch="//" if k >= len(OKABE_ITO) else None)
        left += counts[change].to_numpy()
    ax.set_xlabel(t["changes"])
    ax.set_title(t["drift"], fontsize=10)
    fig.legend(frameon=False, fontsize=7, ncols=4, loc="outside lower center")
    return fig


def responsibility_chart(unit_load: pd.DataFrame, lang: str = "zh", top: int = 12):
    """Horizontal bars: the unit functions with most tasks, split by level.

    Parameters
    ----------
    unit_load
        The ``unit_load`` table.
    lang
        ``zh`` or ``en``.
    top
        How many functions to show.
    """
    t = TEXT[lang]
    load = unit_load[~unit_load["function"].map(is_collective)]
    table = load.pivot_table(index="function", columns="level", values="tasks", aggfunc="sum", fill_value=0)
    table = table.loc[table.sum(axis=1).sort_values().index[-top:]]
    if table.empty:
        fig, ax = _figure(2.5)
        _nothing(ax, t["resp"], lang)
        return fig
    fig, ax = _figure(max(3.0, 0.28 * len(table) + 1.2))
    left = np.zeros(len(table))
    for k, level in enumerate(sorted(table.columns, key=level_rank)):
        ax.barh(table.index, table[level], left=left, color=OKABE_ITO[k], label=t["levels"].get(level, level))
        left += table[level].to_numpy()
    ax.set_xlabel(t["tasks"])
    ax.set_title(t["resp"], fontsize=10)
    ax.legend(frameon=False, fontsize=8)
    return fig


def all_figures(tables: dict[str, pd.DataFrame], G: nx.DiGraph, lang: str = "zh") -> dict:
    """Every report figure by file name, from the processed tables and the cascade graph.

    Parameters
    ----------
    tables
        ``coverage_summary``, ``gaps``, ``innovations``, ``drift``, ``unit_load``.
    G
        The cascade graph.
    lang
        ``zh`` or ``en``.
    """
    return {
        "coverage_heatmap": coverage_heatmap(tables["coverage_summary"], lang),
        "gaps_innovations": gaps_and_innovations(tables["gaps"], tables["innovations"], lang),
        "requirement_flow": requirement_flow(G, lang),
        "cascade_network": cascade_network(G, lang),
        "drift": drift_chart(tables["drift"], lang),
        "responsibility": responsibility_chart(tables["unit_load"], lang),
    }
