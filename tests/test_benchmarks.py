"""The benchmark's corpus builder and reference loops work on a tiny N (no timing here).

pytest tests/test_benchmarks.py
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import fastavro
import pytest

from benchmarks import bench

pytestmark = pytest.mark.skipif(not bench.DATA.is_dir(), reason="../shared/data/translation is absent")


@pytest.fixture(scope="module")
def pool() -> list[tuple[str | None, str]]:
    return bench.document_pool(limit=50)


def test_cut_keeps_every_segment() -> None:
    pieces = bench.cut([["Title", "a" * 1000, "b" * 700], ["c" * 50]])
    assert pieces[0][0] == "Title"
    assert "".join(body for _, body in pieces).replace(" ", "").replace("\n", "") == (
        "a" * 1000 + "b" * 700 + "c" * 50
    )


Pool = list[tuple[str | None, str]]


def test_corpus_repeats_the_pool_with_distinct_ids(tmp_path: Path, pool: Pool) -> None:
    assert len(pool) == 50
    assert all(len(body) >= bench.MIN_CHARS for _, body in pool)
    assert pool == bench.document_pool(limit=50)  # the same pieces in the same order every time
    corpus = bench.write_corpus(120, tmp_path, pool)
    records = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 120
    assert len({r["id"] for r in records}) == 120
    assert records[0]["text"] == records[50]["text"] == pool[0][1]


@pytest.mark.parametrize("loop", sorted(bench.LOOPS))
def test_reference_loops_write_every_article(
    loop: str, tmp_path: Path, pool: list[tuple[str | None, str]]
) -> None:
    if loop == "hand-written" and importlib.util.find_spec("dateparser") is None:
        pytest.skip("dateparser (the bench extra) is not installed")
    corpus = bench.write_corpus(3, tmp_path, pool)
    output = tmp_path / "out.avro"
    assert bench.LOOPS[loop](corpus, output) == 3
    with open(output, "rb") as handle:
        records = list(fastavro.reader(handle))
    assert [r["id"] for r in records] == ["bench-000000", "bench-000001", "bench-000002"]
    assert all(r["language"] == "en" for r in records)


def test_stage_costs_cover_every_stage(tmp_path: Path, pool: list[tuple[str | None, str]]) -> None:
    corpus = bench.write_corpus(2, tmp_path, pool)
    costs = bench.stage_costs(corpus)
    assert list(costs)[:3] == ["parse", "normalize", "language"]
    assert all(ms >= 0 for ms in costs.values())


def test_measure_reports_a_process(tmp_path: Path) -> None:
    run = bench.measure("echo", 1, ["python3", "-c", "print('x' * 10)"], tmp_path / "log")
    assert run.ok and run.wall > 0 and run.peak_rss_mb >= 0


def test_host_pair_scaling_runs_the_floor_loop_alone_then_twice(tmp_path: Path, pool: Pool) -> None:
    corpus = bench.write_corpus(30, tmp_path, pool)
    alone, together, scaling = bench.host_pair_scaling(corpus, tmp_path, docs=5)
    assert alone > 0 and together > 0 and scaling == pytest.approx(2 * alone / together)
    for k in (0, 1, 2):  # each copy read the first five articles and wrote them
        with open(tmp_path / f"pair-{k}.avro", "rb") as handle:
            assert len(list(fastavro.reader(handle))) == 5


def test_installation_names_beam_and_the_gcp_extra() -> None:
    described = bench.installation()
    assert "apache-beam" in described and "gcp extra" in described
