"""What scheduled runs remember (``--state DIR``): feed validators, body hashes, entries written.

``DIR/state.json`` holds, per feed URL, the validators of its last answer (``ETag``,
``Last-Modified``) and the hash of its last body, and per source the ids of the
articles already written, each with the last run that found it there (an id its
source, read again, has not held for ``--state_keep_days`` is forgotten).
An article's id is a hash of its source and its entry key
(guid/id, else link, else a hash of title and text: ``transforms.parse``), so an id
seen before is an entry ingested before, whatever its position in the feed.

The run reads the state as a side input (``ReadState``), drops the entries already
written (``SkipIngested``), and writes the new state as its very last step
(``CommitState``): after every output file is final, to a temporary name, then renamed
over ``state.json``. A run that fails anywhere before leaves the previous state as it
was, so the next run redoes its work; the state is the run's commit point, and the
output of a run it does not name is removed by the next run (``uncommitted_runs``).

Each run with a state writes under its own prefix ``OUTPUT/run=<run time>/``
(``run_output``), so runs never overwrite each other.

    pytest tests/test_state.py --doctest-modules transforms/state.py
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics

from transforms.fetch import FAILED, FeedReport, FeedValidators

STATE_FILE = "state.json"
FORMAT = 1
#: Tag of the entries dropped because an earlier run wrote them.
SEEN = "seen"
RUN_PREFIX = "run="
_STAMP = re.compile(r"^(\d{8}T\d{6})(?:\.(\d{3}))?Z$")


class StateError(Exception):
    """A state that cannot be read: the run stops rather than re-ingest everything."""


@dataclass(frozen=True)
class StateSettings:
    """Where the state lives and how long it remembers an entry gone from its source."""

    directory: str
    #: An id is forgotten once its source, read again, has not held it for this long
    #: (0: never). Without it the state of an hourly run over hundreds of feeds only grows.
    keep_days: float = 90.0


@dataclass(frozen=True)
class IngestState:
    """The state of ``--state DIR`` as the run sees it; empty for a first run."""

    #: The run time (ms since the epoch) of the last run that committed this state.
    last_run: int | None = None
    feeds: dict[str, FeedValidators] = field(default_factory=dict)
    #: Source URI -> {article id: run time (ms) of the last run that found it in its source}.
    seen: dict[str, dict[str, int]] = field(default_factory=dict)

    def validators(self) -> dict[str, FeedValidators]:
        return dict(self.feeds)

    def was_written(self, source_uri: str, article_id: str) -> bool:
        return article_id in self.seen.get(source_uri, {})


def to_json(state: IngestState) -> bytes:
    """The state file's bytes: sorted keys, so the same state is the same file.

    >>> to_json(IngestState(5, {"u": FeedValidators('"e"', None, "h")}, {"u": {"id1": 5}})).decode()
    '{"feeds": {"u": {"body_hash": "h", "etag": "\\\\"e\\\\"", "last_modified": null}}, "format": 1, \
"last_run": 5, "seen": {"u": {"id1": 5}}}'
    """
    document = {
        "format": FORMAT,
        "last_run": state.last_run,
        "feeds": {url: v._asdict() for url, v in state.feeds.items()},
        "seen": state.seen,
    }
    return json.dumps(document, sort_keys=True, ensure_ascii=False).encode("utf-8")


def from_json(data: bytes) -> IngestState:
    """Parse a state file; anything unexpected is a StateError.

    >>> from_json(to_json(IngestState(5, {"u": FeedValidators(None, "x", "h")}, {"u": {"a": 5}}))).feeds
    {'u': FeedValidators(etag=None, last_modified='x', body_hash='h')}
    """
    try:
        document = json.loads(data.decode("utf-8"))
        if document.get("format") != FORMAT:
            raise StateError(f"state format {document.get('format')!r}, expected {FORMAT}")
        feeds = {url: FeedValidators(**values) for url, values in document["feeds"].items()}
        seen = {uri: {str(k): int(v) for k, v in ids.items()} for uri, ids in document["seen"].items()}
        last_run = document["last_run"]
        return IngestState(None if last_run is None else int(last_run), feeds, seen)
    except StateError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise StateError(f"the state file is not a newsbeam state: {error}") from None


def state_file(state_dir: str) -> str:
    return FileSystems.join(state_dir.rstrip("/"), STATE_FILE)


def load_state(state_dir: str) -> IngestState:
    """The committed state in ``state_dir`` (any Beam path); empty when there is none yet."""
    path = state_file(state_dir)
    if not FileSystems.exists(path):
        return IngestState()
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
        return from_json(handle.read())


def updated_state(
    old: IngestState,
    run_time_millis: int,
    reports: Iterable[FeedReport],
    written: Iterable[tuple[str, str]],
    present: Iterable[tuple[str, str]] = (),
    keep_days: float = 0.0,
) -> IngestState:
    """The state after this run: new validators and hashes, the ids it wrote added.

    ``written`` and ``present`` (skipped as seen) are the ``(source, id)`` pairs found
    in the sources this run read; they are marked seen now. In those sources, and only
    there, ids not found for ``keep_days`` are dropped: a source that was not read
    (304, unchanged body, failure) says nothing about what left it. A failed feed keeps
    its old validators; a feed not asked for this run keeps its entry.

    >>> old = IngestState(1, {"u": FeedValidators("a", None, "h1")}, {"u": {"x": 1}})
    >>> new = updated_state(old, 2, [FeedReport("u", "fetched", 200, 1, FeedValidators("b", None, "h2"))],
    ...                     [("u", "y")])
    >>> new.last_run, new.feeds["u"].etag, new.seen["u"]
    (2, 'b', {'x': 1, 'y': 2})
    """
    feeds = dict(old.feeds)
    for report in reports:
        if report.status != FAILED:
            feeds[report.url] = report.validators
    seen = {uri: dict(ids) for uri, ids in old.seen.items()}
    read: set[str] = set()
    for uri, article_id in [*written, *present]:
        seen.setdefault(uri, {})[article_id] = run_time_millis
        read.add(uri)
    if keep_days > 0:
        oldest = run_time_millis - int(keep_days * 86_400_000)
        for uri in read:
            seen[uri] = {key: when for key, when in seen[uri].items() if when >= oldest}
    return IngestState(run_time_millis, feeds, seen)


def commit_state(state_dir: str, state: IngestState) -> str:
    """Write the state atomically: a temporary file first, then renamed over ``state.json``.

    A reader sees the old file or the new one, never half of one.
    """
    final = state_file(state_dir)
    temporary = FileSystems.join(state_dir.rstrip("/"), f".{STATE_FILE}.{uuid.uuid4().hex}.tmp")
    with FileSystems.create(temporary, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
        handle.write(to_json(state))
    FileSystems.rename([temporary], [final])
    return final


# --- the run's output prefix ---------------------------------------------------------


def run_stamp(run_time_millis: int) -> str:
    """The run time as a path segment: sortable, no ``:`` (HDFS and Windows refuse it).

    >>> run_stamp(1767225600000), run_stamp(1767225600123)
    ('20260101T000000Z', '20260101T000000.123Z')
    """
    moment = datetime.fromtimestamp(run_time_millis / 1000, UTC)
    millis = run_time_millis % 1000
    return moment.strftime("%Y%m%dT%H%M%S") + (f".{millis:03d}" if millis else "") + "Z"


def parse_run_stamp(stamp: str) -> int | None:
    """The run time (ms) of a ``run_stamp``, or None for anything else.

    >>> parse_run_stamp("20260101T000000.123Z"), parse_run_stamp("latest")
    (1767225600123, None)
    """
    match = _STAMP.match(stamp)
    if not match:
        return None
    moment = datetime.strptime(match[1], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    return int(moment.timestamp()) * 1000 + int(match[2] or 0)


def run_output(output: str, run_time_millis: int) -> str:
    """``OUTPUT/run=<run time>``, this run's own prefix.

    >>> run_output("out", 1767225600000)
    'out/run=20260101T000000Z'
    """
    return FileSystems.join(output.rstrip("/"), RUN_PREFIX + run_stamp(run_time_millis))


def uncommitted_runs(output: str, last_run: int | None) -> dict[str, list[str]]:
    """Run prefixes under ``output`` later than the last committed run, with their files.

    Their run failed before committing the state, so the entries they hold are
    not in the state and the next run writes them again: they must go. With no
    committed run at all nothing is reported, since the prefixes may belong to
    a state kept elsewhere.
    """
    if last_run is None:
        return {}
    runs: dict[str, list[str]] = {}
    pattern = FileSystems.join(output.rstrip("/"), RUN_PREFIX + "*", "*")
    for result in FileSystems.match([pattern]):
        for meta in result.metadata_list:
            directory = meta.path.rsplit("/", 1)[0]
            stamp = parse_run_stamp(directory.rsplit("/", 1)[-1].removeprefix(RUN_PREFIX))
            if stamp is not None and stamp > last_run:
                runs.setdefault(directory, []).append(meta.path)
    return runs


# --- the pipeline's steps ------------------------------------------------------------


def _load(state_dir: str | None) -> IngestState:
    return load_state(state_dir) if state_dir else IngestState()


class ReadState(beam.PTransform):
    """-> one IngestState, the last committed one (empty without ``--state``)."""

    def __init__(self, state_dir: str | None):
        super().__init__()
        self.state_dir = state_dir

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.PCollection:
        return pbegin | "StateDirectory" >> beam.Create([self.state_dir]) | "LoadState" >> beam.Map(_load)


def feed_validators(state: IngestState) -> dict[str, FeedValidators]:
    return state.validators()


class SkipSeenFn(beam.DoFn):
    """Articles an earlier run wrote leave by the ``seen`` output; the others go on."""

    def __init__(self) -> None:
        self.skipped = Metrics.counter("newsbeam", "entries_already_written")

    def process(self, article: dict[str, Any], state: IngestState) -> Iterator[Any]:
        if state.was_written(article["source"]["uri"], article["id"]):
            self.skipped.inc()
            yield pvalue.TaggedOutput(SEEN, article)
        else:
            yield article


class SkipIngested(beam.PTransform):
    """Candidates -> new ones (``new``) and those written by an earlier run (``seen``)."""

    def __init__(self, state: beam.PCollection):
        super().__init__()
        self.state = state

    def expand(self, articles: beam.PCollection) -> pvalue.DoOutputsTuple:
        return articles | "DropWrittenBefore" >> beam.ParDo(
            SkipSeenFn(), beam.pvalue.AsSingleton(self.state)
        ).with_outputs(SEEN, main="new")


def _written_key(article: dict[str, Any]) -> tuple[str, str]:
    return article["source"]["uri"], article["id"]


class CommitStateFn(beam.DoFn):
    def __init__(self, run_time_millis: int, keep_days: float):
        self.run_time_millis = run_time_millis
        self.keep_days = keep_days

    def process(
        self,
        state_dir: str,
        old: IngestState,
        written: list[tuple[str, str]],
        present: list[tuple[str, str]],
        reports: list[FeedReport],
        finished: list[str],
    ) -> Iterator[str]:
        # ``finished`` (the output files, final) is only here to order this step after the writes.
        del finished
        new = updated_state(
            old, self.run_time_millis, reports, sorted(written), sorted(present), self.keep_days
        )
        yield commit_state(state_dir, new)


class CommitState(beam.PTransform):
    """(old state, articles written, skipped as seen, feed reports, output files) -> ``state.json``.

    Runs once, after every output file is final: the file names come in as a side
    input, and a side input is complete only when its producer is done.
    """

    def __init__(self, settings: StateSettings, run_time_millis: int):
        super().__init__()
        self.settings = settings
        self.run_time_millis = run_time_millis

    def expand(self, pcolls: tuple[beam.PCollection, ...]) -> beam.PCollection:
        state, articles, skipped, reports, finished = pcolls
        written = articles | "KeyWritten" >> beam.Map(_written_key)
        present = skipped | "KeySeen" >> beam.Map(_written_key)
        return (
            state.pipeline
            | "StateDirectory" >> beam.Create([self.settings.directory])
            | "WriteState"
            >> beam.ParDo(
                CommitStateFn(self.run_time_millis, self.settings.keep_days),
                beam.pvalue.AsSingleton(state),
                beam.pvalue.AsList(written),
                beam.pvalue.AsList(present),
                beam.pvalue.AsList(reports),
                beam.pvalue.AsList(finished),
            )
        )
