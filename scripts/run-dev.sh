#!/usr/bin/env bash
# Run the whole system locally: the OceanEngine sandbox (when built), the API
# server and the worker, against local MariaDB and Redis. Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."

CONFIG=${CONFIG:-config/config.dev.yaml}
SIM_ADDR=${SIM_ADDR:-127.0.0.1:9900}
SIM_ADVERTISERS=${SIM_ADVERTISERS:-12}

# The OAuth callback sends the browser back to the console's accounts page.
export SERVER_FRONTEND_URL=${SERVER_FRONTEND_URL:-http://127.0.0.1:${SERVER_PORT:-8080}/accounts}

bash scripts/dev-services.sh
[ -x bin/server ] && [ -x bin/worker ] || { echo "run 'make build' first" >&2; exit 1; }

bin/server -c "$CONFIG" migrate up

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
}
trap cleanup INT TERM EXIT

if [ -x bin/oesim ]; then
  bin/oesim -addr "$SIM_ADDR" -advertisers "$SIM_ADVERTISERS" &
  pids+=($!)
fi
bin/worker -c "$CONFIG" &
pids+=($!)
bin/server -c "$CONFIG" &
pids+=($!)

cat >&2 <<MSG

  console  http://127.0.0.1:8080/  (sign in with the admin you created; see README)
  API      http://127.0.0.1:8080   (health: /health, metrics: /metrics, API docs: /api/v1/openapi.yaml)
  worker   http://127.0.0.1:8081   (health: /health, metrics: /metrics)
  sandbox  http://$SIM_ADDR        (OceanEngine Open API simulator)
  Ctrl-C stops everything.

MSG
wait -n "${pids[@]}"
