"""A translationese style classifier for languages other than English.

``transforms.translationese`` reads English only (its features are English
function words). This model reads any language it has a head for, from features
that need no word list and no word segmentation, so they also work for
Japanese or Chinese:

- the rates of character 1-, 2- and 3-grams, chosen among those that are
  frequent in both classes (originals and translations) at training time: the
  pieces of function words, inflections and punctuation, not of topic words;
- the shape of sentences and paragraphs: mean sentence length (log characters),
  its spread, mean paragraph length.

The text is lower-cased and its digits fall together (numbers are topic), then
every n-gram code is looked up in the model's hash table with numpy, so a
2 KB article costs some 0.1 ms. One logistic head per language, trained by
``python -m evaluations.train_direction`` on WMT documents; the model file is
``transforms/models/translationese_multi.json``.

    pytest --doctest-modules transforms/translationese_multi.py
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

MODEL_RESOURCE = "translationese_multi.json"
#: Character n-gram orders read.
ORDERS: tuple[int, ...] = (1, 2, 3)
#: Shape features after the n-gram rates, in this order.
DENSE_FEATURES: tuple[str, ...] = ("sentence_chars_log", "sentence_chars_cv", "paragraph_chars_log")
#: Texts shorter than this (characters, after normalisation) are not judged.
MIN_CHARS = 120
_BITS = 21  # a Unicode code point fits in 21 bits, so three of them fit in a 63-bit code
_DIGITS = re.compile(r"[0-9]")
#: Runs of spaces other than a single plain space (most spaces need no replacement).
_SPACES = re.compile(r"[\t\u00a0\u3000][ \t\u00a0\u3000]*| [ \t\u00a0\u3000]+")
_SENTENCE = re.compile(r"[^.!?。！？\n]+[.!?。！？]*")
_PARAGRAPH = re.compile(r"\n\s*\n")


def normalize(text: str) -> str:
    """Lower case, every digit as 0, runs of spaces as one (layout is not style).

    >>> normalize("Árið 2021  sögðu")
    'árið 0000 sögðu'
    """
    # Regular expressions, not str.translate: a per-character mapping costs ten times more.
    return _SPACES.sub(" ", _DIGITS.sub("0", text.lower()))


def ngram_code(gram: str) -> int:
    """The integer code of an n-gram (1 to 3 characters); orders never collide because
    every character's code point is at least 1.

    >>> ngram_code("a"), ngram_code("ab") == (97 << 21) | 98
    (97, True)
    """
    code = 0
    for ch in gram:
        code = (code << _BITS) | ord(ch)
    return code


def ngram_codes(text: str) -> np.ndarray:
    """The codes of every character 1-, 2- and 3-gram of an already normalized text.

    >>> sorted(ngram_codes("ab").tolist()) == sorted([ngram_code(g) for g in ("a", "b", "ab")])
    True
    """
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    parts = [points]
    if len(points) >= 2:
        parts.append((points[:-1] << _BITS) | points[1:])
    if len(points) >= 3:
        parts.append((points[:-2] << (2 * _BITS)) | (points[1:-1] << _BITS) | points[2:])
    return np.concatenate(parts)


def grams(text: str) -> dict[str, int]:
    """Counts of every character n-gram of a normalized text (training side: the
    vocabulary is chosen from these).

    >>> grams("aab")["a"], grams("aab")["aab"]
    (2, 1)
    """
    counts: dict[str, int] = {}
    for order in ORDERS:
        for i in range(len(text) - order + 1):
            gram = text[i : i + order]
            counts[gram] = counts.get(gram, 0) + 1
    return counts


def shape(text: str) -> np.ndarray:
    """The dense features (``DENSE_FEATURES``) of a normalized text.

    >>> [round(float(v), 3) for v in shape("one two. three four five.")]
    [2.565, 0.333, 3.258]
    """
    lengths = [len(s.strip()) for s in _SENTENCE.findall(text) if s.strip()]
    paragraphs = [p for p in _PARAGRAPH.split(text) if p.strip()]
    if not lengths:
        return np.zeros(len(DENSE_FEATURES))
    mean = sum(lengths) / len(lengths)
    spread = math.sqrt(sum((x - mean) ** 2 for x in lengths) / len(lengths)) / mean if mean else 0.0
    para = sum(len(p) for p in paragraphs) / max(len(paragraphs), 1)
    return np.array([math.log1p(mean), spread, math.log1p(para)])


class GramIndex:
    """Where each n-gram code sits among a model's codes: an open-addressing hash table
    probed with numpy (a binary search of every n-gram of a text costs ten times more).

    >>> index = GramIndex(np.array([ngram_code(g) for g in ("ab", "a", "x")], dtype=np.int64))
    >>> index.find(np.array([ngram_code("a"), ngram_code("q"), ngram_code("x")], dtype=np.int64)).tolist()
    [1, -1, 2]
    """

    _MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)

    def __init__(self, codes: np.ndarray):
        self.size = len(codes)
        # At most a sixteenth full: most n-grams of a text are not the model's, and each
        # probe of the longest chain costs as much as a whole look-up.
        self.bits = max(4, (16 * max(len(codes), 1) - 1).bit_length())
        slots = 1 << self.bits
        self.keys = np.full(slots, -1, dtype=np.int64)
        self.values = np.full(slots, -1, dtype=np.int64)
        self.probes = 1
        for i, (code, slot) in enumerate(zip(codes.tolist(), self._slots(codes).tolist(), strict=True)):
            for probe in range(slots):
                at = (slot + probe) & (slots - 1)
                if self.keys[at] == -1:
                    self.keys[at], self.values[at] = code, i
                    self.probes = max(self.probes, probe + 1)
                    break

    def _slots(self, codes: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            hashed = codes.astype(np.uint64) * self._MULTIPLIER
        return (hashed >> np.uint64(64 - self.bits)).astype(np.int64)

    def find(self, found: np.ndarray) -> np.ndarray:
        """The index of each code among the model's codes, -1 when it is not one of them."""
        out = np.full(len(found), -1, dtype=np.int64)
        slot = self._slots(found)
        mask = len(self.keys) - 1
        for probe in range(self.probes):
            at = (slot + probe) & mask
            hit = self.keys[at] == found
            out[hit] = self.values[at[hit]]
        return out


def raw_vector(text: str, index: GramIndex) -> tuple[np.ndarray, int]:
    """(n-gram rates per 100 characters for the model's n-grams, in the order of its
    ``GramIndex``, then the dense features; the number of characters) of a raw text."""
    clean = normalize(text)
    at = index.find(ngram_codes(clean))
    hits = at[at >= 0]
    rates = np.bincount(hits, minlength=index.size) * (100.0 / max(len(clean), 1))
    return np.concatenate([rates, shape(clean)]), len(clean)


@dataclass(frozen=True)
class StyleScore:
    """What a language's head says about one text."""

    language: str
    translated: float
    chars: int
    #: Held-out balanced accuracy of the head (document-fold cross-validation), for the evidence.
    accuracy: float


class LanguageHead:
    """One language's features and logistic weights (standardization folded in)."""

    def __init__(self, language: str, data: Mapping[str, Any]):
        self.language = language
        self.grams = list(data["grams"])
        self.index = GramIndex(np.array([ngram_code(g) for g in self.grams], dtype=np.int64))
        self.weights = np.asarray(data["weights"], dtype=float)
        self.bias = float(data["bias"])
        self.full_chars = float(data["full_chars"])
        self.accuracy = float(data.get("accuracy", 0.0))

    def score(self, text: str) -> StyleScore | None:
        """p(translated); a text shorter than the training passages gives weaker evidence,
        so its logit is drawn toward 0 (no opinion) in proportion."""
        vector, chars = raw_vector(text, self.index)
        if chars < MIN_CHARS:
            return None
        logit = float(vector @ self.weights) + self.bias
        logit *= min(1.0, chars / self.full_chars)
        p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logit))))
        return StyleScore(self.language, p, chars, self.accuracy)


class MultiStyleModel:
    """Heads per language; load once per worker, then ``score(text, language)``."""

    def __init__(self, data: Mapping[str, Any]):
        self.meta = dict(data.get("meta", {}))
        self.heads = {lang: LanguageHead(lang, head) for lang, head in data.get("languages", {}).items()}

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(self.heads))

    @classmethod
    def load(cls) -> MultiStyleModel:
        """The model file shipped in ``transforms/models`` (no heads when it is absent)."""
        source = resources.files("transforms").joinpath("models", MODEL_RESOURCE)
        if not source.is_file():
            return cls({})
        return cls(json.loads(source.read_text(encoding="utf-8")))

    def score(self, text: str, language: str | None) -> StyleScore | None:
        """The head of ``language`` on ``text``; None without a head or for a short text.

        >>> model = MultiStyleModel.load()
        >>> model.score("Some text " * 40, "xx") is None
        True
        """
        head = self.heads.get(language or "")
        return head.score(text) if head is not None else None


def head_document(
    grams_: Sequence[str],
    mean: np.ndarray,
    scale: np.ndarray,
    coef: np.ndarray,
    bias: float,
    full_chars: float,
    accuracy: float,
) -> dict[str, Any]:
    """A head as stored: the standardization (x - mean) / scale folded into the weights."""
    weights = coef / scale
    folded_bias = bias - float(np.sum(coef * mean / scale))
    return {
        "grams": list(grams_),
        "dense": list(DENSE_FEATURES),
        "weights": [float(f"{w:.5g}") for w in weights],
        "bias": float(f"{folded_bias:.6g}"),
        "full_chars": float(full_chars),
        "accuracy": round(float(accuracy), 4),
    }
