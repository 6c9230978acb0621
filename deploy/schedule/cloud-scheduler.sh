#!/usr/bin/env bash
# Hourly Dataflow runs without Airflow: Cloud Scheduler starts workflow.yaml, which launches
# the Flex Template built by `make deploy-dataflow` with this hour's --run_time and --state.
#
#   GCP_PROJECT=my-project GCS_BUCKET=my-bucket TEMPLATE=gs://... IMAGE=... \
#       SERVICE_ACCOUNT=newsbeam@my-project.iam.gserviceaccount.com deploy/schedule/cloud-scheduler.sh
#
# The service account needs roles/workflows.invoker (for the scheduler), and for the workflow
# roles/dataflow.developer, roles/iam.serviceAccountUser and access to the bucket.
set -euo pipefail
cd "$(dirname "$0")"
: "${GCP_PROJECT:?}" "${GCS_BUCKET:?}" "${TEMPLATE:?}" "${IMAGE:?}" "${SERVICE_ACCOUNT:?}"
GCP_REGION="${GCP_REGION:-europe-west1}"

gcloud workflows deploy newsbeam-hourly \
    --project="$GCP_PROJECT" --location="$GCP_REGION" \
    --source=workflow.yaml --service-account="$SERVICE_ACCOUNT"

argument=$(printf '{"bucket": "%s", "region": "%s", "template": "%s", "image": "%s"}' \
    "$GCS_BUCKET" "$GCP_REGION" "$TEMPLATE" "$IMAGE")
body=$(python3 -c 'import json, sys; print(json.dumps({"argument": sys.argv[1]}))' "$argument")

gcloud scheduler jobs create http newsbeam-hourly \
    --project="$GCP_PROJECT" --location="$GCP_REGION" \
    --schedule="5 * * * *" --time-zone="Etc/UTC" \
    --uri="https://workflowexecutions.googleapis.com/v1/projects/$GCP_PROJECT/locations/$GCP_REGION/workflows/newsbeam-hourly/executions" \
    --http-method=POST --headers="Content-Type=application/json" --message-body="$body" \
    --oauth-service-account-email="$SERVICE_ACCOUNT"
