"""Train the translationese model on the WMT test sets in ../shared/data/translation.

    make train-provenance      # python -m evaluations.train_provenance

English originals are the English ``<src>`` of en->X sets, human translations the
``<ref>`` and machine translations the ``<hyp>`` of X->en sets. Only news-like
documents of at least MIN_CHARS characters are used (WMT 2022 also holds
product reviews and chat turns, which are no articles). Training is plain
numpy (Newton steps on an L2-penalized logistic loss) and fully deterministic:
the same data always writes the same model file. An inner cross-validation that
leaves one source language out at a time chooses the penalty and the length
calibration, so both are tuned for a source language the model has not seen.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import re
import sys
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from transforms.translationese import (
    DENSE_FEATURES,
    FULL_WEIGHT_WORDS,
    FUNCTION_WORDS,
    PRIOR_TRANSLATED,
    PUNCT_CLASSES,
    model_document,
    raw_features,
)

PROJECT = Path(__file__).resolve().parents[1]
DATA = PROJECT.parent / "shared" / "data" / "translation"
MODEL_PATH = PROJECT / "transforms" / "models" / "translationese.json"
MIN_CHARS = 500
#: Machine translations kept per source document (WMT has about ten systems per document).
SYSTEMS_PER_DOC = 2
NGRAMS = 2000
L2 = 100.0
#: Penalties tried by the inner cross-validation (one source language left out at a time).
L2_GRID: tuple[float, ...] = (30.0, 100.0, 300.0)
#: Another penalty replaces L2 only when its inner balanced accuracy is higher by more than
#: this: smaller differences are noise at a few hundred held-out passages per language.
L2_MARGIN = 0.005
#: Words from which a text's score counts in full (see ``TranslationeseModel.calibrated``),
#: tried on shortened held-out passages by the inner cross-validation; at most about the
#: length of a training passage (PASSAGE_SENTENCES sentences, some 200 words).
FULL_WEIGHT_GRID: tuple[float, ...] = (50.0, 100.0, 150.0, 200.0)
#: Scales of the score tried with it: a score overconfident at every length is scaled down
#: as a whole, so only what depends on length is put down to length.
SCORE_SCALE_GRID: tuple[float, ...] = (0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1.0)
#: Scales tried for the source heads (``source_calibration``): on the languages they were
#: trained on a head may be underconfident as well as over, so the grid goes past 1.
SOURCE_SCALE_GRID: tuple[float, ...] = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
#: Shortened passages for calibration keep this many sentences (chosen per passage by hash).
SHORT_SENTENCES: tuple[int, ...] = (1, 2, 3, 4, 6)
#: Training documents are cut into passages of this many sentences: more, shorter
#: samples teach the rates of style features better than 155 whole originals do.
PASSAGE_SENTENCES = 8
#: A source language gets a head of its own from this many translated passages (some
#: 20,000 words; Ukrainian, the fewest, has 282, and 188-254 in a fold of five).
MIN_SOURCE_PASSAGES = 100
#: Document folds of the source heads' length calibration (``source_calibration``).
SOURCE_CALIBRATION_FOLDS = 5
MIN_PASSAGE_CHARS = 300


@dataclass(frozen=True)
class Doc:
    """One side of one WMT document."""

    doc_id: str
    origlang: str
    lang: str
    kind: str  # original | human | machine | source (a non-English side)
    text: str
    dataset: str
    system: str = ""


def _side_text(side: ET.Element) -> str:
    paragraphs = []
    for p in side.iter("p"):
        segs = " ".join((seg.text or "").strip() for seg in p.iter("seg"))
        if segs.strip():
            paragraphs.append(segs)
    return "\n\n".join(paragraphs)


def load_wmt(folder: Path = DATA, min_chars: int = MIN_CHARS) -> list[Doc]:
    """Every news-like side of every document, deduplicated (en->X sets of one year share sources).

    A side is one (set, document, language, kind, translator): the English source of
    en->is and en->ja is one side, their Icelandic and Japanese references are two.
    """
    docs: list[Doc] = []
    seen: set[tuple[str, str, str, str, str]] = set()
    for path in sorted(folder.glob("*.xml")):
        dataset = path.name.split(".")[0]
        for doc in ET.parse(path).getroot().iter("doc"):
            if doc.get("domain") not in (None, "news"):
                continue
            origlang, doc_id = doc.get("origlang", ""), doc.get("id", "")
            for side in doc:
                text = _side_text(side)
                lang = side.get("lang", "")
                if len(text) < min_chars:
                    continue
                if side.tag == "src":
                    kind = "original" if lang == "en" else "source"
                elif lang != "en":
                    kind = "target"  # a translation out of English
                else:
                    kind = "human" if side.tag == "ref" else "machine"
                system = side.get("system") or side.get("translator") or ""
                key = (dataset, doc_id, lang, kind, system)
                if key in seen:
                    continue
                seen.add(key)
                docs.append(Doc(doc_id, origlang, lang, kind, text, dataset, system))
    return docs


def _rank(key: str) -> str:
    return hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


def training_docs(docs: Iterable[Doc], systems_per_doc: int = SYSTEMS_PER_DOC) -> list[Doc]:
    """English originals, human translations and a deterministic sample of machine translations."""
    docs = [d for d in docs if d.lang == "en" and d.kind in ("original", "human", "machine")]
    by_doc: dict[tuple[str, str], list[Doc]] = defaultdict(list)
    for d in docs:
        if d.kind == "machine":
            by_doc[(d.dataset, d.doc_id)].append(d)
    keep: list[Doc] = [d for d in docs if d.kind != "machine"]
    for key in sorted(by_doc):
        systems = sorted(by_doc[key], key=lambda d: _rank(f"{d.doc_id}/{d.system}"))
        keep.extend(systems[:systems_per_doc])
    return keep


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")


def passages(doc: Doc, sentences: int = PASSAGE_SENTENCES) -> list[Doc]:
    """A document cut into passages of ``sentences`` sentences (short remainders dropped)."""
    parts = _SENTENCE_BREAK.split(doc.text)
    out = []
    for start in range(0, len(parts), sentences):
        text = " ".join(parts[start : start + sentences])
        if len(text) >= MIN_PASSAGE_CHARS:
            out.append(dataclasses.replace(doc, text=text))
    return out or [doc]


def choose_features(feature_dicts: Sequence[dict[str, float]], ngrams: int = NGRAMS) -> list[str]:
    """Function words, punctuation, dense features and the most widespread shape n-grams."""
    names = [f"fw:{w}" for w in FUNCTION_WORDS] + [f"p:{p}" for p in PUNCT_CLASSES] + list(DENSE_FEATURES)
    fixed = set(names)
    frequency: Counter[str] = Counter()
    for features in feature_dicts:
        frequency.update(name for name in features if name[:3] in ("bg:", "tg:") and name not in fixed)
    ranked = sorted(frequency.items(), key=lambda kv: (-kv[1], kv[0]))
    names.extend(name for name, _ in ranked[:ngrams])
    return list(dict.fromkeys(names))


def matrix(feature_dicts: Sequence[dict[str, float]], names: Sequence[str]) -> np.ndarray:
    index = {name: i for i, name in enumerate(names)}
    x = np.zeros((len(feature_dicts), len(names)))
    for row, features in enumerate(feature_dicts):
        for name, value in features.items():
            col = index.get(name)
            if col is not None:
                x[row, col] = value
    return x


def standardized(
    feature_dicts: Sequence[dict[str, float]], names: Sequence[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The feature matrix standardized column by column, with its means and scales (a
    constant column keeps scale 1)."""
    x = matrix(feature_dicts, names)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    return (x - mean) / scale, mean, scale


def fit_logistic(
    x: np.ndarray, y: np.ndarray, weights: np.ndarray, l2: float = L2, steps: int = 25
) -> tuple[np.ndarray, float]:
    """Weighted L2-penalized logistic regression by Newton's method (x already standardized)."""
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    beta = np.zeros(d + 1)
    penalty = np.full(d + 1, l2)
    penalty[-1] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(xb @ beta, -30, 30)))
        gradient = xb.T @ (weights * (p - y)) + penalty * beta
        hessian = (xb * (weights * p * (1 - p))[:, None]).T @ xb + np.diag(penalty) + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.max(np.abs(step)) < 1e-7:
            break
    return beta[:-1], float(beta[-1])


def balanced_weights(labels: Sequence[int], groups: Sequence[str]) -> np.ndarray:
    """Each class weighs the same, and within a class each group (source language) too."""
    weights = np.zeros(len(labels))
    per_class: dict[int, Counter[str]] = defaultdict(Counter)
    for label, group in zip(labels, groups, strict=True):
        per_class[label][group] += 1
    for i, (label, group) in enumerate(zip(labels, groups, strict=True)):
        n_groups = len(per_class[label])
        weights[i] = len(labels) / (2 * n_groups * per_class[label][group])
    return weights


@dataclass
class Trained:
    names: list[str]
    mean: np.ndarray
    scale: np.ndarray
    translated: tuple[np.ndarray, float]
    machine: tuple[np.ndarray, float]
    l2: float = L2
    full_weight_words: float = FULL_WEIGHT_WORDS
    score_scale: float = 1.0
    inner: dict[str, float] = dataclasses.field(default_factory=dict)
    sources: dict[str, tuple[np.ndarray, float]] = dataclasses.field(default_factory=dict)
    #: (full_weight_words, scale) of the source heads; None: those of the general head.
    source_calibration: tuple[float, float] | None = None

    def document(self, meta: dict) -> dict:
        return model_document(
            self.names,
            self.mean,
            self.scale,
            (self.translated[0].tolist(), self.translated[1]),
            (self.machine[0].tolist(), self.machine[1]),
            {**meta, "l2": self.l2, "inner_cv": self.inner},
            {
                "full_weight_words": self.full_weight_words,
                "scale": self.score_scale,
                "prior": PRIOR_TRANSLATED,
                **(
                    {
                        "sources_full_weight_words": self.source_calibration[0],
                        "sources_scale": self.source_calibration[1],
                    }
                    if self.source_calibration
                    else {}
                ),
            },
            {language: (coef.tolist(), bias) for language, (coef, bias) in self.sources.items()},
        )


def shortened(doc: Doc) -> Doc:
    """The first few sentences of a passage (how many: by hash, so always the same)."""
    parts = _SENTENCE_BREAK.split(doc.text)
    keep = SHORT_SENTENCES[int(_rank(doc.text[:200]), 16) % len(SHORT_SENTENCES)]
    return dataclasses.replace(doc, text=" ".join(parts[:keep]))


def _inner_folds(docs: Sequence[Doc]) -> list[np.ndarray]:
    """Boolean masks of held-out samples: one source language at a time, with a share of
    the originals (by document), as the outer evaluation does."""
    languages = sorted({d.origlang for d in docs if d.kind != "original"})
    if len(languages) < 2:
        return []
    masks = []
    for i, language in enumerate(languages):
        masks.append(
            np.array(
                [
                    (d.origlang == language)
                    if d.kind != "original"
                    else int(_rank(d.doc_id), 16) % len(languages) == i
                    for d in docs
                ]
            )
        )
    return masks


def _balanced_accuracy(scores: np.ndarray, labels: np.ndarray) -> float:
    """Mean of the recalls of both classes (NaN when the held-out part lacks one)."""
    if labels.min(initial=1) == labels.max(initial=0):
        return float("nan")
    return float(((scores[labels == 0] < 0).mean() + (scores[labels == 1] >= 0).mean()) / 2)


def _shrink_loss(
    scores: np.ndarray, words: np.ndarray, labels: np.ndarray, k: float, scale: float = 1.0
) -> float:
    """Balanced log loss of sigmoid(scale * min(1, words / k) * score), an even prior."""
    z = scale * np.minimum(1.0, words / k) * scores
    loss = np.logaddexp(0.0, np.where(labels == 1, -z, z))
    return float(loss[labels == 0].mean() + loss[labels == 1].mean())


def train(
    docs: Sequence[Doc],
    features: dict[int, tuple[dict[str, float], int]] | None = None,
    l2_grid: Sequence[float] = L2_GRID,
    calibrate_sources: bool = False,
) -> Trained:
    """Both heads on the given English samples (``raw_features`` may be precomputed, by id(doc)),
    and a head per source language (``source_heads``).

    An inner cross-validation that leaves one source language out at a time picks the
    penalty (by balanced accuracy on the left-out language) and the length calibration
    (by log loss on shortened left-out passages): the model is tuned for what it will
    face, a source language it has not seen. With ``calibrate_sources`` the source heads
    get a length calibration of their own (``source_calibration``), for the languages they
    were trained on.
    """
    features = {} if features is None else features
    for d in docs:
        if id(d) not in features:
            features[id(d)] = raw_features(d.text)
    dicts = [features[id(d)][0] for d in docs]
    names = choose_features(dicts, NGRAMS)
    z, mean, scale = standardized(dicts, names)
    labels = np.array([0 if d.kind == "original" else 1 for d in docs])
    groups = [f"{d.origlang}/{d.kind}" if d.kind != "original" else "en" for d in docs]
    weights = balanced_weights(labels.tolist(), groups)
    l2, shrink, score_scale, inner = (l2_grid[0] if len(l2_grid) == 1 else L2), FULL_WEIGHT_WORDS, 1.0, {}
    folds = _inner_folds(docs) if len(l2_grid) > 1 else []
    long_words = np.array([features[id(d)][1] for d in docs], dtype=float)
    if folds or calibrate_sources:
        # Shortened passages are made anew by each call: never cached (by id) with the others.
        short = [raw_features(shortened(d).text) for d in docs]
        short_x = (matrix([f for f, _ in short], names) - mean) / scale
        short_words = np.array([n for _, n in short], dtype=float)
    if folds:
        accuracy: dict[float, list[float]] = defaultdict(list)
        held_scores: dict[float, list[np.ndarray]] = defaultdict(list)
        for held in folds:
            rest = ~held
            for penalty in l2_grid:
                coef, bias = fit_logistic(
                    z[rest],
                    labels[rest].astype(float),
                    balanced_weights(labels[rest].tolist(), _at(groups, rest)),
                    penalty,
                )
                accuracy[penalty].append(_balanced_accuracy(z[held] @ coef + bias, labels[held]))
                held_scores[penalty].append(
                    np.concatenate([short_x[held] @ coef + bias, z[held] @ coef + bias])
                )
        mean_accuracy = {p: float(np.nanmean(accuracy[p])) for p in l2_grid}
        best = max(l2_grid, key=lambda p: (mean_accuracy[p], -p))
        if L2 not in mean_accuracy or mean_accuracy[best] > mean_accuracy[L2] + L2_MARGIN:
            l2 = best
        order = np.concatenate([np.flatnonzero(held) for held in folds])
        scores = np.concatenate(held_scores[l2])
        words = np.concatenate([np.concatenate([short_words[held], long_words[held]]) for held in folds])
        truth = np.concatenate([np.concatenate([labels[held], labels[held]]) for held in folds])
        shrink, score_scale = min(
            itertools.product(FULL_WEIGHT_GRID, SCORE_SCALE_GRID),
            key=lambda pair: (_shrink_loss(scores, words, truth, *pair), pair),
        )
        inner = {f"ba_l2_{p:g}": round(mean_accuracy[p], 4) for p in l2_grid}
        inner["held_out_samples"] = len(order)
    translated = fit_logistic(z, labels.astype(float), weights, l2=l2)
    translated_rows = np.flatnonzero(labels == 1)
    machine_labels = np.array([1 if docs[i].kind == "machine" else 0 for i in translated_rows])
    machine_groups = [docs[i].origlang for i in translated_rows]
    machine = fit_logistic(
        z[translated_rows],
        machine_labels.astype(float),
        balanced_weights(machine_labels.tolist(), machine_groups),
    )
    sources = source_heads(z, labels, docs, l2)
    source_fit = None
    if calibrate_sources and sources:
        source_fit = source_calibration(z, short_x, long_words, short_words, labels, docs, l2)
    return Trained(
        names, mean, scale, translated, machine, l2, shrink, score_scale, inner, sources, source_fit
    )


def source_calibration(
    z: np.ndarray,
    short_z: np.ndarray,
    words: np.ndarray,
    short_words: np.ndarray,
    labels: np.ndarray,
    docs: Sequence[Doc],
    l2: float = L2,
    min_passages: int = MIN_SOURCE_PASSAGES,
) -> tuple[float, float]:
    """(full_weight_words, scale) for the source heads, by document folds: the heads refitted
    without one fold's documents score that fold's passages, whole and shortened, and the
    pair of the grids with the least balanced log loss wins. The general head's calibration
    is fitted for source languages it never saw; the source heads only judge the languages
    they were trained on, where fewer words are needed to be as sure.
    """
    fold = np.array([int(_rank(d.doc_id), 16) % SOURCE_CALIBRATION_FOLDS for d in docs])
    scores: list[np.ndarray] = []
    lengths: list[np.ndarray] = []
    truth: list[np.ndarray] = []
    for k in range(SOURCE_CALIBRATION_FOLDS):
        held = fold == k
        rest = np.flatnonzero(~held)
        heads = source_heads(z[rest], labels[rest], [docs[i] for i in rest.tolist()], l2, min_passages)
        for language, (coef, bias) in heads.items():
            rows = held & np.array([d.kind == "original" or d.origlang == language for d in docs])
            scores += [z[rows] @ coef + bias, short_z[rows] @ coef + bias]
            lengths += [words[rows], short_words[rows]]
            truth += [labels[rows], labels[rows]]
    if not scores:
        return FULL_WEIGHT_WORDS, 1.0
    s, w, t = np.concatenate(scores), np.concatenate(lengths), np.concatenate(truth)
    return min(
        itertools.product(FULL_WEIGHT_GRID, SOURCE_SCALE_GRID),
        key=lambda pair: (_shrink_loss(s, w, t, *pair), pair),
    )


def source_heads(
    z: np.ndarray,
    labels: np.ndarray,
    docs: Sequence[Doc],
    l2: float = L2,
    min_passages: int = MIN_SOURCE_PASSAGES,
) -> dict[str, tuple[np.ndarray, float]]:
    """One head per source language with enough translations: the originals against the
    translations from that language alone (human and machine weigh the same)."""
    heads = {}
    for language in sorted({d.origlang for d in docs if d.kind != "original"}):
        rows = np.flatnonzero([d.kind == "original" or d.origlang == language for d in docs])
        if np.count_nonzero(labels[rows]) < min_passages:
            continue
        kinds = [docs[i].kind for i in rows.tolist()]
        heads[language] = fit_logistic(
            z[rows], labels[rows].astype(float), balanced_weights(labels[rows].tolist(), kinds), l2
        )
    return heads


def _at(items: Sequence[str], mask: np.ndarray) -> list[str]:
    return [item for item, keep in zip(items, mask.tolist(), strict=True) if keep]


def main(argv: Sequence[str] | None = None) -> int:
    import json

    if not DATA.is_dir():
        print(f"{DATA} is absent: nothing to train on (the shipped model stays as it is).")
        return 0
    docs = training_docs(load_wmt())
    counts = Counter((d.kind, d.origlang) for d in docs)
    samples = [passage for doc in docs for passage in passages(doc)]
    trained = train(samples, calibrate_sources=True)
    meta = {
        "trained_on": "WMT 2021/2022 news test sets (English originals, human and machine translations)",
        "documents": {f"{kind}/{lang}": n for (kind, lang), n in sorted(counts.items())},
        "passages": len(samples),
        "command": "python -m evaluations.train_provenance",
    }
    MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
    MODEL_PATH.write_text(json.dumps(trained.document(meta), separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"trained on {len(docs)} documents ({len(samples)} passages): {dict(sorted(counts.items()))}")
    print(
        f"wrote {MODEL_PATH.relative_to(PROJECT)} ({MODEL_PATH.stat().st_size / 1024:.0f} KB, "
        f"{len(trained.names)} features)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
