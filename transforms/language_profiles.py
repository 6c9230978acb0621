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

Start-up: reading the 55 JSON profiles and normalising every BMP character takes
about 1.5 s; both are precomputed into ``transforms/models/language_profiles.npz``
(``python -m transforms.language_profiles``; 1 MB, the probability matrix's
non-zero cells only), which loads in a few hundredths of a second. Logarithms
are taken of the non-zero cells only (an absent n-gram's is a constant), so the
scorer is built in about 0.1 s.

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

import argparse
import json
import os
import re
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
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

#: The profiles and the normalisation table, precomputed from langdetect 1.0.9 by
#: ``python -m transforms.language_profiles`` (reading langdetect's 55 JSON
#: profiles and normalising 65,536 characters costs about 1 s per worker; this
#: file loads in a few hundredths). ``tests/test_language_unit.py`` rebuilds it
#: and compares.
MODEL_PATH = Path(__file__).resolve().parent / "models" / "language_profiles.npz"

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


@dataclass(frozen=True)
class ProfileModel:
    """What the scorer needs from langdetect: languages (name order), n-grams
    (sorted), the non-zero cells of probabilities[n-gram, language] as
    ``rows``, ``columns`` and float32 ``values`` (98% of the cells are zero), and
    the normalisation table (``str.translate``)."""

    languages: list[str]
    grams: list[str]
    rows: np.ndarray
    columns: np.ndarray
    values: np.ndarray
    table: dict[int, str]


def compute_model(directory: str = PROFILES_DIRECTORY) -> ProfileModel:
    """The model straight from langdetect's profiles and ``NGram.normalize`` (slow: about 1 s)."""
    languages, grams, probabilities = load_profiles(directory)
    rows, columns = np.nonzero(probabilities)
    return ProfileModel(
        languages,
        grams,
        rows.astype(np.int32),
        columns.astype(np.uint8),
        probabilities[rows, columns],
        _normalization_table(),
    )


def save_model(model: ProfileModel, path: str | Path) -> None:
    """Writes ``model`` as a compressed ``.npz`` (about 1 MB)."""
    codes = sorted(model.table)
    np.savez_compressed(
        path,
        languages=np.array(model.languages),
        grams=np.array(model.grams),
        rows=model.rows,
        columns=model.columns,
        values=model.values,
        table_codes=np.array(codes, dtype=np.int32),
        table_values=np.array([model.table[code] for code in codes]),
    )


def read_model(path: str | Path) -> ProfileModel:
    """The model saved by :func:`save_model`."""
    with np.load(path, allow_pickle=False) as data:
        table = dict(zip(data["table_codes"].tolist(), data["table_values"].tolist(), strict=True))
        return ProfileModel(
            data["languages"].tolist(),
            data["grams"].tolist(),
            data["rows"],
            data["columns"],
            data["values"],
            table,
        )


def load_model(path: str | Path = MODEL_PATH) -> ProfileModel:
    """The shipped model; computed from langdetect when the file is missing (an
    install that left package data out still works, only its start is slower)."""
    if os.path.isfile(path):
        return read_model(path)
    return compute_model()


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

    def __init__(self, settings: ProfileSettings | None = None, model: ProfileModel | None = None):
        self.settings = settings or ProfileSettings()
        model = model or load_model()
        self.languages, grams = model.languages, model.grams
        n = len(self.languages)
        self._index = {gram: row for row, gram in enumerate(grams)}
        is_trigram = np.fromiter(map(len, grams), dtype=np.int8, count=len(grams)) == 3
        self.width = 2 * n + 2
        # One extra all-zero row at the end: every word's segment starts with it,
        # so a word without a single profile n-gram still sums to zeros. An absent
        # n-gram's log-probability is a constant (the smoothing, the floor), so
        # logarithms are taken only of the non-zero cells: start-up stays cheap.
        rows = np.zeros((len(grams) + 1, self.width), dtype=np.float32)
        alpha, floor = np.float32(ALPHA / BASE_FREQ), np.float32(TRIGRAM_FLOOR)
        rows[:-1, :n] = np.log(alpha)
        rows[:-1][is_trigram, n : 2 * n] = np.log(floor)
        cells, columns, values = model.rows, model.columns.astype(np.intp), model.values
        rows[cells, columns] = np.log(values + alpha)
        trigram_cell = is_trigram[cells]
        tri_cells, tri_columns, tri_values = cells[trigram_cell], columns[trigram_cell], values[trigram_cell]
        rows[tri_cells, n + tri_columns] = np.log(tri_values + floor)
        rows[:-1, 2 * n] = 1.0
        rows[:-1, 2 * n + 1] = is_trigram
        self._gram_rows = rows
        self._zero = len(grams)
        mass = tri_values.astype(np.float64)
        mass = mass / np.maximum(np.bincount(tri_columns, weights=mass, minlength=n), 1e-12)[tri_columns]
        #: Expected trigram log-probability of a text in each language (its profile's negative entropy).
        self.expected_trigram_log = np.bincount(
            tri_columns, weights=mass * np.log(mass + TRIGRAM_FLOOR), minlength=n
        )
        #: Profiles kept with far more trigrams than most (ca, cy, et, lt, lv, ro, sl, vi
        #: keep 4,000-6,000 against a median of 1,700): they cover their own text
        #: almost entirely, so its fit sits near 0 rather than near -1.
        trigram_counts = np.bincount(tri_columns, minlength=n)
        self.broad = trigram_counts > 2 * np.median(trigram_counts)
        self._table = model.table
        # Case-folded: a capital a profile happens to lack (Ы, Ľ) is no unknown letter.
        known = "".join(sorted({g.lower() for g in grams if len(g) == 1 and g.isalpha()}))
        self._unknown_letter = re.compile(f"[^\\W\\d_{re.escape(known)}]")
        self._cache: dict[str, int] = {}
        self._words = np.zeros((self.settings.cache_words, self.width), dtype=np.float32)
        #: Whether the cached word of each row starts with a capital (its weight: ``name_weight``).
        self._capital_rows = np.zeros(self.settings.cache_words, dtype=bool)
        self._name_weight = np.float32(self.settings.name_weight)

    def clean(self, text: str) -> str:
        return clean(text, self._table)

    def unknown_letters(self, cleaned: str) -> list[str]:
        """The letters of a :func:`clean`-ed text that no profile has, lower-cased,
        in text order (digits like ² are no letters).

        >>> ProfileScorer().unknown_letters("Ĉiu ŝatas ĈOKOLADON ² Ы")
        ['ĉ', 'ŝ', 'ĉ']
        """
        return [ch for ch in self._unknown_letter.findall(cleaned.lower()) if ch.isalpha()]

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
        # Most words are in the cache: their rows are looked up at C speed, and a word's
        # weight (a capital: maybe a name) is read off the row; only the words not found
        # (new ones, and long ones that are never cached) are visited one by one.
        found: list[int | None] = list(map(cache.get, words))
        rows: list[int] = found  # type: ignore[assignment]
        new: list[str] = []
        long_words: list[str] = []
        long_weights: list[float] = []
        if None in found:
            rows = []
            capitals = self._capital_rows
            for position, (word, row) in enumerate(zip(words, found, strict=True)):
                if row is None:
                    if len(word) > MAX_CACHED_WORD:
                        long_words.append(word)
                        named = (position or not first) and word[0].isupper()
                        long_weights.append(self.settings.name_weight if named else 1.0)
                        continue
                    row = cache.get(word)
                    if row is None:
                        row = cache[word] = len(cache)
                        capitals[row] = word[0].isupper()
                        new.append(word)
                rows.append(row)
        if new:
            first_new = cache[new[0]]
            self._words[first_new : first_new + len(new)] = self.word_vectors(new)
        total = np.zeros(self.width, dtype=np.float64)
        if rows:
            weights = np.where(self._capital_rows[rows], self._name_weight, np.float32(1.0))
            if first and len(words[0]) <= MAX_CACHED_WORD:
                weights[0] = 1.0  # the text's first word (rows[0]): its capital says nothing
            total += weights @ self._words[rows]
        if long_words:
            total += np.asarray(long_weights, dtype=np.float32) @ self.word_vectors(long_words)
        return total

    def score(self, text: str) -> ScoredText:
        """Scores of a raw text."""
        return ScoredText(self.vector(self.clean(text)), len(self.languages))

    def scored(self, vector: np.ndarray) -> ScoredText:
        return ScoredText(vector, len(self.languages))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Precompute langdetect's profiles into the package.")
    parser.add_argument("--output", default=str(MODEL_PATH), help="where to write the .npz")
    args = parser.parse_args(argv)
    model = compute_model()
    save_model(model, args.output)
    size = os.path.getsize(args.output)
    print(f"{args.output}: {len(model.languages)} languages, {len(model.grams)} n-grams, {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
