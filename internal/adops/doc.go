// Package adops is the domain of ad operations: safe changes of the status,
// budget and bid of v2 campaigns and ads and v3 projects and promotions.
//
// A change (Request) is validated before it leaves — the platform's rules
// (minimum daily budget, minimum budget move, 20 budget changes per entity
// and Beijing day counted from our change log, a new budget of at least
// 105% of today's spend from the mirrored reports, bid ≤ budget, fields
// each kind has) and the guard rails admins set per user, role or everyone.
// It then runs under a per-entity lock shared by every process (MySQL):
// the entities are read from the platform (the truth the rules are checked
// against again and the "before" of the log), each change is recorded as
// pending, sent, read back and recorded with what the platform reports,
// and the mirror is updated at once. A write whose outcome is unknown (the
// answer was lost) is never repeated: reading the entity back decides.
// Rollback restores the value before a change as a new, linked change;
// Rollbacks does so for up to MaxItems changes, newest first.
//
// SQL lives in internal/mysql (changes.go, guardrails.go, idempotency.go);
// HTTP in internal/httpapi (adops.go, changes.go, guardrails.go). See
// docs/ad-operations.md.
package adops
