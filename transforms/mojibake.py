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
import re
import unicodedata
from collections import Counter
from typing import NamedTuple

import ftfy
from ftfy.badness import badness

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
    # image character -> the byte it stands for, as a one-character str (for str.translate)
    to_bytes: dict[int, str]
    # a UTF-8 lead-byte image followed by a continuation-byte image: the cheap prefilter
    pair: re.Pattern[str]


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
    # Characters U+0080-U+00FF that are no image under this codec must not pass for bytes.
    to_bytes: dict[int, str] = {code: "\x00" for code in range(0x80, 0x100)}
    to_bytes.update({ord(ch): chr(byte) for byte, ch in images.items()})
    leads = {ch for byte, ch in images.items() if 0xC2 <= byte <= 0xF4}
    conts = {ch for byte, ch in images.items() if byte <= 0xBF}
    return _Codec(name, to_bytes, re.compile(_char_class(leads) + _char_class(conts)))


_CODECS: tuple[_Codec, ...] = tuple(_build_codec(name) for name in CODECS)

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

_LINES = re.compile(r"[^\n]*\n|[^\n]+")

# Characters of little-used blocks (Latin Extended-B and IPA beyond the letters of living
# orthographies, spacing modifiers, archaic Greek and Cyrillic, Cyrillic Supplement,
# private use): text seldom holds them, decoded garbage often does.
_RARE = re.compile(
    "[\u0180-\u01c3\u01dd-\u0217\u021c-\u024f\u0250-\u02ff\u0370-\u0385\u03cf-\u03ff"
    "\u0460-\u048f\u0500-\u052f\u1ab0-\u1aff\u1dc0-\u1dff\u2c00-\u2dff\ua640-\ua7ff\ue000-\uf8ff]"
)

# Most passes needed: each undoes one misreading (three covers triple mojibake).
_MAX_PASSES = 3


def script(ch: str) -> str:
    """The script of a letter or mark, "" for everything common to all scripts.

    >>> script("a"), script("ж"), script("ย"), script("東"), script("«"), script("7")
    ('Latin', 'Cyrillic', 'Thai', 'CJK', '', '')
    """
    if not ch.isalpha() and not unicodedata.category(ch).startswith("M"):
        return ""
    return _SCRIPT_NAMES[bisect.bisect_right(_SCRIPT_STARTS, ord(ch)) - 1]


def dominant_script(text: str) -> str:
    """The script most letters of the text are in ("" when there are none).

    >>> dominant_script("Le café ยป est ouvert"), dominant_script("123 ...")
    ('Latin', '')
    """
    counts = Counter(script(ch) for ch in text if ch.isalpha())
    counts.pop("", None)
    return counts.most_common(1)[0][0] if counts else ""


def implausibility(text: str, dominant: str) -> int:
    """How unlike real text a short window is, given the line's dominant script.

    Counts ftfy's bad sequences, script switches inside a word (x2), runs of letters
    in a script other than the dominant one, and characters no text should hold (x10).

    >>> implausibility("littÃ©rature", "Latin"), implausibility("littérature", "Latin")
    (2, 0)
    >>> implausibility("ยป", "Latin"), implausibility("»", "Latin")
    (1, 0)
    >>> implausibility("öยนต์", "Thai") > implausibility("รถยนต์", "Thai")
    True
    """
    cost = badness(text) + 2 * len(_RARE.findall(text))
    previous = ""
    lower_before = False
    for ch in text:
        if ch.isspace():
            previous = ""
            lower_before = False
            continue
        # A non-ASCII capital right after a small letter: UTF-8 lead bytes read as
        # Latin or Cyrillic capitals (Ã, Ă, Р, С) land inside words this way.
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
    """Widen [start, end) to whole whitespace-separated tokens."""
    while start > 0 and not line[start - 1].isspace():
        start -= 1
    while end < len(line) and not line[end].isspace():
        end += 1
    return start, end


class _Candidate(NamedTuple):
    start: int
    end: int
    replacement: str
    codec: str
    gain: int


def _candidates(line: str, codec: _Codec, dominant: str) -> list[_Candidate]:
    """Stretches of the line that are valid UTF-8 under the codec, with how much better they read decoded.

    Stretches that read worse decoded, or decode to characters no text holds, are left out.
    """
    found = []
    as_bytes = line.translate(codec.to_bytes)
    for match in _UTF8_RUN.finditer(as_bytes):
        start, end = match.span()
        replacement = match.group().encode("latin-1").decode("utf-8")
        if "\ufffd" in replacement:
            continue
        lo, hi = _token_bounds(line, start, end)
        before = line[lo:hi]
        after = line[lo:start] + replacement + line[end:hi]
        gain = implausibility(before, dominant) - implausibility(after, dominant)
        if gain > 0 or (gain == 0 and _fits(replacement, dominant)):
            found.append(_Candidate(start, end, replacement, codec.name, gain))
    return found


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
    return scripts <= {dominant} and (bool(scripts) or not any(ch.isalnum() for ch in replacement))


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


def _best_codec(line: str) -> list[_Candidate]:
    """The accepted readings of the codec that explains the line best (gain, then coverage, then order)."""
    # The pair test is cheap and rules out almost every codec on clean text, so the
    # line's dominant script is only computed when some codec could apply.
    if not _ANY_PAIR.search(line):
        return []
    codecs = [codec for codec in _CODECS if codec.pair.search(line)]
    if not codecs:
        return []
    dominant = dominant_script(line)
    best: list[_Candidate] = []
    best_key: tuple[int, int] = (0, 0)
    for codec in codecs:
        accepted = _accepted(_candidates(line, codec, dominant))
        if not accepted:
            continue
        key = (sum(c.gain for c in accepted), sum(c.end - c.start for c in accepted))
        if key > best_key:
            best, best_key = accepted, key
    return best


class _Piece(NamedTuple):
    text: str  # current text
    original: str  # what it was in the input line
    codecs: tuple[str, ...]  # misreadings undone, outermost first


def _replace(pieces: list[_Piece], start: int, end: int, new: str, codec: str) -> list[_Piece]:
    """Replace current-text span [start, end) by new, merging the provenance of what it covers."""
    out: list[_Piece] = []
    merged_original = ""
    merged_codecs: tuple[str, ...] = ()
    pos = 0
    inserted = False
    for piece in pieces:
        p_start, p_end = pos, pos + len(piece.text)
        pos = p_end
        if p_end <= start or p_start >= end:
            if p_start >= end and not inserted:
                out.append(_Piece(new, merged_original, (codec, *merged_codecs)))
                inserted = True
            out.append(piece)
            continue
        # Overlap: keep the untouched head and tail of an unrepaired piece.
        if piece.codecs:
            merged_original += piece.original
            merged_codecs = merged_codecs or piece.codecs
            continue
        head = piece.text[: max(0, start - p_start)]
        tail = piece.text[max(0, end - p_start) :]
        if head:
            out.append(_Piece(head, head, ()))
        merged_original += piece.text[len(head) : len(piece.text) - len(tail)]
        if tail:
            out.append(_Piece(new, merged_original, (codec, *merged_codecs)))
            inserted = True
            out.append(_Piece(tail, tail, ()))
    if not inserted:
        out.append(_Piece(new, merged_original, (codec, *merged_codecs)))
    return out


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


def _undo_misreadings(line: str) -> tuple[str, list[_Piece]]:
    """Reverse every plausible misreading, pass after pass; returns the text and its pieces."""
    pieces = [_Piece(line, line, ())]
    current = line
    for _ in range(_MAX_PASSES):
        if not _ANY_CONT.search(current):
            break
        chosen = _best_codec(current)
        if not chosen:
            break
        # Right to left, so earlier offsets stay valid.
        for cand in reversed(chosen):
            pieces = _replace(pieces, cand.start, cand.end, cand.replacement, cand.codec)
        current = "".join(piece.text for piece in pieces)
    return current, pieces


def _ftfy_codec_name(name: str) -> str:
    return FTFY_CODEC_NAMES.get(name, name)


def _ftfy_repairs(line: str) -> tuple[str, list[Repair]]:
    """What ftfy's encoding steps still find, kept only when the result reads better."""
    if not ftfy.badness.is_bad(line):
        return line, []
    fixed, plan = ftfy.fix_and_explain(line, FTFY_ENCODING_ONLY)
    # Only misreadings of UTF-8: a C1 control read back as cp1252 is a guess about
    # text that may legitimately hold it, and such text must come out unchanged.
    decoded = [name for op, name in plan or [] if op == "decode"]
    if any(not name.startswith("utf-8") for name in decoded):
        return line, []
    if fixed == line or fixed.count("\ufffd") > line.count("\ufffd"):
        return line, []
    dominant = dominant_script(line)
    if implausibility(fixed, dominant) >= implausibility(line, dominant):
        return line, []
    encodings = [_ftfy_codec_name(name) for op, name in plan or [] if op == "encode"]
    fixers = [name for op, name in plan or [] if op == "apply"]
    detail = describe_misreadings(tuple(encodings)) if encodings else " and ".join(fixers).replace("_", " ")
    return fixed, [
        Repair("mojibake", detail, original, replacement, 1)
        for original, replacement in _changed_stretches(line, fixed)
    ]


def _changed_stretches(before: str, after: str) -> list[tuple[str, str]]:
    """The (original, replacement) stretches that differ, widened to whole tokens.

    >>> _changed_stretches("a cafÃ© b", "a café b")
    [('cafÃ©', 'café')]
    """
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    out = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            out.append((before[i1:i2], after[j1:j2]))
    # Widen each to its token so that a repair reads as a whole word.
    widened = []
    for original, replacement in out:
        idx = before.find(original) if original else -1
        if idx < 0:
            widened.append((original, replacement))
            continue
        lo, hi = _token_bounds(before, idx, idx + len(original))
        prefix, suffix = before[lo:idx], before[idx + len(original) : hi]
        widened.append((prefix + original + suffix, prefix + replacement + suffix))
    return widened


def _notes(line: str) -> list[Repair]:
    """Artifacts recorded but left in place: lost characters, entities, controls."""
    notes = []
    for match in _LOST_RUN.finditer(line):
        run = match.group()
        notes.append(
            Repair(
                "lost_character", f"{run!r} likely stands for characters lost before ingestion", run, run, 1
            )
        )
    if "&" in line:
        for match in _HTML_ENTITY.finditer(line):
            entity = match.group()
            notes.append(Repair("html_entity", "HTML entity left as is", entity, entity, 1))
    for match in _CONTROL.finditer(line):
        ch = match.group()
        notes.append(Repair("control_character", f"U+{ord(ch):04X} control character left as is", ch, ch, 1))
    for match in _C1.finditer(line):
        ch = match.group()
        guess = bytes([ord(ch)]).decode("cp1252", errors="replace")
        notes.append(
            Repair(
                "control_character",
                f"U+{ord(ch):04X} C1 control left as is (cp1252 {guess!r} read as latin-1?)",
                ch,
                ch,
                1,
            )
        )
    return notes


def _invisible_repairs(line: str) -> tuple[str, list[Repair]]:
    """Drop zero-width spaces and word joiners that split a word of a spaced alphabet.

    >>> _invisible_repairs("infor\\u200bmation")[0]
    'information'
    >>> _invisible_repairs("ภาษา\\u200bไทย")[0]  # Thai marks word boundaries this way
    'ภาษา\\u200bไทย'
    """
    if not _WORD_BREAKERS.search(line):
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


def _our_repairs(line: str) -> tuple[str, list[Repair]]:
    fixed, pieces = _undo_misreadings(line)
    return fixed, [
        Repair("mojibake", describe_misreadings(p.codecs), p.original, p.text, 1) for p in pieces if p.codecs
    ]


def _repair_encoding(line: str) -> tuple[str, list[Repair]]:
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
    ftfy_first, more = _our_repairs(ftfy_first)
    repairs_a += more
    if ours_first == ftfy_first or not repairs_b:
        return ftfy_first, repairs_a
    ours_first, more = _ftfy_repairs(ours_first)
    repairs_b += more
    dominant = dominant_script(line)
    if implausibility(ours_first, dominant) < implausibility(ftfy_first, dominant):
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
        body, more = _invisible_repairs(body)
        repairs += more
    if "\x1b" in body:
        stripped = _TERMINAL_ESCAPE.sub("", body)
        if stripped != body:
            repairs += [
                Repair("control_character", "terminal escape removed", m.group(), "", 1)
                for m in _TERMINAL_ESCAPE.finditer(body)
            ]
            body = stripped
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
