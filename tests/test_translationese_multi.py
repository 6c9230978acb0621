"""Tests for the non-English translationese heads (transforms.translationese_multi) and their
training (evaluations.train_direction)."""

from __future__ import annotations

import numpy as np
import pytest

from evaluations.train_direction import _design, _fit, balanced_accuracy, passages, vocabulary
from evaluations.train_provenance import Doc
from transforms.parse import no_translation_evidence
from transforms.translation import TranslationAssessor
from transforms.translationese_multi import (
    GramIndex,
    LanguageHead,
    MultiStyleModel,
    grams,
    head_document,
    ngram_code,
    normalize,
    raw_vector,
)

JAPANESE = (
    "市の図書館は来月から開館時間を延長すると発表した。利用者の要望に応えるためだという。"
    "新しい時間は平日の午後九時までで、週末は変わらない。館長は「多くの人に本を読んでほしい」と話した。"
    "図書館では今年、子ども向けの読み聞かせ会も増やしている。参加者は昨年より増えたという。"
) * 2


def test_rates_match_counted_ngrams() -> None:
    text = "Þetta er próf, og þetta er annað próf."
    clean = normalize(text)
    chosen = ["er", "þe", "óf", ",", " o", "pró", "zz"]
    vector, chars = raw_vector(text, GramIndex(np.array([ngram_code(g) for g in chosen], dtype=np.int64)))
    counts = grams(clean)
    assert chars == len(clean)
    expected = [counts.get(g, 0) * 100.0 / len(clean) for g in chosen]
    assert vector[: len(chosen)].tolist() == pytest.approx(expected)


def test_folded_standardization_gives_the_same_logit() -> None:
    chosen = ["a", "ab", "b "]
    mean, scale = np.array([1.0, 2.0, 0.5, 3.0, 0.2, 4.0]), np.array([2.0, 1.0, 0.5, 1.0, 0.1, 2.0])
    coef, bias = np.array([0.3, -0.2, 0.1, 0.5, -0.4, 0.05]), 0.7
    head = LanguageHead("xx", head_document(chosen, mean, scale, coef, bias, 10.0, 0.8))
    text = "ab ab b abba. aab b b a.\n\nba ab."
    raw, _ = raw_vector(text, head.index)
    expected = float(((raw - mean) / scale) @ coef + bias)
    assert float(raw @ head.weights) + head.bias == pytest.approx(expected, rel=1e-4)


def test_training_separates_two_styles_on_held_out_documents() -> None:
    # Two made-up "styles" of one language: long sentences with semicolons, short ones with dashes.
    def doc(i: int, label: int) -> tuple[Doc, int]:
        if label:
            body = " ".join(f"Word{i} goes here; then more; and more words follow {k}." for k in range(30))
        else:
            body = " ".join(f"Short {i} - here. Again {k} - there." for k in range(30))
        return Doc(f"d{i}", "xx", "xx", "source" if not label else "target", body, "set"), label

    docs = [doc(i, i % 2) for i in range(24)]
    train, test = docs[:16], docs[16:]
    head = _fit(train, 30.0)
    logits = head.logits([d.text for d, _ in test])
    assert balanced_accuracy(logits, np.array([y for _, y in test])) == 1.0


def test_vocabulary_keeps_ngrams_of_both_classes_only() -> None:
    texts = ["aaa bbb", "aaa ccc", "aaa bbb", "aaa ddd"]
    chosen = vocabulary(texts, [0, 0, 1, 1], size=50)
    assert "a" in chosen and "c" not in chosen and "d" not in chosen
    assert _design(texts, chosen).shape == (4, len(chosen) + 3)


def test_passages_split_japanese_sentences() -> None:
    assert all("。" in p for p in passages(JAPANESE))


def test_shipped_model_scores_japanese_and_not_unknown_languages() -> None:
    model = MultiStyleModel.load()
    if "ja" not in model.languages:
        pytest.skip("no Japanese head shipped")
    score = model.score(JAPANESE, "ja")
    assert score is not None and 0.0 < score.translated < 1.0
    assert model.score(JAPANESE, "ru") is None
    assert model.score("短い。", "ja") is None


def test_assessor_gives_a_style_signal_for_a_japanese_article() -> None:
    assessor = TranslationAssessor()
    if "ja" not in assessor.multi.languages:
        pytest.skip("no Japanese head shipped")
    article = {
        "id": "j1",
        "text": JAPANESE,
        "language": {"code": "ja", "confidence": 1.0, "alternatives": [], "declared": None, "mix": []},
        "translation": no_translation_evidence(),
        "repairs": [],
    }
    out = assessor(article)["translation"]
    (style,) = [s for s in out["signals"] if s["name"] == "translationese_style"]
    assert style["evidence"].startswith("style classifier for ja over character n-grams")
    assert 0.0 < style["weight"] < 1.0
