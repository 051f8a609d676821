// Package domain holds the domain types shared by several packages: rows the
// store reads and writes (advertisers, authorisations, background jobs,
// exports, guardrails, change log, sync state, idempotency keys) and their
// status values. It imports no adapter: internal/mysql implements the
// consumers' interfaces in these types, and internal/httpapi translates them.
package domain
