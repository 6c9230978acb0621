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
            help="File, glob or directory (recursive) to ingest; repeat for several. "
            "Feed XML (.xml .rss .atom .rdf), JSON Lines (.jsonl), text (.txt), each may be .gz.",
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
            help="Seed of the language detector (it samples at random).",
        )
