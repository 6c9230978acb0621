"""Stage ``language``: seeded langdetect with confidence and alternatives.

langdetect samples n-grams at random; each detector here is seeded, so the
same text always gets the same answer. The detector factory (55 profiles) is
loaded once per worker in ``setup()``.

    pytest tests/test_language.py
"""

from __future__ import annotations

import re
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

# Codes that name the same language: deprecated ISO 639-1 codes, and Norwegian
# (langdetect says "no" where publishers declare Bokmål "nb" or Nynorsk "nn").
_SAME_LANGUAGE = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro", "nb": "no", "nn": "no"}

# Languages written in a script of their own: a text without a single letter of
# that script is not in that language, however its n-grams score (langdetect's
# Korean profile holds Hanja, so Chinese text can come out as Korean).
_SCRIPTS = {
    "ko": "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f",
    "ja": "\u3040-\u30ff",
    "zh-cn": "\u3400-\u4dbf\u4e00-\u9fff",
    "zh-tw": "\u3400-\u4dbf\u4e00-\u9fff",
    "th": "\u0e00-\u0e7f",
    "he": "\u0590-\u05ff",
    "el": "\u0370-\u03ff\u1f00-\u1fff",
    "ar": "\u0600-\u06ff\u0750-\u077f",
    "fa": "\u0600-\u06ff\u0750-\u077f",
    "ur": "\u0600-\u06ff\u0750-\u077f",
    "hi": "\u0900-\u097f",
    "mr": "\u0900-\u097f",
    "ne": "\u0900-\u097f",
    "bn": "\u0980-\u09ff",
    "pa": "\u0a00-\u0a7f",
    "gu": "\u0a80-\u0aff",
    "ta": "\u0b80-\u0bff",
    "te": "\u0c00-\u0c7f",
    "kn": "\u0c80-\u0cff",
    "ml": "\u0d00-\u0d7f",
    "ru": "\u0400-\u04ff",
    "uk": "\u0400-\u04ff",
    "bg": "\u0400-\u04ff",
    "mk": "\u0400-\u04ff",
}
_SCRIPT_PATTERNS = {code: re.compile(f"[{ranges}]") for code, ranges in _SCRIPTS.items()}


def same_language(a: str | None, b: str | None) -> bool:
    """Whether two ISO 639-1 codes name the same language.

    >>> same_language("nb", "no"), same_language("iw", "he"), same_language("en", "fr")
    (True, True, False)
    """
    if a is None or b is None:
        return a == b
    return _SAME_LANGUAGE.get(a, a) == _SAME_LANGUAGE.get(b, b)


def script_allows(lang: str, text: str) -> bool:
    """False when ``lang`` has a script of its own and ``text`` has none of it.

    >>> script_allows("ko", "經濟部今天發表報告"), script_allows("zh-tw", "經濟部今天發表報告")
    (False, True)
    """
    pattern = _SCRIPT_PATTERNS.get(lang)
    return pattern is None or pattern.search(text) is not None


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
        try:
            probabilities = self._probabilities(text)
            if probabilities and not script_allows(probabilities[0].lang, text):
                # Ask again with the languages the text's scripts rule out given no prior.
                probabilities = self._probabilities(text, self._script_prior(text))
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

    def _probabilities(self, text: str, prior: dict[str, float] | None = None) -> list:
        detector = self.factory.create()
        detector.set_max_text_length(self.settings.max_chars)
        if prior:
            detector.set_prior_map(prior)
        detector.append(text)
        return detector.get_probabilities()

    def _script_prior(self, text: str) -> dict[str, float]:
        sample = text[: self.settings.max_chars]
        return {lang: 1.0 for lang in self.factory.get_lang_list() if script_allows(lang, sample)}


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
