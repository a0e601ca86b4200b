"""Report figures render with Agg, say what they show, and have every Chinese glyph."""
import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pytest

from alignment.cascade import analytics
from alignment.report.plots import TEXT, all_figures

from .test_cascade import _alignments, _coverage, mini  # noqa: F401


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


def test_the_glyph_check_would_catch_tofu():
    with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
        fig, ax = plt.subplots()
        ax.set_title("覆盖率")
        with pytest.warns(UserWarning, match="[Gg]lyph.*missing"):
            fig.canvas.draw()
        plt.close(fig)
