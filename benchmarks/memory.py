"""Where the pipeline's memory goes: RSS, Python-traced memory and the allocator, stage by stage.

    python -m benchmarks.memory --n 5000                 # RSS per stage (FnApiRunner bundle)
    python -m benchmarks.memory --n 5000 --trace 1      # also tracemalloc: what is live, where
    python -m benchmarks.memory --n 5000 --trim         # malloc_trim(0) after every bundle

Runs ``newsbeam ingest`` in this process on the DirectRunner's in-process mode (one worker) over
the corpus of ``benchmarks.bench``, and after every bundle the FnApiRunner runs prints the stage,
the process's peak RSS during that bundle (``VmHWM``, reset before each bundle through
``/proc/self/clear_refs``), its RSS after it, and with ``--trace`` the memory Python's allocators
hold for live objects (numpy's arrays included). RSS far above the traced memory is memory the
allocators keep (freed, fragmented) or native libraries hold; ``--trim`` returns glibc's free heap
pages after each bundle to tell those apart. The largest tracemalloc snapshot's top allocation
sites are printed at the end (``--top``).

A measuring tool, never a test: it patches the runner's bundle method to observe it.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import re
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.bench import DATA, RUN_TIME, document_pool, write_corpus

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _status(field: str) -> int:
    """A ``/proc/self/status`` figure in bytes (``VmRSS``, ``VmHWM``)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def _reset_peak() -> bool:
    """Reset the process's peak RSS (Linux: writing 5 to clear_refs); False where it cannot."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def short_stage(name: str, width: int = 60) -> str:
    """A fused stage's name, cut to its first and last transforms.

    >>> short_stage("((ref_AppliedPTransform_A/B_1))+((ref_AppliedPTransform_C_2))")
    'A/B -> C'
    """
    parts = re.findall(r"ref_AppliedPTransform_([^)]+?)(?:_\d+)?\)", name) or [name]
    text = parts[0] if len(parts) == 1 else f"{parts[0]} -> {parts[-1]}"
    return text if len(text) <= width else text[: width - 3] + "..."


def profile(
    n: int, trace: int, trim: bool, top: int, keep: bool, trace_from: str = "", workers: int = 1
) -> dict[str, Any]:
    from apache_beam.runners.portability.fn_api_runner import fn_runner

    from pipelines.ingest import run

    libc = ctypes.CDLL("libc.so.6") if trim else None
    work = Path(tempfile.mkdtemp(prefix=f"newsbeam-memory-{n}-"))
    rows: list[dict[str, Any]] = []
    best: dict[str, Any] = {"traced": -1, "snapshot": None, "stage": ""}
    original = fn_runner.FnApiRunner._execute_bundle

    def observed(self: Any, context: Any, manager: Any, bundle_input: Any) -> Any:
        if trace and trace_from and not tracemalloc.is_tracing() and trace_from in manager.stage.name:
            tracemalloc.start(trace)
        _reset_peak()
        start, started = time.process_time(), time.perf_counter()
        result = original(self, context, manager, bundle_input)
        row: dict[str, Any] = {
            "stage": short_stage(manager.stage.name),
            "wall_s": round(time.perf_counter() - started, 2),
            "cpu_s": round(time.process_time() - start, 2),
            "peak_mb": round(_status("VmHWM") / 2**20, 1),
            "rss_mb": round(_status("VmRSS") / 2**20, 1),
        }
        if libc is not None:
            libc.malloc_trim(0)
            row["trimmed_mb"] = round(_status("VmRSS") / 2**20, 1)
        if tracemalloc.is_tracing():
            current, peak = tracemalloc.get_traced_memory()
            row["traced_mb"] = round(current / 2**20, 1)
            row["traced_peak_mb"] = round(peak / 2**20, 1)
            tracemalloc.reset_peak()
            if current > best["traced"]:
                best.update(traced=current, snapshot=tracemalloc.take_snapshot(), stage=row["stage"])
        rows.append(row)
        print(json.dumps(row), flush=True)
        return result

    try:
        corpus = write_corpus(n, work, document_pool())
        fn_runner.FnApiRunner._execute_bundle = observed  # type: ignore[method-assign]
        if trace and not trace_from:
            tracemalloc.start(trace)
        started = time.perf_counter()
        argv = ["--input", str(corpus), "--output", str(work / "out"), "--run_time", RUN_TIME]
        if workers > 1:
            argv += ["--direct_num_workers", str(workers), "--direct_running_mode", "multi_processing"]
        summary = run(argv)
        wall = time.perf_counter() - started
        print(
            f"N = {n}: {summary['articles_written']} written in {wall:.1f} s; peak RSS of the run: "
            f"{max(r['peak_mb'] for r in rows):.0f} MB; {len(rows)} bundles, "
            f"{sum(r['wall_s'] for r in rows):.1f} s in them"
        )
        if best["snapshot"] is not None:
            print(f"\nlargest traced memory {best['traced'] / 2**20:.1f} MB, after stage {best['stage']}:")
            snapshot = best["snapshot"].filter_traces(
                [tracemalloc.Filter(False, tracemalloc.__file__), tracemalloc.Filter(False, "<frozen *>")]
            )
            for stat in snapshot.statistics("traceback" if trace > 1 else "lineno")[:top]:
                where = " <- ".join(
                    f"{Path(f.filename).name}:{f.lineno}" for f in stat.traceback[: min(trace, 4)]
                )
                print(f"{stat.size / 2**20:8.1f} MB {stat.count:9d} blocks  {where}")
        return {"n": n, "wall_s": wall, "bundles": rows}
    finally:
        fn_runner.FnApiRunner._execute_bundle = original  # type: ignore[method-assign]
        tracemalloc.stop()
        if keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=5000, help="corpus size")
    parser.add_argument("--trace", type=int, default=0, help="tracemalloc frames (0: off)")
    parser.add_argument(
        "--trace-from", default="", help="start tracing at the first stage whose name has this text"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="multi_processing workers (RSS is then the runner's)"
    )
    parser.add_argument("--trim", action="store_true", help="malloc_trim(0) after every bundle")
    parser.add_argument("--top", type=int, default=25, help="allocation sites to print")
    parser.add_argument("--keep", action="store_true", help="keep the temp directory")
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    options = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"memory: {DATA} is missing (the reference data beside the project)", file=sys.stderr)
        return 2
    result = profile(
        options.n, options.trace, options.trim, options.top, options.keep, options.trace_from, options.workers
    )
    if options.json:
        options.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
