# newsbeam — the two commands users need: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Set RUN_TIME=2026-01-01T00:00:00Z to pin the run's logical time (default: now).
RUN_TIME ?=

.PHONY: install run test lint format clean eval-encoding eval-dates eval-language train-provenance eval-provenance bench

install: $(STAMP)

# Re-install when the project's dependencies change.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,gcp,bench]'
	touch $(STAMP)

## Ingest everything under samples/ on the DirectRunner into out/, print the summary, then write
## the run's report (plots of what came out) to out/report.html and print its path.
run: install
	$(BIN)/newsbeam ingest --input samples --output out $(if $(RUN_TIME),--run_time $(RUN_TIME))
	$(BIN)/newsbeam report out

## The whole test suite: unit tests, doctests, pipeline and end-to-end tests.
test: install
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q --doctest-modules tests transforms pipelines schemas

## Encoding repair (transforms/mojibake.py) vs plain ftfy on ../shared/data/mojibake.
eval-encoding: install
	$(BIN)/python -m evaluations.encoding

## Date mentions (transforms/dates.py) against the TimeML gold of ../shared/data/timeml.
eval-dates: install
	$(BIN)/python -m evaluations.dates

## Language detection accuracy per language on ../shared/data/langid/sentences.
eval-language: install
	$(BIN)/python -m evaluations.language

## Train the translationese models (English; Icelandic and Japanese) on ../shared/data/translation into the package.
train-provenance: install
	$(BIN)/python -m evaluations.train_provenance
	$(BIN)/python -m evaluations.train_direction

## Translation provenance: held-out source language, seeds, derived-from links.
eval-provenance: install
	$(BIN)/python -m evaluations.provenance

## Throughput, per-stage cost and peak memory of `newsbeam ingest` on the DirectRunner against a
## hand-written loop and a floor, for N = 1,000 and 20,000 articles (benchmarks/README.md).
## One size: make bench N=1000; more options: make bench BENCH_ARGS="--repeat 3 --no-workers2"
## It runs in a venv of its own with the package as a local run installs it (no `gcp` extra, which
## the test venv needs for the Dataflow tests and which costs every process 0.25 s of imports).
N ?=
BENCH_ARGS ?=
BENCH_VENV := .venv-bench
bench: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python -m benchmarks.bench $(if $(N),--n $(N)) $(BENCH_ARGS)

$(BENCH_VENV)/.installed: pyproject.toml
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -e '.[bench]'
	touch $@

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf out build *.egg-info .pytest_cache .ruff_cache

# --- Dataflow (deploy/README.md) -------------------------------------------------------------
# make deploy-dataflow GCP_PROJECT=my-project GCS_BUCKET=my-bucket [GCP_REGION=europe-west1]
GCP_PROJECT   ?=
GCP_REGION    ?= europe-west1
GCS_BUCKET    ?=
AR_REPOSITORY ?= newsbeam
IMAGE_TAG     ?= $(shell git rev-parse --short HEAD)
IMAGE         ?= $(GCP_REGION)-docker.pkg.dev/$(GCP_PROJECT)/$(AR_REPOSITORY)/newsbeam:$(IMAGE_TAG)
TEMPLATE      ?= gs://$(GCS_BUCKET)/newsbeam/templates/newsbeam-$(IMAGE_TAG).json

.PHONY: deploy-dataflow
## Build the one image (Flex Template launcher and Dataflow workers) with Cloud Build, then the
## template spec on GCS. deploy/README.md has the commands that launch batch and streaming runs.
deploy-dataflow:
	@test -n "$(GCP_PROJECT)" && test -n "$(GCS_BUCKET)" || \
		{ echo "usage: make deploy-dataflow GCP_PROJECT=... GCS_BUCKET=... [GCP_REGION=...]" >&2; exit 2; }
	gcloud builds submit --project=$(GCP_PROJECT) --region=$(GCP_REGION) \
		--config=deploy/dataflow/cloudbuild.yaml --substitutions=_IMAGE=$(IMAGE) .
	gcloud dataflow flex-template build $(TEMPLATE) --project=$(GCP_PROJECT) --image=$(IMAGE) \
		--sdk-language=PYTHON --metadata-file=deploy/dataflow/metadata.json
	@echo "image:    $(IMAGE)"
	@echo "template: $(TEMPLATE)"
