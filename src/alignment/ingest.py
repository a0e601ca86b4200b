"""Ingest stage: raw file (any of .txt/.html/.docx/.pdf, any common Chinese encoding) -> text.

Takes bytes, gives a :class:`RawText` (text, detected encoding, format). Encodings are detected,
never assumed: byte-order marks, UTF-16 without BOM, strict UTF-8, then GB18030 (a superset of
GBK/GB2312) and Big5, judged by how much of the decoded text is common Chinese. A file that
cannot be read raises :class:`IngestError` naming the file and the reason.
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .chartables import common_share


class IngestError(ValueError):
    """A raw file that cannot become text; the message names the file and the reason."""

    def __init__(self, path: str | Path, reason: str):
        self.path, self.reason = str(path), reason
        super().__init__(f"{Path(path).name}: {reason}")


@dataclass
class RawText:
    text: str
    encoding: str
    fmt: str
    flags: list[str] = field(default_factory=list)


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_LEGACY = ("gb18030", "big5")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text without a BOM shows NUL in every other byte for ASCII; CJK shows none, so
    also accept it when it decodes cleanly to mostly common Chinese."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    for enc, zeros in (("utf-16-le", odd.count(0)), ("utf-16-be", even.count(0))):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if zeros > len(data) / 8 or (common_share(text) > 0.6 and not _CONTROL.search(text)):
            return enc
    return None


def decode_bytes(data: bytes, name: str = "<bytes>") -> tuple[str, str, list[str]]:
    """Decode raw bytes, detecting the encoding.

    Returns
    -------
    (text, encoding, flags)
        ``flags`` notes repairs, e.g. ``truncated_multibyte`` when the last character was cut.
    """
    if not data.strip():
        raise IngestError(name, "file is empty")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc, []
            except UnicodeDecodeError as exc:
                raise IngestError(name, f"has a {enc} byte-order mark but does not decode: {exc.reason}")
    enc16 = _utf16_without_bom(data)
    if enc16:
        return data.decode(enc16), enc16, []
    if data.count(0) > max(2, len(data) // 100):
        raise IngestError(name, "looks binary (NUL bytes), not a text document")
    flags: list[str] = []
    try:
        text = data.decode("utf-8")
        return _check_text(text, name), "utf-8", flags
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            flags.append("truncated_multibyte")
            return _check_text(data[: exc.start].decode("utf-8"), name), "utf-8", flags
    best: tuple[float, str, str] | None = None
    for enc in _LEGACY:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError as exc:
            if exc.start < len(data) - 2:
                continue
            text = data[: exc.start].decode(enc)
            enc_flags = ["truncated_multibyte"]
        else:
            enc_flags = []
        score = common_share(text)
        if best is None or score > best[0]:
            best = (score, enc, text)
            flags = enc_flags
    if best is None or best[0] < 0.3:
        raise IngestError(name, "cannot be decoded as UTF-8, UTF-16, GB18030/GBK or Big5 text")
    return _check_text(best[2], name), best[1], flags


def _check_text(text: str, name: str) -> str:
    if len(_CONTROL.findall(text)) > max(3, len(text) // 50):
        raise IngestError(name, "looks binary (control characters), not a text document")
    return text


_BLOCK_TAGS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article")


def html_to_text(html: str) -> str:
    """Visible text of an HTML page, one block element per line (scripts and styles dropped)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    for tag in soup.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    text = soup.get_text()
    return re.sub(r"\n\s*\n+", "\n\n", text).strip() + "\n"


def docx_to_text(data: bytes, name: str) -> str:
    """Paragraphs (and table cells) of a .docx file, one per line."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError(name, f"is not a readable .docx file ({exc.__class__.__name__}: {exc})") from None
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" ".join(cell.text for cell in row.cells))
    return "\n\n".join(line for line in lines if line.strip()) + "\n"


def pdf_to_text(data: bytes, name: str) -> str:
    """Text layer of a PDF, pages separated by blank lines; scanned PDFs (no text) are refused."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise IngestError(name, f"is not a readable PDF ({exc.__class__.__name__}: {exc})") from None
    text = "\n\n".join(pages)
    if not text.strip():
        raise IngestError(name, "PDF has no text layer (scanned image?); run OCR first")
    return text


def read_raw(path: str | Path) -> RawText:
    """Read one raw plan file into text.

    Returns
    -------
    RawText
        ``text`` with original line breaks, the detected ``encoding`` and the ``fmt`` read.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(path, f"cannot be read ({exc.strerror})") from None
    suffix = path.suffix.lower()
    if not data:
        raise IngestError(path, "file is empty")
    if suffix == ".docx":
        return RawText(docx_to_text(data, path.name), "docx", "docx")
    if suffix == ".pdf":
        if not data.startswith(b"%PDF"):
            raise IngestError(path, "does not start with a PDF header (%PDF); not a PDF file")
        return RawText(pdf_to_text(data, path.name), "pdf", "pdf")
    text, encoding, flags = decode_bytes(data, path.name)
    if suffix in (".htm", ".html") or re.match(r"\s*<(!doctype html|html)", text[:200], re.IGNORECASE):
        return RawText(html_to_text(text), encoding, "html", flags)
    return RawText(text, encoding, "txt", flags)
