# syntax=docker/dockerfile:1
# API server image (cmd/server): the REST API, /health, /metrics and the
# operator commands (`migrate up|down|status|reset`, `config`).
#
#   docker build -t oceanops/api --build-arg VERSION=$(git describe --tags --always) \
#     --build-arg BUILD_TIME=$(date -u +%Y-%m-%dT%H:%M:%SZ) .
#
# GO_VERSION follows the `go` line of go.mod (a check in `make check` keeps them equal).
ARG GO_VERSION=1.26.8
ARG ALPINE_VERSION=3.22
ARG NODE_VERSION=20

# The console (web/), built against the API's OpenAPI document and embedded
# into the server binary below.
FROM node:${NODE_VERSION}-alpine AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY web/ ./
COPY internal/httpapi/openapi.yaml /src/internal/httpapi/openapi.yaml
RUN npm run build

FROM golang:${GO_VERSION}-alpine AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOOS=linux GOFLAGS=-trimpath GOTOOLCHAIN=local
# Dependencies first, so source edits do not invalidate this layer.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY cmd/ cmd/
COPY internal/ internal/
COPY web/embed.go web/
COPY --from=web /src/web/dist/ web/dist/
ARG VERSION=dev
ARG BUILD_TIME=unknown
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go build -ldflags "-s -w -X main.Version=${VERSION} -X main.BuildTime=${BUILD_TIME}" \
      -o /out/server ./cmd/server

FROM alpine:${ALPINE_VERSION}
# tzdata: report dates are Beijing time; ca-certificates: HTTPS to OceanEngine.
RUN apk add --no-cache ca-certificates tzdata \
 && addgroup -S -g 1000 oceanops \
 && adduser -S -D -H -u 1000 -G oceanops -h /app oceanops
ENV TZ=Asia/Shanghai \
    CONFIG_PATH=/app/config/config.yaml
WORKDIR /app
COPY --from=build /out/server /app/server
# The image carries config/ as a default; Kubernetes mounts its ConfigMap over /app/config.
COPY config/ /app/config/
USER 1000:1000
# 9091: /metrics (metrics.listen), for Prometheus only.
EXPOSE 8080 9091
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD wget -q -O /dev/null http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["/app/server"]
