"""The Beam side of derived-from linking: LSH buckets as a ``GroupByKey`` over band keys.

The pure logic (fingerprints, MinHash, verification, direction) is in
``transforms.derived``; this module only moves summaries through the shuffle.

Nothing of the size of an article goes through a shuffle (a runner holds a shuffle's whole
input; the DirectRunner in memory, several times over). The bands are dealt to a few groups,
the ``GroupByKey``'s keys; for each group an article sends its 64-bit id hash and its 32-bit
bucket word in each of the group's bands, packed by the thousand into one ``bytes`` value
(448 bytes an article at 80 bands). Each article's summary (fingerprints, translation
evidence, 16 bits of each band's word: about 390 bytes, packed as one ``bytes``) goes with
its id hash into a list of a few thousand, and those lists are a side input of the
verification (one element an article crossed a multi-process runner's state API 4 times
slower). A verified pair counts only when each
article is the other's most similar verified partner of its language
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
import struct
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import apache_beam as beam
import numpy as np
from apache_beam import pvalue
from apache_beam.coders import FastPrimitivesCoder
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics import Metrics
from apache_beam.transforms.window import GlobalWindows
from apache_beam.utils.windowed_value import WindowedValue

from transforms.derived import (
    KanjiNames,
    LinkSettings,
    band_digests,
    best_per_language,
    judge,
    minhash,
    summarize,
)

# --- compact band entries and summaries ----------------------------------------------------

#: The bands are dealt to ``shards`` groups (band b to group b mod shards), one ``GroupByKey``
#: key each. What crosses the shuffle for a group is one record per article: its 64-bit id
#: key and its 32-bit bucket word in each band of the group, packed by the thousand into one
#: ``bytes`` value (16 groups of 80 bands: 28 bytes an article and group, 448 in all, where
#: (band, digest, id) per band took 1,920). Two articles share a bucket when they have the
#: same word in the same band: 32 bits tell about 4 billion buckets of a band apart, and a
#: collision only adds a candidate that the verification rejects.


SUMMARIES = "summaries"
SPILLED = "spilled"
_LENGTH = struct.Struct("<I")
_FIELDS_LENGTH = struct.Struct("<H")
#: A packed summary's day of publication (proleptic ordinal; 0 unknown), after its sketch.
_DAY = struct.Struct("<I")


def id_key(article_id: str) -> int:
    """A 64-bit key of an id: what the band records carry instead of the id itself.

    >>> id_key("a") == id_key("a") != id_key("b")
    True
    """
    digest = hashlib.blake2b(article_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def group_bands(group: int, shards: int, bands: int) -> range:
    """The bands of one group.

    >>> list(group_bands(1, 4, 10))
    [1, 5, 9]
    """
    return range(group, bands, shards)


def group_dtype(group: int, shards: int, bands: int) -> np.dtype:
    """The record of one article in one group: id key, then its words in the group's bands."""
    return np.dtype([("key", "<u8"), ("words", "<u4", (len(group_bands(group, shards, bands)),))])


def bucket_words(signature: Sequence[int], rows: int) -> np.ndarray:
    """A MinHash signature -> each band's 32-bit bucket word: the upper half of the band's
    digest (``derived.band_digests``, the digest ``derived.band_keys`` spells in hex).

    >>> bucket_words([1, 2, 3, 4], 2).dtype, len(bucket_words([1, 2, 3, 4], 2))
    (dtype('uint32'), 2)
    """
    return (band_digests(signature, rows) >> np.uint64(32)).astype(np.uint32)


def group_packs(keys: np.ndarray, words: np.ndarray, shards: int) -> Iterator[tuple[int, bytes]]:
    """Id keys (n) and their articles' bucket words (n x bands) -> (group, the group's records
    packed), for every group.

    >>> words = np.array([[1, 2, 3], [1, 5, 6]], dtype=np.uint32)
    >>> packs = dict(group_packs(np.array([7, 8], dtype=np.uint64), words, 2))
    >>> records = np.frombuffer(packs[1], dtype=group_dtype(1, 2, 3))
    >>> records["key"].tolist(), records["words"].tolist()
    ([7, 8], [[2], [5]])
    """
    bands = words.shape[1]
    for group in range(min(shards, bands)):
        records = np.empty(len(keys), dtype=group_dtype(group, shards, bands))
        records["key"] = keys
        records["words"] = words[:, group::shards]
        yield group, records.tobytes()


def group_buckets(
    group: int, packs: Iterable[bytes], shards: int, bands: int
) -> Iterator[tuple[int, list[int]]]:
    """The buckets of one group's packed records with two members or more: (band, distinct id
    keys in order), band by band, in word order.

    >>> packs = [r for _, r in group_packs(np.array([1, 2, 2], dtype=np.uint64),
    ...          np.array([[7, 8], [7, 9], [7, 9]], dtype=np.uint32), 1)]
    >>> list(group_buckets(0, packs, 1, 2))
    [(0, [1, 2])]
    """
    parts = [np.frombuffer(pack, dtype=group_dtype(group, shards, bands)) for pack in packs]
    if not parts:
        return
    records = np.concatenate(parts)
    keys = records["key"]
    for column, band in enumerate(group_bands(group, shards, bands)):
        word = records["words"][:, column]
        order = np.lexsort((keys, word))
        word, key = word[order], keys[order]
        # A new bucket where the word changes; a repeated key (an id given twice) counts once.
        new_bucket = np.ones(len(order), dtype=bool)
        new_bucket[1:] = word[1:] != word[:-1]
        repeat = np.zeros(len(order), dtype=bool)
        repeat[1:] = ~new_bucket[1:] & (key[1:] == key[:-1])
        starts = np.flatnonzero(new_bucket)
        sizes = np.diff(np.append(starts, len(order))) - np.add.reduceat(repeat, starts)
        distinct = key[~repeat]
        offsets = np.cumsum(np.append(0, sizes))
        for index in np.flatnonzero(sizes >= 2).tolist():
            yield band, distinct[offsets[index] : offsets[index + 1]].tolist()


#: The summary fields every summary has, in the order a compact summary keeps them.
_KNOWN_FIELDS = ("language", "is_translation", "confidence", "source_language", "assessed")

#: A summary in two flat values: the id, and the rest packed (``compact_summary``).
Compact = tuple[str, bytes]


def compact_summary(summary: dict[str, Any], words: np.ndarray) -> Compact:
    """A summary as (id, bytes): a few hundred bytes, where a dict of lists would be kilobytes
    in a worker's memory. With it goes the lower half of each band's bucket word (the
    ``sketch``), enough for ``bucket_pairs`` to tell whether two articles shared an earlier
    band, and last the day of publication (``_DAY``, 0 when unknown). Copies of one text under
    other ids differ only in the id and that day: ``copy_key`` leaves the day out.

    >>> s = {"id": "a", "language": "en", "is_translation": False, "confidence": 0.5,
    ...      "source_language": None, "assessed": True, "fingerprints": ["n:10", "p:abc"]}
    >>> e = expand_summary(compact_summary(s, np.array([3, 65540], dtype=np.uint32)))
    >>> e.pop("sketch").tolist(), e == s
    ([3, 4], True)
    """
    known = [summary.get(name) for name in _KNOWN_FIELDS]
    outside = (*_KNOWN_FIELDS, "id", "fingerprints", "published_day")
    extra = {k: v for k, v in summary.items() if k not in outside}
    fields = json.dumps([*known, extra or None, summary["fingerprints"]], ensure_ascii=False)
    data = fields.encode("utf-8", "surrogatepass")
    sketch = (words & 0xFFFF).astype("<u2")
    day = _DAY.pack(summary.get("published_day") or 0)
    return summary["id"], _FIELDS_LENGTH.pack(len(data)) + data + sketch.tobytes() + day


def expand_summary(compact: Compact) -> dict[str, Any]:
    """A compact summary back as a dict, with its ``sketch`` (uint16 a band, in band order)."""
    article_id, packed = compact
    (size,) = _FIELDS_LENGTH.unpack_from(packed)
    start = _FIELDS_LENGTH.size
    *known, extra, prints = json.loads(packed[start : start + size].decode("utf-8", "surrogatepass"))
    summary = {"id": article_id, **dict(zip(_KNOWN_FIELDS, known, strict=True)), **(extra or {})}
    summary["fingerprints"] = prints
    bands = (len(packed) - start - size - _DAY.size) // 2
    summary["sketch"] = np.frombuffer(packed, dtype="<u2", offset=start + size, count=bands)
    if day := published_day_of(packed):
        summary["published_day"] = day
    return summary


def copy_key(packed: bytes) -> bytes:
    """What copies of one text under other ids have in common: the packed summary without its
    day of publication (one wire story comes out in several outlets on several days)."""
    return packed[: -_DAY.size]


def published_day_of(packed: bytes) -> int:
    """The day of publication of a packed summary (``published_day``), 0 when unknown."""
    return _DAY.unpack_from(packed, len(packed) - _DAY.size)[0]


# --- buckets, pairs, mutual best ----------------------------------------------------------


def sketch_bytes(key: bytes) -> bytes:
    """The sketch of a packed summary's ``copy_key``, 2 bytes a band, without reading the rest."""
    (size,) = _FIELDS_LENGTH.unpack_from(key)
    return key[_FIELDS_LENGTH.size + size :]


def first_band(first: int, other: int, bands: int) -> int:
    """Where a pair's order of the bands starts, from the first lanes of the two sketches.

    A pair is taken up in the first band it shares in its own order of the bands: in one order
    for all, the first band would take up nearly every pair of similar articles (they share it
    with a probability of their similarity squared), the costly ones to verify, and its group
    would be a hot key of the shuffle. Symmetric in the two; copies of one text (equal
    sketches) start at a band their sketch picks.

    >>> first_band(7, 9, 80) == first_band(9, 7, 80)
    True
    >>> sorted({first_band(v, v, 80) for v in range(4000)}) == list(range(80))
    True
    """
    return ((first + other) * 0x9E3779B1 >> 16) % bands


def fresh_pairs(band: int, sketches: Sequence[bytes]) -> Iterator[tuple[int, int]]:
    """The pairs (i < j) of a bucket of this band that share no band before it in their own
    order of the bands (``first_band``, then round): each pair is taken up in one band only,
    where near-duplicates share most bands (a pair taken up once per shared band multiplied
    the work, on the benchmark's news 3 times).

    Bands are compared on the members' sketches: 16 bits of each band's word (the lanes of
    one integer: equal in some lane exactly when their XOR has a zero lane). Two articles
    whose sketches agree in a band before this one that they do not share (1 in 65,536 a
    band) are not taken up here, and so never: a pair sharing one band only is lost at most
    once in 830 (about once in 1,600 on average), a pair sharing several (what true pairs do)
    far less often; next to what LSH itself misses (a pair of similarity 0.2 has no shared
    band 4 times in 100), nothing.

    >>> def sketch(*lanes: int) -> bytes:
    ...     return np.array(lanes, dtype="<u2").tobytes()
    >>> a, b = sketch(1, 2, 3), sketch(9, 2, 3)  # they share bands 1 and 2
    >>> start = first_band(1, 9, 3)
    >>> [band for band in (1, 2) if list(fresh_pairs(band, [a, b]))] == [2 if start == 2 else 1]
    True
    """
    if not sketches:
        return
    bands = len(sketches[0]) // 2
    values = [int.from_bytes(sketch, "little") for sketch in sketches]
    ones = int.from_bytes(b"\x01\x00" * bands, "little")  # the low bit of every lane
    for (i, x), (j, y) in itertools.combinations(enumerate(values), 2):
        start = first_band(x & 0xFFFF, y & 0xFFFF, bands)
        before = (band - start) % bands  # bands before this one in the pair's order
        if not before:
            yield i, j
            continue
        differ = x ^ y
        # The lanes from ``start`` on, then those before it: the pair's order.
        rotated = (differ >> (16 * start)) | ((differ & ((1 << (16 * start)) - 1)) << (16 * (bands - start)))
        mask = (1 << (16 * before)) - 1
        window, low = rotated & mask, ones & mask
        if not (window - low) & ~window & (low << 15):  # no lane of the XOR is zero
            yield i, j


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


PARTNER = "partner"
MATCH = "match"


def bucket_matches(
    band: int, compacts: Iterable[Compact], settings: LinkSettings
) -> Iterator[tuple[str, Any]]:
    """What one bucket of this band says for the mutual-best rule, each pair of distinct
    summaries judged once.

    ``(PARTNER, (id, (similarity, other id, other's language, other's confidence)))`` for each
    article and each verified partner it may choose; ``(MATCH, ((id, id), (similarity,
    direction)))`` for each verified pair (sorted ids; direction ``(translation, original)``
    or None). A pair is taken up only in the first band the two share (``fresh_pairs``).

    Copies of one text under other ids (a feed's repeats, one wire story in several outlets)
    have summaries that differ only by id, and their pairs grow with the square of the copies.
    A pair of copy groups is judged once, on their smallest ids: every copy of one side gets
    the other side's smallest id as a partner (the one ``best_per_language`` picks among
    copies: equal similarity and confidence), and only the pair of smallest ids can be
    mutual; within a group each copy gets the smallest other id. This gives what judging
    every pair would, but for the day of publication: copies may come out on several days,
    and a group's day is that of its earliest copy, when the text first came out.
    """
    groups: dict[bytes, list[str]] = {}
    days: dict[bytes, int] = {}
    for article_id, packed in compacts:
        key = copy_key(packed)
        groups.setdefault(key, []).append(article_id)
        if day := published_day_of(packed):
            days[key] = min(day, days.get(key, day))
    # Copy groups in the order of their smallest ids; summaries expanded only when judged.
    members = sorted((sorted(ids), key) for key, ids in groups.items())
    expanded: dict[int, dict[str, Any]] = {}

    def summary(index: int) -> dict[str, Any]:
        if index not in expanded:
            ids, key = members[index]
            expanded[index] = expand_summary((ids[0], key + _DAY.pack(days.get(key, 0))))
        return expanded[index]

    sketches = [sketch_bytes(key) for _, key in members]
    for index, (ids, _key) in enumerate(members):
        # Copies share every band: they are judged in the first of their order (``first_band``).
        first = int.from_bytes(sketches[index][:2], "little")
        if len(ids) < 2 or first_band(first, first, len(sketches[index]) // 2) != band:
            continue
        rep = summary(index)
        judged = judge(rep, {**rep, "id": ids[1]}, settings)
        if judged is None:
            continue
        score, direction = judged
        language, confidence = rep["language"], rep["confidence"]
        yield PARTNER, (ids[0], (score, ids[1], language, confidence))
        for other in ids[1:]:
            yield PARTNER, (other, (score, ids[0], language, confidence))
        yield MATCH, ((ids[0], ids[1]), (score, direction))
    for i, j in fresh_pairs(band, sketches):
        a, b = summary(i), summary(j)
        judged = judge(a, b, settings)
        if judged is None:
            continue
        score, direction = judged
        for member in members[i][0]:
            yield PARTNER, (member, (score, b["id"], b["language"], b["confidence"]))
        for member in members[j][0]:
            yield PARTNER, (member, (score, a["id"], a["language"], a["confidence"]))
        yield MATCH, ((a["id"], b["id"]), (score, direction))


class BestPartners(beam.CombineFn):
    """An article's verified partners (similarity, id, language, confidence) -> the ids of its
    most similar one per language (``best_per_language``)."""

    def create_accumulator(self) -> dict[Any, tuple[Any, ...]]:
        return {}

    def add_input(
        self, best: dict[Any, tuple[Any, ...]], partner: tuple[Any, ...]
    ) -> dict[Any, tuple[Any, ...]]:
        # Called for every partner of every article: only the partner's language is weighed.
        score, other, language, *rest = partner
        current = best.get(language)
        if current is None:
            best[language] = (score, other, *rest)
        else:
            contest = [(current[0], current[1], language, *current[2:]), partner]
            best[language] = best_per_language(contest)[language]
        return best

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
    """Article -> its compact summary (``summaries``), its bucket words packed per band group
    (main), and, with a ``temp_dir``, the article itself appended to a temporary file whose
    path leaves by ``spilled`` once the file is closed."""

    #: Articles whose band records a bundle gathers before they leave (about 0.5 MB a group).
    FLUSH_ARTICLES = 20_000
    #: Summaries that leave together, as one list (about 0.8 MB): a side input of a few large
    #: elements crosses a multi-process runner's state API far faster than one element an
    #: article (20,000 summaries: 0.32 s before each worker judged its first group).
    SUMMARY_CHUNK = 2_000

    def __init__(self, settings: LinkSettings, temp_dir: str | None, shards: int, spill_records: int):
        self.settings = settings
        self.temp_dir = temp_dir
        self.shards = shards
        self.spill_records = spill_records
        self.skipped = Metrics.counter("newsbeam", "derived_from_unfingerprinted")
        self._coefficients: list[tuple[int, int]] = []
        self._names: KanjiNames | None = None
        self._coder = FastPrimitivesCoder()
        self._waiting: dict[Any, tuple[list[int], list[np.ndarray]]] = {}
        self._buffered = 0
        self._summaries: dict[Any, list[tuple[int, Compact]]] = {}
        self._file: Any = None
        self._path = ""
        self._written = 0

    def setup(self) -> None:
        self._coefficients = self.settings.coefficients()
        self._names = KanjiNames()
        if self.temp_dir is not None:
            with contextlib.suppress(OSError):  # it exists (another worker made it), or is a GCS prefix
                FileSystems.mkdirs(self.temp_dir)

    def start_bundle(self) -> None:
        self._waiting = {}
        self._buffered = 0
        self._summaries = {}
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

    def _flush_bands(self) -> Iterator[WindowedValue]:
        # Articles of several windows may wait together: each group's records leave in their window.
        for window, (keys, words) in self._waiting.items():
            packs = group_packs(np.array(keys, dtype=np.uint64), np.stack(words), self.shards)
            for group, pack in packs:
                yield WindowedValue((group, pack), window.max_timestamp(), [window])
        self._waiting = {}
        self._buffered = 0

    def _flush_summaries(self, window: Any = None) -> Iterator[Any]:
        """The waiting summaries of one window (of all, without one), as one list each."""
        for each in [window] if window is not None else list(self._summaries):
            chunk = self._summaries.pop(each, None)
            if chunk:
                yield pvalue.TaggedOutput(SUMMARIES, WindowedValue(chunk, each.max_timestamp(), [each]))

    def process(self, article: dict[str, Any], window: Any = beam.DoFn.WindowParam) -> Iterator[Any]:
        if self.temp_dir is not None:
            yield from self._spill(article)
        try:
            summary = summarize(article, self._names)
        except Exception:  # linking is best effort: the article itself goes on untouched
            self.skipped.inc()
            return
        if len(summary["fingerprints"]) < self.settings.min_fingerprints:
            return
        signature = minhash(summary["fingerprints"], self._coefficients)
        words = bucket_words(signature, self.settings.rows)
        key = id_key(summary["id"])
        chunk = self._summaries.setdefault(window, [])
        chunk.append((key, compact_summary(summary, words)))
        if len(chunk) >= self.SUMMARY_CHUNK:
            yield from self._flush_summaries(window)
        keys, waiting = self._waiting.setdefault(window, ([], []))
        keys.append(key)
        waiting.append(words)
        self._buffered += 1
        if self._buffered >= self.FLUSH_ARTICLES:  # a bundle's records never pile up
            yield from self._flush_bands()

    def finish_bundle(self) -> Iterator[Any]:
        yield from self._close_file()
        yield from self._flush_summaries()
        yield from self._flush_bands()


class _JudgeShard(beam.DoFn):
    """One band group's records -> the partners and matches of its buckets (``bucket_matches``)."""

    def __init__(self, settings: LinkSettings, shards: int):
        self.settings = settings
        self.shards = shards
        self.oversized = Metrics.counter("newsbeam", "derived_from_oversized_buckets")
        self._chunks: Any = None
        self._summaries: dict[int, Compact] = {}

    def _by_key(self, chunks: Iterable[list[tuple[int, Compact]]]) -> dict[int, Compact]:
        # A runner hands every element of a bundle the same materialized side input: its
        # summaries are put in one dict once, not once per group.
        if chunks is not self._chunks:
            summaries: dict[int, Compact] = {}
            for chunk in chunks:
                summaries.update(chunk)
            self._chunks, self._summaries = chunks, summaries
        return self._summaries

    def process(
        self, shard: tuple[int, Iterable[bytes]], chunks: Iterable[list[tuple[int, Compact]]]
    ) -> Iterator[Any]:
        group, packs = shard
        summaries = self._by_key(chunks)
        for band, members in group_buckets(group, packs, self.shards, self.settings.bands):
            if len(members) > self.settings.max_bucket:
                self.oversized.inc()
                continue
            for kind, value in bucket_matches(band, [summaries[member] for member in members], self.settings):
                yield value if kind == PARTNER else pvalue.TaggedOutput(MATCH, value)

    def finish_bundle(self) -> None:
        self._chunks, self._summaries = None, {}


class _Links(beam.PTransform):
    """(packed band entries, summaries) -> (translation id, (similarity, original id)), one a translation."""

    def __init__(self, settings: LinkSettings, shards: int):
        super().__init__()
        self.settings = settings
        self.shards = shards

    def expand(self, inputs: tuple[beam.PCollection, beam.PCollection]) -> beam.PCollection:
        bands, summaries = inputs
        judged = (
            bands
            | "GroupByBand" >> beam.GroupByKey()
            | "VerifyPairsInBucket"
            >> beam.ParDo(_JudgeShard(self.settings, self.shards), pvalue.AsList(summaries)).with_outputs(
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
        shards: int = 16,
        spill_records: int = 500,
    ):
        super().__init__()
        self.settings = settings or LinkSettings()
        if shards < 1:
            raise ValueError(f"shards must be at least 1 (got {shards})")
        self.temp_dir = temp_dir
        self.shards = shards
        self.spill_records = spill_records

    def expand(self, articles: beam.PCollection) -> beam.PCollection:
        prepared = articles | "FingerprintBands" >> beam.ParDo(
            _SummarizeAndSpill(self.settings, self.temp_dir, self.shards, self.spill_records)
        ).with_outputs(SUMMARIES, SPILLED, main="bands")
        links = (prepared.bands, prepared[SUMMARIES]) | "Links" >> _Links(self.settings, self.shards)
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
