"""``newsbeam inspect``: filters, field paths and counts on small Avro files written here.

pytest tests/test_inspect.py
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fastavro
import pytest

from pipelines.cli import main as cli_main
from pipelines.inspect_avro import (
    Condition,
    InspectError,
    InspectSettings,
    avro_paths,
    count_values,
    find_run_dir,
    inspect,
    read_records,
    values_at,
)
from schemas import article_schema, dead_letter_schema
from tests.conftest import run_newsbeam

AT = datetime(2026, 1, 1, tzinfo=UTC)


def article(ident: str, code: str | None, **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": ident,
        "source": {"kind": "jsonl", "uri": "in.jsonl", "entry_id": ident},
        "url": None,
        "title": f"Title {ident}",
        "text": f"Body of {ident}. " * 40,
        "repairs": [],
        "language": {
            "code": code,
            "confidence": 0.99 if code else 0.0,
            "alternatives": [],
            "declared": None,
            "mix": [],
            "title": None,
        },
        "translation": {
            "is_translation": False,
            "confidence": 0.1,
            "source_language": None,
            "machine": None,
            "signals": [],
            "derived_from": None,
        },
        "published": None,
        "event_date": None,
        "dates": [],
        "ingested_at": AT,
        "pipeline_version": "test",
    }
    record.update(fields)
    return record


def repair(kind: str, detail: str, count: int = 1) -> dict[str, Any]:
    return {"kind": kind, "detail": detail, "original": "Ã©", "replacement": "é", "count": count}


def translated(source: str | None, derived_from: str | None = None) -> dict[str, Any]:
    return {
        "is_translation": True,
        "confidence": 0.9,
        "source_language": source,
        "machine": False,
        "signals": [{"name": "translation_statement", "weight": 0.9, "evidence": "says so"}],
        "derived_from": derived_from,
    }


ARTICLES = [
    article("a1", "en", repairs=[repair("mojibake", "utf-8 read as cp1252"), repair("html_entity", "&amp;")]),
    article("a2", "en", translation=translated("fr", derived_from="a3")),
    article("a3", "fr", repairs=[repair("mojibake", "utf-8 read as cp874", 3)]),
    article("a4", None),
    article(
        "a5",
        "de",
        translation=translated(None),
        published={"value": "2024-06-07T09:30:00+02:00", "precision": "second", "source": "feed"},
    ),
]

DEAD_LETTERS = [
    {
        "source_uri": "in/bad.jsonl",
        "entry_id": None,
        "stage": "parse",
        "error_type": "JSONDecodeError",
        "error_message": "Expecting ',' delimiter",
        "payload": b'{"id": "broken" \xff',
        "ingested_at": AT,
    },
    {
        "source_uri": "in/big.txt",
        "entry_id": None,
        "stage": "read",
        "error_type": "TooLarge",
        "error_message": "over 4000 bytes",
        "payload": b"word word",
        "ingested_at": AT,
    },
]


def write_avro(path: Path, schema: dict[str, Any], records: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        fastavro.writer(handle, schema, records)
    return path


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    write_avro(tmp_path / "articles-00000-of-00002.avro", article_schema(), ARTICLES[:3])
    write_avro(tmp_path / "articles-00001-of-00002.avro", article_schema(), ARTICLES[3:])
    write_avro(tmp_path / "dead_letters-00000-of-00001.avro", dead_letter_schema(), DEAD_LETTERS)
    (tmp_path / "summary.json").write_text("{}", encoding="utf-8")
    return tmp_path


def lines(settings: InspectSettings, run_dir: Path) -> list[str]:
    return list(inspect(settings, avro_paths(str(run_dir), settings.dead_letters)))


def ids(settings: InspectSettings, run_dir: Path) -> list[str]:
    return [json.loads(line)["id"] for line in lines(settings, run_dir)]


def test_dotted_paths_reach_into_records_and_arrays() -> None:
    a1, a2, _, a4, a5 = ARTICLES
    assert values_at(a1, "language.code") == ["en"]
    assert values_at(a1, "repairs.kind") == ["mojibake", "html_entity"]
    assert values_at(a4, "repairs.kind") == []
    assert values_at(a4, "language.code") == [None]
    assert values_at(a4, "published.value") == [None]  # under a null record
    assert values_at(a5, "published.precision") == ["second"]
    assert values_at(a2, "translation.signals.name") == ["translation_statement"]
    assert values_at(a1, "stage") == []  # a dead letter's field


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        (["language.code=en"], ["a1", "a2"]),
        (["language.code!=en"], ["a3", "a4", "a5"]),
        (["language.code=null"], ["a4"]),
        (["translation.is_translation=true"], ["a2", "a5"]),
        (["translation.is_translation=true", "translation.source_language=null"], ["a5"]),
        (["repairs.kind=mojibake"], ["a1", "a3"]),  # any element of the array
        (["repairs.kind!=mojibake"], ["a2", "a4", "a5"]),  # no element
        (["repairs.detail=*cp874*"], ["a3"]),
        (["repairs.count=3"], ["a3"]),
        (["language.confidence=0.99"], ["a1", "a2", "a3", "a5"]),
        (["translation.derived_from=a3"], ["a2"]),
        (["published.precision=second"], ["a5"]),
        (["language.code=xx"], []),
        (["ingested_at=2026-01-01T00:00:00Z", "id=a[45]"], ["a4", "a5"]),
    ],
)
def test_where_filters(run_dir: Path, where: list[str], expected: list[str]) -> None:
    settings = InspectSettings(where=tuple(Condition.parse(text) for text in where))
    assert ids(settings, run_dir) == expected


def test_limit_and_fields(run_dir: Path) -> None:
    settings = InspectSettings(limit=2, fields=("id", "language.code", "repairs.kind", "published.value"))
    assert [json.loads(line) for line in lines(settings, run_dir)] == [
        {
            "id": "a1",
            "language.code": "en",
            "repairs.kind": ["mojibake", "html_entity"],
            "published.value": None,
        },
        {"id": "a2", "language.code": "en", "repairs.kind": [], "published.value": None},
    ]
    assert lines(InspectSettings(limit=0), run_dir) == []


def test_whole_records_are_json_with_times_and_cut_strings(run_dir: Path) -> None:
    first = json.loads(lines(InspectSettings(limit=1, max_chars=20), run_dir)[0])
    assert first["ingested_at"] == "2026-01-01T00:00:00Z"
    assert first["text"].startswith("Body of a1. Body of ")
    assert first["text"].endswith("chars]")
    whole = json.loads(lines(InspectSettings(limit=1), run_dir)[0])
    assert whole["text"] == ARTICLES[0]["text"]


def test_count_by_counts_each_array_element(run_dir: Path) -> None:
    counts, seen, empty = count_values(read_records(avro_paths(str(run_dir))), "repairs.kind")
    assert counts == {"mojibake": 2, "html_entity": 1}
    assert (seen, empty) == (5, 3)
    table = lines(InspectSettings(count_by="language.code"), run_dir)[0].splitlines()
    assert table[0].split() == ["language.code", "count", "share"]
    assert [row.split()[:2] for row in table[1:-1]] == [["en", "2"], ["de", "1"], ["fr", "1"], ["null", "1"]]
    assert table[-1] == "5 values in 5 records"


def test_count_by_with_a_filter_and_top_rows(run_dir: Path) -> None:
    settings = InspectSettings(
        where=(Condition.parse("translation.is_translation=true"),), count_by="translation.source_language"
    )
    rows = lines(settings, run_dir)[0].splitlines()
    assert [row.split()[:2] for row in rows[1:-1]] == [["fr", "1"], ["null", "1"]]
    top = lines(InspectSettings(count_by="language.code", limit=1), run_dir)[0].splitlines()
    assert [row.split()[:2] for row in top[1:-1]] == [["en", "2"], ["(3", "more)"]]


def test_dead_letters_of_a_directory(run_dir: Path) -> None:
    settings = InspectSettings(count_by="stage", dead_letters=True)
    rows = lines(settings, run_dir)[0].splitlines()
    assert [row.split()[:2] for row in rows[1:-1]] == [["parse", "1"], ["read", "1"]]
    letter = json.loads(lines(InspectSettings(dead_letters=True, limit=1), run_dir)[0])
    assert letter["payload"] == '{"id": "broken" \\xff'  # undecodable bytes escaped, not lost
    found = lines(InspectSettings(dead_letters=True, where=(Condition.parse("payload=word*"),)), run_dir)
    assert [json.loads(line)["stage"] for line in found] == ["read"]


def test_unknown_fields_are_named(run_dir: Path) -> None:
    with pytest.raises(InspectError, match=r"langauge\.code.*language\.code"):
        lines(InspectSettings(where=(Condition.parse("langauge.code=en"),)), run_dir)
    with pytest.raises(InspectError, match="stage"):
        lines(InspectSettings(count_by="stage"), run_dir)  # articles have no stage
    with pytest.raises(InspectError, match="FIELD=VALUE"):
        Condition.parse("language.code")


def test_paths_files_globs_and_run_folders(tmp_path: Path, run_dir: Path) -> None:
    one = run_dir / "articles-00001-of-00002.avro"
    assert avro_paths(str(one)) == [str(one)]
    assert len(avro_paths(str(run_dir / "*.avro"))) == 3
    with pytest.raises(InspectError, match="no such file"):
        avro_paths(str(run_dir / "nothing.avro"))
    # Runs kept side by side under run=<time>/: the latest one is read.
    nested = tmp_path / "nested"
    write_avro(nested / "run=20260101T000000Z" / "articles-00000-of-00001.avro", article_schema(), ARTICLES)
    write_avro(
        nested / "run=20260102T000000Z" / "articles-00000-of-00001.avro", article_schema(), ARTICLES[:1]
    )
    assert find_run_dir(str(nested)).endswith("run=20260102T000000Z")
    # A later folder without a summary (a run that failed) gives way to a finished one.
    (nested / "run=20260101T000000Z" / "summary.json").write_text("{}", encoding="utf-8")
    assert find_run_dir(str(nested)).endswith("run=20260101T000000Z")
    (nested / "run=20260102T000000Z" / "summary.json").write_text("{}", encoding="utf-8")
    assert ids(InspectSettings(), nested) == ["a1"]
    with pytest.raises(InspectError, match="no newsbeam output"):
        find_run_dir(str(tmp_path / "nested" / "run=20260101T000000Z" / "empty"))


def test_cli_prints_lines_and_reports_mistakes(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["inspect", str(run_dir), "--where", "language.code=fr", "--fields", "id,title"]) == 0
    assert capsys.readouterr().out.splitlines() == ['{"id": "a3", "title": "Title a3"}']
    assert cli_main(["inspect", str(run_dir), "--count-by", "nope"]) == 2
    assert "unknown field 'nope'" in capsys.readouterr().err


def test_installed_command(run_dir: Path) -> None:
    result = run_newsbeam("inspect", str(run_dir), "--dead-letters", "--fields", "stage,error_type")
    assert result.returncode == 0, result.stderr
    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"stage": "parse", "error_type": "JSONDecodeError"},
        {"stage": "read", "error_type": "TooLarge"},
    ]
