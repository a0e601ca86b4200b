"""Ingest stage: raw file (.txt/.html/.docx/.pdf/.doc/.wps/.rtf, any common Chinese encoding) -> text.

Takes bytes, gives a :class:`RawText` (text, detected encoding, format). Encodings are detected,
never assumed: byte-order marks, UTF-16 without BOM, strict UTF-8, then GB18030 (a superset of
GBK/GB2312) and Big5, judged by how much of the decoded text is common Chinese. A file that
cannot be read raises :class:`IngestError` naming the file and the reason. Word 97–2003 .doc and
WPS files are read by a maintained converter on the PATH (Debian's ``catdoc``, else ``antiword``);
without one they are refused with a line that says how to get it.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from .chartables import common_share

__all__ = ["DOC_CONVERTERS", "IngestError", "RawText", "decode_bytes", "doc_to_text", "docx_to_text", "html_to_text", "pdf_to_text", "read_raw", "rtf_to_text"]


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

    Parameters
    ----------
    data
        The file's whole content as bytes.
    name
        File name used in :class:`IngestError` messages.

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
    """Visible text of an HTML page, one block element per line (scripts and styles dropped).

    Parameters
    ----------
    html
        An HTML page as decoded text.
    """
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
    """Paragraphs (and table cells) of a .docx file, one per line.

    Parameters
    ----------
    data
        The .docx file's bytes.
    name
        File name used in :class:`IngestError` messages.
    """
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        lines = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                lines.append(" ".join(cell.text for cell in row.cells))
    except Exception as exc:  # noqa: BLE001 - a broken zip, broken XML, missing parts: all unreadable
        raise IngestError(name, f"is not a readable .docx file ({exc.__class__.__name__}: {str(exc)[:120]})") from None
    return "\n\n".join(line for line in lines if line.strip()) + "\n"


def pdf_to_text(data: bytes, name: str) -> str:
    """Text layer of a PDF, pages separated by blank lines; scanned PDFs (no text) are refused.

    Parameters
    ----------
    data
        The PDF file's bytes.
    name
        File name used in :class:`IngestError` messages.
    """
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


# Converters of Word 97–2003 / WPS binary documents, tried in order: (program, arguments).
DOC_CONVERTERS = (("catdoc", ["-d", "utf-8", "-w"]), ("antiword", ["-m", "UTF-8.txt", "-w", "0"]))


def doc_to_text(path: Path) -> str:
    """Text of a binary Word (.doc) or WPS (.wps) file, through catdoc or antiword.

    Parameters
    ----------
    path
        Path of the .doc or .wps file (handed to the converter program).
    """
    import shutil
    import subprocess

    tried = []
    for program, args in DOC_CONVERTERS:
        exe = shutil.which(program)
        if exe is None:
            continue
        try:
            done = subprocess.run([exe, *args, str(path)], capture_output=True, timeout=120, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            tried.append(f"{program}: {exc.__class__.__name__}")
            continue
        text = done.stdout.decode("utf-8", errors="replace")
        if done.returncode == 0 and re.search(r"[\u4e00-\u9fff]", text):
            return text
        tried.append(f"{program} found no text" if done.returncode == 0 else
                     f"{program} failed ({done.stderr.decode('utf-8', 'replace').strip()[:80]})")
    if not tried:
        raise IngestError(path, f"{path.suffix} (Word 97–2003/WPS) needs the converter catdoc or antiword: install one "
                                "(Debian/Ubuntu: apt-get install catdoc) or save the file as .docx")
    raise IngestError(path, f"cannot be read as a {path.suffix} document ({'; '.join(tried)}); save it as .docx")


def rtf_to_text(data: bytes, name: str) -> str:
    """Text of an RTF file; its code page (\\ansicpg936 = GBK) decodes the escaped bytes.

    Parameters
    ----------
    data
        The RTF file's bytes.
    name
        File name used in :class:`IngestError` messages.
    """
    from striprtf.striprtf import rtf_to_text as strip

    head = data[:2048].decode("latin-1")
    if not head.lstrip().startswith("{\\rtf"):
        raise IngestError(name, "does not start with an RTF header ({\\rtf); not an RTF file")
    cp = re.search(r"\\ansicpg(\d+)", head)
    encoding = f"cp{cp.group(1)}" if cp else "cp936"
    try:
        return strip(data.decode("latin-1"), encoding=encoding, errors="replace")
    except (LookupError, ValueError, IndexError) as exc:
        raise IngestError(name, f"is not a readable RTF file ({exc.__class__.__name__}: {exc})") from None


def read_raw(path: str | Path) -> RawText:
    """Read one raw plan file into text.

    Parameters
    ----------
    path
        Path of one raw plan file; its suffix chooses the reader (.docx, .doc/.wps, .rtf,
        .pdf; anything else is decoded as text, HTML detected by suffix or content).

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
    if suffix in (".doc", ".wps"):
        if data[:4] == b"PK\x03\x04":  # a .docx saved under the old name
            return RawText(docx_to_text(data, path.name), "docx", "docx", ["docx_named_doc"])
        return RawText(doc_to_text(path), "doc", suffix[1:])
    if suffix == ".rtf":
        return RawText(rtf_to_text(data, path.name), "rtf", "rtf")
    if suffix == ".pdf":
        if not data.startswith(b"%PDF"):
            raise IngestError(path, "does not start with a PDF header (%PDF); not a PDF file")
        return RawText(pdf_to_text(data, path.name), "pdf", "pdf")
    text, encoding, flags = decode_bytes(data, path.name)
    if suffix in (".htm", ".html") or re.match(r"\s*<(!doctype html|html)", text[:200], re.IGNORECASE):
        return RawText(html_to_text(text), encoding, "html", flags)
    return RawText(text, encoding, "txt", flags)
