"""Unit tests for transforms.translation: declared/detected mismatch signals and their weighing."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from transforms.parse import DECLARED_SCOPE, no_translation_evidence
from transforms.translation import (
    DECLARED_MISMATCH_WEIGHTS,
    MIN_DETECTION_CONFIDENCE,
    assess_translation,
    translation_signals,
)


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
