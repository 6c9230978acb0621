"""Acceptance on the five seed articles in ../shared/seeds (skipped when absent).

pytest tests/test_seeds.py
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import RUN_TIME, SHARED, read_output, run_newsbeam
from transforms.normalize import repair_text

SEEDS = SHARED / "seeds"
pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="../shared/seeds is absent")

_SENTENCE = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+")


def sentences(text: str) -> list[str]:
    parts = []
    for line in text.splitlines():
        parts.extend(s.strip() for s in _SENTENCE.split(line) if s.strip())
    return parts


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    out = tmp_path_factory.mktemp("seeds-out")
    result = run_newsbeam(
        "ingest", "--input", str(SEEDS / "*.txt"), "--output", str(out), "--run_time", RUN_TIME
    )
    assert result.returncode == 0, result.stderr
    articles, dead, summary = read_output(out)
    assert dead == [] and summary["balanced"]
    return {Path(a["source"]["uri"]).name[:3]: a for a in articles}


def test_all_five_are_english(seed_run: dict[str, dict]) -> None:
    assert sorted(seed_run) == ["000", "001", "002", "003", "004"]
    assert {key: a["language"]["code"] for key, a in seed_run.items()} == dict.fromkeys(seed_run, "en")


def test_header_dates_keep_their_precision(seed_run: dict[str, dict]) -> None:
    assert seed_run["000"]["published"] == {"value": "2023-03", "precision": "month", "source": "header"}
    assert seed_run["004"]["published"] == {"value": "2024-06-07", "precision": "day", "source": "header"}
    for key in ("001", "002", "003"):
        assert seed_run[key]["published"] is None


def test_event_dates_and_mentions(seed_run: dict[str, dict]) -> None:
    day = {"precision": "day", "source": "text"}
    # 000: header 2023-03; "Tuesday" and "14 March 2023" (a Tuesday) pin the day
    assert seed_run["000"]["event_date"] == {"value": "2023-03-14", **day}
    assert seed_run["004"]["event_date"] == {"value": "2024-06-07", **day}
    for key in ("001", "002", "003"):  # no anchor: "Tuesday", "yesterday", "on Sunday" pin nothing
        assert seed_run[key]["event_date"] is None
    mentions = seed_run["000"]["dates"]
    values = {m["text"]: m["value"] for m in mentions}
    assert values["February 2022"] == "2022-02"
    assert values["last April"] == "2022-04"
    assert values["14 March 2023"] == values["March 14, 2023"] == "2023-03-14"
    assert [m["value"] for m in mentions if m["text"] == "Tuesday"] == ["2023-03-14", "2023-03-14"]
    assert not any("hours" in m["text"] for m in mentions)  # "24 hours" is a duration
    assert {m["value"] for m in seed_run["001"]["dates"] if m["text"] == "Tuesday"} == {"XXXX-WXX-2"}
    assert [m["value"] for m in seed_run["004"]["dates"] if m["text"] == "Friday"] == ["2024-06-07"]
    for article in seed_run.values():
        for mention in article["dates"]:
            assert article["text"][mention["start"] : mention["end"]] == mention["text"]


def test_no_sentence_is_lost(seed_run: dict[str, dict]) -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        article = seed_run[path.name[:3]]
        raw = path.read_text(encoding="utf-8")
        raw = re.sub(r"^\s*date\s+\S+", "", raw, count=1)  # the header's date token is metadata
        kept = " ".join(((article["title"] or "") + "\n" + article["text"]).split())
        # Repair judges a stretch by its line, so repair the whole text, then split.
        for sentence in sentences(repair_text(raw)[0]):
            expected = " ".join(sentence.split())
            assert expected in kept, f"{path.name}: lost {sentence!r}"


def test_translation_provenance(seed_run: dict[str, dict]) -> None:
    translation = {key: a["translation"] for key, a in seed_run.items()}
    assert {key: t["is_translation"] for key, t in translation.items()} == {
        "000": False,
        "001": True,
        "002": True,
        "003": True,
        "004": False,
    }
    assert translation["001"]["source_language"] == "fr"
    assert translation["003"]["source_language"] == "es"
    assert translation["000"]["source_language"] is None and translation["004"]["source_language"] is None
    for t in translation.values():
        assert all(s["evidence"] for s in t["signals"])  # every signal says why


def test_retranslated_copy_links_to_its_original(seed_run: dict[str, dict]) -> None:
    assert seed_run["001"]["translation"]["derived_from"] == seed_run["000"]["id"]
    for key in ("000", "002", "003", "004"):
        assert seed_run[key]["translation"]["derived_from"] is None
