"""The pipeline's own options, one PipelineOptions subclass, the same on every runner."""

from __future__ import annotations

from apache_beam.options.pipeline_options import PipelineOptions

DEFAULT_MAX_BYTES = 50 * 1024 * 1024


class IngestOptions(PipelineOptions):
    @classmethod
    def _add_argparse_args(cls, parser) -> None:
        parser.add_argument(
            "--input",
            action="append",
            default=None,
            help="File, glob or directory (recursive) to ingest, or an http(s):// feed URL to fetch; "
            "repeat for several. Feed XML (.xml .rss .atom .rdf), JSON Lines (.jsonl), text (.txt), "
            "each may be .gz.",
        )
        parser.add_argument(
            "--feeds",
            default=None,
            help="File (any Beam path) of feed URLs to fetch, one a line; '#' starts a comment.",
        )
        parser.add_argument(
            "--state",
            default=None,
            help="Directory (any Beam path) of what earlier runs saw: feed validators and body hashes, "
            "entries already written. With it, only new entries are written, under OUTPUT/run=<run_time>/.",
        )
        parser.add_argument(
            "--state_keep_days",
            type=float,
            default=90.0,
            help="Forget an entry once its source, read again, has not held it for this many days "
            "(default 90; 0 keeps every entry forever).",
        )
        parser.add_argument(
            "--fetch_max_bytes",
            type=int,
            default=10 * 1024 * 1024,
            help="Largest feed body fetched, in bytes, after gzip/deflate (default 10 MB).",
        )
        parser.add_argument(
            "--fetch_timeout",
            type=float,
            default=30.0,
            help="Seconds a feed server may stay silent before the request is retried (default 30).",
        )
        parser.add_argument(
            "--fetch_concurrency",
            type=int,
            default=8,
            help="Feeds each worker fetches at once (default 8).",
        )
        parser.add_argument(
            "--fetch_retries",
            type=int,
            default=3,
            help="Retries of a feed after 429, 5xx or a connection error, with backoff (default 3).",
        )
        parser.add_argument("--output", default=None, help="Output directory (any Beam path).")
        parser.add_argument(
            "--run_time",
            default=None,
            help="The run's logical time, ISO 8601 (default: now). The only clock in records.",
        )
        parser.add_argument(
            "--max_bytes",
            type=int,
            default=DEFAULT_MAX_BYTES,
            help="Largest input file, in bytes, compressed or not (default 50 MB).",
        )
        parser.add_argument(
            "--language_seed",
            type=int,
            default=0,
            help="Kept for compatibility: language detection is deterministic and needs no seed.",
        )
        # Streaming (--streaming): sources, windows and how a local run stops.
        parser.add_argument(
            "--poll_interval",
            type=float,
            default=60.0,
            help="Streaming: seconds between two fetches of each feed and two listings of --input "
            "(default 60).",
        )
        parser.add_argument(
            "--window_seconds",
            type=int,
            default=300,
            help="Streaming: seconds of each fixed event-time window; Avro files per window (default 300).",
        )
        parser.add_argument(
            "--allowed_lateness",
            type=int,
            default=3600,
            help="Streaming: seconds an entry may arrive after its window closed and still be written "
            "(default 3600); entries published earlier take their arrival time.",
        )
        parser.add_argument(
            "--pubsub_subscription",
            default=None,
            help="Streaming: projects/P/subscriptions/S whose messages are JSON articles or feed URLs.",
        )
        parser.add_argument(
            "--max_run_seconds",
            type=float,
            default=None,
            help="Streaming: stop the sources after this many seconds; every window is then written "
            "and the run ends (default: run until drained or cancelled).",
        )
