"""Word-level evidence for short texts: how often each word is used in each language.

langdetect's profiles hold character 1-3-grams only. On a single sentence they
cannot tell close relatives apart (Danish "noget, mig, efter" vs Bokmål "noe,
meg, etter"; Czech vs Slovak; Russian, Bulgarian, Macedonian, Ukrainian): the
n-grams they share outweigh the few that differ. A word unigram model settles
most of these: :class:`WordScorer` gives, for each language it covers, the sum
over the text's words of log(frequency + ``FLOOR``).

The frequencies are the ``TOP_WORDS`` most frequent words of wordfreq's "small"
lists (wordfreq 3.1.1: Wikipedia, subtitles, news, books, web text, ...),
precomputed into ``transforms/models/language_words.npz`` by
``python -m transforms.language_words`` (a test rebuilds it and compares).
wordfreq's data is licensed CC-BY-SA 4.0 (transforms/models/README.md), the
file derived from it likewise.

Covered: langdetect's languages that wordfreq has a list for, less Chinese,
Japanese and Korean (no spaces between words; langdetect's n-grams already tell
them apart) — 36 of 55. Croatian is read with wordfreq's Serbo-Croatian list
(Latin script), "no" with Bokmål's. The detector uses this evidence only to
choose among close candidates that are all covered (``transforms/language.py``),
so a covered language never gains on an uncovered one (Dutch on Afrikaans).

Memory: 36 languages x 10,000 words: one dictionary of the distinct words and
a float16 matrix words x languages (about 40 MB in all).
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

import numpy as np

#: Words kept per language, most frequent first.
TOP_WORDS = 10_000

#: Added to every frequency: a word outside a language's list is rare, not impossible
#: (wordfreq's "small" lists stop near 1e-6; the 10,000th word sits near 1e-5).
FLOOR = 1e-7

#: langdetect's codes -> wordfreq's, where they differ.
WORDFREQ_CODES = {"hr": "sh", "no": "nb"}

#: Languages left out: written without spaces between words.
UNSPACED = frozenset({"zh-cn", "zh-tw", "ja", "ko"})

WORDS_PATH = Path(__file__).resolve().parent / "models" / "language_words.npz"

#: A word: letters only (digits, apostrophes and hyphens split words, as in wordfreq's lists mostly).
_WORD = re.compile(r"[^\W\d_]+")


def words_of(text: str) -> list[str]:
    """Lower-cased words of a text.

    >>> words_of("L'Europe, 2024: Ça va? Škoda-Werke")
    ['l', 'europe', 'ça', 'va', 'škoda', 'werke']
    """
    return _WORD.findall(text.lower())


def compute_words(languages: list[str], top: int = TOP_WORDS) -> dict[str, list[tuple[str, float]]]:
    """For each of ``languages`` (langdetect's codes) that wordfreq covers, its
    ``top`` most frequent words with their frequencies, most frequent first
    (ties by word). Needs wordfreq (only to build the file)."""
    import wordfreq  # only for building: the detector reads the .npz

    available = wordfreq.available_languages("small")
    lists: dict[str, list[tuple[str, float]]] = {}
    for lang in languages:
        code = WORDFREQ_CODES.get(lang, lang)
        if lang in UNSPACED or code not in available:
            continue
        frequencies = wordfreq.get_frequency_dict(code, wordlist="small")
        ranked = sorted(frequencies.items(), key=lambda kv: (-kv[1], kv[0]))
        lists[lang] = [(word, float(freq)) for word, freq in ranked[:top]]
    return lists


def save_words(lists: dict[str, list[tuple[str, float]]], path: str | Path) -> None:
    """Writes the lists as a compressed ``.npz``: the covered languages, the
    vocabulary (every distinct word, sorted, joined by newlines: one string loads
    far faster than an array of strings) and one (word, language, frequency)
    triple per listed word."""
    languages, vocabulary, rows, columns, frequencies = _arrays(lists)
    np.savez_compressed(
        path,
        languages=np.array(languages),
        vocabulary=np.array("\n".join(vocabulary)),
        rows=rows,
        columns=columns,
        frequencies=frequencies,
    )


def _arrays(
    lists: dict[str, list[tuple[str, float]]],
) -> tuple[list[str], list[str], np.ndarray, np.ndarray, np.ndarray]:
    """Languages (sorted), vocabulary (sorted distinct words), and per listed word
    its vocabulary row, language column and frequency."""
    languages = sorted(lists)
    vocabulary = sorted({word for entries in lists.values() for word, _ in entries})
    index = {word: row for row, word in enumerate(vocabulary)}
    rows = np.array([index[word] for lang in languages for word, _ in lists[lang]], dtype=np.int32)
    columns = np.array([column for column, lang in enumerate(languages) for _ in lists[lang]], dtype=np.uint8)
    frequencies = np.array([freq for lang in languages for _, freq in lists[lang]], dtype=np.float32)
    return languages, vocabulary, rows, columns, frequencies


def read_words(path: str | Path) -> dict[str, list[tuple[str, float]]]:
    """The lists saved by :func:`save_words`, most frequent first (ties by word)."""
    with np.load(path, allow_pickle=False) as data:
        languages = data["languages"].tolist()
        vocabulary = str(data["vocabulary"]).split("\n")
        rows, columns, frequencies = data["rows"].tolist(), data["columns"].tolist(), data["frequencies"]
    lists: dict[str, list[tuple[str, float]]] = {lang: [] for lang in languages}
    for row, column, freq in zip(rows, columns, frequencies.tolist(), strict=True):
        lists[languages[column]].append((vocabulary[row], freq))
    return lists


class WordScorer:
    """Log-likelihood of a text's words under each covered language; build once per worker."""

    def __init__(self, path: str | Path = WORDS_PATH, languages: list[str] | None = None):
        """Reads ``path``; when it is missing (an install that left package data
        out), computes the lists from wordfreq for ``languages`` (langdetect's by
        default): the same table, a slower start."""
        if os.path.isfile(path):
            with np.load(path, allow_pickle=False) as data:
                self.languages: list[str] = data["languages"].tolist()
                vocabulary = str(data["vocabulary"]).split("\n")
                rows, columns, frequencies = data["rows"], data["columns"], data["frequencies"]
        else:
            from transforms.language_profiles import load_model

            lists = compute_words(languages or load_model().languages)
            self.languages, vocabulary, rows, columns, frequencies = _arrays(lists)
        self._index = dict(zip(vocabulary, range(len(vocabulary)), strict=True))
        # float16 halves the memory (18 MB); log-frequencies need no more than 3 digits.
        # One extra row for words no list has: the floor in every language.
        floor = np.log(np.float32(FLOOR))
        table = np.full((len(vocabulary) + 1, len(self.languages)), floor, dtype=np.float16)
        #: The table's value for a word not in a language's list.
        self._floor = table[-1, 0]
        table[rows, columns] = np.log(frequencies + np.float32(FLOOR))
        self._table = table
        self._unknown = len(vocabulary)
        self._column = {lang: column for column, lang in enumerate(self.languages)}

    def covers(self, lang: str) -> bool:
        return lang in self._column

    def known_share(self, text: str, lang: str, min_length: int = 1) -> float:
        """Share of the words of ``text`` (of ``min_length`` letters or more) that
        are in ``lang``'s list (0 without words)."""
        rows = [self._index.get(word, self._unknown) for word in words_of(text) if len(word) >= min_length]
        if not rows:
            return 0.0
        return float(np.mean(self._table[rows, self._column[lang]] > self._floor))

    def scores(self, text: str, languages: list[str]) -> np.ndarray:
        """Sum over the words of ``text`` of log(frequency + FLOOR) in each of
        ``languages`` (all covered), as float64."""
        rows = [self._index.get(word, self._unknown) for word in words_of(text)]
        columns = [self._column[lang] for lang in languages]
        if not rows:
            return np.zeros(len(columns))
        return self._table[np.ix_(rows, columns)].sum(axis=0, dtype=np.float64)


def main(argv: list[str] | None = None) -> int:
    from transforms.language_profiles import load_model

    parser = argparse.ArgumentParser(description="Precompute word frequencies (wordfreq) into the package.")
    parser.add_argument("--output", default=str(WORDS_PATH), help="where to write the .npz")
    args = parser.parse_args(argv)
    lists = compute_words(load_model().languages)
    save_words(lists, args.output)
    size = os.path.getsize(args.output)
    total = sum(map(len, lists.values()))
    print(f"{args.output}: {len(lists)} languages, {total} words, {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
