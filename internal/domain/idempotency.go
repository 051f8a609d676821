package domain

import (
	"time"
)

// IdempotencyClaim is a request's claim of its Idempotency-Key.
type IdempotencyClaim struct {
	UserID      int64
	Key         string
	RequestHash string
	RequestID   string
	// Holder is a random token of this attempt: only the holder completes
	// or gives back the claim. A first claim also takes it as ClaimID.
	Holder string
	Now    time.Time
	// Lease is how long an in-flight claim keeps the key from retries: it
	// must exceed the longest time a live request can hold it.
	Lease time.Duration
	// TTL is the key's lifetime from the first request
	// (server.idempotency_ttl). A record in flight is kept at least until
	// its lease ends, a takeover's lease too.
	TTL time.Duration
}

// IdempotencyClaimResult is the outcome of ClaimIdempotencyKey.
type IdempotencyClaimResult struct {
	// Claimed: this attempt holds the key now.
	Claimed bool
	// TakenOver: claimed by taking the key over from an earlier attempt of
	// the same request whose lease had run out (its process presumably
	// died); that attempt may have acted before it ended.
	TakenOver bool
	// PreviousRequestID is, on a takeover, the request of that attempt.
	PreviousRequestID string
	// Record is the key as this attempt holds it when Claimed (CreatedAt is
	// the first claim's); otherwise the record of the request that holds or
	// held it (compare its RequestHash, State and LeaseExpiresAt).
	Record IdempotencyRecord
}

// States of an idempotency record.
const (
	IdempotencyInProgress = "in_progress"
	IdempotencyDone       = "done"
)

// IdempotencyRecord is a claimed key.
type IdempotencyRecord struct {
	UserID      int64
	Key         string
	RequestHash string
	State       string
	// ClaimID names this lifetime of the key: a random token set by the
	// first claim (its holder's) and kept by takeovers. Changes are recorded
	// under it (AdChange.IdempotencyClaim).
	ClaimID string
	// Holder is the token of the attempt holding the key ("" once given
	// back after a takeover, or for records claimed before leases existed).
	Holder string
	// RequestID is the request of the last attempt that held the key.
	RequestID string
	// Attempts counts the attempts that held the key (1 + takeovers).
	Attempts       int
	ResponseStatus int
	ResponseBody   []byte
	// CreatedAt is when the key was first claimed; takeovers keep it.
	CreatedAt time.Time
	// LeaseExpiresAt is, while in progress, when a retry of the same
	// request may take the key over (nil: never, for old records).
	LeaseExpiresAt *time.Time
	ExpiresAt      time.Time
}
