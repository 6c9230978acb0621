#!/usr/bin/env bash
# One incremental run on this machine (DirectRunner): the hour that just started is the run
# time, the state directory remembers what earlier runs wrote. cron runs it (deploy/schedule/crontab).
#
#   NEWSBEAM_INPUT   files, glob or directory to ingest (required), or
#   NEWSBEAM_FEEDS   a file of feed URLs, one a line
#   NEWSBEAM_OUTPUT  output directory; each run writes OUTPUT/run=<run time>/ (required)
#   NEWSBEAM_STATE   state directory (required)
#   NEWSBEAM_RUN_TIME  run time (default: this hour, UTC); NEWSBEAM_OPTIONS  more options
#   NEWSBEAM_LOCK    lock file that keeps runs apart (default /tmp/newsbeam-hourly.lock)
set -euo pipefail
cd "$(dirname "$0")/../.."

: "${NEWSBEAM_OUTPUT:?set NEWSBEAM_OUTPUT}" "${NEWSBEAM_STATE:?set NEWSBEAM_STATE}"
if [[ -z "${NEWSBEAM_INPUT:-}" && -z "${NEWSBEAM_FEEDS:-}" ]]; then
    echo "hourly.sh: set NEWSBEAM_INPUT or NEWSBEAM_FEEDS" >&2
    exit 2
fi
run_time="${NEWSBEAM_RUN_TIME:-$(date -u +%Y-%m-%dT%H:00:00Z)}"

# One run at a time: the next run must read the state this one commits.
lock="${NEWSBEAM_LOCK:-/tmp/newsbeam-hourly.lock}"
exec 9>"$lock"
if ! flock -n 9; then
    echo "hourly.sh: the previous run still holds $lock; skipping $run_time" >&2
    exit 0
fi

args=(ingest --output "$NEWSBEAM_OUTPUT" --state "$NEWSBEAM_STATE" --run_time "$run_time")
[[ -n "${NEWSBEAM_INPUT:-}" ]] && args+=(--input "$NEWSBEAM_INPUT")
[[ -n "${NEWSBEAM_FEEDS:-}" ]] && args+=(--feeds "$NEWSBEAM_FEEDS")
# shellcheck disable=SC2086  # NEWSBEAM_OPTIONS is a list of options, split on purpose
.venv/bin/newsbeam "${args[@]}" ${NEWSBEAM_OPTIONS:-}
