"""Derived-from links: which article of a run is a translation of which other one.

A translation keeps what does not depend on the language: numbers, dates, the
names of people and places (respelled or transliterated: Зеленский, Zelensky,
Selenskyj), the figures inside quotations. Each article becomes a set of such
fingerprints; MinHash estimates the Jaccard similarity of two sets and LSH
buckets (one ``GroupByKey`` over band keys) bring similar articles together
without any global index, so it scales on a distributed runner (the Beam side
is ``transforms.link``). Every candidate pair is verified on the exact
fingerprint sets, and the translation evidence of both articles decides which
one is the original.

    pytest tests/test_derived.py
"""

from __future__ import annotations

import hashlib
import itertools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from transforms.language import same_language

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
# Consonant classes: spellings of one sound across languages fall together.
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
        "a": "",
        "e": "",
        "i": "",
        "o": "",
        "u": "",
        "_": "",
    }
)
_NUMBER = re.compile(r"\d+(?:[.,\u00a0\u202f ]\d+)*")
_NAME = re.compile(r"(?<![\w.])([^\W\d_][^\W\d_'’-]+(?:[-'’][^\W\d_]+)*)")
_SENTENCE_START = re.compile(r"(?:^|[.!?:\n“\"«„]\s*)$")
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
_MONTH_WORDS = {
    form: number
    for number, forms in enumerate(
        [
            "janvier enero gennaio janeiro januar января январь січня січень",
            "février febrero febbraio fevereiro februar февраля февраль лютого лютий",
            "mars marzo março märz марта март березня березень",
            "avril abril aprile апреля апрель квітня квітень",
            "mai mayo maggio maio мая май травня травень",
            "juin junio giugno junho juni июня июнь червня червень",
            "juillet julio luglio julho juli июля июль липня липень",
            "août agosto augusto августа август серпня серпень",
            "septembre septiembre settembre setembro сентября сентябрь вересня вересень",
            "octobre octubre ottobre outubro oktober октября октябрь жовтня жовтень",
            "novembre noviembre novembro ноября ноябрь листопада листопад",
            "décembre diciembre dicembre dezembro dezember декабря декабрь грудня грудень",
        ],
        start=1,
    )
    for form in forms.split()
}
_CJK_MONTH = re.compile(r"(\d{1,2})\s*月")
#: Numbers this small are too common to tell stories apart.
MIN_NUMBER = 10


def transliterate(word: str) -> str:
    """A word in Latin letters without diacritics, lower case.

    >>> transliterate("Зеленский"), transliterate("Škoda"), transliterate("Київ")
    ('zelenskiy', 'skoda', 'kiyiv')
    """
    lower = word.lower()
    if not lower.isascii():
        lower = "".join(_CYRILLIC.get(ch, _GREEK.get(ch, ch)) for ch in lower)
        lower = unicodedata.normalize("NFKD", lower).encode("ascii", "ignore").decode("ascii")
    return lower


def skeleton(word: str, length: int = 4) -> str:
    """The first consonant classes of a transliterated name: respellings meet.

    >>> skeleton("Zelensky"), skeleton("Selenskyj"), skeleton("Зеленского"), skeleton("Kramatorsk")
    ('slns', 'slns', 'slns', 'krmd')
    """
    letters = transliterate(word).translate(_SKELETON)
    collapsed = "".join(ch for ch, _ in itertools.groupby(letters) if ch.isalpha())
    return collapsed[:length]


def number_token(raw: str) -> str | None:
    """A number as a language-independent token; thousands separators and decimal commas unified.

    >>> number_token("1,000"), number_token("1 000"), number_token("12,5"), number_token("7")
    ('1000', '1000', '12.5', None)
    """
    parts = re.split(r"[.,\u00a0\u202f ]", raw)
    if len(parts) > 1 and all(len(p) == 3 for p in parts[1:]):
        value = "".join(parts)
    elif len(parts) == 2:
        value = f"{parts[0]}.{parts[1]}"
    else:
        value = "".join(parts)
    value = value.lstrip("0") or "0"
    try:
        if float(value) < MIN_NUMBER:
            return None
    except ValueError:
        return None
    return value


def fingerprints(text: str, max_chars: int = 20_000) -> frozenset[str]:
    """Language-independent tokens of a text: numbers, months and name skeletons.

    >>> sorted(fingerprints("On 14 March 2023 Zelensky visited Kramatorsk with 300 troops."))
    ['m:3', 'n:14', 'n:2023', 'n:300', 'p:krmd', 'p:slns']
    >>> ru = fingerprints("14 марта 2023 года Зеленский посетил Краматорск, 300 военных.")
    >>> sorted(ru & {"n:2023", "p:slns", "p:krmd"})
    ['n:2023', 'p:krmd', 'p:slns']
    """
    text = unicodedata.normalize("NFKC", text[:max_chars])
    found: set[str] = set()
    for match in _NUMBER.finditer(text):
        token = number_token(match.group())
        if token:
            found.add("n:" + token)
    for match in _CJK_MONTH.finditer(text):
        found.add(f"m:{int(match.group(1))}")
    for match in _NAME.finditer(text):
        word = match.group(1)
        lower = word.lower()
        month = _EN_MONTHS.get(lower) if word[0].isupper() else None
        month = month or _MONTH_WORDS.get(lower)
        if month:
            found.add(f"m:{month}")
            continue
        if not word[0].isupper() or len(word) < 4:
            continue
        if _SENTENCE_START.search(text, max(0, match.start() - 3), match.start()):
            continue  # a capital at a sentence start says nothing about a name
        key = skeleton(word)
        if len(key) >= 3:
            found.add("p:" + key)
    return frozenset(found)


# --- MinHash and LSH ------------------------------------------------------------------

_MERSENNE = (1 << 61) - 1


def _token_hash(token: str) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "big")


@dataclass(frozen=True)
class LinkSettings:
    """MinHash/LSH shape and the verification thresholds."""

    #: Hash functions (= bands * rows).
    bands: int = 24
    rows: int = 2
    seed: int = 1
    #: Articles with fewer fingerprints are never linked: too little to go on.
    min_fingerprints: int = 5
    #: Jaccard similarity of the fingerprint sets a pair needs.
    min_similarity: float = 0.25
    #: Shared fingerprints a pair needs besides the ratio.
    min_shared: int = 4
    #: A bucket larger than this is a degenerate band (skipped, and counted).
    max_bucket: int = 300
    #: Two articles in one language are linked only when their translation
    #: confidences differ at least this much (one a translation, one not).
    min_confidence_gap: float = 0.3
    #: Two articles in different languages, neither naming the other's language as
    #: its source: linked only when their translation scores differ this much
    #: (an article the style classifier could not read counts as 0.5, unknown).
    min_direction_margin: float = 0.2

    def coefficients(self) -> list[tuple[int, int]]:
        """Seeded (a, b) pairs of the universal hashes h(x) = (a x + b) mod p."""
        out = []
        for i in range(self.bands * self.rows):
            digest = hashlib.blake2b(f"{self.seed}/{i}".encode(), digest_size=16).digest()
            a = int.from_bytes(digest[:8], "big") % (_MERSENNE - 1) + 1
            b = int.from_bytes(digest[8:], "big") % _MERSENNE
            out.append((a, b))
        return out


def minhash(tokens: Iterable[str], coefficients: Sequence[tuple[int, int]]) -> tuple[int, ...]:
    """The MinHash signature of a token set (empty set -> empty signature).

    >>> s = LinkSettings(bands=2, rows=2).coefficients()
    >>> minhash({"a", "b"}, s) == minhash({"b", "a"}, s), len(minhash({"a"}, s)), minhash(set(), s)
    (True, 4, ())
    """
    hashes = [_token_hash(t) for t in tokens]
    if not hashes:
        return ()
    return tuple(min((a * h + b) % _MERSENNE for h in hashes) for a, b in coefficients)


def band_keys(signature: Sequence[int], rows: int) -> list[str]:
    """One key per band: the band's index and a digest of its rows."""
    keys = []
    for band in range(len(signature) // rows):
        chunk = ",".join(str(v) for v in signature[band * rows : (band + 1) * rows])
        keys.append(f"{band}:{hashlib.blake2b(chunk.encode(), digest_size=8).hexdigest()}")
    return keys


# --- summaries, verification and direction ----------------------------------------------


def summarize(article: dict[str, Any]) -> dict[str, Any]:
    """What linking needs of an article (small: it travels through the shuffle)."""
    translation = article.get("translation") or {}
    language = article.get("language") or {}
    assessed = any(s.get("name") == "translationese_style" for s in translation.get("signals") or [])
    text = "\n".join(part for part in (article.get("title"), article.get("text")) if part)
    return {
        "id": article["id"],
        "language": language.get("code"),
        "is_translation": bool(translation.get("is_translation")),
        "confidence": float(translation.get("confidence") or 0.0),
        "source_language": translation.get("source_language"),
        "assessed": assessed,
        "fingerprints": sorted(fingerprints(text)),
    }


def similarity(a: Sequence[str], b: Sequence[str]) -> tuple[float, int]:
    """Jaccard similarity and the number of shared fingerprints.

    >>> similarity(["n:10", "p:abc"], ["n:10", "p:xyz"])
    (0.3333333333333333, 1)
    """
    sa, sb = set(a), set(b)
    shared = len(sa & sb)
    union = len(sa | sb)
    return (shared / union if union else 0.0), shared


def _translation_score(summary: dict[str, Any]) -> float:
    """How likely the article is a translation; 0.5 (unknown) when only weak evidence was looked at."""
    if summary["assessed"] or summary["is_translation"]:
        return summary["confidence"]
    return max(summary["confidence"], 0.5)


def orient(a: dict[str, Any], b: dict[str, Any], settings: LinkSettings) -> tuple[str, str] | None:
    """(translation id, original id) for a verified pair, or None when the evidence cannot tell.

    >>> en = {"id": "e", "language": "en", "is_translation": True, "confidence": 0.8,
    ...       "source_language": None, "assessed": True}
    >>> fr = {"id": "f", "language": "fr", "is_translation": False, "confidence": 0.0,
    ...       "source_language": None, "assessed": False}
    >>> orient(en, fr, LinkSettings()), orient(fr, {**en, "is_translation": False, "confidence": 0.2},
    ...     LinkSettings())
    (('e', 'f'), ('f', 'e'))
    """
    la, lb = a["language"], b["language"]
    if la and lb and not same_language(la, lb):
        if a["source_language"] and same_language(a["source_language"], lb):
            return a["id"], b["id"]
        if b["source_language"] and same_language(b["source_language"], la):
            return b["id"], a["id"]
        sa, sb = _translation_score(a), _translation_score(b)
        if abs(sa - sb) < settings.min_direction_margin:
            return None
        return (a["id"], b["id"]) if sa > sb else (b["id"], a["id"])
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
    score, shared = similarity(a["fingerprints"], b["fingerprints"])
    if score < settings.min_similarity or shared < settings.min_shared:
        return None
    direction = orient(a, b, settings)
    if direction is None:
        return None
    translation, original = direction
    return translation, (round(score, 6), original)
