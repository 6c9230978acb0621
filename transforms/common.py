"""Shared pieces of every stage: run settings, dead letters, the per-element
error guard and stable ids.

Doctests run with ``make test``.
"""

from __future__ import annotations

import atexit
import gc
import hashlib
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics


def freeze_heap_at_exit() -> None:
    """Move every live object out of the garbage collector's reach as the process exits.

    A process that imported Beam spends 0.4-0.5 s of its exit in the collector's passes over
    its heap (modules, models: 150,000 objects and more) while the interpreter tears it down;
    after ``gc.freeze()`` those passes skip them (0.03 s), and objects still go away by
    reference counting. A multi-process DirectRunner run pays that exit once per worker, one
    after the other (the runner stops its workers in turn), and again in the launcher.
    Registered with ``atexit`` when this module is first imported, in the launcher as in
    every SDK worker (unpickling a stage imports it): the hooks run before the interpreter's
    final collections. Nothing may rely on a collection at exit: sinks and spill files are
    closed explicitly, as they must be on any runner.
    """
    gc.freeze()


atexit.register(freeze_heap_at_exit)

#: Largest payload kept in a dead letter; enough to see what went wrong.
PAYLOAD_CAP = 64 * 1024

DEAD_LETTER = "dead_letter"


@dataclass(frozen=True)
class RunSettings:
    """What every stage needs to know about the run; picklable and immutable."""

    run_time_millis: int
    pipeline_version: str
    max_bytes: int = 50 * 1024 * 1024
    language_seed: int = 0


def pipeline_version() -> str:
    """The installed package version (``0+unknown`` when running from a bare tree)."""
    try:
        return metadata.version("newsbeam")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def stable_id(*parts: str | None) -> str:
    """A short, stable hex id of the given parts.

    >>> stable_id("feed", "file:///a.xml", "guid-1")
    '1ea935294bf386c6fafb00c4f461b553'
    >>> stable_id("feed", "file:///a.xml", "guid-1") == stable_id("feed", "file:///a.xml", "guid-2")
    False
    """
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update((part or "").encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")
    return h.hexdigest()


_SURROGATES = re.compile("[\ud800-\udfff]")


def without_surrogates(text: str) -> tuple[str, int]:
    """Surrogate code points (from JSON escapes such as ``\\ud800``) made valid.

    A pair becomes its character, a lone one U+FFFD; no encoder accepts them as they are.

    >>> without_surrogates("ok")
    ('ok', 0)
    >>> without_surrogates("a" + chr(0xD83D) + chr(0xDE00) + " b" + chr(0xD800))
    ('a😀 b�', 2)
    """
    if not _SURROGATES.search(text):
        return text, 0
    # Through UTF-16: a valid pair joins into one character, a lone half fails to U+FFFD.
    fixed = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return fixed, _count_fixed(text)


def _count_fixed(text: str) -> int:
    """How many surrogate characters or pairs were replaced."""
    count, i = 0, 0
    while i < len(text):
        ch = text[i]
        if "\ud800" <= ch <= "\udbff" and i + 1 < len(text) and "\udc00" <= text[i + 1] <= "\udfff":
            count += 1
            i += 2
            continue
        if "\ud800" <= ch <= "\udfff":
            count += 1
        i += 1
    return count


def safe_str(text: str | None) -> str | None:
    """A string any encoder accepts (surrogates replaced)."""
    return None if text is None else without_surrogates(text)[0]


def to_payload(value: Any) -> bytes:
    """The offending input as bytes for a dead letter, capped at PAYLOAD_CAP.

    >>> to_payload(b"abc")
    b'abc'
    >>> to_payload({"text": "é"})
    b'{"text": "\\xc3\\xa9"}'
    >>> len(to_payload(b"x" * (PAYLOAD_CAP + 10))) == PAYLOAD_CAP
    True
    """
    if isinstance(value, bytes):
        data = value
    elif isinstance(value, str):
        data = value.encode("utf-8", "surrogatepass")
    else:
        data = json.dumps(value, ensure_ascii=False, sort_keys=True, default=repr).encode(
            "utf-8", "surrogatepass"
        )
    return data[:PAYLOAD_CAP]


def dead_letter(
    *,
    source_uri: str,
    stage: str,
    error: BaseException | str,
    payload: Any,
    run_time_millis: int,
    entry_id: str | None = None,
    error_type: str | None = None,
) -> dict[str, Any]:
    """A dead-letter record (schema ``dead_letter.avsc``)."""
    if isinstance(error, BaseException):
        error_type = error_type or type(error).__name__
        message = str(error) or type(error).__name__
    else:
        message = error
    return {
        "source_uri": safe_str(source_uri),
        "entry_id": safe_str(entry_id),
        "stage": stage,
        "error_type": error_type or "Error",
        "error_message": safe_str(message[:2000]),
        "payload": to_payload(payload),
        "ingested_at": run_time_millis,
    }


class InputError(ValueError):
    """An input item that cannot become an article; its class name is the error type."""


class StageDoFn(beam.DoFn):
    """Runs a per-article function; an exception turns the article into a dead letter.

    One bad article never fails the bundle: it leaves by the ``dead_letter``
    output tagged with the stage, so the bundle's main output stays complete.
    """

    DEAD_LETTER = DEAD_LETTER

    def __init__(self, stage: str, settings: RunSettings):
        self.stage = stage
        self.settings = settings
        self.processed = Metrics.counter("newsbeam", f"{stage}_ok")
        self.failed = Metrics.counter("newsbeam", f"{stage}_dead_letters")

    def apply(self, article: dict[str, Any]) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def process(self, article: dict[str, Any]) -> Iterator[Any]:
        try:
            result = self.apply(article)
        except Exception as error:  # every failure becomes a dead letter
            self.failed.inc()
            yield pvalue.TaggedOutput(
                self.DEAD_LETTER,
                dead_letter(
                    source_uri=article["source"]["uri"],
                    entry_id=article["source"].get("entry_id"),
                    stage=self.stage,
                    error=error,
                    payload=article,
                    run_time_millis=self.settings.run_time_millis,
                ),
            )
            return
        self.processed.inc()
        yield result


class ApplyToArticle(StageDoFn):
    """A StageDoFn around a plain function built once per worker in ``setup()``.

    ``factory`` returns the per-article function; heavy objects (models,
    detectors) live in its closure, never in module globals.

    A bundle long enough that building the function again costs at most 2 % of it
    (``RELEASE_FACTOR`` times the build, ``RELEASE_MIN_SECONDS`` at least) releases the
    function at its end, and the next bundle builds it again. A worker holds the stage's
    models (the language profiles and word lists alone are over 100 MB) while it runs the
    stages after it: in a batch run the verification of derived-from links, whose buffers
    grow with the run, then fits in the memory the models gave back. Short bundles (a
    streaming run's, a small batch's) keep the function: they would pay the build each time.
    """

    RELEASE_FACTOR = 50
    RELEASE_MIN_SECONDS = 10.0

    def __init__(
        self,
        stage: str,
        settings: RunSettings,
        factory: Callable[[RunSettings], Callable[[dict[str, Any]], dict[str, Any]]],
    ):
        super().__init__(stage, settings)
        self.factory = factory
        self.released = Metrics.counter("newsbeam", f"{stage}_models_released")
        self._fn: Callable[[dict[str, Any]], dict[str, Any]] | None = None
        self._build_seconds = 0.0
        self._bundle_started = 0.0

    def _build(self) -> None:
        started = time.perf_counter()
        self._fn = self.factory(self.settings)
        self._build_seconds = time.perf_counter() - started

    def setup(self) -> None:
        self._build()

    def start_bundle(self) -> None:
        if self._fn is None:
            self._build()
        self._bundle_started = time.perf_counter()

    def finish_bundle(self) -> None:
        lasted = time.perf_counter() - self._bundle_started
        if lasted >= max(self.RELEASE_MIN_SECONDS, self.RELEASE_FACTOR * self._build_seconds):
            self._fn = None
            self.released.inc()

    def apply(self, article: dict[str, Any]) -> dict[str, Any]:
        assert self._fn is not None, "setup() was not called"
        return self._fn(article)


def run_stage(
    pcoll: beam.PCollection,
    label: str,
    stage: str,
    settings: RunSettings,
    factory: Callable[[RunSettings], Callable[[dict[str, Any]], dict[str, Any]]],
) -> tuple[beam.PCollection, beam.PCollection]:
    """Apply a per-article stage; returns (articles, dead letters)."""
    outputs = pcoll | label >> beam.ParDo(ApplyToArticle(stage, settings, factory)).with_outputs(
        DEAD_LETTER, main="articles"
    )
    return outputs.articles, outputs[DEAD_LETTER]
