"""Derived-from links: which article of a run is a translation of which other one.

A translation keeps what does not depend on the language: numbers, dates, the
names of people and places (respelled or transliterated: Зеленский, Zelensky,
Selenskyj), acronyms (transliterated, or, for the bodies whose acronym translation
replaces, the English one: США, USA), the figures inside quotations. Each article
becomes a set of such fingerprints; MinHash estimates the Jaccard similarity of
two sets and LSH buckets (one ``GroupByKey`` over band keys) bring similar articles
together without any global index, so it scales on a distributed runner (the Beam side
is ``transforms.link``). Every candidate pair is verified on the exact
fingerprints (Jaccard similarity, and enough of them in the same order on both
sides: a translation keeps the order of its facts), each article keeps only its
most similar verified partner per language (``mutual_best``), and the
translation evidence of both articles decides which one is the original (the
style classifiers' verdicts first; when they cannot tell, names one side glosses
the way the other spells them, a translator's habit: ``glosses``; then the dates of
publication, two days or more apart: ``_time_direction``); when nothing can, no
link is made.

    pytest tests/test_derived.py
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from transforms.language import same_language
from transforms.translation_signals import STYLE_SIGNAL

# --- fingerprints -------------------------------------------------------------------

_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяієїґ",
        "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya i ye yi g".split(),
        strict=True,
    )
)
_GREEK = dict(
    zip(
        "αβγδεζηθικλμνξοπρσςτυφχψω",
        "a b g d e z i th i k l m n x o p r s s t y f ch ps o".split(),
        strict=True,
    )
)
#: Katakana (how Japanese writes foreign names: バイデン, トランプ) in Hepburn romaji;
#: the small kana and the long-vowel mark add no consonant and drop out.
_KATAKANA = dict(
    zip(
        "アイウエオカキクケコガギグゲゴサシスセソザジズゼゾタチツテトダヂヅデドナニヌネノハヒフヘホ"
        "バビブベボパピプペポマミムメモヤユヨラリルレロワヲンヴァィゥェォャュョッー",
        "a i u e o ka ki ku ke ko ga gi gu ge go sa shi su se so za ji zu ze zo ta chi tsu te to "
        "da ji zu de do na ni nu ne no ha hi fu he ho ba bi bu be bo pa pi pu pe po ma mi mu me mo "
        "ya yu yo ra ri ru re ro wa o n vu a i u e o ya yu yo _ _".split(),
        strict=True,
    )
)
# Consonant classes: spellings of one sound across languages fall together
# (l and r too: Japanese has one of them, and transliteration swaps them).
_SKELETON = str.maketrans(
    {
        "c": "k",
        "q": "k",
        "g": "k",
        "x": "k",
        "z": "s",
        "j": "",
        "y": "",
        "w": "f",
        "v": "f",
        "h": "",
        "p": "b",
        "t": "d",
        "l": "r",
        "a": ".",
        "e": ".",
        "i": ".",
        "o": ".",
        "u": ".",
        "_": "",
    }
)
#: Digits grouped by thousands ("1,000", "1.000", "1 000") or with a decimal part.
#: The first digit is matched before the look back (no digit, dot or comma before it), so
#: the regex engine skips straight to digits instead of trying the look back everywhere.
_NUMBER = re.compile(
    r"\d(?<![\d.,].)\d*(?:[.,]\d+|[\u00a0\u202f ]\d{3}(?!\d))*"
    r"(?:\s?(?P<scale>[^\W\d_]+\.?|[万萬億亿千]))?"
)
#: Words that multiply the number before them ("1.5 million" = "150万" = "1,5 млн"),
#: matched by prefix.
_SCALES = {
    "thousand": 10**3, "тыс": 10**3, "тис": 10**3, "þúsund": 10**3, "tisuć": 10**3, "tisíc": 10**3,
    "tausend": 10**3,
    "千": 10**3, "万": 10**4, "萬": 10**4,
    "million": 10**6, "millones": 10**6, "milion": 10**6, "miljon": 10**6, "milljón": 10**6,
    "milijun": 10**6, "mln": 10**6, "млн": 10**6, "миллион": 10**6, "мільйон": 10**6,
    "billion": 10**9, "milliard": 10**9, "miljard": 10**9, "milljarð": 10**9, "miliard": 10**9,
    "milijard": 10**9,
    "mrd": 10**9, "млрд": 10**9, "миллиард": 10**9, "мільярд": 10**9, "bn": 10**9,
    "億": 10**8, "亿": 10**8,
}  # fmt: skip
_LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
_CYRILLIC_LETTERS = "\u0400-\u04ff"
_GREEK_LETTERS = "\u0370-\u03ff"
_SCRIPTS = (_LATIN, _CYRILLIC_LETTERS, _GREEK_LETTERS)


def _capitals(letters: str) -> str:
    """The capitals of a character class, as a class body.

    >>> _capitals("a-dA-D")
    'A-D'
    """
    member = re.compile(f"[{letters}]")
    runs: list[list[int]] = []
    for code in range(0x2000):
        if member.match(chr(code)) and chr(code).isupper():
            if runs and code == runs[-1][-1] + 1:
                runs[-1].append(code)
            else:
                runs.append([code])
    return "".join(re.escape(chr(r[0])) + (f"-{re.escape(chr(r[-1]))}" if len(r) > 1 else "") for r in runs)


#: A word is a run of one alphabet's letters, maybe joined by apostrophes or hyphens
#: ("O'Brien", "Jean-Pierre"), with no letter, digit or dot of that alphabet right before
#: it; a run of another script right before it (a Latin name inside Chinese or Japanese
#: text) does not hide it.
_WORD = "[{letters}]*(?:['’-][{letters}]+)*"
_WORD_START = r"(?<![{letters}\d.].)(?<![{letters}]['’-].)"
#: The words that start with a capital: the only ones that can be names, acronyms or
#: capitalized months. The first letter is matched before the look back, so the regex
#: engine skips from capital to capital (matching every word and testing its first
#: letter was most of the fingerprints' cost); the second look back keeps the second
#: part of a joined word ("l'Europe", "anti-American": words that start in lower case) out.
_CAPITALIZED = re.compile(
    "|".join(
        f"[{_capitals(letters)}]" + (_WORD_START + _WORD).format(letters=letters) for letters in _SCRIPTS
    )
)
#: Runs of one alphabet's letters: a cheap first look for month names in lower case.
_LETTER_RUN = re.compile("|".join(f"[{letters}]+" for letters in _SCRIPTS))
#: Every word, whatever its first letter (read only when a month name in lower case may be there).
_ANY_WORD = re.compile(
    "|".join(f"[{letters}]" + (_WORD_START + _WORD).format(letters=letters) for letters in _SCRIPTS)
)
_KATAKANA_RUN = re.compile(r"[\u30a1-\u30fa\u30fc]{2,}")
#: Any katakana, full or half width (NFKC makes the half-width forms full width).
_ANY_KATAKANA = re.compile(r"[\u30a1-\u30fa\uff66-\uff9d]")
_KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_CJK_DATE = re.compile(r"(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?")
_DAY_BEFORE = re.compile(r"(?<!\d)(\d{1,2})\.?\s?$")
_DAY_AFTER = re.compile(r"^\.?\s?(\d{1,2})(?!\d)")
_SENTENCE_END = '.!?:…。！？\n“"«„'
_ABBREVIATION = re.compile(r"(?:^|\s)(?:[A-Z]|[A-Z][a-z]{1,2}|[А-Я]|[А-Я][а-я]{1,2})\.\s*$")
_EN_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
#: Month names of other languages (any case: most write them in lower case), by number.
#: Forms that mean another month elsewhere ("listopad") are left out.
_MONTH_WORDS = {
    form: number
    for number, forms in enumerate(
        [
            "janvier enero gennaio janeiro januar januari janúar siječnja siječanj ledna leden "
            "января январь січня січень",
            "février febrero febbraio fevereiro februar februari febrúar veljače veljača února únor "
            "февраля февраль лютого лютий",
            "mars marzo março märz maart ožujka ožujak března březen марта март березня березень",
            "avril abril aprile april apríl travnja travanj dubna duben апреля апрель квітня квітень",
            "mai mayo maggio maio mei maí svibnja svibanj května květen мая май травня травень",
            "juin junio giugno junho juni júní lipnja lipanj června červen июня июнь червня червень",
            "juillet julio luglio julho juli júlí srpnja srpanj července červenec июля июль липня липень",
            "août agosto augusto augustus ágúst kolovoza kolovoz srpna srpen августа август серпня серпень",
            "septembre septiembre settembre setembro rujna rujan září сентября сентябрь вересня вересень",
            "octobre octubre ottobre outubro oktober október listopada října říjen октября октябрь "
            "жовтня жовтень",
            "novembre noviembre novembro nóvember studenoga studeni listopadu ноября ноябрь листопада "
            "листопад",
            "décembre diciembre dicembre dezembro dezember desember prosinca prosinac prosince prosinec "
            "декабря декабрь грудня грудень",
        ],
        start=1,
    )
    for form in forms.split()
}
#: Numbers this small are too common to tell stories apart (unless they have decimals).
MIN_NUMBER = 10


#: Acronyms that translation does not transliterate but replaces (США for USA, ООН or
#: ONU for UN, ВВП or PIB for GDP), as ``transliterate`` spells them, and the English
#: acronym that stands for them all: the bodies news names most, in the languages with
#: their own acronyms (Russian, Ukrainian, Croatian, Czech, Polish, German, Romance).
_ACRONYMS = {
    "us": "usa", "ssha": "usa", "sad": "usa",
    "es": "eu", "yes": "eu", "ue": "eu", "esb": "eu",
    "oon": "un", "onu": "un", "uno": "un", "onz": "un", "osn": "un",
    "voz": "who", "vooz": "who", "oms": "who", "szo": "who",
    "otan": "nato",
    "vich": "hiv", "vil": "hiv", "vih": "hiv",
    "fbr": "fbi", "tsru": "cia",
    "mvf": "imf", "fmi": "imf", "iwf": "imf", "mmf": "imf", "mfw": "imf",
    "vvp": "gdp", "pib": "gdp", "bip": "gdp", "bdp": "gdp", "pkb": "gdp", "hdp": "gdp",
    "vto": "wto", "omc": "wto",
    "obse": "osce", "espch": "echr", "mok": "ioc", "oae": "uae", "kndr": "dprk", "knr": "prc",
}  # fmt: skip


def transliterate(word: str) -> str:
    """A word in Latin letters without diacritics, lower case.

    >>> transliterate("Зеленский"), transliterate("Škoda"), transliterate("Київ"), transliterate("バイデン")
    ('zelenskiy', 'skoda', 'kiyiv', 'baiden')
    """
    lower = word.lower()
    if not lower.isascii():
        lower = "".join(_CYRILLIC.get(ch, _GREEK.get(ch, ch)) for ch in lower)
        if any("\u30a1" <= ch <= "\u30fc" for ch in lower):
            lower = _romaji(lower)
        lower = unicodedata.normalize("NFKD", lower).encode("ascii", "ignore").decode("ascii")
    return lower


def _romaji(word: str) -> str:
    """Katakana in romaji; ン before a labial is m (トランプ, Trump)."""
    out = "".join(_KATAKANA.get(ch, ch) for ch in word)
    return re.sub(r"n(?=[bpm])", "m", out)


def skeleton(word: str, length: int = 4) -> str:
    """The first consonant classes of a transliterated name: respellings meet.

    >>> skeleton("Zelensky"), skeleton("Selenskyj"), skeleton("Зеленского"), skeleton("Kramatorsk")
    ('srns', 'srns', 'srns', 'krmd')
    >>> skeleton("Trump"), skeleton("トランプ"), skeleton("London"), skeleton("ロンドン")
    ('drmb', 'drmb', 'rndn', 'rndn')
    >>> skeleton("Oyelaran"), skeleton("Оелоран"), skeleton("Allen"), skeleton("Harris")
    ('rrn', 'rrn', 'rn', 'rs')
    """
    letters = transliterate(word).translate(_SKELETON)
    # Doubled letters fall together ("Allen", "Ален"), a consonant repeated across a
    # vowel does not ("Oyelaran").
    collapsed = "".join(ch for ch, _ in itertools.groupby(letters) if ch.isalpha())
    return collapsed[:length]


def number_token(raw: str) -> str | None:
    """A number as a language-independent token; thousands separators and decimal commas unified.

    Whole numbers under MIN_NUMBER are too common to count; decimals always count.

    >>> number_token("1,000"), number_token("1 000"), number_token("12,5"), number_token("7")
    ('1000', '1000', '12.5', None)
    >>> number_token("3,80"), number_token("0.5"), number_token("1.000.000")
    ('3.8', '0.5', '1000000')
    """
    parts = re.split(r"[.,\u00a0\u202f ]", raw)
    if all(len(p) == 3 for p in parts[1:]):
        whole, fraction = "".join(parts), ""
    elif len(parts) == 2:
        whole, fraction = parts[0], parts[1].rstrip("0")
    else:
        return None  # "1.2.3": a version or a date, not a quantity
    whole = whole.lstrip("0") or "0"
    if fraction:
        return f"{whole}.{fraction}"
    return whole if int(whole) >= MIN_NUMBER else None


def _scaled(token: str, scale: str) -> str | None:
    """The value of "1.5 million", "150万" as a whole number, when ``scale`` is such a word.

    >>> _scaled("1.5", "million"), _scaled("150", "万"), _scaled("12", "people")
    ('1500000', '1500000', None)
    >>> _scaled("2.25", "milljarða"), _scaled("3", "млрд."), _scaled("40", "tisíc")
    ('2250000000', '3000000000', '40000')
    """
    lower = scale.lower()
    factor = next((f for prefix, f in _SCALES.items() if lower.startswith(prefix)), None)
    if factor is None:
        return None
    whole, _, fraction = token.partition(".")
    value = int(whole) * factor + (int(fraction) * factor // 10 ** len(fraction) if fraction else 0)
    return str(value)


def _sentence_start(text: str, start: int) -> bool:
    """Whether a word at ``start`` begins a sentence (an initial or "Dr." before it does not end one)."""
    before = text[max(0, start - 12) : start].rstrip(" \u00a0\t")
    if not before or before[-1] in '\n“"«„':
        return True
    if before[-1] not in _SENTENCE_END:
        return False
    return before[-1] != "." or not _ABBREVIATION.search(before)


def _month(word: str) -> int | None:
    lower = word.lower()
    if word[0].isupper() and lower in _EN_MONTHS:
        return _EN_MONTHS[lower]
    return _MONTH_WORDS.get(lower)


def _day(text: str, start: int, end: int) -> int | None:
    """The day of month written right before ("14 March", "14. März") or after ("March 14")."""
    for match in (_DAY_BEFORE.search(text[max(0, start - 4) : start]), _DAY_AFTER.match(text[end : end + 4])):
        if match and 1 <= int(match.group(1)) <= 31:
            return int(match.group(1))
    return None


def ordered_fingerprints(
    text: str, max_chars: int = 20_000, lower_months: bool = True, names: KanjiNames | None = None
) -> list[str]:
    """Language-independent tokens of a text in order of first appearance: numbers
    (scaled ones too), months and days of month, acronyms and name skeletons.

    Most languages write month names in lower case ("14 marca", "3 mars"); English
    does not, and in English text a lower-case "mai" or "april" is no month:
    ``lower_months=False`` reads only capitalized ones (and saves a pass over every word).
    ``names`` reads the names of Japanese text written in kanji (give it for Japanese
    only: its dictionary knows no other language).

    >>> ordered_fingerprints("On 14 March 2023 Zelensky visited Kramatorsk with 300 troops and NATO.")
    ['n:14', 'd:3-14', 'm:3', 'n:2023', 'p:srns', 'p:krmd', 'n:300', 'a:nato']
    >>> ru = ordered_fingerprints("14 марта 2023 года Зеленский посетил Краматорск, 300 военных, НАТО.")
    >>> ja = ordered_fingerprints("ゼレンスキー大統領は2023年3月14日にクラマトルスクを訪問した。")
    >>> sorted(set(ru) & set(ja))
    ['d:3-14', 'm:3', 'n:14', 'n:2023', 'p:krmd', 'p:srns']
    """
    text = unicodedata.normalize("NFKC", text[:max_chars])
    found: list[tuple[int, str]] = []
    for match in _NUMBER.finditer(text):
        raw = match.group().rstrip()
        scale = match.group("scale")
        if scale:
            raw = raw[: match.start("scale") - match.start()].rstrip()
        token = number_token(raw)
        if token:
            found.append((match.start(), "n:" + token))
        scaled = (
            _scaled(token or raw.replace(",", "."), scale)
            if scale and re.fullmatch(r"\d+(?:[.,]\d+)?", raw)
            else None
        )
        if scaled:
            found.append((match.start() + 1, "n:" + scaled))
    for match in _CJK_DATE.finditer(text):
        month, day = int(match.group(1)), match.group(2)
        if 1 <= month <= 12:
            found.append((match.start(), f"m:{month}"))
            if day and 1 <= int(day) <= 31:
                found.append((match.start(), f"d:{month}-{int(day)}"))
    for match in _KATAKANA_RUN.finditer(text):
        key = skeleton(match.group())
        if len(key) >= 3:
            found.append((match.start(), "p:" + key))
    if names is not None:
        found += names.keys(text)
    words = list(_CAPITALIZED.finditer(text))
    if lower_months and not _MONTH_WORDS.keys().isdisjoint(_LETTER_RUN.findall(text)):
        words += (m for m in _ANY_WORD.finditer(text) if m.group() in _MONTH_WORDS)  # all lower case
    for match in words:
        word = match.group()
        month = _month(word)
        if month:
            found.append((match.start() - 1, f"m:{month}"))
            day = _day(text, match.start(), match.end())
            if day:
                found.append((match.start() - 1, f"d:{month}-{day}"))
            continue
        if 2 <= len(word) <= 5 and word.isupper():
            acronym = transliterate(word)
            found.append((match.start(), "a:" + _ACRONYMS.get(acronym, acronym)))
            continue
        if not word[0].isupper() or len(word) < 4 or _sentence_start(text, match.start()):
            continue  # a capital at a sentence start says nothing about a name
        key = skeleton(word)
        if len(key) >= 3:
            found.append((match.start(), "p:" + key))
    found.sort()
    return list(dict.fromkeys(token for _, token in found))


def fingerprints(text: str, max_chars: int = 20_000) -> frozenset[str]:
    """The set of ``ordered_fingerprints``.

    >>> sorted(fingerprints("On 14 March 2023 Zelensky visited Kramatorsk with 300 troops."))
    ['d:3-14', 'm:3', 'n:14', 'n:2023', 'n:300', 'p:krmd', 'p:srns']
    """
    return frozenset(ordered_fingerprints(text, max_chars))


def katakana_keys(text: str, max_chars: int = 20_000) -> list[str]:
    """The name fingerprints that come from katakana words (foreign names, but also
    loanwords: see ``_firm_size``), in order of first appearance; none for most texts.

    >>> katakana_keys("バイデン大統領はコロナウイルス対策を発表した。"), katakana_keys("Biden spoke.")
    (['p:bdn', 'p:krnr'], [])
    """
    text = text[:max_chars]
    if not _ANY_KATAKANA.search(text):
        return []
    text = unicodedata.normalize("NFKC", text)
    keys = (skeleton(match.group()) for match in _KATAKANA_RUN.finditer(text))
    return list(dict.fromkeys("p:" + key for key in keys if len(key) >= 3))


class KanjiNames:
    """The names Japanese writes in kanji, as name fingerprints of their readings:
    田中 is Tanaka, 川勝平太 Kawakatsu Heita, 福島 Fukushima.

    Kanji carry no sound a table could transliterate (katakana does: ``_romaji``), and
    most Japanese names of people and places are written in them, so without their
    readings a Japanese report and its English translation share only numbers and
    foreign names. MeCab's morphological analysis with the IPA dictionary (fugashi,
    ipadic) finds the proper nouns of people and places and reads them; the readings
    go through the same skeleton as every other name. Names of organizations and
    countries are left out: English translates them (北海道新聞, Hokkaido Shimbun;
    米国, the US) rather than spelling their sound.

    The tagger is a C object that does not pickle: build one per worker (``DoFn.setup``).

    >>> names = KanjiNames()
    >>> [token for _, token in names.keys("岸田文雄首相は福島県を訪れ、米国の大使と会った。")]
    ['p:ksd', 'p:fksm']
    """

    #: A proper noun of a person (姓, 名 or a whole name) or a place other than a country in
    #: MeCab's output with the IPA dictionary: surface, then the features part of speech,
    #: its three subtypes, two conjugation fields, base form, reading (katakana), sound.
    _NAME = re.compile(
        r"^([^\t\n]+)\t名詞,固有名詞,(?:人名,[^,\n]*|地域,一般),[^,\n]*,[^,\n]*,[^,\n]*,[^,\n]*,([^,\n]+)",
        re.MULTILINE,
    )

    def __init__(self) -> None:
        import fugashi
        import ipadic

        self._tagger = fugashi.GenericTagger(ipadic.MECAB_ARGS)

    def keys(self, text: str) -> list[tuple[int, str]]:
        """(position, fingerprint) of each name in kanji, positions in ``text`` (already
        NFKC-normalized, as ``ordered_fingerprints`` reads it)."""
        if not _KANJI.search(text):
            return []
        found: list[tuple[int, str]] = []
        cursor = 0
        # The parsed text as one string, read by a regex: a third of the cost of asking
        # each node for its features (0.34 ms against 0.9 for 2,000 Japanese characters).
        for match in self._NAME.finditer(self._tagger.parse(text)):
            surface = match.group(1)
            at = text.find(surface, cursor)
            if at >= 0:
                cursor = at + len(surface)
            if not _KANJI.search(surface):
                continue  # katakana names have their own fingerprints
            key = skeleton(match.group(2))
            if len(key) >= 3:
                found.append((max(at, 0), "p:" + key))
        return found


# --- glosses: a name followed by its spelling in another script --------------------------

#: Letters of scripts other than Latin (Greek, Cyrillic, Hebrew, Arabic, Devanagari, Thai,
#: kana, CJK, Hangul): the script a gloss follows.
_OTHER_SCRIPT = (
    "\u0370-\u03ff\u0400-\u04ff\u0590-\u05ff\u0600-\u06ff\u0900-\u097f\u0e00-\u0e7f"
    "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af"
)
#: A word of a name in Latin letters ("Mandela", "DeBerry", "O'Neill") or a particle or
#: initial inside one ("de", "van", "F.").
_GLOSS_WORD = r"(?:[A-Z][a-z'’\-]+[A-Za-z'’\-]*|[A-Z]{1,2}\.?|de|da|van|von|al|bin|la|le)"
#: A name written in another script and then, in parentheses, in Latin letters:
#: 曼德拉（Nelson Mandela）, Мандела (Mandela). Translators put the original spelling of a
#: foreign name beside its transcription (a gloss); a writer of the language seldom does.
_GLOSS = re.compile(
    rf"[{_OTHER_SCRIPT}][\s\u00a0]?[（(][\s\u00a0]?({_GLOSS_WORD}(?:[\s\u00a0]{_GLOSS_WORD})*)[\s\u00a0]?[)）]"
)


def glosses(text: str, max_chars: int = 20_000) -> list[str]:
    """Names that follow their transcription in parentheses, as the name fingerprints of
    their words (space-separated; ``p:`` left out), in order, each once. Acronyms in
    parentheses (NATO, WHO) are left out: writers in every language add those.

    >>> glosses("南非前总统德克勒克 (FW de Klerk) 与曼德拉（Nelson Mandela）会面，北约（NATO）。")
    ['krrk', 'nrsn mndr']
    >>> glosses("Президент Байден (Joe Biden) прибыл в Киев.")
    ['bdn']
    >>> glosses("He met Mandela (Nelson Mandela) in Cape Town.")
    []
    """
    text = text[:max_chars]
    if "(" not in text and "（" not in text:
        return []
    found: list[str] = []
    for match in _GLOSS.finditer(unicodedata.normalize("NFKC", text)):
        words = match.group(1).split()
        if not any(ch.islower() for word in words for ch in word):
            continue
        keys = [key for word in words if len(word) >= 4 and (key := skeleton(word)) and len(key) >= 3]
        if keys:
            found.append(" ".join(keys))
    return list(dict.fromkeys(found))


def copied_glosses(a: dict[str, Any], b: dict[str, Any]) -> int:
    """How many of ``a``'s glosses spell a name the way ``b`` writes it (every word of the
    glossed name among ``b``'s fingerprints): names ``a`` took over from a text like ``b``.

    >>> copied_glosses({"glosses": ["nrsn mndr", "krrk"]}, {"fingerprints": ["p:nrsn", "p:mndr", "n:10"]})
    1
    """
    found = a.get("glosses")
    if not found:
        return 0  # most articles gloss nothing
    prints = set(b.get("fingerprints") or ())
    return sum(1 for gloss in found if all("p:" + key in prints for key in gloss.split()))


# --- MinHash and LSH ------------------------------------------------------------------


def _token_hash(token: str) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "big")


@dataclass(frozen=True)
class LinkSettings:
    """MinHash/LSH shape and the verification thresholds."""

    #: Hash functions (= bands * rows). Two rows per band keep buckets small; 80
    #: bands make a pair of Jaccard similarity 0.15 a candidate 84% of the time, 0.2
    #: 96% (the true WMT pairs: median 0.45, a quarter below 0.3; Japanese-English
    #: pairs often 0.1-0.2, their names in kanji having no transliteration). 40 bands
    #: left 28 of 423 true WMT pairs no candidate, 80 bands 12 (the candidate pairs
    #: double: 8,400 -> 16,800 of 1,057 articles).
    bands: int = 80
    rows: int = 2
    seed: int = 1
    #: Articles with fewer fingerprints are never linked: too little to go on.
    min_fingerprints: int = 2
    #: Jaccard similarity of the fingerprint sets a pair needs. Measured on WMT
    #: pairs (cross-language, 2021/2022): true pairs median 0.45, 10% below 0.21;
    #: unrelated pairs sharing two tokens or more 99% below 0.17.
    min_similarity: float = 0.2
    #: The same for two articles in one language (a re-translated copy): the same
    #: extraction runs on both sides, so a copy keeps most of its fingerprints
    #: (the seed pair 000/001: 0.67) while two reports of one event share a few
    #: names (0.25 to 0.3 on WMT).
    min_similarity_same_language: float = 0.4
    #: Shared fingerprints a pair needs in the same order on both sides (a
    #: translation keeps the order of its facts; two stories of one day share a
    #: few names and dates in any order). Measured on WMT: true pairs keep 90% of
    #: their shared fingerprints in order, unrelated pairs two thirds.
    min_ordered: int = 2
    #: Shared fingerprints a pair needs that are neither a month nor a year (the
    #: stories of one month share those by the thousand).
    min_specific: int = 2
    #: Two articles in different languages below ``min_similarity`` still match when this
    #: share of the smaller fingerprint set is in the larger one, with at least
    #: ``min_containment_specific`` specific fingerprints and ``min_containment_ordered``
    #: in the same order. Measured on the WMT candidate pairs (chosen on the evaluation
    #: set): true pairs whose sides differ much in size (Japanese names in kanji leave
    #: 5-10 fingerprints against 20-40 in English) pass, unrelated pairs rarely.
    min_containment: float = 0.5
    min_containment_specific: int = 3
    min_containment_ordered: int = 4
    #: A bucket larger than this is a degenerate band (skipped, and counted).
    max_bucket: int = 300
    #: Two articles in one language are linked only when their translation
    #: confidences differ at least this much (one a translation, one not).
    min_confidence_gap: float = 0.3
    #: Two articles in different languages, both assessed (English by its style
    #: classifier, the other by a head of ``transforms.translationese_multi``): the one
    #: whose translation confidence has the higher log-odds is the translation, when the
    #: log-odds differ at least this much. Exactly one side of a true pair is the
    #: translation, so the difference weighs the two opinions against each other: one
    #: confident side decides even when the other is unsure.
    min_direction_logit: float = 1.0
    #: Two articles in different languages, only one of them assessed (the style
    #: classifier reads one language): that one is the translation when its
    #: confidence is at least ``translated_above``, the original when at most
    #: ``original_below``; in between nothing is linked. Wrong directions come
    #: from the classifier's confident mistakes, so both bounds are strict. They follow
    #: the classifier's calibration: since its scores shrink toward a prior of 0.2 on
    #: short texts, 0.7 / 0.1 keep precision at 0.95 on WMT pairs (leave-one-language-out
    #: models) where the earlier 0.8 / 0.05 left two thirds of the true pairs undecided.
    translated_above: float = 0.7
    original_below: float = 0.1
    #: A pair the style classifiers leave undecided: the side that glosses at least this many
    #: names the way the other side spells them (曼德拉（Nelson Mandela）: a translator's habit,
    #: see ``glosses``) is the translation, when the other side's style verdict is below
    #: ``gloss_other_below`` (the classifier's own boundary: not read as a translation). On
    #: the WMT pairs 9 of 16 Chinese translations of English gloss a name the English side
    #: spells alike and none of their English originals; among the other languages one
    #: Japanese original (itself a report translated from Korean) and no translation does.
    min_copied_glosses: int = 1
    gloss_other_below: float = 0.5
    #: A pair in two languages that nothing above orients: the article published at least
    #: this many calendar days before the other is the original (a translation cannot come
    #: out before its source). Dates are compared as each article gives its own, so a
    #: timezone moves a day by one at most; two days is beyond that.
    min_published_days: int = 2

    def coefficients(self) -> list[tuple[int, int]]:
        """Seeded (a, b) pairs of the multiply-shift hashes h(x) = ((a x + b) mod 2^64) >> 32,
        a odd (Dietzfelbinger's universal family: numpy computes all of them at once)."""
        out = []
        for i in range(self.bands * self.rows):
            digest = hashlib.blake2b(f"{self.seed}/{i}".encode(), digest_size=16).digest()
            a = int.from_bytes(digest[:8], "big") | 1
            b = int.from_bytes(digest[8:], "big")
            out.append((a, b))
        return out


def minhash(tokens: Iterable[str], coefficients: Sequence[tuple[int, int]]) -> tuple[int, ...]:
    """The MinHash signature of a token set (empty set -> empty signature).

    >>> s = LinkSettings(bands=2, rows=2).coefficients()
    >>> minhash({"a", "b"}, s) == minhash({"b", "a"}, s), len(minhash({"a"}, s)), minhash(set(), s)
    (True, 4, ())
    """
    hashes = np.array([_token_hash(t) for t in tokens], dtype=np.uint64)
    if not len(hashes):
        return ()
    ab = np.array(coefficients, dtype=np.uint64)
    with np.errstate(over="ignore"):  # arithmetic modulo 2^64 is the point
        values = (hashes[:, None] * ab[:, 0] + ab[:, 1]) >> np.uint64(32)
    return tuple(values.min(axis=0).tolist())


_MIX = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))


def band_digests(signature: Sequence[int], rows: int) -> np.ndarray:
    """A 64-bit digest of each band's rows (a multiply-xor mix of the band's values and its
    index, computed for all bands at once), as uint64 in band order.

    >>> band_digests([1, 2, 3, 4], 2).tolist() == band_digests([1, 2, 3, 4], 2).tolist()
    True
    >>> band_digests([1, 2], 2)[0] != band_digests([2, 1], 2)[0], band_digests([1, 2, 3], 2).shape
    (np.True_, (1,))
    """
    bands = len(signature) // rows
    values = np.asarray(signature[: bands * rows], dtype=np.uint64).reshape(bands, rows)
    with np.errstate(over="ignore"):
        digest = np.arange(bands, dtype=np.uint64) * _MIX[0]
        for row in range(rows):
            digest = (digest ^ values[:, row]) * _MIX[1]
            digest ^= digest >> np.uint64(31)
        digest = (digest ^ (digest >> np.uint64(29))) * _MIX[2]
        digest ^= digest >> np.uint64(32)
    return digest


def band_keys(signature: Sequence[int], rows: int) -> list[str]:
    """One key per band: the band's index and its digest (``band_digests``) in hex.

    >>> band_keys([1, 2, 3, 4], 2) == band_keys([1, 2, 3, 4], 2), len(band_keys([1, 2, 3, 4], 2))
    (True, 2)
    >>> band_keys([1, 2], 2)[0] != band_keys([2, 1], 2)[0]
    True
    """
    return [f"{band}:{value:016x}" for band, value in enumerate(band_digests(signature, rows).tolist())]


# --- summaries, verification and direction ----------------------------------------------


def summarize(article: dict[str, Any], names: KanjiNames | None = None) -> dict[str, Any]:
    """What linking needs of an article (small: it travels through the shuffle).

    ``fingerprints`` are in the order they first appear in the text (verification
    compares the order on both sides); ``names`` reads the kanji names of a Japanese one.
    """
    translation = article.get("translation") or {}
    language = article.get("language") or {}
    assessed = any(s.get("name") == STYLE_SIGNAL for s in translation.get("signals") or [])
    text = "\n".join(part for part in (article.get("title"), article.get("text")) if part)
    summary = {
        "id": article["id"],
        "language": language.get("code"),
        "is_translation": bool(translation.get("is_translation")),
        "confidence": float(translation.get("confidence") or 0.0),
        "source_language": translation.get("source_language"),
        "assessed": assessed,
        "fingerprints": ordered_fingerprints(
            text,
            lower_months=language.get("code") != "en",
            names=names if same_language(language.get("code"), "ja") else None,
        ),
        "glosses": glosses(text),
        "loose": katakana_keys(text),
    }
    if by_source := source_confidences(translation):
        summary["by_source"] = by_source
    if (day := published_day(article.get("published"))) is not None:
        summary["published_day"] = day
    return summary


def published_day(published: dict[str, Any] | None) -> int | None:
    """The calendar day an article was published (proleptic ordinal), when known to the day.

    >>> published_day({"value": "2024-06-07T09:30:00+02:00", "precision": "minute", "source": "feed"})
    739044
    >>> published_day({"value": "2024-06", "precision": "month", "source": "text"}) is None
    True
    >>> published_day({"value": "2024-06-09", "precision": "day", "source": "feed_updated"}) is None
    True

    A feed's ``updated`` time (``feed_updated``: the entry gave no ``published``) may be an
    edit days after the text came out, and would make an original look later than its
    translation: it is not a publication day.
    """
    if not published or published.get("precision") in (None, "year", "month"):
        return None
    if published.get("source") == "feed_updated":
        return None
    try:
        return date.fromisoformat(str(published.get("value"))[:10]).toordinal()
    except ValueError:
        return None


def source_confidences(translation: dict[str, Any]) -> dict[str, float]:
    """The translation confidence an article would have were its style judged by the head of
    each source language it was read by (``style_sources``) instead of the general head:
    the other signals combined with that head's p(translated from L).

    >>> source_confidences({"signals": [{"name": "translationese_style", "weight": 0.4},
    ...                                 {"name": "guillemets", "weight": 0.5}],
    ...                     "style_sources": [{"code": "ru", "p": 0.9}, {"code": "ja", "p": 0.02}]})
    {'ru': 0.95, 'ja': 0.51}
    """
    sources = translation.get("style_sources") or []
    if not sources:
        return {}
    rest = 1.0
    for signal in translation.get("signals") or []:
        if signal.get("name") != STYLE_SIGNAL:
            rest *= 1.0 - float(signal.get("weight") or 0.0)
    return {s["code"]: round(1.0 - (1.0 - float(s["p"])) * rest, 4) for s in sources}


def for_pair(summary: dict[str, Any], other_language: str | None) -> dict[str, Any]:
    """The summary as a pair with an article in ``other_language`` sees it: a side read by
    the head of that language (the English style classifier has one per source language
    of its training data) is judged by that head, which asks the pair's own question (is
    this a translation from that language?) and answers it far better than the general
    head, which must also serve languages it never saw.

    >>> en = {"id": "e", "confidence": 0.45, "is_translation": False, "by_source": {"ru": 0.93}}
    >>> for_pair(en, "ru")["confidence"], for_pair(en, "ru")["is_translation"], for_pair(en, "hr") is en
    (0.93, True, True)
    """
    by_source = summary.get("by_source")
    if not by_source or not other_language:
        return summary
    for language, confidence in by_source.items():
        if same_language(language, other_language):
            return {**summary, "confidence": confidence, "is_translation": confidence >= 0.5}
    return summary


def similarity(a: Sequence[str], b: Sequence[str]) -> tuple[float, int]:
    """Jaccard similarity and the number of shared fingerprints.

    >>> similarity(["n:10", "p:abc"], ["n:10", "p:xyz"])
    (0.3333333333333333, 1)
    """
    sa, sb = set(a), set(b)
    shared = len(sa & sb)
    union = len(sa | sb)
    return (shared / union if union else 0.0), shared


def ordered_shared(a: Sequence[str], b: Sequence[str]) -> int:
    """How many shared fingerprints appear in the same order on both sides
    (the longest common subsequence of the two orders).

    >>> ordered_shared(["n:10", "p:abc", "n:20", "m:3"], ["p:abc", "n:20", "x", "n:10", "m:3"])
    3
    """
    common = set(a) & set(b)
    left = [t for t in a if t in common]
    right = [t for t in b if t in common]
    if len(left) == len(common) == len(right):
        # No token repeats (fingerprints are distinct): the longest common subsequence is
        # the longest increasing run of ``left``'s positions in ``right``, found by
        # patience sorting in n log n instead of the n x m table.
        where = {token: j for j, token in enumerate(right)}
        tails: list[int] = []
        for position in (where[token] for token in left):
            k = bisect.bisect_left(tails, position)
            if k == len(tails):
                tails.append(position)
            else:
                tails[k] = position
        return len(tails)
    previous = [0] * (len(right) + 1)
    for token in left:
        current = [0]
        for j, other in enumerate(right):
            current.append(previous[j] + 1 if token == other else max(previous[j + 1], current[j]))
        previous = current
    return previous[-1]


_YEAR_OR_MONTH = re.compile(r"m:|n:(?:1[89]|20)\d\d$")


def _firm_size(a: dict[str, Any], b: dict[str, Any]) -> int:
    """How many distinct fingerprints ``a`` has, its katakana words that ``b`` lacks left out
    (``loose``): a katakana word is a foreign name or a loanword (コロナウイルス, リモート),
    and a loanword's English is a lower-case word, no fingerprint, so its absence on the
    other side says nothing against the match.

    >>> _firm_size({"fingerprints": ["p:krnr", "p:bdn", "n:46"], "loose": ["p:krnr", "p:bdn"]},
    ...            {"fingerprints": ["p:bdn", "n:46"]})
    2
    """
    prints = set(a["fingerprints"])
    loose = a.get("loose")
    if not loose:
        return len(prints)
    other = set(b["fingerprints"])
    return len(prints) - sum(1 for key in loose if key in prints and key not in other)


def match(a: dict[str, Any], b: dict[str, Any], settings: LinkSettings) -> float | None:
    """The similarity of two summaries when they tell the same story, else None (direction aside)."""
    if min(len(a["fingerprints"]), len(b["fingerprints"])) < settings.min_fingerprints:
        return None
    score, shared = similarity(a["fingerprints"], b["fingerprints"])
    one_language = bool(a["language"]) and same_language(a["language"], b["language"])
    needed = settings.min_similarity_same_language if one_language else settings.min_similarity
    contained = False
    if score < needed or shared < settings.min_ordered:
        # Across languages one side may find far fewer fingerprints (names in kanji have
        # no transliteration): most of the smaller set in the larger one, with more
        # specific fingerprints in order, still tells the same story.
        smaller = min(_firm_size(a, b), _firm_size(b, a))
        if one_language or shared < settings.min_containment * smaller:
            return None
        contained = True
    common = set(a["fingerprints"]) & set(b["fingerprints"])
    specific = sum(1 for token in common if not _YEAR_OR_MONTH.match(token))
    if specific < (settings.min_containment_specific if contained else settings.min_specific):
        return None
    ordered = ordered_shared(a["fingerprints"], b["fingerprints"])
    if ordered < (settings.min_containment_ordered if contained else settings.min_ordered):
        return None
    return round(score, 6)


def _known_score(summary: dict[str, Any]) -> float | None:
    """The translation confidence when evidence was looked at (the style classifier read the
    text, or another signal found it translated); None when nothing could be judged."""
    if summary["assessed"] or summary["is_translation"]:
        return summary["confidence"]
    return None


def _logit(p: float) -> float:
    """Log-odds, bounded (a confidence of 0 or 1 is not infinitely sure).

    >>> round(_logit(0.5), 3), round(_logit(0.9), 3), round(_logit(1.0), 3)
    (0.0, 2.197, 6.907)
    """
    p = min(max(p, 0.001), 0.999)
    return math.log(p / (1.0 - p))


def _style_direction(a: dict[str, Any], b: dict[str, Any], settings: LinkSettings) -> tuple[str, str] | None:
    """(translation id, original id) of a pair in two languages from the style classifiers'
    verdicts, or None when they cannot tell."""
    la, lb = a["language"], b["language"]
    sa, sb = _known_score(a), _known_score(b)
    if sa is not None and sb is not None:
        # The heads of other languages learnt translations out of English, the English
        # classifier translations into English: a pair without English is outside both.
        if not (same_language(la, "en") or same_language(lb, "en")):
            return None
        difference = _logit(sa) - _logit(sb)
        if abs(difference) < settings.min_direction_logit:
            return None
        return (a["id"], b["id"]) if difference > 0 else (b["id"], a["id"])
    if sa is None and sb is None:
        return None
    known, other = (a, b) if sa is not None else (b, a)
    score = sa if sa is not None else sb
    assert score is not None
    if score >= settings.translated_above:
        return known["id"], other["id"]
    # A low score says "original" only from the English classifier, whose calibration
    # the bound follows; the other languages' heads are not calibrated alike.
    if score <= settings.original_below and same_language(known["language"], "en"):
        return other["id"], known["id"]
    return None


def _gloss_direction(a: dict[str, Any], b: dict[str, Any], settings: LinkSettings) -> tuple[str, str] | None:
    """(translation id, original id) when one side glosses names the way the other spells
    them (``copied_glosses``) and the other does not, and the other side was read by a style
    classifier and does not read as a translation; else None.

    A gloss says the names came from a text in Latin letters, not that they came from this
    one: two translations of one story gloss alike, so a side nobody could assess (no
    style head for its language) is never taken for the original on glosses alone.

    >>> zh = {"id": "z", "glosses": ["nrsn mndr"], "fingerprints": ["p:nrsn", "p:mndr"],
    ...       "assessed": False, "is_translation": False, "confidence": 0.0}
    >>> en = {"id": "e", "glosses": [], "fingerprints": ["p:nrsn", "p:mndr"],
    ...       "assessed": True, "is_translation": False, "confidence": 0.3}
    >>> s = LinkSettings()
    >>> _gloss_direction(zh, en, s), _gloss_direction(zh, {**en, "confidence": 0.6}, s)
    (('z', 'e'), None)
    """
    ga, gb = copied_glosses(a, b), copied_glosses(b, a)
    if min(ga, gb) > 0 or max(ga, gb) < settings.min_copied_glosses:
        return None
    glossing, other = (a, b) if ga > gb else (b, a)
    score = _known_score(other)
    if score is None or score >= settings.gloss_other_below:
        return None
    return glossing["id"], other["id"]


def _time_direction(a: dict[str, Any], b: dict[str, Any], settings: LinkSettings) -> tuple[str, str] | None:
    """(translation id, original id) when one article came out ``min_published_days`` or
    more before the other: the later one is the translation; else None.

    >>> s = LinkSettings()
    >>> _time_direction({"id": "a", "published_day": 10}, {"id": "b", "published_day": 13}, s)
    ('b', 'a')
    >>> _time_direction({"id": "a", "published_day": 10}, {"id": "b", "published_day": 11}, s) is None
    True
    >>> _time_direction({"id": "a", "published_day": 10}, {"id": "b"}, s) is None
    True
    """
    da, db = a.get("published_day"), b.get("published_day")
    if da is None or db is None or abs(da - db) < settings.min_published_days:
        return None
    return (a["id"], b["id"]) if da > db else (b["id"], a["id"])


def orient(a: dict[str, Any], b: dict[str, Any], settings: LinkSettings) -> tuple[str, str] | None:
    """(translation id, original id) for a verified pair, or None when the evidence cannot tell.

    >>> en = {"id": "e", "language": "en", "is_translation": True, "confidence": 0.8,
    ...       "source_language": None, "assessed": True}
    >>> fr = {"id": "f", "language": "fr", "is_translation": False, "confidence": 0.0,
    ...       "source_language": None, "assessed": False}
    >>> s = LinkSettings()
    >>> orient(en, fr, s), orient(fr, {**en, "is_translation": False, "confidence": 0.05}, s)
    (('e', 'f'), ('f', 'e'))
    >>> orient(fr, {**en, "is_translation": False, "confidence": 0.3}, s) is None  # unsure
    True
    >>> ru = {**fr, "id": "r", "language": "ru"}  # the head for Russian is sure
    >>> orient({**en, "is_translation": False, "confidence": 0.3, "by_source": {"ru": 0.95}}, ru, s)
    ('e', 'r')
    """
    la, lb = a["language"], b["language"]
    if la and lb and not same_language(la, lb):
        if a["source_language"] and same_language(a["source_language"], lb):
            return a["id"], b["id"]
        if b["source_language"] and same_language(b["source_language"], la):
            return b["id"], a["id"]
        pair_a, pair_b = for_pair(a, lb), for_pair(b, la)
        direction = _style_direction(pair_a, pair_b, settings)
        if direction is None and (pair_a is not a or pair_b is not b):
            # The source head unsure, the general head may still be sure.
            direction = _style_direction(a, b, settings)
        if direction is None:
            direction = _gloss_direction(a, b, settings)
        return direction if direction is not None else _time_direction(a, b, settings)
    # One language: a re-translated copy. Exactly one must read as a translation.
    if a["is_translation"] == b["is_translation"]:
        return None
    if abs(a["confidence"] - b["confidence"]) < settings.min_confidence_gap:
        return None
    return (a["id"], b["id"]) if a["is_translation"] else (b["id"], a["id"])


def verify(
    a: dict[str, Any], b: dict[str, Any], settings: LinkSettings
) -> tuple[str, tuple[float, str]] | None:
    """A candidate pair -> (translation id, (similarity, original id)) when it holds up."""
    score = match(a, b, settings)
    if score is None:
        return None
    direction = orient(a, b, settings)
    if direction is None:
        return None
    translation, original = direction
    return translation, (score, original)


def judge(
    a: dict[str, Any], b: dict[str, Any], settings: LinkSettings
) -> tuple[float, tuple[str, str] | None] | None:
    """A candidate pair -> (similarity, direction or None) when it tells the same story.

    What the mutual-best rule needs: an undecided pair still counts as a match, so
    that neither article falls back on a less similar partner.
    """
    score = match(a, b, settings)
    if score is None:
        return None
    return score, orient(a, b, settings)


# --- one original per translation ---------------------------------------------------------

#: A verified pair as the mutual-best rule sees it: (id a, id b, similarity,
#: language of a, language of b, translation confidence of a, of b).
Match = tuple[str, str, float, "str | None", "str | None", float, float]


def _rank(score: float, other: str, confidence: float = 0.0) -> tuple[float, float, list[int]]:
    """Higher similarity first; among equals (copies of one text have the same
    fingerprints) the one less likely a translation, then the smaller id, so no
    result depends on order."""
    return score, -confidence, [-ord(ch) for ch in other]


def best_per_language(partners: Iterable[tuple[Any, ...]]) -> dict[str | None, tuple[Any, ...]]:
    """An article's verified partners (similarity, id, language[, translation confidence])
    -> the most similar one per language, as (similarity, id[, confidence]).

    The confidence, when given, decides between equally similar partners.

    >>> best_per_language([(0.4, "b", "ru"), (0.6, "c", "ru"), (0.3, "d", "zh"), (0.6, "a", "ru")])
    {'ru': (0.6, 'a'), 'zh': (0.3, 'd')}
    >>> best_per_language([(0.6, "a", "en", 0.9), (0.6, "b", "en", 0.1)])
    {'en': (0.6, 'b', 0.1)}
    """
    best: dict[str | None, tuple[Any, ...]] = {}
    for score, other, language, *confidence in partners:
        candidate = (score, other, *confidence)
        current = best.get(language)
        if current is None or _rank(*candidate) > _rank(*current):
            best[language] = candidate
    return best


def mutual_best(matches: Iterable[Match]) -> set[tuple[str, str]]:
    """The verified pairs (sorted ids) in which each article is the other's most similar
    verified partner of its language.

    A translation has one original, and an original one translation per language; an
    article in a cluster of near-copies (the original, its translation, a second story
    of the same day) keeps only its closest partner, and when that pair cannot be
    oriented the article stays unlinked rather than falling to the second best.

    >>> sorted(mutual_best([("en1", "ru1", 0.6, "en", "ru", 0.1, 0.0),
    ...                     ("en2", "ru1", 0.3, "en", "ru", 0.1, 0.0),
    ...                     ("en1", "zh1", 0.5, "en", "zh", 0.1, 0.0)]))
    [('en1', 'ru1'), ('en1', 'zh1')]
    """
    partners: dict[str, list[tuple[float, str, str | None, float]]] = {}
    for a, b, score, la, lb, ca, cb in matches:
        partners.setdefault(a, []).append((score, b, lb, cb))
        partners.setdefault(b, []).append((score, a, la, ca))
    chosen = {
        article: {partner[1] for partner in best_per_language(found).values()}
        for article, found in partners.items()
    }
    return {(min(a, b), max(a, b)) for a, others in chosen.items() for b in others if a in chosen.get(b, ())}


@dataclass(frozen=True)
class LinkTrace:
    """Every step of linking a set of articles in memory (see ``link_in_memory``)."""

    summaries: dict[str, dict[str, Any]]
    candidates: set[tuple[str, str]]
    #: Verified pairs (sorted ids) -> similarity.
    matches: dict[tuple[str, str], float]
    mutual: set[tuple[str, str]]
    #: Translation id -> (similarity, original id).
    links: dict[str, tuple[float, str]]


def link_in_memory(articles: Iterable[dict[str, Any]], settings: LinkSettings) -> LinkTrace:
    """The whole method in plain Python: LSH buckets, verification, mutual best match and
    direction, every candidate pair judged on its own. The Beam transform
    (``transforms.link``) must give the same links; tests and the evaluation's breakdown
    use this as their reference. Holds everything in memory: for tests and evaluation only.
    """
    coefficients = settings.coefficients()
    names = KanjiNames()
    summaries: dict[str, dict[str, Any]] = {}
    buckets: dict[str, list[str]] = {}
    for article in articles:
        summary = summarize(article, names)
        if len(summary["fingerprints"]) < settings.min_fingerprints:
            continue
        summaries[summary["id"]] = summary
        for key in band_keys(minhash(summary["fingerprints"], coefficients), settings.rows):
            buckets.setdefault(key, []).append(summary["id"])
    candidates = {
        pair
        for members in buckets.values()
        if 2 <= len(set(members)) <= settings.max_bucket
        for pair in itertools.combinations(sorted(set(members)), 2)
    }
    matches = {}
    for a, b in candidates:
        score = match(summaries[a], summaries[b], settings)
        if score is not None:
            matches[(a, b)] = score
    mutual = mutual_best(
        (a, b, score, sa["language"], sb["language"], sa["confidence"], sb["confidence"])
        for (a, b), score in matches.items()
        for sa, sb in [(summaries[a], summaries[b])]
    )
    links: dict[str, tuple[float, str]] = {}
    for a, b in sorted(mutual):
        direction = orient(summaries[a], summaries[b], settings)
        if direction is not None:
            translation, original = direction
            if translation not in links or (matches[(a, b)], original) > links[translation]:
                links[translation] = (matches[(a, b)], original)
    return LinkTrace(summaries, candidates, matches, mutual, links)
