"""Measure date mentions (``transforms.dates``) against the TimeML gold of ``../shared``.

    python -m evaluations.dates [--shared DIR] [--corpus TimeBank] [--errors N]

Reads ``DIR/data/timeml/{TimeBank,AQUAINT}/*.tml``: the document text, its
creation time (DCT) as the anchor and the gold ``TIMEX3`` spans. Prints, for
gold DATE and TIME expressions, strict (same span) and relaxed (overlapping
span) precision, recall and F1, the value accuracy of relaxed matches and the
value F1 (a match counts when the spans overlap and the values are equal), per
corpus and overall, the value errors by class (``error_class``: weekday direction,
part of day, week, quarter, notation, ...), and the extractor's speed in ms per 2 KB of text. The value
F1 is also given with the gold's variant spellings of one value taken as equal
(``canonical``: ``W7``/``W07``, ``T17``/``T17:00``, ``196X``/``196``, ``1949-XX``/``1949``),
and how many value errors are the gold departing from the notation the issue asks for
(``departure``: such variants, a week left ``WXX``, a part of the day left out).

A predicted mention that only overlaps a gold DURATION or SET counts as a
false positive (the extractor must not report those); how many there were is
printed too. Exits 0 with a message when the data is absent.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from transforms.dates import DateSettings, find_mentions

PROJECT = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = PROJECT.parent / "shared"
CORPORA = ("TimeBank", "AQUAINT")
SCORED_TYPES = ("DATE", "TIME")

_TAG = re.compile(r"<(/?)([A-Za-z0-9_]+)([^>]*)>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_DCT = re.compile(r"<DCT>\s*<TIMEX3[^>]*\bvalue=\"([^\"]+)\"")


@dataclass(frozen=True)
class Timex:
    start: int
    end: int
    type: str
    value: str


@dataclass
class Document:
    name: str
    text: str
    dct: str
    gold: list[Timex]


@dataclass
class Counts:
    gold: int = 0
    pred: int = 0
    strict_pred: int = 0
    strict_gold: int = 0
    relaxed_pred: int = 0
    relaxed_gold: int = 0
    value_pred: int = 0
    value_gold: int = 0
    same_pred: int = 0
    same_gold: int = 0
    pairs: int = 0
    pairs_equal: int = 0
    on_duration_or_set: int = 0
    errors: list[str] = field(default_factory=list)
    #: Gold mentions found with a wrong value, by ``error_class``.
    value_errors: Counter[str] = field(default_factory=Counter)
    #: Of those, the ones whose gold departs from the notation the issue asks for (``departure``).
    departures: Counter[str] = field(default_factory=Counter)

    def add(self, other: Counts) -> None:
        for name in self.__dataclass_fields__:
            if name not in ("errors", "value_errors", "departures"):
                setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors)
        self.value_errors.update(other.value_errors)
        self.departures.update(other.departures)


def read_tml(path: Path) -> Document:
    """A TimeML file's plain TEXT, its DCT and the TIMEX3 spans (offsets into that text)."""
    raw = path.read_text(encoding="utf-8")
    dct_match = _DCT.search(raw)
    dct = dct_match.group(1) if dct_match else ""
    body = raw[raw.index("<TEXT>") + len("<TEXT>") : raw.rindex("</TEXT>")]
    parts: list[str] = []
    length = 0
    gold: list[Timex] = []
    open_timex: tuple[int, dict[str, str]] | None = None
    pos = 0
    for tag in _TAG.finditer(body):
        chunk = html.unescape(body[pos : tag.start()])
        parts.append(chunk)
        length += len(chunk)
        pos = tag.end()
        closing, name = tag.group(1), tag.group(2)
        if name != "TIMEX3":
            continue
        if not closing:
            open_timex = (length, dict(_ATTR.findall(tag.group(3))))
        elif open_timex:
            start, attrs = open_timex
            gold.append(Timex(start, length, attrs.get("type", ""), attrs.get("value", "")))
            open_timex = None
    parts.append(html.unescape(body[pos:]))
    return Document(path.stem, "".join(parts), dct, gold)


def score(doc: Document, predicted: list[dict], keep_errors: bool) -> Counts:
    counts = Counts()
    gold = [g for g in doc.gold if g.type in SCORED_TYPES]
    other = [g for g in doc.gold if g.type not in SCORED_TYPES]
    counts.gold, counts.pred = len(gold), len(predicted)

    def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
        return a_start < b_end and b_start < a_end

    for p in predicted:
        hits = [g for g in gold if overlaps(p["start"], p["end"], g.start, g.end)]
        if any(g.start == p["start"] and g.end == p["end"] for g in hits):
            counts.strict_pred += 1
        if hits:
            counts.relaxed_pred += 1
            if any(g.value == p["value"] for g in hits):
                counts.value_pred += 1
            if any(same_value(g.value, p["value"]) for g in hits):
                counts.same_pred += 1
        elif any(overlaps(p["start"], p["end"], g.start, g.end) for g in other):
            counts.on_duration_or_set += 1
            if keep_errors:
                counts.errors.append(f"{doc.name}: FP(dur/set) {p['text']!r} -> {p['value']}")
        elif keep_errors:
            counts.errors.append(f"{doc.name}: FP {p['text']!r} -> {p['value']}")
    for g in gold:
        hits = [p for p in predicted if overlaps(p["start"], p["end"], g.start, g.end)]
        if any(p["start"] == g.start and p["end"] == g.end for p in hits):
            counts.strict_gold += 1
        if hits:
            counts.relaxed_gold += 1
            counts.pairs += 1
            if any(same_value(p["value"], g.value) for p in hits):
                counts.same_gold += 1
            if any(p["value"] == g.value for p in hits):
                counts.value_gold += 1
                counts.pairs_equal += 1
                continue
            counts.value_errors[error_class(doc.text[g.start : g.end], g.value, hits[0]["value"])] += 1
            reason = departure(g.value, hits[0]["value"])
            if reason:
                counts.departures[reason] += 1
            if keep_errors:
                got = ", ".join(f"{p['text']!r}={p['value']}" for p in hits)
                span = doc.text[g.start : g.end]
                counts.errors.append(f"{doc.name}: VALUE {span!r} gold {g.value} got {got} (dct {doc.dct})")
        elif keep_errors:
            context = doc.text[max(0, g.start - 40) : g.end + 40].replace("\n", " ")
            counts.errors.append(
                f"{doc.name}: FN {doc.text[g.start : g.end]!r} ({g.type} {g.value}) in …{context}…"
            )
    return counts


_WEEKDAY_NAME = re.compile(r"(?i)\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b")
_DAY_VALUE = re.compile(r"\d{4}-\d\d-\d\d")
_YEARLESS = re.compile(r"\d{4}(-\d\d(?:-\d\d)?)(?:T|$)")


def error_class(span: str, gold: str, got: str) -> str:
    """Why a found mention's value differs from the gold, in a few kinds worth counting.

    >>> error_class("Friday", "1990-08-10", "1990-08-17")
    'weekday direction'
    >>> error_class("Friday night", "2000-01-07", "2000-01-07TNI")
    'part of day'
    >>> error_class("last week", "1989-WXX", "1989-W43")
    'week'
    >>> error_class("a year earlier", "1988-Q3", "1988")
    'quarter or half'
    >>> error_class("January", "1990-01", "1989-01")
    'year of a month or day'
    >>> error_class("1949", "1949-XX", "1949")
    'notation'
    >>> error_class("year-end", "1989-12-31", "1989")
    'granularity'
    >>> error_class("now", "PAST_REF", "PRESENT_REF")
    'vague reference'
    """
    if same_value(gold, got):
        return "notation"
    if gold.split("T")[0] == got.split("T")[0] and _DAY_VALUE.match(gold):
        return "part of day"
    if _WEEKDAY_NAME.search(span) and _DAY_VALUE.match(gold) and _DAY_VALUE.match(got):
        return "weekday direction"
    if "-W" in gold or "-W" in got:
        return "week"
    if re.search(r"-(?:Q|H)[\dX]", gold + " " + got):
        return "quarter or half"
    if any(v.endswith("_REF") or v.startswith("P") for v in (gold, got)):
        return "vague reference"
    gold_part, got_part = _YEARLESS.match(gold), _YEARLESS.match(got)
    if gold_part and got_part and gold_part.group(1) == got_part.group(1):
        return "year of a month or day"
    if gold.startswith(got) or got.startswith(gold):
        return "granularity"
    return "other"


def departure(gold: str, got: str) -> str | None:
    """Why a gold value differs from ours only by departing from what the issue asks for,
    if it does: a spelling variant (``canonical``), a week left unknown where the anchor
    fixes its ISO week ("last week" as ``1989-WXX``), or a part of the day left out of
    "Friday night" (the issue: ``Tuesday morning`` is ``2023-03-14TMO``). None otherwise.

    >>> departure("1989-WXX", "1989-W43"), departure("2000-01-05", "2000-01-05TNI")
    ('week left unknown', 'part of day left out')
    >>> departure("1949-XX", "1949"), departure("1990-08-10", "1990-08-17") is None
    ('spelling variant', True)
    """
    if same_value(gold, got):
        return "spelling variant"
    if re.fullmatch(r"\d{4}-WXX", gold) and re.fullmatch(r"\d{4}-W\d\d", got):
        return "week left unknown"
    if re.fullmatch(r"\d{4}-\d\d-\d\d", gold) and re.fullmatch(re.escape(gold) + r"T(?:MO|AF|EV|NI)", got):
        return "part of day left out"
    return None


def canonical(value: str) -> str:
    """One spelling per value, for values the gold writes in more than one way:
    ``1998-W7`` is ``1998-W07``, ``T17`` is ``T17:00``, the decade ``196X`` is ``196``, the
    century ``19XX`` is ``19``, and a year with unknown month or day (``1949-XX``) the year ``1949``.

    >>> canonical("2000-W7"), canonical("1989-11-06T17"), canonical("196X"), canonical("1949-XX-XX")
    ('2000-W07', '1989-11-06T17:00', '196', '1949')
    >>> canonical("19XX")
    '19'
    """
    value = re.sub(r"-W(\d)(?!\d)", r"-W0\1", value)
    value = re.sub(r"T(\d\d)$", r"T\1:00", value)
    value = re.sub(r"^(\d{3})X$", r"\1", value)
    value = re.sub(r"^(\d{2})XX$", r"\1", value)
    return re.sub(r"^(\d{4})(?:-XX)+$", r"\1", value)


def same_value(a: str, b: str) -> bool:
    return a == b or canonical(a) == canonical(b)


def prf(hit_pred: int, pred: int, hit_gold: int, gold: int) -> tuple[float, float, float]:
    p = hit_pred / pred if pred else 0.0
    r = hit_gold / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def report(name: str, c: Counts) -> None:
    strict = prf(c.strict_pred, c.pred, c.strict_gold, c.gold)
    relaxed = prf(c.relaxed_pred, c.pred, c.relaxed_gold, c.gold)
    value = prf(c.value_pred, c.pred, c.value_gold, c.gold)
    accuracy = c.pairs_equal / c.pairs if c.pairs else 0.0
    same = prf(c.same_pred, c.pred, c.same_gold, c.gold)
    print(
        f"{name:<9} gold {c.gold:>5} pred {c.pred:>5} | "
        f"strict P {strict[0]:.3f} R {strict[1]:.3f} F1 {strict[2]:.3f} | "
        f"relaxed P {relaxed[0]:.3f} R {relaxed[1]:.3f} F1 {relaxed[2]:.3f} | "
        f"value acc {accuracy:.3f} P {value[0]:.3f} R {value[1]:.3f} F1 {value[2]:.3f} "
        f"(notation-normalized F1 {same[2]:.3f}) | FP on DURATION/SET {c.on_duration_or_set}"
    )


def anchor_of(dct: str) -> dict[str, str] | None:
    """The DCT as a ``published`` record (day precision is what TimeML gives)."""
    match = re.match(r"(\d{4})-?(\d{2})-?(\d{2})", dct)
    if not match:
        return None
    return {"value": "-".join(match.groups()), "precision": "day", "source": "header"}


def speed(texts: list[str], settings: DateSettings, rounds: int = 5) -> str:
    """The extractor's CPU time per 2 KB of text, best of ``rounds`` passes over the corpus.

    CPU time of this process, not wall time: other work on a shared machine would
    otherwise be counted as ours.
    """
    published = {"value": "2000-01-01", "precision": "day", "source": "header"}
    chars = sum(len(t) for t in texts)
    best = float("inf")
    for _ in range(rounds):
        began = time.process_time()
        for text in texts:
            find_mentions(text, published, language="en", settings=settings)
        best = min(best, time.process_time() - began)
    per_2kb = best * 1000 / (chars / 2048) if chars else 0.0
    return f"speed: {per_2kb:.3f} ms per 2 KB article (CPU time, best of {rounds} passes, {chars} characters)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--corpus", choices=CORPORA, action="append")
    parser.add_argument("--errors", type=int, default=0, help="print up to N errors per corpus")
    args = parser.parse_args(argv)
    root = args.shared / "data" / "timeml"
    if not root.is_dir():
        print(f"No TimeML data at {root}: nothing to evaluate (it lives in ../shared beside the project).")
        return 0
    settings = DateSettings()
    total = Counts()
    texts: list[str] = []
    for corpus in args.corpus or CORPORA:
        counts = Counts()
        for path in sorted((root / corpus).glob("*.tml")):
            doc = read_tml(path)
            predicted = find_mentions(doc.text, anchor_of(doc.dct), language="en", settings=settings)
            counts.add(score(doc, predicted, keep_errors=bool(args.errors)))
            texts.append(doc.text)
        report(corpus, counts)
        for line in counts.errors[: args.errors]:
            print("   ", line)
        total.add(counts)
    report("overall", total)
    kinds = ", ".join(f"{kind} {n}" for kind, n in total.value_errors.most_common())
    print(f"value errors by class ({sum(total.value_errors.values())}): {kinds}")
    gone = ", ".join(f"{kind} {n}" for kind, n in total.departures.most_common())
    print(f"  of which the gold departs from the issue's notation ({sum(total.departures.values())}): {gone}")
    print(speed(texts, settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
