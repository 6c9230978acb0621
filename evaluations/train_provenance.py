"""Train the translationese model on the WMT test sets in ../shared/data/translation.

    make train-provenance      # python -m evaluations.train_provenance

English originals are the English ``<src>`` of en->X sets, human translations the
``<ref>`` and machine translations the ``<hyp>`` of X->en sets. Only news-like
documents of at least MIN_CHARS characters are used (WMT 2022 also holds
product reviews and chat turns, which are no articles). Training is plain
numpy (Newton steps on an L2-penalized logistic loss) and fully deterministic:
the same data always writes the same model file.
"""

from __future__ import annotations

import dataclasses
import hashlib
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
    FUNCTION_WORDS,
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
#: Training documents are cut into passages of this many sentences: more, shorter
#: samples teach the rates of style features better than 155 whole originals do.
PASSAGE_SENTENCES = 8
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
    """Every news-like side of every document, deduplicated (en->X sets of one year share sources)."""
    docs: list[Doc] = []
    seen: set[tuple[str, str, str, str]] = set()
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
                key = (dataset, doc_id, kind, system)
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

    def document(self, meta: dict) -> dict:
        return model_document(
            self.names,
            self.mean,
            self.scale,
            (self.translated[0].tolist(), self.translated[1]),
            (self.machine[0].tolist(), self.machine[1]),
            meta,
        )


def train(docs: Sequence[Doc], features: dict[int, dict[str, float]] | None = None) -> Trained:
    """Both heads on the given English samples (features may be precomputed, keyed by id(doc))."""
    dicts = [
        features[id(d)] if features is not None and id(d) in features else raw_features(d.text)[0]
        for d in docs
    ]
    names = choose_features(dicts, NGRAMS)
    x = matrix(dicts, names)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    z = (x - mean) / scale
    labels = np.array([0 if d.kind == "original" else 1 for d in docs])
    groups = [f"{d.origlang}/{d.kind}" if d.kind != "original" else "en" for d in docs]
    translated = fit_logistic(z, labels.astype(float), balanced_weights(labels.tolist(), groups), l2=L2)
    translated_rows = np.flatnonzero(labels == 1)
    machine_labels = np.array([1 if docs[i].kind == "machine" else 0 for i in translated_rows])
    machine_groups = [docs[i].origlang for i in translated_rows]
    machine = fit_logistic(
        z[translated_rows],
        machine_labels.astype(float),
        balanced_weights(machine_labels.tolist(), machine_groups),
    )
    return Trained(names, mean, scale, translated, machine)


def main(argv: Sequence[str] | None = None) -> int:
    import json

    if not DATA.is_dir():
        print(f"{DATA} is absent: nothing to train on (the shipped model stays as it is).")
        return 0
    docs = training_docs(load_wmt())
    counts = Counter((d.kind, d.origlang) for d in docs)
    samples = [passage for doc in docs for passage in passages(doc)]
    trained = train(samples)
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
