"""Airflow: newsbeam every hour on Dataflow, each run incremental (``--run_time``, ``--state``).

Copy this file into the DAG folder. The Airflow workers need the providers
``apache-airflow-providers-apache-beam`` and ``apache-airflow-providers-google``, and
newsbeam itself to build the job: set NEWSBEAM_REQUIREMENT to a pip requirement of the
version the image was built from (a wheel or a git URL, e.g.
``newsbeam[gcp] @ git+https://example.org/newsbeam.git@v0.1.0``) and the operator installs
it in a virtualenv of its own; leave it unset when newsbeam[gcp] is installed in Airflow.
The Dataflow workers run the project image (NEWSBEAM_IMAGE, from ``make deploy-dataflow``).

Runs must follow each other: the state a run commits is the one the next run reads, so one
run at a time, in order. A retry of an hour whose run already committed stops with exit
status 2 (its run time is not later than the state's); it never writes the hour twice.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from airflow import DAG
from airflow.providers.apache.beam.operators.beam import BeamRunPythonPipelineOperator
from airflow.providers.google.cloud.operators.dataflow import DataflowConfiguration

PROJECT = os.environ.get("NEWSBEAM_GCP_PROJECT", "my-project")
REGION = os.environ.get("NEWSBEAM_GCP_REGION", "europe-west1")
BUCKET = os.environ.get("NEWSBEAM_GCS_BUCKET", "my-bucket")
IMAGE = os.environ.get("NEWSBEAM_IMAGE", f"{REGION}-docker.pkg.dev/{PROJECT}/newsbeam/newsbeam:latest")
REQUIREMENT = os.environ.get("NEWSBEAM_REQUIREMENT")
ROOT = f"gs://{BUCKET}/newsbeam"

PIPELINE_OPTIONS = {
    "input": f"{ROOT}/incoming/",
    "output": f"{ROOT}/output",
    "state": f"{ROOT}/state",
    # The hour the scheduled interval ends in (Jinja, rendered per run), as hourly.sh and the
    # Cloud Scheduler workflow compute it: a retry is the same run, with the same prefix.
    "run_time": "{{ data_interval_end.strftime('%Y-%m-%dT%H:00:00Z') }}",
    "temp_location": f"{ROOT}/tmp",
    "staging_location": f"{ROOT}/staging",
    "sdk_container_image": IMAGE,
}

with DAG(
    dag_id="newsbeam_hourly",
    description="newsbeam ingest on Dataflow, hourly and incremental",
    schedule="5 * * * *",
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(minutes=5), "depends_on_past": True},
    tags=["newsbeam"],
) as dag:
    BeamRunPythonPipelineOperator(
        task_id="ingest",
        runner="DataflowRunner",
        # python -m pipelines.ingest OPTIONS: the installed package, as on the command line.
        py_file="pipelines.ingest",
        py_options=["-m"],
        py_requirements=[REQUIREMENT] if REQUIREMENT else None,
        py_interpreter="python3",
        pipeline_options=PIPELINE_OPTIONS,
        dataflow_config=DataflowConfiguration(
            job_name="newsbeam-hourly",
            project_id=PROJECT,
            location=REGION,
            wait_until_finished=True,
        ),
    )
