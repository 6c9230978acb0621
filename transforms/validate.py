"""Records are checked against the Avro schema before the sink sees them.

A record the writer cannot encode (a lone surrogate from a JSON escape, a
wrong type) would fail the whole write bundle; here it becomes one dead letter
of stage ``write`` instead.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import fastavro

from schemas import article_schema
from transforms.common import RunSettings
from transforms.write import to_record


def check_record(record: dict[str, Any], schema: dict[str, Any]) -> None:
    """Raise if fastavro cannot write ``record``; cheap next to the stages before it."""
    fastavro.schemaless_writer(io.BytesIO(), schema, record)


def record_checker(_: RunSettings) -> Callable[[dict[str, Any]], dict[str, Any]]:
    schema = article_schema()

    def check(article: dict[str, Any]) -> dict[str, Any]:
        record = to_record(article)
        check_record(record, schema)
        return record

    return check
