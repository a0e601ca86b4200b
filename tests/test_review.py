"""The review loop: queue, decisions file, honoured decisions, refit, simulation (real plan sentences)."""
import pandas as pd
import pytest

from alignment.matching.align import block_evidence, score_blocks
from alignment.matching.embed import get_encoder
from alignment.matching.score import MatchParams, score_model_for
from alignment.review.decisions import (
    ReviewFileError,
    append_decisions,
    decisions_from_review,
    read_decisions,
    resolve_decisions,
    text_hash,
)
from alignment.review.queue import review_queue
from alignment.review.refit import decision_features, refit_model
from alignment.review.simulate import simulate

from .conftest import GOLD_DEV as GOLD_DEV_PATH
from .test_cli import project, run  # noqa: F401 - the project fixture of the command-line tests

# Sentences of seed 000 (Liaoning) and seed 003 (Xiangtan), shortened.
SOURCES = {
    "000:1": "深化诉源治理。坚持把非诉讼纠纷解决机制挺在前面,积极开展案件诉前分流,推进人民法院调解平台进乡村、进社区。",
    "000:2": "加强教育培训。加强市、县法治工作人员培训轮训,三年内实现省内全覆盖。",
    "000:3": "提高立法工作质量。建立健全立法调研论证、意见征集、风险评估、立法听证、专家咨询等制度。",
}
TARGETS = {
    "003:1": "坚持把非诉讼纠纷解决机制挺在前面,推进案件诉前分流,推动人民法院调解平台进乡村、进社区。",
    "003:2": "加强行政执法队伍专业化职业化建设,确保每人每年接受不少于60学时的业务知识和法律法规培训。",
    "003:3": "健全立法立项、起草、论证、协调、审议机制,推进立法精准选题、精良设计、精炼表达。",
    "003:4": "加强流动人口和特殊人群服务管理,强化母婴安全保障,加强预防青少年违法犯罪工作。",
}
GOLD = [  # (source, target, strength): what a careful reader says
    ("000:1", "003:1", "strong"), ("000:2", "003:2", "partial"), ("000:3", "003:3", "partial")]


def _measures(sources=SOURCES, targets=TARGETS) -> pd.DataFrame:
    rows = [(mid, mid[:3], f"{mid[:3]}_plan.txt", "measure", text)
            for mid, text in {**sources, **targets}.items()]
    return pd.DataFrame(rows, columns=["measure_id", "doc_id", "source_file", "kind", "text"])


def _gold_rows(measures):
    text = dict(zip(measures["measure_id"], measures["text"]))
    return [{"src_doc": s[:3], "src_quote": text[s][:14], "tgt_doc": t[:3], "tgt_quote": text[t][:14],
             "strength": strength, "pool": {t[:3]}} for s, t, strength in GOLD]


@pytest.fixture(scope="module")
def block():
    """The tiny block with lexical evidence (no model download), its model and thresholds."""
    measures = _measures()
    model = score_model_for("lexical")
    blocks = block_evidence(measures, [("000", "003", "top-down")], get_encoder("lexical").encode, 4, progress=False)
    return measures, blocks, model, MatchParams(4, *model.thresholds)


def _queue_file(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["src_measure_id", "tgt_measure_id", "decision"])


def test_decisions_round_trip_and_survive_renumbering(tmp_path, block):
    measures = block[0]
    new = decisions_from_review(_queue_file([("000:1", "003:1", "强"), ("000:2", "003:4", " None "),
                                             ("000:3", "003:3", "")]), measures, "alice", "q.csv")
    assert new["decision"].tolist() == ["strong", "none"]  # 强 normalised; a blank row is not reviewed
    path = tmp_path / "review" / "decisions.csv"
    assert len(append_decisions(path, new)) == 2
    back = read_decisions(path)
    assert back[["src_measure_id", "tgt_measure_id", "decision", "reviewer"]].values.tolist() == [
        ["000:1", "003:1", "strong", "alice"], ["000:2", "003:4", "none", "alice"]]
    # a re-parse renumbers the measures and changes punctuation: the decisions follow the texts
    renumbered = measures.assign(measure_id=measures["measure_id"].str.replace(":", ":x"),
                                 text=measures["text"].str.replace(",", ", "))
    resolved = resolve_decisions(back, renumbered)
    # a link is a shared task: the decision also answers the pair aligned the other way round
    assert sorted(zip(resolved["src_measure_id"], resolved["tgt_measure_id"], resolved["decision"])) == [
        ("000:x1", "003:x1", "strong"), ("000:x2", "003:x4", "none"),
        ("003:x1", "000:x1", "strong"), ("003:x4", "000:x2", "none")]
    # a measure whose text changed is no longer the decided one
    edited = measures.assign(text=measures["text"].where(measures["measure_id"] != "003:1", "另一条措施。"))
    assert sorted(resolve_decisions(back, edited)["tgt_measure_id"]) == ["000:2", "003:4"]


def test_a_decision_holds_both_ways_and_the_latest_of_either_order_wins(tmp_path, block):
    measures = block[0]
    path = tmp_path / "decisions.csv"
    append_decisions(path, decisions_from_review(_queue_file([("000:1", "003:1", "strong")]), measures, "alice",
                                                 "top-down.csv", decided_at="2026-01-01T00:00:00+00:00"))
    append_decisions(path, decisions_from_review(_queue_file([("003:1", "000:1", "none")]), measures, "bob",
                                                 "bottom-up.csv"))
    resolved = resolve_decisions(read_decisions(path), measures)
    assert sorted(zip(resolved["src_measure_id"], resolved["tgt_measure_id"], resolved["decision"],
                      resolved["reviewer"])) == [("000:1", "003:1", "none", "bob"), ("003:1", "000:1", "none", "bob")]


def test_a_later_decision_overrides_and_decided_pairs_take_their_label(tmp_path, block):
    measures, blocks, model, params = block
    path = tmp_path / "decisions.csv"
    append_decisions(path, decisions_from_review(_queue_file([("000:1", "003:1", "none"), ("000:3", "003:4", "partial")]),
                                                 measures, "alice", "q1.csv", decided_at="2026-01-01T00:00:00+00:00"))
    append_decisions(path, decisions_from_review(_queue_file([("000:1", "003:1", "strong")]), measures, "bob", "q2.csv"))
    decided = resolve_decisions(read_decisions(path), measures)
    assert len(read_decisions(path)) == 3  # append-only: the earlier decision is still on record
    al, cov = score_blocks(blocks, model, params, decided)
    row = al.set_index(["src_measure_id", "tgt_measure_id"])
    assert row.loc[("000:1", "003:1"), "label"] == "strong" and row.loc[("000:1", "003:1"), "reviewed"]
    assert "reviewed by bob" in row.loc[("000:1", "003:1"), "evidence"]
    assert row.loc[("000:3", "003:4"), "label"] == "partial"  # whatever its score: a person said so
    assert row.loc[("000:3", "003:4"), "score"] == 1.0
    assert not row.loc[("000:2", "003:2"), "reviewed"]
    covered = cov.set_index("src_measure_id")
    assert covered.loc["000:1", "reviewed"] and not covered.loc["000:2", "reviewed"]
    # a decided pair is never asked again
    assert not set(zip(review_queue(al, 20)["src_measure_id"], review_queue(al, 20)["tgt_measure_id"])) & {
        ("000:1", "003:1"), ("000:3", "003:4")}


@pytest.mark.parametrize("rows, message", [
    ([("000:1", "003:1", "maybe")], "row 2: unknown decision 'maybe'"),
    ([("000:1", "003:1", "strong"), ("000:1", "003:99", "none")], "row 3: tgt_measure_id '003:99' names no measure"),
])
def test_a_bad_review_file_is_refused_whole_with_its_rows(tmp_path, block, rows, message):
    with pytest.raises(ReviewFileError, match=message):
        decisions_from_review(_queue_file(rows), block[0], "alice", "q.csv")


def _shown(rows, measures, **edits) -> pd.DataFrame:
    """A queue file as the researcher saw it: ids, both texts, decision; ``edits`` replace columns."""
    text = dict(zip(measures["measure_id"], measures["text"]))
    frame = pd.DataFrame({"src_measure_id": [r[0] for r in rows], "tgt_measure_id": [r[1] for r in rows],
                          "src_text": [text.get(r[0], "") for r in rows], "tgt_text": [text.get(r[1], "") for r in rows],
                          "decision": [r[2] for r in rows]})
    return frame.assign(**edits)


def test_a_row_whose_texts_are_not_its_measures_is_refused(block):
    measures = block[0]
    rows = [("000:1", "003:1", "strong"), ("000:2", "003:2", "none")]
    assert len(decisions_from_review(_shown(rows, measures), measures, "alice", "q.csv")) == 2
    # Excel sorted one column only: the texts no longer sit beside their ids
    shifted = _shown(rows, measures)
    shifted["tgt_text"] = shifted["tgt_text"][::-1].to_numpy()
    with pytest.raises(ReviewFileError, match=r"row 2: tgt_text is not today's text of 003:1.*row 3: tgt_text"):
        decisions_from_review(shifted, measures, "alice", "q.csv")
    # a queue written before a re-parse changed a measure
    edited = measures.assign(text=measures["text"].where(measures["measure_id"] != "000:2", "另一条措施。"))
    with pytest.raises(ReviewFileError, match="row 3: src_text is not today's text of 000:2"):
        decisions_from_review(_shown(rows, measures), edited, "alice", "q.csv")


def test_pairs_inside_one_plan_preambles_and_contradictions_are_refused(block):
    measures = pd.concat([block[0], pd.DataFrame([{"measure_id": "000:p1", "doc_id": "000", "source_file": "000_plan.txt",
                                                   "kind": "preamble", "text": "为贯彻落实,制定本方案。"}])])
    cases = [([("000:1", "000:2", "strong")], "row 2: both measures are in plan 000"),
             ([("000:p1", "003:1", "none")], "row 2: src_measure_id '000:p1' is a preamble"),
             ([("000:1", "003:1", "strong"), ("003:1", "000:1", "none")], "row 3: decides the pair of row 2 .*differently")]
    for rows, message in cases:
        with pytest.raises(ReviewFileError, match=message):
            decisions_from_review(_queue_file(rows), measures, "alice", "q.csv")
    twice = decisions_from_review(_queue_file([("000:1", "003:1", "strong"), ("000:1", "003:1", "Strong")]), measures,
                                  "alice", "q.csv")
    assert len(twice) == 1  # the same decision twice is one decision


def test_decision_words_as_people_type_them(block):
    rows = [("000:1", "003:1", "強"), ("000:2", "003:2", "部份"), ("000:3", "003:3", "ＮＯＮＥ"), ("000:1", "003:4", "弱")]
    new = decisions_from_review(_queue_file(rows), block[0], "alice\n(night)", "q.csv")
    assert new["decision"].tolist() == ["strong", "partial", "none", "partial"]
    assert set(new["reviewer"]) == {"alice (night)"}  # one line in the record


def test_applying_a_file_twice_adds_nothing_but_a_second_reviewer_counts(tmp_path, block):
    measures = block[0]
    path = tmp_path / "decisions.csv"
    rows = [("000:1", "003:1", "strong"), ("000:2", "003:4", "none")]
    assert len(append_decisions(path, decisions_from_review(_queue_file(rows), measures, "alice", "q.csv"))) == 2
    assert len(append_decisions(path, decisions_from_review(_queue_file(rows), measures, "alice", "q.csv"))) == 0
    assert len(append_decisions(path, decisions_from_review(_queue_file(rows[:1]), measures, "bob", "q.csv"))) == 1
    assert len(read_decisions(path)) == 3


def _append_as(args):
    path, measures, reviewer = args
    rows = [("000:1", "003:1", "strong"), ("000:2", "003:2", "none"), ("000:3", "003:3", "partial")]
    return len(append_decisions(path, decisions_from_review(_queue_file(rows), measures, reviewer, "q.csv")))


def test_reviewers_applying_at_the_same_moment_lose_nothing(tmp_path, block):
    import multiprocessing as mp

    path = tmp_path / "review" / "decisions.csv"
    reviewers = [f"r{i}" for i in range(8)]
    with mp.get_context("fork").Pool(4) as pool:
        added = pool.map(_append_as, [(path, block[0], r) for r in reviewers])
    assert added == [3] * 8
    recorded = read_decisions(path)
    assert len(recorded) == 24 and sorted(set(recorded["reviewer"])) == reviewers


@pytest.mark.parametrize("damage, message", [
    (lambda text: text.rsplit(",", 3)[0] + "\n", "row 3 .*cannot be read"),  # cut short mid-row
    (lambda text: text.replace(",strong,", ",Sure,"), "row 2 \\(decision 'Sure'\\)"),
    (lambda text: text.replace("decision", "verdict", 1), "wrong columns"),
])
def test_a_damaged_decisions_file_is_named_in_one_line(tmp_path, block, damage, message):
    path = tmp_path / "decisions.csv"
    append_decisions(path, decisions_from_review(_queue_file([("000:1", "003:1", "strong"), ("000:2", "003:2", "none")]),
                                                 block[0], "alice", "q.csv"))
    path.write_text(damage(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(ReviewFileError, match=message) as err:
        read_decisions(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)
    path.write_bytes("决定".encode("gb18030"))
    with pytest.raises(ReviewFileError, match="not UTF-8"):
        read_decisions(path)
    path.write_bytes(b"")
    assert read_decisions(path).empty  # an emptied file is no decisions, not an error


def test_review_files_as_spreadsheets_save_them(tmp_path, block):
    from openpyxl import Workbook

    from alignment.review.decisions import read_review_file

    measures = block[0]
    queue = _shown([("000:1", "003:1", "strong"), ("000:2", "003:2", "")], measures)
    queue.to_csv(tmp_path / "u16.csv", index=False, encoding="utf-16")  # Excel's "Unicode text"
    assert read_review_file(tmp_path / "u16.csv")["decision"].tolist() == ["strong", ""]
    wb = Workbook()
    wb.active.title = "notes"
    wb.active.append(["我的笔记"])
    sheet = wb.create_sheet("queue")
    sheet.append(list(queue.columns))
    for row in queue.itertuples(index=False):
        sheet.append(list(row))
    wb.save(tmp_path / "notes_first.xlsx")
    assert read_review_file(tmp_path / "notes_first.xlsx")["src_measure_id"].tolist() == ["000:1", "000:2"]
    # a blank line keeps the spreadsheet's row numbers in messages
    (tmp_path / "gap.csv").write_text("src_measure_id,tgt_measure_id,decision\n\n000:1,003:1,maybe\n", encoding="utf-8")
    with pytest.raises(ReviewFileError, match="row 3: unknown decision"):
        decisions_from_review(read_review_file(tmp_path / "gap.csv"), measures, "alice", "gap.csv")


def test_a_review_file_without_the_decision_column_is_refused(block):
    frame = pd.DataFrame({"src_measure_id": ["000:1"], "tgt_measure_id": ["003:1"]})
    with pytest.raises(ReviewFileError, match="missing column.*decision"):
        decisions_from_review(frame, block[0], "alice", "q.csv")


def test_refit_on_decisions_moves_the_scores_of_pairs_nobody_reviewed(block):
    _, blocks, model, params = block
    al, _ = score_blocks(blocks, model, params)
    others = al[al["src_measure_id"] == "000:2"]
    # a reviewer rejects every candidate of two sources, the best ones included
    decided = al[al["src_measure_id"].isin(["000:1", "000:3"])].assign(decision="none", reviewer="alice")
    x, linked, groups = decision_features(blocks, decided, model.features)
    assert len(x) == 8 and linked.sum() == 0
    refitted = refit_model(model, x, linked, prior_strength=1.0, groups=groups)
    after, _ = score_blocks(blocks, refitted, params)
    after = after.set_index(["src_measure_id", "tgt_measure_id"])["score"]
    before = others.set_index(["src_measure_id", "tgt_measure_id"])["score"]
    assert (after[before.index] < before).all()  # unreviewed pairs of 000:2 now score lower


def test_simulate_on_a_tiny_gold_reaches_the_known_answer(block):
    measures, blocks, model, params = block
    curve = simulate(measures, _gold_rows(measures), blocks, model, params, [0, 2 / 3, 4]).set_index("budget")
    # the matcher misses one of the three gold links; the queue asks about it within its first two
    # questions (of twelve candidates), after which every link is right
    assert curve.loc[0, "any_f1"] == pytest.approx(0.8) and curve.loc[2 / 3, "decisions"] == 2
    assert curve.loc[2 / 3, "any_f1"] == 1.0
    assert curve.loc[4, "decisions"] == 12  # every candidate of every source decided
    assert curve.loc[4, "any_f1"] == 1.0 and curve.loc[4, "strong_f1"] == 1.0 and curve.loc[4, "recall_at_1"] == 1.0
    assert curve.loc[0, "decisions"] == 0 and curve.loc[0, "candidate_recall"] == 1.0


def test_two_measures_with_one_text_cannot_be_decided_two_ways(block):
    measures = pd.concat([block[0], pd.DataFrame([{"measure_id": "003:5", "doc_id": "003", "source_file": "003_plan.txt",
                                                   "kind": "measure", "text": TARGETS["003:2"]}])])
    with pytest.raises(ReviewFileError, match="row 3: decides the pair of row 2 .*differently"):
        decisions_from_review(_queue_file([("000:2", "003:2", "strong"), ("000:2", "003:5", "none")]), measures,
                              "alice", "q.csv")


def test_a_verbatim_copy_is_decided_once_and_asked_as_it_was(tmp_path, block):
    copied = {**TARGETS, "003:1": SOURCES["000:1"]}  # the lower plan copied the measure word for word
    measures = _measures(targets=copied)
    path = tmp_path / "decisions.csv"
    append_decisions(path, decisions_from_review(_queue_file([("000:1", "003:1", "strong")]), measures, "alice", "q.csv"))
    resolved = resolve_decisions(read_decisions(path), measures)
    rows = set(zip(resolved["src_measure_id"], resolved["tgt_measure_id"], resolved["as_asked"]))
    assert rows == {("000:1", "003:1", True), ("003:1", "000:1", False)}


def test_a_queue_over_both_directions_asks_each_pair_once(block):
    measures, _, model, params = block
    both = block_evidence(measures, [("000", "003", "top-down"), ("003", "000", "bottom-up")],
                          get_encoder("lexical").encode, 4, progress=False)
    al, _ = score_blocks(both, model, params)
    queue = review_queue(al, len(al))
    keys = [frozenset(p) for p in zip(queue["src_measure_id"], queue["tgt_measure_id"])]
    assert len(keys) == len(set(keys)) and len(keys) < len(al)


def test_coverage_takes_a_strong_link_over_a_confirmed_partial_one_and_keeps_the_block_direction():
    from alignment import schemas
    from alignment.cascade.coverage import coverage

    def link(t, label, score, reviewed):
        return {"src_measure_id": "000:1", "tgt_measure_id": t, "src_doc": "000", "tgt_doc": "003", "direction": "top-down",
                "score": score, "rank": 1, "label": label, "semantic": 0.5, "lexical": 0.5, "reuse": 0.2,
                "evidence": "", "reviewed": reviewed}
    al = schemas.frame([link("003:1", "strong", 0.9, False), link("003:2", "partial", 1.0, True)], schemas.ALIGNMENTS)
    src = pd.DataFrame({"measure_id": ["000:1"], "doc_id": ["000"]})
    row = coverage(al, src, "003").iloc[0]
    assert (row["status"], row["best_tgt_measure_id"], row["reviewed"]) == ("covered", "003:1", False)
    empty = coverage(al.iloc[:0], src, "003", "bottom-up").iloc[0]
    assert (empty["status"], empty["direction"]) == ("gap", "bottom-up")


def test_text_hash_ignores_punctuation_and_script():
    assert text_hash("加强法治建设。") == text_hash(" 加強法治建設, ")
    assert text_hash("加强法治建设") != text_hash("加强法治宣传")


# --------------------------------------------------------------------------- the command


def _fill(path, decisions: dict[int, str]):
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.active
    col = [c.value for c in ws[1]].index("decision") + 1
    for row, word in decisions.items():
        ws.cell(row=row, column=col).value = word
    wb.save(path)


def test_review_queue_apply_and_align_honours_it(project, capsys):  # noqa: F811
    from openpyxl import load_workbook
    from openpyxl.cell.rich_text import CellRichText

    run(capsys, "parse")
    code, out, err = run(capsys, "review", "--src", "000", "--tgt", "003", "--budget", "6", "--out", "q.xlsx")
    assert code == 0, err
    ws = load_workbook(project / "data" / "q.xlsx", rich_text=True).active
    header = [c.value for c in ws[1]]
    assert {"src_measure_id", "tgt_measure_id", "src_text", "tgt_text", "score", "label", "evidence",
            "decision"} <= set(header)
    assert ws.max_row == 7 and all(ws.cell(r, header.index("decision") + 1).value in (None, "") for r in range(2, 8))
    assert ws.data_validations.dataValidation[0].formula1 == '"strong,partial,none,强,部分,无"'
    assert any(isinstance(ws.cell(r, header.index("src_text") + 1).value, CellRichText) for r in range(2, 8))

    _fill(project / "data" / "q.xlsx", {2: "强", 3: "none"})
    code, out, err = run(capsys, "review", "--apply", "q.xlsx", "--reviewer", "alice")
    assert code == 0, err
    assert "2 decisions recorded" in out
    decisions = pd.read_csv(project / "data" / "review" / "decisions.csv", dtype=str)
    assert decisions["reviewer"].tolist() == ["alice", "alice"]
    src, tgt = ws.cell(2, 1).value, ws.cell(2, 2).value

    code, out, err = run(capsys, "align", "--src", "000", "--tgt", "003")
    assert code == 0, err
    al = pd.read_parquet(project / "data" / "processed" / "alignments_000__003.parquet")
    assert al["reviewed"].sum() == 2
    pair = al[(al["src_measure_id"] == src) & (al["tgt_measure_id"] == tgt)]
    assert pair["label"].tolist() == ["strong"] and pair["reviewed"].all()

    # aligned the other way round (bottom-up), the pair keeps the decision
    code, out, err = run(capsys, "align", "--src", "003", "--tgt", "000")
    assert code == 0, err
    back = pd.read_parquet(project / "data" / "processed" / "alignments_003__000.parquet")
    mirrored = back[(back["src_measure_id"] == tgt) & (back["tgt_measure_id"] == src)]
    assert mirrored["label"].tolist() == ["strong"] and mirrored["reviewed"].all()

    code, out, err = run(capsys, "review", "--status")
    assert code == 0, err
    assert "2 decisions recorded on 2 pairs by alice" in out and "calibrated model" in out
    assert "no longer match" not in out

    # the next queue never asks the decided pairs again
    run(capsys, "review", "--src", "000", "--tgt", "003", "--budget", "6", "--out", "q2.csv")
    q2 = pd.read_csv(project / "data" / "q2.csv", dtype=str, encoding="utf-8-sig")
    assert (src, tgt) not in set(zip(q2["src_measure_id"], q2["tgt_measure_id"]))


def test_review_apply_refuses_a_bad_file_and_records_nothing(project, capsys):  # noqa: F811
    run(capsys, "parse")
    run(capsys, "review", "--src", "000", "--tgt", "003", "--budget", "3", "--out", "q.csv")
    q = pd.read_csv(project / "data" / "q.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    q["decision"] = ["strong", "perhaps", "none"]
    q.to_csv(project / "data" / "bad.csv", index=False)
    code, _, err = run(capsys, "review", "--apply", "bad.csv")
    assert code == 1 and "bad.csv" in err and "row 3" in err and "perhaps" in err
    assert len(err.strip().splitlines()) == 1
    assert not (project / "data" / "review" / "decisions.csv").exists()


def test_review_simulate_prints_what_each_budget_buys(project, capsys):  # noqa: F811
    run(capsys, "parse")
    code, out, err = run(capsys, "review", "--simulate", "--gold", GOLD_DEV_PATH, "--budgets", "0,1")
    assert code == 0, err
    lines = [line.split() for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert [float(r[0]) for r in lines] == [0.0, 1.0]
    header = next(line.split() for line in out.splitlines() if "any_f1" in line)
    f1 = [float(r[header.index("any_f1")]) for r in lines]
    assert f1[1] > f1[0]  # a decision per source measure buys better links
    assert not (project / "data" / "review" / "decisions.csv").exists()  # the project is not touched


def test_review_needs_one_mode(project, capsys):  # noqa: F811
    run(capsys, "parse")
    code, _, err = run(capsys, "review", "--status", "--simulate")
    assert code == 1 and "one of --out" in err
    code, _, err = run(capsys, "review", "--apply", "q.csv", "--src", "000")
    assert code == 1 and "--src belongs with --out" in err


def test_a_header_with_spaces_is_read_as_written(project, capsys):  # noqa: F811
    run(capsys, "parse")
    run(capsys, "review", "--src", "000", "--tgt", "003", "--budget", "2", "--out", "q.csv")
    q = pd.read_csv(project / "data" / "q.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    q["decision"] = ["strong", ""]
    q.rename(columns={"decision": " decision "}).to_csv(project / "data" / "padded.csv", index=False)
    code, out, err = run(capsys, "review", "--apply", "padded.csv")
    assert code == 0 and out.startswith("1 decisions recorded") and "1 rows left blank" in out, err


def test_a_queue_never_overwrites_a_file(project, capsys):  # noqa: F811
    run(capsys, "parse")
    filled = project / "data" / "q.csv"
    filled.write_text("src_measure_id,tgt_measure_id,decision\n", encoding="utf-8")
    code, _, err = run(capsys, "review", "--src", "000", "--tgt", "003", "--out", "q.csv")
    assert code == 1 and "exists" in err and "--force" in err
    assert filled.read_text(encoding="utf-8") == "src_measure_id,tgt_measure_id,decision\n"
    assert run(capsys, "review", "--src", "000", "--tgt", "003", "--out", "q.csv", "--force")[0] == 0
    code, _, err = run(capsys, "review", "--src", "000", "--tgt", "003", "--out", "review/decisions.csv", "--force")
    assert code == 1 and "decisions file" in err
    code, _, err = run(capsys, "review", "--src", "000", "--tgt", "000", "--out", "q2.csv")
    assert code == 1 and "same plan" in err


def test_a_damaged_decisions_file_stops_run_with_one_line(project, capsys):  # noqa: F811
    decisions = project / "data" / "review" / "decisions.csv"
    decisions.parent.mkdir(parents=True)
    decisions.write_text("decided_at,reviewer\n2026,alice\n", encoding="utf-8")
    code, _, err = run(capsys, "run")
    errors = [line for line in err.splitlines() if line.startswith("error")]
    assert code == 1 and len(errors) == 1 and err.strip().endswith(errors[0])
    assert str(decisions) in errors[0] and "wrong columns" in errors[0]

