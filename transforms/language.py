"""Stage ``language``: the body's language, its mix by paragraph, and the title's.

The record (``schemas/article.avsc``, ``Language``)::

    code          ISO 639-1 of the body's main language; null when the body has
                  under 10 letters, no language reaches 0.5, or the text fits no
                  profile (a language langdetect has none for). zh-cn/zh-tw -> zh;
                  Norwegian stays "no" (see same_language)
    confidence    probability of the best language for the body, 0-1
    alternatives  up to 3 {code, probability}, best first, probability >= 0.01
    declared      what the source declared (filled by ``parse``, kept here)
    mix           [{code, share}]: each paragraph judged alone (leaving the body's
                  language only on clear evidence); share of the letters of the
                  paragraphs read whose language was determined, largest first,
                  summing to 1 (4 decimals); [] when ``code`` is null
    title         the title's language, judged alone, when determined and not the
                  same language as ``code``; null otherwise (same, unknown, no title)

The body is judged on its own: the title never decides ``code``.

How (``transforms/language_profiles.py``): every paragraph is scored once against
langdetect's 55 profiles with an exact naive Bayes over all its 1-3-grams, with
langdetect's own normalisation and smoothing. Nothing is sampled, so the answer
never depends on a seed, a call order or a worker. The body's score is the sum of
its paragraphs' scores, so per-paragraph detection costs no second pass.
Probabilities are a softmax at ``temperature`` 1/3 (each character sits in three
overlapping n-grams); on single sentences an answer at 0.8-0.9 is right 7 times
in 10, at 0.9-0.99 88%, above 0.999 99.8%. Three checks keep wrong answers out:

- script: a language written in a script of its own (Korean, Greek, Hindi, ...)
  is never named for a text without a letter of that script;
- fit: a Latin- or Cyrillic-script text whose trigrams are far less likely under
  the best language than that language's own text would be (``min_fit``;
  ``min_fit_broad`` for the eight profiles kept with three times more trigrams)
  is in a language langdetect lacks: ``code`` stays null, ``alternatives`` still
  name the nearest known languages (Kazakh, Zulu, Basque, Irish, ...); short
  texts get a slack for sampling noise, long ones (``fit_exact_from``) none;
- letters: a long text with more than 0.5% of letters no profile has, of two
  kinds or more (Esperanto's ĉ ĝ ŝ ŭ, Yoruba's ṣ ẹ), is in a language langdetect
  lacks; one kind alone is a name or a stray (mojibake's þ in Turkish).

Speed (issue 9) and its trade-offs:

- cost per article is a fraction of one plain ``langdetect`` call over it (about
  0.2 on 2 KB documents; ``make eval-language`` prints both): word vectors are
  cached per worker, cleaning runs its regexes only when a text can need them,
  letters are counted on the cleaned text;
- a long body is sampled: each paragraph is read up to ``paragraph_chars`` and,
  past ``max_chars`` in all, only every k-th paragraph, so the cost is bounded;
  a short paragraph in another language between two sampled ones can then be
  missed by ``mix``;
- the profiles are held as one float32 matrix (about 40 MB) and the word cache
  holds up to 50,000 words (22 MB); a worker's first articles are slower (each
  new word is scored once), then most words are found in the cache;
- langdetect's random sampling, which made a seed necessary, is gone; the
  accuracy it gave is kept and bettered (``make eval-language``);
- start-up: the profiles come precomputed (``transforms/models/language_profiles.npz``,
  1 MB): a detector is built in about 0.15 s instead of 1.5 s; the word lists
  (``language_words.npz``, 2 MB, about 40 MB in memory) are read on the first
  short text, in about 0.2 s.

Short texts (under ``word_evidence_below`` letters: sentences, titles) also
weigh their words (``transforms/language_words.py``, wordfreq's 10,000 most
frequent words of 36 languages): character 1-3-grams cannot tell close
relatives apart on one sentence (nb/da, bg/mk/ru, hr/sl, cs/sk), words mostly
can. Close candidates that have a word list are re-ranked among themselves; one
without a list keeps its place, so Dutch never gains on Afrikaans for having
one. A short text half of whose words (of 3+ letters) are frequent words of the
best language fits it, whatever its trigrams (names, numbers, a foreign term).
Single sentences: 99.0% right with a null counted wrong (96.1% before words
and the 10-letter minimum), 99.4% of answers right, best guess 99.3% (plain
langdetect 98.2%); long text 99.9%; no confident wrong answer on long text of
the 24 languages langdetect lacks. What is left is mostly close pairs without a
word list (nl/af, hi/mr), unaccented Czech read as Slovak, and sentences of
another language in a language's file (Spanish and English in Catalan's).

    make eval-language; pytest tests/test_language_unit.py tests/test_language_mix.py
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import apache_beam as beam
import numpy as np

from transforms.common import RunSettings, run_stage
from transforms.language_profiles import ProfileScorer, ProfileSettings
from transforms.language_words import WordScorer

STAGE = "language"

# langdetect's region codes folded to ISO 639-1.
_CODES = {"zh-cn": "zh", "zh-tw": "zh"}

# Codes that name the same language: deprecated ISO 639-1 codes, and Norwegian
# (langdetect says "no" where publishers declare Bokmål "nb" or Nynorsk "nn").
_SAME_LANGUAGE = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro", "nb": "no", "nn": "no"}

# Languages written in a script of their own: a text without a single letter of
# that script is not in that language, however its n-grams score (langdetect's
# Korean profile holds Hanja, so Chinese text can come out as Korean).
_SCRIPTS = {
    "ko": "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f",
    "ja": "\u3040-\u30ff",
    "zh-cn": "\u3400-\u4dbf\u4e00-\u9fff",
    "zh-tw": "\u3400-\u4dbf\u4e00-\u9fff",
    "th": "\u0e00-\u0e7f",
    "he": "\u0590-\u05ff",
    "el": "\u0370-\u03ff\u1f00-\u1fff",
    "ar": "\u0600-\u06ff\u0750-\u077f",
    "fa": "\u0600-\u06ff\u0750-\u077f",
    "ur": "\u0600-\u06ff\u0750-\u077f",
    "hi": "\u0900-\u097f",
    "mr": "\u0900-\u097f",
    "ne": "\u0900-\u097f",
    "bn": "\u0980-\u09ff",
    "pa": "\u0a00-\u0a7f",
    "gu": "\u0a80-\u0aff",
    "ta": "\u0b80-\u0bff",
    "te": "\u0c00-\u0c7f",
    "kn": "\u0c80-\u0cff",
    "ml": "\u0d00-\u0d7f",
    "ru": "\u0400-\u04ff",
    "uk": "\u0400-\u04ff",
    "bg": "\u0400-\u04ff",
    "mk": "\u0400-\u04ff",
}
_SCRIPT_PATTERNS = {code: re.compile(f"[{ranges}]") for code, ranges in _SCRIPTS.items()}

#: Cyrillic-script languages of langdetect's. With the Latin-script ones (every
#: language without an entry in _SCRIPTS) they share their alphabet with many
#: languages langdetect lacks (Kazakh, Mongolian, Zulu, Basque, ...): only for
#: these is the fit of the text to the best profile judged.
_CYRILLIC = frozenset({"ru", "uk", "bg", "mk"})

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def _mark_ranges() -> str:
    """Combining marks of the BMP as a regex class body (Indic vowel signs, Arabic
    harakat, Thai vowels: parts of words, so counted as letters), less those
    that go with symbols."""
    ranges: list[str] = []
    start = previous = -2
    for code in range(0x300, 0x10000):
        symbol_mark = 0x20D0 <= code <= 0x20FF or 0xFE00 <= code <= 0xFE0F  # emoji variation selectors
        if symbol_mark or not unicodedata.category(chr(code)).startswith("M"):
            continue
        if code != previous + 1:
            if start >= 0:
                ranges.append(f"\\u{start:04x}-\\u{previous:04x}")
            start = code
        previous = code
    ranges.append(f"\\u{start:04x}-\\u{previous:04x}")
    return "".join(ranges)


#: A letter or a combining mark.
_LETTER = re.compile(f"[^\\W\\d_]|[{_mark_ranges()}]")
#: Han ideographs and Hangul syllables: one stands for a syllable or a word, so it counts twice.
_DENSE = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
#: What is not a letter in a cleaned text (mostly spaces: normalisation made the rest spaces).
_NOT_LETTER = re.compile(f"[\\W\\d_](?<![{_mark_ranges()}])")


@dataclass(frozen=True)
class LanguageSettings:
    #: Fewer letters than this and no language is named. A sentence of 10-19
    #: letters ("Servicio de comedor.") is named right about 19 times in 20, as
    #: well as the confidence rule allows; below 10 letters hardly ever.
    min_letters: int = 10
    #: Fewer letters than this and a paragraph does not enter ``mix`` (a caption
    #: or a name line says little about the article's languages).
    mix_min_letters: int = 20
    #: A top probability below this is "unsure": code stays null. On single
    #: sentences an answer at 0.5-0.8 is right about 6 times in 10, above 0.999
    #: in 998 of 1000.
    min_confidence: float = 0.5
    #: How many alternatives to keep.
    alternatives: int = 3
    #: Alternatives less likely than this are left out.
    min_alternative: float = 0.01
    #: Most characters of a body (and of a title) that are read.
    max_chars: int = 10_000
    #: Most characters of one paragraph that are read.
    paragraph_chars: int = 2_000
    #: Scale of log-likelihoods before the softmax: each character sits in up to
    #: three overlapping n-grams (1, 2, 3), so the evidence counts a third.
    temperature: float = 1 / 3
    #: Fit (nats per trigram under the best language, relative to that language's
    #: own text) below ``min_fit - fit_spread / sqrt(trigrams)`` means a language
    #: langdetect lacks (judged for Latin and Cyrillic texts only). The slack
    #: ``fit_spread / sqrt(trigrams)`` is for the sampling noise of a short text;
    #: from ``fit_exact_from`` trigrams on (about five sentences) the mean is
    #: precise and the floor is ``min_fit`` itself (texts in the right language
    #: sit well above it, languages langdetect lacks near it: Basque read as Turkish).
    min_fit: float = -2.2
    fit_spread: float = 4.0
    fit_exact_from: int = 500
    #: ``min_fit`` for a broad profile (``ProfileScorer.broad``), whose own text fits it better.
    min_fit_broad: float = -1.2
    #: Fewer trigrams than this and the fit is not judged (too little evidence).
    min_fit_trigrams: int = 30
    #: A text of at least ``unknown_letters_from`` letters of which more than this
    #: share are letters no profile has, of at least ``unknown_letter_kinds``
    #: different letters (Esperanto's ĉ ĝ ŝ ŭ, Yoruba's ṣ ẹ), is in a language
    #: langdetect lacks. One kind alone is a name or a stray character (a þ left
    #: by mojibake in Turkish), not an alphabet.
    max_unknown_letters: float = 0.005
    unknown_letter_kinds: int = 2
    unknown_letters_from: int = 300
    #: Prior probability that a paragraph is in the body's language: a paragraph
    #: is put in another language only on evidence that outweighs it.
    paragraph_prior: float = 0.9
    #: Word evidence (``transforms/language_words.py``) is weighed for texts
    #: under this many letters (sentences, titles, short paragraphs): there the
    #: n-grams leave close relatives apart by a few nats; on longer text they
    #: suffice and the look-ups would only cost time.
    word_evidence_below: int = 400
    #: Candidates within this many (tempered) nats of the best (a likelihood
    #: ratio of 22,000: a dozen words can make it up) are re-ranked with the
    #: words' log-likelihood added, when two or more of them have a word list;
    #: a language without one keeps its place against those that have one.
    word_margin: float = 10.0
    #: Weight of the words' log-likelihood (a word is one observation; its
    #: letters' n-grams were already tempered).
    word_weight: float = 1.0
    #: A short text at least this share of whose words of ``word_fit_length``
    #: letters or more are in the best language's word list fits that language
    #: whatever its trigrams say. Shorter words ("la", "de", "a") are in the
    #: lists of many languages, those langdetect lacks included: they vouch for none.
    word_fit_share: float = 0.5
    word_fit_length: int = 3
    #: How the profiles are read (name weight, cache size).
    profiles: ProfileSettings = field(default_factory=ProfileSettings)


def same_language(a: str | None, b: str | None) -> bool:
    """Whether two ISO 639-1 codes name the same language.

    >>> same_language("nb", "no"), same_language("iw", "he"), same_language("en", "fr")
    (True, True, False)
    """
    if a is None or b is None:
        return a == b
    return _SAME_LANGUAGE.get(a, a) == _SAME_LANGUAGE.get(b, b)


def script_allows(lang: str, text: str) -> bool:
    """False when ``lang`` has a script of its own and ``text`` has none of it.

    >>> script_allows("ko", "經濟部今天發表報告"), script_allows("zh-tw", "經濟部今天發表報告")
    (False, True)
    """
    pattern = _SCRIPT_PATTERNS.get(lang)
    return pattern is None or pattern.search(text) is not None


def shares_alphabet(lang: str) -> bool:
    """Whether ``lang`` is written in Latin or Cyrillic letters, which many
    languages without a langdetect profile share.

    >>> shares_alphabet("en"), shares_alphabet("ru"), shares_alphabet("th")
    (True, True, False)
    """
    return lang in _CYRILLIC or lang not in _SCRIPTS


def letter_count(text: str) -> int:
    """Letters and combining marks (a Devanagari vowel sign counts); a Han
    ideograph or a Hangul syllable counts twice.

    >>> letter_count("Hi, 42 — ok!"), letter_count("Ça va, 東京!"), letter_count("नहीं"), letter_count("한국")
    (4, 8, 4, 4)
    """
    return len(_LETTER.findall(text)) + len(_DENSE.findall(text))


def clean_letter_count(cleaned: str) -> int:
    """:func:`letter_count` of a text cleaned by ``ProfileScorer.clean`` (cheaper:
    the cleaning left hardly anything but letters and spaces).

    >>> clean_letter_count("Hi    ok "), clean_letter_count("Ça va  東京 "), clean_letter_count("🎉 ★")
    (4, 8, 0)
    """
    return len(cleaned) - len(_NOT_LETTER.findall(cleaned)) + len(_DENSE.findall(cleaned))


def split_paragraphs(text: str) -> list[str]:
    """Non-empty paragraphs of a body (separated by blank lines).

    >>> split_paragraphs("One.\\n\\n  \\nTwo\\nlines.\\n\\n")
    ['One.', 'Two\\nlines.']
    """
    return [part.strip() for part in _PARAGRAPH_BREAK.split(text) if part.strip()]


def clip(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a space when there is one.

    >>> clip("alpha beta gamma", 12), clip("alphabet", 5), clip("short", 10)
    ('alpha beta', 'alpha', 'short')
    """
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit + 1)
    return text[: cut if cut > 0 else limit]


def sample_paragraphs(lengths: list[int], budget: int) -> list[int]:
    """Indices of the paragraphs to read: all when they fit ``budget``, else every
    k-th (from the first) with the smallest k that fits, so the sample spans the text.

    >>> sample_paragraphs([100, 100, 100], 1000)
    [0, 1, 2]
    >>> sample_paragraphs([100] * 10, 350)
    [0, 4, 8]
    >>> sample_paragraphs([5000], 1000)
    [0]
    """
    n = len(lengths)
    for step in range(1, n + 1):
        chosen = list(range(0, n, step))
        if sum(lengths[i] for i in chosen) <= budget or len(chosen) == 1:
            return chosen
    return []


def language_mix(parts: list[tuple[str | None, int]]) -> list[dict[str, Any]]:
    """Shares of letters per language over the parts whose language is known,
    largest first (ties by code), rounded to 4 places.

    >>> language_mix([("en", 300), (None, 50), ("de", 100), ("en", 100)])
    [{'code': 'en', 'share': 0.8}, {'code': 'de', 'share': 0.2}]
    >>> language_mix([(None, 40)])
    []
    """
    letters: dict[str, int] = {}
    for code, count in parts:
        if code is not None and count > 0:
            letters[code] = letters.get(code, 0) + count
    total = sum(letters.values())
    if not total:
        return []
    ranked = sorted(letters.items(), key=lambda kv: (-kv[1], kv[0]))
    return [{"code": code, "share": round(count / total, 4)} for code, count in ranked]


def tempered_probabilities(scores: list[tuple[str, float]], temperature: float) -> list[tuple[str, float]]:
    """Softmax of ``temperature`` × log-likelihoods, region codes folded
    (zh-cn + zh-tw = zh), most likely first, ties by code.

    >>> ranked = tempered_probabilities([("zh-cn", 0), ("zh-tw", 0), ("ja", -9)], 0.5)
    >>> [(code, round(p, 6)) for code, p in ranked]
    [('zh', 0.994476), ('ja', 0.005524)]
    """
    if not scores:
        return []
    top = max(score for _, score in scores)
    weights = [(code, float(np.exp(temperature * (score - top)))) for code, score in scores]
    total = sum(weight for _, weight in weights)
    merged: dict[str, float] = {}
    for code, weight in weights:
        folded = _CODES.get(code, code)
        merged[folded] = merged.get(folded, 0.0) + weight / total
    return sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))


def _undetermined() -> dict[str, Any]:
    return {"code": None, "confidence": 0.0, "alternatives": []}


#: How many of the best-scoring languages enter the softmax; the rest are
#: hundreds of nats behind and would add nothing.
_CANDIDATES = 8


class LanguageDetector:
    """Language of texts, paragraphs and articles; build once per worker.

    ``seed`` is accepted for the run settings' sake; the scoring samples
    nothing, so every detector gives every text the same answer.
    """

    def __init__(self, seed: int = 0, settings: LanguageSettings | None = None):
        self.seed = seed
        self.settings = settings or LanguageSettings()
        self.scorer = ProfileScorer(self.settings.profiles)
        languages = self.scorer.languages
        self._checked_script = [lang in _SCRIPT_PATTERNS for lang in languages]
        self._fit_checked = [shares_alphabet(lang) for lang in languages]
        self._words: WordScorer | None = None

    @property
    def words(self) -> WordScorer:
        """The word lists, read on first need (about 0.1 s): a worker that sees
        no short text never reads them."""
        if self._words is None:
            self._words = WordScorer()
        return self._words

    # --- one text ------------------------------------------------------------

    def detect(self, text: str) -> dict[str, Any]:
        """``{code, confidence, alternatives}`` of one text; code is None when short or unsure."""
        text = clip(text, self.settings.max_chars)
        cleaned = self.scorer.clean(text)
        letters = clean_letter_count(cleaned)
        if letters < self.settings.min_letters:
            return _undetermined()
        return self.decide(self.scorer.vector(cleaned), text, cleaned, letters)

    # --- an article ----------------------------------------------------------

    def detect_article(self, text: str, title: str | None = None) -> dict[str, Any]:
        """``{code, confidence, alternatives, mix, title}`` of an article.

        The body is read paragraph by paragraph; its ``code`` comes from the body
        alone, ``mix`` from its paragraphs, ``title`` from the title alone (kept
        only when it differs from the body's code).
        """
        settings = self.settings
        paragraphs = [clip(p, settings.paragraph_chars) for p in split_paragraphs(text)]
        chosen = sample_paragraphs([len(p) for p in paragraphs], settings.max_chars)
        total = np.zeros(self.scorer.width)
        read: list[tuple[np.ndarray, str, str, int]] = []
        letters = 0
        for index in chosen:
            paragraph = paragraphs[index]
            cleaned = self.scorer.clean(paragraph)
            count = clean_letter_count(cleaned)
            letters += count
            if count:
                vector = self.scorer.vector(cleaned)
                total += vector
                read.append((vector, paragraph, cleaned, count))
        if letters < settings.min_letters:
            body = _undetermined()
        else:
            sample = "\n\n".join(paragraph for _, paragraph, _, _ in read)
            body = self.decide(total, sample, " ".join(cleaned for _, _, cleaned, _ in read), letters)
        main = body["code"]
        if main is None:
            mix = []  # no mix for an undetermined body, nor for a language langdetect lacks
        elif len(read) == 1:
            mix = [{"code": main, "share": 1.0}]
        else:
            parts: list[tuple[str | None, int]] = []
            for vector, paragraph, cleaned, count in read:
                code = None
                if count >= settings.mix_min_letters:
                    code = self.decide(vector, paragraph, cleaned, count, favour=main, words=False)["code"]
                parts.append((code, count))
            mix = language_mix(parts)
        title_code = self.detect(title)["code"] if title else None
        body["mix"] = mix
        body["title"] = None if same_language(title_code, body["code"]) else title_code
        return body

    # --- scores to a decision ------------------------------------------------

    def decide(
        self,
        vector: np.ndarray,
        text: str,
        cleaned: str,
        letters: int,
        favour: str | None = None,
        words: bool = True,
    ) -> dict[str, Any]:
        """``{code, confidence, alternatives}`` from the score vector of ``text``
        (``cleaned`` by the scorer, with ``letters`` letters). No letter minimum
        here: ``alternatives[0]`` is the best guess whatever the length.

        ``favour``: a language with the prior ``paragraph_prior`` (the body's, when
        judging one of its paragraphs), the others sharing the rest. ``words``:
        whether a short text's words are weighed (not for the paragraphs of an
        article's mix: the body's prior settles those, and the look-ups would
        cost half as much again as the rest of the stage).
        """
        scored = self.scorer.scored(vector)
        if scored.ngrams <= 0:
            return _undetermined()
        languages = self.scorer.languages
        candidates: list[tuple[str, float]] = []
        indices: dict[str, int] = {}
        for index in np.argsort(-scored.scores, kind="stable"):
            index = int(index)
            lang = languages[index]
            if self._checked_script[index] and not script_allows(lang, text):
                continue
            candidates.append((lang, float(scored.scores[index])))
            indices.setdefault(_CODES.get(lang, lang), index)
            if len(candidates) >= _CANDIDATES:
                break
        if words and letters < self.settings.word_evidence_below and len(candidates) > 1:
            candidates = self._with_word_evidence(candidates, text)
        if favour is not None and len(candidates) > 1:
            prior = self.settings.paragraph_prior
            boost = math.log(prior * (len(candidates) - 1) / (1 - prior)) / self.settings.temperature
            candidates = [
                (lang, score + (boost if _CODES.get(lang, lang) == favour else 0.0))
                for lang, score in candidates
            ]
        ranked = tempered_probabilities(candidates, self.settings.temperature)
        if not ranked:
            return _undetermined()
        code, confidence = ranked[0]
        result: dict[str, Any] = {
            "code": None,
            "confidence": round(confidence, 6),
            "alternatives": [
                {"code": alt, "probability": round(prob, 6)}
                for alt, prob in ranked[: self.settings.alternatives]
                if prob >= self.settings.min_alternative or alt == code
            ],
        }
        sure = confidence >= self.settings.min_confidence
        if sure and self.fits(scored, indices[code], cleaned, letters, text if words else None):
            result["code"] = code
        return result

    def _with_word_evidence(self, candidates: list[tuple[str, float]], text: str) -> list[tuple[str, float]]:
        """``candidates`` (language, log-likelihood, best first) with the words'
        evidence added to the close ones (see ``word_margin``), relative to the
        least likely of them, so that no candidate loses ground. A language
        without a word list gets the best list's bonus: the words re-rank the
        languages that have lists among themselves, never past one without."""
        settings = self.settings
        temperature = settings.temperature
        top = candidates[0][1]
        close = [lang for lang, score in candidates if (top - score) * temperature < settings.word_margin]
        covered = [lang for lang in close if self.words.covers(lang)]
        if len(covered) < 2:
            return candidates
        evidence = settings.word_weight * self.words.scores(text, covered)
        gains = (evidence - evidence.min()) / temperature
        bonus = dict.fromkeys(close, float(gains.max()))
        bonus.update(zip(covered, gains.tolist(), strict=True))
        return [(lang, score + bonus.get(lang, 0.0)) for lang, score in candidates]

    def fits(self, scored: Any, index: int, cleaned: str, letters: int, text: str | None = None) -> bool:
        """Whether a text can be in language ``index``: its trigrams about as
        likely as that language's own text's, and hardly a letter no profile has
        (only judged for Latin and Cyrillic, which languages langdetect lacks share)."""
        settings = self.settings
        if not self._fit_checked[index]:
            return True
        if letters >= settings.unknown_letters_from:
            unknown = self.scorer.unknown_letters(cleaned)
            if len(unknown) > settings.max_unknown_letters * letters and (
                len(set(unknown)) >= settings.unknown_letter_kinds
            ):
                return False
        if scored.trigrams < settings.min_fit_trigrams:
            return True
        least = settings.min_fit_broad if self.scorer.broad[index] else settings.min_fit
        slack = settings.fit_spread / math.sqrt(scored.trigrams)
        floor = least - (slack if scored.trigrams < settings.fit_exact_from else 0.0)
        if self.fit(scored, index) >= floor:
            return True
        # A short text whose words are mostly frequent words of the language is
        # in it, however its trigrams fit (names, numbers, a foreign term weigh
        # heavily in one sentence).
        lang = self.scorer.languages[index]
        return (
            text is not None
            and letters < settings.word_evidence_below
            and self.words.covers(lang)
            and self.words.known_share(text, lang, settings.word_fit_length) >= settings.word_fit_share
        )

    def fit(self, scored: Any, index: int) -> float:
        """Mean trigram log-probability of the text under language ``index`` minus
        the mean that language's own text would have (0 = typical; lower = worse)."""
        mean = scored.trigram_scores[index] / max(scored.trigrams, 1.0)
        return float(mean - self.scorer.expected_trigram_log[index])


def _detector(settings: RunSettings) -> Callable[[dict[str, Any]], dict[str, Any]]:
    detector = LanguageDetector(seed=settings.language_seed)

    def detect(article: dict[str, Any]) -> dict[str, Any]:
        found = detector.detect_article(article["text"], article.get("title"))
        return {**article, "language": {**article["language"], **found}}

    return detect


class DetectLanguage(beam.PTransform):
    """Articles -> articles with ``language`` (main) and dead letters (``dead_letter``)."""

    def __init__(self, settings: RunSettings):
        super().__init__()
        self.settings = settings

    def expand(self, articles: beam.PCollection) -> tuple[beam.PCollection, beam.PCollection]:
        return run_stage(articles, "DetectBodyLanguage", STAGE, self.settings, _detector)
