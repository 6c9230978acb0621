"""The batch ingestion pipeline: files in, Avro articles, dead letters and a summary out.

newsbeam ingest --input samples --output out --run_time 2026-01-01T00:00:00Z
python -m pipelines.ingest --input samples --output out
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import sys
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import apache_beam as beam
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import (
    GoogleCloudOptions,
    PipelineOptions,
    SetupOptions,
    StandardOptions,
    TestOptions,
)
from apache_beam.runners.runner import PipelineState

from pipelines.options import IngestOptions
from transforms.common import RunSettings, pipeline_version
from transforms.enrich import enrich_articles
from transforms.fetch import FEED_REPORT, FetchFeeds, FetchSettings, is_feed_url, read_feed_list
from transforms.link import LinkTranslations
from transforms.parse import ParseItems
from transforms.read import ReadInputs
from transforms.state import (
    SEEN,
    CommitState,
    ReadState,
    SkipIngested,
    StateError,
    StateSettings,
    feed_validators,
    load_state,
    run_output,
    uncommitted_runs,
)
from transforms.write import (
    ARTICLES_PREFIX,
    DEAD_LETTERS_PREFIX,
    SUMMARY_FILE,
    SummarizeRun,
    WriteArticles,
    WriteDeadLetters,
)

log = logging.getLogger("newsbeam")

_GLOB = re.compile(r"[*?\[]")


class UsageError(Exception):
    """A mistake on the command line; reported in one line, exit status 2."""


def parse_run_time(value: str | None) -> datetime:
    """The run's logical time in UTC, to the millisecond.

    >>> parse_run_time("2024-06-07T09:30:00+02:00").isoformat()
    '2024-06-07T07:30:00+00:00'
    >>> parse_run_time("2024-06-07").isoformat()
    '2024-06-07T00:00:00+00:00'
    """
    if value is None:
        moment = datetime.now(UTC)
    else:
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise UsageError(f"--run_time {value!r} is not an ISO 8601 date or time") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _is_local(path: str) -> bool:
    scheme = urlparse(path).scheme
    return scheme in ("", "file") or (len(scheme) == 1 and os.name == "nt")


def resolve_input(path: str, check_remote: bool = True) -> str:
    """A Beam match pattern for one ``--input``: directories become ``dir/**``.

    Raises UsageError when nothing is there, so a typo never runs an empty job.
    With ``check_remote`` false (a dry run: no credentials, no network) a remote
    path is not looked up: one ending in ``/`` or without a file extension is
    taken for a directory.

    >>> resolve_input("gs://bucket/feeds", check_remote=False)
    'gs://bucket/feeds/**'
    >>> resolve_input("gs://bucket/feeds/wire.jsonl", check_remote=False)
    'gs://bucket/feeds/wire.jsonl'
    """
    if not check_remote and not _is_local(path):
        name = path.rstrip("/").rsplit("/", 1)[-1]
        if _GLOB.search(path) or not (path.endswith("/") or "." not in name):
            return path
        return path.rstrip("/") + "/**"
    if _GLOB.search(path):
        if not FileSystems.match([path])[0].metadata_list:
            raise UsageError(f"--input {path}: no file matches this pattern")
        return path
    if _is_local(path):
        local = path.removeprefix("file://")
        if os.path.isdir(local):
            return os.path.join(os.path.abspath(local), "**")
        if os.path.isfile(local):
            return os.path.abspath(local)
        raise UsageError(f"--input {path}: no such file or directory")
    if FileSystems.exists(path) and not path.endswith("/"):
        return path
    directory = FileSystems.join(path.rstrip("/"), "**")
    if FileSystems.match([directory], limits=[1])[0].metadata_list:
        return directory
    raise UsageError(f"--input {path}: no such file or directory")


def clear_previous_outputs(output: str) -> int:
    """Delete the files an earlier run left in ``output``; shards of another count would mix.

    Also the temporary files of LinkTranslations that a failed run (or a retried bundle)
    left behind. Returns how many files were deleted.
    """
    patterns = [
        FileSystems.join(output, f"{ARTICLES_PREFIX}-*-of-*.avro"),
        FileSystems.join(output, f"{DEAD_LETTERS_PREFIX}-*-of-*.avro"),
        FileSystems.join(output, SUMMARY_FILE),
        # A summary a failed run was writing (``transforms.write.write_summary``).
        FileSystems.join(output, f".{SUMMARY_FILE}.*.tmp"),
        FileSystems.join(output, f"{LINK_TEMP_PREFIX}*", "*"),
    ]
    stale = []
    for result in FileSystems.match(patterns):
        stale.extend(meta.path for meta in result.metadata_list)
    if stale:
        FileSystems.delete(stale)
    # The emptied directories themselves (an object store has none left to delete).
    temp_dirs = {
        FileSystems.split(path)[0]
        for path in stale
        if FileSystems.split(FileSystems.split(path)[0])[1].startswith(LINK_TEMP_PREFIX)
    }
    leftover = sorted(path for path in temp_dirs if FileSystems.exists(path))
    if leftover:
        FileSystems.delete(leftover)
    return len(stale)


#: Name prefix of LinkTranslations' temporary directory under the output.
LINK_TEMP_PREFIX = ".temp-link-"


def link_temp_dir(output: str) -> str:
    """Where LinkTranslations keeps the run's articles meanwhile (deleted at the end).

    >>> link_temp_dir("gs://b/out").startswith("gs://b/out/.temp-link-")
    True
    """
    return FileSystems.join(output, f"{LINK_TEMP_PREFIX}{uuid.uuid4().hex}")


def build_pipeline(
    pipeline: beam.Pipeline,
    patterns: Sequence[str],
    output: str,
    settings: RunSettings,
    run_info: dict[str, Any],
    feeds: Sequence[str] = (),
    fetch: FetchSettings | None = None,
    incremental: StateSettings | None = None,
) -> beam.Pipeline:
    """Every stage, in order; each stage's failures join the dead letters.

    Feed URLs are fetched by a stage of their own; with ``incremental`` the entries of
    earlier runs are dropped after parsing and the new state is written last.
    """
    # Branches a run does not use build no stage: each costs start-up (the runner inspects
    # every DoFn of every stage) even when no element goes through it.
    state = None
    if incremental or feeds:
        state = pipeline | "ReadState" >> ReadState(incremental.directory if incremental else None)
    files = pipeline | "ReadInputs" >> ReadInputs(list(patterns), settings)
    inputs, early_dead = [files.files], [files.dead_letter]
    reports = None
    if state is not None:
        validators = state | "FeedValidators" >> beam.Map(feed_validators)
        fetched = pipeline | "FetchFeeds" >> FetchFeeds(
            list(feeds), fetch or FetchSettings(), settings, validators
        )
        inputs.append(fetched.files)
        early_dead.append(fetched.dead_letter)
        reports = fetched[FEED_REPORT]
    sources = inputs | "GatherSources" >> beam.Flatten()
    parsed = sources | "ParseItems" >> ParseItems(settings)
    new, seen = parsed.articles, None
    if incremental:
        fresh = parsed.articles | "SkipIngested" >> SkipIngested(state)
        new, seen = fresh.new, fresh[SEEN]
    # No shuffle of whole articles anywhere: a runner holds a shuffle's whole input (the
    # DirectRunner in memory). The workers share the work through ReadInputs, which spreads
    # files and ranges of large JSON Lines files, and LinkTranslations, which spreads the
    # temporary files it keeps the articles in.
    articles, stage_failures = enrich_articles(
        new, settings, LinkTranslations(temp_dir=link_temp_dir(output))
    )
    dead_letters = (*early_dead, parsed.dead_letter, *stage_failures) | "GatherDeadLetters" >> beam.Flatten()

    written = articles | "WriteArticles" >> WriteArticles(output)
    written_dead = dead_letters | "WriteDeadLetters" >> WriteDeadLetters(output)
    # Every item read, by the parts it is made of: gathering them in one PCollection would make
    # a runner hold every article of the run (see SummarizeRun).
    items = (*early_dead, parsed.dead_letter, parsed.articles)
    counted = {"items": items, "articles": articles, "dead_letters": dead_letters}
    if seen is not None:
        counted["skipped"] = seen
    if reports is not None:
        counted["reports"] = reports
    summary = counted | "SummarizeRun" >> SummarizeRun(output, run_info)
    if incremental:
        assert state is not None and seen is not None and reports is not None
        # The state is the run's commit point: written once every output file is final.
        finished = (written, written_dead, summary) | "OutputsWritten" >> beam.Flatten()
        _ = (state, articles, seen, reports, finished) | "CommitState" >> CommitState(
            incremental, settings.run_time_millis
        )
    return pipeline


def read_summary(output: str) -> dict[str, Any]:
    with FileSystems.open(FileSystems.join(output, SUMMARY_FILE)) as handle:
        return json.loads(handle.read().decode("utf-8"))


def _flag(value: Any) -> bool:
    """Beam's ``--dry_run`` is a string option: ``--dry_run=False`` must not mean true.

    >>> _flag("True"), _flag("false"), _flag(None), _flag(True)
    (True, False, False, True)
    """
    return str(value).strip().lower() in ("true", "1", "yes")


def _runs_on_dataflow(options: PipelineOptions) -> bool:
    return "dataflow" in str(options.view_as(StandardOptions).runner or "").lower()


def stage_names(proto: Any) -> list[str]:
    """The pipeline's top-level transforms (its stages), in order, from a runner API proto."""
    transforms = proto.components.transforms
    # The root is Beam's wrapper around the whole graph; the stages are its children.
    return [
        transforms[stage].unique_name
        for root in proto.root_transform_ids
        for stage in transforms[root].subtransforms
    ]


#: States of a job that will not produce its output (STOPPED is a job not started yet).
FAILED_STATES = frozenset({PipelineState.FAILED, PipelineState.CANCELLED})


def launch(pipeline: beam.Pipeline, options: PipelineOptions, output: str, dry_run: bool) -> dict[str, Any]:
    """Run the built pipeline and return its summary, or describe the job when nobody waits for it.

    A dry run builds the job without running it: the DataflowRunner translates it into a
    Dataflow job and stops before any network call; other runners stop at the portable
    pipeline proto, which pickles every stage. Streaming jobs, template creation (the
    Dataflow Flex Template launcher) and ``--no_wait_until_finish`` are submitted and not
    waited for; their summary appears in ``output`` when they end.
    """
    runner = type(pipeline.runner).__name__
    job: dict[str, Any] = {"runner": runner, "dry_run": dry_run}
    if dry_run and not _runs_on_dataflow(options):
        job.update(state="NOT_RUN", stages=stage_names(pipeline.to_runner_api()))
        return {"job": job, "output": output, "note": "dry run: the pipeline was built, not run"}

    cloud = options.view_as(GoogleCloudOptions)
    standard = options.view_as(StandardOptions)
    wait = not (dry_run or standard.streaming or standard.no_wait_until_finish or cloud.template_location)
    result = pipeline.run()
    if wait:
        result.wait_until_finish()
    # Runners that finish within run() (the DirectRunner) leave the summary to read even
    # unwaited; a created template reports DONE with no job behind it.
    if not (dry_run or cloud.template_location) and result.state == PipelineState.DONE:
        return read_summary(output)
    job["state"] = "NOT_SUBMITTED" if dry_run else str(result.state)
    dataflow_job = getattr(result, "job", None)
    if dataflow_job is not None:
        job.update(
            name=dataflow_job.proto.name,
            type=getattr(dataflow_job.proto.type, "name", str(dataflow_job.proto.type)),
            project=cloud.project,
            region=cloud.region,
            stages=stage_names(dataflow_job.proto_pipeline),
        )
    if not dry_run:
        # Dataflow's result has job_id(), the portable runner's only the id the job service
        # gave it; no id on other runners, and no job at all when a template was created.
        with contextlib.suppress(AttributeError, OSError, ValueError):
            job["id"] = result.job_id() if hasattr(result, "job_id") else result._job_id
        if cloud.project and cloud.region and job.get("id"):
            job["console"] = (
                f"https://console.cloud.google.com/dataflow/jobs/{cloud.region}/{job['id']}"
                f"?project={cloud.project}"
            )
    if dry_run:
        note = "dry run: the Dataflow job was built, not submitted"
    elif cloud.template_location:
        note = f"job written to {cloud.template_location}; the Dataflow service starts it"
    elif job["state"] in FAILED_STATES:
        note = "the job did not finish; no summary"
    else:
        note = f"submitted, not waited for: {FileSystems.join(output, SUMMARY_FILE)} appears when it ends"
    return {"job": job, "output": output, "note": note}


def run(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Parse options, run the pipeline and return the run summary (or the job, when not waited for)."""
    options = PipelineOptions(list(argv) if argv is not None else sys.argv[1:])
    ingest = options.view_as(IngestOptions)
    if options.view_as(StandardOptions).streaming:
        from pipelines.streaming import run_streaming

        return run_streaming(options)
    if not ingest.input and not ingest.feeds:
        raise UsageError("--input is required (a file, glob, directory or feed URL), or --feeds FILE")
    ingest.input = list(ingest.input or [])
    if not ingest.output:
        raise UsageError("--output is required (a directory)")
    if ingest.max_bytes <= 0:
        raise UsageError("--max_bytes must be positive")
    run_time = parse_run_time(ingest.run_time)
    fetch = fetch_settings(ingest)
    dry_run = _flag(options.view_as(TestOptions).dry_run)
    options.view_as(TestOptions).dry_run = dry_run
    # A dry run reaches no remote store: a remote --feeds file is not read then.
    feeds = feed_urls(ingest.input, None if dry_run and not _is_local(ingest.feeds or "") else ingest.feeds)
    if _runs_on_dataflow(options):
        # The state is read and written by the workers, so it cannot be local either.
        remote = [*ingest.input, ingest.output, *([ingest.state] if ingest.state else [])]
        local = [path for path in remote if _is_local(path)]
        if local:
            raise UsageError(f"{local[0]}: Dataflow workers cannot reach local paths; use gs:// paths")
    patterns = sorted(
        {resolve_input(path, check_remote=not dry_run) for path in ingest.input if not is_feed_url(path)}
    )
    # The code ships to workers as the installed package, not as __main__.
    options.view_as(SetupOptions).save_main_session = False

    version = pipeline_version()
    settings = RunSettings(
        run_time_millis=int(run_time.timestamp() * 1000),
        pipeline_version=version,
        max_bytes=ingest.max_bytes,
        language_seed=ingest.language_seed,
    )
    if ingest.state:
        # Each run writes under its own prefix; the options say where, for every later step.
        ingest.output = prepare_incremental_run(
            ingest.output, ingest.state, settings.run_time_millis, check_remote=not dry_run
        )
    run_info = {
        "run_time": run_time.isoformat().replace("+00:00", "Z"),
        "pipeline_version": version,
        "inputs": list(ingest.input),
        "output": ingest.output,
    }
    if ingest.feeds:
        run_info["feeds_file"] = ingest.feeds
    if ingest.state:
        run_info["state"] = ingest.state
    # A dry run writes nothing, and must not reach a remote store (no credentials).
    removed = 0 if dry_run else clear_previous_outputs(ingest.output)
    if removed:
        log.info("removed %d output files of an earlier run in %s", removed, ingest.output)
    pipeline = beam.Pipeline(options=options)
    incremental = StateSettings(ingest.state, ingest.state_keep_days) if ingest.state else None
    build_pipeline(pipeline, patterns, ingest.output, settings, run_info, feeds, fetch, incremental)
    return launch(pipeline, options, ingest.output, dry_run)


def feed_urls(inputs: Sequence[str], feeds_file: str | None) -> list[str]:
    """The feeds to fetch: URLs given as ``--input`` and those of the ``--feeds`` file, once each."""
    urls = [path.strip() for path in inputs if is_feed_url(path)]
    if feeds_file:
        try:
            listed = read_feed_list(feeds_file)
        except (OSError, ValueError) as error:
            raise UsageError(f"--feeds {feeds_file}: cannot read it ({error})") from None
        if not listed:
            raise UsageError(f"--feeds {feeds_file}: no feed URL in the file")
        urls.extend(listed)
    return list(dict.fromkeys(urls))


def fetch_settings(ingest: IngestOptions) -> FetchSettings:
    if ingest.fetch_max_bytes <= 0:
        raise UsageError("--fetch_max_bytes must be positive")
    if ingest.fetch_timeout <= 0:
        raise UsageError("--fetch_timeout must be positive")
    if ingest.fetch_retries < 0:
        raise UsageError("--fetch_retries must be 0 or more")
    if ingest.fetch_concurrency <= 0:
        raise UsageError("--fetch_concurrency must be positive")
    if ingest.state_keep_days < 0:
        raise UsageError("--state_keep_days must be 0 (keep forever) or more")
    return FetchSettings(
        read_timeout=ingest.fetch_timeout,
        max_bytes=ingest.fetch_max_bytes,
        retries=ingest.fetch_retries,
        concurrency=ingest.fetch_concurrency,
    )


def prepare_incremental_run(
    output: str, state_dir: str, run_time_millis: int, check_remote: bool = True
) -> str:
    """This run's own output prefix, after checking the state and removing failed runs' output.

    Without ``check_remote`` (a dry run) neither the state nor the output is looked at.
    """
    if not check_remote:
        return run_output(output, run_time_millis)
    try:
        previous = load_state(state_dir)
    except StateError as error:
        raise UsageError(f"--state {state_dir}: {error}") from None
    if previous.last_run is not None and run_time_millis <= previous.last_run:
        last = datetime.fromtimestamp(previous.last_run / 1000, UTC).isoformat().replace("+00:00", "Z")
        raise UsageError(f"--run_time must be later than the last committed run of --state ({last})")
    for directory, paths in sorted(uncommitted_runs(output, previous.last_run).items()):
        # The run that wrote these files failed before committing the state: this run redoes its work.
        log.warning("removing %s: its run did not commit the state; this run writes its entries", directory)
        FileSystems.delete(paths)
    return run_output(output, run_time_millis)


def main(argv: Sequence[str] | None = None) -> int:
    from pipelines.cli import main as cli_main

    return cli_main(["ingest", *(argv if argv is not None else sys.argv[1:])])


if __name__ == "__main__":
    sys.exit(main())
