"""The streaming pipeline (``newsbeam ingest --streaming``): the batch stages, unbounded.

Sources: feeds polled every ``--poll_interval`` seconds, files appearing under ``--input``,
Pub/Sub messages (``--pubsub_subscription``, on Dataflow). Entries already emitted are
dropped (Beam state keyed by source, forgotten after ``--state_keep_days``), stamped
with their event time, windowed in ``--window_seconds`` fixed windows and written as
Avro files per window (``transforms.windowed_write``).

Locally the DirectRunner runs it: with ``--streaming`` Beam's Python DirectRunner hands the
job to its BundleBasedDirectRunner, which runs PeriodicImpulse, MatchContinuously, state,
timers and TestStream (the FnApiRunner does not stream; Prism needs a binary downloaded
from GitHub). ``--max_run_seconds`` stops the sources after that long: the watermark
then reaches the end of time, every window fires and its files are final (a drain).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from typing import Any

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.runners.runner import PipelineState

from transforms.common import DEAD_LETTER, RunSettings
from transforms.enrich import enrich_articles
from transforms.fetch import FetchSettings
from transforms.link import LinkTranslations
from transforms.parse import ParseItems
from transforms.stream import (
    FEED_URLS,
    FetchChanged,
    MessageItems,
    PollFeeds,
    SkipSeenEntries,
    StampEventTime,
    StreamSettings,
    WatchFiles,
)
from transforms.windowed_write import (
    SummarizeWindows,
    WriteWindowedArticles,
    WriteWindowedDeadLetters,
    windowing,
)
from transforms.write import ARTICLES_PREFIX, DEAD_LETTERS_PREFIX

log = logging.getLogger("newsbeam")


def watch_pattern(path: str) -> str:
    """The match pattern watched for one ``--input``: a directory (existing or not) means ``dir/**``.

    >>> watch_pattern("gs://bucket/incoming/")
    'gs://bucket/incoming/**'
    >>> watch_pattern("gs://bucket/incoming/*.jsonl")
    'gs://bucket/incoming/*.jsonl'
    """
    if any(char in path for char in "*?["):
        return path
    local = path.removeprefix("file://")
    if "://" not in path and os.path.isfile(local):
        return os.path.abspath(local)
    if "://" not in path:
        return os.path.join(os.path.abspath(local), "**")
    return FileSystems.join(path.rstrip("/"), "**")


def build_streaming_pipeline(
    pipeline: beam.Pipeline,
    patterns: Sequence[str],
    output: str,
    settings: RunSettings,
    stream: StreamSettings,
    feeds: Sequence[str] = (),
    fetch: FetchSettings | None = None,
    subscription: str | None = None,
    messages: beam.PCollection | None = None,
    run_info: dict[str, Any] | None = None,
) -> beam.Pipeline:
    """Every stage of the batch pipeline between unbounded sources and windowed files.

    ``messages`` (message bodies as bytes) replaces the Pub/Sub read: tests feed a TestStream.
    """
    fetch = fetch or FetchSettings()
    sources: list[beam.PCollection] = []
    candidates: list[beam.PCollection] = []
    dead: list[beam.PCollection] = []
    urls: list[beam.PCollection] = []
    if patterns:
        # Named as the batch stage it replaces: the same stage names on every runner's job.
        files = pipeline | "ReadInputs" >> WatchFiles(patterns, stream, settings)
        sources.append(files.files)
        dead.append(files[DEAD_LETTER])
    if feeds:
        urls.append(pipeline | "PollFeeds" >> PollFeeds(feeds, stream))
    if subscription or messages is not None:
        if messages is None:
            messages = pipeline | "ReadPubSub" >> beam.io.ReadFromPubSub(subscription=subscription)
        items = messages | "MessageItems" >> MessageItems(subscription or "pubsub", settings)
        candidates.append(items.articles)
        urls.append(items[FEED_URLS])
        dead.append(items[DEAD_LETTER])
    if urls:
        due = urls | "GatherFeedUrls" >> beam.Flatten()
        fetched = due | "FetchFeeds" >> FetchChanged(fetch, settings)
        sources.append(fetched.files)
        dead.append(fetched[DEAD_LETTER])
    if not sources and not candidates:
        raise ValueError("a streaming run needs --input, --feeds or --pubsub_subscription")

    if sources:
        parsed = sources | "GatherSources" >> beam.Flatten() | "ParseItems" >> ParseItems(settings)
        candidates.append(parsed.articles)
        dead.append(parsed[DEAD_LETTER])
    window = windowing(stream.window_seconds, stream.allowed_lateness)
    # Seen ids are per source, across all time: deduplicated in the global window, then windowed.
    fresh = (
        candidates
        | "GatherCandidates" >> beam.Flatten()
        | "SkipSeenEntries" >> SkipSeenEntries(stream.seen_ttl_seconds)
        | "StampEventTime" >> StampEventTime(stream.allowed_lateness)
        | "WindowArticles" >> window
    )
    # Translations are linked to originals within a window (its GroupByKeys group per window).
    articles, stage_failures = enrich_articles(fresh, settings, LinkTranslations())

    early_dead = dead | "GatherSourceDeadLetters" >> beam.Flatten() | "WindowDeadLetters" >> window
    dead_letters = (early_dead, *stage_failures) | "GatherDeadLetters" >> beam.Flatten()
    _ = articles | "WriteArticles" >> WriteWindowedArticles(output)
    _ = dead_letters | "WriteDeadLetters" >> WriteWindowedDeadLetters(output)
    _ = (articles, dead_letters) | "SummarizeRun" >> SummarizeWindows(output, dict(run_info or {}))
    return pipeline


def written_files(output: str) -> dict[str, list[str]]:
    """The window files of a streaming run's output, by prefix."""
    found = {}
    for prefix in (ARTICLES_PREFIX, DEAD_LETTERS_PREFIX):
        pattern = FileSystems.join(output, f"{prefix}-*.avro")
        found[prefix] = sorted(meta.path for meta in FileSystems.match([pattern])[0].metadata_list)
    return found


def launch_streaming(
    pipeline: beam.Pipeline, options: PipelineOptions, output: str, dry_run: bool, stream: StreamSettings
) -> dict[str, Any]:
    """Run a streaming job; locally (a bounded ``--max_run_seconds``) wait for its drain."""
    from pipelines.ingest import launch

    if dry_run or "DirectRunner" not in type(pipeline.runner).__name__:
        # Dataflow and other services: submitted, not waited for (the job is printed).
        return launch(pipeline, options, output, dry_run)
    started = time.time()
    result = pipeline.run()
    # The DirectRunner returns once the sources stopped and every window fired.
    result.wait_until_finish()
    files = written_files(output)
    job = {"runner": type(pipeline.runner).__name__, "state": str(result.state), "streaming": True}
    if result.state != PipelineState.DONE:
        return {"job": job, "output": output, "note": "the job did not finish"}
    return {
        "job": job,
        "output": output,
        "seconds": round(time.time() - started, 1),
        "window_files": {prefix: len(paths) for prefix, paths in files.items()},
        "note": "the sources stopped (--max_run_seconds) and every window was written",
    }


def run_streaming(options: PipelineOptions) -> dict[str, Any]:
    """``newsbeam ingest --streaming``: check the options, build the streaming pipeline, launch it."""
    from apache_beam.options.pipeline_options import SetupOptions, TestOptions

    from pipelines.ingest import (
        UsageError,
        _flag,
        _is_local,
        _runs_on_dataflow,
        feed_urls,
        fetch_settings,
        parse_run_time,
    )
    from pipelines.options import IngestOptions
    from transforms.common import pipeline_version
    from transforms.fetch import is_feed_url

    ingest = options.view_as(IngestOptions)
    inputs = list(ingest.input or [])
    if not inputs and not ingest.feeds and not ingest.pubsub_subscription:
        raise UsageError(
            "--streaming needs --input (a directory to watch or a feed URL), --feeds FILE "
            "or --pubsub_subscription"
        )
    if not ingest.output:
        raise UsageError("--output is required (a directory)")
    if ingest.state:
        raise UsageError("--state is for scheduled batch runs; a streaming run keeps its state in Beam")
    if ingest.poll_interval <= 0 or ingest.window_seconds <= 0 or ingest.allowed_lateness < 0:
        raise UsageError("--poll_interval, --window_seconds must be positive, --allowed_lateness 0 or more")
    if ingest.max_run_seconds is not None and ingest.max_run_seconds <= 0:
        raise UsageError("--max_run_seconds must be positive")
    subscription = ingest.pubsub_subscription
    if subscription and not subscription.startswith("projects/"):
        raise UsageError("--pubsub_subscription must be projects/PROJECT/subscriptions/NAME")
    fetch = fetch_settings(ingest)
    dry_run = _flag(options.view_as(TestOptions).dry_run)
    options.view_as(TestOptions).dry_run = dry_run
    feeds = feed_urls(inputs, None if dry_run and not _is_local(ingest.feeds or "") else ingest.feeds)
    if _runs_on_dataflow(options):
        local = [path for path in [*inputs, ingest.output] if _is_local(path) and not is_feed_url(path)]
        if local:
            raise UsageError(f"{local[0]}: Dataflow workers cannot reach local paths; use gs:// paths")
    patterns = sorted({watch_pattern(path) for path in inputs if not is_feed_url(path)})
    options.view_as(SetupOptions).save_main_session = False
    run_time = parse_run_time(ingest.run_time)
    settings = RunSettings(
        run_time_millis=int(run_time.timestamp() * 1000),
        pipeline_version=pipeline_version(),
        max_bytes=ingest.max_bytes,
        language_seed=ingest.language_seed,
    )
    start = time.time()
    stream = StreamSettings(
        poll_interval=ingest.poll_interval,
        window_seconds=ingest.window_seconds,
        allowed_lateness=ingest.allowed_lateness,
        seen_ttl_seconds=ingest.state_keep_days * 86400.0 if ingest.state_keep_days else float(10**10),
        start=start,
        stop=None if ingest.max_run_seconds is None else start + ingest.max_run_seconds,
    )
    pipeline = beam.Pipeline(options=options)
    run_info = {
        "run_time": run_time.isoformat().replace("+00:00", "Z"),
        "pipeline_version": settings.pipeline_version,
        "inputs": inputs,
        "output": ingest.output,
        "streaming": True,
    }
    if subscription:
        run_info["pubsub_subscription"] = subscription
    build_streaming_pipeline(
        pipeline, patterns, ingest.output, settings, stream, feeds, fetch, subscription, run_info=run_info
    )
    return launch_streaming(pipeline, options, ingest.output, dry_run, stream)
