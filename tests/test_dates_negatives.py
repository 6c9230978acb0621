"""Sentences that must yield no date mention (tests/data/dates/negatives.txt)."""

from __future__ import annotations

from pathlib import Path

import pytest

from transforms.dates import find_mentions

DATA = Path(__file__).parent / "data" / "dates" / "negatives.txt"
SENTENCES = [
    line.strip() for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip() and line[0] != "#"
]
ANCHOR = {"value": "2023-03-14", "precision": "day", "source": "header"}


def test_the_set_is_not_empty() -> None:
    assert len(SENTENCES) >= 40


@pytest.mark.parametrize("sentence", SENTENCES)
@pytest.mark.parametrize("published", [None, ANCHOR], ids=["no-anchor", "anchor"])
def test_no_mention(sentence: str, published: dict[str, str] | None) -> None:
    assert find_mentions(sentence, published, language="en") == []


@pytest.mark.parametrize("sentence", SENTENCES)
def test_no_mention_when_the_language_is_unknown(sentence: str) -> None:
    # the other-language tables also run then: they must not misread English either
    assert find_mentions(sentence, ANCHOR, language=None) == []
