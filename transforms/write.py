"""Stage ``write``: Avro files of articles and dead letters, and the run summary.

pytest tests/test_pipeline.py
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems

from schemas import article_schema, dead_letter_schema

ARTICLES_PREFIX = "articles"
DEAD_LETTERS_PREFIX = "dead_letters"
SUMMARY_FILE = "summary.json"

_ARTICLE_FIELDS = tuple(field["name"] for field in article_schema()["fields"])


def to_record(article: dict[str, Any]) -> dict[str, Any]:
    """Exactly the schema's fields, in the schema's order."""
    return {name: article.get(name) for name in _ARTICLE_FIELDS}


class WriteAvroFiles(beam.PTransform):
    """Records -> ``DIR/PREFIX-SSSSS-of-NNNNN.avro`` with the given parsed schema."""

    def __init__(self, output: str, prefix: str, schema: dict[str, Any]):
        super().__init__()
        self.output = output
        self.prefix = prefix
        self.schema = schema

    def expand(self, records: beam.PCollection) -> beam.pvalue.PDone:
        return records | "WriteAvro" >> beam.io.WriteToAvro(
            FileSystems.join(self.output, self.prefix),
            schema=self.schema,
            file_name_suffix=".avro",
        )


class WriteArticles(beam.PTransform):
    def __init__(self, output: str):
        super().__init__()
        self.output = output

    def expand(self, articles: beam.PCollection) -> beam.pvalue.PDone:
        return (
            articles
            | "KeepSchemaFields" >> beam.Map(to_record)
            | "WriteArticleFiles" >> WriteAvroFiles(self.output, ARTICLES_PREFIX, article_schema())
        )


class WriteDeadLetters(beam.PTransform):
    def __init__(self, output: str):
        super().__init__()
        self.output = output

    def expand(self, dead_letters: beam.PCollection) -> beam.pvalue.PDone:
        return dead_letters | "WriteDeadLetterFiles" >> WriteAvroFiles(
            self.output, DEAD_LETTERS_PREFIX, dead_letter_schema()
        )


# --- the run summary -------------------------------------------------------------


def item_counts(_: Any) -> dict[str, int]:
    return {"items_read": 1}


def article_counts(article: dict[str, Any]) -> dict[str, int]:
    """What one article adds to the summary.

    >>> sorted(article_counts({"source": {"kind": "feed"}, "language": {"code": None},
    ...                        "translation": {"is_translation": True}}))
    ['articles_written', 'languages/und', 'sources/feed', 'translations']
    """
    counts = {
        "articles_written": 1,
        f"sources/{article['source']['kind']}": 1,
        f"languages/{article['language']['code'] or 'und'}": 1,
    }
    if article["translation"]["is_translation"]:
        counts["translations"] = 1
    return counts


def dead_letter_counts(letter: dict[str, Any]) -> dict[str, int]:
    return {
        "dead_letters": 1,
        f"dead_letters_by_stage/{letter['stage']}": 1,
        f"dead_letters_by_error/{letter['stage']}: {letter['error_type']}": 1,
    }


class SumCountsFn(beam.CombineFn):
    """Sums dicts of counts; associative and commutative, so it runs anywhere."""

    def create_accumulator(self) -> Counter[str]:
        return Counter()

    def add_input(self, acc: Counter[str], counts: dict[str, int]) -> Counter[str]:
        acc.update(counts)
        return acc

    def merge_accumulators(self, accs: Iterable[Counter[str]]) -> Counter[str]:
        total: Counter[str] = Counter()
        for acc in accs:
            total.update(acc)
        return total

    def extract_output(self, acc: Counter[str]) -> dict[str, int]:
        return dict(acc)


def format_summary(counts: dict[str, int], run_info: dict[str, Any]) -> dict[str, Any]:
    """The summary document: flat counts nested by group, plus whether they add up.

    >>> s = format_summary({"items_read": 2, "articles_written": 1, "dead_letters": 1,
    ...                     "dead_letters_by_stage/parse": 1}, {})
    >>> s["balanced"], s["dead_letters_by_stage"]
    (True, {'parse': 1})
    """
    summary: dict[str, Any] = {**run_info}
    for key in ("items_read", "articles_written", "dead_letters", "translations"):
        summary[key] = counts.get(key, 0)
    for group in ("dead_letters_by_stage", "dead_letters_by_error", "sources", "languages"):
        prefix = group + "/"
        summary[group] = dict(
            sorted((k[len(prefix) :], v) for k, v in counts.items() if k.startswith(prefix))
        )
    summary["balanced"] = summary["items_read"] == (summary["articles_written"] + summary["dead_letters"])
    return summary


class SummarizeRun(beam.PTransform):
    """(items, articles, dead letters) -> ``DIR/summary.json``, one JSON document."""

    def __init__(self, output: str, run_info: dict[str, Any]):
        super().__init__()
        self.output = output
        self.run_info = dict(run_info)

    def expand(self, pcolls: tuple[beam.PCollection, ...]) -> beam.pvalue.PDone:
        items, articles, dead_letters = pcolls
        run_info = self.run_info
        return (
            (
                items | "CountItems" >> beam.Map(item_counts),
                articles | "CountArticles" >> beam.Map(article_counts),
                dead_letters | "CountDeadLetters" >> beam.Map(dead_letter_counts),
            )
            | "GatherCounts" >> beam.Flatten()
            | "SumCounts" >> beam.CombineGlobally(SumCountsFn())
            | "FormatSummary"
            >> beam.Map(lambda counts: json.dumps(format_summary(counts, run_info), indent=2))
            | "WriteSummary"
            >> beam.io.WriteToText(
                FileSystems.join(self.output, "summary"),
                file_name_suffix=".json",
                shard_name_template="",
                num_shards=1,
            )
        )
