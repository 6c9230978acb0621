"""Unit tests for transforms.translation: declared/detected mismatch signals and their weighing."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from transforms.parse import DECLARED_SCOPE, no_translation_evidence
from transforms.translation import (
    DECLARED_MISMATCH_WEIGHTS,
    MIN_DETECTION_CONFIDENCE,
    TranslationAssessor,
    TranslationSettings,
    assess_translation,
    combine,
    translation_signals,
)
from transforms.translation_signals import Signal
from transforms.translationese import StyleVerdict


def _language(code: str | None, confidence: float, declared: str | None) -> dict[str, Any]:
    return {"code": code, "confidence": confidence, "alternatives": [], "declared": declared}


def _article(code: str | None, confidence: float, declared: str | None, scope: str | None) -> dict[str, Any]:
    return {
        "id": "a1",
        "text": "Body.",
        "language": _language(code, confidence, declared),
        "translation": no_translation_evidence(),
        DECLARED_SCOPE: scope,
    }


# --- translation_signals -----------------------------------------------------


def test_signal_for_entry_scope_mismatch() -> None:
    signals = translation_signals(_language("en", 0.99, "fr"), "entry")
    assert signals == [
        {
            "name": "declared_language_mismatch",
            "weight": 0.6,
            "evidence": "entry declares language fr, text detected as en (0.99)",
        }
    ]


def test_signal_for_feed_scope_mismatch_is_weaker() -> None:
    (signal,) = translation_signals(_language("en", 0.99, "fr"), "feed")
    assert signal["name"] == "declared_language_mismatch"
    assert signal["weight"] == 0.3
    assert signal["evidence"] == "feed declares language fr, text detected as en (0.99)"


def test_signal_default_scope_is_entry() -> None:
    (signal,) = translation_signals(_language("de", 0.95, "en"))
    assert signal["weight"] == DECLARED_MISMATCH_WEIGHTS["entry"] == 0.6


@pytest.mark.parametrize(
    ("code", "confidence", "declared"),
    [
        ("en", 0.99, "en"),  # same language
        ("fr", 1.0, "fr"),
        ("en", 0.99, None),  # nothing declared
        ("en", 0.99, ""),
        (None, 0.99, "fr"),  # nothing detected
        (None, 0.0, "fr"),
        ("en", 0.89, "fr"),  # detector unsure
        ("en", 0.5, "fr"),
        ("en", 0.0, "fr"),
    ],
)
@pytest.mark.parametrize("scope", ["entry", "feed"])
def test_no_signal(code: str | None, confidence: float, declared: str | None, scope: str) -> None:
    assert translation_signals(_language(code, confidence, declared), scope) == []


def test_confidence_threshold_is_inclusive() -> None:
    assert MIN_DETECTION_CONFIDENCE == 0.9
    assert len(translation_signals(_language("en", 0.9, "fr"), "entry")) == 1
    assert translation_signals(_language("en", 0.8999, "fr"), "entry") == []


def test_missing_confidence_means_no_signal() -> None:
    assert translation_signals({"code": "en", "declared": "fr"}, "entry") == []


# --- assess_translation ------------------------------------------------------


def test_entry_scope_mismatch_is_a_translation() -> None:
    out = assess_translation(_article("en", 0.99, "fr", "entry"))
    translation = out["translation"]
    assert translation["is_translation"] is True
    assert translation["source_language"] == "fr"
    assert translation["confidence"] == 0.6
    assert [s["name"] for s in translation["signals"]] == ["declared_language_mismatch"]
    # Fields this stage does not own are kept.
    assert translation["machine"] is None
    assert translation["derived_from"] is None


def test_feed_scope_mismatch_is_recorded_but_not_a_translation() -> None:
    out = assess_translation(_article("en", 0.99, "fr", "feed"))
    translation = out["translation"]
    assert translation["is_translation"] is False
    assert translation["source_language"] is None
    assert translation["confidence"] == 0.3
    assert len(translation["signals"]) == 1
    assert translation["signals"][0]["weight"] == 0.3
    assert translation["signals"][0]["evidence"].startswith("feed declares language fr")


@pytest.mark.parametrize(
    ("code", "confidence", "declared", "scope"),
    [
        ("en", 0.99, "en", "entry"),  # same language
        ("en", 0.99, "en", "feed"),
        ("en", 0.99, None, None),  # nothing declared
        ("en", 0.85, "fr", "entry"),  # detector unsure
        (None, 0.7, "fr", "entry"),  # detector named nothing
        (None, 0.0, "fr", "feed"),
    ],
)
def test_no_evidence_is_not_a_translation(
    code: str | None, confidence: float, declared: str | None, scope: str | None
) -> None:
    out = assess_translation(_article(code, confidence, declared, scope))
    assert out["translation"]["is_translation"] is False
    assert out["translation"]["confidence"] == 0.0
    assert out["translation"]["source_language"] is None
    assert out["translation"]["signals"] == []


def test_assess_translation_does_not_mutate_its_input() -> None:
    article = _article("en", 0.99, "fr", "entry")
    snapshot = copy.deepcopy(article)
    out = assess_translation(article)
    assert article == snapshot
    assert out is not article
    assert out["language"] == article["language"]
    assert out[DECLARED_SCOPE] == "entry"


def test_assess_translation_replaces_stale_signals() -> None:
    article = _article("en", 0.99, "en", "entry")
    article["translation"] = {
        **article["translation"],
        "is_translation": True,
        "confidence": 0.9,
        "source_language": "de",
        "signals": [{"name": "old", "weight": 0.9, "evidence": "stale"}],
    }
    out = assess_translation(article)
    assert out["translation"]["is_translation"] is False
    assert out["translation"]["confidence"] == 0.0
    assert out["translation"]["source_language"] is None
    assert out["translation"]["signals"] == []


@pytest.mark.parametrize(("declared", "detected"), [("nb", "no"), ("iw", "he")])
def test_equivalent_language_codes_are_not_a_mismatch(declared: str, detected: str) -> None:
    out = assess_translation(_article(detected, 0.99, declared, "entry"))
    assert out["translation"]["signals"] == []
    assert out["translation"]["is_translation"] is False


# --- the whole assessor: text signals, classifier, combination ------------------------------

DATA = Path(__file__).parent / "data" / "translation"


@pytest.fixture(scope="module")
def assessor() -> TranslationAssessor:
    return TranslationAssessor()


def _text_article(name: str, code: str = "en", repairs: list | None = None) -> dict[str, Any]:
    article = _article(code, 0.99, None, None)
    article["text"] = (DATA / name).read_text(encoding="utf-8")
    article["repairs"] = repairs or []
    return article


def test_original_is_no_translation(assessor: TranslationAssessor) -> None:
    out = assessor(_text_article("harbour_original.txt"))["translation"]
    assert out["is_translation"] is False
    assert out["source_language"] is None and out["machine"] is None
    (style,) = out["signals"]
    assert style["name"] == "translationese_style"
    assert "p(translated)" in style["evidence"]
    # The head of each source language the classifier was trained on reads it too.
    assert [s["code"] for s in out["style_sources"]] == ["is", "ja", "ru", "uk"]
    assert all(0.0 <= s["p"] <= 1.0 for s in out["style_sources"])


def test_only_english_text_gets_source_heads(assessor: TranslationAssessor) -> None:
    article = _text_article("harbour_original.txt", code="fr")
    assert assessor(article)["translation"]["style_sources"] == []


def test_translation_from_french_names_its_source(assessor: TranslationAssessor) -> None:
    out = assessor(_text_article("harbour_translated_fr.txt"))["translation"]
    assert out["is_translation"] is True
    assert out["source_language"] == "fr"
    assert 0.5 <= out["confidence"] <= 1.0
    assert all(set(s) == {"name", "weight", "evidence"} and s["evidence"] for s in out["signals"])


def test_machine_translation_from_spanish(assessor: TranslationAssessor) -> None:
    out = assessor(_text_article("market_machine_es.txt"))["translation"]
    assert (out["is_translation"], out["source_language"], out["machine"]) == (True, "es", True)


def test_stated_human_translation(assessor: TranslationAssessor) -> None:
    out = assessor(_text_article("statement_credit.txt"))["translation"]
    assert (out["is_translation"], out["source_language"], out["machine"]) == (True, "es", False)


def test_mojibake_repair_is_a_signal(assessor: TranslationAssessor) -> None:
    repair = {"kind": "mojibake", "detail": "utf-8 read as cp1253", "original": "x", "replacement": "y"}
    repairs = [{**repair, "count": 1}]
    out = assessor(_text_article("harbour_original.txt", repairs=repairs))["translation"]
    assert "foreign_code_page" in [s["name"] for s in out["signals"]]


def test_non_english_text_skips_english_detectors(assessor: TranslationAssessor) -> None:
    article = _article("fr", 0.99, None, None)
    article["text"] = "(Paris) Le maire a dit : « non » ; c'est tout ! " * 10
    out = assessor(article)["translation"]
    assert out["signals"] == [] and out["is_translation"] is False


def test_combine_prefers_stated_machine_and_thresholds() -> None:
    settings = TranslationSettings()
    stated = Signal("translation_statement", 0.9, "x", None, True)
    slips = Signal("translation_slips", 0.2, "x", None, False)
    out = combine([slips, stated], None, settings)
    assert out["is_translation"] is True and out["machine"] is True
    weak = combine([Signal("a", 0.3, "x", "fr", None, 0.9)], None, settings)
    assert weak["is_translation"] is False and weak["source_language"] is None
    verdict = StyleVerdict(translated=0.8, machine=0.1, words=300)
    assert combine([Signal("s", 0.8, "x")], verdict, settings)["machine"] is False
    unsure = StyleVerdict(translated=0.8, machine=0.5, words=300)
    assert combine([Signal("s", 0.8, "x")], unsure, settings)["machine"] is None
