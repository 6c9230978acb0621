"""The Beam side of derived-from linking: LSH buckets as a ``GroupByKey`` over band keys.

The pure logic (fingerprints, MinHash, verification, direction) is in
``transforms.derived``; this module only moves summaries through the shuffle.

Batch runs (``LinkTranslations(temp_dir=...)``) shuffle nothing of the size of an article:
a runner holds a shuffle's whole input (the DirectRunner in memory), so an article that went
through one made memory grow with the run. Each article is written once to a temporary file
and read back at the end with its ``derived_from``; the band entries go through the
``GroupByKey`` packed as 24-byte records (band, band digest, id hash), and each article's
summary (a few hundred bytes) is a side input of the verification, keyed by its id hash.
Without ``temp_dir`` (streaming: per window) the articles are joined with their links by id.

    pytest tests/test_link.py
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import struct
import uuid
from array import array
from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.coders import FastPrimitivesCoder
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics
from apache_beam.transforms.window import GlobalWindows

from transforms.derived import LinkSettings, band_keys, minhash, summarize, verify

# --- Beam ---------------------------------------------------------------------------


class _Summarize(beam.DoFn):
    """Article -> (band key, summary) for every band; too few fingerprints -> nothing."""

    def __init__(self, settings: LinkSettings):
        self.settings = settings
        self.skipped = Metrics.counter("newsbeam", "derived_from_unfingerprinted")
        self._coefficients: list[tuple[int, int]] = []

    def setup(self) -> None:
        self._coefficients = self.settings.coefficients()

    def process(self, article: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        try:
            summary = summarize(article)
        except Exception:  # linking is best effort: the article itself goes on untouched
            self.skipped.inc()
            return
        if len(summary["fingerprints"]) < self.settings.min_fingerprints:
            return
        signature = minhash(summary["fingerprints"], self._coefficients)
        keys = band_keys(signature, self.settings.rows)
        # The band keys travel along so that a pair sharing several bands is taken
        # up in only one of them (see bucket_pairs).
        summary["bands"] = keys
        for key in keys:
            yield key, summary


def bucket_pairs(
    bucket: tuple[str, Iterable[dict[str, Any]]], settings: LinkSettings
) -> Iterator[tuple[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]]]:
    """Every pair of distinct articles sharing this band and no earlier one, keyed by
    their sorted ids: near-duplicates share most bands, and a pair taken up once per
    shared band multiplied the work (and, in a shuffle, the memory) many times over.

    >>> a = {"id": "a", "bands": ["0:x", "1:y"]}
    >>> b = {"id": "b", "bands": ["0:x", "1:y"]}
    >>> settings = LinkSettings()
    >>> len(list(bucket_pairs(("0:x", [a, b]), settings))), list(bucket_pairs(("1:y", [a, b]), settings))
    (1, [])
    """
    key, members = bucket
    unique = {m["id"]: m for m in members}
    if len(unique) < 2 or len(unique) > settings.max_bucket:
        return
    band = key.partition(":")[0]
    for left, right in itertools.combinations(sorted(unique), 2):
        a, b = unique[left], unique[right]
        if "bands" in a and "bands" in b:
            first = next(x for x, y in zip(a["bands"], b["bands"], strict=False) if x == y)
            if first.partition(":")[0] != band:
                continue
        yield (left, right), (a, b)


def bucket_links(
    bucket: tuple[str, Iterable[dict[str, Any]]], settings: LinkSettings
) -> Iterator[tuple[str, tuple[float, str]]]:
    """The verified links among a bucket's pairs; each pair is verified once, in the
    first band it shares, so no second shuffle of pairs is needed."""
    for _, (a, b) in bucket_pairs(bucket, settings):
        link = verify(a, b, settings)
        if link is not None:
            yield link


def _best_original(links: Iterable[tuple[float, str]]) -> tuple[float, str]:
    """The most similar original; ties go to the smaller id, so the result never depends on order."""
    return max(links, key=lambda link: (link[0], [-ord(ch) for ch in link[1]]))


def _attach(item: tuple[str, dict[str, list[Any]]]) -> Iterator[dict[str, Any]]:
    _, grouped = item
    links = grouped["link"]
    for article in grouped["article"]:
        if links:
            original = links[0][1]
            yield {**article, "translation": {**article["translation"], "derived_from": original}}
        else:
            yield article


# --- batch: compact band entries, summaries as a side input, articles spilled to files ----------

#: Outputs of ``_SummarizeAndSpill`` besides the packed band entries.
SUMMARIES = "summaries"
SPILLED = "spilled"
_LENGTH = struct.Struct("<I")


def id_key(article_id: str) -> int:
    """A 64-bit key of an id: what the band entries carry instead of the id itself.

    >>> id_key("a") == id_key("a") != id_key("b")
    True
    """
    digest = hashlib.blake2b(article_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def pack_bands(keys: Iterable[str]) -> bytes:
    """Band keys ``"<band>:<16 hex digits>"`` (``derived.band_keys``), in band order, as 8 bytes each.

    >>> unpack_bands(pack_bands(["0:00000000000000ff", "1:0123456789abcdef"]))
    ['0:00000000000000ff', '1:0123456789abcdef']
    """
    return array("Q", (int(key.partition(":")[2], 16) for key in keys)).tobytes()


def unpack_bands(packed: bytes) -> list[str]:
    return [f"{band}:{digest:016x}" for band, digest in enumerate(array("Q", packed))]


def compact_summary(summary: dict[str, Any]) -> tuple[str, str | list[str], bytes]:
    """A summary as three flat values (a few hundred bytes; a dict of lists would be kilobytes
    in a worker's memory): JSON of the small fields, the fingerprints joined, the bands packed.

    >>> s = {"id": "a", "language": "en", "confidence": 0.5, "fingerprints": ["n:10", "p:abc"],
    ...      "bands": ["0:0000000000000001"]}
    >>> expand_summary(compact_summary(s)) == s
    True
    """
    fields = {k: v for k, v in summary.items() if k not in ("fingerprints", "bands")}
    prints = summary["fingerprints"]
    joined: str | list[str] = "\x1f".join(prints)
    if any("\x1f" in p for p in prints) or (len(prints) == 1 and not prints[0]):
        joined = list(prints)  # cannot be joined unambiguously: kept as a list
    return json.dumps(fields, sort_keys=True), joined, pack_bands(summary["bands"])


def expand_summary(compact: tuple[str, str | list[str], bytes]) -> dict[str, Any]:
    fields, prints, bands = compact
    summary = json.loads(fields)
    if isinstance(prints, str):
        summary["fingerprints"] = prints.split("\x1f") if prints else []
    else:
        summary["fingerprints"] = list(prints)
    summary["bands"] = unpack_bands(bands)
    return summary


class _SummarizeAndSpill(beam.DoFn):
    """Article -> its summary (``summaries``), packed band entries per shard (main), and the
    article itself appended to a temporary file whose path leaves by ``spilled`` once the
    file is closed."""

    def __init__(self, settings: LinkSettings, temp_dir: str, shards: int, spill_records: int):
        self.settings = settings
        self.temp_dir = temp_dir
        self.shards = shards
        self.spill_records = spill_records
        self.skipped = Metrics.counter("newsbeam", "derived_from_unfingerprinted")
        self._coefficients: list[tuple[int, int]] = []
        self._coder = FastPrimitivesCoder()
        self._entries: dict[int, array] = {}
        self._buffered = 0
        self._file: Any = None
        self._path = ""
        self._written = 0

    def setup(self) -> None:
        self._coefficients = self.settings.coefficients()
        with contextlib.suppress(OSError):  # it exists (another worker made it), or is a GCS prefix
            FileSystems.mkdirs(self.temp_dir)

    def start_bundle(self) -> None:
        self._entries = {}
        self._buffered = 0
        self._file = None

    def _spill(self, article: dict[str, Any]) -> Iterator[Any]:
        if self._file is None:
            self._path = FileSystems.join(self.temp_dir, f"articles-{uuid.uuid4().hex}.bin")
            self._file = FileSystems.create(self._path)
            self._written = 0
        data = self._coder.encode(article)
        self._file.write(_LENGTH.pack(len(data)))
        self._file.write(data)
        self._written += 1
        if self._written >= self.spill_records:
            yield from self._close_file()

    def _close_file(self) -> Iterator[Any]:
        if self._file is not None:
            self._file.close()
            self._file = None
            yield pvalue.TaggedOutput(SPILLED, self._path)

    def _flush_entries(self) -> Iterator[tuple[int, bytes]]:
        for shard, entries in sorted(self._entries.items()):
            yield shard, entries.tobytes()
        self._entries = {}
        self._buffered = 0

    def process(self, article: dict[str, Any]) -> Iterator[Any]:
        yield from self._spill(article)
        try:
            summary = summarize(article)
        except Exception:  # linking is best effort: the article itself goes on untouched
            self.skipped.inc()
            return
        if len(summary["fingerprints"]) < self.settings.min_fingerprints:
            return
        signature = minhash(summary["fingerprints"], self._coefficients)
        summary["bands"] = band_keys(signature, self.settings.rows)
        key = id_key(summary["id"])
        yield pvalue.TaggedOutput(SUMMARIES, (key, compact_summary(summary)))
        for band, digest in enumerate(array("Q", pack_bands(summary["bands"]))):
            self._entries.setdefault(digest % self.shards, array("Q")).extend((band, digest, key))
            self._buffered += 1
        if self._buffered >= 50_000:  # about 1.2 MB: a bundle's entries never pile up
            yield from self._flush_entries()

    def finish_bundle(self) -> Iterator[Any]:
        for output in itertools.chain(self._close_file(), self._flush_entries()):
            if isinstance(output, pvalue.TaggedOutput):
                yield pvalue.TaggedOutput(output.tag, GlobalWindows.windowed_value(output.value))
            else:
                yield GlobalWindows.windowed_value(output)


def shard_buckets(packs: Iterable[bytes]) -> Iterator[tuple[str, list[int]]]:
    """The buckets of one shard's packed entries: (band key, id keys), in band key order.

    >>> packs = [array("Q", [0, 7, 1, 0, 7, 2, 1, 7, 2]).tobytes(), array("Q", [0, 9, 3]).tobytes()]
    >>> list(shard_buckets(packs))
    [('0:0000000000000007', [1, 2]), ('0:0000000000000009', [3]), ('1:0000000000000007', [2])]
    """
    entries = array("Q")
    for pack in packs:
        entries.frombytes(pack)
    triples = sorted(zip(entries[0::3], entries[1::3], entries[2::3], strict=True))
    for (band, digest), members in itertools.groupby(triples, key=lambda t: (t[0], t[1])):
        yield f"{band}:{digest:016x}", [t[2] for t in members]


class _VerifyShard(beam.DoFn):
    """One shard of band entries -> the verified links of its buckets."""

    def __init__(self, settings: LinkSettings):
        self.settings = settings
        self.oversized = Metrics.counter("newsbeam", "derived_from_oversized_buckets")

    def process(
        self, shard: tuple[int, Iterable[bytes]], summaries: dict[int, Any]
    ) -> Iterator[tuple[str, tuple[float, str]]]:
        _, packs = shard
        expanded: dict[int, dict[str, Any]] = {}
        for key, members in shard_buckets(packs):
            unique = sorted(set(members))
            if len(unique) < 2:
                continue
            if len(unique) > self.settings.max_bucket:
                self.oversized.inc()
                continue
            bucket = []
            for member in unique:
                if member not in expanded:
                    expanded[member] = expand_summary(summaries[member])
                bucket.append(expanded[member])
            yield from bucket_links((key, bucket), self.settings)


class _ReadSpilled(beam.DoFn):
    """A temporary file -> its articles, each with its ``derived_from``; the path, once read, by
    ``done`` (the files are deleted after every one was read)."""

    def __init__(self) -> None:
        self._coder = FastPrimitivesCoder()

    def process(self, path: str, links: dict[str, tuple[float, str]]) -> Iterator[Any]:
        with FileSystems.open(path) as handle:
            while header := handle.read(_LENGTH.size):
                (size,) = _LENGTH.unpack(header)
                article = self._coder.decode(handle.read(size))
                link = links.get(article["id"])
                if link is not None:
                    article = {**article, "translation": {**article["translation"], "derived_from": link[1]}}
                yield article
        yield pvalue.TaggedOutput("done", path)


def _delete_spilled(paths: list[str], temp_dir: str) -> None:
    if paths:
        FileSystems.delete(paths)
    with contextlib.suppress(Exception):  # only a local directory is left once its files are gone
        if FileSystems.exists(temp_dir):
            FileSystems.delete([temp_dir])


class LinkTranslations(beam.PTransform):
    """Articles -> the same articles, a translation's ``translation.derived_from`` set to its original.

    Every article comes out exactly once; linking never fails an article. With ``temp_dir``
    (batch) the articles wait in temporary files there, deleted at the end, instead of in a
    shuffle.
    """

    def __init__(
        self,
        settings: LinkSettings | None = None,
        temp_dir: str | None = None,
        shards: int = 64,
        spill_records: int = 500,
    ):
        super().__init__()
        self.settings = settings or LinkSettings()
        self.temp_dir = temp_dir
        self.shards = shards
        self.spill_records = spill_records

    def expand(self, articles: beam.PCollection) -> beam.PCollection:
        if self.temp_dir is None:
            return self._expand_joined(articles)
        settings = self.settings
        prepared = articles | "FingerprintBands" >> beam.ParDo(
            _SummarizeAndSpill(settings, self.temp_dir, self.shards, self.spill_records)
        ).with_outputs(SUMMARIES, SPILLED, main="bands")
        links = (
            prepared.bands
            | "GroupByBand" >> beam.GroupByKey()
            | "VerifyPairsInBucket" >> beam.ParDo(_VerifyShard(settings), pvalue.AsDict(prepared[SUMMARIES]))
            | "BestOriginal" >> beam.CombinePerKey(_best_original)
        )
        read = (
            prepared[SPILLED]
            # Many files of a few hundred articles: the workers share the reading.
            | "SpreadFiles" >> beam.Reshuffle()
            | "SetDerivedFrom"
            >> beam.ParDo(_ReadSpilled(), pvalue.AsDict(links)).with_outputs("done", main="articles")
        )
        temp_dir = self.temp_dir
        _ = (
            read.done
            | "ListRead" >> beam.combiners.ToList()
            | "DeleteTemporaryFiles" >> beam.Map(_delete_spilled, temp_dir)
        )
        return read.articles

    def _expand_joined(self, articles: beam.PCollection) -> beam.PCollection:
        settings = self.settings
        keyed = articles | "KeyById" >> beam.Map(lambda article: (article["id"], article))
        links = (
            articles
            | "FingerprintBands" >> beam.ParDo(_Summarize(settings))
            | "GroupByBand" >> beam.GroupByKey()
            | "VerifyPairsInBucket" >> beam.FlatMap(bucket_links, settings)
            | "BestOriginal" >> beam.CombinePerKey(_best_original)
        )
        return (
            {"article": keyed, "link": links}
            | "JoinLinks" >> beam.CoGroupByKey()
            | "SetDerivedFrom" >> beam.FlatMap(_attach)
        )
