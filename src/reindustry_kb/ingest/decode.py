"""Bytes to text: UTF-8 (BOM or not), UTF-16, Big5/CP950 or GB18030, or a one-line error."""

from __future__ import annotations

import codecs
import unicodedata
from functools import cache
from importlib import resources

from reindustry_kb.errors import SourceError
from reindustry_kb.text.normalize import is_han

# Legacy encodings tried when UTF-8 fails; the most plausible decoding wins (see _hanzi_score).
LEGACY_ENCODINGS = ("cp950", "big5hkscs", "gb18030")


def decode_bytes(data: bytes, name: str) -> str:
    """Decode UTF-8 (BOM or not), UTF-16, Big5/CP950 or GB18030, or raise a SourceError.

    Hand-written rather than charset-normalizer: policy text here is one of these five, and
    telling Big5 from GB18030 is a question of which decoding reads as common Han characters
    of its script (`_hanzi_score`), which a general detector answers less reliably on short
    files; a wrong guess would silently index mojibake."""
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise SourceError(f"{name} is empty; add text to it or remove it from the seeds folder")
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return _strict(data, encoding, name)
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16 is None:
            raise SourceError(f"{name} looks binary (NUL bytes); only text files can be indexed")
        return _strict(data, utf16, name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    decoded = []
    for encoding in LEGACY_ENCODINGS:
        try:
            decoded.append(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    best = max(decoded, key=_hanzi_score, default=None)
    if best is None or _hanzi_score(best) < 0.5 or _control_ratio(best) > 0.01:
        raise SourceError(
            f"{name} is not valid UTF-8, UTF-16, Big5 or GB18030 text; re-save it as UTF-8"
        )
    return best


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{name} has bytes that are not valid {encoding}; re-save it as UTF-8"
        ) from exc


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 text of mostly ASCII/CJK has NULs in one byte lane only."""
    even = data[0::2].count(0)
    odd = data[1::2].count(0)
    half = len(data) / 2
    if odd > 0.3 * half and even < 0.05 * half:
        return "utf-16-le"
    if even > 0.3 * half and odd < 0.05 * half:
        return "utf-16-be"
    return None


@cache
def _common_hanzi() -> frozenset[str]:
    text = resources.files("reindustry_kb").joinpath("data/common_hanzi.txt").read_text("utf-8")
    return frozenset(text.strip())


def _hanzi_score(text: str) -> float:
    """Share of Han characters that are common ones: high for the right legacy decoding."""
    han = [char for char in text if is_han(char)]
    if not han:
        return 1.0 if text.isascii() else 0.0
    common = _common_hanzi()
    return sum(char in common for char in han) / len(han)


def _control_ratio(text: str) -> float:
    controls = sum(unicodedata.category(c) == "Cc" and c not in "\r\n\t\f" for c in text)
    return controls / max(len(text), 1)
