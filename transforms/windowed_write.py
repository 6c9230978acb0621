"""Stage ``write`` of a streaming run: one Avro file per window and pane, finalized when it fires.

``beam.io.WriteToAvro`` does not work on unbounded input (apache/beam#32113), so records
go through ``fileio.WriteToFiles`` with ``AvroSink``, a fastavro ``FileSink``. The names
keep the batch prefixes, ``articles-<window start>-<window end>-<pane>-SSSSS-of-NNNNN.avro``
(``dead_letters-...`` likewise), so ``newsbeam inspect`` and ``newsbeam report`` read
both. A late pane (data within ``--allowed_lateness``) gets a file of its own.

    pytest tests/test_streaming.py
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

import apache_beam as beam
import fastavro
from apache_beam.io import fileio
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.value_provider import StaticValueProvider
from apache_beam.transforms import trigger, window
from apache_beam.utils.timestamp import Duration

from schemas import article_schema, dead_letter_schema
from transforms.write import (
    ARTICLES_PREFIX,
    DEAD_LETTERS_PREFIX,
    SumCountsFn,
    article_counts,
    dead_letter_counts,
    format_summary,
    to_record,
)

SUMMARY_PREFIX = "summary"

AVRO_SUFFIX = ".avro"


class AvroSink(fileio.FileSink):
    """``(pane, record)`` -> one Avro container file (fastavro) of the records, with the given schema."""

    def __init__(self, schema: dict[str, Any]):
        self.schema = schema
        self._writer: fastavro.write.Writer | None = None

    def open(self, fh: BinaryIO) -> None:
        self._writer = fastavro.write.Writer(fh, fastavro.parse_schema(self.schema), codec="deflate")

    def write(self, paned: tuple[int, dict[str, Any]]) -> None:
        assert self._writer is not None, "open() was not called"
        self._writer.write(paned[1])

    def flush(self) -> None:
        # Writes the last block; fileio closes the file and renames it into place.
        if self._writer is not None:
            self._writer.flush()


def window_file_naming(prefix: str, suffix: str = AVRO_SUFFIX) -> fileio.FileNaming:
    """``PREFIX-<window>-pane<N>-SSSSS-of-NNNNN.avro``, the destination being the pane index.

    ``WriteToFiles`` names files without their pane (its writers do not know it), so a
    late firing would overwrite the window's first file: the pane index travels as the
    destination instead (see ``TagPanes``).

    >>> from apache_beam.transforms.window import IntervalWindow
    >>> naming = window_file_naming("articles")
    >>> naming(IntervalWindow(0, 300), None, 0, 1, "", 2)
    'articles-1970-01-01T00:00:00-1970-01-01T00:05:00-pane2-00000-of-00001.avro'
    """

    def name(win, pane, shard_index, total_shards, compression, destination) -> str:
        return fileio.default_file_naming(prefix, suffix)(
            win, None, shard_index, total_shards, compression, None
        ).replace(f"-{shard_index:05d}-of-", f"-pane{destination}-{shard_index:05d}-of-", 1)

    return name


def _tag_pane(
    keyed: tuple[None, Iterable[dict[str, Any]]], pane: Any = beam.DoFn.PaneInfoParam
) -> Iterator[tuple[int, dict[str, Any]]]:
    for record in keyed[1]:
        yield pane.index, record


class TagPanes(beam.PTransform):
    """Records -> ``(pane index, record)``: the firing of the window that holds each record."""

    def expand(self, records: beam.PCollection) -> beam.PCollection:
        return (
            records
            | "KeyByWindow" >> beam.Map(lambda record: (None, record))
            # Fires once when the watermark passes the window, then once per late element.
            | "GroupByFiring" >> beam.GroupByKey()
            | "PaneIndex" >> beam.FlatMap(_tag_pane)
        )


def windowing(window_seconds: int, allowed_lateness: int) -> beam.WindowInto:
    """Fixed windows fired when the watermark passes, and again for each late element within the lateness."""
    return beam.WindowInto(
        window.FixedWindows(window_seconds),
        trigger=trigger.AfterWatermark(late=trigger.AfterCount(1)),
        accumulation_mode=trigger.AccumulationMode.DISCARDING,
        allowed_lateness=Duration(seconds=allowed_lateness),
    )


class WriteWindowedAvro(beam.PTransform):
    """Windowed records -> ``OUTPUT/PREFIX-<window>-<pane>-....avro`` (one shard per pane)."""

    def __init__(self, output: str, prefix: str, schema: dict[str, Any]):
        super().__init__()
        self.output = output
        self.prefix = prefix
        self.schema = schema

    def expand(self, records: beam.PCollection) -> beam.PCollection:
        schema = self.schema
        return (
            records
            | "TagPanes" >> TagPanes()
            | "WriteWindowFiles"
            >> fileio.WriteToFiles(
                self.output,
                destination=lambda paned: paned[0],
                file_naming=window_file_naming(self.prefix),
                sink=lambda _destination: AvroSink(schema),
                shards=1,
                # fileio wants a ValueProvider here; a fixed name, so a restarted run reuses it.
                temp_directory=StaticValueProvider(
                    str, FileSystems.join(self.output, f".temp-{self.prefix}")
                ),
            )
        )


class WriteWindowedArticles(beam.PTransform):
    def __init__(self, output: str):
        super().__init__()
        self.output = output

    def expand(self, articles: beam.PCollection) -> beam.PCollection:
        return (
            articles
            | "KeepSchemaFields" >> beam.Map(to_record)
            | "WriteArticleFiles" >> WriteWindowedAvro(self.output, ARTICLES_PREFIX, article_schema())
        )


class WriteWindowedDeadLetters(beam.PTransform):
    def __init__(self, output: str):
        super().__init__()
        self.output = output

    def expand(self, dead_letters: beam.PCollection) -> beam.PCollection:
        return dead_letters | "WriteDeadLetterFiles" >> WriteWindowedAvro(
            self.output, DEAD_LETTERS_PREFIX, dead_letter_schema()
        )


class JsonSink(fileio.FileSink):
    """``(pane, text)`` -> a file holding the text."""

    def open(self, fh: BinaryIO) -> None:
        self._fh = fh

    def write(self, paned: tuple[int, str]) -> None:
        self._fh.write(paned[1].encode("utf-8"))

    def flush(self) -> None:
        self._fh.flush()


def _counted_item(counts: dict[str, int]) -> dict[str, int]:
    # Every record written is an item of its window: an article or a dead letter.
    return {**counts, "items_read": 1}


def _paned_summary(
    counts: dict[str, int], run_info: dict[str, Any], pane: Any = beam.DoFn.PaneInfoParam
) -> tuple[int, str]:
    import json

    return pane.index, json.dumps(format_summary(counts, run_info), indent=2)


class SummarizeWindows(beam.PTransform):
    """(articles, dead letters) -> ``OUTPUT/summary-<window>-pane<N>-....json``, what each firing wrote.

    Entries dropped as seen before are not in any window: the ``entries_skipped_seen``
    counter of the job's metrics counts them.
    """

    def __init__(self, output: str, run_info: dict[str, Any]):
        super().__init__()
        self.output = output
        self.run_info = dict(run_info)

    def expand(self, pcolls: tuple[beam.PCollection, beam.PCollection]) -> beam.PCollection:
        articles, dead_letters = pcolls
        return (
            (
                articles | "CountArticles" >> beam.Map(lambda a: _counted_item(article_counts(a))),
                dead_letters | "CountDeadLetters" >> beam.Map(lambda d: _counted_item(dead_letter_counts(d))),
            )
            | "GatherCounts" >> beam.Flatten()
            | "SumCounts" >> beam.CombineGlobally(SumCountsFn()).without_defaults()
            | "FormatSummary" >> beam.Map(_paned_summary, self.run_info)
            | "WriteSummaries"
            >> fileio.WriteToFiles(
                self.output,
                destination=lambda paned: paned[0],
                file_naming=window_file_naming(SUMMARY_PREFIX, ".json"),
                sink=lambda _destination: JsonSink(),
                shards=1,
                temp_directory=StaticValueProvider(
                    str, FileSystems.join(self.output, f".temp-{SUMMARY_PREFIX}")
                ),
            )
        )
