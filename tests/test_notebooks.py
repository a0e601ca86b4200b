"""Every notebook runs top to bottom (papermill) on a project folder made by `alignment init
--notebooks`, with the seeds 000 and 003 and the lexical encoder; notebook 5 adds seed 004."""
import shutil

import pytest

from alignment.cli import cli

from .conftest import SEED


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nb") / "study"
    assert cli(["init", str(folder), "--notebooks"]) == 0
    for p in ("000", "003"):
        shutil.copy(SEED[p], folder / "data" / "raw" / SEED[p].name)
    (folder / "alignment.yaml").write_text("encoder: lexical\n", encoding="utf-8")
    assert cli(["--project", str(folder), "run"]) == 0
    return folder


@pytest.mark.parametrize("name", ["01_plans", "02_matches", "03_cascade", "04_coverage_gaps", "05_new_plans"])
def test_notebook_runs_on_a_new_project(study, name, tmp_path):
    import papermill

    params = {"new_plan": str(SEED["004"])} if name == "05_new_plans" else {}
    out = papermill.execute_notebook(str(study / "notebooks" / f"{name}.ipynb"), str(tmp_path / f"{name}.ipynb"),
                                     parameters=params, cwd=str(study / "notebooks"), kernel_name="python3",
                                     progress_bar=False)
    text = "".join(str(o.get("data", {}).get("text/plain", "")) + str(o.get("text", ""))
                   for c in out.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "Traceback" not in text
    if name == "05_new_plans":
        assert "added" in text and "004" in text  # the new plan appears in what changed
    if name == "01_plans":
        assert "000" in text and "003" in text
    if name == "02_matches":  # the review form is built (a person would fill it) and records nothing by itself
        widgets = out.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"].values()
        assert sum(w["model_name"] == "DropdownModel" for w in widgets) == 10  # review_budget pairs
        assert [w["state"]["description"] for w in widgets if w["model_name"] == "ButtonModel"] == ["Record decisions"]
        assert not (study / "data" / "review" / "decisions.csv").exists()
