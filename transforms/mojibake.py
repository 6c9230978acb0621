"""Encoding repair that goes where ftfy stops: UTF-8 misread through any of 20 legacy code pages.

A stretch of text is mojibake for code page X when its characters are all images
of bytes under X and those bytes form valid multi-byte UTF-8. Reversing it
(``stretch.encode(X).decode("utf-8")``) is accepted only when the result is more
plausible than the stretch in its context: fewer script switches inside words,
fewer islands of a foreign script, fewer of ftfy's "bad" sequences, no unassigned,
private or replacement characters. Real Thai, Cyrillic, Greek, Hebrew or Arabic
text is full of those byte images but seldom forms valid UTF-8, and when it does,
the decoded characters clash with their neighbours, so the test rejects it.
Repeated misreadings are undone pass by pass; what ftfy repairs beyond that
(bytes lost to spaces, inconsistent UTF-8) runs afterwards, under the same test.

Left as found, but recorded: HTML entities, control characters, runs of ``?``
standing for characters lost before ingestion, and stand-alone C1 controls
(text that legitimately carries them must come out unchanged).

    python -m pytest -q --doctest-modules transforms/mojibake.py tests/test_mojibake.py
"""

from __future__ import annotations

import bisect
import difflib
import itertools
import re
import unicodedata
from collections import Counter
from typing import NamedTuple

import ftfy
from ftfy.badness import BADNESS_RE, MOJIBAKE_CATEGORIES, badness

# Code pages tried, in the order that names an ambiguous stretch: the most common
# reading first (``Ã©`` is é under cp1252, latin-1, cp1254 and cp1258 alike).
CODECS: tuple[str, ...] = (
    "cp1252",
    "latin-1",
    "cp1250",
    "cp1251",
    "cp1253",
    "cp1254",
    "cp1257",
    "iso-8859-2",
    "mac_roman",
    "cp437",
    "cp874",
    "iso-8859-11",
    "koi8-r",
    "koi8-u",
    "cp1255",
    "cp1256",
    "iso-8859-5",
    "iso-8859-7",
    "cp866",
    "cp1258",
)

# ftfy with only the steps that repair encodings; entities, controls and
# cosmetics are handled (or deliberately kept) here.
FTFY_ENCODING_ONLY = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=False,
    remove_control_chars=False,
    normalization=None,
    explain=True,
)

FTFY_CODEC_NAMES = {
    "sloppy-windows-1252": "cp1252",
    "sloppy-windows-1250": "cp1250",
    "sloppy-windows-1251": "cp1251",
    "sloppy-windows-1253": "cp1253",
    "sloppy-windows-1254": "cp1254",
    "sloppy-windows-1257": "cp1257",
    "windows-1252": "cp1252",
    "macroman": "mac_roman",
    "utf-8-variants": "utf-8",
}


class Repair(NamedTuple):
    """One kind of change made to a text, as the record's ``repairs`` holds it."""

    kind: str
    detail: str
    original: str
    replacement: str
    count: int

    def as_record(self) -> dict[str, object]:
        return self._asdict()


class _Codec(NamedTuple):
    name: str
    # str.translate table over the BMP: an image character -> the byte it stands for (as
    # the character of that number), ASCII -> itself, anything else -> NUL. A full str
    # table, because a dict makes translate() raise and catch a KeyError per character
    # it does not hold, which is most characters of Cyrillic or Thai text.
    to_bytes: str
    # every lead-byte image followed by a continuation-byte image, as a two-character str
    pairs: frozenset[str]


def _byte_images(codec: str) -> dict[int, str]:
    """Byte value -> character for bytes 0x80-0xFF; undefined 0x80-0x9F bytes read as C1 controls.

    Decoders that meet an undefined byte in 0x80-0x9F commonly pass it through as the
    C1 control of the same number (ftfy's "sloppy" codecs do the same).

    >>> _byte_images("cp1252")[0x80], _byte_images("cp1252")[0x81]
    ('€', '\\x81')
    >>> 0xDB in _byte_images("cp874")  # undefined in cp874 and beyond 0x9F: no image
    False
    """
    images: dict[int, str] = {}
    for byte in range(0x80, 0x100):
        try:
            images[byte] = bytes([byte]).decode(codec)
        except UnicodeDecodeError:
            if byte < 0xA0:
                images[byte] = chr(byte)
    return images


def _char_class(chars: set[str]) -> str:
    return "[" + "".join(re.escape(ch) for ch in sorted(chars)) + "]"


def _build_codec(name: str) -> _Codec:
    images = _byte_images(name)
    # Characters that are no image under this codec must not pass for bytes: NUL.
    table = bytearray(0x10000)
    table[:0x80] = range(0x80)
    for byte, ch in images.items():
        table[ord(ch)] = byte
    to_bytes = table.decode("latin-1")
    leads = frozenset(ch for byte, ch in images.items() if 0xC2 <= byte <= 0xF4)
    conts = frozenset(ch for byte, ch in images.items() if byte <= 0xBF)
    return _Codec(name, to_bytes, frozenset(a + b for a in leads for b in conts))


_CODECS: tuple[_Codec, ...] = tuple(_build_codec(name) for name in CODECS)


# Lead-image + continuation-image pair -> bit mask of the codecs (by index) it is one under.
def _pair_codecs() -> dict[str, int]:
    masks: dict[str, int] = {}
    for bit, codec in enumerate(_CODECS):
        for pair in codec.pairs:
            masks[pair] = masks.get(pair, 0) | 1 << bit
    return masks


_PAIR_CODECS = _pair_codecs()

# Every character that is a continuation-byte image under some codec: a line without
# one cannot hold mojibake of any supported code page.
_ANY_CONT = re.compile(
    _char_class({ch for name in CODECS for byte, ch in _byte_images(name).items() if byte <= 0xBF})
)

# A lead-byte image under some codec followed by a continuation-byte image under some
# codec: necessary for mojibake of any of them, and one search instead of twenty.
_ANY_PAIR = re.compile(
    _char_class({ch for name in CODECS for byte, ch in _byte_images(name).items() if 0xC2 <= byte <= 0xF4})
    + _ANY_CONT.pattern
)
# The same, overlapping: every such pair of the line.
_EVERY_PAIR = re.compile(f"(?=({_ANY_PAIR.pattern}))")

# What ftfy's encoding steps need to find anything: under a code page ftfy decodes, the
# image of a UTF-8 lead byte followed by a continuation-byte image or by a space (a
# lost 0xA0), or U+FFFD. Most clean lines have none, and ftfy's badness test is slow.
_FTFY_CODECS = ("latin-1", "cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257")
_FTFY_CODECS += ("iso-8859-2", "mac_roman", "cp437")
_FTFY_SUSPECT = re.compile(
    "\ufffd|"
    + _char_class({ch for name in _FTFY_CODECS for b, ch in _byte_images(name).items() if 0xC2 <= b <= 0xF4})
    + _char_class({ch for name in _FTFY_CODECS for b, ch in _byte_images(name).items() if b <= 0xBF})
    # ftfy restores 0xA0 lost to a space only after these lead bytes read as Latin-1.
    + "|[\xc2\xc3\xc5\xce\xd0\xd9] "
)

# Anything _notes() records: controls, C1 controls, entities, runs of `?`.
_NOTE_SUSPECT = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f&]|\?\?")
_INVISIBLE = re.compile("[\u200b\u2060\ufeff]")

# Valid multi-byte UTF-8, over a str whose characters U+0080-U+00FF stand for bytes.
_UTF8_RUN = re.compile(
    "(?:[\xc2-\xdf][\x80-\xbf]"
    "|\xe0[\xa0-\xbf][\x80-\xbf]"
    "|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    "|\xed[\x80-\x9f][\x80-\xbf]"
    "|\xf0[\x90-\xbf][\x80-\xbf]{2}"
    "|[\xf1-\xf3][\x80-\xbf]{3}"
    "|\xf4[\x80-\x8f][\x80-\xbf]{2})+"
)

# Lines that may need any work at all beyond plain ASCII: entities, controls, `?` runs.
_ASCII_SUSPECT = re.compile(r"[&\x00-\x08\x0b\x0e-\x1f\x7f]|\?\?")

# Script of letters by code-point range ("" for common/inherited); Han and kana share
# "CJK" because Japanese words mix them.
_SCRIPT_STARTS: tuple[int, ...]
_SCRIPT_NAMES: tuple[str, ...]
_SCRIPT_STARTS, _SCRIPT_NAMES = zip(
    *(
        (0x0000, ""),
        (0x0041, "Latin"),
        (0x005B, ""),
        (0x0061, "Latin"),
        (0x007B, ""),
        (0x00C0, "Latin"),
        (0x02B0, ""),
        (0x0370, "Greek"),
        (0x0400, "Cyrillic"),
        (0x0530, "Armenian"),
        (0x0590, "Hebrew"),
        (0x0600, "Arabic"),
        (0x0700, "Syriac"),
        (0x0750, "Arabic"),
        (0x0780, "Thaana"),
        (0x07C0, "NKo"),
        (0x0800, "Other"),
        (0x0900, "Indic"),
        (0x0E00, "Thai"),
        (0x0E80, "Lao"),
        (0x0F00, "Tibetan"),
        (0x1000, "Myanmar"),
        (0x10A0, "Georgian"),
        (0x1100, "Hangul"),
        (0x1200, "Ethiopic"),
        (0x13A0, "Other"),
        (0x1D00, "Latin"),
        (0x1DC0, ""),
        (0x1E00, "Latin"),
        (0x1F00, "Greek"),
        (0x2000, ""),
        (0x2C60, "Latin"),
        (0x2C80, "Other"),
        (0x2D00, "Georgian"),
        (0x2D30, "Other"),
        (0x2DE0, "Cyrillic"),
        (0x2E00, ""),
        (0x2E80, "CJK"),
        (0x3000, ""),
        (0x3040, "CJK"),
        (0x3130, "Hangul"),
        (0x3190, "CJK"),
        (0xA000, "Other"),
        (0xA640, "Cyrillic"),
        (0xA6A0, "Other"),
        (0xA720, "Latin"),
        (0xA800, "Other"),
        (0xAC00, "Hangul"),
        (0xD7B0, "Other"),
        (0xF900, "CJK"),
        (0xFB00, "Latin"),
        (0xFB13, "Armenian"),
        (0xFB1D, "Hebrew"),
        (0xFB50, "Arabic"),
        (0xFE00, ""),
        (0xFE70, "Arabic"),
        (0xFF00, ""),
        (0xFF21, "Latin"),
        (0xFF3B, ""),
        (0xFF41, "Latin"),
        (0xFF5B, ""),
        (0xFF66, "CJK"),
        (0xFFA0, "Hangul"),
        (0xFFE0, ""),
        (0x10000, "Other"),
        (0x1F000, ""),
        (0x20000, "CJK"),
        (0x30000, "Other"),
    ),
    strict=True,
)

# Characters whose presence makes a text implausible: unassigned, private use,
# surrogates, and the replacement character (a reversal that yields U+FFFD recovers
# nothing: the character was lost before the misreading).
_IMPOSSIBLE_CATEGORIES = frozenset({"Cn", "Co", "Cs"})

# Invisible characters that split a word in two when they sit between two letters of
# an alphabet written with spaces; elsewhere (Thai, Khmer, Persian, Indic) they are legitimate.
_WORD_BREAKERS = re.compile(r"(?<=[^\W\d_])[\u200b\u2060\ufeff]+(?=[^\W\d_])")
_SPACED_SCRIPTS = frozenset({"Latin", "Cyrillic", "Greek", "Armenian", "Georgian"})

# Runs of `?` standing for lost characters: 2+ `?` that begin a token (line start,
# after whitespace or an opening bracket/quote) and are followed by whitespace, the
# line end or punctuation. "really??" and "what?!" are questions and never match.
_LOST_RUN = re.compile(r"(?:(?<=^)|(?<=[\s(\[{\"'«“‘]))\?{2,}(?=$|[\s.,;:!)\]}\"'»”’])")

_HTML_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_TERMINAL_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_C1 = re.compile(r"[\x80-\x9f]")

# Repair details of misreadings through a decoder that passes C1 controls through.
_LATIN1_READINGS = ("utf-8 read as latin-1", "utf-8 read as cp1252")

# C1 controls that stand for a cp1252 character (text decoded as Latin-1 where it was
# cp1252); 0x81, 0x8D, 0x8F, 0x90 and 0x9D are undefined in cp1252 and stay.
_C1_AS_CP1252 = {
    code: bytes([code]).decode("cp1252")
    for code in range(0x80, 0xA0)
    if code not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}
_C1_DEFINED = re.compile("[" + "".join(chr(code) for code in _C1_AS_CP1252) + "]")

_C1_OR_FFFD = re.compile("[\x80-\x9f\ufffd]")

_LINES = re.compile(r"[^\n]*\n|[^\n]+")

# Characters of little-used blocks (Latin Extended-B and IPA beyond the letters of living
# orthographies, spacing modifiers, archaic Greek and Cyrillic, Cyrillic Supplement,
# private use): text seldom holds them, decoded garbage often does.
_RARE = re.compile(
    "[\u0180-\u01c3\u01dd-\u0217\u021c-\u024f\u0250-\u02ff\u0370-\u0385\u03cf-\u03ff"
    "\u0460-\u048f\u0500-\u052f\u1ab0-\u1aff\u1dc0-\u1dff\u2c00-\u2dff\ua640-\ua7ff\ue000-\uf8ff]"
)

# Symbols and spaces that ordinary text holds (Latin-1 punctuation, general punctuation,
# currency, letterlike symbols, arrows, math minus, miscellaneous symbols, dingbats, emoji).
_TEXT_SYMBOLS = re.compile(
    "[\u00a0-\u00bf\u00d7\u00f7\u2000-\u205e\u20a0-\u20c0\u2100-\u2199\u2212"
    "\u2600-\u27bf\u2b50\u2b55\u3000-\u3003\ufe0f\U0001f000-\U0001faff"
    # C1 controls: text that already held them (cp1252 read as Latin-1 upstream), then misread.
    "\x80-\x9f]+"
)

# Box drawing and block elements: glued to letters they are cp437/cp866/koi8 mojibake
# (┬┐ for ¿); a line with twice as many of them as letters is a drawing.
_BOX = re.compile("[\u2500-\u259f]")

# How far a stretch's context reaches into text without spaces (see _token_bounds).
_MAX_WIDEN = 24

# Share of a line's non-ASCII characters that must be valid UTF-8 under a code page for
# the line to be possibly misread as a whole (see _candidates).
_WHOLE_LINE_COVER = 0.9

# Most passes needed: each undoes one misreading (three covers triple mojibake).
_MAX_PASSES = 3


def script(ch: str) -> str:
    """The script of a letter or mark, "" for everything common to all scripts.

    >>> script("a"), script("ж"), script("ย"), script("東"), script("«"), script("7")
    ('Latin', 'Cyrillic', 'Thai', 'CJK', '', '')
    """
    if ch.isalpha():
        if ch.isascii():
            return "Latin"
    elif ch.isascii() or not unicodedata.category(ch).startswith("M"):
        return ""
    return _SCRIPT_NAMES[bisect.bisect_right(_SCRIPT_STARTS, ord(ch)) - 1]


def dominant_script(text: str, classes: str | None = None) -> str:
    """The script most letters of the text are in ("" when there are none);
    ``classes`` is ``text.translate(_CLASS_TABLE)`` when the caller has it.

    >>> dominant_script("Le café ยป est ouvert"), dominant_script("123 ...")
    ('Latin', '')
    """
    # Classes of the characters counted in C, then summed per script.
    counts: Counter[str] = Counter()
    for cls, n in Counter(text.translate(_CLASS_TABLE) if classes is None else classes).items():
        name = _CLASS_SCRIPT.get(cls)
        if name:
            counts[name] += n
        elif ord(cls) > 0xFFFF and cls.isalpha():  # beyond the table: left as itself
            counts[script(cls)] += n
    counts.pop("", None)
    return counts.most_common(1)[0][0] if counts else ""


# Per BMP code point, one class character for implausibility(): " " whitespace,
# "!" impossible (unassigned, private use, surrogate, U+FFFD), "#" a symbol text seldom
# holds (see _TEXT_SYMBOLS), "." common to all
# scripts ("," if small, ";" if a non-ASCII capital), else a character per script and
# case: base + 0 small, + 1 non-ASCII capital, + 2 other letters, + 3 marks.
# Built once at import (about 0.1 s), read-only after.
_SCRIPT_INDEX = {name: i for i, name in enumerate(sorted(set(_SCRIPT_NAMES) - {""}))}
_SCRIPT_CLASS = {name: chr(0x100 + 4 * i) for name, i in _SCRIPT_INDEX.items()}


def _class_of(ch: str) -> str:
    if ch.isspace():
        return " "
    if ch == "\ufffd" or unicodedata.category(ch) in _IMPOSSIBLE_CATEGORIES:
        return "!"
    name = script(ch)
    if not name and unicodedata.category(ch) in ("So", "Sk", "Sm") and not _TEXT_SYMBOLS.fullmatch(ch):
        return "#"
    if not name:
        # Case still counts for the capital-after-small test (ª is small, Ⓐ capital).
        return "," if ch.islower() else ";" if ch.isupper() and not ch.isascii() else "."
    base = 0x100 + 4 * _SCRIPT_INDEX[name]
    if ch.islower():
        return chr(base)
    if ch.isupper() and not ch.isascii():
        return chr(base + 1)
    if unicodedata.category(ch).startswith("M"):
        return chr(base + 3)
    return chr(base + 2)


_CLASS_TABLE = "".join(_class_of(chr(code)) for code in range(0x10000))
_CLASS_SCRIPT = {chr(0x100 + 4 * i + j): name for name, i in _SCRIPT_INDEX.items() for j in range(4)}
# Per cased script: the classes of its small letters and of its caseless letters and
# marks, for _is_natural().
_NATURAL = {
    name: "".join(chr(0x100 + 4 * _SCRIPT_INDEX[name] + j) for j in (0, 2, 3))
    for name in ("Latin", "Cyrillic", "Greek", "Armenian", "Georgian")
}
_SMALL = "," + "".join(chr(0x100 + 4 * i) for i in _SCRIPT_INDEX.values())
_NON_ASCII_CAPITAL = ";" + "".join(chr(0x101 + 4 * i) for i in _SCRIPT_INDEX.values())
_CAPITAL_AFTER_SMALL = re.compile(f"(?<=[{_SMALL}])[{_NON_ASCII_CAPITAL}]")
# Classes -> script only; common and impossible characters removed (they neither end
# nor start a run of letters), whitespace kept as the word separator.
# A symbol text seldom holds (not punctuation, currency or emoji) between two letters:
# decoded garbage (ҚызылОктябрь read as Қызы۾ктябрь), never a word.
_LETTER_CLASSES = ",;" + "".join(chr(0x100 + 4 * i + j) for i in _SCRIPT_INDEX.values() for j in range(4))
# A combining mark of a script's own (a Thai vowel sign, an Indic virama) with no letter
# before it: decoded garbage, never text.
_MARKS = "".join(chr(0x103 + 4 * i) for i in _SCRIPT_INDEX.values())
_LOOSE_MARK = re.compile(f"(?<![{_LETTER_CLASSES}])[{_MARKS}]")
_GLUED_SYMBOL = re.compile(f"(?<=[{_LETTER_CLASSES}])[.#]*#[.#]*(?=[{_LETTER_CLASSES}])")
_SCRIPT_ONLY = {ord(ch): None for ch in ".,;!#"} | {
    0x100 + 4 * i + j: chr(0x100 + 4 * i) for i in _SCRIPT_INDEX.values() for j in (1, 2, 3)
}
_RUN = re.compile(r"(.)\1*")
_GREEK_CLASS = _SCRIPT_CLASS["Greek"]
_LONE_GREEK = re.compile(f"(?<!{_GREEK_CLASS}){_GREEK_CLASS}(?!{_GREEK_CLASS})")

# Every sequence ftfy's badness regex matches holds a character of one of its
# categories other than the three "common" ones (ordinary Latin-1 punctuation, Greek
# and Cyrillic letters), or a literal non-ASCII character of the pattern outside them,
# or is one of two all-Cyrillic literals. A text without any has badness 0, found
# without running that slow regex (tests/test_mojibake.py checks this against ftfy).
_COMMON_CATEGORIES = ("common", "lower_common", "upper_common")
_COMMON_CLASS = re.compile("[" + "".join(MOJIBAKE_CATEGORIES[name] for name in _COMMON_CATEGORIES) + "]")
_BADNESS_CHARS = re.compile(
    "["
    + "".join(v for k, v in MOJIBAKE_CATEGORIES.items() if k not in _COMMON_CATEGORIES)
    + "".join(
        re.escape(ch)
        for ch in sorted({ch for ch in BADNESS_RE.pattern if ord(ch) > 127 and not _COMMON_CLASS.match(ch)})
    )
    + "]|вЂ|ГўВЂВ"
)


def implausibility(text: str, dominant: str, lone_greek_ok: bool = False) -> int:
    """How unlike real text a short window is, given the line's dominant script.

    ``lone_greek_ok`` lets a single Greek letter in Latin text pass (IL2Rγ, α-helix,
    5 μm): right for judging whole lines, too lenient for the stretch-by-stretch search.

    Counts ftfy's bad sequences, rare characters (x2), non-ASCII capitals right after a
    small letter, script switches inside a word (x2), runs of letters in a script other
    than the dominant one, and characters no text should hold (x10).

    >>> implausibility("littÃ©rature", "Latin"), implausibility("littérature", "Latin")
    (2, 0)
    >>> implausibility("ยป", "Latin"), implausibility("»", "Latin")
    (1, 0)
    >>> implausibility("öยนต์", "Thai") > implausibility("รถยนต์", "Thai")
    True
    >>> implausibility("a😀b", "Latin"), implausibility("a😀ж", "Latin")  # beyond the BMP
    (0, 3)
    """
    cost = (badness(text) if _BADNESS_CHARS.search(text) else 0) + 2 * len(_RARE.findall(text))
    if not text.isascii() and max(text) > "\uffff":
        return cost + _letter_cost_slow(text, dominant)
    cost += 2 * len(_BOX.findall(text))
    # One class character per character (see _CLASS_TABLE), then regexes over the classes.
    classes = text.translate(_CLASS_TABLE)
    cost += 10 * classes.count("!")
    # A non-ASCII capital right after a small letter: UTF-8 lead bytes read as Latin
    # or Cyrillic capitals (Ã, Ă, Р, С) land inside words this way.
    cost += len(_CAPITAL_AFTER_SMALL.findall(classes))
    cost += 2 * len(_GLUED_SYMBOL.findall(classes))
    cost += 2 * len(_LOOSE_MARK.findall(classes))
    dominant_class = _SCRIPT_CLASS.get(dominant, "")
    words = classes.translate(_SCRIPT_ONLY)
    if lone_greek_ok and dominant == "Latin":
        # A lone Greek letter in Latin text is science or maths (IL2Rγ, α-helix, 5 μm).
        words = _LONE_GREEK.sub("", words)
    for word in words.split():
        if not word:
            continue
        runs = _RUN.findall(word)
        cost += 2 * (len(runs) - 1) + sum(1 for run in runs if run != dominant_class)
    return cost


def _letter_cost_slow(text: str, dominant: str) -> int:
    """The letter part of implausibility() for text beyond the BMP, char by char."""
    cost = 0
    previous = ""
    lower_before = False
    for ch in text:
        if ch.isspace():
            previous = ""
            lower_before = False
            continue
        if ch.isupper() and lower_before and not ch.isascii():
            cost += 1
        lower_before = ch.islower()
        if ch == "\ufffd" or unicodedata.category(ch) in _IMPOSSIBLE_CATEGORIES:
            cost += 10
            continue
        current = script(ch)
        if not current:
            continue
        if current != previous:
            if previous:
                cost += 2
            if current != dominant:
                cost += 1
        previous = current
    return cost


def _token_bounds(line: str, start: int, end: int) -> tuple[int, int]:
    """Widen [start, end) to whole whitespace-separated tokens, by at most _MAX_WIDEN
    characters each way: Thai, Chinese or Japanese write without spaces, and there a
    few characters around a stretch are its context, not the whole line.

    >>> line = "ab cafÃ© de"
    >>> line[slice(*_token_bounds(line, 6, 8))]
    'cafÃ©'
    """
    floor, ceiling = max(0, start - _MAX_WIDEN), min(len(line), end + _MAX_WIDEN)
    while start > floor and not line[start - 1].isspace():
        start -= 1
    while end < ceiling and not line[end].isspace():
        end += 1
    return start, end


class _Candidate(NamedTuple):
    start: int
    end: int
    replacement: str
    codec: str
    gain: int


def _candidates(
    line: str,
    classes: str,
    codec: _Codec,
    runs: list[tuple[int, int]],
    dominant: str,
    window_costs: dict[tuple[int, int], int],
) -> list[_Candidate]:
    """Stretches of the line that are valid UTF-8 under the codec, with how much better they read decoded.

    Stretches that read worse decoded, or decode to characters no text holds, are left out.
    ``window_costs`` caches the implausibility of the line's token windows across codecs.
    """
    decoded: list[tuple[int, int, str, int, int]] = []
    natural = _NATURAL.get(dominant)
    native = ""
    if not natural and dominant in _SCRIPT_CLASS:
        # A caseless script (Thai, Arabic, Hebrew...): when this code page leaves much of
        # the line's non-ASCII text outside valid UTF-8, the line is not misread as a
        # whole, and stretches of its own letters are its words.
        covered = sum(end - start for start, end in runs)
        if covered < _WHOLE_LINE_COVER * (len(line) - len(line.encode("ascii", "ignore"))):
            base = ord(_SCRIPT_CLASS[dominant])
            native = "".join(chr(base + j) for j in range(4))
    for start, end in runs:
        if natural and _is_natural(classes, start, end, natural):
            # Only small letters of the line's own cased script: what its ordinary
            # words are made of. A misreading of UTF-8 seldom looks like this (2-byte
            # lead images are capitals, symbols or another script in these code pages,
            # and continuation images are mostly symbols or capitals), so it is not
            # decoded: most of the cost of clean Cyrillic or Greek text goes here.
            continue
        if native and not classes[start:end].strip(native):
            # Letters of the line's own caseless script, in a line not misread as a
            # whole: its words (a misread word inside a correct line of the same
            # script is too rare to pay for on every line).
            continue
        replacement = line[start:end].translate(codec.to_bytes).encode("latin-1").decode("utf-8")
        # Unassigned, private-use or replacement characters: nothing a text holds, so the
        # reading cannot be right whatever the window looks like.
        if "\ufffd" in replacement or any(
            unicodedata.category(ch) in _IMPOSSIBLE_CATEGORIES for ch in replacement
        ):
            continue
        decoded.append((start, end, replacement, *_token_bounds(line, start, end)))
    found = []
    # Stretches of one word read through one code page are judged together: a word
    # misread is misread throughout (CzirjĂĄk ĂrpĂĄd), and decoding only part of it
    # leaves it looking no better.
    for (lo, hi), group in itertools.groupby(decoded, key=lambda d: (d[3], d[4])):
        stretches = list(group)
        fits = all(_fits(d[2], dominant) for d in stretches)
        if not fits and _uncovered(line, lo, hi, runs):
            # Part of the word is not valid UTF-8 under this code page either: a word
            # misread is misread throughout, so this is native text whose letters happen
            # to pair up (Cyrillic under cp866, Thai under cp874), and the decoded
            # stretches do not fit the line besides.
            continue
        cost_before = window_costs.get((lo, hi))
        if cost_before is None:
            cost_before = window_costs[(lo, hi)] = implausibility(line[lo:hi], dominant)
        # Decoding cannot read better than a window that already reads perfectly; it is
        # taken only at no cost, and only when the decoded stretches fit the line (clean
        # text in Thai, Cyrillic or Greek ends here, without scoring the reading).
        if cost_before == 0 and not fits:
            continue
        parts, pos = [], lo
        for start, end, replacement, _, _ in stretches:
            parts += [line[pos:start], replacement]
            pos = end
        cost_after = implausibility("".join(parts) + line[pos:hi], dominant)
        gain = cost_before - cost_after
        # A reading is evidence when it removes much (an intermediate pass of double
        # mojibake may still read badly) or leaves the word clean; a small gain that
        # leaves the word implausible is chance (camel-cased Cyrillic ПоздравЂаво).
        if gain >= 2 or (gain == 1 and cost_after == 0) or (gain == 0 and fits):
            found += [
                _Candidate(start, end, replacement, codec.name, gain)
                for start, end, replacement, _, _ in stretches
            ]
    return found


def _is_natural(classes: str, start: int, end: int, small: str) -> bool:
    """Whether stretch [start, end) is only small (or caseless) letters of the dominant script.

    >>> cls = "Москва".translate(_CLASS_TABLE)
    >>> _is_natural(cls, 1, 6, _NATURAL["Cyrillic"]), _is_natural(cls, 0, 6, _NATURAL["Cyrillic"])
    (True, False)
    >>> _is_natural("РїСЂРёРІРµС‚".translate(_CLASS_TABLE), 1, 4, _NATURAL["Cyrillic"])
    False
    """
    return not classes[start:end].strip(small)


def _uncovered(line: str, lo: int, hi: int, runs: list[tuple[int, int]]) -> bool:
    """Whether window [lo, hi) holds a non-ASCII character outside every run.

    >>> _uncovered("xé€y", 0, 4, [(1, 2)]), _uncovered("xé€y", 0, 4, [(1, 3)])
    (True, False)
    """
    pos = lo
    for start, end in runs:
        if end <= lo or start >= hi:
            continue
        if not line[pos:start].isascii():
            return True
        pos = max(pos, end)
    return not line[pos:hi].isascii()


def _fits(replacement: str, dominant: str) -> bool:
    """Whether a decoded stretch could be text of the line without further evidence:
    its letters are in the line's script, and it starts with no combining mark.

    >>> _fits("ü", "Latin"), _fits("«", "Latin"), _fits("\u0366\u02e6", "Cyrillic"), _fits("ф", "Latin")
    (True, True, False, False)
    """
    if unicodedata.category(replacement[0]).startswith("M"):
        return False
    # Symbols glued to letters (¦Ҧ) are what decoded garbage looks like, not words.
    if any(ch.isalpha() for ch in replacement) and any(
        unicodedata.category(ch) in ("So", "Sk", "Sm") for ch in replacement
    ):
        return False
    scripts = {script(ch) for ch in replacement}
    scripts.discard("")
    if scripts:
        return scripts <= {dominant}
    # No letters: punctuation, currency and emoji are what texts hold; Braille, box
    # drawing or technical symbols decoded out of real text are garbage.
    return bool(_TEXT_SYMBOLS.fullmatch(replacement))


def _accepted(candidates: list[_Candidate]) -> list[_Candidate]:
    """The readings of one codec in one line that are worth making.

    A stretch that reads strictly better is taken. One that reads no worse is taken
    when it is long (several valid multi-byte sequences rarely occur by chance) or
    when the same codec clearly explains other stretches of the line: a line is
    misread through one code page, so its short, ambiguous stretches follow the
    clear ones. Alone, two characters forming valid UTF-8 are too common in Thai,
    Arabic or Cyrillic text to be evidence.
    """
    total = sum(c.gain for c in candidates)
    return [
        c
        for c in candidates
        if c.gain > 0
        or (c.end - c.start >= 4 and len(c.replacement) >= 2 and any(ch.isalpha() for ch in c.replacement))
        or total >= 2
    ]


def _best_codec(line: str, misread: bool = False) -> list[_Candidate]:
    """The accepted readings of the codec that explains the line best (gain, then coverage, then order).

    ``misread``: other stretches of the line were already shown to be misread, so a
    lone stretch need not be consistent with the rest (see _inconsistent)."""
    # The pair test is cheap and rules out almost every codec on clean text, so the
    # line's dominant script is only computed when some codec could apply.
    pairs = set(_EVERY_PAIR.findall(line))
    mask = 0
    for pair in pairs:
        mask |= _PAIR_CODECS.get(pair, 0)
    if not mask or _is_drawing(line):
        return []
    classes = line.translate(_CLASS_TABLE)
    dominant = dominant_script(line, classes)
    natural = _NATURAL.get(dominant)
    if natural:
        # Pairs of small letters of the line's own cased script are its words (see
        # _candidates): code pages that only such pairs bring in are not tried.
        mask = 0
        for pair in pairs:
            if pair.translate(_CLASS_TABLE).strip(natural):
                mask |= _PAIR_CODECS.get(pair, 0)
        if not mask:
            return []
    runs_by_codec = []
    for bit, codec in enumerate(_CODECS):
        if not mask >> bit & 1:
            continue
        runs = [match.span() for match in _UTF8_RUN.finditer(line.translate(codec.to_bytes))]
        if runs:
            runs_by_codec.append((codec, runs))
    if not runs_by_codec:
        return []
    window_costs: dict[tuple[int, int], int] = {}
    best: list[_Candidate] = []
    best_key: tuple[int, int] = (0, 0)
    for codec, runs in runs_by_codec:
        accepted = _accepted(_candidates(line, classes, codec, runs, dominant, window_costs))
        if not accepted:
            continue
        key = (sum(c.gain for c in accepted), sum(c.end - c.start for c in accepted))
        if key > best_key:
            best, best_key = accepted, key
    if best and not misread and _inconsistent(line, best, dominant):
        return []
    return best


def _inconsistent(line: str, chosen: list[_Candidate], dominant: str) -> bool:
    """Whether one decoded character is too little evidence against the rest of the line.

    A single misread character whose image is made of the line's own script (``Ã¥``
    in Latin text), in a line whose other non-ASCII characters the same code page
    would also have produced but which do not decode, is inconsistent: the line was
    not read through that code page throughout, and another code page reads the
    stretch differently (MacRoman: ``Ã¥`` is U+0334). ftfy leaves such lines alone
    too. An image of a foreign script (Thai ``ยป`` in French text) stands out
    whatever else the line holds.

    >>> codec = next(c for c in _CODECS if c.name == "cp1252")
    >>> line = "Bremer/Mccoy – DrÃ¥ber"
    >>> cand = _Candidate(17, 19, "å", "cp1252", 1)
    >>> _inconsistent(line, [cand], "Latin"), _inconsistent(line.replace("–", "-"), [cand], "Latin")
    (True, False)
    """
    if len(chosen) != 1 or len(chosen[0].replacement) != 1:
        return False
    cand = chosen[0]
    if any(script(ch) not in ("", dominant) for ch in line[cand.start : cand.end]):
        return False
    codec = next(c for c in _CODECS if c.name == cand.codec)
    rest = line[: cand.start] + line[cand.end :]
    return any(ord(ch) > 0x7F and ord(ch.translate(codec.to_bytes)) > 0x7F for ch in rest if ch != "\xa0")


def _is_drawing(line: str) -> bool:
    """Line art: at least twice as many box-drawing characters as letters.

    >>> _is_drawing("├┤a┼┐a┼┐a┼┐a┼┐a"), _is_drawing("┬┐que diferencia hay?")
    (True, False)
    """
    boxes = len(_BOX.findall(line))
    return boxes > 2 and boxes >= 2 * sum(ch.isalpha() for ch in line)


class _Piece(NamedTuple):
    text: str  # current text
    original: str  # what it was in the input line
    codecs: tuple[str, ...]  # misreadings undone, outermost first
    last_pass: int = -1  # the pass that last changed it


def _replace(
    pieces: list[_Piece], start: int, end: int, new: str, codec: str, pass_no: int = 0
) -> list[_Piece]:
    """Replace current-text span [start, end) by new, merging the provenance of what it covers.

    Unrepaired text around the span stays in pieces of its own; a repaired piece the span
    only partly covers keeps the rest of its text inside the merged piece, so no
    character is ever dropped.

    >>> ps = _replace([_Piece("ab€cd", "ab€cd", ())], 2, 3, "X", "c1")
    >>> [(p.text, p.original, p.codecs) for p in ps]
    [('ab', 'ab', ()), ('X', '€', ('c1',)), ('cd', 'cd', ())]
    >>> ps = _replace([_Piece("ab", "ab", ()), _Piece("XYZ", "xyz!", ("c1",))], 3, 4, "Q", "c2")
    >>> [(p.text, p.original, p.codecs) for p in ps]
    [('ab', 'ab', ()), ('XQZ', 'xyz!', ('c2', 'c1'))]
    >>> ps = _replace(ps, 1, 3, "R", "c2", pass_no=0)  # the same pass again: one misreading
    >>> [(p.text, p.original, p.codecs) for p in ps]
    [('a', 'a', ()), ('RQZ', 'bxyz!', ('c2', 'c1'))]
    """
    before: list[_Piece] = []
    after: list[_Piece] = []
    head = tail = original = ""
    codecs: tuple[str, ...] = ()
    same_pass = False
    pos = 0
    for piece in pieces:
        p_start, p_end = pos, pos + len(piece.text)
        pos = p_end
        if p_end <= start and not (p_start == p_end == start):
            before.append(piece)
            continue
        if p_start >= end:
            after.append(piece)
            continue
        cut_start, cut_end = max(start, p_start) - p_start, min(end, p_end) - p_start
        if piece.codecs:
            # Repaired earlier: the whole piece joins the merged one, its outer text included.
            if p_start < start:
                head = piece.text[:cut_start]
            if p_end > end:
                tail = piece.text[cut_end:]
            original += piece.original
            codecs = codecs or piece.codecs
            same_pass = same_pass or piece.last_pass == pass_no
        else:
            if cut_start:
                before.append(_Piece(piece.text[:cut_start], piece.text[:cut_start], ()))
            original += piece.text[cut_start:cut_end]
            if cut_end < len(piece.text):
                after.insert(0, _Piece(piece.text[cut_end:], piece.text[cut_end:], ()))
    # Two stretches of one pass merged into one piece are one misreading, not two.
    merged_codecs = codecs if same_pass and codecs[:1] == (codec,) else (codec, *codecs)
    return [*before, _Piece(head + new + tail, original, merged_codecs, pass_no), *after]


def describe_misreadings(codecs: tuple[str, ...]) -> str:
    """A repair detail for misreadings undone outermost first.

    >>> describe_misreadings(("cp874",))
    'utf-8 read as cp874'
    >>> describe_misreadings(("cp1251", "cp1251"))
    'utf-8 read as cp1251, twice'
    >>> describe_misreadings(("cp1252", "cp1251"))
    'utf-8 read as cp1251, then as cp1252'
    """
    if len(set(codecs)) == 1:
        times = {1: "", 2: ", twice"}.get(len(codecs), f", {len(codecs)} times")
        return f"utf-8 read as {codecs[0]}{times}"
    return "utf-8 read as " + ", then as ".join(reversed(codecs))


def _undo_misreadings(line: str, misread: bool = False) -> tuple[str, list[_Piece]]:
    """Reverse every plausible misreading, pass after pass; returns the text and its pieces."""
    pieces = [_Piece(line, line, ())]
    current = line
    for pass_no in range(_MAX_PASSES):
        if not _ANY_CONT.search(current):
            break
        chosen = _best_codec(current, misread or pass_no > 0)
        if not chosen:
            break
        # Right to left, so earlier offsets stay valid.
        for cand in reversed(chosen):
            pieces = _replace(pieces, cand.start, cand.end, cand.replacement, cand.codec, pass_no)
        current = "".join(piece.text for piece in pieces)
    return current, pieces


def _ftfy_codec_name(name: str) -> str:
    return FTFY_CODEC_NAMES.get(name, name)


def _ftfy_repairs(line: str) -> tuple[str, list[Repair]]:
    """What ftfy's encoding steps still find, kept only when the result reads better."""
    # is_bad() is badness() > 0, and badness needs one of _BADNESS_CHARS: cheap tests first.
    if not _BADNESS_CHARS.search(line) or not _FTFY_SUSPECT.search(line) or not ftfy.badness.is_bad(line):
        return line, []
    fixed, plan = ftfy.fix_and_explain(line, FTFY_ENCODING_ONLY)
    # Only misreadings of UTF-8: a C1 control read back as cp1252 is a guess about
    # text that may legitimately hold it, and such text must come out unchanged.
    decoded = [name for op, name in plan or [] if op == "decode"]
    if any(not name.startswith("utf-8") for name in decoded):
        return line, []
    encodings = [_ftfy_codec_name(name) for op, name in plan or [] if op == "encode"]
    fixers = [name for op, name in plan or [] if op in ("apply", "transcode")]
    # U+FFFD out of a reversal recovers nothing (and text may hold "ï¿½" itself), except
    # from ftfy's lossy-sequence step: there it marks where bytes were lost (â€? for
    # a quote whose last byte became "?"), and costs nothing in the comparison.
    lossy = "replace_lossy_sequences" in fixers
    if fixed == line:
        return line, []
    if fixed.count("\ufffd") > line.count("\ufffd") and not (
        lossy
        and all(
            "?" in original
            for original, replacement in _changed_stretches(line, fixed)
            if replacement.count("\ufffd") > original.count("\ufffd")
        )
    ):
        return line, []
    if line_cost(fixed.replace("\ufffd", "") if lossy else fixed) >= line_cost(line):
        return line, []
    if encodings:
        detail = describe_misreadings(tuple(encodings))
    elif "decode_inconsistent_utf8" in fixers:
        # ftfy decodes stretches through its sloppy cp1252 (C1 controls pass through).
        detail = "utf-8 read as cp1252, in stretches"
    else:
        detail = " and ".join(fixers).replace("_", " ")
    return fixed, [
        Repair("mojibake", detail, original, replacement, 1)
        for original, replacement in _changed_stretches(line, fixed)
    ]


def line_cost(text: str) -> int:
    """implausibility() of a whole line against its own dominant script, so that a
    repair that changes the script of the whole line (Hangul out of Latin-1 garbage)
    is compared fairly.

    >>> line_cost("í•œêµ\xadì–´") > line_cost("한국어")
    True
    >>> line_cost("10μs") < line_cost("10Î¼s")  # a lone Greek letter does not make a line Greek
    True
    """
    dominant = dominant_script(text)
    if dominant == "Greek" and _LONE_GREEK_LETTER.search(text):
        # Lone Greek letters are science in Latin text (5 μm), and they do not decide
        # the script of a line that is otherwise Latin.
        dominant = dominant_script(_LONE_GREEK_LETTER.sub("", text)) or dominant
    return implausibility(text, dominant, lone_greek_ok=True)


_LONE_GREEK_LETTER = re.compile(
    r"(?<![\u0370-\u03ff\u1f00-\u1fff])[\u0370-\u03ff\u1f00-\u1fff](?![\u0370-\u03ff\u1f00-\u1fff])"
)


def _changed_stretches(before: str, after: str) -> list[tuple[str, str]]:
    """The (original, replacement) stretches that differ, widened to whole tokens;
    changes within one token are one stretch.

    >>> _changed_stretches("a cÃ´tÃ© b cafÃ©", "a côté b café")
    [('cÃ´tÃ©', 'côté'), ('cafÃ©', 'café')]
    >>> _changed_stretches("â€˜testâ€™ â€” x", "‘test’ — x")
    [('â€˜testâ€™', '‘test’'), ('â€”', '—')]
    """
    opcodes = difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    spans: list[list[int]] = []
    for op, i1, i2, _, _ in opcodes:
        if op == "equal":
            continue
        lo, hi = _token_bounds(before, i1, i2)
        if spans and lo <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], hi)
        else:
            spans.append([lo, hi])

    def where(pos: int, end: bool) -> int:
        """The position in ``after`` of position ``pos`` of ``before``."""
        for op, i1, i2, j1, j2 in opcodes:
            if op == "equal" and i1 <= pos <= i2:
                return j1 + pos - i1
            if i1 <= pos <= i2 and (pos < i2 or i1 == i2):
                return j2 if end else j1
        return len(after)

    return [(before[lo:hi], after[where(lo, False) : where(hi, True)]) for lo, hi in spans]


def _notes(line: str) -> list[Repair]:
    """Artifacts recorded but left in place: lost characters, C1 controls no code page explains."""
    if not _NOTE_SUSPECT.search(line):
        return []
    notes = []
    for match in _LOST_RUN.finditer(line):
        run = match.group()
        notes.append(
            Repair(
                "lost_character", f"{run!r} likely stands for characters lost before ingestion", run, run, 1
            )
        )
    if "&" in line:
        # Plain text may mean an entity literally; feed HTML was decoded by the parser.
        for match in _HTML_ENTITY.finditer(line):
            entity = match.group()
            notes.append(Repair("html_entity", "HTML entity left as is", entity, entity, 1))
    for match in _C1.finditer(line):
        ch = match.group()
        notes.append(Repair("control_character", f"U+{ord(ch):04X} C1 control left as is", ch, ch, 1))
    return notes


def _c1_repairs(line: str, keep: set[str] | frozenset[str] = frozenset()) -> tuple[str, list[Repair]]:
    """C1 controls that stand for cp1252 characters (cp1252 text decoded as Latin-1).

    >>> text, repairs = _c1_repairs("\x93Quoted\x94 \x81")
    >>> text, [(r.original, r.replacement, r.detail) for r in repairs][0]
    ('“Quoted” \x81', ('\x93', '“', 'cp1252 read as latin-1 (C1 control)'))
    """
    if not _C1_DEFINED.search(line):
        return line, []
    table = {code: ch for code, ch in _C1_AS_CP1252.items() if chr(code) not in keep}
    repairs = [
        Repair("mojibake", "cp1252 read as latin-1 (C1 control)", m.group(), table[ord(m.group())], 1)
        for m in _C1_DEFINED.finditer(line)
        if ord(m.group()) in table
    ]
    return line.translate(table), repairs


# cp1252 quotation marks as C1 controls, opening -> closing forms: a pair of them
# around text is a cp1252 line read as Latin-1 beyond doubt.
_C1_QUOTE_PAIR = re.compile("[\x84\x93\x91\x8b][^\x80-\x9f]+?[\x93\x94\x92\x9b]")


def _c1_quote_repairs(line: str) -> tuple[str, list[Repair]]:
    """C1 controls of a line with no other sign of a Latin-1 reading: decoded only when
    they pair up as cp1252 quotation marks (\x84...\x93 is „...“).

    A lone C1 control (``l\x92avance``) is kept: one code alone does not show which
    code page the text went through, and text may hold it on purpose.

    >>> _c1_quote_repairs("\x84Handwerk\x93: hin")[0], _c1_quote_repairs("l\x92avance")[0]
    ('„Handwerk“: hin', 'l\x92avance')
    """
    if not _C1_QUOTE_PAIR.search(line):
        return line, []
    return _c1_repairs(line)


# The UTF-8 bytes of U+FFFD read as Latin-1 or cp1252: a character lost before the
# text was misread, so what it stands for is U+FFFD itself.
_FFFD_MISREAD = "ï¿½"


def _fffd_repairs(line: str) -> tuple[str, list[Repair]]:
    """``ï¿½`` -> U+FFFD (recorded), so the loss shows as what it is.

    >>> text, repairs = _fffd_repairs("in the newspaper ï¿½ email")
    >>> text, repairs[0].detail
    ('in the newspaper \ufffd email', 'utf-8 read as latin-1 (replacement character)')
    """
    count = line.count(_FFFD_MISREAD)
    if not count:
        return line, []
    repair = Repair(
        "mojibake", "utf-8 read as latin-1 (replacement character)", _FFFD_MISREAD, "\ufffd", count
    )
    return line.replace(_FFFD_MISREAD, "\ufffd"), [repair]


def _control_repairs(line: str) -> tuple[str, list[Repair]]:
    r"""Terminal escapes and C0 control characters removed, each recorded.

    >>> _control_repairs("a\x00b\x1b[31mred\x1b[0m\tc")[0]
    'abred\tc'
    """
    repairs: list[Repair] = []
    if "\x1b" in line:
        for match in _TERMINAL_ESCAPE.finditer(line):
            repairs.append(Repair("control_character", "terminal escape removed", match.group(), "", 1))
        line = _TERMINAL_ESCAPE.sub("", line)
    # C0 controls and DEL only (tab, line feed, form feed and carriage return stay);
    # ftfy's wider list also drops U+FEFF, which _invisible_repairs judges in context.
    cleaned = _CONTROL.sub("", line) if _CONTROL.search(line) else line
    if cleaned != line:
        for ch in sorted(set(_CONTROL.findall(line))):
            repairs.append(
                Repair(
                    "control_character", f"U+{ord(ch):04X} control character removed", ch, "", line.count(ch)
                )
            )
    return cleaned, repairs


def _invisible_repairs(line: str) -> tuple[str, list[Repair]]:
    """Drop zero-width spaces and word joiners that split a word of a spaced alphabet.

    >>> _invisible_repairs("infor\\u200bmation")[0]
    'information'
    >>> _invisible_repairs("ภาษา\\u200bไทย")[0]  # Thai marks word boundaries this way
    'ภาษา\\u200bไทย'
    """
    if not _INVISIBLE.search(line) or not _WORD_BREAKERS.search(line):
        return line, []
    repairs: list[Repair] = []

    def drop(match: re.Match[str]) -> str:
        left, right = line[match.start() - 1], line[match.end()]
        if script(left) == script(right) and script(left) in _SPACED_SCRIPTS:
            lo, hi = _token_bounds(line, match.start(), match.end())
            word = line[lo:hi]
            repairs.append(
                Repair(
                    "invisible_character",
                    f"U+{ord(match.group()[0]):04X} inside a word removed",
                    word,
                    word.replace(match.group(), ""),
                    1,
                )
            )
            return ""
        return match.group()

    return _WORD_BREAKERS.sub(drop, line), repairs


def _our_repairs(line: str, misread: bool = False) -> tuple[str, list[Repair]]:
    fixed, pieces = _undo_misreadings(line, misread)
    return fixed, [
        Repair("mojibake", describe_misreadings(p.codecs), p.original, p.text, 1) for p in pieces if p.codecs
    ]


def _repair_encoding(line: str) -> tuple[str, list[Repair]]:
    """Undo misreadings, unless what they leave is still garbage.

    Pieces of a hopeless garble decode one by one into other garble; a repair is worth
    making when it leaves the line readable, so a result that still reads at least
    half as badly as the input (and badly in absolute terms) is given up.
    """
    fixed, repairs = _undo_all(line)
    after = line_cost(_C1_OR_FFFD.sub("", fixed)) if repairs else 0
    if after >= _HOPELESS and 2 * after >= line_cost(line):
        return line, []
    return fixed, repairs


# A line still this implausible after repair (a few bad sequences) is garble, not text.
_HOPELESS = 6


def _undo_all(line: str) -> tuple[str, list[Repair]]:
    """Undo misreadings with ftfy and with every code page, in the order that reads best.

    ftfy's readings of the code pages it knows are finely tuned, but where it stops
    short it can leave text that a later reversal no longer decodes (and the other
    way round), so both orders are tried and the more plausible result wins; on a
    tie, ftfy first.
    """
    ours_first, repairs_b = _our_repairs(line)
    ftfy_first, repairs_a = _ftfy_repairs(line)
    if not repairs_a:
        # ftfy finds nothing in the line as it is: only the order "ours, then ftfy" remains.
        ours_first, more = _ftfy_repairs(ours_first) if repairs_b else (ours_first, [])
        return ours_first, repairs_b + more
    ftfy_first, more = _our_repairs(ftfy_first, misread=True)
    repairs_a += more
    if ours_first == ftfy_first or not repairs_b:
        return ftfy_first, repairs_a
    ours_first, more = _ftfy_repairs(ours_first)
    repairs_b += more
    # U+FFFD here can only mark bytes lost before (see _ftfy_repairs), and a C1 control
    # left after a reversal was in the text before it was misread: neither is a cost
    # when two repairs of the same line are compared.
    if line_cost(_C1_OR_FFFD.sub("", ours_first)) < line_cost(_C1_OR_FFFD.sub("", ftfy_first)):
        return ours_first, repairs_b
    return ftfy_first, repairs_a


def _needs_work(line: str) -> bool:
    if line.isascii():
        return bool(_ASCII_SUSPECT.search(line))
    return True


def repair_line(line: str) -> tuple[str, list[Repair]]:
    """Repair one line (no newline inside, or a trailing one kept as is).

    Clean text returns unchanged with [].

    >>> repair_line("The cafÃ© is open.")[0]
    'The café is open.'
    >>> text, repairs = repair_line("Il a dit ยป oui.")
    >>> text, repairs[0].detail, repairs[0].original, repairs[0].replacement
    ('Il a dit » oui.', 'utf-8 read as cp874', 'ยป', '»')
    >>> repair_line("รถยนต์คันนี้ยปลอดภัย")
    ('รถยนต์คันนี้ยปลอดภัย', [])
    """
    if not _needs_work(line):
        return line, []
    body, newline = (line[:-1], "\n") if line.endswith("\n") else (line, "")
    repairs: list[Repair] = []
    if not body.isascii():
        body, more = _repair_encoding(body)
        repairs += more
        if any(r.kind == "mojibake" and r.detail.startswith(_LATIN1_READINGS) for r in more):
            # The line went through a Latin-1 decoder: C1 controls it left standing
            # alone are cp1252 characters it passed through. C1 controls that a reversal
            # produced were in the text before it was misread, and stay; so do all of
            # them without that evidence (text may legitimately hold them). Noted below.
            decoded_c1 = {ch for r in more for ch in _C1.findall(r.replacement)}
            body, more = _c1_repairs(body, keep=decoded_c1)
            repairs += more
        elif _C1.search(body):
            body, more = _c1_quote_repairs(body)
            repairs += more
        if not any(_FFFD_MISREAD in r.replacement for r in repairs):
            # A reversal that yields ``ï¿½`` shows it was in the text before it was
            # misread (an earlier loss, kept as it came); standing in the input, it is
            # a U+FFFD read as Latin-1.
            body, more = _fffd_repairs(body)
            repairs += more
    for step in (_control_repairs, _invisible_repairs):
        body, more = step(body)
        repairs += more
    repairs += _notes(body)
    return body + newline, repairs


def repair_text(text: str) -> tuple[str, list[Repair]]:
    """Line by line; identical (kind, detail, original, replacement) repairs merged with summed counts.

    >>> text, repairs = repair_text("naÃ¯ve\\nnaÃ¯ve\\n")
    >>> text, [r.count for r in repairs]
    ('naïve\\nnaïve\\n', [2])
    >>> repair_text("“Fine” — naïve, 東京, Ελλάδα.")
    ('“Fine” — naïve, 東京, Ελλάδα.', [])
    """
    counts: Counter[tuple[str, str, str, str]] = Counter()
    out = []
    # Split on "\n" only: str.splitlines would also split at U+0085, an image of byte 0x85.
    for line in _LINES.findall(text):
        fixed, repairs = repair_line(line)
        out.append(fixed)
        for repair in repairs:
            counts[(repair.kind, repair.detail, repair.original, repair.replacement)] += repair.count
    return "".join(out), [Repair(k, d, o, r, n) for (k, d, o, r), n in counts.items()]
