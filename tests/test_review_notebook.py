"""Review from a notebook: the queue of a loaded project (the one `alignment review` writes), its
form, and decisions recorded in the project's decisions file, or refused whole."""
import pandas as pd
import pytest

from alignment.report.notebook import load_project
from alignment.review.decisions import ReviewFileError, read_decisions
from alignment.review.form import record_decisions, review_form, review_queue_for
from alignment.review.queue import QUEUE_COLUMNS

from .test_cli import project, run  # noqa: F401 - the project fixture of the command-line tests


@pytest.fixture
def parsed(project, capsys):  # noqa: F811
    run(capsys, "parse")
    return load_project(project)


def _pairs(table: pd.DataFrame) -> list[tuple[str, str]]:
    return list(zip(table["src_measure_id"], table["tgt_measure_id"]))


def test_the_notebook_queue_is_the_commands_and_records_a_filled_table(parsed, capsys):
    queue = review_queue_for(parsed, "000", "003", budget=4)
    assert list(queue.columns) == list(QUEUE_COLUMNS) and (queue["decision"] == "").all()
    run(capsys, "review", "--src", "000", "--tgt", "003", "--budget", "4", "--out", "q.csv")
    written = pd.read_csv(parsed.settings.root / "data" / "q.csv", dtype=str, encoding="utf-8-sig")
    assert _pairs(queue) == _pairs(written)

    path = parsed.settings.decisions_path
    with pytest.raises(ReviewFileError, match="row 3: unknown decision 'perhaps'"):
        record_decisions(parsed, queue.assign(decision=["strong", "perhaps", "", "none"]), reviewer="alice")
    assert not path.exists()  # refused whole: nothing recorded
    assert record_decisions(parsed, queue.assign(decision=["strong", "", "无", ""]), reviewer="alice") == 2
    decisions = read_decisions(path)
    assert decisions["decision"].tolist() == ["strong", "none"]
    assert set(decisions["reviewer"]) == {"alice"} and set(decisions["source"]) == {"notebook"}
    decided = {_pairs(queue)[0], _pairs(queue)[2]}
    assert not decided & set(_pairs(review_queue_for(parsed, "000", "003", budget=4)))  # never asked again


def test_the_form_records_the_chosen_decisions_once(parsed):
    queue = review_queue_for(parsed, "000", "003", budget=3)
    form = review_form(parsed, queue, reviewer="bob")
    rows, (button, status) = form.children[1:-1], form.children[-1].children
    texts, choices = [r.children[0].value for r in rows], [r.children[1] for r in rows]
    assert len(choices) == 3 and all(c.options == ("", "strong", "partial", "none") for c in choices)
    assert all(q in text for q, text in zip(queue["src_measure_id"], texts)) and any("<mark>" in t for t in texts)
    choices[1].value = "partial"
    button.click()
    assert status.value.startswith("1 decision recorded") and "alignment run" in status.value
    assert choices[1].disabled and not choices[0].disabled
    button.click()  # nothing new chosen: nothing recorded twice
    assert status.value.startswith("0 decisions recorded")
    decisions = read_decisions(parsed.settings.decisions_path)
    assert decisions[["reviewer", "decision"]].values.tolist() == [["bob", "partial"]]


def test_a_queue_names_two_plans_of_the_project(parsed):
    with pytest.raises(ValueError, match="unknown"):
        review_queue_for(parsed, "000", "777")
