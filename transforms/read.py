"""Stage ``read``: expand input patterns into files and read their bytes, capped.

Every matched file becomes one ``SourceFile`` element or one dead letter
(too large, unreadable, empty, a gzip that does not inflate).

    pytest tests/test_read.py
"""

from __future__ import annotations

import posixpath
import zlib
from collections.abc import Iterator
from typing import Any, NamedTuple

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.io import fileio
from apache_beam.io.fileio import EmptyMatchTreatment
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics

from transforms.common import DEAD_LETTER, InputError, RunSettings, dead_letter

STAGE = "read"
_CHUNK = 1 << 20


class SourceFile(NamedTuple):
    """A file's path (or a feed's URL) and its (decompressed) bytes.

    ``charset`` is the one the server declared (HTTP Content-Type) for a fetched
    feed; parsing weighs it with the XML declaration and the bytes, and records
    any disagreement as a repair. Files have none.
    """

    uri: str
    data: bytes
    charset: str | None = None


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


class ReadFileFn(beam.DoFn):
    """Reads one matched file; failures leave by the dead-letter output."""

    DEAD_LETTER = DEAD_LETTER

    def __init__(self, settings: RunSettings):
        self.settings = settings
        self.files = Metrics.counter("newsbeam", "files_read")
        self.bytes = Metrics.distribution("newsbeam", "file_bytes")

    def process(self, file: tuple[str, int]) -> Iterator[Any]:
        path, size = file
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


class ReadInputs(beam.PTransform):
    """Patterns -> SourceFile elements (main) and dead letters (``dead_letter``)."""

    def __init__(self, patterns: list[str], settings: RunSettings):
        super().__init__()
        self.patterns = list(patterns)
        self.settings = settings

    def expand(self, pbegin: beam.pvalue.PBegin) -> pvalue.DoOutputsTuple:
        return (
            pbegin
            | "ListPatterns" >> beam.Create(self.patterns)
            | "MatchFiles" >> fileio.MatchAll(EmptyMatchTreatment.ALLOW)
            | "KeepInputFiles" >> beam.Filter(lambda meta: not is_hidden(meta.path))
            | "KeyByPath" >> beam.Map(lambda meta: (meta.path, meta.size_in_bytes))
            # A file named by two patterns is still one input.
            | "DropRepeatedFiles" >> beam.Distinct()
            | "SpreadFiles" >> beam.Reshuffle()
            | "ReadFiles" >> beam.ParDo(ReadFileFn(self.settings)).with_outputs(DEAD_LETTER, main="files")
        )
