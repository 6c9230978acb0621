"""Stage ``read``: expand input patterns into files and read their bytes, capped.

Every matched file becomes one ``SourceFile`` element or one dead letter
(too large, unreadable, empty, a gzip that does not inflate). A large JSON Lines
file of clean UTF-8 is read in ranges of whole lines (``plan_ranges``): only the
small range descriptors are shuffled, so the workers share one big file's
articles without the runner holding every article of it in memory.

    pytest tests/test_read.py
"""

from __future__ import annotations

import codecs
import posixpath
import re
import zlib
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics

from transforms.common import DEAD_LETTER, InputError, RunSettings, dead_letter

STAGE = "read"
_CHUNK = 1 << 20
#: About the size of one range of a split JSON Lines file: a 1,000-article file (1.6 MB) gives
#: seven ranges, enough for two workers to share; a range's cost is a few hundred articles.
SPLIT_BYTES = 256 * 1024
_SPLIT_EXTENSIONS = (".jsonl", ".ndjson")
#: C0 controls besides tab, LF, FF, CR and ESC: a file holding any is not split (whether it
#: reads as binary is decided on its first bytes, which a range does not share).
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1a\x1c-\x1f]")


class SourceFile(NamedTuple):
    """A file's path (or a feed's URL) and its (decompressed) bytes.

    ``charset`` is the one the server declared (HTTP Content-Type) for a fetched
    feed; parsing weighs it with the XML declaration and the bytes, and records
    any disagreement as a repair. Files have none.
    """

    uri: str
    data: bytes
    charset: str | None = None


class FileRange(NamedTuple):
    """A matched file, or the whole lines ``[start, end)`` of one (``end`` None: all of it).

    ``first_line`` is the number of the range's first line in the file, so that a parse
    error names the line of the file, not of the range.
    """

    path: str
    size: int | None
    start: int = 0
    end: int | None = None
    first_line: int = 1


class FileTooLarge(InputError):
    pass


class EmptyFile(InputError):
    pass


class BadCompression(InputError):
    pass


def is_hidden(path: str) -> bool:
    """Dot files (editor backups, .DS_Store, ...) are not inputs.

    >>> is_hidden("/data/.DS_Store"), is_hidden("/data/a.xml")
    (True, False)
    """
    return posixpath.basename(path.rstrip("/")).startswith(".")


def matched_inputs(patterns: Iterable[str]) -> list[tuple[str, int | None]]:
    """(path, size) of every file the patterns match, each once, in path order; dot files are
    not inputs. A pattern that matches nothing gives nothing (the command line checked the
    patterns it was given).

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> for name in ("b.jsonl", "a.xml", ".DS_Store"):
    ...     open(os.path.join(d, name), "w").write("{}")
    2
    2
    2
    >>> [(os.path.basename(p), size) for p, size in matched_inputs([d + "/*", d + "/a.*", d + "/none*"])]
    [('a.xml', 2), ('b.jsonl', 2)]
    """
    patterns = list(patterns)
    found: dict[str, int | None] = {}
    for result in FileSystems.match(patterns) if patterns else []:
        for meta in result.metadata_list:
            if not is_hidden(meta.path):
                found.setdefault(meta.path, meta.size_in_bytes)
    return sorted(found.items())


def gunzip_capped(data: bytes, max_bytes: int) -> bytes:
    """Inflate gzip data, refusing output over ``max_bytes`` (a gzip bomb stays small).

    >>> import gzip
    >>> gunzip_capped(gzip.compress(b"hello", mtime=0), 100)
    b'hello'
    >>> gunzip_capped(gzip.compress(b"x" * 1000, mtime=0), 100)
    Traceback (most recent call last):
    ...
    transforms.read.FileTooLarge: decompressed size exceeds the cap of 100 bytes
    """
    if not data:
        raise BadCompression("not valid gzip data: empty file")
    out = bytearray()
    rest = data
    # A .gz may hold several members (cat a.gz b.gz): read them all, as gzip does.
    while rest:
        inflater = zlib.decompressobj(wbits=47)  # 32 + 15: gzip or zlib header, auto-detected
        try:
            out += inflater.decompress(rest, max_bytes + 1 - len(out))
        except zlib.error as error:
            raise BadCompression(f"not valid gzip data: {error}") from None
        if len(out) > max_bytes:
            raise FileTooLarge(f"decompressed size exceeds the cap of {max_bytes} bytes")
        if not inflater.eof:
            raise BadCompression("gzip stream is truncated")
        rest = inflater.unused_data.lstrip(b"\x00")  # trailing zero padding is allowed
    return bytes(out)


def read_capped(path: str, max_bytes: int) -> bytes:
    """Read at most ``max_bytes`` of a file from any Beam filesystem; more is an error."""
    chunks: list[bytes] = []
    total = 0
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
        while True:
            chunk = handle.read(_CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > max_bytes:
                raise FileTooLarge(f"file is larger than the cap of {max_bytes} bytes")
            chunks.append(chunk)
    return b"".join(chunks)


def load_file(path: str, size: int | None, max_bytes: int) -> bytes:
    """The file's bytes, gunzipped when it ends in ``.gz``; errors are InputErrors."""
    if size is not None and size > max_bytes:
        raise FileTooLarge(f"file is {size} bytes, over the cap of {max_bytes} bytes (--max_bytes)")
    data = read_capped(path, max_bytes)
    if path.lower().endswith(".gz"):
        data = gunzip_capped(data, max_bytes)
    if not data.strip():
        raise EmptyFile("file is empty")
    return data


def splittable(path: str, size: int | None, split_bytes: int = SPLIT_BYTES) -> bool:
    """Only uncompressed JSON Lines files (parsed line by line) larger than a range are split,
    whatever their size: a range of lines is all a worker holds of one (``--max_bytes`` caps
    each range, not the file).

    >>> splittable("/d/a.jsonl", 10 << 20), splittable("/d/a.jsonl.gz", 10 << 20)
    (True, False)
    >>> splittable("/d/a.jsonl", 1000), splittable("/d/a.xml", 10 << 20), splittable("/d/a.jsonl", 5 << 30)
    (False, False, True)
    """
    return path.lower().endswith(_SPLIT_EXTENSIONS) and size is not None and split_bytes < size


def plan_ranges(blocks: Iterable[bytes], split_bytes: int = SPLIT_BYTES) -> list[tuple[int, int, int]] | None:
    """(start, end, first line) of ranges of whole lines of about ``split_bytes`` each.

    None when the bytes are not clean UTF-8 text: a legacy charset is guessed from the
    whole file, which a range must not guess again on its own part.

    >>> plan_ranges([b'{"a": 1}\\n{"b": 2}\\n', b'{"c": 3}\\n'], split_bytes=5)
    [(0, 9, 1), (9, 18, 2), (18, 27, 3)]
    >>> plan_ranges([b"one\\ntwo\\nthree"], split_bytes=6)
    [(0, 8, 1), (8, 13, 3)]
    >>> plan_ranges([b"caf\\xe9\\n"]) is None, plan_ranges([b"a\\x00b\\n"]) is None
    (True, True)
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    ranges: list[tuple[int, int, int]] = []
    start, first_line = 0, 1
    offset, lines = 0, 0  # bytes and newlines before the current block
    for block in blocks:
        try:
            decoder.decode(block)
        except UnicodeDecodeError:
            return None
        if _CONTROL.search(block):
            return None
        search = max(0, start + split_bytes - offset)
        while search < len(block):
            newline = block.find(b"\n", search)
            if newline < 0:
                break
            cut = offset + newline + 1
            ranges.append((start, cut, first_line))
            first_line = lines + block.count(b"\n", 0, newline + 1) + 1
            start = cut
            search = newline + 1 + split_bytes
        lines += block.count(b"\n")
        offset += len(block)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    if offset > start:
        ranges.append((start, offset, first_line))
    return ranges


def _blocks(path: str) -> Iterator[bytes]:
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
        while block := handle.read(_CHUNK):
            yield block


def split_file(
    path: str, size: int | None, max_bytes: int, split_bytes: int = SPLIT_BYTES
) -> list[FileRange]:
    """A file as the ranges it is read in: itself, unless it is a large JSON Lines file of clean
    UTF-8. A line longer than ``max_bytes`` gets a range of its own, which the reader refuses
    (the lines around it are read)."""
    whole = [FileRange(path, size)]
    if not splittable(path, size, split_bytes):
        return whole
    split = min(split_bytes, max_bytes)
    try:
        planned = plan_ranges(_blocks(path), split)
        if not planned or len(planned) < 2:
            return whole
        ranges = []
        for start, end, line in planned:
            if end - start > max_bytes:
                ranges.extend(_isolate_long_line(path, start, end, line, split))
            else:
                ranges.append((start, end, line))
    except OSError:  # read again, whole, by ReadFileFn: its error becomes the dead letter
        return whole
    return [FileRange(path, size, start, end, line) for start, end, line in ranges]


def _isolate_long_line(path: str, start: int, end: int, line: int, split: int) -> list[tuple[int, int, int]]:
    """A planned range over the cap -> the lines before its last line, and that line (the one
    that crossed the range's size: those before it are shorter than the range)."""
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
        handle.seek(start)
        head = handle.read(split)
    before = head.rfind(b"\n")
    if before < 0:
        return [(start, end, line)]
    long_start = start + before + 1
    return [(start, long_start, line), (long_start, end, line + head.count(b"\n", 0, before + 1))]


def read_range(path: str, start: int, end: int, first_line: int) -> bytes:
    """The bytes of a range, after one newline per line before it: the parser numbers lines
    from the start of what it is given, and skips blank ones."""
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
        handle.seek(start)
        data = handle.read(end - start)
    if len(data) != end - start:
        raise OSError(f"{path} changed while it was read: {len(data)} bytes at {start}, not {end - start}")
    return b"\n" * (first_line - 1) + data


class ReadFileFn(beam.DoFn):
    """Reads one matched file (``(path, size)`` or a ``FileRange``); failures leave by the
    dead-letter output."""

    DEAD_LETTER = DEAD_LETTER

    def __init__(self, settings: RunSettings):
        self.settings = settings
        self.files = Metrics.counter("newsbeam", "files_read")
        self.bytes = Metrics.distribution("newsbeam", "file_bytes")

    def process(self, file: tuple[Any, ...]) -> Iterator[Any]:
        path, size, *part = file
        if part and part[1] is not None:
            yield from self._read_range(FileRange(path, size, *part))
            return
        try:
            data = load_file(path, size, self.settings.max_bytes)
        except Exception as error:  # unreadable for any reason: one dead letter, the run goes on
            head = b""
            if not isinstance(error, FileTooLarge | EmptyFile):
                try:
                    head = read_capped(path, self.settings.max_bytes)
                except Exception:  # the payload is best effort
                    head = b""
            yield pvalue.TaggedOutput(
                self.DEAD_LETTER,
                dead_letter(
                    source_uri=path,
                    stage=STAGE,
                    error=error,
                    payload=head,
                    run_time_millis=self.settings.run_time_millis,
                ),
            )
            return
        self.files.inc()
        self.bytes.update(len(data))
        yield SourceFile(path, data)

    def _read_range(self, part: FileRange) -> Iterator[Any]:
        assert part.end is not None
        try:
            if part.end - part.start > self.settings.max_bytes:  # one line (split_file)
                raise FileTooLarge(
                    f"line {part.first_line} is {part.end - part.start} bytes, over the cap of "
                    f"{self.settings.max_bytes} bytes (--max_bytes)"
                )
            data = read_range(part.path, part.start, part.end, part.first_line)
        except Exception as error:  # the file went away or changed between planning and reading
            yield pvalue.TaggedOutput(
                self.DEAD_LETTER,
                dead_letter(
                    source_uri=part.path,
                    stage=STAGE,
                    error=error,
                    payload=f"bytes {part.start}-{part.end}",
                    run_time_millis=self.settings.run_time_millis,
                ),
            )
            return
        if part.start == 0:
            self.files.inc()
            self.bytes.update(part.size or 0)
        yield SourceFile(part.path, data)


class ReadInputs(beam.PTransform):
    """Patterns -> SourceFile elements (main) and dead letters (``dead_letter``)."""

    def __init__(self, patterns: list[str], settings: RunSettings, split_bytes: int = SPLIT_BYTES):
        super().__init__()
        self.patterns = list(patterns)
        self.settings = settings
        self.split_bytes = split_bytes

    def expand(self, pbegin: beam.pvalue.PBegin) -> pvalue.DoOutputsTuple:
        # The patterns are matched together, as one element: a file named by two patterns is
        # still one input without a shuffle to drop repeats (each stage costs every worker of a
        # multi-process run a bundle and a round trip). Patterns are few; the files they match
        # are spread below.
        return (
            pbegin
            | "ListPatterns" >> beam.Create([self.patterns])
            | "MatchFiles" >> beam.FlatMap(matched_inputs)
            | "SplitFiles"
            >> beam.FlatMap(
                lambda file, cap, size: split_file(file[0], file[1], cap, size),
                self.settings.max_bytes,
                self.split_bytes,
            )
            # The ranges (small), not the articles, are spread over the workers.
            | "SpreadFiles" >> beam.Reshuffle()
            | "ReadFiles" >> beam.ParDo(ReadFileFn(self.settings)).with_outputs(DEAD_LETTER, main="files")
        )
