"""Manifest: seed rows, inference for unlisted files, clear errors for bad rows."""
import shutil

import pytest

from alignment.parsing.manifest import ManifestError, load_manifest

from .conftest import RAW, SEED

HEADER = "doc_id,files,title,level,region,issuer,period,source_url\n"


def test_seed_manifest_joins_newspaper_parts():
    entries = {e.doc_id: e for e in load_manifest(RAW)}
    assert [p.name[:3] for p in entries["001"].files] == ["002", "001"]
    assert set(entries) == {"000", "001", "003", "004"}


def test_unlisted_file_runs_with_inferred_id(tmp_path):
    shutil.copy(SEED["004"], tmp_path / "004_x.txt")
    (entry,) = load_manifest(tmp_path)
    assert entry.doc_id == "004" and not entry.from_manifest


PLAN = "一、总则\n1.加强领导。\n"


def _raw(tmp_path, manifest: bytes | str, files=("plan.txt", "other.txt")):
    for name in files:
        (tmp_path / name).write_text(PLAN, encoding="utf-8")
    data = manifest.encode("utf-8") if isinstance(manifest, str) else manifest
    (tmp_path / "manifest.csv").write_bytes(data)
    return {e.doc_id: e for e in load_manifest(tmp_path)}


@pytest.mark.parametrize("row,message", [
    ("a,missing.txt,,,,,,", "file 'missing.txt' does not exist"),
    ("a,../outside.txt,,,,,,", "outside"),
    ("a b,plan.txt,,,,,,", "doc_id 'a b' is empty or has characters"),
    ("a,,,,,,,", "no files listed"),
    ("a,notes.xlsx,,,,,,", "unsupported type '.xlsx'"),
])
def test_a_bad_row_skips_only_its_plan(tmp_path, row, message):
    (tmp_path / "notes.xlsx").write_bytes(b"PK")
    entries = _raw(tmp_path, HEADER + row + "\nb,other.txt,,,,,,\n")
    bad = [e for e in entries.values() if e.problem.startswith("manifest.csv")]
    assert len(bad) == 1 and bad[0].problem.startswith("manifest.csv row 2: ") and message in bad[0].problem
    assert entries["b"].problem == "" and entries["b"].files[0].name == "other.txt"


def test_duplicates_blank_rows_and_unknown_levels_are_not_fatal(tmp_path):
    entries = _raw(tmp_path, HEADER + "x,plan.txt,,city,,,,\nx,other.txt,,,,,,\n,,,,,,,\n\n")
    assert entries["x"].problem == "" and entries["x"].level == ""
    assert "unknown level 'city'" in entries["x"].notes[0]
    assert "doc_id 'x' is already used by row 2" in entries["x-row3"].problem
    assert len(entries) == 2  # the blank trailing rows are nothing


def test_a_manifest_saved_by_excel_on_chinese_windows_is_read(tmp_path):
    entries = _raw(tmp_path, (HEADER + "a,plan.txt,西平县工作安排,county,西平县,,,\n").encode("gbk"))
    assert entries["a"].title == "西平县工作安排" and entries["a"].region == "西平县"


def test_a_manifest_without_its_key_columns_or_folder_is_fatal(tmp_path):
    with pytest.raises(ManifestError, match="missing column"):
        _raw(tmp_path, "id,file\na,plan.txt\n")
    with pytest.raises(ManifestError, match="does not exist"):
        load_manifest(tmp_path / "nope")


def test_unlisted_files_get_distinct_ids_and_links_out_are_refused(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text(PLAN, encoding="utf-8")
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("zz_a.txt", "zz_b.txt", "zz_c.txt"):
        (raw / name).write_text(PLAN, encoding="utf-8")
    (raw / "link.txt").symlink_to(outside)
    (raw / "scan.jpg").write_bytes(b"\xff\xd8")
    entries = {e.doc_id: e for e in load_manifest(raw)}
    assert {"zz", "zz-2", "zz-3"} <= set(entries)
    assert "a link to a file outside" in entries["link"].problem
    assert "unsupported file type '.jpg'" in entries["scan"].problem
