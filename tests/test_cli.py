"""The `alignment` command end to end in a researcher's own project folder, bad input included."""
import json
import shutil

import pandas as pd
import pytest

from alignment.cli import cli
from alignment.config import DEFAULT_ENCODER

from .conftest import GOLD_DEV, ROOT, SEED


def run(capsys, *argv):
    """Exit code, stdout and stderr of one command line."""
    code = cli([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture
def project(tmp_path, capsys, monkeypatch):
    """A project folder made by `alignment init`, with seeds 000 and 003 and two bad files."""
    folder = tmp_path / "study"
    assert run(capsys, "init", folder)[0] == 0
    raw = folder / "data" / "raw"
    for p in ("000", "003"):
        shutil.copy(SEED[p], raw / SEED[p].name)
    (raw / "999_empty.txt").write_bytes(b"")
    (raw / "998_notes.txt").write_text("会议纪要,没有任何编号条目。", encoding="utf-8")
    (folder / "alignment.yaml").write_text("encoder: lexical\n", encoding="utf-8")
    monkeypatch.chdir(folder / "data")  # commands find the project from a subfolder
    return folder


def test_a_bad_option_is_a_usage_error(capsys):
    code, _, err = run(capsys, "review", "--bogus")
    assert code == 2 and "No such option: --bogus" in err and "unexpected" not in err


def test_init_makes_a_project_folder_and_refuses_to_overwrite_one(tmp_path, capsys):
    folder = tmp_path / "new"
    code, out, _ = run(capsys, "init", folder)
    assert code == 0 and "put plans in data/raw/" in out
    for sub in ("data/raw/manifest.csv", "data/processed", "data/interim", "figures", "alignment.yaml"):
        assert (folder / sub).exists()
    assert (folder / "data/raw/manifest.csv").read_text(encoding="utf-8").startswith("doc_id,files,")
    assert f"# encoder: {DEFAULT_ENCODER}" in (folder / "alignment.yaml").read_text(encoding="utf-8")
    code, _, err = run(capsys, "init", folder)
    assert code == 1 and "already a project folder" in err
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("x", encoding="utf-8")
    assert "not empty" in run(capsys, "init", tmp_path / "busy")[2]


def test_commands_work_on_the_project_of_the_current_folder(project, capsys):
    code, out, err = run(capsys, "parse")
    assert code == 0, err
    processed = project / "data" / "processed"
    docs = pd.read_parquet(processed / "documents.parquet").set_index("doc_id")
    assert set(docs.index) == {"000", "003", "999", "998"}
    assert (project / "data" / "interim" / "clean").is_dir()  # interim files stay in the project too
    assert f"-> {processed}" in out


def test_project_flag_works_from_anywhere_and_no_project_is_one_line(project, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "parse")
    assert code == 1 and err.count("\n") == 1 and "not inside a project folder" in err and "alignment init" in err
    assert run(capsys, "--project", project, "parse")[0] == 0
    assert (project / "data" / "processed" / "measures.parquet").exists()


def test_bad_files_are_reported_recorded_and_the_others_kept(project, capsys):
    code, out, err = run(capsys, "parse")
    assert code == 0
    assert "skipped 999: 999_empty.txt: file is empty" in err
    assert "998_notes.txt: no numbered items" in err
    docs = pd.read_parquet(project / "data/processed/documents.parquet").set_index("doc_id")
    assert docs.loc["999", "status"] == "skipped" and "file is empty" in docs.loc["999", "reason"]
    assert docs.loc["000", "status"] == "parsed" and docs.loc["000", "reason"] == ""
    m = pd.read_parquet(project / "data/processed/measures.parquet")
    assert set(m["doc_id"]) == {"000", "003"}
    assert "2 plans" in out and "2 skipped" in out


def test_a_plan_that_breaks_later_stays_in_the_documents_table_as_skipped(project, capsys):
    run(capsys, "parse")
    raw = project / "data" / "raw"
    (raw / SEED["003"].name).write_bytes(b"\x00\x01binary\x00" * 50)
    assert run(capsys, "parse")[0] == 0
    docs = pd.read_parquet(project / "data/processed/documents.parquet").set_index("doc_id")
    assert docs.loc["003", "status"] == "skipped" and "binary" in docs.loc["003", "reason"]


def test_strict_makes_errors_fatal_and_writes_nothing(project, capsys):
    code, _, err = run(capsys, "parse", "--strict")
    assert code == 1 and ("999_empty.txt" in err or "998_notes.txt" in err)
    assert not (project / "data/processed/measures.parquet").exists()


def test_parse_ends_with_a_summary_line_per_plan(project, capsys):
    _, out, _ = run(capsys, "parse")
    lines = {line.split()[0]: line for line in out.splitlines() if line[:3] in ("000", "003")}
    assert lines["000"].split()[1:5] == ["54", "一、", "(一)", "1."]
    assert "garble" in lines["000"]  # its repaired GBK garble is a warning worth reading
    # no manifest row; no period: the only one in its title is the cited 《法治湖南建设规划(2021-2025年)》's
    assert lines["003"].split()[1] == "87" and "title region level impl" in lines["003"]


def test_align_errors_are_one_line_and_its_output_path_is_true(project, capsys):
    run(capsys, "parse")
    for argv, message in ((("--src", "000", "--tgt", "nope"), "unknown plan(s) ['nope']"),
                          (("--src", ",", "--tgt", "003"), "--src names no plan"),
                          (("--src", "000", "--tgt", "003", "--encoder", "bogus"), "unknown encoder 'bogus'"),
                          (("--src", "000", "--tgt", "003", "--out", "c.txt"), "give a name ending in .parquet")):
        code, _, err = run(capsys, "align", *argv)
        assert code == 1 and message in err and err.count("\n") == 1, err
    code, out, err = run(capsys, "align", "--src", "000", "--tgt", "003", "--out", project / "al.parquet")
    assert code == 0, err
    assert str(project / "al.parquet") in out and str(project / "al.csv") in out
    al = pd.read_parquet(project / "al.parquet")
    assert set(al["label"]) <= {"strong", "partial", "candidate"} and (al["label"] == "strong").any()


def test_help_lists_the_stages(capsys):
    _, out, _ = run(capsys, "--help")
    listed = [line.strip("│ ").split()[0] for line in out.splitlines()
              if line.startswith("│ ") and not line.startswith("│  ")]
    assert [c for c in listed if not c.startswith("-")] == ["init", "parse", "align", "evaluate", "calibrate", "run", "review",
                                                          "cascade", "trace", "figures", "explore"]


@pytest.mark.model
def test_calibrate_writes_a_score_model_that_evaluate_then_uses(project, capsys):
    run(capsys, "parse")
    code, out, err = run(capsys, "calibrate", "--gold", GOLD_DEV, "--encoders", "lexical")
    assert code == 0, err
    assert "cross-validated" in out and "any-link F1" in out
    cal = json.loads((project / "data" / "interim" / "calibration.json").read_text(encoding="utf-8"))
    assert set(cal) == {"lexical"}
    assert cal["lexical"]["weights"]["span_info"] > 0  # shared rare wording is evidence of a link
    code, out, err = run(capsys, "evaluate", "--gold", GOLD_DEV, "--encoders", "lexical")
    assert code == 0, err
    assert out.splitlines()[0].split() == ["metric", "lexical"]


GOLD_HEADER = "src_doc,src_id,src_quote,tgt_doc,tgt_quote,strength,note\n"


def _gold(tmp_path, body: str, name: str):
    path = tmp_path / name
    path.write_text(GOLD_HEADER + body, encoding="utf-8")
    return path


def test_gold_file_problems_are_one_line_with_the_row(project, capsys, tmp_path):
    run(capsys, "parse")
    bad = tmp_path / "labels.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    cases = [
        (bad, "labels.csv: lacks column(s)"),
        (tmp_path / "missing.csv", "missing.csv: cannot be read"),
        (_gold(tmp_path, "000,000:1,加强网络综合治理工作,003,网络治理,very,\n", "a.csv"), "row 2 has strength 'very'"),
        (_gold(tmp_path, "000,000:1,加强网络综合治理工作,003,网络治理,strong,\n000,000:2,加强\n", "b.csv"),
         "row 3 has 3 of 7 fields (cut short?)"),
        (_gold(tmp_path, "777,777:1,加强网络综合治理工作,778,网络治理,strong,\n", "c.csv"), "names no plan pair present"),
    ]
    for path, message in cases:
        code, _, err = run(capsys, "evaluate", "--gold", path, "--encoders", "lexical")
        assert code == 1 and message in err and err.count("\n") == 1, err


def test_gold_strength_spelling_does_not_change_the_score(project, capsys, tmp_path):
    run(capsys, "parse")
    text = GOLD_DEV.read_text(encoding="utf-8")
    sloppy = text.replace('"strong"', '"Strong "').replace('"partial"', '"部分"')
    sloppy_path = tmp_path / "sloppy.csv"
    sloppy_path.write_text(sloppy, encoding="utf-8")
    _, clean_out, _ = run(capsys, "evaluate", "--gold", GOLD_DEV, "--encoders", "lexical")
    code, sloppy_out, err = run(capsys, "evaluate", "--gold", sloppy_path, "--encoders", "lexical")
    assert code == 0, err
    assert sloppy_out == clean_out and "strong F1" in clean_out


@pytest.mark.parametrize("yaml_text, message", [
    ("encoderr: lexical\n", "unknown settings ['encoderr']"),
    ("encoder: [unclosed\n", "not valid YAML"),
    ("- a list\n", "expected 'field: value' lines"),
])
def test_a_bad_settings_file_is_one_line(project, capsys, tmp_path, yaml_text, message):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(yaml_text, encoding="utf-8")
    code, _, err = run(capsys, "parse", "--config", cfg)
    assert code == 1 and message in err and "bad.yaml" in err and err.count("\n") == 1


def test_missing_or_unusable_folders_are_one_line(project, capsys):
    raw = project / "data" / "raw"
    for argv, message in ((("--raw-dir", project / "nope"), "does not exist"),
                          (("--raw-dir", raw / "998_notes.txt"), "is a file, not a folder"),
                          (("--out-dir", raw / "998_notes.txt" / "out"), "cannot write to")):
        code, _, err = run(capsys, "parse", *argv)
        assert code == 1 and message in err and err.count("error") == 1 and err.endswith("\n"), err
    empty = project / "empty"
    empty.mkdir()
    code, _, err = run(capsys, "parse", "--raw-dir", empty)
    assert code == 1 and "no plan could be parsed" in err and "no plan files" in err
    for f in raw.glob("0*.txt"):
        f.unlink()
    code, _, err = run(capsys, "parse")
    assert code == 1 and "2 file(s) skipped (reasons above)" in err and "999_empty.txt: file is empty" in err


def test_debug_shows_the_traceback(project, capsys, tmp_path):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("encoderr: x\n", encoding="utf-8")
    with pytest.raises(Exception, match="unknown settings"):
        cli(["--debug", "parse", "--config", str(cfg)])


def test_align_reads_the_tables_parse_wrote_elsewhere(project, capsys, tmp_path):
    elsewhere = tmp_path / "tables"
    assert run(capsys, "parse", "--out-dir", elsewhere)[0] == 0
    assert not (project / "data/processed/measures.parquet").exists()
    code, _, err = run(capsys, "align", "--src", "000", "--tgt", "003")
    assert code == 1 and "has no documents, measures table" in err
    code, out, err = run(capsys, "align", "--src", "000", "--tgt", "003", "--processed-dir", elsewhere)
    assert code == 0 and str(elsewhere / "alignments_000__003.parquet") in out, err


def test_run_writes_the_cascade_and_trace_follows_a_measure(project, capsys):
    code, out, err = run(capsys, "run")
    assert code == 0, err
    processed = project / "data" / "processed"
    for name in ("cascade.graphml", "cascade.gexf", "cascade.json", "report.xlsx", "cascade_nodes.parquet",
                 "coverage_summary.csv", "gaps.parquet", "innovations.parquet", "drift.parquet", "unit_load.csv"):
        assert (processed / name).exists(), name
    assert "cascade graph: 2 plans" in out
    sheets = pd.ExcelFile(processed / "report.xlsx").sheet_names
    assert sheets == ["coverage_summary", "gaps", "innovations", "drift", "unit_load"]
    runs = json.loads((processed / "_runs.json").read_text(encoding="utf-8"))
    assert runs["drift"]["measures_run"] == runs["measures"]["run"]
    code, out, err = run(capsys, "trace", "003:二/(二)-t1")
    assert code == 0, err
    assert out.startswith("003:二/(二)-t1: 加强党对法治湘潭建设的集中统一领导")
    assert "comes from:" in out and "[provincial] 000:" in out and "requirement: req:" in out
    code, _, err = run(capsys, "trace", "nope")
    assert code == 1 and "no measure 'nope'" in err
    assert run(capsys, "cascade")[0] == 0  # alone, from the tables of the last run
    code, out, err = run(capsys, "figures", "--lang", "en")
    assert code == 0 and "6 figures (en)" in out, err
    assert (project / "figures" / "coverage_heatmap.png").exists() and (project / "figures" / "drift.svg").exists()
    code, out, err = run(capsys, "explore")
    assert code == 0 and (project / "figures" / "explorer.html").exists(), err


def test_a_project_of_one_plan_runs_end_to_end(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "one"
    run(capsys, "init", folder)
    shutil.copy(ROOT / "tests" / "wild" / "plans" / "wc01.gbk.txt", folder / "data" / "raw")
    monkeypatch.chdir(folder)
    code, out, err = run(capsys, "run")
    assert code == 0 and "no plans to align with each other yet" in out, err
    assert run(capsys, "figures")[0] == 0 and run(capsys, "explore")[0] == 0
    docs = pd.read_parquet(folder / "data" / "processed" / "documents.parquet")
    assert docs["region"].iat[0] == "河南省驻马店市西平县"
