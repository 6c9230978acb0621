"""Stage ``normalize``: decode bytes and repair encoding damage, recording every change.

Decoding picks the declared charset when it really fits, else UTF-8, else a
detected legacy charset. Repair (``transforms.mojibake``) undoes UTF-8 misread
through any of 20 legacy code pages, with ftfy where it is right, and never
alters legitimate text; each change is a ``repairs`` entry: what kind, which code
page, the original and the replacement, how often.

    pytest tests/test_normalize.py --doctest-modules transforms/normalize.py
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from typing import Any, NamedTuple

import apache_beam as beam
import ftfy
from charset_normalizer import from_bytes

from transforms import mojibake
from transforms.common import InputError, RunSettings, run_stage
from transforms.mojibake import FTFY_CODEC_NAMES, Repair

STAGE = "normalize"

# Friendlier names for ftfy's codec names in repair details.
_CODEC_NAMES = {**FTFY_CODEC_NAMES, "iso8859-2": "iso-8859-2", "mac-roman": "mac_roman"}

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# C0 controls that never occur in text files (tab, LF, FF, CR, ESC do).
_BINARY_BYTES = bytes(sorted(set(range(32)) - {9, 10, 12, 13, 27}))


class Decoded(NamedTuple):
    text: str
    charset: str
    repairs: list[Repair]


class BinaryContent(InputError):
    pass


def codec_name(name: str) -> str:
    """Python's canonical codec name, or the input when unknown.

    >>> codec_name("ISO-8859-1"), codec_name("windows-1251"), codec_name("nope")
    ('latin-1', 'cp1251', 'nope')
    """
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return name.lower()
    return _CODEC_NAMES.get(canonical, {"iso8859-1": "latin-1"}.get(canonical, canonical))


def looks_binary(data: bytes) -> bool:
    """True for data that is no text in any charset: NUL bytes or many C0 controls.

    >>> looks_binary(b"plain text\\n"), looks_binary(b"\\x00\\x01\\x02abc")
    (False, True)
    """
    sample = data[:65536]
    if not sample:
        return False
    if any(sample.startswith(bom) for bom, _ in _BOMS):
        return False
    controls = len(sample) - len(sample.translate(None, _BINARY_BYTES))
    return b"\x00" in sample or controls > len(sample) * 0.02


def _utf8_damage(data: bytes) -> tuple[int, int]:
    """(valid multi-byte UTF-8 sequences, invalid bytes) in data."""
    text = data.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
    valid = sum(1 for ch in text if ord(ch) > 127 and ch != "\ufffd")
    return valid, invalid


def decode_bytes(data: bytes, declared: str | None = None) -> Decoded:
    """Decode raw bytes to text, explaining any choice other than clean UTF-8.

    >>> decode_bytes("Ünïcode".encode()).text
    'Ünïcode'
    >>> d = decode_bytes("Москва и Киев".encode("cp1251"))
    >>> d.text, d.charset
    ('Москва и Киев', 'cp1251')
    >>> decode_bytes("café".encode(), declared="us-ascii").repairs[0].detail
    'declared us-ascii, but the bytes are utf-8'
    """
    if looks_binary(data):
        raise BinaryContent("content is binary, not text in any charset")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(codec), codec_name(codec.replace("-sig", "")), [])
            except UnicodeDecodeError:
                break
    repairs: list[Repair] = []
    declared_codec = None
    if declared:
        try:
            declared_codec = codecs.lookup(declared).name
        except LookupError:
            repairs.append(Repair("charset", f"unknown declared charset {declared!r}", "", "", 1))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        # UTF-8 that decodes cleanly is UTF-8 whatever the declaration says:
        # random legacy bytes almost never form valid multi-byte sequences.
        if declared_codec and declared_codec != "utf-8" and not data.isascii():
            repairs.append(Repair("charset", f"declared {declared}, but the bytes are utf-8", "", "", 1))
        return Decoded(text, "utf-8", repairs)
    if declared_codec and declared_codec != "utf-8":
        try:
            return Decoded(data.decode(declared_codec), codec_name(declared_codec), repairs)
        except UnicodeDecodeError:
            repairs.append(Repair("charset", f"declared {declared} does not fit the bytes", "", "", 1))
    valid, invalid = _utf8_damage(data)
    if valid >= 4 * invalid:
        # UTF-8 with a few broken bytes: keep it UTF-8, mark what was lost.
        repairs.append(
            Repair("lost_character", "invalid utf-8 bytes replaced by U+FFFD", "", "\ufffd", invalid)
        )
        return Decoded(data.decode("utf-8", errors="replace"), "utf-8", repairs)
    text, codec = _decode_legacy(data)
    repairs.append(Repair("charset", f"not utf-8; decoded as {codec} (detected)", "", "", 1))
    return Decoded(text, codec, repairs)


# Non-letters a Western European text in cp1252 commonly holds.
_WESTERN_PUNCTUATION = frozenset("\u00a0«»‘’‚“”„–—…•€£¥¢°§©®™±×÷·¡¿ºª†‡‰‹›")
#: Western European prose has few non-ASCII letters; Cyrillic or Greek read as cp1252 is all of them.
_MAX_WESTERN_NON_ASCII_SHARE = 0.35


def plausible_western(text: str) -> bool:
    """Whether a cp1252 reading looks like Western European prose.

    >>> plausible_western("crème brûlée"), plausible_western("Ìîñêâà è Êèåâ")
    (True, False)
    >>> plausible_western("Za¿ó³æ gêœl¹")  # Polish cp1250 read as cp1252
    False
    """
    letters = non_ascii_letters = 0
    for ch in text:
        if ch.isalpha():
            letters += 1
            if not ch.isascii():
                non_ascii_letters += 1
        elif not ch.isascii() and ch not in _WESTERN_PUNCTUATION:
            return False
    return letters > 0 and non_ascii_letters <= letters * _MAX_WESTERN_NON_ASCII_SHARE


# The legacy charsets news arrives in; charset-normalizer guesses among these only
# (left alone it proposes EBCDIC or UTF-16 for short text).
LEGACY_CHARSETS = (
    "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258",
    "iso8859_2", "iso8859_4", "iso8859_5", "iso8859_7", "iso8859_8", "iso8859_9", "iso8859_13",
    "iso8859_15", "koi8_r", "koi8_u", "cp866", "cp874", "mac_roman",
    "gb18030", "big5", "shift_jis", "euc_jp", "euc_kr",
)  # fmt: skip

#: How much of the input the candidate readings are compared on.
_SAMPLE_CHARS = 4096


def _decode_legacy(data: bytes) -> tuple[str, str]:
    """(text, codec) of bytes that are not UTF-8.

    cp1252 goes first when its reading is plausible: it is the most common legacy
    charset in news, and statistical detectors mistake short Western text for
    cp1250, cp775 or even UTF-16. Otherwise charset-normalizer proposes charsets; on
    short text its ranking is often wrong (KOI8-R read as Thai, GB18030 as EUC-KR),
    so its candidates are ranked again by how plausible their reading is
    (``transforms.mojibake.line_cost``: scripts inside words, stray marks, garbage
    symbols), its own order breaking ties.

    >>> _decode_legacy("Москва и Киев - столицы двух государств.".encode("koi8-r"))[1]
    'koi8-r'
    """
    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None and plausible_western(western):
        return western, "cp1252"
    readings = []
    for rank, match in enumerate(from_bytes(data, cp_isolation=list(LEGACY_CHARSETS))):
        codec = codec_name(match.encoding)
        text = data.decode(codec, errors="replace")
        readings.append((mojibake.line_cost(text[:_SAMPLE_CHARS]), rank, codec, text))
    if readings:
        _, _, codec, text = min(readings)
        return text, codec
    return data.decode("cp1252", errors="replace"), "cp1252"


def repair_text(text: str) -> tuple[str, list[Repair]]:
    """Repair mojibake and other damage; returns the text and what was changed.

    Line breaks become ``\n`` first (ftfy's own fixer), then each line goes through
    ``transforms.mojibake.repair_text``: misreadings through any of 20 code pages,
    control characters, invisible word breakers; HTML entities, lost characters (``??``)
    and stray C1 controls are left in place and recorded.

    >>> text, repairs = repair_text("The cafÃ© is open.")
    >>> text, repairs[0].detail, repairs[0].original, repairs[0].replacement, repairs[0].count
    ('The café is open.', 'utf-8 read as latin-1', 'cafÃ©', 'café', 1)
    >>> repair_text("“Fine” — naïve, 東京, Ελλάδα.")
    ('“Fine” — naïve, 東京, Ελλάδα.', [])
    """
    repairs: list[Repair] = []
    if "\r" in text or "\u2028" in text or "\u2029" in text or "\x85" in text:
        fixed = ftfy.fixes.fix_line_breaks(text)
        if fixed != text:
            breaks = sum(text.count(ch) for ch in ("\r\n", "\u2028", "\u2029")) + text.replace(
                "\r\n", ""
            ).count("\r")
            repairs.append(Repair("line_break", "line breaks normalized to \\n", "", "\n", max(breaks, 1)))
            text = fixed
    text, more = mojibake.repair_text(text)
    return text, repairs + more


def normalize_article(article: dict[str, Any]) -> dict[str, Any]:
    """Repair the title and body of an article in place of a copy."""
    text, repairs = repair_text(article["text"])
    title = article.get("title")
    if title:
        title, title_repairs = repair_text(title)
        repairs = title_repairs + repairs
    return {
        **article,
        "text": text,
        "title": title,
        "repairs": article.get("repairs", []) + [r.as_record() for r in repairs],
    }


def _normalizer(_: RunSettings) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return normalize_article


class RepairEncoding(beam.PTransform):
    """Articles -> repaired articles (main) and dead letters (``dead_letter``)."""

    def __init__(self, settings: RunSettings):
        super().__init__()
        self.settings = settings

    def expand(self, articles: beam.PCollection) -> tuple[beam.PCollection, beam.PCollection]:
        return run_stage(articles, "RepairText", STAGE, self.settings, _normalizer)
