"""Stage ``language``: seeded langdetect with confidence and alternatives.

langdetect samples n-grams at random; each detector here is seeded, so the
same text always gets the same answer. The detector factory (55 profiles) is
loaded once per worker in ``setup()``.

    pytest tests/test_language.py
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import apache_beam as beam
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

from transforms.common import RunSettings, run_stage

STAGE = "language"

# langdetect's region codes folded to ISO 639-1.
_CODES = {"zh-cn": "zh", "zh-tw": "zh"}


@dataclass(frozen=True)
class LanguageSettings:
    #: Fewer letters than this and no language is named.
    min_letters: int = 20
    #: A top probability below this is "unsure": code stays null.
    min_confidence: float = 0.80
    #: How many alternatives to keep.
    alternatives: int = 3
    #: langdetect reads at most this many characters.
    max_chars: int = 10_000


def letter_count(text: str) -> int:
    """
    >>> letter_count("Hi, 42 — ok!")
    4
    """
    return sum(1 for ch in text if ch.isalpha())


class LanguageDetector:
    """A seeded langdetect factory; build once per worker, call per text."""

    def __init__(self, seed: int = 0, settings: LanguageSettings | None = None):
        self.settings = settings or LanguageSettings()
        self.factory = DetectorFactory()
        self.factory.load_profile(PROFILES_DIRECTORY)
        self.factory.set_seed(seed)

    def detect(self, text: str) -> dict[str, Any]:
        """``{code, confidence, alternatives}``; code is None when short or unsure."""
        result: dict[str, Any] = {"code": None, "confidence": 0.0, "alternatives": []}
        if letter_count(text) < self.settings.min_letters:
            return result
        detector = self.factory.create()
        detector.set_max_text_length(self.settings.max_chars)
        detector.append(text)
        try:
            probabilities = detector.get_probabilities()
        except LangDetectException:
            return result
        merged: dict[str, float] = {}
        for item in probabilities:
            code = _CODES.get(item.lang, item.lang)
            merged[code] = merged.get(code, 0.0) + item.prob
        ranked = sorted(merged.items(), key=lambda kv: (-kv[1], kv[0]))
        if not ranked:
            return result
        best, confidence = ranked[0]
        result["confidence"] = round(confidence, 6)
        result["alternatives"] = [
            {"code": code, "probability": round(prob, 6)}
            for code, prob in ranked[: self.settings.alternatives]
        ]
        if confidence >= self.settings.min_confidence:
            result["code"] = best
        return result


def _detector(settings: RunSettings) -> Callable[[dict[str, Any]], dict[str, Any]]:
    detector = LanguageDetector(seed=settings.language_seed)

    def detect(article: dict[str, Any]) -> dict[str, Any]:
        text = article["text"]
        if letter_count(text) < detector.settings.min_letters and article.get("title"):
            text = f"{article['title']}\n\n{text}"
        found = detector.detect(text)
        return {**article, "language": {**article["language"], **found}}

    return detect


class DetectLanguage(beam.PTransform):
    """Articles -> articles with ``language`` (main) and dead letters (``dead_letter``)."""

    def __init__(self, settings: RunSettings):
        super().__init__()
        self.settings = settings

    def expand(self, articles: beam.PCollection) -> tuple[beam.PCollection, beam.PCollection]:
        return run_stage(articles, "DetectBodyLanguage", STAGE, self.settings, _detector)
