"""Stage ``write``: Avro files of articles and dead letters, and the run summary.

pytest tests/test_pipeline.py
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.transforms.window import GlobalWindows
from apache_beam.utils.windowed_value import WindowedValue

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


#: Per-source counts are keyed ``by_source<SEP>uri<SEP>field``; a URI may hold any other character.
_SEP = "\x1f"
#: What the summary says of each fetched feed, in this order.
FEED_FIELDS = ("entries", "new", "skipped_seen", "dead_letters")


def _by_source(uri: str | None, field: str) -> dict[str, int]:
    return {f"by_source{_SEP}{uri}{_SEP}{field}": 1} if uri else {}


def item_counts(item: dict[str, Any]) -> dict[str, int]:
    """An item is an entry of its source unless it is a feed that could not be fetched."""
    counts = {"items_read": 1}
    if isinstance(item, dict):
        if "stage" in item:
            if item["stage"] != "fetch":
                counts.update(_by_source(item.get("source_uri"), "entries"))
        else:
            counts.update(_by_source(item.get("source", {}).get("uri"), "entries"))
    return counts


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
    counts.update(_by_source(article["source"].get("uri"), "new"))
    return counts


def dead_letter_counts(letter: dict[str, Any]) -> dict[str, int]:
    return {
        "dead_letters": 1,
        f"dead_letters_by_stage/{letter['stage']}": 1,
        f"dead_letters_by_error/{letter['stage']}: {letter['error_type']}": 1,
        **_by_source(letter.get("source_uri"), "dead_letters"),
    }


def skipped_counts(article: dict[str, Any]) -> dict[str, int]:
    """An entry an earlier run wrote (``--state``): accounted for, not written again."""
    return {"skipped_seen": 1, **_by_source(article["source"].get("uri"), "skipped_seen")}


def report_counts(report: Any) -> dict[str, int]:
    """A fetched feed's status (``transforms.fetch.FeedReport``) as counts.

    >>> from transforms.fetch import FeedReport, FeedValidators
    >>> sorted(k.replace(_SEP, "|") for k in report_counts(
    ...     FeedReport("https://a.test/rss", "fetched", 200, 1, FeedValidators())))
    ['feed_http|https://a.test/rss|200', 'feed_status|https://a.test/rss|fetched', 'feeds/fetched']
    """
    counts = {f"feeds/{report.status}": 1, f"feed_status{_SEP}{report.url}{_SEP}{report.status}": 1}
    if report.http_status is not None:
        counts[f"feed_http{_SEP}{report.url}{_SEP}{report.http_status}"] = 1
    return counts


def feed_summaries(counts: dict[str, int]) -> dict[str, dict[str, Any]]:
    """Per fetched feed: status, HTTP status, entries seen, new, skipped as seen, dead letters.

    >>> s = _SEP
    >>> feed_summaries({f"feed_status{s}u{s}not_modified": 1, f"feed_http{s}u{s}304": 1,
    ...                 f"by_source{s}f.xml{s}new": 3, f"by_source{s}u{s}dead_letters": 0})
    {'u': {'status': 'not_modified', 'http_status': 304, 'entries': 0, 'new': 0, 'skipped_seen': 0, \
'dead_letters': 0}}
    """
    feeds: dict[str, dict[str, Any]] = {}
    for key in counts:
        kind, _, rest = key.partition(_SEP)
        if kind == "feed_status":
            url, _, status = rest.rpartition(_SEP)
            feeds[url] = {"status": status, "http_status": None, **dict.fromkeys(FEED_FIELDS, 0)}
    for key, value in counts.items():
        kind, _, rest = key.partition(_SEP)
        if kind == "feed_http":
            url, _, code = rest.rpartition(_SEP)
            if url in feeds:
                feeds[url]["http_status"] = int(code)
        elif kind == "by_source":
            uri, _, name = rest.rpartition(_SEP)
            if uri in feeds:
                feeds[uri][name] = value
    return dict(sorted(feeds.items()))


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
    for key in ("items_read", "articles_written", "dead_letters", "skipped_seen", "translations"):
        summary[key] = counts.get(key, 0)
    for group in ("dead_letters_by_stage", "dead_letters_by_error", "sources", "languages", "feeds"):
        prefix = group + "/"
        summary[group] = dict(
            sorted((k[len(prefix) :], v) for k, v in counts.items() if k.startswith(prefix))
        )
    # "feeds" counts fetched feeds by status; "feed_details" says what each one gave.
    summary["feed_details"] = feed_summaries(counts)
    summary["balanced"] = summary["items_read"] == (
        summary["articles_written"] + summary["dead_letters"] + summary["skipped_seen"]
    )
    return summary


class SumInBundle(beam.DoFn):
    """Each element's counts (``fn``), summed over a bundle: one dict of counts leaves per bundle.

    Batch runs only (the sums leave in the global window). Summing here, in the stage that
    makes the elements, keeps every element out of the gathering ``Flatten`` (a runner holds
    a ``Flatten`` of several stages' outputs whole) and needs no combine of its own per
    input: each such combine was a shuffle and a stage, and on a multi-process runner every
    stage costs each worker a bundle and a round trip.
    """

    def __init__(self, fn: Callable[[Any], dict[str, int]]):
        self.fn = fn
        self._sum: Counter[str] = Counter()

    def start_bundle(self) -> None:
        self._sum = Counter()

    def process(self, element: Any) -> Iterator[dict[str, int]]:
        self._sum.update(self.fn(element))
        return iter(())

    def finish_bundle(self) -> Iterator[WindowedValue]:
        if self._sum:
            yield GlobalWindows.windowed_value(dict(self._sum))
        self._sum = Counter()


def write_summary(counts: dict[str, int], output: str, run_info: dict[str, Any]) -> str:
    """``output/summary.json`` from the run's counts: written to a temporary name, then
    renamed, so that a reader never sees half a summary (a retried write replaces it whole)."""
    path = FileSystems.join(output, SUMMARY_FILE)
    temporary = FileSystems.join(output, f".{SUMMARY_FILE}.{uuid.uuid4().hex}.tmp")
    with FileSystems.create(temporary) as handle:
        handle.write(json.dumps(format_summary(counts, run_info), indent=2).encode("utf-8"))
    if FileSystems.exists(path):
        FileSystems.delete([path])
    FileSystems.rename([temporary], [path])
    return path


class SummarizeRun(beam.PTransform):
    """(items, articles, dead letters[, skipped as seen, feed reports]) -> ``DIR/summary.json``.

    Also a dict of these by name (``items``, ``articles``, ``dead_letters``, ``skipped``,
    ``reports``), each one PCollection or a tuple of them: a run without ``--state`` or
    feeds builds no stage for what it does not have. Each input is summed where it is
    made (``SumInBundle``) and only the sums are gathered: a runner holds the whole
    input of a ``Flatten`` of several stages' outputs (the DirectRunner in memory), and
    gathering the items themselves held every article of the run. One combine adds the
    sums up and one step writes the file: three stages in all (there were eleven, each a
    bundle and a round trip on every worker of a multi-process run).
    """

    NAMES = ("items", "articles", "dead_letters", "skipped", "reports")
    #: (input, label of its stage, counts of one element), in summary order.
    COUNTERS: tuple[tuple[str, str, Callable[[Any], dict[str, int]]], ...] = (
        ("items", "CountItems", item_counts),
        ("articles", "CountArticles", article_counts),
        ("dead_letters", "CountDeadLetters", dead_letter_counts),
        ("skipped", "CountSkipped", skipped_counts),
        ("reports", "CountFeeds", report_counts),
    )

    def __init__(self, output: str, run_info: dict[str, Any]):
        super().__init__()
        self.output = output
        self.run_info = dict(run_info)

    def expand(self, pcolls: tuple[beam.PCollection, ...] | dict[str, Any]) -> beam.PCollection:
        named = dict(pcolls) if isinstance(pcolls, dict) else dict(zip(self.NAMES, pcolls, strict=False))
        sums = []
        pipeline = None
        for name, label, fn in self.COUNTERS:
            parts = named.get(name)
            if parts is None:
                continue
            for index, part in enumerate(parts if isinstance(parts, tuple | list) else (parts,)):
                suffix = f"[{index}]" if isinstance(parts, tuple | list) else ""
                pipeline = part.pipeline
                sums.append(part | f"{label}{suffix}" >> beam.ParDo(SumInBundle(fn)))
        assert pipeline is not None, "SummarizeRun needs at least one input"
        # A run that read nothing still writes its (empty, balanced) summary.
        sums.append(pipeline | "NoCounts" >> beam.Create([{}]))
        return (
            tuple(sums)
            | "GatherCounts" >> beam.Flatten()
            | "SumCounts" >> beam.CombineGlobally(SumCountsFn()).without_defaults()
            | "WriteSummary" >> beam.Map(write_summary, self.output, self.run_info)
        )
