"""Stage ``translation``: is the article a translation, from which language, by a machine?

The stage gathers signals, each ``{name, weight, evidence}``:

- statements ("translated from the Spanish", "Traducido por", "machine translation");
- a declared language (feed, entry, JSON ``language``) that differs from the detected one;
- traces of the source language: its typography (« », „, ¿ ¡, a space before ``; : ! ?``),
  mojibake repaired under a code page of another script, untranslated words and phrases,
  calques ("First modification:"), credits of agencies writing in another language,
  datelines in parentheses;
- a translationese style classifier (``transforms/translationese.py``, model in
  ``transforms/models``), loaded once per worker; for the languages other than English
  that have training data, a classifier over character n-grams and sentence shapes
  (``transforms/translationese_multi.py``) gives the same signal.

Independent signals combine as 1 - prod(1 - weight); ``source_language`` is the
language the signals name most strongly; ``machine`` comes from a statement, from
slips of unedited machine output, or from the classifier's second head.
``derived_from`` is set later, by ``transforms.link.LinkTranslations``.

    pytest tests/test_translation_unit.py
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import apache_beam as beam

from transforms.common import RunSettings, run_stage
from transforms.language import same_language
from transforms.parse import DECLARED_SCOPE
from transforms.translation_signals import (
    STYLE_SIGNAL,
    Signal,
    language_mix_signals,
    mojibake_signals,
    source_language,
    text_signals,
)
from transforms.translationese import StyleVerdict, TranslationeseModel
from transforms.translationese_multi import MultiStyleModel, StyleScore

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


def declared_signals(language: dict[str, Any], scope: str | None) -> list[Signal]:
    """``translation_signals`` as ``Signal`` objects naming the declared language."""
    return [
        Signal(s["name"], s["weight"], s["evidence"], language.get("declared"), None, 0.9)
        for s in translation_signals(language, scope)
    ]


def style_signal(verdict: StyleVerdict | None) -> list[Signal]:
    """The translationese classifier's verdict as a signal (its weight is its probability)."""
    if verdict is None:
        return []
    kind = "machine" if verdict.machine >= 0.5 else "human"
    evidence = (
        f"style classifier over function words, punctuation and sentence shapes ({verdict.words} words): "
        f"p(translated) = {verdict.translated:.2f}"
    )
    if verdict.translated >= 0.5:
        evidence += f"; reads like a {kind} translation (p(machine) = {verdict.machine:.2f})"
        if verdict.sources:
            language, p = max(verdict.sources.items(), key=lambda kv: (kv[1], kv[0]))
            if p >= 0.5:
                evidence += f"; of the source languages it knows, most like one from {language} (p = {p:.2f})"
    return [Signal(STYLE_SIGNAL, round(verdict.translated, 4), evidence)]


def multi_style_signal(score: StyleScore | None) -> list[Signal]:
    """A non-English style head's verdict as a signal, under the same name as the English
    classifier's (its weight is its probability; it has no machine/human head).

    >>> multi_style_signal(StyleScore("ja", 0.91234, 800, 0.9))[0].weight
    0.9123
    """
    if score is None:
        return []
    evidence = (
        f"style classifier for {score.language} over character n-grams and sentence shapes "
        f"({score.chars} characters; held-out balanced accuracy {score.accuracy:.2f}): "
        f"p(translated) = {score.translated:.2f}"
    )
    return [Signal(STYLE_SIGNAL, round(score.translated, 4), evidence)]


@dataclass(frozen=True)
class TranslationSettings:
    """How signals become a verdict."""

    #: Combined confidence from which an article counts as a translation.
    threshold: float = 0.5
    #: A source language is named only when the signals name it at least this strongly.
    min_language_strength: float = 0.3
    #: The style classifier calls machine/human only outside this band of p(machine).
    machine_band: tuple[float, float] = (0.35, 0.65)
    #: The classifier reads English only (its features are English function words).
    style_languages: tuple[str, ...] = ("en",)


def combine(
    signals: Sequence[Signal], verdict: StyleVerdict | None, settings: TranslationSettings
) -> dict[str, Any]:
    """Signals (and the classifier's verdict) -> ``is_translation``, ``confidence``,
    ``source_language`` and ``machine``; independent signals combine as 1 - prod(1 - weight).

    >>> combine([Signal("a", 0.6, "x", "fr", None, 0.9)], None, TranslationSettings())["source_language"]
    'fr'
    """
    remaining = 1.0
    for signal in signals:
        remaining *= 1.0 - signal.weight
    confidence = round(1.0 - remaining, 6)
    is_translation = confidence >= settings.threshold
    language, strength = source_language(signals)
    machine: bool | None = None
    stated = [s.machine for s in signals if s.machine is not None and s.name == "translation_statement"]
    said = stated or [s.machine for s in signals if s.machine is not None]
    if is_translation:
        if said:
            machine = said[0]
        elif verdict is not None:
            low, high = settings.machine_band
            machine = True if verdict.machine >= high else False if verdict.machine <= low else None
    return {
        "is_translation": is_translation,
        "confidence": confidence,
        "source_language": (
            language if is_translation and strength >= settings.min_language_strength else None
        ),
        "machine": machine,
        "signals": [s.record() for s in signals],
        "style_sources": [
            {"code": language, "p": p} for language, p in sorted((verdict.sources if verdict else {}).items())
        ],
    }


class TranslationAssessor:
    """Everything the stage needs per worker: the model, loaded once."""

    def __init__(
        self,
        model: TranslationeseModel | None = None,
        settings: TranslationSettings | None = None,
        multi: MultiStyleModel | None = None,
    ):
        self.model = model if model is not None else TranslationeseModel.load()
        self.settings = settings or TranslationSettings()
        #: Heads for languages other than English (``transforms.translationese_multi``).
        self.multi = multi if multi is not None else MultiStyleModel.load()

    def signals(self, article: dict[str, Any]) -> tuple[list[Signal], StyleVerdict | None]:
        language = article["language"]
        text = article.get("text") or ""
        verdict = None
        other: StyleScore | None = None
        if language.get("code") in self.settings.style_languages:
            verdict = self.model.predict(text)
        else:
            other = self.multi.score(text, language.get("code"))
        signals = [
            *declared_signals(language, article.get(DECLARED_SCOPE)),
            *text_signals(text, english=language.get("code") in (None, "en")),
            *mojibake_signals(article.get("repairs") or []),
            *language_mix_signals(language),
            *style_signal(verdict),
            *multi_style_signal(other),
        ]
        return signals, verdict

    def __call__(self, article: dict[str, Any]) -> dict[str, Any]:
        signals, verdict = self.signals(article)
        verdict_fields = combine(signals, verdict, self.settings)
        return {**article, "translation": {**article["translation"], **verdict_fields}}


def assess_translation(
    article: dict[str, Any], assessor: TranslationAssessor | None = None
) -> dict[str, Any]:
    """Combine the signals into the record's ``translation`` (loads the model when none is given)."""
    return (assessor or TranslationAssessor())(article)


def _assessor(_: RunSettings) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return TranslationAssessor()


class DetectTranslation(beam.PTransform):
    """Articles -> articles with ``translation`` (main) and dead letters (``dead_letter``)."""

    def __init__(self, settings: RunSettings):
        super().__init__()
        self.settings = settings

    def expand(self, articles: beam.PCollection) -> tuple[beam.PCollection, beam.PCollection]:
        return run_stage(articles, "WeighTranslationSignals", STAGE, self.settings, _assessor)
