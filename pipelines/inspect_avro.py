"""``newsbeam inspect``: look at the Avro records a run wrote, before querying them.

newsbeam inspect out --where language.code=fr --fields id,title,translation.source_language
newsbeam inspect 'out/articles-*.avro' --count-by repairs.kind
newsbeam inspect out --dead-letters --count-by stage

Records print as JSON lines; ``--count-by`` prints a table of counts instead. Field paths are
dotted (``language.code``) and go through arrays (``repairs.kind`` yields one value per repair).
Paths may be local or on any Beam filesystem (``gs://...``): a file, a glob, or an output
directory (also one holding ``run=<time>/`` folders, of which the latest is read).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import math
import os
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import fastavro
from apache_beam.io.filesystems import CompressionTypes, FileSystems

ARTICLES_PREFIX = "articles"
DEAD_LETTERS_PREFIX = "dead_letters"
SUMMARY_FILE = "summary.json"
RUN_FOLDER = "run="

_GLOB = re.compile(r"[*?\[]")
#: Strings are cut at this length when printing to a terminal, so a record stays a few lines.
TERMINAL_MAX_CHARS = 200


class InspectError(Exception):
    """A path or field the user named that is not there; reported in one line, exit status 2."""


# --- where the records are -----------------------------------------------------------


def _is_local(path: str) -> bool:
    return urlparse(path).scheme in ("", "file")


def _matches(pattern: str) -> list[str]:
    return sorted(meta.path for meta in FileSystems.match([pattern])[0].metadata_list)


def _is_directory(path: str) -> bool:
    if _is_local(path):
        return os.path.isdir(path.removeprefix("file://"))
    # Object stores have no directories: anything that is not itself an object is treated as one.
    return path.endswith("/") or not FileSystems.exists(path)


def find_run_dir(directory: str) -> str:
    """The folder that holds a run's files: ``directory`` itself, or its latest ``run=<time>/``.

    Run folders are named by run time (``run=20260101T000000Z``), so the last in name order is
    the latest run; folders with a ``summary.json`` (finished runs) come first.
    """
    directory = directory.rstrip("/") or "/"
    own = [
        FileSystems.join(directory, f"{prefix}-*.avro") for prefix in (ARTICLES_PREFIX, DEAD_LETTERS_PREFIX)
    ]
    if any(_matches(pattern) for pattern in own) or FileSystems.exists(
        FileSystems.join(directory, SUMMARY_FILE)
    ):
        return directory

    def runs(pattern: str) -> set[str]:
        return {
            path.rsplit("/", 2)[-2]
            for path in _matches(FileSystems.join(directory, f"{RUN_FOLDER}*", pattern))
        }

    # A run's summary is among its last files: a folder without one may be a run that failed.
    finished = runs(SUMMARY_FILE) or runs("*.avro")
    if not finished:
        raise InspectError(f"{directory}: no newsbeam output here (no {ARTICLES_PREFIX}-*.avro)")
    return FileSystems.join(directory, max(finished))


def avro_paths(path: str, dead_letters: bool = False) -> list[str]:
    """The Avro files a PATH argument names: a file, a glob, or a run's output directory.

    For a directory, its article files, or its dead-letter files when ``dead_letters`` is set.
    """
    if _GLOB.search(path):
        found = _matches(path)
        if not found:
            raise InspectError(f"{path}: no file matches this pattern")
        return found
    if not _is_directory(path):
        if not FileSystems.exists(path):
            raise InspectError(f"{path}: no such file or directory")
        return [path]
    prefix = DEAD_LETTERS_PREFIX if dead_letters else ARTICLES_PREFIX
    found = _matches(FileSystems.join(find_run_dir(path), f"{prefix}-*.avro"))
    if not found:
        raise InspectError(f"{path}: no {prefix}-*.avro files")
    return found


def read_records(paths: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Every record of the given Avro files, in file order; streamed, so a limit reads little."""
    for path in paths:
        # Uncompressed: Avro blocks carry their own codec, and ".avro" must not be guessed at.
        with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
            yield from fastavro.reader(handle)


def writer_schemas(paths: Iterable[str]) -> list[dict[str, Any]]:
    """The schema stored in each file's header (what a path is checked against)."""
    schemas = []
    for path in paths:
        with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
            schemas.append(fastavro.reader(handle).writer_schema)
    return schemas


# --- field paths ---------------------------------------------------------------------


def schema_paths(schema: Any) -> set[str]:
    """Every dotted field path of an Avro schema, through records, arrays, unions and named types.

    >>> sorted(schema_paths({"type": "record", "name": "R", "fields": [
    ...     {"name": "a", "type": "string"},
    ...     {"name": "b", "type": {"type": "array", "items": {"type": "record", "name": "B",
    ...         "fields": [{"name": "c", "type": ["null", "int"]}]}}},
    ...     {"name": "d", "type": ["null", "B"]}]}))
    ['a', 'b', 'b.c', 'd', 'd.c']
    """
    named: dict[str, Any] = {}
    paths: set[str] = set()

    def walk(node: Any, prefix: str, namespace: str) -> None:
        if isinstance(node, str):
            target = named.get(node) or named.get(f"{namespace}.{node}")
            if target is not None:
                walk(target, prefix, namespace)
            return
        if isinstance(node, list):
            for branch in node:
                walk(branch, prefix, namespace)
            return
        if not isinstance(node, dict):
            return
        kind = node.get("type")
        if kind in ("record", "error"):
            namespace = node.get("namespace", namespace)
            name = node["name"] if "." in node["name"] else f"{namespace}.{node['name']}".lstrip(".")
            named.setdefault(name, node)
            named.setdefault(node["name"].rsplit(".", 1)[-1], node)
            for child in node.get("fields", []):
                path = f"{prefix}.{child['name']}" if prefix else child["name"]
                paths.add(path)
                walk(child["type"], path, namespace)
        elif kind == "array":
            walk(node["items"], prefix, namespace)
        elif kind == "map":
            walk(node["values"], prefix, namespace)
        elif isinstance(kind, dict | list):
            walk(kind, prefix, namespace)

    walk(schema, "", "")
    return paths


_MISSING = object()


def _select(value: Any, parts: Sequence[str]) -> Any:
    if not parts:
        return value
    if isinstance(value, list):
        out: list[Any] = []
        for item in value:
            got = _select(item, parts)
            if got is _MISSING:
                continue
            # Arrays inside arrays flatten: a path yields values, not nesting.
            out.extend(got if isinstance(got, list) else [got])
        return out
    if value is None:
        return None
    if isinstance(value, dict) and parts[0] in value:
        return _select(value[parts[0]], parts[1:])
    return _MISSING


def select(record: dict[str, Any], path: str) -> Any:
    """The value at a dotted path; through arrays, a list of the items' values; None under a null.

    >>> article = {"language": {"code": "fr"}, "repairs": [{"kind": "mojibake"}, {"kind": "charset"}],
    ...            "published": None}
    >>> select(article, "language.code"), select(article, "repairs.kind"), select(article, "published.value")
    ('fr', ['mojibake', 'charset'], None)
    """
    got = _select(record, path.split("."))
    return None if got is _MISSING else got


def values_at(record: dict[str, Any], path: str) -> list[Any]:
    """The values a path yields, one per array element; empty when the field is absent.

    >>> values_at({"repairs": []}, "repairs.kind"), values_at({"a": None}, "a"), values_at({}, "a")
    ([], [None], [])
    """
    got = _select(record, path.split("."))
    if got is _MISSING:
        return []
    return got if isinstance(got, list) else [got]


def value_text(value: Any) -> str:
    """How a value is written in a condition and in a count table: JSON's words for null and booleans.

    >>> value_text(None), value_text(True), value_text(0.5), value_text("fr"), value_text({"code": "en"})
    ('null', 'true', '0.5', 'fr', '{"code": "en"}')
    >>> value_text(datetime(2026, 1, 1, tzinfo=UTC)), value_text(b"raw")
    ('2026-01-01T00:00:00Z', 'raw')
    """
    value = plain(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


# --- conditions ----------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """``FIELD=VALUE`` (some value at FIELD matches) or ``FIELD!=VALUE`` (none does).

    VALUE may hold shell-style wildcards (``*cp874*``); numbers compare as numbers, so
    ``language.confidence=1`` matches 1.0; ``null``, ``true`` and ``false`` are JSON's.
    """

    path: str
    value: str
    negated: bool = False

    @classmethod
    def parse(cls, text: str) -> Condition:
        """
        >>> Condition.parse("language.code=fr"), Condition.parse("stage!=read").negated
        (Condition(path='language.code', value='fr', negated=False), True)
        """
        match = re.fullmatch(r"\s*([\w.]+)\s*(!?=)(.*)", text)
        if not match:
            raise InspectError(f"--where {text!r}: expected FIELD=VALUE or FIELD!=VALUE")
        path, operator, value = match.groups()
        return cls(path, value, operator == "!=")

    def _matches_value(self, value: Any) -> bool:
        if isinstance(value, int | float) and not isinstance(value, bool):
            try:
                return math.isclose(float(self.value), float(value), rel_tol=0, abs_tol=1e-12)
            except ValueError:
                pass
        text = value_text(value)
        if _GLOB.search(self.value):
            return fnmatch.fnmatchcase(text, self.value)
        return text == self.value

    def holds(self, record: dict[str, Any]) -> bool:
        """
        >>> record = {"repairs": [{"detail": "utf-8 read as cp874"}], "language": {"code": None}}
        >>> Condition.parse("repairs.detail=*cp874").holds(record)
        True
        >>> Condition.parse("language.code=null").holds(record)
        True
        >>> Condition.parse("repairs.detail!=*cp874").holds(record)
        False
        """
        found = any(self._matches_value(value) for value in values_at(record, self.path))
        return found != self.negated


# --- settings and the two outputs ----------------------------------------------------


@dataclass(frozen=True)
class InspectSettings:
    """What ``newsbeam inspect`` shows. ``max_chars`` 0 keeps strings whole."""

    where: tuple[Condition, ...] = ()
    limit: int | None = None
    fields: tuple[str, ...] = ()
    count_by: str | None = None
    max_chars: int = 0
    dead_letters: bool = False

    def named_paths(self) -> list[str]:
        return [*(c.path for c in self.where), *self.fields, *([self.count_by] if self.count_by else [])]


def check_paths(settings: InspectSettings, schemas: Sequence[dict[str, Any]]) -> None:
    """Fail early on a field no file has: a typo would otherwise print nothing, or all nulls."""
    known: set[str] = set().union(*(schema_paths(schema) for schema in schemas)) if schemas else set()
    for path in settings.named_paths():
        if path not in known:
            near = sorted(k for k in known if k.split(".")[-1] == path.split(".")[-1]) or sorted(
                k for k in known if "." not in k
            )
            raise InspectError(f"unknown field {path!r}; try one of: {', '.join(near)}")


def matching(records: Iterable[dict[str, Any]], where: Sequence[Condition]) -> Iterator[dict[str, Any]]:
    """Records for which every condition holds."""
    return (record for record in records if all(condition.holds(record) for condition in where))


def plain(value: Any) -> Any:
    """A record as JSON values: times as ISO 8601 UTC, bytes as text (undecodable bytes escaped).

    >>> plain({"at": datetime(2026, 1, 1, tzinfo=UTC), "payload": b"caf\\xc3\\xa9 \\xff"})
    {'at': '2026-01-01T00:00:00Z', 'payload': 'café \\\\xff'}
    """
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, datetime):
        moment = value.astimezone(UTC)
        spec = "milliseconds" if moment.microsecond else "seconds"
        return moment.isoformat(timespec=spec).replace("+00:00", "Z")
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="backslashreplace")
    return value


def shorten(value: Any, max_chars: int) -> Any:
    """Strings cut to ``max_chars`` with a note of how much was left out (0 keeps them whole).

    >>> shorten({"text": "abcdefghij", "n": [1]}, 4)
    {'text': 'abcd… [+6 chars]', 'n': [1]}
    """
    if max_chars <= 0:
        return value
    if isinstance(value, dict):
        return {key: shorten(item, max_chars) for key, item in value.items()}
    if isinstance(value, list):
        return [shorten(item, max_chars) for item in value]
    if isinstance(value, str) and len(value) > max_chars:
        return f"{value[:max_chars]}… [+{len(value) - max_chars} chars]"
    return value


def _terminal_safe(text: str) -> str:
    # JSON escapes C0 controls but not C1 controls, bidi overrides or other format characters,
    # which mojibake's originals and payloads hold and which would garble a terminal.
    return "".join(
        f"\\u{ord(char):04x}" if unicodedata.category(char) in ("Cc", "Cf") and char != "\u200d" else char
        for char in text
    )


def project(record: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    """The chosen fields only, keyed by their dotted paths; the whole record when none are chosen."""
    if not fields:
        return record
    return {path: select(record, path) for path in fields}


def json_line(record: dict[str, Any], settings: InspectSettings) -> str:
    """One record as one line of JSON, readable in a terminal (letters as letters, controls escaped).

    >>> json_line({"id": "a", "title": "Caf\\u00e9\\u0085", "repairs": [{"kind": "x"}]},
    ...           InspectSettings(fields=("title", "repairs.kind")))
    '{"title": "Café\\\\u0085", "repairs.kind": ["x"]}'
    """
    shown = shorten(plain(project(record, settings.fields)), settings.max_chars)
    return _terminal_safe(json.dumps(shown, ensure_ascii=False))


def count_values(records: Iterable[dict[str, Any]], path: str) -> tuple[Counter[str], int, int]:
    """(count of each value at ``path``, records seen, records with no value there).

    Arrays count each element: an article with three repairs adds three to ``repairs.kind``.
    """
    counts: Counter[str] = Counter()
    seen = empty = 0
    for record in records:
        seen += 1
        values = values_at(record, path)
        if not values:
            empty += 1
        counts.update(value_text(value) for value in values)
    return counts, seen, empty


def count_table(counts: Counter[str], path: str, records: int, empty: int, limit: int | None = None) -> str:
    """A plain-text table, largest count first (ties by value), with each value's share.

    >>> print(count_table(Counter({"en": 3, "fr": 1}), "language.code", 4, 0))
    language.code  count  share
    en                 3  75.0%
    fr                 1  25.0%
    4 values in 4 records
    """
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    total = sum(counts.values())
    if not total:
        return f"{path}: no values in {records} records"
    shown = rows[:limit] if limit else rows
    width = max([len(path), *(len(_terminal_safe(value)) for value, _ in shown)])
    lines = [f"{path:<{width}}  count  share"]
    for value, count in shown:
        lines.append(f"{_terminal_safe(value):<{width}}  {count:>5}  {count / total:>5.1%}")
    if len(shown) < len(rows):
        rest = sum(count for _, count in rows[len(shown) :])
        lines.append(f"{f'({len(rows) - len(shown)} more)':<{width}}  {rest:>5}  {rest / total:>5.1%}")
    footer = f"{total} values in {records} records"
    if empty:
        footer += f" ({empty} with none)"
    lines.append(footer)
    return "\n".join(lines)


def inspect(settings: InspectSettings, paths: Sequence[str]) -> Iterator[str]:
    """The lines ``newsbeam inspect`` prints for these Avro files."""
    check_paths(settings, writer_schemas(paths))
    records = matching(read_records(paths), settings.where)
    if settings.count_by:
        counts, seen, empty = count_values(records, settings.count_by)
        yield count_table(counts, settings.count_by, seen, empty, settings.limit)
        return
    for number, record in enumerate(records):
        if settings.limit is not None and number >= settings.limit:
            return
        yield json_line(record, settings)


# --- the command ---------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsbeam inspect",
        description="Print the records of newsbeam's Avro files as JSON lines, or count their values.",
        epilog="examples:\n"
        "  newsbeam inspect out --where language.code=fr --fields id,title\n"
        "  newsbeam inspect out --count-by repairs.kind\n"
        "  newsbeam inspect out --where 'repairs.detail=*cp874*' --limit 3\n"
        "  newsbeam inspect out --dead-letters --count-by stage",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("path", help="an Avro file, a glob, or a run's output directory")
    parser.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="keep records with this value at FIELD (or none, with !=); wildcards * ? allowed; repeatable",
    )
    parser.add_argument("--limit", type=int, metavar="N", help="at most N records (with --count-by: rows)")
    parser.add_argument("--fields", metavar="A,B.C", help="print only these fields, by dotted path")
    parser.add_argument("--count-by", metavar="FIELD", help="print a table of counts of FIELD's values")
    parser.add_argument(
        "--dead-letters", action="store_true", help="for a directory: read its dead letters, not articles"
    )
    parser.add_argument(
        "--max-chars",
        type=int,
        metavar="N",
        help="cut strings longer than N characters (default: 200 on a terminal, whole when piped; 0: whole)",
    )
    return parser


def settings_from_args(args: argparse.Namespace, terminal: bool) -> InspectSettings:
    if args.limit is not None and args.limit < 0:
        raise InspectError("--limit must not be negative")
    fields = tuple(part.strip() for part in (args.fields or "").split(",") if part.strip())
    max_chars = args.max_chars if args.max_chars is not None else (TERMINAL_MAX_CHARS if terminal else 0)
    return InspectSettings(
        where=tuple(Condition.parse(text) for text in args.where),
        limit=args.limit,
        fields=fields,
        count_by=args.count_by,
        max_chars=max_chars,
        dead_letters=args.dead_letters,
    )


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(list(argv))
    try:
        settings = settings_from_args(args, terminal=sys.stdout.isatty())
        for line in inspect(settings, avro_paths(args.path, settings.dead_letters)):
            print(line)
    except InspectError as error:
        print(f"newsbeam inspect: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # `newsbeam inspect out | head` closes the pipe early; that is not an error. Python
        # would flush stdout again at exit and complain, so stdout now goes nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
