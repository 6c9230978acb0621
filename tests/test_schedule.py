"""Scheduled runs (deploy/schedule/): the crontab's script for real, the others checked.

- ``hourly.sh`` (the crontab line's command) runs twice on the samples, an hour apart, with
  one state directory: the second run writes nothing new; repeating an hour is refused.
- The Cloud Scheduler workflow launches the Flex Template with parameters the template
  declares, including ``run_time`` and ``state``.
- The Airflow DAG: its pipeline options are newsbeam's options; imported only where Airflow
  is installed (it is no dependency of the project).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import PROJECT, SAMPLES, read_output

SCHEDULE = PROJECT / "deploy" / "schedule"
METADATA = PROJECT / "deploy" / "dataflow" / "metadata.json"
#: Five past every hour, everywhere.
HOURLY = "5 * * * *"


def hourly(env: dict[str, str], run_time: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCHEDULE / "hourly.sh")],
        env={**os.environ, **env, "NEWSBEAM_RUN_TIME": run_time},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_hourly_runs_are_incremental(tmp_path: Path) -> None:
    shutil.copytree(SAMPLES, tmp_path / "incoming")
    env = {
        "NEWSBEAM_INPUT": str(tmp_path / "incoming"),
        "NEWSBEAM_OUTPUT": str(tmp_path / "output"),
        "NEWSBEAM_STATE": str(tmp_path / "state"),
        "NEWSBEAM_LOCK": str(tmp_path / "hourly.lock"),
    }
    first = hourly(env, "2026-01-01T10:00:00Z")
    assert first.returncode == 0, first.stderr
    second = hourly(env, "2026-01-01T11:00:00Z")
    assert second.returncode == 0, second.stderr

    articles, _, summary = read_output(tmp_path / "output" / "run=20260101T100000Z")
    assert len(articles) == summary["articles_written"] == 19
    assert json.loads(first.stdout) == summary
    again, _, summary = read_output(tmp_path / "output" / "run=20260101T110000Z")
    assert again == [] and summary["articles_written"] == 0
    assert summary["items_read"] == 19 and summary["balanced"] is True

    repeated = hourly(env, "2026-01-01T11:00:00Z")  # a retry of a committed hour
    assert repeated.returncode == 2
    assert "--run_time must be later" in repeated.stderr


def test_hourly_needs_its_settings(tmp_path: Path) -> None:
    result = hourly({"NEWSBEAM_OUTPUT": str(tmp_path / "o"), "NEWSBEAM_STATE": str(tmp_path / "s")}, "2026")
    assert result.returncode == 2 and "NEWSBEAM_INPUT" in result.stderr


def test_crontab_line_runs_hourly_sh() -> None:
    lines = [
        line
        for line in (SCHEDULE / "crontab").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(lines) == 1
    fields = lines[0].split(maxsplit=5)
    assert " ".join(fields[:5]) == HOURLY
    command = fields[5]
    assert "%" not in command  # cron would cut the line at a bare %
    assert "deploy/schedule/hourly.sh" in command
    for name in ("NEWSBEAM_INPUT=", "NEWSBEAM_OUTPUT=", "NEWSBEAM_STATE="):
        assert name in command


def _launch_step(workflow: dict[str, Any]) -> dict[str, Any]:
    for step in workflow["main"]["steps"]:
        ((_, body),) = step.items()
        if body.get("call", "").endswith("flexTemplates.launch"):
            return body["args"]
    raise AssertionError("workflow.yaml has no flexTemplates.launch step")


def test_cloud_scheduler_workflow_passes_run_time_and_state() -> None:
    workflow = yaml.safe_load((SCHEDULE / "workflow.yaml").read_text(encoding="utf-8"))
    launch = _launch_step(workflow)["body"]["launchParameter"]
    declared = {p["name"] for p in json.loads(METADATA.read_text(encoding="utf-8"))["parameters"]}
    assert set(launch["parameters"]) <= declared
    assert {"run_time", "state", "input", "output"} <= set(launch["parameters"])
    assert launch["environment"]["sdkContainerImage"] == "${args.image}"
    script = (SCHEDULE / "cloud-scheduler.sh").read_text(encoding="utf-8")
    assert f'--schedule="{HOURLY}"' in script
    assert "workflows deploy newsbeam-hourly" in script and "workflows/newsbeam-hourly/executions" in script


def _dag_pipeline_options() -> dict[str, str]:
    """PIPELINE_OPTIONS of the DAG file, read without Airflow (the values may use its names)."""
    tree = ast.parse((SCHEDULE / "newsbeam_dag.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == [
            "PIPELINE_OPTIONS"
        ]:
            assert isinstance(node.value, ast.Dict)
            return {
                ast.literal_eval(key): ast.unparse(value)
                for key, value in zip(node.value.keys, node.value.values, strict=True)
            }
    raise AssertionError("newsbeam_dag.py defines no PIPELINE_OPTIONS")


def test_dag_passes_newsbeam_options() -> None:
    from pipelines.options import IngestOptions

    options = _dag_pipeline_options()
    known = IngestOptions([]).get_all_options()  # Beam's options and newsbeam's
    assert {"input", "output", "state", "run_time"} <= set(options)
    assert set(options) <= set(known)
    assert "data_interval_end" in options["run_time"]
    source = (SCHEDULE / "newsbeam_dag.py").read_text(encoding="utf-8")
    assert f'schedule="{HOURLY}"' in source and "max_active_runs=1" in source
    assert re.search(r'py_file="pipelines\.ingest",\s+py_options=\["-m"\]', source)


def test_dag_imports_where_airflow_is_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("airflow", reason="Airflow is not installed (no dependency of newsbeam)")
    pytest.importorskip("airflow.providers.apache.beam", reason="the Apache Beam provider is not installed")
    pytest.importorskip("airflow.providers.google", reason="the Google provider is not installed")
    monkeypatch.setenv("NEWSBEAM_GCS_BUCKET", "placeholder-bucket")
    spec = importlib.util.spec_from_file_location("newsbeam_dag", SCHEDULE / "newsbeam_dag.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    dag = module.dag
    assert dag.dag_id == "newsbeam_hourly"
    (task,) = dag.tasks
    assert task.pipeline_options["state"] == "gs://placeholder-bucket/newsbeam/state"
    assert "data_interval_end" in task.pipeline_options["run_time"]
