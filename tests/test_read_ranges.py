"""Large JSON Lines files are read in ranges of whole lines: the same articles and dead letters
(with the file's line numbers) as one read of the whole file.

pytest tests/test_read_ranges.py
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import random
from pathlib import Path

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from transforms.common import RunSettings
from transforms.parse import ParseItems
from transforms.read import FileRange, ReadInputs, plan_ranges, read_range, split_file


def _lines(count: int, seed: int = 0) -> bytes:
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        words = " ".join(
            rng.choice(["harbour", "Zoë", "東京", "ferry", "café"]) for _ in range(rng.randint(1, 40))
        )
        rows.append(json.dumps({"id": f"n{i}", "text": words}, ensure_ascii=False))
    return ("\n".join(rows) + "\n").encode("utf-8")


def test_ranges_cover_the_file_at_line_ends_whatever_the_blocks() -> None:
    data = _lines(300)
    for block in (7, 100, 4096, len(data)):
        blocks = [data[i : i + block] for i in range(0, len(data), block)]
        ranges = plan_ranges(blocks, split_bytes=500)
        assert ranges is not None and len(ranges) > 5
        assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
        for (_, end, _), (start, _, line) in itertools.pairwise(ranges):
            assert end == start and data[end - 1 : end] == b"\n"
            assert line == data[:start].count(b"\n") + 1


def test_a_multibyte_character_cut_by_a_block_is_still_utf8() -> None:
    data = "é\n".encode() * 10
    assert plan_ranges([data[:1], data[1:]], split_bytes=4) is not None
    assert plan_ranges([data[:1]], split_bytes=4) is None  # truncated: not clean UTF-8


def test_small_compressed_or_legacy_files_are_read_whole(tmp_path: Path) -> None:
    legacy = tmp_path / "legacy.jsonl"
    legacy.write_bytes('{"text": "café"}\n'.encode("cp1252") * 100)
    assert split_file(str(legacy), legacy.stat().st_size, 10**6, split_bytes=64) == [
        FileRange(str(legacy), legacy.stat().st_size)
    ]
    utf8 = tmp_path / "a.jsonl"
    utf8.write_bytes(_lines(50))
    size = utf8.stat().st_size
    assert split_file(str(utf8), size, 10**6, split_bytes=size) == [FileRange(str(utf8), size)]
    parts = split_file(str(utf8), size, 10**6, split_bytes=64)
    assert len(parts) > 1
    assert b"".join(read_range(p.path, p.start, p.end, 1) for p in parts if p.end) == utf8.read_bytes()


def test_split_read_parses_like_a_whole_read(tmp_path: Path, settings: RunSettings) -> None:
    rows = _lines(120).decode().splitlines()
    rows[77] = '{"id": "broken", "text": '  # line 78 of the file
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    expected = [json.loads(row)["id"] for i, row in enumerate(rows) if i != 77]
    assert len(split_file(str(path), path.stat().st_size, 10**9, split_bytes=300)) > 10

    with TestPipeline() as p:
        for label, split_bytes in (("whole", 10**9), ("split", 300)):
            read = p | f"Read {label}" >> ReadInputs([str(path)], settings, split_bytes=split_bytes)
            parsed = read.files | f"Parse {label}" >> ParseItems(settings)
            entries = parsed.articles | f"Entry ids {label}" >> beam.Map(lambda a: a["source"]["entry_id"])
            dead = parsed.dead_letter | f"Dead {label}" >> beam.Map(
                lambda d: (d["entry_id"], d["error_message"].split(":")[0])
            )
            assert_that(entries, equal_to(expected), label=f"articles {label}")
            assert_that(dead, equal_to([(None, "line 78")]), label=f"dead letters {label}")


def test_a_json_lines_file_over_the_cap_is_read_in_ranges_each_capped(
    tmp_path: Path, settings: RunSettings
) -> None:
    rows = _lines(200).decode().splitlines()
    rows[120] = json.dumps({"id": "huge", "text": "harbour " * 400})  # line 121: 3.2 KB
    path = tmp_path / "archive.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    capped = dataclasses.replace(settings, max_bytes=2_000)
    assert path.stat().st_size > 10 * capped.max_bytes
    parts = split_file(str(path), path.stat().st_size, capped.max_bytes, split_bytes=500)
    # Every byte in one range, and the long line alone in its own.
    assert [(p.start, p.end) for p in parts] == sorted((p.start, p.end) for p in parts)
    assert all(a.end == b.start for a, b in itertools.pairwise(parts)) and parts[-1].end == parts[-1].size
    assert [p.first_line for p in parts if p.end - p.start > capped.max_bytes] == [121]
    with TestPipeline() as p:
        read = p | ReadInputs([str(path)], capped, split_bytes=500)
        parsed = read.files | ParseItems(capped)
        ids = parsed.articles | "Ids" >> beam.Map(lambda a: a["source"]["entry_id"])
        refused = read.dead_letter | "Refused" >> beam.Map(
            lambda d: (d["stage"], d["error_type"], d["error_message"].split(" is ")[0])
        )
        assert_that(refused, equal_to([("read", "FileTooLarge", "line 121")]), label="refused")
        expected = [json.loads(row)["id"] for row in rows[:120] + rows[121:]]
        assert_that(ids, equal_to(expected), label="every other line")
