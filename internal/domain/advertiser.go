package domain

import (
	"time"

	"github.com/shopspring/decimal"
)

// Advertiser is a row of advertisers with the status of its grant.
type Advertiser struct {
	ID              int64
	AuthorizationID int64 // 0 when unbound
	Name            string
	AccountRole     string
	ParentID        int64 // 0 when top-level
	// ClientID is the client the account belongs to (0: none); ClientName
	// its name.
	ClientID          int64
	ClientName        string
	Status            string
	Company           string
	FirstIndustry     string
	SecondIndustry    string
	PlatformCreatedAt *time.Time
	Balance           decimal.NullDecimal
	ValidBalance      decimal.NullDecimal
	Cash              decimal.NullDecimal
	ValidCash         decimal.NullDecimal
	Grant             decimal.NullDecimal
	ValidGrant        decimal.NullDecimal
	// BudgetMode and Budget are the account's own daily budget (账户日预算):
	// BUDGET_MODE_DAY with an amount, BUDGET_MODE_INFINITE without; ""
	// until read (BudgetSyncedAt).
	BudgetMode     string
	Budget         decimal.NullDecimal
	InfoSyncedAt   *time.Time
	FundSyncedAt   *time.Time
	BudgetSyncedAt *time.Time
	SyncEnabled    bool
	BoundAt        *time.Time
	UnboundAt      *time.Time
	// LeftGrantAt is when re-discovery found that the grant no longer
	// covers the account (nil while it does): it is not synced or acted on.
	LeftGrantAt *time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
	// AuthStatus is the grant's status (AuthActive, AuthNeedsReauth,
	// AuthRevoked), AuthLeftGrant for an active grant that no longer covers
	// the account, or AuthStatusUnbound.
	AuthStatus string
	// AuthStatusReason is the grant's status_reason.
	AuthStatusReason string
}

// AdvertiserFilter selects advertisers for listing; zero fields do not filter.
type AdvertiserFilter struct {
	// Keyword matches a substring of the name or company, or the exact id.
	Keyword string
	// Status is the platform status (e.g. STATUS_ENABLE).
	Status string
	// AuthStatus is active, needs_reauth, revoked, left_grant or unbound.
	AuthStatus  string
	AccountRole string
	// ClientID, when set, lists the accounts of that client; a pointer to 0
	// lists those of no client.
	ClientID *int64
	// IDs, when set, lists only these advertisers (those in scope).
	IDs    []int64
	Limit  int
	Offset int
}

// AdvertiserSyncState is one row of sync_state (written by the sync engine).
type AdvertiserSyncState struct {
	Stream string
	// Cursor is the stream's position (entity streams: the start of the last
	// successful run, RFC 3339 UTC; daily report streams: the last Beijing
	// date read after its conversions settled).
	Cursor        string
	LastAttemptAt *time.Time
	LastSuccessAt *time.Time
	LastError     string
	// Platform is what OceanEngine answered when the last run failed on a
	// platform error; nil when it did not (it succeeded, or failed on a
	// timeout, a dropped connection or our own store).
	Platform            *PlatformError
	ConsecutiveFailures int
	RowsLastRun         int
	NextRunAt           *time.Time
	FullSyncAt          *time.Time
}

// PlatformError is an answer of OceanEngine that refused a call: its code,
// message and request id (what its support asks for).
type PlatformError struct {
	Code      int
	Message   string
	RequestID string
}

// RoleAdvertiser is the account_role of leaf advertisers, the accounts that
// have campaigns and are synced (majordomo and agent accounts are not).
const RoleAdvertiser = "ADVERTISER"
