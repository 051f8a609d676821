# OceanOps ad platform. `make run` starts everything locally; `make test` tests it.
GO         ?= go
VERSION    ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
BUILD_TIME ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS    := -s -w -X main.Version=$(VERSION) -X main.BuildTime=$(BUILD_TIME)
CONFIG     ?= config/config.dev.yaml
# unused-code checkers, run through the Go module proxy at pinned versions
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
DEADCODE    ?= golang.org/x/tools/cmd/deadcode@v0.52.0

.PHONY: all build run test lint migrate services check clean web web-check e2e

all: build

## build: build the console, then compile every binary into bin/ (the server embeds the console)
build: web
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/ ./cmd/...

## web: install the console's npm packages (when needed) and build it into web/dist/app
web:
	@bash scripts/web-deps.sh
	cd web && npm run --silent build

## web-check: the console's type check (against the OpenAPI document) and unit tests
web-check:
	@bash scripts/web-deps.sh
	cd web && npm run --silent typecheck && npm run --silent test:unit

## e2e: the console's end-to-end tests in Debian's Chromium against server, worker and sandbox
e2e: build services
	bash scripts/web-e2e.sh

## run: start MariaDB/Redis if needed, migrate, then run the sandbox, API and worker
run: build
	bash scripts/run-dev.sh

## test: the console's checks, every Go test with the race detector (against local MariaDB and Redis), then the e2e
test: services build web-check
	$(GO) test -race -count=1 -timeout 30m ./...
	bash scripts/web-e2e.sh

## lint: go vet, gofmt, the package import rules and the function-length bound (internal/layout), the portability lint of the migrations (no MariaDB-only syntax: MySQL 8 and TiDB run them too), and the unused-code checks (staticcheck U1000: unused unexported code; deadcode -test: functions nothing reaches, tests included)
lint:
	$(GO) vet ./...
	$(GO) test -count=1 ./internal/layout/
	$(GO) test -count=1 -run 'TestMigrationsArePortable|TestPortabilityRules' ./internal/mysql
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) run $(STATICCHECK) -checks U1000 ./...
	@out="$$($(GO) run $(DEADCODE) -test ./...)" || exit 1; if [ -n "$$out" ]; then echo "unreachable code:"; echo "$$out"; exit 1; fi

## check: deployment kit checks (promtool, shellcheck, actionlint, manifests, compose, Dockerfiles, metrics); see docs/deployment.md
check:
	bash scripts/check-deploy.sh

## migrate: apply pending migrations to the $(CONFIG) database
migrate: build services
	bin/server -c $(CONFIG) migrate up

## services: start MariaDB and Redis on localhost if they are not answering
services:
	@bash scripts/dev-services.sh

clean:
	rm -rf bin/ coverage.out web/dist/app web/test-results
