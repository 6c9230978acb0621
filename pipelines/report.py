"""``newsbeam report``: one self-contained HTML page of plots about what a run produced.

newsbeam report out                  # writes out/report.html and prints its path
python -m pipelines.report out --output /tmp/run.html

The page needs no network: plots are matplotlib PNGs (Agg backend) embedded as base64, styles
are inline. It shows articles per day by publication and by event date, languages and the
share translated, the source languages of translations, derived-from links as a small graph,
repairs by kind and by code page, dead letters by stage and error with examples, and the run
summary. The same run gives the same bytes: records are sorted and nothing reads the clock.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from apache_beam.io.filesystems import FileSystems

from pipelines.inspect_avro import (
    ARTICLES_PREFIX,
    DEAD_LETTERS_PREFIX,
    SUMMARY_FILE,
    InspectError,
    find_run_dir,
    plain,
    read_records,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

REPORT_FILE = "report.html"

#: Stages in pipeline order, so dead-letter charts read like the pipeline does.
STAGES = ("read", "parse", "normalize", "language", "translation", "dates", "write")
_DAY_PRECISIONS = frozenset({"day", "hour", "minute", "second"})
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")

BLUE, ORANGE, GREY, RED, GREEN = "#3b6ea8", "#e08a3c", "#9aa3ad", "#c2483d", "#4a9a6a"


@dataclass(frozen=True)
class ReportSettings:
    """How much the page shows; the defaults keep a large run's page light."""

    examples_per_error: int = 3
    max_links: int = 40
    max_bars: int = 25
    dpi: int = 120


@dataclass(frozen=True)
class RunData:
    """What a run left in its folder, articles sorted by id."""

    run_dir: str
    articles: tuple[dict[str, Any], ...]
    dead_letters: tuple[dict[str, Any], ...]
    summary: dict[str, Any] | None


def load_run(output_dir: str) -> RunData:
    """Articles, dead letters and summary of the run in ``output_dir`` (or its latest ``run=`` folder)."""
    run_dir = find_run_dir(output_dir)

    def records(prefix: str) -> list[dict[str, Any]]:
        result = FileSystems.match([FileSystems.join(run_dir, f"{prefix}-*.avro")])[0]
        return list(read_records(sorted(meta.path for meta in result.metadata_list)))

    summary_path = FileSystems.join(run_dir, SUMMARY_FILE)
    summary = None
    if FileSystems.exists(summary_path):
        with FileSystems.open(summary_path) as handle:
            summary = json.loads(handle.read().decode("utf-8"))
    # Bodies are not plotted; dropping them keeps a large run's records small in memory.
    articles = sorted(
        (
            {key: value for key, value in record.items() if key != "text"}
            for record in records(ARTICLES_PREFIX)
        ),
        key=lambda record: record["id"],
    )
    dead = sorted(
        records(DEAD_LETTERS_PREFIX),
        key=lambda r: (
            r["stage"],
            r["error_type"],
            r["source_uri"],
            r.get("entry_id") or "",
            r["error_message"],
        ),
    )
    return RunData(run_dir, tuple(articles), tuple(dead), summary)


# --- what is counted -----------------------------------------------------------------


def day_of(value: dict[str, Any] | None) -> date | None:
    """The calendar day of a DateValue precise to the day or finer, as the source wrote it.

    >>> day_of({"value": "2024-06-07T09:30:00+02:00", "precision": "second"}), day_of({"value": "2024-02",
    ...     "precision": "month"}), day_of(None)
    (datetime.date(2024, 6, 7), None, None)
    """
    if not value or value.get("precision") not in _DAY_PRECISIONS or not _DAY.match(value["value"]):
        return None
    return date.fromisoformat(value["value"][:10])


def per_day(articles: Iterable[dict[str, Any]], field: str) -> tuple[Counter[date], Counter[str]]:
    """(articles per day of ``field``, articles not on a day by why: a coarser precision or none)."""
    days: Counter[date] = Counter()
    missed: Counter[str] = Counter()
    for article in articles:
        value = article.get(field)
        day = day_of(value)
        if day is not None:
            days[day] += 1
        else:
            missed[f"{value['precision']} only" if value else "no date"] += 1
    return days, missed


def language_split(articles: Iterable[dict[str, Any]]) -> dict[str, tuple[int, int]]:
    """Language code -> (articles not translated, translated); ``undetermined`` for no code."""
    split: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for article in articles:
        code = article["language"]["code"] or "undetermined"
        split[code][1 if article["translation"]["is_translation"] else 0] += 1
    return {code: (pair[0], pair[1]) for code, pair in split.items()}


def source_languages(articles: Iterable[dict[str, Any]]) -> Counter[str]:
    """Source languages of the articles read as translations; ``unknown`` when none was found."""
    return Counter(
        article["translation"]["source_language"] or "unknown"
        for article in articles
        if article["translation"]["is_translation"]
    )


def derived_links(articles: Iterable[dict[str, Any]]) -> list[tuple[str, str]]:
    """(original id, translation id) for every ``translation.derived_from``, sorted."""
    return sorted(
        (article["translation"]["derived_from"], article["id"])
        for article in articles
        if article["translation"]["derived_from"]
    )


def code_page(detail: str) -> str | None:
    """The misreading a repair detail names, or None for repairs that are not about code pages.

    >>> code_page("utf-8 read as cp874"), code_page("utf-8 read as cp1251, then as cp1252")
    ('utf-8 read as cp874', 'utf-8 read as cp1251, then as cp1252')
    >>> code_page("not utf-8; decoded as cp1250 (detected)"), code_page("line breaks normalized to \\\\n")
    ('not utf-8, decoded as cp1250', None)
    """
    if " read as " in detail:
        return detail
    match = re.search(r"decoded as (\S+)", detail)
    return f"not utf-8, decoded as {match.group(1)}" if match else None


def repair_counts(articles: Iterable[dict[str, Any]]) -> tuple[Counter[str], Counter[str], int]:
    """(occurrences repaired by kind, by code page, articles with any repair)."""
    kinds: Counter[str] = Counter()
    pages: Counter[str] = Counter()
    touched = 0
    for article in articles:
        touched += bool(article["repairs"])
        for repair in article["repairs"]:
            kinds[repair["kind"]] += repair["count"]
            page = code_page(repair["detail"])
            if page:
                pages[page] += repair["count"]
    return kinds, pages, touched


def stage_order(stage: str) -> tuple[int, str]:
    return (STAGES.index(stage) if stage in STAGES else len(STAGES), stage)


def dead_letter_groups(
    letters: Iterable[dict[str, Any]], per_group: int
) -> list[tuple[str, str, int, list[dict[str, Any]]]]:
    """(stage, error type, count, first examples) in pipeline order, then by count."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for letter in letters:
        groups[(letter["stage"], letter["error_type"])].append(letter)
    ordered = sorted(groups.items(), key=lambda item: (stage_order(item[0][0]), -len(item[1]), item[0][1]))
    return [(stage, error, len(items), items[:per_group]) for (stage, error), items in ordered]


# --- plots ---------------------------------------------------------------------------


def _figure(width: float, height: float) -> Figure:
    # Figure on an Agg canvas, without pyplot: no global state, no display needed.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure, settings: ReportSettings) -> str:
    buffer = io.BytesIO()
    # No "Software" stamp: the bytes depend on the data and the pinned matplotlib only.
    figure.savefig(buffer, format="png", dpi=settings.dpi, metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _style(axes: Axes) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(labelsize=9)


def _integer_axis(axis: Any) -> None:
    from matplotlib.ticker import MaxNLocator

    axis.set_major_locator(MaxNLocator(integer=True))


def _top(counts: Counter[str], settings: ReportSettings) -> list[tuple[str, int]]:
    """Largest first (ties by name); the tail beyond ``max_bars`` folded into one bar."""
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if len(rows) > settings.max_bars:
        rest = rows[settings.max_bars - 1 :]
        rows = [*rows[: settings.max_bars - 1], (f"{len(rest)} others", sum(n for _, n in rest))]
    return rows


def bar_chart(counts: Counter[str], title: str, xlabel: str, color: str, settings: ReportSettings) -> str:
    """Horizontal bars, largest on top, each labelled with its count; base64 PNG."""
    rows = _top(counts, settings)
    figure = _figure(5.2, 0.9 + 0.3 * len(rows))
    axes = figure.subplots()
    labels = [label for label, _ in rows][::-1]
    values = [value for _, value in rows][::-1]
    bars = axes.barh(labels, values, color=color)
    axes.bar_label(bars, padding=3, fontsize=9)
    axes.set_title(title, fontsize=11, loc="left")
    axes.set_xlabel(xlabel, fontsize=9)
    axes.margins(x=0.12)
    _integer_axis(axes.xaxis)
    _style(axes)
    return _png(figure, settings)


def dates_chart(series: Sequence[tuple[str, Counter[date], str]], settings: ReportSettings) -> str:
    """One row per date field: a stem for each day with articles, on a shared calendar axis."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num

    all_days = [day for _, days, _ in series for day in days]
    figure = _figure(9.0, 0.9 + 1.3 * len(series))
    axes_list = figure.subplots(len(series), 1, sharex=True, squeeze=False)[:, 0]
    for axes, (label, days, color) in zip(axes_list, series, strict=True):
        ordered = sorted(days.items())
        xs = [date2num(day) for day, _ in ordered]
        ys = [count for _, count in ordered]
        if ordered:
            axes.vlines(xs, 0, ys, color=color, linewidth=2)
            axes.plot(xs, ys, "o", color=color, markersize=5)
        else:
            axes.text(
                0.5, 0.5, "no article has a day here", transform=axes.transAxes, ha="center", color=GREY
            )
        axes.set_ylim(0, max(ys, default=1) * 1.25)
        axes.set_ylabel(label, fontsize=9)
        _integer_axis(axes.yaxis)
        _style(axes)
        axes.grid(axis="y", color="#e5e8eb", linewidth=0.8)
        axes.set_axisbelow(True)
    low, high = date2num(min(all_days)), date2num(max(all_days))
    pad = max(3.0, (high - low) * 0.03)
    axes_list[-1].set_xlim(low - pad, high + pad)
    locator = AutoDateLocator()
    axes_list[-1].xaxis.set_major_locator(locator)
    axes_list[-1].xaxis.set_major_formatter(ConciseDateFormatter(locator))
    # Month ticks alone do not say which year the axis starts in.
    axes_list[-1].set_xlabel(f"{min(all_days).isoformat()} to {max(all_days).isoformat()}", fontsize=9)
    return _png(figure, settings)


def languages_chart(split: dict[str, tuple[int, int]], settings: ReportSettings) -> str:
    """Articles per language, each bar split into originals and translations."""
    rows = sorted(split.items(), key=lambda item: (-sum(item[1]), item[0]))[: settings.max_bars][::-1]
    figure = _figure(5.2, 1.1 + 0.3 * len(rows))
    axes = figure.subplots()
    labels = [code for code, _ in rows]
    originals = [pair[0] for _, pair in rows]
    translations = [pair[1] for _, pair in rows]
    axes.barh(labels, originals, color=BLUE, label="not translated")
    bars = axes.barh(labels, translations, left=originals, color=ORANGE, label="translated")
    axes.bar_label(bars, labels=[str(a + b) for a, b in zip(originals, translations, strict=True)], padding=3)
    axes.set_title("Articles by language", fontsize=11, loc="left")
    axes.set_xlabel("articles", fontsize=9)
    axes.legend(frameon=False, fontsize=9, loc="lower right")
    axes.margins(x=0.12)
    _integer_axis(axes.xaxis)
    _style(axes)
    return _png(figure, settings)


_PLOTTABLE = re.compile(r"[\u0020-\u024f\u0370-\u04ff]*")


def display_title(article: dict[str, Any]) -> str:
    """The title, or for an untitled article the name of the file or feed it came from."""
    title = (article.get("title") or "").strip()
    return title or article["source"]["uri"].rstrip("/").rsplit("/", 1)[-1]


def _node_label(article: dict[str, Any] | None, ident: str) -> str:
    if article is None:
        return f"{ident[:8]}\n(not in this run)"
    code = article["language"]["code"] or "?"
    if article["translation"]["source_language"]:
        code += f" from {article['translation']['source_language']}"
    title = display_title(article)
    # Titles only in scripts the bundled DejaVu font draws left to right; others are in the table.
    if title and _PLOTTABLE.fullmatch(title):
        title = title if len(title) <= 28 else title[:27] + "…"
        return f"{code} · {ident[:8]}\n{title}"
    return f"{code} · {ident[:8]}"


def links_chart(
    links: Sequence[tuple[str, str]], by_id: dict[str, dict[str, Any]], settings: ReportSettings
) -> str:
    """Originals on the left, their translations to the right (a chain goes further right)."""
    children: dict[str, list[str]] = defaultdict(list)
    for original, translation in links:
        children[original].append(translation)
    derived = {translation for _, translation in links}
    roots = sorted({original for original, _ in links} - derived) or sorted({links[0][0]})
    place: dict[str, tuple[float, float]] = {}
    row = 0.0

    def lay_out(node: str, depth: int, trail: frozenset[str]) -> float:
        nonlocal row
        kids = [kid for kid in sorted(children.get(node, [])) if kid not in trail and kid not in place]
        if not kids:
            y = row
            row += 1
        else:
            ys = [lay_out(kid, depth + 1, trail | {node}) for kid in kids]
            y = sum(ys) / len(ys)
        place[node] = (depth, y)
        return y

    for root in roots:
        lay_out(root, 0, frozenset())
        row += 0.4  # a gap between separate families
    depth_max = max(x for x, _ in place.values())
    rows = row - 0.4  # no gap after the last family
    figure = _figure(1.2 + 2.6 * (depth_max + 1), 0.25 + 0.55 * rows)
    axes = figure.subplots()
    axes.set_axis_off()
    boxes = {}
    for node, (x, y) in sorted(place.items()):
        article = by_id.get(node)
        is_translation = article is not None and article["translation"]["is_translation"]
        boxes[node] = axes.text(
            x,
            y,
            _node_label(article, node),
            ha="center",
            va="center",
            fontsize=8.5,
            bbox={
                "boxstyle": "round,pad=0.45",
                "facecolor": "#fdf0e4" if is_translation else "#e6eef7",
                "edgecolor": ORANGE if is_translation else BLUE,
            },
        )
    # The boxes' sizes are known once drawn; arrows are clipped to them through patchA/patchB.
    figure.canvas.draw()
    for original, translation in links:
        if original in boxes and translation in boxes:
            axes.annotate(
                "",
                xy=place[translation],
                xytext=place[original],
                arrowprops={
                    "arrowstyle": "-|>",
                    "color": GREY,
                    "lw": 1.4,
                    "patchA": boxes[original].get_bbox_patch(),
                    "patchB": boxes[translation].get_bbox_patch(),
                    "shrinkA": 2,
                    "shrinkB": 2,
                },
            )
    axes.set_xlim(-0.6, depth_max + 0.6)
    axes.set_ylim(rows - 0.5, -0.5)
    return _png(figure, settings)


# --- the page ------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif;margin:0;
color:#1f2933;background:#f5f7f9;line-height:1.45}
header{background:#1f3a5a;color:#fff;padding:20px 32px}
header h1{margin:0 0 4px;font-size:24px}
header p{margin:0;opacity:.85;font-size:14px}
nav{padding:8px 32px;background:#fff;border-bottom:1px solid #dde2e6;font-size:14px}
nav a{margin-right:14px;color:#1f5f99;text-decoration:none}
main{max-width:1040px;margin:0 auto;padding:8px 24px 40px}
section{background:#fff;border:1px solid #dde2e6;border-radius:8px;padding:14px 22px;margin:18px 0}
h2{font-size:19px;margin:4px 0 10px}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:6px 0}
.card{border:1px solid #dde2e6;border-radius:8px;padding:8px 14px;min-width:110px;background:#fafbfc}
.card b{display:block;font-size:24px}
.card span{font-size:12px;color:#52606d}
.card.bad b{color:#c2483d}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:12px;align-items:start}
img{max-width:100%;height:auto}
.note{color:#52606d;font-size:13px}
.empty{color:#52606d;font-style:italic}
table{border-collapse:collapse;font-size:13px;width:100%;margin:8px 0}
th,td{border-bottom:1px solid #e5e8eb;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f3f5}
td.n{text-align:right;font-variant-numeric:tabular-nums}
code,pre{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px}
pre{white-space:pre-wrap;word-break:break-word;background:#f5f7f9;padding:8px;border-radius:4px;margin:0}
"""

SECTIONS = (
    ("overview", "Overview"),
    ("dates", "Articles per day"),
    ("languages", "Languages and translations"),
    ("derived", "Derived-from links"),
    ("repairs", "Repairs"),
    ("dead-letters", "Dead letters"),
    ("summary", "Run summary"),
)


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _img(png: str, alt: str) -> str:
    return f'<img src="data:image/png;base64,{png}" alt="{_e(alt)}">'


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"… [+{len(text) - limit} chars]"


def _percent(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "–"


def _section(anchor: str, body: str) -> str:
    title = dict(SECTIONS)[anchor]
    return f'<section id="{anchor}">\n<h2>{_e(title)}</h2>\n{body}\n</section>'


def _overview(run: RunData) -> str:
    summary = run.summary or {}
    translations = sum(1 for a in run.articles if a["translation"]["is_translation"])
    cards = [
        ("items read", summary.get("items_read", "–"), False),
        ("articles", len(run.articles), False),
        ("dead letters", len(run.dead_letters), bool(run.dead_letters)),
        ("translations", translations, False),
        ("languages", len({a["language"]["code"] for a in run.articles if a["language"]["code"]}), False),
    ]
    if "balanced" in summary:
        cards.append(("items accounted for", "yes" if summary["balanced"] else "NO", not summary["balanced"]))
    html_cards = "".join(
        f'<div class="card{" bad" if bad else ""}"><b>{_e(value)}</b><span>{_e(label)}</span></div>'
        for label, value, bad in cards
    )
    return _section("overview", f'<div class="cards">{html_cards}</div>')


def _dates(run: RunData, settings: ReportSettings) -> str:
    published, published_missed = per_day(run.articles, "published")
    events, events_missed = per_day(run.articles, "event_date")
    notes = []
    for name, missed in (("publication date", published_missed), ("event date", events_missed)):
        if missed:
            parts = ", ".join(f"{count} {why}" for why, count in sorted(missed.items()))
            notes.append(f"Not on a day by {name}: {parts}.")
    if not published and not events:
        body = '<p class="empty">No article has a publication or event date precise to the day.</p>'
    else:
        series = [("published", published, BLUE), ("event date", events, GREEN)]
        body = _img(dates_chart(series, settings), "articles per day by publication date and event date")
    notes.append(
        "Publication days are the source's own calendar day (its time zone); event dates are the day "
        "the text pins the main event to."
    )
    return _section("dates", body + "".join(f'<p class="note">{_e(note)}</p>' for note in notes))


def _languages(run: RunData, settings: ReportSettings) -> str:
    if not run.articles:
        return _section("languages", '<p class="empty">No articles.</p>')
    split = language_split(run.articles)
    translated = [a for a in run.articles if a["translation"]["is_translation"]]
    machine = Counter(
        {True: "by machine", False: "by a person", None: "by whom unknown"}[a["translation"]["machine"]]
        for a in translated
    )
    share = (
        f"{len(translated)} of {len(run.articles)} articles ({_percent(len(translated), len(run.articles))}) "
        "read as translations"
    )
    if translated:
        share += ": " + ", ".join(f"{count} {how}" for how, count in sorted(machine.items()))
    charts = [_img(languages_chart(split, settings), "articles by language, originals and translations")]
    sources = source_languages(run.articles)
    if sources:
        charts.append(
            _img(
                bar_chart(sources, "Source languages of translations", "translations", ORANGE, settings),
                "source languages of translations",
            )
        )
    else:
        charts.append('<p class="empty">No translations, so no source languages.</p>')
    body = f'<p>{_e(share)}.</p>\n<div class="grid">{"".join(f"<div>{c}</div>" for c in charts)}</div>'
    return _section("languages", body)


def _confidence(article: dict[str, Any] | None) -> str:
    return f"{article['translation']['confidence']:.2f}" if article else "–"


def _derived(run: RunData, settings: ReportSettings) -> str:
    links = derived_links(run.articles)
    if not links:
        return _section(
            "derived", '<p class="empty">No article is linked to the one it was translated from.</p>'
        )
    by_id = {article["id"]: article for article in run.articles}
    shown = links[: settings.max_links]
    rows = []
    for original, translation in shown:
        source, target = by_id.get(original), by_id.get(translation)
        rows.append(
            "<tr>"
            + "".join(
                f"<td>{_e((a or {}).get('language', {}).get('code') or '?')}</td>"
                f"<td>{_e(display_title(a) if a else '(not in this run)')}<br><code>{_e(ident)}</code></td>"
                for a, ident in ((source, original), (target, translation))
            )
            + f'<td class="n">{_confidence(target)}</td></tr>'
        )
    table = (
        "<table><thead><tr><th>lang</th><th>original</th><th>lang</th><th>translation</th>"
        "<th>confidence</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )
    note = (
        f'<p class="note">Arrows run from an original to its translation (the translation\'s '
        f"<code>translation.derived_from</code> names the original's id). {len(links)} link(s)"
        + (f", the first {len(shown)} shown." if len(shown) < len(links) else ".")
        + "</p>"
    )
    graph = _img(links_chart(shown, by_id, settings), "derived-from links between articles")
    return _section("derived", f"{graph}\n{note}\n{table}")


def _repairs(run: RunData, settings: ReportSettings) -> str:
    kinds, pages, touched = repair_counts(run.articles)
    if not kinds:
        return _section("repairs", '<p class="empty">No article needed a repair.</p>')
    charts = [
        _img(bar_chart(kinds, "Repairs by kind", "occurrences repaired", BLUE, settings), "repairs by kind")
    ]
    if pages:
        charts.append(
            _img(
                bar_chart(pages, "Misreadings by code page", "occurrences repaired", ORANGE, settings),
                "encoding repairs by code page",
            )
        )
    intro = (
        f"{touched} of {len(run.articles)} articles ({_percent(touched, len(run.articles))}) were repaired."
    )
    return _section(
        "repairs", f'<p>{_e(intro)}</p>\n<div class="grid">{"".join(f"<div>{c}</div>" for c in charts)}</div>'
    )


def _dead_letters(run: RunData, settings: ReportSettings) -> str:
    letters = run.dead_letters
    if not letters:
        return _section("dead-letters", '<p class="empty">No dead letters: every item became an article.</p>')
    stages = Counter(letter["stage"] for letter in letters)
    errors = Counter(letter["error_type"] for letter in letters)
    charts = [
        _img(bar_chart(stages, "Dead letters by stage", "items", RED, settings), "dead letters by stage"),
        _img(bar_chart(errors, "Dead letters by error", "items", RED, settings), "dead letters by error"),
    ]
    rows = []
    for stage, error, count, examples in dead_letter_groups(letters, settings.examples_per_error):
        for number, letter in enumerate(examples):
            span = f' rowspan="{len(examples)}"'
            lead = (
                f"<td{span}>{_e(stage)}</td><td{span}><code>{_e(error)}</code></td>"
                f'<td class="n"{span}>{count}</td>'
                if number == 0
                else ""
            )
            where = letter["source_uri"] + (f" #{letter['entry_id']}" if letter.get("entry_id") else "")
            payload = payload_text(letter["payload"], 240)
            rows.append(
                f"<tr>{lead}<td><code>{_e(where)}</code><br>{_e(_cut(letter['error_message'], 300))}</td>"
                f"<td><pre>{_e(payload) or '(empty)'}</pre></td></tr>"
            )
    table = (
        "<table><thead><tr><th>stage</th><th>error</th><th>count</th><th>example: where and why</th>"
        "<th>payload (start)</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )
    body = f'<div class="grid">{"".join(f"<div>{c}</div>" for c in charts)}</div>\n{table}'
    return _section("dead-letters", body)


def payload_text(payload: bytes, limit: int) -> str:
    """The start of a dead letter's payload: as text when it is mostly text, else as hex.

    >>> payload_text(b'{"id": 1', 40), payload_text(bytes(range(250, 256)) * 2, 4)
    ('{"id": 1', 'binary, 12 bytes: fafb…')
    """
    decoded = payload.decode("utf-8", errors="replace")
    if decoded.count("\ufffd") > len(payload) * 0.05:
        return f"binary, {len(payload)} bytes: {payload[: limit // 2].hex()}" + (
            "…" if len(payload) > limit // 2 else ""
        )
    text = plain(payload)
    # Controls would draw as boxes or not at all; escaped, they show what is there.
    text = "".join(
        char if char in "\n\t" or unicodedata.category(char) not in ("Cc", "Cf") else f"\\u{ord(char):04x}"
        for char in text
    )
    return _cut(text, limit)


def _summary_value(value: Any) -> str:
    if isinstance(value, dict):
        if not value:
            return '<span class="empty">none</span>'
        return ", ".join(
            f"{_e(key)}: <b>{_e(json.dumps(item, ensure_ascii=False))}</b>" for key, item in value.items()
        )
    if isinstance(value, list):
        return "<br>".join(f"<code>{_e(item)}</code>" for item in value)
    if isinstance(value, bool):
        return "yes" if value else "<b>no</b>"
    return _e(value)


def _summary(run: RunData) -> str:
    if run.summary is None:
        return _section("summary", f'<p class="empty">No {SUMMARY_FILE} in {_e(run.run_dir)}.</p>')
    rows = "".join(
        f"<tr><th>{_e(key)}</th><td>{_summary_value(value)}</td></tr>" for key, value in run.summary.items()
    )
    raw = _e(json.dumps(run.summary, indent=2, ensure_ascii=False))
    return _section(
        "summary",
        f"<table><tbody>{rows}</tbody></table>\n<details><summary>{SUMMARY_FILE}</summary><pre>{raw}</pre></details>",
    )


def render_report(run: RunData, settings: ReportSettings = ReportSettings()) -> str:
    """The whole page; pure given the run's records."""
    import matplotlib

    # Same fonts and sizes wherever the page is made, whatever matplotlibrc the user has.
    defaults = {key: value for key, value in matplotlib.rcParamsDefault.items() if key != "backend"}
    with matplotlib.rc_context(rc=defaults):
        matplotlib.rcParams["font.family"] = "DejaVu Sans"
        sections = [
            _overview(run),
            _dates(run, settings),
            _languages(run, settings),
            _derived(run, settings),
            _repairs(run, settings),
            _dead_letters(run, settings),
            _summary(run),
        ]
    summary = run.summary or {}
    subtitle = " · ".join(
        part
        for part in (
            f"run {summary['run_time']}" if "run_time" in summary else "",
            f"pipeline {summary['pipeline_version']}" if "pipeline_version" in summary else "",
            run.run_dir,
        )
        if part
    )
    nav = "".join(f'<a href="#{anchor}">{_e(title)}</a>' for anchor, title in SECTIONS)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>newsbeam report: {_e(run.run_dir)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<header><h1>newsbeam run report</h1><p>{_e(subtitle)}</p></header>\n<nav>{nav}</nav>\n<main>\n"
        + "\n".join(sections)
        + "\n</main>\n</body>\n</html>\n"
    )


def write_report(
    output_dir: str, target: str | None = None, settings: ReportSettings = ReportSettings()
) -> str:
    """Render the report of the run in ``output_dir`` to ``target`` (default: OUTPUT_DIR/report.html)."""
    page = render_report(load_run(output_dir), settings)
    path = target or FileSystems.join(output_dir.rstrip("/") or "/", REPORT_FILE)
    with FileSystems.create(path, mime_type="text/html") as handle:
        handle.write(page.encode("utf-8"))
    return path


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="newsbeam report",
        description="Write OUTPUT_DIR/report.html: plots of a run's articles, dead letters and summary.",
    )
    parser.add_argument(
        "output_dir", metavar="OUTPUT_DIR", help="a run's output directory (local or any Beam path)"
    )
    parser.add_argument(
        "--output", metavar="FILE", help="write the page here instead of OUTPUT_DIR/report.html"
    )
    args = parser.parse_args(list(argv))
    try:
        path = write_report(args.output_dir, args.output)
    except InspectError as error:
        print(f"newsbeam report: error: {error}", file=sys.stderr)
        return 2
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
