"""The `alignment` command end to end on copies of the seeds, including bad input."""
import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from alignment.cli import app

from .conftest import SEED

runner = CliRunner()


@pytest.fixture
def raw_dir(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for p in ("000", "003"):
        shutil.copy(SEED[p], raw / SEED[p].name)
    (raw / "999_empty.txt").write_bytes(b"")
    (raw / "998_notes.txt").write_text("会议纪要,没有任何编号条目。", encoding="utf-8")
    return raw


def test_parse_reports_bad_files_and_keeps_the_others(raw_dir, tmp_path):
    out = tmp_path / "out"
    res = runner.invoke(app, ["parse", "--raw-dir", str(raw_dir), "--out-dir", str(out)])
    assert res.exit_code == 0, res.output
    assert "999_empty.txt: file is empty" in res.output
    assert "998_notes.txt: no numbered items" in res.output
    m = pd.read_parquet(out / "measures.parquet")
    assert set(m["doc_id"]) == {"000", "003"}
    assert (out / "measures.csv").exists() and (out / "documents.csv").exists()
    assert not list(out.glob(".*.tmp"))


def test_strict_makes_errors_fatal_and_writes_nothing(raw_dir, tmp_path):
    out = tmp_path / "out"
    res = runner.invoke(app, ["parse", "--raw-dir", str(raw_dir), "--out-dir", str(out), "--strict"])
    assert res.exit_code == 1
    assert "999_empty.txt" in res.output or "998_notes.txt" in res.output
    assert not (out / "measures.parquet").exists()


def test_align_unknown_plan_is_a_clear_error(raw_dir, tmp_path):
    out = tmp_path / "out"
    runner.invoke(app, ["parse", "--raw-dir", str(raw_dir), "--out-dir", str(out)])
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"processed_dir: {out}\ninterim_dir: {tmp_path / 'interim'}\nencoder: lexical\n", encoding="utf-8")
    res = runner.invoke(app, ["align", "--src", "000", "--tgt", "nope", "--config", str(cfg)])
    assert res.exit_code == 1 and "unknown plan" in res.output
    res = runner.invoke(app, ["align", "--src", "000", "--tgt", "003", "--config", str(cfg),
                              "--out", str(tmp_path / "al.parquet")])
    assert res.exit_code == 0, res.output
    al = pd.read_parquet(tmp_path / "al.parquet")
    assert set(al["label"]) <= {"strong", "partial", "candidate"} and (al["label"] == "strong").any()


def test_help_lists_the_stages():
    res = runner.invoke(app, ["--help"])
    listed = [line.strip("│ ").split()[0] for line in res.output.splitlines()
              if line.startswith("│ ") and not line.startswith("│  ")]
    assert [c for c in listed if not c.startswith("-")] == ["parse", "align", "evaluate", "calibrate", "run"]


@pytest.mark.model
def test_calibrate_writes_a_score_model_that_evaluate_then_uses(raw_dir, tmp_path):
    import json

    from .conftest import GOLD_DEV

    out, gold = tmp_path / "out", str(GOLD_DEV)
    runner.invoke(app, ["parse", "--raw-dir", str(raw_dir), "--out-dir", str(out)])
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"processed_dir: {out}\ninterim_dir: {tmp_path / 'interim'}\n", encoding="utf-8")
    res = runner.invoke(app, ["calibrate", "--gold", gold, "--encoders", "lexical", "--config", str(cfg)])
    assert res.exit_code == 0, res.output
    assert "cross-validated" in res.output and "any-link F1" in res.output
    cal = json.loads((tmp_path / "interim" / "calibration.json").read_text(encoding="utf-8"))
    assert set(cal) == {"lexical"}
    assert cal["lexical"]["weights"]["span_info"] > 0  # shared rare wording is evidence of a link
    res = runner.invoke(app, ["evaluate", "--gold", gold, "--encoders", "lexical", "--config", str(cfg)])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[0].split() == ["metric", "lexical"]


def test_gold_file_problems_are_clear_errors(raw_dir, tmp_path):
    out = tmp_path / "out"
    runner.invoke(app, ["parse", "--raw-dir", str(raw_dir), "--out-dir", str(out)])
    cfg = tmp_path / "c.yaml"
    cfg.write_text(f"processed_dir: {out}\ninterim_dir: {tmp_path / 'interim'}\n", encoding="utf-8")
    bad = tmp_path / "labels.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    res = runner.invoke(app, ["evaluate", "--gold", str(bad), "--encoders", "lexical", "--config", str(cfg)])
    assert res.exit_code == 1 and "labels.csv: gold file lacks columns" in res.output
    res = runner.invoke(app, ["evaluate", "--gold", str(tmp_path / "missing.csv"), "--config", str(cfg)])
    assert res.exit_code != 0 and "does not exist" in res.output
    other = tmp_path / "other.csv"
    other.write_text("src_doc,src_id,src_quote,tgt_doc,tgt_quote,strength,note\n"
                     "777,777:1,加强网络综合治理工作,778,网络治理,strong,\n", encoding="utf-8")
    res = runner.invoke(app, ["evaluate", "--gold", str(other), "--config", str(cfg)])
    assert res.exit_code == 1 and "names no plan pair present" in res.output


def test_parse_ends_with_a_summary_line_per_plan(raw_dir, tmp_path):
    res = runner.invoke(app, ["parse", "--raw-dir", str(raw_dir), "--out-dir", str(tmp_path / "out")])
    lines = {line.split()[0]: line for line in res.stdout.splitlines() if line[:3] in ("000", "003")}
    assert lines["000"].split()[1:5] == ["54", "一、", "(一)", "1."]
    assert "garble" in lines["000"]  # its repaired GBK garble is a warning worth reading
    assert lines["003"].split()[1] == "87" and "title region level period impl" in lines["003"]  # no manifest row
    assert "skipped 998: 998_notes.txt: no numbered items" in res.output
