"""Avro schemas of the records newsbeam writes, shipped as package data.

>>> article_schema()["name"]
'newsbeam.Article'
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import fastavro

ARTICLE = "article.avsc"
DEAD_LETTER = "dead_letter.avsc"


def load_json(name: str) -> dict[str, Any]:
    """The raw JSON of a schema file in this package."""
    return json.loads(resources.files(__name__).joinpath(name).read_text(encoding="utf-8"))


@cache
def _parsed(name: str) -> dict[str, Any]:
    # fastavro's parsed form is immutable in practice; cached per process (not shared state).
    return fastavro.parse_schema(load_json(name))


def article_schema() -> dict[str, Any]:
    """Parsed schema of an article record."""
    return _parsed(ARTICLE)


def dead_letter_schema() -> dict[str, Any]:
    """Parsed schema of a dead-letter record."""
    return _parsed(DEAD_LETTER)
