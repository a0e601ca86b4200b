"""Report figures render with Agg, say what they show, and have every Chinese glyph."""
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

from alignment.cascade import analytics
from alignment.cascade.graph import build_cascade
from alignment.report.plots import TEXT, all_figures, coverage_heatmap, requirement_flow

from .test_cascade import _alignments, _coverage, _docs, _measures, mini  # noqa: F401


@pytest.fixture(scope="module")
def tables(mini):  # noqa: F811
    cov = _coverage()
    return {"coverage_summary": analytics.coverage_summary(mini, cov), "gaps": analytics.gaps(mini, cov),
            "innovations": analytics.innovations(mini, _alignments()), "drift": analytics.drift(mini),
            "unit_load": analytics.unit_load(mini)}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_figure_renders_with_its_title_and_no_missing_glyph(mini, tables, lang):  # noqa: F811
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing")
        figs = all_figures(tables, mini, lang)
        for fig in figs.values():
            fig.canvas.draw()  # a missing glyph warns here
    titles = {name: fig.axes[0].get_title() for name, fig in figs.items()}
    assert titles["coverage_heatmap"] == TEXT[lang]["heatmap"]
    assert titles["requirement_flow"] == TEXT[lang]["flow"]
    heat = figs["coverage_heatmap"].axes[0]
    assert [t.get_text() for t in heat.get_xticklabels()] == ["C", "P"]
    assert heat.get_xlabel() == TEXT[lang]["heat_x"]
    flow = figs["requirement_flow"].axes[0]
    assert [t.get_text() for t in flow.get_yticklabels()] == [TEXT[lang]["levels"][lvl] for lvl in
                                                              ("national", "provincial", "county")]
    drift = figs["drift"].legends[0]
    assert TEXT[lang]["change_names"].get("lead reassigned", "lead reassigned") in [t.get_text() for t in drift.texts]
    for fig in figs.values():
        assert fig.get_size_inches()[0] <= 6.3 + 1e-6  # fits an A4 text column
        plt.close(fig)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_what_a_reviewer_confirmed_is_drawn_apart(mini, lang):  # noqa: F811
    al = _alignments()
    al.loc[al["src_measure_id"].isin(["N:1", "P:1"]), "reviewed"] = True  # N:1 -> P:1 -> C:1 confirmed
    G = build_cascade(_docs(), _measures(), al)
    cov = _coverage()
    cov.loc[(cov["src_measure_id"] == "P:1") & (cov["tgt_doc"] == "C"), "reviewed"] = True
    t = TEXT[lang]
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing")  # ✔ renders too
        flow, heat = requirement_flow(G, lang), coverage_heatmap(analytics.coverage_summary(G, cov), lang)
        flow.canvas.draw()
        heat.canvas.draw()
    bars = {c.get_label(): c for c in flow.axes[0].containers}
    # two requirements at each level, req:1 confirmed link by link: one dark segment, one plain
    assert [p.get_width() for p in bars[t["confirmed"]]] == [1, 1, 1]
    assert [p.get_x() for p in bars[t["carried"]]] == [1, 1, 1]
    assert [p.get_width() for p in bars[t["carried"]]] == [1, 1, 1]
    assert bars[t["confirmed"]][0].get_facecolor() != bars[t["carried"]][0].get_facecolor()
    assert t["confirmed"] in [x.get_text() for x in flow.legends[0].texts]
    unreviewed = requirement_flow(mini, lang)
    assert t["confirmed"] not in [c.get_label() for c in unreviewed.axes[0].containers]
    # the heatmap cell of the decided measure says so, and a note says what ✔ means
    cells = [x.get_text() for x in heat.axes[0].texts]
    assert sum("✔" in c for c in cells) == 1 and any(c.endswith("✔1") for c in cells)
    assert heat.legends[0].get_title().get_text() == t["heat_reviewed"]
    for fig in (flow, heat, unreviewed):
        plt.close(fig)


def test_the_glyph_check_would_catch_tofu():
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        fig, ax = plt.subplots()
        ax.set_title("覆盖率")
        with pytest.warns(UserWarning, match="[Gg]lyph.*missing"):
            fig.canvas.draw()
        plt.close(fig)
