"""The Dataflow job, built and never submitted: ``--runner DataflowRunner --dry_run=True``.

Beam translates the pipeline into a Dataflow job (every stage pickled into the portable
proto, the worker image chosen, batch or streaming) and stops before creating it, so these
tests need the ``gcp`` extra (``make install`` puts it in) but no project, credentials or
network. Nothing is mocked: GCP is only out of reach. The network is forbidden for the
run (socket connections and name lookups raise), so a call to Cloud Storage or the Dataflow
API fails the test at once instead of passing by luck or hanging.

Also checked here: the Flex Template's files (entry point, metadata.json parameters, the
Dockerfile's Beam version) agree with the pipeline's options and pins.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import apache_beam
import pytest

from pipelines.ingest import UsageError, parse_run_time, run
from tests.conftest import PROJECT, RUN_TIME, run_newsbeam

DATAFLOW = PROJECT / "deploy" / "dataflow"

#: Every stage of the pipeline the issue names; the job must contain each.
STAGES = (
    "ReadInputs",
    "ParseItems",
    "RepairEncoding",
    "DetectLanguage",
    "DetectTranslation",
    "LinkTranslations",
    "ExtractDates",
    "WriteArticles",
    "WriteDeadLetters",
    "SummarizeRun",
)

#: Placeholders: nothing with these names is ever contacted.
IMAGE = "europe-west1-docker.pkg.dev/placeholder-project/newsbeam/newsbeam:test"
DATAFLOW_ARGS = (
    "--runner=DataflowRunner",
    "--dry_run=True",
    "--project=placeholder-project",
    "--region=europe-west1",
    "--temp_location=gs://placeholder-bucket/tmp",
    f"--sdk_container_image={IMAGE}",
)
IO_ARGS = (
    "--input=gs://placeholder-bucket/incoming/",
    "--output=gs://placeholder-bucket/output",
    f"--run_time={RUN_TIME}",
)

# Imported by a subprocess (through PYTHONPATH) before anything else: no connection, no lookup.
_NO_NETWORK = """
import socket

def _refuse(*args, **kwargs):
    raise OSError("network access during a dry run: %r" % (args[1:2] or args[:1],))

socket.socket.connect = _refuse
socket.socket.connect_ex = _refuse
socket.getaddrinfo = _refuse
socket.create_connection = _refuse
"""


@pytest.fixture(autouse=True)
def _gcp_extra() -> None:
    try:
        for module in ("apache_beam.io.gcp.gcsio", "apache_beam.runners.dataflow.internal.apiclient"):
            importlib.import_module(module)
    except ImportError as error:  # pragma: no cover - a venv made before the gcp extra
        pytest.fail(f"the gcp extra is not installed ({error}); run `make install`")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError(f"network access during a dry run: {args[1:2] or args[:1]!r}")

    import socket

    for name in ("connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_dry_run_builds_a_dataflow_job_with_every_stage(no_network: None) -> None:
    result = run([*IO_ARGS, *DATAFLOW_ARGS])
    job = result["job"]
    assert job["runner"] == "DataflowRunner"
    assert job["dry_run"] is True and job["state"] == "NOT_SUBMITTED"
    assert job["type"] == "JOB_TYPE_BATCH"
    assert (job["project"], job["region"]) == ("placeholder-project", "europe-west1")
    assert job["name"]
    missing = [stage for stage in STAGES if stage not in job["stages"]]
    assert not missing, f"stages missing from the Dataflow job: {missing}"
    assert "summary" not in result and "balanced" not in result  # nothing ran, nothing was read


def test_dry_run_job_runs_on_the_given_image(no_network: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # The same translation, looked at from Beam's side: the job's worker environment.
    import pipelines.ingest as ingest

    seen: dict[str, Any] = {}
    launch = ingest.launch

    def keep_pipeline(pipeline: apache_beam.Pipeline, *args: Any) -> dict[str, Any]:
        result = launch(pipeline, *args)
        seen["proto"] = pipeline.runner.proto_pipeline
        return result

    monkeypatch.setattr(ingest, "launch", keep_pipeline)
    run([*IO_ARGS, *DATAFLOW_ARGS])
    environments = seen["proto"].components.environments.values()
    images = {env.payload.decode("utf-8", "replace") for env in environments}
    assert environments and all(env.urn == "beam:env:docker:v1" for env in environments)
    assert all(IMAGE in payload for payload in images), images


def test_streaming_dry_run_builds_a_streaming_job(no_network: None) -> None:
    result = run([*IO_ARGS, *DATAFLOW_ARGS, "--streaming"])
    assert result["job"]["type"] == "JOB_TYPE_STREAMING"
    assert set(STAGES) <= set(result["job"]["stages"])


def test_local_input_is_refused_for_dataflow() -> None:
    # Workers cannot read this machine's files: refused before anything is built or contacted.
    with pytest.raises(UsageError, match="Dataflow workers cannot reach local paths"):
        run(["--input=samples", "--output=gs://placeholder-bucket/output", *DATAFLOW_ARGS])


def test_local_output_is_refused_for_dataflow() -> None:
    with pytest.raises(UsageError, match="Dataflow workers cannot reach local paths"):
        run(["--input=gs://placeholder-bucket/in/", "--output=out", *DATAFLOW_ARGS])


def _offline_env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "sitecustomize.py").write_text(_NO_NETWORK, encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith("GOOGLE_")}
    env["PYTHONPATH"] = os.pathsep.join([str(tmp_path), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def test_command_line_dry_run_exits_0_without_network(tmp_path: Path) -> None:
    env = _offline_env(tmp_path)
    from tests.conftest import newsbeam_command

    result = subprocess.run(
        [*newsbeam_command(), "ingest", *IO_ARGS, *DATAFLOW_ARGS],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=PROJECT,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert printed["job"]["state"] == "NOT_SUBMITTED"
    assert set(STAGES) <= set(printed["job"]["stages"])
    assert printed["output"] == "gs://placeholder-bucket/output"


def test_command_line_refuses_local_paths_for_dataflow() -> None:
    result = run_newsbeam("ingest", "--input", "samples", "--output", "out", *DATAFLOW_ARGS)
    assert result.returncode == 2
    assert "Dataflow workers cannot reach local paths" in result.stderr


def test_flex_template_entry_point_builds_the_streaming_job(tmp_path: Path) -> None:
    # What the launcher runs, with the launcher's way of passing an on/off option.
    result = subprocess.run(
        [sys.executable, str(DATAFLOW / "main.py"), *IO_ARGS, *DATAFLOW_ARGS, "--streaming=true"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,  # the launcher's working directory is not the project
        env=_offline_env(tmp_path),
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["job"]["type"] == "JOB_TYPE_STREAMING"


# --- the template's files ------------------------------------------------------------------


def _metadata() -> dict[str, Any]:
    return json.loads((DATAFLOW / "metadata.json").read_text(encoding="utf-8"))


def _example(parameter: dict[str, Any]) -> str:
    match = re.search(r"Example: (\S+)$", parameter["helpText"])
    assert match, f"{parameter['name']}: helpText ends with 'Example: VALUE'"
    return match.group(1)


def _flex_main() -> Any:
    spec = importlib.util.spec_from_file_location("flex_main", DATAFLOW / "main.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_template_parameters_are_pipeline_options() -> None:
    from apache_beam.options.pipeline_options import PipelineOptions

    parameters = _metadata()["parameters"]
    known = PipelineOptions([]).get_all_options()
    names = [p["name"] for p in parameters]
    assert len(names) == len(set(names))
    assert {"input", "output", "run_time", "state", "streaming"} <= set(names)
    launcher_args = _flex_main().launcher_args
    for parameter in parameters:
        name = parameter["name"]
        assert name in known, f"metadata.json parameter {name!r} is no pipeline option"
        # The launcher passes --name=value; the entry point hands it on as Beam parses it.
        example = _example(parameter)
        value = PipelineOptions(launcher_args([f"--{name}={example}"])).get_all_options()[name]
        read_back = value[0] if isinstance(value, list) else value
        if isinstance(read_back, bool):
            assert str(read_back).lower() == example
        elif isinstance(read_back, int | float):
            assert read_back == float(example)
        else:
            assert read_back == example


def test_template_parameter_regexes_accept_the_examples_only() -> None:
    bad = {
        "input": "/home/me/news",
        "output": "out",
        "run_time": "yesterday",
        "state": "state",
        "feeds": "feeds.txt",
        "max_bytes": "0",
        "language_seed": "-1",
        "streaming": "yes",
        "state_keep_days": "-1",
        # Streaming parameters (Flex Template runs with streaming=true).
        "poll_interval": "-5",
        "window_seconds": "0",
        "allowed_lateness": "-1",
        "pubsub_subscription": "my-subscription",
    }
    for parameter in _metadata()["parameters"]:
        (regex,) = parameter["regexes"]
        assert re.fullmatch(regex, _example(parameter)), parameter["name"]
        assert not re.fullmatch(regex, bad[parameter["name"]]), parameter["name"]
    (run_time,) = (p for p in _metadata()["parameters"] if p["name"] == "run_time")
    for value in ("2026-01-01", "2026-01-01T10:00Z", "2026-01-01T10:00:00.5+02:00"):
        assert re.fullmatch(run_time["regexes"][0], value)
        parse_run_time(value)  # what the regex lets through, the pipeline reads


def test_one_beam_version_in_the_image_the_project_and_this_venv() -> None:
    pyproject = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    pins = [dep for dep in pyproject["project"]["dependencies"] if dep.startswith("apache-beam")]
    assert pins == [f"apache-beam=={apache_beam.__version__}"]
    assert pyproject["project"]["optional-dependencies"]["gcp"] == [
        f"apache-beam[gcp]=={apache_beam.__version__}"
    ]
    dockerfile = (DATAFLOW / "Dockerfile").read_text(encoding="utf-8")
    assert f"ARG BEAM_VERSION={apache_beam.__version__}\n" in dockerfile
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert f"ARG PYTHON_VERSION={python}\n" in dockerfile
    assert f"python{python.replace('.', '')}-template-launcher-base" in dockerfile
    assert "ENV FLEX_TEMPLATE_PYTHON_PY_FILE=/template/main.py" in dockerfile
    assert "COPY deploy/dataflow/main.py main.py" in dockerfile


def test_flex_entry_point_turns_launcher_switches_into_flags() -> None:
    module = _flex_main()
    args = ["--streaming=true", "--input=gs://b/in", "--no_wait_until_finish=false", "--run_time=2026"]
    assert module.launcher_args(args) == ["--streaming", "--input=gs://b/in", "--run_time=2026"]


@pytest.mark.skipif(shutil.which("gcloud") is None, reason="the Google Cloud CLI is not installed")
def test_gcloud_accepts_the_template_spec(tmp_path: Path) -> None:
    # gcloud's own check of metadata.json; --print-only writes nothing and calls nothing.
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("CLOUDSDK_")},
        "CLOUDSDK_CONFIG": str(tmp_path / "gcloud"),
        "CLOUDSDK_CORE_DISABLE_USAGE_REPORTING": "true",
        "CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK": "true",
    }
    result = subprocess.run(
        [
            "gcloud",
            "dataflow",
            "flex-template",
            "build",
            "gs://placeholder-bucket/templates/newsbeam.json",
            f"--image={IMAGE}",
            "--sdk-language=PYTHON",
            f"--metadata-file={DATAFLOW / 'metadata.json'}",
            "--project=placeholder-project",
            "--print-only",
            "--format=json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    spec = json.loads(json.loads(result.stdout))  # a JSON string holding the spec
    assert spec["image"] == IMAGE and spec["sdkInfo"]["language"] == "PYTHON"
    assert [p["name"] for p in spec["metadata"]["parameters"]] == [
        p["name"] for p in _metadata()["parameters"]
    ]


def test_make_deploy_dataflow_builds_the_image_then_the_template() -> None:
    # make -n prints the commands without running them (they need a real project).
    args = [
        "make",
        "-n",
        "deploy-dataflow",
        "GCP_PROJECT=placeholder-project",
        "GCS_BUCKET=placeholder-bucket",
    ]
    printed = subprocess.run(args, cwd=PROJECT, capture_output=True, text=True, check=True).stdout
    build, template = (
        printed.index("gcloud builds submit"),
        printed.index("gcloud dataflow flex-template build"),
    )
    assert build < template
    assert "--config=deploy/dataflow/cloudbuild.yaml" in printed
    assert "--metadata-file=deploy/dataflow/metadata.json" in printed
    assert "_IMAGE=europe-west1-docker.pkg.dev/placeholder-project/newsbeam/newsbeam:" in printed
    assert "gs://placeholder-bucket/newsbeam/templates/newsbeam-" in printed
    unset = subprocess.run(
        ["make", "deploy-dataflow"], cwd=PROJECT, capture_output=True, text=True, check=False
    )
    assert unset.returncode != 0 and "usage: make deploy-dataflow" in unset.stderr
