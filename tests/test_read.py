"""Unit tests for the pure helpers of transforms.read: capped gunzip, file loading, hidden files."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import pytest

from transforms.common import InputError
from transforms.read import BadCompression, EmptyFile, FileTooLarge, gunzip_capped, is_hidden, load_file

PLAIN = b"Harbour works begin on Monday.\nThe ferry leaves from pier two.\n"


def _gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


# --- gunzip_capped -----------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        PLAIN,
        "Zoë’s café — naïve, 東京\n".encode(),
        bytes(range(256)) * 4,
        b"x",
    ],
    ids=["ascii", "utf8", "all-bytes", "one-byte"],
)
def test_gunzip_capped_round_trips(payload: bytes) -> None:
    assert gunzip_capped(_gz(payload), len(payload)) == payload


def test_gunzip_capped_accepts_output_exactly_at_the_cap() -> None:
    assert gunzip_capped(_gz(b"a" * 100), 100) == b"a" * 100


def test_gunzip_capped_rejects_output_one_byte_over_the_cap() -> None:
    with pytest.raises(FileTooLarge, match="cap of 99 bytes"):
        gunzip_capped(_gz(b"a" * 100), 99)


def test_gunzip_capped_stops_a_gzip_bomb() -> None:
    bomb = _gz(b"\0" * (16 * 1024 * 1024))
    assert len(bomb) < 64 * 1024  # small on disk, huge inflated
    with pytest.raises(FileTooLarge):
        gunzip_capped(bomb, 1024 * 1024)


@pytest.mark.parametrize(
    "cut",
    [10, 20, -4, -1],
    ids=["header-only", "mid-stream", "trailer-missing-4", "trailer-missing-1"],
)
def test_gunzip_capped_truncated_stream_raises_bad_compression(cut: int) -> None:
    data = _gz(PLAIN * 20)
    with pytest.raises(BadCompression):
        gunzip_capped(data[:cut], 1_000_000)


@pytest.mark.parametrize(
    "data",
    [
        PLAIN,
        b"<?xml version='1.0'?><rss version='2.0'></rss>",
        b"PK\x03\x04 a zip file header",
        b"\x1f\x8b",  # gzip magic and nothing else
        b"",
    ],
    ids=["text", "xml", "zip", "magic-only", "empty"],
)
def test_gunzip_capped_non_gzip_raises_bad_compression(data: bytes) -> None:
    with pytest.raises(BadCompression):
        gunzip_capped(data, 1_000_000)


def test_gunzip_capped_corrupted_body_raises_bad_compression() -> None:
    data = bytearray(_gz(PLAIN * 20))
    data[12] ^= 0xFF  # a flipped byte inside the deflate stream
    with pytest.raises(BadCompression):
        gunzip_capped(bytes(data), 1_000_000)


def test_compression_errors_are_input_errors() -> None:
    # The read stage turns InputErrors into dead letters instead of failing the bundle.
    assert issubclass(BadCompression, InputError)
    assert issubclass(FileTooLarge, InputError)
    assert issubclass(EmptyFile, InputError)


def test_gunzip_capped_reads_every_member_of_a_multi_member_gzip() -> None:
    data = _gz(b"first member\n") + _gz(b"second member\n")
    assert gzip.decompress(data) == b"first member\nsecond member\n"
    assert gunzip_capped(data, 1_000) == b"first member\nsecond member\n"


# --- load_file ---------------------------------------------------------------


def test_load_file_reads_plain_file(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes(PLAIN)
    assert load_file(str(path), len(PLAIN), 1024) == PLAIN


def test_load_file_declared_size_over_cap_raises_without_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 200)
    with pytest.raises(FileTooLarge, match="200 bytes"):
        load_file(str(path), 200, 100)


def test_load_file_unknown_size_over_cap_raises(tmp_path: Path) -> None:
    # The matched size can be missing; the read itself must still stop at the cap.
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 200)
    with pytest.raises(FileTooLarge):
        load_file(str(path), None, 100)


def test_load_file_understated_size_over_cap_raises(tmp_path: Path) -> None:
    # The file grew after matching: the metadata says small, the bytes say otherwise.
    path = tmp_path / "grown.txt"
    path.write_bytes(b"x" * 200)
    with pytest.raises(FileTooLarge):
        load_file(str(path), 10, 100)


def test_load_file_exactly_at_cap_is_read(tmp_path: Path) -> None:
    path = tmp_path / "edge.txt"
    path.write_bytes(b"y" * 100)
    assert load_file(str(path), 100, 100) == b"y" * 100


@pytest.mark.parametrize(
    "content",
    [b"", b" ", b"\n\n\n", b" \t\r\n \x0b\x0c"],
    ids=["empty", "space", "newlines", "mixed-whitespace"],
)
def test_load_file_empty_or_whitespace_only_raises_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "blank.txt"
    path.write_bytes(content)
    with pytest.raises(EmptyFile):
        load_file(str(path), len(content), 1024)


@pytest.mark.parametrize("name", ["feed.xml.gz", "notes.jsonl.gz", "UPPER.TXT.GZ"])
def test_load_file_gunzips_gz_files(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(_gz(PLAIN))
    assert load_file(str(path), path.stat().st_size, 1024) == PLAIN


def test_load_file_does_not_gunzip_other_extensions(tmp_path: Path) -> None:
    compressed = _gz(PLAIN)
    path = tmp_path / "archive.bin"
    path.write_bytes(compressed)
    assert load_file(str(path), len(compressed), 1024) == compressed


def test_load_file_gz_over_cap_after_inflation_raises(tmp_path: Path) -> None:
    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(_gz(b"z" * 10_000))
    assert path.stat().st_size < 1_000
    with pytest.raises(FileTooLarge):
        load_file(str(path), path.stat().st_size, 1_000)


def test_load_file_gz_of_whitespace_raises_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt.gz"
    path.write_bytes(_gz(b"  \n\n"))
    with pytest.raises(EmptyFile):
        load_file(str(path), path.stat().st_size, 1024)


def test_load_file_gz_that_is_not_gzip_raises_bad_compression(tmp_path: Path) -> None:
    path = tmp_path / "fake.xml.gz"
    path.write_bytes(b"<rss version='2.0'></rss>")
    with pytest.raises(BadCompression):
        load_file(str(path), path.stat().st_size, 1024)


def test_load_file_truncated_gz_raises_bad_compression(tmp_path: Path) -> None:
    path = tmp_path / "cut.txt.gz"
    path.write_bytes(_gz(PLAIN * 50)[:-6])
    with pytest.raises(BadCompression):
        load_file(str(path), path.stat().st_size, 100_000)


def test_load_file_zlib_stream_in_gz_file_is_accepted(tmp_path: Path) -> None:
    # The inflater auto-detects a zlib header as well as a gzip one.
    path = tmp_path / "zlib.txt.gz"
    path.write_bytes(zlib.compress(PLAIN))
    assert load_file(str(path), path.stat().st_size, 1024) == PLAIN


def test_load_file_missing_file_raises_os_error(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        load_file(str(tmp_path / "absent.txt"), None, 1024)


# --- is_hidden ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "hidden"),
    [
        ("/data/.DS_Store", True),
        ("/data/.story.txt.swp", True),
        (".hidden", True),
        ("gs://bucket/news/.tmp-upload", True),
        ("/data/.cache/", True),
        ("/data/story.txt", False),
        ("story.txt", False),
        ("gs://bucket/news/feed.xml", False),
        ("/data/a.b.c", False),
        ("/data/.cache/feed.xml", False),  # only the file name counts
        ("/data/story.txt~", False),
    ],
)
def test_is_hidden(path: str, hidden: bool) -> None:
    assert is_hidden(path) is hidden
