"""The command line on real files, records read back with fastavro.

pytest tests/test_end_to_end.py
"""

from __future__ import annotations

import json
from pathlib import Path

import fastavro
import pytest

from schemas import load_json
from tests.conftest import RUN_TIME, RUN_TIME_MILLIS, SAMPLES, read_output, run_newsbeam


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("samples-out")
    result = run_newsbeam("ingest", "--input", str(SAMPLES), "--output", str(out), "--run_time", RUN_TIME)
    assert result.returncode == 0, result.stderr
    return out, result.stdout


def test_samples_become_articles(sample_run: tuple[Path, str]) -> None:
    out, stdout = sample_run
    articles, dead, summary = read_output(out)
    assert dead == []
    # 4 + 3 + 2 feed entries, 5 + 2 JSON lines, 3 text files.
    assert len(articles) == 19
    assert summary["items_read"] == summary["articles_written"] == 19
    assert summary["balanced"] is True
    assert json.loads(stdout) == summary
    assert len({a["id"] for a in articles}) == 19
    assert {a["ingested_at"].timestamp() * 1000 for a in articles} == {RUN_TIME_MILLIS}
    assert summary["sources"] == {"feed": 9, "jsonl": 7, "text": 3}


def test_files_carry_the_schema(sample_run: tuple[Path, str]) -> None:
    out, _ = sample_run
    (path,) = sorted(out.glob("articles-*.avro"))
    with path.open("rb") as handle:
        schema = fastavro.reader(handle).writer_schema
    assert schema["name"] == "newsbeam.Article"
    assert [f["name"] for f in schema["fields"]] == [f["name"] for f in load_json("article.avsc")["fields"]]


def test_sample_records_are_filled(sample_run: tuple[Path, str]) -> None:
    out, _ = sample_run
    articles, _, _ = read_output(out)
    by_uri: dict[str, list[dict]] = {}
    for article in articles:
        by_uri.setdefault(Path(article["source"]["uri"]).name, []).append(article)

    (harbour,) = by_uri["harbour-closure.txt"]
    assert harbour["title"] == "Harbour Closure"
    assert harbour["published"] == {"value": "2024-02", "precision": "month", "source": "header"}
    assert harbour["source"] == {"kind": "text", "uri": harbour["source"]["uri"], "entry_id": None}

    (rail,) = by_uri["rail-strike.txt"]
    assert rail["title"] is None
    assert rail["published"]["value"] == "2024-06-07" and rail["published"]["precision"] == "day"
    assert any(m["value"] == "2024-06-07" for m in rail["dates"])
    assert rail["event_date"] == {"value": "2024-06-07", "precision": "day", "source": "text"}
    assert harbour["event_date"] is None  # month header, no weekday agreeing with a written date
    for mention in rail["dates"]:
        assert rail["text"][mention["start"] : mention["end"]] == mention["text"]

    mojibake = by_uri["mojibake-cafe.jsonl"]
    assert all("Ã" not in m["text"] for m in mojibake)
    assert all(any(r["kind"] == "mojibake" for r in m["repairs"]) for m in mojibake)
    assert {m["language"]["code"] for m in mojibake} == {"fr"}

    atom = {a["language"]["code"]: a for a in by_uri["europe-desk.atom"]}
    assert set(atom) == {"fr", "it", "en"}
    assert atom["en"]["language"]["declared"] == "fr"
    assert atom["en"]["translation"]["is_translation"] is True
    assert atom["en"]["translation"]["source_language"] == "fr"
    assert atom["fr"]["translation"]["is_translation"] is False
    assert atom["it"]["published"]["value"].endswith("+02:00")

    rss = by_uri["world-briefs.rss"]
    assert all(a["source"]["entry_id"] for a in rss)
    assert all("\n\n" in a["text"] for a in rss), "paragraph breaks are kept"
    assert by_uri["tech-notes.rss.gz"], "gzip-compressed feeds are read"


def test_same_input_same_records(sample_run: tuple[Path, str], tmp_path: Path) -> None:
    """Determinism: rerun with the same --run_time, two workers, compare record by record."""
    first, _ = sample_run
    result = run_newsbeam(
        "ingest",
        "--input",
        str(SAMPLES / "*.jsonl"),
        "--input",
        str(SAMPLES),  # overlaps the first pattern: still one item per file
        "--output",
        str(tmp_path),
        "--run_time",
        RUN_TIME,
        "--direct_num_workers",
        "2",
        "--direct_running_mode",
        "multi_threading",
    )
    assert result.returncode == 0, result.stderr
    assert read_output(first)[0] == read_output(tmp_path)[0]


def test_rerun_replaces_previous_output(tmp_path: Path) -> None:
    stale = tmp_path / "articles-00000-of-00003.avro"
    stale.write_bytes(b"old")
    # What a failed run's LinkTranslations left behind goes too; the run's own is deleted.
    failed = tmp_path / ".temp-link-0123abcd"
    failed.mkdir()
    (failed / "articles-0.bin").write_bytes(b"half a bundle")
    result = run_newsbeam("ingest", "--input", str(SAMPLES / "wire.jsonl"), "--output", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert not stale.exists()
    assert not list(tmp_path.glob(".temp-link-*"))
    articles, _, summary = read_output(tmp_path)
    assert len(articles) == summary["articles_written"] == 5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--input", "/nonexistent/dir", "--output", "OUT"], "no such file or directory"),
        (["--input", "/nonexistent/*.xml", "--output", "OUT"], "no file matches"),
        (["--output", "OUT"], "--input is required"),
        (["--input", "samples"], "--output is required"),
        (["--input", "samples", "--output", "OUT", "--run_time", "yesterday"], "not an ISO 8601"),
    ],
)
def test_usage_errors_are_one_clear_line(args: list[str], message: str, tmp_path: Path) -> None:
    args = [str(tmp_path / "out") if a == "OUT" else a for a in args]
    result = run_newsbeam("ingest", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "summary.json").exists()


def test_module_entry_point_and_help() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "pipelines.ingest", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and "--input" in result.stdout
