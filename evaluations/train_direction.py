"""Train the non-English translationese heads (``transforms/translationese_multi.py``).

    python -m evaluations.train_direction            # writes transforms/models/translationese_multi.json
    python -m evaluations.train_direction --check    # only the cross-validated figures

The WMT sets hold both classes for two languages other than English:

- Icelandic: originals are the ``<src>`` of is->en, translations the human
  ``<ref>`` of en->is;
- Japanese: originals are the ``<src>`` of ja->en (2021 and 2022), translations
  the human ``<ref>`` of en->ja.

Documents fall in folds by document id (``evaluations.wmt_articles._fold``, the
folds the derived-from evaluation uses to cross-fit). The figures printed are
held-out balanced accuracies per language over whole documents, each document
scored by a model trained on the other folds; the penalty is chosen by an inner
cross-validation inside the training folds, so no figure has seen its own
documents. Training is plain numpy (Newton steps) and deterministic.
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evaluations.train_provenance import DATA, Doc, load_wmt
from evaluations.wmt_articles import _fold
from transforms.translationese_multi import (
    DENSE_FEATURES,
    GramIndex,
    grams,
    head_document,
    ngram_code,
    normalize,
    raw_vector,
)

PROJECT = Path(__file__).resolve().parents[1]
MODEL_PATH = PROJECT / "transforms" / "models" / "translationese_multi.json"
LANGUAGES: tuple[str, ...] = ("is", "ja")
#: Documents shorter than this are left out (Japanese needs about a third of the
#: characters of Icelandic for the same content).
MIN_DOC_CHARS = 200
#: Outer folds (by document id) for the held-out figures and the cross-fitted models.
FOLDS = 5
#: Training documents are cut into passages of this many sentences.
PASSAGE_SENTENCES = 6
MIN_PASSAGE_CHARS = 150
#: N-grams kept: the most widespread in *both* classes (a topic word is frequent in one
#: set of stories, a piece of grammar in every text of the language).
VOCABULARY = 1500
L2_GRID: tuple[float, ...] = (30.0, 100.0)
_SENTENCE_BREAK = re.compile(r"(?<=[.!?。！？])\s*")


def load_language(language: str, folder: Path = DATA) -> list[tuple[Doc, int]]:
    """(document, label) of one language: 0 original, 1 human translation out of English."""
    out: list[tuple[Doc, int]] = []
    for path in sorted(folder.glob("*.xml")):
        pair = path.name.split(".")[1]
        if pair not in (f"{language}-en", f"en-{language}"):
            continue
        with tempfile.TemporaryDirectory() as one:
            # One file at a time: only the sets of this language are parsed.
            (Path(one) / path.name).symlink_to(path)
            docs = load_wmt(Path(one), min_chars=MIN_DOC_CHARS)
        for doc in docs:
            if doc.lang != language:
                continue
            if doc.kind == "source":
                out.append((doc, 0))
            elif doc.kind == "target" and doc.system == "A":
                out.append((doc, 1))
    return out


def passages(text: str) -> list[str]:
    """A text cut into passages of PASSAGE_SENTENCES sentences (short remainders dropped)."""
    parts = [p for p in _SENTENCE_BREAK.split(text) if p.strip()]
    joiner = "" if any("\u3040" <= ch <= "\u30ff" for ch in text[:200]) else " "
    out = [joiner.join(parts[i : i + PASSAGE_SENTENCES]) for i in range(0, len(parts), PASSAGE_SENTENCES)]
    kept = [p for p in out if len(p) >= MIN_PASSAGE_CHARS]
    return kept or [text]


def vocabulary(texts: Sequence[str], labels: Sequence[int], size: int | None = None) -> list[str]:
    """The n-grams present in the largest share of passages of the rarer-using class."""
    df = [dict[str, int](), dict[str, int]()]
    counts = [0, 0]
    for text, label in zip(texts, labels, strict=True):
        counts[label] += 1
        for gram in grams(normalize(text)):
            if gram.strip():
                df[label][gram] = df[label].get(gram, 0) + 1
    shared = set(df[0]) & set(df[1])
    ranked = sorted(shared, key=lambda g: (-min(df[0][g] / counts[0], df[1][g] / counts[1]), g))
    return ranked[: size or VOCABULARY]


def fit_logistic(x: np.ndarray, y: np.ndarray, weights: np.ndarray, l2: float) -> tuple[np.ndarray, float]:
    """Weighted L2-penalized logistic regression by Newton's method (x standardized)."""
    n, d = x.shape
    xb = np.hstack([x, np.ones((n, 1))])
    beta = np.zeros(d + 1)
    penalty = np.full(d + 1, l2)
    penalty[-1] = 0.0
    for _ in range(30):
        p = 1.0 / (1.0 + np.exp(-np.clip(xb @ beta, -30, 30)))
        gradient = xb.T @ (weights * (p - y)) + penalty * beta
        hessian = (xb * (weights * p * (1 - p))[:, None]).T @ xb + np.diag(penalty) + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.max(np.abs(step)) < 1e-7:
            break
    return beta[:-1], float(beta[-1])


def balanced_accuracy(scores: np.ndarray, labels: np.ndarray) -> float:
    """Mean of the recalls of both classes at p = 0.5 (logit 0)."""
    tpr = float(np.mean(scores[labels == 1] > 0)) if np.any(labels == 1) else 0.0
    tnr = float(np.mean(scores[labels == 0] <= 0)) if np.any(labels == 0) else 0.0
    return (tpr + tnr) / 2


@dataclass(frozen=True)
class Head:
    """A trained head as ``head_document`` stores it, and how to score raw texts with it."""

    document: dict

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        from transforms.translationese_multi import LanguageHead

        head = LanguageHead("", self.document)
        out = []
        for text in texts:
            vector, chars = raw_vector(text, head.index)
            out.append((float(vector @ head.weights) + head.bias) * min(1.0, chars / head.full_chars))
        return np.array(out)


def _design(texts: Sequence[str], names: Sequence[str]) -> np.ndarray:
    index = GramIndex(np.array([ngram_code(name) for name in names], dtype=np.int64))
    return np.array([raw_vector(text, index)[0] for text in texts])


def _fit(docs: Sequence[tuple[Doc, int]], l2: float | None, accuracy: float = 0.0) -> Head:
    """A head trained on the passages of ``docs``; the penalty by inner CV when ``l2`` is None."""
    texts: list[str] = []
    labels: list[int] = []
    groups: list[str] = []
    for doc, label in docs:
        for passage in passages(doc.text):
            texts.append(passage)
            labels.append(label)
            groups.append(doc.doc_id)
    y = np.array(labels, dtype=float)
    names = vocabulary(texts, labels)
    x = _design(texts, names)
    if l2 is None:
        l2 = _inner_l2(x, y, groups)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    weights = np.where(y == 1, 0.5 / max(y.sum(), 1), 0.5 / max((1 - y).sum(), 1)) * len(y)
    coef, bias = fit_logistic((x - mean) / scale, y, weights, l2)
    full_chars = float(np.median([len(normalize(t)) for t in texts]))
    return Head(head_document(names, mean, scale, coef, bias, full_chars, accuracy) | {"l2": l2})


def _inner_l2(x: np.ndarray, y: np.ndarray, groups: Sequence[str]) -> float:
    """The penalty with the best balanced accuracy over folds of the training documents
    (the vocabulary stays that of all training passages: it is chosen without labels'
    outcome, only by frequency in both classes)."""
    inner = np.array([_fold("inner/" + g, 4) for g in groups])
    best = (-1.0, L2_GRID[0])
    for l2 in L2_GRID:
        scores = np.zeros(len(y))
        for k in range(4):
            train, test = inner != k, inner == k
            mean, scale = x[train].mean(axis=0), x[train].std(axis=0) + 1e-6
            yt = y[train]
            weights = np.where(yt == 1, 0.5 / max(yt.sum(), 1), 0.5 / max((1 - yt).sum(), 1)) * len(yt)
            coef, bias = fit_logistic((x[train] - mean) / scale, yt, weights, l2)
            scores[test] = ((x[test] - mean) / scale) @ coef + bias
        accuracy = balanced_accuracy(scores, y)
        if accuracy > best[0] + 0.005:
            best = (accuracy, l2)
    return best[1]


def cross_fit(
    docs: Sequence[tuple[Doc, int]], folds: int = FOLDS
) -> tuple[dict[int, Head], dict[str, float]]:
    """One head per outer fold (trained without that fold's documents), and the held-out
    logit of every document (key: document id / label)."""
    heads: dict[int, Head] = {}
    held: dict[str, float] = {}
    for k in range(folds):
        train = [(d, y) for d, y in docs if _fold(d.doc_id, folds) != k]
        test = [(d, y) for d, y in docs if _fold(d.doc_id, folds) == k]
        heads[k] = _fit(train, None)
        for (doc, label), logit in zip(test, heads[k].logits([d.text for d, _ in test]), strict=True):
            held[f"{doc.doc_id}/{label}"] = float(logit)
    return heads, held


def fold_models(folds: int = FOLDS) -> tuple[dict[int, dict], dict[str, float]]:
    """Per outer fold, the model document of every language trained without that fold
    (what the derived-from evaluation scores each held-out document with), and the
    held-out balanced accuracy per language."""
    per_fold: dict[int, dict] = {k: {"languages": {}} for k in range(folds)}
    accuracy: dict[str, float] = {}
    for language in LANGUAGES:
        docs = load_language(language)
        heads, held = cross_fit(docs, folds)
        labels = np.array([y for _, y in docs])
        scores = np.array([held[f"{d.doc_id}/{y}"] for d, y in docs])
        accuracy[language] = balanced_accuracy(scores, labels)
        for k, head in heads.items():
            per_fold[k]["languages"][language] = head.document
    return per_fold, accuracy


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="print the held-out figures, write nothing")
    parser.add_argument("--output", type=Path, default=MODEL_PATH)
    parser.add_argument(
        "--folds-output", type=Path, help="also write the per-fold models (for evaluations.derived_links)"
    )
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"{DATA} is absent: nothing to train on.")
        return 0
    document: dict = {"languages": {}, "meta": {"dense": list(DENSE_FEATURES)}}
    per_fold: dict[int, dict] = {k: {"languages": {}} for k in range(FOLDS)}
    print(f"held-out balanced accuracy per language ({FOLDS} folds by document id, whole documents):")
    for language in LANGUAGES:
        docs = load_language(language)
        heads, held = cross_fit(docs)
        labels = np.array([y for _, y in docs])
        scores = np.array([held[f"{d.doc_id}/{y}"] for d, y in docs])
        accuracy = balanced_accuracy(scores, labels)
        for k, head in heads.items():
            per_fold[k]["languages"][language] = head.document
        tpr = float(np.mean(scores[labels == 1] > 0))
        tnr = float(np.mean(scores[labels == 0] <= 0))
        print(
            f"   {language}: {int((labels == 0).sum())} originals, {int(labels.sum())} translations: "
            f"balanced accuracy {accuracy:.3f} (originals {tnr:.3f}, translations {tpr:.3f})"
        )
        if not args.check:
            document["languages"][language] = _fit(docs, None, accuracy).document
    if not args.check:
        args.output.write_text(json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n")
        print(f"wrote {args.output}")
    if args.folds_output:
        args.folds_output.write_text(json.dumps({str(k): v for k, v in per_fold.items()}) + "\n")
        print(f"wrote {args.folds_output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
