# OceanOps ad platform. `make run` starts everything locally; `make test` tests it.
GO         ?= go
VERSION    ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
BUILD_TIME ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS    := -s -w -X main.Version=$(VERSION) -X main.BuildTime=$(BUILD_TIME)
CONFIG     ?= config/config.dev.yaml

.PHONY: all build run test test-short lint migrate services check clean

all: build

## build: compile every binary into bin/ (images build statically in their Dockerfiles)
build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/ ./cmd/...

## run: start MariaDB/Redis if needed, migrate, then run the sandbox, API and worker
run: build
	bash scripts/run-dev.sh

## test: every test, with the race detector, against local MariaDB and Redis
test: services
	$(GO) test -race -count=1 -timeout 30m ./...

## lint: go vet and gofmt
lint:
	$(GO) vet ./...
	@out="$$(gofmt -l $$(git ls-files '*.go'))"; if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

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
	rm -rf bin/ coverage.out
