"""Derived-from links through Beam: LSH buckets, the LinkTranslations transform."""

from __future__ import annotations

from array import array
from typing import Any

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from tests.test_derived import ORIGINAL, RUSSIAN, TRANSLATED, UNRELATED, article
from transforms.derived import LinkSettings, band_keys, minhash, summarize
from transforms.link import (
    LinkTranslations,
    bucket_pairs,
    compact_summary,
    expand_summary,
    pack_bands,
    shard_buckets,
)


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


# --- batch: articles in temporary files, packed band entries ---------------------------------


def _check_links(inputs: list[dict[str, Any]], expected: list[Any], tmp_path: Any, **options: Any) -> None:
    """The batch path gives these (id, derived_from) pairs and leaves no temporary file."""
    temp = tmp_path / "link-temp"
    with TestPipeline() as p:
        out = p | beam.Create(inputs) | LinkTranslations(temp_dir=str(temp), **options)
        assert_that(out | beam.Map(lambda a: (a["id"], a["translation"]["derived_from"])), equal_to(expected))
    assert not temp.exists(), "the temporary files are deleted at the end"


def test_batch_path_links_like_the_joined_path(tmp_path: Any) -> None:
    inputs = [
        article("original", ORIGINAL, confidence=0.1),
        article("french-copy", TRANSLATED, is_translation=True, confidence=0.95),
        article("russian", RUSSIAN, language="ru", confidence=0.0),
        article("unrelated", UNRELATED, is_translation=True, confidence=0.95),
    ]
    expected = [("french-copy", "original"), ("original", None), ("russian", "original"), ("unrelated", None)]
    # One shard or many, one temporary file or one per article: the same links.
    _check_links(inputs, expected, tmp_path)
    _check_links(inputs, expected, tmp_path, shards=1, spill_records=1)


def test_batch_path_keeps_every_article_once_and_unchanged_otherwise(tmp_path: Any) -> None:
    inputs = [article(f"a{i}", f"Short note number {i}.") for i in range(5)]
    inputs.append({**inputs[0]})  # the same id twice still comes out twice
    temp = tmp_path / "t"
    with TestPipeline() as p:
        out = p | beam.Create(inputs) | LinkTranslations(temp_dir=str(temp), spill_records=2)
        assert_that(out, equal_to(inputs))
    assert not temp.exists()


def test_batch_path_with_no_article(tmp_path: Any) -> None:
    with TestPipeline() as p:
        out = p | beam.Create([]) | LinkTranslations(temp_dir=str(tmp_path / "t"))
        assert_that(out, equal_to([]))


def test_summaries_survive_their_compact_form() -> None:
    summary = summarize(article("original", ORIGINAL, confidence=0.1))
    summary["bands"] = band_keys(minhash(summary["fingerprints"], LinkSettings().coefficients()), 2)
    assert expand_summary(compact_summary(summary)) == summary
    assert expand_summary(compact_summary({**summary, "fingerprints": []}))["fingerprints"] == []
    odd = {**summary, "fingerprints": ["a\x1fb", "c"]}
    assert expand_summary(compact_summary(odd)) == odd


def test_shard_buckets_group_entries_of_every_pack() -> None:
    settings = LinkSettings()
    signature = minhash(["n:10", "n:20", "p:abc", "p:xyz", "m:3"], settings.coefficients())
    keys = band_keys(signature, settings.rows)
    digests = array("Q", pack_bands(keys))
    packs = [
        array(
            "Q", [value for band, digest in enumerate(digests) for value in (band, digest, member)]
        ).tobytes()
        for member in (5, 6)
    ]
    buckets = dict(shard_buckets(packs))
    assert sorted(buckets) == sorted(keys)
    assert all(sorted(members) == [5, 6] for members in buckets.values())
