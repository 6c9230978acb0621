"""The ``newsbeam`` command.

newsbeam ingest (--input PATTERN_OR_URL ... | --feeds FILE) --output DIR [--run_time ISO8601]
                [--state DIR] [any Beam option: --runner, --direct_num_workers, ...]
newsbeam inspect PATH [--where FIELD=VALUE] [--count-by FIELD] ...   (pipelines/inspect_avro.py)
newsbeam report OUTPUT_DIR [--output FILE]                           (pipelines/report.py)
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Sequence

USAGE = """usage: newsbeam ingest (--input PATTERN_OR_URL ... | --feeds FILE) --output DIR
                       [--run_time ISO8601] [--state DIR] [--max_bytes N]
                       [--fetch_max_bytes N] [--fetch_timeout S] [--fetch_retries N]
                       [--fetch_concurrency N] [--state_keep_days D]
                       [Beam options: --runner, --dry_run, ...]
       newsbeam ingest --streaming (--input DIR_OR_FEED_URL ... | --feeds FILE | --pubsub_subscription S)
                       --output DIR [--poll_interval S] [--window_seconds S] [--allowed_lateness S]
                       [--max_run_seconds S] [--state_keep_days D]
       newsbeam inspect PATH [--where FIELD=VALUE] [--limit N] [--fields A,B.C] [--count-by FIELD]
       newsbeam report OUTPUT_DIR [--output FILE]

Reads RSS/Atom feeds (files or http(s) URLs), JSON Lines and text files, repairs their
encoding, detects language and translation provenance, extracts dates, and writes Avro
records to DIR/articles-*.avro, dead letters to DIR/dead_letters-*.avro and
DIR/summary.json (with --state: under DIR/run=<run_time>/, only entries not seen before).

With --streaming, feeds are polled every --poll_interval seconds, files appearing under --input
and Pub/Sub messages (JSON articles or feed URLs) are ingested as they arrive, each entry once,
into DIR/articles-<window>-pane<N>-*.avro per --window_seconds window of publication time.
Locally the DirectRunner runs it until --max_run_seconds (then every window is written).

--dry_run=True builds the job (on --runner DataflowRunner: the Dataflow job) and stops
without running it; streaming jobs are submitted, not waited for. Both print the job.
"""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE)
        return 0 if args else 2
    command, rest = args[0], args[1:]
    # inspect and report parse their own arguments; ingest's go on to Beam's options.
    if command == "inspect":
        from pipelines.inspect_avro import main as inspect_main

        return inspect_main(rest)
    if command == "report":
        from pipelines.report import main as report_main

        return report_main(rest)
    if command != "ingest":
        print(f"newsbeam: unknown command {command!r}\n\n{USAGE}", file=sys.stderr)
        return 2
    if any(arg in ("-h", "--help") for arg in rest):
        print(USAGE)
        return 0
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # A Dataflow job's id and console address are logged at INFO: whoever waits for the job
    # (a person, Airflow's Beam operator) needs them.
    logging.getLogger("apache_beam.runners.dataflow").setLevel(logging.INFO)
    from pipelines.ingest import UsageError, run

    try:
        summary = run(rest)
    except UsageError as error:
        print(f"newsbeam: error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    if "job" in summary:  # built or submitted, not waited for: no summary to check yet
        from pipelines.ingest import FAILED_STATES

        return 1 if summary["job"].get("state") in FAILED_STATES else 0
    return 0 if summary.get("balanced", False) else 1


if __name__ == "__main__":
    sys.exit(main())
