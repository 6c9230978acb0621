"""Deterministic scoring of text against langdetect's own language profiles.

langdetect (``Detector.detect``) samples n-grams at random until one language
passes 0.99999, seven times over; on a 1.6 KB article that is about 3 ms of
pure-Python arithmetic, and on a short sentence the answer rests on a few dozen
sampled n-grams. :class:`ProfileScorer` reads the same 55 profiles and the same
text normalisation (``NGram.normalize``, ``normalize_vi``, the URL/e-mail and
"drop Latin inside non-Latin text" cleaning) and computes the exact
naive-Bayes log-likelihood of *every* 1-3-gram of the text under every
language, with langdetect's own smoothing (``alpha / BASE_FREQ``). There is
nothing random left, so no seed is needed and the answer is the one langdetect
converges to, without its sampling noise.

Cost: a text is split into words; a word's n-gram scores (a 55-vector) are
computed once per worker and kept in a bounded cache, so a paragraph costs one
dictionary look-up per word and one small matrix product. Per-paragraph scores
add up to the document's, so per-paragraph detection costs nothing extra.

Trade-offs, written down so nobody has to rediscover them:

- n-grams of a word do not depend on their neighbours, so a word is scored as
  ``" word "`` (langdetect's own padding). langdetect skips the n-grams inside an
  ALL-CAPS run; so does this scorer, word by word.
- Capitalised words after the first of a paragraph (names, mostly) count
  ``name_weight`` (0.3): a name says little about the language around it.
- The cache holds at most ``cache_words`` words (float32 rows, 0.45 KB
  each, 22 MB in all); when full it is emptied, which changes speed, never results.
- Texts in scripts without word spaces (Chinese, Japanese, Thai) become a few
  long "words"; words longer than ``MAX_CACHED_WORD`` characters are scored
  directly, not cached.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
from langdetect.detector import Detector
from langdetect.detector_factory import PROFILES_DIRECTORY
from langdetect.utils.ngram import NGram

#: langdetect's smoothing: every n-gram probability gets ``ALPHA / BASE_FREQ`` added.
ALPHA = Detector.ALPHA_DEFAULT
BASE_FREQ = Detector.BASE_FREQ

#: Probability floor of a trigram in the fit statistic (see ``ScoredText.fit``).
TRIGRAM_FLOOR = 1e-6

#: Words longer than this are scored directly, never cached (unspaced scripts).
MAX_CACHED_WORD = 32

_LATIN = re.compile("[A-Za-z]")
#: The combining marks ``NGram.normalize_vi`` composes.
_VIETNAMESE_MARK = re.compile(f"[{NGram.DMARK_CLASS}]")
#: langdetect counts as non-Latin anything from U+0300 up, except Latin Extended Additional.
_NON_LATIN = re.compile("[\u0300-\u1dff\u1f00-\U0010ffff]")


@dataclass(frozen=True)
class ProfileSettings:
    #: Weight of a capitalised word that does not open its paragraph.
    name_weight: float = 0.3
    #: Most words kept in the per-worker word cache.
    cache_words: int = 50_000


def load_profiles(directory: str = PROFILES_DIRECTORY) -> tuple[list[str], list[str], np.ndarray]:
    """langdetect's profiles as (languages, n-grams, probabilities[n-gram, language]).

    The probability of an n-gram is its count over the count of all n-grams of
    its length, as ``DetectorFactory.add_profile`` computes it; languages are in
    name order. Read straight from the JSON files into one float32 matrix (a
    DetectorFactory would hold 4.8 million Python floats).
    """
    paths = [
        os.path.join(directory, name)
        for name in sorted(os.listdir(directory))
        if not name.startswith(".") and os.path.isfile(os.path.join(directory, name))
    ]
    # Two passes, one profile in memory at a time: the n-grams first, then the counts.
    languages: list[str] = []
    all_grams: set[str] = set()
    for path in paths:
        profile = _read_profile(path)
        languages.append(profile["name"])
        all_grams.update(gram for gram in profile["freq"] if 1 <= len(gram) <= 3)
    grams = sorted(all_grams)
    index = {gram: row for row, gram in enumerate(grams)}
    probabilities = np.zeros((len(grams), len(paths)), dtype=np.float32)
    for column, path in enumerate(paths):
        profile = _read_profile(path)
        n_words = profile["n_words"]
        freq = profile["freq"]
        kept = [(index[g], count / n_words[len(g) - 1]) for g, count in freq.items() if 1 <= len(g) <= 3]
        rows, values = zip(*kept, strict=True)
        probabilities[list(rows), column] = values
    return languages, grams, probabilities


def _read_profile(path: str) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _normalization_table() -> dict[int, str]:
    """langdetect's per-character normalisation as a ``str.translate`` table (BMP)."""
    table: dict[int, str] = {}
    for code in range(0x10000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        normal = NGram.normalize(ch)
        if normal != ch:
            table[code] = normal
    return table


def clean(text: str, table: dict[int, str]) -> str:
    """The text as langdetect reads it: no URLs or e-mail addresses, Vietnamese
    marks composed, every character normalised (punctuation and digits become
    spaces), and Latin letters dropped from text that is mostly in another script.
    Each step runs only when the text can need it (the regexes cost more than the rest).
    """
    if "://" in text:
        text = Detector.URL_RE.sub(" ", text)
    if "@" in text:
        text = Detector.MAIL_RE.sub(" ", text)
    if _VIETNAMESE_MARK.search(text):
        text = NGram.normalize_vi(text)
    text = text.translate(table)
    if _NON_LATIN.search(text):
        latin = len(_LATIN.findall(text))
        if latin and latin * 2 < len(_NON_LATIN.findall(text)):
            text = _LATIN.sub(" ", text)
    return text


def word_ngrams(word: str) -> list[str]:
    """The 1-3-grams langdetect reads in one (already normalised) word, in no
    particular order.

    >>> sorted(word_ngrams("ab"))
    [' a', ' ab', 'a', 'ab', 'ab ', 'b', 'b ']
    >>> sorted(word_ngrams("NATO"))
    [' N', 'N', 'O ', 'TO ']
    """
    padded = f" {word} "
    if not _has_caps_run(word):
        return [
            *word,
            *(padded[i : i + 2] for i in range(len(padded) - 1)),
            *(padded[i : i + 3] for i in range(len(padded) - 2)),
        ]
    grams: list[str] = []
    for end in range(1, len(padded)):
        ch = padded[end]
        if ch.isupper() and padded[end - 1].isupper():
            continue  # inside an ALL-CAPS run: langdetect reads nothing here
        if ch != " ":
            grams.append(ch)
        grams.append(padded[end - 1 : end + 1])
        if end >= 2:
            grams.append(padded[end - 2 : end + 1])
    return grams


def _has_caps_run(word: str) -> bool:
    """Whether two upper-case letters follow each other (cheap answers first).

    >>> _has_caps_run("Paris"), _has_caps_run("NATO"), _has_caps_run("東京"), _has_caps_run("iPhone")
    (False, True, False, False)
    """
    if word.islower() or word[1:].islower() or word.upper() == word.lower():
        return False
    return any(a.isupper() and b.isupper() for a, b in pairwise(word))


class ScoredText:
    """Summed scores of one text: ``scores`` (log-likelihood per language),
    ``trigram_scores`` (the same over trigrams only, floored at TRIGRAM_FLOOR),
    ``ngrams`` (how many profile n-grams were read) and ``trigrams`` (how many
    trigrams the text has, known to a profile or not)."""

    __slots__ = ("ngrams", "scores", "trigram_scores", "trigrams")

    def __init__(self, vector: np.ndarray, languages: int):
        self.scores = vector[:languages].astype(np.float64)
        self.trigram_scores = vector[languages : 2 * languages].astype(np.float64)
        self.ngrams = float(vector[2 * languages])
        self.trigrams = float(vector[2 * languages + 1])


class ProfileScorer:
    """Scores text against langdetect's profiles; build once per worker.

    Each profile n-gram has one row of ``width`` numbers: its log-probability
    under every language (smoothed as langdetect does), the same for trigrams
    only (floored at TRIGRAM_FLOOR), then 1 (an n-gram read) and 1 if it is a
    trigram. A word's vector is the sum of its n-grams' rows; a text's, the
    weighted sum of its words'.
    """

    def __init__(self, settings: ProfileSettings | None = None, directory: str = PROFILES_DIRECTORY):
        self.settings = settings or ProfileSettings()
        self.languages, grams, probabilities = load_profiles(directory)
        n = len(self.languages)
        self._index = {gram: row for row, gram in enumerate(grams)}
        is_trigram = np.array([len(g) == 3 for g in grams])
        self.width = 2 * n + 2
        # One extra all-zero row at the end: every word's segment starts with it,
        # so a word without a single profile n-gram still sums to zeros.
        rows = np.zeros((len(grams) + 1, self.width), dtype=np.float32)
        scores = rows[:-1, :n]  # a view: computed in place, no temporary copies
        np.add(probabilities, np.float32(ALPHA / BASE_FREQ), out=scores)
        np.log(scores, out=scores)
        rows[:-1][is_trigram, n : 2 * n] = np.log(probabilities[is_trigram] + np.float32(TRIGRAM_FLOOR))
        rows[:-1, 2 * n] = 1.0
        rows[:-1, 2 * n + 1] = is_trigram
        self._gram_rows = rows
        self._zero = len(grams)
        trigram_mass = probabilities[is_trigram].astype(np.float64)
        trigram_mass = trigram_mass / np.maximum(trigram_mass.sum(axis=0), 1e-12)
        #: Expected trigram log-probability of a text in each language (its profile's negative entropy).
        self.expected_trigram_log = (trigram_mass * np.log(trigram_mass + TRIGRAM_FLOOR)).sum(axis=0)
        #: Profiles kept with far more trigrams than most (ca, cy, et, lt, lv, ro, sl, vi
        #: keep 4,000-6,000 against a median of 1,700): they cover their own text
        #: almost entirely, so its fit sits near 0 rather than near -1.
        trigram_counts = (probabilities[is_trigram] > 0).sum(axis=0)
        self.broad = trigram_counts > 2 * np.median(trigram_counts)
        self._table = _normalization_table()
        known = "".join(g for g in grams if len(g) == 1 and g.isalpha())
        self._unknown_letter = re.compile(f"[^\\W\\d_{re.escape(known)}]")
        self._cache: dict[str, int] = {}
        self._words = np.zeros((self.settings.cache_words, self.width), dtype=np.float32)

    def clean(self, text: str) -> str:
        return clean(text, self._table)

    def unknown_letters(self, cleaned: str) -> int:
        """How many letters of a :func:`clean`-ed text no profile has."""
        return len(self._unknown_letter.findall(cleaned))

    def word_vectors(self, words: list[str]) -> np.ndarray:
        """One row per word: the sums of its n-grams' rows (see the class)."""
        n = len(self.languages)
        index = self._index
        rows: list[int] = []
        starts: list[int] = []
        trigrams: list[int] = []
        for word in words:
            starts.append(len(rows))
            rows.append(self._zero)
            grams = word_ngrams(word)
            rows.extend(row for row in map(index.get, grams) if row is not None)
            trigrams.append(len(word) if len(grams) == 3 * len(word) + 1 else sum(len(g) == 3 for g in grams))
        vectors = np.add.reduceat(self._gram_rows[rows], starts, axis=0)
        total = np.asarray(trigrams, dtype=np.float32)
        unknown = total - vectors[:, 2 * n + 1]  # trigrams no profile has
        vectors[:, n : 2 * n] += (unknown * np.float32(np.log(TRIGRAM_FLOOR)))[:, None]
        vectors[:, 2 * n + 1] = total
        return vectors

    def vector(self, cleaned: str) -> np.ndarray:
        """The summed score vector of an already :func:`clean`-ed text."""
        total = np.zeros(self.width, dtype=np.float64)
        words = cleaned.split()
        chunk = max(1, self.settings.cache_words // 2)
        for start in range(0, len(words), chunk):
            total += self._chunk_vector(words[start : start + chunk], first=start == 0)
        return total

    def _chunk_vector(self, words: list[str], first: bool) -> np.ndarray:
        cache = self._cache
        if len(cache) + len(words) > self.settings.cache_words:
            cache.clear()  # never in the middle of a chunk: its rows stay valid
        name_weight = self.settings.name_weight
        rows: list[int] = []
        weights: list[float] = []
        new: list[str] = []
        long_words: list[str] = []
        long_weights: list[float] = []
        for position, word in enumerate(words):
            weight = name_weight if (position or not first) and word[0].isupper() else 1.0
            if len(word) > MAX_CACHED_WORD:
                long_words.append(word)
                long_weights.append(weight)
                continue
            row = cache.get(word)
            if row is None:
                row = cache[word] = len(cache)
                new.append(word)
            rows.append(row)
            weights.append(weight)
        if new:
            first_new = cache[new[0]]
            self._words[first_new : first_new + len(new)] = self.word_vectors(new)
        total = np.zeros(self.width, dtype=np.float64)
        if rows:
            total += np.asarray(weights, dtype=np.float32) @ self._words[rows]
        if long_words:
            total += np.asarray(long_weights, dtype=np.float32) @ self.word_vectors(long_words)
        return total

    def score(self, text: str) -> ScoredText:
        """Scores of a raw text."""
        return ScoredText(self.vector(self.clean(text)), len(self.languages))

    def scored(self, vector: np.ndarray) -> ScoredText:
        return ScoredText(vector, len(self.languages))
