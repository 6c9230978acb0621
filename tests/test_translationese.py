"""The translationese classifier: features, the shipped model, and a tiny deterministic training."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from evaluations.train_provenance import (
    FULL_WEIGHT_GRID,
    FULL_WEIGHT_WORDS,
    L2,
    SOURCE_SCALE_GRID,
    Doc,
    choose_features,
    fit_logistic,
    matrix,
    passages,
    shortened,
    source_calibration,
    source_heads,
    standardized,
    train,
)
from transforms.translationese import (
    DENSE_FEATURES,
    MIN_TOKENS,
    PRIOR_TRANSLATED,
    SHAPES,
    LinearHead,
    ShapeMemo,
    TranslationeseModel,
    raw_features,
    read_style,
    shape,
    tokenize,
)

DATA = Path(__file__).parent / "data" / "translation"
ORIGINAL = (DATA / "harbour_original.txt").read_text(encoding="utf-8")
TRANSLATED = (DATA / "harbour_translated_fr.txt").read_text(encoding="utf-8")
MACHINE = (DATA / "market_machine_es.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def model() -> TranslationeseModel:
    return TranslationeseModel.load()


def test_tokenize_splits_contractions_and_keeps_punctuation() -> None:
    assert tokenize("It's 2,5 km — isn't it?") == ["It", "'s", "2,5", "km", "—", "is", "n't", "it", "?"]


def test_abbreviations_do_not_end_sentences() -> None:
    # A newsroom that writes "Mr." and "U.S." does not write shorter sentences.
    spelt = "Mister Lee of the United States met envoys at nine in the morning and left. He was glad."
    abbreviated = "Mr. Lee of the U.S. met envoys at 9 a.m. and left. He was glad."
    sentences = DENSE_FEATURES.index("d:sentence_mean")
    assert read_style(abbreviated).dense[sentences] == pytest.approx(
        read_style("Mister Lee of the US met envoys at 9 am and left. He was glad.").dense[sentences]
    )
    assert [t for t in tokenize(abbreviated) if t.endswith(".")] == ["Mr.", "U.S.", "a.m.", ".", "."]
    assert shape("U.S.") == shape("Aug.") == "<abbr>" and shape(".") == "."
    assert raw_features(abbreviated)[0]["d:abbreviations"] > raw_features(spelt)[0]["d:abbreviations"] == 0
    # An initial before a name is one abbreviation; a capital letter at the very end is not.
    assert tokenize("J. Smith met group A.") == ["J.", "Smith", "met", "group", "A", "."]


def test_wire_copy_typewriter_quotes_and_dashes_are_one_mark() -> None:
    # AP copy writes ``quotes'' and -- dashes: the same classes as “quotes” and —.
    shapes = [shape(t) for t in tokenize("``Yes,'' he said -- twice.")]
    assert shapes == '" <C> , " he <w> - <w> .'.split()


def test_shapes_hide_the_topic() -> None:
    # Names, subjects and numbers never become features: only their shape does.
    assert [shape(t) for t in tokenize("Kramatorsk harbour 1987 quickly")] == ["<C>", "<w>", "<n>", "<wly>"]
    assert shape("’s") == "'s" and shape("“") == shape('"') == shape("«")


def test_features_are_rates_and_dense_measures() -> None:
    features, words = raw_features(ORIGINAL)
    assert words > MIN_TOKENS
    assert set(DENSE_FEATURES) <= set(features)
    assert all(0.0 <= v <= 1.0 for k, v in features.items() if not k.startswith("d:"))
    assert not any("harbour" in name or "Elsden" in name for name in features)


def test_fast_path_equals_named_features(model: TranslationeseModel) -> None:
    for text in (ORIGINAL, TRANSLATED, MACHINE):
        verdict = model.predict(text)
        assert verdict is not None
        features, words = raw_features(text)
        named = model.calibrated(model.translated.score(features), words)
        assert words == verdict.words
        assert math.isclose(verdict.translated, named, rel_tol=1e-9, abs_tol=1e-12)
        assert math.isclose(verdict.machine, model.machine.probability(features), abs_tol=1e-12)
        assert set(verdict.sources) == set(model.sources)
        for language, head in model.sources.items():
            by_name = model.calibrated(
                head.score(features), words, model.source_scale, model.source_full_weight_words
            )
            assert math.isclose(verdict.sources[language], by_name, abs_tol=5e-5)  # rounded to 4 places


def test_short_text_abstains(model: TranslationeseModel) -> None:
    assert model.predict("Too short to judge.") is None
    assert read_style("").words == 0


def test_short_texts_are_drawn_toward_the_prior(model: TranslationeseModel) -> None:
    # The same style evidence counts for less the fewer words it rests on.
    scores = [model.calibrated(1.5, words) for words in (0, 60, 120, 400, 5000)]
    assert scores == sorted(scores) and scores[0] == PRIOR_TRANSLATED
    assert math.isclose(scores[-1], 1 / (1 + math.exp(-1.5 * model.score_scale)))
    assert model.calibrated(-2.0, 60) < model.calibrated(0.0, 60) < 0.5
    # Evidence for an original stronger than the prior is weakened toward it, too.
    below = 2 * model.prior_logit / model.score_scale
    assert model.calibrated(below, 20) > model.calibrated(below, 5000)
    prefix = " ".join(TRANSLATED.split()[:70])
    full, short = model.predict(TRANSLATED), model.predict(prefix)
    assert full is not None and short is not None
    assert abs(short.translated - PRIOR_TRANSLATED) < abs(full.translated - PRIOR_TRANSLATED)


def test_memo_gives_the_same_reading_and_stays_bounded() -> None:
    memo = ShapeMemo(limit=50)
    for text in (ORIGINAL, TRANSLATED, MACHINE, ORIGINAL):
        plain, memoized = read_style(text), read_style(text, memo)
        assert plain.shapes.tolist() == memoized.shapes.tolist() and plain.dense == memoized.dense
        assert len(memo.codes) <= max(50, len(set(tokenize(text))))
    assert [SHAPES[i] for i in read_style("Kramatorsk said 42").shapes] == ["<C>", "<w>", "<n>"]


def test_shipped_model_separates_the_written_examples(model: TranslationeseModel) -> None:
    original, translated, machine = (model.predict(t) for t in (ORIGINAL, TRANSLATED, MACHINE))
    assert original is not None and translated is not None and machine is not None
    assert original.translated < 0.5 < translated.translated
    assert machine.translated > 0.5


def test_shipped_model_is_small_and_documented() -> None:
    path = Path(__file__).resolve().parents[1] / "transforms" / "models" / "translationese.json"
    assert path.stat().st_size < 200 * 1024
    data = json.loads(path.read_text(encoding="utf-8"))
    assert len(data["features"]) == len(data["translated"]["weights"]) == len(data["machine"]["weights"])
    # A head per source language of the WMT X->en sets, over the same features.
    assert sorted(data["sources"]) == ["is", "ja", "ru", "uk"]
    assert all(len(head["weights"]) == len(data["features"]) for head in data["sources"].values())
    assert data["meta"]["command"] == "python -m evaluations.train_provenance"


def test_fit_logistic_separates_and_is_deterministic() -> None:
    x = np.array([[-2.0, 0.1], [-1.0, -0.2], [1.0, 0.3], [2.0, 0.0]])
    y = np.array([0.0, 0.0, 1.0, 1.0])
    w = np.ones(4)
    coef, bias = fit_logistic(x, y, w, l2=0.1)
    again = fit_logistic(x, y, w, l2=0.1)
    assert coef[0] > 0
    assert np.array_equal(coef, again[0]) and bias == again[1]


def test_tiny_training_round_trip() -> None:
    def doc(kind: str, text: str, lang: str = "xx") -> Doc:
        return Doc("d", lang if kind != "original" else "en", "en", kind, text, "test")

    docs = [
        doc("original", ORIGINAL),
        *[doc("original", p.text) for p in passages(doc("original", ORIGINAL), 2)],
        doc("human", TRANSLATED),
        *[doc("human", p.text) for p in passages(doc("human", TRANSLATED), 2)],
        doc("machine", MACHINE),
        *[doc("machine", p.text) for p in passages(doc("machine", MACHINE), 2)],
    ]
    trained = train(docs)
    document = trained.document({"command": "test"})
    restored = TranslationeseModel(json.loads(json.dumps(document)))
    verdict = restored.predict(TRANSLATED)
    assert verdict is not None and verdict.translated > 0.5
    assert restored.predict(ORIGINAL).translated < 0.5  # type: ignore[union-attr]
    assert train(docs).document({"command": "test"}) == document  # reproducible


def three_sources(copies: int = 1) -> list[Doc]:
    """English originals, translations from French and from Spanish, each with its passages."""
    samples = []
    stories = [("original", "en", ORIGINAL), ("human", "fr", TRANSLATED), ("machine", "es", MACHINE)]
    for n, (kind, lang, text) in enumerate(stories * copies):
        source = Doc(f"d{n}", lang, "en", kind, text, "test")
        samples.extend([source, *passages(source, 2)])
    return samples


def test_source_heads_learn_each_language_against_the_originals() -> None:
    # Originals against two source languages, each written in its own way: each head
    # tells its own language's text from the originals, and a language with too few
    # translated passages gets no head.
    samples = three_sources()
    rows = [raw_features(d.text)[0] for d in samples]
    z, _, _ = standardized(rows, choose_features(rows))
    labels = np.array([0 if d.kind == "original" else 1 for d in samples])
    heads = source_heads(z, labels, samples, l2=1.0, min_passages=1)
    assert sorted(heads) == ["es", "fr"]
    for language, (coef, bias) in heads.items():
        scores = z @ coef + bias
        own = np.array([d.origlang == language for d in samples])
        originals = labels == 0
        assert scores[own].min() > scores[originals].max()
    assert source_heads(z, labels, samples, l2=1.0, min_passages=len(samples)) == {}


def test_source_calibration_is_chosen_from_the_grids_by_document_folds() -> None:
    samples = three_sources(copies=3)
    rows = [raw_features(d.text) for d in samples]
    short = [raw_features(shortened(d).text) for d in samples]
    names = choose_features([f for f, _ in rows])
    z, mean, scale = standardized([f for f, _ in rows], names)
    args = (
        z,
        (matrix([f for f, _ in short], names) - mean) / scale,
        np.array([n for _, n in rows], dtype=float),
        np.array([n for _, n in short], dtype=float),
        np.array([0 if d.kind == "original" else 1 for d in samples]),
        samples,
        1.0,
    )
    fitted = source_calibration(*args, min_passages=1)
    assert fitted[0] in FULL_WEIGHT_GRID and fitted[1] in SOURCE_SCALE_GRID
    assert source_calibration(*args, min_passages=1) == fitted  # reproducible
    # No language with enough passages: the general head's defaults.
    assert source_calibration(*args) == (FULL_WEIGHT_WORDS, 1.0)


def test_shipped_model_has_the_source_heads_calibration(model: TranslationeseModel) -> None:
    assert model.source_full_weight_words in FULL_WEIGHT_GRID
    assert model.source_scale in SOURCE_SCALE_GRID


def test_inner_cross_validation_picks_from_its_grids() -> None:
    # Two source languages: the penalty and the length calibration are chosen by leaving
    # each out in turn; the result is reproducible and lands in the model file.
    samples = []
    sources = [
        ("original", "en", ORIGINAL),
        ("original", "en", ORIGINAL),
        ("human", "xx", TRANSLATED),
        ("machine", "yy", MACHINE),
        ("human", "yy", TRANSLATED),
    ]
    for n, (kind, lang, text) in enumerate(sources):
        source = Doc(f"d{n}", lang, "en", kind, text, "test")
        samples.extend([source, *passages(source, 2)])
    trained = train(samples, l2_grid=(1.0, 10.0))
    assert trained.l2 in (1.0, 10.0, L2) and trained.full_weight_words in FULL_WEIGHT_GRID
    assert set(trained.inner) == {"ba_l2_1", "ba_l2_10", "held_out_samples"}
    document = trained.document({"command": "test"})
    assert document["calibration"]["full_weight_words"] == trained.full_weight_words
    assert train(samples, l2_grid=(1.0, 10.0)).document({"command": "test"}) == document


def test_linear_head_folding() -> None:
    head = LinearHead.from_standardized(["a", "b"], [1.0, 2.0], [2.0, 4.0], [1.0, -1.0], 0.5)
    # z = ((3 - 1) / 2, (6 - 2) / 4) = (1, 1): score = 0.5 + 1 - 1
    assert math.isclose(head.probability({"a": 3.0, "b": 6.0}), 1 / (1 + math.exp(-0.5)))


def test_commands_exit_cleanly_without_shared(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import evaluations.provenance as provenance
    import evaluations.train_provenance as train_provenance

    monkeypatch.setattr(provenance, "DATA", tmp_path / "absent")
    monkeypatch.setattr(train_provenance, "DATA", tmp_path / "absent")
    assert provenance.main([]) == 0
    assert train_provenance.main([]) == 0
