"""Shared fixtures: run settings, the installed ``newsbeam`` command, Avro read-back."""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import fastavro
import pytest

from transforms.common import RunSettings

PROJECT = Path(__file__).resolve().parents[1]
SAMPLES = PROJECT / "samples"
#: Evaluation data beside the project; tests that need it skip without it.
SHARED = PROJECT.parent / "shared"
RUN_TIME = "2026-01-01T00:00:00Z"
RUN_TIME_MILLIS = 1_767_225_600_000


@pytest.fixture
def settings() -> RunSettings:
    return RunSettings(run_time_millis=RUN_TIME_MILLIS, pipeline_version="test")


def newsbeam_command() -> list[str]:
    """The console script installed beside this interpreter (a real install, not an import)."""
    script = Path(sys.executable).parent / "newsbeam"
    return [str(script)] if script.exists() else [sys.executable, "-m", "pipelines.cli"]


def run_newsbeam(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED", "random")}
    return subprocess.run(
        [*newsbeam_command(), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=PROJECT,
        env=env,
        check=False,
    )


def read_avro(pattern: str) -> list[dict[str, Any]]:
    """Every record of the Avro files matching ``pattern``, read back with fastavro."""
    records: list[dict[str, Any]] = []
    for path in sorted(glob.glob(pattern)):
        with open(path, "rb") as handle:
            records.extend(fastavro.reader(handle))
    return records


def read_output(directory: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """(articles sorted by id, dead letters, summary) of a run's output directory."""
    articles = sorted(read_avro(str(directory / "articles-*.avro")), key=lambda r: r["id"])
    dead = read_avro(str(directory / "dead_letters-*.avro"))
    summary = json.loads((directory / "summary.json").read_text(encoding="utf-8"))
    return articles, dead, summary
