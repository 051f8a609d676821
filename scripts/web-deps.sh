#!/usr/bin/env bash
# Install the console's npm packages (web/node_modules) from the lockfile when
# they are missing or older than the lockfile. Node.js and npm come with the
# machine; no browser is downloaded (the e2e tests use Debian's Chromium).
set -euo pipefail
cd "$(dirname "$0")/../web"

log() { printf 'web-deps: %s\n' "$*" >&2; }

if ! command -v npm >/dev/null 2>&1; then
  log "npm is not installed: the console needs Node.js >= 20.19 and npm"
  exit 1
fi
stamp=node_modules/.package-lock.json
if [ -f "$stamp" ] && [ "$stamp" -nt package-lock.json ]; then
  exit 0
fi
log "npm ci ($(node --version))"
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
