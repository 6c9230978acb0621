"""The Beam side of derived-from linking: LSH buckets as a ``GroupByKey`` over band keys.

The pure logic (fingerprints, MinHash, verification, direction) is in
``transforms.derived``; this module only moves summaries through the shuffle.

Nothing of the size of an article goes through a shuffle (a runner holds a shuffle's whole
input; the DirectRunner in memory): the band entries go through the ``GroupByKey`` packed
as 24-byte records (band, band digest, id hash), and each article's summary (a few hundred
bytes) is a side input of the verification, keyed by its id hash. A verified pair counts
only when each article is the other's most similar verified partner of its language
(``derived.mutual_best``, here as a combine per article and a join per pair). Batch runs
(``temp_dir``) write each article once to a temporary file and read it back at the end
with its ``derived_from``; streaming runs (per window) join the articles with their links
by id.

    pytest tests/test_link.py
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import operator
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
from apache_beam.utils.windowed_value import WindowedValue

from transforms.derived import LinkSettings, band_keys, best_per_language, judge, minhash, summarize

# --- Beam ---------------------------------------------------------------------------


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
    prefix = key.partition(":")[0]
    band = int(prefix) if prefix.isdigit() else 0
    for left, right in itertools.combinations(sorted(unique), 2):
        a, b = unique[left], unique[right]
        # Taken up here unless the two share an earlier band (bands as keys or as digests).
        if (
            band
            and "bands" in a
            and "bands" in b
            and any(map(operator.eq, a["bands"][:band], b["bands"][:band]))
        ):
            continue
        yield (left, right), (a, b)


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


# --- compact band entries and summaries, mutual best, articles spilled to files ------------

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


#: A summary in a few flat values: id, JSON of the other small fields, fingerprints, bands.
Compact = tuple[str, str, str | list[str], bytes]


def compact_summary(summary: dict[str, Any]) -> Compact:
    """A summary as four flat values (a few hundred bytes; a dict of lists would be kilobytes
    in a worker's memory): the id, JSON of the other small fields, the fingerprints joined,
    the bands packed. Copies of one text under other ids differ only in the first.

    >>> s = {"id": "a", "language": "en", "confidence": 0.5, "fingerprints": ["n:10", "p:abc"],
    ...      "bands": ["0:0000000000000001"]}
    >>> e = expand_summary(compact_summary(s))
    >>> {**e, "bands": unpack_bands(e["bands"].tobytes())} == s
    True
    """
    fields = {k: v for k, v in summary.items() if k not in ("id", "fingerprints", "bands")}
    prints = summary["fingerprints"]
    joined: str | list[str] = "\x1f".join(prints)
    if any("\x1f" in p for p in prints) or (len(prints) == 1 and not prints[0]):
        joined = list(prints)  # cannot be joined unambiguously: kept as a list
    return summary["id"], json.dumps(fields, sort_keys=True), joined, pack_bands(summary["bands"])


def expand_summary(compact: Compact) -> dict[str, Any]:
    article_id, fields, prints, bands = compact
    summary = {"id": article_id, **json.loads(fields)}
    if isinstance(prints, str):
        summary["fingerprints"] = prints.split("\x1f") if prints else []
    else:
        summary["fingerprints"] = list(prints)
    # The band digests, in band order: all bucket_pairs compares.
    summary["bands"] = array("Q", bands)
    return summary


PARTNER = "partner"
MATCH = "match"


def bucket_matches(
    key: str, compacts: Iterable[Compact], settings: LinkSettings
) -> Iterator[tuple[str, Any]]:
    """What one bucket says for the mutual-best rule, each pair of distinct summaries judged once.

    ``(PARTNER, (id, (similarity, other id, other's language, other's confidence)))`` for each
    article and each verified partner it may choose; ``(MATCH, ((id, id), (similarity,
    direction)))`` for each verified pair (sorted ids; direction ``(translation, original)``
    or None). A pair is taken up only in the first band the two share (``bucket_pairs``).

    Copies of one text under other ids (a feed's repeats, one wire story in several outlets)
    have summaries that differ only by id, and their pairs grow with the square of the copies.
    A pair of copy groups is judged once, on their smallest ids: every copy of one side gets
    the other side's smallest id as a partner (the one ``best_per_language`` picks among
    copies: equal similarity and confidence), and only the pair of smallest ids can be
    mutual; within a group each copy gets the smallest other id. This gives what judging
    every pair would.
    """
    groups: dict[tuple[Any, ...], list[str]] = {}
    for compact in compacts:
        groups.setdefault(tuple(compact[1:]), []).append(compact[0])
    members = {ids[0]: (content, ids) for content, ids in ((c, sorted(i)) for c, i in groups.items())}
    reps = {rep: expand_summary((rep, *content)) for rep, (content, _) in members.items()}  # type: ignore[arg-type]
    for rep, (content, ids) in members.items():
        # Copies share every band: their pairs are taken up in the first one only.
        if len(ids) < 2 or not key.startswith("0:"):
            continue
        twin = expand_summary((ids[1], *content))  # type: ignore[arg-type]
        judged = judge(reps[rep], twin, settings)
        if judged is None:
            continue
        score, direction = judged
        language, confidence = reps[rep]["language"], reps[rep]["confidence"]
        yield PARTNER, (rep, (score, ids[1], language, confidence))
        for other in ids[1:]:
            yield PARTNER, (other, (score, rep, language, confidence))
        yield MATCH, ((rep, ids[1]), (score, direction))
    for (left, right), (a, b) in bucket_pairs((key, list(reps.values())), settings):
        judged = judge(a, b, settings)
        if judged is None:
            continue
        score, direction = judged
        for member in members[left][1]:
            yield PARTNER, (member, (score, right, b["language"], b["confidence"]))
        for member in members[right][1]:
            yield PARTNER, (member, (score, left, a["language"], a["confidence"]))
        yield MATCH, ((left, right), (score, direction))


class BestPartners(beam.CombineFn):
    """An article's verified partners (similarity, id, language, confidence) -> the ids of its
    most similar one per language (``best_per_language``)."""

    def create_accumulator(self) -> dict[Any, tuple[Any, ...]]:
        return {}

    def add_input(
        self, best: dict[Any, tuple[Any, ...]], partner: tuple[Any, ...]
    ) -> dict[Any, tuple[Any, ...]]:
        return self.merge_accumulators([best, best_per_language([partner])])

    def merge_accumulators(
        self, accumulators: Iterable[dict[Any, tuple[Any, ...]]]
    ) -> dict[Any, tuple[Any, ...]]:
        partners = [
            (score, other, language, *rest)
            for acc in accumulators
            for language, (score, other, *rest) in acc.items()
        ]
        return best_per_language(partners)

    def extract_output(self, best: dict[Any, tuple[Any, ...]]) -> list[str]:
        return sorted(chosen[1] for chosen in best.values())


def chosen_pairs(item: tuple[str, list[str]]) -> Iterator[tuple[tuple[str, str], str]]:
    """(article, its chosen partners) -> each pair (sorted ids), by the article that chose it."""
    article, others = item
    for other in others:
        yield (min(article, other), max(article, other)), article


def mutual_links(
    item: tuple[tuple[str, str], dict[str, list[Any]]],
) -> Iterator[tuple[str, tuple[float, str]]]:
    """A pair both articles chose, when its direction is known -> (translation, (similarity, original))."""
    _, grouped = item
    if len(set(grouped["chosen"])) < 2 or not grouped["match"]:
        return
    score, direction = grouped["match"][0]
    if direction is not None:
        translation, original = direction
        yield translation, (score, original)


class _SummarizeAndSpill(beam.DoFn):
    """Article -> its summary (``summaries``), packed band entries per shard (main), and, with a
    ``temp_dir``, the article itself appended to a temporary file whose path leaves by
    ``spilled`` once the file is closed."""

    def __init__(self, settings: LinkSettings, temp_dir: str | None, shards: int, spill_records: int):
        self.settings = settings
        self.temp_dir = temp_dir
        self.shards = shards
        self.spill_records = spill_records
        self.skipped = Metrics.counter("newsbeam", "derived_from_unfingerprinted")
        self._coefficients: list[tuple[int, int]] = []
        self._coder = FastPrimitivesCoder()
        self._entries: dict[tuple[Any, int], array] = {}
        self._buffered = 0
        self._file: Any = None
        self._path = ""
        self._written = 0

    def setup(self) -> None:
        self._coefficients = self.settings.coefficients()
        if self.temp_dir is not None:
            with contextlib.suppress(OSError):  # it exists (another worker made it), or is a GCS prefix
                FileSystems.mkdirs(self.temp_dir)

    def start_bundle(self) -> None:
        self._entries = {}
        self._buffered = 0
        self._file = None

    def _spill(self, article: dict[str, Any]) -> Iterator[Any]:
        if self._file is None:
            assert self.temp_dir is not None
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
            # Spilled only in batch runs: the global window.
            yield pvalue.TaggedOutput(SPILLED, GlobalWindows.windowed_value(self._path))

    def _flush_entries(self) -> Iterator[WindowedValue]:
        # Entries of several windows may wait together: each leaves in its own window.
        for (window, shard), entries in self._entries.items():
            yield WindowedValue((shard, entries.tobytes()), window.max_timestamp(), [window])
        self._entries = {}
        self._buffered = 0

    def process(self, article: dict[str, Any], window: Any = beam.DoFn.WindowParam) -> Iterator[Any]:
        if self.temp_dir is not None:
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
            self._entries.setdefault((window, digest % self.shards), array("Q")).extend((band, digest, key))
            self._buffered += 1
        if self._buffered >= 50_000:  # about 1.2 MB: a bundle's entries never pile up
            yield from self._flush_entries()

    def finish_bundle(self) -> Iterator[Any]:
        yield from self._close_file()
        yield from self._flush_entries()


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


class _JudgeShard(beam.DoFn):
    """One shard of band entries -> the partners and matches of its buckets (``bucket_matches``)."""

    def __init__(self, settings: LinkSettings):
        self.settings = settings
        self.oversized = Metrics.counter("newsbeam", "derived_from_oversized_buckets")

    def process(self, shard: tuple[int, Iterable[bytes]], summaries: dict[int, Compact]) -> Iterator[Any]:
        _, packs = shard
        for key, members in shard_buckets(packs):
            unique = sorted(set(members))
            if len(unique) < 2:
                continue
            if len(unique) > self.settings.max_bucket:
                self.oversized.inc()
                continue
            for kind, value in bucket_matches(key, [summaries[member] for member in unique], self.settings):
                yield value if kind == PARTNER else pvalue.TaggedOutput(MATCH, value)


class _Links(beam.PTransform):
    """(packed band entries, summaries) -> (translation id, (similarity, original id)), one a translation."""

    def __init__(self, settings: LinkSettings):
        super().__init__()
        self.settings = settings

    def expand(self, inputs: tuple[beam.PCollection, beam.PCollection]) -> beam.PCollection:
        bands, summaries = inputs
        judged = (
            bands
            | "GroupByBand" >> beam.GroupByKey()
            | "VerifyPairsInBucket"
            >> beam.ParDo(_JudgeShard(self.settings), pvalue.AsDict(summaries)).with_outputs(
                MATCH, main="partners"
            )
        )
        chosen = (
            judged.partners
            | "BestPartnerPerLanguage" >> beam.CombinePerKey(BestPartners())
            | "ChosenPairs" >> beam.FlatMap(chosen_pairs)
        )
        return (
            {"chosen": chosen, "match": judged[MATCH]}
            | "JoinChoices" >> beam.CoGroupByKey()
            | "MutualBest" >> beam.FlatMap(mutual_links)
            | "BestOriginal" >> beam.CombinePerKey(_best_original)
        )


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
    shuffle; without it (streaming, per window) they are joined with their links by id.
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
        prepared = articles | "FingerprintBands" >> beam.ParDo(
            _SummarizeAndSpill(self.settings, self.temp_dir, self.shards, self.spill_records)
        ).with_outputs(SUMMARIES, SPILLED, main="bands")
        links = (prepared.bands, prepared[SUMMARIES]) | "Links" >> _Links(self.settings)
        if self.temp_dir is None:
            keyed = articles | "KeyById" >> beam.Map(lambda article: (article["id"], article))
            return (
                {"article": keyed, "link": links}
                | "JoinLinks" >> beam.CoGroupByKey()
                | "SetDerivedFrom" >> beam.FlatMap(_attach)
            )
        read = (
            prepared[SPILLED]
            # Many files of a few hundred articles: the workers share the reading.
            | "SpreadFiles" >> beam.Reshuffle()
            | "SetDerivedFrom"
            >> beam.ParDo(_ReadSpilled(), pvalue.AsDict(links)).with_outputs("done", main="articles")
        )
        _ = (
            read.done
            | "ListRead" >> beam.combiners.ToList()
            | "DeleteTemporaryFiles" >> beam.Map(_delete_spilled, self.temp_dir)
        )
        return read.articles
