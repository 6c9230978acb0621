"""Stage ``translation``: translation provenance from explicit evidence.

This first version weighs one signal, a declared language (feed, entry, JSON
``language``) that differs from the detected one: the publisher says the page
is French, the text is English, so it was most likely translated from French.

    pytest tests/test_translation.py
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import apache_beam as beam

from transforms.common import RunSettings, run_stage
from transforms.language import same_language
from transforms.parse import DECLARED_SCOPE

STAGE = "translation"

#: Weight of a declared/detected mismatch, by how specific the declaration is:
#: a language on the entry itself (xml:lang, JSON ``language``) is evidence; an
#: RSS channel's ``<language>`` is a site-wide default that multilingual feeds
#: leave unchanged, so alone it does not make a translation.
DECLARED_MISMATCH_WEIGHTS = {"entry": 0.6, "feed": 0.3}
#: Below this detector confidence the mismatch is not evidence.
MIN_DETECTION_CONFIDENCE = 0.9


def translation_signals(language: dict[str, Any], scope: str | None = "entry") -> list[dict[str, Any]]:
    """Signals of translation found in the language record.

    >>> translation_signals({"code": "en", "confidence": 0.99, "declared": "fr"})[0]["weight"]
    0.6
    >>> translation_signals({"code": "en", "confidence": 0.99, "declared": "fr"}, "feed")[0]["weight"]
    0.3
    >>> translation_signals({"code": "en", "confidence": 0.99, "declared": "en"})
    []
    """
    declared, detected = language.get("declared"), language.get("code")
    if (
        declared
        and detected
        and not same_language(declared, detected)
        and language.get("confidence", 0.0) >= MIN_DETECTION_CONFIDENCE
    ):
        return [
            {
                "name": "declared_language_mismatch",
                "weight": DECLARED_MISMATCH_WEIGHTS.get(scope or "entry", 0.3),
                "evidence": (
                    f"{scope or 'entry'} declares language {declared}, text detected as {detected} "
                    f"({language['confidence']:.2f})"
                ),
            }
        ]
    return []


def assess_translation(article: dict[str, Any]) -> dict[str, Any]:
    """Combine the signals into the record's ``translation``.

    Independent signals combine as 1 - prod(1 - weight).
    """
    signals = translation_signals(article["language"], article.get(DECLARED_SCOPE))
    remaining = 1.0
    for signal in signals:
        remaining *= 1.0 - signal["weight"]
    confidence = round(1.0 - remaining, 6)
    is_translation = confidence >= 0.5
    source_language = None
    if is_translation and signals:
        source_language = article["language"].get("declared")
    return {
        **article,
        "translation": {
            **article["translation"],
            "is_translation": is_translation,
            "confidence": confidence,
            "source_language": source_language,
            "signals": signals,
        },
    }


def _assessor(_: RunSettings) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return assess_translation


class DetectTranslation(beam.PTransform):
    """Articles -> articles with ``translation`` (main) and dead letters (``dead_letter``)."""

    def __init__(self, settings: RunSettings):
        super().__init__()
        self.settings = settings

    def expand(self, articles: beam.PCollection) -> tuple[beam.PCollection, beam.PCollection]:
        return run_stage(articles, "WeighTranslationSignals", STAGE, self.settings, _assessor)
