"""Each stage as a composite on the DirectRunner: TestPipeline + assert_that.

pytest tests/test_stages.py
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import apache_beam as beam
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that, equal_to, is_empty

from transforms.common import DEAD_LETTER, ApplyToArticle, RunSettings
from transforms.dates import ExtractDates
from transforms.language import DetectLanguage, _detector
from transforms.normalize import RepairEncoding
from transforms.parse import ParseItems, candidate
from transforms.read import ReadInputs, SourceFile
from transforms.translation import DetectTranslation
from transforms.write import SummarizeRun

ENGLISH = (
    "The regional council approved a new budget for public transport on Monday. "
    "Officials said buses would run more often in the evening and at weekends."
)
FRENCH = (
    "Le conseil régional a approuvé lundi un nouveau budget pour les transports publics. "
    "Les bus circuleront plus souvent le soir et le week-end, selon les élus."
)


def article(settings: RunSettings, text: str, **fields: Any) -> dict[str, Any]:
    return candidate(
        kind="jsonl",
        uri="file:///in.jsonl",
        entry_key=fields.pop("key", text[:20]),
        entry_id=None,
        text=text,
        settings=settings,
        **fields,
    )


def test_read_inputs_reads_each_file_once(tmp_path: Path, settings: RunSettings) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("alpha text")
    (tmp_path / "sub" / "b.jsonl.gz").write_bytes(gzip.compress(b'{"text": "beta"}\n', mtime=0))
    (tmp_path / ".hidden.txt").write_text("never read")
    (tmp_path / "empty.txt").write_text("")
    patterns = [str(tmp_path / "**"), str(tmp_path / "a.txt")]
    with TestPipeline() as p:
        files = p | ReadInputs(patterns, settings)
        names = files.files | "Name" >> beam.Map(lambda f: (Path(f.uri).name, f.data))
        assert_that(names, equal_to([("a.txt", b"alpha text"), ("b.jsonl.gz", b'{"text": "beta"}\n')]))
        errors = files.dead_letter | beam.Map(lambda d: (Path(d["source_uri"]).name, d["error_type"]))
        assert_that(errors, equal_to([("empty.txt", "EmptyFile")]), label="dead letters")


def test_parse_items_splits_good_and_bad(settings: RunSettings) -> None:
    sources = [
        SourceFile("file:///x/one.txt", b" date 2023-03 Topic Line\n\nBody sentence here."),
        SourceFile("file:///x/lines.jsonl", b'{"id": "1", "text": "hello there"}\n{"id": 2}\n'),
    ]
    with TestPipeline() as p:
        parsed = p | beam.Create(sources) | ParseItems(settings)
        summary = parsed.articles | "Articles" >> beam.Map(
            lambda a: (a["source"]["kind"], a["title"], a["text"], (a["published"] or {}).get("value"))
        )
        assert_that(
            summary,
            equal_to(
                [
                    ("text", "Topic Line", "Body sentence here.", "2023-03"),
                    ("jsonl", None, "hello there", None),
                ]
            ),
        )
        errors = parsed.dead_letter | beam.Map(lambda d: (d["stage"], d["error_type"], d["entry_id"]))
        assert_that(errors, equal_to([("parse", "MissingField", "2")]), label="dead letters")


def test_repair_encoding_records_what_changed(settings: RunSettings) -> None:
    items = [article(settings, "Un cafÃ© au lait.", key="a"), article(settings, ENGLISH, key="b")]
    with TestPipeline() as p:
        repaired, dead = p | beam.Create(items) | RepairEncoding(settings)
        out = repaired | beam.Map(
            lambda a: (a["text"], [(r["kind"], r["original"], r["replacement"]) for r in a["repairs"]])
        )
        assert_that(out, equal_to([("Un café au lait.", [("mojibake", "cafÃ©", "café")]), (ENGLISH, [])]))
        assert_that(dead, is_empty(), label="no dead letters")


def test_stage_failure_becomes_a_dead_letter(settings: RunSettings) -> None:
    broken = article(settings, ENGLISH, key="broken")
    broken["text"] = None  # what a bug upstream would hand over
    with TestPipeline() as p:
        repaired, dead = p | beam.Create([broken, article(settings, FRENCH)]) | RepairEncoding(settings)
        assert_that(repaired | beam.Map(lambda a: a["text"]), equal_to([FRENCH]))
        assert_that(
            dead | beam.Map(lambda d: (d["stage"], d["error_type"], d["source_uri"])),
            equal_to([("normalize", "TypeError", "file:///in.jsonl")]),
            label="dead letters",
        )


def test_detect_language_and_translation(settings: RunSettings) -> None:
    items = [
        article(settings, ENGLISH, key="en", declared="en", declared_scope="entry"),
        article(settings, ENGLISH, key="tr", declared="fr", declared_scope="entry"),
        article(settings, FRENCH, key="fr"),
        article(settings, "Too short.", key="short"),
    ]
    with TestPipeline() as p:
        detected, dead_lang = p | beam.Create(items) | DetectLanguage(settings)
        assessed, dead_tr = detected | DetectTranslation(settings)
        out = assessed | beam.Map(
            lambda a: (
                a["language"]["code"],
                a["language"]["declared"],
                a["translation"]["is_translation"],
                a["translation"]["source_language"],
            )
        )
        assert_that(
            out,
            equal_to(
                [
                    ("en", "en", False, None),
                    ("en", "fr", True, "fr"),
                    ("fr", None, False, None),
                    (None, None, False, None),
                ]
            ),
        )
        assert_that(dead_lang, is_empty(), label="no language dead letters")
        assert_that(dead_tr, is_empty(), label="no translation dead letters")


def test_extract_dates(settings: RunSettings) -> None:
    text = "The vote on 14 March 2023 was confirmed on March 16, 2023."
    with TestPipeline() as p:
        dated, _ = p | beam.Create([article(settings, text)]) | ExtractDates(settings)
        assert_that(
            dated | beam.FlatMap(lambda a: [(d["text"], d["value"], d["type"]) for d in a["dates"]]),
            equal_to([("14 March 2023", "2023-03-14", "DATE"), ("March 16, 2023", "2023-03-16", "DATE")]),
        )


def test_summary_counts_add_up(tmp_path: Path, settings: RunSettings) -> None:
    done = article(settings, ENGLISH)
    done["language"]["code"] = "en"
    letter = {"stage": "parse", "error_type": "MissingField"}
    with TestPipeline() as p:
        items = p | "Items" >> beam.Create([1, 2])
        articles = p | "Articles" >> beam.Create([done])
        dead = p | "Dead" >> beam.Create([letter])
        _ = (items, articles, dead) | SummarizeRun(str(tmp_path), {"run_time": "t"})
    import json

    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["balanced"] is True
    assert summary["languages"] == {"en": 1}
    assert summary["dead_letters_by_error"] == {"parse: MissingField": 1}


def test_summary_of_a_run_that_read_nothing(tmp_path: Path) -> None:
    # Sums leave per bundle, so an input without elements sends none: the summary is still
    # written, with zeros, and replaces the one an earlier run left.
    (tmp_path / "summary.json").write_text('{"items_read": 7}')
    with TestPipeline() as p:
        empty = p | "Nothing" >> beam.Create([]).with_output_types(dict)
        items, articles, dead = (empty | f"{name}" >> beam.Filter(lambda _: True) for name in ("I", "A", "D"))
        _ = (items, articles, dead) | SummarizeRun(str(tmp_path), {"run_time": "t"})
    import json

    summary = json.loads((tmp_path / "summary.json").read_text())
    assert (summary["items_read"], summary["articles_written"], summary["balanced"]) == (0, 0, True)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["summary.json"]  # no temporary left


class _ReleaseEveryBundle(ApplyToArticle):
    RELEASE_FACTOR = 0
    RELEASE_MIN_SECONDS = 0.0


def test_a_long_bundle_releases_the_models_and_the_next_one_builds_them(settings: RunSettings) -> None:
    builds: list[int] = []

    def factory(run: RunSettings) -> Any:
        detect = _detector(run)
        builds.append(1)
        return detect

    items = [article(settings, ENGLISH), article(settings, FRENCH), article(settings, ENGLISH, key="again")]
    # setup() builds, each bundle releases at its end, so the second and third build again.
    for cls, expected_builds in ((_ReleaseEveryBundle, 3), (ApplyToArticle, 1)):
        builds.clear()
        fn = cls("language", settings, factory)
        fn.setup()
        results = []
        for item in items:  # one bundle per article
            fn.start_bundle()
            results.extend(fn.process(item))
            fn.finish_bundle()
        # The detector of each bundle says the same: nothing of a bundle leaks into the next.
        assert [r["language"]["code"] for r in results] == ["en", "fr", "en"]
        assert len(builds) == expected_builds, cls.__name__
        fn.teardown()


def test_stages_that_release_their_models_give_the_same_articles(settings: RunSettings) -> None:
    items = [article(settings, text, key=str(i)) for i, text in enumerate([ENGLISH, FRENCH] * 3)]
    expected = [_detector(settings)(item)["language"]["code"] for item in items]
    with TestPipeline() as p:
        out = (
            p
            | beam.Create(items)
            | beam.ParDo(_ReleaseEveryBundle("language", settings, _detector)).with_outputs(
                DEAD_LETTER, main="articles"
            )
        )
        assert_that(out.articles | beam.Map(lambda a: a["language"]["code"]), equal_to(expected))
        assert_that(out[DEAD_LETTER], is_empty(), label="no dead letters")


def test_the_heap_is_frozen_at_exit_of_a_process_that_imported_the_stages() -> None:
    """``freeze_heap_at_exit`` runs as the interpreter exits (before its final collections):
    a hook registered before the import runs after it and sees the frozen heap."""
    import subprocess
    import sys

    code = (
        "import atexit, gc\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"
        "import transforms.common\n"
        "print('before', gc.get_freeze_count() > 0)\n"
    )
    project = Path(__file__).resolve().parents[1]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=project, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["before", "False", "frozen", "True"]
