#!/usr/bin/env bash
# `make check`: the deployment kit's checks, run by .ci/run on every change.
#   - promtool: check config (compose Prometheus), check rules, test rules
#   - shellcheck on every shell script
#   - actionlint on the GitHub Actions workflows
#   - the Go checks in deploy/deploycheck (their own module): Kubernetes
#     manifests decoded strictly into the official API types and compared
#     with the code (images, ports, probe paths, config keys), the in-cluster
#     Prometheus config, compose file, Dockerfiles, Grafana dashboards, the
#     metric cross-check of rules and dashboards against the Go source, and
#     behaviour tests of backup-db.sh and health-check.sh
# Installs promtool (Debian package prometheus) and shellcheck when absent.
# Runs every step, then fails if any failed. Needs MySQL/MariaDB on
# 127.0.0.1:3306 for the backup test (`make services`, or TEST_MYSQL_*).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

ACTIONLINT=github.com/rhysd/actionlint/cmd/actionlint@v1.7.12

log() { printf 'check-deploy: %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# installable PACKAGE: true when apt knows a candidate version of PACKAGE.
# The policy is captured before it is searched: in a pipeline under pipefail,
# `apt-cache policy | grep -q` fails whenever grep stops reading early and
# apt-cache dies of SIGPIPE, which reported installable packages as missing.
installable() {
  local policy
  policy=$(apt-cache policy "$1" 2>/dev/null) || return 1
  [[ $policy == *"Candidate: "[0-9]* ]]
}

# need COMMAND PACKAGE: install the Debian package providing COMMAND if absent.
need() {
  local cmd=$1 pkg=$2
  command -v "$cmd" >/dev/null 2>&1 && return 0
  log "$cmd not found; installing Debian package $pkg"
  if ! installable "$pkg"; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  fi
  installable "$pkg" || { log "no installable $pkg package"; return 1; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null
  command -v "$cmd" >/dev/null 2>&1 || { log "$pkg installed but $cmd is still missing"; return 1; }
}

need promtool prometheus
need shellcheck shellcheck

passed=0
failed=()
step() {
  local name=$1
  shift
  printf '\n==> %s\n' "$name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed+=("$name")
    printf -- '--- FAILED: %s\n' "$name"
  fi
}

shell_scripts() {
  find scripts -name '*.sh' -type f
  echo .ci/run
}

lint_shell() {
  local scripts
  mapfile -t scripts < <(shell_scripts | sort)
  # Every script at warning level; the operations scripts at every level.
  shellcheck -S warning "${scripts[@]}" &&
    shellcheck -S style scripts/backup-db.sh scripts/health-check.sh scripts/check-deploy.sh
}

go_checks() {
  # -mod=mod: the module follows the service module (replace ../..), whose
  # go.mod others change; resolving it here keeps this check about manifests.
  (cd deploy/deploycheck && go vet -mod=mod ./... && go test -mod=mod -count=1 ./...)
}

step "promtool check config (compose Prometheus)" promtool check config deploy/prometheus/prometheus.yml
step "promtool check rules" promtool check rules deploy/prometheus/rules/*.yml
step "promtool test rules" promtool test rules deploy/prometheus/tests/*.yml
step "shellcheck" lint_shell
step "actionlint" go run "$ACTIONLINT" .github/workflows/*.yaml
step "manifest, compose, Dockerfile, dashboard and metric checks (go test)" go_checks

echo
if [ "${#failed[@]}" -gt 0 ]; then
  printf 'check-deploy: failed: %s\n' "${failed[@]}"
fi
echo "check-deploy: ${passed} passed, ${#failed[@]} failed"
[ "${#failed[@]}" -eq 0 ]
