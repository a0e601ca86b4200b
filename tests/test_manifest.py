"""Manifest: seed rows, inference for unlisted files, clear errors for bad rows."""
import shutil

import pytest

from alignment.manifest import ManifestError, load_manifest

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


@pytest.mark.parametrize("row,message", [
    ("a,missing.txt,,,,,,", "does not exist"),
    ("a,../outside.txt,,,,,,", "outside"),
    ("a,plan.txt,,city,,,,", "unknown level 'city'"),
    ("a b,plan.txt,,,,,,", "doc_id"),
    ("a,,,,,,,", "no files"),
])
def test_bad_rows_get_clear_errors(tmp_path, row, message):
    (tmp_path / "plan.txt").write_text("一、总则\n1.加强领导。\n", encoding="utf-8")
    (tmp_path / "manifest.csv").write_text(HEADER + row + "\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="manifest.csv row 2") as exc:
        load_manifest(tmp_path)
    assert message in str(exc.value)


def test_duplicate_doc_id(tmp_path):
    for n in ("a.txt", "b.txt"):
        (tmp_path / n).write_text("1.加强领导。\n", encoding="utf-8")
    (tmp_path / "manifest.csv").write_text(HEADER + "x,a.txt,,,,,,\nx,b.txt,,,,,,\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="duplicate doc_id"):
        load_manifest(tmp_path)
