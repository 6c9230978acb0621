"""``newsbeam report``: the page of a real sample run, its sections, its plots, and Chromium's view of it.

pytest tests/test_report.py
"""

from __future__ import annotations

import base64
import json
import random
import re
import shutil
import subprocess
from collections import Counter
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipelines.inspect_avro import InspectError
from pipelines.report import (
    REPORT_FILE,
    SECTIONS,
    code_page,
    day_of,
    dead_letter_groups,
    derived_links,
    language_split,
    load_run,
    per_day,
    render_report,
    repair_counts,
    source_languages,
    write_report,
)
from schemas import article_schema, dead_letter_schema
from tests.conftest import PROJECT, RUN_TIME, SAMPLES, run_newsbeam
from tests.test_inspect import ARTICLES, DEAD_LETTERS, article, write_avro

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class PageParser(HTMLParser):
    """Checks that every element closes in order, and collects ids, images, links and text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.ids: list[str] = []
        self.images: list[str] = []
        self.urls: list[str] = []
        self.tags: Counter[str] = Counter()
        self.text: list[str] = []
        self.section: str | None = None
        self.section_images: Counter[str] = Counter()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags[tag] += 1
        if "id" in attributes:
            self.ids.append(attributes["id"] or "")
        if tag == "section":
            self.section = attributes.get("id")
        if tag == "img":
            self.images.append(attributes.get("src") or "")
            self.section_images[self.section or ""] += 1
        for name in ("href", "src"):
            if attributes.get(name):
                self.urls.append(attributes[name] or "")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            self.errors.append(f"closing a void element </{tag}>")
        elif not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> while {self.stack[-1:]} is open")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_page(page: str) -> PageParser:
    parser = PageParser()
    parser.feed(page)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The samples, a translated pair (a derived-from link) and a few bad files (dead letters)."""
    bad = tmp_path_factory.mktemp("report-bad")
    (bad / "empty.txt").write_bytes(b"")
    (bad / "random.bin").write_bytes(random.Random(7).randbytes(3000))
    (bad / "mixed.jsonl").write_text(
        '{"id": "broken", "text": "no closing brace"\n{"id": "no-text", "title": "Only a title"}\n',
        encoding="utf-8",
    )
    (bad / "page.xml").write_text("<html><body><p>Not a feed at all.</p></body></html>", encoding="utf-8")
    out = tmp_path_factory.mktemp("report-out")
    result = run_newsbeam(
        "ingest",
        *("--input", str(SAMPLES)),
        *("--input", str(PROJECT / "tests" / "data" / "translation")),
        *("--input", str(bad)),
        *("--output", str(out)),
        *("--run_time", RUN_TIME),
    )
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def report_page(sample_run: Path) -> Path:
    result = run_newsbeam("report", str(sample_run))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.strip() == str(sample_run / REPORT_FILE)
    return sample_run / REPORT_FILE


# --- what is counted -----------------------------------------------------------------


def test_days_only_for_dates_precise_to_the_day() -> None:
    assert day_of({"value": "2024-06-07T23:30:00-05:00", "precision": "minute", "source": "feed"}) == date(
        2024, 6, 7
    )
    assert day_of({"value": "2024-06", "precision": "month", "source": "header"}) is None
    records = [
        article("a", "en", published={"value": "2024-06-07", "precision": "day", "source": "jsonl"}),
        article(
            "b",
            "en",
            published={"value": "2024-06-07T01:00:00+00:00", "precision": "second", "source": "feed"},
        ),
        article("c", "en", published={"value": "2024", "precision": "year", "source": "header"}),
        article("d", "en"),
    ]
    days, missed = per_day(records, "published")
    assert days == {date(2024, 6, 7): 2}
    assert missed == {"year only": 1, "no date": 1}


def test_languages_translations_and_links() -> None:
    assert language_split(ARTICLES) == {"en": (1, 1), "fr": (1, 0), "undetermined": (1, 0), "de": (0, 1)}
    assert source_languages(ARTICLES) == {"fr": 1, "unknown": 1}
    assert derived_links(ARTICLES) == [("a3", "a2")]


def test_repairs_by_kind_and_code_page() -> None:
    kinds, pages, touched = repair_counts(ARTICLES)
    assert kinds == {"mojibake": 4, "html_entity": 1}  # occurrences: the cp874 repair counted 3
    assert pages == {"utf-8 read as cp874": 3, "utf-8 read as cp1252": 1}
    assert touched == 2
    assert code_page("utf-8 read as cp1251, twice") == "utf-8 read as cp1251, twice"
    assert code_page("line breaks normalized to \\n") is None


def test_dead_letters_grouped_in_pipeline_order() -> None:
    letters = [*DEAD_LETTERS, {**DEAD_LETTERS[0], "source_uri": "in/other.jsonl"}]
    groups = dead_letter_groups(letters, per_group=1)
    assert [(stage, error, count, len(examples)) for stage, error, count, examples in groups] == [
        ("read", "TooLarge", 1, 1),
        ("parse", "JSONDecodeError", 2, 1),
    ]


# --- the page ------------------------------------------------------------------------


def test_report_is_valid_self_contained_html(report_page: Path) -> None:
    page = report_page.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    parsed = parse_page(page)
    assert parsed.errors == []
    assert parsed.stack == []
    assert len(parsed.ids) == len(set(parsed.ids))
    # Nothing from the network: no scripts, no stylesheets or fonts to fetch, images inline.
    assert parsed.tags["script"] == 0 and parsed.tags["link"] == 0
    assert not re.search(r"url\(|@import", page)
    for url in parsed.urls:
        assert url.startswith(("#", "data:image/png;base64,")), url[:60]
    for src in parsed.images:
        assert base64.b64decode(src.split(",", 1)[1]).startswith(PNG_SIGNATURE)


def test_report_has_every_section_with_its_plots(report_page: Path) -> None:
    parsed = parse_page(report_page.read_text(encoding="utf-8"))
    assert [anchor for anchor in parsed.ids] == [anchor for anchor, _ in SECTIONS]
    assert parsed.section_images == {
        "dates": 1,
        "languages": 2,  # languages split by translated, source languages
        "derived": 1,
        "repairs": 2,  # by kind, by code page
        "dead-letters": 2,  # by stage, by error
    }
    text = " ".join(" ".join(parsed.text).split())
    for title in (title for _, title in SECTIONS):
        assert title in text
    assert "harbour_original.txt" in text and "harbour_translated_fr.txt" in text  # the derived-from pair
    assert "utf-8 read as cp1252" not in text  # code pages are in the plot, not the prose
    for error in ("EmptyFile", "JSONDecodeError", "NotAFeed"):
        assert error in text
    assert "binary, 3000 bytes" in text  # random bytes shown as hex, not as garbage
    summary = json.loads((report_page.parent / "summary.json").read_text(encoding="utf-8"))
    assert f"{summary['translations']} of {summary['articles_written']} articles" in text
    assert "items_read" in text and "2026-01-01T00:00:00Z" in text


def test_same_run_same_bytes(sample_run: Path, report_page: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.html"
    assert write_report(str(sample_run), str(again)) == str(again)
    assert again.read_bytes() == report_page.read_bytes()


def test_empty_run_and_run_folders(tmp_path: Path) -> None:
    nested = tmp_path / "state"
    older = nested / "run=20251231T000000Z"
    latest = nested / "run=20260101T000000Z"
    write_avro(older / "articles-00000-of-00001.avro", article_schema(), ARTICLES)
    write_avro(latest / "articles-00000-of-00001.avro", article_schema(), [])
    write_avro(latest / "dead_letters-00000-of-00001.avro", dead_letter_schema(), [])
    (latest / "summary.json").write_text(json.dumps({"run_time": "2026-01-01T00:00:00Z"}), encoding="utf-8")
    run = load_run(str(nested))
    assert run.run_dir.endswith("run=20260101T000000Z") and run.articles == ()
    page = render_report(run)
    parsed = parse_page(page)
    assert parsed.errors == [] and not parsed.images
    assert "No articles." in page and "No dead letters" in page
    assert write_report(str(nested)) == str(nested / REPORT_FILE)
    with pytest.raises(InspectError):
        load_run(str(tmp_path / "nowhere"))


def test_untitled_scripts_and_markup_are_escaped(tmp_path: Path) -> None:
    records = [
        article("x1", "ru", title="Новости <b>дня</b>"),
        article("x2", "en", title="Report & <script>", translation={**ARTICLES[1]["translation"]}),
        article("x3", "th", title="ข่าวภาษาไทย"),
    ]
    records[1]["translation"]["derived_from"] = "x1"
    write_avro(tmp_path / "articles-00000-of-00001.avro", article_schema(), records)
    page = render_report(load_run(str(tmp_path)))
    parsed = parse_page(page)
    assert parsed.errors == [] and parsed.tags["script"] == 0
    assert "<b>дня" not in page
    assert "Новости &lt;b&gt;дня&lt;/b&gt;" in page and "Report &amp; &lt;script&gt;" in page
    assert "No summary.json" in page


# --- as a person sees it -------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium)")
def test_chromium_renders_the_report(report_page: Path, tmp_path: Path) -> None:
    from PIL import Image  # matplotlib's own dependency

    shot = tmp_path / "report.png"
    result = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1200,3600",
            "--hide-scrollbars",
            f"--screenshot={shot}",
            report_page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert shot.exists(), result.stderr[-2000:]
    assert shot.stat().st_size > 50_000
    with Image.open(shot) as image:
        assert image.size == (1200, 3600)
        pixels = image.convert("RGB").resize((300, 900))
        colors = pixels.getcolors(maxcolors=300 * 900) or []
    # Not blank: no single colour covers almost everything, and there are many colours (text, plots).
    assert max(count for count, _ in colors) < 0.9 * 300 * 900
    assert len(colors) > 200
    # The page's plots are there: the orange of translations and the red of dead letters.
    palette = {color for _, color in colors}
    assert any(abs(r - 0xE0) < 12 and abs(g - 0x8A) < 12 and abs(b - 0x3C) < 12 for r, g, b in palette)
    assert any(abs(r - 0xC2) < 12 and abs(g - 0x48) < 12 and abs(b - 0x3D) < 12 for r, g, b in palette)
