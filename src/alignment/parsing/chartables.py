"""Character tables shared by ingest and clean: common Chinese characters, GB18030 bytes, and
OpenCC's traditional -> simplified converter.

``common_share`` tells plausible Chinese text from mojibake; ``gb_bytes`` re-encodes a
character to the GBK/GB18030 bytes a legacy decoder read it from, including the private-use
code points of GB18030-2000 that today's codec maps elsewhere.
"""
from __future__ import annotations

from functools import lru_cache

__all__ = ["common_chars", "common_share", "gb_bytes", "t2s_converter"]

_COMMON_PUNCT = set("，。、；：？！“”‘’（）《》〔〕【】—…·%-.:;,()[]0123456789 \n\t")


@lru_cache(maxsize=1)
def t2s_converter():
    """OpenCC's traditional -> simplified converter (``t2s``)."""
    import opencc

    return opencc.OpenCC("t2s").convert


@lru_cache(maxsize=1)
def common_chars() -> frozenset[str]:
    """GB2312 level-1 hanzi (the 3,755 most used) and their traditional forms."""
    level1 = []
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                level1.append(bytes([lead, trail]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    common = set(level1)
    convert = t2s_converter()
    cjk = [chr(c) for c in range(0x4E00, 0xA000)]
    simplified = convert("\n".join(cjk)).split("\n")
    if len(simplified) == len(cjk):
        common.update(t for t, s in zip(cjk, simplified) if s in common)
    return frozenset(common)


def common_share(text: str) -> float:
    """Share of non-space characters that are common hanzi, ASCII letters/digits or punctuation.

    Parameters
    ----------
    text
        Any decoded text, e.g. a candidate decoding of a file; whitespace is ignored.
    """
    chars = [c for c in text if not c.isspace()]
    if not chars:
        return 0.0
    common = common_chars()
    ok = sum(1 for c in chars if c in common or c in _COMMON_PUNCT or c.isascii() and c.isalnum())
    return ok / len(chars)


@lru_cache(maxsize=1)
def _legacy_pua() -> dict[str, bytes]:
    """GB18030-2000 mapped 255 two-byte codes outside GBK (A2AB…, A6D9…, FE50…) to U+E766..U+E864
    in code order; GB18030-2005 reassigned some, so Python's codec no longer round-trips them."""
    def user_defined(lead: int, trail: int) -> bool:
        return (0xAA <= lead <= 0xAF or 0xF8 <= lead <= 0xFE) and trail >= 0xA1 or (
            0xA1 <= lead <= 0xA7 and trail < 0xA1)

    codes = []
    for lead in range(0x81, 0xFF):
        for trail in [*range(0x40, 0x7F), *range(0x80, 0xFF)]:
            pair = bytes([lead, trail])
            try:
                pair.decode("gbk")
            except UnicodeDecodeError:
                if not user_defined(lead, trail):
                    codes.append(pair)
    return {chr(0xE766 + i): code for i, code in enumerate(codes)}


def gb_bytes(char: str) -> bytes:
    """Bytes of ``char`` in GBK/GB18030 as a legacy (GB18030-2000/CP936) decoder produced it.

    Parameters
    ----------
    char
        One character (a str of length 1), e.g. ``中`` or a legacy private-use code point.
    """
    legacy = _legacy_pua().get(char)
    if legacy is not None:
        return legacy
    return char.encode("gb18030")
