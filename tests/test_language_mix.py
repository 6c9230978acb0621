"""Articles: per-paragraph mix, the title judged apart from the body, the stage in a pipeline.

Real langdetect profiles, no mocks; every sentence here was written for these tests.

    pytest tests/test_language_mix.py
"""

from __future__ import annotations

from typing import Any

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to, is_empty

from transforms.common import RunSettings
from transforms.language import DetectLanguage, LanguageDetector, LanguageSettings, letter_count
from transforms.parse import candidate

ENGLISH = (
    "The harbour authority said on Wednesday that the new container terminal will open in the spring. "
    "Dock workers had asked for more time to train on the cranes, and the unions welcomed the delay. "
    "Ships that now wait two days to unload should be turned around within a single afternoon."
)
GERMAN = (
    "Die Hafenbehörde teilte am Mittwoch mit, dass das neue Containerterminal im Frühjahr öffnen wird. "
    "Die Hafenarbeiter hatten mehr Zeit für die Schulung an den Kränen verlangt."
)
SPANISH = (
    "La autoridad portuaria anunció el miércoles que la nueva terminal de contenedores abrirá en primavera. "
    "Los estibadores habían pedido más tiempo para aprender a manejar las grúas."
)
FRENCH_TITLE = "Le nouveau terminal à conteneurs du port ouvrira au printemps"
ENGLISH_TITLE = "New container terminal at the harbour to open in the spring"


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector(seed=0)


def _shares(result: dict[str, Any]) -> dict[str, float]:
    return {item["code"]: item["share"] for item in result["mix"]}


def test_single_language_article_has_one_share(detector: LanguageDetector) -> None:
    result = detector.detect_article(f"{ENGLISH}\n\n{ENGLISH}")
    assert result["code"] == "en"
    assert result["mix"] == [{"code": "en", "share": 1.0}]
    assert result["title"] is None


def test_mixed_article_reports_each_language_by_its_letters(detector: LanguageDetector) -> None:
    result = detector.detect_article(f"{ENGLISH}\n\n{GERMAN}")
    shares = _shares(result)
    assert set(shares) == {"en", "de"}
    expected_en = letter_count(ENGLISH) / (letter_count(ENGLISH) + letter_count(GERMAN))
    assert shares["en"] == pytest.approx(expected_en, abs=1e-3)
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-3)
    assert [item["code"] for item in result["mix"]] == ["en", "de"]  # largest first
    assert result["code"] == "en"  # the larger part is the main language


def test_three_languages_in_one_article(detector: LanguageDetector) -> None:
    result = detector.detect_article(f"{SPANISH}\n\n{ENGLISH}\n\n{GERMAN}")
    assert set(_shares(result)) == {"es", "en", "de"}
    shares = [item["share"] for item in result["mix"]]
    assert shares == sorted(shares, reverse=True)


def test_one_quoted_paragraph_in_another_language_counts(detector: LanguageDetector) -> None:
    quote = "„Wir sind sehr froh, dass die Arbeiten endlich beginnen können“, sagte die Sprecherin."
    result = detector.detect_article(f"{ENGLISH}\n\n{quote}\n\n{ENGLISH}")
    assert result["code"] == "en"
    assert [item["code"] for item in result["mix"]] == ["en", "de"]


def test_names_and_short_paragraphs_do_not_invent_languages(detector: LanguageDetector) -> None:
    paragraphs = [
        "Jean-Claude Dupont, the port's director, met Søren Kierkegaard Jensen of the Danish union.",
        "Both men said the talks in Rotterdam and Gdańsk had gone well.",
        "The next round is planned for March in Hamburg, a spokesman said.",
        "Shares in the operator rose by two percent on the news.",
    ]
    result = detector.detect_article("\n\n".join(paragraphs))
    assert result["mix"] == [{"code": "en", "share": 1.0}]


def test_short_paragraphs_are_left_out_of_the_mix(detector: LanguageDetector) -> None:
    result = detector.detect_article(f"{ENGLISH}\n\nFoto: dpa\n\n2024-06-07 10:30")
    assert result["mix"] == [{"code": "en", "share": 1.0}]


def test_title_in_another_language_is_recorded_and_never_decides_the_body(detector: LanguageDetector) -> None:
    result = detector.detect_article(ENGLISH, title=FRENCH_TITLE)
    assert result["code"] == "en"
    assert result["title"] == "fr"
    assert result == {**detector.detect_article(ENGLISH), "title": "fr"}


def test_title_in_the_body_language_is_not_repeated(detector: LanguageDetector) -> None:
    assert detector.detect_article(GERMAN, title=ENGLISH_TITLE)["title"] == "en"
    assert detector.detect_article(ENGLISH, title=ENGLISH_TITLE)["title"] is None


def test_short_body_is_undetermined_even_with_a_long_title(detector: LanguageDetector) -> None:
    result = detector.detect_article("Mehr dazu.", title=ENGLISH_TITLE)
    assert result["code"] is None
    assert result["mix"] == []
    assert result["title"] == "en"


@pytest.mark.parametrize("text", ["", "   \n\n  ", "2024 — 42 — 3.14", "Oui.\n\nNon."])
def test_undetermined_body_has_empty_mix(detector: LanguageDetector, text: str) -> None:
    result = detector.detect_article(text, title="12:30")
    assert result == {"code": None, "confidence": 0.0, "alternatives": [], "mix": [], "title": None}


def test_long_body_is_sampled_and_keeps_its_mix(detector: LanguageDetector) -> None:
    body = "\n\n".join([ENGLISH] * 30 + [GERMAN] * 30)
    result = detector.detect_article(body)
    shares = _shares(result)
    assert set(shares) == {"en", "de"}
    assert result["code"] in {"en", "de"}
    small = LanguageDetector(settings=LanguageSettings(max_chars=3_000))
    assert set(_shares(small.detect_article(body))) == {"en", "de"}


def test_same_article_same_result_across_fresh_detectors(detector: LanguageDetector) -> None:
    body = f"{ENGLISH}\n\n{GERMAN}\n\n{SPANISH}"
    first = detector.detect_article(body, title=FRENCH_TITLE)
    for _ in range(3):
        assert detector.detect_article(body, title=FRENCH_TITLE) == first
    fresh = LanguageDetector(seed=0)
    fresh.detect_article(ENGLISH)  # a warm cache changes speed, never results
    assert fresh.detect_article(body, title=FRENCH_TITLE) == first
    assert LanguageDetector(seed=7).detect_article(body, title=FRENCH_TITLE) == first


def test_small_word_cache_gives_the_same_results() -> None:
    from transforms.language_profiles import ProfileSettings

    tiny = LanguageDetector(settings=LanguageSettings(profiles=ProfileSettings(cache_words=8)))
    body = f"{ENGLISH}\n\n{GERMAN}"
    assert tiny.detect_article(body) == LanguageDetector().detect_article(body)


# --- the stage ------------------------------------------------------------------


def _article(settings: RunSettings, key: str, text: str, title: str | None = None) -> dict[str, Any]:
    return candidate(
        kind="jsonl",
        uri="file:///in.jsonl",
        entry_key=key,
        entry_id=None,
        text=text,
        settings=settings,
        title=title,
    )


def test_stage_fills_code_mix_and_title(settings: RunSettings) -> None:
    items = [
        _article(settings, "mixed", f"{ENGLISH}\n\n{GERMAN}"),
        _article(settings, "titled", SPANISH, title=ENGLISH_TITLE),
        _article(settings, "short", "Kurz.", title=ENGLISH_TITLE),
    ]
    with TestPipeline() as p:
        detected, dead = p | beam.Create(items) | DetectLanguage(settings)
        summary = detected | beam.Map(
            lambda a: (
                a["source"]["entry_id"] or a["text"][:5],
                a["language"]["code"],
                tuple(item["code"] for item in a["language"]["mix"]),
                a["language"]["title"],
                a["language"]["declared"],
            )
        )
        assert_that(
            summary,
            equal_to(
                [
                    ("The h", "en", ("en", "de"), None, None),
                    ("La au", "es", ("es",), "en", None),
                    ("Kurz.", None, (), "en", None),
                ]
            ),
        )
        assert_that(dead, is_empty(), label="no dead letters")
