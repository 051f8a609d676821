#!/usr/bin/env bash
# Run CI the way a new machine runs it: remove the tools the project installs
# for itself, clone the committed HEAD into a temporary folder and run
# `bash .ci/run` there. A green run in a work tree can hide a missing install
# step (a tool installed by hand once); this cannot.
#
#   scripts/fresh-check.sh            remove the self-installed tools, then run CI in a fresh clone
#   scripts/fresh-check.sh --keep     keep the tools (faster; checks the clone only)
#   FRESH_DIR=/tmp/x scripts/fresh-check.sh   clone into /tmp/x (kept afterwards) instead of a temp folder
#
# Uncommitted changes are not part of the clone: commit first. Exits with the
# status of .ci/run; its output is also written to <clone>/fresh-check.log, and
# a failed run keeps the clone for inspection.
set -euo pipefail
cd "$(dirname "$0")/.."

# The Debian packages the project's scripts install when they are missing:
# promtool (prometheus) and shellcheck by scripts/check-deploy.sh; the browser
# and a CJK font for the console's end-to-end tests by scripts/web-e2e.sh.
SELF_INSTALLED=(prometheus shellcheck chromium chromium-driver chromium-common chromium-sandbox fonts-wqy-microhei)

log() { printf 'fresh-check: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

keep=false
case ${1:-} in
  --keep) keep=true ;;
  "") ;;
  *) log "unknown argument $1 (use --keep or nothing)"; exit 2 ;;
esac

if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  log "warning: uncommitted changes are not part of the fresh clone"
fi

if ! $keep; then
  installed=()
  for pkg in "${SELF_INSTALLED[@]}"; do
    if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" = "install ok installed" ]; then
      installed+=("$pkg")
    fi
  done
  if [ "${#installed[@]}" -gt 0 ]; then
    log "removing ${installed[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq "${installed[@]}" >/dev/null
  fi
  for cmd in promtool shellcheck chromium; do
    if command -v "$cmd" >/dev/null 2>&1; then
      log "warning: $cmd is still on PATH at $(command -v "$cmd") (not from a Debian package)"
    fi
  done
fi

if [ -n "${FRESH_DIR:-}" ]; then
  dir=$FRESH_DIR
  rm -rf "$dir"
else
  dir=$(mktemp -d /tmp/oceanops-fresh.XXXXXX)
  cleanup_on_success=true
fi
log "cloning $(git rev-parse --short HEAD) into $dir"
git clone -q . "$dir"

start=$(date +%s)
status=0
(cd "$dir" && bash .ci/run) 2>&1 | tee "$dir/fresh-check.log" || status=$?
elapsed=$(( $(date +%s) - start ))
if [ "$status" -eq 0 ]; then
  log "passed in ${elapsed}s"
  if [ "${cleanup_on_success:-false}" = true ]; then rm -rf "$dir"; fi
else
  log "FAILED (exit $status) after ${elapsed}s; the clone and fresh-check.log stay in $dir"
fi
exit "$status"
