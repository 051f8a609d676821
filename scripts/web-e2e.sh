#!/usr/bin/env bash
# The console's end-to-end tests: Playwright (playwright-core) drives Debian's
# Chromium against the server, worker and sandbox from bin/, started on free
# ports with a private redis-server and a fresh database (web/e2e/stack.mjs).
# Installs Chromium and a CJK font from Debian's packages when they are
# missing (never a browser download). Screenshots and process logs land in
# web/test-results/. Run after `make build` (which builds the console).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'web-e2e: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
fonts=$(fc-list :lang=zh family 2>/dev/null || true)
[ -n "$fonts" ] || missing+=(fonts-wqy-microhei)
if [ "${#missing[@]}" -gt 0 ]; then
  log "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
for b in bin/server bin/worker bin/oesim; do
  [ -x "$b" ] || { log "$b is missing: run 'make build' first"; exit 1; }
done

bash scripts/web-deps.sh
rm -rf web/test-results
start=$(date +%s)
status=0
(cd web && npm run --silent e2e) || status=$?
log "finished in $(( $(date +%s) - start ))s (exit $status); screenshots in web/test-results/screenshots"
exit "$status"
