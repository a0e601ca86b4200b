"""Ingest: every format and encoding a researcher's plans arrive in, and clear errors."""
import io
import zipfile

import pytest

from alignment.parsing.ingest import IngestError, decode_bytes, read_raw

SNIPPET = "台安县法治政府建设实施方案\n1.推进政府职能法定化。坚持法定职责必须为、法无授权不可为。\n"
TRAD = "遼寧省貫徹法治中國建設規劃實施方案\n1. 健全全省系統完備、運行有效的黨內法規制度。\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le"])
def test_simplified_text_decodes_in_every_encoding(tmp_path, encoding):
    path = tmp_path / "plan.txt"
    path.write_bytes(SNIPPET.encode(encoding))
    raw = read_raw(path)
    assert raw.text.replace("\ufeff", "") == SNIPPET


def test_big5_traditional_is_detected():
    text, enc, _ = decode_bytes(TRAD.encode("big5"))
    assert text == TRAD and enc == "big5"


def test_gbk_is_not_mistaken_for_big5():
    text, enc, _ = decode_bytes(SNIPPET.encode("gbk"))
    assert enc == "gb18030" and text == SNIPPET


def test_truncated_utf8_keeps_text_and_flags_it():
    text, _, flags = decode_bytes(SNIPPET.encode("utf-8")[:-2])
    assert "truncated_multibyte" in flags and text.startswith("台安县")


def test_html_page_to_text(tmp_path):
    html = "<html><head><script>var x=1;</script></head><body><div>一、总体要求</div><p>1.推进政府职能法定化。</p></body></html>"
    path = tmp_path / "plan.html"
    path.write_text(html, encoding="gbk")
    raw = read_raw(path)
    assert raw.fmt == "html" and "一、总体要求" in raw.text and "var x" not in raw.text


def test_docx_paragraphs(tmp_path):
    import docx

    d = docx.Document()
    for line in SNIPPET.strip().split("\n"):
        d.add_paragraph(line)
    path = tmp_path / "plan.docx"
    d.save(path)
    assert "1.推进政府职能法定化" in read_raw(path).text


def test_pdf_text_layer(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "plan.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("STSong-Light", 12)
    c.drawString(72, 750, "1.推进政府职能法定化。")
    c.save()
    assert "推进政府职能法定化" in read_raw(path).text


@pytest.mark.parametrize("name,data,reason", [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"  \n\n ", "empty"),
    ("binary.txt", bytes(range(256)) * 20, "binary"),
    ("broken.docx", b"PK\x03\x04 not really a zip", "not a readable .docx"),
    ("fake.pdf", b"hello", "PDF header"),
    ("cut.pdf", b"%PDF-1.4\n1 0 obj<<>>", "PDF"),
    ("noise.txt", bytes([0x81, 0x20, 0xFF, 0x30]) * 200, "cannot be decoded"),
])
def test_bad_files_get_errors_naming_file_and_reason(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(IngestError) as exc:
        read_raw(path)
    assert name in str(exc.value) and reason in str(exc.value)


def test_zip_that_is_not_docx(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "x")
    path = tmp_path / "plan.docx"
    path.write_bytes(buf.getvalue())
    with pytest.raises(IngestError, match="plan.docx"):
        read_raw(path)
