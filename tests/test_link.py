"""Derived-from links through Beam: LSH buckets, the LinkTranslations transform."""

from __future__ import annotations

from typing import Any

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from tests.test_derived import ORIGINAL, RUSSIAN, TRANSLATED, UNRELATED, article
from transforms.derived import LinkSettings
from transforms.link import LinkTranslations, bucket_pairs


def test_oversized_buckets_are_skipped() -> None:
    members = [{"id": str(i)} for i in range(5)]
    assert len(list(bucket_pairs(("k", members), LinkSettings()))) == 10
    assert list(bucket_pairs(("k", members), LinkSettings(max_bucket=4))) == []
    assert list(bucket_pairs(("k", [{"id": "a"}, {"id": "a"}]), LinkSettings())) == []


# --- the Beam transform ---------------------------------------------------------------------


def derived(articles: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    return sorted((a["id"], a["translation"]["derived_from"]) for a in articles)


def test_link_translations_sets_derived_from_on_the_translation() -> None:
    inputs = [
        article("original", ORIGINAL, confidence=0.1),
        article("french-copy", TRANSLATED, is_translation=True, confidence=0.95),
        article("russian", RUSSIAN, language="ru", confidence=0.0),
        article("unrelated", UNRELATED, is_translation=True, confidence=0.95),
    ]
    with TestPipeline() as p:
        out = p | beam.Create(inputs) | LinkTranslations()
        assert_that(
            out | beam.Map(lambda a: (a["id"], a["translation"]["derived_from"])),
            equal_to(
                [
                    ("original", None),
                    ("french-copy", "original"),
                    # The English original reads as an original: the Russian text is its translation.
                    ("russian", "original"),
                    ("unrelated", None),
                ]
            ),
        )


def test_link_translations_keeps_every_article_once_and_unchanged_otherwise() -> None:
    inputs = [article(f"a{i}", f"Short note number {i}.") for i in range(5)]
    inputs.append({**inputs[0]})  # the same id twice still comes out twice
    with TestPipeline() as p:
        out = p | beam.Create(inputs) | LinkTranslations()
        assert_that(out, equal_to(inputs))


def test_empty_input() -> None:
    with TestPipeline() as p:
        out = p | beam.Create([]) | LinkTranslations()
        assert_that(out, equal_to([]))
