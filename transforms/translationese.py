"""A small translationese classifier: is this English text a translation, and by a machine?

The features do not depend on the topic: how often frequent function words
occur, punctuation, sentence and word lengths, lexical variety, how often words
are abbreviated (U.S., Mr., a.m.: one token each, whose full stop ends no
sentence), and n-grams of a text where every word that is not a function word is
reduced to its shape (``<C>`` capitalized, ``<w>`` lower case, ``<n>`` number,
``<abbr>`` abbreviated). Names, places and
subject words never become features, so a model trained on Icelandic and
Russian news carries over to a source language it has never seen.

The model is two logistic regressions (original vs translated; human vs
machine among translations), and one more per source language of the training
data (originals vs translations from that language alone: ``sources``), stored
as JSON and applied with numpy in one pass: a text
becomes an array of shape ids, its n-grams integer codes looked up among the
model's sorted keys, so no feature name is built at prediction time.
Inference needs no training library.

Rates measured on few words are noisy, so p(translated) is calibrated for
length: the score of a short text is drawn toward a prior (most English news is
not translated), with a strength fitted at training time on shortened passages.

    python -m evaluations.train_provenance   # writes transforms/models/translationese.json
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np

MODEL_RESOURCE = "translationese.json"

#: Frequent English words whose rates differ between originals and translations;
#: content words never appear here, nor reporting verbs (said, told), whose rate is the
#: house style of a newsroom rather than a trace of translation.
FUNCTION_WORDS: tuple[str, ...] = tuple(
    """
    a about above across after afterwards again against ago all almost along already also although
    always am among an and another any anyone anything are around as at away back be because been before
    being below besides between beyond both but by can cannot could did do does doing done down during
    each either else enough especially even ever every few first for former from further had has have
    having he her here hers herself him himself his how however i if in including indeed instead into is
    it its itself just last later least less let like many may me meanwhile might more moreover most
    much must my myself namely near neither never nevertheless next no nobody none nor not nothing now
    of off often on once one only onto or other others otherwise our ours ourselves out over own particularly
    per perhaps quite rather really same several she should since so some someone something
    sometimes soon still such than that the their theirs them themselves then there therefore these they
    this those though through throughout thus to together too toward towards under unless until up upon
    us very via was we well were what whatever when whenever where whereas whether which while who whom
    whose why will with within without would yet you your yours yourself n't 's 're 've 'll 'd 'm
    """.split()
)
_FUNCTION_SET = frozenset(FUNCTION_WORDS)

#: Punctuation classes; every quote is one class and every dash another, so a
#: publisher's choice of curly or straight quotes is no feature.
_PUNCT_CLASS = {
    ",": ",",
    ".": ".",
    ";": ";",
    ":": ":",
    "!": "!",
    "?": "?",
    "(": "(",
    ")": ")",
    "[": "(",
    "]": ")",
    '"': '"',
    "“": '"',
    "”": '"',
    "„": '"',
    "«": '"',
    "»": '"',
    "``": '"',
    "''": '"',
    "'": "'",
    "‘": "'",
    "’": "'",
    "-": "-",
    "–": "-",
    "—": "-",
    "--": "-",
    "…": ".",
    "/": "/",
    "%": "%",
    "&": "&",
    "$": "$",
    "€": "$",
    "£": "$",
}
PUNCT_CLASSES: tuple[str, ...] = tuple(sorted(set(_PUNCT_CLASS.values())))

#: Word endings that stand in for parts of speech (-ly adverbs, -ing forms, -tion nouns…),
#: tried in this order; a word with none of them is plain ``<w>``.
_SUFFIXES: tuple[str, ...] = (
    "ing",
    "ed",
    "ly",
    "tion",
    "sion",
    "ment",
    "ness",
    "ity",
    "ous",
    "ive",
    "able",
    "ible",
    "al",
    "ic",
    "ist",
    "ism",
    "er",
    "est",
    "es",
    "s",
)
#: Abbreviations with their full stops (U.S., a.m., Mr., Aug., an initial before a name):
#: split off, their stops would end sentences that go on, and the sentence lengths and
#: rates of ``.`` would count a newsroom's abbreviation style rather than its sentences.
#: The look-ahead lets a position that starts no abbreviation fail at once.
_ABBREVIATION = (
    r"(?=[A-Za-z]\.|[A-Z][a-z]{1,3}\.)(?:(?:[A-Z]\.){2,}|(?:[a-z]\.){2,}|[A-Z]\.(?=\s[A-Z])"
    r"|(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Gen|Gov|Sen|Rep|Lt|Col|Sgt|Capt|Prof|Rev|Inc|Corp|Co|Ltd"
    r"|Jan|Feb|Aug|Sept|Oct|Nov|Dec)\.(?=\s))"
)
#: Words, numbers, abbreviations, and punctuation one character at a time but for the
#: typewriter's quotes and dash of wire copy (``…'' and --), one mark each.
_TOKEN = re.compile(_ABBREVIATION + r"|[^\W\d_]+(?:['’][^\W\d_]+)?|\d+(?:[.,]\d+)*|``|''|--|[^\w\s]")
_CONTRACTION = re.compile(r"^(\w+)['’](s|t|re|ve|ll|d|m)$")
_SENTENCE_END = frozenset({".", "!", "?"})

#: Most distinct tokens a worker remembers the shape of.
SHAPE_MEMO = 200_000
#: Fewer word tokens than this and the classifier abstains.
MIN_TOKENS = 60
#: The classifier reads at most this many tokens: enough for a stable rate.
MAX_TOKENS = 700
DENSE_FEATURES: tuple[str, ...] = (
    "d:sentence_mean",
    "d:sentence_sd",
    "d:word_mean",
    "d:long_words",
    "d:variety",
    "d:capitalized",
    "d:numbers",
    "d:abbreviations",
)
#: Words of text from which the classifier's score counts in full; below, it is weighed
#: by words / FULL_WEIGHT_WORDS against the prior (a model without its own calibration
#: uses this; training fits it, at most the length of a training passage).
FULL_WEIGHT_WORDS = 150.0
#: What a text too short to judge is taken to be: the share of translations in an
#: English news stream, well below one half (most English news is written in English).
PRIOR_TRANSLATED = 0.2


def tokenize(text: str, limit: int = MAX_TOKENS) -> list[str]:
    """Word, number and punctuation tokens; English contractions split off.

    >>> tokenize("He didn't say, “Yes.”")
    ['He', 'did', "n't", 'say', ',', '“', 'Yes', '.', '”']
    >>> tokenize("``Mr. Lee met U.S. envoys at 9 a.m. -- J. Smith said.''")[:9]
    ['``', 'Mr.', 'Lee', 'met', 'U.S.', 'envoys', 'at', '9', 'a.m.']
    """
    tokens = _TOKEN.findall(text, 0, _char_budget(text, limit))
    if "'" not in text and "’" not in text:
        return tokens[:limit]
    # Few tokens hold an apostrophe: find them, then split those in place (from the end,
    # so the positions still to visit do not move).
    marked = [i for i, token in enumerate(tokens) if "'" in token or "’" in token]
    for i in reversed(marked):
        if contraction := _CONTRACTION.match(tokens[i]):
            head, tail = contraction.groups()
            if tail == "t" and head.lower().endswith("n"):
                tokens[i : i + 1] = (head[:-1], "n't")
            else:
                tokens[i : i + 1] = (head, "'" + tail)
    return tokens[:limit]


def _char_budget(text: str, limit: int) -> int:
    """Characters enough for about ``limit`` tokens (never cuts a short text)."""
    return min(len(text), limit * 8)


def shape(token: str) -> str:
    """A token as the classifier's n-grams see it: function words kept, others reduced.

    >>> [shape(t) for t in ["The", "Kremlin", "said", "42", "talks", "quickly", "—", "U.S."]]
    ['the', '<C>', '<w>', '<n>', '<ws>', '<wly>', '-', '<abbr>']
    """
    lower = token.lower().replace("’", "'")
    if lower in _FUNCTION_SET:
        return lower
    first = token[0]
    if token[-1] == "." and len(token) > 1:
        return "<abbr>"
    if first.isdigit():
        return "<n>"
    if first.isalpha():
        if first.isupper():
            return "<C>"
        for suffix in _SUFFIXES:
            if lower.endswith(suffix) and len(lower) > len(suffix) + 2:
                return f"<w{suffix}>"
        return "<w>"
    return _PUNCT_CLASS.get(token, "<p>")


#: Every shape a token can take; a shape's id is its index here.
SHAPES: tuple[str, ...] = tuple(
    dict.fromkeys(
        (
            *FUNCTION_WORDS,
            *PUNCT_CLASSES,
            "<p>",
            "<C>",
            "<abbr>",
            "<n>",
            "<w>",
            *(f"<w{suffix}>" for suffix in _SUFFIXES),
        )
    )
)
_SHAPE_ID = {form: i for i, form in enumerate(SHAPES)}
_V = len(SHAPES)
_IS_FUNCTION = np.array([form in _FUNCTION_SET for form in SHAPES])
_IS_PUNCT = np.array([form in PUNCT_CLASSES or form == "<p>" for form in SHAPES])
_IS_END = np.array([form in _SENTENCE_END for form in SHAPES])
_CAPITALIZED = _SHAPE_ID["<C>"]
_NUMBER = _SHAPE_ID["<n>"]
_ABBREVIATED = _SHAPE_ID["<abbr>"]
#: A memo entry packs the shape id (high bits) and the id of the lowercased word (low bits).
_LOWER_BITS = 20


class ShapeMemo:
    """Per-worker memo of token -> (shape id, lowercased-word id): most tokens of a text are
    words the worker has seen before, so a text costs one dictionary lookup per token."""

    def __init__(self, limit: int = SHAPE_MEMO):
        self.limit = min(limit, (1 << _LOWER_BITS) - 1)
        self.codes: dict[str, int] = {}
        self.lowered: dict[str, int] = {}

    def encode(self, tokens: Sequence[str]) -> np.ndarray:
        codes = self.codes
        unseen = set(tokens).difference(codes)
        if unseen:
            if len(codes) + len(unseen) > self.limit:
                codes.clear()
                self.lowered.clear()
                unseen = set(tokens)
            lowered = self.lowered
            for token in unseen:
                lower = token.lower()
                lower_id = lowered.setdefault(lower, len(lowered))
                codes[token] = (_SHAPE_ID[shape(token)] << _LOWER_BITS) | lower_id
        return np.fromiter(map(codes.__getitem__, tokens), dtype=np.int64, count=len(tokens))


@dataclass(frozen=True)
class StyleRead:
    """A text as the classifier reads it: shape ids in order, word count and dense measures."""

    shapes: np.ndarray
    words: int
    dense: tuple[float, ...]

    @property
    def total(self) -> int:
        return max(len(self.shapes), 1)


def read_style(text: str, memo: ShapeMemo | None = None) -> StyleRead:
    """Tokens reduced to shape ids, with the dense measures (``DENSE_FEATURES`` order).

    >>> read = read_style("It rained. Then it stopped!")
    >>> [SHAPES[i] for i in read.shapes], read.words
    (['it', '<wed>', '.', 'then', 'it', '<wed>', '!'], 5)
    """
    tokens = tokenize(text)
    codes = (memo or ShapeMemo()).encode(tokens)
    shapes = codes >> _LOWER_BITS
    is_word = ~_IS_PUNCT[shapes]
    words = int(np.count_nonzero(is_word))
    if not words:
        return StyleRead(shapes, 0, (0.0,) * len(DENSE_FEATURES))
    ends = np.flatnonzero(_IS_END[shapes]).tolist()
    bounds = [-1, *ends]
    if not ends or ends[-1] < len(tokens) - 1:
        bounds.append(len(tokens))  # a last sentence without its full stop
    sentences = [n for n in (b - a - 1 for a, b in itertools.pairwise(bounds)) if n > 0]
    mean_sentence = sum(sentences) / len(sentences) if sentences else 0.0
    sd_sentence = math.sqrt(sum((n - mean_sentence) ** 2 for n in sentences) / max(len(sentences), 1))
    lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))[is_word]
    lowered = (codes[is_word] & ((1 << _LOWER_BITS) - 1)).tolist()
    window = 100
    starts = range(0, words - window + 1, window)
    varieties = [len(set(lowered[i : i + window])) / window for i in starts]
    variety = sum(varieties) / len(varieties) if varieties else len(set(lowered)) / max(words, window)
    dense = (
        math.log1p(mean_sentence),
        math.log1p(sd_sentence),
        float(lengths.sum()) / words,
        float(np.count_nonzero(lengths >= 8)) / words,
        variety,
        float(np.count_nonzero(shapes == _CAPITALIZED)) / words,
        float(np.count_nonzero(shapes == _NUMBER)) / words,
        float(np.count_nonzero(shapes == _ABBREVIATED)) / words,
    )
    return StyleRead(shapes, words, dense)


def _grams(shapes: np.ndarray, n: int) -> np.ndarray:
    """Shape n-grams as integers (base ``len(SHAPES)``)."""
    codes = shapes[: len(shapes) - n + 1].copy()
    for k in range(1, n):
        codes = codes * _V + shapes[k : len(shapes) - n + 1 + k]
    return codes


def _gram_name(code: int, n: int) -> str:
    parts = []
    for _ in range(n):
        code, last = divmod(code, _V)
        parts.append(SHAPES[last])
    return " ".join(reversed(parts))


def raw_features(text: str, memo: ShapeMemo | None = None) -> tuple[dict[str, float], int]:
    """Topic-independent style features of ``text`` by name, and its number of word tokens.

    Rates are per token and square-rooted (a variance-stabilizing transform). Training
    uses these names; prediction computes the same sums without building them.

    >>> features, words = raw_features("The cat sat on the mat. It was happy, and so was I.")
    >>> words, round(features["fw:the"], 3), "bg:the <w>" in features
    (13, 0.354, True)
    """
    read = read_style(text, memo)
    root_inverse = 1.0 / math.sqrt(read.total)
    features: dict[str, float] = {}
    counts = np.bincount(read.shapes, minlength=_V)
    for i in np.flatnonzero(counts):
        prefix = "fw:" if _IS_FUNCTION[i] else "p:" if SHAPES[i] in PUNCT_CLASSES else None
        if prefix:
            features[prefix + SHAPES[i]] = math.sqrt(counts[i]) * root_inverse
    for n, prefix in ((2, "bg:"), (3, "tg:")):
        grams, counted = np.unique(_grams(read.shapes, n), return_counts=True)
        for code, count in zip(grams.tolist(), counted.tolist(), strict=True):
            features[prefix + _gram_name(code, n)] = math.sqrt(count) * root_inverse
    features.update(zip(DENSE_FEATURES, read.dense, strict=True))
    return features, read.words


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


@dataclass(frozen=True)
class LinearHead:
    """A logistic regression folded for sparse inference: p = sigmoid(bias + sum w_f x_f)."""

    weights: Mapping[str, float]
    bias: float

    @classmethod
    def from_standardized(
        cls,
        names: Sequence[str],
        mean: Sequence[float],
        scale: Sequence[float],
        coef: Sequence[float],
        bias: float,
    ) -> LinearHead:
        """Fold z = (x - mean) / scale into the weights, so absent features cost nothing."""
        weights = {name: c / s for name, c, s in zip(names, coef, scale, strict=True)}
        folded_bias = bias - sum(c * m / s for c, m, s in zip(coef, mean, scale, strict=True))
        return cls(weights, folded_bias)

    def score(self, features: Mapping[str, float]) -> float:
        """The logit, from named features (as ``raw_features`` gives them)."""
        weights = self.weights
        score = self.bias
        for name, value in features.items():
            weight = weights.get(name)
            if weight is not None:
                score += weight * value
        return score

    def probability(self, features: Mapping[str, float]) -> float:
        return _sigmoid(self.score(features))


class FastHeads:
    """Several ``LinearHead``s as arrays indexed by shape ids and shape n-gram codes,
    evaluated together with a few numpy operations per text (no feature name is built)."""

    def __init__(self, heads: Sequence[LinearHead]):
        h = len(heads)
        self.biases = np.array([head.bias for head in heads])
        self.unigrams = np.zeros((h, _V))
        self.dense = np.zeros((h, len(DENSE_FEATURES)))
        grams: list[dict[int, np.ndarray]] = [{}, {}]
        dense_index = {name: i for i, name in enumerate(DENSE_FEATURES)}
        for k, head in enumerate(heads):
            for name, weight in head.weights.items():
                kind, _, rest = name.partition(":")
                if kind in ("fw", "p"):
                    self.unigrams[k, _SHAPE_ID[rest]] = weight
                elif kind in ("bg", "tg"):
                    code = 0
                    for form in rest.split(" "):
                        code = code * _V + _SHAPE_ID[form]
                    grams[kind == "tg"].setdefault(code, np.zeros(h))[k] = weight
                else:
                    self.dense[k, dense_index[name]] = weight
        self.gram_keys = [np.array(sorted(table), dtype=np.int64) for table in grams]
        self.gram_weights = [
            np.array([table[key] for key in sorted(table)]).reshape(-1, h).T for table in grams
        ]

    def scores(self, read: StyleRead) -> np.ndarray:
        """The heads' logits for one text."""
        root_inverse = 1.0 / math.sqrt(read.total)
        counts = np.bincount(read.shapes, minlength=_V)
        scores = self.biases + self.unigrams @ np.sqrt(counts) * root_inverse + self.dense @ read.dense
        for n, keys, weights in zip((2, 3), self.gram_keys, self.gram_weights, strict=True):
            if not len(keys) or len(read.shapes) < n:
                continue
            # Each n-gram looked up among the model's (sorted) keys, then counted per key:
            # no sort of the text's n-grams is needed.
            grams = _grams(read.shapes, n)
            at = np.minimum(np.searchsorted(keys, grams), len(keys) - 1)
            at = at[keys[at] == grams]
            counts = np.bincount(at, minlength=len(keys))
            scores += weights @ np.sqrt(counts) * root_inverse
        return scores


@dataclass(frozen=True)
class StyleVerdict:
    """What the classifier says about one text: p(translated), p(machine) if translated, and
    p(translated from L) by the head of each source language L the model has one for."""

    translated: float
    machine: float
    words: int
    sources: Mapping[str, float] = field(default_factory=dict)


class TranslationeseModel:
    """The shipped model; load once per worker (``DoFn.setup``), then ``predict`` per text."""

    def __init__(self, data: Mapping[str, Any]):
        names = data["features"]
        self.version = data.get("version", "")
        self.min_tokens = int(data.get("min_tokens", MIN_TOKENS))
        calibration = data.get("calibration", {})
        self.full_weight_words = float(calibration.get("full_weight_words", FULL_WEIGHT_WORDS))
        self.score_scale = float(calibration.get("scale", 1.0))
        # The source heads' own calibration (fitted on the languages they judge); a model
        # without one reads them unscaled with the general head's length rule.
        self.source_full_weight_words = float(
            calibration.get("sources_full_weight_words", self.full_weight_words)
        )
        self.source_scale = float(calibration.get("sources_scale", 1.0))
        self.prior_logit = _logit(float(calibration.get("prior", PRIOR_TRANSLATED)))
        self.translated = LinearHead(
            dict(zip(names, data["translated"]["weights"], strict=True)), data["translated"]["bias"]
        )
        self.machine = LinearHead(
            dict(zip(names, data["machine"]["weights"], strict=True)), data["machine"]["bias"]
        )
        #: One head per source language of the training data: English originals against
        #: translations from that language only. Which language a translation came from
        #: leaves traces a head for that one language reads far better than the general
        #: head, which must also serve languages it never saw; linking asks exactly that
        #: of an English article paired with one in another language.
        self.sources = {
            language: LinearHead(dict(zip(names, head["weights"], strict=True)), head["bias"])
            for language, head in sorted(data.get("sources", {}).items())
        }
        self.meta = data.get("meta", {})
        self._heads = FastHeads([self.translated, self.machine, *self.sources.values()])
        self._memo = ShapeMemo()

    @classmethod
    def load(cls) -> TranslationeseModel:
        """The model file shipped in ``transforms/models``."""
        text = resources.files("transforms").joinpath("models", MODEL_RESOURCE).read_text(encoding="utf-8")
        return cls(json.loads(text))

    def calibrated(
        self, score: float, words: int, scale: float | None = None, full_weight: float | None = None
    ) -> float:
        """p(translated) from the head's logit: the logit is scaled (a logistic regression
        is overconfident on a source language it has not seen), and a text shorter than the
        passages the model was trained on gives weaker evidence, so its score is drawn
        toward the prior, the more the fewer words it has. Both are fitted at training time.

        >>> model = TranslationeseModel.load()
        >>> model.calibrated(3.0, 100_000) > model.calibrated(3.0, 60) > model.calibrated(3.0, 0)
        True
        >>> model.calibrated(3.0, 0) == PRIOR_TRANSLATED
        True
        """
        reliance = min(1.0, words / (self.full_weight_words if full_weight is None else full_weight))
        scale = self.score_scale if scale is None else scale
        return _sigmoid(reliance * scale * score + (1.0 - reliance) * self.prior_logit)

    def predict(self, text: str) -> StyleVerdict | None:
        """Probabilities of translated and (if translated) machine-translated; None when too short."""
        read = read_style(text, self._memo)
        if read.words < self.min_tokens:
            return None
        translated, machine, *by_source = self._heads.scores(read).tolist()
        # A source head judges only the language it was trained on: its own calibration.
        sources = {
            language: round(
                self.calibrated(score, read.words, self.source_scale, self.source_full_weight_words), 4
            )
            for language, score in zip(self.sources, by_source, strict=True)
        }
        return StyleVerdict(
            translated=self.calibrated(translated, read.words),
            machine=_sigmoid(machine),
            words=read.words,
            sources=sources,
        )


def model_document(
    names: Sequence[str],
    mean: Sequence[float],
    scale: Sequence[float],
    translated: tuple[Sequence[float], float],
    machine: tuple[Sequence[float], float],
    meta: Mapping[str, Any],
    calibration: Mapping[str, float] | None = None,
    sources: Mapping[str, tuple[Sequence[float], float]] | None = None,
) -> dict[str, Any]:
    """The JSON document of a model: standardization folded into the weights, rounded, so the
    file stays small and diffs stay readable."""

    def head(coef: Sequence[float], bias: float) -> dict[str, Any]:
        folded = LinearHead.from_standardized(names, mean, scale, coef, bias)
        return {
            "weights": [float(f"{folded.weights[name]:.5g}") for name in names],
            "bias": float(f"{folded.bias:.6g}"),
        }

    return {
        "version": 3,
        "min_tokens": MIN_TOKENS,
        "calibration": dict(
            calibration or {"full_weight_words": FULL_WEIGHT_WORDS, "prior": PRIOR_TRANSLATED}
        ),
        "features": list(names),
        "translated": head(*translated),
        "machine": head(*machine),
        "sources": {language: head(*pair) for language, pair in sorted((sources or {}).items())},
        "meta": dict(meta),
    }
