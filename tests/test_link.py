"""Derived-from links through Beam: LSH buckets, mutual best matches, the LinkTranslations transform."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import apache_beam as beam
import numpy as np
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to

from tests.test_derived import (
    JAPANESE,
    JAPANESE_IN_ENGLISH,
    ORIGINAL,
    RUSSIAN,
    TRANSLATED,
    UNRELATED,
    article,
    published,
)
from transforms.derived import LinkSettings, band_keys, best_per_language, link_in_memory, minhash, summarize
from transforms.link import (
    BestPartners,
    LinkTranslations,
    bucket_words,
    compact_summary,
    copy_key,
    expand_summary,
    first_band,
    fresh_pairs,
    group_buckets,
    group_packs,
    published_day_of,
)


def sketch(*lanes: int) -> bytes:
    return np.array(lanes, dtype="<u2").tobytes()


def test_a_pair_is_taken_up_in_one_of_the_bands_it_shares() -> None:
    a, b = sketch(1, 2, 3, 4, 5), sketch(9, 2, 3, 8, 5)
    shared = [band for band in range(5) if a[2 * band : 2 * band + 2] == b[2 * band : 2 * band + 2]]
    taken = [band for band in shared if list(fresh_pairs(band, [a, b]))]
    assert shared == [1, 2, 4] and len(taken) == 1


def test_fresh_pairs_follow_each_pairs_order_of_the_bands() -> None:
    rng = np.random.default_rng(7)
    bands = 12
    # Few distinct values, so that lanes agree often; the extremes of a lane too.
    lanes = rng.choice(np.array([0, 1, 0x7FFF, 0x8000, 0xFFFF], dtype=np.uint16), size=(40, bands))
    sketches = [row.astype("<u2").tobytes() for row in lanes]
    taken = {band: set(fresh_pairs(band, sketches)) for band in range(bands)}
    starts = []
    for i in range(len(lanes)):
        for j in range(i + 1, len(lanes)):
            start = first_band(int(lanes[i, 0]), int(lanes[j, 0]), bands)
            starts.append(start)
            order = [(start + k) % bands for k in range(bands)]
            shared = [band for band in order if lanes[i, band] == lanes[j, band]]
            # Of the bands the two share, taken up in the first of the pair's order only.
            assert [band for band in shared if (i, j) in taken[band]] == shared[:1], (i, j)
    assert len(set(starts)) > bands // 2, "the orders start at many bands"


def test_similar_pairs_are_spread_over_the_bands() -> None:
    # Near-copies share most bands: in one order of the bands for all, the first would take them all.
    rng = np.random.default_rng(3)
    base = rng.integers(0, 1 << 16, size=(200, 80), dtype=np.uint16)
    near = base.copy()
    near[:, 1::3] ^= 1  # every third band differs
    firsts = [next(band for band in range(80) if fresh_pair_in(band, base[k], near[k])) for k in range(200)]
    assert max(np.bincount(firsts, minlength=80)) <= 12


def fresh_pair_in(band: int, a: np.ndarray, b: np.ndarray) -> bool:
    return a[band] == b[band] and bool(list(fresh_pairs(band, [a.tobytes(), b.tobytes()])))


def test_oversized_buckets_are_skipped(tmp_path: Path) -> None:
    inputs = story_articles({"o": 1, "f": 1})
    for max_bucket, linked in ((2, "o0"), (1, None)):  # every bucket of the pair has two members
        p, pairs = run_link(inputs, tmp_path / f"t{max_bucket}", settings=LinkSettings(max_bucket=max_bucket))
        assert_that(pairs, equal_to([("o0", None), ("f0", linked)]))
        p.run().wait_until_finish()


# --- the Beam transform ---------------------------------------------------------------------


def reference_links(articles: list[dict[str, Any]], settings: LinkSettings) -> dict[str, str | None]:
    """derived_from of each article by the method in plain Python, every pair judged on its own."""
    links = link_in_memory(articles, settings).links
    return {item["id"]: links[item["id"]][1] if item["id"] in links else None for item in articles}


def story_articles(copies: dict[str, int]) -> list[dict[str, Any]]:
    """The test stories, each ``copies[prefix]`` times under ids prefix0, prefix1, ..."""
    stories = {
        "o": (ORIGINAL, {"confidence": 0.02}),
        "f": (TRANSLATED, {"is_translation": True, "confidence": 0.95}),
        "r": (RUSSIAN, {"language": "ru", "confidence": 0.0}),
        "u": (UNRELATED, {"is_translation": True, "confidence": 0.95}),
    }
    return [
        article(f"{prefix}{copy}", stories[prefix][0], **stories[prefix][1])
        for prefix, count in copies.items()
        for copy in range(count)
    ]


def run_link(articles: list[dict[str, Any]], temp: Path | None, **options: Any) -> Any:
    """A pipeline's (id, derived_from) pairs; with ``temp``, the batch path, which leaves no file."""
    p = TestPipeline()
    out = p | beam.Create(articles) | LinkTranslations(temp_dir=str(temp) if temp else None, **options)
    return p, out | beam.Map(lambda a: (a["id"], a["translation"]["derived_from"]))


@pytest.mark.parametrize("batch", [True, False], ids=["batch", "joined"])
@pytest.mark.parametrize(
    "copies",
    [{"o": 1, "f": 1, "r": 1, "u": 1}, {"o": 3, "f": 2, "r": 2, "u": 1}, {"o": 1, "f": 3, "r": 1}],
    ids=["one-each", "copies", "translation-copies"],
)
def test_links_are_those_of_every_pair_judged_alone(
    copies: dict[str, int], batch: bool, tmp_path: Path
) -> None:
    settings = LinkSettings()
    inputs = story_articles(copies)
    expected = reference_links(inputs, settings)
    temp = tmp_path / "link-temp" if batch else None
    p, pairs = run_link(inputs, temp, spill_records=2, shards=3)
    assert_that(pairs, equal_to(sorted(expected.items())))
    p.run().wait_until_finish()
    assert temp is None or not temp.exists(), "the temporary files are deleted at the end"


def test_a_translation_gets_its_original(tmp_path: Path) -> None:
    inputs = story_articles({"o": 1, "f": 1, "u": 1})
    assert reference_links(inputs, LinkSettings())["f0"] == "o0"
    p, pairs = run_link(inputs, tmp_path / "t")
    assert_that(pairs, equal_to([("o0", None), ("f0", "o0"), ("u0", None)]))
    p.run().wait_until_finish()


@pytest.mark.parametrize("batch", [True, False], ids=["batch", "joined"])
def test_the_head_of_the_partners_language_orients_the_pair(batch: bool, tmp_path: Path) -> None:
    # The English article's general style score (0.45) cannot tell; its head for Russian
    # says translated from Russian. Through the real transform (compact summaries, the
    # shuffle), the English article gets the Russian one as its original.
    english = article("e0", ORIGINAL, confidence=0.45)
    english["translation"]["style_sources"] = [{"code": "ru", "p": 0.95}]
    russian = article("r0", RUSSIAN, language="ru", confidence=0.0)
    unsure = {**english, "id": "e1", "translation": {**english["translation"], "style_sources": []}}
    for inputs, expected in (([english, russian], "r0"), ([unsure, {**russian, "id": "r1"}], None)):
        p, pairs = run_link(inputs, tmp_path / "t" if batch else None)
        assert_that(pairs, equal_to(sorted([(inputs[0]["id"], expected), (inputs[1]["id"], None)])))
        p.run().wait_until_finish()


@pytest.mark.parametrize("batch", [True, False], ids=["batch", "joined"])
def test_names_in_kanji_link_a_japanese_report_to_its_translation(batch: bool, tmp_path: Path) -> None:
    # The Japanese side has one number and its names in kanji: the workers read the names
    # (a tagger built in setup) or there is nothing to link.
    english = article("e0", JAPANESE_IN_ENGLISH, is_translation=True, confidence=0.85)
    japanese = article("j0", JAPANESE, language="ja", confidence=0.0)
    p, pairs = run_link([english, japanese], tmp_path / "t" if batch else None)
    assert_that(pairs, equal_to([("e0", "j0"), ("j0", None)]))
    p.run().wait_until_finish()


@pytest.mark.parametrize("batch", [True, False], ids=["batch", "joined"])
def test_an_unsure_pair_is_oriented_by_its_dates(batch: bool, tmp_path: Path) -> None:
    # The style cannot tell (0.3); the Russian report came out three days before the
    # English one, so the English one is its translation. The date crosses the shuffle
    # in the compact summary.
    english = {**article("e0", ORIGINAL, confidence=0.3), "published": published("2024-03-04T10:00:00+00:00")}
    russian = {
        **article("r0", RUSSIAN, language="ru", confidence=0.0),
        "published": published("2024-03-01", "day"),
    }
    p, pairs = run_link([english, russian], tmp_path / "t" if batch else None)
    assert_that(pairs, equal_to([("e0", "r0"), ("r0", None)]))
    p.run().wait_until_finish()


@pytest.mark.parametrize("batch", [True, False], ids=["batch", "joined"])
def test_copies_on_several_days_are_dated_by_the_earliest(batch: bool, tmp_path: Path) -> None:
    # One English text in three outlets: the day before the Russian report and twice after.
    # The copies stay one group (judged once), whose day is the earliest: the English text
    # came out first, so the Russian report is its translation.
    days = {"e0": "2024-03-06", "e1": "2024-02-27", "e2": "2024-03-08"}
    copies = [
        {**article(key, ORIGINAL, confidence=0.3), "published": published(day, "day")}
        for key, day in days.items()
    ]
    russian = {
        **article("r0", RUSSIAN, language="ru", confidence=0.0),
        "published": published("2024-03-01", "day"),
    }
    p, pairs = run_link([*copies, russian], tmp_path / "t" if batch else None)
    assert_that(pairs, equal_to([("e0", None), ("e1", None), ("e2", None), ("r0", "e0")]))
    p.run().wait_until_finish()


@pytest.mark.parametrize("batch", [True, False], ids=["batch", "joined"])
def test_link_translations_keeps_every_article_once_and_unchanged_otherwise(
    batch: bool, tmp_path: Path
) -> None:
    inputs = [article(f"a{i}", f"Short note number {i}.") for i in range(5)]
    inputs.append({**inputs[0]})  # the same id twice still comes out twice
    with TestPipeline() as p:
        out = p | beam.Create(inputs) | LinkTranslations(temp_dir=str(tmp_path / "t") if batch else None)
        assert_that(out, equal_to(inputs))


@pytest.mark.parametrize("batch", [True, False], ids=["batch", "joined"])
def test_empty_input(batch: bool, tmp_path: Path) -> None:
    with TestPipeline() as p:
        out = p | beam.Create([]) | LinkTranslations(temp_dir=str(tmp_path / "t") if batch else None)
        assert_that(out, equal_to([]))


def test_bucket_words_are_the_upper_half_of_the_band_keys() -> None:
    signature = minhash(["n:10", "p:abc", "m:3"], LinkSettings().coefficients())
    keys = band_keys(signature, 2)
    assert [f"{word:08x}" for word in bucket_words(signature, 2).tolist()] == [
        key.partition(":")[2][:8] for key in keys
    ]


def test_summaries_survive_their_compact_form() -> None:
    summary = summarize(article("original", ORIGINAL, confidence=0.1, language="ru"))
    words = bucket_words(minhash(summary["fingerprints"], LinkSettings().coefficients()), 2)
    assert len(words) == LinkSettings().bands

    def round_trip(s: dict[str, Any]) -> dict[str, Any]:
        expanded = expand_summary(compact_summary(s, words))
        assert expanded.pop("sketch").tolist() == [word & 0xFFFF for word in words.tolist()]
        return expanded

    assert round_trip(summary) == summary
    assert round_trip({**summary, "fingerprints": []})["fingerprints"] == []
    odd = {**summary, "fingerprints": ["a\x1fb", "c", "\u00e9\u4e00"], "later_field": [1, "x"]}
    assert round_trip(odd) == odd
    # Copies under other ids: only the id differs, so copy groups can be told by the packed bytes,
    # and by them without the day of publication when the copies came out on other days.
    assert compact_summary({**summary, "id": "copy"}, words)[1] == compact_summary(summary, words)[1]
    dated = {**summary, "published_day": 739044}
    assert round_trip(dated) == dated
    later = compact_summary({**dated, "id": "copy", "published_day": 739050}, words)[1]
    assert (
        copy_key(later)
        == copy_key(compact_summary(dated, words)[1])
        == copy_key(compact_summary(summary, words)[1])
    )
    assert published_day_of(later) == 739050 and published_day_of(compact_summary(summary, words)[1]) == 0


@pytest.mark.parametrize("shards", [1, 3, 16, 80, 100])
def test_group_buckets_are_the_shared_bands_of_every_pack(shards: int) -> None:
    settings = LinkSettings()

    def words_of(tokens: list[str]) -> np.ndarray:
        return bucket_words(minhash(tokens, settings.coefficients()), settings.rows)

    story, other = words_of(["n:10", "n:20", "p:abc", "p:xyz", "m:3"]), words_of(["n:99", "p:qqq"])
    near = story.copy()
    near[::2] = other[::2]  # shares the odd bands with the story, the even ones with the other
    keys = np.array([5, 6, 7, 8], dtype=np.uint64)
    words = np.stack([story, story, other, near])
    # Each article's records in two packs of the same group: the buckets are the same.
    packs: dict[int, list[bytes]] = {}
    for part in (slice(0, 2), slice(2, 4)):
        for group, pack in group_packs(keys[part], words[part], shards):
            packs.setdefault(group, []).append(pack)
    assert sorted(packs) == list(range(min(shards, settings.bands)))
    buckets = sorted(
        bucket
        for group, group_packs_ in packs.items()
        for bucket in group_buckets(group, group_packs_, shards, settings.bands)
    )
    expected = sorted(
        (band, members)
        for band in range(settings.bands)
        for members in ([5, 6, 8] if band % 2 else [5, 6], *([] if band % 2 else [[7, 8]]))
    )
    assert buckets == expected


def test_best_partners_whatever_the_order_and_split() -> None:
    partners = [
        (0.4, "b", "ru", 0.1),
        (0.6, "c", "ru", 0.2),
        (0.3, "d", "zh", 0.0),
        (0.6, "a", "ru", 0.2),
        (0.6, "e", "ru", 0.05),
        (0.3, "c", "zh", 0.0),
    ]
    expected = sorted(chosen[1] for chosen in best_per_language(partners).values())
    assert expected == ["c", "e"]
    combine = BestPartners()
    for order in (partners, partners[::-1], partners[2:] + partners[:2]):
        halves = []
        for half in (order[:3], order[3:]):
            accumulator = combine.create_accumulator()
            for partner in half:
                accumulator = combine.add_input(accumulator, partner)
            halves.append(accumulator)
        assert combine.extract_output(combine.merge_accumulators(halves)) == expected
