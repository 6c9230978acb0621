"""The same records on other runners as on the DirectRunner, for the same input (samples/).

- PortableRunner against Beam's local job service, with SDK workers in separate processes
  started by Beam's worker pool (``--environment_type EXTERNAL``): every stage is pickled,
  sent over the Fn API and run in a remote SDK harness, as on Flink, Spark or Dataflow
  Runner v2. A stage that does not pickle fails here.
- The DirectRunner with ``--direct_num_workers 2 --direct_running_mode multi_processing``.

Real processes, started and stopped by the tests; clients reach them on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RUN_TIME, SAMPLES, read_output, run_newsbeam

#: How long a service may take to start listening; a bound, not a measurement.
STARTUP_LIMIT = 120.0


def run_samples(
    out: Path, *options: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    result = run_newsbeam(
        "ingest", "--input", str(SAMPLES), "--output", str(out), "--run_time", RUN_TIME, *options
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return read_output(out)


def comparable(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary without what names this run's own output directory."""
    return {key: value for key, value in summary.items() if key != "output"}


@pytest.fixture(scope="module")
def direct_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[list, list, dict]:
    return run_samples(tmp_path_factory.mktemp("direct"))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with log.open("wb") as handle:
        # A session of its own, so the teardown stops the service and the workers it started.
        return subprocess.Popen(
            args, stdout=handle, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _wait_until_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_LIMIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args} exited with {process.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"{process.args} did not listen on 127.0.0.1:{port}:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="module")
def portable_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Beam's local job service and an SDK worker pool, each in its own process."""
    work = tmp_path_factory.mktemp("portable")
    # The pool starts each SDK worker as `python -c ...`: this interpreter, with the project.
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])}
    port_file = work / "job.port"
    job_log, pool_log = work / "job_service.log", work / "worker_pool.log"
    job_service = _start(
        [
            sys.executable,
            "-m",
            "apache_beam.runners.portability.local_job_service_main",
            "--port=0",
            f"--port_file={port_file}",
            f"--staging_dir={work / 'staging'}",
        ],
        job_log,
        env,
    )
    processes = [job_service]
    try:
        deadline = time.monotonic() + STARTUP_LIMIT
        # The service writes its port file (atomically) once it listens.
        while not port_file.exists():
            if job_service.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"job service did not start:\n{job_log.read_text()[-4000:]}")
            time.sleep(0.1)
        job_port = int(port_file.read_text())
        pool_port = _free_port()
        pool = _start(
            [
                sys.executable,
                "-m",
                "apache_beam.runners.worker.worker_pool_main",
                f"--service_port={pool_port}",
            ],
            pool_log,
            env,
        )
        processes.append(pool)
        _wait_until_listening(pool_port, pool, pool_log)
        yield {"job_port": job_port, "pool_port": pool_port, "pool_log": pool_log, "job_log": job_log}
    finally:
        for process in reversed(processes):
            _stop(process)


def test_portable_runner_with_external_workers_gives_the_same_records(
    tmp_path: Path, direct_run: tuple[list, list, dict], portable_services: dict[str, Any]
) -> None:
    articles, dead, summary = run_samples(
        tmp_path / "portable",
        "--runner=PortableRunner",
        f"--job_endpoint=127.0.0.1:{portable_services['job_port']}",
        "--environment_type=EXTERNAL",
        f"--environment_config=127.0.0.1:{portable_services['pool_port']}",
    )
    # The pool started SDK workers of its own: the stages ran outside the job service.
    assert "Starting worker with command" in portable_services["pool_log"].read_text()
    direct_articles, direct_dead, direct_summary = direct_run
    assert len(articles) == len(direct_articles) == 19
    assert articles == direct_articles
    assert dead == direct_dead
    assert comparable(summary) == comparable(direct_summary)


def test_unwaited_portable_job_prints_the_job_then_writes_the_same_records(
    tmp_path: Path, direct_run: tuple[list, list, dict], portable_services: dict[str, Any]
) -> None:
    out = tmp_path / "unwaited"
    result = run_newsbeam(
        "ingest",
        "--input",
        str(SAMPLES),
        "--output",
        str(out),
        "--run_time",
        RUN_TIME,
        "--runner=PortableRunner",
        f"--job_endpoint=127.0.0.1:{portable_services['job_port']}",
        "--environment_type=EXTERNAL",
        f"--environment_config=127.0.0.1:{portable_services['pool_port']}",
        "--no_wait_until_finish",
    )
    assert result.returncode == 0, result.stderr[-4000:]
    printed = json.loads(result.stdout)
    if "job" in printed:  # submitted and still going: the job, not a summary
        assert printed["job"]["runner"] == "PortableRunner" and printed["job"]["id"]
        assert printed["job"]["state"] not in ("FAILED", "CANCELLED")
        # The job service goes on without the command line; the summary is its last file.
        deadline = time.monotonic() + 300
        while not (out / "summary.json").exists():
            assert time.monotonic() < deadline, "the submitted job wrote no summary.json"
            time.sleep(0.2)
    else:  # the job was already done when the command asked
        assert printed["balanced"] is True
    articles, _, summary = read_output(out)
    assert articles == direct_run[0]
    assert comparable(summary) == comparable(direct_run[2])


def test_direct_runner_on_two_processes_gives_the_same_records(
    tmp_path: Path, direct_run: tuple[list, list, dict]
) -> None:
    articles, dead, summary = run_samples(
        tmp_path / "multi",
        "--direct_num_workers=2",
        "--direct_running_mode=multi_processing",
    )
    direct_articles, direct_dead, direct_summary = direct_run
    assert articles == direct_articles
    assert sorted(map(repr, dead)) == sorted(map(repr, direct_dead))
    assert comparable(summary) == comparable(direct_summary)


# --- deploy/flink ---------------------------------------------------------------------------

FLINK_COMPOSE = Path(__file__).resolve().parents[1] / "deploy" / "flink" / "docker-compose.yml"


def _documented_flink_command() -> list[str]:
    """The `docker compose ... run --rm newsbeam ingest ...` line of the compose file's header."""
    header = [
        line.removeprefix("#").strip()
        for line in FLINK_COMPOSE.read_text().splitlines()
        if line.startswith("#")
    ]
    start = next(i for i, line in enumerate(header) if "run --rm newsbeam" in line)
    words: list[str] = []
    for line in header[start:]:
        words.extend(line.rstrip("\\").split())
        if not line.endswith("\\"):
            break
    return words[words.index("newsbeam", words.index("--rm")) + 1 :]


def test_flink_compose_runs_one_beam_version() -> None:
    import apache_beam
    import yaml
    from apache_beam.options.pipeline_options import FlinkRunnerOptions

    services = yaml.safe_load(FLINK_COMPOSE.read_text())["services"]
    job_server = services["job-server"]["image"]
    flink = job_server.removeprefix("apache/beam_flink").split("_job_server:")
    assert flink[1] == apache_beam.__version__
    assert flink[0] in FlinkRunnerOptions.PUBLISHED_FLINK_VERSIONS
    assert all(
        services[name]["image"].startswith(f"flink:{flink[0]}-") for name in ("jobmanager", "taskmanager")
    )
    # The workers and the command line run the project image, the pool beside a task manager.
    assert services["worker-pool"]["image"] == services["newsbeam"]["image"]
    assert services["worker-pool"]["network_mode"] == "service:taskmanager"


def test_documented_flink_command_builds_the_pipeline(tmp_path: Path) -> None:
    # The exact options of deploy/flink's command line, as a dry run: parsed, the whole pipeline
    # built and pickled for the portable runner, nothing sent (there is no job server here).
    args = _documented_flink_command()
    assert args[0] == "ingest"
    args = [
        arg.replace("/data/samples", str(SAMPLES)).replace("/data/out", str(tmp_path / "out")) for arg in args
    ]
    result = run_newsbeam(*args, "--dry_run=True")
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed["job"]["state"] == "NOT_RUN"
    assert "WriteArticles" in printed["job"]["stages"]
