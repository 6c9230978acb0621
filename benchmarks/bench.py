"""The pipeline's cost next to a hand-written loop and the least any such loop must do.

    make bench                                   # N = 1,000 and N = 20,000
    python -m benchmarks.bench --n 1000          # one size
    python -m benchmarks.bench --n 1000 --no-workers2 --no-stages

Builds a corpus of N articles from the English documents of ../shared/data/translation
(English originals: ``<src lang="en">`` of en->X sets; English refs and hyps of X->en sets),
cut at paragraph ends into pieces of about 1.6 KB and repeated to N, written as JSON Lines
into a temporary directory. Then, each in its own process so memory is its own:

- ``newsbeam ingest`` on the DirectRunner, one worker then two (multi_processing), in
  ``--rounds`` rounds (3), so that both see the same moments of a host whose speed moves;
- "hand-written": ftfy, seeded langdetect, dateparser's ``search_dates`` with
  ``RELATIVE_BASE``, fastavro (needs the ``bench`` extra: ``pip install -e '.[bench]'``);
- "floor": read JSON, langdetect, fastavro.

It prints articles per second (wall) and per CPU second ("per core": CPU time of the
process and all its children), peak RSS of the process tree, CPU milliseconds per
article of each stage's plain function over the same documents, and the ratios; beside
the two-worker ratio, how much work two copies of the floor loop do at once against one
alone on this host at that moment (the most a two-worker run could reach then).
Benchmarks are scripts, never timed tests; nothing is written outside the temp directory.
"""

from __future__ import annotations

import argparse
import compileall
import io
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
DATA = PROJECT.parent / "shared" / "data" / "translation"
#: About the size of a news article's body (the issue's 1.6 KB).
TARGET_CHARS = 1600
RUN_TIME = "2026-01-01T00:00:00Z"
#: Shorter pieces (a document's tail, the many short documents of the 2022 sets) are left out.
MIN_CHARS = 1000
#: Per-stage micro-benchmarks read this many documents at most: the cost per article is the figure.
STAGE_DOCS = 1000
#: Articles of the floor loop in the host's own two-process check (about 5 s a copy).
PAIR_DOCS = 1000
_PAGE = os.sysconf("SC_PAGE_SIZE")
_TICKS = os.sysconf("SC_CLK_TCK")

# --- the corpus ----------------------------------------------------------------------------


def _paragraphs(side: ET.Element) -> list[list[str]]:
    """A side's paragraphs, each a list of its segments."""
    out = []
    for paragraph in side.iter("p"):
        segments = [" ".join((seg.text or "").split()) for seg in paragraph.iter("seg")]
        segments = [s for s in segments if s]
        if segments:
            out.append(segments)
    return out


def english_sides(folder: Path = DATA) -> Iterator[list[list[str]]]:
    """Every English document side (original, human or machine translation), as paragraphs."""
    for path in sorted(folder.glob("*.all.xml")):
        for doc in ET.parse(path).getroot().iter("doc"):
            for side in doc:
                if side.get("lang") != "en" or side.tag not in ("src", "ref", "hyp"):
                    continue
                paragraphs = _paragraphs(side)
                if paragraphs:
                    yield paragraphs


def cut(paragraphs: Sequence[Sequence[str]], target: int = TARGET_CHARS) -> list[tuple[str | None, str]]:
    """(title, body) pieces of about ``target`` characters, cut at segment ends.

    A document's first segment is the first piece's title when it is short and more follows;
    paragraphs are separated by blank lines.

    >>> [(t, len(b)) for t, b in cut([["A title", "x" * 900], ["y" * 900], ["z" * 100]])]
    [('A title', 1802), (None, 100)]
    >>> [(t, len(b)) for t, b in cut([["A title"], ["x" * 900]])]
    [('A title', 900)]
    """
    units = [(segment, i > 0) for paragraph in paragraphs for i, segment in enumerate(paragraph)]
    title = None
    if len(units) > 1 and len(units[0][0]) < 150:
        title = units.pop(0)[0]
        units[0] = (units[0][0], False)
    pieces: list[tuple[str | None, str]] = []
    body = ""
    for segment, same_paragraph in units:
        if len(body) >= target:
            pieces.append((None if pieces else title, body))
            body = ""
        body = f"{body}{' ' if same_paragraph else chr(10) * 2}{segment}" if body else segment
    if body:
        pieces.append((None if pieces else title, body))
    return pieces


def document_pool(folder: Path = DATA, limit: int = 20_000, seed: int = 0) -> list[tuple[str | None, str]]:
    """Up to ``limit`` distinct (title, body) pieces of at least MIN_CHARS, shuffled with a fixed
    seed (all sets mixed)."""
    pieces = [
        piece
        for paragraphs in english_sides(folder)
        for piece in cut(paragraphs)
        if len(piece[1]) >= MIN_CHARS
    ]
    unique = list(dict.fromkeys(pieces))
    random.Random(seed).shuffle(unique)
    return unique[:limit]


def corpus_records(n: int, pool: Sequence[tuple[str | None, str]]) -> Iterator[dict[str, Any]]:
    """N JSON Lines records over the pool (repeated when N is larger), each with its own id and date."""
    start = date(2022, 1, 1)
    for i in range(n):
        title, text = pool[i % len(pool)]
        record: dict[str, Any] = {"id": f"bench-{i:06d}", "text": text}
        if title:
            record["title"] = title
        record["published"] = f"{start + timedelta(days=i % 365)}T09:00:00Z"
        yield record


def write_corpus(n: int, directory: Path, pool: Sequence[tuple[str | None, str]]) -> Path:
    """``directory/corpus.jsonl`` with N articles."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "corpus.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for record in corpus_records(n, pool):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


# --- the reference loops ---------------------------------------------------------------------

_HAND_SCHEMA = {
    "type": "record",
    "name": "HandArticle",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "title", "type": ["null", "string"]},
        {"name": "text", "type": "string"},
        {"name": "language", "type": ["null", "string"]},
        {"name": "published", "type": ["null", "string"]},
        {
            "name": "dates",
            "type": {
                "type": "array",
                "items": {
                    "type": "record",
                    "name": "HandDate",
                    "fields": [{"name": "text", "type": "string"}, {"name": "value", "type": "string"}],
                },
            },
        },
    ],
}
_FLOOR_SCHEMA = {
    "type": "record",
    "name": "FloorArticle",
    "fields": [
        {"name": "id", "type": "string"},
        {"name": "text", "type": "string"},
        {"name": "language", "type": ["null", "string"]},
    ],
}


def _langdetect() -> Callable[[str], str | None]:
    """langdetect made deterministic the documented way (a fixed seed)."""
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0

    def language(text: str) -> str | None:
        try:
            return detect(text)
        except LangDetectException:  # no letters: no language
            return None

    return language


def hand_written(corpus: Path, output: Path) -> int:
    """What a user writes without newsbeam: repair, language, dates, Avro. Returns the count."""
    import dateparser.search
    import fastavro
    import ftfy

    language = _langdetect()
    count = 0

    def search_dates(text: str, code: str | None, base: datetime | None) -> list[tuple[str, datetime]]:
        # The language langdetect found, as dateparser's documentation advises: left to guess it,
        # dateparser tries every locale it has (about 20 times slower on these articles).
        settings = {"RELATIVE_BASE": base}
        try:
            return (
                dateparser.search.search_dates(text, languages=[code] if code else None, settings=settings)
                or []
            )
        except ValueError:  # a language dateparser lacks: let it guess
            return dateparser.search.search_dates(text, settings=settings) or []

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal count
        with open(corpus, encoding="utf-8") as lines:
            for line in lines:
                item = json.loads(line)
                text = ftfy.fix_text(item["text"])
                title = ftfy.fix_text(item["title"]) if item.get("title") else None
                published = item.get("published")
                base = datetime.fromisoformat(published).replace(tzinfo=None) if published else None
                code = language(text)
                found = search_dates(text, code, base)
                count += 1
                yield {
                    "id": item["id"],
                    "title": title,
                    "text": text,
                    "language": code,
                    "published": published,
                    "dates": [{"text": said, "value": moment.isoformat()} for said, moment in found],
                }

    with open(output, "wb") as out:
        fastavro.writer(out, fastavro.parse_schema(_HAND_SCHEMA), rows())
    return count


def floor(corpus: Path, output: Path) -> int:
    """The least any such pipeline does with these libraries: JSON in, langdetect, Avro out."""
    import fastavro

    language = _langdetect()
    count = 0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal count
        with open(corpus, encoding="utf-8") as lines:
            for line in lines:
                item = json.loads(line)
                count += 1
                yield {"id": item["id"], "text": item["text"], "language": language(item["text"])}

    with open(output, "wb") as out:
        fastavro.writer(out, fastavro.parse_schema(_FLOOR_SCHEMA), rows())
    return count


LOOPS: dict[str, Callable[[Path, Path], int]] = {"hand-written": hand_written, "floor": floor}


# --- measuring a process tree ----------------------------------------------------------------


@dataclass
class Measure:
    """One run of a command: wall and CPU seconds (the process and its children), peak RSS."""

    label: str
    n: int
    wall: float
    cpu: float
    peak_rss_mb: float
    ok: bool = True
    #: CPU seconds of each process of the tree that used at least a tenth of a second, largest
    #: first, as (pid, command name): a multi-process run shows its runner and its workers.
    processes: tuple[tuple[int, str, float], ...] = ()

    @property
    def per_second(self) -> float:
        return self.n / self.wall if self.wall else 0.0

    @property
    def per_cpu_second(self) -> float:
        """Articles per second per core: the CPU time of every process of the run counts."""
        return self.n / self.cpu if self.cpu else 0.0


def _all_children() -> dict[int, list[int]]:
    """Every process's children, from a scan of /proc (where /proc/PID/task/TID/children is missing)."""
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def _children_of(pid: int) -> list[int] | None:
    """A process's children from its threads' ``children`` files (a few small reads: a scan of
    all of /proc every 50 ms cost the sampler 15 % of a core, taken from the run it measures).
    None where the kernel has no such file."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    found: list[int] = []
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found.extend(int(child) for child in handle.read().split())
        except FileNotFoundError:
            return None
        except OSError:
            continue
    return found


def _command(pid: int) -> str:
    """A process's command line, shortened to what tells a runner from a worker."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            words = handle.read().decode("utf-8", "replace").split("\0")
    except OSError:
        return "?"
    words = [w for w in words if w]
    named = [Path(w).name if "/" in w and not w.startswith("--") else w for w in words[:4]]
    return " ".join(named)[:60]


def _tree_sample(root: int) -> tuple[int, dict[int, float]]:
    """(RSS bytes summed over the tree, CPU seconds of each process) right now."""
    tree: dict[int, list[int]] | None = None
    rss, cpu, todo = 0, {}, [root]
    while todo:
        pid = todo.pop()
        children = _children_of(pid) if tree is None else None
        if children is None:
            tree = tree if tree is not None else _all_children()
            children = tree.get(pid, [])
        todo.extend(children)
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/statm") as handle:
                rss += int(handle.read().split()[1]) * _PAGE
        except OSError:
            continue
        # utime and stime (fields 14 and 15 of stat; 12 and 13 after the command name).
        cpu[pid] = (int(fields[11]) + int(fields[12])) / _TICKS
    return rss, cpu


def measure(label: str, n: int, command: Sequence[str], log: Path) -> Measure:
    """Run ``command``, sampling the RSS of its whole process tree every 50 ms."""
    start = time.perf_counter()
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=PROJECT)
    peak = 0
    cpu_seen: dict[int, float] = {}
    names: dict[int, str] = {}
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            rss, cpu = _tree_sample(process.pid)
            peak = max(peak, rss)
            cpu_seen.update(cpu)
            for pid in cpu.keys() - names.keys():
                names[pid] = _command(pid)
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    # wait4 counts the children the process reaped; the samples catch any it did not.
    reaped = usage.ru_utime + usage.ru_stime
    cpu = max(reaped, sum(cpu_seen.values()))
    peak = max(peak, usage.ru_maxrss * 1024)
    processes = tuple(
        sorted(
            ((pid, names.get(pid, "?"), seconds) for pid, seconds in cpu_seen.items() if seconds >= 0.1),
            key=lambda p: -p[2],
        )
    )
    return Measure(label, n, wall, cpu, peak / 2**20, ok=process.returncode == 0, processes=processes)


def pipeline_command(corpus: Path, output: Path, workers: int) -> list[str]:
    command = [
        str(Path(sys.executable).parent / "newsbeam"),
        "ingest",
        "--input",
        str(corpus),
        "--output",
        str(output),
        "--run_time",
        RUN_TIME,
    ]
    if workers > 1:
        command += ["--direct_num_workers", str(workers), "--direct_running_mode", "multi_processing"]
    return command


# --- per-stage cost ----------------------------------------------------------------------------


def stage_costs(corpus: Path, limit: int = STAGE_DOCS) -> dict[str, float]:
    """CPU milliseconds per article of each stage's plain function, in pipeline order.

    Each stage gets the previous stage's output, as in the pipeline; building the stage's
    objects (models, detectors) is not counted, as the pipeline does it once per worker.
    The link stage's figure is its per-article part (fingerprints, MinHash, band keys).
    """
    import fastavro

    from schemas import article_schema
    from transforms import dates, language, normalize, translation
    from transforms.common import RunSettings, pipeline_version
    from transforms.derived import LinkSettings, band_keys, minhash, summarize
    from transforms.parse import parse_json_line
    from transforms.validate import record_checker

    settings = RunSettings(run_time_millis=1_767_225_600_000, pipeline_version=pipeline_version())
    link = LinkSettings()
    coefficients = link.coefficients()

    def linked(article: dict[str, Any]) -> dict[str, Any]:
        band_keys(minhash(summarize(article)["fingerprints"], coefficients), link.rows)
        return article

    schema = fastavro.parse_schema(article_schema())

    def write(article: dict[str, Any]) -> dict[str, Any]:
        fastavro.schemaless_writer(io.BytesIO(), schema, article)
        return article

    uri = corpus.as_uri()
    stages: list[tuple[str, Callable[[Any], Any]]] = [
        ("parse", lambda line: parse_json_line(line, uri, settings)),
        ("normalize", normalize._normalizer(settings)),
        ("language", language._detector(settings)),
        ("translation", translation._assessor(settings)),
        ("link (per article)", linked),
        ("dates", dates._extractor(settings)),
        ("validate", record_checker(settings)),
        ("write (fastavro)", write),
    ]
    with open(corpus, encoding="utf-8") as handle:
        items: list[Any] = [line for _, line in zip(range(limit), handle, strict=False)]
    costs: dict[str, float] = {}
    for name, fn in stages:
        start = time.process_time()
        items = [fn(item) for item in items]
        costs[name] = (time.process_time() - start) * 1000 / len(items)
    return costs


# --- the report --------------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} cores, {cpu}"


def installation() -> str:
    """Python, Beam and whether the ``gcp`` extra is there (its client libraries cost every
    process that imports Beam about 0.25 s: ``make bench`` runs without it, as a local run
    installs the package)."""
    import importlib.metadata
    import importlib.util

    try:
        gcp = importlib.util.find_spec("google.cloud.storage") is not None
    except ModuleNotFoundError:  # no google.cloud package at all
        gcp = False
    return (
        f"{sys.executable} (Python {platform.python_version()}), apache-beam "
        f"{importlib.metadata.version('apache-beam')}, gcp extra {'installed' if gcp else 'not installed'}"
    )


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def host_pair_scaling(corpus: Path, work: Path, docs: int = PAIR_DOCS) -> tuple[float, float, float]:
    """(one copy's wall s, the slower of two copies at once, work done by the two against one).

    The floor loop (json, langdetect, fastavro: no Beam, nothing shared between the copies) on
    the corpus's first ``docs`` articles, once alone and then twice at once. Two independent
    processes on two idle cores would do 2.00x; what this host gives at the moment of the run is
    the most any two-worker run can reach then (its vCPUs slow each other down by 10-40 % under
    load, and the host's speed moves by 20 % within minutes), so the pipeline's two-worker ratio
    is read next to it.
    """
    head = work / "pair-corpus.jsonl"
    with open(corpus, "rb") as source, open(head, "wb") as target:
        for _, line in zip(range(docs), source, strict=False):
            target.write(line)

    def command(k: int) -> list[str]:
        out = work / f"pair-{k}.avro"
        return [
            sys.executable,
            "-m",
            "benchmarks.bench",
            "--loop",
            "floor",
            "--corpus",
            str(head),
            "--loop-output",
            str(out),
        ]

    start = time.perf_counter()
    subprocess.run(command(0), check=True, stdout=subprocess.DEVNULL, cwd=PROJECT)
    alone = time.perf_counter() - start
    start = time.perf_counter()
    pair = [subprocess.Popen(command(k), stdout=subprocess.DEVNULL, cwd=PROJECT) for k in (1, 2)]
    ends = []
    for process in pair:
        process.wait()
        ends.append(time.perf_counter() - start)
        if process.returncode:
            raise RuntimeError(f"the floor loop failed ({process.returncode})")
    together = max(ends)
    return alone, together, 2 * alone / together


def table(rows: Sequence[Measure], hand: Measure | None, floor_run: Measure | None) -> str:
    lines = [
        "| run | N | wall s | CPU s | articles/s | articles/s/core | peak RSS MB "
        "| × hand-written | × floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        vs_hand = f"{row.per_cpu_second / hand.per_cpu_second:.2f}" if hand and hand.cpu else "-"
        vs_floor = (
            f"{row.per_cpu_second / floor_run.per_cpu_second:.2f}" if floor_run and floor_run.cpu else "-"
        )
        lines.append(
            f"| {row.label}{'' if row.ok else ' (FAILED)'} | {row.n} | {row.wall:.1f} | {row.cpu:.1f} "
            f"| {row.per_second:.1f} | {row.per_cpu_second:.1f} | {row.peak_rss_mb:.0f} "
            f"| {vs_hand} | {vs_floor} |"
        )
    return "\n".join(lines)


def bench(n: int, pool: Sequence[tuple[str | None, str]], options: argparse.Namespace) -> dict[str, Any]:
    """Every figure for one N; prints as it goes."""
    work = Path(tempfile.mkdtemp(prefix=f"newsbeam-bench-{n}-"))
    try:
        corpus = write_corpus(n, work, pool)
        size = corpus.stat().st_size
        print(f"\n## N = {n:,} ({size / n:.0f} bytes an article; {load()})", flush=True)
        runs: list[Measure] = []
        by_label: dict[str, Measure] = {}
        plan: list[tuple[str, list[str]]] = []
        for name in LOOPS:
            if (name == "hand-written" and options.no_hand) or (name == "floor" and options.no_floor):
                continue
            script = [sys.executable, "-m", "benchmarks.bench", "--loop", name, "--corpus", str(corpus)]
            plan.append((name, [*script, "--loop-output", str(work / f"{name}.avro")]))
        if not options.no_pipeline:
            plan.append(("pipeline, 1 worker", pipeline_command(corpus, work / "out1", 1)))
        if not (options.no_pipeline or options.no_workers2):
            plan.append(("pipeline, 2 workers", pipeline_command(corpus, work / "out2", 2)))
        # The reference loops run ``--repeat`` times each; the pipeline's runs alternate one
        # worker and two for ``--rounds`` rounds, so that both see the same moments of a host
        # whose speed moves by 20 % within minutes (a pure Python loop: 6.8 s, then 9.0-9.5 s a
        # minute later), and the two-worker ratio is also read round by round.
        loops = [(label, command) for label, command in plan if not label.startswith("pipeline")]
        pipelines = [(label, command) for label, command in plan if label.startswith("pipeline")]
        schedule = [item for item in loops for _ in range(options.repeat)]
        schedule += [item for _ in range(options.rounds) for item in pipelines]
        tried: dict[str, list[Measure]] = defaultdict(list)
        for label, command in schedule:
            run = measure(label, n, command, work / f"{label.split(',')[0]}.log")
            if not run.ok:
                print((work / f"{label.split(',')[0]}.log").read_text()[-3000:], file=sys.stderr)
            tried[label].append(run)
            print(
                f"{label}: {run.wall:.1f} s wall, {run.cpu:.1f} s CPU, {run.peak_rss_mb:.0f} MB peak "
                f"({load()})",
                flush=True,
            )
            if len(run.processes) > 1:
                print("  CPU s by process: " + "; ".join(f"{c:.1f} {name}" for _, name, c in run.processes))
        for label, _ in plan:
            # The least CPU of the repeats: the run least disturbed by the machine's other load.
            best = min(tried[label], key=lambda run: run.cpu)
            runs.append(best)
            by_label[label] = best
        if (work / "out1" / "summary.json").exists():
            summary = json.loads((work / "out1" / "summary.json").read_text())
            print(
                f"summary: {summary['items_read']} read, {summary['articles_written']} written, "
                f"{summary['dead_letters']} dead letters, balanced={summary['balanced']}"
            )
        hand, floor_run = by_label.get("hand-written"), by_label.get("floor")
        print()
        print(table(runs, hand, floor_run))
        one, two = by_label.get("pipeline, 1 worker"), by_label.get("pipeline, 2 workers")
        result: dict[str, Any] = {"n": n, "runs": [vars(r) for r in runs]}
        if one and two:
            ones, twos = tried["pipeline, 1 worker"], tried["pipeline, 2 workers"]
            rounds = [a.wall / b.wall for a, b in zip(ones, twos, strict=True)]
            fastest = min(r.wall for r in ones) / min(r.wall for r in twos)
            result["speedup_2_workers"] = two.per_second / one.per_second
            result["speedup_2_workers_rounds"] = rounds
            result["speedup_2_workers_fastest"] = fastest
            by_round = ", ".join(f"{r:.2f}×" for r in rounds)
            print(
                f"\n2 workers vs 1 (wall throughput): {result['speedup_2_workers']:.2f}× (the runs of least "
                f"CPU); round by round {by_round} (median {statistics.median(rounds):.2f}×); "
                f"fastest of each {fastest:.2f}×"
            )
            docs = min(n, PAIR_DOCS)
            alone, together, scaling = host_pair_scaling(corpus, work, docs)
            result["host_pair_scaling"] = scaling
            print(
                f"host, at this moment: the floor loop over {docs:,} articles {alone:.1f} s alone, "
                f"two copies at once {together:.1f} s: {scaling:.2f}× the work of one (2.00× is ideal)"
            )
        if not options.no_stages:
            costs = stage_costs(corpus, min(n, STAGE_DOCS))
            result["stage_ms"] = costs
            print(f"\nCPU ms per article, each stage's plain function over {min(n, STAGE_DOCS)} documents:")
            print("| stage | ms/article |\n|---|---:|")
            for name, ms in costs.items():
                print(f"| {name} | {ms:.2f} |")
            print(f"| **sum** | {sum(costs.values()):.2f} |")
        return result
    finally:
        if options.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def compile_project() -> None:
    """Byte-compile the project's packages, as an installed wheel is (pip compiles it).

    An editable install leaves them as sources: where ``PYTHONDONTWRITEBYTECODE`` is set (it
    is on this machine) every process of a run (the launcher, each SDK worker) compiled the
    project's 76 modules again, 0.1-0.15 s each, which a deployed pipeline never pays. The
    reference loops import only installed packages, which pip compiled.
    """
    for package in ("transforms", "pipelines", "schemas"):
        compileall.compile_dir(str(PROJECT / package), quiet=1)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, action="append", help="corpus size; repeat for several")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of each reference loop; the least CPU counts"
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds of the pipeline's runs (one worker, then two); the least CPU counts",
    )
    parser.add_argument("--no-workers2", action="store_true", help="skip the two-worker pipeline run")
    parser.add_argument("--no-pipeline", action="store_true", help="only the reference loops")
    parser.add_argument("--no-hand", action="store_true", help="skip the hand-written loop (slow)")
    parser.add_argument("--no-floor", action="store_true", help="skip the floor loop")
    parser.add_argument("--no-stages", action="store_true", help="skip the per-stage micro-benchmark")
    parser.add_argument("--keep", action="store_true", help="keep the temp directory")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    # Internal: one reference loop in a process of its own, so its memory is its own.
    parser.add_argument("--loop", choices=sorted(LOOPS), help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--loop-output", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.loop:
        count = LOOPS[options.loop](options.corpus, options.loop_output)
        print(f"{options.loop}: {count} articles")
        return 0
    if not DATA.is_dir():
        print(f"bench: {DATA} is missing (the reference data beside the project)", file=sys.stderr)
        return 2
    print(f"# newsbeam benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}, {load()}")
    print(f"install: {installation()}")
    compile_project()
    pool = document_pool()
    print(f"pool: {len(pool):,} distinct English pieces from {DATA}")
    results = [bench(n, pool, options) for n in options.n or [1000, 20_000]]
    if options.json:
        options.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
