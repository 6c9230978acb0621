"""A small translationese classifier: is this English text a translation, and by a machine?

The features do not depend on the topic: how often frequent function words
occur, punctuation, sentence and word lengths, lexical variety, and n-grams of
a text where every word that is not a function word is reduced to its shape
(``<C>`` capitalized, ``<w>`` lower case, ``<n>`` number). Names, places and
subject words never become features, so a model trained on Icelandic and
Russian news carries over to a source language it has never seen.

The model is two logistic regressions (original vs translated; human vs
machine among translations) stored as JSON and applied with plain Python:
inference needs no training library.

    python -m evaluations.train_provenance   # writes transforms/models/translationese.json
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

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
    "'": "'",
    "‘": "'",
    "’": "'",
    "-": "-",
    "–": "-",
    "—": "-",
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
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d+(?:[.,]\d+)*|[^\w\s]")
_SENTENCE_END = frozenset({".", "!", "?"})
_CONTRACTION = re.compile(r"^(\w+)['’](s|t|re|ve|ll|d|m)$")

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
)


def tokenize(text: str, limit: int = MAX_TOKENS) -> list[str]:
    """Word, number and punctuation tokens; English contractions split off.

    >>> tokenize("He didn't say, “Yes.”")
    ['He', 'did', "n't", 'say', ',', '“', 'Yes', '.', '”']
    """
    raw = _TOKEN.findall(text, 0, _char_budget(text, limit))
    if "'" not in text and "’" not in text:
        return raw[:limit]
    tokens: list[str] = []
    for token in raw:
        if ("'" in token or "’" in token) and (contraction := _CONTRACTION.match(token)):
            head, tail = contraction.groups()
            if tail == "t" and head.lower().endswith("n"):
                tokens.extend((head[:-1], "n't"))
            else:
                tokens.extend((head, "'" + tail))
        else:
            tokens.append(token)
    return tokens[:limit]


def _char_budget(text: str, limit: int) -> int:
    """Characters enough for about ``limit`` tokens (never cuts a short text)."""
    return min(len(text), limit * 8)


def shape(token: str) -> str:
    """A token as the classifier's n-grams see it: function words kept, others reduced.

    >>> [shape(t) for t in ["The", "Kremlin", "said", "42", "talks", "quickly", "—"]]
    ['the', '<C>', '<w>', '<n>', '<ws>', '<wly>', '-']
    """
    lower = token.lower().replace("’", "'")
    if lower in _FUNCTION_SET:
        return lower
    first = token[0]
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


@dataclass(frozen=True)
class StyleCounts:
    """Counts behind the features: shapes, shape bigrams and trigrams, dense measures."""

    total: int
    words: int
    unigrams: Mapping[str, int]
    bigrams: Mapping[tuple[str, str], int]
    trigrams: Mapping[tuple[str, str, str], int]
    dense: Mapping[str, float]


@dataclass(frozen=True)
class StyleShapes:
    """A text as the classifier reads it: its shapes, word count and dense measures."""

    shapes: list[str]
    words: int
    dense: Mapping[str, float]


def style_shapes(text: str, shapes_seen: dict[str, str] | None = None) -> StyleShapes:
    """Tokens reduced to shapes, with the dense measures (the expensive part, once per text)."""
    tokens = tokenize(text)
    if shapes_seen is None:
        table = {token: shape(token) for token in set(tokens)}
    else:
        # A per-worker memo: most tokens of a text are words the worker has shaped before.
        if len(shapes_seen) > SHAPE_MEMO:
            shapes_seen.clear()
        for token in set(tokens).difference(shapes_seen):
            shapes_seen[token] = shape(token)
        table = shapes_seen
    shapes = list(map(table.__getitem__, tokens))
    punctuation = {form for form in set(shapes) if _is_punct(form)}
    words = [t for t, form in zip(tokens, shapes, strict=True) if form not in punctuation]
    ends = [i for i, (t, form) in enumerate(zip(tokens, shapes, strict=True)) if form in _ENDS and t != "…"]
    sentence_lengths = [b - a - 1 for a, b in itertools.pairwise([-1, *ends])]
    if ends and ends[-1] < len(tokens) - 1:
        sentence_lengths.append(len(tokens) - 1 - ends[-1])
    elif not ends and tokens:
        sentence_lengths.append(len(tokens))
    return StyleShapes(shapes, len(words), _dense(words, [n for n in sentence_lengths if n > 0]))


def style_counts(text: str, shapes_seen: dict[str, str] | None = None) -> StyleCounts:
    """Shapes, shape bigrams and trigrams counted.

    >>> counts = style_counts("It rained. Then it stopped!")
    >>> counts.words, counts.unigrams["it"], counts.bigrams[("<wed>", ".")]
    (5, 2, 1)
    """
    read = style_shapes(text, shapes_seen)
    shapes = read.shapes
    return StyleCounts(
        total=max(len(shapes), 1),
        words=read.words,
        unigrams=Counter(shapes),
        bigrams=Counter(itertools.pairwise(shapes)),
        trigrams=Counter(zip(shapes, shapes[1:], shapes[2:], strict=False)),
        dense=read.dense,
    )


_ENDS = frozenset({".", "!", "?"})


def _is_punct(form: str) -> bool:
    return form[0] != "<" and not form[0].isalnum()


def raw_features(text: str) -> tuple[dict[str, float], int]:
    """Topic-independent style features of ``text`` and its number of word tokens.

    Rates are per token and square-rooted (a variance-stabilizing transform).

    >>> features, words = raw_features("The cat sat on the mat. It was happy, and so was I.")
    >>> words, round(features["fw:the"], 3), "bg:the <w>" in features
    (13, 0.354, True)
    """
    counts = style_counts(text)
    total = counts.total
    features: dict[str, float] = {}
    for form, count in counts.unigrams.items():
        if form in _FUNCTION_SET:
            features["fw:" + form] = math.sqrt(count / total)
        elif _is_punct(form):
            features["p:" + form] = math.sqrt(count / total)
    for (x, y), count in counts.bigrams.items():
        features[f"bg:{x} {y}"] = math.sqrt(count / total)
    for (x, y, z), count in counts.trigrams.items():
        features[f"tg:{x} {y} {z}"] = math.sqrt(count / total)
    features.update(counts.dense)
    return features, counts.words


def _dense(words: Sequence[str], sentence_lengths: Sequence[int]) -> dict[str, float]:
    """Sentence lengths (in tokens), word lengths, lexical variety, capitals and numbers."""
    if not words or not sentence_lengths:
        return dict.fromkeys(DENSE_FEATURES, 0.0)
    n = len(words)
    mean_sentence = sum(sentence_lengths) / len(sentence_lengths)
    sd_sentence = math.sqrt(sum((x - mean_sentence) ** 2 for x in sentence_lengths) / len(sentence_lengths))
    lengths = [len(w) for w in words]
    lowered = " ".join(words).lower().split(" ")
    window = 100
    varieties = [len(set(lowered[i : i + window])) / window for i in range(0, n - window + 1, window)]
    variety = sum(varieties) / len(varieties) if varieties else len(set(lowered)) / max(n, window)
    initials = "".join(w[0] for w in words)
    numbers = sum(1 for ch in initials if ch.isdigit())
    return {
        "d:sentence_mean": math.log1p(mean_sentence),
        "d:sentence_sd": math.log1p(sd_sentence),
        "d:word_mean": sum(lengths) / n,
        "d:long_words": sum(1 for x in lengths if x >= 8) / n,
        "d:variety": variety,
        "d:capitalized": sum(1 for ch in initials if ch.isupper()) / n,
        "d:numbers": numbers / n,
    }


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


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

    def probability(self, features: Mapping[str, float]) -> float:
        """From named features (as ``raw_features`` gives them)."""
        weights = self.weights
        score = self.bias
        for name, value in features.items():
            weight = weights.get(name)
            if weight is not None:
                score += weight * value
        return _sigmoid(score)


class FastHeads:
    """Several ``LinearHead``s keyed the way ``style_counts`` counts, evaluated in one pass,
    so no feature name is built per text."""

    def __init__(self, heads: Sequence[LinearHead]):
        self.biases = [head.bias for head in heads]
        tables: dict[str, dict[Any, list[float]]] = {"u": {}, "b": {}, "t": {}, "d": {}}
        for h, head in enumerate(heads):
            for name, weight in head.weights.items():
                kind, _, rest = name.partition(":")
                if kind in ("fw", "p"):
                    table, key = tables["u"], rest
                elif kind == "bg":
                    table, key = tables["b"], tuple(rest.split(" "))
                elif kind == "tg":
                    table, key = tables["t"], tuple(rest.split(" "))
                else:
                    table, key = tables["d"], name
                table.setdefault(key, [0.0] * len(heads))[h] = weight
        self.unigrams = {k: tuple(v) for k, v in tables["u"].items()}
        self.bigrams = {k: tuple(v) for k, v in tables["b"].items()}
        self.trigrams = {k: tuple(v) for k, v in tables["t"].items()}
        self.dense = {k: tuple(v) for k, v in tables["d"].items()}

    def probabilities(self, counts: StyleCounts) -> list[float]:
        scores = list(self.biases)
        root_inverse = math.sqrt(1.0 / counts.total)
        roots = _ROOTS
        for table, counted in (
            (self.unigrams, counts.unigrams),
            (self.bigrams, counts.bigrams),
            (self.trigrams, counts.trigrams),
        ):
            get = table.get
            for key, count in counted.items():
                weights = get(key)
                if weights is not None:
                    rate = (roots[count] if count < len(roots) else math.sqrt(count)) * root_inverse
                    for h, weight in enumerate(weights):
                        scores[h] += weight * rate
        for name, value in counts.dense.items():
            weights = self.dense.get(name)
            if weights is not None:
                for h, weight in enumerate(weights):
                    scores[h] += weight * value
        return [_sigmoid(score) for score in scores]


#: Square roots of small counts, looked up instead of computed.
_ROOTS: tuple[float, ...] = tuple(math.sqrt(n) for n in range(256))


@dataclass(frozen=True)
class StyleVerdict:
    """What the classifier says about one text."""

    translated: float
    machine: float
    words: int


class TranslationeseModel:
    """The shipped model; load once per worker, then ``predict`` per text."""

    def __init__(self, data: Mapping[str, Any]):
        names = data["features"]
        self.version = data.get("version", "")
        self.min_tokens = int(data.get("min_tokens", MIN_TOKENS))
        self.translated = LinearHead(
            dict(zip(names, data["translated"]["weights"], strict=True)), data["translated"]["bias"]
        )
        self.machine = LinearHead(
            dict(zip(names, data["machine"]["weights"], strict=True)), data["machine"]["bias"]
        )
        self.meta = data.get("meta", {})
        self._heads = FastHeads([self.translated, self.machine])
        self._shapes_seen: dict[str, str] = {}

    @classmethod
    def load(cls) -> TranslationeseModel:
        """The model file shipped in ``transforms/models``."""
        text = resources.files("transforms").joinpath("models", MODEL_RESOURCE).read_text(encoding="utf-8")
        return cls(json.loads(text))

    def predict(self, text: str) -> StyleVerdict | None:
        """Probabilities of translated and (if translated) machine-translated; None when too short."""
        counts = style_counts(text, self._shapes_seen)
        if counts.words < self.min_tokens:
            return None
        translated, machine = self._heads.probabilities(counts)
        return StyleVerdict(translated=translated, machine=machine, words=counts.words)


def model_document(
    names: Sequence[str],
    mean: Sequence[float],
    scale: Sequence[float],
    translated: tuple[Sequence[float], float],
    machine: tuple[Sequence[float], float],
    meta: Mapping[str, Any],
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
        "version": 2,
        "min_tokens": MIN_TOKENS,
        "features": list(names),
        "translated": head(*translated),
        "machine": head(*machine),
        "meta": dict(meta),
    }
