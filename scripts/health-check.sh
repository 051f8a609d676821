#!/usr/bin/env bash
# Check that the API (and, when WORKER_URL is set, the worker) is healthy:
# GET /health must answer 200 with "status":"ok". Retries, so it can follow a
# rollout; prints what failed (the "failed" list /health reports).
#
#   API_URL=https://api.oceanops.example.com scripts/health-check.sh
#   API_URL=http://localhost:8080 WORKER_URL=http://localhost:8081 scripts/health-check.sh
#
# Required environment:
#   API_URL        base URL of the API (without /health)
# Optional environment:
#   WORKER_URL     base URL of a worker's own listener (worker.port, 8081)
#   RETRIES        5    attempts per endpoint
#   RETRY_DELAY    3    seconds between attempts
#   TIMEOUT        5    seconds per request
#
# Exit status: 0 healthy, 1 unhealthy or unreachable, 2 a setting is missing or invalid.
set -euo pipefail

log() { printf '%s health-check: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
bad_setting() { log "ERROR: $*"; exit 2; }

[ -n "${API_URL:-}" ] || bad_setting "API_URL is required, e.g. API_URL=http://localhost:8080"
WORKER_URL=${WORKER_URL:-}
RETRIES=${RETRIES:-5}
RETRY_DELAY=${RETRY_DELAY:-3}
TIMEOUT=${TIMEOUT:-5}
for var in RETRIES RETRY_DELAY TIMEOUT; do
  [[ ${!var} =~ ^[0-9]+$ ]] || bad_setting "$var must be a whole number, got '${!var}'"
done
[ "$RETRIES" -ge 1 ] || bad_setting "RETRIES must be at least 1"
command -v curl >/dev/null 2>&1 || bad_setting "curl is required"

body=$(mktemp)
trap 'rm -f "$body"' EXIT

# check NAME BASE_URL: 0 when BASE_URL/health answers 200 with status ok.
check() {
  local name=$1 url="${2%/}/health" code attempt
  for attempt in $(seq 1 "$RETRIES"); do
    code=$(curl -sS -o "$body" -w '%{http_code}' --max-time "$TIMEOUT" "$url" 2>/dev/null) || code=000
    if [ "$code" = 200 ] && grep -q '"status": *"ok"' "$body"; then
      log "$name ok ($url)"
      return 0
    fi
    local detail
    detail=$(grep -o '"failed": *\[[^]]*\]' "$body" 2>/dev/null || true)
    log "$name unhealthy ($url): HTTP $code${detail:+ $detail} (attempt $attempt/$RETRIES)"
    if [ "$attempt" -lt "$RETRIES" ]; then sleep "$RETRY_DELAY"; fi
  done
  return 1
}

status=0
check api "$API_URL" || status=1
if [ -n "$WORKER_URL" ]; then
  check worker "$WORKER_URL" || status=1
fi
if [ "$status" -ne 0 ]; then
  log "FAILED"
fi
exit "$status"
