"""The Beam side of derived-from linking: LSH buckets as a ``GroupByKey`` over band keys.

The pure logic (fingerprints, MinHash, verification, direction) is in
``transforms.derived``; this module only moves summaries through the shuffle.

    pytest tests/test_derived.py
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam
from apache_beam.metrics import Metrics

from transforms.derived import LinkSettings, band_keys, minhash, summarize, verify

# --- Beam ---------------------------------------------------------------------------


class _Summarize(beam.DoFn):
    """Article -> (band key, summary) for every band; too few fingerprints -> nothing."""

    def __init__(self, settings: LinkSettings):
        self.settings = settings
        self.skipped = Metrics.counter("newsbeam", "derived_from_unfingerprinted")
        self._coefficients: list[tuple[int, int]] = []

    def setup(self) -> None:
        self._coefficients = self.settings.coefficients()

    def process(self, article: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        try:
            summary = summarize(article)
        except Exception:  # linking is best effort: the article itself goes on untouched
            self.skipped.inc()
            return
        if len(summary["fingerprints"]) < self.settings.min_fingerprints:
            return
        signature = minhash(summary["fingerprints"], self._coefficients)
        keys = band_keys(signature, self.settings.rows)
        # The band keys travel along so that a pair sharing several bands is taken
        # up in only one of them (see bucket_pairs).
        summary["bands"] = keys
        for key in keys:
            yield key, summary


def bucket_pairs(
    bucket: tuple[str, Iterable[dict[str, Any]]], settings: LinkSettings
) -> Iterator[tuple[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]]]:
    """Every pair of distinct articles sharing this band and no earlier one, keyed by
    their sorted ids: near-duplicates share most bands, and a pair taken up once per
    shared band multiplied the work (and, in a shuffle, the memory) many times over.

    >>> a = {"id": "a", "bands": ["0:x", "1:y"]}
    >>> b = {"id": "b", "bands": ["0:x", "1:y"]}
    >>> settings = LinkSettings()
    >>> len(list(bucket_pairs(("0:x", [a, b]), settings))), list(bucket_pairs(("1:y", [a, b]), settings))
    (1, [])
    """
    key, members = bucket
    unique = {m["id"]: m for m in members}
    if len(unique) < 2 or len(unique) > settings.max_bucket:
        return
    band = key.partition(":")[0]
    for left, right in itertools.combinations(sorted(unique), 2):
        a, b = unique[left], unique[right]
        if "bands" in a and "bands" in b:
            first = next(x for x, y in zip(a["bands"], b["bands"], strict=False) if x == y)
            if first.partition(":")[0] != band:
                continue
        yield (left, right), (a, b)


def bucket_links(
    bucket: tuple[str, Iterable[dict[str, Any]]], settings: LinkSettings
) -> Iterator[tuple[str, tuple[float, str]]]:
    """The verified links among a bucket's pairs; each pair is verified once, in the
    first band it shares, so no second shuffle of pairs is needed."""
    for _, (a, b) in bucket_pairs(bucket, settings):
        link = verify(a, b, settings)
        if link is not None:
            yield link


def _best_original(links: Iterable[tuple[float, str]]) -> tuple[float, str]:
    """The most similar original; ties go to the smaller id, so the result never depends on order."""
    return max(links, key=lambda link: (link[0], [-ord(ch) for ch in link[1]]))


def _attach(item: tuple[str, dict[str, list[Any]]]) -> Iterator[dict[str, Any]]:
    _, grouped = item
    links = grouped["link"]
    for article in grouped["article"]:
        if links:
            original = links[0][1]
            yield {**article, "translation": {**article["translation"], "derived_from": original}}
        else:
            yield article


class LinkTranslations(beam.PTransform):
    """Articles -> the same articles, a translation's ``translation.derived_from`` set to its original.

    Every article comes out exactly once; linking never fails an article.
    """

    def __init__(self, settings: LinkSettings | None = None):
        super().__init__()
        self.settings = settings or LinkSettings()

    def expand(self, articles: beam.PCollection) -> beam.PCollection:
        settings = self.settings
        keyed = articles | "KeyById" >> beam.Map(lambda article: (article["id"], article))
        links = (
            articles
            | "FingerprintBands" >> beam.ParDo(_Summarize(settings))
            | "GroupByBand" >> beam.GroupByKey()
            | "VerifyPairsInBucket" >> beam.FlatMap(bucket_links, settings)
            | "BestOriginal" >> beam.CombinePerKey(_best_original)
        )
        return (
            {"article": keyed, "link": links}
            | "JoinLinks" >> beam.CoGroupByKey()
            | "SetDerivedFrom" >> beam.FlatMap(_attach)
        )
