"""Reliability: hostile files of every supported type, interrupted runs, file modes.

Each case is one way a researcher's folder goes wrong; the promise is the same for all: one clear
line naming the file, the other plans still parsed, and the outputs on disk always one run's
complete set.
"""
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alignment.io import RUNS_FILE, OutputSet, read_runs
from alignment.parsing.ingest import DOC_CONVERTERS, IngestError, read_raw
from alignment.parsing.manifest import ManifestError, load_manifest
from alignment.parsing.parse import parse_corpus

from .conftest import SEED

FIXTURES = Path(__file__).parent / "fixtures"
PLAN = "一、主要任务\n1.加强宪法学习宣传教育。\n2.推进严格规范公正文明执法。\n"


def _docx(document_xml: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
                   'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                   'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml", document_xml)
    return buf.getvalue()


HOSTILE = {
    "empty.txt": b"",
    "nul.txt": b"\x00" * 400,
    "random.txt": bytes(random.Random(1).randrange(256) for _ in range(3000)),
    "latin1.txt": "Plan de travail: réformes, échéances, responsabilités. " .encode("latin-1") * 20,
    "broken_xml.docx": _docx(b"<w:document><w:body><w:p>unclosed"),
    "not_a_zip.docx": b"PK\x03\x04 truncated zip",
    "junk.pdf": b"%PDF-1.7\n" + b"\x00garbage" * 50,
    "no_header.pdf": b"plain text named .pdf",
    "junk.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
    "junk.wps": b"not an OLE file at all",
    "junk.rtf": b"{\\rtf1\\ansi {\\fonttbl",
    "not_rtf.rtf": b"hello",
    "deep.html": b"<html><body>" + b"<div>" * 3000 + "一、任务".encode() + b"</div>" * 3000 + b"</body></html>",
    "one_line.txt": ("很长的一行" * 20000).encode("utf-8"),
}


def test_every_hostile_file_is_one_reason_and_the_good_plan_survives(tmp_path):
    for name, data in HOSTILE.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "good.txt").write_text(PLAN, encoding="utf-8")
    result = parse_corpus(load_manifest(tmp_path), progress=False)
    docs = result.documents.set_index("doc_id")
    assert docs.loc["good", "status"] == "parsed" and docs.loc["good", "n_measures"] == 2
    skipped = docs[docs["status"] == "skipped"]
    for doc_id, row in skipped.iterrows():  # each reason names its file and is one line
        assert row["files"][0] in row["reason"] and "\n" not in row["reason"], row["reason"]
    for name in ("empty.txt", "nul.txt", "random.txt", "broken_xml.docx", "not_a_zip.docx", "junk.pdf",
                 "no_header.pdf", "junk.doc", "junk.wps", "junk.rtf", "not_rtf.rtf"):
        assert any(name in r for r in skipped["reason"]), name
    assert len(result.errors) == len(skipped)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(suffix=st.sampled_from([".txt", ".html", ".docx", ".pdf", ".rtf", ".doc"]), data=st.binary(max_size=2000))
def test_random_bytes_of_any_type_never_crash_the_reader(tmp_path, suffix, data):
    path = tmp_path / f"x{suffix}"
    path.write_bytes(data)
    try:
        raw = read_raw(path)
    except IngestError as exc:
        assert str(exc).startswith(path.name) and "\n" not in str(exc)
    else:
        assert isinstance(raw.text, str)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list('abc,;"\n\r 西平县 plan.txt../doc_idfiles')), max_size=300))
def test_any_manifest_text_is_read_or_refused_with_one_line(tmp_path, text):
    (tmp_path / "plan.txt").write_text(PLAN, encoding="utf-8")
    (tmp_path / "manifest.csv").write_text(text, encoding="utf-8")
    try:
        entries = load_manifest(tmp_path)
    except ManifestError as exc:
        assert "manifest.csv" in str(exc) and "\n" not in str(exc)
    else:
        assert all("\n" not in e.problem for e in entries)


def test_word_97_and_rtf_plans_are_read(tmp_path):
    rtf = read_raw(FIXTURES / "plan.rtf")
    assert "一、依法全面履行政府职能" in rtf.text and "责任单位:县政府办公室" in rtf.text
    if any(shutil.which(program) for program, _ in DOC_CONVERTERS):
        doc = read_raw(FIXTURES / "plan.doc")
        assert "(一)为推动经济高质量发展提供法治保障" in doc.text
    else:  # without a converter the file is refused, saying how to read it
        with pytest.raises(IngestError, match="apt-get install catdoc"):
            read_raw(FIXTURES / "plan.doc")


def test_doc_without_converter_is_refused_with_what_to_do(tmp_path, monkeypatch):
    from alignment.parsing import ingest

    monkeypatch.setattr(ingest, "DOC_CONVERTERS", (("no-such-converter", []),))
    with pytest.raises(IngestError, match="needs the converter catdoc or antiword.*save the file as .docx"):
        read_raw(FIXTURES / "plan.doc")


def test_outputs_follow_the_umask_and_a_failed_set_leaves_the_old_one(tmp_path):
    old = os.umask(0o022)
    try:
        with OutputSet(tmp_path) as out:
            out.write_table(pd.DataFrame({"doc_id": ["a"]}), "documents")
            out.write_table(pd.DataFrame({"measure_id": ["a:1"]}), "measures")
    finally:
        os.umask(old)
    assert (tmp_path / "measures.parquet").stat().st_mode & 0o777 == 0o644
    first = read_runs(tmp_path)["measures"]["run"]
    with pytest.raises(RuntimeError), OutputSet(tmp_path) as out:
        out.write_table(pd.DataFrame({"doc_id": ["a", "b"]}), "documents")
        raise RuntimeError("crash halfway")
    assert read_runs(tmp_path)["measures"]["run"] == first
    assert list(pd.read_parquet(tmp_path / "documents.parquet")["doc_id"]) == ["a"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


# --------------------------------------------------------------------------- interrupted runs


def _project(tmp_path: Path, copies: int) -> Path:
    folder = tmp_path / "study"
    raw = folder / "data" / "raw"
    raw.mkdir(parents=True)
    (folder / "alignment.yaml").write_text("encoder: lexical\n", encoding="utf-8")
    for i in range(copies):
        shutil.copy(SEED["003" if i % 2 else "004"], raw / f"p{i:03d}_{SEED['003' if i % 2 else '004'].name}")
    return folder


def _alignment(folder: Path, *argv, interrupt_after: float | None = None):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "alignment.cli", "--project", str(folder), *argv],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    if interrupt_after is not None:
        time.sleep(interrupt_after)
        proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=600)
    return proc.returncode, out, err


def _one_run(processed: Path) -> set[str]:
    """The plans of the output set, after checking every table comes from the same run."""
    runs = json.loads((processed / RUNS_FILE).read_text(encoding="utf-8"))
    measures_run = runs["measures"]["run"]
    assert all(r["measures_run"] == measures_run for r in runs.values()), runs
    docs = set(pd.read_parquet(processed / "documents.parquet")["doc_id"])
    for name in ("measures", "alignments", "coverage"):
        if (processed / f"{name}.parquet").exists():
            table = pd.read_parquet(processed / f"{name}.parquet")
            col = "doc_id" if name == "measures" else "src_doc"
            assert set(table[col]) <= docs, name
    return docs


@pytest.mark.parametrize("command", ["parse", "run"])
def test_ctrl_c_at_any_moment_leaves_one_complete_run(tmp_path, command):
    folder = _project(tmp_path, copies=12)
    processed = folder / "data" / "processed"
    code, _, err = _alignment(folder, command)
    assert code == 0, err
    before = _one_run(processed)
    rng = random.Random(7)
    raw = folder / "data" / "raw"
    interrupted = 0
    for attempt in range(3):
        shutil.copy(SEED["000"], raw / f"new{attempt}_{SEED['000'].name}")  # a plan added since
        code, _, err = _alignment(folder, command, interrupt_after=rng.uniform(1.0, 4.0))
        after = _one_run(processed)
        if code == 0:
            assert f"new{attempt}" in after
        else:  # 130: interrupted in the command; -2: the signal came while Python was exiting
            interrupted += 1
            assert code in (130, -signal.SIGINT), err
            assert code == -signal.SIGINT or ("interrupted" in err and "Traceback" not in err)
            assert after in (before, before | {f"new{k}" for k in range(attempt + 1)})
        before = after
    assert not [p for p in processed.iterdir() if p.name.startswith(".staging")]
    if command == "run":  # a run of 13 plans takes longer than any delay: the signal lands in it
        assert interrupted >= 1
